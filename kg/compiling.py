"""Read and compile the seeds into units (kg/units.py), reusing what the build cache
(kg/buildcache.py) holds and doing the rest in worker processes (kg/workers.py).

A document is read again only when its files changed: otherwise its interface
(kg/interface.py) stands for it. It is compiled again only when its files changed or
when something it looked up while compiling (kg/lookups.py) answers differently now;
otherwise its unit is reused. Every cache key includes the *compile key*: a digest of
this code and of the libraries that write RDF, the base IRI, the ontology and the
seeds folder's path (the file names that results and errors cite). The graphs that
belong to no document (ontology, registry, Wikidata links, seeds/concepts.yaml's
concepts, the Wikidata cache) are compiled every time: they are small.
"""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import Graph

import kg
from kg import seeds as seeds_module
from kg import workers
from kg.buildcache import BuildCache, Entry, digest, file_digests
from kg.changed import Before, Since, before, since
from kg.compile import Compiled, Compiler, Origin, Triples, cycle_collection_paused
from kg.config import Settings
from kg.errors import SeedError, SeedErrors
from kg.interface import document_of, interface, reusable
from kg.link import candidates as review
from kg.link.enrich import CACHE_FILE
from kg.namespaces import Namespaces
from kg.progress import Steps
from kg.seeds import Document, DocumentFiles, Seeds
from kg.units import (
    SYNTAXES,
    Stats,
    Unit,
    fragments,
    published,
    unit_of,
    unit_of_turtle,
)
from kg.vocabulary import turtle_files, turtle_text

LIBRARIES = ("rdflib", "pyoxigraph", "PyYAML")  # what reads seeds and writes RDF
PARALLEL_DOCUMENTS = 48  # below this, reading and compiling in this process is quicker


@cache
def code_key() -> str:
    """A digest of this code and of the libraries that read seeds and write RDF."""
    package = Path(kg.__file__).parent
    versions = [f"{n} {importlib.metadata.version(n)}" for n in LIBRARIES]
    return digest(["kg-code/1", *versions, *file_digests(sorted(package.glob("*.py")))])


def compile_key(settings: Settings) -> str:
    """The part of every document's cache key that is not its own files."""
    ontology = file_digests(turtle_files(settings.ontology_dir))
    return digest([code_key(), settings.base_iri, str(settings.seeds_dir), *ontology])


@dataclass(frozen=True)
class UnitRef:
    """A unit in the cache: its graph, its cache key, its statistics."""

    name: str
    key: str
    stats: Stats


@dataclass
class CompiledSeeds:
    """The seeds compiled into units, with what the rest of the build needs."""

    seeds: Seeds  # documents read in full, or standing in by their interface
    units: dict[str, UnitRef]
    key: str  # the compile key
    compiled: list[str] = field(default_factory=list)  # documents compiled by this build
    entries: dict[str, str] = field(default_factory=dict)  # document: its cache entry
    before: Before | None = None  # what the next build compares with
    shared_origins: dict[str, Origin] = field(default_factory=dict)

    def origins(self, cache: BuildCache) -> Callable[[str], Origin | None]:
        """Where each node was written (read from the cache when first asked)."""
        found: dict[str, Origin] = {}

        def lookup(node: str) -> Origin | None:
            if not found:
                found.update(self.shared_origins)
                for key in self.entries.values():
                    entry = cache.open("documents", key)
                    rows = entry.json("origins") if entry else None
                    for iri, path, line in rows or ():
                        found.setdefault(iri, (Path(path), int(line)))
            return found.get(node)

        return lookup


@dataclass
class _Context:
    """What a worker needs to compile documents: the seeds as the parent read them
    (interfaces for most documents), the ontology, the cache."""

    seeds: Seeds
    ontology: str  # N-Triples
    base_iri: str
    cache: Path
    keys: dict[str, str]  # document: its cache key
    use_cache: bool  # False: write the cache, never read it (kg build --full)


def compile_units(
    settings: Settings,
    ontology: Graph,
    cache: BuildCache,
    steps: Steps,
    use_cache: bool = True,
    refuse_drafts: bool = True,
    previous: Before | None = None,
) -> CompiledSeeds:
    """Read and compile the seeds; raise SeedErrors listing every problem found.
    ``previous``: what the current release's documents looked up of one another, to
    ask only what may have changed since (kg/changed.py)."""
    key = compile_key(settings)
    ns = settings.ns
    reader = _Reader(cache if use_cache else None, key, settings.build_workers)
    try:
        with steps.step("read seeds"):
            seeds = seeds_module.load(settings.seeds_dir, reader=reader.read)
            check_seeds(settings, seeds, steps, refuse_drafts)
            compiler = Compiler(seeds, ontology, ns, sink=lambda _: Triples())
            out = CompiledSeeds(seeds, {}, key)
            changes = _since(seeds, reader, previous) if previous and use_cache else None
            to_compile = _reuse(compiler, reader, out, previous, changes)
        total = len(seeds.documents)
        with steps.step(f"compile {len(to_compile):,} of {total:,} documents"):
            with cycle_collection_paused():
                compiler.run_shared()
            compiler.raise_errors()
            _shared_units(settings, compiler.out, cache, out, use_cache)
            _compile(settings, compiler, reader, to_compile, cache, out)
    finally:
        reader.close()
    out.before = before(seeds, out.entries)
    return out


