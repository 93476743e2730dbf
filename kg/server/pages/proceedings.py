"""The parts of a dossier beyond rounds and positions, from the constructs of the open
annotation model (docs/annotations.md): the sessions and interruptions of each round,
the negotiating moves (coded with CAMEO and PLOVER), what led to what, the proposed
bodies, the agreements with their signatories and guarantors, reported speech, the
numbers claims state, and the later reports of whether commitments were kept.

Each builder reads the rows of one query of ``queries/`` (run by
:mod:`~kg.server.pages.dossier`) and merges the rows of one claim
(:meth:`~kg.server.pages.lookup.Lookup.claims`), which a query answers once per
combination of the claim's many values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kg.server.pages.lookup import Item, Lookup, Row, claims_of
from kg.server.pages.terms import Term
from kg.server.pages.when import When, when


@dataclass
class Part(Item):
    """A session of a round, or an interruption of it (a walkout, a suspension)."""

    kind: str = "session"  # or "interruption"
    round: str = ""  # the IRI of the round it is part of
    when: When | None = None
    date_wording: str = ""
    format: Term | None = None
    venue: Term | None = None
    duration: str = ""
    action_type: Term | None = None
    reason: str = ""
    by: list[Term] = field(default_factory=list)
    ended_by: list[Term] = field(default_factory=list)
    causes: list[Term] = field(default_factory=list)  # what led to it


@dataclass
class Move(Item):
    """A negotiating move, with the codes of its kind in CAMEO and PLOVER."""

    action_type: Term | None = None
    cameo: str = ""
    plover: str = ""
    within: Term | None = None  # the negotiation, round or session it was made in
    when: When | None = None
    date_wording: str = ""
    wording: str = ""
    by: list[Term] = field(default_factory=list)
    towards: list[Term] = field(default_factory=list)
    objects: list[Term] = field(default_factory=list)
    led_to: list[Term] = field(default_factory=list)
    quantities: list[str] = field(default_factory=list)


@dataclass
class Body(Item):
    """A body the talks would set up, and how far it is agreed."""

    status: Term | None = None
    within: Term | None = None
    mandate: str = ""
    proposed_by: list[Term] = field(default_factory=list)
    members: list[Term] = field(default_factory=list)
    agreed: list[str] = field(default_factory=list)
    disputed: list[str] = field(default_factory=list)
    disputed_by: list[Term] = field(default_factory=list)


@dataclass
class Signatory:
    agent: Term
    ranks: list[Term] = field(default_factory=list)
    offices: list[Term] = field(default_factory=list)


@dataclass
class Agreement(Item):
    short_name: str = ""
    when: When | None = None
    place: Term | None = None
    produced_by: Term | None = None
    signatories: list[Signatory] = field(default_factory=list)
    guarantors: list[Term] = field(default_factory=list)


@dataclass
class Report(Item):
    """A source's report that a commitment was met, partly met, broken or under way."""

    commitment: str = ""  # the IRI of the commitment
    status: Term | None = None
    when: When | None = None
    date_wording: str = ""
    wording: str = ""
    quantities: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """``met``, ``partly-met``, ``broken``, ``under-way``: the status's last segment."""
        return self.status.value.rpartition("/")[2] if self.status else ""


@dataclass
class Speech(Item):
    """Reported speech: what a speaker said, in the source's words."""

    content: str = ""
    channel: Term | None = None
    when: When | None = None
    not_before: When | None = None
    speakers: list[Term] = field(default_factory=list)
    reported: list[Term] = field(default_factory=list)


@dataclass
class Causes:
    """What led to what: each event's causes and consequences, by IRI."""

    led_to: dict[str, list[Term]] = field(default_factory=dict)
    resulted_from: dict[str, list[Term]] = field(default_factory=dict)

    def of(self, iri: str) -> tuple[list[Term], list[Term]]:
        """The causes and the consequences of ``iri``."""
        return self.resulted_from.get(iri, []), self.led_to.get(iri, [])


def parts(look: Lookup, rows: list[Row], causes: Causes) -> list[Part]:
    def make(item: Item, row: Row) -> Part:
        return Part(
            item.term, item.quotes,
            kind="interruption" if look.text(row["class"]).endswith("#Interruption")
            else "session",
            round=look.text(row["round"]), when=look.when(row),
            date_wording=look.text(row["dateWording"]), format=look.opt(row["format"]),
            venue=look.opt(row["venue"]),
            duration=look.text(row["durationWording"]) or look.text(row["duration"]),
            action_type=look.opt(row["actionType"]), reason=look.text(row["reason"]),
            causes=causes.of(item.term.value)[0],
        )  # fmt: skip

    pairs = look.claims(rows, "part", make)
    for part, row in pairs:
        look.collect(row, (("by", part.by), ("endedBy", part.ended_by)))
    found = claims_of(pairs)
    return sorted(found, key=lambda p: (p.round, p.when or _NEVER, p.term.text))


