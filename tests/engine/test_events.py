"""Presence events (revision 2): who receives what, when, and in which order.

Rules R-E1 .. R-E7 and R-E9 of ``semantics.md``; the evidence is the SDK runtime
(agora-rtm.js 2.3.0, class ChannelPresence: the document-event handler, the interval
control and the ``presence-interval`` handler).  Every test compares the exact deliveries,
``(recipient, event.to_dict())`` in delivery order, with timestamps from the fake clock;
the recorder (:class:`tests.expected.Log`) checks on every take that ``seq`` strictly
increases in delivery order (R-E7).  Expected values come first.

Interval-mode tests run with ``announce_max=8`` (the smallest threshold) and
``interval=10`` (the smallest period), so "threshold - 1 / threshold / threshold + 1"
are 7 / 8 / 9 users.  Users that only fill a channel subscribe with
``withPresence=False``: visible and counted, but they listen to nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rtm_emulator import Emulator, EmulatorConfig, PresenceEvent, RTMClient, RTMConfig

from ..conftest import Recorder
from ..expected import (
    Log,
    each,
    interval_at,
    join_at,
    leave_at,
    snapshot_at,
    state_at,
    timeout_at,
    to,
)

#: R-T2 with ``presence_timeout=5``: the server notices after (heartbeat 5 + 10) s, then 5 s.
TIMEOUT_MS = 20_000
FAST_TIMEOUT = RTMConfig(presence_timeout=5)
#: R-E6 default debounce.
DEBOUNCE_MS = 2_000

F6 = tuple(f"f{i}" for i in range(1, 7))
F7 = (*F6, "f7")
F8 = (*F7, "f8")
F9 = (*F8, "f9")


# ------------------------------------------------------------------ helpers


def make(**config: Any) -> Emulator:
    return Emulator(EmulatorConfig(**config), strict=True)


@pytest.fixture
def iemu() -> Iterator[Emulator]:
    """Interval mode from 8 users on, one period every 10 s (R-E5, R-C4 minimums)."""
    emulator = make(announce_max=8, interval=10.0)
    yield emulator
    emulator.check_invariants()


async def newcomer(emu: Emulator, log: Log, uid: str, config: RTMConfig | None = None) -> RTMClient:
    """A watched, logged-in client that has entered no channel yet."""
    client = log.watch(emu.client(uid, config=config))
    before = len(log.log)
    await client.login()
    assert before == len(log.log)  # a login alone emits no presence event
    return client


async def enter(
    emu: Emulator,
    log: Log,
    *uids: str,
    channel: str = "room",
    config: RTMConfig | None = None,
    with_presence: bool = True,
    be_quiet: bool = False,
    stream: bool = False,
) -> dict[str, RTMClient]:
    """Log in watched clients, enter ``channel`` one after the other; clears ``log``."""
    clients = {}
    for uid in uids:
        client = await newcomer(emu, log, uid, config)
        if stream:
            handle = client.create_stream_channel(channel)
            await handle.join(with_presence=with_presence, be_quiet=be_quiet)
        else:
            await client.subscribe(channel, with_presence=with_presence, be_quiet=be_quiet)
        clients[uid] = client
    log.take()
    return clients


async def silent(
    emu: Emulator,
    log: Log,
    *uids: str,
    channel: str = "room",
    config: RTMConfig | None = None,
    stream: bool = False,
) -> dict[str, RTMClient]:
    """Visible users that do not listen (``withPresence=False``): occupancy filler."""
    return await enter(
        emu, log, *uids, channel=channel, config=config, with_presence=False, stream=stream
    )


def link_times(rec: Recorder, state: str) -> list[int]:
    """Timestamps of the link-state events of ``rec`` that entered ``state``."""
    return [e.timestamp for e in rec.links if e.current_state.value == state]


# ------------------------------------------------------------------------ R-E1


class TestRE1SnapshotAndJoin:
    """R-E1: the entering listener gets one SNAPSHOT; the others' replicas gain a document."""

    async def test_r_e1_probe_p3_two_clients_plain_flow(self, emu: Emulator) -> None:
        """sdk-runtime §6 probe p3: SNAPSHOT, cached state, full-state changes, timeout."""
        log = Log()
        bob = await newcomer(emu, log, "bob")
        emu.advance(1)
        t = emu.now_ms
        await bob.subscribe("room")
        assert [("bob", snapshot_at(t, "bob"))] == log.take()
        alice = await newcomer(emu, log, "alice")
        await alice.presence.set_state("room", "MESSAGE", {"mood": "happy", "seat": "3"})
        assert [] == log.take()  # only the cache (R-S4)
        emu.advance(1)
        t = emu.now_ms
        await alice.subscribe("room")
        full = {"mood": "happy", "seat": "3"}
        assert [
            ("alice", snapshot_at(t, "bob", ("alice", full))),
            ("bob", join_at("alice", t)),
            ("bob", state_at("alice", full, t)),
        ] == log.take()
        emu.advance(1)
        t = emu.now_ms
        await alice.presence.set_state("room", "MESSAGE", {"mood": "sad"})
        assert [("bob", state_at("alice", {"mood": "sad", "seat": "3"}, t))] == log.take()
        carol = await newcomer(emu, log, "carol", FAST_TIMEOUT)
        await carol.presence.set_state("room", "MESSAGE", {"a": "1"})
        t = emu.now_ms
        await carol.subscribe("room", with_presence=False)
        assert [
            ("alice", join_at("carol", t)),
            ("alice", state_at("carol", {"a": "1"}, t)),
            ("bob", join_at("carol", t)),
            ("bob", state_at("carol", {"a": "1"}, t)),
        ] == log.take()
        emu.disconnect("carol")
        emu.advance(TIMEOUT_MS / 1000 - 0.001)
        assert [] == log.take()
        emu.advance(0.001)
        at = t + TIMEOUT_MS
        assert [("alice", timeout_at("carol", at)), ("bob", timeout_at("carol", at))] == (
            log.take()
        )
        emu.advance(400)  # the timed-out document's removal shows nothing
        assert [] == log.take()

    async def test_r_e1_event_fields_snapshot_and_remote_join(self, emu: Emulator) -> None:
        """Events: ``snapshot`` is [] off a SNAPSHOT, ``interval`` is None off an INTERVAL."""
        got: list[PresenceEvent] = []
        amy = emu.client("amy")
        amy.add_event_listener("presence", got.append)
        await amy.login()
        await amy.subscribe("room")
        bob = emu.client("bob")
        await bob.login()
        await bob.subscribe("room")
        snapshot, joined = got
        assert ("SNAPSHOT", "", None, {}) == (
            snapshot.event_type.value,
            snapshot.publisher,
            snapshot.interval,
            dict(snapshot.state_changed),
        )
        assert ["amy"] == [u.user_id for u in snapshot.snapshot]
        assert ("REMOTE_JOIN", "bob", None, 0, {}) == (
            joined.event_type.value,
            joined.publisher,
            joined.interval,
            len(joined.snapshot),
            dict(joined.state_changed),
        )
        assert ("room", "MESSAGE", emu.now_ms) == (
            joined.channel_name,
            joined.channel_type.value,
            joined.timestamp,
        )
        assert snapshot.seq < joined.seq

    async def test_r_e1_snapshot_lists_every_visible_user_with_full_state(
        self, emu: Emulator
    ) -> None:
        log = Log()
        c = await enter(emu, log, "carl", "amy")
        await enter(emu, log, "qq", be_quiet=True)  # listening, not listed
        await silent(emu, log, "dan")  # listed, not listening
        await c["amy"].presence.set_state("room", "MESSAGE", {"a": "1"})
        await c["carl"].presence.set_state("room", "MESSAGE", {"c": "3", "d": "x"})
        bea = await newcomer(emu, log, "bea")
        await bea.presence.set_state("room", "MESSAGE", {"seat": "3"})
        log.take()
        emu.advance(1.5)
        t = emu.now_ms
        await bea.subscribe("room")
        users = [("amy", {"a": "1"}), ("bea", {"seat": "3"}), ("carl", {"c": "3", "d": "x"})]
        assert [
            ("amy", join_at("bea", t)),
            ("amy", state_at("bea", {"seat": "3"}, t)),
            ("bea", snapshot_at(t, *users, "dan")),
            ("carl", join_at("bea", t)),
            ("carl", state_at("bea", {"seat": "3"}, t)),
            ("qq", join_at("bea", t)),
            ("qq", state_at("bea", {"seat": "3"}, t)),
        ] == log.take()

    async def test_r_e1_snapshot_and_events_carry_json_values(self, emu: Emulator) -> None:
        """R-S1: values are JSON values, not only strings; statesCount counts keys."""
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        value = {"n": 7, "f": 1.5, "t": True, "o": {"k": ["v", 1]}, "s": "x"}
        t = emu.now_ms
        await c["bob"].presence.set_state("room", "MESSAGE", value)
        assert [("amy", state_at("bob", value, t))] == log.take()
        cid = await newcomer(emu, log, "cid")
        await cid.subscribe("room")
        assert [
            ("amy", join_at("cid", t)),
            ("bob", join_at("cid", t)),
            ("cid", snapshot_at(t, "amy", ("bob", value), "cid")),
        ] == log.take()

    async def test_r_e1_first_user_sees_only_itself(self, emu: Emulator) -> None:
        log = Log()
        amy = await newcomer(emu, log, "amy")
        emu.advance(3)
        t = emu.now_ms
        response = await amy.subscribe("room")
        assert [("amy", snapshot_at(t, "amy"))] == log.take()
        assert {"timestamp": 0, "channelName": "room"} == response.to_dict()  # R-Q7

    async def test_r_e1_quiet_entrant_snapshot_excludes_itself(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].presence.set_state("room", "MESSAGE", {"b": "2"})
        log.take()
        qq = await newcomer(emu, log, "qq")
        t = emu.now_ms
        await qq.subscribe("room", be_quiet=True)
        assert [("qq", snapshot_at(t, "amy", ("bob", {"b": "2"})))] == log.take()
        assert ["amy", "bob"] == emu.online_users("room", "MESSAGE")

    async def test_r_e1_non_listening_entrant_no_snapshot_others_join(self, emu: Emulator) -> None:
        log = Log()
        await enter(emu, log, "amy")
        await enter(emu, log, "qq", be_quiet=True)
        sil = await newcomer(emu, log, "sil")
        t = emu.now_ms
        await sil.subscribe("room", with_presence=False)
        assert [("amy", join_at("sil", t)), ("qq", join_at("sil", t))] == log.take()

    async def test_r_e1_non_listening_quiet_entrant_produces_nothing(self, emu: Emulator) -> None:
        log = Log()
        await enter(emu, log, "amy")
        ghost = await newcomer(emu, log, "ghost")
        await ghost.subscribe("room", with_presence=False, be_quiet=True)
        assert [] == log.take()
        assert ["amy"] == emu.online_users("room", "MESSAGE")

    async def test_r_e1_stream_channel_is_its_own_channel(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob")  # MESSAGE "room"
        await c["amy"].create_stream_channel("room").join()
        log.take()
        zed = await newcomer(emu, log, "zed")
        emu.advance(0.25)
        t = emu.now_ms
        await zed.create_stream_channel("room").join()
        assert [
            ("amy", join_at("zed", t, ctype="STREAM")),
            ("zed", snapshot_at(t, "amy", "zed", ctype="STREAM")),
        ] == log.take()

    async def test_r_e1_snapshot_also_in_interval_mode(self, iemu: Emulator) -> None:
        """sdk-runtime §6 (d): SNAPSHOT in both modes."""
        log = Log()
        await silent(iemu, log, *F8)
        zed = await newcomer(iemu, log, "zed")
        t = iemu.now_ms
        await zed.subscribe("room")
        assert [("zed", snapshot_at(t, *F8, "zed"))] == log.take()


# ------------------------------------------------------------------------ R-E2


class TestRE2RemoteLeave:
    """R-E2: a removed document is a REMOTE_LEAVE to the listeners, after the debounce."""

    async def test_r_e2_unsubscribe_leave_after_debounce_to_listeners_only(
        self, emu: Emulator
    ) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob", "carl")
        await enter(emu, log, "qq", be_quiet=True)
        await silent(emu, log, "sil")
        emu.advance(1)
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        assert [] == log.take()
        emu.advance(1.999)
        assert [] == log.take()
        emu.advance(0.001)
        assert each(("amy", "carl", "qq"), leave_at("bob", t + DEBOUNCE_MS)) == log.take()
        emu.advance(60)
        assert [] == log.take()

    async def test_r_e2_stream_leave(self, emu: Emulator) -> None:
        log = Log()
        amy, bob = await newcomer(emu, log, "amy"), await newcomer(emu, log, "bob")
        await amy.create_stream_channel("stage").join()
        stage = bob.create_stream_channel("stage")
        await stage.join()
        log.take()
        t = emu.now_ms
        await stage.leave()
        emu.advance(1.999)
        assert [] == log.take()
        emu.advance(0.001)
        expected = leave_at("bob", t + DEBOUNCE_MS, channel="stage", ctype="STREAM")
        assert [("amy", expected)] == log.take()

    async def test_r_e2_logout_one_leave_per_channel(self, emu: Emulator) -> None:
        log = Log()
        amy, bob, cat = [await newcomer(emu, log, u) for u in ("amy", "bob", "cat")]
        await bob.create_stream_channel("aa").join()
        await bob.subscribe("zz")
        await bob.subscribe("aa")
        await amy.subscribe("zz")
        await amy.create_stream_channel("aa").join()
        await amy.subscribe("aa")
        await cat.subscribe("zz")
        log.take()
        emu.advance(4)
        t = emu.now_ms
        await bob.logout()
        assert [] == log.take()
        emu.advance(2)
        at = t + DEBOUNCE_MS
        assert {
            "amy": [
                leave_at("bob", at, channel="aa"),
                leave_at("bob", at, channel="zz"),
                leave_at("bob", at, channel="aa", ctype="STREAM"),
            ],
            "cat": [leave_at("bob", at, channel="zz")],
        } == log.by_recipient()
        emu.advance(30)
        assert [] == log.take()

    async def test_r_e2_kicked_session_leaves_after_debounce(self, emu: Emulator) -> None:
        """R-T4: a same-uid login elsewhere; the old session leaves its channels (R-E6)."""
        log = Log()
        await enter(emu, log, "amy", "bob")
        t = emu.now_ms
        await newcomer(emu, log, "bob")  # second device of bob: the first is kicked
        emu.advance(1.999)
        assert [] == log.take()
        emu.advance(0.001)
        assert [("amy", leave_at("bob", t + DEBOUNCE_MS))] == log.take()
        assert ["amy"] == emu.online_users("room", "MESSAGE")

    async def test_r_e2_only_members_of_the_channel_are_told(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        await enter(emu, log, "out", channel="other")
        await c["bob"].subscribe("other")
        log.take()
        emu.advance(3)
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        emu.advance(2)
        assert [("amy", leave_at("bob", t + DEBOUNCE_MS))] == log.take()


# ------------------------------------------------------------------------ R-E3


class TestRE3StateChanged:
    """R-E3 / R-S5: one REMOTE_STATE_CHANGED per write, carrying the full state."""

    async def test_r_e3_every_write_full_state(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        p = c["bob"].presence
        t = emu.now_ms
        await p.set_state("room", "MESSAGE", {"a": "1"})
        emu.advance(0.1)
        await p.set_state("room", "MESSAGE", {"b": "2"})
        emu.advance(0.1)
        await p.set_state("room", "MESSAGE", {"a": "9"})
        emu.advance(0.1)
        await p.remove_state("room", "MESSAGE", states=["b"])
        emu.advance(0.1)
        await p.set_state("room", "MESSAGE", {"c": "3"})
        emu.advance(0.1)
        await p.remove_state("room", "MESSAGE")
        assert [
            ("amy", state_at("bob", {"a": "1"}, t)),
            ("amy", state_at("bob", {"a": "1", "b": "2"}, t + 100)),
            ("amy", state_at("bob", {"a": "9", "b": "2"}, t + 200)),
            ("amy", state_at("bob", {"a": "9"}, t + 300)),
            ("amy", state_at("bob", {"a": "9", "c": "3"}, t + 400)),
            ("amy", state_at("bob", {}, t + 500)),
        ] == log.take()

    async def test_r_e3_each_listener_once_never_the_writer(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "dan", "bob", "amy")
        await enter(emu, log, "qq", be_quiet=True)
        await silent(emu, log, "sil")
        t = emu.now_ms
        await c["bob"].presence.set_state("room", "MESSAGE", {"k": "v", "w": "x"})
        full = state_at("bob", {"k": "v", "w": "x"}, t)
        assert each(("amy", "dan", "qq"), full) == log.take()

    async def test_r_e3_remove_of_absent_keys_emits_nothing(self, emu: Emulator) -> None:
        """R-S5 [rule]: a removeState that removes no present key changes nothing."""
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].presence.set_state("room", "MESSAGE", {"a": "1"})
        log.take()
        await c["bob"].presence.remove_state("room", "MESSAGE", states=["zz", "yy"])
        assert [] == log.take()
        t = emu.now_ms
        await c["bob"].presence.remove_state("room", "MESSAGE", states=["zz", "a"])
        assert [("amy", state_at("bob", {}, t))] == log.take()
        await c["bob"].presence.remove_state("room", "MESSAGE")  # nothing left to remove
        assert [] == log.take()

    async def test_r_e3_state_for_a_channel_not_entered_emits_nothing(self, emu: Emulator) -> None:
        """R-S4: only the cache changes."""
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].presence.set_state("hall", "MESSAGE", {"a": "1"})
        await c["bob"].presence.set_state("room", "STREAM", {"a": "1"})
        await c["bob"].presence.remove_state("hall", "MESSAGE")
        assert [] == log.take()

    async def test_r_e3_stream_state_change(self, emu: Emulator) -> None:
        log = Log()
        amy, bob = await newcomer(emu, log, "amy"), await newcomer(emu, log, "bob")
        await amy.create_stream_channel("stage").join()
        await bob.create_stream_channel("stage").join()
        log.take()
        t = emu.now_ms
        await bob.presence.set_state("stage", "STREAM", {"mic": "on"})
        expected = state_at("bob", {"mic": "on"}, t, channel="stage", ctype="STREAM")
        assert [("amy", expected)] == log.take()

    async def test_r_e3_nobody_hears_about_itself(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        bob = c["bob"]
        await bob.create_stream_channel("stage").join()
        await bob.presence.set_state("room", "MESSAGE", {"x": "1"})
        await bob.presence.set_state("stage", "STREAM", {"y": "2"})
        await bob.unsubscribe("room")
        emu.advance(3)
        await bob.subscribe("room")
        await bob.logout()
        emu.advance(3)
        own = [ev for uid, ev in log.take() if uid == "bob" and ev["eventType"] != "SNAPSHOT"]
        assert [] == own


# ------------------------------------------------------------------------ R-E4


class TestRE4Quiet:
    """R-E4: a quiet user has no document: invisible to the others, it still hears them."""

    async def test_r_e4_quiet_enter_state_leave_produce_nothing(self, emu: Emulator) -> None:
        log = Log()
        await enter(emu, log, "amy", "bob")
        qq = await newcomer(emu, log, "qq")
        t = emu.now_ms
        await qq.subscribe("room", be_quiet=True)
        await qq.presence.set_state("room", "MESSAGE", {"q": "1"})
        await qq.presence.remove_state("room", "MESSAGE")
        await qq.unsubscribe("room")
        emu.advance(10)
        assert [("qq", snapshot_at(t, "amy", "bob"))] == log.take()

    async def test_r_e4_quiet_stream_member_produces_nothing(self, emu: Emulator) -> None:
        log = Log()
        amy, qq = await newcomer(emu, log, "amy"), await newcomer(emu, log, "qq")
        await amy.create_stream_channel("stage").join()
        log.take()
        t = emu.now_ms
        stage = qq.create_stream_channel("stage")
        await stage.join(be_quiet=True)
        await qq.presence.set_state("stage", "STREAM", {"q": "1"})
        await stage.leave()
        await qq.logout()
        emu.advance(5)
        assert [("qq", snapshot_at(t, "amy", channel="stage", ctype="STREAM"))] == log.take()

    async def test_r_e4_quiet_user_still_receives_events(self, emu: Emulator) -> None:
        log = Log()
        await enter(emu, log, "qq", be_quiet=True)
        bob = await newcomer(emu, log, "bob")
        t = emu.now_ms
        await bob.subscribe("room")
        await bob.presence.set_state("room", "MESSAGE", {"b": "1"})
        await bob.unsubscribe("room")
        emu.advance(2)
        assert [
            ("bob", snapshot_at(t, "bob")),
            ("qq", join_at("bob", t)),
            ("qq", state_at("bob", {"b": "1"}, t)),
            ("qq", leave_at("bob", t + DEBOUNCE_MS)),
        ] == log.take()

    async def test_r_e4_quiet_user_is_not_counted_or_listed(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "amy")
        await enter(emu, log, "qq", be_quiet=True)
        who = await c["amy"].presence.get_online_users("room", "MESSAGE")
        assert (["amy"], 1) == ([o.user_id for o in who.occupants], who.total_occupancy)

    async def test_r_e4_non_listening_user_hears_nothing_but_is_heard(self, emu: Emulator) -> None:
        log = Log()
        await enter(emu, log, "amy")
        sil = await newcomer(emu, log, "sil")
        t = emu.now_ms
        await sil.subscribe("room", with_presence=False)
        await sil.presence.set_state("room", "MESSAGE", {"s": "1"})
        bob = await newcomer(emu, log, "bob")
        await bob.subscribe("room")
        await bob.presence.set_state("room", "MESSAGE", {"b": "2"})
        await bob.unsubscribe("room")
        emu.advance(2)
        assert [
            ("amy", join_at("sil", t)),
            ("amy", state_at("sil", {"s": "1"}, t)),
            ("amy", join_at("bob", t)),
            ("bob", snapshot_at(t, "amy", "bob", ("sil", {"s": "1"}))),
            ("amy", state_at("bob", {"b": "2"}, t)),
            ("amy", leave_at("bob", t + DEBOUNCE_MS)),
        ] == log.take()
        assert ["amy", "sil"] == emu.online_users("room", "MESSAGE")


# ------------------------------------------------------------------------ R-E5


class TestRE5IntervalEntry:
    """R-E5: each listening client enters interval mode at occupancy >= the threshold."""

    async def test_r_e5_threshold_minus_one_announced_tipping_join_announced(
        self, iemu: Emulator
    ) -> None:
        log = Log()
        await enter(iemu, log, "amy")
        fill = await silent(iemu, log, *F6[:5])  # occupancy 6
        f6 = await newcomer(iemu, log, "f6")
        t = iemu.now_ms
        await f6.subscribe("room", with_presence=False)  # 7 = threshold - 1: real time
        assert [("amy", join_at("f6", t))] == log.take()
        iemu.advance(1)
        entry = iemu.now_ms
        g1 = await newcomer(iemu, log, "g1")
        await g1.subscribe("room", with_presence=False)  # 8 = threshold: still announced
        assert [("amy", join_at("g1", entry))] == log.take()
        iemu.advance(1)
        g2 = await newcomer(iemu, log, "g2")
        await g2.subscribe("room", with_presence=False)  # 9: aggregated
        await fill["f1"].presence.set_state("room", "MESSAGE", {"a": "1"})
        assert [] == log.take()
        to(iemu, entry + 9_999)
        assert [] == log.take()
        to(iemu, entry + 10_000)  # the first boundary: `interval` s after the entry
        expected = interval_at(entry + 10_000, total=9, join=["g2"], states=[("f1", {"a": "1"})])
        assert [("amy", expected)] == log.take()
        to(iemu, entry + 40_000)  # quiet periods: nothing
        assert [] == log.take()

    @pytest.mark.parametrize(
        ("others", "quiet", "at_entry"),
        [(7, False, True), (6, False, False), (8, True, True), (7, True, False)],
        ids=["visible-8", "visible-7", "quiet-8", "quiet-7"],
    )
    async def test_r_e5_entry_checked_after_the_snapshot(
        self, iemu: Emulator, others: int, quiet: bool, at_entry: bool
    ) -> None:
        """Occupancy counts the client itself only when it is visible."""
        log = Log()
        fillers = tuple(f"f{i}" for i in range(1, others + 1))
        await silent(iemu, log, *fillers)
        zed = await newcomer(iemu, log, "zed")
        start = iemu.now_ms
        await zed.subscribe("room", be_quiet=quiet)
        listed = fillers if quiet else (*fillers, "zed")
        assert [("zed", snapshot_at(start, *listed))] == log.take()
        occupancy = len(listed)
        iemu.advance(1)
        g1 = await newcomer(iemu, log, "g1")
        await g1.subscribe("room", with_presence=False)
        if at_entry:
            assert [] == log.take()
            to(iemu, start + 10_000)
            expected = interval_at(start + 10_000, total=occupancy + 1, join=["g1"])
            assert [("zed", expected)] == log.take()
            return
        assert [("zed", join_at("g1", start + 1_000))] == log.take()  # tips it: announced
        iemu.advance(1)
        g2 = await newcomer(iemu, log, "g2")
        await g2.subscribe("room", with_presence=False)
        assert [] == log.take()
        to(iemu, start + 10_999)
        assert [] == log.take()
        to(iemu, start + 11_000)
        assert [("zed", interval_at(start + 11_000, total=9, join=["g2"]))] == log.take()

    @pytest.mark.parametrize(
        ("joined", "at_entry"), [(5, True), (4, False)], ids=["reaches-8", "stays-7"]
    )
    async def test_r_e5_entry_checked_after_the_resume_difference(
        self, iemu: Emulator, joined: int, at_entry: bool
    ) -> None:
        """R-T3 with R-E5: a reconnecting listener gets the difference as REMOTE_* events
        (each one, even past the threshold), then the entry check: at occupancy >= the
        threshold it is in interval mode from the reconnect on.  agora-rtm.js 2.3.0 keeps
        the replica through the loss (no new SNAPSHOT) and runs its interval control on
        it; oracle case events.others-while-down."""
        log = Log()
        c = await enter(iemu, log, "amy")
        amy_links = Recorder(c["amy"])
        await silent(iemu, log, "f1", "f2")  # occupancy 3
        loss = iemu.now_ms
        iemu.disconnect("amy")
        newcomers = [f"g{i}" for i in range(1, joined + 1)]
        await silent(iemu, log, *newcomers)
        to(iemu, loss + 8_000)  # the 2 s attempt failed at 7 s; the next is at 11 s
        iemu.reconnect("amy")
        back = loss + 11_000
        to(iemu, back)
        assert [back] == link_times(amy_links, "CONNECTED")
        assert [("amy", join_at(uid, back)) for uid in newcomers] == log.take()
        iemu.advance(1)
        h1 = await newcomer(iemu, log, "h1")
        await h1.subscribe("room", with_presence=False)
        if at_entry:  # 8 at the resume: in the mode, h1 is aggregated
            assert [] == log.take()
            to(iemu, back + 10_000)
            expected = interval_at(back + 10_000, total=4 + joined, join=["h1"])
            assert [("amy", expected)] == log.take()
        else:  # 7 at the resume: h1 tips it, announced, and the mode starts then
            assert [("amy", join_at("h1", back + 1_000))] == log.take()
            h2 = await newcomer(iemu, log, "h2")
            await h2.subscribe("room", with_presence=False)
            assert [] == log.take()
            to(iemu, back + 11_000)
            assert [("amy", interval_at(back + 11_000, total=9, join=["h2"]))] == log.take()

    async def test_r_e5_default_threshold_49_50_51(self, emu: Emulator) -> None:
        """Defaults (R-C4): threshold 50, interval 30 s."""
        log = Log()
        await enter(emu, log, "amy")
        await silent(emu, log, *(f"p{i:02d}" for i in range(1, 48)))  # occupancy 48
        p48 = await newcomer(emu, log, "p48")
        t = emu.now_ms
        await p48.subscribe("room", with_presence=False)  # 49
        assert [("amy", join_at("p48", t))] == log.take()
        emu.advance(1)
        entry = emu.now_ms
        p49 = await newcomer(emu, log, "p49")
        await p49.subscribe("room", with_presence=False)  # 50: tips, announced
        assert [("amy", join_at("p49", entry))] == log.take()
        emu.advance(1)
        p50 = await newcomer(emu, log, "p50")
        await p50.subscribe("room", with_presence=False)  # 51
        to(emu, entry + 29_999)
        assert [] == log.take()
        to(emu, entry + 30_000)
        assert [("amy", interval_at(entry + 30_000, total=51, join=["p50"]))] == log.take()

    @pytest.mark.parametrize(
        ("threshold", "period"), [(8, 300.0), (9, 10.0), (50, 30.0), (128, 10.0), (128, 11.5)]
    )
    async def test_r_e5_config_threshold_and_period(self, threshold: int, period: float) -> None:
        """R-C4 ranges: announce_max 8..128, interval 10..300 s."""
        emu = make(announce_max=threshold, interval=period)
        log = Log()
        await enter(emu, log, "amy")
        await silent(emu, log, *(f"p{i:03d}" for i in range(1, threshold - 2)))
        t = emu.now_ms
        for uid in ("x", "y"):  # threshold - 1, then threshold: both announced
            client = await newcomer(emu, log, uid)
            await client.subscribe("room", with_presence=False)
            assert [("amy", join_at(uid, t))] == log.take()
        await silent(emu, log, "z")  # threshold + 1: aggregated
        period_ms = int(period * 1000)
        to(emu, t + period_ms - 1)
        assert [] == log.take()
        to(emu, t + period_ms)
        assert [("amy", interval_at(t + period_ms, total=threshold + 1, join=["z"]))] == (
            log.take()
        )
        emu.check_invariants()

    async def test_r_e5_tipping_joiner_with_cached_state(self, iemu: Emulator) -> None:
        """The tipping REMOTE_JOIN is announced; its state write comes after it, in the mode."""
        log = Log()
        await enter(iemu, log, "amy")
        await silent(iemu, log, *F6)
        nu = await newcomer(iemu, log, "nu")
        await nu.presence.set_state("room", "MESSAGE", {"seat": "3"})
        entry = iemu.now_ms
        await nu.subscribe("room", with_presence=False)
        assert [("amy", join_at("nu", entry))] == log.take()
        to(iemu, entry + 10_000)
        expected = interval_at(entry + 10_000, total=8, states=[("nu", {"seat": "3"})])
        assert [("amy", expected)] == log.take()

    async def test_r_e5_timers_are_per_client_from_its_own_entry(self, iemu: Emulator) -> None:
        log = Log()
        await silent(iemu, log, *F6)
        await enter(iemu, log, "amy")  # 7
        bob = await newcomer(iemu, log, "bob")
        t1 = iemu.now_ms
        await bob.subscribe("room")  # 8: amy tips on bob's join, bob on its SNAPSHOT
        assert [
            ("amy", join_at("bob", t1)),
            ("bob", snapshot_at(t1, "amy", "bob", *F6)),
        ] == log.take()
        to(iemu, t1 + 4_000)
        zed = await newcomer(iemu, log, "zed")
        await zed.subscribe("room")
        assert [("zed", snapshot_at(t1 + 4_000, "amy", "bob", *F6, "zed"))] == log.take()
        to(iemu, t1 + 6_000)
        g1 = (await silent(iemu, log, "g1"))["g1"]
        to(iemu, t1 + 9_999)
        assert [] == log.take()
        to(iemu, t1 + 10_000)
        first = interval_at(t1 + 10_000, total=10, join=["g1", "zed"])
        assert {"amy": [first], "bob": [first]} == log.by_recipient()
        to(iemu, t1 + 13_999)
        assert [] == log.take()
        to(iemu, t1 + 14_000)
        assert [("zed", interval_at(t1 + 14_000, total=10, join=["g1"]))] == log.take()
        to(iemu, t1 + 22_000)  # amy's and bob's second boundary had nothing
        assert [] == log.take()
        await g1.presence.set_state("room", "MESSAGE", {"g": "1"})
        to(iemu, t1 + 24_000)
        expected = interval_at(t1 + 24_000, total=10, states=[("g1", {"g": "1"})])
        assert [("zed", expected)] == log.take()
        to(iemu, t1 + 30_000)
        expected = interval_at(t1 + 30_000, total=10, states=[("g1", {"g": "1"})])
        assert {"amy": [expected], "bob": [expected]} == log.by_recipient()

    async def test_r_e5_reentering_client_restarts_its_timer(self, iemu: Emulator) -> None:
        log = Log()
        await silent(iemu, log, *F8)
        amy = await newcomer(iemu, log, "amy")
        start = iemu.now_ms
        await amy.subscribe("room")  # 9
        log.take()
        to(iemu, start + 3_000)
        await amy.unsubscribe("room")
        to(iemu, start + 4_000)
        await amy.subscribe("room")  # within the debounce window: the others see nothing
        assert [("amy", snapshot_at(start + 4_000, "amy", *F8))] == log.take()
        to(iemu, start + 5_000)
        await silent(iemu, log, "g1")
        to(iemu, start + 13_999)
        assert [] == log.take()  # nothing at start + 10 s: that timer is gone
        to(iemu, start + 14_000)
        assert [("amy", interval_at(start + 14_000, total=10, join=["g1"]))] == log.take()

    async def test_r_e5_stream_channel(self, iemu: Emulator) -> None:
        log = Log()
        await enter(iemu, log, "amy", channel="stage", stream=True)
        await silent(iemu, log, *F6, channel="stage", stream=True)
        g1 = await newcomer(iemu, log, "g1")
        entry = iemu.now_ms
        await g1.create_stream_channel("stage").join(with_presence=False)
        assert [("amy", join_at("g1", entry, channel="stage", ctype="STREAM"))] == log.take()
        g2 = await newcomer(iemu, log, "g2")
        await g2.create_stream_channel("stage").join(with_presence=False)
        assert [] == log.take()
        to(iemu, entry + 10_000)
        expected = interval_at(
            entry + 10_000, total=9, join=["g2"], channel="stage", ctype="STREAM"
        )
        assert [("amy", expected)] == log.take()


class TestRE5IntervalAggregation:
    """R-E5: what one INTERVAL lists, and when an INTERVAL is sent at all."""

    async def test_r_e5_probe_p5(self, iemu: Emulator) -> None:
        """sdk-runtime §6 probe p5, at threshold 8 (bob listens)."""
        log = Log()
        await enter(iemu, log, "bob")
        await silent(iemu, log, *F6[:5])  # occupancy 6
        u1 = await newcomer(iemu, log, "u1")
        t = iemu.now_ms
        await u1.subscribe("room", with_presence=False)  # 7: REALTIME
        assert [("bob", join_at("u1", t))] == log.take()
        iemu.advance(1)
        entry = iemu.now_ms
        u2 = await newcomer(iemu, log, "u2")
        await u2.subscribe("room", with_presence=False)  # 8: the tipping join, announced
        assert [("bob", join_at("u2", entry))] == log.take()
        u3 = await newcomer(iemu, log, "u3", FAST_TIMEOUT)
        u4 = await newcomer(iemu, log, "u4")
        to(iemu, entry + 1_000)
        await u3.subscribe("room", with_presence=False)
        await u3.presence.set_state("room", "MESSAGE", {"k": "v"})
        to(iemu, entry + 2_000)
        await u4.subscribe("room", with_presence=False)
        to(iemu, entry + 3_000)
        await u4.unsubscribe("room")  # its document goes at entry + 5 s
        to(iemu, entry + 6_000)
        await u1.presence.set_state("room", "MESSAGE", {"x": "1"})
        to(iemu, entry + 9_999)
        assert [] == log.take()
        to(iemu, entry + 10_000)
        first = interval_at(
            entry + 10_000,
            total=9,
            join=["u3"],  # u4 joined and left: in neither list
            states=[("u3", {"k": "v"}), ("u1", {"x": "1"})],
        )
        assert [("bob", first)] == log.take()
        to(iemu, entry + 21_000)  # the quiet second boundary: no event
        assert [] == log.take()
        iemu.disconnect("u3")  # timed out at entry + 41 s
        to(iemu, entry + 41_000)
        assert [] == log.take()  # occupancy 8: still interval mode
        assert "u3" not in emu_users(iemu)
        to(iemu, entry + 42_000)
        await u1.unsubscribe("room")  # its document goes at entry + 44 s: occupancy 7
        to(iemu, entry + 43_999)
        assert [] == log.take()
        to(iemu, entry + 44_000)
        flush = interval_at(entry + 44_000, total=7, leave=["u1"], timeout=["u3"])
        assert [("bob", flush)] == log.take()  # immediate flush on exit
        to(iemu, entry + 45_000)
        await u2.unsubscribe("room")
        to(iemu, entry + 47_000)
        assert [("bob", leave_at("u2", entry + 47_000))] == log.take()  # REALTIME again
        iemu.advance(400)
        assert [] == log.take()

    async def test_r_e5_probe_q10_cancel_leave_rejoin_and_state_of_leaver(self) -> None:
        """sdk-runtime §6 probe q10: u2 leaves and re-joins (neither list); u3 changed
        state and left (only ``leave``); u1 timed out; after the exit u1's return is a
        real-time REMOTE_JOIN."""
        emu = make(announce_max=8, interval=60.0)
        log = Log()
        fill = await silent(emu, log, *F6, "u2", "u3")
        u1 = emu.client("u1", config=FAST_TIMEOUT)
        u1_links = Recorder(u1)
        log.watch(u1)
        await u1.login()
        await u1.subscribe("room", with_presence=False)
        bob = await newcomer(emu, log, "bob")
        entry = emu.now_ms
        await bob.subscribe("room")  # 10 users: interval mode at the SNAPSHOT
        assert [("bob", snapshot_at(entry, "bob", *F6, "u1", "u2", "u3"))] == log.take()
        to(emu, entry + 1_000)
        await fill["u3"].presence.set_state("room", "MESSAGE", {"s": "1"})
        to(emu, entry + 2_000)
        await fill["u2"].unsubscribe("room")  # gone at entry + 4 s
        to(emu, entry + 5_000)
        await fill["u2"].subscribe("room", with_presence=False)  # back: cancels
        to(emu, entry + 6_000)
        await fill["u3"].unsubscribe("room")  # gone at entry + 8 s
        to(emu, entry + 10_000)
        emu.disconnect("u1")  # timed out at entry + 30 s: occupancy 8
        to(emu, entry + 59_999)
        assert [] == log.take()
        to(emu, entry + 60_000)
        boundary = interval_at(entry + 60_000, total=8, leave=["u3"], timeout=["u1"])
        assert [("bob", boundary)] == log.take()
        to(emu, entry + 61_000)
        await fill["f1"].unsubscribe("room")  # gone at entry + 63 s: occupancy 7, exit
        to(emu, entry + 63_000)
        assert [("bob", interval_at(entry + 63_000, total=7, leave=["f1"]))] == log.take()
        emu.reconnect("u1")
        emu.advance(120)
        back = [ts for ts in link_times(u1_links, "CONNECTED") if ts > entry]
        assert 1 == len(back), u1_links.link_states()
        assert [("bob", join_at("u1", back[0]))] == log.take()

    async def test_r_e5_join_then_timeout_and_timeout_then_return_cancel(self) -> None:
        emu = make(announce_max=8, interval=60.0)
        log = Log()
        fill = await silent(emu, log, *F6, "u2", "u3")
        tim = emu.client("tim", config=FAST_TIMEOUT)
        tim_links = Recorder(tim)
        log.watch(tim)
        await tim.login()
        await tim.subscribe("room", with_presence=False)
        bob = await newcomer(emu, log, "bob")
        entry = emu.now_ms
        await bob.subscribe("room")  # 10
        log.take()
        to(emu, entry + 1_000)
        emu.disconnect("tim")  # timed out at entry + 21 s
        to(emu, entry + 2_000)
        jay = await newcomer(emu, log, "jay", FAST_TIMEOUT)
        await jay.subscribe("room", with_presence=False)
        to(emu, entry + 3_000)
        emu.disconnect("jay")  # timed out at entry + 23 s: it joined in this period
        to(emu, entry + 24_000)
        assert ["bob", *F6, "u2", "u3"] == emu_users(emu)  # tim and jay timed out
        emu.reconnect("tim")  # comes back (late) at its next retry
        to(emu, entry + 50_000)
        await fill["f1"].presence.set_state("room", "MESSAGE", {"a": "1"})
        back = [ts for ts in link_times(tim_links, "CONNECTED") if ts > entry]
        assert 1 == len(back), tim_links.link_states()
        assert entry + 24_000 <= back[0] < entry + 50_000
        assert "tim" in emu_users(emu)
        to(emu, entry + 60_000)
        expected = interval_at(entry + 60_000, total=10, states=[("f1", {"a": "1"})])
        assert [("bob", expected)] == log.take()
        emu.check_invariants()

    async def test_r_e5_leave_lists_only_users_present_at_the_last_boundary(
        self, iemu: Emulator
    ) -> None:
        log = Log()
        fill = await silent(iemu, log, *F7, "k3")
        amy = await newcomer(iemu, log, "amy")
        entry = iemu.now_ms
        await amy.subscribe("room")  # 9
        log.take()
        to(iemu, entry + 1_000)
        k1 = (await silent(iemu, log, "k1"))["k1"]
        to(iemu, entry + 2_000)
        await k1.unsubscribe("room")  # joined and left in one period: in neither list
        to(iemu, entry + 5_000)
        k2 = (await silent(iemu, log, "k2"))["k2"]
        to(iemu, entry + 9_000)
        await fill["k3"].unsubscribe("room")  # document gone at entry + 11 s: next period
        to(iemu, entry + 10_000)
        assert [("amy", interval_at(entry + 10_000, total=10, join=["k2"]))] == log.take()
        to(iemu, entry + 12_000)
        await k2.unsubscribe("room")
        to(iemu, entry + 20_000)
        expected = interval_at(entry + 20_000, total=8, leave=["k2", "k3"])
        assert [("amy", expected)] == log.take()

    async def test_r_e5_leave_due_at_a_boundary_counts_in_the_next_period(
        self, iemu: Emulator
    ) -> None:
        """R-E7: the boundary timer was scheduled first, so it fires first."""
        log = Log()
        fill = await silent(iemu, log, *F9)
        amy = await newcomer(iemu, log, "amy")
        entry = iemu.now_ms
        await amy.subscribe("room")  # 10
        log.take()
        to(iemu, entry + 1_000)
        await fill["f1"].presence.set_state("room", "MESSAGE", {"a": "1"})
        to(iemu, entry + 8_000)
        await fill["f2"].unsubscribe("room")  # due at entry + 10 s, scheduled after
        to(iemu, entry + 10_000)
        expected = interval_at(entry + 10_000, total=10, states=[("f1", {"a": "1"})])
        assert [("amy", expected)] == log.take()
        to(iemu, entry + 18_000)
        await fill["f3"].unsubscribe("room")  # due at entry + 20 s
        to(iemu, entry + 20_000)
        assert [("amy", interval_at(entry + 20_000, total=9, leave=["f2"]))] == log.take()
        to(iemu, entry + 30_000)
        assert [("amy", interval_at(entry + 30_000, total=8, leave=["f3"]))] == log.take()

    async def test_r_e5_user_state_list(self, iemu: Emulator) -> None:
        """Full current state once per changed user present at the end; the client's own
        changes are not reported to itself (its own document's events are only logged)."""
        log = Log()
        fill = await silent(iemu, log, *F7)
        amy, bob = await newcomer(iemu, log, "amy"), await newcomer(iemu, log, "bob")
        entry = iemu.now_ms
        await amy.subscribe("room")  # 8: amy enters interval mode
        await bob.subscribe("room")  # 9: bob too; amy aggregates bob's join
        assert [
            ("amy", snapshot_at(entry, "amy", *F7)),
            ("bob", snapshot_at(entry, "amy", "bob", *F7)),
        ] == log.take()
        to(iemu, entry + 1_000)
        await fill["f1"].presence.set_state("room", "MESSAGE", {"a": "1"})
        to(iemu, entry + 2_000)
        await fill["f1"].presence.set_state("room", "MESSAGE", {"b": "2"})
        to(iemu, entry + 3_000)
        await fill["f2"].presence.set_state("room", "MESSAGE", {"x": "1"})
        to(iemu, entry + 4_000)
        await fill["f2"].presence.remove_state("room", "MESSAGE")
        to(iemu, entry + 5_000)
        await amy.presence.set_state("room", "MESSAGE", {"me": "1"})
        value = {"n": 7, "o": {"k": ["v", 1]}}
        await bob.presence.set_state("room", "MESSAGE", value)
        to(iemu, entry + 6_000)
        await fill["f3"].presence.remove_state("room", "MESSAGE", states=["absent"])
        to(iemu, entry + 7_000)
        await fill["f4"].presence.set_state("room", "MESSAGE", {"gone": "1"})
        await fill["f4"].unsubscribe("room")  # gone at entry + 9 s: in `leave` only
        assert [] == log.take()
        to(iemu, entry + 10_000)
        f1 = ("f1", {"a": "1", "b": "2"})
        assert {
            "amy": [
                interval_at(
                    entry + 10_000,
                    total=8,
                    join=["bob"],
                    leave=["f4"],
                    states=[f1, ("f2", {}), ("bob", value)],
                )
            ],
            "bob": [
                interval_at(
                    entry + 10_000,
                    total=8,
                    leave=["f4"],
                    states=[f1, ("f2", {}), ("amy", {"me": "1"})],
                )
            ],
        } == log.by_recipient()

    async def test_r_e5_joiner_with_cached_state_is_joined_and_in_state_list(
        self, iemu: Emulator
    ) -> None:
        log = Log()
        await silent(iemu, log, *F8)
        amy = await newcomer(iemu, log, "amy")
        entry = iemu.now_ms
        await amy.subscribe("room")  # 9
        log.take()
        nu = await newcomer(iemu, log, "nu")
        await nu.presence.set_state("room", "MESSAGE", {"seat": "3"})
        to(iemu, entry + 1_000)
        await nu.subscribe("room", with_presence=False)
        assert [] == log.take()
        to(iemu, entry + 10_000)
        expected = interval_at(
            entry + 10_000, total=10, join=["nu"], states=[("nu", {"seat": "3"})]
        )
        assert [("amy", expected)] == log.take()

    async def test_r_e5_debounced_reentry_is_in_no_list_its_state_is(self, iemu: Emulator) -> None:
        """R-E6 inside interval mode: the document is kept; a state difference is a change."""
        log = Log()
        fill = await silent(iemu, log, *F8)
        await fill["f1"].presence.set_state("room", "MESSAGE", {"a": "1"})
        amy = await newcomer(iemu, log, "amy")
        entry = iemu.now_ms
        await amy.subscribe("room")  # 9
        log.take()
        to(iemu, entry + 1_000)
        await fill["f2"].unsubscribe("room")
        to(iemu, entry + 2_000)
        await fill["f2"].subscribe("room", with_presence=False)  # same state ({}): nothing
        to(iemu, entry + 3_000)
        await fill["f1"].unsubscribe("room")  # its cache entry goes (R-S4)
        to(iemu, entry + 4_000)
        await fill["f1"].subscribe("room", with_presence=False)  # state {} now
        to(iemu, entry + 9_999)
        assert [] == log.take()
        to(iemu, entry + 10_000)
        assert [("amy", interval_at(entry + 10_000, total=9, states=[("f1", {})]))] == (log.take())
        to(iemu, entry + 30_000)
        assert [] == log.take()

    async def test_r_e5_quiet_and_visible_switches_are_leaves_and_joins(
        self, iemu: Emulator
    ) -> None:
        """R-L1 in interval mode: visible -> quiet is a leave, quiet -> visible a join."""
        log = Log()
        fill = await silent(iemu, log, *F9)
        await fill["f9"].presence.set_state("room", "MESSAGE", {"nine": "9"})
        amy = await newcomer(iemu, log, "amy")
        entry = iemu.now_ms
        await amy.subscribe("room")  # 10
        log.take()
        to(iemu, entry + 1_000)
        await fill["f1"].subscribe("room", with_presence=False, be_quiet=True)
        await fill["f9"].subscribe("room", with_presence=False, be_quiet=True)
        to(iemu, entry + 10_000)
        assert [("amy", interval_at(entry + 10_000, total=8, leave=["f1", "f9"]))] == (log.take())
        to(iemu, entry + 11_000)
        await fill["f9"].subscribe("room", with_presence=False)  # visible again, with state
        to(iemu, entry + 20_000)
        expected = interval_at(entry + 20_000, total=9, join=["f9"], states=[("f9", {"nine": "9"})])
        assert [("amy", expected)] == log.take()

    async def test_r_e5_a_change_of_total_occupancy_alone_is_reported(self, iemu: Emulator) -> None:
        """Empty lists, but the listener itself stopped counting (quiet): one INTERVAL."""
        log = Log()
        await silent(iemu, log, *F8)
        amy = await newcomer(iemu, log, "amy")
        entry = iemu.now_ms
        await amy.subscribe("room")  # 9, itself included
        log.take()
        to(iemu, entry + 1_000)
        await amy.subscribe("room", be_quiet=True)  # its own replica: 8 users now
        to(iemu, entry + 11_000)  # a full period later, whatever the boundary
        got = [ev for uid, ev in log.take() if ev["eventType"] != "SNAPSHOT"]
        assert 1 == len(got), got
        assert entry + 1_000 <= got[0]["timestamp"] <= entry + 11_000
        assert [interval_at(got[0]["timestamp"], total=8)] == got
        to(iemu, entry + 60_000)
        assert [] == log.take()

    async def test_r_e5_interval_fields(self, iemu: Emulator) -> None:
        """INTERVAL: publisher "", stateChanged {}, snapshot [], the detail's fields."""
        got: list[PresenceEvent] = []
        log = Log()
        await silent(iemu, log, *F8)
        amy = iemu.client("amy")
        amy.add_event_listener("presence", got.append)
        await amy.login()
        await amy.subscribe("room")
        entry = iemu.now_ms
        await silent(iemu, log, "g1")
        iemu.advance(10)
        _, event = got
        assert ("INTERVAL", "", {}, 0, entry + 10_000) == (
            event.event_type.value,
            event.publisher,
            dict(event.state_changed),
            len(event.snapshot),
            event.timestamp,
        )
        detail = event.interval
        assert detail is not None
        assert (["g1"], 1, [], 0, [], 0, [], 10) == (
            list(detail.join.users),
            detail.join.user_count,
            list(detail.leave.users),
            detail.leave.user_count,
            list(detail.timeout.users),
            detail.timeout.user_count,
            list(detail.user_state_list),
            detail.total_occupancy,
        )


class TestRE5IntervalExit:
    """R-E5: a leave or timeout below the threshold ends the mode at once, with a flush."""

    async def test_r_e5_exit_flush_then_announced_then_new_entry_new_timer(
        self, iemu: Emulator
    ) -> None:
        log = Log()
        await enter(iemu, log, "amy")
        fill = await silent(iemu, log, *F6)  # 7
        g1 = await newcomer(iemu, log, "g1")
        entry = iemu.now_ms
        await g1.subscribe("room", with_presence=False)  # 8: tips
        assert [("amy", join_at("g1", entry))] == log.take()
        to(iemu, entry + 1_000)
        g2 = (await silent(iemu, log, "g2"))["g2"]  # 9
        to(iemu, entry + 3_000)
        await g1.presence.set_state("room", "MESSAGE", {"g": "1"})
        to(iemu, entry + 4_000)
        await g2.unsubscribe("room")  # gone at entry + 6 s: 8, still interval mode
        to(iemu, entry + 7_000)
        await fill["f1"].unsubscribe("room")  # gone at entry + 9 s: 7, below
        to(iemu, entry + 8_999)
        assert [] == log.take()
        to(iemu, entry + 9_000)
        flush = interval_at(entry + 9_000, total=7, leave=["f1"], states=[("g1", {"g": "1"})])
        assert [("amy", flush)] == log.take()
        to(iemu, entry + 11_000)  # no boundary at entry + 10 s any more
        assert [] == log.take()
        await fill["f2"].presence.set_state("room", "MESSAGE", {"b": "2"})
        assert [("amy", state_at("f2", {"b": "2"}, entry + 11_000))] == log.take()
        to(iemu, entry + 12_000)
        h1 = await newcomer(iemu, log, "h1")
        await h1.subscribe("room", with_presence=False)  # 8 again: announced, a new entry
        assert [("amy", join_at("h1", entry + 12_000))] == log.take()
        to(iemu, entry + 13_000)
        await silent(iemu, log, "h2")
        to(iemu, entry + 21_999)
        assert [] == log.take()
        to(iemu, entry + 22_000)
        assert [("amy", interval_at(entry + 22_000, total=9, join=["h2"]))] == log.take()

    async def test_r_e5_reentry_join_is_announced(self, iemu: Emulator) -> None:
        log = Log()
        await enter(iemu, log, "amy")
        fill = await silent(iemu, log, *F7)  # 8: amy in interval mode since the 7th join
        start = iemu.now_ms
        await fill["f7"].unsubscribe("room")
        to(iemu, start + 2_000)  # 7: flush
        assert [("amy", interval_at(start + 2_000, total=7, leave=["f7"]))] == log.take()
        h1 = await newcomer(iemu, log, "h1")
        await h1.subscribe("room", with_presence=False)
        assert [("amy", join_at("h1", start + 2_000))] == log.take()

    async def test_r_e5_exit_on_timeout(self, iemu: Emulator) -> None:
        log = Log()
        await enter(iemu, log, "amy")
        await silent(iemu, log, *F6[:5])
        await silent(iemu, log, "tim", config=FAST_TIMEOUT)  # 7
        g1 = await newcomer(iemu, log, "g1")
        entry = iemu.now_ms
        await g1.subscribe("room", with_presence=False)  # 8
        log.take()
        to(iemu, entry + 1_000)
        iemu.disconnect("tim")  # timed out at entry + 21 s
        to(iemu, entry + 20_999)
        assert [] == log.take()
        to(iemu, entry + 21_000)
        assert [("amy", interval_at(entry + 21_000, total=7, timeout=["tim"]))] == log.take()
        to(iemu, entry + 22_000)
        await g1.presence.set_state("room", "MESSAGE", {"g": "1"})
        assert [("amy", state_at("g1", {"g": "1"}, entry + 22_000))] == log.take()
        iemu.advance(60)
        assert [] == log.take()

    async def test_r_e5_leave_to_exactly_the_threshold_stays(self, iemu: Emulator) -> None:
        log = Log()
        fill = await silent(iemu, log, *F8)
        amy = await newcomer(iemu, log, "amy")
        entry = iemu.now_ms
        await amy.subscribe("room")  # 9
        log.take()
        to(iemu, entry + 1_000)
        await fill["f8"].unsubscribe("room")  # 8 at entry + 3 s: not below
        to(iemu, entry + 5_000)
        await fill["f1"].presence.set_state("room", "MESSAGE", {"a": "1"})
        assert [] == log.take()
        to(iemu, entry + 10_000)
        expected = interval_at(entry + 10_000, total=8, leave=["f8"], states=[("f1", {"a": "1"})])
        assert [("amy", expected)] == log.take()


# ------------------------------------------------------------------------ R-E6


class TestRE6Debounce:
    """R-E6 [rule]: a leaving user's document stays ``debounce`` s; a re-entry keeps it."""

    async def test_r_e6_window_keeps_the_document_listed_with_its_state(
        self, emu: Emulator
    ) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob", "carl")
        out = await newcomer(emu, log, "out")
        await c["bob"].presence.set_state("room", "MESSAGE", {"a": "1"})
        log.take()
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        # still listed and counted, with its last fields: locally and on the server route
        for client in (c["amy"], out):
            who = await client.presence.get_online_users("room", "MESSAGE", include_state=True)
            listed = [(o.user_id, dict(o.states)) for o in who.occupants]
            assert ([("amy", {}), ("bob", {"a": "1"}), ("carl", {})], 3) == (
                listed,
                who.total_occupancy,
            )
        assert ["amy", "bob", "carl"] == emu.online_users("room", "MESSAGE")
        where = await c["amy"].presence.get_user_channels("bob")
        assert (0, []) == (where.total_channel, list(where.channels))  # dropped at once
        emu.advance(1.999)
        assert [] == log.take()
        emu.advance(0.001)
        assert each(("amy", "carl"), leave_at("bob", t + DEBOUNCE_MS)) == log.take()
        who = await out.presence.get_online_users("room", "MESSAGE")
        assert ["amy", "carl"] == [o.user_id for o in who.occupants]
        assert ["amy", "carl"] == emu.online_users("room", "MESSAGE")

    async def test_r_e6_reentry_within_the_window_no_leave_no_join(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].unsubscribe("room")
        emu.advance(1.999)
        t = emu.now_ms
        await c["bob"].subscribe("room")
        assert [("bob", snapshot_at(t, "amy", "bob"))] == log.take()
        emu.advance(30)
        assert [] == log.take()

    async def test_r_e6_reentry_with_other_state_one_state_change(self, emu: Emulator) -> None:
        """Leaving a joined channel drops its cache entry (R-S4): the user re-enters with {}."""
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].presence.set_state("room", "MESSAGE", {"a": "1"})
        log.take()
        await c["bob"].unsubscribe("room")
        emu.advance(1)
        t = emu.now_ms
        await c["bob"].subscribe("room")
        assert [
            ("amy", state_at("bob", {}, t)),
            ("bob", snapshot_at(t, "amy", "bob")),
        ] == log.take()
        emu.advance(10)
        assert [] == log.take()

    async def test_r_e6_reentry_with_same_cached_state_nothing(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].presence.set_state("room", "MESSAGE", {"a": "1"})
        log.take()
        await c["bob"].unsubscribe("room")
        emu.advance(0.5)
        await c["bob"].presence.set_state("room", "MESSAGE", {"a": "1"})  # cache only
        emu.advance(0.5)
        t = emu.now_ms
        await c["bob"].subscribe("room")
        assert [("bob", snapshot_at(t, "amy", ("bob", {"a": "1"})))] == log.take()
        emu.advance(10)
        assert [] == log.take()

    async def test_r_e6_reentry_with_changed_cached_state(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].presence.set_state("room", "MESSAGE", {"a": "1"})
        log.take()
        await c["bob"].unsubscribe("room")
        await c["bob"].presence.set_state("room", "MESSAGE", {"a": "2", "b": "3"})
        emu.advance(1)
        t = emu.now_ms
        await c["bob"].subscribe("room")
        assert [
            ("amy", state_at("bob", {"a": "2", "b": "3"}, t)),
            ("bob", snapshot_at(t, "amy", ("bob", {"a": "2", "b": "3"}))),
        ] == log.take()

    async def test_r_e6_non_listening_reentry_keeps_the_document(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].unsubscribe("room")
        emu.advance(1)
        await c["bob"].subscribe("room", with_presence=False)
        emu.advance(10)
        assert [] == log.take()
        assert ["amy", "bob"] == emu.online_users("room", "MESSAGE")

    @pytest.mark.parametrize("after_ms", [2_000, 2_001])
    async def test_r_e6_reentry_after_the_window_is_leave_then_join(
        self, emu: Emulator, after_ms: int
    ) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        to(emu, t + after_ms)
        await c["bob"].subscribe("room")
        assert [
            ("amy", leave_at("bob", t + DEBOUNCE_MS)),
            ("amy", join_at("bob", t + after_ms)),
            ("bob", snapshot_at(t + after_ms, "amy", "bob")),
        ] == log.take()

    async def test_r_e6_quiet_reentry_does_not_keep_the_document(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        emu.advance(1)
        await c["bob"].subscribe("room", be_quiet=True)
        to(emu, t + DEBOUNCE_MS)
        got = log.by_recipient()
        assert [snapshot_at(t + 1_000, "amy")] == got.pop("bob")
        (leave,) = got.pop("amy")
        assert t + 1_000 <= leave["timestamp"] <= t + DEBOUNCE_MS  # at once or at window end
        assert leave_at("bob", leave["timestamp"]) == leave
        assert {} == got
        emu.advance(10)
        assert [] == log.take()
        assert ["amy"] == emu.online_users("room", "MESSAGE")

    async def test_r_e6_other_channel_type_does_not_keep_it(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        await c["amy"].create_stream_channel("room").join()
        log.take()
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        emu.advance(1)
        await c["bob"].create_stream_channel("room").join()
        emu.advance(1)
        assert [
            ("amy", join_at("bob", t + 1_000, ctype="STREAM")),
            ("bob", snapshot_at(t + 1_000, "amy", "bob", ctype="STREAM")),
            ("amy", leave_at("bob", t + DEBOUNCE_MS)),
        ] == log.take()

    async def test_r_e6_stream_rejoin_within_the_window(self, emu: Emulator) -> None:
        log = Log()
        amy, bob = await newcomer(emu, log, "amy"), await newcomer(emu, log, "bob")
        await amy.create_stream_channel("stage").join()
        stage = bob.create_stream_channel("stage")
        await stage.join()
        log.take()
        await stage.leave()
        emu.advance(1)
        t = emu.now_ms
        await stage.join()
        assert [("bob", snapshot_at(t, "amy", "bob", channel="stage", ctype="STREAM"))] == (
            log.take()
        )
        emu.advance(10)
        assert [] == log.take()

    async def test_r_e6_zero_debounce_is_immediate(self) -> None:
        emu = make(debounce=0)
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        assert [("amy", leave_at("bob", t))] == log.take()
        assert ["amy"] == emu.online_users("room", "MESSAGE")
        await c["bob"].subscribe("room")
        assert [("amy", join_at("bob", t)), ("bob", snapshot_at(t, "amy", "bob"))] == (log.take())
        emu.check_invariants()

    async def test_r_e6_configured_debounce(self) -> None:
        emu = make(debounce=5.0)
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        emu.advance(4.999)
        assert [] == log.take()
        emu.advance(0.001)
        assert [("amy", leave_at("bob", t + 5_000))] == log.take()
        emu.check_invariants()

    async def test_r_e6_second_leave_restarts_the_window(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        emu.advance(1)
        await c["bob"].subscribe("room")
        emu.advance(0.5)
        await c["bob"].unsubscribe("room")  # gone at t + 3.5 s, not t + 2 s
        log.take()
        to(emu, t + 3_499)
        assert [] == log.take()
        to(emu, t + 3_500)
        assert [("amy", leave_at("bob", t + 3_500))] == log.take()

    async def test_r_e6_logout_is_debounced_state_and_cache_are_gone(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].presence.set_state("room", "MESSAGE", {"a": "1"})
        log.take()
        await c["bob"].logout()
        emu.advance(1)
        await c["bob"].login()
        t = emu.now_ms
        await c["bob"].subscribe("room")  # logout cleared state and cache (R-L2)
        assert [
            ("amy", state_at("bob", {}, t)),
            ("bob", snapshot_at(t, "amy", "bob")),
        ] == log.take()
        emu.advance(5)
        assert [] == log.take()

    async def test_r_e6_kicked_session_reentry_within_the_window(self, emu: Emulator) -> None:
        log = Log()
        await enter(emu, log, "amy", "bob")
        bob2 = await newcomer(emu, log, "bob")  # kicks the first bob
        emu.advance(1)
        t = emu.now_ms
        await bob2.subscribe("room")
        assert [("bob", snapshot_at(t, "amy", "bob"))] == log.take()
        emu.advance(10)
        assert [] == log.take()

    async def test_r_e6_timeout_is_not_debounced(self, emu: Emulator) -> None:
        log = Log()
        await enter(emu, log, "amy")
        await enter(emu, log, "bob", config=FAST_TIMEOUT)
        t = emu.now_ms
        emu.disconnect("bob")
        to(emu, t + TIMEOUT_MS - 1)
        assert [] == log.take()
        to(emu, t + TIMEOUT_MS)
        assert [("amy", timeout_at("bob", t + TIMEOUT_MS))] == log.take()
        assert ["amy"] == emu.online_users("room", "MESSAGE")
        emu.advance(DEBOUNCE_MS / 1000 + 60)
        assert [] == log.take()


# ------------------------------------------------------------------------ R-E7


class TestRE7Order:
    """R-E7 [rule]: global seq; per-recipient groups in user-id order; channel, timer order."""

    async def test_r_e7_recipients_in_code_point_order(self, emu: Emulator) -> None:
        log = Log()
        await enter(emu, log, "zed", "b", "Amy", "10", "9", "a", "M", "[x", "~t")
        mo = await newcomer(emu, log, "mo")
        t = emu.now_ms
        await mo.subscribe("room")
        everyone = ("10", "9", "Amy", "M", "[x", "a", "b", "mo", "zed", "~t")
        assert [
            *each(("10", "9", "Amy", "M", "[x", "a", "b"), join_at("mo", t)),
            ("mo", snapshot_at(t, *everyone)),
            *each(("zed", "~t"), join_at("mo", t)),
        ] == log.take()

    async def test_r_e7_entrant_first_in_user_id_order(self, emu: Emulator) -> None:
        log = Log()
        await enter(emu, log, "bob", "amy")
        aaa = await newcomer(emu, log, "aaa")
        await aaa.presence.set_state("room", "MESSAGE", {"k": "v"})
        t = emu.now_ms
        await aaa.subscribe("room")
        assert [
            ("aaa", snapshot_at(t, ("aaa", {"k": "v"}), "amy", "bob")),
            ("amy", join_at("aaa", t)),
            ("amy", state_at("aaa", {"k": "v"}, t)),
            ("bob", join_at("aaa", t)),
            ("bob", state_at("aaa", {"k": "v"}, t)),
        ] == log.take()

    async def test_r_e7_one_operation_grouped_per_recipient_channels_in_order(self) -> None:
        emu = make(debounce=0)
        log = Log()
        zed, amy, bob = [await newcomer(emu, log, u) for u in ("zed", "amy", "bob")]
        await bob.create_stream_channel("a").join()
        await bob.subscribe("b")
        await bob.subscribe("a")
        await zed.subscribe("a")
        await zed.subscribe("b")
        await amy.subscribe("b")
        await amy.create_stream_channel("a").join()
        log.take()
        t = emu.now_ms
        await bob.logout()  # (MESSAGE a), (MESSAGE b), (STREAM a)
        assert [
            ("amy", leave_at("bob", t, channel="b")),
            ("amy", leave_at("bob", t, channel="a", ctype="STREAM")),
            ("zed", leave_at("bob", t, channel="a")),
            ("zed", leave_at("bob", t, channel="b")),
        ] == log.take()
        emu.check_invariants()

    async def test_r_e7_kick_handles_channels_in_type_then_name_order(self) -> None:
        emu = make(debounce=0)
        log = Log()
        amy, bob = await newcomer(emu, log, "amy"), await newcomer(emu, log, "bob")
        await bob.create_stream_channel("a").join()
        await bob.subscribe("z")
        await bob.subscribe("b")
        for name in ("z", "b"):
            await amy.subscribe(name)
        await amy.create_stream_channel("a").join()
        log.take()
        t = emu.now_ms
        bob2 = log.watch(emu.client("bob"))
        await bob2.login()
        assert [
            ("amy", leave_at("bob", t, channel="b")),
            ("amy", leave_at("bob", t, channel="z")),
            ("amy", leave_at("bob", t, channel="a", ctype="STREAM")),
        ] == log.take()
        emu.check_invariants()

    async def test_r_e7_timeout_handles_channels_in_type_then_name_order(
        self, emu: Emulator
    ) -> None:
        log = Log()
        amy = await newcomer(emu, log, "amy")
        bob = await newcomer(emu, log, "bob", FAST_TIMEOUT)
        await bob.create_stream_channel("a").join()
        await bob.subscribe("z")
        await bob.subscribe("b")
        for name in ("b", "z"):
            await amy.subscribe(name)
        await amy.create_stream_channel("a").join()
        log.take()
        t = emu.now_ms
        emu.disconnect("bob")
        to(emu, t + TIMEOUT_MS)
        at = t + TIMEOUT_MS
        assert [
            ("amy", timeout_at("bob", at, channel="b")),
            ("amy", timeout_at("bob", at, channel="z")),
            ("amy", timeout_at("bob", at, channel="a", ctype="STREAM")),
        ] == log.take()

    async def test_r_e7_same_instant_timers_fire_in_scheduling_order(self, emu: Emulator) -> None:
        log = Log()
        c = await enter(emu, log, "amy", "bob", "carol")
        await c["carol"].subscribe("other")
        await c["amy"].subscribe("other")
        log.take()
        t = emu.now_ms
        await c["carol"].unsubscribe("room")
        await c["bob"].unsubscribe("room")
        await c["carol"].unsubscribe("other")
        emu.advance(2)
        assert [
            ("amy", leave_at("carol", t + DEBOUNCE_MS)),
            ("amy", leave_at("bob", t + DEBOUNCE_MS)),
            ("amy", leave_at("carol", t + DEBOUNCE_MS, channel="other")),
        ] == log.take()

    async def test_r_e7_seq_is_global_and_strictly_increasing(self, emu: Emulator) -> None:
        seen: list[tuple[str, int]] = []
        clients = {}
        for uid in ("dan", "amy", "cat", "bob"):
            client = emu.client(uid)
            client.add_event_listener("presence", lambda e, uid=uid: seen.append((uid, e.seq)))
            await client.login()
            await client.subscribe("room")
            clients[uid] = client
        await clients["bob"].create_stream_channel("stage").join()
        await clients["cat"].create_stream_channel("stage").join()
        await clients["amy"].presence.set_state("room", "MESSAGE", {"a": "1"})
        await clients["dan"].unsubscribe("room")
        await clients["cat"].logout()
        emu.advance(1)
        await clients["dan"].subscribe("room")
        emu.advance(3)
        await clients["bob"].presence.set_state("stage", "STREAM", {"b": "1"})
        seqs = [seq for _, seq in seen]
        assert sorted(set(seqs)) == seqs  # strictly increasing in delivery order
        assert {"amy", "bob", "cat", "dan"} == {uid for uid, _ in seen}
        assert 20 <= len(seqs)

    async def test_r_e7_same_script_same_events(self) -> None:
        first, second = await _script(), await _script()
        assert first == second
        assert 30 <= len(first)

    def test_r_e7_same_events_under_every_hash_seed(self) -> None:
        root = Path(__file__).resolve().parents[2]
        code = (
            "import asyncio, json\n"
            "from tests.engine.test_events import _script\n"
            "print(json.dumps(asyncio.run(_script())))\n"
        )
        outputs = []
        for seed in ("0", "1", "4242"):
            env = {**os.environ, "PYTHONHASHSEED": seed}
            done = subprocess.run(
                [sys.executable, "-c", code],
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
            )
            outputs.append(json.loads(done.stdout))
        assert outputs[0] == outputs[1] == outputs[2]
        assert 30 <= len(outputs[0])


async def _script() -> list[Any]:
    """A fixed script touching every event kind; its deliveries with seq, as JSON data."""
    emu = make(announce_max=8, interval=10.0)
    seen: list[Any] = []
    clients: dict[str, RTMClient] = {}
    names = ["zoe", "amy", "Bob", "9x", "kim", "lee", "mo", "ned", "oz"]
    for uid in names:
        client = emu.client(uid, config=FAST_TIMEOUT)
        client.add_event_listener(
            "presence", lambda e, uid=uid: seen.append([uid, e.seq, e.to_dict()])
        )
        await client.login()
        await client.presence.set_state("room", "MESSAGE", {uid: "1", "s": uid})
        await client.subscribe("room", with_presence=uid in ("zoe", "amy", "Bob"))
        await client.subscribe("hall")
        await client.create_stream_channel("stage").join()
        clients[uid] = client
    emu.advance(3)
    await clients["kim"].unsubscribe("room")
    await clients["lee"].logout()
    emu.disconnect("mo")
    emu.advance(11)
    await clients["kim"].subscribe("room", with_presence=False)
    await clients["ned"].presence.remove_state("room", "MESSAGE")
    emu.advance(30)
    return seen


def emu_users(emu: Emulator) -> list[str]:
    return emu.online_users("room", "MESSAGE")


# ------------------------------------------------------------------------ R-E9


class TestRE9Delivery:
    """R-E9 [rule]: delivered before the awaitable returns; nothing while disconnected."""

    async def test_r_e9_events_arrive_before_the_awaitable_returns(self) -> None:
        emu = make(debounce=0)
        amy, bob = emu.client("amy"), emu.client("bob")
        returned: list[str] = []
        seen: list[tuple[str, list[str]]] = []
        amy.add_event_listener(
            "presence", lambda e: seen.append((e.event_type.value, list(returned)))
        )
        await amy.login()
        await bob.login()
        await amy.subscribe("room")
        returned.append("amy.subscribe")
        await bob.subscribe("room")
        returned.append("bob.subscribe")
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        returned.append("set_state")
        await bob.presence.remove_state("room", "MESSAGE")
        returned.append("remove_state")
        await bob.unsubscribe("room")
        returned.append("unsubscribe")
        await bob.subscribe("room")
        returned.append("subscribe again")
        await bob.logout()
        assert [
            ("SNAPSHOT", []),
            ("REMOTE_JOIN", ["amy.subscribe"]),
            ("REMOTE_STATE_CHANGED", ["amy.subscribe", "bob.subscribe"]),
            ("REMOTE_STATE_CHANGED", ["amy.subscribe", "bob.subscribe", "set_state"]),
            ("REMOTE_LEAVE", ["amy.subscribe", "bob.subscribe", "set_state", "remove_state"]),
            ("REMOTE_JOIN", returned[:5]),
            ("REMOTE_LEAVE", returned[:6]),
        ] == seen
        emu.check_invariants()

    async def test_r_e9_disconnected_client_gets_nothing_then_the_difference(
        self, emu: Emulator
    ) -> None:
        """Nothing while the link is down; when it is back the replica replays what it
        missed (R-T3): bob, gone, leaves; cat, new, joins; hall did not change.  No new
        SNAPSHOT: agora-rtm.js 2.3.0 reuses the replica on reconnect; oracle case
        events.others-while-down."""
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        await c["amy"].subscribe("hall")
        await c["amy"].subscribe("quiet-room", with_presence=False)
        amy_links = Recorder(c["amy"])
        log.take()
        emu.disconnect("amy")
        await c["bob"].presence.set_state("room", "MESSAGE", {"b": "1"})
        await c["bob"].unsubscribe("room")
        await silent(emu, log, "cat")
        emu.advance(3)
        assert [] == log.take()  # bob's REMOTE_LEAVE fell due while amy was away
        emu.reconnect("amy")
        emu.advance(60)
        (back,) = link_times(amy_links, "CONNECTED")
        assert [  # bob's state change is moot: he is gone
            ("amy", leave_at("bob", back)),
            ("amy", join_at("cat", back)),
        ] == log.take()
        emu.advance(60)
        assert [] == log.take()

    async def test_r_e9_a_short_outage_is_invisible_to_the_others(self, emu: Emulator) -> None:
        """... and to amy herself: nothing changed, so her kept replica replays nothing
        (R-T3; oracle case link.transitions.loss-and-resume)."""
        log = Log()
        c = await enter(emu, log, "amy", "bob")
        amy_links = Recorder(c["amy"])
        emu.disconnect("amy")
        emu.advance(1)
        emu.reconnect("amy")
        emu.advance(30)
        assert [emu.now_ms - 29_000] == link_times(amy_links, "CONNECTED")
        assert {} == log.by_recipient()

    async def test_r_e9_disconnected_listener_gets_no_interval(self, iemu: Emulator) -> None:
        log = Log()
        await silent(iemu, log, *F6)
        await enter(iemu, log, "amy", "bob")  # 8: both in interval mode from here
        entry = iemu.now_ms
        to(iemu, entry + 1_000)
        iemu.disconnect("bob")
        to(iemu, entry + 2_000)
        await silent(iemu, log, "g1")
        to(iemu, entry + 10_000)
        assert [("amy", interval_at(entry + 10_000, total=9, join=["g1"]))] == log.take()
