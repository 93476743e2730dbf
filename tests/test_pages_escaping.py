"""Pages over a release built from an altered copy of the fixture corpus: literals that
hold markup, an IRI with a ``javascript:`` scheme, and a base IRI of another host with a
path (``KG_BASE_IRI=https://example.org/kg/``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kg import pipeline
from kg.config import Settings
from kg.progress import Steps
from kg.server.pages.terms import lexical
from tests.conftest import GENEVA, Corpus

BASE = "https://example.org/kg/"
ARTICLE = GENEVA
LABEL = "Iran <script>alert('label')</script>"
NOTE = '<img src=x onerror=alert(2)> & The 2026-02-17 article uses "Tehran"'
TEXT_TAIL = "\n<b>bold</b> & <script>alert(3)</script>\n"


def _alter(seeds: Path) -> None:
    registry = seeds / "registry.yaml"
    text = registry.read_text(encoding="utf-8")
    text = text.replace("    label: Iran\n", f"    label: {LABEL}\n", 1)
    text = text.replace('    note: The 2026-02-17 article uses "Tehran"', f"    note: {NOTE}", 1)
    registry.write_text(text, encoding="utf-8")
    article = seeds / "documents" / f"{ARTICLE}.txt"
    article.write_text(article.read_text(encoding="utf-8") + TEXT_TAIL, encoding="utf-8")
    annotations = seeds / "documents" / f"{ARTICLE}.yaml"
    text = annotations.read_text(encoding="utf-8")
    annotations.write_text(text.replace("  url: unknown\n", "  url: javascript:alert(4)\n", 1))


@pytest.fixture(scope="module")
def odd_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    corpus = Corpus(tmp_path_factory.mktemp("odd") / "seeds")
    _alter(corpus.root)
    settings = corpus.settings()
    # The base IRI as a deployment sets it: through the environment.
    folders = ("seeds_dir", "ontology_dir", "shapes_dir", "queries_dir", "data_dir")
    settings = Settings.from_env(
        {"KG_BASE_IRI": BASE}, **{name: getattr(settings, name) for name in folders}
    )
    assert settings.base_iri == BASE
    pipeline.build(settings, Steps(quiet=True))
    return settings


@pytest.fixture
def odd(odd_settings: Settings) -> Iterator[TestClient]:
    from kg.server.app import create_app

    with TestClient(create_app(odd_settings), base_url="http://localhost:8000") as client:
        yield client


def test_the_altered_release_holds_the_markup(odd_settings: Settings) -> None:
    store = ox.Store.read_only(str(odd_settings.current_link / "store"))
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    iran = ox.NamedNode(f"{BASE}id/state/iran")
    assert [lexical(q.object) for q in store.quads_for_pattern(iran, label, None)] == [LABEL]


@pytest.mark.parametrize(
    "path",
    [
        "/page/state/iran",
        f"/page/source/{ARTICLE}",
        "/page/participation/iran-negotiating-party",  # links to Iran by its label
        "/page/position/iran-demands-sanctions-lifting",
        "/",
        "/page/state/irann",  # 404 suggestions
    ],
)
def test_every_literal_is_escaped(odd: TestClient, path: str) -> None:
    page = odd.get(path).text
    # The only script tag is the page's own suggestions script, not a literal's.
    own = re.compile(r'<script src="(\./|\.\./)+static/search\.js" defer></script>')
    assert "<script" not in own.sub("", page).lower()
    assert "<img" not in page.lower()
    assert "<b>" not in page


def test_markup_shows_as_text(odd: TestClient) -> None:
    page = odd.get("/page/state/iran").text
    assert "<h1>Iran &lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt;</h1>" in page
    assert "&lt;img src=x onerror=alert(2)&gt; &amp; The 2026-02-17 article" in page
    source = odd.get(f"/page/source/{ARTICLE}").text
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(3)&lt;/script&gt;" in source


def test_an_iri_that_is_not_http_is_never_a_link(odd: TestClient) -> None:
    page = odd.get(f"/page/source/{ARTICLE}").text
    assert "javascript:alert(4)" in page  # shown...
    assert 'href="javascript:' not in page  # ...but never as a link


def test_iris_use_the_configured_base(odd: TestClient) -> None:
    response = odd.get("/id/state/iran.nt")
    assert response.status_code == 200
    assert f"<{BASE}id/state/iran> " in response.text
    assert "w3id.org" not in response.text and "localhost" not in response.text
    page = odd.get("/page/state/iran").text
    assert f"<code>{BASE}id/state/iran</code>" in page
    assert "localhost" not in page
    assert 'href="../../page/position/iran-demands-sanctions-lifting"' in page  # local links
    ontology = odd.get("/ontology", headers={"accept": "text/turtle"}).text
    assert f"<{BASE}ontology#Position>" in ontology or "nkg:Position" in ontology
    assert f"@prefix nkg: <{BASE}ontology#>" in ontology


def test_a_proxy_mapping_the_base_path_gets_working_links(odd: TestClient) -> None:
    """Behind a proxy that serves https://example.org/kg/ from this server's root,
    a relative Location resolves under /kg/."""
    from urllib.parse import urljoin

    response = odd.get("/id/state/iran", headers={"accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    public = urljoin(f"{BASE}id/state/iran", response.headers["location"])
    assert public == f"{BASE}page/state/iran"
