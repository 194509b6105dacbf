"""Lifecycle: repeated entry, logout, repeated login / logout, channel and user limits.

Rules R-L1 .. R-L4 of ``semantics.md``.  Expected values come first in every assertion.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from rtm_emulator import (
    Emulator,
    EmulatorConfig,
    LinkOperation,
    LinkStateReasonCode,
    RTMClient,
    RtmError,
    UserState,
)

from ..conftest import Recorder, login, login_recorded
from ..expected import got, remote, snap

NOT_LOGIN = -10002
NOT_CONNECTED = -10025
CHANNEL_LIMIT = -11005
SUBSCRIBE_FAILED = -11021
JOIN_FAILED = -11007
NOT_EXIST = -13011


async def raises(code: int, awaitable: Awaitable[Any]) -> RtmError:
    """Await ``awaitable``, which must fail with ``code``; return the error."""
    with pytest.raises(RtmError) as info:
        await awaitable
    assert code == info.value.error_code, info.value.reason
    return info.value


# --------------------------------------------------------------------------- R-L1


class TestRL1RepeatedEntry:
    """R-L1: entering again succeeds, takes the new options, re-snapshots the user."""

    async def test_r_l1_repeated_subscribe_fresh_snapshot_nothing_to_others(
        self, emu: Emulator
    ) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        await bob.presence.set_state("room", "MESSAGE", {"b": "2"})
        ra.take()
        rb.take()
        emu.advance(1)
        response = await alice.subscribe("room")
        assert ("room", emu.now_ms) == (response.channel_name, response.timestamp)
        users = (UserState("alice", {"a": "1"}), UserState("bob", {"b": "2"}))
        assert [snap(emu, *users)] == got(ra)
        assert [] == got(rb)
        assert {"a": "1"} == emu.state_of("alice", "room", "MESSAGE")
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")
        assert [("MESSAGE", "room")] == emu.user_channels("alice")
        emu.advance(5)
        assert ([], []) == (got(ra), got(rb))

    async def test_r_l1_repeated_stream_join_fresh_snapshot_nothing_to_others(
        self, emu: Emulator
    ) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        stage = alice.create_stream_channel("stage")
        await stage.join()
        await bob.create_stream_channel("stage").join()
        await alice.presence.set_state("stage", "STREAM", {"a": "1"})
        ra.take()
        rb.take()
        await stage.join()
        await alice.create_stream_channel("stage").join()  # a second handle, same channel
        users = (UserState("alice", {"a": "1"}), UserState("bob", {}))
        expected = snap(emu, *users, channel="stage", ctype="STREAM")
        assert [expected, expected] == got(ra)
        assert [] == got(rb)
        assert {"a": "1"} == emu.state_of("alice", "stage", "STREAM")
        assert [("STREAM", "stage")] == emu.user_channels("alice")

    async def test_r_l1_repeat_without_presence_stops_listening(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        ra.take()
        rb.take()
        await alice.subscribe("room", {"withPresence": False})
        assert ([], []) == (got(ra), got(rb))
        await bob.presence.set_state("room", "MESSAGE", {"b": "2"})
        await bob.unsubscribe("room")
        emu.advance(2)
        assert [] == got(ra)
        # still present and visible
        assert ["alice"] == emu.online_users("room", "MESSAGE")

    async def test_r_l1_repeat_with_presence_starts_listening(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room", with_presence=False)
        await bob.subscribe("room")
        await bob.presence.set_state("room", "MESSAGE", {"b": "2"})
        assert [] == got(ra)
        rb.take()
        await alice.subscribe("room", with_presence=True)
        users = (UserState("alice", {}), UserState("bob", {"b": "2"}))
        assert [snap(emu, *users)] == got(ra)
        assert [] == got(rb)
        await bob.presence.set_state("room", "MESSAGE", {"c": "3"})
        assert [remote(emu, "REMOTE_STATE_CHANGED", "bob", {"b": "2", "c": "3"})] == got(ra)

    async def test_r_l1_repeat_with_defaults_resets_options(self, emu: Emulator) -> None:
        """Options not given take their defaults again (withPresence true, beQuiet false)."""
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room", with_presence=False, be_quiet=True)
        rb.take()
        await alice.subscribe("room")
        assert [snap(emu, UserState("alice", {}), UserState("bob", {}))] == got(ra)
        assert [remote(emu, "REMOTE_JOIN", "alice")] == got(rb)

    async def test_r_l1_visible_to_quiet_is_an_immediate_leave(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        ra.take()
        rb.take()
        emu.advance(1)
        await alice.subscribe("room", be_quiet=True)
        # emulator decision: not debounced, delivered at once
        assert [remote(emu, "REMOTE_LEAVE", "alice")] == got(rb)
        assert [snap(emu, UserState("bob", {}))] == got(ra)
        assert ["bob"] == emu.online_users("room", "MESSAGE")
        assert [("MESSAGE", "room")] == emu.user_channels("alice")
        assert {"a": "1"} == emu.state_of("alice", "room", "MESSAGE")
        await raises(NOT_EXIST, bob.presence.get_state("alice", "room", "MESSAGE"))
        where = await bob.presence.get_user_channels("alice")
        assert 0 == where.total_channel
        emu.advance(5)
        assert ([], []) == (got(ra), got(rb))

    async def test_r_l1_visible_to_quiet_on_stream_join(self, emu: Emulator) -> None:
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        stage = alice.create_stream_channel("stage")
        await stage.join()
        await bob.create_stream_channel("stage").join()
        rb.take()
        await stage.join({"beQuiet": True})
        assert [remote(emu, "REMOTE_LEAVE", "alice", channel="stage", ctype="STREAM")] == got(rb)
        assert ["bob"] == emu.online_users("stage", "STREAM")

    async def test_r_l1_quiet_to_visible_is_a_join_then_state(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        rb.take()
        await alice.subscribe("room", be_quiet=True)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        await alice.presence.set_state("room", "MESSAGE", {"b": "2"})
        ra.take()
        assert [] == got(rb)  # R-E4
        emu.advance(1)
        await alice.subscribe("room", be_quiet=False)
        assert [
            remote(emu, "REMOTE_JOIN", "alice"),
            remote(emu, "REMOTE_STATE_CHANGED", "alice", {"a": "1", "b": "2"}),
        ] == got(rb)
        users = (UserState("alice", {"a": "1", "b": "2"}), UserState("bob", {}))
        assert [snap(emu, *users)] == got(ra)
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")

    async def test_r_l1_quiet_to_visible_without_state_is_only_a_join(self, emu: Emulator) -> None:
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room", be_quiet=True)
        rb.take()
        await alice.subscribe("room")
        assert [remote(emu, "REMOTE_JOIN", "alice")] == got(rb)

    async def test_r_l1_visible_quiet_visible_round_trip(self, emu: Emulator) -> None:
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        rb.take()
        await alice.subscribe("room", be_quiet=True)
        await alice.subscribe("room", be_quiet=False)
        assert [
            remote(emu, "REMOTE_LEAVE", "alice"),
            remote(emu, "REMOTE_JOIN", "alice"),
            remote(emu, "REMOTE_STATE_CHANGED", "alice", {"a": "1"}),
        ] == got(rb)
        emu.advance(5)
        assert [] == got(rb)

    async def test_r_l1_quiet_to_quiet_tells_others_nothing(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room", be_quiet=True)
        ra.take()
        rb.take()
        await alice.subscribe("room", be_quiet=True)
        assert [snap(emu, UserState("bob", {}))] == got(ra)
        assert [] == got(rb)


# --------------------------------------------------------------------------- R-L2


def _every_call(client: RTMClient) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    stage = client.create_stream_channel("stage")
    p = client.presence
    return [
        ("subscribe", lambda: client.subscribe("room")),
        ("unsubscribe", lambda: client.unsubscribe("room")),
        ("join", lambda: stage.join()),
        ("leave", lambda: stage.leave()),
        ("getOnlineUsers", lambda: p.get_online_users("room", "MESSAGE")),
        ("whoNow", lambda: p.whoNow("room", "MESSAGE")),
        ("getUserChannels", lambda: p.get_user_channels()),
        ("whereNow", lambda: p.where_now("bob")),
        ("getState", lambda: p.get_state("bob", "room", "MESSAGE")),
        ("setState", lambda: p.set_state("room", "MESSAGE", {"a": "1"})),
        ("setState", lambda: p.setState("elsewhere", "MESSAGE", {"a": "1"})),
        ("removeState", lambda: p.remove_state("room", "MESSAGE", states=["a"])),
    ]


class TestRL2Logout:
    """R-L2: logout leaves everything, drops state and cache; calls fail until login."""

    async def test_r_l2_logout_leaves_every_channel_after_debounce(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        for client in (bob, alice):
            await client.subscribe("room")
            await client.subscribe("hall")
            await client.create_stream_channel("stage").join()
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        ra.take()
        rb.take()
        emu.advance(1)
        response = await alice.logout()
        logout_at = emu.now_ms
        assert logout_at == response.timestamp
        assert [] == emu.user_channels("alice")
        assert ["bob"] == emu.online_users("room", "MESSAGE")
        assert ["bob"] == emu.online_users("hall", "MESSAGE")
        assert ["bob"] == emu.online_users("stage", "STREAM")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [] == got(rb)
        emu.advance(1.999)
        assert [] == got(rb)
        emu.advance(0.001)
        at = logout_at + 2000
        assert [
            remote(emu, "REMOTE_LEAVE", "alice", channel="hall", timestamp=at),
            remote(emu, "REMOTE_LEAVE", "alice", channel="room", timestamp=at),
            remote(emu, "REMOTE_LEAVE", "alice", channel="stage", ctype="STREAM", timestamp=at),
        ] == got(rb)
        assert [] == got(ra)
        emu.advance(10)
        assert [] == got(rb)

    async def test_r_l2_logout_without_debounce_is_immediate(self) -> None:
        emu = Emulator(EmulatorConfig(debounce=0), strict=True)
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        for client in (bob, alice):
            await client.subscribe("room")
            await client.create_stream_channel("stage").join()
        rb.take()
        await alice.logout()
        assert [
            remote(emu, "REMOTE_LEAVE", "alice"),
            remote(emu, "REMOTE_LEAVE", "alice", channel="stage", ctype="STREAM"),
        ] == got(rb)
        emu.advance(10)
        assert [] == got(rb)
        emu.check_invariants()

    async def test_r_l2_quiet_channels_leave_silently(self, emu: Emulator) -> None:
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await bob.subscribe("hall")
        await alice.subscribe("room", be_quiet=True)
        await alice.subscribe("hall")
        rb.take()
        await alice.logout()
        emu.advance(2)
        assert [remote(emu, "REMOTE_LEAVE", "alice", channel="hall")] == got(rb)

    async def test_r_l2_logout_link_state(self, emu: Emulator) -> None:
        ((alice, ra),) = await login_recorded(emu, "alice")
        await alice.logout()
        assert ("CONNECTED", "IDLE") == ra.link_states()[-1]
        last = ra.links[-1]
        assert (LinkOperation.LOGOUT, LinkStateReasonCode.LOGOUT) == (
            last.operation,
            last.reason_code,
        )
        assert emu.now_ms == last.timestamp
        assert False is alice.logged_in

    @pytest.mark.parametrize("index", range(12))
    async def test_r_l2_calls_after_logout_fail_not_login(self, emu: Emulator, index: int) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await bob.create_stream_channel("stage").join()
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        await alice.logout()
        emu.advance(2)
        ra.take()
        rb.take()
        operation, call = _every_call(alice)[index]
        error = await raises(NOT_LOGIN, call())
        assert operation == error.operation
        assert [] == emu.user_channels("alice")
        assert ["bob"] == emu.online_users("room", "MESSAGE")
        assert ["bob"] == emu.online_users("stage", "STREAM")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert ([], []) == (got(ra), got(rb))

    @pytest.mark.parametrize("index", range(12))
    async def test_r_l2_calls_before_first_login_fail_not_login(
        self, emu: Emulator, index: int
    ) -> None:
        ((bob, rb),) = await login_recorded(emu, "bob")
        await bob.subscribe("room")
        rb.take()
        alice = emu.client("alice")
        ra = Recorder(alice)
        _, call = _every_call(alice)[index]
        await raises(NOT_LOGIN, call())
        assert [] == emu.user_channels("alice")
        assert ["bob"] == emu.online_users("room", "MESSAGE")
        assert ([], []) == (got(ra), got(rb))

    async def test_r_l2_calls_work_again_after_login(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.logout()
        await raises(NOT_LOGIN, alice.subscribe("room"))
        emu.advance(2)
        ra.take()
        rb.take()
        await alice.login()
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        assert [snap(emu, UserState("alice", {}), UserState("bob", {}))] == got(ra)
        assert [
            remote(emu, "REMOTE_JOIN", "alice"),
            remote(emu, "REMOTE_STATE_CHANGED", "alice", {"a": "1"}),
        ] == got(rb)

    async def test_r_l2_logout_deletes_state_and_cache(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await bob.subscribe("hall")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        await alice.presence.set_state("hall", "MESSAGE", {"cached": "1"})
        await alice.logout()
        await alice.login()
        emu.advance(2)
        ra.take()
        rb.take()
        await alice.subscribe("room")
        await alice.subscribe("hall")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert {} == emu.state_of("alice", "hall", "MESSAGE")
        assert [
            snap(emu, UserState("alice", {}), UserState("bob", {})),
            snap(emu, UserState("alice", {}), UserState("bob", {}), channel="hall"),
        ] == got(ra)
        assert [
            remote(emu, "REMOTE_JOIN", "alice"),
            remote(emu, "REMOTE_JOIN", "alice", channel="hall"),
        ] == got(rb)

    async def test_r_l2_stream_handle_survives_logout(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.create_stream_channel("stage").join()
        stage = alice.create_stream_channel("stage")
        await stage.join()
        await alice.logout()
        await raises(NOT_LOGIN, stage.join())
        await raises(NOT_LOGIN, stage.leave())
        emu.advance(2)
        ra.take()
        rb.take()
        await alice.login()
        await stage.join()
        assert [("STREAM", "stage")] == emu.user_channels("alice")
        users = (UserState("alice", {}), UserState("bob", {}))
        assert [snap(emu, *users, channel="stage", ctype="STREAM")] == got(ra)
        assert [remote(emu, "REMOTE_JOIN", "alice", channel="stage", ctype="STREAM")] == got(rb)
        await stage.leave()
        assert [] == emu.user_channels("alice")


# --------------------------------------------------------------------------- R-L3


class TestRL3RepeatedLoginLogout:
    """R-L3: login when logged in changes nothing; logout always works."""

    async def test_r_l3_login_twice_changes_nothing(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        ra.take()
        rb.take()
        links_before = list(ra.links)
        emu.advance(1)
        response = await alice.login()
        assert emu.now_ms == response.timestamp
        assert links_before == ra.links
        assert "CONNECTED" == alice.link_state.value
        assert ([], []) == (got(ra), got(rb))
        assert [("MESSAGE", "room")] == emu.user_channels("alice")
        assert {"a": "1"} == emu.state_of("alice", "room", "MESSAGE")
        # still listening, still visible
        await bob.presence.set_state("room", "MESSAGE", {"b": "2"})
        assert [remote(emu, "REMOTE_STATE_CHANGED", "bob", {"b": "2"})] == got(ra)
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")

    async def test_r_l3_login_twice_keeps_the_cache(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.presence.set_state("room", "MESSAGE", {"cached": "1"})
        await alice.login({"token": "t"})
        await alice.subscribe("room")
        assert {"cached": "1"} == emu.state_of("alice", "room", "MESSAGE")

    async def test_r_l3_login_while_disconnected_changes_nothing(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        emu.disconnect("alice")
        ra.take()
        rb.take()
        links_before = list(ra.links)
        await alice.login()
        assert links_before == ra.links
        assert "DISCONNECTED" == alice.link_state.value
        assert False is alice.connected
        assert [("MESSAGE", "room")] == emu.user_channels("alice")
        assert {"a": "1"} == emu.state_of("alice", "room", "MESSAGE")
        assert ([], []) == (got(ra), got(rb))
        await raises(NOT_CONNECTED, alice.subscribe("hall"))
        # the server still times the user out on schedule (5 + 10 + 300 s)
        emu.advance(315)
        assert [remote(emu, "REMOTE_TIMEOUT", "alice")] == got(rb)

    async def test_r_l3_logout_while_disconnected_is_an_ordinary_leave(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.create_stream_channel("stage").join()
        await bob.create_stream_channel("stage").join()
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        emu.disconnect("alice")
        emu.advance(30)
        ra.take()
        rb.take()
        response = await alice.logout()
        logout_at = emu.now_ms
        assert logout_at == response.timestamp
        assert ("DISCONNECTED", "IDLE") == ra.link_states()[-1]
        assert [] == emu.user_channels("alice")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        emu.advance(2)
        at = logout_at + 2000
        assert [
            remote(emu, "REMOTE_LEAVE", "alice", timestamp=at),
            remote(emu, "REMOTE_LEAVE", "alice", channel="stage", ctype="STREAM", timestamp=at),
        ] == got(rb)
        emu.advance(400)  # no suspension, no timeout: the session is over
        assert ([], []) == (got(ra), got(rb))
        assert ("DISCONNECTED", "IDLE") == ra.link_states()[-1]
        await alice.login()
        assert True is alice.connected
        await alice.subscribe("room")
        assert {} == emu.state_of("alice", "room", "MESSAGE")

    async def test_r_l3_logout_when_not_logged_in_is_a_no_op(self, emu: Emulator) -> None:
        ((bob, rb),) = await login_recorded(emu, "bob")
        await bob.subscribe("room")
        rb.take()
        alice = emu.client("alice")
        ra = Recorder(alice)
        response = await alice.logout()
        assert emu.now_ms == response.timestamp
        assert ([], [], []) == (ra.links, got(ra), got(rb))
        assert "IDLE" == alice.link_state.value
        await alice.login()
        await alice.logout()
        links = list(ra.links)
        await alice.logout()
        assert links == ra.links
        assert ["bob"] == emu.online_users("room", "MESSAGE")

    async def test_r_l3_logout_of_a_kicked_client_is_a_no_op(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        alice2 = emu.client("alice")
        await alice2.login()
        await alice2.subscribe("room")
        links = list(ra.links)
        rb.take()
        await alice.logout()
        assert links == ra.links
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")
        assert [("MESSAGE", "room")] == emu.user_channels("alice")
        emu.advance(5)
        assert [] == got(rb)


# --------------------------------------------------------------------------- R-L4


async def _fill(client: RTMClient, message: int, stream: int) -> None:
    for i in range(message):
        await client.subscribe(f"m{i}")
    for i in range(stream):
        await client.create_stream_channel(f"s{i}").join()


class TestRL4ChannelLimits:
    """R-L4: 100 MESSAGE and 100 STREAM channels, counted separately; users per channel."""

    async def test_r_l4_hundred_message_and_hundred_stream_at_once(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await _fill(alice, 100, 100)
        channels = emu.user_channels("alice")
        assert 200 == len(channels)
        assert 100 == sum(1 for ctype, _ in channels if ctype == "MESSAGE")
        assert 100 == sum(1 for ctype, _ in channels if ctype == "STREAM")

    async def test_r_l4_hundred_first_message_channel_fails(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await _fill(alice, 100, 0)
        await bob.subscribe("extra")
        ra.take()
        rb.take()
        error = await raises(CHANNEL_LIMIT, alice.subscribe("extra"))
        assert "subscribe" == error.operation
        assert 100 == len(emu.user_channels("alice"))
        assert ["bob"] == emu.online_users("extra", "MESSAGE")
        assert ([], []) == (got(ra), got(rb))
        # the STREAM count is separate
        await alice.create_stream_channel("extra").join()

    async def test_r_l4_hundred_first_stream_channel_fails(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await _fill(alice, 100, 100)
        await bob.create_stream_channel("extra").join()
        ra.take()
        rb.take()
        error = await raises(CHANNEL_LIMIT, alice.create_stream_channel("extra").join())
        assert "join" == error.operation
        assert 200 == len(emu.user_channels("alice"))
        assert ["bob"] == emu.online_users("extra", "STREAM")
        assert ([], []) == (got(ra), got(rb))
        await raises(CHANNEL_LIMIT, alice.subscribe("extra"))

    async def test_r_l4_reentry_at_the_limit_succeeds(self, emu: Emulator) -> None:
        ((alice, ra),) = await login_recorded(emu, "alice")
        await _fill(alice, 100, 100)
        ra.take()
        await alice.subscribe("m42")
        await alice.subscribe("m0", be_quiet=True)
        await alice.create_stream_channel("s7").join()
        assert [
            ("SNAPSHOT", ""),
            ("SNAPSHOT", ""),
            ("SNAPSHOT", ""),
        ] == ra.take_types()
        assert 200 == len(emu.user_channels("alice"))

    async def test_r_l4_room_freed_by_leaving(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await _fill(alice, 100, 100)
        await alice.unsubscribe("m5")
        await alice.subscribe("new-m")
        await raises(CHANNEL_LIMIT, alice.subscribe("m5"))
        await alice.create_stream_channel("s5").leave()
        await alice.create_stream_channel("new-s").join()
        await raises(CHANNEL_LIMIT, alice.create_stream_channel("s5").join())
        assert 200 == len(emu.user_channels("alice"))

    async def test_r_l4_quiet_subscriptions_count(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        for i in range(100):
            await alice.subscribe(f"m{i}", be_quiet=True, with_presence=False)
        await raises(CHANNEL_LIMIT, alice.subscribe("extra"))

    async def test_r_l4_logout_frees_every_slot(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await _fill(alice, 100, 100)
        await alice.logout()
        await alice.login()
        await alice.subscribe("extra")
        await alice.create_stream_channel("extra").join()


class TestRL4MaxChannelUsers:
    """R-L4 / errors table: a channel holding ``max_channel_users`` refuses a newcomer."""

    @staticmethod
    async def _full() -> tuple[Emulator, list[tuple[RTMClient, Recorder]]]:
        emu = Emulator(EmulatorConfig(max_channel_users=2), strict=True)
        pairs = await login_recorded(emu, "alice", "bob", "carol")
        for client, _ in pairs[:2]:
            await client.subscribe("room")
            await client.create_stream_channel("stage").join()
        for _, rec in pairs:
            rec.take()
        return emu, pairs

    async def test_r_l4_third_subscriber_fails(self) -> None:
        emu, [(_, ra), (_, rb), (carol, rc)] = await self._full()
        error = await raises(SUBSCRIBE_FAILED, carol.subscribe("room"))
        assert "subscribe" == error.operation
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")
        assert [] == emu.user_channels("carol")
        assert ([], [], []) == (got(ra), got(rb), got(rc))
        emu.check_invariants()

    async def test_r_l4_third_stream_joiner_fails(self) -> None:
        emu, [(_, ra), (_, rb), (carol, rc)] = await self._full()
        error = await raises(JOIN_FAILED, carol.create_stream_channel("stage").join())
        assert "join" == error.operation
        assert ["alice", "bob"] == emu.online_users("stage", "STREAM")
        assert [] == emu.user_channels("carol")
        assert ([], [], []) == (got(ra), got(rb), got(rc))
        emu.check_invariants()

    async def test_r_l4_member_reentry_at_user_limit_succeeds(self) -> None:
        emu, [(alice, ra), (_, rb), _] = await self._full()
        await alice.subscribe("room")
        await alice.create_stream_channel("stage").join({"beQuiet": True})
        assert [("SNAPSHOT", ""), ("SNAPSHOT", "")] == ra.take_types()
        assert [("REMOTE_LEAVE", "alice")] == rb.take_types()
        await alice.create_stream_channel("stage").join()
        assert [("REMOTE_JOIN", "alice")] == rb.take_types()
        emu.check_invariants()

    async def test_r_l4_quiet_members_count_toward_user_limit(self) -> None:
        emu = Emulator(EmulatorConfig(max_channel_users=2), strict=True)
        alice, bob, carol = await login(emu, "alice", "bob", "carol")
        await alice.subscribe("room", be_quiet=True)
        await bob.subscribe("room", be_quiet=True)
        await raises(SUBSCRIBE_FAILED, carol.subscribe("room"))
        assert [] == emu.online_users("room", "MESSAGE")
        emu.check_invariants()

    async def test_r_l4_user_limit_is_per_channel_and_freed_by_leaving(self) -> None:
        emu, [_, (bob, _), (carol, rc)] = await self._full()
        await carol.subscribe("other")
        await bob.unsubscribe("room")
        await carol.subscribe("room")
        assert ["alice", "carol"] == emu.online_users("room", "MESSAGE")
        assert [("SNAPSHOT", ""), ("SNAPSHOT", "")] == rc.take_types()
        emu.check_invariants()
