"""Hypothesis strategies for property tests of code that talks to ``rtm_emulator``.

Hypothesis is an optional dependency (``pip install 'rtm-emulator[hypothesis]'``);
``import rtm_emulator`` never imports it, only this module does::

    from hypothesis import given
    from rtm_emulator import Emulator
    from rtm_emulator.strategies import presence_scripts, run_script

    @given(presence_scripts())
    def test_my_presence_view_stays_in_sync(script):
        emu = Emulator()
        view = MyPresenceView(emu.user("me").subscribe("room").client)
        run_script(emu, script)
        emu.run_until_idle()
        assert view.online("room") == emu.online_users("room", "MESSAGE")

The *valid* strategies (:func:`user_ids`, :func:`channel_names`, :func:`channel_types`,
:func:`state_keys`, :func:`state_values`, :func:`states`) only produce values the
emulator (and the SDK's documented limits, ``semantics.md`` "Errors" and R-S3) accept,
boundaries included (64-byte ids, 8192-byte values, 32 keys).  The *invalid* ones
produce values that are always rejected: :func:`invalid_user_ids` with -10006,
:func:`invalid_channel_names` with -10008, :func:`invalid_channel_types` with -10019,
and :func:`invalid_states` as ``(state, expected_error_code)`` pairs.

:func:`presence_scripts` produces whole scenarios as lists of action tuples, and
:func:`run_script` plays one on an emulator through scripted users (``emu.user(...)``).
The strategy tracks a small model of each user while it draws, so it only produces
**valid** scripts: played on a fresh emulator, no action raises.  :func:`run_script`
swallows nothing, so an ``RtmError`` out of it means a script was not valid for the
emulator it ran on (e.g. one whose ``max_channel_users`` is below the number of users),
or a bug.
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
        "install it with `pip install 'rtm-emulator[hypothesis]'` (or `pip install "
        "hypothesis`)"
    ) from exc

from ._emulator import Emulator
from ._engine import DEFAULT_APP_ID
from ._errors import ErrorCode, RtmError
from ._types import ChannelType
from ._validate import (
    MAX_KEY_BYTES,
    MAX_NAME_BYTES,
    MAX_VALUE_BYTES,
    check_channel_name,
    check_user_id,
)

__all__ = [
    "MAX_STATE_KEYS",
    "Action",
    "channel_names",
    "channel_types",
    "invalid_channel_names",
    "invalid_channel_types",
    "invalid_states",
    "invalid_user_ids",
    "presence_scripts",
    "run_script",
    "state_keys",
    "state_values",
    "states",
    "user_ids",
]

#: At most this many keys in one user's state in one channel (R-S3).
MAX_STATE_KEYS = 32

#: One step of a script: ``(name, *arguments)``; see :func:`presence_scripts`.
Action = tuple[Any, ...]

# The SDK's charset for user ids and channel names (semantics.md, "Errors").
_CHARSET = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 !#$%&()+-:;<=.>?@[]^_{}|~,"
)
_NAME_REST = _CHARSET.replace(".", "")
_NAME_FIRST = _NAME_REST.replace("_", "")
_UNICODE = st.characters(codec="utf-8")  # every code point UTF-8 can encode (no surrogates)
_SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)  # no UTF-8 form
_OUTSIDE = st.one_of(_UNICODE.filter(lambda c: c not in _CHARSET), _SURROGATES)
_NON_STRINGS: st.SearchStrategy[object] = st.one_of(
    st.none(), st.booleans(), st.integers(), st.binary(min_size=1, max_size=8)
)


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


def _check_sizes(name: str, min_size: int, max_size: int, limit: int, floor: int = 1) -> None:
    if not floor <= min_size <= max_size <= limit:
        raise InvalidArgument(
            f"{name}: need {floor} <= min_size <= max_size <= {limit}, "
            f"got min_size={min_size}, max_size={max_size}"
        )


# ------------------------------------------------------------------ ids and names


def user_ids(*, min_size: int = 1, max_size: int = MAX_NAME_BYTES) -> st.SearchStrategy[str]:
    """Valid user ids: ``min_size`` to ``max_size`` (<= 64) characters of the SDK charset.

    Never ``"null"``.  Every value can be used with ``emu.client`` / ``emu.user`` and
    logged in.

    Raises:
        InvalidArgument: for sizes outside ``1 <= min_size <= max_size <= 64``.
    """
    _check_sizes("user_ids", min_size, max_size, MAX_NAME_BYTES)
    return _ascii(_CHARSET, min_size, max_size).filter(lambda s: s != "null")


@overload
def invalid_user_ids(*, non_strings: Literal[False] = ...) -> st.SearchStrategy[str]: ...
@overload
def invalid_user_ids(*, non_strings: bool) -> st.SearchStrategy[object]: ...
def invalid_user_ids(*, non_strings: bool = False) -> st.SearchStrategy[Any]:
    """User ids the emulator rejects with -10006 ``INVALID_USER_ID``.

    Empty, ``"null"``, over 64 bytes, or with a character outside the SDK charset (lone
    surrogates included).  ``non_strings=True`` adds values that are not ``str``
    (``None``, ints, bools, bytes), also -10006.
    """
    valid = st.text(st.sampled_from(_CHARSET), max_size=20)
    bad: st.SearchStrategy[Any] = st.one_of(
        st.sampled_from(["", "null"]),
        st.text(st.sampled_from(_CHARSET), min_size=MAX_NAME_BYTES + 1, max_size=90),
        st.builds(lambda a, c, b: a + c + b, valid, _OUTSIDE, valid),
    )
    return st.one_of(bad, _NON_STRINGS) if non_strings else bad


def channel_names(*, min_size: int = 1, max_size: int = MAX_NAME_BYTES) -> st.SearchStrategy[str]:
    """Valid channel names: the SDK charset, no ``.``, not starting with ``_``, not ``"null"``.

    ``min_size`` to ``max_size`` (<= 64) characters.  Every value can be subscribed to
    and joined as a stream channel.

    Raises:
        InvalidArgument: for sizes outside ``1 <= min_size <= max_size <= 64``.
    """
    _check_sizes("channel_names", min_size, max_size, MAX_NAME_BYTES)
    return st.builds(
        lambda first, rest: first + rest,
        st.sampled_from(_NAME_FIRST),
        _ascii(_NAME_REST, min_size - 1, max_size - 1),
    ).filter(lambda s: s != "null")


@overload
def invalid_channel_names(*, non_strings: Literal[False] = ...) -> st.SearchStrategy[str]: ...
@overload
def invalid_channel_names(*, non_strings: bool) -> st.SearchStrategy[object]: ...
def invalid_channel_names(*, non_strings: bool = False) -> st.SearchStrategy[Any]:
    """Channel names the emulator rejects with -10008 ``INVALID_CHANNEL_NAME``.

    Empty, ``"null"``, over 64 bytes, starting with ``_``, containing ``.``, or with a
    character outside the SDK charset.  ``non_strings=True`` adds non-``str`` values.
    """
    rest = st.text(st.sampled_from(_NAME_REST), max_size=20)
    bad: st.SearchStrategy[Any] = st.one_of(
        st.sampled_from(["", "null"]),
        st.text(st.sampled_from(_NAME_REST), min_size=MAX_NAME_BYTES + 1, max_size=90),
        rest.map(lambda s: "_" + s),
        st.builds(lambda a, b: a + "." + b, rest, rest),
        st.builds(lambda a, c, b: a + c + b, rest, _OUTSIDE, rest),
    )
    return st.one_of(bad, _NON_STRINGS) if non_strings else bad


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
    """Valid state keys: non-empty strings of at most 64 UTF-8 bytes (any Unicode)."""
    return _up_to_bytes(MAX_KEY_BYTES, min_size=1)


def state_values() -> st.SearchStrategy[str]:
    """Valid state values: strings of at most 8192 UTF-8 bytes (often near the limit)."""
    return _up_to_bytes(MAX_VALUE_BYTES, min_size=0)


def states(
    *, min_keys: int = 0, max_keys: int = MAX_STATE_KEYS
) -> st.SearchStrategy[dict[str, str]]:
    """Valid state maps: ``min_keys`` to ``max_keys`` (<= 32) valid keys and values.

    Each one can be set with ``setState`` on a channel the user is in and holds no
    state yet (or on a channel it is not in, with nothing cached).

    Raises:
        InvalidArgument: for sizes outside ``0 <= min_keys <= max_keys <= 32``.
    """
    _check_sizes("states", min_keys, max_keys, MAX_STATE_KEYS, floor=0)
    keys, values = state_keys(), state_values()
    return st.one_of(
        st.dictionaries(keys, values, min_size=min_keys, max_size=max_keys),
        st.dictionaries(keys, values, min_size=max_keys, max_size=max_keys),  # full
    )


def _with_item(base: dict[Any, Any], key: Any, value: Any, where: int) -> dict[Any, Any]:
    items = [(k, v) for k, v in base.items() if k != key]
    items.insert(min(where, len(items)), (key, value))
    return dict(items)


def invalid_states() -> st.SearchStrategy[tuple[object, ErrorCode]]:
    """``(state, code)``: a ``setState`` argument and the error it always gets.

    Each value has exactly one fault, so the code is certain: not a mapping (-10014),
    an empty or non-string key or one with a lone surrogate (-13006), a non-string value
    such as the seed sample's ``False`` or one with a lone surrogate (-13007), a key over
    64 bytes (-13008), a value over 8192 bytes (-13009), or more than 32 valid keys
    (-13005).  The faulty item sits anywhere among valid ones.
    """
    small = st.text(_UNICODE, max_size=8)
    base = st.dictionaries(st.text(_UNICODE, min_size=1, max_size=8), small, max_size=6)
    where = st.integers(0, 6)

    def one_bad(
        key: st.SearchStrategy[Any], value: st.SearchStrategy[Any], code: ErrorCode
    ) -> st.SearchStrategy[tuple[object, ErrorCode]]:
        return st.builds(lambda b, k, v, w: (_with_item(b, k, v, w), code), base, key, value, where)

    not_a_map: st.SearchStrategy[object] = st.one_of(
        st.none(),
        st.text(max_size=8),
        st.integers(),
        st.lists(st.tuples(small, small), max_size=3),
    )
    with_surrogate = st.builds(lambda a, c, b: a + c + b, small, _SURROGATES, small)
    bad_key: st.SearchStrategy[Any] = st.one_of(
        st.just(""),
        st.none(),
        st.integers(),
        st.booleans(),
        st.binary(min_size=1, max_size=4),
        with_surrogate,
    )
    bad_value: st.SearchStrategy[Any] = st.one_of(
        st.none(), st.booleans(), st.integers(), st.lists(small, max_size=2), with_surrogate
    )
    return st.one_of(
        not_a_map.map(lambda v: (v, ErrorCode.INVALID_PARAMETER)),
        one_bad(bad_key, small, ErrorCode.PRESENCE_INVALID_STATE_KEY),
        one_bad(
            st.text(_UNICODE, min_size=1, max_size=8),
            bad_value,
            ErrorCode.PRESENCE_INVALID_STATE_VALUE,
        ),
        one_bad(_over_bytes(MAX_KEY_BYTES), small, ErrorCode.PRESENCE_STATE_KEY_SIZE_OVERFLOW),
        one_bad(
            st.text(_UNICODE, min_size=1, max_size=8),
            _over_bytes(MAX_VALUE_BYTES),
            ErrorCode.PRESENCE_STATE_VALUE_SIZE_OVERFLOW,
        ),
        st.dictionaries(
            st.text(_UNICODE, min_size=1, max_size=8),
            small,
            min_size=MAX_STATE_KEYS + 1,
            max_size=MAX_STATE_KEYS + 8,
        ).map(lambda d: (d, ErrorCode.PRESENCE_STATE_COUNT_OVERFLOW)),
    )


# ------------------------------------------------------------------ scripts

_KEYS = ("mood", "seat", "mic")
_VALUES = ("", "1", "2", "ok")
_DURATIONS = (0.5, 1.0, 2.0, 2.5, 5.0, 15.0, 30.0, 120.0, 320.0)
_TYPES = ("MESSAGE", "STREAM")
_MAX_CHANNELS = 100  # R-L4, per channel type
_MAX_CACHED_KEYS = 100  # R-S4


class _User:
    """What the script generator knows about one user (mirrors the emulator's rules)."""

    def __init__(self) -> None:
        self.logged_in = False
        self.connected = True
        #: channels the user is in (client's view; kept across a server timeout) -> keys
        self.present: dict[tuple[str, str], set[str]] = {}
        #: R-S4 pre-join cache: channel -> keys
        self.cache: dict[tuple[str, str], set[str]] = {}

    def logout(self) -> None:
        """R-L2: out of every channel, no state, no cache; the next login is connected."""
        self.logged_in, self.connected = False, True
        self.present.clear()
        self.cache.clear()

    def can_act(self) -> bool:
        """Channel and state calls work: logged out (the handle logs in) or connected."""
        return not self.logged_in or self.connected

    def use(self) -> None:
        """The handle logs in on first use (and after a logout)."""
        if not self.logged_in:
            self.logged_in, self.connected = True, True

    def keys_of(self, key: tuple[str, str]) -> set[str]:
        return self.present[key] if key in self.present else self.cache.get(key, set())

    def set_keys(self, key: tuple[str, str], keys: set[str]) -> None:
        if key in self.present:
            self.present[key] = keys
        elif keys:
            self.cache[key] = keys
        else:
            self.cache.pop(key, None)

    def cached_total(self) -> int:
        return sum(len(keys) for keys in self.cache.values())


def _check_pool(name: str, values: Sequence[str], check: Any, limit: int) -> tuple[str, ...]:
    pool = tuple(values)
    if not pool or len(set(pool)) != len(pool) or len(pool) > limit:
        raise InvalidArgument(f"{name} must be 1 to {limit} distinct values, got {values!r}")
    for value in pool:
        try:
            check(value)
        except RtmError as err:
            raise InvalidArgument(f"{name}: {err.reason}") from err
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
) -> list[Action]:
    model = {uid: _User() for uid in users}
    script: list[Action] = []
    for _ in range(draw(st.integers(min_size, max_size))):
        uid = draw(st.sampled_from(users))
        user = model[uid]
        # weights by repetition: entering and state changes are common, faults rare;
        # the first choice is the simplest (what Hypothesis shrinks towards)
        choices: list[str] = []
        if user.can_act():
            choices += ["subscribe"] * 4 + ["join_stream"] * 2 + ["set_state"] * 3
            choices.append("remove_state")
            if any(t == "MESSAGE" for t, _ in user.present):
                choices += ["unsubscribe"] * 2
            if any(t == "STREAM" for t, _ in user.present):
                choices.append("leave_stream")
        if faults and user.logged_in:
            choices += ["reconnect"] * 3 if not user.connected else ["disconnect"]
        choices += ["logout", "login"]
        if time:
            choices += ["advance"] * 2
        if faults:
            choices.append("set_presence_available")
        kind = draw(st.sampled_from(choices))

        if kind in ("subscribe", "join_stream"):
            user.use()
            ctype = "MESSAGE" if kind == "subscribe" else "STREAM"
            name = draw(st.sampled_from(channels))
            with_presence = draw(st.sampled_from([True, True, True, False]))
            be_quiet = draw(st.sampled_from([False, False, False, True]))
            if (ctype, name) not in user.present:
                user.present[(ctype, name)] = user.cache.pop((ctype, name), set())
            script.append((kind, uid, name, with_presence, be_quiet))
        elif kind in ("unsubscribe", "leave_stream"):
            ctype = "MESSAGE" if kind == "unsubscribe" else "STREAM"
            name = draw(st.sampled_from(sorted(n for t, n in user.present if t == ctype)))
            del user.present[(ctype, name)]
            script.append((kind, uid, name))
        elif kind == "set_state":
            user.use()
            key = (draw(st.sampled_from(_TYPES)), draw(st.sampled_from(channels)))
            state = draw(st.dictionaries(st.sampled_from(_KEYS), st.sampled_from(_VALUES)))
            current = user.keys_of(key)
            merged = current | set(state)
            cached = user.cached_total() - len(current) + len(merged)
            if key not in user.present and cached > _MAX_CACHED_KEYS:
                state = {k: v for k, v in state.items() if k in current}  # R-S4: stay valid
                merged = set(current)
            user.set_keys(key, merged)
            script.append(("set_state", uid, key[1], key[0], state))
        elif kind == "remove_state":
            user.use()
            key = (draw(st.sampled_from(_TYPES)), draw(st.sampled_from(channels)))
            keys = draw(st.none() | st.lists(st.sampled_from(_KEYS), max_size=2, unique=True))
            left = set() if not keys else user.keys_of(key) - set(keys)
            user.set_keys(key, left)
            script.append(("remove_state", uid, key[1], key[0], keys))
        elif kind == "disconnect":
            user.connected = False
            script.append(("disconnect", uid))
        elif kind == "reconnect":
            user.connected = True
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
) -> st.SearchStrategy[list[Action]]:
    """Valid presence scenarios: lists of action tuples for :func:`run_script`.

    The actions (``user`` from ``users``, ``channel`` from ``channels``, channel types
    ``"MESSAGE"`` / ``"STREAM"``, state keys ``mood`` / ``seat`` / ``mic``)::

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
    no action raises.  The generator never unsubscribes from a channel the user is not
    in, never acts while the user's network is down (only ``login`` / ``logout`` /
    ``reconnect``), never disconnects a logged-out user, and keeps the state and cache
    limits (R-S3, R-S4).  Invalid calls belong in tests of their own (see
    :func:`invalid_states` and friends).

    Raises:
        InvalidArgument: for invalid, duplicate or too many users / channels (at most
            100 channels), or sizes outside ``0 <= min_size <= max_size``.
    """
    pool_users = _check_pool("users", users, lambda u: check_user_id("users", u), 10_000)
    pool_channels = _check_pool(
        "channels", channels, lambda c: check_channel_name("channels", c), _MAX_CHANNELS
    )
    if not 0 <= min_size <= max_size:
        raise InvalidArgument(f"need 0 <= min_size <= max_size, got {min_size}, {max_size}")
    return _scripts(pool_users, pool_channels, min_size, max_size, faults, time)


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
