"""Stream-channel topics: join, leave, subscribe, unsubscribe, topic messages and topic
events (R-M12..R-M21, R-M9).

semantics.md "Messaging"; the checks and the client-side topic map follow the SDK runtime
(agora-rtm.js 2.3.0, the stream channel's ``joinTopic`` ... ``getSubscribedUserList`` and
its ``RemoteTopic``), who hears what the emulator's rules (what RTC would tell).  Events
are compared as SDK JSON with the fake clock's timestamps.
"""

from __future__ import annotations

from typing import Any

import pytest

from rtm_emulator import Emulator, EmulatorConfig, RTMClient, RtmError, SubscribeTopicResponse

from .messaging_support import Inbox, fails, logged_in, topic_event, topic_message

T0 = 1_735_689_600_000


async def stage(emu: Emulator, *users: str) -> list[tuple[RTMClient, Any, Inbox]]:
    """Each user logged in, with an inbox, joined to stream channel "stage", in order."""
    out = []
    for client in await logged_in(emu, *users):
        inbox = Inbox(client)
        stream = client.create_stream_channel("stage")
        await stream.join()
        out.append((client, stream, inbox))
    return out


def ops(stream: Any) -> dict[str, Any]:
    """Every topic call of a stream handle, with arguments that pass the other checks."""
    return {
        "joinTopic": lambda topic: stream.join_topic(topic),
        "leaveTopic": lambda topic: stream.leave_topic(topic),
        "subscribeTopic": lambda topic: stream.subscribe_topic(topic),
        "unsubscribeTopic": lambda topic: stream.unsubscribe_topic(topic),
        "publishTopicMessage": lambda topic: stream.publish_topic_message(topic, "hi"),
        "getSubscribedUserList": lambda topic: stream.get_subscribed_user_list(topic),
    }


# ======================================================================== R-M12


class TestPreconditions:
    @pytest.mark.parametrize("operation", list(ops(None)))
    async def test_r_m12_name_before_joined_before_anything(
        self, emu: Emulator, operation: str
    ) -> None:
        (alice,) = await logged_in(emu, "alice")
        call = ops(alice.create_stream_channel("stage"))[operation]
        await fails(emu, lambda: call("a.b"), -11008, operation)
        await fails(emu, lambda: call("t1"), -11001, operation)

    @pytest.mark.parametrize("operation", list(ops(None)))
    async def test_r_m12_idle_is_not_connected(self, emu: Emulator, operation: str) -> None:
        idle = emu.client("idle")
        await fails(
            emu, lambda: ops(idle.create_stream_channel("s"))[operation]("a.b"), -10025, operation
        )

    @pytest.mark.parametrize("name", ["", "a.b", "x" * 17, "_x", 5, None, "é"], ids=repr)
    async def test_r_m12_topic_names(self, emu: Emulator, name: Any) -> None:
        ((_, stream, _),) = await stage(emu, "alice")
        await fails(emu, lambda: stream.join_topic(name), -11008, "joinTopic")

    async def test_r_m12_accepted_names(self, emu: Emulator) -> None:
        ((_, stream, _),) = await stage(emu, "alice")
        for name in ("a b", "x" * 16, "null"):
            assert name == (await stream.join_topic(name)).topic_name

    @pytest.mark.parametrize("operation", list(ops(None)))
    async def test_r_m12_r_m21_after_leaving_the_channel(
        self, emu: Emulator, operation: str
    ) -> None:
        ((alice, stream, _),) = await stage(emu, "alice")
        await stream.join_topic("t1")
        await stream.leave()
        await fails(emu, lambda: ops(stream)[operation]("t1"), -11001, operation)
        await alice.logout()
        await fails(emu, lambda: ops(stream)[operation]("t1"), -10025, operation)

    @pytest.mark.parametrize("operation", list(ops(None)))
    async def test_r_m12_while_the_link_is_down(self, emu: Emulator, operation: str) -> None:
        ((_, stream, _),) = await stage(emu, "alice")
        await stream.join_topic("t1")
        emu.disconnect("alice")
        await fails(emu, lambda: ops(stream)[operation]("t1"), -11001, operation)

    async def test_r_m12_rate_limits(self) -> None:
        emu = Emulator(EmulatorConfig(rate_limits=True), strict=True)
        ((_, stream, _),) = await stage(emu, "alice")
        emu.advance(1)
        for i in range(8):
            await stream.join_topic(f"t{i}")
        for _ in range(12):
            await stream.join_topic("t0")  # already joined: counted, nothing else
        await fails(emu, lambda: stream.join_topic("a.b"), -10021, "joinTopic")
        for _ in range(200):
            await stream.publish_topic_message("t0", "x")
        await fails(emu, lambda: stream.publish_topic_message("t0", ""), -10021, "publishTopicMsg")
        for _ in range(20):
            await stream.subscribe_topic("t0")
        await fails(emu, lambda: stream.subscribe_topic("a.b"), -10021, "subscribeTopic")
        # leaveTopic, unsubscribeTopic and getSubscribedUserList have no limit
        for _ in range(30):
            await fails(emu, lambda: stream.unsubscribe_topic("t0"), -11013, "unsubscribeTopic")
            await fails(
                emu, lambda: stream.get_subscribed_user_list("t0"), -11013, "getSubscribedUserList"
            )
        for i in range(8):
            await stream.leave_topic(f"t{i}")


