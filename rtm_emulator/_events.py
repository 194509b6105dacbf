"""Events delivered to listeners: ``PresenceEvent`` and ``LinkStateEvent`` (api.md, "Events").

Frozen value classes compared with ``==``.  ``to_dict()`` gives the SDK's JSON
(``RTMEvents.PresenceEvent`` / ``RTMEvents.LinkStateEvent``); ``seq`` is the emulator's
global delivery order (R-E7) and is not part of the SDK shape.
"""

from __future__ import annotations

from typing import Any

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

__all__ = ["IntervalDetail", "LinkStateEvent", "PresenceEvent", "UserList"]


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
