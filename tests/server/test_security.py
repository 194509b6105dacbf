"""Issue 15, "Security": no browser page, rebound host name or guessed token drives the
server, and the control API is off beyond loopback unless enabled (docs/server.md,
"Who may connect")."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from pathlib import Path

import pytest

pytest.importorskip("websockets")

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from rtm_emulator import ConfigError
from rtm_emulator.server import EmulatorServer

from .support import running

ROOT = Path(__file__).resolve().parents[2]


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


async def handshake(port: int, headers: dict[str, str]) -> tuple[int, str]:
    """A WebSocket upgrade sent by hand to 127.0.0.1:``port`` with exactly ``headers``
    (besides the upgrade's own); returns (HTTP status, body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [
        "GET / HTTP/1.1",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    status = int(head.split(b" ", 2)[1])
    body = b""
    length = re.search(rb"(?i)content-length: *(\d+)", head)
    if length:
        body = await asyncio.wait_for(reader.readexactly(int(length.group(1))), 10)
    writer.close()
    return status, body.decode()


async def _info(url: str, **kwargs: object) -> dict[str, object]:
    async with connect(url, proxy=None, **kwargs) as ws:  # type: ignore[arg-type]
        await ws.send(json.dumps({"id": 1, "method": "control.info"}))
        reply: dict[str, object] = json.loads(await ws.recv())
        return reply


# ------------------------------------------------------------------ Origin


@pytest.mark.parametrize(
    "origin",
    [
        None,  # Node, ws, Python: no Origin header
        "http://localhost:5173",
        "http://127.0.0.1",
        "https://127.0.0.1:8443",
        "http://[::1]:3000",
        "HTTP://LOCALHOST:80",
    ],
)
async def test_clients_without_an_origin_and_loopback_pages_are_admitted(
    origin: str | None,
) -> None:
    async with running() as world:
        reply = await _info(world.url, origin=origin)
        assert "result" == reply["type"], reply


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "https://evil.example:443",
        "http://localhost.evil.example",
        "http://127.0.0.1.evil.example",
        "null",  # a file:// page or a sandboxed frame
        "file://",
        "http://192.168.1.20:8080",
    ],
)
async def test_pages_at_other_origins_get_403_naming_the_flag(origin: str) -> None:
    async with running() as world:
        status, body = await handshake(
            _port(world.url), {"Host": f"127.0.0.1:{_port(world.url)}", "Origin": origin}
        )
        assert 403 == status
        assert 1 == len(body.strip().splitlines()), body
        assert repr(origin) in body and f"--allow-origin {origin}" in body, body
        with pytest.raises(InvalidStatus) as caught:
            await _info(world.url, origin=origin)
        assert 403 == caught.value.response.status_code
        assert {} == world.server.hub.sessions


async def test_allow_origins_admits_the_named_origin_only_and_star_any() -> None:
    async with running(allow_origins=["http://devbox:5173/"]) as world:
        assert "result" == (await _info(world.url, origin="http://devbox:5173"))["type"]
        with pytest.raises(InvalidStatus):
            await _info(world.url, origin="http://devbox:5174")
    async with running(allow_origins=["*"]) as world:
        assert "result" == (await _info(world.url, origin="http://evil.example"))["type"]
        status, _ = await handshake(_port(world.url), {"Host": "evil.example"})
        assert 101 == status


@pytest.mark.parametrize("bad", ["", "devbox", "devbox:5173", 5173])
def test_a_malformed_allowed_origin_is_a_config_error(bad: object) -> None:
    with pytest.raises(ConfigError) as caught:
        EmulatorServer(allow_origins=[bad])  # type: ignore[list-item]
    assert "allow_origins" in (caught.value.detail or "")


# -------------------------------------------------------------------- Host


