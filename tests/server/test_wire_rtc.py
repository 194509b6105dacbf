"""Real-SDK mode, stream channels' RTC side (docs/real-sdk.md "Stream channels"): the
data-channel relay (D-RS12..D-RS17), alone on a fake clock and through the server."""

from __future__ import annotations

import base64
from collections.abc import Hashable
from typing import Any

import pytest

from rtm_emulator import EmulatorConfig
from rtm_emulator._clock import FakeClock
from rtm_emulator._errors import ConfigError
from rtm_emulator.server._wire_rtc import RtcRelay

from ..engine.token_support import APP_ID, CERT, START_S, rtc_007, rtm_007

B64 = base64.b64encode(b"hi").decode()


class Relay:
    """An RtcRelay with its frames collected per owner (owners are names here)."""

    def __init__(self, certificates: dict[str, str] | None = None) -> None:
        self.clock = FakeClock(START_S * 1000)
        self.frames: list[tuple[Hashable, dict[str, Any]]] = []
        self.lapses: list[tuple[Hashable, str, str]] = []
        self.relay = RtcRelay(
            self.clock,
            certificates or {},
            lambda owner, data: self.frames.append((owner, data)),
            lambda owner, app, channel: self.lapses.append((owner, app, channel)),
        )

    def call(self, owner: str, method: str, **params: Any) -> dict[str, Any]:
        return self.relay.request(owner, APP_ID, method, {"channel": "stage", **params})

    def join(self, owner: str, token: str | None = None) -> dict[str, Any]:
        return self.call(owner, "rtc.join", uid=owner, token=token)

    def of(self, owner: str) -> list[dict[str, Any]]:
        """The frames of ``owner`` (without their channel), and forget them."""
        mine = [
            {k: v for k, v in d.items() if k != "channel"} for o, d in self.frames if o == owner
        ]
        self.frames = [(o, d) for o, d in self.frames if o != owner]
        return mine

    def types(self, owner: str) -> list[str]:
        return [d["type"] for d in self.of(owner)]

    def advance(self, ms: int) -> None:
        self.clock.advance_to(self.clock.now_ms + ms)


def _dc(dc_id: int, topic: str = "t") -> dict[str, Any]:
    return {"id": dc_id, "ordered": False, "metadata": topic}


def test_join_order_published_users_and_leave() -> None:
    """D-RS12: the join's answer lists the others in join order with their data channels
    in publish order; publish / unpublish reach the others; a leave unpublishes every
    data channel first (publish order), then user-left."""
    r = Relay()
    assert {"users": []} == r.join("bob")
    r.call("bob", "rtc.publish", id=0, ordered=False, metadata="a")
    r.call("bob", "rtc.publish", id=1, ordered=False, metadata="b")
    assert {"users": [{"uid": "bob", "dataChannels": [_dc(0, "a"), _dc(1, "b")]}]} == r.join(
        "carol"
    )
    answer = r.join("alice")
    assert ["bob", "carol"] == [u["uid"] for u in answer["users"]]
    assert ["user-joined", "user-joined"] == r.types("bob")
    assert [{"type": "user-joined", "user": {"uid": "alice", "dataChannels": []}}] == r.of("carol")
    r.call("bob", "rtc.unpublish", id=0)
    assert [
        {
            "type": "user-unpublished",
            "user": {"uid": "bob", "dataChannels": [_dc(1, "b")]},
            "dataChannel": _dc(0, "a"),
        }
    ] == r.of("alice")
    r.call("bob", "rtc.publish", id=0, ordered=True, metadata="c")
    r.of("carol")
    r.frames.clear()
    r.call("bob", "rtc.leave")
    left = r.of("alice")
    assert [("user-unpublished", 1), ("user-unpublished", 0), ("user-left", None)] == [
        (d["type"], d.get("dataChannel", {}).get("id")) for d in left
    ]
    assert all(d.get("leaving") for d in left[:2])
    assert [] == r.of("bob")
    assert ["carol", "alice"] == [m.uid for m in r.relay.members(APP_ID, "stage")]


