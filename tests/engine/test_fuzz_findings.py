"""Issue 15: what the seeded hostile-API fuzz found (tests/reliability/test_hostile_fuzz.py).

One regression test per finding fixed, in the style of test_hardening_api.py: a value
whose own methods raise is never asked (ids, numbers and option flags are read as plain
values, error details never call its ``__repr__``), and a login or stream join that fails
on the caller's own unreadable object never leaves its link ``CONNECTING``; a token
or a listener is never asked either (JS compares listeners by identity).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from rtm_emulator import (
    ChannelType,
    ConfigError,
    Emulator,
    ErrorCode,
    LinkState,
    PresenceEvent,
    RtmError,
)
from rtm_emulator._config import DEFAULT_APP_ID
from rtm_emulator._errors import SdkInvalidCharacterError, SdkTypeError
from rtm_emulator._ids import check_app_id, check_channel_type, show
from rtm_emulator._scripting import drive
from rtm_emulator._validate import js_truthy, plain_value

from ..reliability.hostile import Booby, LyingFloat, LyingInt, Masked

# ------------------------------------------------------------------ hostile objects


class Asked(Exception):
    """Raised by a hostile object's own method: the emulator must never call it."""


def _asked(name: str) -> Callable[..., Any]:
    def method(self: object, *args: object, **kwargs: object) -> Any:
        raise Asked(f"{type(self).__name__}.{name}")

    return method


class Unreadable(Mapping[str, Any]):
    """An options mapping that cannot be read: the caller's own error comes out."""

    get = _asked("get")
    __getitem__ = _asked("__getitem__")
    __iter__ = _asked("__iter__")
    __len__ = _asked("__len__")
    __contains__ = _asked("__contains__")


class UnreadableList(list[Any]):
    """A list that cannot be read (as a token: the SDK's truthiness reads nothing)."""

    __len__ = _asked("__len__")
    __iter__ = _asked("__iter__")
    __bool__ = _asked("__bool__")


def _presence(events: list[Any]) -> list[PresenceEvent]:
    return [e for e in events if isinstance(e, PresenceEvent)]


# ------------------------------------------------------ 1. error details never ask


@pytest.mark.parametrize(
    "value",
    [Masked("x"), LyingInt(3), LyingFloat(0.5), Booby(), 10**5000, [Booby()]],
    ids=["str-subclass", "int-subclass", "float-subclass", "object", "huge-int", "list"],
)
def test_show_never_asks_the_value(value: object) -> None:
    """``show`` (every error detail) survives a raising ``__repr__`` and an int over
    Python's digit limit: the check fails with its own error, not with the value's."""
    text = show(value)
    assert isinstance(text, str)
    assert text.startswith(("<", "Masked(", "LyingInt(", "LyingFloat("))


def test_a_str_subclass_app_id_and_channel_type_fail_the_sdk_way() -> None:
    """-10003 / -10019, not the subclass's error (``show`` and the ``"USER"`` hint
    asked it)."""
    with pytest.raises(RtmError) as err:
        check_app_id(Masked("x"))
    assert ErrorCode.INVALID_APP_ID == err.value.error_code
    with pytest.raises(RtmError) as err:
        check_channel_type("whoNow", Masked("USER"))
    assert ErrorCode.INVALID_CHANNEL_TYPE == err.value.error_code
    assert "USER channels have no presence" in err.value.detail
    with pytest.raises(RtmError) as err:
        Emulator().user("bob", app_id=Masked("x"))
    assert ErrorCode.INVALID_APP_ID == err.value.error_code


def test_a_rejected_option_names_the_options_without_asking_them() -> None:
    """A key given both ways is a ConfigError even when a value's repr raises."""
    emu = Emulator()
    client = emu.client("bob")
    drive(client.login())
    with pytest.raises(ConfigError) as err:
        drive(client.subscribe("room", {"withPresence": Booby()}, with_presence=True))
    assert "given twice" in err.value.detail
    assert [] == emu.user_channels("bob")


# ------------------------------------------------- 2. numbers read as plain values


