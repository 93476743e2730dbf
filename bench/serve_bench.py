"""Measure `kg serve` side by side with other SPARQL servers, on the same data, in one run.

    python -m bench.serve_bench --triples 1000000 [--write docs/benchmarks.md]

A synthetic corpus (bench/generate.py) is built into a release with ``kg build``. Then,
one server at a time, on loopback:

* ``kg serve`` over that release, twice: with its result cache off (for the cold runs)
  and on, as configured by default (for the warm runs);
* Oxigraph's own server (PyPI ``oxigraph``, ``serve-read-only --union-default-graph``)
  over the very store files of the release;
* rdflib-endpoint (PyPI ``rdflib-endpoint``, installed into a virtual environment of
  its own, so that it does not touch the project's pinned versions), serving the
  release's N-Triples dump and its VoID (the store's ``void`` graph) from rdflib's
  in-memory store;
* Virtuoso (Debian ``virtuoso-opensource``), when ``virtuoso-t`` is on the PATH, with
  the same two files bulk-loaded into one graph.

Each gets the query mix of ``QUERIES`` by HTTP GET from wrk (Debian ``wrk``), a separate
process, at each concurrency: **cold**, every request a different variant of the query
(another round, process or word) and kg's cache off; **warm**, the same query repeated,
kg's cache on. Before each measured run, the same requests are sent for ``--warmup``
seconds at concurrency 1 and not counted. Before any load, one request of each query
is sent to every server and the number of results compared with Oxigraph's: a server
that answers differently is marked in the table.

Measured: requests per second, median and 99th-percentile latency (wrk's own
histogram), errors, the machine's 1-minute load average after each run (the lowest and
highest per server: the machine may be shared), and the memory of the server: the
proportional set size (PSS) of its process and all its children, sampled every 200 ms,
so that pages the processes share are counted once. Ratios are to Oxigraph's server.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.build_bench import machine, negotiations_for, write
from bench.generate import generate
from bench.memory import PeakSampler, pss_bytes

ROOT = Path(__file__).resolve().parent.parent
MARKERS = ("<!-- begin serve figures -->", "<!-- end serve figures -->")
RDFLIB_ENDPOINT = "rdflib-endpoint[cli]==0.6.3"
JSON_RESULTS = "application/sparql-results+json"
TURTLE = "text/turtle"
BENCH_GRAPH = "http://example.org/bench"  # the graph Virtuoso loads the dump into


# --- the query mix ------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A query of the mix: its template, filled with one value per variant."""

    name: str
    description: str
    template: str
    accept: str
    parameter: str  # which list of values fills {value}: rounds, processes, words, numbers


QUERIES = (
    Query(
        "point lookup",
        "every property of one round",
        "SELECT ?p ?o WHERE {{ <{value}> ?p ?o }}",
        JSON_RESULTS,
        "rounds",
    ),
    Query(
        "selective join",
        "who took part in the rounds of one process, in what role (5 patterns)",
        """PREFIX nkg: <{nkg}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?round ?name ?role WHERE {{
  ?round nkg:partOf <{value}> .
  ?participation nkg:event ?round ; nkg:agent ?agent ; nkg:role ?r .
  ?agent rdfs:label ?name .
  ?r skos:prefLabel ?role .
}}""",
        JSON_RESULTS,
        "processes",
    ),
    Query(
        "aggregate",
        "triples per predicate over the whole graph",
        "SELECT ?p (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} GROUP BY ?p HAVING (COUNT(*) >= {value})",
        JSON_RESULTS,
        "numbers",
    ),
    Query(
        "text filter",
        "labels containing a word, case-insensitive (a scan of every label)",
        """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?label WHERE {{
  ?s rdfs:label ?label FILTER(CONTAINS(LCASE(STR(?label)), "{value}"))
}}""",
        JSON_RESULTS,
        "words",
    ),
    Query(
        "CONSTRUCT",
        "the positions taken in one process, as Turtle",
        """PREFIX nkg: <{nkg}>
CONSTRUCT {{ ?position ?p ?o }} WHERE {{ ?position nkg:positionIn <{value}> ; ?p ?o }}""",
        TURTLE,
        "processes",
    ),
)


