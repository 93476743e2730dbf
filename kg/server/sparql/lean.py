"""The lean path: ``/sparql`` answered ahead of the framework's routing.

Every request to ``/sparql`` or ``/sparql/`` comes here before FastAPI sees it (see
:class:`kg.server.app.KgApp`); so does a request to any other path that a
:data:`Claim` added to :attr:`LeanSparql.claims` takes: by default, a release's own
endpoint ``/releases/{id}/sparql`` (:func:`release_endpoint`), whose release
:meth:`LiveRelease.of_request <kg.server.live.LiveRelease.of_request>` takes from the
path, so that everything below answers from it. A request goes one of two ways:

* **Repeated** (a ``GET``, ``HEAD`` or ``POST`` answered before on this release): the
  response is sent again from the result cache (:mod:`~kg.server.sparql.cache`), status,
  headers and body as they went out the first time. Nothing else runs: no routing, no
  middleware, no parsing of the query.
* **Otherwise**: :meth:`SparqlService.respond <kg.server.sparql.endpoint.SparqlService.respond>`
  answers inside the middleware of every route, the very list of :mod:`kg.server.stack`
  (CORS, security headers, the one error handler, compression, request limits, ETags),
  without the framework's routing and its own middleware around it. A response that
  may be reused (200, an ETag, not ``no-store``) is kept on its way out.

What decides a response, and so the cache key: the release the request is answered
from (the one its path names, else the current one: :meth:`LiveRelease.of_request
<kg.server.live.LiveRelease.of_request>`), the method, the path and
query string, the body, and the request headers that the handler and the middleware
read (:data:`READ`); no other header changes a byte of it. A request with
``If-None-Match`` matching the kept tag, or with ``Range``, takes the second way, where
the middleware answers it (304, 412, or the full response). A ``POST``'s body is read
first within the same limits as everywhere (:mod:`kg.server.limits`); if that fails,
the failure is handed to the middleware, which answers it as for any route.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from kg.config import Settings
from kg.errors import KgError
from kg.server import etags, stack
from kg.server.live import RELEASES_PATH, LiveRelease
from kg.server.sparql import endpoint
from kg.server.sparql.cache import Cached

PATHS = frozenset({"/sparql", "/sparql/"})  # the W3C protocol tests ask for /sparql/
_ENDPOINTS = tuple(path.removeprefix("/") for path in PATHS)  # after /releases/{id}/
# Request headers that the endpoint and the middleware of kg.server.stack read (CORS
# reads Origin; negotiation Accept; compression Accept-Encoding; a POST Content-Type).
READ = frozenset({b"accept", b"accept-encoding", b"origin", b"content-type"})
_REPEATABLE = frozenset({"GET", "HEAD", "POST"})

Claim = Callable[[Scope], bool]
"""Says whether a request is for a SPARQL endpoint answered here: True after pinning the
release its path names, if not the current one (:meth:`LiveRelease.pin
<kg.server.live.LiveRelease.pin>`); False, never an exception, for any other request
(a path naming no release that is kept goes on to the routes, which answer 404)."""


def current_endpoint(scope: Scope) -> bool:
    """``/sparql``: the current release's endpoint."""
    return scope["path"] in PATHS


_BODY_START = "http.response.start"


def release_endpoint(scope: Scope) -> bool:
    """A release's own endpoint, ``/releases/{id}/sparql`` (with or without the final
    slash). No pin is needed: :meth:`LiveRelease.of_request
    <kg.server.live.LiveRelease.of_request>` takes the release from the path (and a
    release not kept is the handler's 404)."""
    path: str = scope["path"]
    if not path.startswith(RELEASES_PATH):
        return False
    release_id, _, rest = path[len(RELEASES_PATH) :].partition("/")
    return bool(release_id) and rest in _ENDPOINTS


