"""The WebSocket protocol: round trips, pushed events, acks, and error replies."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

pytest.importorskip("websockets")

from rtm_emulator import DEFAULT_APP_ID, Emulator, ErrorCode
from rtm_emulator._errors import REASONS
from rtm_emulator.server import METHODS, Hub, ProtocolErrorCode
from rtm_emulator.server._hub import Ack, Rejected, Request
from rtm_emulator.testing import drive

from .support import CallFailed, Peer, World, running

APP1 = "App1App1App1App1App1App1App1App1"


async def test_hello_login_and_results_have_the_sdk_shapes() -> None:
    """R-Q7: every response's timestamp is 0; R-Q2: whoNow of a listening caller is local."""
    async with running() as world:
        peer = await world.peer()
        hello = await peer.request("hello", {"userId": "alice", "appId": APP1, "ack": True})
        assert {
            "type": "result",
            "id": 1,
            "result": {
                "session": peer.session,
                "resumed": False,
                "userId": "alice",
                "appId": APP1,
                "loggedIn": False,
                "connected": False,
                "linkState": "IDLE",
                "nowMs": 1_735_689_600_000,
                "defaultAppId": DEFAULT_APP_ID,
            },
        } == hello
        assert {"timestamp": 0} == await peer.call("login")
        assert {"timestamp": 0, "channelName": "room"} == await peer.call(
            "subscribe", "room", {"withPresence": True}
        )
        assert {"timestamp": 0} == await peer.call("streamChannel.join", "stage")
        assert {"timestamp": 0} == await peer.call(
            "presence.setState", "room", "MESSAGE", {"mood": "calm", "seat": 3}
        )
        who = await peer.call("presence.whoNow", "room", "MESSAGE", {"includedState": True})
        assert {
            "timestamp": 0,
            "totalOccupancy": 1,
            "occupants": [
                {"userId": "alice", "states": {"mood": "calm", "seat": 3}, "statesCount": 2}
            ],
            "nextPage": "",
        } == who
        assert {
            "timestamp": 0,
            "totalChannel": 2,
            "channels": [
                {"channelName": "room", "channelType": "MESSAGE"},
                {"channelName": "stage", "channelType": "STREAM"},
            ],
        } == await peer.call("presence.getUserChannels", "")
        got = await peer.call("presence.getState", "alice", "room", "MESSAGE")
        assert {"mood": "calm", "seat": 3} == got["states"]  # R-S1: JSON values
        await peer.call("presence.removeState", "room", "MESSAGE")
        assert {} == (await peer.call("presence.getState", "alice", "room", "MESSAGE"))["states"]
        assert {"timestamp": 0} == await peer.call("streamChannel.leave", "stage")
        assert {"timestamp": 0, "channelName": "room"} == await peer.call("unsubscribe", "room")
        assert {"timestamp": 0} == await peer.call("logout")


async def test_hello_defaults_to_the_emulators_default_app() -> None:
    """R-C2: a hello without appId makes a client of DEFAULT_APP_ID, named in the reply."""
    async with running() as world:
        peer = await world.peer()
        hello = (await peer.request("hello", {"userId": "bob"}))["result"]
        assert (DEFAULT_APP_ID, DEFAULT_APP_ID) == (hello["appId"], hello["defaultAppId"])
        control = await world.control()
        assert DEFAULT_APP_ID == (await control.control("info"))["defaultAppId"]
        await peer.call("login")
        await peer.call("subscribe", "room")
        assert ["bob"] == await control.control(
            "onlineUsers", channelName="room", channelType="MESSAGE", appId=DEFAULT_APP_ID
        )


