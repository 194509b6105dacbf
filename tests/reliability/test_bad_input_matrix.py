"""The bad-input matrix (revision 2): every public entry point x argument x bad value.

semantics.md "Identifiers and configuration" (R-C1..R-C6), "State" (R-S3) and "Errors"
(R-X1..R-X3); the evidence is the SDK runtime (agora-rtm.js 2.3.0): its check order per
method, its reason table and error classes, and the plain JavaScript exceptions it throws.

``tests/engine/test_errors.py`` pins each rule clause with hand-picked values; this file
is the exhaustive, generated matrix and the "nothing changed" guarantee:

1. :func:`test_bad_input` - one declarative :class:`Row` per (entry point, argument, bad
   value), (entry point, lifecycle state) or (limit, entry point): the exact ``code``,
   ``operation``, ``reason`` and ``name`` of the SDK's error, or the built-in exception
   where the SDK throws a plain JS one (R-X3); and *nothing changed*: a snapshot of a
   small populated world (:class:`World`) and of every recorder is compared before and
   after the call.
2. :func:`test_accepted` - the values next to the edges are accepted (the matrix does not
   simply reject everything).
3. :func:`test_junk_fails_only_the_sdk_way` - Hypothesis throws junk at every entry
   point; a call succeeds, or raises ``RtmError`` / ``TypeError`` / ``ValueError`` and
   then changed nothing.

The emulator's coroutines never suspend, so calls are driven synchronously (:func:`run`)
instead of through an event loop: that keeps the few thousand rows fast.
"""

from __future__ import annotations

import inspect
import json
import math
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtm_emulator import (
    ChannelType,
    Emulator,
    EmulatorConfig,
    ErrorCode,
    RTMClient,
    RTMConfig,
    RtmError,
)
from rtm_emulator._surface import OPERATIONS, REQUIRED, Operation, operation

from ..conftest import Recorder

# ========================================================================= the SDK side
from ..expected import INVALID_ARG, LIMIT, SDK_ERRORS, STATUS, UNAVAILABLE

EMPTY_STATE = SDK_ERRORS[-13003][0] + "state of parameter is empty."
UID_FALSE_STATE_TRUE = SDK_ERRORS[-13003][0] + "include uid is false but include state is true."
#: codes whose reason the matrix pins as a prefix (the server's words may follow)
PREFIX_REASONS = {-11007, -11021}
#: R-X2 "codes in use" that the matrix raises (-10017 and -10027: test_errors.py)
MATRIX_CODES = {
    -10003, -10006, -10008, -10019, -10021, -10025, -11001, -11005, -11007, -11021, -13003,
    -13004, -13005, -13006, -13008, -13009, -13010, -13011,
}  # fmt: skip

# ============================================================================ the world

