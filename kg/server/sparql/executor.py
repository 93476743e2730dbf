"""The query time limit: a pool of worker processes that the server kills at the deadline.

pyoxigraph's ``Store.query`` has no timeout and ignores signals, but a query in a child
process that is killed does stop. So each query goes to an idle worker
(:mod:`kg.server.sparql.worker`); the server waits for the reply until the deadline
(``KG_QUERY_TIMEOUT``), then kills the worker, reaps it, and raises QueryTimeout (504).
The pool starts a replacement when the next query needs one, so the other workers go
on answering meanwhile. When every worker is busy, a query waits for one up to the
same limit, then gets ServerBusy (503, ``Retry-After``).

A worker that dies while it runs a query (a signal: the kernel's OOM killer, a crash in
the engine) is logged with the signal and the query's hash (the text may be private;
the hash finds it in a client's logs), the query fails (QueryFailed, 500), and a
replacement starts at once. A worker found dead before it was given a query is replaced
and the query goes to another: that death was not the query's doing.

The trip is short: the job is one small frame written to the worker's pipe
(:mod:`kg.server.sparql.wire`), and the reply is read by a reader on the event loop (no
thread) from a non-blocking pipe, in chunks as large as the pipe holds.
:meth:`Executor.submit` returns as soon as the reply's head is in, with the body's
chunks as they arrive (:class:`Answer`): the server can relay a large result to the
client while the rest is still coming. The reader drains the pipe whatever the
client's pace, so a slow client never holds a worker; the worker goes back to the
pool when its last byte is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import AsyncIterator

from anyio import CapacityLimiter, to_thread

from kg.errors import QueryFailed, QueryTimeout, ServerBusy
from kg.server.sparql.wire import Config, Job, Reply
from kg.server.sparql.worker import LAUNCH, READY, query_hash, write_all

log = logging.getLogger("kg.server.sparql.executor")

START_TIMEOUT = 30.0  # seconds a new worker may take to say it is ready
CHUNK = 1 << 18  # bytes read from a worker's pipe at once
WAITING_THREADS = 64  # requests that may wait at once for a free worker


class Worker:
    """One child process and the two pipes to it: jobs out, replies in."""

    def __init__(self, config: Config) -> None:
        jobs_in, jobs = os.pipe()
        replies, replies_out = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", LAUNCH, str(jobs_in), str(replies_out)],
                pass_fds=(jobs_in, replies_out),
                stdin=subprocess.DEVNULL,
            )
        finally:
            os.close(jobs_in)
            os.close(replies_out)
        self.jobs, self.replies = jobs, replies
        try:
            write_all(self.jobs, [config.encode()])
            ready = _read_ready(self.replies, START_TIMEOUT)
        except OSError:
            ready = False
        if not ready:
            self.kill()
            raise QueryFailed("a query worker did not start; the server log has the details")
        os.set_blocking(self.replies, False)  # read by the event loop, as much as is there

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def end(self, wait: float = 0.5) -> str | None:
        """How the process ended (``SIGSEGV``, ``exit status 1``); None if it has not
        within ``wait`` seconds."""
        try:
            code = self.process.wait(wait)
        except subprocess.TimeoutExpired:
            return None
        if code < 0:
            try:
                return signal.Signals(-code).name
            except ValueError:
                return f"signal {-code}"
        return f"exit status {code}"

    def kill(self) -> None:
        """Stop the process at once (SIGKILL), reap it, close the pipes."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for fd in (self.jobs, self.replies):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.jobs = self.replies = -1


def _read_ready(fd: int, timeout: float) -> bool:
    received = b""
    deadline = time.monotonic() + timeout
    while len(received) < len(READY):
        readable, _, _ = select.select([fd], [], [], max(deadline - time.monotonic(), 0))
        if not readable:
            return False
        data = os.read(fd, len(READY) - len(received))
        if not data:
            return False
        received += data
    return received == READY


