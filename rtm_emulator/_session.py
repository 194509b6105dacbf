"""What one SDK client holds for itself: link, channel list, state cache (R-S4, R-T3, R-T4).

A :class:`ClientCore` is one ``emu.client(...)``: the state the SDK keeps in the app's
process.  It outlives network losses and kicks: its channel list (``entered``, the SDK's
last subscribe/join options per channel) and its state cache survive ``DISCONNECTED``,
``SUSPENDED`` and ``FAILED`` and are replayed when the link comes back.  The engine
holds a core only while its link is up or on its way back (``HELD_STATES``): a core
tells its registry (``Clients.live``) when its link changes, so an ``IDLE`` or
``FAILED`` client that the app dropped is garbage ("[ours] R-T4 the engine keeps only
clients it needs" in docs/decisions.md).  What the *server* holds for the client (its
memberships, ``members``) is kept here too, because it is per client, but only
``_server`` writes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from ._clock import Timer
from ._config import RTMConfig
from ._types import ChannelType, LinkState, StateMap, UserState

if TYPE_CHECKING:
    from ._config import RateLimiter
    from ._server import Room

__all__ = ["HELD_STATES", "ChannelKey", "ClientCore", "EntryOptions"]

#: (channel type, channel name); sorts MESSAGE before STREAM, then by name.
ChannelKey = tuple[ChannelType, str]


@attrs.frozen
class EntryOptions:
    """The options a channel was entered with (``withPresence``, ``beQuiet``,
    ``withMessage``: R-M5; a stream channel's join has no ``withMessage``, so false)."""

    with_presence: bool = True
    be_quiet: bool = False
    with_message: bool = True


#: Link states in which the engine holds the client (its registry, ``Clients.live``).
HELD_STATES = frozenset(
    (LinkState.CONNECTING, LinkState.CONNECTED, LinkState.DISCONNECTED, LinkState.SUSPENDED)
)


@attrs.define(eq=False)
class ClientCore:
    """Everything one SDK client keeps, and the handle the server knows it by."""

    user_id: str
    app_id: str
    config: RTMConfig
    listeners: dict[str, list[Callable[[Any], object]]] = attrs.field(factory=dict)
    #: the link (read and set as ``link_state``, whose setter keeps ``registry`` true)
    _link_state: LinkState = LinkState.IDLE
    #: the order the clients were made in (1 = the first), for ``Clients.find``
    serial: int = 0
    #: the engine's registry of held clients (``Clients.live``); ``None``: none
    registry: dict[ClientCore, None] | None = attrs.field(default=None, repr=False)
    #: the test's network switch for this client (``emu.disconnect`` / ``emu.reconnect``)
    network_up: bool = True
    #: the client was CONNECTED at least once since its last login (R-T3)
    had_connected: bool = False
    #: when the current session started (R-T3: queued subscribes need heartbeatInterval)
    login_ms: int = 0
    #: the SDK's channel list: key -> entry options, kept through losses and kicks
    entered: dict[ChannelKey, EntryOptions] = attrs.field(factory=dict)
    #: R-T3: subscribes made while the link was down, replayed when it comes back
    queued: dict[str, EntryOptions] = attrs.field(factory=dict)
    #: R-S4: the state cache, one entry per channel (MESSAGE and STREAM alike)
    cache: dict[ChannelKey, StateMap] = attrs.field(factory=dict)
    #: R-T3: channels whose state changed while the link was down
    dirty: dict[ChannelKey, None] = attrs.field(factory=dict)
    #: R-T3: per listening channel, the replica as it was when the link went down
    heard: dict[ChannelKey, dict[str, UserState]] = attrs.field(factory=dict)
    #: per stream channel name, its own link (serviceType STREAM, R-T4)
    stream_links: dict[str, LinkState] = attrs.field(factory=dict)
    #: the stream channels the client made a handle of (``createStreamChannel``):
    #: R-TK6 tells a channel never created (-10008) from one not joined (-11001)
    stream_handles: set[str] = attrs.field(factory=set)
    #: the server holds a session for this client (False: never, logged out, timed
    #: out or kicked)
    session: bool = False
    #: the server's memberships of this client (written by ``_server`` only)
    members: dict[ChannelKey, Room] = attrs.field(factory=dict)
    #: R-T4: reconnect machinery
    attempts: int = 0
    suspended: bool = False
    retry_timer: Timer | None = None
    suspend_timer: Timer | None = None
    #: R-T2: the server's timeout of this client while it is unreachable
    server_timer: Timer | None = None
    #: R-C6: the client's rate limiter (``None`` when rate limits are off)
    limiter: RateLimiter | None = None
    #: R-M1, R-M10: the SDK's ``HISTORY_ENABLED`` (``setParameter``; the console's
    #: default ``history.enabled`` is true)
    history_enabled: bool = True
    #: R-C1, R-M1: the SDK's ``EXTEND_CHANNEL_NAME`` (``setParameter``; off by default):
    #: a channel name published to may hold ``.`` and `` ` ``
    extend_channel_name: bool = False
    #: the client's user without state, shared by everything that shows it stateless
    bare: UserState = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.bare = UserState(self.user_id)

    @property
    def link_state(self) -> LinkState:
        """The client's link (R-T4).

        Setting it (``_link`` does, at each step) also tells ``registry``, which holds
        the core while its link is in ``HELD_STATES`` and lets it go when the link is
        ``IDLE`` or ``FAILED``.
        """
        return self._link_state

    @link_state.setter
    def link_state(self, state: LinkState) -> None:
        self._link_state = state
        live = self.registry
        if live is not None:
            if state in HELD_STATES:
                live[self] = None
            else:
                live.pop(self, None)

    @property
    def logged_in(self) -> bool:
        """The link is not ``IDLE`` (``login`` was called and no ``logout`` since)."""
        return self._link_state is not LinkState.IDLE

    @property
    def connected(self) -> bool:
        """The link is ``CONNECTED``: events reach the client (R-E9)."""
        return self._link_state is LinkState.CONNECTED

    def message_channels(self) -> tuple[str, ...]:
        """Names of the MESSAGE channels in the client's list, sorted (R-T4 affected)."""
        return tuple(sorted(name for ctype, name in self.entered if ctype is ChannelType.MESSAGE))

    def ordered_members(self) -> list[tuple[ChannelKey, Room]]:
        """The server's memberships in (channel type, channel name) order (R-E7, R-Q5)."""
        return sorted(self.members.items(), key=_first)

    def stream_count(self) -> int:
        """Stream channels joined (R-L4 allows 10)."""
        return sum(1 for ctype, _ in self.entered if ctype is ChannelType.STREAM)


def _first(item: tuple[ChannelKey, Any]) -> ChannelKey:
    return item[0]
