"""Hypothesis strategies for property tests of code that talks to ``rtm_emulator``.

Hypothesis is an optional dependency (``pip install hypothesis``; from a clone,
``pip install -e ".[hypothesis]"`` or ``".[test]"``); ``import rtm_emulator`` never
imports it, only this module does.  A property test of the code under test, here a
view of who is online kept from presence events::

    from hypothesis import given
    from rtm_emulator import Emulator
    from rtm_emulator.strategies import presence_scripts, run_script

    class PresenceView:  # the code under test
        def __init__(self, client):
            self.users = {}
            client.add_event_listener("presence", self.on_presence)

        def on_presence(self, event):
            users = self.users.setdefault(event.channel_name, set())
            kind = event.event_type.value
            if kind == "SNAPSHOT":
                users.clear()
                users.update(u.user_id for u in event.snapshot)
            elif kind == "REMOTE_JOIN":
                users.add(event.publisher)
            elif kind in ("REMOTE_LEAVE", "REMOTE_TIMEOUT"):
                users.discard(event.publisher)

        def online(self, channel):
            return sorted(self.users.get(channel, ()))

    @given(presence_scripts(faults=False))  # no presence outage: no event is missed
    def test_my_presence_view_stays_in_sync(script):
        emu = Emulator()
        me = emu.user("me")
        view = PresenceView(me.client)  # listening before the subscribe: the SNAPSHOT too
        me.subscribe("room")
        run_script(emu, script)
        emu.run_until_idle()
        assert view.online("room") == emu.online_users("room", "MESSAGE")

(A view made after ``subscribe`` misses the SNAPSHOT, and the test fails on the empty
script.)  docs/testing.md, "Hypothesis strategies", says what each strategy generates.

The limits come from the package's own constants (``rtm_emulator._validate``,
``rtm_emulator._engine``, ``rtm_emulator._link``), which follow the SDK runtime
(agora-rtm.js 2.3.0).

The *valid* strategies (:func:`user_ids`, :func:`channel_names`, :func:`channel_types`,
:func:`state_keys`, :func:`state_values`, :func:`states`) only produce values the
emulator accepts, boundaries included: ids and names of 1 to 64 characters of the R-C1
charset (``"null"`` included), keys of up to 32 bytes, string values of up to 16384
UTF-8 bytes, any other JSON value (R-S1), 1 to 32 keys.  The *invalid* ones produce
values that are always rejected: :func:`invalid_user_ids` with -10006,
:func:`invalid_channel_names` with -10008, :func:`invalid_channel_types` with -10019,
and :func:`invalid_states` / :func:`invalid_state_removals` as ``(argument,
expected_error_code)`` pairs (R-S3).

:func:`presence_scripts` produces whole scenarios as lists of action tuples, and
:func:`run_script` plays one on an emulator through scripted users (``emu.user(...)``).
The strategy tracks a small model of each user while it draws (channel limits R-L4,
state cache R-S4, link state and reconnect retries R-T3 / R-T4, on the clock the script
itself advances), so it only produces **valid** scripts: played on a fresh emulator, no
action raises.  :func:`run_script` swallows nothing, so an ``RtmError`` out of it means
a script was not valid for the emulator it ran on (e.g. one whose ``max_channel_users``
is below the number of users), or a bug.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, overload

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "rtm_emulator.strategies needs Hypothesis, an optional dependency of rtm-emulator: "
        'pip install hypothesis (from a clone: pip install -e ".[hypothesis]")'
    ) from exc

from ._emulator import Emulator
from ._engine import DEFAULT_APP_ID, MESSAGE_CHANNEL_COUNT, STREAM_CHANNEL_COUNT
from ._errors import ErrorCode, RtmError
from ._link import ATTEMPT_MS, retry_delay_ms
from ._types import ChannelType
from ._validate import (
    MAX_CACHE_ENTRIES,
    MAX_KEY_BYTES,
    MAX_NAME_CHARS,
    MAX_STATE_KEYS,
    MAX_VALUE_BYTES,
    check_channel_name,
    check_duration_ms,
    check_user_id,
    is_valid_name,
    js_utf8_length,
)

__all__ = [
    "MAX_STATE_KEYS",
    "Action",
    "channel_names",
    "channel_types",
    "invalid_channel_names",
    "invalid_channel_types",
    "invalid_state_removals",
    "invalid_states",
    "invalid_user_ids",
    "presence_scripts",
    "run_script",
    "state_keys",
    "state_values",
    "states",
    "user_ids",
]

#: One step of a script: ``(name, *arguments)``; see :func:`presence_scripts`.
Action = tuple[Any, ...]

# R-C1: the SDK's charset for user ids, channel names and state keys, read off the
# package's own predicate (every ASCII character it accepts after a first letter).
_CHARSET = "".join(c for c in map(chr, range(128)) if is_valid_name("a" + c))
_FIRST = _CHARSET.replace("_", "")  # R-C1: not starting with "_"
_UNICODE = st.characters(codec="utf-8")  # every code point UTF-8 can encode (no surrogates)
_SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)  # no UTF-8 form
_OUTSIDE = st.one_of(_UNICODE.filter(lambda c: c not in _CHARSET), _SURROGATES)
_NON_STRINGS: st.SearchStrategy[object] = st.one_of(
    st.none(), st.booleans(), st.integers(), st.binary(min_size=1, max_size=8)
)
#: JSON numbers that survive a round trip through a JS number exactly
_SAFE_INTS = st.integers(-(2**53) + 1, 2**53 - 1)


def _fill(prefix: str, pad: str, slack: int, max_bytes: int) -> str:
    """``prefix`` padded with ``pad`` up to ``max_bytes - slack`` UTF-8 bytes (not over)."""
    room = max(max_bytes - slack - len(prefix.encode()), 0)
    return prefix + pad * (room // len(pad.encode()))


def _up_to_bytes(max_bytes: int, *, min_size: int) -> st.SearchStrategy[str]:
    """Unicode strings of at most ``max_bytes`` UTF-8 bytes, often right at the limit."""
    short = st.text(_UNICODE, min_size=min_size, max_size=min(max_bytes // 4, 32))
    near_limit = st.builds(
        _fill,
        st.text(_UNICODE, max_size=8),
        _UNICODE,
        st.integers(0, 3),
        st.just(max_bytes),
    )
    return st.one_of(short, near_limit)


def _over_bytes(max_bytes: int) -> st.SearchStrategy[str]:
    """Unicode strings of more than ``max_bytes`` UTF-8 bytes (up to about 2 x)."""
    return st.builds(
        lambda prefix, pad, extra: _fill(prefix, pad, 0, max_bytes) + pad * (1 + extra),
        st.text(_UNICODE, max_size=8),
        _UNICODE,
        st.integers(0, max_bytes),
    ).filter(lambda s: len(s.encode()) > max_bytes)


def _ascii(alphabet: str, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """Strings over ``alphabet`` (one byte a character), often at or near ``max_size``."""
    chars = st.sampled_from(alphabet)
    any_size = st.text(chars, min_size=min_size, max_size=max_size)
    near_max = st.builds(
        lambda prefix, pad, slack: (prefix + pad * max_size)[: max(max_size - slack, min_size)],
        st.text(chars, max_size=8),
        chars,
        st.integers(0, 2),
    )
    return st.one_of(any_size, near_max)


def _names(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """R-C1 names: a first character other than ``_``, then the charset."""
    return st.builds(
        lambda first, rest: first + rest,
        st.sampled_from(_FIRST),
        _ascii(_CHARSET, max(min_size - 1, 0), max_size - 1),
    )


def _check_sizes(name: str, min_size: int, max_size: int, limit: int, floor: int = 1) -> None:
    if not floor <= min_size <= max_size <= limit:
        raise InvalidArgument(
            f"{name}: need {floor} <= min_size <= max_size <= {limit}, "
            f"got min_size={min_size}, max_size={max_size}"
        )


def _invalid_names(non_strings: bool) -> st.SearchStrategy[Any]:
    """What R-C1 refuses: empty, too long, leading ``_``, ``.``, outside the charset."""
    rest = st.text(st.sampled_from(_CHARSET), max_size=20)
    bad: st.SearchStrategy[Any] = st.one_of(
        st.just(""),
        st.text(st.sampled_from(_CHARSET), min_size=MAX_NAME_CHARS + 1, max_size=90),
        rest.map(lambda s: "_" + s),
        st.builds(lambda a, b: a + "." + b, rest, rest),
        st.builds(lambda a, c, b: a + c + b, rest, _OUTSIDE, rest),
    )
    return st.one_of(bad, _NON_STRINGS) if non_strings else bad


# ------------------------------------------------------------------ ids and names


def user_ids(*, min_size: int = 1, max_size: int = MAX_NAME_CHARS) -> st.SearchStrategy[str]:
    """Valid user ids (R-C1): ``min_size`` to ``max_size`` (<= 64) characters of the SDK
    charset, not starting with ``_``; ``"null"`` is valid and may come up.

    Every value can be used with ``emu.client`` / ``emu.user`` and logged in.

    Raises:
        InvalidArgument: for sizes outside ``1 <= min_size <= max_size <= 64``.
    """
    _check_sizes("user_ids", min_size, max_size, MAX_NAME_CHARS)
    named = _names(min_size, max_size)
    if min_size <= len("null") <= max_size:
        named = st.one_of(named, st.just("null"))  # R-C1: valid, unlike in revision 1
    return named


@overload
def invalid_user_ids(*, non_strings: Literal[False] = ...) -> st.SearchStrategy[str]: ...
@overload
def invalid_user_ids(*, non_strings: bool) -> st.SearchStrategy[object]: ...
def invalid_user_ids(*, non_strings: bool = False) -> st.SearchStrategy[Any]:
    """User ids the emulator rejects with -10006 ``INVALID_USER_ID`` (R-C1).

    Empty, over 64 characters, starting with ``_``, containing ``.``, or with a
    character outside the SDK charset (lone surrogates included).  ``non_strings=True``
    adds values that are not ``str`` (``None``, ints, bools, bytes), also -10006.
    """
    return _invalid_names(non_strings)


def channel_names(*, min_size: int = 1, max_size: int = MAX_NAME_CHARS) -> st.SearchStrategy[str]:
    """Valid channel names (R-C1, the rule of user ids): the SDK charset, not starting
    with ``_``, no ``.``; ``"null"`` is valid and may come up.

    ``min_size`` to ``max_size`` (<= 64) characters.  Every value can be subscribed to
    and joined as a stream channel.

    Raises:
        InvalidArgument: for sizes outside ``1 <= min_size <= max_size <= 64``.
    """
    _check_sizes("channel_names", min_size, max_size, MAX_NAME_CHARS)
    return user_ids(min_size=min_size, max_size=max_size)


@overload
def invalid_channel_names(*, non_strings: Literal[False] = ...) -> st.SearchStrategy[str]: ...
@overload
def invalid_channel_names(*, non_strings: bool) -> st.SearchStrategy[object]: ...
def invalid_channel_names(*, non_strings: bool = False) -> st.SearchStrategy[Any]:
    """Channel names the emulator rejects with -10008 ``INVALID_CHANNEL_NAME`` (R-C1).

    Empty, over 64 characters, starting with ``_``, containing ``.``, or with a
    character outside the SDK charset.  ``non_strings=True`` adds non-``str`` values.
    """
    return _invalid_names(non_strings)


def channel_types() -> st.SearchStrategy[str]:
    """Valid channel types: ``"MESSAGE"`` / ``"STREAM"``, as strings or ``ChannelType``."""
    return st.sampled_from([ChannelType.MESSAGE, ChannelType.STREAM, "MESSAGE", "STREAM"])


def invalid_channel_types() -> st.SearchStrategy[object]:
    """Channel types the emulator rejects with -10019: ``"USER"``, other case, non-strings."""
    return st.one_of(
        st.sampled_from(["USER", "message", "Stream", "", " MESSAGE", "STREAM "]),
        st.text(max_size=10).filter(lambda s: s not in ("MESSAGE", "STREAM")),
        _NON_STRINGS,
    )


# ------------------------------------------------------------------ state


def state_keys() -> st.SearchStrategy[str]:
    """Valid state keys (R-S3): 1 to 32 characters (bytes) of the R-C1 charset, not
    starting with ``_``; often right at 32."""
    return _names(1, MAX_KEY_BYTES)


def _json_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        _SAFE_INTS,
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(_UNICODE, max_size=8),
    )


def state_values() -> st.SearchStrategy[Any]:
    """Valid state values (R-S1, R-S3): JSON values.

    Strings of at most 16384 UTF-8 bytes (often near the limit), numbers, booleans,
    ``None``, and small lists and objects of those; only strings are measured, so any
    other JSON value is accepted whatever its size.  Values compare equal to what the
    emulator stores (lists, not tuples).
    """
    nested = st.recursive(
        _json_scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(st.text(_UNICODE, max_size=6), inner, max_size=3),
        ),
        max_leaves=6,
    )
    return st.one_of(_up_to_bytes(MAX_VALUE_BYTES, min_size=0), nested)


def states(
    *, min_keys: int = 1, max_keys: int = MAX_STATE_KEYS
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid state maps: ``min_keys`` to ``max_keys`` (1..32) valid keys and values.

    Each one can be set with ``setState`` on a channel where the user holds no state yet
    (R-S3: ``{}`` is -13003, so at least one key).

    Raises:
        InvalidArgument: for sizes outside ``1 <= min_keys <= max_keys <= 32``.
    """
    _check_sizes("states", min_keys, max_keys, MAX_STATE_KEYS)
    keys, values = state_keys(), state_values()
    return st.one_of(
        st.dictionaries(keys, values, min_size=min_keys, max_size=max_keys),
        st.dictionaries(keys, values, min_size=max_keys, max_size=max_keys),  # full
    )


