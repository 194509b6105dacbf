"""``--clock real``: the adapter follows an injected time source (never the real one here)."""

from __future__ import annotations

import pytest

from rtm_emulator import Emulator, EmulatorConfig, RtmError
from rtm_emulator.server import Hub, RealClock


class FakeTime:
    """A settable time source."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_fake_clock_follows_the_source_in_whole_milliseconds() -> None:
    mono, wall = FakeTime(100.0), FakeTime(1_800_000_000.25)
    clock = RealClock(mono, wall)
    assert 1_800_000_000_250 == clock.start_time_ms()
    emu = Emulator(EmulatorConfig(start_time_ms=clock.start_time_ms()))
    clock.attach(emu)
    assert 0 == clock.sync()
    mono.now = 100.0004  # under a millisecond: nothing yet
    assert 0 == clock.sync()
    mono.now = 101.5007
    assert 1500 == clock.sync()
    assert 1_800_000_001_750 == emu.now_ms
    mono.now = 101.0  # a source going back is ignored
    assert 0 == clock.sync()
    emu.advance(10)  # a manual advance adds on top
    mono.now = 102.5007
    assert 1000 == clock.sync()
    assert 1_800_000_012_750 == emu.now_ms
    assert 2500 == clock.driven_ms


def test_timers_fire_when_the_source_passes_them() -> None:
    mono = FakeTime(0.0)
    clock = RealClock(mono, FakeTime(0.0))
    hub = Hub(clock="real", real_clock=clock)
    emu = hub.emu
    assert 0 == emu.now_ms  # started at the wall source's time
    seen: list[str] = []
    alice, bob = emu.client("alice"), emu.client("bob")
    alice.add_event_listener("presence", lambda e: seen.append(e.event_type.value))
    from rtm_emulator.testing import drive

    for client in (alice, bob):
        drive(client.login())
        drive(client.subscribe("room"))
    drive(bob.unsubscribe("room"))
    mono.now = 1.999
    hub.tick()
    assert ["SNAPSHOT", "REMOTE_JOIN"] == seen
    mono.now = 2.0
    hub.tick()
    assert ["SNAPSHOT", "REMOTE_JOIN", "REMOTE_LEAVE"] == seen


def test_bad_sources_and_misuse_are_reported() -> None:
    with pytest.raises(RtmError) as caught:
        RealClock(FakeTime(0), FakeTime(float("nan"))).start_time_ms()
    assert "nan" in caught.value.detail
    with pytest.raises(RuntimeError):
        RealClock(FakeTime(0), FakeTime(0)).sync()
    with pytest.raises(RtmError):
        Hub(clock="real")  # needs an adapter
    with pytest.raises(RtmError) as caught:
        Hub(clock="wall")
    assert "wall" in caught.value.detail


async def test_the_server_ticks_the_real_clock_and_syncs_before_each_request() -> None:
    pytest.importorskip("websockets")
    from .support import eventually, running

    mono = FakeTime(0.0)
    clock = RealClock(mono, FakeTime(1000.0))
    async with running(clock="real", real_clock=clock) as world:
        control = await world.control()
        assert {"nowMs": 1_000_000, "elapsed": 0.0} == await control.control("now")
        alice, bob = await world.in_room("alice", "bob")
        mono.now = 0.25
        await bob.call("presence.setState", "room", "MESSAGE", {"k": "v"})
        (changed,) = [e["data"] for e in alice.events if e["data"].get("publisher") == "bob"][-1:]
        assert "REMOTE_STATE_CHANGED" == changed["eventType"]
        assert 1_000_250 == changed["timestamp"]  # the clock was synced before the call
        await bob.call("unsubscribe", "room")
        mono.now = 2.25
        await eventually(lambda: ("REMOTE_LEAVE", "bob") in alice.presence())  # by the ticker
        assert "real" == (await control.control("info"))["clock"]
        info = await control.control("reset")
        assert 1_000_000 == info["nowMs"]  # a reset restarts from the wall source
