"""A generated presence script of many operations over many users, and its event-log hash.

Used by the determinism-at-scale test (R-E7) and runnable on its own::

    python -m tests.reliability.scale_script 100000 1000

prints the operation count, the number of events, and the SHA-256 of the event log.
"""

from __future__ import annotations

import hashlib
import random
import sys

from rtm_emulator import (
    Emulator,
    EmulatorConfig,
    LinkStateEvent,
    PresenceEvent,
    RTMClient,
    RTMConfig,
    RtmError,
)
from rtm_emulator.testing import drive as run


class _Log:
    """Hashes every delivered event in delivery order, with its recipient."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.events = 0

    def add(self, recipient: str, event: PresenceEvent | LinkStateEvent) -> None:
        self.events += 1
        if isinstance(event, PresenceEvent):
            extra = ""
            if event.snapshot is not None:
                extra = ";".join(f"{u.user_id}={sorted(u.states.items())}" for u in event.snapshot)
            elif event.interval is not None:
                i = event.interval
                extra = (
                    f"{i.join.users}{i.leave.users}{i.timeout.users}{i.total_occupancy}"
                    f"{[(u.user_id, sorted(u.states.items())) for u in i.user_state_list]}"
                )
            line = (
                f"{recipient}|{event.seq}|{event.event_type.value}|{event.channel_type.value}|"
                f"{event.channel_name}|{event.publisher}|{event.timestamp}|"
                f"{sorted(event.state_changed.items())}|{extra}\n"
            )
        else:
            line = (
                f"{recipient}|link|{event.previous_state.value}>{event.current_state.value}|"
                f"{event.reason_code.value}|{event.is_resumed}|{event.timestamp}\n"
            )
        self.digest.update(line.encode())


def run_scale_script(operations: int, users: int, seed: int = 2024) -> tuple[int, str]:
    """Run the script; return (events delivered, hex digest of the event log + errors)."""
    rng = random.Random(seed)
    emu = Emulator(EmulatorConfig(announce_max=16, interval=5.0, page_size=25))
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
    errors = hashlib.sha256()
    kinds = ["sub", "unsub", "join", "leave", "set", "remove", "who", "where", "tick", "net", "out"]
    weights = [30, 12, 10, 5, 20, 5, 4, 3, 6, 3, 2]
    for _ in range(operations):
        uid = rng.choice(names)
        client = clients[uid]
        channel = rng.choice(channels)
        kind = rng.choices(kinds, weights)[0]
        try:
            if kind == "sub":
                run(client.subscribe(channel, with_presence=rng.random() < 0.2))
            elif kind == "unsub":
                run(client.unsubscribe(channel))
            elif kind == "join":
                run(client.create_stream_channel(channel).join(be_quiet=rng.random() < 0.1))
            elif kind == "leave":
                run(client.create_stream_channel(channel).leave())
            elif kind == "set":
                ctype = "MESSAGE" if rng.random() < 0.8 else "STREAM"
                key = f"k{rng.randrange(4)}"
                run(client.presence.set_state(channel, ctype, {key: str(rng.randrange(100))}))
            elif kind == "remove":
                run(client.presence.remove_state(channel, "MESSAGE", states=["k0"]))
            elif kind == "who":
                r = run(client.presence.who_now(channel, "MESSAGE", include_state=True))
                errors.update(f"who|{r.total_occupancy}|{r.next_page}\n".encode())
            elif kind == "where":
                r2 = run(client.presence.where_now(rng.choice(names)))
                errors.update(f"where|{r2.total_channel}\n".encode())
            elif kind == "tick":
                emu.advance(rng.choice([0.1, 0.5, 2.0, 5.0]))
            elif kind == "net":
                (emu.disconnect if client.connected else emu.reconnect)(uid)
            elif kind == "out":
                run(client.logout())
                run(client.login())
        except RtmError as err:
            errors.update(f"{uid}|{err.operation}|{int(err.error_code)}\n".encode())
    emu.advance(400)
    emu.check_invariants()
    return log.events, log.digest.hexdigest() + errors.hexdigest()


if __name__ == "__main__":  # pragma: no cover
    ops = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    n_users = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    events, digest = run_scale_script(ops, n_users)
    print(ops, events, digest)
