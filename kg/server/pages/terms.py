"""RDF terms as a page shows them: a label, a link, a language or datatype tag.

A :class:`Terms` is made per request over one store; it looks labels up with the
store's indexes (``skos:prefLabel``, then ``rdfs:label``, then ``dcterms:title``,
English or untagged first) and caches them for the request. Links go to this server's
page for IRIs under the base IRI, to Wikidata's page for ``wd:`` items and properties,
and to the IRI itself for other ``http(s)`` IRIs; any other scheme (``javascript:``,
``data:``) is shown as text and never becomes a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespaces import STANDARD_PREFIXES, Namespaces
from kg.server.pages.locations import Locations

RDF = STANDARD_PREFIXES["rdf"]
RDFS = STANDARD_PREFIXES["rdfs"]
SKOS = STANDARD_PREFIXES["skos"]
DCTERMS = STANDARD_PREFIXES["dcterms"]
OWL = STANDARD_PREFIXES["owl"]
XSD = STANDARD_PREFIXES["xsd"]
WIKIDATA_ENTITY = STANDARD_PREFIXES["wd"]

LABELS = tuple(ox.NamedNode(p) for p in (SKOS + "prefLabel", RDFS + "label", DCTERMS + "title"))
FIRST, REST, NIL = (ox.NamedNode(RDF + n) for n in ("first", "rest", "nil"))
PLAIN_DATATYPES = {XSD + "string", RDF + "langString"}
MAX_DEPTH = 3  # blank nodes described inside blank nodes, at most

# Names of the standard terms pages show most, for readers who do not know the CURIEs.
COMMON_LABELS = {
    RDFS + "label": "label",
    RDFS + "comment": "comment",
    RDFS + "isDefinedBy": "defined by",
    RDFS + "seeAlso": "see also",
    SKOS + "prefLabel": "preferred label",
    SKOS + "altLabel": "alternative label",
    SKOS + "definition": "definition",
    SKOS + "editorialNote": "editorial note",
    SKOS + "inScheme": "in scheme",
    SKOS + "broader": "broader",
    SKOS + "narrower": "narrower",
    SKOS + "topConceptOf": "top concept of",
    SKOS + "hasTopConcept": "top concept",
    DCTERMS + "title": "title",
    DCTERMS + "description": "description",
    DCTERMS + "language": "language",
    DCTERMS + "format": "format",
    DCTERMS + "license": "licence",
    DCTERMS + "source": "source",
    DCTERMS + "issued": "issued",
    DCTERMS + "modified": "modified",
    DCTERMS + "created": "created",
    DCTERMS + "creator": "creator",
    DCTERMS + "publisher": "publisher",
    OWL + "sameAs": "same as",
    OWL + "versionInfo": "version",
    OWL + "versionIRI": "version IRI",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "derived from",
    "http://www.w3.org/ns/prov#wasQuotedFrom": "quoted from",
    "http://www.w3.org/ns/oa#hasSource": "source",
    "http://www.w3.org/ns/oa#hasSelector": "selector",
    "http://www.w3.org/ns/oa#start": "start",
    "http://www.w3.org/ns/oa#end": "end",
    "http://www.w3.org/ns/oa#exact": "exact quote",
    "http://www.w3.org/ns/oa#prefix": "text before",
    "http://www.w3.org/ns/oa#suffix": "text after",
    "http://www.w3.org/ns/org#postIn": "post in",
    "http://www.w3.org/ns/org#subOrganizationOf": "part of organisation",
    "https://schema.org/url": "URL",
    "http://purl.org/vocab/vann/preferredNamespacePrefix": "preferred prefix",
    "http://purl.org/vocab/vann/preferredNamespaceUri": "namespace",
}

Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def lexical(node: Node) -> str:
    """The IRI, lexical form or blank node id of ``node``."""
    return str(node) if isinstance(node, ox.Triple) else str(node.value)


_WIKIDATA_ID = re.compile(r"^[QP][1-9][0-9]*$")


@dataclass(frozen=True)
class Term:
    """One RDF term ready for a template."""

    kind: str  # "iri", "literal" or "blank"
    value: str  # the IRI, the lexical form, or the blank node's id
    text: str  # what a reader sees
    curie: str | None = None  # ``round:geneva-round`` for IRIs under a known prefix
    href: str | None = None  # local path (starts with "/") or an external URL
    language: str | None = None
    datatype: str | None = None  # shown for typed literals other than strings
    wikidata: str | None = None  # Q794, P276
    properties: tuple[Values, ...] = ()  # a blank node's own description
    items: tuple[Term, ...] | None = None  # an RDF list's members

    @property
    def local(self) -> bool:
        return bool(self.href and self.href.startswith("/"))

    @property
    def union(self) -> tuple[Term, ...] | None:
        """The members of a class expression ``[ owl:unionOf ( ... ) ]``, or None."""
        for row in self.properties:
            if row.predicate.value == OWL + "unionOf" and row.values[0].items is not None:
                return row.values[0].items
        return None


@dataclass(frozen=True)
class Values:
    """A predicate and its values (or, for links in, its subjects)."""

    predicate: Term
    values: tuple[Term, ...]
    more: bool = False  # True when the list was cut


@dataclass
class Terms:
    store: ox.Store
    ns: Namespaces
    _labels: dict[str, str | None] = field(default_factory=dict)

    @property
    def locations(self) -> Locations:
        return Locations(self.ns.base)

    def label(self, iri: str) -> str | None:
        if iri not in self._labels:
            self._labels[iri] = self._find_label(ox.NamedNode(iri))
        return self._labels[iri]

    def _find_label(self, node: ox.NamedNode) -> str | None:
        for predicate in LABELS:
            literals = [
                q.object
                for q in self.store.quads_for_pattern(node, predicate, None, None)
                if isinstance(q.object, ox.Literal)
            ]
            if literals:
                return min(literals, key=_language_rank).value
        return None

    def iri(self, iri: str) -> Term:
        short = self.ns.shorten(iri)
        curie = None if short.startswith("<") else short
        wikidata = _wikidata_id(iri)
        label = self.label(iri) or COMMON_LABELS.get(iri)
        href: str | None
        if wikidata:
            text, href = label or wikidata, _wikidata_url(wikidata)
        else:
            text = label or curie or iri
            href = self.locations.page(iri) or (iri if _is_web(iri) else None)
        return Term("iri", iri, text, curie, href, wikidata=wikidata)

    def term(self, node: Node, depth: int = 0) -> Term:
        if isinstance(node, ox.Triple):  # RDF-star: the graph has none, shown as text
            return Term("literal", str(node), str(node))
        if isinstance(node, ox.NamedNode):
            return self.iri(node.value)
        if isinstance(node, ox.Literal):
            datatype = node.datatype.value if node.datatype is not None else None
            shown = None if datatype in PLAIN_DATATYPES or datatype is None else datatype
            return Term(
                "literal",
                node.value,
                node.value,
                language=node.language,
                datatype=self.ns.shorten(shown).strip("<>") if shown else None,
            )
        return self.blank(node, depth)

    def blank(self, node: ox.BlankNode, depth: int) -> Term:
        items = self._list(node, depth)
        if items is not None:
            return Term("blank", node.value, "list", items=tuple(items))
        if depth >= MAX_DEPTH:
            return Term("blank", node.value, "[…]")
        return Term("blank", node.value, "[…]", properties=tuple(self.properties(node, depth + 1)))

    def _list(self, node: ox.BlankNode, depth: int) -> list[Term] | None:
        """The members of an RDF list (RDF 1.1 Semantics, section D.3), or None."""
        items: list[Term] = []
        current: Node = node
        while isinstance(current, ox.BlankNode):
            first = next(self.store.quads_for_pattern(current, FIRST, None, None), None)
            rest = next(self.store.quads_for_pattern(current, REST, None, None), None)
            if first is None or rest is None or len(items) > 1000:
                return None
            items.append(self.term(first.object, depth + 1))
            current = rest.object
        return items if current == NIL else None

    def properties(
        self,
        subject: ox.NamedNode | ox.BlankNode,
        depth: int = 0,
        hide: Iterable[str] = (),
        first: Sequence[str] = (),
    ) -> list[Values]:
        """``subject``'s outgoing triples grouped by predicate, in all graphs, each once;
        predicates in ``first`` lead, the rest follow by label."""
        hidden = set(hide)
        grouped: dict[str, dict[Node, None]] = {}
        for quad in self.store.quads_for_pattern(subject, None, None, None):
            if quad.predicate.value not in hidden:
                grouped.setdefault(quad.predicate.value, {})[quad.object] = None
        rows = [
            Values(self.iri(p), tuple(self.term(o, depth) for o in objects))
            for p, objects in grouped.items()
        ]
        return sorted(rows, key=lambda row: _order(row, first))

    def inbound(self, node: ox.NamedNode, limit: int, hide: Iterable[str] = ()) -> list[Values]:
        """The resources that link to ``node``, grouped by predicate; at most ``limit``
        links in all (``more`` is set on the rows when some were left out)."""
        hidden = set(hide)
        grouped: dict[str, dict[str, None]] = {}
        count, cut = 0, False
        for quad in self.store.quads_for_pattern(None, None, node, None):
            predicate, subject = quad.predicate.value, quad.subject
            if predicate in hidden or not isinstance(subject, ox.NamedNode):
                continue
            if subject.value in grouped.get(predicate, {}):
                continue
            if count >= limit:
                cut = True
                break
            grouped.setdefault(predicate, {})[subject.value] = None
            count += 1
        rows = [
            Values(self.iri(p), tuple(sorted((self.iri(s) for s in subjects), key=_by_text)), cut)
            for p, subjects in grouped.items()
        ]
        return sorted(rows, key=lambda row: _order(row, ()))


def _language_rank(literal: ox.Literal) -> tuple[int, str]:
    language = (literal.language or "").lower()
    rank = 0 if language in ("en", "") or language.startswith("en-") else 1
    return rank, literal.value


def _order(row: Values, first: Sequence[str]) -> tuple[int, str]:
    iri = row.predicate.value
    return (first.index(iri) if iri in first else len(first), row.predicate.text.lower())


def _by_text(term: Term) -> str:
    return term.text.lower()


def _wikidata_id(iri: str) -> str | None:
    local = iri.removeprefix(WIKIDATA_ENTITY)
    return local if local != iri and _WIKIDATA_ID.match(local) else None


def _wikidata_url(wikidata_id: str) -> str:
    page = f"Property:{wikidata_id}" if wikidata_id.startswith("P") else wikidata_id
    return f"https://www.wikidata.org/wiki/{page}"


def _is_web(iri: str) -> bool:
    return iri.lower().startswith(("http://", "https://"))
