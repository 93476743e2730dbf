"""Publish a release into a SPARQL store so that its readers never see half of it.

1. **Upload** what the store does not hold yet. A graph whose content (its SHA-256, in
   the record) is in the store already is not sent again; every other graph is sent
   with a Graph Store Protocol PUT (SPARQL 1.1 Graph Store HTTP Protocol, section 5.3)
   to a name of its release, ``{base}release/{id}/graph/…``, that no reader uses yet.
   A graph uploaded whole by an interrupted publish (same number of triples) is kept:
   a publish resumes where it stopped.
2. **Switch**, by what the store guarantees (README, "Publishing into a SPARQL store"):

   * ``move``: one SPARQL Update request (SPARQL 1.1 Update, section 3.2.5) MOVEs each
     uploaded graph onto its published name ``{base}graph/…``, DROPs the published
     graphs the release no longer has and rewrites the record. For a store that runs
     an update request as one transaction its readers see whole or not at all
     (Oxigraph: "repeatable read", each query on one snapshot).
   * ``pointer``: the graphs keep their names in the store (a graph that did not change
     keeps the name an earlier release gave it); the release's record is written, then
     one inserted triple, ``<release> dcterms:available "now"``, makes it the live one.
     Readers take the live release's graphs from the record. For a store whose readers
     can see a transaction half committed (Virtuoso at its default isolation): a single
     triple cannot be seen half.
3. **Clean up** graphs that no kept release names: uploads of interrupted publishes,
   and (``pointer``) graphs only releases older than the one before the live one used.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import PublishError
from kg.release import Release
from kg.remote import record
from kg.remote.client import StoreClient
from kg.remote.record import Names, Record

SWITCHES = ("auto", "move", "pointer")
# Stores known to let readers see an update request half done, by their Server header.
UNISOLATED_STORES = ("Virtuoso",)
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


@dataclass(frozen=True)
class Graph:
    """A named graph of the release: its name, number of triples and content's SHA-256
    (of its sorted N-Triples lines, blank nodes canonicalised)."""

    name: str
    size: int
    sha256: str


@dataclass
class Outcome:
    release: str
    switch: str
    uploaded: int = 0  # graphs sent
    triples: int = 0  # triples sent
    unchanged: int = 0  # graphs the store holds with the same content: neither sent nor moved
    resumed: int = 0  # graphs an interrupted publish had sent whole
    removed: int = 0  # graphs dropped: of older releases, or left by interrupted publishes
    already: bool = False  # the release was live already; nothing was switched
    seconds: dict[str, float] = field(default_factory=dict)


def publish(
    release: Release,
    base: str,
    client: StoreClient,
    switch: str = "auto",
    say: Callable[[str], None] = lambda _: None,
) -> Outcome:
    """Make ``release`` the live release of the store behind ``client``: upload what
    the store does not hold yet, switch, clean up. Safe to run again after a failure."""
    started = time.perf_counter()
    names = Names(base)
    store = release.open_store()
    graphs = _release_graphs(store, names)
    records = record.read(client, names)
    outcome = Outcome(release.id, _choose(switch, client.server, say))
    pointer = outcome.switch == "pointer"
    held = _held(client, names)
    live = record.live(records)
    if live is not None and live.release == release.id and _intact(live, graphs, held, names):
        outcome.already = True
        outcome.removed = _clean(client, names, pointer, records, held)
        return outcome

    clock = time.perf_counter()
    where = _reusable(records, live, pointer, held, names)
    targets: dict[str, str] = {}  # each graph's name in the store once switched
    uploads: dict[str, str] = {}  # uploaded name -> the release's name of the graph
    for graph in graphs.values():
        if graph.sha256 in where.get(graph.name, {}):
            targets[graph.name] = where[graph.name][graph.sha256]
            outcome.unchanged += 1
            continue
        upload = names.uploaded(release.id, graph.name)
        targets[graph.name] = graph.name if not pointer else upload
        uploads[upload] = graph.name
        if held.get(upload) == graph.size:
            outcome.resumed += 1
            continue
        ntriples = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph.name))
        assert ntriples is not None  # dump() returns the bytes when given no output
        client.put_graph(upload, ntriples)
        outcome.uploaded += 1
        outcome.triples += graph.size
    held = _held(client, names)
    _check_uploads(held, uploads, graphs)
    outcome.seconds["upload"] = time.perf_counter() - clock

    clock = time.perf_counter()
    checksums = {targets[g.name]: g.sha256 for g in graphs.values()}
    if pointer:
        client.update(record.insert(names, release.id, checksums, available=False))
        latest = live.available if live else None
        client.update(
            f"INSERT DATA {{ GRAPH <{names.record}> {{ "
            f"{record.going_live(names, release.id, latest)} }} }}"
        )
    else:
        operations = [f"MOVE <{upload}> TO <{graph}>" for upload, graph in sorted(uploads.items())]
        operations += [
            f"DROP SILENT GRAPH <{name}>"
            for name in sorted(held)
            if name.startswith(names.published) and name != names.record and name not in graphs
        ]
        operations.append(f"DROP SILENT GRAPH <{names.record}>")
        operations.append(record.insert(names, release.id, checksums, available=True))
        client.update(" ;\n".join(operations))
    outcome.seconds["switch"] = time.perf_counter() - clock
    if not pointer:  # the uploads were moved away
        held = {name: n for name, n in held.items() if name not in uploads}
    outcome.removed = _clean(client, names, pointer, record.read(client, names), held)
    outcome.seconds["total"] = time.perf_counter() - started
    return outcome


def _release_graphs(store: ox.Store, names: Names) -> dict[str, Graph]:
    """Each non-empty named graph of the release."""
    graphs: dict[str, Graph] = {}
    for graph in store.named_graphs():
        if not isinstance(graph, ox.NamedNode) or not graph.value.startswith(names.published):
            raise PublishError(
                f"the release has a graph {graph} outside {names.published}: kg publish "
                "names graphs in the store after the release's base IRI"
            )
        if graph.value == names.record or _IRI_FORBIDDEN.search(graph.value):
            raise PublishError(f"the release has a graph <{graph.value}> kg publish cannot use")
        ntriples = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        assert ntriples is not None  # dump() returns the bytes when given no output
        if ntriples:
            graphs[graph.value] = Graph(graph.value, ntriples.count(b"\n"), _sha256(ntriples))
    return graphs


def _sha256(ntriples: bytes) -> str:
    """The SHA-256 of a graph's N-Triples, one triple a line. Oxigraph writes a graph's
    triples in the order of its index, which their terms decide, so the same triples
    give the same bytes; blank nodes, which are labelled afresh by each build, are
    canonicalised first, and the lines sorted. Another order can only make a graph look
    changed, never unchanged: it is then sent again."""
    if b"_:" in ntriples:
        dataset = ox.Dataset(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        ntriples = "".join(sorted(f"{quad.triple} .\n" for quad in dataset)).encode()
    return hashlib.sha256(ntriples).hexdigest()


def _held(client: StoreClient, names: Names) -> dict[str, int]:
    """Every graph of the store under the base IRI, with its number of triples."""
    rows = client.select(
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
        f'FILTER(STRSTARTS(STR(?g), "{names.base}")) }} GROUP BY ?g'
    )
    return {row["g"]: int(row["n"]) for row in rows}


def _choose(switch: str, server: str, say: Callable[[str], None]) -> str:
    if switch not in SWITCHES:
        raise PublishError(f"--switch {switch!r}: use one of {', '.join(SWITCHES)}")
    if switch != "auto":
        return switch
    if any(name.lower() in server.lower() for name in UNISOLATED_STORES):
        say(f"{server.split()[0]} can show readers an update half done: switching by pointer")
        return "pointer"
    return "move"


def _intact(live: Record, graphs: dict[str, Graph], held: dict[str, int], names: Names) -> bool:
    """Whether the live release is ``graphs``, all there: nothing to do."""
    found = {names.original(name): (sha256, held.get(name)) for name, sha256 in live.graphs.items()}
    return found == {g.name: (g.sha256, g.size) for g in graphs.values()}


def _reusable(
    records: dict[str, Record],
    live: Record | None,
    pointer: bool,
    held: dict[str, int],
    names: Names,
) -> dict[str, dict[str, str]]:
    """For each graph of a release, by the release's own name: the contents the store
    holds whole already (SHA-256 -> name in the store). With ``move``, the live
    release's published graphs; with ``pointer``, any graph a release of the record
    names."""
    sources = list(records.values()) if pointer else [live] if live else []
    reusable: dict[str, dict[str, str]] = {}
    for source in sources:
        for name, sha256 in source.graphs.items():
            if sha256 and name in held and (pointer or name.startswith(names.published)):
                reusable.setdefault(names.original(name), {})[sha256] = name
    return reusable


def _check_uploads(held: dict[str, int], uploads: dict[str, str], graphs: dict[str, Graph]) -> None:
    for upload, graph in uploads.items():
        size = graphs[graph].size
        if held.get(upload, 0) != size:
            raise PublishError(
                f"the store holds {held.get(upload, 0):,} triples in <{upload}> after "
                f"{size:,} were sent: it changed the data, so nothing was switched"
            )


def _clean(
    client: StoreClient,
    names: Names,
    pointer: bool,
    records: dict[str, Record],
    held: dict[str, int],
) -> int:
    """Drop the uploads no kept release names, and (``pointer``) forget the releases
    before the one before the live one, which no reader should still be reading.
    Returns how many graphs went."""
    kept = record.by_availability(records)[:2] if pointer else []
    needed = {name for r in kept for name in r.graphs}
    stale = sorted(g for g in held if g.startswith(names.uploads) and g not in needed)
    operations = [f"DROP SILENT GRAPH <{g}>" for g in stale]
    if pointer:
        gone = sorted(set(records) - {r.release for r in kept})
        recorded = {name for r in records.values() for name in r.graphs}
        operations += record.forget(names, gone, sorted(recorded - needed))
    if operations:
        client.update(" ;\n".join(operations))
    return len(stale)
