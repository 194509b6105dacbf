"""Real-SDK sessions' lock packets over the server (docs/real-sdk.md, D-RS10): the
``StateLock*`` packets are the engine's lock operations, shared with ordinary clients
(D-LK1..D-LK12)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

pytest.importorskip("websockets")

from .support import CallFailed, Peer, eventually, running, sdk_call, sdk_user, wire_long

RETRY = 1 << 18  # agora-rtm.js 2.3.0: ENABLE_LOCK_BLOCKING


async def _packet(peer: Peer, name: str, **payload: Any) -> None:
    await sdk_call(peer, "sdk.packet", {"name": name, "payload": payload})


def _packets(peer: Peer, *names: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f["data"]["name"], f["data"]["payload"])
        for f in peer.events
        if f["name"] == "packet" and (not names or f["data"]["name"] in names)
    ]


def _codes(peer: Peer, name: str) -> list[tuple[str, int]]:
    return [(p["requestUuid"], p["code"]) for _, p in _packets(peer, name)]


def _lock_events(peer: Peer) -> list[tuple[int, list[tuple[str, dict[str, Any]]]]]:
    """(eventType, [(lockName, lockState)]) of each StateLockSubscribeEvent."""
    return [
        (p["eventType"], [(s["lockName"], json.loads(s["lockState"])) for s in p["lockStates"]])
        for _, p in _packets(peer, "StateLockSubscribeEvent")
    ]


def _locks(peer: Peer) -> list[tuple[str, str, str]]:
    return [
        (e["data"]["eventType"], e["data"]["lockName"], e["data"]["owner"])
        for e in peer.events
        if e["name"] == "lock"
    ]


def _state(ttl: int, user: str, rev: int) -> dict[str, Any]:
    return {"create_ttl": ttl, "user": user, "_rev": rev}


async def test_a_real_sdk_sets_and_acquires_a_lock_by_packets() -> None:
    """D-LK2, D-LK4: create 0 (then 6), acquire 0 with the revision after it (a missing
    lock 13, a held one 7); an ordinary withLock subscriber hears SET and ACQUIRED."""
    async with running() as world:
        sdk = await sdk_user(world, "alice")
        carol = await world.user("carol")
        await carol.call("subscribe", "room", {"withLock": True, "withPresence": False})
        common = {"target": "room", "lock": "L", "flags": wire_long(0, True)}
        await _packet(sdk, "StateLockCreate", **common, requestUuid="c1", ttl=wire_long(30, True))
        await _packet(sdk, "StateLockCreate", **common, requestUuid="c2", ttl=wire_long(30, True))
        assert [("c1", 0), ("c2", 6)] == _codes(sdk, "StateLockCreateResult")
        missing = {**common, "lock": "M"}
        await _packet(sdk, "StateLockAcquire", **missing, requestUuid="a0", ttl=wire_long(0, True))
        await _packet(sdk, "StateLockAcquire", **common, requestUuid="a1", ttl=wire_long(0, True))
        got = _packets(sdk, "StateLockAcquireResult")
        assert [("a0", 13, wire_long(0, True)), ("a1", 0, wire_long(2, True))] == [
            (p["requestUuid"], p["code"], p["lockRev"]) for _, p in got
        ]
        assert ("room", "L", "") == (got[1][1]["target"], got[1][1]["lock"], got[1][1]["reason"])
        await eventually(lambda: len(_locks(carol)) == 3)
        assert [("SNAPSHOT", "", ""), ("SET", "L", ""), ("ACQUIRED", "L", "alice")] == _locks(carol)
        bob = await world.user("bob")
        with pytest.raises(CallFailed) as caught:
            await bob.call("lock.acquireLock", "room", "MESSAGE", "L")
        assert -14007 == caught.value.error["errorCode"]
        listed = await bob.call("lock.getLock", "room", "MESSAGE")
        assert [{"lockName": "L", "ttl": 30, "owner": "alice"}] == listed["lockDetails"]


async def test_d_lk12_a_real_sdks_wire_ttl_is_the_locks_ttl_zero_too() -> None:
    """D-LK12, D-RS10: the wire ``ttl`` is stored as it is (the SDK has clamped it; it
    sends 0 for a ``ttl`` it cannot read): 0 stays 0 in SET and getLock, 5 stays 5;
    an ordinary client's setLock of ttl 0 still gets R-LK5's clamp, 10."""
    async with running() as world:
        carol = await world.user("carol")
        await carol.call("subscribe", "room", {"withLock": True, "withPresence": False})
        sdk = await sdk_user(world, "alice")
        common = {"target": "room", "flags": wire_long(0, True)}
        await _packet(
            sdk, "StateLockCreate", **common, lock="Z", requestUuid="z", ttl=wire_long(0, True)
        )
        await _packet(
            sdk, "StateLockCreate", **common, lock="F", requestUuid="f", ttl=wire_long(5, True)
        )
        assert [("z", 0), ("f", 0)] == _codes(sdk, "StateLockCreateResult")
        await carol.call("lock.setLock", "room", "MESSAGE", "D", {"ttl": 0})
        await eventually(lambda: len(_locks(carol)) == 4)
        listed = await carol.call("lock.getLock", "room", "MESSAGE")
        assert [("D", 10), ("F", 5), ("Z", 0)] == [
            (d["lockName"], d["ttl"]) for d in listed["lockDetails"]
        ]
        assert [("SET", 0), ("SET", 5), ("SET", 10)] == [
            (e["data"]["eventType"], e["data"]["ttl"])
            for e in carol.events
            if e["name"] == "lock" and e["data"]["eventType"] == "SET"
        ]


async def test_an_ordinary_clients_locks_reach_a_real_sdk_subscriber_as_packets() -> None:
    """D-RS10, D-LK10: StateLockSubscribe is answered, then a SNAPSHOT; an ordinary
    client's setLock / acquireLock / releaseLock are StateLockSubscribeEvent 1, 2, 2
    with the lock's state; after StateLockUnsubscribe nothing more comes."""
    async with running() as world:
        bob = await world.user("bob")
        await bob.call("lock.setLock", "room", "MESSAGE", "A", {"ttl": 20})
        sdk = await sdk_user(world, "alice")
        sub = {"target": "room", "sequence": wire_long(7, True), "flags": wire_long(1048577, True)}
        await _packet(sdk, "StateLockSubscribe", **sub)
        assert [
            ("StateLockSubscribeResult", {"sequence": wire_long(7, True), "code": 0}),
            (
                "StateLockSubscribeEvent",
                {
                    "target": "room",
                    "eventType": 4,
                    "lockStates": [
                        {"lockName": "A", "lockState": '{"create_ttl":20,"user":"","_rev":1}'}
                    ],
                },
            ),
        ] == _packets(sdk)
        await bob.call("lock.setLock", "room", "MESSAGE", "L", {"ttl": 15})
        await bob.call("lock.acquireLock", "room", "MESSAGE", "L")
        await bob.call("lock.releaseLock", "room", "MESSAGE", "L")
        await eventually(lambda: len(_lock_events(sdk)) == 4)
        assert [
            (1, [("L", _state(15, "", 1))]),
            (2, [("L", _state(15, "bob", 2))]),
            (2, [("L", _state(15, "", 3))]),
        ] == _lock_events(sdk)[1:]
        listed = {"target": "room", "sequence": wire_long(8, True), "flags": wire_long(0, True)}
        await _packet(sdk, "StateLockList", **listed)
        [(_, reply)] = _packets(sdk, "StateLockListResult")
        assert (wire_long(8, True), 0) == (reply["sequence"], reply["code"])
        assert [("A", _state(20, "", 1)), ("L", _state(15, "", 3))] == [
            (s["lockName"], json.loads(s["lockState"])) for s in reply["lockStates"]
        ]
        await _packet(sdk, "StateLockUnsubscribe", target="room", flags=wire_long(0, True))
        await bob.call("lock.acquireLock", "room", "MESSAGE", "L")
        await bob.call("lock.getLock", "room", "MESSAGE")  # a round trip after
        assert 4 == len(_lock_events(sdk))


