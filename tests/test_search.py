"""/search: names and aliases in every language, answered as Wikidata's wbsearchentities
answers (kg/server/pages/search.py), or as a page for browsers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from kg.server.app import create_app

from .conftest import Corpus

ARAGHCHI = "https://w3id.org/negotiations-kg/id/person/abbas-araghchi"


def add_iran_cache(corpus: Corpus) -> None:
    """What ``kg link --fetch`` would cache for Iran (Q794): names in Persian and Arabic,
    an English description (invented for the tests)."""
    (corpus.root / "wikidata-cache.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix schema: <https://schema.org/> .\n"
        '<http://www.wikidata.org/entity/Q794> rdfs:label "ایران"@fa, "إيران"@ar ;\n'
        '  schema:description "a country (test fixture)"@en .\n',
        encoding="utf-8",
    )


def search(client: TestClient, text: str, **params: str) -> dict[str, object]:
    response = client.get("/search", params={"search": text, "format": "json", **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    found: dict[str, object] = response.json()
    return found


def hits(answer: dict[str, object]) -> list[dict[str, object]]:
    found = answer["search"]
    assert isinstance(found, list)
    return found


@pytest.mark.parametrize("text", ["arag", "Arag", "ARAGHCHI", "Áràg", "abb ara", "abbas"])
def test_four_letters_find_araghchi_first(client: TestClient, text: str) -> None:
    first = hits(search(client, text))[0]
    assert first["concepturi"] == ARAGHCHI
    assert first["label"] == "Abbas Araghchi"
    assert first["description"] == "Foreign Minister of Iran"


def test_the_answer_has_the_shape_of_wbsearchentities(client: TestClient) -> None:
    answer = search(client, "arag")
    assert answer["searchinfo"] == {"search": "arag"} and answer["success"] == 1
    first = hits(answer)[0]
    assert set(first) >= {"id", "concepturi", "url", "label", "description", "match", "aliases"}
    assert first["id"] == "person:abbas-araghchi"
    assert first["match"] == {"type": "alias", "language": "en", "text": "Araghchi"}
    assert first["aliases"] == ["Araghchi"]
    # url is relative to /search: the page of the resource.
    assert client.get(f"/{first['url']}").status_code == 200


def test_entities_come_before_the_claims_that_name_them(client: TestClient) -> None:
    found = hits(search(client, "araghchi", limit="20"))
    kinds = [str(h["id"]).split(":")[0] for h in found]
    assert kinds[0] == "person" and "statement" in kinds
    assert kinds.index("statement") > kinds.index("person")


def test_limit_and_continue_page_through_the_hits(client: TestClient) -> None:
    first = search(client, "iran", limit="3")
    assert len(hits(first)) == 3 and first["search-continue"] == 3
    second = search(client, "iran", limit="3", **{"continue": "3"})
    assert not {h["concepturi"] for h in hits(first)} & {h["concepturi"] for h in hits(second)}
    everything = search(client, "iran", limit="500")  # capped, not refused
    assert 3 < len(hits(everything)) <= 50


@pytest.mark.parametrize("text", ["", "   ", "zzzzqqq", "*", "\u0000"])
def test_nothing_matches_nothing(client: TestClient, text: str) -> None:
    assert hits(search(client, text)) == []


def test_a_browser_gets_a_page_of_hits(client: TestClient) -> None:
    response = client.get("/search", params={"search": "geneva"}, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert 'href="./page/city/geneva"' in response.text
    assert "Nothing is named" in client.get("/search", params={"q": "zzzz"}).text


def test_an_unacceptable_format_is_refused(client: TestClient) -> None:
    response = client.get("/search", params={"search": "x"}, headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_names_wikidata_gives_in_other_languages_are_found(
    make_corpus: Callable[..., Corpus],
) -> None:
    """Names cached by ``kg link --fetch`` (graph wikidata-cache) count as aliases."""
    corpus = make_corpus()
    add_iran_cache(corpus)
    settings, _ = corpus.build()
    with TestClient(create_app(settings)) as client:
        for text, language, name in (("ایر", "fa", "ایران"), ("إيران", "ar", "إيران")):
            first = hits(search(client, text))[0]
            assert first["concepturi"] == "https://w3id.org/negotiations-kg/id/state/iran"
            assert first["label"] == "Iran"  # the label in the language asked for, or English
            assert first["match"] == {"type": "alias", "language": language, "text": name}
        assert hits(search(client, "iran"))[0]["description"] == "a country (test fixture)"
