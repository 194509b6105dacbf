"""Real-SDK sessions: the server's side of a real SDK's document store (D-RS1..D-RS8).

Theory of operation.  In real-SDK mode (docs/real-sdk.md) the app's own
``agora-rtm-sdk`` does everything a client does — checks, caches, event derivation,
interval mode, its link-state machine — and talks to the server only through its
transport: a replica of each channel's user documents, queries, and packets.  This room
is that server for presence, on the engine's own rooms (``_server``), so a real-SDK
client shares channels with every other client of the emulator:

* a real-SDK client is an ordinary engine client (D-RS1); its membership of a channel is
  what its store shows (D-RS4): it has a replica there (``open``), its own document
  (``put``), or the channel's message group (``group_enter``).  The engine's
  :class:`~._session.EntryOptions` follow: visible while it has its document,
  ``with_message`` while it is in the group, never a listener (``with_presence``
  false): the real SDK derives its own events;
* every change of a channel's documents (the server calls :meth:`Replicas.changed` where
  ``room.docs`` changes) reaches each open replica as :class:`DocEvent` batches, computed
  against a mirror of what that replica holds (D-RS3): a user appearing is a document
  ``Put`` (then its fields and a ``DocSyncEnd``), a state change is its field ``Put`` and
  ``Delete`` batch and a ``DocSyncEnd``, a leave a document ``Delete``, a timeout a
  ``Put`` of the field ``_expired`` and then the ``Delete``.  A replica hears nothing of
  its own document, and nothing while its link is down; ``open`` again gives it the
  documents as they are (its resync);
* ``query`` is the SDK's ``QueryDoc`` (D-RS5): a channel's documents paged like
  ``whoNow`` (R-Q3), or ``_keepalive_``: the channels where a user is visible.

Every method validates its arguments first and changes state inside one bus operation.
Nothing here reads the wall clock or iterates a set.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs

from ._bus import EventBus
from ._errors import ConfigError
from ._events import Change, DocEvent
from ._server import Room, Server
from ._session import ChannelKey, ClientCore, EntryOptions
from ._types import ChannelType, StateMap

__all__ = [
    "EXPIRED_FIELD",
    "KEEPALIVE_COLLECTION",
    "STREAM_PREFIX",
    "DocEvent",
    "Replicas",
    "channel_key",
    "channel_of",
]

#: The SDK's prefix of a stream channel's name in its store (``*s*stage``).
STREAM_PREFIX = "*s*"
#: The collection the SDK queries for whereNow.
KEEPALIVE_COLLECTION = "_keepalive_"
#: The field whose ``Put`` tells a replica that a user timed out (R-T2, D-RS3).
EXPIRED_FIELD = "_expired"


def channel_key(channel: object) -> ChannelKey:
    """The engine's channel key of an SDK store name (``*s*stage`` is a stream channel).

    Raises:
        ConfigError: for a name that is not a non-empty string.
    """
    if not isinstance(channel, str) or not channel.removeprefix(STREAM_PREFIX):
        raise ConfigError.bad("sdk", f"channel must be a non-empty string, got {channel!r}")
    if channel.startswith(STREAM_PREFIX):
        return (ChannelType.STREAM, channel[len(STREAM_PREFIX) :])
    return (ChannelType.MESSAGE, channel)


def channel_of(key: ChannelKey) -> str:
    """The SDK's store name of a channel key (the inverse of :func:`channel_key`)."""
    kind, name = key
    return STREAM_PREFIX + name if kind is ChannelType.STREAM else name


@attrs.define(eq=False)
class _Presence:
    """What a real SDK's store shows of one channel for its own client."""

    replica: bool = False
    doc: bool = False
    group: bool = False

    def options(self) -> EntryOptions:
        return EntryOptions(with_presence=False, be_quiet=not self.doc, with_message=self.group)

    def empty(self) -> bool:
        return not (self.replica or self.doc or self.group)


