"""Find resources by name: the labels and aliases of the graph in every language it has
(``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel``, ``dcterms:title``), and the
names Wikidata gives the linked items (``kg link --fetch``, graph ``wikidata-cache``).

The answer has the shape of Wikidata's ``wbsearchentities`` (MediaWiki API,
action=wbsearchentities): ``searchinfo``, ``search`` (each hit with ``id``,
``concepturi``, ``url``, ``label``, ``description``, ``match`` {type, language, text},
``aliases``), ``search-continue`` and ``success``, so tools written for Wikidata's
search box work here. Matching ignores case and accents; every word of the search must
begin a word of the name ("arag" finds "Abbas Araghchi", "abb ara" too). The people,
states, organisations, places and negotiations come before the claims about them.

The index is built once per release (a few thousand names), in memory.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespaces import STANDARD_PREFIXES, Namespaces
from kg.server.pages.locations import Locations

RDFS, SKOS, DCTERMS = (STANDARD_PREFIXES[p] for p in ("rdfs", "skos", "dcterms"))
SCHEMA_DESCRIPTION = STANDARD_PREFIXES["schema"] + "description"
LABELS = {RDFS + "label": "label", SKOS + "prefLabel": "label", DCTERMS + "title": "label"}
ALIASES = {SKOS + "altLabel": "alias"}
# Kinds of resource in the order hits are listed; anything else after them.
KINDS = (
    "process", "person", "state", "organisation", "group", "city", "place", "office",
    "round", "agreement", "event", "meeting", "delegation", "anonymous", "website",
    "source",
)  # fmt: skip
DEFAULT_LIMIT, MAX_LIMIT = 7, 50
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case, without accents: what matching compares.

    >>> fold("Āraghchī")
    'araghchi'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Name:
    text: str
    language: str  # "" when the literal has none
    kind: str  # "label" or "alias"
    words: tuple[str, ...]  # folded
    folded: str  # the whole text, folded


@dataclass
class Entry:
    iri: str
    rank: int  # of its kind in KINDS
    names: list[Name] = field(default_factory=list)
    description: str = ""

    def label(self, language: str) -> Name | None:
        labels = [n for n in self.names if n.kind == "label"]
        for wanted in (language, "en", ""):
            for name in labels:
                if name.language.split("-")[0] == wanted:
                    return name
        return labels[0] if labels else None


@dataclass(frozen=True)
class Hit:
    entry: Entry
    match: Name
    score: tuple[int, int, int, str]


class Index:
    """The names of one release's resources."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = [e for e in entries if e.names]

    def search(self, text: str, language: str = "en", limit: int = DEFAULT_LIMIT) -> list[Hit]:
        wanted = _WORD.findall(fold(text))
        if not wanted:
            return []
        hits = []
        for entry in self.entries:
            best: Hit | None = None
            for name in entry.names:
                quality = _quality(wanted, name.folded, name.words)
                if quality is None:
                    continue
                own = 0 if name.language.split("-")[0] in (language, "") else 1
                score = (quality, entry.rank, (name.kind == "alias") + own, name.text.lower())
                if best is None or score < best.score:
                    best = Hit(entry, name, score)
            if best is not None:
                hits.append(best)
        hits.sort(key=lambda h: (h.score, h.entry.iri))
        return hits[:limit]


def _quality(wanted: list[str], folded: str, words: tuple[str, ...]) -> int | None:
    """0 the whole name, 1 its beginning, 2 the beginnings of its words; None: no match."""
    query = " ".join(wanted)
    if folded == query:
        return 0
    if folded.startswith(query):
        return 1
    if all(any(w.startswith(part) for w in words) for part in wanted):
        return 2
    return None


_INDEXES: dict[tuple[str, str], Index] = {}
_KEEP = 4  # indexes kept: the current release's, and a few before it


def index_for(release_id: str, store: ox.Store, base: str) -> Index:
    """The index of a release, built at its first search (``release_id`` and ``base``
    key the cache: each request may hold its own handle on the same store)."""
    key = (release_id, base)
    found = _INDEXES.get(key)
    if found is None:
        found = build(store, Namespaces(base))
        while len(_INDEXES) >= _KEEP:
            _INDEXES.pop(next(iter(_INDEXES)))
        _INDEXES[key] = found
    return found


