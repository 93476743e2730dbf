"""Content negotiation: which representation a client asked for.

* ``Accept`` is read as RFC 9110, section 12.5.1 says: media ranges with a ``q``
  weight; the most specific range that matches an offer gives its weight (``text/html``
  before ``text/*`` before ``*/*``); ``q=0`` means "not acceptable". Among offers of
  equal weight the server's order decides, so ``*/*`` (curl, most libraries) gets the
  first offer.
* The RDF syntaxes a document is served in, each with the file suffix that asks for it
  without a header (W3C Note "Cool URIs for the Semantic Web", section 4.3).

>>> choose("text/turtle;q=0.9, application/ld+json", ["text/turtle", "application/ld+json"])
'application/ld+json'
>>> choose(None, ["text/html", "text/turtle"])
'text/html'
>>> choose("image/png", ["text/html"]) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

HTML = "text/html"


@dataclass(frozen=True)
class RdfSyntax:
    name: str
    suffix: str
    media_type: str
    format: ox.RdfFormat


RDF_SYNTAXES: tuple[RdfSyntax, ...] = (
    RdfSyntax("Turtle", "ttl", "text/turtle", ox.RdfFormat.TURTLE),
    RdfSyntax("JSON-LD", "jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
    RdfSyntax("N-Triples", "nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    RdfSyntax("RDF/XML", "rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML),
)
TURTLE = RDF_SYNTAXES[0]
BY_SUFFIX = {s.suffix: s for s in RDF_SYNTAXES}

# Other names clients use for the same syntaxes (Turtle is a subset of N3).
_ALIASES = {
    "application/x-turtle": "text/turtle",
    "text/n3": "text/turtle",
    "application/json": "application/ld+json",
}
_BY_TYPE = {s.media_type: s for s in RDF_SYNTAXES}
BY_MEDIA_TYPE = _BY_TYPE | {alias: _BY_TYPE[canonical] for alias, canonical in _ALIASES.items()}
RDF_OFFERS: tuple[str, ...] = tuple(s.media_type for s in RDF_SYNTAXES) + tuple(_ALIASES)
HTML_OFFERS: tuple[str, ...] = (HTML, "application/xhtml+xml")


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int | None:
        """How closely this range matches ``media_type`` (2 exact, 1 ``type/*``, 0
        ``*/*``), or None when it does not."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type == kind and self.subtype == "*":
            return 1
        if self.type == kind and self.subtype == sub:
            return 2
        return None


def _parse(header: str) -> list[_Range]:
    ranges = []
    for part in header.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(_Range(kind, sub, q))
    return ranges


def choose(header: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers, or None when it accepts none of them. A missing
    or empty ``Accept`` accepts anything (RFC 9110, section 12.5.1)."""
    if not header or not header.strip():
        return offers[0] if offers else None
    ranges = _parse(header)
    best: tuple[float, str] | None = None
    for offer in offers:
        matches = [(m, r.q) for r in ranges if (m := r.specificity(offer)) is not None]
        if not matches:
            continue
        q = max(matches)[1]  # the most specific range decides
        if q > 0 and (best is None or q > best[0]):
            best = (q, offer)
    return best[1] if best else None
