"""Replica benchmarks (issue 18, real-SDK mode): the server's side of a real SDK's
document store (``rtm_emulator/_replicas.py``, D-RS3..D-RS5): a state change fanned out
to the open replicas of a channel, a user's document appearing and going, and a page of
the SDK's ``QueryDoc``.

Run from a clone (a few seconds on 2 cores; ``--quick``: a tenth of the calls)::

    python3 benchmarks/replica_bench.py

It prints the medians, writes ``benchmarks/replica_results.json`` and, with ``--docs``,
refreshes the replica results in ``docs/performance.md``; ``--render FILE`` rewrites them
from a result file and measures nothing.  Issue 18 names no budget: the numbers are
measured and shown, not judged.

Method: presence_bench.py's, as token_bench.py uses it (per-call medians of
``perf_counter_ns``, interleaved rounds, the best round).  The clients are engine clients
of one in-process emulator, driven as the server drives a real SDK's session (its
``Replicas`` calls); the doc batches each call makes are counted on the bus and the script
asserts their number.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from budgets import BudgetReport  # noqa: E402
from presence_bench import ROUNDS, Results, Rounds, calls_round, phase, settle, uid  # noqa: E402

from rtm_emulator import Emulator, EmulatorConfig  # noqa: E402
from rtm_emulator._events import DocEvent  # noqa: E402
from rtm_emulator.testing import drive  # noqa: E402

#: issue 18 gives the replicas no budget
BUDGETS: tuple[tuple[str, str, str, float], ...] = ()
RESULTS = HERE / "replica_results.json"
CHANNEL = "room"


class _Channel:
    """``watchers`` real-SDK-style clients with ``CHANNEL``'s replica open, one writer
    with its document there, and a count of the doc batches the bus carries."""

    def __init__(self, watchers: int) -> None:
        self.emu = Emulator(EmulatorConfig(), journal=False)
        self.replicas = self.emu._engine.replicas
        self.batches = 0
        self.emu._engine._bus.observers.append(self._count)
        self.cores = []
        for i in range(watchers + 1):
            client = self.emu.client(uid(i))
            drive(client.login())
            self.cores.append(client._core)
        self.writer = self.cores[0]
        for core in self.cores[1:]:
            self.replicas.open(core, CHANNEL)
        self.replicas.put(self.writer, CHANNEL)

    def _count(self, _core: object, event: object) -> None:
        if isinstance(event, DocEvent):
            self.batches += 1


def state_fanout(res: Results, watchers: int, reps: int) -> None:
    """One ``sdk.set`` of the writer's state (a new value each call) with ``watchers``
    replicas open: each replica gets its field batch and a ``DocSyncEnd`` (D-RS3)."""
    phase(f"a state change fanned out to {watchers:,} replicas")
    ch = _Channel(watchers)
    n = [0]

    def change() -> None:
        n[0] += 1
        ch.replicas.set_fields(ch.writer, CHANNEL, {"mood": str(n[0])})

    before = ch.batches
    rounds = Rounds()
    rounds.add(
        (("replica state change", "emulator", "µs"),),
        lambda: (calls_round(change, reps // ROUNDS),),
    )
    rounds.run(res, watchers)
    assert ch.batches - before >= n[0] * watchers, (ch.batches - before, n[0], watchers)


def appear_and_go(res: Results, watchers: int, reps: int) -> None:
    """A user's document appearing (``sdk.put``) and going (``sdk.delete``) with
    ``watchers`` replicas open: a ``Put`` then a ``Delete`` to each (D-RS3, D-RS4)."""
    phase(f"a document put and deleted, {watchers:,} replicas open")
    ch = _Channel(watchers)
    mover = ch.cores[-1]
    n = [0]

    def put_delete() -> None:
        n[0] += 1
        ch.replicas.put(mover, CHANNEL)
        ch.replicas.delete(mover, CHANNEL)

    before = ch.batches
    rounds = Rounds()
    rounds.add(
        (("replica put + delete", "emulator", "µs"),),
        lambda: (calls_round(put_delete, reps // ROUNDS),),
    )
    rounds.run(res, watchers)
    assert ch.batches - before >= 2 * n[0] * (watchers - 1), (ch.batches - before, n[0])


def query_page(res: Results, users: int, reps: int) -> None:
    """The SDK's ``QueryDoc`` of a page of 100 documents from the middle of a channel of
    ``users`` documents (D-RS5: whoNow's paging)."""
    phase(f"a QueryDoc page of 100 from {users:,} documents")
    ch = _Channel(1)
    for core in ch.cores:
        ch.replicas.put(core, CHANNEL)
    more = []
    for i in range(2, users):
        client = ch.emu.client(uid(i))
        drive(client.login())
        ch.replicas.put(client._core, CHANNEL)
        more.append(client)
    start = uid(users // 2)
    pages = [0]

    def page() -> None:
        got = ch.replicas.query(ch.writer, CHANNEL, {"start": start, "limit": 100})
        pages[0] += len(got["entries"]) == 100 and got["count"] == users

    rounds = Rounds()
    rounds.add(
        (("replica query page", "emulator", "µs"),),
        lambda: (calls_round(page, reps // ROUNDS),),
    )
    rounds.run(res, users)
    assert pages[0] == ROUNDS * (reps // ROUNDS), pages


#: this benchmark's budgets, result file and docs/performance.md block
REPORT = BudgetReport("replica", BUDGETS, RESULTS)
check_targets = REPORT.check_targets
results_block = REPORT.results_block


def workloads(res: Results, scale: int) -> list[Callable[[], None]]:
    """The measured workloads, ``scale`` times fewer calls."""
    return [
        lambda: state_fanout(res, 100, reps=3_000 // scale),
        lambda: appear_and_go(res, 100, reps=3_000 // scale),
        lambda: query_page(res, 1_000, reps=3_000 // scale),
    ]


def main(argv: list[str] | None = None) -> int:
    settle()
    return REPORT.main(argv, __doc__.split("\n\n")[0], workloads)


if __name__ == "__main__":
    raise SystemExit(main())
