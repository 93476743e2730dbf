"""Who takes part, and as what: mediators and hosts, delegations and their heads, and
what titles say of people (kg/draft/agents.py) — an office they hold, a rank, a role in
the talks ("Valdonia's chief negotiator, Tomas Reyk" heads Valdonia's delegation); and
side meetings during the round ("Haddad met the Regional Union's envoy, Marta
Solberg"; "Both sides held separate meetings with Grossi") and exchanges of notes or
lists between the delegations."""

from __future__ import annotations

import re

from kg.draft.agents import Title
from kg.draft.article import DraftClaim, FieldValue
from kg.draft.rules.draft import REWORD, Draft, Quote, unique
from kg.draft.text import Sentence

_MEDIATED_BY = re.compile(r"\bmediated\s+by\s+(?:the\s+)?$", re.IGNORECASE)
_MEDIATES = re.compile(r"\bmediat(?:ed|ing|es|e|or|ion)\b", re.IGNORECASE)
_HOSTED = re.compile(r"\bhost(?:ed|s|ing)?\b(?:[\w\s]{0,20}?)\bby\s+$", re.IGNORECASE)
_LED = re.compile(r"\b(?:led|headed)\b")
_MET = re.compile(
    r"\s(?:also\s+)?(?:met(?:\s+with)?|held\s+(?:(?:separate|side|bilateral|private)\s+)?"
    r"(?:meetings?|talks)\s+with)\s+"
)
_BOTH = re.compile(
    r"^(?:Both|The two) (?:sides|delegations|parties)\b|^The (?:delegations|parties)\b"
)
_SUBJECT_GAP = re.compile(r"[^.;]{0,3}")  # "Haddad met", "Ambassador Petra Lind, met"
# Where the other side of a meeting ends: its purpose, topic or time.
_MEETING_END = re.compile(
    r"\s(?:to|on|about|over|before|after|during|that)\s|\s(?:and|but)\s+\w+ed\b|;"
)
_EXCHANGED = re.compile(
    r"\bexchanged\s+(?:their\s+)?(?:notes|lists|texts|drafts|documents|papers|proposals|letters)"
    r"\s+(?:on|of|about|covering)\s+(?P<topics>[^.;]+)"
)
_TOPIC_SPLIT = re.compile(r",\s+(?:including|notably|such as|and)\s+|,\s+|\s+and\s+(?:of\s+)?")
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


def meetings(draft: Draft, process: str | None) -> None:
    """Side meetings during the reported round: who "met" whom (a person rather than the
    organisation whose envoy they are), or "both sides held separate meetings with X"
    (one meeting per delegation)."""
    round_ = draft.latest_round()
    if round_ is None:
        return
    text = draft.article.text
    for sentence in draft.article.sentences:
        for match in _MET.finditer(sentence.text):
            verb, after = sentence.start + match.start(), sentence.start + match.end()
            cut = _MEETING_END.search(text, after, sentence.end)
            until = cut.start() if cut else sentence.end
            others = [a for a in draft.in_sentence(sentence) if after <= a.start < until
                      and a.kind in ("person", "anonymous", "state", "organisation")]  # fmt: skip
            other = next((a for a in others if a.kind == "person"), None) or \
                (others[0] if others else None)  # fmt: skip
            if other is None:
                continue
            if _BOTH.match(sentence.text) and match.start() < 30:
                sides = speakers_of(draft, "delegations")
                groups = [[s] for s in sides] if "separate" in match.group() else [sides]
            else:
                people = draft.in_sentence(sentence, "person", "anonymous")
                before = [a for a in people if a.end <= verb and
                          _SUBJECT_GAP.fullmatch(text[a.end : verb])]  # fmt: skip
                groups = [[before[-1].entity]] if before else []
            for group in groups:
                if not group or other.entity in group:
                    continue
                names = " and ".join(draft.label(g) for g in group)
                draft.add(f"{names} meets {draft.label(other.entity)}", "meeting",
                          {"label": f"Meeting of {names} with {draft.label(other.entity)}",
                           "part of": round_.id, "participants": [*group, other.entity]},
                          sentence)  # fmt: skip


def note_exchanges(draft: Draft) -> None:
    """ "The (two) delegations exchanged notes on X and Y", "both sides exchanged lists of
    prisoners": an exchange between the delegations to the reported round, on the
    issues the scheme knows among X and Y, else on one proposed from the words."""
    round_ = draft.latest_round()
    if round_ is None:
        return
    for sentence in draft.article.sentences:
        match = _EXCHANGED.search(sentence.text)
        if match is None or not _BOTH.match(sentence.text):
            continue
        words = match.group("topics").strip()
        topics = unique(t for part in _TOPIC_SPLIT.split(words)
                        if (t := draft.concept("issue", part.strip())))  # fmt: skip
        if not topics:
            at = sentence.start + match.start("topics")
            label = re.sub(r"\s+and\s+of\s+", " and ", words)
            topics = [draft.propose_concept(
                "issue", label, f"What the notes exchanged were about, as the article words "
                f"it: {words}.", (words, at), note=REWORD)]  # fmt: skip
        of, what = draft.label(round_.id), match.group().split()[1]
        draft.add(f"{round_.id} notes exchange", "note exchange",
                  {"label": f"Exchange of {what} in the {of[:1].lower()}{of[1:]}",
                   "part of": round_.id, "between": speakers_of(draft, "delegations"),
                   "topics": topics}, sentence)  # fmt: skip