#: the default app (rtm_emulator.DEFAULT_APP_ID; test_errors.py pins that name)
APP = Emulator().client("probe").app_id
OTHER_APP = "0ther4pp" + "0" * 24
#: max_channel_users=5: ``room`` (MESSAGE) and ``stage`` (STREAM) are full; the announce
#: threshold (and the server route's page size) is the smallest allowed, 8.
CONFIG = EmulatorConfig(announce_max=8, max_channel_users=5)
RATE_CONFIG = EmulatorConfig(announce_max=8, max_channel_users=5, rate_limits=True)
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
    (APP, u)
    for u in ("alice", "bob", "carol", "dan", "eve", "gone", "kim", "never", "nobody", "quinn",
              "tina")
] + [(OTHER_APP, "oscar")]  # fmt: skip
#: client name -> its state for the lifecycle rows
LIFECYCLE = {
    "never": "idle",  # created, never logged in
    "gone": "idle",  # logged in, then out
    "kicked": "failed",  # the same user id logged in on a second client (R-T4)
    "offline": "down",  # emu.disconnect, 0 s after login (subscribe is not cacheable)
    "lapsed": "down",  # emu.disconnect long ago: the server timed her out (R-T2)
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
    """A small populated service: every lifecycle state, states, caches, full channels.

    - ``tina`` ("lapsed") subscribed ``room``, lost her network and was timed out.
    - ``alice`` (the default caller) is in ``room`` and ``stage`` with state and has
      cached state for ``lobby``, ``hall`` (MESSAGE) and ``porch`` (STREAM): five cache
      entries (R-S4).
    - ``bob`` is in ``room`` and ``stage`` with state and quiet in ``den`` with state;
      ``carol`` is in both without listening; ``quinn`` is quiet in both.
    - ``dan`` ("offline") is in ``room`` and ``stage`` with state and has lost his
      network; ``room`` and ``stage`` are full (5 users).
    - ``kim``: a first client ("kicked") subscribed ``den``, then a second client
      ("kim") logged in and kicked it.
    - ``gone`` subscribed ``den`` and logged out; ``never`` never logged in; ``eve`` is
      logged in and in no channel; ``oscar`` is in ``room`` of another app.
    - variant ``"busy"``: alice is in 50 channels (40 MESSAGE + 10 STREAM, R-L4) and has
      101 cache entries (R-S4).
    - variant ``"rate"``: rate limits on (R-C6); alice has used up the ``whoNow``,
      ``whereNow``, ``getState``, ``modifyState``, ``subscribe`` and ``join`` keys.

    Every client has a :class:`Recorder`.
    """

    def __init__(self, variant: str = "std") -> None:
        config = RATE_CONFIG if variant == "rate" else CONFIG
        emu = self.emu = Emulator(config)
        self.variant = variant
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
        quinn, eve = c("quinn", "quinn"), c("eve", "eve")
        kicked, dan, gone = c("kicked", "kim"), c("offline", "dan"), c("gone", "gone")
        oscar = c("oscar", "oscar", OTHER_APP)
        c("never", "never")
        for client in (alice, bob, carol, quinn, eve, kicked, dan, gone, oscar):
            run(client.login())
        for client, presence, quiet in (
            (alice, True, False),
            (bob, True, False),
            (carol, False, False),
            (quinn, True, True),
            (dan, True, False),
        ):
            run(client.subscribe("room", with_presence=presence, be_quiet=quiet))
            run(client.create_stream_channel("stage").join(with_presence=presence, be_quiet=quiet))
        p = alice.presence
        run(p.set_state("room", "MESSAGE", {"seat": "alice"}))
        run(p.set_state("stage", "STREAM", {"mic": "on"}))
        run(p.set_state("lobby", "MESSAGE", {"l": "1"}))  # cached (R-S4)
        run(p.set_state("hall", "MESSAGE", keys("h", 32)))
        run(p.set_state("porch", "STREAM", {"p": "1"}))
        run(bob.presence.set_state("room", "MESSAGE", {"seat": "bob"}))
        run(bob.subscribe("den", be_quiet=True))
        run(bob.presence.set_state("den", "MESSAGE", {"q": "1"}))
        run(dan.presence.set_state("room", "MESSAGE", {"seat": "dan"}))
        run(kicked.subscribe("den"))
        run(c("kim", "kim").login())  # kicks the first kim client (R-T4)
        run(gone.subscribe("den"))
        run(gone.logout())
        run(oscar.subscribe("room"))
        run(oscar.presence.set_state("room", "MESSAGE", {"o": "1"}))
        emu.disconnect("dan")
        if variant == "busy":
            for i in range(39):
                run(alice.subscribe(f"m{i:02}"))
            for i in range(9):
                run(alice.create_stream_channel(f"s{i:02}").join())
            for i in range(96):  # 5 + 96 = 101 cache entries
                run(p.set_state(f"c{i:02}", "MESSAGE", {"c": "1"}))
        elif variant == "rate":
            emu.advance(1)  # the slots used above are free again (a sliding second)
            for i in range(20):
                run(p.who_now("room", "MESSAGE"))
                run(p.where_now("bob"))
                run(p.get_state("bob", "room", "MESSAGE"))
                run(p.set_state("room", "MESSAGE", {"n": str(i)}))
                run(alice.subscribe(f"m{i:02}"))
                run(alice.create_stream_channel("porch").join())
                run(alice.create_stream_channel("porch").leave())
        else:
            assert variant == "std", variant

    def _new(self, name: str, user_id: str, app_id: str = APP) -> RTMClient:
        client = self.emu.client(user_id, app_id=app_id)
        self.clients[name] = client
        self.recorders[name] = Recorder(client)
        return client

    def own_states(self, name: str) -> dict[tuple[str, str], Any]:
        """``getState`` of oneself per watched channel: the document, else the pre-join
        cache (R-Q6, R-S4); the error code where the call is refused (IDLE)."""
        client = self.clients[name]
        out: dict[tuple[str, str], Any] = {}
        for app, channel, ctype in WATCHED:
            if app != client.app_id:
                continue
            try:
                got = run(client.presence.get_state(client.user_id, channel, ctype))
            except RtmError as err:
                out[channel, ctype] = int(err.code)
            else:
                out[channel, ctype] = dict(got.states)
        return out

    def snapshot(self, caller: str = "alice") -> dict[str, Any]:
        """Everything a failed call must leave as it was (public API only)."""
        emu = self.emu
        channels = {u: emu.user_channels(u[1], app_id=u[0]) for u in USERS}
        snap: dict[str, Any] = {
            "online": {w: emu.online_users(w[1], w[2], app_id=w[0]) for w in WATCHED},
            "channels": channels,
            "states": {
                (*u, name, ctype): emu.state_of(u[1], name, ctype, app_id=u[0])
                for u, where in channels.items()
                for ctype, name in where
            },
            "now": emu.now_ms,
            "events": {
                n: (
                    len(r.presence),
                    sum(1 for e in r.links if e.to_dict()["serviceType"] != "STREAM"),
                )
                for n, r in self.recorders.items()
            },
            "stream_links": {
                n: sum(1 for e in r.links if e.to_dict()["serviceType"] == "STREAM")
                for n, r in self.recorders.items()
            },
        }
        if self.variant != "rate":  # a probe would use getState slots (R-C6)
            snap["own"] = {n: self.own_states(n) for n in sorted({"alice", caller})}
        return snap


# =========================================================================== bad values


OBJ = object()


@dataclass(frozen=True)
class Case:
    """One bad value of one argument and what it must raise."""

    label: str
    value: Any
    code: int | None = None  # the RTM error code, or
    exc: type[Exception] | None = None  # a plain built-in exception (R-X3)
    reason: str | None = None  # overrides the table's reason


def cases(code: int, pairs: list[tuple[str, Any]], **kw: Any) -> list[Case]:
    return [Case(label, v, code, **kw) for label, v in pairs]


def plain(exc: type[Exception], pairs: list[tuple[str, Any]]) -> list[Case]:
    return [Case(label, v, exc=exc) for label, v in pairs]


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
#: characters outside the R-C1 charset
BAD_CHARS: list[tuple[str, str]] = [
    ("dot", "."),
    ("slash", "/"),
    ("star", "*"),
    ("quote", "'"),
    ("dquote", '"'),
    ("backslash", "\\"),
    ("backtick", "`"),
    ("newline", "\n"),
    ("cr", "\r"),
    ("tab", "\t"),
    ("e-acute", "é"),
    ("cjk", "中"),
    ("nul", "\x00"),
    ("nbsp", "\xa0"),
    ("arabic-digit", "\u0663"),  # str.isalnum() / \\d would accept it
    ("fullwidth", "\uff41"),
    ("lone-surrogate", "\ud800"),
]
#: invalid as user ids and channel names alike (R-C1)
BAD_NAMES: list[tuple[str, Any]] = [
    *WRONG_TYPES,
    ("65-chars", "x" * 65),
    ("65-chars-multibyte", "x" + "é" * 64),
    ("underscore-first", "_room"),
    ("underscore", "_"),
    ("dot-only", "."),
    ("dot-last", "room."),
    ("dot-first", ".room"),
    ("trailing-newline", "room\n"),  # Python's "$" would accept it
    ("stream-prefix", "*s*room"),
    *[(f"char-{label}", f"r{ch}m") for label, ch in BAD_CHARS],
]


def user_id_cases(*, empty_is_self: bool = False) -> list[Case]:
    """-10006: R-C1; ``""`` too unless it means the caller (whereNow, R-Q5)."""
    values = list(BAD_NAMES)
    if not empty_is_self:
        values.append(("empty", ""))
    return cases(-10006, values)


def channel_name_cases() -> list[Case]:
    """-10008: R-C1."""
    return cases(-10008, [*BAD_NAMES, ("empty", "")])


def channel_type_cases() -> list[Case]:
    """-10019: anything but ``"MESSAGE"`` / ``"STREAM"`` / the enum, non-strings too."""
    return cases(
        -10019,
        [
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
            ("enum-name", "ChannelType.MESSAGE"),
            *WRONG_TYPES,
            ("bytes-MESSAGE", b"MESSAGE"),
            ("list-MESSAGE", ["MESSAGE"]),
            ("set-STREAM", {"STREAM"}),
        ],
    )


#: setState keys invalid by charset (-13006), all at most 32 UTF-8 bytes
BAD_KEYS: list[tuple[str, str]] = [
    ("empty", ""),
    ("underscore-first", "_k"),
    ("underscore", "_"),
    ("dot", "a.b"),
    ("star", "a*b"),
    ("slash", "a/b"),
    ("backtick", "a`b"),
    ("e-acute", "é"),
    ("32-bytes-e-acute", "é" * 16),  # size fits, charset does not
    ("newline", "k\n"),
    ("tab", "\t"),
]
#: keys over 32 UTF-8 bytes: -13008, size before charset
LONG_KEYS: list[tuple[str, str]] = [
    ("33-bytes", "k" * 33),
    ("33-bytes-underscore", "_" + "k" * 32),
    ("34-bytes-17-chars", "é" * 17),
    ("33-bytes-cjk", "中" * 11),
    ("64-bytes", "k" * 64),
    ("65-bytes", "k" * 65),
]
#: string values over 16384 UTF-8 bytes: -13009
LONG_VALUES: list[tuple[str, str]] = [
    ("16385-bytes", "v" * 16385),
    ("16385-bytes-multibyte", "v" + "é" * 8192),
    ("16386-bytes-cjk", "中" * 5462),
    ("20000-bytes", "v" * 20000),
]


def state_cases(present: bool) -> list[Case]:
    """``setState``'s state (R-S3, R-X3).  ``present``: alice is in the channel and holds
    one key there (so 32 new keys make a union of 33)."""
    out = cases(
        -13003,
        [("empty-dict", {}), ("empty-list", []), ("empty-str", ""), ("int", 7), ("zero", 0),
         ("float", 1.5), ("true", True), ("false", False)],
        reason=EMPTY_STATE,
    )  # fmt: skip  # Object.keys(x) of these is []
    out += plain(TypeError, [("none", None)])  # Object.keys(null)
    out += [
        Case(f"key-{label}", {"mood": "new", k: "v"}, -13006) for label, k in BAD_KEYS
    ]  # a valid key first: a partial merge would show
    out += [Case(f"key-{label}", {"mood": "new", k: "v"}, -13008) for label, k in LONG_KEYS]
    out += [Case(f"value-{label}", {"mood": "new", "long": v}, -13009) for label, v in LONG_VALUES]
    out += plain(
        TypeError,
        [(f"value-{label}", {"mood": "new", "bad": v})
         for label, v in [("bytes", b"v"), ("set", {"v"}), ("object", OBJ)]],
    )  # fmt: skip  # api.md: a value JSON cannot carry
    out += [
        Case("33-keys", keys("k", 33), -13005),
        Case("33-keys-one-bad", {**keys("k", 32), "_bad": "v"}, -13005),  # count first
        Case("bad-key-before-long-value", {"_bad": "v" * 20000}, -13006),
        Case("long-value-before-bad-key", {"a": "v" * 20000, "_bad": "v"}, -13009),
        Case("long-key-with-long-value", {"k" * 33: "v" * 20000}, -13008),  # key first
    ]
    if present:
        out.append(Case("32-new-keys-union-33", keys("n", 32), -13005))
    return out


def remove_cases(*, keyword: bool) -> list[Case]:
    """``removeState``'s ``states`` (R-S3 order: duplicates, count, keys; R-X3).

    As a keyword the list is the value; positionally it sits in ``{"states": ...}``.
    """
    wrap: Callable[[Any], Any] = (lambda v: v) if keyword else (lambda v: {"states": v})
    letters = string.ascii_letters[:33]
    out = [
        Case("dup", wrap(["seat", "seat"]), -13010),
        Case("dup-bad-keys", wrap(["_x", "_x"]), -13010),
        Case("33-dups", wrap(["z"] * 33), -13010),
        Case("33-distinct", wrap(list(keys("k", 33))), -13005),
        Case("33-distinct-one-bad", wrap([*keys("k", 32), "_x"]), -13005),
        Case("str-dup-chars", wrap("aa"), -13010),  # JS: the string's characters
        Case("str-33-chars", wrap(letters), -13005),
        Case("bad-then-long", wrap(["_x", "k" * 33]), -13006),
        Case("long-then-bad", wrap(["k" * 33, "_x"]), -13008),
    ]
    out += [Case(f"element-{label}", wrap(["seat", k]), -13006) for label, k in BAD_KEYS]
    out += [Case(f"element-{label}", wrap(["seat", k]), -13008) for label, k in LONG_KEYS]
    out += [
        Case(f"element-{label}", wrap(["seat", k]), -13006)
        for label, k in [("int", 7), ("none", None), ("true", True), ("list", ["k"])]
    ]
    out += plain(
        TypeError,
        [(f"states-{label}", wrap(v))
         for label, v in [("str", "ab"), ("empty-str", ""), ("int", 5), ("zero", 0),
                          ("false", False), ("dict", {"seat": 1})]],
    )  # fmt: skip  # states.forEach is not a function
    return out


NOT_BASE64: list[tuple[str, Any]] = [
    ("bang", "not base64 !!"),
    ("one-char", "a"),
    ("bad-padding", "dQ="),
    ("over-padded", "dQ==="),
    ("url-safe", "ab-_"),
    ("star", "*"),
    ("int", 5),
]


def page_cases() -> list[Case]:
    """R-Q3: on the server route ``atob(page)`` fails: a ValueError (R-X3)."""
    return plain(ValueError, NOT_BASE64)


APP_ID_CASES: list[tuple[str, Any]] = [
    ("empty", ""),
    ("31", "a" * 31),
    ("33", "a" * 33),
    ("dash", "a" * 31 + "-"),
    ("underscore", "a" * 31 + "_"),
    ("space", "a" * 31 + " "),
    ("e-acute", "a" * 31 + "é"),
    ("trailing-newline", "a" * 32 + "\n"),
    ("arabic-digit", "a" * 31 + "\u0663"),
    ("fullwidth", "\uff21" * 32),
    ("none", None),
    ("int", 12345),
    ("bytes", b"a" * 32),
    ("object", OBJ),
]

# ================================================================================= rows


@dataclass(frozen=True)
class Row:
    """One call that must fail in exactly one way and change nothing.

    ``method``: ``"subscribe"`` (on the client), ``"presence.who_now"``, ``"stream.join"``
    (on a handle of ``stream`` made first), ``"emu.client"``, ``"EmulatorConfig"``.
    ``code`` rows raise an ``RtmError`` with ``operation`` / ``reason`` / ``name``;
    ``exc`` rows raise that built-in exception and no ``RtmError`` (R-X3, R-C4, R-C5).
    """

    id: str
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    code: int | None
    operation: str
    reason: str
    name: str
    exc: type[Exception] | None = None
    shows: str = ""  # text the exception's message must contain (exc rows)
    sdk_plain: bool = True  # exc rows: the SDK's plain JS exception, so no RtmError (R-X3)
    caller: str = "alice"
    stream: str = "stage"
    world: str = "std"


def make_row(
    id: str,
    method: str,
    args: tuple[Any, ...],
    code: int | None = None,
    *,
    kwargs: dict[str, Any] | None = None,
    operation: str | None = None,
    reason: str | None = None,
    name: str | None = None,
    exc: type[Exception] | None = None,
    **extra: Any,
) -> Row:
    if code is None:
        assert exc is not None, id
        return Row(id, method, args, kwargs or {}, None, "", "", "", exc, **extra)
    default_reason, default_name = SDK_ERRORS[code]
    return Row(
        id,
        method,
        args,
        kwargs or {},
        code,
        operation or OPERATION[method],
        default_reason if reason is None else reason,
        default_name if name is None else name,
        **extra,
    )


#: how the matrix names an operation's home object (see :func:`target`)
PREFIX = {
    "rtm": "",
    "presence": "presence.",
    "history": "history.",
    "stream": "stream.",
    "storage": "storage.",
    "lock": "lock.",
}


def spellings(row: Operation) -> tuple[str, ...]:
    """The matrix's names of a table row: its Python spelling, then its SDK one."""
    return tuple(dict.fromkeys(PREFIX[row.home] + name for name in (row.python, row.sdk)))


def family(sdk: str) -> list[Operation]:
    """The table row named ``sdk`` and its aliases (``whoNow`` of ``getOnlineUsers``)."""
    rows = [r for r in OPERATIONS if sdk in (r.sdk, r.alias_of)]
    assert rows and operation(sdk) in rows, sdk
    return rows


def snake(sdk: str) -> tuple[str, ...]:
    """The Python spellings of a family, sorted."""
    return tuple(sorted(PREFIX[r.home] + r.python for r in family(sdk)))


def camel(sdk: str) -> tuple[str, ...]:
    """The SDK spellings of a family, sorted."""
    return tuple(sorted(PREFIX[r.home] + r.sdk for r in family(sdk)))


def spelled(sdk: str) -> tuple[str, ...]:
    """Every spelling of a family, sorted."""
    return tuple(sorted({*snake(sdk), *camel(sdk)}))


#: every spelling of every table row -> the SDK ``operation`` its errors carry, and the
#: harness's constructor of a client (the SDK's ``new RTM``)
OPERATION = {
    **{name: row.operation for row in OPERATIONS for name in spellings(row)},
    "emu.client": "initRTM",
}
WHO_NOW_SNAKE = snake("getOnlineUsers")
WHO_NOW_CAMEL = camel("getOnlineUsers")
WHO_NOW = (*WHO_NOW_SNAKE, *WHO_NOW_CAMEL)
WHERE_NOW = spelled("getUserChannels")
SET_STATE = spelled("setState")
GET_STATE = spelled("getState")
REMOVE_STATE = spelled("removeState")
REMOVE_STATE_SNAKE, REMOVE_STATE_CAMEL = snake("removeState"), camel("removeState")
STREAM_HANDLE = spelled("createStreamChannel")
LISTENER_METHODS = spelled("addEventListener")
(SUBSCRIBE,) = spelled("subscribe")
(UNSUBSCRIBE,) = spelled("unsubscribe")
(JOIN,) = spelled("join")
(LEAVE,) = spelled("leave")
(LOGIN,) = spelled("login")
#: a valid argument for alice in the world, by SDK parameter name (the options left out)
SESSION_ARGS: dict[str, Any] = {
    "channelName": "room",
    "channelType": "MESSAGE",
    "userId": "bob",
    "state": {"k": "v"},
}
#: the messaging rows (R-M...): their bad input, lifecycle and rate cases are pinned
#: against the real SDK by the oracle (clients/js/test/oracle/cases-messaging.js, both
#: legs) and by tests/engine/test_messaging.py / test_topics.py, not by this matrix
#: the storage rows (R-ST...) likewise: tests/engine/test_storage.py pins them; the lock
#: rows (R-LK...): tests/engine/test_locks.py; the token rows (R-TK...):
#: tests/engine/test_tokens.py
MESSAGING = {
    row
    for row in OPERATIONS
    if all(rule.startswith(("R-M", "R-ST", "R-LK", "R-TK")) for rule in row.rules)
}
MESSAGING_NAMES = {name for row in MESSAGING for name in spellings(row)}
#: the codes the messaging rows raise (R-M1 .. R-M18), which junk may meet
MESSAGING_CODES = {
    -11003, -11008, -11009, -11010, -11013, -11014, -11016, -11017, -11029, -11030, -11033,
    -15002, -15004, -15005,
    -12002, -12003, -12005, -12006, -12007, -12008, -12009, -12010, -12011, -12012,
    -12015, -12017,
    -14001, -14003, -14004, -14005, -14006, -14007, -14008,
}  # fmt: skip
#: every call that needs a session (the table's ``needs_login`` rows: -10025 while the
#: link is IDLE), with its required arguments valid for alice in the world
SESSION_CALLS: dict[str, tuple[Any, ...]] = {
    name: tuple(SESSION_ARGS[p.sdk] for p in row.params if p.required)
    for row in OPERATIONS
    if row.needs_login and row not in MESSAGING
    for name in spellings(row)
}
#: the limiter key of each rate-limited spelling of a session call (R-C6); the rows
#: others are aliases of (getOnlineUsers / getUserChannels) re-label the error with
#: their own name (agora-rtm.js 2.3.0, PresenceImpl.getOnlineUsers)
RATE_OPERATION = {
    name: row.operation if row.sdk in {r.alias_of for r in OPERATIONS} else row.rate_key
    for row in OPERATIONS
    if row.rate_key is not None
    for name in spellings(row)
    if name in SESSION_CALLS
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
    label: str = ""  # for the row id, when ``name`` is not enough


@dataclass
class Sig:
    """An entry point's arguments, in signature order."""

    method: str
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
                elif i == j or other.valid is not None:
                    kwargs[other.name] = value
            while args and args[-1] is _OMIT:
                args.pop()
            yield make_row(
                f"{sig.method}[{param.label or param.name}={case.label}]",
                sig.method,
                tuple(args),
                case.code,
                kwargs=kwargs,
                reason=case.reason,
                exc=case.exc,
                **sig.extra,
            )


_OMIT = object()  # an optional trailing argument left out


def argument_signatures() -> Iterator[Sig]:
    """Every entry point with every argument and its bad values."""
    name, ctype = channel_name_cases(), channel_type_cases()
    # --- the client
    yield Sig(SUBSCRIBE, [Param("channel_name", "attic", name)])
    yield Sig(UNSUBSCRIBE, [Param("channel_name", "attic", name)])
    for method in STREAM_HANDLE:
        yield Sig(method, [Param("channel_name", "attic", name)])
    listeners = plain(
        TypeError,
        [("none", None), ("int", 7), ("str", "print"), ("bytes", b"f"), ("list", [listener]),
         ("dict", {}), ("object", OBJ)],
    )  # fmt: skip  # R-C5: the SDK's EventEmitter refuses a non-function
    for method in LISTENER_METHODS:
        yield Sig(method, [Param("event_name", "presence", []), Param("listener", listener,
                                                                      listeners)])  # fmt: skip
    # --- presence
    conflict = Case(
        "uid-false-state-true",
        {"includedUserId": False, "includedState": True},
        -13003,
        reason=UID_FALSE_STATE_TRUE,
    )
    for method in WHO_NOW:
        for channel in ("room", "den"):  # local route / server route (R-Q2, R-Q3)
            options = [conflict]
            if channel == "den":
                options += [replace(c, value={"page": c.value}) for c in page_cases()]
                options += [
                    replace(c, label=f"{c.label}-with-state",
                            value={"page": c.value, "includedState": True})
                    for c in page_cases()
                ]  # fmt: skip
            params = [
                Param("channel_name", channel, name if channel == "room" else []),
                Param("channel_type", "MESSAGE", ctype if channel == "room" else []),
            ]
            if method in WHO_NOW_CAMEL:
                params.append(Param(f"options@{channel}", _OMIT, options))
            else:
                params += [
                    Param("include_user_id", None, [], kw=True),
                    Param("include_state", None, [], kw=True),
                    Param("page", None, page_cases() if channel == "den" else [],
                          kw=True, label=f"page@{channel}"),
                ]  # fmt: skip
            yield Sig(method, params)
        if method in WHO_NOW_SNAKE:
            yield Sig(
                method,
                [Param("channel_name", "room", []), Param("channel_type", "MESSAGE", []),
                 Param("include_user_id", False, [], kw=True),
                 Param("include_state", None, [replace(conflict, value=True)], kw=True)],
            )  # fmt: skip
    for method in WHERE_NOW:
        yield Sig(method, [Param("user_id", "bob", user_id_cases(empty_is_self=True))])
    for method in SET_STATE:
        yield Sig(
            method,
            [
                Param("channel_name", "room", name),
                Param("channel_type", "MESSAGE", ctype),
                Param("state", {"k": "v"}, state_cases(present=True)),
            ],
        )
        for channel, channel_type, present in (
            ("stage", "STREAM", True),
            ("attic", "MESSAGE", False),
            ("porch", "STREAM", False),
        ):
            yield Sig(
                method,
                [
                    Param("channel_name", channel, []),
                    Param("channel_type", channel_type, []),
                    Param(f"state@{channel}/{channel_type}", {}, state_cases(present)),
                ],
            )
    for method in GET_STATE:
        yield Sig(
            method,
            [
                Param("user_id", "bob", user_id_cases()),
                Param("channel_name", "room", name),
                Param("channel_type", "MESSAGE", ctype),
            ],
        )
    for method in REMOVE_STATE:
        for channel, channel_type in (("room", "MESSAGE"), ("attic", "MESSAGE")):
            params = [
                Param("channel_name", channel, name if channel == "room" else []),
                Param("channel_type", channel_type, ctype if channel == "room" else []),
            ]
            if method in REMOVE_STATE_SNAKE:
                params.append(Param("states", None, remove_cases(keyword=True), kw=True,
                                    label=f"states@{channel}"))  # fmt: skip
            else:
                params.append(Param(f"options@{channel}", _OMIT, remove_cases(keyword=False)))
            yield Sig(method, params)
    # --- creating a client (R-C1, R-C2)
    yield Sig(
        "emu.client",
        [
            Param("user_id", "newbie", user_id_cases()),
            Param("app_id", APP, cases(-10003, APP_ID_CASES), kw=True),
        ],
    )


def client_rows() -> Iterator[Row]:
    """``emu.client``: the user id is checked after the app id (-10003 first)."""
    for label, value in APP_ID_CASES:
        yield make_row(
            f"emu.client[app_id={label},user_id=_bad]",
            "emu.client",
            ("_bad",),
            -10003,
            kwargs={"app_id": value},
        )


def config_rows() -> Iterator[Row]:
    """R-C4: EmulatorConfig refuses out-of-range values with a ValueError naming the field."""
    bad: dict[str, list[Any]] = {
        "announce_max": [7, 129, 0, -1, 1000],
        "interval": [9.999, 300.001, 5, 0, -5],
        "debounce": [-0.001, -1],
    }
    for name, values in bad.items():
        for value in values:
            yield make_row(
                f"EmulatorConfig[{name}={value!r}]",
                "EmulatorConfig",
                (),
                kwargs={name: value},
                exc=ValueError,
                shows=name,
                sdk_plain=False,  # harness misuse, not an SDK call (api.md)
            )


def lifecycle_rows() -> Iterator[Row]:
    """R-X1: before login / after logout -10025, a channel type -10019 first; while the
    link is down (or FAILED) the queries of others and subscribe are -10025, and the
    local calls still check their arguments (R-T3).  A stream join / leave checks only
    that the link is not IDLE: while down a join resolves, and a leave is -11001 for a
    channel not joined (agora-rtm.js 2.3.0, StreamChannelImpl.join / leave; oracle cases
    link.DISCONNECTED.stream-leave, link.FAILED.stream-leave)."""
    for caller, state in LIFECYCLE.items():
        for method, args in SESSION_CALLS.items():
            local = method in (*SET_STATE, *REMOVE_STATE)
            if state != "idle" and local:
                continue  # they succeed locally while down (R-T3)
            if method == SUBSCRIBE and caller == "lapsed":
                continue  # more than heartbeatInterval since login: queued (R-T3)
            if method == JOIN and state != "idle":
                continue  # resolves while the link is not IDLE (test_connection.py)
            stream = "stage" if caller in ("offline", "lapsed") else "porch"
            label, code = "valid", -10025
            if method == LEAVE and state != "idle":
                stream = "porch"  # not joined (a leave of dan's joined stage resolves)
                label, code = "not-joined", -11001
            variants: list[tuple[str, tuple[Any, ...], int]] = [(label, args, code)]
            if method.startswith("presence.") and method not in WHERE_NOW:
                type_at = 2 if method in GET_STATE else 1
                name_at = type_at - 1
                bad_name = list(args)
                bad_name[name_at] = "_bad/name"
                variants.append(("bad-name", tuple(bad_name), -10025))
                bad_type = list(args)
                bad_type[type_at] = "USER"
                variants.append(("bad-type", tuple(bad_type), -10019))  # type first
                both = list(bad_name)
                both[type_at] = "USER"
                variants.append(("bad-name-and-type", tuple(both), -10019))
            if method in WHERE_NOW or method in GET_STATE:
                variants.append(("bad-uid", ("a.b", *args[1:]), -10025))
            if method in SET_STATE:
                variants += [("empty-state", ("room", "MESSAGE", {}), -10025),
                             ("bad-key", ("room", "MESSAGE", {"_k": 1}), -10025),
                             ("null-state", ("room", "MESSAGE", None), -10025)]  # fmt: skip
            if method in REMOVE_STATE_CAMEL:
                variants.append(("dup", ("room", "MESSAGE", {"states": ["a", "a"]}), -10025))
            if method == SUBSCRIBE:
                variants.append(("bad-name", ("_bad/name",), -10025))
            for label, call_args, code in variants:
                yield make_row(
                    f"lifecycle-{caller}:{method}[{label}]",
                    method,
                    call_args,
                    code,
                    caller=caller,
                    stream=stream,
                )
        # getState of oneself: IDLE needs a session; down / FAILED work locally
        if state == "idle":
            uid = {"never": "never", "gone": "gone"}[caller]
            for method in GET_STATE:
                yield make_row(f"lifecycle-{caller}:{method}[self]", method,
                               (uid, "room", "MESSAGE"), -10025, caller=caller)  # fmt: skip
        # the calls that run without a session still check their arguments
        checks: list[tuple[str, tuple[Any, ...], int | None, type[Exception] | None]] = [
            ("unsubscribe", ("_bad",), -10008, None),
            *[(m, ("a.b",), -10008, None) for m in STREAM_HANDLE],
            *[(m, ("presence", None), None, TypeError) for m in LISTENER_METHODS],
        ]
        if state != "idle":
            uid = {"kicked": "kim", "offline": "dan", "lapsed": "tina"}[caller]
            checks += [
                *[(m, ("_bad", "MESSAGE", {"k": "v"}), -10008, None) for m in SET_STATE],
                *[(m, ("room", "MESSAGE", {}), -13003, None) for m in SET_STATE],
                *[(m, ("room", "MESSAGE", {"_k": "v"}), -13006, None) for m in SET_STATE],
                *[(m, ("room", "MESSAGE", keys("k", 33)), -13005, None) for m in SET_STATE],
                *[(m, ("room", "MESSAGE", None), None, TypeError) for m in SET_STATE],
                ("presence.removeState", ("room", "MESSAGE", {"states": ["a", "a"]}), -13010,
                 None),
                ("presence.remove_state", ("_bad", "MESSAGE"), -10008, None),
                *[(m, (uid, "_bad", "MESSAGE"), -10008, None) for m in GET_STATE],
                *[(m, (uid, "room", "USER"), -10019, None) for m in GET_STATE],
                *[(m, ("", "room", "MESSAGE"), -10025, None) for m in GET_STATE],  # not self
            ]  # fmt: skip
        for method, call_args, code, exc in checks:
            reason = EMPTY_STATE if code == -13003 else None
            yield make_row(
                f"lifecycle-{caller}:{method}[{ascii(call_args)[:40]}]",
                method,
                call_args,
                code,
                reason=reason,
                exc=exc,
                caller=caller,
            )


def rule_rows() -> Iterator[Row]:
    """Limits and routes: -11001, -11005 (two classes), -11021, -11007, -13004, -13011,
    and the rate limits (-10021, checked first)."""
    for channel in ("attic", "porch", "room", "lobby"):
        yield make_row(f"stream.leave[not-joined-{channel}]", "stream.leave", (), -11001,
                       stream=channel)  # fmt: skip
    yield make_row("stream.leave[eve-not-joined-stage]", "stream.leave", (), -11001,
                   caller="eve")  # fmt: skip
    yield make_row("subscribe[full-channel]", "subscribe", ("room",), -11021, caller="eve")
    yield make_row("stream.join[full-channel]", "stream.join", (), -11007, caller="eve")
    # busy: 50 channels (MESSAGE + STREAM), 10 stream channels, 101 cache entries
    yield make_row("subscribe[51st-channel]", "subscribe", ("attic",), -11005, name=LIMIT,
                   world="busy")  # fmt: skip
    yield make_row("subscribe[bad-name-at-limit]", "subscribe", ("_attic",), -10008,
                   world="busy")  # fmt: skip
    yield make_row("stream.join[11th-stream-channel]", "stream.join", (), -11005,
                   name=UNAVAILABLE, stream="attic", world="busy")  # fmt: skip
    yield make_row("stream.join[11th-rejoin-of-a-joined-one]", "stream.join", (), -11005,
                   name=UNAVAILABLE, stream="s00", world="busy")  # fmt: skip
    for method in SET_STATE:
        for channel, channel_type in (
            ("attic", "MESSAGE"),
            ("attic", "STREAM"),
            ("room", "MESSAGE"),  # a channel she is in: refused too (R-S4)
            ("c00", "MESSAGE"),  # a channel already cached
        ):
            yield make_row(
                f"{method}[cache-full@{channel}/{channel_type}]",
                method,
                (channel, channel_type, {"k": "v"}),
                -13004,
                world="busy",
            )
        yield make_row(f"{method}[cache-full-bad-key]", method, ("attic", "MESSAGE", {"_k": 1}),
                       -13004, world="busy")  # fmt: skip  # cache before keys
        yield make_row(f"{method}[cache-full-33-keys]", method,
                       ("attic", "MESSAGE", keys("k", 33)), -13005, world="busy")  # fmt: skip
        yield make_row(f"{method}[cache-full-empty]", method, ("attic", "MESSAGE", {}), -13003,
                       reason=EMPTY_STATE, world="busy")  # fmt: skip
        yield make_row(f"{method}[hall-union-33]", method, ("hall", "MESSAGE", {"new": "v"}),
                       -13005)  # fmt: skip  # 32 cached keys + 1 (R-S3 union)
    for method in GET_STATE:
        for label, uid, channel, channel_type in [
            ("never-there", "ghost", "room", "MESSAGE"),
            ("quiet", "quinn", "room", "MESSAGE"),
            ("quiet-stream", "quinn", "stage", "STREAM"),
            ("timed-out", "tina", "room", "MESSAGE"),
            ("in-no-channel", "eve", "room", "MESSAGE"),
            ("never-logged-in", "never", "room", "MESSAGE"),
            ("other-app", "oscar", "room", "MESSAGE"),
            ("stream", "eve", "stage", "STREAM"),
        ]:
            yield make_row(f"{method}[inexistent-{label}]", method, (uid, channel, channel_type),
                           -13011)  # fmt: skip  # local route (R-Q6)
    # rate limits (R-C6): alice used up every key; -10021 comes before everything
    for method in RATE_OPERATION:
        args = SESSION_CALLS[method]
        if method == SUBSCRIBE:
            args = ("m20",)
        stream = "porch"
        yield make_row(f"rate:{method}[valid]", method, args, -10021,
                       operation=RATE_OPERATION[method], stream=stream, world="rate")  # fmt: skip
        if method.startswith("presence.") and method not in WHERE_NOW:
            type_at = 2 if method in GET_STATE else 1
            bad = list(args)
            bad[type_at] = "USER"
            bad[type_at - 1] = "_bad"
            yield make_row(f"rate:{method}[bad-type-and-name]", method, tuple(bad), -10021,
                           operation=RATE_OPERATION[method], world="rate")  # fmt: skip
        if method in WHERE_NOW:
            yield make_row(f"rate:{method}[bad-uid]", method, ("a.b",), -10021,
                           operation=RATE_OPERATION[method], world="rate")  # fmt: skip
    yield make_row("rate:subscribe[bad-name]", "subscribe", ("_bad",), -10021, world="rate")


def all_rows() -> list[Row]:
    rows = [row for sig in argument_signatures() for row in expand(sig)]
    rows += [*client_rows(), *config_rows(), *lifecycle_rows(), *rule_rows()]
    return rows


ROWS = all_rows()


# ============================================================================== running


def target(world: World, method: str, caller: str, stream: str) -> Callable[..., Any]:
    """The bound callable a row (or a Hypothesis example) calls."""
    if method.startswith("emu."):
        return getattr(world.emu, method[4:])  # type: ignore[no-any-return]
    if method in ("EmulatorConfig", "RTMConfig"):
        return {"EmulatorConfig": EmulatorConfig, "RTMConfig": RTMConfig}[method]
    client = world.clients[caller]
    if method.startswith("stream."):
        return getattr(client.create_stream_channel(stream), method[7:])  # type: ignore[no-any-return]
    if method.startswith("presence."):
        return getattr(client.presence, method[9:])  # type: ignore[no-any-return]
    if method.startswith("history."):
        return getattr(client.history, method[8:])  # type: ignore[no-any-return]
    if method.startswith("storage."):
        return getattr(client.storage, method[8:])  # type: ignore[no-any-return]
    if method.startswith("lock."):
        return getattr(client.lock, method[5:])  # type: ignore[no-any-return]
    return getattr(client, method)  # type: ignore[no-any-return]


def call(world: World, row: Row) -> Any:
    return run(target(world, row.method, row.caller, row.stream)(*row.args, **row.kwargs))


def comparable(snap: dict[str, Any], method: str) -> dict[str, Any]:
    """A failed stream join may move that stream channel's own link (R-L4, §8)."""
    if method == JOIN:
        return {k: v for k, v in snap.items() if k != "stream_links"}
    return snap


def check_shape(err: RtmError) -> None:
    """Any RTM error: the SDK JSON, a known class, and the table's reason for its code."""
    assert err.error is True
    assert isinstance(err.error_code, ErrorCode), err
    info = err.to_dict()
    assert {"error", "code", "errorCode", "operation", "reason", "name"} <= set(info)
    assert set(info) - {"serverCode"} == {"error", "code", "errorCode", "operation", "reason",
                                          "name"}  # fmt: skip
    assert (True, int(err.code), int(err.code), err.operation, err.reason, err.name) == (
        info["error"],
        info["code"],
        info["errorCode"],
        info["operation"],
        info["reason"],
        info["name"],
    )
    assert type(info["code"]) is int
    assert info["name"] in {INVALID_ARG, LIMIT, STATUS, UNAVAILABLE}, info
    if err.code in SDK_ERRORS:
        assert err.reason.startswith(SDK_ERRORS[err.code][0]), info
    json.dumps(info)


_CANONICAL: dict[tuple[str, str], dict[str, Any]] = {}
_WORLDS: dict[str, World] = {}


def world_for(variant: str = "std", caller: str = "alice") -> tuple[World, dict[str, Any]]:
    """A world in its initial state, and its snapshot as seen by ``caller``.

    Building a world costs more than a row, so a world is reused while its snapshot
    still equals that of a fresh one: a row that passed changed nothing, and the first
    row after one that did change something (a bug) gets a new world.
    """
    key = (variant, caller)
    world = _WORLDS.get(variant)
    if world is not None and key in _CANONICAL:
        try:
            snap = world.snapshot(caller)
        except Exception:  # a bug left it broken; build a new one
            snap = None
        if snap == _CANONICAL[key]:
            return world, snap
    world = _WORLDS[variant] = World(variant)
    snap = world.snapshot(caller)
    assert snap == _CANONICAL.setdefault(key, snap), "the world is not deterministic"
    return world, snap


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_bad_input(row: Row) -> None:
    world, before = world_for(row.world, row.caller)
    if row.exc is not None:
        with pytest.raises(row.exc) as plain_info:
            call(world, row)
        if row.sdk_plain:
            assert not isinstance(plain_info.value, RtmError), repr(plain_info.value)
        assert row.shows in str(plain_info.value)
    else:
        with pytest.raises(RtmError) as info:
            call(world, row)
        err = info.value
        data = err.to_dict()
        reason = data["reason"]
        if row.code in PREFIX_REASONS:
            assert reason.startswith(row.reason), reason
            reason = row.reason
        expected = {
            "error": True,
            "code": row.code,
            "errorCode": row.code,
            "operation": row.operation,
            "reason": row.reason,
            "name": row.name,
        }
        assert expected == {**{k: v for k, v in data.items() if k != "serverCode"},
                            "reason": reason}  # fmt: skip
        assert (row.code, row.operation, row.name) == (err.code, err.operation, err.name)
        check_shape(err)
    after = world.snapshot(row.caller)
    assert comparable(before, row.method) == comparable(after, row.method), (
        "a failed call changed state or delivered an event"
    )
    world.emu.check_invariants()


#: the table rows no bad input can fail: logout (R-L2, test_logout_always_succeeds) and
#: removing a listener (R-C5); login's refusals (tokens, R-L3) are in test_errors.py
NEVER_REFUSED = {*spelled("login"), *spelled("logout"), *spelled("removeEventListener")}


def test_matrix_size_ids_and_coverage() -> None:
    """Ids are unique; every entry point, every R-X2 code in use and R-X3 are covered."""
    assert len({r.id for r in ROWS}) == len(ROWS)
    assert len(ROWS) >= 1500, len(ROWS)
    covered = {r.method for r in ROWS}
    assert {*OPERATION, "EmulatorConfig"} - NEVER_REFUSED - MESSAGING_NAMES == covered
    assert MATRIX_CODES == {r.code for r in ROWS if r.code is not None}
    assert {TypeError, ValueError} == {r.exc for r in ROWS if r.exc is not None}


def test_the_matrix_covers_every_operation_row() -> None:
    """Every spelling of every row of the surface table (``_surface.OPERATIONS``) gets
    junk (:data:`SIGNATURES`, with the Python signature's shape) and, unless no input
    can fail it (:data:`NEVER_REFUSED`), must-fail rows: an operation added to the table
    and forgotten here fails this test."""
    covered = {r.method for r in ROWS}
    for row in OPERATIONS:
        for name in spellings(row):
            assert name in SIGNATURES, name
            assert OPERATION[name] == row.operation
            assert (name in covered) != (name in NEVER_REFUSED | MESSAGING_NAMES), name
    assert NEVER_REFUSED <= set(OPERATION)


@pytest.mark.parametrize("name", sorted(n for r in OPERATIONS for n in spellings(r)))
def test_signatures_follow_the_python_methods(name: str) -> None:
    """The junk calls' shapes (derived from the table) are those of the Python methods."""
    fn = target(world_for()[0], name, "alice", "stage")
    params = inspect.signature(fn).parameters.values()
    positional = [p for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    required = sum(1 for p in positional if p.default is p.empty)
    keywords = tuple(p.name for p in params if p.kind is p.KEYWORD_ONLY)
    assert (required, len(positional) - required, keywords) == SIGNATURES[name]


#: successful calls, one per kind of change a failed call must not make
CHANGES: list[tuple[str, str, tuple[Any, ...], dict[str, Any], str]] = [
    ("state", "presence.setState", ("room", "MESSAGE", {"seat": "moved"}), {}, "alice"),
    ("state-quiet", "presence.setState", ("den", "MESSAGE", {"q": "2"}), {}, "bob"),
    ("cache", "presence.setState", ("attic", "MESSAGE", {"c": "1"}), {}, "alice"),
    ("cache-remove", "presence.removeState", ("lobby", "MESSAGE"), {}, "alice"),
    ("cache-offline", "presence.setState", ("attic", "MESSAGE", {"c": "1"}), {}, "offline"),
    ("enter", "subscribe", ("attic",), {}, "alice"),
    ("options", "subscribe", ("room",), {"be_quiet": True}, "alice"),
    ("leave", "stream.leave", (), {}, "alice"),
    ("unsubscribe", "unsubscribe", ("den",), {}, "bob"),
    ("login", "login", (), {}, "never"),
    ("logout", "logout", (), {}, "carol"),
    ("disconnect", "emu.disconnect", ("bob",), {}, "alice"),
    ("time", "emu.advance", (0.001,), {}, "alice"),
]


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "caller"), [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES]
)
def test_snapshot_sees_every_kind_of_change(
    method: str, args: tuple[Any, ...], kwargs: dict[str, Any], caller: str
) -> None:
    """The "nothing changed" check is not vacuous: each successful change shows."""
    world = World()
    before = world.snapshot(caller)
    run(target(world, method, caller, "stage")(*args, **kwargs))
    assert world.snapshot(caller) != before


@pytest.mark.parametrize("caller", [*LIFECYCLE, "alice", "kim", "oscar", "eve"])
def test_logout_always_succeeds(caller: str) -> None:
    """R-L2: logout resolves ``{timestamp: 0}`` in every lifecycle state, twice too."""
    world = World()
    client = world.clients[caller]
    assert {"timestamp": 0} == run(client.logout()).to_dict()
    assert {"timestamp": 0} == run(client.logout()).to_dict()
    world.emu.check_invariants()


@pytest.mark.parametrize("caller", ["never", "gone", "alice", "kicked", "offline", "lapsed"])
def test_unsubscribe_of_a_channel_not_entered_resolves(caller: str) -> None:
    """R-L5 / R-X1: unsubscribe resolves in every state (never -11002), changing nothing."""
    world = World()
    before = world.snapshot(caller)
    got = run(world.clients[caller].unsubscribe("attic"))
    assert {"timestamp": 0, "channelName": "attic"} == got.to_dict()
    assert before == world.snapshot(caller)


#: (label, method, args, kwargs, caller, (user, channel, type, expected state) or None)
ACCEPTED: list[tuple[str, str, tuple[Any, ...], dict[str, Any], str, Any]] = [
    ("channel-type-enum", "presence.whoNow", ("room", ChannelType.MESSAGE), {}, "alice", None),
    ("channel-type-enum-stream", "presence.get_state", ("bob", "stage", ChannelType.STREAM), {},
     "alice", None),
    ("channel-name-64", "subscribe", ("r" * 64,), {}, "alice", None),
    ("channel-name-null", "subscribe", ("null",), {}, "alice", None),
    ("channel-name-undefined", "subscribe", ("undefined",), {}, "alice", None),
    ("channel-name-space", "subscribe", (" ",), {}, "alice", None),
    ("channel-name-underscore-last", "subscribe", ("a_",), {}, "alice", None),
    ("channel-name-charset", "subscribe", ("!#$%&()+,-:;<=>?@[]^_{|}~",), {}, "alice", None),
    ("user-id-64", "emu.client", ("u" * 64,), {}, "alice", None),
    ("user-id-null", "emu.client", ("null",), {}, "alice", None),
    ("user-id-charset", "emu.client", (" !#$%&()+,-:;<=>?@[]^_{|}~",), {}, "alice", None),
    ("app-id-upper-alnum", "emu.client", ("x",), {"app_id": "0123456789ABCDEFGHIJKLMNOPQRSTUV"},
     "alice", None),
    ("where-now-empty-is-self", "presence.whereNow", ("",), {}, "alice", None),
    ("key-space", "presence.setState", ("room", "MESSAGE", {"a b": "v"}), {}, "alice",
     ("alice", "room", "MESSAGE", {"seat": "alice", "a b": "v"})),
    ("key-null", "presence.setState", ("room", "MESSAGE", {"null": "v"}), {}, "alice", None),
    ("key-underscore-inside", "presence.setState", ("room", "MESSAGE", {"a_b": "v"}), {},
     "alice", None),
    ("key-charset", "presence.setState", ("room", "MESSAGE", {"!#$%&()+,-:;<=>?@[]^_{|}~": 1}),
     {}, "alice", None),
    ("value-empty-string", "presence.setState", ("room", "MESSAGE", {"k": ""}), {}, "alice",
     ("alice", "room", "MESSAGE", {"seat": "alice", "k": ""})),
    ("remove-no-options", "presence.removeState", ("room", "MESSAGE"), {}, "alice",
     ("alice", "room", "MESSAGE", {})),
    ("key-32-bytes", "presence.setState", ("room", "MESSAGE", {"k" * 32: "v"}), {}, "alice",
     ("alice", "room", "MESSAGE", {"seat": "alice", "k" * 32: "v"})),
    ("value-16384-bytes", "presence.setState", ("room", "MESSAGE", {"k": "é" * 8192}), {},
     "alice", ("alice", "room", "MESSAGE", {"seat": "alice", "k": "é" * 8192})),
    ("value-8193-bytes", "presence.setState", ("room", "MESSAGE", {"k": "v" * 8193}), {},
     "alice", None),
    ("values-not-type-checked", "presence.setState",
     ("room", "MESSAGE", {"i": 1, "f": 1.5, "b": False, "n": None, "l": ["v"], "d": {"x": 1}}),
     {}, "alice",
     ("alice", "room", "MESSAGE",
      {"seat": "alice", "i": 1, "f": 1.5, "b": False, "n": None, "l": ["v"], "d": {"x": 1}})),
    ("state-as-string", "presence.setState", ("room", "MESSAGE", "abc"), {}, "alice",
     ("alice", "room", "MESSAGE", {"seat": "alice", "0": "a", "1": "b", "2": "c"})),
    ("31-new-keys-make-32", "presence.setState", ("room", "MESSAGE", keys("k", 31)), {},
     "alice", None),
    ("32-keys-cached", "presence.setState", ("attic", "MESSAGE", keys("k", 32)), {}, "alice",
     None),
    ("overwrite-at-32", "presence.setState", ("hall", "MESSAGE", {"h0": "x"}), {}, "alice",
     None),
    ("remove-absent-key", "presence.removeState", ("room", "MESSAGE", {"states": ["zz"]}), {},
     "alice", None),
    ("remove-32-keys", "presence.removeState", ("hall", "MESSAGE", {"states": list(keys("h", 32))}),
     {}, "alice", None),
    ("remove-empty-list", "presence.removeState", ("room", "MESSAGE", {"states": []}), {},
     "alice", ("alice", "room", "MESSAGE", {})),
    ("remove-tuple", "presence.remove_state", ("room", "MESSAGE"), {"states": ("seat",)},
     "alice", ("alice", "room", "MESSAGE", {})),
    ("who-now-local-page-ignored", "presence.whoNow", ("room", "MESSAGE", {"page": "!!"}), {},
     "alice", None),
    ("who-now-count-only-page-ignored", "presence.whoNow",
     ("den", "MESSAGE", {"includedUserId": False, "page": "!!"}), {}, "alice", None),
    ("who-now-page-empty", "presence.whoNow", ("den", "MESSAGE", {"page": ""}), {}, "alice",
     None),
    ("who-now-page-whitespace", "presence.whoNow", ("den", "MESSAGE", {"page": " dTQ5\n"}), {},
     "alice", None),
    ("who-now-options-not-an-object", "presence.whoNow", ("den", "MESSAGE", "str"), {}, "alice",
     None),
    ("who-now-unknown-option", "presence.whoNow", ("den", "MESSAGE", {"foo": 1}), {}, "alice",
     None),
    ("get-state-rpc-route-absent-user", "presence.getState", ("ghost", "room", "MESSAGE"), {},
     "carol", None),
    ("get-state-not-in-channel-absent-user", "presence.getState", ("ghost", "attic", "MESSAGE"),
     {}, "alice", None),
    ("re-subscribe", "subscribe", ("room",), {}, "alice", None),
    ("listener-any-event-name", "addEventListener", ("tokenPrivilegeWillExpire", listener), {},
     "alice", None),
    ("listener-unknown-event-name", "add_event_listener", ("Presence", listener), {}, "alice",
     None),
    ("login-again", "login", (), {}, "alice", None),
    ("emulator-config-bounds-low", "EmulatorConfig", (),
     {"announce_max": 8, "interval": 10, "debounce": 0}, "alice", None),
    ("emulator-config-bounds-high", "EmulatorConfig", (), {"announce_max": 128, "interval": 300},
     "alice", None),
    ("rtm-config-clamped", "RTMConfig", (), {"presence_timeout": 10_000, "heartbeat_interval": 0},
     "alice", None),
    ("client-config-unknown-keys", "emu.client", ("x",), {"config": {"bogus": 1, "logLevel": 2}},
     "alice", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "caller", "stored"),
    [a[1:] for a in ACCEPTED],
    ids=[a[0] for a in ACCEPTED],
)
def test_accepted(
    method: str, args: tuple[Any, ...], kwargs: dict[str, Any], caller: str, stored: Any
) -> None:
    """Values at the edges that must be accepted (the matrix is not rejecting everything)."""
    world = World()
    run(target(world, method, caller, "stage")(*args, **kwargs))
    if stored is not None:
        user, channel, ctype, state = stored
        assert state == world.emu.state_of(user, channel, ctype)
    world.emu.check_invariants()


def test_accepted_in_the_busy_world() -> None:
    """At 50 channels re-subscribing is exempt (R-L4); removeState is never refused by the
    full cache (R-S4)."""
    world = World("busy")
    alice = world.clients["alice"]
    run(alice.subscribe("room"))
    run(alice.subscribe("m00"))
    run(alice.presence.removeState("room", "MESSAGE"))
    run(alice.presence.removeState("attic", "MESSAGE", {"states": ["k"]}))
    assert {} == world.emu.state_of("alice", "room", "MESSAGE")
    world.emu.check_invariants()


# ======================================================== nothing but the SDK's failures

_PLAUSIBLE = [
    "room",
    "stage",
    "attic",
    "den",
    "bob",
    "alice",
    "",
    "MESSAGE",
    "STREAM",
    "USER",
    ChannelType.MESSAGE,
    ChannelType.STREAM,
    "presence",
    "linkState",
    APP,
    OTHER_APP,
    "dTQ5",
    listener,
    {"withPresence": False},
    {"beQuiet": True},
    {"includedState": True},
    {"includedUserId": False},
    {"page": "dTQ5"},
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
    "room\n",
    "é" * 33,
    "k" * 33,
    "v" * 16385,
    "null",
    "_x",
    "a.b",
    -0.0,
    5e-324,
    1e308,
    math.inf,
    math.nan,
    2**63,
    10**400,
]
_scalars = st.one_of(
    st.sampled_from(_EXTREMES),
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(st.characters(), max_size=40),
    st.binary(max_size=10),
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
def signature(row: Operation, name: str) -> tuple[int, int, tuple[str, ...]]:
    """A spelling's (required positional, optional positional, keyword names), from the
    table: parameters without a Python default are required; the Python spelling also
    takes the keyword options."""
    required = sum(1 for p in row.params if p.default == REQUIRED)
    python = name == PREFIX[row.home] + row.python
    keywords = tuple(o.python for o in row.options if o.keyword) if python else ()
    return required, len(row.params) - required, keywords


#: method -> (required positional, optional positional, keyword names): every spelling
#: of every table row, and the harness's constructors
SIGNATURES: dict[str, tuple[int, int, tuple[str, ...]]] = {
    **{name: signature(row, name) for row in OPERATIONS for name in spellings(row)},
    "emu.client": (1, 0, ("app_id", "config")),
    "EmulatorConfig": (0, 0, ("announce_max", "interval", "debounce", "max_channel_users")),
    "RTMConfig": (0, 0, ("presence_timeout", "heartbeat_interval")),
}


#: the codes ``renewToken`` refuses junk with: its format check runs on every token,
#: none too (R-TK1: -10005, another app's token -10016)
TOKEN_CODES = {-10005, -10016}
#: R-X2 "codes in use"; the harness (configs, a client's config) may also raise ConfigError
CODES_IN_USE = MATRIX_CODES | MESSAGING_CODES | TOKEN_CODES | {-10017, -10027}
HARNESS = {"emu.client", "EmulatorConfig", "RTMConfig"}


@st.composite
def junk_calls(draw: st.DrawFn) -> tuple[str, str, str, tuple[Any, ...], dict[str, Any]]:
    method = draw(st.sampled_from(sorted(SIGNATURES)))
    required, optional, keywords = SIGNATURES[method]
    n = required + draw(st.integers(0, optional))
    args = tuple(draw(JUNK) for _ in range(n))
    names = draw(st.lists(st.sampled_from(keywords), unique=True)) if keywords else []
    kwargs = {name: draw(JUNK) for name in names}
    # a failed login from IDLE may move the link (the SDK's login flow): alice only
    callers = ["alice"] if method == LOGIN else ["alice", "alice", "alice", *LIFECYCLE]
    caller = draw(st.sampled_from(callers))
    stream = draw(st.sampled_from(["stage", "room", "attic"]))
    return method, caller, stream, args, kwargs


@settings(
    max_examples=250,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(junk_calls())
def test_junk_fails_only_the_sdk_way(
    example: tuple[str, str, str, tuple[Any, ...], dict[str, Any]],
) -> None:
    """Any call succeeds or raises RtmError / TypeError / ValueError (R-X3), and a failed
    call changed nothing."""
    method, caller, stream, args, kwargs = example
    world, before = world_for("std", caller)
    fn = target(world, method, caller, stream)
    try:
        run(fn(*args, **kwargs))
    except RtmError as err:
        check_shape(err)
        if method not in HARNESS:
            assert err.code in CODES_IN_USE, err  # never -10002 / -11002 / -13007 / -10014
        assert comparable(before, method) == comparable(world.snapshot(caller), method)
    except (TypeError, ValueError):
        assert comparable(before, method) == comparable(world.snapshot(caller), method)
    world.emu.check_invariants()
