"""Linked-data pages: every IRI the graph mints dereferences (W3C Interest Group Note
"Cool URIs for the Semantic Web", 2008).

* 303 URIs (section 4.3): ``/id/{kind}/{slug}`` and the other slash IRIs answer
  ``303 See Other`` to the HTML page ``/page/...`` or the RDF document ``/data/...``,
  chosen by ``Accept`` (RFC 9110, section 12.5.1), with ``Vary: Accept``. A suffix
  (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``) asks for one RDF syntax without a header.
* Hash URIs (section 4.2): ``{base}ontology#Term`` is answered by ``/ontology``, a
  content-negotiated document (HTML, or the ontology in RDF).
* ``/`` is the home page; an unknown IRI gets a 404 page with suggestions.

Paths map to IRIs under ``KG_BASE_IRI`` (see :mod:`kg.server.pages.locations`); the request's
host is never used. Handlers are plain ``def``: Starlette runs them in its thread pool,
so store lookups never block the event loop.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from dataclasses import dataclass
from itertools import islice
from typing import cast

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kg.config import Settings
from kg.errors import NotAcceptable, NotFound
from kg.formats import SINGLE_GRAPH, RdfSyntax, by_suffix
from kg.namespaces import RESOURCE_KINDS, STANDARD_PREFIXES
from kg.release import Release
from kg.server import vendor
from kg.server.live import LiveRelease, Snapshot
from kg.server.negotiation import HTML, Offer, choose, preferred
from kg.server.pages import browse, documents, dossier, network, summary, timeline
from kg.server.pages.home import overview
from kg.server.pages.locations import Locations, relative
from kg.server.pages.ontology import ontology_doc
from kg.server.pages.render import STATIC, app_path, page, render
from kg.server.pages.resource import resource_page
from kg.server.pages.terms import Terms
from kg.server.transfer import file_representation, send

VARY = {"Vary": "Accept"}
PAGE_OR_DATA: tuple[Offer, ...] = (HTML, *SINGLE_GRAPH)
MAX_SUGGESTIONS = 8
AGENT_KINDS = ("person", "state", "organisation", "group", "anonymous")  # summarised first
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class Here:
    """What one request works with: settings, one release, and its store's terms."""

    request: Request
    settings: Settings
    snapshot: Snapshot
    terms: Terms
    locations: Locations

    @classmethod
    def of(cls, request: Request) -> Here:
        settings: Settings = request.app.state.settings
        live: LiveRelease = request.app.state.live
        snapshot = live.of_request(request.scope)
        return cls(
            request,
            settings,
            snapshot,
            Terms(snapshot.store, settings.ns),
            Locations(settings.base_iri),
        )

    def exists(self, iri: str | None) -> bool:
        return iri is not None and documents.exists(self.snapshot.store, iri)

    def render(self, template: str, **context: object) -> Response:
        return page(self.request, template, **self._context(context))

    def render_text(self, template: str, **context: object) -> str:
        return render(self.request, template, **self._context(context))

    def _context(self, context: dict[str, object]) -> dict[str, object]:
        return {"release": self.snapshot.release, "base": self.settings.base_iri, **context}

    def alternates(self, iri: str) -> list[tuple[RdfSyntax, str]]:
        """The RDF documents about ``iri``, one per syntax, as local paths."""
        return [
            (syntax, path)
            for syntax in SINGLE_GRAPH
            if (path := self.locations.data(iri, syntax.suffix)) is not None
        ]


def router() -> APIRouter:
    routes = APIRouter()
    for path, endpoint in (
        ("/", home),
        ("/ontology", ontology),
        ("/ontology.{suffix}", ontology_in),
        ("/ontology/{version}", ontology_version),
        ("/id/{rest:path}", resource),
        ("/concept/{rest:path}", concept),
        ("/graph/{rest:path}", graph),
        ("/release/{rest:path}", release),
        ("/dataset", dataset),
        ("/dataset.{suffix}", dataset_in),
        ("/page/{key:path}", html_page),
        ("/data/{key:path}", rdf_document),
        ("/static/{name}", static),
    ):
        routes.add_api_route(path, endpoint, methods=["GET", "HEAD"], include_in_schema=False)
    routes.include_router(browse.router())
    return routes


# --- routes -----------------------------------------------------------------------------


def home(request: Request) -> Response:
    here = Here.of(request)
    info = overview(here.terms, here.snapshot.release, here.settings.queries_dir)
    return here.render("home.html", info=info)


