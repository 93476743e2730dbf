"""The OWL ontology and the SKOS concept schemes in ontology/.

They must declare and document every term kg/claimtypes.py names (the annotation
vocabulary) and every term the compiler writes, hold the concepts the annotators use by
slug, and link to Wikidata only through the properties DESIGN.md lists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from kg.claimtypes import CLAIM_TYPES, CONCEPT_SCHEMES, ENTITY_KINDS, Field, ValueKind
from kg.namespaces import DEFAULT_BASE_IRI, ORG, SCHEMA, TIME, Namespaces
from kg.vocabulary import ConceptIndex, load_turtle

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
NS = Namespaces(DEFAULT_BASE_IRI)
NKG = NS.nkg
VANN = Namespace("http://purl.org/vocab/vann/")
WIKIDATA = "http://www.wikidata.org/"
ALLOWED_WIKIDATA = {"P710", "P3831", "P276", "P585", "P361", "P155", "P156", "P664"}

# The concept schemes of kg/claimtypes.py. Which concepts each holds is data: the tests
# read it from the ontology, never from a copy.
SCHEMES: tuple[str, ...] = tuple(sorted(scheme.name for scheme in CONCEPT_SCHEMES))
SCHEME_CLASSES: dict[str, str] = {scheme.name: scheme.rdf_class for scheme in CONCEPT_SCHEMES}

# Terms the compiler writes besides those of kg/claimtypes.py.
COMPILER_TERMS: tuple[str, ...] = (
    "Claim", "Evidence", "SourceDocument", "State", "AnonymousAgent",
    "Role", "Issue", "Stance", "NegotiationFormat", "Channel", "RoundStatus", "ContextRelation",
    "sentence", "reports", "eventsDate", "receivedAs", "sha256", "characterCount",
    "metadataUnknown", "deadline", "deadlineWording", "deadlineOffset", "deadlineAnchor",
    "followedBy",
)  # fmt: skip

# Alignments with the reused vocabularies that queries and users rely on.
ALIGNMENTS: tuple[tuple[URIRef, URIRef, URIRef], ...] = (
    (NKG.Claim, RDFS.subClassOf, PROV.Entity),
    (NKG.Evidence, RDFS.subClassOf, URIRef("http://www.w3.org/ns/oa#SpecificResource")),
    (NKG.Evidence, RDFS.subClassOf, PROV.Entity),
    (NKG.SourceDocument, RDFS.subClassOf, SCHEMA.Article),
    (NKG.SourceDocument, RDFS.subClassOf, URIRef("http://xmlns.com/foaf/0.1/Document")),
    (NKG.Participation, RDFS.subClassOf, PROV.Association),
    (NKG.NegotiationRound, RDFS.subClassOf, SCHEMA.Event),
    (NKG.Statement, RDFS.subClassOf, SCHEMA.Quotation),
    (NKG.Delegation, RDFS.subClassOf, ORG.Organization),
    (NKG.Role, RDFS.subClassOf, ORG.Role),
    (NKG.agent, RDFS.subPropertyOf, PROV.agent),
    (NKG.role, RDFS.subPropertyOf, PROV.hadRole),
    (NKG.speaker, RDFS.subPropertyOf, PROV.wasAttributedTo),
    (NKG.words, RDFS.subPropertyOf, SCHEMA.text),
    (NKG.partOf, RDFS.subPropertyOf, DCTERMS.isPartOf),
    (NKG.date, RDFS.subPropertyOf, DCTERMS.date),
    (NKG.duration, RDFS.subPropertyOf, TIME.hasXSDDuration),
    (NKG.deadlineOffset, RDFS.subPropertyOf, TIME.hasXSDDuration),
    (NKG.city, RDFS.subPropertyOf, SCHEMA.location),
    (NKG.venue, RDFS.subPropertyOf, SCHEMA.location),
    (NKG.location, RDFS.subPropertyOf, SCHEMA.location),
    (NKG.follows, OWL.inverseOf, NKG.followedBy),
    (NKG.participant, SKOS.closeMatch, URIRef(WIKIDATA + "entity/P710")),
    (NKG.role, SKOS.closeMatch, URIRef(WIKIDATA + "entity/P3831")),
    (NKG.location, SKOS.closeMatch, URIRef(WIKIDATA + "entity/P276")),
    (NKG.date, SKOS.closeMatch, URIRef(WIKIDATA + "entity/P585")),
    (NKG.partOf, SKOS.closeMatch, URIRef(WIKIDATA + "entity/P361")),
    (NKG.follows, SKOS.closeMatch, URIRef(WIKIDATA + "entity/P155")),
    (NKG.followedBy, SKOS.closeMatch, URIRef(WIKIDATA + "entity/P156")),
)

# The range a literal-valued field's property declares, by kind of value.
LITERAL_RANGES: dict[ValueKind, URIRef] = {
    ValueKind.TEXT: RDF.langString,
    ValueKind.DATE: NKG.PartialDate,
    ValueKind.WHEN: NKG.PartialDate,  # nkg:date: the plain date that holds an EDTF one
    ValueKind.DURATION: XSD.duration,
    ValueKind.INTEGER: XSD.positiveInteger,
    ValueKind.BOOLEAN: XSD.boolean,
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_turtle(ONTOLOGY_DIR, NS)


def _fields() -> list[tuple[str, Field]]:
    """(class CURIE or nkg local name, field) for every field of claims and entities."""
    found = [(claim.rdf_class, spec) for claim in CLAIM_TYPES for spec in claim.fields]
    found += [(kind.classes[0], spec) for kind in ENTITY_KINDS for spec in kind.fields]
    return found


def _own_properties() -> list[str]:
    """The nkg local names of every field's property (and of its inverse)."""
    names = {spec.predicate for _, spec in _fields() if ":" not in spec.predicate}
    names |= {spec.inverse for _, spec in _fields() if spec.inverse}
    return sorted(names)


