"""Dates, periods and lengths of time in an article, resolved against the document's
date and written as annotations take them: a day, a month or a year at the precision
the text gives, or in the Extended Date/Time Format (EDTF, Library of Congress 2019;
kg/when.py) a season ("the summer of 2025": ``2025-22``) or an approximate date
("around June 2025": ``2025-06~``); lengths of time as ISO 8601 durations ("within 72
hours": ``PT72H``).

dateparser resolves what the text says ("Thursday, 13 November 2025", "earlier this
month", "in March"); number-parser reads numbers written as words ("within the next two
weeks"). Patterns here only find the phrases dateparser's own search splits or misses
(a weekday before a full date, seasons, "later that month") and the words before a
date that belong to it ("by the end of", "earlier in", "around")."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from dateparser.date import DateDataParser
from dateparser.search import search_dates
from number_parser import parse_number

from kg.draft.text import Sentence

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# A day with its month, and perhaps its weekday and year: "Thursday, 13 November 2025",
# "Tuesday, February 17, 2026", "12 November", "March 5".
_FULL = re.compile(
    rf"\b(?:{_WEEKDAY},?\s+)?(?:{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?"
    rf"|{_MONTH}\s+{_DAY}(?!\d)(?:,?\s+\d{{4}})?)\b"
)
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+\d{{4}}\b")
_SEASON = re.compile(
    r"\b(?:the\s+)?(?P<season>spring|summer|autumn|fall|winter)(?:\s+of)?(?:\s+(?P<year>\d{4}))?\b",
    re.IGNORECASE,
)
SEASON_CODES = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}
_SAME_MONTH = re.compile(r"\b(?:(?:earlier|later)\s+)?(?:that|the same)\s+month\b", re.I)
_SAME_DAY = re.compile(r"\b(?:on )?the same day\b", re.IGNORECASE)
# Relative periods dateparser's search can miss in a long sentence; it still resolves them.
_RELATIVE = re.compile(r"\b(?:this|last|next) (?:month|year)\b", re.IGNORECASE)
# Words before a date that belong to its wording, and what they say about it.
_LEADS = re.compile(
    r"(?:(?P<deadline>by the end of|by|before|until|no later than)"
    r"|(?P<approximate>around|about|approximately|circa|roughly|some time in|sometime in)"
    r"|(?P<past>earlier this|earlier in|earlier|later this|later in|last|since|late|early|"
    r"mid))"
    r"[\s-]+(?:the\s+)?$",
    re.IGNORECASE,
)
_TRIM = re.compile(r"^(?:on|in|from|of|at|the|since)\s+|\s+(?:on|in|of|at|the|and|or)$", re.I)
# What makes a phrase a date at all: a number, a month or a weekday, or a relative period
# (dateparser also reads "now", "a second" and "We" as dates).
_DATE_WORD = re.compile(
    r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|day\b|"
    r"\b(?:weeks?|months?|years?)\b",
    re.IGNORECASE,
)
# A length of time: "72 hours", "the next two weeks", "four hours", "three days".
UNITS = {"minute": "M", "hour": "H", "day": "D", "week": "D", "month": "M", "year": "Y"}
_WORDS = (
    "a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    "eighty|ninety|hundred"
)
_NUMBER = rf"(?:\d+|(?:{_WORDS})(?:[- ](?:{_WORDS}))*)"
_LENGTH = re.compile(rf"\b(?P<number>{_NUMBER})[\s-]+(?P<unit>minute|hour|day|week|month|year)s?\b",
                     re.IGNORECASE)  # fmt: skip
_WITHIN = re.compile(r"\bwithin\s+(?:the\s+)?(?:next\s+)?$", re.IGNORECASE)
# Words that make a bare month or season of a sentence point ahead ("is expected in the
# spring") rather than back ("was held in September").
_AHEAD = re.compile(r"\b(?:will|expected|planned|scheduled|due|next|upcoming|set to)\b", re.I)


@dataclass(frozen=True)
class DateMention:
    """A date or a period in the text, resolved against the document's date.

    ``value`` is a date at the precision the text gives (YYYY, YYYY-MM or YYYY-MM-DD) or
    EDTF (a season, an approximate date); ``within`` an ISO 8601 duration for "within
    the next two weeks"; ``deadline`` says the words set a limit ("by", "within")."""

    start: int
    end: int
    wording: str
    value: str | None
    within: str | None = None
    deadline: bool = False

    @property
    def day(self) -> dt.date | None:
        """The day, when the value is one."""
        value = self.value or ""
        return dt.date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d\d-\d\d", value) else None


