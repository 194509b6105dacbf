"""Helpers for the server tests: an in-process server and a small protocol client.

``Peer`` is a minimal client of the protocol (docs/server.md): a reader task records
events, answers an event's ``sync`` with an ack (unless told not to), and resolves
calls by id.
Test modules call ``pytest.importorskip("websockets")`` before importing this.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from rtm_emulator.server import EmulatorServer


class CallFailed(Exception):
    """An error reply: ``.error`` is its ``error`` dict (an RTM error: the SDK's fields
    plus ``detail``; a protocol error: ``{error, operation, errorCode, reason}``), or
    ``{}`` for a JS exception frame, whose ``{name, message}`` is ``.exception``."""

    def __init__(self, reply: dict[str, Any]) -> None:
        super().__init__(reply)
        self.error: dict[str, Any] = reply.get("error", {})
        self.exception: dict[str, Any] | None = reply.get("exception")


class Peer:
    """One WebSocket connection speaking the server protocol."""

    def __init__(self, ws: ClientConnection, *, ack: bool = True) -> None:
        self.ws = ws
        self.ack = ack
        self.events: list[dict[str, Any]] = []
        #: the ``view`` frames (topic views, ``hello {"topicView": true}``) so far
        self.views: list[dict[str, Any]] = []
        self.frames: list[dict[str, Any]] = []
        self.syncs: list[int] = []
        #: while set, sync frames are recorded but not acknowledged (see release())
        self.hold = False
        #: seconds a call may take before the test fails
        self.timeout = 30.0
        self._next_id = 0
        #: the session token of this peer's last successful ``hello`` (None before)
        self.session: str | None = None
        self._pending: dict[int | str | None, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                self.frames.append(frame)
                kind = frame["type"]
                if kind in ("event", "view"):
                    (self.events if kind == "event" else self.views).append(frame)
                    if "sync" in frame:
                        self.syncs.append(frame["sync"])
                        if self.ack and not self.hold:
                            await self.ws.send(json.dumps({"ack": frame["sync"]}))
                else:
                    future = self._pending.pop(frame["id"], None)
                    if future is not None and not future.done():
                        future.set_result(frame)
        except Exception:  # the socket closed under us
            pass
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError("socket closed"))

    async def send_raw(
        self, data: str | bytes, expect_id: int | str | None = None
    ) -> dict[str, Any]:
        """Send a raw frame and wait for the reply with ``expect_id`` (None: id-less)."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[expect_id] = future
        await self.ws.send(data)
        return await asyncio.wait_for(future, self.timeout)

    async def request(self, method: str, params: Any = None) -> dict[str, Any]:
        """Send a request and return its reply frame (result or error)."""
        self._next_id += 1
        frame: dict[str, Any] = {"id": self._next_id, "method": method}
        if params is not None:
            frame["params"] = params
        reply = await self.send_raw(json.dumps(frame), self._next_id)
        if method == "hello" and reply["type"] == "result":
            self.session = reply["result"]["session"]
        return reply

    async def call(self, method: str, *args: Any) -> Any:
        """An RTM method with positional args; returns the result or raises CallFailed."""
        reply = await self.request(method, list(args))
        if reply["type"] == "error":
            raise CallFailed(reply)
        return reply["result"]

    async def control(self, method: str, **params: Any) -> Any:
        """A control method with named params; returns the result or raises CallFailed."""
        reply = await self.request(f"control.{method}", params)
        if reply["type"] == "error":
            raise CallFailed(reply)
        return reply["result"]

    async def release(self) -> None:
        """Stop holding acks and acknowledge the last sync received."""
        self.hold = False
        if self.syncs:
            await self.ws.send(json.dumps({"ack": self.syncs[-1]}))

    def presence(self) -> list[tuple[str, str]]:
        """(eventType, publisher) of every presence event so far."""
        return [
            (e["data"]["eventType"], e["data"]["publisher"])
            for e in self.events
            if e["name"] == "presence"
        ]

    def take(self) -> list[tuple[str, str]]:
        """``presence()``, clearing the record."""
        seen = self.presence()
        self.events.clear()
        return seen

    def links(self) -> list[tuple[str, str]]:
        return [
            (e["data"]["previousState"], e["data"]["currentState"])
            for e in self.events
            if e["name"] == "linkState"
        ]

    async def close(self) -> None:
        await self.ws.close()
        await self._reader


class World:
    """A running server and a factory of peers on it."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.url = server.url
        self.peers: list[Peer] = []

    async def peer(self, *, ack: bool = True) -> Peer:
        ws = await connect(self.url, compression=None, max_size=None, proxy=None)
        peer = Peer(ws, ack=ack)
        self.peers.append(peer)
        return peer

    async def user(self, user_id: str, *, login: bool = True, **hello: Any) -> Peer:
        """A peer with a session for ``user_id`` (logged in unless told otherwise)."""
        peer = await self.peer()
        reply = await peer.request("hello", {"userId": user_id, "ack": True, **hello})
        assert reply["type"] == "result", reply
        if login:
            await peer.call("login")
        return peer

    async def in_room(self, *user_ids: str, channel: str = "room") -> list[Peer]:
        """Logged-in peers for ``user_ids``, each subscribed to ``channel`` in turn."""
        peers = []
        for user_id in user_ids:
            peer = await self.user(user_id)
            await peer.call("subscribe", channel)
            peers.append(peer)
        return peers

    async def control(self) -> Peer:
        return await self.peer()


async def eventually(predicate: Any, timeout: float = 5.0) -> None:
    """Wait (polling the loop) until ``predicate()`` is true; fail after ``timeout`` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)


@asynccontextmanager
async def running(**kwargs: Any) -> AsyncIterator[World]:
    """An EmulatorServer on a free loopback port for the duration of the block."""
    async with EmulatorServer(**kwargs) as server:
        world = World(server)
        try:
            yield world
        finally:
            for peer in world.peers:
                await peer.ws.close()


# ----------------------------------------------------------------- real-SDK sessions


async def sdk_user(world: World, user_id: str, **hello: Any) -> Peer:
    """A real-SDK session (``hello {"sdk": "2.3.0"}``, docs/real-sdk.md), logged in."""
    peer = await world.user(user_id, login=False, sdk="2.3.0", **hello)
    await sdk_call(peer, "sdk.login", {})
    return peer


async def sdk_call(peer: Peer, method: str, params: dict[str, Any]) -> Any:
    """An ``sdk.*`` request; returns its result or raises :class:`CallFailed`."""
    reply = await peer.request(method, params)
    if reply["type"] == "error":
        raise CallFailed(reply)
    return reply["result"]


def wire_long(n: int, unsigned: bool = False) -> dict[str, Any]:
    """A 64-bit integer of a packet on the wire."""
    return {"$long": str(n), "unsigned": unsigned}
