"""What the rules read in an article: its sentences (sentencex, Wikimedia's segmenter)
and the registry entities it mentions, each with its character offsets (Unicode code
points, start inclusive, end exclusive, as in W3C Web Annotation Text Position
Selectors). Dates are read by kg/draft/dates.py."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sentencex

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
    of a possessive ('s, ’s), of case, except for short or all-capital names ("US" is
    not "us"), and of a serial comma ("nuclear, legal, and economic" for "nuclear, legal
    and economic", and the other way round)."""
    flags = 0 if len(name) <= 3 or name.isupper() else re.IGNORECASE
    words = name.split()
    parts = []
    for i, word in enumerate(words):
        serial = i + 1 < len(words) and words[i + 1] in ("and", "or") and "," in name
        parts.append(re.escape(word.rstrip(",")) + ",?" if serial else re.escape(word))
    words_pattern = r"\s+".join(parts)
    return re.compile(rf"(?<![\w]){words_pattern}(?=(?:['\u2019]s)?(?![\w]))", flags)


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
