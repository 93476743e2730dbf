"""/dumps/ and /.well-known/void: listing, checksums, streaming, gzip, validators and
ranges (RFC 9110 sections 8.8, 13 and 14), and VoID by content negotiation."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import gzip
import hashlib
import json
import tracemalloc
from pathlib import Path

import httpx2
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.responses import StreamingResponse

from kg.config import Settings
from kg.release import Release
from kg.server import transfer
from kg.server.transfer import CHUNK, Representation

from .conftest import ServerProcess

TTL = "negotiations-kg.ttl"
IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture(scope="module")
def release(built: tuple[Settings, Release]) -> Release:
    return built[1]


def file_bytes(release: Release, name: str) -> bytes:
    relative = next(r for r in release.files if r.rsplit("/", 1)[-1] == name)
    return (release.path / relative).read_bytes()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# The listing


def test_listing_has_every_file_of_the_manifest_with_its_size_and_sha256(
    client: TestClient, release: Release
) -> None:
    response = client.get("/dumps/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    listing = response.json()
    assert listing["release"] == release.id
    files = {f["name"]: f for f in listing["files"]}
    for relative, info in release.files.items():
        entry = files[relative.rsplit("/", 1)[-1]]
        assert (entry["size"], entry["sha256"]) == (info["size"], info["sha256"])
        data = (release.path / relative).read_bytes()
        assert (len(data), sha256(data)) == (entry["size"], entry["sha256"])
    assert {TTL, "negotiations-kg.nt", "negotiations-kg.jsonld", "negotiations-kg.nq"} <= set(files)
    assert {"validation-report.ttl", "validation-report.txt", "void.ttl"} <= set(files)
    assert {"manifest.json", "SHA256SUMS"} <= set(files)


def test_listing_in_html_by_default(client: TestClient, release: Release) -> None:
    response = client.get("/dumps/", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    for info in release.files.values():
        assert str(info["sha256"]) in response.text
    assert f'<a href="{TTL}" download>' in response.text
    assert "Accept" in response.headers["vary"]


def test_listing_refuses_what_it_cannot_send(client: TestClient) -> None:
    assert client.get("/dumps/", headers={"Accept": "image/png"}).status_code == 406


def test_dumps_without_slash_redirects_to_the_listing(client: TestClient) -> None:
    response = client.get("/dumps", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == "dumps/"


def test_sha256sums_uses_the_names_of_the_listing(client: TestClient, release: Release) -> None:
    sums = client.get("/dumps/SHA256SUMS").text.splitlines()
    pairs = {name: digest for digest, name in (line.split("  ", 1) for line in sums)}
    assert pairs[TTL] == sha256(file_bytes(release, TTL))
    assert "manifest.json" not in pairs and len(pairs) == len(release.files)


def test_manifest_is_published(client: TestClient, release: Release) -> None:
    assert client.get("/dumps/manifest.json").json() == release.manifest


def test_validation_report_is_published_with_the_release(
    client: TestClient, release: Release
) -> None:
    text = client.get("/dumps/validation-report.txt")
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert text.content == (release.path / "validation-report.txt").read_bytes()
    assert "Conforms" in text.text
    turtle = client.get("/dumps/validation-report.ttl")
    assert turtle.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE))
    shacl = "http://www.w3.org/ns/shacl#"
    conforms = [t for t in triples if t.predicate.value == shacl + "conforms"]
    assert conforms and conforms[0].object.value == "true"


def test_unknown_names_are_404(client: TestClient) -> None:
    for name in ("nothing.ttl", "..%2Fmanifest.json", "store", "%2e%2e%2fmanifest.json"):
        response = client.get(f"/dumps/{name}")
        assert response.status_code == 404, name


# One file: encodings


def test_dump_in_identity_encoding(client: TestClient, release: Release) -> None:
    response = client.get(f"/dumps/{TTL}", headers=IDENTITY)
    data = file_bytes(release, TTL)
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-length"] == str(len(data))
    assert response.headers["etag"] == f'"{sha256(data)}"'
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.headers["accept-ranges"] == "bytes"
    assert "content-encoding" not in response.headers


def test_gzip_round_trip(client: TestClient, release: Release) -> None:
    data = file_bytes(release, "negotiations-kg.nq")
    headers = {"Accept-Encoding": "gzip"}
    with client.stream("GET", "/dumps/negotiations-kg.nq", headers=headers) as response:
        raw = b"".join(response.iter_raw())
        assert response.headers["content-encoding"] == "gzip"
        assert response.headers["etag"] == f'W/"{sha256(data)}-gzip"'
        assert "Accept-Encoding" in response.headers["vary"]
        assert "content-length" not in response.headers
    assert len(raw) < len(data) / 3
    assert gzip.decompress(raw) == data


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [
        ("gzip", True),
        ("br, gzip;q=0.5", True),
        ("*", True),
        ("gzip;q=0", False),
        ("*, gzip;q=0", False),
        ("identity", False),
        ("br", False),
    ],
)
def test_gzip_only_when_accepted(accept_encoding: str, gzipped: bool) -> None:
    assert transfer.accepts_gzip(accept_encoding) is gzipped


def test_head_sends_the_headers_only(client: TestClient, release: Release) -> None:
    response = client.head(f"/dumps/{TTL}", headers=IDENTITY)
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-length"] == str(len(file_bytes(release, TTL)))
    gzipped = client.head(f"/dumps/{TTL}", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["content-encoding"] == "gzip"
    assert "content-length" not in gzipped.headers


# One file: conditional requests


def etag_of(release: Release, name: str) -> str:
    return f'"{sha256(file_bytes(release, name))}"'


def test_etag_answers_304(client: TestClient, release: Release) -> None:
    etag = etag_of(release, TTL)
    for tag in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get(f"/dumps/{TTL}", headers=IDENTITY | {"If-None-Match": tag})
        assert response.status_code == 304, tag
        assert response.content == b""
        assert response.headers["etag"] == etag
    changed = client.get(f"/dumps/{TTL}", headers={"If-None-Match": '"an-older-release"'})
    assert changed.status_code == 200


def test_gzip_etag_answers_304_with_the_tag_that_matched(client: TestClient) -> None:
    gzip_tag = client.get(f"/dumps/{TTL}", headers={"Accept-Encoding": "gzip"}).headers["etag"]
    response = client.get(f"/dumps/{TTL}", headers={"If-None-Match": gzip_tag})
    assert response.status_code == 304
    assert response.headers["etag"] == gzip_tag


def test_last_modified_and_if_modified_since(client: TestClient, release: Release) -> None:
    response = client.get(f"/dumps/{TTL}", headers=IDENTITY)
    last_modified = response.headers["last-modified"]
    created = dt.datetime.fromisoformat(release.manifest["created"])
    assert email.utils.parsedate_to_datetime(last_modified) == created
    same = client.get(f"/dumps/{TTL}", headers={"If-Modified-Since": last_modified})
    assert same.status_code == 304
    earlier = email.utils.format_datetime(created - dt.timedelta(seconds=1), usegmt=True)
    assert client.get(f"/dumps/{TTL}", headers={"If-Modified-Since": earlier}).status_code == 200
    garbage = client.get(f"/dumps/{TTL}", headers={"If-Modified-Since": "yesterday"})
    assert garbage.status_code == 200


def test_if_none_match_wins_over_if_modified_since(client: TestClient) -> None:
    last_modified = client.get(f"/dumps/{TTL}").headers["last-modified"]
    headers = {"If-None-Match": '"an-older-release"', "If-Modified-Since": last_modified}
    assert client.get(f"/dumps/{TTL}", headers=headers).status_code == 200


def test_if_match_fails_with_412(client: TestClient, release: Release) -> None:
    assert client.get(f"/dumps/{TTL}", headers={"If-Match": '"other"'}).status_code == 412
    matching = client.get(f"/dumps/{TTL}", headers={"If-Match": etag_of(release, TTL)})
    assert matching.status_code == 200


# One file: ranges


def test_range_answers_206_with_content_range(client: TestClient, release: Release) -> None:
    data = file_bytes(release, TTL)
    response = client.get(f"/dumps/{TTL}", headers={"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert response.content == data[100:200]
    assert response.headers["content-range"] == f"bytes 100-199/{len(data)}"
    assert response.headers["content-length"] == "100"
    assert response.headers["etag"] == f'"{sha256(data)}"'
    assert "content-encoding" not in response.headers  # ranges are of the identity encoding


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=0-0", 0, 1),
        ("bytes=-10", -10, None),
        ("bytes=1000-", 1000, None),
        ("bytes=5-999999999", 5, None),
        ("BYTES = 7 - 8", 7, 9),
    ],
)
def test_range_forms(
    client: TestClient, release: Release, header: str, start: int, stop: int | None
) -> None:
    data = file_bytes(release, TTL)
    response = client.get(f"/dumps/{TTL}", headers={"Range": header})
    assert response.status_code == 206
    assert response.content == data[start:stop]
    first = start if start >= 0 else len(data) + start
    last = (stop if stop is not None else len(data)) - 1
    assert response.headers["content-range"] == f"bytes {first}-{last}/{len(data)}"


def test_unsatisfiable_range_is_416(client: TestClient, release: Release) -> None:
    size = len(file_bytes(release, TTL))
    for header in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}", "bytes=-0"):
        response = client.get(f"/dumps/{TTL}", headers={"Range": header})
        assert response.status_code == 416, header
        assert response.headers["content-range"] == f"bytes */{size}"


def test_ranges_the_server_ignores(client: TestClient, release: Release) -> None:
    data = file_bytes(release, TTL)
    for header in ("bytes=0-9, 20-29", "bytes=9-0", "lines=1-2", "bytes=x-y"):
        response = client.get(f"/dumps/{TTL}", headers=IDENTITY | {"Range": header})
        assert response.status_code == 200, header
        assert response.content == data


def test_head_ignores_range(client: TestClient) -> None:
    response = client.head(f"/dumps/{TTL}", headers={"Range": "bytes=0-9"})
    assert response.status_code == 200


def test_if_range(client: TestClient, release: Release) -> None:
    data = file_bytes(release, TTL)
    etag = f'"{sha256(data)}"'
    last_modified = client.get(f"/dumps/{TTL}").headers["last-modified"]
    for validator, status in (
        (etag, 206),
        (last_modified, 206),
        ('"from-an-older-release"', 200),
        (f"W/{etag}", 200),  # If-Range compares strongly: a weak tag never matches
        ("Thu, 01 Jan 2015 00:00:00 GMT", 200),
    ):
        headers = IDENTITY | {"Range": "bytes=0-9", "If-Range": validator}
        response = client.get(f"/dumps/{TTL}", headers=headers)
        assert response.status_code == status, validator
        assert response.content == (data[:10] if status == 206 else data)


# Streaming in constant memory


def _consume(response: StreamingResponse) -> list[bytes]:
    async def collect() -> list[bytes]:
        return [bytes(chunk) async for chunk in response.body_iterator]  # type: ignore[arg-type]

    return asyncio.run(collect())


def _request(headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw})


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    data = b"".join(b"<urn:s%d> <urn:p> <urn:o> .\n" % i for i in range(600_000))  # ~16 MiB
    path = tmp_path_factory.mktemp("big") / "big.nt"
    path.write_bytes(data)
    return path, data


def _representation(path: Path, data: bytes) -> Representation:
    modified = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return Representation.of_file(path, len(data), sha256(data), "application/n-triples", modified)


def test_files_are_streamed_in_chunks(big_file: tuple[Path, bytes]) -> None:
    path, data = big_file
    response = transfer.send(_request(IDENTITY), _representation(path, data))
    assert isinstance(response, StreamingResponse)
    chunks = _consume(response)
    assert len(chunks) > 100 and max(map(len, chunks)) <= CHUNK
    assert b"".join(chunks) == data


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_streaming_uses_constant_memory(big_file: tuple[Path, bytes], encoding: str) -> None:
    path, data = big_file
    rep = _representation(path, data)
    tracemalloc.start()
    try:
        response = transfer.send(_request({"Accept-Encoding": encoding}), rep)
        assert isinstance(response, StreamingResponse)
        digest = hashlib.sha256()  # of what was sent; nothing keeps the chunks
        size = 0

        async def drain() -> None:
            nonlocal size
            async for chunk in response.body_iterator:
                assert isinstance(chunk, bytes)
                size += len(chunk)
                digest.update(chunk)

        asyncio.run(drain())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size == len(data) if encoding == "identity" else 0 < size < len(data)
    assert peak < 2 * 1024 * 1024, f"{peak} bytes at the peak for a {len(data)}-byte file"


# VoID


def test_void_is_turtle_by_default(client: TestClient, release: Release) -> None:
    response = client.get("/.well-known/void")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.content == (release.path / "void.ttl").read_bytes()
    assert response.headers["etag"].strip('W/"').startswith(release.files["void.ttl"]["sha256"])
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(
    ("accept", "media_type", "rdf_format"),
    [
        ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("text/*", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_void_by_content_negotiation(
    client: TestClient, release: Release, accept: str, media_type: str, rdf_format: ox.RdfFormat
) -> None:
    response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    got = set(ox.parse(response.content, format=rdf_format))
    expected = set(ox.parse(path=release.path / "void.ttl", format=ox.RdfFormat.TURTLE))
    assert len(got) == len(expected)  # blank nodes differ, so compare sizes and IRIs
    assert {t for t in got if not _has_blank(t)} == {t for t in expected if not _has_blank(t)}
    again = client.get(
        "/.well-known/void",
        headers={"Accept": accept, "If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def test_void_lists_the_dumps_with_their_checksums(client: TestClient, release: Release) -> None:
    void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    text = void.text
    for relative, info in release.files.items():
        if relative.startswith("dumps/"):
            assert f"/dumps/{relative.removeprefix('dumps/')}>" in text
            assert f'"{info["sha256"]}"' in text


def test_void_names_publisher_contact_service_and_examples(release: Release) -> None:
    text = (release.path / "void.ttl").read_text(encoding="utf-8")
    assert (
        "ns1:" not in text
        and "@prefix sd: <http://www.w3.org/ns/sparql-service-description#>" in text
    )
    void = ox.Store()
    void.load(path=release.path / "void.ttl", format=ox.RdfFormat.TURTLE)
    ask = """PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dcterms: <http://purl.org/dc/terms/>
    PREFIX void: <http://rdfs.org/ns/void#> PREFIX foaf: <http://xmlns.com/foaf/0.1/>
    PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
    PREFIX nkg: <https://w3id.org/negotiations-kg/ontology#>
    ASK {
      ?dataset dcterms:publisher [ a foaf:Agent ; foaf:name ?name ] ;
               dcat:contactPoint [ a vcard:Kind ; vcard:hasURL ?url ] ;
               void:exampleResource ?example .
      ?service a dcat:DataService ; dcat:endpointURL ?endpoint ; dcat:servesDataset ?dataset .
      FILTER(STRENDS(STR(?endpoint), "/sparql"))
      FILTER(STRSTARTS(STR(?example), "https://w3id.org/negotiations-kg/id/"))
    }"""
    assert void.query(ask)


def test_void_refuses_what_it_cannot_send(client: TestClient) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.text


# Over real HTTP


@pytest.mark.server
def test_resume_a_download_over_http(live_server: ServerProcess, release: Release) -> None:
    name = "negotiations-kg.nt"
    info = release.files[f"dumps/{name}"]
    url = f"{live_server.url}/dumps/{name}"
    with httpx2.Client(timeout=10) as http:
        first = http.get(url, headers={"Range": "bytes=0-99999"})
        assert first.status_code == 206
        rest = http.get(
            url,
            headers={"Range": "bytes=100000-", "If-Range": first.headers["etag"]} | IDENTITY,
        )
        assert rest.status_code == 206
        whole = first.content + rest.content
        gzipped = http.get(url, headers={"Accept-Encoding": "gzip"})
        listing = http.get(f"{live_server.url}/dumps/", headers={"Accept": "application/json"})
    assert (len(whole), sha256(whole)) == (info["size"], info["sha256"])
    assert gzipped.headers["content-encoding"] == "gzip" and gzipped.content == whole
    assert json.loads(listing.text)["release"] == release.id
