"""The query worker pool alone: replies small and large, a worker that died, the time
limit, and the event loop's non-blocking file descriptors (uvloop)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.config import Settings
from kg.errors import QueryFailed, QueryTimeout
from kg.server.sparql.executor import Executor
from kg.server.sparql.results import Limits
from kg.server.sparql.worker import Config, Job, query_hash
from tests.sparql_support import make_release, open_files, quad

LIMITS = Limits(100_000, 50_000_000, "urn:truncated")


@pytest.fixture
def executor(built_settings: Settings) -> Iterator[Executor]:
    pool = Executor(2, Config(built_settings.ns.prefixes(), built_settings.base_iri))
    yield pool
    pool.close()


def job(settings: Settings, query: str, graph_format: str = "ntriples") -> Job:
    from kg import release

    return Job(
        store_path=str(release.current(settings).store_path),
        query=query,
        default_graphs=None,
        named_graphs=None,
        union=True,
        results_format="json",
        graph_format=graph_format,
        limits=LIMITS,
        calls_services=False,
    )


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_small_and_large_replies(executor: Executor, built_settings: Settings) -> None:
    reply, body = run(executor.run(job(built_settings, "ASK {}"), 30))
    assert (reply.status, body) == (200, b'{"head":{},"boolean":true}')
    reply, body = run(executor.run(job(built_settings, "CONSTRUCT WHERE { ?s ?p ?o }"), 30))
    assert reply.status == 200 and reply.size == len(body) > 256 * 1024


def test_replies_are_read_whole_when_the_loop_makes_fds_non_blocking(
    executor: Executor, built_settings: Settings
) -> None:
    """uvloop (which uvicorn picks when installed) sets O_NONBLOCK on the fds it watches;
    reading the reply then failed half-way with "the query worker stopped"."""

    async def both() -> list[int]:
        loop = asyncio.get_running_loop()
        original: Callable[..., Any] = loop.add_reader

        def add_reader(fd: int, callback: Callable[..., Any], *args: Any) -> None:
            os.set_blocking(fd, False)
            original(fd, callback, *args)

        loop.add_reader = add_reader  # type: ignore[method-assign, assignment]
        sizes = []
        for query in ("SELECT * { ?s ?p ?o } LIMIT 3", "CONSTRUCT WHERE { ?s ?p ?o }"):
            for _ in range(5):
                reply, body = await executor.run(job(built_settings, query), 30)
                assert reply.status == 200 and len(body) == reply.size
                sizes.append(reply.size)
        return sizes

    assert len(run(both())) == 10


def test_a_worker_found_dead_is_replaced_and_the_query_runs(
    executor: Executor, built_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    run(executor.run(job(built_settings, "ASK {}"), 30))
    idle = list(executor._idle)  # the test reaches in to kill one
    assert idle
    os.kill(idle[0].pid, signal.SIGKILL)
    idle[0].process.wait()
    reply, _ = run(executor.run(job(built_settings, "ASK {}"), 30))
    assert reply.status == 200  # the death was not this query's doing
    assert "SIGKILL" in caplog.text


def test_a_worker_killed_by_a_signal_is_logged_and_replaced(
    executor: Executor, built_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 10: a worker that segfaulted answered "the server log has the details", and
    the log had none."""
    cross = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

    async def crash_while_running() -> None:
        running = asyncio.ensure_future(executor.run(job(built_settings, cross), 30))
        while not executor.busy_pids():
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        os.kill(executor.busy_pids()[0], signal.SIGSEGV)
        await running

    with pytest.raises(QueryFailed, match=r"died \(SIGSEGV\).*sha256:[0-9a-f]{16}"):
        run(crash_while_running())
    digest = query_hash(cross)
    assert f"died (SIGSEGV) while running query {digest}" in caplog.text
    assert cross not in caplog.text  # the hash, not the text
    for _ in range(200):  # a replacement starts without waiting for the next query
        if executor._idle:
            break
        time.sleep(0.05)
    assert executor._idle and all(w.alive() for w in executor._idle)
    reply, _ = run(executor.run(job(built_settings, "ASK {}"), 30))
    assert reply.status == 200


def test_the_deadline_kills_the_worker(executor: Executor, built_settings: Settings) -> None:
    cross = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with pytest.raises(QueryTimeout, match=r"time limit of 0\.5 s"):
        run(executor.run(job(built_settings, cross), 0.5))
    assert executor.busy_pids() == []
    reply, _ = run(executor.run(job(built_settings, "ASK {}"), 30))
    assert reply.status == 200


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
def test_an_idle_worker_lets_go_of_a_pruned_release(
    executor: Executor, built_settings: Settings, tmp_path: Path
) -> None:
    """Issue 10: an idle worker kept a pruned release's deleted files open (their disk
    space with them) until its next query."""
    path = make_release(tmp_path, [quad("urn:x:s", "urn:x:p", ox.Literal("o"))], "old")
    old = dataclasses.replace(
        job(built_settings, "ASK { ?s ?p ?o }"), store_path=str(path / "store")
    )
    reply, _ = run(executor.run(old, 30))
    assert reply.status == 200
    (worker,) = executor._idle
    assert open_files(worker.pid, path)
    shutil.rmtree(path)  # what kg build does to the oldest release past KG_KEEP_RELEASES
    for _ in range(100):
        if not open_files(worker.pid, path):
            break
        time.sleep(0.1)
    assert open_files(worker.pid, path) == []
