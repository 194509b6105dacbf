"""The SDK-shaped values of the storage calls and the ``storage`` event (R-ST10, R-ST16).

Frozen attrs classes compared with ``==``.  ``to_dict()`` gives the SDK's JSON with its
camelCase keys in the order the 2.3.0 runtime builds each object (agora-rtm.js; the
d.ts names the fields).  A ``metadata`` object lists its keys as a JS object does:
integer-like keys first, ascending, then the others in the server's order (R-ST10).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import attrs

from ._js import js_key_order

__all__ = [
    "ChannelMetadataResponse",
    "GetChannelMetadataResponse",
    "GetUserMetadataResponse",
    "MetadataItem",
    "RemoveChannelMetadataResponse",
    "SetChannelMetadataResponse",
    "StorageData",
    "StorageEvent",
    "StorageEventType",
    "UpdateChannelMetadataResponse",
    "UserMetadataResponse",
    "UserMetadataSubscriptionResponse",
]


@attrs.frozen
class MetadataItem:
    """One metadata item as a get or an event shows it: ``{value, revision, updated,
    authorUid}`` (R-ST10; ``updated`` is 0 and ``author_uid`` ``""`` unless the write
    asked for ``addTimeStamp`` / ``addUserId``)."""

    value: str = ""
    revision: int = -1
    updated: int = 0
    author_uid: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {
            "value": self.value,
            "revision": self.revision,
            "updated": self.updated,
            "authorUid": self.author_uid,
        }


def _items(value: Any) -> tuple[tuple[str, MetadataItem], ...]:
    pairs = list(value.items()) if isinstance(value, dict) else list(value)
    return tuple(js_key_order(pairs))


@attrs.frozen
class StorageData:
    """A target's whole metadata: ``{totalCount, majorRevision, metadata}`` (R-ST16)."""

    major_revision: int = 0
    items: tuple[tuple[str, MetadataItem], ...] = attrs.field(converter=_items, factory=tuple)

    @property
    def total_count(self) -> int:
        """How many items (``totalCount``)."""
        return len(self.items)

    @property
    def metadata(self) -> dict[str, MetadataItem]:
        """key -> item, in the JS object's key order (R-ST10)."""
        return dict(self.items)

    def metadata_dict(self) -> dict[str, Any]:
        """``metadata`` as the SDK's JSON."""
        return {key: item.to_dict() for key, item in self.items}

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {
            "totalCount": self.total_count,
            "majorRevision": self.major_revision,
            "metadata": self.metadata_dict(),
        }


@attrs.frozen
class ChannelMetadataResponse:
    """Result of a channel metadata write (R-ST10): the names as passed, ``totalCount``
    and ``timestamp`` always 0."""

    channel_name: str
    channel_type: str
    timestamp: int = 0
    total_count: int = 0

    #: the runtime's key order
    _ORDER: ClassVar[tuple[str, ...]] = ("totalCount", "timestamp", "channelName", "channelType")

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape, in the runtime's key order."""
        values = {
            "totalCount": self.total_count,
            "timestamp": self.timestamp,
            "channelName": self.channel_name,
            "channelType": self.channel_type,
        }
        return {key: values[key] for key in self._ORDER}


class SetChannelMetadataResponse(ChannelMetadataResponse):
    """Result of ``setChannelMetadata``: ``{totalCount, timestamp, channelName, channelType}``."""


class RemoveChannelMetadataResponse(ChannelMetadataResponse):
    """Result of ``removeChannelMetadata``: as :class:`SetChannelMetadataResponse`."""


class UpdateChannelMetadataResponse(ChannelMetadataResponse):
    """Result of ``updateChannelMetadata``: ``{timestamp, totalCount, channelName,
    channelType}``."""

    _ORDER: ClassVar[tuple[str, ...]] = ("timestamp", "totalCount", "channelName", "channelType")


