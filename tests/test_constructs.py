"""The value forms of the open annotation model compiled on a tiny corpus of their own:
dates in EDTF as OWL-Time intervals, deadlines by a date or in hours, quantities, words
several speakers share, an assessment in the source's own voice, causes, and the errors
each form reports. The fixture articles (tests/test_fixture_articles.py) show every
construct end to end."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from kg import seeds as seeds_module
from kg.compile import compile_seeds
from kg.errors import SeedErrors
from kg.namespaces import DEFAULT_BASE_IRI, SCHEMA, TIME, Namespaces
from kg.vocabulary import load_turtle
from tests.conftest import ROOT, Corpus

NS = Namespaces(DEFAULT_BASE_IRI)
NKG = NS.nkg
DOC = "2026-05-10-ceasefire-talks"
TEXT = (
    "Delegations of Aland and Borduria met in Lakeview from 12 to 13 January 2026. "
    'Both delegations called the talks "useful". Aland asked for a flow of 40 cubic metres '
    "per second and the release of about 120 detainees within 72 hours of the signing on "
    "10 May 2026, and Borduria promised a reply by the end of March. The talks followed a "
    "drought in the summer of 2025 that led to protests. The talks were useful."
)
ENTITIES = """\
- {id: aland, kind: state, label: Aland}
- {id: borduria, kind: state, label: Borduria}
"""
CLAIMS = """\
document:
  title: Ceasefire talks
  language: en
claims:
  - id: talks
    type: negotiation
    label: Aland–Borduria talks
    evidence: [Delegations of Aland and Borduria met]
  - id: lakeview-round
    type: round
    label: Lakeview round
    part of: talks
    status: held
    date: 2026-01-12/2026-01-13
    evidence: [met in Lakeview from 12 to 13 January 2026]
  - id: memorandum
    type: agreement
    label: Memorandum
    date: 2026-05-10
    evidence: [the signing on 10 May 2026]
  - id: useful
    type: statement
    speaker: [aland, borduria]
    words: useful
    evidence: ['Both delegations called the talks "useful".']
  - id: useful-talks
    type: assessment
    of: lakeview-round
    characterisation: [useful]
    evidence: [The talks were useful.]
  - id: flow
    type: position
    holder: aland
    issue: water
    stance: demands
    quantities:
      - {value: 40, unit: cubic metres per second, of: flow}
    evidence: [Aland asked for a flow of 40 cubic metres per second]
  - id: release
    type: commitment
    by: [aland]
    label: Release of detainees
    action: Release detainees.
    quantities: {value: 120, approximate: yes, of: detainees}
    deadline: {within: PT72H, from: memorandum, wording: within 72 hours}
    evidence: [the release of about 120 detainees within 72 hours]
  - id: after-the-round
    type: commitment
    by: [borduria]
    label: Reply after the round
    action: Reply.
    deadline: {within: P14D, from: lakeview-round, wording: two weeks after the round}
    evidence: [Borduria promised a reply]
  - id: reply
    type: commitment
    by: [borduria]
    label: Reply by the end of March
    action: Reply.
    deadline: {by: 2026-03, wording: by the end of March}
    evidence: [Borduria promised a reply by the end of March]
  - id: drought
    type: context event
    label: Drought
    date: 2025-22
    date wording: the summer of 2025
    context for: talks
    relation: background
    led to: [protests]
    evidence: [a drought in the summer of 2025]
  - id: protests
    type: context event
    label: Protests
    context for: talks
    relation: background
    evidence: [led to protests]
concepts:
  - {id: water, scheme: issue, label: water, definition: Water., evidence: [flow]}
