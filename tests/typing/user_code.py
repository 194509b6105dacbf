"""A user's test helpers, typed the way a project under ``mypy --strict`` writes them.

``tests/typing/test_user_typing.py`` copies this file into an empty directory and checks
it with ``mypy --strict`` (no casts, no ignore comments: it must pass as written), and
runs :func:`main` to show the code does what its types say.  ``assert_type`` fails the
type check if an event or journal type degrades to ``Any`` or to the union of both
kinds.
"""

from __future__ import annotations

import asyncio
from typing import Any, assert_type

from rtm_emulator import (
    ChannelType,
    Emulator,
    Journal,
    JournalEntry,
    LinkState,
    LinkStateEvent,
    LockEvent,
    MessageEvent,
    PresenceEvent,
    PresenceEventType,
    RTMClient,
    StorageEvent,
    TokenEvent,
    TokenWillExpireEvent,
    TopicEvent,
)
from rtm_emulator.pytest_plugin import RTMClientFactory
from rtm_emulator.testing import assert_events, received


class PresenceView:
    """Who the app thinks is in each channel, kept from presence events."""

    def __init__(self, client: RTMClient) -> None:
        self.online: dict[str, list[str]] = {}
        self.links: list[LinkState] = []
        client.add_event_listener("presence", self.on_presence)
        client.addEventListener("linkState", self.on_link)  # the SDK's spelling

    def on_presence(self, event: PresenceEvent) -> None:
        users = self.online.setdefault(event.channel_name, [])
        if event.event_type.value == "SNAPSHOT":
            users[:] = [u.user_id for u in event.snapshot]
        elif event.event_type.value == "REMOTE_JOIN":
            users.append(event.publisher)
        elif event.event_type.value in ("REMOTE_LEAVE", "REMOTE_TIMEOUT"):
            users.remove(event.publisher)

    def on_link(self, event: LinkStateEvent) -> None:
        self.links.append(event.current_state)


def publishers(journal: Journal[PresenceEvent]) -> list[str]:
    """A helper that takes a journal of presence events only."""
    return [event.publisher for _, event in journal]


def everything(journal: Journal) -> int:
    """A helper that takes any journal (a filtered one too)."""
    return len(journal)


async def main() -> dict[str, Any]:
    """A short session; returns what the view and the journal saw."""
    emu = Emulator()
    me = emu.client("me")
    view = PresenceView(me)
    seen: list[str] = []
    me.add_event_listener("presence", lambda e: seen.append(e.event_type.value))
    kinds: list[str] = []
    me.add_event_listener("linkState", lambda e: kinds.append(e.reason_code.value))

    def on_message(event: object) -> None:  # no such event here: it takes any object
        raise AssertionError(f"unexpected {event!r}")

    def on_anything(event: Any) -> None:
        raise AssertionError(f"unexpected {event!r}")

    me.add_event_listener("message", on_message)
    me.addEventListener("storage", on_anything)
    me.remove_event_listener("message", on_message)
    me.removeEventListener("storage", on_anything)

    await me.login()
    await me.subscribe("room")
    emu.user("bob").subscribe("room")
    emu.user("bob").unsubscribe("room")
    emu.run_until_idle()
    me.remove_event_listener("presence", view.on_presence)
    me.removeEventListener("linkState", view.on_link)

    for recipient, event in emu.journal.filter(kind="presence"):
        assert_type(event, PresenceEvent)
        assert event.channel_name == "room", recipient
    for _, link in emu.journal.filter(recipient="me", kind="linkState"):
        assert_type(link, LinkStateEvent)
        assert link.service_type == "MESSAGE"
    for _, any_event in emu.journal:
        assert_type(
            any_event,
            PresenceEvent
            | LinkStateEvent
            | MessageEvent
            | TopicEvent
            | StorageEvent
            | LockEvent
            | TokenEvent
            | TokenWillExpireEvent,
        )
    for _, stored in emu.journal.filter(kind="storage"):
        assert_type(stored, StorageEvent)
    for _, locked in emu.journal.filter(kind="lock"):
        assert_type(locked, LockEvent)
    for _, message in emu.journal.filter(kind="message"):
        assert_type(message, MessageEvent)
    for _, topic in emu.journal.filter(kind="topic"):
        assert_type(topic, TopicEvent)
    in_room = emu.journal.filter(channel="room", recipient="me")  # presence criteria
    assert_type(in_room, Journal[PresenceEvent])
    entries = emu.journal.filter(kind="presence").entries
    assert_type(entries, list[JournalEntry[PresenceEvent]])
    first: JournalEntry = emu.journal.entries[0]  # plain: either kind
    assert_events(emu, "me", [("SNAPSHOT", ""), ("REMOTE_JOIN", "bob"), ("REMOTE_LEAVE", "bob")])
    return {
        "view": view.online,
        "links": [s.value for s in view.links],
        "seen": seen,
        "kinds": kinds,
        "publishers": publishers(in_room),
        "leaves": publishers(emu.journal.filter(event_type="REMOTE_LEAVE")),
        "joins": publishers(emu.journal.filter(event_type=PresenceEventType.REMOTE_JOIN)),
        "messages": everything(emu.journal.filter(channel_type=ChannelType.MESSAGE)),
        "counts": (everything(emu.journal), everything(in_room)),
        "first": (first.kind, first.recipient),
        "received": [e.event_type.value for e in received(emu, "me")],
    }


async def with_the_plugin(rtm_emulator: Emulator, rtm_client: RTMClientFactory) -> str:
    """A test body as the pytest plugin's fixtures type it."""
    alice = await rtm_client("alice")
    alice.add_event_listener("presence", lambda e: print(e.publisher))
    await alice.subscribe("room")
    return rtm_emulator.user("bob").client.user_id


if __name__ == "__main__":
    print(asyncio.run(main()))
