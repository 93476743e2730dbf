"""Read releases: the folder layout, the manifest, the current release.

A release is immutable once written. ``{data_dir}/current`` is a symbolic link to the
live one; it is switched atomically by :mod:`kg.publish`.

```
{data_dir}/current -> releases/<id>
{data_dir}/releases/<id>/
    manifest.json   SHA256SUMS   void.ttl   validation-report.ttl   validation-report.txt
    store/          the pyoxigraph (RocksDB) store, opened read-only by readers
    dumps/          negotiations-kg.{ttl,nt,jsonld,nq,trig}, wikidata-links.ttl, ...
```
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.config import Settings
from kg.errors import NoRelease

MANIFEST = "manifest.json"
# What a release id may look like (publish makes "20261201T045151Z", "…Z-2"): a URL
# segment naming a release is looked up only if it matches, so it never walks a path.
_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,99}")


@dataclass(frozen=True)
class Release:
    path: Path
    manifest: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.manifest["release"])

    @property
    def store_path(self) -> Path:
        return self.path / "store"

    @property
    def dumps_dir(self) -> Path:
        return self.path / "dumps"

    @property
    def void_path(self) -> Path:
        return self.path / "void.ttl"

    @property
    def report_path(self) -> Path:
        return self.path / "validation-report.ttl"

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        """Published files by path relative to the release: size, sha256, media type."""
        return dict(self.manifest["files"])

    def open_store(self) -> ox.Store:
        """Open the store read-only; several processes may do so at once."""
        try:
            return ox.Store.read_only(str(self.store_path))
        except OSError as exc:
            detail = " ".join(str(exc).split())[:200]
            raise NoRelease(
                f"{self.path} is not a complete release (its store cannot be opened: "
                f"{detail}); run `kg build`"
            ) from exc

    def file(self, name: str) -> Path:
        """A file of the release, such as ``dumps/negotiations-kg.ttl``; NoRelease if it
        is missing."""
        path = self.path / name
        if not path.is_file():
            raise NoRelease(f"{self.path} is not a complete release ({name} is missing); "
                            "run `kg build`")  # fmt: skip
        return path


def read(path: Path) -> Release:
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NoRelease(f"{path} is not a complete release ({exc}); run `kg build`") from exc
    return Release(path.resolve(), manifest)


def current(settings: Settings) -> Release:
    """The live release; NoRelease when none was built yet."""
    link = settings.current_link
    if not link.exists():
        raise NoRelease(f"no release in {settings.data_dir}: run `kg build` first")
    return read(link.resolve())


def current_id(settings: Settings) -> str | None:
    """The id of the live release, cheaply (no manifest read), or None."""
    try:
        return settings.current_link.resolve(strict=True).name
    except OSError:
        return None


def ids(settings: Settings) -> list[str]:
    """The ids of the release folders on disk, oldest first (a build's unfinished
    ``.building-*`` folder is none). The build prunes from the start of this list."""
    try:
        names = [p.name for p in settings.releases_dir.iterdir() if p.is_dir()]
    except OSError:
        return []
    return sorted((n for n in names if _ID.fullmatch(n)), key=_age)


def _age(release_id: str) -> tuple[str, int, str]:
    """Order of release ids: by time stamp, then by the number of a same-second build
    ("…Z-2" before "…Z-10")."""
    stamp, _, number = release_id.partition("-")
    return stamp, int(number) if number.isdigit() else 0, release_id


def kept(settings: Settings) -> list[Release]:
    """The complete releases on disk, newest first."""
    found = []
    for release_id in reversed(ids(settings)):
        try:
            found.append(read(settings.releases_dir / release_id))
        except NoRelease:  # being removed, or not a release: not listed
            continue
    return found


def find(settings: Settings, release_id: str) -> Release | None:
    """The kept release ``release_id``, or None: never built, pruned, or not an id."""
    if not _ID.fullmatch(release_id):
        return None
    path = settings.releases_dir / release_id
    if not path.is_dir():
        return None
    try:
        found = read(path)
    except NoRelease:
        return None
    return found if found.id == release_id else None
