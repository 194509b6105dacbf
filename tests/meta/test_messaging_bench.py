"""benchmarks/messaging_bench.py measures what it says and flags a missed budget.

No time is asserted (performance is measured by ``benchmarks/``, never by the test
suite).  These tests pin that each workload delivers what it times (the script asserts
its listeners' counts) and that the report flags a missed budget; what every family
benchmark shares (its docs block, its commands, ``--render``) is in
tests/meta/test_family_benches.py.
"""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.meta.test_benchmarks import _load


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _load("messaging_bench")


@pytest.mark.parametrize(
    ("workload", "size", "unit"),
    [
        ("publish_fan_out", 25, "ms"),
        ("publish_user", 25, "µs"),
        ("topic_fan_out", 12, "ms"),
    ],
)
def test_each_workload_delivers_what_it_times(
    bench: ModuleType, workload: str, size: int, unit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """R-M9, R-M4, R-M19: every timed publish reaches all its receivers (the workload
    asserts its listeners' count) and yields one row."""
    res = bench.Results()
    getattr(bench, workload)(res, size, reps=6)
    assert [(size, "emulator", unit)] == [(r["size"], r["target"], r["unit"]) for r in res.rows]
    assert res.rows[0]["value"] > 0
    capsys.readouterr()


def _results(bench: ModuleType, fan_out: float, user: float, topic: float) -> object:
    res = bench.Results()
    res.add("publish fan-out", 1_000, "emulator", fan_out, "ms")
    res.add("publish USER", 1_000, "emulator", user)
    res.add("topic message fan-out", 64, "emulator", topic, "ms")
    return res


def test_budgets_report_a_miss(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16's budgets: 3 ms, 15 µs, 0.3 ms, each met at its limit and missed past it."""
    met = bench.check_targets(_results(bench, 3, 15, 0.3))
    assert [
        ("one publish heard by 1,000 subscribers", True),
        ("publish to a USER channel (1,000 users online)", True),
        ("a topic message heard by 64 subscribers", True),
    ] == [(t["target"], t["met"]) for t in met]
    missed = bench.check_targets(_results(bench, 3.01, 15.5, 0.31))
    assert not any(t["met"] for t in missed)
    assert [3.01, 15.5, 0.31] == [t["measured"] for t in missed]
    meta = {"date": "d", "machine": "m", "python": "p", "seconds": 1.0}
    res = _results(bench, 3.01, 10, 0.1)
    block = bench.results_block(res, bench.check_targets(res), meta)
    row = "| one publish heard by 1,000 subscribers | n/a (new) | 3.01 ms | ≤ 3 ms | **no** |"
    assert row in block
    capsys.readouterr()
