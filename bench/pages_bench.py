"""Measure the pages people open: their size on the wire (identity, gzip, brotli) and
the time to render them, on the fixture corpus and on a corpus grown with generated
negotiations, through a real ``kg serve``, in one run.

    python -m bench.pages_bench [--negotiations 20] [--requests 30] [--write docs/benchmarks.md]

Each page is asked ``--requests`` times, one at a time, without ``If-None-Match`` (so
it is rendered every time: pages have no cache but the client's); the median and the
90th percentile are reported. Beside each dossier, the same eleven SPARQL queries it is
made from are sent to ``/sparql`` (results cache off): the ratio says what rendering the
page costs on top of answering its queries.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import brotli
import httpx2

from bench.build_bench import machine, write
from bench.generate import generate

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
MARKERS = ("<!-- begin pages -->", "<!-- end pages -->")
PAGES = (
    ("home", "/"),
    ("dossier (US–Iran)", "/page/process/us-iran-nuclear-talks-2026"),
    ("person", "/page/person/abbas-araghchi"),
    ("source document", "/page/source/2026-02-17-us-iran-geneva-round-2"),
    ("search (JSON)", "/search?search=arag&format=json"),
    ("query UI", "/query"),
)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(seeds: Path, data: Path) -> Iterator[str]:
    env = os.environ | {
        "KG_SEEDS_DIR": str(seeds), "KG_DATA_DIR": str(data), "KG_WORKERS": "1",
        "KG_QUERY_WORKERS": "1", "KG_CACHE_BYTES": "0",
    }  # fmt: skip
    kg = [sys.executable, "-m", "kg.cli"]
    subprocess.run([*kg, "build", "-q"], env=env, cwd=ROOT, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [*kg, "serve", "--port", str(port)], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx2.get(url + "/sparql", timeout=1.0)
                break
            except httpx2.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def wire(client: httpx2.Client, path: str, coding: str) -> bytes:
    with client.stream("GET", path, headers={"Accept-Encoding": coding}) as response:
        response.raise_for_status()
        return b"".join(response.iter_raw())


def timed(client: httpx2.Client, path: str, requests: int) -> list[float]:
    client.get(path)  # the first request opens the store's pages and the templates
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(path, headers={"Accept-Encoding": "identity"}).raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    return times


def dossier_queries(client: httpx2.Client, path: str) -> list[str]:
    html = client.get(path).text
    found = []
    for part in html.split('href="')[1:]:
        href = part.split('"', 1)[0].replace("&amp;", "&")
        if "query?query=" in href:
            found.append(urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)["query"][0])
    return found


def measure(url: str, pages: list[tuple[str, str]], requests: int) -> list[dict[str, object]]:
    rows = []
    with httpx2.Client(base_url=url, timeout=60) as client:
        for name, path in pages:
            plain = wire(client, path, "identity")
            packed_gzip, packed_br = wire(client, path, "gzip"), wire(client, path, "br")
            assert gzip.decompress(packed_gzip) == brotli.decompress(packed_br) == plain
            times = timed(client, path, requests)
            row: dict[str, object] = {
                "page": name, "bytes": len(plain), "gzip": len(packed_gzip),
                "br": len(packed_br), "median_ms": statistics.median(times),
                "p90_ms": statistics.quantiles(times, n=10)[-1],
            }  # fmt: skip
            if path.startswith("/page/process/"):
                queries = dossier_queries(client, path)
                start = time.perf_counter()
                for _ in range(requests):
                    for query in queries:
                        client.get("/sparql", params={"query": query}).raise_for_status()
                row["queries_ms"] = (time.perf_counter() - start) * 1000 / requests
                row["queries"] = len(queries)
            rows.append(row)
    return rows


def table(title: str, rows: list[dict[str, object]]) -> str:
    lines = [
        f"**{title}**",
        "",
        "| page | bytes | gzip | brotli | render, median | p90 | its queries via /sparql "
        "| page ÷ queries |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        queries = f"{r['queries_ms']:.1f} ms ({r['queries']})" if "queries_ms" in r else ""
        ratio = (
            f"{float(str(r['median_ms'])) / float(str(r['queries_ms'])):.2f}×"
            if "queries_ms" in r
            else ""
        )
        lines.append(
            f"| {r['page']} | {r['bytes']:,} | {r['gzip']:,} | {r['br']:,} | "
            f"{float(str(r['median_ms'])):.1f} ms | {float(str(r['p90_ms'])):.1f} ms | "
            f"{queries} | {ratio} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages_bench")
    parser.add_argument("--negotiations", type=int, default=20, help="generated ones to add")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--write", type=Path, help="put the tables into this Markdown file")
    args = parser.parse_args(argv)
    blocks = []
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        with served(CORPUS, base / "fixture") as url:
            blocks.append(table("The fixture corpus", measure(url, list(PAGES), args.requests)))
        grown = base / "grown"
        generate(grown, negotiations=args.negotiations, seed=0)
        with served(grown, base / "grown-var") as url:
            with httpx2.Client(base_url=url) as client:
                first = client.get("/").text.split('href="./page/process/', 1)[1].split('"', 1)[0]
            pages = [("home", "/"), ("a dossier", f"/page/process/{first}"),
                     ("search (JSON)", "/search?search=minister&format=json")]  # fmt: skip
            title = f"A generated corpus of {args.negotiations} negotiations"
            blocks.append(table(title, measure(url, pages, args.requests)))
    info = machine()
    head = ", ".join(f"{k} {v}" for k, v in info.items())
    block = "\n\n".join([f"Measured {time.strftime('%Y-%m-%d')} on {head}.", *blocks])
    print(block)
    if args.write:
        write(args.write, block, MARKERS)
    shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
