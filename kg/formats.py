"""The syntaxes the project reads and writes, each described once: its names, file suffix,
media type and the other media types that mean it, pyoxigraph's format for it, whether it
keeps named graphs, and its W3C format IRI (http://www.w3.org/ns/formats/).

* SPARQL 1.1 Query Results JSON, XML, CSV and TSV: for SELECT and ASK.
* RDF 1.1 Turtle, N-Triples, JSON-LD 1.1, RDF/XML, TriG and N-Quads: for CONSTRUCT and
  DESCRIBE results, RDF documents, the service description, VoID and the dumps. TriG
  and N-Quads keep named graphs; the others hold one graph.

The CLI (``--format``), the dumps of a release, the linked-data pages, the VoID and the
SPARQL endpoint all read this table. The first syntax of each tuple is the default
(``Accept: */*``). Imports nothing but pyoxigraph: the query worker processes read it.

>>> find("ttl", GRAPHS).label
'Turtle'
>>> find("application/sparql-results+json", RESULTS).name
'json'
>>> find("json", GRAPHS).name, find("json", RESULTS).name
('jsonld', 'json')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pyoxigraph as ox

W3C_FORMATS = "http://www.w3.org/ns/formats/"
Engine = TypeVar("Engine", ox.RdfFormat, ox.QueryResultsFormat)
S = TypeVar("S", bound="Syntax[Any]")


@dataclass(frozen=True)
class Syntax(Generic[Engine]):
    name: str  # the short name: what `--format`, ``?format=`` and the query worker say
    label: str  # what people call it
    media_type: str  # the canonical media type
    engine: Engine  # pyoxigraph's reader and writer
    suffix: str  # the file suffix (without the dot)
    w3c: str  # local name of its IRI under http://www.w3.org/ns/formats/
    charset: bool = False  # text/* types say charset=utf-8
    aliases: tuple[str, ...] = ()  # other media types that mean it
    names: tuple[str, ...] = ()  # other short names that mean it
    named_graphs: bool = False  # keeps named graphs (a dataset, not one graph)
    prefixes: bool = False  # pyoxigraph's writer declares prefixes

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type

    @property
    def iri(self) -> str:
        return W3C_FORMATS + self.w3c

    def accepts(self, media_type: str) -> bool:
        """Whether ``media_type`` means this syntax."""
        return media_type == self.media_type or media_type in self.aliases

    def selected_by(self, value: str) -> bool:
        """Whether a name, a suffix or a media type means this syntax."""
        return value in (self.name, self.suffix) or value in self.names or self.accepts(value)


ResultsSyntax = Syntax[ox.QueryResultsFormat]
RdfSyntax = Syntax[ox.RdfFormat]

RESULTS: tuple[ResultsSyntax, ...] = (
    Syntax("json", "SPARQL Results JSON", "application/sparql-results+json",
           ox.QueryResultsFormat.JSON, "srj", "SPARQL_Results_JSON",
           aliases=("application/json",)),
    Syntax("xml", "SPARQL Results XML", "application/sparql-results+xml",
           ox.QueryResultsFormat.XML, "srx", "SPARQL_Results_XML",
           aliases=("application/xml", "text/xml")),
    Syntax("csv", "SPARQL Results CSV", "text/csv", ox.QueryResultsFormat.CSV, "csv",
           "SPARQL_Results_CSV", charset=True),
    Syntax("tsv", "SPARQL Results TSV", "text/tab-separated-values", ox.QueryResultsFormat.TSV,
           "tsv", "SPARQL_Results_TSV", charset=True),
)  # fmt: skip

GRAPHS: tuple[RdfSyntax, ...] = (
    Syntax("turtle", "Turtle", "text/turtle", ox.RdfFormat.TURTLE, "ttl", "Turtle",
           charset=True, prefixes=True,
           aliases=("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3",
                    "application/n3"),
           names=("n3",)),
    Syntax("ntriples", "N-Triples", "application/n-triples", ox.RdfFormat.N_TRIPLES, "nt",
           "N-Triples", names=("n-triples",)),
    Syntax("jsonld", "JSON-LD", "application/ld+json", ox.RdfFormat.JSON_LD, "jsonld", "JSON-LD",
           aliases=("application/json", "application/x-json+ld"), names=("json-ld", "json")),
    Syntax("rdfxml", "RDF/XML", "application/rdf+xml", ox.RdfFormat.RDF_XML, "rdf", "RDF_XML",
           prefixes=True, aliases=("application/xml", "text/xml"), names=("rdf+xml", "xml")),
    Syntax("trig", "TriG", "application/trig", ox.RdfFormat.TRIG, "trig", "TriG",
           prefixes=True, aliases=("application/x-trig",), named_graphs=True),
    Syntax("nquads", "N-Quads", "application/n-quads", ox.RdfFormat.N_QUADS, "nq", "N-Quads",
           names=("n-quads",), named_graphs=True),
)  # fmt: skip

# The syntaxes of one graph: an RDF document about a resource, the VoID.
SINGLE_GRAPH: tuple[RdfSyntax, ...] = tuple(s for s in GRAPHS if not s.named_graphs)

BY_NAME: dict[str, Syntax[Any]] = {s.name: s for s in RESULTS} | {s.name: s for s in GRAPHS}


def named(name: str, among: Iterable[S]) -> S:
    """The syntax of ``among`` called ``name`` (its own name); KeyError if none."""
    for syntax in among:
        if syntax.name == name:
            return syntax
    raise KeyError(name)


def find(value: str, among: Iterable[S]) -> S | None:
    """The syntax of ``among`` that ``value`` (a name, suffix or media type) means."""
    value = value.strip().lower()
    return next((s for s in among if s.selected_by(value)), None)


def by_suffix(suffix: str, among: Iterable[S]) -> S | None:
    """The syntax of ``among`` whose file suffix is ``suffix`` (without the dot)."""
    return next((s for s in among if s.suffix == suffix), None)


def spellings(among: Iterable[Syntax[Any]]) -> list[str]:
    """Every name and suffix that selects one of ``among``, for a CLI's choices."""
    found: dict[str, None] = {}
    for syntax in among:
        found |= dict.fromkeys((syntax.name, syntax.suffix, *syntax.names))
    return sorted(found)
