"""What the SDK derives: each listening client's view of a channel (R-E1..R-E5, R-E8).

Theory of operation.  The real SDK gets no presence *events* from the server: it keeps a
replica of the channel's user documents and turns every document change into events
itself, and each client decides on its own when to switch to interval mode
(agora-rtm.js 2.3.0, ``ChannelPresence._handlePresenceEvent`` and ``_controlInterval``).
The server (``_server``) tells a channel's :class:`RoomViews` about each document change
(``joined``, ``left``, ``timed_out``, ``changed``); this module derives what every
listener sees:

* a listener in **announce** mode gets ``REMOTE_JOIN`` / ``REMOTE_LEAVE`` /
  ``REMOTE_TIMEOUT`` / ``REMOTE_STATE_CHANGED`` (never about itself);
* after its ``SNAPSHOT`` and after each ``REMOTE_JOIN`` it announces, a listener whose
  occupancy (the documents of its replica, itself included when visible) is at least
  the announce threshold enters **interval** mode (R-E5): from then on it gets one
  ``INTERVAL`` every ``interval`` seconds from its own entry, and it leaves the mode at
  once, with a final ``INTERVAL``, when a leave or timeout brings occupancy below the
  threshold.

Replicas are not copied per client: while a client is connected its replica *is* the
server's document set (events reach it before the operation returns, R-E9), so every
view reads ``room.docs``.  Listeners that entered interval mode at the same instant
share their periods, timers and aggregation in one :class:`Cohort`; only the removal of
the recipient itself from the lists is per recipient.  Aggregation follows the SDK: a
join and a leave (or timeout) of one user within a period cancel, ``leave`` and
``timeout`` list only users present at the last boundary, ``userStateList`` lists users
whose state changed and who are present at the period's end, in the order the changes
happened (JavaScript ``Set`` order).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs
from sortedcontainers import SortedDict

from ._bus import EventBus
from ._clock import FakeClock, Timer
from ._events import IntervalDetail, PresenceEvent, UserList
from ._index import OccupantIndex
from ._session import ClientCore
from ._types import EMPTY_STATE, PresenceEventType, StateMap, UserState

if TYPE_CHECKING:
    from ._server import Room

__all__ = [
    "FALLBACK_AFTER_MS",
    "Cohort",
    "RoomViews",
    "audible",
    "heard_state",
    "last_heard",
    "truthy",
]

#: R-E8: how long a listener waits in an outage before it falls back to the registry.
FALLBACK_AFTER_MS = 60_000

_E = PresenceEventType


@attrs.define(eq=False)
class Cohort:
    """Interval-mode listeners of one channel that entered the mode at the same ms,
    with no document change between their entries: the same period, the same baseline."""

    #: (ms of entry, the channel's document-change count at entry)
    key: tuple[int, int]
    members: SortedDict = attrs.field(factory=SortedDict)  # user id -> ClientCore
    joined: dict[str, None] = attrs.field(factory=dict)
    left: dict[str, None] = attrs.field(factory=dict)
    timed_out: dict[str, None] = attrs.field(factory=dict)
    changed: dict[str, None] = attrs.field(factory=dict)
    last_total: int = 0
    timer: Timer | None = None

    def is_quiet(self, total: int) -> bool:
        """Nothing to report at a boundary (no list would be non-empty, same total)."""
        return not (self.joined or self.left or self.timed_out or self.changed) and (
            total == self.last_total
        )


class RoomViews:
    """Every listening client's view of one channel."""

    def __init__(
        self,
        room: Room,
        bus: EventBus,
        clock: FakeClock,
        threshold: int,
        interval_ms: int,
    ) -> None:
        self._room = room
        self._bus = bus
        self._clock = clock
        self._threshold = threshold
        self._interval_ms = interval_ms
        #: connected listeners in announce mode, user-id order (R-E7)
        self.announce: SortedDict = SortedDict()
        #: interval-mode listeners by (ms of entry, document changes before it)
        self.cohorts: dict[tuple[int, int], Cohort] = {}
        #: document changes so far: listeners share a cohort only with the same baseline
        self.changes = 0
        #: R-E8: listeners that fell back to the member registry during an outage
        self.fallback: SortedDict = SortedDict()
        #: R-E8: listeners waiting out the 60 s before their fallback (user id -> timer)
        self.waiting: dict[str, Timer] = {}

    # ------------------------------------------------------------ membership

    def __len__(self) -> int:
        return (
            len(self.announce)
            + len(self.fallback)
            + sum(len(c.members) for c in self.cohorts.values())
        )

    def listeners(self) -> list[ClientCore]:
        """Every attached listener, user-id order."""
        cores: list[ClientCore] = list(self.announce.values()) + list(self.fallback.values())
        for cohort in self.cohorts.values():
            cores.extend(cohort.members.values())
        return sorted(cores, key=_uid)

    def attached(self, core: ClientCore) -> bool:
        """Whether ``core`` is attached (listening and connected)."""
        uid = core.user_id
        if self.announce.get(uid) is core or self.fallback.get(uid) is core:
            return True
        return any(c.members.get(uid) is core for c in self.cohorts.values())

    def attach(self, core: ClientCore) -> None:
        """A listener enters or comes back: its ``SNAPSHOT``, then the R-E5 entry check.

        While the channel's store is down it gets nothing, and falls back to the member
        registry 60 s later (R-E8).
        """
        room = self._room
        if not room.available:
            self.announce[core.user_id] = core
            self._wait_for_fallback(core)
            return
        self._emit(core, _E.SNAPSHOT, "", snapshot=tuple(room.docs.states()))
        if len(room.docs) >= self._threshold:
            self._enter_interval([core])
        else:
            self.announce[core.user_id] = core

    def resume(self, core: ClientCore, heard: dict[str, UserState]) -> None:
        """A listener's link is back (R-T3): its replica catches up with the documents.

        The SDK keeps its replica through the loss, so it gets no new ``SNAPSHOT``: the
        difference between what it last heard and the documents now arrives as events —
        ``REMOTE_LEAVE`` for users gone, then per user ``REMOTE_JOIN`` (and its state) or
        ``REMOTE_STATE_CHANGED`` — and then the R-E5 entry check.
        """
        room = self._room
        if not room.available:
            self.attach(core)
            return
        uid = core.user_id
        docs = room.docs
        for gone in sorted(heard):
            if gone != uid and gone not in docs:
                self._emit(core, _E.REMOTE_LEAVE, gone)
        for user, shown in zip(list(docs), list(docs.states()), strict=True):
            if user == uid:
                continue
            before = heard.get(user)
            if before is None:
                self._emit(core, _E.REMOTE_JOIN, user)
                if audible(EMPTY_STATE, shown.states):
                    self._emit(core, _E.REMOTE_STATE_CHANGED, user, heard_state(shown.states))
            elif audible(before.states, shown.states):
                self._emit(core, _E.REMOTE_STATE_CHANGED, user, heard_state(shown.states))
        if len(docs) >= self._threshold:
            self._enter_interval([core])
        else:
            self.announce[uid] = core

    def detach(self, core: ClientCore) -> None:
        """A listener leaves, stops listening or loses its link: it hears nothing more."""
        uid = core.user_id
        waiting = self.waiting.pop(uid, None)
        if waiting is not None:
            self._clock.cancel(waiting)
        if self.announce.get(uid) is core:
            del self.announce[uid]
            return
        if self.fallback.get(uid) is core:
            del self.fallback[uid]
            return
        for entered, cohort in list(self.cohorts.items()):
            if cohort.members.get(uid) is core:
                del cohort.members[uid]
                if not cohort.members:
                    self._drop(entered)
                return

    def close(self) -> None:
        """The channel is gone: stop every timer."""
        for entered in list(self.cohorts):
            self._drop(entered)

    # --------------------------------------------------------- document changes

    def joined(self, uid: str) -> None:
        """A user's document appeared (REMOTE_JOIN, R-E1)."""
        self.changes += 1
        if not self._room.available:
            return
        for cohort in self.cohorts.values():
            if uid in cohort.timed_out:
                del cohort.timed_out[uid]
            elif uid in cohort.left:
                del cohort.left[uid]
            else:
                cohort.joined[uid] = None
        heard = [core for u, core in self.announce.items() if u != uid]
        self._emit_all(heard, _E.REMOTE_JOIN, uid)
        if heard and len(self._room.docs) >= self._threshold:
            self._enter_interval(heard)

    def left(self, uid: str) -> None:
        """A user's document was removed (REMOTE_LEAVE, R-E2)."""
        self._gone(uid, _E.REMOTE_LEAVE, "left")

    def timed_out(self, uid: str) -> None:
        """A user's document expired (REMOTE_TIMEOUT, R-T2)."""
        self._gone(uid, _E.REMOTE_TIMEOUT, "timed_out")

    def _gone(self, uid: str, event_type: PresenceEventType, record: str) -> None:
        """A leave or a timeout: it cancels a join of the same period (R-E5), is
        announced, and may end interval mode."""
        self.changes += 1
        if not self._room.available:
            return
        for cohort in self.cohorts.values():
            if uid in cohort.joined:
                del cohort.joined[uid]
            else:
                getattr(cohort, record)[uid] = None
        self._emit_all(self._others(uid), event_type, uid)
        self._maybe_exit()

    def changed(self, uid: str, state: StateMap) -> None:
        """A user's document fields changed (REMOTE_STATE_CHANGED, full state, R-E3)."""
        self.changes += 1
        if not self._room.available:
            return
        for cohort in self.cohorts.values():
            cohort.changed.setdefault(uid)  # a JS Set: a user keeps its first place
        others = self._others(uid)
        if others:
            self._emit_all(others, _E.REMOTE_STATE_CHANGED, uid, heard_state(state))

    # R-E8: the member registry while the document store is down

    def registry_joined(self, uid: str) -> None:
        """A member entered while the store is down: fallback listeners hear it."""
        self._emit_all([c for u, c in self.fallback.items() if u != uid], _E.REMOTE_JOIN, uid)

    def registry_left(self, uid: str) -> None:
        """A member left while the store is down: fallback listeners hear it."""
        self._emit_all([c for u, c in self.fallback.items() if u != uid], _E.REMOTE_LEAVE, uid)

    def outage(self) -> None:
        """The store went down: interval periods end without a report, and every
        listener starts its 60 s wait for the registry fallback (R-E8)."""
        for entered in list(self.cohorts):
            for uid, core in self.cohorts[entered].members.items():
                self.announce[uid] = core
            self._drop(entered)
        for core in list(self.announce.values()):
            self._wait_for_fallback(core)

    def restore(self) -> None:
        """The store is back: every listener gets a fresh full ``SNAPSHOT`` (R-E8)."""
        cores = self.listeners()
        for timer in self.waiting.values():
            self._clock.cancel(timer)
        self.waiting.clear()
        for entered in list(self.cohorts):
            self._drop(entered)
        self.announce.clear()
        self.fallback.clear()
        for core in cores:
            self.attach(core)

    def in_fallback(self, core: ClientCore) -> bool:
        """Whether ``core`` answers from the member registry (R-E8)."""
        return self.fallback.get(core.user_id) is core

    def _wait_for_fallback(self, core: ClientCore) -> None:
        uid = core.user_id
        old = self.waiting.pop(uid, None)
        if old is not None:
            self._clock.cancel(old)
        room = self._room

        def fall_back() -> None:
            del self.waiting[uid]
            if self.announce.get(uid) is core:
                with self._bus.operation():
                    del self.announce[uid]
                    self._fallback_snapshot(core)

        self.waiting[uid] = self._clock.schedule(
            FALLBACK_AFTER_MS,
            lambda: f"{uid!r} falls back to the member registry of {room.describe()}",
            fall_back,
        )

    # ------------------------------------------------------------- interval mode

    def _enter_interval(self, cores: list[ClientCore]) -> None:
        key = (self._clock.now_ms, self.changes)
        cohort = self.cohorts.get(key)
        if cohort is None:
            cohort = self.cohorts[key] = Cohort(key)
            cohort.last_total = len(self._room.docs)
            cohort.timer = self._schedule(cohort)
        for core in cores:
            self.announce.pop(core.user_id, None)
            cohort.members[core.user_id] = core

    def _schedule(self, cohort: Cohort) -> Timer:
        """The cohort's boundary timer: every ``interval`` from its entry (R-E5).

        Periodic, and idle while the cohort has nothing to report: the clock then skips
        the boundary ("[ours] R-T1 quiet boundaries are skipped"), which is exact
        because a quiet boundary changes nothing (see :meth:`_report`).
        """
        room = self._room
        entered = cohort.key
        return self._clock.schedule(
            self._interval_ms,
            lambda: f"INTERVAL boundary of {room.describe()} (listeners since {entered[0]})",
            lambda: self._boundary(entered),
            lambda: cohort.is_quiet(len(room.docs)),
            period=self._interval_ms,
        )

    def _boundary(self, entered: tuple[int, int]) -> None:
        """One boundary of a cohort (its timer is periodic: the clock has already
        scheduled the next one)."""
        cohort = self.cohorts.get(entered)
        if cohort is None:  # pragma: no cover - dropping a cohort cancels its timer
            return
        with self._bus.operation():
            self._report(cohort)

    def _maybe_exit(self) -> None:
        if self.cohorts and len(self._room.docs) < self._threshold:
            for entered in list(self.cohorts):
                cohort = self.cohorts[entered]
                self._report(cohort)
                for uid, core in cohort.members.items():
                    self.announce[uid] = core
                self._drop(entered)

    def _drop(self, entered: tuple[int, int]) -> None:
        cohort = self.cohorts.pop(entered)
        if cohort.timer is not None:
            self._clock.cancel(cohort.timer)
            cohort.timer = None

    def _report(self, cohort: Cohort) -> None:
        """One boundary (or the flush on exit): an ``INTERVAL`` to each member.

        ``leave`` and ``timeout`` list only users present at the last boundary: with
        the cancellation rules every user they hold was (a user who joined in the period
        and left again is in neither list).  A quiet boundary (``Cohort.is_quiet``)
        emits nothing and leaves the cohort as it was (empty lists, the same total),
        which is what lets the clock skip it.
        """
        docs = self._room.docs
        total = len(docs)
        join = tuple(cohort.joined)
        leave = tuple(cohort.left)
        timeout = tuple(cohort.timed_out)
        states: list[UserState] = []
        for uid in cohort.changed:
            shown = docs.get(uid)
            if shown is not None:
                states.append(shown)
        last_total = cohort.last_total
        cohort.joined, cohort.left, cohort.timed_out, cohort.changed = {}, {}, {}, {}
        cohort.last_total = total
        mentioned = set(join) | set(leave) | set(timeout) | {s.user_id for s in states}
        shared: PresenceEvent | None = None
        quiet = False  # the shared INTERVAL would report nothing
        emit = self._bus.emit
        for uid, core in cohort.members.items():
            if uid in mentioned:
                detail = _detail(
                    tuple(u for u in join if u != uid),
                    tuple(u for u in leave if u != uid),
                    tuple(u for u in timeout if u != uid),
                    [s for s in states if s.user_id != uid],
                    total,
                )
                if not (_empty(detail) and total == last_total):
                    emit(core, self._event(_E.INTERVAL, "", interval=detail))
                continue
            if shared is None and not quiet:
                detail = _detail(join, leave, timeout, states, total)
                quiet = _empty(detail) and total == last_total
                if not quiet:
                    shared = self._event(_E.INTERVAL, "", interval=detail)
            if shared is not None:
                emit(core, shared)

    # ---------------------------------------------------------------- emitting

    def _others(self, uid: str) -> list[ClientCore]:
        return [core for u, core in self.announce.items() if u != uid]

    def _event(
        self,
        event_type: PresenceEventType,
        publisher: str,
        state: StateMap = EMPTY_STATE,
        *,
        snapshot: tuple[UserState, ...] = (),
        interval: IntervalDetail | None = None,
    ) -> PresenceEvent:
        key = self._room.key
        return PresenceEvent(
            event_type=event_type,
            channel_type=key[0],
            channel_name=key[1],
            publisher=publisher,
            state_changed=state,
            interval=interval,
            snapshot=snapshot,
            timestamp=self._clock.now_ms,
        )

    def _emit(
        self,
        core: ClientCore,
        event_type: PresenceEventType,
        publisher: str,
        state: StateMap = EMPTY_STATE,
        *,
        snapshot: tuple[UserState, ...] = (),
    ) -> None:
        self._bus.emit(core, self._event(event_type, publisher, state, snapshot=snapshot))

    def _emit_all(
        self,
        cores: list[ClientCore],
        event_type: PresenceEventType,
        publisher: str,
        state: StateMap = EMPTY_STATE,
    ) -> None:
        if cores:
            event = self._event(event_type, publisher, state)
            emit = self._bus.emit
            for core in cores:
                emit(core, event)

    def _fallback_snapshot(self, core: ClientCore) -> None:
        room = self._room
        users = tuple(
            UserState(uid) for uid, options in sorted(room.members.items()) if not options.be_quiet
        )
        self._emit(core, _E.SNAPSHOT, "", snapshot=users)
        self.fallback[core.user_id] = core

    def check(self, docs: OccupantIndex) -> None:
        """Assert the views agree with the channel (used by ``check_invariants``)."""
        seen: set[str] = set()
        for group in (self.announce, self.fallback, *(c.members for c in self.cohorts.values())):
            for uid, core in group.items():
                assert uid == core.user_id and uid not in seen, uid
                seen.add(uid)
                options = self._room.members.get(uid)
                assert options is not None and options.with_presence and core.connected, uid
                assert core.members.get(self._room.key) is self._room, uid
        for entered, cohort in self.cohorts.items():
            assert cohort.members and cohort.key == entered
            assert cohort.timer is not None and not cohort.timer.cancelled
        if self._room.available:
            assert not self.fallback and not self.waiting


