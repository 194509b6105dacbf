"""The error table, the ``ErrorInfo`` shape, atomicity and error precedence.

``semantics.md`` "Errors" (the table, the charset, the precedence paragraph) and
``api.md`` "Errors".  Every failing call is checked the same way (:func:`fails`): its
code, its ``operation`` (the SDK name of the spelling called), ``to_dict()``, a reason
that names the offending value, and atomicity: no state changed, no event delivered.
"""

from __future__ import annotations

import enum
import inspect
import json
import pickle
from typing import Any

import pytest

from rtm_emulator import (
    ChannelType,
    Emulator,
    EmulatorConfig,
    ErrorCode,
    RTMClient,
    RtmError,
)

from ..conftest import Recorder, login_recorded

# --------------------------------------------------------------------------- helpers

#: Every public spelling -> the SDK name that ``RtmError.operation`` must carry.
OPERATION = {
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
    "set_state": "setState",
    "setState": "setState",
    "get_state": "getState",
    "getState": "getState",
    "remove_state": "removeState",
    "removeState": "removeState",
}
WHO_NOW = ("get_online_users", "getOnlineUsers", "who_now", "whoNow")
WHERE_NOW = ("get_user_channels", "getUserChannels", "where_now", "whereNow")
SET_STATE = ("set_state", "setState")
GET_STATE = ("get_state", "getState")
REMOVE_STATE = ("remove_state", "removeState")
STREAM_HANDLE = ("create_stream_channel", "createStreamChannel")
PRESENCE_METHODS = frozenset(WHO_NOW + WHERE_NOW + SET_STATE + GET_STATE + REMOVE_STATE)
#: Every network (async) call; ``create_stream_channel`` only makes a handle.
NETWORK_METHODS = (
    "subscribe",
    "unsubscribe",
    "join",
    "leave",
    *WHO_NOW,
    *WHERE_NOW,
    *SET_STATE,
    *GET_STATE,
    *REMOVE_STATE,
)
FAMILIES = {
    "subscribe": ("subscribe",),
    "unsubscribe": ("unsubscribe",),
    "createStreamChannel": STREAM_HANDLE,
    "join": ("join",),
    "whoNow": WHO_NOW,
    "whereNow": WHERE_NOW,
    "setState": SET_STATE,
    "getState": GET_STATE,
    "removeState": REMOVE_STATE,
}