def ontology(request: Request) -> Response:
    here = Here.of(request)
    choice = choose(PAGE_OR_DATA, request.headers.get("accept"))
    if choice is None:
        raise _not_acceptable()
    if choice is HTML:
        response = _ontology_page(here)
        response.headers["Content-Location"] = "ontology.html"
    else:
        syntax = cast(RdfSyntax, choice)
        response = _rdf(here, str(here.settings.ns.ontology), syntax)
        response.headers["Content-Location"] = f"ontology.{syntax.suffix}"
    response.headers["Vary"] = "Accept"
    return response


def ontology_in(request: Request, suffix: str) -> Response:
    here = Here.of(request)
    if suffix == "html":
        return _ontology_page(here)
    if (syntax := by_suffix(suffix, SINGLE_GRAPH)) is not None:
        return _rdf(here, str(here.settings.ns.ontology), syntax)
    raise _not_found(here, here.settings.base_iri + f"ontology.{suffix}")


def ontology_version(request: Request, version: str) -> Response:
    """``owl:versionIRI`` of the ontology: 303 to the ontology it names."""
    here = Here.of(request)
    ns = here.settings.ns
    iri = f"{ns.ontology}/{version}"
    version_iri = STANDARD_PREFIXES["owl"] + "versionIRI"
    if not documents.states(here.snapshot.store, str(ns.ontology), version_iri, iri):
        raise _not_found(here, iri)
    return _see_other(here, "/ontology")


def resource(request: Request, rest: str) -> Response:
    here = Here.of(request)
    if rest.partition("/")[0] not in RESOURCE_KINDS:
        raise _not_found(here, f"{here.settings.base_iri}id/{rest}")
    return _dereference(here, rest)


def concept(request: Request, rest: str) -> Response:
    return _dereference(Here.of(request), f"concept/{rest}")


def graph(request: Request, rest: str) -> Response:
    return _dereference(Here.of(request), f"graph/{rest}")


def release(request: Request, rest: str) -> Response:
    return _dereference(Here.of(request), f"release/{rest}")


def dataset(request: Request) -> Response:
    return _dereference(Here.of(request), "dataset")


def dataset_in(request: Request, suffix: str) -> Response:
    return _dereference(Here.of(request), f"dataset.{suffix}")


def html_page(request: Request, key: str) -> Response:
    here = Here.of(request)
    iri = here.locations.iri(key)
    if iri is None or not here.exists(iri):
        raise _not_found(here, iri or f"{here.settings.base_iri}{key}")
    if dossier.is_process(here.terms, iri):
        return _dossier_page(here, iri)
    kind = key.partition("/")[0]
    return here.render(
        "resource.html",
        page=resource_page(here.terms, iri, request.query_params.get("type", "")),
        alternates=here.alternates(iri),
        summary=summary.agent_summary(here.terms, iri) if kind in AGENT_KINDS else None,
        place=summary.round_place(here.terms, iri) if kind == "round" else None,
    )


def rdf_document(request: Request, key: str) -> Response:
    """The RDF document about a resource: by suffix, else by ``Accept`` (Turtle first)."""
    here = Here.of(request)
    iri = here.locations.iri(key)
    if here.exists(iri):
        assert iri is not None
        syntax = choose(SINGLE_GRAPH, request.headers.get("accept"))
        if syntax is None:
            raise _not_acceptable()
        response = _rdf(here, iri, syntax)
        response.headers["Vary"] = "Accept"
        response.headers["Content-Location"] = f"{key.rpartition('/')[2]}.{syntax.suffix}"
        return response
    stem, dot, suffix = key.rpartition(".")
    iri = here.locations.iri(stem) if dot else None
    syntax = by_suffix(suffix, SINGLE_GRAPH)
    if syntax is not None and here.exists(iri):
        assert iri is not None
        return _rdf(here, iri, syntax)
    raise _not_found(here, iri or f"{here.settings.base_iri}{key}")


def static(request: Request, name: str) -> Response:
    """The pages' own files (style sheet, scripts), with validators and compression; a
    name not among them is a 404, whatever its length."""
    if name not in _static_files():
        raise NotFound(f"no file /static/{name[:100]}")
    path = STATIC / name
    return send(request, file_representation(path, STATIC_TYPES[path.suffix]))


