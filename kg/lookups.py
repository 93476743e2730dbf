"""What compiling one document reads of the rest of the seeds, recorded.

A document's graph is made of its own two files and of a few facts about everything
else: the kind (hence the IRI) of each id it names, the labels its own labels are
made of, the date of a claim a deadline counts from, the concepts it names and their
labels, whether a Wikidata id is verified. Every such fact is looked up here. While a
document compiles its lookups are recorded with their answers; the build cache
(kg/buildcache.py) keeps the document's graph together with that record and reuses
the graph only while every recorded lookup still gives the same answer, the early
cut-off of build systems such as Shake or Salsa. The ontology, the base IRI and the
code are not looked up: they are part of every cache key.

Labels made from templates (``{holder} {stance} {issue}``) name other records, which
may name the first one back. A label is therefore the same whatever was labelled
before it: a record met again while its own label is being made stands for its id,
and only labels that met no such cycle are remembered for other records.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rdflib import SKOS, Graph, URIRef

from kg import concepts
from kg.claimtypes import ValueKind
from kg.namespaces import Namespaces
from kg.seeds import Claim, ConceptDeclaration, Entity, Record, Seeds
from kg.vocabulary import ConceptIndex
from kg.yamlfile import Scalar, Sequence

Read = tuple[str, ...]  # ("target", id), ("label", id), ("concept", scheme, name) ...
Answer = Any  # JSON: a string, a list of strings, true/false or null


@dataclass(frozen=True)
class Target:
    """What an id names: the kind of resource, the record that defines it, its IRI."""

    kind: str
    record: Record
    base: str

    @property
    def iri(self) -> URIRef:
        return URIRef(f"{self.base}id/{self.kind}/{self.record.id}")  # Namespaces.resource


class Lookups:
    """Everything one document may look up about the rest of the seeds."""

    def __init__(self, seeds: Seeds, ontology: Graph, ns: Namespaces, index: ConceptIndex,
                 declared: list[ConceptDeclaration]) -> None:  # fmt: skip
        self.ontology, self.ns, self.index, self.declared = ontology, ns, index, declared
        self.verified = seeds.verified_qids
        self.targets: dict[str, Target] = {}
        for entity in (*seeds.entities, *seeds.proposed()):
            self.define(entity)
        for claim in seeds.claims():
            self.define(claim)
        self._labels: dict[str, str] = {}  # asked for themselves
        self._acyclic: dict[str, str] = {}  # made without meeting a cycle: valid anywhere
        self._recording: dict[Read, Answer] | None = None
        self.qids = _RecordedQids(self)
        self._pref_labels: dict[URIRef | None, str | None] = {}

    def define(self, record: Entity | Claim) -> None:
        """Make ``record`` the one its id names (a document's own, fully read records
        replace the summaries the cache gave for it)."""
        kind = record.kind.name if isinstance(record, Entity) else record.type.kind
        self.targets[record.id] = Target(kind, record, self.ns.base)

    @contextmanager
    def recording(self) -> Iterator[dict[Read, Answer]]:
        """Record every lookup made inside the block, with its answer."""
        record: dict[Read, Answer] = {}
        self._recording = record
        try:
            yield record
        finally:
            self._recording = None

    def _seen(self, read: Read, answer: Answer) -> None:
        if self._recording is not None:
            self._recording[read] = answer

    def still(self, reads: list[list[Any]]) -> bool:
        """True when every lookup recorded as ``[kind, *arguments, answer]`` gives the
        same answer now; a malformed record counts as changed."""
        try:
            return all(self.answer(tuple(read[:-1])) == read[-1] for read in reads)
        except (KeyError, TypeError, ValueError, IndexError):
            return False

    def answer(self, read: Read) -> Answer:
        """The answer to a recorded lookup, as JSON."""
        kind, *arguments = read
        if kind == "target":
            target = self.target(arguments[0])
            return None if target is None else [target.kind, str(target.iri)]
        if kind == "label":
            return self.label(arguments[0])
        if kind == "date":
            return self.date(arguments[0])
        if kind == "concept":
            concept = self.concept(arguments[0], arguments[1])
            return None if concept is None else str(concept)
        if kind == "concept label":
            return self.concept_label(URIRef(arguments[0]))
        if kind == "qid":
            return arguments[0] in self.qids
        raise ValueError(kind)

    # --- the lookups ---------------------------------------------------------------------

    def target(self, record_id: str) -> Target | None:
        target = self.targets.get(record_id)
        self._seen(
            ("target", record_id), None if target is None else [target.kind, str(target.iri)]
        )
        return target

    def date(self, claim_id: str) -> str | None:
        """The 'date' written on a claim (what a deadline counts from)."""
        target = self.targets.get(claim_id)
        date = target.record.text("date") if target else None
        self._seen(("date", claim_id), date)
        return date

    def concept(self, scheme: str, name: str) -> URIRef | None:
        concept = self.index.find(scheme, name)
        self._seen(("concept", scheme, name), None if concept is None else str(concept))
        return concept

    def find(self, scheme: str, name: str) -> URIRef | None:
        """The concept index's interface (kg/concepts.py looks up broader concepts)."""
        return self.concept(scheme, name)

    def concept_label(self, concept: URIRef) -> str:
        """A concept's preferred label, built in or declared."""
        label = self.pref_label(concept)
        if label is not None:
            text = label
        else:
            declared = next((d for d in self.declared
                             if self.ns.concept(d.scheme.name, d.id) == concept), None)  # fmt: skip
            names = concepts.labels(declared) if declared else []
            text = names[0] if names else str(concept).rsplit("/", 1)[-1]
        self._seen(("concept label", str(concept)), text)
        return text

    def pref_label(self, concept: URIRef | None) -> str | None:
        """The ontology's skos:prefLabel of a concept, if any (asked often: kept)."""
        if concept not in self._pref_labels:
            label = self.ontology.value(concept, SKOS.prefLabel) if concept else None
            self._pref_labels[concept] = str(label) if label else None
        return self._pref_labels[concept]

    def label(self, record_id: str) -> str:
        """A record's label: its own, or its type's template filled with the labels of
        what its fields name."""
        label = self._labels.get(record_id)
        if label is None:
            label = self._labels[record_id] = self._label(record_id, frozenset())[0]
        self._seen(("label", record_id), label)
        return label

    def _label(self, record_id: str, making: frozenset[str]) -> tuple[str, bool]:
        """The label of ``record_id`` while the labels of ``making`` are being made, and
        whether it met one of them."""
        if record_id in self._acyclic:
            return self._acyclic[record_id], False
        if record_id in making:
            return record_id, True
        record = self.targets[record_id].record
        label = record.label if isinstance(record, Entity) else record.text("label")
        cyclic = False
        if not label and isinstance(record, Claim):
            values = _Labels(self, record, making | {record_id})
            label = record.type.label_template.format_map(values)
            cyclic = values.cyclic
        label = label or record_id
        if not cyclic:
            self._acyclic[record_id] = label
        return label, cyclic


