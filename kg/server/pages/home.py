"""What the home page says about the dataset: first the negotiations (each with its latest
round and its status, leading to its dossier), then the people, states, organisations
and places; then its VoID description (W3C Interest Group
Note "Describing Linked Datasets with the VoID Vocabulary", section 4: statistics),
its source documents, graphs and concept schemes, its dumps, and the competency
queries of ``queries/`` as examples."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from kg.namespaces import STANDARD_PREFIXES, VOID
from kg.queries import Parameter, load_queries, with_prefixes
from kg.release import Release
from kg.server.pages.terms import Term, Terms, lexical
from kg.server.pages.when import When, when

QUERIES = Path(__file__).parent / "queries"

DCTERMS = STANDARD_PREFIXES["dcterms"]
# Besides the ontology's own: where the classes of people, organisations and places are.
ENTITY_NAMESPACES = tuple(STANDARD_PREFIXES[p] for p in ("schema", "org", "foaf"))
STATISTICS = (
    ("triples", "triples"),
    ("entities", "resources with a type"),
    ("distinctSubjects", "subjects"),
    ("classes", "classes"),
    ("properties", "properties"),
)


@dataclass(frozen=True)
class Count:
    term: Term
    n: int


@dataclass(frozen=True)
class Example:
    """A competency query as the home page lists it: by title, leading to its tab of the
    query UI (the text is there, not here: printed in full, the queries were nine tenths
    of the page)."""

    name: str
    title: str
    description: str
    ui: str  # local path of the query UI on this query's tab
    parameters: tuple[Parameter, ...] = ()  # values the query takes (a form asks for them)


@dataclass(frozen=True)
class Dump:
    name: str
    path: str
    size: int
    media_type: str
    sha256: str


@dataclass(frozen=True)
class Negotiation:
    term: Term
    parties: tuple[Term, ...]
    rounds: int
    latest: Term | None  # the last round held
    latest_date: When | None
    status: Term | None
    next: Term | None  # the first round planned


@dataclass(frozen=True)
class Group:
    title: str
    cls: str  # the class IRI, for the link to all its instances
    members: tuple[tuple[Term, str], ...]  # the resource and a word about it
    total: int


@dataclass(frozen=True)
class Overview:
    negotiations: tuple[Negotiation, ...]
    groups: tuple[Group, ...]
    title: str
    description: str
    licence: Term | None
    statistics: tuple[tuple[str, int], ...]
    classes: tuple[Count, ...]
    graphs: tuple[Count, ...]
    sources: tuple[Term, ...]
    schemes: tuple[Term, ...]
    examples: tuple[Example, ...]
    dumps: tuple[Dump, ...]


def overview(terms: Terms, release: Release, queries_dir: Path) -> Overview:
    ns, store = terms.ns, terms.store
    dataset = ox.NamedNode(str(ns.dataset))
    void_graph = ox.NamedNode(str(ns.graph("void")))
    version = ox.NamedNode(str(ns.release(release.id)))

    def literal(subject: ox.NamedNode, predicate: str) -> str:
        quad = next(
            store.quads_for_pattern(subject, ox.NamedNode(predicate), None, void_graph), None
        )
        return lexical(quad.object) if quad is not None else ""

    def number(subject: ox.NamedNode, predicate: str) -> int | None:
        try:
            return int(literal(subject, predicate))
        except ValueError:
            return None

    licence = next(
        store.quads_for_pattern(dataset, ox.NamedNode(DCTERMS + "license"), None, void_graph), None
    )
    statistics = tuple(
        (text, n)
        for name, text in STATISTICS
        if (n := number(version, str(VOID[name]))) is not None
    )
    return Overview(
        negotiations=tuple(negotiations(terms)),
        groups=tuple(_groups(terms)),
        title=literal(dataset, DCTERMS + "title") or "Negotiations knowledge graph",
        description=literal(dataset, DCTERMS + "description"),
        licence=terms.iri(lexical(licence.object)) if licence is not None else None,
        statistics=statistics,
        classes=tuple(_partition_counts(terms, version, (*ENTITY_NAMESPACES, str(ns.nkg)))),
        graphs=tuple(_graph_counts(terms, version)),
        sources=tuple(_instances(terms, str(ns.nkg.SourceDocument))),
        schemes=tuple(_instances(terms, STANDARD_PREFIXES["skos"] + "ConceptScheme")),
        examples=tuple(examples(queries_dir)),
        dumps=tuple(
            Dump(
                path.removeprefix("dumps/"),
                "/" + path,
                int(f["size"]),
                f["media_type"],
                f["sha256"],
            )
            for path, f in sorted(release.files.items())
            if path.startswith("dumps/")
        ),
    )


def examples(queries_dir: Path) -> list[Example]:
    return [
        Example(
            query.name,
            query.title,
            query.description,
            f"/query?{urlencode({'example': query.name})}",
            query.parameters,
        )
        for query in (load_queries(queries_dir) if queries_dir.is_dir() else [])
    ]


def _solutions(terms: Terms, query: str, union: bool = False) -> ox.QuerySolutions:
    """Solutions of ``query``; its default graph is the union of all graphs when ``union``."""
    solutions = terms.store.query(query, use_default_graph_as_union=union)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _partition_counts(
    terms: Terms, version: ox.NamedNode, namespaces: tuple[str, ...]
) -> list[Count]:
    """Instances of each class of the ontology and of the people, organisations and
    places it reuses, from the VoID class partitions."""
    rows = _solutions(
        terms,
        f"""PREFIX void: <{VOID}>
        SELECT ?class ?n {{ GRAPH <{terms.ns.graph("void")}> {{
          {version} void:classPartition [ void:class ?class ; void:entities ?n ] }} }}""",
    )
    counts = [
        Count(terms.iri(str(row["class"].value)), int(row["n"].value))
        for row in rows
        if str(row["class"].value).startswith(namespaces)
    ]
    return sorted(counts, key=lambda c: (-c.n, c.term.text))


def _graph_counts(terms: Terms, version: ox.NamedNode) -> list[Count]:
    rows = _solutions(
        terms,
        f"""PREFIX void: <{VOID}>
        SELECT ?g ?n {{ GRAPH <{terms.ns.graph("void")}> {{
          {version} void:subset ?g . OPTIONAL {{ ?g void:triples ?n }} }} }} ORDER BY ?g""",
    )
    return [
        Count(terms.iri(str(row["g"].value)), int(row["n"].value) if row["n"] else 0)
        for row in rows
    ]


def _instances(terms: Terms, cls: str) -> list[Term]:
    rdf_type = ox.NamedNode(STANDARD_PREFIXES["rdf"] + "type")
    subjects = {
        q.subject.value
        for q in terms.store.quads_for_pattern(None, rdf_type, ox.NamedNode(cls), None)
        if isinstance(q.subject, ox.NamedNode)
    }
    return sorted((terms.iri(s) for s in subjects), key=lambda t: t.text.lower())


def negotiations(terms: Terms) -> list[Negotiation]:
    """The negotiation processes, the most recently active first."""
    text = with_prefixes(
        (QUERIES / "negotiations.rq").read_text(encoding="utf-8"), terms.ns.prefixes()
    )
    found: dict[str, dict[str, dict[str, tuple[str, str, str]]]] = {}
    for row in _solutions(terms, text, union=True):
        process = found.setdefault(str(row["process"].value), {"rounds": {}, "parties": {}})
        if row["round"] is not None:
            process["rounds"][str(row["round"].value)] = tuple(  # type: ignore[assignment]
                "" if row[n] is None else str(row[n].value) for n in ("number", "status", "date")
            )
        if row["party"] is not None:
            process["parties"][str(row["party"].value)] = ("", "", "")
    result = []
    for iri, parts in found.items():
        rounds = sorted(parts["rounds"].items(), key=lambda r: (_int(r[1][0]), r[1][2], r[0]))
        held = [r for r in rounds if not r[1][1].endswith("/planned")] or rounds
        planned = [r for r in rounds if r[1][1].endswith("/planned")]
        latest = held[-1] if held else None
        result.append(
            Negotiation(
                terms.iri(iri),
                tuple(sorted((terms.iri(p) for p in parts["parties"]), key=lambda t: t.text)),
                len(rounds),
                terms.iri(latest[0]) if latest else None,
                when(latest[1][2]) if latest else None,
                terms.iri(latest[1][1]) if latest and latest[1][1] else None,
                terms.iri(planned[0][0]) if planned else None,
            )
        )
    never = dt.date.min
    return sorted(
        result,
        key=lambda n: (-(n.latest_date.last if n.latest_date else never).toordinal(), n.term.text),
    )


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 1_000_000


# The kinds of entity the home page lists after the negotiations, each by its class.
GROUPS = (
    ("People", STANDARD_PREFIXES["schema"] + "Person"),
    ("States", "nkg:State"),
    ("Organisations", STANDARD_PREFIXES["org"] + "Organization"),
    ("Places", STANDARD_PREFIXES["schema"] + "City"),
    ("Places", STANDARD_PREFIXES["schema"] + "Place"),
)
MAX_LISTED = 24


def _groups(terms: Terms) -> list[Group]:
    offices = _offices(terms)
    groups: dict[str, Group] = {}
    for title, cls in GROUPS:
        iri = str(terms.ns.nkg) + cls.removeprefix("nkg:") if cls.startswith("nkg:") else cls
        members = _instances(terms, iri)
        if not members:
            continue
        listed = tuple((m, offices.get(m.value, "")) for m in members[:MAX_LISTED])
        if title in groups:  # cities and other places in one list
            before = groups[title]
            merged = tuple(sorted(before.members + listed, key=lambda m: m[0].text.lower()))
            groups[title] = Group(title, before.cls, merged, before.total + len(members))
        else:
            groups[title] = Group(title, iri, listed, len(members))
    return list(groups.values())


def _offices(terms: Terms) -> dict[str, str]:
    nkg = terms.ns.nkg
    rows = _solutions(
        terms,
        f"""SELECT ?who ?office {{ ?h a <{nkg.OfficeHolding}> ; <{nkg.holder}> ?who ;
              <{nkg.office}> ?o . ?o <{STANDARD_PREFIXES["rdfs"]}label> ?office }}""",
        union=True,
    )
    offices: dict[str, list[str]] = {}
    for row in rows:
        offices.setdefault(str(row["who"].value), []).append(str(row["office"].value))
    return {who: ", ".join(sorted(set(names))) for who, names in offices.items()}
