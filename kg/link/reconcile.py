"""Propose Wikidata items for registry entities that have none, ranked by how well
label, aliases and type match. Proposals are for a person to review: nothing here
writes a Wikidata id into the registry."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kg.link.api import WikidataApi
from kg.seeds import Entity

# Kinds worth reconciling, and the English labels of "instance of" (P31) values that
# fit each. Matching by label keeps class ids out of the code: no id is guessed.
FITTING_TYPES: dict[str, frozenset[str]] = {
    "person": frozenset({"human"}),
    "state": frozenset({"country", "sovereign state", "state", "islamic republic"}),
    "city": frozenset(
        {
            "city",
            "big city",
            "capital city",
            "million city",
            "largest city",
            "human settlement",
            "port settlement",
            "capital",
        }
    ),
    "organisation": frozenset(
        {
            "organization",
            "international organization",
            "ministry",
            "government agency",
            "intergovernmental organization",
            "public body",
            "agency",
            "government",
            "administration",
        }
    ),
    "office": frozenset(
        {
            "position",
            "public office",
            "political office",
            "office",
            "government position",
            "diplomatic rank",
            "minister",
        }
    ),
    "place": frozenset(
        {
            "building",
            "embassy",
            "diplomatic mission",
            "strait",
            "region",
            "geographic region",
            "place",
            "mission",
        }
    ),
    "website": frozenset(
        {"website", "social networking service", "online service", "microblogging service"}
    ),
}
MINIMUM_SCORE = 0.1  # weak candidates are shown, with the reasons they are weak
PROPOSALS_PER_ENTITY = 5


@dataclass(frozen=True)
class Proposal:
    qid: str
    label: str
    description: str
    score: float
    reasons: tuple[str, ...]


def reconcilable(entity: Entity) -> bool:
    return entity.wikidata is None and entity.kind.name in FITTING_TYPES


def propose(api: WikidataApi, entity: Entity, context: Iterable[str] = ()) -> list[Proposal]:
    """Ranked candidates for ``entity``; ``context`` holds labels (such as its country)
    whose mention in a candidate's description makes it likelier."""
    found: dict[str, dict[str, Any]] = {}
    for name in (entity.label, *entity.aliases):
        for hit in api.search(name):
            found.setdefault(str(hit["id"]), hit)
    if not found:
        return []
    items = api.entities(found, props="claims")
    type_ids = {v for item in items.values() for v in _values(item, "P31")}
    type_labels = (
        {qid: _label(item) for qid, item in api.entities(type_ids, props="labels").items()}
        if type_ids
        else {}
    )
    proposals = []
    for qid, hit in found.items():
        types = [type_labels.get(t, t) for t in _values(items.get(qid, {}), "P31")]
        proposal = _score(entity, qid, hit, types, [c.lower() for c in context])
        if proposal.score >= MINIMUM_SCORE:
            proposals.append(proposal)
    proposals.sort(key=lambda p: (-p.score, p.qid))
    return proposals[:PROPOSALS_PER_ENTITY]


def _score(
    entity: Entity, qid: str, hit: dict[str, Any], types: list[str], context: list[str]
) -> Proposal:
    label = str(hit.get("label", ""))
    description = str(hit.get("description", ""))
    names = {n.casefold() for n in (entity.label, *entity.aliases)}
    candidate_names = {label.casefold(), *(str(a).casefold() for a in hit.get("aliases", []))}
    reasons: list[str] = []
    if label.casefold() == entity.label.casefold():
        score = 0.6
        reasons.append("its label is the entity's label")
    elif names & candidate_names:
        score = 0.45
        reasons.append(f"label or alias {sorted(names & candidate_names)[0]!r} matches")
    else:
        ratio = difflib.SequenceMatcher(None, label.casefold(), entity.label.casefold()).ratio()
        score = 0.4 * ratio
        reasons.append(f"label {label!r} is {ratio:.0%} similar")
    fitting = FITTING_TYPES[entity.kind.name]
    if any(t.casefold() in fitting for t in types):
        score += 0.3
        reasons.append(f"instance of {', '.join(types)}: fits a {entity.kind.name}")
    elif types:
        score -= 0.3
        reasons.append(f"instance of {', '.join(types)}: not a {entity.kind.name}")
    else:
        reasons.append("its type is unknown")
    mentioned = [c for c in context if c and c in description.lower()]
    if mentioned:
        score += 0.1
        reasons.append(f"description mentions {mentioned[0]}")
    return Proposal(qid, label, description, round(max(0.0, min(1.0, score)), 2), tuple(reasons))


def _values(item: dict[str, Any], prop: str) -> list[str]:
    """Item ids a statement points to (Wikibase JSON: claims → mainsnak → datavalue)."""
    ids = []
    for claim in item.get("claims", {}).get(prop, []):
        value = claim.get("mainsnak", {}).get("datavalue", {}).get("value")
        if isinstance(value, dict) and "id" in value:
            ids.append(str(value["id"]))
    return ids


def _label(item: dict[str, Any], language: str = "en") -> str:
    label = item.get("labels", {}).get(language, {})
    return str(label.get("value", item.get("id", "")))
