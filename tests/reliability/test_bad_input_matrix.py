"""The bad-input matrix: every public entry point × every argument × every kind of bad value.

semantics.md "Errors" (the table, the charset, the precedence paragraph: lifecycle
-10002 / -10025 first, then the arguments in signature order), api.md "Errors", and
docs/decisions.md (options are closed objects, -10014; harness misuse is ``ConfigError``,
-10014 and a ``ValueError``; ``emu.client`` fails with operation ``"RTM"``;
``createStreamChannel`` checks its name before login; ``logout`` always succeeds).

``tests/engine/test_errors.py`` checks each row of the error table with hand-picked
values; this file is the exhaustive, generated matrix and the "nothing but ``RtmError``"
guarantee:

1. :func:`test_bad_input` - one declarative :class:`Row` per (entry point, argument, bad
   value) or (entry point, lifecycle state): the exact code and ``operation``, a reason
   naming the offending value, and *nothing changed*: a full snapshot of a small,
   populated world (:class:`World`) and every recorder are compared before and after.
2. :func:`test_junk_never_raises_anything_but_rtm_error` - Hypothesis throws junk at
   every entry point; a call either succeeds or raises ``RtmError`` (and then changed
   nothing).
3. :func:`test_every_matrix_reason_is_well_formed` - the reason of every error the
   matrix raises starts with the table's text for its code; ``to_dict()`` has exactly
   the SDK's ``ErrorInfo`` keys.

The emulator's coroutines never suspend, so calls are driven synchronously (:func:`run`)
instead of through an event loop: that keeps the few thousand rows fast.
"""

from __future__ import annotations

import base64
import inspect
import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtm_emulator import (
    ChannelType,
    ConfigError,
    Emulator,
    EmulatorConfig,
    ErrorCode,
    RTMClient,
    RTMConfig,
    RtmError,
)
from rtm_emulator._errors import ERROR_TABLE
from rtm_emulator._paging import _mac  # white box: forge bookmarks that carry a valid MAC

from ..conftest import Recorder

E = ErrorCode

# ============================================================================ the world

APP = "emulator"
OTHER_APP = "other-app"
#: page_size=1 so that every populated channel issues bookmarks; max_channel_users=4 so
#: that ``room`` (MESSAGE) and ``stage`` (STREAM) are full.
CONFIG = EmulatorConfig(page_size=1, max_channel_users=4)
#: (app, channel name, channel type) the snapshot watches.
WATCHED = [
    (APP, "room", "MESSAGE"),
    (APP, "room", "STREAM"),
    (APP, "stage", "STREAM"),
    (APP, "stage", "MESSAGE"),
    (APP, "den", "MESSAGE"),
    (APP, "lobby", "MESSAGE"),
    (APP, "hall", "MESSAGE"),
    (APP, "porch", "STREAM"),
    (APP, "attic", "MESSAGE"),
    (APP, "attic", "STREAM"),
    (OTHER_APP, "room", "MESSAGE"),
]
#: (app, user id) the snapshot watches ("nobody" never had a client).
USERS = [
    (APP, u) for u in ("alice", "bob", "carol", "dan", "tina", "kim", "gone", "never", "nobody")
] + [(OTHER_APP, "oscar")]
#: lifecycle callers -> (user id, the code every network call of theirs gets)
LIFECYCLE = {
    "never": ("never", E.NOT_LOGIN),  # created, never logged in
    "gone": ("gone", E.NOT_LOGIN),  # logged in, then out
    "kicked": ("kim", E.NOT_LOGIN),  # the same user id logged in from a second client
    "offline": ("dan", E.NOT_CONNECTED),  # emu.disconnect, server has not noticed yet
    "lapsed": ("tina", E.NOT_CONNECTED),  # emu.disconnect, then the server timed it out
}


def run(value: Any) -> Any:
    """The result of an emulator call; coroutines are driven to completion synchronously."""
    if not inspect.iscoroutine(value):
        return value
    try:
        value.send(None)
    except StopIteration as stop:
        return stop.value
    value.close()
    raise AssertionError("an emulator coroutine suspended")


def keys(prefix: str, n: int) -> dict[str, str]:
    """``n`` distinct state keys."""
    return {f"{prefix}{i}": "v" for i in range(n)}


class World:
    """A small populated service: every lifecycle state, states, caches, pending timers.

    - ``tina`` ("lapsed") subscribed ``room``, lost her network and was timed out.
    - ``alice`` (the default caller) is in ``room`` and ``stage`` with state and has 96
      cached keys (``lobby``, ``hall``: 32 each, MESSAGE; ``porch``: 32, STREAM).
    - ``bob`` is in ``room`` and ``stage`` with state and quiet in ``den`` with state;
      ``carol`` is in both without listening.
    - ``kim``: a first client ("kicked") subscribed ``room``, then a second client
      ("kim") logged in and kicked it (its debounced leave is pending).
    - ``dan`` ("offline") is in ``room`` and ``stage`` (both are now full: 4 users) and
      has lost its network (suspend and timeout timers pending).
    - ``gone`` subscribed ``den`` and logged out (debounced leave pending); ``never``
      has a client that never logged in; ``oscar`` is in ``room`` of another app.
    - variant ``"busy"``: alice is also in 99 more MESSAGE and 99 more STREAM channels,
      100 of each.

    Every client has a :class:`Recorder`.
    """

    def __init__(self, variant: str = "std") -> None:
        emu = self.emu = Emulator(CONFIG)
        self.clients: dict[str, RTMClient] = {}
        self.recorders: dict[str, Recorder] = {}
        c = self._new
        tina = c("lapsed", "tina")
        run(tina.login())
        run(tina.subscribe("room"))
        run(tina.presence.set_state("room", "MESSAGE", {"t": "1"}))
        emu.disconnect("tina")
        emu.advance(400)  # past heartbeat + presence timeout (R-T2)

        alice, bob, carol = c("alice", "alice"), c("bob", "bob"), c("carol", "carol")
        kicked, dan, gone = c("kicked", "kim"), c("offline", "dan"), c("gone", "gone")
        oscar = c("oscar", "oscar", OTHER_APP)
        c("never", "never")
        for client in (alice, bob, carol, kicked, dan, gone, oscar):
            run(client.login())
        for client, presence in ((alice, True), (bob, True), (carol, False)):
            run(client.subscribe("room", with_presence=presence))
            run(client.create_stream_channel("stage").join(with_presence=presence))
        p = alice.presence
        run(p.set_state("room", "MESSAGE", {"seat": "alice"}))
        run(p.set_state("stage", "STREAM", {"mic": "on"}))
        run(p.set_state("lobby", "MESSAGE", keys("l", 32)))  # cached (R-S4)
        run(p.set_state("hall", "MESSAGE", keys("h", 32)))
        run(p.set_state("porch", "STREAM", keys("p", 32)))
        run(bob.presence.set_state("room", "MESSAGE", {"seat": "bob"}))
        run(bob.subscribe("den", be_quiet=True))
        run(bob.presence.set_state("den", "MESSAGE", {"q": "1"}))
        run(kicked.subscribe("room"))
        run(c("kim", "kim").login())  # kicks the first kim client (R-T4)
        run(dan.subscribe("room"))
        run(dan.create_stream_channel("stage").join())
        run(dan.presence.set_state("room", "MESSAGE", {"seat": "dan"}))
        emu.disconnect("dan")
        run(gone.subscribe("den"))
        run(gone.logout())
        run(oscar.subscribe("room"))
        run(oscar.presence.set_state("room", "MESSAGE", {"o": "1"}))
        if variant == "busy":
            for i in range(99):
                run(alice.subscribe(f"m{i:02}"))
                run(alice.create_stream_channel(f"s{i:02}").join())
        else:
            assert variant == "std", variant

    def _new(self, name: str, user_id: str, app_id: str = APP) -> RTMClient:
        client = self.emu.client(user_id, app_id=app_id)
        self.clients[name] = client
        self.recorders[name] = Recorder(client)
        return client

    def snapshot(self) -> dict[str, Any]:
        """Everything a failed call must leave as it was."""
        emu = self.emu
        channels = {u: emu.user_channels(u[1], app_id=u[0]) for u in USERS}
        snap: dict[str, Any] = {
            "online": {w: emu.online_users(w[1], w[2], app_id=w[0]) for w in WATCHED},
            "channels": channels,
            # state_of is {} wherever a user is not present (and "channels" shows where
            # it is), so asking where it is present covers every user and channel.
            "states": {
                (*u, name, ctype): emu.state_of(u[1], name, ctype, app_id=u[0])
                for u, where in channels.items()
                for ctype, name in where
            },
            "now": emu.now_ms,
            "timers": emu.pending_timers(),
            "seq": emu.last_seq,
            "sessions": {
                n: (c.logged_in, c.connected, c.link_state) for n, c in self.clients.items()
            },
            "events": {n: (len(r.presence), len(r.links)) for n, r in self.recorders.items()},
            "listener_errors": len(emu.listener_errors),
        }
        # White box: what no public call shows (pre-join caches, listeners, faults).
        snap["internals"] = {
            "cache": {n: dict(c._core.cache) for n, c in self.clients.items()},
            "listeners": {
                n: {k: len(v) for k, v in c._core.listeners.items()}
                for n, c in self.clients.items()
            },
            "timed_out": {n: c._core.timed_out for n, c in self.clients.items()},
            "faults": (
                sorted(emu._faults._presence_down, key=repr),
                dict(emu._faults._latency_ms),
            ),
            "cores": len(emu._cores),
        }
        return snap


