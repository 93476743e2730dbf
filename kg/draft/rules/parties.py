"""Who takes part, and as what: mediators and hosts, delegations and their heads, and
what titles say of people (kg/draft/agents.py) — an office they hold, a rank, a role in
the talks ("Valdonia's chief negotiator, Tomas Reyk" heads Valdonia's delegation)."""

from __future__ import annotations

import re

from kg.draft.agents import Title
from kg.draft.article import DraftClaim, FieldValue
from kg.draft.rules.draft import Draft, Quote, unique
from kg.draft.text import Sentence

_MEDIATED_BY = re.compile(r"\bmediated\s+by\s+(?:the\s+)?$", re.IGNORECASE)
_MEDIATES = re.compile(r"\bmediat(?:ed|ing|es|e|or|ion)\b", re.IGNORECASE)
_HOSTED = re.compile(r"\bhost(?:ed|s|ing)?\b(?:[\w\s]{0,20}?)\bby\s+$", re.IGNORECASE)
_LED = re.compile(r"\b(?:led|headed)\b")
_DELEGATION_OF = re.compile(r"^['\u2019]s delegation\b|^ delegation\b")


def event_of(draft: Draft, process: str | None) -> str | None:
    """What a person takes part in: the round the article reports, else the negotiation."""
    latest = draft.latest_round()
    return latest.id if latest is not None else process


def participate(draft: Draft, agent: str, event: str, role: str, quote: Quote,
                **fields: FieldValue) -> DraftClaim:  # fmt: skip
    """The agent's participation in ``event`` with ``role`` added to it (one claim per
    agent and event, every role and quote in it)."""
    for claim in draft.of_type("participation"):
        if claim.fields.get("agent") == agent and claim.fields.get("event") == event:
            roles = claim.fields.setdefault("roles", [])
            assert isinstance(roles, list)
            if role not in roles:
                roles.append(role)  # type: ignore[arg-type]
            if draft.cite(quote) not in claim.evidence:
                claim.evidence.append(draft.cite(quote))
            for key, value in fields.items():
                claim.fields.setdefault(key, value)
            return claim
    words = {"mediator": "mediates", "host": "hosts", "head-of-delegation": "heads delegation"}
    return draft.add(f"{agent} {words.get(role, role)}", "participation",
                     {"agent": agent, "event": event, "roles": [role], **fields}, quote,
                     qualifiers=[draft.label(event)])  # fmt: skip


def participants(draft: Draft, process: str) -> None:
    """Mediators and hosts, delegations and their heads."""
    event = event_of(draft, process) or process
    for sentence in draft.article.sentences:
        if _MEDIATES.search(sentence.text):
            _mediator(draft, sentence, process, event)
        for host in draft.in_sentence(sentence, "state", "organisation"):
            if _HOSTED.search(draft.article.text[sentence.start : host.start]):
                participate(draft, host.entity, process, "host", sentence)
        if _LED.search(sentence.text) and "delegation" in sentence.text:
            people = draft.in_sentence(sentence, "person")
            party = _party_of(draft, people[0].entity, sentence) if people else None
            if people and party:
                delegation(draft, party, event, sentence, people[0].entity)
        for mention in draft.in_sentence(sentence, "state", "organisation"):
            if _DELEGATION_OF.match(draft.article.text[mention.end :]) and \
                    mention.entity in draft.parties():  # fmt: skip
                delegation(draft, mention.entity, event, sentence)


def _party_of(draft: Draft, person: str, sentence: Sentence) -> str | None:
    """Whose side a person is on: what a title of theirs says ("Kestria's Minister of
    Water Resources"), else the first state or organisation of the sentence."""
    for title in draft.titles:
        if title.person == person and title.party is not None:
            return title.party
        if title.person == person and title.kind == "office":
            office = next((e for e in draft.article.entities if e.id == title.value), None)
            if office is not None and office.text("office in"):
                return office.text("office in")
    parties = draft.in_sentence(sentence, "state", "organisation")
    return parties[0].entity if parties else None


def _mediator(draft: Draft, sentence: Sentence, process: str, event: str) -> None:
    taken = {str(c.fields.get("agent")) for c in draft.of_type("participation")
             if "negotiating-party" in c.fields.get("roles", [])}  # fmt: skip
    text = draft.article.text
    agents = draft.in_sentence(sentence, "state", "person", "organisation")
    named = [a for a in agents if _MEDIATED_BY.search(text[sentence.start : a.start])]
    for agent in named or [a for a in agents if a.kind != "organisation"]:
        if agent.entity in taken:
            continue
        participate(draft, agent.entity, process if agent.kind == "state" else event,
                    "mediator", sentence)  # fmt: skip
        return


def delegation(draft: Draft, party: str, event: str, quote: Quote,
               head: str | None = None) -> DraftClaim:  # fmt: skip
    """The party's delegation to ``event`` (one per party), and its head's part in it."""
    claim = next((c for c in draft.delegations() if c.fields.get("of") == party
                  and c.fields.get("at") == event), None)  # fmt: skip
    if claim is None:
        fields: dict[str, FieldValue] = {"label": f"{draft.label(party)} delegation",
                                         "of": party, "at": event}  # fmt: skip
        claim = draft.add(f"{draft.label(party)} delegation", "delegation", fields, quote,
                          qualifiers=[draft.label(event)])  # fmt: skip
    elif draft.cite(quote) not in claim.evidence:
        claim.evidence.append(draft.cite(quote))
    if head is not None and "head" not in claim.fields:
        claim.fields["head"] = head
        participate(draft, head, event, "head-of-delegation", quote,
                    delegation=claim.id, **{"on behalf of": party})  # fmt: skip
    return claim


def titles(draft: Draft, process: str | None) -> None:
    """Office holdings, ranks and roles, as titles state them."""
    event = event_of(draft, process)
    for title in draft.titles:
        quote = (title.quote.text, title.quote.start)
        if title.kind == "office":
            draft.add(f"{title.person} {title.value}", "office holding",
                      {"holder": title.person, "office": title.value}, quote)  # fmt: skip
        elif title.kind == "rank":
            draft.add(f"{title.person} {title.value}", "rank",
                      {"holder": title.person, "rank": title.value}, quote)  # fmt: skip
        elif event is not None:
            _role(draft, title, event, quote)


def _role(draft: Draft, title: Title, event: str, quote: Quote) -> None:
    if title.value == "head-of-delegation" and title.party is not None:
        delegation(draft, title.party, event, quote, title.person)
        return
    extra: dict[str, FieldValue] = {"on behalf of": title.party} if title.party else {}
    participate(draft, title.person, event, title.value, quote, **extra)


def speakers_of(draft: Draft, group: str) -> list[str]:
    """Who "both delegations" or "the parties" are: the delegations to the reported
    round when there are two or more, else the negotiating parties."""
    if group == "delegations":
        latest = draft.latest_round()
        delegations = [c.id for c in draft.delegations()
                       if latest is None or c.fields.get("at") == latest.id]  # fmt: skip
        if len(delegations) >= 2:
            return delegations
    return unique(draft.parties())
