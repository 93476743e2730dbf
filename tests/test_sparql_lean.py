"""The lean path of /sparql (kg/server/sparql/lean.py): a repeated request gets the very
bytes of the first answer without running anything, each request header the endpoint
reads changes the answer it gets, a large result is relayed in pieces as it arrives,
and a slow client never holds a query worker."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx2
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kg import release
from kg.config import Settings
from kg.server.app import create_app
from kg.server.live import LiveRelease, Snapshot
from kg.server.sparql.executor import Executor
from kg.server.sparql.lean import READ
from kg.server.sparql.results import Limits
from kg.server.sparql.worker import Config, Job
from kg.server.stack import SECURITY_HEADERS
from tests.conftest import GENEVA, Corpus
from tests.sparql_support import service_of

ROUNDS = "SELECT ?r ?p ?o { ?r a nkg:NegotiationRound ; ?p ?o }"  # over 1 KB as JSON
EVERYTHING = "CONSTRUCT WHERE { ?s ?p ?o }"
FORM = "application/x-www-form-urlencoded"


def exchange(client: TestClient, method: str, **kwargs: Any) -> httpx2.Response:
    return client.request(method, "/sparql", **kwargs)


REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("GET", {"params": {"query": ROUNDS}}),
    ("GET", {"params": {"query": ROUNDS}, "headers": {"Accept": "text/csv"}}),
    ("GET", {"params": {"query": ROUNDS}, "headers": {"Origin": "https://example.org"}}),
    ("GET", {"params": {"query": ROUNDS}, "headers": {"Accept-Encoding": "br"}}),
    ("GET", {"params": {"query": ROUNDS}, "headers": {"Accept-Encoding": "identity"}}),
    ("HEAD", {"params": {"query": ROUNDS}}),
    ("POST", {"content": urlencode({"query": ROUNDS}), "headers": {"Content-Type": FORM}}),
    (
        "POST",
        {"content": ROUNDS, "headers": {"Content-Type": "application/sparql-query"}},
    ),
    ("GET", {"params": {"query": "CONSTRUCT WHERE { ?s a nkg:NegotiationRound }"}}),
    ("GET", {}),  # the service description
]


@pytest.mark.parametrize(("method", "kwargs"), REQUESTS)
def test_a_repeated_request_gets_the_bytes_of_the_first_answer(
    client: TestClient, method: str, kwargs: dict[str, Any]
) -> None:
    service = service_of(client)
    first = exchange(client, method, **kwargs)
    assert first.status_code == 200, first.text
    executed, hits = service.executed, service.cache.hits
    again = exchange(client, method, **kwargs)
    assert (service.executed, service.cache.hits) == (executed, hits + 1)
    assert again.status_code == first.status_code
    assert again.headers.multi_items() == first.headers.multi_items()
    assert again.content == first.content


def test_every_header_the_endpoint_reads_changes_its_answer(client: TestClient) -> None:
    """The cache key holds the headers the handler and the middleware read; a response
    kept for one value of them is never sent for another."""
    assert {b"accept", b"accept-encoding", b"origin", b"content-type"} == READ
    params = {"query": ROUNDS}
    plain = client.get("/sparql", params=params, headers={"Accept-Encoding": "identity"})
    cors = client.get(
        "/sparql", params=params, headers={"Accept-Encoding": "identity", "Origin": "https://a.b"}
    )
    assert "access-control-allow-origin" not in plain.headers
    assert cors.headers["access-control-allow-origin"] == "*"
    zipped = client.get("/sparql", params=params, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert zipped.headers["etag"] != plain.headers["etag"]
    csv = client.get("/sparql", params=params, headers={"Accept": "text/csv"})
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    form = {"query": ROUNDS}
    wrong = client.post("/sparql", content=urlencode(form), headers={"Content-Type": "text/plain"})
    right = client.post("/sparql", content=urlencode(form), headers={"Content-Type": FORM})
    assert (wrong.status_code, right.status_code) == (415, 200)


def test_headers_the_endpoint_does_not_read_reuse_the_answer(client: TestClient) -> None:
    service = service_of(client)
    client.get("/sparql", params={"query": ROUNDS}, headers={"User-Agent": "one"})
    executed = service.executed
    other = client.get(
        "/sparql", params={"query": ROUNDS}, headers={"User-Agent": "two", "X-Trace": "1"}
    )
    assert other.status_code == 200
    assert service.executed == executed


def test_the_lean_path_sends_the_headers_of_every_route(client: TestClient) -> None:
    """/sparql is answered ahead of the framework, through the same middleware."""
    home = client.get("/", headers={"Origin": "https://a.b"})
    sparql = client.get("/sparql", params={"query": ROUNDS}, headers={"Origin": "https://a.b"})
    for response in (home, sparql):
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.headers["etag"].startswith('W/"')
    assert (
        sparql.headers["access-control-expose-headers"]
        == (home.headers["access-control-expose-headers"])
    )
    assert {v.strip() for v in sparql.headers["vary"].split(",")} >= {
        "Accept",
        "Accept-Encoding",
        "Origin",
    }


def test_an_error_is_never_kept(client: TestClient) -> None:
    service = service_of(client)
    for _ in range(2):
        assert client.get("/sparql", params={"query": "ASK {"}).status_code == 400
    assert service.cache.hits == 0


async def _asgi(app: Any, query: str, headers: list[tuple[bytes, bytes]]) -> list[Any]:
    """One GET /sparql straight through the ASGI app; the messages it sends."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/sparql",
        "raw_path": b"/sparql",
        "query_string": urlencode({"query": query}).encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "extensions": {},
    }
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


