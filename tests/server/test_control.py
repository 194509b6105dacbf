"""The control API: time, faults, reset, inspection, journal export."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("websockets")

from rtm_emulator import DEFAULT_APP_ID

from .support import CallFailed, running

START = 1_735_689_600_000
APP2 = "App2App2App2App2App2App2App2App2"


async def test_time_moves_only_with_advance_and_fires_timers_in_order() -> None:
    async with running() as world:
        control = await world.control()
        alice, bob = await world.in_room("alice", "bob")
        await bob.call("unsubscribe", "room")
        assert ("REMOTE_JOIN", "bob") == alice.presence()[-1]
        assert {"nowMs": START, "elapsed": 0.0} == await control.control("now")
        timers = await control.control("pendingTimers")
        assert [START + 2000] == [t["dueMs"] for t in timers]  # R-E6: the debounce
        assert "'bob'" in timers[0]["label"] and "'room'" in timers[0]["label"]
        assert {"nowMs": START + 1999} == await control.control("advance", seconds=1.999)
        assert ("REMOTE_JOIN", "bob") == alice.presence()[-1]
        await control.control("advance", seconds=0.001)
        assert ("REMOTE_LEAVE", "bob") == alice.presence()[-1]  # delivered before the reply
        assert [] == await control.control("pendingTimers")


async def test_run_until_idle_and_advance_to_next_event() -> None:
    """run_until_idle stops once the server has timed the user out (R-T2): later
    retries of a client whose network is down change nothing (R-T4)."""
    async with running() as world:
        control = await world.control()
        alice, bob = await world.in_room("alice", "bob")
        await bob.call("logout")
        assert {"nowMs": START + 2000, "fired": True} == await control.control("advanceToNextEvent")
        assert {"nowMs": START + 2000, "fired": False} == await control.control(
            "advanceToNextEvent"
        )
        await control.control("disconnect", userId="alice")
        result = await control.control("runUntilIdle")
        # R-T4 until the timeout at 315 s: 11 attempts (2, 11, 24, 45, 82, 119, 154, 189,
        # 224, 259, 294 s), their 11 failures 5 s later, the 115 s SUSPENDED timer, and
        # the server's timeout (R-T2)
        assert 11 + 11 + 1 + 1 == result["fired"]
        assert START + 2000 + 315_000 == result["nowMs"]
        assert ("CONNECTING", "SUSPENDED") == alice.links()[-1]


async def test_disconnect_and_reconnect_of_a_user_of_another_app() -> None:
    """emu.disconnect / emu.reconnect over the wire (R-T2, R-T4): the socket stays open,
    so the link events arrive live; the client reconnects at its next retry."""
    async with running() as world:
        control = await world.control()
        alice = await world.user("alice", appId=APP2)
        await alice.call("subscribe", "room")
        with pytest.raises(CallFailed) as caught:
            await control.control("disconnect", userId="alice")  # the default app: nobody
        error = caught.value.error
        assert ("disconnect", -10014) == (error["operation"], error["errorCode"])
        assert "alice" in error["detail"] and DEFAULT_APP_ID in error["detail"]
        assert {} == await control.control("disconnect", userId="alice", appId=APP2)
        assert ("CONNECTED", "DISCONNECTED") == alice.links()[-1]
        with pytest.raises(CallFailed) as caught:
            await alice.call("presence.whoNow", "room", "MESSAGE")
        assert -10025 == caught.value.error["errorCode"]
        assert {} == await control.control("reconnect", userId="alice", appId=APP2)
        assert ("CONNECTED", "DISCONNECTED") == alice.links()[-1]  # not before the retry
        await control.control("advance", seconds=2)
        assert [("DISCONNECTED", "CONNECTING"), ("CONNECTING", "CONNECTED")] == alice.links()[-2:]
        await alice.call("presence.whoNow", "room", "MESSAGE")


async def test_presence_outage_and_delivery_latency() -> None:
    """R-E8: no ERROR_OUT_OF_SERVICE, no events during an outage, a fresh SNAPSHOT when
    the store is back; R-E9: a latency fault delays a client's events."""
    async with running() as world:
        control = await world.control()
        await control.control(
            "setPresenceAvailable", channelName="hall", channelType="MESSAGE", available=False
        )
        bob = await world.user("bob")
        await bob.call("subscribe", "hall")
        assert [] == bob.take()
        with pytest.raises(CallFailed) as caught:
            await control.control(
                "setPresenceAvailable", channelName="hall", channelType="MESSAGE", available=1
            )
        assert "available" in caught.value.error["detail"]

        await control.control("setDeliveryLatency", userId="bob", seconds=1.5)
        carol = await world.user("carol")
        await carol.call("subscribe", "hall")
        assert [] == bob.take() + carol.take()
        await control.control(
            "setPresenceAvailable", channelName="hall", channelType="MESSAGE", available=True
        )
        assert [("SNAPSHOT", "")] == carol.take()
        await carol.call("presence.setState", "hall", "MESSAGE", {"k": "v"})
        assert [] == bob.take()
        await control.control("advance", seconds=1.499)
        assert [] == bob.take()
        await control.control("advance", seconds=0.001)
        assert [("SNAPSHOT", ""), ("REMOTE_STATE_CHANGED", "carol")] == bob.take()


