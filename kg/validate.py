"""Validate the compiled dataset against ``shapes/`` (W3C SHACL Core), split into
batches of nodes, in worker processes.

What validating one node reads is known from the shapes (kg/reach.py): its own
triples, in whatever graph, the types of its values (and the ``rdfs:subClassOf``
triples), and the triples of a value named by a deep predicate. A batch validates a set
of nodes, its homes, on exactly that data (kg/dataset.py), and keeps the results whose
focus is one of them; other nodes in the data (a value with only its type) are seen
incompletely and their results are dropped. Every node is thus validated once and on
all it depends on, so the results are the same however the nodes are batched: in
batches of consecutive graphs for a whole build, or only the nodes a change can affect
(kg/incremental.py). Each result is reported with the file and line of the annotation
that produced its focus node.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from pyshacl import validate as pyshacl_validate
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node as RdfNode

from kg import workers
from kg.compile import Compiled, Origin
from kg.dataset import Dataset
from kg.errors import ConfigError
from kg.reach import reach
from kg.units import Stats, unit_of

Progress = Callable[[int, int], None]  # (nodes validated so far, total)
Origins = Callable[[str], Origin | None]  # where a node (an IRI) was written
ResultRow = tuple[str, str, str, str, str, str]  # severity, focus, path, message, value, shape
PARALLEL_TRIPLES = 150_000  # below this, validating in this process is quicker


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

    @property
    def row(self) -> ResultRow:
        return (self.severity, self.focus, self.path, self.message, self.value, self.shape)


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


# --- batches -----------------------------------------------------------------------------


def batches_by_graph(dataset: Dataset, limit: int) -> list[set[str]]:
    """Every node, in batches of consecutive graphs of up to ``limit`` triples: a node
    with the first graph that describes it."""
    homes: dict[str, set[str]] = {name: set() for name in dataset.names}
    for subject in dataset.all_subjects():
        homes[dataset.home(subject)].add(subject)
    found: list[set[str]] = []
    batch: set[str] = set()
    size = 0
    for name in dataset.names:
        triples = dataset.stats[name].triples
        if batch and size + triples > limit:
            found.append(batch)
            batch, size = set(), 0
        batch |= homes[name]
        size += triples
    if batch:
        found.append(batch)
    return found


def batches_of(nodes: Iterable[str], dataset: Dataset, limit: int) -> list[set[str]]:
    """``nodes`` in batches of up to about ``limit`` triples, in a stable order."""
    found: list[set[str]] = []
    batch: set[str] = set()
    size = 0
    for node in sorted(nodes):
        triples = len(dataset.where(node)) or 1
        if batch and size + triples > limit:
            found.append(batch)
            batch, size = set(), 0
        batch.add(node)
        size += triples
    if batch:
        found.append(batch)
    return found


# --- validating ----------------------------------------------------------------------------


def validate_nodes(
    dataset: Dataset,
    batches: list[set[str]],
    shapes: Graph,
    engine_name: str,
    worker_setting: int = 1,
    progress: Progress | None = None,
) -> list[ResultRow]:
    """Validate the nodes of ``batches`` (N-Triples terms); the results of each."""
    shape_reach = reach(shapes)
    if not shape_reach.splittable:  # the whole dataset at once
        batches = [set(dataset.all_subjects())] if any(batches) else []
    total = sum(len(b) for b in batches)
    triples = sum(stats.triples for stats in dataset.stats.values())
    count = workers.count(worker_setting)
    parallel = count > 1 and len(batches) > 1 and (worker_setting or triples >= PARALLEL_TRIPLES)
    tasks = ((dataset.validation_data(b, shape_reach), b) for b in batches)
    rows: list[ResultRow] = []
    done = 0
    if parallel:
        text = shapes.serialize(format="nt")
        with workers.Workers(min(count, len(batches))) as pool:
            pool.each(_prepare, [(text, engine_name)] * len(pool))
            for found, size in pool.map(_validate_batch, tasks):
                rows += found
                done += size
                if progress:
                    progress(done, total)
    else:
        validator = _Validator(shapes, engine_name)
        for data, homes in tasks:
            rows += validator.run(data, homes)
            done += len(homes)
            if progress:
                progress(done, total)
    return rows


class _Validator:
    """One SHACL engine with its shapes, ready for batch after batch."""

    def __init__(self, shapes: Graph, engine_name: str) -> None:
        self.engine_name = engine_name
        self.shapes = shapes
        self.validate = engine(engine_name)
        if engine_name == "turbo":
            from pyshacl_turbo import compile_shapes

            self.program = compile_shapes(shapes)  # type: ignore[no-untyped-call]

    def run(self, data: bytes, homes: set[str]) -> list[ResultRow]:
        options: dict[str, Any] = {"allow_warnings": True, "abort_on_first": False}
        if self.engine_name == "turbo":
            from pyshacl_turbo.rdf import Input

            text = data.decode("utf-8")
            _, report, _ = self.program.validate(Input(text, "nt", None, {}), **options)
        else:
            graph = Graph().parse(data=data, format="nt")
            _, report, _ = self.validate(
                graph, shacl_graph=self.shapes, inference="none", advanced=False, **options
            )
        return list(_rows(report, homes))


def _prepare(shapes: str, engine_name: str) -> None:
    """In a worker: the engine and shapes for the batches to come."""
    workers.state["validator"] = _Validator(Graph().parse(data=shapes, format="nt"), engine_name)


def _validate_batch(data: bytes, homes: set[str]) -> tuple[list[ResultRow], int]:
    validator: _Validator = workers.state["validator"]
    return validator.run(data, homes), len(homes)


def _rows(report: Graph, homes: set[str]) -> Iterator[ResultRow]:
    # Only the report's own results: nested sh:detail results are causes, not findings.
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        if _term(focus) not in homes:
            continue  # a node seen here only through its type
        severity = report.value(result, SH.resultSeverity)
        yield (
            str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            str(focus),
            _text(report.value(result, SH.resultPath)),
            _text(report.value(result, SH.resultMessage)),
            _text(report.value(result, SH.value)),
            _text(report.value(result, SH.sourceShape)),
        )


def _term(node: RdfNode | None) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, BNode):
        return f"_:{node}"
    return ""


def _text(node: RdfNode | None) -> str:
    if node is None or isinstance(node, BNode):
        return ""
    return str(node)


# --- the report ----------------------------------------------------------------------------


def report(rows: Iterable[ResultRow], origins: Origins) -> Report:
    """The results, sorted, each with where its focus node was written."""
    results = [Result(*row, origin=_origin(row[1], origins)) for row in rows]
    results.sort(key=lambda r: (str(r.origin or ""), r.focus, r.path, r.message, r.value, r.shape))
    return Report(tuple(results), _report_graph(results))


def _origin(focus: str, origins: Origins) -> Origin | None:
    return origins(focus) or origins(focus.split("#", 1)[0])  # a selector of an evidence node


def _report_graph(results: list[Result]) -> Graph:
    """The results as a SHACL validation report (SHACL section 3.6), with blank nodes
    named in order, so that the same results make the same file."""
    graph = Graph()
    graph.bind("sh", SH)
    report_node = BNode("report")
    graph.add((report_node, RDF.type, SH.ValidationReport))
    graph.add(
        (report_node, SH.conforms, Literal(not any(r.severity == "Violation" for r in results)))
    )
    for number, item in enumerate(results, start=1):
        node = BNode(f"result{number:06d}")
        graph.add((report_node, SH.result, node))
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
            graph.add((node, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
                       Literal(f"written at {location}")))  # fmt: skip
    return graph


# --- an rdflib dataset at once (kg validate, tests) -------------------------------------------


def validate(
    compiled: Compiled[Graph],
    shapes: Graph,
    ontology: Graph,
    batch_triples: int,
    progress: Progress | None = None,
    engine: str = "turbo",
    worker_setting: int = 1,
) -> Report:
    """Validate every named graph of ``compiled`` (rdflib graphs); never raises on
    violations. The ontology is part of the data (for ``rdfs:subClassOf``)."""
    units = {str(name): unit_of(str(name), graph) for name, graph in compiled.graphs.items()}
    if not any(str(n).endswith("/graph/ontology") for n in compiled.graphs):
        units["urn:kg:ontology"] = unit_of("urn:kg:ontology", ontology)
    stats = {n: Stats.of(u) for n, u in units.items()}  # where nodes are: as published
    dataset = Dataset(stats, units.__getitem__, units.__getitem__, units)
    rows = validate_nodes(
        dataset, batches_by_graph(dataset, batch_triples), shapes, engine, worker_setting, progress
    )
    origins = {str(node): origin for node, origin in compiled.origins.items()}
    return report(rows, origins.get)
