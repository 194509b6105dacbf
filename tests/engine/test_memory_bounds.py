"""The engine holds a client only while it needs it (issue 15, "[ours] R-T4 the engine
keeps only clients it needs").

A client is held while its link is ``CONNECTING``, ``CONNECTED``, ``DISCONNECTED`` or
``SUSPENDED``; once it is ``IDLE`` (logged out, or never logged in) or ``FAILED``
(kicked, or its login refused) only the app's own handle keeps it, so a dropped one is
garbage.  ``emu.disconnect`` / ``emu.reconnect`` pick among the held clients.
"""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest

from rtm_emulator import ConfigError, Emulator, LinkState, RtmError
from rtm_emulator.testing import assert_events, drive


def held(emu: Emulator) -> list[str]:
    """The user ids of the clients the engine holds, in the order it took them."""
    return [core.user_id for core in emu._engine._cores]


def lifecycle(emu: Emulator, i: int) -> Any:
    """One of five lives for client ``i``; returns the client (the caller drops it)."""
    uid = f"u{i:05d}"
    client = emu.client(uid)
    kind = i % 5
    if kind == 0:  # never logged in
        return client
    if kind == 3:  # its login refused: FAILED
        with pytest.raises(RtmError):
            drive(client.login(token="not-a-token"))
        assert client.link_state is LinkState.FAILED
        return client
    drive(client.login())
    drive(client.subscribe(f"room{i % 7}"))
    drive(client.presence.set_state(f"room{i % 7}", "MESSAGE", {"n": str(i)}))
    if kind == 1:  # logged in and out
        drive(client.logout())
    elif kind == 2:  # kicked by another client of the user, which logs out
        other = emu.client(uid)
        drive(other.login())
        assert client.link_state is LinkState.FAILED
        drive(other.logout())
    else:  # a network loss, timed out by the server, then logged out
        emu.disconnect(uid)
        drive(client.logout())
    return client


def test_five_thousand_dropped_clients_are_garbage() -> None:
    emu = Emulator(strict=False, journal=False)
    keeper = emu.client("keeper")  # held all along: a listener in every room
    drive(keeper.login())
    for room in range(7):
        drive(keeper.subscribe(f"room{room}"))
    refs: list[weakref.ref[Any]] = []
    for i in range(5000):
        client = lifecycle(emu, i)
        refs.append(weakref.ref(client._core))
        refs.append(weakref.ref(client))
        del client
    emu.advance(400)  # every debounce and timer of the dropped clients runs out
    gc.collect()
    alive = [ref() for ref in refs if ref() is not None]
    assert [] == alive
    assert ["keeper"] == held(emu)
    assert emu.online_users("room3", "MESSAGE") == ["keeper"]
    emu.check_invariants()


def test_a_logged_out_client_kept_by_the_app_logs_in_again() -> None:
    emu = Emulator(strict=True)
    watcher = emu.user("watcher").subscribe("room")
    bob = emu.client("bob")
    drive(bob.login())
    drive(bob.subscribe("room"))
    drive(bob.logout())
    assert ["watcher"] == held(emu)
    emu.advance(3)  # past the debounce: bob's document is gone
    gc.collect()
    drive(bob.login())
    drive(bob.subscribe("room", {"withPresence": True}))
    assert ["watcher", "bob"] == held(emu)
    assert emu.online_users("room", "MESSAGE") == ["bob", "watcher"]
    assert_events(
        emu,
        "watcher",
        [("SNAPSHOT", ""), ("REMOTE_JOIN", "bob"), ("REMOTE_LEAVE", "bob"), ("REMOTE_JOIN", "bob")],
    )
    assert_events(emu, "bob", [("SNAPSHOT", ""), ("SNAPSHOT", "")])
    assert watcher.user_id == "watcher"


def test_a_kicked_client_kept_by_the_app_logs_in_again_with_its_channels() -> None:
    """R-L3: the kicked client's channel list survives though the engine let it go."""
    emu = Emulator(strict=True)
    first, second = emu.client("bob"), emu.client("bob")
    drive(first.login())
    drive(first.subscribe("room"))
    drive(second.login())  # kicks the first: FAILED, no longer held
    assert [second._core] == list(emu._engine._cores)
    drive(second.logout())
    assert [] == held(emu)
    drive(first.login())  # R-L3: back with its channels
    assert emu.user_channels("bob") == [("MESSAGE", "room")]
    assert ["bob"] == held(emu)


def test_a_client_on_its_way_back_is_held_though_the_app_dropped_it() -> None:
    """A client whose network is down keeps reconnecting: its timers hold it, and so
    does the engine, which times it out as before."""
    emu = Emulator(strict=True)
    emu.user("watcher").subscribe("room")
    client = emu.client("bob")
    drive(client.login())
    drive(client.subscribe("room"))
    ref = weakref.ref(client._core)
    emu.disconnect("bob")
    del client
    gc.collect()
    assert ref() is not None and ["watcher", "bob"] == held(emu)
    emu.advance(316)  # the server's timeout (heartbeat 5 + 10 + presence 300 s)
    assert emu.online_users("room", "MESSAGE") == ["watcher"]
    assert ["watcher", "bob"] == held(emu)  # still retrying
    emu.reconnect("bob")
    emu.advance(60)
    assert emu.online_users("room", "MESSAGE") == ["bob", "watcher"]


def test_disconnect_picks_the_newest_made_client_on_its_way_back() -> None:
    """Two clients of one user, both down and timed out by the server: the one made
    last is the one ``reconnect`` means, whichever logged in first."""
    emu = Emulator(strict=True)
    older, newer = emu.client("bob"), emu.client("bob")
    drive(newer.login())
    emu.disconnect("bob")
    emu.advance(316)  # timed out: no session, still DISCONNECTED
    drive(older.login())  # no session to kick
    emu.disconnect("bob")
    emu.advance(316)
    assert LinkState.CONNECTED not in (older.link_state, newer.link_state)
    assert ["bob", "bob"] == held(emu)
    emu.reconnect("bob")
    emu.advance(60)
    assert newer.link_state is LinkState.CONNECTED
    assert older.link_state is not LinkState.CONNECTED


def test_a_failed_client_has_no_network_to_cut() -> None:
    """A kicked client (FAILED) is not the one ``disconnect`` means: with no other client
    of the user logged in it is a ConfigError, so a later login is not left with its
    network switch off (which made the next ``disconnect`` do nothing)."""
    emu = Emulator(strict=True)
    first, second = emu.client("bob"), emu.client("bob")
    drive(first.login())
    drive(second.login())
    drive(second.logout())
    with pytest.raises(ConfigError, match="a FAILED client has no network"):
        emu.disconnect("bob")
    drive(first.login())
    emu.disconnect("bob")
    assert first.link_state is LinkState.DISCONNECTED


def test_never_logged_in_clients_are_not_held() -> None:
    emu = Emulator(strict=True)
    clients = [emu.client(f"u{i}") for i in range(100)]
    assert [] == held(emu)
    with pytest.raises(ConfigError, match="no client of user 'u1' is logged in"):
        emu.disconnect("u1")
    assert len(clients) == 100
