"""Load the ontology (OWL + SKOS concept schemes) and the SHACL shapes from Turtle.

The Turtle files spell IRIs with the default base, so they open as they are in any RDF
tool; when ``KG_BASE_IRI`` differs, the default base is rewritten while loading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rdflib import RDF, SKOS, Graph, URIRef
from rdflib.term import Literal

from kg.errors import SeedError
from kg.namespaces import DEFAULT_BASE_IRI, Namespaces


def turtle_files(directory: Path) -> list[Path]:
    """The ``.ttl`` files of a folder, in a stable order."""
    return sorted(directory.glob("*.ttl"))


def load_turtle(directory: Path, ns: Namespaces) -> Graph:
    """Parse every Turtle file of ``directory`` into one graph, rebased onto ``ns.base``.
    A folder that is missing or holds no Turtle is an error: validating against no
    shapes would pass anything."""
    fix = "point KG_ONTOLOGY_DIR or KG_SHAPES_DIR at the folder of the .ttl files"
    if not directory.is_dir():
        raise SeedError(directory, None, "is not a folder", fix)
    files = turtle_files(directory)
    if not files:
        raise SeedError(directory, None, "holds no .ttl file", fix)
    graph = Graph()
    for path in files:
        load_turtle_file(path, ns, graph)
    return graph


def turtle_text(path: Path, ns: Namespaces) -> tuple[str, str]:
    """A Turtle file's text rebased onto ``ns.base``, and the base IRI it is read with."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problem = f"is not UTF-8 text (byte {exc.start})"
        raise SeedError(path, None, problem, "save it as UTF-8") from exc
    if ns.base != DEFAULT_BASE_IRI:
        text = text.replace(DEFAULT_BASE_IRI, ns.base)
    return text, path.resolve().as_uri()


def load_turtle_file(path: Path, ns: Namespaces, graph: Graph | None = None) -> Graph:
    """Parse one Turtle file (into ``graph`` if given), rebased onto ``ns.base``."""
    graph = Graph() if graph is None else graph
    text, base = turtle_text(path, ns)
    try:
        graph.parse(data=text, format="turtle", publicID=base)
    except Exception as exc:  # rdflib raises several unrelated types for bad Turtle
        line = _line_of(str(exc))
        raise SeedError(
            path, line, f"this Turtle file does not parse: {exc}", "fix the syntax at that line"
        ) from exc
    return graph


def _line_of(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def name_key(text: str) -> str:
    """The key a concept is found by: lower case, runs of other characters as one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class ConceptFinder(Protocol):
    """Finds a concept of a scheme by slug or label (a ConceptIndex, or kg/lookups.py
    recording what a document looks up)."""

    def find(self, scheme: str, name: str) -> URIRef | None: ...


@dataclass(frozen=True)
class ConceptIndex:
    """Concepts of each SKOS scheme, found by slug or by (alternative) label."""

    by_scheme: dict[str, dict[str, URIRef]]

    @classmethod
    def from_graph(cls, graph: Graph, ns: Namespaces) -> ConceptIndex:
        by_scheme: dict[str, dict[str, URIRef]] = {}
        prefix = f"{ns.base}concept/"
        for concept in graph.subjects(RDF.type, SKOS.Concept):
            if not isinstance(concept, URIRef) or not str(concept).startswith(prefix):
                continue
            scheme, _, slug = str(concept)[len(prefix) :].partition("/")
            names = by_scheme.setdefault(scheme, {})
            names[slug] = concept
            for label in _labels(graph, concept):
                names.setdefault(name_key(label), concept)
        return cls(by_scheme)

    def find(self, scheme: str, name: str) -> URIRef | None:
        return self.by_scheme.get(scheme, {}).get(name_key(name))

    def add(self, scheme: str, slug: str, concept: URIRef, labels: list[str]) -> str | None:
        """Index a declared concept by its slug and labels; return the first of these
        names that already names another concept of the scheme (nothing is added then)."""
        names = self.by_scheme.setdefault(scheme, {})
        keys = [slug, *(name_key(label) for label in labels)]
        taken = next((key for key in keys if key in names and names[key] != concept), None)
        if taken is None:
            for key in keys:
                names.setdefault(key, concept)
        return taken

    def slugs(self, scheme: str) -> list[str]:
        prefix_len = len(scheme) + 1
        return sorted(
            {
                str(c).rsplit("/", 1)[-1]
                for c in self.by_scheme.get(scheme, {}).values()
                if len(str(c)) > prefix_len
            }
        )


def _labels(graph: Graph, concept: URIRef) -> Iterator[str]:
    for predicate in (SKOS.prefLabel, SKOS.altLabel):
        for label in graph.objects(concept, predicate):
            if isinstance(label, Literal):
                yield str(label)
