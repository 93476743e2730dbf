/*
 * The dossier's two pictures, made interactive where npm installed their libraries
 * (kg/server/vendor.py): the participants network with Cytoscape.js (pan, zoom, drag; a
 * node's links highlighted on hover or on a first tap; a click, or a second tap, opens
 * its page) and the timeline with vis-timeline (zoom and pan through time; the rounds,
 * their sessions and interruptions, the moves, the deadlines and what became of them;
 * a click shows an item with a link to its page, a double click opens it).
 *
 * Progressive enhancement: the server-side SVG stays in the page (it is what prints, and
 * what shows without script or libraries) and comes back if anything here fails. The
 * data come as JSON in data attributes, since the Content-Security-Policy allows no
 * inline script and no eval; every label goes in as text, never as HTML.
 */
"use strict";

(function () {
  const READABLE = 0.7; // the least zoom at which the network's names can be read
  const COLORS = {
    party: "#1f5fa8",
    delegation: "#c28a1c",
    person: "#6a7683",
    mediator: "#2e7d4f",
    other: "#8e6bb8",
  };

  // The page of an item: its href is a path from the site's root, or an outside URL.
  function pageOf(figure, href) {
    if (!href) {
      return "";
    }
    if (href.startsWith("/")) {
      return new URL(href.slice(1), new URL(figure.dataset.root || "./", document.baseURI)).href;
    }
    return href;
  }

  function button(label, title, action) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", action);
    return b;
  }

  // Puts the interactive view above the figure's caption, with a tool bar and a line
  // that says what is selected; the SVG is hidden on screen only while it works.
  function enhance(figure, name, build) {
    const live = document.createElement("div");
    live.className = "live";
    const canvas = document.createElement("div");
    canvas.className = "live-canvas";
    const tools = document.createElement("div");
    tools.className = "live-tools";
    const picked = document.createElement("p");
    picked.className = "picked";
    picked.setAttribute("aria-live", "polite");
    live.append(tools, canvas, picked);
    figure.insertBefore(live, figure.querySelector("figcaption"));
    // Shown before the library draws: drawn into a hidden box, both measure it as 0 wide.
    figure.classList.add("enhanced");
    try {
      build({ canvas, tools, picked });
      const toggle = button("Static picture", `Switch between the interactive ${name} and the static picture`, () => {
        const live = figure.classList.toggle("enhanced");
        toggle.textContent = live ? "Static picture" : "Interactive view";
      });
      tools.append(toggle);
    } catch (error) {
      figure.classList.remove("enhanced");
      live.remove(); // the SVG stays
      throw error;
    }
  }

  // "Label — date. Open its page" in the line under a picture.
  function say(picked, text, href) {
    picked.textContent = text;
    if (href) {
      const link = document.createElement("a");
      link.href = href;
      link.textContent = "Open its page →";
      picked.append(" ", link);
    }
  }

  function network(figure) {
    const data = JSON.parse(figure.dataset.graph);
    if (!data.nodes || data.nodes.length === 0) {
      return;
    }
    enhance(figure, "network", ({ canvas, tools, picked }) => {
      // As tall as the static picture at this width, within bounds.
      const box = figure.querySelector("svg").viewBox.baseVal;
      const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      const tall = (canvas.clientWidth * box.height) / (box.width || 1);
      const narrow = canvas.clientWidth < 40 * rem; // a phone: taller, for panning
      const least = narrow ? 26 * rem : 16 * rem;
      canvas.style.height = `${Math.round(Math.min(32 * rem, Math.max(least, tall)))}px`;
      const elements = [];
      data.nodes.forEach((n) => {
        elements.push({
          group: "nodes",
          data: { id: n.id, label: n.label, href: pageOf(figure, n.href) },
          position: { x: n.x, y: n.y },
          classes: n.kind,
        });
      });
      data.edges.forEach((e, i) => {
        elements.push({
          group: "edges",
          data: { id: `e${i}`, source: e.source, target: e.target, label: e.label },
          classes: e.kind,
        });
      });
      const style = [
        {
          selector: "node",
          style: {
            label: "data(label)",
            "background-color": COLORS.other,
            width: 18,
            height: 18,
            "font-size": 12,
            "font-family": "system-ui, sans-serif",
            color: "#1d2329",
            "text-valign": "bottom",
            "text-margin-y": 4,
            "text-wrap": "wrap",
            "text-max-width": "140px",
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.8,
            "text-background-padding": "1px",
            "border-width": 2,
            "border-color": "#ffffff",
          },
        },
        { selector: "node.party", style: { "background-color": COLORS.party, width: 26, height: 26 } },
        { selector: "node.mediator", style: { "background-color": COLORS.mediator, width: 26, height: 26 } },
        { selector: "node.delegation", style: { "background-color": COLORS.delegation } },
        { selector: "node.person", style: { "background-color": COLORS.person } },
        {
          selector: "edge",
          style: { width: 1.5, "line-color": "#9aa4ad", "curve-style": "straight", opacity: 0.9 },
        },
        { selector: "edge.leads", style: { width: 2.5, "line-color": "#1d2329" } },
        { selector: "edge.represents", style: { width: 2, "line-color": COLORS.delegation } },
        { selector: "edge.mediates", style: { "line-color": COLORS.mediator, "line-style": "dashed" } },
        { selector: "edge.met", style: { width: 2, "line-color": COLORS.other, "line-style": "dotted" } },
        { selector: "edge.notes", style: { width: 2, "line-color": COLORS.delegation, "line-style": "dotted" } },
        { selector: "edge.for", style: { "line-color": COLORS.mediator } },
        { selector: ".faded", style: { opacity: 0.15 } },
        { selector: "node.lit", style: { "border-color": "#1d2329", "border-width": 3 } },
        {
          selector: "edge.lit",
          style: {
            opacity: 1,
            width: 3,
            label: "data(label)",
            "font-size": 10,
            "text-rotation": "autorotate",
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.9,
          },
        },
      ];
      const cy = window.cytoscape({
        container: canvas,
        elements: elements,
        style: style,
        layout: { name: "preset", fit: true, padding: 24 },
        minZoom: 0.2,
        maxZoom: 3,
        boxSelectionEnabled: false,
        autoungrabify: false,
      });
      // Fitted to a phone, the names would be too small to read: a readable scale,
      // centred, and the reader pans (or taps Fit).
      if (cy.zoom() < READABLE) {
        cy.zoom(READABLE);
        cy.center();
      }
      let lit = null;
      function light(node) {
        cy.elements().removeClass("lit faded");
        lit = node;
        if (!node) {
          picked.textContent = "";
          return;
        }
        const near = node.closedNeighborhood();
        cy.elements().not(near).addClass("faded");
        node.addClass("lit");
        node.connectedEdges().addClass("lit");
        const links = node.connectedEdges().map((e) => e.data("label"));
        say(picked, `${node.data("label")}: ${links.length} link${links.length === 1 ? "" : "s"}`,
          node.data("href"));
      }
      function open(node) {
        if (node.data("href")) {
          window.location.assign(node.data("href"));
        }
      }
      cy.on("mouseover", "node", (event) => light(event.target));
      cy.on("mouseout", "node", () => light(null));
      cy.on("tap", "node", (event) => {
        const source = event.originalEvent;
        const touch = source && (source.pointerType === "touch" || /^touch/.test(source.type));
        if (touch && lit !== event.target) {
          light(event.target); // a first tap shows the links; a second opens the page
          return;
        }
        open(event.target);
      });
      cy.on("tap", (event) => {
        if (event.target === cy) {
          light(null);
        }
      });
      tools.append(
        button("+", "Zoom in", () => cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: center(cy) })),
        button("−", "Zoom out", () => cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: center(cy) })),
        button("Fit", "Fit the whole network in view", () => cy.fit(undefined, 24)),
      );
      figure.kgNetwork = cy; // for the browser test and the console
    });
  }

  function center(cy) {
    return { x: cy.width() / 2, y: cy.height() / 2 };
  }

  function timeline(figure) {
    const data = JSON.parse(figure.dataset.timeline);
    if (!data.items || data.items.length === 0) {
      return;
    }
    enhance(figure, "timeline", ({ canvas, tools, picked }) => {
      const byId = {};
      const items = data.items.map((item) => {
        byId[item.id] = item;
        const content = document.createElement("span");
        content.textContent = item.label;
        return {
          id: item.id,
          group: item.group,
          start: item.start,
          end: item.end,
          type: item.end ? "range" : "point",
          content: content,
          title: item.title,
          className: item.kind,
        };
      });
      const groups = data.groups.map((g, i) => {
        const content = document.createElement("span");
        content.textContent = g.label;
        return { id: g.id, content: content, order: i };
      });
      const days = 24 * 3600 * 1000;
      const starts = data.items.map((i) => Date.parse(i.start));
      const ends = data.items.map((i) => Date.parse(i.end || i.start));
      // The first view shows the talks themselves (context events can reach back years:
      // zoom out, or Fit, for them); a timeline of context alone shows it all.
      const own = data.items.filter((i) => i.group !== "context");
      const shown = own.length > 0 ? own : data.items;
      const first = Math.min(...shown.map((i) => Date.parse(i.start)));
      const last = Math.max(...shown.map((i) => Date.parse(i.end || i.start)));
      const pad = Math.max(10 * days, (last - first) / 12);
      // Room on the right for the labels of the last items (a point's label runs to the
      // right of it), as a share of the view, at most 40%.
      const near = shown.filter((i) => Date.parse(i.end || i.start) >= last - (last - first) / 10);
      const chars = Math.max(0, ...near.map((i) => (i.end ? 0 : i.label.length)));
      const share = Math.min(0.4, (chars * 7 + 24) / (canvas.clientWidth || 600));
      const room = Math.max(pad, ((last - first + pad) * share) / (1 - share));
      const view = new window.vis.Timeline(canvas, items, groups, {
        groupOrder: "order",
        stack: true,
        showCurrentTime: false,
        zoomKey: "ctrlKey", // the wheel scrolls the page; Ctrl+wheel, pinch or the buttons zoom
        zoomMin: 2 * days,
        min: Math.min(...starts) - 400 * days,
        max: Math.max(...ends) + 400 * days,
        start: first - pad,
        end: last + room,
        margin: { item: { horizontal: 4, vertical: 6 } },
        tooltip: { followMouse: true },
      });
      view.on("select", (props) => {
        const item = byId[props.items[0]];
        if (item) {
          say(picked, item.title, pageOf(figure, item.href));
        } else {
          picked.textContent = "";
        }
      });
      view.on("doubleClick", (props) => {
        const item = byId[props.item];
        if (item && item.href) {
          window.location.assign(pageOf(figure, item.href));
        }
      });
      tools.append(
        button("+", "Zoom in", () => view.zoomIn(0.5)),
        button("−", "Zoom out", () => view.zoomOut(0.5)),
        button("Fit", "Show the whole period", () => view.fit()),
      );
      figure.kgTimeline = view; // for the browser test and the console
    });
  }

  function start() {
    if (typeof window.cytoscape === "function") {
      document.querySelectorAll("figure[data-graph]").forEach(network);
    }
    if (window.vis && typeof window.vis.Timeline === "function") {
      document.querySelectorAll("figure[data-timeline]").forEach(timeline);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
