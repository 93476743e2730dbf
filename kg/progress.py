"""Report the steps of a long command on stderr: what runs, and how long it took."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Steps:
    """Prints ``compile ... 0.4 s`` lines; silent when ``quiet``."""

    def __init__(self, out: TextIO | None = None, quiet: bool = False) -> None:
        self.out = out or sys.stderr
        self.quiet = quiet
        self.timings: dict[str, float] = {}
        self._pending: list[str] = []  # warnings held until the step's line ends
        self._in_step = False

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self._write(f"{name} ...")
        started = time.perf_counter()
        self._in_step = True
        try:
            yield
        except BaseException:
            self._write(" failed\n")  # the error that follows starts a line of its own
            raise
        finally:
            self._in_step = False
        self.timings[name] = elapsed = time.perf_counter() - started
        self._write(f" {elapsed:.1f} s\n")
        pending, self._pending = self._pending, []
        for message in pending:
            self._warning(message)

    def warn(self, message: str) -> None:
        """A warning: printed even when quiet, after the step's line."""
        if self._in_step and not self.quiet:
            self._pending.append(message)
        else:
            self._warning(message)

    def _warning(self, message: str) -> None:
        self.out.write(f"warning: {message}\n")
        self.out.flush()

    def advance(self, done: int, total: int) -> None:
        """Progress within a step, for steps that take more than a moment."""
        if total:
            self._write(f" {100 * done // total}%")

    def _write(self, text: str) -> None:
        if not self.quiet:
            self.out.write(text)
            self.out.flush()