@dataclass(frozen=True)
class Length:
    """A length of time in the text ("for four hours"), as an ISO 8601 duration."""

    start: int
    end: int
    wording: str
    duration: str


def duration(number: str, unit: str) -> str | None:
    """``("72", "hours")`` as ``PT72H``; numbers may be words ("two", "seventy-two")."""
    parsed = int(number) if number.isdigit() else parse_number(number.replace("-", " "))
    count = 1 if number.lower() in ("a", "an", "one") else parsed
    unit = unit.lower().rstrip("s")
    if not isinstance(count, int) or count <= 0 or unit not in UNITS:
        return None
    if unit == "week":  # xsd:duration has no weeks
        count *= 7
    return f"PT{count}{UNITS[unit]}" if unit in ("hour", "minute") else f"P{count}{UNITS[unit]}"


def find_lengths(sentence: Sentence) -> list[Length]:
    """Lengths of time in a sentence ("for four hours", "two days of negotiations")."""
    found = []
    for match in _LENGTH.finditer(sentence.text):
        value = duration(match.group("number"), match.group("unit"))
        if value:
            start = sentence.start + match.start()
            found.append(Length(start, sentence.start + match.end(), match.group(), value))
    return found


@cache
def _parser(prefer: str) -> DateDataParser:
    return DateDataParser(languages=["en"], settings={"PREFER_DATES_FROM": prefer})


_PERIODS = {"day": 10, "month": 7, "year": 4}


def resolve(words: str, base: dt.date, prefer: str = "past") -> str | None:
    """``words`` as a date at its precision (a week is no date), resolved against
    ``base``; ``prefer`` is "past" or "future" for a date without its year."""
    parser = _parser(prefer)
    parser._settings.RELATIVE_BASE = dt.datetime.combine(base, dt.time())
    data = parser.get_date_data(words)
    if data.date_obj is None or data.period not in _PERIODS:
        return None
    day: dt.date = data.date_obj.date()
    return day.isoformat()[: _PERIODS[str(data.period)]]


def _season(match: re.Match[str], base: dt.date, ahead: bool) -> str:
    """A season as EDTF (YYYY-21 spring ... YYYY-24 winter), the year being the one the
    text gives or, without one, the latest such season begun by ``base`` (or the next
    one to begin after it, when the sentence looks ahead)."""
    code = SEASON_CODES[match.group("season").lower()]
    if match.group("year"):
        return f"{match.group('year')}-{code}"
    first_month = {21: 3, 22: 6, 23: 9, 24: 12}[code]
    year = base.year
    if ahead:
        return f"{year if (base.month, base.day) < (first_month, 1) else year + 1}-{code}"
    return f"{year if base.month >= first_month else year - 1}-{code}"


_ISO_DAY = re.compile(r"\b\d{4}-\d\d-\d\d\b")


def first_full_date(text: str) -> tuple[dt.date, str] | None:
    """The first day the text gives with its month and year ("Tuesday, February 17,
    2026", "2026-02-17"), and its words: what the article's events are dated by."""
    found = sorted([*_FULL.finditer(text), *_ISO_DAY.finditer(text)], key=lambda m: m.start())
    for match in found:
        if not re.search(r"\d{4}", match.group()):
            continue
        value = resolve(match.group(), dt.date.today())
        if value and len(value) == 10:
            return dt.date.fromisoformat(value), match.group()
    return None


