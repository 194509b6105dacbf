"""Tokens on the fake clock (R-TK2..R-TK4, R-TK6..R-TK12, R-TK20, R-TK22..R-TK26), by
rule id, with tokens from Agora's official builders (``token_support``).

Expected codes, reasons, classes and key orders are written here by hand from the SDK
runtime (agora-rtm.js 2.3.0: ``handleUniLbsError``, ``renewToken``, the UserDrop and
UserTicketNearlyExpire2 handlers)."""

from __future__ import annotations

from typing import Any

import pytest

from rtm_emulator import Emulator, EmulatorConfig, RtmError
from rtm_emulator._types import LinkState

from .token_support import APP_ID, CERT, OTHER_CERT, START_S, rtc_006, rtc_007, rtm_006, rtm_007

UN = "RtmUnauthenticatedError"


def emulator(*, cert: bool = True) -> Emulator:
    certificates = {APP_ID: CERT} if cert else {}
    return Emulator(EmulatorConfig(start_time_ms=START_S * 1000, app_certificates=certificates))


def recorder(client: Any) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []
    for name in ("linkState", "token", "tokenPrivilegeWillExpire"):
        client.add_event_listener(
            name,
            lambda event, name=name: seen.append(
                (name, event if isinstance(event, str) else event.to_dict())
            ),
        )
    return seen


def links(seen: list[tuple[str, Any]]) -> list[tuple[str, str, str]]:
    return [
        (e["currentState"], e["operation"], e["reasonCode"]) for n, e in seen if n == "linkState"
    ]


async def test_r_tk20_without_a_certificate_any_wellformed_token_is_taken() -> None:
    emu = emulator(cert=False)
    alice = emu.client("alice", app_id=APP_ID)
    await alice.login(token=rtm_007("alice", cert=OTHER_CERT, expire=1))
    emu.advance(3600)
    assert alice.link_state is LinkState.CONNECTED


@pytest.mark.parametrize(
    ("token", "server_code", "code", "name", "text", "link_reason"),
    [
        (
            rtm_007("alice", cert=OTHER_CERT),
            9,
            -10005,
            "NO_AUTHORIZED",
            "Signature verification failed",
            "INVALID_TOKEN",
        ),
        (
            rtm_007("bob"),
            7,
            -10005,
            "INVALID_USER_ID",
            "The user ID to login does not match the token",
            "INVALID_TOKEN",
        ),
        (
            None,
            15,
            -10005,
            "DYNAMIC_ENABLED_BUT_STATIC_KEY",
            "The vendor enabled the dynamic key, but uses the static key",
            "INVALID_TOKEN",
        ),
        (
            rtm_007("alice", issue_ts=START_S - 7200),
            13,
            -10009,
            "TOKEN_EXPIRED",
            "The token has expired",
            "TOKEN_EXPIRED",
        ),
        (
            rtm_006("bob"),
            7,
            -10005,
            "INVALID_USER_ID",
            "The user ID to login does not match the token",
            "INVALID_TOKEN",
        ),
    ],
)
async def test_r_tk7_r_tk22_login_refusals(
    token: str | None, server_code: int, code: int, name: str, text: str, link_reason: str
) -> None:
    emu = emulator()
    alice = emu.client("alice", app_id=APP_ID)
    seen = recorder(alice)
    with pytest.raises(RtmError) as caught:
        await alice.login(token=token)
    table = {-10005: "Invalid token.", -10009: "Token is expired."}[code]
    assert caught.value.to_dict() == {
        "error": True,
        "code": code,
        "errorCode": code,
        "operation": "login",
        "reason": f"{table} detail: {name}, {text}.",
        "name": UN,
        "serverCode": server_code,
    }
    assert links(seen) == [("CONNECTING", "LOGIN", "LOGIN"), ("FAILED", "LOGIN", link_reason)]
    assert emu.user_channels("alice", app_id=APP_ID) == []


async def test_r_tk22_a_token_without_rtm_is_not_authorized() -> None:
    from .token_support import rtc_007

    emu = emulator()
    alice = emu.client("alice", app_id=APP_ID)
    with pytest.raises(RtmError) as caught:
        await alice.login(token=rtc_007("room"))
    assert (caught.value.code, caught.value.server_code, caught.value.name) == (-10015, 21, UN)
    assert alice.link_state is LinkState.FAILED


async def test_r_tk7_006_and_007_logins_are_taken() -> None:
    emu = emulator()
    alice, bob = emu.client("alice", app_id=APP_ID), emu.client("bob", app_id=APP_ID)
    await alice.login(token=rtm_007("alice"))
    await bob.login(token=rtm_006("bob"))
    assert alice.link_state is bob.link_state is LinkState.CONNECTED