def _with_item(base: dict[Any, Any], key: Any, value: Any, where: int) -> dict[Any, Any]:
    items = [(k, v) for k, v in base.items() if k != key]
    items.insert(min(where, len(items)), (key, value))
    return dict(items)


def _small_keys() -> st.SearchStrategy[str]:
    return _names(1, 8)


def _bad_keys() -> st.SearchStrategy[Any]:
    """Keys of at most 32 bytes that R-S3 refuses with -13006 (the size check is first)."""
    rest = st.text(st.sampled_from(_CHARSET), max_size=10)
    return st.one_of(
        st.just(""),
        rest.map(lambda s: "_" + s),
        st.builds(lambda a, b: a + "." + b, rest, rest),
        st.builds(lambda a, c, b: a + c + b, rest, _OUTSIDE, rest).filter(
            lambda s: js_utf8_length(s) <= MAX_KEY_BYTES
        ),
    )


def invalid_states() -> st.SearchStrategy[tuple[object, ErrorCode]]:
    """``(state, code)``: a ``setState`` argument and the error it always gets (R-S3).

    Each value has exactly one fault, so the code is certain: no keys at all (``{}``,
    ``[]``, ``""``, a number: -13003), a key that is empty, outside the R-C1 charset,
    starts with ``_`` or is not a string (-13006), a key over 32 bytes (-13008), a
    string value over 16384 bytes (-13009), or more than 32 valid keys (-13005).  The
    faulty item sits anywhere among valid ones.  (Values are never refused for their
    type, R-S1; a value JSON cannot carry is a ``TypeError``, not listed here.)

    Valid on a channel where the user holds at most 24 keys (the count and union
    checks come first).
    """
    small = st.text(_UNICODE, max_size=8)
    base = st.dictionaries(_small_keys(), small, max_size=6)
    where = st.integers(0, 6)

    def one_bad(
        key: st.SearchStrategy[Any], value: st.SearchStrategy[Any], code: ErrorCode
    ) -> st.SearchStrategy[tuple[object, ErrorCode]]:
        return st.builds(lambda b, k, v, w: (_with_item(b, k, v, w), code), base, key, value, where)

    no_keys: st.SearchStrategy[object] = st.one_of(
        st.just({}), st.just([]), st.just(""), st.integers(), st.booleans(), st.floats()
    )
    non_string_key: st.SearchStrategy[Any] = st.one_of(
        st.none(), st.integers(), st.booleans(), st.binary(min_size=1, max_size=4)
    )
    return st.one_of(
        no_keys.map(lambda v: (v, ErrorCode.PRESENCE_INVALID_ARGUMENT)),
        one_bad(_bad_keys(), small, ErrorCode.PRESENCE_INVALID_STATE_KEY),
        one_bad(non_string_key, small, ErrorCode.PRESENCE_INVALID_STATE_KEY),
        one_bad(_over_bytes(MAX_KEY_BYTES), small, ErrorCode.PRESENCE_STATE_KEY_SIZE_OVERFLOW),
        one_bad(
            _small_keys(),
            _over_bytes(MAX_VALUE_BYTES),
            ErrorCode.PRESENCE_STATE_VALUE_SIZE_OVERFLOW,
        ),
        st.dictionaries(
            _small_keys(), small, min_size=MAX_STATE_KEYS + 1, max_size=MAX_STATE_KEYS + 8
        ).map(lambda d: (d, ErrorCode.PRESENCE_STATE_COUNT_OVERFLOW)),
    )


