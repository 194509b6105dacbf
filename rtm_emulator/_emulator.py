"""``Emulator``: the test harness around one engine, and the factory of its clients.

The emulator *holds* the engine (``_engine``) rather than being one: its public names
are only the harness verbs — time (``advance``, ``at``, ``run_until``,
``run_until_idle``, ``advance_to_next_event``, ``now_ms``, ``elapsed``,
``next_timer_at``, ``pending_timers``), faults (``disconnect``, ``reconnect``,
``set_presence_available``, ``set_delivery_latency``), looking inside
(``online_users``, ``user_channels``, ``state_of``, ``journal``, ``journal_enabled``,
``last_seq``, ``listener_errors``, ``check_invariants``, ``config``, ``strict``) and the
makers of clients and scripted users (``client``, ``user``).  Each verb forwards to the
engine explicitly; the engine's operations (``op_*``), its clients' cores and the
server's state are not reachable from here.

Clients and scripted users get the engine itself, so an SDK call costs no extra hop
through the emulator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._bus import ListenerError
from ._config import DEFAULT_APP_ID, EmulatorConfig, RTMConfig
from ._engine import Engine
from ._errors import ConfigError
from ._ids import check_app_id, show
from ._journal import Journal
from ._scripting import UserHandle
from ._types import ChannelType
from ._validate import check_user_id
from .client import RTMClient

__all__ = ["Emulator"]


class Emulator:
    """One in-memory Agora RTM presence service with its own fake clock.

    >>> emu = Emulator()
    >>> alice = emu.client("alice")
    >>> emu.now_ms
    1735689600000

    ``strict=True`` runs :meth:`check_invariants` after every operation and timer that
    changes something (slower; meant for test suites).  ``journal=False`` turns the
    event journal off (for long load scripts that would fill memory);
    ``journal_max_entries=N`` keeps it on but bounded: it keeps the newest ``N``
    deliveries, dropping the oldest first, and ``emu.journal.dropped`` counts those.

    Raises:
        ConfigError: (a ``ValueError``) if ``config`` is not an :class:`EmulatorConfig`,
            ``strict`` / ``journal`` is not a bool, or ``journal_max_entries`` is neither
            ``None`` nor an ``int`` from 1 to ``sys.maxsize``.
    """

    __slots__ = ("_engine", "_handles", "_strict")

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        strict: bool = False,
        journal: bool = True,
        journal_max_entries: int | None = None,
    ) -> None:
        if not isinstance(strict, bool):
            raise ConfigError.bad("Emulator", f"strict must be a bool, got {show(strict)}")
        self._engine = Engine(config, journal=journal, journal_max_entries=journal_max_entries)
        self._strict = strict
        self._handles: dict[tuple[str, str], UserHandle] = {}
        if strict:
            # the emulator's own check (looked up on each step, so a subclass's or a
            # patched ``check_invariants`` is the one strict mode runs)
            self._engine._bus.after_operation.append(self._check_after_step)

    def _check_after_step(self) -> None:
        self.check_invariants()

    # ------------------------------------------------------- clients, users

    def client(
        self,
        user_id: str,
        *,
        app_id: str = DEFAULT_APP_ID,
        config: RTMConfig | Mapping[str, Any] | None = None,
    ) -> RTMClient:
        """A new client of ``user_id`` in app ``app_id``, not logged in yet.

        ``config`` is an :class:`RTMConfig` or the SDK's config dict
        (``{"presenceTimeout": 20}``).  Several clients may share a user id; the one
        that logs in last kicks the others (R-T4).

        Raises:
            RtmError: -10003 for an invalid app id, -10006 for an invalid user id
                (``operation`` ``initRTM``, R-C1, R-C2).
            ConfigError: for a config that is neither an ``RTMConfig`` nor a dict.
        """
        engine = self._engine
        return RTMClient(engine, engine._new_core(user_id, app_id, config))

    def user(
        self,
        user_id: str,
        *,
        app_id: str = DEFAULT_APP_ID,
        config: RTMConfig | Mapping[str, Any] | None = None,
    ) -> UserHandle:
        """The scripted handle of a simulated user (the same handle on every call).

        ``emu.user("bob").subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})``.
        The handle logs its own client in before an action when it is not logged in
        (first use, after a logout or a kick); that login is a step of its own, so it
        stands even when the action then fails.  ``config`` applies when the handle is
        first made and is ignored afterwards.

        Raises:
            RtmError: -10003 for an invalid app id, -10006 for an invalid user id.
            ConfigError: for a config that is neither an ``RTMConfig`` nor a dict.
        """
        # the SDK constructor's order (app id, then user id), as plain strings: the key
        # of the handle never depends on a str subclass's own hash or equality
        key = (check_app_id(app_id), check_user_id("user", user_id))
        handle = self._handles.get(key)
        if handle is None:
            handle = self._handles[key] = UserHandle(
                self._engine, self.client(user_id, app_id=app_id, config=config)
            )
        return handle

    # ----------------------------------------------------------------- time

    @property
    def now_ms(self) -> int:
        """The fake clock: integer ms since the Unix epoch (R-T1)."""
        return self._engine.now_ms

    @property
    def elapsed(self) -> float:
        """Seconds of fake time since the emulator started."""
        return self._engine.elapsed

    @property
    def next_timer_at(self) -> int | None:
        """When the next pending timer is due (ms), or ``None`` when nothing is pending."""
        return self._engine.next_timer_at

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``, firing due timers in order (R-T1, R-E7).

        The clock moves in whole milliseconds (``seconds`` is rounded to the nearest).
        Re-entrant: a listener or an :meth:`at` action may call it while a timer fires;
        that call fires everything up to its own target and returns there, and the outer
        call goes on from there (it never moves the clock back; docs/decisions.md).

        Raises:
            ConfigError: (``INVALID_PARAMETER``, a ``ValueError``) if ``seconds`` is not
                a finite number >= 0.
        """
        self._engine.advance(seconds)

    def advance_to_next_event(self) -> int | None:
        """Jump to the next pending timer and fire everything due then.

        Returns the new time (ms), or ``None`` (and does nothing) when no timer is pending.

        Raises:
            Exception: whatever an action scheduled with :meth:`at` raises when it fires
                (nothing else).
        """
        return self._engine.advance_to_next_event()

    def run_until_idle(self, *, max_timers: int = 1_000_000) -> int:
        """Fire pending timers in order until none would deliver or change anything.

        An interval-mode boundary with nothing to report, and the reconnect attempts of
        a client whose network is down, do not keep it going, so it ends; returns the
        number of timers fired.

        Raises:
            RuntimeError: if more than ``max_timers`` fire (a scripted action that keeps
                rescheduling itself).
            ConfigError: (a ``ValueError``) if ``max_timers`` is not an ``int`` >= 0.
        """
        return self._engine.run_until_idle(max_timers=max_timers)

    def at(self, seconds: float, action: Callable[[], object], *, label: str = "") -> None:
        """Run ``action()`` when the fake clock reaches ``seconds`` after the start.

        Actions due at the same time run in the order they were scheduled, after the
        emulator's own timers scheduled before them.  An exception an action raises
        comes out of the ``advance`` / ``run_until`` call that fired it.

        Raises:
            ConfigError: if ``seconds`` is not a finite number, lies in the past,
                ``action`` is not callable or ``label`` is not a string.
        """
        self._engine.at(seconds, action, label=label)

    def run_until(self, seconds: float) -> None:
        """Advance the clock to ``seconds`` after the start, firing everything due.

        Raises:
            ConfigError: if ``seconds`` is not a finite number or lies in the past.
        """
        self._engine.run_until(seconds)

    def pending_timers(self) -> list[tuple[int, str]]:
        """``(due_ms, label)`` of every pending timer, in firing order.

        Raises nothing.
        """
        return self._engine.pending_timers()

    # --------------------------------------------------------------- faults

    def disconnect(self, user_id: str, *, app_id: str = DEFAULT_APP_ID) -> None:
        """Cut the network of ``user_id``'s logged-in client (R-T2, R-T4).

        The link goes ``DISCONNECTED`` now and tries to reconnect 2 s later, then after
        the back-off of R-T4; the server notices after ``heartbeat_interval + 10`` s and
        times the user out ``presence_timeout`` s after that.  Disconnecting a
        disconnected client does nothing.

        Raises:
            RtmError: -10006 for a bad user id, -10003 for a bad app id; ConfigError if
                no client of it is logged in.
        """
        self._engine.disconnect(user_id, app_id=app_id)

    def reconnect(self, user_id: str, *, app_id: str = DEFAULT_APP_ID) -> None:
        """Bring back the network of ``user_id``'s client (R-T3, R-T4).

        The client reconnects at its next retry.  Before the server timed it out the
        others see nothing; after, it re-enters its channels with their options and
        state.  Either way its replica catches up by events, without a new ``SNAPSHOT``.

        Raises:
            RtmError: -10006 for a bad user id, -10003 for a bad app id; ConfigError if
                no client of it is logged in.
        """
        self._engine.reconnect(user_id, app_id=app_id)

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
            RtmError: -10008 / -10019 for a bad channel; -10003 for a bad app id;
                ConfigError if ``available`` is not a bool.
        """
        self._engine.set_presence_available(channel_name, channel_type, available, app_id=app_id)

    def set_delivery_latency(
        self, user_id: str, seconds: float, *, app_id: str = DEFAULT_APP_ID
    ) -> None:
        """Deliver presence events to ``user_id`` ``seconds`` late (fault injection, R-E9).

        Events keep their ``seq`` and ``timestamp`` (when the server sent them); they
        reach the listeners when the clock passes the delay, or never if the client is
        disconnected or logged out by then.  ``seconds=0`` restores zero latency.

        Raises:
            RtmError: -10006 for a bad user id, -10003 for a bad app id; ConfigError for a
                bad duration.
        """
        self._engine.set_delivery_latency(user_id, seconds, app_id=app_id)

    def set_storage_reply_code(
        self, user_id: str, code: int, *, app_id: str = DEFAULT_APP_ID
    ) -> None:
        """Answer every storage request of ``user_id`` with the server code ``code``
        (fault injection, R-ST11, R-ST13, R-ST15): 3 is -12004, 6 -12014, 14 -12020 (a
        withMetadata subscription fails ``subscribe`` with it), 100 -12018, any other
        -12001; ``code=0`` restores the server's own answers.

        Raises:
            RtmError: -10006 for a bad user id, -10003 for a bad app id; ConfigError for a
                code that is not an int.
        """
        self._engine.set_storage_reply_code(user_id, code, app_id=app_id)

    def set_lock_reply_code(self, user_id: str, code: int, *, app_id: str = DEFAULT_APP_ID) -> None:
        """Answer every lock request of ``user_id`` with the server code ``code`` (fault
        injection, R-LK11): 6 is -14004, 7 -14007, 13 -14008, 14 -14010, any other
        -14001 (all ``RtmUnavailableError``); ``code=0`` restores the server's own answers.

        Raises:
            RtmError: -10006 for a bad user id, -10003 for a bad app id; ConfigError for a
                code that is not an int.
        """
        self._engine.set_lock_reply_code(user_id, code, app_id=app_id)

    def set_app_certificate(self, app_id: str, certificate: str | None) -> None:
        """Configure ``app_id``'s app certificate (R-TK20), as the console does; ``None``
        removes it.  From then on that app's ``login`` and ``renewToken`` check tokens
        against it (R-TK7, R-TK22); sessions already open keep their tokens' timers.

        Raises:
            RtmError: -10003 for a bad app id; ConfigError for a bad certificate.
        """
        self._engine.set_app_certificate(app_id, certificate)

    # --------------------------------------------------------- looking inside

    @property
    def config(self) -> EmulatorConfig:
        """The service's configuration."""
        return self._engine.config

    @property
    def strict(self) -> bool:
        """Whether invariants are checked after every operation (``Emulator(strict=True)``)."""
        return self._strict

    @property
    def journal(self) -> Journal:
        """Every delivered event with its recipient, in delivery order (empty when the
        emulator was made with ``journal=False``; the newest ``journal_max_entries``
        when bounded, ``journal.dropped`` saying how many earlier ones it dropped)."""
        return self._engine.journal

    @property
    def journal_enabled(self) -> bool:
        """Whether the journal records deliveries (``Emulator(journal=...)``)."""
        return self._engine.journal_enabled

    @property
    def last_seq(self) -> int:
        """The ``seq`` of the last delivered presence event (0 before any)."""
        return self._engine.last_seq

    @property
    def listener_errors(self) -> list[ListenerError]:
        """Exceptions raised by listeners, in the order they happened."""
        return self._engine.listener_errors

    def online_users(
        self, channel_name: str, channel_type: str | ChannelType, *, app_id: str = DEFAULT_APP_ID
    ) -> list[str]:
        """The channel's user documents, sorted: what ``getOnlineUsers`` lists (R-Q3).

        Raises:
            RtmError: -10008 / -10019 for a bad channel, -10003 for a bad app id.
        """
        return self._engine.online_users(channel_name, channel_type, app_id=app_id)

    def user_channels(
        self, user_id: str, *, app_id: str = DEFAULT_APP_ID
    ) -> list[tuple[ChannelType, str]]:
        """Sorted ``(channel_type, channel_name)`` the user is present in, quiet included.

        Raises:
            RtmError: -10006 for a bad user id, -10003 for a bad app id.
        """
        return self._engine.user_channels(user_id, app_id=app_id)

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
            RtmError: -10006 / -10008 / -10019 for bad arguments, -10003 for a bad app
                id.
        """
        return self._engine.state_of(user_id, channel_name, channel_type, app_id=app_id)

    def check_invariants(self) -> None:
        """Cross-check every index; raise ``AssertionError`` naming the first mismatch.

        Checks the server's rooms (members, documents, lingering documents, views),
        its sessions, and every client (channel list within the R-L4 limits, link
        state against timers and session, a connected client's list equal to its
        memberships), and the timer queue.  Side-effect free.

        Raises:
            AssertionError: when an index disagrees.
        """
        self._engine.check_invariants()

    def __repr__(self) -> str:
        server = self._engine._server
        return (
            f"<Emulator now_ms={self.now_ms} channels={len(server.rooms)} "
            f"online={len(server.sessions)}>"
        )
