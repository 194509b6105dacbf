"""Real-SDK sessions' storage packets over the server (docs/real-sdk.md, D-RS9):
``StateModify`` / ``StateSet`` / ``StateGet`` / ``StateSubscribe`` / ``StateUnsubscribe``
are the engine's storage operations, and the engine's ``storage`` events reach a real SDK
as ``StateUpdate`` packets (D-ST1..D-ST10)."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("websockets")

from .support import Peer, eventually, running, sdk_call, sdk_user, wire_long

IS_GROUP = 1
CHECK_AND_SET = 1 << 17
ENABLE_RECORD_TS = 1 << 19
LOCK_REVISION2 = 1 << 20  # sent by the SDK on every write; the server ignores it


def _packets(peer: Peer, *names: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f["data"]["name"], f["data"]["payload"])
        for f in peer.events
        if f["name"] == "packet" and f["data"]["name"] in names
    ]


def _states(peer: Peer) -> list[tuple[str, dict[str, Any]]]:
    """The ``StateUpdate`` packets: (target, allStates parsed)."""
    return [(p["target"], json.loads(p["allStates"])) for _, p in _packets(peer, "StateUpdate")]


async def _packet(peer: Peer, name: str, payload: dict[str, Any]) -> None:
    await sdk_call(peer, "sdk.packet", {"name": name, "payload": payload})


def _modify(seq: int, target: str, value: dict[str, Any], flags: int = 0, **more: Any) -> Any:
    """A ``StateModify`` as agora-rtm.js 2.3.0 sends it."""
    return {
        "sequence": wire_long(seq),
        "target": target,
        "requestUuid": f"{seq}_i",
        "value": json.dumps(value, separators=(",", ":")),
        "lock": "",
        "lockRev": wire_long(0),
        "baseRevision": wire_long(0),
        "author": "",
        "flags": wire_long(flags | LOCK_REVISION2, True),
        **more,
    }


def _reply(peer: Peer, name: str) -> list[tuple[Any, Any]]:
    return [(p["sequence"], p["code"]) for _, p in _packets(peer, name)]


def _item(key: str, value: str) -> dict[str, str]:
    return {"key": key, "value": value}


def _storage(peer: Peer) -> list[dict[str, Any]]:
    return [e["data"] for e in peer.events if e["name"] == "storage"]


async def test_a_real_sdk_write_is_the_engine_write_an_ordinary_subscriber_hears() -> None:
    """D-ST2, D-ST5, D-ST8: a set (with time stamp and author) answered code 0; bob,
    subscribed withMetadata, hears the engine's UPDATE with the items' records."""
    async with running() as world:
        sdk = await sdk_user(world, "alice")
        bob = await world.user("bob")
        await bob.call("subscribe", "room", {"withMetadata": True})
        flags = IS_GROUP | ENABLE_RECORD_TS
        value = {"a": "1", "b": "2"}
        await _packet(sdk, "StateModify", _modify(7, "room", value, flags, author="alice"))
        assert [(wire_long(7), 0)] == _reply(sdk, "StateRequestResult")
        await eventually(lambda: len(_storage(bob)) == 2)
        update = _storage(bob)[1]
        assert ("UPDATE", "room", "MESSAGE", 1) == (
            update["eventType"],
            update["channelName"],
            update["channelType"],
            update["data"]["majorRevision"],
        )
        item = update["data"]["metadata"]["a"]
        assert ("1", 1, "alice") == (item["value"], item["revision"], item["authorUid"])
        assert item["updated"] > 0
        # an update (item revision -2) and a remove (null values) bump the revision
        await _packet(sdk, "StateModify", _modify(8, "room", {"a": "9", "_rev_a": -2}, IS_GROUP))
        await _packet(sdk, "StateModify", _modify(9, "room", {"b": None}, IS_GROUP))
        got = await bob.call("storage.getChannelMetadata", "room", "MESSAGE")
        assert (3, {"a": ("9", 2)}) == (
            got["majorRevision"],
            {k: (v["value"], v["revision"]) for k, v in got["metadata"].items()},
        )
        # a clear with compare-and-set at the current revision
        clear = _modify(10, "room", {}, IS_GROUP | CHECK_AND_SET, baseRevision=wire_long(3))
        await _packet(sdk, "StateSet", clear)
        assert [(wire_long(n), 0) for n in (7, 8, 9, 10)] == _reply(sdk, "StateRequestResult")
        got = await bob.call("storage.getChannelMetadata", "room", "MESSAGE")
        assert (4, {}) == (got["majorRevision"], got["metadata"])


async def test_an_ordinary_write_reaches_the_real_sdk_as_state_update() -> None:
    """D-ST8: after StateSubscribeResult 0 the snapshot, then one StateUpdate per change
    with ``_rev`` and ``_rev_<k>``; a stream channel's target is ``*s*<name>``;
    StateUnsubscribe ends it."""
    async with running() as world:
        sdk = await sdk_user(world, "alice")
        sub = {
            "sequence": wire_long(3),
            "target": "room",
            "subTarget": "",
            "flags": wire_long(1, True),
        }
        await _packet(sdk, "StateSubscribe", sub)
        assert ["StateSubscribeResult", "StateUpdate"] == [
            name for name, _ in _packets(sdk, "StateSubscribeResult", "StateUpdate")
        ]
        assert [(wire_long(3), 0)] == _reply(sdk, "StateSubscribeResult")
        assert wire_long(1, True) == _packets(sdk, "StateUpdate")[0][1]["flags"]
        assert [("room", {"_rev": 0})] == _states(sdk)
        bob = await world.user("bob")
        await bob.call("storage.setChannelMetadata", "room", "MESSAGE", [_item("k", "v")])
        await eventually(lambda: len(_states(sdk)) == 2)
        assert ("room", {"_rev": 1, "k": "v", "_rev_k": 1}) == _states(sdk)[1]
        stream = {**sub, "sequence": wire_long(4), "target": "*s*stage"}
        await _packet(sdk, "StateSubscribe", stream)
        items = [{"key": "s", "value": "1"}]
        await bob.call("storage.setChannelMetadata", "stage", "STREAM", items, {"addUserId": True})
        await eventually(lambda: len(_states(sdk)) == 4)
        assert [
            ("*s*stage", {"_rev": 0}),
            ("*s*stage", {"_rev": 1, "s": "1", "_rev_s": 1, "_m_s": "bob"}),
        ] == _states(sdk)[2:]
        await _packet(sdk, "StateUnsubscribe", {**sub, "sequence": wire_long(5)})
        await bob.call("storage.setChannelMetadata", "room", "MESSAGE", [_item("k", "w")])
        await bob.call("storage.setChannelMetadata", "stage", "STREAM", [_item("s", "2")])
        await eventually(lambda: len(_states(sdk)) == 5)
        assert ("*s*stage", 2) == (_states(sdk)[4][0], _states(sdk)[4][1]["_rev"])
        assert 5 == len(_states(sdk))  # nothing for the unsubscribed room


async def test_compare_and_set_and_lock_refusals_are_codes_6_and_10() -> None:
    """D-ST3, D-ST4, D-ST6: a wrong base revision, a wrong item revision and an update
    of an absent key are code 6; a lock not held is 10; nothing changes."""
    async with running() as world:
        sdk = await sdk_user(world, "alice")
        await _packet(sdk, "StateModify", _modify(1, "room", {"a": "1"}, IS_GROUP))
        base = _modify(2, "room", {"a": "2"}, IS_GROUP | CHECK_AND_SET, baseRevision=wire_long(5))
        await _packet(sdk, "StateModify", base)
        await _packet(sdk, "StateModify", _modify(3, "room", {"a": "2", "_rev_a": 7}, IS_GROUP))
        await _packet(sdk, "StateModify", _modify(4, "room", {"z": "2", "_rev_z": -2}, IS_GROUP))
        locked = _modify(5, "room", {"a": "2"}, IS_GROUP, lock="door", lockRev=wire_long(1))
        await _packet(sdk, "StateModify", locked)
        assert [
            (wire_long(1), 0),
            (wire_long(2), 6),
            (wire_long(3), 6),
            (wire_long(4), 6),
            (wire_long(5), 10),
        ] == (_reply(sdk, "StateRequestResult"))
        ok = _modify(6, "room", {"a": "3", "_rev_a": 1}, IS_GROUP | CHECK_AND_SET)
        await _packet(sdk, "StateModify", {**ok, "baseRevision": wire_long(1)})
        assert (wire_long(6), 0) == _reply(sdk, "StateRequestResult")[-1]
        bob = await world.user("bob")
        got = await bob.call("storage.getChannelMetadata", "room", "MESSAGE")
        assert (2, "3") == (got["majorRevision"], got["metadata"]["a"]["value"])


async def test_get_answers_the_whole_state_with_its_records() -> None:
    """R-ST10, D-ST1, D-ST5, D-ST10: StateGetResult's allStates carries ``_rev``,
    ``_rev_<k>``, ``_t_<k>``, ``_m_<k>``; a never-written target is ``{_rev: 0}``; a user
    target ``""`` is the caller; a reply-code fault is the get's code."""
    async with running() as world:
        sdk = await sdk_user(world, "alice")
        bob = await world.user("bob")
        items = [{"key": "k", "value": "v"}]
        await bob.call(
            "storage.setChannelMetadata",
            "room",
            "MESSAGE",
            items,
            {"addTimeStamp": True, "addUserId": True},
        )
        updated = (await bob.call("storage.getChannelMetadata", "room", "MESSAGE"))["metadata"]
        get = {"sequence": wire_long(4), "target": "room", "flags": wire_long(IS_GROUP, True)}
        await _packet(sdk, "StateGet", get)
        await _packet(sdk, "StateGet", {**get, "sequence": wire_long(5), "target": "empty"})
        await _packet(sdk, "StateModify", _modify(6, "", {"mine": "1"}))
        await _packet(sdk, "StateGet", {**get, "sequence": wire_long(7), "target": "", "flags": 0})
        results = [p for _, p in _packets(sdk, "StateGetResult")]
        assert [(wire_long(4), 0), (wire_long(5), 0), (wire_long(7), 0)] == [
            (r["sequence"], r["code"]) for r in results
        ]
        ts = updated["k"]["updated"]
        assert [
            {"_rev": 1, "k": "v", "_rev_k": 1, "_t_k": ts, "_m_k": "bob"},
            {"_rev": 0},
            {"_rev": 1, "mine": "1", "_rev_mine": 1},
        ] == [json.loads(r["allStates"]) for r in results]
        assert ts > 0
        mine = await bob.call("storage.getUserMetadata", {"userId": "alice"})
        assert "1" == mine["metadata"]["mine"]["value"]
        await bob.control("setStorageReplyCode", userId="alice", code=14)
        await _packet(sdk, "StateGet", {**get, "sequence": wire_long(8)})
        await _packet(sdk, "StateModify", _modify(9, "room", {"k": "x"}, IS_GROUP))
        assert 14 == [p for _, p in _packets(sdk, "StateGetResult")][-1]["code"]
        assert (wire_long(9), 14) == _reply(sdk, "StateRequestResult")[-1]