class Replicas:
    """The document store's server for real-SDK clients (D-RS1..D-RS8)."""

    def __init__(self, bus: EventBus, server: Server) -> None:
        self._bus = bus
        self._server = server
        #: per real-SDK client, per channel, what its store shows
        self._presence: dict[ClientCore, dict[ChannelKey, _Presence]] = {}
        #: per room, per open replica, the documents it holds (user id -> fields)
        self._mirrors: dict[Room, dict[ClientCore, dict[str, StateMap]]] = {}
        server.on_doc_change.append(self.changed)

    # ------------------------------------------------------------- membership

    def _entry(self, core: ClientCore, key: ChannelKey) -> _Presence:
        return self._presence.setdefault(core, {}).setdefault(key, _Presence())

    def _apply(self, core: ClientCore, key: ChannelKey) -> None:
        """Bring the engine's membership in line with what the store shows (D-RS4)."""
        entry = self._entry(core, key)
        server = self._server
        if entry.empty():
            self._presence[core].pop(key, None)
            core.entered.pop(key, None)
            if key in core.members:
                server.leave(core, key)
            return
        options = entry.options()
        core.entered[key] = options
        if not core.session:
            return
        server.enter(core, key, options, attach=False)

    def open(self, core: ClientCore, channel: object) -> list[list[Any]]:
        """``sdk.open``: the client opens (or re-opens, after a loss) its replica.

        Returns the channel's documents as ``[[user id, fields], ...]`` in code-point
        order; from now on the replica hears the channel's changes (D-RS3).

        Raises:
            ConfigError: for a bad channel name.
        """
        key = channel_key(channel)
        with self._bus.operation():
            self._entry(core, key).replica = True
            self._apply(core, key)
            room = core.members.get(key)
            if room is None:
                return []
            docs = room.docs
            held = {uid: shown.states for uid, shown in zip(docs, docs.states(), strict=True)}
            self._mirrors.setdefault(room, {})[core] = dict(held)
            return [[uid, dict(states)] for uid, states in held.items()]

    def close(self, core: ClientCore, channel: object) -> None:
        """``sdk.close``: the replica is closed.

        Raises:
            ConfigError: for a bad channel name.
        """
        key = channel_key(channel)
        with self._bus.operation():
            room = core.members.get(key)
            mirrors = self._mirrors.get(room) if room is not None else None
            if mirrors is not None and mirrors.pop(core, None) is not None and not mirrors:
                del self._mirrors[room]  # type: ignore[arg-type]
            self._entry(core, key).replica = False
            self._apply(core, key)

    def put(self, core: ClientCore, channel: object) -> None:
        """``sdk.put``: the client's own document appears (it is visible, D-RS4).

        Raises:
            ConfigError: for a bad channel name.
        """
        key = channel_key(channel)
        with self._bus.operation():
            self._entry(core, key).doc = True
            self._apply(core, key)

    def delete(self, core: ClientCore, channel: object) -> None:
        """``sdk.delete``: the client's own document goes (it is quiet or gone).

        Raises:
            ConfigError: for a bad channel name.
        """
        key = channel_key(channel)
        with self._bus.operation():
            self._entry(core, key).doc = False
            core.cache.pop(key, None)
            self._apply(core, key)

    def set_fields(self, core: ClientCore, channel: object, fields: object) -> None:
        """``sdk.set``: fields of the client's own document are written.

        Raises:
            ConfigError: for a bad channel name or fields that are not an object.
        """
        key = channel_key(channel)
        if not isinstance(fields, Mapping) or not all(isinstance(k, str) for k in fields):
            raise ConfigError.bad("sdk.set", f"fields must be an object, got {fields!r}")
        with self._bus.operation():
            state = dict(core.cache.get(key, StateMap()))
            state.update(fields)
            core.cache[key] = StateMap(state)
            self._server.write_state(core, key, written=dict(fields))

    def unset_fields(self, core: ClientCore, channel: object, keys: object) -> None:
        """``sdk.unset``: fields of the client's own document are removed.

        Raises:
            ConfigError: for a bad channel name or keys that are not strings.
        """
        key = channel_key(channel)
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise ConfigError.bad("sdk.unset", f"keys must be an array of strings, got {keys!r}")
        with self._bus.operation():
            state = dict(core.cache.get(key, StateMap()))
            removed = [k for k in keys if k in state]
            if not removed:
                return
            for k in removed:
                del state[k]
            core.cache[key] = StateMap(state)
            self._server.write_state(core, key, written={})

    def group_enter(self, core: ClientCore, channel: str) -> None:
        """``GroupEnter``: the client enters the channel's message group (D-RS6)."""
        key = (ChannelType.MESSAGE, channel)
        with self._bus.operation():
            self._entry(core, key).group = True
            self._apply(core, key)

    def group_leave(self, core: ClientCore, channel: str) -> None:
        """``GroupLeave2``: the client leaves the channel's message group."""
        key = (ChannelType.MESSAGE, channel)
        if key not in self._presence.get(core, {}):
            return
        with self._bus.operation():
            self._entry(core, key).group = False
            self._apply(core, key)

    def forget(self, core: ClientCore) -> None:
        """Logout or kick: the client's store is gone (D-RS2); a login starts afresh
        (the SDK opens its replicas and puts its documents again)."""
        if self._presence.pop(core, None) is None:
            return
        core.entered.clear()
        core.cache.clear()
        self.link_lost(core)

    def link_lost(self, core: ClientCore) -> None:
        """The client's link is down: its replicas hear nothing until it opens them
        again (D-RS3).  Its channels stay in ``core.entered``: after a timeout the
        engine restores them when the link is back (R-T3, D-RS8)."""
        for room in list(self._mirrors):
            mirrors = self._mirrors[room]
            if mirrors.pop(core, None) is not None and not mirrors:
                del self._mirrors[room]

    # ---------------------------------------------------------------- queries

    def query(self, core: ClientCore, collection: object, q: object) -> dict[str, Any]:
        """``sdk.query``: the SDK's ``QueryDoc`` (D-RS5).

        Returns ``{"entries": [[key, value], ...], "count", "more"}`` (``entries`` holds
        keys alone with ``keysOnly``; ``_keepalive_``: one entry, the query's ``start``
        and a JSON object of the user's channels).

        Raises:
            ConfigError: for a query that is not an object.
        """
        if not isinstance(q, Mapping):
            raise ConfigError.bad("sdk.query", f"query must be an object, got {q!r}")
        app = core.app_id
        if collection == KEEPALIVE_COLLECTION:
            target = str(q.get("start", ""))
            uid = target.rsplit("/", 1)[-1]
            names = {
                channel_of((d.channel_type, d.channel_name)): 1
                for d in self._server.channels_of(app, uid)
            }
            return {"entries": [[target, _json_object(names)]], "count": 1, "more": False}
        key = channel_key(collection)
        room = self._server.room((app, *key))
        if room is None:
            return {"entries": [], "count": 0, "more": False}
        docs = room.docs
        total = len(docs)
        if q.get("countOnly"):
            return {"entries": [], "count": total, "more": False}
        first = q.get("start")
        users = list(zip(docs, docs.states(), strict=True))
        if isinstance(first, str) and first:
            included = bool(q.get("startIncluded"))
            users = [(u, s) for u, s in users if u > first or (included and u == first)]
        limit = q.get("limit")
        page = users[:limit] if isinstance(limit, int) and limit > 0 else users
        more = len(users) > len(page)
        if q.get("keysOnly"):
            return {"entries": [u for u, _ in page], "count": total, "more": more}
        return {
            "entries": [[u, _json_object(s.states)] for u, s in page],
            "count": total,
            "more": more,
        }

    # ------------------------------------------------------------ replication

    def changed(self, room: Room, uid: str, timed_out: bool, named: tuple[str, ...] = ()) -> None:
        """A document of ``room`` changed: each open replica hears the difference, and a
        ``Put`` of each field a state write named (``named``), also an unchanged one
        (D-RS3: the store puts what a write names)."""
        mirrors = self._mirrors.get(room)
        if not mirrors:
            return
        shown = room.docs.get(uid)
        channel = channel_of(room.key)
        emit = self._bus.emit
        for core, held in mirrors.items():
            if core.user_id == uid or not core.connected:
                continue
            before = held.get(uid)
            after = shown.states if shown else None
            for batch in _batches(uid, before, after, timed_out, named):
                emit(core, DocEvent(channel, batch))
            if shown is None:
                held.pop(uid, None)
            else:
                held[uid] = shown.states


