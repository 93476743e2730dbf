"""Each SHACL shape of shapes/ has a graph that conforms and one that does not (STYLE.md,
item 12): tests/data/shapes/<ShapeName>/pass.ttl and fail.ttl, each read together with
tests/data/shapes/common.ttl.

Validation is as in a build (kg/validate.py): pySHACL, SHACL Core, no inference, the
ontology given as ont_graph. pySHACL copies the ontology's rdfs:subClassOf triples into
the data graph it validates, and only there does sh:targetClass reach the instances of
subclasses (SHACL 1.0, 2.1.3.3), so nkgsh:ClaimShape checks every claim. The concepts
(roles, issues...) are not copied that way, so the ontology is also added to the data
graph, as the compiler adds it to the compiled dataset.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.namespaces import DEFAULT_BASE_IRI, Namespaces
from kg.vocabulary import load_turtle

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "shapes"
NS = Namespaces(DEFAULT_BASE_IRI)
SHAPES_NS = DEFAULT_BASE_IRI + "shapes#"
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _node_shapes(shapes: Graph) -> list[URIRef]:
    """Every node shape: typed sh:NodeShape, or with a target."""
    found = set(shapes.subjects(RDF.type, SH.NodeShape))
    found |= {s for target in TARGETS for s in shapes.subjects(target, None)}
    assert all(isinstance(s, URIRef) for s in found), "name every node shape with an IRI"
    return sorted(s for s in found if isinstance(s, URIRef))


def _shape_names() -> list[str]:
    shapes = load_turtle(ROOT / "shapes", NS)
    return [str(s).removeprefix(SHAPES_NS) for s in _node_shapes(shapes)]


SHAPE_NAMES = _shape_names()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_turtle(ROOT / "shapes", NS)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_turtle(ROOT / "ontology", NS)


def _fixture(shape: str, name: str) -> Path:
    path = FIXTURES / shape / name
    if not path.is_file():
        pytest.fail(f"nkgsh:{shape} has no {path.relative_to(ROOT)}: every node shape needs a "
                    "graph that passes and one that fails")  # fmt: skip
    return path


def _data(path: Path, ontology: Graph) -> Graph:
    data = Graph()
    data += ontology
    data.parse(FIXTURES / "common.ttl", format="turtle")
    data.parse(path, format="turtle")
    return data


def _validate(data: Graph, shapes: Graph, ontology: Graph | None) -> tuple[bool, Graph, str]:
    conforms, report, text = validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=False,
        allow_warnings=False,
    )  # fmt: skip
    assert isinstance(report, Graph)
    return bool(conforms), report, str(text)


def _sources(report: Graph) -> set[Node]:
    """The shapes whose constraints produced the results of ``report`` (its sh:result, not
    the sh:detail results pySHACL nests under an sh:node or sh:or result)."""
    return {
        source
        for result in report.objects(None, SH.result)
        for source in report.objects(result, SH.sourceShape)
    }


def _own_shapes(shapes: Graph, shape: URIRef) -> set[Node]:
    """A node shape and its property shapes."""
    return {shape, *shapes.objects(shape, SH.property)}


def _targets(shapes: Graph, ontology: Graph, shape: URIRef, data: Graph) -> set[Node]:
    """The focus nodes ``shape`` selects in ``data``, subclasses included."""
    nodes: set[Node] = set()
    for cls in shapes.objects(shape, SH.targetClass):
        assert isinstance(cls, URIRef)
        classes = set(ontology.transitive_subjects(RDFS.subClassOf, cls))
        nodes |= {s for c in classes for s in data.subjects(RDF.type, c)}
    for predicate in shapes.objects(shape, SH.targetSubjectsOf):
        assert isinstance(predicate, URIRef)
        nodes |= set(data.subjects(predicate, None))
    return nodes


@pytest.mark.parametrize("name", SHAPE_NAMES)
def test_the_passing_graph_conforms(name: str, shapes: Graph, ontology: Graph) -> None:
    conforms, _, text = _validate(_data(_fixture(name, "pass.ttl"), ontology), shapes, ontology)
    assert conforms, text


@pytest.mark.parametrize("name", SHAPE_NAMES)
def test_the_passing_graph_exercises_its_shape(name: str, shapes: Graph, ontology: Graph) -> None:
    own = Graph().parse(_fixture(name, "pass.ttl"), format="turtle")
    assert _targets(shapes, ontology, URIRef(SHAPES_NS + name), own), (
        f"pass.ttl of nkgsh:{name} has no node the shape targets"
    )


@pytest.mark.parametrize("name", SHAPE_NAMES)
def test_the_failing_graph_breaks_only_its_shape(name: str, shapes: Graph, ontology: Graph) -> None:
    conforms, report, text = _validate(
        _data(_fixture(name, "fail.ttl"), ontology), shapes, ontology
    )
    assert not conforms
    sources = _sources(report)
    own = _own_shapes(shapes, URIRef(SHAPES_NS + name))
    assert sources, text
    assert sources <= own, f"results from other shapes: {sorted(map(str, sources - own))}"
    assert sources == {_broken_rule(_fixture(name, "fail.ttl"))}, text


def _broken_rule(path: Path) -> URIRef:
    """The shape a failing graph says it breaks, on its first line: ``# Breaks nkgsh:X``."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.match(r"# Breaks nkgsh:([\w-]+)", first)
    assert match, f"{path}: start with '# Breaks nkgsh:<shape>: <how>'"
    return URIRef(SHAPES_NS + match.group(1))


