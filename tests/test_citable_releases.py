"""Citable releases (issue 10): every kept release answers at URLs that name it, its
dumps, its VoID and its SPARQL endpoint, after the next build as before it; a pruned
one is a 404 that says which releases are kept; the VoID links each release to the one
before it and to the dataset it is a version of."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import httpx2
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kg import pipeline
from kg import release as releases
from kg.config import Settings
from kg.progress import Steps
from kg.release import Release
from kg.server.app import create_app
from kg.server.live import LiveRelease
from tests.conftest import GENEVA, Corpus, ServerProcess
from tests.sparql_support import make_release, open_files, quad

COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
IMMUTABLE = "public, max-age=31536000, immutable"
CSV = {"Accept": "text/csv"}
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Release, Release]:
    """The fixture corpus built, then built again with the Geneva article only: two
    releases that disagree on every count. Read them, never change them."""
    corpus = Corpus(tmp_path_factory.mktemp("citable") / "seeds")
    settings, first = corpus.build()
    corpus.keep_only(GENEVA)
    _, second = corpus.build()
    return settings, first, second


@pytest.fixture(scope="module")
def client(two_builds: tuple[Settings, Release, Release]) -> Iterator[TestClient]:
    with TestClient(create_app(two_builds[0]), base_url="http://testserver") as test_client:
        yield test_client


def triples(release: Release) -> int:
    """What COUNT answers on ``release``'s store, read directly."""
    solutions = release.open_store().query(COUNT, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(iter(solutions))[0].value)


def counted(response: httpx2.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.text.split()[-1])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# The files of a release


def test_a_kept_release_serves_its_own_files_and_checksums(
    client: TestClient, two_builds: tuple[Settings, Release, Release]
) -> None:
    _, first, second = two_builds
    sums = client.get(f"/releases/{first.id}/dumps/SHA256SUMS")
    assert sums.status_code == 200
    assert sums.text != client.get("/dumps/SHA256SUMS").text  # the current one is the second's
    listed = {
        name: digest for digest, name in (line.split("  ") for line in sums.text.splitlines())
    }
    assert "negotiations-kg.ttl" in listed and "void.ttl" in listed
    for name, digest in listed.items():
        response = client.get(f"/releases/{first.id}/dumps/{name}")
        assert response.status_code == 200, name
        assert sha256(response.content) == digest, name
    # the same files as on disk, and as the release's manifest says
    listing = client.get(f"/releases/{first.id}/dumps/", headers=JSON).json()
    assert listing["release"] == first.id
    by_name = {f["name"]: f for f in listing["files"]}
    for relative, info in first.files.items():
        assert by_name[relative.rsplit("/", 1)[-1]]["sha256"] == info["sha256"]
    assert client.get(f"/releases/{second.id}/dumps/SHA256SUMS").text == (
        client.get("/dumps/SHA256SUMS").text
    )


