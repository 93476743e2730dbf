"""The synthetic corpus of bench/generate.py is a valid seeds folder that exercises the
whole seed format: it compiles, every evidence quote is found in its article, the
compiled graph satisfies the shapes, and it uses every claim type and every concept.
(The benchmark's figures live in docs/benchmarks.md, never in tests.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.generate import OTHER_CONCEPTS, generate
from kg import pipeline
from kg import seeds as seeds_module
from kg.claimtypes import CLAIM_TYPES, ValueKind
from kg.config import Settings
from kg.progress import Steps
from kg.seeds import Seeds
from kg.vocabulary import ConceptIndex, load_turtle
from kg.yamlfile import Mapping, Scalar, Sequence
from tests.conftest import ROOT, repo_settings


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "seeds"
    generate(root, negotiations=2, seed=0)
    return root


@pytest.fixture(scope="module")
def seeds(corpus: Path) -> Seeds:
    return seeds_module.load(corpus)


def _values(seeds: Seeds, kind: ValueKind) -> list[tuple[str, str, str]]:
    """(claim id, field key, value) of every field of ``kind`` in the corpus."""
    found = []
    for claim in seeds.claims():
        for spec in (f for f in claim.type.fields if f.kind is kind):
            node = claim.values.get(spec.key)
            items = node.items if isinstance(node, Sequence) else [node] if node else []
            found += [(claim.id, spec.key, i.value) for i in items if isinstance(i, Scalar)]
    return found


def _units(seeds: Seeds) -> list[str]:
    """The units the quantities of the corpus name."""
    found = []
    for node in (c.values["quantities"] for c in seeds.claims() if "quantities" in c.values):
        items = node.items if isinstance(node, Sequence) else [node]
        found += [u.value for i in items if isinstance(i, Mapping)
                  if isinstance(u := i.get("unit"), Scalar)]  # fmt: skip
    return found


def test_a_small_corpus_passes_the_pipeline_check_in_batches(corpus: Path, tmp_path: Path) -> None:
    """Validated in several batches: a later article's nkg:followedBy on an earlier
    article's round once made that round a node of two batches, and every reference to
    it a false sh:class violation."""
    settings: Settings = repo_settings(
        tmp_path / "var", seeds_dir=corpus, validation_batch_triples=2_000
    )
    checked = pipeline.check(settings, Steps(quiet=True))  # raises on any seed problem
    assert checked.report.conforms, checked.report.text()
    assert len(checked.compiled.graphs) == 3 + len(list((corpus / "documents").glob("*.txt")))


def test_the_corpus_is_deterministic(corpus: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, negotiations=2, seed=0)
    files = sorted(p.relative_to(corpus) for p in corpus.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert all((corpus / f).read_bytes() == (again / f).read_bytes() for f in files)


def test_every_claim_type_is_used(seeds: Seeds) -> None:
    assert {c.type.name for c in seeds.claims()} == {t.name for t in CLAIM_TYPES}


def test_every_concept_of_the_ontology_is_used(seeds: Seeds) -> None:
    settings = Settings()
    index = ConceptIndex.from_graph(load_turtle(ROOT / "ontology", settings.ns), settings.ns)
    assert set(index.by_scheme) <= set(OTHER_CONCEPTS), "the generator knows every scheme"
    types = {c.id: c.type for c in seeds.claims()}
    used = {
        index.find(field.scheme, value)
        for claim_id, key, value in _values(seeds, ValueKind.CONCEPT)
        if (field := types[claim_id].field(key)) is not None
    }
    used |= {index.find("unit", unit) for unit in _units(seeds)}
    every = {c for names in index.by_scheme.values() for c in names.values()}
    assert every <= used, sorted(map(str, every - used))


def test_a_concept_added_to_the_ontology_is_used_too(tmp_path: Path) -> None:
    """The generator reads the concepts from the ontology: one added there (an issue, a
    channel, a status no article writes) gets a claim of its own."""
    ontology = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", ontology)
    added = {"issue": "water-sharing", "channel": "written-statement", "status": "postponed"}
    classes = {"issue": "Issue", "channel": "Channel", "status": "RoundStatus"}
    with (ontology / "concepts.ttl").open("a", encoding="utf-8") as turtle:
        for scheme, slug in added.items():
            concept = f"<https://w3id.org/negotiations-kg/concept/{scheme}/{slug}>"
            turtle.write(
                f"\n{concept} a skos:Concept, nkg:{classes[scheme]} ;\n"
                f"    skos:inScheme <https://w3id.org/negotiations-kg/concept/{scheme}> ;\n"
                f"    skos:topConceptOf <https://w3id.org/negotiations-kg/concept/{scheme}> ;\n"
                f'    skos:prefLabel "{slug.replace("-", " ")}"@en ;\n'
                f'    skos:definition "Added by a test."@en .\n'
            )
    corpus = tmp_path / "seeds"
    generate(corpus, negotiations=1, seed=0, ontology_dir=ontology)
    written = {
        (key, value) for _, key, value in _values(seeds_module.load(corpus), ValueKind.CONCEPT)
    }
    assert {
        ("issue", "water-sharing"),
        ("channel", "written-statement"),
        ("status", "postponed"),
    } <= written
    settings = repo_settings(tmp_path / "var", seeds_dir=corpus, ontology_dir=ontology)
    assert pipeline.check(settings, Steps(quiet=True)).report.conforms


def test_later_articles_name_claims_of_earlier_ones(seeds: Seeds) -> None:
    document_of = {c.id: c.document for c in seeds.claims()}
    crossing = [
        (claim_id, key, value)
        for claim_id, key, value in _values(seeds, ValueKind.REF)
        if value in document_of and document_of[value] != document_of[claim_id]
    ]
    assert {key for _, key, _ in crossing} >= {"part of", "follows", "compared with", "in", "of"}


def test_some_quotes_occur_more_than_once(seeds: Seeds) -> None:
    assert any(q.occurrence for c in seeds.claims() for q in c.evidence)


def test_deadlines_and_dates_at_several_precisions(seeds: Seeds) -> None:
    deadlines = [c.values["deadline"] for c in seeds.claims() if "deadline" in c.values]
    forms = {frozenset(d.entries) for d in deadlines if isinstance(d, Mapping)}
    assert forms == {frozenset({"within", "from", "wording"}), frozenset({"by", "wording"})}
    dates = [v for kind in (ValueKind.DATE, ValueKind.WHEN) for _, _, v in _values(seeds, kind)]
    assert {len(v) for v in dates if v[-2:] not in ("21", "22", "23", "24")} == {4, 7, 10}
    assert any(v.endswith("-22") and len(v) == 7 for v in dates), "a season (EDTF)"
