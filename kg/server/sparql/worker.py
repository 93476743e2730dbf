"""A query worker: a child process that runs SPARQL queries on a release's store.

pyoxigraph's ``Store.query`` has no time limit and a signal does not interrupt it, so
each query runs here, in a process of its own that the server kills at the deadline
(:mod:`kg.server.sparql.executor`). The worker opens the release store read-only (a few
releases at most, the least recently used closed first), runs the query with the
project's prefixes and base IRI, and writes the result with
:mod:`kg.server.sparql.results`. While idle it looks every :data:`IDLE_CHECK` seconds
whether a release it holds open was pruned, and closes it: a deleted store's files take
disk space until the last process holding them lets go.

Queries run on a thread with a deep stack (:func:`kg.query.on_deep_stack`): the engine
recurses on nested queries, and the query check bounds their depth well below what
that stack takes.

Protocol, over two pipes, in the frames of :mod:`kg.server.sparql.wire`: the server sends
a :class:`Config` frame once, the worker answers ``ready``; then for each :class:`Job`
frame the worker writes one :class:`Reply` frame, head and body in one ``writev`` (no
copy into one buffer, nothing pickled).

Started as ``python -c "...main(...)" READ_FD WRITE_FD`` (see :data:`LAUNCH`). Imports
stay light (no rdflib, no web framework): a replacement worker starts in milliseconds.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import select
import threading
import time
from pathlib import Path

import pyoxigraph as ox

from kg.query import on_deep_stack
from kg.server.sparql import results
from kg.server.sparql.wire import LENGTH, Config, Job, Reply

__all__ = ["LAUNCH", "READY", "Config", "Job", "Reply", "main", "query_hash", "write_all"]

log = logging.getLogger("kg.server.sparql.worker")

LAUNCH = "import sys; from kg.server.sparql.worker import main; sys.exit(main(sys.argv[1:]))"
IDLE_CHECK = 2.0  # seconds between looks for pruned releases while idle
OPEN_STORES = 3  # releases held open at once (the current one, and cited ones)
READY = b"ready"
_IOV_MAX = 512  # buffers per writev call (Linux allows 1024)


def run(job: Job, config: Config, store: ox.Store) -> tuple[Reply, bytes]:
    """Run one job; every failure becomes a Reply with a status and a short message."""
    default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = None
    named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None
    if job.default_graphs is not None or job.named_graphs is not None:
        default_graph = [ox.NamedNode(g) for g in job.default_graphs or ()]
        named_graphs = [ox.NamedNode(g) for g in job.named_graphs or ()]

    def execute() -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        return store.query(
            job.query,
            prefixes=config.prefixes,
            base_iri=config.base_iri,
            use_default_graph_as_union=job.union and default_graph is None,
            default_graph=default_graph,
            named_graphs=named_graphs,
        )

    try:
        result = execute()
    except SyntaxError as error:
        return Reply(400, message=syntax_message(str(error), job.query)), b""
    try:
        if isinstance(result, ox.QueryBoolean | ox.QuerySolutions):
            if job.results_format is None:
                return Reply(406, form="results", message="not acceptable"), b""
            if isinstance(result, ox.QueryBoolean):
                written = results.boolean(result, job.results_format)
                return Reply(200, "boolean", job.results_format), written.body
            written = results.solutions(result, job.results_format, job.limits)
            return Reply(200, "results", job.results_format, written.truncated), written.body
        if job.graph_format is None:
            return Reply(406, form="graph", message="not acceptable"), b""
        written = results.graph(result, job.graph_format, job.limits, config.prefixes)
        return Reply(200, "graph", job.graph_format, written.truncated), written.body
    except (OSError, RuntimeError) as error:  # raised by the engine as the query runs
        detail = " ".join(str(error).split())[:300] or type(error).__name__
        if job.calls_services and isinstance(error, OSError):
            return Reply(502, message=f"a SERVICE endpoint failed: {detail}"), b""
        return Reply(500, message=f"the query failed while running: {detail}"), b""


_POSITION = re.compile(r"error at (\d+):(\d+): ?(.*)", re.DOTALL)


def syntax_message(error: str, query: str) -> str:
    """pyoxigraph's "error at L:C: expected ..." as a message that shows the place.

    >>> print(syntax_message("error at 1:6: expected one of '{'", "ASK x"))
    SPARQL syntax error at line 1, column 6: expected one of '{'
      ASK x
           ^
    """
    match = _POSITION.match(error)
    if not match:
        return f"SPARQL syntax error: {' '.join(error.split())[:400]}"
    line, column = int(match.group(1)), int(match.group(2))
    expected = " ".join(match.group(3).split())
    if len(expected) > 300:
        expected = expected[:300] + " ..."
    lines = query.splitlines() or [""]
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    start = max(0, column - 60)
    excerpt, caret = text[start : start + 120], " " * (column - 1 - start) + "^"
    return (
        f"SPARQL syntax error at line {line}, column {column}: {expected}\n  {excerpt}\n  {caret}"
    )


def _exit_with_parent() -> None:
    """End this process when the server that started it is gone."""
    parent = os.getppid()
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    jobs, replies = int(argv[0]), int(argv[1])
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    pending = bytearray()
    frame = read_frame(jobs, pending)
    if frame is None:
        return 0
    config = Config.decode(frame)
    write_all(replies, [READY])
    on_deep_stack(lambda: _serve(jobs, replies, pending, config))
    return 0


def _serve(jobs: int, replies: int, pending: bytearray, config: Config) -> None:
    stores = Stores(OPEN_STORES)
    while True:
        while not pending and not select.select([jobs], [], [], IDLE_CHECK)[0]:
            stores.drop_pruned()
        frame = read_frame(jobs, pending)
        if frame is None:
            return
        job = Job.decode(frame)
        try:
            reply, body = run(job, config, stores.open(job.store_path))
        except Exception:  # a bug here must not kill the worker; the log keeps the trace
            log.exception("query worker failed on query %s", query_hash(job.query))
            reply, body = Reply(500, message="internal error; the server log has the details"), b""
        head, _ = reply.encode(len(body))
        write_all(replies, [head, body])


def read_frame(fd: int, pending: bytearray) -> bytes | None:
    """The next frame from ``fd`` (blocking), without its length; None at end of file.
    ``pending`` keeps bytes read past the frame."""
    while True:
        if len(pending) >= LENGTH.size:
            (length,) = LENGTH.unpack_from(pending)
            end = LENGTH.size + length
            if len(pending) >= end:
                frame = bytes(pending[LENGTH.size : end])
                del pending[:end]
                return frame
        data = os.read(fd, 1 << 16)
        if not data:
            return None
        pending += data


def write_all(fd: int, parts: list[bytes]) -> None:
    """Write ``parts`` to ``fd`` in as few ``writev`` calls as the kernel takes."""
    views = [memoryview(part) for part in parts if part]
    first = 0
    while first < len(views):
        written = os.writev(fd, views[first : first + _IOV_MAX])
        while written:
            size = len(views[first])
            if written >= size:
                written -= size
                first += 1
            else:
                views[first] = views[first][written:]
                written = 0


class Stores:
    """Release stores open read-only, at most ``size`` of them, least recently used
    closed first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._open: dict[str, ox.Store] = {}

    def open(self, path: str) -> ox.Store:
        store = self._open.pop(path, None) or ox.Store.read_only(path)
        self._open[path] = store  # now the most recently used
        while len(self._open) > self.size:
            del self._open[next(iter(self._open))]
        return store

    def drop_pruned(self) -> None:
        """Close the stores whose release folder is gone."""
        for path in [p for p in self._open if not Path(p).is_dir()]:
            del self._open[path]

    def __contains__(self, path: str) -> bool:
        return path in self._open


def query_hash(query: str) -> str:
    """A short name for a query in the log: the start of its SHA-256 (the text may be
    private; its hash finds it in the client's own logs)."""
    return "sha256:" + hashlib.sha256(query.encode("utf-8", "replace")).hexdigest()[:16]
