"""Apply review decisions to an annotation file with ruamel.yaml's round-trip mode,
which keeps comments, key order and the layout of everything not changed; accepted
registry additions are appended to registry.yaml the same way."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from kg.claimtypes import APPROVED_BY, DRAFT, DRAFTED_IN, PROPOSED_ENTITIES
from kg.draft.verify import cite
from kg.errors import SeedError


@dataclass
class Decisions:
    """What the reviewer decided: per claim, proposed entity and proposed concept id,
    ``accept``, ``reject`` or nothing (still a draft); new field values of each, and
    evidence quotes (a quote, or a quote and where the selection started, so that a
    quote the text holds more than once is saved with its occurrence)."""

    reviewer: str
    claims: dict[str, str] = field(default_factory=dict)
    entities: dict[str, str] = field(default_factory=dict)
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    evidence: dict[str, list[Any]] = field(default_factory=dict)
    concepts: dict[str, str] = field(default_factory=dict)
    entity_fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    concept_fields: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, payload: Any) -> Decisions:
        """The page's JSON; TypeError or AttributeError when it is not that."""
        tables = ("claims", "entities", "fields", "evidence", "concepts", "entity_fields",
                  "concept_fields")  # fmt: skip
        found = {name: {} if payload.get(name) is None else payload[name] for name in tables}
        if not all(isinstance(table, dict) for table in found.values()):
            raise TypeError("every table of decisions is a JSON object")
        return cls(str(payload.get("reviewer", "")), **found)


def _yaml() -> YAML:
    yaml = YAML()  # round-trip
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long quote
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def read(path: Path) -> Any:
    return _yaml().load(path.read_text(encoding="utf-8"))


def plain(value: Any) -> Any:
    """What ``read`` gives, as plain data: dicts, lists and strings."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return str(value)


def apply(annotation: Path, registry: Path, decisions: Decisions, text: str) -> None:
    """Write the decisions into ``annotation`` (and accepted entities into ``registry``);
    ``text`` is the document's, where new evidence is placed."""
    accepting = (decisions.claims, decisions.entities, decisions.concepts)
    if not decisions.reviewer.strip() and any("accept" in t.values() for t in accepting):
        raise SeedError(annotation, None, "cannot record an approval without a name",
                        "give your name as the reviewer")  # fmt: skip
    data = read(annotation)
    claims: CommentedSeq = data.get("claims") or CommentedSeq()
    for item in list(claims):
        claim_id = str(item.get("id"))
        _set(item, decisions.fields.get(claim_id, {}))
        if claim_id in decisions.evidence:
            item["evidence"] = _evidence(decisions.evidence[claim_id], text)
        decision = decisions.claims.get(claim_id)
        if decision == "reject":
            claims.remove(item)
        elif decision == "accept" and DRAFT in item:
            _approve(item, decisions.reviewer)
    proposed: CommentedSeq | None = data.get(PROPOSED_ENTITIES)
    accepted = []
    for item in list(proposed or []):
        entity_id = str(item.get("id"))
        _set(item, decisions.entity_fields.get(entity_id, {}))
        decision = decisions.entities.get(entity_id)
        if decision in ("accept", "reject"):
            proposed.remove(item)  # type: ignore[union-attr]
        if decision == "accept":
            _undraft(item)
            accepted.append(item)
    if proposed is not None and not proposed:
        del data[PROPOSED_ENTITIES]
    _review_concepts(data, decisions)
    if accepted:
        _append_entities(registry, accepted)
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    annotation.write_text(buffer.getvalue(), encoding="utf-8")


def _set(item: CommentedMap, values: dict[str, Any]) -> None:
    """New values of an item's keys; an empty value removes the key."""
    for key, value in values.items():
        if key in ("id", DRAFT, DRAFTED_IN, APPROVED_BY):
            continue  # never through a field edit
        if value in ("", None, []):
            item.pop(key, None)
        elif key not in item and DRAFT in item:  # a new key goes before draft:, kept last
            item.insert(list(item).index(DRAFT), key, value)
        else:
            item[key] = value


def _evidence(quotes: list[Any], text: str) -> CommentedSeq:
    """Evidence items: a quote the text holds once as it is; one it holds more than once
    with the occurrence where the reviewer selected it."""
    items = CommentedSeq()
    for quote in quotes:
        if isinstance(quote, dict):
            words, start = str(quote.get("quote", "")), quote.get("start")
            found = cite(text, words, int(start)) if isinstance(start, int) else (words, None)
        else:
            found = (str(quote), None)
        if found[1] is None:
            items.append(found[0])
        else:
            items.append(CommentedMap([("quote", found[0]), ("occurrence", found[1])]))
    return items


def _review_concepts(data: CommentedMap, decisions: Decisions) -> None:
    """Proposed concepts: edited, accepted (their ``draft:`` removed) or rejected."""
    concepts: CommentedSeq | None = data.get("concepts")
    for item in list(concepts or []):
        concept_id = str(item.get("id"))
        _set(item, decisions.concept_fields.get(concept_id, {}))
        decision = decisions.concepts.get(concept_id)
        if decision == "reject" and DRAFT in item:
            concepts.remove(item)  # type: ignore[union-attr]
        elif decision == "accept" and DRAFT in item:
            _undraft(item)
    if concepts is not None and not concepts:
        del data["concepts"]


def _approve(item: CommentedMap, reviewer: str) -> None:
    """``draft: RUN`` becomes ``drafted in: RUN`` and ``approved by: NAME``, in place,
    with the blank line or comment that followed it."""
    position = list(item).index(DRAFT)
    after = item.ca.items.pop(DRAFT, None)
    run = item.pop(DRAFT)
    item.insert(position, DRAFTED_IN, run)
    item.insert(position + 1, APPROVED_BY, reviewer.strip())
    if after is not None:
        item.ca.items[APPROVED_BY] = after


def _undraft(item: CommentedMap) -> None:
    """Remove ``draft:``; the blank line or comment after it goes to the key now last
    (or to the last quote of its list)."""
    after = item.ca.items.pop(DRAFT, None)
    last = list(item)[-1] == DRAFT
    item.pop(DRAFT, None)
    if after is None or not last or not item:
        return
    key = list(item)[-1]
    value = item[key]
    if isinstance(value, CommentedSeq) and value and not isinstance(value[-1], CommentedMap):
        if len(value) - 1 not in value.ca.items:  # after the list's last quote
            value.ca.items[len(value) - 1] = [after[2], None]
    elif not isinstance(value, (CommentedSeq, CommentedMap)) and key not in item.ca.items:
        item.ca.items[key] = after


def _append_entities(registry: Path, entities: list[CommentedMap]) -> None:
    data = read(registry)
    for entity in entities:
        data["entities"].append(entity)
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    registry.write_text(buffer.getvalue(), encoding="utf-8")
