"""Concepts declared in the seeds (kg/concepts.py): in an annotation file or in
seeds/concepts.yaml, compiled into their scheme with where they were introduced, usable
by every annotation, shown on the pages; and every mistake in a declaration, or an
unknown concept, named with its file, line and fix. Each test writes its own tiny corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import DCTERMS, PROV, RDF, RDFS, SKOS, Graph, Literal, URIRef

from kg import pipeline
from kg import seeds as seeds_module
from kg.compile import Compiled, compile_seeds
from kg.config import Settings
from kg.errors import SeedErrors
from kg.namespaces import DEFAULT_BASE_IRI, Namespaces
from kg.progress import Steps
from kg.vocabulary import load_turtle
from tests.conftest import ROOT, repo_settings

NS = Namespaces(DEFAULT_BASE_IRI)
DOC = "2025-11-03-river-talks"
TEXT = (
    "Northland and Southland met in Lakeview on 3 November 2025 to discuss how to share "
    "the river's water. Southland asked for a minimum flow guarantee."
)
REGISTRY = """entities:
  - {id: northland, kind: state, label: Northland}
  - {id: southland, kind: state, label: Southland}
"""
CLAIMS = """document:
  title: River talks
  language: en
claims:
  - id: river-talks
    type: negotiation
    label: River talks
    issues: [{issue}]
    evidence:
      - Northland and Southland met in Lakeview
