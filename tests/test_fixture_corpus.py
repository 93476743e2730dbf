"""The tests' own corpora: ``tests/corpus`` (laid out like ``seeds/``) and the corpora a
test writes with ``make_corpus`` (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from kg import seeds as seeds_module
from tests.conftest import CORPUS, GENEVA, Corpus

TEXT = "Delegations of Aland and Borduria met in Geneva on 3 March 2031 for a first round.\n"
ANNOTATIONS = """\
document:
  title: Aland and Borduria meet
  reports: aland-borduria-round-1
  events date: 2031-03-03
  language: en
  publisher: unknown
  url: unknown
  publication date: unknown

claims:
  - id: aland-borduria-talks
    type: negotiation
    label: Aland–Borduria talks
    evidence:
      - Delegations of Aland and Borduria met

  - id: aland-borduria-round-1
    type: round
    label: First round of the Aland–Borduria talks
    part of: aland-borduria-talks
    number: 1
    status: held
    date: 2031-03-03
    city: geneva
    evidence:
      - met in Geneva on 3 March 2031 for a first round
"""
ENTITIES = """\
- id: aland
  kind: state
  label: Aland

- id: borduria
  kind: state
  label: Borduria
"""


def test_the_fixture_corpus_holds_the_geneva_article() -> None:
    corpus = seeds_module.load(CORPUS)
    assert GENEVA in {d.slug for d in corpus.documents}


def test_a_corpus_written_from_nothing_builds(make_corpus: Callable[..., Corpus]) -> None:
    corpus = make_corpus(start=None)
    corpus.add_entities(ENTITIES)
    corpus.add_entities("- id: geneva\n  kind: city\n  label: Geneva\n")
    corpus.add_document("2031-03-03-aland-borduria", TEXT, ANNOTATIONS)
    settings, release = corpus.build()
    store = release.open_store()
    held = ox.NamedNode(settings.ns.resource("round", "aland-borduria-round-1"))
    assert list(store.quads_for_pattern(held, None, None))
    assert [e.id for e in seeds_module.load(corpus.root).entities] == [
        "geneva",
        "aland",
        "borduria",
    ]


def test_entities_are_added_to_a_copy_at_the_registry_s_indentation(
    make_corpus: Callable[..., Corpus],
) -> None:
    corpus = make_corpus()
    before = [e.id for e in seeds_module.load(corpus.root).entities]
    corpus.add_entities(ENTITIES)
    corpus.add_document("2031-03-03-aland-borduria", TEXT, ANNOTATIONS)
    after = seeds_module.load(corpus.root)
    assert [e.id for e in after.entities] == ["aland", "borduria", *before]
    assert len(after.documents) == len(seeds_module.load(CORPUS).documents) + 1


def test_keep_only_leaves_the_documents_named(make_corpus: Callable[..., Corpus]) -> None:
    corpus = make_corpus()
    corpus.add_document("2031-03-03-aland-borduria", TEXT, ANNOTATIONS)
    corpus.keep_only(GENEVA)
    assert sorted(p.name for p in corpus.documents.iterdir()) == [f"{GENEVA}.txt", f"{GENEVA}.yaml"]
