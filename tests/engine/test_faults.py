"""Injected faults beyond R-E8: delivery latency (R-E9: "later faults may add latency")."""

from __future__ import annotations

import pytest

from rtm_emulator import ConfigError, Emulator, ErrorCode, RtmError

from ..conftest import login_recorded


class TestDeliveryLatency:
    """R-E9: a latency fault delays one user's presence events, keeping seq and timestamp."""

    async def test_r_e9_late_events_arrive_when_the_clock_passes_the_delay(
        self, emu: Emulator
    ) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        ra.take()
        emu.set_delivery_latency("alice", 1.5)
        sent_at = emu.now_ms
        await bob.subscribe("room")
        assert [] == ra.presence
        assert [("SNAPSHOT", "")] == rb.types()
        emu.advance(1.499)
        assert [] == ra.presence
        emu.advance(0.001)
        assert [("REMOTE_JOIN", "bob")] == ra.types()
        assert sent_at == ra.presence[0].timestamp
        assert 2 == ra.presence[0].seq
        assert 3 == rb.presence[0].seq

    async def test_r_e9_changing_latency_can_reorder_delivery(self, emu: Emulator) -> None:
        (alice, ra), (bob, _) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        ra.take()
        emu.set_delivery_latency("alice", 5)
        await bob.presence.set_state("room", "MESSAGE", {"n": "1"})
        emu.set_delivery_latency("alice", 1)
        await bob.presence.set_state("room", "MESSAGE", {"n": "2"})
        emu.advance(5)
        assert [{"n": "2"}, {"n": "1"}] == [dict(e.state_changed) for e in ra.presence]
        assert [5, 4] == [e.seq for e in ra.presence]

    async def test_r_e9_late_events_for_a_disconnected_client_are_dropped(
        self, emu: Emulator
    ) -> None:
        (alice, ra), (bob, _) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        ra.take()
        emu.set_delivery_latency("alice", 1)
        await bob.subscribe("room")
        emu.disconnect("alice")
        emu.advance(1)
        assert [] == ra.presence

    async def test_r_e9_zero_latency_restores_immediate_delivery(self, emu: Emulator) -> None:
        (alice, ra), (bob, _) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        ra.take()
        emu.set_delivery_latency("alice", 3)
        emu.set_delivery_latency("alice", 0)
        await bob.subscribe("room")
        assert [("REMOTE_JOIN", "bob")] == ra.types()
        assert [] == emu.pending_timers()

    @pytest.mark.parametrize("bad", [-1, float("inf"), float("nan"), "1", None, True])
    def test_bad_latency_is_rejected(self, emu: Emulator, bad: object) -> None:
        with pytest.raises(ConfigError) as info:
            emu.set_delivery_latency("alice", bad)  # type: ignore[arg-type]
        assert repr(bad) in info.value.reason

    def test_bad_user_id_is_rejected(self, emu: Emulator) -> None:
        with pytest.raises(RtmError) as info:
            emu.set_delivery_latency("a/b", 1)
        assert ErrorCode.INVALID_USER_ID == info.value.error_code
