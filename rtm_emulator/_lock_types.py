"""The SDK-shaped values of the lock calls and the ``lock`` event (R-LK10, R-LK15, R-LK16).

Frozen attrs classes compared with ``==``.  ``to_dict()`` gives the SDK's JSON with its
camelCase keys in the order the 2.3.0 runtime builds each object (agora-rtm.js: the
lock client's resolved values and ``_onLockEvent``; the d.ts names the fields).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import attrs

__all__ = [
    "AcquireLockResponse",
    "GetLockResponse",
    "LockDetail",
    "LockEvent",
    "LockEventType",
    "LockResponse",
]


@attrs.frozen
class LockResponse:
    """Result of ``setLock`` / ``removeLock`` / ``releaseLock`` / ``revokeLock``:
    ``{timestamp, channelName, channelType, lockName}`` (R-LK10; names as passed,
    ``timestamp`` always 0)."""

    channel_name: str
    channel_type: str
    lock_name: str
    timestamp: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape, in the runtime's key order."""
        return {
            "timestamp": self.timestamp,
            "channelName": self.channel_name,
            "channelType": self.channel_type,
            "lockName": self.lock_name,
        }


@attrs.frozen
class AcquireLockResponse(LockResponse):
    """Result of ``acquireLock``: the same fields in another order, ``{lockName,
    channelName, channelType, timestamp}`` (R-LK10)."""

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape, in the runtime's key order."""
        return {
            "lockName": self.lock_name,
            "channelName": self.channel_name,
            "channelType": self.channel_type,
            "timestamp": self.timestamp,
        }


@attrs.frozen
class LockDetail:
    """One lock as ``getLock`` lists it: ``{lockName, ttl, owner}`` (``ttl`` the TTL it
    was set with, ``owner`` its holder or ``""``).  A ``SNAPSHOT`` event lists the same
    fields in the order ``{lockName, owner, ttl}`` (R-LK16)."""

    lock_name: str
    ttl: int
    owner: str = ""

    def to_dict(self) -> dict[str, Any]:
        """``getLock``'s JSON shape."""
        return {"lockName": self.lock_name, "ttl": self.ttl, "owner": self.owner}

    def snapshot_dict(self) -> dict[str, Any]:
        """A ``SNAPSHOT`` entry's JSON shape."""
        return {"lockName": self.lock_name, "owner": self.owner, "ttl": self.ttl}


def _details(value: Any) -> tuple[LockDetail, ...]:
    return tuple(value)


@attrs.frozen
class GetLockResponse:
    """Result of ``getLock``: ``{timestamp, totalLocks, lockDetails, channelName,
    channelType}`` (R-LK10), the locks in code-point order of name (D-LK10)."""

    channel_name: str
    channel_type: str
    lock_details: tuple[LockDetail, ...] = attrs.field(converter=_details, factory=tuple)
    timestamp: int = 0

    @property
    def total_locks(self) -> int:
        """How many locks (``totalLocks``)."""
        return len(self.lock_details)

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {
            "timestamp": self.timestamp,
            "totalLocks": self.total_locks,
            "lockDetails": [detail.to_dict() for detail in self.lock_details],
            "channelName": self.channel_name,
            "channelType": self.channel_type,
        }


#: ``eventType`` values the 2.3.0 runtime emits (R-LK15; not ``LOCK_SET`` & co.).
LockEventType = Literal["SNAPSHOT", "SET", "REMOVED", "ACQUIRED", "RELEASED", "EXPIRED"]


@attrs.frozen
class LockEvent:
    """A ``lock`` event (the SDK's ``LockEvent``, R-LK15, R-LK16, R-LK19).

    ``SET`` / ``ACQUIRED`` / ``RELEASED`` carry the lock's set TTL and its holder
    (``ACQUIRED`` only); ``REMOVED`` and ``EXPIRED`` have ``ttl`` 0; a ``SNAPSHOT`` has
    ``lock_name`` ``""``, ``ttl`` 0 and every lock of the channel in ``snapshot``.
    ``publisher`` is always ``""``; ``timestamp``: the clock when delivered.
    """

    channel_type: str
    channel_name: str
    event_type: LockEventType
    lock_name: str = ""
    ttl: int = 0
    owner: str = ""
    snapshot: tuple[LockDetail, ...] = attrs.field(converter=_details, factory=tuple)
    timestamp: int = 0
    #: the lock's revision after the change (D-LK3), for a real SDK's lock state
    #: (D-RS10); not the SDK's field: left out of ``to_dict``, ``==`` and ``repr``
    revision: int = attrs.field(default=0, eq=False, repr=False)

    #: the listener event it is delivered to
    listener_name: ClassVar[str] = "lock"

    @property
    def publisher(self) -> str:
        """Always ``""`` (R-LK15)."""
        return ""

    def stamped(self, timestamp: int) -> LockEvent:
        """A copy delivered at ``timestamp``."""
        return attrs.evolve(self, timestamp=timestamp)

    def to_dict(self) -> dict[str, Any]:
        """The SDK's ``LockEvent`` JSON, keys in the runtime's order."""
        return {
            "channelType": self.channel_type,
            "channelName": self.channel_name,
            "eventType": self.event_type,
            "lockName": self.lock_name,
            "ttl": self.ttl,
            "publisher": "",
            "snapshot": [detail.snapshot_dict() for detail in self.snapshot],
            "owner": self.owner,
            "timestamp": self.timestamp,
        }
