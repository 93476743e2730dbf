"""Convert rdflib terms to pyoxigraph terms, without a round trip through text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node as RdfNode


@lru_cache(maxsize=200_000)
def named_node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def resource(node: RdfNode) -> ox.NamedNode | ox.BlankNode:
    if isinstance(node, URIRef):
        return named_node(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    raise TypeError(f"not an IRI or blank node: {node!r}")


def term(node: RdfNode) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=named_node(str(node.datatype)))
        return ox.Literal(str(node))
    return resource(node)


def quads(graphs: Iterable[Graph]) -> Iterator[ox.Quad]:
    """Every triple of each graph as a quad in the named graph of its identifier."""
    for graph in graphs:
        name = resource(graph.identifier)
        last: RdfNode | None = None
        subject = name
        for s, p, o in graph:
            if s is not last:  # a store yields a subject's triples together: convert it once
                last, subject = s, resource(s)
            yield ox.Quad(subject, named_node(str(p)), term(o), name)
