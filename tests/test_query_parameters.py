"""Query parameters (kg/queries.py): declared in a query's header, bound as one IRI term
in a trailing VALUES clause, refused in one line when missing, unknown or no IRI."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import QueryError
from kg.namespaces import DEFAULT_BASE_IRI, Namespaces
from kg.queries import Parameter, bind, iri, parse

PREFIXES = Namespaces(DEFAULT_BASE_IRI).prefixes()
ROUND = f"{DEFAULT_BASE_IRI}id/round/geneva-round"
TRACE = """# For any fact: where it comes from.
# What the answer holds.
# Parameter ?fact (IRI): the fact to trace
# Parameter ?other (IRI): another
SELECT ?fact ?other WHERE { ?fact ?p ?other }
"""


def test_parameters_are_declared_in_the_header_and_left_out_of_the_description() -> None:
    query = parse("12-trace", TRACE)
    assert query.title == "For any fact: where it comes from."
    assert query.description == "What the answer holds."
    assert query.parameters == (
        Parameter("fact", "IRI", "the fact to trace"),
        Parameter("other", "IRI", "another"),
    )


def test_a_parameter_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(QueryError, match="declares \\?n as 'number'"):
        parse("x", "# Title of the query.\n# Parameter ?n (number): a count\nASK {}")


@pytest.mark.parametrize(
    "value", ["round:geneva-round", f"<{ROUND}>", ROUND, f"  {ROUND} "], ids=str.strip
)
def test_a_value_is_an_iri_or_a_curie(value: str) -> None:
    assert iri(value, PREFIXES) == ROUND


def test_binding_appends_one_values_clause_per_parameter() -> None:
    query = parse("12-trace", TRACE)
    text = bind(query, {"fact": "round:geneva-round", "other": "<urn:x:1>"}, PREFIXES)
    assert text == TRACE + f"VALUES (?fact ?other) {{ (<{ROUND}> <urn:x:1>) }}\n"
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(ROUND), ox.NamedNode("urn:p"), ox.NamedNode("urn:x:1")))
    store.add(ox.Quad(ox.NamedNode("urn:y"), ox.NamedNode("urn:p"), ox.NamedNode("urn:x:1")))
    result = store.query(text)
    assert isinstance(result, ox.QuerySolutions)
    assert [row["fact"] for row in result] == [ox.NamedNode(ROUND)]


def test_one_parameter_is_one_values_clause() -> None:
    query = parse("12", "# Trace a fact, with its evidence.\n# Parameter ?fact (IRI): it\nASK {}")
    assert bind(query, {"fact": "round:geneva-round"}, PREFIXES).endswith(
        f"ASK {{}}\nVALUES ?fact {{ <{ROUND}> }}\n"
    )


def test_a_query_without_parameters_is_left_as_it_is() -> None:
    query = parse("1", "# Rounds, in order.\nSELECT * {}")
    assert bind(query, {}, PREFIXES) == query.text


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"fact": "round:x"}, "needs a value for \\?other \\(kg query: --param other=…\\)"),
        ({"fact": "round:x", "other": "round:y", "third": "round:z"}, "no parameter 'third'"),
    ],
)
def test_a_missing_or_unknown_parameter_is_refused(values: dict[str, str], message: str) -> None:
    with pytest.raises(QueryError, match=message):
        bind(parse("12-trace", TRACE), values, PREFIXES)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("rond:geneva-round", "its prefix rond: is not one of the project's"),
        ("geneva-round", "it is not written as an IRI"),
        ("", "it is not written as an IRI"),
        ("<>", "it is not written as an IRI"),
        (f"<{ROUND}> }} ?s ?p ?o {{", "is not an IRI"),
        (f"{ROUND}> . ?s ?p <x", "it holds a character an IRI cannot"),
        (f'{ROUND}"', "it holds a character an IRI cannot"),
        ("https://example.org/a b", "it holds a character an IRI cannot"),
        ("<https://example.org/\n>", "it holds a character an IRI cannot"),
    ],
)
def test_a_value_that_is_no_iri_is_refused_and_never_reaches_the_query(
    value: str, why: str
) -> None:
    with pytest.raises(QueryError, match=why):
        bind(parse("12-trace", TRACE), {"fact": value, "other": "<urn:x>"}, PREFIXES)
