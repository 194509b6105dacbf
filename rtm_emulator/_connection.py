"""The client's connection: login, logout, kicks, network loss and reconnecting
(R-L2, R-L3, R-T2, R-T3, R-T4).

Theory of operation.  Every transition of the client's link is a step of
``_link.STEPS`` (R-T4), made here at the moment the SDK makes it: ``login`` (kicking
another session of the same user id, which goes ``FAILED`` and keeps its channel list;
logging in after a kick restores the channels, R-L3), ``logout`` (always resolves and
leaves everything, R-L2), a network loss (``DISCONNECTED`` now, reconnect attempts on
the back-off of ``_link``, ``SUSPENDED`` after the 115 s timer; the server times the
session out after ``heartbeatInterval + 10 + presenceTimeout`` s, R-T2) and the link
coming back (R-T3: writes made while down reach the server, queued subscribes are
made, each listening replica catches up by events).  A ``login`` while the link is down
waits for it (:class:`LoginWaiter`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from ._bus import EventBus
from ._checks import rate
from ._clients import Clients
from ._clock import FakeClock
from ._errors import ErrorCode, RtmError
from ._link import ATTEMPT_MS, SUSPEND_AFTER_MS, Links, retry_delay_ms
from ._membership import Membership
from ._server import Server
from ._session import ClientCore
from ._surface import Operation
from ._token import check_token
from ._types import LinkState, LinkStateReasonCode

__all__ = ["Connection", "LoginWaiter"]

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


@attrs.define(eq=False)
class LoginWaiter:
    """A ``login`` that waits for the link to come back (R-L3: called while down)."""

    #: the ``operation`` of the login's errors (its cancellation by a logout, R-L3)
    operation: str
    done: list[Callable[[RtmError | None], None]] = attrs.field(factory=list)

    def settle(self, error: RtmError | None) -> None:
        """Resolve (``None``) or reject every waiting caller."""
        callbacks, self.done = self.done, []
        for callback in callbacks:
            callback(error)


class Connection:
    """Logging in and out, and each client's link through losses and kicks."""

    __slots__ = (
        "_bus",
        "_clients",
        "_clock",
        "_links",
        "_membership",
        "_server",
        "kicked",
        "link_back",
        "link_lost",
        "logged_in",
        "logged_out",
        "login_checks",
        "reconnect_refusals",
        "waiters",
    )

    def __init__(
        self,
        clock: FakeClock,
        bus: EventBus,
        server: Server,
        links: Links,
        membership: Membership,
        clients: Clients,
    ) -> None:
        self._clock = clock
        self._bus = bus
        self._server = server
        self._links = links
        self._membership = membership
        self._clients = clients
        #: per client (``id(core)``), the login waiting for its link to come back
        self.waiters: dict[int, LoginWaiter] = {}
        #: called with the core when its link is back, after its channels caught up:
        #: the messaging rooms' replays (R-M22, R-M12)
        self.link_back: list[Callable[[ClientCore], None]] = []
        #: called with the core after a login opened its session (R-ST19: the storage
        #: subscriptions a kicked client kept), and after a logout (R-ST19: forgotten)
        self.logged_in: list[Callable[[ClientCore], None]] = []
        self.logged_out: list[Callable[[ClientCore], None]] = []
        #: called with the core when its link was lost (D-LK8: held locks start to
        #: lapse), and when a same-uid login kicked it (D-LK9: its locks are freed)
        self.link_lost: list[Callable[[ClientCore], None]] = []
        self.kicked: list[Callable[[ClientCore], None]] = []
        #: the access point's checks of a login from IDLE / FAILED, after the SDK's own
        #: (R-TK7: the token against the app certificate); each may raise RtmError
        self.login_checks: list[Callable[[ClientCore, str, object], None]] = []
        #: a reconnect attempt whose network is back is refused when one of these holds
        #: (R-TK8: the token lapsed while down); the session then ends as at expiry
        self.reconnect_refusals: list[Callable[[ClientCore], bool]] = []

    # ------------------------------------------------------------ login, logout

    def op_login(self, core: ClientCore, row: Operation, options: object) -> int | LoginWaiter:
        """Log in (R-L3, R-T4): kicks another client of the same user id, restores the
        channels of a client that was kicked (FAILED).

        Returns the timestamp (0), or a :class:`LoginWaiter` when the link is down and
        the login waits for the reconnect.

        A login that fails after its ``CONNECTING`` step (rate limit, token, or an
        exception of the caller's own options object) reports ``FAILED`` (R-T4) and
        raises; the link is never left ``CONNECTING``.

        Raises:
            RtmError: -10017 while the link is CONNECTING; -10021 (rate limit); -10005
                / -10016 (token).
            SdkTypeError: a token that is neither a string nor falsy nor a list (R-X3).
        """
        operation = row.operation
        state = core.link_state
        if state is LinkState.CONNECTING:
            raise RtmError.sdk(
                operation,
                ErrorCode.DUPLICATE_OPERATION,
                detail=f"user {core.user_id!r} is already connecting",
            )
        if state in (LinkState.IDLE, LinkState.FAILED):
            with self._bus.operation():
                self._links.step(core, "login" if state is LinkState.IDLE else "relogin")
        if state is LinkState.CONNECTED:
            return 0
        try:
            rate(core, row, self._clock)
            check_token(
                operation,
                options.get("token") if isinstance(options, Mapping) else None,
                core.app_id,
            )
            if state in (LinkState.IDLE, LinkState.FAILED):
                for login_check in self.login_checks:
                    login_check(core, operation, options)
        except Exception as error:
            # any failure, the caller's own exception too (an options mapping or a token
            # that raises when read), ends the CONNECTING step: never a link stuck there
            if state in (LinkState.IDLE, LinkState.FAILED):
                code = int(error.error_code) if isinstance(error, RtmError) else 0
                reason = _FAILED_LOGIN_REASON.get(code, LinkStateReasonCode.LOGIN_REJECTED)
                with self._bus.operation():
                    self._links.step(core, "login_failed", reason=reason)
            raise
        if state in (LinkState.DISCONNECTED, LinkState.SUSPENDED):
            with self._bus.operation():
                self._links.step(core, "relogin")  # then the next retry brings the link back
            return self.waiters.setdefault(id(core), LoginWaiter(operation))
        with self._bus.operation():
            self._open_session(core)
            core.had_connected = True
            core.login_ms = self._clock.now_ms
            self._links.step(core, "login_success")
            self._membership.take_queued(core)
            self._membership.restore(core)
            for hook in self.logged_in:
                hook(core)
        return 0

    def _open_session(self, core: ClientCore) -> None:
        """The server takes the session; another session of the user id is kicked."""
        key = (core.app_id, core.user_id)
        other = self._server.sessions.get(key)
        if other is not None and other is not core:
            self._kick(other)
        self._server.sessions[key] = core
        core.session = True

    def _kick(self, core: ClientCore, step: str = "kicked") -> None:
        """Same-uid login elsewhere: FAILED, the client keeps its channels (R-T4); with
        ``step="token_expired"`` the session's token lapsed (R-TK9, R-TK25)."""
        self._stop_reconnecting(core)
        self._detach_all(core)
        if core.session:
            self._server.leave_all(core)
        core.heard.clear()
        if core.session:
            self._server.end_session(core)
        self._links.step(core, step)
        for hook in self.kicked:
            hook(core)

    def expire_session(self, core: ClientCore) -> None:
        """R-TK25: the token lapsed; the session ends like a kick (the server's
        session-end hooks run: messages, storage, locks), the link reports
        ``FAILED / SERVER_REJECT / TOKEN_EXPIRED`` and the client keeps its channels
        for a login with a fresh token (R-TK9)."""
        self._kick(core, "token_expired")

    def op_logout(self, core: ClientCore, row: Operation) -> int:
        """Log out (R-L2): always resolves; leaves every channel, clears the cache."""
        if core.link_state is LinkState.IDLE:
            return 0
        with self._bus.operation():
            self._stop_reconnecting(core)
            if core.session:
                self._detach_all(core)
                self._server.leave_all(core)
                self._server.end_session(core)
            for channel, link in list(core.stream_links.items()):
                if link in (LinkState.CONNECTED, LinkState.CONNECTING):  # its RTC link leaves
                    self._links.step(core, "stream_leave", stream=channel)
            self._links.step(core, "logout")
            core.entered.clear()
            core.queued.clear()
            core.cache.clear()
            core.dirty.clear()
            core.heard.clear()
            core.stream_links.clear()
            core.had_connected = False
            core.network_up = True
            for hook in self.logged_out:
                hook(core)
            waiter = self.waiters.pop(id(core), None)
        if waiter is not None:
            waiter.settle(RtmError.sdk(waiter.operation, ErrorCode.LOGIN_CANCELED))
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

    # ------------------------------------------------- network, reconnecting

    def disconnect(self, user_id: str, app_id: str) -> None:
        """Cut the network of ``user_id``'s logged-in client (R-T2, R-T4); see
        ``Emulator.disconnect``.

        Raises:
            RtmError: -10006 for a bad user id, -10003 for a bad app id; ConfigError if
                no client of it is logged in.
        """
        core = self._clients.find("disconnect", user_id, app_id)
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
            for channel, link in list(core.stream_links.items()):
                if link is LinkState.CONNECTED:  # R-M12: its RTC link goes down too
                    self._links.step(core, "stream_link_lost", stream=channel)
            self._links.step(core, "connection_lost")
            for hook in self.link_lost:
                hook(core)
            self._schedule_retry(core)
            if core.session:
                who = f"{core.user_id!r} of app {core.app_id!r}"
                core.server_timer = self._clock.schedule(
                    core.config.timeout_ms,
                    lambda: f"server times out {who}",
                    lambda: self._server_timeout(core),
                )

    def reconnect(self, user_id: str, app_id: str) -> None:
        """Bring back the network of ``user_id``'s client (R-T3, R-T4); see
        ``Emulator.reconnect``.

        Raises:
            RtmError: -10006 for a bad user id, -10003 for a bad app id; ConfigError if
                no client of it is logged in.
        """
        core = self._clients.find("reconnect", user_id, app_id)
        core.network_up = True

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
            self._links.step(core, "retry")
            if core.network_up and any(refused(core) for refused in self.reconnect_refusals):
                self.expire_session(core)  # R-TK8: the edge refuses the lapsed token
                return
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
            self._links.step(core, "suspended" if core.suspended else "retry_failed")
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
        self._membership.take_queued(core)
        waiter = self.waiters.pop(id(core), None)
        if waiter is not None:
            self._links.step(core, "relogin_connected", is_resumed=resumed)
        else:
            self._links.step(core, "reconnected", is_resumed=resumed)
        for channel, link in list(core.stream_links.items()):
            if link is LinkState.CONNECTING:  # R-M12: lost with the network
                self._links.step(core, "stream_link_back", stream=channel, is_resumed=True)
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
                if not self._membership.rejoin(core, key, attach=key not in heard):
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
        for hook in self.link_back:
            hook(core)
        if waiter is not None:
            waiter.settle(None)
