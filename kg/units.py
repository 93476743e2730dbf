"""A named graph as the unit of the build: what is compiled, cached, validated and
assembled into the dumps one graph at a time.

A unit is its graph's N-Triples lines (W3C RDF 1.1 N-Triples, written by Oxigraph),
sorted and each once: a canonical form, so the same triples always make the same
bytes, whatever order the compiler made them in. Blank nodes (the ontology's OWL
axioms, say) are relabelled in the order they first appear, with a prefix of their
graph's own, so that a graph parsed twice gets the same labels and two graphs never
share one. These lines are what SHACL validates.

What is published is the store's form of them (:func:`published`): Oxigraph keeps
numbers, dates and booleans by value, so ``"108"^^xsd:nonNegativeInteger`` becomes
``"108"^^xsd:integer`` and ``"1.50"^^xsd:decimal`` ``"1.5"``. The dumps are made of
that form, so that they hold what the store serves, byte for byte as when they were
dumped from a store; from it come the unit's fragment of each dump (:func:`fragments`)
and the figures of the VoID description (:class:`Stats`).
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib.term import Node as RdfNode

from kg.rdfconvert import named_node, term

Triple = tuple[RdfNode, RdfNode, RdfNode]
RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SYNTAXES = ("nt", "nq", "ttl", "trig", "jsonld")  # the fragments of a unit, by dump suffix
LONG_LITERAL = 64  # longer literals are counted by digest in Stats.objects


@dataclass(frozen=True)
class Unit:
    """A named graph: its IRI, and its N-Triples lines, sorted, each once."""

    name: str
    lines: list[bytes]

    @property
    def sha256(self) -> str:
        """The unit's identity: the SHA-256 of its N-Triples."""
        digest = hashlib.sha256()
        for line in self.lines:
            digest.update(line)
        return digest.hexdigest()

    def block(self, subject: bytes) -> list[bytes]:
        """The lines of ``subject`` (an N-Triples term), found by bisection."""
        start = bisect_left(self.lines, subject + b" ")
        return self.lines[start : bisect_left(self.lines, subject + b" \xff", start)]


def unit_of(name: str, triples: Iterable[Triple]) -> Unit:
    """The unit of graph ``name`` holding ``triples`` (rdflib terms, any order)."""

    def convert() -> Iterable[ox.Triple]:
        for s, p, o in triples:
            subject = term(s)
            assert not isinstance(subject, ox.Literal), s
            yield ox.Triple(subject, named_node(str(p)), term(o))

    return unit_of_terms(name, convert())


def unit_of_terms(name: str, triples: Iterable[ox.Triple]) -> Unit:
    """The unit of graph ``name`` holding ``triples``; blank nodes are named in the
    order they first appear, so give them in a stable order (a file's)."""
    prefix = "u" + hashlib.sha256(name.encode()).hexdigest()[:8] + "b"
    blanks: dict[ox.BlankNode, ox.BlankNode] = {}

    def relabel(node: Any) -> Any:
        if isinstance(node, ox.BlankNode):
            if node not in blanks:
                blanks[node] = ox.BlankNode(f"{prefix}{len(blanks)}")
            return blanks[node]
        return node

    def relabelled() -> Iterable[ox.Triple]:
        for triple in triples:
            yield ox.Triple(relabel(triple.subject), triple.predicate, relabel(triple.object))

    text = _serialized(relabelled(), ox.RdfFormat.N_TRIPLES)
    return Unit(name, sorted(set(text.splitlines(keepends=True))))


def unit_of_turtle(name: str, files: Iterable[tuple[str, str]]) -> Unit:
    """The unit of graph ``name`` holding Turtle ``files`` (text, base IRI), each
    file's blank nodes its own, in the order the files give them."""

    def parsed() -> Iterable[ox.Triple]:
        for text, base in files:
            for quad in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE, base_iri=base,
                                 rename_blank_nodes=True):  # fmt: skip
                yield quad.triple

    return unit_of_terms(name, parsed())


def parse_lines(name: str, text: bytes) -> Unit:
    """A unit from its N-Triples as :func:`unit_of` wrote them (from the cache)."""
    return Unit(name, text.splitlines(keepends=True))


def published(unit: Unit) -> Unit:
    """The unit as the store keeps it (see the module's docstring): its XSD-typed
    literals in the store's form, each asked of a store once per process."""
    typed = [i for i, line in enumerate(unit.lines) if _XSD in line]
    if not typed:
        return unit
    lines = list(unit.lines)
    values = [lines[i][:-3].split(b" ", 2) for i in typed]
    _canonical({value for _, _, value in values})
    for i, (subject, predicate, value) in zip(typed, values, strict=True):
        lines[i] = b"%s %s %s .\n" % (subject, predicate, _CANONICAL[value])
    return Unit(unit.name, sorted(set(lines)))


_XSD = b'"^^<http://www.w3.org/2001/XMLSchema#'
_CANONICAL: dict[bytes, bytes] = {}  # a typed literal as written: as a store keeps it


