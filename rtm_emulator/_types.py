"""Value types: enums, the read-only state map, and the SDK-shaped responses.

Everything here is a frozen attrs class (or a ``str`` enum) compared with ``==`` in
tests.  ``to_dict()`` gives the SDK's JSON with its exact camelCase keys
(``agora-rtm.d.ts`` of ``agora-rtm-sdk@2.3.0``); Python attributes are snake_case.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

import attrs

__all__ = [
    "ChannelDetail",
    "ChannelType",
    "GetOnlineUsersResponse",
    "GetStateResponse",
    "GetUserChannelsResponse",
    "JoinChannelResponse",
    "LeaveChannelResponse",
    "LinkOperation",
    "LinkState",
    "LinkStateReasonCode",
    "LoginResponse",
    "LogoutResponse",
    "OccupancyDetail",
    "PresenceEventType",
    "RemoveStateResponse",
    "SetStateResponse",
    "StateMap",
    "SubscribeResponse",
    "UnsubscribeResponse",
    "UserState",
    "WhereNowResponse",
    "WhoNowResponse",
]


class _StrEnum(enum.StrEnum):
    """A ``str`` enum whose ``str()`` is its value (as ``enum.StrEnum`` in 3.11)."""

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"

    #: hash as the value string (what ``==`` compares), in C: members are dict keys
    #: in every index, and ``Enum.__hash__`` is a Python-level call.
    __hash__ = str.__hash__


class ChannelType(_StrEnum):
    """Channel types that have presence (``"USER"`` has none and is rejected)."""

    MESSAGE = "MESSAGE"
    STREAM = "STREAM"


class PresenceEventType(_StrEnum):
    """The SDK's ``PresenceEventType`` values the emulator emits."""

    SNAPSHOT = "SNAPSHOT"
    INTERVAL = "INTERVAL"
    REMOTE_JOIN = "REMOTE_JOIN"
    REMOTE_LEAVE = "REMOTE_LEAVE"
    REMOTE_TIMEOUT = "REMOTE_TIMEOUT"
    REMOTE_STATE_CHANGED = "REMOTE_STATE_CHANGED"
    ERROR_OUT_OF_SERVICE = "ERROR_OUT_OF_SERVICE"


class LinkState(_StrEnum):
    """The SDK's ``LinkState`` values."""

    IDLE = "IDLE"
    CONNECTING = "CONNECTING"
    CONNECTED = "CONNECTED"
    DISCONNECTED = "DISCONNECTED"
    SUSPENDED = "SUSPENDED"
    FAILED = "FAILED"


class LinkOperation(_StrEnum):
    """The SDK's ``LinkOperation`` values (agora-rtm.d.ts 2.3.0)."""

    LOGIN = "LOGIN"
    LOGOUT = "LOGOUT"
    JOIN = "JOIN"
    LEAVE = "LEAVE"
    SERVER_REJECT = "SERVER_REJECT"
    AUTO_RECONNECT = "AUTO_RECONNECT"
    RECONNECTED = "RECONNECTED"
    HEARTBEAT_TIMEOUT = "HEARTBEAT_TIMEOUT"
    SERVER_TIMEOUT = "SERVER_TIMEOUT"
    NETWORK_CHANGE = "NETWORK_CHANGE"


