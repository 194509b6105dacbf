"""No peer holds the server (issue 15): what one connection may hold is bounded, and a
close the server asks for finishes in bounded time (docs/server.md, "Buffers and limits").

A peer over a limit (its unread frames, its queued requests, an ack it never sends, a
close it never answers) is dropped: its transport is aborted and the hub sees a socket
close, a network loss (R-T2) that a ``hello`` resume brings back.  Every wait below is a
failure bound (``asyncio.wait_for``), never a measurement.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import re
import socket
import struct
from typing import Any

import pytest

pytest.importorskip("websockets")

from rtm_emulator import ConfigError, LinkState
from rtm_emulator.server import EmulatorServer
from rtm_emulator.server._protocol import (
    ACK_TIMEOUT,
    CLOSE_TIMEOUT,
    HARD_FRAME_FACTOR,
    MAX_OUTBOX_BYTES,
    MAX_OUTBOX_FRAMES,
    MAX_QUEUED_REQUEST_BYTES,
    MAX_QUEUED_REQUESTS,
    ServerLimits,
)
from rtm_emulator.server._ws import beyond_loopback_warning
from tests.samples import sample

from .support import Peer, World, eventually, running

#: how long any awaited step may take before the test fails (generous: never a timing)
BOUND = 10.0
#: a state whose getState reply is about 260 KB
BIG_STATE = {f"k{i:02d}": "x" * 8192 for i in range(32)}


class RawClient:
    """A WebSocket client written by hand: it reads only when told to, and never
    answers a close frame (what a stuck or broken peer does)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.next_id = 0
        self.session: str | None = None

    @classmethod
    async def open(cls, url: str) -> RawClient:
        """Connect with a tiny receive buffer and do the opening handshake."""
        host, port = url.removeprefix("ws://").rsplit(":", 1)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
        reader, writer = await asyncio.open_connection(sock=sock, limit=1024)
        writer.write(
            (
                f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), BOUND)
        assert b" 101 " in head.split(b"\r\n", 1)[0], head
        return cls(reader, writer)

    def frame(self, text: str) -> bytes:
        """A masked text frame (an all-zero mask: legal, and the payload stays as is)."""
        payload = text.encode()
        size = len(payload)
        if size < 126:
            head = struct.pack("!BB", 0x81, 0x80 | size)
        elif size < 1 << 16:
            head = struct.pack("!BBH", 0x81, 0x80 | 126, size)
        else:
            head = struct.pack("!BBQ", 0x81, 0x80 | 127, size)
        return head + b"\0\0\0\0" + payload

    def request(self, method: str, params: Any = None) -> bytes:
        """The frame of a request (the next id)."""
        self.next_id += 1
        body: dict[str, Any] = {"id": self.next_id, "method": method}
        if params is not None:
            body["params"] = params
        return self.frame(json.dumps(body))

    async def send(self, *frames: bytes) -> None:
        self.writer.write(b"".join(frames))
        await self.writer.drain()

    async def read_frame(self) -> tuple[int, bytes]:
        """The next frame from the server (unmasked): (opcode, payload)."""
        first, second = await self.reader.readexactly(2)
        size = second & 0x7F
        if size == 126:
            (size,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif size == 127:
            (size,) = struct.unpack("!Q", await self.reader.readexactly(8))
        return first & 0x0F, await self.reader.readexactly(size)

    async def call(self, method: str, params: Any = None) -> dict[str, Any]:
        """Send a request and read frames until its reply (events are skipped)."""
        await self.send(self.request(method, params))
        want = self.next_id
        while True:
            opcode, payload = await asyncio.wait_for(self.read_frame(), BOUND)
            if opcode == 1:
                frame: dict[str, Any] = json.loads(payload)
                if frame.get("id") == want:
                    if method == "hello":
                        self.session = frame["result"]["session"]
                    return frame

    async def drain_forever(self) -> None:
        """Read and discard everything, close frames included (never answered)."""
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                await self.read_frame()

    def close(self) -> None:
        self.writer.transport.abort()


async def stuck_client(world: World, user: str = "stuck", *, replies: int = 4) -> RawClient:
    """A logged-in client in ``room`` with a big state, that then asks for ``replies``
    getState replies of ~260 KB and never reads them: the server's writer blocks."""
    raw = await RawClient.open(world.url)
    assert "result" == (await raw.call("hello", {"userId": user}))["type"]
    assert "result" == (await raw.call("login", []))["type"]
    assert "result" == (await raw.call("subscribe", ["room"]))["type"]
    reply = await raw.call("presence.setState", ["room", "MESSAGE", BIG_STATE])
    assert "result" == reply["type"], reply
    shrink_send_buffer(world.server, raw.session)
    get = [user, "room", "MESSAGE"]
    await raw.send(*(raw.request("presence.getState", get) for _ in range(replies)))
    return raw


def _link_of(server: EmulatorServer, token: str | None) -> Any:
    for conn, link in server._links.items():
        if conn.session is not None and conn.session.token == token:
            return link
    raise LookupError(token)


def shrink_send_buffer(server: EmulatorServer, token: str | None) -> None:
    """Make the server's kernel buffer for this session's socket small, so that a client
    that stops reading blocks the writer after a few KB on any machine."""
    sock = _link_of(server, token).ws.transport.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)


