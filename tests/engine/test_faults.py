"""Injected faults, revision 2: a channel's presence store down (R-E8) and delivery
latency (R-E9).

R-E8 follows the SDK runtime (agora-rtm.js 2.3.0, class ChannelPresence: the SDK never
emits ``ERROR_OUT_OF_SERVICE``; after ``PRESENCE_BACKOFF_EVENT_INTERVAL`` = 60 s of a
failed collection it switches to the channel's member registry: a SNAPSHOT without
states, then ``REMOTE_JOIN`` / ``REMOTE_LEAVE`` from the enter / leave notices).  The
recovery (a fresh full SNAPSHOT when the store is back) is the emulator's rule.

Left open here, because the rules do not say: the order of users inside a SNAPSHOT (the
tests sort it), when a leave reaches a registry listener (the tests wait past the
debounce), state set during the outage, quiet users (a registry may list them),
and queries before the 60 s are over or from clients that do not listen.
"""

from __future__ import annotations

from typing import Any

import pytest

from rtm_emulator import Emulator, EmulatorConfig, RTMClient

from ..conftest import Recorder
from ..expected import sdk_event, snapshot_at

Json = dict[str, Any]

T0 = 1_735_689_600_000
FALLBACK_MS = 60_000  # PRESENCE_BACKOFF_EVENT_INTERVAL


def snap(
    timestamp: int,
    users: dict[str, dict[str, Any]],
    channel: str = "room",
    ctype: str = "MESSAGE",
) -> Json:
    """The SDK JSON of a SNAPSHOT listing ``users`` (id -> states), in id order."""
    return snapshot_at(timestamp, *sorted(users.items()), channel=channel, ctype=ctype)


def registry(timestamp: int, *users: str, channel: str = "room") -> Json:
    """The registry fallback's SNAPSHOT: the members, without states."""
    return snap(timestamp, {uid: {} for uid in users}, channel)


def remote(
    kind: str,
    publisher: str,
    timestamp: int,
    channel: str = "room",
    ctype: str = "MESSAGE",
    state: dict[str, Any] | None = None,
) -> Json:
    """The SDK JSON of a ``REMOTE_*`` presence event."""
    return sdk_event(kind, publisher, ts=timestamp, channel=channel, ctype=ctype, state=state)


def got(rec: Recorder) -> list[Json]:
    """The SDK JSON of the presence events recorded so far (SNAPSHOT users sorted),
    clearing the record; none may be ``ERROR_OUT_OF_SERVICE`` (R-E8)."""
    events = [e.to_dict() for e in rec.take()]
    assert "ERROR_OUT_OF_SERVICE" not in [e["eventType"] for e in events]
    for event in events:
        if event["eventType"] == "SNAPSHOT":
            event["snapshot"] = sorted(event["snapshot"], key=lambda u: u["userId"])
    return events


class Room:
    """MESSAGE room: amy (state ``{"a": "1"}``) and bob listening, dan present without
    presence (state ``{"d": "4"}``).  bob and cat listen in MESSAGE other; amy and bob in
    STREAM room.  eve and fay are logged in, in no channel.  Clock at T0 + 10 s, records
    empty."""

    clients: dict[str, RTMClient]
    recs: dict[str, Recorder]

    def __getitem__(self, uid: str) -> RTMClient:
        return self.clients[uid]

    def rec(self, uid: str) -> Recorder:
        return self.recs[uid]

    def clear(self) -> None:
        for rec in self.recs.values():
            got(rec)

    def quiet(self) -> bool:
        """Whether no client has received a presence event since the last clear."""
        return all(not rec.presence for rec in self.recs.values())


