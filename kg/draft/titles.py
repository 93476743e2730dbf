"""People named with a title, as English news reports write them:

* before the name: "Deputy Prime Minister Tomas Hale", "Marenland's Foreign Minister
  Aurelio Dassen", "Brigadier General Oren Vask";
* in apposition before it: "Kestria's Minister of Water Resources, Ilse Marant",
  "Lumeria's mediator, Ambassador Petra Lind";
* in apposition after it: "Colonel Amir Haddad, the Front's military commander".

A title is a few words ending in a word that heads titles (minister, envoy, general,
negotiator...), perhaps with "of ..." after it. Whose title it is (the party) is a
possessive before it ("Kestria's"), a word before it that names a state or an
organisation ("Borovian"; checked by the caller against the registry), or the "of ..."
part. Formal titles before a name are capitalised; a description in lowercase
("chief negotiator", "envoy") reads as a role rather than an office.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.draft.text import Sentence

HEADS = (
    "Minister", "President", "Envoy", "Ambassador", "Adviser", "Advisor", "Secretary",
    "Director", "Spokesman", "Spokeswoman", "Spokesperson", "Chancellor", "Chief",
    "Negotiator", "Commissioner", "Mediator", "Representative", "Sultan", "King", "Queen",
    "Emir", "Senator", "Governor", "Mayor", "Commander", "General", "Colonel", "Major",
    "Captain", "Brigadier", "Premier", "Chair", "Chairman", "Chairwoman", "Leader",
    "Counsel", "Lieutenant", "Admiral", "Marshal", "Consul", "Coordinator", "Delegate",
)  # fmt: skip
MODIFIERS = (
    *HEADS, "Foreign", "Prime", "Deputy", "Vice", "Special", "State", "Senior", "Legal",
    "Defence", "Defense", "Interior", "Water", "Energy", "Finance", "National", "Security",
    "Lead", "Top", "Military", "Ministry", "Assistant", "Acting", "First", "Under",
    "Executive", "Permanent", "Political", "Regional", "Economic",
)  # fmt: skip
_HEAD = rf"(?i:{'|'.join(HEADS)})"
_MOD = rf"(?i:{'|'.join(MODIFIERS)})"
_CAP = r"[A-Z][\w'\u2019-]*"
TITLE = (
    rf"(?:{_MOD}\s+){{0,3}}{_HEAD}\b"
    rf"(?:\s+(?:of|for|to)\s+(?:the\s+)?{_CAP}(?:\s+(?:{_CAP}|of|and|the)){{0,5}}(?<!\bof)"
    rf"(?<!\band)(?<!\bthe))?"
)
_TITLE_WORD = re.compile(rf"^{_MOD}$")
_WORD = r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+|['\u2019][A-Z][a-z]+)?"
NAME = rf"{_WORD}(?:\s+{_WORD}){{1,2}}"
# Whose title: "Kestria's", "the Front's", or one capitalised word ("Borovian").
_PARTY = rf"(?:(?P<party>(?:the\s+)?{_CAP}(?:\s+{_CAP}){{0,3}})['\u2019]s|(?P<adjective>{_CAP}))"
_TITLE_NAME = rf"(?P<title>{TITLE})(?:,\s+(?P<second>{TITLE})\s+|,\s+|\s+)(?P<name>{NAME})"
_BEFORE = re.compile(rf"(?:{_PARTY}\s+)?{_TITLE_NAME}")
_BARE = re.compile(_TITLE_NAME)  # "President Donald Trump" of "President Donald Trump's adviser"
_AFTER = re.compile(
    rf"(?P<name>{NAME}),\s+(?:the\s+)?(?:{_PARTY}\s+)?(?P<title>{TITLE})(?=[\s,.;:()]|$)"
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TitledName:
    """A name with a title: the whole phrase, the name, the title and whose it is."""

    phrase: Span  # from the party (or the title) to the name, as the evidence quote
    name: Span
    title: Span
    party: Span | None  # the possessive's owner, the word before the title, or None
    possessive: bool  # the party is a possessive ("Kestria's")

    @property
    def lowercase(self) -> bool:
        """A description ("chief negotiator") rather than a formal title."""
        head = self.title.text.split(" of ")[0].split()[-1]
        return head.islower()


def _span(sentence: Sentence, match: re.Match[str], group: str) -> Span | None:
    if match.group(group) is None:
        return None
    start, end = match.span(group)
    return Span(sentence.start + start, sentence.start + end, match.group(group))


def _clean_name(name: Span) -> Span | None:
    """The name without title words at its start ("Minister Abbas Araghchi" is the
    name "Abbas Araghchi"); None when fewer than two words are left."""
    words = name.text.split()
    drop = 0
    while drop < len(words) and _TITLE_WORD.match(words[drop]):
        drop += 1
    if len(words) - drop < 2 or any(_TITLE_WORD.match(w) for w in words[drop:]):
        return None
    start = name.start + name.text.index(words[drop]) if drop else name.start
    return Span(start, name.end, name.text[start - name.start :])


def find_titled_names(sentences: list[Sentence]) -> list[TitledName]:
    """Every name with a title in the sentences, before or after it. Each word is tried
    as the start of a phrase, so that "President Donald Trump's adviser Jared Kushner"
    yields both; of the phrases ending in the same title and name, the longest is kept."""
    found: dict[tuple[int, int], TitledName] = {}

    def keep(titled: TitledName) -> None:
        key = (titled.name.start, titled.title.end)
        if key not in found or titled.phrase.start < found[key].phrase.start:
            found[key] = titled

    for sentence in sentences:
        text = sentence.text
        for at in (m.start() for m in re.finditer(r"\b\w", text)):
            for pattern in (_BEFORE, _BARE):
                if (match := pattern.match(text, at)) is not None:
                    for titled in _before(sentence, match):
                        keep(titled)
            if (match := _AFTER.match(text, at)) is not None:
                name, title = _span(sentence, match, "name"), _span(sentence, match, "title")
                assert name is not None and title is not None
                if (name := _clean_name(name)) is not None:
                    words = text[name.start - sentence.start : title.end - sentence.start]
                    phrase = Span(name.start, title.end, words)
                    keep(TitledName(phrase, name, title, *_party(sentence, match)))
    return sorted(found.values(), key=lambda t: (t.phrase.start, t.title.start))


def _party(sentence: Sentence, match: re.Match[str]) -> tuple[Span | None, bool]:
    if "party" not in match.re.groupindex:
        return None, False
    possessive = _span(sentence, match, "party")
    return (possessive, True) if possessive else (_span(sentence, match, "adjective"), False)


def _before(sentence: Sentence, match: re.Match[str]) -> list[TitledName]:
    name, title = _span(sentence, match, "name"), _span(sentence, match, "title")
    assert name is not None and title is not None
    if (name := _clean_name(name)) is None:
        return []
    text, at = sentence.text, sentence.start
    phrase = Span(at + match.start(), name.end, text[match.start() : name.end - at])
    found = [TitledName(phrase, name, title, *_party(sentence, match))]
    second = _span(sentence, match, "second")
    if second is not None:  # "Lumeria's mediator, Ambassador Petra Lind"
        phrase = Span(second.start, name.end, text[second.start - at : name.end - at])
        found.append(TitledName(phrase, name, second, None, False))
    return found
