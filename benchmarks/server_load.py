"""Bounded loopback load test of ``rtm-emulator serve`` (not part of the test suite).

Starts the server as a subprocess on 127.0.0.1 (port 0), opens ``--clients``
WebSocket clients from this process (each with its own session, acknowledging events
like the JS client does), puts them in rooms of ``--room-size``, then has every client
run ``--ops`` presence calls (setState / getOnlineUsers / getState / removeState in
turn, so most calls fan events out to the room).  Prints ops/s and latency medians and
p99 per call, and stops by itself: a fixed number of calls, an overall deadline, and
the server is terminated in a ``finally``.

    python3 benchmarks/server_load.py                      # 1,000 clients x 20 calls
    python3 benchmarks/server_load.py --clients 200 --ops 100 --json out.json

Needs the ``server`` extra (``pip install -e ".[server]"``).  Only loopback is used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[1]
OPS = ("presence.setState", "presence.getOnlineUsers", "presence.getState", "presence.removeState")


class Client:
    """One protocol client: requests by id, acks for events that ask for one."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events = 0
        self.reader = asyncio.create_task(self.read())

    async def read(self) -> None:
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                if frame["type"] == "event":
                    self.events += 1
                    if "sync" in frame:
                        await self.ws.send(json.dumps({"ack": frame["sync"]}))
                else:
                    self.pending.pop(frame["id"]).set_result(frame)
        except Exception:
            pass

    async def call(self, method: str, params: Any) -> float:
        """Send one request; returns its latency in seconds (raises on an error reply)."""
        self.next_id += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        start = time.perf_counter()
        await self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        reply = await future
        took = time.perf_counter() - start
        if reply["type"] != "result":
            # an RTM / protocol error ("error") or a JS exception ("exception", R-X3)
            raise RuntimeError(f"{method} failed: {reply.get('error') or reply.get('exception')}")
        return took


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "count": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(p99 * 1000, 3),
    }


async def start_server() -> tuple[asyncio.subprocess.Process | None, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "rtm_emulator",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    url = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().strip()
    if not url.startswith("ws://127.0.0.1:"):
        raise RuntimeError(f"unexpected server URL {url!r}")
    return proc, url


async def load(args: argparse.Namespace) -> dict[str, Any]:
    if args.url:
        if not args.url.startswith(("ws://127.", "ws://localhost:", "ws://[::1]:")):
            raise SystemExit(f"--url must be a loopback address, got {args.url!r}")
        proc, url = None, args.url
    else:
        proc, url = await start_server()
    clients: list[Client] = []
    try:
        t0 = time.perf_counter()
        setup: list[float] = []

        async def join(i: int) -> None:
            ws = await connect(url, compression=None, max_size=None, proxy=None)
            client = Client(ws)
            clients.append(client)
            uid = f"u{i:05d}"
            setup.append(await client.call("hello", {"userId": uid, "ack": True}))
            setup.append(await client.call("login", []))
            setup.append(await client.call("subscribe", [f"room{i // args.room_size:04d}"]))

        await asyncio.gather(*(join(i) for i in range(args.clients)))
        setup_s = time.perf_counter() - t0

        per_op: dict[str, list[float]] = {op: [] for op in OPS}

        async def work(client: Client, i: int) -> None:
            room = f"room{i // args.room_size:04d}"
            for n in range(args.ops):
                op = OPS[n % len(OPS)]
                params: list[Any]
                if op == "presence.setState":
                    params = [room, "MESSAGE", {"n": str(n), "user": str(i)}]
                elif op == "presence.getOnlineUsers":
                    params = [room, "MESSAGE", {"includedState": True}]
                elif op == "presence.getState":
                    params = [f"u{i:05d}", room, "MESSAGE"]
                else:
                    params = [room, "MESSAGE", {"states": ["n"]}]
                per_op[op].append(await client.call(op, params))

        t1 = time.perf_counter()
        await asyncio.gather(*(work(c, i) for i, c in enumerate(clients)))
        work_s = time.perf_counter() - t1
        total_ops = args.clients * args.ops
        every = [s for samples in per_op.values() for s in samples]
        return {
            "clients": args.clients,
            "ops_per_client": args.ops,
            "room_size": args.room_size,
            "setup_seconds": round(setup_s, 2),
            "setup": summary(setup),
            "ops": total_ops,
            "seconds": round(work_s, 2),
            "ops_per_second": round(total_ops / work_s),
            "events_delivered": sum(c.events for c in clients),
            "all": summary(every),
            "per_call": {op.split(".")[1]: summary(s) for op, s in per_op.items()},
        }
    finally:
        for client in clients:
            await client.ws.close()
        if proc is not None and proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--ops", type=int, default=20, help="calls per client")
    parser.add_argument("--room-size", type=int, default=10)
    parser.add_argument("--deadline", type=float, default=110.0, help="give up after (s)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--url", help="load a server already running on loopback instead")
    args = parser.parse_args()
    result = asyncio.run(asyncio.wait_for(load(args), args.deadline))
    result["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
