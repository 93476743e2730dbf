"""Replay the hostile inputs of issue 10 against a real `kg serve`, and the build's.

    python -m bench.hostile [--seeds tests/corpus] [--rounds 3] [--write docs/benchmarks.md]
    python -m bench.hostile --url http://127.0.0.1:8000 [--pid PID]

Without ``--url`` it copies ``--seeds`` (default ``seeds/``), builds a release with
``kg build`` into a temporary folder and starts ``kg serve`` on a free port of
127.0.0.1 with two HTTP workers, short header and body timeouts and small result caps
(``KG_MAX_RESULT_ROWS``, ``KG_MAX_RESULT_BYTES``), its log kept to count crashes. With
``--url`` it targets a running server on loopback (its caps, its timeouts; RSS and the
log only with ``--pid`` and ``--log``).

Phases, each bounded in count and time:

1. **idle**: a light query (one triple pattern, a new comment each time so that the
   result cache cannot answer it) sent alone for ``--seconds``: its latency.
2. **attack**: ``--clients`` threads replay ``--rounds`` times every case of the issue
   (IRIs with characters no IRI holds on every route, a long /static/ name, queries
   nested thousands deep in each shape that crashed the engine, over-cap SELECTs and
   CONSTRUCTs in every format, a ``Content-Length`` of a terabyte, clients that trickle
   headers or a body, clients that leave mid-body) while the light query keeps going.
3. **caps**: each over-cap query alone, in every result format, beside the same query
   asking for exactly the cap (``LIMIT cap``): a cut should cost about what the rows
   kept cost, not the time limit.
4. **build** (only when it started the server): ``kg build`` with files limited by
   ``RLIMIT_FSIZE`` (writes fail with EFBIG, as on a full disk: a size-limited tmpfs
   needs root, this works for anyone), and with one document over 16 MiB (one
   N-Triples line longer than pyoxigraph reads): each should exit 6 with one line, the
   release before it still current and still served.

Prints a Markdown table: requests, status counts, 500s, query workers that died or were
replaced (from the server's log), the server's RSS before and after (all its
processes), the light query's median and 95th percentile idle and under attack, each
cap case's time against the cap's own time, and the build cases' exit codes.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.build_bench import machine, write
from bench.memory import process_tree
from bench.serve_bench import Server, free_port, running
from kg.config import Settings
from kg.release import current_id

ROOT = Path(__file__).resolve().parent.parent
MARKERS = ("<!-- begin hostile figures -->", "<!-- end hostile figures -->")
LIGHT = "SELECT ?p WHERE {{ ?s ?p ?o }} LIMIT 1 # probe {n}"
CRASH = re.compile(r"query worker \d+ died|idle query worker \d+ had ended")
UNEXPECTED = re.compile(r"unexpected error|Traceback")

# Paths that are no IRI (issue 10, item 1), each on every route family.
NOT_IRI_TAILS = ["a%20b", "a%5Cb", "%ff", "a%7Bb", "%00", "iran%20.ttl", "%3C%3E"]
FAMILIES = [
    "/id/state/",
    "/page/state/",
    "/data/concept/",
    "/graph/",
    "/concept/",
    "/release/",
    "/ontology/",
    "/dumps/",
    "/query/",
]

SELECT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
}
# Over the caps on any release of more than a few hundred triples: a cross product; the
# second has rows of about a kilobyte, so that the byte cap cuts it first.
OVER_ROWS = "SELECT ?a ?b ?c WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT {limit}"
OVER_BYTES = (
    "SELECT ?a ?b ?c ?long WHERE { ?a ?b ?c . ?d ?e ?f "
    "BIND(CONCAT("
    + ", ".join(["STR(?b), STR(?e)"] * 16)  # predicates: never blank
    + ") AS ?long) } LIMIT {limit}"
)
# A new blank node per solution: one triple each, none merged away.
OVER_TRIPLES = "CONSTRUCT { ?a <urn:x:pair> _:n } WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT {limit}"


def limited(template: str, limit: int) -> str:
    return template.replace("{limit}", str(limit))


def deep_queries() -> dict[str, str]:
    """The nesting that crashed pyoxigraph 0.5.13's parser (issue 10, item 3)."""
    triple = "?s ?p ?o"
    return {
        "3,000 {": "SELECT * WHERE " + "{" * 3000 + triple + "}" * 3000,
        "5,000 (": "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
        "30,000 !": "SELECT * WHERE { ?s " + "!" * 30000 + "<x> ?o }",
        "5,000 [": "SELECT * WHERE { ?s <p> " + "[ <p> " * 5000 + "1" + " ]" * 5000 + " }",
        "list 5,000 deep": "SELECT * WHERE { ?s <p> " + "(" * 5000 + "1" + ")" * 5000 + " }",
        "3,000 sub-SELECTs": "SELECT * WHERE { "
        + "{ SELECT * WHERE " * 3000
        + "{ "
        + triple
        + " }"
        + " }" * 3000
        + " }",
        "3,000 BINDs": "SELECT * WHERE { "
        + "".join(f"BIND({i} AS ?v{i}) " for i in range(3000))
        + "}",
    }