class LeanSparql:
    """``/sparql`` as a plain ASGI app: the cache, else the handler in the middleware."""

    def __init__(self, app: Any, settings: Settings, live: LiveRelease) -> None:
        self.app = app  # the application whose state holds the SPARQL service
        self.live = live
        self.limits = stack.body_limits(settings)
        self.handler = stack.wrap(self._respond, settings, live)
        self.claims: list[Claim] = [current_endpoint, release_endpoint]

    def takes(self, scope: Scope) -> bool:
        """Whether an HTTP request is answered here, not by the framework's routes."""
        return any(claim(scope) for claim in self.claims)

    async def _respond(self, scope: Scope, receive: Receive, send: Send) -> None:
        await endpoint.service(self.app).respond(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cache = endpoint.service(self.app).cache
        if cache.capacity <= 0 or scope["method"] not in _REPEATABLE:
            await self.handler(scope, receive, send)
            return
        read: list[tuple[bytes, bytes]] = []
        condition = b""
        for name, value in scope["headers"]:
            if name in READ:
                read.append((name, value))
            elif name == b"if-none-match":
                condition = value
            elif name == b"range":
                await self.handler(scope, receive, send)
                return
        try:
            release = self.live.of_request(scope).id
        except KgError:  # no release, or not one kept: the handler says so, as any route
            await self.handler(scope, receive, send)
            return
        body = b""
        if scope["method"] == "POST":
            found, receive = await self._body(scope, receive)
            if found is None:
                await self.handler(scope, receive, send)
                return
            body = found
        query_string: bytes = scope["query_string"]
        key = (release, scope["method"], _path(scope), query_string, body, *read)
        kept = cache.get(key)
        if kept is not None and not (condition and etags.matches(condition, kept.etag.decode())):
            await send({"type": _BODY_START, "status": 200, "headers": kept.raw})
            await send({"type": "http.response.body", "body": kept.body})
            return
        recorder = _Recorder(send, cache.capacity // 4)
        await self.handler(scope, receive, recorder.send)
        response = recorder.response()
        if response is not None:
            headers = sum(len(name) + len(value) for name, value in read)
            cache.put(key, response, weight=len(query_string) + len(body) + headers)

    async def _body(self, scope: Scope, receive: Receive) -> tuple[bytes | None, Receive]:
        """The body of a POST, within the limits, and a ``receive`` that gives it again;
        or None and a ``receive`` that raises what went wrong, for the middleware to
        answer."""
        try:
            self.limits.check(scope)
            return await etags.buffer(self.limits.bounded(receive))
        except Exception as exc:
            failure = exc

            async def failed() -> Message:
                raise failure

            return None, failed


def _path(scope: Scope) -> bytes:
    raw: bytes | None = scope.get("raw_path")
    return raw if raw is not None else str(scope["path"]).encode()


class _Recorder:
    """Passes a response on while keeping it, if it may be sent again."""

    def __init__(self, send: Send, limit: int) -> None:
        self._send = send
        self._limit = limit
        self._start: Message | None = None
        self._parts: list[bytes] = []
        self._size = 0
        self._keep = True
        self._ended = False

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == _BODY_START:
            self._start = message
            self._keep = message["status"] == 200
        elif kind == "http.response.body" and self._keep:
            part = bytes(message.get("body", b""))
            self._size += len(part)
            self._parts.append(part)
            self._keep = self._size <= self._limit
            self._ended = not message.get("more_body", False)
        else:
            self._keep = False
        await self._send(message)

    def response(self) -> Cached | None:
        """The response as sent, when it is complete and may be reused: status 200 with
        an ETag and no ``Cache-Control: no-store``."""
        if not (self._keep and self._ended and self._start is not None):
            return None
        raw = [(bytes(name).lower(), bytes(value)) for name, value in self._start["headers"]]
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in raw}
        if "etag" not in headers or "no-store" in headers.get("cache-control", "").lower():
            return None
        body = b"".join(self._parts)
        media_type = headers.get("content-type", "")
        return Cached(body, headers, media_type, raw, headers["etag"].encode("latin-1"))
