"""The Python leg of the oracle: the JS oracle's case table run through the Python client.

The table (``clients/js/test/oracle/cases.json``) and the real SDK's outcome per case
(``real-sdk.json`` beside it) are written by the JS oracle (``oracle.js --update``); this
module runs each case in-process on a fresh :class:`rtm_emulator.Emulator` and records
its outcome in the shape of the JS runner (``lib/runner.js``), so that the two records
compare as canonical JSON:

- per call ``{"step", "who", "call", "outcome"}`` (+ ``"settledAt"`` when the call
  settled during a later step); an outcome is ``{"ok": value}``, ``{"rejects": error}``,
  ``{"throws": error}``, ``{"pending": True}`` or ``{"skipped": reason}``; an error is
  the RTM error's ``{errorCode, operation, reason, name, serverCode?}`` or
  ``{"exception": {"kind", "message"}}``;
- per actor every ``presence`` and ``linkState`` event with the step it arrived in; the
  fields of :data:`EXCLUDED_FIELDS` are left out (as the JS runner does).

R-X3: where the SDK fails with a plain JavaScript exception the Python client raises the
matching built-in: a JS ``TypeError`` is a Python ``TypeError`` and a JS
``InvalidCharacterError`` (``DOMException`` of ``atob``) a ``ValueError``.  An
:class:`~rtm_emulator.RtmError` is never such an exception (``ConfigError`` is both an
``RtmError`` and a ``ValueError``: it counts as the RTM error it is).  Exception messages
are not compared (:func:`comparable`).

Argument values use the table's encoding (``lib/values.js``): :func:`decode`.  A JS
``undefined`` argument (which a JS callee cannot tell from a missing one) is passed as
``None``, never left out: a Python default may differ from what the SDK does with a
missing argument (``whereNow()`` is -10006 in the SDK, the caller's channels in Python).
JS ``null`` is ``None`` too, so a case whose outcome hangs on null vs undefined has one
Python spelling only.  Actors' ``uid`` / ``appId`` / ``config`` are decoded like
arguments (``{"$": "repeat", ...}`` is a 64-character string, not an object).

Messaging cases (``"messaging": true``, issue 16) also record every ``message`` and ``topic``
event and the key order (``shape``) of those events and of the messaging calls' results
(:func:`shape_of`, as lib/runner.js ``shapeOf``).  They run only once the Python client has
``publish`` and every messaging call the case makes (:func:`missing_features`); until then a
case's record is ``{"unsupported": why}`` and its status :data:`SKIPPED` (not a known gap).
Binary arguments decode to ``bytes`` (``{"$": "u8"}``), a ``memoryview`` into a larger buffer
(``{"$": "buffer"}``, Node's pooled ``Buffer.from``; ``{"$": "subarray"}``), an
``array.array("H")`` (``Uint16Array``) or a stand-in object that is no bytes-like value
(``ArrayBuffer``, ``DataView``); bytes-like results canonicalize as the JS leg's
``{"$": "bytes", ...}``.
"""

from __future__ import annotations

import array
import asyncio
import base64
import hashlib
import json
import math
import traceback
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, cast

from rtm_emulator import (
    Emulator,
    EmulatorConfig,
    RTMClient,
    RtmError,
    RTMStreamChannel,
)

from .tokens import build_token

ORACLE_DIR = Path(__file__).resolve().parents[2] / "clients" / "js" / "test" / "oracle"
CASES_FILE = ORACLE_DIR / "cases.json"
RECORD_FILE = ORACLE_DIR / "real-sdk.json"
GAPS_FILE = Path(__file__).resolve().parent / "known-gaps.json"

#: the JS runner's app id (lib/runner.js ``APP_ID``), used when an actor names none
APP_ID = "0123456789abcdef0123456789abcdef"

#: the JS runner's excluded fields (lib/runner.js ``EXCLUDED_FIELDS``), with the reason
EXCLUDED_FIELDS = {
    "presence.timestamp": "event time: the SDK's clock vs the emulator's (R-T1), not behaviour",
    "linkState.timestamp": "event time, as for presence events",
}

#: the fields the JS runner leaves out in messaging cases (lib/runner.js
#: ``MESSAGING_EXCLUDED_FIELDS``)
MESSAGING_EXCLUDED_FIELDS = {
    "message.timestamp": "delivery time: the SDK's clock vs the emulator's at delivery (R-M24)",
    "topic.timestamp": "event time, as for message events",
}

#: the events every case records, and the ones a messaging case records too
BASE_EVENTS = ("presence", "linkState")
MESSAGING_EVENTS = ("message", "topic")

