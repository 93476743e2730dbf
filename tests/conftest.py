"""Shared fixtures: settings over the fixture corpus (``tests/corpus``), corpora a test
writes itself, a release built once per test session, an in-process client, and a real
``kg serve`` process for the few tests that need one.

The tests own their data: ``tests/corpus`` is laid out like ``seeds/`` and is what tests
assert exact answers on. ``seeds/`` is the publisher's data; only
``tests/test_seeds_invariants.py`` reads it, with checks that hold for any valid data.
The fixture corpus grows: a test about one article selects that article's document,
process or rounds rather than counting everything."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient

from kg import pipeline, yamlfile
from kg.config import Settings
from kg.progress import Steps
from kg.release import Release

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
GENEVA = "2026-02-17-us-iran-geneva-round-2"  # the Geneva article of the fixture corpus


def repo_settings(data_dir: Path, **changes: object) -> Settings:
    """Settings reading the fixture corpus and the repository's ontology, shapes and
    queries (``seeds_dir=`` another folder to read another corpus)."""
    return Settings(
        seeds_dir=CORPUS,
        ontology_dir=ROOT / "ontology",
        shapes_dir=ROOT / "shapes",
        queries_dir=ROOT / "queries",
        data_dir=data_dir,
        workers=1,  # one server process: tests that signal it reach the one that serves
    ).with_(**changes)


class Corpus:
    """A seeds folder written by a test: a copy of a corpus (the fixture corpus by
    default) or an empty one, to which it adds documents, entities and verified ids."""

    def __init__(self, root: Path, start: Path | None = CORPUS) -> None:
        self.root = root
        if start is not None:
            shutil.copytree(start, root)
        else:
            (root / "documents").mkdir(parents=True)
            (root / "registry.yaml").write_text("entities:\n", encoding="utf-8")
            (root / "wikidata-verified.tsv").write_text("label\tqid\tnote\n", encoding="utf-8")

    @property
    def documents(self) -> Path:
        return self.root / "documents"

    def add_document(self, name: str, text: str, annotations: str) -> None:
        """``documents/{name}.txt`` and its annotation file ``{name}.yaml``."""
        (self.documents / f"{name}.txt").write_text(text, encoding="utf-8")
        (self.documents / f"{name}.yaml").write_text(annotations, encoding="utf-8")

    def keep_only(self, *names: str) -> None:
        """Remove every document (text and annotations) but ``names``."""
        for path in self.documents.iterdir():
            if path.stem not in names:
                path.unlink()

    def add_entities(self, items: str) -> None:
        """Add registry entities, written as a YAML block sequence at column 0
        (``- id: …``), to the start of the registry's ``entities`` list."""
        add_entities(self.root / "registry.yaml", items)

    def verify(self, qid: str, label: str, note: str = "checked by a test") -> None:
        with (self.root / "wikidata-verified.tsv").open("a", encoding="utf-8") as handle:
            handle.write(f"{label}\t{qid}\t{note}\n")

    def settings(self, data_dir: Path | None = None, **changes: object) -> Settings:
        """Settings reading this corpus; releases go beside it unless ``data_dir``."""
        return repo_settings(data_dir or self.root.parent / "var", seeds_dir=self.root, **changes)

    def build(self, **changes: object) -> tuple[Settings, Release]:
        """Build a release of this corpus, beside it."""
        settings = self.settings(None, **changes)
        return settings, pipeline.build(settings, Steps(quiet=True))


def add_entities(registry: Path, items: str) -> None:
    """Insert ``items`` (YAML block-sequence entries at column 0) before the first entry
    of the ``entities`` list of ``registry``, at that entry's indentation."""
    root = yamlfile.load(registry)
    entities = root.get("entities") if isinstance(root, yamlfile.Mapping) else None
    lines = registry.read_text(encoding="utf-8").splitlines(keepends=True)
    if isinstance(entities, yamlfile.Sequence) and entities.items:
        at = entities.items[0].line - 1
        while not lines[at].lstrip().startswith("-"):  # the item's own line holds its dash
            at -= 1
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    else:  # an empty list: ``entities:`` must be the file's last key
        at, indent = len(lines), "  "
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
    block = textwrap.indent(textwrap.dedent(items).strip("\n") + "\n\n", indent)
    lines.insert(at, block.replace(f"{indent}\n", "\n"))
    registry.write_text("".join(lines), encoding="utf-8")


@pytest.fixture
def make_corpus(tmp_path: Path) -> Callable[..., Corpus]:
    """Write a corpus under the test's temporary folder: ``make_corpus()`` copies the
    fixture corpus, ``make_corpus(start=None)`` starts empty, ``name=`` names the folder."""

    def make(name: str = "seeds", start: Path | None = CORPUS) -> Corpus:
        return Corpus(tmp_path / name, start)

    return make


@pytest.fixture
def seed_copy(make_corpus: Callable[..., Corpus], tmp_path: Path) -> Settings:
    """Settings over a private copy of the fixture corpus, free to break."""
    return make_corpus().settings(tmp_path / "var")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Release]:
    """The fixture corpus built once into a session-wide data folder. Read it, never
    change it."""
    settings = repo_settings(tmp_path_factory.mktemp("built") / "var")
    return settings, pipeline.build(settings, Steps(quiet=True))


@pytest.fixture(scope="session")
def built_settings(built: tuple[Settings, Release]) -> Settings:
    return built[0]


@pytest.fixture
def client(built_settings: Settings) -> Iterator[TestClient]:
    """The app in-process over the session's release."""
    from kg.server.app import create_app

    with TestClient(create_app(built_settings), base_url="http://testserver") as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """A real ``kg serve`` process on a free port."""

    def __init__(self, settings: Settings, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | settings.to_env() | {"KG_PORT": str(self.port)}
        # Output goes to a file: a pipe nobody reads fills up and blocks the server.
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", *args],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._wait_until_ready()

    def _wait_until_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.output()
                raise RuntimeError(f"kg serve exited with {self.process.returncode}:\n{output}")
            try:
                httpx2.get(self.url + "/sparql", timeout=1.0)
                return
            except httpx2.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("kg serve did not answer within 30 s")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> str:
        """Stop the server; return what it printed."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        output = self.output()
        self.log.close()
        return output


@pytest.fixture(scope="session")
def live_server(built_settings: Settings) -> Iterator[ServerProcess]:
    """One real server over the session's release, shared by the server tests."""
    server = ServerProcess(built_settings)
    yield server
    server.stop()