def test_a_number_subclass_duration_is_its_plain_value() -> None:
    """``advance`` / ``set_delivery_latency`` read an int / float subclass as its value;
    a non-number whose repr raises is a ConfigError naming it by type."""
    emu = Emulator()
    start = emu.now_ms
    emu.advance(LyingFloat(0.5))
    emu.advance(LyingInt(2))
    assert start + 2_500 == emu.now_ms
    emu.set_delivery_latency("bob", LyingFloat(0.25))
    for bad in (Booby(), LyingFloat(float("nan")), LyingInt(-1)):
        with pytest.raises(ConfigError) as err:
            emu.advance(bad)  # type: ignore[arg-type]
        assert "seconds must be" in err.value.detail
    assert start + 2_500 == emu.now_ms


def test_number_subclass_state_values_are_stored_as_plain_numbers() -> None:
    """R-S1: a state value that is an int / float subclass is stored as its plain value
    (``_freeze`` used to call its ``__int__`` / ``__float__``)."""
    emu = Emulator(strict=True)
    bob = emu.user("bob").subscribe("room")
    bob.set_state("room", "MESSAGE", {"n": LyingInt(3), "f": LyingFloat(0.5), "l": [LyingInt(1)]})
    state = emu.state_of("bob", "room", "MESSAGE")
    assert {"n": 3, "f": 0.5, "l": [1]} == state
    assert (int, float, int) == (type(state["n"]), type(state["f"]), type(state["l"][0]))
    with pytest.raises(SdkTypeError):
        bob.set_state("room", "MESSAGE", {"f": LyingFloat(float("inf"))})
    assert {"n": 3, "f": 0.5, "l": [1]} == emu.state_of("bob", "room", "MESSAGE")


def test_remove_state_reads_number_subclass_entries_as_plain_numbers() -> None:
    """R-S3: the duplicate check (JS ``new Set``) and the key check see the plain value:
    -13010 for a repeated number, -13006 for a number key, never the subclass's error."""
    emu = Emulator()
    bob = emu.user("bob").subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})
    with pytest.raises(RtmError) as err:
        bob.remove_state("room", "MESSAGE", [LyingFloat(0.5), 0.5])
    assert ErrorCode.PRESENCE_STATE_DUPLICATE_KEY == err.value.error_code
    with pytest.raises(RtmError) as err:
        bob.remove_state("room", "MESSAGE", [LyingInt(7)])
    assert ErrorCode.PRESENCE_INVALID_STATE_KEY == err.value.error_code
    # an int past a double's range is JS's Infinity (it used to be an OverflowError)
    with pytest.raises(RtmError) as err:
        bob.remove_state("room", "MESSAGE", [10**400, 10**401])
    assert ErrorCode.PRESENCE_STATE_DUPLICATE_KEY == err.value.error_code
    with pytest.raises(RtmError) as err:
        bob.remove_state("room", "MESSAGE", [-(10**400)])
    assert ErrorCode.PRESENCE_INVALID_STATE_KEY == err.value.error_code
    assert {"seat": "3"} == emu.state_of("bob", "room", "MESSAGE")


# ------------------------------------------------ 3. JS truthiness asks nothing


def test_js_truthy_and_plain_value() -> None:
    assert [False, False, False, False, False] == [
        js_truthy(v) for v in (None, False, LyingInt(0), LyingFloat(float("nan")), Masked(""))
    ]
    assert [True, True, True, True, True] == [
        js_truthy(v) for v in (Booby(), [], {}, LyingFloat(0.5), Masked("0"))
    ]
    assert (str, int, float) == tuple(
        type(plain_value(v)) for v in (Masked("a"), LyingInt(1), LyingFloat(1.0))
    )


def test_subscribe_flags_are_read_by_js_truthiness_without_asking_them() -> None:
    """``withPresence`` / ``beQuiet`` (R-L1) as JS reads them: ``0`` is false, an object
    is true whatever its ``__bool__`` says."""
    emu = Emulator(strict=True)
    alice = emu.user("alice").subscribe("room")
    heard: list[Any] = []
    alice.client.add_event_listener("presence", heard.append)
    bob = emu.client("bob")
    drive(bob.login())
    drive(bob.subscribe("room", {"withPresence": LyingInt(0), "beQuiet": Booby()}))
    assert ["alice"] == emu.online_users("room", "MESSAGE")  # quiet: no document shown
    assert [] == _presence(heard)
    assert [(ChannelType.MESSAGE, "room")] == emu.user_channels("bob")


