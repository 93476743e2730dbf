"""Accept a reviewed candidate: the one explicit step that links an entity.

The Wikidata id goes into ``registry.yaml`` (a ``wikidata:`` line under the entity's
label, the rest of the file untouched) and into ``wikidata-verified.tsv`` with the date
and the candidate it came from; the next build links it with ``owl:sameAs``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kg import seeds as seeds_module
from kg.errors import LinkError
from kg.link import candidates as review
from kg.link.reconcile import reconcilable
from kg.seeds import QID_PATTERN, VERIFIED_QIDS_FILE


def accept(seeds_dir: Path, entity_id: str, qid: str) -> str:
    """Link ``entity_id`` to ``qid``; returns a sentence saying what was written."""
    if not QID_PATTERN.match(qid):
        raise LinkError(f"{qid!r} is not a Wikidata id: write Q followed by digits")
    seeds = seeds_module.load(seeds_dir)
    entities = {e.id: e for e in seeds.entities}
    entity = entities.get(entity_id)
    if entity is None:
        raise LinkError(f"there is no entity {entity_id!r} in {seeds.registry_path}")
    if entity.wikidata:
        raise LinkError(
            f"{entity_id} is already linked to {entity.wikidata}; remove that line "
            f"from {seeds.registry_path} first if it is wrong"
        )
    if not reconcilable(entity):
        raise LinkError(f"{entity_id} is a {entity.kind.name}, which is not linked to Wikidata")
    if other := next((e.id for e in seeds.entities if e.wikidata == qid), None):
        raise LinkError(f"{qid} is already the Wikidata id of {other!r}: one item, one entity")
    path = seeds_dir / review.CANDIDATES_FILE
    proposed = review.read(path, set(entities)) if path.exists() else {}
    proposal = proposed[entity_id].proposals.get(qid) if entity_id in proposed else None
    if proposal is None:
        raise LinkError(
            f"{qid} was not proposed for {entity_id} in {path}: run `kg link` and "
            "review its proposals first"
        )
    _insert_wikidata_line(seeds.registry_path, entity.line_of("label"), qid)
    today = dt.date.today().isoformat()
    with (seeds_dir / VERIFIED_QIDS_FILE).open("a", encoding="utf-8") as handle:
        handle.write(
            f"{entity.label}\t{qid}\taccepted with kg link on {today}: "
            f"{proposal.label}, {proposal.description or 'no description'}\n"
        )
    return f"linked {entity_id} to {qid} ({proposal.label}); run `kg build` to publish it"


def _insert_wikidata_line(registry: Path, label_line: int, qid: str) -> None:
    lines = registry.read_text(encoding="utf-8").splitlines(keepends=True)
    label = lines[label_line - 1]
    indent = label[: len(label) - len(label.lstrip())].replace("-", " ")
    lines.insert(label_line, f"{indent}wikidata: {qid}\n")
    registry.write_text("".join(lines), encoding="utf-8")
