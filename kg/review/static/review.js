// The review page: shows a draft, records decisions, saves them (kg/review/app.py).
"use strict";

const COLOURS = ["#ffe08a", "#b5e3ff", "#c8f0c0", "#ffc8dd", "#e0d0ff", "#ffd8b0", "#d0f0f0",
  "#f0d0c0", "#e8e8a0", "#c0d8ff", "#f8c0c0", "#d8ffc8", "#eeddff", "#ffe0f0", "#dfe8c0"];
// Decisions and edits, kept until saved: claims, entities and concepts by id.
// The last passage selected in the article: a phone clears the selection when a button
// is tapped, so the buttons use the one remembered here.
const state = { draft: null, decided: {}, edits: {}, evidence: {}, dirty: false, selection: null };
const KINDS = ["claims", "entities", "concepts"];

function reset() {
  for (const kind of KINDS) { state.decided[kind] = {}; state.edits[kind] = {}; }
  state.evidence = {};
  state.dirty = false;
}

// Colours by the types this draft uses, so that no two of them share one.
function colour(type) {
  const types = [...new Set(state.draft.claims.map((c) => c.type))];
  return COLOURS[types.indexOf(type) % COLOURS.length];
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "style") node.style.cssText = value; else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function button(cls, text, action) {
  const node = el("button", { type: "button", class: cls }, text);
  node.addEventListener("click", action);
  return node;
}

async function load() {
  const response = await fetch("/api/draft");
  state.draft = await response.json();
  reset();
  const filter = document.getElementById("filter-type");
  filter.replaceChildren(el("option", { value: "" }, "every type"));
  for (const type of [...new Set(state.draft.claims.map((c) => c.type))]) {
    filter.append(el("option", { value: type }, type));
  }
  render();
}

function render() {
  document.getElementById("document").textContent = state.draft.document;
  renderSummary(); renderLegend(); renderArticle(); renderClaims(); renderEntities();
  renderConcepts(); renderUncovered();
}

function renderSummary() {
  const draft = state.draft;
  const drafts = draft.claims.filter((c) => c.draft).length;
  const decided = Object.values(state.decided.claims).filter(Boolean).length;
  document.getElementById("summary").textContent =
    `${draft.claims.length} claims (${drafts} drafts, ${decided} decided), ` +
    `${draft.entities.length} proposed entities, ${draft.concepts.length} proposed concepts, ` +
    `${draft.sentences - draft.uncovered.length} of ${draft.sentences} sentences cited`;
}

function renderLegend() {
  const legend = document.getElementById("legend");
  legend.replaceChildren();
  for (const type of [...new Set(state.draft.claims.map((c) => c.type))]) {
    legend.append(el("li", { style: `--c:${colour(type)}`, "data-type": type }, type));
  }
}

// The article cut where any evidence or uncovered sentence starts or ends; each piece
// knows the claims that cite it (found by binary search, so a long article stays fast).
function renderArticle() {
  const { text, claims, uncovered } = state.draft;
  const cuts = new Set([0, text.length]);
  const spans = [];
  claims.forEach((claim) => claim.evidence.forEach((e) => {
    if (e.start !== null) { cuts.add(e.start); cuts.add(e.end); spans.push([e.start, e.end, claim]); }
  }));
  uncovered.forEach((s) => { cuts.add(s.start); cuts.add(s.end); });
  const points = [...cuts].sort((a, b) => a - b);
  const index = (at) => { let lo = 0, hi = points.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (points[mid] < at) lo = mid + 1; else hi = mid; }
    return lo; };
  const covering = points.map(() => []);
  for (const [start, end, claim] of spans) {
    if (state.decided.claims[claim.id] === "reject") continue;
    for (let i = index(start); i < index(end); i++) covering[i].push(claim);
  }
  const open = points.map(() => false);
  for (const s of uncovered) for (let i = index(s.start); i < index(s.end); i++) open[i] = true;
  const article = document.getElementById("article");
  const pieces = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const piece = text.slice(points[i], points[i + 1]);
    const cited = covering[i];
    let node;
    if (cited.length) {
      node = el("mark", { style: `--c:${colour(cited[0].type)}`, "data-start": points[i],
        "data-claims": cited.map((c) => c.id).join(" "), "data-type": cited[0].type }, piece);
      node.addEventListener("click", () => focusClaim(cited[0].id, true));
    } else {
      node = el("span", { "data-start": points[i], class: open[i] ? "uncovered" : "" }, piece);
    }
    pieces.push(node);
  }
  article.replaceChildren(...pieces);
}

