"""Fetch, for every linked item, what queries want to join without the network: labels
and descriptions in several languages and a few key statements. The result is a Turtle
file in ``seeds/`` (``wikidata-cache.ttl``), published as the named graph
``{base}graph/wikidata-cache`` with its source, retrieval date and licence (CC0)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from rdflib import DCTERMS, PROV, RDF, RDFS, XSD, Graph, Literal, URIRef

from kg.link.api import WikidataApi
from kg.namespaces import DEFAULT_BASE_IRI, SCHEMA, WD, Namespaces
from kg.seeds import Seeds

CACHE_FILE = "wikidata-cache.ttl"
LANGUAGES = ("en", "fa", "ar", "fr")
WDT = "http://www.wikidata.org/prop/direct/"
# The statements kept, by Wikidata property: instance of, country, position held,
# coordinate location.
STATEMENTS = {
    "P31": "instance of",
    "P17": "country",
    "P39": "position held",
    "P625": "coordinate location",
}
GEO_WKT = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")


def fetch(api: WikidataApi, seeds: Seeds, target: Path) -> int:
    """Write the cache for the registry's linked items; returns the number of items."""
    qids = sorted({e.wikidata for e in seeds.entities if e.wikidata})
    items = api.entities(qids, props="labels|descriptions|claims", languages=LANGUAGES)
    graph = Graph()
    graph.bind("wd", WD)
    graph.bind("wdt", WDT)
    graph.bind("schema", SCHEMA)
    values: set[str] = set()
    for qid, item in items.items():
        values |= _describe(graph, WD[qid], item)
    for qid, item in api.entities(values - set(items), props="labels").items():
        _labels(graph, WD[qid], item)
    ns = Namespaces(DEFAULT_BASE_IRI)  # the file is rebased like ontology/ when loaded
    source = ns.graph("wikidata-cache")
    graph.add((source, RDF.type, PROV.Entity))
    graph.add(
        (
            source,
            RDFS.label,
            Literal("Labels and key statements of linked Wikidata items", lang="en"),
        )
    )
    graph.add((source, DCTERMS.source, URIRef("https://www.wikidata.org/")))
    graph.add(
        (
            source,
            PROV.generatedAtTime,
            Literal(
                dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime
            ),
        )
    )
    graph.add((source, DCTERMS.license, CC0))
    graph.add(
        (
            source,
            RDFS.comment,
            Literal(
                f"Retrieved by `kg link --fetch` from {api.endpoint}: labels and descriptions in "
                f"{', '.join(LANGUAGES)}; statements {_statement_names()}.",
                lang="en",
            ),
        )
    )
    target.write_text(
        "# Written by `kg link --fetch`; do not edit by hand.\n" + graph.serialize(format="turtle"),
        encoding="utf-8",
    )
    return len(items)


def _statement_names() -> str:
    return ", ".join(f"{prop} ({name})" for prop, name in STATEMENTS.items())


def _describe(graph: Graph, item: URIRef, data: dict[str, Any]) -> set[str]:
    _labels(graph, item, data)
    for language, description in data.get("descriptions", {}).items():
        graph.add((item, SCHEMA.description, Literal(description["value"], lang=language)))
    linked: set[str] = set()
    for prop in STATEMENTS:
        for claim in data.get("claims", {}).get(prop, []):
            if claim.get("rank") == "deprecated":
                continue
            value = claim.get("mainsnak", {}).get("datavalue", {}).get("value")
            predicate = URIRef(WDT + prop)
            if isinstance(value, dict) and "id" in value:
                graph.add((item, predicate, WD[str(value["id"])]))
                linked.add(str(value["id"]))
            elif isinstance(value, dict) and "latitude" in value:
                point = f"Point({value['longitude']} {value['latitude']})"
                graph.add((item, predicate, Literal(point, datatype=GEO_WKT)))
    return linked


def _labels(graph: Graph, item: URIRef, data: dict[str, Any]) -> None:
    for language, label in data.get("labels", {}).items():
        graph.add((item, RDFS.label, Literal(label["value"], lang=language)))
