"""The SPARQL 1.1 Protocol operations of /sparql over the seed release, from the
specification (SPARQL 1.1 Protocol, section 2.1) rather than the W3C suite's data."""

from __future__ import annotations

import json

import httpx2
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef

from kg.config import Settings
from tests.sparql_support import app_client

BASE = "https://w3id.org/negotiations-kg/"
GENEVA = f"{BASE}graph/2026-02-17-us-iran-geneva-round-2"
ONTOLOGY = f"{BASE}graph/ontology"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ROUNDS = "SELECT ?r { ?r a nkg:NegotiationRound } ORDER BY ?r"
COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"


def bindings(response: httpx2.Response) -> list[dict[str, dict[str, str]]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/sparql-results+json"
    rows: list[dict[str, dict[str, str]]] = json.loads(response.content)["results"]["bindings"]
    return rows


def count(response: httpx2.Response) -> int:
    return int(bindings(response)[0]["n"]["value"])


def test_query_by_get_uses_the_predefined_prefixes(client: TestClient) -> None:
    rows = bindings(client.get("/sparql", params={"query": ROUNDS}))
    assert rows
    assert all(row["r"]["value"].startswith(f"{BASE}id/round/") for row in rows)


def test_query_by_post_form_and_post_direct_give_the_same_answer(client: TestClient) -> None:
    by_get = client.get("/sparql", params={"query": ROUNDS})
    by_form = client.post("/sparql", data={"query": ROUNDS})
    by_direct = client.post(
        "/sparql", content=ROUNDS, headers={"content-type": "application/sparql-query"}
    )
    assert bindings(by_get) == bindings(by_form) == bindings(by_direct)


def test_post_direct_accepts_a_charset_and_a_byte_order_mark(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content="\ufeffASK {}".encode(),
        headers={"content-type": "application/sparql-query; charset=UTF-8"},
    )
    assert json.loads(response.content)["boolean"] is True


def test_the_default_graph_is_the_union_of_all_graphs(client: TestClient) -> None:
    everything = count(client.get("/sparql", params={"query": COUNT}))
    per_graph = bindings(
        client.get(
            "/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
        )
    )
    assert everything == int(per_graph[0]["n"]["value"]) > 0


def test_default_graph_uri_chooses_the_default_graph(client: TestClient) -> None:
    union = count(client.get("/sparql", params={"query": COUNT}))
    geneva = count(client.get("/sparql", params={"query": COUNT, "default-graph-uri": GENEVA}))
    both = count(
        client.get("/sparql", params={"query": COUNT, "default-graph-uri": [GENEVA, ONTOLOGY]})
    )
    assert 0 < geneva < both < union


def test_named_graph_uri_limits_the_named_graphs(client: TestClient) -> None:
    query = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"
    rows = bindings(client.get("/sparql", params={"query": query, "named-graph-uri": GENEVA}))
    assert [row["g"]["value"] for row in rows] == [GENEVA]
    # and with only named graphs given, the default graph is empty (Protocol 2.1.4)
    assert count(client.get("/sparql", params={"query": COUNT, "named-graph-uri": GENEVA})) == 0


def test_from_in_the_query_chooses_graphs_of_the_store(client: TestClient) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{GENEVA}> {{ ?s ?p ?o }}"
    assert count(client.get("/sparql", params={"query": query})) == count(
        client.get("/sparql", params={"query": COUNT, "default-graph-uri": GENEVA})
    )


def test_relative_iris_resolve_against_the_configured_base(client: TestClient) -> None:
    rows = bindings(client.get("/sparql", params={"query": "SELECT (<id/x> AS ?i) {}"}))
    assert rows[0]["i"]["value"] == f"{BASE}id/x"


def test_head_answers_the_headers_of_get_without_a_body(client: TestClient) -> None:
    get = client.get("/sparql", params={"query": ROUNDS})
    head = client.head("/sparql", params={"query": ROUNDS})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["etag"] == get.headers["etag"]


def test_cors_preflight_and_simple_requests(client: TestClient) -> None:
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    simple = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"}
    )
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "KG-Result-Truncated" in simple.headers["access-control-expose-headers"]
    refused = client.get(
        "/sparql", params={"query": "ASK {"}, headers={"Origin": "https://example.org"}
    )
    assert refused.status_code == 400
    assert refused.headers["access-control-allow-origin"] == "*"


def test_plain_options_lists_the_methods(client: TestClient) -> None:
    response = client.options("/sparql")
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, HEAD, POST, OPTIONS"