function focusClaim(id, scrollCard) {
  document.querySelectorAll("mark.focus").forEach((m) => m.classList.remove("focus"));
  const marks = [...document.querySelectorAll("#article mark")]
    .filter((m) => m.dataset.claims.split(" ").includes(id));
  marks.forEach((m) => m.classList.add("focus"));
  if (scrollCard) {
    const card = document.getElementById(`claim-${id}`);
    if (card) { card.hidden = false; card.scrollIntoView({ block: "nearest" }); }
  }
  return marks;
}

function showInArticle(id) {
  const marks = focusClaim(id, false);
  if (marks.length) marks[0].scrollIntoView({ block: "center" });
}

function selectionInArticle() {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed) return null;
  const article = document.getElementById("article");
  const range = selection.getRangeAt(0);
  if (!article.contains(range.startContainer) || !article.contains(range.endContainer)) return null;
  const offset = (container, at) => {
    const holder = container.nodeType === 3 ? container.parentElement : container;
    return Number(holder.dataset.start) + (container.nodeType === 3 ? at : 0);
  };
  const start = offset(range.startContainer, range.startOffset);
  const end = offset(range.endContainer, range.endOffset);
  return end > start ? { quote: state.draft.text.slice(start, end), start } : null;
}

function decide(kind, id, decision, card) {
  const table = state.decided[kind];
  table[id] = table[id] === decision ? undefined : decision;
  card.classList.toggle("accept", table[id] === "accept");
  card.classList.toggle("reject", table[id] === "reject");
  state.dirty = true;
  if (kind === "claims") { renderArticle(); renderSummary(); }
  if (kind !== "claims" && table[id] === "reject") {
    const naming = state.draft.claims.filter((c) => JSON.stringify(c.fields).includes(`"${id}"`));
    if (naming.length) {
      message(`${id} is named by ${naming.map((c) => c.id).join(", ")}: edit or reject ` +
        (naming.length > 1 ? "them" : "it") + " too, or validation will say so.");
    }
  }
}

// The value shown for a field: the reviewer's edit if any, else the draft's.
function shown(kind, id, key, value) {
  const edits = state.edits[kind][id] || {};
  const current = key in edits ? edits[key] : value;
  if (Array.isArray(current) && current.some((v) => typeof v === "object")) {
    return JSON.stringify(current);  // quantities: a list of blocks, edited as JSON
  }
  if (Array.isArray(current)) return current.join(", ");
  return (current && typeof current === "object") ? JSON.stringify(current) : (current ?? "");
}

function fieldInput(kind, id, spec, value) {
  const text = shown(kind, id, spec.key, value);
  let input;
  const listId = `options-${spec.key.replace(/\W/g, "-")}`;
  if (spec.options.length && !spec.many) {
    input = el("select", { name: spec.key }, el("option", { value: "" }, ""));
    for (const option of spec.options) input.append(el("option", { value: option }, option));
    if (text && !spec.options.includes(text)) input.append(el("option", { value: text }, text));
    input.value = text;
  } else {
    input = el("input", { name: spec.key, value: text });
    if (spec.options.length) {
      input.setAttribute("list", listId);
      if (!document.getElementById(listId)) {
        document.body.append(el("datalist", { id: listId },
          ...spec.options.map((o) => el("option", { value: o }))));
      }
    }
  }
  input.addEventListener("change", () => {
    let next = input.value.trim();
    if (next.startsWith("{") || next.startsWith("[{")) {
      try { next = JSON.parse(next); } catch (e) { /* kept as typed: validation says why */ }
    } else if (spec.many) {
      next = next ? next.split(",").map((v) => v.trim()).filter(Boolean) : [];
    }
    (state.edits[kind][id] ||= {})[spec.key] = next;
    state.dirty = true;
  });
  return el("label", {}, `${spec.key}${spec.required ? " *" : ""} `, input);
}

