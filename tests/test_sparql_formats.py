"""Every result format of /sparql, parsed back, and content negotiation: Accept with
q-values (RFC 9110, 12.5.1), the ``format`` parameter, 406 (SPARQL 1.1 Protocol 2.1.6)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from kg.formats import GRAPHS, RESULTS
from kg.server.negotiation import choose, parse_accept

SELECT = (
    "SELECT ?round ?label ?none { ?round a nkg:NegotiationRound ; rdfs:label ?label "
    "OPTIONAL { ?round <urn:x:none> ?none } } ORDER BY ?round ?label"
)
ASK = "ASK { ?r a nkg:NegotiationRound }"
CONSTRUCT = (
    "CONSTRUCT { ?r a nkg:NegotiationRound ; rdfs:label ?l } "
    "WHERE { ?r a nkg:NegotiationRound ; rdfs:label ?l }"
)
SRX = "{http://www.w3.org/2005/sparql-results#}"


def get(client: TestClient, query: str, accept: str | None = None, **params: str) -> bytes:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": query, **params}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["vary"].startswith("Accept")
    return response.content


def expected_rows(client: TestClient) -> list[tuple[str, str]]:
    data = json.loads(get(client, SELECT))
    return [(b["round"]["value"], b["label"]["value"]) for b in data["results"]["bindings"]]


def test_select_as_json_xml_csv_tsv(client: TestClient) -> None:
    rows = expected_rows(client)
    assert rows

    xml = ET.fromstring(get(client, SELECT, "application/sparql-results+xml"))
    variables = [v.get("name") for v in xml.iter(f"{SRX}variable")]
    assert variables == ["round", "label", "none"]
    from_xml = [
        tuple(b.findtext(f"{SRX}uri") or b.findtext(f"{SRX}literal") for b in result)
        for result in xml.iter(f"{SRX}result")
    ]
    assert from_xml == rows

    text = get(client, SELECT, "text/csv").decode()
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["round", "label", "none"]
    assert [(r[0], r[1]) for r in table[1:]] == rows
    assert all(r[2] == "" for r in table[1:])  # unbound is empty

    tsv = ox.parse_query_results(
        get(client, SELECT, "text/tab-separated-values"), ox.QueryResultsFormat.TSV
    )
    assert isinstance(tsv, ox.QuerySolutions)
    assert [(str(s["round"].value), str(s["label"].value)) for s in tsv] == rows


def test_ask_as_json_and_xml(client: TestClient) -> None:
    assert json.loads(get(client, ASK)) == {"head": {}, "boolean": True}
    xml = ET.fromstring(get(client, ASK, "application/sparql-results+xml"))
    assert xml.findtext(f"{SRX}boolean") == "true"


@pytest.mark.parametrize(
    ("media_type", "syntax"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/trig", ox.RdfFormat.TRIG),
        ("application/n-quads", ox.RdfFormat.N_QUADS),
    ],
)
def test_construct_in_every_graph_syntax(
    client: TestClient, media_type: str, syntax: ox.RdfFormat
) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    triples = {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in ox.parse(response.content, syntax)
    }
    reference = Graph().parse(data=get(client, CONSTRUCT, "text/turtle"), format="turtle")
    assert len(triples) == len(reference) > 0


def test_describe_is_a_graph(client: TestClient) -> None:
    body = get(client, "DESCRIBE ?r { ?r a nkg:NegotiationRound }", "text/turtle")
    assert len(Graph().parse(data=body, format="turtle")) > 3


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        (
            "application/sparql-results+xml;q=0.1, text/tab-separated-values",
            "text/tab-separated-values",
        ),
        ("application/sparql-results+xml, */*", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
        ("text/*, text/csv;q=0", "text/tab-separated-values"),
        ("*", "application/sparql-results+json"),
    ],
)
def test_accept_with_q_values_for_select(
    client: TestClient, accept: str | None, media_type: str
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/sparql", params={"query": SELECT}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "text/turtle"),
        ("application/json", "application/ld+json"),
        ("application/xml", "application/rdf+xml"),
        ("application/n-triples;q=0.2, application/ld+json;q=0.3", "application/ld+json"),
        ("text/n3", "text/turtle"),
    ],
)
def test_accept_for_construct(client: TestClient, accept: str | None, media_type: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers=headers)
    assert response.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    ("query", "formats", "media_type"),
    [
        (SELECT, ["json"], "application/sparql-results+json"),
        (SELECT, ["xml"], "application/sparql-results+xml"),
        (SELECT, ["csv"], "text/csv"),
        (SELECT, ["tsv", "text/tab-separated-values"], "text/tab-separated-values"),
        (SELECT, ["application/sparql-results+xml"], "application/sparql-results+xml"),
        (CONSTRUCT, ["json"], "application/ld+json"),
        (CONSTRUCT, ["xml"], "application/rdf+xml"),
        (CONSTRUCT, ["n3"], "text/turtle"),
        (CONSTRUCT, ["json-ld", "application/ld+json"], "application/ld+json"),
        (CONSTRUCT, ["rdf+xml", ""], "application/rdf+xml"),
        (CONSTRUCT, ["nt"], "application/n-triples"),
    ],
)
def test_format_parameter_wins_over_accept(
    client: TestClient, query: str, formats: list[str], media_type: str
) -> None:
    response = client.get(
        "/sparql",
        params={"query": query, "format": formats, "output": formats[0]},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type


def test_unacceptable_accept_is_406_with_what_is_on_offer(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "SELECT" in response.text and "Accept: image/png" in response.text
    assert "application/sparql-results+json" in response.text
    graph = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert graph.status_code == 406
    assert "text/turtle" in graph.text
    explicit = client.get("/sparql", params={"query": SELECT, "format": "turtle"})
    assert explicit.status_code == 406
    assert "format=turtle" in explicit.text
    zero = client.get(
        "/sparql",
        params={"query": SELECT},
        headers={"Accept": "application/sparql-results+json;q=0, text/turtle"},
    )
    assert zero.status_code == 406


def test_parse_accept_reads_q_and_skips_junk() -> None:
    assert parse_accept("") == (("*", "*", 1.0),)
    assert parse_accept("text/csv;q=0.3;charset=utf-8, junk, a/b;q=x") == (("text", "csv", 0.3),)
    assert choose(RESULTS, "text/csv;q=0.3, text/tab-separated-values;q=0.4", ()) == RESULTS[3]
    assert choose(GRAPHS, "image/png", ()) is None


def test_a_large_result_arrives_whole(client: TestClient) -> None:
    """Over 256 KiB the body is read from the worker off the event loop."""
    body = get(client, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert len(body) > 256 * 1024
    total = json.loads(get(client, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT * { ?s ?p ?o } }"))
    expected = int(total["results"]["bindings"][0]["n"]["value"])
    assert len(set(ox.parse(body, ox.RdfFormat.N_TRIPLES))) == expected
