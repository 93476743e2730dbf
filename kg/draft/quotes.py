"""Direct quotations, their speakers and channels.

A quotation is the text between a pair of double quotation marks (straight or curly) in
one paragraph. Its speaker is found by cue verbs ("said", "told reporters", "stating",
"posted on X") next to a mention of an agent in the same sentence: the agent named right
after the closing mark (`"…," Strand said`), or else the nearest one before the cue
verb. Words shared by several speakers are said by a group the rules resolve ("both
delegations called the result "a workable outline""). A sentence that starts with "He"
or "She", or names no one at all, continues the previous quotation's speaker and
channel, and the draft says so in its note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.draft.agents import AgentMention, agent_kind_order
from kg.draft.text import Sentence

_PAIRS = re.compile(r'"(?P<straight>[^"\n]+)"|\u201c(?P<curly>[^\u201d\n]+)\u201d')
CUE_VERBS = re.compile(
    r"\b(?:said|says|say|saying|told|tells|stated|stating|states|explained|explaining|added|adding|"
    r"noted|noting|called|calling|described|describing|posted|posting|wrote|writing|"
    r"insisted|cautioned|cautioning|emphasized|emphasizing|emphasised|stressed|stressing|"
    r"highlighted|praised|echoed|warned|warning|announced|declared|tweeted|according to)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"^(?:He|She|They)\b")
# Several speakers as one: "both delegations", "the two sides", "the parties".
GROUPS = re.compile(
    r"\b(?:both|the two) (?P<group>delegations|sides|parties|governments)\b|\bthe parties\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Channel:
    """A channel concept and the words that reveal it; the label and definition declare
    it (a proposed concept, docs/annotations.md "New concepts") where the schemes lack it."""

    slug: str
    label: str
    definition: str
    cue: re.Pattern[str]


CHANNELS: tuple[Channel, ...] = (
    Channel("social-media-post", "social media post",
            "Words posted by the speaker on a social network, such as X.",
            re.compile(r"\b(?:posted|tweeted|wrote) on\b|\bon X\b|\bon Twitter\b")),
    Channel("told-reporters", "told reporters", "Remarks made to journalists, on the record.",
            re.compile(r"\btold (?:reporters|journalists|the press)\b|\bpress conference\b")),
    Channel("anonymous-briefing", "anonymous briefing",
            "Remarks made on condition of anonymity.",
            re.compile(r"\banonymity\b|\bnot to be named\b")),
    Channel("written-statement", "written statement",
            "Words a party issued in writing, such as a ministry's or a government's "
            "statement.",
            re.compile(r"\bin a (?:written |joint )?statement\b|\bissued a statement\b", re.I)),
    Channel("interview", "interview", "Words said in an interview with a news outlet.",
            re.compile(r"\bin an interview\b", re.I)),
    Channel("speech", "speech", "Words said in a public speech or address.",
            re.compile(r"\bin a (?:speech|televised address|address)\b", re.I)),
    Channel("media-report", "media report",
            "Words reported by news media, such as state media, rather than heard from the "
            "speaker.",
            re.compile(r"\b(?:state media|reported|told (?:the )?[A-Z]\w+)\b")),
)  # fmt: skip
CHANNELS_BY_SLUG = {c.slug: c for c in CHANNELS}


@dataclass(frozen=True)
class Quotation:
    start: int  # of the words, inside the marks
    end: int
    words: str
    sentence: Sentence
    speaker: str | None
    channel: str | None
    continued: bool  # speaker and channel carried over from the previous quotation
    group: str | None = None  # "delegations" or "parties": several speakers as one


def find_quotations(
    text: str, sentences: list[Sentence], agents: list[AgentMention]
) -> list[Quotation]:
    found: list[Quotation] = []
    previous: Quotation | None = None
    for match in _PAIRS.finditer(text):
        group = "straight" if match.group("straight") is not None else "curly"
        start, end = match.span(group)
        words = text[start:end]
        if words.endswith(","):  # typesetting puts the comma inside the marks
            words, end = words[:-1], end - 1
        if not words.strip() or len(words.split()) < 1:
            continue
        sentence = next((s for s in sentences if s.start <= match.start() < s.end), sentences[-1])
        speaker = _speaker(text, sentence, match.start(), match.end(), agents)
        several = _group(sentence, match.start()) if speaker is None else None
        channel = _channel(sentence.text)
        continued = False
        if speaker is None and several is None and previous is not None and \
                _continues(sentence, match.start(), match.end(), agents):  # fmt: skip
            speaker, continued = previous.speaker, True
            several = previous.group
        if channel is None and previous is not None and previous.speaker == speaker:
            channel = previous.channel
        quotation = Quotation(start, end, words, sentence, speaker, channel, continued, several)
        found.append(quotation)
        previous = quotation
    return found


def _speaker(
    text: str, sentence: Sentence, open_at: int, close_at: int, agents: list[AgentMention]
) -> str | None:
    """The speaker's entity id; None when the sentence continues the previous speaker."""
    inside = [a for a in agents if sentence.start <= a.start < sentence.end
              and not open_at <= a.start < close_at and a.kind]  # fmt: skip
    after = re.match(r'[,.]?["\u201d]?\s*,?\s*', text[close_at:])
    tail_at = close_at + (after.end() if after else 0)
    for agent in inside:  # "…," Strand said
        if agent.start == tail_at and CUE_VERBS.match(text, agent.end + 1):
            return agent.entity
    if _PRONOUN.match(sentence.text):
        return None  # "He described…": the subject is the previous speaker
    cues = [m for m in CUE_VERBS.finditer(sentence.text) if sentence.start + m.start() < open_at]
    if not cues:
        return None
    cue_at = sentence.start + cues[-1].start()
    speakers = [a for a in inside if a.end <= cue_at and a.kind not in _NOT_SPEAKERS]
    if not speakers:
        return None
    # The subject: the first agent of the clause before the cue, people before states.
    clause_start = max(
        (sentence.start + m.end() for m in re.finditer(r"[;:]|\.\s", sentence.text)
         if sentence.start + m.end() <= cue_at), default=sentence.start)  # fmt: skip
    clause = [a for a in speakers if a.start >= clause_start] or speakers
    return min(clause, key=lambda a: (agent_kind_order(a.kind), a.start)).entity


_NOT_SPEAKERS = ("website", "city", "place", "office")


def _group(sentence: Sentence, open_at: int) -> str | None:
    """ "delegations" or "parties" when a group of them is the subject of a cue verb
    before the quotation ("both delegations called the result "…"")."""
    before = sentence.text[: open_at - sentence.start]
    cue = [m for m in CUE_VERBS.finditer(before)]
    if not cue:
        return None
    group = [m for m in GROUPS.finditer(before[: cue[-1].start()])]
    if not group:
        return None
    word = (group[-1].group("group") or "parties").lower()
    return "delegations" if word == "delegations" else "parties"


def _continues(sentence: Sentence, open_at: int, close_at: int,
               agents: list[AgentMention]) -> bool:  # fmt: skip
    """Whether a quotation without a speaker of its own continues the previous one's: its
    sentence starts with a pronoun, or names no one who could have said it."""
    if _PRONOUN.match(sentence.text):
        return True
    return not any(sentence.start <= a.start < sentence.end and not open_at <= a.start < close_at
                   and a.kind and a.kind not in _NOT_SPEAKERS for a in agents)  # fmt: skip


def _channel(sentence: str) -> str | None:
    return next((c.slug for c in CHANNELS if c.cue.search(sentence)), None)
