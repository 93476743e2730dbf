"""ETags and conditional requests for every route (RFC 9110, sections 8.8.3 and 13.1.2).

A release is immutable, so the release id and the request (method, path, query
string, ``Accept``, ``Accept-Encoding`` and body) determine the response. This pure
ASGI middleware derives a weak ETag from them, ``W/"<release>-<digest>"``, before the
route runs:

* ``If-None-Match`` that matches: 304 Not Modified for GET and HEAD (PreconditionFailed,
  412, for other methods, as RFC 9110 says), without running the route;
* otherwise the route runs, and a 2xx or 3xx response gets the ETag unless it set its
  own (the dumps set strong ETags from their SHA-256), is a 206 partial response, or
  says ``Cache-Control: no-store`` (a query that calls NOW() or a SERVICE).

The snapshot the ETag is made from is the request's own
(:meth:`~kg.server.live.LiveRelease.of_request`): the route answers from that very
release. The body is read whole: :class:`~kg.server.limits.RequestLimits`, outside this
middleware, has bounded its size and time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from kg.errors import NoRelease, PreconditionFailed
from kg.server.limits import declares_body
from kg.server.live import LiveRelease

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KEY_HEADERS = (b"accept", b"accept-encoding")
VARY = "Accept, Accept-Encoding"


class ConditionalRequests:
    def __init__(self, app: ASGIApp, live: LiveRelease) -> None:
        self.app = app
        self.live = live

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD", "POST"):
            await self.app(scope, receive, send)
            return
        try:
            snapshot = self.live.of_request(scope)
        except NoRelease:  # the routes that need a release say so; the others answer
            await self.app(scope, receive, send)
            return
        body = b""
        if declares_body(scope):
            body, receive = await buffer(receive)
        headers = dict(scope["headers"])
        if b"range" in headers:
            await self.app(scope, receive, send)
            return
        etag = _etag(snapshot.id, scope, headers, body)
        if matches(headers.get(b"if-none-match", b""), etag):
            if scope["method"] not in ("GET", "HEAD"):
                raise PreconditionFailed(
                    f"If-None-Match matches the current representation ({etag}); "
                    f"{scope['method']} is not performed (RFC 9110, section 13.1.2)",
                    {"ETag": etag},
                )
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [(b"etag", etag.encode()), (b"vary", VARY.encode())],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start" and _taggable(message):
                message["headers"] = [*message.get("headers", []), (b"etag", etag.encode())]
            await send(message)

        await self.app(scope, receive, tagged)


def _etag(release: str, scope: Scope, headers: dict[bytes, bytes], body: bytes) -> str:
    method = "GET" if scope["method"] == "HEAD" else scope["method"]  # same representation
    parts = (
        method.encode(),
        scope.get("raw_path") or scope["path"].encode(),
        scope.get("query_string", b""),
        *(headers.get(name, b"") for name in KEY_HEADERS),
        body,
    )
    framed = b"".join(len(part).to_bytes(8, "big") + part for part in parts)
    return f'W/"{release}-{hashlib.sha256(framed).hexdigest()[:24]}"'


def matches(header: bytes, etag: str) -> bool:
    """Weak comparison (RFC 9110, section 8.8.3.2) against each tag of If-None-Match."""
    if not header:
        return False
    opaque = etag.removeprefix("W/")
    for candidate in header.decode("latin-1").split(","):
        if candidate.strip().removeprefix("W/") == opaque:
            return True
    return False


def _taggable(message: Message) -> bool:
    status = int(message["status"])
    if not 200 <= status < 400 or status == 206:
        return False
    for name, value in message.get("headers", []):
        lowered = bytes(name).lower()
        if lowered == b"etag":
            return False
        if lowered == b"cache-control" and b"no-store" in bytes(value).lower():
            return False
    return True


async def buffer(receive: Receive) -> tuple[bytes, Receive]:
    """Read the request body and a ``receive`` that replays it."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return body, replay
