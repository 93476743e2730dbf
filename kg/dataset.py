"""The units of a release together: where each subject is described, what each node
is typed as, the triples two graphs both hold, and the data a validation batch needs.

Units are read when first needed (from the build cache, for an incremental build) and
kept; their statistics (kg/units.py) are enough to know where everything is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain

from kg.reach import Reach
from kg.units import RDF_TYPE, Stats, Unit

SUBCLASS_OF = b"<http://www.w3.org/2000/01/rdf-schema#subClassOf>"


@dataclass
class Dataset:
    """Units by graph name, indexed by subject: ``load`` reads a unit as validated,
    ``load_published`` as published (kg/units.py); ``stats`` are the published form's."""

    stats: dict[str, Stats]
    load: Callable[[str], Unit]
    load_published: Callable[[str], Unit]
    units: dict[str, Unit] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.names = sorted(self.stats)
        # Built with set and dict operations (C loops): a million-triple dataset has
        # about 200,000 subjects in 700 graphs.
        counts = Counter(chain.from_iterable(self.stats[n].subjects for n in self.names))
        self.subjects = len(counts)
        self.shared = {subject for subject, n in counts.items() if n > 1}
        self._first: dict[str, str] = {}  # subject -> the first unit describing it
        for name in reversed(self.names):
            self._first.update(dict.fromkeys(self.stats[name].subjects, name))
        self._all: dict[str, list[str]] = {}  # shared subject -> every unit describing it
        for name in self.names:
            for subject in self.shared.intersection(self.stats[name].subjects):
                self._all.setdefault(subject, []).append(name)
        self.pairs = set(chain.from_iterable(self.stats[n].types for n in self.names))
        self._types: dict[str, dict[str, list[str]]] = {}  # by unit, as asked for
        self._duplicates: dict[str, set[bytes]] | None = None

    def where(self, subject: str) -> list[str]:
        """The units describing ``subject``, in order."""
        if subject in self._all:
            return self._all[subject]
        first = self._first.get(subject)
        return [] if first is None else [first]

    def all_subjects(self) -> Iterable[str]:
        return self._first.keys()

    def classes(self, node: str) -> list[str]:
        """The classes of ``node`` (its ``rdf:type`` values), each once."""
        found: list[str] = []
        for name in self.where(node):
            for node_class in self._classes(name).get(node, ()):
                if node_class not in found:
                    found.append(node_class)
        return found

    def _classes(self, name: str) -> dict[str, list[str]]:
        """A unit's classes by subject (made when first asked for)."""
        if name not in self._types:
            classes: dict[str, list[str]] = {}
            for subject, node_class in self.stats[name].types:
                classes.setdefault(subject, []).append(node_class)
            self._types[name] = classes
        return self._types[name]

    def unit(self, name: str) -> Unit:
        if name not in self.units:
            self.units[name] = self.load(name)
        return self.units[name]

    def lines(self, subject: str) -> list[bytes]:
        """Every triple of ``subject`` (an N-Triples term), in any graph."""
        key = subject.encode()
        found: list[bytes] = []
        for name in self.where(subject):
            found += self.unit(name).block(key)
        return found

    def type_lines(self, node: str) -> list[bytes]:
        return [f"{node} {RDF_TYPE.decode()} {c} .\n".encode() for c in self.classes(node)]

    def home(self, subject: str) -> str:
        """The unit a subject is validated with: the first that describes it."""
        return self._first[subject]

    def duplicates(
        self, known: dict[str, set[bytes]] | None = None, changed: set[str] | None = None
    ) -> dict[str, set[bytes]]:
        """By unit, the published triples an earlier unit (in name order) holds too: the
        union of the graphs has each triple once, where it first appears. Only a subject
        of several units can have such triples; given what was ``known`` before only the
        subjects of units that ``changed`` are looked at again (kg/incremental.py)."""
        if self._duplicates is not None:
            return self._duplicates
        found: dict[str, set[bytes]] = {}
        subjects = self.shared
        if known is not None and changed is not None:
            subjects = self.shared & changed
            for name, lines in known.items():
                kept = {line for line in lines if line.split(b" ", 1)[0].decode() not in changed}
                if kept and name in self.stats:
                    found[name] = kept
        seen: dict[str, set[bytes]] = {}
        for name in self.names:
            mine = subjects.intersection(self.stats[name].subjects)
            public = self.load_published(name) if mine else None
            for subject in sorted(mine):
                assert public is not None
                earlier = seen.setdefault(subject, set())
                for line in public.block(subject.encode()):
                    if line in earlier:
                        found.setdefault(name, set()).add(line)
                    else:
                        earlier.add(line)
        self._duplicates = found
        return found

    def referrers(self, nodes: set[str], predicates: frozenset[str] | None = None) -> set[str]:
        """The subjects of triples whose value is one of ``nodes`` (by one of
        ``predicates``, when given)."""
        found: set[str] = set()
        wanted = {node.encode() for node in nodes}
        only = None if predicates is None else {f"<{p}>".encode() for p in predicates}
        for name in self.names:
            if nodes.isdisjoint(self.stats[name].objects):
                continue
            for line in self.unit(name).lines:
                subject, predicate, value = line[:-3].split(b" ", 2)
                if value in wanted and (only is None or predicate in only):
                    found.add(subject.decode())
        return found

    def validation_data(self, homes: Iterable[str], reach: Reach) -> bytes:
        """N-Triples that decide the validation of the nodes ``homes`` (kg/reach.py): their
        triples, the triples of their values by a deep predicate, the types of every
        value, and the ``rdfs:subClassOf`` triples."""
        homes = set(homes)
        by_unit: dict[str, list[str]] = {}
        for subject in homes:
            for name in self.where(subject):
                by_unit.setdefault(name, []).append(subject)
        parts: list[bytes] = []
        for name, subjects in by_unit.items():
            unit = self.unit(name)
            if len(subjects) == len(self.stats[name].subjects):
                parts += unit.lines  # every subject of the unit: all of it
            else:
                for subject in subjects:
                    parts += unit.block(subject.encode())
        text = b"".join(parts)
        deep = {f"<{p}>".encode() for p in reach.deep}
        values, inner = _values(text, deep, homes)
        for node in inner:
            more = b"".join(self.lines(node))
            text += more
            values |= _values(more, set(), homes)[0]
        types = [line for node in values - homes - inner for line in self.type_lines(node)]
        return text + b"".join(types) + b"".join(self.schema_lines())

    def schema_lines(self) -> list[bytes]:
        """Every ``rdfs:subClassOf`` triple (what ``sh:class`` and ``sh:targetClass``
        read besides the types)."""
        if not hasattr(self, "_schema"):
            predicate = SUBCLASS_OF.decode()
            self._schema = [
                line
                for name in self.names
                if predicate in self.stats[name].predicates
                for line in self.unit(name).lines
                if line.split(b" ", 2)[1] == SUBCLASS_OF
            ]
        return self._schema


# The predicate and value of a triple whose value is an IRI or a blank node, at the end
# of an N-Triples line: a literal's line ends in a quote, a language tag or ^^<datatype>.
_NODE_VALUE = re.compile(rb" (<[^>\n]*>) (<[^>\n]*>|_:[^ \n]+) \.\n")


def _values(text: bytes, deep: set[bytes], homes: set[str]) -> tuple[set[str], set[str]]:
    """The IRIs and blank nodes N-Triples ``text`` names as values, and those named by a
    deep predicate that are not among ``homes``."""
    values: set[str] = set()
    inner: set[str] = set()
    for predicate, value in _NODE_VALUE.findall(text):
        node = value.decode()
        values.add(node)
        if predicate in deep and node not in homes:
            inner.add(node)
    return values, inner
