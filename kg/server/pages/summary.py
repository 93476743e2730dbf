"""What a page says first about an agent or a round, before its properties.

* An agent (a person above all): the offices held, the side taken (whom they acted for,
  which delegation they sat in and who it represented), the negotiations and rounds they
  took part in and in what role, their quotations inline with the quote in its
  sentence, and what Wikidata says of the item it is the same as: its description and
  its names in other languages, from the cache ``kg link --fetch`` keeps (graph
  ``wikidata-cache``).
* A round: its place in its negotiation's timeline, the rounds before and after it,
  and the way to the dossier.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespaces import STANDARD_PREFIXES
from kg.server.pages.quotes import Quote, evidence_of_all
from kg.server.pages.terms import Term, Terms, lexical
from kg.server.pages.when import When, when

RDFS, OWL = STANDARD_PREFIXES["rdfs"], STANDARD_PREFIXES["owl"]
SCHEMA = STANDARD_PREFIXES["schema"]


@dataclass
class Role:
    event: Term
    roles: list[Term] = field(default_factory=list)
    side: Term | None = None  # the party acted for, or the delegation's
    delegation: Term | None = None
    capacity: Term | None = None


@dataclass(frozen=True)
class Said:
    statement: Term
    words: str
    when: When | None
    quote: Quote | None
    not_before: bool = False  # the source gives no date: ``when`` is the earliest


@dataclass(frozen=True)
class Name:
    text: str
    language: str


@dataclass
class AgentSummary:
    offices: list[Term]
    roles: list[Role]
    said: list[Said]
    wikidata: str  # the cached description
    names: list[Name]  # other languages, from the cache

    @property
    def sides(self) -> list[Term]:
        return list(dict.fromkeys(r.side for r in self.roles if r.side is not None))

    @property
    def empty(self) -> bool:
        return not (self.offices or self.roles or self.said or self.wikidata or self.names)


@dataclass(frozen=True)
class RoundPlace:
    process: Term
    rounds: tuple[tuple[Term, When | None, bool], ...]  # each round, its date, is it this one
    before: Term | None
    after: Term | None


def _rows(terms: Terms, query: str) -> list[ox.QuerySolution]:
    solutions = terms.store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return list(solutions)


def _text(row: ox.QuerySolution, name: str) -> str:
    value = row[name]
    return "" if value is None else lexical(value)


def agent_summary(terms: Terms, iri: str) -> AgentSummary | None:
    """The summary of the agent ``iri``; None when it is no agent of a negotiation."""
    nkg = terms.ns.nkg
    offices = [
        terms.iri(_text(r, "office"))
        for r in _rows(
            terms,
            f"SELECT DISTINCT ?office {{ ?h a <{nkg.OfficeHolding}> ; "
            f"<{nkg.holder}> <{iri}> ; <{nkg.office}> ?office }}",
        )
    ]
    roles: dict[str, Role] = {}
    for row in _rows(
        terms,
        f"""SELECT ?p ?event ?role ?delegation ?side ?capacity {{
          ?p a <{nkg.Participation}> ; <{nkg.agent}> <{iri}> ; <{nkg.event}> ?event .
          OPTIONAL {{ ?p <{nkg.role}> ?role }}
          OPTIONAL {{ ?p <{nkg.delegation}> ?delegation }}
          OPTIONAL {{ {{ ?p <{nkg.onBehalfOf}> ?side }}
                     UNION {{ ?p <{nkg.delegation}>/<{nkg.delegationOf}> ?side }} }}
          OPTIONAL {{ ?p <{nkg.capacity}> ?capacity }}
        }} ORDER BY ?event""",
    ):
        key = _text(row, "p")
        role = roles.setdefault(key, Role(terms.iri(_text(row, "event"))))
        if row["role"] is not None and (r := terms.iri(_text(row, "role"))) not in role.roles:
            role.roles.append(r)
        for name in ("delegation", "side", "capacity"):
            if row[name] is not None and getattr(role, name) is None:
                setattr(role, name, terms.iri(_text(row, name)))
    rows = _rows(
        terms,
        f"""SELECT DISTINCT ?s ?words ?date ?notBefore {{
          ?s a <{nkg.Statement}> ; <{nkg.speaker}> <{iri}> ; <{nkg.words}> ?words .
          OPTIONAL {{ ?s <{nkg.date}> ?date }} OPTIONAL {{ ?s <{nkg.notBefore}> ?notBefore }}
        }}""",
    )
    quotes = evidence_of_all(terms, [_text(row, "s") for row in rows])
    said = []
    for row in rows:
        statement = _text(row, "s")
        found = quotes.get(statement, [])
        said.append(
            Said(
                terms.iri(statement),
                _text(row, "words"),
                when(_text(row, "date")) or when(_text(row, "notBefore")),
                found[0] if found else None,
                not_before=row["date"] is None and row["notBefore"] is not None,
            )
        )
    said.sort(key=lambda s: (s.quote.start or 0) if s.quote else 0)
    description, names = _wikidata(terms, iri)
    summary = AgentSummary(offices, list(roles.values()), said, description, names)
    return None if summary.empty else summary


def _wikidata(terms: Terms, iri: str) -> tuple[str, list[Name]]:
    cache = terms.ns.graph("wikidata-cache")
    rows = _rows(
        terms,
        f"""SELECT ?name ?description {{
          <{iri}> <{OWL}sameAs> ?item .
          GRAPH <{cache}> {{
            {{ ?item <{RDFS}label> ?name FILTER(!LANGMATCHES(LANG(?name), "en")) }}
            UNION {{ ?item <{SCHEMA}description> ?description
                     FILTER(LANGMATCHES(LANG(?description), "en")) }}
          }}
        }}""",
    )
    description = next((_text(r, "description") for r in rows if r["description"]), "")
    names = sorted(
        {Name(r["name"].value, r["name"].language or "") for r in rows
         if isinstance(r["name"], ox.Literal)},
        key=lambda n: n.language,
    )  # fmt: skip
    return description, names


def round_place(terms: Terms, iri: str) -> RoundPlace | None:
    """Where the round ``iri`` stands among the rounds of its negotiation."""
    nkg = terms.ns.nkg
    rows = _rows(
        terms,
        f"""SELECT ?process ?round ?number ?date {{
          <{iri}> <{nkg.partOf}> ?process . ?process a <{nkg.NegotiationProcess}> .
          ?round a <{nkg.NegotiationRound}> ; <{nkg.partOf}> ?process .
          OPTIONAL {{ ?round <{nkg.roundNumber}> ?number }}
          OPTIONAL {{ ?round <{nkg.date}> ?date }}
        }}""",
    )
    if not rows:
        return None
    ordered = sorted(
        {(_text(r, "round"), _text(r, "number"), _text(r, "date")) for r in rows},
        key=lambda r: (int(r[1]) if r[1].isdigit() else 1_000_000, r[2], r[0]),
    )
    names = [r[0] for r in ordered]
    at = names.index(iri)
    return RoundPlace(
        terms.iri(_text(rows[0], "process")),
        tuple((terms.iri(r), when(d), r == iri) for r, _n, d in ordered),
        terms.iri(names[at - 1]) if at > 0 else None,
        terms.iri(names[at + 1]) if at + 1 < len(names) else None,
    )
