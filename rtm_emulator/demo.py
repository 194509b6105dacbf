"""A narrated multi-user presence session on the embedded emulator (revision 2).

Run it with ``rtm-emulator demo`` (or ``python -m rtm_emulator demo``).  Every line is
one action, one answer, or one event a user's listener received, stamped with the fake
clock's offset from the start; the output is the same on every run.

The story: three users meet in a lobby (a cached state, a quiet user), change state
(JSON values, a refused key), leave and come back within the debounce window, one loses
his network and is timed out, his network comes back and he reconnects at the next
retry, and a crowd of fans tips a stage channel into interval mode and out again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ._config import EmulatorConfig, RTMConfig
from ._emulator import Emulator
from ._errors import RtmError
from ._events import LinkStateEvent, PresenceEvent
from ._types import LinkState
from .client import RTMClient

__all__ = ["DEMO_CONFIG", "describe_event", "run_demo"]

#: The demo's service: the smallest announce threshold and interval the console allows
#: (R-C4), so that eight users are a crowd and a period is 10 s.
DEMO_CONFIG = EmulatorConfig(announce_max=8, interval=10.0)


def describe_event(event: PresenceEvent) -> str:
    """One line saying what a presence event tells its listener."""
    where = f"{event.channel_name} ({event.channel_type.value})"
    kind = event.event_type.value
    if kind == "SNAPSHOT":
        people = ", ".join(
            f"{u.user_id}{dict(u.states) if u.states else ''}" for u in event.snapshot or ()
        )
        return f"{kind} of {where}: [{people}]"
    if kind == "INTERVAL" and event.interval is not None:
        i = event.interval
        parts = [f"total={i.total_occupancy}"]
        for label, group in (("join", i.join), ("leave", i.leave), ("timeout", i.timeout)):
            if group.users:
                parts.append(f"{label}={list(group.users)}")
        if i.user_state_list:
            parts.append("states=" + str({u.user_id: dict(u.states) for u in i.user_state_list}))
        return f"{kind} of {where}: " + " ".join(parts)
    if kind == "REMOTE_STATE_CHANGED":
        return f"{kind} in {where}: {event.publisher} now {dict(event.state_changed)}"
    if event.publisher:
        return f"{kind} in {where}: {event.publisher}"
    return f"{kind} in {where}"


def describe_link(event: LinkStateEvent) -> str:
    """One line saying what a link-state event reports (R-T4)."""
    text = (
        f"link {event.previous_state.value} -> {event.current_state.value} "
        f"({event.operation.value}/{event.reason_code.value})"
    )
    if event.current_state is LinkState.CONNECTED and event.operation.value == "AUTO_RECONNECT":
        text += f" isResumed={event.is_resumed}"
    return text


async def _session(emu: Emulator, say: Callable[[str], None]) -> None:
    start = emu.now_ms

    def stamp() -> str:
        return f"[+{(emu.now_ms - start) / 1000:7.3f}s]"

    def act(user: str, what: str) -> None:
        say(f"{stamp()} {user:<6} {what}")

    def watch(client: RTMClient, *, links: bool = True) -> None:
        uid = client.user_id

        def on_presence(event: PresenceEvent) -> None:
            say(f"{stamp()}   -> {uid:<6} receives {describe_event(event)}  (seq {event.seq})")

        def on_link(event: LinkStateEvent) -> None:
            say(f"{stamp()}   -> {uid:<6} {describe_link(event)}")

        client.add_event_listener("presence", on_presence)
        if links:
            client.add_event_listener("linkState", on_link)

    alice = emu.client("alice")
    bob = emu.client("bob", config=RTMConfig(presence_timeout=20))
    carol = emu.client("carol")
    say("== three users log in ==")
    for client in (alice, bob, carol):
        watch(client, links=client is bob)
        act(client.user_id, "logs in")
        await client.login()

    say("== they meet in the lobby ==")
    act("alice", "subscribes to lobby")
    await alice.subscribe("lobby")
    act("bob", "sets his state before subscribing: the SDK caches it (R-S4)")
    await bob.presence.set_state("lobby", "MESSAGE", {"mood": "pumped"})
    act("bob", "subscribes to lobby: others see him join, then his cached state (R-S4)")
    await bob.subscribe("lobby")
    act("carol", "subscribes quietly (beQuiet): nobody is told (R-E4)")
    await carol.subscribe("lobby", be_quiet=True)

    r = await alice.presence.who_now("lobby", "MESSAGE", include_state=True)
    people = [(o.user_id, dict(o.states)) for o in r.occupants]
    act("alice", f"asks whoNow(lobby), from her replica (R-Q2): {people}")
    act("alice", f"  totalOccupancy={r.total_occupancy} nextPage={r.next_page!r}")

    say("== state changes ==")
    act("alice", "sets {'seat': 3, 'isTyping': True}: values are JSON (R-S1)")
    seat: dict[str, Any] = {"seat": 3, "isTyping": True}
    await alice.presence.set_state("lobby", "MESSAGE", seat)
    try:
        await alice.presence.set_state("lobby", "MESSAGE", {"_secret": "x"})
    except RtmError as err:
        act("alice", f"sets a key starting with '_': {err.code} {err.code_name} (R-S3)")
        act("alice", "  the failed call changed nothing and told nobody")

    say("== a quick leave and re-entry is debounced (R-E6) ==")
    act("alice", "unsubscribes: her cached state goes with the channel (R-S4)")
    await alice.unsubscribe("lobby")
    emu.advance(1.5)
    act("alice", "subscribes again 1.5 s later: no leave, no join; only her lost state shows")
    await alice.subscribe("lobby")

    say("== bob loses his network (R-T2, R-T4) ==")
    act("bob", "network down: his link retries after 2, 4, 8, 16 s (each attempt 5 s)")
    emu.disconnect("bob")
    act("bob", "  the server notices after 15 s and times him out 20 s later")
    emu.advance(40)
    act("bob", "network back 40 s after the loss: the link returns at the next retry (R-T3)")
    emu.reconnect("bob")
    while bob.link_state is not LinkState.CONNECTED:
        emu.advance_to_next_event()
    act("bob", "is back after the timeout: he re-enters with his state")

    say("== a crowd tips the stage into interval mode (R-E5, announce_max 8) ==")
    act("alice", "subscribes to stage")
    await alice.subscribe("stage")
    fans = [emu.user(f"fan{i}") for i in range(1, 9)]
    for fan in fans[:7]:
        act(fan.user_id, "subscribes to stage")
        fan.subscribe("stage")
    act("alice", "  8 users: the join that tips the threshold is still announced")
    act("fan8", "subscribes to stage and sets {'sign': 'hi'}: kept for the next INTERVAL")
    fans[7].subscribe("stage").set_state("stage", "MESSAGE", {"sign": "hi"})
    act("fan1", "unsubscribes from stage (its leave is debounced 2 s)")
    fans[0].unsubscribe("stage")
    emu.advance(10)
    act("alice", "  one INTERVAL per period sums it up")
    for fan in fans[1:3]:
        act(fan.user_id, "unsubscribes from stage")
        fan.unsubscribe("stage")
    act("alice", "  2 s later (debounce) fan2's leave takes stage below 8:")
    act("alice", "  interval mode ends at once with a flush, then leaves are announced again")
    emu.advance(2)

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
    emu = Emulator(DEMO_CONFIG)
    asyncio.run(_session(emu, say))