"""


def corpus_with(make_corpus: Callable[..., Corpus], claims: str = CLAIMS) -> Corpus:
    corpus = make_corpus(start=None)
    corpus.add_entities(ENTITIES)
    corpus.add_document(DOC, TEXT, claims)
    return corpus


def compiled(corpus: Corpus) -> Graph:
    out = compile_seeds(seeds_module.load(corpus.root), load_turtle(ROOT / "ontology", NS), NS)
    return out.graphs[NS.graph(DOC)]


def errors(corpus: Corpus) -> str:
    with pytest.raises(SeedErrors) as caught:
        compiled(corpus)
    return str(caught.value)


def test_a_round_over_two_days_is_an_owl_time_interval(
    make_corpus: Callable[..., Corpus],
) -> None:
    graph = compiled(corpus_with(make_corpus))
    held = NS.resource("round", "lakeview-round")
    start, end = URIRef(f"{held}#start"), URIRef(f"{held}#end")
    assert graph.value(held, NKG.date) == Literal("2026-01", datatype=XSD.gYearMonth)
    assert graph.value(held, NKG.edtf) == Literal("2026-01-12/2026-01-13")
    assert (held, TIME.hasBeginning, start) in graph and (held, TIME.hasEnd, end) in graph
    assert (start, RDF.type, TIME.Instant) in graph
    assert graph.value(start, TIME.inXSDDate) == Literal("2026-01-12", datatype=XSD.date)
    assert graph.value(end, TIME.inXSDDate) == Literal("2026-01-13", datatype=XSD.date)
    assert graph.value(start, RDFS.label) == Literal("beginning: 2026-01-12")


def test_a_season_is_bounded_by_months(make_corpus: Callable[..., Corpus]) -> None:
    graph = compiled(corpus_with(make_corpus))
    drought = NS.resource("event", "drought")
    assert graph.value(drought, NKG.date) == Literal("2025", datatype=XSD.gYear)
    start = graph.value(drought, TIME.hasBeginning)
    end = graph.value(drought, TIME.hasEnd)
    assert graph.value(start, TIME.inXSDgYearMonth) == Literal("2025-06", datatype=XSD.gYearMonth)
    assert graph.value(end, TIME.inXSDgYearMonth) == Literal("2025-08", datatype=XSD.gYearMonth)


def test_deadlines_by_a_date_in_hours_and_after_an_interval(
    make_corpus: Callable[..., Corpus],
) -> None:
    graph = compiled(corpus_with(make_corpus))
    reply = NS.resource("commitment", "reply")
    assert graph.value(reply, NKG.deadline) == Literal("2026-03-31", datatype=XSD.date)
    assert graph.value(reply, NKG.deadlineWording) == Literal("by the end of March", lang="en")
    assert graph.value(reply, NKG.deadlineOffset) is None
    assert graph.value(reply, NKG.deadlineAnchor) is None
    release = NS.resource("commitment", "release")
    assert graph.value(release, NKG.deadline) == Literal("2026-05-13", datatype=XSD.date)
    assert graph.value(release, NKG.deadlineOffset) == Literal("PT72H", datatype=XSD.duration)
    assert graph.value(release, NKG.deadlineAnchor) == NS.resource("agreement", "memorandum")
    after = NS.resource("commitment", "after-the-round")  # counted from the last day
    assert graph.value(after, NKG.deadline) == Literal("2026-01-27", datatype=XSD.date)


def test_quantities_with_a_unit_and_counts(make_corpus: Callable[..., Corpus]) -> None:
    graph = compiled(corpus_with(make_corpus))
    flow = URIRef(f"{NS.resource('position', 'flow')}#quantity-1")
    assert graph.value(NS.resource("position", "flow"), NKG.quantity) == flow
    assert (flow, RDF.type, SCHEMA.QuantitativeValue) in graph
    assert graph.value(flow, SCHEMA.value) == Literal(40)
    assert graph.value(flow, SCHEMA.unitCode) == NS.concept("unit", "cubic-metre-per-second")
    assert graph.value(flow, RDFS.label) == Literal("40 cubic metre per second (flow)", lang="en")
    count = URIRef(f"{NS.resource('commitment', 'release')}#quantity-1")
    assert graph.value(count, SCHEMA.unitCode) is None
    assert graph.value(count, NKG.approximate) == Literal(True)
    assert graph.value(count, RDFS.label) == Literal("about 120 detainees", lang="en")


def test_several_speakers_share_words_and_the_source_assesses(
    make_corpus: Callable[..., Corpus],
) -> None:
    graph = compiled(corpus_with(make_corpus))
    useful = NS.resource("statement", "useful")
    assert set(graph.objects(useful, NKG.speaker)) == {
        NS.resource("state", "aland"),
        NS.resource("state", "borduria"),
    }
    assert str(graph.value(useful, RDFS.label)) == "Aland, Borduria: useful"
    assessment = NS.resource("assessment", "useful-talks")
    assert graph.value(assessment, NKG.assessedBy) is None
    assert str(graph.value(assessment, RDFS.label)) == "The source on Lakeview round: useful"


def test_a_cause_is_written_both_ways(make_corpus: Callable[..., Corpus]) -> None:
    graph = compiled(corpus_with(make_corpus))
    drought, protests = NS.resource("event", "drought"), NS.resource("event", "protests")
    assert (drought, NKG.ledTo, protests) in graph
    assert (protests, NKG.resultedFrom, drought) in graph


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (("{value: 40, unit: cubic metres per second, of: flow}",
          "{value: forty, unit: cubic metres per second}"), "write a number in digits"),
        (("{value: 40, unit: cubic metres per second, of: flow}", "{value: 40, unit: furlongs}"),
         "'furlongs', which is not a concept of the unit scheme"),
        (("{value: 40, unit: cubic metres per second, of: flow}", "{value: 40, per: second}"),
         "has 'per' in a quantity"),
        (("{value: 40, unit: cubic metres per second, of: flow}", "{of: flow}"),
         "has a quantity without value"),
        (("{by: 2026-03, wording: by the end of March}",
          "{by: 2026-03, from: talks, wording: by the end of March}"),
         "has a deadline that is neither within/from nor by"),
        (("{by: 2026-03, wording: by the end of March}", "{by: 2026-03/.., wording: soon}"),
         "has a deadline with an open end"),
        (("date: 2025-22", "date: summer 2025"), "a season as YYYY-21"),
        (("{within: PT72H, from: memorandum,", "{within: PT72H, from: drought,"),
         "counts a deadline from 'drought', which has no full date"),
    ],
)  # fmt: skip
def test_a_bad_value_form_says_how_to_write_it(
    make_corpus: Callable[..., Corpus], change: tuple[str, str], says: str
) -> None:
    assert CLAIMS.count(change[0]) == 1
    message = errors(corpus_with(make_corpus, CLAIMS.replace(*change)))
    assert says in message
    assert f"{DOC}.yaml:" in message


def test_the_corpus_conforms(make_corpus: Callable[..., Corpus]) -> None:
    from kg import pipeline
    from kg.progress import Steps

    checked = pipeline.check(corpus_with(make_corpus).settings(), Steps(quiet=True))
    assert checked.report.conforms, checked.report.text()