function evidenceList(claim) {
  const list = el("ul", { class: "evidence" });
  const quotes = state.evidence[claim.id] ||
    claim.evidence.map((e) => ({ quote: e.quote, start: e.start, kept: true }));
  quotes.forEach((q, i) => {
    const item = el("li", {}, `“${q.quote}”`);
    if (q.start === null) item.append(" ", el("span", { class: "missing" }, "not found in the text"));
    item.append(button("remove-evidence", "×", () => {
      state.evidence[claim.id] = quotes.filter((_, j) => j !== i);
      state.dirty = true;
      rerenderCard(claim);
    }));
    list.append(item);
  });
  return list;
}

function claimCard(claim) {
  const card = el("article", { class: "card claim", id: `claim-${claim.id}`,
    style: `--c:${colour(claim.type)}`, "data-id": claim.id, "data-type": claim.type });
  card.append(el("h3", {}, `${claim.type}: ${claim.id} (${claim.draft ? "draft" : "reviewed"})`));
  if (claim.fields.note) card.append(el("p", { class: "note" }, claim.fields.note));
  const specs = state.draft.types[claim.type] || [];
  const edited = state.edits.claims[claim.id] || {};
  for (const spec of specs) {
    if (spec.key in claim.fields || spec.required || spec.key in edited) {
      card.append(fieldInput("claims", claim.id, spec, claim.fields[spec.key]));
    }
  }
  const absent = specs.filter((s) => !(s.key in claim.fields) && !s.required && !(s.key in edited));
  if (absent.length) {
    const add = el("select", { class: "add-field" }, el("option", { value: "" }, "add a field…"));
    absent.forEach((s) => add.append(el("option", { value: s.key }, s.key)));
    add.addEventListener("change", () => {
      (state.edits.claims[claim.id] ||= {})[add.value] = "";
      rerenderCard(claim);
      const input = document.querySelector(`#claim-${CSS.escape(claim.id)} [name="${add.value}"]`);
      if (input) input.focus();
    });
    card.append(add);
  }
  card.append(evidenceList(claim));
  const withSelection = (replace) => () => {
    const picked = selectionInArticle() || state.selection;
    state.selection = null;
    if (!picked) { message("Select a passage of the article first."); return; }
    const current = state.evidence[claim.id] ||
      claim.evidence.map((e) => ({ quote: e.quote, start: e.start, kept: true }));
    state.evidence[claim.id] = replace ? [picked] : [...current, picked];
    state.dirty = true;
    rerenderCard(claim);
  };
  card.append(el("div", { class: "actions" },
    button("accept", "Accept", () => decide("claims", claim.id, "accept", card)),
    button("reject", "Reject", () => decide("claims", claim.id, "reject", card)),
    button("show", "Show in article", () => showInArticle(claim.id)),
    button("add-selection", "Add the selection as evidence", withSelection(false)),
    button("use-selection", "Replace the evidence by the selection", withSelection(true))));
  card.addEventListener("mouseenter", () => focusClaim(claim.id, false));
  const decision = state.decided.claims[claim.id];
  if (decision) card.classList.add(decision);
  return card;
}

function rerenderCard(claim) {
  const old = document.getElementById(`claim-${claim.id}`);
  if (old) old.replaceWith(claimCard(claim));
  applyFilter();
}

function renderClaims() {
  document.getElementById("claims").replaceChildren(...state.draft.claims.map(claimCard));
  applyFilter();
}

function applyFilter() {
  const type = document.getElementById("filter-type").value;
  const open = document.getElementById("filter-open").checked;
  document.querySelectorAll("#claims .card").forEach((card) => {
    card.hidden = Boolean((type && card.dataset.type !== type) ||
      (open && state.decided.claims[card.dataset.id]));
  });
}

