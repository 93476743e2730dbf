"""Property-based fuzzing of the whole app, in-process (issue 10): paths of every route
family, the request headers the server reads, query strings and bodies, SPARQL text
built from hostile fragments. Whatever comes in, the answer is never a 5xx other than
503 and 504, no body holds a traceback, and nothing is logged as an unexpected error.

Hypothesis (https://hypothesis.readthedocs.io) draws the requests; the runs are
derandomized and keep no example database, so CI replays the same requests every time.
The app runs over the session's fixture release with a short query time limit and small
result caps, so a runaway query or a huge result costs a second, not ten.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from urllib.parse import quote, quote_from_bytes

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kg.config import Settings
from kg.release import current

# KG_FUZZ_EXAMPLES=5000 KG_FUZZ_SEED=random to hunt for more than CI does
FUZZ = settings(
    max_examples=int(os.environ.get("KG_FUZZ_EXAMPLES", "100")),
    deadline=None,  # a request may wait for a query worker; time is bounded by the count
    derandomize=os.environ.get("KG_FUZZ_SEED") != "random",
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- the app ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_client(built_settings: Settings) -> Iterator[TestClient]:
    """The app over the session's release, with limits that keep every request short."""
    from kg.server.app import create_app

    tight = built_settings.with_(
        query_timeout=2.0, max_result_rows=500, max_result_bytes=200_000, query_workers=2
    )
    with TestClient(create_app(tight), base_url="http://testserver") as client:
        yield client


@pytest.fixture(scope="module")
def real_paths(built_settings: Settings) -> list[str]:
    """Local paths of IRIs the release holds: the fuzzer mutates them to reach past
    the first lookup into the pages, documents and their negotiation."""
    release = current(built_settings)
    base = built_settings.base_iri
    store = release.open_store()
    try:
        found = {
            "/" + term.value[len(base) :]
            for quad in store.quads_for_pattern(None, None, None)
            for term in (quad.subject, quad.graph_name)
            if isinstance(term, ox.NamedNode) and term.value.startswith(base)
        }
    finally:
        del store
    documents = {
        f"{prefix}{path.removeprefix('/id/')}{suffix}"
        for path in found
        if path.startswith("/id/")
        for prefix, suffix in (("/page/", ""), ("/data/", ".ttl"))
    }
    dumps = {f"/dumps/{name.removeprefix('dumps/')}" for name in release.files}
    return sorted(found | documents) + sorted(dumps) + [f"/release/{release.id}"]


class Problems:
    """What the server logged at ERROR or above while the fuzzer ran."""

    def __init__(self) -> None:
        self.records: list[logging.LogRecord] = []

    def clear(self) -> None:
        self.records.clear()


@pytest.fixture(scope="module")
def logged() -> Iterator[Problems]:
    problems = Problems()

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            problems.records.append(record)

    handler = Keep(level=logging.WARNING)
    server_log = logging.getLogger("kg")
    server_log.addHandler(handler)
    yield problems
    server_log.removeHandler(handler)


def check(response_status: int, body: bytes, problems: Problems, what: str) -> None:
    """The properties every answer has."""
    event(f"status {response_status}")  # the spread shows with --hypothesis-show-statistics
    assert response_status < 500 or response_status in (503, 504), (response_status, what)
    assert b"Traceback" not in body, what
    assert b'File "' not in body, what
    errors = [r.getMessage() for r in problems.records if r.levelno >= logging.ERROR]
    failed_late = [r.getMessage() for r in problems.records if "failed after" in r.getMessage()]
    problems.clear()
    assert not errors and not failed_late, (what, errors, failed_late)


# --- building blocks ----------------------------------------------------------------------

FAMILIES = [
    "/id/",
    "/id/state/",
    "/id/person/",
    "/page/",
    "/page/process/",
    "/data/",
    "/data/state/",
    "/graph/",
    "/concept/",
    "/ontology",
    "/ontology/",
    "/ontology.",
    "/release/",
    "/dataset",
    "/dataset.",
    "/static/",
    "/dumps/",
    "/.well-known/void",
    "/sparql",
    "/sparql/",
    "/query",
    "/query/",
    "/query/yasgui/",
    "/query/chart/",
    "/search",
    "/instances",
    "/",
    "//",
]

# Pieces of a path: percent-escapes of bytes no IRI holds, traversal, suffixes, length.
PATH_PIECES = [
    "a",
    "iran",
    "geneva-round",
    "%20",
    "%00",
    "%ff",
    "%fe%ff",
    "%5C",
    "%7B",
    "%3C%3E",
    "%2F",
    "%2e%2e",
    "..",
    "/",
    "//",
    ".",
    ".ttl",
    ".nt",
    ".jsonld",
    ".rdf",
    ".html",
    ".trig",
    ".gz",
    ".xyz",
    ";x=1",
    "%C3%A9",
    "é",
    "\u202e",
    "%E2%80%AE",
    "a" * 300,
    "%" + "41" * 3,
    "%",
    "%g0",
    "~",
    "@",
    ":",
]

