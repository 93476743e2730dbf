"""`kg serve` as processes: several HTTP workers (one per CPU by default), and the
access log, off unless KG_ACCESS_LOG is set."""

from __future__ import annotations

from pathlib import Path

import httpx2

from kg.config import Settings
from tests.conftest import ServerProcess

ASK = {"query": "ASK { ?s ?p ?o }"}
JSON = {"Accept": "application/sparql-results+json"}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_two_http_workers_both_serve_and_requests_are_not_logged(
    built_settings: Settings,
) -> None:
    server = ServerProcess(built_settings.with_(workers=2))
    try:
        for _ in range(10):
            response = httpx2.get(server.url + "/sparql", params=ASK, headers=JSON, timeout=10)
            assert response.status_code == 200
            assert response.json()["boolean"] is True
        assert len(_children(server.process.pid)) >= 2  # uvicorn's supervisor and its workers
    finally:
        output = server.stop()
    assert "GET /sparql" not in output


def test_the_access_log_when_asked_for(built_settings: Settings) -> None:
    server = ServerProcess(built_settings.with_(access_log=True))
    try:
        assert httpx2.get(server.url + "/sparql", params=ASK, headers=JSON).status_code == 200
    finally:
        output = server.stop()
    assert "GET /sparql?query=" in output