// A proposed entity or concept: its fields to edit, its note and evidence, add or reject.
function proposalCard(kind, item, title, keys, acceptText) {
  const card = el("article", { class: `card ${kind === "entities" ? "entity" : "concept"}`,
    "data-id": item.id });
  card.append(el("h3", {}, title));
  if (item.fields.note) card.append(el("p", { class: "note" }, item.fields.note));
  for (const key of keys) {
    card.append(fieldInput(kind, item.id, { key, many: key === "aliases", required: false,
      options: [] }, item.fields[key]));
  }
  if (item.evidence && item.evidence.length) {
    const list = el("ul", { class: "evidence" });
    item.evidence.forEach((e) => list.append(el("li", {}, `“${e.quote}”`)));
    card.append(list);
  }
  card.append(el("div", { class: "actions" },
    button("accept", acceptText, () => decide(kind, item.id, "accept", card)),
    button("reject", "Reject", () => decide(kind, item.id, "reject", card))));
  const decision = state.decided[kind][item.id];
  if (decision) card.classList.add(decision);
  return card;
}

function renderEntities() {
  const list = document.getElementById("entities");
  const skip = ["id", "kind", "note", "draft"];
  list.replaceChildren(...state.draft.entities.map((e) => proposalCard("entities", e,
    `${e.kind}: ${e.label} (${e.id})`, Object.keys(e.fields).filter((k) => !skip.includes(k)),
    "Add to the registry")));
  if (!state.draft.entities.length) list.append(el("p", {}, "None."));
}

function renderConcepts() {
  const list = document.getElementById("concepts");
  list.replaceChildren(...state.draft.concepts.map((c) => proposalCard("concepts", c,
    `${c.scheme} concept: ${c.id}`, ["label", "definition", "broader", "aliases"],
    "Declare it")));
  if (!state.draft.concepts.length) list.append(el("p", {}, "None."));
}

function renderUncovered() {
  const list = document.getElementById("uncovered");
  list.replaceChildren();
  for (const s of state.draft.uncovered) {
    const item = el("li", { "data-start": s.start }, state.draft.text.slice(s.start, s.end));
    item.addEventListener("click", () => {
      const node = document.querySelector(`#article span[data-start="${s.start}"]`);
      if (!node) return;
      node.scrollIntoView({ block: "center" });
      node.classList.add("flash");
      setTimeout(() => node.classList.remove("flash"), 1500);
    });
    list.append(item);
  }
}

function message(text) { document.getElementById("messages").textContent = text; }

async function save() {
  const reviewer = document.getElementById("reviewer").value;
  localStorage.setItem("kg-review-reviewer", reviewer);
  const evidence = {};
  for (const [id, quotes] of Object.entries(state.evidence)) {
    evidence[id] = quotes.map((q) => (q.start === null ? q.quote : { quote: q.quote, start: q.start }));
  }
  const body = { reviewer, claims: state.decided.claims, entities: state.decided.entities,
    concepts: state.decided.concepts, fields: state.edits.claims,
    entity_fields: state.edits.entities, concept_fields: state.edits.concepts, evidence };
  const response = await fetch("/api/save", { method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "X-Review-Token": state.draft.token } });
  const answer = (response.headers.get("content-type") || "").includes("json") ?
    await response.json() : { saved: false, messages: [await response.text()] };
  if (answer.saved) await load();
  message((answer.saved ? "Saved. " : "Not saved. ") + answer.messages.join("\n"));
}

function acceptRemaining() {
  for (const kind of KINDS) {
    for (const item of state.draft[kind]) {
      if (state.decided[kind][item.id] === undefined) state.decided[kind][item.id] = "accept";
    }
  }
  state.dirty = true;
  renderClaims(); renderEntities(); renderConcepts(); renderArticle(); renderSummary();
}

document.addEventListener("DOMContentLoaded", () => {
  const reviewer = document.getElementById("reviewer");
  reviewer.value = localStorage.getItem("kg-review-reviewer") || "";
  document.getElementById("save").addEventListener("click", save);
  document.getElementById("accept-all").addEventListener("click", acceptRemaining);
  document.getElementById("filter-type").addEventListener("change", applyFilter);
  document.getElementById("filter-open").addEventListener("change", applyFilter);
  document.addEventListener("selectionchange", () => {
    const picked = selectionInArticle();
    if (picked) state.selection = picked;
  });
  window.addEventListener("beforeunload", (event) => {
    if (state.dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  load();
});
