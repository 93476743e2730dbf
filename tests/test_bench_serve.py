"""The serve benchmark measures real work: every query of its mix is valid SPARQL and has
answers on a synthetic corpus, through the endpoint and straight from the store alike;
its target table says "no" when a ratio misses. (Its figures live in docs/benchmarks.md.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from bench.generate import generate
from bench.serve_bench import (
    QUERIES,
    _load,
    count_results,
    lua_string,
    parameters,
    targets,
    variants,
)
from kg import pipeline, release
from kg.progress import Steps
from kg.server.app import create_app
from tests.conftest import repo_settings


@pytest.fixture(scope="module")
def built_corpus(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("serve-bench")
    generate(root / "seeds", negotiations=2, seed=0)
    settings = repo_settings(root / "var", seeds_dir=root / "seeds")
    pipeline.build(settings, Steps(quiet=True))
    return settings


def test_every_query_of_the_mix_has_answers_and_the_endpoint_agrees(built_corpus: Any) -> None:
    settings = built_corpus
    nkg = str(settings.ns.nkg)
    store_path = release.current(settings).path / "store"
    values = parameters(store_path, nkg, seed=0)
    assert all(len(v) >= 2 for v in values.values()), {k: len(v) for k, v in values.items()}
    store = ox.Store.read_only(str(store_path))
    with TestClient(create_app(settings)) as client:
        for query in QUERIES:
            for text in variants(query, values, nkg, limit=2):
                response = client.get(
                    "/sparql", params={"query": text}, headers={"Accept": query.accept}
                )
                assert response.status_code == 200, (query.name, response.text)
                answered = count_results(response.content, query.accept)
                # rows of a SELECT, triples of a CONSTRUCT
                result = store.query(text, use_default_graph_as_union=True)
                assert isinstance(result, ox.QuerySolutions | ox.QueryTriples)
                direct = len(list(result))
                assert answered == direct > 0, (query.name, text)


def test_variants_differ_so_that_cold_requests_are_new() -> None:
    values = {"rounds": ["http://a/1", "http://a/2"]}
    texts = variants(QUERIES[0], values, "http://n/", limit=10)
    assert len(set(texts)) == 2
    assert "<http://a/1>" in texts[0]


def test_a_lua_string_keeps_quotes_and_backslashes() -> None:
    assert lua_string('a"b\\c') == '"a\\"b\\\\c"'


def _cell(throughput: float) -> dict[str, float]:
    return {"throughput": throughput}


def test_the_target_table_says_no_when_a_ratio_misses() -> None:
    keys = [f"{q.name}|{m}|1" for q in QUERIES for m in ("cold", "warm")]
    result: dict[str, Any] = {
        "concurrency": [1],
        "results": {
            "kg serve, cache off": {"cells": {k: _cell(90) for k in keys}},
            "kg serve": {"cells": {k: _cell(1000) for k in keys}},
            "Oxigraph server": {"cells": {k: _cell(100) for k in keys}},
            "rdflib-endpoint": {"cells": {k: _cell(10) for k in keys}},
        },
    }
    result["results"]["kg serve, cache off"]["cells"]["CONSTRUCT|cold|1"] = _cell(70)
    table = targets(result)
    rows = {line.split(" | ")[0].lstrip("| "): line for line in table.splitlines()}
    assert rows["cold, selective join and CONSTRUCT: ≥ 0.8× Oxigraph server"].endswith(
        "| 0.70× (CONSTRUCT, concurrency 1) | **no**: 1.14× short |"
    )
    assert rows["cold, point lookup: ≥ 0.5× Oxigraph server"].endswith(
        "| 0.90× (point lookup, concurrency 1) | yes |"
    )
    assert rows["cold, every query: ≥ 10× rdflib-endpoint"].endswith(
        "| 7.00× (CONSTRUCT, concurrency 1) | **no**: 1.43× short |"
    )
    for peer in ("Oxigraph server", "rdflib-endpoint"):
        assert rows[f"warm, every query: ahead of {peer} (throughput)"].endswith("yes |")


def test_an_unmeasured_target_is_said_so(tmp_path: Path) -> None:
    table = targets({"concurrency": [1], "results": {}})
    assert "not measured" in table


def test_a_server_that_answered_nothing_counts_one_request_per_its_time_alone() -> None:
    result: dict[str, Any] = {
        "concurrency": [1],
        "results": {
            "kg serve, cache off": {"cells": {"aggregate|cold|1": _cell(2)}},
            "rdflib-endpoint": {
                "cells": {"aggregate|cold|1": _cell(0)},
                "single_s": {"aggregate": 40.0},
            },
        },
    }
    assert "| 80.00× (aggregate, concurrency 1) | yes |" in targets(result)


def test_the_report_says_how_loaded_the_machine_was_for_each_server() -> None:
    cells = {"point lookup|cold|1": {"load": 3.25}, "aggregate|cold|1": {"load": 11.0}}
    assert _load({"cells": cells}) == "3.2–11.0"
    assert _load({"cells": {"aggregate|cold|1": _cell(2)}}) == "–"  # saved before loads
