"""Real-SDK mode on the wire: the storage packets (channel and user metadata, D-RS9).

A real SDK (agora-rtm.js 2.3.0) writes, reads and subscribes metadata with these packets
through its session's ``sendOperationPacket``:

* ``StateModify`` -- set, update or remove items: ``{sequence, target, value, lock,
  lockRev, baseRevision, author, flags}``, ``value`` the request's JSON (``_rev``, each
  key's value, ``null`` for a remove, ``_rev_<key>``: an item revision, -2 for an
  update's "any revision");
* ``StateSet`` -- a clear (``value`` ``"{}"``), same fields;
* ``StateGet`` -- ``{target, sequence, flags}``;
* ``StateSubscribe`` / ``StateUnsubscribe`` -- ``{sequence, target, flags}``.

``flags``: ``IS_GROUP`` (a channel, ``target`` its prefixed name, ``*s*`` for a stream
channel; else a user id, ``""`` the caller, D-ST10), ``CHECK_AND_SET`` (``baseRevision``
is the ``majorRevision``), ``ENABLE_RECORD_TS`` (``addTimeStamp``); a non-empty
``author`` is ``addUserId``.  Each packet is the engine's storage operation
(:mod:`rtm_emulator._storage`), whose SDK checks the real SDK already made; the reply
codes are the inverse of R-ST11 (``StateRequestResult {sequence, code}``,
``StateGetResult {sequence, code, allStates}``, ``StateSubscribeResult {sequence,
code}``), and every ``storage`` event the engine sends the client is a ``StateUpdate
{flags, target, allStates}``, which the adapter emits on the SDK's internal emitter.
A subscribe's snapshot follows its reply (the SDK takes a state only of a target it holds
subscribed); a write's events come before its reply, as the engine's fan-out makes them.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._errors import ConfigError, ErrorCode, RtmError, SdkTypeError
from .._replicas import channel_key, channel_of
from .._storage_types import StorageData, StorageEvent
from .._surface import (
    GET_CHANNEL_METADATA,
    GET_USER_METADATA,
    REMOVE_CHANNEL_METADATA,
    REMOVE_USER_METADATA,
    SET_CHANNEL_METADATA,
    SET_USER_METADATA,
    SUBSCRIBE_USER_METADATA,
    UNSUBSCRIBE_USER_METADATA,
    UPDATE_CHANNEL_METADATA,
    UPDATE_USER_METADATA,
)
from .._types import ChannelType
from ._wire import HANDLERS, OUTGOING, Frames, Packet, SdkLink, long, packet_frame

if TYPE_CHECKING:
    from .._engine import Engine
    from .._session import ChannelKey, ClientCore

__all__ = ["all_states", "state_update"]

#: ``flags`` bits of the storage packets (agora-rtm.js 2.3.0).
IS_GROUP = 1
CHECK_AND_SET = 1 << 17
ENABLE_RECORD_TS = 1 << 19
#: An update's item revision on the wire for "any revision" (R-ST6).
ANY_REVISION = -2

#: Reply codes (D-RS9): the inverse of R-ST11 / R-ST13.
OK = 0
INVALID_ARGUMENT = 3
OUTDATED = 6
INVALID_LOCK = 10
PERMISSION_DENIED = 14
TIMEOUT = 100
_CODES: dict[int, int] = {
    ErrorCode.STORAGE_INVALID_ARGUMENT: INVALID_ARGUMENT,
    ErrorCode.STORAGE_OUTDATED_REVISION: OUTDATED,
    ErrorCode.STORAGE_PERMISSION_DENIED: PERMISSION_DENIED,
    ErrorCode.CHANNEL_SUBSCRIBE_PERMISSION_DENIED: PERMISSION_DENIED,
    ErrorCode.STORAGE_OPERATION_TIMEOUT: TIMEOUT,
    # the engine's only -12001 is its server's code 10 (D-ST6)
    ErrorCode.STORAGE_OPERATION_FAILED: INVALID_LOCK,
    ErrorCode.STORAGE_LOCK_NOT_ACQUIRED: INVALID_LOCK,
}

#: What a refused operation raises (the engine's SDK checks, a packet it cannot read).
_REFUSALS = (RtmError, SdkTypeError, ConfigError, ValueError)

#: Links whose storage events are held while a subscribe runs (its snapshot follows
#: its reply): link -> the ``StateUpdate`` frames held.
_HELD: weakref.WeakKeyDictionary[SdkLink, Frames] = weakref.WeakKeyDictionary()


def all_states(data: StorageData) -> str:
    """``allStates`` of a target: ``_rev``, then per item its value, ``_rev_<k>``, and
    ``_t_<k>`` / ``_m_<k>`` when the write recorded them (D-ST5), as ``JSON.stringify``."""
    out: dict[str, Any] = {"_rev": data.major_revision}
    for key, item in data.items:
        out[key] = item.value
        out[f"_rev_{key}"] = item.revision
        if item.updated:
            out[f"_t_{key}"] = item.updated
        if item.author_uid:
            out[f"_m_{key}"] = item.author_uid
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def _update_frame(group: bool, target: str, data: StorageData) -> dict[str, Any]:
    payload = {
        "flags": long(IS_GROUP if group else 0, unsigned=True),
        "target": target,
        "allStates": all_states(data),
    }
    return packet_frame("StateUpdate", payload)


def state_update(link: SdkLink, event: StorageEvent, app_id: str) -> Frames:
    """A ``storage`` event as the ``StateUpdate`` packet of the client's SDK (held behind
    a subscribe's reply while it runs)."""
    if event.storage_type == "USER":
        frame = _update_frame(False, event.publisher, event.data)
    else:
        key = (ChannelType(event.channel_type), event.channel_name)
        frame = _update_frame(True, channel_of(key), event.data)
    held = _HELD.get(link)
    if held is not None:
        held.append(frame)
        return []
    return [frame]


