"""Safe by default: no outbound fetch from a query (SERVICE only to the allow-list,
FROM and LOAD never fetch), a time limit that really stops the query, and caps on
the result with a clear signal when it is cut."""

from __future__ import annotations

import json
import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from kg.config import Settings
from kg.server.sparql.endpoint import SparqlService
from kg.server.sparql.querycheck import MAX_DEPTH, MAX_NESTING
from tests.conftest import free_port
from tests.sparql_support import Listener, app_client, oxigraph_server

CROSS = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SRX = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture
def listener() -> Iterator[Listener]:
    socket = Listener()
    yield socket
    socket.close()


def service_of(client: TestClient) -> SparqlService:
    found = client.app.state.sparql  # type: ignore[attr-defined]
    assert isinstance(found, SparqlService)
    return found


# --- SERVICE, LOAD, FROM: nothing leaves the machine ---------------------------------------

REFUSED = [
    "SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * {{ SERVICE<{url}>{{ ?s ?p ?o }} }}",
    "SELECT * {{ SERVICESILENT<{url}> {{ ?s ?p ?o }} }}",
    r"SELECT * {{ \u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    r"SELECT * {{ \U00000053ervice <{url}> {{ ?s ?p ?o }} }}",
    r"SELECT * {{ SERVICE <http\u003A//127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * {{ ?s ?p ?o.SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * {{ ?s ?p 1SERVICE <{url}> {{ ?s ?p ?o }} }}",
    'SELECT * {{ ?s ?p "x"SERVICE <{url}> {{ ?s ?p ?o }} }}',
    "SELECT * {{ ?s ?p true SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * {{ ?s ?p ex:a\\#x\n SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "PREFIX e: <http://127.0.0.1:{port}/> SELECT * {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
    "SELECT * {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    "SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE $e {{ ?s ?p ?o }} }}",
    "SELECT * {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * {{ {{ SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "ASK {{ # a comment\n SERVICE # another\n <{url}> {{ }} }}",
    "CONSTRUCT WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "DESCRIBE ?s {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("template", REFUSED)
def test_service_is_refused_and_nothing_connects(
    client: TestClient, listener: Listener, template: str
) -> None:
    query = template.format(url=listener.url, port=listener.port)
    response = client.post(
        "/sparql", content=query, headers={"content-type": "application/sparql-query"}
    )
    assert response.status_code == 400, response.text
    assert "SERVICE" in response.text and "refused" in response.text
    assert not listener.connected()


def test_a_doubly_escaped_keyword_is_refused_and_nothing_connects(
    client: TestClient, listener: Listener
) -> None:
    query = rf"SELECT * {{ \u005Cu0053ERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "escape" in response.text
    assert not listener.connected()


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * { ?s ?p "SERVICE <{url}> {{ }}" }',
        "SELECT * { ?s ?p ?o } # SERVICE <{url}> {{ }}",
        "SELECT ?service { ?service <http://example.org/SERVICE> ?o }",
        "SELECT * { ?s schema:serviceType ?t }",
        "SELECT * { <http://example.org/service> ?p ?o }",
        "SELECT * { ?s ?p '''a\nSERVICE <{url}> {{}}''' }",
    ],
)
def test_the_word_service_elsewhere_is_harmless(
    client: TestClient, listener: Listener, query: str
) -> None:
    text = query.replace("{url}", listener.url).replace("{{", "{").replace("}}", "}")
    response = client.get("/sparql", params={"query": text})
    assert response.status_code == 200, response.text
    assert not listener.connected()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * FROM <{url}> {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <{url}> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "ASK FROM <{url}> FROM NAMED <{url}/other> {{ ?s ?p ?o }}",
    ],
)
def test_from_never_fetches(client: TestClient, listener: Listener, template: str) -> None:
    response = client.get("/sparql", params={"query": template.format(url=listener.url)})
    assert response.status_code == 200, response.text
    assert not listener.connected()


def test_dataset_parameters_never_fetch(client: TestClient, listener: Listener) -> None:
    response = client.get(
        "/sparql",
        params={
            "query": "SELECT * { ?s ?p ?o GRAPH ?g { ?a ?b ?c } }",
            "default-graph-uri": listener.url,
            "named-graph-uri": listener.url + "/g",
        },
    )
    assert response.status_code == 200
    assert not listener.connected()


def test_nesting_that_would_crash_the_parser_is_a_400(client: TestClient) -> None:
    """3,000 nested braces crashed the query worker's parser (a 500 after a restart)."""
    deep = "SELECT * " + "{" * 3000 + "}" * 3000
    response = client.post(
        "/sparql", content=deep, headers={"content-type": "application/sparql-query"}
    )
    assert response.status_code == 400
    assert "brackets nested more than 200 deep" in response.text


