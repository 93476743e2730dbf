"""``seeds/`` is the publisher's data, never a fixture: the suite checks it only with
invariants that hold for any valid corpus (tests/invariants.py). No other test reads it.

Adding a valid article to ``seeds/`` must keep the suite green; the second corpus here
proves it on a copy of the seeds with a generated negotiation added (its own process,
states, people and articles, written by bench/generate.py).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bench.generate import generate
from kg import pipeline
from kg import seeds as seeds_module
from kg.config import Settings
from kg.progress import Steps
from kg.query import execute
from kg.release import Release
from tests import invariants
from tests.conftest import ROOT, Corpus, repo_settings

SEEDS = ROOT / "seeds"
PLAIN, GROWN = "seeds", "seeds with a generated negotiation"


def add_generated_negotiation(corpus: Corpus, scratch: Path) -> list[str]:
    """Add one negotiation written by bench/generate.py (its articles, annotations and
    registry entities) to ``corpus``; return the names of the documents added.

    Entities the corpus already has under the same id and kind (the generator's
    "analysts") are shared; a generator seed whose ids clash otherwise is skipped."""
    present = seeds_module.load(corpus.root)
    kinds = {e.id: e.kind.name for e in present.entities}
    taken = set(kinds) | {c.id for c in present.claims()} | {d.slug for d in present.documents}
    for seed in range(10):
        generated = scratch / f"generated-{seed}"
        generate(generated, negotiations=1, seed=seed)
        made = seeds_module.load(generated)
        new = [e for e in made.entities if kinds.get(e.id) != e.kind.name]
        ids = {e.id for e in new} | {c.id for c in made.claims()} | {d.slug for d in made.documents}
        if not ids & taken:
            break
    else:
        raise AssertionError("bench/generate.py made no negotiation whose ids are all new")
    corpus.add_entities(_registry_entries(generated / "registry.yaml", {e.line for e in new}))
    for document in made.documents:
        corpus.add_document(
            document.slug,
            document.text,
            document.annotation_path.read_text(encoding="utf-8"),
        )
    names = [d.slug for d in made.documents]
    declare_a_new_concept(corpus, names)
    return names


def _registry_entries(registry: Path, first_lines: set[int]) -> str:
    """The entries of a registry's entity list that start on ``first_lines``."""
    lines = registry.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [n for n, line in enumerate(lines, 1) if line.lstrip().startswith("- id:")]
    ends = [*starts[1:], len(lines) + 1]
    kept = ["".join(lines[s - 1 : e - 1]) for s, e in zip(starts, ends, strict=True)]
    chosen = [k for s, k in zip(starts, kept, strict=True) if s in first_lines]
    return textwrap.dedent("".join(chosen))


NEW_ISSUE = "sharing-of-the-border-waters"


def declare_a_new_concept(corpus: Corpus, documents: list[str]) -> None:
    """Declare an issue the ontology does not have in the article that starts the
    generated negotiation, and list it, by its label, among the negotiation's issues: a
    corpus that grows its vocabulary keeps the invariants too."""
    for name in documents:
        path = corpus.documents / f"{name}.yaml"
        text = path.read_text(encoding="utf-8")
        if "    type: negotiation\n" not in text:
            continue
        at = text.index("    issues:\n", text.index("    type: negotiation\n")) + len(
            "    issues:\n"
        )
        text = text[:at] + "      - sharing of the border waters\n" + text[at:]
        path.write_text(
            text
            + textwrap.dedent(f"""
                concepts:
                  - id: {NEW_ISSUE}
                    scheme: issue
                    label: sharing of the border waters
                    definition: How the states divide the water of the rivers on their border.
                """),
            encoding="utf-8",
        )
        return
    raise AssertionError("no generated article declares the negotiation")


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Release]:
    """A copy of the seeds with a generated negotiation added, built."""
    folder = tmp_path_factory.mktemp("seeds-grown")
    corpus = Corpus(folder / "seeds", start=SEEDS)
    add_generated_negotiation(corpus, folder)
    return corpus.build()


@pytest.fixture(scope="module", params=[PLAIN, GROWN])
def corpus(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, Release]:
    if request.param == GROWN:
        built: tuple[Settings, Release] = request.getfixturevalue("grown")
        return built
    settings = repo_settings(tmp_path_factory.mktemp("seeds") / "var", seeds_dir=SEEDS)
    return settings, pipeline.build(settings, Steps(quiet=True))


def test_it_builds_a_release_that_conforms(corpus: tuple[Settings, Release]) -> None:
    invariants.check_release(corpus[1])


def test_every_claim_cites_evidence_found_in_its_own_document(
    corpus: tuple[Settings, Release],
) -> None:
    settings, release = corpus
    invariants.check_evidence(release.open_store(), settings)


def test_every_competency_query_runs(corpus: tuple[Settings, Release]) -> None:
    settings, release = corpus
    invariants.check_queries(release.open_store(), settings)


def test_the_void_counts_what_the_store_holds(corpus: tuple[Settings, Release]) -> None:
    settings, release = corpus
    invariants.check_void(release.open_store(), release, settings)


def test_the_generated_negotiation_is_another_one(tmp_path: Path) -> None:
    """What the second corpus adds: a negotiation with entities and claims of its own."""
    grown = Corpus(tmp_path / "seeds", start=SEEDS)
    added = add_generated_negotiation(grown, tmp_path)
    before, after = seeds_module.load(SEEDS), seeds_module.load(grown.root)
    assert len(after.documents) == len(before.documents) + len(added) > len(before.documents)
    new_entities = {e.id for e in after.entities} - {e.id for e in before.entities}
    assert new_entities and {"state", "person"} <= {
        e.kind.name for e in after.entities if e.id in new_entities
    }
    processes = {c.id for c in after.claims() if c.type.name == "negotiation"}
    assert processes - {c.id for c in before.claims() if c.type.name == "negotiation"}
    assert NEW_ISSUE in {c.id for c in after.declared_concepts()}


def test_the_new_concept_is_published_and_used(grown: tuple[Settings, Release]) -> None:
    settings, release = grown
    concept = f"<{settings.ns.concept('issue', NEW_ISSUE)}>"
    query = (
        f"ASK {{ {concept} a skos:Concept . ?p a nkg:NegotiationProcess ; nkg:issue {concept} }}"
    )
    assert bool(execute(release.open_store(), query, settings.ns))