#: the messaging calls (lib/runner.js ``MESSAGING_CALLS``): their results record ``shape``
MESSAGING_CALLS = (
    "publish",
    "history.getMessages",
    "stream.joinTopic",
    "stream.leaveTopic",
    "stream.subscribeTopic",
    "stream.unsubscribeTopic",
    "stream.publishTopicMessage",
    "stream.getSubscribedUserList",
)

#: issue 17 (lib/runner.js ``FAMILY_EVENTS``, ``isFamilyCall``): a ``family`` case also
#: records these events and the key order of its family calls' results
FAMILY_EVENTS = ("storage", "lock", "token", "tokenPrivilegeWillExpire")
#: each family's home call: a family case needs it even when it only subscribes
FAMILY_HOME = {
    "storage": "storage.getChannelMetadata",
    "lock": "lock.getLock",
    "token": "renewToken",
}


def is_family_call(call: object) -> bool:
    """``storage.<method>``, ``lock.<method>`` or ``renewToken`` (lib/runner.js)."""
    return isinstance(call, str) and (
        call.startswith(("storage.", "lock.")) or call == "renewToken"
    )


#: the storage switches (lib/runner.js ``FAMILY_PARAMS``): the Python client has no
#: setParameter, so a case that sets them gets them through the engine (as the server
#: does for a frame's parameters)
STORAGE_PARAMS = {
    "STORAGE_ENABLED": "enabled",
    "STORAGE_CHANNEL_SUB_ENABLED": "channel_sub_enabled",
    "STORAGE_USER_SUB_ENABLED": "user_sub_enabled",
}

#: the SDK parameters the JS emulator leg sets before every case (emu/target.js)
DEFAULT_PARAMS = {
    "IGNORE_DUPLICATE_USER_ID_ERR": True,
    "ENABLE_API_RATE_LIMIT": False,
    "HISTORY_ENABLED": True,
    "EXTEND_CHANNEL_NAME": False,
    **{name: True for name in STORAGE_PARAMS},
    "LOCK_ENABLED": True,
}

#: Node's Buffer pool: ``Buffer.from("hi").buffer`` is this many bytes ({"$": "buffer"})
NODE_BUFFER_POOL = 8192

#: the JS exception kind each Python built-in stands for (R-X3)
EXCEPTION_KINDS = ((TypeError, "TypeError"), (ValueError, "InvalidCharacterError"))

#: event-loop turns given to the work a step started (the engine acts synchronously, so
#: a call that is still pending after these waits for a timer, e.g. a login while down)
SETTLE_TURNS = 6


class Undefined:
    """JS ``undefined`` (``{"$": "undefined"}``)."""

    _instance: Undefined | None = None

    def __new__(cls) -> Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = Undefined()


def _js_function(*_args: object) -> None:
    """A listener-like argument (``{"$": "function"}``)."""


class JsArrayBuffer:
    """A JS ``ArrayBuffer`` argument (``{"$": "arraybuffer"}``): not a bytes-like value."""

    def __init__(self, n: int) -> None:
        self.byte_length = n

    def __repr__(self) -> str:
        return f"ArrayBuffer({self.byte_length})"


class JsDataView(JsArrayBuffer):
    """A JS ``DataView`` argument (``{"$": "dataview"}``): not a bytes-like value."""

    def __repr__(self) -> str:
        return f"DataView({self.byte_length})"


def _pooled(data: bytes, pool: int = NODE_BUFFER_POOL) -> memoryview:
    """``data`` as a view into a larger buffer (a pooled Node ``Buffer``, a ``subarray``)."""
    backing = bytearray(max(pool, len(data)))
    backing[: len(data)] = data
    return memoryview(backing)[: len(data)]


def _no_token_builder(spec: Mapping[str, Any]) -> str:
    raise ValueError("no token builder set (a token case sets one, run_case)")


#: builds a ``{"$": "token"}`` value for the case being run (lib/values.js
#: ``setTokenBuilder``): on the case's clock, signed with its certificate
_token_builder: Callable[[Mapping[str, Any]], str] = _no_token_builder


