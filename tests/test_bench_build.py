"""bench/build_bench.py's target table: each target beside what was measured, as a
ratio, and by how much a missed one is missed. (Its figures live in
docs/benchmarks.md, never in tests.)"""

from __future__ import annotations

from typing import Any

from bench.build_bench import targets


def _run(seconds: float, mib: float, exit_code: int = 0) -> dict[str, Any]:
    return {"seconds": seconds, "peak_mb": mib, "exit_code": exit_code}


def _rows(result: dict[str, Any]) -> dict[str, str]:
    table = targets(result)
    return {line.split(" (")[0].lstrip("| "): line for line in table.splitlines()[2:]}


def test_the_target_table_says_by_how_much_a_target_is_missed() -> None:
    result = {
        "columns": [
            {"label": "seed", "full": _run(1.5, 90), "changed": _run(3.3, 80)},
            {"label": "~10k triples", "full": _run(2, 100)},
            {
                "label": "~1M triples",
                "full": _run(45, 2500),
                "changed": _run(12, 700),
                "added": _run(8, 1000),
            },
        ]
    }
    rows = _rows(result)
    assert rows["one changed article, ~1M triples"].endswith(
        "| 1.20× (**missed by 20%**) | 0.73× (met) |"
    )
    assert rows["one added article, ~1M triples"].endswith(
        "| 0.80× (met) | 1.05× (**missed by 5%**) |"  # 1,000 MiB over 10**9 bytes
    )
    assert rows["`kg build --full`, ~1M triples"].endswith(
        "| 0.75× (met) | 1.31× (**missed by 31%**) |"
    )
    assert rows["the seed, `kg build --full`"].endswith("| 0.50× (met) | – |")
    assert rows["the seed, one article changed"].endswith("| 1.10× (**missed by 10%**) | – |")


def test_a_failed_build_is_shown_as_its_exit_code() -> None:
    result = {"columns": [{"label": "seed", "full": _run(0.5, 50, exit_code=5)}]}
    assert _rows(result)["the seed, `kg build --full`"] == (
        "| the seed, `kg build --full` (< 3 s) | exit 5 | – | – |"
    )
