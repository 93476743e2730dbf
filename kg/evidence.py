"""Find evidence quotes in their source document.

Offsets follow the W3C Web Annotation Data Model (section 4.2.4, Text Position
Selector): counted in Unicode code points from the start of the text, ``start``
inclusive and ``end`` exclusive. The Text Quote Selector (section 4.2.4) keeps the
exact quote with a short prefix and suffix.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

AFFIX_LENGTH = 32

# A sentence ends at . ! or ? (possibly followed by a closing quote or bracket) and
# whitespace, or at a line break.
_SENTENCE_END = re.compile('(?<=[.!?])["\u201d\u2019)\\]]?\\s+|\n+')

# Characters people type in place of the typographic ones, and back.
_LOOKALIKES = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',  # curly double quotes
        "\u2018": "'",
        "\u2019": "'",  # curly single quotes
        "\u2014": "-",
        "\u2013": "-",  # em and en dashes
        "\u00a0": " ",  # no-break space
    }
)


class QuoteNotFound(Exception):
    def __init__(self, hint: str) -> None:
        super().__init__(hint)
        self.hint = hint


class QuoteAmbiguous(Exception):
    def __init__(self, starts: list[int]) -> None:
        super().__init__(f"occurs {len(starts)} times")
        self.starts = starts


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    sentence: str


@dataclass(frozen=True)
class SourceText:
    """A document's text, with its sentence boundaries computed once."""

    text: str

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [0, *(m.end() for m in _SENTENCE_END.finditer(self.text))]

    def locate(self, quote: str, occurrence: int | None = None) -> Span:
        """The span of ``quote``; ``occurrence`` (1-based) picks one of several."""
        if not quote.strip():
            raise QuoteNotFound("the quote is empty: copy a passage of the document")
        starts = self._occurrences(quote)
        if not starts:
            raise QuoteNotFound(self._near_miss(quote))
        if occurrence is None:
            if len(starts) > 1:
                raise QuoteAmbiguous(starts)
            occurrence = 1
        if occurrence > len(starts):
            raise QuoteNotFound(
                f"it occurs {len(starts)} time(s), so there is no occurrence "
                f"{occurrence}: use a number from 1 to {len(starts)}"
            )
        start = starts[occurrence - 1]
        return self.span(start, start + len(quote))

    def _occurrences(self, quote: str) -> list[int]:
        """Where ``quote`` starts, each occurrence not overlapping the one before."""
        starts, at = [], self.text.find(quote)
        while at >= 0:
            starts.append(at)
            at = self.text.find(quote, at + len(quote))
        return starts

    def span(self, start: int, end: int) -> Span:
        text = self.text
        return Span(
            start,
            end,
            text[start:end],
            text[max(0, start - AFFIX_LENGTH) : start],
            text[end : end + AFFIX_LENGTH],
            self.sentence_around(start, end),
        )

    def sentence_around(self, start: int, end: int) -> str:
        """The sentence(s) that hold ``text[start:end]``."""
        starts = self._sentence_starts
        first = starts[bisect.bisect_right(starts, start) - 1]
        after = bisect.bisect_left(starts, end)
        last = starts[after] if after < len(starts) else len(self.text)
        return self.text[first:last].strip()

    def _near_miss(self, quote: str) -> str:
        """Explain why a quote is not found, when a close variant is."""
        loose_text, loose_quote = _loosen(self.text), _loosen(quote)
        if loose_quote in loose_text:
            return (
                "it differs from the document only in quotation marks, dashes, spaces or"
                " letter case: copy it from the document character for character"
            )
        words = quote.split()
        for size in range(len(words) - 1, 0, -1):
            for first in range(len(words) - size + 1):
                part = " ".join(words[first : first + size])
                if len(part) >= 12 and part in self.text:
                    return (
                        f"the document has {part!r} but not the whole quote: copy the "
                        "quote from the document character for character"
                    )
        return "copy the quote from the document character for character"


def _loosen(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_LOOKALIKES).lower()
    return re.sub(r"\s+", " ", text)
