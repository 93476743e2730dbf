"""The dossier of a negotiation process (kg/server/pages/dossier.py): the fixture corpus's
US–Iran negotiation in full, a generated negotiation, and one that has nothing but a name;
every link on it leads somewhere, every query behind it runs."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json
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
from kg.server.pages.dossier import SECTIONS
from kg.server.pages.routes import release_date

from .conftest import Corpus
from .test_seeds_invariants import add_generated_negotiation

PROCESS = "/page/process/us-iran-nuclear-talks-2026"
CEASEFIRE = "/page/process/sarvania-elf-talks"  # sessions, moves, an agreement, reports
PROCESSES = ("us-iran-nuclear-talks-2026", "sarvania-elf-talks", "seren-water-talks")
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
    """Each section's query is linked from the page and runs on the endpoint; each finds
    rows in at least one of the fixture's three negotiations (a negotiation without
    sessions or proposed bodies has those queries, empty)."""
    found: dict[str, int] = {}
    for process in PROCESSES:
        html = client.get(f"/page/process/{process}").text
        queries = [h for h in links_of(html).hrefs if "query?query=" in h]
        assert len(queries) >= 10, process
        for href in queries:
            text = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)["query"][0]
            iri = f"<https://w3id.org/negotiations-kg/id/process/{process}>"
            assert iri in text
            answer = client.get("/sparql", params={"query": text, "format": "json"})
            assert answer.status_code == 200, answer.text
            general = text.replace(iri, "$process")
            found[general] = found.get(general, 0) + len(answer.json()["results"]["bindings"])
    empty = [text.splitlines()[-1] for text, rows in found.items() if rows == 0]
    assert len(found) == len(SECTIONS) and not empty, empty


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


def test_the_dossier_shows_how_rounds_unfolded_moves_bodies_and_agreements(
    client: TestClient,
) -> None:
    """The open model's constructs on the ceasefire talks' dossier: a walkout within a
    round, the moves with their CAMEO and PLOVER codes, the monitoring mission proposed,
    the memorandum with its signatories' ranks and its guarantor."""
    html = client.get(CEASEFIRE).text
    timeline = text_of(section(html, "timeline"))
    for shown in ("Walkout of the Front's delegation", "walk out", "for four hours",
                  "in protest at the shelling of the village of Korvan", "caused by Shelling of "
                  "Korvan", "ended by Lind meets the leaders"):  # fmt: skip
        assert shown in timeline, shown
    assert 'class="mark interruption"' in section(html, "timeline")  # ▼ on the SVG too
    moves = text_of(html[html.index('<h3 id="moves">') : html.index('<section id="network">')])
    assert "declare a ceasefire 0871 · RETREAT" in moves and "accept mediation 038" in moves
    assert "towards Lumeria" in moves
    bodies = text_of(section(html, "bodies"))
    assert "Ceasefire monitoring mission agreed" in bodies and "verify that the ceasefire" in bodies
    agreements = text_of(section(html, "agreements"))
    for shown in ("Aldenport memorandum", "signed at Aldenport", "Oren Vask ( brigadier general )",
                  "Guaranteed by Lumeria"):  # fmt: skip
        assert shown in agreements, shown
    participants = text_of(section(html, "network"))
    assert "brigadier general" in participants  # a rank beside the office


def test_commitments_say_what_became_of_them_as_later_reports_say(client: TestClient) -> None:
    """A commitment's status comes from the latest report of its fulfilment (a later
    article's), with its date, words, numbers and evidence; the deadline's mark on the
    timeline says it too."""
    html = client.get(CEASEFIRE).text
    rows = section(html, "commitments").split("<tr")[2:]  # after the head's row
    detainees = next(r for r in rows if "The government to release 200 detainees" in r)
    assert detainees.startswith(' class="partly-met"')
    shown = text_of(detainees)
    for part in ("partly met", "as of 13 May 2026", "had released 150 of the 200 detainees",
                 "150 detainees released", "guaranteed by Lumeria"):  # fmt: skip
        assert part in shown, part
    assert "2026-05-20-sarvania-memorandum-first-week" in detainees  # the report's evidence
    statuses = re.findall(r'<span class="badge ([a-z-]+)">', section(html, "commitments"))
    assert sorted(statuses) == ["broken", "broken", "met", "partly-met"]
    assert "verified by" in text_of(section(html, "commitments"))
    assert 'class="mark deadline partly-met"' in section(html, "timeline")
    assert "partly met · 13 May 2026" in section(html, "timeline")
    assert "A week after the Aldenport memorandum" in section(html, "sources")


