"""Events delivered to listeners: ``PresenceEvent``, ``LinkStateEvent``, ``MessageEvent``
and ``TopicEvent`` (api.md, "Events").

Frozen value classes compared with ``==``.  ``to_dict()`` gives the SDK's JSON
(``RTMEvents.PresenceEvent`` / ``LinkStateEvent`` / ``MessageEvent`` / ``TopicEvent``, keys
in the order the 2.3.0 runtime builds them); ``seq`` is the emulator's global delivery
order of presence events (R-E7) and is not part of the SDK shape.

Each class names the listener event it is delivered to in one place, its class attribute
``listener_name`` (``"presence"``, ``"linkState"``, ``"message"``, ``"topic"``): the bus,
the journal and the adapters read it there.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar, Literal

import attrs

from ._types import (
    ChannelType,
    LinkOperation,
    LinkState,
    LinkStateReasonCode,
    PresenceEventType,
    StateMap,
    UserState,
    as_state_map,
)

__all__ = [
    "EVENT_CLASSES",
    "Change",
    "DocEvent",
    "IntervalDetail",
    "LinkStateEvent",
    "MessageChannelType",
    "MessageEvent",
    "PresenceEvent",
    "PublisherInfo",
    "TopicEvent",
    "TopicEventType",
    "TopicInfo",
    "UserList",
]


def _users(value: Any) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class UserList:
    """A list of user ids and its length: ``{"users", "userCount"}``."""

    users: tuple[str, ...] = attrs.field(converter=_users, factory=tuple)

    @property
    def user_count(self) -> int:
        """Number of users (``userCount``)."""
        return len(self.users)

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"users": list(self.users), "userCount": len(self.users)}


def _user_states(value: Any) -> tuple[UserState, ...]:
    return tuple(value)


@attrs.frozen
class IntervalDetail:
    """What one interval-mode period aggregates (R-E5)."""

    join: UserList = attrs.field(factory=UserList)
    leave: UserList = attrs.field(factory=UserList)
    timeout: UserList = attrs.field(factory=UserList)
    user_state_list: tuple[UserState, ...] = attrs.field(converter=_user_states, factory=tuple)
    total_occupancy: int = 0

    def to_dict(self) -> dict[str, Any]:
        """``{"join", "leave", "timeout", "userStateList", "totalOccupancy"}``."""
        return {
            "join": self.join.to_dict(),
            "leave": self.leave.to_dict(),
            "timeout": self.timeout.to_dict(),
            "userStateList": [u.to_dict() for u in self.user_state_list],
            "totalOccupancy": self.total_occupancy,
        }


def _snapshot(value: Any) -> tuple[UserState, ...]:
    return () if value is None else tuple(value)


@attrs.frozen
class PresenceEvent:
    """A presence event as a listener receives it (the SDK's ``PresenceEvent``).

    ``state_changed`` is the publisher's full state for ``REMOTE_STATE_CHANGED`` and
    ``{}`` otherwise; ``interval`` is set only for ``INTERVAL``; ``snapshot`` is empty
    except for ``SNAPSHOT`` (every document with full states, ordered by user id).
    """

    event_type: PresenceEventType
    channel_type: ChannelType
    channel_name: str
    publisher: str
    state_changed: StateMap = attrs.field(converter=as_state_map, factory=StateMap)
    interval: IntervalDetail | None = None
    snapshot: tuple[UserState, ...] = attrs.field(converter=_snapshot, factory=tuple)
    timestamp: int = 0
    seq: int = 0

    #: the listener event it is delivered to
    listener_name: ClassVar[str] = "presence"

    def with_seq(self, seq: int) -> PresenceEvent:
        """A copy numbered ``seq`` (fan-out copies one event per recipient; no re-validation)."""
        # straight-line writes through the slots' own descriptors (the frozen
        # ``__setattr__`` is bypassed, as attrs itself does in ``__init__``): this runs
        # once per recipient, so no loop and no re-validation
        new = _new(PresenceEvent)
        _set_event_type(new, self.event_type)
        _set_channel_type(new, self.channel_type)
        _set_channel_name(new, self.channel_name)
        _set_publisher(new, self.publisher)
        _set_state_changed(new, self.state_changed)
        _set_interval(new, self.interval)
        _set_snapshot(new, self.snapshot)
        _set_timestamp(new, self.timestamp)
        _set_seq(new, seq)
        return new

    def to_dict(self) -> dict[str, Any]:
        """The SDK's ``PresenceEvent`` JSON (without ``seq``)."""
        return {
            "eventType": self.event_type.value,
            "channelType": self.channel_type.value,
            "channelName": self.channel_name,
            "publisher": self.publisher,
            "stateChanged": dict(self.state_changed),
            "interval": None if self.interval is None else self.interval.to_dict(),
            "snapshot": [u.to_dict() for u in self.snapshot],
            "timestamp": self.timestamp,
        }


_new = object.__new__
(
    _set_event_type,
    _set_channel_type,
    _set_channel_name,
    _set_publisher,
    _set_state_changed,
    _set_interval,
    _set_snapshot,
    _set_timestamp,
    _set_seq,
) = (PresenceEvent.__dict__[field.name].__set__ for field in attrs.fields(PresenceEvent))
# ``with_seq`` names every field: a new field must be added there too
assert [f.name for f in attrs.fields(PresenceEvent)] == [
    "event_type",
    "channel_type",
    "channel_name",
    "publisher",
    "state_changed",
    "interval",
    "snapshot",
    "timestamp",
    "seq",
]


def _names(value: Any) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class LinkStateEvent:
    """A change of the client's connection state (the SDK's ``LinkStateEvent``, R-T4)."""

    current_state: LinkState
    previous_state: LinkState
    operation: LinkOperation
    reason_code: LinkStateReasonCode
    reason: str = ""
    service_type: str = "MESSAGE"
    affected_channels: tuple[str, ...] = attrs.field(converter=_names, factory=tuple)
    unrestored_channels: tuple[str, ...] = attrs.field(converter=_names, factory=tuple)
    is_resumed: bool = False
    timestamp: int = 0

    #: the listener event it is delivered to
    listener_name: ClassVar[str] = "linkState"

    def to_dict(self) -> dict[str, Any]:
        """The SDK's ``LinkStateEvent`` JSON."""
        return {
            "currentState": self.current_state.value,
            "previousState": self.previous_state.value,
            "serviceType": self.service_type,
            "operation": self.operation.value,
            "reason": self.reason,
            "reasonCode": self.reason_code.value,
            "affectedChannels": list(self.affected_channels),
            "unrestoredChannels": list(self.unrestored_channels),
            "isResumed": self.is_resumed,
            "timestamp": self.timestamp,
        }


# ------------------------------------------------------------------ messaging

#: The channel type a message event names: ``MESSAGE`` and ``USER`` (R-M7), ``STREAM``
#: for a topic message (R-M19).
MessageChannelType = Literal["MESSAGE", "USER", "STREAM"]


@attrs.frozen
class MessageEvent:
    """A message as a listener receives it (the SDK's ``MessageEvent``; R-M7, R-M19).

    ``message`` is a ``str`` (``messageType`` ``"STRING"``) or ``bytes`` (``"BINARY"``);
    ``custom_type`` is ``""`` when the publisher gave none; ``topic_name`` is ``""``
    except for a topic message (``channel_type`` ``"STREAM"``).  For a ``USER`` message
    ``channel_name`` is the publisher's user id (R-M23).  ``timestamp`` is the emulator
    clock when the message reached the listener (R-M24).  The SDK's ``publishTime`` is
    never set by the 2.3.0 runtime, so there is none.
    """

    channel_type: MessageChannelType
    channel_name: str
    publisher: str
    message: str | bytes
    custom_type: str = ""
    topic_name: str = ""
    timestamp: int = 0

    #: the listener event it is delivered to
    listener_name: ClassVar[str] = "message"

    @property
    def message_type(self) -> Literal["STRING", "BINARY"]:
        """``"STRING"`` for a text message, ``"BINARY"`` for bytes (``messageType``)."""
        return "STRING" if isinstance(self.message, str) else "BINARY"

    def stamped(self, timestamp: int) -> MessageEvent:
        """A copy delivered at ``timestamp`` (a late or replayed delivery, R-M22, R-M24)."""
        return attrs.evolve(self, timestamp=timestamp)

    def to_dict(self) -> dict[str, Any]:
        """The SDK's ``MessageEvent`` JSON, keys in the runtime's order: a channel or user
        message's (R-M7) or a topic message's (R-M19).  A binary ``message`` stays
        ``bytes`` (each adapter writes it its own way)."""
        if self.channel_type == "STREAM":
            return {
                "channelName": self.channel_name,
                "channelType": "STREAM",
                "topicName": self.topic_name,
                "message": self.message,
                "publisher": self.publisher,
                "messageType": self.message_type,
                "customType": self.custom_type,
                "timestamp": self.timestamp,
            }
        return {
            "channelName": self.channel_name,
            "publisher": self.publisher,
            "message": self.message,
            "messageType": self.message_type,
            "customType": self.custom_type,
            "channelType": self.channel_type,
            "topicName": self.topic_name,
            "timestamp": self.timestamp,
        }


class TopicEventType(enum.StrEnum):
    """The SDK's ``TopicEventType`` (R-M20; ``NONE`` is never emitted)."""

    NONE = "NONE"
    REMOTE_JOIN = "REMOTE_JOIN"
    REMOTE_LEAVE = "REMOTE_LEAVE"
    SNAPSHOT = "SNAPSHOT"

    def __str__(self) -> str:
        return str(self.value)


@attrs.frozen
class PublisherInfo:
    """One publisher of a topic: ``{"publisherUserId", "publisherMeta"}`` (R-M13: the
    2.3.0 runtime discards a topic's meta, so ``publisherMeta`` is always ``""``)."""

    publisher_user_id: str
    publisher_meta: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"publisherUserId": self.publisher_user_id, "publisherMeta": self.publisher_meta}


