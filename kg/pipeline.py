"""The build, one way: seeds → compile → validate → release (DESIGN.md, "Data flows
one way"). Each step hands its result to the next; nothing writes upstream.

``kg build`` writes the release folder while validation runs in a second thread (the
store, the dumps and the VoID are mostly pyoxigraph's Rust, which releases the GIL);
the folder becomes the release only if validation passes, and is discarded otherwise.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from rdflib import Graph

from kg import seeds as seeds_module
from kg.compile import Compiled, compile_seeds
from kg.config import Settings
from kg.errors import SeedErrors, ValidationFailed
from kg.link import candidates as review
from kg.link.enrich import CACHE_FILE
from kg.progress import Steps
from kg.publish import build_lock, finish, inputs_digest, prepare
from kg.release import Release
from kg.validate import Report, engine, validate
from kg.vocabulary import load_turtle, load_turtle_file


@dataclass(frozen=True)
class Inputs:
    """What validation and the release are made from."""

    compiled: Compiled
    shapes: Graph
    ontology: Graph


@dataclass(frozen=True)
class Checked:
    compiled: Compiled
    report: Report
    shapes: Graph


def check(settings: Settings, steps: Steps) -> Checked:
    """Read, compile and validate the seeds; raise on the first failing step."""
    inputs = _compile(settings, steps)
    with steps.step(f"validate {len(inputs.compiled):,} triples ({settings.shacl_engine})"):
        report = _validate(settings, inputs, steps)
    _raise_unless_conforms(settings, report)
    return Checked(inputs.compiled, report, inputs.shapes)


def build(settings: Settings, steps: Steps) -> Release:
    """Build a new release and make it current; the previous one serves until then."""
    with build_lock(settings):
        digest = inputs_digest(settings)
        inputs = _compile(settings, steps, refuse_drafts=True)
        size = len(inputs.compiled)
        with (
            steps.step(f"validate {size:,} triples ({settings.shacl_engine}) and write release"),
            ThreadPoolExecutor(1, thread_name_prefix="validate") as pool,
        ):
            validating = pool.submit(_validate, settings, inputs, steps)
            building = prepare(inputs.compiled, inputs.shapes, settings)
            try:
                report = validating.result()
                _raise_unless_conforms(settings, report)
            except BaseException:
                building.discard()
                raise
        with steps.step("make it current"):
            return finish(building, report, settings, digest)  # ReleaseError if it fails


def is_current(settings: Settings, release: Release) -> bool:
    """True when ``release`` was built from the seeds, ontology and shapes as they are."""
    return bool(release.manifest.get("inputs_sha256") == inputs_digest(settings))


def _compile(settings: Settings, steps: Steps, refuse_drafts: bool = False) -> Inputs:
    """Read and compile; a release (``refuse_drafts``) takes no unreviewed draft."""
    ns = settings.ns
    with steps.step("read seeds, ontology and shapes"):
        ontology = load_turtle(settings.ontology_dir, ns)
        shapes = load_turtle(settings.shapes_dir, ns)
        seeds = seeds_module.load(settings.seeds_dir)
        for warning in seeds.warnings():
            steps.warn(warning)
        if refuse_drafts and (drafts := seeds.drafts()):
            raise SeedErrors(drafts)
        for proposal in seeds.proposals():  # drafted claims are warned of by a shape
            steps.warn(str(proposal))
        candidates = settings.seeds_dir / review.CANDIDATES_FILE
        if candidates.exists():  # never used, but an edit that breaks it is caught here
            review.read(candidates, {e.id for e in seeds.entities})
    with steps.step("compile"):
        compiled = compile_seeds(seeds, ontology, ns)
        cache = settings.seeds_dir / CACHE_FILE
        if cache.exists():
            name = ns.graph("wikidata-cache")
            compiled.graphs[name] = load_turtle_file(cache, ns, Graph(identifier=name))
    return Inputs(compiled, shapes, ontology)


def _validate(settings: Settings, inputs: Inputs, steps: Steps) -> Report:
    return validate(
        inputs.compiled,
        inputs.shapes,
        inputs.ontology,
        settings.validation_batch_triples,
        steps.advance,
        engine(settings.shacl_engine),
    )


def _raise_unless_conforms(settings: Settings, report: Report) -> None:
    if not report.conforms:
        text = "\n".join(r.describe(settings.ns.shorten) for r in report.violations)
        raise ValidationFailed(text, len(report.violations))
