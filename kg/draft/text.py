"""What the rules read in an article: its sentences (sentencex, Wikimedia's segmenter),
the registry entities it mentions, and its dates (dateparser), each with its character
offsets (Unicode code points, start inclusive, end exclusive, as in W3C Web Annotation
Text Position Selectors)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import sentencex
from dateparser.date import DateDataParser
from dateparser.search import search_dates

from kg.seeds import Entity


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str, language: str = "en") -> list[Sentence]:
    """The sentences of ``text``, without surrounding whitespace."""
    found = []
    for boundary in sentencex.get_sentence_boundaries(language, text):
        start, end = int(boundary["start_index"]), int(boundary["end_index"])
        chunk = text[start:end]
        start += len(chunk) - len(chunk.lstrip())
        end -= len(chunk) - len(chunk.rstrip())
        if end > start:
            found.append(Sentence(start, end, text[start:end]))
    return found


# --- registry mentions -----------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """A span of the text that names a registry entity (or a proposed one)."""

    entity: str
    start: int
    end: int
    text: str


def _name_pattern(name: str) -> re.Pattern[str]:
    """A name, matched as whole words (also in a compound: "Iran-Israel war"), tolerant
    of a possessive ('s, ’s) and of case, except for short or all-capital names ("US"
    is not "us")."""
    flags = 0 if len(name) <= 3 or name.isupper() else re.IGNORECASE
    words = r"\s+".join(re.escape(w) for w in name.split())
    return re.compile(rf"(?<![\w]){words}(?=(?:['\u2019]s)?(?![\w]))", flags)


def find_mentions(text: str, names: Iterable[tuple[str, str]]) -> list[Mention]:
    """Every mention of the (entity id, name) pairs, longest names first, never two
    overlapping mentions."""
    taken: list[tuple[int, int]] = []
    found = []
    for entity, name in sorted(set(names), key=lambda pair: -len(pair[1])):
        for match in _name_pattern(name).finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            found.append(Mention(entity, start, end, match.group()))
    return sorted(found, key=lambda m: m.start)


def registry_names(entities: Iterable[Entity]) -> list[tuple[str, str]]:
    return [(e.id, name) for e in entities for name in (e.label, *e.aliases)]


# --- dates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateMention:
    """A date or a period in the text, resolved against the document's date.

    ``value`` keeps the precision the text gives (YYYY, YYYY-MM or YYYY-MM-DD);
    ``within`` is an ISO 8601 duration for "within the next two weeks"; ``deadline``
    says the words set a limit ("by", "within")."""

    start: int
    end: int
    wording: str
    value: str | None
    within: str | None = None
    deadline: bool = False


_PERIODS = {"day": 3, "month": 2, "year": 1}
# Words before a date that belong to its wording, and whether they set a limit.
_LEADS = re.compile(
    r"(?:(?P<deadline>by the end of|by|before|until|no later than|within the next|within)"
    r"|(?P<past>earlier this|earlier in|earlier|later this|later in|last|since|late|early))"
    r"\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_TRIM = re.compile(r"^(?:on|in|from|of|at|the|since)\s+|\s+(?:on|in|of|at|the)$", re.IGNORECASE)
# What makes a phrase a date at all: a number, a month or a weekday, or a relative period
# (dateparser also reads "now", "a second" and "We" as dates).
_DATE_WORD = re.compile(
    r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|day\b|"
    r"\b(?:weeks?|months?|years?)\b",
    re.IGNORECASE,
)
# Relative periods dateparser's search can miss in a long sentence; it still resolves them.
_RELATIVE = re.compile(r"\b(?:this|last|next) (?:month|year)\b", re.IGNORECASE)
_SAME_DAY = re.compile(r"\b(?:on )?the same day\b", re.IGNORECASE)


@cache
def _parser(prefer: str) -> DateDataParser:
    return DateDataParser(languages=["en"], settings={"PREFER_DATES_FROM": prefer})


def _resolve(words: str, base: dt.date, prefer: str) -> tuple[str, dt.date] | None:
    """``words`` as a date at its precision (a week is no date), and its day."""
    parser = _parser(prefer)
    parser._settings.RELATIVE_BASE = dt.datetime.combine(base, dt.time())
    data = parser.get_date_data(words)
    if data.date_obj is None or data.period not in _PERIODS:
        return None
    day = data.date_obj.date()
    return day.isoformat()[: (4, 7, 10)[_PERIODS[data.period] - 1]], day


def find_dates(text: str, base: dt.date | None, spans: Iterable[Sentence]) -> list[DateMention]:
    """Dates in each sentence of ``text``: dateparser finds and resolves them; the
    leading words that belong to them ("earlier in", "by the end of", "within the next")
    are kept in the wording and decide whether a bare month points back or ahead."""
    base = base or dt.date.today()
    found: list[DateMention] = []

    def add(mention: DateMention | None) -> None:
        if mention and not any(m.start < mention.end and mention.start < m.end for m in found):
            found.append(mention)

    for sentence in spans:
        cursor, phrases = 0, []
        results = search_dates(
            sentence.text,
            languages=["en"],
            settings={"RELATIVE_BASE": dt.datetime.combine(base, dt.time())},
        )
        for phrase, _ in results or ():
            at = sentence.text.find(phrase, cursor)
            if at >= 0:
                cursor = at + len(phrase)
                phrases.append((phrase, at))
        phrases += [(m.group(), m.start()) for m in _RELATIVE.finditer(sentence.text)]
        for phrase, at in phrases:
            core = phrase
            while (trimmed := _TRIM.sub("", core).strip()) != core:
                core = trimmed
            if _DATE_WORD.search(core):
                add(_date(sentence, core, at + phrase.find(core), base))
        for match in _SAME_DAY.finditer(sentence.text):
            start = sentence.start + match.start()
            add(DateMention(start, start + len(match.group()), match.group(), base.isoformat()))
    return sorted(found, key=lambda m: m.start)


def _date(sentence: Sentence, core: str, at: int, base: dt.date) -> DateMention | None:
    if core.isdigit() and not 1000 < int(core) < 2200:
        return None
    lead = _LEADS.search(sentence.text[:at])
    deadline = bool(lead and lead.group("deadline"))
    start = sentence.start + (lead.start() if lead else at)
    end = sentence.start + at + len(core)
    wording = sentence.text[start - sentence.start : end - sentence.start]
    if deadline and lead and lead.group("deadline").lower().startswith("within"):
        data = _parser("future").get_date_data(f"in {core}")
        if data.date_obj is None:
            return None
        days = (data.date_obj.date() - dt.datetime.now().date()).days
        return DateMention(start, end, wording, None, within=f"P{days}D", deadline=True)
    if re.fullmatch(r"(?!this |last |next )(?:\w+ )?(?:days?|weeks?|months?|years?)", core, re.I):
        return None  # a bare length of time ("two weeks") is no date
    resolved = _resolve(core, base, "current_period" if deadline else "past")
    if resolved is None:
        return None
    return DateMention(start, end, wording, resolved[0], deadline=deadline)