# ====================================================================== bad values


OBJ = object()


@dataclass(frozen=True)
class Case:
    """One bad value of one argument and what it must raise."""

    label: str
    value: Any
    code: int
    shows: tuple[object, ...]
    harness: bool = False  # a ConfigError (harness misuse)
    operation: str | None = None  # overrides the row's operation


def cases(
    code: int, pairs: list[tuple[str, Any]], *, harness: bool = False, **kw: Any
) -> list[Case]:
    """One :class:`Case` per (label, value), each naming its value."""
    return [Case(label, v, code, (v,), harness, **kw) for label, v in pairs]


#: wrong types (and None) for any string argument
WRONG_TYPES: list[tuple[str, Any]] = [
    ("none", None),
    ("int", 7),
    ("zero", 0),
    ("float", 1.5),
    ("nan", math.nan),
    ("true", True),
    ("false", False),
    ("bytes", b"room"),
    ("list", ["room"]),
    ("tuple", ("room",)),
    ("dict", {"room": "x"}),
    ("set", {"room"}),
    ("object", OBJ),
]
#: characters outside the SDK charset of user ids and channel names
BAD_CHARS: list[tuple[str, str]] = [
    ("slash", "/"),
    ("star", "*"),
    ("quote", "'"),
    ("dquote", '"'),
    ("backslash", "\\"),
    ("backtick", "`"),
    ("newline", "\n"),
    ("tab", "\t"),
    ("e-acute", "é"),
    ("cjk", "中"),
    ("nul", "\x00"),
    ("lone-surrogate", "\ud800"),  # a Python str with no UTF-8 encoding
]
#: too long: 65 bytes of ASCII, 65 bytes mostly two-byte, 66 bytes of three-byte chars
TOO_LONG: list[tuple[str, str]] = [
    ("65-bytes", "x" * 65),
    ("65-bytes-multibyte", "x" + "é" * 32),
    ("66-bytes-cjk", "中" * 22),
]


def user_id_cases(*, allow_empty: bool = False, operation: str | None = None) -> list[Case]:
    """-10006: wrong types, ``""`` (unless it means the caller), ``"null"``, long, charset."""
    values = [*WRONG_TYPES, ("null", "null"), *TOO_LONG]
    if not allow_empty:
        values.append(("empty", ""))
    values += [(f"char-{label}", f"u{ch}v") for label, ch in BAD_CHARS]
    return cases(E.INVALID_USER_ID, values, operation=operation)


def channel_name_cases() -> list[Case]:
    """-10008: as user ids, plus a leading ``_`` and any ``.``."""
    values = [
        *WRONG_TYPES,
        ("empty", ""),
        ("null", "null"),
        *TOO_LONG,
        ("underscore-first", "_room"),
        ("underscore", "_"),
        ("dot", "a.b"),
        ("dot-only", "."),
        ("dot-last", "room."),
        ("dot-first", ".room"),
    ]
    values += [(f"char-{label}", f"r{ch}m") for label, ch in BAD_CHARS]
    return cases(E.INVALID_CHANNEL_NAME, values)


def channel_type_cases() -> list[Case]:
    """-10019: anything but ``"MESSAGE"`` / ``"STREAM"`` / the enum, non-strings too."""
    values = [
        ("USER", "USER"),
        ("lower-message", "message"),
        ("title-message", "Message"),
        ("lower-stream", "stream"),
        ("title-stream", "Stream"),
        ("empty", ""),
        ("trailing-space", "MESSAGE "),
        ("leading-space", " STREAM"),
        ("newline", "MESSAGE\n"),
        ("null", "null"),
        ("sdk-int", 1),
        ("enum-name", "ChannelType.MESSAGE"),
        *WRONG_TYPES,
        ("bytes-MESSAGE", b"MESSAGE"),
        ("list-MESSAGE", ["MESSAGE"]),
        ("set-STREAM", {"STREAM"}),
    ]
    return cases(E.INVALID_CHANNEL_TYPE, values)


#: values of an options argument that are not an options object at all
NOT_MAPPINGS: list[tuple[str, Any]] = [
    ("int", 7),
    ("zero", 0),
    ("float", 1.5),
    ("true", True),
    ("false", False),
    ("str", "withPresence"),
    ("empty-str", ""),
    ("bytes", b"{}"),
    ("list", ["withPresence"]),
    ("empty-list", []),
    ("pairs", [("withPresence", True)]),
    ("set", {"withPresence"}),
    ("object", OBJ),
]


def wrong_values(kind: type | tuple[type, ...]) -> list[tuple[str, Any]]:
    """Values of the wrong type for an option of type ``kind`` (None means "not given")."""
    if kind is bool:
        return [
            ("int-1", 1),
            ("int-0", 0),
            ("str-true", "true"),
            ("empty-str", ""),
            ("float", 1.0),
            ("bytes", b""),
            ("list", []),
            ("dict", {}),
            ("object", OBJ),
        ]
    if kind is str:
        return [
            ("int", 1),
            ("zero", 0),
            ("true", True),
            ("float", 1.5),
            ("bytes", b"x"),
            ("list", ["x"]),
            ("dict", {}),
            ("object", OBJ),
        ]
    assert kind == (list, tuple), kind
    return [
        ("str", "seat"),
        ("empty-str", ""),
        ("bytes", b"seat"),
        ("zero", 0),
        ("false", False),
        ("set", {"seat"}),
        ("dict", {"seat": "1"}),
        ("object", OBJ),
    ]


SUBSCRIBE_OPTIONS = {
    "withMessage": bool,
    "withPresence": bool,
    "beQuiet": bool,
    "withMetadata": bool,
    "withLock": bool,
}
JOIN_OPTIONS = {
    "token": str,
    "withPresence": bool,
    "beQuiet": bool,
    "withMetadata": bool,
    "withLock": bool,
}
LOGIN_OPTIONS = {"token": str}
WHO_NOW_OPTIONS = {"includedUserId": bool, "includedState": bool, "page": str}
REMOVE_STATE_OPTIONS = {"states": (list, tuple)}


def option_cases(allowed: Mapping[str, Any], typos: list[Any]) -> list[Case]:
    """-10014: not an object, an unknown key (typos), a known key with a wrong type."""
    code = E.INVALID_PARAMETER
    out = cases(code, [(f"not-a-dict-{label}", v) for label, v in NOT_MAPPINGS])
    out += [Case(f"unknown-key-{k!r}", {k: True}, code, (k,)) for k in typos]
    for key, kind in allowed.items():
        out += [Case(f"{key}-{label}", {key: v}, code, (key, v)) for label, v in wrong_values(kind)]
    return out


def keyword_cases(sdk_key: str, kind: type | tuple[type, ...]) -> list[Case]:
    """-10014: a snake_case keyword option of the wrong type."""
    code = E.INVALID_PARAMETER
    return [Case(label, v, code, (sdk_key, v)) for label, v in wrong_values(kind)]


