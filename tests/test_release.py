"""Releases: complete, checksummed, deterministic in their IRIs, switched atomically."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, PROV, RDF, Graph

from kg import pipeline, publish
from kg.config import Settings
from kg.errors import ReleaseError
from kg.namespaces import VOID
from kg.progress import Steps
from kg.release import Release, current
from tests import invariants
from tests.conftest import GENEVA, repo_settings

QUIET = Steps(quiet=True)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_release_lists_every_file_with_its_checksum(built: tuple[Settings, Release]) -> None:
    _, release = built
    assert release.files, "manifest lists files"
    for name, info in release.files.items():
        path = release.path / name
        assert path.stat().st_size == info["size"]
        assert sha256(path) == info["sha256"]
    sums = (release.path / "SHA256SUMS").read_text().splitlines()
    assert sorted(sums) == sorted(f"{i['sha256']}  {n}" for n, i in release.files.items())
    assert release.manifest["validation"]["conforms"] is True


def test_dumps_parse_and_agree_with_the_void_counts(built: tuple[Settings, Release]) -> None:
    settings, release = built
    dumps = release.dumps_dir
    turtle = Graph().parse(dumps / "negotiations-kg.ttl", format="turtle")
    ntriples = Graph().parse(dumps / "negotiations-kg.nt", format="nt")
    jsonld = list(ox.parse(path=dumps / "negotiations-kg.jsonld"))  # rdflib's parser warns
    assert len(turtle) == len(ntriples) == len(jsonld)
    void = Graph().parse(release.void_path, format="turtle")
    release_iri = settings.ns.release(release.id)
    assert int(str(void.value(release_iri, VOID.triples))) == len(turtle)
    trig = list(ox.parse(path=dumps / "negotiations-kg.trig"))
    nquads = list(ox.parse(path=dumps / "negotiations-kg.nq"))
    assert len(trig) == len(nquads) >= len(turtle)
    names = {q.graph_name.value for q in trig}
    assert str(settings.ns.graph(GENEVA)) in names


def test_the_wikidata_links_are_a_counted_linkset(built: tuple[Settings, Release]) -> None:
    settings, release = built
    links = Graph().parse(release.dumps_dir / "wikidata-links.ttl", format="turtle")
    in_registry = (settings.seeds_dir / "registry.yaml").read_text().count("wikidata: Q")
    assert len(links) == len(set(links.subjects(OWL.sameAs, None))) == in_registry
    void = Graph().parse(release.void_path, format="turtle")
    linkset = settings.ns.graph("wikidata-links")
    assert (linkset, RDF.type, VOID.Linkset) in void
    assert int(str(void.value(linkset, VOID.triples))) == len(links)


def test_one_named_graph_per_source_document_and_quotations_cite_with_was_quoted_from(
    built: tuple[Settings, Release],
) -> None:
    settings, release = built
    document = Graph()
    name = str(settings.ns.graph(GENEVA))
    for quad in ox.parse(path=release.dumps_dir / "negotiations-kg.nq"):
        if quad.graph_name.value == name:
            document.parse(data=str(quad.triple) + " .", format="nt")
    statements = set(document.subjects(RDF.type, settings.ns.nkg.Statement))
    assert statements
    for statement in statements:
        assert document.value(statement, PROV.wasQuotedFrom) is not None
        assert document.value(statement, PROV.wasDerivedFrom) is None


def test_a_rebuild_never_changes_an_iri(seed_copy: Settings) -> None:
    first = pipeline.build(seed_copy, QUIET)
    second = pipeline.build(seed_copy, QUIET)
    assert first.id != second.id

    def lines(release: Release) -> set[str]:
        """Triples without blank nodes (the ontology's OWL lists get new ones each parse)."""
        text = (release.dumps_dir / "negotiations-kg.nt").read_text()
        return {line for line in text.splitlines() if "_:" not in line}

    assert lines(first) == lines(second)


def test_another_base_iri_is_used_everywhere(tmp_path: Path) -> None:
    settings = repo_settings(tmp_path / "var", base_iri="https://example.org/talks/")
    release = pipeline.build(settings, QUIET)
    text = (release.dumps_dir / "negotiations-kg.nt").read_text()
    assert "https://example.org/talks/id/round/geneva-round" in text
    assert "w3id.org/negotiations-kg" not in text


def test_a_failed_write_leaves_the_previous_release_current(
    seed_copy: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = pipeline.build(seed_copy, QUIET)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "write_dumps", broken)
    with pytest.raises(
        ReleaseError, match=f"could not be written: the disk is full.*{previous.id} stays current"
    ):
        pipeline.build(seed_copy, QUIET)
    assert current(seed_copy).path == previous.path
    assert [p.name for p in seed_copy.releases_dir.iterdir()] == [previous.path.name]


def build_with_cli(settings: Settings, limit_file_size: int | None = None) -> tuple[int, str]:
    """``kg build`` in a process of its own (with files limited to ``limit_file_size``
    bytes, as on a full disk): its exit status and what it printed on stderr."""
    prelude = "import sys\n"
    if limit_file_size is not None:  # writes past the limit fail (EFBIG), as on a full disk
        prelude += (
            "import resource, signal\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit_file_size}, {limit_file_size}))\n"
        )
    code = prelude + "from kg.cli import main\nsys.exit(main(sys.argv[1:]))"
    command = ["--data-dir", str(settings.data_dir), "--seeds-dir", str(settings.seeds_dir)]
    done = subprocess.run(
        [sys.executable, "-c", code, *command, "build", "-q"],
        capture_output=True,
        text=True,
        env=os.environ | settings.to_env(),
        timeout=600,
    )
    return done.returncode, done.stderr


def test_a_write_failure_is_one_line_and_exit_6(seed_copy: Settings) -> None:
    """Issue 10: a full disk gave a traceback and exit 1 (OSError from the store or a
    dump); the previous release stayed current, and still does."""
    previous = pipeline.build(seed_copy, QUIET)
    code, err = build_with_cli(seed_copy, limit_file_size=64 * 1024)
    assert code == 6, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert f"release {previous.id} stays current" in err
    assert current(seed_copy).path == previous.path
    assert [p.name for p in seed_copy.releases_dir.iterdir()] == [previous.path.name]


def test_a_statement_too_long_for_the_engine_is_one_line_and_exit_6(seed_copy: Settings) -> None:
    """Issue 10: a 17 MB source text gave MemoryError ("Reached the buffer maximal size
    of 16777216") and a traceback: pyoxigraph reads at most 16 MiB in one line."""
    previous = pipeline.build(seed_copy, QUIET)
    text = seed_copy.seeds_dir / "documents" / f"{GENEVA}.txt"
    with text.open("a", encoding="utf-8") as handle:
        handle.write("\n" + "Filler words of a very long report. " * 500_000)
    code, err = build_with_cli(seed_copy)
    assert code == 6, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert "split that document" in err
    assert current(seed_copy).path == previous.path


def test_leftovers_of_a_killed_build_are_removed_by_the_next(seed_copy: Settings) -> None:
    pipeline.build(seed_copy, QUIET)
    stale = seed_copy.releases_dir / ".building-20000101T000000Z"
    (stale / "store").mkdir(parents=True)
    pipeline.build(seed_copy, QUIET)
    assert not stale.exists()


def test_one_build_at_a_time(seed_copy: Settings) -> None:
    with publish.build_lock(seed_copy), pytest.raises(ReleaseError, match="another build"):
        pipeline.build(seed_copy, QUIET)


def test_old_releases_are_pruned_but_never_the_current(seed_copy: Settings) -> None:
    settings = seed_copy.with_(keep_releases=2)
    for _ in range(3):
        latest = pipeline.build(settings, QUIET)
    kept = sorted(p.name for p in settings.releases_dir.iterdir())
    assert len(kept) == 2 and latest.path.name in kept


def test_a_release_knows_whether_it_is_up_to_date(seed_copy: Settings) -> None:
    release = pipeline.build(seed_copy, QUIET)
    assert pipeline.is_current(seed_copy, release)
    registry = seed_copy.seeds_dir / "registry.yaml"
    registry.write_text(registry.read_text() + "\n", encoding="utf-8")
    assert not pipeline.is_current(seed_copy, release)


def test_the_manifest_names_the_inputs_and_the_tool(built: tuple[Settings, Release]) -> None:
    settings, release = built
    manifest = json.loads((release.path / "manifest.json").read_text())
    assert manifest["base_iri"] == settings.base_iri
    assert manifest["inputs_sha256"] == publish.inputs_digest(settings)
    assert (release.path / "validation-report.ttl").exists()


def test_the_fixture_corpus_keeps_the_invariants_of_any_corpus(
    built: tuple[Settings, Release],
) -> None:
    """What tests/test_seeds_invariants.py checks on seeds/, on the tests' own corpus."""
    invariants.check_corpus(*built)