_NEVER = When(dt.date.max, dt.date.max, "day", "")


def moves(
    look: Lookup, rows: list[Row], causes: Causes, numbers: dict[str, list[str]]
) -> list[Move]:
    def make(item: Item, row: Row) -> Move:
        iri = item.term.value
        return Move(
            item.term, item.quotes, action_type=look.opt(row["actionType"]),
            cameo=look.text(row["cameo"]), plover=look.text(row["plover"]),
            within=look.opt(row["in"]), when=when(look.text(row["date"])),
            date_wording=look.text(row["dateWording"]), wording=look.text(row["wording"]),
            led_to=causes.of(iri)[1], quantities=numbers.get(iri, []),
        )  # fmt: skip

    pairs = look.claims(rows, "action", make)
    for move, row in pairs:
        look.collect(row, (("by", move.by), ("towards", move.towards), ("object", move.objects)))
    return sorted(claims_of(pairs), key=lambda m: (m.when or _NEVER, m.term.text))


def causes(look: Lookup, rows: list[Row]) -> Causes:
    found = Causes()
    for row in rows:
        cause, consequence = look.term(row["cause"]), look.term(row["consequence"])
        found.led_to.setdefault(cause.value, []).append(consequence)
        found.resulted_from.setdefault(consequence.value, []).append(cause)
    return found


def bodies(look: Lookup, rows: list[Row]) -> list[Body]:
    def make(item: Item, row: Row) -> Body:
        return Body(item.term, item.quotes, status=look.opt(row["status"]),
                    within=look.opt(row["in"]), mandate=look.text(row["mandate"]))  # fmt: skip

    pairs = look.claims(rows, "body", make)
    for body, row in pairs:
        look.collect(row, (("proposedBy", body.proposed_by), ("member", body.members),
                           ("disputedBy", body.disputed_by)))  # fmt: skip
        for name, into in (("agreed", body.agreed), ("disputed", body.disputed)):
            text = look.text(row[name])
            if text and text not in into:
                into.append(text)
    return claims_of(pairs)


def agreements(look: Lookup, rows: list[Row]) -> list[Agreement]:
    def make(item: Item, row: Row) -> Agreement:
        return Agreement(
            item.term, item.quotes, short_name=look.text(row["shortName"]),
            when=when(look.text(row["date"])), place=look.opt(row["place"]),
            produced_by=look.opt(row["producedBy"]),
        )  # fmt: skip

    pairs = look.claims(rows, "agreement", make)
    for agreement, row in pairs:
        look.collect(row, (("guarantor", agreement.guarantors),))
        if (agent := look.opt(row["signatory"])) is not None:
            signatory = next((s for s in agreement.signatories if s.agent == agent), None)
            if signatory is None:
                signatory = Signatory(agent)
                agreement.signatories.append(signatory)
            look.collect(row, (("rank", signatory.ranks), ("office", signatory.offices)))
    return claims_of(pairs)


def reports(look: Lookup, rows: list[Row], numbers: dict[str, list[str]]) -> list[Report]:
    def make(item: Item, row: Row) -> Report:
        return Report(
            item.term, item.quotes, commitment=look.text(row["commitment"]),
            status=look.opt(row["status"]), when=when(look.text(row["date"])),
            date_wording=look.text(row["dateWording"]), wording=look.text(row["wording"]),
            quantities=numbers.get(item.term.value, []),
        )  # fmt: skip

    found = claims_of(look.claims(rows, "report", make))
    return sorted(found, key=lambda r: (r.commitment, r.when or _NEVER))


def latest(found: list[Report], as_of: dt.date) -> Report | None:
    """The last report known on ``as_of`` (the release's date): a report dated later does
    not count yet, so a page says the same for the life of its release."""
    known = [r for r in found if r.when is None or r.when.first <= as_of]
    return max(known, key=lambda r: (r.when or When(dt.date.min, dt.date.min, "day", "")).last,
               default=None)  # fmt: skip


def speeches(look: Lookup, rows: list[Row]) -> list[Speech]:
    def make(item: Item, row: Row) -> Speech:
        return Speech(
            item.term, item.quotes, content=look.text(row["content"]),
            channel=look.opt(row["channel"]), when=when(look.text(row["date"])),
            not_before=when(look.text(row["notBefore"])),
        )  # fmt: skip

    pairs = look.claims(rows, "speech", make)
    for speech, row in pairs:
        look.collect(row, (("speaker", speech.speakers), ("reported", speech.reported)))
    return claims_of(pairs)


def quantities(look: Lookup, rows: list[Row]) -> dict[str, list[str]]:
    """The numbers each claim states, as the source gives them, by the claim's IRI."""
    found: dict[str, list[str]] = {}
    for row in rows:
        texts = found.setdefault(look.text(row["claim"]), [])
        if (text := look.text(row["text"])) and text not in texts:
            texts.append(text)
    return found