def find_dates(text: str, base: dt.date | None, spans: Iterable[Sentence]) -> list[DateMention]:
    """Dates in each sentence of ``text``, resolved against ``base`` (today if None);
    the leading words that belong to them are kept in the wording."""
    base = base or dt.date.today()
    found: list[DateMention] = []

    def add(mention: DateMention | None) -> None:
        if mention and not any(m.start < mention.end and mention.start < m.end for m in found):
            found.append(mention)

    for sentence in spans:
        ahead = bool(_AHEAD.search(sentence.text))
        for pattern in (_FULL, _MONTH_YEAR):
            for match in pattern.finditer(sentence.text):
                add(_date(sentence, match.group(), match.start(), base, ahead))
        for match in _SEASON.finditer(sentence.text):
            if match.group("year") or re.search(r"\b(?:in|during|by|until)\s+$",
                                                sentence.text[: match.start()]):  # fmt: skip
                add(_mention(sentence, match.start(), match.end(), _season(match, base, ahead)))
        for match in _LENGTH.finditer(sentence.text):
            within = _WITHIN.search(sentence.text[: match.start()])
            value = duration(match.group("number"), match.group("unit"))
            if within and value:
                start, end = sentence.start + within.start(), sentence.start + match.end()
                add(DateMention(start, end, text[start:end], None, value, True))
        for phrase, at in _searched(sentence, base):
            core = phrase
            while (trimmed := _TRIM.sub("", core).strip()) != core:
                core = trimmed
            if _DATE_WORD.search(core):
                add(_date(sentence, core, at + phrase.find(core), base, ahead))
        for match in _SAME_DAY.finditer(sentence.text):
            start = sentence.start + match.start()
            add(DateMention(start, start + len(match.group()), match.group(), base.isoformat()))
        for match in _SAME_MONTH.finditer(sentence.text):  # the month of the date before
            before = [m for m in found if m.end <= sentence.start + match.start()
                      and re.fullmatch(r"\d{4}-\d\d(?:-\d\d)?", m.value or "")]  # fmt: skip
            if before:
                month = max(before, key=lambda m: m.end).value or ""
                add(_mention(sentence, match.start(), match.end(), month[:7]))
    return sorted(found, key=lambda m: m.start)


def _searched(sentence: Sentence, base: dt.date) -> list[tuple[str, int]]:
    """What dateparser's search finds in a sentence, with offsets in the sentence."""
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
    return phrases + [(m.group(), m.start()) for m in _RELATIVE.finditer(sentence.text)]


def _mention(sentence: Sentence, at: int, end: int, value: str) -> DateMention:
    """A date found at ``at``..``end`` of the sentence, with the words before it."""
    lead = _LEADS.search(sentence.text[:at])
    if lead and lead.group("approximate"):
        value += "~"
    start = sentence.start + (lead.start() if lead else at)
    wording = sentence.text[start - sentence.start : end]
    return DateMention(start, sentence.start + end, wording, value,
                       deadline=bool(lead and lead.group("deadline")))  # fmt: skip


def _date(sentence: Sentence, core: str, at: int, base: dt.date, ahead: bool
          ) -> DateMention | None:  # fmt: skip
    if core.isdigit() and not 1000 < int(core) < 2200:
        return None
    if _LENGTH.fullmatch(core) or re.fullmatch(
        r"(?!this |last |next )(?:\w+ )?(?:days?|weeks?|months?|years?|decades?|centur(?:y|ies))",
        core, re.I,
    ):  # fmt: skip
        return None  # a bare length of time ("two weeks", "a decade") is no date
    lead = _LEADS.search(sentence.text[:at])
    value = resolve(core, base, "past")
    forward = ahead or bool(lead and lead.group("deadline"))
    if forward and (value is None or not base.isoformat().startswith(value)):
        # a month or year ahead: this one while it lasts ("by the end of March" written
        # in March), else the next
        value = resolve(core, base, "future")
    if value is None:
        return None
    return _mention(sentence, at, at + len(core), value)