BAD_KEYS: list[tuple[str, Any]] = [
    ("empty", ""),
    ("int", 7),
    ("float", 1.5),
    ("true", True),
    ("none", None),
    ("bytes", b"k"),
    ("tuple", ("k",)),
    ("frozenset", frozenset({"k"})),
    ("lone-surrogate", "k\ud800"),
]
LONG_KEYS: list[tuple[str, str]] = [
    ("65-bytes", "k" * 65),
    ("65-bytes-multibyte", "k" + "é" * 32),  # 33 characters
    ("66-bytes-cjk", "中" * 22),
]
BAD_VALUES: list[tuple[str, Any]] = [
    ("int", 7),
    ("zero", 0),
    ("float", 1.5),
    ("false", False),
    ("none", None),
    ("bytes", b"v"),
    ("list", ["v"]),
    ("dict", {"v": "w"}),
    ("set", {"v"}),
    ("object", OBJ),
    ("lone-surrogate", "v\ud800"),
]
LONG_VALUES: list[tuple[str, str]] = [
    ("8193-bytes", "v" * 8193),
    ("8193-bytes-multibyte", "v" + "é" * 4096),
    ("8193-bytes-cjk", "中" * 2731),
]
STATE_NOT_MAPPINGS: list[tuple[str, Any]] = [
    ("none", None),
    ("int", 7),
    ("zero", 0),
    ("float", 1.5),
    ("false", False),
    ("str", "seat=1"),
    ("empty-str", ""),
    ("bytes", b"seat"),
    ("list", ["seat"]),
    ("empty-list", []),
    ("pairs", [("seat", "1")]),
    ("set", {"seat"}),
    ("object", OBJ),
]


def state_cases(channel: str, channel_type: str) -> list[Case]:
    """``setState``'s state: -10014 / -13006 / -13008 / -13007 / -13009 / -13005 / -13004.

    A valid key comes first in every bad state, so a partial merge would show.
    """
    out = cases(E.INVALID_PARAMETER, STATE_NOT_MAPPINGS)
    out += [
        Case(f"key-{label}", {"mood": "new", k: "v"}, E.PRESENCE_INVALID_STATE_KEY, (k,))
        for label, k in BAD_KEYS
    ]
    out += [
        Case(f"key-{label}", {"mood": "new", k: "v"}, E.PRESENCE_STATE_KEY_SIZE_OVERFLOW, (k,))
        for label, k in LONG_KEYS
    ]
    out += [
        Case(
            f"value-{label}",
            {"mood": "new", "bad": v},
            E.PRESENCE_INVALID_STATE_VALUE,
            ("bad", v),
        )
        for label, v in BAD_VALUES
    ]
    out += [
        Case(
            f"value-{label}",
            {"mood": "new", "long": v},
            E.PRESENCE_STATE_VALUE_SIZE_OVERFLOW,
            ("long", "8193"),
        )
        for label, v in LONG_VALUES
    ]
    if channel in ("room", "stage"):  # alice holds 1 key there: 32 more make 33
        out.append(Case("33-keys-merged", keys("k", 32), E.PRESENCE_STATE_COUNT_OVERFLOW, ("33",)))
    else:  # not present, nothing cached: -13005 before -13004 (96 + 33 cached keys)
        out.append(Case("33-keys-at-once", keys("k", 33), E.PRESENCE_STATE_COUNT_OVERFLOW, ("33",)))
    return out


def state_key_list_cases(*, keyword: bool) -> list[Case]:
    """``removeState``'s ``states``: -10014 if not a list, -13006 / -13008 per element.

    As a keyword the list is the value; positionally it sits in ``{"states": ...}``.
    """
    wrap: Callable[[Any], Any] = (lambda v: v) if keyword else (lambda v: {"states": v})
    out = []
    if keyword:  # positionally, option_cases() has these already
        out += [
            Case(f"states-{label}", v, E.INVALID_PARAMETER, (v,))
            for label, v in wrong_values((list, tuple))
        ]
    out += [
        Case(f"element-{label}", wrap(["seat", k]), E.PRESENCE_INVALID_STATE_KEY, (k,))
        for label, k in [*BAD_KEYS, ("list", ["k"])]
    ]
    out += [
        Case(f"element-{label}", wrap(("seat", k)), E.PRESENCE_STATE_KEY_SIZE_OVERFLOW, (k,))
        for label, k in LONG_KEYS
    ]
    return out


APP_ID_CASES: list[tuple[str, Any]] = [
    ("empty", ""),
    ("none", None),
    ("int", 7),
    ("true", True),
    ("bytes", b"emulator"),
    ("list", ["emulator"]),
    ("object", OBJ),
]
SECONDS_CASES: list[tuple[str, Any]] = [
    ("negative", -1),
    ("negative-tiny", -0.001),
    ("nan", math.nan),
    ("inf", math.inf),
    ("minus-inf", -math.inf),
    ("str", "1"),
    ("none", None),
    ("true", True),
    ("false", False),
    ("bytes", b"1"),
    ("list", [1]),
    ("dict", {"s": 1}),
    ("object", OBJ),
    ("complex", 1j),
]


def harness(pairs: list[tuple[str, Any]], **kw: Any) -> list[Case]:
    """ConfigError (-10014, a ValueError) for each value."""
    return cases(E.INVALID_PARAMETER, pairs, harness=True, **kw)


# ============================================================================ bookmarks


def _bookmarks() -> dict[str, str]:
    """Genuine bookmarks (deterministic: they do not depend on the emulator instance)."""
    emu = Emulator(EmulatorConfig(page_size=1))
    out: dict[str, str] = {}
    for app in (APP, OTHER_APP):
        for uid in ("u1", "u2"):
            client = emu.client(uid, app_id=app)
            run(client.login())
            run(client.subscribe("room"))
            run(client.create_stream_channel("room").join())
            run(client.create_stream_channel("stage").join())
        p = client.presence
        out[f"{app}/room"] = run(p.who_now("room", "MESSAGE")).next_page
        out[f"{app}/room/state"] = run(p.who_now("room", "MESSAGE", include_state=True)).next_page
        out[f"{app}/room-stream"] = run(p.who_now("room", "STREAM")).next_page
        out[f"{app}/stage"] = run(p.who_now("stage", "STREAM")).next_page
    assert all(out.values()), out
    return out


BOOKMARKS = _bookmarks()
ROOM_BM = BOOKMARKS[f"{APP}/room"]


def _signed(payload: bytes) -> str:
    """A bookmark with a valid MAC around a payload the emulator never issued."""
    body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{body}.{_mac(body)}"


def _flip(text: str, at: int) -> str:
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :]


#: label -> (query options, bookmark); all rejected with -13003 in whoNow("room", MESSAGE)
BAD_BOOKMARKS: list[tuple[str, dict[str, Any], str]] = [
    ("other-channel-type", {}, BOOKMARKS[f"{APP}/room-stream"]),
    ("other-channel", {}, BOOKMARKS[f"{APP}/stage"]),
    ("other-app", {}, BOOKMARKS[f"{OTHER_APP}/room"]),
    ("issued-with-state", {}, BOOKMARKS[f"{APP}/room/state"]),
    ("used-with-state", {"includedState": True}, ROOM_BM),
    ("count-only", {"includedUserId": False}, ROOM_BM),
    ("garbage", {}, "garbage"),
    ("dot", {}, "."),
    ("no-mac", {}, ROOM_BM.rpartition(".")[0] + "."),
    ("mac-only", {}, "." + ROOM_BM.rpartition(".")[2]),
    ("mac-flipped", {}, _flip(ROOM_BM, len(ROOM_BM) - 1)),
    ("body-flipped", {}, _flip(ROOM_BM, 3)),
    ("suffixed", {}, ROOM_BM + "x"),
    ("padded", {}, ROOM_BM + "=="),
    ("upper", {}, ROOM_BM.upper()),
    ("leading-space", {}, " " + ROOM_BM),
    ("newline", {}, ROOM_BM + "\n"),
    ("null", {}, "null"),
    ("signed-dict", {}, _signed(b'{"after": "alice"}')),
    ("signed-version-2", {}, _signed(b'[2,"emulator","MESSAGE","room",0,"alice"]')),
    ("signed-5-fields", {}, _signed(b'[1,"emulator","MESSAGE","room",0]')),
    ("signed-not-json", {}, _signed(b"not json")),
    ("signed-not-utf8", {}, _signed(b"\xff\xfe\xfd")),
    ("signed-empty", {}, _signed(b"")),
    ("lone-surrogate", {}, "\ud800.x"),
]


