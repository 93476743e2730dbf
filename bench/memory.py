"""Memory of a process and of its descendants, sampled while it runs (Linux /proc): what
the build and serve benchmarks report."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path


def rss_bytes() -> int:
    """The resident set size of this process, from /proc/self/status (Linux)."""
    with Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def process_tree(root: int) -> list[int]:
    """``root`` and every process descended from it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def pss_bytes(root: int) -> int:
    """Proportional set size of a process and its descendants (/proc/PID/smaps_rollup):
    pages shared between them counted once."""
    total = 0
    for pid in process_tree(root):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


class PeakSampler:
    """Samples a memory figure in a thread (by default this process's RSS); ``peak`` is
    the highest since ``reset``, ``first`` the one at the start."""

    def __init__(self, interval: float = 0.005, measure: Callable[[], int] = rss_bytes) -> None:
        self.interval, self.measure = interval, measure
        self.peak = self.first = measure()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.measure())

    def reset(self) -> None:
        self.peak = self.measure()

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
