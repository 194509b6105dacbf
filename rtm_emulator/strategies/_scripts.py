"""Whole presence scenarios: :func:`presence_scripts` draws valid scripts while it keeps
a small model of each user (R-L4, R-S4, R-T3, R-T4); :func:`run_script` plays one."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
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
from .._scripting import UserHandle
from .._surface import (
    CONTROL,
    JOIN,
    LEAVE,
    LOGIN,
    LOGOUT,
    REMOVE_STATE,
    SET_STATE,
    SUBSCRIBE,
    UNSUBSCRIBE,
    Operation,
)
from .._validate import check_channel_name, check_duration_ms, check_user_id
from ._common import (
    DEFAULT_APP_ID,
    MAX_CACHE_ENTRIES,
    MESSAGE,
    MESSAGE_CHANNEL_COUNT,
    STREAM,
    STREAM_CHANNEL_COUNT,
)

#: One step of a script: ``(name, *arguments)``; see :func:`presence_scripts`.
Action = tuple[Any, ...]


_KEYS = ("mood", "seat", "mic")
#: R-S1: values are JSON values (the seed's ``isTyping: false`` included)
_VALUES: tuple[Any, ...] = ("", "1", "ok", 2, False, None, ["a"], {"x": 1})
_DURATIONS = (0.5, 1.0, 2.0, 2.5, 5.0, 7.0, 15.0, 30.0, 120.0, 320.0)
_TYPES = (MESSAGE, STREAM)
_MAX_POOL = 10_000
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

    def logout(self) -> None:
        """R-L2: out of every channel, no cache; the network switch is back on."""
        self.link, self.network_up = _IDLE, True
        self.entered.clear()
        self.cache.clear()

    def use(self) -> None:
        """The handle logs in before an action when its link is IDLE."""
        if self.link == _IDLE:
            self.link = _UP

    def disconnect(self, now: int) -> None:
        """R-T4: the link goes DISCONNECTED now and tries again 2 s later."""
        self.network_up = False
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
    an SDK operation, ``<name>_stream`` for a stream-channel handle's (``join_stream``),
    the ``Emulator`` verb for a control row.

    Raises:
        ValueError: for a control row with no Python verb.
    """
    if isinstance(row, Operation):
        return f"{row.python}_stream" if row.home == "stream" else row.python
    if row.python is None:
        raise ValueError(f"control verb {row.js!r} has no Python verb")
    return row.python


class _Draw:
    """One step being drawn: the user, what the model knows of it, and the script's clock."""

    def __init__(
        self, draw: st.DrawFn, uid: str, model: dict[str, _User], channels: tuple[str, ...]
    ) -> None:
        self.draw, self.uid, self.model, self.channels = draw, uid, model, channels
        self.user = model[uid]
        self.messages = sorted(n for t, n in self.user.entered if t == MESSAGE)
        self.streams = sorted(n for t, n in self.user.entered if t == STREAM)


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
    }
)
#: Playable rows the generator never draws, and why.
NOT_DRAWN: Mapping[Row, str] = MappingProxyType(
    {SET_DELIVERY_LATENCY: "it changes when events arrive, not what a script may do next"}
)


def _choices(s: _Draw, faults: bool, time: bool, logouts: bool) -> list[Row]:
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
) -> list[Action]:
    model = {uid: _User() for uid in users}
    now = 0  # ms since the script started: only "advance" moves it
    script: list[Action] = []
    for _ in range(draw(st.integers(min_size, max_size))):
        step = _Draw(draw, draw(st.sampled_from(users)), model, channels)
        row = draw(st.sampled_from(_choices(step, faults, time, logouts)))
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
    pool_users = _check_pool("users", users, lambda u: check_user_id("users", u), _MAX_POOL)
    pool_channels = _check_pool(
        "channels", channels, lambda c: check_channel_name("channels", c), _MAX_POOL
    )
    if not 0 <= min_size <= max_size:
        raise InvalidArgument(f"need 0 <= min_size <= max_size, got {min_size}, {max_size}")
    return _scripts(pool_users, pool_channels, min_size, max_size, faults, time, logouts)


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


def run_script(emu: Emulator, script: Sequence[Action], *, app_id: str = DEFAULT_APP_ID) -> None:
    """Play ``script`` (from :func:`presence_scripts`) on ``emu`` with scripted users.

    Each user action goes to ``emu.user(user, app_id=app_id)``, its arguments after the
    user filling the method's positional parameters, then its keyword-only ones in
    order (``subscribe``'s ``with_presence``, ``be_quiet``); ``advance``,
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
        elif name in _EMULATOR_ACTIONS:
            verb = getattr(emu, name)
            if _EMULATOR_ACTIONS[name]:
                verb(*args, app_id=app_id)
            else:
                verb(*args)
        else:
            raise ValueError(f"unknown script action {action!r}")
