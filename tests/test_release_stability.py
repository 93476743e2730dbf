"""The Geneva article's part of a release stays byte for byte what it was before the
open annotation model (issue 8): the model only added claim types, fields, value forms
and concepts, so an annotation file written for the old model compiles to the same
triples, serialised the same way.

What is compared: the N-Quads lines of the release's dump that belong to the Geneva
article's named graph and to the Wikidata links graph, sorted, hashed. The ontology graph
is left out on purpose (the model adds terms and concepts to it), and so is the registry,
which grows with the fixture corpus's other articles. EXPECTED was computed with the
code of main at 353ff28 (before the constructs) on the same corpus.

When a change means to alter the Geneva graph, it says so in its commit and updates
EXPECTED; print the lines with ``geneva_lines`` and compare them with a build of the
previous commit to see what changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from kg.config import Settings
from kg.release import Release
from tests.conftest import GENEVA, Corpus

EXPECTED_LINES = 1680
EXPECTED_SHA256 = "e1c20eb946bf3c71574f5ce610eaec6aeda2e1cc826a393cfbb862445c0ea799"


def geneva_lines(settings: Settings, release: Release) -> list[str]:
    """The sorted N-Quads of the Geneva graph and of the Wikidata links, as dumped."""
    dump = (release.path / "dumps" / "negotiations-kg.nq").read_text(encoding="utf-8")
    graphs = (f"<{settings.ns.graph(GENEVA)}> .", f"<{settings.ns.graph('wikidata-links')}> .")
    return sorted(line for line in dump.splitlines() if line.endswith(graphs))


def test_the_geneva_article_is_released_byte_for_byte_as_before(
    make_corpus: Callable[..., Corpus],
) -> None:
    corpus = make_corpus()
    corpus.keep_only(GENEVA)
    settings, release = corpus.build()
    lines = geneva_lines(settings, release)
    digest = hashlib.sha256(("\n".join(lines) + "\n").encode("utf-8")).hexdigest()
    assert (len(lines), digest) == (EXPECTED_LINES, EXPECTED_SHA256)


def test_the_other_articles_leave_the_geneva_graph_alone(
    built: tuple[Settings, Release], make_corpus: Callable[..., Corpus]
) -> None:
    """Articles that cite nothing of Geneva's add no triple to its graph."""
    corpus = make_corpus()
    corpus.keep_only(GENEVA)
    alone = geneva_lines(*corpus.build())
    assert geneva_lines(*built) == alone
