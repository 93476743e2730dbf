"""The competency queries in ``queries/``: one SPARQL file per question.

Each file starts with ``#`` comment lines: the first is the question, the rest say
what the answer holds. The project's prefixes (``nkg:``, ``round:``, ``role:``, ...)
are predefined wherever queries run, as Wikidata's endpoint predefines ``wd:``;
:func:`with_prefixes` writes them out for tools that need them declared.

A query may take parameters, each declared by a comment line of its header::

    # Parameter ?fact (IRI): the fact to trace, as an IRI or a CURIE such as round:<id>

:func:`bind` checks a value (an IRI, or a CURIE of a known prefix, checked as an IRI)
and appends it to the query as a trailing ``VALUES ?fact { <...> }`` (SPARQL 1.1 Query,
section 10.2.2): the query text itself is never edited, and a value can only ever be
one IRI term. Without it the variable is unbound and the query answers for every value.
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


_PARAMETER = re.compile(r"Parameter\s+\?([A-Za-z_]\w*)\s*\((\w+)\)\s*:\s*(.+)")
_IRI_CHARACTERS = re.compile(r'[^<>"{}|^`\\\x00-\x20]+')  # SPARQL 1.1 Query, IRIREF
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_WRITTEN_OUT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_CURIE = re.compile(r"([A-Za-z][\w.-]*)?:(.*)", re.DOTALL)
KINDS = ("IRI",)  # the kinds of value a parameter takes


@dataclass(frozen=True)
class Parameter:
    """A value a query takes: it binds the variable ``?name``."""

    name: str
    kind: str  # one of KINDS
    help: str


@dataclass(frozen=True)
class NamedQuery:
    name: str  # file stem, such as 01-rounds
    title: str
    description: str
    text: str
    parameters: tuple[Parameter, ...] = ()


def parse(name: str, text: str) -> NamedQuery:
    """A query and what its header comment says: title, description, parameters."""
    comments = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line.lstrip("#").strip())
    title = comments[0] if comments else name
    parameters, description = [], []
    for comment in comments[1:]:
        if match := _PARAMETER.fullmatch(comment):
            variable, kind, help_text = match.groups()
            if kind not in KINDS:
                raise QueryError(
                    f"query {name} declares ?{variable} as {kind!r}; a parameter takes: "
                    + ", ".join(KINDS)
                )
            parameters.append(Parameter(variable, kind, help_text.strip()))
        else:
            description.append(comment)
    return NamedQuery(name, title, " ".join(description).strip(), text, tuple(parameters))


def bind(query: NamedQuery, values: dict[str, str], prefixes: dict[str, str]) -> str:
    """The text of ``query`` with each parameter bound to its value: every parameter
    needs one, and only declared ones are taken. QueryError says what is wrong."""
    declared = {p.name: p for p in query.parameters}
    if unknown := sorted(set(values) - set(declared)):
        takes = ", ".join(declared) if declared else "none"
        raise QueryError(
            f"query {query.name} takes no parameter {unknown[0]!r} (its parameters: {takes})"
        )
    if missing := [p for p in query.parameters if p.name not in values]:
        first = missing[0]
        raise QueryError(
            f"query {query.name} needs a value for ?{first.name} (kg query: --param "
            f"{first.name}=…): {first.help}"
        )
    if not declared:
        return query.text
    terms = [f"<{iri(values[name], prefixes)}>" for name in declared]
    if len(terms) == 1:
        clause = f"VALUES ?{next(iter(declared))} {{ {terms[0]} }}"
    else:  # a query has one trailing VALUES clause: one row of several variables
        clause = f"VALUES ({' '.join(f'?{n}' for n in declared)}) {{ ({' '.join(terms)}) }}"
    return f"{query.text.rstrip()}\n{clause}\n"


def iri(value: str, prefixes: dict[str, str]) -> str:
    """``value`` as an absolute IRI: in ``<>``, written out (``https://…``), or a CURIE
    of a known prefix; QueryError otherwise (a mistyped prefix is not taken for a
    scheme)."""
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    elif (match := _CURIE.fullmatch(text)) and (match.group(1) or "") in prefixes:
        text = prefixes[match.group(1) or ""] + match.group(2)
    elif not _WRITTEN_OUT.match(text):
        text = ""
    if not (_ABSOLUTE.match(text) and _IRI_CHARACTERS.fullmatch(text)):
        curie = _CURIE.fullmatch(value.strip())
        if text:
            why = 'it holds a character an IRI cannot (a space, <, >, ", {, }, |, ^, `, \\)'
        elif curie and curie.group(1):
            why = f"its prefix {curie.group(1)}: is not one of the project's (README: prefixes)"
        else:
            why = "it is not written as an IRI"
        raise QueryError(
            f"{value!r} is not an IRI: {why}; write an IRI in full (https://…, or in <>) "
            "or as a CURIE such as round:<id>"
        )
    return text


def read_query_file(path: Path) -> str:
    """The text of a query file; a QueryError says why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise QueryError(f"{path} is not UTF-8 text (byte {exc.start}): save it as UTF-8") from exc
    except OSError as exc:
        raise QueryError(f"cannot read {path}: {exc.strerror}") from exc


def load_queries(folder: Path) -> list[NamedQuery]:
    return [parse(path.stem, read_query_file(path)) for path in sorted(folder.glob("*.rq"))]


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
