"""CORS for a public dataset (the Fetch standard, section 3.2 "CORS protocol"): any
origin may read every response, without credentials.

Starlette's middleware, configured once (:data:`OPTIONS`), answers preflight requests.
Its simple responses are written here in one pass over the raw header list, with the
headers Starlette computes (``Access-Control-Allow-Origin: *`` and the exposed headers
when the request has an ``Origin``; ``Origin`` added to ``Vary`` always), set as
Starlette sets them: Starlette's own pass builds header objects for every response,
which showed in the profiles of every ``/sparql`` request (docs/benchmarks.md, "Serve",
and the README's design notes). ``tests/test_cors.py`` compares the two on every case.
"""

from __future__ import annotations

from typing import Any

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A read-only public dataset: any origin may query it and read these headers.
OPTIONS: dict[str, Any] = {
    "allow_origins": ["*"],
    "allow_methods": ["GET", "HEAD", "POST", "OPTIONS"],
    "allow_headers": ["*"],
    "expose_headers": [
        "ETag",
        "KG-Result-Truncated",
        "Content-Length",
        "Content-Range",
        "Retry-After",
    ],
    "max_age": 86400,
}


class PublicCORS(CORSMiddleware):
    """Starlette's CORS middleware with :data:`OPTIONS`: any origin, no credentials.
    Pure ASGI."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, **OPTIONS)
        self._simple = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in self.simple_headers.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = preflight = False
        for name, _ in scope["headers"]:
            if name == b"origin":
                origin = True
            elif name == b"access-control-request-method":
                preflight = True
        if origin and preflight and scope["method"] == "OPTIONS":
            await super().__call__(scope, receive, send)  # Starlette's preflight answer
            return

        async def simple(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if origin:
                    for name, value in self._simple:
                        _set(headers, name, value)
                vary = [value for name, value in headers if name == b"vary"]
                _set(headers, b"vary", b", ".join([*vary, b"Origin"]))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, simple)


def _set(headers: list[tuple[bytes, bytes]], name: bytes, value: bytes) -> None:
    """Set header ``name`` as Starlette's ``MutableHeaders`` does: in place of the first
    of that name, the others removed; at the end if there is none."""
    found = [index for index, (key, _) in enumerate(headers) if key == name]
    for index in reversed(found[1:]):
        del headers[index]
    if found:
        headers[found[0]] = (name, value)
    else:
        headers.append((name, value))
