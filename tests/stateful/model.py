"""A small, deliberately plain reference model of RTM presence (revision 2), the judge of the
model-based test.

It shares no code with ``rtm_emulator`` and imports nothing from it.  Everything is plain
dicts and lists; nothing is indexed: every question is answered by scanning, and every
read that reaches an output is ``sorted()``.  Rule ids (``R-…``) are those of the
project's ``docs/semantics.md``; the SDK behaviour they follow is that of the runtime
``agora-rtm.js`` 2.3.0 (cited by class / method).  ``[E]`` marks a point where the rules
are silent and the model takes the emulator's documented choice.

Each public method is one call: it returns ``("ok", response JSON)``, ``("err",
operation, code, reason, name, has serverCode)`` for an RTM error, ``("exc", "TypeError" |
"ValueError")`` for a plain exception (R-X3), or ``("pending",)`` for a ``login`` that
waits for the link (R-L3).  Events go to :attr:`journal` as ``(client key, event JSON)``;
presence events carry their global ``seq``.  A failed call changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

Json = dict[str, Any]
Key = tuple[str, str]  # (channel type, channel name)
Chan = tuple[str, str, str]  # (app, channel type, channel name)

NAME_RE = re.compile(r"[a-zA-Z0-9 !#$%&()+,\-:;<=>?@\[\]^_{|}~]{1,64}")
TYPES = ("MESSAGE", "STREAM")
MAX_KEYS, MAX_KEY_BYTES, MAX_VALUE_BYTES, MAX_CACHE = 32, 32, 16384, 100
MESSAGE_LIMIT, STREAM_LIMIT = 50, 10  # R-L4
BACKOFF_MS = [2000, 4000, 8000, 16000, 32000, 32000]  # R-T4, then 30 s
ATTEMPT_MS, SUSPEND_MS, FALLBACK_MS = 5000, 115_000, 60_000  # R-T4, R-E8

# R-X2: reason (the SDK's text) and error class of each code the presence paths raise
ERRORS = {
    -10006: ("Invalid user id. illegal symbol or too long.", "RtmInvalidArgumentError"),
    -10008: ("Invalid channel name. illegal symbol or too long.", "RtmInvalidArgumentError"),
    -10017: ("Same subscribe, join or login request.", "RtmUnavailableError"),
    -10019: (
        "Invalid channel type, some api not support set channel type as user.",
        "RtmInvalidArgumentError",
    ),
    -10023: ("Login RTM service was canceled by user.", "RtmUnavailableError"),
    -10025: (
        "Perform operation failed due to RTM service is not connected.",
        "RtmInvalidStatusError",
    ),
    -11001: ("Perform operation without join stream channel.", "RtmUnavailableError"),
    -11005: (
        "Join or subscribe too many channels and have reach limitation.",
        "RtmLimitExceededError",
    ),
    -11007: ("Join stream channel failed.", "RtmUnavailableError"),
    -11021: ("Subscribe message channel failed.", "RtmUnavailableError"),
    -13003: ("Presence operation failed due to invalid argument.", "RtmInvalidArgumentError"),
    -13004: ("Exceed presence cache limitation.", "RtmLimitExceededError"),
    -13005: ("Exceed presence state count limitation.", "RtmLimitExceededError"),
    -13006: ("Invalid presence state key.", "RtmInvalidArgumentError"),
    -13008: ("Presence state key length is too long.", "RtmInvalidArgumentError"),
    -13009: ("Presence state value length is too long.", "RtmLimitExceededError"),
    -13010: (
        "Presence operation failed since including duplicate key.",
        "RtmInvalidArgumentError",
    ),
    -13011: ("Presence operation failed due to inexistent user.", "RtmUnavailableError"),
}
# R-T4: the SDK's reason text of each link reasonCode
LINK_REASONS = {
    "LOGIN": "Perform login operation",
    "RELOGIN": "Perform login operation again",
    "LOGIN_SUCCESS": "Login success",
    "KEEP_ALIVE_TIMEOUT": "Keep alive timeout",
    "AUTO_RECONNECT": "Reconnecting",
    "RECONNECT_TIMEOUT": "Reconnect timeout",
    "RECONNECT_SUCCESS": "Reconnect success",
    "SAME_UID_LOGIN": "The same uid login on another device",
    "LOGOUT": "Logout success",
    "JOIN": "Perform join operation",
    "REJOIN": "Perform join operation again",
    "JOIN_SUCCESS": "Join channel success",
    "LEAVE": "Leave channel success",
    "JOIN_FAILED": "Join channel failed",
    "CHANNEL_IN_ERROR_STATE": "Channel in error state",
    "CHANNEL_INSTANCE_EXCEED_LIMITATION": "Channel instance exceed limitation",
}
JOIN_FAILURE = {  # stream join refused: the reasonCode of its FAILED link (R-L4, R-T4)
    -10025: "CHANNEL_IN_ERROR_STATE",
    -11005: "CHANNEL_INSTANCE_EXCEED_LIMITATION",
    -11007: "JOIN_FAILED",
}


class Fail(Exception):
    """An RTM error, raised before anything changes."""

    def __init__(self, op: str, code: int, suffix: str = "", name: str = "") -> None:
        super().__init__(op, code)
        reason, default_name = ERRORS[code]
        self.result = ("err", op, code, reason + suffix, name or default_name, code == -11021)


class JsError(Exception):
    """A plain JavaScript exception of the SDK (R-X3): ``TypeError`` / ``ValueError``."""


# --------------------------------------------------------------------- small helpers


def valid_name(value: object) -> bool:
    """R-C1: user ids, channel names and state keys share one predicate."""
    return isinstance(value, str) and not value.startswith("_") and bool(NAME_RE.fullmatch(value))


def utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def truthy(value: object) -> bool:
    """JavaScript truthiness of a JSON value."""
    return value not in (None, False, 0, "") if not isinstance(value, (list, dict)) else True


def audible(before: Json, after: Json) -> bool:
    """Whether a listener's SDK reports a document change (ChannelPresence.
    _handlePresenceEvent reacts to a field ``Delete`` and to a ``Put`` of a truthy value)."""
    removed = [k for k in before if k not in after]
    put = [k for k, v in after.items() if truthy(v) and (k not in before or before[k] != v)]
    return bool(removed or put)


def last_heard(written: Json) -> bool:
    """Whether listeners hear a write of these fields: the SDK reports the pending change
    on the batch's last field, when that value is truthy (ChannelPresence.
    _handlePresenceEvent)."""
    return bool(written) and truthy(list(written.values())[-1])


def heard_state(state: Json) -> Json:
    """The state REMOTE_STATE_CHANGED shows: the replica keeps only truthy fields."""
    return {k: v for k, v in state.items() if truthy(v)}


def js_keys(items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """JS ``Object.keys`` order: array-index keys ascending first, then insertion order."""

    def index(k: str) -> bool:
        return k.isascii() and k.isdigit() and (k == "0" or k[0] != "0") and int(k) < 2**32 - 1

    return sorted([kv for kv in items if index(kv[0])], key=lambda kv: int(kv[0])) + [
        kv for kv in items if not index(kv[0])
    ]


def state_items(state: object) -> list[tuple[str, Any]]:
    """R-S3: what ``Object.keys(state)`` sees (``null`` is a TypeError, R-X3)."""
    if state is None:
        raise JsError("TypeError")
    if isinstance(state, dict):
        return js_keys(list(state.items()))
    if isinstance(state, (str, list)):
        return [(str(i), v) for i, v in enumerate(state)]
    return []


def check_key(op: str, key: object) -> None:
    """R-S3: size first (-13008), then empty / charset / leading ``_`` (-13006)."""
    if isinstance(key, str) and utf8(key) > MAX_KEY_BYTES:
        raise Fail(op, -13008)
    if not valid_name(key):
        raise Fail(op, -13006)


def check_type(op: str, ctype: object) -> str:
    if ctype not in TYPES or not isinstance(ctype, str):
        raise Fail(op, -10019)
    return str(ctype)


def check_channel(op: str, name: object) -> str:
    if not valid_name(name):
        raise Fail(op, -10008)
    return str(name)


def atob(page: str) -> str:
    """JS ``atob`` for the pages the test uses: whitespace ignored, else strict."""
    text = "".join(ch for ch in page if ch not in "\t\n\f\r ")
    if not re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", text) or len(text.rstrip("=")) % 4 == 1:
        raise JsError("ValueError")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4)).decode("latin-1")
    except (binascii.Error, ValueError):
        raise JsError("ValueError") from None


def btoa(text: str) -> str:
    return base64.b64encode(text.encode("latin-1")).decode("ascii")


def user_state(uid: str, state: Json) -> Json:
    return {"userId": uid, "states": dict(state), "statesCount": len(state)}


def entry_options(options: object) -> tuple[bool, bool]:
    """``withPresence ?? true``, ``beQuiet ?? false``, JS truthiness; a non-object: defaults."""
    if not isinstance(options, dict):
        return True, False
    listen, quiet = options.get("withPresence"), options.get("beQuiet")
    return (True if listen is None else truthy(listen)), (False if quiet is None else truthy(quiet))


class Client:
    """One SDK client: its link and its own memory (R-S4, R-T3, R-T4)."""

    def __init__(self, key: str, app: str, uid: str, timeout_ms: int) -> None:
        self.key, self.app, self.uid = key, app, uid
        self.timeout_ms = timeout_ms  # R-T2: (heartbeat 5 + 10 + presenceTimeout) s
        self.link = "IDLE"
        self.entered: dict[Key, tuple[bool, bool]] = {}  # the SDK's channel list: options
        self.queued: dict[str, tuple[bool, bool]] = {}  # R-T3: subscribes made while down
        self.cache: dict[Key, Json] = {}  # R-S4
        self.dirty: list[Key] = []  # R-T3: state changed while down
        self.heard: dict[Key, Json] = {}  # R-T3: each listened replica when the link went
        self.streams: dict[str, str] = {}  # each stream channel's own link state
        self.network = True
        self.had_connected, self.login_ms, self.session = False, 0, False
        self.attempts, self.suspended = 0, False
        self.retry: int | None = None
        self.suspend: int | None = None
        self.server: int | None = None
        self.waiting_login = False  # R-L3: a login made while down waits for the link


class Model:
    def __init__(
        self,
        *,
        start_ms: int,
        announce_max: int,
        interval_ms: int,
        debounce_ms: int,
        max_users: int,
    ) -> None:
        self.now = start_ms
        self.announce_max, self.interval_ms = announce_max, interval_ms
        self.debounce_ms, self.max_users = debounce_ms, max_users
        self.clients: dict[str, Client] = {}  # in creation order
        self.rooms: dict[Chan, Json] = {}  # members, docs, linger, views
        self.down: list[Chan] = []  # R-E8 faults
        self.timers: list[list[Any]] = []  # [due, tseq, method, args]
        self.tseq = 0
        self.seq = 0
        self.journal: list[tuple[str, Json]] = []
        self.logins: dict[str, Any] = {}  # settled waiting logins: key -> result
        self._out: list[tuple[Client, Json]] = []

    def add_client(self, key: str, app: str, uid: str, timeout_ms: int) -> None:
        self.clients[key] = Client(key, app, uid, timeout_ms)

    # ----------------------------------------------------------- operations, events

    def _run(self, fn: Any, *args: Any) -> Any:
        self._out = []
        try:
            result = fn(*args)
        except Fail as fail:
            self._out = []
            return fail.result
        except JsError as exc:
            self._out = []
            return ("exc", str(exc))
        self._flush()
        return result

    def _flush(self) -> None:
        """R-E7: one operation's events per recipient (stable), recipients by user id."""
        for c, event in sorted(self._out, key=lambda item: item[0].uid):
            if "eventType" in event:
                self.seq += 1
                event = {**event, "seq": self.seq}
            self.journal.append((c.key, event))
        self._out = []

    def _presence(self, c: Client, ch: Chan, kind: str, publisher: str = "", **fields: Any) -> None:
        self._out.append(
            (
                c,
                {
                    "eventType": kind,
                    "channelType": ch[1],
                    "channelName": ch[2],
                    "publisher": publisher,
                    "stateChanged": dict(fields.get("state", {})),
                    "interval": fields.get("interval"),
                    "snapshot": fields.get("snapshot", []),
                    "timestamp": self.now,
                },
            )
        )

    def _link(
        self, c: Client, state: str, op: str, code: str, affected: Any = (), resumed: bool = False
    ) -> None:
        """R-T4; nothing is reported for a move to the state the link is in."""
        if c.link != state:
            self._out.append((c, self._link_event(c.link, state, op, code, list(affected))))
            self._out[-1][1]["isResumed"] = resumed
        c.link = state

    def _stream_link(
        self, c: Client, name: str, state: str, op: str, code: str, resumed: bool = False
    ) -> None:
        before = c.streams.get(name, "IDLE")
        if before != state:
            event = self._link_event(before, state, op, code, [name])
            self._out.append((c, {**event, "serviceType": "STREAM", "isResumed": resumed}))
        c.streams[name] = state

    def _stream_links(self, c: Client, old: tuple[str, ...], *step: str) -> None:
        """R-M12: every stream channel whose link is in ``old`` makes ``step``."""
        for name, link in list(c.streams.items()):
            if link in old:
                self._stream_link(c, name, *step, resumed=step[0] == "CONNECTED")

    def _link_event(self, before: str, state: str, op: str, code: str, affected: list[str]) -> Json:
        return {
            "currentState": state,
            "previousState": before,
            "serviceType": "MESSAGE",
            "operation": op,
            "reason": LINK_REASONS[code],
            "reasonCode": code,
            "affectedChannels": affected,
            "unrestoredChannels": [],
            "isResumed": False,
            "timestamp": self.now,
        }

    # ----------------------------------------------------------------------- timers

    def _schedule(self, delay: int, method: str, *args: Any) -> int:
        self.tseq += 1
        self.timers.append([self.now + delay, self.tseq, method, args])
        return self.tseq

    def _cancel(self, tseq: int | None) -> None:
        self.timers = [t for t in self.timers if t[1] != tseq]

    def timer_dues(self) -> list[int]:
        """The distinct instants timers are due at."""
        return sorted({t[0] for t in self.timers})

    def advance(self, ms: int) -> Any:
        """R-T1, R-E7: due timers in (due, scheduling) order, each its own operation."""
        target = self.now + ms
        while self.timers and min(self.timers)[0] <= target:
            timer = min(self.timers)
            self.timers.remove(timer)
            self.now = timer[0]
            self._run(getattr(self, timer[2]), *timer[3])
        self.now = target
        return ("ok", None)

    # --------------------------------------------------------------- reading (sorted)

    def holder(self, app: str, uid: str) -> Client | None:
        """The client whose session the server holds for the user (at most one)."""
        found = [c for c in self.clients.values() if (c.app, c.uid, c.session) == (app, uid, True)]
        return found[0] if found else None

    def memberships(self, c: Client) -> list[Key]:
        """The channels the server has the client in, in (type, name) order."""
        return sorted(
            (ch[1], ch[2])
            for ch, room in self.rooms.items()
            if ch[0] == c.app and room["members"].get(c.uid, {}).get("key") == c.key
        )

    def _member(self, c: Client, k: Key) -> Json | None:
        room = self.rooms.get((c.app, *k))
        member = room["members"].get(c.uid) if room else None
        return member if member is not None and member["key"] == c.key else None

    def online_users(self, ch: Chan) -> list[str]:
        room = self.rooms.get(ch)
        return sorted(room["docs"]) if room else []

    def user_channels(self, app: str, uid: str) -> list[Key]:
        c = self.holder(app, uid)
        return self.memberships(c) if c else []

    def state_of(self, app: str, uid: str, ctype: str, name: str) -> Json:
        c = self.holder(app, uid)
        member = self._member(c, (ctype, name)) if c else None
        if c is None or member is None:
            return {}
        if member["quiet"]:
            return dict(c.cache.get((ctype, name), {}))
        return dict(self.rooms[(c.app, ctype, name)]["docs"].get(uid, {}))

    def _messages(self, c: Client) -> list[str]:
        return sorted(n for t, n in c.entered if t == "MESSAGE")

    def _available(self, ch: Chan) -> bool:
        return ch not in self.down

    def _uid_order(self, room: Json) -> list[str]:
        """The keys of a room's listener views, by user id (R-E7)."""
        return sorted(room["views"], key=lambda key: self.clients[key].uid)

    # ---------------------------------------------------------------- the server side

    def _server_enter(
        self, c: Client, k: Key, opts: tuple[bool, bool], attach: bool = True
    ) -> None:
        """Enter, or change options (R-L1, R-E1, R-E6); the document starts as the cache."""
        ch = (c.app, *k)
        room = self.rooms.setdefault(
            ch, {"members": {}, "docs": {}, "linger": {}, "views": {}, "changes": 0}
        )
        listen, quiet = opts
        state = dict(c.cache.get(k, {}))
        member = room["members"].get(c.uid)
        if member is None:
            room["members"][c.uid] = {"key": c.key, "listen": listen, "quiet": quiet}
            if quiet:  # R-E6: a quiet re-entry does not keep the document
                if c.uid in room["linger"]:
                    self._cancel(room["linger"].pop(c.uid))
                    del room["docs"][c.uid]
                    self._left(ch, c.uid, "left")
            else:
                self._put(ch, c.uid, state)
                if not self._available(ch):
                    self._registry(ch, c.uid, "REMOTE_JOIN")
            if attach and listen and c.link == "CONNECTED":
                self._attach(ch, c)
            return
        before = (member["listen"], member["quiet"])
        member["listen"], member["quiet"] = listen, quiet
        if before[1] and not quiet:
            self._put(ch, c.uid, state)
        elif quiet and not before[1]:
            del room["docs"][c.uid]
            self._left(ch, c.uid, "left")
        if listen and not before[0] and c.link == "CONNECTED":
            self._attach(ch, c)
        elif before[0] and not listen:
            self._detach(ch, c)

    def _put(self, ch: Chan, uid: str, state: Json) -> None:
        room = self.rooms[ch]
        if uid in room["linger"]:  # R-E6: kept document, its fields become the state
            self._cancel(room["linger"].pop(uid))
            old = room["docs"][uid]
            room["docs"][uid] = state
            if audible(old, state):
                self._changed(ch, uid, state)
            return
        room["docs"][uid] = state
        self._joined(ch, uid)
        if last_heard(state):
            self._changed(ch, uid, state)

    def _server_leave(self, c: Client, k: Key) -> None:
        """R-E2, R-E6: the document lingers ``debounce``, then goes."""
        ch = (c.app, *k)
        room = self.rooms[ch]
        member = room["members"].pop(c.uid)
        self._detach(ch, c)
        if not member["quiet"]:
            if not self._available(ch):
                self._registry(ch, c.uid, "REMOTE_LEAVE")
            if self.debounce_ms:
                room["linger"][c.uid] = self._schedule(self.debounce_ms, "_fire_linger", ch, c.uid)
            else:
                del room["docs"][c.uid]
                self._left(ch, c.uid, "left")
        self._maybe_close(ch)

    def _fire_linger(self, ch: Chan, uid: str) -> None:
        room = self.rooms[ch]
        del room["linger"][uid]
        del room["docs"][uid]
        self._left(ch, uid, "left")
        self._maybe_close(ch)

    def _expire(self, c: Client) -> None:
        """R-T2: the server times the session out: REMOTE_TIMEOUT, never debounced."""
        for k in self.memberships(c):
            ch = (c.app, *k)
            room = self.rooms[ch]
            member = room["members"].pop(c.uid)
            self._detach(ch, c)
            if not member["quiet"]:
                if not self._available(ch):
                    self._registry(ch, c.uid, "REMOTE_LEAVE")
                del room["docs"][c.uid]
                self._left(ch, c.uid, "timedout")
            self._maybe_close(ch)
        c.session = False

    def _maybe_close(self, ch: Chan) -> None:
        room = self.rooms[ch]
        if not room["members"] and not room["linger"]:
            del self.rooms[ch]

    def _leave_all(self, c: Client) -> None:
        for k in self.memberships(c):
            self._server_leave(c, k)

    # ------------------------------------------------------- each listener's view

    def _attach(self, ch: Chan, c: Client) -> None:
        """R-E1 SNAPSHOT, then the R-E5 entry check; in an outage, the R-E8 wait."""
        room = self.rooms[ch]
        if not self._available(ch):
            timer = self._schedule(FALLBACK_MS, "_fire_fallback", ch, c.key)
            room["views"][c.key] = {"mode": "waiting", "timer": timer}
            return
        docs = room["docs"]
        snapshot = [user_state(u, docs[u]) for u in sorted(docs)]
        self._presence(c, ch, "SNAPSHOT", snapshot=snapshot)
        room["views"][c.key] = {"mode": "announce", "timer": None}
        if len(docs) >= self.announce_max:
            self._enter_interval(ch, [c.key])

    def _resume(self, ch: Chan, c: Client, heard: Json) -> None:
        """R-T3 [E]: the replica kept through the loss catches up by events, no SNAPSHOT."""
        if not self._available(ch):
            self._attach(ch, c)
            return
        room = self.rooms[ch]
        docs = room["docs"]
        for uid in sorted(heard):
            if uid != c.uid and uid not in docs:
                self._presence(c, ch, "REMOTE_LEAVE", uid)
        for uid in sorted(docs):
            if uid == c.uid:
                continue
            if uid not in heard:
                self._presence(c, ch, "REMOTE_JOIN", uid)
                if audible({}, docs[uid]):
                    self._presence(c, ch, "REMOTE_STATE_CHANGED", uid, state=heard_state(docs[uid]))
            elif audible(heard[uid], docs[uid]):
                self._presence(c, ch, "REMOTE_STATE_CHANGED", uid, state=heard_state(docs[uid]))
        room["views"][c.key] = {"mode": "announce", "timer": None}
        if len(docs) >= self.announce_max:
            self._enter_interval(ch, [c.key])

    def _detach(self, ch: Chan, c: Client) -> None:
        views = self.rooms[ch]["views"]
        view = views.pop(c.key, None)
        if view is not None and all(v["timer"] != view["timer"] for v in views.values()):
            self._cancel(view["timer"])

    def _enter_interval(self, ch: Chan, keys: list[str]) -> None:
        """R-E5: each client's own period and lists, its ticks from its own entry.

        [E] Listeners of a channel that enter at the same ms with no document change in
        between share their ticks: their boundaries fire as one operation (recipients in
        user-id order, R-E7)."""
        room = self.rooms[ch]
        views, docs, since = room["views"], room["docs"], (self.now, room["changes"])
        group = [v["timer"] for v in views.values() if v.get("since") == since]
        timer = group[0] if group else self._schedule(self.interval_ms, "_fire_boundary", ch, since)
        for key in keys:
            view = views[key]
            view.update(mode="interval", base=sorted(docs), total=len(docs), since=since)
            view.update(joined=[], left=[], timedout=[], changed=[], timer=timer)

    def _fire_boundary(self, ch: Chan, since: tuple[int, int]) -> None:
        views = self.rooms[ch]["views"]
        keys = [k for k in self._uid_order(self.rooms[ch]) if views[k].get("since") == since]
        keys = [k for k in keys if views[k]["mode"] == "interval"]
        timer = self._schedule(self.interval_ms, "_fire_boundary", ch, since)
        for key in keys:
            views[key]["timer"] = timer
            self._report(ch, key)

    def _report(self, ch: Chan, key: str) -> None:
        """One INTERVAL of the period, when a list is non-empty or the total changed."""
        docs, view = self.rooms[ch]["docs"], self.rooms[ch]["views"][key]
        me = self.clients[key].uid
        join = [u for u in view["joined"] if u != me]
        leave = [u for u in view["left"] if u in view["base"] and u != me]
        timeout = [u for u in view["timedout"] if u in view["base"] and u != me]
        states = [user_state(u, docs[u]) for u in view["changed"] if u in docs and u != me]
        before, total = view["total"], len(docs)
        view.update(joined=[], left=[], timedout=[], changed=[], base=sorted(docs), total=total)
        if join or leave or timeout or states or total != before:
            detail = {
                "join": {"users": join, "userCount": len(join)},
                "leave": {"users": leave, "userCount": len(leave)},
                "timeout": {"users": timeout, "userCount": len(timeout)},
                "userStateList": states,
                "totalOccupancy": total,
            }
            self._presence(self.clients[key], ch, "INTERVAL", interval=detail)

    def _joined(self, ch: Chan, uid: str) -> None:
        """A document appeared: REMOTE_JOIN, or aggregated; the tipping join announced."""
        room = self.rooms[ch]
        room["changes"] += 1
        if not self._available(ch):
            return
        heard = []
        for key in self._uid_order(room):
            view = room["views"][key]
            if view["mode"] == "interval":
                if uid in view["timedout"]:
                    view["timedout"].remove(uid)
                elif uid in view["left"]:
                    view["left"].remove(uid)
                elif uid not in view["joined"]:
                    view["joined"].append(uid)
            elif view["mode"] == "announce" and self.clients[key].uid != uid:
                heard.append(key)
                self._presence(self.clients[key], ch, "REMOTE_JOIN", uid)
        if heard and len(room["docs"]) >= self.announce_max:
            self._enter_interval(ch, heard)

    def _left(self, ch: Chan, uid: str, how: str) -> None:
        """A document went (``left`` or ``timedout``); R-E5: the exit at once, with a flush."""
        room = self.rooms[ch]
        room["changes"] += 1
        if not self._available(ch):
            return
        kind = "REMOTE_LEAVE" if how == "left" else "REMOTE_TIMEOUT"
        for key in self._uid_order(room):
            view = room["views"][key]
            if view["mode"] == "interval":
                if uid in view["joined"]:
                    view["joined"].remove(uid)
                elif uid not in view[how]:
                    view[how].append(uid)
            elif view["mode"] == "announce" and self.clients[key].uid != uid:
                self._presence(self.clients[key], ch, kind, uid)
        if len(room["docs"]) < self.announce_max:
            for key in self._uid_order(room):
                view = room["views"][key]
                if view["mode"] == "interval":
                    self._report(ch, key)
                    self._cancel(view["timer"])
                    room["views"][key] = {"mode": "announce", "timer": None}

    def _changed(self, ch: Chan, uid: str, state: Json) -> None:
        """R-E3, R-S5: one REMOTE_STATE_CHANGED with the full state, or aggregated (a JS
        ``Set``: a user is listed where it first changed)."""
        room = self.rooms[ch]
        room["changes"] += 1
        if not self._available(ch):
            return
        for key in self._uid_order(room):
            view = room["views"][key]
            if view["mode"] == "interval" and uid not in view["changed"]:
                view["changed"].append(uid)
            elif view["mode"] == "announce" and self.clients[key].uid != uid:
                shown = heard_state(state)
                self._presence(self.clients[key], ch, "REMOTE_STATE_CHANGED", uid, state=shown)

    def _registry(self, ch: Chan, uid: str, kind: str) -> None:
        """R-E8, R-E4: the member registry's join / leave of a visible user."""
        room = self.rooms[ch]
        for key in self._uid_order(room):
            if room["views"][key]["mode"] == "fallback" and self.clients[key].uid != uid:
                self._presence(self.clients[key], ch, kind, uid)

    def _fire_fallback(self, ch: Chan, key: str) -> None:
        """R-E8: after 60 s of outage, a SNAPSHOT of the registry without states."""
        room = self.rooms[ch]
        room["views"][key] = {"mode": "fallback", "timer": None}
        users = sorted(u for u, m in room["members"].items() if not m["quiet"])
        self._presence(
            self.clients[key], ch, "SNAPSHOT", snapshot=[user_state(u, {}) for u in users]
        )

    def set_presence_available(self, app: str, ctype: str, name: str, available: bool) -> Any:
        return self._run(self._set_available, (app, ctype, name), available)

    def _set_available(self, ch: Chan, available: bool) -> Any:
        if self._available(ch) == available:
            return ("ok", None)
        room = self.rooms.get(ch)
        keys = self._uid_order(room) if room else []
        for key in keys:
            self._cancel(room["views"][key]["timer"])  # type: ignore[index]
        if available:
            self.down.remove(ch)
            for key in keys:  # R-E8: a fresh full SNAPSHOT each
                del room["views"][key]  # type: ignore[index]
                self._attach(ch, self.clients[key])
        else:
            self.down.append(ch)
            for key in keys:  # interval periods end unreported; the 60 s wait starts
                timer = self._schedule(FALLBACK_MS, "_fire_fallback", ch, key)
                room["views"][key] = {"mode": "waiting", "timer": timer}  # type: ignore[index]
        return ("ok", None)

    # ------------------------------------------------------------------ the link

    def _open_session(self, c: Client) -> None:
        other = self.holder(c.app, c.uid)
        if other is not None and other is not c:
            self._kick(other)
        c.session = True

    def _stop_reconnecting(self, c: Client) -> None:
        for timer in (c.retry, c.suspend, c.server):
            self._cancel(timer)
        c.retry = c.suspend = c.server = None
        c.attempts, c.suspended = 0, False

    def _detach_all(self, c: Client) -> None:
        for k in self.memberships(c):
            self._detach((c.app, *k), c)

    def _kick(self, c: Client) -> None:
        """R-T4: same-uid login elsewhere: FAILED; the client keeps its list and cache."""
        self._stop_reconnecting(c)
        self._detach_all(c)
        self._leave_all(c)
        c.heard, c.session = {}, False
        self._link(c, "FAILED", "SERVER_REJECT", "SAME_UID_LOGIN", self._messages(c))

    def _rejoin(self, c: Client, k: Key) -> bool:
        """[E] A channel of the list that filled up meanwhile refuses the re-entry, which
        fails silently (the call resolved long ago) and leaves the list (R-L4)."""
        if self._full(c, k):
            del c.entered[k]
            c.cache.pop(k, None)
            return False
        return True

    def _fire_retry(self, key: str) -> None:
        c = self.clients[key]
        c.retry = None
        self._link(c, "CONNECTING", "AUTO_RECONNECT", "AUTO_RECONNECT")
        if c.network:
            self._reconnected(c)
        else:
            c.retry = self._schedule(ATTEMPT_MS, "_fire_attempt_failed", key)

    def _fire_attempt_failed(self, key: str) -> None:
        c = self.clients[key]
        c.retry = None
        if c.suspended:
            self._link(c, "SUSPENDED", "AUTO_RECONNECT", "RECONNECT_TIMEOUT")
        else:
            self._link(c, "DISCONNECTED", "SERVER_TIMEOUT", "RECONNECT_TIMEOUT")
            if c.suspend is None:
                c.suspend = self._schedule(SUSPEND_MS, "_fire_suspend", key)
        c.attempts += 1
        self._schedule_retry(c)

    def _schedule_retry(self, c: Client) -> None:
        delay = BACKOFF_MS[c.attempts] if c.attempts < len(BACKOFF_MS) else 30_000
        c.retry = self._schedule(delay, "_fire_retry", c.key)

    def _fire_suspend(self, key: str) -> None:
        c = self.clients[key]
        c.suspend, c.suspended = None, True

    def _fire_server_timeout(self, key: str) -> None:
        c = self.clients[key]
        c.server = None
        self._expire(c)

    def _reconnected(self, c: Client) -> None:
        """R-T3: writes made while down reach the server, queued subscribes are made, and
        each listened replica catches up."""
        resumed = not c.suspended
        self._cancel(c.suspend)
        self._cancel(c.server)
        c.suspend = c.server = None
        c.attempts, c.suspended = 0, False
        queued, c.queued = c.queued, {}
        for name in sorted(queued):  # R-T3: the queued subscribes are made
            c.entered[("MESSAGE", name)] = queued[name]
        affected = self._messages(c)
        if c.waiting_login:
            c.waiting_login = False
            self._link(c, "CONNECTED", "LOGIN", "RELOGIN", affected, resumed)
            self.logins[c.key] = ("ok", {"timestamp": 0})
        else:
            self._link(c, "CONNECTED", "AUTO_RECONNECT", "RECONNECT_SUCCESS", affected, resumed)
        self._stream_links(c, ("CONNECTING",), "CONNECTED", "RECONNECTED", "RECONNECT_SUCCESS")
        if not c.session:
            self._open_session(c)
        for k in self.memberships(c):
            if k not in c.entered:
                self._server_leave(c, k)  # unsubscribed while down
        heard, c.heard = c.heard, {}
        for k in sorted(c.entered):
            opts, member = c.entered[k], self._member(c, k)
            if member is None:
                if not self._rejoin(c, k):
                    continue
                self._server_enter(c, k, opts, attach=k not in heard)
            else:
                if (member["listen"], member["quiet"]) != opts:
                    self._server_enter(c, k, opts)  # a queued re-subscribe: R-L1
                if k in c.dirty:
                    self._write_state(c, k, None)
            member = self._member(c, k)
            if k in heard and member is not None and member["listen"]:
                self._resume((c.app, *k), c, heard[k])
        c.dirty = []

    # -------------------------------------------------------------- client calls

    def login(self, key: str) -> Any:
        return self._run(self._login, key)

    def _login(self, key: str) -> Any:
        """R-L3, R-T4."""
        c = self.clients[key]
        if c.link == "CONNECTING":
            raise Fail("login", -10017)
        if c.link == "CONNECTED":
            return ("ok", {"timestamp": 0})
        if c.link in ("DISCONNECTED", "SUSPENDED"):
            self._link(c, "CONNECTING", "LOGIN", "RELOGIN")
            c.waiting_login = True
            return ("pending",)
        self._link(c, "CONNECTING", "LOGIN", "RELOGIN" if c.link == "FAILED" else "LOGIN")
        self._flush()
        self._open_session(c)
        c.had_connected, c.login_ms = True, self.now
        self._link(c, "CONNECTED", "LOGIN", "LOGIN_SUCCESS")
        for k in sorted(c.entered):  # after a kick: the channels come back (R-L3)
            if self._member(c, k) is None and self._rejoin(c, k):
                self._server_enter(c, k, c.entered[k])
        queued, c.queued = c.queued, {}
        for name in sorted(queued):  # subscribes queued before the kick are made (R-T3)
            self._enter(c, ("MESSAGE", name), queued[name])
        return ("ok", {"timestamp": 0})

    def logout(self, key: str) -> Any:
        return self._run(self._logout, key)

    def _logout(self, key: str) -> Any:
        """R-L2: always resolves; leaves everything (debounced), clears list and cache."""
        c = self.clients[key]
        if c.link != "IDLE":
            self._stop_reconnecting(c)
            if c.session:
                self._detach_all(c)
                self._leave_all(c)
                c.session = False
            self._stream_links(c, ("CONNECTED", "CONNECTING"), "IDLE", "LEAVE", "LEAVE")
            self._link(c, "IDLE", "LOGOUT", "LOGOUT", self._messages(c))
            c.entered, c.queued, c.cache, c.dirty, c.heard, c.streams = {}, {}, {}, [], {}, {}
            c.had_connected, c.network = False, True
            if c.waiting_login:
                c.waiting_login = False
                self.logins[key] = Fail("login", -10023).result
        return ("ok", {"timestamp": 0})

    def _can_queue(self, c: Client) -> bool:
        """R-T3: a subscribe while the link is down is queued."""
        return (
            c.had_connected
            and self.now - c.login_ms > 5000
            and c.link in ("CONNECTING", "DISCONNECTED", "SUSPENDED")
        )

    def _full(self, c: Client, k: Key) -> bool:
        room = self.rooms.get((c.app, *k))
        return room is not None and len(room["members"]) >= self.max_users

    def _enter(self, c: Client, k: Key, opts: tuple[bool, bool]) -> None:
        if c.entered.get(k) == opts:
            return  # R-L1: the same options again: nothing
        c.entered[k] = opts
        if c.link == "CONNECTED":
            self._server_enter(c, k, opts)

    def subscribe(self, key: str, name: Any, options: Any) -> Any:
        return self._run(self._subscribe, key, name, options)

    def _subscribe(self, key: str, name: Any, options: Any) -> Any:
        c, op = self.clients[key], "subscribe"
        queue = c.link != "CONNECTED"
        if queue and not self._can_queue(c):
            raise Fail(op, -10025)
        name = check_channel(op, name)
        k = ("MESSAGE", name)
        new = k not in c.entered and name not in c.queued
        if new and len(c.entered) + len(c.queued) >= MESSAGE_LIMIT:
            raise Fail(op, -11005)
        opts = entry_options(options)
        if queue:
            c.queued[name] = opts
        else:
            if k not in c.entered and self._full(c, k):
                raise Fail(op, -11021)
            self._enter(c, k, opts)
        return ("ok", {"timestamp": 0, "channelName": name})

    def create_stream(self, key: str, name: Any) -> Any:
        """``createStreamChannel``: a local call, the name checked at once."""
        return self._run(lambda: ("ok", check_channel("createStreamChannel", name)))

    def join(self, key: str, name: str, options: Any) -> Any:
        return self._run(self._join, key, name, options)

    def _join(self, key: str, name: str, options: Any) -> Any:
        """Stream join; its own link reports each step, a refusal too (R-L4, R-T4)."""
        c, k = self.clients[key], ("STREAM", name)
        link = c.streams.get(name, "IDLE")
        if link == "CONNECTING":
            raise Fail("join", -10017)
        joined = k in c.entered
        if not joined:
            self._stream_link(c, name, "CONNECTING", "JOIN", "REJOIN" if link != "IDLE" else "JOIN")
            self._flush()
        try:
            if c.link == "IDLE":
                raise Fail("join", -10025)
            if sum(1 for t, _ in c.entered if t == "STREAM") >= STREAM_LIMIT:
                raise Fail("join", -11005, name="RtmUnavailableError")
            if not joined and self._full(c, k):
                raise Fail("join", -11007)
        except Fail as fail:
            self._stream_link(c, name, "FAILED", "JOIN", JOIN_FAILURE[fail.result[2]])
            self._flush()
            raise
        self._stream_link(c, name, "CONNECTED", "JOIN", "JOIN_SUCCESS")
        self._enter(c, k, entry_options(options))
        return ("ok", {"timestamp": 0})

    def _exit(self, c: Client, k: Key) -> None:
        """The client drops the channel; its cache entry goes (R-S4)."""
        del c.entered[k]
        c.cache.pop(k, None)
        c.dirty = [d for d in c.dirty if d != k]
        if c.link == "CONNECTED" and self._member(c, k) is not None:
            self._server_leave(c, k)

    def unsubscribe(self, key: str, name: Any) -> Any:
        return self._run(self._unsubscribe, key, name)

    def _unsubscribe(self, key: str, name: Any) -> Any:
        """R-L5: resolves also when not subscribed; works while down (R-T3)."""
        c = self.clients[key]
        name = check_channel("unsubscribe", name)
        k = ("MESSAGE", name)
        c.queued.pop(name, None)
        if c.link != "IDLE" and k in c.entered:  # (a queued subscribe is just dropped)
            self._exit(c, k)
        return ("ok", {"timestamp": 0, "channelName": name})

    def leave(self, key: str, name: str) -> Any:
        return self._run(self._leave, key, name)

    def _leave(self, key: str, name: str) -> Any:
        c, k = self.clients[key], ("STREAM", name)
        if c.link == "IDLE":
            raise Fail("leave", -10025)
        link = c.streams.get(name, "IDLE")
        if link == "FAILED" and k not in c.entered:
            self._stream_link(c, name, "IDLE", "LEAVE", "LEAVE")
            return ("ok", {"timestamp": 0})
        if k not in c.entered or link not in ("CONNECTED", "CONNECTING"):  # R-M12
            raise Fail("leave", -11001)
        self._exit(c, k)
        self._stream_link(c, name, "IDLE", "LEAVE", "LEAVE")
        return ("ok", {"timestamp": 0})

    def set_state(self, key: str, name: Any, ctype: Any, state: Any) -> Any:
        return self._run(self._set_state, key, name, ctype, state)

    def _set_state(self, key: str, name: Any, ctype: Any, state: Any) -> Any:
        """R-S1..R-S5, checks in R-S3 order."""
        c, op = self.clients[key], "presenceSetState"
        ctype = check_type(op, ctype)
        if c.link == "IDLE":
            raise Fail(op, -10025)
        k = (ctype, check_channel(op, name))
        items = state_items(state)
        if not items:
            raise Fail(op, -13003, "state of parameter is empty.")
        current = c.cache.get(k, {})
        if len(items) > MAX_KEYS or len({*current, *(item for item, _ in items)}) > MAX_KEYS:
            raise Fail(op, -13005)
        if len(c.cache) > MAX_CACHE:
            raise Fail(op, -13004)
        for item, value in items:
            check_key(op, item)
            if isinstance(value, str) and utf8(value) > MAX_VALUE_BYTES:
                raise Fail(op, -13009)
        written = dict(items)
        c.cache[k] = {**current, **written}
        self._sync(c, k, written)
        return ("ok", {"timestamp": 0})

    def remove_state(self, key: str, name: Any, ctype: Any, states: Any) -> Any:
        return self._run(self._remove_state, key, name, ctype, states)

    def _remove_state(self, key: str, name: Any, ctype: Any, states: Any) -> Any:
        """R-S2, R-S3 (duplicates, count, keys), R-S5."""
        c, op = self.clients[key], "presenceRemoveState"
        ctype = check_type(op, ctype)
        if c.link == "IDLE":
            raise Fail(op, -10025)
        k = (ctype, check_channel(op, name))
        if states is not None and not isinstance(states, (list, str)):
            raise JsError("TypeError")
        entries = list(states or [])
        tagged = [(type(e).__name__, e) for e in entries]
        if len({repr(t) for t in tagged}) != len(entries):
            raise Fail(op, -13010)
        if len(entries) > MAX_KEYS:
            raise Fail(op, -13005)
        if isinstance(states, str):
            raise JsError("TypeError")  # "n.forEach is not a function"
        for entry in entries:
            check_key(op, entry)
        current = c.cache.get(k, {})
        remaining = {x: v for x, v in current.items() if entries and x not in entries}
        c.cache[k] = remaining
        if len(remaining) != len(current):
            self._sync(c, k, {})
        return ("ok", {"timestamp": 0})

    def _sync(self, c: Client, k: Key, written: Json) -> None:
        if self._member(c, k) is None:
            return  # R-S4: only the cache
        if c.link == "CONNECTED":
            self._write_state(c, k, written)
        elif k not in c.dirty:
            c.dirty.append(k)  # R-T3: synced when the link is back

    def _write_state(self, c: Client, k: Key, written: Json | None) -> None:
        """The document takes the cached state; heard when the SDK reports the write:
        a ``setState`` of some truthy value, a ``removeState`` (``written == {}``), or a
        resync (``None``) that changes something it reports."""
        member = self._member(c, k)
        if member is None or member["quiet"]:
            return
        ch = (c.app, *k)
        docs = self.rooms[ch]["docs"]
        state = dict(c.cache.get(k, {}))
        before = docs.get(c.uid)
        docs[c.uid] = state
        if written is None:
            heard = before is not None and audible(before, state)
        else:
            heard = not written or last_heard(written)
        if heard:
            self._changed(ch, c.uid, state)

    def who_now(self, key: str, op: str, name: Any, ctype: Any, options: Any) -> Any:
        return self._run(self._who_now, key, op, name, ctype, options)

    def _who_now(self, key: str, op: str, name: Any, ctype: Any, options: Any) -> Any:
        """R-Q1..R-Q4, R-Q7, R-E8: the registry, local and server routes."""
        c = self.clients[key]
        ctype = check_type(op, ctype)
        if c.link != "CONNECTED":
            raise Fail(op, -10025)
        k = (ctype, check_channel(op, name))
        opts = options if isinstance(options, dict) else {}
        ids, with_states = (
            opts.get("includedUserId") is not False,
            opts.get("includedState") is True,
        )
        page = opts.get("page")
        if not ids and with_states:
            raise Fail(op, -13003, "include uid is false but include state is true.")
        room = self.rooms.get((c.app, *k))
        docs = room["docs"] if room else {}
        view = room["views"].get(c.key) if room else None
        if view is not None and view["mode"] == "fallback" and ctype == "MESSAGE":
            users = sorted(u for u, m in room["members"].items() if not m["quiet"])  # type: ignore[index]
            shown = [user_state(u, {}) for u in users] if ids else []
            return ("ok", self._who(len(users), shown, "", self.now))
        if k in c.entered and c.entered[k][0]:  # R-Q2: the local replica, no paging
            users = sorted(docs)
            next_page = ""
        elif not ids:
            users, next_page = [], ""
        else:  # R-Q3: a page of announce_max after the decoded bookmark
            after = atob(page) if page else None
            rest = [u for u in sorted(docs) if after is None or u > after]
            users = rest[: self.announce_max]
            next_page = btoa(users[-1]) if len(rest) > len(users) else ""
        shown = [user_state(u, docs[u] if with_states else {}) for u in users] if ids else []
        return ("ok", self._who(len(docs), shown, next_page, 0))

    @staticmethod
    def _who(total: int, occupants: list[Json], next_page: str, timestamp: int) -> Json:
        return {
            "timestamp": timestamp,
            "totalOccupancy": total,
            "occupants": occupants,
            "nextPage": next_page,
        }

    def where_now(self, key: str, op: str, uid: Any) -> Any:
        return self._run(self._where_now, key, op, uid)

    def _where_now(self, key: str, op: str, uid: Any) -> Any:
        """R-Q5: present and visible, (type, name) order; unknown or offline: empty."""
        c = self.clients[key]
        if c.link != "CONNECTED":
            raise Fail(op, -10025)
        if uid != "" and not valid_name(uid):
            raise Fail(op, -10006)
        user = self.holder(c.app, uid or c.uid)
        chans = [] if user is None else self.memberships(user)
        shown = [
            {"channelName": n, "channelType": t} for t, n in chans if not self._quiet(user, (t, n))
        ]
        return ("ok", {"timestamp": 0, "totalChannel": len(shown), "channels": shown})

    def _quiet(self, c: Client | None, k: Key) -> bool:
        member = self._member(c, k) if c else None
        return member is None or bool(member["quiet"])

    def get_state(self, key: str, uid: Any, name: Any, ctype: Any) -> Any:
        return self._run(self._get_state, key, uid, name, ctype)

    def _get_state(self, key: str, uid: Any, name: Any, ctype: Any) -> Any:
        """R-Q6: one's own state (document, else cache); another's from the replica
        (-13011 without a document) or from the server ({} without one)."""
        c, op = self.clients[key], "presenceGetState"
        ctype = check_type(op, ctype)
        own = uid == c.uid
        if c.link == "IDLE" or (not own and c.link != "CONNECTED"):
            raise Fail(op, -10025)
        k = (ctype, check_channel(op, name))
        if not valid_name(uid):
            raise Fail(op, -10006)
        if own:
            state = dict(c.cache.get(k, {}))
        else:
            room = self.rooms.get((c.app, *k))
            doc = room["docs"].get(uid) if room else None
            if doc is None and k in c.entered and c.entered[k][0]:
                raise Fail(op, -13011)
            state = dict(doc or {})
        return ("ok", {"timestamp": 0, "userId": uid, "states": state, "statesCount": len(state)})

    # ---------------------------------------------------------- the emulator's hand

    def find(self, app: str, uid: str) -> Client | None:
        """The client ``emu.disconnect`` / ``reconnect`` mean [E]: the session holder, else
        the last made client of the user that is logged in."""
        found = self.holder(app, uid)
        if found is None:
            logged = [c for c in self.clients.values() if (c.app, c.uid) == (app, uid)]
            logged = [c for c in logged if c.link != "IDLE"]
            found = logged[-1] if logged else None
        return found

    def disconnect(self, app: str, uid: str) -> Any:
        return self._run(self._disconnect, app, uid)

    def _disconnect(self, app: str, uid: str) -> Any:
        """R-T2, R-T4: DISCONNECTED now, retries from 2 s, the server's timeout."""
        c = self.find(app, uid)
        assert c is not None
        if c.network:
            c.network = False
            if c.link == "CONNECTED":
                for k in self.memberships(c):
                    if self._member(c, k)["listen"]:  # type: ignore[index]
                        c.heard[k] = {u: dict(s) for u, s in self.rooms[(app, *k)]["docs"].items()}
                self._detach_all(c)
                self._stream_links(
                    c, ("CONNECTED",), "CONNECTING", "AUTO_RECONNECT", "AUTO_RECONNECT"
                )
                self._link(
                    c, "DISCONNECTED", "HEARTBEAT_TIMEOUT", "KEEP_ALIVE_TIMEOUT", self._messages(c)
                )
                self._schedule_retry(c)
                if c.session:
                    c.server = self._schedule(c.timeout_ms, "_fire_server_timeout", c.key)
        return ("ok", None)

    def reconnect(self, app: str, uid: str) -> Any:
        c = self.find(app, uid)
        assert c is not None
        c.network = True
        return ("ok", None)
