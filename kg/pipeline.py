"""The build, one way: seeds → compile → validate → release (DESIGN.md, "Data flows
one way"). Each step hands its result to the next; nothing writes upstream.

``kg build`` compiles the seeds into units, one per named graph (kg/compiling.py),
reusing from the build cache every document whose graph cannot have changed. It then
validates the nodes that need it (all of them, or those a change can affect:
kg/incremental.py) in worker processes, while another thread writes the release
folder: dumps assembled from the units, the VoID, the store. The folder becomes the
release only if validation passes, and is discarded otherwise. ``kg build --full``
reads nothing from the cache.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from rdflib import Graph

from kg import seeds as seeds_module
from kg import validate as validation
from kg.assemble import Fragments
from kg.buildcache import BuildCache, digest, file_digests
from kg.compile import Compiled, compile_seeds, cycle_collection_paused
from kg.compiling import (
    CompiledSeeds,
    UnitRef,
    check_seeds,
    compile_key,
    compile_units,
    open_unit,
    store_unit,
)
from kg.config import Settings
from kg.dataset import Dataset
from kg.errors import ReleaseError, ValidationFailed
from kg.incremental import State, affected, changed
from kg.link.enrich import CACHE_FILE
from kg.progress import Steps
from kg.publish import (
    Building,
    Previous,
    build_lock,
    finish,
    inputs_digest,
    not_written,
    prepare,
)
from kg.reach import reach
from kg.release import Release, current_id
from kg.units import SYNTAXES, Unit, fragments, parse_lines, published
from kg.validate import Report, ResultRow, batches_by_graph, batches_of, validate_nodes
from kg.vocabulary import load_turtle, load_turtle_file, turtle_files

CACHE_DIR = "cache"
# The store of the current release is updated, not loaded afresh, when a release has at
# least UPDATE_FROM triples and at most UPDATE_AT_MOST of them are in changed graphs.
UPDATE_FROM = 20_000
UPDATE_AT_MOST = 0.5


@dataclass(frozen=True)
class Inputs:
    """What validation and the release are made from."""

    compiled: Compiled[Graph]
    shapes: Graph
    ontology: Graph


@dataclass(frozen=True)
class Checked:
    compiled: Compiled[Graph]
    report: Report
    shapes: Graph


def check(settings: Settings, steps: Steps) -> Checked:
    """Read, compile and validate the seeds; raise on the first failing step."""
    inputs = _compile(settings, steps)
    with steps.step(f"validate {len(inputs.compiled):,} triples ({settings.shacl_engine})"):
        report = validation.validate(
            inputs.compiled,
            inputs.shapes,
            inputs.ontology,
            settings.validation_batch_triples,
            steps.advance,
            settings.shacl_engine,
            settings.build_workers,
        )
    _raise_unless_conforms(settings, report)
    return Checked(inputs.compiled, report, inputs.shapes)


def build(settings: Settings, steps: Steps, full: bool = False) -> Release:
    """Build a new release and make it current; the previous one serves until then.
    ``full``: read nothing from the build cache (it is written all the same)."""
    with build_lock(settings), cycle_collection_paused():  # millions of objects, few cycles
        try:
            return _build(settings, steps, full)
        except (OSError, MemoryError) as exc:  # a full disk, a statement over 16 MiB
            raise not_written(exc, settings) from exc


def _build(settings: Settings, steps: Steps, full: bool) -> Release:
    """Build under the lock: compile, plan, validate while writing, make it current."""
    inputs = inputs_digest(settings)
    cache = BuildCache(settings.data_dir / CACHE_DIR)
    with steps.step("read ontology and shapes"):
        ontology = load_turtle(settings.ontology_dir, settings.ns)
        shapes = load_turtle(settings.shapes_dir, settings.ns)
    live = None if full else current_id(settings)
    state = State.load(cache, live) if live else None
    if state is not None and state.compile_key != compile_key(settings):
        state = None  # another ontology, base IRI or code: nothing of it can be reused
    before = state.seeds if state else None
    compiled = compile_units(settings, ontology, cache, steps, not full, True, before)
    plan = Plan.make(settings, cache, compiled, shapes, state)
    with (
        steps.step(f"validate {plan.nodes:,} nodes ({settings.shacl_engine}), write release"),
        ThreadPoolExecutor(1, thread_name_prefix="release") as pool,
    ):
        writing = pool.submit(
            prepare, plan.dataset, plan.fragments, shapes, settings, plan.previous
        )
        try:
            rows = plan.carried + validate_nodes(
                plan.dataset, plan.batches, shapes, settings.shacl_engine,
                settings.build_workers, steps.advance,
            )  # fmt: skip
            report = validation.report(rows, compiled.origins(cache))
            building = writing.result()
        except BaseException:
            writing.add_done_callback(_discard)
            raise
        try:
            _raise_unless_conforms(settings, report)
        except ValidationFailed:
            building.discard()
            raise
    with steps.step(f"make it current ({building.store} the store)"):
        assert compiled.before is not None
        units = {name: ref.key for name, ref in compiled.units.items()}
        State(building.release_id, compiled.key, plan.validate_key, units, rows,
              plan.dataset.duplicates(), compiled.before).save(cache)  # fmt: skip
        release = finish(building, report, settings, inputs)
        with contextlib.suppress(OSError):  # the release is current; this can wait
            _prune_cache(settings, cache, compiled)
    return release


def _discard(writing: Future[Building]) -> None:
    """Remove the release folder a failed build was writing, once it is written."""
    if not writing.cancelled() and writing.exception() is None:
        writing.result().discard()


def is_current(settings: Settings, release: Release) -> bool:
    """True when ``release`` was built from the seeds, ontology and shapes as they are."""
    return bool(release.manifest.get("inputs_sha256") == inputs_digest(settings))


@dataclass
class Plan:
    """What to validate, and what the release starts from."""

    dataset: Dataset
    fragments: Fragments
    batches: list[set[str]]
    carried: list[ResultRow]  # the current release's results for nodes not revalidated
    previous: Previous | None  # the current release, when its store is updated
    validate_key: str

    @property
    def nodes(self) -> int:
        return sum(len(b) for b in self.batches)

    @classmethod
    def make(
        cls,
        settings: Settings,
        cache: BuildCache,
        compiled: CompiledSeeds,
        shapes: Graph,
        state: State | None,
    ) -> Plan:
        ns = settings.ns
        units = compiled.units
        dataset = Dataset(
            {n: r.stats for n, r in units.items()},
            lambda n: _load(cache, units[n], "raw"),
            lambda n: _load(cache, units[n], "nt"),
        )

        def fragments_of(name: str) -> dict[str, bytes]:
            entry = cache.open("units", units[name].key)
            parts = {s: entry.bytes(s) if entry else None for s in SYNTAXES}
            if all(part is not None for part in parts.values()):
                return {s: part for s, part in parts.items() if part is not None}
            # a damaged fragment: made again from the unit's N-Triples
            store_unit(cache, dataset.unit(name), ns, use_cache=False)
            return fragments(published(dataset.unit(name)), ns.prefixes())

        shape_files = file_digests(turtle_files(settings.shapes_dir))
        validate_key = digest([compiled.key, *shape_files, settings.shacl_engine])
        limit = settings.validation_batch_triples
        everything = cls(dataset, fragments_of, [], [], None, validate_key)
        if state is None:
            everything.batches = batches_by_graph(dataset, limit)
            return everything
        after = {name: ref.key for name, ref in units.items()}
        graphs = changed(state.units, after)
        old: dict[str, list[bytes]] = {}
        touched: set[str] = set()  # the subjects of the changed graphs, before and after
        for name in graphs:
            if name in state.units:
                ref = open_unit(cache, state.units[name], name, ns)
                if ref is None:  # the cache lost it: validate everything, load the store
                    everything.batches = batches_by_graph(dataset, limit)
                    return everything
                old[name] = _load(cache, ref, "raw").lines
                touched.update(ref.stats.subjects)
            if name in dataset.stats:
                touched.update(dataset.stats[name].subjects)
        dataset.duplicates(state.duplicates, touched)
        total = sum(s.triples for s in dataset.stats.values()) or 1
        sizes = {n: dataset.stats[n].triples if n in dataset.stats else 0 for n in graphs}
        moved = sum(max(len(old.get(n, ())), size) for n, size in sizes.items())
        store = settings.releases_dir / state.release / "store"
        if total >= UPDATE_FROM and moved <= UPDATE_AT_MOST * total:
            everything.previous = Previous(store, graphs)
        shape_reach = reach(shapes)
        if state.validate_key != validate_key or not shape_reach.splittable:
            everything.batches = batches_by_graph(dataset, limit)
            return everything
        nodes = affected(old, dataset, graphs, shape_reach)
        everything.batches = batches_of(nodes, dataset, limit)
        everything.carried = [row for row in state.results if row[1] not in nodes]
        return everything


def _load(cache: BuildCache, ref: UnitRef, section: str) -> Unit:
    """A unit's lines as validated (``raw``) or published (``nt``)."""
    entry = cache.open("units", ref.key)
    nt = entry.bytes(section) if entry else None
    if nt is None:
        raise ReleaseError(f"the build cache lost the graph {ref.name} while building; build again")
    return parse_lines(ref.name, nt)


