"""Helpers for the SPARQL endpoint tests: a hand-made release over a few quads, a client
for it, and a listening socket that tells whether anything connected to it."""

from __future__ import annotations

import select
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pyoxigraph as ox
from fastapi.testclient import TestClient

from kg.config import Settings
from kg.server.app import create_app
from kg.server.sparql.endpoint import SparqlService
from tests import stores
from tests.conftest import repo_settings
from tests.stores import make_release as make_release


def small_settings(tmp_path: Path, quads: Iterable[ox.Quad], **changes: object) -> Settings:
    settings = repo_settings(tmp_path / "var", **changes)
    make_release(settings.data_dir, quads, "r1")
    return settings


def service_of(client: TestClient) -> SparqlService:
    """The SPARQL service of the app behind ``client`` (workers, cache, counters)."""
    found = client.app.state.sparql  # type: ignore[attr-defined]
    assert isinstance(found, SparqlService)
    return found


@contextmanager
def app_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client


class Listener:
    """A TCP socket on loopback that accepts nothing; ``connected()`` says whether a
    connection attempt arrived (it waits in the backlog)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}/sparql"

    def connected(self) -> bool:
        readable, _, _ = select.select([self.sock], [], [], 0.2)
        return bool(readable)

    def close(self) -> None:
        self.sock.close()


def quad(s: str, p: str, o: ox.NamedNode | ox.Literal, g: str | None = None) -> ox.Quad:
    graph = ox.NamedNode(g) if g else ox.DefaultGraph()
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, graph)


@contextmanager
def oxigraph_server(folder: Path, turtle: str) -> Iterator[str]:
    """A real `oxigraph serve-read-only` (PyPI package oxigraph) on loopback over
    ``turtle``; yields its query endpoint URL."""
    location = folder / "store"
    store = ox.Store(str(location))
    store.load(turtle.encode(), format=ox.RdfFormat.TURTLE)
    store.flush()
    del store
    with stores.oxigraph(location, read_only=True) as server:
        yield server.query


def open_files(pid: int, folder: Path) -> list[str]:
    """The files under ``folder`` (deleted ones too) that process ``pid`` holds open
    (none once it has ended). Reads Linux's /proc."""
    found = []
    with suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with suppress(OSError):
                target = str(fd.readlink())
                if target.startswith(str(folder)):
                    found.append(target)
    return found
