"""Entering and leaving channels: subscribe, unsubscribe, join, leave (R-L1, R-L4, R-L5).

What the SDK does with the client's channel list (``ClientCore.entered``, kept through
losses and kicks, R-T3) and what it asks of the server: entering again with the same
options changes nothing, new options are passed on (R-L1); 50 channels per client, 10
of them stream channels, and a full channel refuses entry (R-L4); an unsubscribe of a
channel the client is not in resolves, a stream leave is -11001 (R-L5).  A stream
channel's own link reports each step of a join, a refused one included (``_link``).
While the link is down a subscribe is queued and a join kept in the list; both reach the
server when the link is back (R-T3, driven by ``_connection``).  The order of the checks
is R-X1's (``_checks``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ._bus import EventBus
from ._checks import rate, require_link
from ._clock import FakeClock
from ._config import EmulatorConfig
from ._errors import ErrorCode, RtmError
from ._ids import check_channel_name
from ._limits import MESSAGE_CHANNEL_COUNT, STREAM_CHANNEL_COUNT
from ._link import Links
from ._server import Server
from ._session import ChannelKey, ClientCore, EntryOptions
from ._surface import Operation
from ._token import check_token
from ._types import ChannelType, LinkState, LinkStateReasonCode
from ._validate import js_truthy

__all__ = ["Membership", "entry_options"]


_FAILED_JOIN_REASON: dict[int, LinkStateReasonCode] = {
    ErrorCode.CHANNEL_INSTANCE_EXCEED_LIMITATION: (
        LinkStateReasonCode.CHANNEL_INSTANCE_EXCEED_LIMITATION
    ),
    ErrorCode.OPERATION_RATE_EXCEED_LIMITATION: (
        LinkStateReasonCode.OPERATION_RATE_EXCEED_LIMITATION
    ),
    ErrorCode.DUPLICATE_OPERATION: LinkStateReasonCode.CHANNEL_IN_ERROR_STATE,
    ErrorCode.NOT_CONNECTED: LinkStateReasonCode.CHANNEL_IN_ERROR_STATE,
    ErrorCode.INVALID_TOKEN: LinkStateReasonCode.INVALID_TOKEN,
    ErrorCode.INCONSISTENT_APPID: LinkStateReasonCode.INCONSISTENT_APP_ID,
}

#: the eight possible entry options, shared by every membership (memory, R-L1)
_OPTIONS = {
    (presence, quiet, message): EntryOptions(presence, quiet, message)
    for presence in (True, False)
    for quiet in (True, False)
    for message in (True, False)
}


def entry_options(options: object, *, messages: bool = True) -> EntryOptions:
    """The SDK's reading of subscribe/join options: ``withPresence ?? true``,
    ``beQuiet ?? false`` (agora-rtm.js 2.3.0, the options normaliser) and, for a
    subscribe (``messages``), ``withMessage ?? true`` (R-M5; a stream join has none:
    false), each value by JS truthiness (:func:`~._validate.js_truthy`: the value is
    asked nothing)."""
    if not isinstance(options, Mapping):
        return _OPTIONS[True, False, messages]
    presence = options.get("withPresence")
    quiet = options.get("beQuiet")
    message = options.get("withMessage") if messages else False
    return _OPTIONS[
        True if presence is None else js_truthy(presence),
        False if quiet is None else js_truthy(quiet),
        True if message is None else js_truthy(message),
    ]


class Membership:
    """The SDK's subscribe / unsubscribe / join / leave, and its channel list."""

    __slots__ = (
        "_bus",
        "_clock",
        "_config",
        "_links",
        "_server",
        "entry_checks",
        "entry_hooks",
        "exit_hooks",
        "join_checks",
        "server_checks",
    )

    def __init__(
        self,
        config: EmulatorConfig,
        clock: FakeClock,
        bus: EventBus,
        server: Server,
        links: Links,
    ) -> None:
        self._config = config
        self._clock = clock
        self._bus = bus
        self._server = server
        self._links = links
        #: R-ST15: checks of a subscribe's / join's options (operation, options), made
        #: with the options check; hooks after a subscribe / join succeeded (key,
        #: options) and after a channel left the client's list (key)
        self.entry_checks: list[Callable[[ClientCore, str, object], None]] = []
        self.entry_hooks: list[Callable[[ClientCore, ChannelKey, object], None]] = []
        self.exit_hooks: list[Callable[[ClientCore, ChannelKey], None]] = []
        #: R-ST15: what the server refuses when a subscription reaches it (operation,
        #: options), after every check of the client's
        self.server_checks: list[Callable[[ClientCore, str, object], None]] = []
        #: R-TK11: what the server refuses of a stream join (operation, channel name,
        #: the join's token), after every check of the client's
        self.join_checks: list[Callable[[ClientCore, str, str, object], None]] = []

    # -------------------------------------------------------- subscribe, join

    def op_subscribe(
        self, core: ClientCore, row: Operation, channel_name: object, options: object
    ) -> str:
        """Subscribe to a MESSAGE channel, also again with new options (R-L1, R-L4, R-T3;
        ``withMessage``, R-M5: the server then sends the channel's messages, or stops).

        Returns the channel name.

        Raises:
            RtmError: -10021, -10025 (link, unless the subscribe can be queued), -10008,
                -11005 (50 channels), -11021 (channel full).
        """
        operation = row.operation
        rate(core, row, self._clock)
        queue = False
        if core.link_state is not LinkState.CONNECTED:
            if not self.can_queue_subscribe(core):
                require_link(core, operation, connected=True)
            queue = True
        name = check_channel_name(operation, channel_name)
        opts = entry_options(options)
        for entry_check in self.entry_checks:
            entry_check(core, operation, options)
        key = self.key(core, ChannelType.MESSAGE, name)
        if key not in core.entered and name not in core.queued:
            used = len(core.entered) + len(core.queued)
            if used >= MESSAGE_CHANNEL_COUNT:
                raise RtmError.sdk(
                    operation,
                    ErrorCode.CHANNEL_INSTANCE_EXCEED_LIMITATION,
                    detail=f"user {core.user_id!r} is already in {used} channels",
                )
        if queue:
            core.queued[name] = opts
            for hook in self.entry_hooks:
                hook(core, key, options)
            return name
        new = key not in core.entered
        if new:
            self._check_room(core, operation, key)
        refused: RtmError | None = None
        for server_check in self.server_checks:
            try:
                server_check(core, operation, options)
            except RtmError as error:
                if not new:
                    raise
                refused = error
                break
        with self._bus.operation():
            self._enter(core, key, opts)
            if refused is not None:
                # R-ST15: the SDK joined the channel (its SNAPSHOT) before the server
                # refused the metadata subscription; the failed subscribe leaves again
                self._exit(core, key)
            else:
                for hook in self.entry_hooks:
                    hook(core, key, options)
        if refused is not None:
            raise refused
        return name

    def can_queue_subscribe(self, core: ClientCore) -> bool:
        """R-T3: a subscribe while the link is down is queued instead of refused."""
        return (
            core.had_connected
            and self._clock.now_ms - core.login_ms > core.config.heartbeat_ms
            and core.link_state
            in (LinkState.CONNECTING, LinkState.DISCONNECTED, LinkState.SUSPENDED)
        )

    def key(self, core: ClientCore, channel_type: ChannelType, name: str) -> ChannelKey:
        """The channel's key, the room's own tuple when the room exists (one per channel,
        not one per member: memory)."""
        room = self._server.room((core.app_id, channel_type, name))
        return room.key if room is not None else (channel_type, name)

    def _check_room(self, core: ClientCore, operation: str, key: ChannelKey) -> None:
        """R-L4: the server refuses a full channel (-11021 with serverCode, -11007)."""
        if not self._server.is_full(core.app_id, key):
            return
        users = self._config.max_channel_users
        if key[0] is ChannelType.MESSAGE:
            raise RtmError.sdk(
                operation,
                ErrorCode.CHANNEL_SUBSCRIBE_FAILED,
                detail=f"channel {key[1]!r} holds {users} users",
                server_code=int(ErrorCode.CHANNEL_SUBSCRIBE_FAILED),
            )
        raise RtmError.sdk(
            operation,
            ErrorCode.CHANNEL_JOIN_FAILED,
            detail=f"stream channel {key[1]!r} holds {users} users",
        )

    def _enter(self, core: ClientCore, key: ChannelKey, opts: EntryOptions) -> None:
        """Record the channel in the client's list and, when connected, on the server."""
        if core.entered.get(key) == opts:
            return  # R-L1: the same options again change nothing
        core.entered[key] = opts
        if core.connected:
            self._server.enter(core, key, opts)

    def op_join(self, core: ClientCore, row: Operation, channel_name: str, options: object) -> None:
        """Join a stream channel (R-L4; R-T4: the channel's own link reports each step,
        a refused join included).

        While the link is down (not IDLE) the join is kept in the client's list and
        reaches the server when the link is back (R-T3).

        Every failure after the ``CONNECTING`` step (an SDK error, or an exception of
        the caller's own options object) reports the link's ``FAILED`` and raises.

        Raises:
            RtmError: -10017, -10021, -10025 (IDLE), -10005 / -10016 (token), -11005
                (10 stream channels; the channel's link goes FAILED), -11007 (full).
            SdkTypeError: a token that is neither a string nor falsy nor a list (R-X3).
        """
        operation = row.operation
        key = self.key(core, ChannelType.STREAM, channel_name)
        link = core.stream_links.get(channel_name, LinkState.IDLE)
        if link is LinkState.CONNECTING:
            raise RtmError.sdk(operation, ErrorCode.DUPLICATE_OPERATION)
        joined = key in core.entered
        if not joined:
            with self._bus.operation():
                rejoin = link is not LinkState.IDLE
                self._links.step(
                    core,
                    "stream_join",
                    stream=channel_name,
                    reason=LinkStateReasonCode.REJOIN if rejoin else None,
                )
        try:
            opts = entry_options(options, messages=False)
            for entry_check in self.entry_checks:
                entry_check(core, operation, options)
            rate(core, row, self._clock)
            require_link(core, operation, connected=False)
            token = options.get("token") if isinstance(options, Mapping) else None
            check_token(operation, token, core.app_id)
            if core.stream_count() >= STREAM_CHANNEL_COUNT:
                raise RtmError.sdk(
                    operation,
                    ErrorCode.CHANNEL_INSTANCE_EXCEED_LIMITATION,
                    name="RtmUnavailableError",
                    detail=f"{core.user_id!r} has joined {STREAM_CHANNEL_COUNT} stream channels",
                )
            if not joined and core.connected:
                self._check_room(core, operation, key)
            if not joined:
                for join_check in self.join_checks:
                    join_check(core, operation, channel_name, token)
        except Exception as error:
            # any failure, the caller's own exception too (options that raise when
            # read), reports FAILED: never a stream link stuck in CONNECTING
            code = int(error.error_code) if isinstance(error, RtmError) else 0
            reason = _FAILED_JOIN_REASON.get(code, LinkStateReasonCode.JOIN_FAILED)
            with self._bus.operation():
                self._links.step(core, "stream_join_failed", stream=channel_name, reason=reason)
            raise
        with self._bus.operation():
            self._links.step(core, "stream_joined", stream=channel_name)
            self._enter(core, key, opts)
            for hook in self.entry_hooks:
                hook(core, key, options)

    # ------------------------------------------------------ unsubscribe, leave

    def op_unsubscribe(self, core: ClientCore, row: Operation, channel_name: object) -> str:
        """Unsubscribe (R-L5): resolves also when not subscribed; works while down (R-T3).

        Returns the channel name.

        Raises:
            RtmError: -10008.
        """
        name = check_channel_name(row.operation, channel_name)
        key: ChannelKey = (ChannelType.MESSAGE, name)
        if core.queued.pop(name, None) is not None and key not in core.entered:
            return name
        if core.link_state is LinkState.IDLE or key not in core.entered:
            return name
        with self._bus.operation():
            self._exit(core, key)
        return name

    def op_leave(self, core: ClientCore, row: Operation, channel_name: str) -> None:
        """Leave a stream channel (R-L5).

        Raises:
            RtmError: -10025 (link not CONNECTED), -11001 (not joined).
        """
        operation = row.operation
        require_link(core, operation, connected=False)
        key: ChannelKey = (ChannelType.STREAM, channel_name)
        link = core.stream_links.get(channel_name, LinkState.IDLE)
        if link is LinkState.FAILED and key not in core.entered:
            with self._bus.operation():
                self._links.step(core, "stream_leave", stream=channel_name)
            return
        # CONNECTING: a joined channel whose RTC link went down with the network (R-M12)
        if key not in core.entered or link not in (LinkState.CONNECTED, LinkState.CONNECTING):
            raise RtmError.sdk(
                operation,
                ErrorCode.CHANNEL_NOT_JOINED,
                detail=f"user {core.user_id!r} has not joined stream channel {channel_name!r}",
            )
        with self._bus.operation():
            self._exit(core, key)
            self._links.step(core, "stream_leave", stream=channel_name)

    def expire_stream(self, core: ClientCore, channel_name: str) -> None:
        """R-TK12, R-TK25: the stream channel's token lapsed: the client leaves it (the
        others hear it leave) and its link reports ``FAILED / SERVER_REJECT /
        TOKEN_EXPIRED``."""
        key: ChannelKey = (ChannelType.STREAM, channel_name)
        if key in core.entered:
            self._exit(core, key)
        self._links.step(core, "stream_token_expired", stream=channel_name)

    def _exit(self, core: ClientCore, key: ChannelKey) -> None:
        """The client drops a channel from its list; its cache entry goes (R-S4)."""
        del core.entered[key]
        core.cache.pop(key, None)
        core.dirty.pop(key, None)
        if core.connected and key in core.members:
            self._server.leave(core, key)
        for hook in self.exit_hooks:
            hook(core, key)

    # ------------------------------------------------- replaying the channel list

    def take_queued(self, core: ClientCore) -> None:
        """Subscribes queued while the link was down join the channel list (R-T3)."""
        queued, core.queued = core.queued, {}
        for name in sorted(queued):
            core.entered[self.key(core, ChannelType.MESSAGE, name)] = queued[name]

    def restore(self, core: ClientCore) -> None:
        """Enter every channel of the client's list (after a kick or a server timeout).

        Each channel is entered with the client's cached state (R-S4), so no write made
        while the link was down is left to sync (``dirty``)."""
        for key in sorted(core.entered):
            if key not in core.members:
                self.rejoin(core, key)
        core.dirty.clear()

    def rejoin(self, core: ClientCore, key: ChannelKey, *, attach: bool = True) -> bool:
        """Re-enter a channel of the client's list on the server; a channel that filled
        up meanwhile refuses it and leaves the list (the SDK's replayed call fails
        silently: its promise resolved long ago).  Returns whether it entered."""
        if self._server.is_full(core.app_id, key):
            del core.entered[key]
            core.cache.pop(key, None)
            return False
        self._server.enter(core, key, core.entered[key], attach=attach)
        return True