async def test_r_tk10_r_tk24_will_expire_then_r_tk9_r_tk25_expiry() -> None:
    emu = emulator()
    alice = emu.client("alice", app_id=APP_ID)
    bob = emu.client("bob", app_id=APP_ID)
    await alice.login(token=rtm_007("alice", expire=120))
    await bob.login(token=rtm_007("bob"))
    await alice.subscribe("room")
    await bob.subscribe("room")
    seen = recorder(alice)
    emu.advance(89.999)
    assert seen == []
    emu.advance(0.001)
    assert seen == [
        ("tokenPrivilegeWillExpire", ""),
        (
            "token",
            {
                "eventType": "WILL_EXPIRE",
                "reason": "The token is about to expire",
                "affectedResources": {"messageChannels": ["room"]},
                "timestamp": (START_S + 90) * 1000,
            },
        ),
    ]
    assert list(seen[1][1]) == ["eventType", "reason", "affectedResources", "timestamp"]
    seen.clear()
    emu.advance(30)
    assert links(seen) == [("FAILED", "SERVER_REJECT", "TOKEN_EXPIRED")]
    event = seen[0][1]
    assert (event["reason"], event["affectedChannels"]) == ("Token expired", ["room"])
    assert emu.user_channels("alice", app_id=APP_ID) == []
    emu.advance(3)
    assert emu.online_users("room", "MESSAGE", app_id=APP_ID) == ["bob"]
    # R-TK9: a login with a fresh token restores the channels
    await alice.login(token=rtm_007("alice", issue_ts=START_S + 123))
    assert emu.user_channels("alice", app_id=APP_ID) == [("MESSAGE", "room")]


async def test_r_tk24_a_short_token_is_noticed_at_login() -> None:
    emu = emulator()
    alice = emu.client("alice", app_id=APP_ID)
    seen = recorder(alice)
    await alice.login(token=rtm_007("alice", expire=20))
    assert [name for name, _ in seen][-2:] == ["tokenPrivilegeWillExpire", "token"]


async def test_r_tk2_r_tk3_renew_extends_and_same_token_resolves() -> None:
    emu = emulator()
    alice = emu.client("alice", app_id=APP_ID)
    first = rtm_007("alice", expire=120)
    await alice.login(token=first)
    seen = recorder(alice)
    assert (await alice.renew_token(first)).to_dict() == {"timestamp": 0}
    emu.advance(60)
    fresh = rtm_007("alice", issue_ts=START_S + 60, expire=600)
    assert (await alice.renewToken(fresh)).to_dict() == {"timestamp": 0}
    emu.advance(600 - 31)
    assert seen == []
    emu.advance(1)
    assert [name for name, _ in seen] == ["tokenPrivilegeWillExpire", "token"]
    emu.advance(30)
    assert links(seen) == [("FAILED", "SERVER_REJECT", "TOKEN_EXPIRED")]


async def test_r_tk2_renew_check_order() -> None:
    emu = emulator()
    alice = emu.client("alice", app_id=APP_ID)
    with pytest.raises(RtmError) as caught:
        await alice.renew_token("garbage")
    assert (caught.value.code, caught.value.operation) == (-10025, "renewToken")  # IDLE first
    await alice.login(token=rtm_007("alice"))
    for bad in (None, "", "abc"):
        with pytest.raises(RtmError) as caught:
            await alice.renew_token(bad)  # type: ignore[arg-type]
        assert (caught.value.code, caught.value.operation) == (-10005, "renewToken")
    emu.disconnect("alice", app_id=APP_ID)
    with pytest.raises(RtmError) as caught:
        await alice.renew_token("abc")
    assert caught.value.code == -10005  # R-TK1 before the link check
    with pytest.raises(RtmError) as caught:
        await alice.renew_token(rtm_007("alice", expire=7))
    assert caught.value.code == -10025


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (rtm_007("alice", cert=OTHER_CERT), -10005),
        (rtm_007("bob"), -10005),
        (rtm_007("alice", issue_ts=START_S - 7200), -10009),
    ],
)
async def test_r_tk4_r_tk26_renew_refusals_are_plain(token: str, code: int) -> None:
    emu = emulator()
    alice = emu.client("alice", app_id=APP_ID)
    current = rtm_007("alice")
    await alice.login(token=current)
    with pytest.raises(RtmError) as caught:
        await alice.renew_token(token)
    table = {-10005: "Invalid token.", -10009: "Token is expired."}[code]
    assert caught.value.to_dict() == {
        "error": True,
        "code": code,
        "errorCode": code,
        "operation": "renewToken",
        "reason": table,
        "name": UN,
    }
    assert (await alice.renew_token(current)).to_dict() == {"timestamp": 0}  # old one kept


