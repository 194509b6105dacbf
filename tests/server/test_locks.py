"""Locks over the server (issue 17): the lock methods, ``lock`` events, a waiting
``retry`` acquire answered later, the ``inFlight`` frame key (R-LK9) and the order of a
logout's replies (R-LK14)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

pytest.importorskip("websockets")

from .support import CallFailed, Peer, running


def _locks(peer: Peer) -> list[tuple[str, str, str]]:
    return [
        (e["data"]["eventType"], e["data"]["lockName"], e["data"]["owner"])
        for e in peer.events
        if e["name"] == "lock"
    ]


def _frame(peer: Peer, method: str, *args: Any, **extra: Any) -> tuple[int, str]:
    peer._next_id += 1
    return peer._next_id, json.dumps(
        {"id": peer._next_id, "method": method, "params": list(args), **extra}
    )


async def test_an_election_over_the_server() -> None:
    """R-LK10, R-LK16, D-LK4, D-LK5: events reach the subscriber's socket; bob's retry
    acquire is answered when alice releases, after the RELEASED / ACQUIRED events."""
    async with running() as world:
        alice, bob, carol = [await world.user(u) for u in ("alice", "bob", "carol")]
        await carol.call("subscribe", "room", {"withLock": True, "withPresence": False})
        set_ = await alice.call("lock.setLock", "room", "MESSAGE", "L", {"ttl": 5})
        assert ["timestamp", "channelName", "channelType", "lockName"] == list(set_)
        got = await alice.call("lock.acquireLock", "room", "MESSAGE", "L")
        assert ["lockName", "channelName", "channelType", "timestamp"] == list(got)
        waiting = asyncio.ensure_future(
            bob.call("lock.acquireLock", "room", "MESSAGE", "L", {"retry": True})
        )
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await alice.call("lock.releaseLock", "room", "MESSAGE", "L")
        assert "L" == (await waiting)["lockName"]
        assert [
            ("SNAPSHOT", "", ""),
            ("SET", "L", ""),
            ("ACQUIRED", "L", "alice"),
            ("RELEASED", "L", ""),
            ("ACQUIRED", "L", "bob"),
        ] == _locks(carol)
        listed = await carol.call("lock.getLock", "room", "MESSAGE")
        assert [{"lockName": "L", "ttl": 10, "owner": "bob"}] == listed["lockDetails"]


async def test_in_flight_calls_are_refused_after_the_other_checks() -> None:
    """R-LK9: a frame naming the same call still in flight is -14003, but a bad name
    is still -14005 first; R-LK7: an acquire in flight means nothing is held yet."""
    async with running() as world:
        alice = await world.user("alice")
        await alice.call("lock.setLock", "room", "MESSAGE", "L")
        rid, raw = _frame(alice, "lock.setLock", "room", "MESSAGE", "L", inFlight=["setLock"])
        reply = await alice.send_raw(raw, rid)
        assert (-14003, "setLock") == (reply["error"]["errorCode"], reply["error"]["operation"])
        rid, raw = _frame(alice, "lock.setLock", "room", "MESSAGE", "_l", inFlight=["setLock"])
        assert -14005 == (await alice.send_raw(raw, rid))["error"]["errorCode"]
        await alice.call("lock.acquireLock", "room", "MESSAGE", "L")
        rid, raw = _frame(
            alice, "lock.releaseLock", "room", "MESSAGE", "L", inFlight=["acquireLock"]
        )
        assert -14006 == (await alice.send_raw(raw, rid))["error"]["errorCode"]
        bad = await alice.send_raw(
            json.dumps({"id": "x", "method": "lock.getLock", "params": [], "inFlight": True}), "x"
        )
        assert "error" == bad["type"]


async def test_a_logout_rejects_the_waiting_acquire_before_it_resolves() -> None:
    """R-LK14: the waiting acquire's -14007 (operation acquireLock) reaches the socket
    before the logout's own reply."""
    async with running() as world:
        alice, bob = await world.user("alice"), await world.user("bob")
        await alice.call("lock.setLock", "room", "MESSAGE", "L")
        await alice.call("lock.acquireLock", "room", "MESSAGE", "L")
        waiting = asyncio.ensure_future(
            bob.call("lock.acquireLock", "room", "MESSAGE", "L", {"retry": True})
        )
        await asyncio.sleep(0.05)
        await bob.call("logout")
        with pytest.raises(CallFailed) as caught:
            await waiting
        assert (-14007, "acquireLock") == (
            caught.value.error["errorCode"],
            caught.value.error["operation"],
        )
        replies = [f for f in bob.frames if f["type"] in ("result", "error")]
        assert "error" == replies[-2]["type"] and "result" == replies[-1]["type"]
