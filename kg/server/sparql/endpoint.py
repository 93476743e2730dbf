"""The SPARQL 1.1 Protocol endpoint at ``/sparql`` (SPARQL 1.1 Protocol, section 2.1).

One request goes: a browser that prefers HTML is sent to the query UI
(:mod:`~kg.server.sparql.browsers`, the one place that tells people from programs); else
read the protocol request (:mod:`~kg.server.sparql.protocol`); without a
query, answer the service description (:mod:`~kg.server.sparql.description`); look the
request up in the result cache (:mod:`~kg.server.sparql.cache`), which answers with bytes and
touches nothing else; check the query (:mod:`~kg.server.sparql.querycheck`); negotiate the
format (:mod:`~kg.server.negotiation`); run it in a worker process within the time
limit (:mod:`~kg.server.sparql.executor`); answer, and keep the answer in the cache.

The handler is ``async`` and never blocks: the executor waits for the worker's
reply with a reader on the event loop, and a cache hit is a dictionary lookup.

Status codes (failures: SPARQL 1.1 Protocol, section 2.1.7): 400 bad request or
syntax error (with line and column), 403 update or SERVICE refused, 405 method, 406
format, 413 too large, 415 content type, 500 query failed, 502 SERVICE endpoint
failed, 503 all workers busy, 504 time limit.
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio.to_thread import run_sync
from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from kg.config import Settings
from kg.errors import (
    KgError,
    MethodNotAllowed,
    QueryError,
    QueryFailed,
    QueryRefused,
    ServiceEndpointFailed,
)
from kg.formats import BY_NAME, GRAPHS, RESULTS, W3C_FORMATS
from kg.namespaces import SD
from kg.server import negotiation
from kg.server.live import LiveRelease, Snapshot
from kg.server.sparql import browsers, description, protocol, querycheck, results
from kg.server.sparql.cache import Cached, ResultCache
from kg.server.sparql.executor import Executor
from kg.server.sparql.worker import Config, Job

ALLOW = "GET, HEAD, POST, OPTIONS"
TRUNCATED = "KG-Result-Truncated"
_create_lock = threading.Lock()


class SparqlService:
    """What the endpoint keeps between requests: workers, cache, settings."""

    def __init__(self, settings: Settings, live: LiveRelease) -> None:
        self.settings = settings
        self.live = live
        size = settings.query_workers or _cpus()
        self.executor = Executor(size, Config(settings.ns.prefixes(), settings.base_iri))
        self.cache = ResultCache(max(settings.cache_bytes, 0))
        self.allowlist = settings.allowed_services
        self.predefined = tuple(sorted(settings.ns.prefixes().items()))
        self.limits = results.Limits(
            settings.max_result_rows,
            settings.max_result_bytes,
            description.endpoint_iri(settings) + "#truncated",
        )
        self.executed = 0  # queries sent to a worker (the tests read it)
        live.listeners.append(self._new_release)

    def _new_release(self, snapshot: Snapshot) -> None:
        self.cache.clear()

    def close(self) -> None:
        if self._new_release in self.live.listeners:
            self.live.listeners.remove(self._new_release)
        self.executor.close()

    async def answer(self, request: Request) -> Response:
        snapshot = self.live.of_request(request.scope)
        sparql = await protocol.read(request, self.settings.max_query_bytes)
        if sparql.query is None:
            return await self._description(request, snapshot, sparql)
        key = (
            snapshot.id,
            sparql.query,
            sparql.default_graphs,
            sparql.named_graphs,
            sparql.accept,
            sparql.formats,
        )
        cached = self.cache.get(key)
        if cached is None:
            cached = await self._run(snapshot, sparql)
            if cached.headers.get("Cache-Control") != "no-store":
                self.cache.put(key, cached, weight=len(sparql.query))
        return _respond(cached, head=request.method == "HEAD")

    async def _run(self, snapshot: Snapshot, sparql: protocol.SparqlRequest) -> Cached:
        assert sparql.query is not None
        plan = querycheck.analyse(sparql.query, self.allowlist, self.predefined)
        results_format = negotiation.choose(RESULTS, sparql.accept, sparql.formats)
        graph_format = negotiation.choose(GRAPHS, sparql.accept, sparql.formats)
        wanted = graph_format if plan.form in ("CONSTRUCT", "DESCRIBE") else results_format
        if plan.form is not None and wanted is None:
            raise _refuse(plan.form, sparql)
        job = Job(
            store_path=str(snapshot.release.store_path),
            query=plan.text,
            default_graphs=sparql.default_graphs,
            named_graphs=sparql.named_graphs,
            union=not plan.has_dataset,
            results_format=results_format.name if results_format else None,
            graph_format=graph_format.name if graph_format else None,
            limits=self.limits,
            calls_services=bool(plan.services),
        )
        self.executed += 1
        reply, body = await self.executor.run(job, self.settings.query_timeout)
        if reply.status == 406:
            raise _refuse("CONSTRUCT" if reply.form == "graph" else "SELECT", sparql)
        if reply.status != 200:
            raise _failure(reply.status, reply.message)
        headers = {"Vary": "Accept"}
        if reply.truncated:
            headers[TRUNCATED] = reply.truncated
        if plan.volatile:
            headers["Cache-Control"] = "no-store"
        return Cached(body, headers, BY_NAME[reply.format].content_type)

    async def _description(
        self, request: Request, snapshot: Snapshot, sparql: protocol.SparqlRequest
    ) -> Response:
        fmt = negotiation.choose(GRAPHS, sparql.accept, sparql.formats)
        if fmt is None:
            raise negotiation.refuse(
                "the service description", GRAPHS, sparql.accept, sparql.formats
            )
        key = ("service-description", snapshot.id, fmt.name)
        cached = self.cache.get(key)
        if cached is None:
            triples = await run_sync(
                description.describe, self.settings, snapshot.store, snapshot.id
            )
            body = results.rdf(triples, fmt.name, _SD_PREFIXES)
            cached = Cached(body, {"Vary": "Accept"}, fmt.content_type)
            self.cache.put(key, cached)
        return _respond(cached, head=request.method == "HEAD")


def _refuse(form: str, sparql: protocol.SparqlRequest) -> KgError:
    offered = GRAPHS if form in ("CONSTRUCT", "DESCRIBE") else RESULTS
    return negotiation.refuse(f"a {form} result", offered, sparql.accept, sparql.formats)


_SD_PREFIXES = {"sd": str(SD), "dcterms": description.DCTERMS, "formats": W3C_FORMATS}


_FAILURES: dict[int, type[KgError]] = {
    400: QueryError,
    403: QueryRefused,
    500: QueryFailed,
    502: ServiceEndpointFailed,
}


def _failure(status: int, message: str) -> KgError:
    """The error for a worker's reply (its status and message)."""
    return _FAILURES.get(status, QueryFailed)(message)