async def invoke(client: RTMClient, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``method`` (either spelling) on the client, its presence or a stream handle.

    ``join`` / ``leave`` take the stream channel's name first (the handle is made with
    ``create_stream_channel``).  Synchronous methods are called, async ones awaited.
    """
    if method in ("join", "leave"):
        name, *rest = args
        result = getattr(client.create_stream_channel(name), method)(*rest, **kwargs)
    else:
        target: Any = client.presence if method in PRESENCE_METHODS else client
        result = getattr(target, method)(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


def valid_args(method: str) -> tuple[Any, ...]:
    """Arguments with which ``method`` succeeds for alice in a :class:`World`."""
    if method in ("subscribe", "unsubscribe", "join", "leave", *STREAM_HANDLE):
        return ("stage",) if method in ("join", "leave") else ("room",)
    if method in WHO_NOW:
        return ("room", "MESSAGE")
    if method in WHERE_NOW:
        return ("bob",)
    if method in SET_STATE:
        return ("room", "MESSAGE", {"mood": "x"})
    if method in GET_STATE:
        return ("bob", "room", "MESSAGE")
    assert method in REMOVE_STATE, method
    return ("room", "MESSAGE")


def mentions(reason: str, value: object) -> bool:
    """Whether ``reason`` names ``value`` (its repr, or a non-empty string itself)."""
    if repr(value) in reason:
        return True
    return isinstance(value, str) and value != "" and value in reason


ROOM = ("room", "MESSAGE")
STAGE = ("stage", "STREAM")
USERS = ("alice", "bob", "carol")


class World:
    """alice (the caller), bob and carol: logged in, recorded, with state.

    Each user in ``enter`` is in MESSAGE ``room`` (state ``{"seat": uid}``) and STREAM
    ``stage`` (state ``{"mic": "on"}``), all listening.  :meth:`snapshot` is
    everything a failed call must leave untouched.
    """

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.clients: dict[str, RTMClient] = {}
        self.recorders: dict[str, Recorder] = {}
        self.watched: list[tuple[str, str]] = [
            ROOM,
            STAGE,
            ("room", "STREAM"),
            ("stage", "MESSAGE"),
            ("lobby", "MESSAGE"),
            ("lobby", "STREAM"),
        ]

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

    def snapshot(self) -> dict[str, Any]:
        emu = self.emu
        uids = sorted(self.clients)
        return {
            "online": {c: emu.online_users(*c) for c in self.watched},
            "channels": {u: emu.user_channels(u) for u in uids},
            "states": {(u, *c): emu.state_of(u, *c) for u in uids for c in self.watched},
            "sessions": {
                u: (c.logged_in, c.connected, c.link_state) for u, c in self.clients.items()
            },
            "events": {u: (len(r.presence), len(r.links)) for u, r in self.recorders.items()},
            "seq": emu.last_seq,
            "timers": emu.pending_timers(),
            "now": emu.now_ms,
            "listener_errors": len(emu.listener_errors),
        }


async def fails(
    world: World,
    client: RTMClient,
    method: str,
    *args: Any,
    code: int,
    shows: tuple[object, ...] = (),
    **kwargs: Any,
) -> RtmError:
    """Call, expect ``RtmError`` with ``code``; check its shape and that nothing changed."""
    before = world.snapshot()
    with pytest.raises(RtmError) as info:
        await invoke(client, method, *args, **kwargs)
    err = info.value
    operation = OPERATION[method]
    assert err.error_code == code, err
    assert err.error is True
    assert err.operation == operation, err
    assert isinstance(err.reason, str) and err.reason
    expected = {"error": True, "operation": operation, "errorCode": code, "reason": err.reason}
    assert err.to_dict() == expected
    assert json.loads(json.dumps(err.to_dict())) == expected
    for value in shows:
        assert mentions(err.reason, value), (err.reason, value)
    assert world.snapshot() == before, "a failed call changed state or delivered events"
    world.emu.check_invariants()
    return err


def ids(values: list[Any] | tuple[Any, ...]) -> list[str]:
    """Readable, ASCII test ids for odd values."""
    out = []
    for value in values:
        text = repr(value)
        out.append(text if len(text) <= 20 else f"{text[:12]}..{len(text)}")
    return out


BAD_USER_IDS = [
    "null",
    "a" * 65,
    "a/b",
    "a*b",
    "é",
    "\n",
    "a\tb",
    "it's",
    'say"hi"',
    "back\\slash",
    "`tick`",
    None,
    123,
    b"x",
    ["bob"],
]
VALID_USER_IDS = [
    "a" * 64,
    "a.b",
    "_x",
    "a b",
    "A1z9",
    " !#$%&()+-:;<=.>?@[]^_{}|~,",
]
BAD_CHANNEL_NAMES = [
    "",
    "null",
    "a" * 65,
    "_x",
    "a.b",
    ".",
    "a/b",
    "a*b",
    "é",
    "\n",
    "it's",
    None,
    123,
    b"x",
    ["room"],
]
VALID_CHANNEL_NAMES = [
    "a" * 64,
    "x_",
    "a_b",
    "a b",
    "!#$%&()+-:;<=>?@[]^_{}|~, ",
]
BAD_CHANNEL_TYPES = [
    "USER",
    "message",
    "Message",
    "MESSAGE ",
    "stream",
    "",
    None,
    1,
    0,
    b"MESSAGE",
    ["MESSAGE"],
]


# ---------------------------------------------------------------- the code table


EXPECTED_CODES = {
    "NOT_LOGIN": -10002,
    "INVALID_USER_ID": -10006,
    "INVALID_CHANNEL_NAME": -10008,
    "INVALID_CHANNEL_TYPE": -10019,
    "INVALID_PARAMETER": -10014,
    "CHANNEL_NOT_JOINED": -11001,
    "CHANNEL_NOT_SUBSCRIBED": -11002,
    "NOT_CONNECTED": -10025,
    "CHANNEL_INSTANCE_EXCEED_LIMITATION": -11005,
    "CHANNEL_SUBSCRIBE_FAILED": -11021,
    "CHANNEL_JOIN_FAILED": -11007,
    "PRESENCE_INVALID_ARGUMENT": -13003,
    "PRESENCE_CACHED_TOO_MANY_STATES": -13004,
    "PRESENCE_STATE_COUNT_OVERFLOW": -13005,
    "PRESENCE_INVALID_STATE_KEY": -13006,
    "PRESENCE_INVALID_STATE_VALUE": -13007,
    "PRESENCE_STATE_KEY_SIZE_OVERFLOW": -13008,
    "PRESENCE_STATE_VALUE_SIZE_OVERFLOW": -13009,
    "PRESENCE_USER_NOT_EXIST": -13011,
}


class TestErrorCodeAndShape:
    """``ErrorCode`` is the table; ``RtmError`` is the SDK's ``ErrorInfo`` (api.md)."""

    def test_error_code_is_an_int_enum_with_exactly_the_table(self) -> None:
        assert issubclass(ErrorCode, enum.IntEnum)
        assert EXPECTED_CODES == {m.name: m.value for m in ErrorCode}
        assert len(EXPECTED_CODES) == len(ErrorCode.__members__)  # no aliases

    def test_rtm_error_is_an_exception_with_error_info_fields(self) -> None:
        err = RtmError("whoNow", ErrorCode.PRESENCE_INVALID_ARGUMENT, "bad bookmark 'x'")
        assert isinstance(err, Exception)
        assert (err.error, err.operation, err.error_code, err.reason) == (
            True,
            "whoNow",
            -13003,
            "bad bookmark 'x'",
        )
        assert {
            "error": True,
            "operation": "whoNow",
            "errorCode": -13003,
            "reason": "bad bookmark 'x'",
        } == err.to_dict()

    def test_constructed_error_pickles(self) -> None:
        err = RtmError("setState", -13007, "value of 'k' must be a string, got False")
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is RtmError
        assert (back.error, back.operation, back.error_code, back.reason) == (
            err.error,
            err.operation,
            err.error_code,
            err.reason,
        )
        assert back.to_dict() == err.to_dict()
        assert str(back) == str(err)

    async def test_raised_error_pickles(self, emu: Emulator) -> None:
        (alice,) = [c for c, _ in await login_recorded(emu, "alice")]
        with pytest.raises(RtmError) as info:
            await alice.presence.whoNow("_bad", "MESSAGE")
        back = pickle.loads(pickle.dumps(info.value))
        assert back.to_dict() == info.value.to_dict()
        assert back.error_code == ErrorCode.INVALID_CHANNEL_NAME
        assert back.operation == "whoNow"

    @pytest.mark.parametrize("bad", ["", *BAD_USER_IDS], ids=ids(["", *BAD_USER_IDS]))
    def test_client_with_invalid_user_id_fails_at_creation(self, emu: Emulator, bad: Any) -> None:
        with pytest.raises(RtmError) as info:
            emu.client(bad)
        err = info.value
        assert err.error_code == -10006
        assert {"error", "operation", "errorCode", "reason"} == set(err.to_dict())
        assert err.to_dict()["errorCode"] == -10006
        assert mentions(err.reason, bad), err.reason

    @pytest.mark.parametrize("uid", VALID_USER_IDS, ids=ids(VALID_USER_IDS))
    async def test_client_with_valid_user_id_works(self, emu: Emulator, uid: str) -> None:
        client = emu.client(uid)
        await client.login()
        await client.subscribe("room")
        assert [uid] == emu.online_users("room", "MESSAGE")
        got = await client.presence.whereNow(uid)
        assert [("room", "MESSAGE")] == [
            (c.channel_name, c.channel_type.value) for c in got.channels
        ]


# ------------------------------------------------------------------ -10002 / -10025