@functools.cache
def _static_files() -> frozenset[str]:
    return frozenset(
        p.name
        for p in STATIC.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix in STATIC_TYPES
    )


# --- helpers ----------------------------------------------------------------------------


def _dereference(here: Here, key: str) -> Response:
    """303 to the page or the RDF document of the IRI of ``key``; with a suffix, the
    RDF document itself."""
    iri = here.locations.iri(key)
    if here.exists(iri):
        choice = choose(PAGE_OR_DATA, here.request.headers.get("accept"))
        if choice is None:
            raise _not_acceptable()
        return _see_other(here, f"/page/{key}" if choice is HTML else f"/data/{key}")
    stem, dot, suffix = key.rpartition(".")
    stem_iri = here.locations.iri(stem) if dot else None
    syntax = by_suffix(suffix, SINGLE_GRAPH)
    if syntax is not None and here.exists(stem_iri):
        assert stem_iri is not None
        return _rdf(here, stem_iri, syntax)
    raise _not_found(here, iri or here.settings.base_iri + key)


def _see_other(here: Here, target: str) -> Response:
    location = relative(target, app_path(here.request))
    return RedirectResponse(location, status_code=303, headers=VARY)


def _rdf(here: Here, iri: str, syntax: RdfSyntax) -> Response:
    triples = documents.document(here.snapshot.store, iri, here.settings.ns)
    body = documents.serialize(triples, syntax, here.settings.ns)
    return Response(body, media_type=syntax.media_type)


def _dossier_page(here: Here, iri: str) -> Response:
    """A negotiation process's page is its dossier (kg/server/pages/dossier.py)."""
    found = dossier.dossier(here.terms, iri, release_date(here.snapshot.release))
    net = network.network(found)
    return here.render(
        "dossier.html",
        d=found,
        strip=timeline.strip(found),
        net=net,
        # The interactive pictures (static/dossier.js) over the SVG, where npm installed
        # their libraries; their data as JSON, in data attributes of the figures.
        pictures=vendor.installed(vendor.DOSSIER),
        timeline_data=timeline.data(found),
        network_data=network.data(net) if net is not None else {},
        page=resource_page(here.terms, iri),
        alternates=here.alternates(iri),
    )


def release_date(release: Release) -> dt.date:
    """The day a release was built: what "passed" and "due" are counted against, so a
    page stays the same for the life of its release (and of its ETag)."""
    try:
        return dt.datetime.fromisoformat(str(release.manifest["created"])).date()
    except (KeyError, ValueError):
        return dt.date.today()


def _ontology_page(here: Here) -> Response:
    iri = str(here.settings.ns.ontology)
    return here.render(
        "ontology.html", doc=ontology_doc(here.terms), alternates=here.alternates(iri)
    )


def _not_acceptable() -> NotAcceptable:
    offered = ", ".join(s.media_type for s in PAGE_OR_DATA)
    return NotAcceptable(
        f"none of the media types in Accept is available here; this server offers: {offered}"
    )


def _not_found(here: Here, iri: str) -> NotFound:
    """404, with a page of suggestions for browsers, one line for other clients."""
    problem = documents.iri_problem(iri)
    if problem is not None:
        message = f"<{iri}> is not an IRI ({problem}), so nothing is known about it"
    else:
        message = f"nothing is known about <{iri}> in release {here.snapshot.id}"
    accept = here.request.headers.get("accept")
    if preferred(accept, (HTML.media_type, "text/plain")) != HTML.media_type:
        return NotFound(message)
    suggestions = _suggestions(here, iri) if problem is None else []
    return NotFound(message, here.render_text("not_found.html", iri=iri, suggestions=suggestions))


def _suggestions(here: Here, iri: str) -> list[object]:
    """IRIs of the same space as ``iri`` whose local part is closest to it."""
    space = iri.rstrip("/").rpartition("/")[0] + "/"
    if not space.startswith(here.settings.base_iri) or space == here.settings.base_iri:
        return []
    rdf_type = ox.NamedNode(STANDARD_PREFIXES["rdf"] + "type")
    subjects = islice(here.snapshot.store.quads_for_pattern(None, rdf_type, None, None), 50_000)
    names = {
        q.subject.value[len(space) :]
        for q in subjects
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(space)
    }
    names.discard("")
    close = difflib.get_close_matches(iri[len(space) :], sorted(names), MAX_SUGGESTIONS, 0.4)
    return [here.terms.iri(space + name) for name in close]