def decode(value: Any) -> Any:
    """A table value as a Python value (lib/values.js ``decode``)."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("$")
    if isinstance(kind, str):
        if kind == "undefined":
            return UNDEFINED
        if kind == "repeat":
            return value["s"] * value["n"]
        if kind == "keys":
            return {f"{value['prefix']}{i}": decode(value["value"]) for i in range(value["n"])}
        if kind == "list":
            pad = int(value.get("pad", 0))
            return [f"{value['prefix']}{str(i).zfill(pad)}" for i in range(value["n"])]
        if kind == "btoa":
            return base64.b64encode(value["s"].encode("utf-8")).decode("ascii")
        if kind == "function":
            return _js_function
        if kind == "pair":
            return {_js_key(decode(value["key"])): decode(value["value"])}
        if kind == "u8":
            return bytes(value["bytes"]) if "bytes" in value else bytes(value["n"])
        if kind == "buffer":
            return _pooled(value["s"].encode("utf-8"))
        if kind == "subarray":
            return memoryview(bytearray(value["n"]))[value["start"] : value["end"]]
        if kind == "arraybuffer":
            return JsArrayBuffer(value["n"])
        if kind == "dataview":
            return JsDataView(value["n"])
        if kind == "u16":
            return array.array("H", [0] * value["n"])
        if kind == "num":  # NaN, Infinity, -Infinity
            return float(value["s"])
        if kind == "token":  # built when the step runs (tokens.py)
            return _token_builder(value)
        raise ValueError(f"unknown value encoding {kind}")
    return {k: decode(v) for k, v in value.items()}


def _js_key(key: Any) -> str:
    """A computed JS property key (``{[K]: V}``): ``String(K)``."""
    if isinstance(key, str):
        return key
    if key is UNDEFINED:
        return "undefined"
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key)


def strip_undefined(value: Any) -> Any:
    """A decoded value as a Python call receives it: ``undefined`` object members dropped
    (what ``JSON.stringify`` and the SDK's ``in`` checks on an own undefined key would not
    see anyway), ``undefined`` itself ``None``."""
    if value is UNDEFINED:
        return None
    if isinstance(value, list):
        return [strip_undefined(v) for v in value]
    if isinstance(value, dict):
        return {k: strip_undefined(v) for k, v in value.items() if v is not UNDEFINED}
    return value


def canon_bytes(value: bytes | bytearray | memoryview) -> dict[str, Any]:
    """Bytes as the JS leg canonicalizes a Uint8Array (lib/values.js ``canonBytes``)."""
    data = bytes(value)
    if len(data) <= 64:
        return {"$": "bytes", "hex": data.hex(), "n": len(data)}
    return {"$": "bytes", "n": len(data), "sha1": hashlib.sha1(data).hexdigest()}


def canon(value: Any, depth: int = 0) -> Any:
    """A canonical JSON-able copy (lib/values.js ``canon``): keys sorted, ``undefined`` as
    ``{"$": "undefined"}``, functions as ``{"$": "function"}``, integral floats as ints
    (JS has one number type), non-finite numbers as strings, bytes as ``{"$": "bytes"}``."""
    if depth > 20:
        return {"$": "deep"}
    if value is UNDEFINED:
        return {"$": "undefined"}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return canon_bytes(value)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            js = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
            return {"$": "number", "s": js}
        return int(value) if value.is_integer() else value
    if callable(value):
        return {"$": "function"}
    if isinstance(value, (list, tuple)):
        return [canon(v, depth + 1) for v in value]
    if isinstance(value, Mapping):
        return {str(k): canon(value[k], depth + 1) for k in sorted(value, key=str)}
    return {"$": "python", "s": repr(value)}


def canon_json(value: Any) -> str:
    """The comparison key of a canonical value (JSON, keys sorted)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def comparable(record: Any) -> Any:
    """A record with every exception's ``message`` left out (R-X3: the kind must match,
    the message need not)."""
    if isinstance(record, list):
        return [comparable(v) for v in record]
    if isinstance(record, dict):
        out = {}
        for k, v in record.items():
            if k == "exception" and isinstance(v, dict):
                out[k] = {kk: vv for kk, vv in v.items() if kk != "message"}
            else:
                out[k] = comparable(v)
        return out
    return record


def same(sdk: Any, py: Any) -> bool:
    """Whether two records agree (modulo R-X3's exception messages)."""
    return canon_json(comparable(canon(sdk))) == canon_json(comparable(canon(py)))


# ------------------------------------------------------------------ outcomes


def error_outcome(err: BaseException, sync: bool) -> dict[str, Any]:
    """An error as an outcome (lib/runner.js ``errorOutcome``), with R-X3's mapping."""
    where = "throws" if sync else "rejects"
    if isinstance(err, RtmError):
        info: dict[str, Any] = {
            "errorCode": int(err.error_code),
            "operation": err.operation,
            "reason": err.reason,
            "name": err.name,
        }
        if err.server_code is not None:
            info["serverCode"] = err.server_code
        return {where: canon(info)}
    kind = type(err).__name__
    for cls, js_kind in EXCEPTION_KINDS:
        if isinstance(err, cls):
            kind = js_kind
            break
    message = f"{type(err).__name__}: {err}"
    return {where: {"exception": {"kind": kind, "message": message}}}