async def room(emu: Emulator) -> Room:
    r = Room()
    r.clients = {uid: emu.client(uid) for uid in ("amy", "bob", "cat", "dan", "eve", "fay")}
    r.recs = {uid: Recorder(c) for uid, c in r.clients.items()}
    for client in r.clients.values():
        await client.login()
    await r["amy"].subscribe("room")
    await r["bob"].subscribe("room")
    await r["dan"].subscribe("room", with_presence=False)
    await r["bob"].subscribe("other")
    await r["cat"].subscribe("other")
    for uid in ("amy", "bob"):
        await r[uid].create_stream_channel("room").join()
    await r["amy"].presence.set_state("room", "MESSAGE", {"a": "1"})
    await r["dan"].presence.set_state("room", "MESSAGE", {"d": "4"})
    emu.advance(10)
    r.clear()
    return r


# ------------------------------------------------------------------------ R-E8


class TestRE8PresenceOutage:
    """R-E8: while a channel's presence store is down no presence events flow on it;
    after 60 s a listening client falls back to the member registry; when the store is
    back listening clients get a fresh full SNAPSHOT."""

    async def test_r_e8_nothing_flows_for_60_s(self, emu: Emulator) -> None:
        r = await room(emu)
        emu.set_presence_available("room", "MESSAGE", False)
        await r["bob"].presence.set_state("room", "MESSAGE", {"b": "2"})
        emu.advance(1)
        await r["eve"].subscribe("room")
        await r["eve"].presence.set_state("room", "MESSAGE", {"e": "5"})
        await r["amy"].presence.remove_state("room", "MESSAGE")
        emu.advance(58.999)
        assert r.quiet()

    async def test_r_e8_fallback_snapshot_without_states_at_exactly_60_s(
        self, emu: Emulator
    ) -> None:
        r = await room(emu)
        t = emu.now_ms
        emu.set_presence_available("room", "MESSAGE", False)
        emu.advance(59.999)
        assert r.quiet()
        emu.advance(0.001)
        at = t + FALLBACK_MS
        assert [registry(at, "amy", "bob", "dan")] == got(r.rec("amy"))
        assert [registry(at, "amy", "bob", "dan")] == got(r.rec("bob"))
        assert r.quiet()  # dan does not listen; cat and the STREAM room are not affected
        emu.advance(600)
        assert r.quiet()

    async def test_r_e8_the_fallback_reflects_the_outage_so_far(self, emu: Emulator) -> None:
        """Who entered and left during the silent 60 s shows only in the registry's list."""
        r = await room(emu)
        t = emu.now_ms
        emu.set_presence_available("room", "MESSAGE", False)
        emu.advance(5)
        await r["fay"].subscribe("room", with_presence=False)
        await r["dan"].unsubscribe("room")
        emu.advance(55)
        at = t + FALLBACK_MS
        assert [registry(at, "amy", "bob", "fay")] == got(r.rec("amy"))
        assert [registry(at, "amy", "bob", "fay")] == got(r.rec("bob"))

    @pytest.mark.parametrize("entry_s", [0, 10, 59.999, 60, 100])
    async def test_r_e8_entrant_during_the_outage_falls_back_60_s_after_entry(
        self, emu: Emulator, entry_s: float
    ) -> None:
        """60 s from the fault, or from the client's entry if later; no SNAPSHOT at entry."""
        r = await room(emu)
        t = emu.now_ms
        emu.set_presence_available("room", "MESSAGE", False)
        emu.advance(entry_s)
        entry = emu.now_ms
        await r["eve"].subscribe("room")
        assert [] == got(r.rec("eve"))
        emu.advance(59.999)
        assert [] == got(r.rec("eve"))
        emu.advance(0.001)
        assert [registry(entry + FALLBACK_MS, "amy", "bob", "dan", "eve")] == got(r.rec("eve"))
        # amy fell back at t + 60 s: eve is in her list if she was there by then, else
        # a REMOTE_JOIN announces her at her entry
        amy = got(r.rec("amy"))
        if entry_s < 60:
            assert [registry(t + FALLBACK_MS, "amy", "bob", "dan", "eve")] == amy
        else:
            assert [
                registry(t + FALLBACK_MS, "amy", "bob", "dan"),
                remote("REMOTE_JOIN", "eve", entry),
            ] == amy

    async def test_r_e8_registry_mode_gives_joins_and_leaves_only(self, emu: Emulator) -> None:
        r = await room(emu)
        emu.set_presence_available("room", "MESSAGE", False)
        emu.advance(60)
        r.clear()
        t = emu.now_ms
        await r["fay"].subscribe("room")
        assert [remote("REMOTE_JOIN", "fay", t)] == got(r.rec("amy"))
        assert [remote("REMOTE_JOIN", "fay", t)] == got(r.rec("bob"))
        # no states in registry mode
        await r["fay"].presence.set_state("room", "MESSAGE", {"f": "6"})
        await r["amy"].presence.set_state("room", "MESSAGE", {"a": "2"})
        await r["bob"].presence.remove_state("room", "MESSAGE")
        assert [] == got(r.rec("amy")) + got(r.rec("bob"))
        await r["dan"].unsubscribe("room")
        emu.advance(30)  # past any debounce
        for uid in ("amy", "bob"):
            events = got(r.rec(uid))
            assert [("REMOTE_LEAVE", "dan")] == [(e["eventType"], e["publisher"]) for e in events]
            assert [remote("REMOTE_LEAVE", "dan", events[0]["timestamp"])] == events
        # fay entered during the outage: silent until her own fallback, 60 s after entry
        assert [] == got(r.rec("fay"))
        emu.advance(29.999)
        assert r.quiet()
        emu.advance(0.001)
        assert [registry(t + FALLBACK_MS, "amy", "bob", "fay")] == got(r.rec("fay"))
        assert r.quiet()

    async def test_r_e8_who_now_in_fallback_lists_users_without_states(self, emu: Emulator) -> None:
        """``nextPage ""``, no states, and (R-Q7) the clock as ``timestamp``."""
        r = await room(emu)
        emu.set_presence_available("room", "MESSAGE", False)
        emu.advance(61)
        for uid in ("amy", "bob"):
            for kwargs in ({}, {"include_state": True}):
                who = await r[uid].presence.who_now("room", "MESSAGE", **kwargs)
                assert [("amy", {}, 0), ("bob", {}, 0), ("dan", {}, 0)] == [
                    (o.user_id, dict(o.states), o.states_count) for o in who.occupants
                ]
                assert ("", emu.now_ms) == (who.next_page, who.timestamp)
            who = await r[uid].presence.getOnlineUsers("room", "MESSAGE", {"includedState": True})
            assert ["amy", "bob", "dan"] == [o.user_id for o in who.occupants]
            assert all({} == dict(o.states) for o in who.occupants)
            assert "" == who.next_page

    async def test_r_e8_store_back_gives_a_fresh_full_snapshot(self, emu: Emulator) -> None:
        r = await room(emu)
        emu.set_presence_available("room", "MESSAGE", False)
        emu.advance(90)
        r.clear()
        emu.advance(5)
        back = emu.now_ms
        emu.set_presence_available("room", "MESSAGE", True)
        full = snap(back, {"amy": {"a": "1"}, "bob": {}, "dan": {"d": "4"}})
        assert [full] == got(r.rec("amy"))
        assert [full] == got(r.rec("bob"))
        assert r.quiet()
        # normal events again
        await r["amy"].presence.set_state("room", "MESSAGE", {"a": "7"})
        assert [remote("REMOTE_STATE_CHANGED", "amy", back, state={"a": "7"})] == got(r.rec("bob"))
        await r["eve"].subscribe("room")
        assert [remote("REMOTE_JOIN", "eve", back)] == got(r.rec("amy"))
        assert [remote("REMOTE_JOIN", "eve", back)] == got(r.rec("bob"))
        assert [snap(back, {"amy": {"a": "7"}, "bob": {}, "dan": {"d": "4"}, "eve": {}})] == got(
            r.rec("eve")
        )
        who = await r["bob"].presence.who_now("room", "MESSAGE", include_state=True)
        assert 0 == who.timestamp
        assert {"a": "7"} == dict(next(o for o in who.occupants if o.user_id == "amy").states)
        emu.advance(600)
        assert [] == got(r.rec("amy")) + got(r.rec("bob"))

    async def test_r_e8_store_back_before_the_fallback(self, emu: Emulator) -> None:
        r = await room(emu)
        t = emu.now_ms
        emu.set_presence_available("room", "MESSAGE", False)
        emu.advance(30)
        emu.set_presence_available("room", "MESSAGE", True)
        full = snap(t + 30_000, {"amy": {"a": "1"}, "bob": {}, "dan": {"d": "4"}})
        assert [full] == got(r.rec("amy"))
        assert [full] == got(r.rec("bob"))
        emu.advance(600)  # no registry SNAPSHOT at t + 60 s
        assert r.quiet()

    async def test_r_e8_a_new_fault_starts_a_new_60_s(self, emu: Emulator) -> None:
        r = await room(emu)
        t = emu.now_ms
        emu.set_presence_available("room", "MESSAGE", False)
        emu.advance(30)
        emu.set_presence_available("room", "MESSAGE", True)
        emu.advance(10)
        r.clear()
        emu.set_presence_available("room", "MESSAGE", False)
        emu.advance(59.999)
        assert r.quiet()
        emu.advance(0.001)
        assert [registry(t + 100_000, "amy", "bob", "dan")] == got(r.rec("amy"))

    async def test_r_e8_available_when_up_changes_nothing(self, emu: Emulator) -> None:
        r = await room(emu)
        emu.set_presence_available("room", "MESSAGE", True)
        emu.advance(120)
        assert r.quiet()
        await r["amy"].presence.set_state("room", "MESSAGE", {"a": "2"})
        assert [remote("REMOTE_STATE_CHANGED", "amy", emu.now_ms, state={"a": "2"})] == got(
            r.rec("bob")
        )

    async def test_r_e8_other_channels_are_not_affected(self, emu: Emulator) -> None:
        """Only MESSAGE room is down: MESSAGE other and STREAM room carry events."""
        r = await room(emu)
        emu.set_presence_available("room", "MESSAGE", False)
        emu.advance(1)
        t = emu.now_ms
        await r["bob"].presence.set_state("other", "MESSAGE", {"o": "1"})
        await r["bob"].presence.set_state("room", "STREAM", {"s": "1"})
        await r["bob"].presence.set_state("room", "MESSAGE", {"m": "1"})
        assert [remote("REMOTE_STATE_CHANGED", "bob", t, "other", state={"o": "1"})] == got(
            r.rec("cat")
        )
        assert [remote("REMOTE_STATE_CHANGED", "bob", t, "room", "STREAM", state={"s": "1"})] == (
            got(r.rec("amy"))
        )
        await r["eve"].subscribe("other")
        assert [snap(t, {"bob": {"o": "1"}, "cat": {}, "eve": {}}, "other")] == got(r.rec("eve"))
        who = await r["cat"].presence.who_now("other", "MESSAGE", include_state=True)
        assert 0 == who.timestamp
        emu.advance(58.999)  # 59.999 s after the fault: no fallback yet
        assert [] == got(r.rec("amy"))

    async def test_r_e8_never_error_out_of_service(self, emu: Emulator) -> None:
        """The SDK has the event type but never emits it: a long outage with traffic,
        recovery and a second outage gives none (checked by ``got``)."""
        r = await room(emu)
        emu.set_presence_available("room", "MESSAGE", False)
        for step in range(12):
            uid = ("eve", "fay")[step % 2]
            if step % 4 < 2:
                await r[uid].subscribe("room")
            else:
                await r[uid].unsubscribe("room")
            await r["amy"].presence.set_state("room", "MESSAGE", {"n": str(step)})
            emu.advance(20)
        emu.set_presence_available("room", "MESSAGE", True)
        emu.advance(20)
        emu.set_presence_available("room", "MESSAGE", False)
        emu.advance(120)
        seen = [got(r.rec(uid)) for uid in r.recs]
        assert any(seen)
        types = {e["eventType"] for events in seen for e in events}
        assert "ERROR_OUT_OF_SERVICE" not in types
        assert {"SNAPSHOT"} <= types

    async def test_r_e8_interval_mode_channel_is_silent_too(self) -> None:
        """No INTERVAL flows on a channel whose store is down (announce threshold 8)."""
        emu = Emulator(EmulatorConfig(announce_max=8, interval=10.0), strict=True)
        users = [emu.client(f"u{i}") for i in range(10)]
        rec = Recorder(users[0])
        for client in users[:8]:
            await client.login()
            await client.subscribe("room")
        emu.advance(25)
        got(rec)
        t = emu.now_ms
        emu.set_presence_available("room", "MESSAGE", False)
        await users[1].presence.set_state("room", "MESSAGE", {"k": "v"})
        await users[8].login()
        await users[8].subscribe("room")
        await users[2].unsubscribe("room")
        emu.advance(59.999)
        assert [] == got(rec)
        emu.advance(0.001)
        events = got(rec)
        assert registry(t + FALLBACK_MS, *[f"u{i}" for i in (0, 1, 3, 4, 5, 6, 7, 8)]) == events[0]
        assert "INTERVAL" not in [e["eventType"] for e in events]
        emu.check_invariants()


