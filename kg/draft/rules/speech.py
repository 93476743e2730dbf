"""What was said: direct quotations with their speakers (several speaking as one: "both
delegations called the result "…""), reported speech ("Dassen said the parties had
asked for more time", "…, Dassen said."), and the assessments that "called X" and
"described X as" sentences state."""

from __future__ import annotations

import re

from kg.draft.agents import agent_kind_order
from kg.draft.article import DraftClaim, FieldValue
from kg.draft.ids import gist
from kg.draft.quotes import CHANNELS_BY_SLUG, Quotation
from kg.draft.rules.draft import Draft, capitalised, clause, unique
from kg.draft.rules.parties import speakers_of
from kg.draft.text import Sentence

_JOINED = re.compile(r"\s+and\s+(?:[A-Za-z-]+\s+){0,3}")
_SPEAKERS = ("person", "anonymous", "group", "organisation", "delegation", "state")
_REPORTING = re.compile(
    r"\b(?:said|says|told reporters|added|noted|explained|stressed|warned|announced|"
    r"indicated|reported|confirmed|acknowledged|argued|claimed|suggested|(?:has|have) "
    r"(?:said|indicated|noted|warned))\b(?:\s+that)?\s+"
)
_SAID_AFTER = re.compile(r",\s+(?P<who>[^,;]{2,60}?)\s+(?:said|says|added|noted)\.?$")
# Whose words or requests the reported speech reports: "the parties had asked".
_ASKED = re.compile(
    r"^(?P<who>.{2,40}?)\s+(?:had\s+|have\s+|has\s+)?(?:asked|requested|said|demanded|"
    r"proposed|wanted|called for|insisted)\b"
)
_GROUP = re.compile(
    r"^(?:both sides|the two sides|the parties|both parties|both delegations)$", re.I
)
# What a "called" / "described" sentence characterises: "called the result", "the session
# had been", "described the talks as".
_ASSESSED = (
    re.compile(r"\b(?:called|calling|described|describing)\s+(?P<object>(?:the|its|this)\s+"
               r"[\w'\u2019 -]{2,40}?)\s+(?:as\s+)?$"),
    re.compile(r"\b(?P<object>the\s+(?:[\w-]+\s+){0,2}?(?:talks|session|round|meeting|discussions|"
               r"negotiations|outline|result|outcome|memorandum|agreement|atmosphere|accord))"
               r"\s+(?:had been|has been|have been|was|were|is|are)\s+(?:[\w-]+\s+){0,2}?$"),
)  # fmt: skip
_AS_WORDS = re.compile(r"\b(?:described|called)\s+(?P<object>the\s+[\w-]+)\s+as\s+"
                       r"(?P<words>[\w -]{3,40}?)(?=[,;.]|$)")  # fmt: skip
_EVENTS = ("talks", "session", "round", "meeting", "discussions", "negotiations", "atmosphere")
_RESULTS = ("outline", "result", "outcome")
_AGREEMENTS = ("memorandum", "agreement", "accord", "deal", "treaty")


def statements(draft: Draft) -> None:
    """A statement for each quotation whose speaker is known; its assessment where the
    sentence says what the words characterise (once the results the quotations name are
    drafted: "called the result "a workable outline"")."""
    date = draft.article.date.isoformat() if draft.article.date else None
    said: list[tuple[Quotation, DraftClaim, list[str]]] = []
    for quotation in draft.quotations:
        speakers = [quotation.speaker] if quotation.speaker else (
            speakers_of(draft, quotation.group) if quotation.group else [])  # fmt: skip
        if not speakers:
            continue
        fields: dict[str, FieldValue] = {"speaker": speakers if len(speakers) > 1 else
                                         speakers[0], "words": quotation.words}  # fmt: skip
        channel = _channel(draft, quotation)
        if channel:
            fields["channel"] = channel
        if channel == "social-media-post":
            site = draft.in_sentence(quotation.sentence, "website")
            if site:
                fields["platform"] = site[0].entity
        if date:
            fields["not before"] = date
        note = ("The sentence names no speaker; it continues the previous quotation."
                if quotation.continued else "")  # fmt: skip
        who = " ".join(draft.label(s).split()[-1] for s in speakers[:2])
        claim = draft.add(f"{who} {gist(quotation.words)}", "statement", fields,
                          quotation.sentence, note=note)  # fmt: skip
        said.append((quotation, claim, speakers))
        _named_result(draft, quotation)
    for quotation, claim, speakers in said:
        _assessment(draft, quotation, claim, speakers)


def _channel(draft: Draft, quotation: Quotation) -> str | None:
    """The channel concept, proposed as a new concept when the schemes lack it."""
    if quotation.channel is None:
        return None
    channel = CHANNELS_BY_SLUG[quotation.channel]
    sentence = quotation.sentence
    found = channel.cue.search(sentence.text)
    quote = (found.group(), sentence.start + found.start()) if found else sentence
    return draft.concept("channel", channel.slug) or draft.propose_concept(
        "channel", channel.label, channel.definition, quote
    )


def _assessment(draft: Draft, quotation: Quotation, statement: DraftClaim,
                speakers: list[str]) -> None:  # fmt: skip
    """ "X called the result "a workable outline"", "told reporters the session had been
    "frank and useful"": an assessment of what the words characterise."""
    text = draft.article.text
    before = text[quotation.sentence.start : quotation.start - 1]
    match = next((m for p in _ASSESSED if (m := p.search(before))), None)
    if match is None:
        return
    assessed = _assessed(draft, match.group("object"))
    if assessed is None:
        return
    words = quotation.words.rstrip(".,;:!? ")
    draft.add(f"{' '.join(draft.label(s).split()[-1] for s in speakers[:2])} on "
              f"{gist(words, 3)}", "assessment",
              {"by": speakers, "of": assessed, "characterisation": [words],
               "expressed in": [statement.id]}, quotation.sentence)  # fmt: skip


