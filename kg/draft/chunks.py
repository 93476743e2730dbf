"""An article longer than a model's context, in pieces: windows of whole sentences that
overlap by a few sentences (so that a claim whose evidence straddles a boundary is whole
in one of them), and the merge of what the model finds in each.

Each window's evidence quotes are placed in the article by where they are in the window
(an occurrence of the whole article, so a quote repeated elsewhere still points at the
right place). A claim found again in a later window — same type, same evidence spans,
same words — is the same claim: it is dropped and whatever names it is pointed at the
first. A new claim whose id is taken gets a fresh one, and the claims of its window
that name it follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.draft.article import DraftClaim, Extraction, FieldValue, ProposedConcept, ProposedEntity
from kg.draft.ids import Ids
from kg.draft.text import Sentence
from kg.draft.verify import cite, locate
from kg.evidence import QuoteNotFound, SourceText

OVERLAP_SENTENCES = 2


@dataclass(frozen=True)
class Window:
    """Characters ``start``..``end`` of the article: whole sentences."""

    start: int
    end: int
    text: str
    number: int  # from 1
    total: int


def windows(text: str, sentences: list[Sentence], limit: int,
            overlap: int = OVERLAP_SENTENCES) -> list[Window]:  # fmt: skip
    """Windows of whole sentences of at most ``limit`` characters (a longer sentence is a
    window of its own), each beginning ``overlap`` sentences before the previous one
    ended."""
    if len(text) <= limit or not sentences:
        return [Window(0, len(text), text, 1, 1)]
    spans: list[tuple[int, int]] = []
    first = 0
    while first < len(sentences):
        last = first
        while (last + 1 < len(sentences)
               and sentences[last + 1].end - sentences[first].start <= limit):  # fmt: skip
            last += 1
        spans.append((first, last))
        if last == len(sentences) - 1:
            break
        first = max(last + 1 - overlap, first + 1)
    found = []
    for number, (first, last) in enumerate(spans, 1):
        start, end = sentences[first].start, sentences[last].end
        found.append(Window(start, end, text[start:end], number, len(spans)))
    return found


@dataclass
class Merge:
    """The claims, entities and concepts of the windows so far, without repeats."""

    text: str
    taken: frozenset[str]
    claims: list[DraftClaim] = field(default_factory=list)
    entities: list[ProposedEntity] = field(default_factory=list)
    concepts: list[ProposedConcept] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _seen: dict[tuple[object, ...], str] = field(default_factory=dict)

    def add(self, window: Window, found: Extraction) -> None:
        """What the model found in ``window``, placed in the article and merged."""
        ids = Ids(self.taken | {c.id for c in self.claims} | {e.id for e in self.entities})
        renamed: dict[str, str] = {}
        known = {e.id: e for e in self.entities}
        for entity in found.entities:
            same = known.get(entity.id) or next(
                (e for e in self.entities if (e.kind, e.label) == (entity.kind, entity.label)),
                None,
            )
            if same is not None:
                renamed[entity.id] = same.id
            else:
                self.entities.append(entity)
                known[entity.id] = entity
        concepts = {(c.scheme, c.id) for c in self.concepts}
        for concept in found.concepts:
            if (concept.scheme, concept.id) not in concepts:
                concept.evidence = [self._place(window, q) for q, _ in concept.evidence]
                self.concepts.append(concept)
        kept = []
        for claim in found.claims:
            claim.evidence = [self._place(window, quote) for quote, _ in claim.evidence]
            key = (claim.type, tuple(claim.evidence), str(claim.fields.get("words", "")))
            if key in self._seen:
                renamed[claim.id] = self._seen[key]
                continue
            if claim.id in ids.taken:
                fresh = ids.new(claim.id, f"part {window.number}")
                renamed[claim.id] = fresh
                claim.id = fresh
            ids.taken.add(claim.id)
            self._seen[key] = claim.id
            kept.append(claim)
        for claim in kept:
            claim.fields = {k: _renamed(v, renamed) for k, v in claim.fields.items()}
        self.claims += kept
        self.problems += [f"part {window.number} of {window.total}: {p}" for p in found.problems]

    def _place(self, window: Window, quote: str) -> tuple[str, int | None]:
        """A quote of the window as it is in the article, with its occurrence there when
        it occurs more than once (the model's own quote when the window lacks it)."""
        try:
            found = locate(SourceText(window.text), quote)
        except QuoteNotFound:
            return quote, None
        at = SourceText(window.text).locate(found.quote, found.occurrence).start
        return cite(self.text, found.quote, window.start + at)

    def known(self) -> str:
        """What earlier windows drafted, for the next request: ids it may name."""
        lines = [f"- {c.id} ({c.type}): {c.fields.get('label', '')}".rstrip(": ")
                 for c in self.claims]  # fmt: skip
        lines += [f"- {e.id} ({e.kind}, proposed): {e.label}" for e in self.entities]
        return "\n".join(lines)


def _renamed(value: FieldValue, renamed: dict[str, str]) -> FieldValue:
    if isinstance(value, str):
        return renamed.get(value, value)
    if isinstance(value, dict):
        return {k: renamed.get(v, v) if k == "from" else v for k, v in value.items()}
    if all(isinstance(v, str) for v in value):
        return [renamed.get(v, v) for v in value if isinstance(v, str)]
    return value