class _Labels(dict[str, str]):
    """Values for a label template: the labels of what a claim's fields name."""

    def __init__(self, lookups: Lookups, claim: Claim, making: frozenset[str]) -> None:
        super().__init__()
        self.lookups, self.claim, self.making = lookups, claim, making
        self.cyclic = False

    def __missing__(self, key: str) -> str:
        """The labels a field names; ``{key|text}`` gives ``text`` when it is absent."""
        key, _, absent = key.partition("|")
        spec, node = self.claim.type.field(key), self.claim.values.get(key)
        if spec is None or node is None:
            return absent or "?"
        items = node.items if isinstance(node, Sequence) else [node]
        return ", ".join(self._one(spec.kind, spec.scheme, i)
                         for i in items if isinstance(i, Scalar))  # fmt: skip

    def _one(self, kind: ValueKind, scheme: str, item: Scalar) -> str:
        if kind is ValueKind.REF and item.value in self.lookups.targets:
            text, cyclic = self.lookups._label(item.value, self.making)
            self.cyclic |= cyclic
            return text
        if kind is ValueKind.CONCEPT:
            concept = self.lookups.index.find(scheme, item.value)
            return self.lookups.pref_label(concept) or item.value
        text = item.value.strip()
        return text if len(text) <= 60 else text[:57] + "..."


class _RecordedQids(Mapping[str, str]):
    """The verified Wikidata ids, each one asked for recorded."""

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups

    def __getitem__(self, qid: str) -> str:
        return self.lookups.verified[qid]

    def __contains__(self, qid: object) -> bool:
        found = qid in self.lookups.verified
        self.lookups._seen(("qid", str(qid)), found)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.lookups.verified)

    def __len__(self) -> int:
        return len(self.lookups.verified)