async def test_results_equal_the_python_clients() -> None:
    """The same calls give the same JSON over the wire as `.to_dict()` in process."""
    emu = Emulator()
    me, tony = emu.client("me"), emu.client("Tony")
    for client in (me, tony):
        drive(client.login())
    drive(tony.subscribe("chat_room"))
    drive(tony.presence.setState("chat_room", "MESSAGE", {"mood": "calm"}))
    local = [
        drive(me.presence.whoNow("chat_room", "MESSAGE", {"includedState": True})).to_dict(),
        drive(me.presence.whereNow("Tony")).to_dict(),
        drive(me.presence.getState("Tony", "chat_room", "MESSAGE")).to_dict(),
    ]
    async with running() as world:
        rtm = await world.user("me")
        tony_peer = await world.user("Tony")
        await tony_peer.call("subscribe", "chat_room")
        await tony_peer.call("presence.setState", "chat_room", "MESSAGE", {"mood": "calm"})
        remote = [
            await rtm.call("presence.whoNow", "chat_room", "MESSAGE", {"includedState": True}),
            await rtm.call("presence.whereNow", "Tony"),
            await rtm.call("presence.getState", "Tony", "chat_room", "MESSAGE"),
        ]
    assert local == remote


async def test_events_are_pushed_with_seq_before_the_reply() -> None:
    async with running() as world:
        alice, bob = await world.in_room("alice", "bob")
        # each call's own events come before its reply on the caller's socket
        assert [
            ("result", 1),  # hello
            ("linkState", "CONNECTING"),
            ("linkState", "CONNECTED"),
            ("result", 2),  # login
            ("presence", "SNAPSHOT"),
            ("result", 3),  # subscribe
        ] == [
            (f["name"], f["data"].get("currentState") or f["data"].get("eventType"))
            if f["type"] == "event"
            else (f["type"], f["id"])
            for f in bob.frames
        ]
        join = [e for e in alice.events if e["name"] == "presence"][-1]
        assert "REMOTE_JOIN" == join["data"]["eventType"]
        assert isinstance(join["seq"], int) and join["seq"] > 0
        assert set(join["data"]) == {
            "eventType",
            "channelType",
            "channelName",
            "publisher",
            "stateChanged",
            "interval",
            "snapshot",
            "timestamp",
        }
        assert [1] == alice.syncs  # alice was asked to acknowledge bob's subscribe only
        link = [e for e in alice.events if e["name"] == "linkState"]
        assert [("IDLE", "CONNECTING"), ("CONNECTING", "CONNECTED")] == [
            (e["data"]["previousState"], e["data"]["currentState"]) for e in link
        ]


async def _subscribe_while_alice_holds_acks(world: World) -> tuple[Peer, asyncio.Future[Any]]:
    """alice in ``room`` withholding acks; bob's subscribe sent and still unanswered."""
    (alice,) = await world.in_room("alice")
    bob = await world.user("bob")
    alice.hold = True
    reply = asyncio.ensure_future(bob.call("subscribe", "room"))
    await asyncio.sleep(0.05)
    assert not reply.done()  # alice has the REMOTE_JOIN but has not acknowledged it
    return alice, reply


async def test_the_callers_reply_waits_for_the_other_clients_ack() -> None:
    async with running() as world:
        alice, reply = await _subscribe_while_alice_holds_acks(world)
        assert ("REMOTE_JOIN", "bob") == alice.presence()[-1]
        await alice.release()
        assert "room" == (await asyncio.wait_for(reply, 5))["channelName"]


async def test_clients_without_acks_get_no_sync_frames_and_do_not_hold_anyone() -> None:
    async with running() as world:
        quiet = await world.peer(ack=False)
        await quiet.request("hello", {"userId": "quiet"})  # no "ack": true
        await quiet.call("login")
        await quiet.call("subscribe", "room")
        bob = await world.user("bob")
        await bob.call("subscribe", "room")
        await bob.call("presence.setState", "room", "MESSAGE", {"k": "v"})
        await asyncio.sleep(0.02)
        assert [] == quiet.syncs
        assert ("REMOTE_STATE_CHANGED", "bob") == quiet.presence()[-1]