class Answer:
    """A worker's reply as it is read: :attr:`reply` once its head is in, then the body
    in chunks (:meth:`chunks`), or whole (:meth:`body`). Reads on the event loop."""

    def __init__(self, executor: Executor, worker: Worker, job: Job, timeout: float) -> None:
        self.reply: Reply | None = None
        self._query = job.query
        self.complete = False
        self._executor, self._worker = executor, worker
        self._timeout = timeout
        self._head = bytearray()
        self._chunks: deque[bytes] = deque()
        self._missing = 0  # body bytes still to read
        self._error: Exception | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(worker.replies, self._readable)
        self._timer = self._loop.call_later(timeout, self._late)

    async def head(self) -> Reply:
        """The reply's head: status, format, truncation, message and body size."""
        while self.reply is None:
            await self._wait()
        return self.reply

    @property
    def drained(self) -> bool:
        """Whether every piece read so far was taken."""
        return not self._chunks

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body's pieces, each as it arrives."""
        while True:
            while self._chunks:
                yield self._chunks.popleft()
            if self.complete:
                return
            await self._wait()

    async def body(self) -> bytes:
        """The whole body (joined only when it came in several reads)."""
        while not self.complete:
            await self._wait()
        if len(self._chunks) == 1:
            return self._chunks.popleft()
        body = b"".join(self._chunks)
        self._chunks.clear()
        return body

    def abandon(self) -> None:
        """Give up on this reply: a worker that has not answered in full is killed."""
        if not self.complete:
            self._finish(QueryFailed("the reply was abandoned"))

    async def _wait(self) -> None:
        if self._error is not None:
            raise self._error
        self._waiter = self._loop.create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None
        if self._error is not None:
            raise self._error

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _readable(self) -> None:
        try:
            while not self.complete:
                data = os.read(self._worker.replies, CHUNK)
                if not data:
                    self._crashed()
                    break
                self._feed(data)
        except BlockingIOError:
            pass
        except OSError:
            self._crashed()
        self._wake()

    def _crashed(self) -> None:
        """The worker closed its pipe before the whole reply: it died on this query."""
        worker = self._worker
        how = worker.end() or "closed its pipe"
        digest = query_hash(self._query)
        log.error(
            "query worker %d died (%s) while running query %s; a new one replaces it",
            worker.pid, how, digest,
        )  # fmt: skip
        self._finish(
            QueryFailed(
                f"the query worker died ({how}) while running this query; the server log "
                f"names the query by its hash, {digest}"
            )
        )
        self._executor._start_spare()

    def _feed(self, data: bytes) -> None:
        if self.reply is None:
            self._head += data
            decoded = Reply.decode(self._head)
            if decoded is None:
                return
            self.reply, start = decoded
            self._missing = self.reply.size
            data = bytes(self._head[start:]) if start < len(self._head) else b""
            self._head.clear()
        if data:
            self._chunks.append(data)
            self._missing -= len(data)
        if self._missing <= 0:
            self._finish(None)

    def _late(self) -> None:
        self._finish(
            QueryTimeout(
                f"the query ran longer than the time limit of {self._timeout:g} s "
                "(KG_QUERY_TIMEOUT) and was stopped; narrow it down or add a LIMIT"
            )
        )
        self._wake()

    def _finish(self, error: Exception | None) -> None:
        if self._worker.replies < 0 or self.complete or self._error is not None:
            return
        self._timer.cancel()
        self._loop.remove_reader(self._worker.replies)
        if error is None:
            self.complete = True
            self._executor._release(self._worker)
        else:
            self._error = error
            self._chunks.clear()
            self._executor._discard(self._worker)


