"""One release snapshot per request: the ETag and the body of a response come from the
same release, even when a new release becomes current while the request is answered
(issue 10: pages and dumps once looked the release up again after the ETag was made)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kg.config import Settings
from kg.server.app import create_app
from kg.server.live import LiveRelease, Snapshot
from tests.conftest import repo_settings
from tests.sparql_support import make_release, quad

IRI = "https://w3id.org/negotiations-kg/id/state/x"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


class SwitchingLive(LiveRelease):
    """A live release that moves to the next release after every look: the worst case
    of a build finishing while requests are answered."""

    def __init__(self, settings: Settings, releases: list[Path]) -> None:
        super().__init__(settings)
        self.releases = releases
        self.looks = 0

    def get(self) -> Snapshot:
        path = self.releases[self.looks % len(self.releases)]
        self.looks += 1
        link = self.settings.current_link
        link.unlink()
        link.symlink_to(path)
        self.recheck()
        return super().get()


@pytest.fixture
def switching(tmp_path: Path) -> Iterator[tuple[TestClient, SwitchingLive]]:
    settings = repo_settings(tmp_path / "var")
    paths = [
        make_release(settings.data_dir, [quad(IRI, LABEL, ox.Literal(word))], release_id)
        for word, release_id in (("one", "r1"), ("two", "r2"))
    ]
    live = SwitchingLive(settings, paths)
    with TestClient(create_app(settings, live)) as client:
        yield client, live


@pytest.mark.parametrize(
    ("path", "params", "accept"),
    [
        ("/page/state/x", {}, "text/html"),
        ("/data/state/x", {}, "text/turtle"),
        ("/sparql", {"query": f"SELECT ?l {{ <{IRI}> ?p ?l }}"}, "text/csv"),
    ],
)
def test_etag_and_body_come_from_one_release(
    switching: tuple[TestClient, SwitchingLive], path: str, params: dict[str, str], accept: str
) -> None:
    client, _ = switching
    for _ in range(4):
        response = client.get(path, params=params, headers={"Accept": accept})
        assert response.status_code == 200, response.text
        tagged = response.headers["etag"].removeprefix('W/"').split("-")[0]
        shown = "r1" if "one" in response.text else "r2"
        assert shown == tagged, (path, tagged, response.text[:200])


@pytest.mark.parametrize(
    "path", ["/page/state/x", "/data/state/x", "/id/state/x", "/dumps/", "/sparql"]
)
def test_each_request_looks_at_the_live_release_once(
    switching: tuple[TestClient, SwitchingLive], path: str
) -> None:
    client, live = switching
    for _ in range(3):
        before = live.looks
        response = client.get(path, headers={"Accept": "application/json"}, follow_redirects=False)
        assert response.status_code < 500, response.text
        assert live.looks == before + 1, path


def test_an_idle_server_process_moves_to_a_new_release_on_its_own(tmp_path: Path) -> None:
    """Without a request, a server process once held the previous release's store (and,
    once pruned, its deleted files) open for good."""
    settings = repo_settings(tmp_path / "var")
    make_release(settings.data_dir, [quad(IRI, LABEL, ox.Literal("one"))], "r1")
    live = LiveRelease(settings)
    assert live.get().id == "r1"
    live.watch(0.05)
    make_release(settings.data_dir, [quad(IRI, LABEL, ox.Literal("two"))], "r2")
    for _ in range(100):
        if live._snapshot is not None and live._snapshot.id == "r2":
            break
        time.sleep(0.05)
    assert live._snapshot is not None and live._snapshot.id == "r2"
