"""Messaging over the server (issue 16): publish, message and topic events, history, the
wire encoding of binary messages, SDK parameters on a frame and the topic view."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

pytest.importorskip("websockets")

from rtm_emulator import RtmError
from rtm_emulator.server._protocol import MAX_BUFFER_BYTES, decode_message, encode_payload

from ..samples import sample
from .support import CallFailed, Peer, World, eventually, running


def _bytes(data: bytes, **extra: Any) -> dict[str, Any]:
    return {"$": "bytes", "base64": base64.b64encode(data).decode("ascii"), **extra}


def _messages(peer: Peer) -> list[dict[str, Any]]:
    return [e["data"] for e in peer.events if e["name"] == "message"]


async def _failure(peer: Peer, method: str, *args: Any) -> CallFailed:
    with pytest.raises(CallFailed) as caught:
        await peer.call(method, *args)
    return caught.value


async def test_a_channel_message_reaches_the_subscribers_before_the_reply() -> None:
    """R-M7, R-M9, R-E9: bob's message event is acknowledged before alice's reply; the
    publisher subscribed withMessage hears its own message too."""
    async with running() as world:
        bob, alice = await world.in_room("bob", "alice")
        result = await alice.call("publish", "room", "hello", {"customType": "chat"})
        assert {"timestamp": 0, "channelName": "room"} == result
        want = {
            "channelName": "room",
            "publisher": "alice",
            "message": "hello",
            "messageType": "STRING",
            "customType": "chat",
            "channelType": "MESSAGE",
            "topicName": "",
        }
        got = _messages(bob)
        assert 1 == len(got) and [*want, "timestamp"] == list(got[0])
        assert want == {k: v for k, v in got[0].items() if k != "timestamp"}
        assert [m["message"] for m in _messages(alice)] == ["hello"]


async def test_binary_messages_travel_as_base64_both_ways() -> None:
    """R-M7, R-M11: bytes in, bytes out (events and history entries)."""
    async with running() as world:
        bob, alice = await world.in_room("bob", "alice")
        payload = bytes([0, 1, 255])
        await alice.call("publish", "room", _bytes(payload), {"storeInHistory": True})
        event = _messages(bob)[0]
        assert ("BINARY", _bytes(payload)) == (event["messageType"], event["message"])
        page = await bob.call("history.getMessages", "room", "MESSAGE")
        entry = page["messageList"][0]
        assert (_bytes(payload), "BINARY", "alice") == (
            entry["message"],
            entry["messageType"],
            entry["publisher"],
        )
        assert ["messageList", "count", "newStart", "timestamp"] == list(page)


async def test_a_user_message_and_the_offline_user() -> None:
    """R-M4, R-M23: the receiver sees the publisher as channelName; -11033 when offline."""
    async with running() as world:
        bob = await world.user("bob")
        alice = await world.user("alice")
        await alice.call("publish", "bob", "psst", {"channelType": "USER"})
        event = _messages(bob)[0]
        assert ("USER", "alice", "psst") == (
            event["channelType"],
            event["channelName"],
            event["message"],
        )
        failed = await _failure(alice, "publish", "carol", "x", {"channelType": "USER"})
        assert (-11033, "publish") == (failed.error["errorCode"], failed.error["operation"])


async def test_history_enabled_comes_with_the_frame() -> None:
    """R-M1, R-M10: ``parameters.HISTORY_ENABLED`` false turns history off for that call."""
    async with running() as world:
        alice = await world.user("alice")
        reply = await alice.send_raw(
            '{"id": "h1", "method": "publish", "params": ["room", "x", {"storeInHistory": true}],'
            ' "parameters": {"HISTORY_ENABLED": false}}',
            "h1",
        )
        assert (-15005, "RtmInvalidArgumentError") == (
            reply["error"]["errorCode"],
            reply["error"]["name"],
        )
        # without the key, history is on again (the console's default)
        await alice.call("publish", "room", "x", {"storeInHistory": True})
        page = await alice.call("history.getMessages", "room", "MESSAGE")
        assert 1 == page["count"]
        bad = await alice.send_raw('{"id": 9, "method": "publish", "parameters": 3}', 9)
        assert -32600 == bad["error"]["errorCode"]


async def test_extend_channel_name_comes_with_the_frame() -> None:
    """R-C1, R-M1: ``parameters.EXTEND_CHANNEL_NAME`` true lets ``publish`` take ``.`` and
    `` ` `` in a name (oracle cases publish.name.EXTEND.*); without it they are -10008."""
    async with running() as world:
        alice = await world.user("alice")
        extended = ', "parameters": {"EXTEND_CHANNEL_NAME": true}}'
        reply = await alice.send_raw(
            '{"id": "e1", "method": "publish", "params": ["a.b`c", "x"]' + extended, "e1"
        )
        assert {"timestamp": 0, "channelName": "a.b`c"} == reply["result"]
        reply = await alice.send_raw(
            '{"id": "e2", "method": "publish", "params": ["a.b", "x", {"channelType": "USER"}]'
            + extended,
            "e2",
        )
        assert -11033 == reply["error"]["errorCode"]  # a valid name; nobody is "a.b"
        reply = await alice.send_raw(
            '{"id": "e3", "method": "publish", "params": ["_a.b", "x"]' + extended, "e3"
        )
        assert -10008 == reply["error"]["errorCode"]  # still no leading "_"
        failed = await _failure(alice, "publish", "a.b", "x")
        assert (-10008, "publish") == (failed.error["errorCode"], failed.error["operation"])