@attrs.frozen
class GetChannelMetadataResponse:
    """Result of ``getChannelMetadata``: ``{totalCount, majorRevision, metadata,
    timestamp, channelName, channelType}`` (R-ST10)."""

    channel_name: str
    channel_type: str
    data: StorageData = attrs.field(factory=StorageData)
    timestamp: int = 0

    @property
    def total_count(self) -> int:
        """How many items."""
        return self.data.total_count

    @property
    def major_revision(self) -> int:
        """The channel's ``majorRevision``."""
        return self.data.major_revision

    @property
    def metadata(self) -> dict[str, MetadataItem]:
        """key -> item, in the JS object's key order."""
        return self.data.metadata

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {
            "totalCount": self.total_count,
            "majorRevision": self.major_revision,
            "metadata": self.data.metadata_dict(),
            "timestamp": self.timestamp,
            "channelName": self.channel_name,
            "channelType": self.channel_type,
        }


@attrs.frozen
class UserMetadataResponse:
    """Result of a user metadata write: ``{timestamp, totalCount, userId}`` (R-ST10)."""

    user_id: str
    timestamp: int = 0
    total_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp, "totalCount": self.total_count, "userId": self.user_id}


@attrs.frozen
class GetUserMetadataResponse:
    """Result of ``getUserMetadata``: ``{timestamp, totalCount, majorRevision, metadata,
    userId}`` (R-ST10)."""

    user_id: str
    data: StorageData = attrs.field(factory=StorageData)
    timestamp: int = 0

    @property
    def total_count(self) -> int:
        """How many items."""
        return self.data.total_count

    @property
    def major_revision(self) -> int:
        """The user's ``majorRevision``."""
        return self.data.major_revision

    @property
    def metadata(self) -> dict[str, MetadataItem]:
        """key -> item, in the JS object's key order."""
        return self.data.metadata

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {
            "timestamp": self.timestamp,
            "totalCount": self.total_count,
            "majorRevision": self.major_revision,
            "metadata": self.data.metadata_dict(),
            "userId": self.user_id,
        }


@attrs.frozen
class UserMetadataSubscriptionResponse:
    """Result of ``subscribeUserMetadata`` / ``unsubscribeUserMetadata``: ``{timestamp,
    userId}``."""

    user_id: str
    timestamp: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp, "userId": self.user_id}


#: ``eventType`` values the 2.3.0 runtime emits (R-ST17).
StorageEventType = Literal["SNAPSHOT", "UPDATE"]


@attrs.frozen
class StorageEvent:
    """A ``storage`` event (the SDK's ``StorageEvent``, R-ST16, R-ST17).

    A channel's (``storage_type`` ``"CHANNEL"``, ``channel_type`` ``MESSAGE`` /
    ``STREAM``, ``publisher`` ``""``) or a user's (``"USER"``: ``channel_type`` ``"USER"``,
    ``channel_name`` ``""``, ``publisher`` the user whose metadata it is).  ``data`` is the
    target's whole metadata after the change; ``event_type`` is ``SNAPSHOT`` for the first
    event since subscribing, ``UPDATE`` after.  ``timestamp``: the clock when delivered.
    """

    storage_type: Literal["CHANNEL", "USER"]
    event_type: StorageEventType
    channel_type: str
    channel_name: str
    publisher: str
    data: StorageData
    timestamp: int = 0

    #: the listener event it is delivered to
    listener_name: ClassVar[str] = "storage"

    def stamped(self, timestamp: int) -> StorageEvent:
        """A copy delivered at ``timestamp``."""
        return attrs.evolve(self, timestamp=timestamp)

    def to_dict(self) -> dict[str, Any]:
        """The SDK's ``StorageEvent`` JSON, keys in the runtime's order."""
        if self.storage_type == "USER":
            return {
                "channelType": "USER",
                "channelName": "",
                "publisher": self.publisher,
                "storageType": "USER",
                "eventType": self.event_type,
                "data": self.data.to_dict(),
                "timestamp": self.timestamp,
            }
        return {
            "channelName": self.channel_name,
            "channelType": self.channel_type,
            "publisher": "",
            "storageType": "CHANNEL",
            "eventType": self.event_type,
            "data": self.data.to_dict(),
            "timestamp": self.timestamp,
        }
