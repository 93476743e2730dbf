"""What the rest of the seeds needs of a document it does not compile: its interface.

Compiling one document looks up the others (kg/lookups.py): the kind of each id,
labels, dates, declared concepts. An unchanged document need not be read again for
that: the build cache keeps its interface (every record's id, type and line, the
fields its label is made of and its date; its runs; its concept declarations in full)
and rebuilds from it a document that answers those lookups as the document itself
would, without its text, evidence or other fields. A document with unreviewed drafts
(claims or concepts) or proposed registry entries is always read in full (the build
refuses it, naming each one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.claimtypes import CLAIM_TYPES_BY_NAME, CONCEPT_SCHEMES_BY_NAME
from kg.seeds import Claim, ConceptDeclaration, Document, Run
from kg.yamlfile import Node, Scalar, from_plain, to_plain

KEPT = frozenset({"label", "date"})  # besides the fields of a label template


def reusable(document: Document) -> bool:
    """Whether the interface of ``document`` can stand for it in a build."""
    return not (
        document.proposed
        or any(claim.unreviewed for claim in document.claims)
        or any(concept.unreviewed for concept in document.concepts)
    )


def interface(document: Document) -> dict[str, Any]:
    """The interface of ``document`` as JSON (see the module's docstring)."""
    return {
        "slug": document.slug,
        "text": str(document.text_path),
        "annotation": str(document.annotation_path),
        "metadata line": document.metadata_line,
        "claims line": document.claims_line,
        "claims": [_claim(claim) for claim in document.claims],
        "runs": [[run.id, run.line] for run in document.runs],
        "concepts": [
            [c.id, c.scheme.name, c.line, {k: to_plain(v) for k, v in c.values.items()}]
            for c in document.concepts
        ],
    }


def _claim(claim: Claim) -> list[Any]:
    kept = KEPT | claim.type.label_keys
    values = {k: to_plain(v) for k, v in claim.values.items() if k in kept}
    return [claim.id, claim.type.name, claim.line, values]


def document_of(plain: dict[str, Any]) -> Document:
    """The document an interface stands for; KeyError or ValueError when ``plain`` is
    not one written by :func:`interface`."""
    slug, path = str(plain["slug"]), Path(plain["annotation"])
    claims = tuple(
        Claim(claim_id, {k: _node(v) for k, v in values.items()}, path, line,
              CLAIM_TYPES_BY_NAME[type_name], (), slug)
        for claim_id, type_name, line, values in plain["claims"]
    )  # fmt: skip
    runs = tuple(Run(str(run_id), {}, path, int(line)) for run_id, line in plain["runs"])
    concepts = tuple(
        ConceptDeclaration(str(concept_id), {str(k): from_plain(v) for k, v in values.items()},
                           path, int(line), CONCEPT_SCHEMES_BY_NAME[scheme], slug, ())
        for concept_id, scheme, line, values in plain["concepts"]
    )  # fmt: skip
    return Document(
        slug, Path(plain["text"]), path, "", {}, int(plain["metadata line"]), claims, runs,
        concepts, (), int(plain["claims line"]),
    )  # fmt: skip


def _node(plain: list[Any]) -> Node:
    """A value: most are one line of text, made here without :func:`from_plain`'s checks."""
    if plain[0] == "s" and len(plain) == 3 and isinstance(plain[2], str):
        return Scalar(plain[2], plain[1])
    return from_plain(plain)
