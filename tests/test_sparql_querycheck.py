"""The query check alone: escape processing (SPARQL 1.1 Query 19.2), the form, the
dataset, and which SERVICE endpoints pass."""

from __future__ import annotations

import doctest
import importlib

import pytest

from kg.errors import QueryError, QueryRefused, QueryTooDeep, ServiceRefused
from kg.server.sparql.querycheck import MAX_DEPTH, MAX_NESTING, analyse, unescape

ALLOWED = "http://127.0.0.1:7878/query"
ALLOW = frozenset({ALLOWED})
PREDEFINED = (("local", "http://127.0.0.1:7878/"), ("ex", "http://example.org/"))


def test_unescape_processes_escapes_once() -> None:
    assert unescape(r"\u0041\U00000042") == "AB"
    assert unescape("no escapes") == "no escapes"
    with pytest.raises(QueryError, match="produces another escape"):
        unescape(r"\u005Cu0041")
    with pytest.raises(QueryError, match=r"line 2, column 3: \\uDFFF is not a Unicode character"):
        unescape("x\n  \\uDFFF")


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * {}", "SELECT"),
        ("  # comment\nPREFIX a: <http://a/> BASE <http://b/> ask {}", "ASK"),
        ("PREFIX : <http://a/>\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("describe <x>", "DESCRIBE"),
        (r"\u0053ELECT * {}", "SELECT"),
        ("NONSENSE", None),
    ],
)
def test_the_query_form(query: str, form: str | None) -> None:
    assert analyse(query, frozenset()).form == form


@pytest.mark.parametrize(
    "update",
    ["INSERT DATA { <a> <b> <c> }", "PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }",
     "LOAD <http://example.org/>", "clear all", "WITH <g> DELETE {} WHERE {}", "DROP GRAPH <g>"],
)  # fmt: skip
def test_updates_are_refused(update: str) -> None:
    with pytest.raises(QueryRefused, match="read-only"):
        analyse(update, frozenset())


def test_dataset_and_volatile_functions() -> None:
    assert analyse("SELECT * FROM <g> {}", frozenset()).has_dataset
    assert analyse("SELECT * FROM NAMED <g> {}", frozenset()).has_dataset
    assert not analyse("SELECT ?from { ?from ex:from 'FROM' }", frozenset()).has_dataset
    assert analyse("SELECT (NOW() AS ?n) {}", frozenset()).volatile
    assert analyse("SELECT (struuid() AS ?n) {}", frozenset()).volatile
    assert not analyse("SELECT ?now { ?now ex:rand 'UUID()' }", frozenset()).volatile


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT * {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE SILENT <{ALLOWED}> {{ ?s ?p ?o }} }}",
        "SELECT * { SERVICE local:query { ?s ?p ?o } }",
        "PREFIX r: <http://127.0.0.1:7878/> SELECT * { SERVICE r:query { } }",
        "PREFIX r: <http://127.0.0.1:7878/que> SELECT * { SERVICE r:ry { } }",
    ],
)
def test_allowed_endpoints(query: str) -> None:
    plan = analyse(query, ALLOW, PREDEFINED)
    assert plan.services == (ALLOWED,)
    assert plan.volatile


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("SELECT * { SERVICE <http://example.org/q> {} }", "not on the allow-list"),
        ("SELECT * { SERVICE <query> {} }", "not on the allow-list"),  # relative
        ("SELECT * { SERVICE ?x {} }", "variable"),
        ("SELECT * { SERVICE ex:query {} }", "not on the allow-list"),
        ("SELECT * { SERVICE nope:query {} }", "not declared"),
        ("PREFIX local: <http://elsewhere/> SELECT * { SERVICE local:query {} }", "elsewhere"),
        ("SELECT * { SERVICE }", "must be followed by an endpoint"),
        ("SELECT * { SERVICE SILENT ( <x> ) {} }", "must be followed by an endpoint"),
        ("SELECT * { ?s ?p ?o SERVICEex:a {} }", "separate word"),
        ("SELECT * { ?s ?p ex:a.SERVICE <x> {} }", "separate word"),
        ('SELECT * { ?s ?p "x"@enSERVICE <x> {} }', "separate word"),
    ],
)
def test_refused_endpoints(query: str, words: str) -> None:
    with pytest.raises(ServiceRefused, match=words):
        analyse(query, ALLOW, PREDEFINED)


