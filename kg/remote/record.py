"""What ``kg publish`` keeps in a store: the names it gives graphs there, and the
record of the releases it published, the graph ``{base}graph/publication``.

For each release, the record says its ``dcat:version``, the names its graphs have in
the store (``void:subset``), each with the SHA-256 of its content (``spdx:checksum``,
as in the release's own VoID), and when it went live (``dcterms:available``; the
release that went live last is the live one). It is plain RDF in the store itself, so
a reader, and the next publish, need nothing else.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field

from kg.remote.client import StoreClient

DCAT_VERSION = "http://www.w3.org/ns/dcat#version"
DCTERMS_AVAILABLE = "http://purl.org/dc/terms/available"
VOID_SUBSET = "http://rdfs.org/ns/void#subset"
SPDX = "http://spdx.org/rdf/terms#"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"


@dataclass(frozen=True)
class Names:
    """The names a publication uses in the store, all under the release's base IRI."""

    base: str

    @property
    def record(self) -> str:
        return f"{self.base}graph/publication"

    @property
    def published(self) -> str:
        """The prefix of the published names, as on ``kg serve``."""
        return f"{self.base}graph/"

    @property
    def uploads(self) -> str:
        """The prefix of every uploaded graph, of any release."""
        return f"{self.base}release/"

    def release(self, release_id: str) -> str:
        return f"{self.base}release/{release_id}"

    def uploaded(self, release_id: str, graph: str) -> str:
        """Where ``graph`` of release ``release_id`` is uploaded."""
        return f"{self.release(release_id)}/{graph.removeprefix(self.base)}"

    def release_of(self, uploaded: str) -> str:
        """The release id in an uploaded graph's name."""
        return uploaded.removeprefix(self.uploads).split("/", 1)[0]

    def original(self, name: str) -> str:
        """The release's own name of a graph, from its name in the store."""
        if name.startswith(self.uploads):
            return self.base + name.removeprefix(self.uploads).split("/", 1)[1]
        return name


@dataclass
class Record:
    """What the record says of one release."""

    release: str
    graphs: dict[str, str] = field(default_factory=dict)  # name in the store -> SHA-256
    available: dt.datetime | None = None  # when it last went live; None: never


def read(client: StoreClient, names: Names) -> dict[str, Record]:
    """Every release in the record, by id."""
    rows = client.select(
        f"SELECT ?version ?available ?graph ?sha256 WHERE {{ GRAPH <{names.record}> {{ "
        f"?release <{DCAT_VERSION}> ?version "
        f"OPTIONAL {{ ?release <{DCTERMS_AVAILABLE}> ?available }} "
        f"OPTIONAL {{ ?release <{VOID_SUBSET}> ?graph "
        f"OPTIONAL {{ ?graph <{SPDX}checksum>/<{SPDX}checksumValue> ?sha256 }} }} }} }}"
    )
    records: dict[str, Record] = {}
    for row in rows:
        record = records.setdefault(row["version"], Record(row["version"]))
        if "graph" in row:
            record.graphs[row["graph"]] = row.get("sha256", "")
        if "available" in row:
            when = _datetime(row["available"])
            if record.available is None or when > record.available:
                record.available = when
    return records


def by_availability(records: dict[str, Record]) -> list[Record]:
    """The releases that went live, the live one first."""
    went_live = [r for r in records.values() if r.available is not None]
    return sorted(went_live, key=lambda r: r.available or dt.datetime.min, reverse=True)


def live(records: dict[str, Record]) -> Record | None:
    ordered = by_availability(records)
    return ordered[0] if ordered else None


def insert(names: Names, release: str, graphs: dict[str, str], available: bool) -> str:
    """An INSERT DATA of the release's record: its graphs with their SHA-256, and, if
    ``available``, the triple that makes it live, now. No blank nodes (Virtuoso takes
    none in INSERT DATA): a checksum is named by its hash (RFC 6920, ``ni:``), so the
    same record written twice is the same triples."""
    subject = f"<{names.release(release)}>"
    triples = [f'{subject} <{DCAT_VERSION}> "{release}"']
    for name, sha256 in sorted(graphs.items()):
        checksum = "<ni:///sha-256;" + base64.urlsafe_b64encode(bytes.fromhex(sha256)).decode()
        checksum = checksum.rstrip("=") + ">"
        triples += [
            f"{subject} <{VOID_SUBSET}> <{name}>",
            f"<{name}> <{SPDX}checksum> {checksum}",
            f"{checksum} <{SPDX}algorithm> <{SPDX}checksumAlgorithm_sha256>",
            f'{checksum} <{SPDX}checksumValue> "{sha256}"',
        ]
    if available:
        triples.append(going_live(names, release, None))
    return f"INSERT DATA {{ GRAPH <{names.record}> {{ {' . '.join(triples)} }} }}"


def going_live(names: Names, release: str, latest: dt.datetime | None) -> str:
    """The one triple that makes ``release`` live: available now, after ``latest``."""
    now = dt.datetime.now(dt.UTC)
    if latest is not None and now <= latest:  # clocks that disagree
        now = latest + dt.timedelta(milliseconds=1)
    literal = f'"{now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}"^^<{XSD_DATETIME}>'
    return f"<{names.release(release)}> <{DCTERMS_AVAILABLE}> {literal}"


def forget(names: Names, releases: list[str], graphs: list[str]) -> list[str]:
    """Update operations that take ``releases`` and ``graphs`` out of the record, and
    the checksums no graph has any more."""
    record = names.record
    operations = [
        f"DELETE WHERE {{ GRAPH <{record}> {{ <{names.release(r)}> ?p ?o }} }}" for r in releases
    ]
    operations += [f"DELETE WHERE {{ GRAPH <{record}> {{ <{g}> ?p ?o }} }}" for g in graphs]
    if graphs:
        operations.append(
            f"DELETE {{ GRAPH <{record}> {{ ?c ?p ?o }} }} WHERE {{ GRAPH <{record}> {{ "
            f"?c <{SPDX}checksumValue> ?value ; ?p ?o "
            f"FILTER NOT EXISTS {{ ?graph <{SPDX}checksum> ?c }} }} }}"
        )
    return operations


def live_graphs(base: str) -> str:
    """A graph pattern that binds ``?graph`` to each graph of the live release: how a
    reader of a ``pointer`` store (or of any store kg publish wrote) finds them."""
    names = Names(base)
    return (
        f"GRAPH <{names.record}> {{\n"
        f"    {{ SELECT ?release WHERE {{ ?release <{DCTERMS_AVAILABLE}> ?available }}\n"
        f"      ORDER BY DESC(?available) LIMIT 1 }}\n"
        f"    ?release <{VOID_SUBSET}> ?graph\n"
        f"  }}"
    )


def reader_query(base: str) -> str:
    """The graphs of the live release (README, "Publishing into a SPARQL store")."""
    return f"SELECT ?graph WHERE {{\n  {live_graphs(base)}\n}}"


def _datetime(text: str) -> dt.datetime:
    when = dt.datetime.fromisoformat(text.strip())
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