# ================================================================================= rows


@dataclass(frozen=True)
class Row:
    """One call that must fail with ``code`` and change nothing.

    ``method``: ``"subscribe"`` (on the client), ``"presence.who_now"``,
    ``"stream.join"`` (on a handle of ``stream`` made first), ``"emu.disconnect"``, or
    ``"EmulatorConfig"`` / ``"RTMConfig"`` / ``"Emulator"`` (constructors).
    """

    id: str
    method: str
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    code: int
    operation: str
    shows: tuple[object, ...]
    caller: str = "alice"
    stream: str = "stage"
    harness: bool = False
    world: str = "std"


#: every client / presence spelling -> the SDK name errors carry
OPERATION = {
    "login": "login",
    "subscribe": "subscribe",
    "unsubscribe": "unsubscribe",
    "create_stream_channel": "createStreamChannel",
    "createStreamChannel": "createStreamChannel",
    "stream.join": "join",
    "stream.leave": "leave",
    "add_event_listener": "addEventListener",
    "addEventListener": "addEventListener",
    "remove_event_listener": "removeEventListener",
    "removeEventListener": "removeEventListener",
    "presence.get_online_users": "getOnlineUsers",
    "presence.getOnlineUsers": "getOnlineUsers",
    "presence.who_now": "whoNow",
    "presence.whoNow": "whoNow",
    "presence.get_user_channels": "getUserChannels",
    "presence.getUserChannels": "getUserChannels",
    "presence.where_now": "whereNow",
    "presence.whereNow": "whereNow",
    "presence.set_state": "setState",
    "presence.setState": "setState",
    "presence.get_state": "getState",
    "presence.getState": "getState",
    "presence.remove_state": "removeState",
    "presence.removeState": "removeState",
}
WHO_NOW_SNAKE = ("presence.get_online_users", "presence.who_now")
WHO_NOW_CAMEL = ("presence.getOnlineUsers", "presence.whoNow")
WHERE_NOW = (
    "presence.get_user_channels",
    "presence.getUserChannels",
    "presence.where_now",
    "presence.whereNow",
)
SET_STATE = ("presence.set_state", "presence.setState")
GET_STATE = ("presence.get_state", "presence.getState")
REMOVE_STATE = ("presence.remove_state", "presence.removeState")
STREAM_HANDLE = ("create_stream_channel", "createStreamChannel")
LISTENER_METHODS = (
    "add_event_listener",
    "addEventListener",
    "remove_event_listener",
    "removeEventListener",
)
#: every network call with arguments that succeed for alice in the world
NETWORK_CALLS: dict[str, tuple[Any, ...]] = {
    "subscribe": ("room",),
    "unsubscribe": ("room",),
    "stream.join": (),
    "stream.leave": (),
    **{m: ("room", "MESSAGE") for m in (*WHO_NOW_SNAKE, *WHO_NOW_CAMEL)},
    **{m: ("bob",) for m in WHERE_NOW},
    **{m: ("room", "MESSAGE", {"k": "v"}) for m in SET_STATE},
    **{m: ("bob", "room", "MESSAGE") for m in GET_STATE},
    **{m: ("room", "MESSAGE") for m in REMOVE_STATE},
}


def listener(event: object) -> None:
    """A valid listener."""


@dataclass
class Param:
    """One argument: its valid value and its bad cases; ``kw`` for keyword-only ones."""

    name: str
    valid: Any
    bad: list[Case]
    kw: bool = False


@dataclass
class Sig:
    """An entry point's arguments, in signature order."""

    method: str
    operation: str
    params: list[Param]
    extra: dict[str, Any] = field(default_factory=dict)  # Row fields (caller, stream, ...)


def expand(sig: Sig) -> Iterator[Row]:
    """One row per bad case of each argument; the other arguments are valid."""
    for i, param in enumerate(sig.params):
        for case in param.bad:
            args: list[Any] = []
            kwargs: dict[str, Any] = {}
            for j, other in enumerate(sig.params):
                value = case.value if i == j else other.valid
                if not other.kw:
                    args.append(value)
                elif i == j:
                    kwargs[other.name] = value
            yield Row(
                f"{sig.method}[{param.name}={case.label}]",
                sig.method,
                tuple(args),
                kwargs,
                case.code,
                case.operation or sig.operation,
                case.shows,
                harness=case.harness,
                **sig.extra,
            )


