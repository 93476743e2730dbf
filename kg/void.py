"""Describe a release with VoID (W3C Interest Group Note "Describing Linked Datasets
with the VoID Vocabulary") and DCAT 2 (W3C Recommendation): publisher and contact point
(DCAT 2, section 6.4; vCard), counts, classes, properties, named graphs, example
resources (VoID section 3.3), the Wikidata linkset, the SPARQL endpoint as a
``dcat:DataService`` (DCAT 2, section 6.9), dumps with checksums (SPDX).

The dataset (``{base}dataset``) is what the current URLs serve: ``/sparql``,
``/dumps/``. Each release (``{base}release/{id}``) is a version of it
(``dcterms:isVersionOf``, ``dcat:hasVersion``), a revision of the release before it
(PROV-O ``prov:wasRevisionOf``), and has its own endpoint and dumps at URLs that name
it (``{base}releases/{id}/sparql``, ``{base}releases/{id}/dumps/…``), which keep
answering as they did for as long as the release is kept: its distributions'
download URLs and checksums stay true."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import DCTERMS, FOAF, RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef

from kg import __version__
from kg.assemble import Counts
from kg.formats import GRAPHS
from kg.namespaces import DCAT, SD, SPDX, STANDARD_PREFIXES, VOID, WD, Namespaces

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
PROV = Namespace(STANDARD_PREFIXES["prov"])
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
MAX_EXAMPLES = 5

LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
TITLE = "Negotiations knowledge graph"
DESCRIPTION = (
    "Diplomatic negotiations (processes, rounds, delegations, positions, "
    "statements, outcomes, commitments) stated by annotated news reports; "
    "every fact cites the sentence of its source."
)


@dataclass(frozen=True)
class Dump:
    """A file of the release, as DCAT describes a distribution."""

    name: str
    media_type: str
    size: int
    sha256: str
    description: str


@dataclass(frozen=True)
class Publisher:
    """Who publishes the dataset, and how to reach them (``KG_PUBLISHER``, ``KG_CONTACT``)."""

    name: str
    contact: str  # a URL, or an e-mail address


def describe(
    counts: Counts,
    ns: Namespaces,
    release_id: str,
    created: dt.datetime,
    dumps: list[Dump],
    publisher: Publisher | None = None,
    previous: str | None = None,
) -> Graph:
    """The VoID/DCAT description of a release whose dataset ``counts`` counts
    (kg/assemble.py: the union of its graphs, as the queries of _statistics count it),
    as release ``release_id``, the revision of release ``previous`` if there was one."""
    graph = Graph()
    for prefix, iri in ns.prefixes().items():
        graph.bind(prefix, iri, override=True)
    graph.bind("spdx", SPDX)
    graph.bind("sd", SD)
    graph.bind("vcard", VCARD)
    dataset, release = ns.dataset, ns.release(release_id)
    _dataset_header(graph, dataset, ns, created)
    if publisher is not None:
        _publisher(graph, dataset, publisher)
    _service(graph, dataset, URIRef(ns.base + "sparql"), TITLE)
    for example in counts.examples:
        graph.add((dataset, VOID.exampleResource, URIRef(example)))
    graph.add((dataset, DCAT.hasVersion, release))
    graph.add((release, RDF.type, VOID.Dataset))
    graph.add((release, RDF.type, DCAT.Dataset))
    graph.add((release, DCTERMS.isVersionOf, dataset))
    if previous is not None:
        graph.add((release, PROV.wasRevisionOf, ns.release(previous)))
    endpoint = ns.release_url(release_id, "sparql")
    graph.add((release, VOID.sparqlEndpoint, endpoint))
    _service(graph, release, endpoint, f"{TITLE}, release {release_id}")
    graph.add((release, DCTERMS.title, Literal(f"{TITLE}, release {release_id}", lang="en")))
    graph.add((release, DCTERMS.issued, Literal(created.isoformat(), datatype=XSD.dateTime)))
    graph.add((release, DCTERMS.license, LICENCE))
    graph.add((release, DCAT.version, Literal(release_id)))
    graph.add((release, DCTERMS.creator, Literal(f"negotiations-kg {__version__}")))
    _statistics(graph, release, counts)
    _named_graphs(graph, release, counts, ns)
    _linkset(graph, release, counts, ns)
    for dump in dumps:
        _distribution(graph, release, ns, release_id, dump)
    return graph


def _dataset_header(graph: Graph, dataset: URIRef, ns: Namespaces, created: dt.datetime) -> None:
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(TITLE, lang="en")))
    graph.add((dataset, RDFS.label, Literal(TITLE, lang="en")))
    graph.add((dataset, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    graph.add((dataset, DCTERMS.license, LICENCE))
    graph.add((dataset, DCTERMS.modified, Literal(created.isoformat(), datatype=XSD.dateTime)))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(ns.base + "sparql")))
    graph.add((dataset, VOID.uriSpace, Literal(ns.base + "id/")))
    graph.add((dataset, VOID.vocabulary, URIRef(str(ns.nkg))))
    graph.add((dataset, FOAF.homepage, URIRef(ns.base)))
    graph.add((dataset, VOID.rootResource, ns.ontology))


def _publisher(graph: Graph, dataset: URIRef, publisher: Publisher) -> None:
    """dcterms:publisher (a foaf:Agent) and dcat:contactPoint (a vCard)."""
    agent, card = BNode("publisher"), BNode("contact")
    contact = publisher.contact.strip()
    is_mail = "@" in contact and not contact.startswith(("http://", "https://"))
    address = URIRef(("mailto:" + contact) if is_mail else contact) if contact else None
    graph.add((dataset, DCTERMS.publisher, agent))
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, Literal(publisher.name)))
    graph.add((dataset, DCAT.contactPoint, card))
    graph.add((card, RDF.type, VCARD.Kind))
    graph.add((card, VCARD.fn, Literal(publisher.name)))
    if address is not None:
        graph.add((agent, FOAF.mbox if is_mail else FOAF.homepage, address))
        graph.add((card, VCARD.hasEmail if is_mail else VCARD.hasURL, address))


def _service(graph: Graph, dataset: URIRef, endpoint: URIRef, title: str) -> None:
    """The SPARQL endpoint of ``dataset``, as DCAT 2 describes a data service (section
    6.9)."""
    graph.add((endpoint, RDF.type, DCAT.DataService))
    graph.add((endpoint, RDF.type, SD.Service))
    graph.add((endpoint, DCTERMS.title, Literal(f"{title}: SPARQL endpoint", lang="en")))
    graph.add((endpoint, DCAT.endpointURL, endpoint))
    graph.add((endpoint, DCAT.endpointDescription, endpoint))
    graph.add((endpoint, DCAT.servesDataset, dataset))
    graph.add((endpoint, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    graph.add((endpoint, SD.endpoint, endpoint))
    graph.add((endpoint, DCTERMS.license, LICENCE))


def select(store: ox.Store, query: str, union: bool = True) -> ox.QuerySolutions:
    """Run a SELECT query; the default graph is the union of all graphs when ``union``."""
    solutions = store.query(query, use_default_graph_as_union=union)
    assert isinstance(solutions, ox.QuerySolutions), query
    return solutions


def examples(ns: Namespaces) -> list[str]:
    """The classes of void:exampleResource, in order: negotiation processes first, then
    their rounds (each by IRI, at most MAX_EXAMPLES in all)."""
    return [str(ns.nkg.NegotiationProcess), str(ns.nkg.NegotiationRound)]


# What each count of _statistics stands for, over the union of the graphs:
STATISTICS = {
    VOID.triples: "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
    VOID.distinctSubjects: "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }",
    VOID.distinctObjects: "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }",
    VOID.properties: "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }",
    VOID.classes: "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c }",
    VOID.entities: "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c FILTER(isIRI(?s)) }",
}


def _statistics(graph: Graph, release: URIRef, counts: Counts) -> None:
    figures = (counts.triples, counts.subjects, counts.objects, counts.properties,
               counts.classes, counts.entities)  # fmt: skip
    for predicate, figure in zip(STATISTICS, figures, strict=True):
        graph.add((release, predicate, Literal(figure)))
    # Partitions by class (entities of it) and by property (triples), named in order so
    # that the same counts make the same file.
    for number, (node_class, entities) in enumerate(counts.class_entities, start=1):
        part = BNode(f"class{number:05d}")
        graph.add((release, VOID.classPartition, part))
        graph.add((part, VOID["class"], URIRef(node_class)))
        graph.add((part, VOID.entities, Literal(entities)))
    for number, (iri, triples) in enumerate(counts.property_triples, start=1):
        part = BNode(f"property{number:05d}")
        graph.add((release, VOID.propertyPartition, part))
        graph.add((part, VOID.property, URIRef(iri)))
        graph.add((part, VOID.triples, Literal(triples)))


def _named_graphs(graph: Graph, release: URIRef, counts: Counts, ns: Namespaces) -> None:
    """Each named graph as a VoID subset (SPARQL 1.1 Service Description sd:NamedGraph)."""
    for iri, triples in counts.graph_triples:
        name = URIRef(iri)
        graph.add((release, VOID.subset, name))
        graph.add((name, RDF.type, VOID.Dataset))
        graph.add((name, RDF.type, SD.NamedGraph))
        graph.add((name, SD.name, name))
        graph.add((name, VOID.triples, Literal(triples)))
        source = str(name).removeprefix(f"{ns.base}graph/")
        if name == ns.graph("wikidata-cache"):
            graph.add((name, DCTERMS.source, URIRef("https://www.wikidata.org/")))
        elif name not in {ns.graph(n) for n in ("registry", "wikidata-links", "ontology")}:
            graph.add((name, DCTERMS.source, ns.resource("source", source)))


def _linkset(graph: Graph, release: URIRef, counts: Counts, ns: Namespaces) -> None:
    """The owl:sameAs links to Wikidata as a void:Linkset (VoID section 4)."""
    links = ns.graph("wikidata-links")
    count = dict(counts.graph_triples).get(str(links), 0)
    graph.add((links, RDF.type, VOID.Linkset))
    graph.add((links, VOID.linkPredicate, URIRef("http://www.w3.org/2002/07/owl#sameAs")))
    graph.add((links, VOID.subjectsTarget, release))
    graph.add((links, VOID.objectsTarget, URIRef(str(WD).rstrip("/"))))
    graph.add((links, VOID.target, URIRef(str(WD).rstrip("/"))))
    graph.add((links, VOID.triples, Literal(count)))


def _distribution(
    graph: Graph, release: URIRef, ns: Namespaces, release_id: str, dump: Dump
) -> None:
    """A file of the release, at its URL naming the release, where its checksum stays
    true (``/dumps/`` serves the next release's file after the next build)."""
    url = ns.release_url(release_id, f"dumps/{dump.name}")
    distribution = URIRef(f"{ns.base}release/{release_id}/{dump.name}")
    graph.add((release, DCAT.distribution, distribution))
    if any(syntax.media_type == dump.media_type for syntax in GRAPHS):
        graph.add((release, VOID.dataDump, url))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCTERMS.title, Literal(dump.description, lang="en")))
    graph.add((distribution, DCAT.downloadURL, url))
    graph.add(
        (
            distribution,
            DCAT.mediaType,
            URIRef(f"https://www.iana.org/assignments/media-types/{dump.media_type}"),
        )
    )
    graph.add((distribution, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
    graph.add((distribution, DCTERMS.license, LICENCE))
    checksum = BNode(f"checksum-{dump.name}")
    graph.add((distribution, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
