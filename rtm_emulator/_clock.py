"""The fake clock and its timer queue (R-T1, R-E7).

Time is an integer number of milliseconds since the Unix epoch and moves only when the
test advances it.  Timers sit in a heap ordered by ``(due_ms, seq)``: timers due at
the same instant fire in the order they were scheduled.  Nothing here reads the
wall clock.

A *periodic* timer (``period``) comes back ``period`` ms after each firing (an
interval-mode boundary, R-E5).  While its ``idle`` predicate holds, firing it would do
nothing but that, so a jump of the clock crosses such quiet firings by arithmetic
instead of one by one ("[ours] R-T1 quiet boundaries are skipped" in
docs/decisions.md): a jump costs what happens in it, not its length.
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
    #: ms between firings of a periodic timer (the clock schedules its next firing,
    #: with a fresh ``seq``, before it runs the callback); ``0``: it fires once.  A
    #: periodic timer promises that its callback changes nothing while ``idle()``
    #: holds, so the clock may skip those firings
    period: int = 0

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


def _move_order(move: tuple[int, int, int, Timer]) -> tuple[int, int, int]:
    return move[0], move[1], move[2]


class FakeClock:
    """Integer-millisecond clock with a deterministic timer queue.

    The queue is a binary heap of ``(due_ms, seq, timer)``: ``seq`` is unique, so ties
    on ``due_ms`` fire in scheduling order and timers themselves are never compared.
    Cancelling only marks the timer (O(1)); marked entries are skipped when they reach
    the top, and the heap is rebuilt without them once they are more than half of it,
    so it stays within twice the live timers (the scheme of asyncio's event loop).
    """

    #: skip the idle firings of periodic timers by arithmetic (``False``: fire every
    #: one, callback included: the reference the tests compare the skip with)
    skip_idle_periods = True

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
        *,
        period: int = 0,
    ) -> Timer:
        """Run ``callback`` ``delay_ms`` from now (``delay_ms >= 0``); returns its timer.

        ``label`` may be a function that returns the label, called only when read.
        With ``period > 0`` the timer fires again every ``period`` ms until cancelled;
        its callback must change nothing while ``idle()`` holds (see :class:`Timer`).
        """
        assert delay_ms >= 0 and period >= 0, (delay_ms, period)
        self._seq += 1
        due = self.now_ms + delay_ms
        timer = Timer(due, self._seq, label, callback, idle=idle, period=period)
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
        schedules inside the window fire too.  Returns how many timers fired, the
        skipped idle firings of periodic timers included (see :meth:`_skip_idle`).

        Re-entrant (R-T1, "[ours] re-entrant advance" in docs/decisions.md): a callback
        may advance the clock itself.  That nested call fires, in order, every timer up
        to *its* target and returns with the clock there; the outer call then goes on
        from there to its own target, or, when the nested one went further, stops at
        the later time.  Time never goes backwards and no timer fires twice or out of
        order.
        """
        assert target_ms >= self.now_ms
        fired = 0
        heap = self._heap
        while (timer := self._top()) is not None and timer.due_ms <= target_ms:
            period = timer.period
            if period:
                idle = timer.idle
                if self.skip_idle_periods and idle is not None and idle():
                    fired += self._skip_idle(target_ms)
                    continue
                heapq.heappop(heap)
                # a pending timer is never due before now (schedule() takes delays >= 0
                # and time only moves forward), so this never moves the clock back
                self.now_ms = due = timer.due_ms
                self._seq += 1  # the next firing first, as a callback rescheduling would
                timer.due_ms, timer.seq = due + period, self._seq
                heapq.heappush(heap, (timer.due_ms, self._seq, timer))
            else:
                heapq.heappop(heap)
                timer.cancelled = True
                self._live -= 1
                self.now_ms = timer.due_ms
            fired += 1
            timer.callback()
            heap = self._heap  # a cancel() in the callback may have rebuilt it
        if target_ms > self.now_ms:  # a nested advance may already be further on
            self.now_ms = target_ms
        return fired

    def _skip_idle(self, target_ms: int) -> int:
        """Cross the idle firings of periodic timers at the top of the queue at once.

        The top timer is periodic and idle.  Firing an idle periodic timer changes
        nothing but its own next due, so until the first other timer fires — the
        first one in ``(due_ms, seq)`` order that is not idle and periodic with the
        same period (the *bound*), or ``target_ms`` — nothing changes whether any of
        them is idle.  Each of them (popped off the top in order: those due before
        the bound) would fire at its due, then every ``period`` ms strictly before the
        bound's due (a firing at the bound's own due gets a fresh ``seq``, so it comes
        after the bound) and no later than ``target_ms``.  Each is moved to its due
        after its last such firing, with fresh ``seq`` numbers given in the order of
        those last firings, as firing them one by one would give them.  Returns how
        many firings that stands for; the callbacks are not called.
        """
        heap = self._heap
        first = heap[0][2]
        period = first.period
        parked: list[Timer] = []
        while heap:
            timer = heap[0][2]
            if timer.cancelled:
                heapq.heappop(heap)
                continue
            if timer.due_ms > target_ms or timer.period != period:
                break
            idle = timer.idle
            if idle is None or not idle():
                break
            heapq.heappop(heap)
            parked.append(timer)
        last_ms = target_ms
        if heap and heap[0][2].due_ms <= target_ms:  # a bound within the jump
            last_ms = heap[0][2].due_ms - 1
        fired = 0
        moves: list[tuple[int, int, int, Timer]] = []
        for timer in parked:
            start = timer.due_ms
            count = 1 + (last_ms - start) // period if last_ms >= start else 1
            fired += count
            # of two timers of one period whose last firings fall at the same ms, the
            # one that started later fired first (its first firing had an older seq
            # than the other's fresh one), then the one with the older seq
            moves.append((start + (count - 1) * period, -start, timer.seq, timer))
        moves.sort(key=_move_order)
        for last, _, _, timer in moves:
            self._seq += 1
            timer.due_ms, timer.seq = last + period, self._seq
            heapq.heappush(heap, (timer.due_ms, self._seq, timer))
        self.now_ms = max(self.now_ms, moves[-1][0])
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