async def test_an_outage_falls_back_to_the_member_registry_after_60_s() -> None:
    """R-E8: after 60 s of outage a listener gets a SNAPSHOT without states."""
    async with running() as world:
        control = await world.control()
        (bob,) = await world.in_room("bob", channel="hall")
        await bob.call("presence.setState", "hall", "MESSAGE", {"k": "v"})
        bob.take()
        await control.control(
            "setPresenceAvailable", channelName="hall", channelType="MESSAGE", available=False
        )
        await control.control("advance", seconds=59.999)
        assert [] == bob.take()
        await control.control("advance", seconds=0.001)
        (snapshot,) = [e["data"] for e in bob.events if e["name"] == "presence"]
        assert "SNAPSHOT" == snapshot["eventType"]
        assert [("bob", {})] == [(u["userId"], u["states"]) for u in snapshot["snapshot"]]


async def test_inspection_matches_the_engine() -> None:
    async with running() as world:
        control = await world.control()
        bob = await world.user("bob")
        await bob.call("subscribe", "room")
        await bob.call("streamChannel.join", "stage", {"beQuiet": True})
        await bob.call("presence.setState", "room", "MESSAGE", {"seat": "3"})
        assert ["bob"] == await control.control(
            "onlineUsers", channelName="room", channelType="MESSAGE"
        )
        assert [] == await control.control(
            "onlineUsers", channelName="stage", channelType="STREAM"
        )  # quiet users are not listed
        assert [
            {"channelType": "MESSAGE", "channelName": "room"},
            {"channelType": "STREAM", "channelName": "stage"},
        ] == await control.control("userChannels", userId="bob")
        assert {"seat": "3"} == await control.control(
            "stateOf", userId="bob", channelName="room", channelType="MESSAGE"
        )
        assert {} == await control.control("checkInvariants")
        info = await control.control("info")
        assert ("manual", 1, START) == (info["clock"], info["sessions"], info["nowMs"])
        assert DEFAULT_APP_ID == info["defaultAppId"]
        assert {
            "startTimeMs": START,
            "announceMax": 50,
            "interval": 30.0,
            "debounce": 2.0,
            "maxChannelUsers": 50_000,
            "rateLimits": False,
            "appCertificates": {},
        } == info["config"]


async def test_journal_export_and_filters() -> None:
    async with running() as world:
        control = await world.control()
        _alice, _bob = await world.in_room("alice", "bob")
        entries = await control.control("journal", recipient="alice", kind="presence")
        assert [
            ("alice", "presence", "SNAPSHOT", 1),
            ("alice", "presence", "REMOTE_JOIN", 2),
        ] == [
            (e["recipient"], e["kind"], e["event"]["eventType"], e["event"]["seq"]) for e in entries
        ]
        jsonl = await control.control("journal", format="jsonl", eventType="REMOTE_JOIN")
        assert [json.loads(line) for line in jsonl.splitlines()] == entries[1:]
        everything = await control.control("journal")
        assert ["linkState"] * 2 + ["presence"] + ["linkState"] * 2 + ["presence"] * 2 == [
            e["kind"] for e in everything
        ]
        with pytest.raises(CallFailed) as caught:
            await control.control("journal", eventType="REMOTE_JION")
        assert (-10014, True) == (
            caught.value.error["errorCode"],
            "REMOTE_JION" in caught.value.error["detail"],
        )
        with pytest.raises(CallFailed) as caught:
            await control.control("journal", format="xml")
        assert "xml" in caught.value.error["detail"]
        await control.control("clearJournal")
        assert [] == await control.control("journal")


