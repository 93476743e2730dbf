"""Read a SPARQL query before it runs: unescape it, find its form and dataset, and
refuse what would reach the network.

Why here and not in the engine: pyoxigraph runs ``SERVICE`` (and ``LOAD``) over the
network and has no switch to stop it, so the decision is made on the text, before
execution, and the engine runs exactly the text that was checked.

* SPARQL 1.1 Query, section 19.2: ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes are processed
  before parsing, anywhere in the text (``\\u0053ERVICE`` is ``SERVICE``). This module
  does that once; the result is what is checked and what runs. pyoxigraph unescapes
  again inside strings and IRIs, so a text that still holds an escape after one pass
  (``\\u005Cu0053``) is refused rather than read twice.
* The tokenizer skips strings, comments and IRIs, so the word SERVICE in a literal, a
  comment or an IRI is harmless, as is ``?service`` or ``schema:serviceType``. The
  engine needs no space around keywords (``SERVICESILENT<…>`` and ``1SERVICE <…>``
  both run), so any other occurrence of the letters counts as the keyword.
* SERVICE (SPARQL 1.1 Federated Query, section 3) is run only when its endpoint is an
  absolute IRI, written out or as a prefixed name, that is on the allow-list
  (``KG_SERVICE_ALLOWLIST``, empty by default). ``SERVICE ?var`` is refused: the
  endpoint is not known before the query runs.
* Updates (SPARQL 1.1 Update) are refused: the endpoint is read-only.
* Depth is bounded before the engine sees the text (pyoxigraph 0.5 recurses on it and
  crashes the process that runs it: DESIGN.md, measured): brackets nested, or ``!``
  repeated, more than MAX_NESTING (200) deep, and a tree more than MAX_DEPTH (2,000)
  deep, counting each bracket and each element of a chain (UNION, BIND, OPTIONAL, ||,
  +...), which the engine nests too, are refused (QueryTooDeep, 400).

The same check runs before ``kg query`` (kg/query.py), so the command and the endpoint
accept and refuse the same queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.errors import QueryError, QueryRefused, QueryTooDeep, ServiceRefused

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# SPARQL 1.1 Query, section 19.8: PN_CHARS_BASE, PN_CHARS_U, VARNAME.
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_VARCHARS = _BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040"
_TOKEN = re.compile(
    "|".join(
        (
            r"(?P<space>[ \t\r\n]+)",
            r"(?P<comment>#[^\r\n]*)",
            r"(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
            r'|"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
            r"|'(?:[^'\\\r\n]|\\.)*'"
            r'|"(?:[^"\\\r\n]|\\.)*")',
            r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',
            rf"(?P<var>[?$][{_VARCHARS}]+)",
            # words: keywords, prefixed names, numbers, blank node labels, with the
            # PN_LOCAL_ESC escapes (so the '#' of ex:a\#b is no comment)
            rf"(?P<word>(?:[{_VARCHARS}\-.:%]|\\[_~.\-!$&'()*+,;=/?#@%])+)",
            r"(?P<other>.)",
        )
    ),
    re.DOTALL,
)
_SERVICE = re.compile("service", re.IGNORECASE)
_PREFIX_NAME = re.compile(rf"(?:[{_BASE}](?:[{_VARCHARS}.\-]*[{_VARCHARS}\-])?|_)?")
_LOCAL_PLAIN = re.compile(rf"[{_VARCHARS}\-]*")
_PNAME = re.compile(
    rf"(?P<prefix>(?:[{_BASE}](?:[{_VARCHARS}.\-]*[{_VARCHARS}\-])?)?):"
    rf"(?P<local>(?:[{_VARCHARS}:%\-.]|\\[_~.\-!$&'()*+,;=/?#@%])*)"
)
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_UPDATES = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
_VOLATILE = frozenset({"NOW", "RAND", "UUID", "STRUUID"})  # a new value on each run
MAX_NESTING = 200  # brackets inside brackets, or '!' in a row (see _check_nesting)
MAX_DEPTH = 2_000  # nesting plus the elements of the chains around a part (_check_depth)
# What the engine nests like brackets when it builds the query's tree (measured with
# pyoxigraph 0.5 on an 8 MiB stack: 2,600 BINDs, 6,800 '+', 9,200 '&&' or 10,000 triple
# patterns in a row crash it; the query worker's 64 MiB stack takes 8 times as many).
# A ',' counts only in a group or a blank node's brackets (more triple patterns), not
# between a function's arguments or in an IN list, which the engine keeps flat.
_CHAIN_WORDS = frozenset(
    {"UNION", "MINUS", "OPTIONAL", "BIND", "FILTER", "GRAPH", "SERVICE", ".", ";"}
)
_CHAIN_SIGNS = frozenset("|&=<>+-*/;")

READ_ONLY = (
    "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...) is not "
    "accepted; send a query (SELECT, ASK, CONSTRUCT or DESCRIBE)"
)


@dataclass(frozen=True)
class Plan:
    """What a query is, as far as the endpoint needs to know before running it."""

    text: str  # the query after escape processing: what was checked, and what runs
    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE; None if not recognised
    has_dataset: bool  # a FROM or FROM NAMED clause chooses the graphs
    services: tuple[str, ...]  # allow-listed SERVICE endpoints it calls
    volatile: bool  # NOW(), RAND(), UUID(), STRUUID() or SERVICE: not cacheable


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int


@lru_cache(maxsize=1024)
def analyse(
    query: str, allowlist: frozenset[str], predefined: tuple[tuple[str, str], ...] = ()
) -> Plan:
    """Check ``query``; raise QueryError or ServiceRefused (400) or QueryRefused (403, an
    update), else its Plan.
    ``predefined`` are the prefixes the engine knows without a PREFIX declaration."""
    text = unescape(query)
    tokens = [t for t in _tokens(text) if t.kind not in ("space", "comment")]
    _check_nesting(text, tokens)
    _check_depth(text, tokens)
    declared, position = _prologue(tokens)
    prefixes = {name: [iri] for name, iri in predefined} | declared
    form = tokens[position].text.upper() if position < len(tokens) else None
    if form in _UPDATES:
        raise QueryRefused(READ_ONLY)
    words = [t.text.upper() for t in tokens if t.kind == "word"]
    services = _services(text, tokens, prefixes, allowlist)
    return Plan(
        text=text,
        form=form if form in _FORMS else None,
        has_dataset=any(w.startswith("FROM") and ":" not in w for w in words),
        services=services,
        volatile=bool(services) or not _VOLATILE.isdisjoint(words),
    )


def unescape(text: str) -> str:
    """Process the codepoint escapes of SPARQL 1.1 Query, section 19.2, once.

    >>> unescape(r"\\u0053ERVICE")
    'SERVICE'
    """
    if "\\u" not in text and "\\U" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            raise QueryError(
                f"{where(text, match.start())}: {match.group(0)} is not a Unicode character"
            )
        return chr(code)

    result = _ESCAPE.sub(replace, text)
    again = _ESCAPE.search(result)
    if again:
        raise QueryError(
            f"{where(result, again.start())}: an escape sequence produces another escape "
            f"sequence ({again.group(0)}); SPARQL processes \\u escapes once, before parsing: "
            "write the character itself"
        )
    return result


def where(text: str, offset: int) -> str:
    """``line L, column C`` (1-based) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _check_nesting(text: str, tokens: list[_Token]) -> None:
    """Refuse brackets nested, or ``!`` repeated, beyond MAX_NESTING: the engine's parser
    recurses on both and crashes the process a few thousand levels down (3,000 ``{``,
    5,000 ``(``, 10,000 ``!``, measured with pyoxigraph 0.5), and nested ``[ ]`` take
    seconds each long before that."""
    depth = run = 0
    for token in tokens:
        if token.kind != "other":
            run = 0
            continue
        if token.text in "({[":
            depth += 1
        elif token.text in ")}]":
            depth -= 1
        run = run + 1 if token.text == "!" else 0
        if depth > MAX_NESTING or run > MAX_NESTING:
            what = "'!' repeated" if run > MAX_NESTING else "brackets nested"
            raise QueryTooDeep(
                f"{where(text, token.start)}: {what} more than {MAX_NESTING} deep; "
                "write the query with less nesting"
            )


