"""The JS samples of the seed document, run against the emulator as written.

``seed-presence-web-api.zh.txt`` (the Web SDK presence reference) has one "基本用法"
sample per method.  Each test below runs its sample with the SDK spelling and the
SDK's option dicts (``rtm.presence.whoNow("chat_room", "MESSAGE", options)``), where
``rtm`` is ``emu.client(...)`` after ``await rtm.login()``; the JS
``try { ... } catch (status) { ... }`` becomes a plain call or ``pytest.raises``.
Only ``await`` and the seed's own typos differ (each test's docstring names them).
The last tests check that ``.to_dict()`` has the shapes of the seed's ``type``
declarations (``WhoNowResponse`` ... ``ErrorInfo``).
"""

from __future__ import annotations

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


def error_info(status: RtmError, operation: str, code: int) -> None:
    """``status`` is the seed's ``ErrorInfo`` for that operation and code."""
    info = status.to_dict()
    assert {"error": True, "operation": operation, "errorCode": code} == {
        k: info[k] for k in ("error", "operation", "errorCode")
    }
    assert set(info) == {"error", "operation", "errorCode", "reason"}
    assert isinstance(info["reason"], str) and info["reason"]


# ------------------------------------------------------------------------- whoNow


async def test_who_now_sample_rejects_the_placeholder_bookmark(emu: Emulator) -> None:
    """whoNow sample as written: ``page: "yourBookMark"`` is a placeholder, not a
    bookmark the service issued, so the call lands in the sample's ``catch`` (R-Q3)."""
    rtm, _, _ = await seed_world(emu)
    options = {
        "includedUserId": True,
        "includedState": True,
        "page": "yourBookMark",
    }
    with pytest.raises(RtmError) as caught:
        result = await rtm.presence.whoNow("chat_room", "MESSAGE", options)
        print(result)  # console.log(result)
    status = caught.value
    print(status)  # console.log(status)
    error_info(status, "whoNow", -13003)
    assert "yourBookMark" in status.reason


@pytest.mark.parametrize("page", [None, ""], ids=["page-None", "page-empty"])
async def test_who_now_sample_with_no_bookmark(emu: Emulator, page: str | None) -> None:
    """whoNow sample with ``page`` left unset (None / ""): the first page."""
    rtm, _, _ = await seed_world(emu)
    options = {
        "includedUserId": True,
        "includedState": True,
        "page": page,
    }
    result = await rtm.presence.whoNow("chat_room", "MESSAGE", options)
    assert {
        "timestamp": emu.now_ms,
        "totalOccupancy": 1,
        "occupants": [{"states": {"mood": "calm"}, "userId": "Tony", "statesCount": 1}],
        "nextPage": "",
    } == result.to_dict()


async def test_who_now_sample_with_a_real_bookmark() -> None:
    """whoNow sample with ``page`` set to the ``nextPage`` the service returned."""
    emu = Emulator(EmulatorConfig(page_size=2), strict=True)
    rtm, _, _ = await seed_world(emu)
    for uid in ("Amy", "Zoe"):
        other = emu.client(uid)
        await other.login()
        await other.subscribe("chat_room")
    first = await rtm.presence.whoNow(
        "chat_room", "MESSAGE", {"includedUserId": True, "includedState": True}
    )
    assert ["Amy", "Tony"] == [o["userId"] for o in first.to_dict()["occupants"]]
    assert first.next_page
    options = {
        "includedUserId": True,
        "includedState": True,
        "page": first.next_page,
    }
    result = await rtm.presence.whoNow("chat_room", "MESSAGE", options)
    assert {
        "timestamp": emu.now_ms,
        "totalOccupancy": 1,
        "occupants": [{"states": {}, "userId": "Zoe", "statesCount": 0}],
        "nextPage": "",
    } == result.to_dict()
    emu.check_invariants()


# ----------------------------------------------------------------------- whereNow


async def test_where_now_sample(emu: Emulator) -> None:
    """whereNow sample as written: ``rtm.presence.whereNow("Tony")``."""
    rtm, tony, _ = await seed_world(emu)
    await tony.createStreamChannel("chat_room").join()
    result = await rtm.presence.whereNow("Tony")
    print(result)  # console.log(result)
    assert {
        "timestamp": emu.now_ms,
        "totalChannel": 2,
        "channels": [
            {"channelName": "chat_room", "channelType": "MESSAGE"},
            {"channelName": "chat_room", "channelType": "STREAM"},
        ],
    } == result.to_dict()


# ----------------------------------------------------------------------- setState


async def test_set_state_sample_rejects_the_boolean_value(emu: Emulator) -> None:
    """setState sample; the seed's typo ``rtm.Presence`` is run as ``rtm.presence``.

    ``"isTyping": false`` is a boolean, but the seed's own parameter table says values
    must be strings: -13007 (R-S3), and nothing changes (no key set, no event).
    """
    rtm, _, tony_events = await seed_world(emu)
    await rtm.subscribe("chat_room")
    tony_events.take()
    new_state = {"mood": "pumped", "isTyping": False}
    with pytest.raises(RtmError) as caught:
        result = await rtm.presence.setState("chat_room", "MESSAGE", new_state)
        print(result)  # console.log(result)
    status = caught.value
    error_info(status, "setState", -13007)
    assert "isTyping" in status.reason and "False" in status.reason
    assert {} == emu.state_of("me", "chat_room", "MESSAGE")
    assert [] == tony_events.take()


