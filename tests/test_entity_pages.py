"""Pages that summarise before they list (kg/server/pages/summary.py): a person's office,
side, roles and words; what Wikidata says of an entity, from the cache; a round's place
in its negotiation's timeline; a source's spans by kind of claim, with a legend that
filters."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from kg.server.app import create_app

from .conftest import GENEVA, Corpus
from .test_search import add_iran_cache


def section(html: str, css_class: str) -> str:
    start = html.index(f'<section class="{css_class}">')
    return html[start : html.index("</section>", start)]


def test_a_persons_page_says_office_side_roles_and_words(client: TestClient) -> None:
    html = client.get("/page/person/abbas-araghchi").text
    summary = section(html, "summary")
    assert "<dt>Office</dt><dd>" in summary and ">Foreign Minister of Iran</a>" in summary
    assert "<dt>Side</dt><dd>" in summary and ">Iran</a>" in summary
    assert (
        ">head of delegation</a>" in summary
        and ">Iranian delegation to the Geneva round</a>" in summary
    )
    # Quotations inline, each with the statement and its evidence in the source.
    assert "“more serious”" in summary and "“clear path”" in summary
    assert re.search(rf'href="\.\./\.\./page/source/{GENEVA}#span-\d+-\d+"', summary)
    assert "on or after 17 February 2026" in summary  # no date given: the earliest
    assert summary.index("<h2>Said</h2>") < html.index("<h2>Properties</h2>")


def test_a_round_shows_its_place_in_the_timeline(client: TestClient) -> None:
    html = client.get("/page/round/geneva-round").text
    place = section(html, "place")
    rounds = re.findall(r"<li( class=\"me\" aria-current=\"page\")?>", place)
    assert len(rounds) == 3 and rounds[1]  # the second of three, this one
    assert ">First round of US–Iran nuclear talks (Muscat)</a>" in place
    assert "date not set" in place and "17 February 2026" in place
    assert 'href="../../page/process/us-iran-nuclear-talks-2026#timeline"' in place
    assert '<section class="summary">' not in html


def test_what_wikidata_says_is_shown_from_the_cache(
    make_corpus: Callable[..., Corpus],
) -> None:
    corpus = make_corpus()
    add_iran_cache(corpus)
    settings, _ = corpus.build()
    with TestClient(create_app(settings)) as client:
        summary = section(client.get("/page/state/iran").text, "summary")
        assert "a country (test fixture)" in summary
        assert '<span lang="fa">ایران</span> <small class="tag">fa</small>' in summary
        assert ">negotiating party</a>" in summary


def test_a_sources_spans_have_a_legend_that_filters_by_kind_of_claim(
    client: TestClient,
) -> None:
    html = client.get(f"/page/source/{GENEVA}").text
    legend = dict(re.findall(r'href="\?type=(\w+)#text">[^<]+<small>(\d+)</small>', html))
    assert {"Statement", "Position", "Commitment", "NegotiationRound"} <= set(legend)
    everything = len(re.findall(r'<li id="note-\d+">', html))
    assert everything >= max(int(n) for n in legend.values())
    statements = client.get(f"/page/source/{GENEVA}", params={"type": "Statement"}).text
    shown = re.findall(r'<li id="note-\d+">', statements)
    assert len(shown) == int(legend["Statement"]) < everything
    assert 'class="kind k' in statements and " on" in statements
    # An unknown kind shows everything rather than nothing.
    odd = client.get(f"/page/source/{GENEVA}", params={"type": "<b>"}).text
    assert len(re.findall(r'<li id="note-\d+">', odd)) == everything and "<b>" not in odd