def test_load_is_refused(client: TestClient, listener: Listener) -> None:
    for response in (
        client.post(
            "/sparql",
            content=f"LOAD <{listener.url}>",
            headers={"content-type": "application/sparql-query"},
        ),
        client.post("/sparql", data={"update": f"LOAD <{listener.url}>"}),
        client.post(
            "/sparql",
            content=f"LOAD SILENT <{listener.url}> INTO GRAPH <urn:g>",
            headers={"content-type": "application/sparql-update"},
        ),
    ):
        assert response.status_code == 403
        assert "read-only" in response.text
    assert not listener.connected()


# --- SERVICE to an allow-listed endpoint: a real Oxigraph server on loopback -------------


@pytest.fixture(scope="module")
def oxigraph_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`oxigraph serve-read-only` (PyPI package oxigraph) over one triple."""
    triple = "<http://remote.example/thing> <http://www.w3.org/2000/01/rdf-schema#label> "
    with oxigraph_server(
        tmp_path_factory.mktemp("remote"), triple + '"from the remote endpoint" .'
    ) as url:
        yield url


def test_allow_listed_service_is_called(built_settings: Settings, oxigraph_endpoint: str) -> None:
    settings = built_settings.with_(service_allowlist=f"{oxigraph_endpoint} http://unused.example/")
    query = (
        f"SELECT ?label {{ SERVICE <{oxigraph_endpoint}> "
        "{ <http://remote.example/thing> rdfs:label ?label } }"
    )
    with app_client(settings) as client:
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 200, response.text
        rows = json.loads(response.content)["results"]["bindings"]
        assert rows == [{"label": {"type": "literal", "value": "from the remote endpoint"}}]
        # the remote data may change: such answers are neither cached nor tagged
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers
        prefixed = (
            f"PREFIX remote: <{oxigraph_endpoint.removesuffix('query')}> "
            "ASK { SERVICE SILENT remote:query { ?s ?p ?o } }"
        )
        assert json.loads(client.get("/sparql", params={"query": prefixed}).content)["boolean"]
        description = client.get("/sparql", headers={"Accept": "application/n-triples"})
        assert b"BasicFederatedQuery" in description.content
        other = client.get(
            "/sparql", params={"query": "ASK { SERVICE <http://elsewhere.example/> {} }"}
        )
        assert other.status_code == 400


def test_allow_listed_service_that_is_down_is_502(built_settings: Settings) -> None:
    down = f"http://127.0.0.1:{free_port()}/sparql"
    with app_client(built_settings.with_(service_allowlist=down)) as client:
        response = client.get(
            "/sparql", params={"query": f"SELECT * {{ SERVICE <{down}> {{ ?s ?p ?o }} }}"}
        )
        assert response.status_code == 502
        assert response.text.startswith("a SERVICE endpoint failed")


# --- the time limit --------------------------------------------------------------------


def test_time_limit_stops_the_query_while_others_are_answered(built_settings: Settings) -> None:
    settings = built_settings.with_(query_timeout=3.0, query_workers=2)
    with app_client(settings) as client:
        executor = service_of(client).executor
        with ThreadPoolExecutor(max_workers=1) as pool:
            slow = pool.submit(client.get, "/sparql", params={"query": CROSS})
            for _ in range(600):
                if executor.busy_pids() or slow.done():
                    break
                time.sleep(0.01)
            running = executor.busy_pids()
            assert len(running) == 1, "the long query is running in a worker"
            quick = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
            assert quick.status_code == 200
            assert not slow.done(), "answered while the long query still ran"
            response = slow.result(timeout=120)
        assert response.status_code == 504
        assert "time limit of 3 s (KG_QUERY_TIMEOUT)" in response.text
        with pytest.raises(ProcessLookupError):
            os.kill(running[0], 0)  # killed and reaped: the process is gone
        again = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert again.status_code == 200  # a fresh worker took its place


# --- caps on the result ------------------------------------------------------------------

ALL = "SELECT ?s ?p ?o { ?s ?p ?o }"


def rows_of(body: bytes, name: str) -> int:
    if name == "json":
        return len(json.loads(body)["results"]["bindings"])
    if name == "xml":
        return len(list(ET.fromstring(body).iter(f"{SRX}result")))
    return body.decode().count("\r\n" if name == "csv" else "\n") - 1


def test_rows_cap_cuts_every_format_with_a_signal(built_settings: Settings) -> None:
    with app_client(built_settings.with_(max_result_rows=7)) as client:
        for name in ("json", "xml", "csv", "tsv"):
            response = client.get("/sparql", params={"query": ALL, "format": name})
            assert response.status_code == 200
            assert response.headers["kg-result-truncated"] == "rows=7"
            assert rows_of(response.content, name) == 7
        head = json.loads(client.get("/sparql", params={"query": ALL}).content)["head"]
        assert head["link"] == ["https://w3id.org/negotiations-kg/sparql#truncated-rows-7"]
        xml = client.get("/sparql", params={"query": ALL, "format": "xml"}).content
        assert b'<link href="https://w3id.org/negotiations-kg/sparql#truncated-rows-7"/>' in xml
        exact = client.get("/sparql", params={"query": ALL + " LIMIT 7"})
        assert "kg-result-truncated" not in exact.headers
        assert rows_of(exact.content, "json") == 7


@pytest.mark.slow
def test_a_large_result_is_cut_at_the_cap_in_every_format(client: TestClient) -> None:
    """Issue 10: a SELECT one row over KG_MAX_RESULT_ROWS (100,000) was a 504 at the time
    limit in every format: the cut went through TSV, whose one-byte row mark made the
    writer copy and rescan all its output on every write (quadratic)."""
    query = "SELECT ?a ?b ?c { ?a ?b ?c . ?d ?e ?f } LIMIT 100001"
    for name in ("tsv", "csv", "json", "xml"):
        response = client.get("/sparql", params={"query": query, "format": name})
        assert response.status_code == 200, (name, response.text[:200])
        assert response.headers["kg-result-truncated"] == "rows=100000", name
        assert rows_of(response.content, name) == 100_000, name


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE " + "{" * 3000 + "?s ?p ?o" + "}" * 3000,
        "ASK { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(3000)) + " }",
        "ASK { FILTER(" + "!" * 30000 + "true) }",
    ],
    ids=["braces", "binds", "negations"],
)
def test_a_query_too_deep_is_a_400_before_any_worker_sees_it(
    client: TestClient, query: str
) -> None:
    """Issue 10: a 6 KB query of nested braces killed a query worker (SIGSEGV in the
    engine's parser) and answered 500; two clients sending it crashed ten a second."""
    executed = service_of(client).executed
    response = client.post(
        "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 400, response.text
    assert "deep" in response.text
    assert any(f"{n:,}" in response.text for n in (MAX_NESTING, MAX_DEPTH))
    assert service_of(client).executed == executed


def test_a_literal_that_looks_like_a_row_separator_is_not_a_cut(built_settings: Settings) -> None:
    values = " ".join(f'"a}},{{b{i}"' for i in range(5))  # each holds "},{" twice over
    query = f"SELECT ?x {{ VALUES ?x {{ {values} {values.replace('a', 'c')} }} }}"
    with app_client(built_settings.with_(max_result_rows=10)) as client:
        response = client.get("/sparql", params={"query": query})
        assert "kg-result-truncated" not in response.headers
        assert rows_of(response.content, "json") == 10


def test_bytes_cap_cuts_at_a_row_boundary(built_settings: Settings) -> None:
    with app_client(built_settings.with_(max_result_bytes=5000)) as client:
        for name in ("json", "xml", "csv", "tsv"):
            response = client.get("/sparql", params={"query": ALL, "format": name})
            assert response.headers["kg-result-truncated"] == "bytes=5000"
            assert len(response.content) <= 5000
            assert rows_of(response.content, name) > 0
        graph = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
        assert graph.headers["kg-result-truncated"] == "bytes=5000"
        assert len(Graph().parse(data=graph.content, format="turtle")) > 0
        assert graph.content.rstrip().endswith(
            b"(see https://w3id.org/negotiations-kg/sparql#truncated)"
        )


@pytest.mark.parametrize(
    ("media_type", "syntax", "marker"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE, b"\n# KG-Result-Truncated: triples=5"),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES, b"\n# KG-Result-Truncated: triples=5"),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML, b"<!-- KG-Result-Truncated: triples=5"),
        ("application/ld+json", ox.RdfFormat.JSON_LD, b""),
        ("application/n-quads", ox.RdfFormat.N_QUADS, b"\n# KG-Result-Truncated: triples=5"),
    ],
)
def test_triples_cap_for_graph_results(
    built_settings: Settings, media_type: str, syntax: ox.RdfFormat, marker: bytes
) -> None:
    with app_client(built_settings.with_(max_result_rows=5)) as client:
        response = client.get(
            "/sparql",
            params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
            headers={"Accept": media_type},
        )
        assert response.headers["kg-result-truncated"] == "triples=5"
        assert len(list(ox.parse(response.content, syntax))) == 5
        assert marker in response.content
