"""The SDK-shaped async client: ``RTMClient``, ``RTMPresence``, ``RTMStreamChannel``
(and, from ``_client_messaging``, ``RTMHistory`` and the messaging calls).

A thin adapter: every method translates its arguments (snake_case keywords or the SDK's
option dicts) and calls the engine, which validates and acts synchronously.  The
methods are ``async`` like the SDK's Promises; their events reach the listeners before
the awaitable returns (R-E9).  Both spellings of a method (``who_now`` / ``whoNow``)
share one implementation; the error's ``operation`` is the one the surface table
(``_surface.OPERATIONS``) gives the operation called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, overload

from ._client_locks import RTMLock
from ._client_messaging import PublishCalls, RTMHistory, TopicCalls, settled
from ._client_messaging import merge_options as _merge_options
from ._client_storage import RTMStorage
from ._config import RTMConfig
from ._events import LinkStateEvent, MessageEvent, PresenceEvent, TopicEvent
from ._js import plain
from ._lock_types import LockEvent
from ._session import ClientCore
from ._storage_types import StorageEvent
from ._surface import (
    CREATE_STREAM_CHANNEL,
    GET_ONLINE_USERS,
    GET_STATE,
    GET_USER_CHANNELS,
    JOIN,
    LEAVE,
    LOGIN,
    LOGOUT,
    REMOVE_STATE,
    RENEW_TOKEN,
    SET_STATE,
    SUBSCRIBE,
    UNSUBSCRIBE,
    WHERE_NOW,
    WHO_NOW,
    Operation,
)
from ._token_types import RenewTokenResponse, TokenEvent
from ._types import (
    ChannelType,
    GetOnlineUsersResponse,
    GetStateResponse,
    GetUserChannelsResponse,
    JoinChannelResponse,
    LeaveChannelResponse,
    LinkState,
    LoginResponse,
    LogoutResponse,
    RemoveStateResponse,
    SetStateResponse,
    SubscribeResponse,
    UnsubscribeResponse,
)
from ._validate import NOT_GIVEN, check_channel_name

if TYPE_CHECKING:
    from ._engine import Engine

from ._connection import LoginWaiter

__all__ = [
    "RTMClient",
    "RTMHistory",
    "RTMLock",
    "RTMPresence",
    "RTMStorage",
    "RTMStreamChannel",
]


def _event_name(event_name: object) -> object:
    """A ``str`` subclass as its plain characters (its own ``__str__`` / ``__eq__`` /
    ``__hash__`` are never asked); any other value as it is (the engine converts it
    with ``str()``, as JS converts a property key)."""
    return plain(event_name) if isinstance(event_name, str) else event_name


class RTMPresence:
    """Presence calls of one client (the SDK's ``rtm.presence``)."""

    def __init__(self, engine: Engine, core: ClientCore) -> None:
        self._engine = engine
        self._core = core

    def _who_now(
        self,
        row: Operation,
        channel_name: str,
        channel_type: str | ChannelType,
        options: Mapping[str, Any] | None,
        include_user_id: bool | None,
        include_state: bool | None,
        page: str | None,
    ) -> GetOnlineUsersResponse:
        opts = _merge_options(
            row.operation,
            options,
            {"includedUserId": include_user_id, "includedState": include_state, "page": page},
        )
        return self._engine.op_who_now(self._core, row, channel_name, channel_type, opts)

    #: the rows of the surface table this class implements (their error ``operation``)
    _GET_ONLINE_USERS = GET_ONLINE_USERS

    async def get_online_users(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        options: Mapping[str, Any] | None = None,
        *,
        include_user_id: bool | None = None,
        include_state: bool | None = None,
        page: str | None = None,
    ) -> GetOnlineUsersResponse:
        """The channel's visible users, one page at a time (R-Q1..R-Q4).

        ``options`` is the SDK's ``{"includedUserId", "includedState", "page"}``; the
        keywords are the same in Python spelling (a key given both ways is a
        ``ConfigError``). The caller need not be in the channel: listening there it
        is answered from its replica (R-Q2), otherwise one server page (R-Q3).
        The caller must be logged in but need not be in the channel.

        Raises:
            RtmError: -10021, -10019, -10025, -10008, -13003 (``operation`` the name
                called).
            ValueError: a ``page`` that is not base64 (the SDK's ``atob`` error, R-X3).
            ConfigError: an option given both in ``options`` and as a keyword.
        """
        return self._who_now(
            self._GET_ONLINE_USERS,
            channel_name,
            channel_type,
            options,
            include_user_id,
            include_state,
            page,
        )

    async def getOnlineUsers(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        options: Mapping[str, Any] | None = None,
    ) -> GetOnlineUsersResponse:
        """SDK spelling of :meth:`get_online_users`.

        Raises:
            RtmError: as :meth:`get_online_users`.
        """
        return self._who_now(
            self._GET_ONLINE_USERS, channel_name, channel_type, options, None, None, None
        )

    _WHO_NOW = WHO_NOW

    async def who_now(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        options: Mapping[str, Any] | None = None,
        *,
        include_user_id: bool | None = None,
        include_state: bool | None = None,
        page: str | None = None,
    ) -> GetOnlineUsersResponse:
        """Alias of :meth:`get_online_users` (errors name ``whoNow``).

        Raises:
            RtmError: as :meth:`get_online_users`.
        """
        return self._who_now(
            self._WHO_NOW, channel_name, channel_type, options, include_user_id, include_state, page
        )

    async def whoNow(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        options: Mapping[str, Any] | None = None,
    ) -> GetOnlineUsersResponse:
        """SDK spelling of :meth:`who_now`.

        Raises:
            RtmError: as :meth:`get_online_users`.
        """
        return self._who_now(self._WHO_NOW, channel_name, channel_type, options, None, None, None)

    _GET_USER_CHANNELS = GET_USER_CHANNELS

    async def get_user_channels(self, user_id: str = "") -> GetUserChannelsResponse:
        """Channels where ``user_id`` is present and visible (R-Q5); ``""`` is the caller.

        An unknown or offline user gets an empty list.

        Raises:
            RtmError: -10021, -10025, -10006 (``operation`` the name called).
        """
        return self._engine.op_where_now(self._core, self._GET_USER_CHANNELS, user_id)

    async def getUserChannels(self, user_id: str = "") -> GetUserChannelsResponse:
        """SDK spelling of :meth:`get_user_channels`.

        Raises:
            RtmError: as :meth:`get_user_channels`.
        """
        return self._engine.op_where_now(self._core, self._GET_USER_CHANNELS, user_id)

    _WHERE_NOW = WHERE_NOW

    async def where_now(self, user_id: str = "") -> GetUserChannelsResponse:
        """Alias of :meth:`get_user_channels` (errors name ``whereNow``).

        Raises:
            RtmError: as :meth:`get_user_channels`.
        """
        return self._engine.op_where_now(self._core, self._WHERE_NOW, user_id)

    async def whereNow(self, user_id: str = "") -> GetUserChannelsResponse:
        """SDK spelling of :meth:`where_now`.

        Raises:
            RtmError: as :meth:`get_user_channels`.
        """
        return self._engine.op_where_now(self._core, self._WHERE_NOW, user_id)

    async def set_state(
        self, channel_name: str, channel_type: str | ChannelType, state: Mapping[str, Any]
    ) -> SetStateResponse:
        """Merge ``state`` into the caller's state in the channel (R-S2..R-S5).

        In a channel the caller is not in, the state is cached and applied when it
        enters (R-S4).

        Raises:
            RtmError: -10021, -10019, -10025, -10008, -13003 (no keys), -13005 (over 32
                keys, also with the old ones), -13004 (cache full, R-S4), -13008 /
                -13006 (bad key), -13009 (value over 16384 bytes); ``operation``
                ``presenceSetState``.
            TypeError: ``state`` is ``None``, or a value JSON cannot carry (R-X3).
        """
        self._engine.op_set_state(self._core, SET_STATE, channel_name, channel_type, state)
        return SetStateResponse(0)

    async def setState(
        self, channel_name: str, channel_type: str | ChannelType, state: Mapping[str, Any]
    ) -> SetStateResponse:
        """SDK spelling of :meth:`set_state`.

        Raises:
            RtmError: as :meth:`set_state`.
        """
        return await self.set_state(channel_name, channel_type, state)

    async def get_state(
        self, user_id: str, channel_name: str, channel_type: str | ChannelType
    ) -> GetStateResponse:
        """``user_id``'s state in the channel (R-Q6); ``""`` means the caller.

        Raises:
            RtmError: -10021, -10019, -10025, -10008, -10006 (``""`` too), -13011 (no
                document of that user while the caller listens there; ``operation``
                ``presenceGetState``).
        """
        return self._engine.op_get_state(self._core, GET_STATE, user_id, channel_name, channel_type)

    async def getState(
        self, user_id: str, channel_name: str, channel_type: str | ChannelType
    ) -> GetStateResponse:
        """SDK spelling of :meth:`get_state`.

        Raises:
            RtmError: as :meth:`get_state`.
        """
        return await self.get_state(user_id, channel_name, channel_type)

    async def remove_state(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        options: Mapping[str, Any] | None = None,
        *,
        states: list[str] | tuple[str, ...] | None = NOT_GIVEN,
    ) -> RemoveStateResponse:
        """Remove the listed keys, or all keys when ``states`` is ``None`` or ``[]`` (R-S2).

        ``options`` is the SDK's ``{"states": [...]}``; ``states=`` is the same as a
        keyword.  On a channel the caller is not in it edits the pre-join cache (R-S4).

        Raises:
            RtmError: -10021, -10019, -10025, -10008, -13010 (duplicate keys), -13005,
                -13008 / -13006 (a bad key); ``operation`` ``presenceRemoveState``.
            TypeError: ``states`` is not a list (R-X3), or given twice.
        """
        self._engine.op_remove_state(
            self._core, REMOVE_STATE, channel_name, channel_type, options, states
        )
        return RemoveStateResponse(0)

    async def removeState(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        options: Mapping[str, Any] | None = None,
    ) -> RemoveStateResponse:
        """SDK spelling of :meth:`remove_state`.

        Raises:
            RtmError: as :meth:`remove_state`.
        """
        return await self.remove_state(channel_name, channel_type, options)


class RTMStreamChannel(TopicCalls):
    """A stream channel handle (the SDK's ``RTMStreamChannel``).

    It survives logout and can join again after a new login (R-L2).
    """

    def __init__(self, engine: Engine, core: ClientCore, channel_name: str) -> None:
        self._engine = engine
        self._core = core
        self._name = channel_name

    @property
    def channel_name(self) -> str:
        """The channel's name."""
        return self._name

    _JOIN = JOIN

    async def join(
        self,
        options: Mapping[str, Any] | None = None,
        *,
        with_presence: bool | None = None,
        be_quiet: bool | None = None,
    ) -> JoinChannelResponse:
        """Join the stream channel (again, R-L1), listening unless ``with_presence=False``.

        ``options`` is the SDK's ``JoinOptions`` dict (``withPresence``, ``beQuiet``,
        ``token``, ``withMetadata``, ``withLock``).

        A join the engine refuses reports the channel's link ``FAILED`` before it raises
        (R-T4), except -10017 (a join already in progress).

        Raises:
            RtmError: -10017, -10021, -10025 (IDLE), -10005 / -10016 (token),
                -11005 (10 stream channels, R-L4; the channel's link goes FAILED),
                -11007 (channel full).
            ConfigError: an option given both in ``options`` and as a keyword.
            TypeError: a token that is neither a string nor falsy nor a list (R-X3).
        """
        opts = _merge_options(
            self._JOIN.operation, options, {"withPresence": with_presence, "beQuiet": be_quiet}
        )
        self._engine.op_join(self._core, self._JOIN, self._name, opts)
        return JoinChannelResponse(0)

    async def leave(self) -> LeaveChannelResponse:
        """Leave the stream channel.

        Raises:
            RtmError: -10025 (IDLE), -11001 when not joined.
        """
        self._engine.op_leave(self._core, LEAVE, self._name)
        return LeaveChannelResponse(0)

    def __repr__(self) -> str:
        return f"<RTMStreamChannel {self._name!r} of {self._core.user_id!r}>"


class RTMClient(PublishCalls):
    """One simulated RTM client (the SDK's ``RTMClient``), made by ``emu.client(...)``."""

    def __init__(self, engine: Engine, core: ClientCore) -> None:
        self._engine = engine
        self._core = core
        #: presence calls (the SDK's ``rtm.presence``)
        self.presence = RTMPresence(engine, core)
        #: message history (the SDK's ``rtm.history``)
        self.history = RTMHistory(engine, core)
        #: channel and user metadata (the SDK's ``rtm.storage``, R-ST1)
        self.storage = RTMStorage(engine, core)
        #: distributed locks (the SDK's ``rtm.lock``, R-LK1)
        self.lock = RTMLock(engine, core)

    @property
    def user_id(self) -> str:
        """The client's user id."""
        return self._core.user_id

    @property
    def config(self) -> RTMConfig:
        """The client's configuration (``RTMConfig``)."""
        return self._core.config

    @property
    def app_id(self) -> str:
        """The client's app id."""
        return self._core.app_id

    @property
    def logged_in(self) -> bool:
        """Whether the client is logged in (a kicked client is not)."""
        return self._core.logged_in

    @property
    def connected(self) -> bool:
        """Whether the client's network is up (see ``emu.disconnect``)."""
        return self._core.connected

    @property
    def link_state(self) -> LinkState:
        """The client's current link state (R-T4)."""
        return self._core.link_state

    _LOGIN = LOGIN

    async def login(
        self, options: Mapping[str, Any] | None = None, *, token: str | None = None
    ) -> LoginResponse:
        """Log in (the SDK's ``LoginOptions``: ``{"token": ...}``; tokens are not checked).

        Logging in again while logged in changes nothing (R-L3).  Another client of the
        same user id and app is kicked (``FAILED`` / ``SAME_UID_LOGIN``, R-T4).

        A login from ``IDLE`` or ``FAILED`` that the engine refuses reports ``FAILED``
        before it raises (R-T4).  Called while the link is ``DISCONNECTED`` /
        ``SUSPENDED`` it waits for the reconnect (R-L3); a ``logout`` meanwhile makes it
        fail with -10023.

        Raises:
            RtmError: -10017 while connecting, -10021, -10005 / -10016 (token), -10023
                (a waiting login cancelled by a logout).
            ConfigError: a key given both ways.
            TypeError: a token that is neither a string nor falsy nor a list (the SDK's
                own ``TypeError``, R-X3).
        """
        opts = _merge_options(self._LOGIN.operation, options, {"token": token})
        result = self._engine.op_login(self._core, self._LOGIN, opts)
        if isinstance(result, LoginWaiter):  # R-L3: the link is down; wait for it
            await settled(result.done)
        return LoginResponse(0)

    _RENEW_TOKEN = RENEW_TOKEN

    async def renew_token(
        self,
        token: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel_name: str | None = None,
    ) -> RenewTokenResponse:
        """Renew the client's token (R-TK2..R-TK4, R-TK26): resolves ``{timestamp: 0}``;
        the same token as the current one resolves at once.  With an app certificate the
        new token is checked and moves the expiry (R-TK24).

        Raises:
            RtmError: -10021, -10025 (IDLE; the link not CONNECTED after the token
                check), -10005 / -10016 (R-TK1), the access point's refusal (-10005,
                -10009, -10015 ``RtmUnauthenticatedError``, R-TK4); with a
                ``channel_name`` (a stream channel's token, R-TK6): -10008 (a bad name,
                or no stream channel of that name created), -11001 (not joined),
                -10005 ``RtmUnavailableError`` (refused, R-TK22).
            ConfigError: a key given both ways.
            TypeError: a token without ``.slice`` (the SDK's own ``TypeError``, R-X3).
        """
        opts = _merge_options(self._RENEW_TOKEN.operation, options, {"channelName": channel_name})
        return self._engine.op_renew_token(self._core, self._RENEW_TOKEN, token, opts)

    async def renewToken(
        self, token: str, options: Mapping[str, Any] | None = None
    ) -> RenewTokenResponse:
        """SDK spelling of :meth:`renew_token`.

        Raises:
            RtmError: as :meth:`renew_token`.
            TypeError: as :meth:`renew_token`.
        """
        return self._engine.op_renew_token(self._core, self._RENEW_TOKEN, token, options)

    _LOGOUT = LOGOUT

    async def logout(self) -> LogoutResponse:
        """Leave every channel, drop all state and the cache (R-L2); always succeeds (R-L3)."""
        return LogoutResponse(self._engine.op_logout(self._core, self._LOGOUT))

    _SUBSCRIBE = SUBSCRIBE

    async def subscribe(
        self,
        channel_name: str,
        options: Mapping[str, Any] | None = None,
        *,
        with_presence: bool | None = None,
        be_quiet: bool | None = None,
        with_message: bool | None = None,
    ) -> SubscribeResponse:
        """Subscribe to a MESSAGE channel (again, R-L1).

        ``options`` is the SDK's ``SubscribeOptions`` dict (``withPresence`` default
        true, ``beQuiet`` default false, ``withMessage`` default true: the channel's
        messages, R-M5; ``withMetadata``, ``withLock``); the keywords are the same in
        Python spelling.

        Raises:
            RtmError: -10021, -10025 (unless it can be queued, R-T3), -10008, -11005
                (50 channels, R-L4), -11021 (channel full).
            ConfigError: an option given both in ``options`` and as a keyword.
        """
        opts = _merge_options(
            self._SUBSCRIBE.operation,
            options,
            {"withPresence": with_presence, "beQuiet": be_quiet, "withMessage": with_message},
        )
        name = self._engine.op_subscribe(self._core, self._SUBSCRIBE, channel_name, opts)
        return SubscribeResponse(name, 0)

    _UNSUBSCRIBE = UNSUBSCRIBE

    async def unsubscribe(self, channel_name: str) -> UnsubscribeResponse:
        """Unsubscribe from a MESSAGE channel; the state there is deleted (R-S1).

        Raises:
            RtmError: -10008 (it resolves when not subscribed, R-L5).
        """
        name = self._engine.op_unsubscribe(self._core, self._UNSUBSCRIBE, channel_name)
        return UnsubscribeResponse(name, 0)

    _CREATE_STREAM_CHANNEL = CREATE_STREAM_CHANNEL

    def create_stream_channel(self, channel_name: str) -> RTMStreamChannel:
        """A handle on a STREAM channel (synchronous; joins nothing).

        Raises:
            RtmError: -10008 for a bad channel name.
        """
        return self._stream(channel_name)

    def createStreamChannel(self, channel_name: str) -> RTMStreamChannel:
        """SDK spelling of :meth:`create_stream_channel`.

        Raises:
            RtmError: -10008 for a bad channel name.
        """
        return self._stream(channel_name)

    def _stream(self, channel_name: object) -> RTMStreamChannel:
        name = check_channel_name(self._CREATE_STREAM_CHANNEL.operation, channel_name)
        self._core.stream_handles.add(name)
        return RTMStreamChannel(self._engine, self._core, name)

    # The listener methods are typed per event name: a ``"presence"`` listener takes a
    # ``PresenceEvent``, a ``"linkState"`` one a ``LinkStateEvent``, a ``"message"`` one a
    # ``MessageEvent``, a ``"topic"`` one a ``TopicEvent``.  Any other name is
    # accepted (R-C5) with a listener that takes any event (``Any`` or ``object``):
    # nothing here says what such an event would be, and a listener typed for one kind
    # under another name is a type error.

    @overload
    def add_event_listener(
        self, event_name: Literal["presence"], listener: Callable[[PresenceEvent], object]
    ) -> None: ...
    @overload
    def add_event_listener(
        self, event_name: Literal["linkState"], listener: Callable[[LinkStateEvent], object]
    ) -> None: ...
    @overload
    def add_event_listener(
        self, event_name: Literal["message"], listener: Callable[[MessageEvent], object]
    ) -> None: ...
    @overload
    def add_event_listener(
        self, event_name: Literal["topic"], listener: Callable[[TopicEvent], object]
    ) -> None: ...
    @overload
    def add_event_listener(
        self, event_name: Literal["storage"], listener: Callable[[StorageEvent], object]
    ) -> None: ...
    @overload
    def add_event_listener(
        self, event_name: Literal["lock"], listener: Callable[[LockEvent], object]
    ) -> None: ...
    @overload
    def add_event_listener(
        self, event_name: Literal["token"], listener: Callable[[TokenEvent], object]
    ) -> None: ...
    @overload
    def add_event_listener(
        self, event_name: Literal["tokenPrivilegeWillExpire"], listener: Callable[[str], object]
    ) -> None: ...
    @overload
    def add_event_listener(self, event_name: str, listener: Callable[[object], object]) -> None: ...
    def add_event_listener(self, event_name: str, listener: Callable[[Any], object]) -> None:
        """Call ``listener(event)`` for every ``"presence"``, ``"linkState"``,
        ``"message"``, ``"topic"``, ``"storage"`` (a ``StorageEvent``), ``"lock"`` (a
        ``LockEvent``), ``"token"`` (a ``TokenEvent``) or ``"tokenPrivilegeWillExpire"``
        (a channel name) event.

        The SDK's other event names are accepted (nothing fires them here).  For type
        checkers, a ``"presence"`` listener takes a ``PresenceEvent``, a ``"linkState"``
        one a ``LinkStateEvent``, a ``"message"`` one a ``MessageEvent``, a ``"topic"``
        one a ``TopicEvent``, and one of any other name must accept any object.

        Any event name is accepted (R-C5): a ``str`` subclass is read as its characters;
        anything else is converted with ``str()`` (as JS converts a property key), so
        what its own ``__str__`` raises propagates (and nothing is added).

        Raises:
            TypeError: ``listener`` is not callable.
        """
        self._engine.add_listener(self._core, _event_name(event_name), listener)

    @overload
    def addEventListener(
        self, event_name: Literal["presence"], listener: Callable[[PresenceEvent], object]
    ) -> None: ...
    @overload
    def addEventListener(
        self, event_name: Literal["linkState"], listener: Callable[[LinkStateEvent], object]
    ) -> None: ...
    @overload
    def addEventListener(
        self, event_name: Literal["message"], listener: Callable[[MessageEvent], object]
    ) -> None: ...
    @overload
    def addEventListener(
        self, event_name: Literal["topic"], listener: Callable[[TopicEvent], object]
    ) -> None: ...
    @overload
    def addEventListener(
        self, event_name: Literal["storage"], listener: Callable[[StorageEvent], object]
    ) -> None: ...
    @overload
    def addEventListener(
        self, event_name: Literal["lock"], listener: Callable[[LockEvent], object]
    ) -> None: ...
    @overload
    def addEventListener(self, event_name: str, listener: Callable[[object], object]) -> None: ...
    def addEventListener(self, event_name: str, listener: Callable[[Any], object]) -> None:
        """SDK spelling of :meth:`add_event_listener` (typed the same way).

        Raises:
            TypeError: as :meth:`add_event_listener`.
        """
        self._engine.add_listener(self._core, _event_name(event_name), listener)

    @overload
    def remove_event_listener(
        self, event_name: Literal["presence"], listener: Callable[[PresenceEvent], object]
    ) -> None: ...
    @overload
    def remove_event_listener(
        self, event_name: Literal["linkState"], listener: Callable[[LinkStateEvent], object]
    ) -> None: ...
    @overload
    def remove_event_listener(
        self, event_name: Literal["message"], listener: Callable[[MessageEvent], object]
    ) -> None: ...
    @overload
    def remove_event_listener(
        self, event_name: Literal["topic"], listener: Callable[[TopicEvent], object]
    ) -> None: ...
    @overload
    def remove_event_listener(
        self, event_name: str, listener: Callable[[object], object]
    ) -> None: ...
    def remove_event_listener(self, event_name: str, listener: Callable[[Any], object]) -> None:
        """Remove a listener added before (the most recent registration of it).

        Typed as :meth:`add_event_listener`, and takes event names as it does (what a
        non-``str`` name's own ``__str__`` raises propagates).  Otherwise never raises:
        removing a listener that is not registered (or not callable) does nothing.
        """
        self._engine.remove_listener(self._core, _event_name(event_name), listener)

    @overload
    def removeEventListener(
        self, event_name: Literal["presence"], listener: Callable[[PresenceEvent], object]
    ) -> None: ...
    @overload
    def removeEventListener(
        self, event_name: Literal["linkState"], listener: Callable[[LinkStateEvent], object]
    ) -> None: ...
    @overload
    def removeEventListener(
        self, event_name: Literal["message"], listener: Callable[[MessageEvent], object]
    ) -> None: ...
    @overload
    def removeEventListener(
        self, event_name: Literal["topic"], listener: Callable[[TopicEvent], object]
    ) -> None: ...
    @overload
    def removeEventListener(
        self, event_name: str, listener: Callable[[object], object]
    ) -> None: ...
    def removeEventListener(self, event_name: str, listener: Callable[[Any], object]) -> None:
        """SDK spelling of :meth:`remove_event_listener` (typed the same way)."""
        self._engine.remove_listener(self._core, _event_name(event_name), listener)

    def __repr__(self) -> str:
        core = self._core
        return (
            f"<RTMClient {core.user_id!r} app={core.app_id!r} link={core.link_state.value} "
            f"connected={core.connected}>"
        )
