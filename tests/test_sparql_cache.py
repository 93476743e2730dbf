"""ETags and conditional requests (RFC 9110, 13.1.2) for every route, and the result
cache: hits without the engine, bounded, off with 0, emptied by a new release."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from kg import pipeline
from kg.config import Settings
from kg.progress import Steps
from kg.server.etags import ConditionalRequests
from kg.server.live import LiveRelease
from kg.server.sparql.cache import Cached, ResultCache
from kg.server.sparql.endpoint import SparqlService
from tests.sparql_support import app_client

ROUNDS = "SELECT ?r { ?r a nkg:NegotiationRound }"
VERSION = "SELECT ?v { ?d dcat:hasVersion ?v }"


def service_of(client: TestClient) -> SparqlService:
    found = client.app.state.sparql  # type: ignore[attr-defined]
    assert isinstance(found, SparqlService)
    return found


def test_every_response_has_an_etag_and_a_match_gets_304(client: TestClient) -> None:
    first = client.get("/sparql", params={"query": ROUNDS})
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and first.headers["vary"].startswith("Accept")
    executed = service_of(client).executed
    again = client.get("/sparql", params={"query": ROUNDS}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert service_of(client).executed == executed  # the handler did not run
    listed = client.get(
        "/sparql", params={"query": ROUNDS}, headers={"If-None-Match": f'"x", {etag}'}
    )
    assert listed.status_code == 304
    stale = client.get("/sparql", params={"query": ROUNDS}, headers={"If-None-Match": '"x"'})
    assert stale.status_code == 200


def test_the_etag_depends_on_the_request(client: TestClient) -> None:
    def etag(**kwargs: object) -> str:
        return client.get("/sparql", **kwargs).headers["etag"]  # type: ignore[arg-type]

    plain = etag(params={"query": ROUNDS})
    assert plain == etag(params={"query": ROUNDS})
    assert plain != etag(params={"query": ROUNDS + " LIMIT 1"})
    assert plain != etag(params={"query": ROUNDS}, headers={"Accept": "text/csv"})
    assert client.head("/sparql", params={"query": ROUNDS}).headers["etag"] == plain
    post = client.post("/sparql", data={"query": ROUNDS})
    assert post.headers["etag"] not in (plain, etag(params={"query": ROUNDS + " "}))
    other_body = client.post("/sparql", data={"query": ROUNDS + " LIMIT 2"})
    assert other_body.headers["etag"] != post.headers["etag"]
    # a POST whose tag matches is a 412, as RFC 9110 asks for methods other than GET/HEAD
    matched = client.post(
        "/sparql", data={"query": ROUNDS}, headers={"If-None-Match": post.headers["etag"]}
    )
    assert matched.status_code == 412


def test_errors_are_not_tagged(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {"})
    assert response.status_code == 400
    assert "etag" not in response.headers


def test_a_route_that_sets_its_own_etag_keeps_it(built_settings: Settings) -> None:
    async def own(request: Request) -> Response:
        return PlainTextResponse("file", headers={"ETag": '"sha256-abc"'})

    async def plain(request: Request) -> Response:
        return PlainTextResponse("page")

    async def partial(request: Request) -> Response:
        return PlainTextResponse("pa", status_code=206)

    app = Starlette(routes=[Route("/own", own), Route("/plain", plain), Route("/part", partial)])
    live = LiveRelease(built_settings)
    with TestClient(ConditionalRequests(app, live=live)) as client:
        assert client.get("/own").headers["etag"] == '"sha256-abc"'
        assert client.get("/own", headers={"If-None-Match": '"sha256-abc"'}).status_code == 200
        tag = client.get("/plain").headers["etag"]
        assert live.get().id in tag
        assert client.get("/plain", headers={"If-None-Match": tag}).status_code == 304
        assert "etag" not in client.get("/part").headers


def test_identical_queries_are_answered_from_the_cache(client: TestClient) -> None:
    service = service_of(client)
    first = client.get("/sparql", params={"query": ROUNDS})
    executed = service.executed
    second = client.get("/sparql", params={"query": ROUNDS})
    assert service.executed == executed
    assert service.cache.hits >= 1
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"]
    client.get("/sparql", params={"query": ROUNDS}, headers={"Accept": "text/csv"})
    assert service.executed == executed + 1  # another format is another entry


def test_volatile_queries_are_not_cached(client: TestClient) -> None:
    service = service_of(client)
    for _ in range(2):
        response = client.get("/sparql", params={"query": "SELECT (NOW() AS ?t) (RAND() AS ?r) {}"})
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers
    assert service.cache.hits == 0


def test_cache_bytes_zero_turns_the_cache_off(built_settings: Settings) -> None:
    with app_client(built_settings.with_(cache_bytes=0)) as client:
        service = service_of(client)
        for _ in range(3):
            assert client.get("/sparql", params={"query": ROUNDS}).status_code == 200
        assert service.executed == 3
        assert len(service.cache) == 0


def test_the_cache_is_bounded_in_bytes() -> None:
    cache = ResultCache(capacity=10_000)
    for i in range(50):
        cache.put(i, Cached(b"x" * 1000, {}, "text/plain"))
    assert cache.size <= 10_000
    assert cache.get(49) is not None and cache.get(0) is None
    cache.put("big", Cached(b"x" * 3000, {}, "text/plain"))  # over a quarter: not kept
    assert cache.get("big") is None


def test_a_new_release_empties_the_cache(seed_copy: Settings) -> None:
    first = pipeline.build(seed_copy, Steps(quiet=True))
    with app_client(seed_copy) as client:
        service = service_of(client)

        def version() -> str:
            response = client.get("/sparql", params={"query": VERSION})
            return str(json.loads(response.content)["results"]["bindings"][0]["v"]["value"])

        assert version().endswith(first.id)
        assert version().endswith(first.id)
        assert service.cache.hits == 1
        second = pipeline.build(seed_copy, Steps(quiet=True))
        assert second.id != first.id
        client.app.state.live.recheck()  # type: ignore[attr-defined]
        executed = service.executed
        assert version().endswith(second.id)
        assert service.executed == executed + 1
        assert len(service.cache) == 1  # the old release's entries are gone


def test_other_routes_get_the_release_etag_too(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200
    etag = home.headers["etag"]
    assert etag.startswith(f'W/"{client.app.state.live.get().id}-')  # type: ignore[attr-defined]
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304
