"""The link-state machine of one client (R-T4, R-L3), as data.

Theory of operation.  What the SDK does with its connection is a small machine driven by
the transport (agora-rtm.js 2.3.0, ``RTMImpl._loginImpl``'s internal-emitter listeners and
``_updateLinkState``).  Each :class:`Step` below is one transition the SDK makes, with the
``operation`` / ``reasonCode`` it reports and which channels it names as affected;
:class:`Links` makes a step by name and reports it, and nothing else spells a transition
out.  The retry
schedule is a table too: the first reconnect attempt starts 2 s after the loss, each
later one 4, 8, 16, 32, 32 s after the previous attempt failed, then every 30 s; an
attempt fails after 5 s; the first failed attempt arms a 115 s timer, and every failed
attempt after it reports ``SUSPENDED`` instead of ``DISCONNECTED``.

``docs/semantics.md`` renders :data:`STEPS` (generated, checked fresh by a test).
"""

from __future__ import annotations

import enum

import attrs

from ._bus import EventBus
from ._clock import FakeClock
from ._events import LinkStateEvent
from ._session import ClientCore
from ._types import LinkOperation, LinkState, LinkStateReasonCode

__all__ = [
    "ATTEMPT_MS",
    "STEPS",
    "SUSPEND_AFTER_MS",
    "Affected",
    "Links",
    "Step",
    "retry_delay_ms",
]

#: R-T4: a reconnect attempt that has not succeeded fails after this long.
ATTEMPT_MS = 5_000
#: R-T4: armed at the first failed attempt; attempts failing after it report SUSPENDED.
SUSPEND_AFTER_MS = 115_000
#: R-T4: the delay before attempt n (0-based), then 30 s for every later one.
_BACKOFF_MS = (2_000, 4_000, 8_000, 16_000, 32_000, 32_000)
_LATER_MS = 30_000


def retry_delay_ms(attempt: int) -> int:
    """How long before reconnect attempt ``attempt`` (0 = the first, after the loss)."""
    return _BACKOFF_MS[attempt] if attempt < len(_BACKOFF_MS) else _LATER_MS


class Affected(enum.Enum):
    """Which channels a transition lists in ``affectedChannels``."""

    NONE = "[]"
    MESSAGE_CHANNELS = "the client's MESSAGE channels"
    THE_STREAM_CHANNEL = "the stream channel"


@attrs.frozen
class Step:
    """One transition: the state it enters and what the event reports."""

    state: LinkState
    operation: LinkOperation
    reason_code: LinkStateReasonCode
    affected: Affected
    service_type: str = "MESSAGE"
    #: what causes it, for the docs
    trigger: str = ""


_L, _R = LinkOperation, LinkStateReasonCode
_MSG, _NONE, _STREAM = Affected.MESSAGE_CHANNELS, Affected.NONE, Affected.THE_STREAM_CHANNEL

