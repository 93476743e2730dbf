/*
 * Suggestions for the search box of every page, as you type: names and aliases from
 * /search?format=json (the shape of Wikidata's wbsearchentities). Optional: without
 * script the box is a plain form whose answer is a page of hits. An ARIA 1.2 combobox
 * with a listbox popup: arrows move, Enter opens, Escape closes.
 */
"use strict";

(function () {
  function attach(input) {
    const form = input.form;
    const list = document.createElement("ul");
    list.className = "suggestions";
    list.id = `suggestions-${Math.random().toString(36).slice(2)}`;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    form.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    const endpoint = new URL(input.dataset.suggest, document.baseURI);
    let active = -1;
    let timer = null;
    let asked = "";

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      const items = list.querySelectorAll("li");
      items.forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
      }
    }

    function show(hits) {
      list.replaceChildren();
      hits.forEach((hit, i) => {
        const item = document.createElement("li");
        item.id = `${list.id}-${i}`;
        item.setAttribute("role", "option");
        const link = document.createElement("a");
        link.href = new URL(hit.url, endpoint).href;
        link.tabIndex = -1;
        const label = document.createElement("span");
        label.className = "label";
        label.textContent = hit.label;
        link.appendChild(label);
        if (hit.match && hit.match.text !== hit.label) {
          const match = document.createElement("span");
          match.className = "match";
          match.textContent = ` (${hit.match.text})`;
          link.appendChild(match);
        }
        if (hit.description) {
          const description = document.createElement("span");
          description.className = "description";
          description.textContent = hit.description;
          link.appendChild(description);
        }
        item.appendChild(link);
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          window.location.href = link.href;
        });
        list.appendChild(item);
      });
      list.hidden = hits.length === 0;
      input.setAttribute("aria-expanded", String(hits.length > 0));
      active = -1;
    }

    function suggest() {
      const text = input.value.trim();
      if (text === asked) {
        return;
      }
      asked = text;
      if (text.length < 2) {
        close();
        return;
      }
      const url = new URL(endpoint);
      url.search = new URLSearchParams({ search: text, format: "json", limit: "8" }).toString();
      fetch(url, { headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : { search: [] }))
        .then((answer) => {
          if (input.value.trim() === text) {
            show(answer.search || []);
          }
        })
        .catch(close);
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(suggest, 120);
    });
    input.addEventListener("keydown", (event) => {
      const items = list.querySelectorAll("li");
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        list.hidden = false;
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        highlight((active - 1 + items.length) % items.length);
      } else if (event.key === "Enter" && active >= 0 && items[active]) {
        event.preventDefault();
        window.location.href = items[active].querySelector("a").href;
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  }

  document.querySelectorAll("input[data-suggest]").forEach(attach);
})();
