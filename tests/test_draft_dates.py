"""Dates as ``kg draft`` reads them (kg/draft/dates.py): resolved against the document's
date at the precision the text gives, in EDTF where a plain date cannot say it, with
the words that belong to them; lengths of time as ISO 8601 durations."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.draft.dates import DateMention, duration, find_dates, find_lengths, first_full_date
from kg.draft.text import sentences
from kg.when import parse_when

NOVEMBER = dt.date(2025, 11, 13)


def _dates(text: str, base: dt.date = NOVEMBER) -> list[DateMention]:
    return find_dates(text, base, sentences(text))


def _one(text: str, base: dt.date = NOVEMBER) -> DateMention:
    found = _dates(text, base)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "wording", "value"),
    [
        # a weekday before a full date is one date, not "last Thursday" and a date
        ("They met on Thursday, 13 November 2025, in Vienna.", "Thursday, 13 November 2025",
         "2025-11-13"),
        ("They met on Tuesday, February 17, 2026.", "Tuesday, February 17, 2026", "2026-02-17"),
        ("The round opened on Wednesday, 12 November.", "Wednesday, 12 November", "2025-11-12"),
        ("The first round was held in November 2024.", "November 2024", "2024-11"),
        ("The talks began after a drought in the summer of 2025.", "the summer of 2025",
         "2025-22"),
        ("A fifth round is expected in the spring.", "the spring", "2026-21"),
        ("The first round was held in the spring.", "the spring", "2025-21"),
        ("Floods struck the delta around June 2025.", "around June 2025", "2025-06~"),
        ("The talks stalled in early October.", "early October", "2025-10"),
    ],
)  # fmt: skip
def test_dates_at_their_precision(text: str, wording: str, value: str) -> None:
    found = _one(text)
    assert (found.wording, found.value) == (wording, value)
    parse_when(value)  # every value is one an annotation takes


def test_a_month_named_later_is_the_one_before() -> None:
    text = "The second round was held in early October and the third later that month."
    assert [(d.wording, d.value) for d in _dates(text)] == [
        ("early October", "2025-10"),
        ("later that month", "2025-10"),
    ]


@pytest.mark.parametrize(
    ("base", "value"),
    [(NOVEMBER, "2026-03"), (dt.date(2026, 3, 5), "2026-03"), (dt.date(2026, 2, 17), "2026-03")],
)
def test_a_deadline_by_a_month_is_the_next_such_month(base: dt.date, value: str) -> None:
    found = _one("Arland promised to send its data by the end of March.", base)
    assert found.deadline and found.wording == "by the end of March"
    assert found.value == value


@pytest.mark.parametrize(
    ("text", "within"),
    [
        ("The parties will meet again within the next two weeks.", "P14D"),
        ("Detainees will be released within 72 hours of the signing.", "PT72H"),
        ("They will answer within seventy-two hours.", "PT72H"),
        ("A report is due within a month.", "P1M"),
    ],
)
def test_a_deadline_within_a_length_of_time(text: str, within: str) -> None:
    found = _one(text)
    assert found.deadline and found.within == within and found.value is None


def test_lengths_of_time_are_no_dates() -> None:
    text = "The outline was the best they had had in a decade, after two weeks of talks."
    assert _dates(text) == []
    [sentence] = sentences("The delegation walked out for four hours.")
    assert [(n.wording, n.duration) for n in find_lengths(sentence)] == [("four hours", "PT4H")]


@pytest.mark.parametrize(
    ("number", "unit", "value"),
    [("2", "weeks", "P14D"), ("three", "days", "P3D"), ("an", "hour", "PT1H"),
     ("eighteen", "months", "P18M"), ("0", "days", None), ("many", "days", None)],
)  # fmt: skip
def test_durations(number: str, unit: str, value: str | None) -> None:
    assert duration(number, unit) == value


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Talks resumed on Thursday, 13 November 2025, in Vienna.",
         (dt.date(2025, 11, 13), "Thursday, 13 November 2025")),
        ("In March the sides met; on 2026-02-17 they met again.",
         (dt.date(2026, 2, 17), "2026-02-17")),
        ("They met on 12 November and again in 2026.", None),
    ],
)  # fmt: skip
def test_the_events_date_is_the_first_full_date(text: str, found: object) -> None:
    assert first_full_date(text) == found
