"""The one way a failed request is answered (RFC 9110, section 15): every 4xx and 5xx
comes from an error of :mod:`kg.errors`, turned into a response here and nowhere else.

* :func:`respond`: the error's status, its headers, and a one-line plain-text message
  (a 404 may carry an HTML page for browsers). Never a traceback.
* :func:`as_kg_error`: what the framework raises on its own (no route matches, a method
  the route does not take, an unreadable parameter) as the error of the hierarchy, so
  it is answered the same way.
* :class:`CatchErrors`: the middleware that applies both to anything raised by the
  middleware inside it and the routes. An unexpected exception is logged once, with its
  traceback and a short reference, and answered 500 with the reference only; a client
  that went away mid-request is no error and is logged at debug level only.
"""

from __future__ import annotations

import logging
import secrets

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.errors import InternalError, KgError, MethodNotAllowed, NotFound, RequestError
from kg.server.negotiation import preferred

log = logging.getLogger("kg.server")


class ClientGone(Exception):
    """The client closed the connection before its request was read."""


def respond(error: KgError, accept: str | None = None) -> Response:
    """The response for ``error``; ``accept`` (the request's Accept) picks a 404's
    HTML page over its one-line message when the client prefers HTML."""
    headers = error.headers
    html = error.html if isinstance(error, NotFound) else None
    if html is not None and preferred(accept, ("text/html", "text/plain")) == "text/html":
        return HTMLResponse(html, status_code=error.http_status, headers=headers)
    body = str(error).rstrip() + "\n"
    return PlainTextResponse(body, status_code=error.http_status, headers=headers)


def as_kg_error(exc: Exception, request: Request | None = None) -> KgError:
    """``exc`` as an error of the hierarchy; an unexpected one is logged with a reference."""
    if isinstance(exc, KgError):
        return exc
    if isinstance(exc, HTTPException):  # raised by the router itself
        path = request.url.path if request is not None else "this path"
        if exc.status_code == 404:
            return NotFound(f"no resource at {path}; the home page / lists what is here")
        if exc.status_code == 405:
            allow = (exc.headers or {}).get("Allow", "GET, HEAD")
            method = request.method if request is not None else "this method"
            return MethodNotAllowed(f"{method} is not allowed on {path}; use {allow}", allow)
        return RequestError(str(exc.detail))
    if isinstance(exc, RequestValidationError):
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return RequestError(f"bad request: {problems}")
    reference = secrets.token_hex(4)
    where = f" on {request.method} {request.url.path}" if request is not None else ""
    log.error("unexpected error%s (ref %s)", where, reference, exc_info=exc)
    return InternalError(reference)


async def handle(request: Request, exc: Exception) -> Response:
    """The framework's exception handler: the same answer as :class:`CatchErrors`."""
    return respond(as_kg_error(exc, request), request.headers.get("accept"))


def install(app: FastAPI) -> None:
    """Let :func:`handle` answer what the framework catches itself: our errors raised by
    a route, its own 404 and 405, unreadable parameters."""
    for error in (KgError, HTTPException, RequestValidationError):
        app.add_exception_handler(error, handle)


class CatchErrors:
    """Answers whatever the app inside raises, as :func:`respond` says. Pure ASGI."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except (ClientGone, ClientDisconnect):
            log.debug("client went away during %s %s", scope["method"], scope["path"])
        except Exception as exc:
            request = Request(scope)
            error = as_kg_error(exc, request)
            if started:  # too late for a status: end the response where it is
                log.warning("%s %s failed after its response began: %s", scope["method"],
                            scope["path"], error)  # fmt: skip
                return
            await respond(error, request.headers.get("accept"))(scope, receive, send)
