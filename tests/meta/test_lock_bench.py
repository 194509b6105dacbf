"""benchmarks/lock_bench.py measures what it says and flags a missed budget.

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
    return _load("lock_bench")


@pytest.mark.parametrize(
    ("subscribers", "workloads"),
    [
        (0, ["acquireLock", "releaseLock"]),
        (5, ["acquireLock heard by subscribers", "releaseLock heard by subscribers"]),
    ],
)
def test_each_workload_delivers_what_it_times(
    bench: ModuleType, subscribers: int, workloads: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """D-LK4, D-LK5, D-LK10: every timed acquire and release reaches all the withLock
    subscribers (the workload asserts the counts) and each call yields one row."""
    res = bench.Results()
    bench.acquire_release(res, subscribers, reps=6)
    assert [(w, subscribers, "emulator", "µs") for w in workloads] == [
        (r["workload"], r["size"], r["target"], r["unit"]) for r in res.rows
    ]
    assert all(r["value"] > 0 for r in res.rows)
    capsys.readouterr()


def _results(bench: ModuleType, acquire: float, release: float) -> object:
    res = bench.Results()
    res.add("acquireLock", 0, "emulator", acquire)
    res.add("releaseLock", 0, "emulator", release)
    res.add("acquireLock heard by subscribers", 100, "emulator", 500.0)
    return res


def test_budgets_report_a_miss(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 17's budgets (20 µs, 20 µs), met at the limit, missed past it; the workload
    with subscribers has none."""
    met = bench.check_targets(_results(bench, 20, 20))
    assert [
        ("acquireLock of a lock nobody watches", True),
        ("releaseLock of a lock nobody watches", True),
    ] == [(t["target"], t["met"]) for t in met]
    missed = bench.check_targets(_results(bench, 20.5, 21))
    assert not any(t["met"] for t in missed)
    assert [20.5, 21] == [t["measured"] for t in missed]
    meta = {"date": "d", "machine": "m", "python": "p", "seconds": 1.0}
    res = _results(bench, 20.5, 10)
    block = bench.results_block(res, bench.check_targets(res), meta)
    assert (
        "| acquireLock of a lock nobody watches | n/a (new) | 20.5 µs | ≤ 20 µs | **no** |" in block
    )
    capsys.readouterr()
