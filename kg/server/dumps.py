"""The release's files at /dumps/ and its VoID/DCAT description at /.well-known/void.

* ``/dumps/`` lists every published file with its size and SHA-256 (HTML, or JSON for
  ``Accept: application/json``); ``/dumps/{name}`` sends one, with the validators,
  ranges and gzip of :mod:`kg.server.transfer`. The files are the manifest's: the
  dumps, ``void.ttl``, ``validation-report.ttl`` and ``.txt`` (the SHACL report of the
  build that made the release), ``shapes.ttl``; beside them ``manifest.json`` and a
  ``SHA256SUMS`` written with the names used here, for ``sha256sum -c``.
* ``/.well-known/void`` (RFC 8615; VoID section 7.2 "Discovery via well-known URI")
  answers Turtle, JSON-LD, N-Triples or RDF/XML by ``Accept`` (RFC 9110 section 12);
  a browser that prefers HTML is sent (303) to the dataset's page, which shows the same
  description, rather than given a file to download.
* The same for each kept release at URLs that name it: ``/releases/{id}/dumps/``,
  ``/releases/{id}/dumps/{name}``, ``/releases/{id}/void`` (a browser is sent to the
  release's page, ``/releases/{id}/``). The request's snapshot is that release's
  (:meth:`~kg.server.live.LiveRelease.of_request`), so the very functions answer both.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from kg import release as releases
from kg.errors import NotAcceptable, NotFound
from kg.formats import SINGLE_GRAPH, RdfSyntax
from kg.release import MANIFEST, Release
from kg.server.live import LiveRelease, named_id, named_in
from kg.server.negotiation import HTML, JSON, Offer, choose, refuse
from kg.server.pages import locations
from kg.server.pages.render import app_path
from kg.server.transfer import Representation, send

LISTING_FORMATS = (HTML, JSON)
SUMS = "SHA256SUMS"


def router() -> APIRouter:
    routes = APIRouter()
    routes.add_api_route("/dumps", to_listing, methods=["GET", "HEAD"], include_in_schema=False)
    routes.add_api_route("/dumps/", listing, methods=["GET", "HEAD"])
    routes.add_api_route("/dumps/{name}", dump, methods=["GET", "HEAD"])
    routes.add_api_route("/.well-known/void", void, methods=["GET", "HEAD"])
    named = "/releases/{release}"  # the release is the request's snapshot: see of_request
    routes.add_api_route(f"{named}/dumps", to_listing, methods=["GET", "HEAD"])
    routes.add_api_route(f"{named}/dumps/", listing, methods=["GET", "HEAD"])
    routes.add_api_route(f"{named}/dumps/{{name}}", dump, methods=["GET", "HEAD"])
    routes.add_api_route(f"{named}/void", void, methods=["GET", "HEAD"])
    return routes


def to_listing() -> Response:
    return RedirectResponse("dumps/", status_code=308)


def listing(request: Request) -> Response:
    """Every published file of the release, with its size and SHA-256."""
    current = _release(request)
    offer = choose(LISTING_FORMATS, request.headers.get("accept"))
    if offer is None:
        types = ", ".join(f.media_type for f in LISTING_FORMATS)
        raise NotAcceptable(f"the listing is available as {types}")
    files = catalogue(current.path)
    links = _Links.of(request)
    if offer is JSON:
        media_type = JSON.media_type
        body = json.dumps(_listing_json(current, files, links), indent=2).encode() + b"\n"
    else:
        body = _listing_html(current, files, links).encode()
        media_type = "text/html; charset=utf-8"
    rep = Representation.of_bytes(body, media_type, files[MANIFEST].modified)
    return send(request, rep, vary="Accept, Accept-Encoding")


def dump(request: Request, name: str) -> Response:
    """One file of the release, streamed."""
    current = _release(request)
    files = catalogue(current.path)
    if name not in files:
        folder = request.url.path.rsplit("/", 1)[0] + "/"
        raise NotFound(f"release {current.id} has no file named {name!r}; {folder} lists its files")
    return send(request, files[name])


def void(request: Request) -> Response:
    """The VoID/DCAT description of the release, in the format asked for."""
    current = _release(request)
    offers: tuple[Offer, ...] = (*SINGLE_GRAPH, HTML)
    choice = choose(offers, request.headers.get("accept"))
    if choice is HTML:
        page = "./" if named_in(request.scope) else "../page/dataset"
        return RedirectResponse(page, status_code=303, headers={"Vary": "Accept"})
    if choice is None:
        raise refuse("the VoID description", offers, request.headers.get("accept"))
    syntax = cast(RdfSyntax, choice)
    if syntax.suffix == "ttl":  # the file void.ttl itself
        rep = catalogue(current.path)["void.ttl"]
    else:
        rep = _void_as(current.path, syntax)
    return send(request, rep, vary="Accept, Accept-Encoding")


def _release(request: Request) -> Release:
    live: LiveRelease = request.app.state.live
    return live.of_request(request.scope).release


@functools.lru_cache(maxsize=8)
def catalogue(path: Path) -> dict[str, Representation]:
    """The files /dumps/ serves from the release at ``path``, by name. A release never
    changes once written, so this is read once per release."""
    current = releases.read(path)
    modified = _created(current)
    files: dict[str, Representation] = {}
    for relative, info in current.files.items():
        name = relative.rsplit("/", 1)[-1]
        if name in files:  # the dumps/ folder wins over a file beside it of the same name
            continue
        files[name] = Representation.of_file(
            path / relative, int(info["size"]), str(info["sha256"]), str(info["media_type"]),
            modified,
        )  # fmt: skip
    manifest = (path / MANIFEST).read_bytes()
    files[MANIFEST] = Representation.of_bytes(manifest, "application/json", modified)
    sums = "".join(f"{rep.sha256}  {name}\n" for name, rep in files.items() if name != MANIFEST)
    files[SUMS] = Representation.of_bytes(sums.encode(), "text/plain; charset=utf-8", modified)
    return files


@functools.lru_cache(maxsize=8)
def _void_as(path: Path, syntax: RdfSyntax) -> Representation:
    source = catalogue(path)["void.ttl"]
    with source.open() as handle:
        triples = list(ox.parse(handle, format=ox.RdfFormat.TURTLE))
    prefixes = _prefixes(path / "void.ttl")
    body = ox.serialize(triples, format=syntax.engine, prefixes=prefixes)
    assert body is not None
    return Representation.of_bytes(body, syntax.media_type, source.modified)


def _prefixes(turtle: Path) -> dict[str, str]:
    """The @prefix lines of a Turtle file rdflib wrote, to reuse in other syntaxes."""
    prefixes = {}
    with turtle.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("@prefix"):
                break
            _, name, iri, _ = line.split(maxsplit=3)
            prefixes[name.rstrip(":")] = iri.strip("<>")
    return prefixes


def _created(current: Release) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(str(current.manifest["created"]))
    except (KeyError, ValueError):
        stamp = (current.path / MANIFEST).stat().st_mtime
        return dt.datetime.fromtimestamp(int(stamp), dt.UTC)


@dataclass(frozen=True)
class _Links:
    """References from a listing to the pages around it, relative to where it is."""

    home: str
    query: str
    void: str
    releases: str
    named: bool  # whether the listing is at a URL naming its release

    @classmethod
    def of(cls, request: Request) -> _Links:
        here = app_path(request)
        named = named_id(here) is not None
        void = "../void" if named else locations.relative("/.well-known/void", here)
        home, query, listing = (locations.relative(p, here) for p in ("/", "/query", "/releases/"))
        return cls(home, query, void, listing, named)


def _listing_json(
    current: Release, files: dict[str, Representation], links: _Links
) -> dict[str, Any]:
    return {
        "release": current.id,
        "created": current.manifest.get("created"),
        "validation": current.manifest.get("validation"),
        "void": links.void,
        "releases": links.releases,
        "files": [
            {
                "name": name,
                "url": name,
                "media_type": rep.media_type,
                "size": rep.size,
                "sha256": rep.sha256,
            }
            for name, rep in files.items()
        ],
    }


def _listing_html(current: Release, files: dict[str, Representation], links: _Links) -> str:
    rows = "\n".join(
        f'<tr><td><a href="{html.escape(name)}" download>{html.escape(name)}</a></td>'
        f"<td>{html.escape(rep.media_type)}</td>"
        f'<td class="n" title="{rep.size} bytes">{_human(rep.size)}</td>'
        f"<td><code>{rep.sha256}</code></td></tr>"
        for name, rep in files.items()
    )
    release_id = html.escape(current.id)
    validation = current.manifest.get("validation") or {}
    verdict = "conforms to the SHACL shapes" if validation.get("conforms") else "see the report"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dumps of release {release_id} — Negotiations knowledge graph</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; }}
table {{ border-collapse: collapse; }} td, th {{ padding: .3rem .8rem; text-align: left; }}
tr:nth-child(even) {{ background: #f3f3f3; }} td.n {{ text-align: right; }}
code {{ font-size: .8rem; }}
</style>
</head>
<body>
<nav><a href="{links.home}">Home</a> · <a href="{links.query}">Query</a> ·
<a href="{links.void}">VoID</a> · <a href="{links.releases}">Releases</a></nav>
<h1>Dumps of release {release_id}</h1>
<p>Built {html.escape(str(current.manifest.get("created", "")))}; the data
{verdict} (<a href="validation-report.txt">validation report</a>,
<a href="validation-report.ttl" download>in Turtle</a>). Check a download with
<code>sha256sum -c --ignore-missing SHA256SUMS</code>. Every file is sent gzip-compressed
to clients that accept it, and answers <code>Range</code> requests. {_kept(current, links)}</p>
<table>
<thead><tr><th>File</th><th>Media type</th><th>Size</th><th>SHA-256</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""


def _kept(current: Release, links: _Links) -> str:
    """Where these files stay, for how long (see kg.server.releases)."""
    if links.named:
        return (
            f"These URLs name release {html.escape(current.id)}: they answer the same way for "
            f'as long as it is kept (<a href="{links.releases}">all kept releases</a>).'
        )
    folder = f"{links.releases}{html.escape(current.id)}/dumps/"
    return (
        f'The same files stay at <a href="{folder}">/releases/{html.escape(current.id)}/dumps/</a> '
        "for as long as this release is kept, when this page shows the next one."
    )


def _human(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