def test_a_report_dated_after_the_release_does_not_count_yet() -> None:
    """The status is the latest report known on the release's date, so a page says the
    same thing for the life of its release."""
    from kg.server.pages.proceedings import Report, latest
    from kg.server.pages.terms import Term
    from kg.server.pages.when import when

    def report(day: str, status: str) -> Report:
        concept = f"https://w3id.org/negotiations-kg/concept/fulfilment/{status}"
        return Report(Term("iri", f"urn:r:{day}", day), status=Term("iri", concept, status),
                      when=when(day))  # fmt: skip

    found = [report("2026-05-01", "under-way"), report("2026-05-20", "met")]
    assert latest(found, dt.date(2026, 5, 10)) is found[0]
    assert latest(found, dt.date(2026, 6, 1)) is found[1]
    assert latest(found, dt.date(2026, 4, 1)) is None
    undated = [report("", "broken")]
    assert latest(undated, dt.date(2026, 4, 1)) is undated[0]


def test_the_pictures_carry_their_data_for_the_interactive_views(client: TestClient) -> None:
    """Where npm installed vis-timeline and Cytoscape.js, the figures carry their data as
    JSON (no inline script: the CSP forbids it) and the page loads the libraries from this
    server; every item links to a page."""
    html = client.get(CEASEFIRE).text
    head = html[: html.index("</head>")]
    for path in ("vendor/cytoscape.min.js", "vendor/vis-timeline.min.js",
                 "vendor/vis-timeline.min.css", "static/dossier.js"):  # fmt: skip
        assert path in head, path
    assert "<script>" not in html and "cdn" not in head.lower()
    timeline = data_of(html, "timeline")
    kinds = {item["kind"] for item in timeline["items"]}
    assert {"round", "interruption", "move", "context"} <= kinds
    assert {"report met", "report partly-met", "report broken"} <= kinds
    assert {g["id"] for g in timeline["groups"]} == {"rounds", "parts", "moves", "deadlines",
                                                     "context"}  # fmt: skip
    walkout = next(i for i in timeline["items"] if i["kind"] == "interruption")
    assert (walkout["start"], walkout["end"]) == ("2026-05-08", "2026-05-09")  # end exclusive
    assert all(item["href"].startswith("/page/") for item in timeline["items"])
    graph = data_of(html, "graph")
    ids = {node["id"] for node in graph["nodes"]}
    assert {"Lumeria", "Petra Lind"} <= {node["label"] for node in graph["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in graph["edges"])
    for path in ("/vendor/cytoscape.min.js", "/vendor/vis-timeline.min.js"):
        answer = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/javascript")
        assert answer.headers["content-encoding"] == "gzip"
    assert client.get("/vendor/vis-timeline.min.css").headers["content-type"].startswith("text/css")


@pytest.mark.parametrize("name", ["nothing.js", "..%2Fpackage.json", "cytoscape"])
def test_only_the_listed_library_files_are_served(client: TestClient, name: str) -> None:
    answer = client.get(f"/vendor/{name}")
    assert answer.status_code == 404
    assert "Traceback" not in answer.text and len(answer.text) < 300


def test_without_the_npm_libraries_the_dossier_keeps_its_svg(
    built_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without `npm ci` the dossier loads no script and carries no data for one: the
    server-side pictures are the whole story."""
    from kg.server import vendor

    monkeypatch.setattr(vendor, "SEARCH_PATHS", (tmp_path,))
    vendor._installed.cache_clear()
    try:
        with TestClient(create_app(built_settings)) as bare:
            html = bare.get(CEASEFIRE).text
            assert "vendor/" not in html and "dossier.js" not in html
            assert "data-timeline" not in html and "data-graph" not in html
            assert "<svg" in section(html, "timeline") and "<svg" in section(html, "network")
            assert bare.get("/vendor/cytoscape.min.js").status_code == 404
    finally:
        vendor._installed.cache_clear()


def text_of(page: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


def data_of(html: str, name: str) -> dict[str, list[dict[str, str]]]:
    """The JSON of a figure's ``data-{name}`` attribute."""
    found = re.search(rf"data-{name}='([^']+)'", html)
    assert found is not None, name
    data: dict[str, list[dict[str, str]]] = json.loads(html_lib.unescape(found[1]))
    return data
