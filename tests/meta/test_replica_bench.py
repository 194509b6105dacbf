"""benchmarks/replica_bench.py measures what it says.

No time is asserted (performance is measured by ``benchmarks/``, never by the test
suite).  These tests pin that each workload makes the doc batches it times (the script
asserts their number, which would fail for a call that changed nothing) and that a
benchmark without budgets renders its workloads alone; what every family benchmark
shares (its docs block, its commands, ``--render``) is in tests/meta/test_family_benches.py.
"""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.meta.test_benchmarks import _load


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _load("replica_bench")


def _rows(res: object) -> list[tuple[str, int, str]]:
    return [(r["workload"], r["size"], r["unit"]) for r in res.rows]  # type: ignore[attr-defined]


def test_the_state_change_reaches_every_replica(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    """D-RS3: each timed ``sdk.set`` (a new value each call) gives each open replica its
    batches; the row is at the number of replicas."""
    res = bench.Results()
    bench.state_fanout(res, 4, reps=6)
    assert [("replica state change", 4, "µs")] == _rows(res)
    capsys.readouterr()


def test_put_and_delete_reach_the_other_replicas(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    res = bench.Results()
    bench.appear_and_go(res, 4, reps=6)
    assert [("replica put + delete", 4, "µs")] == _rows(res)
    capsys.readouterr()


def test_the_query_pages_a_hundred_of_the_channel(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    """D-RS5: each timed page has 100 entries and the channel's count."""
    res = bench.Results()
    bench.query_page(res, 250, reps=6)
    assert [("replica query page", 250, "µs")] == _rows(res)
    capsys.readouterr()


def test_no_budgets_render_the_workloads_alone(bench: ModuleType) -> None:
    """Issue 18 names no budget: the block has no budget table, only the workloads."""
    assert () == bench.BUDGETS
    res = bench.Results()
    res.add("replica state change", 100, "emulator", 300.0)
    meta = {"date": "d", "machine": "m", "python": "p", "seconds": 1.0}
    block = bench.results_block(res, bench.check_targets(res), meta)
    assert "| budget |" not in block
    assert "| replica state change | 100 | 300.000 µs |" in block
