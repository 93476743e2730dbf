"""The RDF document about one resource: which triples it holds, and their serialisation.

The scope is a Concise Bounded Description (W3C Member Submission "CBD", 2005)
widened the way a reader of this graph needs it, over the union of all named graphs,
each triple once:

1. every triple with the resource as subject;
2. the triples of its *parts*: hash IRIs ``{iri}#...`` it links to, such as an
   evidence node's ``#position`` and ``#quote`` selectors;
3. for a claim, its *evidence*: every ``nkg:Evidence`` it cites with
   ``prov:wasDerivedFrom`` or ``prov:wasQuotedFrom``, with the evidence's own
   triples and its selectors, so the document holds the quote and its offsets;
4. the closure over blank nodes of all of the above (CBD's rule), such as an
   ``owl:unionOf`` list;
5. the links that point to it: triples with the resource as object and an IRI as
   subject, except ``rdf:type`` (a class's members are a query, not a description),
   at most ``MAX_INBOUND`` of them (10,000; the SPARQL endpoint gives the rest).

The ontology, whose terms are hash IRIs ``{base}ontology#Term``, has one document for
all of them: the ``graph/ontology`` named graph, as built from ``ontology/*.ttl``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import pyoxigraph as ox

from kg.formats import RdfSyntax
from kg.namespaces import STANDARD_PREFIXES, Namespaces

MAX_INBOUND = 10_000

RDF_TYPE = ox.NamedNode(STANDARD_PREFIXES["rdf"] + "type")
PROV = "http://www.w3.org/ns/prov#"
CITES = (ox.NamedNode(PROV + "wasDerivedFrom"), ox.NamedNode(PROV + "wasQuotedFrom"))
Subject = ox.NamedNode | ox.BlankNode


def iri_problem(iri: str) -> str | None:
    """Why ``iri`` is no IRI (RFC 3987: a space, a backslash, a control character...),
    or None when it is one."""
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        return str(exc)
    return None


def states(store: ox.Store, subject: str, predicate: str, iri: str) -> bool:
    """Whether the store holds the triple ``<subject> <predicate> <iri>`` (False when
    ``iri`` is no IRI). Returns a plain bool: a caller that raises next must hold no
    store iterator, which may not be dropped on another thread."""
    if iri_problem(iri) is not None:
        return False
    pattern = (ox.NamedNode(subject), ox.NamedNode(predicate), ox.NamedNode(iri), None)
    return next(store.quads_for_pattern(*pattern), None) is not None


def exists(store: ox.Store, iri: str) -> bool:
    """True when the store says anything about ``iri``, links to it, or names a graph
    with it; False for a text that is no IRI."""
    if iri_problem(iri) is not None:
        return False
    node = ox.NamedNode(iri)
    return any(
        next(store.quads_for_pattern(*pattern), None) is not None
        for pattern in (
            (node, None, None, None),
            (None, None, node, None),
            (None, None, None, node),
        )
    )


def outgoing(store: ox.Store, subject: Subject) -> list[ox.Triple]:
    """The triples with ``subject`` as subject, in all graphs, each once."""
    seen = dict.fromkeys(q.triple for q in store.quads_for_pattern(subject, None, None, None))
    return list(seen)


def document(store: ox.Store, iri: str, ns: Namespaces) -> list[ox.Triple]:
    """The triples of the RDF document about ``iri`` (see the module docstring)."""
    if iri.partition("#")[0] == str(ns.ontology):
        graph = ox.NamedNode(str(ns.graph("ontology")))
        return list(
            dict.fromkeys(q.triple for q in store.quads_for_pattern(None, None, None, graph))
        )
    node = ox.NamedNode(iri)
    evidence_class = ox.NamedNode(str(ns.nkg.Evidence))
    triples: dict[ox.Triple, None] = {}
    done: set[Subject] = set()
    todo: list[Subject] = [node]
    while todo:
        subject = todo.pop()
        if subject in done:
            continue
        done.add(subject)
        for triple in outgoing(store, subject):
            triples[triple] = None
            obj = triple.object
            if isinstance(obj, ox.BlankNode) or (
                isinstance(obj, ox.NamedNode)
                and (
                    obj.value.startswith(subject.value + "#")
                    or (
                        subject == node
                        and triple.predicate in CITES
                        and _has_type(store, obj, evidence_class)
                    )
                )
            ):
                todo.append(obj)
    for triple in islice(inbound(store, node), MAX_INBOUND):
        triples[triple] = None
    return list(triples)


def inbound(store: ox.Store, node: ox.NamedNode) -> Iterator[ox.Triple]:
    """The triples from an IRI that link to ``node``, except ``rdf:type``, each once
    (a blank node's link would arrive without the rest of its description)."""
    seen: set[ox.Triple] = set()
    for quad in store.quads_for_pattern(None, None, node, None):
        triple = quad.triple
        if (
            isinstance(triple.subject, ox.NamedNode)
            and triple.predicate != RDF_TYPE
            and triple not in seen
        ):
            seen.add(triple)
            yield triple


def _has_type(store: ox.Store, node: ox.NamedNode, cls: ox.NamedNode) -> bool:
    return next(store.quads_for_pattern(node, RDF_TYPE, cls, None), None) is not None


def serialize(triples: Iterable[ox.Triple], syntax: RdfSyntax, ns: Namespaces) -> bytes:
    """``triples`` in ``syntax``, declaring only the prefixes they use."""
    triples = list(triples)
    prefixes = _used_prefixes(triples, ns.prefixes())
    data = ox.serialize(triples, format=syntax.engine, prefixes=prefixes)
    assert data is not None
    return data


def _used_prefixes(triples: list[ox.Triple], prefixes: dict[str, str]) -> dict[str, str]:
    iris = {
        term.value
        for t in triples
        for term in (t.subject, t.predicate, t.object)
        if isinstance(term, ox.NamedNode)
    } | {
        t.object.datatype.value
        for t in triples
        if isinstance(t.object, ox.Literal) and t.object.datatype is not None
    }
    return {
        prefix: namespace
        for prefix, namespace in prefixes.items()
        if any(iri.startswith(namespace) and len(iri) > len(namespace) for iri in iris)
    }
