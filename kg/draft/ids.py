"""Ids for what a draft adds: readable, and unique across the whole seeds folder.

An id names what it stands for ("port-halden-round", "strand-frank-and-useful"). When
that is taken (by the registry, by a claim or a proposal of any document, or earlier in
this draft), it is made more specific with what tells the two apart — a round's number,
a date, the negotiation — rather than with a counter that reads as part of the name
("muscat-round-2" for the third round in Muscat). A counter is the last resort.
"""

from __future__ import annotations

import re
import unicodedata

# Words an id can do without.
_FILLERS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "to",
        "in",
        "on",
        "at",
        "for",
        "by",
        "with",
        "that",
        "this",
        "these",
        "those",
        "is",
        "was",
        "were",
        "be",
        "been",
        "has",
        "had",
        "have",
        "it",
        "its",
        "their",
        "his",
        "her",
        "as",
        "from",
    ]
)


def words(text: str) -> list[str]:
    """The words of ``text`` in lowercase ASCII (accents dropped)."""
    spaced = re.sub(r"['\u2019]s\b|[^\w]+", " ", text)  # "Kestria–Valdonia": two words
    folded = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", folded.lower())


def slug(text: str, limit: int = 60) -> str:
    """``text`` as an id: its words joined by hyphens, cut at a word, at most ``limit``
    characters."""
    out = ""
    for word in words(text):
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    return out or "claim"


def gist(text: str, count: int = 5) -> str:
    """The first ``count`` words of ``text`` that carry meaning, for an id."""
    kept = [w for w in words(text) if w not in _FILLERS]
    return " ".join(kept[:count]) or " ".join(words(text)[:count])


class Ids:
    """Fresh ids, unique among ``taken`` (every id of the seeds) and each other."""

    def __init__(self, taken: frozenset[str] | set[str]) -> None:
        self.taken = set(taken)

    def new(self, name: str, *qualifiers: str) -> str:
        """``name`` as an id; if taken, with the qualifiers added one by one; if still
        taken, with a counter."""
        candidate = slug(name)
        for qualifier in ("", *qualifiers):
            if qualifier:
                candidate = slug(f"{candidate} {qualifier}", 80)
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        n = 2
        while f"{candidate}-{n}" in self.taken:
            n += 1
        self.taken.add(f"{candidate}-{n}")
        return f"{candidate}-{n}"
