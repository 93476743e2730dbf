"""What an extractor is given and what it gives back; the interface both extractors
implement."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Protocol

from kg.draft.text import Sentence
from kg.seeds import Entity
from kg.vocabulary import ConceptIndex

FieldValue = str | list[str] | dict[str, str]


@dataclass(frozen=True)
class Article:
    """A source document to draft, with what is already known."""

    slug: str
    text: str
    language: str
    date: dt.date | None  # the events date, when the text states one
    date_wording: str | None
    sentences: list[Sentence]
    entities: tuple[Entity, ...]  # the registry
    concepts: ConceptIndex
    taken_ids: frozenset[str]  # ids used anywhere in the seeds


@dataclass
class DraftClaim:
    """A claim as an extractor proposes it: type, fields as YAML values, evidence quotes
    (each a quote and, when it occurs more than once, which occurrence)."""

    id: str
    type: str
    fields: dict[str, FieldValue]
    evidence: list[tuple[str, int | None]]
    note: str = ""


@dataclass
class ProposedEntity:
    """A registry addition: an entity the text names that the registry lacks."""

    id: str
    kind: str
    label: str
    fields: dict[str, FieldValue] = field(default_factory=dict)
    seen_as: str = ""  # the words of the text that name it


@dataclass
class Extraction:
    """What one extractor run found."""

    extractor: str  # "rules" or "model"
    claims: list[DraftClaim]
    entities: list[ProposedEntity]
    model: str | None = None
    prompt_hash: str | None = None
    problems: list[str] = field(default_factory=list)  # what verification dropped, and why


class Extractor(Protocol):
    name: str

    def extract(self, article: Article) -> Extraction: ...


def slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())) or "claim"


class Ids:
    """Fresh ids: a slug, suffixed with -2, -3... when taken in the seeds or this draft."""

    def __init__(self, taken: frozenset[str]) -> None:
        self.taken = set(taken)

    def new(self, text: str) -> str:
        base = slug(text)[:60].strip("-")
        candidate, n = base, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{base}-{n}"
        self.taken.add(candidate)
        return candidate