def shape_of(value: Any, depth: int = 0) -> str:
    """The key order of a value, nested (lib/runner.js ``shapeOf``): ``{a,b:[{c,d}],e}``; a
    list shows its first element, bytes and scalars nothing."""
    if depth > 10:
        return ""
    if isinstance(value, (list, tuple)):
        return f"[{shape_of(value[0], depth + 1) if value else ''}]"
    if isinstance(value, Mapping):
        parts = []
        for k, v in value.items():
            inner = shape_of(v, depth + 1)
            parts.append(f"{k}:{inner}" if inner else str(k))
        return "{" + ",".join(parts) + "}"
    return ""


def value_outcome(value: object, call: str = "") -> dict[str, Any]:
    """A call's result as an outcome (lib/runner.js ``valueOutcome``); a messaging call's
    result also records its key order."""
    if isinstance(value, RTMStreamChannel):
        return {"ok": {"$": "streamChannel"}}
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        value = to_dict()
    elif value is None:  # a JS function that returns nothing
        return {"ok": {"$": "undefined"}}
    if (call in MESSAGING_CALLS or is_family_call(call)) and isinstance(value, Mapping):
        return {"ok": canon(value), "shape": shape_of(value)}
    return {"ok": canon(value)}


def event_record(kind: str, event: Any) -> dict[str, Any]:
    """An event as recorded (``timestamp`` excluded, EXCLUDED_FIELDS); a message or topic
    event also records its key order (timestamp included)."""
    if kind == "tokenPrivilegeWillExpire":  # a plain string (the channel name or "")
        return {"kind": kind, "event": canon(event)}
    full = event.to_dict()
    data = dict(full)
    data.pop("timestamp", None)
    if kind in MESSAGING_EVENTS or kind in FAMILY_EVENTS:
        return {"kind": kind, "event": canon(data), "shape": shape_of(full)}
    return {"kind": kind, "event": canon(data)}


# ------------------------------------------------------------------ calls


def py_args(args: list[Any]) -> list[Any]:
    """Decoded JS arguments as Python positional arguments: a JS ``undefined`` is
    ``None`` (see the module docstring)."""
    return [strip_undefined(a) for a in args]


class Actor:
    """One actor's client and its stream channel handles (lib/runner.js ``invokeOn``)."""

    def __init__(self, client: RTMClient) -> None:
        self.client = client
        self.streams: dict[object, RTMStreamChannel] = {}

    def _stream(self, name: Any) -> RTMStreamChannel:
        key = _hashable(name)
        stream = self.streams.get(key)
        if stream is None:
            stream = self.client.createStreamChannel(name)
            self.streams[key] = stream
        return stream

    def invoke(self, call: str, args: list[Any]) -> Any:
        """Start the call: a coroutine for a network call, else its value (may raise)."""
        client = self.client
        if call in ("stream.join", "stream.leave"):
            name = strip_undefined(args[0]) if args else None
            rest = py_args(args[1:])
            stream = self._stream(name)
            return stream.join(*rest) if call == "stream.join" else stream.leave(*rest)
        pargs = py_args(args)
        if call == "createStreamChannel":
            stream = client.createStreamChannel(*pargs)
            self.streams[_hashable(pargs[0])] = stream
            return stream
        if call in ("login", "logout", "subscribe", "unsubscribe", "publish"):
            method: Callable[..., Any] = getattr(client, call)
            return method(*pargs)
        if call == "history.getMessages":
            history: Any = cast(Any, client).history  # not on every client yet (issue 16)
            return history.getMessages(*pargs)
        if call.startswith("stream."):
            name = strip_undefined(args[0]) if args else None
            topic_call: Callable[..., Any] = getattr(
                self._stream(name), call.removeprefix("stream.")
            )
            return topic_call(*py_args(args[1:]))
        if call.startswith("presence."):
            method = getattr(client.presence, call.removeprefix("presence."))
            return method(*pargs)
        if is_family_call(call):
            home, _, name = call.rpartition(".")
            owner: Any = getattr(client, home) if home else client
            family_call: Callable[..., Any] = getattr(owner, name)
            return family_call(*pargs)
        raise ValueError(f"unknown call {call}")


def _hashable(value: Any) -> object:
    return canon_json(canon(value))


# ------------------------------------------------------------------ cases


def load_cases() -> list[dict[str, Any]]:
    """The case table (cases.json)."""
    cases: list[dict[str, Any]] = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]
    return cases


def load_record() -> dict[str, Any]:
    """The real SDK's outcome per case (real-sdk.json)."""
    record: dict[str, Any] = json.loads(RECORD_FILE.read_text(encoding="utf-8"))
    return record