path_tail = st.lists(st.sampled_from(PATH_PIECES), max_size=6).map("".join)
hostile_path = st.one_of(
    st.builds(lambda family, tail: family + tail, st.sampled_from(FAMILIES), path_tail),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="?#"), max_size=40).map(
        lambda text: "/" + quote(text, safe="/%;:@~")
    ),
)


def mutated(real_paths: list[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda path, tail: path + tail, st.sampled_from(real_paths), path_tail)


MEDIA = [
    "*/*",
    "text/html",
    "text/turtle",
    "text/plain",
    "text/csv",
    "text/tab-separated-values",
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/json",
    "application/xhtml+xml",
    "image/png",
    "text/*",
    "application/*",
    "*/html",
    "",
    "x",
    ";",
    "/",
]
q_value = st.sampled_from(["", ";q=0", ";q=0.5", ";q=1", ";q=abc", ";q=-1", ";q=1e9", ";q="])
accept = st.lists(st.builds(lambda m, q: m + q, st.sampled_from(MEDIA), q_value), max_size=4).map(
    ", ".join
)
accept_encoding = st.lists(
    st.builds(
        lambda c, q: c + q,
        st.sampled_from(["gzip", "br", "zstd", "deflate", "identity", "*", "x-bogus", ""]),
        q_value,
    ),
    max_size=4,
).map(", ".join)
if_none_match = st.one_of(
    st.just("*"),
    st.sampled_from(['""', '"x"', 'W/"x"', 'W/""', "x", '"' + "a" * 500 + '"', ",", "W/"]),
    st.lists(st.sampled_from(['"a"', 'W/"b"', "*", "", '"']), max_size=4).map(", ".join),
)
if_modified_since = st.sampled_from(
    [
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "Mon, 32 Jan 2020 25:61:61 GMT",
        "Tue, 01 Jan 2030 00:00:00 +0500",
        "Tue, 01 Jan 2030 00:00:00",
        "0",
        "-1",
        "yesterday",
        "",
        "Thu, 01 Jan 0000 00:00:00 GMT",
        "Thu, 01 Jan 99999 00:00:00 GMT",
    ]
)
range_header = st.one_of(
    st.sampled_from(
        [
            "bytes=0-",
            "bytes=-0",
            "bytes=0-0",
            "bytes=-1",
            "bytes=5-1",
            "bytes=0-1,2-3",
            "bytes=0-1, -1",
            "bytes=99999999999999999999-",
            "bytes=-99999999999999999999",
            "bytes=",
            "bytes=a-b",
            "items=0-1",
            "bytes=0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1",
            "bytes 0-1",
            "",
        ]
    ),
    st.builds(
        lambda a, b: f"bytes={a}-{b}",
        st.integers(-5, 10**7).map(str) | st.just(""),
        st.integers(-5, 10**7).map(str) | st.just(""),
    ),
)
content_type = st.sampled_from(
    [
        "application/sparql-query",
        "application/sparql-query; charset=utf-8",
        "application/sparql-query; charset=latin-1",
        "application/sparql-query; charset=bogus",
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=utf-16",
        "application/sparql-update",
        "multipart/form-data",
        "multipart/form-data; boundary=x",
        "text/plain",
        "application/json",
        "",
        ";",
        "application/sparql-query;;;",
    ]
)

# Any byte a header may carry on the wire (HTTP/1.1 field values are octets; servers
# decode them as Latin-1), in place of a well-formed value.
junk = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=40,
).map(lambda text: text.encode("latin-1"))


