"""Messages in MESSAGE and USER channels, and their history (R-M1..R-M11, R-M22..R-M24).

Theory of operation.  ``publish`` runs the SDK's checks in its order (R-M1: rate,
channel type, link, name, message, size, custom type, history, combined size) and then
what the server decides ([ours], R-M4, R-M9, R-M22..R-M24):

* a ``MESSAGE`` message goes to every session subscribed to the channel with
  ``withMessage`` (the default), the publisher included when it is; nobody needs to be
  subscribed to publish;
* a ``USER`` message goes to the target user's logged-in client, to the publisher itself
  when it names itself; with no logged-in client of that user in the app the publish
  fails with -11033 and nothing is delivered or kept (R-M4); its receivers see the
  publisher's user id as ``channelName`` (R-M23);
* a receiver whose link is down while the server still holds its session gets its
  messages later: the server keeps at most :data:`MESSAGE_REPLAY_LIMIT` per client
  (oldest dropped first) and delivers them, in order, when the link is back (R-M22); a
  session that ends (logout, kick, timeout) loses them;
* every delivery is one ``MessageEvent`` stamped with the clock when it reaches the
  listener (R-M24), in the order of every other event (R-E7).

The SDK filters again when a message arrives (R-M6, :meth:`Messaging.receives`, the
bus's filter): a channel message is dropped unless the receiver's last subscribe of
that channel asked for ``withMessage``; user messages are never filtered; topic
messages are ``_topics``'s.

History (R-M10, R-M11): a publish with ``storeInHistory`` is stored per channel
(``MESSAGE``) or in the conversation of both users (``USER``: ``getMessages(own id,
"USER")`` lists the messages the caller sent or received), with the clock at publish as
its ``timestamp``.  ``getMessages`` lists newest first the messages strictly older than
``start`` (when > 0) and not older than ``end`` (when > 0) [ours], at most ``count``;
``newStart`` is the timestamp of the oldest listed when older ones remain, else 0.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Mapping
from typing import Any

from ._bus import EventBus
from ._checks import rate, require_link
from ._clock import FakeClock
from ._errors import ErrorCode, RtmError
from ._events import MessageEvent
from ._ids import check_channel_name, show
from ._js import js_utf8_length, plain
from ._limits import (
    HISTORY_COUNT_LIMIT,
    HISTORY_MAX_RANGE_MS,
    MAX_MESSAGE_BYTES,
    MESSAGE_REPLAY_LIMIT,
)
from ._message_checks import (
    LIMIT_EXCEEDED,
    check_custom_type,
    check_message,
    check_publish_channel_type,
)
from ._message_types import GetMessagesResponse, HistoryMessage, PublishResponse
from ._server import Server
from ._session import ClientCore
from ._surface import Operation
from ._topics import Topics
from ._types import ChannelType
from ._validate import js_truthy, plain_value

__all__ = ["History", "Messaging"]

#: The history store's key: (app id, "MESSAGE" and the channel, or "USER" and a user id).
HistoryKey = tuple[str, str, str]


class _Log:
    """One channel's (or one user's) stored messages, oldest first."""

    __slots__ = ("items", "times")

    def __init__(self) -> None:
        self.items: list[HistoryMessage] = []
        self.times: list[int] = []


class History:
    """The server's message history (R-M10, R-M11): only what was published with
    ``storeInHistory``, kept for the emulator's lifetime."""

    __slots__ = ("_logs",)

    def __init__(self) -> None:
        self._logs: dict[HistoryKey, _Log] = {}

    def store(self, key: HistoryKey, item: HistoryMessage) -> None:
        """Keep one message (timestamps never decrease: the clock only moves forward)."""
        log = self._logs.get(key)
        if log is None:
            log = self._logs[key] = _Log()
        log.items.append(item)
        log.times.append(item.timestamp)

    def query(self, key: HistoryKey, count: int, start: float, end: float) -> GetMessagesResponse:
        """Newest first: the messages older than ``start`` (when > 0) and not older than
        ``end`` (when > 0), at most ``count``; ``newStart`` as R-M11 says [ours]."""
        log = self._logs.get(key)
        if log is None:
            return GetMessagesResponse()
        times = log.times
        high = bisect_left(times, start) if start > 0 else len(times)
        low = bisect_left(times, end) if end > 0 else 0
        first = max(low, high - count)
        page = log.items[first:high]
        page.reverse()
        more = first > low
        return GetMessagesResponse(page, page[-1].timestamp if more and page else 0)

    def check(self) -> None:
        """Assert every log is in time order and its index matches it."""
        for key, log in self._logs.items():
            assert log.items and len(log.items) == len(log.times), key
            assert log.times == sorted(log.times), key
            assert [m.timestamp for m in log.items] == log.times, key


