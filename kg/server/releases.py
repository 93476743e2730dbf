"""Citable releases: every kept release at URLs that name it, and the list of them.

A published answer or a downloaded checksum can be reproduced only if the release it
came from can be reached again. So each release kept on disk (the newest
``KG_KEEP_RELEASES``, pruned by the build) answers at its own URLs, as the current one
does at the plain ones:

``/releases/``                     the kept releases, newest first (HTML, or JSON)
``/releases/{id}/``                one release: date, triples, the release before it
``/releases/{id}/dumps/…``         its files (:mod:`kg.server.dumps`)
``/releases/{id}/void``            its VoID/DCAT description (:mod:`kg.server.dumps`)
``/releases/{id}/sparql``          its SPARQL endpoint (:mod:`kg.server.sparql`)

The request's snapshot is the release its URL names
(:meth:`~kg.server.live.LiveRelease.of_request`); one that is not kept is a 404 listing
those that are (:class:`~kg.errors.UnknownRelease`).

Caching (RFC 9111; RFC 8246): a release never changes, so what is said at its URLs
never does; :class:`ImmutableReleases` marks each successful answer there
``Cache-Control: public, max-age=31536000, immutable`` (a year, not revalidated), where
the plain URLs say ``no-cache``, as the same URL serves the next release. The
validators stay what they are on the plain URLs: a strong ETag (the SHA-256) for a
file, a weak one for a generated answer (a query result, a listing), whose bytes the
engine and the compressor do not promise to repeat exactly.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response
from starlette.types import Message, Scope

from kg import release as releases
from kg.config import Settings
from kg.errors import NotAcceptable
from kg.namespaces import DCAT, STANDARD_PREFIXES, VOID
from kg.release import Release
from kg.server.heads import ResponseHeadEditor
from kg.server.live import LiveRelease, named_in
from kg.server.negotiation import HTML, JSON, choose
from kg.server.pages.render import render
from kg.server.transfer import Representation, send

IMMUTABLE = b"public, max-age=31536000, immutable"
_CACHEABLE = frozenset({200, 206, 304})
_FORMATS = (HTML, JSON)
_REVISION_OF = STANDARD_PREFIXES["prov"] + "wasRevisionOf"


def router() -> APIRouter:
    routes = APIRouter()
    get = ["GET", "HEAD"]
    routes.add_api_route("/releases", _to_slash, methods=get, include_in_schema=False)
    routes.add_api_route("/releases/", listing, methods=get)
    routes.add_api_route("/releases/{release}", _to_slash, methods=get, include_in_schema=False)
    routes.add_api_route("/releases/{release}/", one, methods=get)
    return routes


@dataclass(frozen=True)
class Facts:
    """What the listing says of a release, from its manifest and its VoID."""

    id: str
    created: str
    triples: int | None
    previous: str | None  # the id of the release it is a revision of
    conforms: bool | None


def listing(request: Request) -> Response:
    """The kept releases, newest first; the current one marked."""
    live: LiveRelease = request.app.state.live
    kept = releases.kept(live.settings)
    current = releases.current_id(live.settings)
    entries = [_entry(facts(r), r.id == current) for r in kept]
    body = {"current": current, "keep": live.settings.keep_releases, "releases": entries}
    return _answer(request, body)


def one(request: Request) -> Response:
    """One release: its facts and its URLs."""
    live: LiveRelease = request.app.state.live
    release = live.of_request(request.scope).release
    return _answer(request, _entry(facts(release)))


def _answer(request: Request, body: dict[str, Any]) -> Response:
    """``body`` as JSON, or as the HTML page that shows it."""
    offer = choose(_FORMATS, request.headers.get("accept"))
    if offer is None:
        types = ", ".join(f.media_type for f in _FORMATS)
        raise NotAcceptable(f"the list of releases is available as {types}")
    if offer is JSON:
        data = json.dumps(body, indent=2).encode() + b"\n"
        rep = Representation.of_bytes(data, JSON.media_type)
    else:
        settings: Settings = request.app.state.live.settings
        entries = body.get("releases", [body])
        page = render(
            request, "releases.html", entries=entries, listing="releases" in body,
            keep=settings.keep_releases, release=None, base=settings.base_iri,
        )  # fmt: skip
        rep = Representation.of_bytes(page.encode(), "text/html; charset=utf-8")
    return send(request, rep, vary="Accept, Accept-Encoding")


def _entry(facts: Facts, current: bool | None = None) -> dict[str, Any]:
    """A release as the listing gives it, with its URLs relative to the listing; on the
    release's own page (``current`` None), relative to that page."""
    here, up = (f"{facts.id}/", "") if current is not None else ("", "../")
    entry: dict[str, Any] = {
        "id": facts.id,
        "created": facts.created,
        "triples": facts.triples,
        "conforms": facts.conforms,
        "revision_of": facts.previous,
        "url": here or "./",
        "dumps": f"{here}dumps/",
        "checksums": f"{here}dumps/SHA256SUMS",
        "sparql": f"{here}sparql",
        "void": f"{here}void",
    }
    if facts.previous is not None:
        entry["revision_of_url"] = f"{up}{facts.previous}/"
    if current is not None:
        entry["current"] = current
    return entry


def facts(release: Release) -> Facts:
    return _facts(release.path, release.id)


@functools.lru_cache(maxsize=16)
def _facts(path: Path, release_id: str) -> Facts:
    """Read once per release: a release never changes."""
    found = releases.read(path)
    triples: int | None = None
    previous: str | None = None
    subject: ox.NamedNode | ox.BlankNode | ox.Triple | None = None
    counts: dict[Any, int] = {}
    revisions: dict[Any, str] = {}
    for triple in ox.parse(path=found.void_path, format=ox.RdfFormat.TURTLE):
        predicate, value = triple.predicate.value, triple.object
        if predicate == str(DCAT.version) and value.value == release_id:
            subject = triple.subject
        elif predicate == str(VOID.triples) and isinstance(value, ox.Literal):
            counts[triple.subject] = int(value.value)
        elif predicate == _REVISION_OF:
            revisions[triple.subject] = value.value.rstrip("/").rsplit("/", 1)[-1]
    if subject is not None:
        triples, previous = counts.get(subject), revisions.get(subject)
    validation = found.manifest.get("validation") or {}
    conforms = validation.get("conforms")
    return Facts(
        release_id,
        str(found.manifest.get("created", "")),
        triples,
        previous,
        conforms if isinstance(conforms, bool) else None,
    )


def _to_slash(request: Request) -> Response:
    """``/releases`` and ``/releases/{id}`` are folders: to the same with a final slash."""
    name = request.url.path.rstrip("/").rsplit("/", 1)[-1]
    return RedirectResponse(f"{name}/", status_code=308)


class ImmutableReleases(ResponseHeadEditor):
    """Marks each successful answer at a URL that names a release (200, 206, 304; not
    one that says ``no-store``: a query calling NOW() or a SERVICE) as immutable and
    fresh for a year (RFC 8246)."""

    def applies(self, scope: Scope) -> bool:
        return named_in(scope) is not None

    def edit(self, scope: Scope, head: Message) -> None:
        if head["status"] not in _CACHEABLE:
            return
        headers = list(head.get("headers", ()))
        control = [v for n, v in headers if bytes(n).lower() == b"cache-control"]
        if not any(b"no-store" in bytes(v).lower() for v in control):
            headers = [(n, v) for n, v in headers if bytes(n).lower() != b"cache-control"]
            head["headers"] = [*headers, (b"cache-control", IMMUTABLE)]