def client_features() -> frozenset[str]:
    """The messaging calls (:data:`MESSAGING_CALLS`) the Python client has, found on a client
    that never logs in (``publish`` and ``history.getMessages`` on the client, the topic calls
    on a stream channel handle)."""
    have: set[str] = set()
    try:
        client = Emulator().client("oracleFeatureProbe")
    except Exception:
        return frozenset()
    stream: Any = None
    try:
        stream = client.createStreamChannel("oracleFeatureProbe")
    except Exception:
        stream = None
    history = getattr(client, "history", None)
    for call in MESSAGING_CALLS:
        if call == "publish":
            ok = callable(getattr(client, "publish", None))
        elif call == "history.getMessages":
            ok = callable(getattr(history, "getMessages", None))
        else:
            method = getattr(stream, call.removeprefix("stream."), None)
            ok = stream is not None and callable(method)
        if ok:
            have.add(call)
    return frozenset(have)


_FEATURES: frozenset[str] | None = None


def missing_features(case: Mapping[str, Any]) -> list[str]:
    """The calls of a messaging case the Python client lacks (``publish`` always counts):
    the case is skipped until there are none.  Not a messaging case: ``[]``."""
    global _FEATURES
    if case.get("family"):
        probe: Any = Emulator().client("oracleFeatureProbe")
        wanted = [FAMILY_HOME[case["family"]]]
        wanted += [s["call"] for s in case["steps"] if is_family_call(s.get("call"))]
        missing = []
        for call in dict.fromkeys(wanted):
            home, _, name = call.rpartition(".")
            owner = getattr(probe, home, None) if home else probe
            if not callable(getattr(owner, name, None)):
                missing.append(call)
        return missing
    if not case.get("messaging"):
        return []
    if _FEATURES is None:
        _FEATURES = client_features()
    calls = ["publish"]
    for step in case["steps"]:
        c = step.get("call")
        if c in MESSAGING_CALLS and c not in calls:
            calls.append(c)
    return [c for c in calls if c not in _FEATURES]


def not_comparable(case: Mapping[str, Any]) -> str | None:
    """Why a case cannot be run through the Python client, or ``None``."""
    if case.get("compare") is False:
        return f"not comparable in the JS oracle either: {case.get('why', '')}"
    params = {**DEFAULT_PARAMS, **case.get("params", {})}
    if {k: v for k, v in params.items() if k not in STORAGE_PARAMS} != {
        k: v for k, v in DEFAULT_PARAMS.items() if k not in STORAGE_PARAMS
    }:
        return (
            "needs SDK parameters (RTM.setParameter) "
            f"{json.dumps(case.get('params'), sort_keys=True)}, which the Python client does "
            "not have (e.g. -10027, a second client of one user id in one JS runtime)"
        )
    return None


def emulator_for(case: Mapping[str, Any]) -> Emulator:
    """A fresh emulator with the case's server settings (as emu/target.js ``serverConfig``:
    debounce 0, since server timing is not comparable); strict, so that every step also
    checks the engine's invariants (it costs nothing measurable here)."""
    server = case.get("server") or {}
    emu = Emulator(
        EmulatorConfig(
            announce_max=server.get("announceMax", 50),
            interval=float(server.get("interval", 30)),
            debounce=0,
            rate_limits=server.get("rateLimits") is True,
            # token cases (R-TK20): the app's certificate (emu/target.js serverConfig)
            app_certificates=_certificates(server),
        ),
        strict=True,
    )
    code = server.get("storageReplyCode")
    if code:  # sdk/fake-storage.js answers every storage request so (R-ST11 fault)
        for actor in case["actors"].values():
            app = decode(actor.get("appId", APP_ID))
            emu.set_storage_reply_code(decode(actor["uid"]), code, app_id=app)
    return emu


def _certificates(server: Mapping[str, Any]) -> dict[str, str]:
    cert = server.get("appCertificate")
    return {cert["appId"]: cert["certificate"]} if cert else {}


async def _settle() -> None:
    for _ in range(SETTLE_TURNS):
        await asyncio.sleep(0)


def _net(emu: Emulator, actor: Mapping[str, Any], direction: str) -> None:
    uid = strip_undefined(decode(actor["uid"]))
    app = decode(actor.get("appId", APP_ID))
    app_id = APP_ID if app is UNDEFINED else app
    try:
        if direction == "down":
            emu.disconnect(uid, app_id=app_id)
        else:
            emu.reconnect(uid, app_id=app_id)
    except (RtmError, ValueError, TypeError):
        # the network of a client that is not logged in: nothing to lose or bring back
        # (the JS leg ignores it too)
        pass


