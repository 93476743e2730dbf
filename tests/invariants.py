"""Checks that hold for any valid corpus, whatever it says: the only checks the suite
makes on ``seeds/`` (tests/test_seeds_invariants.py), also run on the fixture corpus.

A corpus builds into a release that conforms to the shapes; every claim cites evidence
found, at the offsets recorded, in the text of its own document; every competency query
runs; the VoID description counts what the store holds.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef
from rdflib.term import Node

from kg import seeds as seeds_module
from kg.config import Settings
from kg.errors import ServiceRefused
from kg.namespaces import VOID
from kg.queries import bind, load_queries
from kg.query import check, engine_errors, execute, run
from kg.release import Release

EVIDENCE = """
SELECT ?g ?claim ?evidence ?source ?start ?end ?exact ?prefix ?suffix ?sentence WHERE {
  GRAPH ?g {
    ?claim prov:wasDerivedFrom|prov:wasQuotedFrom ?evidence .
    ?evidence oa:hasSource ?source ; nkg:sentence ?sentence ;
              oa:hasSelector ?position, ?quote .
    ?position oa:start ?start ; oa:end ?end .
    ?quote oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
  }
}"""


def rows(store: ox.Store, settings: Settings, query: str) -> list[ox.QuerySolution]:
    result = execute(store, query, settings.ns)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def check_release(release: Release) -> None:
    """The release conforms to the shapes and lists every file it holds."""
    assert release.manifest["validation"]["conforms"] is True
    assert (release.path / "validation-report.ttl").exists()
    for name in release.files:
        assert (release.path / name).is_file(), name


def check_evidence(store: ox.Store, settings: Settings) -> None:
    """Every claim of every document cites evidence, and each quote is found at its
    recorded offsets in the text of the document whose annotations state the claim."""
    ns = settings.ns
    seeds = seeds_module.load(settings.seeds_dir)
    texts = {ns.resource("source", d.slug): d.text for d in seeds.documents}
    graphs = {ns.graph(d.slug): ns.resource("source", d.slug) for d in seeds.documents}
    cited: set[str] = set()
    for row in rows(store, settings, EVIDENCE):
        graph, source = URIRef(row["g"].value), URIRef(row["source"].value)
        where = f"{row['claim'].value} cites {row['evidence'].value}"
        assert graphs.get(graph) == source, f"{where}, a quote of another document"
        text = texts[source]
        start, end = int(row["start"].value), int(row["end"].value)
        assert text[start:end] == row["exact"].value, f"{where}: not at {start}-{end}"
        assert text[:start].endswith(row["prefix"].value), f"{where}: prefix"
        assert text[end:].startswith(row["suffix"].value), f"{where}: suffix"
        assert row["exact"].value in row["sentence"].value, f"{where}: sentence"
        cited.add(row["claim"].value)
    claims = {str(ns.resource(c.type.kind, c.id)) for c in seeds.claims()}
    assert claims, "the corpus states nothing"
    assert not claims - cited, f"claims without evidence: {sorted(claims - cited)[:5]}"


def check_queries(store: ox.Store, settings: Settings) -> None:
    """Every competency query runs to its last row, a parameter bound to a claim of the
    corpus. Federated ones (SERVICE) are refused, before any connection, unless their
    endpoint is allowed."""
    queries = load_queries(settings.queries_dir)
    assert queries
    claim = rows(store, settings, "SELECT ?c { ?c a/rdfs:subClassOf* nkg:Claim } LIMIT 1")
    values = {p.name: f"<{claim[0]['c'].value}>" for q in queries for p in q.parameters}
    for query in queries:
        used = {p.name: values[p.name] for p in query.parameters}
        text = bind(query, used, settings.ns.prefixes())
        try:
            plan = check(text, settings.ns, settings.allowed_services)
        except ServiceRefused:
            assert "SERVICE" in query.text.upper(), query.name
            continue
        with engine_errors(plan):
            result = run(store, plan, settings.ns)
            if isinstance(result, ox.QuerySolutions | ox.QueryTriples):
                for _ in result:
                    pass


def check_void(store: ox.Store, release: Release, settings: Settings) -> None:
    """The VoID description counts what the store holds (its own graph aside)."""
    ns = settings.ns
    void = Graph().parse(release.void_path, format="turtle")
    described = ns.release(release.id)
    own = f"FILTER(?g != <{ns.graph('void')}>)"
    triples = rows(
        store,
        settings,
        f"SELECT (COUNT(*) AS ?n) {{ SELECT DISTINCT ?s ?p ?o {{ GRAPH ?g {{ ?s ?p ?o }} {own} }} }}",  # noqa: E501
    )
    assert _number(void, described, VOID.triples) == int(triples[0]["n"].value)
    by_graph = rows(
        store,
        settings,
        f"SELECT ?g (COUNT(*) AS ?n) {{ GRAPH ?g {{ ?s ?p ?o }} {own} }} GROUP BY ?g",
    )
    assert {URIRef(r["g"].value): int(r["n"].value) for r in by_graph} == {
        graph: _number(void, graph, VOID.triples)
        for graph in void.objects(described, VOID.subset)
        if isinstance(graph, URIRef)
    }
    by_class = rows(
        store,
        settings,
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) {{ GRAPH ?g {{ ?s a ?c }} {own} }} GROUP BY ?c",
    )
    partitions = {
        void.value(part, VOID["class"]): _number(void, part, VOID.entities)
        for part in void.objects(described, VOID.classPartition)
    }
    assert {URIRef(r["c"].value): int(r["n"].value) for r in by_class} == partitions
    documents = {ns.graph(d.slug) for d in seeds_module.load(settings.seeds_dir).documents}
    assert documents <= set(void.objects(described, VOID.subset)), "a graph per document"
    links = ns.graph("wikidata-links")
    assert (links, RDF.type, VOID.Linkset) in void


def check_corpus(settings: Settings, release: Release) -> None:
    """Every invariant, on a corpus and the release built from it."""
    check_release(release)
    store = release.open_store()
    check_evidence(store, settings)
    check_queries(store, settings)
    check_void(store, release, settings)


def _number(graph: Graph, subject: Node, predicate: URIRef) -> int:
    value = graph.value(subject, predicate)
    assert value is not None, f"{subject} has no {predicate}"
    return int(str(value))