async def test_r_tk8_expiry_while_down_fails_the_next_attempt() -> None:
    emu = emulator()
    alice = emu.client("alice", app_id=APP_ID)
    await alice.login(token=rtm_007("alice", expire=60))
    await alice.subscribe("room")
    emu.disconnect("alice", app_id=APP_ID)
    seen = recorder(alice)
    emu.advance(61)
    emu.reconnect("alice", app_id=APP_ID)
    emu.advance(40)
    assert links(seen)[-2:] == [
        ("CONNECTING", "AUTO_RECONNECT", "AUTO_RECONNECT"),
        ("FAILED", "SERVER_REJECT", "TOKEN_EXPIRED"),
    ]
    assert [name for name, _ in seen].count("token") == 0
    assert alice.link_state is LinkState.FAILED


async def test_r_tk10_throttle_drops_a_second_notice_within_30_s() -> None:
    emu = emulator()
    alice = emu.client("alice", app_id=APP_ID)
    await alice.login(token=rtm_007("alice", expire=40))
    seen = recorder(alice)
    emu.advance(10)  # the notice at +10 s
    assert [name for name, _ in seen] == ["tokenPrivilegeWillExpire", "token"]
    seen.clear()
    await alice.renew_token(rtm_007("alice", issue_ts=START_S + 10, expire=40))
    emu.advance(15)
    assert seen == []  # R-TK10: the throttle drops the renewed token's notice


async def test_r_tk25_logout_stops_the_timers() -> None:
    emu = emulator()
    alice = emu.client("alice", app_id=APP_ID)
    await alice.login(token=rtm_007("alice", expire=60))
    await alice.logout()
    assert emu.pending_timers() == [] or all("token" not in t for _, t in emu.pending_timers())


async def test_r_tk20_set_app_certificate_at_runtime() -> None:
    emu = emulator(cert=False)
    emu.set_app_certificate(APP_ID, CERT)
    alice = emu.client("alice", app_id=APP_ID)
    with pytest.raises(RtmError) as caught:
        await alice.login(token=rtm_007("alice", cert=OTHER_CERT))
    assert caught.value.server_code == 9
    emu.set_app_certificate(APP_ID, None)
    await alice.login(token=rtm_007("alice", cert=OTHER_CERT))
    assert alice.link_state is LinkState.CONNECTED


def test_r_tk13_token_event_names_and_types() -> None:
    from typing import get_args

    from rtm_emulator._surface import FIRED_EVENT_NAMES
    from rtm_emulator._token_types import TokenEvent, TokenEventType, TokenWillExpireEvent

    assert ("token", "tokenPrivilegeWillExpire") == (
        TokenEvent.listener_name,
        TokenWillExpireEvent.listener_name,
    )
    assert {"token", "tokenPrivilegeWillExpire"} <= set(FIRED_EVENT_NAMES)
    assert ("WILL_EXPIRE", "READ_PERMISSION_REVOKED") == get_args(TokenEventType)


async def test_r_tk1_renew_token_checks_every_token() -> None:
    emu = emulator(cert=False)
    alice = emu.client("alice", app_id=APP_ID)
    await alice.login()
    for token in (None, ""):
        with pytest.raises(RtmError) as caught:
            await alice.renew_token(token)  # type: ignore[arg-type]
        assert (-10005, "renewToken") == (caught.value.code, caught.value.operation)
    for junk in (0, False, 1.5, {"a": 1}):
        with pytest.raises(TypeError):
            await alice.renew_token(junk)  # type: ignore[arg-type]
    with pytest.raises(RtmError) as caught:
        await alice.renew_token(["007"])  # type: ignore[arg-type]
    assert -10005 == caught.value.code


# ---------------------------------------------- stream channels (R-TK6, R-TK11, R-TK12)


