"""The presence engine: sans-IO, synchronous, deterministic.

Inputs are method calls (from the client facade, from emulator-level calls, from
timers); outputs are return values and events handed to the :class:`EventBus`.  Every
public-facing operation first validates *all* of its input in the order of
semantics.md's error precedence, and only then mutates state inside one bus operation,
so a call that raises changes nothing and emits nothing.

Which events a presence change produces is decided by the table in ``_lifecycle``;
this module only applies it.  Nothing here reads the wall clock or iterates a set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ._bus import EventBus, ListenerError
from ._clock import FakeClock, Timer
from ._config import EmulatorConfig, RTMConfig
from ._errors import ConfigError, ErrorCode, RtmError
from ._events import IntervalDetail, LinkStateEvent, PresenceEvent, UserList
from ._faults import Faults
from ._journal import Journal, JournalEntry
from ._lifecycle import Announce, Cause, Condition, announcement, condition
from ._paging import decode_bookmark, encode_bookmark
from ._state import Channel, ChannelKey, ClientCore, Member, Period, RestoreEntry
from ._types import (
    EMPTY_STATE,
    ChannelDetail,
    ChannelType,
    GetOnlineUsersResponse,
    GetStateResponse,
    GetUserChannelsResponse,
    LinkOperation,
    LinkState,
    LinkStateReasonCode,
    PresenceEventType,
    StateMap,
    UserState,
)
from ._validate import (
    NOT_GIVEN,
    check_channel_name,
    check_channel_type,
    check_duration_ms,
    check_options,
    check_state,
    check_state_keys,
    check_user_id,
)

__all__ = ["DEFAULT_APP_ID", "Engine"]

#: The app id of ``emu.client(...)`` and of emulator-level calls unless told otherwise.
DEFAULT_APP_ID = "emulator"
#: R-L4: subscribed MESSAGE channels and joined STREAM channels, each.
MAX_CHANNELS_PER_TYPE = 100
#: R-S3: state keys per user per channel.
MAX_STATE_KEYS = 32
#: R-S4: keys across the pre-join cache.
MAX_CACHED_KEYS = 100
#: R-T4: a lost connection turns SUSPENDED after this long.
SUSPEND_AFTER_MS = 120_000

SUBSCRIBE_OPTIONS: dict[str, type | tuple[type, ...]] = {
    "withMessage": bool,
    "withPresence": bool,
    "beQuiet": bool,
    "withMetadata": bool,
    "withLock": bool,
}
JOIN_OPTIONS: dict[str, type | tuple[type, ...]] = {
    "token": str,
    "withPresence": bool,
    "beQuiet": bool,
    "withMetadata": bool,
    "withLock": bool,
}
LOGIN_OPTIONS: dict[str, type | tuple[type, ...]] = {"token": str}
WHO_NOW_OPTIONS: dict[str, type | tuple[type, ...]] = {
    "includedUserId": bool,
    "includedState": bool,
    "page": str,
}
REMOVE_STATE_OPTIONS: dict[str, type | tuple[type, ...]] = {"states": (list, tuple)}
#: The SDK's ``RTMClientEventMap`` names; only presence and linkState ever fire here.
EVENT_NAMES = (
    "presence",
    "linkState",
    "message",
    "storage",
    "lock",
    "topic",
    "token",
    "tokenPrivilegeWillExpire",
)


#: R-E5: which list of the running period records each kind of change.
_RECORD: dict[PresenceEventType, Callable[[Period], Any]] = {
    PresenceEventType.REMOTE_JOIN: lambda p: p.joined,
    PresenceEventType.REMOTE_LEAVE: lambda p: p.left,
    PresenceEventType.REMOTE_TIMEOUT: lambda p: p.timed_out,
    PresenceEventType.REMOTE_STATE_CHANGED: lambda p: p.state_changed,
}

PendingKey = tuple[str, ChannelType, str, str]  # (app, type, name, user)


@attrs.define(eq=False)
class _PendingLeave:
    """A debounced ``REMOTE_LEAVE`` waiting for its window to close (R-E6)."""

    timer: Timer
    announced: StateMap


def _describe(key: ChannelKey) -> str:
    return f"{key[1]!r} ({key[0].value})"


def check_app_id(operation: str, value: object) -> str:
    """An app id: any non-empty string.

    Raises:
        ConfigError: (``INVALID_PARAMETER``, a ``ValueError``) otherwise.
    """
    if not isinstance(value, str) or not value:
        raise ConfigError.bad(operation, f"app_id must be a non-empty string, got {value!r}")
    return value


class Engine:
    """The emulated presence service: every channel, client, state and timer.

    Use it through :class:`rtm_emulator.Emulator`, which adds the client factory.
    """

    def __init__(
        self, config: EmulatorConfig | None = None, *, strict: bool = False, journal: bool = True
    ) -> None:
        if config is None:
            config = EmulatorConfig()
        if not isinstance(config, EmulatorConfig):
            raise ConfigError.bad("Emulator", f"config must be an EmulatorConfig, got {config!r}")
        self._config = config
        self._clock = FakeClock(config.start_time_ms)
        self._faults = Faults()
        self._bus = EventBus(self._clock, self._faults)
        self._channels: dict[tuple[str, ChannelType, str], Channel] = {}
        self._online: dict[tuple[str, str], ClientCore] = {}
        self._cores: list[ClientCore] = []
        self._pending: dict[PendingKey, _PendingLeave] = {}
        if strict:
            self._bus.after_operation.append(self.check_invariants)
        #: every delivered event with its recipient, in delivery order
        self.journal = Journal()
        self.journal_enabled = journal
        if journal:
            self._bus.observers.append(self._record)

    def _record(self, core: ClientCore, event: PresenceEvent | LinkStateEvent) -> None:
        self.journal.record(JournalEntry(core.user_id, core.app_id, event, self.now_ms))

    # ------------------------------------------------------------------ basics

    @property
    def config(self) -> EmulatorConfig:
        """The service's configuration."""
        return self._config

    @property
    def now_ms(self) -> int:
        """The fake clock: integer ms since the Unix epoch (R-T1)."""
        return self._clock.now_ms

    @property
    def listener_errors(self) -> list[ListenerError]:
        """Exceptions raised by listeners, in the order they happened."""
        return self._bus.errors

    @property
    def last_seq(self) -> int:
        """The ``seq`` of the last delivered presence event (0 before any)."""
        return self._bus.last_seq

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``, firing due timers in order (R-T1, R-E7).

        The clock moves in whole milliseconds (``seconds`` is rounded to the nearest).

        Raises:
            ConfigError: (``INVALID_PARAMETER``, a ``ValueError``) if ``seconds`` is not
                a finite number >= 0.
        """
        self._clock.advance_to(self._clock.now_ms + check_duration_ms("advance", seconds))

    @property
    def next_timer_at(self) -> int | None:
        """When the next pending timer is due (ms), or ``None`` when nothing is pending."""
        return self._clock.next_due_ms

    @property
    def elapsed(self) -> float:
        """Seconds of fake time since the emulator started."""
        return (self.now_ms - self._config.start_time_ms) / 1000

    def advance_to_next_event(self) -> int | None:
        """Jump to the next pending timer and fire everything due then.

        Returns the new time (ms), or ``None`` (and does nothing) when no timer is pending.
        """
        due = self._clock.next_due_ms
        if due is not None:
            self._clock.advance_to(due)
        return due

    def run_until_idle(self, *, max_timers: int = 1_000_000) -> int:
        """Fire pending timers in order until none would deliver or change anything.

        An interval-mode boundary with nothing to report does not keep it going, so it
        ends; returns the number of timers fired.

        Raises:
            RuntimeError: if more than ``max_timers`` fire (a scripted action that keeps
                rescheduling itself).
        """
        fired = 0
        while len(self._clock) and not self._clock.all_idle():
            due = self._clock.next_due_ms
            assert due is not None
            fired += self._clock.advance_to(due)
            if fired > max_timers:
                raise RuntimeError(f"run_until_idle fired more than {max_timers} timers")
        return fired

    def at(self, seconds: float, action: Callable[[], object], *, label: str = "") -> None:
        """Run ``action()`` when the fake clock reaches ``seconds`` after the start.

        Actions due at the same time run in the order they were scheduled, after the
        emulator's own timers scheduled before them.  An exception an action raises
        comes out of the ``advance`` / ``run_until`` call that fired it.

        Raises:
            ConfigError: if ``seconds`` is not a finite number, lies in the past, or
                ``action`` is not callable.
        """
        if not callable(action):
            raise ConfigError.bad("at", f"action must be callable, got {action!r}")
        due = self._start_ms_plus(seconds, "at")
        what = label or getattr(action, "__name__", "action")
        self._clock.schedule(due - self.now_ms, f"scripted {what} at +{seconds:.3f}s", action)

    def run_until(self, seconds: float) -> None:
        """Advance the clock to ``seconds`` after the start, firing everything due.

        Raises:
            ConfigError: if ``seconds`` is not a finite number or lies in the past.
        """
        self._clock.advance_to(self._start_ms_plus(seconds, "run_until"))

    def _start_ms_plus(self, seconds: object, operation: str) -> int:
        due = self._config.start_time_ms + check_duration_ms(
            operation, seconds, allow_negative=True
        )
        if due < self.now_ms:
            raise ConfigError.bad(
                operation,
                f"{seconds!r} s after the start is in the past (now is +{self.elapsed:.3f} s)",
            )
        return due

    def _new_core(self, user_id: object, app_id: object, config: object) -> ClientCore:
        uid = check_user_id("RTM", user_id)
        app = check_app_id("RTM", app_id)
        if config is None:
            cfg = RTMConfig()
        elif isinstance(config, RTMConfig):
            cfg = config
        elif isinstance(config, Mapping):
            cfg = RTMConfig.from_sdk(config)
        else:
            raise ConfigError.bad("RTM", f"config must be an RTMConfig or a dict, got {config!r}")
        core = ClientCore(uid, app, cfg)
        self._cores.append(core)
        return core

    # ------------------------------------------------------------ event helpers

    def _link(
        self,
        core: ClientCore,
        state: LinkState,
        operation: LinkOperation,
        reason: LinkStateReasonCode,
        *,
        unrestored: tuple[str, ...] = (),
        is_resumed: bool = False,
    ) -> None:
        previous, core.link_state = core.link_state, state
        self._bus.emit(
            core,
            LinkStateEvent(
                current_state=state,
                previous_state=previous,
                operation=operation,
                reason_code=reason,
                reason=reason.description,
                unrestored_channels=unrestored,
                is_resumed=is_resumed,
                timestamp=self.now_ms,
            ),
        )

    def _available(self, channel: Channel) -> bool:
        return self._faults.presence_available(channel.ident)

    def _remote(
        self,
        channel: Channel,
        event_type: PresenceEventType,
        publisher: str,
        state: StateMap = EMPTY_STATE,
    ) -> bool:
        """Tell every listening, connected member but ``publisher`` (R-E1..R-E4, R-E9).

        In interval mode the change is recorded for the next ``INTERVAL`` instead (R-E5).
        Returns whether the change was announced now (not dropped by an outage, not
        waiting for an interval boundary): only then do the others know of it (R-E6).
        """
        if not self._available(channel):
            return False  # R-E8: no presence events flow while the service is down
        if channel.period is not None:
            _RECORD[event_type](channel.period).add(publisher)
            return False
        event = PresenceEvent(
            event_type=event_type,
            channel_type=channel.key[0],
            channel_name=channel.key[1],
            publisher=publisher,
            state_changed=state,
            timestamp=self.now_ms,
        )
        for uid, member in channel.listeners.items():
            if uid != publisher and member.core.connected:
                self._bus.emit(member.core, event)
        return True

    def _start_period(self, channel: Channel) -> None:
        ident = channel.ident

        def idle() -> bool:  # nothing to report and interval mode goes on: no change
            period = channel.period
            assert period is not None
            return (
                period.is_empty() or not self._available(channel)
            ) and channel.occupancy > self._config.announce_max

        timer = self._clock.schedule(
            round(self._config.interval * 1000),
            lambda: f"INTERVAL boundary of {_describe(channel.key)} in app {channel.app_id!r}",
            lambda: self._end_period(ident),
            idle,
        )
        channel.period = Period(timer)

    def _end_period(self, ident: tuple[str, ChannelType, str]) -> None:
        """An interval boundary: one ``INTERVAL`` for a non-empty period (R-E5)."""
        channel = self._channels[ident]
        period = channel.period
        assert period is not None
        channel.period = None
        if not period.is_empty() and self._available(channel):
            with self._bus.operation():
                self._send_interval(channel, period)
        if channel.occupancy > self._config.announce_max:
            self._start_period(channel)

    def _send_interval(self, channel: Channel, period: Period) -> None:
        members = channel.members
        changed = [
            m for u in sorted(period.state_changed) if (m := members.get(u)) and not m.be_quiet
        ]
        for member in changed:
            member.announced = member.state
        recipients = [m.core for m in channel.listeners.values() if m.core.connected]
        if not recipients:
            return
        event = PresenceEvent(
            event_type=PresenceEventType.INTERVAL,
            channel_type=channel.key[0],
            channel_name=channel.key[1],
            publisher="",
            interval=IntervalDetail(
                join=UserList(sorted(period.joined)),
                leave=UserList(sorted(period.left)),
                timeout=UserList(sorted(period.timed_out)),
                user_state_list=[m.user_state for m in changed],
                total_occupancy=channel.occupancy,
            ),
            timestamp=self.now_ms,
        )
        emit = self._bus.emit
        for core in recipients:
            emit(core, event)

    def _snapshot(self, core: ClientCore, channel: Channel) -> None:
        """The entering user's own ``SNAPSHOT`` or ``ERROR_OUT_OF_SERVICE`` (R-E1, R-E8)."""
        if not core.connected:
            return
        if self._available(channel):
            event = PresenceEvent(
                event_type=PresenceEventType.SNAPSHOT,
                channel_type=channel.key[0],
                channel_name=channel.key[1],
                publisher="",
                snapshot=tuple(channel.visible.states()),
                timestamp=self.now_ms,
            )
        else:
            event = PresenceEvent(
                event_type=PresenceEventType.ERROR_OUT_OF_SERVICE,
                channel_type=channel.key[0],
                channel_name=channel.key[1],
                publisher="",
                timestamp=self.now_ms,
            )
        self._bus.emit(core, event)

    def _announce(self, channel: Channel, member: Member, what: Announce) -> None:
        """Apply one row of the lifecycle table to the other users."""
        if what is Announce.NOTHING:
            return
        uid = member.core.user_id
        pending_key: PendingKey = (*channel.ident, uid)
        if what is Announce.JOIN:
            pending = self._pending.pop(pending_key, None)
            if pending is not None:  # R-E6: a re-entry inside the window is silent
                self._clock.cancel(pending.timer)
                member.announced = pending.announced
            else:
                self._remote(channel, PresenceEventType.REMOTE_JOIN, uid)
                member.announced = EMPTY_STATE
            if member.state != member.announced and self._remote(
                channel, PresenceEventType.REMOTE_STATE_CHANGED, uid, member.state
            ):
                member.announced = member.state
        elif what is Announce.LEAVE:
            self._remote(channel, PresenceEventType.REMOTE_LEAVE, uid)
        elif what is Announce.DEBOUNCED_LEAVE:
            delay = round(self._config.debounce * 1000)
            if delay == 0:
                self._remote(channel, PresenceEventType.REMOTE_LEAVE, uid)
            else:
                timer = self._clock.schedule(
                    delay,
                    lambda: f"debounced REMOTE_LEAVE of {uid!r} in {_describe(channel.key)}",
                    lambda: self._fire_leave(pending_key),
                )
                self._pending[pending_key] = _PendingLeave(timer, member.announced)
        else:
            assert what is Announce.TIMEOUT
            self._remote(channel, PresenceEventType.REMOTE_TIMEOUT, uid)

    def _fire_leave(self, pending_key: PendingKey) -> None:
        with self._bus.operation():
            del self._pending[pending_key]
            app, ctype, name, uid = pending_key
            channel = self._channels.get((app, ctype, name))
            if channel is not None:
                self._remote(channel, PresenceEventType.REMOTE_LEAVE, uid)

    # -------------------------------------------------------- presence changes

    def _enter(
        self,
        core: ClientCore,
        key: ChannelKey,
        with_presence: bool,
        be_quiet: bool,
        restored: StateMap | None = None,
    ) -> None:
        """Put ``core`` into a channel (or take new options, R-L1); caller validated."""
        ident = (core.app_id, *key)
        channel = self._channels.get(ident)
        if channel is None:
            channel = self._channels[ident] = Channel(core.app_id, key)
        member = core.channels.get(key)
        if member is None:
            cached = core.cache.pop(key, EMPTY_STATE)  # R-S4: consumed on entry
            state = cached if restored is None else restored
            member = Member(core, channel, with_presence, be_quiet, state)
            channel.add(member)
            core.add_member(channel.key, member)  # the channel's tuple: no copy per member
            before = Condition.ABSENT
        else:
            before = condition(True, member.be_quiet)
            channel.update_options(member, with_presence, be_quiet)
        if channel.period is None and channel.occupancy > self._config.announce_max:
            self._start_period(channel)  # R-E5: the change that tips it is aggregated
        self._announce(
            channel, member, announcement(before, condition(True, be_quiet), Cause.ENTER)
        )
        if with_presence:
            self._snapshot(core, channel)

    def _exit(self, core: ClientCore, key: ChannelKey, cause: Cause) -> None:
        """Take ``core`` out of a channel; its state there is gone (R-S1)."""
        member = core.pop_member(key)
        channel = member.channel
        before = condition(True, member.be_quiet)
        channel.remove(member)
        self._announce(channel, member, announcement(before, Condition.ABSENT, cause))
        if not channel.members:
            if channel.period is not None:
                self._clock.cancel(channel.period.timer)
            del self._channels[channel.ident]

    def _end_session(
        self,
        core: ClientCore,
        state: LinkState,
        operation: LinkOperation,
        reason: LinkStateReasonCode,
    ) -> None:
        """Logout or kick: leave every channel in order, forget state and cache (R-L2)."""
        for key, _ in core.in_order():
            self._exit(core, key, Cause.LEAVE)
        self._stop_timers(core)
        core.cache.clear()
        core.restore = ()
        core.timed_out = False
        core.connected = True
        core.logged_in = False
        del self._online[(core.app_id, core.user_id)]
        self._link(core, state, operation, reason)

    def _stop_timers(self, core: ClientCore) -> None:
        for timer in (core.timeout_timer, core.suspend_timer):
            if timer is not None:
                self._clock.cancel(timer)
        core.timeout_timer = core.suspend_timer = None

    # ------------------------------------------------------- client operations

    def _require_session(self, core: ClientCore, operation: str) -> None:
        if not core.logged_in:
            raise RtmError.of(
                operation, ErrorCode.NOT_LOGIN, f"user {core.user_id!r} must log in first"
            )
        if not core.connected:
            raise RtmError.of(
                operation,
                ErrorCode.NOT_CONNECTED,
                f"user {core.user_id!r} has lost its connection (reconnect first)",
            )

    def op_login(self, core: ClientCore, operation: str, options: object) -> int:
        """Log in; kicks another client of the same user id (R-L3, R-T4).

        Raises:
            RtmError: -10014 for bad options.
        """
        check_options(operation, options, LOGIN_OPTIONS)
        if core.logged_in:
            return self.now_ms  # R-L3: already logged in, also while disconnected
        with self._bus.operation():
            other = self._online.get((core.app_id, core.user_id))
            if other is not None:
                self._end_session(
                    other,
                    LinkState.FAILED,
                    LinkOperation.SERVER_REJECT,
                    LinkStateReasonCode.SAME_UID_LOGIN,
                )
            core.logged_in = True
            core.connected = True
            core.timed_out = False
            self._online[(core.app_id, core.user_id)] = core
            self._link(core, LinkState.CONNECTING, LinkOperation.LOGIN, LinkStateReasonCode.LOGIN)
            self._link(
                core, LinkState.CONNECTED, LinkOperation.LOGIN, LinkStateReasonCode.LOGIN_SUCCESS
            )
        return self.now_ms

    def op_logout(self, core: ClientCore, operation: str) -> int:
        """Log out: leave everything, drop state and cache (R-L2); always works (R-L3)."""
        if core.logged_in:
            with self._bus.operation():
                self._end_session(
                    core, LinkState.IDLE, LinkOperation.LOGOUT, LinkStateReasonCode.LOGOUT
                )
        return self.now_ms

    def op_enter(
        self,
        core: ClientCore,
        operation: str,
        channel_type: ChannelType,
        channel_name: object,
        options: object,
    ) -> int:
        """Subscribe (MESSAGE) or join (STREAM), also again (R-L1).

        Raises:
            RtmError: -10002 / -10025, -10008, -10014, -11005 (R-L4), -11021 / -11007
                (channel full).
        """
        if not (core.logged_in and core.connected):
            self._require_session(core, operation)
        name = check_channel_name(operation, channel_name)
        allowed = SUBSCRIBE_OPTIONS if channel_type is ChannelType.MESSAGE else JOIN_OPTIONS
        opts = check_options(operation, options, allowed)
        key: ChannelKey = (channel_type, name)
        if key not in core.channels:
            self._check_can_enter(core, operation, key)
        with self._bus.operation():
            self._enter(core, key, opts.get("withPresence", True), opts.get("beQuiet", False))
        return self.now_ms

    def _check_can_enter(self, core: ClientCore, operation: str, key: ChannelKey) -> None:
        # ``len`` first: under 100 channels in all, neither type can be at its limit
        if len(core.channels) >= MAX_CHANNELS_PER_TYPE and (
            core.count(key[0]) >= MAX_CHANNELS_PER_TYPE
        ):
            verb = "subscribed to" if key[0] is ChannelType.MESSAGE else "joined"
            raise RtmError.of(
                operation,
                ErrorCode.CHANNEL_INSTANCE_EXCEED_LIMITATION,
                f"user {core.user_id!r} has already {verb} {MAX_CHANNELS_PER_TYPE} "
                f"{key[0].value} channels; cannot enter {key[1]!r}",
            )
        channel = self._channels.get((core.app_id, *key))
        limit = self._config.max_channel_users
        if channel is not None and len(channel.members) >= limit:
            code = (
                ErrorCode.CHANNEL_SUBSCRIBE_FAILED
                if key[0] is ChannelType.MESSAGE
                else ErrorCode.CHANNEL_JOIN_FAILED
            )
            raise RtmError.of(
                operation, code, f"channel {_describe(key)} is full ({limit} users present)"
            )

    def op_exit(
        self, core: ClientCore, operation: str, channel_type: ChannelType, channel_name: object
    ) -> int:
        """Unsubscribe (MESSAGE) or leave (STREAM).

        Raises:
            RtmError: -10002 / -10025, -10008, -11002 / -11001 when not in the channel.
        """
        if not (core.logged_in and core.connected):
            self._require_session(core, operation)
        name = check_channel_name(operation, channel_name)
        key: ChannelKey = (channel_type, name)
        if key not in core.channels:
            if channel_type is ChannelType.MESSAGE:
                code, verb = ErrorCode.CHANNEL_NOT_SUBSCRIBED, "subscribed to"
            else:
                code, verb = ErrorCode.CHANNEL_NOT_JOINED, "joined"
            raise RtmError.of(
                operation, code, f"user {core.user_id!r} has not {verb} channel {name!r}"
            )
        with self._bus.operation():
            self._exit(core, key, Cause.LEAVE)
        return self.now_ms

    def op_get_online_users(
        self,
        core: ClientCore,
        operation: str,
        channel_name: object,
        channel_type: object,
        options: object,
    ) -> GetOnlineUsersResponse:
        """``getOnlineUsers`` / ``whoNow`` (R-Q1..R-Q4).

        Raises:
            RtmError: -10002 / -10025, -10008, -10019, -10014 (options), -13003 (a
                bookmark not for this query, or ``includedState`` / ``page`` in a
                count-only query).
        """
        if not (core.logged_in and core.connected):
            self._require_session(core, operation)
        name = check_channel_name(operation, channel_name)
        ctype = check_channel_type(operation, channel_type)
        opts = check_options(operation, options, WHO_NOW_OPTIONS)
        include_ids: bool = opts.get("includedUserId", True)
        include_state: bool = opts.get("includedState", False)
        page: str = opts.get("page", "")
        channel = self._channels.get((core.app_id, ctype, name))
        if not include_ids:
            if include_state:
                raise RtmError.of(
                    operation,
                    ErrorCode.PRESENCE_INVALID_ARGUMENT,
                    "includedState=True needs includedUserId=True (got includedUserId=False)",
                )
            if page:
                raise RtmError.of(
                    operation,
                    ErrorCode.PRESENCE_INVALID_ARGUMENT,
                    f"bookmark {page!r} cannot be used in a count-only query "
                    "(includedUserId=False)",
                )
            total = channel.occupancy if channel is not None else 0
            return GetOnlineUsersResponse(total, (), "", self.now_ms)
        after = (
            decode_bookmark(operation, page, core.app_id, ctype, name, include_state)
            if page
            else None
        )
        if channel is None:
            return GetOnlineUsersResponse(0, (), "", self.now_ms)
        # the index keeps each user's shared, immutable UserStates in page order: a page
        # is slices of it, nothing is built or looked up per user
        shown, last, more = channel.visible.page(after, self._config.page_size, include_state)
        occupants = tuple(shown)
        next_page = encode_bookmark(core.app_id, ctype, name, include_state, last) if more else ""
        return GetOnlineUsersResponse(len(occupants), occupants, next_page, self.now_ms)

    def op_get_user_channels(
        self, core: ClientCore, operation: str, user_id: object
    ) -> GetUserChannelsResponse:
        """``getUserChannels`` / ``whereNow`` (R-Q5).

        Raises:
            RtmError: -10002 / -10025, -10006.
        """
        if not (core.logged_in and core.connected):
            self._require_session(core, operation)
        uid = check_user_id(operation, user_id, allow_empty=True) or core.user_id
        other = self._online.get((core.app_id, uid))
        channels: tuple[ChannelDetail, ...] = ()
        if other is not None:
            channels = tuple(
                [member.channel.detail for _, member in other.in_order() if not member.be_quiet]
            )
        return GetUserChannelsResponse(len(channels), channels, self.now_ms)

    def op_get_state(
        self,
        core: ClientCore,
        operation: str,
        user_id: object,
        channel_name: object,
        channel_type: object,
    ) -> GetStateResponse:
        """``getState`` (R-Q6).

        Raises:
            RtmError: -10002 / -10025, -10006, -10008, -10019, -13011 (not present or quiet).
        """
        if not (core.logged_in and core.connected):
            self._require_session(core, operation)
        uid = check_user_id(operation, user_id, allow_empty=True) or core.user_id
        name = check_channel_name(operation, channel_name)
        ctype = check_channel_type(operation, channel_type)
        channel = self._channels.get((core.app_id, ctype, name))
        member = channel.members.get(uid) if channel is not None else None
        if member is None or member.be_quiet:
            raise RtmError.of(
                operation,
                ErrorCode.PRESENCE_USER_NOT_EXIST,
                f"user {uid!r} is not present in channel {_describe((ctype, name))}",
            )
        return GetStateResponse(uid, member.state, self.now_ms)

    def op_set_state(
        self,
        core: ClientCore,
        operation: str,
        channel_name: object,
        channel_type: object,
        state: object,
    ) -> int:
        """``setState``: merge (R-S2), limits (R-S3), pre-join cache (R-S4), event (R-S5).

        Raises:
            RtmError: -10002 / -10025, -10008, -10019, -10014 / -13006..-13009 (state),
                -13005 (over 32 keys), -13004 (cache over 100 keys).
        """
        if not (core.logged_in and core.connected):
            self._require_session(core, operation)
        name = check_channel_name(operation, channel_name)
        ctype = check_channel_type(operation, channel_type)
        given = check_state(operation, state)
        key: ChannelKey = (ctype, name)
        member = core.channels.get(key)
        current = member.state if member is not None else core.cache.get(key, EMPTY_STATE)
        merged = StateMap({**current, **given})
        if len(merged) > MAX_STATE_KEYS:
            raise RtmError.of(
                operation,
                ErrorCode.PRESENCE_STATE_COUNT_OVERFLOW,
                f"state of user {core.user_id!r} in {_describe(key)} would have "
                f"{len(merged)} keys, over {MAX_STATE_KEYS}",
            )
        if member is None:
            cached = core.cached_keys - len(current) + len(merged)
            if cached > MAX_CACHED_KEYS:
                raise RtmError.of(
                    operation,
                    ErrorCode.PRESENCE_CACHED_TOO_MANY_STATES,
                    f"caching {len(merged)} keys for {_describe(key)} would hold {cached} "
                    f"keys for channels user {core.user_id!r} is not in, over {MAX_CACHED_KEYS}",
                )
            self._set_cache(core, key, merged)
            return self.now_ms
        with self._bus.operation():
            self._change_state(member, merged)
        return self.now_ms

    def op_remove_state(
        self,
        core: ClientCore,
        operation: str,
        channel_name: object,
        channel_type: object,
        options: object,
        states: object = NOT_GIVEN,
    ) -> int:
        """``removeState``: listed keys, or all (R-S2); on the cache off-channel (R-S4).

        Raises:
            RtmError: -10002 / -10025, -10008, -10019, -10014 (options), -13006 / -13008
                (a bad key in ``states``).
        """
        if not (core.logged_in and core.connected):
            self._require_session(core, operation)
        name = check_channel_name(operation, channel_name)
        ctype = check_channel_type(operation, channel_type)
        opts = check_options(operation, options, REMOVE_STATE_OPTIONS)
        if states is not NOT_GIVEN:
            if "states" in opts:
                raise RtmError.of(
                    operation,
                    ErrorCode.INVALID_PARAMETER,
                    f"states given twice: options {options!r} and states={states!r}",
                )
            opts["states"] = states
        keys = check_state_keys(operation, opts.get("states"))
        key: ChannelKey = (ctype, name)
        member = core.channels.get(key)
        current = member.state if member is not None else core.cache.get(key, EMPTY_STATE)
        if keys is None:
            remaining = EMPTY_STATE
        else:
            remaining = StateMap({k: v for k, v in current.items() if k not in keys})
        if member is None:
            self._set_cache(core, key, remaining)  # R-S4: edits the cache, no event
            return self.now_ms
        with self._bus.operation():
            self._change_state(member, remaining)
        return self.now_ms

    @staticmethod
    def _set_cache(core: ClientCore, key: ChannelKey, state: StateMap) -> None:
        if state:
            core.cache[key] = state
        else:
            core.cache.pop(key, None)

    def _change_state(self, member: Member, state: StateMap) -> None:
        """Set a present member's state; one ``REMOTE_STATE_CHANGED`` unless quiet (R-S5)."""
        member.set_state(state)
        if not member.be_quiet:
            channel = member.channel
            if self._remote(channel, PresenceEventType.REMOTE_STATE_CHANGED, member.user_id, state):
                member.announced = state  # R-E6 compares with what the others heard

    # ------------------------------------------------- emulator-level controls

    def _online_core(self, operation: str, user_id: object, app_id: object) -> ClientCore:
        uid = check_user_id(operation, user_id)
        app = check_app_id(operation, app_id)
        core = self._online.get((app, uid))
        if core is None:
            raise RtmError.of(
                operation,
                ErrorCode.NOT_LOGIN,
                f"no client of user {uid!r} is logged in to app {app!r}",
            )
        return core

    def disconnect(self, user_id: str, *, app_id: str = DEFAULT_APP_ID) -> None:
        """Cut the network of ``user_id``'s logged-in client (R-T2, R-T4).

        Its link goes ``DISCONNECTED`` now and ``SUSPENDED`` after 120 s; the server
        notices after ``heartbeat_interval + 10`` s and times the user out
        ``presence_timeout`` s later.  Disconnecting a disconnected client does nothing.

        Raises:
            RtmError: -10006 for a bad user id, -10002 if no client of it is logged in;
                ConfigError for a bad app id.
        """
        core = self._online_core("disconnect", user_id, app_id)
        if not core.connected:
            return
        with self._bus.operation():
            core.connected = False
            self._link(
                core,
                LinkState.DISCONNECTED,
                LinkOperation.HEARTBEAT_TIMEOUT,
                LinkStateReasonCode.KEEP_ALIVE_TIMEOUT,
            )
            who = f"{core.user_id!r} of app {core.app_id!r}"
            core.suspend_timer = self._clock.schedule(
                SUSPEND_AFTER_MS,
                lambda: f"link of {who} turns SUSPENDED",
                lambda: self._suspend(core),
            )
            core.timeout_timer = self._clock.schedule(
                core.config.timeout_ms,
                lambda: f"server times out {who}",
                lambda: self._timeout(core),
            )

    def _suspend(self, core: ClientCore) -> None:
        with self._bus.operation():
            core.suspend_timer = None
            self._link(
                core,
                LinkState.SUSPENDED,
                LinkOperation.AUTO_RECONNECT,
                LinkStateReasonCode.KEEP_ALIVE_TIMEOUT,
            )

    def _timeout(self, core: ClientCore) -> None:
        """R-T2: the server gives up on a disconnected client."""
        with self._bus.operation():
            core.timeout_timer = None
            core.timed_out = True
            present = core.in_order()
            core.restore = tuple(
                RestoreEntry(key, m.with_presence, m.be_quiet, m.state) for key, m in present
            )
            for key, _ in present:
                self._exit(core, key, Cause.TIMEOUT)

    def reconnect(self, user_id: str, *, app_id: str = DEFAULT_APP_ID) -> None:
        """Bring back the network of ``user_id``'s client (R-T3, R-T4).

        Before the server timed it out: nothing reaches the others; the client gets
        ``CONNECTED`` (``is_resumed=True``) and a fresh ``SNAPSHOT`` per listening
        channel.  After: it re-enters its channels with its original options and state
        (others get ``REMOTE_JOIN`` and ``REMOTE_STATE_CHANGED``), with ``is_resumed``
        false; channels it can no longer enter are listed in ``unrestored_channels``.
        Reconnecting a connected client does nothing.

        Raises:
            RtmError: -10006 for a bad user id, -10002 if no client of it is logged in;
                ConfigError for a bad app id.
        """
        core = self._online_core("reconnect", user_id, app_id)
        if core.connected:
            return
        with self._bus.operation():
            self._stop_timers(core)
            core.connected = True
            if not core.timed_out:
                self._link(
                    core,
                    LinkState.CONNECTED,
                    LinkOperation.RECONNECTED,
                    LinkStateReasonCode.RECONNECT_SUCCESS,
                    is_resumed=True,
                )
                for _, member in core.in_order():
                    if member.with_presence:
                        self._snapshot(core, member.channel)
                return
            restore, core.restore, core.timed_out = core.restore, (), False
            ok: list[RestoreEntry] = []
            unrestored: list[str] = []
            for entry in restore:
                try:
                    self._check_can_enter(core, "reconnect", entry.key)
                except RtmError:
                    unrestored.append(entry.key[1])
                else:
                    ok.append(entry)
            self._link(
                core,
                LinkState.CONNECTED,
                LinkOperation.RECONNECTED,
                LinkStateReasonCode.RECONNECT_SUCCESS,
                unrestored=tuple(unrestored),
            )
            for entry in ok:
                self._enter(core, entry.key, entry.with_presence, entry.be_quiet, entry.state)

    def set_presence_available(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        available: bool,
        *,
        app_id: str = DEFAULT_APP_ID,
    ) -> None:
        """Switch a channel's presence service off or on (fault injection, R-E8).

        While it is off, users entering the channel (or reconnecting into it) get
        ``ERROR_OUT_OF_SERVICE`` instead of a ``SNAPSHOT`` and no presence event flows
        on the channel; presence itself (who is in, states, queries) keeps working.

        Raises:
            RtmError: -10008 / -10019 for a bad channel; ConfigError if ``available``
                is not a bool or the app id is bad.
        """
        op = "set_presence_available"
        name = check_channel_name(op, channel_name)
        ctype = check_channel_type(op, channel_type)
        if not isinstance(available, bool):
            raise ConfigError.bad(op, f"available must be a bool, got {available!r}")
        self._faults.set_presence_available((check_app_id(op, app_id), ctype, name), available)

    def set_delivery_latency(
        self, user_id: str, seconds: float, *, app_id: str = DEFAULT_APP_ID
    ) -> None:
        """Deliver presence events to ``user_id`` ``seconds`` late (fault injection, R-E9).

        Events keep their ``seq`` and ``timestamp`` (when the server sent them); they
        reach the listeners when the clock passes the delay, or never if the client is
        disconnected or logged out by then.  Changing the latency between events can
        reorder delivery.  ``seconds=0`` restores zero latency for later events.

        Raises:
            RtmError: -10006 for a bad user id; ConfigError for a bad duration or app id.
        """
        op = "set_delivery_latency"
        uid = check_user_id(op, user_id)
        app = check_app_id(op, app_id)
        self._faults.set_latency_ms(app, uid, check_duration_ms(op, seconds))

    # ----------------------------------------------------------- introspection

    def online_users(
        self, channel_name: str, channel_type: str | ChannelType, *, app_id: str = DEFAULT_APP_ID
    ) -> list[str]:
        """The channel's visible present user ids, sorted (what ``getOnlineUsers`` lists).

        Raises:
            RtmError: -10008 / -10019 for a bad channel; ConfigError for a bad app id.
        """
        op = "online_users"
        name = check_channel_name(op, channel_name)
        ctype = check_channel_type(op, channel_type)
        channel = self._channels.get((check_app_id(op, app_id), ctype, name))
        return list(channel.visible) if channel is not None else []

    def user_channels(
        self, user_id: str, *, app_id: str = DEFAULT_APP_ID
    ) -> list[tuple[ChannelType, str]]:
        """Sorted ``(channel_type, channel_name)`` the user is present in, quiet included.

        Raises:
            RtmError: -10006 for a bad user id; ConfigError for a bad app id.
        """
        op = "user_channels"
        uid = check_user_id(op, user_id)
        core = self._online.get((check_app_id(op, app_id), uid))
        return [key for key, _ in core.in_order()] if core is not None else []

    def state_of(
        self,
        user_id: str,
        channel_name: str,
        channel_type: str | ChannelType,
        *,
        app_id: str = DEFAULT_APP_ID,
    ) -> dict[str, str]:
        """The user's state in the channel (a new dict), ``{}`` when it is not there.

        Quiet users' state is shown too (this is the server's view, not ``getState``).

        Raises:
            RtmError: -10006 / -10008 / -10019 for bad arguments; ConfigError for a bad
                app id.
        """
        op = "state_of"
        uid = check_user_id(op, user_id)
        name = check_channel_name(op, channel_name)
        ctype = check_channel_type(op, channel_type)
        core = self._online.get((check_app_id(op, app_id), uid))
        member = core.channels.get((ctype, name)) if core is not None else None
        return dict(member.state) if member is not None else {}

    def pending_timers(self) -> list[tuple[int, str]]:
        """``(due_ms, label)`` of every pending timer, in firing order."""
        return [(t.due_ms, t.label) for t in self._clock.pending()]

    def check_invariants(self) -> None:
        """Cross-check every index; raise ``AssertionError`` naming the first mismatch.

        Checks channels (members / visible / listeners agree, none empty, none over
        ``max_channel_users``), clients (each member is in its client's channel index
        and back, per-type limits, cache limits, logged-out clients hold nothing,
        timers match the connection state), pending debounced leaves, and the timer
        queue.  Side-effect free.

        Raises:
            AssertionError: when an index disagrees.
        """
        self._clock.check()
        for ident, channel in self._channels.items():
            assert channel.members, f"empty channel kept: {ident}"
            assert (channel.app_id, *channel.key) == ident == channel.ident, ident
            assert channel.detail == ChannelDetail(channel.key[1], channel.key[0]), ident
            assert len(channel.members) <= self._config.max_channel_users, ident
            channel.check()
            for uid, member in channel.members.items():
                assert self._online.get((channel.app_id, uid)) is member.core, (ident, uid)
        for (app, uid), core in self._online.items():
            assert core.logged_in and core.app_id == app and core.user_id == uid
        for core in self._cores:
            core.check()
            assert core.bare == UserState(core.user_id), core.user_id
            if not core.logged_in:
                assert not core.channels and not core.cache, core.user_id
                assert core.timeout_timer is None and core.suspend_timer is None
                continue
            assert self._online[(core.app_id, core.user_id)] is core
            for ctype in ChannelType:
                assert core.count(ctype) <= MAX_CHANNELS_PER_TYPE, (core.user_id, ctype)
            for key, member in core.channels.items():
                channel = self._channels[(core.app_id, *key)]
                assert channel.members[core.user_id] is member
            assert core.cached_keys <= MAX_CACHED_KEYS, core.user_id
            for key, state in core.cache.items():
                assert state and len(state) <= MAX_STATE_KEYS, (core.user_id, key)
                assert key not in core.channels, (core.user_id, key)
            if core.connected:
                assert core.timeout_timer is None and core.suspend_timer is None
                assert not core.timed_out and not core.restore
            else:
                assert (core.timeout_timer is None) == core.timed_out, core.user_id
                if core.timed_out:
                    assert not core.channels, core.user_id
        for (app, ctype, name, uid), pending in self._pending.items():
            assert not pending.timer.cancelled, (app, ctype, name, uid)
            where = self._channels.get((app, ctype, name))
            present = where.members.get(uid) if where is not None else None
            assert present is None or present.be_quiet, ("pending leave of a visible user", uid)

    # -------------------------------------------------------------- listeners

    @staticmethod
    def add_listener(
        core: ClientCore, operation: str, event_name: object, listener: object
    ) -> None:
        """Register a listener (the SDK's ``addEventListener``).

        Raises:
            RtmError: -10014 for an unknown event name or a listener that is not callable.
        """
        Engine._check_listener(operation, event_name, listener)
        assert isinstance(event_name, str)
        cb: Callable[[Any], object] = listener  # type: ignore[assignment]
        core.listeners.setdefault(event_name, []).append(cb)

    @staticmethod
    def remove_listener(
        core: ClientCore, operation: str, event_name: object, listener: object
    ) -> None:
        """Remove the last registration of ``listener``; removing an absent one does nothing.

        Raises:
            RtmError: -10014 for an unknown event name or a listener that is not callable.
        """
        Engine._check_listener(operation, event_name, listener)
        assert isinstance(event_name, str)
        listeners = core.listeners.get(event_name, [])
        for i in range(len(listeners) - 1, -1, -1):
            if listeners[i] == listener:
                del listeners[i]
                break

    @staticmethod
    def _check_listener(operation: str, event_name: object, listener: object) -> None:
        if not isinstance(event_name, str) or event_name not in EVENT_NAMES:
            raise RtmError.of(
                operation,
                ErrorCode.INVALID_PARAMETER,
                f"unknown event name {event_name!r} (known: {', '.join(EVENT_NAMES)})",
            )
        if not callable(listener):
            raise RtmError.of(
                operation,
                ErrorCode.INVALID_PARAMETER,
                f"listener must be callable, got {listener!r}",
            )
