"""The server of a real SDK's document store (real-SDK mode, D-RS1..D-RS8), in-process.

A real-SDK client is an engine client whose store operations reach ``engine.replicas``;
its replicas hear document batches (``DocEvent``) on the ``doc`` listener.  Ordinary
clients share its channels.
"""

from __future__ import annotations

from typing import Any

from rtm_emulator import Emulator, EmulatorConfig, RTMClient
from rtm_emulator._events import DocEvent

from ..conftest import login


def _batches(client: RTMClient) -> list[list[tuple[str, str, str, Any]]]:
    got: list[list[tuple[str, str, str, Any]]] = []
    client._core.listeners.setdefault("doc", []).append(
        lambda e: got.append(list(e.changes)) if isinstance(e, DocEvent) else None
    )
    return got


def _emu() -> Emulator:
    return Emulator(EmulatorConfig(debounce=0))


async def test_a_replica_hears_joins_state_and_leaves_but_not_its_own_document() -> None:
    """D-RS3: Put of the document, its fields and DocSyncEnd; a field change and removal
    in one batch; a Delete; nothing about its own document."""
    emu = _emu()
    sdk, bob = await login(emu, "alice", "bob")
    got = _batches(sdk)
    replicas = sdk._engine.replicas
    core = sdk._core
    assert [] == replicas.open(core, "room")
    replicas.put(core, "room")
    replicas.set_fields(core, "room", {"me": "1"})
    await bob.subscribe("room")
    await bob.presence.setState("room", "MESSAGE", {"a": "1", "b": "2"})
    await bob.presence.setState("room", "MESSAGE", {"a": "9"})
    await bob.presence.removeState("room", "MESSAGE", {"states": ["b"]})
    await bob.unsubscribe("room")
    assert [
        [("bob", "", "Put", None)],
        [("bob", "a", "Put", "1"), ("bob", "b", "Put", "2")],
        [("bob", "", "DocSyncEnd", None)],
        [("bob", "a", "Put", "9")],
        [("bob", "", "DocSyncEnd", None)],
        [("bob", "b", "Delete", None)],
        [("bob", "", "DocSyncEnd", None)],
        [("bob", "", "Delete", None)],
    ] == got
    assert {"me": "1"} == emu.state_of("alice", "room", "MESSAGE")


async def test_a_state_write_puts_every_field_it_names_unchanged_ones_too() -> None:
    """D-RS3 (oracle case events.state-changes): a write that names a field with the
    value it has is still a Put of that field (the SDK then reports
    REMOTE_STATE_CHANGED), from an ordinary client's setState and from a real SDK's
    sdk.set; a field it does not name is not put."""
    emu = _emu()
    sdk, bob, dave = await login(emu, "alice", "bob", "dave")
    got, heard = _batches(sdk), _batches(dave)
    replicas = sdk._engine.replicas
    replicas.open(sdk._core, "room")
    await bob.subscribe("room")
    await bob.presence.setState("room", "MESSAGE", {"a": "1", "b": "2"})
    del got[:]
    await bob.presence.setState("room", "MESSAGE", {"a": "1"})
    assert [[("bob", "a", "Put", "1")], [("bob", "", "DocSyncEnd", None)]] == got
    replicas.open(dave._core, "room")
    replicas.put(sdk._core, "room")
    replicas.set_fields(sdk._core, "room", {"x": "1", "y": "2"})
    del heard[:]
    replicas.set_fields(sdk._core, "room", {"y": "2"})
    assert [[("alice", "y", "Put", "2")], [("alice", "", "DocSyncEnd", None)]] == heard


async def test_open_returns_the_documents_in_code_point_order() -> None:
    emu = _emu()
    sdk, *others = await login(emu, "zed", "bob", "Carl", "amy")
    for peer, state in zip(others, ({"x": "1"}, {}, {"y": "2"}), strict=True):
        await peer.subscribe("room")
        if state:
            await peer.presence.setState("room", "MESSAGE", state)
    docs = sdk._engine.replicas.open(sdk._core, "room")
    assert [["Carl", {}], ["amy", {"y": "2"}], ["bob", {"x": "1"}]] == docs