def argument_signatures() -> Iterator[Sig]:
    """Every entry point with every argument and its bad values."""
    name, ctype = channel_name_cases(), channel_type_cases()
    # --- the client
    yield Sig(
        "login",
        "login",
        [
            Param("options", None, option_cases(LOGIN_OPTIONS, ["uid", "Token", "", 1])),
            Param("token", None, keyword_cases("token", str), kw=True),
        ],
    )
    yield Sig(
        "subscribe",
        "subscribe",
        [
            Param("channel_name", "room", name),
            Param(
                "options",
                None,
                option_cases(
                    SUBSCRIBE_OPTIONS,
                    ["withPrescence", "with_presence", "WithPresence", "beQuiet ", "token", "", 1],
                ),
            ),
            Param("with_presence", None, keyword_cases("withPresence", bool), kw=True),
            Param("be_quiet", None, keyword_cases("beQuiet", bool), kw=True),
        ],
    )
    yield Sig("unsubscribe", "unsubscribe", [Param("channel_name", "room", name)])
    for method in STREAM_HANDLE:
        yield Sig(method, "createStreamChannel", [Param("channel_name", "stage", name)])
    yield Sig(
        "stream.join",
        "join",
        [
            Param(
                "options",
                None,
                option_cases(JOIN_OPTIONS, ["withMessage", "with_presence", "beQuiet ", "", 1]),
            ),
            Param("with_presence", None, keyword_cases("withPresence", bool), kw=True),
            Param("be_quiet", None, keyword_cases("beQuiet", bool), kw=True),
        ],
    )
    event_names = cases(
        E.INVALID_PARAMETER,
        [
            ("Presence", "Presence"),
            ("PRESENCE", "PRESENCE"),
            ("link_state", "link_state"),
            ("linkstate", "linkstate"),
            ("empty", ""),
            ("trailing-space", "presence "),
            ("unknown", "connection"),
            *WRONG_TYPES,
            ("bytes-presence", b"presence"),
        ],
    )
    listeners = cases(
        E.INVALID_PARAMETER,
        [
            ("none", None),
            ("int", 7),
            ("str", "print"),
            ("bytes", b"f"),
            ("list", [listener]),
            ("dict", {}),
            ("object", OBJ),
        ],
    )
    for method in LISTENER_METHODS:
        yield Sig(
            method,
            OPERATION[method],
            [Param("event_name", "presence", event_names), Param("listener", listener, listeners)],
        )
    # --- presence
    for method in (*WHO_NOW_SNAKE, *WHO_NOW_CAMEL):
        params = [
            Param("channel_name", "room", name),
            Param("channel_type", "MESSAGE", ctype),
            Param(
                "options",
                None,
                option_cases(
                    WHO_NOW_OPTIONS,
                    ["includeUserId", "include_state", "bookmark", "page ", "withPresence", 1],
                ),
            ),
        ]
        if method in WHO_NOW_SNAKE:
            params += [
                Param("include_user_id", None, keyword_cases("includedUserId", bool), kw=True),
                Param("include_state", None, keyword_cases("includedState", bool), kw=True),
                Param("page", None, keyword_cases("page", str), kw=True),
            ]
        yield Sig(method, OPERATION[method], params)
    for method in WHERE_NOW:
        yield Sig(
            method, OPERATION[method], [Param("user_id", "bob", user_id_cases(allow_empty=True))]
        )
    for method in SET_STATE:
        yield Sig(
            method,
            "setState",
            [
                Param("channel_name", "room", name),
                Param("channel_type", "MESSAGE", ctype),
                Param("state", {"k": "v"}, state_cases("room", "MESSAGE")),
            ],
        )
        for channel, channel_type in (("stage", "STREAM"), ("attic", "MESSAGE")):
            yield Sig(
                method,
                "setState",
                [
                    Param("channel_name", channel, []),
                    Param("channel_type", channel_type, []),
                    Param(
                        f"state@{channel}/{channel_type}", {}, state_cases(channel, channel_type)
                    ),
                ],
            )
    for method in GET_STATE:
        yield Sig(
            method,
            "getState",
            [
                Param("user_id", "bob", user_id_cases(allow_empty=True)),
                Param("channel_name", "room", name),
                Param("channel_type", "MESSAGE", ctype),
            ],
        )
    for method in REMOVE_STATE:
        params = [
            Param("channel_name", "room", name),
            Param("channel_type", "MESSAGE", ctype),
            Param(
                "options",
                None,
                [
                    *option_cases(REMOVE_STATE_OPTIONS, ["state", "keys", "States", "", 1]),
                    *state_key_list_cases(keyword=False),
                ],
            ),
        ]
        if method == "presence.remove_state":
            params.append(Param("states", None, state_key_list_cases(keyword=True), kw=True))
        yield Sig(method, "removeState", params)
    # --- the emulator (harness)
    yield Sig(
        "emu.client",
        "RTM",
        [
            Param("user_id", "newbie", user_id_cases()),
            Param("app_id", APP, harness(APP_ID_CASES), kw=True),
            Param(
                "config",
                None,
                [
                    *harness(
                        [
                            ("int", 20),
                            ("str", "presenceTimeout"),
                            ("list", ["presenceTimeout"]),
                            ("true", True),
                            ("object", OBJ),
                        ]
                    ),
                    *[
                        Case(label, cfg, E.INVALID_PARAMETER, shows, True, "RTMConfig")
                        for label, cfg, shows in [
                            ("typo-key", {"presenceTimout": 20}, ("presenceTimout",)),
                            ("snake-key", {"presence_timeout": 20}, ("presence_timeout",)),
                            ("int-key", {1: 20}, (1,)),
                            ("str-timeout", {"presenceTimeout": "20"}, ("'20'",)),
                            ("nan-timeout", {"presenceTimeout": math.nan}, ("nan",)),
                            ("none-heartbeat", {"heartbeatInterval": None}, ("None",)),
                            ("bool-heartbeat", {"heartbeatInterval": True}, ("True",)),
                            ("list-heartbeat", {"heartbeatInterval": [5]}, ("[5]",)),
                        ]
                    ],
                ],
                kw=True,
            ),
        ],
    )
    for method in ("emu.disconnect", "emu.reconnect", "emu.user_channels"):
        op = method[4:]
        yield Sig(
            method,
            op,
            [
                Param("user_id", "bob", user_id_cases()),
                Param("app_id", APP, harness(APP_ID_CASES), kw=True),
            ],
        )
    yield Sig(
        "emu.set_presence_available",
        "set_presence_available",
        [
            Param("channel_name", "room", name),
            Param("channel_type", "MESSAGE", ctype),
            Param(
                "available",
                True,
                harness(
                    [
                        ("int-0", 0),
                        ("int-1", 1),
                        ("str", "false"),
                        ("none", None),
                        ("float", 1.0),
                        ("list", []),
                        ("object", OBJ),
                    ]
                ),
            ),
            Param("app_id", APP, harness(APP_ID_CASES), kw=True),
        ],
    )
    yield Sig(
        "emu.set_delivery_latency",
        "set_delivery_latency",
        [
            Param("user_id", "bob", user_id_cases()),
            Param("seconds", 0, harness(SECONDS_CASES)),
            Param("app_id", APP, harness(APP_ID_CASES), kw=True),
        ],
    )
    yield Sig(
        "emu.online_users",
        "online_users",
        [
            Param("channel_name", "room", name),
            Param("channel_type", "MESSAGE", ctype),
            Param("app_id", APP, harness(APP_ID_CASES), kw=True),
        ],
    )
    yield Sig(
        "emu.state_of",
        "state_of",
        [
            Param("user_id", "bob", user_id_cases()),
            Param("channel_name", "room", name),
            Param("channel_type", "MESSAGE", ctype),
            Param("app_id", APP, harness(APP_ID_CASES), kw=True),
        ],
    )
    yield Sig("emu.advance", "advance", [Param("seconds", 0, harness(SECONDS_CASES))])
    # --- configuration objects: one keyword each
    not_a_number = [
        ("str", "20"),
        ("none", None),
        ("nan", math.nan),
        ("bytes", b"20"),
        ("list", [20]),
        ("dict", {"s": 20}),
        ("true", True),
        ("object", OBJ),
        ("complex", 1j),
    ]
    for field_name in ("presence_timeout", "heartbeat_interval"):
        bad = [
            Case(label, v, E.INVALID_PARAMETER, (field_name, v), True) for label, v in not_a_number
        ]
        yield Sig("RTMConfig", "RTMConfig", [Param(field_name, 20, bad, kw=True)])
    config_fields: dict[str, list[tuple[str, Any]]] = {
        "start_time_ms": [("negative", -1), ("float", 1.5), ("str", "0"), ("none", None),
                          ("true", True), ("nan", math.nan), ("list", [0])],
        "page_size": [("zero", 0), ("negative", -1), ("float", 1.5), ("float-int", 50.0),
                      ("str", "50"), ("none", None), ("true", True)],
        "announce_max": [("7", 7), ("129", 129), ("zero", 0), ("float-int", 50.0),
                         ("str", "50"), ("none", None), ("true", True)],
        "interval": [("4.99", 4.99), ("300.01", 300.01), ("zero", 0), ("negative", -5),
                     ("nan", math.nan), ("inf", math.inf), ("minus-inf", -math.inf),
                     ("str", "30"), ("none", None), ("true", True), ("bytes", b"30")],
        "debounce": [("negative", -0.001), ("minus-one", -1), ("nan", math.nan),
                     ("inf", math.inf), ("minus-inf", -math.inf), ("str", "2"),
                     ("none", None), ("true", True)],
        "max_channel_users": [("zero", 0), ("negative", -1), ("float", 1.5), ("str", "1"),
                              ("none", None), ("true", True)],
    }  # fmt: skip
    for field_name, pairs in config_fields.items():
        bad = [Case(label, v, E.INVALID_PARAMETER, (field_name, v), True) for label, v in pairs]
        yield Sig("EmulatorConfig", "EmulatorConfig", [Param(field_name, 1, bad, kw=True)])
    yield Sig(
        "Emulator",
        "Emulator",
        [
            Param(
                "config",
                None,
                harness(
                    [
                        ("int", 1),
                        ("str", "page_size=1"),
                        ("dict", {"page_size": 1}),
                        ("rtm-config", RTMConfig()),
                        ("object", OBJ),
                    ]
                ),
            )
        ],
    )


def bookmark_rows() -> Iterator[Row]:
    """-13003 (R-Q3, R-Q4): foreign, forged, tampered bookmarks; count-only with a page."""
    for label, options, bookmark in BAD_BOOKMARKS:
        for method in (*WHO_NOW_SNAKE, *WHO_NOW_CAMEL):
            yield Row(
                f"{method}[page={label}]",
                method,
                ("room", "MESSAGE", {**options, "page": bookmark}),
                {},
                E.PRESENCE_INVALID_ARGUMENT,
                OPERATION[method],
                (bookmark,),
            )
        if not options:
            for method in WHO_NOW_SNAKE:
                yield Row(
                    f"{method}[page-keyword={label}]",
                    method,
                    ("room", "MESSAGE"),
                    {"page": bookmark},
                    E.PRESENCE_INVALID_ARGUMENT,
                    OPERATION[method],
                    (bookmark,),
                )
    for method in (*WHO_NOW_SNAKE, *WHO_NOW_CAMEL):
        # A genuine room bookmark used on the STREAM channel of the same name.
        yield Row(
            f"{method}[page=room-bookmark-on-stream]",
            method,
            ("room", "STREAM", {"page": ROOM_BM}),
            {},
            E.PRESENCE_INVALID_ARGUMENT,
            OPERATION[method],
            (ROOM_BM,),
        )
        yield Row(
            f"{method}[count-only-with-state]",
            method,
            ("room", "MESSAGE", {"includedUserId": False, "includedState": True}),
            {},
            E.PRESENCE_INVALID_ARGUMENT,
            OPERATION[method],
            ("includedState",),
        )