def test_a_page_is_read_as_its_plain_string_or_by_js_truthiness() -> None:
    """R-Q3: ``page`` as a str subclass is decoded as its characters; an object that is
    not a string is truthy and fails as JS ``atob("[object Object]")`` does."""
    emu = Emulator()
    for uid in ("amy", "bob", "cy"):
        emu.user(uid).subscribe("room")
    carl = emu.client("carl")
    drive(carl.login())
    page = drive(carl.presence.get_online_users("room", "MESSAGE", page=Masked("Ym9i")))
    assert ["cy"] == [u.user_id for u in page.occupants]  # strictly after "bob"
    with pytest.raises(SdkInvalidCharacterError):
        drive(carl.presence.get_online_users("room", "MESSAGE", page=Booby()))  # type: ignore[arg-type]


# ------------------------------------------------ 4. ids compared as plain strings


def test_get_state_and_where_now_compare_user_ids_as_plain_strings() -> None:
    """R-Q6: the caller's own id in a str subclass takes the own route (the cache, which
    works while the link is down); ``whereNow`` of a non-string is -10006."""
    emu = Emulator(strict=True)
    alice = emu.user("alice").subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})
    alice.disconnect()
    client = alice.client
    own = drive(client.presence.get_state(Masked("alice"), "room", "MESSAGE"))
    assert {"seat": "3"} == dict(own.states)
    with pytest.raises(RtmError) as err:
        drive(client.presence.get_state(Masked("bob"), "room", "MESSAGE"))
    assert ErrorCode.NOT_CONNECTED == err.value.error_code
    alice.reconnect()
    emu.run_until_idle()
    with pytest.raises(RtmError) as err:
        drive(client.presence.where_now(Booby()))  # type: ignore[arg-type]
    assert ErrorCode.INVALID_USER_ID == err.value.error_code
    assert 1 == drive(client.presence.where_now(Masked(""))).total_channel


def test_a_str_subclass_event_name_is_its_characters() -> None:
    """R-C5: ``addEventListener(Masked("presence"), f)`` registers ``f`` for presence
    (``str()`` used to call the subclass's ``__str__``); removing it the same way works."""
    emu = Emulator()
    heard: list[Any] = []
    alice = emu.user("alice").subscribe("room")
    alice.client.add_event_listener(Masked("presence"), heard.append)
    emu.user("bob").subscribe("room")
    assert ["bob"] == [e.publisher for e in _presence(heard)]
    alice.client.removeEventListener(Masked("presence"), heard.append)
    emu.user("carl").subscribe("room")
    assert ["bob"] == [e.publisher for e in _presence(heard)]


# --------------------------------------- 5. a failed login / join is never stuck


@pytest.mark.parametrize(
    ("call", "raised"),
    [
        # an array token is truthy and sliceable in JS: the format check refuses it
        # (-10005) without reading it
        (lambda c: c.login(token=UnreadableList()), RtmError),
        (lambda c: c.login(Unreadable()), Asked),
    ],
    ids=["unreadable-token", "unreadable-options"],
)
def test_a_login_failing_on_the_callers_object_reports_failed(
    call: Callable[[Any], Any], raised: type[Exception]
) -> None:
    """R-T4: the caller's own exception (or the SDK's refusal) propagates, and the link
    goes FAILED as for any refused login (it used to stay CONNECTING, and every later
    login was -10017)."""
    emu = Emulator(strict=True)
    client = emu.client("bob")
    links: list[Any] = []
    client.add_event_listener("linkState", links.append)
    with pytest.raises(raised):
        drive(call(client))
    assert LinkState.FAILED == client.link_state
    assert ["CONNECTING", "FAILED"] == [e.current_state.value for e in links]
    drive(client.login())
    assert LinkState.CONNECTED == client.link_state
    emu.check_invariants()


@pytest.mark.parametrize(
    ("options", "raised"),
    [(Unreadable(), Asked), ({"token": UnreadableList()}, RtmError)],  # -10005, unread
    ids=["options", "token"],
)
def test_a_stream_join_failing_on_the_callers_object_reports_failed(
    options: Any, raised: type[Exception]
) -> None:
    """R-T4: the channel's link goes FAILED (it used to stay CONNECTING: every later
    join of the channel was -10017)."""
    emu = Emulator(strict=True)
    client = emu.client("bob")
    drive(client.login())
    stage = client.create_stream_channel("stage")
    with pytest.raises(raised):
        drive(stage.join(options))
    assert [] == emu.online_users("stage", "STREAM")
    drive(stage.join())
    assert ["bob"] == emu.online_users("stage", "STREAM")
    emu.check_invariants()


