"""The query time limit: a pool of worker processes that the server kills at the deadline.

pyoxigraph's ``Store.query`` has no timeout and ignores signals, but a query in a child
process that is killed does stop. So each query goes to an idle worker
(:mod:`kg.server.sparql.worker`); the calling thread waits for the reply until the deadline
(``KG_QUERY_TIMEOUT``), then kills the worker, reaps it, and raises QueryTimeout (504).
The pool starts a replacement when the next query needs one, so the other workers go
on answering meanwhile. When every worker is busy, a query waits for one up to the
same limit, then gets ServerBusy (503, ``Retry-After``).

A worker that dies while it runs a query (a signal: the kernel's OOM killer, a crash in
the engine) is logged with the signal and the query's hash (the text may be private;
the hash finds it in a client's logs), the query fails (QueryFailed, 500), and a
replacement starts at once. A worker found dead before it was given a query is replaced
and the query goes to another: that death was not the query's doing.

:meth:`Executor.run` is a coroutine: it waits for the worker's reply with a reader on
the event loop, so a query costs no thread (a thread hop costs about 0.2 ms).
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection

from anyio import CapacityLimiter, to_thread

from kg.errors import QueryFailed, QueryTimeout, ServerBusy
from kg.server.sparql.worker import LAUNCH, Config, Job, Reply, query_hash

log = logging.getLogger("kg.server.sparql.executor")

START_TIMEOUT = 30.0  # seconds a new worker may take to say it is ready
LARGE_BODY = 256 * 1024  # a body larger than this is read in a thread, off the event loop
WAITING_THREADS = 64  # requests that may wait at once for a free worker


async def _readable(fd: int, timeout: float) -> bool:
    """Wait until ``fd`` can be read (True) or ``timeout`` seconds pass (False)."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[bool] = loop.create_future()

    def settle(value: bool) -> None:
        if not ready.done():
            ready.set_result(value)

    loop.add_reader(fd, settle, True)
    timer = loop.call_later(timeout, settle, False)
    try:
        return await ready
    finally:
        loop.remove_reader(fd)
        timer.cancel()
        os.set_blocking(fd, True)  # uvloop makes a watched fd non-blocking; recv needs blocking


class Worker:
    """One child process and the two pipes to it."""

    def __init__(self, config: Config) -> None:
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", LAUNCH, str(to_child), str(from_child)],
                pass_fds=(to_child, from_child),
                stdin=subprocess.DEVNULL,
            )
        finally:
            os.close(to_child)
            os.close(from_child)
        self.outbox = Connection(from_parent, readable=False)
        self.inbox = Connection(to_parent, writable=False)
        try:
            self.outbox.send_bytes(pickle.dumps(config))
            ready = self.inbox.poll(START_TIMEOUT) and self.inbox.recv_bytes() == b"ready"
        except (OSError, EOFError):
            ready = False
        if not ready:
            self.kill()
            raise QueryFailed("a query worker did not start; the server log has the details")

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
        """Stop the process at once (SIGKILL) and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for connection in (getattr(self, "outbox", None), getattr(self, "inbox", None)):
            if connection is not None:
                connection.close()


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

    async def run(self, job: Job, timeout: float) -> tuple[Reply, bytes]:
        """Run ``job`` on a worker within ``timeout`` seconds of execution time.

        The wait for the reply is a reader on the event loop (no thread); only starting
        a worker, waiting for a free one, and reading a large body go to a thread."""
        worker = await self._live_worker(timeout)
        done = crashed = False
        try:
            try:
                worker.outbox.send_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            except OSError:  # it died just now, before it had the query: use another
                self._discard(worker)
                worker = await self._live_worker(timeout)
                worker.outbox.send_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            if not await _readable(worker.inbox.fileno(), timeout):
                raise QueryTimeout(
                    f"the query ran longer than the time limit of {timeout:g} s "
                    "(KG_QUERY_TIMEOUT) and was stopped; narrow it down or add a LIMIT"
                )
            reply: Reply = pickle.loads(worker.inbox.recv_bytes())
            if reply.size > LARGE_BODY:
                body = await to_thread.run_sync(worker.inbox.recv_bytes, limiter=self._threads)
            else:
                body = worker.inbox.recv_bytes()
            done = True
        except (OSError, EOFError) as exc:
            how = worker.end() or "closed its pipe"
            digest = query_hash(job.query)
            log.error(
                "query worker %d died (%s) while running query %s; a new one replaces it",
                worker.pid, how, digest,
            )  # fmt: skip
            crashed = True
            raise QueryFailed(
                f"the query worker died ({how}) while running this query; the server log "
                f"names the query by its hash, {digest}"
            ) from exc
        finally:  # a worker that did not answer in full (timeout, crash, cancel) is killed
            if done:
                self._release(worker)
            else:
                self._discard(worker)
            if crashed:
                self._start_spare()
        return reply, body

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