async def lost(world: World, token: str | None) -> None:
    """Wait until ``token``'s socket is gone and check it was a network loss (R-T2)."""
    session = world.server.hub.sessions[token]  # type: ignore[index]
    await eventually(lambda: session.conn is None, BOUND)
    assert session.network_cut, "a drop must be the socket close's network loss"
    assert LinkState.DISCONNECTED == session.client.link_state


# --------------------------------------------------------- reset, closes


async def test_reset_answers_in_bounded_time_behind_a_client_that_does_not_read() -> None:
    async with running() as world:
        raw = await stuck_client(world)
        link = _link_of(world.server, raw.session)
        await eventually(lambda: len(link.outbox) > 0, BOUND)  # the writer is blocked
        control = await world.control()
        info = await asyncio.wait_for(control.control("reset"), BOUND)
        assert 0 == info["sessions"]
        assert link.dropped is not None and "close 4001" in link.dropped, link.dropped
        assert [] == [c for c in world.server._links if c.session is not None]
        raw.close()


async def test_reset_does_not_wait_for_a_close_the_peer_never_answers() -> None:
    limits = ServerLimits(close_timeout=0.25)
    async with running(limits=limits) as world:
        raw = await RawClient.open(world.url)
        await raw.call("hello", {"userId": "mute"})
        link = _link_of(world.server, raw.session)
        draining = asyncio.create_task(raw.drain_forever())  # reads, never answers
        control = await world.control()
        # websockets' own close timeout is 10 s: the server's must be the one that counts
        await asyncio.wait_for(control.control("reset"), 5)
        assert link.dropped is not None and "not done within 0.25 s" in link.dropped
        await asyncio.wait_for(draining, BOUND)  # its socket is gone
        raw.close()


async def test_a_well_behaved_client_still_gets_the_reset_close_code() -> None:
    async with running(limits=ServerLimits(close_timeout=0.25)) as world:
        alice = await world.user("alice")
        control = await world.control()
        await control.control("reset")
        await asyncio.wait_for(alice.ws.wait_closed(), BOUND)
        assert (4001, "emulator reset") == (alice.ws.close_code, alice.ws.close_reason)


async def test_server_close_is_bounded_behind_a_client_that_does_not_read() -> None:
    server = EmulatorServer(limits=ServerLimits(close_timeout=0.25))
    await server.start()
    world = World(server)
    raw = await stuck_client(world)
    link = _link_of(server, raw.session)
    await eventually(lambda: len(link.outbox) > 0, BOUND)
    await asyncio.wait_for(server.close(), BOUND)
    assert link.dropped is not None and "shutdown" in link.dropped
    assert {} == server._links
    raw.close()


