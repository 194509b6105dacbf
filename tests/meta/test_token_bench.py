"""benchmarks/token_bench.py measures what it says and flags a missed budget.

No time is asserted (performance is measured by ``benchmarks/``, never by the test
suite).  These tests pin that each workload checks what it times (the script asserts
every verdict) and that the report flags a missed budget; what every family benchmark
shares (its docs block, its commands, ``--render``) is in
tests/meta/test_family_benches.py.
"""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.meta.test_benchmarks import _load


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _load("token_bench")


def test_the_token_check_workload_yields_an_uncached_and_a_cached_row(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    """R-TK22, R-TK27: every timed check takes its token (the workload asserts it), the
    uncached row at the number of distinct tokens, the cached one at size 1."""
    res = bench.Results()
    bench.token_check(res, 6, reps=6)
    assert [
        ("token check, uncached", 6, "µs"),
        ("token check, cached", 1, "µs"),
    ] == [(r["workload"], r["size"], r["unit"]) for r in res.rows]
    assert all(r["value"] > 0 for r in res.rows)
    capsys.readouterr()


def test_the_renew_workload_renews_with_new_tokens(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    """R-TK26: each timed renew takes a token not seen before and resolves."""
    res = bench.Results()
    bench.renew_token(res, 6, reps=6)
    assert [("renewToken, new token", 6, "µs")] == [
        (r["workload"], r["size"], r["unit"]) for r in res.rows
    ]
    capsys.readouterr()


def test_the_tokens_verify_with_the_emulator() -> None:
    """The benchmark's tokens (the official builder, a set salt) are valid AccessToken2
    login tokens for its app and certificate, and distinct."""
    from rtm_emulator._token_verify import AP_OK, login_verdict

    bench = _load("token_bench")
    tokens = bench.distinct_tokens("carol", 3)
    assert tokens == bench.distinct_tokens("carol", 3)  # reproducible
    now_ms = bench.START_S * 1000
    assert [AP_OK] * 3 == [
        login_verdict(t, bench.APP_ID, bench.CERT, "carol").at(now_ms) for t in tokens
    ]


def _results(bench: ModuleType, uncached: float, cached: float) -> object:
    res = bench.Results()
    res.add("token check, uncached", 9_000, "emulator", uncached)
    res.add("token check, cached", 1, "emulator", cached)
    res.add("renewToken, new token", 3_000, "emulator", 500.0)  # no budget
    return res


def test_budgets_report_a_miss(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    """Our budgets (50 µs uncached, 50 µs cached), met at the limit, missed past it; the
    renew has none."""
    met = bench.check_targets(_results(bench, 50, 50))
    assert [
        ("a token check of a token not seen before", True),
        ("a token check of a cached token", True),
    ] == [(t["target"], t["met"]) for t in met]
    missed = bench.check_targets(_results(bench, 50.5, 51))
    assert not any(t["met"] for t in missed)
    assert [50.5, 51] == [t["measured"] for t in missed]
    meta = {"date": "d", "machine": "m", "python": "p", "seconds": 1.0}
    res = _results(bench, 60, 1)
    block = bench.results_block(res, bench.check_targets(res), meta)
    row = "| a token check of a token not seen before | n/a (new) | 60.0 µs | ≤ 50 µs | **no** |"
    assert row in block
    capsys.readouterr()
