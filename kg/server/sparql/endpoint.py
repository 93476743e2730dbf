"""The SPARQL 1.1 Protocol endpoint at ``/sparql`` (SPARQL 1.1 Protocol, section 2.1),
and at ``/releases/{id}/sparql``, the same endpoint answering from one kept release.

One request goes: a browser that prefers HTML is sent to the query UI
(:mod:`~kg.server.sparql.browsers`, the one place that tells people from programs; not
from a release's own endpoint, as the UI queries the current release); else
read the protocol request (:mod:`~kg.server.sparql.protocol`); without a query, answer
the service description (:mod:`~kg.server.sparql.description`); check the query
(:mod:`~kg.server.sparql.querycheck`); negotiate the format
(:mod:`~kg.server.negotiation`); run it in a worker process within the time limit
(:mod:`~kg.server.sparql.executor`); answer, relaying a large result as it arrives.

:meth:`SparqlService.respond` is a plain ASGI handler. It runs inside the middleware
of every route (:mod:`kg.server.stack`), behind the result cache of the lean path
(:mod:`~kg.server.sparql.lean`), which answers repeated requests with the bytes this
handler and the middleware sent the first time. It is ``async`` and never blocks: the
executor waits for the worker's reply with a reader on the event loop.

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
from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

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
from kg.server import failures, negotiation
from kg.server.failures import ClientGone
from kg.server.live import LiveRelease, Snapshot, named_in
from kg.server.sparql import browsers, description, protocol, querycheck, results
from kg.server.sparql.cache import ResultCache
from kg.server.sparql.executor import Executor
from kg.server.sparql.worker import Config, Job

ALLOW = "GET, HEAD, POST, OPTIONS"
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
        self._store_paths: dict[str, str] = {}
        live.listeners.append(self._new_release)

    def _new_release(self, snapshot: Snapshot) -> None:
        self.cache.clear()

    def _store_path(self, snapshot: Snapshot) -> str:
        """The store of ``snapshot``'s release, as the workers open it (kept: a path
        costs a few microseconds to make)."""
        found = self._store_paths.get(snapshot.id)
        if found is None:
            if len(self._store_paths) > 8:
                self._store_paths.clear()
            found = self._store_paths[snapshot.id] = str(snapshot.release.store_path)
        return found

    def close(self) -> None:
        if self._new_release in self.live.listeners:
            self.live.listeners.remove(self._new_release)
        self.executor.close()

    async def respond(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one request to ``/sparql``: the handler inside the middleware of
        :mod:`kg.server.stack`. Its errors go out through :func:`failures.respond`, as
        the framework's exception handler sends a route's; one that comes once the
        response has begun (a worker that dies while a large result streams) goes on to
        the error handler, which logs it and ends the response where it is."""
        method: str = scope["method"]
        accept = _header(scope, b"accept")
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            if method == "OPTIONS":
                await _send(sending, 204, [(b"allow", ALLOW.encode())], b"")
            elif method not in ("GET", "HEAD", "POST"):
                raise MethodNotAllowed(
                    f"{method} is not allowed on /sparql: query with GET or POST "
                    "(SPARQL 1.1 Protocol, section 2.1)",
                    ALLOW,
                )
            elif (location := self._ui_location(scope, accept)) is not None:
                await _send(sending, 303, [(b"location", location.encode()), _VARY], b"")
            else:
                await self._answer(scope, receive, sending, accept)
        except KgError as error:
            if started:
                raise
            await failures.respond(error, accept)(scope, receive, send)

    @staticmethod
    def _ui_location(scope: Scope, accept: str) -> str | None:
        """Where a browser is sent: the query UI, which queries the current release; so
        never from the endpoint of one release."""
        if named_in(scope) is not None:
            return None
        query_string = scope.get("query_string", b"")
        return browsers.ui_location(scope["method"], query_string, accept or None, scope["path"])

    async def _answer(self, scope: Scope, receive: Receive, send: Send, accept: str) -> None:
        snapshot = self.live.of_request(scope)
        method: str = scope["method"]
        body = await _body(receive) if method == "POST" else b""
        sparql = protocol.read(
            method,
            scope.get("query_string", b""),
            _header(scope, b"content-type"),
            accept,
            body,
            self.settings.max_query_bytes,
        )
        if sparql.query is None:
            named = named_in(scope) is not None
            await self._description(snapshot, sparql, send, method == "HEAD", named)
            return
        plan = querycheck.analyse(sparql.query, self.allowlist, self.predefined)
        results_format = negotiation.choose(RESULTS, sparql.accept, sparql.formats)
        graph_format = negotiation.choose(GRAPHS, sparql.accept, sparql.formats)
        wanted = graph_format if plan.form in ("CONSTRUCT", "DESCRIBE") else results_format
        if plan.form is not None and wanted is None:
            raise _refuse(plan.form, sparql)
        job = Job(
            store_path=self._store_path(snapshot),
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
        answer = await self.executor.submit(job, self.settings.query_timeout)
        try:
            reply = await answer.head()
            if reply.status == 406:
                raise _refuse("CONSTRUCT" if reply.form == "graph" else "SELECT", sparql)
            if reply.status != 200:
                raise _failure(reply.status, reply.message)
            headers = [_VARY]
            if reply.truncated:
                headers.append((TRUNCATED, reply.truncated.encode()))
            if plan.volatile:
                headers.append(_NO_STORE)
            headers += _entity(BY_NAME[reply.format].content_type, reply.size)
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            if method == "HEAD":
                await answer.body()  # read, so that the worker is free again
                await send({"type": "http.response.body", "body": b""})
                return
            ended = False
            async for piece in answer.chunks():  # as it arrives: one piece for most results
                ended = answer.complete and answer.drained
                await send({"type": "http.response.body", "body": piece, "more_body": not ended})
            if not ended:
                await send({"type": "http.response.body", "body": b""})
        finally:
            answer.abandon()  # a worker that did not answer in full is killed

    async def _description(
        self,
        snapshot: Snapshot,
        sparql: protocol.SparqlRequest,
        send: Send,
        head: bool,
        named: bool,
    ) -> None:
        fmt = negotiation.choose(GRAPHS, sparql.accept, sparql.formats)
        if fmt is None:
            raise negotiation.refuse(
                "the service description", GRAPHS, sparql.accept, sparql.formats
            )
        triples = await run_sync(  # the store of an older release opens there, off the loop
            lambda: description.describe(self.settings, snapshot.store, snapshot.id, named)
        )
        body = results.rdf(triples, fmt.name, _SD_PREFIXES)
        headers = [_VARY, *_entity(fmt.content_type, len(body))]
        await _send(send, 200, headers, b"" if head else body, length=False)


TRUNCATED = b"kg-result-truncated"
_VARY = (b"vary", b"Accept")
_NO_STORE = (b"cache-control", b"no-store")


def _header(scope: Scope, name: bytes) -> str:
    """The first value of a request header, as Starlette's ``Headers.get`` reads it."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return ""


async def _body(receive: Receive) -> bytes:
    """The request's body (bounded in size and time by :mod:`kg.server.limits`)."""
    parts = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientGone
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)


def _entity(content_type: str, length: int) -> list[tuple[bytes, bytes]]:
    return [(b"content-length", str(length).encode()), (b"content-type", content_type.encode())]


async def _send(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes, length: bool = True
) -> None:
    """A complete response; ``length``: add its Content-Length (not for HEAD, which
    gives the length of what GET would send, nor for a 204)."""
    if length and status != 204:
        headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


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