def _publishers(value: Any) -> tuple[PublisherInfo, ...]:
    return tuple(value)


@attrs.frozen
class TopicInfo:
    """One topic of a ``TopicEvent``: ``{"publishers", "topicName", "totalPublisher"}``."""

    topic_name: str
    publishers: tuple[PublisherInfo, ...] = attrs.field(converter=_publishers, factory=tuple)

    @property
    def total_publisher(self) -> int:
        """Number of publishers listed (``totalPublisher``)."""
        return len(self.publishers)

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {
            "publishers": [p.to_dict() for p in self.publishers],
            "topicName": self.topic_name,
            "totalPublisher": len(self.publishers),
        }


def _topic_infos(value: Any) -> tuple[TopicInfo, ...]:
    return tuple(value)


@attrs.frozen
class TopicEvent:
    """A stream channel's topic event (the SDK's ``TopicEvent``, R-M20).

    ``SNAPSHOT`` (``publisher ""``) lists every topic other members publish in the
    channel, once after the client joins it; ``REMOTE_JOIN`` / ``REMOTE_LEAVE`` name one
    user and one topic.  Nobody gets a topic event about itself.  ``timestamp`` is the
    emulator clock when the event reached the listener.
    """

    event_type: TopicEventType
    channel_name: str
    publisher: str
    topic_infos: tuple[TopicInfo, ...] = attrs.field(converter=_topic_infos, factory=tuple)
    timestamp: int = 0

    #: the listener event it is delivered to
    listener_name: ClassVar[str] = "topic"
    #: topic events belong to stream channels (not an SDK key: for journal filters)
    channel_type: ClassVar[str] = "STREAM"

    @property
    def total_topics(self) -> int:
        """Number of topics listed (``totalTopics``)."""
        return len(self.topic_infos)

    def stamped(self, timestamp: int) -> TopicEvent:
        """A copy delivered at ``timestamp`` (a late delivery)."""
        return attrs.evolve(self, timestamp=timestamp)

    def to_dict(self) -> dict[str, Any]:
        """The SDK's ``TopicEvent`` JSON, keys in the runtime's order."""
        return {
            "eventType": self.event_type.value,
            "channelName": self.channel_name,
            "publisher": self.publisher,
            "topicInfos": [t.to_dict() for t in self.topic_infos],
            "totalTopics": len(self.topic_infos),
            "timestamp": self.timestamp,
        }


#: One document change as a real SDK's store reports it (D-RS3): (document, path, type,
#: value).
Change = tuple[str, str, str, Any]


@attrs.frozen
class DocEvent:
    """One batch of document changes for a real SDK's replica of a channel (D-RS3).

    ``channel`` is the SDK's prefixed name (``room``, ``*s*stage``); ``changes`` are
    ``(document, path, type, value)``: ``path`` ``""`` is the whole document, ``type``
    ``Put``, ``Delete`` or ``DocSyncEnd``.
    """

    channel: str
    changes: tuple[Change, ...]

    listener_name: ClassVar[str] = "doc"

    def to_dict(self) -> dict[str, Any]:
        """``{"channel", "events": [{"document", "path", "type", "value"}, ...]}``."""
        return {
            "channel": self.channel,
            "events": [
                {"document": d, "path": p, "type": t, "value": v} for d, p, t, v in self.changes
            ],
        }


#: Every event class a listener can receive, by its listener event name.
EVENT_CLASSES: dict[str, type[PresenceEvent | LinkStateEvent | MessageEvent | TopicEvent]] = {
    cls.listener_name: cls for cls in (PresenceEvent, LinkStateEvent, MessageEvent, TopicEvent)
}