# --- talking to the server ------------------------------------------------------------------


@dataclass
class Tally:
    """Every answer the attack got, by case and by status, thread-safe."""

    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    by_case: dict[str, collections.Counter[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, case: str, status: str) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.by_case.setdefault(case, collections.Counter())[status] += 1

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


@dataclass(frozen=True)
class Target:
    host: str
    port: int

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        timeout: float = 60.0,
    ) -> tuple[int, dict[str, str], bytes, float]:
        """One request on a new connection: status, headers, body, seconds taken."""
        started = time.monotonic()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
            head = {k.lower(): v for k, v in response.getheaders()}
            return response.status, head, data, time.monotonic() - started
        finally:
            connection.close()

    def sparql(
        self, query: str, accept: str, timeout: float = 60.0
    ) -> tuple[int, dict[str, str], bytes, float]:
        body = urllib.parse.urlencode({"query": query}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        return self.request("POST", "/sparql", headers, body, timeout)

    def raw(
        self, data: bytes, then: Callable[[socket.socket], None] | None = None, wait: float = 10.0
    ) -> str:
        """Send ``data`` on a socket; the status line of the answer, or what became of
        the connection ("closed", "reset", "no answer")."""
        with socket.create_connection((self.host, self.port), timeout=wait) as sock:
            sock.sendall(data)
            if then is not None:
                then(sock)
                return "left"
            try:
                first = sock.recv(4096)
            except TimeoutError:
                return "no answer"
            except ConnectionResetError:
                return "reset"
            if not first:
                return "closed"
            return first.split(b" ", 2)[1].decode("ascii", "replace")


class Probe(threading.Thread):
    """Sends the light query again and again; keeps each latency and status."""

    def __init__(self, target: Target) -> None:
        super().__init__(daemon=True)
        self.target = target
        self.latencies: list[float] = []
        self.statuses: collections.Counter[int] = collections.Counter()
        self.stop = threading.Event()
        self.count = 0

    def run(self) -> None:
        while not self.stop.is_set():
            self.count += 1
            query = LIGHT.format(n=f"{os.getpid()}-{id(self)}-{self.count}")
            try:
                status, _, _, seconds = self.target.sparql(query, SELECT_FORMATS["json"], 30)
            except OSError:
                status, seconds = 0, 30.0
            self.statuses[status] += 1
            if status == 200:
                self.latencies.append(seconds)
            time.sleep(0.02)

    def __enter__(self) -> Probe:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.join(60)


def quantiles(values: list[float]) -> tuple[float, float]:
    """Median and 95th percentile, in milliseconds."""
    if len(values) < 2:
        return (values[0] * 1000, values[0] * 1000) if values else (float("nan"),) * 2
    cuts = statistics.quantiles(values, n=20)
    return statistics.median(values) * 1000, cuts[18] * 1000


# --- the attack ---------------------------------------------------------------------------


def cases(target: Target, rows: int) -> list[tuple[str, Callable[[], str]]]:
    """Each case of the issue as a function that sends it and returns the outcome."""

    def get(path: str) -> Callable[[], str]:
        return lambda: str(target.request("GET", path, {"Accept": "text/turtle"})[0])

    def ask(query: str, accept: str) -> Callable[[], str]:
        return lambda: str(target.sparql(query, accept)[0])

    found: list[tuple[str, Callable[[], str]]] = []
    for family in FAMILIES:
        for tail in NOT_IRI_TAILS:
            found.append(("IRI with a bad character", get(family + tail)))
    found.append(("/static/ + 300 × a", get("/static/" + "a" * 300)))
    found.append(("/static/ + 5,000 × a", get("/static/" + "a" * 5000)))
    for name, query in deep_queries().items():
        found.append((f"nested: {name}", ask(query, SELECT_FORMATS["json"])))
    over = rows + 1
    for name, accept in SELECT_FORMATS.items():
        found.append((f"over-cap SELECT ({name})", ask(limited(OVER_ROWS, over), accept)))
    for name, accept in GRAPH_FORMATS.items():
        query = limited(OVER_TRIPLES, over)
        found.append((f"over-cap CONSTRUCT ({name})", ask(query, accept)))
    huge = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 1000000000000\r\n\r\nASK {}"
    )
    found.append(("Content-Length: 10^12", lambda: target.raw(huge)))
    slow_head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "
    found.append(("headers never end", lambda: target.raw(slow_head, wait=30.0)))
    slow_body = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 100\r\n\r\nASK {"
    )
    found.append(("body never ends", lambda: target.raw(slow_body, wait=60.0)))
    found.append(("client leaves mid-body", lambda: target.raw(slow_body, then=_leave)))
    return found