def parameters(store_path: Path, nkg: str, seed: int) -> dict[str, list[str]]:
    """The values the variants are made of, read from the release's store."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_path))
    person = "SELECT DISTINCT ?w WHERE { ?s a <https://schema.org/Person> ;"
    person += " <http://www.w3.org/2004/02/skos/core#altLabel> ?w }"
    values = {
        "rounds": _column(store, f"SELECT ?r WHERE {{ ?r a <{nkg}NegotiationRound> }}"),
        "processes": _column(store, f"SELECT ?p WHERE {{ ?p a <{nkg}NegotiationProcess> }}"),
        "words": sorted({w.lower() for w in _column(store, person)}),
        "numbers": [str(n) for n in range(1, 201)],
    }
    shuffle = random.Random(seed)
    for items in values.values():
        shuffle.shuffle(items)
    return values


def triple_count(store_path: Path) -> int:
    """Triples of the union of all graphs: what every server is given."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_path))
    rows = store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    count = next(iter(rows))[0]
    assert isinstance(count, ox.Literal)
    return int(count.value)


def _column(store: Any, query: str) -> list[str]:
    rows = store.query(query, use_default_graph_as_union=True)
    return sorted(str(row[0].value) for row in rows)


def variants(query: Query, values: dict[str, list[str]], nkg: str, limit: int) -> list[str]:
    return [query.template.format(value=v, nkg=nkg) for v in values[query.parameter][:limit]]


# --- servers ----------------------------------------------------------------------------


@dataclass
class Server:
    """One server under test: how to start it, where its SPARQL endpoint is."""

    name: str
    command: list[str]
    port: int
    path: str = "/sparql"
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = ROOT
    startup_timeout: float = 120.0
    log: Path | None = None
    params: dict[str, str] = field(default_factory=dict)  # added to every request

    def request_path(self, query: str) -> str:
        return f"{self.path}?{urllib.parse.urlencode({'query': query} | self.params)}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"