def header(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    encoded = strategy.map(str.encode)
    return st.one_of(encoded, encoded, encoded, junk)


headers: st.SearchStrategy[dict[bytes, bytes]] = st.fixed_dictionaries(
    {},
    optional={
        "Accept": header(accept),
        "Accept-Encoding": header(accept_encoding),
        "If-None-Match": header(if_none_match),
        "If-Modified-Since": header(if_modified_since),
        "Range": header(range_header),
        "If-Range": header(st.sampled_from(['"x"', "Thu, 01 Jan 1970 00:00:00 GMT", "x"])),
        "Origin": header(st.sampled_from(["http://evil.example", "null", ""])),
        "Accept-Language": junk,
        "Cookie": junk,
    },
).map(lambda fields: {name.encode(): value for name, value in fields.items()})

# --- SPARQL from hostile fragments ----------------------------------------------------------

DEPTHS = st.sampled_from([1, 2, 50, 199, 200, 201, 1000, 3000, 5000])


def nested(depth: int, shape: str) -> str:
    """A group pattern nested ``depth`` deep in one of the ways that crashed the engine."""
    triple = "?s ?p ?o"
    if shape == "braces":
        return "{" * depth + triple + "}" * depth
    if shape == "parens":
        return "{ FILTER(" + "(" * depth + "1" + ")" * depth + ") }"
    if shape == "negations":
        return "{ ?s " + "!" * depth + "<x> ?o }"
    if shape == "blank":
        return "{ ?s <p> " + "[ <p> " * depth + "1" + " ]" * depth + " }"
    if shape == "list":
        return "{ ?s <p> " + "(" * depth + "1" + ")" * depth + " }"
    if shape == "subselect":
        return "{ " + "SELECT * { " * depth + triple + " }" * depth + " }"
    if shape == "binds":
        return "{ " + "".join(f"BIND({i} AS ?v{i}) " for i in range(depth)) + "}"
    if shape == "unions":
        return "{ " + " UNION ".join(["{ " + triple + " }"] * max(depth, 1)) + " }"
    if shape == "plus":
        return "{ FILTER(1" + " + 1" * depth + ") }"
    return "{ " + " . ".join([triple] * depth) + " }"


SHAPES = [
    "braces",
    "parens",
    "negations",
    "blank",
    "list",
    "subselect",
    "binds",
    "unions",
    "plus",
    "triples",
]

FRAGMENTS = [
    "?s ?p ?o .",
    "?s a nkg:NegotiationRound .",
    "SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }",
    "SERVICE ?x { ?s ?p ?o }",
    "\\u0053ERVICE <http://127.0.0.1:9/sparql> { }",
    "SERVICE SILENT <http://example.org/sparql> { }",
    'FILTER(REGEX(STR(?o), "(a+)+$"))',
    'BIND("' + "x" * 5000 + '" AS ?long)',
    'BIND("""' + "\u00e9" * 2000 + '""" AS ?long)',
    'FILTER(?o = "\x00")',
    "FILTER(?o = '\\U0010FFFF')",
    "BIND(NOW() AS ?now)",
    "BIND(RAND() AS ?r)",
    "BIND(STRUUID() AS ?u)",
    "VALUES ?v { 1 2 3 }",
    "OPTIONAL { ?s <x> ?y }",
    "MINUS { ?s ?p 1 }",
    "?a ?b ?c . ?d ?e ?f .",
    "GRAPH ?g { ?s ?p ?o }",
    "FILTER(<file:///etc/passwd>)",
]
BREAKERS = ["{", "}", "(", "#", "<", '"', "'", "\\", "\\u", "?", "$", "^^", "@"]
QUERY_HEADS = [
    "SELECT * WHERE ",
    "SELECT ?s WHERE ",
    "SELECT (COUNT(*) AS ?n) WHERE ",
    "SELECT DISTINCT ?s ?p ?o FROM <http://127.0.0.1:9/> WHERE ",
    "ASK ",
    "CONSTRUCT WHERE ",
    "CONSTRUCT { ?s ?p ?o } WHERE ",
    "DESCRIBE ?s WHERE ",
    "DESCRIBE <https://w3id.org/negotiations-kg/id/state/iran>",
    "LOAD <http://127.0.0.1:9/x> ",
    "INSERT DATA { <a> <b> <c> } ",
    "DROP ALL ",
    "BASE <x:> PREFIX : <%00> SELECT * WHERE ",
    "PREFIX nkg: <> SELECT * ",
    "",
]
QUERY_TAILS = [
    "",
    " LIMIT 10",
    " LIMIT 99999999999999999999999",
    " LIMIT 100000",
    " OFFSET 99999999999",
    " LIMIT -1",
    " ORDER BY ?s",
    " GROUP BY ?s",
    " #" + "c" * 100,
]


@st.composite
def sparql_text(draw: st.DrawFn) -> bytes:
    """A query: a head, a body of fragments or one nested deep, a tail; sometimes with a
    byte that is no UTF-8, a NUL, or more text than the endpoint takes."""
    head = draw(st.sampled_from(QUERY_HEADS))
    if draw(st.booleans()):
        body = nested(draw(DEPTHS), draw(st.sampled_from(SHAPES)))
    else:
        body = "{ " + " ".join(draw(st.lists(st.sampled_from(FRAGMENTS), max_size=5))) + " }"
    text = (head + body + draw(st.sampled_from(QUERY_TAILS))).encode("utf-8")
    spoil = draw(
        st.sampled_from(["", "", "", "", "bad-utf8", "nul", "huge", "bom", "cut", "garble"])
    )
    if spoil == "bad-utf8":
        text = text[:10] + b"\xff\xfe\xc3" + text[10:]
    elif spoil == "nul":
        text = text.replace(b" ", b"\x00", 1)
    elif spoil == "huge":
        text += b" #" + b"x" * 200_000
    elif spoil == "bom":
        text = b"\xef\xbb\xbf" + text
    elif spoil == "garble":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(BREAKERS)).encode() + text[at:]
    elif spoil == "cut":
        text = text[: draw(st.integers(0, max(len(text) - 1, 0)))]
    return text


