"""How far a SHACL validation of one node looks, read off the shapes (W3C SHACL Core).

Validation is split (in batches, in processes, and to revalidate only what a change
can affect: kg/validate.py, kg/incremental.py), so what one focus node's results
depend on must be known. With the shapes of ``shapes/`` it is:

* the node's own triples, in whatever graph (targets by class or by predicate, counts,
  datatypes, ``sh:lessThan``... all read the focus node's values);
* the ``rdf:type`` of every value (``sh:class``), with the ``rdfs:subClassOf`` triples;
* for a few predicates, the *deep* ones, the value's own triples too and the types of
  their values: ``oa:hasSelector``, whose value must be a selector with one start and
  one end (``sh:qualifiedValueShape`` with ``sh:property``).

:func:`reach` checks that the shapes look no further, and says which predicates are
deep. Shapes that look further (an inverse or sequence path, a target by object or by
node, property shapes nested two values deep, SPARQL constraints) are not split: the
whole dataset is validated in one batch, and every change revalidates everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node as RdfNode

# Constraints on a value node as a term, or saying nothing about data.
_TERM = {SH[n] for n in ("datatype", "nodeKind", "minLength", "maxLength", "pattern",
                         "flags", "languageIn", "in", "hasValue", "minInclusive",
                         "maxInclusive", "minExclusive", "maxExclusive", "class")}  # fmt: skip
_ABOUT = {SH[n] for n in ("message", "name", "description", "severity", "deactivated",
                          "order", "group", "defaultValue", "targetClass",
                          "targetSubjectsOf", "path")}  # fmt: skip
_ABOUT |= {RDF.type, RDFS.comment, RDFS.label}
# Constraints of a property shape on the focus node's own values.
_COUNTS = {SH[n] for n in ("minCount", "maxCount", "uniqueLang", "lessThan",
                           "lessThanOrEquals", "equals", "disjoint", "qualifiedMinCount",
                           "qualifiedMaxCount", "qualifiedValueShapesDisjoint")}  # fmt: skip
_LISTS = {SH["or"], SH["and"], SH.xone}
_SHAPES = {SH.node, SH["not"], SH.qualifiedValueShape}
_UNSPLITTABLE = {SH.targetNode: "a target by node", SH.targetObjectsOf: "a target by object"}


@dataclass(frozen=True)
class Reach:
    """What validating a node reads: its own triples, its values' types, and the own
    triples of its values by the ``deep`` predicates; ``problems`` says what the shapes
    do beyond that (then validation is not split)."""

    deep: frozenset[str]
    problems: tuple[str, ...]

    @property
    def splittable(self) -> bool:
        return not self.problems


def reach(shapes: Graph) -> Reach:
    """Read the reach of ``shapes`` (see the module's docstring); kept with the graph,
    which a build reads once."""
    known = _KNOWN.get(id(shapes))
    if known is not None and known[0] is shapes:
        return known[1]
    found = _reach(shapes)
    _KNOWN[id(shapes)] = (shapes, found)
    return found


_KNOWN: dict[int, tuple[Graph, Reach]] = {}


def _reach(shapes: Graph) -> Reach:
    walker = _Walker(shapes)
    for kind, problem in _UNSPLITTABLE.items():
        if any(shapes.subjects(kind, None)):
            walker.problems.add(problem)
    targeted = {s for p in (SH.targetClass, SH.targetSubjectsOf) for s in shapes.subjects(p)}
    targeted |= set(shapes.subjects(RDF.type, RDFS.Class)) & set(
        shapes.subjects(RDF.type, SH.NodeShape)
    )
    for shape in sorted(targeted, key=str):
        if (shape, SH.path, None) in shapes:
            walker.property(shape, 0)
        else:
            walker.node(shape, 0)
    return Reach(frozenset(str(p) for p in walker.deep), tuple(sorted(walker.problems)))


class _Walker:
    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.deep: set[URIRef] = set()
        self.problems: set[str] = set()
        self._seen: set[tuple[RdfNode, int]] = set()

    def node(self, shape: RdfNode, depth: int) -> bool:
        """Walk a shape applied to a node ``depth`` values away from the focus node;
        True when it reads that node's own triples."""
        if (shape, SH.path, None) in self.shapes:  # a property shape of that node
            self.property(shape, depth)
            return True
        if (shape, depth) in self._seen:
            return False  # recursive shapes are walked once
        self._seen.add((shape, depth))
        looks = False
        for constraint, value in self.shapes.predicate_objects(shape):
            if constraint == SH.property:
                self.property(value, depth)
                looks = True
            elif constraint in (SH.node, SH["not"]):
                looks |= self.node(value, depth)
            elif constraint in _LISTS:
                for member in Collection(self.shapes, value):
                    looks |= self.node(member, depth)
            elif constraint in (SH.closed, SH.ignoredProperties):
                looks = True
            elif constraint not in _TERM | _ABOUT | _COUNTS:
                self.problems.add(f"{constraint} on a node shape")
        return looks

    def property(self, shape: RdfNode, depth: int) -> None:
        """Walk a property shape applied to a node ``depth`` values away."""
        path = self.shapes.value(shape, SH.path)
        if not isinstance(path, URIRef):
            self.problems.add("a property path other than a predicate")
            return
        if depth > 1:
            self.problems.add("property shapes nested two values deep")
            return
        looks = False
        for constraint, value in self.shapes.predicate_objects(shape):
            if constraint in _SHAPES:
                looks |= self.node(value, depth + 1)
            elif constraint in _LISTS:
                for member in Collection(self.shapes, value):
                    looks |= self.node(member, depth + 1)
            elif constraint == SH.property:
                self.property(value, depth + 1)
                looks = True
            elif constraint not in _TERM | _ABOUT | _COUNTS:
                self.problems.add(f"{constraint} on a property shape")
        if looks:
            self.deep.add(path)
