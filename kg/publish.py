"""Write a release into a new folder, then make it current atomically.

Everything is written under ``releases/.building-<id>``; only a complete release is
renamed to ``releases/<id>``, and ``current`` is switched with one ``rename(2)`` of a
symbolic link, which POSIX makes atomic. A build that fails or is killed leaves the
previous release serving; its leftovers are removed by the next build.

The dumps are assembled from the units' fragments and the VoID counted from their
statistics (kg/assemble.py). The store is bulk-loaded from the N-Quads dump, or, for an
incremental build, is a RocksDB checkpoint of the current release's store (its files
hard-linked, not copied) in which the changed graphs are replaced.

What fails while the folder is written (a full disk, a file system error, a statement
too long for the engine to read back) is one :class:`~kg.errors.ReleaseError` (exit 6)
of one line, saying what to do; the previous release stays current.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg import __version__
from kg.assemble import Counts, Fragments, counts, write_dumps
from kg.config import Settings
from kg.dataset import Dataset
from kg.errors import ReleaseError
from kg.formats import GRAPHS, RdfSyntax, by_suffix, named
from kg.rdfconvert import quads
from kg.release import MANIFEST, Release, current_id, ids, read
from kg.validate import Report
from kg.void import MAX_EXAMPLES, Dump, Publisher, describe, examples

DUMP_NAME = "negotiations-kg"
# The dumps of a release: the merged graph in each syntax of one graph, the dataset
# with its named graphs in each syntax that keeps them.
DUMPS: tuple[RdfSyntax, ...] = tuple(
    named(n, GRAPHS) for n in ("turtle", "ntriples", "jsonld", "nquads", "trig")
)


def dump_name(syntax: RdfSyntax) -> str:
    return f"{DUMP_NAME}.{syntax.suffix}"


def dump_description(syntax: RdfSyntax) -> str:
    if syntax.named_graphs:
        return f"The dataset with its named graphs (one per source document), {syntax.label}"
    return f"All graphs merged, {syntax.label}"


DATASET, UNION = named("nquads", GRAPHS), named("ntriples", GRAPHS)  # the store loads the first
DATASET_DUMP, UNION_DUMP = dump_name(DATASET), dump_name(UNION)


def inputs_digest(settings: Settings) -> str:
    """A SHA-256 over everything a release is built from, to tell if it is up to date."""
    digest = hashlib.sha256(f"{__version__}\n{settings.base_iri}\n".encode())
    for folder in (settings.seeds_dir, settings.ontology_dir, settings.shapes_dir):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(f"{path.relative_to(folder).as_posix()}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@contextmanager
def build_lock(settings: Settings) -> Iterator[None]:
    """One build at a time per data folder."""
    try:
        settings.releases_dir.mkdir(parents=True, exist_ok=True)
        lock = (settings.data_dir / ".build.lock").open("w")
    except OSError as exc:
        raise ReleaseError(
            f"cannot write releases in {settings.data_dir}: {exc.strerror or exc} — set "
            "KG_DATA_DIR (--data-dir) to a folder that can be written"
        ) from exc
    with lock as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ReleaseError(
                f"another build is writing to {settings.data_dir}; wait for it to finish"
            ) from exc
        yield


def clock() -> dt.datetime:
    """When a release is made: its id and its dcterms:issued (tests set it, to compare
    two releases made alike byte for byte)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass
class Building:
    """A release being written under ``releases/.building-<id>``: not yet visible."""

    path: Path
    release_id: str
    created: dt.datetime
    store: str = ""  # how its store was made: "loaded" or "updated"
    checksums: dict[str, tuple[int, str]] = field(default_factory=dict)  # file: size, SHA-256
    statistics: dict[str, object] = field(default_factory=dict)  # for the manifest

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


@dataclass(frozen=True)
class Previous:
    """The current release an incremental build starts from, and the graphs that
    changed since (added, removed or different)."""

    store: Path
    changed: list[str]


