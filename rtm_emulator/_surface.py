"""The declared SDK surface: every operation, every control verb and the shared constants.

This module is data.  Each SDK operation is one :class:`Operation` row of
:data:`OPERATIONS` (each row also a name of its own, ``SUBSCRIBE``, which the client
passes to the engine), each verb of the server's control API one :class:`Control` row of
:data:`CONTROL` (declared in ``_control_surface``, re-exported here), and the limits the
adapters need are in :data:`CONSTANTS` (imported from the leaves that own them,
``_limits`` and ``_config``; the table imports no engine module, so the engine may import
it).  The adapters are derived from these tables:

- the Python client (``client.py``) names its errors' ``operation`` from the row, and
  tests/surface checks that both spellings of every row exist with these parameters;
- the server's dispatch (``server/_hub.py``: the RTM methods, their argument counts,
  the control methods and ``METHODS``);
- the JS client (``clients/js``), through ``clients/js/manifest.json``, which
  :func:`manifest` renders and ``python3 -m rtm_emulator._surface --manifest`` writes;
- the conformance step vocabulary, the Hypothesis strategies and the bad-input matrix.

Adding an operation means one row here plus its engine method; tests/surface fails until
the Python methods, the server method, the JS method and its typing exist.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from ._config import (
    BUFFER_LIMIT,
    DEFAULT_APP_ID,
    MAX_FRAME_BYTES,
    RATE_LIMITS,
    RATE_WINDOW_MS,
)
from ._control_surface import (
    CONTROL,
    Control,
    ControlParam,
    control,
)
from ._errors import ERROR_CLASS, REASONS, ErrorCode
from ._limits import (
    HISTORY_COUNT_LIMIT,
    LOCK_TTL_MAX_S,
    LOCK_TTL_MIN_S,
    MAX_CACHE_ENTRIES,
    MAX_CUSTOM_TYPE_BYTES,
    MAX_KEY_BYTES,
    MAX_LOCAL_TOPICS,
    MAX_MESSAGE_BYTES,
    MAX_NAME_CHARS,
    MAX_STATE_KEYS,
    MAX_SUBSCRIBED_TOPICS,
    MAX_TOPIC_MESSAGE_BYTES,
    MAX_TOPIC_NAME_BYTES,
    MAX_TOPIC_USERS,
    MAX_VALUE_BYTES,
    MESSAGE_CHANNEL_COUNT,
    MESSAGE_REPLAY_LIMIT,
    STREAM_CHANNEL_COUNT,
)
from ._types import LinkStateReasonCode

__all__ = [
    "CONSTANTS",
    "CONTROL",
    "EVENT_NAMES",
    "FIRED_EVENT_NAMES",
    "OPERATIONS",
    "RTC_METHODS",
    "SDK_METHODS",
    "SESSION_METHODS",
    "Control",
    "ControlParam",
    "Operation",
    "Option",
    "Param",
    "control",
    "manifest",
    "manifest_text",
    "operation",
]

#: A parameter without a Python default (the marker of :attr:`Param.default`).
REQUIRED: Final = "<required>"

#: Where an operation lives: ``rtm`` (the client), ``presence`` (``rtm.presence``),
#: ``history`` (``rtm.history``), ``stream`` (a stream-channel handle,
#: ``rtm.createStreamChannel(name)``), ``storage`` (``rtm.storage``), ``lock``
#: (``rtm.lock``).
Home = Literal["rtm", "presence", "history", "stream", "storage", "lock"]


@attrs.frozen
class Param:
    """One positional parameter of an operation.

    ``required``: the SDK's signature requires it (the server fills a missing one with
    ``null``, as JavaScript passes ``undefined``).  ``default``: the Python default
    (:data:`REQUIRED` for none); ``""`` for ``user_id`` means the caller.
    """

    sdk: str
    python: str
    required: bool = True
    default: object = REQUIRED


@attrs.frozen
class Option:
    """One key of an operation's options object.

    ``keyword``: the Python spelling also takes it as a keyword-only argument named
    ``python`` (``with_presence=False``).
    """

    sdk: str
    python: str
    keyword: bool = False


@attrs.frozen
class Operation:
    """One SDK operation (one spelling of it: an alias is a row of its own).

    Attributes:
        sdk: the SDK's method name (``whoNow``), also the Python SDK spelling.
        python: the Python spelling (``who_now``).
        home: the object it lives on (:data:`Home`).
        params: its positional parameters, in order.
        options: the keys of its options object (the parameter named ``options``).
        operation: the ``operation`` its errors carry (``presenceSetState``).
        rate_key: its R-C6 limiter key (a key of ``RATE_LIMITS``), ``None`` for none.
        wire: the server method (``presence.whoNow``), ``None`` for a local operation.
        rules: the semantics rule ids it implements.
        is_async: whether it returns an awaitable (a Promise in JS).
        alias_of: the SDK name of the row it is an alias of.
        channel_type: the channel type of its ``channelName`` when it has no
            ``channelType`` parameter: ``MESSAGE`` (``subscribe``), ``STREAM`` (a
            stream-channel handle's own channel), ``None`` (a typed call, no channel,
            or a local call that touches none: ``createStreamChannel``).
        needs_login: it fails with -10025 while the client's link is ``IDLE`` (before
            login, after logout); ``unsubscribe`` resolves then (R-L5), and ``login``,
            ``logout`` and the local calls never need one.
        support: the row's status in the support table of ``docs/conformance.md``.
    """

    sdk: str
    python: str
    home: Home
    params: tuple[Param, ...]
    operation: str
    rules: tuple[str, ...]
    options: tuple[Option, ...] = ()
    rate_key: str | None = None
    wire: str | None = None
    is_async: bool = True
    alias_of: str | None = None
    channel_type: Literal["MESSAGE", "STREAM"] | None = None
    needs_login: bool = False
    support: str = "supported"

    @property
    def wire_params(self) -> tuple[str, ...]:
        """The SDK names of the server method's arguments (a stream call's channel first)."""
        head = ("channelName",) if self.home == "stream" else ()
        return head + tuple(p.sdk for p in self.params)

    @property
    def wire_required(self) -> int:
        """How many leading server arguments the SDK requires."""
        head = 1 if self.home == "stream" else 0
        return head + sum(1 for p in self.params if p.required)


_CHANNEL = Param("channelName", "channel_name")
_TYPE = Param("channelType", "channel_type")
_OPTIONS = Param("options", "options", required=False, default=None)
_LISTENER = (Param("eventName", "event_name"), Param("listener", "listener"))
_WHO_OPTIONS = (
    Option("includedUserId", "include_user_id", keyword=True),
    Option("includedState", "include_state", keyword=True),
    Option("page", "page", keyword=True),
)
_MESSAGE = Param("message", "message")
_TOPIC = Param("topicName", "topic_name")
_USERS = (Option("users", "users", keyword=True),)
_ENTRY_OPTIONS = (
    Option("withPresence", "with_presence", keyword=True),
    Option("beQuiet", "be_quiet", keyword=True),
    Option("withMetadata", "with_metadata"),
    Option("withLock", "with_lock"),
)

# The rows, each named once so that the engine and the adapters can refer to a row
# without spelling its name (the client passes its row to the engine).
LOGIN = Operation(
    "login",
    "login",
    "rtm",
    (_OPTIONS,),
    "login",
    ("R-L3", "R-T4", "R-C6"),
    options=(Option("token", "token", keyword=True),),
    rate_key="login",
    wire="login",
    support="supported (a token must be the app id or a 006/007 token of it; signatures "
    "are not checked)",
)
LOGOUT = Operation("logout", "logout", "rtm", (), "logout", ("R-L2",), wire="logout")
SUBSCRIBE = Operation(
    "subscribe",
    "subscribe",
    "rtm",
    (_CHANNEL, _OPTIONS),
    "subscribe",
    ("R-L1", "R-L4", "R-E1", "R-T3", "R-M5"),
    options=(
        *_ENTRY_OPTIONS[:2],
        Option("withMessage", "with_message", keyword=True),
        *_ENTRY_OPTIONS[2:],
    ),
    rate_key="subscribe",
    wire="subscribe",
    channel_type="MESSAGE",
    needs_login=True,
    support="supported for presence and messages (withMessage)",
)
UNSUBSCRIBE = Operation(
    "unsubscribe",
    "unsubscribe",
    "rtm",
    (_CHANNEL,),
    "unsubscribe",
    ("R-L5", "R-S1", "R-E2"),
    wire="unsubscribe",
    channel_type="MESSAGE",
)
CREATE_STREAM_CHANNEL = Operation(
    "createStreamChannel",
    "create_stream_channel",
    "rtm",
    (_CHANNEL,),
    "createStreamChannel",
    ("R-C1", "R-L2"),
    is_async=False,
)
JOIN = Operation(
    "join",
    "join",
    "stream",
    (_OPTIONS,),
    "join",
    ("R-L1", "R-L4", "R-T3"),
    options=(*_ENTRY_OPTIONS[:2], Option("token", "token"), *_ENTRY_OPTIONS[2:]),
    rate_key="join",
    wire="streamChannel.join",
    channel_type="STREAM",
    needs_login=True,
    support="supported for presence",
)
LEAVE = Operation(
    "leave",
    "leave",
    "stream",
    (),
    "leave",
    ("R-L5", "R-E2"),
    wire="streamChannel.leave",
    channel_type="STREAM",
    needs_login=True,
)
WHO_NOW = Operation(
    "whoNow",
    "who_now",
    "presence",
    (_CHANNEL, _TYPE, _OPTIONS),
    "whoNow",
    ("R-Q1", "R-Q2", "R-Q3", "R-Q4"),
    options=_WHO_OPTIONS,
    rate_key="whoNow",
    wire="presence.whoNow",
    alias_of="getOnlineUsers",
    needs_login=True,
)
GET_ONLINE_USERS = Operation(
    "getOnlineUsers",
    "get_online_users",
    "presence",
    (_CHANNEL, _TYPE, _OPTIONS),
    "getOnlineUsers",
    ("R-Q1", "R-Q2", "R-Q3", "R-Q4"),
    options=_WHO_OPTIONS,
    rate_key="whoNow",
    wire="presence.getOnlineUsers",
    needs_login=True,
)
WHERE_NOW = Operation(
    "whereNow",
    "where_now",
    "presence",
    (Param("userId", "user_id", default=""),),
    "whereNow",
    ("R-Q5",),
    rate_key="whereNow",
    wire="presence.whereNow",
    alias_of="getUserChannels",
    needs_login=True,
)
GET_USER_CHANNELS = Operation(
    "getUserChannels",
    "get_user_channels",
    "presence",
    (Param("userId", "user_id", default=""),),
    "getUserChannels",
    ("R-Q5",),
    rate_key="whereNow",
    wire="presence.getUserChannels",
    needs_login=True,
)
SET_STATE = Operation(
    "setState",
    "set_state",
    "presence",
    (_CHANNEL, _TYPE, Param("state", "state")),
    "presenceSetState",
    ("R-S1", "R-S2", "R-S3", "R-S4", "R-S5"),
    rate_key="modifyState",
    wire="presence.setState",
    needs_login=True,
)
GET_STATE = Operation(
    "getState",
    "get_state",
    "presence",
    (Param("userId", "user_id"), _CHANNEL, _TYPE),
    "presenceGetState",
    ("R-Q6",),
    rate_key="getState",
    wire="presence.getState",
    needs_login=True,
)
REMOVE_STATE = Operation(
    "removeState",
    "remove_state",
    "presence",
    (_CHANNEL, _TYPE, _OPTIONS),
    "presenceRemoveState",
    ("R-S2", "R-S3", "R-S4", "R-S5"),
    options=(Option("states", "states", keyword=True),),
    rate_key="modifyState",
    wire="presence.removeState",
    needs_login=True,
)
ADD_EVENT_LISTENER = Operation(
    "addEventListener",
    "add_event_listener",
    "rtm",
    _LISTENER,
    "addEventListener",
    ("R-C5", "R-X3"),
    is_async=False,
    support="supported: `presence`, `linkState` (MESSAGE and STREAM), `message`, `topic`; "
    "any other name accepted, never fired",
)
REMOVE_EVENT_LISTENER = Operation(
    "removeEventListener",
    "remove_event_listener",
    "rtm",
    _LISTENER,
    "removeEventListener",
    ("R-C5",),
    is_async=False,
)

PUBLISH = Operation(
    "publish",
    "publish",
    "rtm",
    (_CHANNEL, _MESSAGE, _OPTIONS),
    "publish",
    ("R-M1", "R-M2", "R-M3", "R-M4", "R-M9", "R-M22", "R-M23"),
    options=(
        Option("channelType", "channel_type", keyword=True),
        Option("customType", "custom_type", keyword=True),
        Option("storeInHistory", "store_in_history", keyword=True),
    ),
    rate_key="publish",
    wire="publish",
    channel_type="MESSAGE",
    needs_login=True,
    support="supported: MESSAGE and USER channels, text and binary (the server "
    "acknowledges at once: no -11024 / -11026 / -11039)",
)
GET_MESSAGES = Operation(
    "getMessages",
    "get_messages",
    "history",
    (_CHANNEL, _TYPE, _OPTIONS),
    "getMessages",
    ("R-M10", "R-M11"),
    options=(
        Option("messageCount", "message_count", keyword=True),
        Option("start", "start", keyword=True),
        Option("end", "end", keyword=True),
    ),
    rate_key="getMessages",
    wire="history.getMessages",
    needs_login=True,
    support="supported (what was published with storeInHistory; kept for the emulator's lifetime)",
)
JOIN_TOPIC = Operation(
    "joinTopic",
    "join_topic",
    "stream",
    (_TOPIC, _OPTIONS),
    "joinTopic",
    ("R-M12", "R-M13", "R-M20"),
    options=(Option("meta", "meta"),),
    rate_key="joinTopic",
    wire="streamChannel.joinTopic",
    channel_type="STREAM",
    needs_login=True,
    support="supported (meta is discarded, as the SDK discards it)",
)
LEAVE_TOPIC = Operation(
    "leaveTopic",
    "leave_topic",
    "stream",
    (_TOPIC,),
    "leaveTopic",
    ("R-M12", "R-M14", "R-M20"),
    wire="streamChannel.leaveTopic",
    channel_type="STREAM",
    needs_login=True,
)
SUBSCRIBE_TOPIC = Operation(
    "subscribeTopic",
    "subscribe_topic",
    "stream",
    (_TOPIC, _OPTIONS),
    "subscribeTopic",
    ("R-M12", "R-M15"),
    options=_USERS,
    rate_key="subscribeTopic",
    wire="streamChannel.subscribeTopic",
    channel_type="STREAM",
    needs_login=True,
    support="supported (past 64 users, the first in code-point order are kept where the "
    "SDK picks at random)",
)
UNSUBSCRIBE_TOPIC = Operation(
    "unsubscribeTopic",
    "unsubscribe_topic",
    "stream",
    (_TOPIC, _OPTIONS),
    "unsubscribeTopic",
    ("R-M12", "R-M16"),
    options=_USERS,
    wire="streamChannel.unsubscribeTopic",
    channel_type="STREAM",
    needs_login=True,
)
PUBLISH_TOPIC_MESSAGE = Operation(
    "publishTopicMessage",
    "publish_topic_message",
    "stream",
    (_TOPIC, _MESSAGE, _OPTIONS),
    "publishTopicMessage",
    ("R-M12", "R-M18", "R-M19"),
    options=(Option("customType", "custom_type", keyword=True),),
    rate_key="publishTopicMsg",
    wire="streamChannel.publishTopicMessage",
    channel_type="STREAM",
    needs_login=True,
)
GET_SUBSCRIBED_USER_LIST = Operation(
    "getSubscribedUserList",
    "get_subscribed_user_list",
    "stream",
    (_TOPIC,),
    "getSubscribedUserList",
    ("R-M12", "R-M17"),
    is_async=False,
    channel_type="STREAM",
    needs_login=True,
)

# ---------------------------------------------------------------- storage (R-ST...)

_DATA = Param("data", "data")
_WRITE_OPTIONS = (
    Option("majorRevision", "major_revision", keyword=True),
    Option("addTimeStamp", "add_time_stamp", keyword=True),
    Option("addUserId", "add_user_id", keyword=True),
)
_CHANNEL_WRITE_OPTIONS = (*_WRITE_OPTIONS, Option("lockName", "lock_name", keyword=True))
_USER_ID_OPTION = Option("userId", "user_id", keyword=True)
_ITEMS_OPTION = Option("data", "data", keyword=True)
_STORAGE_RULES = ("R-ST1", "R-ST2", "R-ST3", "R-ST4", "R-ST5", "R-ST6", "R-ST10", "R-ST11")


def _storage_row(
    sdk: str,
    python: str,
    params: tuple[Param, ...],
    rate_key: str | None,
    rules: tuple[str, ...],
    options: tuple[Option, ...] = (),
) -> Operation:
    return Operation(
        sdk,
        python,
        "storage",
        params,
        sdk,
        rules,
        options=options,
        rate_key=rate_key,
        wire=f"storage.{sdk}",
        needs_login=True,
    )


SET_CHANNEL_METADATA = _storage_row(
    "setChannelMetadata",
    "set_channel_metadata",
    (_CHANNEL, _TYPE, _DATA, _OPTIONS),
    "channelMetaModify",
    (*_STORAGE_RULES, "R-ST7", "R-ST9", "R-ST16", "R-ST20"),
    _CHANNEL_WRITE_OPTIONS,
)
UPDATE_CHANNEL_METADATA = _storage_row(
    "updateChannelMetadata",
    "update_channel_metadata",
    (_CHANNEL, _TYPE, _DATA, _OPTIONS),
    "channelMetaModify",
    (*_STORAGE_RULES, "R-ST7", "R-ST9", "R-ST16"),
    _CHANNEL_WRITE_OPTIONS,
)
REMOVE_CHANNEL_METADATA = _storage_row(
    "removeChannelMetadata",
    "remove_channel_metadata",
    (_CHANNEL, _TYPE, _OPTIONS),
    "channelMetaModify",
    (*_STORAGE_RULES, "R-ST7", "R-ST9", "R-ST16"),
    (_ITEMS_OPTION, *_CHANNEL_WRITE_OPTIONS),
)
GET_CHANNEL_METADATA = _storage_row(
    "getChannelMetadata",
    "get_channel_metadata",
    (_CHANNEL, _TYPE),
    "channelMetaGet",
    ("R-ST1", "R-ST2", "R-ST3", "R-ST10", "R-ST11", "R-ST12"),
)
SET_USER_METADATA = _storage_row(
    "setUserMetadata",
    "set_user_metadata",
    (_DATA, _OPTIONS),
    "userMetaModify",
    (*_STORAGE_RULES, "R-ST8", "R-ST16"),
    (*_WRITE_OPTIONS, _USER_ID_OPTION),
)
UPDATE_USER_METADATA = _storage_row(
    "updateUserMetadata",
    "update_user_metadata",
    (_DATA, _OPTIONS),
    "userMetaModify",
    (*_STORAGE_RULES, "R-ST8", "R-ST16"),
    (*_WRITE_OPTIONS, _USER_ID_OPTION),
)
REMOVE_USER_METADATA = _storage_row(
    "removeUserMetadata",
    "remove_user_metadata",
    (_OPTIONS,),
    "userMetaModify",
    (*_STORAGE_RULES, "R-ST8", "R-ST16"),
    (_ITEMS_OPTION, *_WRITE_OPTIONS, _USER_ID_OPTION),
)
GET_USER_METADATA = _storage_row(
    "getUserMetadata",
    "get_user_metadata",
    (_OPTIONS,),
    "userMetaGet",
    ("R-ST1", "R-ST2", "R-ST8", "R-ST10", "R-ST11"),
    (_USER_ID_OPTION,),
)
SUBSCRIBE_USER_METADATA = _storage_row(
    "subscribeUserMetadata",
    "subscribe_user_metadata",
    (Param("userId", "user_id"),),
    "userMetaSub",
    ("R-ST1", "R-ST2", "R-ST13", "R-ST16", "R-ST17", "R-ST18", "R-ST19"),
)
UNSUBSCRIBE_USER_METADATA = _storage_row(
    "unsubscribeUserMetadata",
    "unsubscribe_user_metadata",
    (Param("userId", "user_id"),),
    None,
    ("R-ST1", "R-ST14"),
)

# ---------------------------------------------------------------- locks (R-LK...)

_LOCK_NAME = Param("lockName", "lock_name")
_LOCK_RULES = ("R-LK1", "R-LK2", "R-LK3", "R-LK4", "R-LK10", "R-LK11", "R-LK22")


def _lock_row(
    sdk: str,
    python: str,
    params: tuple[Param, ...],
    rules: tuple[str, ...],
    options: tuple[Option, ...] = (),
) -> Operation:
    return Operation(
        sdk,
        python,
        "lock",
        params,
        sdk,
        (*_LOCK_RULES, *rules),
        options=options,
        rate_key=sdk,
        wire=f"lock.{sdk}",
        needs_login=True,
    )


SET_LOCK = _lock_row(
    "setLock",
    "set_lock",
    (_CHANNEL, _TYPE, _LOCK_NAME, _OPTIONS),
    ("R-LK5", "R-LK9", "R-LK16"),
    (Option("ttl", "ttl", keyword=True),),
)
REMOVE_LOCK = _lock_row(
    "removeLock", "remove_lock", (_CHANNEL, _TYPE, _LOCK_NAME), ("R-LK9", "R-LK16")
)
ACQUIRE_LOCK = _lock_row(
    "acquireLock",
    "acquire_lock",
    (_CHANNEL, _TYPE, _LOCK_NAME, _OPTIONS),
    ("R-LK6", "R-LK9", "R-LK12", "R-LK13", "R-LK14", "R-LK16", "R-LK20"),
    (Option("retry", "retry", keyword=True),),
)
RELEASE_LOCK = _lock_row(
    "releaseLock",
    "release_lock",
    (_CHANNEL, _TYPE, _LOCK_NAME),
    ("R-LK7", "R-LK9", "R-LK13", "R-LK16"),
)
REVOKE_LOCK = _lock_row(
    "revokeLock",
    "revoke_lock",
    (_CHANNEL, _TYPE, _LOCK_NAME, Param("owner", "owner")),
    ("R-LK8", "R-LK9", "R-LK19"),
)
GET_LOCK = _lock_row("getLock", "get_lock", (_CHANNEL, _TYPE), ())
# ---------------------------------------------------------------- tokens (R-TK...)

RENEW_TOKEN = Operation(
    "renewToken",
    "renew_token",
    "rtm",
    (Param("token", "token"), _OPTIONS),
    "renewToken",
    ("R-TK1", "R-TK2", "R-TK3", "R-TK4", "R-TK6", "R-TK26"),
    options=(Option("channelName", "channel_name", keyword=True),),
    rate_key="renewToken",
    wire="renewToken",
    needs_login=True,
    support="supported (the MESSAGE link's token, and a stream channel's with `channelName`)",
)

#: Every SDK operation, in documentation order.
OPERATIONS: tuple[Operation, ...] = (
    LOGIN,
    LOGOUT,
    SUBSCRIBE,
    UNSUBSCRIBE,
    CREATE_STREAM_CHANNEL,
    JOIN,
    LEAVE,
    WHO_NOW,
    GET_ONLINE_USERS,
    WHERE_NOW,
    GET_USER_CHANNELS,
    SET_STATE,
    GET_STATE,
    REMOVE_STATE,
    PUBLISH,
    GET_MESSAGES,
    JOIN_TOPIC,
    LEAVE_TOPIC,
    SUBSCRIBE_TOPIC,
    UNSUBSCRIBE_TOPIC,
    PUBLISH_TOPIC_MESSAGE,
    GET_SUBSCRIBED_USER_LIST,
    ADD_EVENT_LISTENER,
    REMOVE_EVENT_LISTENER,
    # storage (R-ST...)
    SET_CHANNEL_METADATA,
    UPDATE_CHANNEL_METADATA,
    REMOVE_CHANNEL_METADATA,
    GET_CHANNEL_METADATA,
    SET_USER_METADATA,
    UPDATE_USER_METADATA,
    REMOVE_USER_METADATA,
    GET_USER_METADATA,
    SUBSCRIBE_USER_METADATA,
    UNSUBSCRIBE_USER_METADATA,
    # locks (R-LK...)
    SET_LOCK,
    REMOVE_LOCK,
    ACQUIRE_LOCK,
    RELEASE_LOCK,
    REVOKE_LOCK,
    GET_LOCK,
    # tokens (R-TK...)
    RENEW_TOKEN,
)

#: The server methods of a connection's session that are neither SDK calls nor control
#: verbs: ``hello`` opens or resumes a session, ``session.reconnect`` restores its network.
SESSION_METHODS: tuple[str, ...] = ("hello", "session.reconnect")

#: The RTC requests of a real SDK's connection (its stream channels' data channels,
#: docs/real-sdk.md "Stream channels"), in documentation order.
RTC_METHODS: tuple[str, ...] = (
    "rtc.join",
    "rtc.leave",
    "rtc.publish",
    "rtc.unpublish",
    "rtc.subscribe",
    "rtc.unsubscribe",
    "rtc.send",
    "rtc.renew",
)

#: The methods of a real SDK's connection (real-SDK mode, docs/real-sdk.md "The wire"):
#: its store's operations, its packets and its RTC requests, in documentation order.
SDK_METHODS: tuple[str, ...] = (
    "sdk.login",
    "sdk.renew",
    "sdk.logout",
    "sdk.open",
    "sdk.close",
    "sdk.put",
    "sdk.delete",
    "sdk.set",
    "sdk.unset",
    "sdk.query",
    "sdk.packet",
    "sdk.sync",
    *RTC_METHODS,
)

#: The SDK's event names (``RTMClientEventMap``): any is accepted (R-C5).
EVENT_NAMES: tuple[str, ...] = (
    "presence",
    "linkState",
    "message",
    "storage",
    "lock",
    "topic",
    "token",
    "tokenPrivilegeWillExpire",
)
#: The event names the emulator fires.
FIRED_EVENT_NAMES: tuple[str, ...] = (
    "presence",
    "linkState",
    "message",
    "topic",
    "storage",
    "lock",
    "token",
    "tokenPrivilegeWillExpire",
)

#: The limits and defaults the adapters share, each imported from its one home.
CONSTANTS: Mapping[str, Any] = {
    "defaultAppId": DEFAULT_APP_ID,
    "messageChannelCount": MESSAGE_CHANNEL_COUNT,
    "streamChannelCount": STREAM_CHANNEL_COUNT,
    "maxStateKeys": MAX_STATE_KEYS,
    "maxKeyBytes": MAX_KEY_BYTES,
    "maxValueBytes": MAX_VALUE_BYTES,
    "maxCacheEntries": MAX_CACHE_ENTRIES,
    "maxNameChars": MAX_NAME_CHARS,
    "maxMessageBytes": MAX_MESSAGE_BYTES,
    "maxCustomTypeBytes": MAX_CUSTOM_TYPE_BYTES,
    "maxTopicMessageBytes": MAX_TOPIC_MESSAGE_BYTES,
    "maxTopicNameBytes": MAX_TOPIC_NAME_BYTES,
    "maxLocalTopics": MAX_LOCAL_TOPICS,
    "maxTopicUsers": MAX_TOPIC_USERS,
    "maxSubscribedTopics": MAX_SUBSCRIBED_TOPICS,
    "historyCountLimit": HISTORY_COUNT_LIMIT,
    "messageReplayLimit": MESSAGE_REPLAY_LIMIT,
    "maxFrameBytes": MAX_FRAME_BYTES,
    "bufferLimit": BUFFER_LIMIT,
    "rateWindowMs": RATE_WINDOW_MS,
    "lockTtlMin": LOCK_TTL_MIN_S,
    "lockTtlMax": LOCK_TTL_MAX_S,
    "rateLimits": dict(RATE_LIMITS),
}


def operation(sdk: str, home: str | None = None) -> Operation:
    """The :data:`OPERATIONS` row of SDK name ``sdk`` (on ``home`` when given).

    Raises:
        KeyError: when no row has that name.
    """
    for row in OPERATIONS:
        if row.sdk == sdk and (home is None or row.home == home):
            return row
    raise KeyError(f"no SDK operation {sdk!r} in the surface table")


# ---------------------------------------------------------------- the JS manifest

#: Where the JS client reads the tables (checked in; tests/surface checks it fresh).
MANIFEST_PATH = Path(__file__).resolve().parent.parent / "clients" / "js" / "manifest.json"


def _param_json(param: Param) -> dict[str, Any]:
    return {"sdk": param.sdk, "python": param.python, "required": param.required}


def _operation_json(row: Operation) -> dict[str, Any]:
    return {
        "sdk": row.sdk,
        "python": row.python,
        "home": row.home,
        "params": [_param_json(p) for p in row.params],
        "options": [{"sdk": o.sdk, "python": o.python} for o in row.options],
        "operation": row.operation,
        "rateKey": row.rate_key,
        "wire": row.wire,
        "rules": list(row.rules),
        "async": row.is_async,
        "aliasOf": row.alias_of,
    }


def _control_json(row: Control) -> dict[str, Any]:
    params = []
    for param in row.params:
        item: dict[str, Any] = {"js": param.js, "wire": param.wire, "kind": param.kind}
        item["required"] = param.required
        if param.keys:
            item["keys"] = [key for key, _ in param.keys]
        params.append(item)
    return {
        "js": row.js,
        "wire": row.wire,
        "python": row.python,
        "params": params,
        "fixed": dict(row.fixed),
        "result": row.result,
    }


def _error_json(code: ErrorCode) -> dict[str, Any]:
    return {
        "code": int(code),
        "name": code.name,
        "reason": REASONS[code],
        "class": ERROR_CLASS[code],
    }


def manifest() -> dict[str, Any]:
    """The tables as the JS client reads them (``clients/js/manifest.json``).

    ``errors`` is the SDK's whole error table of ``_errors.py``, one row per code of
    :class:`ErrorCode` in enum order: its ``code``, ``name``, ``reason`` (as an app sees
    it) and default ``class`` (``err.name``).  All codes, not only the few the JS client
    raises itself: it also names the class of any code a server frame carries without
    one, so it needs the class of every code, and the reasons of the rest cost only bytes.
    ``linkReasons`` is :class:`LinkStateReasonCode` in enum order (its index is the
    SDK's ``LinkStateChangeReason4Report`` number): each ``name`` and ``description``.
    """
    return {
        "comment": "Generated by `python3 -m rtm_emulator._surface --manifest`; do not edit.",
        "operations": [_operation_json(row) for row in OPERATIONS],
        "control": [_control_json(row) for row in CONTROL],
        "sessionMethods": list(SESSION_METHODS),
        "sdkMethods": list(SDK_METHODS),
        "eventNames": list(EVENT_NAMES),
        "firedEventNames": list(FIRED_EVENT_NAMES),
        "constants": dict(CONSTANTS),
        "errors": [_error_json(code) for code in ErrorCode],
        "linkReasons": [
            {"name": reason.value, "description": reason.description}
            for reason in LinkStateReasonCode
        ],
    }


def manifest_text() -> str:
    """:func:`manifest` as the file's text (stable: two-space JSON, a final newline)."""
    return json.dumps(manifest(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python3 -m rtm_emulator._surface --manifest [PATH]``: write the JS manifest.

    Without ``--manifest`` it prints the manifest.  Returns the exit status.
    """
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--manifest"]:
        path = Path(args[1]) if len(args) > 1 else MANIFEST_PATH
        path.write_text(manifest_text(), encoding="utf-8")
        print(f"wrote {path}")
        return 0
    sys.stdout.write(manifest_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
