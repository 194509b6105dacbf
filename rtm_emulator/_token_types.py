"""The token family's events and result (R-TK3, R-TK10, R-TK12, R-TK13)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import attrs

__all__ = ["RenewTokenResponse", "TokenEvent", "TokenWillExpireEvent"]

#: R-TK13: the SDK's ``TokenEventType``
TokenEventType = Literal["WILL_EXPIRE", "READ_PERMISSION_REVOKED"]

#: R-TK10: the reason of a WILL_EXPIRE event (runtime ``"The token is about to expire"``)
WILL_EXPIRE_REASON = "The token is about to expire"


@attrs.frozen
class TokenEvent:
    """A ``token`` event (the SDK's ``TokenEvent``, R-TK10): ``WILL_EXPIRE`` with the
    client's MESSAGE channels in ``affected_channels``; ``timestamp`` the clock."""

    event_type: TokenEventType
    reason: str
    affected_channels: tuple[str, ...]
    timestamp: int = 0

    #: the listener event it is delivered to
    listener_name: ClassVar[str] = "token"

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON, keys in the runtime's order."""
        return {
            "eventType": self.event_type,
            "reason": self.reason,
            "affectedResources": {"messageChannels": list(self.affected_channels)},
            "timestamp": self.timestamp,
        }


@attrs.frozen
class TokenWillExpireEvent:
    """A ``tokenPrivilegeWillExpire`` notice (R-TK10, R-TK12).  Its listeners receive
    one plain string, :attr:`channel_name`: ``""`` for the client's own token, a stream
    channel's name for that channel's token."""

    channel_name: str
    timestamp: int = 0

    #: the listener event it is delivered to
    listener_name: ClassVar[str] = "tokenPrivilegeWillExpire"

    def to_dict(self) -> dict[str, Any]:
        """``{"channelName"}``: the journal's JSON of the notice (the SDK passes the
        string alone)."""
        return {"channelName": self.channel_name}


@attrs.frozen
class RenewTokenResponse:
    """Result of ``renewToken``: ``{"timestamp": 0}`` (R-TK3)."""

    timestamp: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The SDK's JSON shape."""
        return {"timestamp": self.timestamp}
