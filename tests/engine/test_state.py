"""Presence state, revision 2: values, lifetime, merge/remove, checks, the state cache, events.

Rules R-S1 .. R-S5 of the project's semantics (and R-X1's check order for ``setState`` /
``removeState``), as the SDK runtime agora-rtm.js 2.3.0 behaves (class PresenceImpl,
methods setState / removeState / getState, and the per-client state cache).  Every
assertion is written ``expected == actual``; errors are compared as the SDK's whole error
object (``to_dict()``), events as the SDK's ``PresenceEvent`` JSON.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from rtm_emulator import Emulator, EmulatorConfig, RTMClient, RtmError

from ..conftest import Recorder, login, login_recorded
from ..expected import snapshot_at

# --------------------------------------------------------------------------- helpers

INVALID_USER_ID = -10006
INVALID_CHANNEL_NAME = -10008
INVALID_CHANNEL_TYPE = -10019
RATE_LIMITED = -10021
NOT_CONNECTED = -10025
INVALID_ARGUMENT = -13003
CACHE_FULL = -13004
COUNT_OVERFLOW = -13005
INVALID_KEY = -13006
KEY_TOO_LONG = -13008
VALUE_TOO_LONG = -13009
DUPLICATE_KEY = -13010
USER_NOT_EXIST = -13011

#: the SDK's reason text per code (observable behaviour of agora-rtm.js 2.3.0)
REASON = {
    INVALID_USER_ID: "Invalid user id. illegal symbol or too long.",
    INVALID_CHANNEL_NAME: "Invalid channel name. illegal symbol or too long.",
    INVALID_CHANNEL_TYPE: "Invalid channel type, some api not support set channel type as user.",
    RATE_LIMITED: "The operation rate exceeds limitation.",
    NOT_CONNECTED: "Perform operation failed due to RTM service is not connected.",
    INVALID_ARGUMENT: "Presence operation failed due to invalid argument.",
    CACHE_FULL: "Exceed presence cache limitation.",
    COUNT_OVERFLOW: "Exceed presence state count limitation.",
    INVALID_KEY: "Invalid presence state key.",
    KEY_TOO_LONG: "Presence state key length is too long.",
    VALUE_TOO_LONG: "Presence state value length is too long.",
    DUPLICATE_KEY: "Presence operation failed since including duplicate key.",
    USER_NOT_EXIST: "Presence operation failed due to inexistent user.",
}
EMPTY_STATE_REASON = REASON[INVALID_ARGUMENT] + "state of parameter is empty."
#: the SDK's error class per code
NAME = {
    INVALID_USER_ID: "RtmInvalidArgumentError",
    INVALID_CHANNEL_NAME: "RtmInvalidArgumentError",
    INVALID_CHANNEL_TYPE: "RtmInvalidArgumentError",
    RATE_LIMITED: "RtmUnavailableError",
    NOT_CONNECTED: "RtmInvalidStatusError",
    INVALID_ARGUMENT: "RtmInvalidArgumentError",
    CACHE_FULL: "RtmLimitExceededError",
    COUNT_OVERFLOW: "RtmLimitExceededError",
    INVALID_KEY: "RtmInvalidArgumentError",
    KEY_TOO_LONG: "RtmInvalidArgumentError",
    VALUE_TOO_LONG: "RtmLimitExceededError",
    DUPLICATE_KEY: "RtmInvalidArgumentError",
    USER_NOT_EXIST: "RtmUnavailableError",
}
SET = "presenceSetState"
REMOVE = "presenceRemoveState"
GET = "presenceGetState"
OTHER_APP = "0ther0app0000000000000000000000x"


async def fails(awaitable: Any, code: int, operation: str, reason: str | None = None) -> RtmError:
    """Await ``awaitable``; it must fail with the SDK's error ``code`` for ``operation``."""
    with pytest.raises(RtmError) as info:
        await awaitable
    err = info.value
    expected = {
        "error": True,
        "code": code,
        "errorCode": code,
        "operation": operation,
        "reason": REASON[code] if reason is None else reason,
        "name": NAME[code],
    }
    assert expected == err.to_dict()
    assert (code, code, operation) == (err.code, err.error_code, err.operation)
    return err


def keys(n: int, prefix: str = "k") -> dict[str, str]:
    """``n`` distinct keys with value ``"v"``."""
    return {f"{prefix}{i}": "v" for i in range(n)}


def ev(
    kind: str,
    publisher: str,
    state: dict[str, Any] | None = None,
    *,
    at: int,
    channel: str = "room",
    ctype: str = "MESSAGE",
) -> dict[str, Any]:
    """The SDK JSON of a ``REMOTE_*`` event."""
    return {
        "eventType": kind,
        "channelType": ctype,
        "channelName": channel,
        "publisher": publisher,
        "stateChanged": {} if state is None else state,
        "interval": None,
        "snapshot": [],
        "timestamp": at,
    }


def snap(
    users: dict[str, dict[str, Any]], *, at: int, channel: str = "room", ctype: str = "MESSAGE"
) -> dict[str, Any]:
    """The SDK JSON of a SNAPSHOT (users sorted by id: :func:`got` sorts what it receives)."""
    return snapshot_at(at, *sorted(users.items()), channel=channel, ctype=ctype)


def got(rec: Recorder) -> list[dict[str, Any]]:
    """The SDK JSON of every presence event so far (clearing the record).

    A SNAPSHOT's users are sorted by user id: the rules leave their order open.
    """
    out = []
    for event in rec.take():
        data = event.to_dict()
        if data["eventType"] == "SNAPSHOT":
            data["snapshot"] = sorted(data["snapshot"], key=lambda u: u["userId"])
        out.append(data)
    return out


def as_json(value: Any) -> str:
    """Canonical JSON text: tells ``False`` from ``0`` and ``1.0`` from ``1``."""
    return json.dumps(value, sort_keys=True)


async def own_state(client: RTMClient, channel: str = "room", ctype: str = "MESSAGE") -> Any:
    """The caller's own state as ``getState`` reports it (R-Q6: document, cache or ``{}``)."""
    return (await client.presence.get_state(client.user_id, channel, ctype)).to_dict()["states"]


async def fill_cache(client: RTMClient, n: int, prefix: str = "c", ctype: str = "MESSAGE") -> None:
    """``n`` successful setState calls on ``n`` channels the client is not in."""
    for i in range(n):
        await client.presence.set_state(f"{prefix}{i}", ctype, {"k": "v"})


