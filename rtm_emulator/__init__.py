"""rtm_emulator: a deterministic, in-memory emulator of Agora RTM (Signaling) 2.x Presence.

>>> import asyncio
>>> from rtm_emulator import Emulator
>>> async def main():
...     emu = Emulator()
...     alice, bob = emu.client("alice"), emu.client("bob")
...     await alice.login(); await bob.login()
...     await alice.subscribe("room"); await bob.subscribe("room")
...     await bob.presence.set_state("room", "MESSAGE", {"mood": "pumped"})
...     r = await alice.presence.get_online_users("room", "MESSAGE", include_state=True)
...     return [(o.user_id, dict(o.states)) for o in r.occupants]
>>> asyncio.run(main())
[('alice', {}), ('bob', {'mood': 'pumped'})]
"""

from ._bus import ListenerError
from ._config import DEFAULT_APP_ID, EmulatorConfig, RTMConfig
from ._emulator import Emulator
from ._errors import ConfigError, ErrorCode, RtmError
from ._events import (
    IntervalDetail,
    LinkStateEvent,
    MessageEvent,
    PresenceEvent,
    PublisherInfo,
    TopicEvent,
    TopicEventType,
    TopicInfo,
    UserList,
)
from ._journal import Journal, JournalEntry
from ._lock_types import LockDetail, LockEvent
from ._message_types import (
    GetMessagesResponse,
    GetSubscribedUserListResponse,
    HistoryMessage,
    JoinTopicResponse,
    LeaveTopicResponse,
    PublishResponse,
    PublishTopicMessageResponse,
    SubscribedFailedReason,
    SubscribeTopicResponse,
    UnsubscribeTopicResponse,
)
from ._scripting import UserHandle
from ._storage_types import MetadataItem, StorageData, StorageEvent
from ._token_types import RenewTokenResponse, TokenEvent, TokenWillExpireEvent
from ._types import (
    ChannelDetail,
    ChannelType,
    GetOnlineUsersResponse,
    GetStateResponse,
    GetUserChannelsResponse,
    JoinChannelResponse,
    LeaveChannelResponse,
    LinkOperation,
    LinkState,
    LinkStateReasonCode,
    LoginResponse,
    LogoutResponse,
    OccupancyDetail,
    PresenceEventType,
    RemoveStateResponse,
    SetStateResponse,
    StateMap,
    SubscribeResponse,
    UnsubscribeResponse,
    UserState,
    WhereNowResponse,
    WhoNowResponse,
)
from .client import (
    RTMClient,
    RTMHistory,
    RTMLock,
    RTMPresence,
    RTMStorage,
    RTMStreamChannel,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_APP_ID",
    "ChannelDetail",
    "ChannelType",
    "ConfigError",
    "Emulator",
    "EmulatorConfig",
    "ErrorCode",
    "GetMessagesResponse",
    "GetOnlineUsersResponse",
    "GetStateResponse",
    "GetSubscribedUserListResponse",
    "GetUserChannelsResponse",
    "HistoryMessage",
    "IntervalDetail",
    "JoinChannelResponse",
    "JoinTopicResponse",
    "Journal",
    "JournalEntry",
    "LeaveChannelResponse",
    "LeaveTopicResponse",
    "LinkOperation",
    "LinkState",
    "LinkStateEvent",
    "LinkStateReasonCode",
    "ListenerError",
    "LockDetail",
    "LockEvent",
    "LoginResponse",
    "LogoutResponse",
    "MessageEvent",
    "MetadataItem",
    "OccupancyDetail",
    "PresenceEvent",
    "PresenceEventType",
    "PublishResponse",
    "PublishTopicMessageResponse",
    "PublisherInfo",
    "RTMClient",
    "RTMConfig",
    "RTMHistory",
    "RTMLock",
    "RTMPresence",
    "RTMStorage",
    "RTMStreamChannel",
    "RemoveStateResponse",
    "RenewTokenResponse",
    "RtmError",
    "SetStateResponse",
    "StateMap",
    "StorageData",
    "StorageEvent",
    "SubscribeResponse",
    "SubscribeTopicResponse",
    "SubscribedFailedReason",
    "TokenEvent",
    "TokenWillExpireEvent",
    "TopicEvent",
    "TopicEventType",
    "TopicInfo",
    "UnsubscribeResponse",
    "UnsubscribeTopicResponse",
    "UserHandle",
    "UserList",
    "UserState",
    "WhereNowResponse",
    "WhoNowResponse",
    "__version__",
]
