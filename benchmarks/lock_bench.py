"""Lock benchmarks (issue 17): an ``acquireLock`` and a ``releaseLock`` of a lock nobody
watches, and the same pair heard by 100 ``withLock`` subscribers.

Run from a clone (a few seconds on 2 cores; ``--quick``: a tenth of the calls)::

    python3 benchmarks/lock_bench.py

It prints the medians and the budgets of docs/performance.md ("Locks"), writes
``benchmarks/lock_results.json`` and, with ``--docs``, refreshes the lock results in
``docs/performance.md``; ``--render FILE`` rewrites them from a result file and
measures nothing.

Method: presence_bench.py's, as storage_bench.py uses it (per-call medians of
``perf_counter_ns``, interleaved rounds, the best round; the population built with the
collector off, then frozen; the journal on).  Each timed pair is one acquire and one
release, each timed on its own; every listener counts, and the script asserts the
counts.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from budgets import BudgetReport, Counter  # noqa: E402
from presence_bench import (  # noqa: E402
    ROUNDS,
    Results,
    Rounds,
    median_us,
    no_gc,
    ns,
    phase,
    settle,
    uid,
)

from rtm_emulator import Emulator  # noqa: E402
from rtm_emulator.testing import drive  # noqa: E402

#: (budget label, workload, unit, limit): issue 17's budgets
BUDGETS = (
    ("acquireLock of a lock nobody watches", "acquireLock", "µs", 20),
    ("releaseLock of a lock nobody watches", "releaseLock", "µs", 20),
)
RESULTS = HERE / "lock_results.json"


def acquire_release(res: Results, subscribers: int, reps: int) -> None:
    """One ``acquireLock`` then one ``releaseLock`` of a free lock (D-LK4, D-LK5), each
    timed on its own; ``subscribers`` clients subscribed to ``hall`` ``withLock`` and
    without presence hear each ``ACQUIRED`` and ``RELEASED`` inside the timed call
    (D-LK10).  With none, the workloads are ``acquireLock`` / ``releaseLock`` (the
    budgets); with some, ``... heard by subscribers`` (no budget)."""
    watched = " heard by subscribers" if subscribers else ""
    phase(f"acquireLock + releaseLock, {subscribers:,} withLock subscribers")
    emu = Emulator(journal=True)
    counter = Counter()
    with no_gc():
        for i in range(subscribers):
            client = emu.client(uid(i))
            client.add_event_listener("lock", counter)
            drive(client.login())
            drive(client.subscribe("hall", {"withLock": True, "withPresence": False}))
        holder = emu.client("holder")
        holder.add_event_listener("lock", counter)
        drive(holder.login())
        drive(holder.lock.set_lock("hall", "MESSAGE", "L"))
    settle()
    before = counter.heard
    assert before == 2 * subscribers, before  # a SNAPSHOT and the SET each
    pairs = [0]

    def round_() -> tuple[float, float]:
        acquires: list[int] = []
        releases: list[int] = []
        for _ in range(reps // ROUNDS):
            t0 = ns()
            drive(holder.lock.acquire_lock("hall", "MESSAGE", "L"))
            t1 = ns()
            drive(holder.lock.release_lock("hall", "MESSAGE", "L"))
            t2 = ns()
            acquires.append(t1 - t0)
            releases.append(t2 - t1)
            pairs[0] += 1
        return median_us(acquires), median_us(releases)

    rounds = Rounds()
    rounds.add(
        (
            (f"acquireLock{watched}", "emulator", "µs"),
            (f"releaseLock{watched}", "emulator", "µs"),
        ),
        round_,
    )
    rounds.run(res, subscribers)
    assert counter.heard - before == 2 * pairs[0] * subscribers, (counter.heard, pairs[0])
    got = drive(holder.lock.get_lock("hall", "MESSAGE"))
    assert [("L", "")] == [(d.lock_name, d.owner) for d in got.lock_details]


#: this benchmark's budgets, result file and docs/performance.md block
REPORT = BudgetReport("lock", BUDGETS, RESULTS)
check_targets = REPORT.check_targets
results_block = REPORT.results_block


def workloads(res: Results, scale: int) -> list[Callable[[], None]]:
    """The measured workloads, ``scale`` times fewer calls."""
    return [
        lambda: acquire_release(res, 0, reps=30_000 // scale),
        lambda: acquire_release(res, 100, reps=3_000 // scale),
    ]


def main(argv: list[str] | None = None) -> int:
    return REPORT.main(argv, __doc__.split("\n\n")[0], workloads)


if __name__ == "__main__":
    raise SystemExit(main())
