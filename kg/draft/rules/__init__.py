"""The rule-based extractor: claims found without guessing, from the registry, the
sentences, the dates, the titles and the quotations of an article (kg/draft/text.py,
dates.py, agents.py, quotes.py).

Each rule drafts one kind of claim and cites the words that state it: the negotiation
and its rounds (events.py), who takes part and as what (parties.py), outcomes,
commitments, positions and moves (results.py), what was said (speech.py), and the
events around the talks (context.py). A claim is drafted only when the text fills its
required fields; a concept the schemes lack (a channel, an issue) is proposed as a
declaration for the reviewer; a sentence no rule understands is left for the reviewer
(the coverage report lists it).
"""

from __future__ import annotations

from kg.draft.agents import find_agents
from kg.draft.article import Article, DraftClaim, Extraction, Ids, ProposedEntity
from kg.draft.dates import find_dates
from kg.draft.quotes import find_quotations
from kg.draft.rules import context, events, parties, results, speech
from kg.draft.rules.draft import Draft


class RuleExtractor:
    """Drafts claims with patterns, the registry, sentencex, dateparser and number-parser."""

    name = "rules"

    def extract(self, article: Article) -> Extraction:
        ids = Ids(article.taken_ids)
        agents = find_agents(article, ids)
        draft = Draft(
            article,
            ids,
            agents.mentions,
            agents.titles,
            agents.proposed,
            find_dates(article.text, article.date, article.sentences),
            find_quotations(article.text, article.sentences, agents.mentions),
        )
        process = events.negotiation(draft)
        if process is not None:
            events.rounds(draft, process)
            parties.participants(draft, process)
        parties.titles(draft, process)
        parties.meetings(draft, process)
        parties.note_exchanges(draft)
        if process is not None:
            results.outcomes(draft)
            results.commitments(draft)
            results.positions(draft, process)
            results.actions(draft, process)
        speech.statements(draft)
        speech.described_as(draft)
        speech.reported_speech(draft)
        if process is not None:
            context.interruptions(draft, process)
            context.context(draft, process)
        claims = sorted(draft.claims, key=lambda c: _first(article.text, c))
        return Extraction(self.name, claims, _used(agents.proposed, draft.claims),
                          concepts=draft.concepts)  # fmt: skip


def _first(text: str, claim: DraftClaim) -> int:
    """Where a claim's evidence begins: claims are written in the order of the article."""
    return min((text.find(quote) for quote, _ in claim.evidence if quote in text), default=0)


def _used(proposed: list[ProposedEntity], claims: list[DraftClaim]) -> list[ProposedEntity]:
    """Every proposal: those the claims name first, then the others."""
    named = {str(v) for c in claims for v in c.fields.values() if isinstance(v, str)}
    return sorted(proposed, key=lambda p: p.id not in named)
