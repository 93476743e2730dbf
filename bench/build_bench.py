"""Measure the build: phase by phase, whole (``kg build --full``), and incremental (one
changed article, one added article), on the seed and on synthetic corpora; and, as a
peer in the same run, the full build of a baseline commit (the code before).

    python -m bench.build_bench --sizes 10000 100000 1000000 [--baseline REF]
                                [--write docs/benchmarks.md]

For each size (in compiled triples) a corpus is generated (bench/generate.py) into a
temporary folder; the seed is copied there too (the benchmark edits its copies, never
``seeds/``). Then, each in a fresh process:

* **phases**: the functions ``kg build --full`` calls, one after the other: read the
  seeds and compile them into units (worker processes), validate every node (worker
  processes), write the dumps, describe the release (VoID/DCAT), load the on-disk
  store. Each phase reports its wall time (``time.perf_counter``) and the peak memory of
  the process *and its workers* (their proportional set size, PSS, sampled every 20 ms).
  Validation runs with the default engine (pyshacl-turbo) and, on corpora of up to
  200,000 triples, with pySHACL too, whose results must be the same;
* **``kg build --full``** as a user runs it, into an empty data folder: wall time, peak
  PSS of its process tree (sampled every 20 ms), the steps it reports;
* **one changed article**: the label of the middle article's first claim edited, then
  ``kg build`` in the same data folder (from the build cache and the current release);
* **one added article**: a copy of the middle article under a new name with every id
  it defines renamed (so: a new article of the same size, naming the same entities and
  earlier claims), then ``kg build``;
* **the baseline**, with ``--baseline REF``: ``kg build`` of that commit's tree (``git
  archive``), its own ontology and shapes, on the same corpus, into an empty folder.

The result is a Markdown table of the figures and one of issue 12's targets (each as
the ratio measured / target, and by how much a missed one is missed), with the load
average at the start and at the end (others share the machine); ``--write`` puts them
into a file between the ``<!-- begin build figures -->`` and ``<!-- end build
figures -->`` markers.
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
from bench.memory import PeakSampler, pss_bytes

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("read", "compile", "validate", "dumps", "void", "store")
PHASE_NAMES = {
    "read": "read seeds (interfaces, or parse in workers)",
    "compile": "compile into units (workers)",
    "validate": "validate every node (SHACL, pyshacl-turbo, workers)",
    "dumps": "dumps assembled from the units (5 formats + checksums)",
    "void": "VoID/DCAT description, shapes.ttl",
    "store": "on-disk store, bulk-loaded from the N-Quads dump",
    "validate_pyshacl": "*validate with pySHACL instead*",
}
MARKERS = ("<!-- begin build figures -->", "<!-- end build figures -->")
LIBRARIES = ("rdflib", "pyshacl", "pyshacl-turbo", "pyoxigraph", "PyYAML")
# pySHACL takes about 300 µs a triple on these shapes: above this, it is not compared.
PYSHACL_MAX_TRIPLES = 200_000
SAMPLE = 0.02  # seconds between two memory samples


# --- one process: the phases -----------------------------------------------------------


def measure_phases(seeds_dir: Path, work: Path) -> dict[str, Any]:
    """Run the phases of a full build over ``seeds_dir``, each measured."""
    from kg import publish
    from kg.buildcache import BuildCache
    from kg.compiling import compile_units
    from kg.config import Settings
    from kg.pipeline import Plan
    from kg.progress import Steps
    from kg.validate import validate_nodes
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
    with PeakSampler(SAMPLE, lambda: pss_bytes(os.getpid())) as sampler:

        @contextmanager
        def phase(name: str) -> Iterator[None]:
            sampler.reset()
            started = time.perf_counter()
            yield
            phases[name] = {
                "seconds": time.perf_counter() - started,
                "peak_mb": max(sampler.peak, sampler.measure()) / 2**20,
            }

        cache = BuildCache(settings.data_dir / "cache")
        ontology = load_turtle(settings.ontology_dir, ns)
        shapes = load_turtle(settings.shapes_dir, ns)
        steps = Steps(quiet=True)
        with phase("read+compile"):
            compiled = compile_units(settings, ontology, cache, steps, use_cache=False)
        both = phases.pop("read+compile")
        for name, timed in steps.timings.items():
            key = "read" if name.startswith("read") else "compile"
            phases[key] = {"seconds": timed, "peak_mb": both["peak_mb"]}
        plan = Plan.make(settings, cache, compiled, shapes, None)
        engine = settings.shacl_engine
        with phase("validate"):
            rows = validate_nodes(plan.dataset, plan.batches, shapes, engine, 0)
        triples = sum(stats.triples for stats in plan.dataset.stats.values())
        if engine != "pyshacl" and triples <= PYSHACL_MAX_TRIPLES:
            with phase("validate_pyshacl"):  # the same validation, pure-Python engine
                other = validate_nodes(plan.dataset, plan.batches, shapes, "pyshacl", 0)
            out["pyshacl_same_results"] = sorted(other) == sorted(rows)
        publish.prepare(plan.dataset, plan.fragments, shapes, settings, phase=phase).discard()
        out["triples"] = triples
        out["graphs"] = len(plan.dataset.names)
        out["documents"] = len(compiled.seeds.documents)
        out["claims"] = sum(1 for _ in compiled.seeds.claims())
        out["violations"] = sum(1 for row in rows if row[0] == "Violation")
    return out


# --- one process: kg build ----------------------------------------------------------------

_STEP = re.compile(r"^(?P<name>[^.%\n]+?) \.\.\.(?: \d+%)* (?P<s>[\d.]+) s$")
_COMPILED = re.compile(r"compile ([\d,]+) of ([\d,]+) documents")
_VALIDATED = re.compile(r"validate ([\d,]+) nodes")


def measure_build(
    seeds_dir: Path, data_dir: Path, *options: str, code: Path = ROOT
) -> dict[str, Any]:
    """``kg build`` as a user runs it (the code of ``code``): wall time, peak PSS of its
    process tree, what it did."""
    command = [sys.executable, "-m", "kg.cli", "--seeds-dir", str(seeds_dir),
               "--data-dir", str(data_dir), "build", *options]  # fmt: skip
    env = os.environ | {"PYTHONPATH": str(code)}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=code, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    stdout: list[str] = []
    stderr: list[str] = []
    readers = [
        threading.Thread(target=lambda: stdout.extend(process.stdout or [])),
        threading.Thread(target=lambda: stderr.extend(process.stderr or [])),
    ]
    with PeakSampler(SAMPLE, lambda: pss_bytes(process.pid)) as sampler:
        for reader in readers:
            reader.start()
        code_ = process.wait()
        seconds = time.perf_counter() - started
    for reader in readers:
        reader.join()
    text = "".join(stderr)
    steps = {}
    for line in text.splitlines():
        if match := _STEP.match(line.strip()):
            steps[match["name"]] = float(match["s"])
    compiled, validated = _COMPILED.search(text), _VALIDATED.search(text)
    return {
        "exit_code": code_,
        "seconds": seconds,
        "peak_mb": sampler.peak / 2**20,
        "steps": steps,
        "compiled": compiled[0] if compiled else "",
        "validated": validated[1] if validated else "",
        "store": "updated" if "updated the store" in text else "loaded",
        "stderr_tail": text[-2000:] if code_ else "",
    }


# --- changes: one article edited, one added ----------------------------------------------


def middle_article(seeds_dir: Path) -> Path:
    """The annotation file of the middle article that declares no concept."""
    articles = [p for p in sorted((seeds_dir / "documents").glob("*.yaml"))
                if "\nconcepts:" not in p.read_text(encoding="utf-8")]  # fmt: skip
    return articles[len(articles) // 2]


def change_article(seeds_dir: Path) -> str:
    """Edit the first label of the middle article; its name."""
    path = middle_article(seeds_dir)
    text = path.read_text(encoding="utf-8")
    found = re.search(r"\n    label: ([^\n]+)", text)
    assert found is not None, path
    path.write_text(text.replace(found[0], f"{found[0]} (edited)", 1), encoding="utf-8")
    return path.stem


def add_article(seeds_dir: Path) -> str:
    """A copy of the middle article under a new name, every id it defines renamed; its
    name."""
    path = middle_article(seeds_dir)
    text = path.read_text(encoding="utf-8")
    ids = re.findall(r"^\s*- id: ([a-z0-9-]+)$", text, flags=re.M)
    for defined in sorted(ids, key=len, reverse=True):
        text = re.sub(rf"(?<![a-z0-9-]){re.escape(defined)}(?![a-z0-9-])", f"{defined}-bis", text)
    name = f"{path.stem}-bis"
    (path.parent / f"{name}.yaml").write_text(text, encoding="utf-8")
    shutil.copyfile(path.with_suffix(".txt"), path.parent / f"{name}.txt")
    return name


# --- the parent: corpora, fresh processes, the table -----------------------------------------


def _phases_in_fresh_process(seeds_dir: Path, work: Path) -> dict[str, Any]:
    result = work / "phases.json"
    subprocess.run(
        [sys.executable, "-m", "bench.build_bench", "--phases", str(seeds_dir), str(result)],
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


def baseline_tree(ref: str, scratch: Path) -> Path:
    """The tree of commit ``ref``, exported to run its ``kg build``."""
    tree = scratch / f"baseline-{ref}"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def run(
    sizes: list[int],
    seed: int,
    keep: Path | None,
    baseline: str | None,
    log: Callable[[str], None],
) -> dict[str, Any]:
    columns: list[dict[str, Any]] = []
    machine_facts = machine()  # the commit measured is the one at the start
    if baseline:  # named by its commit, which a branch name is not for long
        baseline = _git("rev-parse", "--short", baseline)
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as temporary:
        scratch = keep or Path(temporary)
        scratch.mkdir(parents=True, exist_ok=True)
        old = baseline_tree(baseline, scratch) if baseline else None
        corpora: list[tuple[str, Path, int | None]] = []
        seed_copy = scratch / "seed"
        shutil.rmtree(seed_copy, ignore_errors=True)
        shutil.copytree(ROOT / "seeds", seed_copy)
        corpora.append(("seed", seed_copy, None))
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
            work.mkdir(parents=True)
            column: dict[str, Any] = {"label": label, "negotiations": negotiations}
            log(f"{label}: phases (fresh process)")
            column["phases"] = _phases_in_fresh_process(corpus, work)
            if old is not None:
                log(f"{label}: kg build of {baseline}")
                column["baseline"] = measure_build(corpus, work / "baseline", code=old)
            log(f"{label}: kg build --full")
            column["full"] = measure_build(corpus, work / "var", "--full")
            log(f"{label}: one article changed ({change_article(corpus)}), kg build")
            column["changed"] = measure_build(corpus, work / "var")
            log(f"{label}: one article added ({add_article(corpus)}), kg build")
            column["added"] = measure_build(corpus, work / "var")
            columns.append(column)
    return {"columns": columns, "machine": machine_facts, "seed": seed, "sizes": sizes,
            "baseline": baseline, "load": _load()}  # fmt: skip


def _load() -> str:
    """The load average, as ``uptime`` gives it (others share this machine)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


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
    commit = _git("rev-parse", "--short", "HEAD")
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
        "load": _load(),
    }


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def _short(size: int) -> str:
    for factor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if size >= factor:
            return f"{size / factor:g}{suffix}"
    return str(size)