# ------------------------------------------------------------- 6. messaging


class LyingBytes(bytes):
    """A ``bytes`` that says it holds one byte, converts to ``b"x"`` and cannot be
    compared or iterated."""

    __slots__ = ()

    def __len__(self) -> int:
        return 1

    def __bytes__(self) -> bytes:
        return b"x"

    __iter__ = _asked("__iter__")
    __eq__ = _asked("__eq__")  # type: ignore[assignment]
    __hash__ = _asked("__hash__")  # type: ignore[assignment]
    __getitem__ = _asked("__getitem__")  # type: ignore[assignment]


class LyingBytearray(bytearray):
    __len__ = LyingBytes.__len__
    __iter__ = _asked("__iter__")
    __getitem__ = _asked("__getitem__")  # type: ignore[assignment]


def _room(emu: Emulator) -> tuple[Any, list[Any]]:
    """A logged-in client subscribed to "room" (with messages) and what it hears."""
    client = emu.client("bob")
    drive(client.login())
    drive(client.subscribe("room"))
    heard: list[Any] = []
    client.add_event_listener("message", heard.append)
    return client, heard


def _released() -> memoryview:
    view = memoryview(b"abc")
    view.release()
    return view


def test_a_channel_type_option_is_never_compared_through_its_own_eq() -> None:
    """R-M1 step 2: a truthy ``channelType`` that is not a string is -10019 (its
    ``__eq__`` used to be asked before the ``isinstance`` check)."""
    client, heard = _room(Emulator(strict=True))
    with pytest.raises(RtmError) as caught:
        drive(client.publish("room", "hi", {"channelType": Booby()}))
    assert ErrorCode.INVALID_CHANNEL_TYPE == caught.value.error_code
    with pytest.raises(RtmError):
        drive(client.publish("room", "hi", channel_type=Booby()))  # type: ignore[arg-type]
    assert [] == heard


@pytest.mark.parametrize("cls", [LyingBytes, LyingBytearray], ids=["bytes", "bytearray"])
def test_a_bytes_subclass_message_is_measured_and_sent_as_its_stored_bytes(cls: type) -> None:
    """R-M1 step 6: 40000 stored bytes are over 32768 whatever ``__len__`` says (it used
    to pass as 1 byte and be delivered as its ``__bytes__``, ``b"x"``)."""
    client, heard = _room(Emulator(strict=True))
    with pytest.raises(RtmError) as caught:
        drive(client.publish("room", cls(b"z" * 40_000)))
    assert ErrorCode.CHANNEL_MESSAGE_LENGTH_EXCEED_LIMITATION == caught.value.error_code
    drive(client.publish("room", cls(b"zz")))
    assert [b"zz"] == [e.message for e in heard]
    assert [bytes] == [type(e.message) for e in heard]


def test_a_bytes_subclass_topic_message_is_measured_and_sent_as_its_stored_bytes() -> None:
    """R-M18: over 1024 stored bytes is -11010; what is sent is what is stored."""
    emu = Emulator(strict=True)
    amy, bob = emu.client("amy"), emu.client("bob")
    heard: list[Any] = []
    bob.add_event_listener("message", heard.append)
    streams = []
    for client in (amy, bob):
        drive(client.login())
        stream = client.create_stream_channel("stage")
        drive(stream.join())
        streams.append(stream)
    drive(streams[0].join_topic("news"))
    drive(streams[1].subscribe_topic("news"))
    with pytest.raises(RtmError) as caught:
        drive(streams[0].publish_topic_message("news", LyingBytes(b"z" * 1025)))
    assert ErrorCode.CHANNEL_MESSAGE_LENGTH_EXCEED_LIMITATION == caught.value.error_code
    drive(streams[0].publish_topic_message("news", LyingBytes(b"zz")))
    assert [b"zz"] == [e.message for e in heard]


def test_a_released_memoryview_is_an_empty_byte_array() -> None:
    """A released view is the Python analogue of a view of a detached ``ArrayBuffer``:
    no bytes (it used to raise a raw ``ValueError`` out of ``publish`` and
    ``publishTopicMessage``)."""
    emu = Emulator(strict=True)
    client, heard = _room(emu)
    drive(client.publish("room", _released()))
    assert [b""] == [e.message for e in heard]
    stage = client.create_stream_channel("stage")
    drive(stage.join())
    drive(stage.join_topic("news"))
    assert "news" == drive(stage.publish_topic_message("news", _released())).topic_name
    emu.check_invariants()