# ======================================================================== R-M13, R-M14, R-M20


class TestJoinLeave:
    async def test_r_m20_snapshot_on_entry_then_remote_join_and_leave(self, emu: Emulator) -> None:
        (_, a, ia), (_, _, ib) = await stage(emu, "alice", "bob")
        assert [topic_event("SNAPSHOT", "stage", "", [], ts=T0)] == ia.take_topics()
        assert [topic_event("SNAPSHOT", "stage", "", [], ts=T0)] == ib.take_topics()
        emu.advance(0.2)
        assert {"timestamp": 0, "topicName": "t1"} == (await a.join_topic("t1")).to_dict()
        assert [topic_event("REMOTE_JOIN", "stage", "alice", [("t1", ["alice"])], ts=T0 + 200)] == (
            ib.take_topics()
        )
        assert [] == ia.take_topics()  # never about oneself
        assert {"timestamp": 0, "topicName": "t1"} == (await a.leave_topic("t1")).to_dict()
        assert [
            topic_event("REMOTE_LEAVE", "stage", "alice", [("t1", ["alice"])], ts=T0 + 200)
        ] == (ib.take_topics())

    async def test_r_m13_joining_again_changes_nothing_and_meta_is_discarded(
        self, emu: Emulator
    ) -> None:
        (_, a, _), (_, _, ib) = await stage(emu, "alice", "bob")
        ib.take_topics()
        await a.join_topic("t1", {"meta": "hello"})
        await a.join_topic("t1")
        assert [topic_event("REMOTE_JOIN", "stage", "alice", [("t1", ["alice"])], ts=T0)] == (
            ib.take_topics()
        )

    async def test_r_m13_eight_topics_per_channel(self, emu: Emulator) -> None:
        ((_, a, _),) = await stage(emu, "alice")
        for i in range(8):
            await a.join_topic(f"t{i}")
        await fails(emu, lambda: a.join_topic("t8"), -11014, "joinTopic")
        await a.leave_topic("t0")
        await a.join_topic("t8")

    async def test_r_m14_leaving_a_topic_not_joined(self, emu: Emulator) -> None:
        (_, a, _), (_, b, _) = await stage(emu, "alice", "bob")
        await a.join_topic("t1")
        await fails(emu, lambda: a.leave_topic("t2"), -11016, "leaveTopic")
        await fails(emu, lambda: b.leave_topic("t1"), -11016, "leaveTopic")

    async def test_r_m20_snapshot_order_users_by_entry_then_topics_by_join(
        self, emu: Emulator
    ) -> None:
        (_, z, _), (_, a, _) = await stage(emu, "zed", "amy")
        await a.join_topic("t2")
        await z.join_topic("t1")
        await a.join_topic("t1")
        await z.join_topic("t3")
        ((_, _, ic),) = await stage(emu, "carol")
        assert [
            topic_event(
                "SNAPSHOT",
                "stage",
                "",
                [("t1", ["zed", "amy"]), ("t3", ["zed"]), ("t2", ["amy"])],
                ts=T0,
            )
        ] == ic.take_topics()

    @pytest.mark.parametrize("how", ["leave", "logout", "kick", "timeout"])
    async def test_r_m20_r_m21_leaving_the_channel_leaves_each_topic(
        self, emu: Emulator, how: str
    ) -> None:
        (alice, a, ia), (_, b, ib) = await stage(emu, "alice", "bob")
        await a.join_topic("t2")
        await a.join_topic("t1")
        await b.join_topic("t9")
        ib.take_topics()
        ia.take_topics()
        if how == "leave":
            await a.leave()
        elif how == "logout":
            await alice.logout()
        elif how == "kick":
            await emu.client("alice").login()
        else:
            emu.disconnect("alice")
            emu.advance(alice.config.timeout_ms / 1000)
        at = emu.now_ms
        assert [
            topic_event("REMOTE_LEAVE", "stage", "alice", [("t2", ["alice"])], ts=at),
            topic_event("REMOTE_LEAVE", "stage", "alice", [("t1", ["alice"])], ts=at),
        ] == ib.take_topics()
        assert [] == ia.take_topics()  # R-M21: no event to itself
        assert ["bob"] == [c.user_id for c in emu._engine._topics.members_of(alice.app_id, "stage")]

    async def test_r_m21_joining_again_starts_afresh(self, emu: Emulator) -> None:
        (_, a, ia), (_, b, _) = await stage(emu, "alice", "bob")
        await b.join_topic("t1")
        await a.join_topic("mine")
        await a.subscribe_topic("t1")
        await a.leave()
        ia.take_topics()
        await a.join()
        assert [topic_event("SNAPSHOT", "stage", "", [("t1", ["bob"])], ts=T0)] == ia.take_topics()
        await fails(emu, lambda: a.leave_topic("mine"), -11016, "leaveTopic")
        await fails(emu, lambda: a.unsubscribe_topic("t1"), -11013, "unsubscribeTopic")