def _leave(sock: socket.socket) -> None:
    time.sleep(0.05)
    sock.close()


def attack(target: Target, rows: int, rounds: int, clients: int, tally: Tally) -> float:
    """Every case ``rounds`` times over ``clients`` threads; the seconds it took."""
    work = [case for _ in range(rounds) for case in cases(target, rows)]
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not work:
                    return
                name, send = work.pop()
            try:
                outcome = send()
            except TimeoutError:
                outcome = "client timeout"
            except OSError as exc:
                outcome = type(exc).__name__
            tally.add(name, outcome)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def caps(target: Target, rows: int) -> list[dict[str, object]]:
    """Each over-cap query alone, in every format, beside the same query at the cap."""
    measured = []
    shapes = [
        ("SELECT, rows", OVER_ROWS, SELECT_FORMATS),
        ("SELECT, bytes", OVER_BYTES, SELECT_FORMATS),
        ("CONSTRUCT", OVER_TRIPLES, GRAPH_FORMATS),
    ]
    for shape, template, formats in shapes:
        for name, accept in formats.items():
            status, head, body, over = target.sparql(limited(template, rows * 10), accept)
            at_cap = target.sparql(limited(template, rows), accept)
            measured.append(
                {
                    "case": f"{shape} ({name})",
                    "status": status,
                    "truncated": head.get("kg-result-truncated", "—"),
                    "bytes": len(body),
                    "over": over,
                    "cap": at_cap[3],
                }
            )
    return measured


# --- the build ----------------------------------------------------------------------------


def kg_build(seeds: Path, data: Path, limit_file_size: int | None = None) -> tuple[int, str]:
    """``kg build`` in a process of its own, files limited to ``limit_file_size`` bytes
    (RLIMIT_FSIZE: writes past it fail with EFBIG, as on a full disk)."""
    code = "import sys\n"
    if limit_file_size is not None:
        code += (
            "import resource, signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit_file_size},) * 2)\n"
        )
    code += "from kg.cli import main\nsys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "--seeds-dir",
            str(seeds),
            "--data-dir",
            str(data),
            "build",
            "-q",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=1800,
    )
    return done.returncode, done.stderr.strip()


def build_cases(seeds: Path, data: Path, target: Target) -> list[dict[str, object]]:
    """A full disk and a document over 16 MiB: exit 6, one line, the release kept."""
    settings = Settings(seeds_dir=seeds, data_dir=data)
    before = current_id(settings)
    outcomes = []
    code, err = kg_build(seeds, data, limit_file_size=64 * 1024)
    outcomes.append(("disk full (RLIMIT_FSIZE 64 KiB)", code, err))
    document = next((seeds / "documents").glob("*.txt"))
    original = document.read_bytes()
    try:
        with document.open("a", encoding="utf-8") as handle:
            handle.write("\n" + "Filler words of a very long report. " * 500_000)
        code, err = kg_build(seeds, data)
        outcomes.append(("a 17 MB document (one line over 16 MiB)", code, err))
    finally:
        document.write_bytes(original)
    answers = target.sparql("ASK { ?s ?p ?o }", SELECT_FORMATS["json"])[0]
    return [
        {
            "case": case,
            "exit": code,
            "lines": len(err.splitlines()),
            "traceback": "Traceback" in err,
            "kept": current_id(settings) == before,
            "served": answers == 200,
            "message": err[:160],
        }
        for case, code, err in outcomes
    ]