async def pair(emu: Emulator, channel: str = "room") -> tuple[RTMClient, Recorder, Recorder]:
    """alice and a listening bob, both in MESSAGE ``channel``; records cleared."""
    (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
    await bob.subscribe(channel)
    await alice.subscribe(channel)
    ra.take()
    rb.take()
    return alice, ra, rb


# --------------------------------------------------------------------------- R-S1


class TestRS1ValuesAndLifetime:
    """R-S1: string keys to JSON values per (user, channel); dies with the user's presence."""

    async def test_r_s1_state_is_per_user_and_per_channel(self, emu: Emulator) -> None:
        alice, bob, carol = await login(emu, "alice", "bob", "carol")
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
        for ctype, expected in (("MESSAGE", "message-room"), ("STREAM", "stream-room")):
            r = await carol.presence.get_state("alice", "room", ctype)
            assert {
                "timestamp": 0,
                "userId": "alice",
                "states": {"k": expected},
                "statesCount": 1,
            } == (r.to_dict())

    @pytest.mark.parametrize(
        ("value", "reported"),
        [
            pytest.param(False, False, id="False"),
            pytest.param(True, True, id="True"),
            pytest.param(0, False, id="zero"),
            pytest.param(1, True, id="one"),
            pytest.param(-7, True, id="negative"),
            pytest.param(1.5, True, id="float"),
            pytest.param(None, False, id="None"),
            pytest.param("", False, id="empty-str"),
            pytest.param("text", True, id="str"),
            pytest.param([], True, id="empty-list"),
            pytest.param([1, "a", None], True, id="list"),
            pytest.param({}, True, id="empty-dict"),
            pytest.param({"x": 1}, True, id="dict"),
            pytest.param({"deep": {"list": [True, {"n": 0.25}]}}, True, id="nested"),
        ],
    )
    async def test_r_s1_values_are_json_and_not_type_checked(
        self, emu: Emulator, value: Any, reported: bool
    ) -> None:
        """Any JSON value is accepted and kept as given (same JSON type everywhere).  The
        others hear the write only when the value is truthy in JavaScript (R-S5:
        agora-rtm.js 2.3.0 reports a write of false, 0, "" or null not at all; oracle
        cases state.value.false.in-channel, state.value.null.in-channel,
        state.value.empty-string.in-channel)."""
        alice, _, rb = await pair(emu)
        (carol,) = await login(emu, "carol")
        response = await alice.presence.set_state("room", "MESSAGE", {"v": value})
        assert {"timestamp": 0} == response.to_dict()
        expected = as_json({"v": value})
        assert expected == as_json(await own_state(alice))
        assert expected == as_json(
            (await carol.presence.get_state("alice", "room", "MESSAGE")).to_dict()["states"]
        )
        events = got(rb)
        if reported:
            (event,) = events
            assert ("REMOTE_STATE_CHANGED", expected) == (
                event["eventType"],
                as_json(event["stateChanged"]),
            )
        else:
            assert [] == events
        listed = await carol.presence.get_online_users("room", "MESSAGE", include_state=True)
        by_user = {o["userId"]: o for o in listed.to_dict()["occupants"]}
        assert (expected, 1) == (
            as_json(by_user["alice"]["states"]),
            by_user["alice"]["statesCount"],
        )
        # bob's replica (the local route of R-Q2) holds the value too, heard or not
        mine = await rb.client.presence.who_now("room", "MESSAGE", include_state=True)
        shown = {o["userId"]: o["states"] for o in mine.to_dict()["occupants"]}
        assert expected == as_json(shown["alice"])

    async def test_r_s1_seed_sample_is_typing_false_is_stored_as_a_boolean(
        self, emu: Emulator
    ) -> None:
        """The seed's sample ``{"mood": "pumped", "isTyping": false}`` runs as written."""
        (alice,) = await login(emu, "alice")
        await alice.subscribe("chat_room")
        response = await alice.presence.setState(
            "chat_room", "MESSAGE", {"mood": "pumped", "isTyping": False}
        )
        assert {"timestamp": 0} == response.to_dict()
        r = await alice.presence.getState("alice", "chat_room", "MESSAGE")
        expected = {
            "timestamp": 0,
            "userId": "alice",
            "states": {"mood": "pumped", "isTyping": False},
            "statesCount": 2,
        }
        assert as_json(expected) == as_json(r.to_dict())

    @pytest.mark.parametrize("value", [b"bytes", {1, 2}, object()], ids=["bytes", "set", "object"])
    async def test_r_s1_value_json_cannot_carry_is_a_type_error(
        self, emu: Emulator, value: Any
    ) -> None:
        """R-X3 (api.md): a value JSON cannot carry is a ``TypeError``; nothing changes."""
        alice, ra, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"keep": "1"})
        rb.take()
        with pytest.raises(TypeError):
            await alice.presence.set_state("room", "MESSAGE", {"keep": "2", "bad": value})
        assert {"keep": "1"} == await own_state(alice)
        assert ([], []) == (got(ra), got(rb))

    async def test_r_s1_state_none_is_a_type_error(self, emu: Emulator) -> None:
        """R-X3: ``setState(ch, type, null)`` fails as the SDK's ``Object.keys(null)``."""
        alice, ra, rb = await pair(emu)
        for call in (
            alice.presence.set_state("room", "MESSAGE", None),  # type: ignore[arg-type]
            alice.presence.setState("room", "MESSAGE", None),  # type: ignore[arg-type]
        ):
            with pytest.raises(TypeError):
                await call
        assert {} == await own_state(alice)
        assert ([], []) == (got(ra), got(rb))

    @pytest.mark.parametrize(
        ("state", "stored"),
        [("abc", {"0": "a", "1": "b", "2": "c"}), (["x", 2], {"0": "x", "1": 2})],
        ids=["str", "list"],
    )
    async def test_r_s1_state_that_is_not_a_mapping_is_read_by_its_keys(
        self, emu: Emulator, state: Any, stored: dict[str, Any]
    ) -> None:
        """agora-rtm.js 2.3.0 reads ``Object.keys(state)``: ``"abc"`` is ``{"0": "a", ...}``."""
        alice, _, rb = await pair(emu)
        for method in ("set_state", "setState"):
            await getattr(alice.presence, method)("room", "MESSAGE", state)
            assert as_json(stored) == as_json(await own_state(alice))
        assert [stored, stored] == [e["stateChanged"] for e in got(rb)]

    @pytest.mark.parametrize("state", ["", []], ids=["empty-str", "empty-list"])
    async def test_r_s1_state_without_keys_is_empty(self, emu: Emulator, state: Any) -> None:
        """``Object.keys("")`` and ``Object.keys([])`` are empty: -13003 as for ``{}``."""
        alice, ra, rb = await pair(emu)
        for method in ("set_state", "setState"):
            await fails(
                getattr(alice.presence, method)("room", "MESSAGE", state),
                INVALID_ARGUMENT,
                SET,
                EMPTY_STATE_REASON,
            )
        assert ([], []) == (got(ra), got(rb))

    async def test_r_s1_state_is_a_copy_of_the_callers_mapping(self, emu: Emulator) -> None:
        alice, _, rb = await pair(emu)
        given = {"a": "1"}
        await alice.presence.set_state("room", "MESSAGE", given)
        given["a"] = "changed"
        given["b"] = "added"
        assert {"a": "1"} == emu.state_of("alice", "room", "MESSAGE")
        assert {"a": "1"} == await own_state(alice)
        assert [ev("REMOTE_STATE_CHANGED", "alice", {"a": "1"}, at=emu.now_ms)] == got(rb)

    async def test_r_s1_unsubscribe_state_dies_after_the_debounce(self, emu: Emulator) -> None:
        """The document keeps its fields for the debounce (R-E6), then goes; no comeback."""
        alice, ra, rb = await pair(emu)
        (carol,) = await login(emu, "carol")
        await alice.presence.set_state("room", "MESSAGE", {"mood": "happy"})
        rb.take()
        await alice.unsubscribe("room")
        left_at = emu.now_ms
        assert {} == await own_state(alice)  # the client's own copy and cache entry are gone
        emu.advance(2)
        assert [ev("REMOTE_LEAVE", "alice", at=left_at + 2000)] == got(rb)
        listed = await carol.presence.get_online_users("room", "MESSAGE", include_state=True)
        assert ["bob"] == [o.user_id for o in listed.occupants]
        r = await carol.presence.get_state("alice", "room", "MESSAGE")
        assert ({}, 0) == (r.to_dict()["states"], r.states_count)
        ra.take()
        await alice.subscribe("room")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [snap({"alice": {}, "bob": {}}, at=emu.now_ms)] == got(ra)
        assert [ev("REMOTE_JOIN", "alice", at=emu.now_ms)] == got(rb)

    async def test_r_s1_resubscribe_inside_the_debounce_announces_the_empty_state(
        self, emu: Emulator
    ) -> None:
        """R-S1 with R-E6: the document stays, its fields become the new (empty) state."""
        alice, _, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"mood": "happy"})
        rb.take()
        await alice.unsubscribe("room")
        emu.advance(1)
        await alice.subscribe("room")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert {} == await own_state(alice)
        assert [ev("REMOTE_STATE_CHANGED", "alice", {}, at=emu.now_ms)] == got(rb)
        emu.advance(5)
        assert [] == got(rb)

    async def test_r_s1_reentry_inside_the_debounce_takes_the_new_cached_state(
        self, emu: Emulator
    ) -> None:
        """R-E6 with R-S4: a state cached between leaving and re-entering becomes the fields."""
        alice, _, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        await alice.unsubscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"b": "2"})  # a new entry
        rb.take()
        emu.advance(1)
        await alice.subscribe("room")
        assert {"b": "2"} == emu.state_of("alice", "room", "MESSAGE")
        assert [ev("REMOTE_STATE_CHANGED", "alice", {"b": "2"}, at=emu.now_ms)] == got(rb)
        emu.advance(5)
        assert [] == got(rb)

    async def test_r_s1_stream_leave_state_dies(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.create_stream_channel("stage").join()
        stage = alice.create_stream_channel("stage")
        await stage.join()
        await alice.presence.set_state("stage", "STREAM", {"seat": "3"})
        await stage.leave()
        assert {} == await own_state(alice, "stage", "STREAM")
        emu.advance(2)
        assert {} == emu.state_of("alice", "stage", "STREAM")
        ra.take()
        rb.take()
        await stage.join()
        assert {} == emu.state_of("alice", "stage", "STREAM")
        now = emu.now_ms
        assert [snap({"alice": {}, "bob": {}}, at=now, channel="stage", ctype="STREAM")] == got(ra)
        assert [ev("REMOTE_JOIN", "alice", at=now, channel="stage", ctype="STREAM")] == got(rb)

    async def test_r_s1_logout_state_dies_in_every_channel(self, emu: Emulator) -> None:
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room")
        await alice.create_stream_channel("stage").join()
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        await alice.presence.set_state("stage", "STREAM", {"b": "2"})
        await alice.logout()
        emu.advance(2)
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert {} == emu.state_of("alice", "stage", "STREAM")
        await alice.login()
        assert {} == await own_state(alice)
        assert {} == await own_state(alice, "stage", "STREAM")
        rb.take()
        await alice.subscribe("room")
        await alice.create_stream_channel("stage").join()
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert {} == emu.state_of("alice", "stage", "STREAM")
        assert [ev("REMOTE_JOIN", "alice", at=emu.now_ms)] == got(rb)

    async def test_r_s1_timeout_state_dies(self, emu: Emulator) -> None:
        alice, _, rb = await pair(emu)
        (carol,) = await login(emu, "carol")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        rb.take()
        emu.disconnect("alice")
        emu.advance(320)  # past heartbeat + 10 s + presenceTimeout (R-T2)
        assert [("REMOTE_TIMEOUT", "alice")] == [(e["eventType"], e["publisher"]) for e in got(rb)]
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        listed = await carol.presence.get_online_users("room", "MESSAGE", include_state=True)
        assert ["bob"] == [o.user_id for o in listed.occupants]
        await alice.logout()
        await alice.login()
        await alice.subscribe("room")
        assert {} == emu.state_of("alice", "room", "MESSAGE")

    async def test_r_s1_kick_state_dies(self, emu: Emulator) -> None:
        """A same-uid login elsewhere: the old session leaves (R-E2/R-E6), its state dies."""
        alice, _, rb = await pair(emu)
        (carol,) = await login(emu, "carol")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        rb.take()
        alice2 = emu.client("alice")
        r2 = Recorder(alice2)
        await alice2.login()
        kicked_at = emu.now_ms
        emu.advance(2)
        assert [ev("REMOTE_LEAVE", "alice", at=kicked_at + 2000)] == got(rb)
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        listed = await carol.presence.get_online_users("room", "MESSAGE", include_state=True)
        assert ["bob"] == [o.user_id for o in listed.occupants]
        await alice2.subscribe("room")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [snap({"alice": {}, "bob": {}}, at=emu.now_ms)] == got(r2)
        assert [ev("REMOTE_JOIN", "alice", at=emu.now_ms)] == got(rb)


# --------------------------------------------------------------------------- R-S2


class TestRS2MergeAndRemove:
    """R-S2: setState merges; removeState removes the listed keys, or all of them."""

    async def test_r_s2_set_state_merges(self, emu: Emulator) -> None:
        alice, _, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2"})
        await alice.presence.set_state("room", "MESSAGE", {"b": "3", "c": "4"})
        assert {"a": "1", "b": "3", "c": "4"} == emu.state_of("alice", "room", "MESSAGE")
        assert {"a": "1", "b": "3", "c": "4"} == await own_state(alice)
        now = emu.now_ms
        assert [
            ev("REMOTE_STATE_CHANGED", "alice", {"a": "1", "b": "2"}, at=now),
            ev("REMOTE_STATE_CHANGED", "alice", {"a": "1", "b": "3", "c": "4"}, at=now),
        ] == got(rb)

    async def test_r_s2_sdk_spelling_merges(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        assert {"timestamp": 0} == (
            await alice.presence.setState("room", "MESSAGE", {"a": "1"})
        ).to_dict()
        await alice.presence.setState("room", "MESSAGE", {"b": "2"})
        assert {"a": "1", "b": "2"} == emu.state_of("alice", "room", "MESSAGE")

    async def test_r_s2_merge_keeps_json_types(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"n": 1, "t": True})
        await alice.presence.set_state("room", "MESSAGE", {"n": 1.5, "s": None})
        assert as_json({"n": 1.5, "t": True, "s": None}) == as_json(await own_state(alice))

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
        alice, _, rb = await pair(emu)
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
        assert {"timestamp": 0} == response.to_dict()
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert {} == await own_state(alice)
        assert [ev("REMOTE_STATE_CHANGED", "alice", {}, at=emu.now_ms)] == got(rb)

    async def test_r_s2_remove_listed_keys_python_form(self, emu: Emulator) -> None:
        alice, _, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2", "c": "3"})
        rb.take()
        await alice.presence.remove_state("room", "MESSAGE", states=["a", "c"])
        assert {"b": "2"} == emu.state_of("alice", "room", "MESSAGE")
        assert [ev("REMOTE_STATE_CHANGED", "alice", {"b": "2"}, at=emu.now_ms)] == got(rb)

    async def test_r_s2_remove_listed_keys_sdk_form(self, emu: Emulator) -> None:
        alice, _, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2", "c": "3"})
        rb.take()
        await alice.presence.removeState("room", "MESSAGE", {"states": ["b"]})
        assert {"a": "1", "c": "3"} == emu.state_of("alice", "room", "MESSAGE")
        assert [ev("REMOTE_STATE_CHANGED", "alice", {"a": "1", "c": "3"}, at=emu.now_ms)] == got(rb)

    async def test_r_s2_removing_an_absent_key_is_not_an_error(self, emu: Emulator) -> None:
        alice, _, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        rb.take()
        response = await alice.presence.remove_state("room", "MESSAGE", states=["zzz", "a"])
        assert {"timestamp": 0} == response.to_dict()
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [ev("REMOTE_STATE_CHANGED", "alice", {}, at=emu.now_ms)] == got(rb)
        await alice.presence.remove_state("room", "MESSAGE", states=["zzz"])
        await alice.presence.removeState("room", "MESSAGE", {"states": ["x", "y"]})
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [] == got(rb)  # R-S5: absent keys only change nothing and emit nothing

    async def test_r_s2_remove_all_of_an_empty_state_succeeds_silently(self, emu: Emulator) -> None:
        alice, ra, rb = await pair(emu)
        await alice.presence.remove_state("room", "MESSAGE")
        await alice.presence.removeState("room", "MESSAGE", {"states": []})
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert ([], []) == (got(ra), got(rb))

    async def test_r_s2_set_after_remove(self, emu: Emulator) -> None:
        alice, _, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2"})
        await alice.presence.remove_state("room", "MESSAGE", states=["a"])
        await alice.presence.set_state("room", "MESSAGE", {"a": "new"})
        assert {"a": "new", "b": "2"} == await own_state(alice)
        assert [{"a": "1", "b": "2"}, {"b": "2"}, {"a": "new", "b": "2"}] == [
            e["stateChanged"] for e in got(rb)
        ]

    @pytest.mark.parametrize("states", ["ab", 5], ids=["str", "int"])
    async def test_r_s2_states_not_a_list_is_a_type_error(self, emu: Emulator, states: Any) -> None:
        """R-X3: ``removeState({states: "ab"})`` fails as the SDK's ``forEach`` does."""
        alice, ra, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2"})
        ra.take()
        rb.take()
        with pytest.raises(TypeError):
            await alice.presence.removeState("room", "MESSAGE", {"states": states})
        with pytest.raises(TypeError):
            await alice.presence.remove_state("room", "MESSAGE", states=states)
        assert {"a": "1", "b": "2"} == await own_state(alice)
        assert ([], []) == (got(ra), got(rb))


# --------------------------------------------------------------------------- R-S3


class TestRS3Checks:
    """R-S3: counts (32), key 1..32 UTF-8 bytes in the id charset, string value <= 16384 bytes.

    First failure wins, in the SDK's order; a failed call changes nothing and emits nothing.
    """

    async def test_r_s3_thirty_two_keys_allowed(self, emu: Emulator) -> None:
        alice, _, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", keys(32))
        assert keys(32) == emu.state_of("alice", "room", "MESSAGE")
        await alice.presence.set_state("room", "MESSAGE", {"k0": "new", "k31": "new"})
        assert {**keys(32), "k0": "new", "k31": "new"} == await own_state(alice)
        assert 2 == len(got(rb))

    async def test_r_s3_thirty_three_keys_given(self, emu: Emulator) -> None:
        alice, ra, rb = await pair(emu)
        await fails(alice.presence.set_state("room", "MESSAGE", keys(33)), COUNT_OVERFLOW, SET)
        assert {} == await own_state(alice)
        assert ([], []) == (got(ra), got(rb))

    async def test_r_s3_count_is_checked_before_any_key(self, emu: Emulator) -> None:
        """33 keys including an invalid one: -13005, not -13006 (count before keys)."""
        alice, _, _ = await pair(emu)
        state = {"_bad": "v", **keys(31), "a.b": "x" * 20000}
        await fails(alice.presence.set_state("room", "MESSAGE", state), COUNT_OVERFLOW, SET)

    @pytest.mark.parametrize("entered", [True, False], ids=["in-channel", "cache-only"])
    async def test_r_s3_union_of_old_and_new_keys(self, emu: Emulator, entered: bool) -> None:
        """20 keys, +12 new (= 32) OK; +1 new (= 33) -13005; overwriting existing keys OK."""
        (alice,) = await login(emu, "alice")
        if entered:
            await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", keys(20, "a"))
        await fails(alice.presence.set_state("room", "MESSAGE", keys(13, "b")), COUNT_OVERFLOW, SET)
        assert keys(20, "a") == await own_state(alice)
        await alice.presence.set_state("room", "MESSAGE", keys(12, "b"))
        full = {**keys(20, "a"), **keys(12, "b")}
        assert full == await own_state(alice)
        await fails(alice.presence.set_state("room", "MESSAGE", {"new": "1"}), COUNT_OVERFLOW, SET)
        await alice.presence.set_state("room", "MESSAGE", {f"a{i}": "over" for i in range(5)})
        assert {**full, **{f"a{i}": "over" for i in range(5)}} == await own_state(alice)

    async def test_r_s3_room_freed_by_remove_state(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", keys(32))
        await fails(alice.presence.set_state("room", "MESSAGE", {"x": "1"}), COUNT_OVERFLOW, SET)
        await alice.presence.remove_state("room", "MESSAGE", states=["k0"])
        await alice.presence.set_state("room", "MESSAGE", {"x": "1"})
        assert 32 == len(await own_state(alice))

    async def test_r_s3_empty_state_is_invalid_argument(self, emu: Emulator) -> None:
        alice, ra, rb = await pair(emu)
        await fails(
            alice.presence.set_state("room", "MESSAGE", {}),
            INVALID_ARGUMENT,
            SET,
            EMPTY_STATE_REASON,
        )
        await fails(
            alice.presence.setState("room", "MESSAGE", {}),
            INVALID_ARGUMENT,
            SET,
            EMPTY_STATE_REASON,
        )
        await fails(
            alice.presence.set_state("nowhere", "STREAM", {}),
            INVALID_ARGUMENT,
            SET,
            EMPTY_STATE_REASON,
        )
        assert ([], []) == (got(ra), got(rb))

    @pytest.mark.parametrize(
        "key",
        [
            "a",
            "a" * 32,
            "a b",
            "null",
            "a_b",
            "a_",
            " ",
            "!#$%&()+,-:;<=>?@[]^_{|}~",
            "Z9",
            "~" * 32,
        ],
        ids=[
            "1-byte",
            "32-bytes",
            "space",
            "null",
            "underscore-inside",
            "underscore-last",
            "only-space",
            "every-symbol",
            "alnum",
            "32-tildes",
        ],
    )
    async def test_r_s3_valid_keys(self, emu: Emulator, key: str) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {key: "v"})
        assert {key: "v"} == await own_state(alice)
        await alice.presence.remove_state("room", "MESSAGE", states=[key])
        assert {} == await own_state(alice)

    @pytest.mark.parametrize(
        ("key", "code"),
        [
            ("a" * 33, KEY_TOO_LONG),
            ("a" * 64, KEY_TOO_LONG),
            ("a" * 65, KEY_TOO_LONG),
            ("_" + "a" * 32, KEY_TOO_LONG),  # size before charset
            ("é" * 17, KEY_TOO_LONG),  # 34 bytes: size before charset
            ("", INVALID_KEY),
            ("_a", INVALID_KEY),
            ("_", INVALID_KEY),
            ("a.b", INVALID_KEY),
            ("a*b", INVALID_KEY),
            ("a/b", INVALID_KEY),
            ("a`b", INVALID_KEY),
            ("a'b", INVALID_KEY),
            ('a"b', INVALID_KEY),
            ("a\\b", INVALID_KEY),
            ("a\tb", INVALID_KEY),
            ("é", INVALID_KEY),
            ("é" * 16, INVALID_KEY),  # 32 bytes: short enough, bad charset
        ],
        ids=[
            "33-bytes",
            "64-bytes",
            "65-bytes",
            "leading-underscore-33",
            "e-acute-34-bytes",
            "empty",
            "leading-underscore",
            "underscore",
            "dot",
            "star",
            "slash",
            "backtick",
            "quote",
            "double-quote",
            "backslash",
            "tab",
            "e-acute",
            "e-acute-32-bytes",
        ],
    )
    async def test_r_s3_invalid_keys(self, emu: Emulator, key: str, code: int) -> None:
        alice, ra, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"keep": "1"})
        rb.take()
        await fails(alice.presence.set_state("room", "MESSAGE", {"keep": "2", key: "v"}), code, SET)
        await fails(
            alice.presence.removeState("room", "MESSAGE", {"states": ["keep", key]}), code, REMOVE
        )
        assert {"keep": "1"} == await own_state(alice)
        assert ([], []) == (got(ra), got(rb))

    @pytest.mark.parametrize(
        "value",
        ["", "v" * 8193, "v" * 16384, "é" * 8192, "€" * 5461, "😀" * 4096],
        ids=["empty", "ascii-8193", "ascii-16384", "e-acute-16384", "euro-16383", "emoji-16384"],
    )
    async def test_r_s3_valid_string_values(self, emu: Emulator, value: str) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"k": value})
        assert {"k": value} == await own_state(alice)

    @pytest.mark.parametrize(
        "value",
        ["v" * 16385, "é" * 8192 + "a", "€" * 5462, "😀" * 4096 + "a", "v" * 20000],
        ids=["ascii-16385", "e-acute-16385", "euro-16386", "emoji-16385", "ascii-20000"],
    )
    async def test_r_s3_string_value_over_16384_bytes(self, emu: Emulator, value: str) -> None:
        alice, ra, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"keep": "1"})
        rb.take()
        await fails(
            alice.presence.set_state("room", "MESSAGE", {"keep": "2", "k": value}),
            VALUE_TOO_LONG,
            SET,
        )
        assert {"keep": "1"} == await own_state(alice)
        assert ([], []) == (got(ra), got(rb))

    @pytest.mark.parametrize(
        "value",
        [
            ["x" * 20000],
            {"text": "x" * 20000},
            list(range(5000)),
            {f"t{i}": "x" * 999 for i in range(50)},
        ],
        ids=["list-of-long-string", "dict-of-long-string", "long-list", "dict-of-many-strings"],
    )
    async def test_r_s3_only_string_values_are_measured(self, emu: Emulator, value: Any) -> None:
        """Other JSON values are never refused, whatever their size."""
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"k": value})
        assert as_json({"k": value}) == as_json(await own_state(alice))

    @pytest.mark.parametrize(
        ("state", "code"),
        [
            ({"_bad": "x" * 20000}, INVALID_KEY),  # the key before its value
            ({"a": "x" * 20000, "_bad": "v"}, VALUE_TOO_LONG),  # keys in order
            ({"ok": "v", "a" * 33: "x" * 20000, "_b": "v"}, KEY_TOO_LONG),
            ({"ok": "v", "a.b": "v", "c" * 40: "v"}, INVALID_KEY),
            ({"ok": 1, "fine": None, "long": "x" * 16385, "_late": "v"}, VALUE_TOO_LONG),
        ],
        ids=[
            "bad-key-long-value",
            "long-value-then-bad-key",
            "long-key-first",
            "bad-key-then-long-key",
            "typed-values-then-long-value",
        ],
    )
    async def test_r_s3_each_key_in_order_first_failure_wins(
        self, emu: Emulator, state: dict[str, Any], code: int
    ) -> None:
        alice, ra, rb = await pair(emu)
        await fails(alice.presence.set_state("room", "MESSAGE", state), code, SET)
        assert {} == await own_state(alice)
        assert ([], []) == (got(ra), got(rb))

    async def test_r_s3_failing_call_is_atomic(self, emu: Emulator) -> None:
        """Valid items before the bad one are not applied either."""
        alice, ra, rb = await pair(emu)
        (carol,) = await login(emu, "carol")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2"})
        rb.take()
        attempts = [
            ({"a": "changed", "c": "new", "d": "x" * 16385}, VALUE_TOO_LONG),
            ({"a": "changed", "e" * 33: "new"}, KEY_TOO_LONG),
            ({"a": "changed", "e.f": "new"}, INVALID_KEY),
            ({"a": "changed", **keys(31, "z")}, COUNT_OVERFLOW),
        ]
        for state, code in attempts:
            await fails(alice.presence.set_state("room", "MESSAGE", state), code, SET)
        assert {"a": "1", "b": "2"} == emu.state_of("alice", "room", "MESSAGE")
        r = await carol.presence.get_state("alice", "room", "MESSAGE")
        assert {"a": "1", "b": "2"} == r.to_dict()["states"]
        assert ([], []) == (got(ra), got(rb))

    async def test_r_s3_remove_state_duplicate_keys(self, emu: Emulator) -> None:
        alice, ra, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"a0": "1", "b": "2"})
        rb.take()
        p = alice.presence
        await fails(
            p.removeState("room", "MESSAGE", {"states": ["a0", "a0"]}), DUPLICATE_KEY, REMOVE
        )
        await fails(
            p.remove_state("room", "MESSAGE", states=["b", "a0", "b"]), DUPLICATE_KEY, REMOVE
        )
        # duplicates are checked before the count (33 x "z") and before the keys
        await fails(p.remove_state("room", "MESSAGE", states=["z"] * 33), DUPLICATE_KEY, REMOVE)
        await fails(p.remove_state("room", "MESSAGE", states=["_x", "_x"]), DUPLICATE_KEY, REMOVE)
        assert {"a0": "1", "b": "2"} == await own_state(alice)
        assert ([], []) == (got(ra), got(rb))

    async def test_r_s3_remove_state_key_count(self, emu: Emulator) -> None:
        alice, _, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", keys(32))
        rb.take()
        p = alice.presence
        await fails(
            p.remove_state("room", "MESSAGE", states=list(keys(33))), COUNT_OVERFLOW, REMOVE
        )
        # the count before the keys
        await fails(
            p.remove_state("room", "MESSAGE", states=[*keys(32), "_bad"]), COUNT_OVERFLOW, REMOVE
        )
        assert keys(32) == await own_state(alice)
        assert [] == got(rb)
        await p.remove_state("room", "MESSAGE", states=list(keys(32)))
        assert {} == await own_state(alice)
        assert [ev("REMOTE_STATE_CHANGED", "alice", {}, at=emu.now_ms)] == got(rb)

    @pytest.mark.parametrize(
        ("key", "code"),
        [(1, INVALID_KEY), (None, INVALID_KEY), ("", INVALID_KEY), ("é" * 17, KEY_TOO_LONG)],
        ids=["int", "None", "empty", "e-acute-34-bytes"],
    )
    async def test_r_s3_remove_state_key_values(self, emu: Emulator, key: Any, code: int) -> None:
        alice, _, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        rb.take()
        await fails(alice.presence.remove_state("room", "MESSAGE", states=["a", key]), code, REMOVE)
        assert {"a": "1"} == await own_state(alice)
        assert [] == got(rb)


