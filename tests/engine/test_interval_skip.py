"""Quiet interval boundaries are skipped by arithmetic ("[ours] R-T1 quiet boundaries are
skipped", issue 15): a jump costs what happens in it, not its length.

Every test runs the same script twice: with the skip (the default) and with the
timer-by-timer reference (``FakeClock.skip_idle_periods = False``: every boundary fires
and runs its callback), and compares everything a test can see — the journal, the
pending timers, the clock, what ``run_until_idle`` counts.  R-E5's own behaviour over
long jumps is pinned by tests/engine/test_interval_jumps.py.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from rtm_emulator import Emulator, EmulatorConfig
from rtm_emulator._clock import FakeClock, Timer
from rtm_emulator._views import RoomViews
from rtm_emulator.testing import drive

DAY = 86_400
#: the console's smallest threshold and period: 9 users put a channel in interval mode
CONFIG = EmulatorConfig(announce_max=8, interval=10)


def reference(emu: Emulator) -> Emulator:
    """``emu`` with its clock firing every timer one by one, callbacks included."""
    emu._engine._clock.skip_idle_periods = False
    return emu


@pytest.fixture
def boundaries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The INTERVAL boundary callbacks that actually run, by channel name."""
    ran: list[str] = []
    original = RoomViews._boundary

    def counted(self: RoomViews, entered: tuple[int, int]) -> None:
        ran.append(self._room.key[1])
        original(self, entered)

    monkeypatch.setattr(RoomViews, "_boundary", counted)
    yield ran


# ------------------------------------------------------------------ scripts


def interval_rooms(emu: Emulator, rooms: int, *, listeners: int = 2) -> dict[str, Any]:
    """``rooms`` channels of 9 users (threshold 8: interval mode), ``listeners`` of them
    listening, each channel entered 1.5 s after the one before (different phases)."""
    clients: dict[str, Any] = {}
    for r in range(rooms):
        name = f"room{r:02d}"
        for i in range(9):
            uid = f"r{r:02d}u{i}"
            client = clients[uid] = emu.client(uid)
            drive(client.login())
            drive(client.subscribe(name, {"withPresence": i < listeners}))
        emu.advance(1.5)
    return clients


def script(emu: Emulator) -> list[Any]:
    """Five interval channels at different phases, changes between long jumps: state
    changes, a leave that ends interval mode and a join that starts it again, a
    network loss (the server's timeout falls inside a jump), a delivery latency."""
    counts: list[Any] = []
    clients = interval_rooms(emu, 5)
    emu.advance(3600)
    drive(clients["r00u5"].presence.set_state("room00", "MESSAGE", {"seat": "1"}))
    drive(clients["r02u7"].presence.set_state("room02", "MESSAGE", {"seat": "2"}))
    emu.advance(7.3)
    drive(clients["r01u8"].unsubscribe("room01"))  # below the threshold: announce mode
    emu.advance(2.5)
    drive(clients["r01u8"].subscribe("room01"))  # interval mode again, a new phase
    emu.set_delivery_latency("r03u0", 4.2)
    drive(clients["r03u6"].presence.set_state("room03", "MESSAGE", {"seat": "3"}))
    emu.disconnect("r04u3")
    emu.advance(DAY)
    emu.reconnect("r04u3")
    emu.at(emu.elapsed + 5000, lambda: drive(clients["r02u2"].unsubscribe("room02")))
    emu.at(emu.elapsed + 5000, lambda: drive(clients["r00u4"].unsubscribe("room00")))
    counts.append(emu.run_until_idle())
    emu.advance(12_345.678)
    counts.append(emu.advance_to_next_event())
    counts.append(emu.run_until_idle())
    return counts


def seen(emu: Emulator) -> tuple[Any, ...]:
    return (emu.now_ms, emu.journal.to_jsonl(), emu.pending_timers(), emu.last_seq)


# ----------------------------------------------------------------- the engine


def test_the_skip_delivers_what_the_timer_by_timer_run_delivers() -> None:
    # strict on one side only: the reference runs ~50,000 boundaries
    skipped, stepped = Emulator(CONFIG, strict=True), reference(Emulator(CONFIG))
    assert script(skipped) == script(stepped)
    assert seen(skipped) == seen(stepped)
    intervals = skipped.journal.filter(event_type="INTERVAL")
    assert len(intervals) > 10  # the script has boundaries to report, and reports them
    skipped.check_invariants()


