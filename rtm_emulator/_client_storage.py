"""The SDK-shaped client's storage calls: ``rtm.storage`` (R-ST1..R-ST20).

Part of the adapter of ``client.py``: :class:`RTMStorage` is ``rtm.storage``.  Every
method translates its arguments (snake_case keywords or the SDK's option dicts) and
calls the engine (``_storage``); both spellings share one implementation; a call's
``storage`` events reach the listeners before its awaitable returns (R-E9).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._client_messaging import merge_options
from ._session import ClientCore
from ._storage_types import (
    GetChannelMetadataResponse,
    GetUserMetadataResponse,
    RemoveChannelMetadataResponse,
    SetChannelMetadataResponse,
    UpdateChannelMetadataResponse,
    UserMetadataResponse,
    UserMetadataSubscriptionResponse,
)
from ._surface import (
    GET_CHANNEL_METADATA,
    GET_USER_METADATA,
    REMOVE_CHANNEL_METADATA,
    REMOVE_USER_METADATA,
    SET_CHANNEL_METADATA,
    SET_USER_METADATA,
    SUBSCRIBE_USER_METADATA,
    UNSUBSCRIBE_USER_METADATA,
    UPDATE_CHANNEL_METADATA,
    UPDATE_USER_METADATA,
)
from ._types import ChannelType

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["RTMStorage"]


class RTMStorage:
    """Channel and user metadata of one client (the SDK's ``rtm.storage``)."""

    def __init__(self, engine: Engine, core: ClientCore) -> None:
        self._engine = engine
        self._core = core

    _SET_CHANNEL_METADATA = SET_CHANNEL_METADATA

    async def set_channel_metadata(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        data: Sequence[Mapping[str, Any]],
        options: Mapping[str, Any] | None = None,
        *,
        major_revision: int | None = None,
        add_time_stamp: bool | None = None,
        add_user_id: bool | None = None,
        lock_name: str | None = None,
    ) -> SetChannelMetadataResponse:
        """Set (upsert) items of a channel's metadata (R-ST3..R-ST7, R-ST9; D-ST2..D-ST6).

        ``data`` is the SDK's list of ``{"key", "value", "revision"}`` items; ``options``
        the SDK's ``{"majorRevision", "lockName", "addTimeStamp", "addUserId"}`` (the
        keywords are the same in Python spelling).  The channel's ``withMetadata``
        subscribers hear an ``UPDATE`` before the call returns.

        Raises:
            RtmError: -10021 (``channelMetaModify``), -10019, -10025, -12019, -10008, -12007,
                -12008, -12009 / -12005 (``operation`` ``"storage"``), -12002, -12003,
                -12005, -12009, -12011, -12010, -12012, -12006, -12014, -12001.
            SdkTypeError: ``data`` that is not a list, a ``None`` item.
            ConfigError: an option given both in ``options`` and as a keyword.
        """
        row = self._SET_CHANNEL_METADATA
        opts = merge_options(
            row.operation,
            options,
            {
                "majorRevision": major_revision,
                "addTimeStamp": add_time_stamp,
                "addUserId": add_user_id,
                "lockName": lock_name,
            },
        )
        return self._engine.op_set_channel_metadata(
            self._core, row, channel_name, channel_type, data, opts
        )

    async def setChannelMetadata(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        data: Sequence[Mapping[str, Any]],
        options: Mapping[str, Any] | None = None,
    ) -> SetChannelMetadataResponse:
        """SDK spelling of :meth:`set_channel_metadata`.

        Raises:
            RtmError: as :meth:`set_channel_metadata`.
        """
        return self._engine.op_set_channel_metadata(
            self._core, self._SET_CHANNEL_METADATA, channel_name, channel_type, data, options
        )

    _UPDATE_CHANNEL_METADATA = UPDATE_CHANNEL_METADATA

    async def update_channel_metadata(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        data: Sequence[Mapping[str, Any]],
        options: Mapping[str, Any] | None = None,
        *,
        major_revision: int | None = None,
        add_time_stamp: bool | None = None,
        add_user_id: bool | None = None,
        lock_name: str | None = None,
    ) -> UpdateChannelMetadataResponse:
        """Update existing items of a channel's metadata; an absent key fails the whole call
        with -12014 (R-ST7, D-ST3).

        Raises:
            RtmError: as :meth:`set_channel_metadata`.
            SdkTypeError: as :meth:`set_channel_metadata`.
            ConfigError: an option given both in ``options`` and as a keyword.
        """
        row = self._UPDATE_CHANNEL_METADATA
        opts = merge_options(
            row.operation,
            options,
            {
                "majorRevision": major_revision,
                "addTimeStamp": add_time_stamp,
                "addUserId": add_user_id,
                "lockName": lock_name,
            },
        )
        return self._engine.op_update_channel_metadata(
            self._core, row, channel_name, channel_type, data, opts
        )

    async def updateChannelMetadata(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        data: Sequence[Mapping[str, Any]],
        options: Mapping[str, Any] | None = None,
    ) -> UpdateChannelMetadataResponse:
        """SDK spelling of :meth:`update_channel_metadata`.

        Raises:
            RtmError: as :meth:`update_channel_metadata`.
        """
        return self._engine.op_update_channel_metadata(
            self._core, self._UPDATE_CHANNEL_METADATA, channel_name, channel_type, data, options
        )

    _REMOVE_CHANNEL_METADATA = REMOVE_CHANNEL_METADATA

    async def remove_channel_metadata(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        options: Mapping[str, Any] | None = None,
        *,
        data: Sequence[Mapping[str, Any]] | None = None,
        major_revision: int | None = None,
        add_time_stamp: bool | None = None,
        add_user_id: bool | None = None,
        lock_name: str | None = None,
    ) -> RemoveChannelMetadataResponse:
        """Remove the items ``options.data`` names, or every item when it names none (R-ST7).

        Raises:
            RtmError: as :meth:`set_channel_metadata` (values are not checked).
            SdkTypeError: ``data`` that is not a list.
            ConfigError: an option given both in ``options`` and as a keyword.
        """
        row = self._REMOVE_CHANNEL_METADATA
        opts = merge_options(
            row.operation,
            options,
            {
                "data": data,
                "majorRevision": major_revision,
                "addTimeStamp": add_time_stamp,
                "addUserId": add_user_id,
                "lockName": lock_name,
            },
        )
        return self._engine.op_remove_channel_metadata(
            self._core, row, channel_name, channel_type, opts
        )

    async def removeChannelMetadata(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        options: Mapping[str, Any] | None = None,
    ) -> RemoveChannelMetadataResponse:
        """SDK spelling of :meth:`remove_channel_metadata`.

        Raises:
            RtmError: as :meth:`remove_channel_metadata`.
        """
        return self._engine.op_remove_channel_metadata(
            self._core, self._REMOVE_CHANNEL_METADATA, channel_name, channel_type, options
        )

    _SET_USER_METADATA = SET_USER_METADATA

    async def set_user_metadata(
        self,
        data: Sequence[Mapping[str, Any]],
        options: Mapping[str, Any] | None = None,
        *,
        major_revision: int | None = None,
        add_time_stamp: bool | None = None,
        add_user_id: bool | None = None,
        user_id: str | None = None,
    ) -> UserMetadataResponse:
        """Set items of the caller's (or ``userId``'s) metadata (R-ST8; D-ST7: any user's).

        Raises:
            RtmError: -10021 (``userMetaModify``), -10025, -12019, -10006, then as
                :meth:`set_channel_metadata` without the lock codes.
            SdkTypeError: as :meth:`set_channel_metadata`.
            ConfigError: an option given both in ``options`` and as a keyword.
        """
        row = self._SET_USER_METADATA
        opts = merge_options(
            row.operation,
            options,
            {
                "majorRevision": major_revision,
                "addTimeStamp": add_time_stamp,
                "addUserId": add_user_id,
                "userId": user_id,
            },
        )
        return self._engine.op_set_user_metadata(self._core, row, data, opts)

    async def setUserMetadata(
        self,
        data: Sequence[Mapping[str, Any]],
        options: Mapping[str, Any] | None = None,
    ) -> UserMetadataResponse:
        """SDK spelling of :meth:`set_user_metadata`.

        Raises:
            RtmError: as :meth:`set_user_metadata`.
        """
        return self._engine.op_set_user_metadata(self._core, self._SET_USER_METADATA, data, options)

    _UPDATE_USER_METADATA = UPDATE_USER_METADATA

    async def update_user_metadata(
        self,
        data: Sequence[Mapping[str, Any]],
        options: Mapping[str, Any] | None = None,
        *,
        major_revision: int | None = None,
        add_time_stamp: bool | None = None,
        add_user_id: bool | None = None,
        user_id: str | None = None,
    ) -> UserMetadataResponse:
        """Update existing items of a user's metadata (R-ST8, D-ST3).

        Raises:
            RtmError: as :meth:`set_user_metadata`.
            SdkTypeError: as :meth:`set_user_metadata`.
            ConfigError: an option given both in ``options`` and as a keyword.
        """
        row = self._UPDATE_USER_METADATA
        opts = merge_options(
            row.operation,
            options,
            {
                "majorRevision": major_revision,
                "addTimeStamp": add_time_stamp,
                "addUserId": add_user_id,
                "userId": user_id,
            },
        )
        return self._engine.op_update_user_metadata(self._core, row, data, opts)

    async def updateUserMetadata(
        self,
        data: Sequence[Mapping[str, Any]],
        options: Mapping[str, Any] | None = None,
    ) -> UserMetadataResponse:
        """SDK spelling of :meth:`update_user_metadata`.

        Raises:
            RtmError: as :meth:`update_user_metadata`.
        """
        return self._engine.op_update_user_metadata(
            self._core, self._UPDATE_USER_METADATA, data, options
        )

    _REMOVE_USER_METADATA = REMOVE_USER_METADATA

    async def remove_user_metadata(
        self,
        options: Mapping[str, Any] | None = None,
        *,
        data: Sequence[Mapping[str, Any]] | None = None,
        major_revision: int | None = None,
        add_time_stamp: bool | None = None,
        add_user_id: bool | None = None,
        user_id: str | None = None,
    ) -> UserMetadataResponse:
        """Remove items of a user's metadata, or all of them (R-ST8).

        Raises:
            RtmError: as :meth:`set_user_metadata` (values are not checked).
            SdkTypeError: ``data`` that is not a list.
            ConfigError: an option given both in ``options`` and as a keyword.
        """
        row = self._REMOVE_USER_METADATA
        opts = merge_options(
            row.operation,
            options,
            {
                "data": data,
                "majorRevision": major_revision,
                "addTimeStamp": add_time_stamp,
                "addUserId": add_user_id,
                "userId": user_id,
            },
        )
        return self._engine.op_remove_user_metadata(self._core, row, opts)

    async def removeUserMetadata(
        self,
        options: Mapping[str, Any] | None = None,
    ) -> UserMetadataResponse:
        """SDK spelling of :meth:`remove_user_metadata`.

        Raises:
            RtmError: as :meth:`remove_user_metadata`.
        """
        return self._engine.op_remove_user_metadata(self._core, self._REMOVE_USER_METADATA, options)

    _GET_USER_METADATA = GET_USER_METADATA

    async def get_user_metadata(
        self,
        options: Mapping[str, Any] | None = None,
        *,
        user_id: str | None = None,
    ) -> GetUserMetadataResponse:
        """The caller's (or ``userId``'s) metadata (R-ST8, R-ST10).

        Raises:
            RtmError: -10021 (``userMetaGet``), -10025, -12019, -10006, a reply fault.
            ConfigError: ``user_id`` given both in ``options`` and as a keyword.
        """
        row = self._GET_USER_METADATA
        opts = merge_options(row.operation, options, {"userId": user_id})
        return self._engine.op_get_user_metadata(self._core, row, opts)

    async def getUserMetadata(
        self,
        options: Mapping[str, Any] | None = None,
    ) -> GetUserMetadataResponse:
        """SDK spelling of :meth:`get_user_metadata`.

        Raises:
            RtmError: as :meth:`get_user_metadata`.
        """
        return self._engine.op_get_user_metadata(self._core, self._GET_USER_METADATA, options)

    _GET_CHANNEL_METADATA = GET_CHANNEL_METADATA

    async def get_channel_metadata(
        self, channel_name: str, channel_type: str | ChannelType
    ) -> GetChannelMetadataResponse:
        """A channel's metadata (R-ST10; D-ST7: no subscription or membership needed).

        Raises:
            RtmError: -10021 (``channelMetaGet``), -10019, -10025, -12019, -10008, a
                reply fault (R-ST11).
        """
        return self._engine.op_get_channel_metadata(
            self._core, self._GET_CHANNEL_METADATA, channel_name, channel_type
        )

    async def getChannelMetadata(
        self, channel_name: str, channel_type: str | ChannelType
    ) -> GetChannelMetadataResponse:
        """SDK spelling of :meth:`get_channel_metadata`.

        Raises:
            RtmError: as :meth:`get_channel_metadata`.
        """
        return await self.get_channel_metadata(channel_name, channel_type)

    _SUBSCRIBE_USER_METADATA = SUBSCRIBE_USER_METADATA

    async def subscribe_user_metadata(self, user_id: str) -> UserMetadataSubscriptionResponse:
        """Hear ``user_id``'s metadata: a ``SNAPSHOT`` ``storage`` event now, an
        ``UPDATE`` after each change (R-ST13, R-ST16..R-ST18).  Subscribing again
        resolves and sends nothing.

        Raises:
            RtmError: -10021 (``userMetaSub``), -10025, -12019, -10006, -12017 (50 users),
                a reply fault (R-ST13).
        """
        return self._engine.op_subscribe_user_metadata(
            self._core, self._SUBSCRIBE_USER_METADATA, user_id
        )

    async def subscribeUserMetadata(self, user_id: str) -> UserMetadataSubscriptionResponse:
        """SDK spelling of :meth:`subscribe_user_metadata`.

        Raises:
            RtmError: as :meth:`subscribe_user_metadata`.
        """
        return await self.subscribe_user_metadata(user_id)

    _UNSUBSCRIBE_USER_METADATA = UNSUBSCRIBE_USER_METADATA

    async def unsubscribe_user_metadata(self, user_id: str) -> UserMetadataSubscriptionResponse:
        """Stop hearing ``user_id``'s metadata (R-ST14; works while the link is down).

        Raises:
            RtmError: -10025 (IDLE), -12019, -10006, -12015 (not subscribed).
        """
        return self._engine.op_unsubscribe_user_metadata(
            self._core, self._UNSUBSCRIBE_USER_METADATA, user_id
        )

    async def unsubscribeUserMetadata(self, user_id: str) -> UserMetadataSubscriptionResponse:
        """SDK spelling of :meth:`unsubscribe_user_metadata`.

        Raises:
            RtmError: as :meth:`unsubscribe_user_metadata`.
        """
        return await self.unsubscribe_user_metadata(user_id)

    def __repr__(self) -> str:
        return f"<RTMStorage of {self._core.user_id!r}>"
