"""Compile checked seeds into RDF: one named graph per source document, plus the
registry, the Wikidata identity links and the ontology.

IRIs are minted from ids alone (``{base}id/{kind}/{id}``), so a rebuild never changes
an IRI. Every claim node cites its evidence after the W3C Web Annotation model (an
``oa:SpecificResource`` with a Text Position and a Text Quote selector) and PROV-O:
``prov:wasQuotedFrom`` for a direct quotation, ``prov:wasDerivedFrom`` otherwise.
"""

from __future__ import annotations

import difflib
import gc
import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.term import Node as RdfNode

from kg import concepts, structured
from kg.claimtypes import APPROVED_BY, CLAIM_TYPES, DRAFT, Field, ValueKind
from kg.errors import SeedError, SeedErrors
from kg.evidence import QuoteAmbiguous, QuoteNotFound, SourceText, Span
from kg.lookups import Lookups, Read
from kg.namespaces import OA, SCHEMA, WD, Namespaces
from kg.seeds import Claim, ConceptDeclaration, Document, Entity, Quote, Record, Run, Seeds
from kg.values import (
    BadValue,
    PartialDate,
    parse_boolean,
    parse_date,
    parse_date_time,
    parse_duration,
    parse_positive_integer,
)
from kg.vocabulary import ConceptIndex, name_key
from kg.yamlfile import Node, Scalar, Sequence

Origin = tuple[Path, int]  # the file and line a node was written at
Triple = tuple[RdfNode, RdfNode, RdfNode]
CLAIM_KINDS = tuple(t.kind for t in CLAIM_TYPES)
STRUCTURED = (ValueKind.DEADLINE, ValueKind.WHEN, ValueKind.QUANTITY)


class Sink(Protocol):
    """Where the triples of one named graph go: an rdflib Graph, or a plain list."""

    def add(self, triple: Triple, /) -> Any: ...


class Triples(list[Triple]):
    """A named graph as the list of its triples in the order they were made: the
    build's sink, cheaper than a graph (kg/units.py sorts and deduplicates them)."""

    def add(self, triple: Triple, /) -> None:
        self.append(triple)


def graph_sink(name: URIRef) -> Graph:
    # The store without per-context bookkeeping: adding and reading triples is faster
    # and smaller; len() counts, so count once where it matters.
    return Graph(store="SimpleMemory", identifier=name)


G = TypeVar("G", Graph, Triples)


@dataclass
class Compiled(Generic[G]):
    """The compiled dataset: named graphs (rdflib graphs, or lists of triples for a
    build), and where each node was written."""

    graphs: dict[URIRef, G] = field(default_factory=dict)
    origins: dict[RdfNode, Origin] = field(default_factory=dict)
    sink: Callable[[URIRef], G] = graph_sink  # type: ignore[assignment]

    def graph(self, name: URIRef) -> G:
        if name not in self.graphs:
            self.graphs[name] = self.sink(name)
        return self.graphs[name]

    def __len__(self) -> int:
        return sum(len(g) for g in self.graphs.values())


@dataclass
class DocumentGraph:
    """One document compiled: its graph, where its nodes were written, and what it
    looked up about the rest of the seeds (kg/lookups.py)."""

    slug: str
    triples: Triples
    origins: dict[RdfNode, Origin]
    reads: dict[Read, Any]


