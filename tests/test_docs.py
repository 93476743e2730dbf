"""The documentation tells the truth: its examples run, its references are generated
from the code, and every setting is documented in the README."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from kg import pipeline
from kg.config import settings_table
from kg.progress import Steps
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


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for variable, _, _ in settings_table().values():
        assert f"`{variable}`" in readme, f"{variable} is missing from the README"