def test_the_server_routes_history_get_messages_to_the_clients_history() -> None:
    """``history.getMessages`` over the server (it used to look for ``getMessages`` on
    the client, not on ``rtm.history``: an internal error, -32603)."""
    import json

    from rtm_emulator.server import Hub
    from rtm_emulator.server._protocol import Connection

    hub = Hub()
    conn = Connection(lambda frame: None, lambda code, reason: None)
    replies = []
    for i, (method, params) in enumerate(
        [
            ("hello", {"userId": "bob"}),
            ("login", []),
            ("publish", ["room", "hi", {"storeInHistory": True}]),
            ("history.getMessages", ["room", "MESSAGE"]),
            ("history.getMessages", ["room", "STREAM"]),
        ]
    ):
        frame = json.dumps({"id": i, "method": method, "params": params})
        outcome = hub.execute(conn, hub.parse(frame))
        assert outcome.reply is not None
        replies.append(json.loads(outcome.reply))
    listed = replies[3]
    assert "error" not in listed and "exception" not in listed, listed
    assert ["hi"] == [m["message"] for m in listed["result"]["messageList"]]
    assert ErrorCode.INVALID_CHANNEL_TYPE == replies[4]["error"]["errorCode"]


def test_a_history_bound_past_a_double_is_infinity() -> None:
    """R-M10: a ``start`` / ``end`` int too big for a double is JS's ``Infinity`` (it
    used to raise a raw ``OverflowError``): no bound, or a range over a day (-15002)."""
    emu = Emulator(strict=True)
    amy = emu.client("amy")
    drive(amy.login())
    emu.advance(1)
    drive(amy.publish("room", "one", store_in_history=True))
    for bounds in ({"start": 10**400}, {"end": -(10**400)}):
        listed = drive(amy.history.get_messages("room", "MESSAGE", bounds))
        assert ["one"] == [m.message for m in listed.message_list]
    with pytest.raises(RtmError) as caught:
        drive(amy.history.get_messages("room", "MESSAGE", {"start": 10**400, "end": 5}))
    assert ErrorCode.HISTORY_INVALID_TIMESTAMP == caught.value.error_code


def test_a_kicked_client_logging_in_again_has_no_write_left_to_sync() -> None:
    """R-T4, R-S4: a state written while the link was down, then a kick, then the
    client's own login again: it re-enters with its cached state, and nothing is left
    marked to sync (a connected client with a pending write broke the invariants)."""
    emu = Emulator(strict=True)
    carol = emu.client("carol")
    drive(carol.login())
    drive(carol.subscribe("room"))
    emu.disconnect("carol")
    drive(carol.presence.set_state("room", "MESSAGE", {"mood": "x"}))
    other = emu.client("carol")
    drive(other.login())  # kicks the first: FAILED, it keeps its channels
    assert LinkState.FAILED == carol.link_state
    drive(other.logout())
    drive(carol.login())
    assert LinkState.CONNECTED == carol.link_state
    assert {"mood": "x"} == emu.state_of("carol", "room", "MESSAGE")
    emu.check_invariants()


# ---------------------------------------- 7. harness arguments in error details


def test_at_reads_a_float_subclass_as_its_value() -> None:
    """The timer's label shows the due time, not the caller's number (it used to
    format it with ``{:.3f}``, asking its ``__format__``)."""
    emu = Emulator()
    emu.at(LyingFloat(1.0), lambda: None)
    start = emu.config.start_time_ms
    assert [(1000, "scripted <lambda> at +1.000s")] == [
        (due - start, label) for due, label in emu.pending_timers()
    ]


def test_run_until_in_the_past_names_a_float_subclass_without_asking_it() -> None:
    emu = Emulator()
    emu.advance(5)
    with pytest.raises(ConfigError):
        emu.run_until(LyingFloat(1.0))


def test_a_bad_emulator_config_is_a_config_error_whatever_its_repr() -> None:
    with pytest.raises(ConfigError):
        Emulator(Booby())  # type: ignore[arg-type]


def test_a_bad_available_flag_is_a_config_error_whatever_its_repr() -> None:
    with pytest.raises(ConfigError):
        Emulator().set_presence_available("room", "MESSAGE", Booby())  # type: ignore[arg-type]