async def test_reset_validates_first_then_closes_every_session() -> None:
    """R-C4 ranges: announceMax 8..128, interval 10..300 s; rateLimits a bool (R-C6)."""
    async with running() as world:
        control = await world.control()
        alice = await world.user("alice")
        await alice.call("subscribe", "room")
        bad_configs: list[tuple[dict[str, object], str]] = [
            ({"announceMax": 7}, "announce_max"),
            ({"announceMax": 129}, "announce_max"),
            ({"interval": 9.999}, "interval"),
            ({"interval": 301}, "interval"),
            ({"rateLimits": 1}, "rate_limits"),
            ({"pageSze": 1}, "pageSze"),
        ]
        for bad, named in bad_configs:
            with pytest.raises(CallFailed) as caught:
                await control.control("reset", config=bad)
            assert -10014 == caught.value.error["errorCode"], bad
            assert named in caught.value.error["detail"], bad
        assert ["alice"] == await control.control(
            "onlineUsers", channelName="room", channelType="MESSAGE"
        )  # a failed reset changed nothing
        info = await control.control(
            "reset", config={"announceMax": 8, "interval": 10, "startTimeMs": 5}
        )
        assert (8, 10, 5, 0) == (
            info["config"]["announceMax"],
            info["config"]["interval"],
            info["nowMs"],
            info["sessions"],
        )
        # the reply came after alice's socket was closed with 4001
        assert 4001 == alice.ws.close_code
        assert [] == await control.control("onlineUsers", channelName="room", channelType="MESSAGE")
        # session ids are never reused, so a stale client cannot resume a new session
        again = await world.peer()
        hello = await again.request("hello", {"userId": "alice"})
        assert alice.session != hello["result"]["session"]  # alice's before the reset
        stale = await world.peer()
        refused = await stale.request("hello", {"resume": alice.session})
        assert -32002 == refused["error"]["errorCode"]
        info = await control.control("reset", config={"announceMax": 128, "interval": 300})
        assert (128, 300) == (info["config"]["announceMax"], info["config"]["interval"])


async def test_reset_can_switch_the_rate_limits_on() -> None:
    """R-C6: with rateLimits the 21st whoNow within a second is -10021 (operation: the
    limiter key; getOnlineUsers shares its budget and reports its own name, as the
    SDK's alias rewrites it); off by default."""
    async with running() as world:
        control = await world.control()
        info = await control.control("reset", config={"rateLimits": True})
        assert info["config"]["rateLimits"] is True
        alice = await world.user("alice")
        for _ in range(20):
            await alice.call("presence.whoNow", "room", "MESSAGE")
        for method, operation in [
            ("presence.whoNow", "whoNow"),
            ("presence.getOnlineUsers", "getOnlineUsers"),
        ]:
            with pytest.raises(CallFailed) as caught:
                await alice.call(method, "room", "MESSAGE")
            assert (operation, -10021) == (
                caught.value.error["operation"],
                caught.value.error["errorCode"],
            )
        await control.control("advance", seconds=1)
        await alice.call("presence.getOnlineUsers", "room", "MESSAGE")
        await control.control("reset")
        bob = await world.user("bob")
        for _ in range(21):
            await bob.call("presence.whoNow", "room", "MESSAGE")


async def test_control_params_are_checked() -> None:
    async with running() as world:
        control = await world.control()
        cases = [
            ("advance", {}, "missing parameter 'seconds'"),
            ("advance", {"seconds": 1, "secs": 2}, "unknown parameter 'secs'"),
            ("advance", {"seconds": "1"}, "'1'"),
            ("advance", {"seconds": float("1e10")}, "10000000000.0"),
            ("disconnect", {"userId": "a", "appId": ""}, "appId"),
            ("disconnect", {"userId": "a", "appId": "app2"}, "'app2'"),
            ("stateOf", {"userId": "a", "channelName": "r", "channelType": "USER"}, "USER"),
            ("reset", {"config": [1]}, "[1]"),
            ("now", {"x": 1}, "unknown parameter 'x'"),
        ]
        for method, params, named in cases:
            with pytest.raises(CallFailed) as caught:
                await control.control(method, **params)
            error = caught.value.error
            assert error["errorCode"] in (-10014, -10019), (method, error)
            assert named in error["detail"], (method, error["detail"])
