"""The pieces an incremental build rests on, one at a time: units in a canonical form,
the published form of literals, a cache that ignores what it cannot trust, the reach of
the shapes, and the rule for which nodes a change can affect."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.buildcache import BuildCache
from kg.dataset import Dataset
from kg.incremental import affected
from kg.namespaces import Namespaces
from kg.reach import Reach, reach
from kg.units import Stats, Unit, published, unit_of
from kg.vocabulary import load_turtle
from tests.conftest import ROOT

A, P, Q = (
    URIRef("http://example.org/a"),
    URIRef("http://example.org/p"),
    URIRef("http://example.org/q"),
)


def test_a_unit_is_the_same_whatever_order_its_triples_came_in() -> None:
    triples = [(A, P, Literal("x")), (A, Q, URIRef("http://example.org/b")), (A, P, Literal("x"))]
    one, other = unit_of("g", triples), unit_of("g", list(reversed(triples)))
    assert one.lines == other.lines == sorted(set(one.lines))
    assert len(one.lines) == 2 and one.sha256 == other.sha256


def test_blank_nodes_are_named_by_order_and_graph() -> None:
    """Two parses of one file name their blank nodes alike; two graphs never alike."""
    first, second = BNode(), BNode()  # random ids, as a parser makes them
    again = [(A, P, first), (first, Q, Literal("1"))]
    anew = [(A, P, second), (second, Q, Literal("1"))]
    assert unit_of("g", again).lines == unit_of("g", anew).lines
    assert unit_of("g", again).lines != unit_of("h", again).lines


def test_the_published_form_is_the_stores() -> None:
    unit = unit_of("g", [
        (A, P, Literal("007", datatype=XSD.nonNegativeInteger)),
        (A, P, Literal("1.50", datatype=XSD.decimal)),
        (A, Q, Literal("x", lang="en")),
        (A, Q, Literal('a "^^<http://www.w3.org/2001/XMLSchema#x" in a text')),
    ])  # fmt: skip
    store = ox.Store()
    store.bulk_extend(ox.parse(b"".join(unit.lines), format=ox.RdfFormat.N_TRIPLES))
    kept = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert kept is not None
    assert published(unit).lines == sorted(set(kept.splitlines(keepends=True)))
    assert b'"7"^^<http://www.w3.org/2001/XMLSchema#integer>' in b"".join(published(unit).lines)


# --- the cache ----------------------------------------------------------------------------


def test_the_cache_returns_only_sound_entries(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path)
    cache.write("units", "k1", {"a": b"alpha", "b": b"beta"})
    entry = cache.open("units", "k1")
    assert entry is not None and entry.bytes("a") == b"alpha" and entry.bytes("b") == b"beta"
    assert cache.open("units", "k2") is None  # none
    path = cache.path("units", "k1")
    path.write_bytes(path.read_bytes().replace(b"beta", b"bota"))  # a changed byte
    damaged = cache.open("units", "k1")
    assert damaged is not None and damaged.bytes("a") == b"alpha" and damaged.bytes("b") is None
    cache.path("units", "k2").write_bytes(path.read_bytes())  # another key's entry
    assert cache.open("units", "k2") is None
    path.write_bytes(path.read_bytes()[:-2])  # cut short
    assert cache.open("units", "k1") is None
    path.write_bytes(b"\x00" * 10)  # not a header
    assert cache.open("units", "k1") is None


# --- the reach of the shapes ----------------------------------------------------------------


def test_the_shapes_read_a_node_its_values_types_and_its_selectors() -> None:
    shapes = load_turtle(ROOT / "shapes", Namespaces("https://w3id.org/negotiations-kg/"))
    assert reach(shapes) == Reach(frozenset({"http://www.w3.org/ns/oa#hasSelector"}), ())


@pytest.mark.parametrize(
    ("shape", "problem"),
    [
        ("ex:S sh:targetObjectsOf ex:p ; sh:property [ sh:path ex:q ; sh:minCount 1 ] .",
         "a target by object"),
        ("ex:S sh:targetClass ex:C ; sh:property [ sh:path [ sh:inversePath ex:p ] ; "
         "sh:maxCount 1 ] .", "a property path other than a predicate"),
        ("ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node [ sh:property [ "
         "sh:path ex:q ; sh:node [ sh:property [ sh:path ex:r ; sh:minCount 1 ] ] ] ] ] .",
         "property shapes nested two values deep"),
        ("ex:S sh:targetClass ex:C ; sh:sparql [ sh:select \"SELECT $this {}\" ] .",
         "http://www.w3.org/ns/shacl#sparql on a node shape"),
    ],
)  # fmt: skip
def test_shapes_that_look_further_are_not_split(shape: str, problem: str) -> None:
    prefixes = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> ."
    found = reach(Graph().parse(data=prefixes + shape, format="turtle"))
    assert not found.splittable and problem in found.problems


# --- which nodes a change can affect ------------------------------------------------------------

EX = "http://example.org/"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SELECTOR = "http://www.w3.org/ns/oa#hasSelector"


def _unit(name: str, *triples: str) -> Unit:
    lines = [f"{t} .\n".encode() for t in triples]
    return Unit(name, sorted(set(lines)))


def _dataset(*units: Unit) -> Dataset:
    by_name = {u.name: u for u in units}
    stats = {u.name: Stats.of(u) for u in units}
    return Dataset(stats, by_name.__getitem__, by_name.__getitem__, dict(by_name))


def _case(before: Unit, after: Unit, *others: Unit) -> set[str]:
    dataset = _dataset(after, *others)
    return affected({before.name: before.lines}, dataset, [before.name], Reach(
        frozenset({SELECTOR}), ()))  # fmt: skip


def test_a_node_whose_own_triples_changed_in_another_graph_is_affected() -> None:
    home = _unit("a", f"<{EX}round> {TYPE} <{EX}Round>", f'<{EX}round> <{EX}date> "1"')
    before = _unit("b", f"<{EX}later> {TYPE} <{EX}Round>")
    after = _unit("b", f"<{EX}later> {TYPE} <{EX}Round>",
                  f"<{EX}round> <{EX}followedBy> <{EX}later>")  # fmt: skip
    assert f"<{EX}round>" in _case(before, after, home)


def test_a_node_naming_a_node_whose_type_changed_is_affected() -> None:
    claim = _unit("a", f"<{EX}claim> <{EX}by> <{EX}person>", f'<{EX}other> <{EX}p> "x"')
    before = _unit("registry", f"<{EX}person> {TYPE} <{EX}Person>")
    after = _unit("registry", f"<{EX}person> {TYPE} <{EX}Group>")
    found = _case(before, after, claim)
    assert found == {f"<{EX}person>", f"<{EX}claim>"}


def test_a_node_naming_a_changed_node_by_a_deep_predicate_is_affected() -> None:
    evidence = _unit("a", f"<{EX}evidence> <{SELECTOR}> <{EX}selector>",
                     f"<{EX}claim> <{EX}cites> <{EX}evidence>")  # fmt: skip
    before = _unit("b", f'<{EX}selector> <{EX}start> "1"')
    after = _unit("b", f'<{EX}selector> <{EX}start> "2"')
    assert _case(before, after, evidence) == {f"<{EX}selector>", f"<{EX}evidence>"}


def test_a_node_naming_by_a_deep_predicate_a_node_naming_a_retyped_node_is_affected() -> None:
    evidence = _unit("a", f"<{EX}evidence> <{SELECTOR}> <{EX}selector>",
                     f"<{EX}selector> <{EX}in> <{EX}document>")  # fmt: skip
    before = _unit("b", f"<{EX}document> {TYPE} <{EX}Source>")
    after = _unit("b", f"<{EX}document> {TYPE} <{EX}Text>")
    found = _case(before, after, evidence)
    assert found == {f"<{EX}document>", f"<{EX}selector>", f"<{EX}evidence>"}