# ======================================================================== R-M15..R-M19


class TestSubscribe:
    async def test_r_m15_subscribe_every_publisher_and_receive(self, emu: Emulator) -> None:
        (_, a, ia), (_, b, ib) = await stage(emu, "alice", "bob")
        await a.join_topic("t1")
        result = await b.subscribe_topic("t1")
        assert {
            "failedUsers": [],
            "failedDetails": [],
            "succeedUsers": ["alice"],
            "timestamp": 0,
            "topicName": "t1",
        } == result.to_dict()
        assert SubscribeTopicResponse("t1", ["alice"]) == result
        assert () == (await b.subscribe_topic("t1")).succeed_users  # already: ignored
        emu.advance(0.5)
        await a.publish_topic_message("t1", "hi")
        await a.publish_topic_message("t1", b"\x01\x02", custom_type="ct")
        assert [
            topic_message("stage", "t1", "alice", "hi", ts=T0 + 500),
            topic_message("stage", "t1", "alice", b"\x01\x02", ts=T0 + 500, custom="ct"),
        ] == ib.take()
        assert [] == ia.take()  # R-M9: never to the publisher

    async def test_r_m19_event_shape(self, emu: Emulator) -> None:
        (_, a, _), (_, b, ib) = await stage(emu, "alice", "bob")
        await a.join_topic("t1")
        await b.subscribe_topic("t1", users=["alice"])
        await a.publish_topic_message("t1", "x")
        assert [
            "channelName",
            "channelType",
            "topicName",
            "message",
            "publisher",
            "messageType",
            "customType",
            "timestamp",
        ] == list(ib.take()[0])

    async def test_r_m15_invalid_and_duplicate_users(self, emu: Emulator) -> None:
        (_, a, _), (_, b, _) = await stage(emu, "alice", "bob")
        await a.join_topic("t1")
        await b.subscribe_topic("t1")
        result = await b.subscribe_topic("t1", {"users": ["alice", "a.b", "alice", 5]})
        assert {
            "failedUsers": ["a.b", 5],
            "failedDetails": [
                {"user": "a.b", "errorCode": 4, "timestamp": 0, "topicName": "t1"},
                {"user": 5, "errorCode": 4, "timestamp": 0, "topicName": "t1"},
            ],
            "succeedUsers": [],
            "timestamp": 0,
            "topicName": "t1",
        } == result.to_dict()

    async def test_r_m15_users_must_be_a_list(self, emu: Emulator) -> None:
        (_, a, _), (_, b, _) = await stage(emu, "alice", "bob")
        await a.join_topic("t1")
        for users in ("alice", 0, {"alice": 1}):
            with pytest.raises(TypeError, match=r"g\.filter is not a function"):
                await b.subscribe_topic("t1", {"users": users})

    async def test_r_m15_unknown_topic(self, emu: Emulator) -> None:
        (_, a, _), (_, b, _) = await stage(emu, "alice", "bob")
        await fails(emu, lambda: b.subscribe_topic("nope"), -11017, "subscribeTopic")
        await fails(emu, lambda: b.subscribe_topic("nope", users=[]), -11017, "subscribeTopic")
        await a.join_topic("mine")
        own = await a.subscribe_topic("mine", users=["a.b"])
        assert (["a.b"], []) == (list(own.failed_users), list(own.succeed_users))
        assert ["ghost"] == list((await b.subscribe_topic("nope", users=["ghost"])).succeed_users)
        assert ["ghost"] == list(b.get_subscribed_user_list("nope").subscribed)

    async def test_r_m15_pre_subscription_persists(self, emu: Emulator) -> None:
        (_, a, _), (_, b, ib) = await stage(emu, "alice", "bob")
        await b.subscribe_topic("t5", users=["alice", "carol"])
        await a.join_topic("t5")  # alice is subscribed at once
        await a.publish_topic_message("t5", "pre-sub works")
        assert ["pre-sub works"] == [m["message"] for m in ib.take()]
        assert ["alice", "carol"] == list(b.get_subscribed_user_list("t5").subscribed)
        await a.leave_topic("t5")  # back to pre-subscribed
        assert ["alice", "carol"] == list(b.get_subscribed_user_list("t5").subscribed)
        await a.join_topic("t5")
        await a.publish_topic_message("t5", "again")
        assert ["again"] == [m["message"] for m in ib.take()]

    async def test_r_m15_known_topic_pre_subscribes_non_publishers(self, emu: Emulator) -> None:
        (_, a, _), (_, b, _), (_, c, _) = await stage(emu, "alice", "bob", "carol")
        await a.join_topic("t3")
        await c.join_topic("t3")
        result = await b.subscribe_topic("t3", users=["zed", "carol"])
        assert ["zed", "carol"] == list(result.succeed_users)
        assert ["carol", "zed"] == list(b.get_subscribed_user_list("t3").subscribed)
        rest = await b.subscribe_topic("t3", users=[])
        assert ["alice"] == list(rest.succeed_users)

    async def test_r_m15_64_users_per_topic_first_in_code_point_order(self, emu: Emulator) -> None:
        ((_, b, _),) = await stage(emu, "bob")
        users = [f"u{i}" for i in range(65)]
        result = await b.subscribe_topic("big", users=list(reversed(users)))
        kept = sorted(users)[:64]
        assert kept == list(result.succeed_users)
        assert [sorted(users)[64]] == list(result.failed_users)
        assert [20003] == [d.error_code for d in result.failed_details]
        await fails(emu, lambda: b.subscribe_topic("big", users=["x"]), -11003, "subscribeTopic")

    async def test_r_m15_64_publishers_cap_the_subscription(self) -> None:
        emu = Emulator(strict=True)
        names = [f"p{i:02d}" for i in range(66)]
        members = await stage(emu, "bob", *names)
        for _, stream, _ in members[1:]:
            await stream.join_topic("t")
        (_, b, _) = members[0]
        await b.subscribe_topic("t", users=["ghost"])  # one pre-subscribed: 63 places left
        result = await b.subscribe_topic("t")
        assert sorted(names)[:63] == list(result.succeed_users)
        assert sorted(names)[63:] == list(result.failed_users)

    async def test_r_m15_fifty_one_topics_then_the_limit(self, emu: Emulator) -> None:
        ((_, b, _),) = await stage(emu, "bob")
        for i in range(51):
            await b.subscribe_topic(f"t{i}", users=["ghost"])
        await fails(
            emu, lambda: b.subscribe_topic("t51", users=["ghost"]), -11014, "subscribeTopic"
        )

    async def test_r_m16_unsubscribe(self, emu: Emulator) -> None:
        (_, a, _), (_, b, ib) = await stage(emu, "alice", "bob")
        await a.join_topic("t1")
        await b.subscribe_topic("t1", users=["alice", "carol"])
        assert {"timestamp": 0} == (await b.unsubscribe_topic("t1", users=["zed", "a.b"])).to_dict()
        assert ["alice", "carol"] == list(b.get_subscribed_user_list("t1").subscribed)
        await b.unsubscribe_topic("t1", {"users": ["carol"]})
        await b.unsubscribe_topic("t1", users=["alice"])
        await a.publish_topic_message("t1", "not heard")
        assert [] == ib.take()
        await fails(emu, lambda: b.unsubscribe_topic("t1"), -11013, "unsubscribeTopic")
        await fails(emu, lambda: b.unsubscribe_topic("never"), -11013, "unsubscribeTopic")
        await b.subscribe_topic("t1", users=["alice", "carol"])
        await b.unsubscribe_topic("t1")  # everyone
        await fails(emu, lambda: b.get_subscribed_user_list("t1"), -11013, "getSubscribedUserList")

    async def test_r_m17_get_subscribed_user_list_is_synchronous(self, emu: Emulator) -> None:
        (_, a, _), (_, b, _) = await stage(emu, "alice", "bob")
        await a.join_topic("t1")
        await b.subscribe_topic("t1", users=["zed", "alice"])
        listed = b.get_subscribed_user_list("t1")
        assert {
            "subscribed": ["alice", "zed"],
            "timestamp": 0,
            "topicName": "t1",
        } == listed.to_dict()
        assert listed == b.getSubscribedUserList("t1")
        with pytest.raises(Exception) as info:
            b.get_subscribed_user_list("t4")
        assert -11013 == info.value.code  # type: ignore[attr-defined]

    @pytest.mark.parametrize(
        ("body", "custom", "code"),
        [
            ("", 33 * "c", -11029),
            ("", 7, -11030),
            ("", None, -11009),
            ("x" * 1025, None, -11010),
            ("x" * 1021, "abcd", -11010),
            (b"\0" * 1025, None, -11010),
            (memoryview(bytes(2000))[:2], None, -11010),
            ("x" * 1024, 0, -11010),  # String(0) is one byte (R-M18)
        ],
        ids=repr,
    )
    async def test_r_m18_checks(self, emu: Emulator, body: Any, custom: Any, code: int) -> None:
        ((_, a, _),) = await stage(emu, "alice")
        await a.join_topic("t1")
        await fails(
            emu,
            lambda: a.publish_topic_message("t1", body, {"customType": custom}),
            code,
            "publishTopicMessage",
        )

    @pytest.mark.parametrize(
        ("body", "custom"),
        [
            ("x" * 1024, None),
            ("x" * 1020, "abcd"),
            (b"\0" * 1024, ""),
            (b"", None),
            ("x" * 1024, ""),
        ],
        ids=repr,
    )
    async def test_r_m18_accepted(self, emu: Emulator, body: Any, custom: Any) -> None:
        ((_, a, _),) = await stage(emu, "alice")
        await a.join_topic("t1")
        assert "t1" == (await a.publish_topic_message("t1", body, custom_type=custom)).topic_name

    @pytest.mark.parametrize(
        ("body", "text"),
        [
            (None, "Cannot read properties of null (reading 'buffer')"),
            (5, "Cannot read properties of undefined (reading 'byteLength')"),
            ({}, "Cannot read properties of undefined (reading 'byteLength')"),
        ],
    )
    async def test_r_m18_other_messages_are_type_errors(
        self, emu: Emulator, body: Any, text: str
    ) -> None:
        ((_, a, _),) = await stage(emu, "alice")
        await a.join_topic("t1")
        with pytest.raises(TypeError) as info:
            await a.publish_topic_message("t1", body)
        assert text == str(info.value)

    async def test_r_m18_order_and_not_joined(self, emu: Emulator) -> None:
        (_, a, _), (_, b, _) = await stage(emu, "alice", "bob")
        await a.join_topic("t1")
        await fails(
            emu, lambda: a.publish_topic_message("t9", "x" * 2000), -11010, "publishTopicMessage"
        )
        await fails(emu, lambda: a.publish_topic_message("t9", "x"), -11016, "publishTopicMessage")
        await fails(emu, lambda: b.publish_topic_message("t1", "x"), -11016, "publishTopicMessage")


