"""When something happened, as the source gives it: a day, a month or a year, or in
the Extended Date/Time Format (EDTF; Library of Congress 2019, the profile of ISO
8601-2 at https://www.loc.gov/standards/datetime/) a season, an approximate or
uncertain date, or an interval.

============================  =========================  ===========================
the source says               write                      bounds (OWL-Time instants)
============================  =========================  ===========================
"on 12 January 2026"          ``2026-01-12``             (a plain date: no bounds)
"the summer of 2025"          ``2025-22``                2025-06 .. 2025-08
"around June 2025"            ``2025-06~``               2025-06 .. 2025-06
"from 12 to 13 January"       ``2026-01-12/2026-01-13``  2026-01-12 .. 2026-01-13
"since March"                 ``2026-03/..``             2026-03 .. (open)
============================  =========================  ===========================

The EDTF parser of the ``edtf`` package checks the syntax and splits intervals; the
bounds of each side are read here. Seasons are the northern hemisphere's meteorological
ones (EDTF codes 21 spring: March to May, 22 summer, 23 autumn, 24 winter: December to
February of the next year). Qualified dates (``?`` uncertain, ``~`` approximate, ``%``
both) keep the bounds of the date as written; the qualifier stays in the EDTF string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edtf import parse_edtf
from edtf.parser.edtf_exceptions import EDTFParseException

from kg.values import BadValue, PartialDate, parse_date

_PLAIN = re.compile(r"^\d{4}(?:-(?!2[1-9]|[3-9]\d)\d{2}(?:-\d{2})?)?$")  # not a season (21+)
_SIDE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([?~%]?)$")
SEASONS = {21: (3, 5, 0), 22: (6, 8, 0), 23: (9, 11, 0), 24: (12, 2, 1)}  # first, last, +years
HOW = (
    "write YYYY, YYYY-MM or YYYY-MM-DD; a season as YYYY-21 (spring), -22 (summer), -23 "
    "(autumn) or -24 (winter); ~ after a date for 'about', ? for 'perhaps'; an interval as "
    "FIRST/LAST, with .. for an open end (EDTF, docs/annotations.md)"
)


@dataclass(frozen=True)
class When:
    """A date as written, and the first and last instant it can stand for."""

    text: str
    begin: PartialDate | None  # None: open or unknown
    end: PartialDate | None
    qualified: bool  # uncertain or approximate somewhere

    @property
    def plain(self) -> bool:
        """A day, a month or a year and nothing more: written as ``nkg:date`` alone."""
        return bool(_PLAIN.match(self.text))

    def enclosing(self) -> PartialDate | None:
        """The narrowest day, month or year that holds the whole of it: the month of a
        round over two days of January, the year of a summer. None when it is qualified,
        open, or spans the turn of a year."""
        if self.qualified or self.begin is None or self.end is None:
            return None
        begin, end = self.begin, self.end
        if begin.year != end.year:
            return None
        if begin.month is None or begin.month != end.month:
            return PartialDate(begin.year)
        if begin.day is None or begin.day != end.day:
            return PartialDate(begin.year, begin.month)
        return begin


def parse_when(text: str) -> When:
    """Read a date field; a BadValue says how to write it."""
    text = text.strip()
    if _PLAIN.match(text):
        date = parse_date(text)  # says which part of the calendar is wrong
        return When(text, date, date, qualified=False)
    try:
        parsed = parse_edtf(text)
    except EDTFParseException:
        raise BadValue(f"{text!r} is not a date: {HOW}") from None
    lower, upper = getattr(parsed, "lower", None), getattr(parsed, "upper", None)
    if lower is None or upper is None:  # one date
        begin, end, qualified = _side(text, text)
        return When(text, begin, end, qualified)
    first, _, second = _side(str(lower), text)
    _, last, qualified = _side(str(upper), text)
    if (
        first
        and last
        and (first.year, first.month or 1, first.day or 1)
        > (
            last.year,
            last.month or 12,
            last.day or 31,
        )
    ):
        raise BadValue(f"{text!r} ends before it begins: write the earlier date first")
    return When(text, first, last, qualified or second)


def _side(side: str, whole: str) -> tuple[PartialDate | None, PartialDate | None, bool]:
    """The first and last instant of one date of an interval, and whether it is
    qualified; '..' (open) and '' (unknown) have none."""
    if side in ("..", ""):
        return None, None, False
    match = _SIDE.match(side)
    if not match:
        raise BadValue(f"{whole!r} uses EDTF this graph does not read ({side!r}): {HOW}")
    year, month, day = (int(g) if g else None for g in match.groups()[:3])
    assert year is not None
    qualified = bool(match.group(4))
    if month is not None and month in SEASONS:
        first, last, later = SEASONS[month]
        return PartialDate(year, first), PartialDate(year + later, last), qualified
    if month is not None and month > 12:
        raise BadValue(f"{whole!r} uses EDTF this graph does not read ({side!r}): {HOW}")
    date = PartialDate(year, month, day)
    return date, date, qualified