def test_refusals_say_where() -> None:
    with pytest.raises(ServiceRefused, match="at line 3, column 5"):
        analyse("SELECT *\n{\n    SERVICE <http://x/> {}\n}", ALLOW)


@pytest.mark.parametrize(
    "module", ["kg.server.sparql.querycheck", "kg.server.negotiation", "kg.server.sparql.worker"]
)
def test_docstring_examples_run(module: str) -> None:
    failures, tried = doctest.testmod(importlib.import_module(module))
    assert tried > 0 and failures == 0


@pytest.mark.parametrize(
    ("deep", "what"),
    [
        ("SELECT * " + "{" * 3000 + "}" * 3000, "brackets nested"),
        ("ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }", "brackets nested"),
        ("ASK { ?s ?p " + "[ ?p " * 300 + "1" + " ]" * 300 + " }", "brackets nested"),
        ("ASK { FILTER(" + "!" * 10000 + "true) }", "'!' repeated"),
    ],
    ids=["braces", "parentheses", "blank-node-brackets", "negations"],
)
def test_nesting_that_crashes_or_stalls_the_parser_is_refused(deep: str, what: str) -> None:
    """pyoxigraph's parser crashed the process at these depths (3,000 braces, 5,000
    parentheses, 10,000 '!') and took seconds per level of '[ ]' long before."""
    with pytest.raises(QueryError, match=f"{what} more than {MAX_NESTING} deep"):
        analyse(deep, frozenset())


def test_nesting_up_to_the_bound_passes_and_brackets_in_strings_do_not_count() -> None:
    analyse("SELECT * " + "{" * MAX_NESTING + "}" * MAX_NESTING, frozenset())
    analyse('ASK { FILTER(?x = "' + "(" * 5000 + '") }', frozenset())


CHAINS = {
    "binds": "ASK { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(3000)) + " }",
    "sums": "SELECT (" + "+".join(["1"] * 10000) + " AS ?x) {}",
    "differences": "SELECT (" + "-".join(["1"] * 10000) + " AS ?x) {}",
    "unions": "ASK { " + " UNION ".join(["{}"] * 10000) + " }",
    "disjunctions": "ASK { FILTER(" + "||".join(["true"] * 10000) + ") }",
    "minuses": "ASK { ?s ?p ?o " + " MINUS { ?s ?p ?o }" * 3000 + " }",
    "triple patterns": "ASK { " + " . ".join(["?s ?p ?o"] * 10000) + " }",
    "objects": "ASK { ?s ?p " + ", ".join(["?o"] * 30000) + " }",
    "nested chains": "ASK { FILTER(" + "(1+1+1+1+1+1+1+1+1+1+1+" * 190 + "1" + ")" * 190 + ") }",
}


@pytest.mark.parametrize("query", CHAINS.values(), ids=CHAINS.keys())
def test_long_chains_that_crash_the_engine_are_refused(query: str) -> None:
    """Issue 10: no bracket nested deep, but the engine builds these as trees thousands
    of levels deep, and 3,000 BINDs (45 KB) or 10,000 '+' (20 KB) crashed its process."""
    with pytest.raises(QueryTooDeep, match=f"levels deep.*at most {MAX_DEPTH:,} are accepted"):
        analyse(query, frozenset())


def test_flat_lists_and_chains_within_the_bound_pass() -> None:
    analyse("ASK { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(1900)) + " }", frozenset())
    analyse("ASK { FILTER(?x IN (" + ", ".join(["1"] * 30000) + ")) }", frozenset())
    analyse("ASK { VALUES ?x { " + " ".join(["1"] * 30000) + " } }", frozenset())
    analyse("ASK { FILTER(CONCAT(" + ",".join(['"a"'] * 20000) + ")) }", frozenset())
