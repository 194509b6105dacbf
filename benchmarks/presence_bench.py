"""Presence benchmarks: the emulator against a hand-written fake and a fakeredis store.

Run from a clone (about 6 minutes on 2 cores; ``--quick`` for a ~30 s smoke run)::

    pip install -e ".[bench]" && python3 benchmarks/presence_bench.py

It prints one table (per-operation medians, the ratio of each comparator's cost to
the emulator's, and the emulator's cost growth from the smallest to the largest
size), checks the budgets of docs/performance.md, writes ``benchmarks/results.json``
and, with ``--docs``, refreshes the results, the comparison with revision 1 and the
chart in ``docs/performance.md``.

Method (see docs/performance.md): every timed call goes through the public API
(the emulator's async client, driven without an event loop by
``rtm_emulator.testing.drive``; the comparators' methods); each call is timed on its
own with ``perf_counter_ns`` and the median is reported.  Every workload of a size runs
once per round, in three interleaved rounds, and the best round counts.  Populations
grow in place from the smallest size to the largest in a deterministic shuffled order,
and each workload leaves the population as it found it.  After each population step
the garbage collector runs once and ``gc.freeze()`` moves the population out of its
view, so one full collection does not land inside a timed call; all targets are treated
alike.  This script is the only place that reads a clock: the emulator never does.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from comparators import HandFake, RedisStore  # noqa: E402

from rtm_emulator import Emulator, EmulatorConfig  # noqa: E402
from rtm_emulator.testing import drive  # noqa: E402

#: the server route's page: ``announce_max`` users (R-Q3); 50 is the service's default
PAGE = 50
ROUNDS = 3
MESSAGE, STREAM = "MESSAGE", "STREAM"
BIG = "big"
#: R-L4: the channels one client may be in (MESSAGE and STREAM together)
USER_CHANNELS = 50
ns = time.perf_counter_ns


_START = time.perf_counter()


def phase(what: str) -> None:
    """Say what runs next, with the time since the start."""
    print(f"[{time.perf_counter() - _START:6.0f} s] {what}", flush=True)


def uid(i: int) -> str:
    """The i-th simulated user id (fixed width, so ids sort like their numbers)."""
    return f"user{i:07d}"


# ----------------------------------------------------------------- targets


class EmulatorTarget:
    """The emulator through its public client, one client per user.

    ``debounce=0`` by default: an unsubscribe then removes the user's document at once
    and the next subscribe inserts it again, so both calls do their index work on the
    channel's full size (with the service's 2 s an unsubscribe only schedules the
    removal: the ``debounce`` workload measures that).
    """

    name = "emulator"

    def __init__(
        self, *, announce_max: int = PAGE, debounce: float = 0.0, journal: bool = False
    ) -> None:
        cfg = EmulatorConfig(
            announce_max=announce_max, debounce=debounce, max_channel_users=10_000_000
        )
        self.emu = Emulator(cfg, journal=journal)
        self.clients: dict[str, Any] = {}
        self.streams: dict[tuple[str, str], Any] = {}
        self._viewer_presence: Any = None

    def client(self, user: str) -> Any:
        c = self.clients.get(user)
        if c is None:
            c = self.clients[user] = self.emu.client(user)
            drive(c.login())
        return c

    def populate(self, key: tuple[str, str], users: list[str], state: bool = False) -> None:
        """Users enter without listening (``withPresence: false``), visible."""
        for user in users:
            if state:
                # R-S4: set before entering goes to the pre-join cache, taken on entry
                drive(self.client(user).presence.set_state(key[1], key[0], {"seat": user[-4:]}))
            self.enter(user, key)

    def populate_channels(self, keys: list[tuple[str, str]], users: list[str]) -> None:
        for user in users:
            for key in keys:
                self.enter(user, key)

    def enter(
        self, user: str, key: tuple[str, str], presence: bool = False, quiet: bool = False
    ) -> None:
        c = self.client(user)
        # keywords as an app passes them: ``be_quiet`` only when it is wanted
        if key[0] == MESSAGE:
            if quiet:
                drive(c.subscribe(key[1], with_presence=presence, be_quiet=True))
            else:
                drive(c.subscribe(key[1], with_presence=presence))
        else:
            stream = self.streams.get((user, key[1]))
            if stream is None:
                stream = self.streams[(user, key[1])] = c.create_stream_channel(key[1])
            if quiet:
                drive(stream.join(with_presence=presence, be_quiet=True))
            else:
                drive(stream.join(with_presence=presence))

    def exit(self, user: str, key: tuple[str, str]) -> None:
        if key[0] == MESSAGE:
            drive(self.clients[user].unsubscribe(key[1]))
        else:
            drive(self.streams[(user, key[1])].leave())

    def set_state(self, user: str, key: tuple[str, str], state: dict[str, str]) -> None:
        drive(self.clients[user].presence.set_state(key[1], key[0], state))

    def remove_state(self, user: str, key: tuple[str, str], keys: list[str]) -> None:
        drive(self.clients[user].presence.remove_state(key[1], key[0], states=keys))

    def page(self, key: tuple[str, str], after: str, with_states: bool) -> tuple[Any, str]:
        """One server-route page (R-Q3): the viewer is in no channel."""
        presence = self._viewer_presence or self.viewer.presence
        self._viewer_presence = presence
        if after:
            r = drive(
                presence.get_online_users(key[1], key[0], include_state=with_states, page=after)
            )
        else:
            r = drive(presence.get_online_users(key[1], key[0], include_state=with_states))
        return r.occupants, r.next_page

    def everyone(self, user: str, key: tuple[str, str], with_states: bool) -> Any:
        """The local route (R-Q2): ``user`` listens in the channel."""
        r = drive(
            self.clients[user].presence.get_online_users(key[1], key[0], include_state=with_states)
        )
        return r.occupants

    def user_channels(self, user: str) -> Any:
        return drive(self.viewer.presence.get_user_channels(user)).channels

    @property
    def viewer(self) -> Any:
        return self.client("viewer")


Target = Any  # EmulatorTarget | HandFake | RedisStore


# ------------------------------------------------------------------ timing


def median_us(samples: list[int]) -> float:
    return statistics.median(samples) / 1000


def pair_round(
    first: Callable[[int], object], second: Callable[[int], object], reps: int
) -> tuple[float, float]:
    """Medians (µs) of two calls that undo each other, alternated ``reps`` times."""
    a: list[int] = []
    b: list[int] = []
    for i in range(reps):
        t0 = ns()
        first(i)
        t1 = ns()
        second(i)
        t2 = ns()
        a.append(t1 - t0)
        b.append(t2 - t1)
    return median_us(a), median_us(b)


def calls_round(call: Callable[[], object], reps: int) -> float:
    """Median (µs) of ``reps`` calls."""
    samples = []
    for _ in range(reps):
        t0 = ns()
        call()
        samples.append(ns() - t0)
    return median_us(samples)


Label = tuple[str, str, str]  # (workload, target, unit)


class Rounds:
    """Measurements taken in ``ROUNDS`` interleaved rounds; each keeps its best round.

    This VM's speed flips between two levels for seconds at a time, so one workload's
    reps taken back to back can all land in a slow stretch.  Every workload of a size
    runs once per round, round after round, and the lowest round median counts
    (``timeit``'s best-of, spread over the whole size's run).
    """

    def __init__(self) -> None:
        self._tasks: list[tuple[tuple[Label, ...], Callable[[], Any], bool]] = []

    def add(
        self, labels: tuple[Label, ...], task: Callable[[], Any], *, once: bool = False
    ) -> None:
        """``task()`` returns one value per (workload, target, unit) label."""
        self._tasks.append((labels, task, once))

    def run(self, res: Results, size: int, **extra: Any) -> None:
        best: dict[Label, float] = {}
        for round_no in range(ROUNDS):
            for labels, task, once in self._tasks:
                if once and round_no:
                    continue
                values = task()
                for label, value in zip(labels, values, strict=True):
                    best[label] = min(best.get(label, float("inf")), value)
        for (workload, target, unit), value in best.items():
            res.add(workload, size, target, value, unit, **extra)


def walk(
    target: Target, key: tuple[str, str], with_states: bool, max_pages: int | None
) -> tuple[list[int], int]:
    """Page through a channel; per-page times (ns) and the users seen."""
    times: list[int] = []
    seen = 0
    after = ""
    while True:
        t0 = ns()
        items, after = target.page(key, after, with_states)
        times.append(ns() - t0)
        seen += len(items)
        if not after or (max_pages is not None and len(times) >= max_pages):
            return times, seen


@contextmanager
def no_gc() -> Iterator[None]:
    """Populations run without the cyclic collector (it would scan them again and again)."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def settle() -> None:
    gc.unfreeze()
    gc.collect()
    gc.freeze()


