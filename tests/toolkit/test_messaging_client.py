"""The messaging calls of the Python client and the scripted users (R-M1, R-M10, R-M13,
R-M15..R-M18): both spellings of every method, ``rtm.history``, the ``message`` / ``topic``
listeners, and ``emu.user(...)``'s chainable ``publish`` / ``join_topic`` /
``publish_topic_message``.
"""

from __future__ import annotations

from typing import Any

import pytest

from rtm_emulator import (
    ConfigError,
    Emulator,
    GetMessagesResponse,
    MessageEvent,
    PublishResponse,
    RtmError,
    TopicEvent,
    TopicEventType,
)
from rtm_emulator.testing import drive

T0 = 1_735_689_600_000


async def test_r_m1_both_spellings_of_publish_take_the_sdk_options_object(emu: Emulator) -> None:
    alice, bob = emu.client("alice"), emu.client("bob")
    await alice.login()
    await bob.login()
    got: list[MessageEvent] = []
    bob.add_event_listener("message", got.append)
    by_keywords = await alice.publish("bob", "a", channel_type="USER", custom_type="k")
    by_options = await alice.publish("bob", "b", {"channelType": "USER", "customType": "k"})
    assert PublishResponse("bob") == by_keywords == by_options
    assert [("a", "k", "USER"), ("b", "k", "USER")] == [
        (e.message, e.custom_type, e.channel_type) for e in got
    ]
    with pytest.raises(ConfigError):
        await alice.publish("bob", "c", {"channelType": "USER"}, channel_type="USER")


async def test_r_m10_history_has_both_spellings(emu: Emulator) -> None:
    alice = emu.client("alice")
    await alice.login()
    await alice.publish("room", "kept", store_in_history=True)
    snake = await alice.history.get_messages("room", "MESSAGE", message_count=5)
    sdk = await alice.history.getMessages("room", "MESSAGE", {"messageCount": 5})
    assert snake == sdk
    assert isinstance(snake, GetMessagesResponse)
    assert ["kept"] == [m.message for m in snake.message_list]
    with pytest.raises(ConfigError):
        await alice.history.get_messages("room", "MESSAGE", {"messageCount": 1}, message_count=2)


async def test_r_m13_r_m18_stream_handle_spellings(emu: Emulator) -> None:
    alice, bob = emu.client("alice"), emu.client("bob")
    await alice.login()
    await bob.login()
    a, b = alice.create_stream_channel("s"), bob.createStreamChannel("s")
    topics: list[TopicEvent] = []
    got: list[MessageEvent] = []
    bob.add_event_listener("topic", topics.append)
    bob.addEventListener("message", got.append)
    await a.join()
    await b.join()
    await a.joinTopic("t")
    await a.join_topic("u")
    assert ["t", "u"] == [
        t.topic_infos[0].topic_name for t in topics if t.event_type is TopicEventType.REMOTE_JOIN
    ]
    assert (await b.subscribeTopic("t", {"users": ["alice"]})).succeed_users == ("alice",)
    assert (await b.subscribe_topic("u", users=["alice"])).succeed_users == ("alice",)
    await a.publishTopicMessage("t", "1", {"customType": "c"})
    await a.publish_topic_message("u", "2", custom_type="c")
    assert [("t", "1"), ("u", "2")] == [(e.topic_name, e.message) for e in got]
    assert b.getSubscribedUserList("t") == b.get_subscribed_user_list("t")
    await b.unsubscribeTopic("t", {"users": ["alice"]})
    await b.unsubscribe_topic("u", users=["alice"])
    await a.leaveTopic("t")
    await a.leave_topic("u")
    assert [TopicEventType.REMOTE_LEAVE] * 2 == [t.event_type for t in topics[-2:]]


async def test_r_m5_subscribe_takes_with_message(emu: Emulator) -> None:
    alice, bob = emu.client("alice"), emu.client("bob")
    await alice.login()
    await bob.login()
    got: list[MessageEvent] = []
    bob.add_event_listener("message", got.append)
    await bob.subscribe("room", with_message=False)
    await alice.publish("room", "unheard")
    with pytest.raises(ConfigError):
        await bob.subscribe("room", {"withMessage": True}, with_message=True)
    assert [] == got


def test_scripted_users_publish_and_join_topics_in_a_line(emu: Emulator) -> None:
    watcher = emu.client("watcher")
    drive(watcher.login())
    drive(watcher.subscribe("room"))
    stream = watcher.create_stream_channel("stage")
    drive(stream.join())
    got: list[Any] = []
    watcher.add_event_listener("message", lambda e: got.append(e.to_dict()))
    bob = emu.user("bob")
    assert bob is bob.subscribe("room").publish("room", "hi")
    bob.publish("watcher", b"\x01", channel_type="USER", custom_type="raw")
    bob.join_stream("stage").join_topic("stage", "t1")
    drive(stream.subscribe_topic("t1"))
    assert bob is bob.publish_topic_message("stage", "t1", "on stage", custom_type="x")
    assert [
        ("room", "hi", "MESSAGE", ""),
        ("bob", b"\x01", "USER", "raw"),
        ("stage", "on stage", "STREAM", "x"),
    ] == [(m["channelName"], m["message"], m["channelType"], m["customType"]) for m in got]
    with pytest.raises(RtmError) as info:
        bob.publish("nobody-online", "x", channel_type="USER")
    assert -11033 == info.value.code
    with pytest.raises(ConfigError):
        bob.publish("room", "x", store_in_history="yes")  # type: ignore[arg-type]


def test_store_in_history_from_a_scripted_user(emu: Emulator) -> None:
    emu.user("bob").publish("room", "kept", store_in_history=True)
    alice = emu.client("alice")
    drive(alice.login())
    result = drive(alice.history.get_messages("room", "MESSAGE"))
    assert [("kept", "bob", T0)] == [
        (m.message, m.publisher, m.timestamp) for m in result.message_list
    ]