def _cell(seconds: float, mb: float) -> str:
    return f"{seconds:.2f} s, {mb:,.0f} MB" if seconds < 10 else f"{seconds:.1f} s, {mb:,.0f} MB"


def _run_cell(measured: dict[str, Any], full: dict[str, Any] | None = None) -> str:
    if measured["exit_code"]:
        return f"exit {measured['exit_code']}"
    cell = f"**{_cell(measured['seconds'], measured['peak_mb'])}**"
    if full is not None and full["seconds"]:
        cell += f" ({measured['seconds'] / full['seconds']:.2f}×)"
    return cell


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

    for name in PHASES:
        row(PHASE_NAMES[name], [cell(c, name) for c in columns])
    if any("validate_pyshacl" in c["phases"]["phases"] for c in columns):
        row(PHASE_NAMES["validate_pyshacl"], [cell(c, "validate_pyshacl") for c in columns])
        row(
            "*pySHACL: same results as pyshacl-turbo*",
            [{True: "yes", False: "**no**"}.get(c["phases"].get("pyshacl_same_results"), "–")
             for c in columns],
        )  # fmt: skip
    row("SHACL violations", [str(c["phases"]["violations"]) for c in columns])
    if result.get("baseline"):
        row(f"`kg build` of {result['baseline']} (before), whole process",
            [_run_cell(c["baseline"]) for c in columns])  # fmt: skip
    row("**`kg build --full`**, whole process (× before)",
        [_run_cell(c["full"], c.get("baseline")) for c in columns])  # fmt: skip
    for step in ("read seeds", "compile", "validate", "make it current"):
        row(
            f"&nbsp;&nbsp;step: {step}",
            [next((f"{s:.1f} s" for n, s in c["full"]["steps"].items() if n.startswith(step)),
                  "–") for c in columns],
        )  # fmt: skip
    for case, what in (("changed", "one article changed"), ("added", "one article added")):
        row(f"**`kg build`, {what}** (× full build)",
            [_run_cell(c[case], c["full"]) for c in columns])  # fmt: skip
        row(
            "&nbsp;&nbsp;what it did",
            [f"{c[case]['compiled']}, {c[case]['validated']} nodes validated, store "
             f"{c[case]['store']}" for c in columns],
        )  # fmt: skip
    return "\n".join(rows)