async def test_a_quiet_store_is_a_member_without_a_document() -> None:
    """D-RS4: a replica alone (beQuiet) or the message group alone is a quiet member; the
    put makes it visible (REMOTE_JOIN for listeners), the delete quiet again."""
    emu = _emu()
    sdk, bob = await login(emu, "alice", "bob")
    events: list[tuple[str, str]] = []
    bob.add_event_listener("presence", lambda e: events.append((e.event_type, e.publisher)))
    await bob.subscribe("room")
    replicas = sdk._engine.replicas
    replicas.group_enter(sdk._core, "room")
    replicas.open(sdk._core, "room")
    assert ["bob"] == emu.online_users("room", "MESSAGE")
    replicas.put(sdk._core, "room")
    assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")
    replicas.delete(sdk._core, "room")
    replicas.close(sdk._core, "room")
    replicas.group_leave(sdk._core, "room")
    assert [("SNAPSHOT", ""), ("REMOTE_JOIN", "alice"), ("REMOTE_LEAVE", "alice")] == events
    assert [] == [c.channel_name for c in emu.user_channels("alice")]


async def test_a_timeout_is_an_expired_field_then_the_delete() -> None:
    """D-RS3 / R-T2: an unreachable user's document expires: Put _expired, then Delete."""
    emu = _emu()
    sdk, bob = await login(emu, "alice", "bob")
    got = _batches(sdk)
    sdk._engine.replicas.open(sdk._core, "room")
    await bob.subscribe("room")
    emu.disconnect("bob")
    emu.advance(bob._core.config.presence_timeout + 60)
    assert [
        [("bob", "", "Put", None)],
        [("bob", "_expired", "Put", True)],
        [("bob", "", "Delete", None)],
    ] == got


async def test_a_replica_is_silent_while_its_link_is_down_and_resyncs_by_opening() -> None:
    """D-RS3: nothing reaches a replica whose link is down; ``open`` again gives the
    documents as they are, and the batches start from there."""
    emu = _emu()
    sdk, bob = await login(emu, "alice", "bob")
    got = _batches(sdk)
    replicas = sdk._engine.replicas
    replicas.open(sdk._core, "room")
    replicas.put(sdk._core, "room")
    emu.disconnect("alice")
    await bob.subscribe("room")
    await bob.presence.setState("room", "MESSAGE", {"a": "1"})
    assert [] == got
    emu.reconnect("alice")
    emu.advance(2)
    assert sdk.connected
    assert [["alice", {}], ["bob", {"a": "1"}]] == replicas.open(sdk._core, "room")
    await bob.presence.setState("room", "MESSAGE", {"a": "2"})
    assert [[("bob", "a", "Put", "2")], [("bob", "", "DocSyncEnd", None)]] == got


async def test_after_a_timeout_the_engine_restores_the_real_sdks_documents() -> None:
    """D-RS8 / R-T3: a timed-out real SDK client comes back visible with its state."""
    emu = _emu()
    sdk, bob = await login(emu, "alice", "bob")
    replicas = sdk._engine.replicas
    replicas.open(sdk._core, "room")
    replicas.put(sdk._core, "room")
    replicas.set_fields(sdk._core, "room", {"seat": "2"})
    await bob.subscribe("room")
    emu.disconnect("alice")
    emu.advance(sdk._core.config.presence_timeout + 60)
    assert ["bob"] == emu.online_users("room", "MESSAGE")
    emu.reconnect("alice")
    emu.run_until(emu.elapsed + 60)
    assert sdk.connected
    assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")
    assert {"seat": "2"} == emu.state_of("alice", "room", "MESSAGE")


async def test_logout_forgets_the_store() -> None:
    """D-RS2: logout ends the documents and the memberships; a new login starts empty."""
    emu = _emu()
    (sdk,) = await login(emu, "alice")
    replicas = sdk._engine.replicas
    replicas.open(sdk._core, "room")
    replicas.put(sdk._core, "room")
    await sdk.logout()
    assert [] == emu.online_users("room", "MESSAGE")
    await sdk.login()
    assert [] == emu.online_users("room", "MESSAGE")
    assert {} == dict(sdk._core.entered)


async def test_queries() -> None:
    """D-RS5: paging, counts, keys, and the channels of a user for ``_keepalive_``."""
    emu = _emu()
    sdk, a, b = await login(emu, "zed", "a", "b")
    for peer in (a, b):
        await peer.subscribe("room")
        await peer.subscribe("hall")
    q = sdk._engine.replicas.query
    core = sdk._core
    assert {"entries": [["a", "{}"]], "count": 2, "more": True} == q(core, "room", {"limit": 1})
    assert {"entries": ["b"], "count": 2, "more": False} == q(
        core, "room", {"start": "a", "keysOnly": True}
    )
    assert {"entries": [], "count": 0, "more": False} == q(core, "nowhere", {})
    where = q(core, "_keepalive_", {"start": "p/q/a"})
    assert {"entries": [["p/q/a", '{"hall":1,"room":1}']], "count": 1, "more": False} == where