@pytest.mark.parametrize("coding", ["identity", "gzip"])
def test_a_large_result_is_relayed_in_pieces_as_it_arrives(
    built_settings: Settings, coding: str
) -> None:
    settings = built_settings.with_(cache_bytes=0)
    app = create_app(settings)
    accept = [(b"accept", b"application/n-triples"), (b"accept-encoding", coding.encode())]
    try:
        sent = asyncio.run(_asgi(app, EVERYTHING, accept))
    finally:
        app.state.sparql.close()
    start, bodies = sent[0], sent[1:]
    assert start["status"] == 200
    assert len(bodies) >= 2 and bodies[-1].get("more_body", False) is False
    body = b"".join(message["body"] for message in bodies)
    if coding == "gzip":
        body = gzip.decompress(body)
    else:
        assert dict(start["headers"])[b"content-length"] == str(len(body)).encode()
    store = release.current(settings).open_store()
    expected = store.query(EVERYTHING, use_default_graph_as_union=True)
    assert isinstance(expected, ox.QueryTriples)
    direct = ox.serialize(expected, format=ox.RdfFormat.N_TRIPLES) or b""
    assert sorted(body.splitlines()) == sorted(direct.splitlines())


def test_a_client_that_does_not_read_holds_no_worker(built_settings: Settings) -> None:
    """The reply is drained from the worker's pipe whatever the client's pace: the
    worker is free again before a byte of the body is consumed."""
    executor = Executor(1, Config(built_settings.ns.prefixes(), built_settings.base_iri))
    store = str(release.current(built_settings).store_path)
    limits = Limits(100_000, 50_000_000, "urn:truncated")
    job = Job(store, EVERYTHING, None, None, True, "json", "ntriples", limits, False)

    async def slow_client() -> tuple[int, int]:
        answer = await executor.submit(job, 30)
        reply = await answer.head()
        for _ in range(200):
            if executor.busy_pids() == []:
                break
            await asyncio.sleep(0.02)
        free = len(executor.busy_pids())
        received = sum([len(chunk) async for chunk in answer.chunks()])
        assert received == reply.size
        return free, reply.size

    try:
        free, size = asyncio.run(slow_client())
    finally:
        executor.close()
    assert size > 256 * 1024
    assert free == 0


def test_a_claimed_path_is_answered_here_from_the_release_it_pins(
    make_corpus: Callable[..., Corpus],
) -> None:
    """The extension point for an endpoint named after one release: a claim added to
    ``app.lean.claims`` takes the path and pins the release; the lean path answers it
    from that release (and caches it apart), while /sparql answers from the current one."""
    older = make_corpus("older")
    older.keep_only(GENEVA)
    _, first = older.build()
    settings, current = make_corpus("newer").build()
    assert release.current(settings).id == current.id != first.id
    pinned = Snapshot(first, first.open_store())

    def then(scope: Any) -> bool:
        if scope["path"] != "/then/sparql":
            return False
        LiveRelease.pin(scope, pinned)
        return True

    app = create_app(settings)
    app.lean.claims.append(then)
    graphs = {"query": "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } }"}
    with TestClient(app) as client:
        service = service_of(client)
        counts = {}
        for path in ("/sparql", "/then/sparql", "/then/sparql"):
            response = client.get(path, params=graphs)
            assert response.status_code == 200, response.text
            counts[path] = int(response.json()["results"]["bindings"][0]["n"]["value"])
        assert service.executed == 2 and service.cache.hits == 1
        assert client.get("/then/other").status_code == 404  # not claimed: the routes'
    assert counts["/then/sparql"] < counts["/sparql"]
    direct = first.open_store().query(graphs["query"])
    assert isinstance(direct, ox.QuerySolutions)
    count = next(iter(direct))[0]
    assert isinstance(count, ox.Literal) and int(count.value) == counts["/then/sparql"]
