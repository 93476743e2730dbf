"""Real clients against a real ``kg serve``: SPARQLWrapper, rdflib's SPARQLStore, and
raw HTTP (http.client, httpx2)."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlencode, urlsplit

import httpx2
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from tests.conftest import ServerProcess

pytestmark = pytest.mark.server

NKG = "https://w3id.org/negotiations-kg/ontology#"
ROUNDS = f"SELECT ?r WHERE {{ ?r a <{NKG}NegotiationRound> }} ORDER BY ?r"


def wrapper(server: ServerProcess, return_format: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server.url + "/sparql", returnFormat=return_format)
    client.setTimeout(60)
    return client


def test_sparqlwrapper_select_in_each_format(live_server: ServerProcess) -> None:
    client = wrapper(live_server, JSON)
    client.setQuery(ROUNDS)
    converted = client.queryAndConvert()
    assert isinstance(converted, dict)
    rounds = [row["r"]["value"] for row in converted["results"]["bindings"]]
    assert rounds and all(
        r.startswith("https://w3id.org/negotiations-kg/id/round/") for r in rounds
    )

    client = wrapper(live_server, XML)
    client.setQuery(ROUNDS)
    document = client.queryAndConvert()
    uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]  # type: ignore[union-attr]
    assert uris == rounds

    for fmt, header in ((CSV, "r"), (TSV, "?r")):
        client = wrapper(live_server, fmt)
        client.setQuery(ROUNDS)
        lines = client.queryAndConvert().decode().splitlines()  # type: ignore[union-attr]
        assert lines[0] == header
        assert len(lines) == len(rounds) + 1


def test_sparqlwrapper_by_post_form_and_post_direct(live_server: ServerProcess) -> None:
    for method in ("form", "direct"):
        client = wrapper(live_server, JSON)
        client.setMethod(POST)
        if method == "direct":
            client.setRequestMethod(POSTDIRECTLY)
        client.setQuery(f"ASK {{ ?r a <{NKG}NegotiationRound> }}")
        assert client.queryAndConvert() == {"head": {}, "boolean": True}


def test_sparqlwrapper_construct_as_turtle(live_server: ServerProcess) -> None:
    client = wrapper(live_server, TURTLE)
    client.setQuery(
        f"CONSTRUCT {{ ?r a <{NKG}NegotiationRound> }} WHERE {{ ?r a <{NKG}NegotiationRound> }}"
    )
    graph = Graph().parse(data=client.queryAndConvert(), format="turtle")  # type: ignore[arg-type]
    assert len(graph) > 0


def test_sparqlwrapper_sees_a_syntax_error_as_a_bad_query(live_server: ServerProcess) -> None:
    client = wrapper(live_server, JSON)
    client.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed, match="line 1, column"):
        client.query()


def test_rdflib_sparqlstore(live_server: ServerProcess) -> None:
    store = SPARQLStore(query_endpoint=live_server.url + "/sparql", returnFormat="xml")
    graph = Graph(store=store)
    rows = list(graph.query(ROUNDS))
    assert rows
    first = rows[0][0]  # type: ignore[index]
    assert isinstance(first, URIRef)
    assert len(list(graph.triples((first, None, None)))) > 3
    store.close()


def test_http_client_post_direct_and_head(live_server: ServerProcess) -> None:
    where = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=60)
    try:
        connection.request(
            "POST",
            "/sparql",
            body=ROUNDS.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        )
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200
        assert response.getheader("Content-Type") == "text/csv; charset=utf-8"
        assert body.startswith(b"r\r\n")
        etag = response.getheader("ETag")
        assert etag

        connection.request("HEAD", "/sparql?" + urlencode({"query": ROUNDS}))
        head = connection.getresponse()
        assert head.read() == b""
        assert head.status == 200 and int(head.getheader("Content-Length") or 0) > 0

        connection.request("PATCH", "/sparql")
        patch = connection.getresponse()
        assert patch.status == 405 and b"not allowed" in patch.read()
    finally:
        connection.close()


def test_httpx_conditional_get_and_cors(live_server: ServerProcess) -> None:
    url = live_server.url + "/sparql"
    first = httpx2.get(url, params={"query": ROUNDS}, headers={"Origin": "https://example.org"})
    assert first.status_code == 200
    assert first.headers["access-control-allow-origin"] == "*"
    again = httpx2.get(
        url, params={"query": ROUNDS}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    description = httpx2.get(url, headers={"Accept": "application/ld+json"})
    assert description.headers["content-type"] == "application/ld+json"
    assert json.loads(description.content)