# ======================================================================== R-M12: link back


async def test_r_m12_link_back_catches_up_like_an_rtc_reconnect(emu: Emulator) -> None:
    (_, a, _), (_, b, ib), (_, c, _) = await stage(emu, "alice", "bob", "carol")
    await a.join_topic("gone")
    await c.join_topic("kept")
    await b.subscribe_topic("kept")
    await b.subscribe_topic("later", users=["alice"])
    ib.take_topics()
    emu.disconnect("bob")
    await a.leave_topic("gone")
    await a.join_topic("new")
    await a.join_topic("later")
    await c.publish_topic_message("kept", "lost: bob's link is down")
    assert [] == ib.take_topics()
    emu.reconnect("bob")
    emu.advance_to_next_event()
    at = emu.now_ms
    assert [
        topic_event("REMOTE_JOIN", "stage", "alice", [("new", ["alice"])], ts=at),
        topic_event("REMOTE_JOIN", "stage", "alice", [("later", ["alice"])], ts=at),
        topic_event("REMOTE_LEAVE", "stage", "alice", [("gone", ["alice"])], ts=at),
    ] == ib.take_topics()
    assert [] == ib.take()
    await a.publish_topic_message("later", "subscribed when back")
    await c.publish_topic_message("kept", "heard again")
    assert ["subscribed when back", "heard again"] == [m["message"] for m in ib.take()]


