"""The server's token check (R-TK21..R-TK23, R-TK27) against tokens from Agora's
official builders."""

from __future__ import annotations

import base64
import zlib

from rtm_emulator import _token_verify as tv

from .token_support import APP_ID, CERT, OTHER_CERT, START_S, rtc_006, rtc_007, rtm_006, rtm_007


def test_r_tk21_007_parses_to_the_builders_fields() -> None:
    parsed = tv.parse_token(rtm_007("alice", expire=600))
    assert parsed is not None
    assert (parsed.version, parsed.app_id, parsed.issue_ts, parsed.expire) == (
        "007",
        APP_ID,
        START_S,
        600,
    )
    rtm = parsed.service(tv.SERVICE_RTM)
    assert rtm is not None and rtm.fields == ("alice",)
    assert rtm.privilege(tv.PRIVILEGE_RTM_LOGIN) == 600


def test_r_tk21_r_tk22_login_verdicts_007() -> None:
    token = rtm_007("alice")
    assert tv.login_verdict(token, APP_ID, CERT, "alice") == tv.Verdict(0, START_S + 3600)
    assert tv.login_verdict(token, APP_ID, OTHER_CERT, "alice").code == tv.AP_NO_AUTHORIZED
    assert tv.login_verdict(token, APP_ID, CERT, "bob").code == tv.AP_INVALID_USER_ID
    assert tv.login_verdict("", APP_ID, CERT, "alice").code == 15
    assert tv.login_verdict(APP_ID, APP_ID, CERT, "alice").code == 15
    assert tv.login_verdict(rtc_007("room"), APP_ID, CERT, "alice").code == 21


def test_r_tk21_tampered_007_is_refused() -> None:
    packed = bytearray(zlib.decompress(base64.b64decode(rtm_007("alice")[3:])))
    packed[-3] ^= 1  # a byte of the user id
    forged = "007" + base64.b64encode(zlib.compress(bytes(packed))).decode()
    assert tv.login_verdict(forged, APP_ID, CERT, "alice").code == tv.AP_NO_AUTHORIZED
    assert tv.parse_token("007!!!") is None
    assert tv.login_verdict("007!!!", APP_ID, CERT, "alice").code == tv.AP_NO_AUTHORIZED


def test_r_tk21_r_tk22_login_verdicts_006() -> None:
    token = rtm_006("alice")
    assert tv.login_verdict(token, APP_ID, CERT, "alice") == tv.Verdict(0, START_S + 86_400)
    assert tv.login_verdict(token, APP_ID, OTHER_CERT, "alice").code == tv.AP_NO_AUTHORIZED
    assert tv.login_verdict(token, APP_ID, CERT, "bob").code == tv.AP_INVALID_USER_ID


def test_r_tk22_stream_verdicts() -> None:
    for token in (rtc_007("room", "alice"), rtc_007("room"), rtc_006("room", "alice")):
        assert tv.stream_verdict(token, APP_ID, CERT, "room", "alice").code == 0
        assert tv.stream_verdict(token, APP_ID, CERT, "other", "alice").code == 7
    assert tv.stream_verdict(rtc_007("room", "bob"), APP_ID, CERT, "room", "alice").code == 7
    assert tv.stream_verdict(rtm_007("alice"), APP_ID, CERT, "room", "alice").code == 21
    assert tv.stream_verdict(rtc_007("room", cert=OTHER_CERT), APP_ID, CERT, "room", "a").code == 9


def test_r_tk23_lapse_instants() -> None:
    shorter = tv.login_verdict(rtm_007("alice", expire=600, privilege=60), APP_ID, CERT, "alice")
    assert shorter.expiry_s == START_S + 60
    unbounded = tv.login_verdict(rtm_007("alice", expire=600, privilege=0), APP_ID, CERT, "alice")
    assert unbounded.expiry_s == START_S + 600
    early = tv.login_verdict(rtm_006("alice", expire_ts=START_S + 5), APP_ID, CERT, "alice")
    assert early.expiry_s == START_S + 5
    assert early.at((START_S + 5) * 1000 - 1) == 0
    assert early.at((START_S + 5) * 1000) == tv.AP_TOKEN_EXPIRED
    assert tv.Verdict(9).at(0) == 9


def test_r_tk27_verdicts_are_cached_per_subject() -> None:
    token = rtm_007("carol")
    first = tv.login_verdict(token, APP_ID, CERT, "carol")
    assert tv.login_verdict(token, APP_ID, CERT, "carol") is first
    assert tv.login_verdict(token, APP_ID, CERT, "dave") is not first