def test_messages_reach_the_subscribers_of_that_data_channel_only() -> None:
    """D-RS13: to each member that subscribed (publisher, id), in join order, never the
    sender; an unsubscribe stops them."""
    r = Relay()
    for who in ("alice", "bob", "carol", "dan"):
        r.join(who)
    r.call("alice", "rtc.publish", id=3, ordered=False, metadata="t")
    r.call("carol", "rtc.subscribe", uid="alice", id=3)
    r.call("bob", "rtc.subscribe", uid="alice", id=3)
    r.call("dan", "rtc.subscribe", uid="alice", id=4)
    r.call("alice", "rtc.subscribe", uid="alice", id=3)
    r.frames.clear()
    r.call("alice", "rtc.send", id=3, bytes=B64)
    assert [("bob", "message"), ("carol", "message")] == [(o, d["type"]) for o, d in r.frames]
    assert {"type": "message", "uid": "alice", "id": 3, "bytes": B64} == r.of("bob")[0]
    r.frames.clear()
    r.call("bob", "rtc.unsubscribe", uid="alice", id=3)
    r.call("alice", "rtc.send", id=3, bytes=B64)
    assert ["carol"] == [o for o, _ in r.frames]


def test_refused_requests_change_nothing() -> None:
    """A request for a channel not joined, a second join, a bad id or bytes: ConfigError,
    and no frame."""
    r = Relay()
    with pytest.raises(ConfigError):
        r.call("alice", "rtc.publish", id=0, metadata="t")
    r.join("alice")
    r.join("bob")
    r.frames.clear()
    with pytest.raises(ConfigError):
        r.join("alice")
    with pytest.raises(ConfigError):
        r.call("alice", "rtc.publish", id="0", metadata="t")
    with pytest.raises(ConfigError):
        r.call("alice", "rtc.send", id=0, bytes="not base64!")
    with pytest.raises(ConfigError):
        r.relay.request("alice", APP_ID, "rtc.join", {"channel": "", "uid": "alice"})
    assert [] == r.frames
    assert ["alice", "bob"] == [m.uid for m in r.relay.members(APP_ID, "stage")]


def test_the_rtc_link_follows_the_network() -> None:
    """D-RS14 (R-M12): down: RECONNECTING, nothing reaches it; back once its RTM link is
    settled: CONNECTED with the others as they are now."""
    r = Relay()
    r.join("alice")
    r.join("bob")
    r.call("bob", "rtc.publish", id=0, ordered=False, metadata="t")
    r.call("alice", "rtc.subscribe", uid="bob", id=0)
    r.frames.clear()
    r.relay.network_down(APP_ID, "alice")
    assert [
        {
            "type": "connection-state-change",
            "current": "RECONNECTING",
            "previous": "CONNECTED",
            "reason": "NETWORK_ERROR",
        }
    ] == r.of("alice")
    r.call("bob", "rtc.send", id=0, bytes=B64)
    r.call("bob", "rtc.publish", id=1, ordered=False, metadata="u")
    r.join("carol")
    assert [] == r.of("alice")
    r.relay.network_up(APP_ID, "alice", link_settled=False)
    assert [] == r.of("alice")
    r.relay.link_settled(APP_ID, "alice")
    back = r.of("alice")
    assert 1 == len(back)
    assert ("CONNECTED", "RECONNECTING") == (back[0]["current"], back[0]["previous"])
    assert [("bob", [0, 1]), ("carol", [])] == [
        (u["uid"], [d["id"] for d in u["dataChannels"]]) for u in back[0]["users"]
    ]
    r.relay.link_settled(APP_ID, "alice")  # once only
    assert [] == r.of("alice")


def _certified() -> Relay:
    return Relay({APP_ID: CERT})


def test_tokens_refused_join_and_renew() -> None:
    """D-RS15 (R-TK22): a refused join is CAN_NOT_GET_GATEWAY_SERVER with the AP code and
    joins nothing; a refused renew INVALID_PARAMS; without a certificate all are taken."""
    r = _certified()
    assert {"refused": "CAN_NOT_GET_GATEWAY_SERVER", "apCode": 15} == r.join("alice")
    assert {"refused": "CAN_NOT_GET_GATEWAY_SERVER", "apCode": 7} == r.join(
        "alice", rtc_007("other", "alice")
    )
    assert [] == r.relay.members(APP_ID, "stage")
    assert {"users": []} == r.join("alice", rtc_007("stage", "alice"))
    refused = r.call("alice", "rtc.renew", token=rtc_007("other", "alice"))
    assert {"refused": "INVALID_PARAMS", "apCode": 7} == refused
    assert {"users": []} == Relay().join("alice", "anything")


