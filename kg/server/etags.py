"""ETags and conditional requests for every route (RFC 9110, sections 8.8.3 and 13.1.2).

A release is immutable, so the release id and the request (method, path, query
string, ``Accept``, ``Accept-Encoding`` and body) determine the response. This pure
ASGI middleware derives a weak ETag from them, ``W/"<release>-<digest>"``, before the
route runs:

* ``If-None-Match`` that matches: 304 Not Modified for GET and HEAD (412 Precondition
  Failed for other methods, as RFC 9110 says), without running the route;
* otherwise the route runs, and a 2xx or 3xx response gets the ETag unless it set its
  own (the dumps set strong ETags from their SHA-256), is a 206 partial response, or
  says ``Cache-Control: no-store`` (a query that calls NOW() or a SERVICE).

The snapshot the ETag was made from is left in ``scope["state"]`` under
:data:`SNAPSHOT_KEY`, so that a route can answer from that very release.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from kg.errors import NoRelease
from kg.server.live import LiveRelease, Snapshot

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SNAPSHOT_KEY = "kg.snapshot"
KEY_HEADERS = (b"accept", b"accept-encoding")
VARY = "Accept, Accept-Encoding"


def snapshot_of(scope: Scope) -> Snapshot | None:
    """The snapshot the middleware used for this request, if any."""
    state = scope.get("state")
    found = state.get(SNAPSHOT_KEY) if isinstance(state, dict) else None
    return found if isinstance(found, Snapshot) else None


class ConditionalRequests:
    def __init__(self, app: ASGIApp, live: LiveRelease, max_body: int) -> None:
        self.app = app
        self.live = live
        self.max_body = max_body  # larger bodies pass through untagged

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD", "POST"):
            await self.app(scope, receive, send)
            return
        try:
            snapshot = self.live.get()
        except NoRelease:
            await self.app(scope, receive, send)
            return
        body, receive, complete = await _buffer(receive, self.max_body)
        headers = dict(scope["headers"])
        if not complete or b"range" in headers:
            await self.app(scope, receive, send)
            return
        etag = _etag(snapshot.id, scope, headers, body)
        scope["state"] = {**(scope.get("state") or {}), SNAPSHOT_KEY: snapshot}
        if _matches(headers.get(b"if-none-match", b""), etag):
            status = 304 if scope["method"] in ("GET", "HEAD") else 412
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
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
    digest = hashlib.sha256()
    method = "GET" if scope["method"] == "HEAD" else scope["method"]  # same representation
    for part in (
        method.encode(),
        scope.get("raw_path") or scope["path"].encode(),
        scope.get("query_string", b""),
        *(headers.get(name, b"") for name in KEY_HEADERS),
        body,
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return f'W/"{release}-{digest.hexdigest()[:24]}"'


def _matches(header: bytes, etag: str) -> bool:
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


async def _buffer(receive: Receive, limit: int) -> tuple[bytes, Receive, bool]:
    """Read the request body (up to ``limit`` bytes) and a ``receive`` that replays it.
    ``complete`` is False when the body was larger: the rest still streams through."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if not message.get("more_body", False) or size > limit:
            break
    complete = size <= limit and not messages[-1].get("more_body", False)
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return (body if complete else b""), replay, complete
