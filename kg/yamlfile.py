"""Read YAML as plain text values that remember the line they came from.

Seeds are edited by hand, so every error must point at a line. PyYAML's composer
keeps marks on each node; this module turns nodes into ``Mapping`` and ``Sequence``
objects carrying those lines. All scalars stay strings (YAML's ``BaseLoader``
resolution), so ``2026-02`` stays a month and ``no`` stays a word: the build decides
what each value means and says so when it cannot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.errors import SeedError


@dataclass
class Scalar:
    value: str
    line: int


@dataclass
class Sequence:
    items: list[Node]
    line: int


@dataclass
class Mapping:
    """A YAML mapping with the line of the mapping and of each key."""

    entries: dict[str, Node]
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)

    def get(self, key: str) -> Node | None:
        return self.entries.get(key)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


Node = Scalar | Sequence | Mapping

# libyaml's parser when PyYAML was built with it: the same nodes and marks, ~15x faster.
_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


def load(path: Path) -> Node:
    """Parse ``path``; a syntax error becomes a SeedError with its line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SeedError(
            path,
            None,
            f"is not UTF-8 text ({exc.reason} at byte {exc.start})",
            "save the file as UTF-8",
        ) from exc
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError:
        root = _compose_again(path, text)  # libyaml's messages are terser: ask PyYAML's
    if root is None:
        raise SeedError(path, 1, "is empty", "write the file's content (see docs/annotations.md)")
    return _convert(path, root)


def _compose_again(path: Path, text: str) -> yaml.Node | None:
    """Parse invalid YAML with the pure-Python parser, for its error and its wording."""
    try:
        return yaml.compose(text, Loader=yaml.BaseLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = f"is not valid YAML: {exc.problem or exc.context}"
        raise SeedError(path, line, problem, _yaml_hint(exc), column=column) from exc


def _yaml_hint(exc: yaml.MarkedYAMLError) -> str:
    problem = f"{exc.problem} {exc.context}"
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted; wrap it in single quotes"
    if "found character '\\t'" in problem:
        return "YAML indents with spaces, not tabs"
    if "expected <block end>" in problem or "indent" in problem:
        return "check the indentation of this line against the lines above"
    return "fix the YAML syntax at that line (quote values that contain : # or quotes)"


def _convert(path: Path, node: yaml.Node) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return Scalar(str(node.value), line)
    if isinstance(node, yaml.SequenceNode):
        return Sequence([_convert(path, item) for item in node.value], line)
    if isinstance(node, yaml.MappingNode):
        mapping = Mapping({}, line)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SeedError(
                    path,
                    key_node.start_mark.line + 1,
                    "has a key that is not text",
                    "write keys as plain words",
                )
            key = str(key_node.value)
            if key in mapping.entries:
                raise SeedError(
                    path,
                    key_node.start_mark.line + 1,
                    f"repeats the key {key!r} in one block",
                    f"keep one {key!r} (the first is on line {mapping.key_lines[key]})",
                )
            mapping.entries[key] = _convert(path, value_node)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping
    raise SeedError(path, line, "has a YAML node this tool does not read", "use plain YAML")


def to_plain(node: Node) -> list[Any]:
    """``node`` as JSON-ready lists, lines kept (the build cache stores nodes so)."""
    if isinstance(node, Scalar):
        return ["s", node.line, node.value]
    if isinstance(node, Sequence):
        return ["q", node.line, [to_plain(item) for item in node.items]]
    return [
        "m",
        node.line,
        [[key, node.line_of(key), to_plain(value)] for key, value in node.entries.items()],
    ]


def from_plain(plain: list[Any]) -> Node:
    """The node :func:`to_plain` wrote; ValueError when ``plain`` is not such a form."""
    kind, line = plain[0], int(plain[1])
    if kind == "s" and isinstance(plain[2], str):
        return Scalar(plain[2], line)
    if kind == "q":
        return Sequence([from_plain(item) for item in plain[2]], line)
    if kind == "m":
        mapping = Mapping({}, line)
        for key, key_line, value in plain[2]:
            mapping.entries[str(key)] = from_plain(value)
            mapping.key_lines[str(key)] = int(key_line)
        return mapping
    raise ValueError(f"not a YAML node: {str(plain)[:80]}")
