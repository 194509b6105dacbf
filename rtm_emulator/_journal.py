"""The event journal: every delivered event with its recipient, in delivery order.

``emu.journal`` records each presence and link-state event at the moment a client's
listeners get it (events a client never gets, e.g. while disconnected, are not in it).
Iterating yields ``(recipient_user_id, event)`` pairs; :meth:`Journal.filter` narrows it;
:meth:`Journal.to_jsonl` exports it; :meth:`Journal.timeline` renders it for people.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any, Generic, Literal, overload

import attrs

from ._events import LinkStateEvent, PresenceEvent
from ._types import PresenceEventType

__all__ = ["Event", "Journal", "JournalEntry"]

#: Any event a listener receives (what an unfiltered journal holds).
Event = PresenceEvent | LinkStateEvent

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
    journal filtered with ``kind="presence"``; plain ``JournalEntry`` means either kind.
    """

    recipient: str
    app_id: str
    event: E
    delivered_at: int

    @property
    def kind(self) -> Literal["presence", "linkState"]:
        """``"presence"`` or ``"linkState"``: the listener name the event went to."""
        return "presence" if isinstance(self.event, PresenceEvent) else "linkState"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record: recipient, app, kind, delivery time, the SDK JSON (+ seq)."""
        body = self.event.to_dict()
        if isinstance(self.event, PresenceEvent):
            body["seq"] = self.event.seq
        return {
            "recipient": self.recipient,
            "appId": self.app_id,
            "kind": self.kind,
            "deliveredAt": self.delivered_at,
            "event": body,
        }


class Journal(Generic[E]):
    """An append-only, ordered record of delivered events (a read-only view if filtered).

    Generic in the event type for type checkers: ``emu.journal`` is a plain ``Journal``
    (either kind, ``Journal[PresenceEvent | LinkStateEvent]``); ``filter(kind="presence")``
    and the presence-only criteria give a ``Journal[PresenceEvent]``,
    ``filter(kind="linkState")`` a ``Journal[LinkStateEvent]``, so iterating one needs
    no ``isinstance`` or cast.
    """

    def __init__(self, entries: Iterable[JournalEntry[E]] = ()) -> None:
        self._entries: list[JournalEntry[E]] = list(entries)

    def record(self, entry: JournalEntry[Any]) -> None:
        """Append one delivery (the emulator calls this)."""
        self._entries.append(entry)

    def __iter__(self) -> Iterator[tuple[str, E]]:
        """The ``(recipient_user_id, event)`` pairs, in delivery order."""
        return ((e.recipient, e.event) for e in self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __repr__(self) -> str:
        return f"<Journal of {len(self._entries)} deliveries>"

    @property
    def entries(self) -> list[JournalEntry[E]]:
        """The entries themselves (a copy), with app id and delivery time."""
        return list(self._entries)

    def clear(self) -> None:
        """Forget everything recorded so far."""
        self._entries.clear()

    # The overloads type the result: ``kind="presence"`` or any presence-only criterion
    # (``channel``, ``channel_type``, ``event_type``, ``publisher``) keeps presence
    # events only; ``kind="linkState"`` keeps link-state events only (with a presence
    # criterion too, nothing: typed as link-state events, vacuously); otherwise the
    # journal keeps its own event type.

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
    ) -> Journal[LinkStateEvent]: ...
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
    ) -> Journal[Any]:
        """A new journal with the entries that match every given criterion.

        ``channel`` / ``channel_type`` / ``event_type`` / ``publisher`` only match presence
        events; ``event_type`` takes a ``PresenceEventType`` or its string; ``kind`` is
        ``"presence"`` or ``"linkState"``.  For type checkers the result is a
        ``Journal[PresenceEvent]`` with ``kind="presence"`` or a presence-only
        criterion, a ``Journal[LinkStateEvent]`` with ``kind="linkState"``, and of the
        same type as this journal otherwise.

        Raises:
            ValueError: for an unknown ``event_type``, ``channel_type`` or ``kind`` (a typo
                would otherwise silently match nothing).
        """
        if event_type is not None and str(event_type) not in PresenceEventType.__members__:
            raise ValueError(f"unknown event_type {event_type!r}")
        if channel_type is not None and str(channel_type) not in ("MESSAGE", "STREAM"):
            raise ValueError(f"unknown channel_type {channel_type!r} (MESSAGE or STREAM)")
        if kind is not None and kind not in ("presence", "linkState"):
            raise ValueError(f"unknown kind {kind!r} (presence or linkState)")

        def keep(entry: JournalEntry[E]) -> bool:
            event = entry.event
            if recipient is not None and entry.recipient != recipient:
                return False
            if app_id is not None and entry.app_id != app_id:
                return False
            if kind is not None and entry.kind != kind:
                return False
            wants_presence = any(
                v is not None for v in (channel, channel_type, event_type, publisher)
            )
            if not wants_presence:
                return True
            if not isinstance(event, PresenceEvent):
                return False
            return (
                (channel is None or event.channel_name == channel)
                and (channel_type is None or event.channel_type == channel_type)
                and (event_type is None or event.event_type == event_type)
                and (publisher is None or event.publisher == publisher)
            )

        return Journal(e for e in self._entries if keep(e))

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
        own link (``serviceType`` ``STREAM``) end with ``[STREAM <channel>]``.  Times are
        seconds from ``start_ms`` (default: the first delivery).
        """
        if not self._entries:
            return "(no events delivered)\n"
        origin = self._entries[0].delivered_at if start_ms is None else start_ms
        groups: dict[tuple[str, str, str], list[str]] = {}
        for entry in self._entries:
            event = entry.event
            at = f"+{(entry.delivered_at - origin) / 1000:.3f}s"
            if isinstance(event, PresenceEvent):
                key = (entry.app_id, event.channel_type.value, event.channel_name)
                what = _describe(event)
                line = f"  {at:>10}  #{event.seq:<5} -> {entry.recipient}: {what}"
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
        return "\n".join(out) + "\n"


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