def twice_rows() -> Iterator[Row]:
    """-10014: an option given both in the SDK dict and as a snake_case keyword."""
    calls: list[tuple[str, tuple[Any, ...], str, str, Any]] = [
        ("login", (), "token", "token", "t"),
        ("subscribe", ("room",), "withPresence", "with_presence", True),
        ("subscribe", ("room",), "beQuiet", "be_quiet", False),
        ("stream.join", (), "withPresence", "with_presence", True),
        ("stream.join", (), "beQuiet", "be_quiet", False),
        *[
            (m, ("room", "MESSAGE"), sdk, kw, value)
            for m in WHO_NOW_SNAKE
            for sdk, kw, value in (
                ("includedUserId", "include_user_id", True),
                ("includedState", "include_state", False),
                ("page", "page", ROOM_BM),
            )
        ],
        ("presence.remove_state", ("room", "MESSAGE"), "states", "states", ["seat"]),
    ]
    for method, args, sdk, kw, value in calls:
        yield Row(
            f"{method}[{kw}-given-twice]",
            method,
            (*args, {sdk: value}),
            {kw: value},
            E.INVALID_PARAMETER,
            OPERATION[method],
            (sdk,),
        )


def lifecycle_rows() -> Iterator[Row]:
    """-10002 / -10025 beat everything, bad arguments included; local calls still check."""
    for state, (uid, code) in LIFECYCLE.items():
        for method, args in NETWORK_CALLS.items():
            variants: list[tuple[str, tuple[Any, ...]]] = [("valid", args)]
            for i in range(len(args)):  # each argument bad in turn: lifecycle still wins
                bad = list(args)
                bad[i] = OBJ if i else "_bad/name"
                variants.append((f"bad-arg-{i}", tuple(bad)))
            if method in ("stream.join", "subscribe"):
                variants.append(("bad-options", (*args, {"withPrescence": True})))
            for label, call_args in variants:
                yield Row(
                    f"lifecycle-{state}:{method}[{label}]",
                    method,
                    call_args,
                    {},
                    code,
                    OPERATION[method],
                    (uid,),
                    caller=state,
                )
        # Local calls check their arguments in any lifecycle state.
        local: list[tuple[str, tuple[Any, ...], int, tuple[object, ...]]] = [
            *[(m, ("_stage",), E.INVALID_CHANNEL_NAME, ("_stage",)) for m in STREAM_HANDLE],
            *[
                (m, ("Presence", listener), E.INVALID_PARAMETER, ("Presence",))
                for m in LISTENER_METHODS
            ],
            *[(m, ("presence", None), E.INVALID_PARAMETER, ("None",)) for m in LISTENER_METHODS],
            ("login", ({"tokn": "t"},), E.INVALID_PARAMETER, ("tokn",)),
            ("login", ({"token": 7},), E.INVALID_PARAMETER, ("token", 7)),
        ]
        for method, call_args, local_code, shows in local:
            yield Row(
                f"lifecycle-{state}:{method}[{call_args[0]!r}]",
                method,
                call_args,
                {},
                local_code,
                OPERATION[method],
                shows,
                caller=state,
            )
    # Emulator-level: disconnect / reconnect need a logged-in client of that user.
    for method in ("emu.disconnect", "emu.reconnect"):
        for label, uid, app in [
            ("never-logged-in", "never", APP),
            ("logged-out", "gone", APP),
            ("no-client", "nobody", APP),
            ("other-app-user", "oscar", APP),
            ("wrong-app", "alice", OTHER_APP),
            ("unknown-app", "alice", "no-such-app"),
        ]:
            yield Row(
                f"lifecycle:{method}[{label}]",
                method,
                (uid,),
                {"app_id": app},
                E.NOT_LOGIN,
                method[4:],
                (uid,),
            )


def rule_rows() -> Iterator[Row]:
    """Lifecycle and limit rules: -11001 / -11002 / -11005 / -11007 / -11021 / -13004 / -13011."""
    for channel in ("attic", "stage", "den", "lobby"):
        yield Row(
            f"unsubscribe[not-subscribed-{channel}]",
            "unsubscribe",
            (channel,),
            {},
            E.CHANNEL_NOT_SUBSCRIBED,
            "unsubscribe",
            (channel,),
        )
    for channel in ("attic", "room", "porch"):
        yield Row(
            f"stream.leave[not-joined-{channel}]",
            "stream.leave",
            (),
            {},
            E.CHANNEL_NOT_JOINED,
            "leave",
            (channel,),
            stream=channel,
        )
    yield Row(
        "stream.leave[kim-not-joined-stage]",
        "stream.leave",
        (),
        {},
        E.CHANNEL_NOT_JOINED,
        "leave",
        ("stage",),
        caller="kim",
    )
    yield Row(
        "subscribe[full-channel]",
        "subscribe",
        ("room",),
        {},
        E.CHANNEL_SUBSCRIBE_FAILED,
        "subscribe",
        ("room",),
        caller="kim",
    )
    yield Row(
        "stream.join[full-channel]",
        "stream.join",
        (),
        {},
        E.CHANNEL_JOIN_FAILED,
        "join",
        ("stage",),
        caller="kim",
    )
    yield Row(
        "subscribe[101st-channel]",
        "subscribe",
        ("attic",),
        {},
        E.CHANNEL_INSTANCE_EXCEED_LIMITATION,
        "subscribe",
        ("attic",),
        world="busy",
    )
    yield Row(
        "stream.join[101st-channel]",
        "stream.join",
        (),
        {},
        E.CHANNEL_INSTANCE_EXCEED_LIMITATION,
        "join",
        ("attic",),
        stream="attic",
        world="busy",
    )
    for method in SET_STATE:
        for channel, channel_type in (("attic", "MESSAGE"), ("attic", "STREAM"), ("den", "STREAM")):
            yield Row(
                f"{method}[101-cached-keys@{channel}/{channel_type}]",
                method,
                (channel, channel_type, keys("c", 5)),
                {},
                E.PRESENCE_CACHED_TOO_MANY_STATES,
                "setState",
                ("101",),
            )
        yield Row(
            f"{method}[33-keys-in-cache@lobby]",
            method,
            ("lobby", "MESSAGE", {"new": "v"}),
            {},
            E.PRESENCE_STATE_COUNT_OVERFLOW,
            "setState",
            ("33",),
        )
    for method in GET_STATE:
        for label, uid, channel, channel_type in [
            ("not-in-channel", "bob", "attic", "MESSAGE"),
            ("quiet", "bob", "den", "MESSAGE"),
            ("other-type", "bob", "room", "STREAM"),
            ("timed-out", "tina", "room", "MESSAGE"),
            ("kicked", "kim", "room", "MESSAGE"),
            ("logged-out", "gone", "den", "MESSAGE"),
            ("never-logged-in", "never", "room", "MESSAGE"),
            ("no-client", "nobody", "room", "MESSAGE"),
            ("other-app", "oscar", "room", "MESSAGE"),
            ("caller-cached-only", "alice", "lobby", "MESSAGE"),
            ("caller-by-empty-id", "", "attic", "MESSAGE"),
        ]:
            yield Row(
                f"{method}[user-not-present-{label}]",
                method,
                (uid, channel, channel_type),
                {},
                E.PRESENCE_USER_NOT_EXIST,
                "getState",
                (uid or "alice",),
            )


def all_rows() -> list[Row]:
    rows = [row for sig in argument_signatures() for row in expand(sig)]
    rows += [*bookmark_rows(), *twice_rows(), *lifecycle_rows(), *rule_rows()]
    return rows


ROWS = all_rows()


# ============================================================================== running


def target(world: World, method: str, caller: str, stream: str) -> Callable[..., Any]:
    """The bound callable a row (or a Hypothesis example) calls."""
    if method.startswith("emu."):
        return getattr(world.emu, method[4:])  # type: ignore[no-any-return]
    if method in ("EmulatorConfig", "RTMConfig", "Emulator"):
        return {"EmulatorConfig": EmulatorConfig, "RTMConfig": RTMConfig, "Emulator": Emulator}[
            method
        ]
    client = world.clients[caller]
    if method.startswith("stream."):
        return getattr(client.create_stream_channel(stream), method[7:])  # type: ignore[no-any-return]
    if method.startswith("presence."):
        return getattr(client.presence, method[9:])  # type: ignore[no-any-return]
    return getattr(client, method)  # type: ignore[no-any-return]


