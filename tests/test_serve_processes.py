"""`kg serve` as processes: several HTTP workers (one per CPU by default), and the
access log, off unless KG_ACCESS_LOG is set."""

from __future__ import annotations

import httpx2

from bench.memory import process_tree
from kg.config import Settings
from tests.conftest import ServerProcess

ASK = {"query": "ASK { ?s ?p ?o }"}
JSON = {"Accept": "application/sparql-results+json"}


def test_two_http_workers_both_serve_and_requests_are_not_logged(
    built_settings: Settings,
) -> None:
    server = ServerProcess(built_settings.with_(workers=2))
    try:
        for _ in range(10):
            response = httpx2.get(server.url + "/sparql", params=ASK, headers=JSON, timeout=10)
            assert response.status_code == 200
            assert response.json()["boolean"] is True
        # kg serve, uvicorn's supervisor of the workers, the two workers
        assert len(process_tree(server.process.pid)) >= 3
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


def test_forwarded_addresses_are_believed_only_from_trusted_proxies(
    built_settings: Settings,
) -> None:
    """Any client could once set X-Forwarded-For and appear in the log as someone else."""
    forwarded = {"X-Forwarded-For": "203.0.113.9", **JSON}
    for trusted, shown in (("127.0.0.1", "203.0.113.9"), ("192.0.2.1", "127.0.0.1")):
        server = ServerProcess(built_settings.with_(access_log=True, trusted_proxies=trusted))
        try:
            response = httpx2.get(server.url + "/sparql", params=ASK, headers=forwarded)
            assert response.status_code == 200
        finally:
            output = server.stop()
        line = next(x for x in output.splitlines() if "GET /sparql?query=" in x)
        assert shown in line, (trusted, line)
