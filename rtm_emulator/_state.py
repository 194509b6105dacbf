"""The engine's records: channels, members and the server-side view of each client.

Indices (all kept in step by :class:`Channel` and the engine; ``check_invariants``
cross-checks them):

* per channel, ``members`` (user id -> :class:`Member`, quiet included), ``visible``
  (an :class:`~._index.OccupantIndex` of the visible members' ``UserState``s, the
  paging and snapshot order, R-Q2) and
  ``listeners`` (a ``SortedDict`` of the members that listen, the fan-out order, R-E7);
* per client, ``channels`` ((channel type, channel name) -> its :class:`Member`, read
  in R-Q5 order through ``in_order()``) and the pre-join state ``cache`` (R-S4).

Memory (docs/performance.md): a member holds its channel, not a key of its own, and
every index keys it by objects that already exist (the user id string, the channel's
key tuple), so an occupancy costs one ``Member`` and one entry per index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from sortedcontainers import SortedDict

from ._clock import Timer
from ._config import RTMConfig
from ._index import OccupantIndex
from ._types import EMPTY_STATE, ChannelDetail, ChannelType, LinkState, StateMap, UserState

__all__ = ["Channel", "ChannelKey", "ClientCore", "Member", "Period", "RestoreEntry"]

#: (channel type, channel name); sorts MESSAGE before STREAM, then by name.
ChannelKey = tuple[ChannelType, str]


@attrs.define(eq=False, init=False)
class Member:
    """One user present in one channel.

    ``user_state`` is the immutable ``UserState`` that shows the member in snapshots,
    pages and interval events; it is rebuilt only when the state changes, and members
    without state share their client's one (``ClientCore.bare``).
    """

    core: ClientCore
    channel: Channel
    with_presence: bool
    be_quiet: bool
    state: StateMap = EMPTY_STATE
    #: the state the other users last heard of (R-E6: compared on a debounced re-entry)
    announced: StateMap = EMPTY_STATE
    user_state: UserState = attrs.field(init=False)

    def __init__(
        self,
        core: ClientCore,
        channel: Channel,
        with_presence: bool,
        be_quiet: bool,
        state: StateMap = EMPTY_STATE,
    ) -> None:
        self.core = core
        self.channel = channel
        self.with_presence = with_presence
        self.be_quiet = be_quiet
        self.state = state
        self.announced = EMPTY_STATE
        self.user_state = UserState(core.user_id, state) if state else core.bare

    @property
    def user_id(self) -> str:
        """The member's user id."""
        return self.core.user_id

    def set_state(self, state: StateMap) -> None:
        """Replace the state (and the reusable ``UserState`` that shows it, also in the
        channel's occupant index)."""
        self.state = state
        self.user_state = UserState(self.core.user_id, state) if state else self.core.bare
        if not self.be_quiet:
            self.channel.visible.replace(self.core.user_id, self.user_state)


@attrs.define(eq=False)
class Period:
    """What an interval-mode channel has seen since its last boundary (R-E5).

    Plain sets of user ids: they are only read through ``sorted()`` when the boundary
    builds its event.  ``timer`` is the next boundary.
    """

    timer: Timer
    joined: set[str] = attrs.field(factory=set)
    left: set[str] = attrs.field(factory=set)
    timed_out: set[str] = attrs.field(factory=set)
    state_changed: set[str] = attrs.field(factory=set)

    def is_empty(self) -> bool:
        """True when nothing happened in the period (no event is sent for it)."""
        return not (self.joined or self.left or self.timed_out or self.state_changed)