# --- the server -----------------------------------------------------------------------------


def rss_bytes(pid: int) -> int:
    """Resident set size of a process and its descendants (VmRSS, summed)."""
    total = 0
    for each in process_tree(pid):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


@contextmanager
def own_server(
    args: argparse.Namespace, work: Path
) -> Iterator[tuple[Target, int, Path, Path, Path]]:
    """Copy the seeds, build, serve: the target, the server's pid, its log, the seeds
    copy and the data folder."""
    seeds, data, log = work / "seeds", work / "var", work / "serve.log"
    shutil.copytree(args.seeds, seeds)
    code, err = kg_build(seeds, data)
    if code != 0:
        raise SystemExit(f"kg build failed ({code}): {err}")
    port = free_port()
    env = {
        "KG_SEEDS_DIR": str(seeds),
        "KG_DATA_DIR": str(data),
        "KG_PORT": str(port),
        "KG_HOST": "127.0.0.1",
        "KG_WORKERS": "2",
        "KG_QUERY_TIMEOUT": "10",
        "KG_HEADER_TIMEOUT": str(args.client_timeout),
        "KG_BODY_TIMEOUT": str(args.client_timeout),
        "KG_MAX_RESULT_ROWS": str(args.rows),
        "KG_MAX_RESULT_BYTES": str(args.bytes),
    }
    server = Server(
        "kg serve",
        [sys.executable, "-m", "kg.cli", "serve"],
        port,
        env=env,
        log=log,
        startup_timeout=120,
    )
    with running(server) as process:
        yield Target("127.0.0.1", port), process.pid, log, seeds, data


def run(args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="kg-hostile-") as scratch:
        if args.url:
            parsed = urllib.parse.urlsplit(args.url)
            if parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
                raise SystemExit("--url must be a loopback address")
            target = Target(parsed.hostname, parsed.port or 80)
            return measure(args, target, args.pid, args.log, None)
        with own_server(args, Path(scratch)) as (target, pid, log, seeds, data):
            return measure(args, target, pid, log, (seeds, data))


def measure(
    args: argparse.Namespace,
    target: Target,
    pid: int | None,
    log: Path | None,
    build: tuple[Path, Path] | None,
) -> dict[str, object]:
    load = os.getloadavg()[0]
    log_start = log.stat().st_size if log is not None and log.exists() else 0
    rss_before = rss_bytes(pid) if pid else 0
    with Probe(target) as idle:
        time.sleep(args.seconds)
    tally = Tally()
    with Probe(target) as busy:
        attack_seconds = attack(target, args.rows, args.rounds, args.clients, tally)
    time.sleep(1.0)  # let the server log what the last requests did
    rss_after = rss_bytes(pid) if pid else 0
    logged = ""
    if log is not None and log.exists():
        with log.open("rb") as handle:
            handle.seek(log_start)
            logged = handle.read().decode("utf-8", "replace")
    return {
        "load": load,
        "tally": tally,
        "attack_seconds": attack_seconds,
        "idle": quantiles(idle.latencies),
        "busy": quantiles(busy.latencies),
        "probes": (len(idle.latencies), len(busy.latencies)),
        "probe_failures": sum(n for s, n in (idle.statuses + busy.statuses).items() if s != 200),
        "crashes": len(CRASH.findall(logged)) if log else None,
        "unexpected": len(UNEXPECTED.findall(logged)) if log else None,
        "rss": (rss_before, rss_after),
        "caps": caps(target, args.rows),
        "build": build_cases(*build, target) if build else [],
    }


# --- the report ---------------------------------------------------------------------------


