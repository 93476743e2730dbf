"""Dates keep their precision; durations and deadlines follow XML Schema."""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib import XSD

from kg.values import BadValue, parse_boolean, parse_date, parse_duration


@pytest.mark.parametrize(
    ("text", "datatype"),
    [("2015", XSD.gYear), ("2026-02", XSD.gYearMonth), ("2026-02-17", XSD.date)],
)
def test_a_date_keeps_the_precision_it_is_written_with(text: str, datatype: object) -> None:
    literal = parse_date(text).literal()
    assert str(literal) == text
    assert literal.datatype == datatype


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13", "17 February 2026", "26-02-17", ""])
def test_a_date_that_is_not_one_is_refused_with_how_to_write_it(text: str) -> None:
    with pytest.raises(BadValue) as error:
        parse_date(text)
    assert "YYYY" in str(error.value) or "days" in str(error.value) or "month" in str(error.value)


def test_a_month_has_no_full_date() -> None:
    assert parse_date("2026-02").as_date() is None
    assert parse_date("2026-02-17").as_date() == dt.date(2026, 2, 17)


def test_two_weeks_after_the_geneva_round_is_the_third_of_march() -> None:
    assert parse_duration("P14D").after(dt.date(2026, 2, 17)) == dt.date(2026, 3, 3)
    assert parse_duration("P2W").after(dt.date(2026, 2, 17)) == dt.date(2026, 3, 3)


def test_adding_a_month_clamps_to_the_end_of_a_shorter_month() -> None:
    assert parse_duration("P1M").after(dt.date(2026, 1, 31)) == dt.date(2026, 2, 28)


def test_weeks_are_written_as_days_because_xsd_duration_has_no_weeks() -> None:
    assert str(parse_duration("P2W").literal()) == "P14D"
    assert str(parse_duration("P1WT2H").literal()) == "P7DT2H"
    assert parse_duration("PT3H30M").literal().datatype == XSD.duration


@pytest.mark.parametrize("text", ["P", "PT", "14 days", "P1.5D", "3h"])
def test_a_duration_that_is_not_iso_8601_is_refused(text: str) -> None:
    with pytest.raises(BadValue, match="ISO 8601"):
        parse_duration(text)


def test_yes_and_no_are_booleans_and_maybe_is_not() -> None:
    assert parse_boolean("yes").toPython() is True
    assert parse_boolean("No").toPython() is False
    with pytest.raises(BadValue):
        parse_boolean("maybe")