async def test_a_dns_rebound_host_name_is_refused_and_loopback_hosts_are_not() -> None:
    async with running() as world:
        port = _port(world.url)
        status, body = await handshake(port, {"Host": f"evil.example:{port}"})
        assert 403 == status
        assert f"'evil.example:{port}'" in body and "--allow-origin" in body, body
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "localhost"):
            status, body = await handshake(port, {"Host": host})
            assert 101 == status, (host, body)
        # a page on loopback reaching the server under a rebound name: still refused
        status, _ = await handshake(
            port, {"Host": f"evil.example:{port}", "Origin": "http://localhost:5173"}
        )
        assert 403 == status
        status, _ = await handshake(port, {})  # no Host at all
        assert 400 <= status < 500


async def test_an_allowed_origin_s_host_may_be_named_in_host() -> None:
    async with running(allow_origins=["http://emulator:9000"]) as world:
        port = _port(world.url)
        assert 101 == (await handshake(port, {"Host": f"emulator:{port}"}))[0]
        assert 403 == (await handshake(port, {"Host": f"other:{port}"}))[0]


# ---------------------------------------------------------------- sessions


async def test_session_tokens_are_unguessable_and_a_guess_cannot_resume() -> None:
    async with running() as world:
        alice = await world.user("alice")
        bob = await world.user("bob")
        tokens = [alice.session, bob.session]
        for token in tokens:
            assert isinstance(token, str) and re.fullmatch(r"[A-Za-z0-9_-]{20,}", token), token
        assert tokens[0] != tokens[1]
        thief = await world.peer()
        for guess in ("s1", "s2", "1", "alice"):
            refused = await thief.request("hello", {"resume": guess})
            assert -32002 == refused["error"]["errorCode"], guess
        assert world.server.hub.sessions[tokens[0]].conn is not None  # alice keeps hers


# ----------------------------------------------------- beyond loopback


async def test_control_is_refused_when_bound_beyond_loopback_unless_allowed() -> None:
    async with EmulatorServer(host="0.0.0.0") as server:
        url = f"ws://127.0.0.1:{_port(server.url)}"
        reply = await _info(url)
        assert "error" == reply["type"], reply
        error = reply["error"]
        assert isinstance(error, dict)
        assert (-32601, "control.info") == (error["errorCode"], error["operation"])
        assert "--allow-remote-control" in error["reason"]
        async with connect(url, proxy=None) as ws:  # the SDK methods still work
            await ws.send(json.dumps({"id": 1, "method": "hello", "params": {"userId": "a"}}))
            assert "result" == json.loads(await ws.recv())["type"]
    async with EmulatorServer(host="0.0.0.0", allow_remote_control=True) as server:
        reply = await _info(f"ws://127.0.0.1:{_port(server.url)}")
        assert "result" == reply["type"], reply
    async with EmulatorServer(host="127.0.0.1") as server:
        assert not server.control_refused
        assert "result" == (await _info(server.url))["type"]


async def test_serve_beyond_loopback_warns_and_takes_allow_origin() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "rtm_emulator",
        "serve",
        "--host",
        "0.0.0.0",
        "--allow-origin",
        "http://devbox:5173",
        "--allow-origin",
        "http://devbox:5174",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().strip()
        assert re.fullmatch(r"ws://0\.0\.0\.0:\d+", line), line
        url = f"ws://127.0.0.1:{_port(line)}"
        reply = await _info(url, origin="http://devbox:5174")
        assert "error" == reply["type"] and "--allow-remote-control" in str(reply)
        with pytest.raises(InvalidStatus):
            await _info(url, origin="http://evil.example")
    finally:
        proc.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(proc.wait(), 30)
    assert 0 == status
    err = (await proc.stderr.read()).decode()
    warnings = [x for x in err.splitlines() if "warning" in x]
    assert 1 == len(warnings), err
    assert "0.0.0.0" in warnings[0] and "--allow-remote-control" in warnings[0]
    assert "refused a WebSocket from a page at origin 'http://evil.example'" in err


async def test_serve_on_loopback_does_not_warn() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "rtm_emulator",
        "serve",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().strip()
        assert "result" == (await _info(line))["type"]
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
    assert "warning" not in (await proc.stderr.read()).decode()
