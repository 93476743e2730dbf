"""Federated queries with Wikidata (issue 4): a real `kg serve` process joins the graph
with a second, real SPARQL server on loopback (Oxigraph's, over a small Wikidata-shaped
graph) put on the allow-list in place of https://query.wikidata.org/sparql; an endpoint
not on the list is refused before any connection is made."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from kg.config import Settings
from kg.queries import find_query
from tests.conftest import ServerProcess
from tests.sparql_support import Listener, oxigraph_server

WIKIDATA = "https://query.wikidata.org/sparql"
FIXTURE = Path(__file__).parent / "data" / "wikidata" / "endpoint.ttl"


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with oxigraph_server(tmp_path_factory.mktemp("wikidata"), FIXTURE.read_text()) as url:
        yield url


@pytest.fixture(scope="module")
def federating_server(built_settings: Settings, stand_in: str) -> Iterator[ServerProcess]:
    server = ServerProcess(built_settings.with_(service_allowlist=stand_in))
    yield server
    server.stop()


def ask(server: ServerProcess, query: str) -> httpx2.Response:
    return httpx2.post(
        f"{server.url}/sparql",
        content=query.encode(),
        timeout=30.0,
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )


def rows(response: httpx2.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    bindings = json.loads(response.content)["results"]["bindings"]
    return [{k: v["value"] for k, v in b.items()} for b in bindings]


def example(settings: Settings, name: str, endpoint: str) -> str:
    text = find_query(settings.queries_dir, name).text
    assert WIKIDATA in text
    return text.replace(WIKIDATA, endpoint)


def test_descriptions_of_the_participants_come_from_the_allow_listed_endpoint(
    built_settings: Settings, federating_server: ServerProcess, stand_in: str
) -> None:
    found = {
        r["participant"]: r
        for r in rows(ask(federating_server, example(built_settings, "13", stand_in)))
    }
    assert set(found) == {"United States", "Iran", "Oman", "Rafael Grossi"}
    assert found["Rafael Grossi"]["description"] == "Argentine diplomat (test fixture)"
    assert "consulted party" in found["Rafael Grossi"]["roles"]
    assert found["Oman"]["roles"] == "mediator"


def test_countries_of_mediators_and_round_cities(
    built_settings: Settings, federating_server: ServerProcess, stand_in: str
) -> None:
    found = {
        (r["what"], r["name"], r["country"])
        for r in rows(ask(federating_server, example(built_settings, "14", stand_in)))
    }
    assert found == {
        ("city of a round", "Geneva", "Switzerland"),
        ("city of a round", "Muscat", "Oman"),
        ("mediator", "Oman", "Oman"),
    }


def test_wikidata_itself_is_refused_when_not_allowed(
    built_settings: Settings, federating_server: ServerProcess
) -> None:
    response = ask(federating_server, find_query(built_settings.queries_dir, "13").text)
    assert response.status_code == 400
    assert "not on the allow-list" in response.text


def test_a_refused_service_makes_no_connection(federating_server: ServerProcess) -> None:
    listener = Listener()
    try:
        response = ask(federating_server, f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}")
        assert response.status_code == 400
        assert not listener.connected()
    finally:
        listener.close()


def test_kg_query_runs_an_allowed_federated_query_and_refuses_wikidata_otherwise(
    built_settings: Settings,
    stand_in: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`kg query -e 13` once ended in a traceback (OSError: failed to lookup address
    information): the command now checks SERVICE as the endpoint does."""
    from kg.cli import main

    base = ["--data-dir", str(built_settings.data_dir), "query"]
    assert main([*base, "-e", "13"]) == 7
    err = capsys.readouterr().err
    assert "not on the allow-list" in err and err.count("\n") == 1
    monkeypatch.setenv("KG_SERVICE_ALLOWLIST", stand_in)
    assert main([*base, "--format", "csv", example(built_settings, "13", stand_in)]) == 0
    out = capsys.readouterr().out
    assert "Rafael Grossi" in out and "Argentine diplomat (test fixture)" in out
