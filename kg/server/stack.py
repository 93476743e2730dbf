"""The middleware every request passes through, listed once.

From the outside in: CORS (any origin may read this public dataset:
:mod:`kg.server.cors`), security headers, the one error handler
(:mod:`kg.server.failures`), compression (:mod:`kg.server.compression`), request limits
(:mod:`kg.server.limits`), the caching of the URLs that name a release
(:mod:`kg.server.releases`), then ETags and conditional requests (:mod:`kg.server.etags`).
:func:`middleware` is the list; the application factory installs it around the
framework's routes, and the lean ``/sparql`` path (:mod:`kg.server.sparql.lean`) builds
the very same list around its handler with :func:`wrap`, so both answer with one
implementation of each.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Scope

from kg.config import Settings
from kg.server import compression, failures
from kg.server.cors import PublicCORS
from kg.server.etags import ConditionalRequests
from kg.server.heads import ResponseHeadEditor
from kg.server.limits import BodyLimits, RequestLimits
from kg.server.live import LiveRelease
from kg.server.releases import ImmutableReleases
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


def middleware(settings: Settings, live: LiveRelease) -> list[Middleware]:
    """The middleware of every request, outermost first."""
    return [
        Middleware(PublicCORS),
        Middleware(SecurityHeaders),
        Middleware(failures.CatchErrors),
        *compression.middleware(),
        Middleware(RequestLimits, limits=body_limits(settings)),
        Middleware(ImmutableReleases),
        Middleware(ConditionalRequests, live=live),
    ]


def body_limits(settings: Settings) -> BodyLimits:
    """The size and time a request's body may take (:mod:`kg.server.limits`)."""
    return BodyLimits(body_limit(settings.max_query_bytes), settings.body_timeout)


def wrap(app: ASGIApp, settings: Settings, live: LiveRelease) -> ASGIApp:
    """``app`` inside :func:`middleware`, as Starlette builds its stack."""
    for layer in reversed(middleware(settings, live)):
        app = layer.cls(app, *layer.args, **layer.kwargs)
    return app


class SecurityHeaders(ResponseHeadEditor):
    """Adds :data:`SECURITY_HEADERS` to every response that does not set its own."""

    def edit(self, scope: Scope, head: Message) -> None:
        headers = list(head.get("headers", ()))
        present = {name for name, _ in headers}
        headers += [pair for pair in _SECURITY if pair[0] not in present]
        head["headers"] = headers


_SECURITY = [
    (name.lower().encode("latin-1"), value.encode("latin-1"))
    for name, value in SECURITY_HEADERS.items()
]