def test_a_bad_client_config_is_a_config_error_whatever_its_repr() -> None:
    with pytest.raises(ConfigError):
        Emulator().client("bob", config=Booby())  # type: ignore[arg-type]


def test_a_huge_journal_bound_is_a_config_error() -> None:
    """Past ``sys.maxsize`` no ``deque`` can be bounded by it (it used to raise a raw
    ``OverflowError``); ``sys.maxsize`` itself is a bound."""
    import sys

    with pytest.raises(ConfigError):
        Emulator(journal_max_entries=2**63)
    assert 0 == len(Emulator(journal_max_entries=sys.maxsize).journal)


def test_a_config_number_subclass_is_clamped_as_its_value() -> None:
    """R-C3 "nothing here raises": ``presenceTimeout`` 5 in an int subclass is 5, a
    ``heartbeatInterval`` of 2000 in a float subclass is clamped to 1800."""
    config = {"presenceTimeout": LyingInt(5), "heartbeatInterval": LyingFloat(2000.0)}
    client = Emulator().client("bob", config=config)
    assert 5 == client.config.presence_timeout
    assert 1800 == client.config.heartbeat_interval
    assert type(client.config.heartbeat_interval) in (int, float)  # a plain number


# --------------------------------------- 8. findings in files others are changing


def test_remove_event_listener_never_asks_the_listener() -> None:
    """The docstring: never raises; JS compares listeners by identity."""

    class EqBomb:
        __eq__ = _asked("__eq__")  # type: ignore[assignment]
        __hash__ = _asked("__hash__")  # type: ignore[assignment]

        def __call__(self, event: object) -> None:
            return None

    client = Emulator().client("bob")
    client.add_event_listener("presence", print)
    client.remove_event_listener("presence", EqBomb())


def test_a_str_subclass_token_is_its_characters() -> None:
    """R-C2: the app id as a token in a str subclass passes (``token == app_id`` asked
    the subclass)."""
    client = Emulator().client("bob")
    drive(client.login(token=Masked(DEFAULT_APP_ID)))
    assert LinkState.CONNECTED == client.link_state


def test_an_object_token_fails_the_sdk_way() -> None:
    """R-X3: a truthy non-string token is the SDK's ``TypeError`` (JS ``!token`` and the
    detail's ``String(token)`` never run the object's code)."""
    client = Emulator().client("bob")
    with pytest.raises(SdkTypeError):
        drive(client.login(token=Booby()))  # type: ignore[arg-type]


def test_a_cyclic_page_fails_as_atob_does() -> None:
    """JS ``String([x, self])`` joins a cycle as ``""``: ``atob("x,")`` then fails."""
    client = Emulator().client("bob")
    drive(client.login())
    page: list[Any] = ["x"]
    page.append(page)
    with pytest.raises(SdkInvalidCharacterError):
        drive(client.presence.who_now("room", "MESSAGE", page=page))  # type: ignore[arg-type]


def test_a_huge_int_page_reads_as_infinity() -> None:
    """JS has no such number (it is ``Infinity``): the page is ``atob("Infinity")``."""
    emu = Emulator()
    for uid in ("amy", "bob"):
        emu.user(uid).subscribe("room")
    client = emu.client("carl")
    drive(client.login())
    expected = drive(client.presence.who_now("room", "MESSAGE", page="Infinity"))
    got = drive(client.presence.who_now("room", "MESSAGE", page=10**400))  # type: ignore[arg-type]
    assert expected == got


def test_a_bound_method_is_removed_by_another_access_without_asking_its_object() -> None:
    """R-C5: ``remove_event_listener("presence", self.on_presence)`` removes what
    ``add_event_listener`` added (each access makes a new bound method), and comparing
    them asks ``self`` nothing."""

    class View:
        __eq__ = _asked("__eq__")  # type: ignore[assignment]
        __hash__ = _asked("__hash__")  # type: ignore[assignment]

        def __init__(self) -> None:
            self.seen: list[str] = []

        def on_presence(self, event: PresenceEvent) -> None:
            self.seen.append(event.publisher)

    emu = Emulator()
    view = View()
    alice = emu.user("alice").subscribe("room")
    alice.client.add_event_listener("presence", view.on_presence)
    emu.user("bob").subscribe("room")
    alice.client.remove_event_listener("presence", view.on_presence)
    emu.user("carl").subscribe("room")
    assert ["bob"] == view.seen