# The targets: (what, column, case, seconds, bytes); the largest corpus stands
# for "1M". A GB is 10**9 bytes; the cells give MiB.
TARGETS = (
    ("one changed article, ~1M triples", "largest", "changed", 10.0, 1e9),
    ("one added article, ~1M triples", "largest", "added", 10.0, 1e9),
    ("`kg build --full`, ~1M triples", "largest", "full", 60.0, 2e9),
    ("the seed, `kg build --full`", "seed", "full", 3.0, None),
    ("the seed, one article changed", "seed", "changed", 3.0, None),
)


def _ratio(measured: float, target: float) -> str:
    ratio = measured / target
    verdict = "met" if ratio < 1 else f"**missed by {100 * (ratio - 1):.0f}%**"
    return f"{ratio:.2f}× ({verdict})"


def targets(result: dict[str, Any]) -> str:
    """Each target beside what was measured, as the ratio measured / target (below 1:
    met)."""
    columns = {c["label"]: c for c in result["columns"]}
    largest = result["columns"][-1] if len(result["columns"]) > 1 else None
    rows = [
        "| target | measured | time / target | memory / target |",
        "|---|---|---|---|",
    ]
    for what, which, case, seconds, limit in TARGETS:
        column = largest if which == "largest" else columns.get(which)
        if column is None or case not in column:
            continue
        measured = column[case]
        target = f"< {seconds:g} s" + (f", < {limit / 1e9:g} GB" if limit else "")
        if measured["exit_code"]:
            rows.append(f"| {what} ({target}) | exit {measured['exit_code']} | – | – |")
            continue
        memory = _ratio(measured["peak_mb"] * 2**20, limit) if limit else "–"
        rows.append(
            f"| {what} ({target}) | {_cell(measured['seconds'], measured['peak_mb'])} "
            f"| {_ratio(measured['seconds'], seconds)} | {memory} |"
        )
    return "\n".join(rows)