# ------------------------------------------------------------- outbox


async def test_a_client_whose_unread_frames_pass_the_byte_limit_is_a_network_loss(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limits = ServerLimits(outbox_bytes=600_000)
    async with running(limits=limits) as world:
        raw = await stuck_client(world, replies=8)  # ~2 MB of replies, never read
        await lost(world, raw.session)
        assert any("the client does not read" in r.getMessage() for r in caplog.records)
        control = await world.control()  # everyone else is served
        assert "nowMs" in await asyncio.wait_for(control.control("now"), BOUND)
        back = await world.peer()  # and the session resumes, as after any close
        hello = await back.request("hello", {"resume": raw.session, "ack": True})
        assert hello["result"]["resumed"] is True
        assert world.server.hub.sessions[raw.session].network_cut is False
        raw.close()


async def test_a_client_whose_unread_frames_pass_the_frame_limit_is_a_network_loss() -> None:
    async with running(limits=ServerLimits(outbox_frames=50)) as world:
        raw = await RawClient.open(world.url)
        await raw.call("hello", {"userId": "quiet"})
        await raw.call("login", [])
        shrink_send_buffer(world.server, raw.session)
        link = _link_of(world.server, raw.session)
        await raw.send(*(raw.request("control.now") for _ in range(3000)))  # ~70 B each
        await lost(world, raw.session)
        assert link.dropped is not None and "50 frames" in link.dropped, link.dropped
        raw.close()


async def test_one_reply_larger_than_the_outbox_limit_still_reaches_a_reader() -> None:
    async with running(limits=ServerLimits(outbox_bytes=10_000)) as world:
        alice = await world.user("alice")
        await alice.call("subscribe", "room")
        await alice.call("presence.setState", "room", "MESSAGE", BIG_STATE)
        state = await alice.call("presence.getState", "alice", "room", "MESSAGE")
        assert BIG_STATE == state["states"]


# ------------------------------------------------------ request queue


async def _held(world: World) -> Peer:
    """alice, in ``room``, asked for acks and holds them: a call whose events reach her
    waits (its connection's worker is blocked, its requests queue up)."""
    alice = await world.user("alice")
    await alice.call("subscribe", "room")
    alice.hold = True
    return alice


@pytest.mark.parametrize(
    ("limits", "pad", "named"),
    [
        (ServerLimits(queued_requests=8), 0, "over the limit of 8 requests"),
        (ServerLimits(queued_request_bytes=4000), 1000, "4000 characters"),
    ],
)
async def test_a_client_whose_requests_pile_up_past_the_queue_limits_is_a_network_loss(
    limits: ServerLimits, pad: int, named: str
) -> None:
    async with running(limits=limits) as world:
        alice = await _held(world)
        bob = await world.user("bob")
        await bob.ws.send(json.dumps({"id": "s", "method": "subscribe", "params": ["room"]}))
        await eventually(lambda: bool(alice.syncs), BOUND)  # bob's worker waits for alice
        link = _link_of(world.server, bob.session)
        for i in range(20):
            await bob.ws.send(f'{{"id": {i}, "method": "control.now"{" " * pad}}}')
        await lost(world, bob.session)
        assert link.dropped is not None and named in link.dropped, link.dropped
        await asyncio.wait_for(bob.ws.wait_closed(), BOUND)
        await alice.release()
        assert "nowMs" in await asyncio.wait_for(alice.control("now"), BOUND)


# --------------------------------------------------------------- acks


async def test_a_peer_that_never_acks_is_dropped_after_the_ack_timeout() -> None:
    async with running(limits=ServerLimits(ack_timeout=0.25)) as world:
        alice = await _held(world)
        bob = await world.user("bob")
        await asyncio.wait_for(bob.call("subscribe", "room"), BOUND)
        await lost(world, alice.session)
        await asyncio.wait_for(alice.ws.wait_closed(), BOUND)
        assert [("REMOTE_JOIN", "bob")] == alice.take()[-1:]  # she got the event, no ack


async def test_without_an_ack_timeout_the_caller_waits_for_the_ack() -> None:
    async with running(limits=ServerLimits(ack_timeout=None)) as world:
        alice = await _held(world)
        bob = await world.user("bob")
        subscribing = asyncio.create_task(bob.call("subscribe", "room"))
        await eventually(lambda: bool(alice.syncs), BOUND)
        done, _ = await asyncio.wait({subscribing}, timeout=0.3)
        assert not done, "the reply must wait for alice's ack"
        await alice.release()
        await asyncio.wait_for(subscribing, BOUND)
        assert world.server.hub.sessions[alice.session].conn is not None


# ------------------------------------------------------- frame sizes


async def test_the_hard_frame_limit_is_twice_max_frame_bytes() -> None:
    async with running(max_frame_bytes=4096) as world:
        assert HARD_FRAME_FACTOR * 4096 == world.server.hard_frame_limit
        peer = await world.peer()
        over = json.dumps({"id": 1, "method": "control.now", "params": {"x": "y" * 6000}})
        reply = await peer.send_raw(over, 1)
        assert -32001 == reply["error"]["errorCode"]  # answered, the socket stays open
        await peer.ws.send("y" * (HARD_FRAME_FACTOR * 4096 + 1))
        await asyncio.wait_for(peer.ws.wait_closed(), BOUND)
        assert 1009 == peer.ws.close_code


# ------------------------------------------------- limits, the warning


def test_the_default_limits_are_the_module_constants() -> None:
    assert (
        ServerLimits(
            CLOSE_TIMEOUT,
            ACK_TIMEOUT,
            MAX_OUTBOX_BYTES,
            MAX_OUTBOX_FRAMES,
            MAX_QUEUED_REQUESTS,
            MAX_QUEUED_REQUEST_BYTES,
        )
        == ServerLimits()
        == EmulatorServer().limits
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"close_timeout": 0},
        {"close_timeout": None},
        {"close_timeout": math.inf},
        {"ack_timeout": -1},
        {"ack_timeout": math.nan},
        {"outbox_bytes": 1.5},
        {"outbox_frames": True},
        {"queued_requests": 0},
        {"queued_request_bytes": "8"},
    ],
)
def test_a_bad_limit_is_a_config_error_naming_it(bad: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as caught:
        ServerLimits(**bad)
    (name,) = bad
    assert f"limits.{name}" in (caught.value.detail or "")


def test_limits_must_be_server_limits() -> None:
    with pytest.raises(ConfigError):
        EmulatorServer(limits={"close_timeout": 1})  # type: ignore[arg-type]


async def test_binding_beyond_loopback_logs_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="rtm_emulator.server")
    async with EmulatorServer(host="127.0.0.1"):
        pass
    assert [] == caplog.records
    for allow in (False, True):
        caplog.clear()
        async with EmulatorServer(host="0.0.0.0", allow_remote_control=allow):
            pass
        messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert [beyond_loopback_warning("0.0.0.0", allow)] == messages
        assert "0.0.0.0" in messages[0] and "--allow-remote-control" in messages[0]
        assert ("ON for anyone" in messages[0]) is allow
    assert beyond_loopback_warning("::1", False) is None
    assert beyond_loopback_warning("localhost", True) is None


def test_the_docs_limits_sample_runs(capsys: pytest.CaptureFixture[str]) -> None:
    exec(sample("server-limits"), {"__name__": "sample"})
    out = capsys.readouterr().out.split()
    assert re.fullmatch(r"ws://127\.0\.0\.1:\d+", out[0]), out
    assert [str(MAX_OUTBOX_FRAMES), str(HARD_FRAME_FACTOR << 20)] == out[1:]