async def test_a_real_sdk_retry_acquire_is_answered_when_the_holder_releases() -> None:
    """D-LK4, D-LK5: without retry a held lock is 7; with ENABLE_LOCK_BLOCKING the
    acquire waits and is answered 0 when the ordinary holder releases, after the
    RELEASED / ACQUIRED events; a repeat of the waiting acquire keeps its place."""
    async with running() as world:
        bob, carol = await world.user("bob"), await world.user("carol")
        await carol.call("subscribe", "room", {"withLock": True, "withPresence": False})
        await bob.call("lock.setLock", "room", "MESSAGE", "L")
        await bob.call("lock.acquireLock", "room", "MESSAGE", "L")
        sdk = await sdk_user(world, "alice")
        await _packet(sdk, "StateLockSubscribe", target="room", sequence=wire_long(1, True))
        base = {"target": "room", "lock": "L", "ttl": wire_long(0, True)}
        await _packet(sdk, "StateLockAcquire", **base, requestUuid="n", flags=wire_long(0, True))
        await _packet(
            sdk, "StateLockAcquire", **base, requestUuid="r", flags=wire_long(RETRY, True)
        )
        await _packet(
            sdk, "StateLockAcquire", **base, requestUuid="r", flags=wire_long(RETRY, True)
        )
        assert [("n", 7)] == _codes(sdk, "StateLockAcquireResult")
        await asyncio.sleep(0.05)
        assert 1 == len(_packets(sdk, "StateLockAcquireResult"))
        await bob.call("lock.releaseLock", "room", "MESSAGE", "L")
        await eventually(lambda: len(_packets(sdk, "StateLockAcquireResult")) == 2)
        tail = _packets(sdk, "StateLockSubscribeEvent", "StateLockAcquireResult")[-3:]
        assert ["StateLockSubscribeEvent"] * 2 + ["StateLockAcquireResult"] == [n for n, _ in tail]
        assert [
            (2, [("L", _state(10, "", 3))]),
            (2, [("L", _state(10, "alice", 4))]),
        ] == _lock_events(sdk)[-2:]
        assert ("r", 0, wire_long(4, True)) == (
            tail[2][1]["requestUuid"],
            tail[2][1]["code"],
            tail[2][1]["lockRev"],
        )
        await eventually(lambda: ("ACQUIRED", "L", "alice") in _locks(carol))
        assert [("RELEASED", "L", ""), ("ACQUIRED", "L", "alice")] == _locks(carol)[-2:]