class LinkStateReasonCode(_StrEnum):
    """The SDK's ``LinkStateChangeReason`` names (agora-rtm.js 2.3.0).

    ``description`` is the SDK's ``LinkStateChangeReasonDescription`` text for it.
    """

    UNKNOWN = "UNKNOWN"
    LOGIN = "LOGIN"
    LOGIN_SUCCESS = "LOGIN_SUCCESS"
    LOGIN_TIMEOUT = "LOGIN_TIMEOUT"
    LOGIN_NOT_AUTHORIZED = "LOGIN_NOT_AUTHORIZED"
    LOGIN_REJECTED = "LOGIN_REJECTED"
    RELOGIN = "RELOGIN"
    LOGOUT = "LOGOUT"
    AUTO_RECONNECT = "AUTO_RECONNECT"
    RECONNECT_TIMEOUT = "RECONNECT_TIMEOUT"
    RECONNECT_SUCCESS = "RECONNECT_SUCCESS"
    JOIN = "JOIN"
    JOIN_SUCCESS = "JOIN_SUCCESS"
    JOIN_FAILED = "JOIN_FAILED"
    REJOIN = "REJOIN"
    LEAVE = "LEAVE"
    INVALID_TOKEN = "INVALID_TOKEN"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    INCONSISTENT_APP_ID = "INCONSISTENT_APP_ID"
    INVALID_CHANNEL_NAME = "INVALID_CHANNEL_NAME"
    INVALID_USER_ID = "INVALID_USER_ID"
    NOT_INITIALIZED = "NOT_INITIALIZED"
    RTM_SERVICE_NOT_CONNECTED = "RTM_SERVICE_NOT_CONNECTED"
    CHANNEL_INSTANCE_EXCEED_LIMITATION = "CHANNEL_INSTANCE_EXCEED_LIMITATION"
    OPERATION_RATE_EXCEED_LIMITATION = "OPERATION_RATE_EXCEED_LIMITATION"
    CHANNEL_IN_ERROR_STATE = "CHANNEL_IN_ERROR_STATE"
    PRESENCE_NOT_CONNECTED = "PRESENCE_NOT_CONNECTED"
    SAME_UID_LOGIN = "SAME_UID_LOGIN"
    KICKED_OUT_BY_SERVER = "KICKED_OUT_BY_SERVER"
    KEEP_ALIVE_TIMEOUT = "KEEP_ALIVE_TIMEOUT"
    CONNECTION_ERROR = "CONNECTION_ERROR"
    PRESENCE_NOT_READY = "PRESENCE_NOT_READY"
    NETWORK_CHANGE = "NETWORK_CHANGE"
    SERVICE_NOT_SUPPORTED = "SERVICE_NOT_SUPPORTED"
    STREAM_CHANNEL_NOT_AVAILABLE = "STREAM_CHANNEL_NOT_AVAILABLE"
    STORAGE_NOT_AVAILABLE = "STORAGE_NOT_AVAILABLE"
    LOCK_NOT_AVAILABLE = "LOCK_NOT_AVAILABLE"
    LOGIN_TOO_FREQUENT = "LOGIN_TOO_FREQUENT"

    @property
    def description(self) -> str:
        """The SDK's human text for this reason code."""
        return _REASON_TEXT[self.value]


_REASON_TEXT = {
    "UNKNOWN": "Unknown",
    "LOGIN": "Perform login operation",
    "LOGIN_SUCCESS": "Login success",
    "LOGIN_TIMEOUT": "Login timeout",
    "LOGIN_NOT_AUTHORIZED": "Login not authorized",
    "LOGIN_REJECTED": "Login rejected",
    "RELOGIN": "Perform login operation again",
    "LOGOUT": "Logout success",
    "AUTO_RECONNECT": "Reconnecting",
    "RECONNECT_TIMEOUT": "Reconnect timeout",
    "RECONNECT_SUCCESS": "Reconnect success",
    "JOIN": "Perform join operation",
    "JOIN_SUCCESS": "Join channel success",
    "JOIN_FAILED": "Join channel failed",
    "REJOIN": "Perform join operation again",
    "LEAVE": "Leave channel success",
    "INVALID_TOKEN": "Invalid token",
    "TOKEN_EXPIRED": "Token expired",
    "INCONSISTENT_APP_ID": "Inconsistent app ID",
    "INVALID_CHANNEL_NAME": "Invalid channel name",
    "INVALID_USER_ID": "Invalid user id",
    "NOT_INITIALIZED": "Not initialized",
    "RTM_SERVICE_NOT_CONNECTED": "RTM service not connected",
    "CHANNEL_INSTANCE_EXCEED_LIMITATION": "Channel instance exceed limitation",
    "OPERATION_RATE_EXCEED_LIMITATION": "Operation rate exceed limitation",
    "CHANNEL_IN_ERROR_STATE": "Channel in error state",
    "PRESENCE_NOT_CONNECTED": "Presence not connected",
    "SAME_UID_LOGIN": "The same uid login on another device",
    "KICKED_OUT_BY_SERVER": "Kicked out by server",
    "KEEP_ALIVE_TIMEOUT": "Keep alive timeout",
    "CONNECTION_ERROR": "Connection error",
    "PRESENCE_NOT_READY": "Presence not ready",
    "NETWORK_CHANGE": "Network change",
    "SERVICE_NOT_SUPPORTED": "Service not supported",
    "STREAM_CHANNEL_NOT_AVAILABLE": "Stream channel not available",
    "STORAGE_NOT_AVAILABLE": "Storage service is not available",
    "LOCK_NOT_AVAILABLE": "Lock service is not available",
    "LOGIN_TOO_FREQUENT": "Login operation is too frequent",
}


class StateMap(dict[str, Any]):
    """A read-only ``dict`` of state keys to JSON values (the SDK's ``StateDetail``, R-S1).

    It compares equal to a plain ``dict`` and serialises as one, but refuses mutation
    (``TypeError``), so the emulator can share one object between its index, responses
    and events without copying.  ``dict(state_map)`` gives a mutable copy.
    """

    __slots__ = ()

    def _read_only(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError(f"{type(self).__name__} is read-only; copy it with dict(...) to change it")

    __setitem__ = _read_only
    __delitem__ = _read_only
    __ior__ = _read_only
    clear = _read_only
    pop = _read_only
    popitem = _read_only
    setdefault = _read_only
    update = _read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(repr(sorted(self.items())))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))


