"""What the home page says about the dataset: its VoID description (W3C Interest Group
Note "Describing Linked Datasets with the VoID Vocabulary", section 4: statistics),
its source documents, graphs and concept schemes, its dumps, and the competency
queries of ``queries/`` as examples."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from kg.namespaces import STANDARD_PREFIXES, VOID
from kg.queries import load_queries, with_prefixes
from kg.release import Release
from kg.server.pages.terms import Term, Terms, lexical

DCTERMS = STANDARD_PREFIXES["dcterms"]
STATISTICS = (
    ("triples", "triples"),
    ("entities", "resources with a type"),
    ("distinctSubjects", "subjects"),
    ("classes", "classes"),
    ("properties", "properties"),
)


@dataclass(frozen=True)
class Count:
    term: Term
    n: int


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    description: str
    text: str
    ui: str  # local path of the query UI with this query
    sparql: str  # local path of the SPARQL endpoint running it


@dataclass(frozen=True)
class Dump:
    name: str
    path: str
    size: int
    media_type: str
    sha256: str


@dataclass(frozen=True)
class Overview:
    title: str
    description: str
    licence: Term | None
    statistics: tuple[tuple[str, int], ...]
    classes: tuple[Count, ...]
    graphs: tuple[Count, ...]
    sources: tuple[Term, ...]
    schemes: tuple[Term, ...]
    examples: tuple[Example, ...]
    dumps: tuple[Dump, ...]


def overview(terms: Terms, release: Release, queries_dir: Path) -> Overview:
    ns, store = terms.ns, terms.store
    dataset = ox.NamedNode(str(ns.dataset))
    void_graph = ox.NamedNode(str(ns.graph("void")))
    version = ox.NamedNode(str(ns.release(release.id)))

    def literal(subject: ox.NamedNode, predicate: str) -> str:
        quad = next(
            store.quads_for_pattern(subject, ox.NamedNode(predicate), None, void_graph), None
        )
        return lexical(quad.object) if quad is not None else ""

    def number(subject: ox.NamedNode, predicate: str) -> int | None:
        try:
            return int(literal(subject, predicate))
        except ValueError:
            return None

    licence = next(
        store.quads_for_pattern(dataset, ox.NamedNode(DCTERMS + "license"), None, void_graph), None
    )
    statistics = tuple(
        (text, n)
        for name, text in STATISTICS
        if (n := number(version, str(VOID[name]))) is not None
    )
    return Overview(
        title=literal(dataset, DCTERMS + "title") or "Negotiations knowledge graph",
        description=literal(dataset, DCTERMS + "description"),
        licence=terms.iri(lexical(licence.object)) if licence is not None else None,
        statistics=statistics,
        classes=tuple(_partition_counts(terms, version, str(ns.nkg))),
        graphs=tuple(_graph_counts(terms, version)),
        sources=tuple(_instances(terms, str(ns.nkg.SourceDocument))),
        schemes=tuple(_instances(terms, STANDARD_PREFIXES["skos"] + "ConceptScheme")),
        examples=tuple(examples(queries_dir, ns.prefixes())),
        dumps=tuple(
            Dump(
                path.removeprefix("dumps/"),
                "/" + path,
                int(f["size"]),
                f["media_type"],
                f["sha256"],
            )
            for path, f in sorted(release.files.items())
            if path.startswith("dumps/")
        ),
    )


def examples(queries_dir: Path, prefixes: dict[str, str]) -> list[Example]:
    found = []
    for query in load_queries(queries_dir) if queries_dir.is_dir() else []:
        text = with_prefixes(query.text, prefixes)
        parameter = urlencode({"query": text})
        found.append(
            Example(
                query.name,
                query.title,
                query.description,
                text,
                f"/query?{parameter}",
                f"/sparql?{parameter}",
            )
        )
    return found


def _solutions(terms: Terms, query: str) -> ox.QuerySolutions:
    solutions = terms.store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _partition_counts(terms: Terms, version: ox.NamedNode, namespace: str) -> list[Count]:
    """Instances of each class of the ontology, from the VoID class partitions."""
    rows = _solutions(
        terms,
        f"""PREFIX void: <{VOID}>
        SELECT ?class ?n {{ GRAPH <{terms.ns.graph("void")}> {{
          {version} void:classPartition [ void:class ?class ; void:entities ?n ] }} }}""",
    )
    counts = [
        Count(terms.iri(str(row["class"].value)), int(row["n"].value))
        for row in rows
        if str(row["class"].value).startswith(namespace)
    ]
    return sorted(counts, key=lambda c: (-c.n, c.term.text))


def _graph_counts(terms: Terms, version: ox.NamedNode) -> list[Count]:
    rows = _solutions(
        terms,
        f"""PREFIX void: <{VOID}>
        SELECT ?g ?n {{ GRAPH <{terms.ns.graph("void")}> {{
          {version} void:subset ?g . OPTIONAL {{ ?g void:triples ?n }} }} }} ORDER BY ?g""",
    )
    return [
        Count(terms.iri(str(row["g"].value)), int(row["n"].value) if row["n"] else 0)
        for row in rows
    ]


def _instances(terms: Terms, cls: str) -> list[Term]:
    rdf_type = ox.NamedNode(STANDARD_PREFIXES["rdf"] + "type")
    subjects = {
        q.subject.value
        for q in terms.store.quads_for_pattern(None, rdf_type, ox.NamedNode(cls), None)
        if isinstance(q.subject, ox.NamedNode)
    }
    return sorted((terms.iri(s) for s in subjects), key=lambda t: t.text.lower())