@attrs.define(eq=False)
class Channel:
    """A channel of one app: ``(app_id, channel_type, channel_name)``."""

    app_id: str
    key: ChannelKey
    members: dict[str, Member] = attrs.field(factory=dict)
    visible: OccupantIndex = attrs.field(factory=OccupantIndex)
    listeners: SortedDict = attrs.field(factory=SortedDict)
    #: ``None`` in announce mode; the running period in interval mode (R-E5)
    period: Period | None = None
    #: ``(app_id, channel type, channel name)``, the engine's key of the channel
    ident: tuple[str, ChannelType, str] = attrs.field(init=False)
    #: what ``getUserChannels`` lists for this channel (immutable, shared)
    detail: ChannelDetail = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.ident = (self.app_id, *self.key)
        self.detail = ChannelDetail(self.key[1], self.key[0])

    @property
    def occupancy(self) -> int:
        """Number of visible present users."""
        return len(self.visible)

    def add(self, member: Member) -> None:
        """Index a new member."""
        core = member.core
        uid = core.user_id
        self.members[uid] = member
        if not member.be_quiet:
            self.visible.insert(uid, member.user_state, core.bare)
        if member.with_presence:
            self.listeners[uid] = member

    def remove(self, member: Member) -> None:
        """Drop a member from every index."""
        uid = member.core.user_id
        del self.members[uid]
        if not member.be_quiet:
            self.visible.remove(uid)
        if member.with_presence:
            del self.listeners[uid]

    def update_options(self, member: Member, with_presence: bool, be_quiet: bool) -> None:
        """Take new entry options for a member already present (R-L1)."""
        uid = member.core.user_id
        if be_quiet != member.be_quiet:
            if be_quiet:
                self.visible.remove(uid)
            else:
                self.visible.insert(uid, member.user_state, member.core.bare)
        if with_presence != member.with_presence:
            if with_presence:
                self.listeners[uid] = member
            else:
                del self.listeners[uid]
        member.with_presence = with_presence
        member.be_quiet = be_quiet

    def check(self) -> None:
        """Assert that the channel's indices agree."""
        self.visible.check()
        self.listeners._check()
        shown = [(u, m.user_state) for u, m in sorted(self.members.items()) if not m.be_quiet]
        assert list(self.visible) == [u for u, _ in shown], "visible users"
        assert all(a is b for a, (_, b) in zip(self.visible.states(), shown, strict=True))
        assert set(self.listeners) == {u for u, m in self.members.items() if m.with_presence}
        for uid, member in self.members.items():
            assert member.user_id == uid
            assert member.channel is self
            assert member.core.channels.get(self.key) is member, (uid, self.key)
            assert member.user_state == UserState(uid, member.state)
            assert member.state or member.user_state is member.core.bare
        for uid, member in self.listeners.items():
            assert self.members[uid] is member


@attrs.frozen
class RestoreEntry:
    """What a timed-out client re-enters with when it reconnects (R-T3)."""

    key: ChannelKey
    with_presence: bool
    be_quiet: bool
    state: StateMap


@attrs.define(eq=False)
class ClientCore:
    """Everything the engine knows about one client (one ``emu.client(...)``)."""

    user_id: str
    app_id: str
    config: RTMConfig
    listeners: dict[str, list[Callable[[Any], object]]] = attrs.field(factory=dict)
    logged_in: bool = False
    connected: bool = True
    #: the server timed the client out while it was disconnected (R-T2)
    timed_out: bool = False
    link_state: LinkState = LinkState.IDLE
    #: channel key -> the client's ``Member`` there; change it only through
    #: :meth:`add_member` / :meth:`pop_member`, read it in order through :meth:`in_order`
    channels: dict[ChannelKey, Member] = attrs.field(factory=dict)
    #: pre-join state cache, channel -> state (R-S4)
    cache: dict[ChannelKey, StateMap] = attrs.field(factory=dict)
    #: timers running while disconnected: detection + timeout, suspension
    timeout_timer: Timer | None = None
    suspend_timer: Timer | None = None
    restore: tuple[RestoreEntry, ...] = ()
    #: the client's user without state, shared by every member that has none
    bare: UserState = attrs.field(init=False)
    #: ``channels`` sorted by key (R-Q5 order), built on demand, dropped on change
    _ordered: list[tuple[ChannelKey, Member]] | None = attrs.field(init=False, default=None)

    def __attrs_post_init__(self) -> None:
        self.bare = UserState(self.user_id)

    def add_member(self, key: ChannelKey, member: Member) -> None:
        """Record the client's presence in a channel."""
        self.channels[key] = member
        self._ordered = None

    def pop_member(self, key: ChannelKey) -> Member:
        """Forget the client's presence in a channel; returns its ``Member``.

        Raises:
            KeyError: if the client is not in that channel.
        """
        member = self.channels.pop(key)
        self._ordered = None
        return member

    def in_order(self) -> list[tuple[ChannelKey, Member]]:
        """(key, member) of every channel the client is in, MESSAGE before STREAM, then
        by name (R-Q5).  A client is in at most 200 channels: a plain dict and a sort on
        the first read after a change cost less than a sorted map's upkeep on every
        subscribe and leave.  Do not mutate the list."""
        ordered = self._ordered
        if ordered is None:
            ordered = self._ordered = sorted(self.channels.items(), key=_first)
        return ordered

    @property
    def cached_keys(self) -> int:
        """State keys held in the pre-join cache (R-S4 counts them against 100)."""
        return sum(len(state) for state in self.cache.values())

    def count(self, channel_type: ChannelType) -> int:
        """Channels of that type the client is in (R-L4 limits each to 100)."""
        return sum(1 for key in self.channels if key[0] is channel_type)

    def check(self) -> None:
        """Assert that the ordered view, if built, is the channels in key order."""
        if self._ordered is not None:
            assert self._ordered == sorted(self.channels.items(), key=_first), self.user_id
        for key, member in self.channels.items():
            assert member.channel.key == key and member.core is self, (self.user_id, key)


def _first(item: tuple[ChannelKey, Member]) -> ChannelKey:
    return item[0]
