"""Requests a hostile or clumsy client sends (issue 10): each once answered 500, hung a
connection, or logged a traceback. Each gets a 4xx with one line, from the one error
path (kg.server.failures), and the server goes on answering."""

from __future__ import annotations

import ast
import socket
import time
from collections.abc import Iterator

import httpx2
import pytest
from fastapi.testclient import TestClient

from kg.config import Settings
from tests.conftest import ROOT, ServerProcess

# Paths whose IRI holds a character no IRI may hold (RFC 3987): each was a 500 with two
# tracebacks in the log (ValueError: Invalid IRI code point from ox.NamedNode).
NOT_IRIS = [
    "/id/state/a%20b",
    "/graph/a%20b",
    "/concept/a%5Cb",
    "/release/%ff",
    "/page/state/a%20b",
    "/data/concept/a%7Bb",
    "/ontology/%00",
    "/id/state/iran%20.ttl",
    "/data/state/a%20b.ttl",
    "/page/graph/%3C%3E",
]


@pytest.mark.parametrize("path", NOT_IRIS)
@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "*/*"])
def test_a_path_that_is_no_iri_is_a_404(client: TestClient, path: str, accept: str) -> None:
    response = client.get(path, headers={"Accept": accept}, follow_redirects=False)
    assert response.status_code == 404, response.text
    assert "Traceback" not in response.text
    if accept == "text/turtle":  # not a browser: one line
        assert "is not an IRI" in response.text
        assert response.text.count("\n") == 1
    else:
        assert response.headers["content-type"].startswith("text/html")


def test_a_long_static_file_name_is_a_404(client: TestClient) -> None:
    """Once OSError: [Errno 36] File name too long, a 500."""
    for name in ("a" * 300, "a" * 5000, "..%2Fpages.css", ".hidden", "%00"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 404, (name[:20], response.status_code)
        assert response.text.count("\n") == 1
    assert client.get("/static/pages.css").status_code == 200


def test_framework_errors_take_the_one_path(client: TestClient) -> None:
    """404 and 405 raised by the router itself are plain one-line text, like ours."""
    response = client.post("/dumps/")
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.count("\n") == 1
    missing = client.get("/nowhere/at/all", headers={"Accept": "text/plain"})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/plain")


def test_no_module_of_the_server_builds_an_error_response_itself() -> None:
    """One error path: errors are raised (kg.errors) and answered by kg.server.failures
    alone; no HTTPException, no hand-made error response anywhere else."""
    offenders = []
    for path in sorted((ROOT / "kg" / "server").rglob("*.py")):
        if path.name == "failures.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = _called_or_imported(node)
            if name in ("HTTPException", "PlainTextResponse"):
                offenders.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)} {name}")
            if isinstance(node, ast.keyword) and node.arg == "status_code":
                value = node.value
                if (
                    isinstance(value, ast.Constant)
                    and isinstance(value.value, int)
                    and value.value >= 400
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{value.lineno} status_code")
    assert not offenders, offenders


def _called_or_imported(node: ast.AST) -> str | None:
    if isinstance(node, ast.ImportFrom):
        names = [a.name for a in node.names]
        return next((n for n in names if n in ("HTTPException", "PlainTextResponse")), None)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id
    return None


# --- against a real `kg serve`: connections, timeouts, disconnects ---------------------


def raw(port: int, data: bytes, wait: float = 5.0) -> bytes:
    """Send ``data`` on a new connection; what comes back until the server closes it
    (or ``wait`` seconds pass)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        chunks = []
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def closed_within(port: int, data: bytes, seconds: float) -> bool:
    """Whether the server closes a connection that sent ``data`` within ``seconds``."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(data)
        sock.settimeout(seconds)
        try:
            while sock.recv(65536):
                pass
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True
        return True


@pytest.fixture(scope="module")
def strict_server(built_settings: Settings) -> Iterator[ServerProcess]:
    """A real server that gives a client one second for headers, one for a body."""
    server = ServerProcess(built_settings.with_(header_timeout=1.0, body_timeout=1.0))
    yield server
    server.stop()


@pytest.mark.server
def test_a_huge_declared_body_is_refused_at_once(strict_server: ServerProcess) -> None:
    """Content-Length: 1e12 once hung the connection: the ETag middleware read the body
    before the endpoint looked at its size."""
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 1000000000000\r\n\r\nASK {}"
    )
    started = time.monotonic()
    answer = raw(strict_server.port, request, wait=5.0)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"connection: close" in answer.lower()
    assert time.monotonic() - started < 0.9  # refused before the 1 s body timeout
    for path in (b"/", b"/dumps/"):  # any route, not only the endpoint
        other = raw(strict_server.port, b"GET " + path + request[len(b"POST /sparql") :])
        assert other.startswith(b"HTTP/1.1 413"), other[:100]


@pytest.mark.server
def test_headers_that_never_end_are_cut_off(strict_server: ServerProcess) -> None:
    assert closed_within(strict_server.port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ", 5.0)
    assert closed_within(strict_server.port, b"", 5.0)  # a connection that says nothing


@pytest.mark.server
def test_a_body_that_never_ends_is_a_408(strict_server: ServerProcess) -> None:
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 100\r\n\r\nASK {"
    )
    answer = raw(strict_server.port, request, wait=5.0)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"KG_BODY_TIMEOUT" in answer


@pytest.mark.server
def test_a_client_leaving_mid_body_is_no_error(strict_server: ServerProcess) -> None:
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 1000\r\n\r\nASK {"
    )
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", strict_server.port)) as sock:
            sock.sendall(request)
    time.sleep(0.3)
    response = httpx2.get(strict_server.url + "/sparql", params={"query": "ASK {}"})
    assert response.status_code == 200  # still serving
    log = strict_server.output()
    assert "Traceback" not in log
    assert "unexpected" not in log.lower()


@pytest.mark.server
def test_slow_clients_do_not_hold_the_server(strict_server: ServerProcess) -> None:
    """Fifty connections that trickle headers are all closed; a normal request is
    answered meanwhile."""
    sockets = []
    try:
        for _ in range(50):
            sock = socket.create_connection(("127.0.0.1", strict_server.port))
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            sockets.append(sock)
        response = httpx2.get(strict_server.url + "/sparql", params={"query": "ASK {}"})
        assert response.status_code == 200
        time.sleep(2.5)
        for sock in sockets:
            sock.settimeout(2.0)
            assert sock.recv(100) == b""  # closed by the server
    finally:
        for sock in sockets:
            sock.close()
