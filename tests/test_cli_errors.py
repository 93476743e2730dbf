"""No traceback from the CLI, ever: every command, run as a real process with bad input,
says what is wrong in one line on stderr and exits with its documented code (README,
"CLI": 2 a bad setting or argument, 3 a seed problem, 5 no complete release, 6 a release
that cannot be written, 7 a query problem, 8 Wikidata, 10 a SPARQL store that cannot be
reached or refuses, 141 a closed output pipe)."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from kg.cli import _parser, main
from kg.config import Settings
from tests.conftest import ROOT, Corpus, free_port

STEP = re.compile(r".+ \.\.\.( \d+%)*( [0-9.]+ s| failed)")  # kg.progress.Steps
DEEP = "SELECT * {" + "{" * 5000 + "}" * 5000 + "}"  # crashed the engine's parser (exit 139)
LONG_CHAIN = "SELECT (" + "+".join(["1"] * 10000) + " AS ?x) {}"  # crashed it as well


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    code: int
    says: str  # a fragment of what stderr must say
    env: dict[str, str] = field(default_factory=dict)
    one_line: bool = True  # False where argparse prints its usage first


CASES: dict[str, Case] = {
    # kg query
    "query-federated-example-13": Case(("query", "-e", "13"), 7, "is not on the allow-list"),
    "query-federated-example-14": Case(("query", "-e", "14"), 7, "is not on the allow-list"),
    "query-service-off-the-allow-list": Case(
        ("query", "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"),
        7,
        "is not on the allow-list",
    ),
    "query-service-endpoint-down": Case(
        ("query", "SELECT * { SERVICE <{closed}> { ?s ?p ?o } }"),
        7,
        "a SERVICE endpoint failed",
        {"KG_SERVICE_ALLOWLIST": "{closed}"},
    ),
    "query-service-in-a-variable": Case(
        ("query", "SELECT * { SERVICE ?x { ?s ?p ?o } }"), 7, "held in a variable"
    ),
    "query-update": Case(("query", "INSERT DATA { <a:b> <a:c> <a:d> }"), 7, "read-only"),
    "query-syntax-error": Case(("query", "SELECT ?x WHERE { ?x "), 7, "SPARQL syntax error"),
    "query-nested-too-deep": Case(("query", DEEP), 7, "brackets nested more than"),
    "query-chain-too-deep": Case(("query", LONG_CHAIN), 7, "levels deep"),
    "query-empty-example-name": Case(("query", "-e", ""), 7, "no query named ''"),
    "query-unknown-example": Case(("query", "-e", "99"), 7, "01-rounds"),
    "query-missing-file": Case(("query", "-f", "{tmp}/none.rq"), 7, "cannot read"),
    "query-file-not-utf8": Case(("query", "-f", "{tmp}/latin1.rq"), 7, "is not UTF-8"),
    "query-select-as-turtle": Case(
        ("query", "--format", "turtle", "ASK {}"), 7, "is written as one of"
    ),
    "query-parameter-missing": Case(("query", "-e", "12"), 7, "needs a value for ?fact"),
    "query-parameter-not-an-iri": Case(
        ("query", "-e", "12", "--param", "fact=<x> } ?s ?p ?o {"), 7, "is not an IRI"
    ),
    "query-parameter-unknown-prefix": Case(
        ("query", "-e", "12", "--param", "fact=rond:geneva-round"), 7, "prefix rond:"
    ),
    "query-parameter-not-declared": Case(
        ("query", "-e", "1", "--param", "fact=round:geneva-round"), 7, "no parameter 'fact'"
    ),
    "query-parameter-without-value": Case(
        ("query", "-e", "12", "--param", "fact"), 7, "--param takes NAME=VALUE"
    ),
    "query-no-release": Case(("--data-dir", "{tmp}/empty", "query", "ASK {}"), 5, "kg build"),
    "query-store-missing": Case(
        ("--data-dir", "{broken}", "query", "ASK {}"), 5, "store cannot be opened"
    ),
    # kg dump
    "dump-output-not-writable": Case(("dump", "-o", "{tmp}/no/such/folder.ttl"), 2, "cannot write"),
    "dump-output-a-folder": Case(("dump", "-o", "{tmp}"), 2, "cannot write"),
    "dump-unknown-format": Case(("dump", "--format", "docx"), 2, "invalid choice", one_line=False),
    "dump-file-missing": Case(("--data-dir", "{broken}", "dump", "--format", "nt"), 5, "missing"),
    # kg stats
    "stats-no-release": Case(("--data-dir", "{tmp}/empty", "stats"), 5, "run `kg build` first"),
    "stats-bad-setting": Case(("stats",), 2, "KG_PORT", {"KG_PORT": "eighty"}),
    "stats-local-base-iri": Case(
        ("stats",), 2, "KG_BASE_IRI", {"KG_BASE_IRI": "http://localhost:8000/"}
    ),
    # kg build and kg validate
    "build-data-dir-not-a-folder": Case(
        ("--data-dir", "{tmp}/file/var", "build", "-q"), 6, "cannot write releases"
    ),
    "build-seeds-missing": Case(
        ("--data-dir", "{tmp}/var", "--seeds-dir", "{tmp}/nothing", "build", "-q"),
        3,
        "is not a folder",
    ),
    "build-bad-yaml": Case(
        ("--data-dir", "{tmp}/var", "--seeds-dir", "{bad_seeds}", "build", "-q"),
        3,
        "is not valid YAML",
    ),
    "build-shapes-missing": Case(
        ("--data-dir", "{tmp}/var", "build", "-q"),
        3,
        "is not a folder",
        {"KG_SHAPES_DIR": "{tmp}/nothing"},
    ),
    "validate-bad-yaml": Case(("--seeds-dir", "{bad_seeds}", "validate"), 3, "is not valid YAML"),
    "validate-ontology-empty": Case(
        ("validate", "-q"), 3, "holds no .ttl file", {"KG_ONTOLOGY_DIR": "{tmp}"}
    ),
    # kg link
    "link-accept-without-qid": Case(
        ("--seeds-dir", "{copy}", "link", "--accept", "iran"), 8, "takes ENTITY=QID"
    ),
    "link-api-not-a-url": Case(
        ("--seeds-dir", "{copy}", "link"), 2, "KG_WIKIDATA_API", {"KG_WIKIDATA_API": "wikidata"}
    ),
    "link-api-down": Case(
        ("--seeds-dir", "{copy}", "link", "--entity", "abbas-araghchi"),
        8,
        "cannot reach",
        {"KG_WIKIDATA_API": "{closed}", "KG_HTTP_TIMEOUT": "5"},
    ),
    # kg draft and kg review
    "draft-missing-document": Case(("draft", "{tmp}/none.txt"), 3, "cannot be read"),
    "draft-model-without-endpoint": Case(
        ("draft", "{tmp}/none.txt", "--extractor", "model"), 2, "KG_LLM_URL", {"KG_LLM_URL": ""}
    ),
    "review-port-out-of-range": Case(
        ("review", "x", "--port", "70000"), 2, "not a TCP port", one_line=False
    ),
    "review-no-draft": Case(("review", "no-such-document"), 3, "draft it first"),
    # kg serve
    "serve-port-out-of-range": Case(
        ("serve", "--port", "99999"), 2, "not a TCP port", one_line=False
    ),
    "serve-port-not-a-number": Case(
        ("serve", "--port", "http"), 2, "not a TCP port", one_line=False
    ),
    "serve-port-in-use": Case(("serve", "--port", "{busy}"), 2, "cannot listen on"),
    "serve-negative-workers": Case(("serve", "--workers", "-2"), 2, "KG_WORKERS"),
    "serve-no-release": Case(("--data-dir", "{tmp}/empty", "serve"), 5, "run `kg build` first"),
    # kg publish --to
    "publish-store-down": Case(("publish", "--to", "{closed}/store"), 10, "cannot reach"),
    "publish-not-http": Case(("publish", "--to", "ftp://h/store"), 2, "not an http://"),
    "publish-unknown-store": Case(("publish", "--to", "http://h/gsp"), 2, "give --update"),
    "publish-no-such-release": Case(
        ("publish", "--to", "{closed}/store", "--release", "r0"), 5, "not a complete release"
    ),
    # the command line itself
    "no-command": Case((), 2, "", one_line=False),
    "unknown-command": Case(("unpublish",), 2, "invalid choice", one_line=False),
}


@pytest.fixture(scope="module")
def places(
    built_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """What the cases' arguments name: folders and files made bad on purpose, a port
    where nothing listens and one that is taken."""
    tmp = tmp_path_factory.mktemp("cli-errors")
    (tmp / "latin1.rq").write_bytes("SELECT ?é {}".encode("latin-1"))
    (tmp / "file").write_text("a file, not a folder\n")
    broken = tmp / "broken"
    shutil.copytree(built_settings.data_dir, broken, symlinks=True)
    shutil.rmtree(broken / "current" / "store")
    (broken / "current" / "dumps" / "negotiations-kg.nt").unlink()
    copy = Corpus(tmp / "copy")
    bad = Corpus(tmp / "bad-seeds")
    registry = bad.root / "registry.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "  - id: [unclosed\n")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield {
            "tmp": str(tmp),
            "broken": str(broken),
            "bad_seeds": str(bad.root),
            "copy": str(copy.root),
            "closed": f"http://127.0.0.1:{free_port()}/sparql",
            "busy": str(taken.getsockname()[1]),
        }


def fill(text: str, places: dict[str, str]) -> str:
    """``text`` with each ``{place}`` replaced (SPARQL's own braces left alone)."""
    for name, value in places.items():
        text = text.replace(f"{{{name}}}", value)
    return text


def kg(
    settings: Settings, args: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``kg ARGS`` as a user runs it, in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        env=os.environ | settings.to_env() | {"KG_HOST": "127.0.0.1"} | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("name", CASES)
def test_bad_input_gets_one_line_and_its_exit_code(
    name: str, built_settings: Settings, places: dict[str, str]
) -> None:
    case = CASES[name]
    args = [fill(a, places) for a in case.args]
    env = {k: fill(v, places) for k, v in case.env.items()}
    done = kg(built_settings, args, env)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.returncode == case.code, done.stderr
    assert case.says in done.stderr
    if case.one_line:  # after the steps a command had begun, if any
        *steps, last = done.stderr.splitlines()
        assert last.startswith("error: ") and done.stderr.endswith("\n"), done.stderr
        assert all(STEP.fullmatch(line) for line in steps), done.stderr


def test_every_command_is_tried() -> None:
    subcommands = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    commands = set(subcommands.choices)
    tried = {next((a for a in c.args if a in commands), None) for c in CASES.values()}
    assert commands <= tried, f"no bad input tried for: {sorted(commands - tried)}"


def test_a_closed_output_pipe_ends_quietly(built_settings: Settings) -> None:
    """`kg dump | head` once ended with a BrokenPipeError traceback."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "dump"],
        env=os.environ | built_settings.to_env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(100)
    process.stdout.close()  # the reader leaves before the dump is written
    assert process.wait(timeout=60) == 141
    with process.stderr:
        assert process.stderr.read() == b""


def test_an_unexpected_error_is_one_line_unless_debugging(
    seed_copy: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug still gets one line (and exit 1); --debug shows its traceback."""
    from kg import cli

    def broken(settings: Settings, args: object) -> int:
        raise ValueError("something no one foresaw")

    monkeypatch.setattr(cli, "_stats", broken)
    base = ["--data-dir", str(seed_copy.data_dir)]
    assert main([*base, "stats"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unexpected ValueError: something no one foresaw" in err
    assert "--debug" in err
    with pytest.raises(ValueError, match="something no one foresaw"):
        main([*base, "--debug", "stats"])
