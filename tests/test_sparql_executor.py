"""The query worker pool alone: replies small and large, a worker that died, the time
limit, and the event loop's non-blocking file descriptors (uvloop)."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kg.config import Settings
from kg.errors import QueryFailed, QueryTimeout
from kg.server.sparql.executor import Executor
from kg.server.sparql.results import Limits
from kg.server.sparql.worker import Config, Job

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


def test_a_dead_worker_is_replaced(executor: Executor, built_settings: Settings) -> None:
    run(executor.run(job(built_settings, "ASK {}"), 30))
    idle = list(executor._idle)  # the test reaches in to kill one
    assert idle
    os.kill(idle[0].pid, signal.SIGKILL)
    idle[0].process.wait()
    with pytest.raises(QueryFailed, match="stopped unexpectedly"):
        run(executor.run(job(built_settings, "ASK {}"), 30))
    reply, _ = run(executor.run(job(built_settings, "ASK {}"), 30))
    assert reply.status == 200


def test_the_deadline_kills_the_worker(executor: Executor, built_settings: Settings) -> None:
    cross = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with pytest.raises(QueryTimeout, match=r"time limit of 0\.5 s"):
        run(executor.run(job(built_settings, cross), 0.5))
    assert executor.busy_pids() == []
    reply, _ = run(executor.run(job(built_settings, "ASK {}"), 30))
    assert reply.status == 200
