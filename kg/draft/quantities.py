"""Numbers an article states, as annotation quantities (docs/annotations.md: a block of
``value`` or ``at least`` / ``at most``, ``unit``, ``of``, ``approximate``, ``wording``):
a number with a unit of the unit scheme ("a minimum flow of 40 cubic metres per
second") or a count of something ("200 detainees", "14 civilians were killed").

Only numbers written in digits are read; a year, a date and a length of time are none.
The unit is the longest run of words after the number that names a unit concept; what
it measures is the noun before "of" ("a guaranteed minimum flow of 40 ..."), with what
follows the unit up to the end of the clause; what a count counts is the plural noun
after the number, with a participle that says what befell them ("civilians killed").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.draft.text import Sentence
from kg.vocabulary import ConceptIndex

_QUALIFIERS = {
    "about": "approximate", "around": "approximate", "approximately": "approximate",
    "some": "approximate", "nearly": "approximate", "almost": "approximate",
    "roughly": "approximate", "an estimated": "approximate",
    "at least": "at least", "more than": "at least", "over": "at least",
    "at most": "at most", "up to": "at most", "fewer than": "at most", "less than": "at most",
}  # fmt: skip
_NUMBER = re.compile(
    rf"(?:\b(?P<qualifier>{'|'.join(_QUALIFIERS)})\s+)?"
    r"(?<![\w.,-])(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w.,]?\d)(?!\s*%|\s*per ?cent)"
    r"(?:\s+(?P<scale>thousand|million|billion))?",
    re.IGNORECASE,
)
_SCALES = {"thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_TIME = re.compile(r"^\s+(?:minutes?|hours?|days?|weeks?|months?|years?|decades?)\b", re.I)
_COUNTED = re.compile(
    r"^\s+(?P<noun>(?:[a-z]+-)?[a-z]+s)\b(?:\s+(?:were|had been|have been|are|was)?\s*"
    r"(?P<fate>killed|wounded|injured|displaced|detained|arrested|released|freed|missing|"
    r"dead|held))?"
)
_MEASURED = re.compile(r"\b(?:an?|the|its|their)\s+(?P<of>(?:[a-z-]+\s+){0,3}?[a-z-]+)\s+of\s+$")
_CLAUSE_REST = re.compile(r"^(?P<rest>(?:\s+(?:at|in|during|on|across|along|for|from|to)\s+"
                          r"[^,;.]+?)*)(?=[,;.]|$)")  # fmt: skip


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    wording: str
    fields: dict[str, str]


def find_quantities(sentence: Sentence, concepts: ConceptIndex,
                    skip: list[tuple[int, int]]) -> list[Quantity]:  # fmt: skip
    """The quantities of a sentence; ``skip`` holds spans that are no quantity (dates)."""
    found = []
    text = sentence.text
    for match in _NUMBER.finditer(text):
        start, end = sentence.start + match.start("number"), sentence.start + match.end()
        if any(s < end and start < e for s, e in skip):
            continue
        number = match.group("number").replace(",", "")
        if match.group("scale"):
            number = str(int(float(number) * _SCALES[match.group("scale").lower()]))
        after = text[match.end() :]
        if _TIME.match(after) or (len(number) == 4 and 1900 <= int(number) <= 2100):
            continue
        fields: dict[str, str] = {}
        qualifier = _QUALIFIERS.get((match.group("qualifier") or "").lower())
        fields["at least" if qualifier == "at least" else
               "at most" if qualifier == "at most" else "value"] = number  # fmt: skip
        unit, unit_end = _unit(after, concepts)
        if unit is not None:
            fields["unit"] = unit
            measured = _MEASURED.search(text[: match.start()])
            rest = _CLAUSE_REST.match(after[unit_end:])
            if measured:
                fields["of"] = measured.group("of") + (rest.group("rest") if rest else "")
            end = sentence.start + match.end() + unit_end
        else:
            counted = _COUNTED.match(after)
            if counted is None:
                continue
            fields["of"] = counted.group("noun") + (
                f" {counted.group('fate')}" if counted.group("fate") else "")  # fmt: skip
            end = sentence.start + match.end() + counted.end()
        if qualifier == "approximate":
            fields["approximate"] = "yes"
        begin = sentence.start + match.start()
        fields["wording"] = " ".join(text[begin - sentence.start : end - sentence.start].split())
        found.append(Quantity(begin, end, fields["wording"], fields))
    return found


def _unit(after: str, concepts: ConceptIndex) -> tuple[str | None, int]:
    """The unit concept named by the longest run of words after a number, and where the
    run ends (in ``after``)."""
    words = list(re.finditer(r"[A-Za-z0-9/]+", after[:80]))
    if not words or words[0].start() > 1:
        return None, 0
    for count in range(min(5, len(words)), 0, -1):
        phrase = after[words[0].start() : words[count - 1].end()]
        concept = concepts.find("unit", phrase)
        if concept is not None:
            return str(concept).rsplit("/", 1)[-1], words[count - 1].end()
    return None, 0
