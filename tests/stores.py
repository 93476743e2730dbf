"""Real SPARQL stores on loopback for the tests (and bench/publish_bench.py), each in a
temporary folder: Oxigraph's server (PyPI package ``oxigraph``, a test dependency) and
Virtuoso (Debian package ``virtuoso-opensource``, which ``python3 dev.py test``
installs when run as root); and releases made to be published into them, whose
readers can tell which release, and how much of each graph, they see."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pyoxigraph as ox
import pytest

from kg.remote.record import live_graphs
from tests.conftest import free_port


@dataclass(frozen=True)
class Store:
    """A running store: its endpoints and the account that may write (if it needs one)."""

    name: str
    graph_store: str
    update: str
    query: str
    user: str = ""
    password: str = ""


@contextmanager
def running(
    command: list[str], ready: Callable[[], bool], log: Path, timeout: float = 60.0
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``command`` in a session of its own; stop it and its children on exit."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent, start_new_session=True
        )
    try:
        deadline = time.monotonic() + timeout
        while not _answers(ready):
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {process.returncode}; see {log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not answer within {timeout:.0f} s")
            time.sleep(0.1)
        yield process
    finally:
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(process.pid, sig)
                process.wait(wait)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue


def _answers(ready: Callable[[], bool]) -> bool:
    try:
        return ready()
    except httpx2.HTTPError:
        return False


def _asks(url: str) -> Callable[[], bool]:
    return lambda: httpx2.get(url, params={"query": "ASK {}"}, timeout=2.0).status_code == 200


@contextmanager
def oxigraph(location: Path, read_only: bool = False) -> Iterator[Store]:
    """``oxigraph serve`` (or ``serve-read-only``) over the store at ``location``."""
    binary = Path(sys.executable).parent / "oxigraph"
    assert binary.exists(), "install the test extras: pip install -e '.[test]' (oxigraph)"
    root = f"http://127.0.0.1:{free_port()}"
    mode = "serve-read-only" if read_only else "serve"
    command = [str(binary), mode, "--location", str(location), "--bind", root[len("http://") :]]
    if not location.exists():
        location.parent.mkdir(parents=True, exist_ok=True)
        ox.Store(str(location)).flush()  # serve-read-only needs one, even empty
    with running(command, _asks(root + "/query"), location.parent / f"{location.name}.log"):
        yield Store("Oxigraph", root + "/store", root + "/update", root + "/query")


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 8

[SPARQL]
ResultSetMaxRows = 1000000
"""

# The account kg publish uses: it may run SPARQL updates (role SPARQL_UPDATE), through
# the endpoints that ask for an account (/sparql-auth, /sparql-graph-crud-auth). The
# anonymous /sparql stays read-only, as it should be.
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "kgpublish", "publish-secret"


def virtuoso_missing() -> str | None:
    """Why Virtuoso cannot run here, or None."""
    if shutil.which("virtuoso-t") and shutil.which("isql-vt"):
        return None
    return (
        "Virtuoso is not installed (Debian package virtuoso-opensource, which "
        "`python3 dev.py test` installs when it runs as root with apt-get)"
    )


