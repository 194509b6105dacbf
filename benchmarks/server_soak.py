"""Bounded loopback soak of the server: churn, bad peers, resets; memory must stay flat.

Starts the server as a subprocess on 127.0.0.1 (port 0; ``rtm_emulator.server.run`` with
the default limits but a ``--ack-timeout`` short enough to fire during the run), then
keeps ``--workers`` client lifecycles running for ``--seconds``:

- most are well-behaved: connect, ``hello`` (acks on), ``login``, ``subscribe``,
  ``setState``, ``getOnlineUsers``, ``logout``, close (as the JS client does);
- every 8th stops reading: it sets a 256 KiB state and asks for its ``getState`` 64
  times without reading a reply (about 17 MB, more than the kernel's socket buffers
  and the 8 MiB outbox limit): the server must drop it, not buffer it;
- every 8th (another one) sends malformed frames: not JSON, binary, a lone surrogate,
  nesting 100 deep, a frame over ``--max-frame-bytes`` (-32001), then one over the hard
  limit (the server closes it, 1009);
- every 16th never acks: it sits in a room where a well-behaved client then calls, so
  that call waits ``--ack-timeout`` and the server drops the silent one;
- every ``--reset-every`` seconds a control client calls ``control.reset`` while a
  client that reads but never answers a close is connected (the reset must still reply
  in about the close timeout).

The server's resident memory (``VmRSS`` of its process, from ``/proc``) is sampled every
second; the table shows it after the warm-up and at the end, with the counts of what
was tried and of the connections the server dropped (its WARNING lines).  The server
runs with ``MALLOC_MMAP_THRESHOLD_=65536`` (``--glibc-default`` leaves glibc alone): the
256 KiB replies then live in their own mappings, which go back to the system when
freed, so RSS shows what the server holds rather than glibc's heap high-water mark
(with the default, RSS climbs in steps to the peak of the bad clients' outboxes and
stays there).  Without resets (``--reset-every 0``), the sessions of the dropped
clients stay, as after any network loss, with their engine clients and 256 KiB states:
memory then grows with them, by design.  It stops by
itself (a fixed duration, then every client closed and the server terminated in a
``finally``).  Linux only (``/proc``); loopback only.

    python3 benchmarks/server_soak.py              # ~90 s (40 s warm-up)
    python3 benchmarks/server_soak.py --quick      # ~10 s
    python3 benchmarks/server_soak.py --reset-every 0 --json out.json
    python3 benchmarks/server_soak.py --glibc-default
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import signal
import socket
import struct
import sys
import time
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "SoakSoakSoakSoakSoakSoakSoakSoak"
BIG_STATE = {f"k{i:02d}": "x" * 8192 for i in range(32)}

#: the server: ``run`` with the default limits except the ack timeout
SERVER = """
import asyncio, signal, sys
from rtm_emulator.server import run
from rtm_emulator.server._protocol import ServerLimits

async def main():
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    limits = ServerLimits(ack_timeout=float(sys.argv[1]))
    await run(max_frame_bytes=int(sys.argv[2]), limits=limits, stop=stop,
              ready=lambda url: print(url, flush=True))

asyncio.run(main())
"""


#: the server's reasons for dropping a connection (its log lines) -> a short name
DROPS = {
    "does not read": "outbox limit",
    "waiting to run": "request queue limit",
    "no ack": "ack timeout",
    "not done within": "close timeout",
}


def rss_kib(pid: int) -> int:
    """The resident set size of process ``pid`` in KiB (``/proc/PID/status``)."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    if match is None:
        raise RuntimeError(f"no VmRSS for process {pid}")
    return int(match.group(1))


class Stats:
    """What the clients tried and saw."""

    def __init__(self) -> None:
        self.connections = 0
        self.frames = 0  # frames sent by clients
        self.calls = 0  # requests among them
        self.lifecycles: dict[str, int] = {}
        self.errors: dict[str, int] = {}
        self.resets = 0
        self.reset_seconds: list[float] = []

    def count(self, kind: str) -> None:
        self.lifecycles[kind] = self.lifecycles.get(kind, 0) + 1

    def error(self, kind: str, exc: BaseException) -> None:
        key = f"{kind}: {type(exc).__name__}"
        self.errors[key] = self.errors.get(key, 0) + 1


