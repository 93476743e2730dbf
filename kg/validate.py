"""Validate the compiled dataset with pySHACL against ``shapes/`` (W3C SHACL Core).

Large datasets are validated in batches of named graphs, so memory stays bounded.
Every node is validated in exactly one batch, its home: the batch holding its
``rdf:type`` (or, for an untyped node, the first batch describing it). A batch holds
its own graphs, the triples its home nodes have in graphs of other batches (such as
the ``nkg:followedBy`` a later article adds to an earlier round), the ``rdf:type`` of
every node they name (so ``sh:class`` can be checked across batches), and the ontology
(for ``rdfs:subClassOf`` and the concepts, as pySHACL's ``ont_graph`` would add it).
Results are kept only for the batch's home nodes. A shape that looked at more of a
value than its type would see it only for values of the same batch; the shapes of
``shapes/`` do not (a selector of an evidence node is in the evidence's own graph).
Every result is reported with the file and line of the annotation that produced its
focus node.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from pyshacl import validate as pyshacl_validate
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node as RdfNode

from kg.compile import Compiled, Origin
from kg.errors import ConfigError

Progress = Callable[[int, int], None]  # (triples validated so far, total)


@dataclass(frozen=True)
class Result:
    """One SHACL validation result (SHACL section 3.6.2)."""

    severity: str  # Violation, Warning or Info
    focus: str
    path: str
    message: str
    value: str
    shape: str
    origin: Origin | None

    def describe(self, shorten: Callable[[str], str]) -> str:
        where = f"{self.origin[0]}:{self.origin[1]}: " if self.origin else ""
        value = f" (value: {self.value})" if self.value else ""
        path = shorten(self.path) if self.path else "-"
        return f"{where}{self.severity}: {shorten(self.focus)} {path}: {self.message}{value}"


@dataclass(frozen=True)
class Report:
    results: tuple[Result, ...]
    graph: Graph  # the sh:ValidationReport, kept with the release

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    def text(self, shorten: Callable[[str], str] = str) -> str:
        if not self.results:
            return "Conforms: every node satisfies the SHACL shapes."
        return "\n".join(r.describe(shorten) for r in self.results)


Engine = Callable[..., tuple[object, Graph, object]]  # called as pyshacl.validate is


def engine(name: str) -> Engine:
    """The SHACL processor by name: ``turbo`` (pyshacl-turbo, a Rust engine with
    pySHACL's interface, cross-checked against it by tests/test_shacl_engines.py) or
    ``pyshacl``."""
    if name == "turbo":
        from pyshacl_turbo import validate as turbo_validate

        return cast(Engine, turbo_validate)
    if name == "pyshacl":
        return cast(Engine, pyshacl_validate)
    raise ConfigError(f"KG_SHACL_ENGINE={name!r}: use turbo or pyshacl")


def validate(
    compiled: Compiled,
    shapes: Graph,
    ontology: Graph,
    batch_triples: int,
    progress: Progress | None = None,
    engine: Engine = pyshacl_validate,
) -> Report:
    """Validate every named graph of ``compiled``; never raises on violations.

    ``engine`` is the SHACL processor, with the signature of ``pyshacl.validate``."""
    sizes = [(graph, len(graph)) for graph in compiled.graphs.values()]  # len() may count
    batches = list(_batches(sizes, batch_triples))
    index = _Index.of([batch for batch, _ in batches])
    total = sum(size for _, size in sizes)
    done = 0
    results: list[Result] = []
    for number, (batch, batch_size) in enumerate(batches):
        data, home = index.data(number, batch, ontology)
        _, report_graph, _ = engine(
            data,
            shacl_graph=shapes,
            inference="none",
            advanced=False,
            allow_warnings=True,
            abort_on_first=False,
        )
        results.extend(_results(report_graph, home, compiled.origins))
        done += batch_size
        if progress:
            progress(done, total)
    results.sort(key=lambda r: (str(r.origin or ""), r.focus, r.path, r.message))
    return Report(tuple(results), _report_graph(results))


@dataclass(frozen=True)
class _Index:
    """Where each node is described: its types, and the batch it is validated in."""

    types: dict[RdfNode, list[RdfNode]]
    home: dict[RdfNode, int]  # every subject: the number of its batch
    elsewhere: dict[int, list[tuple[RdfNode, Graph]]]  # batch: its nodes' other graphs

    @classmethod
    def of(cls, batches: list[list[Graph]]) -> _Index:
        types: dict[RdfNode, list[RdfNode]] = {}
        home: dict[RdfNode, int] = {}
        for number, batch in enumerate(batches):
            for graph in batch:
                for subject, _, node_type in graph.triples((None, RDF.type, None)):
                    types.setdefault(subject, []).append(node_type)
                    home.setdefault(subject, number)
        elsewhere: dict[int, list[tuple[RdfNode, Graph]]] = {}
        for number, batch in enumerate(batches):
            for graph in batch:
                for subject in graph.subjects(unique=True):
                    if (at := home.setdefault(subject, number)) != number:
                        elsewhere.setdefault(at, []).append((subject, graph))
        return cls(types, home, elsewhere)

    def data(self, number: int, batch: list[Graph], ontology: Graph) -> tuple[Graph, set[RdfNode]]:
        """The data graph that validates batch ``number``, and the nodes it validates."""
        data = Graph()
        data += ontology
        named: set[RdfNode] = set()
        home: set[RdfNode] = set()
        for graph in batch:
            data += graph
            for subject in graph.subjects(unique=True):
                named.add(subject)
                if self.home[subject] == number:
                    home.add(subject)
            named.update(o for o in graph.objects(unique=True) if not isinstance(o, Literal))
        for subject, graph in self.elsewhere.get(number, ()):
            home.add(subject)
            for predicate, value in graph.predicate_objects(subject):
                data.add((subject, predicate, value))
                if not isinstance(value, Literal):
                    named.add(value)
        for node in named:
            if self.home.get(node) != number:  # typed in another batch, or not at all
                for node_type in self.types.get(node, ()):
                    data.add((node, RDF.type, node_type))
        return data, home


def _batches(sizes: Iterable[tuple[Graph, int]], limit: int) -> Iterable[tuple[list[Graph], int]]:
    """Consecutive graphs, up to ``limit`` triples a batch (a larger graph alone)."""
    batch: list[Graph] = []
    total = 0
    for graph, size in sizes:
        if batch and total + size > limit:
            yield batch, total
            batch, total = [], 0
        batch.append(graph)
        total += size
    if batch:
        yield batch, total


def _results(
    report: Graph, owned: set[RdfNode], origins: dict[RdfNode, Origin]
) -> Iterable[Result]:
    # Only the report's own results: nested sh:detail results are causes, not findings.
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        if focus not in owned:
            continue  # a node of another batch, seen here only through its type
        severity = report.value(result, SH.resultSeverity)
        yield Result(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            focus=str(focus),
            path=_text(report.value(result, SH.resultPath)),
            message=_text(report.value(result, SH.resultMessage)),
            value=_text(report.value(result, SH.value)),
            shape=_text(report.value(result, SH.sourceShape)),
            origin=_origin(focus, origins),
        )


def _origin(focus: RdfNode | None, origins: dict[RdfNode, Origin]) -> Origin | None:
    if focus is None:
        return None
    if focus in origins:
        return origins[focus]
    return origins.get(URIRef(str(focus).split("#", 1)[0]))  # a selector of an evidence node


def _text(node: RdfNode | None) -> str:
    if node is None or isinstance(node, BNode):
        return ""
    return str(node)


def _report_graph(results: list[Result]) -> Graph:
    """The results as a SHACL validation report (SHACL section 3.6)."""
    graph = Graph()
    graph.bind("sh", SH)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(not any(r.severity == "Violation" for r in results))))
    for item in results:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.resultSeverity, SH[item.severity]))
        graph.add((node, SH.focusNode, URIRef(item.focus)))
        if item.path:
            graph.add((node, SH.resultPath, URIRef(item.path)))
        graph.add((node, SH.resultMessage, Literal(item.message)))
        if item.shape:
            graph.add((node, SH.sourceShape, URIRef(item.shape)))
        if item.origin:
            location = f"{Path(item.origin[0]).as_posix()}:{item.origin[1]}"
            graph.add(
                (
                    node,
                    URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
                    Literal(f"written at {location}"),
                )
            )
    return graph
