"""Presence state: scope and lifetime, merge/remove, limits, pre-join cache, events.

Rules R-S1 .. R-S5 of ``semantics.md``.  Expected values come first in every assertion.
"""

from __future__ import annotations

from typing import Any

import pytest

from rtm_emulator import (
    ChannelType,
    Emulator,
    PresenceEventType,
    RTMConfig,
    RtmError,
    UserState,
)

from ..conftest import Recorder, login, login_recorded
from ..expected import got, remote, snap

NOT_EXIST = -13011
CACHED_TOO_MANY = -13004
COUNT_OVERFLOW = -13005
INVALID_KEY = -13006
INVALID_VALUE = -13007
KEY_TOO_LONG = -13008
VALUE_TOO_LONG = -13009
INVALID_PARAMETER = -10014


async def raises(code: int, awaitable: Any) -> RtmError:
    """Await ``awaitable``, which must fail with ``code``; return the error."""
    with pytest.raises(RtmError) as info:
        await awaitable
    assert code == info.value.error_code, info.value.reason
    return info.value


# --------------------------------------------------------------------------- R-S1


class TestRS1StateScopeAndLifetime:
    """R-S1: a flat string->string map per (user, channel), deleted on every exit."""

    async def test_r_s1_state_is_per_user_and_per_channel(self, emu: Emulator) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await alice.subscribe("room")
        await alice.subscribe("hall")
        await alice.create_stream_channel("room").join()
        await bob.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"k": "message-room"})
        await alice.presence.set_state("hall", "MESSAGE", {"k": "hall"})
        await alice.presence.set_state("room", "STREAM", {"k": "stream-room"})
        await bob.presence.set_state("room", "MESSAGE", {"k": "bob"})
        assert {"k": "message-room"} == emu.state_of("alice", "room", "MESSAGE")
        assert {"k": "hall"} == emu.state_of("alice", "hall", "MESSAGE")
        assert {"k": "stream-room"} == emu.state_of("alice", "room", "STREAM")
        assert {"k": "bob"} == emu.state_of("bob", "room", "MESSAGE")
        got_state = await bob.presence.get_state("alice", "room", "STREAM")
        assert ("alice", {"k": "stream-room"}) == (got_state.user_id, dict(got_state.states))

    async def test_r_s1_keys_and_values_are_strings(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"isTyping": "false", "n": "1"})
        state = emu.state_of("alice", "room", "MESSAGE")
        assert {"isTyping": "false", "n": "1"} == state
        assert [(str, str), (str, str)] == [(type(k), type(v)) for k, v in state.items()]

    async def test_r_s1_state_is_a_copy_of_the_callers_mapping(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        given = {"a": "1"}
        await alice.presence.set_state("room", "MESSAGE", given)
        given["a"] = "changed"
        given["b"] = "added"
        assert {"a": "1"} == emu.state_of("alice", "room", "MESSAGE")

    async def test_r_s1_unsubscribe_deletes_state_not_restored_on_resubscribe(
        self, emu: Emulator
    ) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"mood": "happy"})
        rb.take()
        await alice.unsubscribe("room")
        left_at = emu.now_ms
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        await raises(NOT_EXIST, bob.presence.get_state("alice", "room", "MESSAGE"))
        emu.advance(2)
        assert [remote(emu, "REMOTE_LEAVE", "alice", timestamp=left_at + 2000)] == got(rb)
        ra.take()
        await alice.subscribe("room")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [snap(emu, UserState("alice", {}), UserState("bob", {}))] == got(ra)
        assert [remote(emu, "REMOTE_JOIN", "alice")] == got(rb)

    async def test_r_s1_resubscribe_inside_debounce_announces_the_empty_state(
        self, emu: Emulator
    ) -> None:
        """R-S1 with R-E6: the old state is gone; others learn it from one state change."""
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"mood": "happy"})
        rb.take()
        await alice.unsubscribe("room")
        emu.advance(1)
        await alice.subscribe("room")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [remote(emu, "REMOTE_STATE_CHANGED", "alice", {})] == got(rb)
        emu.advance(5)
        assert [] == got(rb)

    async def test_r_s1_stream_leave_deletes_state(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.create_stream_channel("stage").join()
        stage = alice.create_stream_channel("stage")
        await stage.join()
        await alice.presence.set_state("stage", "STREAM", {"seat": "3"})
        await stage.leave()
        assert {} == emu.state_of("alice", "stage", "STREAM")
        await raises(NOT_EXIST, bob.presence.get_state("alice", "stage", "STREAM"))
        emu.advance(2)
        ra.take()
        rb.take()
        await stage.join()
        assert {} == emu.state_of("alice", "stage", "STREAM")
        users = (UserState("alice", {}), UserState("bob", {}))
        assert [snap(emu, *users, channel="stage", ctype="STREAM")] == got(ra)
        assert [remote(emu, "REMOTE_JOIN", "alice", channel="stage", ctype="STREAM")] == got(rb)

    async def test_r_s1_logout_deletes_state_in_every_channel(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.create_stream_channel("stage").join()
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        await alice.presence.set_state("stage", "STREAM", {"b": "2"})
        await alice.logout()
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert {} == emu.state_of("alice", "stage", "STREAM")
        await alice.login()
        await alice.subscribe("room")
        await alice.create_stream_channel("stage").join()
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert {} == emu.state_of("alice", "stage", "STREAM")

    async def test_r_s1_timeout_deletes_state_default_timing(self, emu: Emulator) -> None:
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        rb.take()
        emu.disconnect("alice")
        emu.advance(314.999)  # heartbeat 5 + 10 + presence timeout 300 = 315 s
        assert {"a": "1"} == emu.state_of("alice", "room", "MESSAGE")
        assert [] == got(rb)
        emu.advance(0.001)
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert ["bob"] == emu.online_users("room", "MESSAGE")
        assert [remote(emu, "REMOTE_TIMEOUT", "alice")] == got(rb)
        await alice.logout()
        await alice.login()
        await alice.subscribe("room")
        assert {} == emu.state_of("alice", "room", "MESSAGE")

    async def test_r_s1_timeout_deletes_state_short_presence_timeout(self) -> None:
        emu = Emulator(strict=True)
        alice = emu.client("alice", config=RTMConfig(presence_timeout=5))
        await alice.login()
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        emu.disconnect("alice")
        emu.advance(19.999)  # 5 + 10 + 5 = 20 s
        assert {"a": "1"} == emu.state_of("alice", "room", "MESSAGE")
        emu.advance(0.001)
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [] == emu.user_channels("alice")
        emu.check_invariants()

    async def test_r_s1_kick_deletes_state_not_restored_on_new_session(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        rb.take()
        alice2 = emu.client("alice")
        r2 = Recorder(alice2)
        await alice2.login()
        kicked_at = emu.now_ms
        assert ("CONNECTED", "FAILED") == ra.link_states()[-1]
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [] == emu.user_channels("alice")
        await raises(NOT_EXIST, bob.presence.get_state("alice", "room", "MESSAGE"))
        emu.advance(2)
        assert [remote(emu, "REMOTE_LEAVE", "alice", timestamp=kicked_at + 2000)] == got(rb)
        await alice2.subscribe("room")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [snap(emu, UserState("alice", {}), UserState("bob", {}))] == got(r2)
        assert [remote(emu, "REMOTE_JOIN", "alice")] == got(rb)


# --------------------------------------------------------------------------- R-S2


class TestRS2MergeAndRemove:
    """R-S2: setState merges; removeState removes the listed keys, or all of them."""

    async def test_r_s2_set_state_merges(self, emu: Emulator) -> None:
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        rb.take()
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2"})
        await alice.presence.set_state("room", "MESSAGE", {"b": "3", "c": "4"})
        assert {"a": "1", "b": "3", "c": "4"} == emu.state_of("alice", "room", "MESSAGE")
        assert [
            remote(emu, "REMOTE_STATE_CHANGED", "alice", {"a": "1", "b": "2"}),
            remote(emu, "REMOTE_STATE_CHANGED", "alice", {"a": "1", "b": "3", "c": "4"}),
        ] == got(rb)

    async def test_r_s2_sdk_spelling_set_state_merges(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.presence.setState("room", "MESSAGE", {"a": "1"})
        await alice.presence.setState("room", "MESSAGE", {"b": "2"})
        assert {"a": "1", "b": "2"} == emu.state_of("alice", "room", "MESSAGE")

    @pytest.mark.parametrize(
        "how",
        [
            "python-omitted",
            "python-None",
            "python-empty-list",
            "python-empty-tuple",
            "sdk-omitted",
            "sdk-None",
            "sdk-empty-options",
            "sdk-states-None",
            "sdk-states-empty",
        ],
    )
    async def test_r_s2_remove_state_without_keys_removes_all(
        self, emu: Emulator, how: str
    ) -> None:
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2"})
        rb.take()
        p = alice.presence
        calls = {
            "python-omitted": lambda: p.remove_state("room", "MESSAGE"),
            "python-None": lambda: p.remove_state("room", "MESSAGE", states=None),
            "python-empty-list": lambda: p.remove_state("room", "MESSAGE", states=[]),
            "python-empty-tuple": lambda: p.remove_state("room", "MESSAGE", states=()),
            "sdk-omitted": lambda: p.removeState("room", "MESSAGE"),
            "sdk-None": lambda: p.removeState("room", "MESSAGE", None),
            "sdk-empty-options": lambda: p.removeState("room", "MESSAGE", {}),
            "sdk-states-None": lambda: p.removeState("room", "MESSAGE", {"states": None}),
            "sdk-states-empty": lambda: p.removeState("room", "MESSAGE", {"states": []}),
        }
        response = await calls[how]()
        assert emu.now_ms == response.timestamp
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [remote(emu, "REMOTE_STATE_CHANGED", "alice", {})] == got(rb)

    async def test_r_s2_remove_listed_keys_only_python_form(self, emu: Emulator) -> None:
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2", "c": "3"})
        rb.take()
        await alice.presence.remove_state("room", "MESSAGE", states=["a", "c"])
        assert {"b": "2"} == emu.state_of("alice", "room", "MESSAGE")
        assert [remote(emu, "REMOTE_STATE_CHANGED", "alice", {"b": "2"})] == got(rb)

    async def test_r_s2_remove_listed_keys_only_sdk_form(self, emu: Emulator) -> None:
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2", "c": "3"})
        rb.take()
        await alice.presence.removeState("room", "MESSAGE", {"states": ["b"]})
        assert {"a": "1", "c": "3"} == emu.state_of("alice", "room", "MESSAGE")
        assert [remote(emu, "REMOTE_STATE_CHANGED", "alice", {"a": "1", "c": "3"})] == got(rb)

    async def test_r_s2_python_form_positional_options(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2"})
        await alice.presence.remove_state("room", "MESSAGE", {"states": ["a"]})
        assert {"b": "2"} == emu.state_of("alice", "room", "MESSAGE")

    async def test_r_s2_removing_an_absent_key_is_not_an_error(self, emu: Emulator) -> None:
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        rb.take()
        await alice.presence.remove_state("room", "MESSAGE", states=["zzz", "a"])
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        await alice.presence.remove_state("room", "MESSAGE", states=["zzz"])
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        # R-S5: each successful call is one REMOTE_STATE_CHANGED with the full state
        assert [
            remote(emu, "REMOTE_STATE_CHANGED", "alice", {}),
            remote(emu, "REMOTE_STATE_CHANGED", "alice", {}),
        ] == got(rb)

    async def test_r_s2_remove_state_on_empty_state_succeeds(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.presence.remove_state("room", "MESSAGE")
        await alice.presence.removeState("room", "MESSAGE", {"states": ["x"]})
        assert {} == emu.state_of("alice", "room", "MESSAGE")

    @pytest.mark.parametrize("states", ["a", 5, {"a": "1"}])
    async def test_r_s2_states_not_a_list_is_invalid_parameter(
        self, emu: Emulator, states: Any
    ) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        ra.take()
        rb.take()
        await raises(
            INVALID_PARAMETER, alice.presence.removeState("room", "MESSAGE", {"states": states})
        )
        assert {"a": "1"} == emu.state_of("alice", "room", "MESSAGE")
        assert ([], []) == (got(ra), got(rb))


# --------------------------------------------------------------------------- R-S3


def keys(n: int, prefix: str = "k") -> dict[str, str]:
    """``n`` distinct keys with value ``"v"``."""
    return {f"{prefix}{i}": "v" for i in range(n)}


class TestRS3Limits:
    """R-S3: 32 keys, key 1..64 UTF-8 bytes, value a string of <= 8192 bytes; atomic."""

    async def test_r_s3_thirty_two_keys_allowed(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", keys(32))
        assert keys(32) == emu.state_of("alice", "room", "MESSAGE")
        # overwriting existing keys at the limit does not add any
        await alice.presence.set_state("room", "MESSAGE", {"k0": "new", "k31": "new"})
        assert 32 == len(emu.state_of("alice", "room", "MESSAGE"))

    async def test_r_s3_thirty_three_keys_at_once_overflow(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        ra.take()
        rb.take()
        await raises(COUNT_OVERFLOW, alice.presence.set_state("room", "MESSAGE", keys(33)))
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert ([], []) == (got(ra), got(rb))

    async def test_r_s3_merge_twenty_plus_thirteen_overflows(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", keys(20, "a"))
        ra.take()
        rb.take()
        await raises(COUNT_OVERFLOW, alice.presence.set_state("room", "MESSAGE", keys(13, "b")))
        assert keys(20, "a") == emu.state_of("alice", "room", "MESSAGE")
        assert ([], []) == (got(ra), got(rb))
        await alice.presence.set_state("room", "MESSAGE", keys(12, "b"))
        assert {**keys(20, "a"), **keys(12, "b")} == emu.state_of("alice", "room", "MESSAGE")

    async def test_r_s3_room_freed_by_remove_state(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", keys(32))
        await raises(COUNT_OVERFLOW, alice.presence.set_state("room", "MESSAGE", {"x": "1"}))
        await alice.presence.remove_state("room", "MESSAGE", states=["k0"])
        await alice.presence.set_state("room", "MESSAGE", {"x": "1"})
        assert 32 == len(emu.state_of("alice", "room", "MESSAGE"))

    @pytest.mark.parametrize(
        "key",
        ["a", "a" * 64, "é" * 32, "€" * 21, "😀" * 16, "a b:c-d_e.f/g"],
        ids=["1-byte", "ascii-64", "e-acute-32x2", "euro-21x3", "emoji-16x4", "punctuation"],
    )
    async def test_r_s3_valid_keys(self, emu: Emulator, key: str) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {key: "v"})
        assert {key: "v"} == emu.state_of("alice", "room", "MESSAGE")

    @pytest.mark.parametrize(
        ("key", "code"),
        [
            ("", INVALID_KEY),
            (1, INVALID_KEY),
            (None, INVALID_KEY),
            (b"k", INVALID_KEY),
            (("k",), INVALID_KEY),
            ("a" * 65, KEY_TOO_LONG),
            ("é" * 32 + "a", KEY_TOO_LONG),
            ("€" * 22, KEY_TOO_LONG),
            ("😀" * 16 + "a", KEY_TOO_LONG),
        ],
        ids=[
            "empty",
            "int",
            "None",
            "bytes",
            "tuple",
            "ascii-65",
            "e-acute-65",
            "euro-66",
            "emoji-65",
        ],
    )
    async def test_r_s3_invalid_keys(self, emu: Emulator, key: Any, code: int) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"keep": "1"})
        ra.take()
        rb.take()
        error = await raises(code, alice.presence.set_state("room", "MESSAGE", {key: "v"}))
        assert "setState" == error.operation
        assert {"keep": "1"} == emu.state_of("alice", "room", "MESSAGE")
        assert ([], []) == (got(ra), got(rb))

    @pytest.mark.parametrize(
        "value",
        ["", "v" * 8192, "é" * 4096, "€" * 2730, "😀" * 2048],
        ids=["empty", "ascii-8192", "e-acute-8192", "euro-8190", "emoji-8192"],
    )
    async def test_r_s3_valid_values(self, emu: Emulator, value: str) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"k": value})
        assert {"k": value} == emu.state_of("alice", "room", "MESSAGE")

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            (False, INVALID_VALUE),
            (True, INVALID_VALUE),
            (1, INVALID_VALUE),
            (1.5, INVALID_VALUE),
            (None, INVALID_VALUE),
            (b"v", INVALID_VALUE),
            (["v"], INVALID_VALUE),
            ({"v": "w"}, INVALID_VALUE),
            ("v" * 8193, VALUE_TOO_LONG),
            ("é" * 4096 + "a", VALUE_TOO_LONG),
            ("😀" * 2048 + "a", VALUE_TOO_LONG),
        ],
        ids=[
            "False",
            "True",
            "int",
            "float",
            "None",
            "bytes",
            "list",
            "dict",
            "ascii-8193",
            "e-acute-8193",
            "emoji-8193",
        ],
    )
    async def test_r_s3_invalid_values(self, emu: Emulator, value: Any, code: int) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"keep": "1"})
        ra.take()
        rb.take()
        await raises(code, alice.presence.set_state("room", "MESSAGE", {"k": value}))
        assert {"keep": "1"} == emu.state_of("alice", "room", "MESSAGE")
        assert ([], []) == (got(ra), got(rb))

    async def test_r_s3_seed_sample_boolean_value_is_invalid(self, emu: Emulator) -> None:
        """The seed's ``isTyping: false`` sample: values must be strings (-13007)."""
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        error = await raises(
            INVALID_VALUE,
            alice.presence.setState("room", "MESSAGE", {"mood": "pumped", "isTyping": False}),
        )
        assert {"error": True, "operation": "setState", "errorCode": INVALID_VALUE} == {
            k: v for k, v in error.to_dict().items() if k != "reason"
        }
        assert {} == emu.state_of("alice", "room", "MESSAGE")

    @pytest.mark.parametrize(
        "state",
        [None, "a=b", ["a", "b"], [("a", "b")], 1, {"a"}],
        ids=["None", "str", "list", "pairs", "int", "set"],
    )
    async def test_r_s3_state_not_a_mapping_is_invalid_parameter(
        self, emu: Emulator, state: Any
    ) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"keep": "1"})
        ra.take()
        rb.take()
        await raises(INVALID_PARAMETER, alice.presence.set_state("room", "MESSAGE", state))
        assert {"keep": "1"} == emu.state_of("alice", "room", "MESSAGE")
        assert ([], []) == (got(ra), got(rb))

    async def test_r_s3_failing_call_is_atomic(self, emu: Emulator) -> None:
        """Valid items before the bad one are not applied either."""
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2"})
        ra.take()
        rb.take()
        bad = {"a": "changed", "c": "new", "d": 7}
        await raises(INVALID_VALUE, alice.presence.set_state("room", "MESSAGE", bad))
        assert {"a": "1", "b": "2"} == emu.state_of("alice", "room", "MESSAGE")
        bad_key = {"a": "changed", "e" * 65: "new"}
        await raises(KEY_TOO_LONG, alice.presence.set_state("room", "MESSAGE", bad_key))
        assert {"a": "1", "b": "2"} == emu.state_of("alice", "room", "MESSAGE")
        too_many = {"a": "changed", **keys(31, "z")}
        await raises(COUNT_OVERFLOW, alice.presence.set_state("room", "MESSAGE", too_many))
        assert {"a": "1", "b": "2"} == emu.state_of("alice", "room", "MESSAGE")
        state = await bob.presence.get_state("alice", "room", "MESSAGE")
        assert {"a": "1", "b": "2"} == dict(state.states)
        assert ([], []) == (got(ra), got(rb))