def test_release_files_have_the_validators_ranges_and_gzip_of_dumps(
    client: TestClient, two_builds: tuple[Settings, Release, Release]
) -> None:
    _, first, _ = two_builds
    url = f"/releases/{first.id}/dumps/negotiations-kg.nt"
    info = first.files["dumps/negotiations-kg.nt"]
    whole = client.get(url, headers={"Accept-Encoding": "identity"})
    assert whole.headers["etag"] == f'"{info["sha256"]}"'  # strong: the bytes' SHA-256
    assert whole.headers["cache-control"] == IMMUTABLE
    part = client.get(url, headers={"Range": "bytes=10-19", "Accept-Encoding": "identity"})
    assert part.status_code == 206 and part.content == whole.content[10:20]
    assert part.headers["cache-control"] == IMMUTABLE
    again = client.get(url, headers={"If-None-Match": whole.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == IMMUTABLE
    gzipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["content-encoding"] == "gzip" and gzipped.content == whole.content
    # the plain URLs serve the next release's file tomorrow: revalidated, not immutable
    assert client.get("/dumps/negotiations-kg.nt").headers["cache-control"] == "public, no-cache"


# The endpoint of a release


def test_a_release_endpoint_answers_from_that_release(
    client: TestClient, two_builds: tuple[Settings, Release, Release]
) -> None:
    _, first, second = two_builds
    assert triples(first) != triples(second)
    for _ in range(2):  # the second time from the result cache, still per release
        assert counted(client.get("/sparql", params={"query": COUNT}, headers=CSV)) == (
            triples(second)
        )
        old = client.get(f"/releases/{first.id}/sparql", params={"query": COUNT}, headers=CSV)
        assert counted(old) == triples(first)
        assert old.headers["etag"].startswith(f'W/"{first.id}-')
        assert old.headers["cache-control"] == IMMUTABLE
        posted = client.post(
            f"/releases/{first.id}/sparql",
            content=COUNT,
            headers={"Content-Type": "application/sparql-query"} | CSV,
        )
        assert counted(posted) == triples(first)
        new = client.get(f"/releases/{second.id}/sparql/", params={"query": COUNT}, headers=CSV)
        assert counted(new) == triples(second)
    again = client.get(
        f"/releases/{first.id}/sparql",
        params={"query": COUNT},
        headers=CSV | {"If-None-Match": old.headers["etag"]},
    )
    assert again.status_code == 304 and again.headers["cache-control"] == IMMUTABLE


def test_a_release_endpoint_keeps_the_protocol_errors_and_no_store(
    client: TestClient, two_builds: tuple[Settings, Release, Release]
) -> None:
    _, first, _ = two_builds
    endpoint = f"/releases/{first.id}/sparql"
    broken = client.get(endpoint, params={"query": "SELECT * WHERE {"})
    assert broken.status_code == 400 and "line 1" in broken.text
    assert "cache-control" not in broken.headers
    refused = client.get(endpoint, params={"query": COUNT}, headers={"Accept": "image/png"})
    assert refused.status_code == 406
    volatile = client.get(endpoint, params={"query": "SELECT (NOW() AS ?t) {}"}, headers=CSV)
    assert volatile.status_code == 200 and volatile.headers["cache-control"] == "no-store"
    assert client.delete(endpoint).status_code == 405


def test_a_release_endpoint_describes_itself_and_answers_browsers_with_data(
    client: TestClient, two_builds: tuple[Settings, Release, Release]
) -> None:
    settings, first, _ = two_builds
    endpoint = f"/releases/{first.id}/sparql"
    described = client.get(endpoint, headers={"Accept": "application/n-triples"})
    assert described.status_code == 200
    iri = f"<{settings.base_iri}releases/{first.id}/sparql>"
    assert f"{iri} <http://www.w3.org/ns/sparql-service-description#endpoint> {iri}" in (
        described.text
    )
    # the query UI queries the current release: a browser is not sent there from here
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    answered = client.get(
        endpoint, params={"query": COUNT}, headers={"Accept": browser}, follow_redirects=False
    )
    assert answered.status_code == 200
    assert (
        client.get(
            "/sparql", params={"query": COUNT}, headers={"Accept": browser}, follow_redirects=False
        ).status_code
        == 303
    )


# Unknown and pruned releases


@pytest.mark.parametrize(
    "path",
    [
        "/releases/20200101T000000Z/dumps/SHA256SUMS",
        "/releases/20200101T000000Z/dumps/",
        "/releases/20200101T000000Z/sparql",
        "/releases/20200101T000000Z/void",
        "/releases/20200101T000000Z/",
        "/releases/%2E%2E/dumps/manifest.json",
        "/releases/..%2F..%2Fetc/dumps/passwd",
        "/releases/%ff/sparql",
        "/releases/" + "x" * 300 + "/sparql",
        "/releases/.building-x/dumps/",
    ],
)
def test_a_release_not_kept_is_a_404_that_lists_the_kept_ones(
    client: TestClient, two_builds: tuple[Settings, Release, Release], path: str
) -> None:
    _, first, second = two_builds
    for method in ("GET", "POST"):
        response = client.request(method, path, params={"query": COUNT})
        assert response.status_code == 404, (method, path, response.text)
        assert response.text.count("\n") == 1  # one line
        assert f"{second.id}, {first.id}" in response.text and "/releases/" in response.text
        assert "cache-control" not in response.headers


# The list of releases


def test_the_list_of_releases(
    client: TestClient, two_builds: tuple[Settings, Release, Release]
) -> None:
    _, first, second = two_builds
    listing = client.get("/releases/", headers=JSON)
    assert listing.status_code == 200 and listing.headers["cache-control"] == "public, no-cache"
    body = listing.json()
    assert body["current"] == second.id
    newest, oldest = body["releases"]
    assert (newest["id"], newest["current"], oldest["id"], oldest["current"]) == (
        second.id, True, first.id, False,
    )  # fmt: skip
    assert newest["revision_of"] == first.id and oldest["revision_of"] is None
    for entry, release in ((newest, second), (oldest, first)):
        assert entry["created"] == release.manifest["created"]
        assert entry["triples"] == _merged(release)
        for link in ("url", "dumps", "checksums", "void", "sparql"):
            assert client.get(f"/releases/{entry[link]}").status_code == 200, entry[link]
    page = client.get("/releases/")
    assert page.headers["content-type"].startswith("text/html")
    assert f'href="{first.id}/sparql"' in page.text and f'href="{second.id}/dumps/"' in page.text
    one = client.get(f"/releases/{second.id}/", headers=JSON).json()
    assert (one["id"], one["revision_of_url"], one["sparql"]) == (
        second.id, f"../{first.id}/", "sparql",
    )  # fmt: skip
    assert client.get("/releases", follow_redirects=False).headers["location"] == "releases/"
    assert client.get("/releases/", headers={"Accept": "image/png"}).status_code == 406


def _merged(release: Release) -> int:
    """The triples of the release's merged N-Triples dump (each triple once, one a line)."""
    with (release.dumps_dir / "negotiations-kg.nt").open("rb") as dump:
        return sum(1 for line in dump if line.strip())


# VoID


def test_the_void_links_each_release_to_the_one_before_and_to_the_dataset(
    client: TestClient, two_builds: tuple[Settings, Release, Release]
) -> None:
    settings, first, second = two_builds
    base = settings.base_iri
    described = {}
    for release in (first, second):
        response = client.get(f"/releases/{release.id}/void", headers={"Accept": "text/turtle"})
        assert response.status_code == 200 and response.headers["cache-control"] == IMMUTABLE
        assert response.content == release.void_path.read_bytes()
        store = ox.Store()
        store.load(response.content, format=ox.RdfFormat.TURTLE)
        described[release.id] = store
    prefixes = f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX void: <http://rdfs.org/ns/void#>
    PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX dcat: <http://www.w3.org/ns/dcat#>
    PREFIX spdx: <http://spdx.org/rdf/terms#> BASE <{base}>"""
    assert described[second.id].query(f"""{prefixes} ASK {{
      <release/{second.id}> prov:wasRevisionOf <release/{first.id}> ;
        dcterms:isVersionOf <dataset> ;
        void:sparqlEndpoint <releases/{second.id}/sparql> ;
        void:dataDump <releases/{second.id}/dumps/negotiations-kg.ttl> .
      <releases/{second.id}/sparql> a dcat:DataService ;
        dcat:servesDataset <release/{second.id}> .
      <dataset> dcat:hasVersion <release/{second.id}> ; void:sparqlEndpoint <sparql> .
    }}""")
    assert not described[first.id].query(
        f"{prefixes} ASK {{ <release/{first.id}> prov:wasRevisionOf ?before }}"
    )
    # each distribution's download URL names the release, so its checksum stays true
    rows = described[second.id].query(f"""{prefixes} SELECT ?url ?sum {{
      <release/{second.id}> dcat:distribution [ dcat:downloadURL ?url ;
        spdx:checksum [ spdx:checksumValue ?sum ] ] }}""")
    assert isinstance(rows, ox.QuerySolutions)
    found = {str(row["url"].value): str(row["sum"].value) for row in rows}
    assert found and all(url.startswith(f"{base}releases/{second.id}/dumps/") for url in found)
    for url, digest in found.items():
        path = "/" + url.removeprefix(base)
        assert sha256(client.get(path).content) == digest


# The release folders


def test_release_ids_are_ordered_by_time_then_by_number(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    for name in ("20260101T000000Z-10", "20260101T000000Z", "20260101T000000Z-2", ".building-x"):
        (settings.releases_dir / name).mkdir(parents=True)
    assert releases.ids(settings) == [
        "20260101T000000Z",
        "20260101T000000Z-2",
        "20260101T000000Z-10",
    ]


def test_a_server_process_lets_go_of_an_older_release_once_pruned(tmp_path: Path) -> None:
    """The older releases opened for their URLs are closed once a build removes them."""
    settings = Settings(data_dir=tmp_path / "var")
    old = make_release(settings.data_dir, [quad("urn:x:s", "urn:x:p", ox.Literal("1"))], "r1")
    make_release(settings.data_dir, [quad("urn:x:s", "urn:x:p", ox.Literal("2"))], "r2")
    live = LiveRelease(settings)
    store = live.kept("r1").store
    assert live.kept("r1").store is store  # opened once
    assert list(store.quads_for_pattern(None, None, ox.Literal("1")))
    live.drop_pruned()
    assert "r1" in live._named
    for path in sorted(old.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    old.rmdir()
    live.drop_pruned()
    assert "r1" not in live._named


# Over HTTP, across builds


def _open_files(pids: list[int], folder: Path) -> list[str]:
    return [name for pid in pids for name in open_files(pid, folder)]


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the HTTP and query worker processes)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


@pytest.mark.server
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
def test_a_release_stays_citable_over_http_until_a_build_prunes_it(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "seeds")
    settings, first = corpus.build()
    server = ServerProcess(settings)
    try:
        with httpx2.Client(base_url=server.url, timeout=30) as http:
            corpus.keep_only(GENEVA)
            second = pipeline.build(settings, Steps(quiet=True))
            cited = f"/releases/{first.id}/sparql"
            for _ in range(50):  # the server sees the new release within a second
                if counted(http.get("/sparql", params={"query": COUNT}, headers=CSV)) == (
                    triples(second)
                ):
                    break
                time.sleep(0.1)
            assert counted(http.get(cited, params={"query": COUNT}, headers=CSV)) == (
                triples(first)
            )
            sums = http.get(f"/releases/{first.id}/dumps/SHA256SUMS").text
            for line in sums.splitlines():
                digest, name = line.split("  ")
                assert sha256(http.get(f"/releases/{first.id}/dumps/{name}").content) == digest
            assert _open_files(_tree(server.process.pid), first.path)  # the cited store

            third = pipeline.build(settings.with_(keep_releases=1), Steps(quiet=True))
            assert not first.path.exists() and not second.path.exists()
            for path in (cited, f"/releases/{first.id}/dumps/SHA256SUMS"):
                gone = http.get(path, params={"query": COUNT})
                assert gone.status_code == 404, gone.text
                assert f"the releases kept are {third.id} " in gone.text
            kept = json.loads(http.get("/releases/", headers=JSON).text)["releases"]
            assert [entry["id"] for entry in kept] == [third.id]
            held: list[str] = []
            for _ in range(100):  # the server and its query workers let go within seconds
                held = _open_files(_tree(server.process.pid), first.path)
                if not held:
                    break
                time.sleep(0.1)
            assert held == []
    finally:
        output = server.stop()
    assert "Traceback" not in output
