"""What the server decides: channels, user documents, debounce, timeouts, counts.

Theory of operation.  The Agora presence service keeps, per channel, one *document* per
visible present user, holding that user's state fields, and per user the list of
channels it is in (agora-rtm.js 2.3.0 reads both: ``ChannelPresence/<channel>/Users``
and the ``_keepalive_`` collection).  Clients never get events from it: each one keeps
a replica and derives its events (``_views``).  Everything here is the server's side,
which no client source shows, so each choice is an emulator rule, written in
``docs/semantics.md``:

* a :class:`Room` is a channel: its *members* (the member registry: every present
  session, quiet ones included, with its entry options) and its *documents*
  (``docs``, an :class:`~._index.OccupantIndex` of the visible users' ``UserState``s in
  code-point order of user id, which is also the paging order, R-Q3);
* R-E6 debounce: a visible user who leaves (unsubscribe, leave, logout, kick) keeps its
  document for ``debounce`` seconds (still listed and counted, with its last fields);
  a visible re-entry within the window keeps it, and the document's fields become the
  re-entering client's state; a quiet re-entry removes it at once;
* R-T2 timeout: an unreachable session's documents expire (``REMOTE_TIMEOUT``, never
  debounced) and its memberships end;
* R-L4: a room holding ``max_channel_users`` members refuses entry.

Every change this module makes to a member's document, with the event it makes, is a
row of ``_lifecycle.TRANSITIONS`` (a test drives each row through the engine).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._bus import EventBus
from ._clock import FakeClock, Timer
from ._config import EmulatorConfig
from ._faults import Faults
from ._index import OccupantIndex
from ._session import ChannelKey, ClientCore, EntryOptions
from ._types import ChannelDetail, ChannelType, StateMap, UserState
from ._views import RoomViews, audible, last_heard

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Room", "RoomIdent", "Server"]

#: (app id, channel type, channel name)
RoomIdent = tuple[str, ChannelType, str]


class Room:
    """One channel of one app on the server."""

    __slots__ = ("_faults", "detail", "docs", "ident", "key", "lingering", "members", "views")

    def __init__(self, ident: RoomIdent, key: ChannelKey, server: Server) -> None:
        self.ident = ident
        #: the one (type, name) tuple every client's channel list shares for this room
        self.key = key
        self.detail = ChannelDetail(ident[2], ident[1])
        #: the member registry: user id -> the options it entered with (shared values)
        self.members: dict[str, EntryOptions] = {}
        self.docs = OccupantIndex()
        #: R-E6: documents kept after their user left, user id -> removal timer
        self.lingering: dict[str, Timer] = {}
        self._faults = server.faults
        config = server.config
        self.views = RoomViews(
            self, server.bus, server.clock, config.announce_max, round(config.interval * 1000)
        )

    @property
    def available(self) -> bool:
        """The channel's presence store is up (R-E8 fault off)."""
        return self._faults.presence_available(self.ident)

    def describe(self) -> str:
        """``MESSAGE channel 'room'`` (app ids are left out)."""
        return f"{self.key[0].value} channel {self.key[1]!r}"

    def is_empty(self) -> bool:
        """No member and no lingering document: the room can go."""
        return not self.members and not self.lingering