@contextmanager
def running(server: Server) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``server`` in its own process group; stop it, children included."""
    log = (server.log or Path(os.devnull)).open("ab")
    process = subprocess.Popen(
        server.command,
        cwd=server.cwd,
        env=os.environ | server.env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_ready(server, process)
        yield process
    finally:
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
            try:
                os.killpg(process.pid, sig)
                process.wait(wait)
                break
            except (ProcessLookupError, subprocess.TimeoutExpired):
                continue
        log.close()


def wait_ready(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + server.startup_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{server.name} exited with {process.returncode}; see {server.log}")
        try:
            ask(server, "ASK { ?s ?p ?o }")
            return
        except urllib.error.HTTPError as error:  # it answers, but not as a SPARQL endpoint
            raise SystemExit(f"{server.name}: {server.url} answered {error.code}") from error
        except (OSError, urllib.error.URLError):
            time.sleep(0.5)
    raise SystemExit(f"{server.name} did not answer within {server.startup_timeout:.0f} s")


def ask(server: Server, query: str, accept: str = JSON_RESULTS, timeout: float = 600) -> bytes:
    url = f"http://127.0.0.1:{server.port}{server.request_path(query)}"
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body: bytes = response.read()
        return body


def count_results(body: bytes, accept: str) -> int:
    """Rows of a SELECT (JSON results) or triples of a CONSTRUCT (Turtle)."""
    if accept == JSON_RESULTS:
        return len(json.loads(body)["results"]["bindings"])
    import pyoxigraph as ox

    return sum(1 for _ in ox.parse(body, format=ox.RdfFormat.TURTLE))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def tool(name: str) -> str | None:
    """A command from this virtual environment, else from the PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def peers_venv(work: Path) -> Path:
    """rdflib-endpoint in a virtual environment of its own (its rdflib and FastAPI
    versions are not the project's business)."""
    venv = work / "peers-venv"
    command = venv / "bin" / "rdflib-endpoint"
    if not command.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", RDFLIB_ENDPOINT], check=True)
    return command


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
DirsAllowed = ., {dir}/data
NumberOfBuffers = 340000
MaxDirtyBuffers = 250000
ThreadsPerQuery = 2
MaxClientConnections = 16

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 16
MaxClientConnections = 16

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 120
"""


def virtuoso(work: Path, files: list[Path], checksum: str) -> Server | None:
    """Virtuoso with ``files`` loaded into one graph, its default graph for every
    request (else its own system graphs are queried too), when Debian's
    virtuoso-opensource is installed."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not binary or not isql:
        return None
    folder = work / "virtuoso"
    loaded = folder / "loaded.sha256"
    if not loaded.exists() or loaded.read_text() != checksum:
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    isql_port, http_port = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(
        VIRTUOSO_INI.format(dir=folder, isql_port=isql_port, http_port=http_port)
    )
    server = Server(
        "Virtuoso",
        [binary, "-f", "-c", str(folder / "virtuoso.ini")],
        http_port,
        cwd=folder,
        startup_timeout=300,
        log=folder / "server.out",
        params={"default-graph-uri": BENCH_GRAPH},
    )
    if not loaded.exists():
        data = folder / "data"
        data.mkdir()
        for file in files:
            shutil.copyfile(file, data / file.name)
        with running(server):
            statements = f"ld_dir('{data}', '*', '{BENCH_GRAPH}'); rdf_loader_run(); checkpoint;"
            subprocess.run(
                [isql, f"127.0.0.1:{isql_port}", "dba", "dba", f"exec={statements}"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        shutil.rmtree(data)
        loaded.write_text(checksum)
    return server


# --- load: wrk --------------------------------------------------------------------------

WRK_SCRIPT = """\
local paths = {{ {paths} }}
local accept = "{accept}"
local i = 0
function setup(thread)
  thread:set("offset", math.random(#paths))
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i + (offset or 0)) % #paths + 1], {{ ["Accept"] = accept }})
end
function done(summary, latency, requests)
  io.write(string.format(
    'BENCH {{"requests": %d, "duration_us": %d, "status": %d, "connect": %d, "read": %d,'
    .. ' "write": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "bytes": %d}}\\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.bytes))
end
"""


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk(
    server: Server, queries: list[str], accept: str, concurrency: int, seconds: float, work: Path
) -> dict[str, Any]:
    paths = [server.request_path(q) for q in queries]
    script = work / "wrk.lua"
    script.write_text(
        WRK_SCRIPT.format(paths=", ".join(lua_string(p) for p in paths), accept=accept)
    )
    command = [
        "wrk",
        f"--threads={min(concurrency, 2)}",
        f"--connections={concurrency}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=60s",
        f"--script={script}",
        f"http://127.0.0.1:{server.port}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("BENCH "))
    figures: dict[str, Any] = json.loads(line.removeprefix("BENCH "))
    errors = sum(figures[k] for k in ("status", "connect", "read", "write", "timeout"))
    ok = figures["requests"] - figures["status"]
    figures["errors"] = errors
    figures["throughput"] = ok / (figures["duration_us"] / 1e6)
    return figures


# --- the run ----------------------------------------------------------------------------

MODES = ("cold", "warm")


def prepare_data(args: argparse.Namespace, work: Path, log: Any) -> tuple[Path, Path]:
    """The corpus and its release: (seeds folder, data folder)."""
    corpus = args.corpus or work / f"corpus-{args.triples}"
    if not args.corpus and not (corpus / "registry.yaml").exists():
        count = negotiations_for(args.triples, args.seed, work / "calibrate")
        log(f"generating {count} negotiations for ~{args.triples:,} triples")
        generate(corpus, count, args.seed)
    data = work / f"var-{corpus.name}"
    log(f"kg build --if-needed ({corpus})")
    subprocess.run(
        [*_kg(corpus, data), "build", "--if-needed"],
        cwd=ROOT,
        stdout=sys.stderr,  # its summary is not part of the report
        check=True,
    )
    return corpus, data


def _kg(corpus: Path, data: Path) -> list[str]:
    return [sys.executable, "-m", "kg.cli", "--seeds-dir", str(corpus), "--data-dir", str(data)]


def servers(
    args: argparse.Namespace, work: Path, corpus: Path, data: Path, log: Any
) -> list[tuple[Server, tuple[str, ...]]]:
    """Each server with the modes it is measured in."""
    release = (data / "current").resolve()
    # The union dump and the VoID graph, which the store has and the dumps have not:
    # every server gets the same triples.
    files = [release / "dumps" / "negotiations-kg.nt", release / "void.ttl"]
    checksum = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    kg = _kg(corpus, data)
    chosen: list[tuple[Server, tuple[str, ...]]] = []
    if "kg" in args.servers:
        for mode, cache in (("cold", "0"), ("warm", None)):
            port = free_port()
            env = {"KG_CACHE_BYTES": cache} if cache else {}
            name = "kg serve, cache off" if cache else "kg serve"
            command = [*kg, "serve", "--port", str(port)]
            chosen.append((Server(name, command, port, env=env, log=logs / "kg.out"), (mode,)))
    if "oxigraph" in args.servers:
        oxigraph = tool("oxigraph")
        if oxigraph is None:
            raise SystemExit("oxigraph is not installed: pip install -e '.[test]'")
        port = free_port()
        command = [oxigraph, "serve-read-only", "--location", str(release / "store")]
        command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
        chosen.append((Server("Oxigraph server", command, port, path="/query"), MODES))
    if "rdflib-endpoint" in args.servers:
        command_path = peers_venv(work)
        port = free_port()
        command = [str(command_path), "serve", "--host", "127.0.0.1", "--port", str(port)]
        server = Server(
            "rdflib-endpoint", [*command, *map(str, files)], port, path="/", startup_timeout=1800
        )
        server.log = logs / "rdflib-endpoint.out"
        chosen.append((server, MODES))
    if "virtuoso" in args.servers:
        log("Virtuoso: loading the dump (first run only)")
        found = virtuoso(work, files, checksum)
        if found is None:
            log("Virtuoso: virtuoso-t not found (apt-get install virtuoso-opensource), skipped")
        else:
            chosen.append((found, MODES))
    return chosen


def run(args: argparse.Namespace, log: Any) -> dict[str, Any]:
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    facts = machine()
    corpus, data = prepare_data(args, work, log)
    from kg.config import Settings

    nkg = str(Settings().ns.nkg)
    release = (data / "current").resolve()
    triples = triple_count(release / "store")
    values = parameters(release / "store", nkg, args.seed)
    mix = {q.name: variants(q, values, nkg, args.variants) for q in QUERIES}
    results: dict[str, Any] = {}
    expected: dict[str, int] = {}
    for server, modes in servers(args, work, corpus, data, log):
        log(f"{server.name}: starting")
        results[server.name] = entry = measure(server, modes, mix, args, work, log)
        if server.name == REFERENCE:
            expected = entry["answers"]
    for entry in results.values():
        entry["same_answers"] = not expected or entry["answers"] == expected
    return {
        "machine": facts,
        "triples": triples,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "variants": args.variants,
        "concurrency": args.concurrency,
        "results": results,
        "date": dt.date.today().isoformat(),
    }


class Session:
    """A server under test that can be restarted: a server that cannot cancel queries
    whose client went away (rdflib-endpoint) is still working off the last run's
    backlog when the next run starts, and would be measured doing that."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.peak = 0
        self.restarts = 0
        self._stack = ExitStack()
        started = time.monotonic()
        self._start()
        self.startup_s = time.monotonic() - started
        self.idle = self.memory.first

    def _start(self) -> None:
        process = self._stack.enter_context(running(self.server))
        sampler = PeakSampler(0.2, lambda: pss_bytes(process.pid))
        self.memory = self._stack.enter_context(sampler)

    def settle(self, log: Any) -> None:
        """Wait until the server answers a trivial query again; restart it if that takes
        longer than SETTLE_TIMEOUT."""
        try:
            ask(self.server, "ASK {}", timeout=SETTLE_TIMEOUT)
        except (OSError, urllib.error.URLError):
            log(f"{self.server.name}: still busy after {SETTLE_TIMEOUT:g} s, restarting")
            self.stop()
            self._stack = ExitStack()
            self._start()
            self.restarts += 1

    def stop(self) -> None:
        self.peak = max(self.peak, self.memory.peak)
        self._stack.close()


SETTLE_TIMEOUT = 30.0


def measure(
    server: Server,
    modes: tuple[str, ...],
    mix: dict[str, list[str]],
    args: argparse.Namespace,
    work: Path,
    log: Any,
) -> dict[str, Any]:
    """One server: its answers, one request of each query alone, then every cell."""
    session = Session(server)
    entry: dict[str, Any] = {"startup_s": session.startup_s, "cells": {}}
    entry["idle_mb"] = session.idle / 2**20
    entry["answers"], entry["single_s"] = {}, {}
    try:
        for query in QUERIES:
            started = time.monotonic()
            body = ask(server, mix[query.name][0], query.accept)
            entry["single_s"][query.name] = time.monotonic() - started
            entry["answers"][query.name] = count_results(body, query.accept)
        for query in QUERIES:
            for mode in modes:
                requests = mix[query.name] if mode == "cold" else mix[query.name][:1]
                wrk(server, requests, query.accept, 1, args.warmup, work)
                session.settle(log)
                for concurrency in args.concurrency:
                    log(f"{server.name}: {query.name}, {mode}, concurrency {concurrency}")
                    cell = wrk(server, requests, query.accept, concurrency, args.seconds, work)
                    cell["load"] = os.getloadavg()[0]  # the machine is shared: say how much
                    entry["cells"][f"{query.name}|{mode}|{concurrency}"] = cell
                    session.settle(log)
    finally:
        session.stop()
    entry["peak_mb"] = session.peak / 2**20
    entry["restarts"] = session.restarts
    return entry


# --- the report -------------------------------------------------------------------------

REFERENCE = "Oxigraph server"


def _ms(us: float) -> str:
    return f"{us / 1000:.1f}" if us >= 10_000 else f"{us / 1000:.2f}"


def _rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _server_for(name: str, mode: str) -> bool:
    """kg serve is measured cold with its cache off, warm with it on."""
    return not name.startswith("kg serve") or (name == "kg serve") == (mode == "warm")


def report(result: dict[str, Any]) -> str:
    results = result["results"]
    out = [
        f"Measured {result['date']} at commit {result['machine']['commit']} on "
        f"{result['machine']['cpus']} CPUs ({result['machine']['cpu']}), "
        f"{result['machine']['memory']} RAM; {result['triples']:,} triples; each cell "
        f"{result['seconds']:g} s of wrk after {result['warmup']:g} s of warm-up; cold runs "
        f"cycle through {result['variants']} variants of each query. Throughput in requests "
        "per second (× Oxigraph server's); latency in milliseconds, median / 99th percentile.",
        "",
    ]
    names = list(results)
    for mode in MODES:
        columns = [n for n in names if _server_for(n, mode)]
        out += [f"**{mode.capitalize()}**", ""]
        out.append("| query | concurrency | " + " | ".join(columns) + " |")
        out.append("|---|---" + "|---" * len(columns) + "|")
        for query in QUERIES:
            for concurrency in result["concurrency"]:
                key = f"{query.name}|{mode}|{concurrency}"
                reference = results.get(REFERENCE, {}).get("cells", {}).get(key)
                cells = []
                for name in columns:
                    cell = results[name]["cells"].get(key)
                    if cell is None:
                        cells.append("–")
                        continue
                    if not cell["throughput"]:
                        alone = results[name].get("single_s", {}).get(query.name)
                        text = f"no answer in {result['seconds']:g} s"
                        if alone:
                            text += f"<br>(one request alone: {alone:.1f} s)"
                        cells.append(text)
                        continue
                    text = f"{_rate(cell['throughput'])}/s"
                    if reference and name != REFERENCE and reference["throughput"]:
                        text += f" (**{cell['throughput'] / reference['throughput']:.2f}×**)"
                    text += f"<br>{_ms(cell['p50_us'])} / {_ms(cell['p99_us'])} ms"
                    if cell["errors"]:
                        text += f"<br>{cell['errors']} errors"
                    cells.append(text)
                out.append(f"| {query.name} | {concurrency} | " + " | ".join(cells) + " |")
        out.append("")
    out += [
        "**Servers**",
        "",
        "| server | start-up | memory idle | memory peak | answers | restarts | load |",
        "|---|---|---|---|---|---|---|",
    ]
    reference_peak = results.get(REFERENCE, {}).get("peak_mb")
    for name in names:
        entry = results[name]
        peak = f"{entry['peak_mb']:,.0f} MB"
        if reference_peak and name != REFERENCE:
            peak += f" ({entry['peak_mb'] / reference_peak:.2f}×)"
        same = "same as Oxigraph" if entry["same_answers"] else f"**differ**: {entry['answers']}"
        out.append(
            f"| {name} | {entry['startup_s']:.1f} s | {entry['idle_mb']:,.0f} MB | {peak} "
            f"| {same} | {entry.get('restarts', 0)} | {_load(entry)} |"
        )
    out += ["", targets(result)]
    return "\n".join(out)


def _load(entry: dict[str, Any]) -> str:
    """The machine's 1-minute load average at the end of this server's runs, lowest to
    highest: on a shared machine, how much else was running."""
    loads = [c["load"] for c in entry.get("cells", {}).values() if "load" in c]
    return f"{min(loads):.1f}–{max(loads):.1f}" if loads else "–"


def _throughput(result: dict[str, Any], name: str, key: str) -> float | None:
    """Requests per second; for a server that answered none in a run, at most one
    request per the time that one request took alone (an upper bound)."""
    entry = result["results"].get(name, {})
    cell = entry.get("cells", {}).get(key)
    if not cell:
        return None
    if cell["throughput"]:
        return float(cell["throughput"])
    alone = entry.get("single_s", {}).get(key.split("|")[0])
    return 1 / alone if alone else 0.0


def _ratio(result: dict[str, Any], name: str, other: str, key: str) -> float | None:
    a, b = _throughput(result, name, key), _throughput(result, other, key)
    if a is None or b is None:
        return None
    return a / b if b else float("inf")


def targets(result: dict[str, Any]) -> str:
    """The targets of the serve issue, checked against the figures: for each, the worst
    ratio measured, where, and by how much it is short when it is."""
    rows = ["| target | worst measured | met |", "|---|---|---|"]
    concurrency = result["concurrency"]

    def check(label: str, ratios: dict[str, float | None], bound: float) -> None:
        known = {key: r for key, r in ratios.items() if r is not None}
        if not known:
            rows.append(f"| {label} | not measured | – |")
            return
        where, worst = min(known.items(), key=lambda item: item[1])
        query, _, level = where.split("|")
        text = f"{worst:.2f}× ({query}, concurrency {level})"
        if worst >= bound:
            rows.append(f"| {label} | {text} | yes |")
        else:
            rows.append(f"| {label} | {text} | **no**: {bound / worst:.2f}× short |")

    cold, warm = "kg serve, cache off", "kg serve"
    for names, bound in ((("point lookup",), 0.5), (("selective join", "CONSTRUCT"), 0.8)):
        keys = [f"{n}|cold|{c}" for n in names for c in concurrency]
        check(
            f"cold, {' and '.join(names)}: ≥ {bound}× Oxigraph server",
            {k: _ratio(result, cold, REFERENCE, k) for k in keys},
            bound,
        )
    every = [q.name for q in QUERIES]
    keys = [f"{n}|cold|{c}" for n in every for c in concurrency]
    check(
        "cold, every query: ≥ 10× rdflib-endpoint",
        {k: _ratio(result, cold, "rdflib-endpoint", k) for k in keys},
        10,
    )
    peers = [n for n in result["results"] if not n.startswith("kg serve")]
    for peer in peers:
        keys = [f"{n}|warm|{c}" for n in every for c in concurrency]
        check(
            f"warm, every query: ahead of {peer} (throughput)",
            {k: _ratio(result, warm, peer, k) for k in keys},
            1.0,
        )
    if not peers:
        rows.append("| warm, every query: ahead of every peer | not measured | – |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.serve_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the corpus")
    parser.add_argument("--corpus", type=Path, help="an existing seeds folder instead")
    parser.add_argument("--seed", type=int, default=0, help="random seed (corpus, variants)")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "kg-serve-bench",
        help="kept between runs: corpus, release, peers' environment, Virtuoso's database",
    )
    parser.add_argument(
        "--servers",
        nargs="*",
        default=["kg", "oxigraph", "rdflib-endpoint", "virtuoso"],
        choices=["kg", "oxigraph", "rdflib-endpoint", "virtuoso"],
    )
    parser.add_argument("--concurrency", type=int, nargs="*", default=[1, 8])
    parser.add_argument("--seconds", type=float, default=10, help="length of each measured run")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured run before each")
    parser.add_argument("--variants", type=int, default=200, help="cold: variants per query")
    parser.add_argument("--write", type=Path, help="put the report into this Markdown file")
    parser.add_argument("--json", type=Path, help="also save the raw figures as JSON")
    parser.add_argument("--report", type=Path, help="measure nothing: report a saved --json")
    args = parser.parse_args(argv)
    if args.report:
        result = json.loads(args.report.read_text(encoding="utf-8"))
    else:
        result = run(args, lambda m: print(m, file=sys.stderr, flush=True))
    text = report(result)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    if args.write:
        write(args.write, text, MARKERS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
