"""Lifecycle (revision 2): repeated entry, logout, channel and user limits, leaving.

Rules R-L1, R-L2, R-L4 and R-L5 of ``semantics.md``; the evidence is the SDK runtime
(agora-rtm.js 2.3.0: RTMImpl.subscribe / unsubscribe, the context's sub-or-join actions,
StreamChannelImpl.join / leave, the logout path).  Expected values come first in every
assertion; every presence delivery is compared exactly (:class:`tests.expected.Log`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from rtm_emulator import Emulator, EmulatorConfig, RTMClient, RtmError

from ..conftest import Recorder
from ..expected import Log, each, interval_at, join_at, leave_at, snapshot_at, state_at, to

NOT_CONNECTED = -10025
INVALID_CHANNEL = -10008
NOT_JOINED = -11001
CHANNEL_LIMIT = -11005
JOIN_FAILED = -11007
SUBSCRIBE_FAILED = -11021
USER_NOT_EXIST = -13011

REASON = {
    NOT_CONNECTED: "Perform operation failed due to RTM service is not connected.",
    INVALID_CHANNEL: "Invalid channel name. illegal symbol or too long.",
    NOT_JOINED: "Perform operation without join stream channel.",
    CHANNEL_LIMIT: "Join or subscribe too many channels and have reach limitation.",
}
DEBOUNCE_MS = 2_000


async def raises(code: int, awaitable: Awaitable[Any]) -> RtmError:
    """Await ``awaitable``, which must fail with ``code``; return the error."""
    with pytest.raises(RtmError) as info:
        await awaitable
    error = info.value
    assert (code, code) == (error.code, error.error_code), error
    return error


def sdk_error(error: RtmError) -> tuple[int, str, str, str]:
    """``(code, operation, reason, name)`` of an error: what the SDK fixes (R-X1)."""
    return (error.code, error.operation, error.reason, error.name)


async def user(emu: Emulator, log: Log, uid: str) -> RTMClient:
    """A watched, logged-in client."""
    client = log.watch(emu.client(uid))
    await client.login()
    return client


async def users(emu: Emulator, log: Log, *uids: str) -> list[RTMClient]:
    return [await user(emu, log, uid) for uid in uids]


def own_remote(log_deliveries: list[tuple[str, dict[str, Any]]], uid: str) -> list[Any]:
    """The REMOTE_* events ``uid`` got about itself (there must be none)."""
    return [
        ev
        for who, ev in log_deliveries
        if who == uid and ev["publisher"] == uid and ev["eventType"].startswith("REMOTE_")
    ]


# --------------------------------------------------------------------------- R-L1


class TestRL1RepeatedEntry:
    """R-L1: entering again succeeds; same options send nothing; option changes act."""

    @pytest.mark.parametrize(
        "options",
        [None, {"withPresence": True, "beQuiet": False}, {"withPresence": True}],
        ids=["defaults", "explicit", "partial"],
    )
    async def test_r_l1_same_options_resubscribe_sends_nothing(
        self, emu: Emulator, options: dict[str, Any] | None
    ) -> None:
        """sdk-runtime §6 probe q6: no new SNAPSHOT."""
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        log.take()
        emu.advance(1)
        if options is None:
            response = await alice.subscribe("room")
        else:
            response = await alice.subscribe("room", options)
        assert {"timestamp": 0, "channelName": "room"} == response.to_dict()
        assert [] == log.take()
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")
        assert [("MESSAGE", "room")] == emu.user_channels("alice")
        got = await alice.presence.get_state("alice", "room", "MESSAGE")
        assert {"a": "1"} == dict(got.states)
        t = emu.now_ms
        await bob.presence.set_state("room", "MESSAGE", {"b": "2"})  # still listening
        assert [("alice", state_at("bob", {"b": "2"}, t))] == log.take()
        emu.advance(5)
        assert [] == log.take()

    async def test_r_l1_same_options_stream_rejoin_sends_nothing(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        stage = alice.create_stream_channel("stage")
        await stage.join()
        await bob.create_stream_channel("stage").join()
        await alice.presence.set_state("stage", "STREAM", {"a": "1"})
        log.take()
        response = await stage.join()
        assert 0 == response.timestamp
        assert [] == log.take()
        assert ["alice", "bob"] == emu.online_users("stage", "STREAM")
        assert [("STREAM", "stage")] == emu.user_channels("alice")

    async def test_r_l1_with_presence_false_to_true_sends_a_snapshot(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await alice.subscribe("room", with_presence=False)
        await bob.subscribe("room")
        await bob.presence.set_state("room", "MESSAGE", {"b": "2"})
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        log.take()
        emu.advance(1)
        t = emu.now_ms
        await alice.subscribe("room", {"withPresence": True})
        users_now = (("alice", {"a": "1"}), ("bob", {"b": "2"}))
        assert [("alice", snapshot_at(t, *users_now))] == log.take()
        await bob.presence.set_state("room", "MESSAGE", {"c": "3"})
        assert [("alice", state_at("bob", {"b": "2", "c": "3"}, t))] == log.take()

    async def test_r_l1_with_presence_false_to_true_on_a_stream_rejoin(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        stage = alice.create_stream_channel("stage")
        await stage.join(with_presence=False)
        await bob.create_stream_channel("stage").join()
        log.take()
        t = emu.now_ms
        await stage.join({"withPresence": True})
        assert [("alice", snapshot_at(t, "alice", "bob", channel="stage", ctype="STREAM"))] == (
            log.take()
        )

    async def test_r_l1_with_presence_false_to_true_in_a_crowd_enters_interval_mode(
        self,
    ) -> None:
        """R-E5: the entry check follows the new SNAPSHOT."""
        emu = Emulator(EmulatorConfig(announce_max=8, interval=10.0), strict=True)
        log = Log()
        crowd = await users(emu, log, *(f"f{i}" for i in range(1, 8)))
        for client in crowd:
            await client.subscribe("room", with_presence=False)
        (alice,) = await users(emu, log, "alice")
        await alice.subscribe("room", with_presence=False)
        log.take()
        start = emu.now_ms
        await alice.subscribe("room", with_presence=True)
        everyone = ("alice", *(f"f{i}" for i in range(1, 8)))
        assert [("alice", snapshot_at(start, *everyone))] == log.take()
        emu.advance(1)
        (late,) = await users(emu, log, "late")
        await late.subscribe("room", with_presence=False)
        assert [] == log.take()  # aggregated: alice is in interval mode
        to(emu, start + 10_000)
        assert [("alice", interval_at(start + 10_000, total=9, join=["late"]))] == log.take()

    async def test_r_l1_with_presence_true_to_false_stops_listening(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        log.take()
        await alice.subscribe("room", with_presence=False)
        assert [] == log.take()
        await bob.presence.set_state("room", "MESSAGE", {"b": "2"})
        await bob.unsubscribe("room")
        emu.advance(3)
        assert [] == log.take()
        assert ["alice"] == emu.online_users("room", "MESSAGE")  # still present and visible

    async def test_r_l1_options_not_given_take_their_defaults(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await bob.subscribe("room")
        log.take()
        await alice.subscribe("room", with_presence=False, be_quiet=True)
        assert [] == log.take()
        t = emu.now_ms
        await alice.subscribe("room")  # withPresence true, beQuiet false again
        assert [
            ("alice", snapshot_at(t, "alice", "bob")),
            ("bob", join_at("alice", t)),
        ] == log.take()

    async def test_r_l1_visible_to_quiet_looks_like_a_leave(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        log.take()
        emu.advance(1)
        t = emu.now_ms
        await alice.subscribe("room", be_quiet=True)
        got = log.take()
        assert [] == own_remote(got, "alice")
        assert [leave_at("alice", t)] == [ev for uid, ev in got if uid == "bob"]
        assert ["bob"] == emu.online_users("room", "MESSAGE")
        assert [("MESSAGE", "room")] == emu.user_channels("alice")  # quiet, still present
        error = await raises(USER_NOT_EXIST, bob.presence.get_state("alice", "room", "MESSAGE"))
        assert "presenceGetState" == error.operation
        where = await bob.presence.get_user_channels("alice")
        assert 0 == where.total_channel
        await bob.presence.set_state("room", "MESSAGE", {"b": "1"})  # alice still listens
        assert [("alice", state_at("bob", {"b": "1"}, t))] == log.take()
        emu.advance(5)
        assert [] == log.take()

    async def test_r_l1_visible_to_quiet_on_a_stream_rejoin(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        stage = alice.create_stream_channel("stage")
        await stage.join()
        await bob.create_stream_channel("stage").join()
        log.take()
        t = emu.now_ms
        await stage.join({"beQuiet": True})
        got = log.take()
        assert [] == own_remote(got, "alice")
        expected = leave_at("alice", t, channel="stage", ctype="STREAM")
        assert [expected] == [ev for uid, ev in got if uid == "bob"]
        assert ["bob"] == emu.online_users("stage", "STREAM")

    async def test_r_l1_quiet_to_visible_is_a_join_then_one_state_change(
        self, emu: Emulator
    ) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await bob.subscribe("room")
        log.take()
        await alice.subscribe("room", be_quiet=True)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})  # set while quiet
        await alice.presence.set_state("room", "MESSAGE", {"b": "2"})
        got = log.take()
        assert [] == [ev for uid, ev in got if uid == "bob"]  # R-E4
        emu.advance(1)
        t = emu.now_ms
        await alice.subscribe("room", be_quiet=False)
        got = log.take()
        assert [] == own_remote(got, "alice")
        assert [
            join_at("alice", t),
            state_at("alice", {"a": "1", "b": "2"}, t),
        ] == [ev for uid, ev in got if uid == "bob"]
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")
        who = await bob.presence.get_online_users("room", "MESSAGE", include_state=True)
        assert [("alice", {"a": "1", "b": "2"}), ("bob", {})] == [
            (o.user_id, dict(o.states)) for o in who.occupants
        ]

    async def test_r_l1_quiet_to_visible_without_state_is_only_a_join(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room", be_quiet=True)
        log.take()
        t = emu.now_ms
        await alice.subscribe("room")
        assert [join_at("alice", t)] == [ev for uid, ev in log.take() if uid == "bob"]

    async def test_r_l1_visible_quiet_visible_round_trip(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        log.take()
        t = emu.now_ms
        await alice.subscribe("room", be_quiet=True)
        await alice.subscribe("room", be_quiet=False)
        assert [
            leave_at("alice", t),
            join_at("alice", t),
            state_at("alice", {"a": "1"}, t),
        ] == [ev for uid, ev in log.take() if uid == "bob"]
        emu.advance(5)
        assert [] == log.take()

    async def test_r_l1_quiet_to_quiet_tells_nobody(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room", be_quiet=True)
        log.take()
        await alice.subscribe("room", be_quiet=True)
        assert [] == log.take()

    async def test_r_l1_resubscribe_at_the_channel_limit_is_exempt(self, emu: Emulator) -> None:
        """R-L4: re-subscribing an entered channel is not a new channel."""
        log = Log()
        (alice,) = await users(emu, log, "alice")
        for i in range(50):
            await alice.subscribe(f"m{i:02d}")
        log.take()
        await alice.subscribe("m00")
        await alice.subscribe("m01", be_quiet=True)
        assert [] == [ev for _, ev in log.take() if ev["eventType"] != "SNAPSHOT"]
        assert 50 == len(emu.user_channels("alice"))


# --------------------------------------------------------------------------- R-L2


def _every_call(client: RTMClient) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    """Each call that fails with -10025 when not logged in, with its SDK ``operation``."""
    stage = client.create_stream_channel("stage")  # works in every state (R-X1)
    p = client.presence
    return [
        ("subscribe", lambda: client.subscribe("room")),
        ("join", lambda: stage.join()),
        ("leave", lambda: stage.leave()),
        ("getOnlineUsers", lambda: p.get_online_users("room", "MESSAGE")),
        ("whoNow", lambda: p.whoNow("room", "MESSAGE")),
        ("getUserChannels", lambda: p.get_user_channels()),
        ("whereNow", lambda: p.where_now("bob")),
        ("presenceGetState", lambda: p.get_state("bob", "room", "MESSAGE")),
        ("presenceGetState", lambda: p.getState("alice", "room", "MESSAGE")),
        ("presenceSetState", lambda: p.set_state("room", "MESSAGE", {"a": "1"})),
        ("presenceSetState", lambda: p.setState("elsewhere", "STREAM", {"a": "1"})),
        ("presenceRemoveState", lambda: p.remove_state("room", "MESSAGE", states=["a"])),
    ]


async def _drive_to(emu: Emulator, rec: Recorder, state: str) -> None:
    """Advance until ``rec``'s client has entered link state ``state`` (R-T4)."""
    for _ in range(1_000):
        if rec.links and state == rec.links[-1].current_state.value:
            return
        emu.advance(0.5)
    raise AssertionError(f"never reached {state}: {rec.link_states()}")


