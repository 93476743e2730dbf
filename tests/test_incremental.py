"""Incremental releases are the releases a full build makes, byte for byte.

A corpus of bench/generate.py is built, then changed the ways seeds change (an article
edited, articles added, articles deleted, the registry edited), and built again, once
from the previous release and the build cache, once from nothing (``--full``) in
another data folder, both at the same instant so that the release id and time agree:
every file of the two releases must then be the same, and the stores must hold the
same quads. Validation must fail incrementally exactly as in a full build when a change
in one document makes a node of another invalid. A damaged or foreign cache entry is
ignored and made again; a build killed at any point leaves the last release current.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.generate import generate
from kg import pipeline, publish
from kg import seeds as seeds_module
from kg.buildcache import BuildCache
from kg.compiling import compile_key, document_key
from kg.config import Settings
from kg.errors import ValidationFailed
from kg.progress import Steps
from kg.release import Release, current
from tests.conftest import ROOT, repo_settings

BEFORE = dt.datetime(2026, 12, 1, 12, 0, 0, tzinfo=dt.UTC)
NOW = BEFORE + dt.timedelta(hours=1)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Four negotiations, then five: the second has the first's articles (one edited,
    where the generator ends its corpus) and more, and a longer registry."""
    root = tmp_path_factory.mktemp("corpora")
    generate(root / "four", negotiations=4, seed=0)
    generate(root / "five", negotiations=5, seed=0)
    return root / "four", root / "five"


class Clock:
    """The time releases are made at: BEFORE, then NOW (when a test says so)."""

    def __init__(self) -> None:
        self.now = BEFORE

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    stopped = Clock()
    monkeypatch.setattr(publish, "clock", stopped)
    return stopped


def build(settings: Settings, full: bool = False) -> tuple[Release, str]:
    """A release, and what the build said it did."""
    out = io.StringIO()
    release = pipeline.build(settings, Steps(out=out), full=full)
    return release, out.getvalue()


def copy_of(corpus: Path, tmp_path: Path) -> Path:
    """A copy of ``corpus`` to change: the seeds folder of a test."""
    seeds = tmp_path / "seeds"
    shutil.copytree(corpus, seeds)
    return seeds


def built_copy(corpus: Path, tmp_path: Path) -> tuple[Path, Settings, Release]:
    """A copy of ``corpus``, the settings of a data folder for it, and its first
    release, built there."""
    seeds = copy_of(corpus, tmp_path)
    settings = repo_settings(tmp_path / "var", seeds_dir=seeds)
    return seeds, settings, build(settings)[0]


def full_build(seeds: Path, tmp_path: Path, previous: Release) -> tuple[Release, str]:
    """``kg build --full`` of ``seeds`` in a data folder of its own holding only the
    release the incremental build was made over (``previous``, current there too, since
    a release's VoID names the one it revises): what an incremental build must equal."""
    settings = repo_settings(tmp_path / "other", seeds_dir=seeds)
    settings.releases_dir.mkdir(parents=True)
    copy = settings.releases_dir / previous.path.name
    shutil.copytree(previous.path, copy, symlinks=True)
    settings.current_link.symlink_to(copy.relative_to(settings.data_dir))
    return build(settings, full=True)


def files(release: Release) -> dict[str, bytes]:
    """Every file of a release but its store, by path."""
    return {
        p.relative_to(release.path).as_posix(): p.read_bytes()
        for p in sorted(release.path.rglob("*"))
        if p.is_file() and "store" not in p.relative_to(release.path).parts
    }


def store_quads(release: Release) -> Counter[str]:
    """The store's quads (blank nodes, which a store names afresh, all alike)."""
    store = ox.Store.read_only(str(release.store_path))
    return Counter(re.sub(r"_:\w+", "_:b", str(q)) for q in store)


def assert_same(incremental: Release, full: Release) -> None:
    ours, theirs = files(incremental), files(full)
    assert sorted(ours) == sorted(theirs)
    assert [n for n in ours if ours[n] != theirs[n]] == []
    assert store_quads(incremental) == store_quads(full)