async def test_set_state_sample_with_a_string_value(emu: Emulator) -> None:
    """setState sample with ``"isTyping": "false"`` (a string); the seed's typo
    ``rtm.Presence`` is run as ``rtm.presence``."""
    rtm, _, tony_events = await seed_world(emu)
    await rtm.subscribe("chat_room")
    tony_events.take()
    new_state = {"mood": "pumped", "isTyping": "false"}
    result = await rtm.presence.setState("chat_room", "MESSAGE", new_state)
    print(result)  # console.log(result)
    assert {"timestamp": emu.now_ms} == result.to_dict()
    assert new_state == emu.state_of("me", "chat_room", "MESSAGE")
    events = tony_events.take()
    assert [("REMOTE_STATE_CHANGED", "me", new_state)] == [
        (e.event_type.value, e.publisher, dict(e.state_changed)) for e in events
    ]


# ----------------------------------------------------------------------- getState


async def test_get_state_sample(emu: Emulator) -> None:
    """getState sample as written, Tony being present in chat_room; the seed's typo
    ``const.log(result)`` is run as ``console.log`` (``print``)."""
    rtm, tony, _ = await seed_world(emu)
    await tony.presence.setState("chat_room", "MESSAGE", {"mood": "pumped", "isTyping": "false"})
    result = await rtm.presence.getState("Tony", "chat_room", "MESSAGE")
    print(result)  # const.log(result)
    assert {
        "timestamp": emu.now_ms,
        "userId": "Tony",
        "states": {"mood": "pumped", "isTyping": "false"},
        "statesCount": 2,
    } == result.to_dict()


async def test_get_state_sample_when_tony_is_absent(emu: Emulator) -> None:
    """getState sample when Tony is not in chat_room: the ``catch`` branch, -13011."""
    rtm, tony, _ = await seed_world(emu)
    await tony.unsubscribe("chat_room")
    with pytest.raises(RtmError) as caught:
        await rtm.presence.getState("Tony", "chat_room", "MESSAGE")
    error_info(caught.value, "getState", -13011)


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
    assert {"timestamp": emu.now_ms} == result.to_dict()
    assert {"mood": "pumped"} == emu.state_of("me", "chat_room", "MESSAGE")
    assert [("REMOTE_STATE_CHANGED", "me", {"mood": "pumped"})] == [
        (e.event_type.value, e.publisher, dict(e.state_changed)) for e in tony_events.take()
    ]


async def test_remove_state_sample_after_the_set_state_sample(emu: Emulator) -> None:
    """removeState sample after the setState sample (``rtm.Presence`` typo run as
    ``rtm.presence``): the seed's keys differ (``mode`` vs ``mood``, ``Typing`` vs
    ``isTyping``), so nothing is removed; removing absent keys is not an error (R-S2)
    and the call still sends one ``REMOTE_STATE_CHANGED`` (R-S5)."""
    rtm, _, tony_events = await seed_world(emu)
    await rtm.subscribe("chat_room")
    state = {"mood": "pumped", "isTyping": "false"}
    await rtm.presence.setState("chat_room", "MESSAGE", state)
    tony_events.take()
    options = {"states": ["mode", "Typing"]}
    result = await rtm.presence.removeState("chat_room", "MESSAGE", options)
    assert {"timestamp": emu.now_ms} == result.to_dict()
    assert state == emu.state_of("me", "chat_room", "MESSAGE")
    assert [("REMOTE_STATE_CHANGED", "me", state)] == [
        (e.event_type.value, e.publisher, dict(e.state_changed)) for e in tony_events.take()
    ]


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
ERROR_INFO = {"error": bool, "operation": str, "errorCode": int, "reason": str}


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


@pytest.mark.parametrize(
    ("method", "args", "operation"),
    [
        ("whoNow", ("chat_room", "MESSAGE", {"page": "yourBookMark"}), "whoNow"),
        ("whereNow", ("null",), "whereNow"),
        ("setState", ("chat_room", "MESSAGE", {"isTyping": False}), "setState"),
        ("getState", ("Tony", "chat_room", "USER"), "getState"),
        ("removeState", ("chat_room", "MESSAGE", {"states": [""]}), "removeState"),
    ],
)
async def test_error_info_shape_matches_the_seed_type(
    emu: Emulator, method: str, args: tuple[Any, ...], operation: str
) -> None:
    rtm, _, _ = await seed_world(emu)
    with pytest.raises(RtmError) as caught:
        await getattr(rtm.presence, method)(*args)
    info = caught.value.to_dict()
    check_shape(info, ERROR_INFO)
    assert info["error"] is True
    assert operation == info["operation"]
    assert info["errorCode"] < 0
