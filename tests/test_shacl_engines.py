"""The default SHACL engine, pyshacl-turbo, gives the same results as pySHACL: on every
shape's passing and failing graph, and on the seed with a violation put in. This is
what allows a faster engine behind the same interface (issue 2)."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph
from rdflib.namespace import SH
from rdflib.term import Node

from kg import pipeline, seeds
from kg.compile import compile_seeds
from kg.config import Settings
from kg.progress import Steps
from kg.validate import engine, validate
from kg.vocabulary import load_turtle
from tests.test_shapes import FIXTURES, SHAPE_NAMES, _data

Finding = tuple[Node | None, ...]


def findings(report: Graph) -> set[Finding]:
    """Every top-level result, by what SHACL says it is (section 3.6.2)."""
    keys = (
        SH.focusNode,
        SH.resultPath,
        SH.sourceShape,
        SH.sourceConstraintComponent,
        SH.value,
        SH.resultSeverity,
        SH.resultMessage,
    )
    return {
        tuple(report.value(r, k) for k in keys)
        for r in report.objects(None, SH.result)
        if (r, RDF.type, SH.ValidationResult) in report
    }


@pytest.fixture(scope="module")
def shapes(built_settings: Settings) -> Graph:
    return load_turtle(built_settings.shapes_dir, built_settings.ns)


@pytest.fixture(scope="module")
def ontology(built_settings: Settings) -> Graph:
    return load_turtle(built_settings.ontology_dir, built_settings.ns)


@pytest.mark.parametrize("case", ["pass.ttl", "fail.ttl"])
@pytest.mark.parametrize("shape", SHAPE_NAMES)
def test_both_engines_agree_on_every_shape_fixture(
    shape: str, case: str, shapes: Graph, ontology: Graph
) -> None:
    data = _data(FIXTURES / shape / case, ontology)
    answers = []
    for name in ("pyshacl", "turbo"):
        conforms, report, _ = engine(name)(
            data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=False
        )
        answers.append((conforms, findings(report)))
    assert answers[0] == answers[1]
    assert answers[0][0] is (case == "pass.ttl")


def test_both_engines_agree_on_the_seed_with_violations(seed_copy: Settings) -> None:
    ontology_dir = seed_copy.seeds_dir.parent / "ontology"
    ontology_dir.mkdir()
    for path in seed_copy.ontology_dir.glob("*.ttl"):  # round statuses lose their class
        text = path.read_text(encoding="utf-8")
        (ontology_dir / path.name).write_text(
            text.replace("a skos:Concept, nkg:RoundStatus ;", "a skos:Concept ;"), "utf-8"
        )
    settings = seed_copy.with_(ontology_dir=ontology_dir)
    ontology = load_turtle(settings.ontology_dir, settings.ns)
    shapes = load_turtle(settings.shapes_dir, settings.ns)
    compiled = compile_seeds(seeds.load(settings.seeds_dir), ontology, settings.ns)
    reports = [
        validate(compiled, shapes, ontology, 1_000, engine=name) for name in ("pyshacl", "turbo")
    ]
    assert reports[0].results == reports[1].results
    rounds = {
        str(s)
        for graph in compiled.graphs.values()
        for s in graph.subjects(RDF.type, settings.ns.nkg.NegotiationRound)
    }
    assert rounds and {v.focus for v in reports[0].violations} == rounds  # each round's status


def test_the_build_uses_the_configured_engine(seed_copy: Settings) -> None:
    for name in ("pyshacl", "turbo"):
        checked = pipeline.check(seed_copy.with_(shacl_engine=name), Steps(quiet=True))
        assert checked.report.conforms