def call(world: World, row: Row) -> Any:
    return run(target(world, row.method, row.caller, row.stream)(*row.args, **row.kwargs))


def mentions(reason: str, value: object) -> bool:
    """Whether ``reason`` names ``value``: its repr, or (a non-empty string) itself."""
    if repr(value) in reason:
        return True
    return isinstance(value, str) and value != "" and value in reason


def check_shape(err: RtmError) -> None:
    """The ``ErrorInfo`` contract: table text first, exactly the SDK's four keys."""
    assert err.error is True
    assert isinstance(err.error_code, ErrorCode), err
    assert isinstance(err.reason, str) and err.reason, err
    assert err.reason.startswith(ERROR_TABLE[err.error_code]), err.reason
    info = err.to_dict()
    assert {"error", "operation", "errorCode", "reason"} == set(info)
    assert (True, err.operation, int(err.error_code), err.reason) == (
        info["error"],
        info["operation"],
        info["errorCode"],
        info["reason"],
    )
    assert type(info["errorCode"]) is int
    json.dumps(info)


_CANONICAL: dict[str, dict[str, Any]] = {}
_WORLDS: dict[str, World] = {}


def world_for(variant: str = "std") -> tuple[World, dict[str, Any]]:
    """A world in its initial state, and its snapshot.

    Building a world costs more than a row, so a world is reused while its snapshot
    still equals that of a fresh one: a row that passed changed nothing, and the first
    row after one that did change something (a bug) gets a new world.
    """
    world = _WORLDS.get(variant)
    if world is not None:
        try:
            snap = world.snapshot()
        except Exception:  # a bug left it broken; build a new one
            snap = None
        if snap is not None and snap == _CANONICAL[variant]:
            return world, snap
    world = _WORLDS[variant] = World(variant)
    snap = world.snapshot()
    assert snap == _CANONICAL.setdefault(variant, snap), "the world is not deterministic"
    return world, snap


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_bad_input(row: Row) -> None:
    world, before = world_for(row.world)
    with pytest.raises(RtmError) as info:
        call(world, row)
    err = info.value
    assert (row.code, row.operation) == (err.error_code, err.operation), err
    if row.harness:
        assert isinstance(err, ConfigError) and isinstance(err, ValueError), repr(err)
    else:
        assert type(err) is RtmError, repr(err)
    check_shape(err)
    for needle in row.shows:
        assert mentions(err.reason, needle), (err.reason, needle)
    assert world.snapshot() == before, "a failed call changed state or delivered an event"
    world.emu.check_invariants()


def test_matrix_size_and_ids() -> None:
    """Ids are unique and the matrix covers every public entry point."""
    assert len({r.id for r in ROWS}) == len(ROWS)
    assert len(ROWS) >= 2000, len(ROWS)
    covered = {r.method for r in ROWS}
    expected = {
        *OPERATION,
        "emu.client",
        "emu.disconnect",
        "emu.reconnect",
        "emu.set_presence_available",
        "emu.set_delivery_latency",
        "emu.online_users",
        "emu.user_channels",
        "emu.state_of",
        "emu.advance",
        "EmulatorConfig",
        "RTMConfig",
        "Emulator",
    }
    assert expected == covered
    codes = {r.code for r in ROWS}
    assert set(ErrorCode) == codes, set(ErrorCode) - codes


def test_every_matrix_reason_is_well_formed() -> None:
    """Every RtmError of the matrix: reason starts with the table's text, four dict keys."""
    checked = 0
    worlds: dict[str, World] = {}  # test_bad_input shows a failing row changes nothing
    for row in ROWS:
        world = worlds.get(row.world) or worlds.setdefault(row.world, World(row.world))
        try:
            call(world, row)
        except RtmError as err:
            check_shape(err)
            checked += 1
        except Exception:  # test_bad_input reports it; the world may be damaged
            del worlds[row.world]
        else:
            del worlds[row.world]
    assert checked >= 0.95 * len(ROWS), (checked, len(ROWS))


#: successful calls, one per kind of change a failed call must not make
CHANGES: list[tuple[str, str, tuple[Any, ...], dict[str, Any], str]] = [
    ("state", "presence.setState", ("room", "MESSAGE", {"seat": "moved"}), {}, "alice"),
    ("state-quiet", "presence.setState", ("den", "MESSAGE", {"q": "2"}), {}, "bob"),
    ("cache", "presence.setState", ("attic", "MESSAGE", {"c": "1"}), {}, "alice"),
    ("cache-remove", "presence.removeState", ("lobby", "MESSAGE"), {}, "alice"),
    ("enter", "subscribe", ("attic",), {}, "alice"),
    ("options", "subscribe", ("room",), {"be_quiet": True}, "alice"),
    ("leave", "stream.leave", (), {}, "alice"),
    ("listener", "addEventListener", ("message", listener), {}, "alice"),
    ("listener-removed", "removeEventListener", ("presence", listener), {}, "alice"),
    ("login", "login", (), {}, "never"),
    ("logout", "logout", (), {}, "carol"),
    ("client", "emu.client", ("newbie",), {}, "alice"),
    ("disconnect", "emu.disconnect", ("bob",), {}, "alice"),
    ("reconnect", "emu.reconnect", ("dan",), {}, "alice"),
    ("presence-down", "emu.set_presence_available", ("room", "MESSAGE", False), {}, "alice"),
    ("latency", "emu.set_delivery_latency", ("bob", 1), {}, "alice"),
    ("time", "emu.advance", (0.001,), {}, "alice"),
]


@pytest.mark.parametrize(
    "method,args,kwargs,caller", [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES]
)
def test_snapshot_sees_every_kind_of_change(
    method: str, args: tuple[Any, ...], kwargs: dict[str, Any], caller: str
) -> None:
    """The "nothing changed" check is not vacuous: each successful change shows."""
    world = World()
    world.clients["alice"].add_event_listener("presence", listener)
    before = world.snapshot()
    run(target(world, method, caller, "stage")(*args, **kwargs))
    assert world.snapshot() != before


@pytest.mark.parametrize("state", [*LIFECYCLE, "alice", "kim", "oscar"])
def test_logout_always_succeeds(state: str) -> None:
    """R-L3 / decisions: logout works in every lifecycle state, twice in a row too."""
    world = World()
    client = world.clients[state]
    run(client.logout())
    run(client.logout())
    assert not client.logged_in
    world.emu.check_invariants()


#: boundary values that must be accepted (the matrix is not rejecting everything)
ACCEPTED: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = [
    ("channel-type-enum", "presence.whoNow", ("room", ChannelType.MESSAGE), {}),
    ("channel-type-enum-stream", "presence.get_state", ("bob", "stage", ChannelType.STREAM), {}),
    ("channel-name-64-bytes", "subscribe", ("r" * 64,), {}),
    ("channel-name-underscore-inside", "subscribe", ("a_b",), {}),
    ("channel-name-charset", "subscribe", ("!#$%&()+-:;<=>?@[]^_{}|~, ",), {}),
    ("user-id-64-bytes", "emu.client", ("u" * 64,), {}),
    ("user-id-dot-underscore", "emu.client", ("_a.b",), {}),
    ("user-id-empty-means-caller", "presence.whereNow", ("",), {}),
    ("key-64-bytes-multibyte", "presence.setState", ("room", "MESSAGE", {"é" * 32: "v"}), {}),
    ("value-8192-bytes", "presence.setState", ("room", "MESSAGE", {"k": "中" * 2730 + "vv"}), {}),
    ("31-new-keys-make-32", "presence.setState", ("room", "MESSAGE", keys("k", 31)), {}),
    ("cache-exactly-100", "presence.setState", ("attic", "MESSAGE", keys("c", 4)), {}),
    ("page-empty-is-first-page", "presence.whoNow", ("room", "MESSAGE", {"page": ""}), {}),
    ("page-none-is-first-page", "presence.who_now", ("room", "MESSAGE"), {"page": None}),
    ("genuine-bookmark", "presence.whoNow", ("room", "MESSAGE", {"page": ROOM_BM}), {}),
    ("option-none-is-not-given", "subscribe", ("room", {"withPresence": None}), {}),
    ("ignored-sdk-options", "subscribe", ("room", {"withMessage": False, "withLock": True}), {}),
    ("remove-absent-key", "presence.removeState", ("room", "MESSAGE", {"states": ["zz"]}), {}),
    ("remove-tuple", "presence.remove_state", ("room", "MESSAGE"), {"states": ("seat",)}),
    ("other-event-name", "addEventListener", ("tokenPrivilegeWillExpire", listener), {}),
    ("login-again", "login", ({"token": "t"},), {}),
    ("advance-zero", "emu.advance", (0,), {}),
    ("advance-int", "emu.advance", (1,), {}),
    ("latency-float", "emu.set_delivery_latency", ("bob", 0.5), {}),
    ("rtm-config-clamped", "RTMConfig", (), {"presence_timeout": 10_000, "heartbeat_interval": 0}),
    ("rtm-config-inf-clamped", "RTMConfig", (), {"presence_timeout": math.inf}),
    ("emulator-config-bounds", "EmulatorConfig", (), {"announce_max": 8, "interval": 300}),
    ("emulator-config-debounce-zero", "EmulatorConfig", (), {"debounce": 0}),
]


