"""The event bus: one outbox per operation, ordered delivery, global ``seq`` (R-E7, R-E9).

An *operation* is one client call, one emulator-level call (``disconnect``, ...) or one
timer firing.  While it runs, the engine :meth:`EventBus.emit`s events into the
operation's outbox.  When it ends without an error the outbox is dispatched: events are
grouped per recipient (stable, so in the order the operation produced them), recipients
in user-id order; each presence event gets the next global ``seq``; then listeners are
called, before the operation returns (zero latency).  An operation that raises
dispatches nothing.

Listeners that call back into the emulator start a nested operation; its events are
queued behind the ones being delivered, so delivery order always equals ``seq`` order.
An exception raised by a listener is recorded in ``errors`` and delivery goes on to the
other listeners (documented in ``docs/decisions.md``).  A ``BaseException`` that is not
an ``Exception`` (``KeyboardInterrupt``, ``SystemExit``) propagates out of the call that
was delivering, whose changes stand; the events that call had not delivered yet are
dropped, never handed to a later operation.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable
from typing import Any

import attrs

from ._clock import FakeClock
from ._events import LinkStateEvent, PresenceEvent
from ._faults import Faults
from ._session import ClientCore

__all__ = ["EventBus", "ListenerError"]


@attrs.frozen
class ListenerError:
    """An exception a listener raised while it received an event."""

    user_id: str
    event_name: str
    event: PresenceEvent | LinkStateEvent
    exception: BaseException


Event = PresenceEvent | LinkStateEvent


class _Operation:
    """The context manager of :meth:`EventBus.operation` (one per bus, re-entrant).

    A plain class rather than ``@contextmanager``: every emulator call enters one, and
    a generator-based context manager costs a few microseconds each time.
    """

    __slots__ = ("_bus", "_outer")

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._outer: list[bool] = []

    def __enter__(self) -> None:
        self._outer.append(self._bus._begin())

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        self._bus._end(self._outer.pop(), kind is not None)


class EventBus:
    """Collects each operation's events and delivers them in order."""

    def __init__(self, clock: FakeClock, faults: Faults) -> None:
        self._operation = _Operation(self)
        self._clock = clock
        self._faults = faults
        self._seq = 0
        self._batch: list[tuple[ClientCore, Event]] | None = None
        self._queue: deque[tuple[ClientCore, Event]] = deque()
        self._delivering = False
        self.errors: list[ListenerError] = []
        #: called with (recipient core, event) for every delivered event
        self.observers: list[Callable[[ClientCore, Event], None]] = []
        #: called after every operation that changed something (strict mode)
        self.after_operation: list[Callable[[], None]] = []

    @property
    def last_seq(self) -> int:
        """The ``seq`` of the last presence event delivered (0 before the first)."""
        return self._seq

    def operation(self) -> _Operation:
        """Run one operation (``with bus.operation(): ...``); dispatch its events if it
        ends without an error.  Nested use joins the enclosing operation.
        """
        return self._operation

    def _begin(self) -> bool:
        if self._batch is not None:
            return False  # nested: part of the enclosing operation
        self._batch = []
        return True

    def _end(self, outer: bool, failed: bool) -> None:
        if not outer:
            return
        if failed:
            self._batch = None
            return
        batch, self._batch = self._batch, None
        assert batch is not None
        if batch:
            self._dispatch(batch)
        for hook in self.after_operation:
            hook()

    def emit(self, recipient: ClientCore, event: Event) -> None:
        """Queue ``event`` for ``recipient`` in the current operation."""
        assert self._batch is not None, "emit outside an operation"
        self._batch.append((recipient, event))

    def _dispatch(self, batch: list[tuple[ClientCore, Event]]) -> None:
        batch.sort(key=_recipient_key)
        for core, event in batch:
            if isinstance(event, PresenceEvent):
                self._seq += 1
                event = event.with_seq(self._seq)
            delay = self._faults.latency_ms(core.app_id, core.user_id)
            if delay and isinstance(event, PresenceEvent):
                self._clock.schedule(
                    delay,
                    f"late delivery of seq {event.seq} to {core.user_id!r}",
                    functools.partial(self._late, core, event),
                )
            else:
                self._queue.append((core, event))
        self._drain()

    def _late(self, core: ClientCore, event: PresenceEvent) -> None:
        """A delayed event falls due: delivered if its client is still connected (R-E9)."""
        if core.logged_in and core.connected:
            self._queue.append((core, event))
            self._drain()

    def _drain(self) -> None:
        if self._delivering:
            return
        self._delivering = True
        try:
            while self._queue:
                core, event = self._queue.popleft()
                self._deliver(core, event)
        except BaseException:
            # a listener (or observer) raised past ``Exception`` (KeyboardInterrupt,
            # SystemExit): it propagates at once, and the events not yet delivered are
            # dropped, so no later operation receives them ("[ours] R-E9" in
            # docs/decisions.md)
            self._queue.clear()
            raise
        finally:
            self._delivering = False

    def _deliver(self, core: ClientCore, event: Event) -> None:
        name = "presence" if isinstance(event, PresenceEvent) else "linkState"
        for observer in self.observers:
            observer(core, event)
        for listener in list(core.listeners.get(name, ())):
            try:
                listener(event)
            except Exception as exc:
                self.errors.append(ListenerError(core.user_id, name, event, exc))


def _recipient_key(item: tuple[ClientCore, Any]) -> str:
    return item[0].user_id
