"""The fake clock and its timer queue (R-T1, R-E7).

Time is an integer number of milliseconds since the Unix epoch and moves only when the
test advances it.  Timers sit in a sorted list keyed by ``(due_ms, seq)``: timers due
at the same instant fire in the order they were scheduled.  Nothing here reads the
wall clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import attrs
from sortedcontainers import SortedKeyList

__all__ = ["FakeClock", "Timer"]


@attrs.define(eq=False)
class Timer:
    """A scheduled callback.  ``label`` says what it is for (shown in timelines)."""

    due_ms: int
    seq: int
    label: str
    callback: Callable[[], object] = attrs.field(repr=False)
    cancelled: bool = False
    #: says whether firing now would neither deliver nor change anything observable
    #: (an interval boundary with nothing to report); ``None``: it always matters
    idle: Callable[[], bool] | None = attrs.field(default=None, repr=False)

    @property
    def is_idle(self) -> bool:
        """True when firing this timer now would change nothing a test can see."""
        return self.idle is not None and self.idle()


def _timer_key(timer: Timer) -> tuple[int, int]:
    return (timer.due_ms, timer.seq)


class FakeClock:
    """Integer-millisecond clock with a deterministic timer queue."""

    def __init__(self, start_ms: int) -> None:
        self._now_ms = start_ms
        self._seq = 0
        self._timers: SortedKeyList = SortedKeyList(key=_timer_key)

    @property
    def now_ms(self) -> int:
        """Current time in ms since the Unix epoch."""
        return self._now_ms

    def schedule(
        self,
        delay_ms: int,
        label: str,
        callback: Callable[[], object],
        idle: Callable[[], bool] | None = None,
    ) -> Timer:
        """Run ``callback`` ``delay_ms`` from now (``delay_ms >= 0``); returns its timer."""
        assert delay_ms >= 0, delay_ms
        self._seq += 1
        timer = Timer(self._now_ms + delay_ms, self._seq, label, callback, idle=idle)
        self._timers.add(timer)
        return timer

    def cancel(self, timer: Timer) -> None:
        """Remove a pending timer; cancelling a fired or cancelled timer does nothing."""
        if not timer.cancelled:
            timer.cancelled = True
            self._timers.discard(timer)

    @property
    def next_due_ms(self) -> int | None:
        """When the earliest pending timer is due, or ``None``."""
        return self._timers[0].due_ms if self._timers else None

    def all_idle(self) -> bool:
        """True when no pending timer would deliver or change anything if it fired."""
        return all(timer.is_idle for timer in self._timers)

    def pending(self) -> Iterator[Timer]:
        """The pending timers in firing order."""
        return iter(list(self._timers))

    def __len__(self) -> int:
        return len(self._timers)

    def advance_to(self, target_ms: int) -> int:
        """Fire every timer due at or before ``target_ms`` in order, then stop there.

        The clock stands at each timer's due time while it fires; timers a callback
        schedules inside the window fire too.  Returns how many timers fired.
        """
        assert target_ms >= self._now_ms
        fired = 0
        while self._timers and self._timers[0].due_ms <= target_ms:
            timer = self._timers.pop(0)
            timer.cancelled = True
            self._now_ms = timer.due_ms
            fired += 1
            timer.callback()
        self._now_ms = target_ms
        return fired

    def check(self) -> None:
        """Assert the queue's invariants (sorted, none cancelled, none in the past)."""
        self._timers._check()
        seen: set[int] = set()
        for timer in self._timers:
            assert not timer.cancelled, timer
            assert timer.due_ms >= self._now_ms, (timer, self._now_ms)
            assert timer.seq not in seen, timer
            seen.add(timer.seq)