async def test_a_closed_peer_does_not_hold_the_caller() -> None:
    async with running() as world:
        alice, reply = await _subscribe_while_alice_holds_acks(world)
        await alice.ws.close()
        assert "room" == (await asyncio.wait_for(reply, 5))["channelName"]


# ------------------------------------------------------------------ error replies


#: The keys of an RTM error frame's ``error``: the SDK's error plus the emulator's detail.
SDK_ERROR_KEYS = {"error", "code", "errorCode", "operation", "reason", "name", "detail"}
#: The keys of a protocol error (-32xxx): the protocol's own shape.
PROTOCOL_ERROR_KEYS = {"error", "operation", "errorCode", "reason"}


async def test_rtm_errors_carry_the_sdk_error_and_change_nothing() -> None:
    """R-X1/R-X2: the SDK's code, operation, exact reason and class, plus a detail."""
    async with running() as world:
        alice = await world.user("alice")
        await alice.call("subscribe", "room")
        await alice.call("presence.setState", "room", "MESSAGE", {"a": "1"})
        with pytest.raises(CallFailed) as caught:
            await alice.call("presence.setState", "room", "MESSAGE", {"a": "2", "_b": "x"})
        assert {
            "error": True,
            "code": -13006,
            "errorCode": -13006,
            "operation": "presenceSetState",
            "reason": "Invalid presence state key.",
            "name": "RtmInvalidArgumentError",
            "detail": "state key '_b' starts with '_'",
        } == caught.value.error
        assert {"a": "1"} == world.server.hub.emu.state_of("alice", "room", "MESSAGE")
        cases: list[tuple[str, list[Any], str, int, str]] = [
            ("subscribe", ["_x"], "subscribe", -10008, "_x"),
            ("streamChannel.join", ["a.b"], "createStreamChannel", -10008, "a.b"),
            ("streamChannel.leave", ["stage"], "leave", -11001, "stage"),
            ("presence.whoNow", ["room", "USER"], "whoNow", -10019, "USER"),
            (
                "presence.getOnlineUsers",
                ["room", "MESSAGE", {"includedUserId": False, "includedState": True}],
                "getOnlineUsers",
                -13003,
                "includedState",
            ),
            (
                "presence.getState",
                ["ghost", "room", "MESSAGE"],
                "presenceGetState",
                -13011,
                "ghost",
            ),
            ("presence.getState", ["", "room", "MESSAGE"], "presenceGetState", -10006, "empty"),
            ("presence.whereNow", ["a.b"], "whereNow", -10006, "a.b"),
            (
                "presence.removeState",
                ["room", "MESSAGE", {"states": [""]}],
                "presenceRemoveState",
                -13006,
                "empty",
            ),
            ("presence.setState", ["room", "MESSAGE", {}], "presenceSetState", -13003, "{}"),
            ("subscribe", [], "subscribe", -10008, "None"),  # a missing argument is undefined
            # the hub's own argument checks name the SDK's operation too
            ("subscribe", ["a", None, "extra"], "subscribe", -10014, "extra"),
            ("presence.setState", ["room", "MESSAGE", {}, 1], "presenceSetState", -10014, "3"),
            ("presence.whoNow", {"channelName": "room"}, "whoNow", -10014, "array"),
        ]
        for method, args, operation, code, named in cases:
            reply = await alice.request(method, args)
            assert "error" == reply["type"], (method, reply)
            error = reply["error"]
            assert SDK_ERROR_KEYS == set(error), method
            assert (operation, code, code) == (
                error["operation"],
                error["errorCode"],
                error["code"],
            ), method
            # the SDK's text (-13003 adds which argument was wrong after it)
            assert error["reason"].startswith(REASONS[ErrorCode(code)]), method
            assert named in error["detail"], (method, error["detail"])
        assert {"a": "1"} == world.server.hub.emu.state_of("alice", "room", "MESSAGE")
        assert [("MESSAGE", "room")] == world.server.hub.emu.user_channels("alice")
        world.server.hub.emu.check_invariants()


