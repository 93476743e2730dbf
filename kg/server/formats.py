"""The formats the SPARQL endpoint writes, by name, media type and ``format`` value.

* SELECT and ASK: SPARQL 1.1 Query Results JSON (application/sparql-results+json),
  Query Results XML (application/sparql-results+xml), CSV and TSV (text/csv,
  text/tab-separated-values; SPARQL 1.1 Query Results CSV and TSV Formats).
* CONSTRUCT and DESCRIBE (and the service description): Turtle, N-Triples, JSON-LD,
  RDF/XML, TriG and N-Quads.

The first format of each tuple is the default (``*/*``). This module imports nothing
heavy: the query worker process reads it too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str  # what the worker is told, and what ?format= may say
    media_type: str  # the canonical media type
    charset: bool = False  # text/* types say charset=utf-8
    aliases: tuple[str, ...] = ()  # other media types that select it in Accept
    names: tuple[str, ...] = ()  # other ?format= values that select it

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type

    def selected_by(self, value: str) -> bool:
        """Whether a ``format`` parameter value (a name or a media type) means this."""
        return value == self.name or value in self.names or self.accepts(value)

    def accepts(self, media_type: str) -> bool:
        return media_type == self.media_type or media_type in self.aliases


RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", aliases=("application/json",),
           names=("srj",)),
    Format("xml", "application/sparql-results+xml", aliases=("application/xml", "text/xml"),
           names=("srx",)),
    Format("csv", "text/csv", charset=True),
    Format("tsv", "text/tab-separated-values", charset=True),
)  # fmt: skip

GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", charset=True,
           aliases=("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3",
                    "application/n3"),
           names=("ttl", "n3")),
    Format("ntriples", "application/n-triples", names=("nt", "n-triples")),
    Format("jsonld", "application/ld+json", aliases=("application/json", "application/x-json+ld"),
           names=("json-ld", "json")),
    Format("rdfxml", "application/rdf+xml", aliases=("application/xml", "text/xml"),
           names=("rdf", "rdf+xml", "xml")),
    Format("trig", "application/trig", aliases=("application/x-trig",)),
    Format("nquads", "application/n-quads", names=("nq", "n-quads")),
)  # fmt: skip

BY_NAME: dict[str, Format] = {f.name: f for f in RESULT_FORMATS + GRAPH_FORMATS}
