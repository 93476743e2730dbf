"""The query UI at /query: YASGUI (``@zazuko/yasgui`` from npm), served by this server.

YASGUI is a dependency like any other: ``package.json`` and ``package-lock.json`` pin
it, ``npm ci`` (run by ``python3 dev.py up``) puts it in ``node_modules/``, and the
server sends its two built files from there; nothing comes from a CDN. Without it,
/query says how to install it and offers a plain form instead; the rest of the server
does not depend on it.

The page loads only files of this server, as the Content-Security-Policy asks: YASGUI,
``static/ui/ui.js`` and the settings at /query/config.json (the endpoint, and one tab
per competency query with the PREFIX lines it needs, and the parameters it takes: the
page shows a small form for each, which asks /query?example=… to bind them).
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from dataclasses import replace
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from kg.config import Settings
from kg.errors import NoRelease, NotFound
from kg.queries import NamedQuery, bind, find_query, load_queries, with_prefixes
from kg.release import Release
from kg.server.pages.render import page as render_page
from kg.server.transfer import Representation, file_representation, send

STATIC = Path(__file__).resolve().parent / "static" / "ui"
YASGUI_BUILD = Path("node_modules", "@zazuko", "yasgui", "build")
# Where npm puts YASGUI: the working directory (where the settings' relative folders
# are found too), then the source checkout this module is part of.
SEARCH_PATHS: tuple[Path, ...] = (Path(), Path(__file__).resolve().parents[2])
# YASGUI's files the page may load, with their media types.
YASGUI_FILES = {
    "yasgui.min.js": "text/javascript; charset=utf-8",
    "yasgui.min.css": "text/css; charset=utf-8",
    "yasgui.min.js.map": "application/json",
}
# Chart.js (npm, like YASGUI), for the chart view of the results (static/ui/ui-chart.js).
CHART_BUILD = Path("node_modules", "chart.js", "dist")
CHART_FILES = {"chart.umd.js": "text/javascript; charset=utf-8"}
OWN_FILES = {
    "ui.js": "text/javascript; charset=utf-8",
    "ui-chart.js": "text/javascript; charset=utf-8",
    "ui.css": "text/css; charset=utf-8",
}


def router() -> APIRouter:
    routes = APIRouter()
    routes.add_api_route("/query", page, methods=["GET", "HEAD"])
    routes.add_api_route("/query/", to_page, methods=["GET", "HEAD"], include_in_schema=False)
    routes.add_api_route("/query/config.json", config, methods=["GET", "HEAD"])
    routes.add_api_route("/query/prefixes.json", prefixes, methods=["GET", "HEAD"])
    routes.add_api_route("/query/yasgui/{name}", yasgui_file, methods=["GET", "HEAD"])
    routes.add_api_route("/query/chart/{name}", chart_file, methods=["GET", "HEAD"])
    routes.add_api_route("/query/{name}", own_file, methods=["GET", "HEAD"])
    return routes


def chart_dir() -> Path | None:
    """The folder with Chart.js's built file, or None when npm has not installed it."""
    for root in SEARCH_PATHS:
        folder = root / CHART_BUILD
        if (folder / "chart.umd.js").is_file():
            return folder.resolve()
    return None


def chart_file(request: Request, name: str) -> Response:
    folder = chart_dir()
    if folder is None or name not in CHART_FILES or not (folder / name).is_file():
        raise NotFound(f"no Chart.js file {name[:100]!r}: run `npm ci` in the project folder")
    return send(request, _file(folder / name, CHART_FILES[name]))


def yasgui_dir() -> Path | None:
    """The folder with YASGUI's built files, or None when npm has not installed it."""
    for root in SEARCH_PATHS:
        folder = root / YASGUI_BUILD
        if (folder / "yasgui.min.js").is_file() and (folder / "yasgui.min.css").is_file():
            return folder.resolve()
    return None


def page(request: Request) -> Response:
    """The query UI, in the site's header and styles; without YASGUI, a page that says
    how to install it, with a plain form.

    ``/query?example=05-quotations`` opens the UI on that competency query's tab (the
    home page lists the queries by title, with these links); ``/query?example=12&fact=
    round:<id>`` binds the parameters of a competency query (kg.queries.bind: each value
    checked as one IRI) and sends the browser on to ``/query?query=…``, which opens the
    query in a tab of its own and runs it."""
    settings = _settings(request)
    example = ""
    if "example" in request.query_params:
        if len(request.query_params) > 1:
            return _bound_example(request)
        example = find_query(settings.queries_dir, request.query_params["example"]).name
    installed = yasgui_dir() is not None
    try:
        release: Release | None = request.app.state.live.of_request(request.scope).release
    except NoRelease:
        release = None  # the editor needs no release; its queries will say there is none
    return render_page(
        request,
        "query.html",
        installed=installed,
        charts=installed and chart_dir() is not None,
        examples=[] if installed else _examples(settings),
        chosen=request.query_params.get("query", ""),
        example=example,
        release=release,
        base=settings.base_iri,
    )