#: Every transition the emulator makes, by name (R-T4).
STEPS: dict[str, Step] = {
    "login": Step(LinkState.CONNECTING, _L.LOGIN, _R.LOGIN, _NONE, trigger="login() from IDLE"),
    "relogin": Step(
        LinkState.CONNECTING, _L.LOGIN, _R.RELOGIN, _NONE, trigger="login() after FAILED"
    ),
    "login_success": Step(
        LinkState.CONNECTED, _L.LOGIN, _R.LOGIN_SUCCESS, _NONE, trigger="the login succeeds"
    ),
    "login_failed": Step(
        LinkState.FAILED, _L.LOGIN, _R.LOGIN_REJECTED, _NONE, trigger="login() is refused"
    ),
    "connection_lost": Step(
        LinkState.DISCONNECTED,
        _L.HEARTBEAT_TIMEOUT,
        _R.KEEP_ALIVE_TIMEOUT,
        _MSG,
        trigger="network loss (R-T2)",
    ),
    "retry": Step(
        LinkState.CONNECTING,
        _L.AUTO_RECONNECT,
        _R.AUTO_RECONNECT,
        _NONE,
        trigger="a reconnect attempt starts",
    ),
    "retry_failed": Step(
        LinkState.DISCONNECTED,
        _L.SERVER_TIMEOUT,
        _R.RECONNECT_TIMEOUT,
        _NONE,
        trigger="an attempt fails (5 s), before the 115 s timer",
    ),
    "suspended": Step(
        LinkState.SUSPENDED,
        _L.AUTO_RECONNECT,
        _R.RECONNECT_TIMEOUT,
        _NONE,
        trigger="an attempt fails after the 115 s timer",
    ),
    "reconnected": Step(
        LinkState.CONNECTED,
        _L.AUTO_RECONNECT,
        _R.RECONNECT_SUCCESS,
        _MSG,
        trigger="an attempt succeeds (isResumed: not yet suspended)",
    ),
    "relogin_connected": Step(
        LinkState.CONNECTED,
        _L.LOGIN,
        _R.RELOGIN,
        _MSG,
        trigger="the link comes back while a login() waits (isResumed: not yet suspended)",
    ),
    "kicked": Step(
        LinkState.FAILED,
        _L.SERVER_REJECT,
        _R.SAME_UID_LOGIN,
        _MSG,
        trigger="the same user id logs in elsewhere",
    ),
    "logout": Step(LinkState.IDLE, _L.LOGOUT, _R.LOGOUT, _MSG, trigger="logout()"),
    "token_expired": Step(
        LinkState.FAILED,
        _L.SERVER_REJECT,
        _R.TOKEN_EXPIRED,
        _MSG,
        trigger="the session's token lapses, or a reconnect attempt finds it lapsed "
        "(R-TK8, R-TK9, R-TK25)",
    ),
    "stream_join": Step(
        LinkState.CONNECTING,
        _L.JOIN,
        _R.JOIN,
        _STREAM,
        "STREAM",
        trigger="stream join() starts",
    ),
    "stream_joined": Step(
        LinkState.CONNECTED,
        _L.JOIN,
        _R.JOIN_SUCCESS,
        _STREAM,
        "STREAM",
        trigger="stream join() succeeds",
    ),
    "stream_join_failed": Step(
        LinkState.FAILED,
        _L.JOIN,
        _R.JOIN_FAILED,
        _STREAM,
        "STREAM",
        trigger="stream join() is refused (reasonCode by error, e.g. "
        "CHANNEL_INSTANCE_EXCEED_LIMITATION over the 10-channel limit, R-L4)",
    ),
    "stream_link_lost": Step(
        LinkState.CONNECTING,
        _L.AUTO_RECONNECT,
        _R.AUTO_RECONNECT,
        _STREAM,
        "STREAM",
        trigger="network loss (R-T2): each CONNECTED stream channel's RTC link, before the "
        "client's own (R-M12)",
    ),
    "stream_link_back": Step(
        LinkState.CONNECTED,
        _L.RECONNECTED,
        _R.RECONNECT_SUCCESS,
        _STREAM,
        "STREAM",
        trigger="the link is back: each stream channel the loss left CONNECTING, after the "
        "client's own (isResumed: true, R-M12)",
    ),
    "stream_token_expired": Step(
        LinkState.FAILED,
        _L.SERVER_REJECT,
        _R.TOKEN_EXPIRED,
        _STREAM,
        "STREAM",
        trigger="the stream channel's token lapses (R-TK12, R-TK25): the channel is left",
    ),
    "stream_leave": Step(
        LinkState.IDLE,
        _L.LEAVE,
        _R.LEAVE,
        _STREAM,
        "STREAM",
        trigger="stream leave()",
    ),
}


class Links:
    """Makes the transitions of :data:`STEPS` for every client and reports them (R-T4)."""

    __slots__ = ("_bus", "_clock")

    def __init__(self, clock: FakeClock, bus: EventBus) -> None:
        self._clock = clock
        self._bus = bus

    def step(
        self,
        core: ClientCore,
        name: str,
        *,
        stream: str | None = None,
        is_resumed: bool = False,
        reason: LinkStateReasonCode | None = None,
    ) -> None:
        """Make the transition ``STEPS[name]`` of the client's link, or of its link to
        stream channel ``stream``, and emit its ``linkState`` event (none when the link
        is already in the step's state); ``reason`` overrides the step's reasonCode."""
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
                timestamp=self._clock.now_ms,
            ),
        )


def render_markdown() -> str:
    """The link-state table as Markdown (for ``docs/semantics.md``)."""
    lines = [
        "| step | trigger | new state | operation | reasonCode | affectedChannels | service |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, step in STEPS.items():
        lines.append(
            f"| `{name}` | {step.trigger} | `{step.state.value}` | `{step.operation.value}` "
            f"| `{step.reason_code.value}` | {step.affected.value} | `{step.service_type}` |"
        )
    delays = ", ".join(f"{ms // 1000}" for ms in _BACKOFF_MS)
    lines += [
        "",
        f"Reconnect attempts start {delays} s after the loss or the previous failed attempt, "
        f"then every {_LATER_MS // 1000} s; an attempt fails after {ATTEMPT_MS // 1000} s; "
        f"the first failed attempt arms a {SUSPEND_AFTER_MS // 1000} s timer.",
    ]
    return "\n".join(lines) + "\n"