async def test_logout_of_the_real_sdk_holder_releases_its_lock() -> None:
    """D-LK9 / D-RS2: sdk.logout frees the real SDK's lock at once (RELEASED to the
    withLock subscriber) and an ordinary client can take it."""
    async with running() as world:
        sdk = await sdk_user(world, "alice")
        carol = await world.user("carol")
        await carol.call("subscribe", "room", {"withLock": True, "withPresence": False})
        common = {
            "target": "room",
            "lock": "L",
            "flags": wire_long(0, True),
            "ttl": wire_long(0, True),
        }
        await _packet(
            sdk, "StateLockCreate", **{**common, "ttl": wire_long(10, True)}, requestUuid="c"
        )
        await _packet(sdk, "StateLockAcquire", **common, requestUuid="a")
        assert [("a", 0)] == _codes(sdk, "StateLockAcquireResult")
        bob = await world.user("bob")
        with pytest.raises(CallFailed):
            await bob.call("lock.acquireLock", "room", "MESSAGE", "L")
        await sdk_call(sdk, "sdk.logout", {})
        await eventually(lambda: ("RELEASED", "L", "") in _locks(carol))
        got = await bob.call("lock.acquireLock", "room", "MESSAGE", "L")
        assert "L" == got["lockName"]


async def test_revoke_and_remove_reach_the_real_sdk_holder_and_waiter() -> None:
    """D-LK6: StateLockDisable of a user who does not hold the lock is 2; an ordinary
    client's revokeLock of the real SDK's lock sends it StateLockUpdate code 8; D-LK7: a
    removal answers the real SDK's waiting acquire 13; D-LK5: a release of a lock it
    does not hold is 0."""
    async with running() as world:
        sdk = await sdk_user(world, "alice")
        bob = await world.user("bob")
        await bob.call("lock.setLock", "room", "MESSAGE", "L")
        common = {
            "target": "room",
            "lock": "L",
            "flags": wire_long(0, True),
            "ttl": wire_long(0, True),
        }
        await _packet(sdk, "StateLockAcquire", **common, requestUuid="a")
        await _packet(sdk, "StateLockDisable", **common, requestUuid="d", userId="bob")
        assert [("d", 2)] == _codes(sdk, "StateLockDisableResult")
        await bob.call("lock.revokeLock", "room", "MESSAGE", "L", "alice")
        await eventually(lambda: bool(_packets(sdk, "StateLockUpdate")))
        assert [
            (
                "StateLockUpdate",
                {"target": "room", "lock": "L", "flags": wire_long(0, True), "code": 8},
            )
        ] == _packets(sdk, "StateLockUpdate")
        await _packet(sdk, "StateLockRelease", **common, requestUuid="r")
        assert [("r", 0)] == _codes(sdk, "StateLockReleaseResult")
        await bob.call("lock.acquireLock", "room", "MESSAGE", "L")
        waiting = {**common, "flags": wire_long(RETRY, True)}
        await _packet(sdk, "StateLockAcquire", **waiting, requestUuid="w")
        await bob.call("lock.removeLock", "room", "MESSAGE", "L")
        await eventually(lambda: len(_codes(sdk, "StateLockAcquireResult")) == 2)
        assert [("a", 0), ("w", 13)] == _codes(sdk, "StateLockAcquireResult")
        await _packet(sdk, "StateLockDelete", **common, requestUuid="x")
        assert [("x", 13)] == _codes(sdk, "StateLockDeleteResult")