@pytest.mark.parametrize(
    "method,args,kwargs", [a[1:] for a in ACCEPTED], ids=[a[0] for a in ACCEPTED]
)
def test_boundary_values_are_accepted(
    method: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    world = World()
    run(target(world, method, "alice", "stage")(*args, **kwargs))
    world.emu.check_invariants()


# ============================================================ nothing but RtmError

#: calls that must succeed or raise RtmError: values the matrix has no exact code for
EDGE_CALLS: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = [
    ("advance-1e308", "emu.advance", (1e308,), {}),
    ("advance-huge-int", "emu.advance", (10**400,), {}),
    ("latency-1e308", "emu.set_delivery_latency", ("bob", 1e308), {}),
    ("latency-huge-int", "emu.set_delivery_latency", ("bob", 10**400), {}),
    ("advance-tiny", "emu.advance", (5e-324,), {}),
    ("config-huge-start", "EmulatorConfig", (), {"start_time_ms": 10**30}),
    ("config-huge-debounce", "EmulatorConfig", (), {"debounce": 1e306}),
    ("rtm-config-huge-int", "RTMConfig", (), {"presence_timeout": 10**400}),
    ("app-id-surrogate", "emu.client", ("x",), {"app_id": "\ud800"}),
]


@pytest.mark.parametrize(
    "method,args,kwargs", [c[1:] for c in EDGE_CALLS], ids=[c[0] for c in EDGE_CALLS]
)
def test_edge_values_succeed_or_raise_rtm_error(
    method: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    world, before = world_for()
    try:
        run(target(world, method, "alice", "stage")(*args, **kwargs))
    except RtmError as err:
        check_shape(err)
        assert world.snapshot() == before
    world.emu.check_invariants()


def test_huge_debounce_is_rejected_or_works() -> None:
    """A debounce the config accepts must not crash a later leave (R-E6)."""
    try:
        emu = Emulator(EmulatorConfig(debounce=1e306))
    except RtmError:
        return
    a, b = emu.client("a"), emu.client("b")
    for client in (a, b):
        run(client.login())
        run(client.subscribe("room"))
    run(a.unsubscribe("room"))  # schedules the debounced REMOTE_LEAVE
    emu.check_invariants()


_PLAUSIBLE = [
    "room",
    "stage",
    "attic",
    "bob",
    "alice",
    "",
    "MESSAGE",
    "STREAM",
    ChannelType.MESSAGE,
    ChannelType.STREAM,
    "presence",
    "linkState",
    APP,
    OTHER_APP,
    ROOM_BM,
    listener,
    {"withPresence": False},
    {"beQuiet": True},
    {"includedState": True},
    {"includedUserId": False},
    {"page": ROOM_BM},
    {"states": ["seat"]},
    {"seat": "x"},
    {"presenceTimeout": 20},
    RTMConfig(),
    CONFIG,
]
#: extremes that uniform draws rarely hit
_EXTREMES = [
    "\ud800",
    "a\udfffb",
    "\x00",
    "\n",
    "é" * 33,
    "null",
    "_x",
    "a.b",
    -0.0,
    5e-324,
    1e308,
    -1e308,
    math.inf,
    math.nan,
    2**63,
    10**400,
    -(10**400),
]
_scalars = st.one_of(
    st.sampled_from(_EXTREMES),
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # nan and ±inf included
    st.text(st.characters(), max_size=80),  # any code point: control chars, surrogates
    st.binary(max_size=20),
    st.builds(object),
    st.sampled_from(_PLAUSIBLE),
)
JUNK = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=10), st.integers(), st.none()), inner, max_size=4
        ),
        st.frozensets(st.one_of(st.text(max_size=5), st.integers()), max_size=3),
    ),
    max_leaves=8,
)

#: method -> (required positional, optional positional, keyword names)
SIGNATURES: dict[str, tuple[int, int, tuple[str, ...]]] = {
    "login": (0, 1, ("token",)),
    "logout": (0, 0, ()),
    "subscribe": (1, 1, ("with_presence", "be_quiet")),
    "unsubscribe": (1, 0, ()),
    "create_stream_channel": (1, 0, ()),
    "createStreamChannel": (1, 0, ()),
    "stream.join": (0, 1, ("with_presence", "be_quiet")),
    "stream.leave": (0, 0, ()),
    **{m: (2, 0, ()) for m in LISTENER_METHODS},
    **{m: (2, 1, ("include_user_id", "include_state", "page")) for m in WHO_NOW_SNAKE},
    **{m: (2, 1, ()) for m in WHO_NOW_CAMEL},
    **{m: (0, 1, ()) for m in WHERE_NOW},
    **{m: (3, 0, ()) for m in (*SET_STATE, *GET_STATE)},
    "presence.remove_state": (2, 1, ("states",)),
    "presence.removeState": (2, 1, ()),
    "emu.client": (1, 0, ("app_id", "config")),
    "emu.disconnect": (1, 0, ("app_id",)),
    "emu.reconnect": (1, 0, ("app_id",)),
    "emu.set_presence_available": (3, 0, ("app_id",)),
    "emu.set_delivery_latency": (2, 0, ("app_id",)),
    "emu.online_users": (2, 0, ("app_id",)),
    "emu.user_channels": (1, 0, ("app_id",)),
    "emu.state_of": (3, 0, ("app_id",)),
    "emu.advance": (1, 0, ()),
    "EmulatorConfig": (
        0,
        0,
        ("start_time_ms", "page_size", "announce_max", "interval", "debounce", "max_channel_users"),
    ),
    "RTMConfig": (0, 0, ("presence_timeout", "heartbeat_interval")),
    "Emulator": (0, 1, ()),
}


@st.composite
def junk_calls(draw: st.DrawFn) -> tuple[str, str, str, tuple[Any, ...], dict[str, Any]]:
    method = draw(st.sampled_from(sorted(SIGNATURES)))
    required, optional, keywords = SIGNATURES[method]
    n = required + draw(st.integers(0, optional))
    args = tuple(draw(JUNK) for _ in range(n))
    names = draw(st.lists(st.sampled_from(keywords), unique=True)) if keywords else []
    kwargs = {name: draw(JUNK) for name in names}
    caller = draw(st.sampled_from(["alice", "alice", "alice", *LIFECYCLE]))
    stream = draw(st.sampled_from(["stage", "room", "attic"]))
    return method, caller, stream, args, kwargs


@settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(junk_calls())
def test_junk_never_raises_anything_but_rtm_error(
    example: tuple[str, str, str, tuple[Any, ...], dict[str, Any]],
) -> None:
    method, caller, stream, args, kwargs = example
    world, before = world_for()
    fn = target(world, method, caller, stream)
    try:
        run(fn(*args, **kwargs))
    except RtmError as err:
        check_shape(err)
        assert world.snapshot() == before, "a failed call changed state or delivered an event"
    world.emu.check_invariants()
