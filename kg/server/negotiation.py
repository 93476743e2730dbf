"""Content negotiation: which representation a client asked for.

* ``Accept`` is read as RFC 9110, section 12.5.1 says: ``q`` weights, the most specific
  matching range, then the server's order, so ``*/*`` (curl, most libraries) gets the
  first offer. A range with an unreadable ``q`` is dropped; a header with no readable
  range accepts anything, as a missing one does.
* An offer is a syntax of :mod:`kg.formats` (or :data:`HTML`): its canonical media
  type, and aliases (``application/json`` for SPARQL JSON results) that count only
  when named, never through a wildcard (``text/*`` is not ``text/xml``).
* SPARQL 1.1 Protocol, sections 2.1.5 and 2.1.6: a ``format`` parameter (a name such as
  ``json`` or ``turtle``, a suffix, or a media type), as SPARQLWrapper and browsers send
  it, wins over ``Accept``. Nothing acceptable on offer: 406 Not Acceptable.

>>> from kg.formats import SINGLE_GRAPH
>>> choose((HTML, *SINGLE_GRAPH), "text/turtle;q=0.9, application/ld+json").name
'jsonld'
>>> choose((HTML, *SINGLE_GRAPH), None) is HTML
True
>>> choose((HTML,), "image/png") is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, TypeVar, cast

from kg.errors import NotAcceptable

MediaRange = tuple[str, str, float]  # type, subtype, q


class Offer(Protocol):
    """What can be offered: a :class:`kg.formats.Syntax` or a :class:`MediaType`."""

    @property
    def name(self) -> str: ...
    @property
    def media_type(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...
    def selected_by(self, value: str) -> bool: ...


@dataclass(frozen=True)
class MediaType:
    """An offer that is no RDF or results syntax (HTML, a JSON listing)."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()

    def selected_by(self, value: str) -> bool:
        return value in (self.name, self.media_type) or value in self.aliases


HTML = MediaType("html", "text/html", ("application/xhtml+xml",))
JSON = MediaType("json", "application/json")
Chosen = TypeVar("Chosen", bound=Offer)


@lru_cache(maxsize=256)
def parse_accept(header: str) -> tuple[MediaRange, ...]:
    """The media ranges of an ``Accept`` header; an empty header accepts anything.

    >>> parse_accept("text/turtle;q=0.5, */*;q=0.1")
    (('text', 'turtle', 0.5), ('*', '*', 0.1))
    """
    ranges: list[MediaRange] = []
    for item in header.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        media = media.lower()
        if media == "*":  # some Java clients send a bare '*'
            media = "*/*"
        kind, slash, sub = media.partition("/")
        if not slash or not kind or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = -1.0
        if q >= 0:
            ranges.append((kind, sub, q))
    return tuple(ranges) if ranges else (("*", "*", 1.0),)


def _quality(media_type: str, ranges: tuple[MediaRange, ...]) -> tuple[float, int]:
    """q and specificity (2 exact, 1 type/*, 0 */*) of the most specific matching range."""
    kind, _, sub = media_type.partition("/")
    best: tuple[float, int] = (0.0, -1)
    for r_kind, r_sub, q in ranges:
        if r_kind == kind and r_sub == sub:
            specificity = 2
        elif r_kind == kind and r_sub == "*":
            specificity = 1
        elif r_kind == "*" and r_sub == "*":
            specificity = 0
        else:
            continue
        if specificity > best[1]:
            best = (q, specificity)
    return best


def preferred(accept: str | None, offers: Sequence[str]) -> str | None:
    """The media type of ``offers`` the client prefers: highest q, then the most
    specific range, then the server's order; None when it accepts none of them.

    >>> preferred("text/csv, */*", ["text/html", "text/csv"])
    'text/csv'
    """
    return _preferred(accept or "", tuple(offers))


@lru_cache(maxsize=512)
def _preferred(accept: str, offers: tuple[str, ...]) -> str | None:
    ranges = parse_accept(accept)
    best: tuple[float, int, int] = (0.0, -1, 0)
    chosen = None
    for index, offer in enumerate(offers):
        q, specificity = _quality(offer, ranges)
        key = (q, specificity, -index)
        if q > 0 and key > best:
            best, chosen = key, offer
    return chosen


@lru_cache(maxsize=512)
def _choose(offers: tuple[Offer, ...], accept: str, requested: tuple[str, ...]) -> Offer | None:
    wanted = [v.strip().lower() for v in requested if v.strip()]
    if wanted:
        for value in wanted:
            for offer in offers:
                if offer.selected_by(value):
                    return offer
        return None
    ranges = parse_accept(accept)
    best: tuple[float, int, int] = (0.0, -1, 0)
    chosen = None
    for index, offer in enumerate(offers):
        for media_type in (offer.media_type, *offer.aliases):
            q, specificity = _quality(media_type, ranges)
            if media_type != offer.media_type and specificity < 2:
                continue  # an alias counts only when named: text/* is not text/xml
            key = (q, specificity, -index)
            if q > 0 and key > best:
                best, chosen = key, offer
    return chosen


def choose(
    offers: tuple[Chosen, ...], accept: str | None, requested: tuple[str, ...] = ()
) -> Chosen | None:
    """The offer to answer with, or None when nothing acceptable is on offer."""
    return cast("Chosen | None", _choose(offers, accept or "", requested))


def refuse(
    what: str, offered: Sequence[Offer], accept: str | None, requested: tuple[str, ...] = ()
) -> NotAcceptable:
    """The 406 for ``what``, naming what the client asked for and what is on offer."""
    types = ", ".join(f.media_type for f in offered)
    names = "|".join(f.name for f in offered)
    asked = (
        f"format={','.join(v for v in requested if v.strip())}"
        if any(v.strip() for v in requested)
        else f"Accept: {accept or '*/*'}"
    )
    return NotAcceptable(
        f"406 Not Acceptable: {what} cannot be written as asked ({asked}). "
        f"Available: {types}; or ?format={names}"
    )