# ------------------------------------------------------------- the workloads


class Results:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(
        self, workload: str, size: int, target: str, value: float, unit: str = "µs", **extra: Any
    ) -> None:
        self.rows.append(
            {
                "workload": workload,
                "size": size,
                "target": target,
                "value": value,
                "unit": unit,
                **extra,
            }
        )
        print(f"  {workload:<30} {size:>9,} {target:<10} {value:>12,.2f} {unit}", flush=True)

    def get(self, workload: str, size: int, target: str) -> float | None:
        for row in self.rows:
            if (row["workload"], row["size"], row["target"]) == (workload, size, target):
                return float(row["value"])
        return None

    def last(self, workload: str, target: str = "emulator") -> dict[str, Any] | None:
        """The row of ``workload`` at its largest size (``None``: not measured)."""
        rows = [r for r in self.rows if r["workload"] == workload and r["target"] == target]
        return max(rows, key=lambda r: r["size"]) if rows else None


def one_channel(targets: list[Target], sizes: list[int], res: Results, rng: random.Random) -> None:
    """Layout 1: one MESSAGE and one STREAM channel of N users (states on MESSAGE).

    Nobody listens (``withPresence: false``), so no call produces an event; the viewer
    that pages is in no channel, so every page is the server route (R-Q3).
    """
    order = list(range(sizes[-1]))
    rng.shuffle(order)
    have = 0
    for size in sizes:
        phase(f"one channel, {size:,} occupancies")
        new = [uid(i) for i in order[have:size]]
        for t in targets:
            with no_gc():
                if isinstance(t, RedisStore):
                    # no measured call of this layout reads the per-user channel sets;
                    # states only up to 100k (fakeredis takes ~60 µs per HSET): at 1M
                    # it is measured without its page+states
                    state = size <= 100_000
                    t.populate((MESSAGE, BIG), new, state=state, user_sets=False)
                    t.populate((STREAM, BIG), new, user_sets=False)
                else:
                    t.populate((MESSAGE, BIG), new, state=True)
                    t.populate((STREAM, BIG), new)
        have = size
        settle()
        member = uid(order[size // 2])
        rounds = Rounds()
        for t in targets:
            reps = (300 if isinstance(t, RedisStore) else 3000) // ROUNDS
            if isinstance(t, EmulatorTarget):
                t.client("guest")
                t.viewer  # noqa: B018 - logged in before timing
            for kind, (enter, leave) in (
                (MESSAGE, ("subscribe", "unsubscribe")),
                (STREAM, ("join", "leave")),
            ):
                rounds.add(
                    ((enter, t.name, "µs"), (leave, t.name, "µs")),
                    lambda t=t, kind=kind, reps=reps: pair_round(
                        lambda i: t.enter("guest", (kind, BIG)),
                        lambda i: t.exit("guest", (kind, BIG)),
                        reps,
                    ),
                )
            rounds.add(
                (("set_state", t.name, "µs"), ("remove_state", t.name, "µs")),
                lambda t=t, reps=reps, m=member: pair_round(
                    lambda n: t.set_state(m, (MESSAGE, BIG), {"mood": f"m{n}"}),
                    lambda i: t.remove_state(m, (MESSAGE, BIG), ["mood"]),
                    reps,
                ),
            )
            for with_states in (False, True):
                name = "page+states" if with_states else "page"
                # full walks, except where one would take minutes: the hand fake sorts
                # the channel for every page, fakeredis costs a command per page (and
                # one per user with states)
                pages = None
                if isinstance(t, HandFake) and size > 10_000:
                    pages = 5
                if isinstance(t, RedisStore) and size > (10_000 if with_states else 100_000):
                    pages = 50 if with_states else 500
                if isinstance(t, RedisStore) and with_states and size > 100_000:
                    continue  # not populated with states at this size (above)
                labels: tuple[Label, ...] = ((name, t.name, "µs"),)
                if pages is None:
                    labels += (("walk" + ("+states" if with_states else ""), t.name, "ms"),)
                count = len(labels)
                rounds.add(
                    labels,
                    lambda t=t, ws=with_states, pages=pages, n=size, k=count: walk_task(
                        t, ws, pages, n, k
                    ),
                    once=isinstance(t, HandFake) and size >= 100_000,  # a page takes 30+ ms
                )
        rounds.run(res, size)
        settle()


def walk_task(
    t: Target, with_states: bool, pages: int | None, size: int, values: int
) -> tuple[float, ...]:
    """One walk: (median page µs[, whole walk ms])."""
    times, seen = walk(t, (MESSAGE, BIG), with_states, pages)
    if pages is None:
        assert seen == size, (t.name, seen, size)
    return (median_us(times), sum(times) / 1e6)[:values]


def many_channels(targets: list[Target], sizes: list[int], res: Results) -> None:
    """Layout 2: N/100 channels of 100 users; groups of 100 users share 50 channels.

    50 is R-L4's limit of channels per client: at 1M occupancies, 10,000 channels and
    20,000 users in 50 channels each.
    """
    for size in sizes:
        phase(f"{size // 100:,} channels × 100 users")
        channels = size // 100
        made = sizes[sizes.index(size) - 1] // 100 if size != sizes[0] else 0
        for t in targets:
            with no_gc():
                first_group = made // USER_CHANNELS
                last_group = (channels + USER_CHANNELS - 1) // USER_CHANNELS
                for group in range(first_group, last_group):
                    start = group * USER_CHANNELS
                    first, last = max(made, start), min(channels, start + USER_CHANNELS)
                    keys = [(MESSAGE, f"room{c:05d}") for c in range(first, last)]
                    t.populate_channels(keys, [f"g{group:03d}u{k:03d}" for k in range(100)])
        settle()
        probe = "g000u050"
        key = (MESSAGE, f"room{channels - 1:05d}")
        rounds = Rounds()
        for t in targets:
            reps = (300 if isinstance(t, RedisStore) else 3000) // ROUNDS
            if isinstance(t, EmulatorTarget):
                t.viewer  # noqa: B018
                t.client("guest")
            found = t.user_channels(probe)
            assert len(found) == min(USER_CHANNELS, channels), (t.name, len(found))
            rounds.add(
                (("get_user_channels", t.name, "µs"),),
                lambda t=t, reps=reps, p=probe: (calls_round(lambda: t.user_channels(p), reps),),
            )
            # enter / leave of a 100-user channel while the app holds N occupancies
            rounds.add(
                (
                    ("subscribe (100-user channel)", t.name, "µs"),
                    ("unsubscribe (100-user channel)", t.name, "µs"),
                ),
                lambda t=t, reps=reps, k=key: pair_round(
                    lambda i: t.enter("guest", k), lambda i: t.exit("guest", k), reps
                ),
            )
        rounds.run(res, size)
        settle()


def debounce(res: Results, users: int) -> None:
    """R-E6 with the service's 2 s: unsubscribe keeps the document, a re-entry keeps it."""
    phase(f"debounce: re-entry into a channel of {users:,}")
    emu_t = EmulatorTarget(debounce=2.0)
    with no_gc():
        emu_t.populate((MESSAGE, BIG), [uid(i) for i in range(users)])
    emu_t.client("guest")
    settle()
    rounds = Rounds()
    rounds.add(
        (
            ("unsubscribe (debounced)", "emulator", "µs"),
            ("subscribe (within the debounce)", "emulator", "µs"),
        ),
        lambda: pair_round(
            lambda i: emu_t.exit("guest", (MESSAGE, BIG)),
            lambda i: emu_t.enter("guest", (MESSAGE, BIG)),
            1000,
        ),
    )
    emu_t.enter("guest", (MESSAGE, BIG))
    rounds.run(res, users)
    assert "guest" in emu_t.emu.online_users(BIG, MESSAGE)


def snapshot(res: Results, users: int) -> None:
    """SNAPSHOT of a 50k-user channel: one subscribe with presence (R-E1)."""
    phase(f"SNAPSHOT of {users:,} users")
    names = [uid(i) for i in range(users)]
    emu_t = EmulatorTarget(journal=True)
    with no_gc():
        emu_t.populate((MESSAGE, "snap"), names, state=True)
    got: list[int] = []
    emu_t.client("watcher").add_event_listener(
        "presence", lambda e: got.append(len(e.snapshot or ()))
    )
    settle()
    rounds = Rounds()
    rounds.add(
        (("snapshot", "emulator", "µs"),),
        lambda: pair_round(
            lambda i: emu_t.enter("watcher", (MESSAGE, "snap"), presence=True),
            lambda i: emu_t.exit("watcher", (MESSAGE, "snap")),
            10,
        )[:1],
    )
    hand, redis = HandFake(PAGE), RedisStore(PAGE)
    for t in (hand, redis):
        t.populate((MESSAGE, "snap"), names, state=True)
    settle()
    for t, reps in ((hand, 5), (redis, 1)):
        rounds.add(
            (("snapshot", t.name, "µs"),),
            lambda t=t, reps=reps: (
                calls_round(lambda: assert_len(t.snapshot((MESSAGE, "snap")), users), reps),
            ),
        )
    rounds.run(res, users)
    assert len(got) == 10 * ROUNDS and got[-1] == users + 1, got[-1:]  # it sees itself too
    for row in res.rows:  # shown in ms
        if row["workload"] == "snapshot" and row["unit"] == "µs":
            row["value"], row["unit"] = row["value"] / 1000, "ms"
    settle()


def assert_len(items: Any, n: int) -> None:
    assert len(items) == n, (len(items), n)


def fan_out(res: Results, listeners: int) -> None:
    """One setState heard by 1k quiet listeners: the channel stays in announce mode.

    Quiet listeners have no document (R-E4), so the occupancy is 1 (the publisher),
    under ``announce_max`` 128: every listener gets a REMOTE_STATE_CHANGED (R-E3).
    """
    phase(f"fan-out to {listeners:,} quiet listeners")
    emu_t = EmulatorTarget(announce_max=128, journal=True)
    count = [0]

    def on_event(event: object) -> None:
        count[0] += 1

    with no_gc():
        for i in range(listeners):
            emu_t.client(uid(i)).add_event_listener("presence", on_event)
            emu_t.enter(uid(i), (MESSAGE, "fan"), presence=True, quiet=True)
        emu_t.enter("publisher", (MESSAGE, "fan"))
    hand = HandFake(PAGE)
    for i in range(listeners):
        hand.enter(uid(i), (MESSAGE, "fan"), listener=on_event)
    hand.enter("publisher", (MESSAGE, "fan"))
    settle()

    def hand_set(i: int) -> None:
        hand.set_state("publisher", (MESSAGE, "fan"), {"mood": f"m{i}"})
        event = {
            "eventType": "REMOTE_STATE_CHANGED",
            "publisher": "publisher",
            "stateChanged": {"mood": f"m{i}"},
        }
        hand.notify((MESSAGE, "fan"), "publisher", event)

    calls = [0]

    def emu_set() -> None:
        calls[0] += 1
        emu_t.set_state("publisher", (MESSAGE, "fan"), {"mood": f"m{calls[0]}"})

    before = count[0]
    rounds = Rounds()
    rounds.add((("fan-out setState", "emulator", "µs"),), lambda: (calls_round(emu_set, 40),))
    rounds.add(
        (("fan-out setState", "hand fake", "µs"),),
        lambda: (calls_round(lambda: hand_set(calls[0]), 40),),
    )
    rounds.run(res, listeners)
    assert count[0] - before == 2 * calls[0] * listeners, (count[0] - before, calls[0])
    for row in res.rows:
        if row["workload"] == "fan-out setState" and row["unit"] == "µs":
            row["value"], row["unit"] = row["value"] / 1000, "ms"


def interval_mode(res: Results, listeners: int, changes: int) -> None:
    """10k listeners in interval mode since the same ms (R-E5): setState, the boundary.

    The listeners first enter without listening, then subscribe again with presence
    at the same instant: each gets its SNAPSHOT, finds the occupancy over
    ``announce_max`` and enters interval mode then, so they share one period.  Each
    round: ``changes`` listeners change their state (each call timed), then the
    ``advance`` over the period's end delivers one INTERVAL to each listener, each
    listing the changes but its own.  The local route of whoNow (R-Q2) is timed for a
    listener too.
    """
    phase(f"interval mode: {listeners:,} listeners, {changes:,} changes per period")
    emu_t = EmulatorTarget(journal=True)
    emu = emu_t.emu
    key = (MESSAGE, "iv")
    count = [0]

    def on_event(event: object) -> None:
        count[0] += 1

    names = [uid(i) for i in range(listeners)]
    with no_gc():
        emu_t.populate(key, names, state=True)
        for name in names:
            emu_t.client(name).add_event_listener("presence", on_event)
            emu_t.enter(name, key, presence=True)  # R-L1: the same channel, new options
    assert count[0] == listeners  # one SNAPSHOT each, nothing else: no document changed
    interval = emu.config.interval
    emu.advance(interval)  # the first period ends: nothing to report
    assert count[0] == listeners
    settle()
    step = listeners // changes
    rep = [0]

    def periods(n: int = 3) -> tuple[float, float]:
        """``n`` periods: median setState (µs), median boundary (ms)."""
        samples, boundaries = [], []
        for _ in range(n):
            rep[0] += 1
            for i in range(changes):
                t0 = ns()
                emu_t.set_state(names[i * step], key, {"seat": f"{rep[0]}-{i}"})
                samples.append(ns() - t0)
            before = count[0]
            t0 = ns()
            emu.advance(interval)
            boundaries.append(ns() - t0)
            assert count[0] - before == listeners, count[0] - before
        return median_us(samples), median_us(boundaries) / 1000

    hand, redis = HandFake(PAGE), RedisStore(PAGE)
    for t in (hand, redis):
        t.populate(key, names, state=True)
    settle()
    listener = names[listeners // 2]
    rounds = Rounds()
    rounds.add(
        (("interval setState", "emulator", "µs"), ("INTERVAL boundary", "emulator", "ms")),
        periods,
    )
    for with_states in (False, True):
        name = "whoNow local" + ("+states" if with_states else "")
        rounds.add(
            ((name, "emulator", "µs"),),
            lambda ws=with_states: (
                calls_round(lambda: assert_len(emu_t.everyone(listener, key, ws), listeners), 30),
            ),
        )
        for t, reps in ((hand, 10), (redis, 1)):
            rounds.add(
                ((name, t.name, "µs"),),
                lambda t=t, ws=with_states, reps=reps: (
                    calls_round(lambda: assert_len(t.everyone(key, ws), listeners), reps),
                ),
            )
    rounds.run(res, listeners, changes=changes)


def timeout_sweep(res: Results, users: int) -> None:
    """Disconnect 10k users, then one advance times them all out (R-T2, R-T4)."""
    phase(f"timeout sweep of {users:,} users")
    emu_t = EmulatorTarget()
    emu = emu_t.emu
    names = [uid(i) for i in range(users)]
    with no_gc():
        emu_t.populate((MESSAGE, "sweep"), names)
    emu_t.enter("witness", (MESSAGE, "sweep"), presence=True)
    for name in names:
        emu.disconnect(name)
    settle()
    t0 = ns()
    emu.advance(400)  # retries, SUSPENDED, the server's timeout at 315 s
    elapsed = ns() - t0
    assert emu.online_users("sweep", MESSAGE) == ["witness"]
    res.add("timeout sweep", users, "emulator", elapsed / 1e6, "ms")


def quiet_jump(res: Results, channels: int) -> None:
    """A one-day jump over N quiet interval-mode channels ("[ours] R-T1 quiet boundaries
    are skipped"): what crossing 8,640 empty 10 s boundaries per channel costs.

    Each channel has 9 users (threshold 8, interval 10 s), one listening, entered at
    different instants (different phases); nothing changes during the day, so no
    boundary has anything to report.  Timed: one ``advance(86_400)``.
    """
    phase(f"a one-day jump over {channels:,} quiet interval channels")
    emu = Emulator(EmulatorConfig(announce_max=8, interval=10), journal=False)
    with no_gc():
        for c in range(channels):
            for i in range(9):
                client = emu.client(f"c{c:04d}u{i}")
                drive(client.login())
                drive(client.subscribe(f"quiet{c:04d}", with_presence=i == 0))
            emu.advance(0.137)  # a phase of its own
    emu.advance(60)  # the first boundaries report the joins; from here on all is quiet
    settle()
    pending = len(emu.pending_timers())
    rounds = Rounds()
    rounds.add(
        (("quiet day jump", "emulator", "ms"),),
        lambda: (calls_round(lambda: emu.advance(86_400), 1) / 1000,),
    )
    rounds.run(res, channels)
    assert len(emu.pending_timers()) == pending == channels  # one boundary each, still on


def memory(res: Results, size: int) -> None:
    """tracemalloc bytes per occupancy: entering ``size`` occupancies (users exist already)."""
    phase(f"memory at {size:,} occupancies")
    layouts = {
        "one channel": [((MESSAGE, BIG), [uid(i) for i in range(size)])],
        "channels of 100": [
            (
                (MESSAGE, f"room{c:05d}"),
                [f"g{c // USER_CHANNELS:03d}u{k:03d}" for k in range(100)],
            )
            for c in range(size // 100)
        ],
    }
    for layout, plan in layouts.items():
        for cls in (EmulatorTarget, HandFake, RedisStore):
            t = cls() if cls is EmulatorTarget else cls(PAGE)
            if isinstance(t, EmulatorTarget):
                for _, users in plan:
                    for user in users:
                        t.client(user)
            gc.collect()
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            for key, users in plan:
                t.populate(key, users)
            gc.collect()
            after = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
            res.add(f"memory ({layout})", size, t.name, (after - before) / size, "B")
            del t
            gc.collect()


# ------------------------------------------------------------------ report

#: Issue 12's budgets: (label, workload, unit, limit); the label's ``{n}`` is the size.
BUDGETS = (
    ("subscribe at {n:,}", "subscribe", "µs", 15),
    ("unsubscribe at {n:,}", "unsubscribe", "µs", 15),
    ("set_state at {n:,}", "set_state", "µs", 10),
    ("server-route page of 50 at {n:,}", "page", "µs", 20),
    ("setState heard by {n:,} quiet listeners", "fan-out setState", "ms", 3),
    ("setState with {n:,} interval-mode listeners", "interval setState", "µs", 20),
    ("INTERVAL boundary, {n:,} listeners, {changes:,} changes", "INTERVAL boundary", "ms", 150),
    ("memory per occupancy (one channel)", "memory (one channel)", "B", 400),
    ("memory per occupancy (channels of 100)", "memory (channels of 100)", "B", 400),
)


def check_targets(res: Results, sizes: list[int]) -> list[dict[str, Any]]:
    """Each budget against the emulator's value at the largest size it was measured."""
    out: list[dict[str, Any]] = []
    for label, workload, unit, limit in BUDGETS:
        row = res.last(workload)
        if row is None:
            continue
        value = float(row["value"])
        name = label.format(n=row["size"], changes=row.get("changes", 0))
        out.append(
            {
                "target": name,
                "measured": round(value, 2),
                "op": "≤",
                "limit": limit,
                "unit": unit,
                "met": value <= limit,
            }
        )
    return out


#: The last revision-1 run (2026-11-26, 428 s, this machine), from the docs/performance.md
#: it replaced: (label, emulator, unit, rev-2 workload, size, fakeredis, note).  fakeredis
#: ran the same commands in both revisions, so its column shows the machine's speed.
REV1: tuple[tuple[str, float, str, str, int, float | None, str], ...] = (
    ("subscribe at 1M", 11.94, "µs", "subscribe", 1_000_000, 227.5, "rev 1: + a timer cancelled"),
    ("unsubscribe at 1M", 9.28, "µs", "unsubscribe", 1_000_000, 239.0, "rev 1: + a timer set"),
    ("join at 1M", 12.15, "µs", "join", 1_000_000, 236.4, "rev 2: + 2 link events"),
    ("leave at 1M", 9.34, "µs", "leave", 1_000_000, 257.0, "rev 2: + a link event"),
    ("set_state at 1M", 6.87, "µs", "set_state", 1_000_000, 121.2, ""),
    ("remove_state at 1M", 7.26, "µs", "remove_state", 1_000_000, 106.0, ""),
    ("page at 1M", 16.89, "µs", "page", 1_000_000, 370.9, "rev 1: 100 users, MAC'd bookmark"),
    ("page+states at 100k", 11.67, "µs", "page+states", 100_000, 3680.2, "rev 1: 100 users"),
    ("full walk at 1M", 182.6, "ms", "walk", 1_000_000, None, "rev 1: 10,000 pages, rev 2: 20,000"),
    ("get_user_channels", 6.69, "µs", "get_user_channels", 1_000_000, 213.9, "rev 1: 100 channels"),
    (
        "subscribe (100-user channel)",
        10.16,
        "µs",
        "subscribe (100-user channel)",
        1_000_000,
        131.3,
        "",
    ),
    ("SNAPSHOT of 50,000", 3.51, "ms", "snapshot", 50_000, 2088.8, ""),
    ("setState heard by 1,000 quiet listeners", 3.8, "ms", "fan-out setState", 1_000, None, ""),
    (
        "INTERVAL boundary, 10,000 listeners",
        50.28,
        "ms",
        "INTERVAL boundary",
        10_000,
        None,
        "rev 1: one list for all listeners",
    ),
    ("timeout sweep of 10,000", 192.9, "ms", "timeout sweep", 10_000, None, "rev 2: R-T4 retries"),
    ("memory (one channel)", 321.7, "B", "memory (one channel)", 100_000, 700.3, ""),
    (
        "memory (channels of 100)",
        246.4,
        "B",
        "memory (channels of 100)",
        100_000,
        282.3,
        "rev 1: users in 100 channels",
    ),
)


def before_after(res: Results) -> list[str]:
    """Revision 1's last run against this one, as Markdown table rows."""
    lines = [
        "| workload | rev 1 | rev 2 | rev 2 / rev 1 | fakeredis, rev 2 / rev 1 | note |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for label, old, unit, workload, size, old_redis, note in REV1:
        new = res.get(workload, size, "emulator")
        if new is None:
            continue
        redis = res.get(workload, size, "fakeredis")
        machine = "—" if redis is None or not old_redis else f"{redis / old_redis:,.2f}×"
        row = [label, f"{old:,.1f} {unit}", f"{new:,.1f} {unit}", f"{new / old:,.2f}×", machine]
        lines.append("| " + " | ".join([*row, note]) + " |")
    return lines


def table(res: Results, sizes: list[int]) -> list[str]:
    """The results as Markdown table rows."""
    lines = [
        "| workload | size | emulator | hand fake | hand / emu | fakeredis | redis / emu |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    seen: list[tuple[str, int]] = []
    for row in res.rows:
        k = (row["workload"], row["size"])
        if k not in seen:
            seen.append(k)
    for workload, size in seen:
        cells = {r["target"]: r for r in res.rows if (r["workload"], r["size"]) == (workload, size)}
        emu = cells.get("emulator")
        hand, redis = cells.get("hand fake"), cells.get("fakeredis")
        row = [workload, f"{size:,}", _fmt(emu), _fmt(hand), _ratio(hand, emu)]
        row += [_fmt(redis), _ratio(redis, emu)]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _fmt(row: dict[str, Any] | None) -> str:
    return "—" if row is None else f"{row['value']:,.1f} {row['unit']}"


def _ratio(row: dict[str, Any] | None, emu: dict[str, Any] | None) -> str:
    if row is None or emu is None or emu["value"] == 0:
        return "—"
    ratio = row["value"] / emu["value"]
    return f"{ratio:,.1f}×" if ratio >= 1 else f"{ratio:.2f}×"


def growth(res: Results, sizes: list[int]) -> list[str]:
    lines = [
        f"| workload | emulator at {sizes[0]:,} | at {sizes[-1]:,} | growth |",
        "|---|---:|---:|---:|",
    ]
    for workload in (
        "subscribe",
        "unsubscribe",
        "join",
        "leave",
        "set_state",
        "remove_state",
        "page",
        "page+states",
        "get_user_channels",
        "subscribe (100-user channel)",
    ):
        a, b = res.get(workload, sizes[0], "emulator"), res.get(workload, sizes[-1], "emulator")
        if a and b:
            lines.append(f"| {workload} | {a:,.1f} µs | {b:,.1f} µs | {b / a:,.2f}× |")
    return lines


def chart(res: Results, sizes: list[int]) -> str:
    """An SVG line chart of µs per call against size (both axes logarithmic)."""
    import math

    series = [
        ("emulator", "subscribe", "#1f77b4", ""),
        ("emulator", "set_state", "#2ca02c", ""),
        ("emulator", "page", "#d62728", ""),
        ("emulator", "page+states", "#9467bd", ""),
        ("fakeredis", "subscribe", "#1f77b4", "6 4"),
        ("fakeredis", "page", "#d62728", "6 4"),
        ("hand fake", "page", "#d62728", "2 3"),
    ]
    w, h, left, right, top, bottom = 720, 420, 70, 190, 30, 50
    ys = [
        r["value"]
        for r in res.rows
        if r["unit"] == "µs"
        and r["size"] in sizes
        and (r["target"], r["workload"]) in {(s[0], s[1]) for s in series}
    ]
    lo, hi = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    x0, x1 = math.log10(sizes[0]), math.log10(sizes[-1])

    def px(size: int) -> float:
        return left + (math.log10(size) - x0) / (x1 - x0 or 1) * (w - left - right)

    def py(v: float) -> float:
        return top + (hi - math.log10(v)) / (hi - lo or 1) * (h - top - bottom)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
    ]
    for d in range(lo, hi + 1):
        y = py(10**d)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{w - right}" y2="{y:.1f}" stroke="#ddd"/>')
        tick = f"{10**d:,}" if d >= 0 else f"{10**d:g}"
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick} µs</text>')
    for s in sizes:
        x = px(s)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{h - bottom}" stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{h - bottom + 18}" text-anchor="middle">{s:,}</text>')
    out.append(
        f'<text x="{(left + w - right) / 2:.0f}" y="{h - 10}" text-anchor="middle">'
        "occupancies (one channel)</text>"
    )
    out.append(f'<text x="{left}" y="18">median cost per call (log scale)</text>')
    for i, (tgt, workload, colour, dash) in enumerate(series):
        pts = [(px(s), py(v)) for s in sizes if (v := res.get(workload, s, tgt))]
        if not pts:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
        )
        ly = top + 10 + i * 20
        out.append(
            f'<line x1="{w - right + 12}" y1="{ly}" x2="{w - right + 40}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="2"{dash_attr}/>'
        )
        out.append(f'<text x="{w - right + 46}" y="{ly + 4}">{tgt}: {workload}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def results_block(
    res: Results, sizes: list[int], targets: list[dict[str, Any]], meta: dict[str, Any]
) -> str:
    """The Markdown between docs/performance.md's result markers (markers included)."""
    block = [
        "<!-- results:start (written by benchmarks/presence_bench.py --docs) -->",
        "",
        f"Measured {meta['date']} on {meta['machine']}, Python {meta['python']}, "
        f"run time {meta['seconds']:.0f} s{_load(meta)}; code of commit "
        f'{meta.get("commit", "unknown")} ("+": with uncommitted changes to the package).',
        "",
        "![cost per call against channel size](diagrams/performance.svg)",
        "",
        "### Budgets",
        "",
        "| budget | measured | limit | met |",
        "|---|---:|---:|---|",
        *[
            f"| {t['target']} | {t['measured']:,} {t['unit']} "
            f"| {t['op']} {t['limit']:,} {t['unit']} | {'yes' if t['met'] else '**no**'} |"
            for t in targets
        ],
        "",
        "### Revision 1 against revision 2",
        "",
        *before_after(res),
        "",
        "### Cost growth",
        "",
        *growth(res, sizes),
        "",
        "### All results (medians)",
        "",
        *table(res, sizes),
        "",
        "<!-- results:end -->",
    ]
    return "\n".join(block)


def _commit() -> str:
    """The checked-out commit (``git rev-parse``, read only), "+" when files differ."""
    import subprocess

    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "rtm_emulator"],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+" if dirty else "")


def _load(meta: dict[str, Any]) -> str:
    load = meta.get("load")
    if not load:
        return ""
    return f", load average {load[0]:g} at the start and {load[1]:g} at the end"


def write_docs(
    res: Results, sizes: list[int], targets: list[dict[str, Any]], meta: dict[str, Any]
) -> None:
    doc = HERE.parent / "docs" / "performance.md"
    svg = HERE.parent / "docs" / "diagrams" / "performance.svg"
    svg.write_text(chart(res, sizes), encoding="utf-8")
    text = doc.read_text(encoding="utf-8")
    start = text.index("<!-- results:start")
    end = text.index("<!-- results:end -->") + len("<!-- results:end -->")
    block = results_block(res, sizes, targets, meta)
    doc.write_text(text[:start] + block + text[end:], encoding="utf-8")
    print(f"wrote {doc.relative_to(HERE.parent)} and {svg.relative_to(HERE.parent)}")


def report(
    path: Path, res: Results, targets: list[dict[str, Any]], meta: dict[str, Any], seconds: float
) -> None:
    """Print each budget met or missed, and write the results JSON to ``path``."""
    for t in targets:
        print(
            f"{'met ' if t['met'] else 'MISS'}  {t['target']}: {t['measured']:,} {t['unit']} "
            f"({t['op']} {t['limit']:,})"
        )
    print(f"\n{sum(t['met'] for t in targets)} of {len(targets)} budgets met in {seconds:.0f} s")
    path.write_text(
        json.dumps(
            {"meta": meta, "results": res.rows, "targets": targets}, indent=1, ensure_ascii=False
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only (a ~30 s smoke run)")
    ap.add_argument("--json", type=Path, default=HERE / "results.json", help="result file")
    ap.add_argument("--docs", action="store_true", help="refresh docs/performance.md and its chart")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument(
        "--render",
        type=Path,
        metavar="RESULTS_JSON",
        help="measure nothing: rewrite docs/performance.md and its chart from a result file",
    )
    args = ap.parse_args(argv)
    if args.render is not None:
        saved = json.loads(args.render.read_text(encoding="utf-8"))
        res = Results()
        res.rows = saved["results"]
        write_docs(res, saved["meta"]["sizes"], saved["targets"], saved["meta"])
        return 0
    quick = args.quick
    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000, 1_000_000]
    start = time.perf_counter()
    load_at_start = os.getloadavg()[0]
    commit = _commit()
    res = Results()
    rng = random.Random(args.seed)
    print(f"  {'workload':<30} {'size':>9} {'target':<10} {'median':>12}")
    one_channel([EmulatorTarget(), HandFake(PAGE), RedisStore(PAGE)], sizes, res, rng)
    settle()
    many_channels([EmulatorTarget(), HandFake(PAGE), RedisStore(PAGE)], sizes, res)
    settle()
    for workload in (
        lambda: debounce(res, 1_000 if quick else 10_000),
        lambda: snapshot(res, 2_000 if quick else 50_000),
        lambda: fan_out(res, 1_000),
        lambda: interval_mode(res, 1_000 if quick else 10_000, 100 if quick else 1_000),
        lambda: timeout_sweep(res, 500 if quick else 10_000),
        lambda: quiet_jump(res, 50 if quick else 1_000),
    ):
        workload()
        settle()  # its emulator is gone
    memory(res, 10_000 if quick else 100_000)
    targets = check_targets(res, sizes)
    seconds = time.perf_counter() - start
    meta = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()} {platform.system()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "seconds": seconds,
        "sizes": sizes,
        "quick": quick,
        # other processes on the machine: the 1-minute load average at the start and end
        "load": [round(load_at_start, 2), round(os.getloadavg()[0], 2)],
        "commit": commit,
    }
    print()
    print("\n".join(table(res, sizes)))
    print()
    print("\n".join(growth(res, sizes)))
    print()
    print("\n".join(before_after(res)))
    print()
    report(args.json, res, targets, meta, seconds)
    if args.docs:
        write_docs(res, sizes, targets, meta)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
