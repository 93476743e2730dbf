"""Write a query result in the negotiated format, cut at the row and byte caps.

Runs in the query worker process. Formats: SPARQL 1.1 Query Results JSON, XML, CSV
and TSV for SELECT and ASK; Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads for
CONSTRUCT and DESCRIBE. pyoxigraph's own serializers write every byte (in Rust).

The caps (``KG_MAX_RESULT_ROWS``, ``KG_MAX_RESULT_BYTES``): a result over either is
cut at a row (or triple) boundary into a complete, valid document, and the cut is
reported as ``rows=N``, ``triples=N`` or ``bytes=N`` (the limit that was reached):
the server sends it as the ``KG-Result-Truncated`` header and, where the format has
room for it, in the document too: a ``link`` in the head of JSON and XML results
(Query Results JSON section 3.1, XML section 2.2), a closing comment in Turtle,
TriG, N-Triples, N-Quads and RDF/XML. CSV, TSV and JSON-LD carry only the header.

SELECT results are first written straight into the asked format, counting an upper
bound of rows as they go (a row separator of that format, which a literal can only
add to). Only a result that may pass a cap is run again through TSV, where a row is
exactly one line, cut there, and converted: the common case pays nothing for the caps.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, cast

import pyoxigraph as ox

from kg.formats import GRAPHS, RESULTS, named

# Bytes that end one row and start the next, in pyoxigraph's output of each format.
_ROW_MARK = {"json": b"},{", "xml": b"<result>", "csv": b"\r\n", "tsv": b"\n"}
_ROW_MARK_EXTRA = {"json": 1, "xml": 0, "csv": -1, "tsv": -1}  # marks -> rows


@dataclass(frozen=True)
class Limits:
    rows: int
    bytes: int
    link: str  # the IRI that marks a cut result in-band


@dataclass(frozen=True)
class Written:
    body: bytes
    truncated: str | None  # "rows=N", "triples=N", "bytes=N"


class _Full(Exception):
    """Raised from a sink's write() to stop a serializer."""


class _Sink:
    """A binary file for pyoxigraph's serializers that keeps what it is given."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.parts)


class _BoundedSink(_Sink):
    """Stops the serializer once the bytes, or an upper bound of the rows, pass a cap."""

    def __init__(self, mark: bytes, extra: int, limits: Limits) -> None:
        super().__init__()
        self.mark, self.extra, self.limits = mark, extra, limits
        self.marks = 0
        self.tail = b""
        self.full = False

    def write(self, data: bytes) -> int:
        if self.full:  # the serializer retries its buffer as it unwinds: ignore that
            raise _Full
        data = bytes(data)
        window = self.tail + data
        self.marks += window.count(self.mark) - self.tail.count(self.mark)
        self.tail = window[-(len(self.mark) - 1) :]
        super().write(data)
        if self.size > self.limits.bytes or self.marks + self.extra > self.limits.rows:
            self.full = True
            raise _Full
        return len(data)


def solutions(
    result: ox.QuerySolutions, rerun: Callable[[], ox.QuerySolutions], name: str, limits: Limits
) -> Written:
    """A SELECT result, within the caps. ``rerun`` runs the query again for the cut."""
    sink = _BoundedSink(_ROW_MARK[name], _ROW_MARK_EXTRA[name], limits)
    try:
        result.serialize(cast(IO[bytes], sink), named(name, RESULTS).engine)
    except _Full:
        return _cut_solutions(rerun(), name, limits)
    return Written(sink.value(), None)


def boolean(result: ox.QueryBoolean, name: str) -> Written:
    return Written(result.serialize(format=named(name, RESULTS).engine) or b"", None)


def graph(
    triples: Iterable[ox.Triple], name: str, limits: Limits, prefixes: dict[str, str]
) -> Written:
    """A CONSTRUCT or DESCRIBE result, cut after ``limits.rows`` triples or once past
    ``limits.bytes`` (checked between triples, so by at most one write buffer)."""
    sink = _Sink()
    cut: list[str] = []

    def within_caps() -> Iterator[ox.Triple]:
        for count, triple in enumerate(triples):
            if count >= limits.rows:
                cut.append(f"triples={limits.rows}")
                return
            if sink.size > limits.bytes:
                cut.append(f"bytes={limits.bytes}")
                return
            yield triple

    ox.serialize(
        within_caps(),
        cast(IO[bytes], sink),
        named(name, GRAPHS).engine,
        prefixes=_prefixes(name, prefixes),
    )
    body = sink.value()
    if not cut:
        return Written(body, None)
    note = f"KG-Result-Truncated: {cut[0]} (see {limits.link})"
    if name == "rdfxml":
        body += f"\n<!-- {note} -->\n".encode()
    elif name != "jsonld":
        body += f"\n# {note}\n".encode()
    return Written(body, cut[0])


def rdf(triples: Iterable[ox.Triple], name: str, prefixes: dict[str, str]) -> bytes:
    """Triples in a graph format, uncapped (for small documents such as the service
    description)."""
    return (
        ox.serialize(triples, None, named(name, GRAPHS).engine, prefixes=_prefixes(name, prefixes))
        or b""
    )


def _prefixes(name: str, prefixes: dict[str, str]) -> dict[str, str] | None:
    return prefixes if named(name, GRAPHS).prefixes else None


def _cut_solutions(result: ox.QuerySolutions, name: str, limits: Limits) -> Written:
    """The exact path: TSV, where each row is one line, cut at the caps, then converted."""
    sink = _BoundedSink(b"\n", -1, Limits(limits.rows, limits.bytes, limits.link))
    try:
        result.serialize(cast(IO[bytes], sink), ox.QueryResultsFormat.TSV)
        complete = True
    except _Full:
        complete = False
    lines = sink.value().split(b"\n")
    lines.pop()  # after the last newline: empty, or a row cut in the middle
    head, rows = lines[0], lines[1:]
    truncated = None
    if not complete:
        truncated = f"rows={limits.rows}" if len(rows) > limits.rows else f"bytes={limits.bytes}"
    rows = rows[: limits.rows]

    def document() -> bytes:
        body = _convert(head, rows, name)
        return body if truncated is None else _mark(body, name, limits.link, truncated)

    body = document()
    while len(body) > limits.bytes and rows:
        keep = min(len(rows) - 1, int(len(rows) * limits.bytes / len(body) * 0.98))
        rows = rows[: max(keep, 0)]
        truncated = f"bytes={limits.bytes}"
        body = document()
    return Written(body, truncated)


def _convert(head: bytes, rows: list[bytes], name: str) -> bytes:
    tsv = b"\n".join(itertools.chain([head], rows)) + b"\n"
    if name == "tsv":
        return tsv
    parsed = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)
    return parsed.serialize(format=named(name, RESULTS).engine) or b""


def _mark(body: bytes, name: str, link: str, truncated: str) -> bytes:
    """Put the truncation link into the head of a JSON or XML result."""
    href = f"{link}-{truncated.replace('=', '-')}"
    if name == "json" and body.startswith(b'{"head":{"vars":['):
        end = body.index(b"]", 17) + 1
        return body[:end] + f',"link":["{href}"]'.encode() + body[end:]
    if name == "xml" and b"</head>" in body:
        return body.replace(b"</head>", f'<link href="{href}"/></head>'.encode(), 1)
    return body
