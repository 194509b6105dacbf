"""Storage benchmarks (issue 17): a channel metadata update heard by many withMetadata
subscribers, a get, a set with no subscriber.

Run from a clone (about 2 s on 2 cores; ``--quick``: a tenth of the calls)::

    python3 benchmarks/storage_bench.py

It prints the medians and the budgets of docs/performance.md ("Storage"), writes
``benchmarks/storage_results.json`` and, with ``--docs``, refreshes the storage results
in ``docs/performance.md``; ``--render FILE`` rewrites them from a result file and
measures nothing.

Method: presence_bench.py's, as messaging_bench.py uses it (per-call medians of
``perf_counter_ns``, interleaved rounds, the best round; the population built with the
collector off, then frozen; the journal on).  Every listener counts, and the script
asserts the counts.
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
    calls_round,
    no_gc,
    phase,
    settle,
    uid,
)

from rtm_emulator import Emulator  # noqa: E402
from rtm_emulator.testing import drive  # noqa: E402

#: (budget label, workload, unit, limit): issue 17's budget (the fan-out) and ours
BUDGETS = (
    ("a channel metadata update heard by {n:,} subscribers", "metadata fan-out", "ms", 3),
    ("getChannelMetadata of {n} items", "get channel metadata", "µs", 50),
    ("setChannelMetadata with no subscriber", "set channel metadata", "µs", 50),
)
RESULTS = HERE / "storage_results.json"


def metadata_fan_out(res: Results, subscribers: int, reps: int) -> None:
    """One ``setChannelMetadata`` heard by N withMetadata subscribers (R-ST15, D-ST8).

    The N clients subscribe to ``hall`` with ``withMetadata`` and without presence, so a
    write produces only their N ``storage`` events (the writer is not subscribed).
    Timed: one set of one item to a new value (a change: a new revision, D-ST2), its N
    deliveries of the whole state included.
    """
    phase(f"a metadata update heard by {subscribers:,} subscribers")
    emu = Emulator(journal=True)
    counter = Counter()
    with no_gc():
        for i in range(subscribers):
            client = emu.client(uid(i))
            client.add_event_listener("storage", counter)
            drive(client.login())
            drive(client.subscribe("hall", {"withMetadata": True, "withPresence": False}))
        writer = emu.client("writer")
        drive(writer.login())
    settle()
    snapshots = counter.heard
    assert snapshots == subscribers, snapshots
    calls = [0]

    def write() -> None:
        calls[0] += 1
        items = [{"key": "topic", "value": f"v{calls[0]}"}]
        drive(writer.storage.set_channel_metadata("hall", "MESSAGE", items))

    rounds = Rounds()
    rounds.add(
        (("metadata fan-out", "emulator", "ms"),),
        lambda: (calls_round(write, reps // ROUNDS) / 1000,),
    )
    rounds.run(res, subscribers)
    assert counter.heard - snapshots == calls[0] * subscribers, (counter.heard, calls[0])


def get_metadata(res: Results, items: int, reps: int) -> None:
    """``getChannelMetadata`` of a channel holding N items (R-ST10).  Timed: one get."""
    phase(f"getChannelMetadata of {items} items")
    emu = Emulator(journal=True)
    reader = emu.client("reader")
    drive(reader.login())
    data = [{"key": f"k{i}", "value": f"value {i}"} for i in range(items)]
    drive(reader.storage.set_channel_metadata("hall", "MESSAGE", data))
    settle()
    got = [0]

    def get() -> None:
        got[0] += drive(reader.storage.get_channel_metadata("hall", "MESSAGE")).total_count

    rounds = Rounds()
    rounds.add(
        (("get channel metadata", "emulator", "µs"),), lambda: (calls_round(get, reps // ROUNDS),)
    )
    rounds.run(res, items)
    assert got[0] % items == 0 and got[0] > 0, got[0]


def set_metadata(res: Results, users: int, reps: int) -> None:
    """``setChannelMetadata`` of one item, nobody subscribed (``users`` clients online).

    Timed: one set (the SDK's checks, the server's write, no event).
    """
    phase(f"setChannelMetadata with no subscriber, {users:,} users online")
    emu = Emulator(journal=True)
    counter = Counter()
    with no_gc():
        for i in range(users):
            client = emu.client(uid(i))
            client.add_event_listener("storage", counter)
            drive(client.login())
        writer = emu.client("writer")
        drive(writer.login())
    settle()
    calls = [0]

    def write() -> None:
        calls[0] += 1
        items = [{"key": "topic", "value": f"v{calls[0]}"}]
        drive(writer.storage.set_channel_metadata("hall", "MESSAGE", items))

    rounds = Rounds()
    rounds.add(
        (("set channel metadata", "emulator", "µs"),), lambda: (calls_round(write, reps // ROUNDS),)
    )
    rounds.run(res, users)
    assert counter.heard == 0, counter.heard
    assert drive(writer.storage.get_channel_metadata("hall", "MESSAGE")).major_revision == calls[0]


#: this benchmark's budgets, result file and docs/performance.md block
REPORT = BudgetReport("storage", BUDGETS, RESULTS)
check_targets = REPORT.check_targets
results_block = REPORT.results_block


def workloads(res: Results, scale: int) -> list[Callable[[], None]]:
    """The measured workloads, ``scale`` times fewer calls."""
    return [
        lambda: metadata_fan_out(res, 1_000, reps=300 // scale),
        lambda: get_metadata(res, 32, reps=30_000 // scale),
        lambda: set_metadata(res, 1_000, reps=30_000 // scale),
    ]


def main(argv: list[str] | None = None) -> int:
    return REPORT.main(argv, __doc__.split("\n\n")[0], workloads)


if __name__ == "__main__":
    raise SystemExit(main())