class TestRL2Logout:
    """R-L2: logout always resolves, leaves everything, clears state and cache, IDLE."""

    async def test_r_l2_logout_leaves_every_channel_after_the_debounce(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        for client in (bob, alice):
            await client.subscribe("room")
            await client.subscribe("hall")
            await client.create_stream_channel("stage").join()
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        log.take()
        emu.advance(1)
        t = emu.now_ms
        response = await alice.logout()
        assert {"timestamp": 0} == response.to_dict()
        assert [] == emu.user_channels("alice")
        where = await bob.presence.get_user_channels("alice")
        assert 0 == where.total_channel
        assert [] == log.take()
        emu.advance(1.999)
        assert [] == log.take()
        emu.advance(0.001)
        at = t + DEBOUNCE_MS
        assert [
            leave_at("alice", at, channel="hall"),
            leave_at("alice", at, channel="room"),
            leave_at("alice", at, channel="stage", ctype="STREAM"),
        ] == log.by_recipient().pop("bob")
        for channel, ctype in (("room", "MESSAGE"), ("hall", "MESSAGE"), ("stage", "STREAM")):
            assert ["bob"] == emu.online_users(channel, ctype)
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        emu.advance(10)
        assert [] == log.take()

    async def test_r_l2_logout_without_debounce_is_one_operation(self) -> None:
        emu = Emulator(EmulatorConfig(debounce=0), strict=True)
        log = Log()
        alice, bob, cid = await users(emu, log, "alice", "bob", "cid")
        for client in (bob, cid, alice):
            await client.subscribe("room")
            await client.create_stream_channel("stage").join()
        log.take()
        t = emu.now_ms
        await alice.logout()
        assert [
            ("bob", leave_at("alice", t)),
            ("bob", leave_at("alice", t, channel="stage", ctype="STREAM")),
            ("cid", leave_at("alice", t)),
            ("cid", leave_at("alice", t, channel="stage", ctype="STREAM")),
        ] == log.take()
        emu.advance(10)
        assert [] == log.take()
        emu.check_invariants()

    async def test_r_l2_quiet_channels_leave_silently(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await bob.subscribe("room")
        await bob.subscribe("hall")
        await alice.subscribe("room", be_quiet=True)
        await alice.subscribe("hall")
        log.take()
        t = emu.now_ms
        await alice.logout()
        emu.advance(2)
        assert [("bob", leave_at("alice", t + DEBOUNCE_MS, channel="hall"))] == log.take()

    async def test_r_l2_logout_link_event(self, emu: Emulator) -> None:
        log = Log()
        alice = emu.client("alice")
        rec = Recorder(alice)
        await alice.login()
        await alice.subscribe("room")
        await alice.subscribe("hall", with_presence=False)
        await alice.create_stream_channel("stage").join()
        emu.advance(1)
        before = len(rec.links)
        await alice.logout()
        logout_events = [e for e in rec.links[before:] if e.service_type == "MESSAGE"]
        (event,) = logout_events
        assert ("CONNECTED", "IDLE", "LOGOUT", "LOGOUT", [], emu.now_ms) == (
            event.previous_state.value,
            event.current_state.value,
            event.operation,
            event.reason_code,
            list(event.unrestored_channels),
            event.timestamp,
        )
        assert ["hall", "room"] == sorted(event.affected_channels)  # the MESSAGE channels
        assert [] == log.take()

    @pytest.mark.parametrize(
        "state", ["IDLE", "CONNECTED", "CONNECTING", "DISCONNECTED", "SUSPENDED", "FAILED"]
    )
    async def test_r_l2_logout_resolves_in_every_link_state(
        self, emu: Emulator, state: str
    ) -> None:
        log = Log()
        (bob,) = await users(emu, log, "bob")
        await bob.subscribe("room")
        alice = log.watch(emu.client("alice"))
        rec = Recorder(alice)
        if state != "IDLE":
            await alice.login()
            await alice.subscribe("room")
            await alice.create_stream_channel("stage").join()
            await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        if state in ("CONNECTING", "DISCONNECTED", "SUSPENDED"):
            emu.disconnect("alice")
            await _drive_to(emu, rec, state)
        if state == "FAILED":
            await log.watch(emu.client("alice")).login()  # kicks the first alice
            await _drive_to(emu, rec, "FAILED")
            emu.advance(2)  # the kicked session's leave (R-E2, R-E6)
        log.take()
        links_before = len(rec.links)
        t = emu.now_ms
        response = await alice.logout()
        assert {"timestamp": 0} == response.to_dict()
        new_links = [e for e in rec.links[links_before:] if e.service_type == "MESSAGE"]
        if state == "IDLE":
            assert [] == new_links  # IDLE -> IDLE: nothing to report
        else:
            assert [(state, "IDLE", "LOGOUT", "LOGOUT")] == [
                (e.previous_state.value, e.current_state.value, e.operation, e.reason_code)
                for e in new_links
            ]
        emu.advance(2)
        if state in ("CONNECTED", "CONNECTING", "DISCONNECTED", "SUSPENDED"):
            assert [("bob", leave_at("alice", t + DEBOUNCE_MS))] == log.take()
        else:
            assert [] == log.take()
        links_after = len(rec.links)
        emu.advance(400)  # the session is over: no retry, no timeout, no suspension
        assert links_after == len(rec.links)
        assert [] == log.take()
        assert ["bob"] == emu.online_users("room", "MESSAGE")
        assert [] == emu.user_channels("alice")

    async def test_r_l2_logout_before_any_login_and_twice(self, emu: Emulator) -> None:
        log = Log()
        (bob,) = await users(emu, log, "bob")
        await bob.subscribe("room")
        log.take()
        alice = log.watch(emu.client("alice"))
        rec = Recorder(alice)
        assert {"timestamp": 0} == (await alice.logout()).to_dict()
        assert ([], []) == (rec.links, log.take())
        await alice.login()
        await alice.logout()
        links = list(rec.links)
        assert {"timestamp": 0} == (await alice.logout()).to_dict()
        assert links == rec.links
        assert ["bob"] == emu.online_users("room", "MESSAGE")

    @pytest.mark.parametrize("index", range(12))
    async def test_r_l2_calls_after_logout_are_not_connected(
        self, emu: Emulator, index: int
    ) -> None:
        """R-X1: every call but unsubscribe, logout, createStreamChannel is -10025."""
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await bob.subscribe("room")
        await bob.create_stream_channel("stage").join()
        await alice.subscribe("room")
        await alice.create_stream_channel("stage").join()
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        await alice.logout()
        emu.advance(2)
        log.take()
        operation, call = _every_call(alice)[index]
        error = await raises(NOT_CONNECTED, call())
        expected = (NOT_CONNECTED, operation, REASON[NOT_CONNECTED], "RtmInvalidStatusError")
        assert expected == sdk_error(error)
        assert [] == emu.user_channels("alice")
        assert ["bob"] == emu.online_users("room", "MESSAGE")
        assert ["bob"] == emu.online_users("stage", "STREAM")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [] == log.take()

    @pytest.mark.parametrize("index", range(12))
    async def test_r_l2_calls_before_the_first_login_are_not_connected(
        self, emu: Emulator, index: int
    ) -> None:
        log = Log()
        (bob,) = await users(emu, log, "bob")
        await bob.subscribe("room")
        log.take()
        alice = log.watch(emu.client("alice"))
        operation, call = _every_call(alice)[index]
        error = await raises(NOT_CONNECTED, call())
        assert (NOT_CONNECTED, operation) == (error.code, error.operation)
        assert [] == emu.user_channels("alice")
        assert ["bob"] == emu.online_users("room", "MESSAGE")
        assert [] == log.take()

    async def test_r_l2_unsubscribe_after_logout_resolves(self, emu: Emulator) -> None:
        log = Log()
        (alice,) = await users(emu, log, "alice")
        await alice.subscribe("room")
        await alice.logout()
        response = await alice.unsubscribe("room")
        assert {"timestamp": 0, "channelName": "room"} == response.to_dict()
        handle = alice.create_stream_channel("later")
        assert "later" == handle.channel_name

    async def test_r_l2_login_again_state_and_cache_are_gone(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await bob.subscribe("room")
        await bob.subscribe("hall")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        await alice.presence.set_state("hall", "MESSAGE", {"cached": "1"})  # cache only
        await alice.presence.set_state("stage", "STREAM", {"cached": "2"})
        await alice.logout()
        emu.advance(2)
        await alice.login()
        log.take()
        t = emu.now_ms
        await alice.subscribe("room")
        await alice.subscribe("hall")
        await alice.create_stream_channel("stage").join()
        assert [
            ("alice", snapshot_at(t, "alice", "bob")),
            ("bob", join_at("alice", t)),
            ("alice", snapshot_at(t, "alice", "bob", channel="hall")),
            ("bob", join_at("alice", t, channel="hall")),
            ("alice", snapshot_at(t, "alice", channel="stage", ctype="STREAM")),
        ] == log.take()
        got = await alice.presence.get_state("alice", "hall", "MESSAGE")
        assert {} == dict(got.states)

    async def test_r_l2_stream_handle_survives_logout(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await bob.create_stream_channel("stage").join()
        stage = alice.create_stream_channel("stage")
        await stage.join()
        await alice.logout()
        await raises(NOT_CONNECTED, stage.join())
        await raises(NOT_CONNECTED, stage.leave())
        emu.advance(2)
        log.take()
        await alice.login()
        t = emu.now_ms
        await stage.join()  # the same handle
        assert [
            ("alice", snapshot_at(t, "alice", "bob", channel="stage", ctype="STREAM")),
            ("bob", join_at("alice", t, channel="stage", ctype="STREAM")),
        ] == log.take()
        assert [("STREAM", "stage")] == emu.user_channels("alice")
        await stage.leave()
        assert [] == emu.user_channels("alice")

    async def test_r_l2_logout_of_a_kicked_client(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        alice2 = await user(emu, log, "alice")  # alice -> FAILED
        await alice2.subscribe("room")  # within the debounce window: the document stays
        log.take()
        await alice.logout()
        emu.advance(5)
        assert [] == log.take()
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")
        assert [("MESSAGE", "room")] == emu.user_channels("alice")


# --------------------------------------------------------------------------- R-L4


async def _fill(client: RTMClient, message: int, stream: int) -> None:
    for i in range(message):
        await client.subscribe(f"m{i:02d}")
    for i in range(stream):
        await client.create_stream_channel(f"s{i:02d}").join()


class TestRL4ChannelLimits:
    """R-L4: 50 channels (MESSAGE and STREAM together) per client, 10 STREAM among them."""

    async def test_r_l4_49_50_message_channels_then_51st_fails(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await _fill(alice, 49, 0)
        await alice.subscribe("m49")  # the 50th
        await bob.subscribe("extra")
        log.take()
        error = await raises(CHANNEL_LIMIT, alice.subscribe("extra"))
        assert (CHANNEL_LIMIT, "subscribe", REASON[CHANNEL_LIMIT], "RtmLimitExceededError") == (
            sdk_error(error)
        )
        assert 50 == len(emu.user_channels("alice"))
        assert ["bob"] == emu.online_users("extra", "MESSAGE")
        assert [] == log.take()

    async def test_r_l4_stream_channels_count_toward_fifty(self, emu: Emulator) -> None:
        """sdk-runtime §3 probe p8: 40 MESSAGE + 10 STREAM, then subscribe fails."""
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await _fill(alice, 40, 10)
        await bob.subscribe("extra")
        log.take()
        error = await raises(CHANNEL_LIMIT, alice.subscribe("extra"))
        assert (CHANNEL_LIMIT, "subscribe", "RtmLimitExceededError") == (
            error.code,
            error.operation,
            error.name,
        )
        assert [] == log.take()
        await alice.subscribe("m00")  # re-subscribing an entered channel is exempt
        assert 50 == len(emu.user_channels("alice"))

    async def test_r_l4_stream_join_checks_only_the_ten(self, emu: Emulator) -> None:
        (alice,) = await users(emu, Log(), "alice")
        await _fill(alice, 45, 5)  # 50 channels, 5 of them STREAM
        await alice.create_stream_channel("s05").join()  # a 6th STREAM channel: allowed
        assert 51 == len(emu.user_channels("alice"))
        await raises(CHANNEL_LIMIT, alice.subscribe("extra"))

    async def test_r_l4_9_10_stream_channels_then_11th_fails(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await _fill(alice, 0, 9)
        await alice.create_stream_channel("s09").join()  # the 10th
        await bob.create_stream_channel("extra").join()
        rec = Recorder(alice)
        log.take()
        error = await raises(CHANNEL_LIMIT, alice.create_stream_channel("extra").join())
        assert (CHANNEL_LIMIT, "join", REASON[CHANNEL_LIMIT], "RtmUnavailableError") == (
            sdk_error(error)
        )
        failed = [e for e in rec.links if e.current_state.value == "FAILED"]
        assert [(["extra"], "JOIN", "CHANNEL_INSTANCE_EXCEED_LIMITATION")] == [
            (list(e.affected_channels), e.operation, e.reason_code) for e in failed
        ]
        assert 10 == len(emu.user_channels("alice"))
        assert ["bob"] == emu.online_users("extra", "STREAM")
        assert [] == log.take()
        await alice.subscribe("room")  # MESSAGE channels still fit (11 of 50)

    async def test_r_l4_rejoin_of_a_joined_stream_channel_at_ten_fails(self, emu: Emulator) -> None:
        """sdk-runtime §3 probe p8: the count is checked on every join, re-joins included."""
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await _fill(alice, 0, 10)
        await bob.create_stream_channel("s00").join()
        rec = Recorder(alice)
        log.take()
        error = await raises(CHANNEL_LIMIT, alice.create_stream_channel("s00").join())
        assert (CHANNEL_LIMIT, "join", "RtmUnavailableError") == (
            error.code,
            error.operation,
            error.name,
        )
        failed = [e for e in rec.links if e.current_state.value == "FAILED"]
        assert [(["s00"], "JOIN", "CHANNEL_INSTANCE_EXCEED_LIMITATION")] == [
            (list(e.affected_channels), e.operation, e.reason_code) for e in failed
        ]
        assert [] == log.take()
        assert ["alice", "bob"] == emu.online_users("s00", "STREAM")

    async def test_r_l4_quiet_and_non_listening_subscriptions_count(self, emu: Emulator) -> None:
        (alice,) = await users(emu, Log(), "alice")
        for i in range(25):
            await alice.subscribe(f"q{i:02d}", be_quiet=True)
        for i in range(25):
            await alice.subscribe(f"n{i:02d}", with_presence=False, be_quiet=True)
        await raises(CHANNEL_LIMIT, alice.subscribe("extra"))

    async def test_r_l4_leaving_frees_a_slot(self, emu: Emulator) -> None:
        (alice,) = await users(emu, Log(), "alice")
        await _fill(alice, 40, 10)
        await alice.unsubscribe("m05")
        await alice.subscribe("new-m")
        await raises(CHANNEL_LIMIT, alice.subscribe("m05"))
        await alice.create_stream_channel("s05").leave()  # a STREAM slot counts too
        await alice.subscribe("m05")
        await raises(CHANNEL_LIMIT, alice.subscribe("more"))
        assert 50 == len(emu.user_channels("alice"))

    async def test_r_l4_leaving_a_stream_channel_frees_a_stream_slot(self, emu: Emulator) -> None:
        (alice,) = await users(emu, Log(), "alice")
        await _fill(alice, 0, 10)
        await alice.create_stream_channel("s03").leave()
        await alice.create_stream_channel("new-s").join()
        await raises(CHANNEL_LIMIT, alice.create_stream_channel("s03").join())

    async def test_r_l4_logout_frees_every_slot(self, emu: Emulator) -> None:
        (alice,) = await users(emu, Log(), "alice")
        await _fill(alice, 40, 10)
        await alice.logout()
        await alice.login()
        await _fill(alice, 40, 10)
        assert 50 == len(emu.user_channels("alice"))


class TestRL4MaxChannelUsers:
    """R-L4 [rule]: a channel holding ``max_channel_users`` present users refuses entry."""

    @staticmethod
    async def _full() -> tuple[Emulator, Log, list[RTMClient]]:
        emu = Emulator(EmulatorConfig(max_channel_users=2), strict=True)
        log = Log()
        clients = await users(emu, log, "alice", "bob", "carol")
        for client in clients[:2]:
            await client.subscribe("room")
            await client.create_stream_channel("stage").join()
        log.take()
        return emu, log, clients

    async def test_r_l4_subscribe_to_a_full_channel_fails(self) -> None:
        emu, log, [_, _, carol] = await self._full()
        error = await raises(SUBSCRIBE_FAILED, carol.subscribe("room"))
        assert "subscribe" == error.operation
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")
        assert [] == emu.user_channels("carol")
        assert [] == log.take()
        emu.check_invariants()

    async def test_r_l4_join_of_a_full_stream_channel_fails(self) -> None:
        emu, log, [_, _, carol] = await self._full()
        error = await raises(JOIN_FAILED, carol.create_stream_channel("stage").join())
        assert "join" == error.operation
        assert ["alice", "bob"] == emu.online_users("stage", "STREAM")
        assert [] == emu.user_channels("carol")
        assert [] == log.take()
        emu.check_invariants()

    async def test_r_l4_members_reenter_a_full_channel(self) -> None:
        emu, log, [alice, _, _] = await self._full()
        await alice.subscribe("room")
        await alice.subscribe("room", be_quiet=True)
        await alice.create_stream_channel("stage").join()
        assert [("MESSAGE", "room"), ("STREAM", "stage")] == emu.user_channels("alice")
        log.take()
        emu.check_invariants()

    async def test_r_l4_quiet_users_count(self) -> None:
        emu = Emulator(EmulatorConfig(max_channel_users=2), strict=True)
        alice, bob, carol = await users(emu, Log(), "alice", "bob", "carol")
        await alice.subscribe("room", be_quiet=True)
        await bob.subscribe("room", be_quiet=True)
        await raises(SUBSCRIBE_FAILED, carol.subscribe("room"))
        assert [] == emu.online_users("room", "MESSAGE")
        emu.check_invariants()

    async def test_r_l4_the_limit_is_per_channel_and_freed_by_leaving(self) -> None:
        emu, log, [_, bob, carol] = await self._full()
        t = emu.now_ms
        await carol.subscribe("other")
        await bob.unsubscribe("room")
        to(emu, t + DEBOUNCE_MS)
        log.take()
        await carol.subscribe("room")
        assert ["alice", "carol"] == emu.online_users("room", "MESSAGE")
        emu.check_invariants()


# --------------------------------------------------------------------------- R-L5


class TestRL5LeaveWhenNotIn:
    """R-L5: unsubscribe of a channel not entered resolves; stream leave is -11001."""

    async def test_r_l5_unsubscribe_of_a_channel_never_entered(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await bob.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"seat": "3"})  # cache only
        log.take()
        response = await alice.unsubscribe("room")
        assert {"timestamp": 0, "channelName": "room"} == response.to_dict()
        assert [] == log.take()
        t = emu.now_ms
        await alice.subscribe("room")  # the cache entry of a never-joined channel is kept
        assert [
            ("alice", snapshot_at(t, ("alice", {"seat": "3"}), "bob")),
            ("bob", join_at("alice", t)),
            ("bob", state_at("alice", {"seat": "3"}, t)),
        ] == log.take()

    async def test_r_l5_unsubscribe_twice(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        log.take()
        t = emu.now_ms
        await alice.unsubscribe("room")
        response = await alice.unsubscribe("room")
        assert {"timestamp": 0, "channelName": "room"} == response.to_dict()
        emu.advance(10)
        assert [("bob", leave_at("alice", t + DEBOUNCE_MS))] == log.take()

    async def test_r_l5_unsubscribe_before_login_resolves_after_the_name_check(
        self, emu: Emulator
    ) -> None:
        alice = emu.client("alice")
        response = await alice.unsubscribe("room")
        assert {"timestamp": 0, "channelName": "room"} == response.to_dict()
        for bad in ("a.b", "_a", "", "x" * 65):
            error = await raises(INVALID_CHANNEL, alice.unsubscribe(bad))
            expected = (INVALID_CHANNEL, "unsubscribe", REASON[INVALID_CHANNEL])
            assert (*expected, "RtmInvalidArgumentError") == sdk_error(error)
        await alice.login()
        error = await raises(INVALID_CHANNEL, alice.unsubscribe("a.b"))
        assert "unsubscribe" == error.operation
        response = await alice.unsubscribe("x" * 64)
        assert "x" * 64 == response.channel_name

    async def test_r_l5_unsubscribe_a_name_only_joined_as_stream(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await alice.create_stream_channel("x").join()
        await bob.create_stream_channel("x").join()
        log.take()
        response = await alice.unsubscribe("x")
        assert {"timestamp": 0, "channelName": "x"} == response.to_dict()
        emu.advance(5)
        assert [] == log.take()
        assert ["alice", "bob"] == emu.online_users("x", "STREAM")

    async def test_r_l5_stream_leave_when_not_joined(self, emu: Emulator) -> None:
        log = Log()
        alice, bob = await users(emu, log, "alice", "bob")
        await bob.create_stream_channel("stage").join()
        log.take()
        stage = alice.create_stream_channel("stage")
        error = await raises(NOT_JOINED, stage.leave())
        assert (NOT_JOINED, "leave", REASON[NOT_JOINED], "RtmUnavailableError") == (
            sdk_error(error)
        )
        await stage.join()
        log.take()
        t = emu.now_ms
        await stage.leave()
        await raises(NOT_JOINED, stage.leave())  # left already
        emu.advance(2)
        leave = leave_at("alice", t + DEBOUNCE_MS, channel="stage", ctype="STREAM")
        assert each(("bob",), leave) == [d for d in log.take() if d[0] == "bob"]

    async def test_r_l5_stream_leave_before_login_is_not_connected(self, emu: Emulator) -> None:
        alice = emu.client("alice")
        error = await raises(NOT_CONNECTED, alice.create_stream_channel("stage").leave())
        assert "leave" == error.operation
