"""1,000 concurrent clients on one server (loopback; correctness, not speed)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

pytest.importorskip("websockets")

from .support import Peer, running

CLIENTS = 1000
ROOMS = 100


def room(i: int) -> str:
    return f"room{i % ROOMS:03d}"


async def test_a_thousand_concurrent_clients() -> None:
    async with running() as world:
        control = await world.control()
        peers: dict[str, Peer] = {}

        async def one(i: int) -> None:
            uid = f"u{i:04d}"
            peers[uid] = peer = await world.user(uid)
            await peer.call("subscribe", room(i))
            await peer.call("presence.setState", room(i), "MESSAGE", {"i": str(i)})

        await asyncio.gather(*(one(i) for i in range(CLIENTS)))
        assert CLIENTS == len(world.server.hub.sessions)
        for r in range(ROOMS):
            users = await control.control("onlineUsers", channelName=room(r), channelType="MESSAGE")
            assert [f"u{i:04d}" for i in range(r, CLIENTS, ROOMS)] == users
        assert {} == await control.control("checkInvariants")
        per_room = CLIENTS // ROOMS
        joins: Counter[str] = Counter()
        for i in range(CLIENTS):
            uid = f"u{i:04d}"
            seen = peers[uid].presence()
            assert 1 == seen.count(("SNAPSHOT", "")), uid
            assert all(publisher != uid for _, publisher in seen), uid
            joins[room(i)] += sum(kind == "REMOTE_JOIN" for kind, _ in seen)
        # of every two users in a room, exactly one heard the other arrive
        assert {room(r): per_room * (per_room - 1) // 2 for r in range(ROOMS)} == joins

        await asyncio.gather(*(peers[uid].call("logout") for uid in peers))
        await control.control("advance", seconds=2)
        for r in range(ROOMS):
            assert [] == await control.control(
                "onlineUsers", channelName=room(r), channelType="MESSAGE"
            )
        assert all(p.ws.close_code is None for p in world.peers)  # every socket still open
