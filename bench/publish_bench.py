"""Measure ``kg publish --to`` against Oxigraph's server and Virtuoso, and what readers
see while a release is switched.

    python -m bench.publish_bench [--negotiations 40 200] [--write docs/benchmarks.md]

**Times.** For the fixture corpus (tests/corpus) and for generated corpora
(bench/generate.py, ``--negotiations`` each), two releases are built: A, and B, the
same corpus less its last document (for the fixture corpus, A rebuilt): what a
newsroom's next release looks like. For each store, started empty on loopback
(tests/stores.py), with the switch ``auto`` chooses for it:

1. ``kg publish --to`` A into the empty store: the wall time of the command, and the
   upload and switch times it prints;
2. the same again (nothing is sent);
3. B, while a reader asks the store again and again for the size of each graph of the
   live release, through the record: every answer must be all A's or all B's.

**Isolation.** Releases of marked graphs (tests/stores.py: each graph says which release
it belongs to), ``--graphs`` graphs of about ``--size`` triples, are switched on each
store with ``move`` while a reader asks for the published names, and on Virtuoso with
``pointer`` while a reader goes through the record: how many answers came while the
publish ran, and how many were a mix of A and B.

The result is Markdown; ``--write`` puts it between ``<!-- begin publish figures -->``
and ``<!-- end publish figures -->``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from bench.build_bench import machine, write
from bench.generate import generate
from kg import pipeline
from kg.config import Settings
from kg.progress import Steps
from kg.remote.record import live_graphs
from tests import stores

ROOT = Path(__file__).resolve().parent.parent
MARKERS = ("<!-- begin publish figures -->", "<!-- end publish figures -->")
Answer = dict[str, tuple[str, int]]
Starter = Callable[[Path], AbstractContextManager[stores.Store]]


@dataclass
class Run:
    """One ``kg publish --to``: its wall time and the times it printed."""

    wall: float
    upload: float = 0.0
    switch: float = 0.0


@dataclass
class Reads:
    answers: int
    during: int  # asked before the publish ended, answered after it started
    mixed: int


def kg_publish(data_dir: Path, store: stores.Store, switch: str) -> Run:
    command = [sys.executable, "-m", "kg.cli", "--data-dir", str(data_dir), "publish"]
    command += ["--to", store.graph_store, "--update", store.update, "--query", store.query]
    env = os.environ | {"KG_PUBLISH_USER": store.user, "KG_PUBLISH_PASSWORD": store.password}
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "--switch", switch], capture_output=True, text=True, env=env, cwd=ROOT
    )
    run = Run(time.perf_counter() - started)
    if done.returncode:
        raise SystemExit(f"kg publish failed: {done.stderr.strip()}")
    if match := re.search(r"triples, ([\d.]+) s\).*switched in ([\d.]+) s", done.stdout):
        run.upload, run.switch = float(match[1]), float(match[2])
    return run


def sizes_seen(base: str) -> str:
    """A reader's query: the size of each graph of the live release, by its document
    (the part of its name after ``/graph/``), through the record; the shape of
    :func:`tests.stores.graphs_seen`, so that :class:`tests.stores.Reader` can ask it."""
    return (
        f"SELECT ?marker ?version (COUNT(*) AS ?size) WHERE {{ {live_graphs(base)} "
        "GRAPH ?graph { ?s ?p ?o } "
        'BIND(STRAFTER(STR(?graph), "/graph/") AS ?marker) BIND("" AS ?version) } '
        "GROUP BY ?marker ?version"
    )


def build(seeds: Path, data_dir: Path) -> tuple[str, Answer]:
    """A release of ``seeds``: its base IRI, and its graphs' sizes as sizes_seen sees them."""
    settings = Settings(
        seeds_dir=seeds,
        ontology_dir=ROOT / "ontology",
        shapes_dir=ROOT / "shapes",
        queries_dir=ROOT / "queries",
        data_dir=data_dir,
    )
    release = pipeline.build(settings, Steps(quiet=True))
    store = release.open_store()
    sizes = {}
    for graph in store.named_graphs():
        ntriples = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        assert ntriples is not None
        sizes[str(graph.value).split("/graph/", 1)[1]] = ("", ntriples.count(b"\n"))
    return str(release.manifest["base_iri"]), sizes


def read_while(
    reader: stores.Reader, publish: Callable[[], Run], a: Answer, b: Answer
) -> tuple[Run, Reads]:
    reader.start()
    reader.wait_for_an_answer()
    started = time.monotonic()
    run = publish()
    ended = time.monotonic()
    answers = reader.finish(after=ended)
    mixed = [answer for answer in answers if answer not in (a, b)]
    for answer in mixed[:3]:  # what a mix is made of
        print(f"  a mix: {_differences(answer, a)} graphs differ from A's, "
              f"{_differences(answer, b)} from B's", file=sys.stderr)  # fmt: skip
    return run, Reads(len(answers), reader.during(started, ended), len(mixed))


def _differences(seen: Answer, expected: Answer) -> int:
    return sum(seen.get(key) != expected.get(key) for key in set(seen) | set(expected))


