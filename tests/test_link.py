"""``kg link`` against a local server that replays Wikidata API answers: proposals for
review, explicit acceptance, offline enrichment, and Wikimedia's API etiquette."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg import pipeline
from kg.config import Settings
from kg.errors import LinkError, SeedError
from kg.link import workflow
from kg.link.api import WikidataApi
from kg.progress import Steps
from kg.query import execute

REPLAY = json.loads((Path(__file__).parent / "data" / "wikidata" / "replay.json").read_text())


class Replay(ThreadingHTTPServer):
    """Answers like https://www.wikidata.org/w/api.php from replay.json."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ReplayHandler)
        self.requests: list[tuple[dict[str, str], dict[str, str]]] = []
        self.throttle = 0  # answer this many requests with 429 first
        self.delay = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/w/api.php"


class ReplayHandler(BaseHTTPRequestHandler):
    server: Replay

    def do_GET(self) -> None:
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        self.server.requests.append((params, dict(self.headers)))
        if self.server.delay:
            threading.Event().wait(self.server.delay)
        if self.server.throttle > 0:
            self.server.throttle -= 1
            self.send_response(429)
            self.send_header("Retry-After", "2")
            self.end_headers()
            return
        self._json(self._answer(params))

    def _answer(self, params: dict[str, str]) -> dict[str, Any]:
        if params.get("action") == "wbsearchentities":
            return dict(REPLAY["search"].get(params["search"], {"search": [], "success": 1}))
        if params.get("action") == "wbgetentities":
            entities = REPLAY["entities"]
            return {
                "entities": {
                    i: entities.get(i, {"id": i, "missing": ""}) for i in params["ids"].split("|")
                },
                "success": 1,
            }
        return {"error": {"code": "badvalue", "info": "unknown action"}}

    def _json(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def replay() -> Iterator[Replay]:
    server = Replay()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(seed_copy: Settings, replay: Replay) -> Settings:
    return seed_copy.with_(wikidata_api=replay.url, wikidata_contact="tests@example.org")


def link(
    settings: Settings,
    only: tuple[str, ...] = (),
    accept: tuple[str, ...] = (),
    fetch: bool = False,
    sleeps: list[float] | None = None,
) -> list[str]:
    api = WikidataApi(settings, sleep=(sleeps.append if sleeps is not None else lambda s: None))
    return list(workflow.run(settings, list(only), list(accept), fetch, api))


def test_proposals_are_ranked_explained_and_never_written_to_the_registry(
    settings: Settings,
) -> None:
    registry = (settings.seeds_dir / "registry.yaml").read_bytes()
    lines = link(settings, ("abbas-araghchi",))
    assert lines[0].startswith("abbas-araghchi: 2 proposal(s), best Q999000001")
    review = (settings.seeds_dir / "wikidata-candidates.yaml").read_text()
    first, second = review.index("Q999000001"), review.index("Q999000002")
    assert first < second
    assert "instance of human: fits a person" in review
    assert "instance of family name: not a person" in review
    assert (settings.seeds_dir / "registry.yaml").read_bytes() == registry


def test_accepting_a_proposal_links_it_in_the_next_build(settings: Settings) -> None:
    link(settings, ("abbas-araghchi",))
    [message] = link(settings, accept=("abbas-araghchi=Q999000001",))
    assert "linked abbas-araghchi to Q999000001" in message
    registry = (settings.seeds_dir / "registry.yaml").read_text()
    assert "    label: Abbas Araghchi\n    wikidata: Q999000001\n" in registry
    assert (
        "Q999000001\taccepted with kg link"
        in (settings.seeds_dir / "wikidata-verified.tsv").read_text()
    )
    release = pipeline.build(settings, Steps(quiet=True))
    links = (release.dumps_dir / "wikidata-links.ttl").read_text()
    assert "person:abbas-araghchi" in links and "wd:Q999000001" in links


@pytest.mark.parametrize(
    ("accept", "message"),
    [
        ("abbas-araghchi=Q999000003", "was not proposed for abbas-araghchi"),
        ("abbas-araghchi=999", "is not a Wikidata id"),
        ("abbas-araghchi=Q794", "already the Wikidata id of 'iran'"),
        ("iran=Q999000001", "already linked to Q794"),
        ("nobody=Q999000001", "no entity 'nobody'"),
        ("abbas-araghchi", "takes ENTITY=QID"),
    ],
)
def test_acceptance_refuses_what_was_not_reviewed(
    settings: Settings, accept: str, message: str
) -> None:
    link(settings, ("abbas-araghchi",))
    with pytest.raises(LinkError, match=message):
        link(settings, accept=(accept,))


def test_a_candidate_file_edited_into_nonsense_stops_the_build(settings: Settings) -> None:
    link(settings, ("abbas-araghchi",))
    review = settings.seeds_dir / "wikidata-candidates.yaml"
    text = review.read_text()
    line = text[: text.index("score:")].count("\n") + 1
    review.write_text(text.replace("score:", "score: lots #", 1))
    with pytest.raises(SeedError) as error:
        pipeline.build(settings, Steps(quiet=True))
    assert (error.value.path, error.value.line) == (review, line)
    assert not settings.releases_dir.exists() or not any(settings.releases_dir.iterdir())


def test_rate_limits_are_honoured_and_requests_say_who_asks(
    settings: Settings, replay: Replay
) -> None:
    replay.throttle = 2
    sleeps: list[float] = []
    link(settings, ("abbas-araghchi",), sleeps=sleeps)
    assert sleeps == [2.0, 2.0]  # Retry-After, twice
    params, headers = replay.requests[-1]
    assert headers["User-Agent"].startswith("negotiations-kg/")
    assert "tests@example.org" in headers["User-Agent"]
    assert params["maxlag"] == "5" and params["format"] == "json"


def test_a_server_that_keeps_refusing_gives_a_clear_error(
    settings: Settings, replay: Replay
) -> None:
    replay.throttle = 100
    with pytest.raises(LinkError, match="429"):
        link(settings, ("abbas-araghchi",))


def test_a_slow_server_times_out_with_the_setting_to_change(
    settings: Settings, replay: Replay
) -> None:
    replay.delay = 1.0
    with pytest.raises(LinkError, match="KG_HTTP_TIMEOUT"):
        link(settings.with_(http_timeout=0.2), ("abbas-araghchi",))


def test_fetched_labels_and_statements_are_published_as_their_own_graph(
    settings: Settings,
) -> None:
    [message] = link(settings, fetch=True)
    assert message.startswith("cached 3 linked items")  # the replay knows three of them
    release = pipeline.build(settings, Steps(quiet=True))
    store = release.open_store()
    result = execute(
        store,
        """
        SELECT ?label ?description ?country ?point WHERE {
          GRAPH graph:wikidata-cache {
            wd:Q794 rdfs:label ?label FILTER(LANG(?label) = "fa")
            wd:Q794 schema:description ?description FILTER(LANG(?description) = "en")
            wd:Q71 wdt:P17 ?country ; wdt:P625 ?point .
          }
        }""",
        settings.ns,
    )
    assert isinstance(result, ox.QuerySolutions)
    [row] = list(result)
    assert row["label"].value == "ایران"
    assert row["country"] == ox.NamedNode("http://www.wikidata.org/entity/Q39")
    assert row["point"].value == "Point(6.15 46.2)"
    void = (release.void_path).read_text()
    assert "wikidata-cache" in void and "https://www.wikidata.org/" in void
    provenance = execute(
        store,
        "ASK { GRAPH graph:wikidata-cache { graph:wikidata-cache "
        "prov:generatedAtTime ?t ; dcterms:source ?s } }",
        settings.ns,
    )
    assert bool(provenance)
