"""Real-SDK sessions over the server (docs/real-sdk.md): the ``sdk.*`` methods, ``doc``
batches and ``packet`` frames, shared with ordinary sessions (D-RS1..D-RS8)."""

from __future__ import annotations

import asyncio
import base64
import zlib
from typing import Any

import pytest

pytest.importorskip("websockets")

from rtm_emulator import EmulatorConfig

from ..engine.token_support import APP_ID, CERT, OTHER_CERT, START_S, rtm_007
from .support import CallFailed, Peer, eventually, running, sdk_call, sdk_user, wire_long


def _docs(peer: Peer) -> list[list[tuple[str, str, str, Any]]]:
    return [
        [(e["document"], e["path"], e["type"], e["value"]) for e in f["data"]["events"]]
        for f in peer.events
        if f["name"] == "doc"
    ]


def _packets(peer: Peer, name: str) -> list[dict[str, Any]]:
    return [
        f["data"]["payload"]
        for f in peer.events
        if f["name"] == "packet" and f["data"]["name"] == name
    ]


def _bytes(b: bytes) -> dict[str, str]:
    return {"$bytes": base64.b64encode(b).decode()}


async def test_presence_documents_between_a_real_sdk_and_an_ordinary_client() -> None:
    """D-RS3, D-RS4: a real SDK's put is a REMOTE_JOIN for an ordinary listener, and an
    ordinary client's join and state reach the real SDK's replica as document batches."""
    async with running() as world:
        sdk = await sdk_user(world, "alice")
        assert {"docs": []} == await sdk_call(sdk, "sdk.open", {"channel": "room"})
        await sdk_call(sdk, "sdk.put", {"channel": "room"})
        await sdk_call(sdk, "sdk.set", {"channel": "room", "fields": {"mood": "fine"}})
        bob = await world.user("bob")
        await bob.call("subscribe", "room")
        snapshot = next(e for e in bob.events if e["name"] == "presence")["data"]
        assert {"alice": {"mood": "fine"}, "bob": {}} == {
            u["userId"]: u["states"] for u in snapshot["snapshot"]
        }
        await bob.call("presence.setState", "room", "MESSAGE", {"seat": "3"})
        await sdk_call(sdk, "sdk.unset", {"channel": "room", "keys": ["mood"]})
        assert [("REMOTE_STATE_CHANGED", "alice")] == bob.presence()[1:]
        await bob.call("unsubscribe", "room")
        await bob.control("advance", seconds=5)  # R-E6: the document lingers first
        await eventually(lambda: len(_docs(sdk)) == 4)
        assert [
            [("bob", "", "Put", None)],
            [("bob", "seat", "Put", "3")],
            [("bob", "", "DocSyncEnd", None)],
            [("bob", "", "Delete", None)],
        ] == _docs(sdk)


async def test_queries_page_the_documents_and_list_the_channels() -> None:
    """D-RS5: a channel's documents in code-point order with start / limit / more, the
    count alone, keys alone; ``_keepalive_`` lists the user's visible channels."""
    async with running() as world:
        sdk = await sdk_user(world, "zed")
        for user in ("carol", "bob", "alice"):
            peer = await world.user(user)
            await peer.call("subscribe", "room")
            await peer.call("presence.setState", "room", "MESSAGE", {"u": user})
        await (await world.user("dan")).call("subscribe", "room", {"beQuiet": True})
        page = await sdk_call(sdk, "sdk.query", {"collection": "room", "query": {"limit": 2}})
        assert {
            "entries": [["alice", '{"u":"alice"}'], ["bob", '{"u":"bob"}']],
            "count": 3,
            "more": True,
        } == page
        rest = {"start": "bob", "limit": 2}
        assert {
            "entries": [["carol", '{"u":"carol"}']],
            "count": 3,
            "more": False,
        } == await sdk_call(sdk, "sdk.query", {"collection": "room", "query": rest})
        keys = {"start": "bob", "startIncluded": True, "keysOnly": True}
        assert {"entries": ["bob", "carol"], "count": 3, "more": False} == await sdk_call(
            sdk, "sdk.query", {"collection": "room", "query": keys}
        )
        count = await sdk_call(
            sdk, "sdk.query", {"collection": "room", "query": {"countOnly": True}}
        )
        assert 3 == count["count"]
        where = {"collection": "_keepalive_", "query": {"start": "x/y/bob"}}
        assert {
            "entries": [["x/y/bob", '{"room":1}']],
            "count": 1,
            "more": False,
        } == await sdk_call(sdk, "sdk.query", where)


