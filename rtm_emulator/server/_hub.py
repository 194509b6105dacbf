"""The server's protocol without a transport: text frames in, text frames out.

A :class:`Hub` owns one :class:`~rtm_emulator.Emulator` and every connection's
:class:`Session` (one SDK-shaped client each).  The WebSocket layer (``_ws``) hands it
each incoming frame and sends what it returns; everything here is synchronous, like the
engine, except waiting for acknowledgements, which the transport layer does.

Frames (docs/server.md has the full protocol):

- request ``{"id": 1, "method": "subscribe", "params": ["room", {"withPresence": true}]}``
- ack ``{"ack": 3}`` (the answer to a ``sync`` frame)
- result ``{"type": "result", "id": 1, "result": {...}}``
- RTM error (the SDK's error, from an :class:`~rtm_emulator.RtmError`)
  ``{"type": "error", "id": 1, "error": {"error": true, "code", "errorCode",
  "operation", "reason", "name", "detail"[, "serverCode"]}}``: ``reason`` is the SDK's
  exact text, ``detail`` the emulator's explanation naming the bad value
- JS exception (R-X3: the SDK throws a plain ``TypeError`` / ``InvalidCharacterError``)
  ``{"type": "error", "id": 1, "exception": {"name", "message"}}``
- protocol error (about the frame itself, code -32xxx, :class:`ProtocolError`)
  ``{"type": "error", "id": 1, "error": {"error": true, "operation", "errorCode",
  "reason"}}``
- event ``{"type": "event", "name": "presence", "data": {...}, "seq": 7, "sync": 3}``

Delivery order: one call's events reach every other connection (and, for connections
that asked for acknowledgements in ``hello``, are acknowledged: the last event a call
sends such a connection carries ``"sync": n``, answered by ``{"ack": n}``) before the
caller gets its reply, so a JavaScript test sees R-E9's "events before the call
returns" across sockets too.  Nothing here reads the wall clock or iterates a set.

A ``login`` made while the link is ``DISCONNECTED`` / ``SUSPENDED`` waits for the
reconnect (R-L3): the Python client's coroutine suspends on a future.  The hub keeps it
aside (the connection goes on serving other requests) and replies when the future has
settled, after the events of the request that settled it (a retry fired by
``control.advance``, or ``logout``, which cancels it with -10023).

Sockets are the network (R-T2): closing the socket of a connected client is a network
loss (``emu.disconnect``); a ``hello`` that resumes the session brings back what the
close took away (``emu.reconnect``), and the client reconnects at its next retry (R-T4).
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import re
from collections import deque
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

import attrs

from .._config import DEFAULT_APP_ID, EmulatorConfig
from .._emulator import Emulator
from .._errors import ConfigError, ErrorCode, RtmError, SdkInvalidCharacterError, SdkTypeError
from .._events import LinkStateEvent, PresenceEvent
from .._types import LinkState
from ..client import RTMClient

__all__ = [
    "BUFFER_LIMIT",
    "MAX_FRAME_BYTES",
    "Ack",
    "Connection",
    "Hub",
    "Outcome",
    "ProtocolError",
    "ProtocolErrorCode",
    "Rejected",
    "Request",
    "Session",
]

log = logging.getLogger("rtm_emulator.server")

#: The largest request frame the server reads (UTF-8 bytes); a larger one gets -32001.
MAX_FRAME_BYTES = 1 << 20
#: Frames kept for a session whose socket is closed, until it is resumed (oldest dropped).
BUFFER_LIMIT = 1000
#: How much of a bad value an error reason quotes.
_QUOTE = 120
#: Recovers the id of a frame that is too large or not JSON (the JS client writes it first).
_LEADING_ID = re.compile(r'\s*\{\s*"id"\s*:\s*(-?\d{1,15}|"[^"\\]{0,64}")\s*[,}]')
#: R-C2: an app id is 32 ASCII letters or digits.
_APP_ID = re.compile(r"[0-9A-Za-z]{32}")


class ProtocolErrorCode(enum.IntEnum):
    """Codes of errors about the frame itself, outside the RTM range (JSON-RPC's numbers)."""

    PARSE_ERROR = -32700
    INVALID_REQUEST = -32600
    METHOD_NOT_FOUND = -32601
    INTERNAL_ERROR = -32603
    FRAME_TOO_LARGE = -32001
    NO_SESSION = -32002
    INVARIANT_VIOLATION = -32003


class ProtocolError(Exception):
    """A frame the server cannot act on; replied with a -32xxx code.

    Its reply keeps the protocol's own shape, ``{"error", "operation", "errorCode",
    "reason"}`` (no SDK ``name`` or ``detail``): the SDK never raises these.

    Attributes:
        operation: the method named by the frame, or ``"protocol"`` when there is none.
        error_code: a :class:`ProtocolErrorCode`.
        reason: what was wrong, quoting the bad value.
    """

    def __init__(self, operation: str, error_code: ProtocolErrorCode, reason: str) -> None:
        super().__init__(operation, error_code, reason)
        self.operation = operation
        self.error_code = error_code
        self.reason = reason

    def to_dict(self) -> dict[str, Any]:
        """The ``ErrorInfo`` shape: ``{"error", "operation", "errorCode", "reason"}``."""
        return {
            "error": True,
            "operation": self.operation,
            "errorCode": int(self.error_code),
            "reason": self.reason,
        }


def _quote(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = repr(text) if isinstance(value, str) else text
    return text if len(text) <= _QUOTE else text[: _QUOTE - 3] + "..."


def _dumps(frame: Mapping[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


@attrs.frozen
class Request:
    """A well-formed request frame."""

    id: int | str
    method: str
    params: list[Any] | dict[str, Any]


@attrs.frozen
class Ack:
    """An acknowledgement frame: the client has handled everything up to sync ``n``."""

    n: int


@attrs.frozen
class Rejected:
    """A frame that is not a usable request; ``id`` is recovered when possible."""

    id: int | str | None
    error: ProtocolError


@attrs.frozen
class Outcome:
    """What the transport does after a request: wait for ``syncs``, then send ``reply``.

    ``reply`` is ``None`` when the request is a ``login`` that waits for the reconnect:
    its reply comes later, in the ``late`` of the request that settles it.
    """

    reply: str | None
    syncs: tuple[tuple[Connection, int], ...] = ()
    #: connections the request closed (``reset``): the reply waits until they are gone
    closing: tuple[Connection, ...] = ()
    #: replies of waiting calls this request settled, sent after ``reply`` (each to its
    #: own connection, dropped if that one is closed by then)
    late: tuple[tuple[Connection, str], ...] = ()


@attrs.define(eq=False)
class Connection:
    """One transport connection as the hub sees it.

    ``send`` queues a text frame (it must not block); ``close`` queues a close after the
    frames already queued.  ``wants_acks`` is set by ``hello`` (``"ack": true``).
    """

    send: Callable[[str], None]
    close: Callable[[int, str], None]
    wants_acks: bool = False
    session: Session | None = None
    closed: bool = False
    syncs_sent: int = 0
    syncs_acked: int = 0
    _waiters: list[tuple[int, asyncio.Future[None]]] = attrs.field(factory=list)
    _gone: list[asyncio.Future[None]] = attrs.field(factory=list)

    def send_frames(self, frames: list[str], *, sync: bool) -> int:
        """Send event frames; with ``sync``, the last one asks for an ack (returns its n)."""
        if sync:
            self.syncs_sent += 1
            last = frames[-1]
            frames[-1] = f'{last[:-1]},"sync":{self.syncs_sent}}}'
        for frame in frames:
            self.send(frame)
        return self.syncs_sent if sync else 0

    def ack(self, n: int) -> None:
        """Record the client's ``{"ack": n}`` and wake whoever waits for it."""
        self.syncs_acked = max(self.syncs_acked, min(n, self.syncs_sent))
        self._wake()

    async def gone(self) -> None:
        """Wait until the socket is closed (the peer has answered the close)."""
        if self.closed:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._gone.append(future)
        await future

    async def acknowledged(self, n: int) -> None:
        """Wait until sync ``n`` is acknowledged or the connection is closed."""
        if self.closed or self.syncs_acked >= n:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((n, future))
        await future

    def mark_closed(self) -> None:
        """The socket is gone: stop waiting for its acknowledgements."""
        self.closed = True
        self._wake()
        gone, self._gone = self._gone, []
        for future in gone:
            if not future.done():
                future.set_result(None)

    def _wake(self) -> None:
        keep = []
        for n, future in self._waiters:
            if self.closed or self.syncs_acked >= n:
                if not future.done():
                    future.set_result(None)
            else:
                keep.append((n, future))
        self._waiters = keep


@attrs.define(eq=False)
class Session:
    """One SDK-shaped client of the emulator, bound to at most one connection.

    ``network_cut``: the hub cut the client's network because its socket closed (a
    resume brings it back).  ``network_restored``: the hub (or ``session.reconnect``)
    brought the network back and the client may not have reconnected yet, so a socket
    close cuts it again.
    """

    token: str
    client: RTMClient
    conn: Connection | None = None
    buffer: deque[str] = attrs.field(factory=lambda: deque(maxlen=BUFFER_LIMIT))
    network_cut: bool = False
    network_restored: bool = False


@attrs.define(eq=False)
class _Waiting:
    """A call whose coroutine is suspended on ``future`` (a login waiting for the link)."""

    conn: Connection
    request_id: int | str
    method: str
    coro: Coroutine[Any, Any, Any]
    future: asyncio.Future[Any]


#: What ``_dispatch`` returns for a call whose reply comes later.
_LATER = object()

#: Link states of a client on its way back (R-T4): its network may be up already.
_RECONNECTING = (LinkState.DISCONNECTED, LinkState.SUSPENDED, LinkState.CONNECTING)


# ----------------------------------------------------------------- method tables

#: RTM methods: name -> (attribute path on the client, required, at most) arguments.
_RTM_METHODS: dict[str, tuple[tuple[str, ...], int, int]] = {
    "login": (("login",), 0, 1),
    "logout": (("logout",), 0, 0),
    "subscribe": (("subscribe",), 1, 2),
    "unsubscribe": (("unsubscribe",), 1, 1),
    "streamChannel.join": (("join",), 1, 2),
    "streamChannel.leave": (("leave",), 1, 1),
    "presence.whoNow": (("presence", "whoNow"), 2, 3),
    "presence.getOnlineUsers": (("presence", "getOnlineUsers"), 2, 3),
    "presence.whereNow": (("presence", "whereNow"), 1, 1),
    "presence.getUserChannels": (("presence", "getUserChannels"), 1, 1),
    "presence.setState": (("presence", "setState"), 3, 3),
    "presence.getState": (("presence", "getState"), 3, 3),
    "presence.removeState": (("presence", "removeState"), 2, 3),
}

#: The ``operation`` of the SDK call behind each method (for the hub's own argument
#: checks; the engine names its errors itself): the presence state calls are
#: ``presenceSetState`` & co. (agora-rtm.js 2.3.0, PresenceImpl), the rest as called.
_SDK_OPERATION = {
    "streamChannel.join": "join",
    "streamChannel.leave": "leave",
    "presence.setState": "presenceSetState",
    "presence.getState": "presenceGetState",
    "presence.removeState": "presenceRemoveState",
}

#: ``EmulatorConfig`` fields in camelCase (``reset``'s ``config``, ``info``'s ``config``).
_CONFIG_KEYS = {
    "startTimeMs": "start_time_ms",
    "announceMax": "announce_max",
    "interval": "interval",
    "debounce": "debounce",
    "maxChannelUsers": "max_channel_users",
    "rateLimits": "rate_limits",
}

#: ``journal`` filters in camelCase -> ``Journal.filter`` keywords.
_JOURNAL_FILTERS = {
    "recipient": "recipient",
    "channel": "channel",
    "channelType": "channel_type",
    "eventType": "event_type",
    "publisher": "publisher",
    "appId": "app_id",
    "kind": "kind",
}


def _bad(operation: str, detail: str) -> RtmError:
    return RtmError.sdk(operation, ErrorCode.INVALID_PARAMETER, detail=detail)


class _Params:
    """Checked access to a control method's ``params`` object (-10014 on misuse)."""

    def __init__(self, operation: str, params: list[Any] | dict[str, Any], known: Sequence[str]):
        if isinstance(params, list):
            if params:
                raise _bad(operation, f"params must be an object, got {_quote(params)}")
            params = {}
        for key in params:
            if key not in known:
                raise _bad(
                    operation,
                    f"unknown parameter {key!r} (known: {', '.join(known) or 'none'})",
                )
        self.operation = operation
        self.values = params

    def required(self, key: str) -> Any:
        if key not in self.values:
            raise _bad(self.operation, f"missing parameter {key!r}")
        return self.values[key]

    def optional(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value

    def app_id(self, default: str) -> str:
        value = self.optional("appId", default)
        if not isinstance(value, str) or _APP_ID.fullmatch(value) is None:
            raise _bad(
                self.operation,
                f"appId must be 32 ASCII letters or digits (R-C2), got {_quote(value)}",
            )
        return value


class Hub:
    """The emulator behind the server, its sessions, and the frame protocol.

    ``clock`` is ``"manual"`` (only ``advance`` moves time) or ``"real"``; with
    ``"real"``, :meth:`sync_clock` is called by the transport before each request and
    on a timer, through ``real_clock`` (the adapter that reads the wall clock).

    Raises:
        ConfigError: for a bad ``config`` or ``clock``.
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        clock: str = "manual",
        real_clock: Any = None,
        max_frame_bytes: int = MAX_FRAME_BYTES,
        default_app_id: str = DEFAULT_APP_ID,
    ) -> None:
        if clock not in ("manual", "real"):
            raise ConfigError.bad("serve", f"clock must be 'manual' or 'real', got {clock!r}")
        if clock == "real" and real_clock is None:
            raise ConfigError.bad("serve", "clock 'real' needs a real_clock adapter")
        self.clock_mode = clock
        self.real_clock = real_clock
        self.max_frame_bytes = max_frame_bytes
        self.default_app_id = default_app_id
        self.sessions: dict[str, Session] = {}
        self._next_token = 0
        #: event frames of the running request, per connection, in delivery order
        self._out: dict[Connection, list[str]] = {}
        self._closing: list[Connection] = []
        #: calls waiting for the engine (logins waiting for the link), in arrival order
        self._waiting: list[_Waiting] = []
        self.emu = self._new_emulator(config, start_given=False)

    # ------------------------------------------------------------ emulator

    def _new_emulator(self, config: EmulatorConfig | None, *, start_given: bool) -> Emulator:
        if self.real_clock is not None and not start_given:
            start = self.real_clock.start_time_ms()
            config = attrs.evolve(config or EmulatorConfig(), start_time_ms=start)
        emu = Emulator(config)
        if self.real_clock is not None:
            self.real_clock.attach(emu)
        return emu

    def sync_clock(self) -> None:
        """With the real clock: advance the fake clock to the time source's now.

        The events this fires are sent at once (nobody waits for their acks), and so
        are the replies of the waiting calls it settles.
        """
        if self.real_clock is not None:
            self.real_clock.sync()
            self._flush(None, sync=False)
            self._send_settled()

    # ------------------------------------------------------------- frames in

    def parse(self, frame: str | bytes) -> Request | Ack | Rejected:
        """Classify one incoming frame (never raises)."""
        if isinstance(frame, bytes):
            return Rejected(
                None,
                ProtocolError(
                    "protocol",
                    ProtocolErrorCode.PARSE_ERROR,
                    f"binary frames are not accepted ({len(frame)} bytes); send JSON text",
                ),
            )
        size = len(frame)
        if size * 4 > self.max_frame_bytes:
            size = len(frame.encode("utf-8", "surrogatepass"))
        if size > self.max_frame_bytes:
            return Rejected(
                _leading_id(frame),
                ProtocolError(
                    "protocol",
                    ProtocolErrorCode.FRAME_TOO_LARGE,
                    f"frame of {size} bytes is over the {self.max_frame_bytes}-byte limit",
                ),
            )
        try:
            data = json.loads(frame, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            return Rejected(
                _leading_id(frame),
                ProtocolError(
                    "protocol",
                    ProtocolErrorCode.PARSE_ERROR,
                    f"frame is not JSON ({exc}): {_quote(frame)}",
                ),
            )
        return _classify(data)

    def execute(self, conn: Connection, request: Request | Rejected) -> Outcome:
        """Run one request (or reply to a rejected frame); never raises.

        The reply is a result frame, an error frame (an :class:`~rtm_emulator.RtmError`
        in the SDK's shape plus ``detail``; a protocol error -32xxx in its own shape), an
        ``exception`` frame (R-X3), or ``None`` for a ``login`` that waits for the
        reconnect (its reply comes in the ``late`` of the request that settles it).
        """
        self._out.clear()
        self._closing.clear()
        if isinstance(request, Rejected):
            return Outcome(_error_frame(request.id, request.error.to_dict()))
        reply: str | None
        try:
            self.sync_clock()
            result = self._dispatch(conn, request)
            reply = None if result is _LATER else _result_frame(request.id, result)
        except Exception as exc:
            reply = _failure_frame(request.id, request.method, exc)
        closing, self._closing = tuple(self._closing), []
        late = self._settled()
        return Outcome(reply, self._flush(conn, sync=True), closing, late)

    def _flush(
        self, caller: Connection | None, *, sync: bool
    ) -> tuple[tuple[Connection, int], ...]:
        """Send the buffered event frames; returns the acks to wait for (not the caller's)."""
        out, self._out = self._out, {}
        syncs = []
        for conn, frames in out.items():
            if conn.closed:
                continue
            wanted = sync and conn is not caller and conn.wants_acks
            n = conn.send_frames(frames, sync=wanted)
            if wanted:
                syncs.append((conn, n))
        return tuple(syncs)

    def tick(self) -> None:
        """With the real clock: fire what is due (the transport calls this on a timer)."""
        self.sync_clock()

    # ------------------------------------------------------- waiting calls

    def _start(self, conn: Connection, request: Request, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run an SDK coroutine; its response's JSON, or ``_LATER`` if it suspended.

        Only a ``login`` waiting for the link suspends (on an asyncio future the engine
        settles): it is kept in ``_waiting`` and finished by :meth:`_settled`.

        Raises:
            RtmError, SdkTypeError, SdkInvalidCharacterError: whatever the call raises.
        """
        try:
            awaited = coro.send(None)
        except StopIteration as done:
            return done.value.to_dict()
        if not isinstance(awaited, asyncio.Future):
            coro.close()
            raise RuntimeError(f"{request.method} suspended on {awaited!r}, not on a future")
        self._waiting.append(_Waiting(conn, request.id, request.method, coro, awaited))
        return _LATER

    def _settled(self) -> tuple[tuple[Connection, str], ...]:
        """Finish the waiting calls whose future has settled; their replies, in order.

        A reply to a connection that has closed meanwhile is dropped (the client has
        failed the call when its socket closed).
        """
        if not any(w.future.done() for w in self._waiting):
            return ()
        done = [w for w in self._waiting if w.future.done()]
        self._waiting = [w for w in self._waiting if not w.future.done()]
        replies = []
        for waiting in done:
            try:
                waiting.coro.send(None)
            except StopIteration as finished:
                frame = _result_frame(waiting.request_id, finished.value.to_dict())
            except Exception as exc:
                frame = _failure_frame(waiting.request_id, waiting.method, exc)
            else:  # pragma: no cover - the client awaits one future only
                waiting.coro.close()
                error = RuntimeError(f"{waiting.method} suspended twice")
                frame = _failure_frame(waiting.request_id, waiting.method, error)
            if not waiting.conn.closed:
                replies.append((waiting.conn, frame))
        return tuple(replies)

    def _send_settled(self) -> None:
        for conn, frame in self._settled():
            conn.send(frame)

    def _drop_waiting(self) -> None:
        """``reset``: the old emulator's waiting calls will never settle."""
        waiting, self._waiting = self._waiting, []
        for call in waiting:
            call.coro.close()

    # ------------------------------------------------------- connections

    def connection_closed(self, conn: Connection) -> None:
        """The socket is gone: a network loss for its session's client (R-T2).

        A logged-in client whose link is ``CONNECTED`` (or whose network the hub brought
        back and that has not reconnected yet) loses its network (``emu.disconnect``):
        its link goes ``DISCONNECTED`` and retries (R-T4).  The session is kept, with its
        events buffered, until a ``hello`` resumes it.  A session whose client is not
        logged in is forgotten.  Calls of this connection still waiting are finished
        when they settle, without a reply.
        """
        conn.mark_closed()
        session, conn.session = conn.session, None
        if session is None or session.conn is not conn:
            return
        session.conn = None
        client = session.client
        if not client.logged_in:
            self.sessions.pop(session.token, None)
            return
        waiting = session.network_restored and client.link_state in _RECONNECTING
        if client.connected or waiting:
            self.emu.disconnect(client.user_id, app_id=client.app_id)
            session.network_cut = True
        session.network_restored = False
        self._flush(None, sync=False)
        self._send_settled()

    # ------------------------------------------------------------ events

    def _deliver(self, session: Session, frame: str) -> None:
        conn = session.conn
        if conn is None:
            session.buffer.append(frame)
            return
        frames = self._out.get(conn)
        if frames is None:
            self._out[conn] = [frame]
        else:
            frames.append(frame)

    def _listen(self, session: Session) -> None:
        def on_presence(event: PresenceEvent) -> None:
            data = event.to_dict()
            frame = {"type": "event", "name": "presence", "data": data, "seq": event.seq}
            self._deliver(session, _dumps(frame))

        def on_link(event: LinkStateEvent) -> None:
            frame = {"type": "event", "name": "linkState", "data": event.to_dict()}
            self._deliver(session, _dumps(frame))

        session.client.add_event_listener("presence", on_presence)
        session.client.add_event_listener("linkState", on_link)

    # ---------------------------------------------------------- dispatch

    def _dispatch(self, conn: Connection, request: Request) -> Any:
        method = request.method
        if method == "hello":
            return self._hello(conn, request.params)
        if method in _RTM_METHODS:
            return self._rtm(conn, request)
        if method == "session.reconnect":
            return self._session_reconnect(conn, request.params)
        control = _CONTROL.get(method)
        if control is not None:
            return control(self, _as_object(method, request.params))
        raise ProtocolError(
            method,
            ProtocolErrorCode.METHOD_NOT_FOUND,
            f"unknown method {_quote(method)} (see docs/server.md for the method list)",
        )

    def _hello(self, conn: Connection, params: list[Any] | dict[str, Any]) -> Any:
        p = _Params("hello", params, ("appId", "userId", "config", "resume", "ack"))
        if conn.session is not None:
            raise ProtocolError(
                "hello",
                ProtocolErrorCode.INVALID_REQUEST,
                f"this connection already has session {conn.session.token!r}",
            )
        ack = p.optional("ack", False)
        if not isinstance(ack, bool):
            raise _bad("hello", f"ack must be a boolean, got {_quote(ack)}")
        resume = p.optional("resume")
        if resume is not None:
            if len(p.values.keys() - {"resume", "ack"}):
                raise _bad("hello", "resume takes no appId, userId or config")
            session = self.sessions.get(resume) if isinstance(resume, str) else None
            if session is None:
                raise ProtocolError(
                    "hello",
                    ProtocolErrorCode.NO_SESSION,
                    f"no session {_quote(resume)} to resume (it logged out, or the "
                    "emulator was reset or restarted)",
                )
            if session.conn is not None:  # a newer socket takes the session over
                session.conn.session = None
            conn.wants_acks = ack
            session.conn, conn.session = conn, session
            buffered = list(session.buffer)
            session.buffer.clear()
            for frame in buffered:
                conn.send(frame)
            if session.network_cut:  # the socket is back: so is the network (R-T3)
                session.network_cut = False
                if session.client.logged_in:
                    self.emu.reconnect(session.client.user_id, app_id=session.client.app_id)
                    session.network_restored = True
            return self._session_info(session, resumed=True)
        self._forget_logged_out()
        app_id = p.optional("appId", self.default_app_id)
        user_id = p.required("userId")
        config = p.optional("config", {})
        if not isinstance(config, dict):
            raise _bad("initRTM", f"config must be an object, got {_quote(config)}")
        client = self.emu.client(user_id, app_id=app_id, config=config)
        self._next_token += 1
        session = Session(f"s{self._next_token}", client, conn)
        self.sessions[session.token] = session
        self._listen(session)
        conn.wants_acks = ack
        conn.session = session
        return self._session_info(session, resumed=False)

    def _session_info(self, session: Session, *, resumed: bool) -> dict[str, Any]:
        client = session.client
        return {
            "session": session.token,
            "resumed": resumed,
            "userId": client.user_id,
            "appId": client.app_id,
            "loggedIn": client.logged_in,
            "connected": client.connected,
            "linkState": client.link_state.value,
            "nowMs": self.emu.now_ms,
            "defaultAppId": self.default_app_id,
        }

    def _forget_logged_out(self) -> None:
        gone = [t for t, s in self.sessions.items() if s.conn is None and not s.client.logged_in]
        for token in gone:
            del self.sessions[token]

    def _session(self, conn: Connection, method: str) -> Session:
        if conn.session is None:
            raise ProtocolError(
                method,
                ProtocolErrorCode.NO_SESSION,
                f"{method} needs a session: send 'hello' with a userId first",
            )
        return conn.session

    def _rtm(self, conn: Connection, request: Request) -> Any:
        method, params = request.method, request.params
        session = self._session(conn, method)
        path, required, most = _RTM_METHODS[method]
        sdk_name = _SDK_OPERATION.get(method, method.rsplit(".", 1)[-1])
        if not isinstance(params, list):
            raise _bad(sdk_name, f"params must be an array of arguments, got {_quote(params)}")
        if len(params) > most:
            raise _bad(
                sdk_name,
                f"takes at most {most} argument(s), got {len(params)}: {_quote(params)}",
            )
        args = list(params) + [None] * (required - len(params))
        target: Any = session.client
        if method.startswith("streamChannel."):
            target = session.client.createStreamChannel(args.pop(0))
        for name in path:
            target = getattr(target, name)
        return self._start(conn, request, target(*args))

    def _session_reconnect(self, conn: Connection, params: list[Any] | dict[str, Any]) -> Any:
        session = self._session(conn, "session.reconnect")
        _Params("reconnect", params, ())
        client = session.client
        if not client.logged_in:
            raise ConfigError.bad(
                "reconnect",
                f"the client of user {client.user_id!r} is not logged in: no network to restore",
            )
        self.emu.reconnect(client.user_id, app_id=client.app_id)
        session.network_cut = False
        session.network_restored = True
        return {"timestamp": 0}

    # ------------------------------------------------------------ control

    def _c_info(self, params: dict[str, Any]) -> Any:
        _Params("info", params, ())
        from .. import __version__

        return {
            "version": __version__,
            "clock": self.clock_mode,
            "nowMs": self.emu.now_ms,
            "maxFrameBytes": self.max_frame_bytes,
            "sessions": len(self.sessions),
            "defaultAppId": self.default_app_id,
            "config": {camel: getattr(self.emu.config, f) for camel, f in _CONFIG_KEYS.items()},
        }

    def _c_now(self, params: dict[str, Any]) -> Any:
        _Params("now", params, ())
        return {"nowMs": self.emu.now_ms, "elapsed": self.emu.elapsed}

    def _c_advance(self, params: dict[str, Any]) -> Any:
        p = _Params("advance", params, ("seconds",))
        self.emu.advance(p.required("seconds"))
        return {"nowMs": self.emu.now_ms}

    def _c_run_until_idle(self, params: dict[str, Any]) -> Any:
        _Params("runUntilIdle", params, ())
        fired = self.emu.run_until_idle()
        return {"fired": fired, "nowMs": self.emu.now_ms}

    def _c_advance_to_next_event(self, params: dict[str, Any]) -> Any:
        _Params("advanceToNextEvent", params, ())
        due = self.emu.advance_to_next_event()
        return {"nowMs": self.emu.now_ms, "fired": due is not None}

    def _c_disconnect(self, params: dict[str, Any]) -> Any:
        p = _Params("disconnect", params, ("userId", "appId"))
        self.emu.disconnect(p.required("userId"), app_id=p.app_id(self.default_app_id))
        return {}

    def _c_reconnect(self, params: dict[str, Any]) -> Any:
        p = _Params("reconnect", params, ("userId", "appId"))
        self.emu.reconnect(p.required("userId"), app_id=p.app_id(self.default_app_id))
        return {}

    def _c_set_presence_available(self, params: dict[str, Any]) -> Any:
        p = _Params(
            "setPresenceAvailable", params, ("channelName", "channelType", "available", "appId")
        )
        self.emu.set_presence_available(
            p.required("channelName"),
            p.required("channelType"),
            p.required("available"),
            app_id=p.app_id(self.default_app_id),
        )
        return {}

    def _c_set_delivery_latency(self, params: dict[str, Any]) -> Any:
        p = _Params("setDeliveryLatency", params, ("userId", "seconds", "appId"))
        self.emu.set_delivery_latency(
            p.required("userId"), p.required("seconds"), app_id=p.app_id(self.default_app_id)
        )
        return {}

    def _c_reset(self, params: dict[str, Any]) -> Any:
        p = _Params("reset", params, ("config",))
        given = p.optional("config", {})
        if not isinstance(given, dict):
            raise _bad("reset", f"config must be an object, got {_quote(given)}")
        kwargs: dict[str, Any] = {}
        for key, value in given.items():
            if key not in _CONFIG_KEYS:
                raise ConfigError.bad(
                    "reset",
                    f"unknown EmulatorConfig key {key!r} (known: {', '.join(_CONFIG_KEYS)})",
                )
            kwargs[_CONFIG_KEYS[key]] = value
        config = EmulatorConfig(**kwargs)  # validates before anything changes
        self._drop_waiting()
        sessions, self.sessions = self.sessions, {}
        for session in sessions.values():
            conn, session.conn = session.conn, None
            if conn is not None:
                conn.session = None
                conn.close(4001, "emulator reset")
                self._closing.append(conn)
        self.emu = self._new_emulator(config, start_given="start_time_ms" in kwargs)
        self._out.clear()
        return self._c_info({})

    def _c_online_users(self, params: dict[str, Any]) -> Any:
        p = _Params("onlineUsers", params, ("channelName", "channelType", "appId"))
        return self.emu.online_users(
            p.required("channelName"),
            p.required("channelType"),
            app_id=p.app_id(self.default_app_id),
        )

    def _c_user_channels(self, params: dict[str, Any]) -> Any:
        p = _Params("userChannels", params, ("userId", "appId"))
        channels = self.emu.user_channels(
            p.required("userId"), app_id=p.app_id(self.default_app_id)
        )
        return [{"channelType": t.value, "channelName": n} for t, n in channels]

    def _c_state_of(self, params: dict[str, Any]) -> Any:
        p = _Params("stateOf", params, ("userId", "channelName", "channelType", "appId"))
        return self.emu.state_of(
            p.required("userId"),
            p.required("channelName"),
            p.required("channelType"),
            app_id=p.app_id(self.default_app_id),
        )

    def _c_journal(self, params: dict[str, Any]) -> Any:
        p = _Params("journal", params, (*_JOURNAL_FILTERS, "format"))
        filters = {
            _JOURNAL_FILTERS[k]: v for k, v in p.values.items() if k != "format" and v is not None
        }
        for key, value in filters.items():
            if not isinstance(value, str):
                raise _bad("journal", f"filter {key!r} must be a string, got {_quote(value)}")
        fmt = p.optional("format", "json")
        if fmt not in ("json", "jsonl"):
            raise _bad("journal", f"format must be 'json' or 'jsonl', got {_quote(fmt)}")
        try:
            journal = self.emu.journal.filter(**filters)
        except ValueError as exc:
            raise _bad("journal", str(exc)) from None
        if fmt == "jsonl":
            return journal.to_jsonl()
        return [entry.to_dict() for entry in journal.entries]

    def _c_clear_journal(self, params: dict[str, Any]) -> Any:
        _Params("clearJournal", params, ())
        self.emu.journal.clear()
        return {}

    def _c_pending_timers(self, params: dict[str, Any]) -> Any:
        _Params("pendingTimers", params, ())
        return [{"dueMs": due, "label": label} for due, label in self.emu.pending_timers()]

    def _c_check_invariants(self, params: dict[str, Any]) -> Any:
        _Params("checkInvariants", params, ())
        try:
            self.emu.check_invariants()
        except AssertionError as exc:
            raise ProtocolError(
                "checkInvariants",
                ProtocolErrorCode.INVARIANT_VIOLATION,
                f"invariant violated: {exc!r}",
            ) from None
        return {}


_CONTROL: dict[str, Callable[[Hub, dict[str, Any]], Any]] = {
    "control.info": Hub._c_info,
    "control.now": Hub._c_now,
    "control.advance": Hub._c_advance,
    "control.runUntilIdle": Hub._c_run_until_idle,
    "control.advanceToNextEvent": Hub._c_advance_to_next_event,
    "control.disconnect": Hub._c_disconnect,
    "control.reconnect": Hub._c_reconnect,
    "control.setPresenceAvailable": Hub._c_set_presence_available,
    "control.setDeliveryLatency": Hub._c_set_delivery_latency,
    "control.reset": Hub._c_reset,
    "control.onlineUsers": Hub._c_online_users,
    "control.userChannels": Hub._c_user_channels,
    "control.stateOf": Hub._c_state_of,
    "control.journal": Hub._c_journal,
    "control.clearJournal": Hub._c_clear_journal,
    "control.pendingTimers": Hub._c_pending_timers,
    "control.checkInvariants": Hub._c_check_invariants,
}

#: Every method the server answers, in documentation order.
METHODS: tuple[str, ...] = ("hello", *_RTM_METHODS, "session.reconnect", *_CONTROL)


def _as_object(method: str, params: list[Any] | dict[str, Any]) -> dict[str, Any]:
    if isinstance(params, list):
        if params:
            name = method.rsplit(".", 1)[-1]
            raise _bad(name, f"params must be an object, got {_quote(params)}")
        return {}
    return params


def _leading_id(frame: str) -> int | str | None:
    match = _LEADING_ID.match(frame[:200])
    if match is None:
        return None
    value = json.loads(match.group(1))
    return value if isinstance(value, (int, str)) else None


def _error_frame(request_id: int | str | None, error: dict[str, Any]) -> str:
    return _dumps({"type": "error", "id": request_id, "error": error})


def _result_frame(request_id: int | str, result: Any) -> str:
    return _dumps({"type": "result", "id": request_id, "result": result})


def _failure_frame(request_id: int | str, method: str, exc: Exception) -> str:
    """The reply to a call that raised ``exc``."""
    if isinstance(exc, RtmError):  # the SDK's error, plus the emulator's explanation
        return _error_frame(request_id, {**exc.to_dict(), "detail": exc.detail})
    if isinstance(exc, ProtocolError):
        return _error_frame(request_id, exc.to_dict())
    if isinstance(exc, (SdkTypeError, SdkInvalidCharacterError)):  # R-X3: a JS exception
        return _dumps({"type": "error", "id": request_id, "exception": exc.to_dict()})
    # an emulator bug: report it, keep serving
    log.error("internal error in %s", method, exc_info=exc)
    error = ProtocolError(method, ProtocolErrorCode.INTERNAL_ERROR, f"internal error: {exc!r}")
    return _error_frame(request_id, error.to_dict())


def _invalid(request_id: int | str | None, operation: str, reason: str) -> Rejected:
    return Rejected(request_id, ProtocolError(operation, ProtocolErrorCode.INVALID_REQUEST, reason))


def _classify(data: Any) -> Request | Ack | Rejected:
    if not isinstance(data, dict):
        return _invalid(None, "protocol", f"a frame must be a JSON object, got {_quote(data)}")
    if "ack" in data and "method" not in data:
        n = data["ack"]
        if isinstance(n, int) and not isinstance(n, bool) and n >= 0 and len(data) == 1:
            return Ack(n)
        return _invalid(None, "protocol", f"bad ack frame {_quote(data)}")
    raw_id = data.get("id")
    request_id = raw_id if _valid_id(raw_id) else None
    method = data.get("method")
    operation = method if isinstance(method, str) else "protocol"
    if "id" not in data:
        return _invalid(None, operation, f"request has no 'id': {_quote(data)}")
    if request_id is None:
        return _invalid(
            None, operation, f"'id' must be an integer or a string, got {_quote(raw_id)}"
        )
    if not isinstance(method, str) or not method:
        return _invalid(
            request_id, "protocol", f"'method' must be a non-empty string, got {_quote(method)}"
        )
    extra = sorted(set(data) - {"id", "method", "params"})
    if extra:
        return _invalid(request_id, method, f"unknown frame keys {extra}")
    params = data.get("params", [])
    if params is None:
        params = []
    if not isinstance(params, (list, dict)):
        return _invalid(
            request_id, method, f"'params' must be an array or an object, got {_quote(params)}"
        )
    return Request(request_id, method, params)


def _valid_id(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) < 2**53
    return isinstance(value, str) and 0 < len(value) <= 64
