"""The parts of the pages that need no server: content negotiation, locations, the
cutting of a source text into highlighted segments, and the modules' examples."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from kg import formats
from kg.server import negotiation
from kg.server.negotiation import preferred
from kg.server.pages import locations, quotes
from kg.server.pages.locations import Locations, relative
from kg.server.pages.quotes import Span, in_sentence, segments

BASE = "https://w3id.org/negotiations-kg/"


@pytest.mark.parametrize("module", [negotiation, formats, locations, quotes])
def test_the_examples_in_the_docstrings_run(module: ModuleType) -> None:
    failures, tried = doctest.testmod(module)
    assert tried > 0 and failures == 0


@pytest.mark.parametrize(
    ("accept", "offers", "chosen"),
    [
        ("text/html", ["text/turtle", "text/html"], "text/html"),
        ("text/*", ["application/ld+json", "text/turtle"], "text/turtle"),
        ("*/*;q=0.1, text/turtle", ["text/html", "text/turtle"], "text/turtle"),
        ("text/html;q=0, */*", ["text/html", "text/turtle"], "text/turtle"),
        ("TEXT/Turtle", ["text/turtle"], "text/turtle"),
        # A range with an unreadable q is dropped; a header with no readable range
        # accepts anything, as a missing one does.
        ("text/turtle;q=abc, text/html", ["text/turtle", "text/html"], "text/html"),
        ("garbage", ["text/turtle"], "text/turtle"),
        ("", ["text/html"], "text/html"),
        (
            "application/rdf+xml;q=0.5, application/ld+json;q=0.5",
            ["application/ld+json", "application/rdf+xml"],
            "application/ld+json",
        ),
    ],
)
def test_accept_is_read_as_rfc_9110_says(
    accept: str, offers: list[str], chosen: str | None
) -> None:
    assert preferred(accept, offers) == chosen


def test_iris_and_local_paths_map_both_ways() -> None:
    here = Locations(BASE)
    for iri, page in [
        (f"{BASE}id/state/iran", "/page/state/iran"),
        (f"{BASE}concept/role/mediator", "/page/concept/role/mediator"),
        (f"{BASE}concept/role", "/page/concept/role"),
        (f"{BASE}graph/registry", "/page/graph/registry"),
        (f"{BASE}dataset", "/page/dataset"),
        (f"{BASE}release/20260101T000000Z", "/page/release/20260101T000000Z"),
    ]:
        assert here.page(iri) == page
        assert here.iri(page.removeprefix("/page/")) == iri
        assert here.data(iri, "ttl") == page.replace("/page/", "/data/") + ".ttl"
    assert here.page(f"{BASE}id/evidence/x#quote") == "/page/evidence/x#quote"
    assert here.page(f"{BASE}ontology") == "/ontology"
    assert here.data(f"{BASE}ontology#Position", "nt") == "/ontology.nt"
    assert here.page(f"{BASE}dumps/negotiations-kg.ttl") == "/dumps/negotiations-kg.ttl"
    assert here.page("https://www.wikidata.org/entity/Q794") is None
    assert here.iri("no-such-space/x") is None
    assert here.iri("state") is None


def test_relative_references_resolve_from_any_depth() -> None:
    assert relative("/", "/") == "./"
    assert relative("/ontology#Position", "/ontology") == "./ontology#Position"
    assert relative("/page/state/iran", "/id/state/iran") == "../../page/state/iran"
    assert (
        relative("/page/concept/role", "/page/concept/role/mediator")
        == "../../../page/concept/role"
    )


def test_spans_may_nest_overlap_coincide_and_touch() -> None:
    text = "0123456789"
    spans = [Span(0, 10, 1), Span(2, 5, 2), Span(2, 5, 3), Span(4, 7, 4), Span(7, 9, 5)]
    pieces = segments(text, spans)
    assert "".join(p.text for p in pieces) == text
    assert [(p.text, [s.number for s in p.covering]) for p in pieces] == [
        ("01", [1]),
        ("23", [2, 3, 1]),
        ("4", [2, 3, 4, 1]),
        ("56", [4, 1]),
        ("78", [5, 1]),
        ("9", [1]),
    ]
    assert [s.number for s in pieces[1].opening] == [2, 3]
    assert [p.text for p in segments("abc", [])] == ["abc"]
    assert segments("", []) == []


def test_a_repeated_quote_is_found_by_its_prefix() -> None:
    sentence = "He said no. Then she said no again."
    assert in_sentence(sentence, "no", "she said ") == (
        "He said no. Then she said ",
        "no",
        " again.",
    )
    assert in_sentence(sentence, "no", "He said ") == (
        "He said ",
        "no",
        ". Then she said no again.",
    )
    assert in_sentence(sentence, "absent", "") == ("", "absent", "")