async def test_calls_the_sdk_lets_through_succeed() -> None:
    """R-L5: unsubscribe of a channel not subscribed resolves; R-C3-like leniency of
    options: an unknown subscribe option is ignored; R-S1: any JSON state value."""
    async with running() as world:
        alice = await world.user("alice")
        assert {"timestamp": 0, "channelName": "nowhere"} == await alice.call(
            "unsubscribe", "nowhere"
        )
        assert {"timestamp": 0, "channelName": "room"} == await alice.call(
            "subscribe", "room", {"withPrescence": False}
        )
        assert ("SNAPSHOT", "") == alice.presence()[-1]  # withPresence kept its default
        await alice.call("presence.setState", "room", "MESSAGE", {"typing": False, "n": None})
        assert {"typing": False, "n": None} == world.server.hub.emu.state_of(
            "alice", "room", "MESSAGE"
        )


async def test_js_exceptions_get_an_exception_frame_and_change_nothing() -> None:
    """R-X3: where the SDK throws a plain JS exception, the frame carries its kind and
    message instead of an RTM error."""
    async with running() as world:
        alice = await world.user("alice")
        await alice.call("subscribe", "room")
        await alice.call("presence.setState", "room", "MESSAGE", {"a": "1"})
        cases: list[tuple[str, list[Any], str, str]] = [
            (
                "presence.setState",
                ["room", "MESSAGE", None],
                "TypeError",
                "Cannot convert undefined or null to object",
            ),
            (
                "presence.removeState",
                ["room", "MESSAGE", {"states": "ab"}],
                "TypeError",
                "n.forEach is not a function",
            ),
            # R-Q3: a page that is not base64 fails as atob does (server route: not in "hall")
            (
                "presence.whoNow",
                ["hall", "MESSAGE", {"page": "n*pe"}],
                "InvalidCharacterError",
                "Invalid character",
            ),
        ]
        for method, args, name, message in cases:
            reply = await alice.request(method, args)
            assert {
                "type": "error",
                "id": reply["id"],
                "exception": {"name": name, "message": message},
            } == reply, method
        assert {"a": "1"} == world.server.hub.emu.state_of("alice", "room", "MESSAGE")


async def test_the_constructors_checks_fail_at_hello_and_make_no_session() -> None:
    """R-C1/R-C2: -10003 (app id) then -10006 (user id), operation initRTM; R-C3:
    unknown RTMConfig keys are ignored."""
    async with running() as world:
        peer = await world.peer()
        cases: list[tuple[dict[str, Any], int, str]] = [
            ({"userId": "a" * 65}, -10006, "a" * 10),
            ({"userId": "a.b", "appId": APP1}, -10006, "a.b"),
            ({"userId": "ok", "appId": "app1"}, -10003, "app1"),
            ({"userId": "a.b", "appId": "x" * 33}, -10003, "x" * 33),  # app id first
            ({"userId": "ok", "config": [1]}, -10014, "[1]"),
        ]
        for hello, code, named in cases:
            reply = await peer.request("hello", hello)
            assert "error" == reply["type"], hello
            error = reply["error"]
            assert ("initRTM", code) == (error["operation"], error["errorCode"]), hello
            assert REASONS[ErrorCode(code)] == error["reason"], hello
            assert named in error["detail"], (hello, error["detail"])
        assert {} == world.server.hub.sessions
        reply = await peer.request("hello", {"userId": "ok", "config": {"presenceTimout": 3}})
        assert "result" == reply["type"], reply
        client = world.server.hub.sessions[peer.session].client
        assert 300 == client.config.presence_timeout  # the misspelt key did nothing


