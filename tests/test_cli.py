"""The ``kg`` command: exit status 0 on success, a one-line cause and its own code otherwise."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from kg import release
from kg.cli import main
from kg.config import Settings
from kg.void import select
from tests.conftest import GENEVA

ROUND = "https://w3id.org/negotiations-kg/ontology#NegotiationRound"


def run(settings: Settings, *args: str) -> int:
    return main(
        ["--data-dir", str(settings.data_dir), "--seeds-dir", str(settings.seeds_dir), *args]
    )


@pytest.fixture(autouse=True)
def repo_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands find ontology/, shapes/ and queries/ relative to the repository."""
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)


def test_query_prints_a_table(built_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    query = "SELECT ?r { ?r nkg:partOf process:us-iran-nuclear-talks-2026 } ORDER BY ?r"
    assert run(built_settings, "query", query) == 0
    out = capsys.readouterr().out
    assert "round:geneva-round" in out and "(3 rows)" in out


def test_query_json_is_sparql_results_json(
    built_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(built_settings, "query", "--format", "json", "-e", "7") == 0
    results = json.loads(capsys.readouterr().out)
    deadlines = {
        b["commitment"]["value"]: b["deadline"]
        for b in results["results"]["bindings"]
        if "deadline" in b
    }
    proposals = deadlines["Iran to come back with detailed proposals within two weeks"]
    assert proposals == {
        "type": "literal",
        "datatype": "http://www.w3.org/2001/XMLSchema#date",
        "value": "2026-03-03",
    }


def test_query_csv(built_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(built_settings, "query", "--format", "csv", "-e", "02-mediators") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    process = "US–Iran nuclear negotiations (2026)"
    geneva = "Second round of US–Iran nuclear talks (Geneva)"
    assert {(r["mediator"], r["event"]) for r in rows if r["event"] in (process, geneva)} == {
        ("Oman", process),
        ("Badr Albusaidi", geneva),
    }


def test_query_from_a_file_and_construct(
    built_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = tmp_path / "q.rq"
    query.write_text("CONSTRUCT WHERE { round:geneva-round nkg:date ?d }")
    assert run(built_settings, "query", "-f", str(query), "--format", "ntriples") == 0
    assert '"2026-02-17"^^<http://www.w3.org/2001/XMLSchema#date>' in capsys.readouterr().out


def test_query_syntax_error_is_one_line_and_exit_7(
    built_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(built_settings, "query", "SELECT ?x WHERE { ?x ") == 7
    err = capsys.readouterr().err
    assert err.startswith("error: SPARQL syntax error") and "Traceback" not in err


def test_unknown_example_lists_the_known_ones(
    built_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(built_settings, "query", "-e", "99") == 7
    assert "01-rounds" in capsys.readouterr().err


def test_show_writes_the_prefixes_a_query_uses(
    built_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(built_settings, "query", "--show", "-e", "2") == 0
    out = capsys.readouterr().out
    assert "PREFIX role: <https://w3id.org/negotiations-kg/concept/role/>" in out
    assert "PREFIX nkg: <https://w3id.org/negotiations-kg/ontology#>" in out


def test_query_12_traces_the_fact_given_as_a_parameter(
    built_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    fact = "commitment:iran-detailed-proposals"
    assert run(built_settings, "query", "-e", "12", "--param", f"fact={fact}", "--show") == 0
    out = capsys.readouterr().out
    assert "\nVALUES ?fact { <https://w3id.org/negotiations-kg/id/commitment/iran-detailed" in out
    assert f"{fact} | source:{GENEVA} | 2026-02-17" in out and "(2 rows)" in out


def test_a_query_file_declares_its_own_parameters(
    built_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = tmp_path / "city.rq"
    query.write_text(
        "# The city of a round.\n# Parameter ?round (IRI): the round\n"
        "SELECT ?city { ?round nkg:city/rdfs:label ?city }\n"
    )
    assert (
        run(built_settings, "query", "-f", str(query), "--param", "round=round:geneva-round") == 0
    )
    assert "Geneva" in capsys.readouterr().out
    assert run(built_settings, "query", "-f", str(query)) == 7
    assert "query city.rq needs a value for ?round" in capsys.readouterr().err


def test_dump_to_a_file(
    built_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.nt"
    assert run(built_settings, "dump", "--format", "nt", "-o", str(target)) == 0
    assert "<https://w3id.org/negotiations-kg/id/round/geneva-round>" in target.read_text()


def test_stats_json(built_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(built_settings, "stats", "--json") == 0
    stats = json.loads(capsys.readouterr().out)
    store = release.current(built_settings).open_store()
    rounds = select(store, f"SELECT (COUNT(DISTINCT ?r) AS ?n) {{ ?r a <{ROUND}> }}")
    assert stats["classes"]["nkg:NegotiationRound"] == int(next(iter(rounds))[0].value) >= 3
    assert f"graph:{GENEVA}" in stats["graphs"]


def test_no_release_yet_says_what_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path / "empty")
    assert run(settings, "stats") == 5
    assert "run `kg build` first" in capsys.readouterr().err


def test_build_if_needed_skips_an_up_to_date_release(
    seed_copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(seed_copy, "build", "-q") == 0
    first = capsys.readouterr().out
    assert run(seed_copy, "build", "--if-needed") == 0
    assert "is up to date" in capsys.readouterr().out
    assert "is current" in first


def test_validate_makes_no_release(seed_copy: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(seed_copy, "validate", "-q") == 0
    assert "conforms" in capsys.readouterr().out
    assert not seed_copy.data_dir.exists()


def test_a_bad_setting_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KG_BASE_IRI", "http://localhost:8000/")
    assert main(["stats"]) == 2
    assert "KG_BASE_IRI" in capsys.readouterr().err


def test_the_summary_of_a_large_release_stays_short(
    built_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """A build of 847 documents once printed all 850 graphs on one line."""
    from kg.cli import SUMMARY_ITEMS, _print_counts

    graphs = {f"graph:doc-{n}": n for n in range(40)}
    counts = {"triples": 10, "subjects": 2, "graphs": graphs, "classes": {"nkg:Round": 1}}
    _print_counts(built_settings, counts)
    out = capsys.readouterr().out
    assert f"graph:doc-{SUMMARY_ITEMS - 1} " in out
    assert f"graph:doc-{SUMMARY_ITEMS} " not in out
    assert "40 graphs: graph:doc-0 0, " in out
    assert f"and {40 - SUMMARY_ITEMS} more (kg stats --json)" in out
    assert "1 classes: nkg:Round 1\n" in out


@pytest.mark.parametrize(
    ("raw", "value"), [("true", True), ("ON", True), ("0", False), ("no", False)]
)
def test_a_boolean_setting_reads_the_usual_words(raw: str, value: bool) -> None:
    assert Settings.from_env({"KG_ACCESS_LOG": raw}).access_log is value
    again = Settings.from_env(Settings(access_log=value).to_env())  # as workers read it
    assert again.access_log is value


def test_a_boolean_setting_refuses_other_words() -> None:
    from kg.errors import ConfigError

    with pytest.raises(ConfigError, match="KG_ACCESS_LOG='maybe' is not true or false"):
        Settings.from_env({"KG_ACCESS_LOG": "maybe"})
