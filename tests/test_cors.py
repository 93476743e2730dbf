"""kg/server/cors.py answers as Starlette's CORS middleware with the same options does,
header for header, on simple requests and preflights alike."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from kg.server.cors import OPTIONS, PublicCORS


async def plain(request: Request) -> Response:
    return PlainTextResponse("plain")


async def varied(request: Request) -> Response:
    response = PlainTextResponse("varied", headers={"Vary": "Accept"})
    response.headers.append("Vary", "Accept-Encoding")
    return response


async def own_cors(request: Request) -> Response:
    return PlainTextResponse(
        "own", headers={"Access-Control-Allow-Origin": "https://x.y", "X-Other": "1"}
    )


ROUTES = [
    Route("/plain", plain, methods=["GET", "POST", "OPTIONS"]),
    Route("/varied", varied),
    Route("/own", own_cors),
]
REQUESTS = [
    ("GET", "/plain", {}),
    ("GET", "/plain", {"Origin": "https://example.org"}),
    ("POST", "/plain", {"Origin": "null"}),
    ("GET", "/varied", {}),
    ("GET", "/varied", {"Origin": "https://example.org"}),
    ("GET", "/own", {"Origin": "https://example.org"}),
    ("GET", "/missing", {"Origin": "https://example.org"}),
    ("OPTIONS", "/plain", {}),
    ("OPTIONS", "/plain", {"Origin": "https://example.org"}),
    (
        "OPTIONS",
        "/plain",
        {
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-custom",
        },
    ),
    ("OPTIONS", "/plain", {"Origin": "https://a.b", "Access-Control-Request-Method": "PUT"}),
]


@pytest.mark.parametrize(("method", "path", "headers"), REQUESTS)
def test_the_same_answer_as_starlettes(method: str, path: str, headers: dict[str, str]) -> None:
    theirs = TestClient(CORSMiddleware(Starlette(routes=ROUTES), **OPTIONS))
    ours = TestClient(PublicCORS(Starlette(routes=ROUTES)))
    expected = theirs.request(method, path, headers=headers)
    got = ours.request(method, path, headers=headers)
    assert got.status_code == expected.status_code
    assert got.headers.multi_items() == expected.headers.multi_items()
    assert got.content == expected.content