@contextmanager
def virtuoso(folder: Path) -> Iterator[Store]:
    """Virtuoso with a new database in ``folder``, and an account that may update."""
    reason = virtuoso_missing()
    if reason:
        pytest.skip(reason)
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port))
    root = f"http://127.0.0.1:{http_port}"
    command = ["virtuoso-t", "-f", "-c", str(ini)]
    with running(command, _asks(root + "/sparql"), folder / "server.out", timeout=120):
        statements = (
            f"DB.DBA.USER_CREATE ('{VIRTUOSO_USER}', '{VIRTUOSO_PASSWORD}'); "
            f'GRANT SPARQL_UPDATE TO "{VIRTUOSO_USER}";'
        )
        subprocess.run(
            ["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={statements}"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield Store(
            "Virtuoso",
            root + "/sparql-graph-crud-auth",
            root + "/sparql-auth",
            root + "/sparql-auth",
            VIRTUOSO_USER,
            VIRTUOSO_PASSWORD,
        )


# --- releases whose readers can tell them apart ------------------------------------------


def make_release(
    data_dir: Path, quads: Iterable[ox.Quad], release_id: str, base_iri: str | None = None
) -> Path:
    """A minimal release (manifest and store) in ``data_dir``, made current."""
    path = data_dir / "releases" / release_id
    path.mkdir(parents=True)
    store = ox.Store(str(path / "store"))
    store.bulk_extend(list(quads))
    store.flush()
    del store
    manifest = {"release": release_id, "files": {}}
    if base_iri is not None:
        manifest["base_iri"] = base_iri
    (path / "manifest.json").write_text(json.dumps(manifest))
    link = data_dir / "current"
    tmp = data_dir / "current.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path("releases") / release_id)
    tmp.replace(link)
    return path


EX = "http://example.org/"


def marked_release(
    data_dir: Path,
    base: str,
    version: str,
    docs: range,
    extra: int = 0,
    labels: dict[int, str] | None = None,
) -> dict[str, tuple[str, int]]:
    """A release ``version`` made current in ``data_dir``: graphs ``{base}graph/d{i}``,
    each with a marker ``<graph> ex:version "A"`` (``version``, or its label in
    ``labels``: graphs of the same label and size are the same), a size of ``ex:value``
    triples, and a blank node. Returns each graph's (label, size), as
    :func:`graphs_seen` sees it."""
    quads, expected = [], {}
    for i in docs:
        graph = ox.NamedNode(f"{base}graph/d{i}")
        label = (labels or {}).get(i, version)
        size = extra + i % 7 + 3
        quads.append(ox.Quad(graph, ox.NamedNode(EX + "version"), ox.Literal(label), graph))
        for k in range(size):
            subject = ox.NamedNode(f"{base}id/thing/{i}-{k}")
            value = ox.Literal(f"{label}{k}")
            quads.append(ox.Quad(subject, ox.NamedNode(EX + "value"), value, graph))
        note = ox.BlankNode()  # blank nodes travel too
        quads.append(ox.Quad(graph, ox.NamedNode(EX + "note"), note, graph))
        quads.append(ox.Quad(note, ox.NamedNode(EX + "text"), ox.Literal(label), graph))
        expected[graph.value] = (label, size)
    make_release(data_dir, quads, version, base_iri=base)
    return expected


def graphs_seen(where: str) -> str:
    """A query for each marker a reader sees, with its version and the size of its
    graph, in the graphs that the pattern ``where`` binds to ``?graph``."""
    return (
        f"SELECT ?marker ?version (COUNT(?s) AS ?size) WHERE {{ {where} "
        f"GRAPH ?graph {{ ?marker <{EX}version> ?version . ?s <{EX}value> ?o }} }} "
        "GROUP BY ?marker ?version"
    )


def direct_reader(base: str) -> str:
    """A reader of the published names, as after a ``move``."""
    return graphs_seen(f'FILTER(STRSTARTS(STR(?graph), "{base}graph/"))')


def record_reader(base: str) -> str:
    """A reader that takes the live release's graphs from the record (any switch)."""
    return graphs_seen(live_graphs(base))


def seen(store: Store, query: str, http: httpx2.Client) -> dict[str, tuple[str, int]]:
    """What a reader sees, asking anonymously."""
    answer = http.post(
        store.query.replace("-auth", ""),
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    if answer.status_code != 200:
        raise RuntimeError(f"{store.name} answered {answer.status_code}: {answer.text[:300]}")
    if "x-sql-state" in answer.headers:  # Virtuoso's "anytime" answer: partial, not wrong
        raise RuntimeError(f"{store.name} answered in part: {answer.headers['x-sql-state']}")
    rows = answer.json()["results"]["bindings"]
    return {r["marker"]["value"]: (r["version"]["value"], int(r["size"]["value"])) for r in rows}


class Reader(threading.Thread):
    """Asks ``query`` again and again until stopped, keeping every answer and when it
    was asked and answered."""

    def __init__(self, store: Store, query: str) -> None:
        super().__init__(daemon=True)
        self.store, self.query = store, query
        self.answers: list[dict[str, tuple[str, int]]] = []
        self.times: list[tuple[float, float]] = []
        self.halt = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with httpx2.Client(timeout=120) as http:
                while not self.halt.is_set():
                    asked = time.monotonic()
                    self.answers.append(seen(self.store, self.query, http))
                    self.times.append((asked, time.monotonic()))
        except BaseException as error:
            self.error = error

    def wait_for_an_answer(self) -> None:
        while not self.answers and self.error is None and self.is_alive():
            time.sleep(0.01)

    def finish(self, after: float, timeout: float = 180.0) -> list[dict[str, tuple[str, int]]]:
        """Stop once an answer asked after ``after`` (a ``time.monotonic()``) has come,
        and return every answer: the last one then says what the store held at ``after``
        (an answer asked before it may come later, from a snapshot taken before it)."""
        deadline = time.monotonic() + timeout
        while not any(asked > after for asked, _ in self.times):
            if self.error is not None or not self.is_alive() or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        self.halt.set()
        self.join(180)
        if self.error is not None:
            raise RuntimeError(f"the reader failed: {self.error}") from self.error
        return self.answers

    def during(self, started: float, ended: float) -> int:
        """How many answers were asked for before ``ended`` and came after ``started``."""
        return sum(asked < ended and back > started for asked, back in self.times)