# ------------------------------------------------------------------ decoding


def _group(p: Packet) -> bool:
    return bool(int(p.get("flags") or 0) & IS_GROUP)


def _fault(engine: Engine, core: ClientCore) -> int:
    return engine.storage.reply_codes.get((core.app_id, core.user_id), 0)


def _code(engine: Engine, core: ClientCore, exc: Exception) -> int:
    """The reply code of a refused operation: the injected fault, else the inverse of
    R-ST11; a refusal of the SDK's own checks (which the real SDK made already) is 3."""
    fault = _fault(engine, core)
    if fault:
        return fault
    if isinstance(exc, RtmError):
        return _CODES.get(exc.error_code, INVALID_ARGUMENT)
    return INVALID_ARGUMENT


def _channel(p: Packet) -> ChannelKey:
    return channel_key(p.get("target"))


def _write_options(p: Packet) -> dict[str, object]:
    """The engine's write options of a ``StateModify`` / ``StateSet``."""
    flags = int(p.get("flags") or 0)
    options: dict[str, object] = {}
    if flags & CHECK_AND_SET:
        options["majorRevision"] = int(p.get("baseRevision") or 0)
    if flags & ENABLE_RECORD_TS:
        options["addTimeStamp"] = True
    if p.get("author"):
        options["addUserId"] = True
    return options


def _items(value: object) -> tuple[str, list[dict[str, object]]]:
    """A ``StateModify``'s ``value``: its kind (``Set``, ``Update``, ``Delete``) and items
    ``{key, value, revision}`` in the request's order.

    Raises:
        ValueError: a value that is not the JSON of an object.
    """
    parsed = json.loads(value) if isinstance(value, str) else None
    if not isinstance(parsed, dict):
        raise ValueError(f"value must be the JSON of an object, got {value!r}")
    items: list[dict[str, object]] = []
    update = False
    for key, item_value in parsed.items():
        if key.startswith("_"):
            continue
        revision = parsed.get(f"_rev_{key}")
        item: dict[str, object] = {"key": key, "value": item_value}
        if revision == ANY_REVISION:
            update = True
        elif isinstance(revision, int) and not isinstance(revision, bool) and revision >= 0:
            item["revision"] = revision
        items.append(item)
    if items and all(item["value"] is None for item in items):
        return "Delete", [{k: v for k, v in item.items() if k != "value"} for item in items]
    return ("Update" if update else "Set"), items


def _lock_code(engine: Engine, core: ClientCore, key: ChannelKey, p: Packet) -> int:
    """D-ST6 with the SDK's own ``lockRev``: a non-empty ``lock`` must be held by the
    caller on the server at that revision, else 10."""
    lock = p.get("lock")
    if not lock:
        return OK
    held = engine.storage.locks.holder_revision(core.app_id, key, str(lock), core.user_id)
    return OK if held and held == int(p.get("lockRev") or 0) else INVALID_LOCK


# ------------------------------------------------------------------ handlers


