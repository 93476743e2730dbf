"""``kg draft`` on the fixture article (tests/data/draft): both extractors, and the
verification every proposal goes through. The model-based extractor talks real HTTP to
a local replay server (tests/llm_replay.py); nothing reaches the network."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from kg import seeds
from kg.claimtypes import CLAIM_TYPES
from kg.cli import main
from kg.config import Settings
from kg.draft.model import ModelExtractor
from kg.draft.rules import RuleExtractor
from kg.draft.run import draft
from kg.errors import DraftError, SeedErrors
from kg.evidence import SourceText
from kg.yamlfile import Mapping, Scalar, Sequence, load

from .conftest import repo_settings
from .llm_replay import Replay, completion, recorded, replay_server

FIXTURE = Path(__file__).parent / "data" / "draft" / "seeds"
NAME = "2026-03-05-selva-water-talks"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    shutil.copytree(FIXTURE, tmp_path / "seeds")
    return repo_settings(tmp_path / "var", seeds_dir=tmp_path / "seeds")


def _text(settings: Settings) -> Path:
    return settings.seeds_dir / "documents" / f"{NAME}.txt"


def _claims(path: Path) -> list[Mapping]:
    root = load(path)
    assert isinstance(root, Mapping)
    claims = root.get("claims")
    assert isinstance(claims, Sequence)
    return [c for c in claims.items if isinstance(c, Mapping)]


def _value(claim: Mapping, key: str) -> str:
    node = claim.get(key)
    assert isinstance(node, Scalar), key
    return node.value


def _statements(path: Path) -> dict[str, str]:
    return {_value(c, "words"): _value(c, "speaker") for c in _claims(path)
            if _value(c, "type") == "statement"}  # fmt: skip


def _every_quote_is_in_the_text(path: Path, text: str) -> None:
    source = SourceText(text)
    loaded = seeds.load(path.parent.parent)  # also checks keys, ids and provenance
    for claim in loaded.claims():
        for quote in claim.evidence:
            source.locate(quote.text, quote.occurrence)  # raises if not in the text


def _model(replay: Replay, timeout: float = 10.0) -> ModelExtractor:
    return ModelExtractor(replay.url, "replayed-model", "secret-key", timeout)


# --- rules ------------------------------------------------------------------------------


def test_rules_draft_quotes_speakers_rounds_and_proposals(settings: Settings) -> None:
    drafted = draft(settings, _text(settings), RuleExtractor())
    text = _text(settings).read_text(encoding="utf-8")
    _every_quote_is_in_the_text(drafted.path, text)
    assert _statements(drafted.path) == {
        "frank and useful.": "lena-strand",
        "We have agreed on the principle of a minimum flow, and the experts will now work on "
        "the figures": "lena-strand",
        "will not accept any cap on irrigation before a joint study is completed.": "tomas-hale",
        "constructive and businesslike.": "ingrid-solberg",
    }
    rounds = {_value(c, "number"): c for c in _claims(drafted.path) if _value(c, "type") == "round"}
    assert _value(rounds["2"], "date") == "2026-03-05"
    assert _value(rounds["2"], "city") == "vienna"
    assert _value(rounds["1"], "date") == "2025-11"
    assert _value(rounds["1"], "date wording") == "November 2025"
    proposed = {e.label: e.kind.name for d in seeds.load(settings.seeds_dir).documents
                for e in d.proposed}  # fmt: skip
    assert proposed == {"Tomas Hale": "person", "Ingrid Solberg": "person",
                        "Deputy Prime Minister of Borovia": "office",
                        "Special Envoy of Norway": "office",
                        "Anonymous official": "anonymous"}  # fmt: skip
    assert all(c.get("draft") is not None for c in _claims(drafted.path))
    assert drafted.coverage >= 0.7


def test_draft_then_build_refuses_until_reviewed(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--seeds-dir", str(settings.seeds_dir), "--data-dir", str(settings.data_dir)]
    assert main([*args, "draft", str(_text(settings))]) == 0
    out = capsys.readouterr().out
    assert "coverage: 9 of 10 sentences cited" in out and f"kg review {NAME}" in out
    assert main([*args, "validate", "-q"]) == 0
    assert "unreviewed draft" in capsys.readouterr().out
    assert main([*args, "build", "-q"]) == 3
    err = capsys.readouterr().err
    assert "unreviewed draft" in err and "proposes the registry entity 'tomas-hale'" in err
    assert "Traceback" not in err


def test_draft_never_overwrites_a_reviewed_file(settings: Settings) -> None:
    drafted = draft(settings, _text(settings), RuleExtractor())
    draft(settings, _text(settings), RuleExtractor())  # a file of drafts only: replaced
    text = drafted.path.read_text(encoding="utf-8")
    first = text.index("    draft: ", text.index("\nclaims:"))
    end = text.index("\n", first)
    drafted.path.write_text(text[:first] + "    drafted in: x\n    approved by: Jane Doe" +
                            text[end:], encoding="utf-8")  # fmt: skip
    with pytest.raises(SeedErrors, match="never overwrites"):
        draft(settings, _text(settings), RuleExtractor())


def test_a_draft_without_claims_is_drafted_again(settings: Settings) -> None:
    """An article the rules find nothing in gets a draft with no claims; drafting it
    again replaces that draft, while a hand-written file without claims is kept."""
    text = _text(settings)
    text.write_text("Nothing of note was reported from the capital today.\n", encoding="utf-8")
    first = draft(settings, text, RuleExtractor())
    assert first.extraction.claims == []
    draft(settings, text, RuleExtractor())  # replaced, not refused
    first.path.write_text("document:\n  title: by hand\nclaims: []\n", encoding="utf-8")
    with pytest.raises(SeedErrors, match="never overwrites"):
        draft(settings, text, RuleExtractor())


_NOT_ARTICLES: dict[str, tuple[str, bytes, str]] = {
    # name in seeds/documents (None: the registry itself), its bytes, what the line says
    "binary": ("scan.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "is binary"),
    "empty": ("empty.txt", b"  \n\n", "is empty"),
    "latin-1": ("latin.txt", "Les négociations ont repris.".encode("latin-1"), "not UTF-8"),
    "yaml in a .txt": (
        "data.txt",
        b"document:\n  title: x\nclaims:\n  - id: a\n    type: round\n",
        "no sentences of prose",
    ),
    "json in a .txt": ("data2.txt", b'{"title": "x", "claims": []}', "no sentences of prose"),
    "an annotation file": ("a.yaml", b"claims: []\n", "is not an article's text"),
    "a pdf": ("report.pdf", b"%PDF-1.7\n", "is not an article's text"),
}


@pytest.mark.parametrize("case", list(_NOT_ARTICLES), ids=list(_NOT_ARTICLES))
def test_draft_refuses_what_is_no_article_in_one_line(
    settings: Settings, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    name, data, problem = _NOT_ARTICLES[case]
    path = settings.seeds_dir / "documents" / name
    path.write_bytes(data)
    before = sorted(p.name for p in path.parent.iterdir())
    args = ["--seeds-dir", str(settings.seeds_dir), "--data-dir", str(settings.data_dir)]
    assert main([*args, "draft", str(path)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {path}: ") and problem in err[0], err
    assert " — " in err[0]  # the fix follows the problem
    assert sorted(p.name for p in path.parent.iterdir()) == before  # nothing written


def test_draft_refuses_the_registry_and_a_text_outside_the_documents(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = ["--seeds-dir", str(settings.seeds_dir), "--data-dir", str(settings.data_dir)]
    registry = settings.seeds_dir / "registry.yaml"
    before = registry.read_bytes()
    assert main([*args, "draft", str(registry)]) == 3
    assert "is not an article's text" in capsys.readouterr().err
    assert registry.read_bytes() == before
    outside = tmp_path / f"{NAME}.txt"
    shutil.copy(_text(settings), outside)
    assert main([*args, "draft", str(outside)]) == 3
    err = capsys.readouterr().err.strip()
    assert f"is not in {settings.seeds_dir / 'documents'}" in err and len(err.splitlines()) == 1
    assert not outside.with_suffix(".yaml").exists()


# --- the model, through the replay server -----------------------------------------------


def test_the_model_is_sent_the_article_registry_and_schema(settings: Settings) -> None:
    with replay_server() as replay:
        replay.answer(recorded("good"))
        drafted = draft(settings, _text(settings), _model(replay))
    headers, body = replay.requests[0]
    assert headers["Authorization"] == "Bearer secret-key"
    assert body["model"] == "replayed-model"
    schema = body["response_format"]["json_schema"]["schema"]
    variants = schema["properties"]["claims"]["items"]["anyOf"]
    assert [v["properties"]["type"]["const"] for v in variants] == [t.name for t in CLAIM_TYPES]
    statement = variants[[t.name for t in CLAIM_TYPES].index("statement")]
    assert {"speaker", "words", "evidence"} <= set(statement["required"])
    assert "told-reporters" in statement["properties"]["channel"]["enum"]
    system, user = (m["content"] for m in body["messages"])
    assert all(f"type '{t.name}'" in system for t in CLAIM_TYPES)
    assert "- lena-strand (person): Lena Strand (also: Strand)" in user
    assert _text(settings).read_text(encoding="utf-8") in user
    _every_quote_is_in_the_text(drafted.path, _text(settings).read_text(encoding="utf-8"))
    assert _statements(drafted.path) == {
        "frank and useful.": "lena-strand",
        "will not accept any cap on irrigation before a joint study is completed.": "tomas-hale",
    }
    assert not drafted.extraction.problems
    run = seeds.load(settings.seeds_dir).documents[0].runs[0]
    assert run.text("extractor") == "model" and run.text("model") == "replayed-model"
    assert (run.text("prompt hash") or "").startswith("sha256:")


def test_a_wrong_quote_is_dropped_with_the_reason(settings: Settings) -> None:
    with replay_server() as replay:
        replay.answer(recorded("wrong-quote"))
        drafted = draft(settings, _text(settings), _model(replay))
    assert list(_statements(drafted.path)) == ["frank and useful."]
    assert drafted.extraction.problems == [
        "dropped statement 'strand-invented-words': its evidence 'Strand called the session "
        '"a breakthrough"\' cannot be used: it is not in the text, not even with other '
        "quotation marks or spaces"
    ]


def test_an_invented_entity_is_dropped_with_the_reason(settings: Settings) -> None:
    with replay_server() as replay:
        replay.answer(recorded("invented-entity"))
        drafted = draft(settings, _text(settings), _model(replay))
    assert _statements(drafted.path) == {}
    assert "'speaker' names 'ivan-petrov', which is neither in the registry nor proposed" \
        in drafted.extraction.problems[0]  # fmt: skip


def test_a_near_miss_is_repaired_only_when_it_matches_one_place(settings: Settings) -> None:
    with replay_server() as replay:
        replay.answer(recorded("near-miss"))
        drafted = draft(settings, _text(settings), _model(replay))
    claim = _claims(drafted.path)[0]
    evidence = claim.get("evidence")
    assert isinstance(evidence, Sequence) and isinstance(evidence.items[0], Scalar)
    assert evidence.items[0].value == 'told reporters the session had been "frank and useful."'
    text = 'He said \u201cyes\u201d. She said "yes".\n'
    _text(settings).write_text(text, encoding="utf-8")
    answer = {"entities": [], "claims": [{"type": "statement", "id": "yes", "speaker":
              "lena-strand", "words": "yes", "evidence": ['said  "yes"']}]}  # fmt: skip
    with replay_server() as replay:
        replay.answer(completion(json.dumps(answer)))
        drafted = draft(settings, _text(settings), _model(replay))
    assert drafted.extraction.claims == []
    assert drafted.extraction.problems == [
        "dropped statement 'yes': its evidence 'said  \"yes\"' cannot be used: it is a near "
        "miss of 2 places of the text"
    ]


def test_malformed_json_is_a_clear_error_and_writes_nothing(
    settings: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with replay_server() as replay:
        replay.answer(recorded("malformed"))
        monkeypatch.setenv("KG_LLM_URL", replay.url)
        monkeypatch.setenv("KG_LLM_MODEL", "replayed-model")
        code = main(["--seeds-dir", str(settings.seeds_dir), "draft", "--extractor", "model",
                     str(_text(settings))])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 9
    assert err.startswith("error: the model's answer is not JSON (Expecting")
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not _text(settings).with_suffix(".yaml").exists()


def test_a_timeout_is_a_clear_error(settings: Settings) -> None:
    with replay_server() as replay:
        replay.answer(recorded("good"), delay=2.0)
        with pytest.raises(DraftError, match=r"no answer from .* within 0.5 s \(KG_LLM_TIMEOUT\)"):
            draft(settings, _text(settings), _model(replay, timeout=0.5))


def test_an_http_error_is_a_clear_error(settings: Settings) -> None:
    with replay_server() as replay:
        replay.answer(b'{"error": "model not found"}', status=404)
        with pytest.raises(DraftError, match=r"answered HTTP 404: \{\"error\": \"model not"):
            draft(settings, _text(settings), _model(replay))


def test_the_model_extractor_needs_its_settings(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--seeds-dir", str(settings.seeds_dir), "draft", "--extractor", "model",
                 str(_text(settings))])  # fmt: skip
    assert code == 2
    assert "KG_LLM_URL" in capsys.readouterr().err


# --- a long article, in windows ---------------------------------------------------------

LONGER = 'Strand later repeated that the talks had been "frank and useful."\n'


def _window_answer(claims: list[dict[str, Any]], entities: list[dict[str, Any]]) -> bytes:
    return completion(json.dumps({"entities": entities, "claims": claims}))


def test_a_long_article_goes_in_overlapping_windows_merged_by_span(settings: Settings) -> None:
    """An article longer than KG_LLM_WINDOW_CHARS: one request per window of whole
    sentences, windows overlapping; a claim found again in the overlap is one claim;
    a later window names what an earlier one drafted; an id taken by a different claim
    is renamed; a quote the article holds twice is placed where its window has it."""
    path = _text(settings)
    text = path.read_text(encoding="utf-8") + LONGER
    path.write_text(text, encoding="utf-8")
    hale = 'Tomas Hale said in a statement that Borovia "will not accept any cap on irrigation'
    person = {"id": "tomas-hale", "kind": "person", "label": "Tomas Hale"}
    protests = "Protests over water shortages continued in the border region earlier this month."
    answers = [
        _window_answer([
            {"type": "negotiation", "id": "selva-water-talks", "label": "Selva water talks",
             "evidence": ["talks on sharing the waters of the Selva river"]},
            {"type": "round", "id": "selva-vienna-round", "label": "Second round",
             "part of": "selva-water-talks", "number": 2, "status": "held",
             "date": "2026-03-05", "evidence": ["in Vienna on Thursday, March 5, 2026"]},
            {"type": "statement", "id": "hale-no-cap", "speaker": "tomas-hale",
             "words": "will not accept any cap on irrigation", "evidence": [hale]},
        ], [person]),
        _window_answer([
            {"type": "statement", "id": "hale-cap", "speaker": "tomas-hale",
             "words": "will not accept any cap on irrigation", "evidence": [hale]},
            {"type": "commitment", "id": "meet-again", "label": "Meet again",
             "by": ["arland", "borovia"], "action": "Meet again.", "of": "selva-vienna-round",
             "deadline": {"within": "P14D", "from": "selva-vienna-round",
                          "wording": "within the next two weeks"},
             "evidence": ["The two sides agreed to meet again within the next two weeks."]},
            {"type": "context event", "id": "hale-no-cap", "label": "Protests",
             "context for": "selva-water-talks", "relation": "concurrent-tension",
             "evidence": [protests]},
        ], [person]),
        _window_answer([
            {"type": "statement", "id": "strand-repeats", "speaker": "lena-strand",
             "words": "frank and useful.", "evidence": ['"frank and useful."']},
        ], []),
    ]  # fmt: skip
    with replay_server() as replay:
        for answer in answers:
            replay.answer(answer)
        drafted = draft(settings, path, ModelExtractor(replay.url, "replayed-model", "", 10.0,
                                                       window_chars=700))  # fmt: skip
    assert len(replay.requests) == 3
    parts = [body["messages"][1]["content"] for _, body in replay.requests]
    spans = [re.search(r"part (\d) of 3 \(characters (\d+) to (\d+)", p) for p in parts]
    bounds = [(int(m.group(2)), int(m.group(3))) for m in spans if m]
    assert len(bounds) == 3 and bounds[0][0] == 0 and bounds[-1][1] >= len(text.rstrip())
    for (start, end), (next_start, _) in itertools.pairwise(bounds):
        assert end - start <= 700 and next_start < end, "windows overlap"
        assert text[next_start - 1] in "\n " and text[end - 1] in '."', "whole sentences"
    assert "Drafted from earlier parts" not in parts[0]
    assert "- selva-vienna-round (round): Second round" in parts[1]
    assert "- tomas-hale (person, proposed): Tomas Hale" in parts[2]
    claims = {c.id: c for c in drafted.extraction.claims}
    assert sorted(claims) == [
        "hale-no-cap",
        "hale-no-cap-part-2",
        "meet-again",
        "selva-vienna-round",
        "selva-water-talks",
        "strand-repeats",
    ]
    assert claims["hale-no-cap-part-2"].type == "context event"
    assert claims["meet-again"].fields["of"] == "selva-vienna-round"
    assert claims["strand-repeats"].evidence == [('"frank and useful."', 2)]
    assert [e.id for e in drafted.extraction.entities] == ["tomas-hale"]
    assert not drafted.extraction.problems
    _every_quote_is_in_the_text(drafted.path, text)


def test_the_model_may_propose_concepts_and_numbers(settings: Settings) -> None:
    """A concept the schemes lack is proposed under "concepts" and may be named at once;
    one that would rename a concept the schemes have is dropped with the reason;
    quantities come as blocks of numbers."""
    answer = {
        "entities": [],
        "concepts": [
            {"id": "monitoring-commission", "scheme": "issue", "label": "monitoring commission",
             "definition": "A body both sides set up to measure the river's flow.",
             "broader": "implementation", "evidence": ["a joint monitoring commission"]},
            {"id": "ceasefire-2", "scheme": "issue", "label": "ceasefire",
             "definition": "Again.", "evidence": ["Borovia insists"]},
        ],
        "claims": [
            {"type": "position", "id": "borovia-commission", "holder": "borovia",
             "issue": "monitoring-commission", "stance": "insists-on",
             "quantities": [{"value": 1, "of": "commission"}],
             "evidence": ["Borovia insists that any agreement must include a joint "
                          "monitoring commission."]},
        ],
    }  # fmt: skip
    with replay_server() as replay:
        replay.answer(completion(json.dumps(answer)))
        drafted = draft(settings, _text(settings), _model(replay))
    assert [c.id for c in drafted.extraction.concepts] == ["monitoring-commission"]
    assert drafted.extraction.problems == [
        "dropped the proposed issue concept 'ceasefire-2': 'ceasefire' already names a "
        "concept of the issue scheme"
    ]
    [position] = drafted.extraction.claims
    assert position.fields["issue"] == "monitoring-commission"
    assert position.fields["quantities"] == [{"value": "1", "of": "commission"}]
    [document] = seeds.load(settings.seeds_dir).documents
    [concept] = document.concepts
    assert concept.unreviewed and concept.text("broader") == "implementation"
