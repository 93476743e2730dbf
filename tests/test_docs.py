"""The documentation tells the truth: its examples run, its references are generated
from the code, and every setting is documented in the README."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kg import pipeline
from kg.config import settings_table
from kg.progress import Steps
from kg.queries import find_query
from kg.reference import render
from tests.conftest import GENEVA, ROOT, Corpus

ANNOTATIONS = ROOT / "docs" / "annotations.md"


def yaml_blocks(path: Path) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def test_generated_reference_sections_are_up_to_date() -> None:
    for path in (ANNOTATIONS, ROOT / "README.md"):
        text = path.read_text(encoding="utf-8")
        assert render(text) == text, "run: python -m kg.reference docs/annotations.md README.md"


def test_the_annotation_example_builds_against_the_geneva_article(
    make_corpus: Callable[..., Corpus],
) -> None:
    corpus = make_corpus()
    corpus.keep_only(GENEVA)
    example = yaml_blocks(ANNOTATIONS)[0]
    (corpus.documents / f"{GENEVA}.yaml").write_text(example, encoding="utf-8")
    checked = pipeline.check(corpus.settings(), Steps(quiet=True))
    assert checked.report.conforms


def worked_example() -> dict[str, str]:
    """The README's worked example: each block marked ``<!-- worked example: NAME -->``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"<!-- worked example: (.+?) -->\n```\w*\n(.*?)```", readme, re.S)
    return dict(found)


def test_the_readme_worked_example_builds_and_answers_as_shown(
    make_corpus: Callable[..., Corpus],
) -> None:
    blocks = worked_example()
    corpus = make_corpus(start=None)
    corpus.add_entities(blocks["registry.yaml"])
    documents = {name: text for name, text in blocks.items() if name.startswith("documents/")}
    [text_file] = [name for name in documents if name.endswith(".txt")]
    stem = Path(text_file).stem
    corpus.add_document(stem, documents[text_file], documents[f"documents/{stem}.yaml"])
    settings, release = corpus.build()
    store = release.open_store()
    result = store.query(
        find_query(settings.queries_dir, "7").text,
        prefixes=settings.ns.prefixes(),
        use_default_graph_as_union=True,
    )
    assert isinstance(result, ox.QuerySolutions)
    rows = [[s[v].value if s[v] is not None else "" for v in result.variables] for s in result]
    shown = [line.split("|") for line in blocks["query 7"].splitlines()[2:]]
    assert [r[:5] for r in rows] == [[cell.strip() for cell in line] for line in shown]
    concept = settings.ns.concept("issue", "water-sharing")
    declared = store.query(
        f"ASK {{ <{concept}> skos:broader issue:land-property-and-environment }}",
        prefixes=settings.ns.prefixes(),
        use_default_graph_as_union=True,
    )
    assert isinstance(declared, ox.QueryBoolean) and bool(declared)


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for variable, _, _ in settings_table().values():
        assert f"`{variable}`" in readme, f"{variable} is missing from the README"