def _assessed(draft: Draft, words: str) -> str | None:
    """What "the talks", "the result", "the memorandum" stand for among the claims."""
    noun = words.split()[-1].lower()
    latest = draft.latest_round()
    if noun in _EVENTS:
        return latest.id if latest else None
    if noun in _AGREEMENTS:
        agreements = draft.of_type("agreement")
        return agreements[-1].id if agreements else None
    if noun in _RESULTS and latest is not None:
        outcomes = [c for c in draft.of_type("outcome") if c.fields.get("of") == latest.id]
        return outcomes[-1].id if outcomes else None
    return None


def _named_result(draft: Draft, quotation: Quotation) -> None:
    """ "called the result "a workable outline" for a water-sharing accord": the outcome
    of the round, named by the quotation, unless the round has one."""
    latest = draft.latest_round()
    before = draft.article.text[quotation.sentence.start : quotation.start - 1]
    match = _ASSESSED[0].search(before)
    if latest is None or match is None or match.group("object").split()[-1] not in _RESULTS:
        return
    if _assessed(draft, match.group("object")) is None:
        rest = re.match(r"[\"\u201d]?\s*(?P<rest>(?:for|of|on)\s+[^,;.]+)",
                        draft.article.text[quotation.end :])  # fmt: skip
        label = capitalised(quotation.words.rstrip(".,") + (
            " " + rest.group("rest") if rest else ""))  # fmt: skip
        fields: dict[str, FieldValue] = {
            "label": label, "of": latest.id, "description": clause(quotation.sentence.text, 300)
        }  # fmt: skip
        draft.add(gist(label, 4), "outcome", fields, quotation.sentence,
                  qualifiers=[draft.label(latest.id)])  # fmt: skip


def described_as(draft: Draft) -> None:
    """ "A US official ... described the talks as constructive": an assessment in the
    source's words, by the subject of the sentence."""
    for sentence in draft.article.sentences:
        for match in _AS_WORDS.finditer(sentence.text):
            at = sentence.start + match.start()
            speakers = _subject(draft, sentence, at)
            assessed = _assessed(draft, match.group("object"))
            if not speakers or assessed is None:
                continue
            words = match.group("words").strip()
            draft.add(f"{draft.label(speakers[0]).split()[-1]} on {gist(words, 3)}", "assessment",
                      {"by": speakers, "of": assessed, "characterisation": [words]},
                      sentence)  # fmt: skip


def _subject(draft: Draft, sentence: Sentence, until: int) -> list[str]:
    """The agents the clause before ``until`` names, of the likeliest speaking kind."""
    agents = [a for a in draft.in_sentence(sentence, *_SPEAKERS) if a.end <= until]
    if not agents:
        return []
    best = min(agent_kind_order(a.kind) for a in agents)
    chosen = [a for a in agents if agent_kind_order(a.kind) == best]
    text = draft.article.text
    # "Iranian state media and Foreign Ministry spokesman Esmaeil Baghaei reported": one
    # subject, two speakers of different kinds
    joined = [a for a in agents if a not in chosen and
              any(_JOINED.fullmatch(text[min(a.end, c.end) : max(a.start, c.start)])
                  for c in chosen)]  # fmt: skip
    return unique(a.entity for a in agents if a in chosen or a in joined)


def reported_speech(draft: Draft) -> None:
    """Sentences without quotation marks that report what someone said."""
    quoted = {q.sentence.start for q in draft.quotations}
    for sentence in draft.article.sentences:
        if sentence.start in quoted:
            continue
        text = sentence.text
        cue = _REPORTING.search(text)
        after = _SAID_AFTER.search(text)
        if cue is not None and cue.start() <= 80 and cue.end() < len(text) - 10:
            speakers = _subject(draft, sentence, sentence.start + cue.start())
            content = text[cue.end() :]
        elif after is not None:
            speakers = _subject(draft, sentence, sentence.end)
            speakers = [s for s in speakers if any(
                a.entity == s and a.start >= sentence.start + after.start("who")
                for a in draft.agents)]  # fmt: skip
            head = text[: after.start()]
            content = head[head.rfind(";") + 1 :] if ";" in head else head
        else:
            continue
        content = content.strip().rstrip(".")
        if not speakers or len(content.split()) < 3:
            continue
        fields: dict[str, FieldValue] = {"speaker": speakers, "content": content}
        reported = _reported(draft, sentence, content)
        if reported:
            fields["reported speakers"] = reported
        if draft.article.date:
            fields["not before"] = draft.article.date.isoformat()
        draft.add(f"{draft.label(speakers[0]).split()[-1]} {gist(content, 4)}",
                  "reported speech", fields, sentence)  # fmt: skip


def _reported(draft: Draft, sentence: Sentence, content: str) -> list[str]:
    """Whose words or requests the content reports ("the parties had asked ...")."""
    match = _ASKED.match(content)
    if match is None:
        return []
    who = match.group("who").strip()
    if _GROUP.match(who):
        return speakers_of(draft, "delegations" if "delegation" in who else "parties")
    at = sentence.start + sentence.text.find(content)
    return unique(a.entity for a in draft.in_sentence(sentence, *_SPEAKERS)
                  if at <= a.start < at + len(who))  # fmt: skip
