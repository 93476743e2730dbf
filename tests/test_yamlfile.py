"""Seed YAML is read as text, keeping lines, and its syntax errors point at the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import yamlfile
from kg.errors import SeedError
from kg.yamlfile import Mapping, Scalar, Sequence


def test_values_stay_text_and_keep_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("claims:\n  - date: 2026-02\n    core: no\n    number: 2\n")
    root = yamlfile.load(path)
    assert isinstance(root, Mapping)
    claims = root.get("claims")
    assert isinstance(claims, Sequence)
    claim = claims.items[0]
    assert isinstance(claim, Mapping)
    assert claim.get("date") == Scalar("2026-02", 2)
    assert claim.get("core") == Scalar("no", 3)
    assert claim.get("number") == Scalar("2", 4)
    assert claim.line_of("core") == 3


def test_invalid_yaml_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("claims:\n  - id: a\n    label: Oman: the mediator\n")
    with pytest.raises(SeedError) as error:
        yamlfile.load(path)
    assert (error.value.line, error.value.column) == (3, 16)
    assert str(error.value).startswith(f"{path}:3:16: is not valid YAML")
    assert "quote" in error.value.fix


def test_a_repeated_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    path.write_text("id: a\nlabel: x\nlabel: y\n")
    with pytest.raises(SeedError, match="repeats the key 'label'") as error:
        yamlfile.load(path)
    assert error.value.line == 3


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing\n")
    with pytest.raises(SeedError, match="is empty"):
        yamlfile.load(path)


def test_a_tab_gets_the_hint_about_spaces(tmp_path: Path) -> None:
    path = tmp_path / "tab.yaml"
    path.write_text("claims:\n\t- id: a\n")
    with pytest.raises(SeedError) as error:
        yamlfile.load(path)
    assert error.value.line == 2
    assert "spaces, not tabs" in error.value.fix