class TestRX1StateCallCheckOrder:
    """R-X1 for setState / removeState: rate limit, type, link, channel name, then R-S3.

    The per-method order of the SDK (agora-rtm.js 2.3.0, PresenceImpl.setState /
    removeState): rate ``modifyState`` -> channel type -> link (not IDLE) -> channel name
    -> state checks.
    """

    async def test_r_x1_before_login_every_state_call_is_not_connected(self, emu: Emulator) -> None:
        alice = emu.client("alice")
        p = alice.presence
        await fails(p.set_state("room", "MESSAGE", {"k": "v"}), NOT_CONNECTED, SET)
        await fails(p.setState("room", "MESSAGE", {"_bad": 1}), NOT_CONNECTED, SET)
        await fails(p.set_state("a.b", "MESSAGE", {}), NOT_CONNECTED, SET)
        await fails(p.remove_state("room", "MESSAGE"), NOT_CONNECTED, REMOVE)
        await fails(p.removeState("room", "MESSAGE", {"states": ["a", "a"]}), NOT_CONNECTED, REMOVE)
        await fails(p.get_state("alice", "room", "MESSAGE"), NOT_CONNECTED, GET)

    async def test_r_x1_after_logout_every_state_call_is_not_connected(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.logout()
        p = alice.presence
        await fails(p.set_state("room", "MESSAGE", {"k": "v"}), NOT_CONNECTED, SET)
        await fails(p.remove_state("room", "MESSAGE", states=["k"]), NOT_CONNECTED, REMOVE)
        await fails(p.getState("alice", "room", "MESSAGE"), NOT_CONNECTED, GET)

    @pytest.mark.parametrize("logged_in", [False, True], ids=["idle", "connected"])
    @pytest.mark.parametrize("ctype", ["USER", "message", "", None, 1], ids=repr)
    async def test_r_x1_channel_type_is_checked_before_the_link(
        self, emu: Emulator, logged_in: bool, ctype: Any
    ) -> None:
        alice = emu.client("alice")
        if logged_in:
            await alice.login()
        p = alice.presence
        await fails(p.set_state("a.b", ctype, {}), INVALID_CHANNEL_TYPE, SET)
        await fails(p.setState("room", ctype, {"_bad": 1}), INVALID_CHANNEL_TYPE, SET)
        await fails(p.remove_state("", ctype, states=["a", "a"]), INVALID_CHANNEL_TYPE, REMOVE)
        await fails(p.removeState("room", ctype), INVALID_CHANNEL_TYPE, REMOVE)

    @pytest.mark.parametrize(
        "name", ["", "a.b", "_room", "a" * 65, "é", "a`b", "*s*x", 5, None], ids=repr
    )
    async def test_r_x1_channel_name_is_checked_before_the_state(
        self, emu: Emulator, name: Any
    ) -> None:
        (alice,) = await login(emu, "alice")
        p = alice.presence
        await fails(p.set_state(name, "MESSAGE", {}), INVALID_CHANNEL_NAME, SET)
        await fails(p.setState(name, "STREAM", keys(33)), INVALID_CHANNEL_NAME, SET)
        await fails(
            p.remove_state(name, "MESSAGE", states=["a", "a"]), INVALID_CHANNEL_NAME, REMOVE
        )
        await fails(p.removeState(name, "STREAM"), INVALID_CHANNEL_NAME, REMOVE)

    @pytest.mark.parametrize("name", ["null", "a" * 64, "a_", " ", "!#$%&()+,-:;<=>?@[]^_{|}~"])
    async def test_r_x1_valid_channel_names(self, emu: Emulator, name: str) -> None:
        """R-C1: ``"null"``, 64 characters, a trailing ``_`` and a space are valid names."""
        (alice,) = await login(emu, "alice")
        await alice.presence.set_state(name, "MESSAGE", {"k": "v"})
        assert {"k": "v"} == await own_state(alice, name)
        await alice.presence.remove_state(name, "MESSAGE")
        assert {} == await own_state(alice, name)

    async def test_r_x1_state_none_after_the_channel_name(self, emu: Emulator) -> None:
        """The ``TypeError`` of a ``null`` state comes after the link and name checks."""
        alice = emu.client("alice")
        await fails(alice.presence.set_state("room", "MESSAGE", None), NOT_CONNECTED, SET)  # type: ignore[arg-type]
        await alice.login()
        await fails(alice.presence.set_state("a.b", "MESSAGE", None), INVALID_CHANNEL_NAME, SET)  # type: ignore[arg-type]

    async def test_r_x1_state_checks_run_while_the_link_is_down(self, emu: Emulator) -> None:
        """setState / removeState only need a link that is not IDLE (R-T3)."""
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        emu.disconnect("alice")
        p = alice.presence
        await fails(p.set_state("room", "MESSAGE", {}), INVALID_ARGUMENT, SET, EMPTY_STATE_REASON)
        await fails(p.set_state("a.b", "MESSAGE", {"k": "v"}), INVALID_CHANNEL_NAME, SET)
        await fails(p.set_state("room", "MESSAGE", {"_k": "v"}), INVALID_KEY, SET)
        await fails(p.remove_state("room", "MESSAGE", states=["a", "a"]), DUPLICATE_KEY, REMOVE)
        await p.set_state("room", "MESSAGE", {"k": "v"})
        assert {"k": "v"} == await own_state(alice)

    async def test_r_x1_cache_full_comes_after_the_counts_and_before_the_keys(
        self, emu: Emulator
    ) -> None:
        (alice,) = await login(emu, "alice")
        await fill_cache(alice, 101)
        p = alice.presence
        await fails(p.set_state("c0", "MESSAGE", {}), INVALID_ARGUMENT, SET, EMPTY_STATE_REASON)
        await fails(p.set_state("new", "MESSAGE", keys(33)), COUNT_OVERFLOW, SET)
        await fails(p.set_state("c0", "MESSAGE", keys(32, "x")), COUNT_OVERFLOW, SET)  # union
        await fails(p.set_state("new", "MESSAGE", {"_bad": "x" * 20000}), CACHE_FULL, SET)
        await fails(p.set_state("c0", "MESSAGE", {"a" * 33: "v"}), CACHE_FULL, SET)

    async def test_r_x1_rate_limit_comes_first_and_is_shared_as_modify_state(self) -> None:
        """R-C6: setState and removeState share the ``modifyState`` bucket of 20 a second."""
        emu = Emulator(EmulatorConfig(rate_limits=True), strict=True)
        (alice,) = await login(emu, "alice")
        for _ in range(11):
            await alice.presence.set_state("room", "MESSAGE", {"k": "v"})
        for _ in range(9):
            await alice.presence.remove_state("room", "MESSAGE", states=["k"])
        p = alice.presence
        await fails(p.remove_state("room", "MESSAGE"), RATE_LIMITED, "modifyState")
        await fails(p.set_state("room", "MESSAGE", {"k": "v"}), RATE_LIMITED, "modifyState")
        # first: before the channel type and the arguments
        await fails(p.setState("a.b", "USER", {}), RATE_LIMITED, "modifyState")
        await fails(p.removeState("", "USER", {"states": ["a", "a"]}), RATE_LIMITED, "modifyState")
        # the other keys have their own buckets
        assert {} == await own_state(alice)
        emu.advance(1.5)
        await p.set_state("room", "MESSAGE", {"k": "again"})
        assert {"k": "again"} == await own_state(alice)
        emu.check_invariants()


# --------------------------------------------------------------------------- R-S4


class TestRS4StateCache:
    """R-S4: one cache entry per channel, written by every successful setState/removeState.

    setState is refused (-13004) while the cache holds more than 100 entries; removeState
    never is.  Entering a channel applies its entry and keeps it; leaving a channel the
    user was in deletes it; logout clears the cache.
    """

    async def test_r_s4_set_state_off_channel_caches_silently(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        rb.take()
        response = await alice.presence.set_state("room", "MESSAGE", {"seat": "3"})
        assert {"timestamp": 0} == response.to_dict()
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [] == emu.user_channels("alice")
        assert ["bob"] == emu.online_users("room", "MESSAGE")
        assert {"seat": "3"} == await own_state(alice)  # R-Q6: the cache answers
        # bob listens in the channel: his replica has no document of alice (R-Q6)
        await fails(bob.presence.get_state("alice", "room", "MESSAGE"), USER_NOT_EXIST, GET)
        assert ([], []) == (got(ra), got(rb))

    async def test_r_s4_entry_applied_on_subscribe(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await bob.presence.set_state("room", "MESSAGE", {"b": "x"})
        rb.take()
        await alice.presence.set_state("room", "MESSAGE", {"seat": "3"})
        await alice.presence.set_state("room", "MESSAGE", {"mood": "ok"})
        emu.advance(1)
        await alice.subscribe("room")
        full = {"seat": "3", "mood": "ok"}
        now = emu.now_ms
        assert full == emu.state_of("alice", "room", "MESSAGE")
        assert [snap({"alice": full, "bob": {"b": "x"}}, at=now)] == got(ra)
        assert [
            ev("REMOTE_JOIN", "alice", at=now),
            ev("REMOTE_STATE_CHANGED", "alice", full, at=now),
        ] == got(rb)

    async def test_r_s4_entry_applied_on_stream_join(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.create_stream_channel("stage").join()
        rb.take()
        await alice.presence.set_state("stage", "STREAM", {"seat": "3"})
        await alice.create_stream_channel("stage").join()
        now = emu.now_ms
        assert {"seat": "3"} == emu.state_of("alice", "stage", "STREAM")
        assert [
            snap({"alice": {"seat": "3"}, "bob": {}}, at=now, channel="stage", ctype="STREAM")
        ] == got(ra)
        assert [
            ev("REMOTE_JOIN", "alice", at=now, channel="stage", ctype="STREAM"),
            ev(
                "REMOTE_STATE_CHANGED",
                "alice",
                {"seat": "3"},
                at=now,
                channel="stage",
                ctype="STREAM",
            ),
        ] == got(rb)

    async def test_r_s4_entry_applied_when_entering_quietly(self, emu: Emulator) -> None:
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        rb.take()
        await alice.presence.set_state("room", "MESSAGE", {"seat": "3"})
        await alice.subscribe("room", be_quiet=True)
        assert {"seat": "3"} == await own_state(alice)
        assert [] == got(rb)  # R-E4
        await alice.subscribe("room", be_quiet=False)
        now = emu.now_ms
        assert [
            ev("REMOTE_JOIN", "alice", at=now),
            ev("REMOTE_STATE_CHANGED", "alice", {"seat": "3"}, at=now),
        ] == got(rb)

    async def test_r_s4_entries_are_per_channel_type(self, emu: Emulator) -> None:
        """The STREAM channel "room" is another entry than the MESSAGE channel "room"."""
        (alice,) = await login(emu, "alice")
        await alice.presence.set_state("room", "STREAM", {"s": "1"})
        assert {} == await own_state(alice, "room", "MESSAGE")
        assert {"s": "1"} == await own_state(alice, "room", "STREAM")
        await alice.subscribe("room")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        await alice.create_stream_channel("room").join()
        assert {"s": "1"} == emu.state_of("alice", "room", "STREAM")

    async def test_r_s4_one_hundred_and_one_entries_then_set_state_is_refused(
        self, emu: Emulator
    ) -> None:
        (alice, ra) = (await login_recorded(emu, "alice"))[0]
        await fill_cache(alice, 101)  # 101 entries: "more than 100" is checked before a write
        p = alice.presence
        await fails(p.set_state("c101", "MESSAGE", {"k": "v"}), CACHE_FULL, SET)
        await fails(p.set_state("c0", "MESSAGE", {"k": "again"}), CACHE_FULL, SET)  # existing
        await fails(p.set_state("c5", "STREAM", {"k": "v"}), CACHE_FULL, SET)  # shared map
        assert {"k": "v"} == await own_state(alice, "c0")
        assert {} == await own_state(alice, "c101")
        assert [] == got(ra)

    async def test_r_s4_remove_state_is_never_refused(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await fill_cache(alice, 101)
        await alice.presence.remove_state("c0", "MESSAGE", states=["k"])  # existing entry
        await alice.presence.remove_state("zz", "MESSAGE")  # a new (empty) entry: 102
        await alice.presence.removeState("zz", "STREAM", {"states": ["x"]})  # 103
        assert {} == await own_state(alice, "c0")
        await fails(alice.presence.set_state("c0", "MESSAGE", {"k": "v"}), CACHE_FULL, SET)

    async def test_r_s4_one_hundred_entries_still_accept_a_new_channel(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await fill_cache(alice, 100)
        await alice.presence.set_state("c100", "STREAM", {"k": "v"})  # the 101st
        assert {"k": "v"} == await own_state(alice, "c100", "STREAM")
        await fails(alice.presence.set_state("c101", "MESSAGE", {"k": "v"}), CACHE_FULL, SET)

    async def test_r_s4_keys_do_not_count(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        for i in range(120):
            await alice.presence.set_state("one", "MESSAGE", {f"k{i % 32}": str(i)})
        await fill_cache(alice, 100)  # 101 entries with "one"
        assert 32 == len(await own_state(alice, "one"))

    async def test_r_s4_entry_kept_on_entry(self, emu: Emulator) -> None:
        """Entering c0 does not consume its entry: it still counts."""
        (alice,) = await login(emu, "alice")
        await fill_cache(alice, 100)
        await alice.subscribe("c0")
        assert {"k": "v"} == emu.state_of("alice", "c0", "MESSAGE")
        await alice.presence.set_state("c100", "MESSAGE", {"k": "v"})  # 101 entries
        await fails(alice.presence.set_state("c101", "MESSAGE", {"k": "v"}), CACHE_FULL, SET)
        # also refused for the channel the user is in, and nothing reaches anyone
        await fails(alice.presence.set_state("c0", "MESSAGE", {"k": "w"}), CACHE_FULL, SET)
        assert {"k": "v"} == emu.state_of("alice", "c0", "MESSAGE")

    async def test_r_s4_in_channel_set_state_writes_an_entry(self, emu: Emulator) -> None:
        alice, ra, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        rb.take()
        await fill_cache(alice, 100)  # 101 entries with "room"
        await fails(alice.presence.set_state("room", "MESSAGE", {"a": "2"}), CACHE_FULL, SET)
        assert {"a": "1"} == emu.state_of("alice", "room", "MESSAGE")
        assert ([], []) == (got(ra), got(rb))
        # removeState still works in the channel, and is announced (R-S5)
        await alice.presence.remove_state("room", "MESSAGE", states=["a"])
        assert [ev("REMOTE_STATE_CHANGED", "alice", {}, at=emu.now_ms)] == got(rb)

    async def test_r_s4_in_channel_remove_state_writes_an_entry(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.subscribe("room")
        await alice.presence.remove_state("room", "MESSAGE", states=["nothing"])
        await fill_cache(alice, 100)  # 101 entries with "room"
        await fails(alice.presence.set_state("more", "MESSAGE", {"k": "v"}), CACHE_FULL, SET)

    @pytest.mark.parametrize("ctype", ["MESSAGE", "STREAM"])
    async def test_r_s4_leaving_deletes_the_entry(self, emu: Emulator, ctype: str) -> None:
        (alice,) = await login(emu, "alice")
        await fill_cache(alice, 100, prefix="x")
        await alice.presence.set_state("room", ctype, {"k": "v"})  # 101
        stage = alice.create_stream_channel("room")
        if ctype == "MESSAGE":
            await alice.subscribe("room")
            await alice.unsubscribe("room")
        else:
            await stage.join()
            await stage.leave()
        assert {} == await own_state(alice, "room", ctype)
        await alice.presence.set_state("new", "MESSAGE", {"k": "v"})  # 101 again
        await fails(alice.presence.set_state("newer", "MESSAGE", {"k": "v"}), CACHE_FULL, SET)
        emu.advance(2)
        if ctype == "MESSAGE":
            await alice.subscribe("room")
        else:
            await stage.join()
        assert {} == emu.state_of("alice", "room", ctype)

    async def test_r_s4_unsubscribe_of_a_channel_never_entered_keeps_its_entry(
        self, emu: Emulator
    ) -> None:
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        rb.take()
        await alice.presence.set_state("room", "MESSAGE", {"k": "v"})
        response = await alice.unsubscribe("room")
        assert {"timestamp": 0, "channelName": "room"} == response.to_dict()
        assert {"k": "v"} == await own_state(alice)
        await alice.subscribe("room")
        now = emu.now_ms
        assert [
            ev("REMOTE_JOIN", "alice", at=now),
            ev("REMOTE_STATE_CHANGED", "alice", {"k": "v"}, at=now),
        ] == got(rb)

    async def test_r_s4_logout_clears_the_cache(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await fill_cache(alice, 100)
        await alice.presence.set_state("room", "MESSAGE", {"k": "v"})  # 101
        await alice.logout()
        await alice.login()
        assert {} == await own_state(alice)
        rb.take()
        ra.take()
        await alice.subscribe("room")
        now = emu.now_ms
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [snap({"alice": {}, "bob": {}}, at=now)] == got(ra)
        assert [ev("REMOTE_JOIN", "alice", at=now)] == got(rb)
        await fill_cache(alice, 101, prefix="d")  # the budget is whole again
        await alice.subscribe("c0")
        assert {} == emu.state_of("alice", "c0", "MESSAGE")

    async def test_r_s4_remove_state_edits_the_cache_silently(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        rb.take()
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2", "c": "3"})
        response = await alice.presence.remove_state("room", "MESSAGE", states=["a", "absent"])
        assert {"timestamp": 0} == response.to_dict()
        await alice.presence.removeState("room", "MESSAGE", {"states": ["c"]})
        assert {"b": "2"} == await own_state(alice)
        assert ([], []) == (got(ra), got(rb))
        await alice.subscribe("room")
        assert {"b": "2"} == emu.state_of("alice", "room", "MESSAGE")
        now = emu.now_ms
        assert [
            ev("REMOTE_JOIN", "alice", at=now),
            ev("REMOTE_STATE_CHANGED", "alice", {"b": "2"}, at=now),
        ] == got(rb)

    async def test_r_s4_remove_all_from_the_cache(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        rb.take()
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        await alice.presence.remove_state("room", "MESSAGE")
        await alice.presence.remove_state("never", "STREAM", states=["x"])
        assert ([], []) == (got(ra), got(rb))
        await alice.subscribe("room")
        assert {} == emu.state_of("alice", "room", "MESSAGE")
        assert [ev("REMOTE_JOIN", "alice", at=emu.now_ms)] == got(rb)

    async def test_r_s4_remove_state_adds_an_empty_entry(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await fill_cache(alice, 100)
        await alice.presence.remove_state("zz", "STREAM", states=["x"])  # entry 101
        assert {} == await own_state(alice, "zz", "STREAM")
        await fails(alice.presence.set_state("c0", "MESSAGE", {"k": "w"}), CACHE_FULL, SET)

    async def test_r_s4_a_failed_set_state_adds_no_entry(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await fill_cache(alice, 100)
        await fails(alice.presence.set_state("x", "MESSAGE", {"_k": "v"}), INVALID_KEY, SET)
        await fails(
            alice.presence.set_state("x", "MESSAGE", {}), INVALID_ARGUMENT, SET, EMPTY_STATE_REASON
        )
        await fails(
            alice.presence.remove_state("x", "MESSAGE", states=["a", "a"]), DUPLICATE_KEY, REMOVE
        )
        await alice.presence.set_state("y", "MESSAGE", {"k": "v"})  # the 101st
        await fails(alice.presence.set_state("z", "MESSAGE", {"k": "v"}), CACHE_FULL, SET)

    async def test_r_s4_the_cache_mirrors_in_channel_changes(self, emu: Emulator) -> None:
        """In-channel setState/removeState also write the entry: a quiet user reads it."""
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"k": "v", "gone": "1"})
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"k2": "v2"})
        await alice.presence.remove_state("room", "MESSAGE", states=["gone"])
        rb.take()
        await alice.subscribe("room", be_quiet=True)  # looks like a leave (R-L1)
        assert {"k": "v", "k2": "v2"} == await own_state(alice)
        emu.advance(3)
        assert [("REMOTE_LEAVE", "alice")] == [(e["eventType"], e["publisher"]) for e in got(rb)]
        await alice.subscribe("room", be_quiet=False)
        now = emu.now_ms
        assert [
            ev("REMOTE_JOIN", "alice", at=now),
            ev("REMOTE_STATE_CHANGED", "alice", {"k": "v", "k2": "v2"}, at=now),
        ] == got(rb)

    async def test_r_s4_quiet_user_state_is_kept_locally(self, emu: Emulator) -> None:
        """R-E4 with R-S4: a quiet user's setState has no document to write; only its copy."""
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        await alice.subscribe("room", be_quiet=True)
        rb.take()
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        assert {"a": "1"} == await own_state(alice)
        await fails(bob.presence.get_state("alice", "room", "MESSAGE"), USER_NOT_EXIST, GET)
        assert [] == got(rb)


# --------------------------------------------------------------------------- R-S5


class TestRS5StateChangeEvents:
    """R-S5: one REMOTE_STATE_CHANGED per successful call on a channel, with the full state."""

    async def test_r_s5_one_event_per_call_with_the_full_state(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb), (carol, rc) = await login_recorded(emu, "alice", "bob", "carol")
        for client in (alice, bob, carol):
            await client.subscribe("room")
        for rec in (ra, rb, rc):
            rec.take()
        emu.advance(1)
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        first = ev("REMOTE_STATE_CHANGED", "bob", {"a": "1"}, at=emu.now_ms)
        emu.advance(1)
        await bob.presence.set_state("room", "MESSAGE", {"b": "2"})
        second = ev("REMOTE_STATE_CHANGED", "bob", {"a": "1", "b": "2"}, at=emu.now_ms)
        emu.advance(1)
        await bob.presence.remove_state("room", "MESSAGE", states=["a"])
        third = ev("REMOTE_STATE_CHANGED", "bob", {"b": "2"}, at=emu.now_ms)
        assert [first, second, third] == got(ra)
        assert [first, second, third] == got(rc)
        assert [] == got(rb)  # never about itself

    async def test_r_s5_recipients_in_user_id_order(self, emu: Emulator) -> None:
        """R-E7: recipients of one operation in user-id order, consecutive ``seq``."""
        (dave, rd), (alice, ra), (carol, rc) = await login_recorded(emu, "dave", "alice", "carol")
        for client in (dave, alice, carol):
            await client.subscribe("room")
        for rec in (rd, ra, rc):
            rec.take()
        await carol.presence.set_state("room", "MESSAGE", {"x": "1"})
        (to_alice,) = ra.take()
        (to_dave,) = rd.take()
        assert to_alice.seq + 1 == to_dave.seq
        assert [] == rc.take()

    async def test_r_s5_event_fields_on_a_stream_channel(self, emu: Emulator) -> None:
        (alice, ra), (bob, _) = await login_recorded(emu, "alice", "bob")
        await alice.create_stream_channel("stage").join()
        await bob.create_stream_channel("stage").join()
        ra.take()
        emu.advance(0.25)
        await bob.presence.setState("stage", "STREAM", {"seat": "3", "n": 2})
        (event,) = ra.take()
        assert {
            "eventType": "REMOTE_STATE_CHANGED",
            "channelType": "STREAM",
            "channelName": "stage",
            "publisher": "bob",
            "stateChanged": {"seat": "3", "n": 2},
            "interval": None,
            "snapshot": [],
            "timestamp": emu.now_ms,
        } == event.to_dict()
        assert ("bob", "stage", emu.now_ms) == (
            event.publisher,
            event.channel_name,
            event.timestamp,
        )

    async def test_r_s5_same_value_again_is_still_one_event(self, emu: Emulator) -> None:
        alice, _, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        rb.take()
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        assert [ev("REMOTE_STATE_CHANGED", "alice", {"a": "1"}, at=emu.now_ms)] == got(rb)

    async def test_r_s5_only_the_channel_concerned(self, emu: Emulator) -> None:
        (alice, ra), (bob, _) = await login_recorded(emu, "alice", "bob")
        for client in (alice, bob):
            await client.subscribe("room")
            await client.subscribe("hall")
            await client.create_stream_channel("room").join()
        ra.take()
        await bob.presence.set_state("hall", "MESSAGE", {"a": "1"})
        await bob.presence.set_state("room", "STREAM", {"b": "2"})
        now = emu.now_ms
        assert [
            ev("REMOTE_STATE_CHANGED", "bob", {"a": "1"}, at=now, channel="hall"),
            ev("REMOTE_STATE_CHANGED", "bob", {"b": "2"}, at=now, ctype="STREAM"),
        ] == got(ra)

    async def test_r_s5_remove_state_of_present_and_absent_keys(self, emu: Emulator) -> None:
        alice, _, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2"})
        rb.take()
        await alice.presence.remove_state("room", "MESSAGE", states=["nope"])
        assert [] == got(rb)
        await alice.presence.remove_state("room", "MESSAGE", states=["nope", "b"])
        assert [ev("REMOTE_STATE_CHANGED", "alice", {"a": "1"}, at=emu.now_ms)] == got(rb)
        await alice.presence.remove_state("room", "MESSAGE")
        assert [ev("REMOTE_STATE_CHANGED", "alice", {}, at=emu.now_ms)] == got(rb)
        await alice.presence.remove_state("room", "MESSAGE")
        assert [] == got(rb)

    @pytest.mark.parametrize(
        "state",
        [
            pytest.param({"k": False}, id="false"),
            pytest.param({"k": 0}, id="zero"),
            pytest.param({"k": 0.0}, id="zero-float"),
            pytest.param({"k": ""}, id="empty-string"),
            pytest.param({"k": None}, id="null"),
            pytest.param({"k": False, "n": None, "z": 0, "e": ""}, id="all-four"),
        ],
    )
    async def test_r_s5_a_write_of_falsy_values_only_is_not_reported(
        self, emu: Emulator, state: dict[str, Any]
    ) -> None:
        """The SDK reports a write only when it puts at least one truthy value (JavaScript
        truthiness) or removes keys; the document holds the values all the same.
        agora-rtm.js 2.3.0, ChannelPresence's document handler; oracle cases
        state.value.false.in-channel, state.value.null.in-channel,
        state.value.empty-string.in-channel."""
        alice, ra, rb = await pair(emu)
        bob = rb.client
        (carol,) = await login(emu, "carol")
        rc = Recorder(carol)
        await alice.presence.set_state("room", "MESSAGE", state)
        assert ([], []) == (got(ra), got(rb))
        written = as_json(state)
        assert written == as_json(emu.state_of("alice", "room", "MESSAGE"))
        assert written == as_json(await own_state(alice))
        for client in (bob, carol):  # the local route (bob) and the server route (carol)
            theirs = await client.presence.get_state("alice", "room", "MESSAGE")
            assert written == as_json(theirs.to_dict()["states"])
        who = await bob.presence.who_now("room", "MESSAGE", include_state=True)
        shown = {o["userId"]: o["states"] for o in who.to_dict()["occupants"]}
        assert written == as_json(shown["alice"])
        await carol.subscribe("room")  # a newcomer's SNAPSHOT shows it too
        assert [snap({"alice": state, "bob": {}, "carol": {}}, at=emu.now_ms)] == got(rc)
        assert [ev("REMOTE_JOIN", "carol", at=emu.now_ms)] == got(rb)

    @pytest.mark.parametrize(
        "value",
        [
            pytest.param("0", id="string-0"),
            pytest.param("false", id="string-false"),
            pytest.param(" ", id="space"),
            pytest.param([], id="empty-list"),
            pytest.param({}, id="empty-dict"),
            pytest.param(-1, id="minus-one"),
            pytest.param(True, id="true"),
        ],
    )
    async def test_r_s5_values_truthy_in_javascript_are_reported(
        self, emu: Emulator, value: Any
    ) -> None:
        alice, _, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"k": value})
        (event,) = got(rb)
        assert ("REMOTE_STATE_CHANGED", "alice", as_json({"k": value})) == (
            event["eventType"],
            event["publisher"],
            as_json(event["stateChanged"]),
        )

    async def test_r_s5_a_write_is_heard_when_its_last_value_is_truthy(self, emu: Emulator) -> None:
        """The SDK's replica handles a write field by field and reports it after the
        last one only if that value is truthy; the event shows the fields it holds with
        truthy values.  Runs of the real SDK (agora-rtm.js 2.3.0, ChannelPresence's
        document handler): ``{a: "x", b: 0}`` is silent, ``{c: 0, d: "y"}`` then reports
        ``{a: "x", d: "y"}``; a falsy overwrite of a truthy value is silent."""
        alice, _, rb = await pair(emu)
        p = alice.presence
        await p.set_state("room", "MESSAGE", {"a": "x", "b": 0})
        assert [] == got(rb)
        await p.set_state("room", "MESSAGE", {"c": 0, "d": "y"})
        heard = ev("REMOTE_STATE_CHANGED", "alice", {"a": "x", "d": "y"}, at=emu.now_ms)
        assert [as_json(heard)] == [as_json(e) for e in got(rb)]
        document = {"a": "x", "b": 0, "c": 0, "d": "y"}
        assert as_json(document) == as_json(emu.state_of("alice", "room", "MESSAGE"))
        theirs = await rb.client.presence.get_state("alice", "room", "MESSAGE")
        assert as_json(document) == as_json(theirs.to_dict()["states"])
        await p.set_state("room", "MESSAGE", {"e": None})
        await p.set_state("room", "MESSAGE", {"d": ""})  # truthy -> falsy
        assert [] == got(rb)
        assert as_json({**document, "d": "", "e": None}) == as_json(
            emu.state_of("alice", "room", "MESSAGE")
        )

    async def test_r_s5_removing_keys_is_heard_whatever_the_values(self, emu: Emulator) -> None:
        """A removeState that removes a key is reported, with the truthy fields left
        (runs of the real SDK: removing ``f`` from ``{f: false, z: 0, n: null}`` reports
        ``{}``; from ``{a: "1", b: 0}`` removing ``b`` reports ``{a: "1"}``)."""
        alice, _, rb = await pair(emu)
        p = alice.presence
        await p.set_state("room", "MESSAGE", {"f": False, "z": 0, "n": None})
        assert [] == got(rb)
        await p.remove_state("room", "MESSAGE", states=["f"])
        assert [ev("REMOTE_STATE_CHANGED", "alice", {}, at=emu.now_ms)] == got(rb)
        assert as_json({"z": 0, "n": None}) == as_json(emu.state_of("alice", "room", "MESSAGE"))
        await p.remove_state("room", "MESSAGE")
        assert [ev("REMOTE_STATE_CHANGED", "alice", {}, at=emu.now_ms)] == got(rb)
        await p.set_state("room", "MESSAGE", {"a": "1", "b": 0})
        assert [] == got(rb)
        await p.remove_state("room", "MESSAGE", states=["b"])
        assert [ev("REMOTE_STATE_CHANGED", "alice", {"a": "1"}, at=emu.now_ms)] == got(rb)

    async def test_r_s5_entering_with_falsy_cached_state_is_only_a_join(
        self, emu: Emulator
    ) -> None:
        """The cached state (R-S4) lands in the document at entry; only falsy values: the
        others get REMOTE_JOIN and no state change (oracle cases
        state.value.false.pre-join, state.value.null.pre-join,
        state.value.empty-string.pre-join)."""
        (alice, _ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await bob.subscribe("room")
        rb.take()
        await alice.presence.set_state("room", "MESSAGE", {"k": False, "e": ""})
        await alice.subscribe("room")
        assert [ev("REMOTE_JOIN", "alice", at=emu.now_ms)] == got(rb)
        assert as_json({"k": False, "e": ""}) == as_json(emu.state_of("alice", "room", "MESSAGE"))

    async def test_r_s5_falsy_write_while_down_is_not_heard_on_reconnect(
        self, emu: Emulator
    ) -> None:
        """R-T3 sync of a change the SDK does not report: silent, but on the server."""
        alice, _, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        rb.take()
        emu.disconnect("alice")
        await alice.presence.set_state("room", "MESSAGE", {"z": 0})
        emu.advance(1)
        emu.reconnect("alice")
        emu.advance(60)
        assert [] == got(rb)
        assert as_json({"a": "1", "z": 0}) == as_json(emu.state_of("alice", "room", "MESSAGE"))

    async def test_r_s5_quiet_users_state_changes_emit_nothing(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room", be_quiet=True)
        ra.take()
        rb.take()
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        await bob.presence.set_state("room", "MESSAGE", {"b": "2"})
        await bob.presence.remove_state("room", "MESSAGE", states=["a"])
        assert {"b": "2"} == await own_state(bob)
        assert ([], []) == (got(ra), got(rb))
        # the quiet user still hears others (R-E4)
        await alice.presence.set_state("room", "MESSAGE", {"c": "3"})
        assert [ev("REMOTE_STATE_CHANGED", "alice", {"c": "3"}, at=emu.now_ms)] == got(rb)

    async def test_r_s5_non_listening_users_hear_nothing_but_are_heard(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room", with_presence=False)
        await bob.subscribe("room")
        ra.take()
        rb.take()
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        assert [] == got(ra)
        await alice.presence.set_state("room", "MESSAGE", {"b": "2"})
        assert [ev("REMOTE_STATE_CHANGED", "alice", {"b": "2"}, at=emu.now_ms)] == got(rb)

    async def test_r_s5_failed_calls_emit_nothing(self, emu: Emulator) -> None:
        alice, ra, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        rb.take()
        p = alice.presence
        await fails(p.set_state("room", "MESSAGE", {"a": "x" * 16385}), VALUE_TOO_LONG, SET)
        await fails(p.set_state("room", "MESSAGE", keys(40)), COUNT_OVERFLOW, SET)
        await fails(p.removeState("room", "MESSAGE", {"states": ["a", "a"]}), DUPLICATE_KEY, REMOVE)
        with pytest.raises(TypeError):
            await p.removeState("room", "MESSAGE", {"states": "a"})
        assert {"a": "1"} == emu.state_of("alice", "room", "MESSAGE")
        assert ([], []) == (got(ra), got(rb))

    @pytest.mark.parametrize("strict", [False, True], ids=["plain", "strict"])
    async def test_r_s5_interval_mode_aggregates_the_change(self, strict: bool) -> None:
        """R-E5: in interval mode the change is reported in the next INTERVAL instead."""
        emu = Emulator(EmulatorConfig(announce_max=8, interval=10.0), strict=strict)
        others = await login(emu, *[f"u{i}" for i in range(1, 8)])
        for client in others:
            await client.subscribe("room", with_presence=False)
        ((zz, rz),) = await login_recorded(emu, "zz")
        await zz.subscribe("room")  # 8 users: interval mode from the SNAPSHOT on
        assert ["SNAPSHOT"] == [e["eventType"] for e in got(rz)]
        await others[0].presence.set_state("room", "MESSAGE", {"k": "v"})
        await others[0].presence.set_state("room", "MESSAGE", {"k2": "v2"})
        assert [] == got(rz)
        emu.advance(10)
        empty = {"users": [], "userCount": 0}
        assert [
            {
                "eventType": "INTERVAL",
                "channelType": "MESSAGE",
                "channelName": "room",
                "publisher": "",
                "stateChanged": {},
                "interval": {
                    "join": empty,
                    "leave": empty,
                    "timeout": empty,
                    "userStateList": [
                        {"userId": "u1", "states": {"k": "v", "k2": "v2"}, "statesCount": 2}
                    ],
                    "totalOccupancy": 8,
                },
                "snapshot": [],
                "timestamp": emu.now_ms,
            }
        ] == got(rz)
        emu.check_invariants()

    async def test_r_s5_state_set_while_disconnected_is_announced_once_on_reconnect(
        self, emu: Emulator
    ) -> None:
        """R-T3: the local change is synced on reconnect: others get one state change."""
        alice, _, rb = await pair(emu)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        rb.take()
        emu.disconnect("alice")
        await alice.presence.set_state("room", "MESSAGE", {"b": "2"})
        await alice.presence.remove_state("room", "MESSAGE", states=["a"])
        assert {"b": "2"} == await own_state(alice)
        assert [] == got(rb)
        emu.advance(1)
        emu.reconnect("alice")
        emu.advance(60)  # well before the server's timeout
        events = got(rb)
        assert [("REMOTE_STATE_CHANGED", "alice", {"b": "2"})] == [
            (e["eventType"], e["publisher"], e["stateChanged"]) for e in events
        ]
