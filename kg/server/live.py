"""The release a server answers from, switched without a restart; and the releases
that URLs name.

Each request takes a :class:`Snapshot` (release + store handle) once, with
:meth:`LiveRelease.of_request`, and uses it to the end, for its ETag and its body alike:
a request in flight finishes on the release it started on. Which release: the one its
URL names, ``/releases/{id}/…`` (:func:`named_id`), if that release is kept (else
:class:`~kg.errors.UnknownRelease`, 404, which lists the kept ones); for any other URL,
the current one.

A new current release is seen at the next request: ``current`` is re-read (one
``readlink``) at most every ``CHECK_INTERVAL`` seconds, or at once after SIGHUP. A
server process also looks every ``WATCH_INTERVAL`` seconds on its own
(:meth:`LiveRelease.watch`), so that an idle one lets go of a release that the next
build prunes, and of its deleted files: the current one's store, and the older releases
it opened for their URLs (a few at most, their stores opened only when a request needs
one).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, MutableMapping
from contextlib import suppress
from typing import Any

import pyoxigraph as ox

from kg import release as releases
from kg.config import Settings
from kg.errors import KgError, UnknownRelease
from kg.release import Release

CHECK_INTERVAL = 0.5  # seconds
WATCH_INTERVAL = 2.0  # seconds
SNAPSHOT_KEY = "kg.snapshot"  # where a request keeps its snapshot, in scope["state"]
RELEASES_PATH = "/releases/"  # below it, the URLs that name a release
NAMED_KEPT = 4  # older releases held at once for their URLs


def named_id(path: str) -> str | None:
    """The release that ``path`` names, ``/releases/{id}`` or ``/releases/{id}/…``;
    None for every other path.

    >>> named_id("/releases/20261201T045151Z/sparql"), named_id("/releases/"), named_id("/sparql")
    ('20261201T045151Z', None, None)
    """
    if not path.startswith(RELEASES_PATH):
        return None
    return path[len(RELEASES_PATH) :].split("/", 1)[0] or None


def named_in(scope: MutableMapping[str, Any]) -> str | None:
    """The release the path of the request of ``scope`` names (below the app's
    ``root_path``, when a proxy sets one), or None."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return named_id(path)


class Snapshot:
    """A release, and its store opened read-only: given, or opened at its first use."""

    def __init__(self, release: Release, store: ox.Store | None = None) -> None:
        self.release = release
        self._store = store
        self._lock = threading.Lock()

    @property
    def id(self) -> str:
        return self.release.id

    @property
    def store(self) -> ox.Store:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = self.release.open_store()
        return self._store


class LiveRelease:
    """Holds the current release's store open read-only; reopens it when it changes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._target: str | None = None
        self._checked = 0.0
        self._named: OrderedDict[str, Snapshot] = OrderedDict()  # older releases, by id
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
        release_id = named_in(scope)
        snapshot = self.get() if release_id is None else self.kept(release_id)
        state[SNAPSHOT_KEY] = snapshot
        return snapshot

    @staticmethod
    def pin(scope: MutableMapping[str, Any], snapshot: Snapshot) -> None:
        """Make ``snapshot`` the one :meth:`of_request` gives for this request: how a path
        that names a release (not the current one) has it answered by the same code."""
        scope.setdefault("state", {})[SNAPSHOT_KEY] = snapshot

    def kept(self, release_id: str) -> Snapshot:
        """The snapshot of release ``release_id``, current or older, while it is kept;
        UnknownRelease (404) when it is not."""
        with suppress(KgError):  # no current release: the older ones may still be there
            current = self.get()
            if current.id == release_id:
                return current
        with self._lock:
            found = self._named.pop(release_id, None)
            if found is None or not found.release.path.is_dir():
                release = releases.find(self.settings, release_id)
                if release is None:
                    raise UnknownRelease(_not_kept(self.settings, release_id))
                found = Snapshot(release)
            self._named[release_id] = found  # now the most recently used
            while len(self._named) > NAMED_KEPT:
                self._named.popitem(last=False)
            return found

    def watch(self, interval: float = WATCH_INTERVAL) -> None:
        """Look at ``current`` every ``interval`` seconds from a daemon thread."""

        def look() -> None:
            while True:
                time.sleep(interval)
                with suppress(KgError):  # no release yet: the requests say so
                    self.get()
                self.drop_pruned()

        threading.Thread(target=look, name="kg-live-release", daemon=True).start()

    def drop_pruned(self) -> None:
        """Let go of the older releases whose folder a build removed (and so of their
        store's deleted files, once the requests still reading them are done)."""
        with self._lock:
            for release_id in [i for i, s in self._named.items() if not s.release.path.is_dir()]:
                del self._named[release_id]

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


def _not_kept(settings: Settings, release_id: str) -> str:
    """The one line of a 404 for a release that is not kept: which ones are."""
    shown = release_id if len(release_id) <= 40 else release_id[:40] + "…"
    kept = [r.id for r in releases.kept(settings)]
    if not kept:
        return f"no release {shown!r} here, and no release is kept yet"
    return (
        f"no release {shown!r} here: it was never built or a later build pruned it; the "
        f"releases kept are {', '.join(kept)} (newest first; /releases/ lists them)"
    )