async def run_case(case: Mapping[str, Any]) -> dict[str, Any]:
    """Run one case; returns ``{"calls": [...], "events": {actor: [...]}}``."""
    missing = missing_features(case)
    if missing:
        return {"unsupported": f"the client lacks {', '.join(missing)}"}
    kinds = BASE_EVENTS + MESSAGING_EVENTS if case.get("messaging") else BASE_EVENTS
    if case.get("family"):
        kinds = BASE_EVENTS + FAMILY_EVENTS
    switches = {
        STORAGE_PARAMS[k]: v is not False
        for k, v in case.get("params", {}).items()
        if k in STORAGE_PARAMS
    }
    actors: Mapping[str, Mapping[str, Any]] = case["actors"]
    calls: list[dict[str, Any]] = []
    events: dict[str, list[dict[str, Any]]] = {name: [] for name in actors}
    record = {"calls": calls, "events": events}
    emu = emulator_for(case)
    global _token_builder
    cert = (case.get("server") or {}).get("appCertificate") or {}
    start_ms = emu.now_ms
    _token_builder = lambda spec: build_token(  # noqa: E731 (the case's clock, read late)
        spec,
        app_id=cert.get("appId", APP_ID),
        certificate=cert.get("certificate", ""),
        start_ms=start_ms,
        now_ms=emu.now_ms,
    )
    clients: dict[str, Actor] = {}
    step_index = -1
    recording = True
    tasks: list[asyncio.Task[Any]] = []
    # A JS call started without waiting runs to its first await, and no promise settles
    # before the runner next waits: a call that settles while a nowait call starts here
    # is stamped with the step of the next wait.
    starting_nowait = False
    settled_late: list[tuple[dict[str, Any], int]] = []

    def stamp_late() -> None:
        for entry, started_at in settled_late:
            if started_at != step_index:
                entry["settledAt"] = step_index
        settled_late.clear()

    def listener(who: str, kind: str) -> Callable[[Any], None]:
        def on_event(event: Any) -> None:
            if recording:
                events[who].append({"step": step_index, **event_record(kind, event)})

        return on_event

    def track(entry: dict[str, Any], index: int, coro: Coroutine[Any, Any, Any], call: str) -> None:
        task = asyncio.ensure_future(coro)
        tasks.append(task)

        def done(t: asyncio.Task[Any]) -> None:
            if t.cancelled():
                return
            err = t.exception()
            entry["outcome"] = (
                value_outcome(t.result(), call) if err is None else error_outcome(err, False)
            )
            if starting_nowait:
                settled_late.append((entry, index))
            elif step_index != index:
                entry["settledAt"] = step_index

        task.add_done_callback(done)

    for i, step in enumerate(case["steps"]):
        step_index = i
        if not step.get("nowait"):
            stamp_late()
        if "advance" in step:
            emu.advance(step["advance"])
            await _settle()
            continue
        who = step["who"]
        if "net" in step:
            _net(emu, actors[who], step["net"])
            await _settle()
            continue
        entry: dict[str, Any] = {"step": i, "who": who, "call": step["call"]}
        calls.append(entry)
        if step["call"] == "new":
            actor = actors[who]
            uid = strip_undefined(decode(actor["uid"]))
            app = decode(actor.get("appId", APP_ID))
            config = strip_undefined(decode(actor.get("config", UNDEFINED)))
            try:
                client = emu.client(uid, app_id=strip_undefined(app), config=config)
            except Exception as err:
                entry["outcome"] = error_outcome(err, True)
            else:
                for kind in kinds:
                    client.addEventListener(kind, listener(who, kind))
                if switches:
                    engine: Any = cast(Any, client)._engine
                    engine.storage.set_parameters(cast(Any, client)._core, **switches)
                clients[who] = Actor(client)
                entry["outcome"] = {"ok": {"$": "client"}}
            await _settle()
            continue
        if who not in actors:
            raise ValueError(f"case {case['id']}: step {i}: unknown actor {who}")
        target = clients.get(who)
        if target is None:
            entry["outcome"] = {"skipped": "the client was not constructed"}
            continue
        try:
            started = target.invoke(step["call"], decode(step.get("args", [])))
        except Exception as err:
            entry["outcome"] = error_outcome(err, True)
            await _settle()
            continue
        if not asyncio.iscoroutine(started):
            entry["outcome"] = value_outcome(started, step["call"])
            await _settle()
            continue
        track(entry, i, started, step["call"])
        if step.get("nowait"):
            starting_nowait = True
            await asyncio.sleep(0)  # the call starts, as a JS call runs to its first await
            starting_nowait = False
        else:
            await _settle()
    stamp_late()
    await _settle()
    recording = False
    for task in tasks:
        if not task.done():
            task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
    for entry in calls:
        entry.setdefault("outcome", {"pending": True})
    emu.check_invariants()
    return record


