/*
 * The query page: YASGUI over this server's SPARQL endpoint, one tab per competency
 * question. A file of its own because the Content-Security-Policy forbids inline
 * scripts; its settings come from query/config.json (kg/server/ui.py).
 *
 * Three things fit YASGUI to this server:
 * - the server's predefined prefixes (nkg:, round:, role: ...) are known to the editor,
 *   so a query that uses them without PREFIX lines is not marked as an error;
 * - IRIs of this graph in the results open their page here, not at the base IRI's host;
 * - an example tab that needs something the server has not switched on says so;
 * - an example that takes parameters gets a form above the editor.
 */
"use strict";

(function () {
  const root = document.getElementById("yasgui");

  function fail(message) {
    const box = document.getElementById("ui-error");
    box.textContent = message;
    box.hidden = false;
  }

  // YASQE's tokenizer starts every query with no prefixes and flags any prefixed name
  // whose prefix the query does not declare. The endpoint predefines the project's
  // prefixes, so the editor's mode starts with them declared too.
  function predefinePrefixes(prefixes) {
    const Yasqe = Yasgui.Yasqe;
    const original = Yasqe.modes && Yasqe.modes.sparql11;
    if (typeof original !== "function" || typeof Yasqe.defineMode !== "function") {
      return;
    }
    Yasqe.defineMode("sparql11", function (config, parserConfig) {
      const mode = original(config, parserConfig);
      const startState = mode.startState;
      mode.startState = function () {
        const state = startState.apply(this, arguments);
        state.prefixes = Object.assign({}, prefixes, state.prefixes);
        return state;
      };
      return mode;
    });
  }

  // A link to an IRI under the base IRI goes to this server, which dereferences it.
  function localLinks(base) {
    const here = new URL("./", document.baseURI);
    function rewrite(event) {
      const link = event.target.closest && event.target.closest("a[href]");
      if (link && link.href.startsWith(base)) {
        link.href = new URL(link.href.slice(base.length), here).href;
      }
    }
    for (const type of ["mouseover", "focusin", "mousedown", "click", "auxclick"]) {
      root.addEventListener(type, rewrite, true);
    }
  }

  // A notice above the editor for the example tabs that need the server set up.
  function notices(yasgui, tabs) {
    const box = document.getElementById("ui-notice");
    const needs = {};
    tabs.forEach((tab) => {
      if (tab.needs) {
        needs[tab.name] = tab.needs;
      }
    });
    function show() {
      const tab = yasgui.getTab();
      const name = tab && tab.getName ? tab.getName() : "";
      box.textContent = needs[name] ? `This example needs the server set up: ${needs[name]}` : "";
      box.hidden = !needs[name];
    }
    yasgui.on("tabSelect", () => setTimeout(show, 0));
    yasgui.on("tabAdd", () => setTimeout(show, 0));
    show();
  }

  function start(config) {
    const here = document.baseURI;
    const endpoint = new URL(config.endpoint, here).href;
    predefinePrefixes(config.prefixes);
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
      yasqe: {
        prefixCcApi: new URL(config.prefixesUrl, here).href,
        collapsePrefixesOnLoad: true, // the PREFIX lines fold into one: the query shows
      },
      yasr: { prefixes: config.prefixes },
    });
    addExamples(yasgui, config, endpoint);
    if (root.dataset.example) {
      openExample(yasgui, config, endpoint, root.dataset.example);
    }
    localLinks(config.base);
    notices(yasgui, config.tabs);
    addParameterForms(config);
    window.kgYasgui = yasgui; // for the browser test and the console
  }

  // A competency query that takes parameters (query 12: the fact to trace) gets a form:
  // it asks the server for /query?example=NAME&PARAMETER=VALUE, which checks each value,
  // binds it and opens the query in a tab of its own (kg/server/ui.py).
  function addParameterForms(config) {
    const box = document.getElementById("parameters");
    config.tabs
      .filter((tab) => tab.parameters.length > 0)
      .forEach((tab) => {
        const form = document.createElement("form");
        form.className = "parameters";
        form.method = "get";
        form.action = new URL("query", document.baseURI).href;
        const example = document.createElement("input");
        Object.assign(example, { type: "hidden", name: "example", value: tab.example });
        const title = document.createElement("span");
        title.textContent = `${tab.name}: `;
        form.append(example, title);
        tab.parameters.forEach((parameter) => {
          const label = document.createElement("label");
          const input = document.createElement("input");
          Object.assign(input, { name: parameter.name, required: true, size: 40 });
          input.placeholder = parameter.help;
          input.title = parameter.help;
          label.append(`${parameter.name} `, input);
          form.append(label, " ");
        });
        const button = document.createElement("button");
        button.type = "submit";
        button.textContent = "Open and run";
        form.append(button);
        box.append(form);
      });
    box.hidden = box.childElementCount === 0;
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

  // /query?example=NAME (the home page's links): that competency query's tab, selected;
  // added again if the user had closed it.
  function openExample(yasgui, config, endpoint, name) {
    const tab = config.tabs.find((t) => t.example === name);
    if (!tab) {
      return;
    }
    const tabs = yasgui.persistentConfig.getTabs();
    const found = tabs.find((id) => yasgui.persistentConfig.getTab(id).name === tab.name);
    if (found) {
      yasgui.selectTabId(found);
    } else {
      yasgui.addTab(true, {
        name: tab.name,
        yasqe: { value: tab.query },
        requestConfig: { endpoint: endpoint },
      });
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
