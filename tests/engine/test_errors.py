"""Errors, identifiers and configuration (revision 2): R-X1..R-X3, R-C1..R-C6.

semantics.md "Identifiers and configuration" and "Errors"; the evidence is the SDK runtime
(agora-rtm.js 2.3.0): the per-method check order (RTMImpl / PresenceImpl / StreamChannelImpl),
the reason table and the error classes.  Every failing call is checked the same way
(:func:`fails`): its exact ``code``, ``operation`` (the SDK's), ``reason`` (the SDK's text),
``name`` (the SDK's error class), ``to_dict()``, and atomicity: a snapshot of the world taken
before and after shows that nothing changed and no event was delivered.  Where the SDK throws
a plain JavaScript exception, the Python client raises the matching built-in (R-X3,
:func:`raises_plain`).

``tests/reliability/test_bad_input_matrix.py`` is the exhaustive, generated matrix; this
file pins each rule clause with hand-picked values and the edges of every limit.
"""

from __future__ import annotations

import base64
import enum
import inspect
import json
import pickle
import string
from collections.abc import Coroutine
from typing import Any

import pytest

import rtm_emulator
from rtm_emulator import (
    ChannelType,
    Emulator,
    EmulatorConfig,
    ErrorCode,
    RTMClient,
    RTMConfig,
    RtmError,
)

from ..conftest import Recorder, login_recorded

# =========================================================================== constants
from ..expected import LIMIT, SDK_ERRORS, UNAVAILABLE

EMPTY_STATE = SDK_ERRORS[-13003][0] + "state of parameter is empty."
UID_FALSE_STATE_TRUE = SDK_ERRORS[-13003][0] + "include uid is false but include state is true."

#: The 2.3.0 ``ErrorCode`` enum, name -> code (the ``RTM_ERROR_`` prefix dropped).
SDK_ENUM: dict[str, int] = {
    "OK": 0,
    "NOT_INITIALIZED": -10001,
    "NOT_LOGIN": -10002,
    "INVALID_APP_ID": -10003,
    "INVALID_EVENT_HANDLER": -10004,
    "INVALID_TOKEN": -10005,
    "INVALID_USER_ID": -10006,
    "INIT_SERVICE_FAILED": -10007,
    "INVALID_CHANNEL_NAME": -10008,
    "TOKEN_EXPIRED": -10009,
    "LOGIN_NO_SERVER_RESOURCES": -10010,
    "LOGIN_TIMEOUT": -10011,
    "LOGIN_REJECTED": -10012,
    "LOGIN_ABORTED": -10013,
    "INVALID_PARAMETER": -10014,
    "LOGIN_NOT_AUTHORIZED": -10015,
    "INCONSISTENT_APPID": -10016,
    "DUPLICATE_OPERATION": -10017,
    "INSTANCE_ALREADY_RELEASED": -10018,
    "INVALID_CHANNEL_TYPE": -10019,
    "INVALID_ENCRYPTION_PARAMETER": -10020,
    "OPERATION_RATE_EXCEED_LIMITATION": -10021,
    "SERVICE_NOT_SUPPORTED": -10022,
    "LOGIN_CANCELED": -10023,
    "INVALID_PRIVATE_CONFIG": -10024,
    "NOT_CONNECTED": -10025,
    "RENEW_TOKEN_TIMEOUT": -10026,
    "DUPLICATE_USER_ID": -10027,
    "CHANNEL_NOT_JOINED": -11001,
    "CHANNEL_NOT_SUBSCRIBED": -11002,
    "CHANNEL_EXCEED_TOPIC_USER_LIMITATION": -11003,
    "CHANNEL_IN_REUSE": -11004,
    "CHANNEL_INSTANCE_EXCEED_LIMITATION": -11005,
    "CHANNEL_IN_ERROR_STATE": -11006,
    "CHANNEL_JOIN_FAILED": -11007,
    "CHANNEL_INVALID_TOPIC_NAME": -11008,
    "CHANNEL_INVALID_MESSAGE": -11009,
    "CHANNEL_MESSAGE_LENGTH_EXCEED_LIMITATION": -11010,
    "CHANNEL_INVALID_USER_LIST": -11011,
    "CHANNEL_NOT_AVAILABLE": -11012,
    "CHANNEL_TOPIC_NOT_SUBSCRIBED": -11013,
    "CHANNEL_EXCEED_TOPIC_LIMITATION": -11014,
    "CHANNEL_JOIN_TOPIC_FAILED": -11015,
    "CHANNEL_TOPIC_NOT_JOINED": -11016,
    "CHANNEL_TOPIC_NOT_EXIST": -11017,
    "CHANNEL_INVALID_TOPIC_META": -11018,
    "CHANNEL_SUBSCRIBE_TIMEOUT": -11019,
    "CHANNEL_SUBSCRIBE_TOO_FREQUENT": -11020,
    "CHANNEL_SUBSCRIBE_FAILED": -11021,
    "CHANNEL_UNSUBSCRIBE_FAILED": -11022,
    "CHANNEL_ENCRYPT_MESSAGE_FAILED": -11023,
    "CHANNEL_PUBLISH_MESSAGE_FAILED": -11024,
    "CHANNEL_PUBLISH_MESSAGE_TOO_FREQUENT": -11025,
    "CHANNEL_PUBLISH_MESSAGE_TIMEOUT": -11026,
    "CHANNEL_NOT_CONNECTED": -11027,
    "CHANNEL_LEAVE_FAILED": -11028,
    "CHANNEL_CUSTOM_TYPE_LENGTH_OVERFLOW": -11029,
    "CHANNEL_INVALID_CUSTOM_TYPE": -11030,
    "CHANNEL_UNSUPPORTED_MESSAGE_TYPE": -11031,
    "CHANNEL_PRESENCE_NOT_READY": -11032,
    "CHANNEL_RECEIVER_OFFLINE": -11033,
    "CHANNEL_JOIN_CANCELED": -11034,
    "CHANNEL_RECEIVER_OFFLINE_BUT_STORE_SUCCEEDED": -11035,
    "CHANNEL_RECEIVER_OFFLINE_AND_STORE_FAILED": -11036,
    "CHANNEL_MESSAGE_DELIVERED_BUT_STORE_FAILED": -11037,
    "CHANNEL_SUBSCRIBE_PERMISSION_DENIED": -11038,
    "CHANNEL_PUBLISH_PERMISSION_DENIED": -11039,
    "CHANNEL_SUBSCRIBE_CANCELED": -11040,
    "STORAGE_OPERATION_FAILED": -12001,
    "STORAGE_METADATA_ITEM_EXCEED_LIMITATION": -12002,
    "STORAGE_INVALID_METADATA_ITEM": -12003,
    "STORAGE_INVALID_ARGUMENT": -12004,
    "STORAGE_INVALID_REVISION": -12005,
    "STORAGE_METADATA_LENGTH_OVERFLOW": -12006,
    "STORAGE_INVALID_LOCK_NAME": -12007,
    "STORAGE_LOCK_NOT_ACQUIRED": -12008,
    "STORAGE_INVALID_KEY": -12009,
    "STORAGE_INVALID_VALUE": -12010,
    "STORAGE_KEY_LENGTH_OVERFLOW": -12011,
    "STORAGE_VALUE_LENGTH_OVERFLOW": -12012,
    "STORAGE_DUPLICATE_KEY": -12013,
    "STORAGE_OUTDATED_REVISION": -12014,
    "STORAGE_NOT_SUBSCRIBE": -12015,
    "STORAGE_INVALID_METADATA_INSTANCE": -12016,
    "STORAGE_SUBSCRIBE_USER_EXCEED_LIMITATION": -12017,
    "STORAGE_OPERATION_TIMEOUT": -12018,
    "STORAGE_NOT_AVAILABLE": -12019,
    "STORAGE_PERMISSION_DENIED": -12020,
    "PRESENCE_NOT_CONNECTED": -13001,
    "PRESENCE_NOT_WRITABLE": -13002,
    "PRESENCE_INVALID_ARGUMENT": -13003,
    "PRESENCE_CACHED_TOO_MANY_STATES": -13004,
    "PRESENCE_STATE_COUNT_OVERFLOW": -13005,
    "PRESENCE_INVALID_STATE_KEY": -13006,
    "PRESENCE_INVALID_STATE_VALUE": -13007,
    "PRESENCE_STATE_KEY_SIZE_OVERFLOW": -13008,
    "PRESENCE_STATE_VALUE_SIZE_OVERFLOW": -13009,
    "PRESENCE_STATE_DUPLICATE_KEY": -13010,
    "PRESENCE_USER_NOT_EXIST": -13011,
    "PRESENCE_OPERATION_TIMEOUT": -13012,
    "PRESENCE_OPERATION_FAILED": -13013,
    "PRESENCE_INACTIVE": -13014,
    "PRESENCE_PENDING_REQUEST_CANCELLED": -13015,
    "PRESENCE_PENDING_REQUEST_EXCEED_LIMITATION": -13016,
    "LOCK_OPERATION_FAILED": -14001,
    "LOCK_OPERATION_TIMEOUT": -14002,
    "LOCK_OPERATION_PERFORMING": -14003,
    "LOCK_ALREADY_EXIST": -14004,
    "LOCK_INVALID_NAME": -14005,
    "LOCK_NOT_ACQUIRED": -14006,
    "LOCK_ACQUIRE_FAILED": -14007,
    "LOCK_NOT_EXIST": -14008,
    "LOCK_NOT_AVAILABLE": -14009,
    "LOCK_PERMISSION_DENIED": -14010,
    "HISTORY_OPERATION_FAILED": -15001,
    "HISTORY_INVALID_TIMESTAMP": -15002,
    "HISTORY_OPERATION_TIMEOUT": -15003,
    "HISTORY_OPERATION_NOT_PERMITTED": -15004,
    "HISTORY_NOT_AVAILABLE": -15005,
    "HISTORY_PERMISSION_DENIED": -15006,
}

OTHER_APP = "0ther4pp" + "0" * 24  # a second valid app id (R-C2)

# ============================================================================ spellings

#: Every public spelling -> the SDK ``operation`` its errors carry (R-X1, errors paragraph).
OPERATION = {
    "login": "login",
    "subscribe": "subscribe",
    "unsubscribe": "unsubscribe",
    "create_stream_channel": "createStreamChannel",
    "createStreamChannel": "createStreamChannel",
    "join": "join",
    "leave": "leave",
    "get_online_users": "getOnlineUsers",
    "getOnlineUsers": "getOnlineUsers",
    "who_now": "whoNow",
    "whoNow": "whoNow",
    "get_user_channels": "getUserChannels",
    "getUserChannels": "getUserChannels",
    "where_now": "whereNow",
    "whereNow": "whereNow",
    "set_state": "presenceSetState",
    "setState": "presenceSetState",
    "get_state": "presenceGetState",
    "getState": "presenceGetState",
    "remove_state": "presenceRemoveState",
    "removeState": "presenceRemoveState",
}
WHO_NOW = ("get_online_users", "getOnlineUsers", "who_now", "whoNow")
WHERE_NOW = ("get_user_channels", "getUserChannels", "where_now", "whereNow")
SET_STATE = ("set_state", "setState")
GET_STATE = ("get_state", "getState")
REMOVE_STATE = ("remove_state", "removeState")
STREAM_HANDLE = ("create_stream_channel", "createStreamChannel")
PRESENCE_METHODS = frozenset(WHO_NOW + WHERE_NOW + SET_STATE + GET_STATE + REMOVE_STATE)
#: snake_case spellings that take SDK options as keywords (api.md)
SNAKE_KEYWORDS = {
    "get_online_users": {"includedUserId": "include_user_id", "includedState": "include_state"},
    "who_now": {"includedUserId": "include_user_id", "includedState": "include_state"},
    "remove_state": {"states": "states"},
}
for _m in ("get_online_users", "who_now"):
    SNAKE_KEYWORDS[_m]["page"] = "page"
