"""Values that become more than one triple: dates beyond a plain day, month or year,
deadlines, and quantities.

* A date in EDTF (kg/when.py) keeps its text (``nkg:edtf``) and becomes an OWL-Time
  proper interval (W3C Time Ontology in OWL, 2017): the claim's ``time:hasBeginning``
  and ``time:hasEnd`` are ``time:Instant`` nodes, hash IRIs of the claim
  (``{claim}#start``, ``{claim}#end``), each at the precision of its bound
  (``time:inXSDDate``, ``time:inXSDgYearMonth``, ``time:inXSDgYear``); ``nkg:date`` is
  the narrowest plain date holding it all, when there is one and the date is not
  qualified.
* A deadline is resolved to the day it falls on (``nkg:deadline``): ``within`` an ISO
  8601 duration of a dated claim (XML Schema 1.1 Part 2, E.3.3), or ``by`` a date,
  whose last day it is ("by the end of March"); the source's words are kept.
* A quantity is a ``schema:QuantitativeValue`` ({claim}#quantity-N): its value or
  bounds, its unit (a concept of the unit scheme, matched to QUDT), what it measures or
  counts, whether the source gives it as approximate.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.term import Node as RdfNode

from kg.namespaces import SCHEMA, TIME, Namespaces
from kg.values import BadValue, PartialDate, parse_boolean, parse_duration
from kg.when import parse_when
from kg.yamlfile import Mapping, Node, Scalar

Triple = tuple[RdfNode, RdfNode, RdfNode]
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
DEADLINE_FIX = (
    "write deadline: {within: P14D, from: <id of a dated claim>, wording: <the source's "
    "words>} or {by: <a date: 2026-03 is the end of March>, wording: <the source's words>}"
)
QUANTITY_KEYS = ("value", "at least", "at most", "unit", "of", "approximate", "wording")
QUANTITY_FIX = (
    "write {value: 40, unit: <a unit>, of: <what it measures or counts>}, or 'at least' / "
    "'at most' for a bound; leave 'unit' out for a count"
)
ANCHORS = ("process", "round", "session", "meeting", "event", "interruption", "action",
           "agreement", "outcome")  # fmt: skip
_IN_XSD = {XSD.date: "inXSDDate", XSD.gYearMonth: "inXSDgYearMonth", XSD.gYear: "inXSDgYear"}


@dataclass(frozen=True)
class Context:
    """What the structured values need from the compiler."""

    ns: Namespaces
    error: Callable[[Path, int | None, str, str], None]
    reference: Callable[[Path, Scalar, tuple[str, ...], str], URIRef | None]
    concept: Callable[[Path, Scalar, str], URIRef | None]
    concept_label: Callable[[URIRef], str]
    date_of: Callable[[str], str | None]  # the 'date' written on a claim, by id


def when(ctx: Context, subject: URIRef, path: Path, node: Scalar) -> list[Triple]:
    """A date field: ``nkg:date`` for a plain date, an OWL-Time interval otherwise."""
    try:
        value = parse_when(node.value)
    except BadValue as exc:
        ctx.error(path, node.line, "has a bad date", str(exc))
        return []
    nkg = ctx.ns.nkg
    if value.plain:
        assert value.begin is not None
        return [(subject, nkg.date, value.begin.literal())]
    triples: list[Triple] = []
    if (enclosing := value.enclosing()) is not None:
        triples.append((subject, nkg.date, enclosing.literal()))
    triples.append((subject, nkg.edtf, Literal(value.text)))
    for bound, name, predicate in (
        (value.begin, "start", TIME.hasBeginning),
        (value.end, "end", TIME.hasEnd),
    ):
        if bound is not None:
            instant = URIRef(f"{subject}#{name}")
            literal = bound.literal()
            assert literal.datatype is not None
            triples += [
                (subject, predicate, instant),
                (instant, RDF.type, TIME.Instant),
                (instant, TIME[_IN_XSD[literal.datatype]], literal),
                (instant, RDFS.label, Literal(f"{'beginning' if name == 'start' else 'end'}: "
                                              f"{literal}")),
            ]  # fmt: skip
    return triples


def deadline(ctx: Context, subject: URIRef, path: Path, node: Node) -> list[Triple]:
    """``{within, from, wording}`` or ``{by, wording}`` resolved to ``nkg:deadline``."""
    nkg = ctx.ns.nkg
    parts = node.entries if isinstance(node, Mapping) else {}
    wording = parts.get("wording")
    relative = {"within", "from", "wording"}
    if (set(parts) not in (relative, {"by", "wording"})) or not all(
        isinstance(v, Scalar) for v in parts.values()
    ):
        ctx.error(
            path, node.line, "has a deadline that is neither within/from nor by", DEADLINE_FIX
        )
        return []
    assert isinstance(wording, Scalar)
    words = (subject, nkg.deadlineWording, Literal(wording.value.strip(), lang="en"))
    by = parts.get("by")
    if isinstance(by, Scalar):
        try:
            last = parse_when(by.value)
        except BadValue as exc:
            ctx.error(path, by.line, "has a bad deadline date", str(exc))
            return []
        if last.end is None:
            ctx.error(path, by.line, "has a deadline with an open end", DEADLINE_FIX)
            return []
        return [(subject, nkg.deadline, _last_day(last.end)), words]
    within, anchor = parts["within"], parts["from"]
    assert isinstance(within, Scalar) and isinstance(anchor, Scalar)
    try:
        offset = parse_duration(within.value)
    except BadValue as exc:
        ctx.error(path, within.line, "has a bad deadline duration", str(exc))
        return []
    anchor_iri = ctx.reference(path, anchor, ANCHORS, "from")
    if anchor_iri is None:
        return []
    written = ctx.date_of(anchor.value.strip())
    try:
        dated = parse_when(written) if written else None
    except BadValue:
        return []  # reported where that date is written
    start = dated.end.as_date() if dated and dated.end else None  # the last day of an interval
    if start is None:
        ctx.error(
            path,
            anchor.line,
            f"counts a deadline from {anchor.value!r}, which has no full date (YYYY-MM-DD)",
            "count from a claim with a full date, or write the deadline as {by: ...}",
        )
        return []
    return [
        (subject, nkg.deadline, Literal(offset.after(start).isoformat(), datatype=XSD.date)),
        (subject, nkg.deadlineOffset, offset.literal()),
        (subject, nkg.deadlineAnchor, anchor_iri),
        words,
    ]


def _last_day(bound: PartialDate) -> Literal:
    month = bound.month or 12
    day = bound.day or calendar.monthrange(bound.year, month)[1]
    return Literal(dt.date(bound.year, month, day).isoformat(), datatype=XSD.date)


def quantity(
    ctx: Context, subject: URIRef, path: Path, node: Node, number: int, language: str
) -> list[Triple]:
    """One quantity of a claim: ``{value | at least | at most, unit, of, approximate,
    wording}`` as a schema:QuantitativeValue."""
    nkg = ctx.ns.nkg
    if not isinstance(node, Mapping) or not any(k in node.entries for k in QUANTITY_KEYS[:3]):
        ctx.error(path, node.line, "has a quantity without value, 'at least' or 'at most'",
                  QUANTITY_FIX)  # fmt: skip
        return []
    for key in node.entries:
        if key not in QUANTITY_KEYS or not isinstance(node.entries[key], Scalar):
            ctx.error(path, node.line_of(key), f"has {key!r} in a quantity", QUANTITY_FIX)
            return []
    values = {k: v for k, v in node.entries.items() if isinstance(v, Scalar)}
    iri = URIRef(f"{subject}#quantity-{number}")
    triples: list[Triple] = [
        (subject, nkg.quantity, iri),
        (iri, RDF.type, SCHEMA.QuantitativeValue),
    ]
    shown = []
    for key, predicate, word in (
        ("value", SCHEMA.value, ""),
        ("at least", SCHEMA.minValue, "at least "),
        ("at most", SCHEMA.maxValue, "at most "),
    ):
        if key in values:
            text = values[key].value.strip().replace(",", "")
            if not _NUMBER.match(text):
                ctx.error(path, values[key].line, f"has {values[key].value!r} as {key!r}",
                          "write a number in digits, such as 40, 1200 or 12.5")  # fmt: skip
                return []
            exact = Decimal(text)
            literal = Literal(int(exact)) if "." not in text else Literal(exact)
            triples.append((iri, predicate, literal))
            shown.append(f"{word}{text}")
    if "approximate" in values:
        try:
            flag = parse_boolean(values["approximate"].value)
        except BadValue as exc:
            ctx.error(path, values["approximate"].line, "has a bad 'approximate'", str(exc))
            return []
        triples.append((iri, nkg.approximate, flag))
        if flag.value:
            shown.insert(0, "about")
    if "unit" in values:
        unit = ctx.concept(path, values["unit"], "unit")
        if unit is None:
            return []
        triples.append((iri, SCHEMA.unitCode, unit))
        shown.append(ctx.concept_label(unit))
    label = " ".join(shown)
    if "of" in values:
        of = values["of"].value.strip()
        triples.append((iri, nkg.quantityOf, Literal(of, lang=language)))
        label += f" {of}" if "unit" not in values else f" ({of})"
    if "wording" in values:
        triples.append((iri, nkg.wording, Literal(values["wording"].value.strip(), lang=language)))
    triples.append((iri, RDFS.label, Literal(label, lang=language)))
    return triples