def check_seeds(settings: Settings, seeds: Seeds, steps: Steps, refuse_drafts: bool) -> None:
    """What is checked of the seeds beyond reading them: their warnings shown, drafts
    refused by a release (``refuse_drafts``), proposals not reviewed yet warned of, the
    review candidates readable."""
    for warning in seeds.warnings():
        steps.warn(warning)
    if refuse_drafts and (drafts := seeds.drafts()):
        raise SeedErrors(drafts)
    for proposal in seeds.proposals():  # drafted claims are warned of by a shape
        steps.warn(str(proposal))
    candidates = settings.seeds_dir / review.CANDIDATES_FILE
    if candidates.exists():  # never used, but an edit that breaks it is caught here
        review.read(candidates, {e.id for e in seeds.entities})


def _since(seeds: Seeds, reader: _Reader, previous: Before) -> Since | None:
    """What changed since the current release, as far as lookups go."""
    by_slug = {document.slug: document for document in seeds.documents}

    def old_interface(key: str) -> dict[str, Any] | None:
        entry = reader.cache.open("documents", key) if reader.cache else None
        plain = entry.json("interface") if entry else None
        return plain if isinstance(plain, dict) else None

    return since(seeds, reader.keys, previous, old_interface, lambda s: interface(by_slug[s]))


def _shared_units(
    settings: Settings,
    shared: Compiled[Triples],
    cache: BuildCache,
    out: CompiledSeeds,
    use_cache: bool,
) -> None:
    ns = settings.ns
    units = [unit_of(str(name), triples) for name, triples in shared.graphs.items()]
    # Graphs read from Turtle files: their blank nodes (the ontology's OWL axioms) are
    # named in the order of the files, which rdflib's graphs do not keep.
    ontology = [turtle_text(path, ns) for path in turtle_files(settings.ontology_dir)]
    units.append(unit_of_turtle(str(ns.graph("ontology")), ontology))
    wikidata = settings.seeds_dir / CACHE_FILE
    if wikidata.exists():
        units.append(unit_of_turtle(str(ns.graph("wikidata-cache")), [turtle_text(wikidata, ns)]))
    for unit in units:
        out.units[unit.name] = store_unit(cache, unit, ns, use_cache)
    out.shared_origins = {str(node): origin for node, origin in shared.origins.items()}


def _reuse(
    compiler: Compiler,
    reader: _Reader,
    out: CompiledSeeds,
    previous: Before | None,
    changes: Since | None,
) -> list[str]:
    """Take from the cache the unit of each document whose lookups answer as before;
    the documents left to compile."""
    to_compile = []
    for document in out.seeds.documents:
        key = reader.keys[document.slug]
        unchanged = changes if previous and previous.documents.get(document.slug) == key else None
        reused = reader.reusable_unit(document.slug, compiler, compiler.ns, unchanged)
        if reused is None:
            to_compile.append(document.slug)
        else:
            out.units[reused.name] = reused
            out.entries[document.slug] = reader.keys[document.slug]
    return to_compile


def _compile(
    settings: Settings,
    compiler: Compiler,
    reader: _Reader,
    slugs: list[str],
    cache: BuildCache,
    out: CompiledSeeds,
) -> None:
    if not slugs:
        return
    reader.state["compiler"] = compiler  # for documents compiled in this process
    context = _Context(out.seeds, compiler.ontology.serialize(format="nt"), settings.base_iri,
                       cache.root, reader.keys, reader.use_cache)  # fmt: skip
    errors: list[SeedError] = []
    for slug, ref, problems, written in reader.compile(context, slugs):
        errors += problems
        if ref is not None:
            out.units[ref.name] = ref
            out.compiled.append(slug)
            if written:
                out.entries[slug] = reader.keys[slug]
    if errors:
        raise SeedErrors(errors)


def store_unit(cache: BuildCache, unit: Unit, ns: Namespaces, use_cache: bool = True) -> UnitRef:
    """Put ``unit`` and its fragments in the cache, unless a sound copy is there (and
    ``use_cache``)."""
    key = unit_key(unit.name, unit.sha256, ns)
    if use_cache and (stored := open_unit(cache, key, unit.name, ns)) is not None:
        return stored
    public = published(unit)
    stats = Stats.of(public)
    sections = fragments(public, ns.prefixes())
    body = {"name": unit.name.encode(), "raw": b"".join(unit.lines)}
    body |= {s: sections[s] for s in SYNTAXES}
    body["stats"] = stats.to_bytes()
    cache.write("units", key, body)
    return UnitRef(unit.name, key, stats)


