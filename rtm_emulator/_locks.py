"""Distributed locks: the lock calls and ``lock`` events (R-LK1..R-LK22, D-LK1..D-LK12).

Theory of operation.  Each call runs the SDK's checks in the runtime's order (R-LK2:
rate key, channel type, link, ``LOCK_ENABLED``, channel name, lock name, then the
call's own: R-LK5..R-LK9), then what the server decides ([ours], D-LK1..D-LK12 in
docs/decisions.md):

* locks live per app and channel (a MESSAGE and a STREAM channel of one name are two
  namespaces); nobody needs to be subscribed (D-LK1);
* ``setLock`` makes a free lock with the TTL it was sent, revision 1, or fails -14004
  when it exists (D-LK2); every change bumps the lock's revision (D-LK3);
* ``acquireLock`` takes a free lock; a held one fails -14007, or with ``retry`` waits in
  a first-come queue (D-LK4); ``releaseLock`` by the holder frees it and the first
  waiter gets it (D-LK5); ``revokeLock`` takes it from the named holder, who hears
  ``EXPIRED`` (D-LK6); ``removeLock`` deletes it, its waiters fail -14008 (D-LK7);
* a holder whose link is lost keeps the lock for the server's detection time plus the
  lock's TTL, then it lapses; back before that, it keeps it unseen; back after, its
  SDK hears ``EXPIRED`` (D-LK8); a logout or a kick frees its locks at once (D-LK9);
* every change reaches the channel's ``withLock`` subscribers whose link is up, the
  actor included, before the call returns (D-LK10); a subscription starts with a
  ``SNAPSHOT`` (R-LK17), and again after a link loss (R-LK20).

The client's side (the SDK's held-lock table, its waiting ``retry`` acquires, its
``withLock`` channels) is kept per client through losses and kicks and forgotten at
logout (R-LK14).  Calls made from Python return at once, so two never overlap; the JS
client names the calls of the same lock still awaiting their replies in ``in_flight``
(R-LK9), which the SDK's checks read as its own tables would be.  Nothing here reads the
wall clock or iterates a set.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Collection, Mapping

import attrs

from ._bus import EventBus
from ._checks import rate, require_link
from ._clock import FakeClock, Timer
from ._errors import ErrorCode, RtmError
from ._ids import check_channel_name, check_channel_type, check_user_id
from ._limits import LOCK_SNAPSHOT_WINDOW_MS
from ._lock_checks import check_lock_name, set_lock_ttl
from ._lock_types import (
    AcquireLockResponse,
    GetLockResponse,
    LockDetail,
    LockEvent,
    LockEventType,
    LockResponse,
)
from ._session import ChannelKey, ClientCore
from ._surface import ACQUIRE_LOCK, RELEASE_LOCK, REMOVE_LOCK, REVOKE_LOCK, SET_LOCK, Operation
from ._types import LinkState
from ._validate import js_truthy

__all__ = ["ACQUIRING", "RETRY_ACQUIRING", "AcquireWaiter", "Locks"]

#: R-LK11: the server's reply codes -> the SDK's codes (0 and 1 succeed; others -14001).
_REPLY_CODES = {
    6: ErrorCode.LOCK_ALREADY_EXIST,
    7: ErrorCode.LOCK_ACQUIRE_FAILED,
    13: ErrorCode.LOCK_NOT_EXIST,
    14: ErrorCode.LOCK_PERMISSION_DENIED,
}
#: D-LK2, D-LK4, D-LK6, D-LK7: the codes the emulated server answers with
_EXISTS, _HELD, _NO_LOCK, _NOT_HOLDER = 6, 7, 13, 2

#: (channel key, lock name): one lock as a client knows it
LockKey = tuple[ChannelKey, str]


@attrs.define(eq=False)
class AcquireWaiter:
    """An ``acquireLock`` with ``retry`` waiting for the lock (D-LK4).  The engine
    settles it: with ``None`` when the lock is granted or a ``releaseLock`` of the same
    client ends the wait (R-LK13), with an error on logout (R-LK14) or removal (D-LK7)."""

    core: ClientCore
    key: ChannelKey
    lock_name: str
    response: AcquireLockResponse
    done: list[Callable[[RtmError | None], None]] = attrs.field(factory=list)

    def settle(self, error: RtmError | None) -> None:
        """Resolve (``None``) or reject every waiting caller."""
        callbacks, self.done = self.done, []
        for callback in callbacks:
            callback(error)


class _Lock:
    """One lock on the server."""

    __slots__ = ("holder", "lapse", "name", "revision", "ttl", "waiters")

    def __init__(self, name: str, ttl: int) -> None:
        self.name = name
        self.ttl = ttl
        self.holder: ClientCore | None = None
        self.revision = 1
        self.waiters: list[AcquireWaiter] = []
        self.lapse: Timer | None = None

    def detail(self) -> LockDetail:
        return LockDetail(self.name, self.ttl, self.holder.user_id if self.holder else "")


class _Mine:
    """One client's lock memory (the SDK's)."""

    __slots__ = ("enabled", "held", "pending", "snapshot_at", "subs")

    def __init__(self) -> None:
        #: the SDK's held-lock table: lock -> the revision its acquire returned
        self.held: dict[LockKey, int] = {}
        #: the acquires with ``retry`` still waiting
        self.pending: dict[LockKey, AcquireWaiter] = {}
        #: the channels subscribed ``withLock``
        self.subs: dict[ChannelKey, None] = {}
        #: R-LK17: when each channel's last SNAPSHOT arrived
        self.snapshot_at: dict[ChannelKey, int] = {}
        #: the SDK parameter ``LOCK_ENABLED`` (the console's default: on)
        self.enabled = True


#: R-LK9: the JS client's word for an ``acquireLock`` of the lock still in flight (the
#: row's name; with a truthy ``retry``: :data:`RETRY_ACQUIRING`)
ACQUIRING = ACQUIRE_LOCK.sdk
RETRY_ACQUIRING = f"{ACQUIRING}+retry"


def _sdk_holds(mine: _Mine, lock: LockKey, in_flight: Collection[str]) -> bool:
    """Whether the SDK's held-lock table has the lock: a release still in flight has
    not dropped it yet, an acquire still in flight has not added it yet (R-LK7, R-LK9)."""
    if RELEASE_LOCK.sdk in in_flight:
        return True
    if ACQUIRING in in_flight or RETRY_ACQUIRING in in_flight:
        return False
    return lock in mine.held


def _awaits(mine: _Mine, lock: LockKey, in_flight: Collection[str]) -> bool:
    """Whether an acquire with ``retry`` of the lock awaits its reply (R-LK7)."""
    return lock in mine.pending or RETRY_ACQUIRING in in_flight


def _options(options: object) -> Mapping[str, object]:
    return options if isinstance(options, Mapping) else {}


class Locks:
    """The lock calls, the server's locks and each client's lock memory."""

    __slots__ = ("_bus", "_clock", "_mine", "_subs", "_tables", "reply_codes")

    def __init__(self, clock: FakeClock, bus: EventBus) -> None:
        self._clock = clock
        self._bus = bus
        #: (app, channel key) -> lock name -> lock
        self._tables: dict[tuple[str, ChannelKey], dict[str, _Lock]] = {}
        #: (app, channel key) -> the clients subscribed withLock (the bus sorts events)
        self._subs: dict[tuple[str, ChannelKey], dict[ClientCore, None]] = {}
        self._mine: weakref.WeakKeyDictionary[ClientCore, _Mine] = weakref.WeakKeyDictionary()
        #: fault injection: (app, user) -> the server's reply code to that user's lock
        #: requests (0 or absent: the server decides)
        self.reply_codes: dict[tuple[str, str], int] = {}
        bus.filters[LockEvent] = self._receives

    # ------------------------------------------------------------- helpers

    def mine(self, core: ClientCore) -> _Mine:
        """The client's lock memory (made on first use)."""
        found = self._mine.get(core)
        if found is None:
            found = self._mine[core] = _Mine()
        return found

    def set_parameters(self, core: ClientCore, *, enabled: bool = True) -> None:
        """The SDK parameter ``LOCK_ENABLED`` of one client (R-LK2, R-LK18)."""
        if enabled and core not in self._mine:
            return
        self.mine(core).enabled = enabled

    def _require_enabled(self, core: ClientCore, operation: str) -> None:
        mine = self._mine.get(core)
        if mine is not None and not mine.enabled:
            raise RtmError.sdk(
                operation, ErrorCode.LOCK_NOT_AVAILABLE, detail="LOCK_ENABLED is false"
            )

    def _prelude(
        self, core: ClientCore, row: Operation, channel_name: object, channel_type: object
    ) -> ChannelKey:
        """R-LK2: rate, channel type (before login too), link, enabled, channel name."""
        operation = row.operation
        rate(core, row, self._clock)
        ctype = check_channel_type(operation, channel_type)
        require_link(core, operation, connected=True)
        self._require_enabled(core, operation)
        return ctype, check_channel_name(operation, channel_name)

    def _reply(self, core: ClientCore, operation: str, code: int) -> None:
        """R-LK11: a reply code other than success raises the SDK's error."""
        code = self.reply_codes.get((core.app_id, core.user_id), 0) or code
        if code in (0, 1):
            return
        raise RtmError.sdk(
            operation,
            _REPLY_CODES.get(code, ErrorCode.LOCK_OPERATION_FAILED),
            name="RtmUnavailableError",
            detail=f"the server replied with code {code}",
        )

    @staticmethod
    def _performing(operation: str, what: str) -> RtmError:
        return RtmError.sdk(operation, ErrorCode.LOCK_OPERATION_PERFORMING, detail=what)

    def _table(self, app_id: str, key: ChannelKey) -> dict[str, _Lock]:
        return self._tables.get((app_id, key), {})

    @staticmethod
    def _names(key: ChannelKey, lock_name: str) -> tuple[str, str, str]:
        return key[1], key[0].value, lock_name

    # ------------------------------------------------------------ LockView (storage)

    def held_lock_revision(self, core: ClientCore, key: ChannelKey, lock_name: str) -> int:
        """The revision of the lock ``core``'s client holds there, 0 for none (R-LK21)."""
        mine = self._mine.get(core)
        return 0 if mine is None else mine.held.get((key, lock_name), 0)

    def holder_revision(self, app_id: str, key: ChannelKey, lock_name: str, user_id: str) -> int:
        """The lock's revision when ``user_id`` holds it on the server, else 0 (D-ST6)."""
        lock = self._table(app_id, key).get(lock_name)
        if lock is None or lock.holder is None or lock.holder.user_id != user_id:
            return 0
        return lock.revision

    # ------------------------------------------------------------------ calls

    def op_set_lock(
        self,
        core: ClientCore,
        row: Operation,
        channel_name: object,
        channel_type: object,
        lock_name: object,
        options: object = None,
        *,
        in_flight: Collection[str] = (),
        wire_ttl: int | None = None,
    ) -> LockResponse:
        """``setLock`` (R-LK5; D-LK2): a new free lock with its TTL; ``SET`` to subscribers.

        The TTL is R-LK5's from ``options`` (the client's argument handling), or, when
        ``wire_ttl`` is given, that TTL as the server received it (D-LK12: a real SDK's
        packet, already clamped by the SDK; 0 stays 0) and ``options`` is not read.

        Raises:
            RtmError: -10021, -10019, -10025, -14009, -10008, -14005, -14003 (in flight),
                -14004 (exists), a reply fault (R-LK11).
        """
        operation = row.operation
        key = self._prelude(core, row, channel_name, channel_type)
        name = check_lock_name(operation, lock_name)
        ttl = set_lock_ttl(options) if wire_ttl is None else wire_ttl
        if SET_LOCK.sdk in in_flight:
            raise self._performing(operation, f"a setLock of {name!r} is in flight")
        table = self._table(core.app_id, key)
        self._reply(core, operation, _EXISTS if name in table else 0)
        lock = _Lock(name, ttl)
        with self._bus.operation():
            self._tables.setdefault((core.app_id, key), {})[name] = lock
            self._fan_out(core.app_id, key, "SET", lock)
        return LockResponse(*self._names(key, name))

    def op_remove_lock(
        self,
        core: ClientCore,
        row: Operation,
        channel_name: object,
        channel_type: object,
        lock_name: object,
        *,
        in_flight: Collection[str] = (),
    ) -> LockResponse:
        """``removeLock`` (D-LK7): anyone may remove a lock; its holder hears ``EXPIRED``,
        subscribers ``REMOVED``, each waiter's acquire fails -14008.

        Raises:
            RtmError: -10021, -10019, -10025, -14009, -10008, -14005, -14003, -14008.
        """
        operation = row.operation
        key = self._prelude(core, row, channel_name, channel_type)
        name = check_lock_name(operation, lock_name)
        if REMOVE_LOCK.sdk in in_flight:
            raise self._performing(operation, f"a removeLock of {name!r} is in flight")
        lock = self._table(core.app_id, key).get(name)
        self._reply(core, operation, _NO_LOCK if lock is None else 0)
        assert lock is not None
        with self._bus.operation():
            table = self._tables[(core.app_id, key)]
            del table[name]
            if not table:
                del self._tables[(core.app_id, key)]
            self._cancel_lapse(lock)
            if lock.holder is not None:
                self._expire_to(lock.holder, key, name)
                lock.holder = None
            lock.revision += 1
            self._fan_out(core.app_id, key, "REMOVED", lock)
            waiters, lock.waiters = lock.waiters, []
            for waiter in waiters:
                self._end_wait(waiter, ErrorCode.LOCK_NOT_EXIST, "the lock was removed")
        return LockResponse(*self._names(key, name))

    def op_acquire_lock(
        self,
        core: ClientCore,
        row: Operation,
        channel_name: object,
        channel_type: object,
        lock_name: object,
        options: object = None,
        *,
        in_flight: Collection[str] = (),
    ) -> AcquireLockResponse | AcquireWaiter:
        """``acquireLock`` (R-LK6; D-LK4): a free lock is granted (``ACQUIRED``); a held
        one fails, or with a truthy ``retry`` the call waits (an :class:`AcquireWaiter`).

        Raises:
            RtmError: -10021, -10019, -10025, -14009, -10008, -14005, -14003 (held or an
                acquire of it pending), -14008 (no such lock), -14007 (held by another).
        """
        operation = row.operation
        key = self._prelude(core, row, channel_name, channel_type)
        name = check_lock_name(operation, lock_name)
        mine = self.mine(core)
        if _sdk_holds(mine, (key, name), in_flight) or _awaits(mine, (key, name), in_flight):
            raise self._performing(operation, f"{name!r} is held or an acquire of it pending")
        if ACQUIRING in in_flight:
            raise self._performing(operation, f"an acquireLock of {name!r} is in flight")
        retry = js_truthy(_options(options).get("retry"))
        response = AcquireLockResponse(*self._names(key, name))
        lock = self._table(core.app_id, key).get(name)
        if lock is None:
            self._reply(core, operation, _NO_LOCK)
        elif lock.holder is not None and lock.holder is not core and not retry:
            self._reply(core, operation, _HELD)
        else:
            self._reply(core, operation, 0)
        assert lock is not None
        waiter = AcquireWaiter(core, key, name, response)
        with self._bus.operation():
            if lock.holder is None or lock.holder is core:
                self._grant(core.app_id, key, lock, waiter)
                return response
            lock.waiters.append(waiter)
            mine.pending[(key, name)] = waiter
        return waiter

    def op_release_lock(
        self,
        core: ClientCore,
        row: Operation,
        channel_name: object,
        channel_type: object,
        lock_name: object,
        *,
        in_flight: Collection[str] = (),
    ) -> LockResponse:
        """``releaseLock`` (R-LK7, R-LK13; D-LK5): the holder frees the lock and the first
        waiter gets it; a release of a ``retry`` acquire still waiting ends the wait (the
        acquire resolves, the lock is not held).

        Raises:
            RtmError: -10021, -10019, -10025, -14009, -10008, -14005, -14006 (neither held
                nor awaited with retry), -14003, a reply fault.
        """
        operation = row.operation
        key = self._prelude(core, row, channel_name, channel_type)
        name = check_lock_name(operation, lock_name)
        mine = self.mine(core)
        waiting = mine.pending.get((key, name))
        if not _sdk_holds(mine, (key, name), in_flight) and not _awaits(
            mine, (key, name), in_flight
        ):
            raise RtmError.sdk(
                operation, ErrorCode.LOCK_NOT_ACQUIRED, detail=f"{name!r} is not held"
            )
        if RELEASE_LOCK.sdk in in_flight:
            raise self._performing(operation, f"a releaseLock of {name!r} is in flight")
        self._reply(core, operation, 0)
        lock = self._table(core.app_id, key).get(name)
        with self._bus.operation():
            mine.held.pop((key, name), None)
            if lock is not None and lock.holder is core:
                self._free(core.app_id, key, lock)
            elif lock is not None:
                lock.waiters = [w for w in lock.waiters if w.core is not core]
            if waiting is not None:
                del mine.pending[(key, name)]
                waiting.settle(None)
        return LockResponse(*self._names(key, name))

    def op_revoke_lock(
        self,
        core: ClientCore,
        row: Operation,
        channel_name: object,
        channel_type: object,
        lock_name: object,
        owner: object,
        *,
        in_flight: Collection[str] = (),
    ) -> LockResponse:
        """``revokeLock`` (R-LK8; D-LK6): anyone takes the lock from ``owner``, who hears
        ``EXPIRED``; the first waiter gets it.

        Raises:
            RtmError: -10021, -10019, -10025, -14009, -10008, -14005, -10006 (owner),
                -14003, -14008 (no such lock), -14001 (``owner`` does not hold it).
        """
        operation = row.operation
        key = self._prelude(core, row, channel_name, channel_type)
        name = check_lock_name(operation, lock_name)
        holder_id = check_user_id(operation, owner)
        if REVOKE_LOCK.sdk in in_flight:
            raise self._performing(operation, f"a revokeLock of {name!r} is in flight")
        lock = self._table(core.app_id, key).get(name)
        if lock is None:
            self._reply(core, operation, _NO_LOCK)
        elif lock.holder is None or lock.holder.user_id != holder_id:
            self._reply(core, operation, _NOT_HOLDER)
        else:
            self._reply(core, operation, 0)
        assert lock is not None and lock.holder is not None
        with self._bus.operation():
            self._expire_to(lock.holder, key, name)
            self._free(core.app_id, key, lock)
        return LockResponse(*self._names(key, name))

    def op_get_lock(
        self,
        core: ClientCore,
        row: Operation,
        channel_name: object,
        channel_type: object,
        *,
        in_flight: Collection[str] = (),
    ) -> GetLockResponse:
        """``getLock``: the channel's locks in code-point order of name (R-LK10, D-LK10);
        ``in_flight`` changes nothing (R-LK9: getLock has no in-flight check).

        Raises:
            RtmError: -10021, -10019, -10025, -14009, -10008, a reply fault.
        """
        key = self._prelude(core, row, channel_name, channel_type)
        self._reply(core, row.operation, 0)
        return GetLockResponse(key[1], key[0].value, self._details(core.app_id, key))

    def _details(self, app_id: str, key: ChannelKey) -> list[LockDetail]:
        table = self._table(app_id, key)
        return [table[name].detail() for name in sorted(table)]

    # ------------------------------------------------------------- the server

    def _grant(self, app_id: str, key: ChannelKey, lock: _Lock, waiter: AcquireWaiter) -> None:
        """The lock goes to the waiter's client: ``ACQUIRED``, then its reply (D-LK4)."""
        core = waiter.core
        if lock.holder is not core:
            lock.holder = core
            lock.revision += 1
            self._fan_out(app_id, key, "ACQUIRED", lock)
        mine = self.mine(core)
        mine.held[(key, lock.name)] = lock.revision
        if mine.pending.get((key, lock.name)) is waiter:
            del mine.pending[(key, lock.name)]
        if not core.connected:
            self._arm_lapse(core, key, lock)
        waiter.settle(None)

    def _free(self, app_id: str, key: ChannelKey, lock: _Lock) -> None:
        """The holder is gone (release, lapse, revoke, logout, kick): ``RELEASED``, then
        the first waiter gets it (D-LK5)."""
        lock.holder = None
        lock.revision += 1
        self._cancel_lapse(lock)
        self._fan_out(app_id, key, "RELEASED", lock)
        if lock.waiters:
            self._grant(app_id, key, lock, lock.waiters.pop(0))

    def _end_wait(self, waiter: AcquireWaiter, code: ErrorCode, why: str) -> None:
        mine = self.mine(waiter.core)
        if mine.pending.get((waiter.key, waiter.lock_name)) is waiter:
            del mine.pending[(waiter.key, waiter.lock_name)]
        name = "RtmUnavailableError"
        waiter.settle(RtmError.sdk(ACQUIRE_LOCK.operation, code, name=name, detail=why))

    def _expire_to(self, holder: ClientCore, key: ChannelKey, name: str) -> None:
        """R-LK19: the holder's SDK drops the lock and hears ``EXPIRED`` (without
        ``withLock`` too); a holder whose link is down learns it when it is back."""
        if not holder.connected:
            return
        self.mine(holder).held.pop((key, name), None)
        self._bus.emit(holder, self._expired(key, name))

    def _expired(self, key: ChannelKey, name: str) -> LockEvent:
        """R-LK19: the ``EXPIRED`` event a holder hears, stamped now."""
        return LockEvent(key[0].value, key[1], "EXPIRED", name, timestamp=self._clock.now_ms)

    def _fan_out(self, app_id: str, key: ChannelKey, kind: LockEventType, lock: _Lock) -> None:
        """D-LK10: one event about ``lock`` to each connected ``withLock`` subscriber."""
        watchers = self._subs.get((app_id, key))
        if not watchers:
            return
        if kind == "REMOVED":
            event = LockEvent(key[0].value, key[1], kind, lock.name, revision=lock.revision)
        else:
            owner = lock.holder.user_id if lock.holder is not None else ""
            event = LockEvent(
                key[0].value, key[1], kind, lock.name, lock.ttl, owner, revision=lock.revision
            )
        event = event.stamped(self._clock.now_ms)
        for watcher in list(watchers):
            if watcher.connected:
                self._bus.emit(watcher, event)

    def _arm_lapse(self, core: ClientCore, key: ChannelKey, lock: _Lock) -> None:
        """D-LK8: a holder whose link is lost keeps the lock for the server's detection
        time (R-T2) plus its TTL."""
        if lock.lapse is not None:
            return
        due = core.config.detection_ms + max(0, lock.ttl) * 1000
        lock.lapse = self._clock.schedule(
            due,
            lambda: f"lock {lock.name!r} of {core.user_id!r} lapses",
            lambda: self._lapse(core, key, lock),
        )

    def _lapse(self, core: ClientCore, key: ChannelKey, lock: _Lock) -> None:
        lock.lapse = None
        if lock.holder is core and self._table(core.app_id, key).get(lock.name) is lock:
            with self._bus.operation():
                self._free(core.app_id, key, lock)

    def _cancel_lapse(self, lock: _Lock) -> None:
        if lock.lapse is not None:
            self._clock.cancel(lock.lapse)
            lock.lapse = None

    # ------------------------------------------------------- the client's links

    def link_lost(self, core: ClientCore) -> None:
        """The link went down: held locks start lapsing on the server (D-LK8) and the
        next ``SNAPSHOT`` is heard whenever it comes (R-LK17)."""
        mine = self._mine.get(core)
        if mine is None:
            return
        mine.snapshot_at.clear()
        for (key, name), _ in sorted(mine.held.items()):
            lock = self._table(core.app_id, key).get(name)
            if lock is not None and lock.holder is core:
                self._arm_lapse(core, key, lock)

    def link_back(self, core: ClientCore) -> None:
        """The link is back, or a login after a kick (R-LK20): each held lock is acquired
        again — kept unseen if the server still has it this client's, else ``EXPIRED`` —
        each waiting ``retry`` acquire keeps its place or queues again, and each
        ``withLock`` channel hears a fresh ``SNAPSHOT``."""
        mine = self._mine.get(core)
        if mine is None or not core.connected:
            return
        for (key, name), revision in sorted(mine.held.items()):
            lock = self._table(core.app_id, key).get(name)
            if lock is not None and lock.holder is core and lock.revision == revision:
                self._cancel_lapse(lock)
                continue
            del mine.held[(key, name)]
            self._bus.emit(core, self._expired(key, name))
        for key, name in sorted(mine.pending):
            waiter = mine.pending[(key, name)]
            lock = self._table(core.app_id, key).get(name)
            if lock is None:
                self._end_wait(waiter, ErrorCode.LOCK_NOT_EXIST, "the lock is gone")
            elif lock.holder is None:
                self._grant(core.app_id, key, lock, waiter)
            elif waiter not in lock.waiters:
                lock.waiters.append(waiter)
        mine.snapshot_at.clear()
        for key in sorted(mine.subs):
            self._snapshot(core, key)

    def kicked(self, core: ClientCore) -> None:
        """A kick ends the session (D-LK9): its locks are freed at once and its waits
        leave the queues; the client keeps its table and finds out at its next login."""
        with self._bus.operation():
            self._drop_server_side(core)
        mine = self._mine.get(core)
        if mine is not None:
            mine.snapshot_at.clear()

    def logged_out(self, core: ClientCore) -> None:
        """Logout (R-LK14, D-LK9): waiting acquires fail -14007, held locks are freed at
        once, every subscription and table entry is forgotten."""
        mine = self._mine.get(core)
        if mine is None:
            return
        self._drop_server_side(core)
        pending, mine.pending = mine.pending, {}
        for lock_key in sorted(pending):
            waiter = pending[lock_key]
            self._end_wait(waiter, ErrorCode.LOCK_ACQUIRE_FAILED, "logged out while waiting")
        mine.held.clear()
        for key in list(mine.subs):
            self._unsubscribe(core, key)
        mine.snapshot_at.clear()

    def _drop_server_side(self, core: ClientCore) -> None:
        """The server forgets the session: its locks freed, its waits dropped."""
        app = core.app_id
        for app_id, key in sorted(self._tables):
            if app_id != app:
                continue
            table = self._tables[(app_id, key)]
            for name in sorted(table):
                lock = table[name]
                lock.waiters = [w for w in lock.waiters if w.core is not core]
                if lock.holder is core:
                    self._free(app, key, lock)

    # ------------------------------------------------ withLock subscriptions

    def check_entry(self, core: ClientCore, operation: str, options: object) -> None:
        """R-LK18: ``withLock`` while ``LOCK_ENABLED`` is off is -14009 (in the subscribe
        / join options check).

        Raises:
            RtmError: -14009.
        """
        if js_truthy(_options(options).get("withLock")):
            self._require_enabled(core, operation)

    def entered(self, core: ClientCore, key: ChannelKey, options: object) -> None:
        """A subscribe / join succeeded (R-LK17): ``withLock`` on subscribes the channel's
        locks (a ``SNAPSHOT`` when the link is up), off drops them."""
        wants = js_truthy(_options(options).get("withLock"))
        mine = self._mine.get(core)
        if not wants and mine is None:
            return
        mine = self.mine(core)
        if wants and key not in mine.subs:
            mine.subs[key] = None
            self._subs.setdefault((core.app_id, key), {})[core] = None
            if core.connected:
                self._snapshot(core, key)
        elif not wants and key in mine.subs:
            self._unsubscribe(core, key)

    def exited(self, core: ClientCore, key: ChannelKey) -> None:
        """An unsubscribe / leave drops the channel's lock subscription (R-LK17)."""
        mine = self._mine.get(core)
        if mine is None:
            return
        mine.snapshot_at.pop(key, None)
        if key in mine.subs:
            self._unsubscribe(core, key)

    # ------------------------------------------- real-SDK lock subscriptions

    def watch(self, core: ClientCore, key: ChannelKey) -> list[tuple[LockDetail, int]]:
        """D-RS10: a real SDK's ``StateLockSubscribe``: ``core`` hears the channel's lock
        events as a ``withLock`` subscriber does (D-LK10, R-LK17), without any channel
        entry (the SDK enters the channel by its own packets and documents).

        Returns the channel's locks with their revisions in code-point order of name,
        for the ``SNAPSHOT`` the caller sends after its reply (D-LK10): no bus event, and
        no 4 s window here (the real SDK keeps its own, R-LK17)."""
        mine = self.mine(core)
        if key not in mine.subs:
            mine.subs[key] = None
            self._subs.setdefault((core.app_id, key), {})[core] = None
        mine.snapshot_at[key] = self._clock.now_ms
        return self.lock_states(core.app_id, key)

    def unwatch(self, core: ClientCore, key: ChannelKey) -> None:
        """D-RS10: a real SDK's ``StateLockUnsubscribe``: the channel's lock events stop
        (as when a ``withLock`` subscriber leaves)."""
        self.exited(core, key)

    def lock_states(self, app_id: str, key: ChannelKey) -> list[tuple[LockDetail, int]]:
        """The channel's locks and their revisions (D-LK3), in code-point order of name."""
        table = self._table(app_id, key)
        return [(table[name].detail(), table[name].revision) for name in sorted(table)]

    def revision(self, app_id: str, key: ChannelKey, lock_name: str) -> int:
        """The lock's revision now (D-LK3); 0 when there is no such lock."""
        lock = self._table(app_id, key).get(lock_name)
        return 0 if lock is None else lock.revision

    def waiting(self, core: ClientCore, key: ChannelKey, lock_name: str) -> bool:
        """Whether an acquire with ``retry`` of the lock by ``core``'s client waits."""
        mine = self._mine.get(core)
        return mine is not None and (key, lock_name) in mine.pending

    def _unsubscribe(self, core: ClientCore, key: ChannelKey) -> None:
        del self.mine(core).subs[key]
        watchers = self._subs.get((core.app_id, key))
        if watchers is not None:
            watchers.pop(core, None)
            if not watchers:
                del self._subs[(core.app_id, key)]

    def _snapshot(self, core: ClientCore, key: ChannelKey) -> None:
        """R-LK16, R-LK17: every lock of the channel, unless one came less than 4 s ago."""
        mine = self.mine(core)
        now = self._clock.now_ms
        last = mine.snapshot_at.get(key)
        if last is not None and now - last < LOCK_SNAPSHOT_WINDOW_MS:
            return
        mine.snapshot_at[key] = now
        details = self._details(core.app_id, key)
        self._bus.emit(
            core, LockEvent(key[0].value, key[1], "SNAPSHOT", snapshot=details, timestamp=now)
        )

    def _receives(self, core: ClientCore, event: LockEvent) -> bool:
        """A late event is heard only while its channel is still subscribed (an
        ``EXPIRED`` always)."""
        if event.event_type == "EXPIRED":
            return True
        mine = self._mine.get(core)
        if mine is None:
            return False
        return any(
            ctype.value == event.channel_type and name == event.channel_name
            for ctype, name in mine.subs
        )

    # ---------------------------------------------------------------- checks

    def check(self) -> None:
        """Assert the server's locks, the queues and the clients' tables agree."""
        for (app, key), table in self._tables.items():
            for name, lock in table.items():
                assert lock.revision > 0, (app, key, name)
                for waiter in lock.waiters:
                    assert waiter.core is not lock.holder, (app, key, name)
                    assert self.mine(waiter.core).pending.get((key, name)) is waiter
        for core, mine in list(self._mine.items()):
            for key in mine.subs:
                assert core in self._subs.get((core.app_id, key), ()), (core.user_id, key)
            if core.link_state is LinkState.IDLE:
                assert not mine.held and not mine.pending and not mine.subs, core.user_id
