"""Bad seeds are refused with the file, the line and the fix, and never make a release.

Each test breaks a private copy of the fixture corpus in one way, runs ``kg build`` as a
user would, and checks the message and that the release in place was not touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from kg import pipeline
from kg.cli import main
from kg.config import Settings
from kg.progress import Steps
from tests.conftest import CORPUS, GENEVA, Corpus

DOCUMENT = f"documents/{GENEVA}.yaml"


def annotation(settings: Settings) -> Path:
    return settings.seeds_dir / DOCUMENT


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in ``path``; return its line number."""
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return text.count("\n", 0, at) + 1


def build_fails(settings: Settings, capsys: pytest.CaptureFixture[str]) -> str:
    """Build with a good release in place, expect failure, check the release survived."""
    good = settings.data_dir / "good"
    good_settings = settings.with_(data_dir=good, seeds_dir=CORPUS)
    previous = pipeline.build(good_settings, Steps(quiet=True))
    capsys.readouterr()
    code = main(["--data-dir", str(good), "--seeds-dir", str(settings.seeds_dir), "build", "-q"])
    captured = capsys.readouterr()
    assert code != 0
    assert (good / "current").resolve() == previous.path, "the previous release must stay current"
    releases = [p.name for p in (good / "releases").iterdir()]
    assert releases == [previous.path.name], "no partial release is left behind"
    assert "Traceback" not in captured.err
    return captured.err


