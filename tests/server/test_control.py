"""The control API: time, faults, reset, inspection, journal export."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("websockets")

from .support import CallFailed, running

START = 1_735_689_600_000


async def test_time_moves_only_with_advance_and_fires_timers_in_order() -> None:
    async with running() as world:
        control = await world.control()
        alice, bob = await world.in_room("alice", "bob")
        await bob.call("unsubscribe", "room")
        assert ("REMOTE_JOIN", "bob") == alice.presence()[-1]
        assert {"nowMs": START, "elapsed": 0.0} == await control.control("now")
        timers = await control.control("pendingTimers")
        assert [START + 2000] == [t["dueMs"] for t in timers]
        assert "REMOTE_LEAVE" in timers[0]["label"]
        assert {"nowMs": START + 1999} == await control.control("advance", seconds=1.999)
        assert ("REMOTE_JOIN", "bob") == alice.presence()[-1]
        await control.control("advance", seconds=0.001)
        assert ("REMOTE_LEAVE", "bob") == alice.presence()[-1]  # delivered before the reply
        assert [] == await control.control("pendingTimers")


async def test_run_until_idle_and_advance_to_next_event() -> None:
    async with running() as world:
        control = await world.control()
        _alice, bob = await world.in_room("alice", "bob")
        await bob.call("logout")
        assert {"nowMs": START + 2000, "fired": True} == await control.control("advanceToNextEvent")
        assert {"nowMs": START + 2000, "fired": False} == await control.control(
            "advanceToNextEvent"
        )
        await control.control("disconnect", userId="alice")
        result = await control.control("runUntilIdle")
        assert result["fired"] == 2  # SUSPENDED at +120 s, the timeout at +315 s
        assert START + 2000 + 315_000 == result["nowMs"]


async def test_disconnect_reconnect_and_faults() -> None:
    async with running() as world:
        control = await world.control()
        alice = await world.user("alice", appId="app2")
        await alice.call("subscribe", "room")
        with pytest.raises(CallFailed) as caught:
            await control.control("disconnect", userId="alice")  # wrong app
        assert ("disconnect", -10002) == (
            caught.value.error["operation"],
            caught.value.error["errorCode"],
        )
        assert {} == await control.control("disconnect", userId="alice", appId="app2")
        assert ("CONNECTED", "DISCONNECTED") == alice.links()[-1]
        with pytest.raises(CallFailed) as caught:
            await alice.call("presence.whoNow", "room", "MESSAGE")
        assert -10025 == caught.value.error["errorCode"]
        await control.control("reconnect", userId="alice", appId="app2")
        assert ("DISCONNECTED", "CONNECTED") == alice.links()[-1]

        await control.control(
            "setPresenceAvailable", channelName="hall", channelType="MESSAGE", available=False
        )
        bob = await world.user("bob")
        await bob.call("subscribe", "hall")
        assert [("ERROR_OUT_OF_SERVICE", "")] == bob.take()
        with pytest.raises(CallFailed) as caught:
            await control.control(
                "setPresenceAvailable", channelName="hall", channelType="MESSAGE", available=1
            )
        assert "available" in caught.value.error["reason"]

        await control.control("setDeliveryLatency", userId="bob", seconds=1.5)
        carol = await world.user("carol")
        await carol.call("subscribe", "hall")
        await control.control(
            "setPresenceAvailable", channelName="hall", channelType="MESSAGE", available=True
        )
        await carol.call("presence.setState", "hall", "MESSAGE", {"k": "v"})
        assert [] == bob.take()
        await control.control("advance", seconds=1.5)
        assert [("REMOTE_STATE_CHANGED", "carol")] == bob.take()


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
        assert 50 == info["config"]["announceMax"]


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
            "REMOTE_JION" in caught.value.error["reason"],
        )
        with pytest.raises(CallFailed) as caught:
            await control.control("journal", format="xml")
        assert "xml" in caught.value.error["reason"]
        await control.control("clearJournal")
        assert [] == await control.control("journal")


async def test_reset_validates_first_then_closes_every_session() -> None:
    async with running() as world:
        control = await world.control()
        alice = await world.user("alice")
        await alice.call("subscribe", "room")
        for bad, named in [({"announceMax": 3}, "announce_max"), ({"pageSze": 1}, "pageSze")]:
            with pytest.raises(CallFailed) as caught:
                await control.control("reset", config=bad)
            assert named in caught.value.error["reason"]
        assert ["alice"] == await control.control(
            "onlineUsers", channelName="room", channelType="MESSAGE"
        )  # a failed reset changed nothing
        info = await control.control("reset", config={"announceMax": 8, "startTimeMs": 5})
        assert (8, 5, 0) == (info["config"]["announceMax"], info["nowMs"], info["sessions"])
        # the reply came after alice's socket was closed with 4001
        assert 4001 == alice.ws.close_code
        assert [] == await control.control("onlineUsers", channelName="room", channelType="MESSAGE")
        # session ids are never reused, so a stale client cannot resume a new session
        again = await world.peer()
        hello = await again.request("hello", {"userId": "alice"})
        assert "s2" == hello["result"]["session"]  # s1 was alice before the reset
        stale = await world.peer()
        refused = await stale.request("hello", {"resume": "s1"})
        assert -32002 == refused["error"]["errorCode"]


async def test_control_params_are_checked() -> None:
    async with running() as world:
        control = await world.control()
        cases = [
            ("advance", {}, "missing parameter 'seconds'"),
            ("advance", {"seconds": 1, "secs": 2}, "unknown parameter 'secs'"),
            ("advance", {"seconds": "1"}, "'1'"),
            ("advance", {"seconds": float("1e10")}, "10000000000.0"),
            ("disconnect", {"userId": "a", "appId": ""}, "appId"),
            ("stateOf", {"userId": "a", "channelName": "r", "channelType": "USER"}, "USER"),
            ("reset", {"config": [1]}, "[1]"),
            ("now", {"x": 1}, "unknown parameter 'x'"),
        ]
        for method, params, named in cases:
            with pytest.raises(CallFailed) as caught:
                await control.control(method, **params)
            error = caught.value.error
            assert error["errorCode"] in (-10014, -10019), (method, error)
            assert named in error["reason"], (method, error["reason"])
