"""Content codings for every response worth compressing (RFC 9110, section 8.4.1):
zstd, brotli or gzip, whichever the client's ``Accept-Encoding`` allows, in that
order of preference, for bodies of :data:`MINIMUM_SIZE` bytes or more.

The work is ``starlette-compress``'s (a pure ASGI middleware that streams, skips 206
partial responses and bodies that already carry a ``Content-Encoding``, and adds
``Vary: Accept-Encoding``). This module says which media types are text worth
compressing: the library's list (HTML, CSS, JavaScript, JSON, XML, plain text) and
every syntax of :mod:`kg.formats` (Turtle, N-Triples, SPARQL results...).

ETags follow the rule of the dumps (:mod:`kg.server.transfer`): a compressed
representation never shares a tag with the identity one (RFC 9110, section 8.8.3.3).
The middleware of :mod:`kg.server.etags` keys its weak tags on ``Accept-Encoding``, so a
client that accepts another coding gets another tag; a strong tag set by a route (a
file's SHA-256) becomes ``W/"<tag>-<coding>"`` once compressed, as the dumps' gzip
tag ``W/"<sha256>-gzip"`` is. The dumps compress themselves and pass through untouched.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.types import Message, Scope
from starlette_compress import CompressMiddleware, add_compress_type

from kg.formats import GRAPHS, RESULTS, Syntax
from kg.server.heads import ResponseHeadEditor

MINIMUM_SIZE = 1024  # bytes; below this a compressed body saves too little to matter


def compressed_media_types() -> list[str]:
    """The media types of :mod:`kg.formats` (and their aliases), all text."""
    found: dict[str, None] = {}
    syntaxes: tuple[Syntax[Any], ...] = (*RESULTS, *GRAPHS)
    for syntax in syntaxes:
        for media_type in (syntax.media_type, *syntax.aliases):
            found[media_type] = None
    return list(found)


def middleware() -> list[Middleware]:
    """The compressing middleware, outermost first (:mod:`kg.server.stack` puts it
    outside the one that sets ETags, so that a 304 is answered before anything is
    compressed)."""
    for media_type in compressed_media_types():
        add_compress_type(media_type)  # idempotent: a set in the library
    return [Middleware(EncodedTags), Middleware(CompressMiddleware, minimum_size=MINIMUM_SIZE)]


def encoded_tag(etag: str, coding: str) -> str:
    """The tag of a compressed representation: a strong tag becomes weak, with the
    coding appended; a weak one is already the tag of this coding.

    >>> encoded_tag('"abc"', "br")
    'W/"abc-br"'
    >>> encoded_tag('W/"abc-gzip"', "gzip")
    'W/"abc-gzip"'
    """
    if etag.startswith("W/") or not etag.startswith('"'):
        return etag
    return f'W/"{etag.strip(chr(34))}-{coding}"'


class EncodedTags(ResponseHeadEditor):
    """Outside the compressor: gives a compressed response with a strong ETag the tag of
    its coding (:func:`encoded_tag`)."""

    def edit(self, scope: Scope, head: Message) -> None:
        coding = etag = None
        for name, value in head.get("headers", ()):
            if name == b"content-encoding" and coding is None:
                coding = value
            elif name == b"etag" and etag is None:
                etag = value
        if coding and etag:
            headers = MutableHeaders(scope=head)
            headers["ETag"] = encoded_tag(etag.decode("latin-1"), coding.decode("latin-1"))
