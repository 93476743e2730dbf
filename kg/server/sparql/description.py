"""The SPARQL service description, returned by ``/sparql`` called without a query
(SPARQL 1.1 Service Description, sections 2 and 3).

It names the endpoint (``{base}sparql``, or ``{base}releases/{id}/sparql`` for the
endpoint of one release: the public IRI, whatever host serves it),
the language (SPARQL 1.1 Query only: the service is read-only), the result formats
(W3C format IRIs, http://www.w3.org/ns/formats/), the features (the union default
graph; basic federated query only when a SERVICE allow-list is set), and the default
dataset: its default graph is the union of all named graphs, which are listed.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.config import Settings
from kg.formats import GRAPHS, RESULTS
from kg.namespaces import SD

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCTERMS = "http://purl.org/dc/terms/"


def endpoint_iri(settings: Settings) -> str:
    return settings.base_iri + "sparql"


def describe(
    settings: Settings, store: ox.Store, release_id: str, named: bool = False
) -> list[ox.Triple]:
    """The description as triples; ``store`` gives the named graphs of the release.
    ``named``: of the endpoint at the URL naming the release, whose default dataset is
    that release rather than the dataset as it currently is."""

    def sd(term: str) -> ox.NamedNode:
        return ox.NamedNode(f"{SD}{term}")

    ns = settings.ns
    if named:
        service = ox.NamedNode(str(ns.release_url(release_id, "sparql")))
        dataset = ox.NamedNode(str(ns.release(release_id)))
    else:
        service = ox.NamedNode(endpoint_iri(settings))
        dataset = ox.NamedNode(str(ns.dataset))
    default_graph = ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(
            service,
            sd("defaultEntailmentRegime"),
            ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(
            service,
            ox.NamedNode(DCTERMS + "description"),
            ox.Literal(
                "Read-only SPARQL 1.1 endpoint of the negotiations knowledge graph, release "
                f"{release_id}. Queries stop after {settings.query_timeout:g} s; results are "
                f"cut at {settings.max_result_rows} rows or {settings.max_result_bytes} "
                "bytes (header KG-Result-Truncated)."
            ),
        ),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, sd("Graph")),
        ox.Triple(
            default_graph,
            ox.NamedNode(DCTERMS + "description"),
            ox.Literal("The union of all named graphs"),
        ),
    ]
    if settings.allowed_services:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    for syntax in RESULTS + GRAPHS:
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(syntax.iri)))
    for index, graph in enumerate(sorted(store.named_graphs(), key=str)):
        node = ox.BlankNode(f"namedGraph{index}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, RDF_TYPE, sd("NamedGraph")),
            ox.Triple(node, sd("name"), graph),
        ]
    return triples
