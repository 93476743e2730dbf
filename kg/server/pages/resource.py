"""What the HTML page of one resource shows: its label, types, every property with
linked values, the links that point to it, its evidence (the quote in its sentence),
its parts (hash IRIs such as an evidence node's selectors) and its Wikidata links;
and, by kind, the annotated text of a source document, the concepts of a SKOS concept
scheme (SKOS Reference, section 4 and 8), or what a named graph holds."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import pyoxigraph as ox

from kg.namespaces import SCHEMA, STANDARD_PREFIXES, VOID
from kg.server.pages.quotes import Quote, Segment, Span, evidence_of, segments, spans_of
from kg.server.pages.terms import Term, Terms, Values, lexical

RDF, RDFS, SKOS, OWL = (STANDARD_PREFIXES[p] for p in ("rdf", "rdfs", "skos", "owl"))
DCTERMS = STANDARD_PREFIXES["dcterms"]
OA = "http://www.w3.org/ns/oa#"
RDF_TYPE = ox.NamedNode(RDF + "type")
MAX_INBOUND = 500
PALETTE = 8  # colours of claim kinds in a source's text (pages.css: .k1 ... .k8)
FIRST = (
    RDFS + "label",
    SKOS + "prefLabel",
    DCTERMS + "title",
    SKOS + "altLabel",
    SKOS + "definition",
    RDFS + "comment",
    DCTERMS + "description",
)
GRAPH_NOTES = {
    "ontology": "The ontology and its SKOS concept schemes, as built from ontology/*.ttl.",
    "registry": "The entity registry: people, states, organisations, offices, places "
    "and other entities the source documents mention, from seeds/registry.yaml.",
    "wikidata-links": "The owl:sameAs links from the registry's entities to Wikidata "
    "items, each checked by hand (seeds/wikidata-verified.tsv).",
    "void": "The VoID and DCAT description of the dataset and of this release: counts, "
    "classes, properties, named graphs and dumps.",
}


@dataclass(frozen=True)
class Part:
    term: Term
    anchor: str
    properties: tuple[Values, ...]


@dataclass(frozen=True)
class Concept:
    term: Term
    definition: str
    narrower: tuple[Concept, ...] = ()


@dataclass(frozen=True)
class SourceText:
    segments: tuple[Segment, ...]
    spans: tuple[Span, ...]
    legend: tuple[tuple[str, str, int], ...] = ()  # kind, its label, how many spans
    shown: str = ""  # the kind the spans are filtered by, or "" for all
    colours: dict[str, int] | None = None  # kind -> colour number

    def colour(self, span: Span | None) -> int:
        return (self.colours or {}).get(span.kind, 0) if span is not None else 0


@dataclass(frozen=True)
class GraphInfo:
    note: str
    triples: int | None
    query: str  # a query listing the graph's triples, for the UI and the endpoint
    source: Term | None


@dataclass
class ResourcePage:
    iri: str
    label: str
    curie: str | None
    types: tuple[Term, ...]
    properties: tuple[Values, ...]
    inbound: tuple[Values, ...]
    quotes: tuple[Quote, ...]
    parts: tuple[Part, ...]
    wikidata: tuple[Term, ...]
    source_text: SourceText | None = None
    concepts: tuple[Concept, ...] = ()
    graph: GraphInfo | None = None


def resource_page(terms: Terms, iri: str, claim_type: str = "") -> ResourcePage:
    """The page of ``iri``; for a source document, ``claim_type`` (a class's local name,
    such as ``Statement``) keeps only the spans cited by claims of that class."""
    node = ox.NamedNode(iri)
    ns = terms.ns
    type_iris = sorted(
        {lexical(q.object) for q in terms.store.quads_for_pattern(node, RDF_TYPE, None, None)}
    )
    is_source = str(ns.nkg.SourceDocument) in type_iris
    is_scheme = SKOS + "ConceptScheme" in type_iris
    # What a section of its own shows is not listed again among the properties.
    hide = [RDF + "type"]
    hide_inbound: list[str] = []
    if is_source:
        hide.append(str(SCHEMA.text))
        hide_inbound.append(OA + "hasSource")
    if is_scheme:
        hide.append(SKOS + "hasTopConcept")
        hide_inbound += [SKOS + "inScheme", SKOS + "topConceptOf"]
    properties = terms.properties(node, hide=hide, first=FIRST)
    me = terms.iri(iri)
    page = ResourcePage(
        iri=iri,
        label=terms.label(iri) or me.curie or iri,
        curie=me.curie,
        types=tuple(terms.iri(t) for t in type_iris),
        properties=tuple(properties),
        inbound=tuple(terms.inbound(node, MAX_INBOUND, hide_inbound)),
        quotes=tuple(evidence_of(terms, iri)),
        parts=tuple(_parts(terms, iri, properties)),
        wikidata=tuple(
            dict.fromkeys(v for row in properties for v in row.values if v.wikidata is not None)
        ),
    )
    if is_source:
        page.source_text = _source_text(terms, node, claim_type)
    if is_scheme:
        page.concepts = tuple(_concepts(terms, iri))
    if iri.startswith(str(ns.graph(""))):
        page.graph = _graph_info(terms, iri)
    return page


def _parts(terms: Terms, iri: str, properties: list[Values]) -> list[Part]:
    parts = sorted(
        {v.value for row in properties for v in row.values if v.value.startswith(iri + "#")}
    )
    return [
        Part(terms.iri(p), p.partition("#")[2], tuple(terms.properties(ox.NamedNode(p))))
        for p in parts
    ]


def _source_text(terms: Terms, node: ox.NamedNode, only: str = "") -> SourceText:
    quad = next(terms.store.quads_for_pattern(node, ox.NamedNode(str(SCHEMA.text)), None), None)
    text = lexical(quad.object) if quad is not None else ""
    spans = spans_of(terms, node.value, text)
    counts = Counter(kind for s in spans for kind in s.kinds)
    kinds = sorted(counts, key=lambda k: (-counts[k], k))
    colours = {kind: index % PALETTE + 1 for index, kind in enumerate(kinds)}
    legend = tuple((k, _words(terms.iri(str(terms.ns.nkg) + k).text), counts[k]) for k in kinds)
    if only in counts:
        spans = [s for s in spans if only in s.kinds]
        spans = [replace(s, kinds=(only, *[k for k in s.kinds if k != only])) for s in spans]
    else:
        only = ""
    return SourceText(tuple(segments(text, spans)), tuple(spans), legend, only, colours)


def _words(label: str) -> str:
    """A class's label as a reader says it: "NegotiationRound" reads "negotiation round"."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", label).lower()