def audible(before: StateMap, after: StateMap) -> bool:
    """Whether a listener's SDK reports a change from ``before`` to ``after`` (R-S5).

    The SDK's replica reacts to a removed field, or to a field put with a *truthy*
    value (agora-rtm.js 2.3.0, ``ChannelPresence._handlePresenceEvent``): a change that
    only writes ``false``, ``0``, ``""`` or ``null`` is not reported.
    """
    if any(key not in after for key in before):
        return True
    return any(
        truthy(value) and (key not in before or before[key] != value)
        for key, value in after.items()
    )


def last_heard(written: Mapping[str, object]) -> bool:
    """Whether the SDK reports a write of these fields (R-S5): it reacts when it handles
    the write's *last* field and that field's value is truthy (agora-rtm.js 2.3.0, the
    pending state change is set on the batch's last event)."""
    if not written:
        return False
    return truthy(list(written.values())[-1])


def heard_state(state: StateMap) -> StateMap:
    """The state a listener's SDK shows in ``REMOTE_STATE_CHANGED``: its replica keeps
    only fields written with truthy values (R-S5)."""
    if all(truthy(value) for value in state.values()):
        return state
    return StateMap({key: value for key, value in state.items() if truthy(value)})


def truthy(value: object) -> bool:
    """JavaScript truthiness of a JSON value."""
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == value and value != 0
    if isinstance(value, str):
        return value != ""
    return True


def _detail(
    join: tuple[str, ...],
    leave: tuple[str, ...],
    timeout: tuple[str, ...],
    states: list[UserState],
    total: int,
) -> IntervalDetail:
    return IntervalDetail(
        join=UserList(join),
        leave=UserList(leave),
        timeout=UserList(timeout),
        user_state_list=states,
        total_occupancy=total,
    )


def _empty(detail: IntervalDetail) -> bool:
    return not (
        detail.join.users or detail.leave.users or detail.timeout.users or detail.user_state_list
    )


def _uid(core: ClientCore) -> str:
    return core.user_id
