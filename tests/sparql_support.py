"""Helpers for the SPARQL endpoint tests: a hand-made release over a few quads, a client
for it, and a listening socket that tells whether anything connected to it."""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pyoxigraph as ox
from fastapi.testclient import TestClient

from kg.config import Settings
from kg.server.app import create_app
from kg.server.sparql.endpoint import SparqlService
from tests.conftest import free_port, repo_settings


def make_release(data_dir: Path, quads: Iterable[ox.Quad], release_id: str) -> Path:
    """A minimal release (manifest and store) in ``data_dir``, made current."""
    path = data_dir / "releases" / release_id
    path.mkdir(parents=True)
    store = ox.Store(str(path / "store"))
    store.bulk_extend(list(quads))
    store.flush()
    del store
    (path / "manifest.json").write_text(json.dumps({"release": release_id, "files": {}}))
    link = data_dir / "current"
    tmp = data_dir / "current.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path("releases") / release_id)
    tmp.replace(link)
    return path


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
    binary = Path(sys.executable).parent / "oxigraph"
    assert binary.exists(), "install the test extras: pip install -e '.[test]' (oxigraph)"
    port = free_port()
    command = [
        str(binary),
        "serve-read-only",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        for _ in range(300):
            try:
                if httpx2.get(url, params={"query": "ASK {}"}, timeout=1.0).status_code == 200:
                    break
            except httpx2.HTTPError:
                time.sleep(0.05)
        else:
            raise RuntimeError("oxigraph serve-read-only did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