async def test_a_real_sdk_holder_back_in_time_keeps_its_lock_and_late_hears_expired() -> None:
    """D-LK8 / D-RS10: back before the lapse, the real SDK's reacquire is answered 0 with
    the same revision and nobody hears a change; down past detection + TTL, the lock
    lapses (RELEASED) and the session gets StateLockUpdate 8 when its link is back."""
    async with running() as world:
        control = await world.control()
        sdk = await sdk_user(world, "alice")
        carol = await world.user("carol")
        await carol.call("subscribe", "room", {"withLock": True, "withPresence": False})
        common = {
            "target": "room",
            "lock": "L",
            "flags": wire_long(0, True),
            "ttl": wire_long(10, True),
        }
        await _packet(sdk, "StateLockCreate", **common, requestUuid="c")
        await _packet(sdk, "StateLockAcquire", **common, requestUuid="a1")
        await control.control("disconnect", userId="alice")
        await control.control("reconnect", userId="alice")
        await control.control("advance", seconds=3)  # the retry at 2 s gets through
        await eventually(lambda: ("CONNECTING", "CONNECTED") in sdk.links())
        await _packet(sdk, "StateLockAcquire", **common, requestUuid="a2")
        assert [("a1", 0, wire_long(2, True)), ("a2", 0, wire_long(2, True))] == [
            (p["requestUuid"], p["code"], p["lockRev"])
            for _, p in _packets(sdk, "StateLockAcquireResult")
        ]
        assert [("SNAPSHOT", "", ""), ("SET", "L", ""), ("ACQUIRED", "L", "alice")] == _locks(carol)
        assert [] == _packets(sdk, "StateLockUpdate")
        await control.control("disconnect", userId="alice")
        await control.control("advance", seconds=60)
        await eventually(lambda: ("RELEASED", "L", "") in _locks(carol))
        assert [] == _packets(sdk, "StateLockUpdate")
        await control.control("reconnect", userId="alice")
        await control.control("advance", seconds=40)
        await eventually(lambda: bool(_packets(sdk, "StateLockUpdate")))
        assert [("room", "L", 8)] == [
            (p["target"], p["lock"], p["code"]) for _, p in _packets(sdk, "StateLockUpdate")
        ]
