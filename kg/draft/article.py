"""What an extractor is given and what it gives back; the interface both extractors
implement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from kg.draft.ids import Ids as Ids
from kg.draft.ids import slug as slug
from kg.draft.text import Sentence
from kg.namespaces import Namespaces
from kg.seeds import Entity
from kg.vocabulary import ConceptIndex

FieldValue = str | list[str] | dict[str, str] | list[dict[str, str]]


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
    concepts: ConceptIndex  # the ontology's concepts and those declared in the seeds
    taken_ids: frozenset[str]  # ids used anywhere in the seeds
    ns: Namespaces


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
class ProposedConcept:
    """A concept declaration (docs/annotations.md, "New concepts") for a concept the
    schemes lack: an unknown channel, the issue of a position. It stays a draft until a
    person reviews it, like a proposed entity."""

    id: str
    scheme: str
    label: str
    definition: str
    evidence: list[tuple[str, int | None]] = field(default_factory=list)
    broader: str = ""
    aliases: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class Extraction:
    """What one extractor run found."""

    extractor: str  # "rules" or "model"
    claims: list[DraftClaim]
    entities: list[ProposedEntity]
    model: str | None = None
    prompt_hash: str | None = None
    problems: list[str] = field(default_factory=list)  # what verification dropped, and why
    concepts: list[ProposedConcept] = field(default_factory=list)


class Extractor(Protocol):
    name: str

    def extract(self, article: Article) -> Extraction: ...
