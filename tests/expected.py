"""Expected-event builders shared by the engine tests: the SDK JSON of what a listener gets.

Every builder writes the SDK's ``PresenceEvent`` JSON by hand (``semantics.md``, Events):
``snapshot`` is ``[]`` on every event that is not a ``SNAPSHOT``, ``interval`` is ``None``
on every event that is not an ``INTERVAL``, an ``INTERVAL`` has ``publisher ""`` and
``stateChanged {}``, and ``timestamp`` is the emulator clock in ms.

The order of the users inside a ``SNAPSHOT`` and inside an ``INTERVAL``'s lists is not
specified, so :func:`normalize` sorts them (by user id) on both sides of a comparison:
the tests pin which users are listed, with which state, not in which order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rtm_emulator import Emulator, PresenceEvent, RTMClient, UserState

from .conftest import Recorder

Event = dict[str, Any]
Delivery = tuple[str, Event]
#: A user in a SNAPSHOT or ``userStateList``: ``"uid"``, ``("uid", states)`` or a ``UserState``.
User = str | tuple[str, Mapping[str, Any]] | UserState

EVENT_KEYS = frozenset(
    {
        "eventType",
        "channelType",
        "channelName",
        "publisher",
        "stateChanged",
        "interval",
        "snapshot",
        "timestamp",
    }
)


# ------------------------------------------------------------------ the SDK's errors

INVALID_ARG = "RtmInvalidArgumentError"
LIMIT = "RtmLimitExceededError"
STATUS = "RtmInvalidStatusError"
UNAVAILABLE = "RtmUnavailableError"
#: code -> (the SDK's reason text, the class it is raised with): agora-rtm.js 2.3.0's
#: reason table with the final "." the SDK adds, written out here independently of the
#: package's own table.
SDK_ERRORS: dict[int, tuple[str, str]] = {
    -10003: ("Invalid App id. illegal symbol or too long.", UNAVAILABLE),
    -10006: ("Invalid user id. illegal symbol or too long.", INVALID_ARG),
    -10008: ("Invalid channel name. illegal symbol or too long.", INVALID_ARG),
    -10017: ("Same subscribe, join or login request.", UNAVAILABLE),
    -10019: ("Invalid channel type, some api not support set channel type as user.", INVALID_ARG),
    -10021: ("The operation rate exceeds limitation.", UNAVAILABLE),
    -10025: ("Perform operation failed due to RTM service is not connected.", STATUS),
    -11001: ("Perform operation without join stream channel.", UNAVAILABLE),
    -11005: ("Join or subscribe too many channels and have reach limitation.", LIMIT),
    -11007: ("Join stream channel failed.", UNAVAILABLE),
    -11021: ("Subscribe message channel failed.", UNAVAILABLE),
    -13003: ("Presence operation failed due to invalid argument.", INVALID_ARG),
    -13004: ("Exceed presence cache limitation.", LIMIT),
    -13005: ("Exceed presence state count limitation.", LIMIT),
    -13006: ("Invalid presence state key.", INVALID_ARG),
    -13008: ("Presence state key length is too long.", INVALID_ARG),
    -13009: ("Presence state value length is too long.", LIMIT),
    -13010: ("Presence operation failed since including duplicate key.", INVALID_ARG),
    -13011: ("Presence operation failed due to inexistent user.", UNAVAILABLE),
}


# ------------------------------------------------------------------ builders


def user_state(user: User) -> dict[str, Any]:
    """``{"userId", "states", "statesCount"}`` of a :data:`User`."""
    if isinstance(user, UserState):
        uid, states = user.user_id, dict(user.states)
    elif isinstance(user, str):
        uid, states = user, {}
    else:
        uid, states = user[0], dict(user[1])
    return {"userId": uid, "states": states, "statesCount": len(states)}


def sdk_event(
    kind: str,
    publisher: str = "",
    *,
    ts: int,
    channel: str = "room",
    ctype: str = "MESSAGE",
    state: Mapping[str, Any] | None = None,
    interval: dict[str, Any] | None = None,
    snapshot: list[dict[str, Any]] | None = None,
) -> Event:
    """The SDK JSON of one presence event, normalized (:func:`normalize`)."""
    return normalize(
        {
            "eventType": kind,
            "channelType": ctype,
            "channelName": channel,
            "publisher": publisher,
            "stateChanged": dict(state or {}),
            "interval": interval,
            "snapshot": list(snapshot or []),
            "timestamp": ts,
        }
    )


def snapshot_at(ts: int, *users: User, channel: str = "room", ctype: str = "MESSAGE") -> Event:
    """A ``SNAPSHOT`` listing ``users`` (R-E1), stamped ``ts``."""
    listed = [user_state(u) for u in users]
    return sdk_event("SNAPSHOT", ts=ts, snapshot=listed, channel=channel, ctype=ctype)


def join_at(publisher: str, ts: int, *, channel: str = "room", ctype: str = "MESSAGE") -> Event:
    """A ``REMOTE_JOIN`` of ``publisher`` (R-E1)."""
    return sdk_event("REMOTE_JOIN", publisher, ts=ts, channel=channel, ctype=ctype)


def leave_at(publisher: str, ts: int, *, channel: str = "room", ctype: str = "MESSAGE") -> Event:
    """A ``REMOTE_LEAVE`` of ``publisher`` (R-E2)."""
    return sdk_event("REMOTE_LEAVE", publisher, ts=ts, channel=channel, ctype=ctype)


def timeout_at(publisher: str, ts: int, *, channel: str = "room", ctype: str = "MESSAGE") -> Event:
    """A ``REMOTE_TIMEOUT`` of ``publisher`` (R-T2)."""
    return sdk_event("REMOTE_TIMEOUT", publisher, ts=ts, channel=channel, ctype=ctype)


def state_at(
    publisher: str,
    state: Mapping[str, Any],
    ts: int,
    *,
    channel: str = "room",
    ctype: str = "MESSAGE",
) -> Event:
    """A ``REMOTE_STATE_CHANGED`` of ``publisher`` carrying its full ``state`` (R-E3)."""
    kind = "REMOTE_STATE_CHANGED"
    return sdk_event(kind, publisher, ts=ts, state=state, channel=channel, ctype=ctype)


def interval_at(
    ts: int,
    *,
    total: int,
    join: Sequence[str] = (),
    leave: Sequence[str] = (),
    timeout: Sequence[str] = (),
    states: Sequence[User] = (),
    channel: str = "room",
    ctype: str = "MESSAGE",
) -> Event:
    """An ``INTERVAL`` aggregating one period (R-E5), stamped ``ts``."""
    detail = {
        "join": {"users": list(join), "userCount": len(join)},
        "leave": {"users": list(leave), "userCount": len(leave)},
        "timeout": {"users": list(timeout), "userCount": len(timeout)},
        "userStateList": [user_state(u) for u in states],
        "totalOccupancy": total,
    }
    return sdk_event("INTERVAL", ts=ts, interval=detail, channel=channel, ctype=ctype)


def normalize(event: Event) -> Event:
    """``event`` with its user lists sorted by user id (their order is not specified)."""
    out = dict(event)
    snapshot = out.get("snapshot")
    if isinstance(snapshot, list):
        out["snapshot"] = sorted(snapshot, key=lambda u: str(u.get("userId")))
    detail = out.get("interval")
    if isinstance(detail, dict):
        detail = dict(detail)
        for key in ("join", "leave", "timeout"):
            if isinstance(detail.get(key), dict):
                part = dict(detail[key])
                part["users"] = sorted(part.get("users", []))
                detail[key] = part
        if isinstance(detail.get("userStateList"), list):
            detail["userStateList"] = sorted(
                detail["userStateList"], key=lambda u: str(u.get("userId"))
            )
        out["interval"] = detail
    return out


# ------------------------------------------------------------------ the older helpers


def snap(emu: Emulator, *users: User, channel: str = "room", ctype: str = "MESSAGE") -> Event:
    """The SDK JSON of the SNAPSHOT a user entering now would receive."""
    return snapshot_at(emu.now_ms, *users, channel=channel, ctype=ctype)


def remote(
    emu: Emulator,
    kind: str,
    publisher: str,
    state: Mapping[str, Any] | None = None,
    *,
    channel: str = "room",
    ctype: str = "MESSAGE",
    timestamp: int | None = None,
) -> Event:
    """The SDK JSON of a ``REMOTE_*`` event stamped now (or at ``timestamp``)."""
    ts = emu.now_ms if timestamp is None else timestamp
    return sdk_event(kind, publisher, ts=ts, state=state, channel=channel, ctype=ctype)


def got(rec: Recorder) -> list[Event]:
    """The SDK JSON of every presence event recorded so far, clearing the record."""
    return [normalize(e.to_dict()) for e in rec.take()]


# ------------------------------------------------------------------ recording


class Log:
    """Every presence event delivered to the watched clients, in delivery order.

    Each delivery is ``(recipient user id, normalized SDK JSON)``.  Recording also checks
    R-E7's global sequence (``seq`` strictly increases in delivery order, across all
    recipients) and the event's key set, so every test that records checks both.
    """

    def __init__(self) -> None:
        self.log: list[Delivery] = []
        self.raw: list[tuple[str, PresenceEvent]] = []
        self._last_seq: int | None = None

    def watch(self, client: RTMClient) -> RTMClient:
        uid = client.user_id

        def record(event: PresenceEvent) -> None:
            self.raw.append((uid, event))
            self.log.append((uid, normalize(event.to_dict())))

        client.add_event_listener("presence", record)
        return client

    def take(self) -> list[Delivery]:
        """The deliveries so far, clearing the record (checks seq and keys first)."""
        for uid, event in self.raw:
            assert EVENT_KEYS == set(event.to_dict()), (uid, event)
            if self._last_seq is not None:
                assert event.seq > self._last_seq, ("R-E7: seq must increase", uid, event)
            self._last_seq = event.seq
        out, self.log, self.raw = self.log, [], []
        return out

    def by_recipient(self) -> dict[str, list[Event]]:
        """:meth:`take`, grouped per recipient (for orders the spec leaves open)."""
        grouped: dict[str, list[Event]] = {}
        for uid, event in self.take():
            grouped.setdefault(uid, []).append(event)
        return grouped


def to(emu: Emulator, ms: int) -> None:
    """Advance the clock to the absolute time ``ms``."""
    assert ms >= emu.now_ms, (ms, emu.now_ms)
    emu.advance((ms - emu.now_ms) / 1000)
    assert ms == emu.now_ms


def each(users: Iterable[str], event: Event) -> list[Delivery]:
    """The same ``event`` delivered to each of ``users`` (in the order given)."""
    return [(uid, event) for uid in users]