def test_without_a_query_the_service_description(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    service = URIRef(f"{BASE}sparql")
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert (service, SD.feature, SD.BasicFederatedQuery) not in graph  # no allow-list
    formats = {str(o) for o in graph.objects(service, SD.resultFormat)}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    assert "http://www.w3.org/ns/formats/N-Quads" in formats
    names = {str(o) for o in graph.objects(None, SD.name)}
    assert {GENEVA, ONTOLOGY} <= names
    assert b"localhost" not in response.content and b"testserver" not in response.content


def test_service_description_in_other_syntaxes(client: TestClient) -> None:
    for media_type, syntax in (
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ):
        response = client.get("/sparql", headers={"Accept": media_type})
        assert response.headers["content-type"] == media_type
        assert len(list(ox.parse(response.content, syntax))) > 10


# --- errors: a status and a short message that says what and where -----------------------


def test_a_syntax_error_says_what_and_where(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "SELECT ?r\nWHERE { ?r a nkg:NegotiationRound \n LIMIT 1"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    first = response.text.splitlines()[0]
    assert first.startswith("SPARQL syntax error at line 3, column 9: expected")
    assert "  LIMIT 1" in response.text and "^" in response.text


def test_an_update_sent_as_a_query_is_refused_as_read_only(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content="PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }",
        headers={"content-type": "application/sparql-query"},
    )
    assert response.status_code == 403
    assert "read-only" in response.text


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"query": ""}, 400, "empty"),
        ({"query": "ASK {}", "default-graph-uri": "not an iri"}, 400, "default-graph-uri"),
        ({"query": "ASK {}", "named-graph-uri": "rel/ative"}, 400, "named-graph-uri"),
        ({"query": "SELECT * { ?s ?p ?o }", "format": "yaml"}, 406, "format=yaml"),
    ],
)
def test_bad_parameters(
    client: TestClient, params: dict[str, str], status: int, words: str
) -> None:
    response = client.get("/sparql", params=params)
    assert response.status_code == status
    assert words in response.text


def test_a_form_without_a_query_field(client: TestClient) -> None:
    response = client.post("/sparql", data={"default-graph-uri": GENEVA})
    assert response.status_code == 400
    assert "no 'query' field" in response.text


def test_a_query_in_the_url_and_another_in_the_body(client: TestClient) -> None:
    response = client.post(
        "/sparql?query=ASK%7B%7D",
        content="ASK {}",
        headers={"content-type": "application/sparql-query"},
    )
    assert response.status_code == 400
    assert "2 queries" in response.text


def test_invalid_utf8_is_a_clear_400(client: TestClient) -> None:
    direct = client.post(
        "/sparql", content=b"ASK { \xff }", headers={"content-type": "application/sparql-query"}
    )
    assert direct.status_code == 400
    assert "not valid UTF-8" in direct.text
    url = client.get("/sparql?query=ASK%20%7B%FF%7D")
    assert url.status_code == 400
    assert "UTF-8" in url.text


def test_a_query_over_the_size_limit_is_413(built_settings: Settings) -> None:
    with app_client(built_settings.with_(max_query_bytes=200)) as small:
        query = "ASK { " + "?s ?p ?o . " * 30 + "}"
        for response in (
            small.get("/sparql", params={"query": query}),
            small.post("/sparql", data={"query": query}),
            small.post(
                "/sparql", content=query, headers={"content-type": "application/sparql-query"}
            ),
            small.post(
                "/sparql",
                content=b"x" * 5000,
                headers={"content-type": "application/sparql-query"},
            ),
        ):
            assert response.status_code == 413
            assert "KG_MAX_QUERY_BYTES" in response.text


def test_no_error_body_holds_a_stack_trace(client: TestClient) -> None:
    responses = [
        client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}),
        client.get("/sparql", params={"query": "SELECT * { ?s undeclared:p ?o }"}),
        client.get("/sparql", params={"query": "SELECT * { SERVICE <http://example.org/> {} }"}),
        client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"}),
        client.get("/sparql", params={"query": r"ASK { \uD800 }"}),
        client.delete("/sparql"),
        client.post("/sparql", content="ASK {}", headers={"content-type": "text/plain"}),
        client.get("/sparql", params={"update": "CLEAR ALL"}),
    ]
    for response in responses:
        assert 400 <= response.status_code < 600
        assert response.headers["content-type"].startswith("text/plain")
        for marker in ("Traceback", 'File "', "pyoxigraph", "kg/server"):
            assert marker not in response.text, response.text
        assert len(response.text) < 1200