class TestNotLogin:
    """-10002: any presence/channel call before login or after logout (R-L2)."""

    @pytest.mark.parametrize("method", NETWORK_METHODS)
    async def test_never_logged_in(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        dave = emu.client("dave")
        world.add(dave)
        err = await fails(world, dave, method, *valid_args(method), code=-10002)
        assert mentions(err.reason, "dave")

    @pytest.mark.parametrize("method", NETWORK_METHODS)
    async def test_after_logout(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        await world["alice"].logout()
        await fails(world, world["alice"], method, *valid_args(method), code=-10002)

    async def test_kicked_client_is_not_logged_in(self, emu: Emulator) -> None:
        world = await World.make(emu)
        old = world["alice"]
        new = emu.client("alice")
        await new.login()  # kicks the old session (R-T4)
        await fails(world, old, "whoNow", "room", "MESSAGE", code=-10002)
        await fails(world, old, "setState", "room", "MESSAGE", {"k": "v"}, code=-10002)

    async def test_logout_when_not_logged_in_is_a_no_op(self, emu: Emulator) -> None:
        world = await World.make(emu)
        dave = emu.client("dave")
        world.add(dave)
        before = world.snapshot()
        await dave.logout()
        assert world.snapshot() == before

    @pytest.mark.parametrize("method", STREAM_HANDLE)
    async def test_stream_handle_needs_no_login(self, emu: Emulator, method: str) -> None:
        """Emulator decision: ``createStreamChannel`` makes a handle, no network call."""
        dave = emu.client("dave")
        handle = await invoke(dave, method, "stage")
        assert "stage" == handle.channel_name
        with pytest.raises(RtmError) as info:
            await handle.join()
        assert (-10002, "join") == (info.value.error_code, info.value.operation)


class TestNotConnected:
    """-10025: calls while the client's network is down fail and change nothing (R-T3)."""

    @pytest.mark.parametrize("method", NETWORK_METHODS)
    async def test_every_call_fails(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        emu.disconnect("alice")
        err = await fails(world, world["alice"], method, *valid_args(method), code=-10025)
        assert mentions(err.reason, "alice")

    @pytest.mark.parametrize("method", NETWORK_METHODS)
    async def test_after_server_timeout_still_fails(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        emu.disconnect("alice")
        emu.advance(400)  # past heartbeat + presence timeout: server dropped alice (R-T2)
        await fails(world, world["alice"], method, *valid_args(method), code=-10025)

    async def test_login_while_disconnected_changes_nothing(self, emu: Emulator) -> None:
        world = await World.make(emu)
        emu.disconnect("alice")
        before = world.snapshot()
        await world["alice"].login()
        assert world.snapshot() == before

    async def test_calls_work_again_after_reconnect(self, emu: Emulator) -> None:
        world = await World.make(emu)
        emu.disconnect("alice")
        await fails(world, world["alice"], "whoNow", "room", "MESSAGE", code=-10025)
        emu.reconnect("alice")
        got = await world["alice"].presence.whoNow("room", "MESSAGE")
        assert ["alice", "bob", "carol"] == [o.user_id for o in got.occupants]


# ---------------------------------------------------------- argument validation


def user_id_args(method: str, uid: object) -> tuple[Any, ...]:
    return (uid,) if method in WHERE_NOW else (uid, "room", "MESSAGE")


class TestInvalidUserId:
    """-10006: user id empty, ``"null"``, over 64 bytes, or outside the SDK charset."""

    @pytest.mark.parametrize("bad", BAD_USER_IDS, ids=ids(BAD_USER_IDS))
    @pytest.mark.parametrize("method", WHERE_NOW + GET_STATE)
    async def test_bad_user_id(self, emu: Emulator, method: str, bad: Any) -> None:
        world = await World.make(emu)
        await fails(
            world, world["alice"], method, *user_id_args(method, bad), code=-10006, shows=(bad,)
        )

    @pytest.mark.parametrize("method", WHERE_NOW + GET_STATE)
    async def test_empty_user_id_means_the_caller(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        got = await invoke(world["alice"], method, *user_id_args(method, ""))
        if method in WHERE_NOW:
            assert 2 == got.total_channel
        else:
            assert ("alice", {"seat": "alice"}) == (got.user_id, dict(got.states))

    @pytest.mark.parametrize("uid", VALID_USER_IDS, ids=ids(VALID_USER_IDS))
    @pytest.mark.parametrize("method", WHERE_NOW)
    async def test_valid_user_id_of_nobody(self, emu: Emulator, method: str, uid: str) -> None:
        world = await World.make(emu)
        got = await invoke(world["alice"], method, uid)
        assert (0, ()) == (got.total_channel, tuple(got.channels))

    @pytest.mark.parametrize("method", GET_STATE)
    async def test_valid_64_byte_user_id_is_checked_for_presence(
        self, emu: Emulator, method: str
    ) -> None:
        world = await World.make(emu)
        await fails(
            world,
            world["alice"],
            method,
            "a" * 64,
            "room",
            "MESSAGE",
            code=-13011,
            shows=("a" * 64,),
        )


def name_args(method: str, name: object) -> tuple[Any, ...]:
    if method in ("subscribe", "unsubscribe", *STREAM_HANDLE):
        return (name,)
    if method in WHO_NOW + REMOVE_STATE:
        return (name, "MESSAGE")
    if method in SET_STATE:
        return (name, "MESSAGE", {"mood": "x"})
    assert method in GET_STATE, method
    return ("bob", name, "MESSAGE")


NAME_METHODS = (
    "subscribe",
    "unsubscribe",
    *STREAM_HANDLE,
    *WHO_NOW,
    *SET_STATE,
    *GET_STATE,
    *REMOVE_STATE,
)


class TestInvalidChannelName:
    """-10008: empty, ``"null"``, over 64 bytes, leading ``_``, ``.``, outside the charset."""

    @pytest.mark.parametrize("bad", BAD_CHANNEL_NAMES, ids=ids(BAD_CHANNEL_NAMES))
    @pytest.mark.parametrize("method", NAME_METHODS)
    async def test_bad_channel_name(self, emu: Emulator, method: str, bad: Any) -> None:
        world = await World.make(emu)
        await fails(
            world, world["alice"], method, *name_args(method, bad), code=-10008, shows=(bad,)
        )

    @pytest.mark.parametrize("bad", ["_x", "a.b", None], ids=ids(["_x", "a.b", None]))
    @pytest.mark.parametrize("method", STREAM_HANDLE)
    async def test_stream_handle_checks_the_name_before_login(
        self, emu: Emulator, method: str, bad: Any
    ) -> None:
        """Emulator decision: the handle's name is validated at once, logged in or not."""
        world = await World.make(emu)
        dave = emu.client("dave")
        world.add(dave)
        await fails(world, dave, method, bad, code=-10008, shows=(bad,))

    @pytest.mark.parametrize("name", VALID_CHANNEL_NAMES, ids=ids(VALID_CHANNEL_NAMES))
    async def test_valid_channel_names_work_everywhere(self, emu: Emulator, name: str) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        await alice.subscribe(name)
        await alice.presence.set_state(name, "MESSAGE", {"k": "v"})
        got = await alice.presence.whoNow(name, "MESSAGE", {"includedState": True})
        assert [("alice", {"k": "v"})] == [(o.user_id, dict(o.states)) for o in got.occupants]
        assert {"k": "v"} == dict((await alice.presence.getState("", name, "MESSAGE")).states)
        await alice.presence.removeState(name, "MESSAGE")
        await alice.unsubscribe(name)
        stream = alice.createStreamChannel(name)
        await stream.join()
        assert ["alice"] == emu.online_users(name, "STREAM")
        await stream.leave()


def type_args(method: str, ctype: object) -> tuple[Any, ...]:
    if method in WHO_NOW + REMOVE_STATE:
        return ("room", ctype)
    if method in SET_STATE:
        return ("room", ctype, {"mood": "x"})
    assert method in GET_STATE, method
    return ("bob", "room", ctype)


TYPE_METHODS = WHO_NOW + SET_STATE + GET_STATE + REMOVE_STATE


class TestInvalidChannelType:
    """-10019: anything but ``"MESSAGE"`` / ``"STREAM"`` / the enum, non-strings included."""

    @pytest.mark.parametrize("bad", BAD_CHANNEL_TYPES, ids=ids(BAD_CHANNEL_TYPES))
    @pytest.mark.parametrize("method", TYPE_METHODS)
    async def test_bad_channel_type(self, emu: Emulator, method: str, bad: Any) -> None:
        world = await World.make(emu)
        await fails(
            world, world["alice"], method, *type_args(method, bad), code=-10019, shows=(bad,)
        )

    @pytest.mark.parametrize(
        "ctype", [ChannelType.MESSAGE, ChannelType.STREAM, "MESSAGE", "STREAM"]
    )
    @pytest.mark.parametrize("method", TYPE_METHODS)
    async def test_valid_channel_types(self, emu: Emulator, method: str, ctype: Any) -> None:
        world = await World.make(emu)
        name = "room" if ctype == "MESSAGE" else "stage"
        args = list(type_args(method, ctype))
        args[1 if method in GET_STATE else 0] = name
        await invoke(world["alice"], method, *args)


def _parameter_cases() -> list[Any]:
    """(method, args, kwargs, what the reason must name) for wrong argument types."""
    cases: list[Any] = []

    def add(family: str, args: tuple[Any, ...], shows: object, **kwargs: Any) -> None:
        for method in FAMILIES[family]:
            label = f"{method}-{ids([args[-1]])[0]}" + ("-kw" if kwargs else "")
            cases.append(pytest.param(method, args, kwargs, shows, id=label))

    for options, shows in [
        (5, 5),
        ("yes", "yes"),
        (["withPresence"], ["withPresence"]),
        ({"withPresence": "yes"}, "yes"),
        ({"beQuiet": 1}, 1),
        ({"withPresence": 0}, 0),
        ({"withPrescence": True}, "withPrescence"),
    ]:
        add("subscribe", ("lobby", options), shows)
        add("join", ("lobby", options), shows)
    add("subscribe", ("lobby", {"withPresence": True}), "withPresence", with_presence=False)
    add("join", ("lobby", {"beQuiet": True}), "beQuiet", be_quiet=False)
    add("join", ("lobby", {"token": 5}), 5)
    for options, shows in [
        (5, 5),
        ("yes", "yes"),
        ({"includedUserId": "yes"}, "yes"),
        ({"includedState": 1}, 1),
        ({"page": 5}, 5),
        ({"includedUserID": True}, "includedUserID"),
        ({"withPresence": True}, "withPresence"),
    ]:
        add("whoNow", ("room", "MESSAGE", options), shows)
    for state in ["x", 5, None, ["k"], [("k", "v")], b"k"]:
        add("setState", ("room", "MESSAGE", state), state)
    for options, shows in [
        (5, 5),
        ("mood", "mood"),
        (["mood"], ["mood"]),
        ({"states": "mood"}, "mood"),
        ({"states": b"mood"}, b"mood"),
        ({"states": 5}, 5),
        ({"states": {"mood": "x"}}, {"mood": "x"}),
        ({"state": ["mood"]}, "state"),
    ]:
        add("removeState", ("room", "MESSAGE", options), shows)
    return cases


class TestInvalidParameter:
    """-10014: wrong types of other arguments (options, state), unknown option keys."""

    @pytest.mark.parametrize(("method", "args", "kwargs", "shows"), _parameter_cases())
    async def test_wrong_argument(
        self, emu: Emulator, method: str, args: tuple[Any, ...], kwargs: Any, shows: object
    ) -> None:
        world = await World.make(emu)
        await fails(world, world["alice"], method, *args, code=-10014, shows=(shows,), **kwargs)

    @pytest.mark.parametrize(
        ("method", "kwargs"),
        [
            ("who_now", {"include_state": "yes"}),
            ("get_online_users", {"include_user_id": 1}),
            ("who_now", {"page": 5}),
        ],
    )
    async def test_wrong_keyword_type(self, emu: Emulator, method: str, kwargs: Any) -> None:
        world = await World.make(emu)
        value = next(iter(kwargs.values()))
        await fails(
            world, world["alice"], method, "room", "MESSAGE", code=-10014, shows=(value,), **kwargs
        )

    @pytest.mark.parametrize("method", ("who_now", "get_online_users"))
    async def test_option_given_twice(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        await fails(
            world,
            world["alice"],
            method,
            "room",
            "MESSAGE",
            {"includedState": True},
            include_state=False,
            code=-10014,
            shows=("includedState",),
        )

    async def test_remove_state_states_given_twice(self, emu: Emulator) -> None:
        world = await World.make(emu)
        await fails(
            world,
            world["alice"],
            "remove_state",
            "room",
            "MESSAGE",
            {"states": ["seat"]},
            states=["seat"],
            code=-10014,
        )

    async def test_remove_state_keyword_not_a_list(self, emu: Emulator) -> None:
        world = await World.make(emu)
        await fails(
            world,
            world["alice"],
            "remove_state",
            "room",
            "MESSAGE",
            states="seat",
            code=-10014,
            shows=("seat",),
        )

    @pytest.mark.parametrize(
        "options",
        [
            {"withPresence": True, "beQuiet": False},
            {"withMessage": True, "withMetadata": False, "withLock": False},
            None,
        ],
    )
    async def test_valid_subscribe_options(self, emu: Emulator, options: Any) -> None:
        world = await World.make(emu)
        await world["alice"].subscribe("lobby", options)
        assert ["alice"] == emu.online_users("lobby", "MESSAGE")


# --------------------------------------------------------------------- lifecycle


class TestChannelNotJoined:
    """-11001: stream-channel leave without join."""

    async def test_leave_never_joined(self, emu: Emulator) -> None:
        world = await World.make(emu)
        await fails(world, world["alice"], "leave", "lobby", code=-11001, shows=("lobby",))

    async def test_leave_twice(self, emu: Emulator) -> None:
        world = await World.make(emu)
        await world["alice"].create_stream_channel("stage").leave()
        await fails(world, world["alice"], "leave", "stage", code=-11001, shows=("stage",))

    async def test_leave_stream_of_a_subscribed_message_channel_name(self, emu: Emulator) -> None:
        world = await World.make(emu)
        # alice is subscribed to MESSAGE "room" but never joined STREAM "room"
        await fails(world, world["alice"], "leave", "room", code=-11001, shows=("room",))

    async def test_handle_survives_logout_but_is_not_joined(self, emu: Emulator) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        stage = alice.create_stream_channel("stage")
        await alice.logout()
        await alice.login()
        before = world.snapshot()
        with pytest.raises(RtmError) as info:
            await stage.leave()
        assert (-11001, "leave") == (info.value.error_code, info.value.operation)
        assert world.snapshot() == before
        await stage.join()  # R-L2: the handle joins again after a new login
        assert ["alice", "bob", "carol"] == emu.online_users("stage", "STREAM")


class TestChannelNotSubscribed:
    """-11002: unsubscribe from a channel not subscribed."""

    async def test_unsubscribe_never_subscribed(self, emu: Emulator) -> None:
        world = await World.make(emu)
        await fails(world, world["alice"], "unsubscribe", "lobby", code=-11002, shows=("lobby",))

    async def test_unsubscribe_twice(self, emu: Emulator) -> None:
        world = await World.make(emu)
        await world["alice"].unsubscribe("room")
        await fails(world, world["alice"], "unsubscribe", "room", code=-11002, shows=("room",))

    async def test_unsubscribe_message_channel_named_like_a_joined_stream(
        self, emu: Emulator
    ) -> None:
        world = await World.make(emu)
        await fails(world, world["alice"], "unsubscribe", "stage", code=-11002, shows=("stage",))


class TestChannelInstanceExceedLimitation:
    """-11005: over 100 subscribed MESSAGE or 100 joined STREAM channels (R-L4)."""

    @staticmethod
    async def fill(world: World, method: str) -> None:
        """alice (already in room + stage) enters 99 more channels of that type."""
        for i in range(99):
            await invoke(world["alice"], method, f"ch{i}")

    @pytest.mark.parametrize("method", ["subscribe", "join"])
    async def test_the_101st_channel_fails(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        await self.fill(world, method)
        # bob listens in the target channel: he must see no REMOTE_JOIN
        await invoke(world["bob"], method, "ch100")
        world.watched += [("ch100", "MESSAGE"), ("ch100", "STREAM")]
        await fails(world, world["alice"], method, "ch100", code=-11005, shows=("ch100",))

    @pytest.mark.parametrize(("method", "other"), [("subscribe", "join"), ("join", "subscribe")])
    async def test_types_are_counted_separately(
        self, emu: Emulator, method: str, other: str
    ) -> None:
        world = await World.make(emu)
        await self.fill(world, method)
        await invoke(world["alice"], other, "extra")  # the other type still has room
        ctype = "MESSAGE" if other == "subscribe" else "STREAM"
        assert ["alice"] == emu.online_users("extra", ctype)

    @pytest.mark.parametrize("method", ["subscribe", "join"])
    async def test_entering_again_at_the_limit_is_fine(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        await self.fill(world, method)
        await invoke(world["alice"], method, "ch5")  # R-L1: not a new channel
        exit_method = "unsubscribe" if method == "subscribe" else "leave"
        await invoke(world["alice"], exit_method, "ch5")
        await invoke(world["alice"], method, "ch100")  # a free slot again


class TestChannelFull:
    """-11021 / -11007: entering a channel that holds ``max_channel_users`` users."""

    @pytest.mark.parametrize(
        ("method", "code"), [("subscribe", -11021), ("join", -11007)], ids=["message", "stream"]
    )
    async def test_full_channel(self, method: str, code: int) -> None:
        emu = Emulator(EmulatorConfig(max_channel_users=2), strict=True)
        world = await World.make(emu, enter=("bob", "carol"))
        name = "room" if method == "subscribe" else "stage"
        err = await fails(world, world["alice"], method, name, code=code, shows=(name,))
        assert "2" in err.reason
        emu.check_invariants()

    async def test_quiet_users_count_too(self) -> None:
        emu = Emulator(EmulatorConfig(max_channel_users=2), strict=True)
        world = await World.make(emu, enter=("bob",))
        await world["carol"].subscribe("room", {"beQuiet": True})
        await fails(world, world["alice"], "subscribe", "room", code=-11021)

    async def test_present_user_may_enter_again_and_other_type_is_another_channel(
        self,
    ) -> None:
        emu = Emulator(EmulatorConfig(max_channel_users=2), strict=True)
        world = await World.make(emu, enter=("bob", "carol"))
        await world["bob"].subscribe("room", {"withPresence": False})  # R-L1
        await world["alice"].subscribe("stage")  # MESSAGE "stage" is not the full STREAM one
        other = emu.client("alice", app_id="other-app")
        await other.login()
        await other.subscribe("room")  # presence is per app
        emu.check_invariants()


# --------------------------------------------------------------------- presence


BOOKMARK_CASES = [
    "placeholder",
    "tampered",
    "other_channel",
    "other_type",
    "issued_without_state",
    "issued_with_state",
    "other_app",
    "count_only_with_state",
    "count_only_with_bookmark",
    "count_only_with_placeholder",
]


class TestPresenceInvalidArgument:
    """-13003: bad bookmarks (R-Q3) and count-only conflicts (R-Q4)."""

    @staticmethod
    async def bookmarks(world: World) -> dict[str, str]:
        alice = world["alice"]
        other = world.emu.client("zed", app_id="other-app")
        await other.login()
        await other.subscribe("room")
        other2 = world.emu.client("zoe", app_id="other-app")
        await other2.login()
        await other2.subscribe("room")
        room = (await alice.presence.whoNow("room", "MESSAGE")).next_page
        marks = {
            "room": room,
            "room_state": (
                await alice.presence.whoNow("room", "MESSAGE", {"includedState": True})
            ).next_page,
            "stage": (await alice.presence.whoNow("stage", "STREAM")).next_page,
            "other_app": (await other.presence.whoNow("room", "MESSAGE")).next_page,
            "tampered": room[:-1] + ("0" if room[-1] != "0" else "1"),
        }
        assert all(marks.values()), marks
        return marks

    @pytest.mark.parametrize("case", BOOKMARK_CASES)
    @pytest.mark.parametrize("method", WHO_NOW)
    async def test_rejected(self, method: str, case: str) -> None:
        emu = Emulator(EmulatorConfig(page_size=1), strict=True)
        world = await World.make(emu)
        marks = await self.bookmarks(world)
        channel, ctype, options, shows = {
            "placeholder": ("room", "MESSAGE", {"page": "yourBookMark"}, "yourBookMark"),
            "tampered": ("room", "MESSAGE", {"page": marks["tampered"]}, marks["tampered"]),
            "other_channel": ("room", "MESSAGE", {"page": marks["stage"]}, marks["stage"]),
            "other_type": ("room", "STREAM", {"page": marks["room"]}, marks["room"]),
            "issued_without_state": (
                "room",
                "MESSAGE",
                {"page": marks["room"], "includedState": True},
                marks["room"],
            ),
            "issued_with_state": (
                "room",
                "MESSAGE",
                {"page": marks["room_state"]},
                marks["room_state"],
            ),
            "other_app": ("room", "MESSAGE", {"page": marks["other_app"]}, marks["other_app"]),
            "count_only_with_state": (
                "room",
                "MESSAGE",
                {"includedUserId": False, "includedState": True},
                "includedState",
            ),
            "count_only_with_bookmark": (
                "room",
                "MESSAGE",
                {"includedUserId": False, "page": marks["room"]},
                marks["room"],
            ),
            "count_only_with_placeholder": (
                "room",
                "MESSAGE",
                {"includedUserId": False, "page": "yourBookMark"},
                "yourBookMark",
            ),
        }[case]
        await fails(
            world, world["alice"], method, channel, ctype, options, code=-13003, shows=(shows,)
        )
        emu.check_invariants()

    @pytest.mark.parametrize("method", ["who_now", "get_online_users"])
    async def test_rejected_as_keyword(self, method: str) -> None:
        emu = Emulator(EmulatorConfig(page_size=1), strict=True)
        world = await World.make(emu)
        await fails(
            world,
            world["alice"],
            method,
            "room",
            "MESSAGE",
            page="yourBookMark",
            code=-13003,
            shows=("yourBookMark",),
        )
        await fails(
            world,
            world["alice"],
            method,
            "room",
            "MESSAGE",
            include_user_id=False,
            include_state=True,
            code=-13003,
        )

    @pytest.mark.parametrize("method", WHO_NOW)
    async def test_valid_pages(self, method: str) -> None:
        emu = Emulator(EmulatorConfig(page_size=1), strict=True)
        world = await World.make(emu)
        alice = world["alice"]
        first = await invoke(alice, method, "room", "MESSAGE", {"page": ""})
        assert ["alice"] == [o.user_id for o in first.occupants]
        second = await invoke(alice, method, "room", "MESSAGE", {"page": first.next_page})
        assert ["bob"] == [o.user_id for o in second.occupants]
        count = await invoke(
            alice, method, "room", "MESSAGE", {"includedUserId": False, "page": ""}
        )
        assert (3, (), "") == (count.total_occupancy, tuple(count.occupants), count.next_page)


def many(n: int, prefix: str = "k") -> dict[str, str]:
    return {f"{prefix}{i}": "v" for i in range(n)}


class TestPresenceCachedTooManyStates:
    """-13004: over 100 keys cached for channels the user is not in (R-S4)."""

    @staticmethod
    async def fill_cache(world: World, method: str) -> None:
        for i in range(4):
            await invoke(world["alice"], method, f"c{i}", "MESSAGE", many(25))

    @pytest.mark.parametrize("method", SET_STATE)
    async def test_new_channel_over_the_limit(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        await self.fill_cache(world, method)
        await world["bob"].subscribe("c9")  # listens where alice would cache
        world.watched.append(("c9", "MESSAGE"))
        await fails(
            world, world["alice"], method, "c9", "MESSAGE", {"k": "v"}, code=-13004, shows=("c9",)
        )
        # atomic: the cache is as before
        alice = world["alice"]
        await alice.subscribe("c9")
        await alice.subscribe("c0")
        assert {} == emu.state_of("alice", "c9", "MESSAGE")
        assert many(25) == emu.state_of("alice", "c0", "MESSAGE")

    @pytest.mark.parametrize("method", SET_STATE)
    async def test_new_key_in_a_cached_channel(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        await self.fill_cache(world, method)
        await fails(world, world["alice"], method, "c0", "MESSAGE", {"new": "v"}, code=-13004)
        await invoke(world["alice"], method, "c0", "MESSAGE", {"k0": "overwritten"})  # no new key

    @pytest.mark.parametrize("method", SET_STATE)
    async def test_present_channels_do_not_count(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        await self.fill_cache(world, method)
        await invoke(world["alice"], method, "room", "MESSAGE", {"new": "v"})
        assert {"seat": "alice", "new": "v"} == emu.state_of("alice", "room", "MESSAGE")


class TestPresenceStateCountOverflow:
    """-13005: more than 32 keys per user per channel (R-S3), present or cached."""

    @pytest.mark.parametrize("method", SET_STATE)
    async def test_33_keys_at_once(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        await fails(
            world,
            world["alice"],
            method,
            "lobby",
            "MESSAGE",
            many(33),
            code=-13005,
            shows=("lobby",),
        )
        await fails(world, world["alice"], method, "room", "MESSAGE", many(32), code=-13005)

    @pytest.mark.parametrize("method", SET_STATE)
    async def test_merge_over_32(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        await invoke(alice, method, "room", "MESSAGE", many(31))  # 32 with "seat"
        await fails(world, alice, method, "room", "MESSAGE", {"one": "more"}, code=-13005)
        await invoke(alice, method, "room", "MESSAGE", {"k0": "overwrite", "seat": "x"})
        assert 32 == len(emu.state_of("alice", "room", "MESSAGE"))

    @pytest.mark.parametrize("method", SET_STATE)
    async def test_cached_channel(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        await fails(world, alice, method, "lobby", "MESSAGE", many(33), code=-13005)
        await alice.subscribe("lobby")
        assert {} == emu.state_of("alice", "lobby", "MESSAGE")


BAD_KEYS = ["", 1, None, b"k", (1, 2)]
BAD_VALUES = [False, True, 1, 1.5, None, ["a"], {"a": "b"}, b"v"]


class TestInvalidStateKeyOrValue:
    """-13006 / -13007: a key that is not a non-empty string, a value that is not a string."""

    @pytest.mark.parametrize("key", BAD_KEYS, ids=ids(BAD_KEYS))
    @pytest.mark.parametrize("method", SET_STATE)
    async def test_bad_key(self, emu: Emulator, method: str, key: Any) -> None:
        world = await World.make(emu)
        state = {"ok": "1", key: "v"}
        await fails(
            world, world["alice"], method, "room", "MESSAGE", state, code=-13006, shows=(key,)
        )

    @pytest.mark.parametrize("value", BAD_VALUES, ids=ids(BAD_VALUES))
    @pytest.mark.parametrize("method", SET_STATE)
    async def test_bad_value(self, emu: Emulator, method: str, value: Any) -> None:
        world = await World.make(emu)
        state = {"ok": "1", "bad": value}
        await fails(
            world, world["alice"], method, "room", "MESSAGE", state, code=-13007, shows=(value,)
        )

    @pytest.mark.parametrize("value", BAD_VALUES[:3], ids=ids(BAD_VALUES[:3]))
    @pytest.mark.parametrize("method", SET_STATE)
    async def test_bad_value_in_cache(self, emu: Emulator, method: str, value: Any) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        await fails(world, alice, method, "lobby", "MESSAGE", {"bad": value}, code=-13007)
        await alice.subscribe("lobby")
        assert {} == emu.state_of("alice", "lobby", "MESSAGE")

    @pytest.mark.parametrize("key", BAD_KEYS[:4], ids=ids(BAD_KEYS[:4]))
    @pytest.mark.parametrize("method", REMOVE_STATE)
    async def test_bad_key_in_remove_state(self, emu: Emulator, method: str, key: Any) -> None:
        world = await World.make(emu)
        options = {"states": ["seat", key]}
        await fails(
            world, world["alice"], method, "room", "MESSAGE", options, code=-13006, shows=(key,)
        )


class TestStateSizeOverflow:
    """-13008 / -13009: key over 64 UTF-8 bytes, value over 8192 UTF-8 bytes."""

    @pytest.mark.parametrize("key", ["k" * 65, "é" * 33], ids=["65-ascii", "66-bytes-33-chars"])
    @pytest.mark.parametrize("method", SET_STATE)
    async def test_key_too_long(self, emu: Emulator, method: str, key: str) -> None:
        world = await World.make(emu)
        await fails(
            world,
            world["alice"],
            method,
            "room",
            "MESSAGE",
            {"ok": "1", key: "v"},
            code=-13008,
            shows=(key,),
        )

    @pytest.mark.parametrize("key", ["k" * 65, "é" * 33], ids=["65-ascii", "66-bytes-33-chars"])
    @pytest.mark.parametrize("method", REMOVE_STATE)
    async def test_key_too_long_in_remove_state(self, emu: Emulator, method: str, key: str) -> None:
        world = await World.make(emu)
        await fails(
            world,
            world["alice"],
            method,
            "room",
            "MESSAGE",
            {"states": [key]},
            code=-13008,
            shows=(key,),
        )

    @pytest.mark.parametrize(
        "value", ["v" * 8193, "é" * 4097], ids=["8193-ascii", "8194-bytes-4097-chars"]
    )
    @pytest.mark.parametrize("method", SET_STATE)
    async def test_value_too_long(self, emu: Emulator, method: str, value: str) -> None:
        world = await World.make(emu)
        err = await fails(
            world,
            world["alice"],
            method,
            "room",
            "MESSAGE",
            {"ok": "1", "big": value},
            code=-13009,
            shows=("big",),
        )
        assert str(len(value.encode())) in err.reason

    @pytest.mark.parametrize("method", SET_STATE)
    async def test_limits_are_inclusive(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        state = {"k" * 64: "v" * 8192, "é" * 32: "é" * 4096}
        await invoke(world["alice"], method, "room", "MESSAGE", state)
        assert {"seat": "alice", **state} == emu.state_of("alice", "room", "MESSAGE")
        await world["alice"].presence.removeState("room", "MESSAGE", {"states": ["k" * 64]})
        assert "k" * 64 not in emu.state_of("alice", "room", "MESSAGE")


class TestPresenceUserNotExist:
    """-13011: ``getState`` of a user not present (or quiet) in that channel (R-Q6)."""

    @pytest.mark.parametrize(
        ("uid", "name", "ctype", "shows"),
        [
            ("ghost", "room", "MESSAGE", "ghost"),
            ("bob", "nowhere", "MESSAGE", "bob"),
            ("bob", "room", "STREAM", "bob"),  # same name, other type: another channel
            ("bob", "stage", "MESSAGE", "bob"),
            ("", "nowhere", "MESSAGE", "alice"),  # "" is the caller
        ],
    )
    @pytest.mark.parametrize("method", GET_STATE)
    async def test_not_present(
        self, emu: Emulator, method: str, uid: str, name: str, ctype: str, shows: str
    ) -> None:
        world = await World.make(emu)
        await fails(world, world["alice"], method, uid, name, ctype, code=-13011, shows=(shows,))

    @pytest.mark.parametrize("method", GET_STATE)
    async def test_quiet_user(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        dave = emu.client("dave")
        world.add(dave)
        await dave.login()
        await dave.subscribe("room", {"beQuiet": True})
        await dave.presence.setState("room", "MESSAGE", {"k": "v"})
        await fails(world, world["alice"], method, "dave", "room", "MESSAGE", code=-13011)

    @pytest.mark.parametrize("method", GET_STATE)
    async def test_user_who_left_or_logged_out(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        await world["bob"].unsubscribe("room")
        await world["carol"].logout()
        await fails(world, world["alice"], method, "bob", "room", "MESSAGE", code=-13011)
        await fails(world, world["alice"], method, "carol", "room", "MESSAGE", code=-13011)

    @pytest.mark.parametrize("method", GET_STATE)
    async def test_user_of_another_app(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        zed = emu.client("zed", app_id="other-app")
        await zed.login()
        await zed.subscribe("room")
        await fails(world, world["alice"], method, "zed", "room", "MESSAGE", code=-13011)


# -------------------------------------------------------------------- precedence


def _expand(cases: list[tuple[Any, ...]]) -> list[Any]:
    """(family, args, *rest) -> one param (method, args, *rest) per spelling of the family."""
    out = []
    for family, args, *rest in cases:
        for method in FAMILIES[family]:
            out.append(pytest.param(method, args, *rest, id=f"{method}{ids(args)}"))
    return out


NOT_LOGGED_IN_BAD_ARGS = _expand(
    [
        ("setState", ("_bad", "USER", {"k": 1})),
        ("setState", (None, None, None)),
        ("getState", (None, "_bad", "USER")),
        ("whoNow", (None, 1, 5)),
        ("whoNow", ("room", "MESSAGE", {"page": "yourBookMark"})),
        ("whereNow", (None,)),
        ("removeState", (None, None, 5)),
        ("subscribe", (None, 5)),
        ("unsubscribe", ("_bad",)),
        ("join", ("stage", 5)),
    ]
)

SIGNATURE_ORDER = _expand(
    [
        ("getState", (None, "_bad", "USER"), -10006),
        ("getState", ("a/b", "_bad", "USER"), -10006),
        ("getState", ("bob", "_bad", "USER"), -10008),
        ("getState", ("bob", None, None), -10008),
        ("getState", ("bob", "room", "USER"), -10019),
        ("getState", ("ghost", "room", "USER"), -10019),
        ("setState", ("_bad", "USER", {"k": 1}), -10008),
        ("setState", ("_bad", "USER", 5), -10008),
        ("setState", ("room", "USER", {"k": 1}), -10019),
        ("setState", ("room", "USER", 5), -10019),
        ("whoNow", ("_bad", "USER", 5), -10008),
        ("whoNow", ("room", "USER", 5), -10019),
        ("whoNow", ("room", "USER", {"page": "bogus"}), -10019),
        ("removeState", ("_bad", "USER", 5), -10008),
        ("removeState", ("room", "USER", {"states": [""]}), -10019),
        ("removeState", ("room", "USER", 5), -10019),
        ("subscribe", ("_bad", 5), -10008),
        ("subscribe", (None, {"withPrescence": True}), -10008),
    ]
)

WRONG_TYPES = _expand(
    [
        ("getState", (123, "room", "MESSAGE"), -10006),
        ("getState", (b"bob", "room", "MESSAGE"), -10006),
        ("whereNow", (123,), -10006),
        ("whereNow", (None,), -10006),
        ("getState", ("bob", b"room", "MESSAGE"), -10008),
        ("setState", (123, "MESSAGE", {}), -10008),
        ("whoNow", (["room"], "MESSAGE"), -10008),
        ("removeState", (None, "MESSAGE"), -10008),
        ("subscribe", (123,), -10008),
        ("unsubscribe", (123,), -10008),
        ("createStreamChannel", (123,), -10008),
        ("setState", ("room", 123, {}), -10019),
        ("setState", ("room", "MESSAGE", 123), -10014),
        ("whoNow", ("room", "MESSAGE", 123), -10014),
        ("removeState", ("room", "MESSAGE", 123), -10014),
        ("subscribe", ("room", 123), -10014),
        ("join", ("stage", 123), -10014),
    ]
)

TYPE_BEFORE_VALUE = _expand(
    [
        ("whoNow", ("room", "MESSAGE", {"includedUserId": False, "includedState": "yes"}), -10014),
        ("whoNow", ("room", "MESSAGE", {"includedState": "yes", "includedUserId": False}), -10014),
        ("whoNow", ("room", "MESSAGE", {"page": "bogus", "includedState": 1}), -10014),
        ("whoNow", ("room", "MESSAGE", {"page": "bogus", "withPrescence": True}), -10014),
        ("whoNow", ("room", "MESSAGE", {"includedUserId": False, "page": 7}), -10014),
        ("removeState", ("room", "MESSAGE", {"states": ["k" * 65], "bogus": 1}), -10014),
        ("removeState", ("room", "MESSAGE", {"bogus": 1, "states": ["k" * 65]}), -10014),
        ("removeState", ("room", "MESSAGE", {"states": "k" * 65}), -10014),
    ]
)

ARGS_BEFORE_LIFECYCLE = _expand(
    [
        ("unsubscribe", ("_x",), -10008),
        ("unsubscribe", ("a.b",), -10008),
        ("unsubscribe", (None,), -10008),
        ("getState", ("ghost", "nowhere", "USER"), -10019),
        ("getState", ("a/b", "nowhere", "MESSAGE"), -10006),
    ]
)


class TestErrorPrecedence:
    """semantics.md "Errors", last paragraph: the first fault in this order wins.

    not logged in / not connected; then the arguments in signature order, each fully
    (type, then value; a wrong-typed user id / channel name gets its own code, other
    wrong types -10014); then lifecycle; then state limits (-13005 before -13004).
    """

    @pytest.mark.parametrize(("method", "args"), NOT_LOGGED_IN_BAD_ARGS)
    async def test_not_logged_in_beats_bad_arguments(
        self, emu: Emulator, method: str, args: tuple[Any, ...]
    ) -> None:
        world = await World.make(emu)
        dave = emu.client("dave")
        world.add(dave)
        await fails(world, dave, method, *args, code=-10002)
        await world["alice"].logout()
        await fails(world, world["alice"], method, *args, code=-10002)

    @pytest.mark.parametrize(("method", "args"), NOT_LOGGED_IN_BAD_ARGS)
    async def test_not_connected_beats_bad_arguments(
        self, emu: Emulator, method: str, args: tuple[Any, ...]
    ) -> None:
        world = await World.make(emu)
        emu.disconnect("alice")
        await fails(world, world["alice"], method, *args, code=-10025)

    @pytest.mark.parametrize(("method", "args", "code"), SIGNATURE_ORDER)
    async def test_arguments_in_signature_order(
        self, emu: Emulator, method: str, args: tuple[Any, ...], code: int
    ) -> None:
        world = await World.make(emu)
        await fails(world, world["alice"], method, *args, code=code)

    @pytest.mark.parametrize(("method", "args", "code"), WRONG_TYPES)
    async def test_wrong_type_codes(
        self, emu: Emulator, method: str, args: tuple[Any, ...], code: int
    ) -> None:
        """A wrong-typed user id / channel name / channel type gets its field's code."""
        world = await World.make(emu)
        await fails(world, world["alice"], method, *args, code=code)

    @pytest.mark.parametrize(("method", "args", "code"), TYPE_BEFORE_VALUE)
    async def test_type_before_value_within_one_argument(
        self, method: str, args: tuple[Any, ...], code: int
    ) -> None:
        emu = Emulator(EmulatorConfig(page_size=1), strict=True)
        world = await World.make(emu)
        await fails(world, world["alice"], method, *args, code=code)

    @pytest.mark.parametrize(("method", "args", "code"), ARGS_BEFORE_LIFECYCLE)
    async def test_arguments_before_lifecycle(
        self, emu: Emulator, method: str, args: tuple[Any, ...], code: int
    ) -> None:
        world = await World.make(emu)
        await fails(world, world["alice"], method, *args, code=code)

    async def test_bad_options_before_channel_limit(self, emu: Emulator) -> None:
        world = await World.make(emu)
        await TestChannelInstanceExceedLimitation.fill(world, "subscribe")
        await TestChannelInstanceExceedLimitation.fill(world, "join")
        alice = world["alice"]
        await fails(world, alice, "subscribe", "lobby", {"withPrescence": True}, code=-10014)
        await fails(world, alice, "join", "lobby", {"beQuiet": "yes"}, code=-10014)
        await fails(world, alice, "subscribe", "_bad", code=-10008)
        await fails(world, alice, "subscribe", "lobby", code=-11005)

    async def test_bad_options_before_full_channel(self) -> None:
        emu = Emulator(EmulatorConfig(max_channel_users=2), strict=True)
        world = await World.make(emu, enter=("bob", "carol"))
        alice = world["alice"]
        await fails(world, alice, "subscribe", "room", 5, code=-10014)
        await fails(world, alice, "join", "stage", {"withPresence": 1}, code=-10014)
        await fails(world, alice, "subscribe", "room", code=-11021)
        emu.check_invariants()

    async def test_lifecycle_before_state_limits(self, emu: Emulator) -> None:
        """Whether the user is in the channel decides first: the cache limit (-13004)
        applies only off-channel; a failed entry keeps the cache for later."""
        world = await World.make(emu)
        alice = world["alice"]
        await TestPresenceCachedTooManyStates.fill_cache(world, "setState")  # 100 cached
        await alice.presence.setState("room", "MESSAGE", {"fine": "v"})  # present: no -13004
        await TestChannelInstanceExceedLimitation.fill(world, "subscribe")
        world.watched.append(("c0", "MESSAGE"))
        await fails(world, alice, "subscribe", "c0", code=-11005)
        await alice.unsubscribe("ch0")
        await alice.subscribe("c0")
        assert many(25) == emu.state_of("alice", "c0", "MESSAGE")

    @pytest.mark.parametrize("method", SET_STATE)
    async def test_count_overflow_before_cache_overflow(self, emu: Emulator, method: str) -> None:
        world = await World.make(emu)
        alice = world["alice"]
        for i in range(3):
            await invoke(alice, method, f"c{i}", "MESSAGE", many(30))  # 90 cached
        # 33 keys in one channel AND 123 cached: -13005 wins
        await fails(world, alice, method, "c9", "MESSAGE", many(33), code=-13005)
        await invoke(alice, method, "c3", "MESSAGE", many(10))  # 100 cached
        # c0 has 30: 3 new keys make 33 (-13005) and 103 cached (-13004)
        await fails(world, alice, method, "c0", "MESSAGE", many(3, "new"), code=-13005)
        await fails(world, alice, method, "c0", "MESSAGE", many(2, "new"), code=-13004)

    @pytest.mark.parametrize("method", WHO_NOW)
    async def test_bookmark_in_a_count_only_call(self, method: str) -> None:
        emu = Emulator(EmulatorConfig(page_size=1), strict=True)
        world = await World.make(emu)
        alice = world["alice"]
        page = (await alice.presence.whoNow("room", "MESSAGE")).next_page
        assert page
        options = {"includedUserId": False, "page": page}
        await fails(world, alice, method, "room", "MESSAGE", options, code=-13003, shows=(page,))
