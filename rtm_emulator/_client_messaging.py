"""The SDK-shaped client's messaging calls: ``publish``, ``rtm.history``, topic calls.

Part of the adapter of ``client.py`` (kept apart so that each module stays small):
:class:`PublishCalls` is mixed into ``RTMClient``, :class:`TopicCalls` into
``RTMStreamChannel``, and :class:`RTMHistory` is ``rtm.history``.  As there, every
method translates its arguments (snake_case keywords or the SDK's option dicts) and
calls the engine, and both spellings of a method share one implementation; a call's
events reach the listeners before its awaitable returns (R-E9).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._errors import ConfigError, RtmError
from ._ids import show
from ._message_types import (
    GetMessagesResponse,
    GetSubscribedUserListResponse,
    JoinTopicResponse,
    LeaveTopicResponse,
    PublishResponse,
    PublishTopicMessageResponse,
    SubscribeTopicResponse,
    UnsubscribeTopicResponse,
)
from ._session import ClientCore
from ._surface import (
    GET_MESSAGES,
    GET_SUBSCRIBED_USER_LIST,
    JOIN_TOPIC,
    LEAVE_TOPIC,
    PUBLISH,
    PUBLISH_TOPIC_MESSAGE,
    SUBSCRIBE_TOPIC,
    UNSUBSCRIBE_TOPIC,
)
from ._types import ChannelType

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["PublishCalls", "RTMHistory", "TopicCalls", "merge_options"]

#: A message: text, or bytes (``bytearray`` and a ``memoryview`` of bytes are accepted).
Message = str | bytes | bytearray | memoryview


def merge_options(operation: str, options: object, keywords: Mapping[str, object]) -> object:
    """Fold snake_case keywords into the SDK options object (``None`` keywords are left
    out; options that are not a mapping are passed on as they are).

    Raises:
        ConfigError: (a ``ValueError``) when a key is given both ways.
    """
    given = {key: value for key, value in keywords.items() if value is not None}
    if not given or options is None:
        return given or options
    if not isinstance(options, Mapping):
        return options  # the engine rejects or ignores it as the SDK does
    for key in given:
        if key in options:
            raise ConfigError.bad(
                operation, f"option {key!r} given twice: in {show(options)} and as a keyword"
            )
    return {**options, **given}


async def settled(done: list[Callable[[RtmError | None], None]]) -> None:
    """Wait until the engine settles a waiting call (it calls each of ``done`` with
    ``None`` or the call's error): a ``login`` waiting for the link (R-L3), an
    ``acquireLock`` with retry waiting for the lock (D-LK4).

    Raises:
        RtmError: the error the call was settled with.
    """
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def settle(error: RtmError | None) -> None:
        if not future.done():
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

    done.append(settle)
    await future


class RTMHistory:
    """Message history of one client (the SDK's ``rtm.history``, R-M10, R-M11)."""

    def __init__(self, engine: Engine, core: ClientCore) -> None:
        self._engine = engine
        self._core = core

    _GET_MESSAGES = GET_MESSAGES

    async def get_messages(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        options: Mapping[str, Any] | None = None,
        *,
        message_count: int | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> GetMessagesResponse:
        """Stored messages of a channel (``"MESSAGE"``) or of one's own conversations
        (``"USER"`` with one's own user id), newest first (R-M10, R-M11).

        ``options`` is the SDK's ``{"messageCount", "start", "end"}``: at most
        ``messageCount`` (default and most 100) messages older than ``start`` and not
        older than ``end`` (ms; 0 or absent: no bound).  The keywords are the same in
        Python spelling.

        Raises:
            RtmError: -10021, -10019, -10025, -15005 (history off), -10008, -15004
                (another user's history), -15002 (bad start/end).
            ConfigError: an option given both in ``options`` and as a keyword.
        """
        row = self._GET_MESSAGES
        opts = merge_options(
            row.operation, options, {"messageCount": message_count, "start": start, "end": end}
        )
        return self._engine.op_get_messages(self._core, row, channel_name, channel_type, opts)

    async def getMessages(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        options: Mapping[str, Any] | None = None,
    ) -> GetMessagesResponse:
        """SDK spelling of :meth:`get_messages`.

        Raises:
            RtmError: as :meth:`get_messages`.
        """
        return self._engine.op_get_messages(
            self._core, self._GET_MESSAGES, channel_name, channel_type, options
        )

    def __repr__(self) -> str:
        return f"<RTMHistory of {self._core.user_id!r}>"


class PublishCalls:
    """``RTMClient.publish`` (a mixin: the client has ``_engine`` and ``_core``)."""

    _engine: Engine
    _core: ClientCore

    _PUBLISH = PUBLISH

    async def publish(
        self,
        channel_name: str,
        message: Message,
        options: Mapping[str, Any] | None = None,
        *,
        channel_type: str | None = None,
        custom_type: str | None = None,
        store_in_history: bool | None = None,
    ) -> PublishResponse:
        """Publish a text or binary message to a MESSAGE channel, or to a user with
        ``channel_type="USER"`` (R-M1..R-M4, R-M9).

        ``options`` is the SDK's ``PublishOptions`` dict (``channelType``, ``customType``,
        ``storeInHistory``); the keywords are the same in Python spelling.  The
        subscribers with ``withMessage`` get a ``message`` event before the call returns,
        the publisher too when it is one (R-M9); a user message reaches that user's
        logged-in client.

        Raises:
            RtmError: -10021, -10019, -10025, -10008, -11009 (not a non-empty string or
                bytes), -11010 (too long), -11029 / -11030 (custom type), -15005
                (``storeInHistory`` while history is off), -11033 (the user is offline).
            ConfigError: an option given both in ``options`` and as a keyword.
        """
        row = self._PUBLISH
        opts = merge_options(
            row.operation,
            options,
            {
                "channelType": channel_type,
                "customType": custom_type,
                "storeInHistory": store_in_history,
            },
        )
        return self._engine.op_publish(self._core, row, channel_name, message, opts)


class TopicCalls:
    """A stream channel handle's topic calls (a mixin: the handle has ``_engine``,
    ``_core`` and ``_name``; R-M12..R-M18)."""

    _engine: Engine
    _core: ClientCore
    _name: str

    _JOIN_TOPIC = JOIN_TOPIC

    async def join_topic(
        self, topic_name: str, options: Mapping[str, Any] | None = None
    ) -> JoinTopicResponse:
        """Join (publish) a topic; the channel's other members get a ``REMOTE_JOIN``
        ``topic`` event (R-M13, R-M20).  ``options`` (``{"meta": ...}``) is ignored, as
        the SDK ignores it.

        Raises:
            RtmError: -10021, -10025, -11008 (topic name), -11001 (not joined), -11014
                (8 topics).
        """
        return self._engine.op_join_topic(
            self._core, self._JOIN_TOPIC, self._name, topic_name, options
        )

    async def joinTopic(
        self, topic_name: str, options: Mapping[str, Any] | None = None
    ) -> JoinTopicResponse:
        """SDK spelling of :meth:`join_topic`.

        Raises:
            RtmError: as :meth:`join_topic`.
        """
        return await self.join_topic(topic_name, options)

    _LEAVE_TOPIC = LEAVE_TOPIC

    async def leave_topic(self, topic_name: str) -> LeaveTopicResponse:
        """Leave a topic; the others get a ``REMOTE_LEAVE`` (R-M14, R-M20).

        Raises:
            RtmError: -10025, -11008, -11001, -11016 (not joined).
        """
        return self._engine.op_leave_topic(self._core, self._LEAVE_TOPIC, self._name, topic_name)

    async def leaveTopic(self, topic_name: str) -> LeaveTopicResponse:
        """SDK spelling of :meth:`leave_topic`.

        Raises:
            RtmError: as :meth:`leave_topic`.
        """
        return await self.leave_topic(topic_name)

    _SUBSCRIBE_TOPIC = SUBSCRIBE_TOPIC

    async def subscribe_topic(
        self,
        topic_name: str,
        options: Mapping[str, Any] | None = None,
        *,
        users: Sequence[str] | None = None,
    ) -> SubscribeTopicResponse:
        """Subscribe the topic's publishers (all, or the listed ``users``; listed users
        not publishing it yet are pre-subscribed), R-M15.

        Raises:
            RtmError: -10021, -10025, -11008, -11001, -11014, -11003 (64 users), -11017
                (unknown topic and no users).
            TypeError: a ``users`` that is not a list (the SDK's own, R-X3).
            ConfigError: ``users`` given both in ``options`` and as a keyword.
        """
        row = self._SUBSCRIBE_TOPIC
        opts = merge_options(row.operation, options, {"users": users})
        return self._engine.op_subscribe_topic(self._core, row, self._name, topic_name, opts)

    async def subscribeTopic(
        self, topic_name: str, options: Mapping[str, Any] | None = None
    ) -> SubscribeTopicResponse:
        """SDK spelling of :meth:`subscribe_topic`.

        Raises:
            RtmError: as :meth:`subscribe_topic`.
        """
        return self._engine.op_subscribe_topic(
            self._core, self._SUBSCRIBE_TOPIC, self._name, topic_name, options
        )

    _UNSUBSCRIBE_TOPIC = UNSUBSCRIBE_TOPIC

    async def unsubscribe_topic(
        self,
        topic_name: str,
        options: Mapping[str, Any] | None = None,
        *,
        users: Sequence[str] | None = None,
    ) -> UnsubscribeTopicResponse:
        """Unsubscribe (or drop the pre-subscription of) the listed users, or all, R-M16.

        Raises:
            RtmError: -10025, -11008, -11001, -11013 (no user subscribed in the topic).
            TypeError: a ``users`` that is not a list (R-X3).
            ConfigError: ``users`` given both in ``options`` and as a keyword.
        """
        row = self._UNSUBSCRIBE_TOPIC
        opts = merge_options(row.operation, options, {"users": users})
        return self._engine.op_unsubscribe_topic(self._core, row, self._name, topic_name, opts)

    async def unsubscribeTopic(
        self, topic_name: str, options: Mapping[str, Any] | None = None
    ) -> UnsubscribeTopicResponse:
        """SDK spelling of :meth:`unsubscribe_topic`.

        Raises:
            RtmError: as :meth:`unsubscribe_topic`.
        """
        return self._engine.op_unsubscribe_topic(
            self._core, self._UNSUBSCRIBE_TOPIC, self._name, topic_name, options
        )

    _PUBLISH_TOPIC_MESSAGE = PUBLISH_TOPIC_MESSAGE

    async def publish_topic_message(
        self,
        topic_name: str,
        message: Message,
        options: Mapping[str, Any] | None = None,
        *,
        custom_type: str | None = None,
    ) -> PublishTopicMessageResponse:
        """Send a message in a topic the caller joined; the members that subscribed the
        caller there get a ``message`` event (R-M18, R-M19).

        Raises:
            RtmError: -10021, -10025, -11008, -11001, -11029 / -11030, -11009, -11010
                (over 1024 bytes with the custom type), -11016 (topic not joined).
            TypeError: a message that is neither a string nor bytes (R-X3).
            ConfigError: ``custom_type`` given both in ``options`` and as a keyword.
        """
        row = self._PUBLISH_TOPIC_MESSAGE
        opts = merge_options(row.operation, options, {"customType": custom_type})
        return self._engine.op_publish_topic_message(
            self._core, row, self._name, topic_name, message, opts
        )

    async def publishTopicMessage(
        self, topic_name: str, message: Message, options: Mapping[str, Any] | None = None
    ) -> PublishTopicMessageResponse:
        """SDK spelling of :meth:`publish_topic_message`.

        Raises:
            RtmError: as :meth:`publish_topic_message`.
        """
        return self._engine.op_publish_topic_message(
            self._core, self._PUBLISH_TOPIC_MESSAGE, self._name, topic_name, message, options
        )

    _GET_SUBSCRIBED_USER_LIST = GET_SUBSCRIBED_USER_LIST

    def get_subscribed_user_list(self, topic_name: str) -> GetSubscribedUserListResponse:
        """The topic's subscribed users, then its pre-subscribed ones (R-M17;
        synchronous, as in the SDK).

        Raises:
            RtmError: -10025, -11008, -11001, -11013 (no user subscribed in the topic).
        """
        return self._engine.op_get_subscribed_user_list(
            self._core, self._GET_SUBSCRIBED_USER_LIST, self._name, topic_name
        )

    def getSubscribedUserList(self, topic_name: str) -> GetSubscribedUserListResponse:
        """SDK spelling of :meth:`get_subscribed_user_list`.

        Raises:
            RtmError: as :meth:`get_subscribed_user_list`.
        """
        return self.get_subscribed_user_list(topic_name)
