"""The rule-based extractor: claims found without guessing, from the registry, the
sentences, the dates and the quotations of an article (see :mod:`kg.draft.text`,
:mod:`kg.draft.agents`, :mod:`kg.draft.quotes`).

Each rule drafts one kind of claim and cites the sentence that states it. A claim is
drafted only when every required field can be filled from the text; a sentence no rule
understands is left for the reviewer (the coverage report lists it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from kg.draft.agents import AgentMention, find_agents
from kg.draft.article import Article, DraftClaim, Extraction, FieldValue, Ids, ProposedEntity
from kg.draft.quotes import Quotation, find_quotations
from kg.draft.text import DateMention, Sentence, find_dates

ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
            "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "next": 0}  # fmt: skip
_ROUND = re.compile(
    rf"\b(?P<ordinal>{'|'.join(ORDINALS)})\s+(?:\w+\s+){{0,3}}?(?:round|session)\b", re.I
)
_PLANNED = re.compile(r"\b(?:will|would|planned|scheduled|expected|no (?:specific )?date)\b")
_TALKS = re.compile(r"\b(?:talks|negotiations?)\b", re.IGNORECASE)
_MEDIATES = re.compile(r"\bmediat(?:ed|ing|es|e|or|ion)\b", re.IGNORECASE)
_LED = re.compile(r"\b(?:led|headed)\b")
_STANCES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("insists-on", re.compile(r"\binsists?\b|\binsisted\b")),
    ("excludes", re.compile(r"\bexclud(?:es|ing|ed)\b|\bruled? out\b")),
    ("rejects", re.compile(r"\breject(?:s|ed)?\b|\bwill not accept\b|\brefuses?\b")),
    ("demands", re.compile(r"\bdemand(?:s|ed)?\b|\bpress(?:es)? for\b|\bcalls? for\b")),
    ("proposes", re.compile(r"\bpropos(?:es|ed)\b")),
    ("accepts", re.compile(r"\baccept(?:s|ed)\b")),
)
_COMMITS = re.compile(r"\b(?:agreed to|will|would|to (?:submit|circulate|meet|draft|send))\b")
_BOTH = re.compile(r"\b(?:both sides|the two sides|the parties|both delegations)\b", re.I)
_RELATIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("concurrent-tension", re.compile(r"\bamid\b|\btensions?\b|\bprotests?\b", re.I)),
    ("interruption", re.compile(r"\bsuspen(?:sion|ded)\b|\bimpasse\b|\bhalt(?:ed)?\b", re.I)),
    ("background", re.compile(r"\bafter\b|\bfollowing\b|\bsince\b|\bwar\b", re.I)),
)


@dataclass
class _Draft:
    """The claims of one run so far, and what they are made of."""

    article: Article
    ids: Ids
    agents: list[AgentMention]
    dates: list[DateMention]
    quotations: list[Quotation]
    claims: list[DraftClaim] = field(default_factory=list)

    def add(self, name: str, type_: str, fields: dict[str, FieldValue], quote: str,
            note: str = "") -> DraftClaim:  # fmt: skip
        claim = DraftClaim(self.ids.new(name), type_, fields, [(quote, None)], note)
        self.claims.append(claim)
        return claim

    def in_sentence(self, sentence: Sentence, *kinds: str) -> list[AgentMention]:
        return [a for a in self.agents if sentence.start <= a.start < sentence.end
                and (not kinds or a.kind in kinds)]  # fmt: skip

    def dates_in(self, sentence: Sentence) -> list[DateMention]:
        return [d for d in self.dates if sentence.start <= d.start < sentence.end]

    def concept(self, scheme: str, slug: str) -> str | None:
        """``slug`` if the ontology defines it in ``scheme``, else None."""
        return slug if self.article.concepts.find(scheme, slug) is not None else None


class RuleExtractor:
    """Drafts claims with patterns, the registry, sentencex and dateparser."""

    name = "rules"

    def extract(self, article: Article) -> Extraction:
        ids = Ids(article.taken_ids)
        agents, proposed = find_agents(article, ids)
        draft = _Draft(
            article,
            ids,
            agents,
            find_dates(article.text, article.date, article.sentences),
            find_quotations(article.text, article.sentences, agents),
        )
        process = _process(draft)
        if process is not None:
            rounds = _rounds(draft, process)
            _participations(draft, process, rounds)
            _positions(draft, process)
            _commitments(draft, rounds)
            _context(draft, process, rounds)
        _office_holdings(draft)
        _statements(draft, process)
        return Extraction(self.name, draft.claims, _used(proposed, draft.claims))


def _process(draft: _Draft) -> str | None:
    """One negotiation per article, named after the states it mentions first."""
    for sentence in draft.article.sentences:
        if not _TALKS.search(sentence.text):
            continue
        states = _unique(a.entity for a in draft.in_sentence(sentence, "state"))
        if not states:
            continue
        labels = {e.id: e.label for e in draft.article.entities}
        label = "\u2013".join(labels.get(s, s) for s in states[:2]) + " talks"
        claim = draft.add(label, "negotiation", {"label": label}, sentence.text)
        if len(states) >= 2:
            for state in states[:2]:
                draft.add(f"{state}-negotiating-party", "participation",
                          {"agent": state, "event": claim.id, "roles": ["negotiating party"]},
                          sentence.text)  # fmt: skip
        return claim.id
    return None


def _rounds(draft: _Draft, process: str) -> dict[int, DraftClaim]:
    rounds: dict[int, DraftClaim] = {}
    for sentence in draft.article.sentences:
        match = _ROUND.search(sentence.text)
        if not match:
            continue
        number = ORDINALS[match.group("ordinal").lower()]
        if number == 0:
            number = max(rounds, default=0) + 1
        if number in rounds:
            rounds[number].evidence.append((sentence.text, None))
            continue
        planned = bool(_PLANNED.search(sentence.text)) and number > len(rounds)
        fields: dict[str, FieldValue] = {"part of": process, "number": str(number),
                                         "status": "planned" if planned else "held"}  # fmt: skip
        dated = [d for d in draft.dates_in(sentence) if d.value and not d.deadline]
        if dated and not planned:
            fields["date"], fields["date wording"] = dated[0].value or "", dated[0].wording
        cities = draft.in_sentence(sentence, "city")
        if cities:
            fields["city"] = cities[0].entity
        where = cities[0].text if cities else f"round {number}"
        label = f"Round {number} of the {draft_label(draft, process)} ({where})"
        rounds[number] = draft.add(f"{where} round", "round", {"label": label, **fields},
                                   sentence.text)  # fmt: skip
    for number, claim in rounds.items():
        if number - 1 in rounds:
            claim.fields["follows"] = rounds[number - 1].id
    return rounds


def draft_label(draft: _Draft, claim_id: str) -> str:
    claim = next(c for c in draft.claims if c.id == claim_id)
    return str(claim.fields.get("label", claim_id))


def _participations(draft: _Draft, process: str, rounds: dict[int, DraftClaim]) -> None:
    held = [rounds[n] for n in sorted(rounds) if rounds[n].fields.get("status") == "held"]
    latest = held[-1].id if held else process
    for sentence in draft.article.sentences:
        if _MEDIATES.search(sentence.text):
            for agent in _unique_mentions(draft.in_sentence(sentence, "state", "person")):
                parties = {c.fields.get("agent") for c in draft.claims
                           if c.type == "participation"}  # fmt: skip
                if agent.entity in parties:
                    continue
                event = process if agent.kind == "state" else latest
                draft.add(f"{agent.entity}-mediates", "participation",
                          {"agent": agent.entity, "event": event, "roles": ["mediator"]},
                          sentence.text)  # fmt: skip
                break
        if _LED.search(sentence.text) and "delegation" in sentence.text:
            _delegation(draft, sentence, latest)


def _delegation(draft: _Draft, sentence: Sentence, event: str) -> None:
    people = draft.in_sentence(sentence, "person")
    states = draft.in_sentence(sentence, "state")
    if not people or not states:
        return
    head, party = people[0].entity, states[0].entity
    name = next((e.label for e in draft.article.entities if e.id == party), party)
    delegation = draft.add(f"{party}-delegation", "delegation",
                           {"label": f"Delegation of {name}", "of": party, "at": event,
                            "head": head}, sentence.text)  # fmt: skip
    draft.add(f"{head}-heads-delegation", "participation",
              {"agent": head, "event": event, "roles": ["head of delegation"],
               "delegation": delegation.id, "on behalf of": party}, sentence.text)  # fmt: skip


def _positions(draft: _Draft, process: str) -> None:
    concepts = draft.article.concepts.by_scheme.get("issue", {})
    for sentence in draft.article.sentences:
        holders = draft.in_sentence(sentence, "state", "group", "anonymous", "person")
        if not holders or holders[0].start - sentence.start > 12:
            continue  # the holder is the sentence's subject
        for stance, cue in _STANCES:
            if not cue.search(sentence.text):
                continue
            issues = [slug for name, slug in _issue_names(concepts).items()
                      if re.search(rf"\b{re.escape(name)}", sentence.text, re.I)]  # fmt: skip
            for issue in _unique(issues):
                draft.add(f"{holders[0].entity}-{stance}-{issue}", "position",
                          {"holder": holders[0].entity, "issue": issue, "stance": stance,
                           "in": process}, sentence.text)  # fmt: skip
            break


def _issue_names(concepts: Mapping[str, object]) -> dict[str, str]:
    """Issue concepts by the words that name them (slug words and labels)."""
    names: dict[str, str] = {}
    for name, concept in concepts.items():
        slug = str(concept).rsplit("/", 1)[-1]
        names[name.replace("-", " ")] = slug
    return names


def _commitments(draft: _Draft, rounds: dict[int, DraftClaim]) -> None:
    dated = [rounds[n] for n in sorted(rounds) if len(str(rounds[n].fields.get("date", ""))) == 10]
    anchor = dated[-1] if dated else None
    parties = [
        c.fields["agent"]
        for c in draft.claims
        if c.type == "participation" and "negotiating party" in c.fields.get("roles", [])
    ]
    for sentence in draft.article.sentences:
        deadlines = [d for d in draft.dates_in(sentence) if d.deadline]
        if not deadlines or not _COMMITS.search(sentence.text):
            continue
        limit = deadlines[0]
        by = [a.entity for a in draft.in_sentence(sentence, "state", "person")] or (
            [str(p) for p in parties] if _BOTH.search(sentence.text) else []
        )
        if not by:
            continue
        fields: dict[str, FieldValue] = {
            "label": f"Commitment: {limit.wording}",
            "by": _unique(by),
            "action": sentence.text,
        }
        note = ""
        if limit.within and anchor is not None:
            fields["deadline"] = {"within": limit.within, "from": anchor.id,
                                  "wording": limit.wording}  # fmt: skip
        else:
            note = f"The deadline is worded '{limit.wording}' ({limit.value or '?'})."
        if anchor is not None:
            fields["of"] = anchor.id
        draft.add(f"commitment-{limit.wording}", "commitment", fields, sentence.text, note)


def _context(draft: _Draft, process: str, rounds: dict[int, DraftClaim]) -> None:
    """Dated events that are not rounds: context, when a cue says how they relate."""
    round_sentences = {e[0] for c in rounds.values() for e in c.evidence}
    cited = {e[0] for c in draft.claims for e in c.evidence}
    for sentence in draft.article.sentences:
        if sentence.text in round_sentences or sentence.text in cited:
            continue
        dated = [d for d in draft.dates_in(sentence) if d.value and not d.deadline]
        relation = next((name for name, cue in _RELATIONS if cue.search(sentence.text)), None)
        if not dated or relation is None:
            continue
        date = dated[0]
        draft.add(f"event-{date.wording}", "context event",
                  {"label": f"Event of {date.wording}", "date": date.value or "",
                   "date wording": date.wording, "context for": process, "relation": relation},
                  sentence.text, "Label it after what happened.")  # fmt: skip


def _office_holdings(draft: _Draft) -> None:
    """ "Arlandic Foreign Minister Lena Strand": a registry office right before a person."""
    text = draft.article.text
    for office in [a for a in draft.agents if a.kind == "office"]:
        person = next((a for a in draft.agents if a.kind == "person"
                       and 0 <= a.start - office.end <= 1), None)  # fmt: skip
        if person is None or text[office.end : person.start].strip():
            continue
        quote = text[office.start : person.end]
        if any(c.fields.get("holder") == person.entity and c.fields.get("office") == office.entity
               for c in draft.claims):  # fmt: skip
            continue
        draft.add(f"{person.entity}-{office.entity}", "office holding",
                  {"holder": person.entity, "office": office.entity}, quote)  # fmt: skip


def _statements(draft: _Draft, process: str | None) -> None:
    date = draft.article.date.isoformat() if draft.article.date else None
    for quotation in draft.quotations:
        if quotation.speaker is None:
            continue
        fields: dict[str, FieldValue] = {"speaker": quotation.speaker, "words": quotation.words}
        channel = quotation.channel and draft.concept("channel", quotation.channel)
        if channel:
            fields["channel"] = channel
        if channel == "social-media-post":
            site = draft.in_sentence(quotation.sentence, "website")
            if site:
                fields["platform"] = site[0].entity
        if date:
            fields["not before"] = date
        notes = []
        if quotation.continued:
            notes.append("The sentence names no speaker; it continues the previous quotation.")
        if quotation.channel and not channel:
            notes.append(f"Channel '{quotation.channel}' is no concept yet.")
        words = " ".join(quotation.words.split()[:6])
        draft.add(f"{quotation.speaker}-{words}", "statement", fields,
                  quotation.sentence.text, " ".join(notes))  # fmt: skip


def _unique(items: object) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:  # type: ignore[attr-defined]
        seen.setdefault(str(item), None)
    return list(seen)


def _unique_mentions(mentions: list[AgentMention]) -> list[AgentMention]:
    seen: dict[str, AgentMention] = {}
    for mention in mentions:
        seen.setdefault(mention.entity, mention)
    return list(seen.values())


def _used(proposed: list[ProposedEntity], claims: list[DraftClaim]) -> list[ProposedEntity]:
    """Every proposal: those the claims name first, then the others."""
    named = {str(v) for c in claims for v in c.fields.values() if isinstance(v, str)}
    return sorted(proposed, key=lambda p: p.id not in named)
