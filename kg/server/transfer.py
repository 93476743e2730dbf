"""Send one immutable file (or a few bytes) over HTTP, streamed in constant memory.

* Validators: a strong ``ETag`` from the SHA-256 of the bytes and ``Last-Modified``
  (RFC 9110 section 8.8); the preconditions ``If-Match``, ``If-Unmodified-Since``,
  ``If-None-Match``, ``If-Modified-Since`` and ``If-Range``, evaluated in the order of
  RFC 9110 section 13.2.2.
* Ranges: a single ``bytes`` range answers 206 with ``Content-Range``; an unsatisfiable
  one 416 (RFC 9110 section 14). Several ranges in one request are ignored (section
  14.2 allows it) and the whole file is sent.
* gzip (RFC 9110 section 8.4.1.3): when ``Accept-Encoding`` allows it and no range is
  asked for, the file is compressed on the fly, chunk by chunk. The gzip representation
  has its own ETag, ``W/"<sha256>-gzip"``: weak, as the compressed bytes depend on the
  zlib version. A ``Range`` request always gets the identity encoding, whose byte
  offsets are stable, so an interrupted download can be resumed.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import hashlib
import io
import re
import zlib
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from kg.errors import PreconditionFailed, RangeNotSatisfiable

CHUNK = 64 * 1024
CODINGS = ("gzip", "br", "zstd")  # content codings whose tags are W/"<sha256>-<coding>"
# Shared caches may keep a copy but must revalidate it: the same URL serves the next
# release's file. Revalidation is cheap (304 by ETag).
CACHE_CONTROL = "public, no-cache"
Chunks = Generator[bytes, None, None]
_ENTITY_TAG = re.compile(r'(W/)?"([^"]*)"')
_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Representation:
    """What is sent: how to open the bytes, their size, checksum, type and date."""

    open: Callable[[], BinaryIO]
    size: int
    sha256: str
    media_type: str
    modified: dt.datetime | None  # None: no Last-Modified

    @classmethod
    def of_file(
        cls, path: Path, size: int, sha256: str, media_type: str, modified: dt.datetime | None
    ) -> Representation:
        return cls(_opener(path), size, sha256, media_type, modified)

    @classmethod
    def of_bytes(
        cls, data: bytes, media_type: str, modified: dt.datetime | None = None
    ) -> Representation:
        return cls(
            lambda: io.BytesIO(data),
            len(data),
            hashlib.sha256(data).hexdigest(),
            media_type,
            modified,
        )

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'

    @property
    def gzip_etag(self) -> str:
        return f'W/"{self.sha256}-gzip"'

    @property
    def last_modified(self) -> dt.datetime | None:
        """``modified`` in whole seconds, as HTTP dates have it."""
        if self.modified is None:
            return None
        return self.modified.astimezone(dt.UTC).replace(microsecond=0)


def file_representation(path: Path, media_type: str) -> Representation:
    """A static file of the server (not of a release), hashed once per version of it."""
    stat = path.stat()
    return _file_at(path, stat.st_size, stat.st_mtime_ns, media_type)


@functools.lru_cache(maxsize=64)
def _file_at(path: Path, size: int, mtime_ns: int, media_type: str) -> Representation:
    """Size and mtime are in the key: an edited file is hashed again."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    modified = dt.datetime.fromtimestamp(mtime_ns // 1_000_000_000, dt.UTC)
    return Representation.of_file(path, size, digest.hexdigest(), media_type, modified)


def _opener(path: Path) -> Callable[[], BinaryIO]:
    return lambda: path.open("rb")


