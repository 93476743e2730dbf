"""The review file ``seeds/wikidata-candidates.yaml``: what ``kg link`` proposes, for a
person to accept or ignore. The build checks it, so an edit that breaks it is caught
with its line, but never takes a Wikidata id from it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from kg import yamlfile
from kg.errors import SeedError
from kg.link.reconcile import Proposal
from kg.seeds import QID_PATTERN
from kg.yamlfile import Mapping, Node, Scalar, Sequence

CANDIDATES_FILE = "wikidata-candidates.yaml"
HEADER = """\
# Wikidata candidates proposed by `kg link` for registry entities without a Wikidata id.
# Nothing here is used by the build. Review each proposal (open the item on Wikidata);
# to accept one, run:  kg link --accept <entity>=<QID>
# which writes the id into registry.yaml and wikidata-verified.tsv.
"""
PROPOSAL_KEYS = ("qid", "label", "description", "score", "reasons")


@dataclass(frozen=True)
class Candidates:
    entity: str
    line: int
    proposals: dict[str, Proposal]  # by QID


def write(path: Path, source: str, found: dict[str, list[Proposal]]) -> None:
    document = {
        "generated": dt.date.today().isoformat(),
        "source": source,
        "candidates": [
            {
                "entity": entity,
                "proposals": [
                    {
                        "qid": p.qid,
                        "label": p.label,
                        "description": p.description,
                        "score": p.score,
                        "reasons": list(p.reasons),
                    }
                    for p in proposals
                ],
            }
            for entity, proposals in sorted(found.items())
        ],
    }
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=96)
    path.write_text(HEADER + text, encoding="utf-8")


def read(path: Path, entity_ids: set[str]) -> dict[str, Candidates]:
    """Read and check the review file; raise SeedError at the first problem."""
    root = yamlfile.load(path)
    if not isinstance(root, Mapping) or not isinstance(root.get("candidates"), Sequence):
        raise SeedError(
            path,
            root.line,
            "has no 'candidates:' list",
            "regenerate it with `kg link`, or delete it",
        )
    items = root.get("candidates")
    assert isinstance(items, Sequence)
    found: dict[str, Candidates] = {}
    for item in items.items:
        entity = _text(path, item, "entity")
        if entity not in entity_ids:
            raise SeedError(
                path,
                item.line,
                f"proposes items for {entity!r}, which is not in registry.yaml",
                "remove this block or regenerate with `kg link`",
            )
        proposals = item.get("proposals") if isinstance(item, Mapping) else None
        if not isinstance(proposals, Sequence):
            raise SeedError(
                path,
                item.line,
                "has a candidate block without 'proposals:'",
                "regenerate the file with `kg link`",
            )
        found[entity] = Candidates(
            entity, item.line, {p.qid: p for p in (_proposal(path, n) for n in proposals.items)}
        )
    return found


def _proposal(path: Path, node: Node) -> Proposal:
    if not isinstance(node, Mapping):
        raise SeedError(
            path,
            node.line,
            "has a proposal that is not a block of keys",
            "regenerate the file with `kg link`",
        )
    for key in node.entries:
        if key not in PROPOSAL_KEYS:
            raise SeedError(
                path,
                node.line_of(key),
                f"has an unknown key {key!r}",
                f"a proposal has {', '.join(PROPOSAL_KEYS)}",
            )
    qid = _text(path, node, "qid")
    if not QID_PATTERN.match(qid):
        raise SeedError(
            path,
            node.line_of("qid"),
            f"has the Wikidata id {qid!r}, which is not Q + digits",
            "write it as Q followed by digits, or regenerate the file",
        )
    try:
        score = float(_text(path, node, "score"))
    except ValueError:
        score = -1.0
    if not 0.0 <= score <= 1.0:
        raise SeedError(
            path,
            node.line_of("score"),
            "has a score that is not between 0 and 1",
            "regenerate the file with `kg link`",
        )
    reasons = node.get("reasons")
    texts = (
        tuple(r.value for r in reasons.items if isinstance(r, Scalar))
        if isinstance(reasons, Sequence)
        else ()
    )
    return Proposal(qid, _text(path, node, "label"), _text(path, node, "description"), score, texts)


def _text(path: Path, node: Node, key: str) -> str:
    value = node.get(key) if isinstance(node, Mapping) else None
    if not isinstance(value, Scalar):
        raise SeedError(
            path,
            node.line,
            f"lacks '{key}:' or has a block there",
            "regenerate the file with `kg link`",
        )
    return value.value
