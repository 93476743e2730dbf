"""Content negotiation for the SPARQL endpoint: ``Accept`` with q-values (RFC 9110,
section 12.5.1) and the ``format`` parameter that SPARQLWrapper and browsers send.

SPARQL 1.1 Protocol, sections 2.1.5 and 2.1.6: the response is in a media type the
client accepts, among those the query form allows; otherwise 406 Not Acceptable. A
``format`` value (``json``, ``turtle``, or a media type) wins over ``Accept``.
Ties in q go to the more specific media range, then to the server's order
(:mod:`kg.server.formats`). Aliases (``application/json`` for SPARQL JSON results)
count only when named, never through a wildcard.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from kg.errors import NotAcceptable
from kg.server.formats import GRAPH_FORMATS, RESULT_FORMATS, Format

MediaRange = tuple[str, str, float]  # type, subtype, q


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
    """The offer the client prefers: highest q, then the most specific range, then the
    server's order; None when it accepts none of them. A missing ``Accept`` accepts all.

    >>> preferred("text/turtle;q=0.9, application/ld+json", ["text/turtle", "application/ld+json"])
    'application/ld+json'
    >>> preferred("text/csv, */*", ["text/html", "text/csv"])
    'text/csv'
    """
    ranges = parse_accept(accept or "")
    best: tuple[float, int, int] = (0.0, -1, 0)
    chosen = None
    for index, offer in enumerate(offers):
        q, specificity = _quality(offer, ranges)
        key = (q, specificity, -index)
        if q > 0 and key > best:
            best, chosen = key, offer
    return chosen


@lru_cache(maxsize=512)
def choose(formats: tuple[Format, ...], accept: str, requested: tuple[str, ...]) -> Format | None:
    """The format to write, or None when nothing acceptable is on offer."""
    wanted = [v.strip().lower() for v in requested if v.strip()]
    if wanted:
        for value in wanted:
            for fmt in formats:
                if fmt.selected_by(value):
                    return fmt
        return None
    ranges = parse_accept(accept)
    best: tuple[float, int, int] = (0.0, -1, 0)
    chosen = None
    for index, fmt in enumerate(formats):
        for media_type in (fmt.media_type, *fmt.aliases):
            q, specificity = _quality(media_type, ranges)
            if media_type != fmt.media_type and specificity < 2:
                continue  # an alias counts only when named: text/* is not text/xml
            key = (q, specificity, -index)
            if q > 0 and key > best:
                best, chosen = key, fmt
    return chosen


def formats_for(form: str | None) -> tuple[Format, ...]:
    return GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else RESULT_FORMATS


def refuse(form: str, accept: str, requested: tuple[str, ...]) -> NotAcceptable:
    """The 406 for a query form, naming what the client asked for and what is on offer."""
    offered = formats_for(form)
    types = ", ".join(f.media_type for f in offered)
    names = "|".join(f.name for f in offered)
    asked = (
        f"format={','.join(v for v in requested if v.strip())}"
        if any(v.strip() for v in requested)
        else f"Accept: {accept or '*/*'}"
    )
    return NotAcceptable(
        f"406 Not Acceptable: a {form} result cannot be written as asked ({asked}). "
        f"Available: {types}; or ?format={names}"
    )