def send(
    request: Request,
    representation: Representation,
    vary: str = "Accept-Encoding",
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The response to a GET or HEAD of ``representation``."""
    rep = representation
    common = {"Cache-Control": CACHE_CONTROL, "Vary": vary, "Accept-Ranges": "bytes"}
    if rep.last_modified is not None:
        common["Last-Modified"] = email.utils.format_datetime(rep.last_modified, usegmt=True)
    common |= headers or {}
    failed = _failed_precondition(request, rep)
    if failed is not None:
        raise PreconditionFailed(f"{failed} does not hold for this file", {"ETag": rep.etag})
    not_modified = _not_modified(request, rep)
    if not_modified is not None:
        return Response(status_code=304, headers=common | {"ETag": not_modified})
    head = request.method == "HEAD"
    wanted = _requested_range(request, rep)
    if isinstance(wanted, str):  # "unsatisfiable"
        raise RangeNotSatisfiable(rep.size)
    if wanted is not None:
        start, end = wanted
        partial = common | {
            "ETag": rep.etag,
            "Content-Range": f"bytes {start}-{end}/{rep.size}",
            "Content-Length": str(end - start + 1),
        }
        return _respond(rep, head, 206, partial, lambda: _read(rep, start, end + 1))
    if accepts_gzip(request.headers.get("accept-encoding", "")):
        compressed = common | {"ETag": rep.gzip_etag, "Content-Encoding": "gzip"}
        return _respond(rep, head, 200, compressed, lambda: _gzipped(_read(rep, 0, rep.size)))
    whole = common | {"ETag": rep.etag, "Content-Length": str(rep.size)}
    return _respond(rep, head, 200, whole, lambda: _read(rep, 0, rep.size))


def _respond(
    rep: Representation,
    head: bool,
    status: int,
    headers: dict[str, str],
    body: Callable[[], Chunks],
) -> Response:
    if head:
        response = Response(status_code=status, headers=headers, media_type=rep.media_type)
        if "Content-Length" not in headers:  # gzip: the length is known only once sent
            del response.headers["content-length"]
        return response
    return StreamingResponse(body(), status_code=status, headers=headers, media_type=rep.media_type)


def _read(rep: Representation, start: int, stop: int) -> Chunks:
    """Bytes ``start`` to ``stop`` (exclusive), CHUNK at a time. The file stays open
    while it is sent, so a release pruned during a download is still sent whole (POSIX
    keeps an open file's data until it is closed)."""
    with rep.open() as handle:
        handle.seek(start)
        left = stop - start
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                raise OSError(f"file ended {left} bytes early")
            left -= len(chunk)
            yield chunk


def _gzipped(chunks: Chunks) -> Chunks:
    """A gzip member (RFC 1952) of ``chunks``, compressed one chunk at a time."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # 16 + 15: gzip header, 32 KiB window
    try:
        for chunk in chunks:
            out = compressor.compress(chunk)
            if out:
                yield out
        yield compressor.flush()
    finally:
        chunks.close()


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether ``Accept-Encoding`` (RFC 9110 section 12.5.3) allows gzip."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        if coding:
            weights[coding.strip().lower()] = _quality(params)
    for name in ("gzip", "x-gzip"):
        if name in weights:
            return weights[name] > 0
    return weights.get("*", 0) > 0


def _quality(params: str) -> float:
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def _tags(header: str) -> list[tuple[bool, str]]:
    """(weak?, opaque tag) of each entity tag in an If-Match / If-None-Match value."""
    return [(bool(weak), tag) for weak, tag in _ENTITY_TAG.findall(header)]


def _http_date(value: str) -> dt.datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _failed_precondition(request: Request, rep: Representation) -> str | None:
    """The header that fails, If-Match or If-Unmodified-Since (RFC 9110 sections 13.1.1,
    13.1.4), or None."""
    if_match = request.headers.get("if-match")
    if if_match is not None:
        if if_match.strip() == "*":
            return None
        strong = any(not weak and tag == rep.sha256 for weak, tag in _tags(if_match))
        return None if strong else "If-Match"
    since = _http_date(request.headers.get("if-unmodified-since", ""))
    if since is not None and rep.last_modified is not None and rep.last_modified > since:
        return "If-Unmodified-Since"
    return None


def _not_modified(request: Request, rep: Representation) -> str | None:
    """The ETag to send with a 304, or None (RFC 9110 sections 13.1.2, 13.1.3). The tag
    of either encoding matches, by weak comparison; the 304 carries the one that matched,
    so a cache knows which stored response to reuse (RFC 9111 section 4.3.4)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        if if_none_match.strip() == "*":
            return rep.etag
        for _, tag in _tags(if_none_match):
            if tag == rep.sha256:
                return rep.etag
            base, _, coding = tag.rpartition("-")
            if base == rep.sha256 and coding in CODINGS:  # see kg.server.compression
                return f'W/"{tag}"'
        return None
    since = _http_date(request.headers.get("if-modified-since", ""))
    if since is not None and rep.last_modified is not None and rep.last_modified <= since:
        return rep.etag
    return None


def _requested_range(request: Request, rep: Representation) -> tuple[int, int] | str | None:
    """(first, last) byte, inclusive; "unsatisfiable"; or None for the whole file."""
    header = request.headers.get("range")
    if request.method != "GET" or header is None or not _if_range_holds(request, rep):
        return None
    match = _RANGE.match(header)
    if match is None:
        return None  # another unit, several ranges or bad syntax: ignored (section 14.2)
    first, last = match.groups()
    if first:
        start = int(first)
        end = int(last) if last else rep.size - 1
        if last and end < start:
            return None  # invalid range-spec: the field is ignored
        if start >= rep.size:
            return "unsatisfiable"
        return start, min(end, rep.size - 1)
    if not last:
        return None
    suffix = int(last)
    if suffix == 0 or rep.size == 0:
        return "unsatisfiable"
    return max(0, rep.size - suffix), rep.size - 1


def _if_range_holds(request: Request, rep: Representation) -> bool:
    """If-Range (RFC 9110 section 13.1.5): an entity tag must match strongly, a date
    exactly."""
    value = request.headers.get("if-range")
    if value is None:
        return True
    value = value.strip()
    if value.startswith(('"', "W/")):
        return value == rep.etag
    date = _http_date(value)
    return date is not None and date == rep.last_modified