async def test_a_pooled_buffer_is_over_the_topic_limit_and_bad_messages_fail_as_the_sdk() -> None:
    """R-M18: a view's whole buffer counts (-11010); a non-message is a TypeError."""
    async with running() as world:
        bob = await world.user("bob")
        alice = await world.user("alice")
        for peer in (bob, alice):
            await peer.call("streamChannel.join", "stage")
        await alice.call("streamChannel.joinTopic", "stage", "t1")
        ok = await alice.call("streamChannel.publishTopicMessage", "stage", "t1", _bytes(b"hi"))
        assert {"timestamp": 0, "topicName": "t1"} == ok
        pooled = _bytes(b"hi", bufferBytes=8192)
        failed = await _failure(alice, "streamChannel.publishTopicMessage", "stage", "t1", pooled)
        assert -11010 == failed.error["errorCode"]
        failed = await _failure(alice, "streamChannel.publishTopicMessage", "stage", "t1", 5)
        assert failed.exception is not None and "TypeError" == failed.exception["name"]
        failed = await _failure(alice, "publish", "room", {"$": "bytes", "base64": "!!"})
        assert (-10014, "publish") == (failed.error["errorCode"], failed.error["operation"])


async def test_topic_events_and_messages_reach_the_subscriber() -> None:
    """R-M19, R-M20: SNAPSHOT on join, REMOTE_JOIN, then the topic message."""
    async with running() as world:
        bob = await world.user("bob")
        await bob.call("streamChannel.join", "stage")
        alice = await world.user("alice")
        await alice.call("streamChannel.join", "stage")
        await alice.call("streamChannel.joinTopic", "stage", "t1")
        topics = [e["data"] for e in bob.events if e["name"] == "topic"]
        assert ["SNAPSHOT", "REMOTE_JOIN"] == [t["eventType"] for t in topics]
        assert [
            "eventType",
            "channelName",
            "publisher",
            "topicInfos",
            "totalTopics",
            "timestamp",
        ] == list(topics[1])
        await bob.call("streamChannel.subscribeTopic", "stage", "t1")
        options = {"customType": "c"}
        await alice.call("streamChannel.publishTopicMessage", "stage", "t1", "go", options)
        event = _messages(bob)[-1]
        assert ("STREAM", "t1", "go", "c") == (
            event["channelType"],
            event["topicName"],
            event["message"],
            event["customType"],
        )


async def _viewer(world: World, user_id: str) -> Peer:
    return await world.user(user_id, topicView=True)


