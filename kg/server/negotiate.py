"""Content negotiation: which representation a client asked for.

* ``Accept`` is read as RFC 9110, section 12.5.1 says (see
  :mod:`kg.server.negotiation`): ``q`` weights, the most specific matching range, then
  the server's order, so ``*/*`` (curl, most libraries) gets the first offer.
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

from kg.server.negotiation import preferred

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


def choose(header: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers, or None when it accepts none of them (the same
    algorithm as the SPARQL endpoint's, :func:`kg.server.negotiation.preferred`)."""
    return preferred(header, offers)
