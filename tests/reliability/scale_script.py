"""A generated presence script of many operations over many users, and its event-log hash.

Used by the determinism-at-scale test (R-E7) and runnable on its own::

    python -m tests.reliability.scale_script 100000 1000

prints the operation count, the number of events, and the SHA-256 of the event log
(every delivered presence and link event with its recipient and ``seq``) followed by
that of every response summary and error.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys

from rtm_emulator import (
    Emulator,
    EmulatorConfig,
    LinkState,
    LinkStateEvent,
    PresenceEvent,
    RTMClient,
    RTMConfig,
    RtmError,
)
from rtm_emulator.testing import drive as run

__all__ = ["run", "run_scale_script"]


class _Log:
    """Hashes every delivered event in delivery order, with its recipient."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.events = 0

    def add(self, recipient: str, event: PresenceEvent | LinkStateEvent) -> None:
        self.events += 1
        body = event.to_dict()
        if isinstance(event, PresenceEvent):
            body["seq"] = event.seq
        line = json.dumps([recipient, body], sort_keys=True, separators=(",", ":"))
        self.digest.update(line.encode())
        self.digest.update(b"\n")


def run_scale_script(operations: int, users: int, seed: int = 2024) -> tuple[int, str]:
    """Run the script; return (events delivered, hex digest of the event log + results)."""
    rng = random.Random(seed)
    emu = Emulator(EmulatorConfig(announce_max=16, interval=30.0), journal=False)
    log = _Log()
    names = [f"user-{i:04d}" for i in range(users)]
    channels = [f"ch-{i:03d}" for i in range(max(4, users // 20))]
    clients: dict[str, RTMClient] = {}
    for uid in names:
        client = emu.client(uid, config=RTMConfig(presence_timeout=rng.choice([5, 30, 300])))
        if rng.random() < 0.1:  # a tenth of the users listen
            client.add_event_listener("presence", lambda e, u=uid: log.add(u, e))
            client.add_event_listener("linkState", lambda e, u=uid: log.add(u, e))
        clients[uid] = client
        run(client.login())
    results = hashlib.sha256()
    down: dict[str, None] = {}  # users whose network is cut
    kinds = ["sub", "unsub", "join", "leave", "set", "remove", "who", "where", "get"]
    kinds += ["tick", "net", "out", "fault"]
    weights = [30, 12, 10, 5, 20, 5, 4, 3, 3, 6, 3, 2, 1]
    values = ["a", "b", 1, 2.5, True, False, None, "", [1, "x"], {"k": 1}]
    for _ in range(operations):
        uid = rng.choice(names)
        client = clients[uid]
        channel = rng.choice(channels)
        kind = rng.choices(kinds, weights)[0]
        try:
            if kind == "sub":
                options = {"withPresence": rng.random() < 0.2, "beQuiet": rng.random() < 0.05}
                run(client.subscribe(channel, options))
            elif kind == "unsub":
                run(client.unsubscribe(channel))
            elif kind == "join":
                options = {"withPresence": rng.random() < 0.2, "beQuiet": rng.random() < 0.1}
                run(client.create_stream_channel(channel).join(options))
            elif kind == "leave":
                run(client.create_stream_channel(channel).leave())
            elif kind == "set":
                ctype = "MESSAGE" if rng.random() < 0.8 else "STREAM"
                state = {f"k{rng.randrange(4)}": rng.choice(values)}
                run(client.presence.set_state(channel, ctype, state))
            elif kind == "remove":
                run(client.presence.remove_state(channel, "MESSAGE", states=["k0"]))
            elif kind == "who":
                page = rng.choice([None, None, "dXNlci0wNTAw"])  # base64 of "user-0500"
                r = run(client.presence.who_now(channel, "MESSAGE", include_state=True, page=page))
                results.update(
                    f"who|{r.total_occupancy}|{r.next_page}|{len(r.occupants)}\n".encode()
                )
            elif kind == "where":
                r2 = run(client.presence.where_now(rng.choice(names)))
                results.update(f"where|{r2.total_channel}\n".encode())
            elif kind == "get":
                r3 = run(client.presence.get_state(rng.choice(names), channel, "MESSAGE"))
                results.update(f"get|{r3.user_id}|{sorted(r3.states)}\n".encode())
            elif kind == "tick":
                emu.advance(rng.choice([0.1, 0.5, 2.0, 5.0, 10.0]))
            elif kind == "net":
                if uid in down:
                    emu.reconnect(uid)
                    del down[uid]
                elif client.link_state is LinkState.CONNECTED:
                    emu.disconnect(uid)
                    down[uid] = None
            elif kind == "out":
                run(client.logout())
                down.pop(uid, None)
                run(client.login())
            elif kind == "fault":
                emu.set_presence_available(channel, "MESSAGE", rng.random() < 0.5)
        except RtmError as err:
            results.update(f"{uid}|{err.operation}|{err.code}|{err.reason}|{err.name}\n".encode())
    emu.advance(400)
    emu.check_invariants()
    return log.events, log.digest.hexdigest() + results.hexdigest()


if __name__ == "__main__":  # pragma: no cover
    ops = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    n_users = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    events, digest = run_scale_script(ops, n_users)
    print(ops, events, digest)
