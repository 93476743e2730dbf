"""bench/hostile.py keeps working: one small round of every case against a real
`kg serve` over the fixture corpus, and the two failing builds. Its figures live in
docs/benchmarks.md; no timing is asserted here."""

from __future__ import annotations

import pytest

from bench import hostile
from tests.conftest import CORPUS


@pytest.mark.server
@pytest.mark.slow
def test_one_small_round_of_every_case(capsys: pytest.CaptureFixture[str]) -> None:
    code = hostile.main(
        [
            "--seeds",
            str(CORPUS),
            "--rounds",
            "1",
            "--clients",
            "2",
            "--seconds",
            "0.5",
            "--rows",
            "300",
            "--bytes",
            "250000",
            "--client-timeout",
            "1",
        ]
    )
    table = capsys.readouterr().out
    assert code == 0, table
    rows = {line.split(" | ")[0].strip("| "): line for line in table.splitlines()}
    assert rows["500s"].endswith("| 0 |")
    assert rows["query workers died / replaced (log)"].endswith("| 0 |")
    assert rows["unexpected errors or tracebacks (log)"].endswith("| 0 |")
    for name in hostile.deep_queries():
        assert rows[f"nested: {name}"].endswith("| 400: 1 |"), rows[f"nested: {name}"]
    assert rows["IRI with a bad character"].endswith(
        f"| 404: {len(hostile.FAMILIES) * len(hostile.NOT_IRI_TAILS)} |"
    )
    assert rows["Content-Length: 10^12"].endswith("| 413: 1 |")
    assert rows["body never ends"].endswith("| 408: 1 |")
    for name in hostile.SELECT_FORMATS:
        assert "| 200 | rows=300 |" in rows[f"SELECT, rows ({name})"]
        assert "| 200 | bytes=250000 |" in rows[f"SELECT, bytes ({name})"]
    for name in hostile.GRAPH_FORMATS:
        assert "| 200 |" in rows[f"CONSTRUCT ({name})"]
    for case in ("disk full (RLIMIT_FSIZE 64 KiB)", "a 17 MB document (one line over 16 MiB)"):
        assert rows[case].endswith("| 6 | 1 | no | yes | yes |"), rows[case]
