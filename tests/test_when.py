"""Dates as the source gives them (kg/when.py): a plain day, month or year, or EDTF
seasons, qualified dates and intervals, with the bounds OWL-Time instants get."""

from __future__ import annotations

import pytest

from kg.values import BadValue, PartialDate
from kg.when import parse_when

D = PartialDate


@pytest.mark.parametrize(
    ("text", "begin", "end", "enclosing"),
    [
        ("2026-01-12", D(2026, 1, 12), D(2026, 1, 12), D(2026, 1, 12)),
        ("2026", D(2026), D(2026), D(2026)),
        ("2025-22", D(2025, 6), D(2025, 8), D(2025)),  # the summer of 2025
        ("2025-21", D(2025, 3), D(2025, 5), D(2025)),
        ("2024-24", D(2024, 12), D(2025, 2), None),  # winter spans the turn of the year
        ("2026-01-12/2026-01-13", D(2026, 1, 12), D(2026, 1, 13), D(2026, 1)),
        ("2026-01-31/2026-02-01", D(2026, 1, 31), D(2026, 2, 1), D(2026)),
        ("2025-21/2025-22", D(2025, 3), D(2025, 8), D(2025)),
        ("2026-03/..", D(2026, 3), None, None),  # open end
        ("../2026", None, D(2026), None),
        ("2025-06~", D(2025, 6), D(2025, 6), None),  # approximate: no plain date
        ("2025?", D(2025), D(2025), None),
    ],
)
def test_bounds_and_the_plain_date_that_holds_them(
    text: str, begin: D | None, end: D | None, enclosing: D | None
) -> None:
    when = parse_when(text)
    assert (when.begin, when.end, when.enclosing()) == (begin, end, enclosing)
    assert when.plain == (text in ("2026-01-12", "2026"))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("summer 2025", "a season as YYYY-21"),
        ("2025-13", "has no month 13"),
        ("2026-02-30", "February 2026 has 28 days"),
        ("2026-01-13/2026-01-12", "ends before it begins"),
        ("2025-25", "EDTF this graph does not read"),  # a level 2 season
        ("2025-06-XX", "EDTF this graph does not read"),  # unspecified digits
        ("around June", "is not a date"),
    ],
)
def test_a_date_that_is_not_one_says_how_to_write_it(text: str, says: str) -> None:
    with pytest.raises(BadValue) as error:
        parse_when(text)
    assert says in str(error.value)
