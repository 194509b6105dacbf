"""Tokens on the fake clock (R-TK1..R-TK4, R-TK7..R-TK10, R-TK20..R-TK26).

Theory of operation.  With an app certificate configured for an app
(``EmulatorConfig.app_certificates`` or ``Emulator.set_app_certificate``), the access
point checks the token of every ``login`` and ``renewToken`` (``_token_verify``); a
refusal reaches the client as the SDK surfaces the AP's code (R-TK7).  A taken token
arms two timers: the server's "nearly expired" notice at expiry − 30 s (R-TK24, which the
client passes through its 30 s throttle as ``tokenPrivilegeWillExpire("")`` then a
``token`` ``WILL_EXPIRE`` event, R-TK10), and the expiry itself (R-TK25: the session
ends like a kick, the link goes ``FAILED / SERVER_REJECT / TOKEN_EXPIRED``, R-TK9).
While the link is down the notice waits for the link to come back and an expiry makes
the next reconnect attempt fail the same way (R-TK8).  ``renewToken`` moves both
timers (R-TK26).  Without a certificate every token the SDK's own format check takes is
accepted and nothing expires.

Stream channels (R-TK6, R-TK11, R-TK12): the RTC side checks a stream join's token (an
RTC join token for the channel and the user or any uid; ``""`` or none is the app id,
refused under a certificate) and ``renewToken(token, {channelName})``'s; a taken one arms
the channel's own notice (``tokenPrivilegeWillExpire(channel name)`` at expiry − 30 s, no
``token`` event, no throttle) and expiry (the channel is left, its link goes ``FAILED /
SERVER_REJECT / TOKEN_EXPIRED``).  While the channel's RTC link is down both wait for the
link to come back.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping

import attrs

from ._bus import EventBus
from ._checks import rate
from ._clock import FakeClock, Timer
from ._errors import UNAUTHENTICATED, ErrorCode, RtmError
from ._ids import check_channel_name
from ._session import ChannelKey, ClientCore
from ._surface import Operation
from ._token import check_renew_token, js_falsy
from ._token_types import WILL_EXPIRE_REASON, RenewTokenResponse, TokenEvent, TokenWillExpireEvent
from ._token_verify import Verdict, login_verdict, stream_verdict
from ._types import ChannelType, LinkState

__all__ = ["AP_ERRORS", "NOTICE_BEFORE_MS", "THROTTLE_MS", "Tokens", "ap_error"]

#: R-TK24: the server's notice comes this long before the token lapses.
NOTICE_BEFORE_MS = 30_000
#: R-TK10: the client's throttle on notices (leading only), reset at every login.
THROTTLE_MS = 30_000

#: R-TK7: AP code -> (SDK code, the AP table's name, its text), as ``handleUniLbsError``
#: maps them (runtime ``Signature verification failed`` table).
AP_ERRORS: dict[int, tuple[ErrorCode, str, str]] = {
    7: (
        ErrorCode.INVALID_TOKEN,
        "INVALID_USER_ID",
        "The user ID to login does not match the token",
    ),
    9: (ErrorCode.INVALID_TOKEN, "NO_AUTHORIZED", "Signature verification failed"),
    13: (ErrorCode.TOKEN_EXPIRED, "TOKEN_EXPIRED", "The token has expired"),
    15: (
        ErrorCode.INVALID_TOKEN,
        "DYNAMIC_ENABLED_BUT_STATIC_KEY",
        "The vendor enabled the dynamic key, but uses the static key",
    ),
    21: (ErrorCode.LOGIN_NOT_AUTHORIZED, "NO_RTM_PRIVILEGE", "Token does not have RTM privilege"),
}  # fmt: skip


def ap_error(operation: str, ap_code: int, *, plain: bool = False) -> RtmError:
    """The SDK's error for an AP refusal (R-TK7): ``RtmUnauthenticatedError`` with the
    reason ``"<text> detail: <NAME>, <AP text>."`` and ``serverCode``; ``plain`` (a
    renew's refusal, R-TK4): the table text alone and no ``serverCode``."""
    code, name, text = AP_ERRORS[ap_code]
    if plain:
        return RtmError.sdk(operation, code, name=UNAUTHENTICATED, detail=f"AP code {ap_code}")
    return RtmError.sdk(
        operation,
        code,
        suffix=f" detail: {name}, {text}",
        name=UNAUTHENTICATED,
        server_code=ap_code,
        detail=f"AP code {ap_code}",
    )


def _js_truthy(value: object) -> bool:
    """JS truthiness of an option the caller gave, asking the value nothing."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(str.__len__(value))
    return not js_falsy(value)


@attrs.define(eq=False)
class _Held:
    """One client's current token and its timers."""

    token: str = ""
    #: when the token lapses (ms), ``None``: never (no certificate)
    expiry_ms: int | None = None
    notice_timer: Timer | None = None
    expiry_timer: Timer | None = None
    #: the server sent this token's notice already
    noticed: bool = False
    #: the notice fell due while the link was down (R-TK24): sent when it is back
    notice_pending: bool = False
    #: the token lapsed while the link was down (R-TK8)
    lapsed: bool = False
    #: the client's throttle: when it last passed a notice (R-TK10)
    throttle_ms: int | None = None


@attrs.define(eq=False)
class _StreamHeld:
    """One joined stream channel's token and its timers (R-TK12)."""

    expiry_ms: int
    notice_timer: Timer | None = None
    expiry_timer: Timer | None = None
    #: the notice / the expiry fell due while the channel's RTC link was down
    notice_pending: bool = False
    lapsed: bool = False


#: R-TK22: the RTC side's refusals as the SDK surfaces them (R-TK11, R-TK6)
_STREAM_RENEW_SUFFIX = "RenewToken of streamChannel failure, server code is INVALID_PARAMS"


class Tokens:
    """The access point's token checks and each session's token timers."""

    __slots__ = ("_bus", "_clock", "_held", "_streams", "certificates", "end_session", "end_stream")

    def __init__(self, clock: FakeClock, bus: EventBus, certificates: Mapping[str, str]) -> None:
        self._clock = clock
        self._bus = bus
        #: app id -> its app certificate (R-TK20)
        self.certificates: dict[str, str] = dict(certificates)
        #: each client's token memory, weakly: a dropped client is not kept alive
        self._held: weakref.WeakKeyDictionary[ClientCore, _Held] = weakref.WeakKeyDictionary()
        #: ends a session at expiry (the connection's kick path with the
        #: ``token_expired`` step, R-TK25); set by the engine
        self.end_session: Callable[[ClientCore], None] = lambda core: None
        #: each client's joined stream channels' tokens (R-TK12), weakly
        self._streams: weakref.WeakKeyDictionary[ClientCore, dict[str, _StreamHeld]] = (
            weakref.WeakKeyDictionary()
        )
        #: leaves a stream channel whose token lapsed (R-TK12); set by the engine
        self.end_stream: Callable[[ClientCore, str], None] = lambda core, name: None

    # ---------------------------------------------------------------- checks

    def _verdict(self, core: ClientCore, token: object) -> Verdict | None:
        certificate = self.certificates.get(core.app_id)
        if certificate is None:
            return None
        return login_verdict(
            token if isinstance(token, str) else None, core.app_id, certificate, core.user_id
        )

    def check_login(self, core: ClientCore, operation: str, options: object) -> None:
        """R-TK7, R-TK22: the AP's answer to a login's token (after the SDK's own check).

        Raises:
            RtmError: the AP's refusal as the SDK surfaces it (-10005, -10009, -10015).
        """
        token = options.get("token") if isinstance(options, Mapping) else None
        verdict = self._verdict(core, token)
        if verdict is not None:
            code = verdict.at(self._clock.now_ms)
            if code:
                raise ap_error(operation, code)
        held = self._held.setdefault(core, _Held())
        self._cancel(held)
        held.token = token if isinstance(token, str) else ""
        held.expiry_ms = None if verdict is None else verdict.expiry_s * 1000
        held.noticed = held.notice_pending = held.lapsed = False

    # ---------------------------------------------------------------- timers

    def _cancel(self, held: _Held) -> None:
        for timer in (held.notice_timer, held.expiry_timer):
            if timer is not None:
                self._clock.cancel(timer)
        held.notice_timer = held.expiry_timer = None

    def _arm(self, core: ClientCore, held: _Held) -> None:
        self._cancel(held)
        if held.expiry_ms is None:
            return
        now = self._clock.now_ms
        who = f"{core.user_id!r}"
        notice_at = held.expiry_ms - NOTICE_BEFORE_MS
        if not held.noticed:
            if notice_at <= now:
                self._notice(core, held)
            else:
                held.notice_timer = self._clock.schedule(
                    notice_at - now,
                    lambda: f"token of {who} nearly expired",
                    lambda: self._notice_due(core, held),
                )
        held.expiry_timer = self._clock.schedule(
            max(0, held.expiry_ms - now),
            lambda: f"token of {who} expires",
            lambda: self._expiry_due(core, held),
        )

    def _notice_due(self, core: ClientCore, held: _Held) -> None:
        held.notice_timer = None
        with self._bus.operation():
            self._notice(core, held)

    def _notice(self, core: ClientCore, held: _Held) -> None:
        """R-TK24: the server's notice; R-TK10: the client's throttle and events."""
        if core.link_state is not LinkState.CONNECTED:
            held.notice_pending = core.link_state in (
                LinkState.DISCONNECTED,
                LinkState.SUSPENDED,
                LinkState.CONNECTING,
            )
            return
        held.noticed = True
        held.notice_pending = False
        now = self._clock.now_ms
        if held.throttle_ms is not None and now - held.throttle_ms < THROTTLE_MS:
            return  # R-TK10: the leading-only throttle drops it
        held.throttle_ms = now
        self._bus.emit(core, TokenWillExpireEvent("", now))
        channels = tuple(name for name in core.message_channels() if name)
        self._bus.emit(core, TokenEvent("WILL_EXPIRE", WILL_EXPIRE_REASON, channels, now))

    def _expiry_due(self, core: ClientCore, held: _Held) -> None:
        held.expiry_timer = None
        if held.notice_timer is not None:
            self._clock.cancel(held.notice_timer)
            held.notice_timer = None
        state = core.link_state
        if state is LinkState.CONNECTED and core.session:
            with self._bus.operation():
                self.end_session(core)  # R-TK25, R-TK9
        elif state in (LinkState.DISCONNECTED, LinkState.SUSPENDED, LinkState.CONNECTING):
            held.lapsed = True  # R-TK8: the next reconnect attempt is refused

    # ----------------------------------------------------------------- hooks

    def logged_in(self, core: ClientCore) -> None:
        """A login opened the session: the throttle restarts, the timers are armed."""
        held = self._held.get(core)
        if held is not None:
            held.throttle_ms = None
            self._arm(core, held)

    def reconnect_refused(self, core: ClientCore) -> bool:
        """R-TK8: the token lapsed while the link was down."""
        held = self._held.get(core)
        return held is not None and held.lapsed

    def link_back(self, core: ClientCore) -> None:
        """The link is back: the throttle restarts; a notice that fell due is sent."""
        held = self._held.get(core)
        if held is not None:
            held.throttle_ms = None
            if held.notice_pending:
                self._notice(core, held)
        for name, stream in list(self._streams.get(core, {}).items()):
            if core.stream_links.get(name) is not LinkState.CONNECTED:
                continue
            if stream.lapsed:
                self._stream_lapse(core, name)
            elif stream.notice_pending:
                stream.notice_pending = False
                self._bus.emit(core, TokenWillExpireEvent(name, self._clock.now_ms))

    def forget(self, core: ClientCore) -> None:
        """Logout: the token and its timers are dropped."""
        held = self._held.pop(core, None)
        if held is not None:
            self._cancel(held)
        for name in list(self._streams.get(core, {})):
            self._drop_stream(core, name)

    def session_ended(self, core: ClientCore) -> None:
        """Kick, expiry or timeout: the timers stop (the token stays for ``renewToken``'s
        same-token check until the next login)."""
        held = self._held.get(core)
        if held is not None:
            self._cancel(held)

    # -------------------------------------------------------------- renewToken

    def renew_refusal(self, core: ClientCore, token: object) -> int:
        """The access point's code for a renewal's ``token`` now (R-TK22, R-TK26): 0 when
        it takes it (or the app has no certificate). Changes nothing; raises nothing."""
        verdict = self._verdict(core, token)
        return 0 if verdict is None else verdict.at(self._clock.now_ms)

    def op_renew_token(
        self, core: ClientCore, row: Operation, token: object, options: object
    ) -> RenewTokenResponse:
        """``renewToken(token)`` (R-TK1..R-TK4, R-TK26).

        Raises:
            RtmError: -10021 (rate), -10025 (IDLE, or the link not CONNECTED after the
                token check), -10005 / -10016 (R-TK1), the AP's refusal (-10005,
                -10009, -10015 ``RtmUnauthenticatedError``, plain reason, R-TK4).
            SdkTypeError: a token without ``.slice`` (R-X3).
        """
        operation = row.operation
        rate(core, row, self._clock)
        if core.link_state is LinkState.IDLE:
            raise RtmError.sdk(operation, ErrorCode.NOT_CONNECTED, detail="not logged in")
        token = check_renew_token(operation, token, core.app_id)  # R-TK1
        channel = options.get("channelName") if isinstance(options, Mapping) else None
        if _js_truthy(channel):  # R-TK6: the stream channel's token
            return self._renew_stream(core, operation, token, channel)
        if core.link_state is not LinkState.CONNECTED:
            raise RtmError.sdk(
                operation,
                ErrorCode.NOT_CONNECTED,
                detail=f"the link is {core.link_state.value}",
            )
        held = self._held.setdefault(core, _Held())
        if token == held.token:
            return RenewTokenResponse(0)  # R-TK2: the same token, nothing sent
        verdict = self._verdict(core, token)
        if verdict is not None:
            code = verdict.at(self._clock.now_ms)
            if code:
                raise ap_error(operation, code, plain=True)
        with self._bus.operation():
            held.token = token
            if verdict is not None:
                held.expiry_ms = verdict.expiry_s * 1000
                held.noticed = held.notice_pending = held.lapsed = False
                self._arm(core, held)
        return RenewTokenResponse(0)

    def current_token(self, core: ClientCore) -> str:
        """The client's current token (``""`` for none)."""
        held = self._held.get(core)
        return held.token if held is not None else ""

    def expiry_ms(self, core: ClientCore) -> int | None:
        """When the client's token lapses (ms), ``None`` when it never does."""
        held = self._held.get(core)
        return held.expiry_ms if held is not None else None

    # ---------------------------------------------------------- stream channels

    def _stream_verdict(self, core: ClientCore, channel: str, token: object) -> Verdict | None:
        certificate = self.certificates.get(core.app_id)
        if certificate is None:
            return None
        # R-TK11: the SDK sends the app id for a "" or missing token
        text = token if isinstance(token, str) and token else core.app_id
        return stream_verdict(text, core.app_id, certificate, channel, core.user_id)

    def check_stream_join(
        self, core: ClientCore, operation: str, channel: str, token: object
    ) -> None:
        """R-TK11, R-TK22: the RTC side's answer to a stream join's token; any refusal
        is RTC ``CAN_NOT_GET_GATEWAY_SERVER``, which the SDK surfaces as -10005.

        Raises:
            RtmError: -10005 ``RtmUnavailableError`` "Invalid token.".
        """
        verdict = self._stream_verdict(core, channel, token)
        if verdict is None:
            return
        code = verdict.at(self._clock.now_ms)
        if code:
            raise RtmError.sdk(
                operation,
                ErrorCode.INVALID_TOKEN,
                name="RtmUnavailableError",
                detail=f"RTC CAN_NOT_GET_GATEWAY_SERVER (AP code {code})",
            )

    def entered(self, core: ClientCore, key: ChannelKey, options: object) -> None:
        """A stream join succeeded: its token's timers are armed (R-TK12, R-TK24)."""
        if key[0] is not ChannelType.STREAM:
            return
        token = options.get("token") if isinstance(options, Mapping) else None
        verdict = self._stream_verdict(core, key[1], token)
        if verdict is not None and not verdict.at(self._clock.now_ms):
            self._arm_stream(core, key[1], verdict.expiry_s * 1000)

    def exited(self, core: ClientCore, key: ChannelKey) -> None:
        """The client left a stream channel: its token's timers stop."""
        if key[0] is ChannelType.STREAM:
            self._drop_stream(core, key[1])

    def _drop_stream(self, core: ClientCore, name: str) -> None:
        streams = self._streams.get(core)
        stream = streams.pop(name, None) if streams is not None else None
        if stream is None:
            return
        for timer in (stream.notice_timer, stream.expiry_timer):
            if timer is not None:
                self._clock.cancel(timer)

    def _arm_stream(self, core: ClientCore, name: str, expiry_ms: int) -> None:
        self._drop_stream(core, name)
        stream = _StreamHeld(expiry_ms)
        self._streams.setdefault(core, {})[name] = stream
        now = self._clock.now_ms
        label = f"{core.user_id!r}'s token of stream channel {name!r}"
        notice_at = expiry_ms - NOTICE_BEFORE_MS
        if notice_at <= now:
            self._stream_notice(core, name, stream)
        else:
            stream.notice_timer = self._clock.schedule(
                notice_at - now,
                lambda: f"{label} nearly expired",
                lambda: self._stream_notice_due(core, name, stream),
            )
        stream.expiry_timer = self._clock.schedule(
            max(0, expiry_ms - now),
            lambda: f"{label} expires",
            lambda: self._stream_expiry_due(core, name, stream),
        )

    def _stream_notice_due(self, core: ClientCore, name: str, stream: _StreamHeld) -> None:
        stream.notice_timer = None
        with self._bus.operation():
            self._stream_notice(core, name, stream)

    def _stream_notice(self, core: ClientCore, name: str, stream: _StreamHeld) -> None:
        """R-TK24, R-TK12: RTC's notice, passed on as ``tokenPrivilegeWillExpire(name)``."""
        link = core.stream_links.get(name)
        if link is LinkState.CONNECTED:
            self._bus.emit(core, TokenWillExpireEvent(name, self._clock.now_ms))
        elif link is LinkState.CONNECTING:  # its RTC link is down: when it is back
            stream.notice_pending = True

    def _stream_expiry_due(self, core: ClientCore, name: str, stream: _StreamHeld) -> None:
        stream.expiry_timer = None
        if stream.notice_timer is not None:
            self._clock.cancel(stream.notice_timer)
            stream.notice_timer = None
        link = core.stream_links.get(name)
        if link is LinkState.CONNECTING:
            stream.lapsed = True  # when its RTC link is back
        elif link is LinkState.CONNECTED:
            with self._bus.operation():
                self._stream_lapse(core, name)

    def _stream_lapse(self, core: ClientCore, name: str) -> None:
        """R-TK12, R-TK25: the channel is left, its link fails with TOKEN_EXPIRED."""
        self._drop_stream(core, name)
        self.end_stream(core, name)

    def _renew_stream(
        self, core: ClientCore, operation: str, token: str, channel: object
    ) -> RenewTokenResponse:
        """R-TK6: ``renewToken(token, {channelName})`` after the rate, link and token
        checks: the name (-10008), a stream channel of that name created (-10008),
        joined with its RTC link up (-11001), then the RTC side's answer (R-TK22:
        ``INVALID_PARAMS`` -> -10005); no same-token shortcut."""
        name = check_channel_name(operation, channel)
        if name not in core.stream_handles:
            raise RtmError.sdk(
                operation,
                ErrorCode.INVALID_CHANNEL_NAME,
                detail=f"no stream channel {name!r} was created",
            )
        if (ChannelType.STREAM, name) not in core.entered or core.stream_links.get(
            name
        ) is not LinkState.CONNECTED:
            raise RtmError.sdk(
                operation,
                ErrorCode.CHANNEL_NOT_JOINED,
                detail=f"user {core.user_id!r} has not joined stream channel {name!r}",
            )
        verdict = self._stream_verdict(core, name, token)
        if verdict is not None:
            code = verdict.at(self._clock.now_ms)
            if code:
                raise RtmError.sdk(
                    operation,
                    ErrorCode.INVALID_TOKEN,
                    suffix=_STREAM_RENEW_SUFFIX,
                    name="RtmUnavailableError",
                    detail=f"RTC INVALID_PARAMS (AP code {code})",
                )
            with self._bus.operation():
                self._arm_stream(core, name, verdict.expiry_s * 1000)
        return RenewTokenResponse(0)
