"""Expected-event builders shared by the engine tests: the SDK JSON of what a listener gets."""

from __future__ import annotations

from typing import Any

from rtm_emulator import ChannelType, Emulator, PresenceEvent, PresenceEventType, UserState

from .conftest import Recorder


def snap(
    emu: Emulator, *users: UserState, channel: str = "room", ctype: str = "MESSAGE"
) -> dict[str, Any]:
    """The SDK JSON of the SNAPSHOT a user entering now would receive."""
    return PresenceEvent(
        event_type=PresenceEventType.SNAPSHOT,
        channel_type=ChannelType(ctype),
        channel_name=channel,
        publisher="",
        snapshot=users,
        timestamp=emu.now_ms,
    ).to_dict()


def remote(
    emu: Emulator,
    kind: str,
    publisher: str,
    state: dict[str, str] | None = None,
    *,
    channel: str = "room",
    ctype: str = "MESSAGE",
    timestamp: int | None = None,
) -> dict[str, Any]:
    """The SDK JSON of a ``REMOTE_*`` event stamped now (or at ``timestamp``)."""
    return PresenceEvent(
        event_type=PresenceEventType(kind),
        channel_type=ChannelType(ctype),
        channel_name=channel,
        publisher=publisher,
        state_changed=state or {},
        timestamp=emu.now_ms if timestamp is None else timestamp,
    ).to_dict()


def got(rec: Recorder) -> list[dict[str, Any]]:
    """The SDK JSON of every presence event recorded so far, clearing the record."""
    return [e.to_dict() for e in rec.take()]
