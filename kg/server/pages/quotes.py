"""Evidence as a reader sees it (W3C Web Annotation Data Model, section 4.2.4, Text
Quote Selector, and 4.2.5, Text Position Selector):

* for a claim, each quote that states it, highlighted in its sentence, linked to the
  place in the source document;
* for a source document, its full text cut into segments at every start and end of an
  annotated span, so that spans may overlap or nest and the HTML still nests properly:
  each segment knows every span that covers it.

Offsets count Unicode code points, start inclusive, end exclusive, as Python slices do.

>>> [(s.text, s.depth) for s in segments("abcdef", [Span(1, 4, 1), Span(3, 5, 2)])]
[('a', 0), ('bc', 1), ('d', 2), ('e', 1), ('f', 0)]
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kg.server.pages.terms import Term, Terms

_PREFIXES = """
PREFIX nkg: <{nkg}>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""

# Starts from the claims (their IRIs in VALUES), so that it stays fast on a large graph:
# a query that began with the evidence's selectors took 0.1 s a claim at 100k triples.
_EVIDENCE_OF = (
    _PREFIXES
    + """
SELECT ?claim ?e ?rel ?source ?sentence ?exact ?prefix ?start ?end WHERE {{
  VALUES ?claim {{ {iris} }}
  {{ VALUES ?rel {{ prov:wasDerivedFrom prov:wasQuotedFrom }} ?claim ?rel ?e }}
  UNION {{ ?claim a nkg:Evidence BIND(?claim AS ?e) }}
  ?e oa:hasSource ?source .
  OPTIONAL {{ ?e nkg:sentence ?sentence }}
  OPTIONAL {{ ?e oa:hasSelector ?q . ?q oa:exact ?exact . OPTIONAL {{ ?q oa:prefix ?prefix }} }}
  OPTIONAL {{ ?e oa:hasSelector ?p . ?p oa:start ?start ; oa:end ?end }}
}}
"""
)
BATCH = 200  # claims per query

_SPANS_OF = (
    _PREFIXES
    + """
SELECT ?e ?start ?end ?claim ?kind WHERE {{
  ?e oa:hasSource <{iri}> ; oa:hasSelector ?p .
  ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  OPTIONAL {{ VALUES ?rel {{ prov:wasDerivedFrom prov:wasQuotedFrom }} ?claim ?rel ?e
             OPTIONAL {{ ?claim a ?kind FILTER(STRSTARTS(STR(?kind), STR(nkg:))) }} }}
}}
"""
)


@dataclass(frozen=True)
class Quote:
    """One piece of evidence: the quote inside its sentence, and where it comes from."""

    evidence: Term
    relation: str  # "quoted from", "derived from", or "" for the evidence itself
    source: Term
    before: str
    exact: str
    after: str
    start: int | None
    end: int | None

    @property
    def anchor(self) -> str:
        return f"span-{self.start}-{self.end}" if self.start is not None else ""


def _value(row: ox.QuerySolution, name: str) -> str | None:
    term = row[name]
    return None if term is None else str(term.value)


