"""The dossier of a negotiation process: the page a researcher opens first.

Everything on it comes from the SPARQL queries in ``queries/`` beside this module, run
over the request's release with ``$process`` bound to the process; each section shows
its query and links it to the query UI, so every figure can be checked and reused. The
queries ask for IRIs and keep every part but the spine ``OPTIONAL``, so a process with
no venue, no date, no delegation or no position still gets its dossier.

Sections: the rounds on a timeline (:mod:`~kg.server.pages.timeline`), past and planned,
at their dates' precision, with venues, mediators and outcomes; the participants as a
network (:mod:`~kg.server.pages.network`); the positions as a matrix party × issue,
each cell with the quote behind it; commitments and deadlines with their status as of
the release; the quotations; the context events; the sources.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from kg.queries import with_prefixes
from kg.server.pages import proceedings as parts_of
from kg.server.pages.lookup import Item, Lookup, Row, claims_of, unique
from kg.server.pages.proceedings import Agreement, Body, Move, Part, Report, Speech
from kg.server.pages.terms import Term, Terms, lexical
from kg.server.pages.when import When, when

QUERIES = Path(__file__).parent / "queries"
SECTIONS = {
    "rounds": "Rounds",
    "participants": "Participants",
    "delegations": "Delegations",
    "encounters": "Meetings and exchanges",
    "positions": "Positions",
    "outcomes": "Outcomes",
    "commitments": "Commitments and deadlines",
    "fulfilment": "Reports on commitments",
    "quotations": "Quotations",
    "reported": "Reported speech",
    "context": "Context",
    "sources": "Sources",
    "sessions": "Sessions and interruptions",
    "actions": "Negotiating moves",
    "causes": "Causes and consequences",
    "bodies": "Proposed bodies",
    "agreements": "Agreements",
    "quantities": "Numbers",
}
# Statuses of a commitment, as the page words them: from the latest report of its
# fulfilment, else from its deadline and the release's date.
STATUS_WORDS = {
    "met": "met", "partly-met": "partly met", "broken": "broken", "under-way": "under way",
    "due": "due", "passed": "deadline passed", "open": "open",
}  # fmt: skip


@dataclass(frozen=True)
class ShownQuery:
    name: str
    title: str
    text: str  # with the PREFIX lines it needs, ready to run anywhere
    ui: str  # local path of the query UI with this query

    @property
    def anchor(self) -> str:
        return f"query-{self.name}"


@dataclass
class Round(Item):
    number: int | None = None
    status: Term | None = None
    when: When | None = None
    date_wording: str = ""
    city: Term | None = None
    venue: Term | None = None
    format: Term | None = None
    duration: str = ""
    outcomes: list[Item] = field(default_factory=list)
    mediators: list[Term] = field(default_factory=list)
    heads: list[tuple[Term, Term | None]] = field(default_factory=list)  # head, party
    parts: list[Part] = field(default_factory=list)  # sessions and interruptions
    moves: list[Move] = field(default_factory=list)  # negotiating moves made in it

    @property
    def planned(self) -> bool:
        return self.status is not None and self.status.value.endswith("/planned")


@dataclass
class ContextEvent(Item):
    kind: str = "event"  # "event" or "agreement"
    relation: Term | None = None
    when: When | None = None
    date_wording: str = ""
    duration: str = ""
    causes: list[Term] = field(default_factory=list)
    consequences: list[Term] = field(default_factory=list)
    quantities: list[str] = field(default_factory=list)


@dataclass
class Commitment(Item):
    by: list[Term] = field(default_factory=list)
    action: str = ""
    deadline: When | None = None
    wording: str = ""
    anchor: Term | None = None
    status: str = "open"  # a key of STATUS_WORDS
    verified_by: list[Term] = field(default_factory=list)
    guarantors: list[Term] = field(default_factory=list)
    quantities: list[str] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)  # of its fulfilment, oldest first
    report: Report | None = None  # the one its status comes from

    @property
    def status_text(self) -> str:
        return STATUS_WORDS[self.status]


@dataclass
class Quotation(Item):
    speakers: list[Term] = field(default_factory=list)
    words: str = ""
    channel: Term | None = None
    when: When | None = None
    not_before: When | None = None


@dataclass
class Cell:
    position: Item
    stance: Term | None
    wording: str
    number: int = 0  # its note under the matrix
    quantities: list[str] = field(default_factory=list)


@dataclass
class Matrix:
    holders: list[Term]
    issues: list[Term]
    cells: dict[tuple[str, str], list[Cell]]
    divergent: dict[str, bool]  # issue IRI -> core?

    def at(self, holder: Term, issue: Term) -> list[Cell]:
        return self.cells.get((holder.value, issue.value), [])

    @property
    def notes(self) -> list[Cell]:
        return sorted((c for cs in self.cells.values() for c in cs), key=lambda c: c.number)


@dataclass
class Source:
    term: Term
    claims: int
    date: When | None


@dataclass
class Participant:
    agent: Term
    roles: list[Term]
    events: list[Term]
    delegation: Term | None
    party: Term | None
    capacity: Term | None
    ranks: list[Term] = field(default_factory=list)


@dataclass
class Encounter:
    term: Term
    kind: str
    event: Term | None
    agents: list[Term]
    topics: list[Term]


@dataclass
class Dossier:
    process: Item
    as_of: dt.date
    formats: list[Term]
    issues: list[Term]
    parties: list[Term]
    mediators: list[Term]
    rounds: list[Round]
    participants: list[Participant]
    delegations: list[tuple[Term, Term | None, Term | None, Term | None]]  # d, event, party, head
    encounters: list[Encounter]
    matrix: Matrix
    commitments: list[Commitment]
    quotations: list[Quotation]
    context: list[ContextEvent]
    sources: list[Source]
    queries: dict[str, ShownQuery]
    subjects: list[Term] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    bodies: list[Body] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    speeches: list[Speech] = field(default_factory=list)

    @property
    def latest(self) -> Round | None:
        """The last round held (or the last one listed, when none is marked held)."""
        held = [r for r in self.rounds if not r.planned] or self.rounds
        return held[-1] if held else None

    @property
    def next(self) -> Round | None:
        planned = [r for r in self.rounds if r.planned]
        return planned[0] if planned else None


@cache
def _query_text(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def shown_query(name: str, process: str, prefixes: dict[str, str]) -> ShownQuery:
    text = with_prefixes(_query_text(name).replace("$process", f"<{process}>"), prefixes)
    return ShownQuery(name, SECTIONS[name], text, f"/query?{urlencode({'query': text})}")


def run(terms: Terms, query: ShownQuery) -> list[Row]:
    solutions = terms.store.query(query.text, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: row[n] for n in names} for row in solutions]


def is_process(terms: Terms, iri: str) -> bool:
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    process = ox.NamedNode(str(terms.ns.nkg.NegotiationProcess))
    return (
        next(terms.store.quads_for_pattern(ox.NamedNode(iri), rdf_type, process), None) is not None
    )


def dossier(terms: Terms, iri: str, as_of: dt.date) -> Dossier:
    prefixes = terms.ns.prefixes()
    queries = {name: shown_query(name, iri, prefixes) for name in SECTIONS}
    rows = {name: run(terms, query) for name, query in queries.items()}
    look = Lookup(terms)
    look.prefetch({"process": [{"process": ox.NamedNode(iri)}], **rows})
    node = ox.NamedNode(iri)
    nkg = terms.ns.nkg
    process = look.item(iri)
    participants = _participants(look, rows["participants"])
    mediators = unique(p.agent for p in participants if _has_role(p, "mediator"))
    parties = unique(
        [p.agent for p in participants if _has_role(p, "negotiating-party")]
        + [look.term(r["party"]) for r in rows["delegations"] if r["party"] is not None]
    )
    numbers = parts_of.quantities(look, rows["quantities"])
    causes = parts_of.causes(look, rows["causes"])
    moves = parts_of.moves(look, rows["actions"], causes, numbers)
    rounds = _rounds(look, rows, participants)
    for part in parts_of.parts(look, rows["sessions"], causes):
        if part.round in rounds:
            rounds[part.round].parts.append(part)
    for move in moves:
        within = move.within.value if move.within else ""
        target = rounds.get(within) or next(
            (r for r in rounds.values() if any(p.term.value == within for p in r.parts)), None
        )
        if target is not None:
            target.moves.append(move)
    reports = parts_of.reports(look, rows["fulfilment"], numbers)
    return Dossier(
        process=process,
        as_of=as_of,
        formats=look.objects(node, str(nkg["format"])),
        issues=look.objects(node, str(nkg["issue"])),
        parties=parties,
        mediators=mediators,
        rounds=list(rounds.values()),
        participants=participants,
        delegations=[
            (
                look.term(r["delegation"]),
                look.opt(r["event"]),
                look.opt(r["party"]),
                look.opt(r["head"]),
            )
            for r in rows["delegations"]
        ],
        encounters=_encounters(look, rows["encounters"]),
        matrix=_matrix(look, rows["positions"], numbers),
        commitments=_commitments(look, rows["commitments"], as_of, numbers, reports),
        quotations=_quotations(look, rows["quotations"]),
        context=_context(look, rows["context"], causes, numbers),
        sources=[
            Source(
                look.term(r["source"]),
                int(lexical(r["claims"] or ox.Literal("0"))),
                _source_date(look, r["source"]),
            )
            for r in rows["sources"]
        ],
        queries=queries,
        subjects=look.objects(node, str(nkg["subject"])),
        moves=moves,
        bodies=parts_of.bodies(look, rows["bodies"]),
        agreements=parts_of.agreements(look, rows["agreements"]),
        speeches=parts_of.speeches(look, rows["reported"]),
    )


def _has_role(participant: Participant, slug: str) -> bool:
    return any(r.value.endswith(f"/{slug}") for r in participant.roles)


def _participants(look: Lookup, rows: list[Row]) -> list[Participant]:
    found: dict[str, Participant] = {}
    for row in rows:
        key = lexical(row["participation"]) if row["participation"] is not None else ""
        p = found.setdefault(
            key,
            Participant(look.term(row["agent"]), [], [], look.opt(row["delegation"]),
                        look.opt(row["onBehalfOf"]), look.opt(row["capacity"])),
        )  # fmt: skip
        look.collect(row, (("role", p.roles), ("event", p.events), ("rank", p.ranks)))
    return list(found.values())


def _rounds(
    look: Lookup, rows: dict[str, list[Row]], people: list[Participant]
) -> dict[str, Round]:
    rounds: dict[str, Round] = {}
    for row in rows["rounds"]:
        iri = lexical(row["round"]) if row["round"] is not None else ""
        if iri in rounds:
            continue
        item = look.item(iri)
        number = look.text(row["number"])
        rounds[iri] = Round(
            item.term, item.quotes,
            number=int(number) if number.isdigit() else None,
            status=look.opt(row["status"]), when=look.when(row),
            date_wording=look.text(row["dateWording"]),
            city=look.opt(row["city"]), venue=look.opt(row["venue"]),
            format=look.opt(row["format"]),
            duration=look.text(row["durationWording"]) or look.text(row["duration"]),
        )  # fmt: skip
    for row in rows["outcomes"]:
        target = rounds.get(look.text(row["event"]))
        if target is not None and row["outcome"] is not None:
            target.outcomes.append(look.item(lexical(row["outcome"])))
    for p in people:
        for event in p.events:
            target = rounds.get(event.value)
            if target is not None and _has_role(p, "mediator") and p.agent not in target.mediators:
                target.mediators.append(p.agent)
    for row in rows["delegations"]:
        target = rounds.get(look.text(row["event"]))
        if target is not None and row["head"] is not None:
            target.heads.append((look.term(row["head"]), look.opt(row["party"])))
    return rounds


def _encounters(look: Lookup, rows: list[Row]) -> list[Encounter]:
    found: dict[str, Encounter] = {}
    for row in rows:
        iri = look.text(row["encounter"])
        e = found.setdefault(
            iri, Encounter(look.term(row["encounter"]), look.text(row["kind"]),
                           look.opt(row["event"]), [], [])
        )  # fmt: skip
        for name, into in (("agent", e.agents), ("topic", e.topics)):
            value = look.opt(row[name])
            if value is not None and value not in into:
                into.append(value)
    return list(found.values())


def _matrix(look: Lookup, rows: list[Row], numbers: dict[str, list[str]]) -> Matrix:
    holders: dict[Term, None] = {}
    issues: dict[Term, None] = {}
    cells: dict[tuple[str, str], list[Cell]] = {}
    divergent: dict[str, bool] = {}
    seen: set[str] = set()
    for row in rows:
        issue = look.term(row["issue"])
        if row["divergence"] is not None:
            divergent[issue.value] = divergent.get(issue.value, False) or (
                look.text(row["core"]) == "true"
            )
            issues.setdefault(issue)
            continue
        position = look.text(row["position"])
        if not position or position in seen:
            continue
        seen.add(position)
        holder = look.term(row["holder"])
        holders.setdefault(holder)
        issues.setdefault(issue)
        cell = Cell(look.item(position), look.opt(row["stance"]), look.text(row["wording"]),
                    quantities=numbers.get(position, []))  # fmt: skip
        cells.setdefault((holder.value, issue.value), []).append(cell)
    ordered_holders = sorted(holders, key=lambda t: t.text.lower())
    # Issues that someone holds a position on first, then the divergences alone.
    ordered_issues = sorted(
        issues, key=lambda i: (not any(k[1] == i.value for k in cells), i.text.lower())
    )
    number = 0
    for issue in ordered_issues:  # numbered as the matrix is read: issue by issue
        for holder in ordered_holders:
            for cell in cells.get((holder.value, issue.value), []):
                number += 1
                cell.number = number
    return Matrix(ordered_holders, ordered_issues, cells, divergent)


def _commitments(
    look: Lookup,
    rows: list[Row],
    as_of: dt.date,
    numbers: dict[str, list[str]],
    reports: list[Report],
) -> list[Commitment]:
    def make(item: Item, row: Row) -> Commitment:
        iri = item.term.value
        return Commitment(
            item.term, item.quotes, action=look.text(row["action"]),
            deadline=when(look.text(row["deadline"])), wording=look.text(row["wording"]),
            anchor=look.opt(row["anchor"]), quantities=numbers.get(iri, []),
            reports=[r for r in reports if r.commitment == iri],
        )  # fmt: skip

    pairs = look.claims(rows, "commitment", make)
    for c, row in pairs:
        look.collect(row, (("by", c.by), ("verifiedBy", c.verified_by),
                           ("guarantor", c.guarantors)))  # fmt: skip
    found = claims_of(pairs)
    for c in found:
        c.report = parts_of.latest(c.reports, as_of)
        if c.report is not None and c.report.slug in STATUS_WORDS:
            c.status = c.report.slug
        elif c.deadline is not None:
            c.status = "passed" if c.deadline.last < as_of else "due"
    return found


def _quotations(look: Lookup, rows: list[Row]) -> list[Quotation]:
    def make(item: Item, row: Row) -> Quotation:
        return Quotation(
            item.term, item.quotes, words=look.text(row["words"]),
            channel=look.opt(row["channel"]), when=when(look.text(row["date"])),
            not_before=when(look.text(row["notBefore"])),
        )  # fmt: skip

    pairs = look.claims(rows, "statement", make)
    for quotation, row in pairs:
        look.collect(row, (("speaker", quotation.speakers),))
    return sorted(claims_of(pairs), key=lambda q: (q.quote.start if q.quote else 0) or 0)


def _context(
    look: Lookup, rows: list[Row], causes: parts_of.Causes, numbers: dict[str, list[str]]
) -> list[ContextEvent]:
    def make(item: Item, row: Row) -> ContextEvent:
        before, after = causes.of(item.term.value)
        return ContextEvent(
            item.term, item.quotes,
            kind="agreement" if look.text(row["class"]).endswith("#Agreement") else "event",
            relation=look.opt(row["relation"]), when=look.when(row),
            date_wording=look.text(row["dateWording"]),
            duration=look.text(row["durationWording"]) or look.text(row["duration"]),
            causes=before, consequences=after, quantities=numbers.get(item.term.value, []),
        )  # fmt: skip

    return claims_of(look.claims(rows, "event", make))


def _source_date(
    look: Lookup, source: ox.NamedNode | ox.BlankNode | ox.Literal | None
) -> When | None:
    if not isinstance(source, ox.NamedNode):
        return None
    dates = look.objects(source, str(look.terms.ns.nkg.eventsDate))
    return when(dates[0].value) if dates else None