# ================================================================ R-M12 RTC link, R-M20


class TestTheRtcLinkFollowsTheNetwork:
    """[ours] R-M12: the network switch cuts a client's RTC link too; the link events and
    answers are the SDK's (oracle cases ``topic.link-down.*``)."""

    @staticmethod
    def links(client: RTMClient) -> list[tuple[str, str, str, str, tuple[str, ...], bool]]:
        seen: list[tuple[str, str, str, str, tuple[str, ...], bool]] = []

        def on_link(e: Any) -> None:
            d = e.to_dict()
            seen.append(
                (
                    d["serviceType"],
                    d["currentState"],
                    d["operation"],
                    d["reasonCode"],
                    tuple(d["affectedChannels"]),
                    d["isResumed"],
                )
            )

        client.add_event_listener("linkState", on_link)
        return seen

    async def test_r_m12_each_stream_link_goes_down_first_and_comes_back_last(
        self, emu: Emulator
    ) -> None:
        ((alice, _, _),) = await stage(emu, "alice")
        await alice.create_stream_channel("stage2").join()
        seen = self.links(alice)
        emu.disconnect("alice")
        assert [
            ("STREAM", "CONNECTING", "AUTO_RECONNECT", "AUTO_RECONNECT", ("stage",), False),
            ("STREAM", "CONNECTING", "AUTO_RECONNECT", "AUTO_RECONNECT", ("stage2",), False),
            ("MESSAGE", "DISCONNECTED", "HEARTBEAT_TIMEOUT", "KEEP_ALIVE_TIMEOUT", (), False),
        ] == seen
        seen.clear()
        emu.reconnect("alice")
        emu.advance(5)
        assert [
            ("MESSAGE", "CONNECTING", "AUTO_RECONNECT", "AUTO_RECONNECT", (), False),
            ("MESSAGE", "CONNECTED", "AUTO_RECONNECT", "RECONNECT_SUCCESS", (), True),
            ("STREAM", "CONNECTED", "RECONNECTED", "RECONNECT_SUCCESS", ("stage",), True),
            ("STREAM", "CONNECTED", "RECONNECTED", "RECONNECT_SUCCESS", ("stage2",), True),
        ] == seen
        assert "t1" == (await alice.create_stream_channel("stage").join_topic("t1")).topic_name

    async def test_r_m12_while_down_leave_works_and_join_again_is_duplicate(
        self, emu: Emulator
    ) -> None:
        ((alice, stream, _),) = await stage(emu, "alice")
        await alice.create_stream_channel("stage2").join()
        emu.disconnect("alice")
        with pytest.raises(RtmError) as again:  # the SDK: "Same subscribe, join or login"
            await alice.create_stream_channel("stage2").join()
        assert (-10017, "join") == (again.value.code, again.value.operation)
        await fails(emu, lambda: stream.join_topic("t1"), -11001, "joinTopic")
        seen = self.links(alice)
        await stream.leave()
        assert [("STREAM", "IDLE", "LEAVE", "LEAVE", ("stage",), False)] == seen
        seen.clear()
        emu.reconnect("alice")
        emu.advance(5)
        assert (
            "STREAM",
            "CONNECTED",
            "RECONNECTED",
            "RECONNECT_SUCCESS",
            ("stage2",),
            True,
        ) in seen
        assert not [s for s in seen if s[4] == ("stage",)]  # left: nothing comes back

    async def test_r_m12_logout_leaves_each_stream_link_first(self, emu: Emulator) -> None:
        ((alice, _, _),) = await stage(emu, "alice")
        seen = self.links(alice)
        await alice.logout()
        assert [
            ("STREAM", "IDLE", "LEAVE", "LEAVE", ("stage",), False),
            ("MESSAGE", "IDLE", "LOGOUT", "LOGOUT", (), False),
        ] == seen

    async def test_r_m20_a_leaver_is_heard_by_presence_first_then_by_topic(self) -> None:
        emu = Emulator(EmulatorConfig(debounce=0), strict=True)
        (bob, _, _), (_, stream, _) = await stage(emu, "bob", "alice")
        await stream.join_topic("t1")
        order: list[str] = []
        bob.add_event_listener("presence", lambda e: order.append(f"presence {e.event_type}"))
        bob.add_event_listener("topic", lambda e: order.append(f"topic {e.event_type}"))
        await stream.leave()
        assert ["presence REMOTE_LEAVE", "topic REMOTE_LEAVE"] == order
