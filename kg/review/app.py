"""The review page's app: the page and its files, the draft as JSON, and saving.

Served on 127.0.0.1 only. It writes files, so it also refuses requests whose Host is not
the loopback address it listens on (DNS rebinding) and saves only with the token the
page was given (a custom header a page of another origin cannot send without a CORS
preflight, which this app never allows)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from kg import pipeline, seeds
from kg.claimtypes import CLAIM_TYPES, DRAFT, PROPOSED_ENTITIES, ValueKind
from kg.concepts import register
from kg.config import Settings
from kg.draft.text import sentences
from kg.errors import KgError, SeedError
from kg.evidence import QuoteAmbiguous, QuoteNotFound, SourceText
from kg.progress import Steps
from kg.review.edit import Decisions, apply, plain, read
from kg.seeds import DOCUMENTS_DIR, REGISTRY_FILE
from kg.vocabulary import ConceptIndex, load_turtle

STATIC = Path(__file__).parent / "static"
FILES = {"review.js": "text/javascript", "review.css": "text/css"}


def create_app(settings: Settings, slug: str, port: int) -> Starlette:
    folder = settings.seeds_dir / DOCUMENTS_DIR
    text_path, annotation = folder / f"{slug}.txt", folder / f"{slug}.yaml"
    if not annotation.exists():
        raise SeedError(annotation, None, "does not exist",
                        f"draft it first: kg draft {text_path}")  # fmt: skip
    token = secrets.token_urlsafe(24)
    hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}

    def guard(request: Request) -> Response | None:
        if request.headers.get("host") not in hosts:
            return PlainTextResponse("this review server answers only on 127.0.0.1", 421)
        return None

    async def page(request: Request) -> Response:
        return guard(request) or FileResponse(STATIC / "review.html", media_type="text/html")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in FILES:
            return PlainTextResponse("not found", 404)
        return guard(request) or FileResponse(STATIC / name, media_type=FILES[name])

    def draft(request: Request) -> Response:
        refused = guard(request)
        if refused:
            return refused
        body = describe(settings, text_path, annotation)
        body["token"] = token
        return JSONResponse(body)

    async def save(request: Request) -> Response:
        refused = guard(request)
        if refused:
            return refused
        if not secrets.compare_digest(request.headers.get("x-review-token", ""), token):
            return PlainTextResponse("missing or wrong review token: reload the page", 403)
        try:
            decisions = Decisions.from_json(await request.json())
        except (ValueError, TypeError, AttributeError):
            return PlainTextResponse("the request body is not the review's JSON", 400)
        try:
            apply(annotation, settings.seeds_dir / REGISTRY_FILE, decisions,
                  text_path.read_text(encoding="utf-8"))  # fmt: skip
        except KgError as error:
            return JSONResponse({"saved": False, "messages": str(error).splitlines()}, 400)
        return JSONResponse({"saved": True, "messages": _validate(settings)})

    return Starlette(routes=[
        Route("/", page), Route("/static/{name}", static),
        Route("/api/draft", draft, methods=["GET"]), Route("/api/save", save, methods=["POST"]),
    ])  # fmt: skip


def _validate(settings: Settings) -> list[str]:
    """What `kg validate` says after a save: its warnings, or its errors."""
    try:
        checked = pipeline.check(settings, Steps(quiet=True))
    except KgError as error:
        return ["validation failed:", *str(error).splitlines()]
    results = [r.describe(settings.ns.shorten) for r in checked.report.results]
    return ["conforms", *results]


def _spans(source: SourceText, evidence: Any) -> list[dict[str, Any]]:
    """Each evidence quote with where it is in the text (None when it is not, or is
    ambiguous: the page says so)."""
    spans = []
    for quote in evidence or []:
        exact = quote.get("quote") if hasattr(quote, "get") else quote
        occurrence = quote.get("occurrence") if hasattr(quote, "get") else None
        try:
            span = source.locate(str(exact), int(occurrence) if occurrence else None)
            spans.append({"quote": str(exact), "start": span.start, "end": span.end})
        except (QuoteNotFound, QuoteAmbiguous, ValueError):
            spans.append({"quote": str(exact), "start": None, "end": None})
    return spans


def describe(settings: Settings, text_path: Path, annotation: Path) -> dict[str, Any]:
    """The draft as the page shows it: text, sentences, claims with their spans, the
    proposed entities and concepts, and what each claim type's fields take."""
    text = text_path.read_text(encoding="utf-8")
    source = SourceText(text)
    data = read(annotation)
    claims, cited = [], []
    for item in data.get("claims") or []:
        fields = {str(k): plain(v) for k, v in item.items()
                  if k not in ("id", "type", "evidence")}  # fmt: skip
        spans = _spans(source, item.get("evidence"))
        cited += [(e["start"], e["end"]) for e in spans if e["start"] is not None]
        claims.append({"id": str(item.get("id")), "type": str(item.get("type")),
                       "fields": fields, "evidence": spans, "draft": DRAFT in item})  # fmt: skip
    found = sentences(text)
    uncovered = [{"start": s.start, "end": s.end} for s in found
                 if not any(s.start < e and b < s.end for b, e in cited)]  # fmt: skip
    entities = [{"id": str(e.get("id")), "kind": str(e.get("kind")), "label": str(e.get("label")),
                 "fields": {str(k): plain(v) for k, v in e.items()}}
                for e in data.get(PROPOSED_ENTITIES) or []]  # fmt: skip
    proposals = [{"id": str(c.get("id")), "scheme": str(c.get("scheme")),
                  "fields": {str(k): plain(v) for k, v in c.items() if k != "evidence"},
                  "evidence": _spans(source, c.get("evidence"))}
                 for c in data.get("concepts") or [] if DRAFT in c]  # fmt: skip
    concepts = _concepts(settings)
    declared = {(str(c.get("scheme")), str(c.get("id"))) for c in data.get("concepts") or []}
    types = {t.name: [{"key": f.key, "many": f.many, "required": f.required,
                       "options": sorted({*concepts.slugs(f.scheme), *(i for s, i in declared
                                                                       if s == f.scheme)})
                       if f.kind is ValueKind.CONCEPT else []}
                      for f in t.fields] for t in CLAIM_TYPES}  # fmt: skip
    return {"document": text_path.stem, "text": text, "claims": claims, "entities": entities,
            "concepts": proposals, "uncovered": uncovered, "sentences": len(found),
            "types": types}  # fmt: skip


def _concepts(settings: Settings) -> ConceptIndex:
    """The ontology's concepts and those the seeds declare (when the seeds can be read;
    if not, saving says why)."""
    index = ConceptIndex.from_graph(load_turtle(settings.ontology_dir, settings.ns), settings.ns)
    try:
        declared = list(seeds.load(settings.seeds_dir).declared_concepts())
    except KgError:
        return index
    register(index, declared, settings.ns, lambda *_: None)
    return index