def _prune_cache(settings: Settings, cache: BuildCache, compiled: CompiledSeeds) -> None:
    """Keep what the current release is made of, and the states of kept releases."""
    cache.keep_only("units", (ref.key for ref in compiled.units.values()))
    cache.keep_only("documents", compiled.entries.values())
    cache.keep_only("states", (p.name for p in settings.releases_dir.iterdir()))


def _compile(settings: Settings, steps: Steps, refuse_drafts: bool = False) -> Inputs:
    """Read and compile into rdflib graphs (``kg validate``); a release
    (``refuse_drafts``) takes no unreviewed draft."""
    ns = settings.ns
    with steps.step("read seeds, ontology and shapes"):
        ontology = load_turtle(settings.ontology_dir, ns)
        shapes = load_turtle(settings.shapes_dir, ns)
        seeds = seeds_module.load(settings.seeds_dir)
        check_seeds(settings, seeds, steps, refuse_drafts)
    with steps.step("compile"):
        compiled = compile_seeds(seeds, ontology, ns)
        cache = settings.seeds_dir / CACHE_FILE
        if cache.exists():
            name = ns.graph("wikidata-cache")
            compiled.graphs[name] = load_turtle_file(cache, ns, Graph(identifier=name))
    return Inputs(compiled, shapes, ontology)


def _raise_unless_conforms(settings: Settings, report: Report) -> None:
    if not report.conforms:
        text = "\n".join(r.describe(settings.ns.shorten) for r in report.violations)
        raise ValidationFailed(text, len(report.violations))
