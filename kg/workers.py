"""Worker processes for the build: both cores, not one (``KG_BUILD_WORKERS``).

Reading, compiling and validating are CPU work in Python and in Rust code that holds
the GIL, so threads would not run them side by side. Each worker is a process started
afresh (``spawn``: nothing of the parent's state is copied by accident), talking to
the parent over a pipe; it keeps what it was given in :data:`state` from one call to
the next, so a worker compiles the documents it has read itself. A worker ends when
the parent closes its pipe, or dies: it reads end-of-file then.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from kg.errors import ReleaseError

state: dict[str, Any] = {}  # a worker's own: what earlier calls left for later ones


def count(setting: int) -> int:
    """Worker processes for ``KG_BUILD_WORKERS`` (0: one per CPU the build may use)."""
    if setting:
        return setting
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class Workers:
    """``count`` worker processes; use as a context manager."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipes: list[Connection] = []
        self._processes: list[BaseProcess] = []
        for _ in range(count):
            parent, child = context.Pipe()
            process = context.Process(target=_serve, args=(child,), daemon=True)
            process.start()
            child.close()
            self._pipes.append(parent)
            self._processes.append(process)

    def __len__(self) -> int:
        return len(self._pipes)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def each(self, function: Callable[..., Any], arguments: list[tuple[Any, ...]]) -> list[Any]:
        """Call ``function(*arguments[i])`` in worker ``i``, all at once; the answers."""
        assert len(arguments) <= len(self._pipes)
        for pipe, args in zip(self._pipes, arguments, strict=False):
            pipe.send((function, args))
        return [self._answer(pipe) for pipe in self._pipes[: len(arguments)]]

    def map(self, function: Callable[..., Any], tasks: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
        """``function(*task)`` for each task, in whichever worker is free, the next task
        made only then (a task can be large); the answers as they come."""
        pending = iter(tasks)
        busy: list[Connection] = []
        for pipe in self._pipes:
            task = next(pending, None)
            if task is None:
                break
            pipe.send((function, task))
            busy.append(pipe)
        while busy:
            for ready in wait(busy):
                assert isinstance(ready, Connection)
                answer = self._answer(ready)
                task = next(pending, None)
                if task is None:
                    busy.remove(ready)
                else:
                    ready.send((function, task))
                yield answer

    def _answer(self, pipe: Connection) -> Any:
        try:
            kind, value = pipe.recv()
        except EOFError:
            raise ReleaseError("a build worker process died; nothing was published") from None
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        for pipe in self._pipes:
            pipe.close()  # the worker reads end-of-file and returns
        for process in self._processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        self._pipes, self._processes = [], []


def _serve(pipe: Connection) -> None:
    while True:
        try:
            function, arguments = pipe.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            answer: tuple[str, Any] = ("ok", function(*arguments))
        except Exception as exc:  # the parent re-raises it
            answer = ("error", exc)
        try:
            pipe.send(answer)
        except Exception:  # an answer or error that does not pickle
            pipe.send(("error", RuntimeError(traceback.format_exc())))
