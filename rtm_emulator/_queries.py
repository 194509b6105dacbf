"""The SDK's presence queries: whoNow, whereNow, getState (R-Q1..R-Q7; R-E8's registry answer).

``whoNow`` / ``getOnlineUsers`` answers a listening caller from its replica (R-Q2),
anyone else from the server, in pages of ``announce_max`` users after the last user id
of the page before (R-Q3, the page token JavaScript's base64 of it); count only with
``includedUserId: false`` (R-Q4); during a presence outage a listener that fell back to
the member registry answers from it (R-E8).  ``whereNow`` / ``getUserChannels`` lists
the channels where a user is visible (R-Q5); ``getState`` has three routes (R-Q6).
Every response's ``timestamp`` is 0 except the registry's (R-Q7).  The order of the
checks is R-X1's (``_checks``); queries change nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._checks import rate, require_link
from ._clock import FakeClock
from ._config import EmulatorConfig
from ._errors import ErrorCode, RtmError
from ._ids import check_channel_name, check_channel_type, check_user_id
from ._js import atob, btoa, plain
from ._server import Server
from ._session import ChannelKey, ClientCore
from ._surface import Operation
from ._types import (
    ChannelType,
    GetOnlineUsersResponse,
    GetStateResponse,
    GetUserChannelsResponse,
    LinkState,
    StateMap,
    UserState,
)
from ._validate import js_truthy, plain_value

__all__ = ["Queries"]


def _text(value: object) -> str | None:
    """``value`` as a plain ``str`` (its own ``__eq__`` never asked), ``None`` if not one."""
    return plain(value) if isinstance(value, str) else None


class Queries:
    """whoNow / getOnlineUsers, whereNow / getUserChannels and getState."""

    __slots__ = ("_clock", "_config", "_server")

    def __init__(self, config: EmulatorConfig, clock: FakeClock, server: Server) -> None:
        self._config = config
        self._clock = clock
        self._server = server

    def op_who_now(
        self,
        core: ClientCore,
        row: Operation,
        channel_name: object,
        channel_type: object,
        options: object,
    ) -> GetOnlineUsersResponse:
        """``whoNow`` / ``getOnlineUsers`` (R-Q1..R-Q4, R-Q7; R-E8's registry answer).

        Raises:
            RtmError: -10021, -10019, -10025, -10008, -13003.
            SdkInvalidCharacterError: (a ``ValueError``) for a ``page`` that is not base64.
        """
        try:
            return self._who_now(core, row, channel_name, channel_type, options)
        except RtmError as error:
            error.operation = row.operation  # getOnlineUsers renames every error it passes on
            raise

    def _who_now(
        self,
        core: ClientCore,
        row: Operation,
        channel_name: object,
        channel_type: object,
        options: object,
    ) -> GetOnlineUsersResponse:
        operation = row.operation
        rate(core, row, self._clock)
        ctype = check_channel_type(operation, channel_type)
        require_link(core, operation, connected=True)
        name = check_channel_name(operation, channel_name)
        opts: Mapping[str, Any] = options if isinstance(options, Mapping) else {}
        ids = opts.get("includedUserId") is not False
        with_states = opts.get("includedState") is True
        page = plain_value(opts.get("page"))
        if not ids and with_states:
            raise RtmError.sdk(
                operation,
                ErrorCode.PRESENCE_INVALID_ARGUMENT,
                suffix="include uid is false but include state is true",
                detail="includedState=True needs includedUserId",
            )
        key: ChannelKey = (ctype, name)
        room = self._server.room((core.app_id, *key))
        entered = core.entered.get(key)
        if ctype is ChannelType.MESSAGE and room is not None and room.views.in_fallback(core):
            users = [UserState(u) for u, o in sorted(room.members.items()) if not o.be_quiet]
            return GetOnlineUsersResponse(
                len(users), tuple(users) if ids else (), "", self._clock.now_ms
            )
        if entered is not None and entered.with_presence:  # R-Q2: the local replica
            if room is None:
                return GetOnlineUsersResponse(0, (), "", 0)
            docs = room.docs
            if not ids:
                return GetOnlineUsersResponse(len(docs), (), "", 0)
            shown, _, _ = docs.page(None, len(docs), with_states)
            return GetOnlineUsersResponse(len(docs), tuple(shown), "", 0)
        total = len(room.docs) if room is not None else 0
        if not ids:  # count only: the page is ignored (R-Q4)
            return GetOnlineUsersResponse(total, (), "", 0)
        after = atob(page) if js_truthy(page) else None  # R-Q3
        if room is None:
            return GetOnlineUsersResponse(0, (), "", 0)
        shown, last, more = room.docs.page(after, self._config.announce_max, with_states)
        return GetOnlineUsersResponse(total, tuple(shown), btoa(last) if more else "", 0)

    def op_where_now(
        self, core: ClientCore, row: Operation, user_id: object
    ) -> GetUserChannelsResponse:
        """``whereNow`` / ``getUserChannels`` (R-Q5): ``""`` is the caller.

        Raises:
            RtmError: -10021, -10025, -10006.
        """
        operation = row.operation
        try:
            rate(core, row, self._clock)
            require_link(core, operation, connected=True)
            # the caller for "" (a str subclass is read as its characters, never asked)
            uid = core.user_id if _text(user_id) == "" else check_user_id(operation, user_id)
        except RtmError as error:
            error.operation = operation  # getUserChannels renames every error it passes on
            raise
        channels = self._server.channels_of(core.app_id, uid)
        return GetUserChannelsResponse(len(channels), channels, 0)

    def op_get_state(
        self,
        core: ClientCore,
        row: Operation,
        user_id: object,
        channel_name: object,
        channel_type: object,
    ) -> GetStateResponse:
        """``getState`` (R-Q6): its three routes.

        Raises:
            RtmError: -10021, -10019, -10025, -10008, -10006, -13011.
        """
        operation = row.operation
        rate(core, row, self._clock)
        ctype = check_channel_type(operation, channel_type)
        own = _text(user_id) == core.user_id
        if not own and core.link_state is LinkState.FAILED:
            raise RtmError.sdk(operation, ErrorCode.NOT_CONNECTED, detail="the link is FAILED")
        require_link(core, operation, connected=not own)
        name = check_channel_name(operation, channel_name)
        uid = check_user_id(operation, user_id)
        key: ChannelKey = (ctype, name)
        if own:
            return GetStateResponse(uid, core.cache.get(key, StateMap()), 0)
        doc = self._server.document(core.app_id, key, uid)
        entered = core.entered.get(key)
        if entered is not None and entered.with_presence and doc is None:
            raise RtmError.sdk(
                operation,
                ErrorCode.PRESENCE_USER_NOT_EXIST,
                detail=f"user {uid!r} has no document in {ctype.value} channel {name!r}",
            )
        return GetStateResponse(uid, doc.states if doc is not None else StateMap(), 0)
