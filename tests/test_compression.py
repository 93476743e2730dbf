"""Every response over 1 KB is compressed for a client that accepts it (RFC 9110, section
8.4.1): brotli or gzip (zstd first where accepted), with its own ETag, never combined
with a range; small responses and clients that accept nothing stay identity."""

from __future__ import annotations

import gzip
import urllib.parse

import brotli
import httpx2
import pytest
from fastapi.testclient import TestClient

from kg.server.compression import MINIMUM_SIZE

from .conftest import ServerProcess

QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 200"
# Pages, data, results, listings and the UI's files: each well over 1 KB.
PATHS = (
    "/",
    "/ontology",
    "/ontology.ttl",
    "/dumps/",
    "/.well-known/void",
    "/sparql",  # the service description
    "/sparql?" + urllib.parse.urlencode({"query": QUERY}),
    "/sparql?" + urllib.parse.urlencode({"query": QUERY, "format": "csv"}),
    "/sparql?" + urllib.parse.urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 200"}),
    "/query",
    "/query/config.json",
    "/static/pages.css",
)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_every_response_over_1kb_is_compressed(client: TestClient, path: str, coding: str) -> None:
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200, plain.text
    assert "content-encoding" not in plain.headers
    assert len(plain.content) > MINIMUM_SIZE
    packed = client.get(path, headers={"Accept-Encoding": coding})
    assert packed.headers["content-encoding"] == coding
    assert "Accept-Encoding" in packed.headers["vary"]
    assert packed.content == plain.content  # the client decodes it
    # Its own validator, as for the dumps: the identity tag does not match it.
    assert packed.headers["etag"] != plain.headers["etag"]
    again = client.get(
        path, headers={"Accept-Encoding": coding, "If-None-Match": packed.headers["etag"]}
    )
    assert again.status_code == 304


def test_brotli_is_preferred_to_gzip_and_is_smaller(live_server: ServerProcess) -> None:
    """Over a real connection, the bytes on the wire: a browser's Accept-Encoding."""
    with httpx2.Client(base_url=live_server.url) as http:
        for path in ("/", "/sparql?" + urllib.parse.urlencode({"query": QUERY})):
            with http.stream("GET", path, headers={"Accept-Encoding": "gzip, deflate, br"}) as r:
                wire_br = b"".join(r.iter_raw())
                assert r.headers["content-encoding"] == "br"
            with http.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as r:
                wire_gzip = b"".join(r.iter_raw())
                assert r.headers["content-encoding"] == "gzip"
            plain = http.get(path, headers={"Accept-Encoding": "identity"}).content
            assert brotli.decompress(wire_br) == plain == gzip.decompress(wire_gzip)
            assert len(wire_br) < len(wire_gzip) < len(plain) / 2


def test_small_responses_stay_identity(client: TestClient) -> None:
    ask = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept-Encoding": "br"})
    assert ask.status_code == 200 and len(ask.content) < MINIMUM_SIZE
    assert "content-encoding" not in ask.headers


def test_a_range_is_never_compressed(client: TestClient) -> None:
    response = client.get(
        "/dumps/negotiations-kg.nt",
        headers={"Accept-Encoding": "br, gzip", "Range": "bytes=0-4999"},
    )
    assert response.status_code == 206
    assert "content-encoding" not in response.headers
    assert len(response.content) == 5000


def test_cors_clients_may_read_content_range(client: TestClient) -> None:
    response = client.get(
        "/dumps/negotiations-kg.nt", headers={"Origin": "https://example.org", "Range": "bytes=0-9"}
    )
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert {"content-range", "etag"} <= exposed
