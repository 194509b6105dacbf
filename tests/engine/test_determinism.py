"""R-E7: the same script gives the same event log on every run and under every hash seed."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

from rtm_emulator import (
    Emulator,
    EmulatorConfig,
    LinkStateEvent,
    PresenceEvent,
    RTMConfig,
    RtmError,
)

ROOT = Path(__file__).resolve().parents[2]


async def run_script(seed: int = 7, steps: int = 1000) -> list[str]:
    """A random but seeded multi-user script; returns the JSON lines of everything seen."""
    rng = random.Random(seed)
    emu = Emulator(
        EmulatorConfig(page_size=5, debounce=1.0, announce_max=8, interval=5.0), strict=True
    )
    log: list[str] = []
    users = [f"u{i:02d}" for i in range(24)] + ["Zed", "ä-not-ascii"[:1] + "x"]
    channels = ["lobby", "room-1", "room 2", "Stage"]
    clients = {}
    for uid in users:
        try:
            client = emu.client(uid, config=RTMConfig(presence_timeout=rng.choice([5, 20])))
        except RtmError as err:
            log.append(json.dumps(["client-error", uid, err.to_dict()]))
            continue
        clients[uid] = client

        def on_event(event: PresenceEvent | LinkStateEvent, uid: str = uid) -> None:
            body = event.to_dict()
            if isinstance(event, PresenceEvent):
                body["seq"] = event.seq
            log.append(json.dumps([uid, body], sort_keys=True))

        client.add_event_listener("presence", on_event)
        client.add_event_listener("linkState", on_event)
    names = sorted(clients)
    for uid in names:
        await clients[uid].login()
    weights = [2, 30, 8, 10, 4, 12, 4, 3, 2, 6, 3, 1, 1]
    for _ in range(steps):
        uid = rng.choice(names)
        client = clients[uid]
        channel = rng.choice(channels)
        action = rng.choices(range(13), weights)[0]
        try:
            if action == 0:
                await client.login()
            elif action == 1:
                await client.subscribe(
                    channel, with_presence=rng.random() < 0.8, be_quiet=rng.random() < 0.15
                )
            elif action == 2:
                await client.unsubscribe(channel)
            elif action == 3:
                await client.create_stream_channel(channel).join()
            elif action == 4:
                await client.create_stream_channel(channel).leave()
            elif action == 5:
                key = rng.choice(["mood", "seat", "x"])
                await client.presence.set_state(
                    channel, rng.choice(["MESSAGE", "STREAM"]), {key: str(rng.randrange(9))}
                )
            elif action == 6:
                await client.presence.remove_state(channel, "MESSAGE", states=["mood"])
            elif action == 7:
                page = None
                while True:
                    r = await client.presence.who_now(
                        channel, "MESSAGE", include_state=True, page=page
                    )
                    log.append(json.dumps(["whoNow", uid, r.to_dict()], sort_keys=True))
                    if not r.next_page:
                        break
                    page = r.next_page
            elif action == 8:
                r2 = await client.presence.where_now(rng.choice(names))
                log.append(json.dumps(["whereNow", uid, r2.to_dict()], sort_keys=True))
            elif action == 9:
                emu.advance(rng.choice([0.5, 1.0, 3.0, 5.0, 30.0]))
            elif action == 10:
                (emu.disconnect if client.connected else emu.reconnect)(uid)
            elif action == 11:
                await client.logout()
            elif action == 12:
                await client.presence.set_state(channel, "MESSAGE", {"": "bad"})
        except RtmError as err:
            log.append(json.dumps(["error", uid, err.to_dict()], sort_keys=True))
        emu.check_invariants()
    emu.advance(400)
    emu.check_invariants()
    return log


def digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_r_e7_same_script_same_log_twice_in_process() -> None:
    first = asyncio.run(run_script())
    assert len(first) > 500
    assert first == asyncio.run(run_script())


def test_r_e7_same_log_under_three_hash_seeds() -> None:
    """Byte-identical event logs from subprocesses run with different PYTHONHASHSEEDs."""
    code = (
        "import asyncio, sys\n"
        "from tests.engine.test_determinism import run_script, digest\n"
        "print(digest(asyncio.run(run_script())))\n"
    )
    digests = set()
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(out.stdout.strip())
    assert {digest(asyncio.run(run_script()))} == digests
