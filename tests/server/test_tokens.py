"""Tokens over the server (R-TK7, R-TK10, R-TK24, R-TK25, R-TK26): the certificate from
the config, renewToken dispatched, token events forwarded, the CLI's --app-certificate."""

from __future__ import annotations

import pytest

pytest.importorskip("websockets")

from rtm_emulator import EmulatorConfig
from rtm_emulator.cli import _parser

from ..engine.token_support import APP_ID, CERT, OTHER_CERT, START_S, rtm_007
from .support import CallFailed, eventually, running

CONFIG = EmulatorConfig(start_time_ms=START_S * 1000, app_certificates={APP_ID: CERT})


async def test_r_tk7_a_bad_signature_is_refused_over_the_wire() -> None:
    async with running(config=CONFIG) as world:
        alice = await world.user("alice", login=False, appId=APP_ID)
        with pytest.raises(CallFailed) as caught:
            await alice.call("login", {"token": rtm_007("alice", cert=OTHER_CERT)})
        error = caught.value.error
        assert (error["errorCode"], error["serverCode"], error["name"]) == (
            -10005,
            9,
            "RtmUnauthenticatedError",
        )


async def test_r_tk10_r_tk26_notice_renew_and_expiry_over_the_wire() -> None:
    async with running(config=CONFIG) as world:
        alice = await world.user("alice", login=False, appId=APP_ID)
        await alice.call("login", {"token": rtm_007("alice", expire=100)})
        control = await world.control()
        await control.control("advance", seconds=70)
        await eventually(lambda: any(e["name"] == "token" for e in alice.events))
        names = [e["name"] for e in alice.events if e["name"] != "linkState"]
        assert names == ["tokenPrivilegeWillExpire", "token"]
        will = next(e for e in alice.events if e["name"] == "tokenPrivilegeWillExpire")
        assert will["data"] == ""
        fresh = rtm_007("alice", issue_ts=START_S + 70, expire=600)
        assert {"timestamp": 0} == await alice.call("renewToken", fresh)
        await control.control("advance", seconds=100)
        assert not any(
            e["data"].get("currentState") == "FAILED"
            for e in alice.events
            if e["name"] == "linkState"
        )
        await control.control("advance", seconds=500)
        await eventually(
            lambda: any(
                e["name"] == "linkState" and e["data"]["reasonCode"] == "TOKEN_EXPIRED"
                for e in alice.events
            )
        )


def test_r_tk20_serve_takes_app_certificates() -> None:
    args = _parser().parse_args(
        ["serve", "--app-certificate", f"{APP_ID}:{CERT}", "--app-certificate", "b" * 32 + ":x"]
    )
    assert args.app_certificate == [f"{APP_ID}:{CERT}", "b" * 32 + ":x"]