async def test_messages_as_packets() -> None:
    """D-RS6: GroupEnter is answered GroupReply; a real SDK's Message packet is the
    engine's publish (acked 0, or 8 for an offline user); messages it receives are
    Message packets numbered 1, 2, ... per publisher."""
    async with running() as world:
        sdk = await sdk_user(world, "alice")
        enter = {"account": "room", "seq": wire_long(2)}
        await sdk_call(sdk, "sdk.packet", {"name": "GroupEnter", "payload": enter})
        assert [{"seq": wire_long(2), "code": 0}] == _packets(sdk, "GroupReply")
        bob = await world.user("bob")
        await bob.call("subscribe", "room")
        ids = {"dialogue": wire_long(-5), "sequence": wire_long(1, True), "instance": wire_long(9)}
        text = {"options": wire_long(1), "payload": _bytes(b"hi"), "src": "alice", "dst": "room"}
        await sdk_call(sdk, "sdk.packet", {"name": "Message", "payload": {**text, **ids}})
        assert [{**ids, "code": 0}] == _packets(sdk, "Ack")
        await eventually(lambda: any(e["name"] == "message" for e in bob.events))
        got = [e["data"] for e in bob.events if e["name"] == "message"]
        assert ("hi", "alice", "room") == (
            got[0]["message"],
            got[0]["publisher"],
            got[0]["channelName"],
        )
        offline = {**text, "options": wire_long(0), "dst": "nobody"}
        await sdk_call(sdk, "sdk.packet", {"name": "Message", "payload": {**offline, **ids}})
        assert 8 == _packets(sdk, "Ack")[-1]["code"]
        await bob.call("publish", "room", "one")
        await bob.call("publish", "alice", "two", {"channelType": "USER", "customType": "t"})
        await eventually(lambda: len(_packets(sdk, "Message")) == 3)
        received = _packets(sdk, "Message")
        assert [wire_long(1, True), wire_long(1, True), wire_long(2, True)] == [
            m["sequence"] for m in received
        ]
        assert ["alice", "bob", "bob"] == [m["src"] for m in received]
        assert ("room", "bob") == (received[1]["dst"], received[2]["dst"])  # R-M23
        assert wire_long(0) == received[2]["options"]
        assert _bytes(b"t") == received[2]["MiscMap"]["customType"]


async def test_a_same_uid_login_kicks_the_real_sdk_and_logout_clears_its_documents() -> None:
    """R-T4 / D-RS7: the engine's FAILED reaches the real SDK's connection; D-RS2: its
    logout deletes its documents (after R-E6's debounce)."""
    async with running() as world:
        sdk = await sdk_user(world, "alice")
        await sdk_call(sdk, "sdk.open", {"channel": "room"})
        await sdk_call(sdk, "sdk.put", {"channel": "room"})
        bob = await world.user("bob")
        await bob.call("subscribe", "room")
        await sdk_call(sdk, "sdk.logout", {})
        await bob.control("advance", seconds=5)  # R-E6 debounce
        await eventually(lambda: ("REMOTE_LEAVE", "alice") in bob.presence())
        again = await sdk_user(world, "carol")
        await sdk_call(again, "sdk.open", {"channel": "room"})
        await sdk_call(again, "sdk.put", {"channel": "room"})
        other = await world.user("carol", login=False)
        await other.call("login")
        await eventually(lambda: ("CONNECTED", "FAILED") in again.links())
        await bob.control("advance", seconds=5)
        await eventually(lambda: ("REMOTE_LEAVE", "carol") in bob.presence())


async def test_sdk_methods_need_a_real_sdk_session() -> None:
    async with running() as world:
        plain = await world.user("alice")
        reply = await plain.request("sdk.open", {"channel": "room"})
        assert reply["type"] == "error"
        assert "real-SDK sessions" in reply["error"]["reason"]