class Executor:
    """Up to ``size`` workers, started when first needed, killed at each deadline."""

    def __init__(self, size: int, config: Config) -> None:
        self.size = max(1, size)
        self.config = config
        self._idle: list[Worker] = []
        self._busy: dict[int, Worker] = {}
        self._starting = 0
        self._closed = False
        self._changed = threading.Condition()
        self._threads = CapacityLimiter(WAITING_THREADS)  # not the default thread pool

    async def submit(self, job: Job, timeout: float) -> Answer:
        """Send ``job`` to a worker; the Answer's reading stops at ``timeout`` seconds.
        Only starting a worker, or waiting for a free one, goes to a thread."""
        frame = job.encode()
        while True:
            worker = await self._live_worker(timeout)
            try:
                write_all(worker.jobs, [frame])
                return Answer(self, worker, job, timeout)
            except OSError:  # it died just now, before it had the query: use another
                self._discard(worker)

    async def _live_worker(self, timeout: float) -> Worker:
        """An idle worker, or a new one; one found dead is replaced (and logged)."""
        while True:
            worker = self._take_idle()
            if worker is None:
                worker = await to_thread.run_sync(self._acquire, timeout, limiter=self._threads)
            if worker.alive():
                return worker
            how = worker.end(0)
            log.warning("idle query worker %d had ended (%s); replaced", worker.pid, how)
            self._discard(worker)

    async def run(self, job: Job, timeout: float) -> tuple[Reply, bytes]:
        """Run ``job`` within ``timeout`` seconds: its reply and whole body."""
        answer = await self.submit(job, timeout)
        try:
            reply = await answer.head()
            return reply, await answer.body()
        finally:
            answer.abandon()

    def busy_pids(self) -> list[int]:
        """Processes running a query now (for tests and diagnostics)."""
        with self._changed:
            return list(self._busy)

    def prestart(self) -> None:
        """Start one worker ahead of the first query (in a background thread)."""
        self._start_spare()

    def _start_spare(self) -> None:
        """Start a worker in a background thread, if the pool has room for one."""

        def start() -> None:
            with self._changed:
                if self._closed or len(self._idle) + len(self._busy) + self._starting >= self.size:
                    return
                self._starting += 1
            worker: Worker | None = None
            try:
                worker = Worker(self.config)
            except QueryFailed as exc:  # said again when a query needs the worker
                log.warning("could not start a query worker: %s", exc)
            finally:
                with self._changed:
                    self._starting -= 1
                    self._changed.notify_all()
            if worker is not None:
                self._release(worker)

        threading.Thread(target=start, name="kg-worker-start", daemon=True).start()

    def close(self) -> None:
        """Kill every worker; busy ones are killed as they come back."""
        with self._changed:
            self._closed = True
            workers, self._idle = self._idle, []
            self._changed.notify_all()
        for worker in workers:
            worker.kill()

    def _take_idle(self) -> Worker | None:
        with self._changed:
            if self._closed or not self._idle:
                return None
            worker = self._idle.pop()
            self._busy[worker.pid] = worker
            return worker

    def _acquire(self, timeout: float) -> Worker:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                if self._closed:
                    raise QueryFailed("the server is shutting down")
                if self._idle:
                    idle = self._idle.pop()
                    self._busy[idle.pid] = idle
                    return idle
                if len(self._busy) + self._starting < self.size:
                    self._starting += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ServerBusy(
                        f"all {self.size} query workers stayed busy for {timeout:g} s; "
                        "try again shortly"
                    )
                self._changed.wait(remaining)
        worker: Worker | None = None
        try:
            worker = Worker(self.config)
        finally:
            with self._changed:
                self._starting -= 1
                if worker is not None:
                    self._busy[worker.pid] = worker
                self._changed.notify_all()
        return worker

    def _release(self, worker: Worker) -> None:
        with self._changed:
            self._busy.pop(worker.pid, None)
            if not self._closed:
                self._idle.append(worker)
                self._changed.notify()
                return
        worker.kill()

    def _discard(self, worker: Worker) -> None:
        worker.kill()
        with self._changed:
            self._busy.pop(worker.pid, None)
            self._changed.notify()