def corpora(
    negotiations: list[int], scratch: Path, log: Callable[[str], None]
) -> Iterator[tuple[str, Path, Path]]:
    """Each corpus, A's seeds and B's."""
    yield "fixture corpus", ROOT / "tests" / "corpus", ROOT / "tests" / "corpus"
    for n in negotiations:
        corpus = scratch / f"corpus-{n}"
        log(f"generating {n} negotiations")
        generate(corpus, n, 0)
        smaller = scratch / f"corpus-{n}-less-one"
        shutil.copytree(corpus, smaller)
        last = max((smaller / "documents").glob("*.yaml"))
        last.unlink()
        last.with_suffix(".txt").unlink()
        yield f"{n} negotiations", corpus, smaller


STORES = ("oxigraph", "virtuoso")


def starters(chosen: list[str]) -> list[tuple[str, Starter, str]]:
    """Each store chosen with the switch ``auto`` chooses for it."""
    found: list[tuple[str, Starter, str]] = []
    if "oxigraph" in chosen:
        found.append(("Oxigraph", lambda folder: stores.oxigraph(folder / "store"), "move"))
    if "virtuoso" in chosen and stores.virtuoso_missing() is None:
        found.append(("Virtuoso", stores.virtuoso, "pointer"))
    return found


def times(
    negotiations: list[int], chosen: list[str], scratch: Path, log: Callable[[str], None]
) -> list[str]:
    rows = []
    for label, corpus_a, corpus_b in corpora(negotiations, scratch, log):
        work = scratch / label.replace(" ", "-")
        log(f"{label}: building releases A and B")
        base, sizes_a = build(corpus_a, work / "a")
        time.sleep(1.1)  # a release id of its own, even for the same seeds
        _, sizes_b = build(corpus_b, work / "b")
        triples = sum(n for _, n in sizes_a.values())
        for name, start, switch in starters(chosen):
            with start(work / f"{name.lower()}") as store:
                log(f"{label}, {name}: publish A, A again, then B while a reader asks")
                first = kg_publish(work / "a", store, switch)
                again = kg_publish(work / "a", store, switch)
                reader = stores.Reader(store, sizes_seen(base))
                publish_b = partial(kg_publish, work / "b", store, switch)
                after, reads = read_while(reader, publish_b, sizes_a, sizes_b)
            mixed = "n/a (A and B hold the same)" if sizes_a == sizes_b else reads.mixed
            rows.append(
                f"| {label}: {triples:,} triples, {len(sizes_a)} graphs | {name} ({switch}) "
                f"| {first.wall:.1f} s ({first.upload:.1f} s + {first.switch:.2f} s) "
                f"| {again.wall:.1f} s "
                f"| {after.wall:.1f} s ({after.upload:.1f} s + {after.switch:.2f} s) "
                f"| {reads.answers} ({reads.during} during): {mixed} |"
            )
    return rows


def isolation(
    graphs: int, size: int, chosen: list[str], scratch: Path, log: Callable[[str], None]
) -> list[str]:
    plans = [(name, start, "move") for name, start, _ in starters(chosen)]
    plans += [(n, start, "pointer") for n, start, switch in starters(chosen) if switch == "pointer"]
    rows = []
    for index, (name, start, switch) in enumerate(plans):
        work = scratch / f"isolation-{index}"
        base = f"https://example.org/isolation-{index}/"
        a = stores.marked_release(work / "a", base, "A", range(graphs), size)
        b = stores.marked_release(
            work / "b", base, "B", range(graphs // 5, graphs + graphs // 5), size + 1
        )
        with start(work / "store") as store:
            log(f"isolation, {name} ({switch}): publish A, then B while a reader asks")
            kg_publish(work / "a", store, switch)
            read = stores.record_reader(base) if switch == "pointer" else stores.direct_reader(base)
            publish_b = partial(kg_publish, work / "b", store, switch)
            after, reads = read_while(stores.Reader(store, read), publish_b, a, b)
        triples = sum(n for _, n in a.values())
        rows.append(
            f"| {name} | {switch} | {graphs} graphs, {triples:,} triples "
            f"| {after.wall:.1f} s ({after.upload:.1f} s + {after.switch:.2f} s) "
            f"| {reads.answers} ({reads.during} during) | **{reads.mixed}** |"
        )
    return rows


def report(
    negotiations: list[int], graphs: int, size: int, chosen: list[str], log: Callable[[str], None]
) -> str:
    facts = machine()
    with tempfile.TemporaryDirectory(prefix="kg-publish-bench-") as temporary:
        scratch = Path(temporary)
        timed = times(negotiations, chosen, scratch, log)
        isolated = isolation(graphs, size, chosen, scratch, log)
    return "\n".join(
        [
            "| corpus | store (switch) | first publish (upload + switch) | again "
            "| next release (upload + switch) | reader answers: mixed |",
            "| --- | --- | --- | --- | --- | --- |",
            *timed,
            "",
            "| store | switch | releases | next release (upload + switch) "
            "| reader answers | mixed |",
            "| --- | --- | --- | --- | --- | --- |",
            *isolated,
            "",
            ", ".join(f"{k}: {v}" for k, v in facts.items()),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--negotiations", type=int, nargs="*", default=[40, 200])
    parser.add_argument("--graphs", type=int, default=25, help="marked graphs (isolation)")
    parser.add_argument("--size", type=int, default=2000, help="triples per marked graph")
    parser.add_argument("--stores", nargs="*", choices=STORES, default=list(STORES))
    parser.add_argument("--write", type=Path, help="put the tables into this Markdown file")
    args = parser.parse_args(argv)
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    block = report(args.negotiations, args.graphs, args.size, args.stores, log)
    print(block)
    if args.write:
        write(args.write, block, MARKERS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
