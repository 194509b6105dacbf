"""No frame gets the server stuck: lone surrogates and deep nesting (issue 15).

A frame whose strings hold a lone surrogate, or whose arrays and objects nest deeper
than ``MAX_DEPTH``, is answered with an ``INVALID_REQUEST`` error frame (its id kept
when usable); the socket stays open, and other sessions' replies are unaffected.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

pytest.importorskip("websockets")

from rtm_emulator.server import Hub, ProtocolErrorCode
from rtm_emulator.server._control import MAX_ADVANCE_SECONDS
from rtm_emulator.server._hub import Rejected, Request
from rtm_emulator.server._protocol import MAX_DEPTH, classify, dumps

from .support import CallFailed, running

APP1 = "App1App1App1App1App1App1App1App1"
LONE = "\\ud800"  # a lone surrogate, as JSON text escapes it


def nested(depth: int) -> str:
    """A request whose params nest ``depth`` arrays deep below the frame."""
    return '{"id":7,"method":"subscribe","params":' + "[" * depth + "]" * depth + "}"


def in_deep_stack(levels: int, call: Any) -> Any:
    """``call()`` run with ``levels`` Python frames already on the stack."""
    if levels == 0:
        return call()
    return in_deep_stack(levels - 1, call)


@pytest.mark.parametrize(
    "frame",
    [
        '{"id":1,"method":"hello","params":{"userId":"a' + LONE + '"}}',
        '{"id":1,"method":"hello","params":{"appId":"' + LONE + 'x"}}',
        '{"id":1,"method":"subscribe","params":["' + LONE + '"]}',
        '{"id":1,"method":"presence.setState","params":["r","MESSAGE",{"k' + LONE + '":"v"}]}',
        '{"id":1,"method":"sub' + LONE + 'scribe","params":[]}',
    ],
)
def test_a_lone_surrogate_anywhere_is_an_invalid_request_keeping_the_id(frame: str) -> None:
    parsed = Hub().parse(frame)
    assert isinstance(parsed, Rejected)
    assert 1 == parsed.id
    assert ProtocolErrorCode.INVALID_REQUEST == parsed.error.error_code
    assert "lone surrogate" in parsed.error.reason
    reply = Hub().execute(None, parsed).reply  # type: ignore[arg-type]
    assert reply is not None
    reply.encode("utf-8")  # strict: raises if the reply cannot be sent
    assert -32600 == json.loads(reply)["error"]["errorCode"]


def test_a_lone_surrogate_in_the_id_loses_the_id_not_the_reply() -> None:
    parsed = Hub().parse('{"id":"a' + LONE + '","method":"login"}')
    assert isinstance(parsed, Rejected)
    assert parsed.id is None
    assert "login" == parsed.error.operation
    assert ProtocolErrorCode.INVALID_REQUEST == parsed.error.error_code


def test_paired_surrogates_and_other_non_ascii_text_pass() -> None:
    parsed = Hub().parse('{"id":1,"method":"subscribe","params":["\\ud83d\\ude00 caf\\u00e9"]}')
    assert Request(1, "subscribe", ["\U0001f600 café"]) == parsed


def test_dumps_keeps_non_ascii_but_escapes_a_lone_surrogate() -> None:
    assert '{"a":"café"}' == dumps({"a": "café"})
    text = dumps({"a": "café\ud800", "b": ["\udfff"]})
    text.encode("utf-8")  # would raise UnicodeEncodeError with ensure_ascii=False
    assert text.isascii()
    assert {"a": "café\ud800", "b": ["\udfff"]} == json.loads(text)


def test_nesting_up_to_the_limit_is_a_request_and_one_more_level_is_refused() -> None:
    # the frame object is level 1, so params may hold MAX_DEPTH - 1 levels
    assert isinstance(Hub().parse(nested(MAX_DEPTH - 1)), Request)
    parsed = Hub().parse(nested(MAX_DEPTH))
    assert isinstance(parsed, Rejected)
    assert 7 == parsed.id
    assert ProtocolErrorCode.INVALID_REQUEST == parsed.error.error_code
    assert f"deeper than {MAX_DEPTH} levels" in parsed.error.reason


@pytest.mark.parametrize("depth", [900, 980, 10_000])
def test_deep_nesting_never_makes_parse_raise_even_on_a_deep_stack(depth: int) -> None:
    hub = Hub()
    for levels in (0, 60, 200):
        parsed = in_deep_stack(levels, lambda: hub.parse(nested(depth)))
        assert isinstance(parsed, Rejected)
        assert 7 == parsed.id
        assert parsed.error.error_code in (
            ProtocolErrorCode.INVALID_REQUEST,
            ProtocolErrorCode.PARSE_ERROR,
        )
        bare = in_deep_stack(levels, lambda: hub.parse("[" * depth + "]" * depth))
        assert isinstance(bare, Rejected)


def test_classify_walks_any_depth_without_recursion() -> None:
    data: Any = []
    for _ in range(sys.getrecursionlimit() * 3):
        data = [data]
    parsed = classify({"id": 3, "method": "x", "params": data})
    assert isinstance(parsed, Rejected)
    assert 3 == parsed.id


async def test_over_the_socket_bad_frames_get_error_frames_and_the_socket_lives() -> None:
    async with running() as world:
        bad = await world.peer()
        other = await world.user("bob", appId=APP1)
        frames = [
            (1, '{"id":1,"method":"hello","params":{"userId":"a","appId":"' + LONE * 32 + '"}}'),
            (2, '{"id":2,"method":"hello","params":{"userId":"' + LONE + '"}}'),
            (3, '{"id":3,"method":"control.journal","params":{"userId":"' + LONE + '"}}'),
            (4, '{"id":4,"method":"x","params":' + "[" * 10_000 + "]" * 10_000 + "}"),
            (5, '{"id":5,"method":"x","params":' + "{" + '"a":{' * 980 + "}" * 981 + "}"),
        ]
        for request_id, frame in frames:
            reply = await bad.send_raw(frame, request_id)
            assert "error" == reply["type"], reply
            assert reply["error"]["errorCode"] in (-32600, -32700), reply
        # the same socket still works, and so does everyone else's
        hello = await bad.request("hello", {"userId": "alice", "appId": APP1})
        assert "result" == hello["type"]
        assert {"timestamp": 0} == await bad.call("login")
        journal = await other.control("journal")
        assert isinstance(journal, list)
        assert isinstance(await other.control("journal", format="jsonl"), str)


async def test_control_advance_refuses_absurd_jumps_before_the_clock_moves() -> None:
    async with running() as world:
        control = await world.control()
        start = (await control.control("now"))["nowMs"]
        for seconds, shown in [
            (1e9, "1000000000.0"),
            (MAX_ADVANCE_SECONDS + 0.001, "86400.001"),
            (-1, "-1"),
            (True, "true"),
            ("5", "'5'"),
            (None, "got null"),
        ]:
            with pytest.raises(CallFailed) as caught:
                await control.control("advance", seconds=seconds)
            error = caught.value.error
            assert -10014 == error["errorCode"], error
            assert shown in error["detail"], error["detail"]
            assert f"from 0 to {MAX_ADVANCE_SECONDS}" in error["detail"]
        # NaN and Infinity are not JSON: the frame itself is refused
        reply = await control.send_raw(
            '{"id":"n","method":"control.advance","params":{"seconds":NaN}}', "n"
        )
        assert -32700 == reply["error"]["errorCode"]
        assert {"nowMs": start, "elapsed": 0.0} == await control.control("now")


async def test_control_advance_of_one_whole_day_is_allowed_and_cheap() -> None:
    async with running() as world:
        control = await world.control()
        await control.control("reset", config={"announceMax": 8, "interval": 10})
        peers = await world.in_room(*[f"u{i}" for i in range(9)])
        start = (await control.control("now"))["nowMs"]
        assert {"nowMs": start + MAX_ADVANCE_SECONDS * 1000} == await control.control(
            "advance", seconds=MAX_ADVANCE_SECONDS
        )
        assert peers[0].ws.state.name == "OPEN"