def _write(engine: Engine, core: ClientCore, p: Packet, raw: Packet, *, clear: bool) -> Frames:
    """A write: the engine's set / update / remove, or a clear (D-ST2..D-ST6)."""
    code = _fault(engine, core)
    try:
        options = _write_options(p)
        kind, items = ("Delete", []) if clear else _items(p.get("value"))
        if _group(p):
            key = _channel(p)
            # the lock is checked here with the packet's lockRev (D-ST6); the real SDK
            # checked its own lock table (R-ST9)
            code = code or _lock_code(engine, core, key, p)
            if not code:
                name, ctype = key[1], key[0].value
                if kind == "Set":
                    engine.op_set_channel_metadata(
                        core, SET_CHANNEL_METADATA, name, ctype, items, options
                    )
                elif kind == "Update":
                    engine.op_update_channel_metadata(
                        core, UPDATE_CHANNEL_METADATA, name, ctype, items, options
                    )
                else:
                    options["data"] = items
                    engine.op_remove_channel_metadata(
                        core, REMOVE_CHANNEL_METADATA, name, ctype, options
                    )
        elif not code:
            options["userId"] = p.get("target") or ""
            if kind == "Set":
                engine.op_set_user_metadata(core, SET_USER_METADATA, items, options)
            elif kind == "Update":
                engine.op_update_user_metadata(core, UPDATE_USER_METADATA, items, options)
            else:
                options["data"] = items
                engine.op_remove_user_metadata(core, REMOVE_USER_METADATA, options)
    except _REFUSALS as exc:
        code = _code(engine, core, exc)
    return [packet_frame("StateRequestResult", {"sequence": raw.get("sequence"), "code": code})]


def _modify(link: SdkLink, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
    """``StateModify``: set, update or remove items (D-ST3)."""
    return _write(engine, core, p, raw, clear=False)


def _set(link: SdkLink, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
    """``StateSet``: a clear (D-ST3)."""
    return _write(engine, core, p, raw, clear=True)


def _get(link: SdkLink, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
    """``StateGet``: the engine's get, answered with the whole state (R-ST10, D-ST1)."""
    code = OK
    data = StorageData()
    try:
        if _group(p):
            key = _channel(p)
            got = engine.op_get_channel_metadata(core, GET_CHANNEL_METADATA, key[1], key[0].value)
            data = got.data
        else:
            options = {"userId": p.get("target") or ""}
            data = engine.op_get_user_metadata(core, GET_USER_METADATA, options).data
    except _REFUSALS as exc:
        code = _code(engine, core, exc)
    reply = {"sequence": raw.get("sequence"), "code": code, "allStates": all_states(data)}
    return [packet_frame("StateGetResult", reply)]


def _subscribe(link: SdkLink, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
    """``StateSubscribe``: a channel's metadata (the SDK's ``withMetadata``) or a user's
    (``subscribeUserMetadata``); the reply, then one ``StateUpdate`` with the state
    (D-ST8: the snapshot, even empty, also on a repeated subscribe)."""
    group = _group(p)
    target = p.get("target")
    held: Frames = []
    _HELD[link] = held
    code = OK
    key: ChannelKey | None = None
    try:
        if group:
            key = _channel(p)
            code = _fault(engine, core)
            engine.storage.subscribe_channel(core, key)
        else:
            engine.op_subscribe_user_metadata(core, SUBSCRIBE_USER_METADATA, target)
            code = _fault(engine, core)
    except _REFUSALS as exc:
        code = _code(engine, core, exc)
    finally:
        del _HELD[link]
    reply = {"sequence": raw.get("sequence"), "code": code}
    frames = [packet_frame("StateSubscribeResult", reply)]
    if code not in (OK, 1):
        return frames
    if not held:  # already subscribed (the SDK re-subscribes after a loss, R-ST19)
        storage = engine.storage
        if key is not None:
            data = storage.data(storage.channel_target(core.app_id, key))
            held = [_update_frame(True, channel_of(key), data)]
        else:
            data = storage.data(storage.user_target(core.app_id, str(target)))
            held = [_update_frame(False, str(target), data)]
    return frames + held


def _unsubscribe(link: SdkLink, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
    """``StateUnsubscribe``: the subscription ends; no reply (the SDK waits for none)."""
    try:
        if _group(p):
            engine.storage.exited(core, _channel(p))
        else:
            engine.op_unsubscribe_user_metadata(core, UNSUBSCRIBE_USER_METADATA, p.get("target"))
    except _REFUSALS:
        pass  # not subscribed: nothing to end
    return []


_Handler = Callable[[SdkLink, "Engine", "ClientCore", Packet, Packet], Frames]
_STORAGE_HANDLERS: dict[str, _Handler] = {
    "StateModify": _modify,
    "StateSet": _set,
    "StateGet": _get,
    "StateSubscribe": _subscribe,
    "StateUnsubscribe": _unsubscribe,
}
HANDLERS.update(_STORAGE_HANDLERS)
OUTGOING[StorageEvent] = state_update
