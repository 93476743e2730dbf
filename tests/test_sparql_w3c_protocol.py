"""The W3C SPARQL 1.1 Protocol test suite (rdf-tests, sparql/sparql11/protocol), one
test per entry of its manifest, written from the manifest's requests and expected
responses. The suite is not packaged on PyPI or npm, so it is reproduced here.

The data: data1.rdf, data2.rdf and data3.rdf are named graphs, each saying that its
own IRI is a foaf:Document, as in the suite. The update tests expect a service that
accepts updates; this endpoint is read-only, so for them the test checks the refusal
(403 with a clear message) instead, and says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import httpx2
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from kg.config import Settings
from tests.sparql_support import app_client, quad, small_settings

DATA = "http://kasei.us/2009/09/sparql/data/"
FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
BOOLEAN_TYPES = ("application/sparql-results+xml", "application/sparql-results+json")
TABULAR_TYPES = (*BOOLEAN_TYPES, "text/csv", "text/tab-separated-values")
RDF_TYPES = ("application/rdf+xml", "text/turtle", "application/n-triples", "application/ld+json")


@pytest.fixture(scope="module")
def w3c_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    quads = [
        quad(f"{DATA}data{i}.rdf", TYPE, ox.NamedNode(FOAF_DOCUMENT), f"{DATA}data{i}.rdf")
        for i in (1, 2, 3)
    ]
    return small_settings(tmp_path_factory.mktemp("w3c"), quads, query_workers=1)


@pytest.fixture
def w3c(w3c_settings: Settings) -> Iterator[TestClient]:
    with app_client(w3c_settings) as client:
        yield client


def q(text: str) -> str:
    return quote(text, safe="")


def boolean(response: httpx2.Response) -> bool:
    """The boolean of an ASK result in JSON or XML (SPARQL Query Results, 3.2 / 2.3)."""
    assert 200 <= response.status_code < 400, response.text
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in BOOLEAN_TYPES
    if media_type.endswith("json"):
        return bool(json.loads(response.content)["boolean"])
    return b"<boolean>true</boolean>" in response.content


def g(name: int) -> str:
    return q(f"{DATA}data{name}.rdf")


# --- query operations ------------------------------------------------------------------


def test_query_post_form(w3c: TestClient) -> None:
    response = w3c.post(
        f"/sparql/?default-graph-uri={g(0)}",
        content="query=ASK%20%7B%7D",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert boolean(response) is True


def test_query_dataset_default_graphs_get(w3c: TestClient) -> None:
    ask = f"ASK {{ <{DATA}data1.rdf> a ?type . <{DATA}data2.rdf> a ?type . }}"
    response = w3c.get(f"/sparql/?query={q(ask)}&default-graph-uri={g(1)}&default-graph-uri={g(2)}")
    assert boolean(response) is True


def test_query_dataset_default_graphs_post(w3c: TestClient) -> None:
    ask = f"ASK {{ <{DATA}data1.rdf> a ?type . <{DATA}data2.rdf> a ?type . }}"
    response = w3c.post(
        f"/sparql/?default-graph-uri={g(1)}&default-graph-uri={g(2)}",
        content=ask,
        headers={"content-type": "application/sparql-query"},
    )
    assert boolean(response) is True


NAMED_ASK = (
    f"ASK {{ GRAPH ?g1 {{ <{DATA}data1.rdf> a ?type }} GRAPH ?g2 {{ <{DATA}data2.rdf> a ?type }} }}"
)


def test_query_dataset_named_graphs_post(w3c: TestClient) -> None:
    response = w3c.post(
        f"/sparql/?named-graph-uri={g(1)}&named-graph-uri={g(2)}",
        content=NAMED_ASK,
        headers={"content-type": "application/sparql-query"},
    )
    assert boolean(response) is True


def test_query_dataset_named_graphs_get(w3c: TestClient) -> None:
    response = w3c.get(
        f"/sparql/?query={q(NAMED_ASK)}&named-graph-uri={g(1)}&named-graph-uri={g(2)}"
    )
    assert boolean(response) is True


def test_query_dataset_full(w3c: TestClient) -> None:
    ask = (
        f"ASK {{\n  <{DATA}data3.rdf> a ?type\n"
        f"  GRAPH ?g1 {{ <{DATA}data1.rdf> a ?type }}\n"
        f"  GRAPH ?g2 {{ <{DATA}data2.rdf> a ?type }}\n}}"
    )
    response = w3c.post(
        f"/sparql/?default-graph-uri={g(3)}&named-graph-uri={g(1)}&named-graph-uri={g(2)}",
        content=ask,
        headers={"content-type": "application/sparql-query"},
    )
    assert boolean(response) is True


def test_query_multiple_dataset(w3c: TestClient) -> None:
    """The protocol's dataset replaces the query's FROM (Protocol 2.1.4). The suite's
    request URL encodes its '&' by mistake (one odd named-graph-uri); this sends the
    two graphs it means."""
    ask = (
        f"ASK FROM <{DATA}data3.rdf> {{ GRAPH ?g1 {{ <{DATA}data1.rdf> a ?type }} "
        f"GRAPH ?g2 {{ <{DATA}data2.rdf> a ?type }} }}"
    )
    response = w3c.post(
        f"/sparql/?named-graph-uri={g(1)}&named-graph-uri={g(2)}",
        content=ask,
        headers={"content-type": "application/sparql-query"},
    )
    assert boolean(response) is True
    # and without the protocol dataset, the FROM clause decides: data3 only
    ask_default = f"ASK FROM <{DATA}data3.rdf> {{ <{DATA}data1.rdf> a ?type }}"
    assert boolean(w3c.get(f"/sparql/?query={q(ask_default)}")) is False


def test_query_get(w3c: TestClient) -> None:
    response = w3c.get(f"/sparql/?query=ASK%20%7B%7D&default-graph-uri={g(0)}")
    assert boolean(response) is True


def test_query_content_type_select(w3c: TestClient) -> None:
    response = w3c.post(
        f"/sparql/?default-graph-uri={g(0)}",
        content="SELECT (1 AS ?value) {}",
        headers={"content-type": "application/sparql-query"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] in TABULAR_TYPES


def test_query_content_type_ask(w3c: TestClient) -> None:
    response = w3c.post(
        f"/sparql/?default-graph-uri={g(0)}",
        content="ASK {}",
        headers={"content-type": "application/sparql-query"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] in BOOLEAN_TYPES


def test_query_content_type_describe(w3c: TestClient) -> None:
    response = w3c.post(
        f"/sparql/?default-graph-uri={g(0)}",
        content="DESCRIBE <http://example.org/>",
        headers={"content-type": "application/sparql-query"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] in RDF_TYPES
    Graph().parse(data=response.content, format="turtle")


def test_query_content_type_construct(w3c: TestClient) -> None:
    response = w3c.post(
        f"/sparql/?default-graph-uri={g(0)}",
        content="CONSTRUCT { <s> <p> 1 } WHERE {}",
        headers={"content-type": "application/sparql-query"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] in RDF_TYPES
    assert len(Graph().parse(data=response.content, format="turtle")) == 1


def test_query_post_direct(w3c: TestClient) -> None:
    response = w3c.post(
        "/sparql/", content="ASK {}", headers={"content-type": "application/sparql-query"}
    )
    assert boolean(response) is True


# --- update operations: refused, the endpoint is read-only -------------------------------


def assert_read_only(response: httpx2.Response) -> None:
    assert response.status_code == 403, response.text
    assert "read-only" in response.text


def test_update_dataset_default_graph(w3c: TestClient) -> None:
    assert_read_only(
        w3c.post(
            f"/sparql/?using-graph-uri={g(1)}",
            content="CLEAR ALL",
            headers={"content-type": "application/sparql-update"},
        )
    )


def test_update_dataset_default_graphs(w3c: TestClient) -> None:
    assert_read_only(
        w3c.post(
            f"/sparql/?using-graph-uri={g(1)}&using-graph-uri={g(2)}",
            content="CLEAR ALL",
            headers={"content-type": "application/sparql-update"},
        )
    )


def test_update_dataset_named_graphs(w3c: TestClient) -> None:
    assert_read_only(
        w3c.post(
            f"/sparql/?using-named-graph-uri={g(1)}",
            content="CLEAR ALL",
            headers={"content-type": "application/sparql-update"},
        )
    )


def test_update_dataset_full(w3c: TestClient) -> None:
    assert_read_only(
        w3c.post(
            f"/sparql/?using-graph-uri={g(3)}&using-named-graph-uri={g(1)}",
            content="CLEAR ALL",
            headers={"content-type": "application/sparql-update"},
        )
    )


def test_update_post_form(w3c: TestClient) -> None:
    assert_read_only(
        w3c.post(
            "/sparql/",
            content="update=CLEAR+ALL",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    )


def test_update_post_direct(w3c: TestClient) -> None:
    assert_read_only(
        w3c.post(
            "/sparql/", content="CLEAR ALL", headers={"content-type": "application/sparql-update"}
        )
    )


def test_update_base_uri(w3c: TestClient) -> None:
    update = (
        "CLEAR GRAPH <http://example.org/protocol-base-test/> ;\n"
        "INSERT DATA { GRAPH <http://example.org/protocol-base-test/> "
        "{ <http://example.org/s> <http://example.org/p> <test> } }"
    )
    assert_read_only(
        w3c.post("/sparql/", content=update, headers={"content-type": "application/sparql-update"})
    )
    # the query half of that test: relative IRIs resolve against the configured base
    response = w3c.get(
        "/sparql/", params={"query": "SELECT ?o { BIND(<test> AS ?o) }", "format": "json"}
    )
    value = json.loads(response.content)["results"]["bindings"][0]["o"]["value"]
    assert value == "https://w3id.org/negotiations-kg/test"


# --- negative tests ---------------------------------------------------------------------


def test_bad_query_method(w3c: TestClient) -> None:
    response = w3c.put(
        f"/sparql/?query=ASK%20%7B%7D&default-graph-uri={g(0)}",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST, OPTIONS"


def test_bad_multiple_queries(w3c: TestClient) -> None:
    response = w3c.get("/sparql/?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D")
    assert response.status_code == 400
    assert "2 queries" in response.text


def test_bad_query_wrong_media_type(w3c: TestClient) -> None:
    response = w3c.post("/sparql/", content="ASK {}", headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert "text/plain" in response.text


def test_bad_query_missing_form_type(w3c: TestClient) -> None:
    response = w3c.post("/sparql/", content="query=ASK%20%7B%7D")
    assert response.status_code == 415
    assert "Content-Type" in response.text


def test_bad_query_missing_direct_type(w3c: TestClient) -> None:
    response = w3c.post("/sparql/", content="ASK {}")
    assert response.status_code == 415


def test_bad_query_non_utf8(w3c: TestClient) -> None:
    response = w3c.post(
        "/sparql/",
        content="ASK {}".encode("utf-16"),
        headers={"content-type": "application/sparql-query; charset=UTF-16"},
    )
    assert response.status_code == 415
    assert "UTF-8" in response.text


def test_bad_query_syntax(w3c: TestClient) -> None:
    response = w3c.get("/sparql/?query=ASK%20%7B")
    assert response.status_code == 400
    assert "syntax error at line 1, column 6" in response.text


def test_bad_update_get(w3c: TestClient) -> None:
    assert_read_only(w3c.get("/sparql/?update=CLEAR%20ALL"))


def test_bad_multiple_updates(w3c: TestClient) -> None:
    assert_read_only(
        w3c.post(
            "/sparql/",
            content="update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    )


def test_bad_update_wrong_media_type(w3c: TestClient) -> None:
    response = w3c.post("/sparql/", content="CLEAR NAMED", headers={"content-type": "text/plain"})
    assert response.status_code == 415


def test_bad_update_missing_form_type(w3c: TestClient) -> None:
    response = w3c.post("/sparql/", content="update=CLEAR%20NAMED")
    assert response.status_code == 415


def test_bad_update_non_utf8(w3c: TestClient) -> None:
    response = w3c.post(
        "/sparql/",
        content="CLEAR NAMED".encode("utf-16"),
        headers={"content-type": "application/sparql-update; charset=UTF-16"},
    )
    assert 400 <= response.status_code < 500


def test_bad_update_syntax(w3c: TestClient) -> None:
    assert_read_only(
        w3c.post(
            "/sparql/",
            content="update=CLEAR%20XYZ",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    )


def test_bad_update_dataset_conflict(w3c: TestClient) -> None:
    update = (
        "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
        "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
        "WHERE { ?person foaf:givenName 'Bill' }"
    )
    assert_read_only(
        w3c.post(
            "/sparql/?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople",
            content=update,
            headers={"content-type": "application/sparql-update"},
        )
    )
