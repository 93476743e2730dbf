"""Dates as the graph keeps them, at their precision (XML Schema 1.1 Part 2: ``xsd:gYear``,
``xsd:gYearMonth``, ``xsd:date``), read as the interval of days they stand for, and
written as a reader expects ("February 2026", not "2026-02-01").

>>> w = when("2026-02")
>>> (w.first.isoformat(), w.last.isoformat(), w.text, w.precision)
('2026-02-01', '2026-02-28', 'February 2026', 'month')
>>> when("17 Feb") is None
True
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_LEXICAL = re.compile(r"^(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:Z|[+-]\d{2}:\d{2})?$")


@dataclass(frozen=True, order=True)
class When:
    first: dt.date
    last: dt.date
    precision: str  # "year", "month" or "day"
    lexical: str
    parts: tuple[When, ...] = ()  # an interval's two bounds
    qualifier: str = ""  # "about" (EDTF ~), "perhaps" (?), or both

    @property
    def machine(self) -> str:
        """For HTML's ``datetime`` attribute, which takes no interval: its first bound."""
        return self.parts[0].lexical if self.parts else self.lexical

    @property
    def text(self) -> str:
        if self.parts:
            first, last = self.parts
            shown = f"{first.text} – {last.text}" if first != last else first.text
            return f"{self.qualifier} {shown}".strip()
        if self.precision == "year":
            return str(self.first.year)
        if self.precision == "month":
            return f"{calendar.month_name[self.first.month]} {self.first.year}"
        return f"{self.first.day} {calendar.month_name[self.first.month]} {self.first.year}"


def when(lexical: str | None) -> When | None:
    """The interval of a date literal, or None for anything else."""
    match = _LEXICAL.match((lexical or "").strip())
    if match is None:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if month is None:
            return When(dt.date(year, 1, 1), dt.date(year, 12, 31), "year", lexical or "")
        if day is None:
            end = calendar.monthrange(year, month)[1]
            return When(dt.date(year, month, 1), dt.date(year, month, end), "month", lexical or "")
        day_of = dt.date(year, month, day)
    except ValueError:  # year 0, month 13, 30 February
        return None
    return When(day_of, day_of, "day", lexical or "")


def span(first: When | None, last: When | None, edtf: str = "") -> When | None:
    """One interval from the start of ``first`` to the end of ``last`` (a round over
    several days; an OWL-Time interval with its EDTF text); an open end is the other
    bound's.

    >>> span(when("2026-01-12"), when("2026-01-13"), "2026-01-12/2026-01-13").text
    '12 January 2026 – 13 January 2026'
    >>> span(when("2025-06"), when("2025-06"), "2025-06~").text
    'about June 2025'
    """
    first, last = first or last, last or first
    if first is None or last is None:
        return None
    precision = first.precision if first.precision == last.precision else "day"
    qualifier = {"~": "about", "?": "perhaps", "%": "perhaps about"}.get(
        next((c for c in edtf if c in "~?%"), ""), ""
    )
    lexical = edtf or f"{first.lexical}/{last.lexical}"
    return When(first.first, last.last, precision, lexical, (first, last), qualifier)