def run_case_sync(case: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`run_case` on a fresh event loop; a failure of the run itself (not of a
    call) is ``{"harnessError": traceback}``, as in the JS runner."""
    try:
        return asyncio.run(run_case(case))
    except Exception:
        return {"harnessError": traceback.format_exc()}


# ------------------------------------------------------------------ reasons


def _brief(value: Any) -> str:
    s = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return s if len(s) <= 40 else s[:37] + "..."


def _first_diff(a: Any, b: Any, path: str = "$") -> tuple[str, Any, Any] | None:
    if canon_json(a) == canon_json(b):
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i in range(max(len(a), len(b))):
            if i >= len(a) or i >= len(b):
                return (f"{path}[{i}]", a[i] if i < len(a) else None, b[i] if i < len(b) else None)
            d = _first_diff(a[i], b[i], f"{path}[{i}]")
            if d:
                return d
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return (f"{path}.{k}", a.get(k, "<absent>"), b.get(k, "<absent>"))
            d = _first_diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
    return (path, a, b)


def _kind(o: Mapping[str, Any]) -> str:
    if "ok" in o:
        return "resolves"
    for where in ("rejects", "throws"):
        if where in o:
            e = o[where]
            return f"{where} {e['exception']['kind'] if 'exception' in e else e['errorCode']}"
    return "stays pending" if o.get("pending") else "is skipped"


def _call_diff(a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    name = f"{a['who']}.{a['call']}"
    oa, ob = a["outcome"], b["outcome"]
    if "ok" in oa and "ok" in ob:
        d = _first_diff(oa["ok"], ob["ok"])
        if d:
            return f"{name} result{d[0][1:]} {_brief(d[1])} vs {_brief(d[2])}"
        if oa.get("shape") != ob.get("shape"):
            return f"{name} result key order {_brief(oa.get('shape'))} vs {_brief(ob.get('shape'))}"
    ea, eb = oa.get("rejects") or oa.get("throws"), ob.get("rejects") or ob.get("throws")
    same_where = ("rejects" in oa) == ("rejects" in ob)
    if ea and eb and same_where and "exception" not in ea and "exception" not in eb:
        if ea["errorCode"] != eb["errorCode"]:
            return f"{name} errorCode {ea['errorCode']} vs {eb['errorCode']}"
        fields = [
            f
            for f in ("operation", "name", "reason", "serverCode")
            if canon_json(ea.get(f)) != canon_json(eb.get(f))
        ]
        shown = ", ".join(
            "reason text" if f == "reason" else f"{f} {_brief(ea.get(f))} vs {_brief(eb.get(f))}"
            for f in fields
        )
        return f"{name} {ea['errorCode']} {shown}"
    if canon_json(comparable(oa)) == canon_json(comparable(ob)):
        at_a, at_b = a.get("settledAt", a["step"]), b.get("settledAt", b["step"])
        return f"{name} settles at step {at_a} vs {at_b}"
    return f"{name} {_kind(oa)} vs {_kind(ob)}"


def _ev_name(e: Mapping[str, Any] | None) -> str:
    if not e:
        return "none"
    ev = e["event"]
    if not isinstance(ev, Mapping):  # tokenPrivilegeWillExpire: a plain string
        return f"{e.get('kind')}({ev!r})@{e['step']}"
    if e.get("kind") == "message":
        label = f"message({ev.get('channelType')})"
    else:
        label = ev.get("eventType") or f"{ev.get('previousState')}->{ev.get('currentState')}"
    return f"{label}@{e['step']}"


def gap_reason(sdk: Mapping[str, Any], py: Mapping[str, Any]) -> str:
    """One line naming what differs (the SDK first), like oracle.js ``gapReason``."""
    if "harnessError" in sdk:
        return f"sdk run failed: {str(sdk['harnessError']).splitlines()[0][:140]}"
    if "harnessError" in py:
        return f"python run failed: {str(py['harnessError']).splitlines()[0][:140]}"
    sdk, py = comparable(canon(sdk)), comparable(canon(py))
    parts: list[str] = []
    for i in range(max(len(sdk["calls"]), len(py["calls"]))):
        if i >= len(sdk["calls"]) or i >= len(py["calls"]):
            parts.append("call lists differ in length")
            break
        a, b = sdk["calls"][i], py["calls"][i]
        if canon_json(a) != canon_json(b):
            parts.append(_call_diff(a, b))
    for who in sdk["events"]:
        ea, eb = sdk["events"].get(who, []), py["events"].get(who, [])
        if canon_json(ea) == canon_json(eb):
            continue
        j = 0
        while j < len(ea) and j < len(eb) and canon_json(ea[j]) == canon_json(eb[j]):
            j += 1
        a = ea[j] if j < len(ea) else None
        b = eb[j] if j < len(eb) else None
        what = f"{_ev_name(a)} vs {_ev_name(b)}"
        if a and b and _ev_name(a) == _ev_name(b):
            d = _first_diff(a["event"], b["event"])
            if d:
                what = f"{_ev_name(a)}{d[0][1:]} {_brief(d[1])} vs {_brief(d[2])}"
            else:
                shapes = f"{_brief(a.get('shape'))} vs {_brief(b.get('shape'))}"
                what = f"{_ev_name(a)} key order {shapes}"
        parts.append(f"{who} events ({len(ea)} vs {len(eb)}) from #{j}: {what}")
    counted: dict[str, int] = {}
    for p in parts:
        counted[p] = counted.get(p, 0) + 1
    uniq = [p if k == 1 else f"{p} (x{k})" for p, k in counted.items()]
    shown = "; ".join(uniq[:3])
    return shown if len(uniq) <= 3 else f"{shown}; +{len(uniq) - 3} more"


# ------------------------------------------------------------------ the ratchet

AGREE, GAP, DISAGREE, FIXED, NOT_COMPARABLE = "agree", "gap", "disagree", "fixed", "not-comparable"
#: a messaging case the Python client cannot run yet (:func:`missing_features`)
SKIPPED = "skipped"
STATUSES = (AGREE, GAP, DISAGREE, FIXED, NOT_COMPARABLE, SKIPPED)


def load_gaps() -> dict[str, str]:
    """``known-gaps.json``: ``{caseId: reason}`` of the cases known to disagree."""
    if not GAPS_FILE.exists():
        return {}
    gaps: dict[str, str] = json.loads(GAPS_FILE.read_text(encoding="utf-8"))
    return gaps


def classify(case: Mapping[str, Any], sdk: Any, py: Any, gaps: Mapping[str, str]) -> dict[str, str]:
    """``{"status", "reason", "diff"}`` of one case (statuses as in oracle.js)."""
    nc = not_comparable(case)
    if nc is not None:
        return {"status": NOT_COMPARABLE, "reason": nc, "diff": ""}
    if isinstance(py, Mapping) and "unsupported" in py:
        return {"status": SKIPPED, "reason": str(py["unsupported"]), "diff": ""}
    if sdk is None:
        return {"status": DISAGREE, "reason": "real-sdk.json has no record", "diff": ""}
    agree = "harnessError" not in sdk and same(sdk, py)
    listed = case["id"] in gaps
    diff = "" if agree else gap_reason(sdk, py)
    if agree:
        return {
            "status": FIXED if listed else AGREE,
            "reason": gaps.get(case["id"], ""),
            "diff": "",
        }
    if listed:
        return {"status": GAP, "reason": gaps[case["id"]], "diff": diff}
    return {"status": DISAGREE, "reason": diff, "diff": diff}


def gaps_json(cases: list[dict[str, Any]], results: Mapping[str, Mapping[str, str]]) -> str:
    """known-gaps.json for a run: every disagreeing case in table order, keeping a listed
    case's reason and giving a new one the generated diff."""
    out = {}
    for case in cases:
        r = results.get(case["id"])
        if r is not None and r["status"] in (GAP, DISAGREE):
            out[case["id"]] = r["reason"] if r["status"] == GAP else r["diff"]
    lines = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in out.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n" if lines else "{}\n"


def summary_line(results: Mapping[str, Mapping[str, str]]) -> str:
    """``python oracle: N cases, A agree, G known gaps, X not comparable`` (+ the
    disagreements, when there are any; + ``; K cases skipped (why)``)."""
    count = {s: 0 for s in STATUSES}
    for r in results.values():
        count[r["status"]] += 1
    line = (
        f"python oracle: {len(results)} cases, {count[AGREE]} agree, {count[GAP]} known gaps, "
        f"{count[NOT_COMPARABLE]} not comparable"
    )
    bad = count[DISAGREE] + count[FIXED]
    line += f", {bad} disagreements" if bad else ""
    if count[SKIPPED]:
        why = sorted({r["reason"] for r in results.values() if r["status"] == SKIPPED})
        shown = why[0] if len(why) == 1 else f"{why[0]}, ..."
        line += f"; {count[SKIPPED]} cases skipped ({shown})"
    return line
