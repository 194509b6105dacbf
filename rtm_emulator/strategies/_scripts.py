"""Whole scenarios: :func:`presence_scripts` draws valid presence scripts while it keeps
a small model of each user (R-L4, R-S4, R-T3, R-T4), :func:`message_scripts` adds
messages, topics and history (R-M1, R-M4, R-M10, R-M12..R-M18); :func:`run_script`
plays one."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._control_surface import (
    ADVANCE,
    DISCONNECT,
    RECONNECT,
    SET_DELIVERY_LATENCY,
    SET_PRESENCE_AVAILABLE,
    Control,
)
from .._emulator import Emulator
from .._errors import RtmError
from .._link import ATTEMPT_MS, retry_delay_ms
from .._message_checks import check_topic_name
from .._scripting import UserHandle, drive
from .._surface import (
    ACQUIRE_LOCK,
    CONSTANTS,
    CONTROL,
    GET_MESSAGES,
    JOIN,
    JOIN_TOPIC,
    LEAVE,
    LEAVE_TOPIC,
    LOGIN,
    LOGOUT,
    PUBLISH,
    PUBLISH_TOPIC_MESSAGE,
    RELEASE_LOCK,
    REMOVE_STATE,
    SET_CHANNEL_METADATA,
    SET_LOCK,
    SET_STATE,
    SET_USER_METADATA,
    SUBSCRIBE,
    SUBSCRIBE_TOPIC,
    SUBSCRIBE_USER_METADATA,
    UNSUBSCRIBE,
    UNSUBSCRIBE_TOPIC,
    Operation,
)
from .._validate import check_channel_name, check_duration_ms, check_user_id
from ..client import RTMClient
from ._common import (
    DEFAULT_APP_ID,
    MAX_CACHE_ENTRIES,
    MESSAGE,
    MESSAGE_CHANNEL_COUNT,
    STREAM,
    STREAM_CHANNEL_COUNT,
    UNICODE,
)

#: One step of a script: ``(name, *arguments)``; see :func:`presence_scripts`.
Action = tuple[Any, ...]


_KEYS = ("mood", "seat", "mic")
#: R-S1: values are JSON values (the seed's ``isTyping: false`` included)
_VALUES: tuple[Any, ...] = ("", "1", "ok", 2, False, None, ["a"], {"x": 1})
_DURATIONS = (0.5, 1.0, 2.0, 2.5, 5.0, 7.0, 15.0, 30.0, 120.0, 320.0)
_TYPES = (MESSAGE, STREAM)
_MAX_POOL = 10_000
#: R-M1, R-M18: a message with its custom type, R-M13: topics per client and channel,
#: R-M15: users a topic holds
MAX_MESSAGE_BYTES: int = CONSTANTS["maxMessageBytes"]
MAX_TOPIC_MESSAGE_BYTES: int = CONSTANTS["maxTopicMessageBytes"]
MAX_CUSTOM_TYPE_BYTES: int = CONSTANTS["maxCustomTypeBytes"]
MAX_LOCAL_TOPICS: int = CONSTANTS["maxLocalTopics"]
MAX_TOPIC_USERS: int = CONSTANTS["maxTopicUsers"]
#: R-M1: ``None`` and ``""`` are no custom type; the longest one is 32 bytes
_CUSTOM_TYPES = (None, None, "", "chat", "cmd", "t" * MAX_CUSTOM_TYPE_BYTES)
#: R-M11: ``messageCount`` (``None``: the default 100)
_COUNTS = (None, 1, 3, 100)
_IDLE, _UP, _DOWN = "IDLE", "CONNECTED", "DOWN"


class _User:
    """What the script generator knows about one user's client (mirrors the SDK's rules).

    ``link`` is ``IDLE`` (logged out), ``CONNECTED``, or ``DOWN`` (DISCONNECTED,
    CONNECTING or SUSPENDED: lost and retrying, R-T4).
    """

    def __init__(self) -> None:
        self.link = _IDLE
        self.network_up = True
        #: R-T4: when the next reconnect attempt starts (ms on the script's clock)
        self.retry_at = 0
        self.attempts = 0
        #: R-L4: the SDK's channel list, in order of entry (a dict: ordered, no set)
        self.entered: dict[tuple[str, str], None] = {}
        #: R-S4: the state cache, one entry per channel
        self.cache: dict[tuple[str, str], None] = {}
        #: R-M13: per stream channel, the topics the user surely publishes there (a
        #: link loss forgets them: a server timeout meanwhile drops them, R-M21)
        self.topics: dict[str, dict[str, None]] = {}
        #: R-M15: per (stream channel, topic), every user it listed in subscribeTopic
        #: since it entered the channel (at least the users the topic holds)
        self.listed: dict[tuple[str, str], dict[str, None]] = {}

    def logout(self) -> None:
        """R-L2: out of every channel, no cache; the network switch is back on."""
        self.link, self.network_up = _IDLE, True
        self.entered.clear()
        self.cache.clear()
        self.topics.clear()
        self.listed.clear()

    def use(self) -> None:
        """The handle logs in before an action when its link is IDLE."""
        if self.link == _IDLE:
            self.link = _UP

    def disconnect(self, now: int) -> None:
        """R-T4: the link goes DISCONNECTED now and tries again 2 s later."""
        self.network_up = False
        self.topics.clear()  # R-T2: the server may time the user out before it is back
        if self.link == _UP:
            self.link = _DOWN
            self.attempts = 0
            self.retry_at = now + retry_delay_ms(0)

    def advance(self, now: int) -> None:
        """Play the reconnect attempts due by ``now``: the first one that starts with the
        network up reconnects; each one that fails (after ``ATTEMPT_MS``) waits the next
        back-off step."""
        while self.link == _DOWN and self.retry_at <= now:
            if self.network_up:
                self.link = _UP
                return
            self.attempts += 1
            self.retry_at += ATTEMPT_MS + retry_delay_ms(self.attempts)

    def streams(self) -> int:
        return sum(1 for t, _ in self.entered if t == STREAM)

    def leave(self, key: tuple[str, str]) -> None:
        """Leaving a channel in the list drops its cache entry (R-S4)."""
        if key in self.entered:
            del self.entered[key]
            self.cache.pop(key, None)
        if key[0] == STREAM:  # R-M21: its topics and its map of the others' go
            self.topics.pop(key[1], None)
            for listed in [k for k in self.listed if k[0] == key[1]]:
                del self.listed[listed]


def _check_pool(name: str, values: Sequence[str], check: Any, limit: int) -> tuple[str, ...]:
    pool = tuple(values)
    if not pool or len(set(pool)) != len(pool) or len(pool) > limit:
        raise InvalidArgument(f"{name} must be 1 to {limit} distinct values, got {values!r}")
    for value in pool:
        try:
            check(value)
        except RtmError as err:
            raise InvalidArgument(f"{name}: {err.reason} ({err.detail})") from err
    return pool


#: A row of the surface table a script action stands for.
Row = Operation | Control


def action_name(row: Row) -> str:
    """The script action of a table row: the scripted user's method (``UserHandle``) for
    an SDK operation, ``<name>_stream`` for a stream-channel handle's calls on its own
    channel (``join_stream``; its topic calls keep their names: ``join_topic``), the
    ``Emulator`` verb for a control row.

    Raises:
        ValueError: for a control row with no Python verb.
    """
    if isinstance(row, Operation):
        own = row.home == "stream" and all(p.sdk != "topicName" for p in row.params)
        return f"{row.python}_stream" if own else row.python
    if row.python is None:
        raise ValueError(f"control verb {row.js!r} has no Python verb")
    return row.python


class _Draw:
    """One step being drawn: the user, what the model knows of it, and the script's clock."""

    def __init__(
        self,
        draw: st.DrawFn,
        uid: str,
        model: dict[str, _User],
        channels: tuple[str, ...],
        topics: tuple[str, ...] = (),
    ) -> None:
        self.draw, self.uid, self.model, self.channels = draw, uid, model, channels
        self.topics = topics
        self.user = model[uid]
        self.messages = sorted(n for t, n in self.user.entered if t == MESSAGE)
        self.streams = sorted(n for t, n in self.user.entered if t == STREAM)
        #: (stream channel, topic) the user surely publishes
        self.published = sorted((c, t) for c, ts in self.user.topics.items() for t in ts)


