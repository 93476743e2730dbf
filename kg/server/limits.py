"""What a request may cost the server before a route runs: limits for slow and large
clients (RFC 9110, sections 15.5.9 "408 Request Timeout" and 15.5.14 "413 Content Too
Large").

* Headers: a connection has ``KG_HEADER_TIMEOUT`` seconds, from its opening or from the
  end of its previous response, to deliver the next request's headers; then it is
  closed without an answer (as nginx's ``client_header_timeout`` does). The app sees a
  request only once its headers are complete, so this lives in the HTTP protocol:
  :class:`TimedHttpToolsProtocol`, uvicorn's httptools protocol with a timer.
* Body size: a ``Content-Length`` above the limit is refused with 413 before one byte
  of the body is read, and the connection is closed rather than drained; a body sent
  without a length (chunked) is counted as it arrives.
* Body time: the whole body must arrive within ``KG_BODY_TIMEOUT`` seconds of the first
  read; else 408, and the connection is closed.
* A client that disconnects while its body is read is no error: :class:`ClientGone`.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kg.config import Settings
from kg.errors import RequestError, RequestTimeout, RequestTooLarge
from kg.server.failures import ClientGone


@dataclass(frozen=True)
class BodyLimits:
    """How large a request's body may be, and how long it may take to arrive."""

    max_body: int  # bytes
    body_timeout: float  # seconds from the first read

    def check(self, scope: Scope) -> None:
        """Refuse a request whose ``Content-Length`` is no number or over the limit."""
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                raise RequestError(f"Content-Length {declared[:40]!r} is not a number of bytes")
            if int(declared) > self.max_body:
                raise self.too_large(int(declared))

    def bounded(self, receive: Receive) -> Receive:
        """``receive`` within the body's size and time limits."""
        size = 0
        deadline: float | None = None
        body_done = False

        async def limited() -> Message:
            nonlocal size, deadline, body_done
            if body_done:  # waiting for a disconnect while a response streams: no limit
                return await receive()
            loop = asyncio.get_running_loop()
            if deadline is None:
                deadline = loop.time() + self.body_timeout
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0))
            except TimeoutError:
                raise RequestTimeout(
                    f"the request's body did not arrive within {self.body_timeout:g} s "
                    "(KG_BODY_TIMEOUT)"
                ) from None
            if message["type"] == "http.disconnect":
                raise ClientGone
            size += len(message.get("body", b""))
            if size > self.max_body:
                raise self.too_large(size)
            body_done = not message.get("more_body", False)
            return message

        return limited

    def too_large(self, size: int) -> RequestTooLarge:
        return RequestTooLarge(
            f"the request body is over {size:,} bytes; the limit is {self.max_body:,} "
            "(three times KG_MAX_QUERY_BYTES, room for a URL-encoded query)"
        )


class RequestLimits:
    """:class:`BodyLimits` for every route. Pure ASGI."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.limits.check(scope)
        if declares_body(scope):
            receive = self.limits.bounded(receive)
        await self.app(scope, receive, send)


def declares_body(scope: Scope) -> bool:
    """Whether the request has a body: a ``Content-Length`` or ``Transfer-Encoding``
    (RFC 9112, section 6.3). Without either, its message ends with its headers, so
    there is nothing to bound or to wait for."""
    return any(name in _BODY_HEADERS for name, _ in scope["headers"])


_BODY_HEADERS = frozenset({b"content-length", b"transfer-encoding"})


@functools.cache
def _header_timeout() -> float:
    return Settings.from_env().header_timeout


class TimedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol, closing connections whose headers are late (uvicorn
    itself has no such limit). ``kg serve`` hands this class to uvicorn."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = _header_timeout()
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        pipelined = bool(self.pipeline)  # its headers are in: no timer for it
        super().on_response_complete()
        if not pipelined and not self.transport.is_closing():
            self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()
