"""People at ``/sparql``: a browser that prefers HTML is sent to the query UI, with the
query it asked for, instead of receiving a file to download.

This is the one place that tells a person from a program at the endpoint. Content
negotiation (RFC 9110, section 12.5.1) decides: a GET or HEAD whose ``Accept`` ranks
``text/html`` above every result and graph syntax the endpoint writes (a browser sends
``text/html`` at q=1 and ``*/*`` lower) gets ``303 See Other`` to ``/query`` with the
same ``query`` parameter. Programs never do: they send no ``Accept``, ``*/*``, or the
media types of SPARQL results; a ``format`` parameter, a POST, or a dataset parameter
(``default-graph-uri``, ``named-graph-uri``, which the UI cannot carry) also keeps the
SPARQL 1.1 Protocol answer.

>>> ui_location("GET", b"query=ASK%7B%7D", BROWSER, "/sparql")
'query?query=ASK%7B%7D'
>>> ui_location("GET", b"", "*/*", "/sparql") is None
True
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from kg.formats import GRAPHS, RESULTS, Syntax
from kg.server.negotiation import HTML, preferred

# What Chromium sends for a page it navigates to.
BROWSER = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
# The endpoint's own syntaxes first, so that a wildcard picks one of them, never HTML.
_SYNTAXES: tuple[Syntax[Any], ...] = (*RESULTS, *GRAPHS)
_OFFERS = (*(s.media_type for s in _SYNTAXES), HTML.media_type)
_KEEP = {"format", "default-graph-uri", "named-graph-uri"}


def ui_location(method: str, query_string: bytes, accept: str | None, path: str) -> str | None:
    """The relative reference of the query UI for a browser at ``path`` (``/sparql`` or
    ``/sparql/``), or None when the request is a program's, to be answered with data."""
    if method not in ("GET", "HEAD"):
        return None
    if preferred(accept, _OFFERS) != HTML.media_type:
        return None
    try:
        params = parse_qsl(query_string.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        return None  # the protocol answers that with its own 400
    if any(name in _KEEP for name, _ in params):
        return None
    queries = [value for name, value in params if name == "query"]
    target = "../query" if path.endswith("/") else "query"
    if len(queries) == 1:
        return f"{target}?{urlencode({'query': queries[0]})}"
    return target if not queries else None