async def test_tokens_the_access_points_code_the_renewal_and_the_notice() -> None:
    """D-RS11: a refused login carries the access point's code; a taken token gets a
    ticket; ``sdk.renew`` is the engine's renewal; ``UserRenewToken2Req`` is answered 0;
    the engine's WILL_EXPIRE is ``UserTicketNearlyExpire2`` for the login socket (with the
    session's message channels) and no ``tokenPrivilegeWillExpire`` frame; the lapse is
    the engine's FAILED / TOKEN_EXPIRED."""
    config = EmulatorConfig(start_time_ms=START_S * 1000, app_certificates={APP_ID: CERT})
    async with running(config=config) as world:
        sdk = await world.user("alice", login=False, sdk="2.3.0", appId=APP_ID)
        bad = await sdk.request("sdk.login", {"token": rtm_007("alice", cert=OTHER_CERT)})
        assert (-10005, 9) == (bad["error"]["errorCode"], bad["error"]["serverCode"])
        taken = await sdk_call(sdk, "sdk.login", {"token": rtm_007("alice", expire=100)})
        assert base64.b64decode(taken["ticket"]).decode().startswith("ticket:alice:")
        await sdk_call(sdk, "sdk.packet", {"name": "GroupEnter", "payload": {"account": "room"}})
        control = await world.control()
        await control.control("advance", seconds=70)
        await eventually(lambda: bool(_packets(sdk, "UserTicketNearlyExpire2")))
        notices = [f["data"] for f in sdk.events if f["name"] == "packet"]
        assert {
            "name": "UserTicketNearlyExpire2",
            "payload": {"ticket": taken["ticket"], "resources": '{"messageChannels":[{"room":1}]}'},
            "route": "socket",
        } == notices[-1]
        assert not any(f["name"] in ("token", "tokenPrivilegeWillExpire") for f in sdk.events)
        fresh = rtm_007("alice", issue_ts=START_S + 70, expire=600)
        renewed = await sdk_call(sdk, "sdk.renew", {"token": fresh})
        assert renewed["ticket"] != taken["ticket"]
        seq = wire_long(7, True)
        await sdk_call(sdk, "sdk.packet", {"name": "UserRenewToken2Req", "payload": {"seq": seq}})
        assert [{"seq": seq, "code": 0, "revoked": '{"messageChannels":[]}'}] == _packets(
            sdk, "UserRenewToken2Resp"
        )
        await control.control("advance", seconds=100)
        assert ("CONNECTED", "FAILED") not in sdk.links()
        await control.control("advance", seconds=500)
        await eventually(lambda: ("CONNECTED", "FAILED") in sdk.links())


async def test_a_refused_renewal_carries_the_access_points_code_and_changes_nothing() -> None:
    """D-RS11: ``sdk.renew``'s refusal is an error frame whose ``serverCode`` is the access
    point's code (for the SDK's own handling), the old token stays current (its expiry
    still comes) and the ticket is unchanged; a notice the login itself sends (30 s or
    less left, R-TK24) carries the login's ticket."""
    config = EmulatorConfig(start_time_ms=START_S * 1000, app_certificates={APP_ID: CERT})
    async with running(config=config) as world:
        sdk = await world.user("alice", login=False, sdk="2.3.0", appId=APP_ID)
        taken = await sdk_call(sdk, "sdk.login", {"token": rtm_007("alice", expire=20)})
        await eventually(lambda: bool(_packets(sdk, "UserTicketNearlyExpire2")))
        assert taken["ticket"] == _packets(sdk, "UserTicketNearlyExpire2")[0]["ticket"]
        refusals = {
            9: rtm_007("alice", cert=OTHER_CERT),
            7: rtm_007("bob"),
            13: rtm_007("alice", issue_ts=START_S - 100, expire=50),
        }
        for ap_code, token in refusals.items():
            reply = await sdk.request("sdk.renew", {"token": token})
            assert reply["type"] == "error"
            assert (ap_code, "renewToken") == (
                reply["error"]["serverCode"],
                reply["error"]["operation"],
            )
        control = await world.control()
        await control.control("advance", seconds=20)
        await eventually(lambda: ("CONNECTED", "FAILED") in sdk.links())


