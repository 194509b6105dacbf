"""Messaging benchmarks (issue 16): one publish heard by many, a user message, a topic
message heard by a topic's subscribers.

Run from a clone (about 3 s on 2 cores; ``--quick``: under a second)::

    python3 benchmarks/messaging_bench.py

It prints the medians and the budgets of docs/performance.md ("Messaging"), writes
``benchmarks/messaging_results.json`` and, with ``--docs``, refreshes the messaging
results in ``docs/performance.md``; ``--render FILE`` rewrites them from a result file
and measures nothing.

Method: presence_bench.py's (its ``Rounds``, ``Results`` and timing helpers are used
here as they are).  Every timed call goes through the public async client, driven
without an event loop by ``rtm_emulator.testing.drive``, and is timed on its own with
``perf_counter_ns``; the median of a round counts, every workload runs once per round
in ``ROUNDS`` interleaved rounds, and the best round is reported.  The population is
built with the collector off, then collected once and ``gc.freeze()``-d.  The journal is
on, as in presence_bench.py's event workloads: each delivered message is journalled.
Every listener is a Python callback that counts, and the script asserts the counts.
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

#: (budget label, workload, unit, limit): issue 16's budgets
BUDGETS = (
    ("one publish heard by {n:,} subscribers", "publish fan-out", "ms", 3),
    ("publish to a USER channel ({n:,} users online)", "publish USER", "µs", 15),
    ("a topic message heard by {n:,} subscribers", "topic message fan-out", "ms", 0.3),
)
RESULTS = HERE / "messaging_results.json"


def publish_fan_out(res: Results, subscribers: int, reps: int) -> None:
    """One MESSAGE-channel publish heard by N subscribers (R-M9).

    The N clients subscribe without presence (``withPresence: false``, ``withMessage``
    by default), so a publish produces only their N ``message`` events; the publisher
    is not subscribed and hears nothing.  Timed: one ``publish``, its N deliveries
    included (R-E9: they reach the listeners before the call returns).
    """
    phase(f"a publish heard by {subscribers:,} subscribers")
    emu = Emulator(journal=True)
    counter = Counter()
    with no_gc():
        for i in range(subscribers):
            client = emu.client(uid(i))
            client.add_event_listener("message", counter)
            drive(client.login())
            drive(client.subscribe("hall", with_presence=False))
        publisher = emu.client("publisher")
        drive(publisher.login())
    settle()
    calls = [0]

    def publish() -> None:
        calls[0] += 1
        drive(publisher.publish("hall", f"message {calls[0]}"))

    rounds = Rounds()
    rounds.add(
        (("publish fan-out", "emulator", "ms"),),
        lambda: (calls_round(publish, reps // ROUNDS) / 1000,),
    )
    rounds.run(res, subscribers)
    assert counter.heard == calls[0] * subscribers, (counter.heard, calls[0])


def publish_user(res: Results, users: int, reps: int) -> None:
    """A ``USER`` message (R-M4, R-M9) to one of N logged-in users, each in turn.

    Timed: one ``publish(user, message, channelType: "USER")``, its one delivery
    included.
    """
    phase(f"publish to a USER channel, {users:,} users online")
    emu = Emulator(journal=True)
    counter = Counter()
    with no_gc():
        for i in range(users):
            client = emu.client(uid(i))
            client.add_event_listener("message", counter)
            drive(client.login())
        publisher = emu.client("publisher")
        drive(publisher.login())
    settle()
    targets = [uid(i) for i in range(users)]
    calls = [0]

    def publish() -> None:
        target = targets[calls[0] % users]
        calls[0] += 1
        drive(publisher.publish(target, "ping", channel_type="USER"))

    rounds = Rounds()
    rounds.add(
        (("publish USER", "emulator", "µs"),), lambda: (calls_round(publish, reps // ROUNDS),)
    )
    rounds.run(res, users)
    assert counter.heard == calls[0], (counter.heard, calls[0])


def topic_fan_out(res: Results, subscribers: int, reps: int) -> None:
    """A topic message (R-M18, R-M19) heard by N members that subscribed its publisher.

    The publisher joins stream channel ``stage`` and topic ``moves``; N members join
    ``stage`` without presence and subscribe the publisher there
    (``subscribeTopic("moves", {users: ["publisher"]})``).  Timed: one
    ``publishTopicMessage``, its N deliveries included.
    """
    phase(f"a topic message heard by {subscribers:,} subscribers")
    emu = Emulator(journal=True)
    counter = Counter()
    with no_gc():
        publisher = emu.client("publisher")
        drive(publisher.login())
        stage = publisher.create_stream_channel("stage")
        drive(stage.join(with_presence=False))
        drive(stage.join_topic("moves"))
        for i in range(subscribers):
            client = emu.client(uid(i))
            client.add_event_listener("message", counter)
            drive(client.login())
            theirs = client.create_stream_channel("stage")
            drive(theirs.join(with_presence=False))
            drive(theirs.subscribe_topic("moves", users=["publisher"]))
    settle()
    calls = [0]

    def publish() -> None:
        calls[0] += 1
        drive(stage.publish_topic_message("moves", f"move {calls[0]}"))

    rounds = Rounds()
    rounds.add(
        (("topic message fan-out", "emulator", "ms"),),
        lambda: (calls_round(publish, reps // ROUNDS) / 1000,),
    )
    rounds.run(res, subscribers)
    assert counter.heard == calls[0] * subscribers, (counter.heard, calls[0])


#: this benchmark's budgets, result file and docs/performance.md block
REPORT = BudgetReport("messaging", BUDGETS, RESULTS)
check_targets = REPORT.check_targets
results_block = REPORT.results_block


def workloads(res: Results, scale: int) -> list[Callable[[], None]]:
    """The measured workloads, ``scale`` times fewer calls."""
    return [
        lambda: publish_fan_out(res, 1_000, reps=300 // scale),
        lambda: publish_user(res, 1_000, reps=30_000 // scale),
        lambda: topic_fan_out(res, 64, reps=3_000 // scale),
    ]


def main(argv: list[str] | None = None) -> int:
    return REPORT.main(argv, __doc__.split("\n\n")[0], workloads)


if __name__ == "__main__":
    raise SystemExit(main())