def facts(result: dict[str, Any]) -> str:
    m = result["machine"]
    return (
        f"Measured {m['date']} at commit {m['commit']} on {m['cpus']} CPUs ({m['cpu']}), "
        f"{m['memory']} RAM, {m['os']}; Python {m['python']}; {m['libraries']}. Load "
        f"average {m['load']} at the start, {result['load']} at the end (the machine is "
        f"shared). Corpora from `bench/generate.py` with seed {result['seed']}. Each cell: "
        "wall time, peak memory of the process and its workers (PSS; MB = MiB)."
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
    parser.add_argument("--baseline", help="a commit whose kg build runs alongside, as a peer")
    parser.add_argument("--write", type=Path, help="put the table into this Markdown file")
    parser.add_argument("--json", type=Path, help="also save the raw figures as JSON")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--report", type=Path, help="print the table of a saved --json")
    parser.add_argument("--phases", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phases:  # a fresh child process measuring one corpus
        seeds_dir, output = args.phases
        figures = measure_phases(seeds_dir, output.parent)
        output.write_text(json.dumps(figures, indent=2), encoding="utf-8")
        return 0
    if args.report:
        result = json.loads(args.report.read_text(encoding="utf-8"))
    else:
        log: Callable[[str], None] = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
        result = run(args.sizes, args.seed, args.keep, args.baseline, log)
    block = facts(result) + "\n\n" + table(result) + "\n\n" + targets(result)
    print(block)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    if args.write:
        write(args.write, block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
