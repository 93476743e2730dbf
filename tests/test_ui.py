"""The query UI at /query, in-process: the page with and without YASGUI installed, its
files, and its settings (endpoint, prefixes, one example tab per competency query)."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kg.config import Settings
from kg.queries import load_queries, with_prefixes
from kg.server import ui
from kg.server.app import create_app
from kg.server.stack import SECURITY_HEADERS


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """YASGUI "installed" in a folder of the test's own."""
    build = tmp_path / ui.YASGUI_BUILD
    build.mkdir(parents=True)
    (build / "yasgui.min.js").write_text("/* yasgui */ window.Yasgui = function () {};\n")
    (build / "yasgui.min.css").write_text(".yasgui {}\n")
    monkeypatch.setattr(ui, "SEARCH_PATHS", (tmp_path,))
    return build


@pytest.fixture
def missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No node_modules anywhere the server looks."""
    monkeypatch.setattr(ui, "SEARCH_PATHS", (tmp_path,))


def scripts(page: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", page)


def test_query_page_loads_yasgui_from_this_server(client: TestClient, installed: Path) -> None:
    response = client.get("/query")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert 'src="./query/yasgui/yasgui.min.js"' in page and 'src="./query/ui.js"' in page
    assert 'href="./query/yasgui/yasgui.min.css"' in page
    # The site's header, styles and search box, as on every page.
    assert '<header class="site">' in page and 'href="./static/pages.css"' in page
    assert 'name="search"' in page
    assert all(" src=" in tag for tag in scripts(page)), "inline scripts break the CSP"
    assert "//" not in " ".join(re.findall(r'(?:src|href)="([^"]*)"', page)), "no CDN"
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    assert response.headers["content-security-policy"] == csp


def test_yasgui_files_are_served_from_node_modules(client: TestClient, installed: Path) -> None:
    script = client.get("/query/yasgui/yasgui.min.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.content == (installed / "yasgui.min.js").read_bytes()
    assert script.headers["etag"]
    style = client.get("/query/yasgui/yasgui.min.css")
    assert style.headers["content-type"].startswith("text/css")
    again = client.get(
        "/query/yasgui/yasgui.min.css", headers={"If-None-Match": style.headers["etag"]}
    )
    assert again.status_code == 304


def test_only_yasguis_own_files_are_served(client: TestClient, installed: Path) -> None:
    (installed / "secret.txt").write_text("no")
    for name in ("secret.txt", "..%2F..%2Fpackage.json", "yasgui.esm.js"):
        assert client.get(f"/query/yasgui/{name}").status_code == 404, name


def test_without_node_modules_the_page_says_how_to_install_yasgui(
    client: TestClient, missing: None, built_settings: Settings
) -> None:
    response = client.get("/query")
    assert response.status_code == 200
    page = response.text
    assert "npm ci" in page and "python3 dev.py up" in page
    assert not [tag for tag in scripts(page) if "yasgui" in tag or "ui.js" in tag]
    assert '<form method="post" action="./sparql">' in page
    for query in load_queries(built_settings.queries_dir):
        assert query.title.replace("'", "&#39;") in page
    script = client.get("/query/yasgui/yasgui.min.js")
    assert script.status_code == 404 and "npm ci" in script.text


def test_the_rest_of_the_server_works_without_node_modules(
    client: TestClient, missing: None
) -> None:
    assert client.get("/dumps/").status_code == 200
    assert client.get("/query/config.json").status_code == 200


def test_example_tabs_that_need_the_server_set_up_say_so(
    client: TestClient, built_settings: Settings
) -> None:
    """SERVICE is off by default (queries 13 and 14), and the fixture corpus has no
    Wikidata cache (query 15): those tabs say what to switch on; the others need nothing."""
    tabs = {t["title"]: t for t in client.get("/query/config.json").json()["tabs"]}
    needing = {title for title, tab in tabs.items() if tab["needs"]}
    assert len(needing) == 3, needing
    for title in needing:
        assert tabs[title]["name"].endswith(" ⚠")
    services = [t for t in tabs.values() if "SERVICE <" in t["query"]]
    assert len(services) == 2
    for tab in services:
        assert "KG_SERVICE_ALLOWLIST=https://query.wikidata.org/sparql" in tab["needs"]
    allowed = built_settings.with_(service_allowlist="https://query.wikidata.org/sparql")
    with TestClient(create_app(allowed)) as other:
        tabs = other.get("/query/config.json").json()["tabs"]
        assert [t["name"] for t in tabs if t["needs"]] == ["15. Names in other languages ⚠"]
        assert "kg link --fetch" in tabs[14]["needs"]


def test_config_names_the_endpoint_and_the_prefixes(
    client: TestClient, built_settings: Settings
) -> None:
    config = client.get("/query/config.json").json()
    assert config["endpoint"] == "sparql"  # relative to /query: this server's /sparql
    assert config["base"] == built_settings.base_iri
    assert config["prefixes"] == built_settings.ns.prefixes()
    assert config["persistenceId"].startswith("nkg-query-")
    assert client.get("/" + config["prefixesUrl"]).json() == built_settings.ns.prefixes()


def test_example_tabs_carry_the_competency_queries(
    client: TestClient, built_settings: Settings
) -> None:
    tabs = client.get("/query/config.json").json()["tabs"]
    queries = load_queries(built_settings.queries_dir)
    assert len(tabs) == len(queries) == 22
    prefixes = built_settings.ns.prefixes()
    for tab, query in zip(tabs, queries, strict=True):
        assert tab["title"] == query.title
        assert tab["query"] == with_prefixes(query.text, prefixes)
        assert tab["query"].endswith(query.text)
    assert tabs[0]["name"] == "1. Rounds"
    assert tabs[3]["name"] == "4. Other participants"


def test_tab_queries_declare_every_prefix_they_use(client: TestClient) -> None:
    """Each tab runs as it stands in any SPARQL engine: no predefined prefixes."""
    empty = ox.Store()
    for tab in client.get("/query/config.json").json()["tabs"]:
        empty.query(tab["query"])  # raises SyntaxError on an undeclared prefix


def test_with_prefixes_declares_prefixes_in_property_paths() -> None:
    """Broke: prefixes after '/', '^' or '|' in a property path were not declared, so the
    first example tab (``nkg:status/skos:prefLabel``) did not parse in YASGUI."""
    prefixes = {
        "nkg": "https://example.org/o#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "oa": "http://www.w3.org/ns/oa#",
        "dcterms": "http://purl.org/dc/terms/",
        "owl": "http://www.w3.org/2002/07/owl#",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    }
    text = (
        "SELECT * { ?a nkg:status/skos:prefLabel ?b ; ^dcterms:p|oa:q ?c .\n"
        '  ?c <http://example.org/x#owl:y> "rdf:z" # foaf:name\n}'
    )
    declared = re.findall(r"^PREFIX (\w+):", with_prefixes(text, prefixes), re.MULTILINE)
    assert declared == ["dcterms", "nkg", "oa", "skos"]


def test_query_page_assets(client: TestClient) -> None:
    script = client.get("/query/ui.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "new Yasgui(" in script.text
    assert client.get("/query/ui.css").headers["content-type"].startswith("text/css")
    assert client.get("/query/query.html").status_code == 404
    redirect = client.get("/query/", follow_redirects=False)
    assert redirect.status_code == 308 and redirect.headers["location"] == "../query"


def test_a_query_with_parameters_gets_a_form_in_the_config(client: TestClient) -> None:
    tabs = {t["example"]: t for t in client.get("/query/config.json").json()["tabs"]}
    assert [p["name"] for p in tabs["12-provenance"]["parameters"]] == ["fact"]
    assert "fact to trace" in tabs["12-provenance"]["parameters"][0]["help"]
    assert tabs["01-rounds"]["parameters"] == []


def test_an_example_alone_opens_the_ui_on_its_tab(client: TestClient) -> None:
    """The home page links each competency query as /query?example=NAME: the UI's page,
    which tells its script which example tab to select (by number or by name)."""
    for name in ("05-quotations", "5"):
        response = client.get("/query", params={"example": name})
        assert response.status_code == 200
        assert 'data-example="05-quotations"' in response.text
    assert "data-example" not in client.get("/query").text


def test_an_example_with_its_parameter_opens_bound_in_a_tab(client: TestClient) -> None:
    """The form asks /query?example=12&fact=…; the answer sends the browser on to
    /query?query=… (which opens a tab and runs it) with the fact bound as one IRI."""
    response = client.get(
        "/query",
        params={"example": "12", "fact": "commitment:iran-detailed-proposals"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    location = urllib.parse.urlsplit(response.headers["location"])
    assert location.path == "query"  # relative: a proxy's path prefix is kept
    [text] = urllib.parse.parse_qs(location.query)["query"]
    fact = "https://w3id.org/negotiations-kg/id/commitment/iran-detailed-proposals"
    assert text.endswith(f"\nVALUES ?fact {{ <{fact}> }}\n")
    assert "PREFIX oa: <http://www.w3.org/ns/oa#>" in text
    rows = client.get("/sparql", params={"query": text}).json()["results"]["bindings"]
    assert len(rows) == 2 and {r["fact"]["value"] for r in rows} == {fact}


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"example": "12", "limit": "5"}, "no parameter 'limit'"),
        ({"example": "12", "fact": "<https://example.org/a> } ?s ?p ?o {"}, "is not an IRI"),
        ({"example": "12", "fact": "round:x", "limit": "5"}, "no parameter 'limit'"),
        ({"example": "99"}, "no query named '99'"),
    ],
)
def test_a_bad_parameter_is_a_400_of_one_line(
    client: TestClient, params: dict[str, str], says: str
) -> None:
    response = client.get("/query", params=params, follow_redirects=False)
    assert response.status_code == 400
    assert says in response.text and response.text.count("\n") <= 1