class Server:
    """Every room of every app, and the sessions the server holds."""

    def __init__(
        self, config: EmulatorConfig, clock: FakeClock, bus: EventBus, faults: Faults
    ) -> None:
        self.config = config
        self.clock = clock
        self.bus = bus
        self.faults = faults
        self.rooms: dict[RoomIdent, Room] = {}
        #: the logged-in session of each (app id, user id) (R-T4: a second one kicks it)
        self.sessions: dict[tuple[str, str], ClientCore] = {}
        #: called with (core, channel type, channel name) when a session enters a channel
        #: it was not in, and when it leaves one (leave, logout, kick, timeout): the
        #: messaging rooms' hooks (R-M20, R-M21)
        self.on_enter: list[Callable[[ClientCore, ChannelType, str], None]] = []
        self.on_leave: list[Callable[[ClientCore, ChannelType, str], None]] = []
        #: called with the core when the server ends its session (logout, kick, timeout;
        #: R-M22)
        self.on_session_end: list[Callable[[ClientCore], None]] = []
        #: called with (room, user id, timed out, named) after a user's document in the
        #: room changed (appeared, changed fields, went) or a state write named fields
        #: (``named``: their keys, unchanged ones too): the real-SDK replicas (D-RS3)
        self.on_doc_change: list[Callable[[Room, str, bool, tuple[str, ...]], None]] = []

    def room(self, ident: RoomIdent) -> Room | None:
        """The room, or ``None`` when nobody is (or lingers) there."""
        return self.rooms.get(ident)

    def rooms_in_order(self) -> Iterator[Room]:
        """Every room, in (app, type, name) order."""
        for ident in sorted(self.rooms):
            yield self.rooms[ident]

    def is_full(self, app_id: str, key: ChannelKey) -> bool:
        """R-L4: the room already holds ``max_channel_users`` members."""
        room = self.rooms.get((app_id, *key))
        return room is not None and len(room.members) >= self.config.max_channel_users

    # ----------------------------------------------------------------- entering

    def enter(
        self, core: ClientCore, key: ChannelKey, options: EntryOptions, *, attach: bool = True
    ) -> None:
        """Put the session into a room, or give it new options (R-L1, R-E1, R-E6).

        The document starts with the client's cached state for the channel (R-S4).
        ``attach=False``: a listener's view is resumed by the caller (R-T3).
        """
        ident = (core.app_id, *key)
        room = self.rooms.get(ident)
        if room is None:
            room = self.rooms[ident] = Room(ident, key, self)
        uid = core.user_id
        state = core.cache.get(key, StateMap())
        before = room.members.get(uid)
        room.members[uid] = options
        if before is None:
            core.members[room.key] = room
            if options.be_quiet:
                self._drop_lingering(room, uid)
            else:
                self._put(room, core, state)
            if not room.available and not options.be_quiet:
                room.views.registry_joined(uid)
            if attach and options.with_presence and core.connected:
                room.views.attach(core)
            for hook in self.on_enter:
                hook(core, key[0], key[1])
            return
        if before.be_quiet and not options.be_quiet:
            self._put(room, core, state)
        elif not before.be_quiet and options.be_quiet:
            room.docs.remove(uid)
            room.views.left(uid)
            self._doc_changed(room, uid)
        if options.with_presence and not before.with_presence and core.connected:
            room.views.attach(core)
        elif before.with_presence and not options.with_presence:
            room.views.detach(core)

    def _put(self, room: Room, core: ClientCore, state: StateMap) -> None:
        uid = core.user_id
        timer = room.lingering.pop(uid, None)
        if timer is not None:  # R-E6: the kept document takes the client's state
            self.clock.cancel(timer)
            shown = room.docs.get(uid)
            if shown != UserState(uid, state):
                room.docs.replace(uid, UserState(uid, state) if state else core.bare)
                if shown is None or audible(shown.states, state):
                    room.views.changed(uid, state)
                self._doc_changed(room, uid)
            return
        room.docs.insert(uid, UserState(uid, state) if state else core.bare, core.bare)
        room.views.joined(uid)
        if last_heard(state):
            room.views.changed(uid, state)
        self._doc_changed(room, uid)

    def _drop_lingering(self, room: Room, uid: str) -> None:
        timer = room.lingering.pop(uid, None)
        if timer is not None:
            self.clock.cancel(timer)
            room.docs.remove(uid)
            room.views.left(uid)
            self._doc_changed(room, uid)

    # ------------------------------------------------------------------ leaving

    def leave(self, core: ClientCore, key: ChannelKey) -> None:
        """The session leaves a room; a visible user's document lingers (R-E6).  The
        ``on_leave`` hooks run last: a stream channel's topic leaves follow the presence
        leave (R-M20)."""
        room = core.members.pop(key)
        uid = core.user_id
        options = room.members.pop(uid)
        if options.with_presence:
            room.views.detach(core)
        if not room.available and not options.be_quiet:
            room.views.registry_left(uid)
        if not options.be_quiet:
            delay = round(self.config.debounce * 1000)
            if delay:
                room.lingering[uid] = self.clock.schedule(
                    delay,
                    lambda: f"debounced removal of the document of {uid!r} in {room.describe()}",
                    lambda: self._end_lingering(room.ident, uid),
                )
            else:
                room.docs.remove(uid)
                room.views.left(uid)
                self._doc_changed(room, uid)
        self._maybe_close(room)
        for hook in self.on_leave:
            hook(core, key[0], key[1])

    def _end_lingering(self, ident: RoomIdent, uid: str) -> None:
        room = self.rooms[ident]
        with self.bus.operation():
            del room.lingering[uid]
            room.docs.remove(uid)
            room.views.left(uid)
            self._doc_changed(room, uid)
            self._maybe_close(room)

    def leave_all(self, core: ClientCore) -> None:
        """Every membership of the session ends (logout, kick), in channel order (R-E7)."""
        for key, _ in core.ordered_members():
            self.leave(core, key)

    def expire(self, core: ClientCore) -> None:
        """R-T2: the server gives up on an unreachable session: its documents expire."""
        uid = core.user_id
        for key, room in core.ordered_members():
            del core.members[key]
            options = room.members.pop(uid)
            if options.with_presence:
                room.views.detach(core)
            if not room.available and not options.be_quiet:
                room.views.registry_left(uid)
            if not options.be_quiet:
                room.docs.remove(uid)
                room.views.timed_out(uid)
                self._doc_changed(room, uid, timed_out=True)
            self._maybe_close(room)
            for hook in self.on_leave:
                hook(core, key[0], key[1])
        self.end_session(core)

    def end_session(self, core: ClientCore) -> None:
        """The server forgets the client's session (logout, kick, timeout)."""
        core.session = False
        if self.sessions.get((core.app_id, core.user_id)) is core:
            del self.sessions[(core.app_id, core.user_id)]
        for hook in self.on_session_end:
            hook(core)

    def _doc_changed(
        self, room: Room, uid: str, *, timed_out: bool = False, named: tuple[str, ...] = ()
    ) -> None:
        for hook in self.on_doc_change:
            hook(room, uid, timed_out, named)

    def _maybe_close(self, room: Room) -> None:
        if room.is_empty():
            room.views.close()
            del self.rooms[room.ident]

    # -------------------------------------------------------------------- state

    def write_state(
        self, core: ClientCore, key: ChannelKey, *, written: Mapping[str, Any] | None = None
    ) -> None:
        """The session's document takes its state for the channel (R-S5, R-T3).

        ``written``: the items a ``setState`` wrote (``{}`` for a ``removeState`` that
        removed keys); the listeners hear the write unless it only wrote falsy values,
        which the SDK does not report.  ``None``: a resync, heard only when it changes
        something the listeners' SDK reports.
        """
        room = core.members.get(key)
        uid = core.user_id
        if room is None or room.members[uid].be_quiet:
            return
        state = core.cache.get(key, StateMap())
        before = room.docs.get(uid)
        room.docs.replace(uid, UserState(uid, state) if state else core.bare)
        if written is not None:
            heard = not written or last_heard(written)
        else:
            heard = before is not None and audible(before.states, state)
        if heard:
            room.views.changed(uid, state)
        self._doc_changed(room, uid, named=tuple(written or ()))

    def document(self, app_id: str, key: ChannelKey, uid: str) -> UserState | None:
        """A user's document in a channel (``None``: absent or quiet)."""
        room = self.rooms.get((app_id, *key))
        return room.docs.get(uid) if room is not None else None

    def channels_of(self, app_id: str, uid: str) -> tuple[ChannelDetail, ...]:
        """R-Q5: the channels where the user is present and visible, in channel order."""
        core = self.sessions.get((app_id, uid))
        if core is None or not core.session:
            return ()
        return tuple(
            room.detail for _, room in core.ordered_members() if not room.members[uid].be_quiet
        )

    # ------------------------------------------------------------------- checks

    def check(self) -> None:
        """Assert that every room's indices agree (``check_invariants``)."""
        for ident, room in self.rooms.items():
            assert room.ident == ident and not room.is_empty(), ident
            assert len(room.members) <= self.config.max_channel_users, ident
            room.docs.check()
            visible = sorted(
                [uid for uid, options in room.members.items() if not options.be_quiet]
                + list(room.lingering)
            )
            assert list(room.docs) == visible, (ident, list(room.docs), visible)
            for uid in room.members:
                core = self.sessions[(ident[0], uid)]
                assert core.session and core.members.get(room.key) is room, uid
                assert uid not in room.lingering, uid
            room.views.check(room.docs)
        for (app, uid), core in self.sessions.items():
            assert core.session and core.app_id == app and core.user_id == uid, uid
            for key, room in core.members.items():
                assert self.rooms[(app, *key)] is room and uid in room.members, (uid, key)