def unit_key(name: str, sha256: str, ns: Namespaces) -> str:
    """A unit's cache key: its graph's name and N-Triples, the dumps' prefixes, the
    code that writes its published form and fragments."""
    return digest([code_key(), name, sha256, json.dumps(list(ns.prefixes().items()))])


def open_unit(cache: BuildCache, key: str, name: str, ns: Namespaces) -> UnitRef | None:
    """The unit stored under ``key``, if its N-Triples are whole and make that key."""
    entry = cache.open("units", key)
    if entry is None or entry.bytes("name") != name.encode():
        return None
    raw, stats = entry.bytes("raw"), entry.bytes("stats")  # each checked against its hash
    if raw is None or stats is None:
        return None
    if unit_key(name, entry.sha256("raw"), ns) != key:
        return None
    try:
        return UnitRef(name, key, Stats.from_bytes(stats))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


# --- reading and compiling documents, here or in worker processes ----------------------------


class _Reader:
    """Reads the documents the cache cannot stand for, in worker processes when there
    are many; the same workers then compile them (each keeps those it read)."""

    def __init__(self, cache: BuildCache | None, key: str, worker_setting: int) -> None:
        self.cache, self.key, self.worker_setting = cache, key, worker_setting
        self.use_cache = cache is not None
        self.keys: dict[str, str] = {}  # document: its cache key
        self.entries: dict[str, Entry] = {}  # document: its cache entry, when sound
        self.state: dict[str, Any] = {}  # this process's, when it works alone
        self.pool: workers.Workers | None = None
        self.where: dict[str, int] = {}  # document: the worker that read it

    def read(self, files: list[DocumentFiles]) -> tuple[list[Document], list[SeedError]]:
        """The documents of ``files``: their interfaces from the cache, or read."""
        found: dict[str, Document] = {}
        to_read: list[DocumentFiles] = []
        for slug, text, annotation in files:
            self.keys[slug] = document_key(self.key, slug, text, annotation)
            stub = self._interface(slug)
            if stub is None:
                to_read.append((slug, text, annotation))
            else:
                found[slug] = stub
        errors: list[SeedError] = []
        for slug, (document, problems) in self._read(to_read):
            errors += problems
            if document is not None:
                found[slug] = document
        return [found[slug] for slug, _, _ in files if slug in found], errors

    def _read(
        self, files: list[DocumentFiles]
    ) -> Iterable[tuple[str, tuple[Document | None, list[SeedError]]]]:
        if len(files) >= PARALLEL_DOCUMENTS or self.worker_setting > 1:
            self._start(len(files))
        if self.pool is None:
            return zip([f[0] for f in files], _read_documents(files, self.state), strict=True)
        shares = _shares(files, len(self.pool))
        answers = self.pool.each(_read_in_worker, [(share,) for share in shares])
        found = []
        for number, (share, answer) in enumerate(zip(shares, answers, strict=True)):
            for (slug, _, _), read in zip(share, answer, strict=True):
                self.where[slug] = number
                found.append((slug, read))
        return found

    def _interface(self, slug: str) -> Document | None:
        entry = self.cache.open("documents", self.keys[slug]) if self.cache else None
        plain = entry.json("interface") if entry else None
        if entry is None or plain is None:
            return None
        try:
            document = document_of(plain)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            return None
        self.entries[slug] = entry
        return document

    def reusable_unit(
        self, slug: str, compiler: Compiler, ns: Namespaces, changes: Since | None
    ) -> UnitRef | None:
        """The unit of a document the cache stands for, when what it looked up while
        compiling still answers the same: as ``changes`` tells for a document that is
        unchanged since the current release, or asked again."""
        entry = self.entries.get(slug)
        compiled = entry.json("compiled") if entry else None
        if self.cache is None or not isinstance(compiled, dict):
            return None
        reads, name, unit = compiled.get("reads"), compiled.get("graph"), compiled.get("unit")
        if not isinstance(reads, list) or not isinstance(name, str) or not isinstance(unit, str):
            return None
        if not (changes.unaffected(reads) if changes else compiler.lookups.still(reads)):
            return None
        return open_unit(self.cache, unit, name, ns)

    def compile(self, context: _Context, slugs: list[str]) -> list[_Compiled]:
        """Compile ``slugs``: each in the worker that read it, the others spread."""
        if self.pool is None and (len(slugs) >= PARALLEL_DOCUMENTS or self.worker_setting > 1):
            self._start(len(slugs))
        if self.pool is None:
            return _compile_documents(context, slugs, self.state)
        shares: list[list[str]] = [[] for _ in range(len(self.pool))]
        for slug in slugs:
            if slug in self.where:
                shares[self.where[slug]].append(slug)
        for slug in slugs:
            if slug not in self.where:
                min(shares, key=len).append(slug)
        answers = self.pool.each(_compile_in_worker, [(context, share) for share in shares])
        return [answer for share in answers for answer in share]

    def _start(self, documents: int) -> None:
        """Start the workers, as many as set or, by default, as CPUs (fewer for a few
        documents)."""
        if self.worker_setting:
            count = min(self.worker_setting, documents)
        else:
            count = min(workers.count(0), documents // (PARALLEL_DOCUMENTS // 2))
        if self.pool is None and count > 1:
            self.pool = workers.Workers(count)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


_Compiled = tuple[str, UnitRef | None, list[SeedError], bool]  # see _compile_documents


def document_key(compile_key: str, slug: str, text: Path, annotation: Path) -> str:
    """A document's cache key: the compile key and the document's two files."""
    return digest([compile_key, slug, text.read_bytes(), annotation.read_bytes()])


def _shares(files: list[DocumentFiles], n: int) -> list[list[DocumentFiles]]:
    """``files`` in ``n`` shares of about the same size in bytes, each in name order."""
    shares: list[list[DocumentFiles]] = [[] for _ in range(n)]
    sizes = [0] * n
    for item in sorted(files, key=lambda f: (-f[2].stat().st_size, f[0])):
        smallest = sizes.index(min(sizes))
        shares[smallest].append(item)
        sizes[smallest] += item[2].stat().st_size
    return [sorted(share) for share in shares]


def _read_documents(
    files: list[DocumentFiles], state: dict[str, Any]
) -> list[tuple[Document | None, list[SeedError]]]:
    """Read documents in full; keep them for compiling; answer their interfaces (or,
    for one the cache cannot stand for, the document itself)."""
    kept: dict[str, Document] = state.setdefault("documents", {})
    answers: list[tuple[Document | None, list[SeedError]]] = []
    for slug, text, annotation in files:
        document, problems = seeds_module.read_document(slug, text, annotation)
        if document is not None:
            kept[slug] = document
            if reusable(document):
                state.setdefault("interfaces", {})[slug] = plain = interface(document)
                document = document_of(plain)
        answers.append((document, problems))
    return answers


def _read_in_worker(files: list[DocumentFiles]) -> list[tuple[Document | None, list[SeedError]]]:
    return _read_documents(files, workers.state)


def _compile_in_worker(context: _Context, slugs: list[str]) -> list[_Compiled]:
    return _compile_documents(context, slugs, workers.state)


def _compile_documents(
    context: _Context, slugs: list[str], state: dict[str, Any]
) -> list[_Compiled]:
    """Compile documents (those this process read, or read them now); store each unit
    and, for a document the cache can stand for, its entry. Answers, by document: its
    unit, its problems, whether its entry was written."""
    if not slugs:
        return []
    ns = Namespaces(context.base_iri)
    cache = BuildCache(context.cache)
    compiler: Compiler | None = state.get("compiler")  # the parent's, when it works alone
    if compiler is None:
        ontology = Graph().parse(data=context.ontology, format="nt")
        compiler = Compiler(context.seeds, ontology, ns, sink=lambda _: Triples())
    kept: dict[str, Document] = state.setdefault("documents", {})
    interfaces: dict[str, Any] = state.setdefault("interfaces", {})
    by_slug = {d.slug: d for d in context.seeds.documents}
    answers: list[_Compiled] = []
    with cycle_collection_paused():
        for slug in slugs:
            document = kept.get(slug)
            if document is None:  # the cache stood for it; what it looked up changed
                stub = by_slug[slug]
                document, problems = seeds_module.read_document(
                    slug, stub.text_path, stub.annotation_path
                )
                if document is None or problems:
                    answers.append((slug, None, problems, False))
                    continue
                interfaces[slug] = interface(document)
            before = len(compiler.errors)
            graph = compiler.document(document)
            problems = compiler.errors[before:]
            if problems:
                answers.append((slug, None, problems, False))
                continue
            unit = unit_of(str(ns.graph(slug)), graph.triples)
            ref = store_unit(cache, unit, ns, context.use_cache)
            written = reusable(document)
            if written:
                origins = [[str(n), str(p), line] for n, (p, line) in graph.origins.items()]
                reads = [[*read, answer] for read, answer in graph.reads.items()]
                cache.write_json("documents", context.keys[slug], {
                    "interface": interfaces.get(slug) or interface(document),
                    "compiled": {"reads": reads, "graph": unit.name, "unit": ref.key},
                    "origins": origins,
                })  # fmt: skip
            answers.append((slug, ref, [], written))
    return answers