query_params: st.SearchStrategy[dict[str, str]] = st.just({}) | st.fixed_dictionaries(
    {},
    optional={
        "format": st.sampled_from(
            [
                "json",
                "xml",
                "csv",
                "tsv",
                "turtle",
                "nt",
                "jsonld",
                "trig",
                "nq",
                "rdfxml",
                "html",
                "",
                "bogus",
                "../x",
            ]
        ),
        "default-graph-uri": st.sampled_from(
            ["https://w3id.org/negotiations-kg/graph/x", "not an iri", "%00", ""]
        ),
        "named-graph-uri": st.sampled_from(["urn:x", "<>", ""]),
        "timeout": st.sampled_from(["0", "-1", "1e99"]),
    },
)


def encoded(params: dict[str, str], query: bytes | None) -> str:
    pairs = [f"{quote(k)}={quote(v)}" for k, v in params.items()]
    if query is not None:
        pairs.append("query=" + quote_from_bytes(query))
    return "&".join(pairs)


# --- the properties ---------------------------------------------------------------------------


@FUZZ
@given(path=hostile_path, request_headers=headers, method=st.sampled_from(["GET", "HEAD"]))
def test_any_path_and_headers(
    fuzz_client: TestClient,
    logged: Problems,
    path: str,
    request_headers: dict[bytes, bytes],
    method: str,
) -> None:
    url = "http://testserver" + path  # a path that starts with // names no host
    response = fuzz_client.request(method, url, headers=request_headers, follow_redirects=False)
    check(response.status_code, response.content, logged, f"{method} {path} {request_headers}")


@FUZZ
@given(data=st.data(), request_headers=headers)
def test_real_paths_mutated(
    fuzz_client: TestClient,
    logged: Problems,
    real_paths: list[str],
    data: st.DataObject,
    request_headers: dict[bytes, bytes],
) -> None:
    path = data.draw(mutated(real_paths))
    extra = data.draw(
        st.sampled_from(
            ["", "?format=ttl", "?type=quote", "?type=%00", "?q=%ff", "?x=" + "y" * 9000]
        )
    )
    response = fuzz_client.get(path + extra, headers=request_headers, follow_redirects=False)
    check(response.status_code, response.content, logged, f"GET {path}{extra} {request_headers}")


@FUZZ
@given(
    family=st.sampled_from(["/search", "/instances", "/query", "/", "/page/process/x", "/dumps/"]),
    params=st.dictionaries(
        st.sampled_from(
            [
                "q",
                "class",
                "type",
                "language",
                "format",
                "limit",
                "offset",
                "query",
                "page",
                "sort",
                "lang",
            ]
        ),
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(["-1", "0", "99999999999999999999", "%ff", "\x00", "a" * 3000]),
        ),
        max_size=4,
    ),
    request_headers=headers,
)
def test_query_strings_of_the_pages(
    fuzz_client: TestClient,
    logged: Problems,
    family: str,
    params: dict[str, str],
    request_headers: dict[bytes, bytes],
) -> None:
    url = family + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items())
    response = fuzz_client.get(url, headers=request_headers, follow_redirects=False)
    check(response.status_code, response.content, logged, f"GET {url} {request_headers}")


@FUZZ
@given(
    query=sparql_text(),
    params=query_params,
    how=st.sampled_from(["get", "get", "form", "direct", "direct", "odd-type", "no-type"]),
    request_headers=headers,
    body_type=content_type,
)
def test_sparql_requests(
    fuzz_client: TestClient,
    logged: Problems,
    query: bytes,
    params: dict[str, str],
    how: str,
    request_headers: dict[bytes, bytes],
    body_type: str,
) -> None:
    sent = {k: v for k, v in request_headers.items() if k != b"Range"}
    if how == "get" and len(query) < 20_000:  # a client's URL is no longer than that
        response = fuzz_client.get("/sparql?" + encoded(params, query), headers=sent)
    elif how in ("get", "form"):
        sent[b"Content-Type"] = b"application/x-www-form-urlencoded"
        body = encoded(params, query).encode("ascii")
        response = fuzz_client.post("/sparql", content=body, headers=sent)
    else:
        if how != "no-type":
            sent[b"Content-Type"] = (
                b"application/sparql-query" if how == "direct" else body_type.encode()
            )
        url = "/sparql?" + encoded(params, None)
        response = fuzz_client.post(url, content=query, headers=sent)
    what = f"{how} {query[:300]!r} {params} {sent}"
    check(response.status_code, response.content, logged, what)
