"""The fake clock and its timer queue (R-T1, R-E7).

Time is an integer number of milliseconds since the Unix epoch and moves only when the
test advances it.  Timers sit in a heap ordered by ``(due_ms, seq)``: timers due at
the same instant fire in the order they were scheduled.  Nothing here reads the
wall clock.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator

import attrs

__all__ = ["FakeClock", "Timer"]


@attrs.define(eq=False)
class Timer:
    """A scheduled callback.  ``label`` says what it is for (shown in timelines)."""

    due_ms: int
    seq: int
    #: the label, or a function that makes it (most timers are cancelled unread)
    what: str | Callable[[], str] = attrs.field(
        repr=lambda what: repr(what if isinstance(what, str) else what())
    )
    callback: Callable[[], object] = attrs.field(repr=False)
    cancelled: bool = False
    #: says whether firing now would neither deliver nor change anything observable
    #: (an interval boundary with nothing to report); ``None``: it always matters
    idle: Callable[[], bool] | None = attrs.field(default=None, repr=False)

    @property
    def label(self) -> str:
        """What the timer is for, e.g. ``debounced REMOTE_LEAVE of 'bob' in 'room'``."""
        return self.what if isinstance(self.what, str) else self.what()

    @property
    def is_idle(self) -> bool:
        """True when firing this timer now would change nothing a test can see."""
        return self.idle is not None and self.idle()


#: compact the heap when cancelled entries outnumber live ones by this much
_MIN_CANCELLED_TO_COMPACT = 64


class FakeClock:
    """Integer-millisecond clock with a deterministic timer queue.

    The queue is a binary heap of ``(due_ms, seq, timer)``: ``seq`` is unique, so ties
    on ``due_ms`` fire in scheduling order and timers themselves are never compared.
    Cancelling only marks the timer (O(1)); marked entries are skipped when they reach
    the top, and the heap is rebuilt without them once they are more than half of it,
    so it stays within twice the live timers (the scheme of asyncio's event loop).
    """

    def __init__(self, start_ms: int) -> None:
        #: current time in ms since the Unix epoch (read it; only ``advance_to`` moves it)
        self.now_ms = start_ms
        self._seq = 0
        self._heap: list[tuple[int, int, Timer]] = []
        self._live = 0

    def schedule(
        self,
        delay_ms: int,
        label: str | Callable[[], str],
        callback: Callable[[], object],
        idle: Callable[[], bool] | None = None,
    ) -> Timer:
        """Run ``callback`` ``delay_ms`` from now (``delay_ms >= 0``); returns its timer.

        ``label`` may be a function that returns the label, called only when read.
        """
        assert delay_ms >= 0, delay_ms
        self._seq += 1
        due = self.now_ms + delay_ms
        timer = Timer(due, self._seq, label, callback, idle=idle)
        heapq.heappush(self._heap, (due, self._seq, timer))
        self._live += 1
        return timer

    def cancel(self, timer: Timer) -> None:
        """Remove a pending timer; cancelling a fired or cancelled timer does nothing."""
        if not timer.cancelled:
            timer.cancelled = True
            self._live -= 1
            heap = self._heap
            if len(heap) - self._live > max(self._live, _MIN_CANCELLED_TO_COMPACT):
                self._heap = [entry for entry in heap if not entry[2].cancelled]
                heapq.heapify(self._heap)

    def _top(self) -> Timer | None:
        """The earliest pending timer (dropping cancelled entries on the way)."""
        heap = self._heap
        while heap:
            timer = heap[0][2]
            if not timer.cancelled:
                return timer
            heapq.heappop(heap)
        return None

    @property
    def next_due_ms(self) -> int | None:
        """When the earliest pending timer is due, or ``None``."""
        timer = self._top()
        return None if timer is None else timer.due_ms

    def all_idle(self) -> bool:
        """True when no pending timer would deliver or change anything if it fired."""
        return all(entry[2].cancelled or entry[2].is_idle for entry in self._heap)

    def pending(self) -> Iterator[Timer]:
        """The pending timers in firing order."""
        return iter([entry[2] for entry in sorted(self._heap) if not entry[2].cancelled])

    def __len__(self) -> int:
        return self._live

    def advance_to(self, target_ms: int) -> int:
        """Fire every timer due at or before ``target_ms`` in order, then stop there.

        The clock stands at each timer's due time while it fires; timers a callback
        schedules inside the window fire too.  Returns how many timers fired.

        Re-entrant (R-T1, "[ours] re-entrant advance" in docs/decisions.md): a callback
        may advance the clock itself.  That nested call fires, in order, every timer up
        to *its* target and returns with the clock there; the outer call then goes on
        from there to its own target, or, when the nested one went further, stops at
        the later time.  Time never goes backwards and no timer fires twice or out of
        order.
        """
        assert target_ms >= self.now_ms
        fired = 0
        while (timer := self._top()) is not None and timer.due_ms <= target_ms:
            heapq.heappop(self._heap)
            timer.cancelled = True
            self._live -= 1
            # a pending timer is never due before now (schedule() takes delays >= 0 and
            # time only moves forward), so this never moves the clock back
            self.now_ms = timer.due_ms
            fired += 1
            timer.callback()
        if target_ms > self.now_ms:  # a nested advance may already be further on
            self.now_ms = target_ms
        return fired

    def check(self) -> None:
        """Assert the queue's invariants (a heap, live count, none in the past)."""
        heap = self._heap
        for i in range(1, len(heap)):
            assert heap[(i - 1) // 2] <= heap[i], "heap order"
        live = [entry for entry in heap if not entry[2].cancelled]
        assert len(live) == self._live, (len(live), self._live)
        seen: set[int] = set()
        for due, seq, timer in live:
            assert (due, seq) == (timer.due_ms, timer.seq), timer
            assert timer.due_ms >= self.now_ms, (timer, self.now_ms)
            assert timer.seq not in seen, timer
            seen.add(timer.seq)
