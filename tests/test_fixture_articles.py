"""The two fictional negotiations of the fixture corpus, end to end: water-sharing talks
between Kestria and Valdonia mediated by Marenland, and ceasefire talks between Sarvania
and the Eastern Liberation Front ending in a signed memorandum, with a later article on
what became of its commitments. Annotated from docs/annotations.md alone, they use every
claim type and every construct of the open annotation model; here each construct is
followed through the release (compiled RDF, validated), the competency queries run across
all documents, and the pages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kg import seeds as seeds_module
from kg.claimtypes import CLAIM_TYPES
from kg.config import Settings
from kg.queries import find_query
from kg.release import Release
from kg.yamlfile import Node, Scalar, Sequence
from tests.conftest import CORPUS

SEREN = "2025-11-13-kestria-valdonia-seren-round-4"
CEASEFIRE = "2026-05-10-sarvania-elf-ceasefire-memorandum"
FIRST_WEEK = "2026-05-20-sarvania-memorandum-first-week"  # reports on its commitments
Row = dict[str, str]


@pytest.fixture(scope="module")
def store(built: tuple[Settings, Release]) -> ox.Store:
    return built[1].open_store()


def answer(store: ox.Store, settings: Settings, name: str) -> list[Row]:
    """A competency query over the whole release: every document of the corpus."""
    result = store.query(
        find_query(settings.queries_dir, name).text,
        prefixes=settings.ns.prefixes(),
        base_iri=settings.ns.base,
        use_default_graph_as_union=True,
    )
    assert isinstance(result, ox.QuerySolutions)
    columns = [v.value for v in result.variables]
    return [{c: s[c].value for c in columns if s[c] is not None} for s in result]


def by(rows: list[Row], column: str) -> dict[str, Row]:
    return {row[column]: row for row in rows if column in row}


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


# --- the articles --------------------------------------------------------------------


def test_together_they_use_every_claim_type() -> None:
    corpus = seeds_module.load(CORPUS)
    used = {c.type.name for c in corpus.claims() if c.document in (SEREN, CEASEFIRE, FIRST_WEEK)}
    assert used == {t.name for t in CLAIM_TYPES}


def test_their_entities_have_no_wikidata_ids() -> None:
    corpus = seeds_module.load(CORPUS)
    named = {
        node.value.strip()
        for claim in corpus.claims()
        if claim.document in (SEREN, CEASEFIRE)
        for node in _scalars(claim.values)
    }
    fictional = [e for e in corpus.entities if e.id in named and e.kind.name != "website"]
    assert len(fictional) > 20
    assert all(e.wikidata is None for e in fictional)


def _scalars(values: Mapping[str, Node]) -> list[Scalar]:
    found: list[Scalar] = []
    for node in values.values():
        items = node.items if isinstance(node, Sequence) else [node]
        found += [item for item in items if isinstance(item, Scalar)]
    return found


def test_the_release_conforms_and_holds_each_new_kind_of_node(
    built: tuple[Settings, Release], store: ox.Store
) -> None:
    settings, release = built
    assert "Conforms" in (release.path / "validation-report.txt").read_text(encoding="utf-8")
    counts = answer_counts(store, settings)
    for cls in ("Session", "Interruption", "Action", "ProposedBody", "ReportedSpeech",
                "RankHolding", "FulfilmentReport"):  # fmt: skip
        assert counts.get(cls, 0) >= 1, cls
    assert counts["QuantitativeValue"] >= 4 and counts["Instant"] >= 6


def answer_counts(store: ox.Store, settings: Settings) -> dict[str, int]:
    result = store.query(
        "SELECT ?c (COUNT(?s) AS ?n) { ?s a ?c } GROUP BY ?c",
        use_default_graph_as_union=True,
    )
    assert isinstance(result, ox.QuerySolutions)
    return {
        str(row["c"].value).rsplit("#", 1)[-1].rsplit("/", 1)[-1]: int(row["n"].value)
        for row in result
    }


# --- the constructs, query by query, across the whole corpus ------------------------------


def test_rounds_over_several_days_and_a_planned_round_in_a_season(
    store: ox.Store, built_settings: Settings
) -> None:
    rounds = by(answer(store, built_settings, "1"), "round")
    fourth = rounds["Fourth round of the Seren talks (Port Halden)"]
    assert (fourth["firstDay"], fourth["lastDay"], fourth["date"]) == (
        "2025-11-12",
        "2025-11-13",
        "2025-11",
    )
    assert fourth["subject"] == "Seren basin"
    aldenport = rounds["Second round of the Sarvania–Front talks (Aldenport)"]
    assert (aldenport["firstDay"], aldenport["lastDay"]) == ("2026-05-08", "2026-05-10")
    fifth = rounds["Fifth round of the Seren talks (expected)"]
    assert (fifth["status"], fifth["edtf"], fifth["firstDay"], fifth["lastDay"]) == (
        "planned",
        "2026-21",
        "2026-03",
        "2026-05",
    )
    numbers = [r["number"] for r in rounds.values() if r["negotiation"].startswith("Kestria")]
    assert sorted(numbers) == ["1", "2", "3", "4", "5"]


def test_a_change_of_format_within_a_round_and_a_walkout(
    store: ox.Store, built_settings: Settings
) -> None:
    rows = answer(store, built_settings, "16")
    seren = [r for r in rows if r["round"].startswith("Fourth round of the Seren")]
    assert [(r["kind"], r["format"], r["date"]) for r in seren] == [
        ("session", "shuttle mediation", "2025-11-12"),
        ("session", "direct", "2025-11-13"),
    ]
    walkout = by(rows, "part")["Walkout of the Front's delegation"]
    assert walkout["kind"] == "walk out"
    assert walkout["reason"] == "in protest at the shelling of the village of Korvan"
    assert walkout["causedBy"] == "Shelling of Korvan"
    assert walkout["endedBy"] == "Lind meets the leaders of the Front's delegation"
    assert walkout["duration"] == "PT4H"


def test_one_statement_by_two_delegations_and_statements_about_an_agreement(
    store: ox.Store, built_settings: Settings
) -> None:
    rows = by(answer(store, built_settings, "5"), "words")
    joint = rows["a workable outline"]
    assert set(joint["speaker"].split(", ")) == {
        "Kestrian delegation to the fourth round",
        "Valdonian delegation to the fourth round",
    }
    assert set(joint["side"].split(", ")) == {"Kestria", "Valdonia"}
    first_step = rows["a first step, not a peace agreement."]
    assert first_step["about"] == "Aldenport memorandum of understanding on a ceasefire"
    assert rows["welcomes the progress"]["channel"] == "written statement"  # a declared concept


def test_deadlines_on_a_date_and_in_hours_verifiers_guarantors_counts(
    store: ox.Store, built_settings: Settings
) -> None:
    rows = by(answer(store, built_settings, "7"), "commitment")
    march = rows["Kestria to submit its reservoir data by the end of March"]
    assert (march["deadline"], march["wording"]) == ("2026-03-31", "by the end of March")
    assert "offset" not in march and "anchor" not in march  # no made-up offset
    release = rows["The government to release 200 detainees within 72 hours"]
    assert (release["deadline"], release["wording"]) == (
        "2026-05-13",
        "within 72 hours of the signing",
    )
    assert release["offset"] in ("PT72H", "P3D")  # Oxigraph writes durations canonically
    assert release["anchor"] == "Aldenport memorandum of understanding on a ceasefire"
    assert (release["quantities"], release["guarantors"]) == ("200 detainees", "Lumeria")
    keep = rows["Both sides to keep the ceasefire"]
    assert keep["verifiedBy"] == "Ceasefire monitoring mission"
    assert rows["The Regional Union to send 40 observers"]["quantities"] == "40 observers"


def test_what_became_of_a_commitment_as_a_later_article_reports_it(
    store: ox.Store, built_settings: Settings
) -> None:
    """Fulfilment reports of a later article name the memorandum's commitments by id;
    query 7 gives each commitment the status of its latest report, with its date and
    source; a commitment nobody reported on has none."""
    rows = by(answer(store, built_settings, "7"), "commitment")
    later = built_settings.ns.base + f"id/source/{FIRST_WEEK}"
    release = rows["The government to release 200 detainees within 72 hours"]
    assert (release["fulfilment"], release["fulfilmentDate"]) == ("partly met", "2026-05-13")
    assert release["fulfilmentSource"] == later
    assert rows["The Regional Union to send 40 observers"]["fulfilment"] == "met"
    assert rows["The army to halt the shelling"]["fulfilment"] == "broken"
    assert rows["Both sides to keep the ceasefire"]["fulfilment"] == "broken"
    assert "fulfilment" not in rows["Kestria to submit its reservoir data by the end of March"]


def test_a_number_in_a_position(store: ox.Store, built_settings: Settings) -> None:
    rows = answer(store, built_settings, "8")
    flow = next(r for r in rows if r["issue"] == "minimum flow guarantee")
    assert (flow["holder"], flow["stance"]) == ("Valdonia", "insists on")
    assert flow["quantities"] == (
        "40 cubic metre per second (minimum flow at the border during the dry months)"
    )
    quantities = by(answer(store, built_settings, "22"), "claim")
    measured = quantities["Valdonia insists on minimum flow guarantee"]
    assert (measured["value"], measured["unit"], measured["qudt"]) == (
        "40",
        "cubic metre per second",
        "http://qudt.org/vocab/unit/M3-PER-SEC",
    )
    assert quantities["Shelling of Korvan"]["of"] == "civilians killed"


def test_causes_approximate_dates_and_casualties(store: ox.Store, built_settings: Settings) -> None:
    events = by(answer(store, built_settings, "10"), "event")
    drought = events["Drought in the Seren basin"]
    assert (drought["edtf"], drought["date"]) == ("2025-22", "2025")
    assert drought["ledTo"] == "Protests in Valdonian river towns"
    assert events["Shelling of Korvan"]["quantities"] == "14 civilians killed"
    causes = {(r["cause"], r["consequence"]) for r in answer(store, built_settings, "21")}
    assert ("Drought in the Seren basin", "Protests in Valdonian river towns") in causes
    assert ("Shelling of Korvan", "Walkout of the Front's delegation") in causes


def test_a_comparison_of_two_negotiators_and_assessments_of_an_agreement(
    store: ox.Store, built_settings: Settings
) -> None:
    rows = answer(store, built_settings, "11")
    guarded = next(r for r in rows if r["characterisation"] == "more guarded")
    assert (guarded["by"], guarded["of"], guarded["comparedWith"]) == (
        "the source",
        "Tomas Reyk",
        "Ilse Marant",
    )
    of = {r["of"] for r in rows}
    assert {"Aldenport memorandum of understanding on a ceasefire",
            "A workable outline of a water-sharing accord"} <= of  # fmt: skip


def test_a_proposed_commission_and_a_monitoring_mission(
    store: ox.Store, built_settings: Settings
) -> None:
    bodies = by(answer(store, built_settings, "17"), "body")
    commission = bodies["Joint monitoring commission of the Seren"]
    assert commission["status"] == "agreed in principle"
    assert commission["disputed"] == "whether its reports would be binding on both governments"
    assert bodies["Ceasefire monitoring mission"]["verifies"] == "Both sides to keep the ceasefire"


def test_reported_speech(store: ox.Store, built_settings: Settings) -> None:
    [row] = answer(store, built_settings, "18")
    assert row["speaker"] == "Aurelio Dassen"
    assert row["content"].startswith("the parties had asked for more time")
    assert set(row["reportedSpeakers"].split(", ")) == {"Kestria", "Valdonia"}


def test_signatories_with_their_ranks_and_the_outcome_that_produced_the_agreement(
    store: ox.Store, built_settings: Settings
) -> None:
    rows = [r for r in answer(store, built_settings, "19") if r["agreement"].startswith("Alden")]
    assert {(r["signatory"], r["rank"]) for r in rows} == {
        ("Oren Vask", "brigadier general"),
        ("Amir Haddad", "colonel"),
    }
    first = rows[0]
    assert (first["signedAt"], first["guarantors"], first["producedBy"]) == (
        "Aldenport",
        "Lumeria",
        "A memorandum of understanding on a ceasefire is signed",
    )
    delegations = by(answer(store, built_settings, "3"), "member")
    assert delegations["Oren Vask"]["rank"] == "brigadier general"


def test_acts_carry_their_cameo_and_plover_codes(store: ox.Store, built_settings: Settings) -> None:
    acts = by(answer(store, built_settings, "20"), "kind")
    ceasefire = acts["declare a ceasefire"]
    assert (ceasefire["cameo"], ceasefire["ploverType"], ceasefire["ploverMode"]) == (
        "0871",
        "RETREAT",
        "ceasefire",
    )
    assert acts["sign an agreement"]["cameo"] == "057"
    assert acts["accept mediation"]["towards"] == "Lumeria"
    assert acts["walk out"]["cameo"] == "164"  # coded as the move it narrows


# --- the pages -----------------------------------------------------------------------------


def test_a_round_page_shows_its_first_and_last_day(client: TestClient) -> None:
    page = text_of(client.get("/page/round/seren-round-4").text)
    assert "beginning: 2025-11-12" in page and "end: 2025-11-13" in page
    assert "2025-11-12/2025-11-13" in page


def test_a_position_page_shows_its_quantity(client: TestClient) -> None:
    page = text_of(client.get("/page/position/valdonia-insists-on-minimum-flow").text)
    assert "40 cubic metre per second (minimum flow at the border during the dry months)" in page
    assert "cubic metre per second" in page


def test_an_interruption_page_shows_its_reason_cause_and_end(client: TestClient) -> None:
    page = text_of(client.get("/page/interruption/front-walkout").text)
    for shown in ("in protest at the shelling of the village of Korvan", "Shelling of Korvan",
                  "Lind meets the leaders of the Front's delegation", "walk out"):  # fmt: skip
        assert shown in page, shown


def test_concept_pages_show_declarations_and_codes(client: TestClient) -> None:
    declared = text_of(client.get("/page/concept/issue/water-sharing").text)
    assert "How the water of a shared river is divided" in declared
    assert "their talks on sharing the waters of the Seren River" in declared  # its evidence
    coded = text_of(client.get("/page/concept/action-type/declare-ceasefire").text)
    assert "0871" in coded and "RETREAT" in coded


def test_a_fulfilment_report_page_names_its_commitment_and_status(client: TestClient) -> None:
    page = text_of(client.get("/page/fulfilment/detainee-release-partly-met").text)
    for shown in ("The government to release 200 detainees within 72 hours", "partly met",
                  "had released 150 of the 200 detainees", "150"):  # fmt: skip
        assert shown in page, shown


def test_a_proposed_body_and_reported_speech_render(client: TestClient) -> None:
    body = text_of(client.get("/page/body/joint-monitoring-commission").text)
    assert "whether its reports would be binding on both governments" in body
    speech = text_of(client.get("/page/reported-speech/parties-asked-for-more-time").text)
    assert "the parties had asked for more time" in speech and "Kestria" in speech
