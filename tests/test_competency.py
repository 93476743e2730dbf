"""The competency questions, answered by queries/*.rq over the fixture corpus.

The Geneva article's answers are exact: each query runs over a dataset of that article's
graph and the graphs every article shares (registry, ontology, links), so the articles
added to the fixture corpus do not change them. Then every query runs across the whole
corpus: each row names its document and that document's date, and rows of different
documents never interleave.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import seeds as seeds_module
from kg.config import Settings
from kg.queries import bind, find_query, load_queries
from kg.query import execute
from kg.release import Release
from tests.conftest import GENEVA

Row = dict[str, str]


@pytest.fixture(scope="module")
def store(built: tuple[Settings, Release]) -> ox.Store:
    return built[1].open_store()


def geneva_graphs(store: ox.Store, settings: Settings) -> list[ox.NamedNode]:
    """Every named graph but those of the other source documents."""
    documents = store.query(
        "SELECT DISTINCT ?g { GRAPH ?g { ?d a nkg:SourceDocument } }",
        prefixes=settings.ns.prefixes(),
    )
    assert isinstance(documents, ox.QuerySolutions)
    others = {row["g"] for row in documents} - {ox.NamedNode(settings.ns.graph(GENEVA))}
    return [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g not in others]


def solutions(
    store: ox.Store, settings: Settings, name: str, **parameters: str
) -> ox.QuerySolutions:
    query = find_query(settings.queries_dir, name)
    result = store.query(
        bind(query, parameters, settings.ns.prefixes()),
        prefixes=settings.ns.prefixes(),
        base_iri=settings.ns.base,
        default_graph=list(geneva_graphs(store, settings)),
    )
    assert isinstance(result, ox.QuerySolutions)
    return result


def answer(store: ox.Store, settings: Settings, name: str, **parameters: str) -> list[Row]:
    result = solutions(store, settings, name, **parameters)
    columns = [v.value for v in result.variables]
    return [{c: s[c].value for c in columns if s[c] is not None} for s in result]


def datatype(store: ox.Store, settings: Settings, name: str, column: str) -> list[str]:
    return [
        s[column].datatype.value.rsplit("#", 1)[1] if s[column] is not None else ""
        for s in solutions(store, settings, name)
    ]


def test_every_query_says_what_it_asks(built_settings: Settings) -> None:
    queries = load_queries(built_settings.queries_dir)
    assert len(queries) == 22  # twelve competency questions, three with Wikidata, seven of issue 8
    for query in queries:
        assert query.title.endswith((".", "?")) and len(query.title) > 20, query.name


def test_1_rounds_in_order_with_date_precision(store: ox.Store, built_settings: Settings) -> None:
    rows = answer(store, built_settings, "1")
    assert [r["number"] for r in rows] == ["1", "2", "3"]
    muscat, geneva, third = rows
    assert (muscat["city"], muscat["date"], muscat["format"]) == ("Muscat", "2026-02", "indirect")
    assert (geneva["city"], geneva["date"], geneva["venue"]) == (
        "Geneva",
        "2026-02-17",
        "Omani Embassy, Geneva",
    )
    assert (geneva["duration"], geneva["format"], geneva["status"]) == (
        "PT3H30M",
        "indirect",
        "held",
    )
    assert "Tuesday, February 17, 2026" in geneva["evidence"]
    assert third["status"] == "planned" and "date" not in third
    assert "No specific date has been set for a third round" in third["evidence"]
    assert datatype(store, built_settings, "1", "date") == ["gYearMonth", "date", ""]


def test_2_mediators_and_their_capacity(store: ox.Store, built_settings: Settings) -> None:
    rows = {r["mediator"]: r for r in answer(store, built_settings, "2")}
    assert set(rows) == {"Oman", "Badr Albusaidi"}
    assert rows["Badr Albusaidi"]["capacity"] == "Foreign Minister of Oman"
    assert rows["Badr Albusaidi"]["onBehalfOf"] == "Oman"
    assert "who mediated the indirect format" in rows["Badr Albusaidi"]["evidence"]


def test_3_delegations_heads_members_roles_offices(
    store: ox.Store, built_settings: Settings
) -> None:
    rows = {r["member"]: r for r in answer(store, built_settings, "3")}
    witkoff, kushner, araghchi = (
        rows["Steve Witkoff"],
        rows["Jared Kushner"],
        rows["Abbas Araghchi"],
    )
    assert (witkoff["party"], witkoff["head"]) == ("United States", "true")
    assert "envoy" in witkoff["roles"] and witkoff["office"] == "Special Envoy of the United States"
    assert (kushner["party"], kushner["head"], kushner["advises"]) == (
        "United States",
        "false",
        "Donald Trump",
    )
    assert "adviser" in kushner["roles"]
    assert (araghchi["party"], araghchi["head"], araghchi["office"]) == (
        "Iran",
        "true",
        "Foreign Minister of Iran",
    )
    experts = rows["Experts in nuclear, legal and economic fields"]
    assert "delegation" not in experts  # the source does not say whose experts they were
    assert experts["expertise"] == "economic, legal, nuclear"


def test_4_grossi_met_each_side_on_verification(store: ox.Store, built_settings: Settings) -> None:
    rows = [r for r in answer(store, built_settings, "4") if r["participant"] == "Rafael Grossi"]
    assert {r["metWith"] for r in rows} == {
        "US delegation to the Geneva round",
        "Iranian delegation to the Geneva round",
    }
    assert all("safeguards" in r["topics"] for r in rows)
    assert rows[0]["capacity"] == "Director General of the International Atomic Energy Agency"


def test_5_every_direct_quotation_with_speaker_channel_and_date(
    store: ox.Store, built_settings: Settings
) -> None:
    rows = answer(store, built_settings, "5")
    assert len(rows) == 13
    official = rows[0]
    assert (official["speaker"], official["side"]) == ("Anonymous US official", "United States")
    assert official["words"].startswith("Progress was made, but there are still")
    assert official["channel"] == "anonymous briefing"
    araghchi = {r["words"]: r for r in rows if r["speaker"] == "Abbas Araghchi"}
    assert araghchi["more serious"]["channel"] == "told reporters"
    assert araghchi["more serious"]["date"] == "2026-02-17"
    albusaidi = [r for r in rows if r["speaker"] == "Badr Albusaidi"]
    assert {r["platform"] for r in albusaidi} == {"X"}
    assert all(r["notBefore"] == "2026-02-17" for r in albusaidi)


def test_6_outcomes_of_round_two(store: ox.Store, built_settings: Settings) -> None:
    outcomes = " ".join(r["outcome"] for r in answer(store, built_settings, "6")).lower()
    assert "general agreement on a set of guiding principles" in outcomes
    assert "drafts of a potential agreement" in outcomes
    assert "timing of the next round" in outcomes


def test_7_commitment_deadline_resolves_to_third_of_march(
    store: ox.Store, built_settings: Settings
) -> None:
    rows = {r["commitment"]: r for r in answer(store, built_settings, "7")}
    proposals = next(r for label, r in rows.items() if "detailed proposals" in label)
    assert (proposals["by"], proposals["deadline"], proposals["offset"]) == (
        "Iran",
        "2026-03-03",
        "P14D",
    )
    assert proposals["wording"] == "within the next two weeks"
    assert proposals["anchor"] == "Second round of US–Iran nuclear talks (Geneva)"
    assert proposals["accordingTo"] == "Anonymous US official"


def test_8_positions_issue_by_issue(store: ox.Store, built_settings: Settings) -> None:
    positions = {(r["holder"], r["stance"], r["issue"]) for r in answer(store, built_settings, "8")}
    assert positions == {
        ("Iran", "insists on", "nuclear programme"),
        ("Iran", "demands", "sanctions relief"),
        ("Iran", "excludes", "ballistic missiles"),
        ("Iran", "excludes", "regional proxy activities"),
        ("Iran", "excludes", "other non-nuclear issues"),
        ("United States", "demands", "uranium enrichment levels"),
        ("United States", "demands", "IAEA monitoring and verification"),
        ("United States", "demands", "non-proliferation commitments"),
    }


def test_9_core_divergences_and_topics_of_the_notes(
    store: ox.Store, built_settings: Settings
) -> None:
    rows = answer(store, built_settings, "9")
    core = {r["issue"] for r in rows if r["kind"] == "divergence" and r.get("core") == "true"}
    assert core == {
        "sanctions relief timeline",
        "uranium enrichment levels",
        "verification mechanisms",
    }
    notes = {r["issue"] for r in rows if r["kind"] == "notes exchanged"}
    assert notes == {"sanctions relief", "nuclear-related technical matters"}


def test_10_context_events_and_how_they_relate(store: ox.Store, built_settings: Settings) -> None:
    rows = {r["event"]: r for r in answer(store, built_settings, "10")}
    assert rows["Joint Comprehensive Plan of Action"]["date"] == "2015"
    withdrawal = rows["US withdrawal from the JCPOA"]
    assert (withdrawal["date"], withdrawal["concerns"]) == (
        "2018",
        "Joint Comprehensive Plan of Action",
    )
    assert rows["Iran–Israel war"]["date"] == "2025-06"
    suspension = rows["Eight-month suspension of diplomacy"]
    assert (suspension["duration"], suspension["follows"], suspension["relation"]) == (
        "P8M",
        "Iran–Israel war",
        "interruption",
    )
    closure = rows["Temporary closure of the Strait of Hormuz for live-fire drills"]
    assert (closure["date"], closure["location"], closure["relation"]) == (
        "2026-02-17",
        "Strait of Hormuz",
        "concurrent tension",
    )
    assert any("military buildup" in event for event in rows)


def test_11_who_assessed_the_atmosphere_how(store: ox.Store, built_settings: Settings) -> None:
    rows = answer(store, built_settings, "11")
    said = {(r["by"], r["characterisation"]) for r in rows}
    assert ("Anonymous US official", "constructive") in said
    assert ("United States, Iran", "cautious optimism") in said
    araghchi = next(r for r in rows if "more serious" in r["characterisation"])
    assert araghchi["by"] == "Abbas Araghchi"
    assert araghchi["comparedWith"] == "First round of US–Iran nuclear talks (Muscat)"
    assert any(
        r["by"] == "Badr Albusaidi" and "constructive" in r["characterisation"] for r in rows
    )


def test_12_a_fact_traces_to_its_quotes_offsets_and_document(
    store: ox.Store, built: tuple[Settings, Release]
) -> None:
    settings, _ = built
    rows = answer(store, settings, "12", fact="commitment:iran-detailed-proposals")
    fact = str(settings.ns.resource("commitment", "iran-detailed-proposals"))
    document = str(settings.ns.resource("source", GENEVA))
    assert [(r["fact"], r["document"], r["documentDate"], r["cites"]) for r in rows] == [
        (fact, document, "2026-02-17", "wasDerivedFrom")
    ] * 2
    assert [(int(r["start"]), int(r["end"])) for r in rows] == [(459, 594), (3787, 3903)]
    assert rows[1]["quote"] == (
        "expectations that Iran will submit more detailed proposals within the next two "
        "weeks to narrow remaining differences"
    )
    text = (settings.seeds_dir / "documents" / f"{GENEVA}.txt").read_text(encoding="utf-8")
    for row in rows:
        assert text[int(row["start"]) : int(row["end"])] == row["quote"]
        assert row["quote"] in row["sentence"]


def test_12_a_quotation_cites_with_was_quoted_from(
    store: ox.Store, built: tuple[Settings, Release]
) -> None:
    settings, _ = built
    fact = f"<{settings.ns.resource('statement', 'araghchi-clear-path')}>"
    rows = answer(store, settings, "12", fact=fact)
    assert rows and {r["cites"] for r in rows} == {"wasQuotedFrom"}


def test_12_without_a_fact_traces_every_fact(store: ox.Store, built_settings: Settings) -> None:
    """The query text alone (as the UI's tab and the home page show it) leaves ?fact
    unbound: every fact with its evidence."""
    result = store.query(
        find_query(built_settings.queries_dir, "12").text,
        prefixes=built_settings.ns.prefixes(),
        default_graph=list(geneva_graphs(store, built_settings)),
    )
    assert isinstance(result, ox.QuerySolutions)
    facts = {row["fact"] for row in result}
    assert len(facts) > 70


# --- across the corpus: every document, each row with its document --------------------

SEREN = "2025-11-13-kestria-valdonia-seren-round-4"
CEASEFIRE = "2026-05-10-sarvania-elf-ceasefire-memorandum"
# Queries over the registry and Wikidata alone: no row comes from a document.
NOT_FROM_DOCUMENTS = (
    "13-wikidata-descriptions",
    "14-wikidata-countries",
    "15-names-in-other-languages",
)
# Queries whose rows go document by document (after the documents' dates).
DOCUMENT_BY_DOCUMENT = ("02", "04", "08", "09", "11", "17", "22")


def corpus_answer(store: ox.Store, settings: Settings, name: str, **parameters: str) -> list[Row]:
    """A query over the whole release, as `kg query` runs it."""
    text = bind(find_query(settings.queries_dir, name), parameters, settings.ns.prefixes())
    result = execute(store, text, settings.ns)
    assert isinstance(result, ox.QuerySolutions)
    columns = [v.value for v in result.variables]
    return [{c: s[c].value for c in columns if s[c] is not None} for s in result]


def source(settings: Settings, document: str) -> str:
    return str(settings.ns.resource("source", document))


def of_the_three(rows: list[Row], settings: Settings) -> list[Row]:
    """The rows of the three articles these tests know, whatever else the corpus holds."""
    known = {source(settings, d) for d in (SEREN, GENEVA, CEASEFIRE)}
    return [row for row in rows if row["document"] in known]


def test_every_query_of_facts_names_each_rows_document_and_its_date(
    store: ox.Store, built_settings: Settings
) -> None:
    corpus = seeds_module.load(built_settings.seeds_dir)
    dates = {
        source(built_settings, d.slug): d.metadata["events date"].value for d in corpus.documents
    }
    claim = next(iter(corpus.claims()))
    fact = f"<{built_settings.ns.resource(claim.type.kind, claim.id)}>"
    seen: set[str] = set()
    for query in load_queries(built_settings.queries_dir):
        if query.name in NOT_FROM_DOCUMENTS:
            continue
        parameters = {p.name: fact for p in query.parameters}
        rows = corpus_answer(store, built_settings, query.name, **parameters)
        assert rows, query.name
        for row in rows:
            assert row["documentDate"] == dates[row["document"]], (query.name, row)
        seen |= {row["document"] for row in rows}
    assert seen == set(dates), "every document of the corpus answers some question"


@pytest.mark.parametrize("number", DOCUMENT_BY_DOCUMENT)
def test_rows_of_one_document_stay_together(
    store: ox.Store, built_settings: Settings, number: str
) -> None:
    rows = corpus_answer(store, built_settings, number)
    documents = [row["document"] for row in rows]
    blocks = [d for i, d in enumerate(documents) if i == 0 or documents[i - 1] != d]
    assert len(blocks) == len(set(blocks)), blocks
    dates = [row["documentDate"] for row in rows]
    assert dates == sorted(dates)


def test_5_quotations_go_by_date_then_document_never_by_offset_alone(
    store: ox.Store, built_settings: Settings
) -> None:
    """Quotations from several articles once interleaved by character offset."""
    seren, geneva, ceasefire = (source(built_settings, d) for d in (SEREN, GENEVA, CEASEFIRE))
    rows = of_the_three(corpus_answer(store, built_settings, "5"), built_settings)
    documents = [row["document"] for row in rows]
    assert documents == [seren] * 4 + [geneva] * 13 + [ceasefire] * 2
    starts = [int(row["start"]) for row in rows if row["document"] == geneva]
    assert starts == sorted(starts)
    sides = {(row["speaker"], row.get("side")) for row in rows}
    assert {("Ilse Marant", "Kestria"), ("Petra Lind", "Lumeria"), ("Badr Albusaidi", "Oman"),
            ("Anonymous US official", "United States")} <= sides  # fmt: skip
    assert all("side" in row for row in rows), "every speaker's side is known in the corpus"


def test_1_the_rounds_of_every_negotiation_in_order_with_their_documents(
    store: ox.Store, built_settings: Settings
) -> None:
    seren, geneva, ceasefire = (source(built_settings, d) for d in (SEREN, GENEVA, CEASEFIRE))
    rows = of_the_three(corpus_answer(store, built_settings, "1"), built_settings)
    assert [(r["negotiation"], r["number"], r["document"]) for r in rows] == [
        *(("Kestria–Valdonia talks on the Seren River", str(n), seren) for n in range(1, 6)),
        *(("Sarvania–Eastern Liberation Front ceasefire talks", str(n), ceasefire) for n in (1, 2)),
        *(("US–Iran nuclear negotiations (2026)", str(n), geneva) for n in (1, 2, 3)),
    ]
    assert {r["documentDate"] for r in rows if r["document"] == seren} == {"2025-11-13"}


def test_7_commitments_by_deadline_across_negotiations(
    store: ox.Store, built_settings: Settings
) -> None:
    rows = [r for r in corpus_answer(store, built_settings, "7") if "deadline" in r]
    deadlines = [r["deadline"] for r in rows]
    assert deadlines == sorted(deadlines) and len({r["document"] for r in rows}) >= 2


def test_12_a_fact_of_another_article_traces_to_that_article(
    store: ox.Store, built_settings: Settings
) -> None:
    corpus = seeds_module.load(built_settings.seeds_dir)
    claim = next(c for c in corpus.claims() if c.document == CEASEFIRE)
    fact = f"<{built_settings.ns.resource(claim.type.kind, claim.id)}>"
    rows = corpus_answer(store, built_settings, "12", fact=fact)
    assert rows and {r["document"] for r in rows} == {source(built_settings, CEASEFIRE)}
    assert {r["documentDate"] for r in rows} == {"2026-05-10"}
