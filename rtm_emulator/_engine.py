"""The engine: the SDK's checks, its link machine and calls into the server (sans-IO).

Theory of operation.  Three rooms make the emulator, as they make the real system:

* ``_server`` — what the server decides (channels, user documents, debounce, timeouts);
* ``_views`` — what each SDK client derives from the documents (its events, its
  interval mode, its local answers);
* this module — what the SDK checks before it does anything (R-X1: rate limit, channel
  type, link state, names, options, state; first fault wins), its link-state machine
  (R-T4, steps in ``_link``), and its own memory (``_session``: channel list and state
  cache, kept through losses and kicks).

Every operation validates everything first, then changes state inside one bus
operation, so a call that raises changes nothing and emits nothing — except where the
SDK itself emits first (a failed stream join reports its link's ``FAILED``).  Nothing
here reads the wall clock or iterates a set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ._bus import EventBus, ListenerError
from ._clock import FakeClock
from ._config import DEFAULT_APP_ID, EmulatorConfig, RateLimiter, RTMConfig
from ._errors import ConfigError, ErrorCode, RtmError, SdkTypeError
from ._events import LinkStateEvent, PresenceEvent
from ._faults import Faults
from ._journal import Journal, JournalEntry
from ._link import ATTEMPT_MS, STEPS, SUSPEND_AFTER_MS, Affected, retry_delay_ms
from ._server import Server
from ._session import ChannelKey, ClientCore, EntryOptions
from ._token import check_token
from ._types import (
    ChannelType,
    GetOnlineUsersResponse,
    GetStateResponse,
    GetUserChannelsResponse,
    LinkState,
    LinkStateReasonCode,
    StateMap,
    UserState,
)
from ._validate import (
    NOT_GIVEN,
    atob,
    btoa,
    check_app_id,
    check_channel_name,
    check_channel_type,
    check_duration_ms,
    check_set_state,
    check_user_id,
    remove_state_keys,
)
from ._views import truthy

__all__ = [
    "DEFAULT_APP_ID",
    "ENGINE_REVISION",
    "MESSAGE_CHANNEL_COUNT",
    "STREAM_CHANNEL_COUNT",
    "Engine",
    "LoginWaiter",
]

#: The semantics revision the engine implements.
ENGINE_REVISION = 2
#: R-L4: channels a client may have entered, MESSAGE and STREAM together.
MESSAGE_CHANNEL_COUNT = 50
#: R-L4: stream channels a client may have joined.
STREAM_CHANNEL_COUNT = 10

#: The SDK's message when ``addEventListener`` gets a non-function (its emitter's).
LISTENER_NOT_A_FUNCTION = "The listener must be a function"

_FAILED_JOIN_REASON: dict[int, LinkStateReasonCode] = {
    ErrorCode.CHANNEL_INSTANCE_EXCEED_LIMITATION: (
        LinkStateReasonCode.CHANNEL_INSTANCE_EXCEED_LIMITATION
    ),
    ErrorCode.OPERATION_RATE_EXCEED_LIMITATION: (
        LinkStateReasonCode.OPERATION_RATE_EXCEED_LIMITATION
    ),
    ErrorCode.DUPLICATE_OPERATION: LinkStateReasonCode.CHANNEL_IN_ERROR_STATE,
    ErrorCode.NOT_CONNECTED: LinkStateReasonCode.CHANNEL_IN_ERROR_STATE,
    ErrorCode.INVALID_TOKEN: LinkStateReasonCode.INVALID_TOKEN,
    ErrorCode.INCONSISTENT_APPID: LinkStateReasonCode.INCONSISTENT_APP_ID,
}


_FAILED_LOGIN_REASON: dict[int, LinkStateReasonCode] = {
    ErrorCode.INVALID_USER_ID: LinkStateReasonCode.INVALID_USER_ID,
    ErrorCode.INVALID_TOKEN: LinkStateReasonCode.INVALID_TOKEN,
    ErrorCode.TOKEN_EXPIRED: LinkStateReasonCode.TOKEN_EXPIRED,
    ErrorCode.LOGIN_NOT_AUTHORIZED: LinkStateReasonCode.LOGIN_NOT_AUTHORIZED,
    ErrorCode.INCONSISTENT_APPID: LinkStateReasonCode.INCONSISTENT_APP_ID,
    ErrorCode.OPERATION_RATE_EXCEED_LIMITATION: (
        LinkStateReasonCode.OPERATION_RATE_EXCEED_LIMITATION
    ),
}


#: the four possible entry options, shared by every membership (memory, R-L1)
_OPTIONS = {
    (presence, quiet): EntryOptions(presence, quiet)
    for presence in (True, False)
    for quiet in (True, False)
}


def _entry_options(options: object) -> EntryOptions:
    """The SDK's reading of subscribe/join options: ``withPresence ?? true``,
    ``beQuiet ?? false`` (agora-rtm.js 2.3.0, the options normaliser)."""
    if not isinstance(options, Mapping):
        return _OPTIONS[True, False]
    presence = options.get("withPresence")
    quiet = options.get("beQuiet")
    return _OPTIONS[
        True if presence is None else truthy(presence), False if quiet is None else truthy(quiet)
    ]


@attrs.define(eq=False)
class LoginWaiter:
    """A ``login`` that waits for the link to come back (R-L3: called while down)."""

    done: list[Callable[[RtmError | None], None]] = attrs.field(factory=list)

    def settle(self, error: RtmError | None) -> None:
        """Resolve (``None``) or reject every waiting caller."""
        callbacks, self.done = self.done, []
        for callback in callbacks:
            callback(error)


class Engine:
    """The emulated service: the server, every client's SDK, the clock and the bus.

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
        self._server = Server(config, self._clock, self._bus, self._faults)
        self._cores: list[ClientCore] = []
        self._waiters: dict[int, LoginWaiter] = {}
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

        An interval-mode boundary with nothing to report, and the reconnect attempts of
        a client whose network is down, do not keep it going, so it ends; returns the
        number of timers fired.

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
        """The SDK constructor's checks (R-C1, R-C2, R-C3): app id, then user id."""
        app = check_app_id(app_id)
        uid = check_user_id("initRTM", user_id)

        if config is None:
            cfg = RTMConfig()
        elif isinstance(config, RTMConfig):
            cfg = config
        elif isinstance(config, Mapping):
            cfg = RTMConfig.from_sdk(config)
        else:
            raise ConfigError.bad(
                "initRTM", f"config must be an RTMConfig or a dict, got {config!r}"
            )
        if not cfg.use_string_user_id and not (uid.isascii() and uid.isdigit()):
            raise RtmError.sdk(
                "initRTM",
                ErrorCode.INVALID_USER_ID,
                detail=f"useStringUserId is false and {uid!r} is not a non-negative integer",
            )
        core = ClientCore(uid, app, cfg)
        if self._config.rate_limits:
            core.limiter = RateLimiter()
        self._cores.append(core)
        return core

    # -------------------------------------------------------------- link steps

    def _step(
        self,
        core: ClientCore,
        name: str,
        *,
        stream: str | None = None,
        is_resumed: bool = False,
        reason: LinkStateReasonCode | None = None,
    ) -> None:
        """Make one link transition of ``_link.STEPS`` and report it (R-T4)."""
        step = STEPS[name]
        if stream is None:
            previous = core.link_state
            affected = core.message_channels() if step.affected is Affected.MESSAGE_CHANNELS else ()
            core.link_state = step.state
        else:
            previous = core.stream_links.get(stream, LinkState.IDLE)
            affected = (stream,)
            core.stream_links[stream] = step.state
        if previous is step.state:
            return  # the SDK reports no transition to the state it is in
        code = step.reason_code if reason is None else reason
        self._bus.emit(
            core,
            LinkStateEvent(
                current_state=step.state,
                previous_state=previous,
                operation=step.operation,
                reason_code=code,
                reason=code.description,
                service_type=step.service_type,
                affected_channels=affected,
                is_resumed=is_resumed,
                timestamp=self.now_ms,
            ),
        )

    # ------------------------------------------------------------ SDK checks

    def _rate(self, core: ClientCore, key: str) -> None:
        """R-C6: the SDK's rate limiter (off unless ``EmulatorConfig.rate_limits``)."""
        if core.limiter is not None:
            core.limiter.check(key, self.now_ms)

    def _require_link(self, core: ClientCore, operation: str, *, connected: bool) -> None:
        """-10025 when the link is IDLE, or (``connected``) not CONNECTED (R-X1, R-T3)."""
        state = core.link_state
        if state is LinkState.IDLE or (connected and state is not LinkState.CONNECTED):
            raise RtmError.sdk(
                operation,
                ErrorCode.NOT_CONNECTED,
                detail=f"user {core.user_id!r}'s link is {state.value}",
            )

    def _can_queue_subscribe(self, core: ClientCore) -> bool:
        """R-T3: a subscribe while the link is down is queued instead of refused."""
        return (
            core.had_connected
            and self.now_ms - core.login_ms > core.config.heartbeat_ms
            and core.link_state
            in (LinkState.CONNECTING, LinkState.DISCONNECTED, LinkState.SUSPENDED)
        )

    # ------------------------------------------------------------ login, logout

    def op_login(self, core: ClientCore, operation: str, options: object) -> int | LoginWaiter:
        """Log in (R-L3, R-T4): kicks another client of the same user id, restores the
        channels of a client that was kicked (FAILED).

        Returns the timestamp (0), or a :class:`LoginWaiter` when the link is down and
        the login waits for the reconnect.

        Raises:
            RtmError: -10017 while the link is CONNECTING; -10021 (rate limit).
        """
        state = core.link_state
        if state is LinkState.CONNECTING:
            raise RtmError.sdk(
                operation,
                ErrorCode.DUPLICATE_OPERATION,
                detail=f"user {core.user_id!r} is already connecting",
            )
        if state in (LinkState.IDLE, LinkState.FAILED):
            with self._bus.operation():
                self._step(core, "login" if state is LinkState.IDLE else "relogin")
        if state is LinkState.CONNECTED:
            return 0
        try:
            self._rate(core, "login")
            check_token(
                operation,
                options.get("token") if isinstance(options, Mapping) else None,
                core.app_id,
            )
        except (RtmError, SdkTypeError) as error:
            if state in (LinkState.IDLE, LinkState.FAILED):
                code = int(error.error_code) if isinstance(error, RtmError) else 0
                reason = _FAILED_LOGIN_REASON.get(code, LinkStateReasonCode.LOGIN_REJECTED)
                with self._bus.operation():
                    self._step(core, "login_failed", reason=reason)
            raise
        if state in (LinkState.DISCONNECTED, LinkState.SUSPENDED):
            with self._bus.operation():
                self._step(core, "relogin")  # then the next retry brings the link back
            return self._waiters.setdefault(id(core), LoginWaiter())
        with self._bus.operation():
            self._open_session(core)
            core.had_connected = True
            core.login_ms = self.now_ms
            self._step(core, "login_success")
            self._take_queued(core)
            self._restore(core)
        return 0

    def _open_session(self, core: ClientCore) -> None:
        """The server takes the session; another session of the user id is kicked."""
        key = (core.app_id, core.user_id)
        other = self._server.sessions.get(key)
        if other is not None and other is not core:
            self._kick(other)
        self._server.sessions[key] = core
        core.session = True

    def _kick(self, core: ClientCore) -> None:
        """Same-uid login elsewhere: FAILED, the client keeps its channels (R-T4)."""
        self._stop_reconnecting(core)
        self._detach_all(core)
        self._server.leave_all(core)
        core.heard.clear()
        core.session = False
        del self._server.sessions[(core.app_id, core.user_id)]
        self._step(core, "kicked")

    def op_logout(self, core: ClientCore, operation: str) -> int:
        """Log out (R-L2): always resolves; leaves every channel, clears the cache."""
        if core.link_state is LinkState.IDLE:
            return 0
        with self._bus.operation():
            self._stop_reconnecting(core)
            if core.session:
                self._detach_all(core)
                self._server.leave_all(core)
                core.session = False
                del self._server.sessions[(core.app_id, core.user_id)]
            self._step(core, "logout")
            core.entered.clear()
            core.queued.clear()
            core.cache.clear()
            core.dirty.clear()
            core.heard.clear()
            core.stream_links.clear()
            core.had_connected = False
            core.network_up = True
            waiter = self._waiters.pop(id(core), None)
        if waiter is not None:
            waiter.settle(RtmError.sdk("login", ErrorCode.LOGIN_CANCELED))
        return 0

    def _stop_reconnecting(self, core: ClientCore) -> None:
        for timer in (core.retry_timer, core.suspend_timer, core.server_timer):
            if timer is not None:
                self._clock.cancel(timer)
        core.retry_timer = core.suspend_timer = core.server_timer = None
        core.attempts = 0
        core.suspended = False

    def _detach_all(self, core: ClientCore) -> None:
        for _, room in core.ordered_members():
            if room.members[core.user_id].with_presence:
                room.views.detach(core)

    def _take_queued(self, core: ClientCore) -> None:
        """Subscribes queued while the link was down join the channel list (R-T3)."""
        queued, core.queued = core.queued, {}
        for name in sorted(queued):
            core.entered[self._key(core, ChannelType.MESSAGE, name)] = queued[name]

    def _restore(self, core: ClientCore) -> None:
        """Enter every channel of the client's list (after a kick or a server timeout)."""
        for key in sorted(core.entered):
            if key not in core.members:
                self._rejoin(core, key)

    def _rejoin(self, core: ClientCore, key: ChannelKey, *, attach: bool = True) -> bool:
        """Re-enter a channel of the client's list on the server; a channel that filled
        up meanwhile refuses it and leaves the list (the SDK's replayed call fails
        silently: its promise resolved long ago).  Returns whether it entered."""
        if self._server.is_full(core.app_id, key):
            del core.entered[key]
            core.cache.pop(key, None)
            return False
        self._server.enter(core, key, core.entered[key], attach=attach)
        return True

    # -------------------------------------------------------- subscribe, join

    def op_subscribe(
        self, core: ClientCore, operation: str, channel_name: object, options: object
    ) -> str:
        """Subscribe to a MESSAGE channel, also again with new options (R-L1, R-L4, R-T3).

        Returns the channel name.

        Raises:
            RtmError: -10021, -10025 (link, unless the subscribe can be queued), -10008,
                -11005 (50 channels), -11021 (channel full).
        """
        self._rate(core, "subscribe")
        queue = False
        if core.link_state is not LinkState.CONNECTED:
            if not self._can_queue_subscribe(core):
                self._require_link(core, operation, connected=True)
            queue = True
        name = check_channel_name(operation, channel_name)
        opts = _entry_options(options)
        key = self._key(core, ChannelType.MESSAGE, name)
        if key not in core.entered and name not in core.queued:
            used = len(core.entered) + len(core.queued)
            if used >= MESSAGE_CHANNEL_COUNT:
                raise RtmError.sdk(
                    operation,
                    ErrorCode.CHANNEL_INSTANCE_EXCEED_LIMITATION,
                    detail=f"user {core.user_id!r} is already in {used} channels",
                )
        if queue:
            core.queued[name] = opts
            return name
        if key not in core.entered:
            self._check_room(core, operation, key)
        with self._bus.operation():
            self._enter(core, key, opts)
        return name

    def _key(self, core: ClientCore, channel_type: ChannelType, name: str) -> ChannelKey:
        """The channel's key, the room's own tuple when the room exists (one per channel,
        not one per member: memory)."""
        room = self._server.room((core.app_id, channel_type, name))
        return room.key if room is not None else (channel_type, name)

    def _check_room(self, core: ClientCore, operation: str, key: ChannelKey) -> None:
        """R-L4: the server refuses a full channel (-11021 with serverCode, -11007)."""
        if not self._server.is_full(core.app_id, key):
            return
        users = self._config.max_channel_users
        if key[0] is ChannelType.MESSAGE:
            raise RtmError.sdk(
                operation,
                ErrorCode.CHANNEL_SUBSCRIBE_FAILED,
                detail=f"channel {key[1]!r} holds {users} users",
                server_code=int(ErrorCode.CHANNEL_SUBSCRIBE_FAILED),
            )
        raise RtmError.sdk(
            operation,
            ErrorCode.CHANNEL_JOIN_FAILED,
            detail=f"stream channel {key[1]!r} holds {users} users",
        )

    def _enter(self, core: ClientCore, key: ChannelKey, opts: EntryOptions) -> None:
        """Record the channel in the client's list and, when connected, on the server."""
        if core.entered.get(key) == opts:
            return  # R-L1: the same options again change nothing
        core.entered[key] = opts
        if core.connected:
            self._server.enter(core, key, opts)

    def op_join(self, core: ClientCore, channel_name: str, options: object) -> None:
        """Join a stream channel (R-L4; R-T4: the channel's own link reports each step,
        a refused join included).

        While the link is down (not IDLE) the join is kept in the client's list and
        reaches the server when the link is back (R-T3).

        Raises:
            RtmError: -10017, -10021, -10025 (IDLE), -10005 / -10016 (token), -11005
                (10 stream channels; the channel's link goes FAILED), -11007 (full).
        """
        operation = "join"
        key = self._key(core, ChannelType.STREAM, channel_name)
        link = core.stream_links.get(channel_name, LinkState.IDLE)
        if link is LinkState.CONNECTING:
            raise RtmError.sdk(operation, ErrorCode.DUPLICATE_OPERATION)
        joined = key in core.entered
        if not joined:
            with self._bus.operation():
                rejoin = link is not LinkState.IDLE
                self._step(
                    core,
                    "stream_join",
                    stream=channel_name,
                    reason=LinkStateReasonCode.REJOIN if rejoin else None,
                )
        opts = _entry_options(options)
        try:
            self._rate(core, "join")
            self._require_link(core, operation, connected=False)
            token = options.get("token") if isinstance(options, Mapping) else None
            check_token(operation, token, core.app_id)
            if core.stream_count() >= STREAM_CHANNEL_COUNT:
                raise RtmError.sdk(
                    operation,
                    ErrorCode.CHANNEL_INSTANCE_EXCEED_LIMITATION,
                    name="RtmUnavailableError",
                    detail=f"{core.user_id!r} has joined {STREAM_CHANNEL_COUNT} stream channels",
                )
            if not joined and core.connected:
                self._check_room(core, operation, key)
        except (RtmError, SdkTypeError) as error:
            code = int(error.error_code) if isinstance(error, RtmError) else 0
            reason = _FAILED_JOIN_REASON.get(code, LinkStateReasonCode.JOIN_FAILED)
            with self._bus.operation():
                self._step(core, "stream_join_failed", stream=channel_name, reason=reason)
            raise
        with self._bus.operation():
            self._step(core, "stream_joined", stream=channel_name)
            self._enter(core, key, opts)

    def op_unsubscribe(self, core: ClientCore, operation: str, channel_name: object) -> str:
        """Unsubscribe (R-L5): resolves also when not subscribed; works while down (R-T3).

        Returns the channel name.

        Raises:
            RtmError: -10008.
        """
        name = check_channel_name(operation, channel_name)
        key: ChannelKey = (ChannelType.MESSAGE, name)
        if core.queued.pop(name, None) is not None and key not in core.entered:
            return name
        if core.link_state is LinkState.IDLE or key not in core.entered:
            return name
        with self._bus.operation():
            self._exit(core, key)
        return name

    def op_leave(self, core: ClientCore, channel_name: str) -> None:
        """Leave a stream channel (R-L5).

        Raises:
            RtmError: -10025 (link not CONNECTED), -11001 (not joined).
        """
        operation = "leave"
        self._require_link(core, operation, connected=False)
        key: ChannelKey = (ChannelType.STREAM, channel_name)
        link = core.stream_links.get(channel_name, LinkState.IDLE)
        if link is LinkState.FAILED and key not in core.entered:
            with self._bus.operation():
                self._step(core, "stream_leave", stream=channel_name)
            return
        if key not in core.entered or link is not LinkState.CONNECTED:
            raise RtmError.sdk(
                operation,
                ErrorCode.CHANNEL_NOT_JOINED,
                detail=f"user {core.user_id!r} has not joined stream channel {channel_name!r}",
            )
        with self._bus.operation():
            self._exit(core, key)
            self._step(core, "stream_leave", stream=channel_name)

    def _exit(self, core: ClientCore, key: ChannelKey) -> None:
        """The client drops a channel from its list; its cache entry goes (R-S4)."""
        del core.entered[key]
        core.cache.pop(key, None)
        core.dirty.pop(key, None)
        if core.connected and key in core.members:
            self._server.leave(core, key)

    # ----------------------------------------------------------------- queries

    def op_who_now(
        self,
        core: ClientCore,
        operation: str,
        channel_name: object,
        channel_type: object,
        options: object,
    ) -> GetOnlineUsersResponse:
        """``whoNow`` / ``getOnlineUsers`` (R-Q1..R-Q4, R-Q7; R-E8's registry answer).

        Raises:
            RtmError: -10021, -10019, -10025, -10008, -13003.
            SdkInvalidCharacterError: (a ``ValueError``) for a ``page`` that is not base64.
        """
        try:
            return self._who_now(core, operation, channel_name, channel_type, options)
        except RtmError as error:
            error.operation = operation  # getOnlineUsers renames every error it passes on
            raise

    def _who_now(
        self,
        core: ClientCore,
        operation: str,
        channel_name: object,
        channel_type: object,
        options: object,
    ) -> GetOnlineUsersResponse:
        self._rate(core, "whoNow")
        ctype = check_channel_type(operation, channel_type)
        self._require_link(core, operation, connected=True)
        name = check_channel_name(operation, channel_name)
        opts: Mapping[str, Any] = options if isinstance(options, Mapping) else {}
        ids = opts.get("includedUserId") is not False
        with_states = opts.get("includedState") is True
        page = opts.get("page")
        if not ids and with_states:
            raise RtmError.sdk(
                operation,
                ErrorCode.PRESENCE_INVALID_ARGUMENT,
                suffix="include uid is false but include state is true",
                detail="includedState=True needs includedUserId",
            )
        key: ChannelKey = (ctype, name)
        room = self._server.room((core.app_id, *key))
        entered = core.entered.get(key)
        if ctype is ChannelType.MESSAGE and room is not None and room.views.in_fallback(core):
            users = [UserState(u) for u, o in sorted(room.members.items()) if not o.be_quiet]
            return GetOnlineUsersResponse(len(users), tuple(users) if ids else (), "", self.now_ms)
        if entered is not None and entered.with_presence:  # R-Q2: the local replica
            if room is None:
                return GetOnlineUsersResponse(0, (), "", 0)
            docs = room.docs
            if not ids:
                return GetOnlineUsersResponse(len(docs), (), "", 0)
            shown, _, _ = docs.page(None, len(docs), with_states)
            return GetOnlineUsersResponse(len(docs), tuple(shown), "", 0)
        total = len(room.docs) if room is not None else 0
        if not ids:  # count only: the page is ignored (R-Q4)
            return GetOnlineUsersResponse(total, (), "", 0)
        after = atob(page) if page else None  # R-Q3
        if room is None:
            return GetOnlineUsersResponse(0, (), "", 0)
        shown, last, more = room.docs.page(after, self._config.announce_max, with_states)
        return GetOnlineUsersResponse(total, tuple(shown), btoa(last) if more else "", 0)

    def op_where_now(
        self, core: ClientCore, operation: str, user_id: object
    ) -> GetUserChannelsResponse:
        """``whereNow`` / ``getUserChannels`` (R-Q5): ``""`` is the caller.

        Raises:
            RtmError: -10021, -10025, -10006.
        """
        try:
            self._rate(core, "whereNow")
            self._require_link(core, operation, connected=True)
            uid = core.user_id if user_id == "" else check_user_id(operation, user_id)
        except RtmError as error:
            error.operation = operation  # getUserChannels renames every error it passes on
            raise
        channels = self._server.channels_of(core.app_id, uid)
        return GetUserChannelsResponse(len(channels), channels, 0)

    def op_get_state(
        self, core: ClientCore, user_id: object, channel_name: object, channel_type: object
    ) -> GetStateResponse:
        """``getState`` (R-Q6): its three routes.

        Raises:
            RtmError: -10021, -10019, -10025, -10008, -10006, -13011.
        """
        operation = "presenceGetState"
        self._rate(core, "getState")
        ctype = check_channel_type(operation, channel_type)
        own = user_id == core.user_id
        if not own and core.link_state is LinkState.FAILED:
            raise RtmError.sdk(operation, ErrorCode.NOT_CONNECTED, detail="the link is FAILED")
        self._require_link(core, operation, connected=not own)
        name = check_channel_name(operation, channel_name)
        uid = check_user_id(operation, user_id)
        key: ChannelKey = (ctype, name)
        if own:
            return GetStateResponse(uid, core.cache.get(key, StateMap()), 0)
        doc = self._server.document(core.app_id, key, uid)
        entered = core.entered.get(key)
        if entered is not None and entered.with_presence and doc is None:
            raise RtmError.sdk(
                operation,
                ErrorCode.PRESENCE_USER_NOT_EXIST,
                detail=f"user {uid!r} has no document in {ctype.value} channel {name!r}",
            )
        return GetStateResponse(uid, doc.states if doc is not None else StateMap(), 0)

    # ------------------------------------------------------------------- state

    def op_set_state(
        self, core: ClientCore, channel_name: object, channel_type: object, state: object
    ) -> None:
        """``setState`` (R-S1..R-S5): merges into the cache entry and the document.

        Raises:
            RtmError: -10021, -10019, -10025, -10008, -13003, -13005, -13004, -13008,
                -13006, -13009.
            SdkTypeError: (a ``TypeError``) for ``None`` or a value JSON cannot carry.
        """
        operation = "presenceSetState"
        self._rate(core, "modifyState")
        ctype = check_channel_type(operation, channel_type)
        self._require_link(core, operation, connected=False)
        name = check_channel_name(operation, channel_name)
        key: ChannelKey = (ctype, name)
        current = core.cache.get(key, StateMap())
        items = check_set_state(operation, state, current.keys(), len(core.cache))
        written = dict(items)
        with self._bus.operation():
            core.cache[key] = StateMap({**current, **written})
            self._sync_state(core, key, written)

    def op_remove_state(
        self,
        core: ClientCore,
        channel_name: object,
        channel_type: object,
        options: object,
        states: object = NOT_GIVEN,
    ) -> None:
        """``removeState`` (R-S2, R-S3, R-S5): the listed keys, or all.

        Raises:
            RtmError: -10021, -10019, -10025, -10008, -13010, -13005, -13008, -13006.
            SdkTypeError: (a ``TypeError``) for ``states`` that is not a list.
        """
        operation = "presenceRemoveState"
        self._rate(core, "modifyState")
        ctype = check_channel_type(operation, channel_type)
        self._require_link(core, operation, connected=False)
        name = check_channel_name(operation, channel_name)
        if states is NOT_GIVEN:
            states = options.get("states") if isinstance(options, Mapping) else None
        elif isinstance(options, Mapping) and options.get("states") is not None:
            raise SdkTypeError("states given twice: in the options and as a keyword")
        keys = remove_state_keys(operation, states)
        key: ChannelKey = (ctype, name)
        current = core.cache.get(key, StateMap())
        if keys is None:
            remaining = StateMap()
        else:
            remaining = StateMap({k: v for k, v in current.items() if k not in keys})
        with self._bus.operation():
            core.cache[key] = remaining
            if len(remaining) != len(current):
                self._sync_state(core, key, {})

    def _sync_state(self, core: ClientCore, key: ChannelKey, written: dict[str, Any]) -> None:
        if key not in core.members:
            return
        if core.connected:
            self._server.write_state(core, key, written=written)
        else:
            core.dirty[key] = None  # R-T3: synced when the link is back

    # ------------------------------------------------- network, reconnecting

    def _find_core(self, operation: str, user_id: object, app_id: object) -> ClientCore:
        uid = check_user_id(operation, user_id)
        app = check_app_id(app_id) if app_id != DEFAULT_APP_ID else DEFAULT_APP_ID
        core = self._server.sessions.get((app, uid))
        if core is None:
            for candidate in reversed(self._cores):
                if candidate.app_id == app and candidate.user_id == uid and candidate.logged_in:
                    return candidate
            raise ConfigError.bad(
                operation, f"no client of user {uid!r} is logged in to app {app!r}"
            )
        return core

    def disconnect(self, user_id: str, *, app_id: str = DEFAULT_APP_ID) -> None:
        """Cut the network of ``user_id``'s logged-in client (R-T2, R-T4).

        The link goes ``DISCONNECTED`` now and tries to reconnect 2 s later, then after
        the back-off of R-T4; the server notices after ``heartbeat_interval + 10`` s and
        times the user out ``presence_timeout`` s after that.  Disconnecting a
        disconnected client does nothing.

        Raises:
            RtmError: -10006 for a bad user id; ConfigError if no client of it is logged
                in, or for a bad app id.
        """
        core = self._find_core("disconnect", user_id, app_id)
        if not core.network_up:
            return
        with self._bus.operation():
            core.network_up = False
            if core.link_state is not LinkState.CONNECTED:
                return
            for key, room in core.ordered_members():
                if room.members[core.user_id].with_presence:
                    docs = room.docs
                    core.heard[key] = dict(zip(docs, docs.states(), strict=True))
            self._detach_all(core)
            self._step(core, "connection_lost")
            self._schedule_retry(core)
            if core.session:
                who = f"{core.user_id!r} of app {core.app_id!r}"
                core.server_timer = self._clock.schedule(
                    core.config.timeout_ms,
                    lambda: f"server times out {who}",
                    lambda: self._server_timeout(core),
                )

    def _schedule_retry(self, core: ClientCore) -> None:
        who = core.user_id
        core.retry_timer = self._clock.schedule(
            retry_delay_ms(core.attempts),
            lambda: f"reconnect attempt {core.attempts + 1} of {who!r}",
            lambda: self._attempt(core),
            lambda: not core.network_up and core.server_timer is None,
        )

    def _attempt(self, core: ClientCore) -> None:
        with self._bus.operation():
            core.retry_timer = None
            self._step(core, "retry")
            if core.network_up:
                self._reconnected(core)
                return
            who = core.user_id
            core.retry_timer = self._clock.schedule(
                ATTEMPT_MS,
                lambda: f"reconnect attempt of {who!r} times out",
                lambda: self._attempt_failed(core),
                lambda: not core.network_up and core.server_timer is None,
            )

    def _attempt_failed(self, core: ClientCore) -> None:
        with self._bus.operation():
            core.retry_timer = None
            self._step(core, "suspended" if core.suspended else "retry_failed")
            if core.suspend_timer is None and not core.suspended:
                core.suspend_timer = self._clock.schedule(
                    SUSPEND_AFTER_MS,
                    lambda: f"link of {core.user_id!r} will report SUSPENDED",
                    lambda: self._suspend(core),
                    lambda: not core.network_up and core.server_timer is None,
                )
            core.attempts += 1
            self._schedule_retry(core)

    def _suspend(self, core: ClientCore) -> None:
        core.suspend_timer = None
        core.suspended = True

    def _server_timeout(self, core: ClientCore) -> None:
        """R-T2: the server gives up on an unreachable client."""
        with self._bus.operation():
            core.server_timer = None
            self._server.expire(core)

    def _reconnected(self, core: ClientCore) -> None:
        """The link is back (R-T3): writes made while down reach the server, queued
        subscribes are made, and each listening replica catches up by events."""
        resumed = not core.suspended
        for timer in (core.suspend_timer, core.server_timer):
            if timer is not None:
                self._clock.cancel(timer)
        core.suspend_timer = core.server_timer = None
        core.attempts = 0
        core.suspended = False
        self._take_queued(core)
        waiter = self._waiters.pop(id(core), None)
        if waiter is not None:
            self._step(core, "relogin_connected", is_resumed=resumed)
        else:
            self._step(core, "reconnected", is_resumed=resumed)
        if not core.session:
            self._open_session(core)
        for key, _ in core.ordered_members():
            if key not in core.entered:
                self._server.leave(core, key)  # unsubscribed while down
        heard, core.heard = core.heard, {}
        for key in sorted(core.entered):
            opts = core.entered[key]
            room = core.members.get(key)
            if room is None:
                if not self._rejoin(core, key, attach=key not in heard):
                    continue
                room = core.members[key]
            else:
                if room.members[core.user_id] != opts:  # options changed while down (R-L1)
                    self._server.enter(core, key, opts, attach=key not in heard)
                if key in core.dirty:
                    self._server.write_state(core, key)
            if key in heard and room.members[core.user_id].with_presence:
                room.views.resume(core, heard[key])
        core.dirty.clear()
        if waiter is not None:
            waiter.settle(None)

    def reconnect(self, user_id: str, *, app_id: str = DEFAULT_APP_ID) -> None:
        """Bring back the network of ``user_id``'s client (R-T3, R-T4).

        The client reconnects at its next retry.  Before the server timed it out the
        others see nothing; after, it re-enters its channels with their options and
        state.  Either way its replica catches up by events, without a new ``SNAPSHOT``.

        Raises:
            RtmError: -10006 for a bad user id; ConfigError if no client of it is logged
                in, or for a bad app id.
        """
        core = self._find_core("reconnect", user_id, app_id)
        core.network_up = True

    # --------------------------------------------------------------- faults

    def set_presence_available(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        available: bool,
        *,
        app_id: str = DEFAULT_APP_ID,
    ) -> None:
        """Switch a channel's presence store off or on (fault injection, R-E8).

        While it is off no presence event flows on the channel; a listener falls back
        to the member registry after 60 s (a ``SNAPSHOT`` without states, then
        ``REMOTE_JOIN`` / ``REMOTE_LEAVE`` only); when it is back every listener gets a
        fresh ``SNAPSHOT``.

        Raises:
            RtmError: -10008 / -10019 for a bad channel; ConfigError if ``available``
                is not a bool or the app id is bad.
        """
        op = "set_presence_available"
        name = check_channel_name(op, channel_name)
        ctype = check_channel_type(op, channel_type)
        if not isinstance(available, bool):
            raise ConfigError.bad(op, f"available must be a bool, got {available!r}")
        app = check_app_id(app_id) if app_id != DEFAULT_APP_ID else DEFAULT_APP_ID
        ident = (app, ctype, name)
        if self._faults.presence_available(ident) == available:
            return
        with self._bus.operation():
            self._faults.set_presence_available(ident, available)
            room = self._server.room(ident)
            if room is not None:
                if available:
                    room.views.restore()
                else:
                    room.views.outage()

    def set_delivery_latency(
        self, user_id: str, seconds: float, *, app_id: str = DEFAULT_APP_ID
    ) -> None:
        """Deliver presence events to ``user_id`` ``seconds`` late (fault injection, R-E9).

        Events keep their ``seq`` and ``timestamp`` (when the server sent them); they
        reach the listeners when the clock passes the delay, or never if the client is
        disconnected or logged out by then.  ``seconds=0`` restores zero latency.

        Raises:
            RtmError: -10006 for a bad user id; ConfigError for a bad duration or app id.
        """
        op = "set_delivery_latency"
        uid = check_user_id(op, user_id)
        app = check_app_id(app_id) if app_id != DEFAULT_APP_ID else DEFAULT_APP_ID
        self._faults.set_latency_ms(app, uid, check_duration_ms(op, seconds))

    # ----------------------------------------------------------- introspection

    def online_users(
        self, channel_name: str, channel_type: str | ChannelType, *, app_id: str = DEFAULT_APP_ID
    ) -> list[str]:
        """The channel's user documents, sorted: what ``getOnlineUsers`` lists (R-Q3).

        Raises:
            RtmError: -10008 / -10019 for a bad channel; ConfigError for a bad app id.
        """
        op = "online_users"
        name = check_channel_name(op, channel_name)
        ctype = check_channel_type(op, channel_type)
        app = check_app_id(app_id) if app_id != DEFAULT_APP_ID else DEFAULT_APP_ID
        room = self._server.room((app, ctype, name))
        return list(room.docs) if room is not None else []

    def user_channels(
        self, user_id: str, *, app_id: str = DEFAULT_APP_ID
    ) -> list[tuple[ChannelType, str]]:
        """Sorted ``(channel_type, channel_name)`` the user is present in, quiet included.

        Raises:
            RtmError: -10006 for a bad user id; ConfigError for a bad app id.
        """
        op = "user_channels"
        uid = check_user_id(op, user_id)
        app = check_app_id(app_id) if app_id != DEFAULT_APP_ID else DEFAULT_APP_ID
        core = self._server.sessions.get((app, uid))
        return [key for key, _ in core.ordered_members()] if core is not None else []

    def state_of(
        self,
        user_id: str,
        channel_name: str,
        channel_type: str | ChannelType,
        *,
        app_id: str = DEFAULT_APP_ID,
    ) -> dict[str, Any]:
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
        app = check_app_id(app_id) if app_id != DEFAULT_APP_ID else DEFAULT_APP_ID
        core = self._server.sessions.get((app, uid))
        key: ChannelKey = (ctype, name)
        if core is None or key not in core.members:
            return {}
        room = core.members[key]
        if room.members[uid].be_quiet:
            return dict(core.cache.get(key, {}))
        shown = room.docs.get(uid)
        return dict(shown.states) if shown is not None else {}

    def pending_timers(self) -> list[tuple[int, str]]:
        """``(due_ms, label)`` of every pending timer, in firing order."""
        return [(t.due_ms, t.label) for t in self._clock.pending()]

    def check_invariants(self) -> None:
        """Cross-check every index; raise ``AssertionError`` naming the first mismatch.

        Checks the server's rooms (members, documents, lingering documents, views),
        its sessions, and every client (channel list within the R-L4 limits, link
        state against timers and session, a connected client's list equal to its
        memberships), and the timer queue.  Side-effect free.

        Raises:
            AssertionError: when an index disagrees.
        """
        self._clock.check()
        self._server.check()
        for core in self._cores:
            assert core.bare == UserState(core.user_id), core.user_id
            messages = len(core.entered) + len(core.queued) - core.stream_count()
            assert messages <= MESSAGE_CHANNEL_COUNT, core.user_id
            assert core.stream_count() <= STREAM_CHANNEL_COUNT, core.user_id
            if core.link_state is LinkState.IDLE:
                assert not core.entered and not core.cache and not core.session, core.user_id
                assert core.retry_timer is None and core.server_timer is None, core.user_id
                continue
            if core.session:
                assert self._server.sessions[(core.app_id, core.user_id)] is core
            else:
                assert not core.members, core.user_id
            if core.connected:
                assert core.session and core.retry_timer is None, core.user_id
                assert not core.queued and not core.dirty, core.user_id
                assert sorted(core.members) == sorted(core.entered), core.user_id
                for key, room in core.members.items():
                    options = room.members[core.user_id]
                    assert options == core.entered[key], (core.user_id, key)
                    assert options.with_presence == room.views.attached(core)
            else:
                for _, room in core.members.items():
                    assert not room.views.attached(core), core.user_id

    # -------------------------------------------------------------- listeners

    @staticmethod
    def add_listener(core: ClientCore, event_name: object, listener: object) -> None:
        """Register a listener (the SDK's ``addEventListener``): any event name (R-C5).

        Raises:
            SdkTypeError: (a ``TypeError``) when ``listener`` is not callable.
        """
        if not callable(listener):
            raise SdkTypeError(LISTENER_NOT_A_FUNCTION)
        core.listeners.setdefault(str(event_name), []).append(listener)

    @staticmethod
    def remove_listener(core: ClientCore, event_name: object, listener: object) -> None:
        """Remove the last registration of ``listener``; removing an absent one does nothing."""
        listeners = core.listeners.get(str(event_name), [])
        for i in range(len(listeners) - 1, -1, -1):
            if listeners[i] == listener:
                del listeners[i]
                break
