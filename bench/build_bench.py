"""Measure the build, phase by phase, on the seed and on synthetic corpora.

    python -m bench.build_bench --sizes 10000 100000 1000000 [--write docs/benchmarks.md]

For each size (in compiled triples) a corpus is generated (bench/generate.py) into a
temporary folder. Then, each in a fresh process:

* the phases, by calling the functions the build calls, in its order: read the seeds,
  ontology and shapes; compile; validate; load the compiled graphs into an in-memory
  Oxigraph store; write the dumps; describe the release (VoID/DCAT); bulk-load the
  on-disk store from the N-Quads dump. Each phase
  reports its wall time (``time.perf_counter``) and the peak resident memory of the
  process while it ran (VmRSS of /proc/self/status, sampled every 5 ms by a thread);
* the whole build, ``kg build`` as a user runs it: wall time, the peak RSS of the
  process (``wait4``), and the durations of its steps as it prints them. ``kg build``
  validates while it writes the release (kg/pipeline.py), so its total is below the
  sum of the phases, which run one after the other.

Validation runs with the default engine (pyshacl-turbo) and, on corpora of up to
200,000 triples, with pySHACL too, whose results must be the same.

The real seed (seeds/) is measured the same way. The result is a Markdown table;
``--write`` puts it into a file between the ``<!-- begin build figures -->`` and
``<!-- end build figures -->`` markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.generate import count_triples, generate
from kg.validate import Result

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("read", "compile", "validate", "load", "dumps", "void", "store")
PHASE_NAMES = {
    "read": "read seeds, ontology, shapes",
    "compile": "compile",
    "validate": "validate (SHACL, pyshacl-turbo, the default)",
    "load": "load into an in-memory Oxigraph store",
    "dumps": "dumps (5 formats + checksums)",
    "void": "VoID/DCAT description, shapes.ttl",
    "store": "on-disk store, bulk-loaded from the N-Quads dump",
    "validate_pyshacl": "*validate with pySHACL instead*",
}
MARKERS = ("<!-- begin build figures -->", "<!-- end build figures -->")
LIBRARIES = ("rdflib", "pyshacl", "pyshacl-turbo", "pyoxigraph", "PyYAML", "owlrl")
# pySHACL takes about 300 µs a triple on these shapes: above this, it is not compared.
PYSHACL_MAX_TRIPLES = 200_000


# --- memory ----------------------------------------------------------------------------


def rss_bytes() -> int:
    """The resident set size of this process, from /proc/self/status (Linux)."""
    with Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class PeakSampler:
    """Samples a memory figure in a thread (by default this process's RSS); ``peak`` is
    the highest since ``reset``, ``first`` the one at the start."""

    def __init__(self, interval: float = 0.005, measure: Callable[[], int] = rss_bytes) -> None:
        self.interval, self.measure = interval, measure
        self.peak = self.first = measure()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.measure())

    def reset(self) -> None:
        self.peak = self.measure()

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --- one process: the phases -----------------------------------------------------------


def measure_phases(seeds_dir: Path, work: Path) -> dict[str, Any]:
    """Run the build's phases over ``seeds_dir``, each measured; in a fresh process."""

    from kg import publish
    from kg import seeds as seeds_module
    from kg.compile import compile_seeds
    from kg.config import Settings
    from kg.validate import engine, validate
    from kg.vocabulary import load_turtle

    settings = Settings(
        seeds_dir=seeds_dir,
        ontology_dir=ROOT / "ontology",
        shapes_dir=ROOT / "shapes",
        data_dir=work / "var",
    )
    ns = settings.ns
    phases: dict[str, dict[str, float]] = {}
    out: dict[str, Any] = {"phases": phases}

    with PeakSampler() as sampler:

        @contextmanager
        def phase(name: str) -> Iterator[None]:
            sampler.reset()
            started = time.perf_counter()
            yield
            seconds = time.perf_counter() - started
            phases[name] = {
                "seconds": seconds,
                "peak_mb": max(sampler.peak, rss_bytes()) / 2**20,
                "end_mb": rss_bytes() / 2**20,
            }

        with phase("read"):
            ontology = load_turtle(settings.ontology_dir, ns)
            shapes = load_turtle(settings.shapes_dir, ns)
            seeds = seeds_module.load(settings.seeds_dir)
        with phase("compile"):
            compiled = compile_seeds(seeds, ontology, ns)
        with phase("validate"):
            report = validate(
                compiled,
                shapes,
                ontology,
                settings.validation_batch_triples,
                engine=engine(settings.shacl_engine),
            )
        if settings.shacl_engine != "pyshacl" and len(compiled) <= PYSHACL_MAX_TRIPLES:
            with phase("validate_pyshacl"):  # the same validation, pure-Python engine
                other = validate(
                    compiled,
                    shapes,
                    ontology,
                    settings.validation_batch_triples,
                    engine=engine("pyshacl"),
                )
            out["pyshacl_same_results"] = _keys(other.results) == _keys(report.results)
        publish.prepare(compiled, shapes, settings, phase=phase).discard()
        out["triples"] = len(compiled)
        out["graphs"] = len(compiled.graphs)
        out["documents"] = len(seeds.documents)
        out["claims"] = sum(len(d.claims) for d in seeds.documents)
        out["conforms"] = report.conforms
        out["violations"] = [r.describe(ns.shorten) for r in report.violations[:5]]
        out["violation_count"] = len(report.violations)
    out["process_peak_mb"] = _maxrss_mb()
    return out


def _keys(results: tuple[Result, ...]) -> list[tuple[str, ...]]:
    return sorted(
        (r.severity, r.focus, r.path, r.message, r.value, r.shape, str(r.origin)) for r in results
    )


def _maxrss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- one process: kg build -------------------------------------------------------------

_STEP = re.compile(r"^(?P<name>[^.%\n]+?) \.\.\.(?: \d+%)* (?P<s>[\d.]+) s$")
# "validate 996,813 triples (turbo) and write release": one row whatever the size
_SIZE = re.compile(r" [\d,]+ triples(?: \([\w-]+\))?")


def measure_build(seeds_dir: Path, work: Path) -> dict[str, Any]:
    """``kg build`` as a user runs it: wall time, peak RSS, the steps it reports."""
    command = [
        sys.executable,
        "-m",
        "kg.cli",
        "--seeds-dir",
        str(seeds_dir),
        "--data-dir",
        str(work / "var"),
        "build",
    ]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    # wait4 gives the child's own rusage; communicate() would reap it first.
    stdout_lines: list[str] = []
    stderr_lines: list[str] = []
    readers = [
        threading.Thread(target=lambda: stdout_lines.extend(process.stdout or [])),
        threading.Thread(target=lambda: stderr_lines.extend(process.stderr or [])),
    ]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    for reader in readers:
        reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    steps = {}
    for line in "".join(stderr_lines).splitlines():
        if match := _STEP.match(line.strip()):
            steps[_SIZE.sub("", match["name"])] = float(match["s"])
    return {
        "command": " ".join(["kg", *command[3:]]),
        "exit_code": process.returncode,
        "seconds": seconds,
        "peak_mb": usage.ru_maxrss / 1024,
        "steps": steps,
        "stderr_tail": "".join(stderr_lines)[-2000:] if process.returncode else "",
    }


# --- the parent: corpora, fresh processes, the table -----------------------------------


def _in_fresh_process(what: str, seeds_dir: Path, work: Path) -> dict[str, Any]:
    result = work / f"{what}.json"
    subprocess.run(
        [sys.executable, "-m", "bench.build_bench", f"--{what}", str(seeds_dir), str(result)],
        cwd=ROOT,
        check=True,
    )
    data: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    return data


def negotiations_for(size: int, seed: int, scratch: Path) -> int:
    """How many negotiations compile to about ``size`` triples: a line through two small
    corpora (the registry grows with the number of negotiations too)."""
    points = []
    for n in (10, 40):
        generate(scratch / f"calibrate-{n}", n, seed)
        points.append((n, count_triples(scratch / f"calibrate-{n}")))
    (n1, t1), (n2, t2) = points
    slope = (t2 - t1) / (n2 - n1)
    return max(1, round((size - (t1 - slope * n1)) / slope))


def run(
    sizes: list[int], seed: int, keep: Path | None, log: Callable[[str], None]
) -> dict[str, Any]:
    columns: list[dict[str, Any]] = []
    machine_facts = machine()  # the commit measured is the one at the start
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as temporary:
        scratch = keep or Path(temporary)
        scratch.mkdir(parents=True, exist_ok=True)
        corpora: list[tuple[str, Path, int | None]] = [("seed", ROOT / "seeds", None)]
        for size in sizes:
            corpus = scratch / f"corpus-{size}"
            count = negotiations_for(size, seed, scratch)
            for attempt in range(2):  # the estimate, then once corrected by what it gave
                log(f"generating {count} negotiations for ~{size:,} triples")
                generate(corpus, count, seed)
                triples = count_triples(corpus)
                log(f"  {triples:,} triples")
                corrected = max(1, round(count * size / triples))
                if attempt or abs(triples - size) <= 0.02 * size or corrected == count:
                    break
                count = corrected
            corpora.append((f"~{_short(size)} triples", corpus, count))
        for label, corpus, negotiations in corpora:
            work = scratch / f"work-{corpus.name}"
            shutil.rmtree(work, ignore_errors=True)  # a kept folder from an earlier run
            column: dict[str, Any] = {"label": label, "negotiations": negotiations}
            for what in ("phases", "build"):
                log(f"{label}: {what} (fresh process)")
                folder = work / what
                folder.mkdir(parents=True, exist_ok=True)
                column[what] = _in_fresh_process(what, corpus, folder)
            columns.append(column)
    return {"columns": columns, "machine": machine_facts, "seed": seed, "sizes": sizes}


def machine() -> dict[str, str]:
    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
         if line.startswith("MemTotal:")),
        "0",
    )  # fmt: skip
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "date": dt.date.today().isoformat(),
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{int(memory) / 2**20:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "libraries": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "commit": commit,
    }


