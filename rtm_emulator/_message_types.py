"""The SDK-shaped responses of the messaging calls (R-M2, R-M11, R-M13..R-M18).

Frozen attrs classes compared with ``==``, like the presence responses of ``_types``.
``to_dict()`` gives the SDK's JSON with its camelCase keys in the order the 2.3.0 runtime
builds the object (``agora-rtm.js``; the d.ts names the fields); Python attributes are
snake_case.  A binary message stays ``bytes`` in ``to_dict()``.
"""

from __future__ import annotations

import base64
from typing import Any, Final, Literal

import attrs

__all__ = [
    "BYTES_TAG",
    "GetMessagesResponse",
    "GetSubscribedUserListResponse",
    "HistoryMessage",
    "JoinTopicResponse",
    "LeaveTopicResponse",
    "PublishResponse",
    "PublishTopicMessageResponse",
    "SubscribeTopicResponse",
    "SubscribedFailedReason",
    "UnsubscribeTopicResponse",
    "encode_payload",
]

#: The ``"$"`` of a binary message written as JSON (the server's frames, the journal's
#: JSON Lines): ``{"$": "bytes", "base64": "AQID"}``.
BYTES_TAG: Final = "bytes"


def encode_payload(message: str | bytes) -> str | dict[str, str]:
    """A message as JSON carries it: text as it is, bytes as
    ``{"$": "bytes", "base64": B}`` (never raises)."""
    if isinstance(message, str):
        return message
    return {"$": BYTES_TAG, "base64": base64.b64encode(message).decode("ascii")}


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class PublishResponse:
    """Result of ``publish`` (R-M2): ``{"timestamp", "channelName"}``; ``channel_name`` is
    the name given (the target user id for a ``USER`` message)."""

    channel_name: str
    timestamp: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp, "channelName": self.channel_name}


@attrs.frozen
class HistoryMessage:
    """One stored message of ``getMessages`` (R-M11).

    ``timestamp`` is the emulator clock when the server received the publish (R-M24);
    ``custom_type`` is ``""`` when the publisher gave none.
    """

    message: str | bytes
    publisher: str
    custom_type: str = ""
    timestamp: int = 0

    @property
    def message_type(self) -> Literal["STRING", "BINARY"]:
        """``"STRING"`` for text, ``"BINARY"`` for bytes (``messageType``)."""
        return "STRING" if isinstance(self.message, str) else "BINARY"

    def to_dict(self) -> dict[str, Any]:
        """``{"message", "customType", "messageType", "publisher", "timestamp"}``."""
        return {
            "message": self.message,
            "customType": self.custom_type,
            "messageType": self.message_type,
            "publisher": self.publisher,
            "timestamp": self.timestamp,
        }


def _history(value: Any) -> tuple[HistoryMessage, ...]:
    return tuple(value)


@attrs.frozen
class GetMessagesResponse:
    """Result of ``history.getMessages`` (R-M10, R-M11): newest first; ``new_start`` is
    the ``start`` of the next page when more messages remain, else 0."""

    message_list: tuple[HistoryMessage, ...] = attrs.field(converter=_history, factory=tuple)
    new_start: int = 0
    timestamp: int = 0

    @property
    def count(self) -> int:
        """Number of messages returned (``count``)."""
        return len(self.message_list)

    def to_dict(self) -> dict[str, Any]:
        """``{"messageList", "count", "newStart", "timestamp"}``."""
        return {
            "messageList": [m.to_dict() for m in self.message_list],
            "count": len(self.message_list),
            "newStart": self.new_start,
            "timestamp": self.timestamp,
        }


@attrs.frozen
class JoinTopicResponse:
    """Result of ``joinTopic`` (R-M13): ``{"timestamp", "topicName"}``."""

    topic_name: str
    timestamp: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp, "topicName": self.topic_name}


@attrs.frozen
class LeaveTopicResponse:
    """Result of ``leaveTopic`` (R-M14): ``{"timestamp", "topicName"}``."""

    topic_name: str
    timestamp: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp, "topicName": self.topic_name}


@attrs.frozen
class PublishTopicMessageResponse:
    """Result of ``publishTopicMessage`` (R-M18): ``{"timestamp", "topicName"}``."""

    topic_name: str
    timestamp: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp, "topicName": self.topic_name}


@attrs.frozen
class SubscribedFailedReason:
    """One user ``subscribeTopic`` did not take (R-M15): ``error_code`` 4 for an invalid
    user id, 20003 past the 64 users of a topic."""

    user: str
    error_code: int
    topic_name: str
    timestamp: int = 0

    def to_dict(self) -> dict[str, Any]:
        """``{"user", "errorCode", "timestamp", "topicName"}``."""
        return {
            "user": self.user,
            "errorCode": self.error_code,
            "timestamp": self.timestamp,
            "topicName": self.topic_name,
        }


def _reasons(value: Any) -> tuple[SubscribedFailedReason, ...]:
    return tuple(value)


@attrs.frozen
class SubscribeTopicResponse:
    """Result of ``subscribeTopic`` (R-M15)."""

    topic_name: str
    succeed_users: tuple[str, ...] = attrs.field(converter=_strings, factory=tuple)
    failed_users: tuple[str, ...] = attrs.field(converter=_strings, factory=tuple)
    failed_details: tuple[SubscribedFailedReason, ...] = attrs.field(
        converter=_reasons, factory=tuple
    )
    timestamp: int = 0

    def to_dict(self) -> dict[str, Any]:
        """``{"failedUsers", "failedDetails", "succeedUsers", "timestamp", "topicName"}``."""
        return {
            "failedUsers": list(self.failed_users),
            "failedDetails": [d.to_dict() for d in self.failed_details],
            "succeedUsers": list(self.succeed_users),
            "timestamp": self.timestamp,
            "topicName": self.topic_name,
        }


@attrs.frozen
class UnsubscribeTopicResponse:
    """Result of ``unsubscribeTopic`` (R-M16): ``{"timestamp"}`` only."""

    timestamp: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp}


@attrs.frozen
class GetSubscribedUserListResponse:
    """Result of ``getSubscribedUserList`` (R-M17): subscribed users, then pre-subscribed
    ones."""

    topic_name: str
    subscribed: tuple[str, ...] = attrs.field(converter=_strings, factory=tuple)
    timestamp: int = 0

    def to_dict(self) -> dict[str, Any]:
        """``{"subscribed", "timestamp", "topicName"}``."""
        return {
            "subscribed": list(self.subscribed),
            "timestamp": self.timestamp,
            "topicName": self.topic_name,
        }
