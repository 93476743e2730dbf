"""Quotes are found by Web Annotation offsets: code points, start inclusive, end exclusive."""

from __future__ import annotations

import pytest

from kg.evidence import QuoteAmbiguous, QuoteNotFound, SourceText

TEXT = (
    'The talks were "constructive," said Ana. Progress was good. '
    "Ben said progress was good — but slow.\nA new paragraph starts here."
)


def test_offsets_select_exactly_the_quote() -> None:
    source = SourceText(TEXT)
    span = source.locate("Progress was good.")
    assert TEXT[span.start : span.end] == "Progress was good."
    assert span.exact == "Progress was good."
    assert span.prefix.endswith("said Ana. ")
    assert span.suffix.startswith(" Ben said")


def test_the_sentence_around_a_quote_is_the_whole_sentence() -> None:
    span = SourceText(TEXT).locate("but slow")
    assert span.sentence == "Ben said progress was good — but slow."


def test_a_quote_spanning_two_sentences_keeps_both() -> None:
    span = SourceText(TEXT).locate("said Ana. Progress")
    assert span.sentence == 'The talks were "constructive," said Ana. Progress was good.'


def test_a_line_break_ends_a_sentence() -> None:
    assert SourceText(TEXT).locate("new paragraph").sentence == "A new paragraph starts here."


def test_offsets_count_code_points_not_bytes() -> None:
    source = SourceText("Iran\u2013Israel war \u2014 in June")  # dashes: one code point each
    span = source.locate("in June")
    assert (span.start, span.end) == (18, 25)


def test_an_ambiguous_quote_lists_where_it_occurs() -> None:
    with pytest.raises(QuoteAmbiguous) as error:
        SourceText(TEXT).locate("was good")
    assert len(error.value.starts) == 2


def test_an_occurrence_picks_one_of_several() -> None:
    source = SourceText(TEXT)
    first, second = source.locate("was good", 1), source.locate("was good", 2)
    assert first.start < second.start
    with pytest.raises(QuoteNotFound, match="occurs 2 time"):
        source.locate("was good", 3)


def test_a_quote_with_typographic_quotation_marks_gets_a_precise_hint() -> None:
    with pytest.raises(QuoteNotFound, match="quotation marks, dashes"):
        SourceText(TEXT).locate("The talks were \u201cconstructive,\u201d said Ana")


def test_a_paraphrase_is_not_evidence() -> None:
    with pytest.raises(QuoteNotFound, match="character for character"):
        SourceText(TEXT).locate("The talks were productive")