def report(result: dict[str, object], args: argparse.Namespace) -> str:
    tally = result["tally"]
    assert isinstance(tally, Tally)
    mb = 2**20
    rss = result["rss"]
    idle, busy = result["idle"], result["busy"]
    assert isinstance(rss, tuple) and isinstance(idle, tuple) and isinstance(busy, tuple)
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items()))
    crashes = result["crashes"]
    lines = [
        "| measure | value |",
        "| --- | --- |",
        f"| attack | {args.rounds} rounds × {len(tally.by_case)} cases, {args.clients} clients, "
        f"{result['attack_seconds']:.1f} s |",
        f"| requests | {tally.requests} |",
        f"| statuses | {statuses} |",
        f"| 500s | {tally.statuses.get('500', 0)} |",
        f"| query workers died / replaced (log) | {'n/a' if crashes is None else crashes} |",
        f"| unexpected errors or tracebacks (log) | {_or_na(result['unexpected'])} |",
        "| server RSS before → after | "
        + (f"{rss[0] / mb:.0f} → {rss[1] / mb:.0f} MiB |" if rss[0] else "n/a |"),
        f"| light query idle: median / p95 | {idle[0]:.1f} / {idle[1]:.1f} ms |",
        f"| light query under attack: median / p95 | {busy[0]:.1f} / {busy[1]:.1f} ms |",
        f"| light queries idle / under attack / failed | {result['probes'][0]} / "  # type: ignore[index]
        f"{result['probes'][1]} / {result['probe_failures']} |",  # type: ignore[index]
        "",
        "| case | outcomes |",
        "| --- | --- |",
    ]
    for case, counts in tally.by_case.items():
        lines.append(f"| {case} | {', '.join(f'{s}: {n}' for s, n in sorted(counts.items()))} |")
    lines += [
        "",
        f"Over-cap queries alone (caps: {args.rows:,} rows, {args.bytes:,} bytes), "
        "each asking ten times the cap, beside the same query asking exactly the cap:",
        "",
        "| query (format) | status | KG-Result-Truncated | bytes | over the cap | at the cap |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in result["caps"]:  # type: ignore[attr-defined]
        lines.append(
            f"| {row['case']} | {row['status']} | {row['truncated']} | {row['bytes']:,} "
            f"| {row['over']:.2f} s | {row['cap']:.2f} s |"
        )
    if result["build"]:
        lines += [
            "",
            "| build case | exit | lines on stderr | traceback | previous release "
            "current | still served |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for row in result["build"]:  # type: ignore[attr-defined]
            lines.append(
                f"| {row['case']} | {row['exit']} | {row['lines']} | "
                f"{'yes' if row['traceback'] else 'no'} | {'yes' if row['kept'] else 'no'} "
                f"| {'yes' if row['served'] else 'no'} |"
            )
    return "\n".join(lines)


def _or_na(value: object) -> str:
    return "n/a" if value is None else str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running kg serve on loopback (default: start one)")
    parser.add_argument("--pid", type=int, help="with --url: the server's pid, for its RSS")
    parser.add_argument("--log", type=Path, help="with --url: the server's log, for crashes")
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds", help="corpus to build")
    parser.add_argument("--rounds", type=int, default=3, help="times each case is sent")
    parser.add_argument("--clients", type=int, default=8, help="concurrent attacking clients")
    parser.add_argument("--seconds", type=float, default=5.0, help="idle probe duration")
    parser.add_argument("--rows", type=int, default=20_000, help="KG_MAX_RESULT_ROWS")
    parser.add_argument("--bytes", type=int, default=20_000_000, help="KG_MAX_RESULT_BYTES")
    parser.add_argument(
        "--client-timeout",
        type=float,
        default=3.0,
        help="KG_HEADER_TIMEOUT and KG_BODY_TIMEOUT of the started server",
    )
    parser.add_argument("--write", type=Path, help="put the table in this Markdown file")
    args = parser.parse_args(argv)
    result = run(args)
    table = report(result, args)
    print(table)
    if args.write:
        facts = machine()
        header = (
            f"{facts['date']}, commit {facts['commit']}, {facts['cpus']} CPUs "
            f"({facts['cpu']}), {facts['memory']}, Python {facts['python']}; "
            f"load average at the start {result['load']:.1f}."
        )
        write(args.write, header + "\n\n" + table, MARKERS)
    tally = result["tally"]
    assert isinstance(tally, Tally)
    return 1 if tally.statuses.get("500", 0) or result["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
