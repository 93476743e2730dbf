/*
 * The query page: YASGUI over this server's SPARQL endpoint, one tab per competency
 * question. A file of its own because the Content-Security-Policy forbids inline
 * scripts; its settings come from query/config.json (kg/server/ui.py).
 */
"use strict";

(function () {
  const root = document.getElementById("yasgui");

  function fail(message) {
    const box = document.getElementById("ui-error");
    box.textContent = message;
    box.hidden = false;
  }

  function start(config) {
    const here = document.baseURI;
    const endpoint = new URL(config.endpoint, here).href;
    // Completers that call no other server: the property and class completers ask
    // Linked Open Vocabularies, which the CSP (connect-src 'self') does not allow.
    Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
    const yasgui = new Yasgui(root, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }], keys: [] },
      // Edits are kept in the browser per set of examples: a new set starts afresh.
      persistenceId: config.persistenceId,
      autoAddOnInit: false,
      yasqe: { prefixCcApi: new URL(config.prefixesUrl, here).href },
      yasr: { prefixes: config.prefixes },
    });
    addExamples(yasgui, config, endpoint);
    window.kgYasgui = yasgui; // for the browser test and the console
  }

  // The example tabs are added once per set of examples; after that the browser keeps
  // the user's tabs. A link such as /query?query=... (YASGUI reads it) opens one more
  // tab, which stays selected.
  function addExamples(yasgui, config, endpoint) {
    const key = `${config.persistenceId}_examples`;
    let added = false;
    try {
      added = window.localStorage.getItem(key) === "added";
    } catch (error) {
      added = false; // no storage: add them at each visit
    }
    if (added && yasgui.persistentConfig.getTabs().length > 0) {
      return;
    }
    const select = yasgui.persistentConfig.getTabs().length === 0;
    config.tabs.forEach((tab, index) => {
      yasgui.addTab(select && index === 0, {
        name: tab.name,
        yasqe: { value: tab.query },
        requestConfig: { endpoint: endpoint },
      });
    });
    try {
      window.localStorage.setItem(key, "added");
    } catch (error) {
      // nothing to remember it in
    }
  }

  if (typeof Yasgui === "undefined") {
    fail("The query editor did not load: query/yasgui/yasgui.min.js is missing or broken.");
    return;
  }
  fetch(new URL(root.dataset.config, document.baseURI), {
    headers: { Accept: "application/json" },
  })
    .then((response) => {
      if (!response.ok) {
        throw new Error(`${response.status} ${response.statusText}`);
      }
      return response.json();
    })
    .then(start)
    .catch((error) => fail(`The query editor could not start: ${error.message}`));
})();
