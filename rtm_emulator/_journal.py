"""The event journal: every delivered event with its recipient, in delivery order.

``emu.journal`` records each presence, link-state, message and topic event at the
moment a client's listeners get it (events a client never gets, e.g. while
disconnected, are not in it).
Iterating yields ``(recipient_user_id, event)`` pairs; :meth:`Journal.filter` narrows it;
:meth:`Journal.to_jsonl` exports it; :meth:`Journal.timeline` renders it for people.

A journal may have a retention bound (``Emulator(journal_max_entries=N)``): it then keeps
the newest ``N`` deliveries, dropping the oldest first (a ring: O(1) per delivery), and
counts what it dropped (:attr:`Journal.dropped`), which its ``repr``, its timeline and
the failure reports of ``assert_events`` and the pytest plugin say.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any, Generic, Literal, cast, get_args, overload

import attrs

from ._bus import Event as BusEvent
from ._errors import ConfigError
from ._events import LinkStateEvent, MessageEvent, PresenceEvent, TopicEvent
from ._ids import show
from ._lock_types import LockEvent
from ._message_types import encode_payload
from ._storage_types import StorageEvent
from ._token_types import TokenEvent, TokenWillExpireEvent
from ._types import PresenceEventType

__all__ = ["KINDS", "Event", "Journal", "JournalEntry", "Kind", "check_max_entries", "entry"]

#: Any event a listener receives (what an unfiltered journal holds): the bus's ``Event``.
Event = BusEvent
#: The listener event names, each event class's ``listener_name``.
Kind = Literal[
    "presence",
    "linkState",
    "message",
    "topic",
    "storage",
    "lock",
    "token",
    "tokenPrivilegeWillExpire",
]
#: The kinds in order (``Kind``'s values; the surface's fired event names, a test checks).
KINDS: tuple[Kind, ...] = get_args(Kind)

if TYPE_CHECKING:  # a TypeVar default (PEP 696) for type checkers; typing has it from 3.13
    from typing_extensions import TypeVar

    E = TypeVar("E", bound=Event, default=Event, covariant=True)
else:
    from typing import TypeVar

    E = TypeVar("E", bound=Event, covariant=True)


@attrs.frozen
class JournalEntry(Generic[E]):
    """One delivery: who got which event, in which app, when (fake clock, ms).

    Generic in the event type for type checkers: ``JournalEntry[PresenceEvent]`` in a
    journal filtered with ``kind="presence"``; plain ``JournalEntry`` means any kind.
    """

    recipient: str
    app_id: str
    event: E
    delivered_at: int

    @property
    def kind(self) -> Kind:
        """The listener name the event went to (the event class's ``listener_name``):
        ``"presence"``, ``"linkState"``, ``"message"`` or ``"topic"``."""
        return cast(Kind, self.event.listener_name)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record: recipient, app, kind, delivery time, the SDK JSON (+ seq).

        A binary message is written as the server's frames carry it,
        ``{"$": "bytes", "base64": B}``."""
        body = self.event.to_dict()
        if isinstance(self.event, PresenceEvent):
            body["seq"] = self.event.seq
        elif isinstance(body.get("message"), bytes):
            body["message"] = encode_payload(body["message"])
        return {
            "recipient": self.recipient,
            "appId": self.app_id,
            "kind": self.kind,
            "deliveredAt": self.delivered_at,
            "event": body,
        }


_new = object.__new__
_set_recipient, _set_app_id, _set_event, _set_delivered_at = (
    JournalEntry.__dict__[field.name].__set__ for field in attrs.fields(JournalEntry)
)
# ``entry`` names every field: a new field must be added there too
assert [f.name for f in attrs.fields(JournalEntry)] == [
    "recipient",
    "app_id",
    "event",
    "delivered_at",
]


def entry(recipient: str, app_id: str, event: Event, delivered_at: int) -> JournalEntry[Any]:
    """``JournalEntry(recipient, app_id, event, delivered_at)`` without the frozen class's
    per-field checks (the engine records one per delivery: the hot path)."""
    made: JournalEntry[Any] = _new(JournalEntry)
    _set_recipient(made, recipient)
    _set_app_id(made, app_id)
    _set_event(made, event)
    _set_delivered_at(made, delivered_at)
    return made


def check_max_entries(operation: str, value: object) -> int | None:
    """A journal's retention bound: ``None`` (unbounded) or an ``int`` from 1 to
    ``sys.maxsize`` (the most a ``deque`` can be bounded by).

    Raises:
        ConfigError: (a ``ValueError``) for anything else.
    """
    if value is not None and (type(value) is not int or not 1 <= value <= sys.maxsize):
        raise ConfigError.bad(
            operation,
            "journal_max_entries must be None (unbounded) or an int from 1 to "
            f"sys.maxsize, got {show(value)}",
        )
    return value


class Journal(Generic[E]):
    """An append-only, ordered record of delivered events (a read-only view if filtered).

    ``max_entries`` bounds it: past that many deliveries the oldest is dropped for each
    new one, and :attr:`dropped` counts them (``None``: it keeps everything).

    Generic in the event type for type checkers: ``emu.journal`` is a plain ``Journal``
    (any kind: presence, link-state, message and topic events); ``filter(kind=...)``
    gives a journal of that kind's class (``Journal[PresenceEvent]`` ...), and so do the
    presence criteria without a ``kind`` (``Journal[PresenceEvent]``) and ``topic``
    without a ``kind`` (``Journal[MessageEvent | TopicEvent]``), so iterating one needs
    no ``isinstance`` or cast.

    Raises:
        ConfigError: (a ``ValueError``) if ``max_entries`` is neither ``None`` nor an
            ``int`` >= 1.
    """

    def __init__(
        self, entries: Iterable[JournalEntry[E]] = (), *, max_entries: int | None = None
    ) -> None:
        self._max_entries = check_max_entries("Journal", max_entries)
        given = list(entries)
        self._entries: deque[JournalEntry[E]] = deque(given, maxlen=max_entries)
        self._dropped = len(given) - len(self._entries)

    def record(self, entry: JournalEntry[Any]) -> None:
        """Append one delivery (the emulator calls this); past the bound, the oldest
        entry is dropped and counted in :attr:`dropped`."""
        entries = self._entries
        if len(entries) == self._max_entries:
            self._dropped += 1
        entries.append(entry)

    def _view(self, entries: Iterable[JournalEntry[Any]]) -> Journal[Any]:
        """A journal of some of these entries that says what this one dropped."""
        view: Journal[Any] = Journal(entries, max_entries=self._max_entries)
        view._dropped = self._dropped
        return view

    def __iter__(self) -> Iterator[tuple[str, E]]:
        """The ``(recipient_user_id, event)`` pairs, in delivery order (of the entries
        there when iterating starts)."""
        return ((e.recipient, e.event) for e in list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __repr__(self) -> str:
        text = f"<Journal of {len(self._entries)} deliveries"
        if self._dropped:
            text += f"; {self._dropped} earlier dropped (journal_max_entries={self._max_entries})"
        return text + ">"

    @property
    def entries(self) -> list[JournalEntry[E]]:
        """The entries themselves (a copy), with app id and delivery time."""
        return list(self._entries)

    @property
    def max_entries(self) -> int | None:
        """The retention bound: how many deliveries it keeps (``None``: all)."""
        return self._max_entries

    @property
    def dropped(self) -> int:
        """How many deliveries the retention bound dropped, oldest first (0 when none).

        A filtered journal says what the journal it came from had dropped (of every
        recipient: which of them would have matched is not known).
        """
        return self._dropped

    def _dropped_note(self) -> str:
        """``"N earlier deliveries were dropped by the journal's retention bound
        (journal_max_entries=M)"``, or ``""`` when nothing was dropped."""
        n = self._dropped
        if not n:
            return ""
        were = "delivery was" if n == 1 else "deliveries were"
        return (
            f"{n} earlier {were} dropped by the journal's retention bound "
            f"(journal_max_entries={self._max_entries})"
        )

    def clear(self) -> None:
        """Forget everything recorded so far (and the count of dropped deliveries)."""
        self._entries.clear()
        self._dropped = 0

    # The overloads type the result: ``kind=...`` keeps that kind's events only (with a
    # criterion another kind's events have, nothing: typed as that kind, vacuously);
    # without a ``kind``, ``topic`` keeps message and topic events and the other
    # criteria (``channel``, ``channel_type``, ``event_type``, ``publisher``) presence
    # events, as before there were other kinds; otherwise the journal keeps its own type.

    @overload
    def filter(
        self,
        *,
        recipient: str | None = ...,
        channel: str | None = ...,
        channel_type: str | None = ...,
        event_type: str | None = ...,
        publisher: str | None = ...,
        app_id: str | None = ...,
        kind: Literal["presence"],
        topic: str | None = ...,
    ) -> Journal[PresenceEvent]: ...
    @overload
    def filter(
        self,
        *,
        recipient: str | None = ...,
        channel: str | None = ...,
        channel_type: str | None = ...,
        event_type: str | None = ...,
        publisher: str | None = ...,
        app_id: str | None = ...,
        kind: Literal["linkState"],
        topic: str | None = ...,
    ) -> Journal[LinkStateEvent]: ...
    @overload
    def filter(
        self,
        *,
        recipient: str | None = ...,
        channel: str | None = ...,
        channel_type: str | None = ...,
        event_type: str | None = ...,
        publisher: str | None = ...,
        app_id: str | None = ...,
        kind: Literal["message"],
        topic: str | None = ...,
    ) -> Journal[MessageEvent]: ...
    @overload
    def filter(
        self,
        *,
        recipient: str | None = ...,
        channel: str | None = ...,
        channel_type: str | None = ...,
        event_type: str | None = ...,
        publisher: str | None = ...,
        app_id: str | None = ...,
        kind: Literal["topic"],
        topic: str | None = ...,
    ) -> Journal[TopicEvent]: ...
    @overload
    def filter(
        self,
        *,
        recipient: str | None = ...,
        channel: str | None = ...,
        channel_type: str | None = ...,
        event_type: str | None = ...,
        publisher: str | None = ...,
        app_id: str | None = ...,
        kind: Literal["storage"],
        topic: str | None = ...,
    ) -> Journal[StorageEvent]: ...
    @overload
    def filter(
        self,
        *,
        recipient: str | None = ...,
        channel: str | None = ...,
        channel_type: str | None = ...,
        event_type: str | None = ...,
        publisher: str | None = ...,
        app_id: str | None = ...,
        kind: Literal["lock"],
        topic: str | None = ...,
    ) -> Journal[LockEvent]: ...
    @overload
    def filter(
        self,
        *,
        recipient: str | None = ...,
        channel: str | None = ...,
        channel_type: str | None = ...,
        event_type: str | None = ...,
        publisher: str | None = ...,
        app_id: str | None = ...,
        kind: None = ...,
        topic: str,
    ) -> Journal[MessageEvent | TopicEvent]: ...
    @overload
    def filter(
        self,
        *,
        recipient: str | None = ...,
        channel: str,
        channel_type: str | None = ...,
        event_type: str | None = ...,
        publisher: str | None = ...,
        app_id: str | None = ...,
        kind: None = ...,
        topic: None = ...,
    ) -> Journal[PresenceEvent]: ...
    @overload
    def filter(
        self,
        *,
        recipient: str | None = ...,
        channel: str | None = ...,
        channel_type: str,
        event_type: str | None = ...,
        publisher: str | None = ...,
        app_id: str | None = ...,
        kind: None = ...,
        topic: None = ...,
    ) -> Journal[PresenceEvent]: ...
    @overload
    def filter(
        self,
        *,
        recipient: str | None = ...,
        channel: str | None = ...,
        channel_type: str | None = ...,
        event_type: str,
        publisher: str | None = ...,
        app_id: str | None = ...,
        kind: None = ...,
        topic: None = ...,
    ) -> Journal[PresenceEvent]: ...
    @overload
    def filter(
        self,
        *,
        recipient: str | None = ...,
        channel: str | None = ...,
        channel_type: str | None = ...,
        event_type: str | None = ...,
        publisher: str,
        app_id: str | None = ...,
        kind: None = ...,
        topic: None = ...,
    ) -> Journal[PresenceEvent]: ...
    @overload
    def filter(
        self,
        *,
        recipient: str | None = ...,
        channel: str | None = ...,
        channel_type: str | None = ...,
        event_type: str | None = ...,
        publisher: str | None = ...,
        app_id: str | None = ...,
        kind: str | None = ...,
        topic: str | None = ...,
    ) -> Journal[E]: ...
    def filter(
        self,
        *,
        recipient: str | None = None,
        channel: str | None = None,
        channel_type: str | None = None,
        event_type: str | None = None,
        publisher: str | None = None,
        app_id: str | None = None,
        kind: str | None = None,
        topic: str | None = None,
    ) -> Journal[Any]:
        """A new journal with the entries that match every given criterion.

        ``kind`` is a listener name (``"presence"``, ``"linkState"``, ``"message"``,
        ``"topic"``).  ``channel`` (a message's ``channelName``: the publisher's user id
        for a ``USER`` message), ``channel_type`` (``MESSAGE``, ``STREAM``, ``USER``) and
        ``publisher`` match presence, message and topic events; ``event_type`` (a
        ``PresenceEventType`` or its string) presence and topic events; ``topic`` a
        topic message's ``topicName`` or a topic event's topics.  Without a ``kind``,
        ``topic`` selects message and topic events and the other criteria presence
        events.  For type checkers the result is a journal of the kind's class (see the
        class docstring).

        Raises:
            ValueError: for an unknown ``event_type``, ``channel_type`` or ``kind`` (a typo
                would otherwise silently match nothing).
        """
        if event_type is not None and str(event_type) not in PresenceEventType.__members__:
            raise ValueError(f"unknown event_type {event_type!r}")
        if channel_type is not None and str(channel_type) not in ("MESSAGE", "STREAM", "USER"):
            raise ValueError(f"unknown channel_type {channel_type!r} (MESSAGE, STREAM or USER)")
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r} ({', '.join(KINDS)})")
        wants_presence = any(v is not None for v in (channel, channel_type, event_type, publisher))
        if kind is not None:
            kinds: tuple[str, ...] = (kind,)
        elif topic is not None:
            kinds = ("message", "topic")
        elif wants_presence:
            kinds = ("presence",)
        else:
            kinds = KINDS

        def keep(entry: JournalEntry[E]) -> bool:
            event = entry.event
            if recipient is not None and entry.recipient != recipient:
                return False
            if app_id is not None and entry.app_id != app_id:
                return False
            if event.listener_name not in kinds:
                return False
            if not wants_presence and topic is None:
                return True
            if isinstance(event, (LinkStateEvent, TokenEvent, TokenWillExpireEvent)):
                return False
            if topic is not None and not _has_topic(event, topic):
                return False
            if isinstance(event, (StorageEvent, LockEvent)) and topic is not None:
                return False
            if event_type is not None and (
                isinstance(event, MessageEvent) or event.event_type != event_type
            ):
                return False
            return (
                (channel is None or event.channel_name == channel)
                and (channel_type is None or event.channel_type == channel_type)
                and (publisher is None or event.publisher == publisher)
            )

        return self._view(e for e in self._entries if keep(e))

    def to_jsonl(self, file: IO[str] | None = None) -> str:
        """The journal as JSON Lines (one entry a line); also written to ``file`` if given."""
        text = "".join(
            json.dumps(e.to_dict(), sort_keys=True, ensure_ascii=False) + "\n"
            for e in self._entries
        )
        if file is not None:
            file.write(text)
        return text

    def timeline(self, *, start_ms: int | None = None) -> str:
        """A per-channel timeline for people: one line per delivery, channels in order.

        Link-state events are listed under ``(link state)``; those of a stream channel's
        own link (``serviceType`` ``STREAM``) end with ``[STREAM <channel>]``.  Messages
        and topic events are listed under their channel, a user's messages under
        ``<recipient> (USER)``.  Times are
        seconds from ``start_ms`` (default: the first delivery kept).  When the retention
        bound dropped deliveries, the first line says how many.
        """
        note = self._dropped_note()
        head = f"({note})\n" if note else ""
        if not self._entries:
            return head or "(no events delivered)\n"
        origin = self._entries[0].delivered_at if start_ms is None else start_ms
        groups: dict[tuple[str, str, str], list[str]] = {}
        for entry in self._entries:
            event = entry.event
            at = f"+{(entry.delivered_at - origin) / 1000:.3f}s"
            if isinstance(event, PresenceEvent):
                key = (entry.app_id, event.channel_type.value, event.channel_name)
                what = _describe(event)
                line = f"  {at:>10}  #{event.seq:<5} -> {entry.recipient}: {what}"
            elif isinstance(event, (MessageEvent, TopicEvent)):
                name = event.channel_name
                if isinstance(event, MessageEvent) and event.channel_type == "USER":
                    name = entry.recipient
                key = (entry.app_id, event.channel_type, name)
                line = f"  {at:>10}         -> {entry.recipient}: {_describe_other(event)}"
            elif isinstance(event, StorageEvent):
                # R-ST16: a user's metadata under "<user> (USER)"
                name = event.publisher if event.storage_type == "USER" else event.channel_name
                key = (entry.app_id, event.channel_type, name)
                data = event.data
                what = (
                    f"storage {event.event_type} {event.storage_type} rev {data.major_revision}"
                    f" ({data.total_count} item{'' if data.total_count == 1 else 's'})"
                )
                line = f"  {at:>10}         -> {entry.recipient}: {what}"
            elif isinstance(event, LockEvent):
                key = (entry.app_id, event.channel_type, event.channel_name)
                what = f"lock {event.event_type} {event.lock_name}".rstrip()
                if event.event_type == "SNAPSHOT":
                    what += (
                        f" ({len(event.snapshot)} lock{'' if len(event.snapshot) == 1 else 's'})"
                    )
                elif event.owner:
                    what += f" by {event.owner}"
                line = f"  {at:>10}         -> {entry.recipient}: {what}"
            elif isinstance(event, (TokenEvent, TokenWillExpireEvent)):
                # R-TK10, R-TK12: a notice about the client's own token goes with its link
                key = (entry.app_id, "~", "(link state)")
                what = (
                    f"token {event.event_type}"
                    if isinstance(event, TokenEvent)
                    else f"tokenPrivilegeWillExpire {event.channel_name!r}"
                )
                line = f"  {at:>10}         -> {entry.recipient}: {what}"
            else:
                key = (entry.app_id, "~", "(link state)")
                line = (
                    f"  {at:>10}         -> {entry.recipient}: {event.previous_state.value} -> "
                    f"{event.current_state.value} ({event.reason_code.value})"
                )
                if event.service_type != "MESSAGE":  # a stream channel's own link (R-T4)
                    line += f" [{event.service_type} {', '.join(event.affected_channels)}]"
            groups.setdefault(key, []).append(line)
        out = []
        for app, ctype, name in sorted(groups):
            title = name if ctype == "~" else f"{name} ({ctype})"
            out.append(f"{title} [app {app}]")
            out.extend(groups[(app, ctype, name)])
        return head + "\n".join(out) + "\n"


def _has_topic(event: Event, topic: str) -> bool:
    """A topic message of ``topic``, or a topic event naming it."""
    if isinstance(event, MessageEvent):
        return event.channel_type == "STREAM" and event.topic_name == topic
    if isinstance(event, TopicEvent):
        return any(info.topic_name == topic for info in event.topic_infos)
    return False


def _describe_other(event: MessageEvent | TopicEvent) -> str:
    if isinstance(event, TopicEvent):
        shown = ", ".join(
            f"{t.topic_name}: {[p.publisher_user_id for p in t.publishers]}"
            for t in event.topic_infos
        )
        return f"TOPIC {event.event_type.value} {event.publisher} [{shown}]".replace("  ", " ")
    where = f" in {event.topic_name}" if event.topic_name else ""
    custom = f" ({event.custom_type})" if event.custom_type else ""
    return f"message from {event.publisher}{where}{custom}: {show(event.message)}"


def _describe(event: PresenceEvent) -> str:
    kind = event.event_type.value
    if kind == "SNAPSHOT":  # rev 2: other events carry ``snapshot == ()``, not None
        shown = ", ".join(
            u.user_id + (f" {dict(u.states)}" if u.states else "") for u in event.snapshot or ()
        )
        return f"SNAPSHOT [{shown}]"
    if kind == "INTERVAL" and event.interval is not None:
        i = event.interval
        parts = [f"total={i.total_occupancy}"]
        for label, group in (("join", i.join), ("leave", i.leave), ("timeout", i.timeout)):
            if group.users:
                parts.append(f"{label}={list(group.users)}")
        if i.user_state_list:
            parts.append("states=" + str({u.user_id: dict(u.states) for u in i.user_state_list}))
        return "INTERVAL " + " ".join(parts)
    if kind == "REMOTE_STATE_CHANGED":
        return f"{kind} {event.publisher} {dict(event.state_changed)}"
    return f"{kind} {event.publisher}".rstrip()
