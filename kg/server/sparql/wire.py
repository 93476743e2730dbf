"""The frames between the HTTP process and its query workers: a few bytes each way.

Two pipes per worker. The server writes a :class:`Config` frame once (JSON: the
predefined prefixes and the base IRI), the worker answers ``ready``; then, for each
query, the server writes one :class:`Job` frame and the worker answers with one
:class:`Reply` frame whose body is the serialized result, head and body handed to one
``writev`` (not copied into one buffer). Nothing is pickled: a job is a flag byte, two numbers
and length-prefixed UTF-8 strings, encoded and decoded with :mod:`struct`.

* Job: ``u32`` length of what follows, ``u8`` flags, ``u64`` row cap, ``u64`` byte cap,
  ``u16`` counts of default and of named graphs, then strings, each a ``u32`` length and
  UTF-8: store path, query, results format, graph format (empty: not acceptable), the
  caps' link, the default graphs, the named graphs.
* Reply: a fixed header (:data:`REPLY`: status, form, and the lengths of the format
  name, the truncation note, the message and the body), those three strings, then
  the body. The reader knows the full length from the header alone, so it can relay
  the body as it arrives (:mod:`kg.server.sparql.executor`).

Imports nothing of the web stack: the worker process reads this module.

>>> job = Job("/s", "ASK {}", None, ("urn:g",), True, "json", None, Limits(5, 9, "urn:t"), False)
>>> Job.decode(job.encode()[4:]) == job
True
>>> head, total = Reply(200, "boolean", "json").encode(5)
>>> Reply.decode(head)
(Reply(status=200, form='boolean', format='json', truncated=None, message='', size=5), 22)
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass

from kg.server.sparql.results import Limits

LENGTH = struct.Struct("<I")
_JOB = struct.Struct("<BQQHH")  # flags, row cap, byte cap, default graphs, named graphs
REPLY = struct.Struct("<HBBHIQ")  # status, form, format length, note length, message, body
_FORMS = ("", "results", "boolean", "graph")

_UNION, _SERVICES, _DEFAULT, _NAMED = 1, 2, 4, 8


@dataclass(frozen=True)
class Config:
    prefixes: dict[str, str]
    base_iri: str

    def encode(self) -> bytes:
        return _framed(json.dumps({"prefixes": self.prefixes, "base": self.base_iri}).encode())

    @staticmethod
    def decode(data: bytes) -> Config:
        found = json.loads(data)
        return Config(dict(found["prefixes"]), str(found["base"]))


@dataclass(frozen=True)
class Job:
    store_path: str
    query: str  # the checked text (escapes processed)
    default_graphs: tuple[str, ...] | None  # protocol dataset; None: not given
    named_graphs: tuple[str, ...] | None
    union: bool  # default graph = union of all graphs (no dataset given anywhere)
    results_format: str | None  # for SELECT and ASK; None: not acceptable
    graph_format: str | None  # for CONSTRUCT and DESCRIBE; None: not acceptable
    limits: Limits
    calls_services: bool

    def encode(self) -> bytes:
        """The frame: its length, then the job."""
        flags = (
            (_UNION if self.union else 0)
            | (_SERVICES if self.calls_services else 0)
            | (_DEFAULT if self.default_graphs is not None else 0)
            | (_NAMED if self.named_graphs is not None else 0)
        )
        defaults, named = self.default_graphs or (), self.named_graphs or ()
        strings = (
            self.store_path,
            self.query,
            self.results_format or "",
            self.graph_format or "",
            self.limits.link,
            *defaults,
            *named,
        )
        parts = [_JOB.pack(flags, self.limits.rows, self.limits.bytes, len(defaults), len(named))]
        for text in strings:
            data = text.encode("utf-8", "surrogatepass")
            parts += (LENGTH.pack(len(data)), data)
        return _framed(b"".join(parts))

    @staticmethod
    def decode(data: bytes) -> Job:
        """The job of a frame (without its length prefix)."""
        flags, rows, size, defaults, named = _JOB.unpack_from(data)
        offset, strings = _JOB.size, []
        for _ in range(5 + defaults + named):
            (length,) = LENGTH.unpack_from(data, offset)
            offset += LENGTH.size
            strings.append(data[offset : offset + length].decode("utf-8", "surrogatepass"))
            offset += length
        store, query, results_format, graph_format, link = strings[:5]
        graphs = strings[5:]
        return Job(
            store_path=store,
            query=query,
            default_graphs=tuple(graphs[:defaults]) if flags & _DEFAULT else None,
            named_graphs=tuple(graphs[defaults:]) if flags & _NAMED else None,
            union=bool(flags & _UNION),
            results_format=results_format or None,
            graph_format=graph_format or None,
            limits=Limits(rows, size, link),
            calls_services=bool(flags & _SERVICES),
        )


@dataclass(frozen=True)
class Reply:
    status: int  # 200, or the HTTP status of the error
    form: str = ""  # "results", "boolean" or "graph"
    format: str = ""  # the format name the body is in
    truncated: str | None = None
    message: str = ""  # for errors: short, for people, never a traceback
    size: int = 0  # bytes of the body that follows

    def encode(self, size: int) -> tuple[bytes, int]:
        """The frame's head for a body of ``size`` bytes, and the frame's full length."""
        fmt, note = self.format.encode(), (self.truncated or "").encode()
        message = self.message.encode("utf-8", "replace")
        head = REPLY.pack(
            self.status, _FORMS.index(self.form), len(fmt), len(note), len(message), size
        )
        head += fmt + note + message
        return head, len(head) + size

    @staticmethod
    def decode(data: bytes | bytearray) -> tuple[Reply, int] | None:
        """The reply whose head starts ``data``, and where its body starts; None while
        ``data`` holds less than the head."""
        if len(data) < REPLY.size:
            return None
        status, form, fmt, note, message, size = REPLY.unpack_from(data)
        start = REPLY.size + fmt + note + message
        if len(data) < start:
            return None
        text = bytes(data[REPLY.size : start])
        return (
            Reply(
                status,
                _FORMS[form],
                text[:fmt].decode(),
                text[fmt : fmt + note].decode() or None,
                text[fmt + note :].decode("utf-8", "replace"),
                size,
            ),
            start,
        )


def _framed(data: bytes) -> bytes:
    return LENGTH.pack(len(data)) + data
