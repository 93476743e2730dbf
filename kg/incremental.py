"""An incremental build: what the current release was made of, what changed since,
and which nodes the change can make valid or invalid.

The build cache keeps, for each release, its *state*: the cache key of each of its
units (one per named graph), its validation results, and the keys they were made with.
A build whose units differ from the current release's in a few graphs validates only
the nodes a change can affect, keeps the current release's results for every other
node, and updates a copy of the current release's store (kg/publish.py).

Which nodes a change can affect follows from what validating one node reads
(kg/reach.py): its own triples, in any graph; the types of its values; the own triples
of a value it names by a deep predicate, and the types of *their* values. So, with Δ
the triples added to or removed from any graph, a node must be validated again when

1. it is the subject of a triple of Δ (its own triples changed, in whatever graph: a
   later article's ``nkg:followedBy`` on an earlier article's round makes the round's
   article-of-origin node change);
2. it names a node whose ``rdf:type`` triples are in Δ (``sh:class`` on a value: a
   registry entity that changes kind, a claim that changes type);
3. it names, by a deep predicate, a node of case 1 or 2.

Nodes are found by their triples in the new dataset: a node whose own triples changed is
case 1 whether its old or its new triples named the value. Everything else is validated
on the same data as before, so its results are the same; the test suite builds the
same corpus both ways, with edits, additions, deletions and registry changes, and
compares every file. When the state cannot be used (no current release, another
ontology, shapes, engine or code, a cache entry missing or damaged, shapes whose reach
is unknown), every node is validated.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.buildcache import BuildCache
from kg.changed import Before
from kg.dataset import Dataset
from kg.reach import Reach
from kg.units import RDF_TYPE
from kg.validate import ResultRow

STATE = "kg-state/1"


@dataclass(frozen=True)
class State:
    """What a release was made of."""

    release: str
    compile_key: str  # the code, the ontology, the base IRI, the seeds' folder
    validate_key: str  # the compile key, the shapes, the SHACL engine
    units: dict[str, str]  # graph name: unit key
    results: list[ResultRow]
    duplicates: dict[str, set[bytes]]  # graph name: its triples an earlier graph has too
    seeds: Before  # what its documents looked up of one another (kg/changed.py)

    def save(self, cache: BuildCache) -> None:
        state = {
            "format": STATE, "compile key": self.compile_key,
            "validate key": self.validate_key, "units": self.units,
            "documents": self.seeds.documents, "entities": self.seeds.entities,
            "concepts": self.seeds.concepts, "qids": self.seeds.qids,
        }  # fmt: skip
        cache.write_json("states", self.release, {
            "state": state,
            "results": [list(row) for row in self.results],
            "duplicates": {n: sorted(x.decode() for x in lines)
                           for n, lines in sorted(self.duplicates.items())},
        })  # fmt: skip

    @classmethod
    def load(cls, cache: BuildCache, release: str) -> State | None:
        """The state of ``release``, if the cache holds a sound one."""
        entry = cache.open("states", release)
        if entry is None:
            return None
        state, rows, duplicates = (entry.json(n) for n in ("state", "results", "duplicates"))
        try:
            if state["format"] != STATE or any(len(row) != 6 for row in rows):
                return None
            seeds = Before(dict(state["documents"]), dict(state["entities"]),
                           str(state["concepts"]), str(state["qids"]))  # fmt: skip
            return cls(
                release,
                str(state["compile key"]),
                str(state["validate key"]),
                dict(state["units"]),
                [tuple(row) for row in rows],
                {name: {line.encode() for line in lines} for name, lines in duplicates.items()},
                seeds,
            )
        except (KeyError, TypeError, AttributeError, ValueError):
            return None


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The graphs added, removed or changed: their unit keys differ."""
    return sorted(n for n in before.keys() | after.keys() if before.get(n) != after.get(n))


def affected(
    old_lines: dict[str, list[bytes]], dataset: Dataset, graphs: list[str], reach: Reach
) -> set[str]:
    """The nodes a change of ``graphs`` can affect (the rule of the module's docstring);
    ``old_lines`` holds each changed graph's N-Triples before, ``dataset`` is after."""
    delta: set[bytes] = set()
    for name in graphs:
        before = set(old_lines.get(name, ()))
        after = set(dataset.unit(name).lines) if name in dataset.stats else set()
        delta |= before ^ after
    subjects: set[str] = set()
    typed: set[str] = set()
    for line in delta:
        subject, predicate, _ = line.split(b" ", 2)
        subjects.add(subject.decode())
        if predicate == RDF_TYPE:
            typed.add(subject.decode())
    naming_typed = dataset.referrers(typed)
    deep = dataset.referrers(subjects | naming_typed, reach.deep) if reach.deep else set()
    return subjects | naming_typed | deep
