"""The JS samples of the seed document, run against the emulator as written.

``seed-presence-web-api.zh.txt`` (the Web SDK presence reference) has one "基本用法"
sample per method.  Each test below runs its sample with the SDK spelling and the
SDK's option dicts (``rtm.presence.whoNow("chat_room", "MESSAGE", options)``), where
``rtm`` is ``emu.client(...)`` after ``await rtm.login()``; the JS
``try { ... } catch (status) { ... }`` becomes a plain call or ``pytest.raises``.
Only ``await`` and the seed's own typos differ (each test's docstring names them).
The last tests check that ``.to_dict()`` has the shapes of the seed's ``type``
declarations (``WhoNowResponse`` ... ``ErrorInfo``).

Expectations follow revision 2 (the SDK's runtime, agora-rtm.js of agora-rtm-sdk
2.3.0): every response's ``timestamp`` is 0 (R-Q7), a ``page`` is plain base64 of a
user id (R-Q3), state values are JSON values (R-S1), and the caller ``rtm`` is in no
channel, so its queries take the server route (R-Q3, R-Q6).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from rtm_emulator import Emulator, EmulatorConfig, RTMClient, RtmError

from ..conftest import Recorder


async def seed_world(emu: Emulator) -> tuple[RTMClient, RTMClient, Recorder]:
    """``rtm`` (logged in, the sample's caller) and Tony, listening in ``chat_room``."""
    rtm = emu.client("me")
    await rtm.login()
    tony = emu.client("Tony")
    tony_events = Recorder(tony)
    await tony.login()
    await tony.subscribe("chat_room")
    await tony.presence.setState("chat_room", "MESSAGE", {"mood": "calm"})
    tony_events.take()
    return rtm, tony, tony_events


def error_info(status: RtmError, operation: str, code: int, name: str) -> None:
    """``status`` is the SDK's error: the seed's ``ErrorInfo`` plus ``code`` and ``name``."""
    info = status.to_dict()
    assert {"error": True, "operation": operation, "errorCode": code, "code": code} == {
        k: info[k] for k in ("error", "operation", "errorCode", "code")
    }
    assert name == info["name"]
    assert set(info) == {"error", "code", "operation", "errorCode", "reason", "name"}
    assert isinstance(info["reason"], str) and info["reason"]


# ------------------------------------------------------------------------- whoNow


async def test_who_now_sample_as_written_gets_an_empty_page(emu: Emulator) -> None:
    """whoNow sample as written (R-Q3): ``page: "yourBookMark"`` is valid base64 (twelve
    letters); it decodes to bytes that sort after every user id, so the page starts
    past everyone: no occupants, ``nextPage ""``, and ``totalOccupancy`` the channel's
    occupancy (R-Q4); ``timestamp`` 0 (R-Q7)."""
    rtm, _, _ = await seed_world(emu)
    options = {
        "includedUserId": True,
        "includedState": True,
        "page": "yourBookMark",
    }
    result = await rtm.presence.whoNow("chat_room", "MESSAGE", options)
    print(result)  # console.log(result)
    assert {"timestamp": 0, "totalOccupancy": 1, "occupants": [], "nextPage": ""} == (
        result.to_dict()
    )


async def test_who_now_sample_with_a_bookmark_that_is_not_base64(emu: Emulator) -> None:
    """whoNow sample with a ``page`` that ``atob`` cannot decode: a plain ``ValueError``
    (the SDK's ``InvalidCharacterError``), not an RTM error (R-Q3, R-X3)."""
    rtm, _, _ = await seed_world(emu)
    options = {"includedUserId": True, "includedState": True, "page": "your BookMark!"}
    with pytest.raises(ValueError) as caught:
        await rtm.presence.whoNow("chat_room", "MESSAGE", options)
    assert not isinstance(caught.value, RtmError)


@pytest.mark.parametrize("page", [None, ""], ids=["page-None", "page-empty"])
async def test_who_now_sample_with_no_bookmark(emu: Emulator, page: str | None) -> None:
    """whoNow sample with ``page`` left unset (None / ""): the first page (R-Q3, R-Q7)."""
    rtm, _, _ = await seed_world(emu)
    options = {
        "includedUserId": True,
        "includedState": True,
        "page": page,
    }
    result = await rtm.presence.whoNow("chat_room", "MESSAGE", options)
    assert {
        "timestamp": 0,
        "totalOccupancy": 1,
        "occupants": [{"states": {"mood": "calm"}, "userId": "Tony", "statesCount": 1}],
        "nextPage": "",
    } == result.to_dict()


async def test_who_now_sample_with_a_real_bookmark() -> None:
    """whoNow sample with ``page`` set to the ``nextPage`` the service returned: the
    base64 of the last user id of the page (R-Q3); pages hold ``announce_max`` users."""
    emu = Emulator(EmulatorConfig(announce_max=8), strict=True)
    rtm, _, _ = await seed_world(emu)
    for n in range(1, 9):
        other = emu.client(f"u{n}")
        await other.login()
        await other.subscribe("chat_room", {"withPresence": False})
    first = await rtm.presence.whoNow(
        "chat_room", "MESSAGE", {"includedUserId": True, "includedState": True}
    )
    assert ["Tony", "u1", "u2", "u3", "u4", "u5", "u6", "u7"] == [
        o["userId"] for o in first.to_dict()["occupants"]
    ]
    assert (9, base64.b64encode(b"u7").decode()) == (first.total_occupancy, first.next_page)
    options = {
        "includedUserId": True,
        "includedState": True,
        "page": first.next_page,
    }
    result = await rtm.presence.whoNow("chat_room", "MESSAGE", options)
    assert {
        "timestamp": 0,
        "totalOccupancy": 9,
        "occupants": [{"states": {}, "userId": "u8", "statesCount": 0}],
        "nextPage": "",
    } == result.to_dict()
    emu.check_invariants()


# ----------------------------------------------------------------------- whereNow


async def test_where_now_sample(emu: Emulator) -> None:
    """whereNow sample as written: ``rtm.presence.whereNow("Tony")`` (R-Q5, R-Q7)."""
    rtm, tony, _ = await seed_world(emu)
    await tony.createStreamChannel("chat_room").join()
    result = await rtm.presence.whereNow("Tony")
    print(result)  # console.log(result)
    assert {
        "timestamp": 0,
        "totalChannel": 2,
        "channels": [
            {"channelName": "chat_room", "channelType": "MESSAGE"},
            {"channelName": "chat_room", "channelType": "STREAM"},
        ],
    } == result.to_dict()


# ----------------------------------------------------------------------- setState


async def test_set_state_sample_stores_the_boolean(emu: Emulator) -> None:
    """setState sample; the seed's typo ``rtm.Presence`` is run as ``rtm.presence``.

    ``"isTyping": false`` is a boolean; the SDK does not type-check values (R-S1, R-S3),
    so the call succeeds and the boolean is stored as a boolean.
    """
    rtm, tony, _ = await seed_world(emu)
    await rtm.subscribe("chat_room")
    new_state = {"mood": "pumped", "isTyping": False}
    result = await rtm.presence.setState("chat_room", "MESSAGE", new_state)
    print(result)  # console.log(result)
    assert {"timestamp": 0} == result.to_dict()
    assert new_state == emu.state_of("me", "chat_room", "MESSAGE")
    got = await tony.presence.getState("me", "chat_room", "MESSAGE")
    assert {"mood": "pumped", "isTyping": False} == got.to_dict()["states"]
    assert got.to_dict()["states"]["isTyping"] is False


async def test_set_state_sample_with_a_string_value(emu: Emulator) -> None:
    """setState sample with ``"isTyping": "false"`` (a string); the seed's typo
    ``rtm.Presence`` is run as ``rtm.presence``: Tony hears one REMOTE_STATE_CHANGED
    with the full state (R-S5)."""
    rtm, _, tony_events = await seed_world(emu)
    await rtm.subscribe("chat_room")
    tony_events.take()
    new_state = {"mood": "pumped", "isTyping": "false"}
    result = await rtm.presence.setState("chat_room", "MESSAGE", new_state)
    print(result)  # console.log(result)
    assert {"timestamp": 0} == result.to_dict()
    assert new_state == emu.state_of("me", "chat_room", "MESSAGE")
    events = tony_events.take()
    assert [("REMOTE_STATE_CHANGED", "me", new_state)] == [
        (e.event_type.value, e.publisher, dict(e.state_changed)) for e in events
    ]


# ----------------------------------------------------------------------- getState


async def test_get_state_sample(emu: Emulator) -> None:
    """getState sample as written, Tony being present in chat_room; the seed's typo
    ``const.log(result)`` is run as ``console.log`` (``print``). The caller is not in
    the channel: the server answers (R-Q6), ``timestamp`` 0 (R-Q7)."""
    rtm, tony, _ = await seed_world(emu)
    await tony.presence.setState("chat_room", "MESSAGE", {"mood": "pumped", "isTyping": "false"})
    result = await rtm.presence.getState("Tony", "chat_room", "MESSAGE")
    print(result)  # const.log(result)
    assert {
        "timestamp": 0,
        "userId": "Tony",
        "states": {"mood": "pumped", "isTyping": "false"},
        "statesCount": 2,
    } == result.to_dict()


async def test_get_state_sample_when_tony_is_absent(emu: Emulator) -> None:
    """getState sample when Tony is not in chat_room: the server route answers an
    absent user with ``states {}``, not an error (R-Q6)."""
    rtm, tony, _ = await seed_world(emu)
    await tony.unsubscribe("chat_room")
    emu.advance(emu.config.debounce)
    result = await rtm.presence.getState("Tony", "chat_room", "MESSAGE")
    assert {"timestamp": 0, "userId": "Tony", "states": {}, "statesCount": 0} == (result.to_dict())


async def test_get_state_sample_from_inside_the_channel(emu: Emulator) -> None:
    """getState sample by a caller listening in chat_room: answered from its replica,
    where a user without a document is -13011 (R-Q6) — the sample's ``catch``."""
    rtm, _, _ = await seed_world(emu)
    await rtm.subscribe("chat_room")
    with pytest.raises(RtmError) as caught:
        await rtm.presence.getState("Nobody", "chat_room", "MESSAGE")
    error_info(caught.value, "presenceGetState", -13011, "RtmUnavailableError")


# -------------------------------------------------------------------- removeState


async def test_remove_state_sample(emu: Emulator) -> None:
    """removeState sample; the seed's typo ``rtm.Presence`` is run as ``rtm.presence``.

    The listed keys ``mode`` and ``Typing`` are removed, others stay; Tony gets one
    ``REMOTE_STATE_CHANGED`` with the full state after the call (R-S2, R-S5).
    """
    rtm, _, tony_events = await seed_world(emu)
    await rtm.subscribe("chat_room")
    await rtm.presence.setState(
        "chat_room", "MESSAGE", {"mood": "pumped", "mode": "dark", "Typing": "yes"}
    )
    tony_events.take()
    options = {"states": ["mode", "Typing"]}
    result = await rtm.presence.removeState("chat_room", "MESSAGE", options)
    print(result)  # console.log(result)
    assert {"timestamp": 0} == result.to_dict()
    assert {"mood": "pumped"} == emu.state_of("me", "chat_room", "MESSAGE")
    assert [("REMOTE_STATE_CHANGED", "me", {"mood": "pumped"})] == [
        (e.event_type.value, e.publisher, dict(e.state_changed)) for e in tony_events.take()
    ]


async def test_remove_state_sample_after_the_set_state_sample(emu: Emulator) -> None:
    """removeState sample after the setState sample (``rtm.Presence`` typo run as
    ``rtm.presence``): the seed's keys differ (``mode`` vs ``mood``, ``Typing`` vs
    ``isTyping``), so nothing is removed; removing absent keys is not an error (R-S2),
    and as nothing is written, Tony hears nothing (R-S5)."""
    rtm, _, tony_events = await seed_world(emu)
    await rtm.subscribe("chat_room")
    state = {"mood": "pumped", "isTyping": "false"}
    await rtm.presence.setState("chat_room", "MESSAGE", state)
    tony_events.take()
    options = {"states": ["mode", "Typing"]}
    result = await rtm.presence.removeState("chat_room", "MESSAGE", options)
    assert {"timestamp": 0} == result.to_dict()
    assert state == emu.state_of("me", "chat_room", "MESSAGE")
    assert [] == tony_events.take()


# ------------------------------------------------------- the seed's type shapes


def check_shape(value: Any, shape: Any, where: str = "$") -> None:
    """``value`` matches ``shape``: a type, a dict of exact keys, or a one-item list."""
    if isinstance(shape, dict):
        assert isinstance(value, dict), where
        assert set(shape) == set(value), (where, sorted(value))
        for key, sub in shape.items():
            check_shape(value[key], sub, f"{where}.{key}")
    elif isinstance(shape, list):
        assert isinstance(value, list), where
        for i, item in enumerate(value):
            check_shape(item, shape[0], f"{where}[{i}]")
    else:
        assert type(value) is shape, (where, value)


#: The seed's ``type ... = {...}`` declarations (JS ``number`` is a Python int here).
WHO_NOW_RESPONSE = {
    "timestamp": int,
    "totalOccupancy": int,
    "occupants": [{"states": dict, "userId": str, "statesCount": int}],
    "nextPage": str,
}
WHERE_NOW_RESPONSE = {
    "timestamp": int,
    "totalChannel": int,
    "channels": [{"channelName": str, "channelType": str}],
}
SET_STATE_RESPONSE = {"timestamp": int}
GET_STATE_RESPONSE = {"timestamp": int, "userId": str, "states": dict, "statesCount": int}
REMOVE_STATE_RESPONSE = {"timestamp": int}
#: The seed's ``ErrorInfo`` plus the SDK error's own ``code`` and class ``name`` (R-X2).
ERROR_INFO = {
    "error": bool,
    "code": int,
    "operation": str,
    "errorCode": int,
    "reason": str,
    "name": str,
}


async def test_response_shapes_match_the_seed_types(emu: Emulator) -> None:
    rtm, tony, _ = await seed_world(emu)
    await tony.createStreamChannel("chat_room").join()
    presence = rtm.presence

    who = (await presence.whoNow("chat_room", "MESSAGE", {"includedState": True})).to_dict()
    check_shape(who, WHO_NOW_RESPONSE)
    assert who["occupants"] and who["occupants"][0]["states"] == {"mood": "calm"}
    check_shape((await presence.whoNow("chat_room", "MESSAGE")).to_dict(), WHO_NOW_RESPONSE)
    count_only = await presence.whoNow("chat_room", "MESSAGE", {"includedUserId": False})
    check_shape(count_only.to_dict(), WHO_NOW_RESPONSE)

    where = (await presence.whereNow("Tony")).to_dict()
    check_shape(where, WHERE_NOW_RESPONSE)
    assert 2 == len(where["channels"]) == where["totalChannel"]

    check_shape(
        (await presence.setState("chat_room", "MESSAGE", {"k": "v"})).to_dict(),
        SET_STATE_RESPONSE,
    )
    got = (await presence.getState("Tony", "chat_room", "MESSAGE")).to_dict()
    check_shape(got, GET_STATE_RESPONSE)
    check_shape(
        (await presence.removeState("chat_room", "MESSAGE", {"states": ["k"]})).to_dict(),
        REMOVE_STATE_RESPONSE,
    )

    for response in (who, where, got):
        assert json.loads(json.dumps(response)) == response  # plain JSON values
        assert 0 == response["timestamp"]  # R-Q7


@pytest.mark.parametrize(
    ("method", "args", "operation", "code"),
    [
        ("whoNow", ("chat_room", "USER"), "whoNow", -10019),
        ("whereNow", ("a.b",), "whereNow", -10006),
        ("setState", ("chat_room", "MESSAGE", {"_isTyping": False}), "presenceSetState", -13006),
        ("getState", ("Tony", "chat_room", "USER"), "presenceGetState", -10019),
        ("removeState", ("chat_room", "MESSAGE", {"states": [""]}), "presenceRemoveState", -13006),
    ],
)
async def test_error_info_shape_matches_the_seed_type(
    emu: Emulator, method: str, args: tuple[Any, ...], operation: str, code: int
) -> None:
    """R-X2: the error carries the seed's ErrorInfo fields and the SDK's operation."""
    rtm, _, _ = await seed_world(emu)
    with pytest.raises(RtmError) as caught:
        await getattr(rtm.presence, method)(*args)
    info = caught.value.to_dict()
    check_shape(info, ERROR_INFO)
    assert info["error"] is True
    assert (operation, code, code) == (info["operation"], info["errorCode"], info["code"])