def _batches(
    uid: str,
    before: StateMap | None,
    after: StateMap | None,
    timed_out: bool,
    named: tuple[str, ...] = (),
) -> list[tuple[Change, ...]]:
    """The store's batches that take a replica's document from ``before`` to ``after``
    (a field in ``named`` is put even when its value is the same)."""
    if before is None and after is None:
        return []
    if after is None:
        gone: tuple[Change, ...] = ((uid, "", "Delete", None),)
        if timed_out:
            return [((uid, EXPIRED_FIELD, "Put", True),), gone]
        return [gone]
    out: list[tuple[Change, ...]] = []
    old: Mapping[str, Any] = before if before is not None else {}
    if before is None:
        out.append(((uid, "", "Put", None),))
    removed = tuple((uid, k, "Delete", None) for k in old if k not in after)
    written = tuple(
        (uid, k, "Put", v)
        for k, v in after.items()
        if k not in old or old[k] != v or (before is not None and k in named)
    )
    if removed:
        out.append(removed)
    if written:
        out.append(written)
    if removed or written:
        out.append(((uid, "", "DocSyncEnd", None),))
    return out


def _json_object(states: Mapping[str, Any]) -> str:
    """A JSON text of an object, as the store keeps documents."""
    return json.dumps(dict(states), ensure_ascii=False, separators=(",", ":"))