def _insert(keys: list[Any], key: Any, where: int) -> list[Any]:
    """``keys`` without ``key``, then ``key`` inserted at ``where``."""
    rest = [k for k in keys if k != key]
    return [*rest[:where], key, *rest[where:]]


def invalid_state_removals() -> st.SearchStrategy[tuple[list[Any], ErrorCode]]:
    """``(states, code)``: a ``removeState`` key list and the error it always gets (R-S3).

    A repeated key (-13010, checked first), more than 32 distinct valid keys (-13005),
    one key that is empty, outside the charset or starts with ``_`` (-13006), or one
    key over 32 bytes (-13008), among distinct valid keys.
    """
    keys = st.lists(_small_keys(), unique=True, max_size=6)
    where = st.integers(0, 6)

    def one_bad(
        key: st.SearchStrategy[Any], code: ErrorCode
    ) -> st.SearchStrategy[tuple[list[Any], ErrorCode]]:
        return st.builds(lambda ks, k, w: (_insert(ks, k, w), code), keys, key, where)

    repeated = st.builds(
        lambda ks, k, w: ([*ks[:w], k, *ks[w:], k], ErrorCode.PRESENCE_STATE_DUPLICATE_KEY),
        keys,
        st.one_of(_small_keys(), _bad_keys(), _over_bytes(MAX_KEY_BYTES)),
        where,
    )
    return st.one_of(
        repeated,
        st.lists(
            _small_keys(), unique=True, min_size=MAX_STATE_KEYS + 1, max_size=MAX_STATE_KEYS + 8
        ).map(lambda ks: (ks, ErrorCode.PRESENCE_STATE_COUNT_OVERFLOW)),
        one_bad(_bad_keys(), ErrorCode.PRESENCE_INVALID_STATE_KEY),
        one_bad(_over_bytes(MAX_KEY_BYTES), ErrorCode.PRESENCE_STATE_KEY_SIZE_OVERFLOW),
    )


