"""A narrated multi-user presence session on the embedded emulator.

Run it with ``rtm-emulator demo`` (or ``python -m rtm_emulator demo``).  Every line is
one action or one event a user's listener received, stamped with the fake clock's
offset from the start; the output is the same on every run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ._config import EmulatorConfig, RTMConfig
from ._emulator import Emulator
from ._errors import RtmError
from ._events import LinkStateEvent, PresenceEvent
from .client import RTMClient

__all__ = ["describe_event", "run_demo"]


def describe_event(event: PresenceEvent) -> str:
    """One line saying what a presence event tells its listener."""
    where = f"{event.channel_name} ({event.channel_type.value})"
    kind = event.event_type.value
    if event.snapshot is not None:
        people = ", ".join(
            f"{u.user_id}{dict(u.states) if u.states else ''}" for u in event.snapshot
        )
        return f"{kind} of {where}: [{people}]"
    if kind == "REMOTE_STATE_CHANGED":
        return f"{kind} in {where}: {event.publisher} now {dict(event.state_changed)}"
    if event.publisher:
        return f"{kind} in {where}: {event.publisher}"
    return f"{kind} in {where}"


async def _session(emu: Emulator, say: Callable[[str], None]) -> None:
    start = emu.now_ms

    def stamp() -> str:
        return f"[+{(emu.now_ms - start) / 1000:7.3f}s]"

    def act(user: str, what: str) -> None:
        say(f"{stamp()} {user:<6} {what}")

    def watch(client: RTMClient) -> None:
        uid = client.user_id

        def on_presence(event: PresenceEvent) -> None:
            say(f"{stamp()}   -> {uid:<6} receives {describe_event(event)}  (seq {event.seq})")

        def on_link(event: LinkStateEvent) -> None:
            if event.current_state.value in ("DISCONNECTED", "SUSPENDED") or (
                event.operation.value == "RECONNECTED"
            ):
                say(
                    f"{stamp()}   -> {uid:<6} link {event.previous_state.value} -> "
                    f"{event.current_state.value} ({event.reason_code.value})"
                )

        client.add_event_listener("presence", on_presence)
        client.add_event_listener("linkState", on_link)

    alice = emu.client("alice")
    bob = emu.client("bob", config=RTMConfig(presence_timeout=20))
    carol = emu.client("carol")
    for client in (alice, bob, carol):
        watch(client)
        await client.login()

    say("== three users meet in the lobby ==")
    act("alice", "subscribes to lobby")
    await alice.subscribe("lobby")
    act("bob", "sets his state before joining: the SDK caches it (R-S4)")
    await bob.presence.set_state("lobby", "MESSAGE", {"mood": "pumped"})
    act("bob", "subscribes to lobby")
    await bob.subscribe("lobby")
    act("carol", "subscribes quietly (beQuiet): nobody is told (R-E4)")
    await carol.subscribe("lobby", be_quiet=True)

    r = await alice.presence.who_now("lobby", "MESSAGE", include_state=True)
    people = [(o.user_id, dict(o.states)) for o in r.occupants]
    act("alice", f"asks whoNow(lobby): {people}, totalOccupancy={r.total_occupancy}")

    say("== state changes ==")
    act("alice", "sets {'seat': '3'}")
    await alice.presence.set_state("lobby", "MESSAGE", {"seat": "3"})
    try:
        await alice.presence.setState("lobby", "MESSAGE", {"isTyping": False})  # type: ignore[dict-item]
    except RtmError as err:
        act("alice", f"setState with a boolean fails: {err.error_code} {err.code_name}")

    say("== a quick leave and re-entry is debounced (R-E6) ==")
    act("alice", "unsubscribes")
    await alice.unsubscribe("lobby")
    emu.advance(1.5)
    act("alice", "subscribes again 1.5 s later: no leave, no join; only her lost state shows")
    await alice.subscribe("lobby")

    say("== bob loses his network (R-T2) ==")
    emu.disconnect("bob")
    act("bob", "network down; server notices after 15 s, times out 20 s later")
    emu.advance(40)
    act("bob", "comes back 40 s later, after the timeout: re-enters with his state (R-T3)")
    emu.reconnect("bob")

    say("== everyone leaves ==")
    for client in (carol, bob):
        act(client.user_id, "logs out")
        await client.logout()
    emu.advance(2)
    act("alice", "logs out, 2 s later (the debounce window)")
    await alice.logout()
    emu.check_invariants()
    say(f"{stamp()} done: {emu.last_seq} presence events delivered; invariants hold")


def run_demo(say: Callable[[str], None] = print) -> None:
    """Run the narrated session, passing each line to ``say``."""
    emu = Emulator(EmulatorConfig())
    asyncio.run(_session(emu, say))
