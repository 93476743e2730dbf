"""Ways in: ``/search`` finds resources by name, for the search box and for other tools
(JSON shaped like Wikidata's ``wbsearchentities``, or an HTML list of hits), and
``/instances`` lists the resources of one class (the home page's class rows lead there).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kg.namespaces import STANDARD_PREFIXES
from kg.server.negotiation import HTML, JSON, choose, refuse
from kg.server.pages import search
from kg.server.pages.terms import Term

if TYPE_CHECKING:
    from kg.server.pages.routes import Here

MAX_INSTANCES = 2000
SEARCH_FORMATS = (HTML, JSON)


def router() -> APIRouter:
    routes = APIRouter()
    routes.add_api_route("/search", find, methods=["GET", "HEAD"], include_in_schema=False)
    routes.add_api_route("/instances", instances, methods=["GET", "HEAD"], include_in_schema=False)
    return routes


def _here(request: Request) -> Here:
    from kg.server.pages.routes import Here  # routes includes this module's router

    return Here.of(request)


def _number(value: str | None, default: int, lowest: int, highest: int) -> int:
    try:
        return min(max(int(value or default), lowest), highest)
    except ValueError:
        return default


def find(request: Request) -> Response:
    """``search`` (or ``q``), ``language``, ``limit`` (1–50), ``continue`` (an offset),
    ``format=json`` as in ``wbsearchentities``; HTML for browsers."""
    here = _here(request)
    params = request.query_params
    text = (params.get("search") or params.get("q") or "").strip()[:200]
    language = (params.get("language") or params.get("uselang") or "en").strip()[:20]
    limit = _number(params.get("limit"), search.DEFAULT_LIMIT, 1, search.MAX_LIMIT)
    offset = _number(params.get("continue"), 0, 0, 10_000)
    formats = tuple(params.getlist("format"))
    chosen = choose(SEARCH_FORMATS, request.headers.get("accept"), formats)
    if chosen is None:
        raise refuse("a search", SEARCH_FORMATS, request.headers.get("accept"), formats)
    snapshot = here.snapshot
    index = search.index_for(snapshot.id, snapshot.store, here.settings.base_iri)
    # Page URLs relative to /search, so that they work under any path prefix.
    found = search.answer(index, text, language, limit, offset, here.settings.ns, "")
    if chosen is JSON:
        body = json.dumps(found, ensure_ascii=False, indent=1)
        return Response(body, media_type="application/json", headers={"Vary": "Accept"})
    hits = found["search"]
    assert isinstance(hits, list)
    response = here.render("search.html", text=text, hits=hits, more="search-continue" in found,
                           limit=limit, offset=offset)  # fmt: skip
    response.headers["Vary"] = "Accept"
    return response


def instances(request: Request) -> Response:
    """The resources of the class ``class`` (an IRI), by label."""
    here = _here(request)
    cls = request.query_params.get("class", "")
    rdf_type = ox.NamedNode(STANDARD_PREFIXES["rdf"] + "type")
    try:
        node = ox.NamedNode(cls)
    except ValueError:
        node = None
    found: dict[str, None] = {}
    if node is not None:
        for quad in here.snapshot.store.quads_for_pattern(None, rdf_type, node):
            if isinstance(quad.subject, ox.NamedNode):
                found[quad.subject.value] = None
    members: list[Term] = sorted(
        (here.terms.iri(iri) for iri in found), key=lambda t: t.text.lower()
    )
    return here.render(
        "instances.html",
        cls=here.terms.iri(cls) if node is not None else None,
        given=cls,
        members=members[:MAX_INSTANCES],
        total=len(members),
    )
