"""The ontology as one readable document: every class and property with its label,
comment, domain, range, super- and subterms, alignments (OWL 2 and SKOS mapping
properties, Wikidata properties among them) and how often the release uses it, with
one anchor per term so that ``{base}ontology#Term`` lands on it (W3C Note "Cool URIs
for the Semantic Web", section 4.2, hash URIs)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.namespaces import STANDARD_PREFIXES, VOID
from kg.server.pages.terms import Term, Terms, Values, lexical

RDF, RDFS, OWL, SKOS = (STANDARD_PREFIXES[p] for p in ("rdf", "rdfs", "owl", "skos"))

CLASS_TYPES = (OWL + "Class", RDFS + "Class", RDFS + "Datatype")
PROPERTY_TYPES = (
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    RDF + "Property",
)
ALIGNMENTS = (
    OWL + "equivalentClass",
    OWL + "equivalentProperty",
    SKOS + "exactMatch",
    SKOS + "closeMatch",
    SKOS + "broadMatch",
    SKOS + "narrowMatch",
    SKOS + "relatedMatch",
)
SHOWN = {
    RDF + "type",
    RDFS + "label",
    RDFS + "comment",
    RDFS + "isDefinedBy",
    RDFS + "subClassOf",
    RDFS + "subPropertyOf",
    RDFS + "domain",
    RDFS + "range",
    OWL + "inverseOf",
    *ALIGNMENTS,
}
HEADER_FIRST = (
    STANDARD_PREFIXES["dcterms"] + "title",
    STANDARD_PREFIXES["dcterms"] + "description",
    RDFS + "comment",
    OWL + "versionInfo",
)


@dataclass(frozen=True)
class TermDoc:
    term: Term
    anchor: str
    comment: str
    types: tuple[Term, ...]
    parents: tuple[Term, ...]  # rdfs:subClassOf / rdfs:subPropertyOf
    children: tuple[Term, ...]
    domain: tuple[Term, ...]
    range: tuple[Term, ...]
    inverse: tuple[Term, ...]
    alignments: tuple[Values, ...]
    other: tuple[Values, ...]  # anything else said about the term
    used: int | None  # instances of a class, triples of a property, in the release


@dataclass(frozen=True)
class OntologyDoc:
    iri: str
    title: str
    header: tuple[Values, ...]
    classes: tuple[TermDoc, ...]
    properties: tuple[TermDoc, ...]
    schemes: tuple[Term, ...]


def ontology_doc(terms: Terms) -> OntologyDoc:
    ns, store = terms.ns, terms.store
    namespace = str(ns.nkg)
    graph = ox.NamedNode(str(ns.graph("ontology")))
    kinds: dict[str, set[str]] = {}
    for quad in store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), None, graph):
        if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(namespace):
            kinds.setdefault(quad.subject.value, set()).add(lexical(quad.object))
    usage = _usage(terms)
    classes, properties = [], []
    for iri in sorted(kinds, key=str.lower):
        if kinds[iri] & set(CLASS_TYPES):
            classes.append(_term_doc(terms, iri, namespace, usage, RDFS + "subClassOf"))
        elif kinds[iri] & set(PROPERTY_TYPES):
            properties.append(_term_doc(terms, iri, namespace, usage, RDFS + "subPropertyOf"))
    schemes = sorted(
        (
            terms.iri(q.subject.value)
            for q in store.quads_for_pattern(
                None, ox.NamedNode(RDF + "type"), ox.NamedNode(SKOS + "ConceptScheme"), graph
            )
            if isinstance(q.subject, ox.NamedNode)
        ),
        key=lambda t: t.text.lower(),
    )
    ontology = str(ns.ontology)
    return OntologyDoc(
        ontology,
        terms.label(ontology) or "Ontology",
        tuple(terms.properties(ox.NamedNode(ontology), first=HEADER_FIRST)),
        tuple(classes),
        tuple(properties),
        tuple(schemes),
    )


def _term_doc(
    terms: Terms, iri: str, namespace: str, usage: dict[str, int], parent: str
) -> TermDoc:
    node = ox.NamedNode(iri)
    rows = {row.predicate.value: row for row in terms.properties(node)}

    def values(predicate: str) -> tuple[Term, ...]:
        row = rows.get(predicate)
        return row.values if row else ()

    comments = values(RDFS + "comment")
    children = sorted(
        (
            terms.iri(q.subject.value)
            for q in terms.store.quads_for_pattern(None, ox.NamedNode(parent), node, None)
            if isinstance(q.subject, ox.NamedNode)
        ),
        key=lambda t: t.text.lower(),
    )
    return TermDoc(
        term=terms.iri(iri),
        anchor=iri[len(namespace) :],
        comment=comments[0].text if comments else "",
        types=values(RDF + "type"),
        parents=values(parent),
        children=tuple(dict.fromkeys(children)),
        domain=values(RDFS + "domain"),
        range=values(RDFS + "range"),
        inverse=values(OWL + "inverseOf"),
        alignments=tuple(rows[p] for p in ALIGNMENTS if p in rows),
        other=tuple(row for p, row in rows.items() if p not in SHOWN),
        used=usage.get(iri),
    )


def _usage(terms: Terms) -> dict[str, int]:
    """Instances per class and triples per property, from the release's VoID."""
    query = f"""
    PREFIX void: <{VOID}>
    SELECT ?term ?n WHERE {{
      GRAPH <{terms.ns.graph("void")}> {{
        {{ ?d void:classPartition ?part . ?part void:class ?term ; void:entities ?n }}
        UNION
        {{ ?d void:propertyPartition ?part . ?part void:property ?term ; void:triples ?n }}
      }}
    }}"""
    solutions = terms.store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    usage: dict[str, int] = {}
    for row in solutions:
        term, n = row["term"], row["n"]
        if term is not None and n is not None:
            try:
                usage[str(term.value)] = int(n.value)
            except ValueError:
                continue
    return usage
