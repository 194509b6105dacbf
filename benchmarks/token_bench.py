"""Token benchmarks (issue 17): the access point's token check (R-TK20..R-TK22) of a
token not seen before and of a cached one (R-TK27), and a ``renewToken`` under an app
certificate.

Run from a clone (a few seconds on 2 cores; ``--quick``: a tenth of the calls)::

    python3 benchmarks/token_bench.py

It prints the medians and the budgets of docs/performance.md ("Tokens"), writes
``benchmarks/token_results.json`` and, with ``--docs``, refreshes the token results in
``docs/performance.md``; ``--render FILE`` rewrites them from a result file and
measures nothing.

Method: presence_bench.py's, as storage_bench.py uses it (per-call medians of
``perf_counter_ns``, interleaved rounds, the best round).  The tokens are AccessToken2
(``007``) tokens built beforehand with Agora's official Python builder (``agoraiotools``,
a test dependency) at the emulator's start time, each with its own salt; the script
asserts every check's verdict.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from agoraiotools.AccessToken2 import AccessToken, ServiceRtm  # noqa: E402
from budgets import BudgetReport  # noqa: E402
from presence_bench import ROUNDS, Results, Rounds, calls_round, phase, settle  # noqa: E402

from rtm_emulator import Emulator, EmulatorConfig  # noqa: E402
from rtm_emulator._token_verify import AP_OK, login_verdict  # noqa: E402
from rtm_emulator.testing import drive  # noqa: E402

#: (budget label, workload, unit, limit): ours (issue 17 gives tokens none)
BUDGETS = (
    ("a token check of a token not seen before", "token check, uncached", "µs", 50),
    ("a token check of a cached token", "token check, cached", "µs", 50),
)
RESULTS = HERE / "token_results.json"

#: the builders need 32 hex characters for both
APP_ID = "0123456789abcdef0123456789abcdef"
CERT = "fedcba9876543210fedcba9876543210"
START_S = 1_700_000_000


def rtm_token(user_id: str, salt: int, expire: int = 86_400) -> str:
    """An RTM login token of ``user_id`` issued at the emulator's start (R-TK21)."""
    token = AccessToken(APP_ID, CERT, issue_ts=START_S, expire=expire)
    token._AccessToken__salt = salt  # the builder's own salt is random: distinct, reproducible
    service = ServiceRtm(user_id)
    service.add_privilege(ServiceRtm.kPrivilegeLogin, expire)
    token.add_service(service)
    built: str = token.build()
    assert built.startswith("007"), built
    return built


def distinct_tokens(user_id: str, count: int) -> list[str]:
    """``count`` different tokens of one user (salts 1..count)."""
    tokens = [rtm_token(user_id, salt) for salt in range(1, count + 1)]
    assert len(set(tokens)) == count
    return tokens


def token_check(res: Results, count: int, reps: int) -> None:
    """The access point's check (``login_verdict`` and the clock comparison, R-TK22,
    R-TK23) of ``reps`` tokens never seen before, then of one cached token ``reps``
    times (R-TK27).  ``count`` is how many distinct tokens there are (one per call)."""
    phase(f"token checks of {count:,} distinct tokens, then of a cached one")
    tokens = distinct_tokens("alice", max(count, reps))
    now_ms = START_S * 1000
    fresh = iter(tokens * (ROUNDS + 1))
    verdicts = {"uncached": 0, "cached": 0}
    cached = tokens[0]
    login_verdict(cached, APP_ID, CERT, "alice")

    def uncached() -> None:
        token = next(fresh)
        verdicts["uncached"] += login_verdict(token, APP_ID, CERT, "alice").at(now_ms) == AP_OK

    def hit() -> None:
        verdicts["cached"] += login_verdict(cached, APP_ID, CERT, "alice").at(now_ms) == AP_OK

    # the uncached round draws fresh tokens, but the cache keeps up to 4,096 verdicts:
    # with more tokens than that, a token comes round again only after the cache was
    # cleared, so every timed call of the uncached workload parses and verifies
    rounds = Rounds()
    rounds.add(
        (("token check, uncached", "emulator", "µs"),),
        lambda: (calls_round(uncached, reps // ROUNDS),),
    )
    rounds.run(res, count)
    rounds = Rounds()
    rounds.add(
        (("token check, cached", "emulator", "µs"),), lambda: (calls_round(hit, reps // ROUNDS),)
    )
    rounds.run(res, 1)
    assert verdicts["uncached"] > 0 and verdicts["cached"] > 0, verdicts
    calls = sum(verdicts.values())
    assert calls == 2 * ROUNDS * (reps // ROUNDS), verdicts  # every check took its token


def renew_token(res: Results, count: int, reps: int) -> None:
    """``renewToken`` with a token not seen before, the app having a certificate
    (R-TK2, R-TK26: the SDK's checks, the access point's, the timers moved).  Timed: one
    renew."""
    phase("renewToken with a new token, under an app certificate")
    emu = Emulator(
        EmulatorConfig(start_time_ms=START_S * 1000, app_certificates={APP_ID: CERT}),
        journal=True,
    )
    tokens = distinct_tokens("bob", count + 1)
    bob = emu.client("bob", app_id=APP_ID)
    drive(bob.login(token=tokens[-1]))
    fresh = iter(tokens[:-1] * (ROUNDS + 1))
    renewed = [0]

    def renew() -> None:
        renewed[0] += drive(bob.renew_token(next(fresh))).timestamp == 0

    rounds = Rounds()
    rounds.add(
        (("renewToken, new token", "emulator", "µs"),),
        lambda: (calls_round(renew, reps // ROUNDS),),
    )
    rounds.run(res, count)
    assert renewed[0] == ROUNDS * (reps // ROUNDS), renewed
    assert bob.link_state.value == "CONNECTED"  # a day's tokens: none lapsed


#: this benchmark's budgets, result file and docs/performance.md block
REPORT = BudgetReport("token", BUDGETS, RESULTS)
check_targets = REPORT.check_targets
results_block = REPORT.results_block


def workloads(res: Results, scale: int) -> list[Callable[[], None]]:
    """The measured workloads, ``scale`` times fewer calls."""
    return [
        lambda: token_check(res, 9_000 // scale, reps=9_000 // scale),
        lambda: renew_token(res, 3_000 // scale, reps=3_000 // scale),
    ]


def main(argv: list[str] | None = None) -> int:
    settle()
    return REPORT.main(argv, __doc__.split("\n\n")[0], workloads)


if __name__ == "__main__":
    raise SystemExit(main())