async def test_a_compressed_message_is_published_as_its_text() -> None:
    """D-RS6: the SDK sends a large message zlib-compressed (its options' compression
    method); the engine publishes the message itself, and receivers get it plain."""
    async with running() as world:
        sdk = await sdk_user(world, "alice")
        bob = await world.user("bob")
        await bob.call("subscribe", "room")
        text = "é" * 16384
        packed = {
            "options": wire_long(1 | (1 << 12)),
            "payload": _bytes(zlib.compress(text.encode())),
            "src": "alice",
            "dst": "room",
            "dialogue": wire_long(1),
            "sequence": wire_long(1, True),
            "instance": wire_long(1),
        }
        await sdk_call(sdk, "sdk.packet", {"name": "Message", "payload": packed})
        assert 0 == _packets(sdk, "Ack")[-1]["code"]
        await eventually(lambda: any(e["name"] == "message" for e in bob.events))
        assert [text] == [e["data"]["message"] for e in bob.events if e["name"] == "message"]


async def test_history_records_carry_the_custom_type_as_bytes() -> None:
    """D-RS6, R-M11: StateHistoryGet2 is answered StateHistoryGetResult2 with the
    stored messages newest first; a record's ``details`` values are bytes (the SDK's
    HistoryRecord2), so a custom type is ``$bytes`` (oracle case history.results.kinds)."""
    async with running() as world:
        bob = await world.user("bob")
        await bob.call("publish", "room", "h1", {"storeInHistory": True, "customType": "ct1"})
        await bob.call("publish", "room", "h2", {"storeInHistory": True})
        sdk = await sdk_user(world, "alice")
        ask = {"uuid": "u1", "dst": "room", "flags": wire_long(1, True), "count": 10}
        await sdk_call(sdk, "sdk.packet", {"name": "StateHistoryGet2", "payload": ask})
        [reply] = _packets(sdk, "StateHistoryGetResult2")
        assert ("u1", 0) == (reply["uuid"], reply["code"])
        assert [(_bytes(b"h2"), {}), (_bytes(b"h1"), {"customType": _bytes(b"ct1")})] == [
            (m["payload"], m["details"]) for m in reply["messages"]
        ]


async def test_d_rs18_sdk_sync_is_answered_after_the_frames_queued_before_it() -> None:
    """D-RS18: ``sdk.sync`` changes nothing and its answer comes after every frame the
    server queued for that connection before it: another client's join and state are in
    the replica's ``doc`` batches by then, with no waiting.  An ordinary session may not
    call it (-32600)."""
    async with running() as world:
        sdk = await sdk_user(world, "alice")
        await sdk_call(sdk, "sdk.open", {"channel": "room"})
        bob = await world.user("bob")
        await bob.call("subscribe", "room")
        await bob.call("presence.setState", "room", "MESSAGE", {"seat": "3"})
        assert {} == await sdk_call(sdk, "sdk.sync", {})
        assert [
            [("bob", "", "Put", None)],
            [("bob", "seat", "Put", "3")],
            [("bob", "", "DocSyncEnd", None)],
        ] == _docs(sdk)
        assert {} == await sdk_call(sdk, "sdk.sync", {})
        assert 3 == len(_docs(sdk))  # a barrier, not a change
        with pytest.raises(CallFailed) as refused:
            await sdk_call(bob, "sdk.sync", {})
        assert -32600 == refused.value.error["errorCode"]


async def test_d_rs11_a_login_that_waits_for_the_network_answers_with_its_ticket() -> None:
    """D-RS11, R-L3: an ``sdk.login`` while the session's network is down waits for the
    link; its answer, when the link is back, carries the access point's ticket like an
    answer at once does (a later token notice names that ticket)."""
    async with running() as world:
        control = await world.control()
        sdk = await sdk_user(world, "alice")
        await control.control("disconnect", userId="alice")
        await control.control("reconnect", userId="alice")  # the retry would come at 2 s
        login = asyncio.ensure_future(sdk.request("sdk.login", {}))
        await sdk.control("now")  # the login waits for the link: the socket still serves
        assert not login.done()
        await control.control("advance", seconds=2)  # the next retry brings the link back
        answer = await asyncio.wait_for(login, 2)
        assert "result" == answer["type"], answer
        ticket = answer["result"]["ticket"]
        assert isinstance(ticket, str) and ticket
        link = world.server.hub.sessions[sdk.session].sdk
        assert link is not None and ticket == link.ticket
