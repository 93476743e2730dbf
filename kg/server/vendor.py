"""The pages' front-end libraries from npm, served by this server at ``/vendor/{name}``:
never from a CDN, so the pages load only files of this server, as the
Content-Security-Policy asks.

Like YASGUI (:mod:`kg.server.ui`), each library is a dependency pinned by
``package.json`` and ``package-lock.json`` and put in ``node_modules/`` by ``npm ci``
(``python3 dev.py up`` runs it); nothing of theirs is committed. The table below is the
one list of the files the pages may load, each with its media type. Without them the
pages lose nothing but their interactive pictures: the server-side SVG stays.

* Cytoscape.js draws the dossier's participants network (pan, zoom, drag, highlight).
* vis-timeline draws its interactive timeline (zoom and pan through time, nested
  sessions and interruptions).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import Response

from kg.errors import NotFound
from kg.server.transfer import file_representation, send

JS = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
MAP = "application/json"
# Where npm puts them: the working directory, then the source checkout of this module.
SEARCH_PATHS: tuple[Path, ...] = (Path(), Path(__file__).resolve().parents[2])


@dataclass(frozen=True)
class VendorFile:
    package: str  # the npm package it comes from, as in package.json
    path: str  # inside node_modules/
    media_type: str


FILES: dict[str, VendorFile] = {
    "cytoscape.min.js": VendorFile("cytoscape", "cytoscape/dist/cytoscape.min.js", JS),
    "vis-timeline.min.js": VendorFile(
        "vis-timeline", "vis-timeline/standalone/umd/vis-timeline-graph2d.min.js", JS
    ),
    "vis-timeline-graph2d.min.js.map": VendorFile(
        "vis-timeline", "vis-timeline/standalone/umd/vis-timeline-graph2d.min.js.map", MAP
    ),
    "vis-timeline.min.css": VendorFile(
        "vis-timeline", "vis-timeline/styles/vis-timeline-graph2d.min.css", CSS
    ),
    "vis-timeline-graph2d.min.css.map": VendorFile(
        "vis-timeline", "vis-timeline/styles/vis-timeline-graph2d.min.css.map", MAP
    ),
}
# The files the dossier's pictures need, in the order the page loads them.
DOSSIER = ("cytoscape.min.js", "vis-timeline.min.js", "vis-timeline.min.css")


def router() -> APIRouter:
    routes = APIRouter()
    routes.add_api_route("/vendor/{name}", vendor_file, methods=["GET", "HEAD"])
    return routes


def located(name: str) -> Path | None:
    """The file ``name`` of the table in node_modules/, or None when npm has not put it
    there (or ``name`` is not in the table)."""
    found = FILES.get(name)
    if found is None:
        return None
    for root in SEARCH_PATHS:
        path = root / "node_modules" / found.path
        if path.is_file():
            return path.resolve()
    return None


@cache
def _installed(names: tuple[str, ...]) -> bool:
    return all(located(name) is not None for name in names)


def installed(names: tuple[str, ...]) -> bool:
    """Whether every file of ``names`` is there (looked for once per process; a later
    ``npm ci`` is seen after a restart)."""
    return _installed(names)


def vendor_file(request: Request, name: str) -> Response:
    path = located(name)
    if path is None:
        raise NotFound(f"no file /vendor/{name[:100]}: run `npm ci` in the project folder")
    return send(request, file_representation(path, FILES[name].media_type))
