"""The SDK's numeric limits (R-C1, R-L4, R-S3, R-S4), in a leaf module that imports nothing.

Each limit is written once, here.  The modules that enforce them (``_ids``,
``_state_checks``, ``_membership``) import them from this module, and so does the
surface table (``_surface.CONSTANTS``), which the engine imports in turn: keeping the
limits in a leaf keeps the table free of an import cycle with the engine.
"""

from __future__ import annotations

__all__ = [
    "MAX_CACHE_ENTRIES",
    "MAX_KEY_BYTES",
    "MAX_NAME_CHARS",
    "MAX_STATE_KEYS",
    "MAX_VALUE_BYTES",
    "MESSAGE_CHANNEL_COUNT",
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
