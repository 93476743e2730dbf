"""The competency queries in ``queries/``: one SPARQL file per question.

Each file starts with ``#`` comment lines: the first is the question, the rest say
what the answer holds. The project's prefixes (``nkg:``, ``round:``, ``role:``, ...)
are predefined wherever queries run, as Wikidata's endpoint predefines ``wd:``;
:func:`with_prefixes` writes them out for tools that need them declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import QueryError

# What cannot hold a prefixed name: IRIs, strings and comments (SPARQL 1.1 Query, 19.8).
_NOT_NAMES = re.compile(
    r"<[^<>\"{}|^`\\\s]*>"
    r'|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|#[^\n]*"
)
_PREFIX_USE = re.compile(r"(?<![\w:?$.-])([A-Za-z][\w-]*):(?=[\w-])")


@dataclass(frozen=True)
class NamedQuery:
    name: str  # file stem, such as 01-rounds
    title: str
    description: str
    text: str


def read_query_file(path: Path) -> str:
    """The text of a query file; a QueryError says why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise QueryError(f"{path} is not UTF-8 text (byte {exc.start}): save it as UTF-8") from exc
    except OSError as exc:
        raise QueryError(f"cannot read {path}: {exc.strerror}") from exc


def load_queries(folder: Path) -> list[NamedQuery]:
    queries = []
    for path in sorted(folder.glob("*.rq")):
        text = read_query_file(path)
        comments = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            comments.append(line.lstrip("#").strip())
        title = comments[0] if comments else path.stem
        queries.append(NamedQuery(path.stem, title, " ".join(comments[1:]).strip(), text))
    return queries


def find_query(folder: Path, name: str) -> NamedQuery:
    """A query by file stem, or by its number (``3`` finds ``03-delegations``)."""
    queries = load_queries(folder)
    for query in queries:
        if name in (
            query.name,
            query.name.split("-", 1)[0],
            query.name.split("-", 1)[0].lstrip("0"),
        ):
            return query
    names = ", ".join(q.name for q in queries)
    raise QueryError(f"no query named {name!r} in {folder}; there are: {names}")


def with_prefixes(text: str, prefixes: dict[str, str]) -> str:
    """``text`` with PREFIX declarations for the predefined prefixes it uses and does
    not declare itself (SPARQL 1.1 Query, section 4.1.1)."""
    declared = {m.lower() for m in re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):", text)}
    body = _NOT_NAMES.sub(" ", text)
    used = {m for m in _PREFIX_USE.findall(body) if m in prefixes and m.lower() not in declared}
    head = "".join(f"PREFIX {p}: <{prefixes[p]}>\n" for p in sorted(used))
    return head + text
