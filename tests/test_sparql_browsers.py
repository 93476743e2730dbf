"""A browser at /sparql gets the query UI with its query; programs keep getting results
(kg/server/sparql/browsers.py). The same for the VoID: a page, not a file to download."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from fastapi.testclient import TestClient
from SPARQLWrapper import SPARQLWrapper

from kg.config import Settings
from kg.queries import load_queries, with_prefixes
from kg.server.sparql.browsers import BROWSER

QUERY = "SELECT ?r WHERE { ?r a nkg:NegotiationRound }"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept", [BROWSER, FIREFOX, "text/html"])
def test_a_browser_asking_for_a_query_gets_the_query_ui_with_it(
    client: TestClient, accept: str
) -> None:
    response = client.get(
        "/sparql", params={"query": QUERY}, headers={"Accept": accept}, follow_redirects=False
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location == "query?" + urllib.parse.urlencode({"query": QUERY})
    assert "Accept" in response.headers["vary"]
    page = client.get("/" + location, headers={"Accept": accept})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


def test_a_browser_without_a_query_gets_the_query_ui(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": BROWSER}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "query"
    slash = client.get("/sparql/", headers={"Accept": BROWSER}, follow_redirects=False)
    assert slash.headers["location"] == "../query"


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",
        "application/sparql-results+json",
        # SPARQLWrapper's Accept for a SELECT in JSON
        "application/sparql-results+json,application/json,text/javascript,application/javascript",
        "text/csv, text/html;q=0.5",
    ],
)
def test_programs_keep_getting_results(client: TestClient, accept: str | None) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/sparql", params={"query": QUERY}, headers=headers)
    assert response.status_code == 200
    assert not response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "extra",
    [
        {"format": "csv"},
        {"default-graph-uri": "https://w3id.org/negotiations-kg/graph/registry"},
    ],
)
def test_a_format_or_dataset_parameter_keeps_the_protocol_answer(
    client: TestClient, extra: dict[str, str]
) -> None:
    response = client.get("/sparql", params={"query": QUERY, **extra}, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert not response.headers["content-type"].startswith("text/html")


def test_a_form_post_from_a_browser_is_answered_with_results(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": QUERY}, headers={"Accept": BROWSER})
    assert response.status_code == 200


def test_the_void_sends_a_browser_to_the_dataset_page(client: TestClient) -> None:
    response = client.get("/.well-known/void", headers={"Accept": BROWSER}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "../page/dataset"
    page = client.get("/page/dataset", headers={"Accept": BROWSER})
    assert page.status_code == 200 and "Negotiations knowledge graph" in page.text
    assert client.get("/.well-known/void").headers["content-type"].startswith("text/turtle")


def test_sparqlwrapper_reads_every_competency_query_as_what_it_is(
    built_settings: Settings,
) -> None:
    """SPARQLWrapper guesses the query form from its text, comments included: the word
    "asked" in a comment once made it send a SELECT as an ASK."""
    for query in load_queries(built_settings.queries_dir):
        wrapper = SPARQLWrapper("http://127.0.0.1/sparql")
        wrapper.setQuery(with_prefixes(query.text, built_settings.ns.prefixes()))
        code = "\n".join(line.partition("#")[0] for line in query.text.splitlines())
        form = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", code, re.IGNORECASE)
        assert form is not None, query.name
        assert wrapper.queryType == form.group(1).upper(), query.name