def test_a_day_over_fifty_quiet_interval_channels_runs_no_boundary(
    boundaries: list[str],
) -> None:
    """No timing asserted: the boundary callbacks that run are counted."""
    emu = Emulator(CONFIG)
    interval_rooms(emu, 50, listeners=1)
    emu.advance(60)  # the first boundary of each channel reports the joins after it
    ran = len(boundaries)
    before = len(emu.journal)
    emu.advance(DAY)
    assert len(boundaries) == ran  # 8,640 boundaries a channel crossed, none run
    assert len(emu.journal) == before  # and none was due to report anything
    assert len(emu.pending_timers()) == 50  # one boundary per channel, still periodic
    emu.check_invariants()


def test_the_reference_runs_every_boundary(boundaries: list[str]) -> None:
    """The comparison above means something: without the skip every boundary runs."""
    emu = reference(Emulator(CONFIG))
    interval_rooms(emu, 2, listeners=1)
    emu.advance(60)
    ran = len(boundaries)
    emu.advance(3600)
    assert len(boundaries) - ran == 2 * 360


def change_in_a_day(emu: Emulator) -> None:
    """Three interval channels; at 40,000.25 s one user changes state; a day's jump."""
    clients = interval_rooms(emu, 3)

    def change() -> None:
        drive(clients["r01u3"].presence.set_state("room01", "MESSAGE", {"k": "v"}))

    emu.at(40_000.25, change)
    emu.advance(60)  # the first boundaries report the joins after each entry
    emu.advance(DAY)


def test_a_change_in_a_long_jump_is_reported_at_its_boundary(boundaries: list[str]) -> None:
    """A scripted change inside a day-long jump: the boundary after it runs and reports
    it, at the same instant as in the timer-by-timer run; no other boundary runs."""
    stepped = reference(Emulator(CONFIG))
    change_in_a_day(stepped)
    boundaries.clear()
    skipped = Emulator(CONFIG)
    change_in_a_day(skipped)
    assert seen(skipped) == seen(stepped)
    first = 3  # one per channel, at 60 s
    assert boundaries[first:] == ["room01"]  # only the boundary with something to say
    reported = skipped.journal.filter(event_type="INTERVAL", channel="room01").entries[-1]
    # room01's listeners entered interval mode at 1.5 s: boundaries at 1.5 s + 10 s * k
    assert reported.delivered_at - skipped.config.start_time_ms == 40_001_500


def test_run_until_idle_counts_the_skipped_boundaries() -> None:
    """``max_timers`` counts every boundary crossed, skipped or run, as before."""

    def busy(emu: Emulator) -> None:
        interval_rooms(emu, 3, listeners=1)
        state = {"n": 0}

        def again() -> None:  # a scripted action that keeps rescheduling itself
            state["n"] += 1
            emu.at(emu.elapsed + 7, again)

        emu.at(emu.elapsed + 7, again)

    counts = []
    for emu in (Emulator(CONFIG), reference(Emulator(CONFIG))):
        busy(emu)
        with pytest.raises(RuntimeError, match="more than 5000 timers"):
            emu.run_until_idle(max_timers=5000)
        counts.append(seen(emu))
    assert counts[0] == counts[1]


def test_equal_counts_from_the_clock() -> None:
    """``FakeClock.advance_to`` returns the same count with and without the skip."""
    fired = []
    for emu in (Emulator(CONFIG), reference(Emulator(CONFIG))):
        interval_rooms(emu, 4)
        clock = emu._engine._clock
        fired.append([clock.advance_to(clock.now_ms + ms) for ms in (1, 29_999, 10**7, 3)])
    assert fired[0] == fired[1]
    assert sum(fired[0]) > 4 * 10**7 // 30_000


# ------------------------------------------------------------------ the clock


