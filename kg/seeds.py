"""Read ``seeds/``: source documents, their annotation files and the entity registry.

This module checks the *shape* of what a person wrote (known keys, ids, types, one
annotation file per document) and keeps the line of everything. What the values mean
(references, concepts, dates, quotes) is checked while compiling, where it is used.
Every problem becomes a :class:`SeedError` naming the file, the line and the fix; all
problems found are reported together.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from kg import yamlfile
from kg.claimtypes import (
    APPROVED_BY,
    CLAIM_TYPES_BY_NAME,
    COMMON_KEYS,
    CONCEPT_KEYS,
    CONCEPT_REQUIRED_KEYS,
    CONCEPT_SCHEMES_BY_NAME,
    DRAFT,
    DRAFTED_IN,
    ENTITY_COMMON_KEYS,
    ENTITY_KINDS_BY_NAME,
    EXTRACTION_RUNS,
    PROPOSED_ENTITIES,
    RUN_KEYS,
    RUN_REQUIRED,
    ClaimType,
    ConceptScheme,
    EntityKind,
)
from kg.errors import SeedError, SeedErrors
from kg.yamlfile import Mapping, Node, Scalar, Sequence

T = TypeVar("T")
REGISTRY_FILE = "registry.yaml"
CONCEPTS_FILE = "concepts.yaml"
VERIFIED_QIDS_FILE = "wikidata-verified.tsv"
DOCUMENTS_DIR = "documents"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QID_PATTERN = re.compile(r"^Q[1-9][0-9]*$")

DOCUMENT_KEYS = {
    "title": "a descriptive title",
    "reports": "the id of the claim the document is mainly about",
    "events date": "when the reported events happened",
    "language": "the document's language (BCP 47, such as en)",
    "publisher": "who published it, or 'unknown'",
    "url": "where it was published, or 'unknown'",
    "publication date": "when it was published, or 'unknown'",
    "received as": "the file name it was received under",
    "note": "a free comment",
}


@dataclass(frozen=True)
class Quote:
    """An evidence quote as written: its text and, when ambiguous, which occurrence."""

    text: str
    occurrence: int | None
    line: int


@dataclass(frozen=True)
class Record:
    """Fields shared by claims and entities: id, raw values, and where they were written."""

    id: str
    values: dict[str, Node]
    path: Path
    line: int

    def line_of(self, key: str) -> int:
        node = self.values.get(key)
        return node.line if node is not None else self.line

    def text(self, key: str) -> str | None:
        node = self.values.get(key)
        return node.value if isinstance(node, Scalar) else None


@dataclass(frozen=True)
class Claim(Record):
    type: ClaimType
    evidence: tuple[Quote, ...]
    document: str

    @property
    def run(self) -> str | None:
        """The extraction run that drafted it, reviewed or not (None: hand-written)."""
        return self.text(DRAFT) or self.text(DRAFTED_IN)

    @property
    def unreviewed(self) -> bool:
        return DRAFT in self.values


@dataclass(frozen=True)
class Run(Record):
    """An extraction run of ``kg draft``: which extractor, which model, when."""


@dataclass(frozen=True)
class Entity(Record):
    kind: EntityKind
    label: str
    aliases: tuple[str, ...]
    wikidata: str | None


@dataclass(frozen=True)
class ConceptDeclaration(Record):
    """A concept declared in the seeds, in seeds/concepts.yaml (``document`` None) or in
    the annotation file of the document that introduces it."""

    scheme: ConceptScheme
    document: str | None
    evidence: tuple[Quote, ...]

    @property
    def unreviewed(self) -> bool:
        """Proposed by ``kg draft`` and not reviewed yet."""
        return DRAFT in self.values


@dataclass(frozen=True)
class Document:
    slug: str
    text_path: Path
    annotation_path: Path
    text: str
    metadata: dict[str, Scalar]
    metadata_line: int
    claims: tuple[Claim, ...]
    runs: tuple[Run, ...] = ()
    concepts: tuple[ConceptDeclaration, ...] = ()
    proposed: tuple[Entity, ...] = ()  # registry additions drafted, not yet accepted
    claims_line: int = 1  # where 'claims:' is


@dataclass(frozen=True)
class Seeds:
    root: Path
    entities: tuple[Entity, ...]
    documents: tuple[Document, ...]
    verified_qids: dict[str, str]  # QID -> label, from wikidata-verified.tsv
    concepts: tuple[ConceptDeclaration, ...] = ()  # those of seeds/concepts.yaml

    @property
    def registry_path(self) -> Path:
        return self.root / REGISTRY_FILE

    def claims(self) -> Iterable[Claim]:
        for document in self.documents:
            yield from document.claims

    def warnings(self) -> list[str]:
        """What is valid but probably not meant: an article without a claim (its text
        alone is published, and nothing in the graph cites it)."""
        return [
            f"{d.annotation_path}:{d.claims_line}: the article has no claims, so only its "
            "text is published and nothing in the graph cites it; annotate it (kg draft, "
            "then kg review) or take it out of the seeds"
            for d in self.documents
            if not d.claims
        ]

    def proposed(self) -> Iterable[Entity]:
        for document in self.documents:
            yield from document.proposed

    def drafts(self) -> list[SeedError]:
        """One error per unreviewed draft, with the fix: ``kg build`` refuses them."""
        return [
            SeedError(
                claim.path,
                claim.line_of(DRAFT),
                f"has the unreviewed draft {claim.id!r} ({claim.type.name})",
                f"review it with `kg review {claim.document}` (or replace 'draft:' by "
                f"'drafted in:' and 'approved by: <your name>'), or delete the claim",
            )
            for claim in self.claims()
            if claim.unreviewed
        ] + self.proposals()

    def proposals(self) -> list[SeedError]:
        """One error per proposed registry entity or concept not reviewed yet."""
        return [
            SeedError(
                entity.path,
                entity.line,
                f"proposes the registry entity {entity.id!r} ({entity.kind.name})",
                f"accept it into {REGISTRY_FILE} with `kg review`, or delete it",
            )
            for entity in self.proposed()
        ] + [
            SeedError(
                concept.path,
                concept.line_of(DRAFT),
                f"proposes the {concept.scheme.name} concept {concept.id!r}",
                f"review it with `kg review {concept.document}` (or check its label and "
                "definition and delete its 'draft:' line), or delete it",
            )
            for concept in self.declared_concepts()
            if concept.unreviewed
        ]

    def declared_concepts(self) -> Iterable[ConceptDeclaration]:
        """Every declared concept: seeds/concepts.yaml's, then each document's."""
        yield from self.concepts
        for document in self.documents:
            yield from document.concepts


DocumentFiles = tuple[str, Path, Path]  # a document's name, text file, annotation file
# Reads documents: the documents read, and the problems found (kg/build.py reads them
# in worker processes, or takes an unchanged one's interface from the build cache).
DocumentReader = Callable[[list[DocumentFiles]], tuple[list[Document], list[SeedError]]]


def load(root: Path, without: str | None = None, reader: DocumentReader | None = None) -> Seeds:
    """Read and check the seeds folder; raise SeedErrors listing every problem found.

    ``without`` names a document to leave out (``kg draft`` reads the seeds before the
    document it drafts has an annotation file); ``reader`` reads the documents (by
    default one after the other, with :func:`read_document`)."""
    if not root.is_dir():
        raise SeedError(root, None, "is not a folder", "point KG_SEEDS_DIR at the seeds folder")
    errors: list[SeedError] = []
    verified = _read_verified(root / VERIFIED_QIDS_FILE, errors)
    entities = _read_registry(root / REGISTRY_FILE, errors)
    concepts = _read_concepts_file(root / CONCEPTS_FILE, errors)
    documents = _read_documents(root / DOCUMENTS_DIR, errors, without, reader or read_documents)
    _check_unique_ids(entities, documents, errors)
    if errors:
        raise SeedErrors(errors)
    return Seeds(root, tuple(entities), tuple(documents), verified, tuple(concepts))


def _read_verified(path: Path, errors: list[SeedError]) -> dict[str, str]:
    if not path.exists():
        return {}
    verified: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t")
        for number, row in enumerate(rows):
            if number == 0 or not row:
                continue  # header
            label, qid = row[0], row[1] if len(row) > 1 else ""
            if not QID_PATTERN.match(qid):
                errors.append(
                    SeedError(
                        path,
                        None,
                        f"lists {qid!r} for {label!r}",
                        "write Wikidata ids as Q followed by digits",
                    )
                )
            verified[qid] = label
    return verified


def _read_registry(path: Path, errors: list[SeedError]) -> list[Entity]:
    if not path.exists():
        errors.append(SeedError(path, None, "is missing", "create the entity registry"))
        return []
    root = _load_yaml(path, errors)
    if root is None:
        return []
    items = _list_under(path, root, "entities", errors)
    entities = []
    for item in items:
        entity = _read_entity(path, item, errors)
        if entity is not None:
            entities.append(entity)
    return entities


def _read_entity(
    path: Path, node: Node, errors: list[SeedError], proposed: bool = False
) -> Entity | None:
    if not isinstance(node, Mapping):
        errors.append(
            SeedError(
                path,
                node.line,
                "has an entity that is not a block of keys",
                "write each entity as id:, kind:, label:, ...",
            )
        )
        return None
    entity_id = _required_id(path, node, errors)
    kind_name = _required_text(path, node, "kind", errors)
    label = _required_text(path, node, "label", errors)
    if entity_id is None or kind_name is None or label is None:
        return None
    kind = _one_of(path, node, "kind", kind_name, ENTITY_KINDS_BY_NAME, errors)
    if kind is None:
        return None
    allowed = [*ENTITY_COMMON_KEYS, *(f.key for f in kind.fields), *([DRAFT] if proposed else [])]
    _check_keys(path, node, allowed, f"a {kind.name}", errors)
    _check_required(path, node, [f.key for f in kind.fields if f.required], errors)
    wikidata = _optional_text(path, node, "wikidata", errors)
    if wikidata is not None and not QID_PATTERN.match(wikidata):
        errors.append(
            SeedError(
                path,
                node.line_of("wikidata"),
                f"has the Wikidata id {wikidata!r}, which is not Q + digits",
                "write it as Q followed by digits, such as Q794, or remove it",
            )
        )
        wikidata = None
    return Entity(
        entity_id,
        dict(node.entries),
        path,
        node.line,
        kind,
        label,
        tuple(_text_list(path, node, "aliases", errors)),
        wikidata,
    )


def _read_documents(
    folder: Path, errors: list[SeedError], without: str | None, reader: DocumentReader
) -> list[Document]:
    if not folder.is_dir():
        errors.append(SeedError(folder, None, "is missing", "put source documents in it"))
        return []
    texts = {p.stem: p for p in folder.glob("*.txt") if p.stem != without}
    annotations = {p.stem: p for p in folder.glob("*.yaml") if p.stem != without}
    for stem in sorted(texts.keys() - annotations.keys()):
        errors.append(
            SeedError(
                texts[stem],
                None,
                "has no annotation file",
                f"write {stem}.yaml beside it (see docs/annotations.md)",
            )
        )
    for stem in sorted(annotations.keys() - texts.keys()):
        errors.append(
            SeedError(
                annotations[stem],
                None,
                "annotates a document that is missing",
                f"put the source text in {stem}.txt, byte for byte",
            )
        )
    stems = sorted(texts.keys() & annotations.keys())
    documents, problems = reader([(stem, texts[stem], annotations[stem]) for stem in stems])
    errors.extend(problems)
    return documents


def read_documents(files: list[DocumentFiles]) -> tuple[list[Document], list[SeedError]]:
    """Read each document of ``files``, in order."""
    documents, errors = [], []
    for slug, text_path, annotation_path in files:
        document, problems = read_document(slug, text_path, annotation_path)
        errors += problems
        if document is not None:
            documents.append(document)
    return documents, errors


def read_document(
    slug: str, text_path: Path, annotation_path: Path
) -> tuple[Document | None, list[SeedError]]:
    """Read and check one document and its annotation file."""
    errors: list[SeedError] = []
    return _read_document(slug, text_path, annotation_path, errors), errors


def _read_document(
    slug: str, text_path: Path, annotation_path: Path, errors: list[SeedError]
) -> Document | None:
    if not ID_PATTERN.match(slug):
        errors.append(
            SeedError(
                text_path,
                None,
                "has a name that cannot be part of an IRI",
                "rename it with lowercase letters, digits and hyphens",
            )
        )
        return None
    try:
        text = text_path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        errors.append(
            SeedError(
                text_path,
                None,
                f"is not UTF-8 ({exc.reason} at byte {exc.start})",
                "convert the document to UTF-8",
            )
        )
        return None
    root = _load_yaml(annotation_path, errors)
    if root is None:
        return None
    if not isinstance(root, Mapping):
        errors.append(
            SeedError(
                annotation_path,
                root.line,
                "is not a block of keys",
                "start with 'document:' and 'claims:'",
            )
        )
        return None
    _check_keys(
        annotation_path,
        root,
        ["document", EXTRACTION_RUNS, PROPOSED_ENTITIES, "claims", "concepts"],
        "an annotation file",
        errors,
    )
    metadata_node = root.get("document")
    metadata: dict[str, Scalar] = {}
    if not isinstance(metadata_node, Mapping):
        errors.append(
            SeedError(
                annotation_path,
                root.line,
                "has no 'document:' block",
                "describe the document: title, language, publisher, ...",
            )
        )
    else:
        _check_keys(annotation_path, metadata_node, list(DOCUMENT_KEYS), "'document:'", errors)
        _check_required(annotation_path, metadata_node, ["title", "language"], errors)
        for key, value in metadata_node.entries.items():
            if isinstance(value, Scalar):
                metadata[key] = value
            else:
                errors.append(
                    SeedError(
                        annotation_path,
                        value.line,
                        f"has a list or block as {key}",
                        "write a single value",
                    )
                )
    runs = _read_runs(annotation_path, root, errors)
    proposed = []
    if root.get(PROPOSED_ENTITIES) is not None:
        for item in _list_under(annotation_path, root, PROPOSED_ENTITIES, errors):
            entity = _read_entity(annotation_path, item, errors, proposed=True)
            if entity is not None:
                proposed.append(entity)
    claims = []
    for item in _list_under(annotation_path, root, "claims", errors):
        claim = _read_claim(annotation_path, slug, item, errors)
        if claim is not None:
            _check_provenance(claim, {run.id for run in runs}, errors)
            claims.append(claim)
    concepts = []
    if "concepts" in root.entries:
        for item in _list_under(annotation_path, root, "concepts", errors):
            concept = _read_concept(annotation_path, slug, item, errors)
            if concept is not None:
                concepts.append(concept)
    return Document(
        slug,
        text_path,
        annotation_path,
        text,
        metadata,
        metadata_node.line if metadata_node else 1,
        tuple(claims),
        tuple(runs),
        tuple(concepts),
        tuple(proposed),
        root.line_of("claims") if isinstance(root, Mapping) else 1,
    )


def _read_runs(path: Path, root: Mapping, errors: list[SeedError]) -> list[Run]:
    """The ``extraction runs:`` of an annotation file (none when it has no drafts)."""
    if root.get(EXTRACTION_RUNS) is None:
        return []
    runs = []
    for node in _list_under(path, root, EXTRACTION_RUNS, errors):
        if not isinstance(node, Mapping):
            errors.append(
                SeedError(
                    path, node.line, "has a run that is not a block of keys", "write id:, ..."
                )
            )
            continue
        _check_keys(path, node, list(RUN_KEYS), "an extraction run", errors)
        _check_required(path, node, list(RUN_REQUIRED), errors)
        run_id = _required_id(path, node, errors)
        if run_id is not None:
            runs.append(Run(run_id, dict(node.entries), path, node.line))
    return runs


def _check_provenance(claim: Claim, runs: set[str], errors: list[SeedError]) -> None:
    """``draft:`` alone, or ``drafted in:`` with ``approved by:``; the run is in the file."""
    path, keys = claim.path, claim.values.keys()
    if DRAFT in keys and (DRAFTED_IN in keys or APPROVED_BY in keys):
        errors.append(
            SeedError(
                path,
                claim.line_of(DRAFT),
                "is both a draft and reviewed",
                f"a reviewed claim has '{DRAFTED_IN}:' and '{APPROVED_BY}:', not '{DRAFT}:'",
            )
        )
    elif (DRAFTED_IN in keys) != (APPROVED_BY in keys):
        errors.append(
            SeedError(
                path,
                claim.line,
                f"has only one of '{DRAFTED_IN}:' and '{APPROVED_BY}:'",
                "a reviewed draft names its run and who approved it: give both",
            )
        )
    for key in (DRAFT, DRAFTED_IN, APPROVED_BY):
        if key in keys and not claim.text(key):
            errors.append(
                SeedError(path, claim.line_of(key), f"has an empty '{key}:'", "write one value")
            )
    run = claim.run
    if run and run not in runs:
        errors.append(
            SeedError(
                path,
                claim.line_of(DRAFT if DRAFT in keys else DRAFTED_IN),
                f"names the extraction run {run!r}, which this file does not list",
                f"use the id of a run under '{EXTRACTION_RUNS}:' at the top of the file",
            )
        )


def _read_claim(path: Path, document: str, node: Node, errors: list[SeedError]) -> Claim | None:
    if not isinstance(node, Mapping):
        errors.append(
            SeedError(
                path,
                node.line,
                "has a claim that is not a block of keys",
                "write each claim as id:, type:, ..., evidence:",
            )
        )
        return None
    claim_id = _required_id(path, node, errors)
    type_name = _required_text(path, node, "type", errors)
    if claim_id is None or type_name is None:
        return None
    claim_type = _one_of(path, node, "type", type_name, CLAIM_TYPES_BY_NAME, errors)
    if claim_type is None:
        return None
    allowed = [*COMMON_KEYS, *(f.key for f in claim_type.fields)]
    _check_keys(path, node, allowed, f"a {claim_type.name} claim", errors)
    required = [f.key for f in claim_type.fields if f.required]
    if not claim_type.label_template:
        required.insert(0, "label")  # no way to make one up
    _check_required(path, node, required, errors)
    evidence = _read_evidence(path, node, errors)
    return Claim(claim_id, dict(node.entries), path, node.line, claim_type, evidence, document)


def _read_concepts_file(path: Path, errors: list[SeedError]) -> list[ConceptDeclaration]:
    """seeds/concepts.yaml, if there is one: concepts no single document introduces."""
    if not path.exists():
        return []
    root = _load_yaml(path, errors)
    if root is None:
        return []
    if isinstance(root, Mapping):
        _check_keys(path, root, ["concepts"], "concepts.yaml", errors)
    concepts = []
    for item in _list_under(path, root, "concepts", errors):
        concept = _read_concept(path, None, item, errors)
        if concept is not None:
            concepts.append(concept)
    return concepts


def _read_concept(
    path: Path, document: str | None, node: Node, errors: list[SeedError]
) -> ConceptDeclaration | None:
    if not isinstance(node, Mapping):
        errors.append(
            SeedError(
                path,
                node.line,
                "has a concept that is not a block of keys",
                "write each concept as id:, scheme:, label:, definition:, ...",
            )
        )
        return None
    _check_keys(path, node, [key for key, _, _ in CONCEPT_KEYS], "a concept declaration", errors)
    for key in ("evidence", DRAFT):
        if document is None and key in node.entries:
            errors.append(
                SeedError(
                    path,
                    node.line_of(key),
                    f"has '{key}' in a file that belongs to no document",
                    "declare the concept in the annotation file of the document it quotes, "
                    f"or leave '{key}:' out",
                )
            )
    _check_required(path, node, list(CONCEPT_REQUIRED_KEYS), errors)
    concept_id = _required_id(path, node, errors)
    scheme_name = _required_text(path, node, "scheme", errors)
    if concept_id is None or scheme_name is None:
        return None
    scheme = _one_of(path, node, "scheme", scheme_name, CONCEPT_SCHEMES_BY_NAME, errors)
    if scheme is None:
        return None
    for key in ("label", "definition", "broader", "wikidata", "note", DRAFT):
        _optional_text(path, node, key, errors)
    for key in ("aliases", "exact match", "close match"):
        _text_list(path, node, key, errors)
    evidence = _read_evidence(path, node, errors) if document and "evidence" in node.entries else ()
    return ConceptDeclaration(
        concept_id, dict(node.entries), path, node.line, scheme, document, evidence
    )


def _read_evidence(path: Path, node: Mapping, errors: list[SeedError]) -> tuple[Quote, ...]:
    items = node.get("evidence")
    if items is None:
        errors.append(
            SeedError(
                path,
                node.line,
                "has a claim without evidence",
                "add 'evidence:' with at least one quote from the document",
            )
        )
        return ()
    if isinstance(items, Scalar):
        items = Sequence([items], items.line)
    if not isinstance(items, Sequence) or not items.items:
        errors.append(
            SeedError(
                path,
                items.line,
                "has 'evidence:' that is not a list of quotes",
                "write one quote per line, each after '- '",
            )
        )
        return ()
    quotes = []
    for item in items.items:
        if isinstance(item, Scalar):
            quotes.append(Quote(item.value, None, item.line))
            continue
        if not isinstance(item, Mapping) or not isinstance(item.get("quote"), Scalar):
            errors.append(
                SeedError(
                    path,
                    item.line,
                    "has an evidence item without a quote",
                    "write '- quote: ...' (and 'occurrence: N' if needed)",
                )
            )
            continue
        _check_keys(path, item, ["quote", "occurrence"], "an evidence item", errors)
        quote = item.entries["quote"]
        assert isinstance(quote, Scalar)
        occurrence = item.get("occurrence")
        number: int | None = None
        if occurrence is not None:
            if (
                isinstance(occurrence, Scalar)
                and occurrence.value.isdigit()
                and int(occurrence.value) >= 1
            ):
                number = int(occurrence.value)
            else:
                errors.append(
                    SeedError(
                        path,
                        occurrence.line,
                        "has an occurrence that is not a whole number from 1",
                        "write occurrence: 1, 2, ...",
                    )
                )
        quotes.append(Quote(quote.value, number, quote.line))
    return tuple(quotes)


def _check_unique_ids(
    entities: list[Entity], documents: list[Document], errors: list[SeedError]
) -> None:
    seen: dict[str, Record] = {}
    records: list[Record] = [*entities, *(c for d in documents for c in d.claims)]
    records += [run for document in documents for run in document.runs]
    records += [entity for document in documents for entity in document.proposed]
    for record in records:
        first = seen.setdefault(record.id, record)
        if first is not record:
            errors.append(
                SeedError(
                    record.path,
                    record.line,
                    f"repeats the id {record.id!r}",
                    f"ids are unique across all seeds; it is already used at "
                    f"{first.path}:{first.line}: rename one of them",
                )
            )


# --- small readers ---------------------------------------------------------------------


def _load_yaml(path: Path, errors: list[SeedError]) -> Node | None:
    try:
        return yamlfile.load(path)
    except SeedError as error:
        errors.append(error)
        return None


def _list_under(path: Path, root: Node, key: str, errors: list[SeedError]) -> list[Node]:
    node = root.get(key) if isinstance(root, Mapping) else None
    if node is None:
        errors.append(SeedError(path, root.line, f"has no '{key}:' list", f"add '{key}:'"))
        return []
    if not isinstance(node, Sequence):
        errors.append(
            SeedError(
                path, node.line, f"has '{key}:' that is not a list", "start each item with '- '"
            )
        )
        return []
    return node.items


def _required_id(path: Path, node: Mapping, errors: list[SeedError]) -> str | None:
    value = _required_text(path, node, "id", errors)
    if value is not None and not ID_PATTERN.match(value):
        errors.append(
            SeedError(
                path,
                node.line_of("id"),
                f"has the id {value!r}",
                "write ids in lowercase letters, digits and single hyphens",
            )
        )
        return None
    return value


def _required_text(path: Path, node: Mapping, key: str, errors: list[SeedError]) -> str | None:
    if key not in node.entries:
        errors.append(SeedError(path, node.line, f"has a block without '{key}:'", f"add '{key}:'"))
        return None
    return _optional_text(path, node, key, errors)


def _optional_text(path: Path, node: Mapping, key: str, errors: list[SeedError]) -> str | None:
    value = node.get(key)
    if value is None:
        return None
    if not isinstance(value, Scalar) or not value.value.strip():
        errors.append(
            SeedError(path, value.line, f"has an empty or non-text '{key}'", "write a single value")
        )
        return None
    return value.value.strip()


def _text_list(path: Path, node: Mapping, key: str, errors: list[SeedError]) -> list[str]:
    value = node.get(key)
    if value is None:
        return []
    items = value.items if isinstance(value, Sequence) else [value]
    texts = []
    for item in items:
        if isinstance(item, Scalar):
            texts.append(item.value)
        else:
            errors.append(
                SeedError(path, item.line, f"has a non-text item in '{key}'", "write plain values")
            )
    return texts


def _check_keys(
    path: Path, node: Mapping, allowed: list[str], what: str, errors: list[SeedError]
) -> None:
    for key in node.entries:
        if key not in allowed:
            errors.append(
                SeedError(
                    path,
                    node.line_of(key),
                    f"has {key!r}, which {what} does not take",
                    _choose("key", key, allowed),
                )
            )


def _check_required(
    path: Path, node: Mapping, required: list[str], errors: list[SeedError]
) -> None:
    for key in required:
        if key not in node.entries:
            errors.append(
                SeedError(
                    path,
                    node.line,
                    f"lacks the required '{key}:'",
                    f"add '{key}:' (see docs/annotations.md)",
                )
            )


def _one_of(
    path: Path, node: Mapping, key: str, name: str, table: dict[str, T], errors: list[SeedError]
) -> T | None:
    """What ``name`` names in ``table`` (a kind, a type, a scheme), or an error that says
    which names there are."""
    found = table.get(name)
    if found is None:
        errors.append(
            SeedError(
                path, node.line_of(key), f"has an unknown {key} {name!r}", _choose(key, name, table)
            )
        )
    return found


def _choose(what: str, given: str, options: Iterable[str]) -> str:
    options = sorted(options)
    close = difflib.get_close_matches(given, options, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}a {what} is one of: {', '.join(options)}"
