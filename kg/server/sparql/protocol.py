"""Read a SPARQL 1.1 Protocol query request (SPARQL 1.1 Protocol, section 2.1).

* 2.1.1 query via GET: ``query``, ``default-graph-uri``, ``named-graph-uri`` in the
  URL.
* 2.1.2 query via POST with URL-encoded parameters: the same, as an
  ``application/x-www-form-urlencoded`` body (parameters in the URL are read too).
* 2.1.3 query via POST directly: an ``application/sparql-query`` body in UTF-8, the
  dataset parameters in the URL.
* 2.1.4 the dataset: ``default-graph-uri`` and ``named-graph-uri`` (each may repeat)
  replace any FROM and FROM NAMED of the query.

Exactly one query per request (2.1.1–2.1.3). Updates (``update=``, or an
``application/sparql-update`` body; SPARQL 1.1 Protocol, section 2.2) are refused:
the endpoint is read-only. A request without a query is a request for the service
description (SPARQL 1.1 Service Description, section 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox

from kg.errors import (
    ProtocolError,
    QueryRefused,
    RequestTooLarge,
    UnsupportedMediaType,
)
from kg.server.sparql.querycheck import READ_ONLY

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
MAX_FIELDS = 200


@dataclass(frozen=True)
class SparqlRequest:
    query: str | None  # None: the client wants the service description
    default_graphs: tuple[str, ...] | None  # None when the parameter is absent
    named_graphs: tuple[str, ...] | None
    formats: tuple[str, ...]  # values of ``format`` (a name or a media type)
    accept: str


def body_limit(max_query_bytes: int) -> int:
    """Largest body read: a form may percent-encode every byte of the query (x3)."""
    return 3 * max_query_bytes + 16_384


def read(
    method: str,
    query_string: bytes,
    content_type: str,
    accept: str,
    body: bytes,
    max_query_bytes: int,
) -> SparqlRequest:
    """The query and its parameters; ProtocolError (and kin) for a malformed request.
    ``body`` is the request's body, read within the limits of :mod:`kg.server.limits`."""
    params = _parse(query_string, "the URL")
    query: list[str] = params.get("query", [])
    if method == "POST":
        media_type, charset = _content_type(content_type)
        if media_type == FORM:
            _require_utf8(charset, FORM)
            form = _parse(body, "the form body")
            for name, values in form.items():
                params.setdefault(name, []).extend(values)
            query = params.get("query", [])
            if not query and "update" not in params:
                raise ProtocolError(
                    "the form has no 'query' field (SPARQL 1.1 Protocol, section 2.1.2)"
                )
        elif media_type == DIRECT:
            _require_utf8(charset, DIRECT)
            try:
                direct = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ProtocolError(
                    f"the query body is not valid UTF-8 (byte {exc.start}); "
                    "SPARQL 1.1 Protocol, section 2.1.3 asks for UTF-8"
                ) from exc
            query = [*query, direct.removeprefix("\ufeff")]
        elif media_type == UPDATE:
            raise QueryRefused(READ_ONLY)
        elif not media_type:
            raise UnsupportedMediaType(
                "a POST needs a Content-Type: application/sparql-query (the query as the "
                "body) or application/x-www-form-urlencoded (query=...)"
            )
        else:
            raise UnsupportedMediaType(
                f"Content-Type {media_type} is not accepted; POST the query as "
                "application/sparql-query or application/x-www-form-urlencoded"
            )
    if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise QueryRefused(READ_ONLY)
    if len(query) > 1:
        raise ProtocolError(
            f"the request has {len(query)} queries; send exactly one "
            "(SPARQL 1.1 Protocol, section 2.1)"
        )
    text = query[0] if query else None
    if text is not None:
        if not text.strip():
            raise ProtocolError("the query is empty")
        size = len(text.encode("utf-8"))
        if size > max_query_bytes:
            raise RequestTooLarge(
                f"the query is {size:,} bytes; the limit is {max_query_bytes:,} "
                "(KG_MAX_QUERY_BYTES)"
            )
    return SparqlRequest(
        query=text,
        default_graphs=_graphs(params, "default-graph-uri"),
        named_graphs=_graphs(params, "named-graph-uri"),
        formats=tuple(params.get("format", ())),
        accept=accept,
    )


def _parse(raw: bytes, where: str) -> dict[str, list[str]]:
    try:
        pairs = parse_qsl(
            raw.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"the parameters in {where} are not valid UTF-8") from exc
    except ValueError as exc:
        raise ProtocolError(f"{where} has more than {MAX_FIELDS} parameters") from exc
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def _content_type(header: str) -> tuple[str, str | None]:
    media_type, *params = (part.strip() for part in header.split(";"))
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.lower(), charset


def _require_utf8(charset: str | None, media_type: str) -> None:
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaType(
            f"{media_type} with charset={charset} is not accepted: send UTF-8 "
            "(SPARQL 1.1 Protocol, section 2.1)"
        )


def _graphs(params: dict[str, list[str]], name: str) -> tuple[str, ...] | None:
    values = params.get(name)
    if values is None:
        return None
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise ProtocolError(f"{name}={value!r} is not an absolute IRI ({exc})") from exc
    return tuple(values)