def _enter(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    """``subscribe`` / ``join_stream``: R-L4's limits, half the time a new channel."""
    draw, user = s.draw, s.user
    ctype = MESSAGE if row is SUBSCRIBE else STREAM
    names: Sequence[str] = s.channels
    if ctype == MESSAGE and len(user.entered) >= MESSAGE_CHANNEL_COUNT:
        # R-L4: only re-subscribes (50 entries hold at least 40 MESSAGE ones)
        names = s.messages
    else:
        fresh = [n for n in s.channels if (ctype, n) not in user.entered]
        if fresh:  # half the time a channel the user is not in yet
            names = fresh if draw(st.booleans()) else s.channels
    user.use()
    name = draw(st.sampled_from(names))
    with_presence = draw(st.sampled_from([True, True, True, False]))
    be_quiet = draw(st.sampled_from([False, False, False, True]))
    user.entered[(ctype, name)] = None
    return (action_name(row), s.uid, name, with_presence, be_quiet), now


def _unsubscribe(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    """R-L5: also a channel the user is not in (it resolves)."""
    pool: Sequence[str] = s.channels
    if s.messages:
        pool = s.messages if s.draw(st.booleans()) else s.channels
    name = s.draw(st.sampled_from(pool))
    s.user.use()
    s.user.leave((MESSAGE, name))
    return (action_name(row), s.uid, name), now


def _leave_stream(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    """Only a stream channel the user is in (else -11001)."""
    name = s.draw(st.sampled_from(s.streams))
    s.user.leave((STREAM, name))
    return (action_name(row), s.uid, name), now


def _set_state(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    """R-S1: JSON values, never ``{}``; R-S4: every setState writes the cache."""
    draw = s.draw
    s.user.use()
    key = (draw(st.sampled_from(_TYPES)), draw(st.sampled_from(s.channels)))
    state = draw(st.dictionaries(st.sampled_from(_KEYS), st.sampled_from(_VALUES), min_size=1))
    s.user.cache[key] = None
    return (action_name(row), s.uid, key[1], key[0], state), now


def _remove_state(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    """R-S4: never refused, may add an empty cache entry."""
    draw = s.draw
    s.user.use()
    key = (draw(st.sampled_from(_TYPES)), draw(st.sampled_from(s.channels)))
    keys = draw(st.none() | st.lists(st.sampled_from(_KEYS), max_size=2, unique=True))
    s.user.cache[key] = None
    return (action_name(row), s.uid, key[1], key[0], keys), now


def _disconnect(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    s.user.disconnect(now)
    return (action_name(row), s.uid), now


def _reconnect(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    s.user.network_up = True  # R-T3: the link returns at the next retry
    return (action_name(row), s.uid), now


def _logout(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    s.user.logout()
    return (action_name(row), s.uid), now


def _login(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    s.user.use()
    return (action_name(row), s.uid), now


def _advance(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    """The script's clock moves; each user's reconnect attempts due by then are played."""
    seconds = s.draw(
        st.sampled_from(_DURATIONS) | st.integers(0, 400_000).map(lambda ms: ms / 1000)
    )
    now += check_duration_ms(action_name(row), seconds)
    for other in s.model.values():
        other.advance(now)
    return (action_name(row), seconds), now


def _set_presence_available(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    name = s.draw(st.sampled_from(s.channels))
    ctype = s.draw(st.sampled_from(_TYPES))
    available = s.draw(st.sampled_from([True, True, False]))
    return (action_name(row), name, ctype, available), now


def _custom_type(s: _Draw) -> str | None:
    return s.draw(st.sampled_from(_CUSTOM_TYPES))


def _message(s: _Draw, limit: int, custom: str | None) -> str | bytes:
    """R-M1 / R-M18: a non-empty string or bytes; now and then exactly as long as the
    limit allows next to the custom type (UTF-8 bytes of both together)."""
    draw = s.draw
    room = limit - len((custom or "").encode())
    kind = draw(st.sampled_from(["text", "text", "bytes", "full"]))
    if kind == "text":
        return draw(st.text(UNICODE, min_size=1, max_size=12))
    if kind == "bytes":
        return draw(st.binary(min_size=1, max_size=12))
    return "x" * room if draw(st.booleans()) else bytes(room)


def _online(s: _Draw) -> list[str]:
    """The users a USER message can reach now: the caller (its handle logs it in) and
    every user whose link is surely CONNECTED (R-M4: a user whose link is down may have
    been timed out by the server, whatever its timeouts)."""
    return [uid for uid, user in s.model.items() if uid == s.uid or user.link == _UP]


def _publish(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    """R-M1: a MESSAGE channel (no subscription needed) or a user who is online (R-M4);
    string or bytes, a custom type, ``storeInHistory`` (history is on by default)."""
    draw = s.draw
    s.user.use()
    to_user = draw(st.sampled_from([False, False, True]))
    target = draw(st.sampled_from(_online(s) if to_user else s.channels))
    custom = _custom_type(s)
    message = _message(s, MAX_MESSAGE_BYTES, custom)
    store = draw(st.sampled_from([False, False, True]))
    ctype = "USER" if to_user else MESSAGE
    return (action_name(row), s.uid, target, message, ctype, custom, store), now


def _join_topic(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    """R-M13: a topic of a stream channel the user joined (its link CONNECTED, R-M12);
    one already joined resolves, and the pool has at most 8 topics."""
    draw = s.draw
    channel = draw(st.sampled_from(s.streams))
    topic = draw(st.sampled_from(s.topics))
    s.user.topics.setdefault(channel, {})[topic] = None
    return (action_name(row), s.uid, channel, topic), now


def _leave_topic(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    """R-M14: only a topic the user surely publishes (else -11016)."""
    channel, topic = s.draw(st.sampled_from(s.published))
    del s.user.topics[channel][topic]
    return (action_name(row), s.uid, channel, topic), now


def _subscribe_topic(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    """R-M15: 1 to 3 listed users (others when there are, half the time only those in
    the channel), in a topic that holds fewer than 64; listed users who do not publish
    it are pre-subscribed."""
    draw = s.draw
    pairs = _subscribable(s)
    channel, topic = draw(st.sampled_from(pairs))
    others = [uid for uid in s.model if uid != s.uid] or [s.uid]
    members = [uid for uid in others if (STREAM, channel) in s.model[uid].entered]
    in_channel: bool = bool(members) and draw(st.booleans())  # half the time, if any
    pool = members if in_channel else others
    users: list[str] = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
    listed = s.user.listed.setdefault((channel, topic), {})
    for uid in users:
        listed[uid] = None
    return (action_name(row), s.uid, channel, topic, tuple(users)), now


def _subscribable(s: _Draw) -> list[tuple[str, str]]:
    """(stream channel, topic) pairs where subscribeTopic cannot meet -11003."""
    listed = s.user.listed
    return [
        (c, t) for c in s.streams for t in s.topics if len(listed.get((c, t), ())) < MAX_TOPIC_USERS
    ]


def _publish_topic_message(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    """R-M18: in a topic the user surely publishes; at most 1024 bytes with the custom
    type."""
    channel, topic = s.draw(st.sampled_from(s.published))
    custom = _custom_type(s)
    message = _message(s, MAX_TOPIC_MESSAGE_BYTES, custom)
    return (action_name(row), s.uid, channel, topic, message, custom), now


def _get_messages(row: Row, s: _Draw, now: int) -> tuple[Action, int]:
    """R-M10: a MESSAGE channel's history, or the user's own ``USER`` history (another
    user's is -15004); a ``messageCount`` or the default."""
    draw = s.draw
    to_user = draw(st.booleans())
    channel = s.uid if to_user else draw(st.sampled_from(s.channels))
    count = draw(st.sampled_from(_COUNTS))
    return (action_name(row), s.uid, channel, "USER" if to_user else MESSAGE, count), now


_Branch = Callable[[Row, _Draw, int], tuple[Action, int]]
#: One branch per drawable row of the surface table: what it draws and what the model
#: learns (``tests/toolkit/test_strategies.py`` checks these are exactly the rows a
#: script can play: the scripted user's SDK calls and the control rows marked ``hook``,
#: less :data:`NOT_DRAWN`).
BRANCHES: Mapping[Row, _Branch] = MappingProxyType(
    {
        LOGIN: _login,
        LOGOUT: _logout,
        SUBSCRIBE: _enter,
        UNSUBSCRIBE: _unsubscribe,
        JOIN: _enter,
        LEAVE: _leave_stream,
        SET_STATE: _set_state,
        REMOVE_STATE: _remove_state,
        ADVANCE: _advance,
        DISCONNECT: _disconnect,
        RECONNECT: _reconnect,
        SET_PRESENCE_AVAILABLE: _set_presence_available,
        PUBLISH: _publish,
        JOIN_TOPIC: _join_topic,
        LEAVE_TOPIC: _leave_topic,
        SUBSCRIBE_TOPIC: _subscribe_topic,
        PUBLISH_TOPIC_MESSAGE: _publish_topic_message,
        GET_MESSAGES: _get_messages,
    }
)
#: The branches only :func:`message_scripts` draws.
MESSAGE_ROWS: frozenset[Row] = frozenset(
    {PUBLISH, JOIN_TOPIC, LEAVE_TOPIC, SUBSCRIBE_TOPIC, PUBLISH_TOPIC_MESSAGE, GET_MESSAGES}
)
#: Playable rows the generator never draws, and why.
NOT_DRAWN: Mapping[Row, str] = MappingProxyType(
    {
        SET_DELIVERY_LATENCY: "it changes when events arrive, not what a script may do next",
        UNSUBSCRIBE_TOPIC: "-11013 unless the topic still holds a user, which a server "
        "timeout during a link loss (any timeouts) may have undone: the model cannot know",
        # storage (R-ST...): scripts draw presence and messaging; the storage verbs of
        # the scripted user are for hand-written tests until a storage model exists
        # locks (R-LK...): likewise, until a lock model exists
        SET_LOCK: "locks are not in the generated scripts' model yet",
        ACQUIRE_LOCK: "locks are not in the generated scripts' model yet",
        RELEASE_LOCK: "locks are not in the generated scripts' model yet",
        SET_CHANNEL_METADATA: "storage is not in the generated scripts' model yet",
        SET_USER_METADATA: "storage is not in the generated scripts' model yet",
        SUBSCRIBE_USER_METADATA: "storage is not in the generated scripts' model yet",
    }
)


def _choices(s: _Draw, faults: bool, time: bool, logouts: bool, messages: bool) -> list[Row]:
    """The rows valid for this user now, weighted by repetition: entering and state
    changes are common, faults rare; the first is the simplest (what Hypothesis shrinks
    towards)."""
    user = s.user
    live = user.link != _DOWN  # IDLE (the handle logs in) or CONNECTED
    choices: list[Row] = []
    if live:
        choices += [SUBSCRIBE] * 4
        if user.streams() < STREAM_CHANNEL_COUNT:  # R-L4: re-joins count too
            choices += [JOIN] * 2
        if s.streams:
            choices.append(LEAVE)
    if len(user.cache) <= MAX_CACHE_ENTRIES:  # R-S4: works while down too (R-T3)
        choices += [SET_STATE] * 3
    choices.append(REMOVE_STATE)
    choices += [UNSUBSCRIBE] * (2 if s.messages else 1)  # R-L5: resolves when not in
    if faults and user.link != _IDLE:
        choices += [DISCONNECT] if user.network_up else [RECONNECT] * 3
    if logouts:
        choices.append(LOGOUT)
    if live:
        choices.append(LOGIN)
    if time:
        choices += [ADVANCE] * (4 if user.link == _DOWN else 2)
    if faults:
        choices.append(SET_PRESENCE_AVAILABLE)
    if messages:
        choices += _message_choices(s)
    return choices


def _message_choices(s: _Draw) -> list[Row]:
    """R-M1: publish needs a CONNECTED link (the handle logs in from IDLE); R-M10 and the
    topic calls (R-M12) need it CONNECTED already, a topic call a stream channel joined."""
    user = s.user
    choices: list[Row] = []
    if user.link != _DOWN:
        choices += [PUBLISH] * 3
        if user.streams() < STREAM_CHANNEL_COUNT:
            choices += [JOIN] * 2  # topics live in stream channels: join them more often
    if user.link == _UP:
        choices.append(GET_MESSAGES)
        if s.streams:
            choices += [JOIN_TOPIC] * 4
            if _subscribable(s):
                choices += [SUBSCRIBE_TOPIC] * 4
        if s.published:
            choices += [PUBLISH_TOPIC_MESSAGE] * 6 + [LEAVE_TOPIC]
    return choices


@st.composite
def _scripts(
    draw: st.DrawFn,
    users: tuple[str, ...],
    channels: tuple[str, ...],
    min_size: int,
    max_size: int,
    faults: bool,
    time: bool,
    logouts: bool,
    topics: tuple[str, ...],
) -> list[Action]:
    model = {uid: _User() for uid in users}
    now = 0  # ms since the script started: only "advance" moves it
    script: list[Action] = []
    messages = bool(topics)
    for _ in range(draw(st.integers(min_size, max_size))):
        step = _Draw(draw, draw(st.sampled_from(users)), model, channels, topics)
        row = draw(st.sampled_from(_choices(step, faults, time, logouts, messages)))
        action, now = BRANCHES[row](row, step, now)
        script.append(action)
    return script


def presence_scripts(
    *,
    users: Sequence[str] = ("alice", "bob", "carol", "dave"),
    channels: Sequence[str] = ("room", "lobby"),
    min_size: int = 0,
    max_size: int = 30,
    faults: bool = True,
    time: bool = True,
    logouts: bool = True,
) -> st.SearchStrategy[list[Action]]:
    """Valid presence scenarios: lists of action tuples for :func:`run_script`.

    The actions (``user`` from ``users``, ``channel`` from ``channels``, channel types
    ``"MESSAGE"`` / ``"STREAM"``, state keys ``mood`` / ``seat`` / ``mic`` with JSON
    values)::

        ("login", user)                       ("logout", user)
        ("subscribe", user, channel, with_presence, be_quiet)
        ("unsubscribe", user, channel)
        ("join_stream", user, channel, with_presence, be_quiet)
        ("leave_stream", user, channel)
        ("set_state", user, channel, channel_type, {key: value, ...})
        ("remove_state", user, channel, channel_type, [key, ...] or None)
        ("disconnect", user)                  ("reconnect", user)         # faults=True
        ("set_presence_available", channel, channel_type, bool)            # faults=True
        ("advance", seconds)                                               # time=True

    Every script is valid: played by :func:`run_script` on a fresh emulator (whatever
    its debounce, interval or timeouts, as long as ``max_channel_users >= len(users)``)
    no action raises.  The generator keeps each user within 50 channels and 10 stream
    channels (R-L4, a stream re-join counted too), keeps the state cache within its
    limit (R-S4), never sets ``{}``, never leaves a stream channel the user is not in,
    and follows each user's link (R-T3, R-T4): after ``disconnect`` the link is down
    until the first reconnect attempt that starts after ``reconnect`` (the attempts
    start 2 s after the loss, then 5 s + 4, 8, 16, 32, 32, 30... s apart, on the clock
    the script's ``advance`` moves), and while it is down the user only changes state,
    unsubscribes (both work locally), logs out, or reconnects.  ``unsubscribe`` may name
    a channel the user is not in (it resolves, R-L5).  ``logouts=False`` leaves
    ``("logout", user)`` out, so that long scripts build up to the channel limits.
    Invalid calls belong in tests of their own (see :func:`invalid_states` and friends).

    Raises:
        InvalidArgument: for invalid, duplicate or too many (over 10,000) users /
            channels, or sizes outside ``0 <= min_size <= max_size``.
    """
    pool_users, pool_channels = _check_pools(users, channels, min_size, max_size)
    return _scripts(pool_users, pool_channels, min_size, max_size, faults, time, logouts, ())


def _check_pools(
    users: Sequence[str], channels: Sequence[str], min_size: int, max_size: int
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The user and channel pools as tuples, checked.

    Raises:
        InvalidArgument: for invalid, duplicate or too many users / channels, or sizes
            outside ``0 <= min_size <= max_size``.
    """
    pool_users = _check_pool("users", users, lambda u: check_user_id("users", u), _MAX_POOL)
    pool_channels = _check_pool(
        "channels", channels, lambda c: check_channel_name("channels", c), _MAX_POOL
    )
    if not 0 <= min_size <= max_size:
        raise InvalidArgument(f"need 0 <= min_size <= max_size, got {min_size}, {max_size}")
    return pool_users, pool_channels


def message_scripts(
    *,
    users: Sequence[str] = ("alice", "bob", "carol", "dave"),
    channels: Sequence[str] = ("room", "lobby"),
    topics: Sequence[str] = ("chat", "moves"),
    min_size: int = 0,
    max_size: int = 30,
    faults: bool = True,
    time: bool = True,
    logouts: bool = True,
) -> st.SearchStrategy[list[Action]]:
    """Valid scenarios with messages: :func:`presence_scripts`' actions and these
    (``message`` a non-empty ``str`` or ``bytes``, ``custom_type`` ``None``, ``""``,
    ``"chat"``, ``"cmd"`` or 32 bytes, ``topic`` from ``topics``)::

        ("publish", user, channel_or_user, message, "MESSAGE" or "USER",
         custom_type, store_in_history)
        ("join_topic", user, channel, topic)
        ("subscribe_topic", user, channel, topic, (user, ...))
        ("publish_topic_message", user, channel, topic, message, custom_type)
        ("leave_topic", user, channel, topic)
        ("get_messages", user, channel_or_own_id, "MESSAGE" or "USER", count or None)

    Every script is valid as :func:`presence_scripts`' are, on an emulator with history
    on (the default).  The model adds: a ``publish`` while the link is not down (the
    handle logs in), to any channel of ``channels`` (no subscription needed) or to a
    user that is surely online (the caller, or one whose link is CONNECTED: a user
    whose link is down may have been timed out, R-M4), its message now and then exactly
    at the 32768-byte limit with the custom type (R-M1); topic calls and
    ``get_messages`` only while the link is CONNECTED (R-M10, R-M12), topic calls in a
    stream channel the user joined; ``leave_topic`` and ``publish_topic_message`` only
    in a topic the user surely publishes (joined since its last link loss: a server
    timeout meanwhile drops its topics, R-M21), the message at most 1024 bytes with the
    custom type (R-M18); ``subscribe_topic`` lists 1 to 3 other users in a topic that
    holds fewer than 64 (R-M15); ``get_messages`` of ``"USER"`` only the user's own
    (-15004 otherwise).  ``unsubscribe_topic`` is never drawn (see ``NOT_DRAWN``).

    Raises:
        InvalidArgument: as :func:`presence_scripts`, and for ``topics`` that are not 1
            to 8 distinct valid topic names (R-M12, R-M13).
    """
    pool_users, pool_channels = _check_pools(users, channels, min_size, max_size)
    pool_topics = _check_pool(
        "topics", topics, lambda t: check_topic_name("topics", t), MAX_LOCAL_TOPICS
    )
    return _scripts(
        pool_users, pool_channels, min_size, max_size, faults, time, logouts, pool_topics
    )


def _shape(method: Any) -> tuple[int, tuple[str, ...]]:
    """How many positional parameters a ``UserHandle`` method takes after ``self``, and
    the names of its keyword-only ones (an action's arguments fill them in order)."""
    params = list(inspect.signature(method).parameters.values())[1:]
    positional = sum(1 for p in params if p.kind is p.POSITIONAL_OR_KEYWORD)
    return positional, tuple(p.name for p in params if p.kind is p.KEYWORD_ONLY)


#: The user actions: the scripted user's methods (``emu.user(...)``), name -> shape.
_USER_ACTIONS = {
    name: _shape(method)
    for name, method in vars(UserHandle).items()
    if not name.startswith("_") and inspect.isfunction(method)
}
#: The emulator's actions: the control verbs of the surface table (``_surface.CONTROL``)
#: that are methods of ``Emulator``, name -> whether the verb takes the app id.
_EMULATOR_ACTIONS = {
    row.python: any(p.kind == "app" for p in row.params)
    for row in CONTROL
    if row.python is not None and callable(getattr(Emulator, row.python, None))
}


_Call = Coroutine[Any, Any, Any]


def _play_subscribe_topic(
    client: RTMClient, channel: str, topic: str, users: Sequence[str]
) -> _Call:
    return client.create_stream_channel(channel).subscribe_topic(topic, users=list(users))


def _play_unsubscribe_topic(
    client: RTMClient, channel: str, topic: str, users: Sequence[str] | None
) -> _Call:
    listed = None if users is None else list(users)
    return client.create_stream_channel(channel).unsubscribe_topic(topic, users=listed)


def _play_leave_topic(client: RTMClient, channel: str, topic: str) -> _Call:
    return client.create_stream_channel(channel).leave_topic(topic)


def _play_get_messages(
    client: RTMClient, channel: str, channel_type: str, count: int | None
) -> _Call:
    return client.history.get_messages(channel, channel_type, message_count=count)


#: SDK rows the scripted user has no method for, played on its client (``handle.client``,
#: logged in already: the model draws them only while the link is CONNECTED).
CLIENT_PLAYS: Mapping[Row, Callable[..., _Call]] = MappingProxyType(
    {
        SUBSCRIBE_TOPIC: _play_subscribe_topic,
        UNSUBSCRIBE_TOPIC: _play_unsubscribe_topic,
        LEAVE_TOPIC: _play_leave_topic,
        GET_MESSAGES: _play_get_messages,
    }
)
#: action name -> (how it is played, how many arguments follow the user)
_CLIENT_ACTIONS = {
    action_name(row): (play, len(inspect.signature(play).parameters) - 1)
    for row, play in CLIENT_PLAYS.items()
}


def _play_on_client(client: RTMClient, name: str, args: Sequence[Any]) -> None:
    """The client action ``name`` with the action's arguments after the user.

    Raises:
        ValueError: for too few or too many arguments.
        RtmError: what the call raised.
    """
    play, count = _CLIENT_ACTIONS[name]
    if len(args) != count:
        raise ValueError(f"{name!r} takes {count} arguments after the user, got {tuple(args)!r}")
    drive(play(client, *args))


def run_script(emu: Emulator, script: Sequence[Action], *, app_id: str = DEFAULT_APP_ID) -> None:
    """Play ``script`` (from :func:`presence_scripts` or :func:`message_scripts`) on
    ``emu`` with scripted users.

    Each user action goes to ``emu.user(user, app_id=app_id)``, its arguments after the
    user filling the method's positional parameters, then its keyword-only ones in
    order (``subscribe``'s ``with_presence``, ``be_quiet``); ``subscribe_topic``,
    ``unsubscribe_topic`` (``(user, channel, topic, users or None)``, never drawn),
    ``leave_topic`` and ``get_messages``, which the handle has no method for, go to its
    client (``handle.client``: the stream channel's handle, ``history``); ``advance``,
    ``set_presence_available`` (and any other control verb of the emulator) go to the
    emulator, with ``app_id`` when the verb takes one.  Nothing is swallowed: an action
    the emulator rejects raises its ``RtmError`` (and the actions after it do not run).

    Raises:
        RtmError: what the failing action raised.
        ValueError: for an action tuple it does not know, or a user action with too
            few or too many arguments.
    """
    for action in script:
        name, args = action[0], action[1:]
        if name in _USER_ACTIONS:
            uid, rest = args[0], args[1:]
            positional, keywords = _USER_ACTIONS[name]
            method = getattr(emu.user(uid, app_id=app_id), name)
            method(*rest[:positional], **dict(zip(keywords, rest[positional:], strict=True)))
        elif name in _CLIENT_ACTIONS:
            _play_on_client(emu.user(args[0], app_id=app_id).client, name, args[1:])
        elif name in _EMULATOR_ACTIONS:
            verb = getattr(emu, name)
            if _EMULATOR_ACTIONS[name]:
                verb(*args, app_id=app_id)
            else:
                verb(*args)
        else:
            raise ValueError(f"unknown script action {action!r}")
