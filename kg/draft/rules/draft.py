"""The state of one rule-based run: what the article is made of (mentions, titles,
dates, quotations), the claims and concepts drafted so far, and the lookups the rules
share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.draft.agents import AgentMention, Title
from kg.draft.article import Article, DraftClaim, FieldValue, Ids, ProposedConcept, ProposedEntity
from kg.draft.dates import DateMention
from kg.draft.ids import slug
from kg.draft.quantities import find_quantities
from kg.draft.quotes import Quotation
from kg.draft.text import Sentence
from kg.draft.verify import cite

# The note of a concept the drafter cut from the text.
REWORD = ("Drafted from the words of the text: give it a general label, a definition of your "
          "own and the concept it narrows under 'broader'.")  # fmt: skip
# What a claim cites: a sentence, or a quote and where it starts in the text.
Quote = Sentence | tuple[str, int]


@dataclass
class Draft:
    """The claims of one run so far, and what they are made of."""

    article: Article
    ids: Ids
    agents: list[AgentMention]
    titles: list[Title]
    proposed: list[ProposedEntity]
    dates: list[DateMention]
    quotations: list[Quotation]
    claims: list[DraftClaim] = field(default_factory=list)
    concepts: list[ProposedConcept] = field(default_factory=list)
    # Claims found again by what made them: (kind, start, end) of a phrase of the text.
    spans: dict[tuple[str, int, int], DraftClaim] = field(default_factory=dict)

    def add(self, name: str, type_: str, fields: dict[str, FieldValue], *quotes: Quote,
            note: str = "", qualifiers: Iterable[str] = ()) -> DraftClaim:  # fmt: skip
        """A new claim citing ``quotes`` (a sentence, or a quote and where it starts); its
        id made from ``name`` (see kg/draft/ids.py)."""
        claim = DraftClaim(self.ids.new(name, *qualifiers), type_, fields,
                           [self.cite(q) for q in quotes], note)  # fmt: skip
        self.claims.append(claim)
        return claim

    def cite(self, quote: Quote) -> tuple[str, int | None]:
        """An evidence item, with its occurrence when the text holds it more than once."""
        if isinstance(quote, Sentence):
            return cite(self.article.text, quote.text, quote.start)
        return cite(self.article.text, *quote)

    def of_type(self, *types: str) -> list[DraftClaim]:
        return [c for c in self.claims if c.type in types]

    def label(self, id_: str) -> str:
        """The label of an entity or a drafted claim, for the labels of others."""
        entity = next((e for e in self.article.entities if e.id == id_), None)
        if entity is not None:
            return entity.label
        proposal = next((p for p in self.proposed if p.id == id_), None)
        if proposal is not None:
            return proposal.label
        claim = next((c for c in self.claims if c.id == id_), None)
        return str(claim.fields.get("label", id_)) if claim else id_

    def in_sentence(self, sentence: Sentence, *kinds: str) -> list[AgentMention]:
        return [a for a in self.agents if sentence.start <= a.start < sentence.end
                and (not kinds or a.kind in kinds)]  # fmt: skip

    def dates_in(self, sentence: Sentence) -> list[DateMention]:
        return [d for d in self.dates if sentence.start <= d.start < sentence.end]

    def quantities_in(self, sentence: Sentence, start: int = 0, end: int | None = None
                      ) -> list[dict[str, str]]:  # fmt: skip
        """The quantities of a sentence (between offsets ``start`` and ``end`` of the
        text, when given), as quantity blocks."""
        skip = [(d.start, d.end) for d in self.dates_in(sentence)]
        end = sentence.end if end is None else end
        return [q.fields for q in find_quantities(sentence, self.article.concepts, skip)
                if start <= q.start and q.end <= end]  # fmt: skip

    def sentence_of(self, at: int) -> Sentence | None:
        return next((s for s in self.article.sentences if s.start <= at < s.end), None)

    def concept(self, scheme: str, name: str) -> str | None:
        """The slug of the concept ``name`` names in ``scheme``: one the seeds know, or one
        this draft proposes."""
        found = self.article.concepts.find(scheme, name)
        if found is not None:
            return str(found).rsplit("/", 1)[-1]
        key = slug(name)
        for concept in self.concepts:
            names = (concept.id, slug(concept.label), *(slug(a) for a in concept.aliases))
            if concept.scheme == scheme and key in names:
                return concept.id
        return None

    def propose_concept(self, scheme: str, label: str, definition: str, quote: Quote,
                        broader: str = "", note: str = "") -> str:  # fmt: skip
        """The slug of ``label`` in ``scheme``, proposing a declaration if it is new."""
        known = self.concept(scheme, label)
        if known is not None:
            return known
        taken = set(self.article.concepts.slugs(scheme)) | {c.id for c in self.concepts}
        concept = ProposedConcept(Ids(frozenset(taken)).new(label), scheme, label, definition,
                                  [self.cite(quote)], broader, note=note)  # fmt: skip
        self.concepts.append(concept)
        return concept.id

    def rounds(self, status: str | None = None) -> list[DraftClaim]:
        """Drafted rounds by number (and order of drafting), perhaps of one status."""
        rounds = [c for c in self.of_type("round")
                  if status is None or c.fields.get("status") == status]  # fmt: skip
        return sorted(rounds, key=lambda c: int(str(c.fields.get("number", 0)) or 0))

    def latest_round(self) -> DraftClaim | None:
        """The last round held: the one an article about talks is mostly about."""
        held = self.rounds("held")
        dated = [c for c in held if c.fields.get("date")]
        return (dated or held)[-1] if held else None

    def parties(self) -> list[str]:
        """The negotiating parties drafted so far."""
        return [str(c.fields["agent"]) for c in self.of_type("participation")
                if "negotiating-party" in c.fields.get("roles", [])]  # fmt: skip

    def delegations(self) -> list[DraftClaim]:
        return self.of_type("delegation")


def unique(items: Iterable[str]) -> list[str]:
    """``items`` without repeats, in order."""
    return list(dict.fromkeys(items))


def clause(text: str, limit: int = 90) -> str:
    """``text`` made into a label: one line, at most ``limit`` characters, cut at a word."""
    text = " ".join(text.split()).rstrip(".;, ")
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "\u2026"


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
