"""The event bus: one outbox per operation, ordered delivery, global ``seq`` (R-E7, R-E9).

An *operation* is one client call, one emulator-level call (``disconnect``, ...) or one
timer firing.  While it runs, the engine :meth:`EventBus.emit`s events into the
operation's outbox.  When it ends without an error the outbox is dispatched: events are
grouped per recipient (stable, so in the order the operation produced them), recipients
in user-id order; each presence event gets the next global ``seq``; then listeners are
called, before the operation returns (zero latency).  An operation that raises
dispatches nothing.  Each event goes to the listeners of its class's ``listener_name``.

A latency fault (R-E9) delays every event that comes from the service (presence,
message and topic events; a client's own link-state events are never late).  A late
message or topic event is stamped with the clock when it is delivered (R-M24); one
whose client's link is down by then is handed to :attr:`EventBus.undelivered` (R-M22
keeps messages for the client) or dropped.  :attr:`EventBus.filters` are the SDK's
receive-side checks (R-M6), made when a late event falls due: an event a filter refuses
is neither delivered nor journaled.  (An event delivered in its own operation needs no
check: the service sends it only to a client that wants it then.)

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
from ._events import DocEvent, LinkStateEvent, MessageEvent, PresenceEvent, TopicEvent
from ._faults import Faults
from ._lock_types import LockEvent
from ._session import ClientCore
from ._storage_types import StorageEvent
from ._token_types import TokenEvent, TokenWillExpireEvent

__all__ = ["Delivered", "Event", "EventBus", "ListenerError"]


#: Any event a listener receives.
Event = (
    PresenceEvent
    | LinkStateEvent
    | MessageEvent
    | TopicEvent
    | StorageEvent
    | LockEvent
    | TokenEvent
    | TokenWillExpireEvent
)

#: What the bus delivers: the events, and a real SDK's document batches (D-RS3), which
#: are its transport, never journaled.
Delivered = Event | DocEvent


@attrs.frozen
class ListenerError:
    """An exception a listener raised while it received an event."""

    user_id: str
    event_name: str
    event: Delivered
    exception: BaseException


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
        self._batch: list[tuple[ClientCore, Delivered]] | None = None
        self._queue: deque[tuple[ClientCore, Delivered]] = deque()
        self._delivering = False
        self.errors: list[ListenerError] = []
        #: called with (recipient core, event) for every delivered event
        self.observers: list[Callable[[ClientCore, Delivered], None]] = []
        #: called after every operation that changed something (strict mode)
        self.after_operation: list[Callable[[], None]] = []
        #: per event class, the SDK's receive-side check of a late event (R-M6): an
        #: event it refuses is dropped (not delivered, not journaled)
        self.filters: dict[type, Callable[[ClientCore, Any], bool]] = {}
        #: gets a late event whose client's link is down when it falls due (R-M22)
        self.undelivered: Callable[[ClientCore, Delivered], None] | None = None

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

    def emit(self, recipient: ClientCore, event: Delivered) -> None:
        """Queue ``event`` for ``recipient`` in the current operation."""
        assert self._batch is not None, "emit outside an operation"
        self._batch.append((recipient, event))

    def _dispatch(self, batch: list[tuple[ClientCore, Delivered]]) -> None:
        batch.sort(key=_recipient_key)
        latency = self._faults.latency_ms if self._faults.any_latency() else None
        queue = self._queue
        for core, event in batch:
            if type(event) is PresenceEvent:
                self._seq += 1
                event = event.with_seq(self._seq)
            delay = latency(core.app_id, core.user_id) if latency is not None else 0
            if delay and type(event) is not LinkStateEvent:
                self._clock.schedule(
                    delay,
                    f"late delivery of {_describe(event)} to {core.user_id!r}",
                    functools.partial(self._late, core, event),
                )
            else:
                queue.append((core, event))
        self._drain()

    def _late(self, core: ClientCore, event: Delivered) -> None:
        """A delayed event falls due: delivered if its client is still connected (R-E9),
        a message or topic event stamped now (R-M24); otherwise a message goes to
        :attr:`undelivered` (R-M22) and anything else is dropped."""
        if core.logged_in and core.connected:
            check = self.filters.get(type(event))
            if check is not None and not check(core, event):
                return
            if isinstance(event, (MessageEvent, TopicEvent, StorageEvent, LockEvent)):
                event = event.stamped(self._clock.now_ms)
            self._queue.append((core, event))
            self._drain()
        elif self.undelivered is not None:
            self.undelivered(core, event)

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

    def _deliver(self, core: ClientCore, event: Delivered) -> None:
        name = event.listener_name
        for observer in self.observers:
            observer(core, event)
        # R-TK10: a tokenPrivilegeWillExpire listener receives the channel name alone
        argument = event.channel_name if type(event) is TokenWillExpireEvent else event
        for listener in list(core.listeners.get(name, ())):
            try:
                listener(argument)
            except Exception as exc:
                self.errors.append(ListenerError(core.user_id, name, event, exc))


def _recipient_key(item: tuple[ClientCore, Any]) -> str:
    return item[0].user_id


def _describe(event: Delivered) -> str:
    """How a late delivery's timer names its event."""
    if type(event) is PresenceEvent:
        return f"seq {event.seq}"
    return f"a {event.listener_name} event"
