"""HTML from Jinja2 templates, with autoescaping on for every template: each literal of
the graph is text, never markup (OWASP XSS Prevention Cheat Sheet, rule 1). Pages carry
no script, so they work under the strict Content-Security-Policy of the app."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from kg import __version__
from kg.server.pages.locations import relative

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parents[1] / "static"


@cache
def environment() -> Environment:
    """The template environment, made on first use (nothing happens at import)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def page(request: Request, template: str, **context: Any) -> HTMLResponse:
    """The page of ``template`` (see :func:`render`)."""
    return HTMLResponse(render(request, template, **context))


def render(request: Request, template: str, **context: Any) -> str:
    """Render ``template``; ``url('/local/path')`` in it gives a reference relative
    to this request's path, so the page works under any path prefix."""
    here = app_path(request)
    return (
        environment()
        .get_template(template)
        .render(
            url=lambda target: relative(target, here),
            here=here,
            version=__version__,
            **context,
        )
    )


def app_path(request: Request) -> str:
    """The request's path below the app's root (``root_path``, when a proxy sets one),
    which is what relative references are counted from."""
    path: str = request.scope["path"]
    root: str = request.scope.get("root_path", "")
    return (path[len(root) :] or "/") if root and path.startswith(root) else path
