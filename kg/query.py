"""Run SPARQL 1.1 queries on a release's store and write their results.

A query is checked first as the endpoint checks it (kg/server/sparql/querycheck.py): no
update, SERVICE only to an endpoint on ``KG_SERVICE_ALLOWLIST``, nesting bounded; so
``kg query`` runs what the server would run and refuses what it would refuse, before
anything reaches the network. The default graph is the union of all named graphs
(SPARQL 1.1 Query, section 13.1: the dataset is the processor's choice) unless the
query names its own (FROM); the project's prefixes are predefined. Whatever fails while
the query runs becomes a QueryFailed of one line, never a traceback. Result formats:
SPARQL 1.1 Query Results JSON, CSV/TSV and XML, or a plain table.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO, TypeVar

import pyoxigraph as ox

from kg.errors import QueryError, QueryFailed, ServiceEndpointFailed
from kg.formats import GRAPHS, RESULTS, find
from kg.namespaces import Namespaces
from kg.server.sparql.querycheck import Plan, analyse

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

T = TypeVar("T")
# Stack of the thread that runs queries: the engine recurses on nested queries, and the
# check (querycheck.MAX_NESTING, MAX_DEPTH) keeps them well below what this stack takes
# (measured with pyoxigraph 0.5: nested function calls crash an 8 MiB stack at 950
# levels, a 64 MiB one at 7,600). Virtual memory: only the pages used are ever touched.
STACK_SIZE = 64 << 20

TABLE = "table"
OUTPUT_FORMATS = [TABLE, *(s.name for s in RESULTS + GRAPHS)]  # `kg query --format`


def check(text: str, ns: Namespaces, allowlist: frozenset[str] = frozenset()) -> Plan:
    """The endpoint's check of ``text``: QueryError, QueryRefused (an update) or
    ServiceRefused (a SERVICE off ``allowlist``) before anything runs."""
    return analyse(text, allowlist, tuple(sorted(ns.prefixes().items())))


def execute(
    store: ox.Store, text: str, ns: Namespaces, allowlist: frozenset[str] = frozenset()
) -> Result:
    """Check and run ``text``. Solutions are computed as they are read: read them
    inside :func:`engine_errors` too."""
    return run(store, check(text, ns, allowlist), ns)


def on_deep_stack(function: Callable[[], T]) -> T:
    """Call ``function`` on a thread with a :data:`STACK_SIZE` stack; its result, or
    its exception."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def call() -> None:
        try:
            outcome.append(function())
        except BaseException as exc:  # handed to the caller's thread
            _clear_locals(exc)
            failure.append(exc)

    threading.stack_size(STACK_SIZE)
    try:
        thread = threading.Thread(target=call, name="kg-query", daemon=True)
    finally:
        threading.stack_size(0)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


def _clear_locals(error: BaseException | None, seen: set[int] | None = None) -> None:
    """Let go of the local variables of the frames in ``error``'s tracebacks (and its
    causes'), on this thread: they may hold pyoxigraph objects, which must not be dropped
    on another thread. The tracebacks themselves (files and lines) stay."""
    seen = set() if seen is None else seen
    if error is None or id(error) in seen:
        return
    seen.add(id(error))
    if error.__traceback__ is not None:
        traceback.clear_frames(error.__traceback__)
    _clear_locals(error.__cause__, seen)
    _clear_locals(error.__context__, seen)


def run(store: ox.Store, plan: Plan, ns: Namespaces) -> Result:
    """Run a checked query; a syntax error says what and where."""
    with engine_errors(plan):
        try:
            return store.query(
                plan.text,
                prefixes=ns.prefixes(),
                base_iri=ns.base,
                use_default_graph_as_union=not plan.has_dataset,
            )
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {' '.join(str(exc).split())}") from exc


@contextmanager
def engine_errors(plan: Plan) -> Iterator[None]:
    """Turn what the engine raises while a query runs (a SERVICE endpoint that cannot be
    reached, a variable endpoint left unbound, a store that cannot be read) into one
    line; a closed output pipe is left to the caller."""
    try:
        yield
    except BrokenPipeError:
        raise
    except (OSError, RuntimeError) as exc:
        detail = " ".join(str(exc).split())[:300] or type(exc).__name__
        if plan.services and isinstance(exc, OSError):
            raise ServiceEndpointFailed(f"a SERVICE endpoint failed: {detail}") from exc
        raise QueryFailed(f"the query failed while running: {detail}") from exc


def write(result: Result, output_format: str, out: BinaryIO, ns: Namespaces) -> None:
    """Write ``result`` as ``output_format``: ``table``, or a name of :mod:`kg.formats`
    (a results syntax for SELECT and ASK, an RDF syntax for CONSTRUCT and DESCRIBE)."""
    if isinstance(result, ox.QueryTriples):
        syntax = find("turtle" if output_format == TABLE else output_format, GRAPHS)
        if syntax is None:
            names = ", ".join(s.name for s in GRAPHS)
            raise QueryError(f"a graph result is written as one of {names}")
        ox.serialize(result, out, format=syntax.engine, prefixes=ns.prefixes())
        return
    if output_format == TABLE:
        out.write(table(result, ns).encode())
        return
    found = find(output_format, RESULTS)
    if found is None:
        names = ", ".join(s.name for s in RESULTS)
        raise QueryError(f"a SELECT or ASK result is written as one of {TABLE}, {names}")
    result.serialize(out, found.engine)


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
