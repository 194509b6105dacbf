"""The engine: the emulated service put together, its clock and the harness's verbs (R-T1).

Theory of operation.  Three rooms make the emulator, as they make the real system:

* ``_server`` — what the server decides (channels, user documents, debounce, timeouts);
* ``_replicas`` — the server of a real SDK's document store (real-SDK mode, D-RS1..D-RS8);
* ``_views`` — what each SDK client derives from the documents (its events, its
  interval mode, its local answers);
* the SDK — what it checks before it does anything (R-X1: rate limit, channel type,
  link state, names, options, state; first fault wins), its link-state machine and its
  own memory (``_session``: channel list and state cache, kept through losses and
  kicks).  The SDK's operations live by rule family, each in a small class the engine
  holds and gives what it needs:

  ========================  ====================================================
  ``_clients``              making clients, listeners (R-C1..R-C3, R-C5, R-C6)
  ``_queries``              whoNow, whereNow, getState (R-Q1..R-Q7)
  ``_state``                setState, removeState (R-S1..R-S5)
  ``_membership``           subscribe, unsubscribe, join, leave (R-L1, R-L4, R-L5)
  ``_connection``           login, logout, kicks, loss and reconnect (R-L2, R-L3,
                            R-T2..R-T4), each step from ``_link`` (R-T4)
  ``_messaging``            publish, delivery, the replay of messages kept while
                            a link is down, history (R-M1..R-M11, R-M22..R-M24)
  ``_topics``               stream-channel topics and topic messages (R-M12..R-M21)
  ``_storage``              channel and user metadata (R-ST1..R-ST20)
  ``_locks``                distributed locks (R-LK1..R-LK22)
  ``_checks``, ``_validate``  the checks every operation makes (R-X1..R-X3)
  ========================  ====================================================

This module owns the clock (R-T1: only the harness moves it) and the harness's verbs:
time, faults (R-E8, R-E9 switches), looking inside and the invariants.  The SDK's
operations (``op_*``) are the rooms' own bound methods, so a client's call reaches the
code that runs it with no call in between.

Every operation validates everything first, then changes state inside one bus
operation, so a call that raises changes nothing and emits nothing — except where the
SDK itself emits first (a failed stream join reports its link's ``FAILED``).  Nothing
here reads the wall clock or iterates a set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._bus import Delivered, EventBus, ListenerError
from ._clients import Clients, add_listener, remove_listener
from ._clock import FakeClock
from ._config import DEFAULT_APP_ID, EmulatorConfig, check_certificate
from ._connection import Connection
from ._errors import ConfigError
from ._events import DocEvent
from ._faults import Faults
from ._ids import show
from ._journal import Journal, check_max_entries
from ._journal import entry as journal_entry
from ._js import plain
from ._limits import MESSAGE_CHANNEL_COUNT, STREAM_CHANNEL_COUNT
from ._link import Links
from ._locks import Locks
from ._membership import Membership
from ._messaging import Messaging
from ._queries import Queries
from ._replicas import Replicas
from ._server import Server
from ._session import HELD_STATES, ChannelKey, ClientCore
from ._state import States
from ._storage import Storage
from ._tokens import Tokens
from ._topics import Topics
from ._types import ChannelType, UserState
from ._validate import (
    check_app_id,
    check_channel_name,
    check_channel_type,
    check_duration_ms,
    check_user_id,
)

__all__ = ["Engine"]


class Engine:
    """The emulated service: the server, every client's SDK, the clock and the bus.

    Use it through :class:`rtm_emulator.Emulator`, which holds it and shows only the harness verbs.
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        strict: bool = False,
        journal: bool = True,
        journal_max_entries: int | None = None,
    ) -> None:
        for flag, value in (("strict", strict), ("journal", journal)):
            if not isinstance(value, bool):
                raise ConfigError.bad("Emulator", f"{flag} must be a bool, got {show(value)}")
        check_max_entries("Emulator", journal_max_entries)
        if config is None:
            config = EmulatorConfig()
        if not isinstance(config, EmulatorConfig):
            raise ConfigError.bad(
                "Emulator", f"config must be an EmulatorConfig, got {show(config)}"
            )
        self._config = config
        self._clock = clock = FakeClock(config.start_time_ms)
        self._faults = Faults()
        self._bus = bus = EventBus(clock, self._faults)
        self._server = server = Server(config, clock, bus, self._faults)
        links = Links(clock, bus)
        self._clients = clients = Clients(config, server)
        membership = Membership(config, clock, bus, server, links)
        self._connection = connection = Connection(clock, bus, server, links, membership, clients)
        queries = Queries(config, clock, server)
        states = States(clock, bus, server)
        self._topics = topics = Topics(clock, bus)
        self._messaging = messaging = Messaging(clock, bus, server, topics)
        server.on_enter.append(topics.entered)
        server.on_leave.append(topics.left)
        server.on_session_end.append(messaging.session_ended)
        connection.link_back.append(messaging.link_back)
        connection.link_back.append(topics.link_back)
        # storage (R-ST15, R-ST19): withMetadata subscriptions, reconnects, logout
        # locks (R-LK17, R-LK20, D-LK8, D-LK9): withLock subscriptions, losses, kicks
        self._locks = locks = Locks(clock, bus)
        self._storage = storage = Storage(clock, bus, locks)
        membership.entry_checks.append(storage.check_entry)
        membership.entry_hooks.append(storage.entered)
        membership.server_checks.append(storage.check_subscription)
        membership.exit_hooks.append(storage.exited)
        connection.link_back.append(storage.link_back)
        connection.logged_in.append(storage.link_back)
        connection.logged_out.append(storage.logged_out)
        membership.entry_checks.append(locks.check_entry)
        membership.entry_hooks.append(locks.entered)
        membership.exit_hooks.append(locks.exited)
        connection.link_lost.append(locks.link_lost)
        connection.link_back.append(locks.link_back)
        connection.logged_in.append(locks.link_back)
        connection.kicked.append(locks.kicked)
        connection.logged_out.append(locks.logged_out)
        # tokens (R-TK...): the access point's checks, expiry on the fake clock
        self._tokens = tokens = Tokens(clock, bus, dict(config.app_certificates))
        tokens.end_session = connection.expire_session
        tokens.end_stream = membership.expire_stream
        membership.join_checks.append(tokens.check_stream_join)
        membership.entry_hooks.append(tokens.entered)
        membership.exit_hooks.append(tokens.exited)
        connection.login_checks.append(tokens.check_login)
        connection.logged_in.append(tokens.logged_in)
        connection.reconnect_refusals.append(tokens.reconnect_refused)
        connection.link_back.append(tokens.link_back)
        connection.logged_out.append(tokens.forget)
        server.on_session_end.append(tokens.session_ended)
        # real-SDK mode (D-RS1..D-RS8): the document store of the app's own SDK
        self.replicas = replicas = Replicas(bus, server)
        connection.kicked.append(replicas.forget)
        connection.logged_out.append(replicas.forget)
        connection.link_lost.append(replicas.link_lost)
        self._cores: dict[ClientCore, None] = clients.live
        self._waiters = connection.waiters
        # The SDK's operations: each the bound method of the room owning its rules.
        self._new_core = clients.new_core
        self.op_login = connection.op_login
        self.op_logout = connection.op_logout
        self.op_subscribe = membership.op_subscribe
        self.op_unsubscribe = membership.op_unsubscribe
        self.op_join = membership.op_join
        self.op_leave = membership.op_leave
        self.op_who_now = queries.op_who_now
        self.op_where_now = queries.op_where_now
        self.op_get_state = queries.op_get_state
        self.op_set_state = states.op_set_state
        self.op_remove_state = states.op_remove_state
        self.op_publish = messaging.op_publish
        self.op_get_messages = messaging.op_get_messages
        self.op_join_topic = topics.op_join_topic
        self.op_leave_topic = topics.op_leave_topic
        self.op_subscribe_topic = topics.op_subscribe_topic
        self.op_unsubscribe_topic = topics.op_unsubscribe_topic
        self.op_publish_topic_message = topics.op_publish_topic_message
        self.op_get_subscribed_user_list = topics.op_get_subscribed_user_list
        self.op_set_channel_metadata = storage.op_set_channel_metadata
        self.op_update_channel_metadata = storage.op_update_channel_metadata
        self.op_remove_channel_metadata = storage.op_remove_channel_metadata
        self.op_get_channel_metadata = storage.op_get_channel_metadata
        self.op_set_user_metadata = storage.op_set_user_metadata
        self.op_update_user_metadata = storage.op_update_user_metadata
        self.op_remove_user_metadata = storage.op_remove_user_metadata
        self.op_get_user_metadata = storage.op_get_user_metadata
        self.op_subscribe_user_metadata = storage.op_subscribe_user_metadata
        self.op_unsubscribe_user_metadata = storage.op_unsubscribe_user_metadata
        self.op_set_lock = locks.op_set_lock
        self.op_remove_lock = locks.op_remove_lock
        self.op_acquire_lock = locks.op_acquire_lock
        self.op_release_lock = locks.op_release_lock
        self.op_revoke_lock = locks.op_revoke_lock
        self.op_get_lock = locks.op_get_lock
        self.op_renew_token = tokens.op_renew_token
        if strict:
            self._bus.after_operation.append(self.check_invariants)
        #: every delivered event with its recipient, in delivery order (the newest
        #: ``journal_max_entries`` when bounded)
        self.journal = Journal(max_entries=journal_max_entries)
        self.journal_enabled = journal
        if journal:
            self._bus.observers.append(self._record)

    def _record(self, core: ClientCore, event: Delivered) -> None:
        if isinstance(event, DocEvent):  # a real SDK's transport, not an event (D-RS3)
            return
        self.journal.record(journal_entry(core.user_id, core.app_id, event, self._clock.now_ms))

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
        """The work of ``Emulator.advance`` (whose docstring is the contract)."""
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
        """The work of ``Emulator.run_until_idle`` (whose docstring is the contract)."""
        if type(max_timers) is not int or max_timers < 0:
            raise ConfigError.bad(
                "run_until_idle",
                f"max_timers must be an int >= 0, got {show(max_timers)}",
            )
        fired = 0
        while len(self._clock) and not self._clock.all_idle():
            due = self._clock.next_due_ms
            assert due is not None
            fired += self._clock.advance_to(due)
            if fired > max_timers:
                raise RuntimeError(f"run_until_idle fired more than {max_timers} timers")
        return fired

    def at(self, seconds: float, action: Callable[[], object], *, label: str = "") -> None:
        """The work of ``Emulator.at`` (whose docstring is the contract)."""
        if not callable(action):
            raise ConfigError.bad("at", f"action must be callable, got {show(action)}")
        if not isinstance(label, str):
            raise ConfigError.bad("at", f"label must be a string, got {show(label)}")
        label = plain(label)
        due = self._start_ms_plus(seconds, "at")
        what = label or getattr(action, "__name__", "action")
        at_s = (due - self._config.start_time_ms) / 1000  # never the caller's own number
        self._clock.schedule(due - self.now_ms, f"scripted {what} at +{at_s:.3f}s", action)

    def run_until(self, seconds: float) -> None:
        """The work of ``Emulator.run_until`` (whose docstring is the contract)."""
        self._clock.advance_to(self._start_ms_plus(seconds, "run_until"))

    def _start_ms_plus(self, seconds: object, operation: str) -> int:
        due = self._config.start_time_ms + check_duration_ms(
            operation, seconds, allow_negative=True
        )
        if due < self.now_ms:
            raise ConfigError.bad(
                operation,
                f"{show(seconds)} s after the start is in the past (now is +{self.elapsed:.3f} s)",
            )
        return due

    # ------------------------------------------------- network, reconnecting

    def disconnect(self, user_id: str, *, app_id: str = DEFAULT_APP_ID) -> None:
        """The work of ``Emulator.disconnect`` (whose docstring is the contract)."""
        self._connection.disconnect(user_id, app_id)

    def reconnect(self, user_id: str, *, app_id: str = DEFAULT_APP_ID) -> None:
        """The work of ``Emulator.reconnect`` (whose docstring is the contract)."""
        self._connection.reconnect(user_id, app_id)

    # --------------------------------------------------------------- faults

    def set_presence_available(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        available: bool,
        *,
        app_id: str = DEFAULT_APP_ID,
    ) -> None:
        """The work of ``Emulator.set_presence_available`` (whose docstring is the contract)."""
        op = "set_presence_available"
        name = check_channel_name(op, channel_name)
        ctype = check_channel_type(op, channel_type)
        if not isinstance(available, bool):
            raise ConfigError.bad(op, f"available must be a bool, got {show(available)}")
        app = check_app_id(app_id)
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
        """The work of ``Emulator.set_delivery_latency`` (whose docstring is the contract)."""
        op = "set_delivery_latency"
        uid = check_user_id(op, user_id)
        app = check_app_id(app_id)
        self._faults.set_latency_ms(app, uid, check_duration_ms(op, seconds))

    def set_storage_reply_code(
        self, user_id: str, code: int, *, app_id: str = DEFAULT_APP_ID
    ) -> None:
        """Fault injection (R-ST11, R-ST13): the server answers every storage request of
        ``user_id`` with ``code`` (3, 6, 14, 100, any other: the SDK's mapping); 0
        restores the server's own answers."""
        _set_reply_code("set_storage_reply_code", self._storage.reply_codes, user_id, code, app_id)

    def set_lock_reply_code(self, user_id: str, code: int, *, app_id: str = DEFAULT_APP_ID) -> None:
        """Fault injection (R-LK11): the server answers every lock request of ``user_id``
        with ``code`` (6, 7, 13, 14, any other: the SDK's mapping); 0 restores the
        server's own answers."""
        _set_reply_code("set_lock_reply_code", self._locks.reply_codes, user_id, code, app_id)

    def set_app_certificate(self, app_id: str, certificate: str | None) -> None:
        """The work of ``Emulator.set_app_certificate`` (whose docstring is the contract)."""
        app = check_app_id(app_id)
        if certificate is None:
            self._tokens.certificates.pop(app, None)
            return
        self._tokens.certificates[app] = check_certificate(app, certificate)[1]

    @property
    def tokens(self) -> Tokens:
        """The tokens room (R-TK...): certificates, each client's current token."""
        return self._tokens

    @property
    def locks(self) -> Locks:
        """The locks room (R-LK...): its SDK parameter, its reply-code faults."""
        return self._locks

    @property
    def storage(self) -> Storage:
        """The storage room (R-ST...): its ``locks`` view, its SDK parameters."""
        return self._storage

    # ----------------------------------------------------------- introspection

    def online_users(
        self, channel_name: str, channel_type: str | ChannelType, *, app_id: str = DEFAULT_APP_ID
    ) -> list[str]:
        """The work of ``Emulator.online_users`` (whose docstring is the contract)."""
        op = "online_users"
        name = check_channel_name(op, channel_name)
        ctype = check_channel_type(op, channel_type)
        app = check_app_id(app_id)
        room = self._server.room((app, ctype, name))
        return list(room.docs) if room is not None else []

    def user_channels(
        self, user_id: str, *, app_id: str = DEFAULT_APP_ID
    ) -> list[tuple[ChannelType, str]]:
        """The work of ``Emulator.user_channels`` (whose docstring is the contract)."""
        op = "user_channels"
        uid = check_user_id(op, user_id)
        app = check_app_id(app_id)
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
        """The work of ``Emulator.state_of`` (whose docstring is the contract)."""
        op = "state_of"
        uid = check_user_id(op, user_id)
        name = check_channel_name(op, channel_name)
        ctype = check_channel_type(op, channel_type)
        app = check_app_id(app_id)
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
        """The work of ``Emulator.check_invariants`` (whose docstring is the contract)."""
        self._clock.check()
        self._server.check()
        self._messaging.check()
        self._topics.check()
        self._storage.check()
        self._locks.check()
        cores = self._cores
        for core in self._server.sessions.values():
            assert core in cores, core.user_id  # a session's client is held
        for core in cores:
            assert core.registry is cores and core.link_state in HELD_STATES, core.user_id
            assert core.bare == UserState(core.user_id), core.user_id
            messages = len(core.entered) + len(core.queued) - core.stream_count()
            assert messages <= MESSAGE_CHANNEL_COUNT, core.user_id
            assert core.stream_count() <= STREAM_CHANNEL_COUNT, core.user_id
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

    #: ``addEventListener`` (R-C5); raises SdkTypeError for a listener that is not callable
    add_listener = staticmethod(add_listener)
    #: ``removeEventListener``: removes the last registration of the listener
    remove_listener = staticmethod(remove_listener)


def _set_reply_code(
    operation: str, table: dict[tuple[str, str], int], user_id: str, code: int, app_id: str
) -> None:
    """A reply-code fault of one family's server for one user (0: none).

    Raises:
        RtmError: -10006 for a bad user id, -10003 for a bad app id.
        ConfigError: a code that is not an int.
    """
    uid = check_user_id(operation, user_id)
    app = check_app_id(app_id)
    if type(code) is not int:
        raise ConfigError.bad(operation, f"code must be an int, got {show(code)}")
    if code:
        table[(app, uid)] = code
    else:
        table.pop((app, uid), None)