def _canonical(values: set[bytes]) -> None:
    """Learn how a store keeps each of ``values`` (N-Triples literals)."""
    missing = sorted(values - _CANONICAL.keys())
    if not missing:
        return
    text = b"".join(b"<urn:kg:%d> <urn:kg:value> %s .\n" % (i, v) for i, v in enumerate(missing))
    store = ox.Store()
    store.bulk_extend(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
    for quad in store:
        number = int(quad.subject.value.rsplit(":", 1)[1])
        _CANONICAL[missing[number]] = str(quad.object).encode()


# --- fragments ---------------------------------------------------------------------------


def fragments(unit: Unit, prefixes: dict[str, str]) -> dict[str, bytes]:
    """The part of each dump of a published unit: N-Triples and N-Quads lines, and
    Turtle, TriG and JSON-LD bodies without their prefix lines or array brackets
    (kg/assemble.py puts the dump's own around them). The triples are parsed once."""
    suffix = b" <" + unit.name.encode() + b"> .\n"
    nt = b"".join(unit.lines)
    triples = list(_triples(nt))
    graph = ox.NamedNode(unit.name)
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    return {
        "nt": nt,
        "nq": b"".join(line[:-3] + suffix for line in unit.lines),
        "ttl": _body(_serialized(triples, ox.RdfFormat.TURTLE, prefixes), prefixes),
        "trig": _body(_serialized(quads, ox.RdfFormat.TRIG, prefixes), prefixes),
        "jsonld": _json_ld_body(triples),
    }


def turtle_body(nt: bytes, prefixes: dict[str, str]) -> bytes:
    """Turtle of N-Triples ``nt`` without its prefix lines."""
    return _body(_serialized(_triples(nt), ox.RdfFormat.TURTLE, prefixes), prefixes)


def json_ld_body(nt: bytes) -> bytes:
    """Expanded JSON-LD of N-Triples ``nt``: its node objects, without the brackets."""
    return _json_ld_body(_triples(nt))


def _json_ld_body(triples: Iterable[ox.Triple]) -> bytes:
    text = _serialized(triples, ox.RdfFormat.JSON_LD)
    assert text.startswith(b"[") and text.endswith(b"]"), text[:40]
    return text[1:-1]


def prefix_lines(prefixes: dict[str, str], syntax: ox.RdfFormat) -> bytes:
    """The ``@prefix`` lines Oxigraph starts a Turtle or TriG document with."""
    if not prefixes:
        return b""
    node = ox.NamedNode("http://example.org/x")
    one = ox.Quad(node, node, node, ox.DefaultGraph())
    items = [one] if syntax is ox.RdfFormat.TRIG else [one.triple]
    text = _serialized(items, syntax, prefixes)
    return b"".join(text.splitlines(keepends=True)[: len(prefixes)])


def _body(text: bytes, prefixes: dict[str, str]) -> bytes:
    if not text:
        return text
    lines = text.splitlines(keepends=True)
    assert all(line.startswith(b"@prefix ") for line in lines[: len(prefixes)]), lines[:2]
    return b"".join(lines[len(prefixes) :])


def _serialized(
    items: Iterable[ox.Triple] | Iterable[ox.Quad],
    syntax: ox.RdfFormat,
    prefixes: dict[str, str] | None = None,
) -> bytes:
    text = ox.serialize(items, format=syntax, prefixes=prefixes)
    assert text is not None
    return bytes(text)


def _triples(nt: bytes) -> Iterable[ox.Triple]:
    return (quad.triple for quad in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))


# --- figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """What a unit holds, as N-Triples terms: for VoID's counts (kg/void.py), the union
    of the graphs and validation (kg/dataset.py)."""

    triples: int
    subjects: list[str]  # sorted, each once
    objects: list[str]  # each once; literals longer than LONG_LITERAL as "#" + digest
    predicates: dict[str, int]  # triples by predicate
    types: list[tuple[str, str]]  # (subject, class) of each rdf:type triple

    @classmethod
    def of(cls, unit: Unit) -> Stats:
        subjects: dict[bytes, None] = {}
        objects: set[bytes] = set()
        predicates: dict[bytes, int] = {}
        types: list[tuple[str, str]] = []
        for line in unit.lines:
            subject, predicate, value = line[:-3].split(b" ", 2)
            subjects[subject] = None
            predicates[predicate] = predicates.get(predicate, 0) + 1
            if value[:1] == b'"' and len(value) > LONG_LITERAL:
                value = b"#" + hashlib.sha256(value).hexdigest().encode()
            objects.add(value)
            if predicate == RDF_TYPE:
                types.append((subject.decode(), value.decode()))
        return cls(
            len(unit.lines),
            [s.decode() for s in subjects],  # sorted: the lines are
            sorted(o.decode() for o in objects),
            {p.decode(): n for p, n in predicates.items()},
            types,
        )

    def to_bytes(self) -> bytes:
        """The statistics as text, a term a line: quicker to read back than JSON (an
        N-Triples term holds no line break)."""
        lines = [json.dumps([self.triples, self.predicates, len(self.subjects),
                             len(self.objects)]), *self.subjects, *self.objects]  # fmt: skip
        lines += [f"{s} {c}" for s, c in self.types]
        return "\n".join(lines).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Stats:
        """Statistics as :meth:`to_bytes` wrote them; ValueError if they are not."""
        head, *lines = data.decode().split("\n")
        triples, predicates, subjects, objects = json.loads(head)
        types = lines[subjects + objects :]
        return cls(
            int(triples),
            lines[:subjects],
            lines[subjects : subjects + objects],
            dict(predicates),
            [tuple(line.split(" ", 1)) for line in types],  # type: ignore[misc]
        )


def is_literal(term: str) -> bool:
    """Whether an N-Triples term of Stats is a literal (or a literal's digest)."""
    return term[:1] in ('"', "#")