def _integer(row: ox.QuerySolution, name: str) -> int | None:
    value = _value(row, name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def evidence_of(terms: Terms, iri: str) -> list[Quote]:
    """The evidence of the claim ``iri`` (or of the evidence node ``iri`` itself)."""
    return evidence_of_all(terms, [iri]).get(iri, [])


def evidence_of_all(terms: Terms, iris: list[str]) -> dict[str, list[Quote]]:
    """The evidence of each claim of ``iris``, in as few queries as it takes."""
    found: dict[str, dict[str, Quote]] = {}
    unique = list(dict.fromkeys(iris))
    for first in range(0, len(unique), BATCH):
        values = " ".join(f"<{iri}>" for iri in unique[first : first + BATCH])
        solutions = terms.store.query(
            _EVIDENCE_OF.format(nkg=terms.ns.nkg, iris=values), use_default_graph_as_union=True
        )
        assert isinstance(solutions, ox.QuerySolutions)
        for row in solutions:
            claim, evidence = _value(row, "claim"), _value(row, "e")
            quotes = found.setdefault(claim or "", {})
            if evidence is None or evidence in quotes:
                continue
            sentence, exact = _value(row, "sentence"), _value(row, "exact") or ""
            before, exact, after = in_sentence(
                sentence or exact, exact, _value(row, "prefix") or ""
            )
            relation = (_value(row, "rel") or "").rsplit("#", 1)[-1]
            quotes[evidence] = Quote(
                terms.iri(evidence),
                {"wasQuotedFrom": "quoted from", "wasDerivedFrom": "derived from"}.get(
                    relation, ""
                ),
                terms.iri(_value(row, "source") or ""),
                before,
                exact,
                after,
                _integer(row, "start"),
                _integer(row, "end"),
            )
    return {
        claim: sorted(q.values(), key=lambda q: (q.source.value, q.start or 0, q.end or 0))
        for claim, q in found.items()
    }


def in_sentence(sentence: str, exact: str, prefix: str) -> tuple[str, str, str]:
    """``sentence`` cut around ``exact``: (before, exact, after). When the quote occurs
    more than once, the occurrence whose preceding text agrees longest with the
    selector's ``prefix`` wins; a quote not in the sentence is shown alone.

    >>> in_sentence("a b a c", "a", "b ")
    ('a b ', 'a', ' c')
    """
    starts = []
    at = sentence.find(exact) if exact else -1
    while at >= 0:
        starts.append(at)
        at = sentence.find(exact, at + 1)
    if not starts:
        return "", exact or sentence, ""
    best = max(starts, key=lambda s: (_common_tail(sentence[:s], prefix), -s))
    return sentence[:best], exact, sentence[best + len(exact) :]


def _common_tail(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    number: int  # 1, 2, ... in the order of the text
    exact: str = ""
    evidence: Term | None = None
    claims: tuple[Term, ...] = ()
    kinds: tuple[str, ...] = ()  # the classes of its claims (local names: Statement...)

    @property
    def anchor(self) -> str:
        return f"span-{self.start}-{self.end}"

    @property
    def kind(self) -> str:
        """The kind it is shown as: the first of its claims' kinds."""
        return self.kinds[0] if self.kinds else ""


@dataclass(frozen=True)
class Segment:
    text: str
    covering: tuple[Span, ...]  # every span this segment is inside, innermost first
    opening: tuple[Span, ...]  # spans that start here (anchors go before the text)

    @property
    def depth(self) -> int:
        return len(self.covering)

    @property
    def innermost(self) -> Span | None:
        return self.covering[0] if self.covering else None


def spans_of(terms: Terms, source_iri: str, text: str) -> list[Span]:
    """The annotated spans of the source document ``source_iri`` (whose text is
    ``text``), each with the claims that cite it; spans outside the text are dropped."""
    length = len(text)
    solutions = terms.store.query(
        _SPANS_OF.format(nkg=terms.ns.nkg, iri=source_iri), use_default_graph_as_union=True
    )
    assert isinstance(solutions, ox.QuerySolutions)
    found: dict[str, tuple[int, int, dict[str, None]]] = {}
    kinds: dict[str, dict[str, None]] = {}
    for row in solutions:
        evidence, start, end = _value(row, "e"), _integer(row, "start"), _integer(row, "end")
        if evidence is None or start is None or end is None or not 0 <= start < end <= length:
            continue
        claims = found.setdefault(evidence, (start, end, {}))[2]
        if (claim := _value(row, "claim")) is not None:
            claims[claim] = None
        if (kind := _value(row, "kind")) is not None:
            kinds.setdefault(evidence, {})[kind.rpartition("#")[2]] = None
    ordered = sorted(found.items(), key=lambda item: (item[1][0], -item[1][1], item[0]))
    return [
        Span(
            start,
            end,
            number,
            text[start:end],
            terms.iri(evidence),
            tuple(sorted((terms.iri(c) for c in claims), key=lambda t: t.text.lower())),
            tuple(sorted(kinds.get(evidence, {}))),
        )
        for number, (evidence, (start, end, claims)) in enumerate(ordered, 1)
    ]


def segments(text: str, spans: Sequence[Span]) -> list[Segment]:
    """``text`` cut at every span boundary; each piece lists the spans covering it."""
    cuts = sorted({0, len(text)} | {s.start for s in spans} | {s.end for s in spans})
    opening: dict[int, list[Span]] = {}
    for span in spans:
        opening.setdefault(span.start, []).append(span)
    active: list[Span] = []
    pieces = []
    for left, right in itertools.pairwise(cuts):
        active = [s for s in active if s.end > left] + opening.get(left, [])
        covering = sorted(active, key=lambda s: (s.end - s.start, s.number))
        pieces.append(Segment(text[left:right], tuple(covering), tuple(opening.get(left, []))))
    return pieces