# ------------------------------------------------------------------ scripts

_KEYS = ("mood", "seat", "mic")
#: R-S1: values are JSON values (the seed's ``isTyping: false`` included)
_VALUES: tuple[Any, ...] = ("", "1", "ok", 2, False, None, ["a"], {"x": 1})
_DURATIONS = (0.5, 1.0, 2.0, 2.5, 5.0, 7.0, 15.0, 30.0, 120.0, 320.0)
_TYPES = ("MESSAGE", "STREAM")
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
        return sum(1 for t, _ in self.entered if t == "STREAM")

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
        uid = draw(st.sampled_from(users))
        user = model[uid]
        live = user.link != _DOWN  # IDLE (the handle logs in) or CONNECTED
        messages = sorted(n for t, n in user.entered if t == "MESSAGE")
        streams = sorted(n for t, n in user.entered if t == "STREAM")
        # weights by repetition: entering and state changes are common, faults rare;
        # the first choice is the simplest (what Hypothesis shrinks towards)
        choices: list[str] = []
        if live:
            choices += ["subscribe"] * 4
            if user.streams() < STREAM_CHANNEL_COUNT:  # R-L4: re-joins count too
                choices += ["join_stream"] * 2
            if streams:
                choices.append("leave_stream")
        if len(user.cache) <= MAX_CACHE_ENTRIES:  # R-S4: works while down too (R-T3)
            choices += ["set_state"] * 3
        choices.append("remove_state")
        choices += ["unsubscribe"] * (2 if messages else 1)  # R-L5: resolves when not in
        if faults and user.link != _IDLE:
            choices += ["disconnect"] if user.network_up else ["reconnect"] * 3
        if logouts:
            choices.append("logout")
        if live:
            choices.append("login")
        if time:
            choices += ["advance"] * (4 if user.link == _DOWN else 2)
        if faults:
            choices.append("set_presence_available")
        kind = draw(st.sampled_from(choices))

        if kind in ("subscribe", "join_stream"):
            ctype = "MESSAGE" if kind == "subscribe" else "STREAM"
            names: Sequence[str] = channels
            if ctype == "MESSAGE" and len(user.entered) >= MESSAGE_CHANNEL_COUNT:
                # R-L4: only re-subscribes (50 entries hold at least 40 MESSAGE ones)
                names = messages
            else:
                fresh = [n for n in channels if (ctype, n) not in user.entered]
                if fresh:  # half the time a channel the user is not in yet
                    names = fresh if draw(st.booleans()) else channels
            user.use()
            name = draw(st.sampled_from(names))
            with_presence = draw(st.sampled_from([True, True, True, False]))
            be_quiet = draw(st.sampled_from([False, False, False, True]))
            user.entered[(ctype, name)] = None
            script.append((kind, uid, name, with_presence, be_quiet))
        elif kind == "unsubscribe":
            pool: Sequence[str] = channels
            if messages:
                pool = messages if draw(st.booleans()) else channels
            name = draw(st.sampled_from(pool))
            user.use()
            user.leave(("MESSAGE", name))
            script.append(("unsubscribe", uid, name))
        elif kind == "leave_stream":
            name = draw(st.sampled_from(streams))
            user.leave(("STREAM", name))
            script.append(("leave_stream", uid, name))
        elif kind == "set_state":
            user.use()
            key = (draw(st.sampled_from(_TYPES)), draw(st.sampled_from(channels)))
            state = draw(
                st.dictionaries(st.sampled_from(_KEYS), st.sampled_from(_VALUES), min_size=1)
            )
            user.cache[key] = None  # R-S4: every setState writes the cache
            script.append(("set_state", uid, key[1], key[0], state))
        elif kind == "remove_state":
            user.use()
            key = (draw(st.sampled_from(_TYPES)), draw(st.sampled_from(channels)))
            keys = draw(st.none() | st.lists(st.sampled_from(_KEYS), max_size=2, unique=True))
            user.cache[key] = None  # R-S4: never refused, may add an empty entry
            script.append(("remove_state", uid, key[1], key[0], keys))
        elif kind == "disconnect":
            user.disconnect(now)
            script.append(("disconnect", uid))
        elif kind == "reconnect":
            user.network_up = True  # R-T3: the link returns at the next retry
            script.append(("reconnect", uid))
        elif kind == "logout":
            user.logout()
            script.append(("logout", uid))
        elif kind == "login":
            user.use()
            script.append(("login", uid))
        elif kind == "advance":
            seconds = draw(
                st.sampled_from(_DURATIONS) | st.integers(0, 400_000).map(lambda ms: ms / 1000)
            )
            now += check_duration_ms("advance", seconds)
            for other in model.values():
                other.advance(now)
            script.append(("advance", seconds))
        else:
            name = draw(st.sampled_from(channels))
            ctype = draw(st.sampled_from(_TYPES))
            available = draw(st.sampled_from([True, True, False]))
            script.append(("set_presence_available", name, ctype, available))
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