def test_every_fixture_folder_belongs_to_a_shape() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders <= set(SHAPE_NAMES), f"fixtures without a shape: {folders - set(SHAPE_NAMES)}"


def test_the_common_graph_conforms_alone(shapes: Graph, ontology: Graph) -> None:
    data = Graph()
    data += ontology
    data.parse(FIXTURES / "common.ttl", format="turtle")
    conforms, _, text = _validate(data, shapes, ontology)
    assert conforms, text


def test_every_property_shape_has_a_path_a_name_and_a_message(shapes: Graph) -> None:
    property_shapes = {o for s in _node_shapes(shapes) for o in shapes.objects(s, SH.property)}
    assert property_shapes
    for prop in property_shapes:
        assert isinstance(prop, URIRef), "name every property shape, for readable reports"
        assert shapes.value(prop, SH.path) is not None, prop
        names = [n for n in shapes.objects(prop, SH.name) if isinstance(n, Literal)]
        messages = [m for m in shapes.objects(prop, SH.message) if isinstance(m, Literal)]
        assert any(n.language == "en" for n in names), f"{prop}: no sh:name"
        assert any(m.language == "en" for m in messages), f"{prop}: no sh:message"


def test_every_severity_is_the_default_violation_but_the_unreviewed_draft(
    shapes: Graph,
) -> None:
    """Only an unreviewed draft is a warning: `kg validate` lists it, `kg build` refuses
    it before validation."""
    warned = {s for s in shapes.subjects(SH.severity, SH.Warning)}
    unreviewed = URIRef(SHAPES_NS + "UnreviewedDraftShape")
    assert warned == {unreviewed, *shapes.objects(unreviewed, SH.property)}
    assert set(shapes.objects(None, SH.severity)) <= {SH.Violation, SH.Warning}


def test_subclasses_are_targeted_only_with_the_ontology(shapes: Graph, ontology: Graph) -> None:
    """An agreement without evidence breaks nkgsh:ClaimShape, which targets nkg:Claim, its
    superclass: pySHACL sees it only through the ont_graph's rdfs:subClassOf triples."""
    data = Graph().parse(
        data=f"""<{NS.resource("agreement", "jcpoa")}> a <{NS.nkg.Agreement}> ;
                     <{RDFS.label}> "Joint Comprehensive Plan of Action"@en .""",
        format="turtle",
    )
    conforms, report, _ = _validate(data, shapes, ontology)
    assert not conforms
    assert _sources(report) == {URIRef(SHAPES_NS + "ClaimShape")}
    conforms, _, _ = _validate(data, shapes, None)
    assert conforms, "without the ontology, no shape targets an agreement's superclass"


def test_the_shapes_use_only_declared_ontology_terms(shapes: Graph, ontology: Graph) -> None:
    """A misspelt sh:path or sh:class would silently check nothing."""
    used = {n for triple in shapes for n in triple if isinstance(n, URIRef)}
    own = {n for n in used if n.startswith(NS.nkg)}
    assert own
    undeclared = {n for n in own if (n, RDFS.label, None) not in ontology}
    assert not undeclared, sorted(map(str, undeclared))