async def test_user_metadata_subscribe_snapshot_then_updates() -> None:
    """R-ST13, D-ST8: StateSubscribe of a user: the reply, then the snapshot (also on a
    repeated subscribe, as after a reconnect); bob's writes follow as StateUpdate with
    flags 0; after StateUnsubscribe nothing more."""
    async with running() as world:
        sdk = await sdk_user(world, "alice")
        bob = await world.user("bob")
        await bob.call("storage.setUserMetadata", [{"key": "x", "value": "1"}])
        sub = {"sequence": wire_long(2), "target": "bob", "subTarget": "", "flags": wire_long(0)}
        await _packet(sdk, "StateSubscribe", sub)
        assert ["StateSubscribeResult", "StateUpdate"] == [
            name for name, _ in _packets(sdk, "StateSubscribeResult", "StateUpdate")
        ]
        assert [(wire_long(2), 0)] == _reply(sdk, "StateSubscribeResult")
        assert wire_long(0, True) == _packets(sdk, "StateUpdate")[0][1]["flags"]
        assert [("bob", {"_rev": 1, "x": "1", "_rev_x": 1})] == _states(sdk)
        await bob.call("storage.updateUserMetadata", [{"key": "x", "value": "2"}])
        await eventually(lambda: len(_states(sdk)) == 2)
        assert ("bob", {"_rev": 2, "x": "2", "_rev_x": 2}) == _states(sdk)[1]
        await _packet(sdk, "StateSubscribe", {**sub, "sequence": wire_long(3)})
        assert ("bob", 2) == (_states(sdk)[2][0], _states(sdk)[2][1]["_rev"])
        await _packet(sdk, "StateUnsubscribe", {**sub, "sequence": wire_long(4)})
        await bob.call("storage.setUserMetadata", [{"key": "y", "value": "3"}])
        await bob.call("storage.getUserMetadata")
        assert 3 == len(_states(sdk))