# --------------------------------------------------------------------------- R-S4


class TestRS4PreJoinCache:
    """R-S4: setState off-channel caches (<= 100 keys); applied and consumed on entry."""

    async def test_r_s4_set_state_off_channel_caches_silently(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        rb.take()
        response = await alice.presence.set_state("room", "MESSAGE", {"seat": "3"})
        assert emu.now_ms == response.timestamp
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [] == emu.user_channels("alice")
        assert ["bob"] == emu.online_users("room", "MESSAGE")
        assert ([], []) == (got(ra), got(rb))

    async def test_r_s4_cache_applied_on_subscribe(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await bob.presence.set_state("room", "MESSAGE", {"b": "x"})
        rb.take()
        await alice.presence.set_state("room", "MESSAGE", {"seat": "3"})
        await alice.presence.set_state("room", "MESSAGE", {"mood": "ok"})
        emu.advance(1)
        await alice.subscribe("room")
        full = {"seat": "3", "mood": "ok"}
        assert full == emu.state_of("alice", "room", "MESSAGE")
        assert [snap(emu, UserState("alice", full), UserState("bob", {"b": "x"}))] == got(ra)
        assert [
            remote(emu, "REMOTE_JOIN", "alice"),
            remote(emu, "REMOTE_STATE_CHANGED", "alice", full),
        ] == got(rb)

    async def test_r_s4_cache_applied_on_stream_join(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.create_stream_channel("stage").join()
        rb.take()
        await alice.presence.set_state("stage", "STREAM", {"seat": "3"})
        await alice.create_stream_channel("stage").join()
        assert {"seat": "3"} == emu.state_of("alice", "stage", "STREAM")
        events = ra.take()
        assert [("SNAPSHOT", "")] == [(e.event_type.value, e.publisher) for e in events]
        assert (UserState("alice", {"seat": "3"}), UserState("bob", {})) == events[0].snapshot
        assert emu.now_ms == events[0].timestamp
        assert [
            remote(emu, "REMOTE_JOIN", "alice", channel="stage", ctype="STREAM"),
            remote(
                emu, "REMOTE_STATE_CHANGED", "alice", {"seat": "3"}, channel="stage", ctype="STREAM"
            ),
        ] == got(rb)

    async def test_r_s4_cache_is_per_channel_type(self, emu: Emulator) -> None:
        """The STREAM channel "room" is another channel than the MESSAGE channel "room"."""
        (alice,) = await login(emu, "alice")
        await alice.presence.set_state("room", "STREAM", {"s": "1"})
        await alice.subscribe("room")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        await alice.create_stream_channel("room").join()
        assert {"s": "1"} == emu.state_of("alice", "room", "STREAM")

    async def test_r_s4_cache_applied_when_entering_quietly(self, emu: Emulator) -> None:
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        rb.take()
        await alice.presence.set_state("room", "MESSAGE", {"seat": "3"})
        await alice.subscribe("room", be_quiet=True)
        assert {"seat": "3"} == emu.state_of("alice", "room", "MESSAGE")
        assert [] == got(rb)  # R-E4
        await alice.subscribe("room", be_quiet=False)
        assert [
            remote(emu, "REMOTE_JOIN", "alice"),
            remote(emu, "REMOTE_STATE_CHANGED", "alice", {"seat": "3"}),
        ] == got(rb)

    async def test_r_s4_cache_limit_is_one_hundred_keys(self, emu: Emulator) -> None:
        (alice, ra) = (await login_recorded(emu, "alice"))[0]
        for i in range(4):
            await alice.presence.set_state(f"c{i}", "MESSAGE", keys(25))
        await raises(CACHED_TOO_MANY, alice.presence.set_state("c4", "MESSAGE", {"one": "more"}))
        await raises(CACHED_TOO_MANY, alice.presence.set_state("c0", "MESSAGE", {"one": "more"}))
        await raises(CACHED_TOO_MANY, alice.presence.set_state("c4", "STREAM", {"one": "more"}))
        # overwriting a cached key adds nothing
        await alice.presence.set_state("c0", "MESSAGE", {"k0": "new"})
        assert [] == got(ra)
        await alice.subscribe("c0")
        await alice.subscribe("c4")
        assert {**keys(25), "k0": "new"} == emu.state_of("alice", "c0", "MESSAGE")
        assert {} == emu.state_of("alice", "c4", "MESSAGE")

    async def test_r_s4_failed_cache_write_changes_nothing(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        for i in range(4):
            await alice.presence.set_state(f"c{i}", "MESSAGE", keys(25))
        await raises(
            CACHED_TOO_MANY,
            alice.presence.set_state("c0", "MESSAGE", {"k0": "changed", "extra": "1"}),
        )
        await alice.subscribe("c0")
        assert keys(25) == emu.state_of("alice", "c0", "MESSAGE")

    async def test_r_s4_count_overflow_wins_over_cache_overflow(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        for i in range(4):
            await alice.presence.set_state(f"c{i}", "MESSAGE", keys(25))
        await raises(COUNT_OVERFLOW, alice.presence.set_state("c4", "MESSAGE", keys(33)))
        await raises(COUNT_OVERFLOW, alice.presence.set_state("c0", "MESSAGE", keys(8, "x")))

    async def test_r_s4_cached_channel_limited_to_thirty_two_keys(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await raises(COUNT_OVERFLOW, alice.presence.set_state("c0", "MESSAGE", keys(33)))
        await alice.presence.set_state("c0", "MESSAGE", keys(20, "a"))
        await raises(COUNT_OVERFLOW, alice.presence.set_state("c0", "MESSAGE", keys(13, "b")))
        await alice.presence.set_state("c0", "MESSAGE", keys(12, "b"))
        await alice.subscribe("c0")
        assert {**keys(20, "a"), **keys(12, "b")} == emu.state_of("alice", "c0", "MESSAGE")

    @pytest.mark.parametrize(
        ("state", "code"),
        [
            ({"": "v"}, INVALID_KEY),
            ({"k": 1}, INVALID_VALUE),
            ({"k" * 65: "v"}, KEY_TOO_LONG),
            ({"k": "v" * 8193}, VALUE_TOO_LONG),
            ("k=v", INVALID_PARAMETER),
        ],
        ids=["empty-key", "int-value", "long-key", "long-value", "not-mapping"],
    )
    async def test_r_s4_cached_state_is_validated(
        self, emu: Emulator, state: Any, code: int
    ) -> None:
        (alice,) = await login(emu, "alice")
        await alice.presence.set_state("room", "MESSAGE", {"keep": "1"})
        await raises(code, alice.presence.set_state("room", "MESSAGE", state))
        await alice.subscribe("room")
        assert {"keep": "1"} == emu.state_of("alice", "room", "MESSAGE")

    async def test_r_s4_consumed_entry_stops_counting(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        for i in range(4):
            await alice.presence.set_state(f"c{i}", "MESSAGE", keys(25))
        await raises(CACHED_TOO_MANY, alice.presence.set_state("c4", "MESSAGE", keys(1)))
        await alice.subscribe("c0")
        await alice.presence.set_state("c4", "MESSAGE", keys(25))
        await raises(CACHED_TOO_MANY, alice.presence.set_state("c5", "MESSAGE", keys(1)))
        # leaving c0 does not put its state back into the cache
        await alice.unsubscribe("c0")
        await raises(CACHED_TOO_MANY, alice.presence.set_state("c5", "MESSAGE", keys(1)))

    async def test_r_s4_state_set_in_channel_does_not_count(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("in")
        await alice.presence.set_state("in", "MESSAGE", keys(32))
        for i in range(4):
            await alice.presence.set_state(f"c{i}", "MESSAGE", keys(25))
        assert keys(32) == emu.state_of("alice", "in", "MESSAGE")

    async def test_r_s4_logout_empties_cache(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        for i in range(3):
            await alice.presence.set_state(f"c{i}", "MESSAGE", keys(25))
        await alice.presence.set_state("room", "MESSAGE", keys(25))
        await alice.logout()
        await alice.login()
        rb.take()
        ra.take()
        await alice.subscribe("room")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [snap(emu, UserState("alice", {}), UserState("bob", {}))] == got(ra)
        assert [remote(emu, "REMOTE_JOIN", "alice")] == got(rb)
        # the 100-key budget is whole again
        for i in range(4):
            await alice.presence.set_state(f"d{i}", "MESSAGE", keys(25))
        await alice.subscribe("c0")
        assert {} == emu.state_of("alice", "c0", "MESSAGE")

    async def test_r_s4_remove_state_edits_cache_silently(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        rb.take()
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2", "c": "3"})
        await alice.presence.remove_state("room", "MESSAGE", states=["a", "absent"])
        await alice.presence.removeState("room", "MESSAGE", {"states": ["c"]})
        assert ([], []) == (got(ra), got(rb))
        await alice.subscribe("room")
        assert {"b": "2"} == emu.state_of("alice", "room", "MESSAGE")
        assert [
            remote(emu, "REMOTE_JOIN", "alice"),
            remote(emu, "REMOTE_STATE_CHANGED", "alice", {"b": "2"}),
        ] == got(rb)

    async def test_r_s4_remove_all_from_cache(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        rb.take()
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        await alice.presence.remove_state("room", "MESSAGE")
        await alice.presence.remove_state("never", "STREAM", states=["x"])
        assert ([], []) == (got(ra), got(rb))
        await alice.subscribe("room")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [remote(emu, "REMOTE_JOIN", "alice")] == got(rb)

    async def test_r_s4_remove_state_frees_cache_budget(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        for i in range(4):
            await alice.presence.set_state(f"c{i}", "MESSAGE", keys(25))
        await alice.presence.remove_state("c3", "MESSAGE", states=["k0", "k1"])
        await alice.presence.set_state("c4", "MESSAGE", keys(2))
        await raises(CACHED_TOO_MANY, alice.presence.set_state("c4", "MESSAGE", {"x": "1"}))
        await alice.presence.remove_state("c2", "MESSAGE")
        await alice.presence.set_state("c4", "MESSAGE", keys(25, "y"))


# --------------------------------------------------------------------------- R-S5


class TestRS5StateChangeEvents:
    """R-S5: one REMOTE_STATE_CHANGED per successful call, carrying the full state."""

    async def test_r_s5_one_event_per_call_with_full_state(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb), (carol, rc) = await login_recorded(emu, "alice", "bob", "carol")
        for client in (alice, bob, carol):
            await client.subscribe("room")
        for rec in (ra, rb, rc):
            rec.take()
        emu.advance(1)
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        first = remote(emu, "REMOTE_STATE_CHANGED", "bob", {"a": "1"})
        emu.advance(1)
        await bob.presence.set_state("room", "MESSAGE", {"b": "2"})
        second = remote(emu, "REMOTE_STATE_CHANGED", "bob", {"a": "1", "b": "2"})
        emu.advance(1)
        await bob.presence.remove_state("room", "MESSAGE", states=["a"])
        third = remote(emu, "REMOTE_STATE_CHANGED", "bob", {"b": "2"})
        assert [first, second, third] == got(ra)
        assert [first, second, third] == got(rc)
        assert [] == got(rb)  # R-E3: never about itself

    async def test_r_s5_recipients_in_user_id_order_with_increasing_seq(
        self, emu: Emulator
    ) -> None:
        (dave, rd), (alice, ra), (carol, rc) = await login_recorded(emu, "dave", "alice", "carol")
        for client in (dave, alice, carol):
            await client.subscribe("room")
        last = emu.last_seq
        for rec in (rd, ra, rc):
            rec.take()
        await carol.presence.set_state("room", "MESSAGE", {"x": "1"})
        (to_alice,) = ra.take()
        (to_dave,) = rd.take()
        assert [last + 1, last + 2] == [to_alice.seq, to_dave.seq]
        assert [] == rc.take()

    async def test_r_s5_event_fields(self, emu: Emulator) -> None:
        (alice, ra), (bob, _) = await login_recorded(emu, "alice", "bob")
        await alice.create_stream_channel("stage").join()
        await bob.create_stream_channel("stage").join()
        ra.take()
        await bob.presence.setState("stage", "STREAM", {"seat": "3"})
        (event,) = ra.take()
        assert PresenceEventType.REMOTE_STATE_CHANGED == event.event_type
        assert ChannelType.STREAM == event.channel_type
        assert "stage" == event.channel_name
        assert "bob" == event.publisher
        assert {"seat": "3"} == event.state_changed
        assert (None, None) == (event.interval, event.snapshot)
        assert emu.now_ms == event.timestamp

    async def test_r_s5_same_value_again_still_one_event(self, emu: Emulator) -> None:
        (alice, ra), (bob, _) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        ra.take()
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        assert [remote(emu, "REMOTE_STATE_CHANGED", "bob", {"a": "1"})] == got(ra)

    async def test_r_s5_only_the_channel_concerned(self, emu: Emulator) -> None:
        (alice, ra), (bob, _) = await login_recorded(emu, "alice", "bob")
        for client in (alice, bob):
            await client.subscribe("room")
            await client.subscribe("hall")
        ra.take()
        await bob.presence.set_state("hall", "MESSAGE", {"a": "1"})
        assert [remote(emu, "REMOTE_STATE_CHANGED", "bob", {"a": "1"}, channel="hall")] == got(ra)

    async def test_r_s5_quiet_users_state_changes_emit_nothing(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room", be_quiet=True)
        ra.take()
        rb.take()
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        await bob.presence.set_state("room", "MESSAGE", {"b": "2"})
        await bob.presence.remove_state("room", "MESSAGE", states=["a"])
        assert {"b": "2"} == emu.state_of("bob", "room", "MESSAGE")
        assert ([], []) == (got(ra), got(rb))
        # the quiet user still hears others (R-E4)
        await alice.presence.set_state("room", "MESSAGE", {"c": "3"})
        assert [remote(emu, "REMOTE_STATE_CHANGED", "alice", {"c": "3"})] == got(rb)

    async def test_r_s5_non_listening_users_receive_nothing(self, emu: Emulator) -> None:
        (alice, ra), (bob, _) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room", with_presence=False)
        await bob.subscribe("room")
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        assert [] == got(ra)

    async def test_r_s5_failed_calls_emit_nothing(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        ra.take()
        rb.take()
        await raises(INVALID_VALUE, bob.presence.set_state("room", "MESSAGE", {"a": None}))
        await raises(COUNT_OVERFLOW, bob.presence.set_state("room", "MESSAGE", keys(40)))
        await raises(
            INVALID_PARAMETER, bob.presence.removeState("room", "MESSAGE", {"states": "a"})
        )
        assert ([], []) == (got(ra), got(rb))