# ------------------------------------------------------------------------ R-E9


class TestRE9DeliveryLatency:
    """R-E9: events reach listeners before the call returns unless a latency fault is
    set; a late event keeps its order number and its timestamp."""

    async def test_r_e9_late_events_arrive_when_the_clock_passes_the_delay(
        self, emu: Emulator
    ) -> None:
        alice, bob = emu.client("alice"), emu.client("bob")
        ra, rb = Recorder(alice), Recorder(bob)
        await alice.login()
        await bob.login()
        await alice.subscribe("room")
        got(ra)
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
        assert ra.presence[0].seq < rb.presence[0].seq  # R-E7: recipients in id order

    async def test_r_e9_changing_latency_can_reorder_delivery(self, emu: Emulator) -> None:
        alice, bob = emu.client("alice"), emu.client("bob")
        ra = Recorder(alice)
        for client in (alice, bob):
            await client.login()
            await client.subscribe("room")
        got(ra)
        emu.set_delivery_latency("alice", 5)
        await bob.presence.set_state("room", "MESSAGE", {"n": "1"})
        emu.set_delivery_latency("alice", 1)
        await bob.presence.set_state("room", "MESSAGE", {"n": "2"})
        emu.advance(5)
        assert [{"n": "2"}, {"n": "1"}] == [dict(e.state_changed) for e in ra.presence]
        first, second = (e.seq for e in ra.presence)
        assert first > second

    async def test_r_e9_late_events_for_a_disconnected_client_are_dropped(
        self, emu: Emulator
    ) -> None:
        alice, bob = emu.client("alice"), emu.client("bob")
        ra = Recorder(alice)
        await alice.login()
        await bob.login()
        await alice.subscribe("room")
        got(ra)
        emu.set_delivery_latency("alice", 1)
        await bob.subscribe("room")
        emu.disconnect("alice")
        emu.advance(1)
        assert [] == ra.presence

    async def test_r_e9_zero_latency_restores_immediate_delivery(self, emu: Emulator) -> None:
        alice, bob = emu.client("alice"), emu.client("bob")
        ra = Recorder(alice)
        await alice.login()
        await bob.login()
        await alice.subscribe("room")
        got(ra)
        emu.set_delivery_latency("alice", 3)
        emu.set_delivery_latency("alice", 0)
        await bob.subscribe("room")
        assert [("REMOTE_JOIN", "bob")] == ra.types()
        emu.advance(10)
        assert [("REMOTE_JOIN", "bob")] == ra.types()

    @pytest.mark.parametrize("bad", [-1, float("inf"), float("nan"), "1", None, True])
    def test_r_e9_bad_latency_is_refused(self, emu: Emulator, bad: object) -> None:
        with pytest.raises(ValueError):
            emu.set_delivery_latency("alice", bad)  # type: ignore[arg-type]