"""
WATER_SHARING = """
concepts:
  - id: water-sharing
    scheme: issue
    label: water sharing
    aliases: [sharing of the river's water]
    definition: How the water of a shared river is divided between the states along it.
    broader: land, property and environment
    close match: [http://example.org/thesaurus/water]
    evidence:
      - how to share the river's water
"""


def write_corpus(root: Path, annotations: str, concepts_file: str | None = None) -> Path:
    seeds = root / "seeds"
    (seeds / "documents").mkdir(parents=True)
    (seeds / "registry.yaml").write_text(REGISTRY, encoding="utf-8")
    (seeds / "documents" / f"{DOC}.txt").write_text(TEXT, encoding="utf-8")
    (seeds / "documents" / f"{DOC}.yaml").write_text(annotations, encoding="utf-8")
    if concepts_file is not None:
        (seeds / "concepts.yaml").write_text(concepts_file, encoding="utf-8")
    return seeds


def compile_corpus(seeds: Path) -> Compiled[Graph]:
    return compile_seeds(seeds_module.load(seeds), load_turtle(ROOT / "ontology", NS), NS)


def errors_of(seeds: Path) -> str:
    with pytest.raises(SeedErrors) as caught:
        compile_corpus(seeds)
    return str(caught.value)


def test_a_concept_declared_in_an_annotation_file_joins_its_scheme(tmp_path: Path) -> None:
    seeds = write_corpus(tmp_path, CLAIMS.format(issue="water sharing") + WATER_SHARING)
    compiled = compile_corpus(seeds)
    graph = compiled.graphs[NS.graph(DOC)]
    concept, scheme = NS.concept("issue", "water-sharing"), NS.scheme("issue")
    parent = NS.concept("issue", "land-property-and-environment")
    assert (concept, RDF.type, SKOS.Concept) in graph
    assert (concept, RDF.type, NS.nkg.Issue) in graph
    assert (concept, SKOS.inScheme, scheme) in graph
    assert (concept, SKOS.prefLabel, Literal("water sharing", lang="en")) in graph
    assert (concept, SKOS.altLabel, Literal("sharing of the river's water", lang="en")) in graph
    assert (concept, SKOS.broader, parent) in graph
    assert (parent, SKOS.narrower, concept) in graph
    assert (concept, SKOS.topConceptOf, scheme) not in graph
    assert (concept, SKOS.closeMatch, URIRef("http://example.org/thesaurus/water")) in graph
    # where it was introduced: the named graph, the document, the words
    assert (concept, RDFS.isDefinedBy, NS.graph(DOC)) in graph
    assert (concept, DCTERMS.source, NS.resource("source", DOC)) in graph
    quote = "how to share the river's water"
    start = TEXT.index(quote)
    evidence = NS.resource("evidence", f"{DOC}-{start}-{start + len(quote)}")
    assert (concept, PROV.wasDerivedFrom, evidence) in graph
    # and the annotations name it by label
    assert (NS.resource("process", "river-talks"), NS.nkg.issue, concept) in graph
    assert compiled.origins[concept][1] == CLAIMS.count("\n") + 3


def test_a_concept_of_concepts_yaml_is_a_top_concept_in_its_own_graph(tmp_path: Path) -> None:
    shared = """concepts:
  - id: written-statement
    scheme: channel
    label: written statement
    definition: Words a party issued in writing.
  - id: minimum-flow-guarantee
    scheme: issue
    label: minimum flow guarantee
    definition: A guaranteed least flow of a river at a border.
    broader: water sharing
"""
    annotations = CLAIMS.format(issue="minimum flow guarantee") + WATER_SHARING
    compiled = compile_corpus(write_corpus(tmp_path, annotations, shared))
    graph = compiled.graphs[NS.graph("concepts")]
    channel = NS.concept("channel", "written-statement")
    assert (channel, SKOS.topConceptOf, NS.scheme("channel")) in graph
    assert (NS.scheme("channel"), SKOS.hasTopConcept, channel) in graph
    assert (channel, RDFS.isDefinedBy, NS.graph("concepts")) in graph
    assert graph.value(channel, DCTERMS.source) is None
    # a shared concept may narrow one that a document declares
    guarantee = NS.concept("issue", "minimum-flow-guarantee")
    assert (guarantee, SKOS.broader, NS.concept("issue", "water-sharing")) in graph


def test_a_corpus_with_declared_concepts_builds_and_shows_them(tmp_path: Path) -> None:
    seeds = write_corpus(tmp_path, CLAIMS.format(issue="water-sharing") + WATER_SHARING)
    settings = repo_settings(tmp_path / "var", seeds_dir=seeds)
    pipeline.build(settings, Steps(quiet=True))
    from kg.server.app import create_app

    with TestClient(create_app(settings), base_url="http://testserver") as client:
        page = client.get("/page/concept/issue/water-sharing")
        assert page.status_code == 200
        assert "How the water of a shared river is divided" in page.text
        assert "how to share the river&#39;s water" in page.text  # its evidence
        scheme = client.get("/page/concept/issue")
        assert "water sharing" in scheme.text
        rdf = client.get("/data/concept/issue/water-sharing.ttl")
        assert "isDefinedBy" in rdf.text and DOC in rdf.text


def test_an_unknown_concept_says_how_to_declare_it(tmp_path: Path) -> None:
    seeds = write_corpus(tmp_path, CLAIMS.format(issue="water sharing"))
    message = errors_of(seeds)
    assert f"{DOC}.yaml:8: has 'water sharing', which is not a concept of the issue scheme" in (
        message
    )
    assert "declare it under 'concepts:' in this file" in message
    assert "id: water-sharing, scheme: issue, label: water sharing" in message


def test_a_close_misspelling_is_suggested(tmp_path: Path) -> None:
    seeds = write_corpus(tmp_path, CLAIMS.format(issue="ceasfire"))
    assert "did you mean 'ceasefire'?" in errors_of(seeds)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("label: water sharing", "label: ceasefire"),
         "declares a issue concept named 'ceasefire', which already names"),
        (("broader: land, property and environment", "broader: plumbing"),
         "names 'plumbing' as broader, which is no concept of the issue scheme"),
        (("broader: land, property and environment", "broader: water sharing"),
         "names itself as its broader concept"),
        (("close match: [http://example.org/thesaurus/water]", "close match: [eurovoc 1234]"),
         "has 'eurovoc 1234' under 'close match', which is not an http(s) IRI"),
        (("    close match:", "    wikidata: Q42\n    close match:"),
         "matches the Wikidata id 'Q42', which is not in wikidata-verified.tsv"),
        (("scheme: issue", "scheme: isue"), "did you mean 'issue'?"),
        (("    definition: How", "    defintion: How"), "did you mean 'definition'?"),
        (("id: water-sharing", "id: Water Sharing"), "has the id 'Water Sharing'"),
    ],
)  # fmt: skip
def test_a_bad_declaration_is_reported_with_its_line(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    annotations = CLAIMS.format(issue="ceasefire") + WATER_SHARING.replace(*change)
    message = errors_of(write_corpus(tmp_path, annotations))
    assert expected in message
    assert f"{DOC}.yaml:" in message


def test_a_concept_declared_twice_is_reported(tmp_path: Path) -> None:
    shared = "concepts:" + WATER_SHARING.split("concepts:", 1)[1].split("    evidence:")[0]
    annotations = CLAIMS.format(issue="water sharing") + WATER_SHARING
    message = errors_of(write_corpus(tmp_path, annotations, shared))
    assert "declares the issue concept 'water-sharing' again" in message
    assert "concepts.yaml:2" in message


def test_concepts_yaml_takes_no_evidence(tmp_path: Path) -> None:
    shared = "concepts:" + WATER_SHARING.split("concepts:", 1)[1]
    seeds = write_corpus(tmp_path, CLAIMS.format(issue="ceasefire"), shared)
    with pytest.raises(SeedErrors) as caught:
        seeds_module.load(seeds)
    assert "concepts.yaml:9: has 'evidence' in a file that belongs to no document" in str(
        caught.value
    )


def test_declared_concepts_follow_another_base_iri(tmp_path: Path) -> None:
    seeds = write_corpus(tmp_path, CLAIMS.format(issue="water sharing") + WATER_SHARING)
    settings: Settings = repo_settings(
        tmp_path / "var", seeds_dir=seeds, base_iri="https://example.org/kg/"
    )
    checked = pipeline.check(settings, Steps(quiet=True))
    assert checked.report.conforms
    ns = settings.ns
    graph = checked.compiled.graphs[ns.graph(DOC)]
    assert (ns.concept("issue", "water-sharing"), RDF.type, ns.nkg.Issue) in graph
