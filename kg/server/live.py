"""The release a server answers from, switched without a restart.

Each request takes a :class:`Snapshot` (release + store handle) once, with
:meth:`LiveRelease.of_request`, and uses it to the end, for its ETag and its body alike:
a request in flight finishes on the release it started on. A new release is
seen at the next request: ``current`` is re-read (one ``readlink``) at most every
``CHECK_INTERVAL`` seconds, or at once after SIGHUP. A server process also looks every
``WATCH_INTERVAL`` seconds on its own (:meth:`LiveRelease.watch`), so that an idle one
lets go of a release that the next build prunes, and of its deleted files.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, MutableMapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg import release as releases
from kg.config import Settings
from kg.errors import KgError
from kg.release import Release

CHECK_INTERVAL = 0.5  # seconds
WATCH_INTERVAL = 2.0  # seconds
SNAPSHOT_KEY = "kg.snapshot"  # where a request keeps its snapshot, in scope["state"]


@dataclass(frozen=True)
class Snapshot:
    release: Release
    store: ox.Store

    @property
    def id(self) -> str:
        return self.release.id


class LiveRelease:
    """Holds the current release's store open read-only; reopens it when it changes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._target: str | None = None
        self._checked = 0.0
        self.listeners: list[Callable[[Snapshot], None]] = []  # told of each new release

    def get(self) -> Snapshot:
        """The current snapshot; raises NoRelease when none was built."""
        now = time.monotonic()
        if self._snapshot is None or now - self._checked >= CHECK_INTERVAL:
            self._refresh(now)
        assert self._snapshot is not None
        return self._snapshot

    def of_request(self, scope: MutableMapping[str, Any]) -> Snapshot:
        """The snapshot of the request of ``scope``: taken at its first use, then kept in
        the request's state, so everything that answers the request sees one release."""
        state = scope.setdefault("state", {})
        found = state.get(SNAPSHOT_KEY)
        if isinstance(found, Snapshot):
            return found
        snapshot = self.get()
        state[SNAPSHOT_KEY] = snapshot
        return snapshot

    @staticmethod
    def pin(scope: MutableMapping[str, Any], snapshot: Snapshot) -> None:
        """Make ``snapshot`` the one :meth:`of_request` gives for this request: how a path
        that names a release (not the current one) has it answered by the same code."""
        scope.setdefault("state", {})[SNAPSHOT_KEY] = snapshot

    def watch(self, interval: float = WATCH_INTERVAL) -> None:
        """Look at ``current`` every ``interval`` seconds from a daemon thread."""

        def look() -> None:
            while True:
                time.sleep(interval)
                with suppress(KgError):  # no release yet: the requests say so
                    self.get()

        threading.Thread(target=look, name="kg-live-release", daemon=True).start()

    def recheck(self) -> None:
        """Look at ``current`` on the next request (the SIGHUP handler calls this)."""
        self._checked = 0.0

    def _refresh(self, now: float) -> None:
        with self._lock:
            try:
                target = str(self.settings.current_link.readlink())
            except OSError:
                target = None
            self._checked = now
            if self._snapshot is not None and target == self._target:
                return
            current = releases.current(self.settings)  # raises NoRelease
            snapshot = Snapshot(current, current.open_store())
            self._snapshot, self._target = snapshot, target
        for listener in self.listeners:
            listener(snapshot)