def _concepts(terms: Terms, scheme: str) -> list[Concept]:
    """The scheme's concepts as a tree along skos:broader / skos:narrower."""
    query = f"""PREFIX skos: <{SKOS}>
    SELECT DISTINCT ?c ?broader ?definition WHERE {{
      ?c skos:inScheme <{scheme}> .
      OPTIONAL {{ {{ ?c skos:broader ?broader }} UNION {{ ?broader skos:narrower ?c }}
                 ?broader skos:inScheme <{scheme}> }}
      OPTIONAL {{ ?c skos:definition ?definition }}
    }}"""
    solutions = terms.store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    parents: dict[str, set[str]] = {}
    definitions: dict[str, str] = {}
    for row in solutions:
        concept = str(row["c"].value)
        parents.setdefault(concept, set())
        if row["broader"] is not None:
            parents[concept].add(str(row["broader"].value))
        if row["definition"] is not None:
            definitions.setdefault(concept, str(row["definition"].value))

    def build(concept: str, seen: frozenset[str]) -> Concept:
        children = sorted(c for c, ps in parents.items() if concept in ps and c not in seen)
        return Concept(
            terms.iri(concept),
            definitions.get(concept, ""),
            tuple(_by_label(build(c, seen | {c}) for c in children)),
        )

    tops = [c for c, ps in parents.items() if not ps & parents.keys()]
    return _by_label(build(c, frozenset({c})) for c in tops)


def _by_label(concepts: Iterable[Concept]) -> list[Concept]:
    return sorted(concepts, key=lambda c: c.term.text.lower())


def _graph_info(terms: Terms, iri: str) -> GraphInfo:
    ns = terms.ns
    name = iri.removeprefix(str(ns.graph("")))
    void_graph = ox.NamedNode(str(ns.graph("void")))
    quad = next(
        terms.store.quads_for_pattern(
            ox.NamedNode(iri), ox.NamedNode(str(VOID.triples)), None, void_graph
        ),
        None,
    )
    triples = int(lexical(quad.object)) if quad is not None else _count(terms, iri)
    source = next(
        terms.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(DCTERMS + "source"), None),
        None,
    )
    note = GRAPH_NOTES.get(
        name, "The claims one source document states, with their evidence and provenance."
    )
    return GraphInfo(
        note,
        triples,
        urlencode({"query": f"SELECT ?s ?p ?o WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} LIMIT 100"}),
        terms.iri(lexical(source.object)) if source is not None else None,
    )


def _count(terms: Terms, graph: str) -> int | None:
    solutions = terms.store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert isinstance(solutions, ox.QuerySolutions)
    row = next(iter(solutions), None)
    return int(row["n"].value) if row is not None and row["n"] is not None else None
