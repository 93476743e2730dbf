"""Typed values from the text a person wrote: dates kept at their precision, ISO 8601
durations, deadlines resolved against a dated event.

Datatypes are those of XML Schema 1.1 Part 2 (xsd:gYear, xsd:gYearMonth, xsd:date,
xsd:duration), which RDF 1.1 uses for literals.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from rdflib import XSD, Literal

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DURATION = re.compile(
    r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


class BadValue(ValueError):
    """A value that does not read as its kind; the message says how to write it."""


@dataclass(frozen=True)
class PartialDate:
    """A date at year, month or day precision."""

    year: int
    month: int | None = None
    day: int | None = None

    def literal(self) -> Literal:
        if self.month is None:
            return Literal(f"{self.year:04d}", datatype=XSD.gYear)
        if self.day is None:
            return Literal(f"{self.year:04d}-{self.month:02d}", datatype=XSD.gYearMonth)
        return Literal(f"{self.year:04d}-{self.month:02d}-{self.day:02d}", datatype=XSD.date)

    def as_date(self) -> dt.date | None:
        """The full date, or None when only the year or month is known."""
        if self.month is None or self.day is None:
            return None
        return dt.date(self.year, self.month, self.day)


def parse_date(text: str) -> PartialDate:
    match = _DATE.match(text.strip())
    if not match:
        raise BadValue(
            f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD, at the "
            "precision the source gives"
        )
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        raise BadValue(f"{text!r} has no month {month}: months run from 01 to 12")
    if month is not None and day is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise BadValue(
                f"{text!r} is not a day of the calendar: "
                f"{calendar.month_name[month]} {year} has {last} days"
            )
    return PartialDate(year, month, day)


@dataclass(frozen=True)
class Duration:
    years: int
    months: int
    days: int  # weeks are folded into days
    seconds: float
    text: str

    def literal(self) -> Literal:
        return Literal(self.text, datatype=XSD.duration)

    def after(self, start: dt.date) -> dt.date:
        """``start`` plus this duration, by the calendar (XML Schema 1.1 Part 2, E.3.3)."""
        months = start.month - 1 + self.months + 12 * self.years
        year, month = start.year + months // 12, months % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        extra_days = self.days + int(self.seconds // 86400)
        return dt.date(year, month, day) + dt.timedelta(days=extra_days)


def parse_duration(text: str) -> Duration:
    match = _DURATION.match(text.strip())
    if not match:
        raise BadValue(
            f"{text!r} is not an ISO 8601 duration: write P14D for 14 days, P8M "
            "for 8 months, PT3H30M for three and a half hours"
        )
    years, months, weeks, days, hours, minutes = (int(g) if g else 0 for g in match.groups()[:6])
    seconds = float(match.group(7) or 0) + 60 * minutes + 3600 * hours
    canonical = text.strip()
    if weeks:  # xsd:duration has no weeks: fold them into days, keep the time part
        _, t, time_part = canonical.partition("T")
        units = ((years, "Y"), (months, "M"), (days + 7 * weeks, "D"))
        canonical = "P" + "".join(f"{n}{unit}" for n, unit in units if n) + t + time_part
    return Duration(years, months, days + 7 * weeks, seconds, canonical)


def parse_date_time(text: str) -> Literal:
    """An ISO 8601 date-time with its time zone, as an xsd:dateTime (UTC kept as Z)."""
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadValue(
            f"{text!r} is not a date-time with a time zone: write it as 2026-11-27T10:15:00Z"
        )
    return Literal(text.strip(), datatype=XSD.dateTime)


def parse_positive_integer(text: str) -> Literal:
    if not text.strip().isdigit() or int(text) < 1:
        raise BadValue(f"{text!r} is not a whole number from 1")
    return Literal(int(text), datatype=XSD.positiveInteger)


def parse_boolean(text: str) -> Literal:
    value = text.strip().lower()
    if value in {"yes", "true"}:
        return Literal(True)
    if value in {"no", "false"}:
        return Literal(False)
    raise BadValue(f"{text!r} is not yes or no")