async def _joined(emu: Emulator, token: str | None) -> Any:
    alice = emu.client("alice", app_id=APP_ID)
    await alice.login(token=rtm_007("alice"))
    stage = alice.create_stream_channel("stage")
    await stage.join(None if token is None else {"token": token})
    return alice


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        rtm_007("alice"),
        rtc_007("other", "alice"),
        rtc_007("stage", "bob"),
        rtc_007("stage", "alice", cert=OTHER_CERT),
        rtc_007("stage", "alice", issue_ts=START_S - 7200),
    ],
)
async def test_r_tk11_r_tk22_stream_join_refusals(token: str | None) -> None:
    emu = emulator()
    alice = emu.client("alice", app_id=APP_ID)
    await alice.login(token=rtm_007("alice"))
    seen = recorder(alice)
    with pytest.raises(RtmError) as caught:
        await alice.create_stream_channel("stage").join(None if token is None else {"token": token})
    error = caught.value.to_dict()
    assert (error["errorCode"], error["name"], error["reason"]) == (
        -10005,
        "RtmUnavailableError",
        "Invalid token.",
    )
    assert links(seen) == [("CONNECTING", "JOIN", "JOIN"), ("FAILED", "JOIN", "INVALID_TOKEN")]


@pytest.mark.parametrize(
    "token", [rtc_007("stage", "alice"), rtc_007("stage"), rtc_006("stage", "")]
)
async def test_r_tk11_stream_join_with_an_rtc_token(token: str) -> None:
    emu = emulator()
    await _joined(emu, token)
    assert emu.user_channels("alice", app_id=APP_ID) == [("STREAM", "stage")]


async def test_r_tk6_stream_renew_check_order() -> None:
    emu = emulator()
    alice = emu.client("alice", app_id=APP_ID)
    await alice.login(token=rtm_007("alice"))

    async def code(token: object, channel: object) -> int:
        with pytest.raises(RtmError) as caught:
            await alice.renewToken(token, {"channelName": channel})  # type: ignore[arg-type]
        return int(caught.value.error_code)

    assert await code("abc", "a.b") == -10005  # R-TK1 before the name
    assert await code(rtc_007("stage"), "a.b") == -10008
    assert await code(rtc_007("stage"), "stage") == -10008  # never created
    alice.create_stream_channel("stage")
    assert await code(rtc_007("stage"), "stage") == -11001  # created, not joined
    await alice.create_stream_channel("stage").join({"token": rtc_007("stage")})
    with pytest.raises(RtmError) as caught:
        await alice.renewToken(rtm_007("alice"), {"channelName": "stage"})
    assert caught.value.to_dict()["reason"] == (
        "Invalid token.RenewToken of streamChannel failure, server code is INVALID_PARAMS."
    )
    assert (await alice.renewToken(rtc_007("stage"), {"channelName": "stage"})).to_dict() == {
        "timestamp": 0
    }


async def test_r_tk12_r_tk24_stream_notice_and_expiry_renew_moves_them() -> None:
    emu = emulator()
    alice = await _joined(emu, rtc_007("stage", "alice", expire=60))
    seen = recorder(alice)
    emu.advance(30)
    assert seen == [("tokenPrivilegeWillExpire", "stage")]  # no token event, no throttle
    await alice.renewToken(
        rtc_007("stage", "alice", issue_ts=START_S + 30, expire=60), {"channelName": "stage"}
    )
    emu.advance(59.999)
    assert [n for n, _ in seen] == ["tokenPrivilegeWillExpire", "tokenPrivilegeWillExpire"]
    emu.advance(0.001)
    assert links(seen) == [("FAILED", "SERVER_REJECT", "TOKEN_EXPIRED")]
    assert emu.user_channels("alice", app_id=APP_ID) == []
    assert alice.link_state is LinkState.CONNECTED  # the MESSAGE link stays


async def test_r_tk24_r_tk25_stream_token_while_the_network_is_down() -> None:
    emu = emulator()
    alice = await _joined(emu, rtc_007("stage", "alice", expire=60))
    emu.disconnect("alice", app_id=APP_ID)
    seen = recorder(alice)
    emu.advance(61)  # the notice and the expiry fall due while down
    assert [n for n, _ in seen if n != "linkState"] == []
    emu.reconnect("alice", app_id=APP_ID)
    emu.advance(40)  # the next attempt succeeds
    stream = [e for n, e in seen if n == "linkState" and e["serviceType"] == "STREAM"]
    assert [(e["currentState"], e["reasonCode"]) for e in stream][-2:] == [
        ("CONNECTED", "RECONNECT_SUCCESS"),
        ("FAILED", "TOKEN_EXPIRED"),
    ]
    assert emu.user_channels("alice", app_id=APP_ID) == []


async def test_r_tk20_stream_join_without_a_certificate_is_not_checked() -> None:
    emu = emulator(cert=False)
    alice = emu.client("alice", app_id=APP_ID)
    await alice.login()
    await alice.create_stream_channel("stage").join()
    await alice.renewToken(rtm_007("x"), {"channelName": "stage"})
    emu.advance(7200)
    assert emu.user_channels("alice", app_id=APP_ID) == [("STREAM", "stage")]
