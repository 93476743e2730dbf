// The review page: shows a draft, records decisions, saves them (kg/review/app.py).
"use strict";

const COLOURS = ["#ffe08a", "#b5e3ff", "#c8f0c0", "#ffc8dd", "#e0d0ff", "#ffd8b0", "#d0f0f0",
  "#f0d0c0", "#e8e8a0", "#c0d8ff", "#f8c0c0", "#d8ffc8", "#eeddff", "#ffe0f0", "#dfe8c0"];
const state = { draft: null, claims: {}, entities: {}, fields: {}, evidence: {} };

function colour(type) {
  const types = Object.keys(state.draft.types);
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

async function load() {
  const response = await fetch("/api/draft");
  state.draft = await response.json();
  state.claims = {}; state.entities = {}; state.fields = {}; state.evidence = {};
  render();
}

function render() {
  const draft = state.draft;
  document.getElementById("document").textContent = draft.document;
  const drafts = draft.claims.filter((c) => c.draft).length;
  document.getElementById("summary").textContent =
    `${draft.claims.length} claims (${drafts} drafts), ${draft.entities.length} proposed ` +
    `entities, ${draft.sentences - draft.uncovered.length} of ${draft.sentences} sentences cited`;
  renderLegend(); renderArticle(); renderClaims(); renderEntities(); renderUncovered();
}

function renderLegend() {
  const legend = document.getElementById("legend");
  legend.replaceChildren();
  const used = [...new Set(state.draft.claims.map((c) => c.type))];
  for (const type of used) {
    legend.append(el("li", { style: `--c:${colour(type)}`, "data-type": type }, type));
  }
}

function renderArticle() {
  const { text, claims, uncovered } = state.draft;
  const cuts = new Set([0, text.length]);
  claims.forEach((claim) => claim.evidence.forEach((e) => {
    if (e.start !== null) { cuts.add(e.start); cuts.add(e.end); }
  }));
  uncovered.forEach((s) => { cuts.add(s.start); cuts.add(s.end); });
  const points = [...cuts].sort((a, b) => a - b);
  const article = document.getElementById("article");
  article.replaceChildren();
  for (let i = 0; i + 1 < points.length; i++) {
    const [start, end] = [points[i], points[i + 1]];
    const piece = text.slice(start, end);
    const covering = claims.filter((c) => state.claims[c.id] !== "reject" &&
      c.evidence.some((e) => e.start !== null && e.start <= start && end <= e.end));
    const open = uncovered.some((s) => s.start <= start && end <= s.end);
    let node;
    if (covering.length) {
      node = el("mark", { style: `--c:${colour(covering[0].type)}`,
        "data-claims": covering.map((c) => c.id).join(" "),
        "data-type": covering[0].type, "data-start": start }, piece);
      node.addEventListener("click", () => focusClaim(covering[0].id));
    } else {
      node = el("span", { "data-start": start, class: open ? "uncovered" : "" }, piece);
    }
    article.append(node);
  }
}

function focusClaim(id) {
  document.querySelectorAll("mark.focus").forEach((m) => m.classList.remove("focus"));
  document.querySelectorAll("mark").forEach((m) => {
    if (m.dataset.claims.split(" ").includes(id)) m.classList.add("focus");
  });
  const card = document.getElementById(`claim-${id}`);
  if (card) card.scrollIntoView({ block: "nearest" });
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
  return state.draft.text.slice(start, end);
}

function decide(kind, id, decision, card) {
  const table = kind === "claim" ? state.claims : state.entities;
  table[id] = table[id] === decision ? undefined : decision;
  card.classList.toggle("accept", table[id] === "accept");
  card.classList.toggle("reject", table[id] === "reject");
  if (kind === "claim") renderArticle();
}

function fieldInput(claim, spec) {
  const value = claim.fields[spec.key];
  const shown = Array.isArray(value) ? value.join(", ") :
    (value && typeof value === "object") ? JSON.stringify(value) : (value ?? "");
  let input;
  if (spec.options.length && !spec.many) {
    input = el("select", { name: spec.key }, el("option", { value: "" }, ""));
    for (const option of spec.options) input.append(el("option", { value: option }, option));
    input.value = shown;
  } else {
    input = el("input", { name: spec.key, value: shown });
  }
  input.addEventListener("change", () => {
    let next = input.value.trim();
    if (spec.many) next = next ? next.split(",").map((v) => v.trim()).filter(Boolean) : [];
    else if (next.startsWith("{")) { try { next = JSON.parse(next); } catch (e) { /* text */ } }
    (state.fields[claim.id] ||= {})[spec.key] = next;
  });
  return el("label", {}, `${spec.key}${spec.required ? " *" : ""} `, input);
}

function renderClaims() {
  const list = document.getElementById("claims");
  list.replaceChildren();
  for (const claim of state.draft.claims) {
    const card = el("article", { class: "card claim", id: `claim-${claim.id}`,
      style: `--c:${colour(claim.type)}`, "data-id": claim.id });
    const status = claim.draft ? "draft" : "reviewed";
    card.append(el("h3", {}, `${claim.type}: ${claim.id} (${status})`));
    for (const spec of state.draft.types[claim.type] || []) {
      if (spec.key in claim.fields || spec.required) card.append(fieldInput(claim, spec));
    }
    const evidence = el("ul", { class: "evidence" });
    const quotes = state.evidence[claim.id] || claim.evidence.map((e) => e.quote);
    quotes.forEach((q) => evidence.append(el("li", {}, `“${q}”`)));
    card.append(evidence);
    const accept = el("button", { type: "button", class: "accept" }, "Accept");
    const reject = el("button", { type: "button", class: "reject" }, "Reject");
    const replace = el("button", { type: "button", class: "use-selection" },
      "Use selected text as evidence");
    accept.addEventListener("click", () => decide("claim", claim.id, "accept", card));
    reject.addEventListener("click", () => decide("claim", claim.id, "reject", card));
    replace.addEventListener("click", () => {
      const quote = selectionInArticle();
      if (!quote) { message("Select a passage of the article first."); return; }
      state.evidence[claim.id] = [quote];
      renderClaims();
    });
    card.append(accept, reject, replace);
    card.addEventListener("mouseenter", () => focusClaim(claim.id));
    if (state.claims[claim.id]) card.classList.add(state.claims[claim.id]);
    list.append(card);
  }
}

function renderEntities() {
  const list = document.getElementById("entities");
  list.replaceChildren();
  if (!state.draft.entities.length) list.append(el("p", {}, "None."));
  for (const entity of state.draft.entities) {
    const card = el("article", { class: "card entity", "data-id": entity.id });
    card.append(el("h3", {}, `${entity.kind}: ${entity.label} (${entity.id})`));
    if (entity.fields.note) card.append(el("p", {}, entity.fields.note));
    const accept = el("button", { type: "button", class: "accept" }, "Add to the registry");
    const reject = el("button", { type: "button", class: "reject" }, "Reject");
    accept.addEventListener("click", () => decide("entity", entity.id, "accept", card));
    reject.addEventListener("click", () => decide("entity", entity.id, "reject", card));
    card.append(accept, reject);
    list.append(card);
  }
}

function renderUncovered() {
  const list = document.getElementById("uncovered");
  list.replaceChildren();
  for (const s of state.draft.uncovered) list.append(el("li", {}, state.draft.text.slice(s.start, s.end)));
}

function message(text) { document.getElementById("messages").textContent = text; }

async function save() {
  const body = { reviewer: document.getElementById("reviewer").value, claims: state.claims,
    entities: state.entities, fields: state.fields, evidence: state.evidence };
  const response = await fetch("/api/save", { method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "X-Review-Token": state.draft.token } });
  const answer = response.headers.get("content-type").includes("json") ?
    await response.json() : { saved: false, messages: [await response.text()] };
  if (answer.saved) await load();
  message((answer.saved ? "Saved. " : "Not saved. ") + answer.messages.join("\n"));
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("save").addEventListener("click", save);
  document.getElementById("accept-all").addEventListener("click", () => {
    for (const claim of state.draft.claims) if (state.claims[claim.id] === undefined) state.claims[claim.id] = "accept";
    for (const entity of state.draft.entities) if (state.entities[entity.id] === undefined) state.entities[entity.id] = "accept";
    renderClaims(); renderEntities(); renderArticle();
    document.querySelectorAll(".card.entity").forEach((c) => c.classList.add("accept"));
  });
  load();
});
