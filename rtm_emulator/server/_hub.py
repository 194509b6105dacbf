"""The server's protocol without a transport: text frames in, text frames out.

A :class:`Hub` owns one :class:`~rtm_emulator.Emulator` and every connection's
:class:`Session` (one SDK-shaped client each).  The WebSocket layer (``_ws``) hands it
each incoming frame and sends what it returns; everything here is synchronous, like the
engine, except waiting for acknowledgements, which the transport layer does.

Frames are :mod:`._protocol`'s (docs/server.md has the full protocol); the control
verbs are :mod:`._control`'s.

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
import contextlib
import functools
import json
import logging
import secrets
from collections import deque
from collections.abc import Coroutine
from typing import Any

import attrs

from .._config import (
    BUFFER_LIMIT,
    DEFAULT_APP_ID,
    MAX_FRAME_BYTES,
    SERVER_JOURNAL_MAX_ENTRIES,
    EmulatorConfig,
)
from .._emulator import Emulator
from .._errors import ConfigError, ErrorCode, RtmError
from .._events import DocEvent, LinkStateEvent, MessageEvent, PresenceEvent, TopicEvent
from .._lock_types import LockEvent
from .._storage_types import StorageEvent
from .._surface import (
    GET_MESSAGES,
    OPERATIONS,
    PUBLISH,
    PUBLISH_TOPIC_MESSAGE,
    SDK_METHODS,
    SESSION_METHODS,
    SUBSCRIBE_TOPIC,
    Operation,
)
from .._token_types import TokenEvent
from .._types import LinkState
from ..client import RTMClient
from ._control import handlers
from ._protocol import (
    Ack,
    Connection,
    Outcome,
    Params,
    ProtocolError,
    ProtocolErrorCode,
    Rejected,
    Request,
    bad,
    classify,
    decode_js_value,
    decode_message,
    dumps,
    encode_payload,
    error_frame,
    failure_frame,
    leading_id,
    quote,
    reject_constant,
    result_frame,
)
from ._wire import SdkLink
from ._wire_rtc import RTC_METHODS, RtcRelay
from ._wire_tokens import new_ticket, renew

__all__ = [
    "BUFFER_LIMIT",
    "MAX_FRAME_BYTES",
    "METHODS",
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


@attrs.define(eq=False)
class Session:
    """One SDK-shaped client of the emulator, bound to at most one connection.

    ``network_cut``: the hub cut the client's network because its socket closed (a
    resume brings it back).  ``network_restored``: the hub (or ``session.reconnect``)
    brought the network back and the client may not have reconnected yet, so a socket
    close cuts it again.

    ``topic_view``: the connection asked for ``view`` frames (``hello {"topicView":
    true}``): the hub pushes the client's topic view whenever it changes (R-M17,
    docs/server.md "The topic view").  ``streams``: per stream channel the session named
    in a call, the topics it subscribed in (``subscribeTopic`` succeeded; dropped again
    once the topic holds nobody, -11013).  ``view_sent``: the last view frame sent.
    """

    token: str
    client: RTMClient
    conn: Connection | None = None
    buffer: deque[str] = attrs.field(factory=lambda: deque(maxlen=BUFFER_LIMIT))
    network_cut: bool = False
    network_restored: bool = False
    topic_view: bool = False
    streams: dict[str, dict[str, None]] = attrs.field(factory=dict)
    view_sent: str | None = None
    #: a real SDK's connection (``hello {"sdk": version}``, docs/real-sdk.md): its
    #: packets' side; ``None`` for an ``rtm-emulator-client`` or Python session
    sdk: SdkLink | None = None


@attrs.frozen
class _Ticketed:
    """A real SDK's login answer (D-RS1, D-RS11): the access point's ticket."""

    ticket: str

    def to_dict(self) -> dict[str, Any]:
        return {"ticket": self.ticket}


async def _login_then_ticket(login: Coroutine[Any, Any, Any], link: SdkLink) -> _Ticketed:
    """``login``, then the session's ticket as it is when the login ends: also for a login
    that waited for the network (R-L3), whose answer comes later."""
    await login
    return _Ticketed(link.ticket)


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

#: Where each messaging row's ``message`` argument is among its server arguments (its
#: options, whose ``customType`` may be bytes too, come right after it).
_MESSAGE_ARG = {
    row.wire: row.wire_params.index("message") for row in (PUBLISH, PUBLISH_TOPIC_MESSAGE)
}


# ----------------------------------------------------------------- method tables

#: RTM methods, from the surface table: wire name -> its operation row.
_RTM_METHODS: dict[str, Operation] = {row.wire: row for row in OPERATIONS if row.wire is not None}

#: Control methods, from the surface table: wire name -> (its row, its verb).
_CONTROL = handlers()

#: Every method the server answers, in documentation order.
METHODS: tuple[str, ...] = (
    SESSION_METHODS[0],
    *_RTM_METHODS,
    *SESSION_METHODS[1:],
    *SDK_METHODS,
    *_CONTROL,
)


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
        journal_max_entries: int | None = SERVER_JOURNAL_MAX_ENTRIES,
    ) -> None:
        if clock not in ("manual", "real"):
            raise ConfigError.bad("serve", f"clock must be 'manual' or 'real', got {clock!r}")
        if clock == "real" and real_clock is None:
            raise ConfigError.bad("serve", "clock 'real' needs a real_clock adapter")
        self.clock_mode = clock
        self.real_clock = real_clock
        self.max_frame_bytes = max_frame_bytes
        self.default_app_id = default_app_id
        #: the journal's retention bound (``None``: unbounded), kept across resets
        self.journal_max_entries = journal_max_entries
        self.sessions: dict[str, Session] = {}
        #: event frames of the running request, per connection, in delivery order
        self._out: dict[Connection, list[str]] = {}
        self._closing: list[Connection] = []
        #: calls waiting for the engine (logins waiting for the link), in arrival order
        self._waiting: list[_Waiting] = []
        #: the sessions whose connection asked for ``view`` frames, in creation order
        self._viewers: dict[Session, None] = {}
        #: real-SDK mode: each publisher's dialogue number (``SdkLink``)
        self._dialogues: dict[tuple[str, str], int] = {}
        #: real-SDK mode: packet frames answering a packet later (``SdkLink.send``), sent
        #: after the events of the operation that settled them (:meth:`_flush`)
        self._later_packets: list[tuple[Session, str]] = []
        self.emu = self._new_emulator(config, start_given=False)
        #: real-SDK mode: the RTC side of stream channels (D-RS12..D-RS17)
        self.rtc = self._new_relay()

    # ------------------------------------------------------------ emulator

    def _new_emulator(self, config: EmulatorConfig | None, *, start_given: bool) -> Emulator:
        if self.real_clock is not None and not start_given:
            start = self.real_clock.start_time_ms()
            config = attrs.evolve(config or EmulatorConfig(), start_time_ms=start)
        emu = Emulator(config, journal_max_entries=self.journal_max_entries)
        if self.real_clock is not None:
            self.real_clock.attach(emu)
        return emu

    def _new_relay(self) -> RtcRelay:
        engine = self.emu._engine
        return RtcRelay(
            engine._clock,
            engine.tokens.certificates,
            self._rtc_event,
            self._rtc_lapsed,
        )

    def _rtc_event(self, owner: Any, data: dict[str, Any]) -> None:
        """An ``rtc`` event frame to a real-SDK session (D-RS12)."""
        self._deliver(owner, dumps({"type": "event", "name": "rtc", "data": data}))

    def _rtc_lapsed(self, owner: Any, app_id: str, channel: str) -> None:
        """R-TK25, D-RS15: an RTC token lapsed: the user's stream-channel presence
        document goes (the others see it leave), if the SDK's own leave left it."""
        session: Session = owner
        client = session.client
        if client.logged_in:
            with contextlib.suppress(RtmError, ConfigError):
                client._engine.replicas.delete(client._core, f"*s*{channel}")

    def reset_emulator(self, config: EmulatorConfig, *, start_given: bool) -> None:
        """``control.reset``: close every session and start a new emulator.

        Waiting calls are dropped, every connected socket gets close code 4001 (the
        request's reply waits until they are gone; the transport drops a socket that
        has not closed within ``ServerLimits.close_timeout``, so that wait is bounded).
        """
        self._drop_waiting()
        self._later_packets.clear()
        self._viewers.clear()
        sessions, self.sessions = self.sessions, {}
        for session in sessions.values():
            conn, session.conn = session.conn, None
            if conn is not None:
                conn.session = None
                conn.close(4001, "emulator reset")
                self._closing.append(conn)
        self.emu = self._new_emulator(config, start_given=start_given)
        self.rtc = self._new_relay()
        self._out.clear()

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
                leading_id(frame),
                ProtocolError(
                    "protocol",
                    ProtocolErrorCode.FRAME_TOO_LARGE,
                    f"frame of {size} bytes is over the {self.max_frame_bytes}-byte limit",
                ),
            )
        try:
            data = json.loads(frame, parse_constant=reject_constant)
        except (ValueError, RecursionError) as exc:
            return Rejected(
                leading_id(frame),
                ProtocolError(
                    "protocol",
                    ProtocolErrorCode.PARSE_ERROR,
                    f"frame is not JSON ({exc}): {quote(frame)}",
                ),
            )
        return classify(data)

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
            return Outcome(error_frame(request.id, request.error.to_dict()))
        reply: str | None
        try:
            self.sync_clock()
            result = self._dispatch(conn, request)
            reply = None if result is _LATER else result_frame(request.id, result)
        except Exception as exc:
            reply = failure_frame(request.id, request.method, exc)
        closing, self._closing = tuple(self._closing), []
        late = self._settled()
        return Outcome(reply, self._flush(conn, sync=True), closing, late)

    def _flush(
        self, caller: Connection | None, *, sync: bool
    ) -> tuple[tuple[Connection, int], ...]:
        """Send the buffered event frames; returns the acks to wait for (not the caller's).

        Each connection's changed topic view goes last, after its events (so it is
        acknowledged with them).  Packet frames that answer a real SDK's earlier packet
        go after the events already queued (D-RS10).
        """
        if self._later_packets:
            later, self._later_packets = self._later_packets, []
            for session, frame in later:
                self._deliver(session, frame)
        if self._viewers:
            self._push_views()
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
                frame = result_frame(waiting.request_id, finished.value.to_dict())
            except Exception as exc:
                frame = failure_frame(waiting.request_id, waiting.method, exc)
            else:  # pragma: no cover - the client awaits one future only
                waiting.coro.close()
                error = RuntimeError(f"{waiting.method} suspended twice")
                frame = failure_frame(waiting.request_id, waiting.method, error)
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
        if session.sdk is not None:  # D-RS16: its RTC links end with its socket
            self.rtc.drop(session)
        if not client.logged_in:
            self.sessions.pop(session.token, None)
            self._viewers.pop(session, None)
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

    def _packet_later(self, session: Session, frame: dict[str, Any]) -> None:
        """A real SDK's packet answered later (an acquire with retry granted, D-RS10):
        queued behind the events of the operation running now (see :meth:`_flush`)."""
        self._later_packets.append((session, dumps(frame)))

    def _listen(self, session: Session) -> None:
        def on_presence(event: PresenceEvent) -> None:
            data = event.to_dict()
            frame = {"type": "event", "name": "presence", "data": data, "seq": event.seq}
            self._deliver(session, dumps(frame))

        def on_link(event: LinkStateEvent) -> None:
            frame = {"type": "event", "name": "linkState", "data": event.to_dict()}
            self._deliver(session, dumps(frame))
            if session.sdk is not None and event.current_state not in _RECONNECTING:
                client = session.client  # R-M12: its RTC links come back with its link
                self.rtc.link_settled(client.app_id, client.user_id)

        def as_packets(event: Any) -> bool:
            """A real SDK makes its events from packets (D-RS6): the event's packets."""
            frames = session.sdk.event_frames(event, session.client.app_id) if session.sdk else None
            for frame in frames or ():
                self._deliver(session, dumps(frame))
            return frames is not None

        def on_message(event: MessageEvent) -> None:
            if as_packets(event):
                return
            data = event.to_dict()
            data["message"] = encode_payload(event.message)
            self._deliver(session, dumps({"type": "event", "name": "message", "data": data}))

        def on_topic(event: TopicEvent) -> None:
            frame = {"type": "event", "name": "topic", "data": event.to_dict()}
            self._deliver(session, dumps(frame))

        session.client.add_event_listener("presence", on_presence)
        session.client.add_event_listener("linkState", on_link)
        session.client.add_event_listener("message", on_message)
        session.client.add_event_listener("topic", on_topic)

        def on_family(event: StorageEvent | LockEvent) -> None:
            if as_packets(event):
                return
            frame = {"type": "event", "name": event.listener_name, "data": event.to_dict()}
            self._deliver(session, dumps(frame))

        session.client.add_event_listener("storage", on_family)
        session.client.add_event_listener("lock", on_family)

        # R-TK10: token notices (the will-expire one carries the channel name alone)
        def on_token(event: TokenEvent) -> None:
            if as_packets(event):
                return
            frame = {"type": "event", "name": "token", "data": event.to_dict()}
            self._deliver(session, dumps(frame))

        def on_will_expire(channel_name: str) -> None:
            if session.sdk is not None:  # the SDK makes it from the notice packet (D-RS11)
                return
            frame = {"type": "event", "name": "tokenPrivilegeWillExpire", "data": channel_name}
            self._deliver(session, dumps(frame))

        session.client.add_event_listener("token", on_token)
        session.client.add_event_listener("tokenPrivilegeWillExpire", on_will_expire)

        if session.sdk is not None:  # D-RS3: a real SDK's replicas hear document batches

            def on_doc(event: DocEvent) -> None:
                frame = {"type": "event", "name": "doc", "data": event.to_dict()}
                self._deliver(session, dumps(frame))

            session.client._core.listeners.setdefault("doc", []).append(on_doc)

    # ------------------------------------------------------------ topic views

    def _push_views(self) -> None:
        """Queue a ``view`` frame for every viewing session whose topic view changed."""
        for session in self._viewers:
            if session.conn is None:
                continue  # a resume sends it afresh
            frame = dumps({"type": "view", "name": "topics", "data": self._view(session)})
            if frame != session.view_sent:
                session.view_sent = frame
                self._deliver(session, frame)

    def _view(self, session: Session) -> dict[str, Any]:
        """What ``getSubscribedUserList`` answers for the session's client (R-M17), as
        the JS client needs it to answer synchronously (docs/server.md "The topic view").

        ``idle``: its link is ``IDLE`` (every call is -10025).  ``channels``: per stream
        channel the session named in a call, ``joined`` (False: every valid topic is
        -11001) and ``topics``, the result of each topic that holds users; any other
        valid topic is -11013.  Each answer is the engine's own: the hub asks the
        client's stream channel handle, for an unheld topic too (``joined``).
        """
        client = session.client
        channels: dict[str, Any] = {}
        if client.link_state is LinkState.IDLE:
            return {"idle": True, "channels": channels}
        for name, tracked in session.streams.items():
            handle = client.createStreamChannel(name)
            joined = True
            try:
                handle.getSubscribedUserList(_probe_topic(tracked))
            except RtmError as exc:
                joined = exc.error_code != ErrorCode.CHANNEL_NOT_JOINED
            topics: dict[str, Any] = {}
            for topic in list(tracked):
                try:
                    topics[topic] = handle.getSubscribedUserList(topic).to_dict()
                except RtmError as exc:
                    if exc.error_code == ErrorCode.CHANNEL_TOPIC_NOT_SUBSCRIBED:
                        del tracked[topic]  # only a subscribeTopic holds users again
            channels[name] = {"joined": joined, "topics": topics}
        return {"idle": False, "channels": channels}

    # ---------------------------------------------------------- dispatch

    def _dispatch(self, conn: Connection, request: Request) -> Any:
        method = request.method
        if method == "hello":
            return self._hello(conn, request.params)
        if method in _RTM_METHODS:
            return self._rtm(conn, request)
        if method == "session.reconnect":
            return self._session_reconnect(conn, request.params)
        if method in RTC_METHODS:
            return self._rtc(conn, request)
        if method in SDK_METHODS:
            return self._sdk(conn, request)
        control = _CONTROL.get(method)
        if control is not None:
            row, verb = control
            operation = method.rsplit(".", 1)[-1]
            return verb(self, Params(operation, request.params, row.wire_keys))
        raise ProtocolError(
            method,
            ProtocolErrorCode.METHOD_NOT_FOUND,
            f"unknown method {quote(method)} (see docs/server.md for the method list)",
        )

    def _hello(self, conn: Connection, params: list[Any] | dict[str, Any]) -> Any:
        known = ("appId", "userId", "config", "resume", "ack", "topicView", "sdk")
        p = Params("hello", params, known)
        if conn.session is not None:
            raise ProtocolError(
                "hello",
                ProtocolErrorCode.INVALID_REQUEST,
                f"this connection already has session {conn.session.token!r}",
            )
        ack = p.optional("ack", False)
        if not isinstance(ack, bool):
            raise bad("hello", f"ack must be a boolean, got {quote(ack)}")
        topic_view = p.optional("topicView", False)
        if not isinstance(topic_view, bool):
            raise bad("hello", f"topicView must be a boolean, got {quote(topic_view)}")
        resume = p.optional("resume")
        if resume is not None:
            if len(p.values.keys() - {"resume", "ack", "topicView", "sdk"}):
                raise bad("hello", "resume takes no appId, userId or config")
            session = self.sessions.get(resume) if isinstance(resume, str) else None
            if session is None:
                raise ProtocolError(
                    "hello",
                    ProtocolErrorCode.NO_SESSION,
                    f"no session {quote(resume)} to resume (it logged out, or the "
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
            self._set_viewing(session, topic_view)
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
            raise bad("initRTM", f"config must be an object, got {quote(config)}")
        version = p.optional("sdk")
        if version is not None and not isinstance(version, str):
            raise bad("hello", f"sdk must be the SDK's version string, got {quote(version)}")
        client = self.emu.client(user_id, app_id=app_id, config=config)
        session = Session(self._new_token(), client, conn)
        if version is not None:
            session.sdk = SdkLink(
                version,
                self._dialogues,
                engine=client._engine,
                send=functools.partial(self._packet_later, session),
            )
            # the real SDK made its own checks with its own parameters: the engine takes
            # every channel name it publishes to (EXTEND_CHANNEL_NAME, R-C1)
            client._core.extend_channel_name = True
        self.sessions[session.token] = session
        self._set_viewing(session, topic_view)
        self._listen(session)
        conn.wants_acks = ack
        conn.session = session
        return self._session_info(session, resumed=False)

    def _set_viewing(self, session: Session, viewing: bool) -> None:
        """Whether the session's connection gets ``view`` frames; a (re)started viewer
        gets its view with the reply's events (the flush after this request)."""
        session.topic_view = viewing
        session.view_sent = None
        if viewing:
            self._viewers[session] = None
        else:
            self._viewers.pop(session, None)

    def _new_token(self) -> str:
        """An unguessable session token (the OS's randomness, never the engine's).

        ``hello {"resume": token}`` takes a session over, so a token must not be
        guessable from another one (as ``s1``, ``s2``, ... were); events, journals and
        timings do not depend on it, so determinism is unaffected.
        """
        token = secrets.token_urlsafe(16)
        while token in self.sessions:  # pragma: no cover - 128 random bits
            token = secrets.token_urlsafe(16)
        return token

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
            self._viewers.pop(self.sessions.pop(token), None)

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
        row = _RTM_METHODS[method]
        most = len(row.wire_params)
        if not isinstance(params, list):
            raise bad(row.operation, f"params must be an array of arguments, got {quote(params)}")
        if len(params) > most:
            raise bad(
                row.operation,
                f"takes at most {most} argument(s), got {len(params)}: {quote(params)}",
            )
        args = list(params) + [None] * (row.wire_required - len(params))
        at = _MESSAGE_ARG.get(method)
        if at is not None:
            if at < len(args):
                args[at] = decode_message(row.operation, args[at])
            options = args[at + 1] if len(args) > at + 1 else None
            if isinstance(options, dict) and isinstance(options.get("customType"), dict):
                custom = decode_message(row.operation, options["customType"])
                args[at + 1] = {**options, "customType": custom}
        self._apply_parameters(session, request.parameters)
        target: Any = session.client
        channel: Any = None
        for name in request.streams:  # handles the JS client made (R-TK6)
            with contextlib.suppress(RtmError):
                session.client.createStreamChannel(name)
        if row.home == "stream":
            channel = args.pop(0)
            target = session.client.createStreamChannel(channel)
            session.streams.setdefault(channel, {})
        elif row.home == "presence":
            target = target.presence
        elif row.home == "history":
            target = target.history
        elif row.home == "storage":
            target = target.storage
        if row.home in ("storage", "lock"):
            args = [decode_js_value(arg, top=True) for arg in args]
        if row.home == "lock":
            call = session.client.lock._call(row, *args, in_flight=request.in_flight)
        else:
            call = getattr(target, row.sdk)(*args)
        result = self._start(conn, request, call)
        if row is SUBSCRIBE_TOPIC and isinstance(args[0], str):
            session.streams[channel].setdefault(args[0], None)
        elif row is GET_MESSAGES and result is not _LATER:
            for item in result["messageList"]:
                item["message"] = encode_payload(item["message"])
        return result

    @staticmethod
    def _apply_parameters(session: Session, parameters: dict[str, Any] | None) -> None:
        """The SDK parameters a frame carries for its call (``Request.parameters``):
        ``HISTORY_ENABLED`` (R-M1, R-M10; absent or not ``false``: the console's default,
        on) and ``EXTEND_CHANNEL_NAME`` (R-C1, R-M1; ``true`` widens the names ``publish``
        takes).  Other keys are not the server's and are ignored.
        """
        given = parameters or {}
        # the SDK keeps setParameter's values in the client; the engine's core mirrors them
        core = session.client._core
        core.history_enabled = given.get("HISTORY_ENABLED") is not False
        core.extend_channel_name = given.get("EXTEND_CHANNEL_NAME") is True
        # R-ST3, R-ST13, R-ST15: the storage switches (absent or not false: on)
        session.client._engine.storage.set_parameters(
            core,
            enabled=given.get("STORAGE_ENABLED") is not False,
            channel_sub_enabled=given.get("STORAGE_CHANNEL_SUB_ENABLED") is not False,
            user_sub_enabled=given.get("STORAGE_USER_SUB_ENABLED") is not False,
        )
        # R-LK2, R-LK18: the lock switch (absent or not false: on)
        session.client._engine.locks.set_parameters(
            core, enabled=given.get("LOCK_ENABLED") is not False
        )

    def _sdk_session(self, conn: Connection, request: Request) -> tuple[Session, dict[str, Any]]:
        """The real-SDK session of ``conn`` and the request's params.

        Raises:
            ProtocolError: the connection's session is not a real SDK's, or the params
                are not an object.
        """
        method = request.method
        session = self._session(conn, method)
        if session.sdk is None:
            raise ProtocolError(
                method,
                ProtocolErrorCode.INVALID_REQUEST,
                f"{method} is for real-SDK sessions: send 'hello' with \"sdk\": <version>",
            )
        params = request.params
        if not isinstance(params, dict):
            raise bad(method, f"params must be an object, got {quote(params)}")
        return session, params

    def _sdk(self, conn: Connection, request: Request) -> Any:
        """The ``sdk.*`` methods of a real SDK's connection (docs/real-sdk.md)."""
        method = request.method
        session, params = self._sdk_session(conn, request)
        link = session.sdk
        assert link is not None
        client = session.client
        replicas = client._engine.replicas
        core = client._core
        channel = params.get("channel")
        if method == "sdk.login":  # D-RS1, D-RS11: the answer carries the access point's ticket
            link.logged_in()
            token = params.get("token")
            # the ticket first: the notice of a login with <= 30 s left (R-TK24) carries it
            previous = link.ticket
            link.ticket = new_ticket(link, client.user_id)
            login = client.login({"token": token} if token else None)
            try:
                return self._start(conn, request, _login_then_ticket(login, link))
            except BaseException:
                link.ticket, link.tickets = previous, link.tickets - 1
                raise
        if method == "sdk.renew":  # D-RS11: the access point's check of a new token
            return renew(link, client._engine, core, params.get("token"))
        if method == "sdk.logout":
            return self._start(conn, request, client.logout())
        if method == "sdk.sync":  # D-RS18: answered after every frame queued before it
            return {}
        if method == "sdk.open":
            return {"docs": replicas.open(core, channel)}
        if method == "sdk.close":
            replicas.close(core, channel)
        elif method == "sdk.put":
            replicas.put(core, channel)
        elif method == "sdk.delete":
            replicas.delete(core, channel)
        elif method == "sdk.set":
            replicas.set_fields(core, channel, params.get("fields"))
        elif method == "sdk.unset":
            replicas.unset_fields(core, channel, params.get("keys"))
        elif method == "sdk.query":
            return replicas.query(core, params.get("collection"), params.get("query"))
        else:  # sdk.packet
            for frame in link.packet(client._engine, core, params):
                self._deliver(session, dumps(frame))
        return {}

    def _rtc(self, conn: Connection, request: Request) -> Any:
        """The ``rtc.*`` methods of a real SDK's connection (D-RS12..D-RS17)."""
        session, params = self._sdk_session(conn, request)
        return self.rtc.request(session, session.client.app_id, request.method, params)

    def network(self, user_id: str, app_id: str, *, up: bool) -> None:
        """``control.disconnect`` / ``control.reconnect`` of a user (R-T2, R-T3) with its
        real SDK's RTC links (R-M12, D-RS14): they go down first, then the RTM link; they
        come back when the network is back and the RTM link is not on its way back.

        Raises:
            RtmError: -10006 for a bad user id, -10003 for a bad app id.
            ConfigError: if no client of it is logged in.
        """
        operation = "reconnect" if up else "disconnect"
        core = self.emu._engine._clients.find(operation, user_id, app_id)
        if up:
            self.emu.reconnect(user_id, app_id=app_id)
            settled = core.link_state not in _RECONNECTING
            self.rtc.network_up(core.app_id, core.user_id, link_settled=settled)
        else:
            if core.network_up:
                self.rtc.network_down(core.app_id, core.user_id)
            self.emu.disconnect(user_id, app_id=app_id)

    def _session_reconnect(self, conn: Connection, params: list[Any] | dict[str, Any]) -> Any:
        session = self._session(conn, "session.reconnect")
        Params("reconnect", params, ())
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


def _probe_topic(tracked: dict[str, None]) -> str:
    """A valid topic name the session holds no users in (``Hub._view``'s probe)."""
    n = 0
    while f"p{n}" in tracked:
        n += 1
    return f"p{n}"
