"""Run SPARQL 1.1 queries on a release's store and write their results.

The default graph is the union of all named graphs (SPARQL 1.1 Query, section 13.1:
the dataset is the processor's choice), and the project's prefixes are predefined.
Result formats: SPARQL 1.1 Query Results JSON, CSV/TSV and XML, or a plain table.
"""

from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import QueryError
from kg.namespaces import Namespaces
from kg.rdfformats import GRAPH_WRITERS, RESULT_WRITERS

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

SOLUTION_FORMATS = RESULT_WRITERS
GRAPH_FORMATS = {k: v for k, v in GRAPH_WRITERS.items() if k not in ("trig", "nquads")}


def execute(store: ox.Store, text: str, ns: Namespaces) -> Result:
    """Run ``text``; a syntax error becomes a QueryError saying what and where."""
    try:
        return store.query(
            text, prefixes=ns.prefixes(), base_iri=ns.base, use_default_graph_as_union=True
        )
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from exc


def write(result: Result, output_format: str, out: BinaryIO, ns: Namespaces) -> None:
    """Write ``result`` as ``output_format`` (table, json, xml, csv, tsv; for CONSTRUCT
    and DESCRIBE: table, turtle, ntriples, jsonld, rdfxml)."""
    if isinstance(result, ox.QueryTriples):
        if output_format == "table":
            output_format = "turtle"
        if output_format not in GRAPH_FORMATS:
            raise QueryError(f"a graph result is written as one of {', '.join(GRAPH_FORMATS)}")
        ox.serialize(result, out, format=GRAPH_FORMATS[output_format], prefixes=ns.prefixes())
        return
    if output_format == "table":
        out.write(table(result, ns).encode())
        return
    if output_format not in SOLUTION_FORMATS:
        raise QueryError(
            f"a SELECT or ASK result is written as one of table, {', '.join(SOLUTION_FORMATS)}"
        )
    result.serialize(out, SOLUTION_FORMATS[output_format])


def table(result: ox.QuerySolutions | ox.QueryBoolean, ns: Namespaces) -> str:
    """A plain-text table, IRIs shortened with the project's prefixes."""
    if isinstance(result, ox.QueryBoolean):
        return f"{bool(result)}\n"
    columns = [v.value for v in result.variables]
    rows = [[cell(solution[c], ns) for c in columns] for solution in result]
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    lines = [
        " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
        "-+-".join("-" * w for w in widths),
    ]
    lines += [" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def cell(term: object, ns: Namespaces) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return ns.shorten(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)