def _short(size: int) -> str:
    for factor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if size >= factor:
            return f"{size / factor:g}{suffix}"
    return str(size)


def _cell(seconds: float, mb: float) -> str:
    return f"{seconds:.2f} s, {mb:,.0f} MB" if seconds < 10 else f"{seconds:.1f} s, {mb:,.0f} MB"


def table(result: dict[str, Any]) -> str:
    columns = result["columns"]
    head = "| | " + " | ".join(c["label"] for c in columns) + " |"
    rows = [head, "|---" * (len(columns) + 1) + "|"]

    def row(name: str, cells: list[str]) -> None:
        rows.append(f"| {name} | " + " | ".join(cells) + " |")

    row("triples compiled", [f"{c['phases']['triples']:,}" for c in columns])
    row(
        "documents, claims",
        [f"{c['phases']['documents']:,}, {c['phases']['claims']:,}" for c in columns],
    )
    row("negotiations", [str(c["negotiations"] or "1 (real)") for c in columns])

    def cell(column: dict[str, Any], name: str) -> str:
        measured = column["phases"]["phases"].get(name)
        return _cell(measured["seconds"], measured["peak_mb"]) if measured else "–"

    def total(column: dict[str, Any], validate: str) -> float:
        phases = column["phases"]["phases"]
        other = sum(float(phases[n]["seconds"]) for n in PHASES if n != "validate")
        return other + float(phases[validate]["seconds"])

    for name in PHASES:
        row(PHASE_NAMES[name], [cell(c, name) for c in columns])
    row("**phases, sum**", [f"**{total(c, 'validate'):.1f} s**" for c in columns])
    if any("validate_pyshacl" in c["phases"]["phases"] for c in columns):
        row(PHASE_NAMES["validate_pyshacl"], [cell(c, "validate_pyshacl") for c in columns])
        row(
            "*phases, sum, with pySHACL*",
            [
                f"*{total(c, 'validate_pyshacl'):.1f} s*"
                if "validate_pyshacl" in c["phases"]["phases"]
                else "–"
                for c in columns
            ],
        )
        row(
            "*pySHACL: same results as pyshacl-turbo*",
            [{True: "yes", False: "**no**"}.get(c["phases"].get("pyshacl_same_results"), "–")
             for c in columns],
        )  # fmt: skip
    row(
        "conforms",
        [
            "yes" if c["phases"]["conforms"] else f"no ({c['phases']['violation_count']})"
            for c in columns
        ],
    )
    row(
        "**`kg build`, whole process**",
        [
            f"**{_cell(c['build']['seconds'], c['build']['peak_mb'])}**"
            + ("" if c["build"]["exit_code"] == 0 else f" (exit {c['build']['exit_code']})")
            for c in columns
        ],
    )
    steps: list[str] = []
    for c in columns:
        for step in c["build"]["steps"]:
            if step not in steps:
                steps.append(step)
    for step in steps:
        row(
            f"&nbsp;&nbsp;`kg build` step: {step}",
            [
                f"{c['build']['steps'][step]:.1f} s" if step in c["build"]["steps"] else "–"
                for c in columns
            ],
        )
    return "\n".join(rows)