class Plan:
    """A random plan of timers on a bare clock: periodic timers of a few periods whose
    idleness flips when one-shot timers fire, one-shots scheduling more one-shots,
    periodic timers started and cancelled by them."""

    def __init__(self, seed: int, skip: bool) -> None:
        self.rng = random.Random(seed)
        self.clock = FakeClock(0)
        self.clock.skip_idle_periods = skip
        self.log: list[tuple[int, str]] = []
        self.busy: dict[str, bool] = {}
        self.periodic: dict[str, Timer] = {}
        self.made = 0

    def start_periodic(self) -> None:
        rng = self.rng
        self.made += 1
        name = f"p{self.made}"
        self.busy[name] = rng.random() < 0.3

        def fire(name: str = name) -> None:
            if self.busy[name]:  # a non-idle firing does something: it is logged
                self.log.append((self.clock.now_ms, name))
                self.busy[name] = self.rng.random() < 0.2
            # an idle one changes nothing (the reference calls it all the same)

        period = rng.choice((10, 10, 10, 7, 25))

        def idle(name: str = name) -> bool:
            return not self.busy[name]

        self.periodic[name] = self.clock.schedule(
            rng.randrange(0, 30), name, fire, idle, period=period
        )

    def one_shot(self, delay: int) -> None:
        self.made += 1
        name = f"o{self.made}"

        def fire() -> None:
            rng = self.rng
            self.log.append((self.clock.now_ms, name))
            roll = rng.random()
            if roll < 0.3 and self.busy:
                self.busy[rng.choice(sorted(self.busy))] = True  # something to report
            elif roll < 0.4:
                self.start_periodic()
            elif roll < 0.5 and self.periodic:
                victim = rng.choice(sorted(self.periodic))
                self.clock.cancel(self.periodic.pop(victim))
                del self.busy[victim]
            if rng.random() < 0.6:
                self.one_shot(rng.choice((0, 0, 3, 10, 20, 100, 1000)))

        self.clock.schedule(delay, name, fire)

    def run(self) -> tuple[Any, ...]:
        for _ in range(self.rng.randrange(1, 6)):
            self.start_periodic()
        for _ in range(self.rng.randrange(0, 5)):
            self.one_shot(self.rng.randrange(0, 200))
        fired = [self.clock.advance_to(self.clock.now_ms + self.rng.randrange(0, 3000))]
        fired.append(self.clock.advance_to(self.clock.now_ms + 20_000))
        self.clock.check()
        pending = [(t.due_ms, t.label) for t in self.clock.pending()]
        return fired, self.clock.now_ms, self.log, pending


@pytest.mark.parametrize("seed", range(120))
def test_random_plans_fire_as_the_timer_by_timer_clock_does(seed: int) -> None:
    assert Plan(seed, skip=True).run() == Plan(seed, skip=False).run()


def tie_run(skip: bool) -> tuple[list[str], list[str], int]:
    """Three timers of period 10, one phase: ``a`` from 10 ms, ``b`` and ``c`` from 30 ms;
    quiet until 95 ms, then all have something to do at 100 ms."""
    clock = FakeClock(0)
    clock.skip_idle_periods = skip
    quiet = {"a": True, "b": True, "c": True}
    log: list[str] = []

    def timer(name: str, delay: int) -> None:
        def fire() -> None:
            if not quiet[name]:
                log.append(name)

        clock.schedule(delay, name, fire, lambda: quiet[name], period=10)

    for name, delay in (("a", 10), ("b", 30), ("c", 30)):
        timer(name, delay)
    clock.advance_to(95)
    quiet.update(a=False, b=False, c=False)
    clock.advance_to(100)
    return log, [t.label for t in clock.pending()], clock.now_ms


def test_ties_keep_the_order_of_scheduling() -> None:
    """Timers of one period and phase started at different times: at each shared
    instant the one started later fires first (its firing still has its old seq
    while the other's was renewed), with and without the skip."""
    assert tie_run(True) == tie_run(False)
    assert tie_run(True)[0] == ["b", "c", "a"]


def test_a_skipped_periodic_timer_can_still_be_cancelled() -> None:
    clock = FakeClock(0)
    calls: list[int] = []
    timer = clock.schedule(5, "p", lambda: calls.append(clock.now_ms), lambda: True, period=5)
    assert clock.advance_to(1000) == 200
    assert [(t.due_ms, t.label) for t in clock.pending()] == [(1005, "p")]
    clock.cancel(timer)
    assert clock.advance_to(5000) == 0
    assert calls == [] and len(clock) == 0
    clock.check()


def test_a_periodic_timer_that_is_not_idle_runs_each_time() -> None:
    clock = FakeClock(0)
    calls: list[int] = []
    clock.schedule(5, "p", lambda: calls.append(clock.now_ms), lambda: False, period=5)
    assert clock.advance_to(20) == 4
    assert calls == [5, 10, 15, 20]
