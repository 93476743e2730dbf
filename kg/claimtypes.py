"""The annotation vocabulary: which claim types an annotation file may state, their
fields, the concept schemes their values come from, the keys of a concept declaration,
and the ontology terms each becomes.

This table is the single place that ties the YAML a person edits to the RDF the
compiler writes. ``ontology/`` declares every class and property named here (a test
checks it), and ``shapes/`` constrains them independently. docs/annotations.md is
generated from it (kg/reference.py).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

# The table of concept schemes lives with the IRIs they mint; re-exported for readers of
# the annotation vocabulary.
from kg.namespaces import CONCEPT_SCHEMES as CONCEPT_SCHEMES
from kg.namespaces import ConceptScheme as ConceptScheme


class ValueKind(Enum):
    TEXT = "text"  # a literal in the document's language
    REF = "reference"  # the id of a registry entity or of another claim
    CONCEPT = "concept"  # a concept of a SKOS scheme, by slug or label
    DATE = "date"  # YYYY, YYYY-MM or YYYY-MM-DD: the precision the source gives
    WHEN = "date (EDTF)"  # a date as above, or a season, an approximate date, an interval
    DURATION = "duration"  # ISO 8601, such as PT3H30M or P8M
    INTEGER = "integer"  # a positive whole number
    DEADLINE = "deadline"  # {within: P14D, from: <claim id>, wording: "..."} or {by: ...}
    BOOLEAN = "boolean"  # yes or no
    QUANTITY = "quantity"  # {value: 40, unit: <unit concept>, of: <what>}


# How to write each kind of value: (what to write, examples). docs/annotations.md's table
# of values is generated from it, and ``kg draft`` describes fields to a model with it.
VALUE_SYNTAX: dict[ValueKind, tuple[str, str]] = {
    ValueKind.TEXT: ("text, in the document's language", "`focus: technical aspects`"),
    ValueKind.REF: ("the id of a registry entity or of a claim, of a kind the field names",
                    "`city: geneva`"),
    ValueKind.CONCEPT: ("a concept's slug, label or alias (see Concepts)",
                        "`roles: [head of delegation]`"),
    ValueKind.DATE: ("YYYY, YYYY-MM or YYYY-MM-DD: the precision the source gives",
                     "`not before: 2026-02-17`"),
    ValueKind.WHEN: ("a date as above; or in EDTF a season (YYYY-21 spring, -22 summer, -23 "
                     "autumn, -24 winter), `~` after it for 'about', `?` for 'perhaps', an "
                     "interval FIRST/LAST (`..` for an open end)",
                     "`2026-02-17`, `2025-22` (the summer of 2025), `2025-06~`, "
                     "`2026-01-12/2026-01-13` (a round's first and last day)"),
    ValueKind.DURATION: ("ISO 8601", "`PT3H30M`, `P8M`, `P14D`"),
    ValueKind.INTEGER: ("a whole number from 1", "`number: 2`"),
    ValueKind.DEADLINE: ("`within` a duration `from` a claim with a full date (the last day "
                         "of an interval), or `by` a date, whose last day it is; with the "
                         "source's `wording`",
                         "`{within: P14D, from: geneva-round, wording: within the next two "
                         "weeks}`, `{within: PT72H, from: memorandum, wording: within 72 "
                         "hours}`, `{by: 2026-03, wording: by the end of March}`"),
    ValueKind.BOOLEAN: ("`yes` or `no`", "`core: yes`"),
    ValueKind.QUANTITY: ("a block: `value` (or `at least`, `at most`) in digits, `unit` (a "
                         "concept of the unit scheme; none for a count), `of` (what it "
                         "measures or counts), `approximate: yes` for 'about', `wording`; "
                         "several as a list",
                         "`{value: 40, unit: cubic metres per second, of: minimum flow at "
                         "the border}`, `{value: 120, approximate: yes, of: detainees}`"),
}  # fmt: skip


@dataclass(frozen=True)
class Field:
    """One key of a claim in an annotation file."""

    key: str  # as written in YAML
    predicate: str  # a CURIE ("rdfs:label"), or a local name in the ontology namespace
    kind: ValueKind
    help: str
    required: bool = False
    many: bool = False
    targets: tuple[str, ...] = ()  # REF: kinds of resource it may name
    scheme: str = ""  # CONCEPT: the concept scheme
    inverse: str = ""  # also emit the inverse property, object to subject


@dataclass(frozen=True)
class ClaimType:
    """A type of claim: its ontology class, the path segment of its IRIs, its fields."""

    name: str  # as written after ``type:`` in YAML
    rdf_class: str  # local name in the ontology namespace
    kind: str  # IRI path segment: {base}id/{kind}/{id}
    help: str
    fields: tuple[Field, ...]
    label_template: str = ""  # used when the claim has no label; {key} is a field's label
    quotation: bool = False  # evidence is the source of a direct quotation

    def field(self, key: str) -> Field | None:
        return self._by_key.get(key)

    @cached_property
    def _by_key(self) -> dict[str, Field]:
        return {f.key: f for f in self.fields}

    @cached_property
    def label_references(self) -> tuple[Field, ...]:
        """The fields naming other records that the label template reads."""
        return tuple(f for f in self.fields if f.key in self.label_keys and f.kind is ValueKind.REF)

    @cached_property
    def label_keys(self) -> frozenset[str]:
        """The keys the label template reads (``{by|The source}`` reads ``by``)."""
        names = (f for _, f, _, _ in string.Formatter().parse(self.label_template) if f)
        return frozenset(name.partition("|")[0] for name in names)


def _f(key: str, predicate: str, kind: ValueKind, help: str, **kw: object) -> Field:
    return Field(key, predicate, kind, help, **kw)  # type: ignore[arg-type]


T, R, C, D = ValueKind.TEXT, ValueKind.REF, ValueKind.CONCEPT, ValueKind.DATE

# Kinds of resource a reference may name (the IRI segments of claim types and entities).
AGENTS = ("person", "state", "organisation", "group", "anonymous", "delegation")
EVENTS = (
    "process", "round", "session", "meeting", "exchange", "event", "interruption", "action",
)  # fmt: skip
PLACES = ("city", "place", "state")
# What a statement is about, or what causes what: events and the results of talks.
SUBJECTS = (*EVENTS, "outcome", "agreement", "body", "commitment", "position")
CAUSES = EVENTS
# What an assessment characterises or compares: subjects, or an agent's stance.
ASSESSABLE = (*SUBJECTS, *AGENTS)
# Who may verify or guarantee: agents, and bodies the talks set up.
GUARANTORS = (*AGENTS, "body")

LABEL = _f("label", "rdfs:label", T, "a human-readable name for the node")
DATE = _f("date", "date", ValueKind.WHEN, "when, at the precision the source gives; an"
          " interval for an event over several days")  # fmt: skip
NOT_BEFORE = _f("not before", "notBefore", D, "the earliest date, when the source gives none")
HOLDER = _f("holder", "holder", R, "who holds it", required=True, targets=("person", "anonymous"))
CHANNEL = _f("channel", "channel", C, "how it was said", scheme="channel")
PLATFORM = _f("platform", "platform", R, "where it was posted", targets=("website",))
QUANTITIES = _f("quantities", "quantity", ValueKind.QUANTITY, "numbers it states: a flow, a"
                " share, people to release or send, casualties", many=True)  # fmt: skip
LED_TO = _f("led to", "ledTo", R, "events it caused", many=True, targets=CAUSES,
            inverse="resultedFrom")  # fmt: skip
DATE_WORDING = _f("date wording", "dateWording", T, "the date as the source words it")
DURATION = _f("duration", "duration", ValueKind.DURATION, "how long, ISO 8601 (PT3H30M)")
DURATION_WORDING = _f("duration wording", "durationWording", T, "the duration as worded")

ACCORDING_TO = _f(
    "according to",
    "accordingTo",
    R,
    "who the source says it has this from (a spokesman, state media, an anonymous official)",
    many=True,
    targets=AGENTS,
)


def _claim(
    name: str,
    rdf_class: str,
    kind: str,
    help: str,
    fields: tuple[Field, ...],
    label_template: str = "",
    quotation: bool = False,
) -> ClaimType:
    """A claim type; every claim may also say whom the source attributes it to."""
    return ClaimType(
        name, rdf_class, kind, help, (*fields, ACCORDING_TO), label_template, quotation
    )


CLAIM_TYPES: tuple[ClaimType, ...] = (
    _claim(
        "negotiation", "NegotiationProcess", "process",
        "A negotiation process: a series of rounds between parties on a set of issues.",
        (
            LABEL,
            _f("format", "format", C, "direct or indirect talks", scheme="format"),
            _f("issues", "issue", C, "issues negotiated", scheme="issue", many=True),
            _f("subject", "subject", R, "what it is about beyond its issues: a river basin, "
               "a region, a disputed place, an agreement", many=True,
               targets=(*PLACES, "agreement")),
        ),
    ),
    _claim(
        "round", "NegotiationRound", "round",
        "One round of a negotiation process, held or planned; over several days, its date"
        " is an interval from its first to its last day.",
        (
            LABEL,
            _f("part of", "partOf", R, "the negotiation process", required=True,
               targets=("process",)),
            _f("number", "roundNumber", ValueKind.INTEGER, "its ordinal number"),
            _f("status", "status", C, "held or planned", required=True, scheme="status"),
            DATE, DATE_WORDING,
            _f("city", "city", R, "the city it was held in", targets=("city",)),
            _f("venue", "venue", R, "the building it was held in", targets=("place",)),
            _f("format", "format", C, "direct or indirect talks", scheme="format"),
            DURATION, DURATION_WORDING,
            _f("follows", "follows", R, "the round before it", targets=("round",),
               inverse="followedBy"),
            _f("focus", "focus", T, "what the round focused on"),
        ),
    ),
    _claim(
        "session", "Session", "session",
        "A session or stretch of a round, such as one of its days, or the part held in one"
        " format before it changed (shuttle mediation, then face to face).",
        (
            LABEL,
            _f("part of", "partOf", R, "the round", required=True, targets=("round",)),
            DATE, DATE_WORDING,
            _f("format", "format", C, "how the parties negotiated in it", scheme="format"),
            _f("venue", "venue", R, "the building it was held in", targets=("place",)),
            DURATION, DURATION_WORDING,
            _f("follows", "follows", R, "the session before it", targets=("session",),
               inverse="followedBy"),
        ),
    ),
    _claim(
        "meeting", "Meeting", "meeting",
        "A side meeting held during a round, such as a consultation with one party.",
        (
            LABEL,
            _f("part of", "partOf", R, "the round", required=True,
               targets=("round", "session")),
            _f("participants", "participant", R, "who met", required=True, many=True,
               targets=AGENTS),
            _f("topics", "topic", C, "issues discussed", scheme="issue", many=True),
            DATE,
        ),
    ),
    _claim(
        "delegation", "Delegation", "delegation",
        "The team a party sent to a round.",
        (
            LABEL,
            _f("of", "delegationOf", R, "the party it represents", required=True,
               targets=("state", "organisation")),
            _f("at", "atEvent", R, "the round", required=True, targets=("round", "process")),
            _f("head", "headedBy", R, "who led it", targets=("person",)),
        ),
    ),
    _claim(
        "participation", "Participation", "participation",
        "An agent's part in a negotiation event, in one or more roles.",
        (
            LABEL,
            _f("agent", "agent", R, "who took part", required=True, targets=AGENTS),
            _f("event", "event", R, "in what", required=True, targets=EVENTS),
            _f("roles", "role", C, "in which roles", required=True, many=True,
               scheme="role"),
            _f("delegation", "delegation", R, "as a member of which delegation",
               targets=("delegation",)),
            _f("on behalf of", "onBehalfOf", R, "for which party",
               targets=("state", "organisation")),
            _f("capacity", "capacity", R, "in which office", targets=("office",)),
            _f("advises", "advises", R, "whom the agent advises", targets=("person",)),
            _f("expertise", "expertise", T, "fields of expertise", many=True),
        ),
        label_template="{agent} ({roles}) in {event}",
    ),
    _claim(
        "office holding", "OfficeHolding", "office-holding",
        "An agent holds an office, as the source states it at the time it reports.",
        (
            LABEL,
            HOLDER,
            _f("office", "office", R, "the office", required=True, targets=("office",)),
        ),
        label_template="{holder}, {office}",
    ),
    _claim(
        "rank", "RankHolding", "rank-holding",
        "A person's military, police or diplomatic rank, as the source states it at the"
        " time it reports (\"Colonel Amir Haddad\").",
        (
            LABEL,
            HOLDER,
            _f("rank", "rank", C, "the rank", required=True, scheme="rank"),
            _f("service", "service", R, "the armed force, police or service the rank is in",
               targets=("organisation", "state")),
        ),
        label_template="{holder}, {rank}",
    ),
    _claim(
        "statement", "Statement", "statement",
        "A direct quotation: the exact words a speaker, or several speaking as one, said"
        " or wrote.",
        (
            LABEL,
            _f("speaker", "speaker", R, "who said it; several for words they share (\"what"
               " both delegations called ...\")", required=True, many=True, targets=AGENTS),
            _f("words", "words", T, "the exact words; they must occur in the evidence",
               required=True),
            CHANNEL, PLATFORM, DATE, NOT_BEFORE,
            _f("about", "about", R, "what it is about: an event, an outcome, an agreement, a"
               " proposed body, a commitment or a position", targets=SUBJECTS),
        ),
        label_template="{speaker}: {words}",
        quotation=True,
    ),
    _claim(
        "reported speech", "ReportedSpeech", "reported-speech",
        "Reported speech: what a speaker said, in the source's words rather than theirs,"
        " possibly about what others said or asked (\"the mediator said the parties had"
        " asked for more time\").",
        (
            LABEL,
            _f("speaker", "speaker", R, "who said it", required=True, many=True,
               targets=AGENTS),
            _f("content", "content", T, "what was said, as the source reports it",
               required=True),
            _f("reported speakers", "reportedSpeaker", R, "whose words or requests the"
               " speaker reports, if any", many=True, targets=AGENTS),
            CHANNEL, PLATFORM, DATE, NOT_BEFORE,
            _f("about", "about", R, "what it is about", targets=SUBJECTS),
        ),
        label_template="{speaker} (reported): {content}",
    ),
    _claim(
        "assessment", "Assessment", "assessment",
        "How an agent, or the source itself, characterised something: an event's"
        " atmosphere or progress, an outcome, an agreement, or one party's stance compared"
        " with another's.",
        (
            LABEL,
            _f("by", "assessedBy", R, "who assessed; leave it out when the source itself"
               " does", many=True, targets=AGENTS),
            _f("of", "assessmentOf", R, "what was assessed: an event, an outcome, an"
               " agreement, a proposed body, a commitment, a position, or an agent's stance",
               required=True, targets=ASSESSABLE),
            _f("characterisation", "characterisation", T, "the words of the assessment",
               required=True, many=True),
            _f("compared with", "comparedWith", R, "what it is compared with (\"more guarded"
               " than ...\")", targets=ASSESSABLE),
            _f("expressed in", "expressedIn", R, "the statement that expresses it",
               many=True, targets=("statement",)),
        ),
        label_template="{by|The source} on {of}: {characterisation}",
    ),
    _claim(
        "outcome", "Outcome", "outcome",
        "A result of a round: an agreement in principle, a decision on next steps.",
        (
            LABEL,
            _f("of", "outcomeOf", R, "the round (or session, or process)", required=True,
               targets=("round", "session", "process")),
            _f("description", "dcterms:description", T, "what was agreed or decided"),
            _f("parties", "involves", R, "who it binds or involves", many=True,
               targets=AGENTS),
            DATE, QUANTITIES,
        ),
    ),
    _claim(
        "commitment", "Commitment", "commitment",
        "An undertaking by an agent to do something, possibly by a deadline, possibly"
        " verified or guaranteed by others.",
        (
            LABEL,
            _f("by", "committedBy", R, "who undertook it", required=True, many=True,
               targets=AGENTS),
            _f("action", "action", T, "what they undertook to do", required=True),
            _f("of", "arisingFrom", R, "the round, outcome or agreement it comes from",
               targets=("round", "outcome", "agreement")),
            _f("deadline", "deadline", ValueKind.DEADLINE, "by when"),
            QUANTITIES,
            _f("verified by", "verifiedBy", R, "who is to check it is kept", many=True,
               targets=GUARANTORS),
            _f("guaranteed by", "guarantor", R, "who guarantees it", many=True,
               targets=GUARANTORS),
        ),
    ),
    _claim(
        "fulfilment", "FulfilmentReport", "fulfilment",
        "What a source reports of a commitment after it was made: kept, partly kept or"
        " broken, as of a date. A later article reports it, naming the commitment by id.",
        (
            LABEL,
            _f("of", "fulfilmentOf", R, "the commitment", required=True,
               targets=("commitment",)),
            _f("status", "fulfilmentStatus", C, "met, partly met, broken or under way",
               required=True, scheme="fulfilment"),
            _f("date", "date", ValueKind.WHEN, "as of when: the day it was met or broken,"
               " or the day of the report"),
            DATE_WORDING,
            _f("wording", "wording", T, "the report as the source words it"),
            _f("quantities", "quantity", ValueKind.QUANTITY, "how much was done: detainees"
               " released, observers sent", many=True),
        ),
        label_template="{of}: {status}",
    ),
    _claim(
        "position", "Position", "position",
        "A party's stance on an issue: it demands, proposes, accepts, rejects, excludes"
        " or insists on something, possibly a number (a flow, a share, a count).",
        (
            LABEL,
            _f("holder", "holder", R, "whose position", required=True, targets=AGENTS),
            _f("issue", "issue", C, "on what issue", required=True, scheme="issue"),
            _f("stance", "stance", C, "the stance", required=True, scheme="stance"),
            _f("in", "positionIn", R, "in which negotiation", targets=("process", "round")),
            _f("wording", "wording", T, "the position as the source words it"),
            QUANTITIES,
        ),
        label_template="{holder} {stance} {issue}",
    ),
    _claim(
        "divergence", "Divergence", "divergence",
        "An open issue on which the parties' positions still diverge.",
        (
            LABEL,
            _f("issue", "issue", C, "the issue", required=True, scheme="issue"),
            _f("between", "between", R, "the parties", many=True, targets=AGENTS),
            _f("noted by", "notedBy", R, "who named it", targets=AGENTS),
            _f("in", "divergenceIn", R, "in which negotiation", required=True,
               targets=("process", "round")),
            _f("core", "core", ValueKind.BOOLEAN, "yes when the source calls it a core divergence"),
        ),
        label_template="Divergence on {issue}",
    ),
    _claim(
        "note exchange", "NoteExchange", "exchange",
        "An exchange of notes or texts between delegations on some topics.",
        (
            LABEL,
            _f("part of", "partOf", R, "the round", required=True,
               targets=("round", "session")),
            _f("between", "between", R, "who exchanged", many=True, targets=AGENTS),
            _f("topics", "topic", C, "topics of the notes", required=True, many=True,
               scheme="issue"),
        ),
        label_template="Exchange of notes in {part of}",
    ),
    _claim(
        "proposed body", "ProposedBody", "body",
        "A body the talks would set up (a joint commission, a monitoring mission), with"
        " how far it is agreed and which of its features are agreed or disputed.",
        (
            LABEL,
            _f("status", "proposalStatus", C, "how far it is agreed", required=True,
               scheme="proposal"),
            _f("in", "proposedIn", R, "the negotiation or round that discusses it",
               targets=("process", "round", "session")),
            _f("proposed by", "proposedBy", R, "who proposed it", many=True, targets=AGENTS),
            _f("members", "org:hasMember", R, "who would sit on it", many=True,
               targets=AGENTS),
            _f("mandate", "mandate", T, "what it would do"),
            _f("agreed", "agreedFeature", T, "features the parties agree on", many=True),
            _f("disputed", "disputedFeature", T, "features in dispute (\"whether its reports"
               " would be binding\")", many=True),
            _f("disputed by", "disputedBy", R, "who disputes them", many=True, targets=AGENTS),
        ),
    ),
    _claim(
        "action", "Action", "action",
        "A negotiating move the source reports, of a kind the event codebooks know (CAMEO,"
        " PLOVER): an agent expresses intent to negotiate, accepts or rejects mediation,"
        " signs, declares a ceasefire, releases detainees, halts the talks.",
        (
            LABEL,
            _f("by", "actor", R, "who acted", required=True, many=True, targets=AGENTS),
            _f("action", "actionType", C, "what kind of move", required=True,
               scheme="action-type"),
            _f("towards", "target", R, "at whom it was aimed", many=True, targets=AGENTS),
            _f("in", "partOf", R, "the negotiation, round or session it happened in",
               targets=("process", "round", "session")),
            _f("object", "actionObject", R, "what it acted on: the proposal, agreement,"
               " body or commitment accepted, signed or rejected", many=True,
               targets=("agreement", "body", "outcome", "commitment", "position")),
            DATE, DATE_WORDING,
            _f("wording", "wording", T, "the move as the source words it"),
            QUANTITIES, LED_TO,
        ),
        label_template="{by}: {action}",
    ),
    _claim(
        "interruption", "Interruption", "interruption",
        "A break inside a round or session: a walkout, a suspension, an adjournment; who"
        " caused it, why, and what ended it.",
        (
            LABEL,
            _f("part of", "partOf", R, "the round or session it interrupted", required=True,
               targets=("round", "session", "process")),
            _f("action", "actionType", C, "what kind of break (walk out, suspend talks)",
               scheme="action-type"),
            _f("by", "actor", R, "who broke off", many=True, targets=AGENTS),
            DATE, DATE_WORDING, DURATION, DURATION_WORDING,
            _f("reason", "reason", T, "why, in the source's words"),
            _f("caused by", "resultedFrom", R, "the events that caused it", many=True,
               targets=CAUSES, inverse="ledTo"),
            _f("ended by", "endedBy", R, "what ended it: a meeting, a call, a statement, an"
               " action", many=True, targets=(*EVENTS, "statement", "reported-speech")),
            LED_TO,
        ),
    ),
    _claim(
        "context event", "ContextEvent", "event",
        "An event outside the talks that the source relates to them.",
        (
            LABEL,
            DATE, DATE_WORDING, DURATION, DURATION_WORDING,
            _f("location", "location", R, "where", targets=PLACES),
            _f("actor", "actor", R, "who acted", many=True, targets=AGENTS),
            _f("concerns", "concerns", R, "what it concerns", many=True,
               targets=("agreement", "process", "event", "place")),
            _f("follows", "follows", R, "the event it came after", targets=EVENTS,
               inverse="followedBy"),
            _f("part of", "partOf", R, "a larger event", targets=("event",)),
            _f("context for", "contextFor", R, "the negotiation it is context for",
               required=True, targets=("process",)),
            _f("relation", "contextRelation", C, "how it relates to the talks",
               required=True, scheme="relation"),
            LED_TO, QUANTITIES,
        ),
    ),
    _claim(
        "agreement", "Agreement", "agreement",
        "An agreement the source refers to: an existing treaty, or one the talks produced,"
        " with its signatories, guarantors and the outcome that produced it.",
        (
            LABEL,
            _f("short name", "skos:altLabel", T, "an abbreviation such as JCPOA"),
            DATE,
            _f("signatories", "signatory", R, "who signed it", many=True, targets=AGENTS),
            _f("signed at", "location", R, "where it was signed", targets=PLACES),
            _f("produced by", "producedBy", R, "the outcome, round or negotiation that"
               " produced it", targets=("outcome", "round", "session", "process")),
            _f("guaranteed by", "guarantor", R, "who guarantees it", many=True,
               targets=GUARANTORS),
        ),
    ),
)  # fmt: skip

CLAIM_TYPES_BY_NAME: dict[str, ClaimType] = {t.name: t for t in CLAIM_TYPES}

# How a claim was made (PROV-O). A claim written by ``kg draft`` carries ``draft: RUN``,
# the id of an extraction run listed under ``extraction runs:`` in the same file, until
# a person reviews it; ``kg build`` refuses a file with unreviewed drafts. Review turns
# it into ``drafted in: RUN`` and ``approved by: NAME`` (prov:wasGeneratedBy the run,
# prov:wasAttributedTo the approver). Hand-written claims carry none of these.
DRAFT = "draft"
DRAFTED_IN = "drafted in"
APPROVED_BY = "approved by"
PROVENANCE_KEYS = (DRAFT, DRAFTED_IN, APPROVED_BY)

# Fields every claim may carry besides its type's own.
COMMON_KEYS = ("id", "type", "evidence", "note", *PROVENANCE_KEYS)

# The keys of one extraction run (``extraction runs:`` at the top of an annotation file),
# each with its meaning; ``id``, ``extractor`` and ``date`` are required.
EXTRACTION_RUNS = "extraction runs"
RUN_KEYS: dict[str, str] = {
    "id": "the run's id, named by the claims it drafted",
    "extractor": "rules, or model (an OpenAI-compatible chat-completions endpoint)",
    "model": "the model's name, as the endpoint reported it (model runs only)",
    "prompt hash": "sha256 of the prompt and schema sent (model runs only)",
    "date": "when it ran, as an ISO 8601 UTC date-time (2026-11-27T10:15:00Z)",
}
RUN_REQUIRED = ("id", "extractor", "date")


@dataclass(frozen=True)
class EntityKind:
    """A kind of registry entity: people, states, organisations, offices, places."""

    name: str
    classes: tuple[str, ...]  # CURIEs: "nkg:State", "schema:Person"
    help: str
    fields: tuple[Field, ...] = field(default_factory=tuple)


ENTITY_KINDS: tuple[EntityKind, ...] = (
    EntityKind("person", ("schema:Person",), "a named person"),
    EntityKind("state", ("nkg:State",), "a sovereign state"),
    EntityKind("organisation", ("org:Organization",), "an organisation or government body",
               (_f("part of", "org:subOrganizationOf", R, "the body it belongs to",
                   targets=("organisation", "state")),)),
    EntityKind("office", ("org:Post",), "an office or post, such as a foreign minister",
               (_f("office in", "org:postIn", R, "the state or body the office belongs to",
                   required=True, targets=("organisation", "state")),)),
    EntityKind("city", ("schema:City",), "a city",
               (_f("country", "country", R, "its country", targets=("state",)),)),
    EntityKind("place", ("schema:Place",), "a place: a building, a strait, a region",
               (_f("located in", "locatedIn", R, "where it is", targets=("city", "place",
                                                                            "state")),)),
    EntityKind("website", ("schema:WebSite",), "a website or social network, such as X"),
    EntityKind("group", ("foaf:Group",), "an unnamed group: analysts, experts, state media",
               (_f("affiliation", "affiliation", R, "whose side it is on",
                   targets=("state", "organisation")),)),
    EntityKind("anonymous", ("nkg:AnonymousAgent",),
               "an unnamed person, such as an official speaking on condition of anonymity",
               (_f("affiliation", "affiliation", R, "whose side it is on",
                   targets=("state", "organisation")),)),
)  # fmt: skip

ENTITY_KINDS_BY_NAME: dict[str, EntityKind] = {k.name: k for k in ENTITY_KINDS}
ENTITY_COMMON_KEYS = ("id", "kind", "label", "aliases", "wikidata", "note")


CONCEPT_SCHEMES_BY_NAME: dict[str, ConceptScheme] = {s.name: s for s in CONCEPT_SCHEMES}

# The keys of a concept declaration (under 'concepts:' in seeds/concepts.yaml or in an
# annotation file): key, RDF, meaning. 'id', 'scheme', 'label' and 'definition' are
# required; 'evidence' only in an annotation file.
CONCEPT_KEYS: tuple[tuple[str, str, str], ...] = (
    ("id", "the IRI's last segment", "its slug: {base}concept/{scheme}/{id}; never rename it"),
    ("scheme", "skos:inScheme", "the scheme it belongs to (see the table of schemes)"),
    ("label", "skos:prefLabel", "its name, as annotators will write it"),
    ("aliases", "skos:altLabel", "other names annotators may write instead"),
    ("definition", "skos:definition", "what it means, in a sentence of your own"),
    ("broader", "skos:broader", "a concept of the same scheme it narrows, by slug or label"),
    ("exact match", "skos:exactMatch", "IRIs of the same concept in other thesauri"),
    ("close match", "skos:closeMatch", "IRIs of a near-equivalent concept in other thesauri"),
    ("wikidata", "skos:exactMatch wd:Q…", "a Wikidata item listed in wikidata-verified.tsv"),
    ("note", "skos:editorialNote", "a free comment"),
    ("evidence", "prov:wasDerivedFrom", "quotes where the document introduces it (optional)"),
    (
        "draft",
        "none: kg build refuses it",
        "the extraction run that proposed it, until a person "
        "has reviewed it (kg review removes it); in an annotation file only",
    ),
)
CONCEPT_REQUIRED_KEYS = ("id", "scheme", "label", "definition")

# Registry additions ``kg draft`` proposes, listed in the annotation file until a person
# accepts them into registry.yaml (``kg review`` does) or deletes them; each carries
# ``draft: RUN`` like a drafted claim, and ``kg build`` refuses them the same way.
PROPOSED_ENTITIES = "proposed entities"
