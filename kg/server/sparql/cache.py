"""The result cache: identical requests on the same release are answered from memory.

A release is immutable, so the response to the same request (query, dataset, the
headers that negotiate it) stays right until the next release; :meth:`ResultCache.clear`
runs when :class:`~kg.server.live.LiveRelease` reports one. Bounded in bytes
(``KG_CACHE_BYTES``; 0 turns it off), least recently used entries go first, and an
entry larger than a quarter of the cache is not kept. The lean path
(:mod:`kg.server.sparql.lean`) keeps here each response as it was sent.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field

OVERHEAD = 256  # bytes counted per entry besides its body


@dataclass(frozen=True)
class Cached:
    body: bytes
    headers: dict[str, str]
    media_type: str
    raw: list[tuple[bytes, bytes]] = field(default_factory=list)  # the headers as sent
    etag: bytes = b""


@dataclass
class ResultCache:
    capacity: int  # bytes
    size: int = 0
    hits: int = 0
    misses: int = 0
    _entries: OrderedDict[Hashable, tuple[Cached, int]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: Hashable) -> Cached | None:
        if self.capacity <= 0:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, value: Cached, weight: int = 0) -> None:
        """Keep ``value``; ``weight`` adds the bytes of the key (the query text)."""
        cost = len(value.body) + weight + OVERHEAD
        if cost > self.capacity // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._entries[key] = (value, cost)
            self.size += cost
            while self.size > self.capacity:
                _, (_, freed) = self._entries.popitem(last=False)
                self.size -= freed

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._entries)