EMPTY_STATE = StateMap()


def as_state_map(value: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> StateMap:
    """Return ``value`` as a :class:`StateMap` (itself if it already is one)."""
    if isinstance(value, StateMap):
        return value
    if not value:
        return EMPTY_STATE
    return StateMap(value)


@attrs.frozen
class UserState:
    """One user and its state: the SDK's ``UserState`` / ``OccupancyDetail``."""

    user_id: str
    states: StateMap = attrs.field(converter=as_state_map, factory=StateMap)

    @property
    def states_count(self) -> int:
        """Number of state keys (``statesCount``)."""
        return len(self.states)

    def to_dict(self) -> dict[str, Any]:
        """``{"userId", "states", "statesCount"}``."""
        return {
            "userId": self.user_id,
            "states": dict(self.states),
            "statesCount": len(self.states),
        }


OccupancyDetail = UserState


@attrs.frozen
class LoginResponse:
    """Result of ``login``: ``{"timestamp"}``."""

    timestamp: int

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp}


@attrs.frozen
class LogoutResponse:
    """Result of ``logout``: ``{"timestamp"}``."""

    timestamp: int

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp}


@attrs.frozen
class SubscribeResponse:
    """Result of ``subscribe``: ``{"timestamp", "channelName"}``."""

    channel_name: str
    timestamp: int

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp, "channelName": self.channel_name}


@attrs.frozen
class UnsubscribeResponse:
    """Result of ``unsubscribe``: ``{"timestamp", "channelName"}``."""

    channel_name: str
    timestamp: int

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp, "channelName": self.channel_name}


@attrs.frozen
class JoinChannelResponse:
    """Result of a stream channel's ``join``: ``{"timestamp"}``."""

    timestamp: int

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp}


@attrs.frozen
class LeaveChannelResponse:
    """Result of a stream channel's ``leave``: ``{"timestamp"}``."""

    timestamp: int

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp}


@attrs.frozen
class GetOnlineUsersResponse:
    """Result of ``getOnlineUsers`` / ``whoNow`` (R-Q1..R-Q4).

    ``total_occupancy`` is the channel's occupancy for a count-only query, else the
    number of users on this page (R-Q4); ``next_page`` is ``""`` on the last page.
    """

    total_occupancy: int
    occupants: tuple[UserState, ...]
    next_page: str
    timestamp: int

    def to_dict(self) -> dict[str, Any]:
        """``{"timestamp", "totalOccupancy", "occupants", "nextPage"}``."""
        return {
            "timestamp": self.timestamp,
            "totalOccupancy": self.total_occupancy,
            "occupants": [o.to_dict() for o in self.occupants],
            "nextPage": self.next_page,
        }


WhoNowResponse = GetOnlineUsersResponse


@attrs.frozen
class ChannelDetail:
    """One channel of ``getUserChannels``: ``{"channelName", "channelType"}``."""

    channel_name: str
    channel_type: ChannelType

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"channelName": self.channel_name, "channelType": self.channel_type.value}


@attrs.frozen
class GetUserChannelsResponse:
    """Result of ``getUserChannels`` / ``whereNow`` (R-Q5)."""

    total_channel: int
    channels: tuple[ChannelDetail, ...]
    timestamp: int

    def to_dict(self) -> dict[str, Any]:
        """``{"timestamp", "totalChannel", "channels"}``."""
        return {
            "timestamp": self.timestamp,
            "totalChannel": self.total_channel,
            "channels": [c.to_dict() for c in self.channels],
        }


WhereNowResponse = GetUserChannelsResponse


@attrs.frozen
class SetStateResponse:
    """Result of ``setState``: ``{"timestamp"}``."""

    timestamp: int

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp}


@attrs.frozen
class RemoveStateResponse:
    """Result of ``removeState``: ``{"timestamp"}``."""

    timestamp: int

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp}


@attrs.frozen
class GetStateResponse:
    """Result of ``getState`` (R-Q6): ``{"timestamp", "userId", "states", "statesCount"}``."""

    user_id: str
    states: StateMap = attrs.field(converter=as_state_map)
    timestamp: int = 0

    @property
    def states_count(self) -> int:
        """Number of state keys (``statesCount``)."""
        return len(self.states)

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {
            "timestamp": self.timestamp,
            "userId": self.user_id,
            "states": dict(self.states),
            "statesCount": len(self.states),
        }