def facts(result: dict[str, Any]) -> str:
    m = result["machine"]
    return (
        f"Measured {m['date']} at commit {m['commit']} on {m['cpus']} CPUs ({m['cpu']}), "
        f"{m['memory']} RAM, {m['os']}; Python {m['python']}; {m['libraries']}. "
        f"Corpora from `bench/generate.py` with seed {result['seed']}. Each cell: wall "
        "time, peak RSS of the process during that phase (MB = MiB)."
    )


def write(path: Path, block: str, markers: tuple[str, str] = MARKERS) -> None:
    """Replace what stands between the two ``markers`` in the Markdown file ``path``."""
    text = path.read_text(encoding="utf-8")
    begin, end = markers
    pattern = re.compile(re.escape(begin) + r"\n.*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{path} has no {begin} ... {end} markers")
    path.write_text(pattern.sub(lambda _: f"{begin}\n{block}\n{end}", text), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.build_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=0, help="random seed of the corpora")
    parser.add_argument("--write", type=Path, help="put the table into this Markdown file")
    parser.add_argument("--json", type=Path, help="also save the raw figures as JSON")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--phases", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--build", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phases or args.build:  # a fresh child process measuring one corpus
        seeds_dir, output = args.phases or args.build
        measure = measure_phases if args.phases else measure_build
        figures = measure(seeds_dir, output.parent)
        output.write_text(json.dumps(figures, indent=2), encoding="utf-8")
        return 0
    result = run(args.sizes, args.seed, args.keep, lambda m: print(m, file=sys.stderr, flush=True))
    block = facts(result) + "\n\n" + table(result)
    print(block)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    if args.write:
        write(args.write, block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
