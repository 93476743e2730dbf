"""Shared fixtures: settings over the repository's seeds, a release built once per test
session, an in-process client, and a real ``kg serve`` process for the few tests that
need one."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient

from kg import pipeline
from kg.config import Settings
from kg.progress import Steps
from kg.release import Release

ROOT = Path(__file__).resolve().parent.parent


def repo_settings(data_dir: Path, **changes: object) -> Settings:
    """Settings reading the repository's seeds, ontology, shapes and queries."""
    return Settings(
        seeds_dir=ROOT / "seeds",
        ontology_dir=ROOT / "ontology",
        shapes_dir=ROOT / "shapes",
        queries_dir=ROOT / "queries",
        data_dir=data_dir,
        workers=1,  # one server process: tests that signal it reach the one that serves
    ).with_(**changes)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Settings:
    """Settings over a private copy of the seeds, free to break."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return repo_settings(tmp_path / "var", seeds_dir=tmp_path / "seeds")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Release]:
    """The seed built once into a session-wide data folder. Read it, never change it."""
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
