"""Storage over the server (issue 17): the storage methods, ``storage`` events before the
writer's reply, the STORAGE_* parameters on a frame (R-ST1..R-ST19)."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("websockets")

from .support import CallFailed, Peer, running


def _storage(peer: Peer) -> list[dict[str, Any]]:
    return [e["data"] for e in peer.events if e["name"] == "storage"]


async def test_metadata_round_trip_and_events() -> None:
    """R-ST10, R-ST15, R-ST16, D-ST8: bob's UPDATE reaches alice's socket before bob's
    reply; the get answers in the runtime's key order."""
    async with running() as world:
        alice = await world.user("alice")
        bob = await world.user("bob")
        await alice.call("subscribe", "room", {"withMetadata": True, "withPresence": False})
        items = [{"key": "b", "value": "1"}, {"key": "7", "value": "x"}]
        result = await bob.call("storage.setChannelMetadata", "room", "MESSAGE", items)
        assert ["totalCount", "timestamp", "channelName", "channelType"] == list(result)
        got = await bob.call("storage.getChannelMetadata", "room", "MESSAGE")
        assert ["7", "b"] == list(got["metadata"])
        assert {"value": "1", "revision": 1, "updated": 0, "authorUid": ""} == got["metadata"]["b"]
        events = _storage(alice)
        assert [("SNAPSHOT", 0), ("UPDATE", 1)] == [
            (e["eventType"], e["data"]["majorRevision"]) for e in events
        ]
        assert "CHANNEL" == events[1]["storageType"] and "" == events[1]["publisher"]


async def test_errors_carry_the_sdk_operation() -> None:
    """R-ST4, R-ST13, R-ST14: the setters' -12009 name ``storage``; -12015 is the SDK's
    RtmInvalidStatusError."""
    async with running() as world:
        alice = await world.user("alice")
        with pytest.raises(CallFailed) as caught:
            await alice.call("storage.setUserMetadata", [{"value": "v"}])
        assert (-12009, "storage") == (
            caught.value.error["errorCode"],
            caught.value.error["operation"],
        )
        with pytest.raises(CallFailed) as caught:
            await alice.call("storage.unsubscribeUserMetadata", "bob")
        assert (-12015, "RtmInvalidStatusError") == (
            caught.value.error["errorCode"],
            caught.value.error["name"],
        )
        assert {"timestamp": 0, "userId": "bob"} == await alice.call(
            "storage.subscribeUserMetadata", "bob"
        )


async def test_storage_switches_come_with_the_frame() -> None:
    """R-ST3, R-ST15: ``parameters.STORAGE_ENABLED`` false is -12019 for that call;
    ``STORAGE_CHANNEL_SUB_ENABLED`` false fails a withMetadata subscribe."""
    async with running() as world:
        alice = await world.user("alice")
        reply = await alice.send_raw(
            '{"id": "s1", "method": "storage.getUserMetadata", "params": [],'
            ' "parameters": {"STORAGE_ENABLED": false}}',
            "s1",
        )
        assert (-12019, "getUserMetadata") == (
            reply["error"]["errorCode"],
            reply["error"]["operation"],
        )
        reply = await alice.send_raw(
            '{"id": "s2", "method": "subscribe", "params": ["room", {"withMetadata": true}],'
            ' "parameters": {"STORAGE_CHANNEL_SUB_ENABLED": false}}',
            "s2",
        )
        assert -12019 == reply["error"]["errorCode"]
        got = await alice.call("storage.getUserMetadata")
        assert 0 == got["majorRevision"]


async def test_js_values_json_cannot_carry() -> None:
    """R-ST4, R-ST5: the JS client's tags for a NaN revision and a null ``data`` reach the
    engine as the SDK's values: -12005 for NaN (JSON's null would read as no revision),
    the TypeError naming null, and updateUserMetadata's ``data ?? []`` (-12003)."""
    nan = {"$": "number", "value": "NaN"}
    async with running() as world:
        alice = await world.user("alice")
        for args in (
            ["room", "MESSAGE", [{"key": "a", "value": "1", "revision": nan}]],
            ["room", "MESSAGE", [{"key": "a", "value": "1"}], {"majorRevision": nan}],
        ):
            with pytest.raises(CallFailed) as caught:
                await alice.call("storage.setChannelMetadata", *args)
            assert -12005 == caught.value.error["errorCode"]
        with pytest.raises(CallFailed) as caught:
            await alice.call("storage.setChannelMetadata", "room", "MESSAGE", {"$": "null"})
        assert {
            "name": "TypeError",
            "message": "Cannot read properties of null (reading 'forEach')",
        } == caught.value.exception
        with pytest.raises(CallFailed) as caught:
            await alice.call("storage.updateUserMetadata", {"$": "null"})
        assert -12003 == caught.value.error["errorCode"]
        got = await alice.call("storage.getChannelMetadata", "room", "MESSAGE")
        assert (0, {}) == (got["majorRevision"], got["metadata"])
