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
from kg.errors import SeedError


@dataclass
class Decisions:
    """What the reviewer decided: per claim and proposed entity id, ``accept``,
    ``reject`` or nothing (still a draft); new field values and evidence quotes."""

    reviewer: str
    claims: dict[str, str] = field(default_factory=dict)
    entities: dict[str, str] = field(default_factory=dict)
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    evidence: dict[str, list[str]] = field(default_factory=dict)


def _yaml() -> YAML:
    yaml = YAML()  # round-trip
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long quote
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def read(path: Path) -> Any:
    return _yaml().load(path.read_text(encoding="utf-8"))


def apply(annotation: Path, registry: Path, decisions: Decisions) -> None:
    """Write the decisions into ``annotation`` (and accepted entities into ``registry``)."""
    if not decisions.reviewer.strip() and (
        "accept" in decisions.claims.values() or "accept" in decisions.entities.values()
    ):
        raise SeedError(annotation, None, "cannot record an approval without a name",
                        "give your name as the reviewer")  # fmt: skip
    data = read(annotation)
    claims: CommentedSeq = data.get("claims") or CommentedSeq()
    for item in list(claims):
        claim_id = str(item.get("id"))
        if claim_id in decisions.fields:
            for key, value in decisions.fields[claim_id].items():
                if value in ("", None, []):
                    item.pop(key, None)
                else:
                    item[key] = value
        if claim_id in decisions.evidence:
            item["evidence"] = CommentedSeq(decisions.evidence[claim_id])
        decision = decisions.claims.get(claim_id)
        if decision == "reject":
            claims.remove(item)
        elif decision == "accept" and DRAFT in item:
            _approve(item, decisions.reviewer)
    proposed: CommentedSeq | None = data.get(PROPOSED_ENTITIES)
    accepted = []
    for item in list(proposed or []):
        decision = decisions.entities.get(str(item.get("id")))
        if decision in ("accept", "reject"):
            proposed.remove(item)  # type: ignore[union-attr]
        if decision == "accept":
            item.pop(DRAFT, None)
            accepted.append(item)
    if proposed is not None and not proposed:
        del data[PROPOSED_ENTITIES]
    if accepted:
        _append_entities(registry, accepted)
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    annotation.write_text(buffer.getvalue(), encoding="utf-8")


def _approve(item: CommentedMap, reviewer: str) -> None:
    """``draft: RUN`` becomes ``drafted in: RUN`` and ``approved by: NAME``, in place."""
    position = list(item).index(DRAFT)
    run = item.pop(DRAFT)
    item.insert(position, DRAFTED_IN, run)
    item.insert(position + 1, APPROVED_BY, reviewer.strip())


def _append_entities(registry: Path, entities: list[CommentedMap]) -> None:
    data = read(registry)
    for entity in entities:
        data["entities"].append(entity)
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    registry.write_text(buffer.getvalue(), encoding="utf-8")
