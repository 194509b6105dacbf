"""The fake clock and timer queue (R-T1, R-E7: timers at one instant fire in order)."""

from __future__ import annotations

import pytest

from rtm_emulator import ConfigError, Emulator, EmulatorConfig, RtmError
from rtm_emulator._clock import FakeClock


class TestFakeClock:
    """Integer milliseconds, moved only by the test; sorted timers with sequence ties."""

    def test_r_t1_starts_at_config_and_moves_only_when_advanced(self) -> None:
        emu = Emulator(EmulatorConfig(start_time_ms=1_000), strict=True)
        assert 1_000 == emu.now_ms
        assert 1_000 == emu.now_ms
        emu.advance(1.5)
        assert 2_500 == emu.now_ms
        emu.advance(0)
        assert 2_500 == emu.now_ms

    def test_r_t1_default_start_is_2025_01_01(self) -> None:
        assert 1_735_689_600_000 == Emulator(strict=True).now_ms

    def test_r_t1_advance_rounds_to_whole_milliseconds(self) -> None:
        emu = Emulator(EmulatorConfig(start_time_ms=0), strict=True)
        emu.advance(0.0014)
        assert 1 == emu.now_ms
        emu.advance(0.0004)
        assert 1 == emu.now_ms

    @pytest.mark.parametrize("bad", [-1, -0.001, float("nan"), float("inf"), "1", None, True])
    def test_r_t1_advance_rejects_bad_durations(self, bad: object) -> None:
        emu = Emulator(strict=True)
        with pytest.raises(ConfigError) as info:
            emu.advance(bad)  # type: ignore[arg-type]
        assert isinstance(info.value, ValueError)
        assert isinstance(info.value, RtmError)
        assert "Invalid parameter." == info.value.reason
        assert repr(bad) in info.value.detail
        assert 1_735_689_600_000 == emu.now_ms

    def test_r_e7_timers_fire_in_due_order_then_schedule_order(self) -> None:
        clock = FakeClock(0)
        fired: list[tuple[str, int]] = []
        for name, delay in [("c", 20), ("a", 10), ("b", 10), ("d", 5)]:
            clock.schedule(delay, name, lambda n=name: fired.append((n, clock.now_ms)))
        assert 3 == clock.advance_to(15)
        assert [("d", 5), ("a", 10), ("b", 10)] == fired
        assert 15 == clock.now_ms
        assert 20 == clock.next_due_ms
        clock.check()

    def test_r_e7_timer_scheduled_by_a_timer_inside_the_window_fires(self) -> None:
        clock = FakeClock(0)
        fired: list[int] = []
        clock.schedule(
            5, "outer", lambda: clock.schedule(5, "inner", lambda: fired.append(clock.now_ms))
        )
        clock.advance_to(10)
        assert [10] == fired

    def test_cancelled_timer_never_fires(self) -> None:
        clock = FakeClock(0)
        fired: list[str] = []
        timer = clock.schedule(5, "x", lambda: fired.append("x"))
        clock.cancel(timer)
        clock.cancel(timer)
        clock.advance_to(100)
        assert [] == fired
        assert 0 == len(clock)
        assert clock.next_due_ms is None

    def test_r_e7_order_survives_many_cancellations(self) -> None:
        """Cancelled timers stay in the heap until compaction: nothing of them shows."""
        clock = FakeClock(0)
        fired: list[int] = []
        kept = []
        for i in range(1000):
            timer = clock.schedule(i % 7, f"t{i}", lambda i=i: fired.append(i))
            if i % 10:
                clock.cancel(timer)  # 900 cancelled: the heap compacts on the way
            else:
                kept.append(i)
            clock.check()
        assert 100 == len(clock)
        assert 0 == clock.next_due_ms
        assert [f"t{i}" for i in sorted(kept, key=lambda i: (i % 7, i))] == [
            t.label for t in clock.pending()
        ]
        assert 100 == clock.advance_to(10)
        assert sorted(kept, key=lambda i: (i % 7, i)) == fired
        assert 0 == len(clock) and clock.next_due_ms is None

    def test_labels_may_be_made_when_read(self) -> None:
        clock = FakeClock(0)
        made: list[str] = []
        clock.schedule(5, lambda: made.append("x") or "late label", lambda: None)
        assert [] == made  # scheduling does not build it
        assert ["late label"] == [t.label for t in clock.pending()]
        assert "late label" in repr(next(clock.pending()))