def test_tokens_notice_and_lapse_on_the_clock() -> None:
    """D-RS15 (R-TK24, R-TK25): the notice at expiry - 30 s, at expiry the others see the
    user unpublish and leave, it gets DISCONNECTED / TOKEN_EXPIRE, and the lapse hook
    runs; a renew moves both."""
    r = _certified()
    r.join("alice", rtc_007("stage", "alice", expire=100))
    r.join("bob", rtc_007("stage", "bob", expire=1000))
    r.call("alice", "rtc.publish", id=0, ordered=False, metadata="t")
    r.frames.clear()
    r.advance(69_999)
    assert [] == r.of("alice")
    r.advance(1)
    assert ["token-privilege-will-expire"] == r.types("alice")
    r.call("alice", "rtc.renew", token=rtc_007("stage", "alice", expire=200))
    r.advance(60_000)
    assert [] == r.frames
    r.advance(40_000)
    assert ["token-privilege-will-expire"] == r.types("alice")
    r.advance(30_000)
    assert [
        {
            "type": "connection-state-change",
            "current": "DISCONNECTED",
            "previous": "CONNECTED",
            "reason": "TOKEN_EXPIRE",
        }
    ] == r.of("alice")
    assert ["user-unpublished", "user-left"] == r.types("bob")
    assert [("alice", APP_ID, "stage")] == r.lapses
    assert ["bob"] == [m.uid for m in r.relay.members(APP_ID, "stage")]


def test_tokens_wait_while_the_link_is_down() -> None:
    """D-RS15: a notice or a lapse that falls due while down comes when it is back."""
    r = _certified()
    r.join("alice", rtc_007("stage", "alice", expire=100))
    r.join("bob", rtc_007("stage", "bob", expire=1000))
    r.relay.network_down(APP_ID, "alice")
    r.frames.clear()
    r.advance(80_000)
    assert [] == r.of("alice")
    r.relay.network_up(APP_ID, "alice", link_settled=True)
    assert [("connection-state-change", "CONNECTED"), ("token-privilege-will-expire", None)] == [
        (d["type"], d.get("current")) for d in r.of("alice")
    ]
    r.relay.network_down(APP_ID, "alice")
    r.advance(30_000)
    assert ["connection-state-change"] == r.types("alice")  # RECONNECTING
    assert [] == r.lapses
    r.relay.network_up(APP_ID, "alice", link_settled=True)
    lapse = r.of("alice")
    assert [("DISCONNECTED", "RECONNECTING", "TOKEN_EXPIRE")] == [
        (d["current"], d["previous"], d["reason"]) for d in lapse
    ]
    assert ["user-left"] == r.types("bob")
    assert 1 == len(r.lapses)


def test_drop_leaves_every_membership_of_the_owner() -> None:
    """D-RS16: a session's socket closing ends its memberships, in join order."""
    r = Relay()
    r.join("alice")
    r.relay.request("alice", APP_ID, "rtc.join", {"channel": "other", "uid": "alice"})
    r.join("bob")
    r.frames.clear()
    r.relay.drop("alice")
    assert ["user-left"] == r.types("bob")
    assert r.relay.member("alice", "stage") is None
    assert r.relay.member("alice", "other") is None


# ---------------------------------------------------------------- through the server

pytest.importorskip("websockets")

from .support import CallFailed, eventually, running, sdk_call, sdk_user  # noqa: E402


def _rtc(peer: Any) -> list[dict[str, Any]]:
    return [f["data"] for f in peer.events if f["name"] == "rtc"]