async def test_the_topic_view_follows_subscriptions_and_the_link() -> None:
    """R-M17 over the wire: the view changes with subscribeTopic, a publisher's join,
    unsubscribeTopic and the link; each answer is the engine's."""
    async with running() as world:
        bob = await _viewer(world, "bob")
        assert {"idle": False, "channels": {}} == bob.views[-1]["data"]
        await bob.call("streamChannel.join", "stage")
        assert {"stage": {"joined": True, "topics": {}}} == bob.views[-1]["data"]["channels"]
        await bob.call("streamChannel.subscribeTopic", "stage", "t1", {"users": ["alice"]})
        pre = {"subscribed": ["alice"], "timestamp": 0, "topicName": "t1"}
        assert {"t1": pre} == bob.views[-1]["data"]["channels"]["stage"]["topics"]
        alice = await world.user("alice")
        await alice.call("streamChannel.join", "stage")
        await alice.call("streamChannel.joinTopic", "stage", "t1")  # pre -> subscribed
        sent = len(bob.views)
        await alice.call("streamChannel.publishTopicMessage", "stage", "t1", "x")
        assert sent == len(bob.views)  # unchanged views are not sent again
        control = await world.control()
        await control.control("disconnect", userId="bob")
        down = bob.views[-1]["data"]["channels"]["stage"]
        assert not down["joined"]  # -11001 for every topic; the map is kept (R-M12)
        await control.control("reconnect", userId="bob")
        await control.control("advance", seconds=5)
        await eventually(lambda: bob.views[-1]["data"]["channels"]["stage"]["joined"])
        assert {"t1": pre} == bob.views[-1]["data"]["channels"]["stage"]["topics"]
        await bob.call("streamChannel.unsubscribeTopic", "stage", "t1")
        assert {} == bob.views[-1]["data"]["channels"]["stage"]["topics"]
        await bob.call("logout")
        assert {"idle": True, "channels": {}} == bob.views[-1]["data"]


async def test_only_viewers_get_view_frames() -> None:
    async with running() as world:
        bob = await world.user("bob")
        await bob.call("streamChannel.join", "stage")
        await bob.call("streamChannel.subscribeTopic", "stage", "t1", {"users": ["alice"]})
        assert [] == bob.views


def test_the_message_codec() -> None:
    """decode_message / encode_payload: bytes, views into a larger buffer, undefined."""
    assert b"\x01\x02" == decode_message("publish", _bytes(b"\x01\x02"))
    view = decode_message("publish", _bytes(b"hi", bufferBytes=10))
    assert isinstance(view, memoryview) and b"hi" == bytes(view)
    assert 10 == memoryview(view.obj).nbytes
    huge = decode_message("publish", _bytes(b"hi", bufferBytes=1 << 40))
    assert isinstance(huge, memoryview) and MAX_BUFFER_BYTES == memoryview(huge.obj).nbytes
    assert decode_message("publish", {"$": "undefined"}) is None
    assert {"a": 1} == decode_message("publish", {"a": 1})
    assert "x" == decode_message("publish", "x")
    for bad in (
        {"$": "bytes"},
        {"$": "bytes", "base64": "AA==", "extra": 1},
        {"$": "bytes", "base64": "AA==", "bufferBytes": 0},
        {"$": "bytes", "base64": "AA==", "bufferBytes": True},
    ):
        with pytest.raises(RtmError) as caught:
            decode_message("publish", bad)
        assert (-10014, "publish") == (caught.value.error_code, caught.value.operation)
    assert "t" == encode_payload("t")
    assert _bytes(b"\x00") == encode_payload(b"\x00")


async def test_the_documented_view_frame_is_what_the_server_sends() -> None:
    """docs/server.md's view frame (sample server-topic-view-frame) is a real one: bob
    subscribed alice and dave in t1 of stage, both publishing it."""
    async with running() as world:
        bob = await _viewer(world, "bob")
        await bob.call("streamChannel.join", "stage")
        for name in ("alice", "dave"):
            peer = await world.user(name)
            await peer.call("streamChannel.join", "stage")
            await peer.call("streamChannel.joinTopic", "stage", "t1")
        await bob.call("streamChannel.subscribeTopic", "stage", "t1")
        assert json.loads(sample("server-topic-view-frame")) == bob.views[-1]
