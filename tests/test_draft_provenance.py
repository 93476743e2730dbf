"""How a claim was made, in the YAML and in the graph: a claim drafted by ``kg draft``
names its extraction run (``draft:``) until a person reviews it; ``kg build`` refuses
unreviewed drafts with one line each and the fix, ``kg validate`` warns about them, and
a reviewed draft is published with ``prov:wasGeneratedBy`` its run and
``prov:wasAttributedTo`` its reviewer (PROV-O)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import PROV, RDF, RDFS, Literal, URIRef
from rdflib.namespace import XSD

from kg import pipeline, seeds
from kg.cli import main
from kg.config import Settings
from kg.errors import SeedErrors
from kg.progress import Steps

from .conftest import repo_settings

FIXTURE = Path(__file__).parent / "data" / "draft" / "seeds"
DOCUMENT = "2026-03-05-selva-water-talks"

HEADER = """\
document:
  title: Second round of the Selva water talks
  events date: 2026-03-05
  language: en

extraction runs:
  - id: rules-20261127t101500z
    extractor: rules
    date: 2026-11-27T10:15:00Z

claims:
"""
ROUND = """\
  - id: vienna-round
    type: round
    label: Second round of the Selva water talks (Vienna)
    part of: selva-talks
    status: held
    date: 2026-03-05
    city: vienna
    evidence:
      - a second round of talks on sharing the waters of the Selva river in Vienna
"""
PROCESS = """\
  - id: selva-talks
    type: negotiation
    label: Selva water talks
    evidence:
      - talks on sharing the waters of the Selva river
"""


def _seeds(tmp_path: Path, claims: str) -> Settings:
    shutil.copytree(FIXTURE, tmp_path / "seeds")
    (tmp_path / "seeds" / "documents" / f"{DOCUMENT}.yaml").write_text(
        HEADER + claims, encoding="utf-8"
    )
    return repo_settings(tmp_path / "var", seeds_dir=tmp_path / "seeds")


def _cli(settings: Settings, *args: str) -> int:
    return main(["--seeds-dir", str(settings.seeds_dir), "--data-dir", str(settings.data_dir),
                 *args])  # fmt: skip


def test_build_refuses_unreviewed_drafts_one_line_each_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drafted = (
        PROCESS
        + "    draft: rules-20261127t101500z\n"
        + ROUND.replace("    evidence:", "    draft: rules-20261127t101500z\n    evidence:")
    )
    settings = _seeds(tmp_path, drafted)
    assert _cli(settings, "build", "-q") == 3
    err = capsys.readouterr().err.splitlines()
    err = err[err.index("error: 2 problems in the seeds:") :]
    assert len(err) == 3
    assert "unreviewed draft 'selva-talks' (negotiation)" in err[1]
    assert "unreviewed draft 'vienna-round' (round)" in err[2]
    assert all(f"kg review {DOCUMENT}" in line and "approved by" in line for line in err[1:])
    assert f"{DOCUMENT}.yaml:" in err[1]
    assert not (settings.data_dir / "current").exists(), "no release is made"


def test_validate_reports_unreviewed_drafts_as_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _seeds(tmp_path, PROCESS + ROUND.replace(
        "    evidence:", "    draft: rules-20261127t101500z\n    evidence:"))  # fmt: skip
    assert _cli(settings, "validate", "-q") == 0
    out = capsys.readouterr().out
    warnings = [line for line in out.splitlines() if "Warning" in line]
    assert len(warnings) == 1
    assert "round:vienna-round" in warnings[0] and "unreviewed draft" in warnings[0]


def test_a_reviewed_draft_is_published_with_its_run_and_reviewer(tmp_path: Path) -> None:
    reviewed = PROCESS + ROUND.replace(
        "    evidence:",
        "    drafted in: rules-20261127t101500z\n    approved by: Jane Doe\n    evidence:",
    )
    settings = _seeds(tmp_path, reviewed)
    pipeline.build(settings, Steps(quiet=True))
    checked = pipeline.check(settings, Steps(quiet=True))
    assert not checked.report.results, checked.report.text()
    ns = settings.ns
    graph = checked.compiled.graphs[ns.graph(DOCUMENT)]
    claim, run = (
        ns.resource("round", "vienna-round"),
        ns.resource("extraction-run", "rules-20261127t101500z"),
    )
    reviewer = ns.resource("reviewer", "jane-doe")
    assert (claim, PROV.wasGeneratedBy, run) in graph
    assert (claim, PROV.wasAttributedTo, reviewer) in graph
    assert (reviewer, RDF.type, ns.nkg.Reviewer) in graph
    assert (reviewer, RDFS.label, Literal("Jane Doe")) in graph
    assert (run, RDF.type, ns.nkg.ExtractionRun) in graph
    assert (run, ns.nkg.extractor, Literal("rules")) in graph
    assert (run, PROV.startedAtTime, Literal("2026-11-27T10:15:00Z", datatype=XSD.dateTime)) \
        in graph  # fmt: skip
    process = ns.resource("process", "selva-talks")
    assert (process, PROV.wasGeneratedBy, None) not in graph, "hand-written: no run"
    assert not isinstance(graph.value(process, PROV.wasAttributedTo), URIRef)


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("    draft: nowhere\n", "names the extraction run 'nowhere', which this file does not"),
        ("    draft: rules-20261127t101500z\n    approved by: Jane Doe\n",
         "is both a draft and reviewed"),
        ("    drafted in: rules-20261127t101500z\n",
         "has only one of 'drafted in:' and 'approved by:'"),
        ("    approved by: Jane Doe\n", "has only one of 'drafted in:' and 'approved by:'"),
    ],
)  # fmt: skip
def test_provenance_keys_are_checked(tmp_path: Path, extra: str, problem: str) -> None:
    settings = _seeds(tmp_path, PROCESS + ROUND.replace("    evidence:", extra + "    evidence:"))
    with pytest.raises(SeedErrors) as caught:
        seeds.load(settings.seeds_dir)
    assert [problem in str(e) for e in caught.value.errors] == [True], str(caught.value)


def test_a_bad_run_date_names_its_line(tmp_path: Path) -> None:
    settings = _seeds(tmp_path, PROCESS)
    path = settings.seeds_dir / "documents" / f"{DOCUMENT}.yaml"
    path.write_text(path.read_text().replace("2026-11-27T10:15:00Z", "yesterday"))
    with pytest.raises(SeedErrors) as caught:
        pipeline.check(settings, Steps(quiet=True))
    assert f"{DOCUMENT}.yaml:9: has a bad run date" in str(caught.value)
    assert "2026-11-27T10:15:00Z" in str(caught.value)
