"""Concepts declared in the seeds, compiled into their SKOS concept schemes (SKOS
Reference, W3C Recommendation 2009: sections 4 to 10).

A new issue, channel, role or stance is declared where annotators work: under
``concepts:`` in the annotation file of the document that introduces it, or in
``seeds/concepts.yaml`` for concepts no single document introduces. Each becomes a
``skos:Concept`` of its scheme, an instance of the scheme's ``nkg`` class, labelled,
defined, placed under its broader concept (or at the top of the scheme), matched to
other thesauri (``skos:exactMatch``, ``skos:closeMatch``; Wikidata only with a verified
id), and tied to where it was introduced: ``rdfs:isDefinedBy`` the named graph that
holds it and, for a document's concept, ``dcterms:source`` that document and the
evidence it quotes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from rdflib import DCTERMS, RDF, RDFS, SKOS, Literal, URIRef
from rdflib.term import Node as RdfNode

from kg.namespaces import WD, Namespaces
from kg.seeds import QID_PATTERN, ConceptDeclaration
from kg.vocabulary import ConceptFinder, ConceptIndex
from kg.yamlfile import Scalar, Sequence

Triple = tuple[RdfNode, RdfNode, RdfNode]
Report = Callable[[Path, int | None, str, str], None]  # file, line, problem, fix
DECLARED_GRAPH = "concepts"  # the named graph of seeds/concepts.yaml's concepts


def register(
    index: ConceptIndex, declarations: Iterable[ConceptDeclaration], ns: Namespaces, error: Report
) -> list[ConceptDeclaration]:
    """Add the declared concepts to ``index``, so annotations and ``broader`` may name
    them by slug or label; a name that already names another concept of the scheme is an
    error. Returns the declarations indexed."""
    where: dict[URIRef, ConceptDeclaration] = {}
    indexed = []
    for declaration in declarations:
        scheme = declaration.scheme.name
        iri = ns.concept(scheme, declaration.id)
        if (first := where.get(iri)) is not None:
            error(
                declaration.path,
                declaration.line,
                f"declares the {scheme} concept {declaration.id!r} again",
                f"it is declared at {first.path}:{first.line}: keep one declaration",
            )
            continue
        taken = index.add(scheme, declaration.id, iri, labels(declaration))
        if taken is not None:
            other = index.find(scheme, taken)
            origin = where.get(other) if other is not None else None
            at = f"{origin.path}:{origin.line}" if origin else "ontology/concepts.ttl"
            error(
                declaration.path,
                declaration.line,
                f"declares a {scheme} concept named {taken!r}, which already names "
                f"{other} (defined at {at})",
                "use that concept in the annotations, or give this one another id and label",
            )
            continue
        where[iri] = declaration
        indexed.append(declaration)
    return indexed


def labels(declaration: ConceptDeclaration) -> list[str]:
    """The label, then the aliases, as written."""
    label = declaration.text("label")
    return [*([label.strip()] if label else []), *_texts(declaration, "aliases")]


def triples(
    declaration: ConceptDeclaration,
    index: ConceptFinder,
    ns: Namespaces,
    verified_qids: Mapping[str, str],
    language: str,
    error: Report,
) -> Iterator[Triple]:
    """The SKOS description of one declared concept (its evidence is cited apart)."""
    scheme = declaration.scheme
    concept = ns.concept(scheme.name, declaration.id)
    scheme_iri = ns.scheme(scheme.name)
    yield concept, RDF.type, SKOS.Concept
    yield concept, RDF.type, ns.nkg[scheme.rdf_class]
    yield concept, SKOS.inScheme, scheme_iri
    names = labels(declaration)
    if names:
        yield concept, SKOS.prefLabel, Literal(names[0], lang=language)
    for alias in names[1:]:
        yield concept, SKOS.altLabel, Literal(alias, lang=language)
    if definition := declaration.text("definition"):
        yield concept, SKOS.definition, Literal(definition.strip(), lang=language)
    if note := declaration.text("note"):
        yield concept, SKOS.editorialNote, Literal(note.strip(), lang="en")
    broader = declaration.text("broader")
    parent = index.find(scheme.name, broader) if broader else None
    if broader and parent is None:
        error(
            declaration.path,
            declaration.line_of("broader"),
            f"names {broader!r} as broader, which is no concept of the {scheme.name} scheme",
            f"name a concept of the {scheme.name} scheme by slug or label, or declare it too",
        )
    elif parent == concept:
        error(
            declaration.path,
            declaration.line_of("broader"),
            "names itself as its broader concept",
            "name the concept it narrows, or leave 'broader:' out for a top concept",
        )
    elif parent is not None:
        yield concept, SKOS.broader, parent
        yield parent, SKOS.narrower, concept
    else:
        yield concept, SKOS.topConceptOf, scheme_iri
        yield scheme_iri, SKOS.hasTopConcept, concept
    yield from _matches(declaration, concept, verified_qids, error)
    graph = ns.graph(declaration.document or DECLARED_GRAPH)
    yield concept, RDFS.isDefinedBy, graph
    if declaration.document is not None:
        yield concept, DCTERMS.source, ns.resource("source", declaration.document)


def _matches(
    declaration: ConceptDeclaration,
    concept: URIRef,
    verified_qids: Mapping[str, str],
    error: Report,
) -> Iterator[Triple]:
    for key, predicate in (("exact match", SKOS.exactMatch), ("close match", SKOS.closeMatch)):
        for iri in _texts(declaration, key):
            if iri.startswith(("http://", "https://")) and not any(c in iri for c in ' <>"{}|\\^`'):
                yield concept, predicate, URIRef(iri)
            else:
                error(
                    declaration.path,
                    declaration.line_of(key),
                    f"has {iri!r} under '{key}', which is not an http(s) IRI",
                    "write the full IRI of the concept in the other thesaurus, such as "
                    "http://eurovoc.europa.eu/<id>, after checking it there",
                )
    qid = declaration.text("wikidata")
    if qid is None:
        return
    qid = qid.strip()
    if not QID_PATTERN.match(qid) or qid not in verified_qids:
        error(
            declaration.path,
            declaration.line_of("wikidata"),
            f"matches the Wikidata id {qid!r}, which is not in wikidata-verified.tsv",
            "check the id against a public source and add it to wikidata-verified.tsv "
            "first, or remove it; never guess an id",
        )
        return
    yield concept, SKOS.exactMatch, WD[qid]


def _texts(declaration: ConceptDeclaration, key: str) -> list[str]:
    node = declaration.values.get(key)
    items = node.items if isinstance(node, Sequence) else [node] if node is not None else []
    return [item.value.strip() for item in items if isinstance(item, Scalar) and item.value.strip()]