def _curie(curie: str) -> URIRef:
    prefix, _, local = curie.partition(":")
    return URIRef(NS.prefixes()[prefix] + local)


def _class_of(name: str) -> URIRef:
    return _curie(name) if ":" in name else NKG[name]


def _english(graph: Graph, subject: Node, predicate: URIRef) -> list[Literal]:
    return [o for o in graph.objects(subject, predicate)
            if isinstance(o, Literal) and o.language == "en" and str(o).strip()]  # fmt: skip


def _concepts(graph: Graph, scheme: str, ns: Namespaces = NS) -> set[URIRef]:
    return {c for c in graph.subjects(SKOS.inScheme, ns.scheme(scheme)) if isinstance(c, URIRef)}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def test_the_ontology_and_the_concepts_parse(ontology: Graph) -> None:
    assert {p.name for p in ONTOLOGY_DIR.glob("*.ttl")} >= {"negotiations.ttl", "concepts.ttl"}
    assert list(ontology.subjects(RDF.type, OWL.Ontology)) == [NS.ontology]


def test_the_header_describes_the_ontology(ontology: Graph) -> None:
    onto = NS.ontology
    assert ontology.value(onto, OWL.versionIRI) == URIRef(DEFAULT_BASE_IRI + "ontology/0.1.0")
    assert ontology.value(onto, OWL.versionInfo) == Literal("0.1.0")
    assert _english(ontology, onto, DCTERMS.title)
    assert _english(ontology, onto, DCTERMS.description)
    assert ontology.value(onto, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert ontology.value(onto, DCTERMS.created) == Literal("2026-11-26", datatype=XSD.date)
    modified = ontology.value(onto, DCTERMS.modified)
    assert isinstance(modified, Literal) and modified.datatype == XSD.date
    assert ontology.value(onto, DCTERMS.creator) == Literal("negotiations-kg maintainers")
    assert ontology.value(onto, VANN.preferredNamespacePrefix) == Literal("nkg")
    assert ontology.value(onto, VANN.preferredNamespaceUri) == Literal(str(NKG))


def test_every_nkg_term_has_an_english_label_and_comment(ontology: Graph) -> None:
    terms = {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(NKG)}
    assert len(terms) > 60
    undocumented = sorted(
        str(t) for t in terms
        if not _english(ontology, t, RDFS.label) or not _english(ontology, t, RDFS.comment)
        or ontology.value(t, RDFS.isDefinedBy) != NS.ontology
    )  # fmt: skip
    assert not undocumented, "no English rdfs:label, rdfs:comment or rdfs:isDefinedBy"


def test_every_nkg_term_referred_to_is_declared(ontology: Graph) -> None:
    used = {n for triple in ontology for n in triple if isinstance(n, URIRef)}
    undeclared = {n for n in used if n.startswith(NKG) and (n, RDF.type, None) not in ontology}
    assert not undeclared, sorted(map(str, undeclared))


@pytest.mark.parametrize("claim_class", sorted({t.rdf_class for t in CLAIM_TYPES}))
def test_every_claim_class_is_declared(ontology: Graph, claim_class: str) -> None:
    term = NKG[claim_class]
    assert (term, RDF.type, OWL.Class) in ontology
    assert _english(ontology, term, RDFS.label)
    assert (term, RDFS.subClassOf, NKG.Claim) in ontology


@pytest.mark.parametrize("name", _own_properties())
def test_every_property_of_the_claim_types_is_declared(ontology: Graph, name: str) -> None:
    kinds = {spec.kind for _, spec in _fields() if spec.predicate == name}
    literal = kinds - {ValueKind.REF, ValueKind.CONCEPT, ValueKind.QUANTITY}
    assert not (literal and kinds - literal), f"{name} takes both literals and nodes"
    expected = OWL.DatatypeProperty if literal else OWL.ObjectProperty
    assert (NKG[name], RDF.type, expected) in ontology
    assert _english(ontology, NKG[name], RDFS.label)


def test_the_entity_classes_defined_here_are_declared(ontology: Graph) -> None:
    own = [c for kind in ENTITY_KINDS for c in kind.classes if c.startswith("nkg:")]
    assert own == ["nkg:State", "nkg:AnonymousAgent"]
    for curie in own:
        assert (_curie(curie), RDF.type, OWL.Class) in ontology
        assert _english(ontology, _curie(curie), RDFS.label)


@pytest.mark.parametrize("name", COMPILER_TERMS)
def test_the_terms_the_compiler_writes_are_declared(ontology: Graph, name: str) -> None:
    types = set(ontology.objects(NKG[name], RDF.type))
    assert types & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
    assert _english(ontology, NKG[name], RDFS.label)


@pytest.mark.parametrize(
    ("subject", "predicate", "obj"),
    ALIGNMENTS,
    ids=[f"{s.fragment}-{p.rsplit('#', 1)[-1]}" for s, p, _ in ALIGNMENTS],
)
def test_terms_are_aligned_with_the_reused_vocabularies(
    ontology: Graph, subject: URIRef, predicate: URIRef, obj: URIRef
) -> None:
    assert (subject, predicate, obj) in ontology


def test_claim_classes_and_concept_classes_are_aligned(ontology: Graph) -> None:
    for scheme in SCHEMES:
        assert (NKG[SCHEME_CLASSES[scheme]], RDFS.subClassOf, SKOS.Concept) in ontology
    assert (NKG.Claim, RDFS.subClassOf, PROV.Entity) in ontology


def test_domains_fit_every_class_that_uses_a_property(ontology: Graph) -> None:
    """A property several classes share has no domain, or one that covers them all."""
    users: dict[str, set[URIRef]] = {}
    for owner, spec in _fields():
        if ":" not in spec.predicate:
            users.setdefault(spec.predicate, set()).add(_class_of(owner))
    wrong = []
    for name, classes in sorted(users.items()):
        for domain in ontology.objects(NKG[name], RDFS.domain):
            covered = _members(ontology, domain)
            if not all(_superclasses_of(ontology, c) & covered for c in classes):
                wrong.append(name)
    assert not wrong, f"a domain leaves out a class that uses the property: {wrong}"


def test_ranges_match_the_kind_of_value(ontology: Graph) -> None:
    wrong = []
    for _, spec in _fields():
        if ":" in spec.predicate:
            continue
        ranges = set(ontology.objects(NKG[spec.predicate], RDFS.range))
        if spec.kind is ValueKind.CONCEPT:
            expected = {NKG[SCHEME_CLASSES[spec.scheme]]}
        elif spec.kind in LITERAL_RANGES:
            expected = {LITERAL_RANGES[spec.kind]}
        else:
            continue
        if ranges != expected:
            wrong.append(f"{spec.predicate}: {sorted(map(str, ranges))} instead of {expected}")
    assert not wrong


def test_the_partial_date_datatype_is_a_day_a_month_or_a_year(ontology: Graph) -> None:
    union = ontology.value(NKG.PartialDate, OWL.equivalentClass)
    assert union is not None
    members = ontology.value(union, OWL.unionOf)
    assert members is not None
    assert list(Collection(ontology, members)) == [XSD.date, XSD.gYearMonth, XSD.gYear]


def test_the_ontology_defines_exactly_the_schemes_the_format_reads(ontology: Graph) -> None:
    prefix = f"{NS.base}concept/"
    defined = {
        str(s).removeprefix(prefix)
        for s in ontology.subjects(RDF.type, SKOS.ConceptScheme)
        if str(s).startswith(prefix)
    }
    assert defined == set(SCHEMES)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_concept_is_defined_and_placed_in_its_scheme(ontology: Graph, scheme: str) -> None:
    scheme_iri = NS.scheme(scheme)
    assert (scheme_iri, RDF.type, SKOS.ConceptScheme) in ontology
    assert _english(ontology, scheme_iri, DCTERMS.title)
    assert _english(ontology, scheme_iri, SKOS.prefLabel)
    assert _english(ontology, scheme_iri, SKOS.definition)
    concepts = _concepts(ontology, scheme)
    assert concepts, f"the {scheme} scheme has no concept"
    scheme_class = NKG[SCHEME_CLASSES[scheme]]
    for concept in concepts:
        assert str(concept).startswith(f"{scheme_iri}/"), "a concept's IRI is under its scheme's"
        assert (concept, RDF.type, SKOS.Concept) in ontology
        assert (concept, RDF.type, scheme_class) in ontology
        assert len(_english(ontology, concept, SKOS.prefLabel)) == 1
        assert _english(ontology, concept, SKOS.definition)
        top = (concept, SKOS.topConceptOf, scheme_iri) in ontology
        assert top == ((scheme_iri, SKOS.hasTopConcept, concept) in ontology)
        assert top != any(ontology.objects(concept, SKOS.broader)), "top concept or broader"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_broader_and_narrower_mirror_each_other_within_a_scheme(
    ontology: Graph, scheme: str
) -> None:
    concepts = _concepts(ontology, scheme)
    for concept in concepts:
        for broader in ontology.objects(concept, SKOS.broader):
            assert broader in concepts, f"{concept} is narrower than {broader}, of another scheme"
            assert (broader, SKOS.narrower, concept) in ontology
        for narrower in ontology.objects(concept, SKOS.narrower):
            assert (narrower, SKOS.broader, concept) in ontology


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_concept_index_finds_every_concept_by_slug_and_label(
    ontology: Graph, scheme: str
) -> None:
    index = ConceptIndex.from_graph(ontology, NS)
    concepts = _concepts(ontology, scheme)
    assert set(index.slugs(scheme)) == {str(c).rsplit("/", 1)[-1] for c in concepts}
    for concept in concepts:
        assert index.find(scheme, str(concept).rsplit("/", 1)[-1]) == concept
        for predicate in (SKOS.prefLabel, SKOS.altLabel):
            for label in ontology.objects(concept, predicate):
                assert index.find(scheme, str(label)) == concept, f"{scheme}: {label!r}"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_label_names_two_concepts_of_a_scheme(ontology: Graph, scheme: str) -> None:
    """The index takes the first concept a label names; two would be a silent guess."""
    seen: dict[str, URIRef] = {}
    for concept in _concepts(ontology, scheme):
        names = [str(concept).rsplit("/", 1)[-1]]
        names += [str(label) for p in (SKOS.prefLabel, SKOS.altLabel)
                  for label in ontology.objects(concept, p)]  # fmt: skip
        for name in names:
            assert seen.setdefault(_slug(name), concept) == concept, f"{scheme}: {name!r}"


def test_only_the_listed_wikidata_properties_are_used(ontology: Graph) -> None:
    iris = {str(n) for triple in ontology for n in triple if isinstance(n, URIRef)}
    used = {iri for iri in iris if iri.startswith(WIKIDATA)}
    assert used, "the ontology aligns with Wikidata"
    ids = {iri.removeprefix(WIKIDATA + "entity/") for iri in used}
    assert ids <= ALLOWED_WIKIDATA, f"not allowed: {sorted(ids - ALLOWED_WIKIDATA)}"
    for path in ONTOLOGY_DIR.glob("*.ttl"):
        text = path.read_text(encoding="utf-8")
        in_text = set(re.findall(r"\b([PQ][0-9]+)\b", text))
        assert in_text <= ALLOWED_WIKIDATA, f"{path.name}: {sorted(in_text - ALLOWED_WIKIDATA)}"


def test_the_ontology_follows_another_base_iri() -> None:
    ns = Namespaces("https://example.org/kg/")
    graph = load_turtle(ONTOLOGY_DIR, ns)
    assert (ns.ontology, RDF.type, OWL.Ontology) in graph
    assert not any(DEFAULT_BASE_IRI in str(n) for triple in graph for n in triple)
    default = ConceptIndex.from_graph(load_turtle(ONTOLOGY_DIR, NS), NS)
    index = ConceptIndex.from_graph(graph, ns)
    for scheme in SCHEMES:
        assert index.slugs(scheme) == default.slugs(scheme)
        for slug in index.slugs(scheme):
            assert index.find(scheme, slug) == ns.concept(scheme, slug)


def _members(graph: Graph, domain: Node) -> set[Node]:
    """A class, or the members of an owl:unionOf class expression."""
    union = graph.value(domain, OWL.unionOf)
    return set(Collection(graph, union)) if union is not None else {domain}


def _superclasses_of(graph: Graph, cls: URIRef) -> set[Node]:
    """``cls`` and every class it is a subclass of, by the ontology."""
    return {c for c in graph.transitive_objects(cls, RDFS.subClassOf) if c is not None}
