"""The build, one way: seeds → compile → validate → release (DESIGN.md, "Data flows
one way"). Each step hands its result to the next; nothing writes upstream."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from kg import seeds as seeds_module
from kg.compile import Compiled, compile_seeds
from kg.config import Settings
from kg.errors import ValidationFailed
from kg.link import candidates as review
from kg.link.enrich import CACHE_FILE
from kg.progress import Steps
from kg.publish import build_lock, inputs_digest, publish
from kg.release import Release
from kg.validate import Report, validate
from kg.vocabulary import load_turtle, load_turtle_file


@dataclass(frozen=True)
class Checked:
    compiled: Compiled
    report: Report
    shapes: Graph


def check(settings: Settings, steps: Steps) -> Checked:
    """Read, compile and validate the seeds; raise on the first failing step."""
    ns = settings.ns
    with steps.step("read seeds, ontology and shapes"):
        ontology = load_turtle(settings.ontology_dir, ns)
        shapes = load_turtle(settings.shapes_dir, ns)
        seeds = seeds_module.load(settings.seeds_dir)
        candidates = settings.seeds_dir / review.CANDIDATES_FILE
        if candidates.exists():  # never used, but an edit that breaks it is caught here
            review.read(candidates, {e.id for e in seeds.entities})
    with steps.step("compile"):
        compiled = compile_seeds(seeds, ontology, ns)
        cache = settings.seeds_dir / CACHE_FILE
        if cache.exists():
            name = ns.graph("wikidata-cache")
            compiled.graphs[name] = load_turtle_file(cache, ns, Graph(identifier=name))
    with steps.step(f"validate {len(compiled):,} triples"):
        report = validate(
            compiled, shapes, ontology, settings.validation_batch_triples, steps.advance
        )
    if not report.conforms:
        text = "\n".join(r.describe(ns.shorten) for r in report.violations)
        raise ValidationFailed(text, len(report.violations))
    return Checked(compiled, report, shapes)


def build(settings: Settings, steps: Steps) -> Release:
    """Build a new release and make it current; the previous one serves until then."""
    with build_lock(settings):
        inputs = inputs_digest(settings)
        checked = check(settings, steps)
        with steps.step("write release"):
            return publish(checked.compiled, checked.report, checked.shapes, settings, inputs)


def is_current(settings: Settings, release: Release) -> bool:
    """True when ``release`` was built from the seeds, ontology and shapes as they are."""
    return bool(release.manifest.get("inputs_sha256") == inputs_digest(settings))