def articles(seeds: Path, negotiation: int) -> list[Path]:
    """The annotation files of one negotiation's articles, in order."""
    return [
        path
        for path in sorted((seeds / "documents").glob("*.yaml"))
        if f"reports: n{negotiation}-" in path.read_text(encoding="utf-8")
    ]


def named_once(seeds: Path) -> tuple[str, str]:
    """A person of the registry one article alone names, and the person's label."""
    texts = [p.read_text(encoding="utf-8") for p in (seeds / "documents").glob("*.yaml")]
    registry = (seeds / "registry.yaml").read_text(encoding="utf-8")
    for found in re.finditer(r"- id: ([a-z-]+)\n\s+kind: person\n\s+label: ([^\n]+)", registry):
        if sum(bool(re.search(rf"\b{found[1]}\b", text)) for text in texts) == 1:
            return found[1], found[2]
    raise AssertionError("every person is named by several articles")


def edit_label(path: Path) -> None:
    """Change the first explicit label of an annotation file (other articles' labels
    made from templates may name it)."""
    text = path.read_text(encoding="utf-8")
    found = re.search(r"\n    label: ([^\n]+)", text)
    assert found is not None
    edit(path, found[0], f"{found[0]}, as edited")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_incremental_release_is_the_full_release_byte_for_byte(
    corpora: tuple[Path, Path], tmp_path: Path, clock: Clock
) -> None:
    four, five = corpora
    seeds = tmp_path / "seeds"
    shutil.copytree(four, seeds)
    settings = repo_settings(tmp_path / "var", seeds_dir=seeds)
    first, _ = build(settings)
    assert "loaded the store" in _

    shutil.rmtree(seeds)
    shutil.copytree(five, seeds)  # a fifth negotiation's articles added
    last = articles(seeds, 2)[-1]  # an article deleted
    last.unlink()
    last.with_suffix(".txt").unlink()
    edit_label(articles(seeds, 1)[-1])  # an article edited
    _, label = named_once(seeds)  # the registry edited
    edit(seeds / "registry.yaml", f"label: {label}\n", f"label: {label} Jr.\n")

    clock.now = NOW
    incremental, said = build(settings)
    assert incremental.manifest["statistics"]["triples"] >= pipeline.UPDATE_FROM
    assert "updated the store" in said, said
    validated = int(re.search(r"validate ([\d,]+) nodes", said)[1].replace(",", ""))  # type: ignore[index]
    full, said_full = full_build(seeds, tmp_path, first)
    everything = int(re.search(r"validate ([\d,]+) nodes", said_full)[1].replace(",", ""))  # type: ignore[index]
    assert 0 < validated < everything
    assert incremental.id == full.id == NOW.strftime("%Y%m%dT%H%M%SZ")
    assert_same(incremental, full)
    assert first.path.exists()  # kept, not changed


def test_without_changes_the_next_release_is_made_from_the_cache(
    corpora: tuple[Path, Path], tmp_path: Path, clock: Clock
) -> None:
    seeds, settings, before = built_copy(corpora[0], tmp_path)
    clock.now = NOW
    again, said = build(settings)
    assert "validate 0 nodes" in said and "compile 0 of" in said, said
    full, _ = full_build(seeds, tmp_path, before)
    assert_same(again, full)


# --- a change in one document, a violation in another ---------------------------------------


FOLLOWED_ONCE = """
nkgsh:RoundFollowedOnceShape
    a sh:NodeShape ;
    sh:targetClass nkg:NegotiationRound ;
    sh:property [
        sh:path nkg:followedBy ;
        sh:maxCount 1 ;
        sh:message "A round is followed by at most one round."@en
    ] .
"""

HOLDER_NAMED = """
nkgsh:HolderNamedShape
    a sh:NodeShape ;
    sh:targetClass nkg:OfficeHolding ;
    sh:property [
        sh:path nkg:holder ;
        sh:not [ sh:class nkg:AnonymousAgent ] ;
        sh:message "An office is held by a named person."@en
    ] .
"""

ANOTHER_ROUND = """\
document:
  title: Another round
  language: en
claims:
  - id: another-round
    type: round
    label: Another round after the first
    part of: n1-talks
    status: held
    follows: n1-round-1
    evidence:
      - another round followed the first
"""


