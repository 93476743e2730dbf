"""What the dossier's builders share: the rows of its SPARQL queries, and the terms and
quotes they name, each looked up once per page (:class:`Lookup`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import pyoxigraph as ox

from kg.server.pages.quotes import Quote, evidence_of_all
from kg.server.pages.terms import Term, Terms, lexical
from kg.server.pages.when import When, span, when

Row = dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | None]
# The columns of the queries that name claims whose evidence the page shows.
CLAIM_COLUMNS = frozenset(
    ("process", "round", "outcome", "commitment", "statement", "event", "position", "part",
     "action", "body", "agreement", "speech", "report")
)  # fmt: skip


@dataclass
class Item:
    """A claim on the dossier: its term, and the quotes that state it."""

    term: Term
    quotes: tuple[Quote, ...] = ()

    @property
    def quote(self) -> Quote | None:
        return self.quotes[0] if self.quotes else None


C = TypeVar("C", bound=Item)


class Lookup:
    """Terms and quotes for the dossier, each looked up once."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self._items: dict[str, Item] = {}
        self._quotes: dict[str, list[Quote]] = {}

    def term(self, node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> Term:
        assert node is not None
        return self.terms.term(node)

    def opt(self, node: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Term | None:
        return None if node is None else self.terms.term(node)

    def text(self, node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
        return "" if node is None else lexical(node)

    def prefetch(self, rows: dict[str, list[Row]]) -> None:
        """The evidence of every claim the rows name, in one go (a query per claim was
        the page's cost on a large graph)."""
        iris = [
            lexical(node)
            for found in rows.values()
            for row in found
            for name, node in row.items()
            if name in CLAIM_COLUMNS and isinstance(node, ox.NamedNode)
        ]
        self._quotes.update(evidence_of_all(self.terms, iris))

    def item(self, iri: str) -> Item:
        if iri not in self._items:
            if iri not in self._quotes:
                self._quotes.update(evidence_of_all(self.terms, [iri]))
            self._items[iri] = Item(self.terms.iri(iri), tuple(self._quotes.get(iri, [])))
        return self._items[iri]

    def objects(self, subject: ox.NamedNode, predicate: str) -> list[Term]:
        found = self.terms.store.quads_for_pattern(subject, ox.NamedNode(predicate), None)
        return sorted({self.term(q.object) for q in found}, key=lambda t: t.text.lower())

    def when(self, row: Row) -> When | None:
        """A plain date, or the interval between its OWL-Time bounds (rounds over several
        days, approximate dates), as the EDTF text says."""
        edtf = self.text(row.get("edtf"))
        if edtf or row.get("begin") is not None or row.get("end") is not None:
            found = span(when(self.text(row.get("begin"))), when(self.text(row.get("end"))), edtf)
            if found is not None:
                return found
        return when(self.text(row.get("date")))

    def claims(
        self, rows: list[Row], column: str, make: Callable[[Item, Row], C]
    ) -> list[tuple[C, Row]]:
        """Each row with the claim its ``column`` names, made by ``make`` from the claim's
        term and quotes and the first row that names it: a query answers one row per
        combination of a claim's many values, and the builders merge them."""
        found: dict[str, C] = {}
        pairs = []
        for row in rows:
            iri = self.text(row[column])
            if iri not in found:
                found[iri] = make(self.item(iri), row)
            pairs.append((found[iri], row))
        return pairs

    def collect(self, row: Row, names: Iterable[tuple[str, list[Term]]]) -> None:
        """Add the term of each column named to its list, once (a query answers one row
        per combination of a claim's many values)."""
        for name, into in names:
            value = self.opt(row.get(name))
            if value is not None and value not in into:
                into.append(value)


def unique(terms: Iterable[Term]) -> list[Term]:
    return list(dict.fromkeys(terms))


def claims_of(pairs: list[tuple[C, Row]]) -> list[C]:
    """The claims of :meth:`Lookup.claims`, each once, in the order of their first row."""
    return list({id(claim): claim for claim, _ in pairs}.values())
