"""``kg publish --to``: a release pushed into a real SPARQL store started by the test,
Oxigraph's server and Virtuoso, graph by graph with the Graph Store Protocol, then
switched so that a reader querying meanwhile sees the old release or the new one,
never a mix. Each test publishes under a base IRI of its own, so the tests of one
module share each store."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.cli import main
from kg.config import Settings
from kg.release import read
from kg.remote import client, publication, record
from tests import stores
from tests.conftest import ROOT, free_port

_bases = itertools.count(1)


# --- releases and stores ----------------------------------------------------------------


class Releases:
    """Hand-made releases under a base IRI of their own (tests/stores.py)."""

    def __init__(self, data_dir: Path) -> None:
        self.base = f"https://example.org/t{next(_bases)}/"
        self.settings = Settings(data_dir=data_dir, base_iri=self.base)

    def graph(self, i: int) -> str:
        return f"{self.base}graph/d{i}"

    def make(
        self, version: str, docs: range, extra: int = 0, labels: dict[int, str] | None = None
    ) -> dict[str, tuple[str, int]]:
        """Release ``version`` made current; returns each graph's (label, size)."""
        data_dir = self.settings.data_dir
        return stores.marked_release(data_dir, self.base, version, docs, extra, labels)

    def publish(self, store: stores.Store, switch: str = "auto") -> publication.Outcome:
        release = read(self.settings.current_link)
        return publication.publish(release, self.base, store_client(store), switch)


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[stores.Store]:
    with stores.oxigraph(tmp_path_factory.mktemp("oxigraph") / "store") as store:
        yield store


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[stores.Store]:
    with stores.virtuoso(tmp_path_factory.mktemp("virtuoso")) as store:
        yield store