def _bound_example(request: Request) -> Response:
    settings = _settings(request)
    values = {k: v for k, v in request.query_params.items() if k != "example"}
    query = find_query(settings.queries_dir, request.query_params["example"])
    prefixes = settings.ns.prefixes()
    text = with_prefixes(bind(query, values, prefixes), prefixes)
    return RedirectResponse(f"query?{urllib.parse.urlencode({'query': text})}", status_code=303)


def to_page() -> Response:
    return RedirectResponse("../query", status_code=308)


def config(request: Request) -> Response:
    """The UI's settings: endpoint, prefixes, and the example tabs."""
    settings = _settings(request)
    try:
        graphs = {
            str(g.value)
            for g in request.app.state.live.of_request(request.scope).store.named_graphs()
        }
    except NoRelease:
        graphs = set()
    tabs = []
    for query in _examples(settings):
        needs = needs_of(query.text, settings, graphs)
        tabs.append(
            {
                "name": _tab_name(query) + (" ⚠" if needs else ""),
                "title": query.title,
                "description": query.description,
                "query": query.text,
                "needs": needs,
                "example": query.name,
                "parameters": [{"name": p.name, "help": p.help} for p in query.parameters],
            }
        )
    digest = hashlib.sha256(json.dumps(tabs, sort_keys=True).encode()).hexdigest()
    body = {
        "endpoint": "sparql",  # relative to the page, so a path prefix in a proxy works
        "base": settings.base_iri,  # result IRIs under it open their page on this server
        "prefixesUrl": "query/prefixes.json",
        "prefixes": settings.ns.prefixes(),
        "persistenceId": f"nkg-query-{digest[:16]}",
        "tabs": tabs,
    }
    return _json(request, body)


def needs_of(query: str, settings: Settings, graphs: set[str]) -> str:
    """What the server must have switched on for ``query`` to work, or "": a SERVICE
    endpoint on the allow-list, the Wikidata cache of ``kg link --fetch``."""
    needs = []
    for endpoint in sorted(set(_SERVICE.findall(query))):
        if endpoint not in settings.allowed_services:
            needs.append(
                f"SERVICE is refused unless its endpoint is allowed: start the server with "
                f"KG_SERVICE_ALLOWLIST={endpoint} (it then calls that service)."
            )
    cache = str(settings.ns.graph("wikidata-cache"))
    if ("graph:wikidata-cache" in query or cache in query) and cache not in graphs:
        needs.append(
            "it reads what Wikidata says from the cache of `kg link --fetch`, which this "
            "release lacks: run `kg link --fetch`, then `kg build`. Until then its "
            "Wikidata columns are empty."
        )
    return " ".join(needs)


_SERVICE = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?<([^>]*)>", re.IGNORECASE)


def prefixes(request: Request) -> Response:
    """The project's prefixes, for YASQE's prefix completion (the prefix.cc format)."""
    return _json(request, _settings(request).ns.prefixes())


def yasgui_file(request: Request, name: str) -> Response:
    folder = yasgui_dir()
    if folder is None or name not in YASGUI_FILES or not (folder / name).is_file():
        raise NotFound(f"no YASGUI file {name!r}: run `npm ci` in the project folder")
    return send(request, _file(folder / name, YASGUI_FILES[name]))


def own_file(request: Request, name: str) -> Response:
    if name not in OWN_FILES:
        raise NotFound(f"no file /query/{name}")
    return send(request, _file(STATIC / name, OWN_FILES[name]))


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _examples(settings: Settings) -> list[NamedQuery]:
    """The competency queries, each declaring the PREFIXes it uses."""
    prefixes = settings.ns.prefixes()
    return [
        replace(q, text=with_prefixes(q.text, prefixes)) for q in load_queries(settings.queries_dir)
    ]


def _tab_name(query: NamedQuery) -> str:
    """``03-delegations`` becomes ``3. Delegations``."""
    number, _, words = query.name.partition("-")
    if not number.isdigit():
        return query.name
    return f"{int(number)}. {words.replace('-', ' ').capitalize()}"


def _json(request: Request, body: object) -> Response:
    data = json.dumps(body, ensure_ascii=False, indent=1).encode()
    return send(request, Representation.of_bytes(data, "application/json"))


def _file(path: Path, media_type: str) -> Representation:
    return file_representation(path, media_type)
