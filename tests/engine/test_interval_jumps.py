"""Long time jumps over interval-mode channels (issue 15).

R-E5: an interval-mode listener gets one ``INTERVAL`` per period, a quiet period
included only as the SDK would report it.  A jump of the clock must deliver exactly
what the same time in small steps delivers, changes in the middle of the jump included
(these pin the events any cheaper way of crossing empty boundaries has to keep).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rtm_emulator import Emulator, EmulatorConfig, PresenceEvent
from rtm_emulator.testing import drive

Record = list[tuple[str, dict[str, Any]]]


def room(*, quiet_listener_leaves: bool) -> tuple[Emulator, Record]:
    """Nine users in an interval-mode room (threshold 8, period 10 s), three listening;
    at 1000 s one of them changes state, at 2000 s one leaves (back below the threshold:
    interval mode ends) and at 2500 s one joins again (interval mode again)."""
    emu = Emulator(EmulatorConfig(announce_max=8, interval=10))
    seen: Record = []
    clients = {}
    for i in range(9):
        uid = f"u{i}"
        client = emu.client(uid)
        drive(client.login())
        drive(client.subscribe("room", {"withPresence": i < 3}))
        clients[uid] = client
        if i < 3:

            def listen(event: PresenceEvent, uid: str = uid) -> None:
                seen.append((uid, event.to_dict()))

            client.add_event_listener("presence", listen)
    late = emu.client("late")
    drive(late.login())

    def act(action: Callable[[], Any]) -> Callable[[], None]:
        return lambda: drive(action())

    emu.at(1000, act(lambda: clients["u4"].presence.set_state("room", "MESSAGE", {"k": "v"})))
    leaver = "u1" if quiet_listener_leaves else "u8"
    emu.at(2000, act(lambda: clients[leaver].unsubscribe("room")))
    emu.at(2500, act(lambda: late.subscribe("room", {"withPresence": False})))
    return emu, seen


@pytest.mark.parametrize("quiet_listener_leaves", [False, True])
def test_one_jump_delivers_what_small_steps_deliver(quiet_listener_leaves: bool) -> None:
    stepped, by_steps = room(quiet_listener_leaves=quiet_listener_leaves)
    for _ in range(3600):
        stepped.advance(1)
    jumped, by_jump = room(quiet_listener_leaves=quiet_listener_leaves)
    jumped.advance(3600)
    assert stepped.now_ms == jumped.now_ms
    assert by_steps == by_jump
    leaver = "u1" if quiet_listener_leaves else "u8"
    start = jumped.config.start_time_ms
    assert [
        (10_000, ["u8"], [], []),  # the ninth user's join, at u0's first boundary
        (1_000_000, [], [], ["u4"]),  # the state change of 1000 s
        (2_010_000, [], [leaver], []),  # the leave of 2000 s, at the next boundary
        (2_500_000, ["late"], [], []),  # the join of 2500 s
    ] == [
        (
            event["timestamp"] - start,
            event["interval"]["join"]["users"],
            event["interval"]["leave"]["users"],
            [user["userId"] for user in event["interval"]["userStateList"]],
        )
        for uid, event in by_jump
        if uid == "u0" and event["eventType"] == "INTERVAL"
    ]


def test_a_quiet_day_still_reports_every_period_it_reports() -> None:
    """A day with no change: the INTERVAL events of one jump equal those of 8640 steps."""
    stepped, by_steps = room(quiet_listener_leaves=False)
    stepped.advance(5000)
    jumped, by_jump = room(quiet_listener_leaves=False)
    jumped.advance(5000)
    by_steps.clear()
    by_jump.clear()
    for _ in range(8640):
        stepped.advance(10)
    jumped.advance(86_400)
    assert by_steps == by_jump
    assert stepped.now_ms == jumped.now_ms