async def test_the_server_relays_between_real_sdk_sessions() -> None:
    """D-RS12, D-RS13 over the sockets; an ordinary session cannot call rtc.* (-32600)."""
    async with running() as world:
        alice = await sdk_user(world, "alice")
        bob = await sdk_user(world, "bob")
        assert {"users": []} == await sdk_call(
            alice, "rtc.join", {"channel": "stage", "uid": "alice", "token": None}
        )
        await sdk_call(
            alice, "rtc.publish", {"channel": "stage", "id": 0, "ordered": False, "metadata": "t"}
        )
        joined = await sdk_call(bob, "rtc.join", {"channel": "stage", "uid": "bob"})
        assert [{"uid": "alice", "dataChannels": [_dc(0)]}] == joined["users"]
        await sdk_call(bob, "rtc.subscribe", {"channel": "stage", "uid": "alice", "id": 0})
        await sdk_call(alice, "rtc.send", {"channel": "stage", "id": 0, "bytes": B64})
        await eventually(lambda: any(d["type"] == "message" for d in _rtc(bob)))
        assert [("user-joined", "stage")] == [(d["type"], d["channel"]) for d in _rtc(alice)]
        plain = await world.user("carol")
        reply = await plain.request("rtc.join", {"channel": "stage", "uid": "carol"})
        assert -32600 == reply["error"]["errorCode"]
        with pytest.raises(CallFailed):
            await sdk_call(alice, "rtc.leave", {"channel": "nowhere"})
        refused = await alice.request("rtc.join", {"channel": "stage", "uid": "alice"})
        assert -10014 == refused["error"]["errorCode"]  # joined already


async def test_control_disconnect_and_reconnect_take_the_rtc_link_along() -> None:
    """D-RS14: the RTC link goes RECONNECTING before the RTM link goes down, and comes
    back after the RTM link is CONNECTED again."""
    async with running() as world:
        alice = await sdk_user(world, "alice")
        await sdk_call(alice, "rtc.join", {"channel": "stage", "uid": "alice"})
        control = await world.control()
        alice.events.clear()
        await control.control("disconnect", userId="alice")
        await eventually(lambda: any(f["name"] == "linkState" for f in alice.events))
        names = [f["name"] for f in alice.events if f["name"] in ("rtc", "linkState")]
        assert ["rtc", "linkState"] == names[:2]
        await control.control("reconnect", userId="alice")
        assert ["RECONNECTING"] == [d["current"] for d in _rtc(alice)]
        await control.control("advance", seconds=3)
        await eventually(lambda: len(_rtc(alice)) == 2)
        order = [
            f["data"].get("current") or f["data"]["currentState"]
            for f in alice.events
            if f["name"] in ("rtc", "linkState")
        ]
        assert order.index("CONNECTED") < len(order) - 1
        assert "CONNECTED" == order[-1] and "rtc" == alice.events[-1]["name"]


async def test_a_lapsed_rtc_token_deletes_the_stream_presence_document() -> None:
    """D-RS15: at the lapse the user's stream-channel document goes (others see it leave)."""
    config = EmulatorConfig(start_time_ms=START_S * 1000, app_certificates={APP_ID: CERT})
    async with running(config=config) as world:
        alice = await world.user("alice", login=False, sdk="2.3.0", appId=APP_ID)
        await sdk_call(alice, "sdk.login", {"token": rtm_007("alice")})
        await sdk_call(alice, "sdk.open", {"channel": "*s*stage"})
        await sdk_call(alice, "sdk.put", {"channel": "*s*stage"})
        token = rtc_007("stage", "alice", expire=100)
        await sdk_call(alice, "rtc.join", {"channel": "stage", "uid": "alice", "token": token})
        bob = await world.user("bob", login=False, sdk="2.3.0", appId=APP_ID)
        await sdk_call(bob, "sdk.login", {"token": rtm_007("bob")})
        assert [["alice", {}]] == (await sdk_call(bob, "sdk.open", {"channel": "*s*stage"}))["docs"]
        control = await world.control()
        await control.control("advance", seconds=100)
        await eventually(lambda: any(d.get("reason") == "TOKEN_EXPIRE" for d in _rtc(alice)))
        await eventually(lambda: any(f["name"] == "doc" for f in bob.events))
        docs = [f["data"]["events"] for f in bob.events if f["name"] == "doc"]
        assert [("alice", "Delete")] == [(e["document"], e["type"]) for e in docs[-1]]