@dataclass
class _Level:
    """A bracketed part of a query, for :func:`_check_depth`."""

    start: int  # offset of its opening bracket
    bracket: str = "{"  # which: '{', '(' or '['
    chain: int = 0  # elements of chains directly inside it
    negations: int = 0  # the longest run of '!' directly inside it
    inner: int = 0  # the depth of its deepest part
    deepest: int = 0  # offset where that deepest part starts

    def depth(self) -> int:
        return 1 + self.chain + self.negations + self.inner


def _check_depth(text: str, tokens: list[_Token]) -> None:
    """Refuse a query whose tree would be more than MAX_DEPTH deep: each bracket counts,
    and so does each element of a chain around a part (``{A} UNION {B} UNION {C}`` or
    ``1 + 2 + 3`` nest two deep in the engine, as ``((A + B) + C)``), whatever the order
    of the chain. Counted over the parts of the query, longest path first."""
    levels = [_Level(0)]
    run = 0
    for token in tokens:
        level = levels[-1]
        text_ = token.text
        if token.kind == "other" and text_ in "({[":
            levels.append(_Level(token.start, text_))
        elif token.kind == "other" and text_ in ")}]":
            if len(levels) > 1:
                _close(levels)
        elif token.kind == "other" and text_ == "!":
            run += 1
            level.negations = max(level.negations, run)
            continue
        elif _chains(token, level):
            level.chain += 1
        elif token.kind == "word" and ":" not in text_:  # 1-2-3 reads as one word
            level.chain += text_.count("-")
        run = 0
    while len(levels) > 1:  # unbalanced: the engine says so; measure what is there
        _close(levels)
    depth = levels[0].depth() - 1
    if depth > MAX_DEPTH:
        raise QueryTooDeep(
            f"{where(text, levels[0].deepest)}: the query is {depth:,} levels deep, counting "
            "each bracket and each element of a chain (UNION, BIND, FILTER, OPTIONAL, "
            f"MINUS, ||, &&, +, ...) around a part; at most {MAX_DEPTH:,} are accepted, as "
            "deeper queries crash the engine: split the query, or use VALUES or IN for a "
            "long list of alternatives"
        )