def _respond(cached: Cached, head: bool) -> Response:
    headers = dict(cached.headers)
    if head:
        headers["Content-Length"] = str(len(cached.body))
        return Response(b"", headers=headers, media_type=cached.media_type)
    return Response(cached.body, headers=headers, media_type=cached.media_type)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def service(app: Any) -> SparqlService:
    """The app's service, created on first use when no lifespan ran."""
    found = getattr(app.state, "sparql", None)
    if isinstance(found, SparqlService):
        return found
    with _create_lock:
        found = getattr(app.state, "sparql", None)
        if not isinstance(found, SparqlService):
            found = SparqlService(app.state.settings, app.state.live)
            app.state.sparql = found
        return found


class Endpoint:
    """``/sparql`` as a plain ASGI app: every method comes here, and is answered."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method == "OPTIONS":
            response = Response(status_code=204, headers={"Allow": ALLOW})
        elif request.method not in ("GET", "HEAD", "POST"):
            raise MethodNotAllowed(
                f"{request.method} is not allowed on /sparql: query with GET or POST "
                "(SPARQL 1.1 Protocol, section 2.1)",
                ALLOW,
            )
        elif (
            location := browsers.ui_location(
                request.method,
                scope.get("query_string", b""),
                request.headers.get("accept"),
                request.url.path,
            )
        ) is not None:
            response = RedirectResponse(location, status_code=303, headers={"Vary": "Accept"})
        else:
            response = await service(request.app).answer(request)
        await response(scope, receive, send)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    sparql = service(app)
    sparql.executor.prestart()
    try:
        yield
    finally:
        sparql.close()
        if getattr(app.state, "sparql", None) is sparql:
            del app.state.sparql


def router() -> APIRouter:
    routes = APIRouter(lifespan=lifespan)
    for path in ("/sparql", "/sparql/"):  # the W3C protocol tests ask for /sparql/
        routes.routes.append(Route(path, Endpoint(), include_in_schema=False))
    return routes
