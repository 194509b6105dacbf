"""The SDK's numeric limits (R-C1, R-L4, R-S3, R-S4, R-M1..R-M22), in a leaf module that
imports nothing.

Each limit is written once, here.  The modules that enforce them (``_ids``,
``_state_checks``, ``_membership``) import them from this module, and so does the
surface table (``_surface.CONSTANTS``), which the engine imports in turn: keeping the
limits in a leaf keeps the table free of an import cycle with the engine.
"""

from __future__ import annotations

__all__ = [
    "HISTORY_COUNT_LIMIT",
    "HISTORY_MAX_RANGE_MS",
    "MAX_CACHE_ENTRIES",
    "MAX_CUSTOM_TYPE_BYTES",
    "MAX_KEY_BYTES",
    "MAX_LOCAL_TOPICS",
    "MAX_MESSAGE_BYTES",
    "MAX_METADATA_ITEMS",
    "MAX_METADATA_JSON_BYTES",
    "MAX_METADATA_KEY_BYTES",
    "MAX_METADATA_VALUE_BYTES",
    "MAX_NAME_CHARS",
    "MAX_STATE_KEYS",
    "MAX_SUBSCRIBED_TOPICS",
    "MAX_TOPIC_MESSAGE_BYTES",
    "MAX_TOPIC_NAME_BYTES",
    "MAX_TOPIC_USERS",
    "MAX_USER_METADATA_SUBSCRIPTIONS",
    "MAX_VALUE_BYTES",
    "MESSAGE_CHANNEL_COUNT",
    "MESSAGE_REPLAY_LIMIT",
    "STORAGE_TIMEOUT_MS",
    "STREAM_CHANNEL_COUNT",
]

#: R-C1: user ids and channel names have 1..64 characters (all of them ASCII).
MAX_NAME_CHARS = 64
#: R-L4: channels a client may have entered, MESSAGE and STREAM together.
MESSAGE_CHANNEL_COUNT = 50
#: R-L4: stream channels a client may have joined.
STREAM_CHANNEL_COUNT = 10
#: R-S3: keys per setState / removeState call, and per (user, channel) after a merge.
MAX_STATE_KEYS = 32
#: R-S3: UTF-8 bytes of a state key.
MAX_KEY_BYTES = 32
#: R-S3: UTF-8 bytes of a string state value.
MAX_VALUE_BYTES = 16384
#: R-S4: setState fails while the client's state cache holds *more* than this many entries.
MAX_CACHE_ENTRIES = 100

# ---------------------------------------------------------------- messaging (R-M...)

#: R-M1: UTF-8 bytes (text) or bytes (binary) of a published message; also the limit of
#: the message and its custom type together.
MAX_MESSAGE_BYTES = 32768
#: R-M1, R-M18: UTF-8 bytes of a custom type.
MAX_CUSTOM_TYPE_BYTES = 32
#: R-M18: bytes of a topic message and its custom type together.
MAX_TOPIC_MESSAGE_BYTES = 1024
#: R-M12: UTF-8 bytes of a topic name.
MAX_TOPIC_NAME_BYTES = 16
#: R-M13: topics a client may have joined (published) in one stream channel.
MAX_LOCAL_TOPICS = 8
#: R-M15: users (subscribed and pre-subscribed) a client may hold in one topic.
MAX_TOPIC_USERS = 64
#: R-M15: topics holding a (pre-)subscribed user past which subscribeTopic fails (the SDK
#: checks before adding, so 51 are reachable).
MAX_SUBSCRIBED_TOPICS = 50
#: R-M10: messages one getMessages returns at most (the SDK's HISTORY_MSG_COUNT_LIMIT).
HISTORY_COUNT_LIMIT = 100
#: R-M10: the widest start..end range getMessages accepts, in ms (one day).
HISTORY_MAX_RANGE_MS = 86_400_000
#: R-M22 [ours]: messages the server keeps per client while its link is down.
MESSAGE_REPLAY_LIMIT = 100

# ---------------------------------------------------------------- storage (R-ST...)

#: R-ST5: metadata items per write (after duplicate keys are merged).
MAX_METADATA_ITEMS = 32
#: R-ST5: UTF-8 bytes of a metadata key.
MAX_METADATA_KEY_BYTES = 32
#: R-ST5: UTF-8 bytes of a metadata value.
MAX_METADATA_VALUE_BYTES = 16384
#: R-ST6: UTF-8 bytes of a write's request JSON (so one value of 16384 bytes is over).
MAX_METADATA_JSON_BYTES = 16384
#: R-ST13: users whose metadata one client may subscribe to.
MAX_USER_METADATA_SUBSCRIPTIONS = 50
#: R-ST12: how long the SDK waits for a storage reply (ms).
STORAGE_TIMEOUT_MS = 10_000

# ---------------------------------------------------------------- locks (R-LK...)

#: R-LK5: ``setLock``'s ``ttl`` (seconds) below this becomes this (the SDK's ``LOCK_TTL``
#: default), and is this when absent.
LOCK_TTL_MIN_S = 10
#: R-LK5: ``setLock``'s ``ttl`` above this becomes this.
LOCK_TTL_MAX_S = 300
#: R-LK17: a lock ``SNAPSHOT`` this soon (ms, the receiver's clock) after the previous one
#: of its channel is dropped (unless the link was lost or the channel left since).
LOCK_SNAPSHOT_WINDOW_MS = 4_000