def build(store: ox.Store, ns: Namespaces) -> Index:
    locations = Locations(ns.base)
    entries: dict[str, Entry] = {}

    def entry(iri: str) -> Entry | None:
        if iri not in entries:
            path = locations.page(iri)
            if path is None:
                return None
            kind = path.removeprefix("/page/").split("/")[0]
            rank = KINDS.index(kind) if kind in KINDS else len(KINDS) + (kind != "concept")
            entries[iri] = Entry(iri, rank)
        return entries[iri]

    for predicate, kind in (LABELS | ALIASES).items():
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None):
            subject, value = quad.subject, quad.object
            if not isinstance(subject, ox.NamedNode) or not isinstance(value, ox.Literal):
                continue
            found = entry(subject.value)
            if found is not None:
                _add(found, value, kind)
    _wikidata_names(store, ns, entries)
    _descriptions(store, ns, entries)
    return Index(entries.values())


def _add(entry: Entry, literal: ox.Literal, kind: str) -> None:
    folded = fold(literal.value)
    name = Name(literal.value, literal.language or "", kind, tuple(_WORD.findall(folded)), folded)
    if all((n.text, n.language) != (name.text, name.language) for n in entry.names):
        entry.names.append(name)


def _wikidata_names(store: ox.Store, ns: Namespaces, entries: dict[str, Entry]) -> None:
    """The names Wikidata gives the items the entities are the same as, as aliases."""
    query = f"""PREFIX owl: <http://www.w3.org/2002/07/owl#>
    SELECT ?thing ?name ?description WHERE {{
      ?thing owl:sameAs ?item .
      GRAPH <{ns.graph("wikidata-cache")}> {{
        {{ ?item <{RDFS}label>|<{SKOS}altLabel> ?name }}
        UNION {{ ?item <{SCHEMA_DESCRIPTION}> ?description
                 FILTER(LANGMATCHES(LANG(?description), "en")) }}
      }}
    }}"""
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        found = entries.get(str(row["thing"].value))
        if found is None:
            continue
        if isinstance(row["name"], ox.Literal):
            _add(found, row["name"], "alias")
        if isinstance(row["description"], ox.Literal) and not found.description:
            found.description = row["description"].value


def _descriptions(store: ox.Store, ns: Namespaces, entries: dict[str, Entry]) -> None:
    """A short description: the offices a person holds, else Wikidata's, else the class."""
    query = f"""PREFIX nkg: <{ns.nkg}>
    SELECT ?who ?office WHERE {{ ?h a nkg:OfficeHolding ; nkg:holder ?who ; nkg:office ?o .
                                 ?o <{RDFS}label> ?office }}"""
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    offices: dict[str, list[str]] = {}
    for row in solutions:
        offices.setdefault(str(row["who"].value), []).append(str(row["office"].value))
    for iri, entry in entries.items():
        if iri in offices:
            entry.description = ", ".join(sorted(set(offices[iri])))
        elif not entry.description:
            kind = iri.removeprefix(ns.base).split("/")
            entry.description = (kind[1] if kind[0] == "id" and len(kind) > 1 else kind[0]).replace(
                "-", " "
            )


def answer(
    index: Index, text: str, language: str, limit: int, offset: int, ns: Namespaces, page: str
) -> dict[str, object]:
    """The hits as ``wbsearchentities`` gives them; ``page`` maps an IRI to its page's URL."""
    hits = index.search(text, language, offset + limit + 1)
    shown = hits[offset : offset + limit]
    result: dict[str, object] = {
        "searchinfo": {"search": text},
        "search": [_hit(h, language, ns, page) for h in shown],
        "success": 1,
    }
    if len(hits) > offset + limit:
        result["search-continue"] = offset + limit
    return result


def _hit(hit: Hit, language: str, ns: Namespaces, page: str) -> dict[str, object]:
    entry = hit.entry
    label = entry.label(language) or hit.match
    curie = ns.shorten(entry.iri)
    locations = Locations(ns.base)
    path = locations.page(entry.iri) or ""
    return {
        "id": curie if not curie.startswith("<") else entry.iri,
        "title": curie,
        "concepturi": entry.iri,
        "url": page + path.lstrip("/"),
        "label": label.text,
        "description": entry.description,
        "match": {"type": hit.match.kind, "language": hit.match.language, "text": hit.match.text},
        "aliases": [n.text for n in entry.names if n.kind == "alias"][:5],
    }
