"""The application factory: ``create_app(settings)`` builds a FastAPI app over the
current release. Nothing happens at import time; ``factory()`` is what uvicorn calls
in each worker process, reading the settings from the environment.

Around the routes, from the outside in: CORS, security headers, the one error handler
(:mod:`kg.server.failures`), request limits (:mod:`kg.server.limits`), then ETags and
conditional requests (:mod:`kg.server.etags`)."""

from __future__ import annotations

import signal

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg import __version__
from kg.config import Settings
from kg.server import compression, dumps, failures, ui
from kg.server.etags import ConditionalRequests
from kg.server.limits import RequestLimits
from kg.server.live import LiveRelease
from kg.server.pages import routes as pages
from kg.server.sparql import endpoint as sparql
from kg.server.sparql.protocol import body_limit

# Sent with every response. CSP: the pages and the query UI load only what this server
# serves; inline styles are allowed for the UI's own widgets.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    ),
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(settings: Settings, live: LiveRelease | None = None) -> FastAPI:
    live = live or LiveRelease(settings)
    app = FastAPI(
        title="Negotiations knowledge graph",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.live = live
    failures.install(app)
    for module in (sparql, dumps, ui, pages):  # pages last: it owns the catch-all paths
        app.include_router(module.router())
    # Innermost first: ETag/304 for every route, request limits, compression, the error
    # handler, security headers, CORS.
    app.add_middleware(ConditionalRequests, live=live)
    app.add_middleware(
        RequestLimits,
        max_body=body_limit(settings.max_query_bytes),
        body_timeout=settings.body_timeout,
    )
    compression.install(app)
    app.add_middleware(failures.CatchErrors)
    app.add_middleware(SecurityHeaders)

    # A read-only public dataset: any origin may query it and read these headers.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=[
            "ETag",
            "KG-Result-Truncated",
            "Content-Length",
            "Content-Range",
            "Retry-After",
        ],
        max_age=86400,
    )
    return app


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response that does not set its own. Pure
    ASGI: the ``@app.middleware("http")`` form cost about 0.25 ms on every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


def factory() -> FastAPI:
    """What ``uvicorn --factory`` calls in each worker: settings from ``KG_*``."""
    settings = Settings.from_env()
    live = LiveRelease(settings)
    signal.signal(signal.SIGHUP, lambda *_: live.recheck())
    live.watch()
    return create_app(settings, live)
