"""Real-SDK mode on the wire: the lock packets (D-RS10).

A real SDK's lock calls arrive as ``StateLock*`` packets (agora-rtm.js 2.3.0, its lock
client: ``StateLockCreate``, ``StateLockDelete``, ``StateLockAcquire``,
``StateLockRelease``, ``StateLockDisable``, ``StateLockList``, ``StateLockSubscribe``,
``StateLockUnsubscribe``).  Each is the engine's lock operation (``_locks``: D-LK1..D-LK12),
answered ``<name>Result`` with the server's code (R-LK11: 0 success, 2 failed, 6 exists,
7 held, 13 no such lock, 14 denied); the engine's ``LockEvent``s become the SDK's pushes:
``StateLockSubscribeEvent`` (eventType 1 SET, 2 modified, 3 removed, 4 snapshot) and
``StateLockUpdate`` code 8 (the holder's lock expired).  The packets' target is the SDK's
prefixed channel name (``room``, ``*s*stage``).

An acquire with retry that has to wait is answered when the engine settles its
:class:`~rtm_emulator._locks.AcquireWaiter`: the reply goes through ``SdkLink.send``,
which the hub delivers after the events of the operation that granted the lock
(D-LK10: events before the reply).  Nothing here reads the wall clock or iterates a set.
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any

from .._errors import ConfigError, ErrorCode, RtmError
from .._lock_types import LockDetail, LockEvent
from .._locks import AcquireWaiter
from .._replicas import channel_key, channel_of
from .._session import ChannelKey
from .._surface import (
    ACQUIRE_LOCK,
    GET_LOCK,
    RELEASE_LOCK,
    REMOVE_LOCK,
    REVOKE_LOCK,
    SET_LOCK,
)
from .._types import ChannelType
from ._wire import HANDLERS, OUTGOING, Frames, Packet, SdkLink, long, packet_frame

if TYPE_CHECKING:
    from .._engine import Engine
    from .._session import ClientCore

__all__ = ["ENABLE_LOCK_BLOCKING", "LOCK_PACKETS"]

#: The ``flags`` bit of an acquire with ``retry`` (agora-rtm.js 2.3.0,
#: ``ENABLE_LOCK_BLOCKING``).
ENABLE_LOCK_BLOCKING = 1 << 18

#: The server's reply codes (R-LK11; D-LK2, D-LK4, D-LK6, D-LK7).
OK, FAILED, EXISTS, HELD, NO_LOCK, DENIED = 0, 2, 6, 7, 13, 14
#: ``StateLockSubscribeEvent`` event types.
EV_SET, EV_MODIFIED, EV_REMOVED, EV_SNAPSHOT = 1, 2, 3, 4
#: The ``StateLockUpdate`` code of an expired lock (R-LK19).
EXPIRED_CODE = 8

#: The engine's error codes -> the server's reply codes (the inverse of R-LK11's map).
_CODES: dict[int, int] = {
    ErrorCode.LOCK_ALREADY_EXIST: EXISTS,
    ErrorCode.LOCK_ACQUIRE_FAILED: HELD,
    ErrorCode.LOCK_NOT_EXIST: NO_LOCK,
    ErrorCode.LOCK_PERMISSION_DENIED: DENIED,
}


def _code(exc: RtmError) -> int:
    """The reply code of an engine refusal (anything else than R-LK11's codes: 2)."""
    return _CODES.get(exc.error_code, FAILED)


def _state(detail: LockDetail, revision: int) -> dict[str, Any]:
    """One ``LockState``: the lock's name and its JSON ``{create_ttl, user, _rev}``."""
    body = {"create_ttl": detail.ttl, "user": detail.owner, "_rev": revision}
    return {"lockName": detail.lock_name, "lockState": json.dumps(body, separators=(",", ":"))}


def _states(engine: Engine, core: ClientCore, key: ChannelKey) -> list[dict[str, Any]]:
    return [_state(d, rev) for d, rev in engine.locks.lock_states(core.app_id, key)]


def _target(p: Packet) -> tuple[ChannelKey, str, str]:
    """The packet's channel key, channel name and channel type.

    Raises:
        ConfigError: for a target that is not a channel's prefixed name.
    """
    key = channel_key(p.get("target"))
    return key, key[1], key[0].value


# ------------------------------------------------------------------ requests


def _result(name: str, raw: Packet, code: int) -> Frames:
    return [packet_frame(f"{name}Result", {"requestUuid": raw.get("requestUuid"), "code": code})]


def _create(link: SdkLink, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
    """D-LK2: a new free lock with the wire TTL as it is (D-LK12, 0 too; SET to
    subscribers); an existing one 6."""
    try:
        _, channel, ctype = _target(p)
        ttl = p.get("ttl")
        wire_ttl = ttl if isinstance(ttl, int) and not isinstance(ttl, bool) else None
        engine.op_set_lock(core, SET_LOCK, channel, ctype, p.get("lock"), wire_ttl=wire_ttl)
    except (RtmError, ConfigError) as exc:
        return _result("StateLockCreate", raw, _code(exc) if isinstance(exc, RtmError) else FAILED)
    return _result("StateLockCreate", raw, OK)


def _delete(link: SdkLink, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
    """D-LK7: anyone removes a lock (REMOVED; its waiters' acquires answered 13)."""
    try:
        _, channel, ctype = _target(p)
        engine.op_remove_lock(core, REMOVE_LOCK, channel, ctype, p.get("lock"))
    except (RtmError, ConfigError) as exc:
        return _result("StateLockDelete", raw, _code(exc) if isinstance(exc, RtmError) else FAILED)
    return _result("StateLockDelete", raw, OK)


def _acquire_reply(raw: Packet, code: int, revision: int) -> dict[str, Any]:
    payload = {
        "requestUuid": raw.get("requestUuid"),
        "code": code,
        "target": raw.get("target"),
        "lock": raw.get("lock"),
        "lockRev": long(revision, unsigned=True),
        "reason": "",
    }
    return packet_frame("StateLockAcquireResult", payload)


def _acquire(link: SdkLink, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
    """D-LK4: a free lock is granted (ACQUIRED, then 0 with its revision); missing 13;
    held by another 7, or with ``ENABLE_LOCK_BLOCKING`` answered when granted (13 when
    removed meanwhile); the holder's own reacquire (after a link loss) 0, same
    revision, silent; a repeat of a waiting acquire keeps its place (D-RS10)."""
    locks = engine.locks
    name = p.get("lock")
    try:
        key, channel, ctype = _target(p)
    except ConfigError:
        return [_acquire_reply(raw, FAILED, 0)]
    if isinstance(name, str):
        held = locks.holder_revision(core.app_id, key, name, core.user_id)
        if held:
            return [_acquire_reply(raw, OK, held)]
        if locks.waiting(core, key, name):
            return []  # the waiting acquire is answered when it is granted
    retry = bool(int(p.get("flags") or 0) & ENABLE_LOCK_BLOCKING)
    try:
        result = engine.op_acquire_lock(core, ACQUIRE_LOCK, channel, ctype, name, {"retry": retry})
    except RtmError as exc:
        return [_acquire_reply(raw, _code(exc), 0)]
    if not isinstance(result, AcquireWaiter):
        return [_acquire_reply(raw, OK, locks.held_lock_revision(core, key, result.lock_name))]

    def settled(error: RtmError | None) -> None:
        if link.send is None:
            return
        if error is None:
            revision = locks.holder_revision(core.app_id, key, result.lock_name, core.user_id)
            if revision:  # granted (a wait its own release ended is the SDK's, R-LK13)
                link.send(_acquire_reply(raw, OK, revision))
        elif error.error_code == ErrorCode.LOCK_NOT_EXIST:  # D-LK7: removed while waiting
            link.send(_acquire_reply(raw, NO_LOCK, 0))
        # a logout's end of the wait (R-LK14) is the SDK's own: the session is over

    result.done.append(settled)
    return []


def _release(link: SdkLink, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
    """D-LK5: the holder frees the lock (RELEASED, the first waiter gets it); a waiter
    leaves the queue; anyone else changes nothing: all answered 0."""
    try:
        _, channel, ctype = _target(p)
        engine.op_release_lock(core, RELEASE_LOCK, channel, ctype, p.get("lock"))
    except ConfigError:
        return _result("StateLockRelease", raw, FAILED)
    except RtmError as exc:
        if exc.error_code != ErrorCode.LOCK_NOT_ACQUIRED:
            return _result("StateLockRelease", raw, _code(exc))
    return _result("StateLockRelease", raw, OK)


def _disable(link: SdkLink, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
    """D-LK6: ``revokeLock``: the named holder loses the lock (``StateLockUpdate`` 8 to
    it, RELEASED, the next waiter); 2 when ``userId`` does not hold it, 13 when missing."""
    try:
        _, channel, ctype = _target(p)
        engine.op_revoke_lock(core, REVOKE_LOCK, channel, ctype, p.get("lock"), p.get("userId"))
    except (RtmError, ConfigError) as exc:
        return _result("StateLockDisable", raw, _code(exc) if isinstance(exc, RtmError) else FAILED)
    return _result("StateLockDisable", raw, OK)


def _list(link: SdkLink, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
    """``getLock``: the channel's locks in code-point order of name (D-LK10)."""
    reply: dict[str, Any] = {"sequence": raw.get("sequence"), "code": OK, "lockStates": []}
    try:
        key, channel, ctype = _target(p)
        engine.op_get_lock(core, GET_LOCK, channel, ctype)
    except (RtmError, ConfigError) as exc:
        reply["code"] = _code(exc) if isinstance(exc, RtmError) else FAILED
    else:
        reply["lockStates"] = _states(engine, core, key)
    return [packet_frame("StateLockListResult", reply)]


def _subscribe(link: SdkLink, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
    """D-RS10: the channel's lock events reach the session (``Locks.watch``); the reply,
    then a SNAPSHOT of every lock (D-LK10)."""
    reply = {"sequence": raw.get("sequence"), "code": OK}
    try:
        key = channel_key(p.get("target"))
    except ConfigError:
        return [packet_frame("StateLockSubscribeResult", {**reply, "code": FAILED})]
    states = [_state(d, rev) for d, rev in engine.locks.watch(core, key)]
    snapshot = {"target": p.get("target"), "eventType": EV_SNAPSHOT, "lockStates": states}
    return [
        packet_frame("StateLockSubscribeResult", reply),
        packet_frame("StateLockSubscribeEvent", snapshot),
    ]


def _unsubscribe(link: SdkLink, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
    """D-RS10: the channel's lock events stop (``Locks.unwatch``); no reply."""
    with contextlib.suppress(ConfigError):
        engine.locks.unwatch(core, channel_key(p.get("target")))
    return []


# ------------------------------------------------------------------ events


def _lock_event(link: SdkLink, event: LockEvent, app_id: str) -> Frames:
    """An engine ``LockEvent`` as the SDK's push: EXPIRED is ``StateLockUpdate`` code 8,
    the others a ``StateLockSubscribeEvent`` whose lock state carries the revision after
    the change (a SNAPSHOT's: each lock's revision when the packet is made)."""
    key: ChannelKey = (ChannelType(event.channel_type), event.channel_name)
    target = channel_of(key)
    if event.event_type == "EXPIRED":
        payload = {
            "target": target,
            "lock": event.lock_name,
            "flags": long(0, unsigned=True),
            "code": EXPIRED_CODE,
        }
        return [packet_frame("StateLockUpdate", payload)]
    if event.event_type == "SNAPSHOT":
        locks = link.engine.locks if link.engine is not None else None
        kind = EV_SNAPSHOT
        states = [
            _state(d, locks.revision(app_id, key, d.lock_name) if locks is not None else 0)
            for d in event.snapshot
        ]
    else:
        kind = {"SET": EV_SET, "REMOVED": EV_REMOVED}.get(event.event_type, EV_MODIFIED)
        detail = LockDetail(event.lock_name, event.ttl, event.owner)
        states = [_state(detail, event.revision)]
    payload = {"target": target, "eventType": kind, "lockStates": states}
    return [packet_frame("StateLockSubscribeEvent", payload)]


#: The lock packets the server serves (docs/real-sdk.md, "The wire").
LOCK_PACKETS = {
    "StateLockCreate": _create,
    "StateLockDelete": _delete,
    "StateLockAcquire": _acquire,
    "StateLockRelease": _release,
    "StateLockDisable": _disable,
    "StateLockList": _list,
    "StateLockSubscribe": _subscribe,
    "StateLockUnsubscribe": _unsubscribe,
}

HANDLERS.update(LOCK_PACKETS)
OUTGOING[LockEvent] = _lock_event