def test_annotation_file_that_is_not_yaml(
    seed_copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    line = replace_once(
        annotation(seed_copy),
        "    label: US–Iran nuclear negotiations (2026)",
        "    label: US–Iran talks: round one",
    )
    err = build_fails(seed_copy, capsys)
    assert re.search(rf"{re.escape(DOCUMENT)}:{line}:\d+: is not valid YAML", err)
    assert "single quotes" in err  # what to do


def test_claim_naming_an_unknown_entity(
    seed_copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    line = replace_once(annotation(seed_copy), "    city: geneva", "    city: genva")
    err = build_fails(seed_copy, capsys)
    assert f"{DOCUMENT}:{line}: names 'genva', which is no entity or claim id" in err
    assert "registry.yaml" in err


def test_reference_to_the_wrong_kind_of_thing(
    seed_copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    line = replace_once(annotation(seed_copy), "    city: geneva", "    city: iran")
    err = build_fails(seed_copy, capsys)
    assert f"{DOCUMENT}:{line}: names 'iran' (a state) as 'city'" in err


def test_evidence_quote_not_in_the_article(
    seed_copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    line = replace_once(
        annotation(seed_copy),
        "      - The US delegation was led by Special Envoy",
        "      - The American delegation was led by Special Envoy",
    )
    err = build_fails(seed_copy, capsys)
    assert f"{DOCUMENT}:{line}: has an evidence quote that is not in" in err
    assert "character for character" in err


def test_evidence_quote_that_occurs_twice_without_saying_which(
    seed_copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    path = annotation(seed_copy)
    text = path.read_text(encoding="utf-8")
    at = text.index("quote: ")
    line = text.count("\n", 0, at) + 1
    # Replace the first '- quote: X\n   occurrence: N' with a bare ambiguous quote.
    block = re.compile(r"- quote: (?P<q>[^\n]+)\n\s+occurrence: \d+")
    match = block.search(text, at - 10)
    assert match is not None
    path.write_text(text[: match.start()] + "- " + match["q"] + text[match.end() :], "utf-8")
    err = build_fails(seed_copy, capsys)
    assert f"{DOCUMENT}:{line}: has an evidence quote that occurs 2 times" in err
    assert "occurrence: N" in err


def test_duplicate_id(seed_copy: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(annotation(seed_copy), "  - id: third-round", "  - id: geneva-round")
    err = build_fails(seed_copy, capsys)
    assert f"{DOCUMENT}:{line}: repeats the id 'geneva-round'" in err
    assert "rename one of them" in err


def test_invalid_date(seed_copy: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(annotation(seed_copy), "    date: 2026-02-17", "    date: 2026-02-30")
    err = build_fails(seed_copy, capsys)
    assert f"{DOCUMENT}:{line}: has a bad date" in err
    assert "February 2026 has 28 days" in err


def test_wikidata_id_not_q_and_digits(
    seed_copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    line = replace_once(seed_copy.seeds_dir / "registry.yaml", "wikidata: Q794", "wikidata: 794")
    err = build_fails(seed_copy, capsys)
    assert f"registry.yaml:{line}: has the Wikidata id '794', which is not Q + digits" in err


def test_wikidata_id_not_verified(seed_copy: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(
        seed_copy.seeds_dir / "registry.yaml", "wikidata: Q794", "wikidata: Q826700"
    )
    err = build_fails(seed_copy, capsys)
    assert f"registry.yaml:{line}: uses the Wikidata id Q826700, which is not in" in err
    assert "never guess" in err


def test_wikidata_id_linked_twice(seed_copy: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    line = replace_once(seed_copy.seeds_dir / "registry.yaml", "wikidata: Q794", "wikidata: Q30")
    err = build_fails(seed_copy, capsys)
    assert f"registry.yaml:{line}: links Q30, already linked to 'united-states'" in err


def test_shacl_violation_names_focus_path_message_and_line(
    seed_copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    # A concept scheme change the YAML checks cannot see: the round status concept loses
    # its class, so the round's nkg:status value is no longer a nkg:RoundStatus.
    concepts = seed_copy.ontology_dir
    copy = seed_copy.seeds_dir.parent / "ontology"
    copy.mkdir()
    for path in concepts.glob("*.ttl"):
        text = path.read_text(encoding="utf-8")
        text = text.replace("a skos:Concept, nkg:RoundStatus ;", "a skos:Concept ;")
        (copy / path.name).write_text(text, encoding="utf-8")
    settings = seed_copy.with_(ontology_dir=copy)
    with pytest.raises(Exception) as error:
        pipeline.check(settings, Steps(quiet=True))
    message = str(error.value)
    assert "SHACL validation failed" in message
    first = next(line for line in message.splitlines() if "round:geneva-round" in line)
    assert re.match(
        rf".*{re.escape(DOCUMENT)}:\d+: Violation: round:geneva-round nkg:status: ", first
    ), first


def test_all_problems_are_reported_together(
    seed_copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    replace_once(annotation(seed_copy), "    city: geneva", "    city: genva")
    replace_once(annotation(seed_copy), "    date: 2026-02-17", "    date: 2026-02-30")
    err = build_fails(seed_copy, capsys)
    assert "2 problems in the seeds" in err


def test_unknown_key_suggests_the_right_one(
    seed_copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    line = replace_once(
        annotation(seed_copy), "    venue: omani-embassy-geneva", "    venu: omani-embassy-geneva"
    )
    err = build_fails(seed_copy, capsys)
    assert f"{DOCUMENT}:{line}: has 'venu', which a round claim does not take" in err
    assert "did you mean 'venue'?" in err


def test_statement_words_must_be_inside_the_evidence(
    seed_copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    line = replace_once(annotation(seed_copy), "    words: clear path", "    words: clearer path")
    err = build_fails(seed_copy, capsys)
    assert f"{DOCUMENT}:{line}: has words that are not inside any of its evidence quotes" in err


def test_document_without_annotations(
    seed_copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    (seed_copy.seeds_dir / "documents" / "2026-03-01-next.txt").write_text("A new report.\n")
    err = build_fails(seed_copy, capsys)
    assert "2026-03-01-next.txt: has no annotation file" in err
    assert "write 2026-03-01-next.yaml" in err


def test_an_article_without_claims_builds_with_a_warning(
    make_corpus: Callable[..., Corpus], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 10: an article annotated ``claims: []`` was published without a word."""
    corpus = make_corpus()
    corpus.add_document(
        "2026-03-01-empty",
        "A report that nobody has annotated yet.\n",
        "document:\n  title: An unannotated report\n  language: en\n  publisher: unknown\n"
        "  url: unknown\n  publication date: unknown\n\nclaims: []\n",
    )
    settings = corpus.settings(tmp_path / "var")
    for command in (["build", "-q"], ["validate", "-q"]):
        args = ["--data-dir", str(settings.data_dir), "--seeds-dir", str(settings.seeds_dir)]
        assert main([*args, *command]) == 0
        err = capsys.readouterr().err
        assert re.search(r"warning: .*2026-03-01-empty\.yaml:8: the article has no claims", err)
        assert "Traceback" not in err
