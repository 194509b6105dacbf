"""R-E7: the same script gives the same event log on every run and under every hash seed.

The script is random but seeded and touches every revision-2 path that schedules or
orders something: interval mode per client (R-E5), debounce (R-E6), the link machine
with its retries, the server's timeout and the reconnect (R-T2..R-T4), logins that wait
for the link, same-uid kicks, queued subscribes, the registry fallback (R-E8), JSON
state values, and whoNow pages; and messaging: channel and user messages with late
delivery, messages kept while a link is down (R-M8, R-M22), topics and topic messages
(R-M12..R-M20).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from rtm_emulator import (
    ConfigError,
    Emulator,
    EmulatorConfig,
    LinkState,
    LinkStateEvent,
    MessageEvent,
    PresenceEvent,
    RTMClient,
    RTMConfig,
    RtmError,
    TopicEvent,
)

ROOT = Path(__file__).resolve().parents[2]
VALUES = ["a", "b", 1, 0, 2.5, True, False, None, "", [1, "x"], {"k": 1}]


def _outcome(task: asyncio.Future[Any]) -> Any:
    error = task.exception()
    if isinstance(error, RtmError):
        return ["error", error.to_dict()]
    if error is not None:
        return ["exception", type(error).__name__]
    result = task.result()
    return ["ok", None if result is None else result.to_dict()]


async def run_script(seed: int = 7, steps: int = 1500) -> list[str]:
    """A random but seeded multi-user script; returns the JSON lines of everything seen."""
    rng = random.Random(seed)
    emu = Emulator(EmulatorConfig(debounce=1.0, announce_max=8, interval=10.0), strict=True)
    log: list[str] = []
    users = [f"u{i:02d}" for i in range(14)] + ["Zed", "äx"]  # "äx": -10006 (R-C1)
    channels = ["lobby", "room-1", "room 2", "Stage"]
    clients: list[tuple[str, RTMClient]] = []
    for i, uid in enumerate(users + users[:4]):  # a second client of four users: kicks
        try:
            client = emu.client(uid, config=RTMConfig(presence_timeout=rng.choice([5, 20])))
        except RtmError as err:
            log.append(json.dumps(["client-error", uid, err.to_dict()]))
            continue

        def on_event(
            event: PresenceEvent | LinkStateEvent | MessageEvent | TopicEvent,
            who: str = f"{uid}#{i}",
        ) -> None:
            body = event.to_dict()
            if isinstance(event, PresenceEvent):
                body["seq"] = event.seq
            if isinstance(body.get("message"), bytes):
                body["message"] = body["message"].hex()
            log.append(json.dumps([who, body], sort_keys=True))

        for kind in ("presence", "linkState", "message", "topic"):
            client.add_event_listener(kind, on_event)
        clients.append((f"{uid}#{i}", client))
    waiting: list[tuple[str, asyncio.Future[Any]]] = []
    entered: dict[tuple[str, int, str], dict[str, bool]] = {}

    async def call(who: str, what: str, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        await asyncio.sleep(0)
        if task.done():
            log.append(json.dumps([what, who, _outcome(task)], sort_keys=True))
        else:  # a login that waits for the link (R-L3)
            waiting.append((f"{what} {who}", task))

    for who, client in clients[:16]:
        await call(who, "login", client.login())
    weights = [3, 26, 8, 10, 4, 12, 4, 4, 3, 3, 8, 4, 2, 2, 2, 8, 4, 3, 3, 4, 1]
    for _ in range(steps):
        who, client = rng.choice(clients)
        channel = rng.choice(channels)
        p = client.presence
        action = rng.choices(range(len(weights)), weights)[0]
        options = {"withPresence": rng.random() < 0.8, "beQuiet": rng.random() < 0.15}
        if action in (1, 3):
            # new options only while connected: options changed while the link is down
            # are test_model_regressions.TestRL1RT3OptionsChangedWhileDown
            last = entered.setdefault((who, action, channel), options)
            if client.link_state is LinkState.CONNECTED:
                entered[(who, action, channel)] = options
            else:
                options = last
        if action == 0:
            await call(who, "login", client.login())
        elif action == 1:
            await call(who, "subscribe", client.subscribe(channel, options))
        elif action == 2:
            await call(who, "unsubscribe", client.unsubscribe(channel))
        elif action == 3:
            stream = client.create_stream_channel(channel)
            await call(who, "join", stream.join(options))
        elif action == 4:
            stream = client.create_stream_channel(channel)
            await call(who, "leave", stream.leave())
        elif action == 5:
            ctype = rng.choice(["MESSAGE", "STREAM"])
            state = {rng.choice(["mood", "seat", "x"]): rng.choice(VALUES)}
            await call(who, "setState", p.set_state(channel, ctype, state))
        elif action == 6:
            await call(who, "removeState", p.remove_state(channel, "MESSAGE", ["mood"]))
        elif action == 7:
            page = rng.choice([None, None, "dTA1", "bad page!"])  # "u05"; not base64
            await call(who, "whoNow", p.who_now(channel, "MESSAGE", include_state=True, page=page))
        elif action == 8:
            uid = rng.choice(users)
            await call(who, "whereNow", p.where_now(uid))
        elif action == 9:
            uid = rng.choice(users)
            await call(who, "getState", p.get_state(uid, channel, "MESSAGE"))
        elif action == 10:
            emu.advance(rng.choice([0.5, 1.0, 2.0, 5.0, 10.0, 30.0]))
        elif action == 11:
            try:
                if client.link_state is LinkState.CONNECTED:
                    emu.disconnect(client.user_id)
                else:
                    emu.reconnect(client.user_id)
            except ConfigError as err:  # nobody of that user id is logged in
                log.append(json.dumps(["net", who, str(err.error_code)]))
        elif action == 12:
            await call(who, "logout", client.logout())
        elif action == 13:
            emu.set_presence_available(channel, "MESSAGE", rng.random() < 0.6)
        elif action == 14:
            await call(who, "setState", p.set_state(channel, "MESSAGE", {"": "bad"}))
        elif action == 15:
            body = rng.choice(["hi", b"\x00\x01", "", "x" * 40])  # "": -11009
            options = {"customType": rng.choice([None, "chat"]), "storeInHistory": True}
            await call(who, "publish", client.publish(channel, body, options))
        elif action == 16:
            target = rng.choice(users)
            await call(who, "publishUser", client.publish(target, "dm", {"channelType": "USER"}))
        elif action == 17:
            topic = rng.choice(["t1", "t2"])
            await call(who, "joinTopic", client.create_stream_channel(channel).join_topic(topic))
        elif action == 18:
            stream = client.create_stream_channel(channel)
            topic = rng.choice(["t1", "t2"])
            await call(who, "subscribeTopic", stream.subscribe_topic(topic))
        elif action == 19:
            stream = client.create_stream_channel(channel)
            topic = rng.choice(["t1", "t2"])
            await call(who, "topicMessage", stream.publish_topic_message(topic, "tm"))
        else:
            emu.set_delivery_latency(client.user_id, rng.choice([0, 0.5, 2]))
        for what, task in list(waiting):
            if task.done():
                log.append(json.dumps([what, _outcome(task)], sort_keys=True))
                waiting.remove((what, task))
        emu.check_invariants()
    emu.advance(400)
    await asyncio.sleep(0)
    log.extend(json.dumps([what, task.done()]) for what, task in waiting)
    for _, task in waiting:
        task.cancel()
    emu.check_invariants()
    return log


def digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_r_e7_same_script_same_log_twice_in_process() -> None:
    first = asyncio.run(run_script())
    assert len(first) > 1000
    bodies = [json.loads(line)[-1] for line in first]
    kinds = {body.get("eventType") for body in bodies if isinstance(body, dict)}
    assert {"SNAPSHOT", "INTERVAL", "REMOTE_JOIN", "REMOTE_LEAVE", "REMOTE_TIMEOUT"} <= kinds
    dicts = [body for body in bodies if isinstance(body, dict)]
    assert {"MESSAGE", "USER"} <= {b["channelType"] for b in dicts if "messageType" in b}
    assert any("topicInfos" in body for body in dicts)
    assert first == asyncio.run(run_script())
    assert first != asyncio.run(run_script(seed=8))


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
