"""A real HTTP client against a real ``kg serve``: following the 303 of a resource IRI
lands on its page or its RDF document, as a browser or an RDF tool would."""

from __future__ import annotations

import httpx2
import pyoxigraph as ox
import pytest

from kg.namespaces import DEFAULT_BASE_IRI
from tests.conftest import ServerProcess

pytestmark = pytest.mark.server


def test_following_the_303_reaches_the_page_or_the_data(live_server: ServerProcess) -> None:
    with httpx2.Client(base_url=live_server.url, follow_redirects=True, timeout=10) as http:
        page = http.get("/id/state/iran", headers={"accept": "text/html"})
        assert page.status_code == 200
        assert [r.status_code for r in page.history] == [303]
        assert page.url.path == "/page/state/iran"
        assert "<h1>Iran</h1>" in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]

        data = http.get("/id/state/iran", headers={"accept": "text/turtle"})
        assert data.status_code == 200
        assert data.url.path == "/data/state/iran"
        assert data.headers["content-type"].startswith("text/turtle")
        graph = {q.triple for q in ox.parse(data.content, format=ox.RdfFormat.TURTLE)}
        iran = ox.NamedNode(f"{DEFAULT_BASE_IRI}id/state/iran")
        assert any(t.subject == iran for t in graph)

        css = http.get(str(page.url.join("../../static/pages.css")))
        assert css.status_code == 200
