"""The build cache: what a build made, kept for the next one, never trusted blindly.

It lives in ``{data_dir}/cache/`` (``KG_DATA_DIR``):

```
cache/units/<sha256>.unit      a compiled named graph: its N-Triples, its fragment of
                               each dump, its statistics (kg/units.py); named by the
                               SHA-256 of its N-Triples
cache/documents/<key>.entry    a document: what other documents need of it (its ids,
                               kinds, label fields, concepts), and its last compilation:
                               what it looked up (kg/lookups.py), where its nodes were
                               written, the SHA-256 of its unit
cache/states/<release>.entry   what a release was made of: its units, its validation
                               results, the keys they were made with
```

Every file is one JSON header line (format, key, and the offset, length and SHA-256 of
each section) followed by its sections. A file is read only if its header parses, names
the key asked for and the format of this code, and every section read has its recorded
SHA-256: a file that was truncated, corrupted, written by another version or copied
under another name is ignored (and made again by the build). Files are written under a
temporary name and renamed, so a killed build leaves only whole files behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

FORMAT = "kg-cache/1"
KINDS = ("units", "documents", "states")


class BuildCache:
    """The cache folder of one data folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, kind: str, key: str) -> Path:
        assert kind in KINDS and key and "/" not in key and not key.startswith("."), key
        return self.root / kind / f"{key}.{'unit' if kind == 'units' else 'entry'}"

    def write(self, kind: str, key: str, sections: dict[str, bytes]) -> None:
        """Store ``sections`` under ``key``, atomically."""
        path = self.path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        index: dict[str, list[Any]] = {}
        offset = 0
        for name, data in sections.items():
            index[name] = [offset, len(data), hashlib.sha256(data).hexdigest()]
            offset += len(data)
        header = json.dumps({"format": FORMAT, "key": key, "sections": index}).encode()
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            handle.write(header + b"\n")
            for data in sections.values():
                handle.write(data)
        temporary.replace(path)

    def write_json(self, kind: str, key: str, sections: dict[str, Any]) -> None:
        self.write(kind, key, {name: _json(value) for name, value in sections.items()})

    def open(self, kind: str, key: str) -> Entry | None:
        """The entry stored under ``key``, or None when there is none that can be
        trusted (see the module's docstring); its sections are read when asked for."""
        path = self.path(kind, key)
        try:
            with path.open("rb") as handle:
                line = handle.readline(1 << 20)
                header = json.loads(line)
                size = os.fstat(handle.fileno()).st_size - len(line)
            if header["format"] != FORMAT or header["key"] != key:
                return None
            sections = {str(n): (int(o), int(length), str(sha))
                        for n, (o, length, sha) in header["sections"].items()}  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if sum(length for _, length, _ in sections.values()) != size:
            return None
        return Entry(path, len(line), sections)

    def has(self, kind: str, key: str) -> bool:
        return self.path(kind, key).exists()

    def keep_only(self, kind: str, keys: Iterable[str]) -> None:
        """Delete the entries of ``kind`` other than ``keys`` (and temporary leftovers)."""
        wanted = {self.path(kind, key).name for key in keys}
        with contextlib.suppress(FileNotFoundError):
            for path in (self.root / kind).iterdir():
                if path.name not in wanted:
                    path.unlink(missing_ok=True)

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class Entry:
    """A cache file's sections, each checked against its SHA-256 when read."""

    def __init__(self, path: Path, start: int, sections: dict[str, tuple[int, int, str]]) -> None:
        self.path, self._start, self._sections = path, start, sections

    def __contains__(self, name: str) -> bool:
        return name in self._sections

    def sha256(self, name: str) -> str:
        """The SHA-256 recorded for section ``name`` (what :meth:`bytes` checks)."""
        return self._sections[name][2]

    def bytes(self, name: str) -> bytes | None:
        """Section ``name``, or None when it is missing, unreadable or does not match
        its hash."""
        if name not in self._sections:
            return None
        offset, size, sha256 = self._sections[name]
        try:
            with self.path.open("rb") as handle:
                handle.seek(self._start + offset)
                data = handle.read(size)
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == sha256 else None

    def json(self, name: str) -> Any:
        """Section ``name`` as JSON, or None (missing, damaged or not JSON)."""
        data = self.bytes(name)
        if data is None:
            return None
        try:
            return json.loads(data)
        except ValueError:
            return None


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def digest(parts: Iterable[bytes | str]) -> str:
    """A SHA-256 over ``parts``, each length-prefixed so that no two lists collide."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hasher.update(f"{len(data)}:".encode())
        hasher.update(data)
    return hasher.hexdigest()


def file_digests(paths: Iterable[Path]) -> Iterator[bytes | str]:
    """Each file's name and content, for :func:`digest`."""
    for path in paths:
        yield path.name
        yield path.read_bytes()