def prepare(
    dataset: Dataset,
    fragments_of: Fragments,
    shapes: Graph,
    settings: Settings,
    previous: Previous | None = None,
    phase: Callable[[str], AbstractContextManager[object]] = lambda _: nullcontext(),
) -> Building:
    """Write the dumps, the VoID and the store of ``dataset`` into a new, invisible
    release folder. Call under build_lock; validation may run meanwhile. ``phase``
    wraps each step (dumps, void, store), for bench/build_bench.py to time."""
    ns = settings.ns
    created = clock()
    release_id = _new_id(settings, created)
    revision_of = current_id(settings)  # the release this one is a revision of
    for stale in settings.releases_dir.glob(".building-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a killed build
    building = Building(settings.releases_dir / f".building-{release_id}", release_id, created)
    try:
        building.path.mkdir(parents=True)
        with phase("dumps"):
            names = {syntax.suffix: dump_name(syntax) for syntax in DUMPS}
            links = str(ns.graph("wikidata-links"))
            written = write_dumps(dataset, fragments_of, building.path / "dumps", names,
                                  ns.prefixes(), links)  # fmt: skip
            described = {dump_name(s): dump_description(s) for s in DUMPS}
            described["wikidata-links.ttl"] = "owl:sameAs links to Wikidata, Turtle"
            dumps = [
                Dump(w.path.name, _media_type(w.path), w.size, w.sha256, described[w.path.name])
                for w in sorted(written.values(), key=lambda w: w.path.name)
            ]
            building.checksums = {f"dumps/{d.name}": (d.size, d.sha256) for d in dumps}
        with phase("void"):
            _write_graph(shapes, building.path / "shapes.ttl")
            publisher = Publisher(settings.publisher, settings.contact)
            figures = counts(dataset, examples(ns), MAX_EXAMPLES)
            building.statistics = _statistics(figures, settings)
            void = describe(figures, ns, release_id, created, dumps, publisher, revision_of)
            _write_graph(void, building.path / "void.ttl")
        with phase("store"):
            building.store = _store(building.path, dataset, fragments_of, previous)
            store = ox.Store(str(building.path / "store"))
            store.remove_graph(ox.NamedNode(str(ns.graph("void"))))
            store.bulk_extend(quads([_renamed(void, ns.graph("void"))]))
            store.flush()
            if building.store == "loaded":
                store.optimize()
            del store  # closes the RocksDB store before the folder moves
    except (OSError, MemoryError) as exc:
        building.discard()
        raise not_written(exc, settings) from exc
    except BaseException:
        building.discard()
        raise
    return building


def _store(
    folder: Path, dataset: Dataset, fragments_of: Fragments, previous: Previous | None
) -> str:
    """Make the release's store: update a checkpoint of the previous one (when there
    is one and it opens) or bulk-load the N-Quads dump. Says which."""
    target = folder / "store"
    if previous is not None:
        try:
            source = ox.Store.read_only(str(previous.store))
            source.backup(str(target))  # hard links to its immutable files
            del source
            store = ox.Store(str(target))
            for name in previous.changed:
                store.remove_graph(ox.NamedNode(name))
                if name in dataset.stats and dataset.stats[name].triples:
                    store.load(fragments_of(name)["nq"], format=ox.RdfFormat.N_QUADS)
            store.flush()
            del store
            return "updated"
        except OSError:
            shutil.rmtree(target, ignore_errors=True)  # then load it whole
    store = ox.Store(str(target))
    store.bulk_load(path=folder / "dumps" / DATASET_DUMP, format=DATASET.engine)
    del store
    return "loaded"


def finish(building: Building, report: Report, settings: Settings, inputs: str) -> Release:
    """Add the validation report and the manifest, then make the release current."""
    folder = building.path
    final = settings.releases_dir / building.release_id
    try:
        _write_graph(report.graph, folder / "validation-report.ttl")
        (folder / "validation-report.txt").write_text(report.text() + "\n", encoding="utf-8")
        _write_manifest(building, inputs, report, settings)
        folder.rename(final)
        _switch_current(settings, final)
    except BaseException as exc:
        building.discard()
        if final.exists() and settings.current_link.resolve() != final.resolve():
            shutil.rmtree(final, ignore_errors=True)  # renamed, but never made current
        if isinstance(exc, OSError | MemoryError):
            raise not_written(exc, settings) from exc
        raise
    _prune(settings)
    return read(final)


def not_written(exc: OSError | MemoryError, settings: Settings) -> ReleaseError:
    """What failed while a release was written, as one line that says what to do."""
    detail = " ".join(str(exc).split())[:200] or type(exc).__name__
    kept = current_id(settings)
    still = f"release {kept} stays current" if kept else "no release was made"
    if isinstance(exc, MemoryError):
        return ReleaseError(
            f"the release could not be written: a statement is longer than pyoxigraph "
            f"reads in one line (16 MiB of N-Triples; {detail}), most likely the text of a "
            f"source document over 16 MiB: split that document; {still}"
        )
    if exc.errno == errno.ENOSPC or "No space left" in detail or "os error 28" in detail:
        return ReleaseError(
            f"the release could not be written: the disk is full ({detail}); free "
            f"some space in {settings.data_dir} and build again; {still}"
        )
    return ReleaseError(f"the release could not be written: {detail}; {still}")


def _new_id(settings: Settings, created: dt.datetime) -> str:
    stamp = created.strftime("%Y%m%dT%H%M%SZ")
    release_id, n = stamp, 1
    while (settings.releases_dir / release_id).exists():
        n += 1
        release_id = f"{stamp}-{n}"
    return release_id


def _checksum(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()


def _write_graph(graph: Graph, path: Path) -> None:
    path.write_text(graph.serialize(format="turtle"), encoding="utf-8")


def _renamed(graph: Graph, name: URIRef) -> Graph:
    renamed = Graph(identifier=name)
    renamed += graph
    return renamed


def _statistics(figures: Counts, settings: Settings) -> dict[str, object]:
    """What ``kg build`` and ``kg stats`` print: the VoID's counts, names shortened."""
    ns = settings.ns
    nkg = str(ns.nkg)
    return {
        "triples": figures.triples,
        "subjects": figures.subjects,
        "graphs": {ns.shorten(name): n for name, n in figures.graph_triples},
        "classes": {ns.shorten(c): n for c, n in figures.class_entities if c.startswith(nkg)},
    }


def _write_manifest(building: Building, inputs: str, report: Report, settings: Settings) -> None:
    """manifest.json and SHA256SUMS: every file but the store, with its SHA-256 (the dumps'
    as they were written)."""
    folder, release_id, created = building.path, building.release_id, building.created
    files: dict[str, dict[str, object]] = {}
    for path in sorted(
        p for p in folder.rglob("*") if p.is_file() and "store" not in p.relative_to(folder).parts
    ):
        relative = path.relative_to(folder).as_posix()
        size, sha256 = building.checksums.get(relative) or _checksum(path)
        files[relative] = {
            "size": size,
            "sha256": sha256,
            "media_type": _media_type(path),
        }
    manifest = {
        "release": release_id,
        "created": created.isoformat(),
        "tool_version": __version__,
        "base_iri": settings.base_iri,
        "inputs_sha256": inputs,
        "validation": {"conforms": report.conforms, "results": len(report.results)},
        "statistics": building.statistics,
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    sums = "".join(f"{f['sha256']}  {name}\n" for name, f in files.items())
    (folder / "SHA256SUMS").write_text(sums, encoding="utf-8")


def _media_type(path: Path) -> str:
    syntax = by_suffix(path.suffix.removeprefix("."), GRAPHS)
    if syntax is not None:
        return syntax.media_type
    return {
        ".txt": "text/plain; charset=utf-8",
        ".json": "application/json",
    }.get(path.suffix, "application/octet-stream")


def _switch_current(settings: Settings, final: Path) -> None:
    link = settings.current_link
    temporary = settings.data_dir / f".current-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(final.relative_to(settings.data_dir))
    temporary.replace(link)  # rename(2): atomic
    directory = os.open(settings.data_dir, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _prune(settings: Settings) -> None:
    """Keep the newest ``keep_releases`` releases; never the one ``current`` points to."""
    live = settings.current_link.resolve()
    for old in ids(settings)[: -settings.keep_releases]:
        path = settings.releases_dir / old
        if path.resolve() != live:
            shutil.rmtree(path, ignore_errors=True)