class Client:
    """A protocol client over the websockets library: calls by id, acks on request."""

    def __init__(self, ws: ClientConnection, stats: Stats, *, ack: bool = True) -> None:
        self.ws = ws
        self.stats = stats
        self.ack = ack
        self.next_id = 0
        self.pending: dict[Any, asyncio.Future[dict[str, Any]]] = {}
        self.reader = asyncio.create_task(self.read())

    @classmethod
    async def open(cls, url: str, stats: Stats, *, ack: bool = True) -> Client:
        ws = await connect(url, compression=None, max_size=None, proxy=None)
        stats.connections += 1
        return cls(ws, stats, ack=ack)

    async def read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.ws:
                frame = json.loads(raw)
                if frame.get("type") == "event":
                    if "sync" in frame and self.ack:
                        await self.send(json.dumps({"ack": frame["sync"]}), call=False)
                    continue
                future = self.pending.pop(frame.get("id"), None)
                if future is not None and not future.done():
                    future.set_result(frame)
        for future in self.pending.values():
            if not future.done():
                future.set_exception(ConnectionError("socket closed"))

    async def send(self, data: str | bytes, *, call: bool = True) -> None:
        self.stats.frames += 1
        self.stats.calls += call
        await self.ws.send(data)

    async def raw(self, data: str | bytes, request_id: Any) -> dict[str, Any]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[request_id] = future
        try:
            await self.send(data)
            return await asyncio.wait_for(future, 60)
        finally:
            self.pending.pop(request_id, None)
            if future.done() and not future.cancelled():
                future.exception()  # retrieved: the socket closed while sending

    async def call(self, method: str, params: Any = None) -> dict[str, Any]:
        self.next_id += 1
        body: dict[str, Any] = {"id": self.next_id, "method": method}
        if params is not None:
            body["params"] = params
        return await self.raw(json.dumps(body), self.next_id)

    async def close(self) -> None:
        await self.ws.close()
        await self.reader