FAMILIES: dict[str, tuple[str, ...]] = {
    "subscribe": ("subscribe",),
    "unsubscribe": ("unsubscribe",),
    "join": ("join",),
    "leave": ("leave",),
    "login": ("login",),
    "whoNow": WHO_NOW,
    "whereNow": WHERE_NOW,
    "setState": SET_STATE,
    "getState": GET_STATE,
    "removeState": REMOVE_STATE,
    "createStreamChannel": STREAM_HANDLE,
}

_NO = object()  # "no options argument"


async def invoke(client: RTMClient, method: str, *args: Any, options: Any = _NO) -> Any:
    """Call ``method`` (any spelling) on the client, its presence or a stream handle.

    ``options`` is the SDK option object: passed positionally to camelCase spellings and
    to subscribe / join / login, as keywords to the snake_case ones that take keywords.
    ``join`` / ``leave`` take the stream channel's name first.
    """
    kwargs: dict[str, Any] = {}
    if options is not _NO:
        if method in SNAKE_KEYWORDS:
            names = SNAKE_KEYWORDS[method]
            kwargs = {names[k]: v for k, v in options.items()}
        else:
            args = (*args, options)
    if method in ("join", "leave"):
        name, *rest = args
        result = getattr(client.create_stream_channel(name), method)(*rest, **kwargs)
    else:
        target: Any = client.presence if method in PRESENCE_METHODS else client
        result = getattr(target, method)(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


def drive(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run an emulator coroutine to completion synchronously (they never suspend)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    coro.close()
    raise AssertionError("an emulator coroutine suspended")


def ids(values: list[Any] | tuple[Any, ...]) -> list[str]:
    """Readable, ASCII test ids for odd values."""
    out = []
    for value in values:
        text = ascii(value)
        out.append(text if len(text) <= 24 else f"{text[:14]}..len{len(text)}")
    return out


# =============================================================================== world

ROOM = ("room", "MESSAGE")
STAGE = ("stage", "STREAM")
USERS = ("alice", "bob", "carol")
WATCHED = [ROOM, STAGE, ("room", "STREAM"), ("stage", "MESSAGE"), ("lobby", "MESSAGE")]


class World:
    """alice (the caller), bob and carol: logged in, recorded, with state.

    Each user in ``enter`` is in MESSAGE ``room`` (state ``{"seat": uid}``) and STREAM
    ``stage`` (state ``{"mic": "on"}``), all listening.  :meth:`snapshot` is everything
    a failed call must leave untouched, read through the public API only.
    """

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.clients: dict[str, RTMClient] = {}
        self.recorders: dict[str, Recorder] = {}
        self.watched: list[tuple[str, str]] = list(WATCHED)

    @classmethod
    async def make(
        cls,
        emu: Emulator,
        users: tuple[str, ...] = USERS,
        enter: tuple[str, ...] = USERS,
    ) -> World:
        world = cls(emu)
        for client, recorder in await login_recorded(emu, *users):
            world.clients[client.user_id] = client
            world.recorders[client.user_id] = recorder
        for uid in enter:
            client = world.clients[uid]
            await client.subscribe("room")
            await client.create_stream_channel("stage").join()
            await client.presence.set_state("room", "MESSAGE", {"seat": uid})
            await client.presence.set_state("stage", "STREAM", {"mic": "on"})
        return world

    def __getitem__(self, user_id: str) -> RTMClient:
        return self.clients[user_id]

    def add(self, client: RTMClient) -> Recorder:
        """Watch one more client (its recorder, its channels and states)."""
        self.clients[client.user_id] = client
        recorder = self.recorders[client.user_id] = Recorder(client)
        return recorder

    def own_states(self, client: RTMClient) -> dict[tuple[str, str], Any]:
        """What ``getState`` of oneself shows per watched channel: document, else the
        pre-join cache (R-Q6, R-S4); the error code where the call is refused."""
        out: dict[tuple[str, str], Any] = {}
        for name, ctype in self.watched:
            try:
                got = drive(client.presence.get_state(client.user_id, name, ctype))
            except RtmError as err:
                out[name, ctype] = err.code
            else:
                out[name, ctype] = dict(got.states)
        return out

    def snapshot(self) -> dict[str, Any]:
        emu = self.emu
        uids = sorted(self.clients)
        snap: dict[str, Any] = {
            "online": {c: emu.online_users(*c) for c in self.watched},
            "channels": {u: emu.user_channels(u) for u in uids},
            "states": {(u, *c): emu.state_of(u, *c) for u in uids for c in self.watched},
            "events": {
                u: (
                    [e.to_dict() for e in r.presence],
                    [e.to_dict() for e in r.links if e.to_dict()["serviceType"] != "STREAM"],
                )
                for u, r in self.recorders.items()
            },
            "stream_links": {
                u: [e.to_dict() for e in r.links if e.to_dict()["serviceType"] == "STREAM"]
                for u, r in self.recorders.items()
            },
            "now": emu.now_ms,
        }
        if not emu.config.rate_limits:  # a probe would use up getState slots (R-C6)
            snap["own"] = {u: self.own_states(self.clients[u]) for u in uids}
        return snap


def comparable(snap: dict[str, Any], method: str) -> dict[str, Any]:
    """A failed stream join may move that stream channel's own link: the SDK emits
    ``CONNECTING`` before its checks and ``FAILED`` after one fails (agora-rtm.js 2.3.0,
    StreamChannelImpl.join; R-L4)."""
    if method == "join":
        return {k: v for k, v in snap.items() if k != "stream_links"}
    return snap


def expected_error(
    code: int, operation: str, *, reason: str | None = None, name: str | None = None
) -> dict[str, Any]:
    """The SDK JSON of an RTM error (``to_dict()``)."""
    default_reason, default_name = SDK_ERRORS[code]
    return {
        "error": True,
        "code": code,
        "errorCode": code,
        "operation": operation,
        "reason": default_reason if reason is None else reason,
        "name": default_name if name is None else name,
    }


def check_error(
    err: RtmError,
    code: int,
    operation: str,
    *,
    reason: str | None = None,
    name: str | None = None,
) -> None:
    """``err`` is exactly the SDK's error: code, operation, reason, name, JSON shape."""
    expected = expected_error(code, operation, reason=reason, name=name)
    assert expected == err.to_dict()
    assert (True, code, code, operation, expected["reason"], expected["name"]) == (
        err.error,
        err.code,
        err.error_code,
        err.operation,
        err.reason,
        err.name,
    )
    assert expected == json.loads(json.dumps(err.to_dict()))


async def fails(
    world: World,
    client: RTMClient,
    method: str,
    *args: Any,
    code: int,
    options: Any = _NO,
    operation: str | None = None,
    reason: str | None = None,
    name: str | None = None,
) -> RtmError:
    """Call, expect the SDK's error; check its shape and that nothing changed."""
    before = world.snapshot()
    with pytest.raises(RtmError) as info:
        await invoke(client, method, *args, options=options)
    err = info.value
    check_error(err, code, operation or OPERATION[method], reason=reason, name=name)
    assert comparable(before, method) == comparable(world.snapshot(), method), (
        "a failed call changed state or delivered events"
    )
    world.emu.check_invariants()
    return err


async def raises_plain(
    world: World,
    client: RTMClient,
    method: str,
    *args: Any,
    exc: type[Exception],
    options: Any = _NO,
) -> Exception:
    """R-X3: a plain built-in exception (not an RTM error), and nothing changed."""
    before = world.snapshot()
    with pytest.raises(exc) as info:
        await invoke(client, method, *args, options=options)
    assert not isinstance(info.value, RtmError), repr(info.value)
    assert comparable(before, method) == comparable(world.snapshot(), method), (
        "a failed call changed state or delivered events"
    )
    world.emu.check_invariants()
    return info.value


def many(n: int, prefix: str = "k") -> dict[str, str]:
    return {f"{prefix}{i}": "v" for i in range(n)}


def rate_limited() -> Emulator:
    return Emulator(EmulatorConfig(rate_limits=True), strict=True)


async def rate_world(emu: Emulator) -> World:
    """A :class:`World` one second after it was made: its calls no longer use slots."""
    world = await World.make(emu)
    emu.advance(1)
    return world


# ======================================================================== R-X2: enum


class TestRX2ErrorCodeEnum:
    """R-X2: ``ErrorCode`` holds every code of the 2.3.0 enum (120) with its name."""

    def test_error_code_is_an_int_enum_with_exactly_the_sdk_enum(self) -> None:
        assert issubclass(ErrorCode, enum.IntEnum)
        assert 120 == len(SDK_ENUM)
        assert SDK_ENUM == {m.name: m.value for m in ErrorCode}
        assert len(SDK_ENUM) == len(ErrorCode.__members__)  # no aliases

    @pytest.mark.parametrize(
        "name",
        [
            "DUPLICATE_USER_ID",
            "CHANNEL_SUBSCRIBE_CANCELED",
            "PRESENCE_INACTIVE",
            "PRESENCE_PENDING_REQUEST_CANCELLED",
            "PRESENCE_PENDING_REQUEST_EXCEED_LIMITATION",
        ],
    )
    def test_codes_new_in_2_3_0_are_present(self, name: str) -> None:
        assert SDK_ENUM[name] == ErrorCode[name]

    @pytest.mark.parametrize("code", [-10002, -11002, -13007])
    def test_codes_never_raised_are_still_members(self, code: int) -> None:
        """-10002 / -11002 / -13007 exist in the enum, the SDK never raises them."""
        assert code == ErrorCode(code)

    async def test_never_not_login_never_not_subscribed_never_invalid_value(
        self, emu: Emulator
    ) -> None:
        """R-X2: the three calls rev 1 failed with -10002 / -11002 / -13007 now do not."""
        world = await World.make(emu)
        dave = emu.client("dave")
        world.add(dave)
        await fails(world, dave, "whoNow", *ROOM, code=-10025)  # not -10002
        got = await world["alice"].unsubscribe("nowhere")  # not -11002 (R-L5)
        assert {"timestamp": 0, "channelName": "nowhere"} == got.to_dict()
        await world["alice"].presence.setState("room", "MESSAGE", {"n": 1, "b": False})
        assert {"seat": "alice", "n": 1, "b": False} == emu.state_of("alice", *ROOM)  # not -13007


# =================================================================== R-X2: the shape


class TestRX2ErrorShape:
    """Errors paragraph: ``{error, code, errorCode, operation, reason, name}``."""

    async def test_raised_error_has_the_sdk_fields(self, emu: Emulator) -> None:
        world = await World.make(emu)
        err = await fails(world, world["alice"], "whoNow", "_bad", "MESSAGE", code=-10008)
        assert isinstance(err, Exception)
        assert ErrorCode.INVALID_CHANNEL_NAME == err.error_code
        assert {"error", "code", "errorCode", "operation", "reason", "name"} == set(err.to_dict())
        assert int is type(err.to_dict()["code"]) is type(err.to_dict()["errorCode"])

    async def test_detail_is_not_part_of_the_sdk_json(self, emu: Emulator) -> None:
        world = await World.make(emu)
        err = await fails(world, world["alice"], "whoNow", "_bad", "MESSAGE", code=-10008)
        assert isinstance(err.detail, str)
        assert "detail" not in err.to_dict()

    async def test_raised_error_pickles(self, emu: Emulator) -> None:
        world = await World.make(emu)
        err = await fails(
            world, world["alice"], "setState", *ROOM, {}, code=-13003, reason=EMPTY_STATE
        )
        back = pickle.loads(pickle.dumps(err))
        assert isinstance(back, RtmError)
        assert err.to_dict() == back.to_dict()
        assert (err.detail, str(err)) == (back.detail, str(back))

    async def test_server_refusal_carries_server_code(self) -> None:
        """-11021 (a full channel refuses the subscribe, R-L4) carries ``serverCode``;
        client-side errors do not."""
        emu = Emulator(EmulatorConfig(max_channel_users=2), strict=True)
        world = await World.make(emu, enter=("bob", "carol"))
        before = world.snapshot()
        with pytest.raises(RtmError) as info:
            await world["alice"].subscribe("room")
        err = info.value
        data = err.to_dict()
        assert (-11021, -11021, "subscribe", UNAVAILABLE) == (
            data["code"],
            data["errorCode"],
            data["operation"],
            data["name"],
        )
        assert data["reason"].startswith("Subscribe message channel failed.")
        assert isinstance(data.get("serverCode"), int)
        assert before == world.snapshot()
        client_side = await fails(world, world["alice"], "subscribe", "_x", code=-10008)
        assert "serverCode" not in client_side.to_dict()

    async def test_full_stream_channel_refuses_join(self) -> None:
        """-11007 (R-L4): a full stream channel refuses the join."""
        emu = Emulator(EmulatorConfig(max_channel_users=2), strict=True)
        world = await World.make(emu, enter=("bob", "carol"))
        with pytest.raises(RtmError) as info:
            await world["alice"].create_stream_channel("stage").join()
        err = info.value
        assert (-11007, "join", UNAVAILABLE) == (err.code, err.operation, err.name)
        assert err.reason.startswith("Join stream channel failed.")
        assert ["bob", "carol"] == emu.online_users(*STAGE)


# =============================================================== R-X2: reason per code


class TestRX2ReasonAndNamePerCode:
    """R-X2 "codes in use": each is raised with the SDK's exact reason and class."""

    async def test_minus_10003_invalid_app_id(self, emu: Emulator) -> None:
        with pytest.raises(RtmError) as info:
            emu.client("alice", app_id="not-an-app-id")
        check_error(info.value, -10003, "initRTM")

    async def test_minus_10006_invalid_user_id(self, emu: Emulator) -> None:
        with pytest.raises(RtmError) as info:
            emu.client("a.b")
        check_error(info.value, -10006, "initRTM")
        world = await World.make(emu)
        await fails(world, world["alice"], "whereNow", "a.b", code=-10006)
        await fails(world, world["alice"], "getState", "a.b", *ROOM, code=-10006)

    async def test_minus_10008_invalid_channel_name(self, emu: Emulator) -> None:
        world = await World.make(emu)
        await fails(world, world["alice"], "subscribe", "a.b", code=-10008)

    async def test_minus_10017_login_while_connecting(self, emu: Emulator) -> None:
        """R-L3: ``login`` while the link is CONNECTING (a reconnect attempt, R-T4)."""
        world = await World.make(emu)
        emu.disconnect("alice")
        emu.advance(2)  # the first retry: DISCONNECTED -> CONNECTING
        assert "CONNECTING" == world.recorders["alice"].links[-1].current_state.value
        await fails(world, world["alice"], "login", code=-10017)

    async def test_minus_10019_invalid_channel_type(self, emu: Emulator) -> None:
        world = await World.make(emu)
        await fails(world, world["alice"], "whoNow", "room", "USER", code=-10019)

    async def test_minus_10021_rate_limit(self) -> None:
        emu = rate_limited()
        world = await rate_world(emu)
        for _ in range(20):
            await world["alice"].presence.whoNow(*ROOM)
        await fails(world, world["alice"], "whoNow", *ROOM, code=-10021)

    async def test_minus_10025_not_connected(self, emu: Emulator) -> None:
        world = await World.make(emu)
        dave = emu.client("dave")
        world.add(dave)
        await fails(world, dave, "whereNow", "bob", code=-10025)

    async def test_no_minus_10027_in_python(self, emu: Emulator) -> None:
        """R-T4: Python clients of one emulator are separate devices: a second client of
        the same app id and user id is created without -10027."""
        first = emu.client("alice")
        second = emu.client("alice")
        assert first is not second

    async def test_minus_11001_leave_not_joined(self, emu: Emulator) -> None:
        world = await World.make(emu)
        await fails(world, world["alice"], "leave", "lobby", code=-11001)

    async def test_minus_11005_subscribe_is_limit_exceeded(self, emu: Emulator) -> None:
        world = await World.make(emu)
        for i in range(48):  # room + stage + 48 = 50 channels (R-L4)
            await world["alice"].subscribe(f"m{i}")
        await fails(world, world["alice"], "subscribe", "lobby", code=-11005, name=LIMIT)

    async def test_minus_11005_join_is_unavailable(self, emu: Emulator) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        for i in range(9):  # stage + 9 = 10 stream channels (R-L4)
            await alice.create_stream_channel(f"s{i}").join()
        links = len(world.recorders["alice"].links)
        with pytest.raises(RtmError) as info:
            await alice.create_stream_channel("lobby").join()
        check_error(info.value, -11005, "join", name=UNAVAILABLE)
        assert [] == emu.online_users("lobby", "STREAM")
        # R-L4: that stream channel's own link goes FAILED; the MESSAGE link is untouched
        after = world.recorders["alice"].links[links:]
        assert {"STREAM"} == {str(e.to_dict()["serviceType"]) for e in after}
        assert "FAILED" == after[-1].to_dict()["currentState"]

    async def test_minus_13003_both_reasons(self, emu: Emulator) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        await fails(world, alice, "setState", *ROOM, {}, code=-13003, reason=EMPTY_STATE)
        options = {"includedUserId": False, "includedState": True}
        await fails(
            world, alice, "whoNow", *ROOM, options=options, code=-13003, reason=UID_FALSE_STATE_TRUE
        )

    async def test_minus_13004_cache_full(self, emu: Emulator) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        for i in range(99):  # room + stage + 99 = 101 cache entries (R-S4)
            await alice.presence.setState(f"c{i}", "MESSAGE", {"k": "v"})
        await fails(world, alice, "setState", "lobby", "MESSAGE", {"k": "v"}, code=-13004)

    @pytest.mark.parametrize(
        ("state", "code"),
        [
            (many(33), -13005),
            ({"_k": "v"}, -13006),
            ({"k" * 33: "v"}, -13008),
            ({"k": "v" * 16385}, -13009),
        ],
        ids=["13005", "13006", "13008", "13009"],
    )
    async def test_state_codes(self, emu: Emulator, state: dict[str, str], code: int) -> None:
        world = await World.make(emu)
        await fails(world, world["alice"], "setState", *ROOM, state, code=code)

    async def test_minus_13010_duplicate_key(self, emu: Emulator) -> None:
        world = await World.make(emu)
        await fails(
            world,
            world["alice"],
            "removeState",
            *ROOM,
            options={"states": ["seat", "seat"]},
            code=-13010,
        )

    async def test_minus_13011_inexistent_user(self, emu: Emulator) -> None:
        world = await World.make(emu)
        await fails(world, world["alice"], "getState", "ghost", *ROOM, code=-13011)


# ================================================================ R-X1: before login


def valid_args(method: str) -> tuple[Any, ...]:
    """Arguments with which ``method`` succeeds for alice in a :class:`World`."""
    if method in ("subscribe", "unsubscribe", *STREAM_HANDLE):
        return ("room",)
    if method in ("join", "leave"):
        return ("stage",)
    if method == "login":
        return ()
    if method in WHO_NOW:
        return ROOM
    if method in WHERE_NOW:
        return ("bob",)
    if method in SET_STATE:
        return (*ROOM, {"mood": "x"})
    if method in GET_STATE:
        return ("bob", *ROOM)
    assert method in REMOVE_STATE, method
    return ROOM


#: every call that needs a session (all but unsubscribe, logout, createStreamChannel)
SESSION_METHODS = (
    "subscribe",
    "join",
    "leave",
    *WHO_NOW,
    *WHERE_NOW,
    *SET_STATE,
    *GET_STATE,
    *REMOVE_STATE,
)


class TestRX1BeforeLogin:
    """R-X1: before login and after logout every call is -10025 (never -10002), except
    ``unsubscribe`` and ``logout`` (they resolve) and ``createStreamChannel`` (works)."""

    @pytest.mark.parametrize("method", SESSION_METHODS)
    async def test_never_logged_in(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        dave = emu.client("dave")
        world.add(dave)
        await fails(world, dave, method, *valid_args(method), code=-10025)

    @pytest.mark.parametrize("method", SESSION_METHODS)
    async def test_after_logout(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        await world["alice"].logout()
        await fails(world, world["alice"], method, *valid_args(method), code=-10025)

    async def test_get_state_of_oneself_before_login(self, emu: Emulator) -> None:
        """getState of oneself needs a non-IDLE link."""
        world = await World.make(emu)
        dave = emu.client("dave")
        world.add(dave)
        await fails(world, dave, "getState", "dave", *ROOM, code=-10025)

    @pytest.mark.parametrize("when", ["never", "logged-out"])
    async def test_unsubscribe_and_logout_resolve(self, emu: Emulator, when: str) -> None:
        world = await World.make(emu)
        client = world["alice"]
        if when == "never":
            client = emu.client("dave")
            world.add(client)
        else:
            await client.logout()
        before = world.snapshot()
        got = await client.unsubscribe("room")
        assert {"timestamp": 0, "channelName": "room"} == got.to_dict()
        assert {"timestamp": 0} == (await client.logout()).to_dict()
        assert {"timestamp": 0} == (await client.logout()).to_dict()
        assert before == world.snapshot()

    async def test_unsubscribe_before_login_checks_the_name(self, emu: Emulator) -> None:
        world = await World.make(emu)
        dave = emu.client("dave")
        world.add(dave)
        await fails(world, dave, "unsubscribe", "_bad", code=-10008)

    @pytest.mark.parametrize("method", STREAM_HANDLE)
    async def test_create_stream_channel_works_before_login(
        self, emu: Emulator, method: str
    ) -> None:
        world = await World.make(emu)
        dave = emu.client("dave")
        world.add(dave)
        before = world.snapshot()
        handle = await invoke(dave, method, "stage")
        assert "stage" == handle.channel_name
        assert before == world.snapshot()
        with pytest.raises(RtmError) as info:
            await handle.join()
        check_error(info.value, -10025, "join")
        await dave.login()
        await handle.join()  # the handle made before login joins once logged in
        assert ["alice", "bob", "carol", "dave"] == emu.online_users(*STAGE)

    @pytest.mark.parametrize("method", STREAM_HANDLE)
    async def test_create_stream_channel_checks_the_name_before_login(
        self, emu: Emulator, method: str
    ) -> None:
        world = await World.make(emu)
        dave = emu.client("dave")
        world.add(dave)
        await fails(world, dave, method, "a.b", code=-10008)

    async def test_kicked_client_keeps_local_calls(self, emu: Emulator) -> None:
        """A kicked client (FAILED, R-T4) is not IDLE: state calls work locally,
        queries of others are -10025."""
        world = await World.make(emu)
        old = world["alice"]
        await emu.client("alice").login()  # same uid elsewhere: old goes FAILED
        assert "FAILED" == world.recorders["alice"].links[-1].current_state.value
        await fails(world, old, "whoNow", *ROOM, code=-10025)
        await fails(world, old, "getState", "bob", *ROOM, code=-10025)
        await fails(world, old, "whereNow", "", code=-10025)
        await fails(world, old, "subscribe", "lobby", code=-10025)
        got = await old.presence.getState("alice", *ROOM)
        assert ("alice", {"seat": "alice"}) == (got.user_id, dict(got.states))


# ================================================================= R-X1: check order


#: (family, state, args, options, expected code): the first fault in the SDK's order wins.
#: ``state`` is "idle" (never logged in), "up" (connected) or "down" (network lost).
ORDER: list[tuple[str, str, tuple[Any, ...], Any, int]] = [
    # whoNow: type -10019 -> link -10025 -> channel -10008 -> options -13003 -> route
    ("whoNow", "idle", ("_bad", "USER"), _NO, -10019),
    ("whoNow", "idle", ("_bad", "MESSAGE"), _NO, -10025),
    ("whoNow", "idle", ("room", "MESSAGE"), {"includedUserId": False, "includedState": True},
     -10025),
    ("whoNow", "up", ("_bad", "USER"), _NO, -10019),
    ("whoNow", "up", ("_bad", "MESSAGE"), _NO, -10008),
    ("whoNow", "up", ("_bad", "MESSAGE"), {"includedUserId": False, "includedState": True},
     -10008),
    ("whoNow", "up", ("lobby", "MESSAGE"),
     {"includedUserId": False, "includedState": True, "page": "!!"}, -13003),
    ("whoNow", "down", ("_bad", "USER"), _NO, -10019),
    ("whoNow", "down", ("_bad", "MESSAGE"), _NO, -10025),
    # whereNow: link (CONNECTED) -> "" is self -> uid -10006
    ("whereNow", "idle", ("a.b",), _NO, -10025),
    ("whereNow", "up", ("a.b",), _NO, -10006),
    ("whereNow", "down", ("a.b",), _NO, -10025),
    ("whereNow", "down", ("",), _NO, -10025),
    # setState: type -> link (not IDLE) -> channel -> {} -> count, union -> cache -> keys
    ("setState", "idle", ("room", "MESSAGE", {"_bad": 1}), _NO, -10025),
    ("setState", "idle", ("_bad", "USER", {}), _NO, -10019),
    ("setState", "idle", ("_bad", "MESSAGE", {}), _NO, -10025),
    ("setState", "idle", ("room", "MESSAGE", None), _NO, -10025),
    ("setState", "up", ("_bad", "USER", {}), _NO, -10019),
    ("setState", "up", ("_bad", "MESSAGE", {}), _NO, -10008),
    ("setState", "up", ("_bad", "MESSAGE", None), _NO, -10008),
    ("setState", "up", ("room", "MESSAGE", {}), _NO, -13003),
    ("setState", "up", ("room", "MESSAGE", {**many(32), "_bad": "v"}), _NO, -13005),
    ("setState", "up", ("room", "MESSAGE", {"k" * 33: "v" * 20000}), _NO, -13008),
    ("setState", "up", ("room", "MESSAGE", {"_bad": "v" * 20000}), _NO, -13006),
    ("setState", "up", ("room", "MESSAGE", {"a": "v" * 20000, "_bad": "v"}), _NO, -13009),
    ("setState", "up", ("room", "MESSAGE", {"_bad": "v", "a": "v" * 20000}), _NO, -13006),
    ("setState", "up", ("room", "MESSAGE", {"ok": "v", "k" * 33: "v", "_b": "v"}), _NO, -13008),
    ("setState", "down", ("_bad", "USER", {}), _NO, -10019),
    ("setState", "down", ("_bad", "MESSAGE", {}), _NO, -10008),
    ("setState", "down", ("room", "MESSAGE", {"_bad": 1}), _NO, -13006),
    # getState: type -> link (self: not IDLE, other: CONNECTED) -> channel -> uid -> route
    ("getState", "idle", ("", "_bad", "USER"), _NO, -10019),
    ("getState", "idle", ("a.b", "room", "MESSAGE"), _NO, -10025),
    ("getState", "up", ("", "_bad", "USER"), _NO, -10019),
    ("getState", "up", ("a.b", "room", "MESSAGE"), _NO, -10006),
    ("getState", "up", ("a.b", "_bad", "MESSAGE"), _NO, -10008),
    ("getState", "up", ("", "room", "MESSAGE"), _NO, -10006),
    ("getState", "up", ("ghost", "room", "MESSAGE"), _NO, -13011),
    ("getState", "down", ("bob", "room", "MESSAGE"), _NO, -10025),
    ("getState", "down", ("", "room", "MESSAGE"), _NO, -10025),  # "" is not the caller
    ("getState", "down", ("a.b", "_bad", "MESSAGE"), _NO, -10025),
    ("getState", "down", ("alice", "_bad", "MESSAGE"), _NO, -10008),
    ("getState", "down", ("alice", "room", "USER"), _NO, -10019),
    # removeState: type -> link (not IDLE) -> channel -> dup -13010 -> count -13005 -> keys
    ("removeState", "idle", ("room", "MESSAGE"), {"states": ["a", "a"]}, -10025),
    ("removeState", "idle", ("_bad", "USER"), {"states": ["a", "a"]}, -10019),
    ("removeState", "up", ("_bad", "MESSAGE"), {"states": ["a", "a"]}, -10008),
    ("removeState", "up", ("room", "MESSAGE"), {"states": ["_x", "_x"]}, -13010),
    ("removeState", "up", ("room", "MESSAGE"), {"states": ["z"] * 33}, -13010),
    ("removeState", "up", ("room", "MESSAGE"), {"states": [*many(32), "_x"]}, -13005),
    ("removeState", "up", ("room", "MESSAGE"), {"states": ["_x", "k" * 33]}, -13006),
    ("removeState", "up", ("room", "MESSAGE"), {"states": ["k" * 33, "_x"]}, -13008),
    ("removeState", "down", ("room", "MESSAGE"), {"states": ["a", "a"]}, -13010),
    ("removeState", "down", ("_bad", "MESSAGE"), {"states": ["a", "a"]}, -10008),
    # subscribe: link -> channel -> count
    ("subscribe", "idle", ("_bad",), _NO, -10025),
    ("subscribe", "up", ("_bad",), _NO, -10008),
    ("subscribe", "down", ("lobby",), _NO, -10025),  # within heartbeatInterval of login
    ("subscribe", "down", ("_bad",), _NO, -10025),
    # unsubscribe: channel first, in every state
    ("unsubscribe", "idle", ("_bad",), _NO, -10008),
    ("unsubscribe", "up", ("_bad",), _NO, -10008),
    ("unsubscribe", "down", ("_bad",), _NO, -10008),
    # stream channels: the link check is "not IDLE" (agora-rtm.js 2.3.0, StreamChannelImpl
    # join / leave; oracle cases link.DISCONNECTED.stream-leave, link.FAILED.stream-leave):
    # while down a join resolves and so does a leave of a joined channel (test_connection)
    ("join", "idle", ("stage",), _NO, -10025),
    ("leave", "idle", ("stage",), _NO, -10025),
    ("leave", "up", ("lobby",), _NO, -11001),
    ("leave", "down", ("lobby",), _NO, -11001),
    # FAILED (kicked, R-T4): not IDLE, not CONNECTED; getState of another user checks
    # FAILED right after the channel type, before the names
    ("getState", "failed", ("bob", "room", "USER"), _NO, -10019),
    ("getState", "failed", ("bob", "_bad", "MESSAGE"), _NO, -10025),
    ("getState", "failed", ("a.b", "room", "MESSAGE"), _NO, -10025),
    ("getState", "failed", ("alice", "_bad", "MESSAGE"), _NO, -10008),
    ("whoNow", "failed", ("_bad", "USER"), _NO, -10019),
    ("whoNow", "failed", ("_bad", "MESSAGE"), _NO, -10025),
    ("whereNow", "failed", ("a.b",), _NO, -10025),
    ("subscribe", "failed", ("lobby",), _NO, -10025),  # FAILED is never cacheable
    ("setState", "failed", ("_bad", "MESSAGE", {}), _NO, -10008),
    ("setState", "failed", ("room", "MESSAGE", {"_k": 1}), _NO, -13006),
    ("removeState", "failed", ("room", "MESSAGE"), {"states": ["a", "a"]}, -13010),
    ("leave", "failed", ("lobby",), _NO, -11001),
]  # fmt: skip


def _order_params() -> list[Any]:
    out = []
    for family, state, args, options, code in ORDER:
        for method in FAMILIES[family]:
            if (
                options is not _NO
                and method in SNAKE_KEYWORDS
                and set(options) - set(SNAKE_KEYWORDS[method])
            ):
                continue
            label = f"{state}-{method}{ids(list(args))}{'' if options is _NO else ids([options])}"
            out.append(pytest.param(state, method, args, options, code, id=label))
    return out


class TestRX1CheckOrder:
    """R-X1 / sdk-runtime §7 table: rate -> channel type -> link -> names -> options ->
    state -> lifecycle; the first fault wins, whatever comes after it."""

    @pytest.mark.parametrize(("state", "method", "args", "options", "code"), _order_params())
    async def test_first_fault_wins(
        self, emu: Emulator, state: str, method: str, args: tuple[Any, ...], options: Any, code: int
    ) -> None:
        world = await World.make(emu)
        client = world["alice"]
        if state == "idle":
            client = emu.client("dave")
            world.add(client)
        elif state == "down":
            emu.disconnect("alice")
        elif state == "failed":
            await emu.client("alice").login()  # the same user id elsewhere (R-T4)
        reason = None
        if code == -13003:
            reason = EMPTY_STATE if method in SET_STATE else UID_FALSE_STATE_TRUE
        await fails(world, client, method, *args, options=options, code=code, reason=reason)

    @pytest.mark.parametrize("method", SET_STATE)
    async def test_setstate_null_state_comes_after_the_name(
        self, emu: Emulator, method: str
    ) -> None:
        """``Object.keys(null)`` runs after the link and name checks: TypeError (R-X3)."""
        world = await World.make(emu)
        await raises_plain(world, world["alice"], method, *ROOM, None, exc=TypeError)

    @pytest.mark.parametrize("method", SET_STATE)
    async def test_count_then_union_then_cache_then_keys(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        for i in range(99):  # room + stage + 99: the cache holds 101 entries (R-S4)
            await invoke(alice, method, f"c{i}", "MESSAGE", {"k": "v"})
        # 33 keys (-13005) beat the full cache (-13004)
        await fails(world, alice, method, "lobby", "MESSAGE", many(33), code=-13005)
        # room holds "seat": 32 new keys make a union of 33 (-13005), cache full too
        await fails(world, alice, method, *ROOM, many(32), code=-13005)
        # the full cache (-13004) beats a bad key (-13006), also in a channel she is in
        await fails(world, alice, method, *ROOM, {"_bad": "v"}, code=-13004)
        await fails(world, alice, method, "c0", "MESSAGE", {"k": "w"}, code=-13004)

    @pytest.mark.parametrize("method", SET_STATE)
    async def test_union_probe(self, emu: Emulator, method: str) -> None:
        """§1 probe: 20 keys, +12 new (32) OK, +1 new (33) -13005, overwrite 5 OK."""
        world = await World.make(emu)
        alice = world["alice"]
        await invoke(alice, method, "lobby", "MESSAGE", many(20))
        await invoke(alice, method, "lobby", "MESSAGE", many(12, "n"))
        await fails(world, alice, method, "lobby", "MESSAGE", {"x": "v"}, code=-13005)
        await invoke(alice, method, "lobby", "MESSAGE", {f"k{i}": "w" for i in range(5)})
        got = await alice.presence.getState("alice", "lobby", "MESSAGE")
        assert {**many(20), **many(12, "n"), **{f"k{i}": "w" for i in range(5)}} == dict(got.states)

    async def test_subscribe_name_before_channel_count(self, emu: Emulator) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        for i in range(48):
            await alice.subscribe(f"m{i}")
        await fails(world, alice, "subscribe", "_bad", code=-10008)
        await fails(world, alice, "subscribe", "lobby", code=-11005, name=LIMIT)
        await alice.subscribe("m0")  # re-subscribing an entered channel is exempt (R-L4)

    async def test_get_state_local_route_after_names(self, emu: Emulator) -> None:
        """-13011 comes last: after type, link, channel and uid."""
        world = await World.make(emu)
        alice = world["alice"]
        await fails(world, alice, "getState", "ghost", "room", "USER", code=-10019)
        await fails(world, alice, "getState", "ghost", "_room", "MESSAGE", code=-10008)
        await fails(world, alice, "getState", "ghost", "room", "MESSAGE", code=-13011)

    async def test_get_state_off_route_is_no_error(self, emu: Emulator) -> None:
        """R-Q6: off the local route an absent user is ``{}`` without -13011."""
        world = await World.make(emu)
        got = await world["alice"].presence.getState("ghost", "lobby", "MESSAGE")
        assert ("ghost", {}, 0) == (got.user_id, dict(got.states), got.states_count)

    @staticmethod
    async def reach(emu: Emulator, world: World, state: str) -> None:
        """Bring alice's link to ``state`` (R-T4): loss, retries, suspension, kick."""
        if state == "FAILED":
            await emu.client("alice").login()
        else:
            emu.disconnect("alice")
            for _ in range(300):
                if state == world.recorders["alice"].links[-1].current_state.value:
                    break
                emu.advance(0.5)
        assert state == world.recorders["alice"].links[-1].current_state.value

    @pytest.mark.parametrize("state", ["DISCONNECTED", "CONNECTING", "SUSPENDED", "FAILED"])
    async def test_while_the_link_is_not_connected(self, emu: Emulator, state: str) -> None:
        """§7 probe: whoNow, whereNow and getState of another user are -10025 in every
        such state; setState, removeState, getState of oneself and unsubscribe succeed
        locally (R-T3).  A stream join and the leave of a joined stream channel resolve,
        the leave of one not joined is -11001 (agora-rtm.js 2.3.0: the stream calls check
        only that the link is not IDLE; oracle cases link.DISCONNECTED.stream-join,
        link.FAILED.stream-join, link.SUSPENDED.stream-leave, topic.link-down.stream-leave)."""
        world = await World.make(emu)
        alice = world["alice"]
        await self.reach(emu, world, state)
        await fails(world, alice, "whoNow", *ROOM, code=-10025)
        await fails(world, alice, "getOnlineUsers", *ROOM, code=-10025)
        await fails(world, alice, "whereNow", "bob", code=-10025)
        await fails(world, alice, "getUserChannels", "", code=-10025)
        await fails(world, alice, "getState", "bob", *ROOM, code=-10025)
        await fails(world, alice, "leave", "lobby", code=-11001)
        links = world.recorders["alice"].links
        before = len(links)
        assert {"timestamp": 0} == (await alice.create_stream_channel("lobby").join()).to_dict()
        assert {"timestamp": 0} == (await alice.create_stream_channel("stage").leave()).to_dict()
        assert [
            ("STREAM", "lobby", "IDLE", "CONNECTING"),
            ("STREAM", "lobby", "CONNECTING", "CONNECTED"),
            # a network loss took the RTC link of stage down with it (R-M12); a kick not
            ("STREAM", "stage", "CONNECTED" if state == "FAILED" else "CONNECTING", "IDLE"),
        ] == [
            (e.service_type, *e.affected_channels, e.previous_state.value, e.current_state.value)
            for e in links[before:]
        ]
        if state == "FAILED":
            await fails(world, alice, "subscribe", "lobby", code=-10025)
        await alice.presence.setState("room", "MESSAGE", {"seat": "moved"})
        await alice.presence.setState("lobby", "MESSAGE", {"k": "v"})
        await alice.presence.removeState("lobby", "MESSAGE", {"states": ["k"]})
        got = await alice.presence.getState("alice", *ROOM)
        assert {"seat": "moved"} == dict(got.states)
        assert {"timestamp": 0, "channelName": "nowhere"} == (
            await alice.unsubscribe("nowhere")
        ).to_dict()

    async def test_down_state_calls_work_locally(self, emu: Emulator) -> None:
        """R-X1 "R-T3 while down": setState / removeState / getState(self) / unsubscribe
        succeed while the link is down."""
        world = await World.make(emu)
        alice = world["alice"]
        emu.disconnect("alice")
        await alice.presence.setState("lobby", "MESSAGE", {"k": "v"})
        await alice.presence.removeState("lobby", "MESSAGE", {"states": ["k"]})
        got = await alice.presence.getState("alice", *ROOM)
        assert {"seat": "alice"} == dict(got.states)
        assert {"timestamp": 0, "channelName": "nowhere"} == (
            await alice.unsubscribe("nowhere")
        ).to_dict()

    @pytest.mark.parametrize(("after", "ok"), [(5.0, False), (5.001, True)])
    async def test_cached_subscribe_needs_more_than_heartbeat_since_login(
        self, emu: Emulator, after: float, ok: bool
    ) -> None:
        """R-T3: subscribe while DISCONNECTED resolves (queued) only when more than
        ``heartbeatInterval`` (default 5 s) has passed since login, else -10025."""
        world = await World.make(emu)
        dave = emu.client("dave")
        world.add(dave)
        await dave.login()
        emu.advance(after)
        emu.disconnect("dave")
        if ok:
            got = await dave.subscribe("lobby")
            assert {"timestamp": 0, "channelName": "lobby"} == got.to_dict()
        else:
            await fails(world, dave, "subscribe", "lobby", code=-10025)

    async def test_login_when_connected_resolves_and_changes_nothing(self, emu: Emulator) -> None:
        """R-L3: before any check of its own, login when CONNECTED resolves."""
        world = await World.make(emu)
        before = world.snapshot()
        assert {"timestamp": 0} == (await world["alice"].login()).to_dict()
        assert before == world.snapshot()

    async def test_app_id_before_user_id(self, emu: Emulator) -> None:
        """new RTM: app id -10003 -> uid -10006, both ``initRTM``."""
        with pytest.raises(RtmError) as info:
            emu.client("_bad", app_id="bad")
        check_error(info.value, -10003, "initRTM")
        with pytest.raises(RtmError) as info:
            emu.client("_bad", app_id=OTHER_APP)
        check_error(info.value, -10006, "initRTM")


# ====================================================================== R-X3: plain


NOT_BASE64 = ["not base64 !!", "a", "dQ=", "dQ===", "ab-_", "*", "5"]


class TestRX3PlainExceptions:
    """R-X3: where the SDK throws a plain JS exception, Python raises the built-in."""

    @pytest.mark.parametrize("method", SET_STATE)
    async def test_set_state_null_is_a_type_error(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        await raises_plain(world, world["alice"], method, *ROOM, None, exc=TypeError)
        await raises_plain(world, world["alice"], method, "lobby", "MESSAGE", None, exc=TypeError)

    @pytest.mark.parametrize("states", ["ab", "", 5, {"seat": 1}], ids=ids(["ab", "", 5, {}]))
    @pytest.mark.parametrize("method", REMOVE_STATE)
    async def test_remove_state_states_not_a_list_is_a_type_error(
        self, emu: Emulator, method: str, states: Any
    ) -> None:
        """``states.forEach`` of a non-array: TypeError (probe: ``states:"ab"``)."""
        world = await World.make(emu)
        await raises_plain(
            world, world["alice"], method, *ROOM, options={"states": states}, exc=TypeError
        )

    @pytest.mark.parametrize("method", REMOVE_STATE)
    async def test_remove_state_string_states_are_checked_as_characters_first(
        self, emu: Emulator, method: str
    ) -> None:
        """The duplicate and count checks run on the string's characters before forEach."""
        world = await World.make(emu)
        alice = world["alice"]
        await fails(world, alice, method, *ROOM, options={"states": "aa"}, code=-13010)
        letters = string.ascii_letters[:33]
        await fails(world, alice, method, *ROOM, options={"states": letters}, code=-13005)

    @pytest.mark.parametrize("page", NOT_BASE64, ids=ids(NOT_BASE64))
    @pytest.mark.parametrize("method", WHO_NOW)
    async def test_non_base64_page_is_a_value_error(
        self, emu: Emulator, method: str, page: str
    ) -> None:
        """Server route (alice is not in ``lobby``): ``atob(page)`` fails (R-Q3)."""
        world = await World.make(emu)
        await world["bob"].subscribe("lobby")
        await raises_plain(
            world,
            world["alice"],
            method,
            "lobby",
            "MESSAGE",
            options={"page": page},
            exc=ValueError,
        )

    @pytest.mark.parametrize("method", ["whoNow", "getOnlineUsers"])
    async def test_non_string_page_is_a_value_error(self, emu: Emulator, method: str) -> None:
        """``atob(5)`` reads ``"5"``: not base64."""
        world = await World.make(emu)
        await raises_plain(
            world, world["alice"], method, "lobby", "MESSAGE", options={"page": 5}, exc=ValueError
        )

    @pytest.mark.parametrize("method", WHO_NOW)
    async def test_page_is_not_decoded_where_it_is_ignored(
        self, emu: Emulator, method: str
    ) -> None:
        """The local route ignores ``page`` (R-Q2); count-only ignores it (R-Q4)."""
        world = await World.make(emu)
        alice = world["alice"]
        local = await invoke(alice, method, *ROOM, options={"page": "!!"})
        assert (["alice", "bob", "carol"], "") == (
            [o.user_id for o in local.occupants],
            local.next_page,
        )
        count = await invoke(
            alice, method, "lobby", "MESSAGE", options={"includedUserId": False, "page": "!!"}
        )
        assert (0, [], "") == (count.total_occupancy, list(count.occupants), count.next_page)

    @pytest.mark.parametrize(
        "page", [" dTQ5\n", "dQ", "dQ==", ""], ids=["whitespace", "unpadded", "padded", "empty"]
    )
    async def test_forgiving_base64_pages_are_accepted(self, emu: Emulator, page: str) -> None:
        """``atob`` strips ASCII whitespace and accepts missing padding; "" = first page."""
        world = await World.make(emu)
        got = await world["alice"].presence.whoNow("stage", "MESSAGE", {"page": page})
        assert ([], "") == (list(got.occupants), got.next_page)

    @pytest.mark.parametrize("value", [b"v", {"v"}, object()], ids=["bytes", "set", "object"])
    @pytest.mark.parametrize("method", SET_STATE)
    async def test_value_json_cannot_carry_is_a_type_error(
        self, emu: Emulator, method: str, value: Any
    ) -> None:
        """api.md: state values are JSON values; anything else is a TypeError (R-X3)."""
        world = await World.make(emu)
        await raises_plain(
            world, world["alice"], method, *ROOM, {"ok": "1", "bad": value}, exc=TypeError
        )


# ===================================================================== R-C1: the ids


VALID_IDS = [
    "null",
    "undefined",
    "a_",
    " ",
    "a b",
    "123",
    "a" * 64,
    "!#$%&()+,-:;<=>?@[]^_{|}~",
    "A1z9",
]
BAD_IDS = [
    "a.b",
    ".",
    "a" * 65,
    "_a",
    "_",
    "é",
    "a*b",
    "a/b",
    "a`b",
    "a'b",
    'a"b',
    "a\\b",
    "a\nb",
    "a\n",  # Python's "$" would match before a final newline; JS's does not
    "\t",
    "中",
    "r\u0663m",  # a non-ASCII digit
    "\uff52oom",  # a full-width letter
    "",
    123,
    None,
    True,
    b"ab",
    ["ab"],
]


class TestRC1Identifiers:
    """R-C1: ids and channel names: 1-64 chars of the charset, no leading ``_``; "null"
    is valid, "." is not; anything else (non-strings too) -10006 / -10008."""

    @pytest.mark.parametrize("bad", BAD_IDS, ids=ids(BAD_IDS))
    def test_client_with_invalid_user_id_fails_at_creation(self, emu: Emulator, bad: Any) -> None:
        with pytest.raises(RtmError) as info:
            emu.client(bad)
        check_error(info.value, -10006, "initRTM")

    @pytest.mark.parametrize("uid", VALID_IDS, ids=ids(VALID_IDS))
    async def test_valid_user_id_works(self, emu: Emulator, uid: str) -> None:
        client = emu.client(uid)
        await client.login()
        await client.subscribe("room")
        await client.presence.setState("room", "MESSAGE", {"k": "v"})
        assert [uid] == emu.online_users(*ROOM)
        got = await client.presence.whereNow("")
        assert [("room", "MESSAGE")] == [
            (c.channel_name, c.channel_type.value) for c in got.channels
        ]
        observer = emu.client("observer")
        await observer.login()
        await observer.subscribe("room")
        state = await observer.presence.getState(uid, *ROOM)
        assert (uid, {"k": "v"}) == (state.user_id, dict(state.states))
        where = await observer.presence.getUserChannels(uid)
        assert 1 == where.total_channel

    @pytest.mark.parametrize("bad", BAD_IDS, ids=ids(BAD_IDS))
    @pytest.mark.parametrize("method", [*WHERE_NOW, *GET_STATE])
    async def test_bad_user_id_in_queries(self, emu: Emulator, method: str, bad: Any) -> None:
        if bad == "" and method in WHERE_NOW:
            pytest.skip("whereNow('') is the caller (R-Q5)")
        world = await World.make(emu)
        args = (bad,) if method in WHERE_NOW else (bad, *ROOM)
        await fails(world, world["alice"], method, *args, code=-10006)

    @pytest.mark.parametrize("method", WHERE_NOW)
    async def test_where_now_empty_is_the_caller(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        got = await invoke(world["alice"], method, "")
        assert [("room", "MESSAGE"), ("stage", "STREAM")] == sorted(
            (c.channel_name, c.channel_type.value) for c in got.channels
        )

    @pytest.mark.parametrize("bad", BAD_IDS, ids=ids(BAD_IDS))
    @pytest.mark.parametrize(
        "method",
        [
            "subscribe",
            "unsubscribe",
            "createStreamChannel",
            "whoNow",
            "getOnlineUsers",
            "setState",
            "getState",
            "removeState",
        ],
    )
    async def test_bad_channel_name(self, emu: Emulator, method: str, bad: Any) -> None:
        world = await World.make(emu)
        if method in ("subscribe", "unsubscribe", "createStreamChannel"):
            args: tuple[Any, ...] = (bad,)
        elif method == "setState":
            args = (bad, "MESSAGE", {"k": "v"})
        elif method == "getState":
            args = ("bob", bad, "MESSAGE")
        else:
            args = (bad, "MESSAGE")
        await fails(world, world["alice"], method, *args, code=-10008)

    @pytest.mark.parametrize("name", VALID_IDS, ids=ids(VALID_IDS))
    async def test_valid_channel_names_work_everywhere(self, emu: Emulator, name: str) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        await alice.subscribe(name)
        await alice.presence.setState(name, "MESSAGE", {"k": "v"})
        got = await alice.presence.whoNow(name, "MESSAGE", {"includedState": True})
        assert [("alice", {"k": "v"})] == [(o.user_id, dict(o.states)) for o in got.occupants]
        assert {"k": "v"} == dict((await alice.presence.getState("alice", name, "MESSAGE")).states)
        await alice.presence.removeState(name, "MESSAGE")
        await alice.unsubscribe(name)
        stream = alice.createStreamChannel(name)
        await stream.join()
        assert ["alice"] == emu.online_users(name, "STREAM")
        await stream.leave()
        assert [] == emu.user_channels("alice")[2:]  # room, stage (whereNow drops it at once)

    @pytest.mark.parametrize(
        ("uid", "ok"),
        [("42", True), ("0", True), ("007", True), ("abc", False), ("-1", False),
         ("a1", False), ("1 2", False)],
    )  # fmt: skip
    def test_integer_user_ids_when_use_string_user_id_is_false(
        self, emu: Emulator, uid: str, ok: bool
    ) -> None:
        """§10 probe (new RTM, last check): with ``useStringUserId: false`` the uid must
        be a non-negative integer string (agora-rtm.js 2.3.0, RTM constructor: ``Number(uid)``
        an integer >= 0)."""
        if ok:
            emu.client(uid, config={"useStringUserId": False})
            return
        with pytest.raises(RtmError) as info:
            emu.client(uid, config={"useStringUserId": False})
        check_error(info.value, -10006, "initRTM")

    async def test_64_and_65_characters(self, emu: Emulator) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        await alice.subscribe("c" * 64)
        await fails(world, alice, "subscribe", "c" * 65, code=-10008)
        emu.client("u" * 64)
        with pytest.raises(RtmError) as info:
            emu.client("u" * 65)
        check_error(info.value, -10006, "initRTM")


# =================================================================== R-C1: channel type


BAD_TYPES = ["USER", "message", "Message", "MESSAGE ", "stream", "", None, 1, b"MESSAGE"]


class TestRC1ChannelType:
    """Model / R-X1: only ``"MESSAGE"`` / ``"STREAM"`` (or the enum) carry presence;
    anything else, ``USER`` included, is -10019."""

    @pytest.mark.parametrize("bad", BAD_TYPES, ids=ids(BAD_TYPES))
    @pytest.mark.parametrize(
        "method", ["whoNow", "get_online_users", "setState", "getState", "removeState"]
    )
    async def test_bad_channel_type(self, emu: Emulator, method: str, bad: Any) -> None:
        world = await World.make(emu)
        if method == "setState":
            args: tuple[Any, ...] = ("room", bad, {"k": "v"})
        elif method == "getState":
            args = ("bob", "room", bad)
        else:
            args = ("room", bad)
        await fails(world, world["alice"], method, *args, code=-10019)

    @pytest.mark.parametrize(
        "ctype",
        [ChannelType.MESSAGE, ChannelType.STREAM, "MESSAGE", "STREAM"],
        ids=["enum-M", "enum-S", "M", "S"],
    )
    async def test_valid_channel_types(self, emu: Emulator, ctype: Any) -> None:
        world = await World.make(emu)
        name = "room" if ctype == "MESSAGE" else "stage"
        got = await world["alice"].presence.getState("bob", name, ctype)
        assert "bob" == got.user_id


# ========================================================================= R-C2: app id


BAD_APP_IDS = [
    "",
    "a" * 31,
    "a" * 33,
    "a" * 31 + "-",
    "a" * 31 + "_",
    "a" * 31 + " ",
    "a" * 31 + "é",
    "a" * 32 + "\n",
    "a" * 31 + "\n",
    "a" * 31 + "\u0663",  # an Arabic-Indic digit: str.isalnum() would accept it
    "\uff21" * 32,  # full-width letters
    12345,
    None,
]


class TestRC2AppId:
    """R-C2: exactly 32 ASCII letters or digits, else -10003 at creation (``initRTM``)."""

    def test_default_app_id_is_valid(self) -> None:
        app = rtm_emulator.DEFAULT_APP_ID
        assert 32 == len(app)
        assert set(app) <= set(string.ascii_letters + string.digits)

    @pytest.mark.parametrize("bad", BAD_APP_IDS, ids=ids(BAD_APP_IDS))
    def test_invalid_app_id(self, emu: Emulator, bad: Any) -> None:
        with pytest.raises(RtmError) as info:
            emu.client("alice", app_id=bad)
        check_error(info.value, -10003, "initRTM")

    @pytest.mark.parametrize(
        "app", ["0123456789ABCDEFGHIJKLMNOPQRSTUV", "z" * 32, "0" * 32, OTHER_APP]
    )
    async def test_any_32_alphanumerics(self, emu: Emulator, app: str) -> None:
        client = emu.client("alice", app_id=app)
        await client.login()
        await client.subscribe("room")
        assert ["alice"] == emu.online_users(*ROOM, app_id=app)

    async def test_apps_are_separate(self, emu: Emulator) -> None:
        mine = emu.client("alice")
        theirs = emu.client("alice", app_id=OTHER_APP)
        for client in (mine, theirs):
            await client.login()
        await mine.subscribe("room")
        await theirs.subscribe("lobby")
        assert [("MESSAGE", "room")] == [tuple(c) for c in emu.user_channels("alice")]
        assert ["alice"] == emu.online_users("lobby", "MESSAGE", app_id=OTHER_APP)
        assert [] == emu.online_users("lobby", "MESSAGE")


# ======================================================================= R-C3: RTMConfig


class TestRC3RTMConfig:
    """R-C3: presenceTimeout default 300, clamped 5-300 when a number; heartbeatInterval
    default 5, clamped 5-1800, 0 or a non-number is 5; unknown keys are ignored."""

    def test_defaults(self) -> None:
        config = RTMConfig()
        assert (300, 5) == (config.presence_timeout, config.heartbeat_interval)

    @pytest.mark.parametrize(
        ("given", "clamped"),
        [(1, 5), (4, 5), (5, 5), (6, 6), (299, 299), (300, 300), (301, 300), (10_000, 300)],
    )
    def test_presence_timeout_clamp(self, given: int, clamped: int) -> None:
        assert clamped == RTMConfig(presence_timeout=given).presence_timeout

    @pytest.mark.parametrize(
        ("given", "clamped"),
        [
            (0, 5),
            (1, 5),
            (4, 5),
            (5, 5),
            (6, 6),
            (1799, 1799),
            (1800, 1800),
            (1801, 1800),
            (100_000, 1800),
        ],
    )
    def test_heartbeat_interval_clamp(self, given: int, clamped: int) -> None:
        assert clamped == RTMConfig(heartbeat_interval=given).heartbeat_interval

    @pytest.mark.parametrize(
        ("sdk", "expected"),
        [
            ({}, (300, 5)),
            ({"presenceTimeout": 1000, "heartbeatInterval": 1}, (300, 5)),
            ({"presenceTimeout": 2, "heartbeatInterval": 5000}, (5, 1800)),
            ({"presenceTimeout": 20, "heartbeatInterval": 0}, (20, 5)),
            ({"heartbeatInterval": "fast"}, (300, 5)),
            ({"heartbeatInterval": None}, (300, 5)),
            ({"presenceTimeout": 20, "bogus": 1, "logLevel": "debug", "token": "x"}, (20, 5)),
        ],
        ids=[
            "empty",
            "clamp-high-low",
            "clamp-low-high",
            "zero-heartbeat",
            "str-heartbeat",
            "none-heartbeat",
            "unknown-keys",
        ],
    )
    async def test_sdk_dict(self, emu: Emulator, sdk: dict[str, Any], expected: Any) -> None:
        client = emu.client("alice", config=sdk)
        assert expected == (client.config.presence_timeout, client.config.heartbeat_interval)
        await client.login()
        await client.subscribe("room")

    async def timeout_after(self, emu: Emulator, config: Any) -> int:
        """ms from bob's network loss to alice's ``REMOTE_TIMEOUT`` about him (R-T2)."""
        alice = emu.client("alice")
        rec = Recorder(alice)
        bob = emu.client("bob", config=config)
        for client in (alice, bob):
            await client.login()
            await client.subscribe("room")
        rec.take()
        lost = emu.now_ms
        emu.disconnect("bob")
        for _ in range(4000):
            emu.advance(1)
            if [("REMOTE_TIMEOUT", "bob")] == rec.types():
                return rec.presence[0].timestamp - lost
            assert [] == rec.types()
        raise AssertionError("no REMOTE_TIMEOUT")

    @pytest.mark.parametrize(
        ("config", "ms"),
        [
            ({"presenceTimeout": 1, "heartbeatInterval": 1}, (5 + 10 + 5) * 1000),
            (RTMConfig(presence_timeout=1, heartbeat_interval=0), (5 + 10 + 5) * 1000),
            ({"presenceTimeout": 5, "heartbeatInterval": 1800}, (1800 + 10 + 5) * 1000),
            ({"presenceTimeout": 5, "heartbeatInterval": 5000}, (1800 + 10 + 5) * 1000),
            ({"presenceTimeout": 1000}, (5 + 10 + 300) * 1000),
        ],
        ids=["dict-low", "attrs-low", "heartbeat-1800", "heartbeat-5000", "timeout-1000"],
    )
    async def test_clamped_values_are_the_ones_used(self, config: Any, ms: int) -> None:
        """The server notices after heartbeat + 10 s, then waits presenceTimeout (R-T2)."""
        emu = Emulator()
        assert ms == await self.timeout_after(emu, config)

    @pytest.mark.parametrize(
        "sdk",
        [{"heartbeatInterval": 1}, {"heartbeatInterval": 0}, {"heartbeatInterval": "x"}],
        ids=["1", "0", "str"],
    )
    async def test_clamped_heartbeat_gates_the_cached_subscribe(
        self, emu: Emulator, sdk: dict[str, Any]
    ) -> None:
        """R-T3 uses the clamped heartbeatInterval (5 s): 4.9 s after login a subscribe
        while DISCONNECTED is still -10025, at 5.1 s it is queued."""
        world = await World.make(emu)
        early = emu.client("early", config=sdk)
        late = emu.client("late", config=sdk)
        world.add(early)
        world.add(late)
        await early.login()
        emu.advance(0.2)
        await late.login()
        emu.advance(4.9)  # early: 5.1 s since login, late: 4.9 s
        emu.disconnect("early")
        emu.disconnect("late")
        await fails(world, late, "subscribe", "lobby", code=-10025)
        got = await early.subscribe("lobby")
        assert {"timestamp": 0, "channelName": "lobby"} == got.to_dict()


# =================================================================== R-C4: EmulatorConfig


class TestRC4EmulatorConfig:
    """R-C4: announce threshold 50 (8-128), interval 30 s (10-300), debounce 2 s (>= 0);
    the emulator refuses values outside the ranges (ValueError naming the field)."""

    def test_defaults(self) -> None:
        config = EmulatorConfig()
        assert (50, 30.0, 2.0, False, 50_000, 1_735_689_600_000) == (
            config.announce_max,
            config.interval,
            config.debounce,
            config.rate_limits,
            config.max_channel_users,
            config.start_time_ms,
        )

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("announce_max", 8),
            ("announce_max", 128),
            ("interval", 10),
            ("interval", 10.0),
            ("interval", 300),
            ("debounce", 0),
            ("debounce", 0.0),
            ("debounce", 2.5),
            ("rate_limits", True),
        ],
    )
    def test_values_in_range_are_kept(self, field: str, value: Any) -> None:
        assert value == getattr(EmulatorConfig(**{field: value}), field)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("announce_max", 7),
            ("announce_max", 129),
            ("announce_max", 0),
            ("interval", 9.999),
            ("interval", 300.001),
            ("interval", 5),
            ("debounce", -0.001),
            ("debounce", -1),
        ],
    )
    def test_values_out_of_range_are_refused_not_clamped(self, field: str, value: Any) -> None:
        with pytest.raises(ValueError) as info:
            EmulatorConfig(**{field: value})
        assert field in str(info.value)

    @staticmethod
    async def crowd(emu: Emulator, n: int, channel: str = "room") -> list[RTMClient]:
        clients = []
        for i in range(n):
            client = emu.client(f"u{i:03}")
            await client.login()
            await client.subscribe(channel)
            clients.append(client)
        return clients

    @pytest.mark.parametrize(("config", "threshold"), [(None, 50), (8, 8), (9, 9)])
    async def test_announce_threshold_is_the_server_page_size(
        self, config: int | None, threshold: int
    ) -> None:
        """R-Q3: the server route pages by the announce threshold; nextPage = base64 of
        the page's last user id.  threshold-1 / threshold users: one page;
        threshold + 1: two."""
        emu = Emulator() if config is None else Emulator(EmulatorConfig(announce_max=config))
        await self.crowd(emu, threshold - 1)
        outsider = emu.client("zz-outsider")
        await outsider.login()
        one = await outsider.presence.whoNow(*ROOM)
        assert (threshold - 1, "") == (len(one.occupants), one.next_page)
        extra = emu.client(f"u{threshold - 1:03}")
        await extra.login()
        await extra.subscribe("room")
        full = await outsider.presence.whoNow(*ROOM)
        assert (threshold, "") == (len(full.occupants), full.next_page)
        last = emu.client(f"u{threshold:03}")
        await last.login()
        await last.subscribe("room")
        first = await outsider.presence.whoNow(*ROOM)
        expected_page = base64.b64encode(f"u{threshold - 1:03}".encode()).decode()
        assert ([f"u{i:03}" for i in range(threshold)], expected_page) == (
            [o.user_id for o in first.occupants],
            first.next_page,
        )
        second = await outsider.presence.whoNow(*ROOM, {"page": first.next_page})
        assert ([f"u{threshold:03}"], "") == (
            [o.user_id for o in second.occupants],
            second.next_page,
        )

    @pytest.mark.parametrize(("config", "threshold"), [(None, 50), (8, 8)])
    async def test_announce_threshold_opens_interval_mode(
        self, config: int | None, threshold: int
    ) -> None:
        """R-E5: a listener enters interval mode when its occupancy reaches the threshold;
        the tipping join is still announced, the next one is not."""
        emu = Emulator() if config is None else Emulator(EmulatorConfig(announce_max=config))
        watcher = emu.client("a-watcher")
        rec = Recorder(watcher)
        await watcher.login()
        await watcher.subscribe("room")
        await self.crowd(emu, threshold - 2)  # occupancy threshold - 1
        assert [("SNAPSHOT", "")] + [
            ("REMOTE_JOIN", f"u{i:03}") for i in range(threshold - 2)
        ] == rec.take_types()
        tipping = emu.client(f"u{threshold - 2:03}")
        await tipping.login()
        await tipping.subscribe("room")  # occupancy == threshold
        assert [("REMOTE_JOIN", f"u{threshold - 2:03}")] == rec.take_types()
        after = emu.client(f"u{threshold - 1:03}")
        await after.login()
        await after.subscribe("room")  # aggregated, not announced
        assert [] == rec.take_types()

    @pytest.mark.parametrize("interval", [10, 30, 300])
    async def test_interval_is_the_period(self, interval: int) -> None:
        """R-E5: the first INTERVAL comes ``interval`` s after entering interval mode."""
        emu = Emulator(EmulatorConfig(announce_max=8, interval=interval))
        watcher = emu.client("a-watcher")
        rec = Recorder(watcher)
        await watcher.login()
        await watcher.subscribe("room")
        await self.crowd(emu, 7)  # occupancy 8: interval mode from now
        rec.take()
        late = emu.client("zz-late")
        await late.login()
        await late.subscribe("room")
        emu.advance(interval - 0.001)
        assert [] == rec.take_types()
        emu.advance(0.001)
        events = rec.take()
        assert ["INTERVAL"] == [e.event_type.value for e in events]
        assert ["zz-late"] == list(events[0].interval.join.users)

    @pytest.mark.parametrize("debounce", [0, 2.0, 7.5])
    async def test_debounce_delays_the_leave(self, debounce: float) -> None:
        """R-E6: a leave is announced ``debounce`` s after the unsubscribe."""
        emu = Emulator(EmulatorConfig(debounce=debounce))
        alice, bob = emu.client("alice"), emu.client("bob")
        rec = Recorder(alice)
        for client in (alice, bob):
            await client.login()
            await client.subscribe("room")
        rec.take()
        await bob.unsubscribe("room")
        if debounce:
            emu.advance(debounce - 0.001)
            assert [] == rec.take_types()
            emu.advance(0.001)
        assert [("REMOTE_LEAVE", "bob")] == rec.take_types()


# =============================================================== R-C5: event listeners


def cb(event: object) -> None:
    """A valid listener."""


class TestRC5EventListeners:
    """R-C5: ``addEventListener`` accepts any event name; only a non-function listener
    is rejected (the SDK's EventEmitter throws a TypeError)."""

    @pytest.mark.parametrize(
        "name",
        [
            "Presence",
            "PRESENCE",
            "foo",
            "",
            "message",
            "storage",
            "lock",
            "tokenPrivilegeWillExpire",
            "link_state",
            "presence ",
        ],
    )
    @pytest.mark.parametrize("method", ["add_event_listener", "addEventListener"])
    async def test_any_event_name_is_accepted(self, emu: Emulator, method: str, name: str) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        got: list[object] = []
        getattr(alice, method)(name, got.append)
        await world["bob"].presence.setState("room", "MESSAGE", {"seat": "moved"})
        await world["bob"].unsubscribe("room")
        emu.advance(10)
        assert [] == got  # names the SDK never fires never fire
        assert [("REMOTE_STATE_CHANGED", "bob"), ("REMOTE_LEAVE", "bob")] == (
            world.recorders["alice"].types()[-2:]
        )
        alice.remove_event_listener(name, got.append)

    @pytest.mark.parametrize(
        "listener", [None, 5, "print", [cb], {}], ids=ids([None, 5, "print", [cb], {}])
    )
    @pytest.mark.parametrize("method", ["add_event_listener", "addEventListener"])
    async def test_non_function_listener_is_a_type_error(
        self, emu: Emulator, method: str, listener: Any
    ) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        before = world.snapshot()
        with pytest.raises(TypeError) as info:
            getattr(alice, method)("presence", listener)
        assert not isinstance(info.value, RtmError)
        assert before == world.snapshot()
        await world["bob"].presence.setState("room", "MESSAGE", {"seat": "moved"})
        assert [("REMOTE_STATE_CHANGED", "bob")] == world.recorders["alice"].types()[-1:]
        assert len(before["events"]["alice"][0]) + 1 == len(world.recorders["alice"].presence)

    async def test_callable_objects_are_functions(self, emu: Emulator) -> None:
        class Sink:
            def __init__(self) -> None:
                self.events: list[object] = []

            def __call__(self, event: object) -> None:
                self.events.append(event)

        world = await World.make(emu)
        sink = Sink()
        world["alice"].addEventListener("presence", sink)
        await world["bob"].presence.setState("room", "MESSAGE", {"seat": "moved"})
        assert 1 == len(sink.events)


# =================================================================== R-C6: rate limits


def _fresh(emu: Emulator, *uids: str) -> list[RTMClient]:
    clients = [emu.client(uid) for uid in uids]
    for client in clients:
        drive(client.login())
    return clients


class TestRC6RateLimits:
    """R-C6: 20 calls per sliding second per operation key (``modifyState`` shared by
    setState and removeState), -10021 with the key as ``operation``, checked first; off
    by default.  Every call that passes the limiter uses a slot, a refused one does not
    (agora-rtm.js 2.3.0, class IG / canMakeOperation)."""

    async def test_off_by_default(self, emu: Emulator) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        for _ in range(100):
            await alice.presence.whoNow(*ROOM)
            await alice.presence.setState("room", "MESSAGE", {"n": "1"})
            await alice.presence.getState("bob", *ROOM)

    @pytest.mark.parametrize(
        ("family", "args"),
        [
            ("whoNow", ROOM),
            ("whereNow", ("bob",)),
            ("getState", ("bob", *ROOM)),
            ("setState", (*ROOM, {"n": "1"})),
            ("removeState", ROOM),
        ],
    )
    async def test_twenty_then_minus_10021(self, family: str, args: tuple[Any, ...]) -> None:
        key = {"setState": "modifyState", "removeState": "modifyState"}.get(family, family)
        for method in FAMILIES[family]:
            emu = rate_limited()
            world = await rate_world(emu)
            for _ in range(20):
                await invoke(world["alice"], method, *args)
            operation = {
                "getOnlineUsers": "getOnlineUsers",
                "get_online_users": "getOnlineUsers",
                "getUserChannels": "getUserChannels",
                "get_user_channels": "getUserChannels",
            }.get(method, key)
            await fails(world, world["alice"], method, *args, code=-10021, operation=operation)

    async def test_get_online_users_reports_its_own_name(self) -> None:
        """getOnlineUsers / getUserChannels re-label the error of whoNow / whereNow
        (agora-rtm.js 2.3.0, PresenceImpl.getOnlineUsers / getUserChannels); they share
        the limiter key with them."""
        emu = rate_limited()
        world = await rate_world(emu)
        alice = world["alice"]
        for _ in range(10):
            await alice.presence.whoNow(*ROOM)
            await alice.presence.getOnlineUsers(*ROOM)
            await alice.presence.whereNow("bob")
            await alice.presence.getUserChannels("bob")
        await fails(world, alice, "whoNow", *ROOM, code=-10021, operation="whoNow")
        await fails(world, alice, "getOnlineUsers", *ROOM, code=-10021, operation="getOnlineUsers")
        await fails(world, alice, "whereNow", "bob", code=-10021, operation="whereNow")
        await fails(
            world, alice, "getUserChannels", "bob", code=-10021, operation="getUserChannels"
        )

    async def test_modify_state_is_shared(self) -> None:
        """Probe: 11 setState + 10 removeState: the 10th removeState is -10021."""
        emu = rate_limited()
        world = await rate_world(emu)
        alice = world["alice"]
        for i in range(11):
            await alice.presence.setState("room", "MESSAGE", {"n": str(i)})
        for _ in range(9):
            await alice.presence.removeState("room", "MESSAGE", {"states": ["n"]})
        await fails(
            world,
            alice,
            "removeState",
            *ROOM,
            options={"states": ["seat"]},
            code=-10021,
            operation="modifyState",
        )
        await fails(
            world, alice, "setState", *ROOM, {"n": "x"}, code=-10021, operation="modifyState"
        )

    async def test_keys_are_independent(self) -> None:
        """20 of each key in one second; setState's internal read is not a getState."""
        emu = rate_limited()
        world = await rate_world(emu)
        alice = world["alice"]
        for i in range(20):
            await alice.presence.whoNow(*ROOM)
            await alice.presence.whereNow("bob")
            await alice.presence.setState("room", "MESSAGE", {"n": str(i)})
            await alice.presence.getState("bob", *ROOM)
        await alice.subscribe("lobby")
        await alice.create_stream_channel("porch").join()

    async def test_per_client(self) -> None:
        emu = rate_limited()
        world = await rate_world(emu)
        for _ in range(20):
            await world["alice"].presence.whoNow(*ROOM)
        await world["bob"].presence.whoNow(*ROOM)
        await fails(world, world["alice"], "whoNow", *ROOM, code=-10021)

    @pytest.mark.parametrize(("wait", "ok"), [(0.499, False), (0.5, True)])
    async def test_sliding_second_of_the_emulator_clock(self, wait: float, ok: bool) -> None:
        """A slot frees exactly 1000 ms after the call that used it."""
        emu = rate_limited()
        world = await rate_world(emu)
        alice = world["alice"]
        await alice.presence.whoNow(*ROOM)  # t0: one slot
        emu.advance(0.5)
        for _ in range(19):  # t0 + 500 ms: the other 19
            await alice.presence.whoNow(*ROOM)
        emu.advance(wait)  # t0 + 999 / 1000 ms: the first slot is still used / free
        if ok:
            await alice.presence.whoNow(*ROOM)
            await fails(world, alice, "whoNow", *ROOM, code=-10021)
            emu.advance(0.5)  # t0 + 1500 ms: the 19 slots are free
            for _ in range(19):
                await alice.presence.whoNow(*ROOM)
        else:
            await fails(world, alice, "whoNow", *ROOM, code=-10021)

    async def test_refused_calls_use_no_slot(self) -> None:
        emu = rate_limited()
        world = await rate_world(emu)
        alice = world["alice"]
        for _ in range(20):
            await alice.presence.whoNow(*ROOM)
        emu.advance(0.5)
        for _ in range(5):
            await fails(world, alice, "whoNow", *ROOM, code=-10021)
        emu.advance(0.5)  # the first 20 expire; the 5 refusals held nothing
        for _ in range(20):
            await alice.presence.whoNow(*ROOM)

    async def test_checked_first(self) -> None:
        """Rate limit before channel type, link state and names (§7 probe: getState
        ``USER`` while limited is -10021/getState)."""
        emu = rate_limited()
        world = await rate_world(emu)
        alice = world["alice"]
        for _ in range(20):
            await alice.presence.getState("bob", *ROOM)
            await alice.presence.whoNow(*ROOM)
        await fails(
            world, alice, "getState", "alice", "r", "USER", code=-10021, operation="getState"
        )
        await fails(world, alice, "whoNow", "_bad", "USER", code=-10021, operation="whoNow")
        emu.disconnect("alice")
        await fails(world, alice, "whoNow", *ROOM, code=-10021, operation="whoNow")

    async def test_calls_refused_later_still_use_a_slot(self) -> None:
        """The limiter runs first and counts the call; a later check may still refuse it.
        Before login: 20 x -10025, then -10021."""
        emu = rate_limited()
        world = await rate_world(emu)
        dave = emu.client("dave")
        world.add(dave)
        for _ in range(20):
            await fails(world, dave, "whoNow", *ROOM, code=-10025)
        await fails(world, dave, "whoNow", *ROOM, code=-10021)
        alice = world["alice"]
        for _ in range(20):
            await fails(world, alice, "setState", "room", "USER", {"k": "v"}, code=-10019)
        await fails(
            world, alice, "setState", *ROOM, {"k": "v"}, code=-10021, operation="modifyState"
        )

    async def test_subscribe_key(self) -> None:
        emu = rate_limited()
        world = await rate_world(emu)
        alice = world["alice"]
        for i in range(20):
            await alice.subscribe(f"m{i}")
        world.watched.append(("m20", "MESSAGE"))
        await fails(world, alice, "subscribe", "m20", code=-10021)
        await fails(world, alice, "subscribe", "_bad", code=-10021)

    async def test_join_key(self) -> None:
        """join / leave cycles: leave is not limited, the 21st join is."""
        emu = rate_limited()
        world = await rate_world(emu)
        alice = world["alice"]
        porch = alice.create_stream_channel("porch")
        for _ in range(20):
            await porch.join()
            await porch.leave()
        with pytest.raises(RtmError) as info:
            await porch.join()
        check_error(info.value, -10021, "join")
        assert ("STREAM", "porch") not in [tuple(c) for c in emu.user_channels("alice")]

    async def test_calls_that_are_not_limited(self) -> None:
        """login when CONNECTED resolves before the limiter (§7 login row); unsubscribe
        has no key: 25 of each in one instant all resolve."""
        emu = rate_limited()
        world = await rate_world(emu)
        alice = world["alice"]
        for _ in range(25):
            assert {"timestamp": 0} == (await alice.login()).to_dict()
            await alice.unsubscribe("nowhere")
        await alice.logout()
        await alice.login()  # the 25 logins above used no "login" slot

    async def test_login_key(self) -> None:
        """login / logout cycles: logout is not limited, the 21st login is."""
        emu = rate_limited()
        (dave,) = _fresh(emu, "dave")
        await dave.logout()
        for _ in range(19):
            await dave.login()
            await dave.logout()
        with pytest.raises(RtmError) as info:
            await dave.login()
        check_error(info.value, -10021, "login")
        emu.advance(1)
        await dave.login()
        await dave.subscribe("room")
        assert ["dave"] == emu.online_users(*ROOM)
