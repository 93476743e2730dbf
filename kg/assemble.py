"""The dumps of a release, assembled from the fragments of its units, and the counts
of its VoID description, from their statistics: no whole-dataset store or graph needed.

Graphs go in the order of their names. N-Quads and N-Triples are concatenations of
lines (W3C RDF 1.1 N-Quads and N-Triples: one statement a line); TriG and Turtle are
the prefix lines, then each graph's statements (a TriG graph block, or Turtle
statements: a document may state a subject more than once); JSON-LD is one array of
node objects (expanded form, JSON-LD 1.1 section 4.1; a node may appear twice). The
merged graph (N-Triples, Turtle, JSON-LD) has each triple once: a triple a graph shares
with an earlier one is left out of the later one's part, which is then made again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.dataset import Dataset
from kg.units import fragments, is_literal, json_ld_body, prefix_lines, turtle_body

Fragments = Callable[[str], dict[str, bytes]]  # a unit's fragments, by syntax suffix
LINKS_PREFIXES = {"owl": "http://www.w3.org/2002/07/owl#", "wd": "http://www.wikidata.org/entity/"}


@dataclass
class Written:
    """A file written, with its size and SHA-256."""

    path: Path
    size: int = 0
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()


class _Out:
    def __init__(self, path: Path) -> None:
        self.written = Written(path)
        self.handle: BinaryIO = path.open("wb")

    def write(self, data: bytes) -> None:
        if data:
            self.handle.write(data)
            self.written.digest.update(data)
            self.written.size += len(data)

    def close(self) -> Written:
        self.handle.close()
        return self.written


def write_dumps(
    dataset: Dataset,
    fragments_of: Fragments,
    folder: Path,
    names: dict[str, str],
    prefixes: dict[str, str],
    links: str,
) -> dict[str, Written]:
    """Write the dumps into ``folder``: ``names`` maps a fragment's syntax suffix to its
    dump's file name; ``links`` is the graph written alone as wikidata-links.ttl."""
    folder.mkdir(parents=True, exist_ok=True)
    outs = {suffix: _Out(folder / name) for suffix, name in names.items()}
    outs["ttl"].write(prefix_lines(prefixes, ox.RdfFormat.TURTLE))
    outs["trig"].write(prefix_lines(prefixes, ox.RdfFormat.TRIG))
    outs["jsonld"].write(b"[")
    duplicates = dataset.duplicates()
    first_node = True
    for name in dataset.names:
        parts = fragments_of(name)
        outs["nq"].write(parts["nq"])
        outs["trig"].write(parts["trig"])
        if name in duplicates:
            lines = dataset.load_published(name).lines
            kept = b"".join(line for line in lines if line not in duplicates[name])
            parts = {"nt": kept, "ttl": turtle_body(kept, prefixes), "jsonld": json_ld_body(kept)}
        outs["nt"].write(parts["nt"])
        outs["ttl"].write(parts["ttl"])
        if parts["jsonld"]:
            outs["jsonld"].write(parts["jsonld"] if first_node else b"," + parts["jsonld"])
            first_node = False
    outs["jsonld"].write(b"]")
    written = {suffix: out.close() for suffix, out in outs.items()}
    written["links"] = _links(dataset, links, folder / "wikidata-links.ttl", prefixes)
    return written


def _links(dataset: Dataset, name: str, path: Path, prefixes: dict[str, str]) -> Written:
    out = _Out(path)
    if name in dataset.stats and dataset.stats[name].triples:
        nt = b"".join(dataset.load_published(name).lines)
        every = LINKS_PREFIXES | prefixes
        out.write(prefix_lines(every, ox.RdfFormat.TURTLE) + turtle_body(nt, every))
    return out.close()


def unit_fragments(dataset: Dataset, prefixes: dict[str, str]) -> Fragments:
    """Fragments made from the units themselves (when no cache holds them)."""
    return lambda name: fragments(dataset.load_published(name), prefixes)


# --- counts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """What the VoID description of a release counts (VoID section 4.5, 4.6)."""

    triples: int
    subjects: int
    objects: int
    properties: int
    classes: int
    entities: int
    class_entities: list[tuple[str, int]]  # by class IRI
    property_triples: list[tuple[str, int]]  # by property IRI
    graph_triples: list[tuple[str, int]]  # by graph IRI; graphs with triples
    examples: list[str]


def counts(dataset: Dataset, example_classes: list[str], max_examples: int) -> Counts:
    """The counts of the union of the graphs (each triple once), as SPARQL would count
    them over the store (kg/void.py states the queries they stand for)."""
    duplicates = dataset.duplicates()
    objects: set[str] = set()
    properties: dict[str, int] = {}
    for name in dataset.names:
        stats = dataset.stats[name]
        objects.update(stats.objects)
        for predicate, number in stats.predicates.items():
            properties[predicate] = properties.get(predicate, 0) + number
    for lines in duplicates.values():
        for line in lines:
            predicate = line.split(b" ", 2)[1].decode()
            properties[predicate] -= 1
    by_class: dict[str, int] = {}
    typed: set[str] = set()
    instances: dict[str, list[str]] = {f"<{c}>": [] for c in example_classes}
    for subject, node_class in dataset.pairs:
        by_class[node_class] = by_class.get(node_class, 0) + 1
        if subject[0] == "<":
            typed.add(subject)
            if node_class in instances:
                instances[node_class].append(subject[1:-1])
    examples: list[str] = []
    for iris in instances.values():
        for subject in sorted(iris):
            if subject not in examples and len(examples) < max_examples:
                examples.append(subject)
    triples = sum(s.triples for s in dataset.stats.values()) - sum(map(len, duplicates.values()))
    return Counts(
        triples=triples,
        subjects=dataset.subjects,
        objects=len(objects),
        properties=len(properties),
        classes=len(by_class),
        entities=len(typed),
        class_entities=sorted((c[1:-1], n) for c, n in by_class.items() if not is_literal(c)),
        property_triples=sorted((p[1:-1], n) for p, n in properties.items()),
        graph_triples=[
            (n, dataset.stats[n].triples) for n in dataset.names if dataset.stats[n].triples
        ],
        examples=examples,
    )