def compile_seeds(seeds: Seeds, ontology: Graph, ns: Namespaces) -> Compiled[Graph]:
    """Compile ``seeds`` into rdflib graphs; raise SeedErrors listing every problem."""
    compiler = Compiler(seeds, ontology, ns)
    with cycle_collection_paused():
        compiler.run()
    compiler.raise_errors()
    return compiler.out


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Compiling makes millions of objects that live as long as the dataset; every full
    pass of the cyclic garbage collector would scan them all again (about 40% of the
    compile time at 1M triples). Reference counting frees everything else as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Compiler:
    """Compiles seeds: everything at once (:meth:`run`), or the graphs that are not a
    document's (:meth:`run_shared`) and one document at a time (:meth:`document`).
    ``seeds`` may hold documents summarised by the build cache (kg/buildcache.py):
    enough of them for what other documents look up, not to compile them."""

    def __init__(
        self, seeds: Seeds, ontology: Graph, ns: Namespaces, sink: Any = graph_sink
    ) -> None:
        self.seeds, self.ontology, self.ns = seeds, ontology, ns
        self.nkg = ns.nkg
        self.concepts = ConceptIndex.from_graph(ontology, ns)
        self.errors: list[SeedError] = []
        self.declared = concepts.register(self.concepts, seeds.declared_concepts(), ns, self._error)
        self.out: Compiled[Any] = Compiled(sink=sink)
        self.lookups = Lookups(seeds, ontology, ns, self.concepts, self.declared)
        self._context = structured.Context(
            ns,
            self._error,
            self._reference,
            self._concept_value,
            self.lookups.concept_label,
            self.lookups.date,
        )
        self._terms: dict[str, URIRef] = {}  # predicates and classes by name, made once
        self._evidence_written: set[URIRef] = set()

    def run(self) -> None:
        graph = self.out.graph(self.ns.graph("ontology"))
        for triple in self.ontology:
            graph.add(triple)
        self.run_shared()
        for document in self.seeds.documents:
            self._document(document)

    def run_shared(self) -> None:
        """The graphs that belong to no document but the ontology's (kg/compiling.py
        reads that from its files): registry, Wikidata links, seeds/concepts.yaml's
        concepts."""
        self._registry()
        shared = [d for d in self.declared if d.document is None]
        if shared:
            graph = self.out.graph(self.ns.graph(concepts.DECLARED_GRAPH))
            for declaration in shared:
                self._concept(graph, declaration, "en")

    def document(self, document: Document) -> DocumentGraph:
        """Compile one document (read in full) into a list of triples, recording what it
        looks up; its errors join :attr:`errors`."""
        for claim in document.claims:
            self.lookups.define(claim)  # its own records, read in full
        saved, self.out = self.out, Compiled[Triples](sink=lambda _: Triples())
        self._evidence_written = set()
        try:
            with self.lookups.recording() as reads:
                self._document(document)
            out = self.out
        finally:
            self.out = saved
        name = self.ns.graph(document.slug)
        return DocumentGraph(document.slug, out.graphs.get(name, Triples()), out.origins, reads)

    def raise_errors(self) -> None:
        if self.errors:
            raise SeedErrors(self.errors)

    def _concept(self, graph: Sink, declaration: ConceptDeclaration, language: str) -> URIRef:
        iri = self.ns.concept(declaration.scheme.name, declaration.id)
        self.out.origins[iri] = (declaration.path, declaration.line)
        for triple in concepts.triples(
            declaration, self.lookups, self.ns, self.lookups.qids, language, self._error
        ):
            graph.add(triple)
        return iri

    # --- registry ----------------------------------------------------------------------

    def _registry(self) -> None:
        graph = self.out.graph(self.ns.graph("registry"))
        links = self.out.graph(self.ns.graph("wikidata-links"))
        linked: dict[str, Entity] = {}
        # Proposed entities are compiled only by `kg validate` (a build refuses them),
        # so that the drafted claims naming them can be checked before review.
        for entity in (*self.seeds.entities, *self.seeds.proposed()):
            iri = self.lookups.targets[entity.id].iri
            self.out.origins[iri] = (entity.path, entity.line)
            for curie in entity.kind.classes:
                graph.add((iri, RDF.type, self._predicate(curie)))
            graph.add((iri, RDFS.label, Literal(entity.label, lang="en")))
            for alias in entity.aliases:
                graph.add((iri, SKOS.altLabel, Literal(alias, lang="en")))
            if note := entity.text("note"):
                graph.add((iri, SKOS.editorialNote, Literal(note, lang="en")))
            for spec in entity.kind.fields:
                self._field(graph, iri, entity, spec, "en")
            if entity.wikidata:
                self._link(links, iri, entity, linked)
            if run := entity.text(DRAFT):  # a proposal: a warning until accepted
                graph.add((iri, PROV.wasGeneratedBy, self.ns.resource("extraction-run", run)))

    def _link(self, links: Sink, iri: URIRef, entity: Entity, linked: dict[str, Entity]) -> None:
        qid, line = entity.wikidata, entity.line_of("wikidata")
        assert qid is not None
        if qid not in self.seeds.verified_qids:
            self._error(
                entity.path,
                line,
                f"uses the Wikidata id {qid}, which is not in wikidata-verified.tsv",
                "check the id against a public source and add "
                "it to wikidata-verified.tsv first, or remove it; never guess an id",
            )
            return
        if (other := linked.setdefault(qid, entity)) is not entity:
            self._error(
                entity.path,
                line,
                f"links {qid}, already linked to {other.id!r} (line {other.line})",
                "one Wikidata item identifies one entity: remove the wrong link",
            )
            return
        links.add((iri, OWL.sameAs, WD[qid]))

    # --- documents and claims ----------------------------------------------------------

    def _document(self, document: Document) -> None:
        ns, nkg = self.ns, self.nkg
        graph = self.out.graph(ns.graph(document.slug))
        doc = ns.resource("source", document.slug)
        self.out.origins[doc] = (document.annotation_path, document.metadata_line)
        language = document.metadata["language"].value if "language" in document.metadata else "en"
        text_bytes = document.text_path.read_bytes()
        graph.add((doc, RDF.type, nkg.SourceDocument))
        for key, predicate in (("title", DCTERMS.title), ("title", RDFS.label)):
            if key in document.metadata:
                graph.add((doc, predicate, Literal(document.metadata[key].value, lang=language)))
        graph.add((doc, DCTERMS.language, Literal(language)))
        graph.add((doc, DCTERMS.format, Literal("text/plain; charset=utf-8")))
        graph.add((doc, SCHEMA.text, Literal(document.text)))
        graph.add((doc, nkg.sha256, Literal(hashlib.sha256(text_bytes).hexdigest())))
        graph.add(
            (doc, nkg.characterCount, Literal(len(document.text), datatype=XSD.nonNegativeInteger))
        )
        self._document_metadata(graph, doc, document)
        for run in document.runs:
            self._run(graph, run)
        source = SourceText(document.text)
        indexed = {(d.scheme.name, d.id) for d in self.declared if d.document == document.slug}
        for declaration in document.concepts:  # as read in full: with their evidence
            if (declaration.scheme.name, declaration.id) in indexed:
                iri = self._concept(graph, declaration, language)
                self._cite(graph, doc, source, declaration, iri, PROV.wasDerivedFrom)
        for claim in document.claims:
            self._claim(graph, doc, source, claim, language)
            self._provenance(graph, claim)

    def _run(self, graph: Sink, run: Run) -> None:
        """An extraction run of ``kg draft``: a prov:Activity with its extractor, model,
        prompt hash and start time (PROV-O, section 3.1)."""
        nkg, iri = self.nkg, self.ns.resource("extraction-run", run.id)
        self.out.origins[iri] = (run.path, run.line)
        extractor = run.text("extractor") or "?"
        graph.add((iri, RDF.type, nkg.ExtractionRun))
        graph.add((iri, RDFS.label, Literal(f"Extraction run {run.id} ({extractor})", lang="en")))
        graph.add((iri, nkg.extractor, Literal(extractor)))
        for key, predicate in (("model", nkg.model), ("prompt hash", nkg.promptHash)):
            if value := run.text(key):
                graph.add((iri, predicate, Literal(value)))
        if date := run.text("date"):
            try:
                graph.add((iri, PROV.startedAtTime, parse_date_time(date)))
            except BadValue as exc:
                self._error(run.path, run.line_of("date"), "has a bad run date", str(exc))

    def _provenance(self, graph: Sink, claim: Claim) -> None:
        """A drafted claim was generated by its run and, once reviewed, is attributed
        to the person who approved it (PROV-O wasGeneratedBy, wasAttributedTo)."""
        if claim.run is None:
            return
        iri = self.lookups.targets[claim.id].iri
        graph.add((iri, PROV.wasGeneratedBy, self.ns.resource("extraction-run", claim.run)))
        if approver := claim.text(APPROVED_BY):
            agent = self.ns.resource("reviewer", _slug(approver))
            graph.add((iri, PROV.wasAttributedTo, agent))
            graph.add((agent, RDF.type, self.nkg.Reviewer))
            graph.add((agent, RDFS.label, Literal(approver)))

    def _document_metadata(self, graph: Sink, doc: URIRef, document: Document) -> None:
        nkg, meta, path = self.nkg, document.metadata, document.annotation_path
        if "received as" in meta:
            graph.add((doc, nkg.receivedAs, Literal(meta["received as"].value)))
        if "note" in meta:
            graph.add((doc, SKOS.editorialNote, Literal(meta["note"].value, lang="en")))
        if "reports" in meta:
            target = self._reference(path, meta["reports"], CLAIM_KINDS, "reports")
            if target is not None:
                graph.add((doc, nkg.reports, target))
        events_date = self._date(path, meta["events date"]) if "events date" in meta else None
        if events_date is not None:
            graph.add((doc, nkg.eventsDate, events_date.literal()))
        unknowable = (
            ("publisher", DCTERMS.publisher),
            ("url", SCHEMA.url),
            ("publication date", DCTERMS.issued),
        )
        for key, predicate in unknowable:
            value = meta[key].value.strip() if key in meta else "unknown"
            if value.lower() == "unknown":
                graph.add((doc, nkg.metadataUnknown, predicate))
            elif key == "url":
                graph.add((doc, predicate, URIRef(value)))
            elif key == "publication date":
                if (date := self._date(path, meta[key])) is not None:
                    graph.add((doc, predicate, date.literal()))
            else:
                graph.add((doc, predicate, Literal(value)))

    def _claim(
        self, graph: Sink, doc: URIRef, source: SourceText, claim: Claim, language: str
    ) -> None:
        iri = self.lookups.targets[claim.id].iri
        self.out.origins[iri] = (claim.path, claim.line)
        graph.add((iri, RDF.type, self._predicate(claim.type.rdf_class)))
        graph.add((iri, RDFS.label, Literal(self.lookups.label(claim.id), lang=language)))
        if note := claim.text("note"):
            graph.add((iri, SKOS.editorialNote, Literal(note, lang="en")))
        for spec in claim.type.fields:
            if spec.key != "label":
                self._field(graph, iri, claim, spec, language)
        cites = PROV.wasQuotedFrom if claim.type.quotation else PROV.wasDerivedFrom
        spans = self._cite(graph, doc, source, claim, iri, cites)
        words = claim.text("words")
        if claim.type.quotation and words and spans and not any(words in s.exact for s in spans):
            self._error(
                claim.path,
                claim.line_of("words"),
                "has words that are not inside any of its evidence quotes",
                "quote the passage that contains the words exactly, attribution included",
            )

    def _cite(
        self,
        graph: Sink,
        doc: URIRef,
        source: SourceText,
        record: Claim | ConceptDeclaration,
        iri: URIRef,
        cites: URIRef,
    ) -> list[Span]:
        """Find each evidence quote of ``record`` in its document and link ``iri`` to
        the evidence node of its span; return the spans found."""
        spans = []
        document = str(record.document)
        for quote in record.evidence:
            span = self._locate(source, record.path, document, quote)
            if span is not None:
                spans.append(span)
                graph.add((iri, cites, self._evidence(graph, doc, record, document, span)))
        return spans

    def _locate(self, source: SourceText, path: Path, document: str, quote: Quote) -> Span | None:
        try:
            return source.locate(quote.text, quote.occurrence)
        except QuoteNotFound as exc:
            self._error(path, quote.line, f"has an evidence quote that is not in {document}.txt",
                        exc.hint)  # fmt: skip
        except QuoteAmbiguous as exc:
            self._error(
                path,
                quote.line,
                f"has an evidence quote that occurs {len(exc.starts)} times in {document}.txt "
                f"(at characters {', '.join(map(str, exc.starts))})",
                "write it as '- quote: ...' "
                "with 'occurrence: N' to say which one, or quote more words",
            )
        return None

    def _evidence(
        self, graph: Sink, doc: URIRef, record: Record, document: str, span: Span
    ) -> URIRef:
        nkg = self.nkg
        iri = self.ns.resource("evidence", f"{document}-{span.start}-{span.end}")
        if iri in self._evidence_written:
            return iri
        self._evidence_written.add(iri)
        self.out.origins.setdefault(iri, (record.path, record.line_of("evidence")))
        position, quote = URIRef(f"{iri}#position"), URIRef(f"{iri}#quote")
        short = span.exact if len(span.exact) <= 80 else span.exact[:77] + "..."
        graph.add((iri, RDF.type, nkg.Evidence))
        graph.add((iri, RDFS.label, Literal(f"\u201c{short}\u201d")))
        graph.add((iri, OA.hasSource, doc))
        graph.add((iri, OA.hasSelector, position))
        graph.add((iri, OA.hasSelector, quote))
        graph.add((iri, nkg.sentence, Literal(span.sentence)))
        graph.add((position, RDF.type, OA.TextPositionSelector))
        graph.add((position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)))
        graph.add((position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)))
        graph.add((quote, RDF.type, OA.TextQuoteSelector))
        graph.add((quote, OA.exact, Literal(span.exact)))
        graph.add((quote, OA.prefix, Literal(span.prefix)))
        graph.add((quote, OA.suffix, Literal(span.suffix)))
        return iri

    # --- fields ------------------------------------------------------------------------

    def _field(
        self, graph: Sink, subject: URIRef, record: Record, spec: Field, language: str
    ) -> None:
        node = record.values.get(spec.key)
        if node is None:
            return
        if spec.kind in STRUCTURED:
            for triple in self._structured(subject, record, spec, node, language):
                graph.add(triple)
            return
        predicate = self._predicate(spec.predicate)
        for item in self._items(record, spec, node):
            for value in self._value(record, spec, item, language):
                graph.add((subject, predicate, value))
                if spec.inverse and isinstance(value, URIRef):
                    graph.add((value, self._predicate(spec.inverse), subject))

    def _structured(
        self, subject: URIRef, record: Record, spec: Field, node: Node, language: str
    ) -> list[structured.Triple]:
        """The triples of a deadline, of dates beyond a plain one, of quantities."""
        ctx, path = self._context, record.path
        if spec.kind is ValueKind.DEADLINE:
            return structured.deadline(ctx, subject, path, node)
        triples: list[structured.Triple] = []
        for number, item in enumerate(self._items(record, spec, node), start=1):
            if spec.kind is ValueKind.QUANTITY:
                triples += structured.quantity(ctx, subject, path, item, number, language)
            elif isinstance(item, Scalar):
                triples += structured.when(ctx, subject, path, item)
            else:
                self._error(path, item.line, f"gives a block as '{spec.key}'",
                            f"write a single value: {spec.help}")  # fmt: skip
        return triples

    def _items(self, record: Record, spec: Field, node: Node) -> list[Node]:
        if isinstance(node, Sequence):
            if not spec.many:
                self._error(
                    record.path,
                    node.line,
                    f"gives several values for '{spec.key}'",
                    f"'{spec.key}' takes one value: {spec.help}",
                )
                return []
            return node.items
        return [node]

    def _value(self, record: Record, spec: Field, node: Node, language: str) -> Iterator[RdfNode]:
        path, kind = record.path, spec.kind
        if not isinstance(node, Scalar):
            self._error(
                path,
                node.line,
                f"gives a block as '{spec.key}'",
                f"write a single value: {spec.help}",
            )
            return
        if kind is ValueKind.TEXT:
            yield Literal(node.value.strip(), lang=language)
        elif kind is ValueKind.REF:
            if (target := self._reference(path, node, spec.targets, spec.key)) is not None:
                yield target
        elif kind is ValueKind.CONCEPT:
            if (concept := self._concept_value(path, node, spec.scheme)) is not None:
                yield concept
        elif kind is ValueKind.DATE:
            if (date := self._date(path, node)) is not None:
                yield date.literal()
        else:
            parsers: dict[ValueKind, Callable[[str], Literal]] = {
                ValueKind.INTEGER: parse_positive_integer,
                ValueKind.BOOLEAN: parse_boolean,
                ValueKind.DURATION: lambda text: parse_duration(text).literal(),
            }
            try:
                yield parsers[kind](node.value)
            except BadValue as exc:
                self._error(path, node.line, f"has a bad '{spec.key}'", str(exc))

    def _concept_value(self, path: Path, node: Scalar, scheme: str) -> URIRef | None:
        concept = self.lookups.concept(scheme, node.value)
        if concept is None:
            self._error(
                path,
                node.line,
                f"has {node.value!r}, which is not a concept of the {scheme} scheme",
                _declare_hint(scheme, node.value, self.concepts.slugs(scheme)),
            )
        return concept

    def _reference(
        self, path: Path, node: Scalar, kinds: tuple[str, ...], key: str
    ) -> URIRef | None:
        target = self.lookups.target(node.value.strip())
        if target is None:
            self._error(
                path,
                node.line,
                f"names {node.value!r}, which is no entity or claim id",
                "use the id of an entity in registry.yaml or of a claim, or add it there",
            )
            return None
        if kinds and target.kind not in kinds:
            self._error(
                path,
                node.line,
                f"names {node.value!r} (a {target.kind}) as '{key}'",
                f"'{key}' takes a {' or '.join(kinds)}",
            )
            return None
        return target.iri

    def _date(self, path: Path, node: Scalar) -> PartialDate | None:
        try:
            return parse_date(node.value)
        except BadValue as exc:
            self._error(path, node.line, "has a bad date", str(exc))
            return None

    # --- names ---------------------------------------------------------------------------

    def _predicate(self, name: str) -> URIRef:
        """A CURIE ("rdfs:label") or a local name of the ontology namespace, as an IRI."""
        term = self._terms.get(name)
        if term is None:
            term = self._terms[name] = self._curie(name) if ":" in name else self.nkg[name]
        return term

    def _curie(self, curie: str) -> URIRef:
        prefix, _, local = curie.partition(":")
        return URIRef(self.ns.prefixes()[prefix] + local)

    def _error(self, path: Path, line: int | None, problem: str, fix: str) -> None:
        self.errors.append(SeedError(path, line, problem, fix))


def _slug(text: str) -> str:
    """A name as an IRI segment: lower-case letters and digits joined by hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())) or "anonymous"


def _declare_hint(scheme: str, value: str, known: list[str]) -> str:
    """How to write a concept that exists, or declare the one meant."""
    close = difflib.get_close_matches(name_key(value), known, n=1)
    meant = f"did you mean {close[0]!r}? " if close else ""
    return (
        f"{meant}use one of: {', '.join(known)}; or declare it under 'concepts:' in this "
        f"file: - {{id: {name_key(value) or 'new-concept'}, scheme: {scheme}, label: "
        f"{value.strip()}, definition: <what it means>}} (docs/annotations.md, "
        "'New concepts')"
    )