def _chains(token: _Token, level: _Level) -> bool:
    """Whether ``token`` adds an element to a chain of ``level``."""
    if token.kind == "word":
        return token.text.upper() in _CHAIN_WORDS
    if token.kind == "other":
        return token.text in _CHAIN_SIGNS or (token.text == "," and level.bracket != "(")
    return False


def _close(levels: list[_Level]) -> None:
    level = levels.pop()
    parent = levels[-1]
    if level.depth() > parent.inner:
        parent.inner = level.depth()
        parent.deepest = level.deepest if level.inner else level.start


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.lastgroup or "other", m.group(), m.start()) for m in _TOKEN.finditer(text)]


def _prologue(tokens: list[_Token]) -> tuple[dict[str, list[str]], int]:
    """PREFIX declarations (every IRI declared for each prefix) and where the form starts."""
    prefixes: dict[str, list[str]] = {}
    i = 0
    while i < len(tokens) and tokens[i].kind == "word":
        keyword = tokens[i].text.upper()
        if keyword == "BASE" and i + 1 < len(tokens):
            i += 2
        elif keyword == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2].kind == "iri":
            name = tokens[i + 1].text
            prefixes.setdefault(name[:-1] if name.endswith(":") else name, []).append(
                tokens[i + 2].text[1:-1]
            )
            i += 3
        else:
            break
    return prefixes, i


def _services(
    text: str, tokens: list[_Token], prefixes: dict[str, list[str]], allowlist: frozenset[str]
) -> tuple[str, ...]:
    """The endpoints of every SERVICE in the query; ServiceRefused (400) for any not allowed."""
    found: list[str] = []
    for index, token in enumerate(tokens):
        if token.kind != "word":
            continue
        for match in _SERVICE.finditer(token.text):
            if _inside_prefixed_name(token.text, match.start()):
                continue
            at = where(text, token.start + match.start())
            if token.text.upper() != "SERVICE":
                raise ServiceRefused(
                    f"SERVICE is refused at {at} ({token.text!r}): write it as a separate "
                    "word, followed by an allow-listed endpoint IRI"
                )
            found.extend(_endpoint(tokens, index + 1, prefixes, allowlist, at))
    return tuple(found)


def _inside_prefixed_name(word: str, offset: int) -> bool:
    """Whether the letters at ``offset`` belong to the local part of a prefixed name
    (``schema:serviceType``) or a blank node label: text the engine reads as one name."""
    colon = word.find(":")
    if offset == 0 or colon < 0 or colon >= offset:
        return False
    return bool(
        _PREFIX_NAME.fullmatch(word[:colon]) and _LOCAL_PLAIN.fullmatch(word[colon + 1 : offset])
    )


def _endpoint(
    tokens: list[_Token],
    index: int,
    prefixes: dict[str, list[str]],
    allowlist: frozenset[str],
    at: str,
) -> list[str]:
    if index < len(tokens) and tokens[index].text.upper() == "SILENT":
        index += 1
    token = tokens[index] if index < len(tokens) else _Token("other", "", 0)
    if token.kind == "var":
        raise ServiceRefused(
            f"SERVICE {token.text} at {at} is refused: an endpoint held in a variable "
            "cannot be checked against the allow-list before the query runs"
        )
    if token.kind == "iri":
        candidates = [token.text[1:-1]]
    elif token.kind == "word" and (name := _PNAME.fullmatch(token.text)):
        local = re.sub(r"\\(.)", r"\1", name.group("local"))
        declared = prefixes.get(name.group("prefix"))
        if declared is None:
            raise ServiceRefused(
                f"SERVICE {token.text} at {at} is refused: its prefix is not declared; "
                "write the endpoint IRI in full"
            )
        candidates = [namespace + local for namespace in declared]
    else:
        raise ServiceRefused(
            f"SERVICE at {at} is refused: it must be followed by an endpoint IRI "
            f"(found {token.text!r})"
        )
    for iri in candidates:
        if not _ABSOLUTE.match(iri) or iri not in allowlist:
            allowed = ", ".join(sorted(allowlist)) if allowlist else "none"
            raise ServiceRefused(
                f"SERVICE <{iri}> at {at} is refused: the endpoint is not on the allow-list "
                f"(KG_SERVICE_ALLOWLIST; allowed: {allowed}). Queries never fetch from "
                "other hosts unless the operator allows them"
            )
    return candidates
