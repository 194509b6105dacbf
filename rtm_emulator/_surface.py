"""The declared SDK surface: every operation, every control verb and the shared constants.

This module is data.  Each SDK operation is one :class:`Operation` row of
:data:`OPERATIONS`, each verb of the server's control API one :class:`Control` row of
:data:`CONTROL`, and the limits the adapters need are in :data:`CONSTANTS` (imported
from the one module that owns each).  The adapters are derived from these tables:

- the Python client (``client.py``) names its errors' ``operation`` from the row, and
  tests/surface checks that both spellings of every row exist with these parameters;
- the server's dispatch (``server/_hub.py``: the RTM methods, their argument counts,
  the control methods and ``METHODS``);
- the JS client (``clients/js``), through ``clients/js/manifest.json``, which
  :func:`manifest` renders and ``python3 -m rtm_emulator._surface --manifest`` writes;
- the conformance step vocabulary, the Hypothesis strategies and the bad-input matrix.

Adding an operation means one row here plus its engine method; tests/surface fails until
the Python methods, the server method, the JS method and its typing exist.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from ._config import (
    BUFFER_LIMIT,
    DEFAULT_APP_ID,
    MAX_FRAME_BYTES,
    RATE_LIMITS,
    RATE_WINDOW_MS,
)
from ._engine import MESSAGE_CHANNEL_COUNT, STREAM_CHANNEL_COUNT
from ._ids import MAX_NAME_CHARS
from ._state_checks import MAX_CACHE_ENTRIES, MAX_KEY_BYTES, MAX_STATE_KEYS, MAX_VALUE_BYTES

__all__ = [
    "CONSTANTS",
    "CONTROL",
    "EVENT_NAMES",
    "FIRED_EVENT_NAMES",
    "OPERATIONS",
    "SESSION_METHODS",
    "Control",
    "ControlParam",
    "Operation",
    "Option",
    "Param",
    "control",
    "manifest",
    "manifest_text",
    "operation",
]

#: A parameter without a Python default (the marker of :attr:`Param.default`).
REQUIRED: Final = "<required>"

#: Where an operation lives: ``rtm`` (the client), ``presence`` (``rtm.presence``),
#: ``stream`` (a stream-channel handle, ``rtm.createStreamChannel(name)``).
Home = Literal["rtm", "presence", "stream"]


@attrs.frozen
class Param:
    """One positional parameter of an operation.

    ``required``: the SDK's signature requires it (the server fills a missing one with
    ``null``, as JavaScript passes ``undefined``).  ``default``: the Python default
    (:data:`REQUIRED` for none); ``""`` for ``user_id`` means the caller.
    """

    sdk: str
    python: str
    required: bool = True
    default: object = REQUIRED


@attrs.frozen
class Option:
    """One key of an operation's options object.

    ``keyword``: the Python spelling also takes it as a keyword-only argument named
    ``python`` (``with_presence=False``).
    """

    sdk: str
    python: str
    keyword: bool = False


@attrs.frozen
class Operation:
    """One SDK operation (one spelling of it: an alias is a row of its own).

    Attributes:
        sdk: the SDK's method name (``whoNow``), also the Python SDK spelling.
        python: the Python spelling (``who_now``).
        home: the object it lives on (:data:`Home`).
        params: its positional parameters, in order.
        options: the keys of its options object (the parameter named ``options``).
        operation: the ``operation`` its errors carry (``presenceSetState``).
        rate_key: its R-C6 limiter key (a key of ``RATE_LIMITS``), ``None`` for none.
        wire: the server method (``presence.whoNow``), ``None`` for a local operation.
        rules: the semantics rule ids it implements.
        is_async: whether it returns an awaitable (a Promise in JS).
        alias_of: the SDK name of the row it is an alias of.
    """

    sdk: str
    python: str
    home: Home
    params: tuple[Param, ...]
    operation: str
    rules: tuple[str, ...]
    options: tuple[Option, ...] = ()
    rate_key: str | None = None
    wire: str | None = None
    is_async: bool = True
    alias_of: str | None = None

    @property
    def wire_params(self) -> tuple[str, ...]:
        """The SDK names of the server method's arguments (a stream call's channel first)."""
        head = ("channelName",) if self.home == "stream" else ()
        return head + tuple(p.sdk for p in self.params)

    @property
    def wire_required(self) -> int:
        """How many leading server arguments the SDK requires."""
        head = 1 if self.home == "stream" else 0
        return head + sum(1 for p in self.params if p.required)


_CHANNEL = Param("channelName", "channel_name")
_TYPE = Param("channelType", "channel_type")
_OPTIONS = Param("options", "options", required=False, default=None)
_LISTENER = (Param("eventName", "event_name"), Param("listener", "listener"))
_WHO_OPTIONS = (
    Option("includedUserId", "include_user_id", keyword=True),
    Option("includedState", "include_state", keyword=True),
    Option("page", "page", keyword=True),
)
_ENTRY_OPTIONS = (
    Option("withPresence", "with_presence", keyword=True),
    Option("beQuiet", "be_quiet", keyword=True),
    Option("withMetadata", "with_metadata"),
    Option("withLock", "with_lock"),
)

#: Every SDK operation, in documentation order.
OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "login",
        "login",
        "rtm",
        (_OPTIONS,),
        "login",
        ("R-L3", "R-T4", "R-C6"),
        options=(Option("token", "token", keyword=True),),
        rate_key="login",
        wire="login",
    ),
    Operation("logout", "logout", "rtm", (), "logout", ("R-L2",), wire="logout"),
    Operation(
        "subscribe",
        "subscribe",
        "rtm",
        (_CHANNEL, _OPTIONS),
        "subscribe",
        ("R-L1", "R-L4", "R-E1", "R-T3"),
        options=(*_ENTRY_OPTIONS[:2], Option("withMessage", "with_message"), *_ENTRY_OPTIONS[2:]),
        rate_key="subscribe",
        wire="subscribe",
    ),
    Operation(
        "unsubscribe",
        "unsubscribe",
        "rtm",
        (_CHANNEL,),
        "unsubscribe",
        ("R-L5", "R-S1", "R-E2"),
        wire="unsubscribe",
    ),
    Operation(
        "createStreamChannel",
        "create_stream_channel",
        "rtm",
        (_CHANNEL,),
        "createStreamChannel",
        ("R-C1", "R-L2"),
        is_async=False,
    ),
    Operation(
        "join",
        "join",
        "stream",
        (_OPTIONS,),
        "join",
        ("R-L1", "R-L4", "R-T3"),
        options=(*_ENTRY_OPTIONS[:2], Option("token", "token"), *_ENTRY_OPTIONS[2:]),
        rate_key="join",
        wire="streamChannel.join",
    ),
    Operation(
        "leave", "leave", "stream", (), "leave", ("R-L5", "R-E2"), wire="streamChannel.leave"
    ),
    Operation(
        "whoNow",
        "who_now",
        "presence",
        (_CHANNEL, _TYPE, _OPTIONS),
        "whoNow",
        ("R-Q1", "R-Q2", "R-Q3", "R-Q4"),
        options=_WHO_OPTIONS,
        rate_key="whoNow",
        wire="presence.whoNow",
        alias_of="getOnlineUsers",
    ),
    Operation(
        "getOnlineUsers",
        "get_online_users",
        "presence",
        (_CHANNEL, _TYPE, _OPTIONS),
        "getOnlineUsers",
        ("R-Q1", "R-Q2", "R-Q3", "R-Q4"),
        options=_WHO_OPTIONS,
        rate_key="whoNow",
        wire="presence.getOnlineUsers",
    ),
    Operation(
        "whereNow",
        "where_now",
        "presence",
        (Param("userId", "user_id", default=""),),
        "whereNow",
        ("R-Q5",),
        rate_key="whereNow",
        wire="presence.whereNow",
        alias_of="getUserChannels",
    ),
    Operation(
        "getUserChannels",
        "get_user_channels",
        "presence",
        (Param("userId", "user_id", default=""),),
        "getUserChannels",
        ("R-Q5",),
        rate_key="whereNow",
        wire="presence.getUserChannels",
    ),
    Operation(
        "setState",
        "set_state",
        "presence",
        (_CHANNEL, _TYPE, Param("state", "state")),
        "presenceSetState",
        ("R-S1", "R-S2", "R-S3", "R-S4", "R-S5"),
        rate_key="modifyState",
        wire="presence.setState",
    ),
    Operation(
        "getState",
        "get_state",
        "presence",
        (Param("userId", "user_id"), _CHANNEL, _TYPE),
        "presenceGetState",
        ("R-Q6",),
        rate_key="getState",
        wire="presence.getState",
    ),
    Operation(
        "removeState",
        "remove_state",
        "presence",
        (_CHANNEL, _TYPE, _OPTIONS),
        "presenceRemoveState",
        ("R-S2", "R-S3", "R-S4", "R-S5"),
        options=(Option("states", "states", keyword=True),),
        rate_key="modifyState",
        wire="presence.removeState",
    ),
    Operation(
        "addEventListener",
        "add_event_listener",
        "rtm",
        _LISTENER,
        "addEventListener",
        ("R-C5", "R-X3"),
        is_async=False,
    ),
    Operation(
        "removeEventListener",
        "remove_event_listener",
        "rtm",
        _LISTENER,
        "removeEventListener",
        ("R-C5",),
        is_async=False,
    ),
)


@attrs.frozen
class ControlParam:
    """One parameter of a control verb.

    ``kind``: ``"arg"`` a positional argument sent as ``wire``; ``"app"`` the app
    option (JS: ``options.appId``, else the control's ``appId``; Python: ``app_id=``);
    ``"spread"`` an object whose ``keys`` are sent as they are (``journal``'s filter).
    ``keys`` pairs each key of a spread object with its Python keyword.
    """

    js: str
    wire: str
    python: str
    kind: Literal["arg", "app", "spread"] = "arg"
    required: bool = True
    keys: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class Control:
    """One verb of the control API (time, faults, looking inside), not part of the SDK.

    Attributes:
        js: the ``EmulatorControl`` method (JS).
        wire: the server method (``control.advance``).
        python: the ``Emulator`` attribute it stands for (``run_until_idle``; a dotted
            path for ``journal.clear``), ``None`` where Python has no such verb
            (``reset``: make a new ``Emulator``; ``info``).
        params: its parameters, in the JS method's order.
        fixed: parameters the JS method always sends (``journalJsonl``'s format).
        result: the key of the server's answer the JS method returns (``now``).
    """

    js: str
    wire: str
    python: str | None
    params: tuple[ControlParam, ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()
    result: str | None = None

    @property
    def wire_keys(self) -> tuple[str, ...]:
        """Every key the server method accepts in its params object, in order."""
        keys: list[str] = []
        for param in self.params:
            if param.kind == "spread":
                keys.extend(key for key, _ in param.keys)
            else:
                keys.append(param.wire)
        keys.extend(key for key, _ in self.fixed if key not in keys)
        return tuple(keys)


_APP = ControlParam("options", "appId", "app_id", kind="app", required=False)
_USER = ControlParam("userId", "userId", "user_id")
_CH = ControlParam("channelName", "channelName", "channel_name")
_CT = ControlParam("channelType", "channelType", "channel_type")
_SECONDS = ControlParam("seconds", "seconds", "seconds")
_FILTER = ControlParam(
    "filter",
    "filter",
    "filter",
    kind="spread",
    required=False,
    keys=(
        ("recipient", "recipient"),
        ("channel", "channel"),
        ("channelType", "channel_type"),
        ("eventType", "event_type"),
        ("publisher", "publisher"),
        ("appId", "app_id"),
        ("kind", "kind"),
    ),
)

#: Every control verb, in documentation order.
CONTROL: tuple[Control, ...] = (
    Control("info", "control.info", None),
    Control("now", "control.now", "now_ms", result="nowMs"),
    Control("advance", "control.advance", "advance", (_SECONDS,)),
    Control("runUntilIdle", "control.runUntilIdle", "run_until_idle"),
    Control("advanceToNextEvent", "control.advanceToNextEvent", "advance_to_next_event"),
    Control("disconnect", "control.disconnect", "disconnect", (_USER, _APP)),
    Control("reconnect", "control.reconnect", "reconnect", (_USER, _APP)),
    Control(
        "setPresenceAvailable",
        "control.setPresenceAvailable",
        "set_presence_available",
        (_CH, _CT, ControlParam("available", "available", "available"), _APP),
    ),
    Control(
        "setDeliveryLatency",
        "control.setDeliveryLatency",
        "set_delivery_latency",
        (_USER, _SECONDS, _APP),
    ),
    Control(
        "reset",
        "control.reset",
        None,
        (ControlParam("config", "config", "config", required=False),),
    ),
    Control("onlineUsers", "control.onlineUsers", "online_users", (_CH, _CT, _APP)),
    Control("userChannels", "control.userChannels", "user_channels", (_USER, _APP)),
    Control("stateOf", "control.stateOf", "state_of", (_USER, _CH, _CT, _APP)),
    Control("journal", "control.journal", "journal", (_FILTER,), fixed=(("format", "json"),)),
    Control("journalJsonl", "control.journal", "journal", (_FILTER,), fixed=(("format", "jsonl"),)),
    Control("clearJournal", "control.clearJournal", "journal.clear"),
    Control("pendingTimers", "control.pendingTimers", "pending_timers"),
    Control("checkInvariants", "control.checkInvariants", "check_invariants"),
)

#: The server methods of a connection's session that are neither SDK calls nor control
#: verbs: ``hello`` opens or resumes a session, ``session.reconnect`` restores its network.
SESSION_METHODS: tuple[str, ...] = ("hello", "session.reconnect")

#: The SDK's event names (``RTMClientEventMap``): any is accepted (R-C5).
EVENT_NAMES: tuple[str, ...] = (
    "presence",
    "linkState",
    "message",
    "storage",
    "lock",
    "topic",
    "token",
    "tokenPrivilegeWillExpire",
)
#: The event names the emulator fires.
FIRED_EVENT_NAMES: tuple[str, ...] = ("presence", "linkState")

#: The limits and defaults the adapters share, each imported from its one home.
CONSTANTS: Mapping[str, Any] = {
    "defaultAppId": DEFAULT_APP_ID,
    "messageChannelCount": MESSAGE_CHANNEL_COUNT,
    "streamChannelCount": STREAM_CHANNEL_COUNT,
    "maxStateKeys": MAX_STATE_KEYS,
    "maxKeyBytes": MAX_KEY_BYTES,
    "maxValueBytes": MAX_VALUE_BYTES,
    "maxCacheEntries": MAX_CACHE_ENTRIES,
    "maxNameChars": MAX_NAME_CHARS,
    "maxFrameBytes": MAX_FRAME_BYTES,
    "bufferLimit": BUFFER_LIMIT,
    "rateWindowMs": RATE_WINDOW_MS,
    "rateLimits": dict(RATE_LIMITS),
}


def operation(sdk: str, home: str | None = None) -> Operation:
    """The :data:`OPERATIONS` row of SDK name ``sdk`` (on ``home`` when given).

    Raises:
        KeyError: when no row has that name.
    """
    for row in OPERATIONS:
        if row.sdk == sdk and (home is None or row.home == home):
            return row
    raise KeyError(f"no SDK operation {sdk!r} in the surface table")


def control(js: str) -> Control:
    """The :data:`CONTROL` row of JS name ``js``.

    Raises:
        KeyError: when no row has that name.
    """
    for row in CONTROL:
        if row.js == js:
            return row
    raise KeyError(f"no control verb {js!r} in the surface table")


# ---------------------------------------------------------------- the JS manifest

#: Where the JS client reads the tables (checked in; tests/surface checks it fresh).
MANIFEST_PATH = Path(__file__).resolve().parent.parent / "clients" / "js" / "manifest.json"


def _param_json(param: Param) -> dict[str, Any]:
    return {"sdk": param.sdk, "python": param.python, "required": param.required}


def _operation_json(row: Operation) -> dict[str, Any]:
    return {
        "sdk": row.sdk,
        "python": row.python,
        "home": row.home,
        "params": [_param_json(p) for p in row.params],
        "options": [{"sdk": o.sdk, "python": o.python} for o in row.options],
        "operation": row.operation,
        "rateKey": row.rate_key,
        "wire": row.wire,
        "rules": list(row.rules),
        "async": row.is_async,
        "aliasOf": row.alias_of,
    }


def _control_json(row: Control) -> dict[str, Any]:
    params = []
    for param in row.params:
        item: dict[str, Any] = {"js": param.js, "wire": param.wire, "kind": param.kind}
        item["required"] = param.required
        if param.keys:
            item["keys"] = [key for key, _ in param.keys]
        params.append(item)
    return {
        "js": row.js,
        "wire": row.wire,
        "python": row.python,
        "params": params,
        "fixed": dict(row.fixed),
        "result": row.result,
    }


def manifest() -> dict[str, Any]:
    """The tables as the JS client reads them (``clients/js/manifest.json``)."""
    return {
        "comment": "Generated by `python3 -m rtm_emulator._surface --manifest`; do not edit.",
        "operations": [_operation_json(row) for row in OPERATIONS],
        "control": [_control_json(row) for row in CONTROL],
        "sessionMethods": list(SESSION_METHODS),
        "eventNames": list(EVENT_NAMES),
        "firedEventNames": list(FIRED_EVENT_NAMES),
        "constants": dict(CONSTANTS),
    }


def manifest_text() -> str:
    """:func:`manifest` as the file's text (stable: two-space JSON, a final newline)."""
    return json.dumps(manifest(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python3 -m rtm_emulator._surface --manifest [PATH]``: write the JS manifest.

    Without ``--manifest`` it prints the manifest.  Returns the exit status.
    """
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--manifest"]:
        path = Path(args[1]) if len(args) > 1 else MANIFEST_PATH
        path.write_text(manifest_text(), encoding="utf-8")
        print(f"wrote {path}")
        return 0
    sys.stdout.write(manifest_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