@pytest.fixture(params=["oxigraph", "virtuoso"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> stores.Store:
    running: stores.Store = request.getfixturevalue(request.param)
    monkeypatch.setenv("KG_PUBLISH_USER", running.user)
    monkeypatch.setenv("KG_PUBLISH_PASSWORD", running.password)
    return running


@pytest.fixture
def releases(tmp_path: Path) -> Releases:
    return Releases(tmp_path / "var")


def kg_publish(
    releases: Releases, store: stores.Store, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    code = main(
        [
            "--data-dir",
            str(releases.settings.data_dir),
            "publish",
            "--to",
            store.graph_store,
            "--update",
            store.update,
            "--query",
            store.query,
            *extra,
        ]
    )
    out, err = capsys.readouterr()
    return code, out, err


def store_client(store: stores.Store) -> client.StoreClient:
    settings = Settings(publish_user=store.user, publish_password=store.password)
    endpoints = client.Endpoints(store.graph_store, store.update, store.query)
    return client.StoreClient(endpoints, settings)


# --- what the store holds ---------------------------------------------------------------


def graph_in_store(store: stores.Store, name: str) -> Graph:
    answer = httpx2.post(
        store.query.replace("-auth", ""),
        data={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "text/turtle"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return Graph().parse(data=answer.text, format="turtle")


def graph_in_release(releases: Releases, name: str) -> Graph:
    store = read(releases.settings.current_link).open_store()
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
    assert data is not None
    return Graph().parse(data=data, format="nt")


# --- tests --------------------------------------------------------------------------------


# Not Virtuoso with `move`: its readers can see a MOVE half done (docs/benchmarks.md,
# "Publish"), which is why `auto` chooses `pointer` for it.
@pytest.mark.parametrize(
    ("store", "switch"),
    [
        ("oxigraph", "auto"),
        ("oxigraph", "move"),
        ("oxigraph", "pointer"),
        ("virtuoso", "auto"),
        ("virtuoso", "pointer"),
    ],
    indirect=["store"],
)
def test_readers_see_the_old_release_or_the_new_one_never_a_mix(
    store: stores.Store,
    switch: str,
    releases: Releases,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = releases.make("A", range(0, 30))
    code, out, err = kg_publish(releases, store, capsys, "--switch", switch)
    assert code == 0, err
    assert "release A is live" in out and "30 graphs uploaded" in out
    moved = switch == "move" or (switch == "auto" and store.name != "Virtuoso")
    names = record.Names(releases.base)
    where = {g: g if moved else names.uploaded("A", g) for g in old}
    for graph in (releases.graph(0), releases.graph(29)):
        stored = graph_in_store(store, where[graph])
        assert isomorphic(stored, graph_in_release(releases, graph)), graph

    new = releases.make("B", range(5, 40), extra=4)  # five graphs go, ten come, all change
    readers = [stores.Reader(store, stores.record_reader(releases.base))]
    if moved:
        readers.append(stores.Reader(store, stores.direct_reader(releases.base)))
    for reader in readers:
        reader.start()
        reader.wait_for_an_answer()
    started = time.monotonic()
    code, out, err = kg_publish(releases, store, capsys, "--switch", switch)
    ended = time.monotonic()
    assert code == 0, err
    for reader in readers:
        answers = reader.finish(after=ended)
        assert answers[0] == old and answers[-1] == new
        assert reader.during(started, ended) > 0, "no answer came while the publish ran"
        mixed = [a for a in answers if a not in (old, new)]
        assert not mixed, f"{reader.query}\nsaw a mix: {mixed[0]}"


def test_publishing_the_live_release_again_sends_nothing(
    store: stores.Store, releases: Releases, capsys: pytest.CaptureFixture[str]
) -> None:
    releases.make("A", range(3))
    assert kg_publish(releases, store, capsys)[0] == 0
    code, out, _ = kg_publish(releases, store, capsys)
    assert code == 0 and "release A was live already" in out
    with httpx2.Client() as http:
        assert len(stores.seen(store, stores.record_reader(releases.base), http)) == 3


def test_an_interrupted_publish_resumes_with_what_is_missing(
    store: stores.Store, releases: Releases
) -> None:
    names = record.Names(releases.base)
    releases.make("A", range(6))
    release = read(releases.settings.current_link)
    talk = store_client(store)
    # What a publish killed half-way leaves: some graphs whole, one cut short, and the
    # uploads of another release that never went live.
    source = release.open_store()
    for i in range(3):
        graph = releases.graph(i)
        data = source.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        assert data is not None
        if i == 2:
            data = b"\n".join(data.splitlines()[:2]) + b"\n"
        talk.put_graph(names.uploaded("A", graph), data)
    talk.put_graph(names.uploaded("Z", releases.graph(0)), b'<http://x/s> <http://x/p> "1" .\n')

    done = publication.publish(release, releases.base, talk, "auto")
    assert (done.resumed, done.uploaded, done.removed) == (2, 4, 1)
    with httpx2.Client() as http:
        answer = stores.seen(store, stores.record_reader(releases.base), http)
    assert answer == {releases.graph(i): ("A", i % 7 + 3) for i in range(6)}


def test_only_what_changed_is_sent_and_switched(store: stores.Store, releases: Releases) -> None:
    releases.make("A", range(6))
    assert releases.publish(store).uploaded == 6
    same = {i: "A" for i in range(5)}  # d0 to d4 as in A; d5 changes; d6 is new
    expected = releases.make("B", range(7), labels=same)
    done = releases.publish(store)
    assert (done.uploaded, done.unchanged, done.resumed) == (2, 5, 0)
    with httpx2.Client() as http:
        assert stores.seen(store, stores.record_reader(releases.base), http) == expected
        if done.switch == "move":
            assert stores.seen(store, stores.direct_reader(releases.base), http) == expected


def test_pointer_keeps_the_live_release_the_one_before_and_what_they_share(
    oxigraph: stores.Store, releases: Releases
) -> None:
    """A, B, C with ``pointer``: d0 never changes, d1 changes each time. After C, A is
    forgotten and its d1 dropped, but its d0, which B and C still name, stays."""
    names = record.Names(releases.base)
    for version in "ABC":
        expected = releases.make(version, range(2), labels={0: "A"})
        done = releases.publish(oxigraph, "pointer")
    assert (done.uploaded, done.unchanged, done.removed) == (1, 1, 1)
    held = publication_graphs(store_client(oxigraph), names)
    assert sorted(held) == sorted(
        names.uploaded(version, releases.graph(i)) for version, i in (("A", 0), ("B", 1), ("C", 1))
    )
    talk = store_client(oxigraph)
    records = talk.select(
        f"SELECT DISTINCT ?v {{ GRAPH <{names.record}> {{ ?r <{record.DCAT_VERSION}> ?v }} }}"
    )
    assert {r["v"] for r in records} == {"B", "C"}
    with httpx2.Client() as http:
        assert stores.seen(oxigraph, stores.record_reader(releases.base), http) == expected


def publication_graphs(talk: client.StoreClient, names: record.Names) -> list[str]:
    rows = talk.select(
        f"SELECT DISTINCT ?g {{ GRAPH ?g {{ ?s ?p ?o }} "
        f'FILTER(STRSTARTS(STR(?g), "{names.uploads}")) }}'
    )
    return [row["g"] for row in rows]


# --- errors: one line and exit status 10 (2 for a bad URL) ---------------------------------


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert lines[-1].startswith("error: ") and "Traceback" not in err, err
    return lines[-1]


def test_a_store_that_does_not_answer(
    releases: Releases, capsys: pytest.CaptureFixture[str]
) -> None:
    releases.make("A", range(1))
    root = f"http://127.0.0.1:{free_port()}"
    nobody = stores.Store("nobody", root + "/store", root + "/update", root + "/query")
    code, _, err = kg_publish(releases, nobody, capsys)
    assert code == 10
    assert "cannot reach http://127.0.0.1:" in one_line_error(err)


def test_a_read_only_store_refuses(
    releases: Releases, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    releases.make("A", range(1))
    with stores.oxigraph(tmp_path / "ro", read_only=True) as read_only:
        code, _, err = kg_publish(releases, read_only, capsys)
    assert code == 10
    line = one_line_error(err)
    assert "storing graph" in line and "answered 4" in line


@pytest.mark.parametrize("password", ["", "wrong"])
def test_virtuoso_without_the_right_account_refuses(
    virtuoso: stores.Store,
    password: str,
    releases: Releases,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KG_PUBLISH_USER", virtuoso.user if password else "")
    monkeypatch.setenv("KG_PUBLISH_PASSWORD", password)
    releases.make("A", range(1))
    code, _, err = kg_publish(releases, virtuoso, capsys)
    assert code == 10
    line = one_line_error(err)
    assert "401" in line and "KG_PUBLISH_USER and KG_PUBLISH_PASSWORD" in line


def test_bad_urls_are_a_setting_problem(
    releases: Releases, capsys: pytest.CaptureFixture[str]
) -> None:
    releases.make("A", range(1))
    code = main(["--data-dir", str(releases.settings.data_dir), "publish", "--to", "ftp://x/store"])
    assert code == 2 and "not an http:// or https:// URL" in one_line_error(capsys.readouterr().err)
    code = main(["--data-dir", str(releases.settings.data_dir), "publish", "--to", "http://x/gsp"])
    assert code == 2 and "give --update and --query" in one_line_error(capsys.readouterr().err)


def test_endpoints_of_known_stores() -> None:
    oxigraph = client.Endpoints.resolve("http://h:7878/store")
    assert (oxigraph.update, oxigraph.query) == ("http://h:7878/update", "http://h:7878/query")
    virtuoso = client.Endpoints.resolve("https://h/sparql-graph-crud-auth")
    assert (virtuoso.update, virtuoso.query) == ("https://h/sparql-auth",) * 2
    given = client.Endpoints.resolve("http://h/ds/data", "http://h/ds/update", "http://h/ds/sparql")
    assert given.query == "http://h/ds/sparql"


def test_the_readme_shows_the_reader_query() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sparql\n(.*?)```", readme, re.S)
    assert record.reader_query(Settings().base_iri) + "\n" in blocks