def _error(reply: dict[str, Any]) -> tuple[Any, int, str]:
    """(id, code, explanation) of an error reply, checking the shape of its kind."""
    assert "error" == reply["type"], reply
    error = reply["error"]
    assert error["error"] is True
    if error["errorCode"] <= -32000:
        assert PROTOCOL_ERROR_KEYS == set(error), error
        return reply["id"], error["errorCode"], error["reason"]
    assert SDK_ERROR_KEYS == set(error), error
    assert REASONS[ErrorCode(error["errorCode"])] == error["reason"]
    return reply["id"], error["errorCode"], error["detail"]


async def test_protocol_errors_get_an_error_reply_and_the_connection_survives() -> None:
    async with running(max_frame_bytes=4096) as world:
        peer = await world.peer()
        big = json.dumps({"id": 41, "method": "control.now", "params": {"x": "y" * 5000}})
        cases: list[tuple[str | bytes, int | str | None, int, str]] = [
            ("{oops", None, -32700, "{oops"),
            ('{"id": 5, "method": ', 5, -32700, "not JSON"),
            ("[1, 2]", None, -32600, "[1, 2]"),
            ('{"id": 1, "method": "x", "params": NaN}', 1, -32700, "NaN"),
            (b"\x00\x01", None, -32700, "binary"),
            (big, 41, -32001, "4096"),
            ('{"method": "control.now"}', None, -32600, "no 'id'"),
            ('{"id": true, "method": "control.now"}', None, -32600, "true"),
            ('{"id": 2, "method": ""}', 2, -32600, "method"),
            ('{"id": 3, "method": "control.now", "params": 7}', 3, -32600, "7"),
            ('{"id": 4, "method": "control.now", "extra": 1}', 4, -32600, "extra"),
            ('{"id": "a", "method": "presence.wh0Now"}', "a", -32601, "wh0Now"),
            ('{"id": 6, "method": "subscribe", "params": ["room"]}', 6, -32002, "hello"),
            ('{"ack": "x"}', None, -32600, "ack"),
            ('{"id": 7, "method": "control.advance", "params": [1]}', 7, -10014, "[1]"),
        ]
        for frame, expect_id, code, named in cases:
            reply = await peer.send_raw(frame, expect_id)
            got_id, got_code, reason = _error(reply)
            assert (expect_id, code) == (got_id, got_code), frame
            assert named in reason, (frame, reason)
        assert isinstance((await peer.control("now"))["nowMs"], int)  # still connected


async def test_hello_twice_and_unknown_resume_are_refused() -> None:
    async with running() as world:
        peer = await world.user("alice", login=False)
        _, code, reason = _error(await peer.request("hello", {"userId": "alice"}))
        assert (-32600, True) == (code, f"{peer.session!r}" in reason)
        other = await world.peer()
        _, code, reason = _error(await other.request("hello", {"resume": "s99"}))
        assert (-32002, True) == (code, "s99" in reason)
        _, code, reason = _error(
            await other.request("hello", {"resume": peer.session, "userId": "x"})
        )
        assert (-10014, True) == (code, "resume" in reason)
        _, code, reason = _error(await other.request("hello", {"userId": "x", "ack": 1}))
        assert (-10014, True) == (code, "ack" in reason)


def test_parse_classifies_frames_without_a_transport() -> None:
    hub = Hub()
    assert Ack(3) == hub.parse('{"ack": 3}')
    assert Request(1, "login", []) == hub.parse('{"id": 1, "method": "login"}')
    assert Request("x", "login", []) == hub.parse('{"id": "x", "method": "login", "params": null}')
    rejected = hub.parse('{"id": 9007199254740993, "method": "login"}')
    assert isinstance(rejected, Rejected)
    assert ProtocolErrorCode.INVALID_REQUEST == rejected.error.error_code
    deep = hub.parse("[" * 100_000 + "]" * 100_000)
    assert isinstance(deep, Rejected)
    assert ProtocolErrorCode.PARSE_ERROR == deep.error.error_code


def test_every_method_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "server.md").read_text("utf-8")
    missing = [m for m in METHODS if f"`{m}`" not in doc]
    assert [] == missing
