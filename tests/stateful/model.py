"""A tiny, deliberately simple reference model of RTM presence, for model-based tests.

It shares no code with ``rtm_emulator`` and imports nothing from it.  Everything is plain
dicts, lists and sets; nothing is indexed: every question is answered by scanning all
clients, and every read is ``sorted()``.  Rule ids (``R-…``) refer to
``../shared/spec/semantics.md``; ``[D]`` marks a choice of ``docs/decisions.md``.

Every public method is one operation of the emulator: it returns ``("ok", response)``
(the SDK JSON of the response, ``None`` for emulator-level calls) or
``("err", operation, code)``, and appends the events it delivered to :attr:`journal` as
``(client key, event JSON)``; presence events carry their global ``seq``.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable
from typing import Any

NOT_LOGIN, INVALID_USER_ID, INVALID_CHANNEL_NAME = -10002, -10006, -10008
INVALID_PARAMETER, INVALID_CHANNEL_TYPE, NOT_CONNECTED = -10014, -10019, -10025
CHANNEL_NOT_JOINED, CHANNEL_NOT_SUBSCRIBED = -11001, -11002
FULL = {"MESSAGE": -11021, "STREAM": -11007}  # CHANNEL_SUBSCRIBE_FAILED / _JOIN_FAILED
INVALID_ARGUMENT, CACHED_TOO_MANY, COUNT_OVERFLOW = -13003, -13004, -13005
BAD_KEY, BAD_VALUE, KEY_TOO_LONG, VALUE_TOO_LONG = -13006, -13007, -13008, -13009
USER_NOT_EXIST = -13011

CHARSET = set(string.ascii_letters + string.digits + " !#$%&()+-:;<=.>?@[]^_{}|~,")
TYPES = ("MESSAGE", "STREAM")
SUSPEND_MS = 120_000  # R-T4
REASONS = {
    "LOGIN": "Perform login operation",
    "LOGIN_SUCCESS": "Login success",
    "LOGOUT": "Logout success",
    "RECONNECT_SUCCESS": "Reconnect success",
    "SAME_UID_LOGIN": "The same uid login on another device",
    "KEEP_ALIVE_TIMEOUT": "Keep alive timeout",
}
REMOTE = {
    "join": "REMOTE_JOIN",
    "leave": "REMOTE_LEAVE",
    "timeout": "REMOTE_TIMEOUT",
    "state": "REMOTE_STATE_CHANGED",
}

Json = dict[str, Any]
Result = tuple[Any, ...]
Channel = tuple[str, str, str]  # (app, type, name)


class Fail(Exception):
    """A failed call: ``(operation, code)``; raised before anything changes."""

    def __init__(self, operation: str, code: int) -> None:
        super().__init__(operation, code)
        self.operation, self.code = operation, code


def bad_id(value: object) -> bool:
    """A user id (or channel name) the SDK rejects: empty, "null", > 64 bytes, charset."""
    return (
        not isinstance(value, str)
        or value in ("", "null")
        or len(value.encode()) > 64
        or not set(value) <= CHARSET
    )


def check_name(op: str, name: object) -> None:
    if bad_id(name) or str(name).startswith("_") or "." in str(name):
        raise Fail(op, INVALID_CHANNEL_NAME)


def check_type(op: str, ctype: object) -> None:
    if not isinstance(ctype, str) or ctype not in TYPES:
        raise Fail(op, INVALID_CHANNEL_TYPE)


def check_key(op: str, key: object) -> None:
    if not isinstance(key, str) or key == "":
        raise Fail(op, BAD_KEY)
    if len(key.encode()) > 64:
        raise Fail(op, KEY_TOO_LONG)


def check_state(op: str, state: object) -> None:
    """R-S3: items in order, each key before its value; the first bad one decides."""
    if not isinstance(state, dict):
        raise Fail(op, INVALID_PARAMETER)
    for key, value in state.items():
        check_key(op, key)
        if not isinstance(value, str):
            raise Fail(op, BAD_VALUE)
        if len(value.encode()) > 8192:
            raise Fail(op, VALUE_TOO_LONG)


def operation(method: Callable[..., Any]) -> Callable[..., Result]:
    """A public call is one operation: see :meth:`Model._run`."""

    @functools.wraps(method)
    def call(self: Model, *args: Any) -> Result:
        return self._run(lambda: method(self, *args))

    return call


def user_state(uid: str, state: dict[str, str]) -> Json:
    return {"userId": uid, "states": dict(state), "statesCount": len(state)}


class Client:
    """One SDK client.  ``chans[(type, name)] = {"listen", "quiet", "state"}``."""

    def __init__(self, key: str, app: str, uid: str, timeout_ms: int) -> None:
        self.key, self.app, self.uid, self.timeout_ms = key, app, uid, timeout_ms
        self.logged_in, self.connected, self.timed_out = False, True, False
        self.link = "IDLE"
        self.chans: dict[tuple[str, str], Json] = {}
        self.restore: dict[tuple[str, str], Json] = {}  # what a timed-out client had (R-T3)
        self.cache: dict[tuple[str, str], dict[str, str]] = {}  # R-S4
        self.timers: list[int] = []  # its SUSPENDED and timeout timers


class Model:
    def __init__(
        self,
        *,
        start_ms: int,
        page_size: int,
        announce_max: int,
        interval_ms: int,
        debounce_ms: int,
        max_users: int,
    ) -> None:
        self.now = start_ms
        self.max_users = max_users
        self.page_size, self.announce_max = page_size, announce_max
        self.interval_ms, self.debounce_ms = interval_ms, debounce_ms
        self.clients: dict[str, Client] = {}
        self.seq = 0  # global seq of presence events (R-E7)
        self.tseq = 0  # timers fire in (due, scheduling order) (R-E7)
        self.timers: list[list[Any]] = []  # [due_ms, tseq, action, args]
        self.down: set[Channel] = set()  # presence unavailable (R-E8)
        self.pending: dict[tuple[str, ...], tuple[int, dict[str, str]]] = {}  # R-E6
        self.heard: dict[tuple[str, ...], dict[str, str]] = {}  # state last announced (R-E6)
        self.periods: dict[Channel, Json] = {}  # channels in interval mode (R-E5)
        self.journal: list[tuple[str, Json]] = []
        self._out: list[tuple[Client, Json]] = []

    def add_client(self, key: str, app: str, uid: str, timeout_ms: int) -> None:
        self.clients[key] = Client(key, app, uid, timeout_ms)

    # ------------------------------------------------------------ reading (all sorted)

    def session(self, app: str, uid: str) -> Client | None:
        """The logged-in client of a user (at most one: a second login kicks, R-T4)."""
        found = [c for c in self.clients.values() if (c.app, c.uid) == (app, uid) and c.logged_in]
        return found[0] if found else None

    def members(self, ch: Channel) -> list[tuple[Client, Json]]:
        """Present users of a channel, quiet included, by user id."""
        app, ctype, name = ch
        found = [
            (c, c.chans[(ctype, name)])
            for c in self.clients.values()
            if c.app == app and c.logged_in and (ctype, name) in c.chans
        ]
        return sorted(found, key=lambda cm: cm[0].uid)

    def visible(self, ch: Channel) -> list[tuple[Client, Json]]:
        return [(c, m) for c, m in self.members(ch) if not m["quiet"]]

    def online_users(self, ch: Channel) -> list[str]:
        return [c.uid for c, _ in self.visible(ch)]

    def user_channels(self, app: str, uid: str) -> list[tuple[str, str]]:
        c = self.session(app, uid)
        return sorted(c.chans) if c else []

    def state_of(self, app: str, uid: str, ctype: str, name: str) -> dict[str, str]:
        c = self.session(app, uid)
        return dict(c.chans[(ctype, name)]["state"]) if c and (ctype, name) in c.chans else {}

    def timer_dues(self) -> list[int]:
        return sorted(t[0] for t in self.timers)

    # ------------------------------------------------------------- operations, events

    def _run(self, fn: Callable[[], Any]) -> Result:
        """One operation: its events per recipient in user-id order (stable), then seq."""
        self._out = []
        try:
            result = fn()
        except Fail as fail:
            return ("err", fail.operation, fail.code)  # nothing changed, nothing sent
        for c, event in sorted(self._out, key=lambda item: item[0].uid):
            if "eventType" in event:
                self.seq += 1
                event = {**event, "seq": self.seq}
            self.journal.append((c.key, event))
        return ("ok", result)

    def _event(self, kind: str, ch: Channel, publisher: str = "", **fields: Any) -> Json:
        return {
            "eventType": kind,
            "channelType": ch[1],
            "channelName": ch[2],
            "publisher": publisher,
            "stateChanged": dict(fields.get("state") or {}),
            "interval": fields.get("interval"),
            "snapshot": fields.get("snapshot"),
            "timestamp": self.now,
        }

    def _link(
        self, c: Client, state: str, op: str, reason: str, resumed: bool = False, lost: Any = ()
    ) -> None:
        """R-T4; link events go to the client even while its network is down [D]."""
        event = {
            "currentState": state,
            "previousState": c.link,
            "serviceType": "MESSAGE",
            "operation": op,
            "reason": REASONS[reason],
            "reasonCode": reason,
            "affectedChannels": [],
            "unrestoredChannels": list(lost),
            "isResumed": resumed,
            "timestamp": self.now,
        }
        self._out.append((c, event))
        c.link = state

    def _tell(self, ch: Channel, event: Json, about: str = "") -> None:
        """To every listening, connected member but ``about`` (R-E3, R-E9)."""
        for c, m in self.members(ch):
            if m["listen"] and c.connected and c.uid != about:
                self._out.append((c, event))

    def _announce(self, ch: Channel, kind: str, uid: str, state: Any = None) -> None:
        """join / leave / timeout / state of a visible user, or aggregate it (R-E5)."""
        if kind in ("leave", "timeout"):
            self.heard.pop((*ch, uid), None)  # gone: what the others heard of it is moot
        if ch in self.down:
            return  # R-E8: nothing flows
        if ch in self.periods:
            self.periods[ch][kind].add(uid)
            return
        self._tell(ch, self._event(REMOTE[kind], ch, uid, state=state), about=uid)
        if kind in ("join", "state"):  # what the others now know of its state (R-E6)
            self.heard[(*ch, uid)] = dict(state or {})

    def _snapshot(self, c: Client, ch: Channel) -> None:
        """R-E1 (R-E8: ERROR_OUT_OF_SERVICE instead while the service is down)."""
        if ch in self.down:
            self._out.append((c, self._event("ERROR_OUT_OF_SERVICE", ch)))
            return
        users = [user_state(u.uid, m["state"]) for u, m in self.visible(ch)]
        self._out.append((c, self._event("SNAPSHOT", ch, snapshot=users)))

    # --------------------------------------------------------------------------- timers

    def _schedule(self, delay_ms: int, action: str, *args: Any) -> int:
        self.tseq += 1
        self.timers.append([self.now + delay_ms, self.tseq, action, args])
        return self.tseq

    def _cancel(self, tseq: int) -> None:
        self.timers = [t for t in self.timers if t[1] != tseq]

    def advance(self, ms: int) -> Result:
        """R-T1: fire due timers in (due, scheduling) order, each its own operation."""
        target = self.now + ms
        while self.timers and min(self.timers)[0] <= target:
            due, _, action, args = timer = min(self.timers)
            self.timers.remove(timer)
            self.now = due
            self._run(lambda action=action, args=args: getattr(self, action)(*args))
        self.now = target
        return ("ok", None)

    def _fire_leave(self, ch: Channel, uid: str) -> None:
        """R-E6: the debounced REMOTE_LEAVE (or a leave in the period, R-E5 [D])."""
        del self.pending[(*ch, uid)]
        self._announce(ch, "leave", uid)

    def _fire_boundary(self, ch: Channel) -> None:
        """R-E5: one INTERVAL for a non-empty period; announce mode again at <= max."""
        period = self.periods.pop(ch)
        users = self.visible(ch)
        if any(period[k] for k in REMOTE) and ch not in self.down:
            lists = {k: sorted(period[k]) for k in ("join", "leave", "timeout")}
            detail = {k: {"users": v, "userCount": len(v)} for k, v in lists.items()}
            changed = [(u, m) for u, m in users if u.uid in period["state"]]
            detail["userStateList"] = [user_state(u.uid, m["state"]) for u, m in changed]
            detail["totalOccupancy"] = len(users)
            self._tell(ch, self._event("INTERVAL", ch, interval=detail))
            for u, m in users:  # what the others now know of their state (R-E6)
                if u.uid in period["state"]:
                    self.heard[(*ch, u.uid)] = dict(m["state"])
                elif u.uid in period["join"]:
                    self.heard[(*ch, u.uid)] = {}
        if len(users) > self.announce_max:
            self._start_period(ch)

    def _start_period(self, ch: Channel) -> None:
        self.periods[ch] = {k: set() for k in REMOTE}
        self.periods[ch]["tseq"] = self._schedule(self.interval_ms, "_fire_boundary", ch)

    def _fire_suspend(self, c: Client) -> None:
        self._link(c, "SUSPENDED", "AUTO_RECONNECT", "KEEP_ALIVE_TIMEOUT")

    def _fire_timeout(self, c: Client) -> None:
        """R-T2: REMOTE_TIMEOUT now (not debounced), channels in (type, name) order."""
        c.timed_out, c.restore = True, dict(c.chans)
        for key in sorted(c.chans):
            self._exit(c, key, "timeout")

    # ----------------------------------------------------------------- enter and exit

    def _enter(
        self, c: Client, key: tuple[str, str], listen: bool, quiet: bool, state: Any = None
    ) -> None:
        ch = (c.app, *key)
        old = c.chans.get(key)
        if old is None:
            if state is None:
                state = c.cache.pop(key, {})  # R-S4: the cache entry is consumed
            c.chans[key] = {"listen": listen, "quiet": quiet, "state": state}
            if not quiet:
                self._appear(c, ch, state)
        else:  # R-L1: repeated entry takes the new options
            c.chans[key] = {**old, "listen": listen, "quiet": quiet}
            if old["quiet"] and not quiet:
                self._appear(c, ch, old["state"])
            if quiet and not old["quiet"]:
                self._announce(ch, "leave", c.uid)  # [D] at once, not debounced
        if listen:
            self._snapshot(c, ch)

    def _appear(self, c: Client, ch: Channel, state: dict[str, str]) -> None:
        """A user becomes visible: switch to interval mode first (R-E5), then announce."""
        if ch not in self.periods and len(self.visible(ch)) > self.announce_max:
            self._start_period(ch)
        pending = self.pending.pop((*ch, c.uid), None)
        if pending is not None:  # R-E6: back within the window: no leave, no join, and
            self._cancel(pending[0])  # the state only if it is not what others last heard
            if pending[1] != state:
                self._announce(ch, "state", c.uid, state)
            return
        self._announce(ch, "join", c.uid)
        if state:
            self._announce(ch, "state", c.uid, state)

    def _exit(self, c: Client, key: tuple[str, str], cause: str) -> None:
        """Leave at once (lists, state); the REMOTE_LEAVE waits ``debounce`` (R-E6)."""
        ch = (c.app, *key)
        member = c.chans.pop(key)
        if not member["quiet"]:
            if cause == "timeout" or self.debounce_ms == 0:
                self._announce(ch, cause, c.uid)
            else:
                tseq = self._schedule(self.debounce_ms, "_fire_leave", ch, c.uid)
                self.pending[(*ch, c.uid)] = (tseq, self.heard.get((*ch, c.uid), {}))
        if not self.members(ch) and ch in self.periods:  # [D] dropped with its period
            self._cancel(self.periods.pop(ch)["tseq"])

    def _end_session(self, c: Client, state: str, op: str, reason: str) -> None:
        """Logout or kick (R-L2, R-T4): leave everything (debounced), drop state and cache."""
        for key in sorted(c.chans):
            self._exit(c, key, "leave")
        for tseq in c.timers:
            self._cancel(tseq)
        c.timers, c.restore, c.cache = [], {}, {}
        c.logged_in, c.connected, c.timed_out = False, True, False  # [D] ends a network loss
        self._link(c, state, op, reason)

    def _require(self, c: Client, op: str) -> None:
        if not c.logged_in:
            raise Fail(op, NOT_LOGIN)
        if not c.connected:
            raise Fail(op, NOT_CONNECTED)

    # ------------------------------------------------------------------ client calls

    @operation
    def login(self, key: str) -> Any:
        c = self.clients[key]
        if not c.logged_in:  # R-L3: else nothing changes
            other = self.session(c.app, c.uid)
            if other is not None:
                self._end_session(other, "FAILED", "SERVER_REJECT", "SAME_UID_LOGIN")
            c.logged_in, c.connected, c.timed_out = True, True, False
            self._link(c, "CONNECTING", "LOGIN", "LOGIN")
            self._link(c, "CONNECTED", "LOGIN", "LOGIN_SUCCESS")
        return {"timestamp": self.now}

    @operation
    def logout(self, key: str) -> Any:
        c = self.clients[key]
        if c.logged_in:  # [D] else a no-op
            self._end_session(c, "IDLE", "LOGOUT", "LOGOUT")
        return {"timestamp": self.now}

    @operation
    def enter(self, key: str, ctype: str, name: Any, listen: bool, quiet: bool) -> Any:
        """``subscribe`` (MESSAGE) or ``create_stream_channel(name).join`` (STREAM)."""
        c, op = self.clients[key], "join" if ctype == "STREAM" else "subscribe"
        self._check_entry(c, op, name)
        if (ctype, name) not in c.chans and self._full((c.app, ctype, name)):
            raise Fail(op, FULL[ctype])
        self._enter(c, (ctype, name), listen, quiet)
        return self._entry_response(ctype, name)

    def _check_entry(self, c: Client, op: str, name: Any) -> None:
        if op in ("join", "leave"):
            check_name("createStreamChannel", name)  # [D] a local call, checked at once
        self._require(c, op)
        check_name(op, name)

    def _entry_response(self, ctype: str, name: str) -> Json:
        if ctype == "STREAM":
            return {"timestamp": self.now}
        return {"timestamp": self.now, "channelName": name}

    def _full(self, ch: Channel) -> bool:
        return len(self.members(ch)) >= self.max_users

    @operation
    def exit(self, key: str, ctype: str, name: Any) -> Any:
        """``unsubscribe`` or ``create_stream_channel(name).leave``."""
        c, op = self.clients[key], "leave" if ctype == "STREAM" else "unsubscribe"
        self._check_entry(c, op, name)
        if (ctype, name) not in c.chans:
            raise Fail(op, CHANNEL_NOT_JOINED if op == "leave" else CHANNEL_NOT_SUBSCRIBED)
        self._exit(c, (ctype, name), "leave")
        return self._entry_response(ctype, name)

    def _check_channel(self, c: Client, op: str, name: Any, ctype: Any) -> None:
        self._require(c, op)
        check_name(op, name)
        check_type(op, ctype)

    @operation
    def set_state(self, key: str, name: Any, ctype: Any, state: Any) -> Any:
        c = self.clients[key]
        self._check_channel(c, "setState", name, ctype)
        check_state("setState", state)
        k = (ctype, name)
        member = c.chans.get(k)
        merged = {**(member["state"] if member else c.cache.get(k, {})), **state}  # R-S2
        if len(merged) > 32:
            raise Fail("setState", COUNT_OVERFLOW)  # R-S3
        if member is None:  # R-S4: cache it
            others = sum(len(v) for kk, v in c.cache.items() if kk != k)
            if others + len(merged) > 100:
                raise Fail("setState", CACHED_TOO_MANY)
            c.cache[k] = merged
        else:
            self._set(c, k, merged)
        return {"timestamp": self.now}

    @operation
    def remove_state(self, key: str, name: Any, ctype: Any, states: Any) -> Any:
        c = self.clients[key]
        self._check_channel(c, "removeState", name, ctype)
        if states is not None and not isinstance(states, list | tuple):
            raise Fail("removeState", INVALID_PARAMETER)  # [D]
        for k in states or ():
            check_key("removeState", k)
        k = (ctype, name)
        member = c.chans.get(k)
        old = member["state"] if member else c.cache.get(k, {})
        new = {kk: v for kk, v in old.items() if states and kk not in states}  # R-S2
        if member is not None:
            self._set(c, k, new)
        elif new:
            c.cache[k] = new  # R-S4: edits the cache, emits nothing
        else:
            c.cache.pop(k, None)  # [D] an empty cache entry is dropped
        return {"timestamp": self.now}

    def _set(self, c: Client, k: tuple[str, str], state: dict[str, str]) -> None:
        """R-S5: one REMOTE_STATE_CHANGED with the full state, also when unchanged [D]."""
        c.chans[k]["state"] = state
        if not c.chans[k]["quiet"]:  # [D] a quiet user's state is stored, nobody is told
            self._announce((c.app, *k), "state", c.uid, state)

    @operation
    def get_online_users(
        self, key: str, op: str, name: Any, ctype: Any, with_ids: bool, with_state: bool, page: Any
    ) -> Any:
        """R-Q1..R-Q4.  ``page``: None, "BAD", or a cursor ``(app, type, name, with_state,
        after)`` that stands for a bookmark the emulator issued."""
        c = self.clients[key]
        page = page or None  # [D] "" means the first page
        self._check_channel(c, op, name, ctype)
        if with_state and not with_ids:
            raise Fail(op, INVALID_ARGUMENT)
        if page is not None and (
            page == "BAD" or not with_ids or page[:4] != (c.app, ctype, name, with_state)
        ):
            raise Fail(op, INVALID_ARGUMENT)  # R-Q3
        users = self.visible((c.app, ctype, name))
        if not with_ids:
            count = len(users)
            return {"timestamp": self.now, "totalOccupancy": count, "occupants": [], "nextPage": ""}
        rest = [(u, m) for u, m in users if page is None or u.uid > page[4]]
        shown = rest[: self.page_size]
        more = len(rest) > self.page_size  # R-Q4: look ahead
        return {
            "timestamp": self.now,
            "totalOccupancy": len(shown),
            "occupants": [user_state(u.uid, m["state"] if with_state else {}) for u, m in shown],
            "nextPage": (c.app, ctype, name, with_state, shown[-1][0].uid) if more else "",
        }

    @operation
    def get_user_channels(self, key: str, op: str, uid: Any) -> Any:
        """R-Q5: present and visible, by (type, name); unknown or offline: empty."""
        c = self.clients[key]
        self._require(c, op)
        if uid != "" and bad_id(uid):
            raise Fail(op, INVALID_USER_ID)
        user = self.session(c.app, uid or c.uid)
        chans = sorted(k for k, m in user.chans.items() if not m["quiet"]) if user else []
        return {
            "timestamp": self.now,
            "totalChannel": len(chans),
            "channels": [{"channelName": n, "channelType": t} for t, n in chans],
        }

    @operation
    def get_state(self, key: str, uid: Any, name: Any, ctype: Any) -> Any:
        """R-Q6: not present or quiet there: -13011."""
        c = self.clients[key]
        self._require(c, "getState")
        if uid != "" and bad_id(uid):
            raise Fail("getState", INVALID_USER_ID)
        check_name("getState", name)
        check_type("getState", ctype)
        user = self.session(c.app, uid or c.uid)
        member = user.chans.get((ctype, name)) if user else None
        if member is None or member["quiet"]:
            raise Fail("getState", USER_NOT_EXIST)
        return {"timestamp": self.now, **user_state(uid or c.uid, member["state"])}

    # ------------------------------------------------------------- the emulator's hand

    @operation
    def disconnect(self, app: str, uid: str) -> Any:
        """R-T2: DISCONNECTED now, SUSPENDED after 120 s, timed out after hb + 10 + pt."""

        c = self.session(app, uid)
        if c is None:
            raise Fail("disconnect", NOT_LOGIN)
        if c.connected:
            c.connected = False
            self._link(c, "DISCONNECTED", "HEARTBEAT_TIMEOUT", "KEEP_ALIVE_TIMEOUT")
            c.timers = [
                self._schedule(SUSPEND_MS, "_fire_suspend", c),
                self._schedule(c.timeout_ms, "_fire_timeout", c),
            ]

    @operation
    def reconnect(self, app: str, uid: str) -> Any:
        """R-T3: resume (fresh SNAPSHOTs) or, after the timeout, re-enter with state
        (a channel that is full by now is left out and named in the link event [D])."""

        c = self.session(app, uid)
        if c is None:
            raise Fail("reconnect", NOT_LOGIN)
        if c.connected:
            return
        for tseq in c.timers:
            self._cancel(tseq)
        c.timers, c.connected = [], True
        if not c.timed_out:
            self._link(c, "CONNECTED", "RECONNECTED", "RECONNECT_SUCCESS", resumed=True)
            for key in sorted(c.chans):
                if c.chans[key]["listen"]:
                    self._snapshot(c, (c.app, *key))
            return
        restore, c.restore, c.timed_out = c.restore, {}, False
        lost = [key for key in sorted(restore) if self._full((c.app, *key))]  # [D]
        self._link(c, "CONNECTED", "RECONNECTED", "RECONNECT_SUCCESS", lost=[n for _, n in lost])
        for key in sorted(set(restore) - set(lost)):
            m = restore[key]
            self._enter(c, key, m["listen"], m["quiet"], dict(m["state"]))

    @operation
    def set_presence_available(self, app: str, ctype: str, name: str, available: bool) -> Any:
        (self.down.discard if available else self.down.add)((app, ctype, name))