def _js_number(value: object) -> float:
    """A ``start`` / ``end`` as the SDK compares it: missing is 0, a boolean its number,
    anything that is not a number NaN (every comparison false); an ``int`` past a double
    is JS's ``Infinity`` (or ``-Infinity``), as its literal would be."""
    value = plain_value(value)
    if value is None:
        return 0
    if isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:
            return float("inf") if value > 0 else float("-inf")
    return float("nan")


def _page_size(value: object) -> int:
    """R-M10 step 8: ``messageCount ?? 100``, 0 or over 100 meaning 100; the server reads
    anything that is not then a whole number 1..100 as 100 [ours]."""
    value = plain_value(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return HISTORY_COUNT_LIMIT
    if value != value or value < 1 or value > HISTORY_COUNT_LIMIT or value != int(value):
        return HISTORY_COUNT_LIMIT
    return int(value)


class Messaging:
    """publish, history.getMessages, the SDK's receive filter and the replay buffers."""

    __slots__ = ("_bus", "_clock", "_parked", "_server", "_topics", "history")

    def __init__(self, clock: FakeClock, bus: EventBus, server: Server, topics: Topics) -> None:
        self._clock = clock
        self._bus = bus
        self._server = server
        self._topics = topics
        self.history = History()
        #: R-M22: per client whose link is down, the messages the server keeps for it
        self._parked: dict[ClientCore, deque[MessageEvent]] = {}
        bus.filters[MessageEvent] = self.receives
        bus.undelivered = self._late

    # ------------------------------------------------------------ publish

    def op_publish(
        self,
        core: ClientCore,
        row: Operation,
        channel_name: object,
        message: object,
        options: object,
    ) -> PublishResponse:
        """``publish`` to a MESSAGE channel or a user (R-M1..R-M4, R-M9, R-M22).

        Raises:
            RtmError: -10021, -10019 (channel type), -10025 (link), -10008 (name, also of
                a user), -11009 (message), -11010 (over 32768 bytes: IA alone, LE with
                the custom type), -11029 / -11030 (custom type), -15005 (history off,
                IA), -11033 (the user is offline).
        """
        operation = row.operation
        rate(core, row, self._clock)
        opts: Mapping[str, Any] = options if isinstance(options, Mapping) else {}
        to_user = check_publish_channel_type(operation, opts)
        require_link(core, operation, connected=True)
        name = check_channel_name(operation, channel_name, extended=core.extend_channel_name)
        payload, size = check_message(operation, message)
        custom = check_custom_type(operation, opts.get("customType"))
        store = js_truthy(opts.get("storeInHistory"))
        if store and not core.history_enabled:
            raise RtmError.sdk(
                operation,
                ErrorCode.HISTORY_NOT_AVAILABLE,
                name="RtmInvalidArgumentError",
                detail="storeInHistory while history is disabled (HISTORY_ENABLED)",
            )
        total = size + js_utf8_length(custom)
        if total > MAX_MESSAGE_BYTES:
            raise RtmError.sdk(
                operation,
                ErrorCode.CHANNEL_MESSAGE_LENGTH_EXCEED_LIMITATION,
                name=LIMIT_EXCEEDED,
                detail=f"the message and its custom type have {total} bytes, "
                f"over {MAX_MESSAGE_BYTES}",
            )
        app = core.app_id
        sessions = self._server.sessions
        now = self._clock.now_ms
        if to_user:
            target = sessions.get((app, name))
            if target is None:  # R-M4 [ours]: no logged-in client of that user
                raise RtmError.sdk(
                    operation,
                    ErrorCode.CHANNEL_RECEIVER_OFFLINE,
                    detail=f"user {name!r} has no logged-in client in app {app!r}",
                )
            with self._bus.operation():
                event = MessageEvent("USER", core.user_id, core.user_id, payload, custom, "", now)
                self._send(target, event)
                if store:
                    item = HistoryMessage(payload, core.user_id, custom, now)
                    self.history.store((app, "USER", core.user_id), item)
                    if name != core.user_id:
                        self.history.store((app, "USER", name), item)
            return PublishResponse(name)
        room = self._server.room((app, ChannelType.MESSAGE, name))
        with self._bus.operation():
            if room is not None:
                event = MessageEvent("MESSAGE", name, core.user_id, payload, custom, "", now)
                emit = self._bus.emit
                for uid, entry in room.members.items():
                    if entry.with_message:
                        target = sessions[(app, uid)]
                        if target.connected:
                            emit(target, event)
                        else:
                            self._park(target, event)
            if store:
                item = HistoryMessage(payload, core.user_id, custom, now)
                self.history.store((app, "MESSAGE", name), item)
        return PublishResponse(name)

    def _send(self, target: ClientCore, event: MessageEvent) -> None:
        if target.connected:
            self._bus.emit(target, event)
        else:
            self._park(target, event)

    # ------------------------------------------------------------ R-M22

    def _park(self, core: ClientCore, event: MessageEvent) -> None:
        """Keep a message for a client whose link is down (oldest dropped past the limit)."""
        parked = self._parked.get(core)
        if parked is None:
            parked = self._parked[core] = deque(maxlen=MESSAGE_REPLAY_LIMIT)
        parked.append(event)

    def _late(self, core: ClientCore, event: object) -> None:
        """A late message whose client's link is down when it falls due is kept like
        any other (R-M22, R-E9); anything else is dropped."""
        if (
            isinstance(event, MessageEvent)
            and event.channel_type != "STREAM"
            and core.session
            and self._server.sessions.get((core.app_id, core.user_id)) is core
        ):
            with self._bus.operation():
                self._park(core, event)

    def link_back(self, core: ClientCore) -> None:
        """The client's link is back: the messages kept for it are delivered, in order,
        stamped now (R-M22, R-M24); the SDK's filter applies as they arrive (R-M6)."""
        parked = self._parked.pop(core, None)
        if parked:
            now = self._clock.now_ms
            for event in parked:
                if self.receives(core, event):
                    self._bus.emit(core, event.stamped(now))

    def session_ended(self, core: ClientCore) -> None:
        """The server ended the client's session (logout, kick, timeout): what it kept
        for the client is lost (R-M22)."""
        self._parked.pop(core, None)

    def parked(self, core: ClientCore) -> int:
        """How many messages the server keeps for the client (0 when none)."""
        return len(self._parked.get(core, ()))

    # ------------------------------------------------------------ receive

    def receives(self, core: ClientCore, event: MessageEvent) -> bool:
        """The SDK's filter when a message arrives (R-M6): a channel message only while
        the channel's last requested subscribe options say ``withMessage``; a user
        message always; a topic message while its publisher is subscribed (R-M19)."""
        kind = event.channel_type
        if kind == "USER":
            return True
        if kind == "STREAM":
            return self._topics.receives(core, event)
        name = event.channel_name
        options = core.queued.get(name)
        if options is None:
            options = core.entered.get((ChannelType.MESSAGE, name))
        return options is not None and options.with_message

    # ------------------------------------------------------------ history

    def op_get_messages(
        self,
        core: ClientCore,
        row: Operation,
        channel_name: object,
        channel_type: object,
        options: object,
    ) -> GetMessagesResponse:
        """``history.getMessages`` (R-M10, R-M11).

        Raises:
            RtmError: -10021, -10019 (the type is neither ``MESSAGE`` nor ``USER``),
                -10025, -15005 (history off), -10008, -15004 (a user's history other
                than one's own), -15002 (a bad start/end range).
        """
        operation = row.operation
        rate(core, row, self._clock)
        kind = plain(channel_type) if isinstance(channel_type, str) else None
        if kind not in ("MESSAGE", "USER"):
            raise RtmError.sdk(
                operation,
                ErrorCode.INVALID_CHANNEL_TYPE,
                detail=f"channel type must be 'MESSAGE' or 'USER', got {show(channel_type)}",
            )
        require_link(core, operation, connected=True)
        if not core.history_enabled:
            raise RtmError.sdk(
                operation,
                ErrorCode.HISTORY_NOT_AVAILABLE,
                detail="history is disabled (HISTORY_ENABLED)",
            )
        name = check_channel_name(operation, channel_name)
        if kind == "USER" and name != core.user_id:
            raise RtmError.sdk(
                operation,
                ErrorCode.HISTORY_OPERATION_NOT_PERMITTED,
                detail=f"only one's own user history can be read, not {name!r}",
            )
        opts: Mapping[str, Any] = options if isinstance(options, Mapping) else {}
        start = _js_number(opts.get("start"))
        end = _js_number(opts.get("end"))
        if start > 0 and end > 0 and (start <= end or start - end > HISTORY_MAX_RANGE_MS):
            raise RtmError.sdk(
                operation,
                ErrorCode.HISTORY_INVALID_TIMESTAMP,
                detail=f"start {show(opts.get('start'))} must be newer than end "
                f"{show(opts.get('end'))} by at most {HISTORY_MAX_RANGE_MS} ms",
            )
        count = _page_size(opts.get("messageCount"))
        return self.history.query((core.app_id, kind, name), count, start, end)

    # ------------------------------------------------------------ checks

    def check(self) -> None:
        """Assert the replay buffers and the history agree (``check_invariants``)."""
        for core, parked in self._parked.items():
            assert parked and len(parked) <= MESSAGE_REPLAY_LIMIT, core.user_id
            assert core.session and not core.connected, core.user_id
            assert self._server.sessions.get((core.app_id, core.user_id)) is core
            assert all(e.channel_type != "STREAM" for e in parked), core.user_id
        self.history.check()
