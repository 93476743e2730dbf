"""The dossier of a negotiation process (kg/server/pages/dossier.py): the fixture corpus's
US–Iran negotiation in full, a generated negotiation, and one that has nothing but a name;
every link on it leads somewhere, every query behind it runs."""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kg import seeds as seeds_module
from kg.config import Settings
from kg.release import Release
from kg.server.app import create_app
from kg.server.pages.routes import release_date

from .conftest import Corpus
from .test_seeds_invariants import add_generated_negotiation

PROCESS = "/page/process/us-iran-nuclear-talks-2026"
MINI_TEXT = (
    "Talks between the two sides began in May 2026. The first round was held on 12 and 13 May.\n"
)
MINI = """document:
  title: Talks begin
  reports: mini-talks
  events date: 2026-05-01
  language: en
  publisher: unknown
  url: unknown
  publication date: unknown
claims:
  - id: mini-talks
    type: negotiation
    label: Mini talks
    evidence:
      - Talks between the two sides began
  - id: mini-first-round
    type: round
    label: First round of the mini talks
    part of: mini-talks
    number: 1
    status: held
    date: 2026-05-12/2026-05-13
    date wording: 12 and 13 May
    evidence:
      - The first round was held on 12 and 13 May
"""


class Links(HTMLParser):
    """The href of every link, and the id of every element, of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))
        if found.get("id"):
            self.ids.add(str(found["id"]))


def links_of(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def section(html: str, name: str) -> str:
    """The HTML of ``<section id=name>``."""
    start = html.index(f'<section id="{name}">')
    return html[start : html.index("</section>", start)]


def test_the_dossier_shows_timeline_network_positions_and_commitments(
    client: TestClient, built: tuple[Settings, Release]
) -> None:
    response = client.get(PROCESS)
    assert response.status_code == 200
    html = response.text
    timeline = section(html, "timeline")
    # Each round at its own precision: a month, a day, and no date at all.
    assert "<svg" in timeline and 'datetime="2026-02"' in timeline and "February 2026" in timeline
    assert 'datetime="2026-02-17"' in timeline and "17 February 2026" in timeline
    assert "date not set" in timeline and "planned" in timeline
    assert "Omani Embassy" in timeline and "Badr Albusaidi" in timeline  # venue, mediator
    assert "General agreement on a set of guiding principles" in timeline  # an outcome
    network = section(html, "network")
    assert network.count('class="node') >= 10 and 'class="edge leads"' in network
    for name in ("Iran", "United States", "Oman", "Abbas Araghchi", "Steve Witkoff"):
        assert f">{name}<" in network
    positions = section(html, "positions")
    assert '<table class="matrix">' in positions
    assert "excludes" in positions and "ballistic missiles" in positions
    assert "core divergence" in positions
    # The quote behind a cell, in its sentence, linked to its place in the source.
    assert "<mark>excluding discussions on ballistic missiles" in positions
    commitments = section(html, "commitments")
    assert "3 March 2026" in commitments and "within the next two weeks" in commitments
    expected = "passed" if release_date(built[1]) > dt.date(2026, 3, 3) else "due"
    assert f'class="{expected}"' in commitments
    assert "Progress was made" in section(html, "quotations")
    assert "Iran–Israel war" in section(html, "context") and "June 2025" in html
    assert "2026-02-17-us-iran-geneva-round-2" in section(html, "sources")


def test_every_query_behind_the_dossier_is_shown_and_runs(client: TestClient) -> None:
    html = client.get(PROCESS).text
    queries = [h for h in links_of(html).hrefs if "query?query=" in h]
    assert len(queries) >= 10
    for href in queries:
        text = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)["query"][0]
        assert "<https://w3id.org/negotiations-kg/id/process/us-iran-nuclear-talks-2026>" in text
        answer = client.get("/sparql", params={"query": text, "format": "json"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"]["bindings"], text.splitlines()[-1]


def test_every_link_of_the_dossier_leads_to_a_page_or_an_anchor(client: TestClient) -> None:
    html = client.get(PROCESS).text
    page = links_of(html)
    local = {h for h in page.hrefs if not h.startswith(("http:", "https:", "query?", "../query"))}
    checked = 0
    for href in sorted(local):
        path, _, anchor = href.partition("#")
        if not path:
            assert anchor in page.ids, href
            continue
        target = urllib.parse.urljoin("http://testserver" + PROCESS, path)
        answer = client.get(target.removeprefix("http://testserver"))
        assert answer.status_code == 200, href
        if anchor:
            assert f'id="{anchor}"' in answer.text, href
        checked += 1
    assert checked > 30


def test_a_negotiation_with_little_more_than_a_name_gets_a_dossier(
    make_corpus: Callable[..., Corpus], tmp_path: Path
) -> None:
    corpus = make_corpus()
    corpus.add_document("2026-05-01-mini", MINI_TEXT, MINI)
    settings, _ = corpus.build()
    with TestClient(create_app(settings)) as client:
        response = client.get("/page/process/mini-talks")
        assert response.status_code == 200
        # A round over two days (an OWL-Time interval): a bar from its first to its
        # last day, its dates as the source's precision has them.
        timeline = section(response.text, "timeline")
        assert "12 May 2026 – 13 May 2026" in timeline and "“12 and 13 May”" in timeline
        assert 'datetime="2026-05-12"' in timeline
        assert "No position is recorded" in response.text
        assert "No commitment is recorded" in response.text
        home = client.get("/").text
        assert home.index("Mini talks") < home.index("<h2>People</h2>")
        assert "US–Iran nuclear negotiations (2026)" in home


@pytest.mark.slow
def test_a_generated_negotiation_gets_a_full_dossier(
    make_corpus: Callable[..., Corpus], tmp_path: Path
) -> None:
    corpus = make_corpus()
    add_generated_negotiation(corpus, tmp_path / "generated")
    settings, _ = corpus.build()
    with TestClient(create_app(settings)) as client:
        home = client.get("/").text
        dossiers = set(re.findall(r'href="\./(page/process/[^"#]+)"', home))
        processes = {c.id for c in seeds_module.load(corpus.root).claims()
                     if c.type.name == "negotiation"}  # fmt: skip
        assert dossiers == {f"page/process/{p}" for p in processes}, dossiers
        assert "page/process/n1-talks" in dossiers
        for path in dossiers:
            html = client.get("/" + path).text
            assert "<svg" in section(html, "timeline"), path
            assert 'class="node' in section(html, "network"), path


def test_the_home_page_leads_with_the_negotiations(client: TestClient) -> None:
    html = client.get("/").text
    negotiations = html.index("<h2>Negotiations</h2>")
    assert negotiations < html.index("<h2>People</h2>") < html.index("<h2>In numbers</h2>")
    # The negotiations in the order of their latest round, the most recent first.
    hrefs = links_of(html[negotiations : html.index("<h2>People</h2>")]).hrefs
    listed = [h for h in hrefs if h.startswith("./page/process/")]
    assert (
        listed.index("./page/process/sarvania-elf-talks")
        < listed.index("./page/process/us-iran-nuclear-talks-2026")
        < listed.index("./page/process/seren-water-talks")
    )  # May 2026, February 2026, Nov 2025
    assert "Foreign Minister of Iran" in html  # a person with their office
    for group in ("States", "Organisations", "Places"):
        assert f"<h2>{group}</h2>" in html
    # Class rows lead to their instances.
    person = "./instances?" + urllib.parse.urlencode({"class": "https://schema.org/Person"})
    assert person in links_of(html).hrefs
    listing = client.get("/instances", params={"class": "https://schema.org/Person"})
    assert listing.status_code == 200 and "Abbas Araghchi" in listing.text