def _with_shape(tmp_path: Path, shape: str) -> Path:
    shapes = tmp_path / "shapes"
    shutil.copytree(ROOT / "shapes", shapes)
    with (shapes / "negotiations.ttl").open("a", encoding="utf-8") as turtle:
        turtle.write(shape)
    return shapes


def _failures(settings: Settings) -> str:
    with pytest.raises(ValidationFailed) as failed:
        pipeline.build(settings, Steps(quiet=True))
    return failed.value.report


def test_a_document_added_makes_a_node_of_another_invalid_as_in_a_full_build(
    corpora: tuple[Path, Path], tmp_path: Path
) -> None:
    """The first round of the first negotiation, unchanged, gets a second nkg:followedBy
    from an added article: its own triples changed, in another graph."""
    seeds = copy_of(corpora[0], tmp_path)
    shapes = _with_shape(tmp_path, FOLLOWED_ONCE)
    settings = repo_settings(tmp_path / "var", seeds_dir=seeds, shapes_dir=shapes)
    previous, _ = build(settings)
    (seeds / "documents" / "zz-another-round.txt").write_text(
        "Reports say another round followed the first.\n", encoding="utf-8"
    )
    (seeds / "documents" / "zz-another-round.yaml").write_text(ANOTHER_ROUND, encoding="utf-8")
    incremental = _failures(settings)
    full = _failures(repo_settings(tmp_path / "other", seeds_dir=seeds, shapes_dir=shapes))
    assert "round:n1-round-1 nkg:followedBy: A round is followed by at most one round." in full
    assert incremental == full
    assert current(settings).path == previous.path


def test_a_registry_change_makes_a_node_of_an_unchanged_document_invalid(
    corpora: tuple[Path, Path], tmp_path: Path
) -> None:
    """A holder of an office becomes an anonymous agent in the registry: the office
    holding, in an article not edited, no longer conforms."""
    seeds = copy_of(corpora[0], tmp_path)
    shapes = _with_shape(tmp_path, HOLDER_NAMED)
    settings = repo_settings(tmp_path / "var", seeds_dir=seeds, shapes_dir=shapes)
    build(settings)
    claims = list(seeds_module.load(seeds).claims())
    holders = {c.text("holder") for c in claims if c.type.name == "office holding"}
    only_persons = {c.text(k) for c in claims for k in ("head", "advises")}
    holder = sorted(str(h) for h in holders - only_persons)[0]
    edit(seeds / "registry.yaml", f"- id: {holder}\n    kind: person",
         f"- id: {holder}\n    kind: anonymous")  # fmt: skip
    incremental = _failures(settings)
    full = _failures(repo_settings(tmp_path / "other", seeds_dir=seeds, shapes_dir=shapes))
    assert "An office is held by a named person." in full
    assert incremental == full


