"""benchmarks/storage_bench.py measures what it says and flags a missed budget.

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
    return _load("storage_bench")


@pytest.mark.parametrize(
    ("workload", "size", "unit"),
    [
        ("metadata_fan_out", 25, "ms"),
        ("get_metadata", 8, "µs"),
        ("set_metadata", 25, "µs"),
    ],
)
def test_each_workload_delivers_what_it_times(
    bench: ModuleType, workload: str, size: int, unit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """R-ST15, R-ST10, D-ST8: every timed write reaches all its subscribers, every get
    answers its items (the workload asserts the counts) and each yields one row."""
    res = bench.Results()
    getattr(bench, workload)(res, size, reps=6)
    assert [(size, "emulator", unit)] == [(r["size"], r["target"], r["unit"]) for r in res.rows]
    assert res.rows[0]["value"] > 0
    capsys.readouterr()


def _results(bench: ModuleType, fan_out: float, get: float, put: float) -> object:
    res = bench.Results()
    res.add("metadata fan-out", 1_000, "emulator", fan_out, "ms")
    res.add("get channel metadata", 32, "emulator", get)
    res.add("set channel metadata", 1_000, "emulator", put)
    return res


def test_budgets_report_a_miss(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 17's budget (3 ms) and ours (50 µs, 50 µs), met at the limit, missed past it."""
    met = bench.check_targets(_results(bench, 3, 50, 50))
    assert [
        ("a channel metadata update heard by 1,000 subscribers", True),
        ("getChannelMetadata of 32 items", True),
        ("setChannelMetadata with no subscriber", True),
    ] == [(t["target"], t["met"]) for t in met]
    missed = bench.check_targets(_results(bench, 3.01, 50.5, 51))
    assert not any(t["met"] for t in missed)
    assert [3.01, 50.5, 51] == [t["measured"] for t in missed]
    meta = {"date": "d", "machine": "m", "python": "p", "seconds": 1.0}
    res = _results(bench, 3.01, 10, 10)
    block = bench.results_block(res, bench.check_targets(res), meta)
    row = (
        "| a channel metadata update heard by 1,000 subscribers | n/a (new) | 3.01 ms "
        "| ≤ 3 ms | **no** |"
    )
    assert row in block
    capsys.readouterr()
