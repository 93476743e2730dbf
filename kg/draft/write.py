"""Write a draft as an annotation file, in the layout people write by hand
(docs/annotations.md): the document's metadata, the extraction run, the proposed
registry additions, the proposed concepts, the claims — each marked ``draft:`` — and,
as comments, the sentences no claim cites yet."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from kg.claimtypes import DRAFT, EXTRACTION_RUNS, PROPOSED_ENTITIES
from kg.draft.article import DraftClaim, FieldValue, ProposedConcept, ProposedEntity
from kg.draft.text import Sentence

# A plain YAML scalar that every YAML reader gives back unchanged, as text.
_PLAIN = re.compile(r"^[A-Za-z0-9(][^:#\n'\"]*$|^[A-Za-z0-9(][^#\n'\"]*[^:#\n'\" ]$")
_NEEDS_QUOTES = re.compile(r": |\s#|^[-?:,\[\]{}#&*!|>'\"%@`]|[:\s]$|^\s")


def scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain where that is safe, double-quoted with escapes
    when it holds a line break or another control character (a single-quoted scalar
    folds a line break into a space: a quote from a hard-wrapped article would no longer
    be in the text), else single-quoted."""
    if value and not _NEEDS_QUOTES.search(value) and "\n" not in value and _PLAIN.match(value):
        return value
    if any(not c.isprintable() for c in value):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML one
    return "'" + value.replace("'", "''") + "'"


def _value(value: FieldValue | dict[str, str]) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {scalar(v)}" for k, v in value.items()) + "}"
    return scalar(value)


def _evidence(quotes: list[tuple[str, int | None]], indent: str) -> list[str]:
    lines = [f"{indent}evidence:"]
    for quote, occurrence in quotes:
        if occurrence is None:
            lines.append(f"{indent}  - {scalar(quote)}")
        else:
            lines += [f"{indent}  - quote: {scalar(quote)}",
                      f"{indent}    occurrence: {occurrence}"]  # fmt: skip
    return lines


def _concepts(concepts: list[ProposedConcept], run: str) -> list[str]:
    """Concept declarations (docs/annotations.md, "New concepts"), each a draft."""
    lines = ["", "concepts:"]
    for concept in concepts:
        lines += ["", f"  - id: {concept.id}", f"    scheme: {concept.scheme}",
                  f"    label: {scalar(concept.label)}"]  # fmt: skip
        if concept.aliases:
            lines.append(f"    aliases: {_value(concept.aliases)}")
        lines.append(f"    definition: {scalar(concept.definition)}")
        if concept.broader:
            lines.append(f"    broader: {scalar(concept.broader)}")
        if concept.note:
            lines.append(f"    note: {scalar(concept.note)}")
        if concept.evidence:
            lines += _evidence(concept.evidence, "    ")
        lines.append(f"    {DRAFT}: {run}")
    return lines


def render(
    *,
    document: dict[str, str],
    run: dict[str, str],
    entities: Iterable[ProposedEntity],
    claims: Iterable[DraftClaim],
    uncovered: Iterable[Sentence],
    header: str,
    concepts: Iterable[ProposedConcept] = (),
) -> str:
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines += ["", "document:"]
    lines += [f"  {key}: {scalar(value)}" for key, value in document.items()]
    lines += ["", f"{EXTRACTION_RUNS}:"]
    lines += [("  - " if i == 0 else "    ") + f"{k}: {scalar(v)}"
              for i, (k, v) in enumerate(run.items())]  # fmt: skip
    entities = list(entities)
    if entities:
        lines += ["", f"{PROPOSED_ENTITIES}:"]
        for entity in entities:
            lines += ["", f"  - id: {entity.id}", f"    kind: {entity.kind}",
                      f"    label: {scalar(entity.label)}"]  # fmt: skip
            lines += [f"    {k}: {_value(v)}" for k, v in entity.fields.items()]
            if entity.seen_as:
                lines.append(f"    note: {scalar('named in the text as: ' + entity.seen_as)}")
            lines.append(f"    {DRAFT}: {run['id']}")
    concepts = list(concepts)
    if concepts:
        lines += _concepts(concepts, run["id"])
    claims = list(claims)
    lines += ["", "claims:" if claims else "claims: []"]
    for claim in claims:
        lines += ["", f"  - id: {claim.id}", f"    type: {claim.type}"]
        lines += [f"    {k}: {_value(v)}" for k, v in claim.fields.items()]
        if claim.note:
            lines.append(f"    note: {scalar(claim.note)}")
        lines += _evidence(claim.evidence, "    ")
        lines.append(f"    {DRAFT}: {run['id']}")
    uncovered = list(uncovered)
    if uncovered:
        lines += ["", "# Sentences no claim cites yet (the coverage report of kg draft):"]
        lines += [f"#   - {' '.join(s.text.split())}" for s in uncovered]
    return "\n".join(lines) + "\n"