# --- the cache is never trusted blindly ------------------------------------------------------


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def test_damaged_and_foreign_cache_entries_are_ignored_and_made_again(
    corpora: tuple[Path, Path], tmp_path: Path, clock: Clock
) -> None:
    seeds, settings, before = built_copy(corpora[0], tmp_path)
    cache = settings.data_dir / pipeline.CACHE_DIR
    units = sorted((cache / "units").glob("*.unit"), key=lambda p: -p.stat().st_size)
    key = compile_key(settings)
    documents = [
        cache / "documents" / f"{document_key(key, p.stem, p.with_suffix('.txt'), p)}.entry"
        for p in sorted((seeds / "documents").glob("*.yaml"))
    ]
    _flip(units[0], -10)  # a bit of a fragment (JSON-LD or statistics)
    _flip(units[1], units[1].stat().st_size // 3)  # a bit of its triples
    units[2].write_bytes(units[2].read_bytes()[:300])  # cut short
    shutil.copyfile(documents[1], documents[0])  # another document's entry, renamed
    _flip(documents[2], 5)  # a broken header
    edit(sorted((seeds / "documents").glob("*.yaml"))[-1], "evidence:", "evidence:  ")
    clock.now = NOW
    again, said = build(settings)
    assert "updated the store" in said
    full, _ = full_build(seeds, tmp_path, before)
    assert_same(again, full)
    store = BuildCache(cache)
    for path in (cache / "units").glob("*.unit"):  # every unit kept is sound again
        assert store.open("units", path.stem) is not None
    assert all(store.open("documents", path.stem) for path in documents[:3])


def test_a_damaged_state_means_validating_everything(
    corpora: tuple[Path, Path], tmp_path: Path, clock: Clock
) -> None:
    seeds, settings, first = built_copy(corpora[0], tmp_path)
    state = settings.data_dir / pipeline.CACHE_DIR / "states" / f"{first.id}.entry"
    state.write_bytes(state.read_bytes().replace(b'"results"', b'"resulta"'))
    clock.now = NOW
    again, said = build(settings)
    assert "loaded the store" in said
    full, said_full = full_build(seeds, tmp_path, first)
    assert said.count("nodes") == said_full.count("nodes")
    assert_same(again, full)


def test_a_full_build_reads_nothing_from_the_cache(
    corpora: tuple[Path, Path], tmp_path: Path, clock: Clock
) -> None:
    seeds, settings, before = built_copy(corpora[0], tmp_path)
    cache = settings.data_dir / pipeline.CACHE_DIR
    for path in cache.rglob("*.unit"):  # damaged
        path.write_bytes(path.read_bytes().replace(b"Wesenia", b"Atlantis"))
    clock.now = NOW
    again, said = build(settings, full=True)
    assert "compile 0 of" not in said and "loaded the store" in said
    full, _ = full_build(seeds, tmp_path, before)
    assert_same(again, full)


def test_workers_make_the_same_release(
    corpora: tuple[Path, Path], tmp_path: Path, clock: Clock
) -> None:
    seeds = copy_of(corpora[0], tmp_path)
    alone, _ = build(repo_settings(tmp_path / "one", seeds_dir=seeds, build_workers=1))
    both, _ = build(
        repo_settings(
            tmp_path / "two", seeds_dir=seeds, build_workers=2, validation_batch_triples=5_000
        )
    )
    assert_same(both, alone)


# --- killed ----------------------------------------------------------------------------------

KILL = textwrap.dedent("""\
    import os, signal, sys
    from kg import cli, {module}
    real = {module}.{function}
    def killed(*args, **kwargs):
        {before}
        os.kill(os.getpid(), signal.SIGKILL)
    {module}.{function} = killed
    sys.exit(cli.main(sys.argv[1:]))
""")


@pytest.mark.parametrize(
    ("module", "function", "before"),
    [
        ("publish", "write_dumps", "real(*args, **kwargs)"),  # dumps written, not the store
        ("pipeline", "finish", "pass"),  # everything written, the state saved, not current
        ("publish", "_switch_current", "pass"),  # the release renamed into place
        ("compiling", "document_key", "pass"),  # while reading the seeds
    ],
)
def test_a_killed_incremental_build_leaves_the_last_release_current(
    corpora: tuple[Path, Path], tmp_path: Path, module: str, function: str, before: str
) -> None:
    seeds, settings, previous = built_copy(corpora[0], tmp_path)
    edit_label(sorted((seeds / "documents").glob("*.yaml"))[0])
    env = os.environ | settings.to_env()
    script = KILL.format(module=module, function=function, before=before)
    killed = subprocess.run(
        [sys.executable, "-c", script, "build", "-q"], cwd=ROOT, env=env, capture_output=True
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert current(settings).path == previous.path
    assert files(current(settings)) == files(previous)
    again, _ = build(settings)
    full, _ = full_build(seeds, tmp_path, previous)
    assert {n: b for n, b in files(again).items() if n.startswith("dumps/")} == {
        n: b for n, b in files(full).items() if n.startswith("dumps/")
    }


def test_build_full_is_a_cli_option(corpora: tuple[Path, Path], tmp_path: Path) -> None:
    seeds = copy_of(corpora[0], tmp_path)
    settings = repo_settings(tmp_path / "var", seeds_dir=seeds)
    env = os.environ | settings.to_env()
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", "--full"], cwd=ROOT, env=env,
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "loaded the store" in done.stderr
