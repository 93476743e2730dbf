"""The application factory: ``create_app(settings)`` builds the app over the current
release. Nothing happens at import time; ``factory()`` is what uvicorn calls in each
worker process, reading the settings from the environment.

Requests to ``/sparql`` (and to ``/releases/{id}/sparql``) go the lean path
(:mod:`kg.server.sparql.lean`), ahead of
FastAPI's routing; every other route goes through FastAPI. Both pass through the one
list of middleware of :mod:`kg.server.stack` (CORS, security headers, the error
handler, compression, request limits, ETags and conditional requests).
"""

from __future__ import annotations

import signal

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from kg import __version__
from kg.config import Settings
from kg.server import dumps, failures, releases, stack, ui, vendor
from kg.server.live import LiveRelease
from kg.server.pages import routes as pages
from kg.server.sparql import endpoint as sparql
from kg.server.sparql.lean import LeanSparql


class KgApp(FastAPI):
    """FastAPI, with ``/sparql`` (and any path a claim of ``lean.claims`` takes)
    dispatched to the lean path before its routing."""

    lean: LeanSparql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.lean.takes(scope):
            await self.lean(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, live: LiveRelease | None = None) -> KgApp:
    live = live or LiveRelease(settings)
    app = KgApp(
        title="Negotiations knowledge graph",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=sparql.lifespan,
    )
    app.state.settings = settings
    app.state.live = live
    failures.install(app)
    for module in (dumps, releases, ui, vendor, pages):  # pages last: it owns the catch-all paths
        app.include_router(module.router())
    for layer in reversed(stack.middleware(settings, live)):  # added innermost first
        app.add_middleware(layer.cls, *layer.args, **layer.kwargs)
    app.lean = LeanSparql(app, settings, live)
    return app


def factory() -> FastAPI:
    """What ``uvicorn --factory`` calls in each worker: settings from ``KG_*``."""
    settings = Settings.from_env()
    live = LiveRelease(settings)
    signal.signal(signal.SIGHUP, lambda *_: live.recheck())
    live.watch()
    return create_app(settings, live)