def run_script(emu: Emulator, script: Sequence[Action], *, app_id: str = DEFAULT_APP_ID) -> None:
    """Play ``script`` (from :func:`presence_scripts`) on ``emu`` with scripted users.

    Each user action goes to ``emu.user(user, app_id=app_id)``; ``advance`` and
    ``set_presence_available`` go to the emulator.  Nothing is swallowed: an action the
    emulator rejects raises its ``RtmError`` (and the actions after it do not run).

    Raises:
        RtmError: what the failing action raised.
        ValueError: for an action tuple it does not know.
    """
    for action in script:
        name, args = action[0], action[1:]
        if name == "advance":
            emu.advance(*args)
        elif name == "set_presence_available":
            emu.set_presence_available(*args, app_id=app_id)
        elif name in _USER_ACTIONS:
            uid, rest = args[0], args[1:]
            handle = emu.user(uid, app_id=app_id)
            if name in ("subscribe", "join_stream"):
                channel, with_presence, be_quiet = rest
                getattr(handle, name)(channel, with_presence=with_presence, be_quiet=be_quiet)
            else:
                getattr(handle, name)(*rest)
        else:
            raise ValueError(f"unknown script action {action!r}")


_USER_ACTIONS = frozenset(
    {
        "login",
        "logout",
        "subscribe",
        "unsubscribe",
        "join_stream",
        "leave_stream",
        "set_state",
        "remove_state",
        "disconnect",
        "reconnect",
    }
)