class RawClient:
    """A WebSocket client by hand (asyncio streams, tiny receive buffer): it reads only
    when told to and never answers a close frame."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.next_id = 0

    @classmethod
    async def open(cls, url: str, stats: Stats) -> RawClient:
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
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"handshake refused: {head[:80]!r}")
        stats.connections += 1
        return cls(reader, writer)

    def request(self, method: str, params: Any = None) -> bytes:
        self.next_id += 1
        body: dict[str, Any] = {"id": self.next_id, "method": method}
        if params is not None:
            body["params"] = params
        payload = json.dumps(body).encode()
        size = len(payload)
        if size < 126:
            head = struct.pack("!BB", 0x81, 0x80 | size)
        elif size < 1 << 16:
            head = struct.pack("!BBH", 0x81, 0x80 | 126, size)
        else:
            head = struct.pack("!BBQ", 0x81, 0x80 | 127, size)
        return head + b"\0\0\0\0" + payload  # an all-zero mask: legal, payload as is

    async def read_frame(self) -> tuple[int, bytes]:
        first, second = await self.reader.readexactly(2)
        size = second & 0x7F
        if size == 126:
            (size,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif size == 127:
            (size,) = struct.unpack("!Q", await self.reader.readexactly(8))
        return first & 0x0F, await self.reader.readexactly(size)

    async def call(self, stats: Stats, method: str, params: Any = None) -> dict[str, Any]:
        self.writer.write(self.request(method, params))
        stats.frames += 1
        stats.calls += 1
        want = self.next_id
        while True:
            opcode, payload = await asyncio.wait_for(self.read_frame(), 60)
            if opcode == 1:
                frame: dict[str, Any] = json.loads(payload)
                if frame.get("id") == want:
                    return frame

    async def drain_forever(self) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                await self.read_frame()

    def abort(self) -> None:
        self.writer.transport.abort()


# ------------------------------------------------------------ lifecycles


async def well_behaved(url: str, stats: Stats, n: int) -> None:
    client = await Client.open(url, stats)
    room = f"room{n % 16}"
    try:
        await client.call("hello", {"userId": f"u{n}", "appId": APP_ID, "ack": True})
        await client.call("login", [])
        await client.call("subscribe", [room])
        await client.call("presence.setState", [room, "MESSAGE", {"n": str(n)}])
        await client.call("presence.getOnlineUsers", [room, "MESSAGE", {"includedState": True}])
        await client.call("logout", [])  # as the JS client does before it closes
    finally:
        await client.close()


async def stops_reading(url: str, stats: Stats, n: int) -> None:
    raw = await RawClient.open(url, stats)
    try:
        user, room = f"stuck{n}", f"stuck{n}"
        await raw.call(stats, "hello", {"userId": user, "appId": APP_ID})
        await raw.call(stats, "login", [])
        await raw.call(stats, "subscribe", [room])
        await raw.call(stats, "presence.setState", [room, "MESSAGE", BIG_STATE])
        frames = [raw.request("presence.getState", [user, room, "MESSAGE"]) for _ in range(64)]
        raw.writer.write(b"".join(frames))
        stats.frames += len(frames)
        stats.calls += len(frames)
        for _ in range(100):  # never read: the server drops it at its outbox limit (RST)
            if raw.writer.transport.is_closing():
                break
            await asyncio.sleep(0.1)
            raw.writer.write(raw.request("control.now"))  # notices the drop
            stats.frames += 1
            stats.calls += 1
        else:
            raise RuntimeError("a client that does not read was not dropped within 10 s")
    finally:
        raw.abort()


async def malformed(url: str, stats: Stats, n: int, max_frame_bytes: int) -> None:
    client = await Client.open(url, stats)
    try:
        frames: list[tuple[str | bytes, Any]] = [
            ("{oops", None),
            (b"\x00\x01\x02", None),
            ('{"id":2,"method":"hello","params":{"userId":"a\\ud800"}}', 2),
            ('{"id":3,"method":"x","params":' + "[" * 100 + "]" * 100 + "}", 3),
            ('{"id":4,"method":"control.now","params":{"x":"' + "y" * max_frame_bytes + '"}}', 4),
        ]
        for data, request_id in frames:
            reply = await client.raw(data, request_id)
            if reply.get("type") != "error":
                raise RuntimeError(f"a bad frame was accepted: {reply}")
        await client.send("z" * (2 * max_frame_bytes + 1), call=False)  # over the hard limit
        await asyncio.wait_for(client.ws.wait_closed(), 30)
        if client.ws.close_code != 1009:
            raise RuntimeError(f"expected close 1009, got {client.ws.close_code}")
    finally:
        await client.close()


async def never_acks(url: str, stats: Stats, n: int, ack_timeout: float) -> None:
    room = f"silent{n}"
    silent = await Client.open(url, stats, ack=False)
    caller = await Client.open(url, stats)
    try:
        await silent.call("hello", {"userId": f"silent{n}", "appId": APP_ID, "ack": True})
        await silent.call("login", [])
        await silent.call("subscribe", [room])
        await caller.call("hello", {"userId": f"caller{n}", "appId": APP_ID, "ack": True})
        await caller.call("login", [])
        await asyncio.wait_for(caller.call("subscribe", [room]), ack_timeout + 30)
        await caller.call("logout", [])
    finally:
        await caller.close()
        await silent.close()


async def resetter(url: str, stats: Stats, every: float, stop: asyncio.Event) -> None:
    control = await Client.open(url, stats)
    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
            if stop.is_set():
                return
            mute = await RawClient.open(url, stats)  # reads, never answers the close
            await mute.call(stats, "hello", {"userId": "mute", "appId": APP_ID})
            draining = asyncio.create_task(mute.drain_forever())
            start = time.perf_counter()
            await asyncio.wait_for(control.call("control.reset"), 30)
            stats.reset_seconds.append(time.perf_counter() - start)
            stats.resets += 1
            await asyncio.wait_for(draining, 30)
            mute.abort()
    finally:
        await control.close()


async def worker(
    url: str, stats: Stats, args: argparse.Namespace, index: int, stop: asyncio.Event
) -> None:
    n = index
    while not stop.is_set():
        kind = "well-behaved"
        try:
            if n % 8 == 3:
                kind = "stops reading"
                await stops_reading(url, stats, n)
            elif n % 8 == 5:
                kind = "malformed"
                await malformed(url, stats, n, args.max_frame_bytes)
            elif n % 16 == 7:
                kind = "never acks"
                await never_acks(url, stats, n, args.ack_timeout)
            else:
                await well_behaved(url, stats, n)
            stats.count(kind)
        except (OSError, EOFError, ConnectionClosed, RuntimeError, TimeoutError) as exc:
            stats.error(kind, exc)  # e.g. a reset closed the socket mid-lifecycle
        n += args.workers


# ------------------------------------------------------------------ run


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    env = dict(os.environ)
    if not args.glibc_default:
        env["MALLOC_MMAP_THRESHOLD_"] = "65536"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SERVER,
        str(args.ack_timeout),
        str(args.max_frame_bytes),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    drops: dict[str, int] = {}

    async def watch_stderr(stream: asyncio.StreamReader) -> None:
        async for line in stream:
            text = line.decode(errors="replace")
            if "dropped connection" in text:
                why = next((v for k, v in DROPS.items() if k in text), "other")
                drops[why] = drops.get(why, 0) + 1
            elif any(k in text for k in ("Traceback", "internal error", "exception")):
                drops["server errors"] = drops.get("server errors", 0) + 1

    watcher = asyncio.create_task(watch_stderr(proc.stderr))
    stats = Stats()
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    samples: list[tuple[float, int]] = []
    try:
        url = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().strip()
        if not url.startswith("ws://127.0.0.1:"):
            raise RuntimeError(f"unexpected server URL {url!r}")
        start = time.perf_counter()
        samples.append((0.0, rss_kib(proc.pid)))
        tasks = [
            asyncio.create_task(worker(url, stats, args, i, stop)) for i in range(args.workers)
        ]
        if args.reset_every > 0:
            tasks.append(asyncio.create_task(resetter(url, stats, args.reset_every, stop)))
        warm: dict[str, Any] = {}
        while (elapsed := time.perf_counter() - start) < args.seconds:
            await asyncio.sleep(1.0)
            samples.append((round(elapsed, 1), rss_kib(proc.pid)))
            if not warm and elapsed >= args.warmup:
                warm = {"rss_kib": samples[-1][1], "at": samples[-1][0], **vars_of(stats)}
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), args.ack_timeout + 60)
        end = {"rss_kib": rss_kib(proc.pid), **vars_of(stats)}
        info = await Client.open(url, stats)
        try:
            end["sessions"] = (await info.call("control.info"))["result"]["sessions"]
        finally:
            await info.close()
        since = warm.get("at", args.warmup)
        after = [kib for at, kib in samples if at >= since]
        middle = since + (samples[-1][0] - since) / 2
        halves = [
            [kib for at, kib in samples if since <= at < middle],
            [kib for at, kib in samples if at >= middle],
        ]
        return {
            "seconds": round(time.perf_counter() - start, 1),
            "workers": args.workers,
            "reset_every": args.reset_every,
            "glibc_default": args.glibc_default,
            "warm": warm,
            "end": end,
            "rss_after_warmup_min_max_kib": [min(after), max(after)] if after else None,
            "rss_halves_min_max_kib": [[min(h), max(h)] if h else None for h in halves],
            "rss_samples_kib": samples,
            "lifecycles": stats.lifecycles,
            "client_errors": stats.errors,
            "server_drops": drops,
            "resets": stats.resets,
            "reset_seconds_max": round(max(stats.reset_seconds), 3)
            if stats.reset_seconds
            else None,
        }
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(*tasks, return_exceptions=True)
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                print("server_soak: the server did not stop on SIGTERM", file=sys.stderr)
                proc.kill()
        watcher.cancel()


def vars_of(stats: Stats) -> dict[str, int]:
    return {"connections": stats.connections, "frames": stats.frames, "calls": stats.calls}


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def table(result: dict[str, Any]) -> str:
    warm, end = result["warm"], result["end"]
    low, high = result["rss_after_warmup_min_max_kib"] or (0, 0)
    rows = [
        ("", f"after warm-up ({warm.get('at', 0):.0f} s)", f"end ({result['seconds']:.0f} s)"),
        ("connections opened", f"{warm.get('connections', 0):,}", f"{end['connections']:,}"),
        ("frames tried", f"{warm.get('frames', 0):,}", f"{end['frames']:,}"),
        ("calls tried", f"{warm.get('calls', 0):,}", f"{end['calls']:,}"),
        ("server RSS", mib(warm.get("rss_kib", 0)), mib(end["rss_kib"])),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"{a:<{width}}  {b:>22}  {c:>16}" for a, b, c in rows]
    lines.append(f"server RSS after warm-up: min {mib(low)}, max {mib(high)}")
    for name, half in zip(("first", "second"), result["rss_halves_min_max_kib"], strict=True):
        if half:
            lines.append(f"  {name} half: min {mib(half[0])}, max {mib(half[1])}")
    lines.append(f"lifecycles: {result['lifecycles']}")
    lines.append(f"server: dropped connections, errors: {result['server_drops']}")
    lines.append(f"resets: {result['resets']} (slowest {result['reset_seconds_max']} s)")
    lines.append(f"sessions the hub holds at the end (resumable): {end['sessions']}")
    if result["client_errors"]:
        lines.append(f"lifecycles cut short (a reset closed the socket): {result['client_errors']}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=90.0, help="churn for this long")
    parser.add_argument("--warmup", type=float, help="seconds before the first reading")
    parser.add_argument("--quick", action="store_true", help="10 s, 3 s warm-up")
    parser.add_argument("--workers", type=int, default=16, help="concurrent lifecycles")
    parser.add_argument("--reset-every", type=float, default=5.0, help="0: never reset")
    parser.add_argument("--ack-timeout", type=float, default=3.0)
    parser.add_argument("--max-frame-bytes", type=int, default=1 << 20)
    parser.add_argument(
        "--glibc-default", action="store_true", help="no MALLOC_MMAP_THRESHOLD_ for the server"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.seconds = 10.0
    if args.warmup is None:
        args.warmup = 3.0 if args.quick else 40.0
    deadline = args.seconds + args.ack_timeout + 120
    result = asyncio.run(asyncio.wait_for(soak(args), deadline))
    result["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
