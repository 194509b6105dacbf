"""Argument checks of the SDK, as pure functions (semantics.md R-C1, R-C2, R-S1..R-S3, R-Q3).

Each checker takes the SDK's ``operation`` (for the error) and the raw value, and
returns the normalised value or raises what the SDK raises: an :class:`RtmError` with
the SDK's code, reason and class, whose ``detail`` names the value; or, where the SDK
fails with a plain JavaScript exception (R-X3), :class:`SdkTypeError` /
:class:`SdkInvalidCharacterError` with the SDK's message.  Checkers never touch state.

The rules follow the SDK runtime (agora-rtm.js 2.3.0): the id predicate (function
``dw``), the app-id pattern (``Dw``), the state-key check (``_w``), the byte length of
a value (``Lh``: UTF-8 bytes, as ``TextEncoder`` counts them), ``setState``'s use of
``Object.keys(state)`` and ``removeState``'s duplicate / count / ``forEach`` steps.

**JavaScript strings in Python.**  A JS string is a sequence of UTF-16 code units.
Where the SDK's result depends on that (the byte length of text with lone surrogates,
the keys of a string given as a state object, the length of a string given as
``states``), the checks compute what JS would compute for the same UTF-16 sequence:
a Python string's surrogate code points are taken as UTF-16 code units, so a lone
surrogate counts as the 3 bytes of U+FFFD (what ``TextEncoder`` writes for it) and a
high/low surrogate pair counts as the 4 bytes of the character it encodes.  String
*values* are stored the way they come back from the SDK's UTF-8 transport: pairs
joined into their character, lone surrogates replaced by U+FFFD (so every stored
string has a UTF-8 form); text without surrogates is stored unchanged.

**Plain strings.**  A ``str`` subclass (an enum member, a user type) is converted to a
plain ``str`` with ``str.__str__`` (the characters themselves: a subclass's overridden
``__str__`` is not called) before it is checked, returned or remembered.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

from ._errors import ConfigError, ErrorCode, RtmError, SdkInvalidCharacterError, SdkTypeError
from ._types import ChannelType, StateMap

__all__ = [
    "EMPTY_STATE_SUFFIX",
    "FOREACH_MESSAGE",
    "INVALID_CHARACTER_MESSAGE",
    "MAX_CACHE_ENTRIES",
    "MAX_KEY_BYTES",
    "MAX_NAME_CHARS",
    "MAX_STATE_KEYS",
    "MAX_VALUE_BYTES",
    "NOT_CORRECTLY_ENCODED_MESSAGE",
    "NOT_GIVEN",
    "NULL_TO_OBJECT_MESSAGE",
    "JsonList",
    "JsonObject",
    "atob",
    "btoa",
    "check_app_id",
    "check_channel_name",
    "check_channel_type",
    "check_duration_ms",
    "check_set_state",
    "check_state_key",
    "check_state_value",
    "check_user_id",
    "is_valid_name",
    "js_utf8_length",
    "remove_state_keys",
    "state_items",
]

#: Marks an argument the caller did not pass (distinct from ``None``).
NOT_GIVEN: Any = object()

#: The longest duration a harness call accepts (about 31.7 years): keeps ms arithmetic exact.
MAX_SECONDS = 1e9

#: R-C1: user ids and channel names have 1..64 characters (all of them ASCII).
MAX_NAME_CHARS = 64
#: R-S3: keys per setState / removeState call, and per (user, channel) after a merge.
MAX_STATE_KEYS = 32
#: R-S3: UTF-8 bytes of a state key.
MAX_KEY_BYTES = 32
#: R-S3: UTF-8 bytes of a string state value.
MAX_VALUE_BYTES = 16384
#: R-S4: setState fails while the client's state cache holds *more* than this many entries.
MAX_CACHE_ENTRIES = 100

#: The text the SDK appends to -13003's reason for ``setState(ch, type, {})``.
EMPTY_STATE_SUFFIX = "state of parameter is empty"
#: The JS ``TypeError`` message of ``Object.keys(null)`` (``setState(ch, type, null)``).
NULL_TO_OBJECT_MESSAGE = "Cannot convert undefined or null to object"
#: The JS ``TypeError`` message of ``removeState`` with a ``states`` that is not an array.
FOREACH_MESSAGE = "n.forEach is not a function"
#: Node's ``atob`` / ``btoa`` message for a character outside the alphabet or a bad ``=``.
INVALID_CHARACTER_MESSAGE = "Invalid character"
#: Node's ``atob`` message for a length that leaves a single base64 digit.
NOT_CORRECTLY_ENCODED_MESSAGE = "The string to be decoded is not correctly encoded."

# R-C1: the SDK's id predicate `dw` (agora-rtm.js 2.3.0): 1..64 characters of this
# charset, not starting with "_".  fullmatch (not `$`, which would admit a final "\n").
_NAME_RE = re.compile(r"[A-Za-z0-9 !#$%&()+,\-:;<=>?@\[\]^_{|}~]{1,64}", re.ASCII)
_NAME_CHAR_RE = re.compile(r"[A-Za-z0-9 !#$%&()+,\-:;<=>?@\[\]^_{|}~]", re.ASCII)
# R-C2: the SDK's app-id pattern `Dw`: exactly 32 ASCII letters or digits.
_APP_ID_RE = re.compile(r"[0-9A-Za-z]{32}", re.ASCII)

#: Names found valid (plain ``str`` only).  A pure predicate, so remembering its
#: successes changes no result, only the cost of calls that repeat a name.  Only looked
#: up, never iterated; emptied when full.
_GOOD_NAMES: set[str] = set()
_REMEMBER_MAX = 65_536

_SHOW_MAX = 80


def _plain(value: str) -> str:
    """``value`` as a plain ``str`` (a subclass's own ``__str__`` is not called)."""
    return value if type(value) is str else str.__str__(value)


def _show(value: object) -> str:
    """``repr(value)``, shortened for error details."""
    text = repr(value)
    return text if len(text) <= _SHOW_MAX else f"{text[: _SHOW_MAX - 5]}...{text[-2:]}"


# --------------------------------------------------------------------------- JS strings


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _js_normalise(text: str) -> str:
    """``text`` as the SDK's UTF-8 transport returns it: surrogate pairs joined, lone
    surrogates replaced by U+FFFD; ``text`` itself when it has no surrogates."""
    if not _has_surrogates(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def js_utf8_length(text: str) -> int:
    """UTF-8 bytes of ``text`` as JS ``new TextEncoder().encode(text).byteLength`` counts
    them for the same UTF-16 code units (a lone surrogate: 3 bytes, as U+FFFD)."""
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:
        return len(_js_normalise(text).encode("utf-8"))


def _utf16_units(text: str) -> list[str]:
    """The UTF-16 code units of ``text``, each as a one-character string (JS indexing)."""
    if text.isascii() or all(ord(c) < 0x10000 for c in text):
        return list(text)
    raw = text.encode("utf-16-le", "surrogatepass")
    return [raw[i : i + 2].decode("utf-16-le", "surrogatepass") for i in range(0, len(raw), 2)]


def _js_number_string(value: float) -> str:
    """JS ``String(number)`` for the common cases."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", repr(value))


def _js_string(value: object) -> str:
    """JS ``String(value)`` (template-literal conversion) of a JSON-like Python value."""
    if isinstance(value, str):
        return _plain(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _js_number_string(float(value)) if abs(value) >= 10**21 else str(int(value))
    if isinstance(value, float):
        return _js_number_string(value)
    if isinstance(value, (list, tuple, bytes, bytearray)):
        return ",".join("" if item is None else _js_string(item) for item in value)
    return "[object Object]"


# ------------------------------------------------------------------------------ names


def is_valid_name(value: object) -> bool:
    """R-C1: a user id / channel name / state key the SDK accepts (its predicate ``dw``).

    A string of 1..64 characters from ``A-Z a-z 0-9``, space and
    ``! # $ % & ( ) + , - : ; < = > ? @ [ ] ^ _ { | } ~``, not starting with ``_``.
    ``"null"`` is valid, ``"."`` is not; non-strings are not.
    """
    if type(value) is str:
        if value in _GOOD_NAMES:
            return True
        text = value
    elif isinstance(value, str):
        text = str.__str__(value)
    else:
        return False
    if text.startswith("_") or _NAME_RE.fullmatch(text) is None:
        return False
    if len(_GOOD_NAMES) >= _REMEMBER_MAX:
        _GOOD_NAMES.clear()
    _GOOD_NAMES.add(text)
    return True


def _name_problem(what: str, value: object) -> str:
    """Why ``value`` is not a valid name (for ``detail``)."""
    if not isinstance(value, str):
        return f"{what} must be a string, got {_show(value)}"
    text = _plain(value)
    if text == "":
        return f"{what} must not be empty"
    if len(text) > MAX_NAME_CHARS:
        return f"{what} {_show(text)} has {len(text)} characters, over {MAX_NAME_CHARS}"
    if text.startswith("_"):
        return f"{what} {_show(text)} starts with '_'"
    bad = "".join(sorted({c for c in text if not _NAME_CHAR_RE.fullmatch(c)}))
    return f"{what} {_show(text)} has characters outside the SDK charset: {bad!r}"


def check_user_id(operation: str, value: object) -> str:
    """R-C1: a user id, as a plain ``str``.

    Raises:
        RtmError: -10006 ``INVALID_USER_ID`` (``RtmInvalidArgumentError``).
    """
    if isinstance(value, str) and is_valid_name(value):
        return _plain(value)
    raise RtmError.sdk(operation, ErrorCode.INVALID_USER_ID, detail=_name_problem("user id", value))


def check_channel_name(operation: str, value: object) -> str:
    """R-C1: a channel name (same rule as a user id), as a plain ``str``.

    Raises:
        RtmError: -10008 ``INVALID_CHANNEL_NAME`` (``RtmInvalidArgumentError``).
    """
    if isinstance(value, str) and is_valid_name(value):
        return _plain(value)
    raise RtmError.sdk(
        operation, ErrorCode.INVALID_CHANNEL_NAME, detail=_name_problem("channel name", value)
    )


def check_app_id(value: object) -> str:
    """R-C2: an app id: exactly 32 ASCII letters or digits (a non-string never is).

    Raises:
        RtmError: -10003 ``INVALID_APP_ID`` (``RtmUnavailableError``), operation ``initRTM``.
    """
    if isinstance(value, str) and _APP_ID_RE.fullmatch(value) is not None:
        return _plain(value)
    raise RtmError.sdk(
        "initRTM",
        ErrorCode.INVALID_APP_ID,
        detail=f"app id must be 32 ASCII letters or digits, got {_show(value)}",
    )


_CHANNEL_TYPES = {member.value: member for member in ChannelType}


def check_channel_type(operation: str, value: object) -> ChannelType:
    """``"MESSAGE"`` or ``"STREAM"`` (case-sensitive; a :class:`ChannelType` member too).

    Raises:
        RtmError: -10019 ``INVALID_CHANNEL_TYPE`` (``RtmInvalidArgumentError``) for
            anything else, ``"USER"`` and non-strings included.
    """
    if isinstance(value, str):
        found = _CHANNEL_TYPES.get(_plain(value))
        if found is not None:
            return found
    detail = f"channel type must be 'MESSAGE' or 'STREAM', got {_show(value)}"
    if value == "USER":
        detail += " (USER channels have no presence)"
    raise RtmError.sdk(operation, ErrorCode.INVALID_CHANNEL_TYPE, detail=detail)


def check_duration_ms(operation: str, value: object, *, allow_negative: bool = False) -> int:
    """A duration in seconds (int or float, finite, >= 0 unless allowed) as whole ms.

    Raises:
        ConfigError: (-10014, a ``ValueError``) naming the value otherwise.
    """
    bound = "" if allow_negative else " >= 0"
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or value != value  # NaN
        or not -MAX_SECONDS <= value <= MAX_SECONDS
        or (value < 0 and not allow_negative)
    ):
        raise ConfigError.bad(
            operation,
            f"seconds must be a finite number{bound} of at most {MAX_SECONDS:.0e}, got {value!r}",
        )
    return round(value * 1000)


# ------------------------------------------------------------------------------ state


class JsonList(list[Any]):
    """A read-only ``list``: an array inside a stored state value (R-S1).

    It compares equal to a plain ``list`` and serialises as one; ``list(x)`` copies it.
    """

    __slots__ = ()

    def _read_only(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("state values are read-only; copy them with list(...) to change them")

    __setitem__ = _read_only
    __delitem__ = _read_only
    __iadd__ = _read_only
    __imul__ = _read_only
    append = _read_only
    extend = _read_only
    insert = _read_only
    pop = _read_only
    remove = _read_only
    clear = _read_only
    sort = _read_only
    reverse = _read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"JsonList({list.__repr__(self)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (JsonList, (list(self),))


class JsonObject(StateMap):
    """A read-only ``dict``: an object inside a stored state value (R-S1).

    It compares equal to a plain ``dict`` and serialises as one; ``dict(x)`` copies it.
    """

    __slots__ = ()


_INDEX_MAX = 2**32 - 2  # the largest JS array index


def _is_array_index(key: str) -> bool:
    """JS: ``key`` is an array index (canonical decimal 0..2**32-2), ordered first."""
    return (
        key.isdecimal()
        and key.isascii()
        and (key == "0" or key[0] != "0")
        and (int(key) <= _INDEX_MAX)
    )


def _js_key_order(items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """``items`` in the order JS ``Object.keys`` gives an object's keys: array indices
    ascending, then the other keys in insertion order."""
    if not any(k[:1].isdigit() for k, _ in items):
        return items
    indices = [(k, v) for k, v in items if _is_array_index(k)]
    if not indices:
        return items
    indices.sort(key=lambda kv: int(kv[0]))
    return indices + [(k, v) for k, v in items if not _is_array_index(k)]


def state_items(operation: str, value: object) -> list[tuple[str, object]]:
    """The ``Object.keys(state)`` view of a ``setState`` argument (R-S3, R-X3).

    - a mapping: its items, keys as plain strings, in JS key order (array-index keys
      such as ``"0"``, ``"7"`` ascending first, then the others in insertion order,
      as a JS object holds them);
    - a string: one item per UTF-16 code unit, ``("0", "a"), ("1", "b"), ...``;
    - a list or tuple (bytes: their ints): ``("0", v0), ("1", v1), ...``;
    - a number, a bool or any other object: no items (the SDK then fails with -13003).

    Raises:
        SdkTypeError: for ``None`` (JS ``Object.keys(null)``), with JS's message.
        RtmError: -13006 for a mapping key that is not a string (a JS object's keys
            always are; this is the emulator's choice, checked before any count).
    """
    if value is None:
        raise SdkTypeError(NULL_TO_OBJECT_MESSAGE)
    if isinstance(value, Mapping):
        items: list[tuple[str, object]] = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise RtmError.sdk(
                    operation,
                    ErrorCode.PRESENCE_INVALID_STATE_KEY,
                    detail=f"state key must be a string, got {_show(key)}",
                )
            items.append((_plain(key), item))
        return _js_key_order(items)
    if isinstance(value, str):
        return [(str(i), unit) for i, unit in enumerate(_utf16_units(value))]
    if isinstance(value, (list, tuple, bytes, bytearray)):
        return [(str(i), item) for i, item in enumerate(value)]
    return []


def _js_byte_length(key: object) -> int | None:
    """The SDK's ``Lh(key ?? "")``: UTF-8 bytes of a string, ``byteLength`` of binary
    data, ``None`` (JS ``undefined``) otherwise."""
    if key is None:
        return 0
    if isinstance(key, str):
        return js_utf8_length(key)
    if isinstance(key, (bytes, bytearray)):
        return len(key)
    return None


def check_state_key(operation: str, key: object) -> None:
    """R-S3: one state key, as the SDK's ``_w`` checks it (size first, then charset).

    Raises:
        RtmError: -13008 (``RtmInvalidArgumentError``) when it is over 32 UTF-8 bytes;
            else -13006 (``RtmInvalidArgumentError``) when it is empty, not a string,
            outside the R-C1 charset or starts with ``_``.
    """
    size = _js_byte_length(key)
    if size is not None and size > MAX_KEY_BYTES:
        raise RtmError.sdk(
            operation,
            ErrorCode.PRESENCE_STATE_KEY_SIZE_OVERFLOW,
            detail=f"state key {_show(key)} is {size} bytes, over {MAX_KEY_BYTES}",
        )
    if not size or not is_valid_name(key):
        raise RtmError.sdk(
            operation,
            ErrorCode.PRESENCE_INVALID_STATE_KEY,
            detail=_name_problem("state key", key),
        )


def _freeze(key: str, value: object, path: list[int]) -> object:
    """``value`` as a stored JSON value (see :func:`check_state_value`)."""
    if value is None or type(value) is bool or type(value) is int:
        return value
    if isinstance(value, str):
        return _js_normalise(_plain(value))
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SdkTypeError(
                f"value of state key {key!r} is not a JSON value: {value!r} (not finite)"
            )
        return float(value)
    if isinstance(value, (list, tuple, Mapping)):
        if id(value) in path:
            raise SdkTypeError(f"Converting circular structure to JSON (state key {key!r})")
        path.append(id(value))
        try:
            if isinstance(value, Mapping):
                items: list[tuple[str, Any]] = []
                for k, v in value.items():
                    if not isinstance(k, str):
                        raise SdkTypeError(
                            f"value of state key {key!r} is not a JSON value: "
                            f"object key {_show(k)} is not a string"
                        )
                    items.append((_js_normalise(_plain(k)), _freeze(key, v, path)))
                return JsonObject(_js_key_order(items))
            return JsonList([_freeze(key, v, path) for v in value])
        finally:
            path.pop()
    raise SdkTypeError(
        f"value of state key {key!r} is not a JSON value: {_show(value)} ({type(value).__name__})"
    )


def check_state_value(operation: str, key: str, value: object) -> object:
    """R-S1 / R-S3: one state value (of key ``key``), returned as the value to store.

    Values are JSON values and their type is not checked (R-S1): ``str``, ``int``,
    finite ``float``, ``bool``, ``None``, and lists, tuples and mappings (string keys)
    of those.  Only a string is measured: over 16384 UTF-8 bytes is -13009 (bytes as
    JS counts them, see the module docstring).

    The result is a copy that shares nothing mutable with ``value``: strings are plain
    ``str`` (surrogates normalised as the module docstring says), numbers plain
    ``int`` / ``float``, arrays a read-only :class:`JsonList`, objects a read-only
    :class:`JsonObject` (keys in JS order); it compares equal to the plain value.

    Raises:
        RtmError: -13009 (``RtmLimitExceededError``) for a string over 16384 bytes.
        SdkTypeError: for a value JSON cannot carry (``bytes``, a ``set``, an object,
            ``NaN`` / infinities, a non-string object key, a cycle), naming it.  The
            SDK itself has no such case (a JS value always passes); this is what a
            JSON transport refuses.
    """
    if isinstance(value, str):
        size = js_utf8_length(value)
        if size > MAX_VALUE_BYTES:
            raise RtmError.sdk(
                operation,
                ErrorCode.PRESENCE_STATE_VALUE_SIZE_OVERFLOW,
                detail=f"value of state key {key!r} is {size} bytes, over {MAX_VALUE_BYTES}",
            )
        return _js_normalise(_plain(value))
    try:
        return _freeze(key, value, [])
    except RecursionError:
        raise SdkTypeError(f"value of state key {key!r} is nested too deeply") from None


def _count_error(operation: str, count: int, what: str) -> RtmError:
    return RtmError.sdk(
        operation,
        ErrorCode.PRESENCE_STATE_COUNT_OVERFLOW,
        detail=f"{what} {count} state keys, over {MAX_STATE_KEYS}",
    )


def check_set_state(
    operation: str,
    state: object,
    existing_keys: Iterable[str] = (),
    cache_entries: int = 0,
) -> list[tuple[str, object]]:
    """R-S3: every argument check of ``setState`` after the link and channel checks,
    in the SDK's order; returns the items to merge (keys and values as stored).

    ``existing_keys`` are the keys the user already has in that channel (for the union
    count), ``cache_entries`` the number of entries in the client's state cache (R-S4).

    Order: ``Object.keys`` (:func:`state_items`: ``None`` is a ``TypeError``) → no keys
    -13003 → more than 32 keys -13005 → more than 32 keys in old ∪ new -13005 → more
    than 100 cache entries -13004 → per key in order: :func:`check_state_key` then
    :func:`check_state_value`.
    """
    items = state_items(operation, state)
    if not items:
        raise RtmError.sdk(
            operation,
            ErrorCode.PRESENCE_INVALID_ARGUMENT,
            suffix=EMPTY_STATE_SUFFIX,
            detail=f"state {_show(state)} has no keys",
        )
    if len(items) > MAX_STATE_KEYS:
        raise _count_error(operation, len(items), "state has")
    union = len({k for k, _ in items}.union(existing_keys))
    if union > MAX_STATE_KEYS:
        raise _count_error(operation, union, "old and new state have")
    if cache_entries > MAX_CACHE_ENTRIES:
        raise RtmError.sdk(
            operation,
            ErrorCode.PRESENCE_CACHED_TOO_MANY_STATES,
            detail=f"the state cache holds {cache_entries} channels, over {MAX_CACHE_ENTRIES}",
        )
    out: list[tuple[str, object]] = []
    for key, value in items:
        check_state_key(operation, key)
        out.append((key, check_state_value(operation, key, value)))
    return out


def _same_value_zero(item: object) -> object:
    """A hashable stand-in for ``item`` under JS ``SameValueZero`` (``new Set``)."""
    if isinstance(item, str):
        return ("s", _plain(item))
    if isinstance(item, bool):
        return ("b", bool(item))
    if isinstance(item, (int, float)):
        number = float(item) if abs(item) < 2**1023 else math.copysign(math.inf, item)
        return ("n", "NaN" if math.isnan(number) else number + 0.0)
    if item is None:
        return ("null",)
    return ("o", id(item))


def remove_state_keys(operation: str, states: object) -> tuple[str, ...] | None:
    """R-S2 / R-S3: the ``states`` of ``removeState``; ``None`` means "every key".

    ``None`` / :data:`NOT_GIVEN` / ``[]`` give ``None``.  Otherwise, as the SDK:
    duplicates (JS ``new Set``; in a string, repeated UTF-16 code units) -13010 →
    more than 32 entries -13005 → a value that is not an array fails like JS
    ``states.forEach`` (a string, a number, a mapping, a set, ...) → each key
    :func:`check_state_key`.

    Raises:
        RtmError: -13010 / -13005 / -13008 / -13006 (see above).
        SdkTypeError: ``"n.forEach is not a function"`` for a non-array ``states``.
    """
    if states is None or states is NOT_GIVEN:
        return None
    if isinstance(states, str):
        entries: list[object] = list(_utf16_units(states))
        is_array = False
    elif isinstance(states, (list, tuple, bytes, bytearray)):
        entries = list(states)
        is_array = True
    else:  # no `.length` in JS: the duplicate and count checks see 0 entries
        raise SdkTypeError(FOREACH_MESSAGE)
    if entries and len({_same_value_zero(e) for e in entries}) != len(entries):
        raise RtmError.sdk(
            operation,
            ErrorCode.PRESENCE_STATE_DUPLICATE_KEY,
            detail=f"states {_show(states)} repeat a key",
        )
    if len(entries) > MAX_STATE_KEYS:
        raise _count_error(operation, len(entries), "states lists")
    if not is_array:
        raise SdkTypeError(FOREACH_MESSAGE)
    for key in entries:
        check_state_key(operation, key)
    return tuple(_plain(k) for k in entries if isinstance(k, str)) or None


# ----------------------------------------------------------------------------- base64

_BASE64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_ASCII_WHITESPACE = frozenset("\t\n\f\r ")


def atob(page: object) -> str:
    """R-Q3: JS ``atob(page)`` as Node 20 runs it, the result as a latin-1 ``str``.

    ``page`` is first converted like JS ``String(page)`` (``5`` → ``"5"``, ``None`` →
    ``"null"``).  Forgiving base64: ASCII whitespace (tab, LF, FF, CR, space) is
    ignored; leftover bits are dropped (``"YR=="`` → ``"a"``).  Failures, in this order
    (Node's checks, verified against Node 20 on every string of up to 8 characters over
    ``"A"``, ``"="`` and space, and 20,000 random strings):

    - a character outside the alphabet, a digit after ``=``, or a third ``=``:
      ``"Invalid character"``;
    - a number of digits that leaves a single one (``len % 4 == 1``), with or without
      ``=``: ``"The string to be decoded is not correctly encoded."``;
    - ``=`` padding that does not end a multiple of 4 (``"YQ="``): ``"Invalid character"``.

    Raises:
        SdkInvalidCharacterError: with Node's message (above).
    """
    text = _js_string(page)
    digits: list[str] = []
    equals = 0
    for char in text:
        if char in _ASCII_WHITESPACE:
            continue
        if char == "=":
            equals += 1
            if equals > 2:
                raise SdkInvalidCharacterError(INVALID_CHARACTER_MESSAGE)
        elif char in _BASE64_CHARS and not equals:
            digits.append(char)
        else:  # outside the alphabet, or a digit after "="
            raise SdkInvalidCharacterError(INVALID_CHARACTER_MESSAGE)
    if len(digits) % 4 == 1:
        raise SdkInvalidCharacterError(NOT_CORRECTLY_ENCODED_MESSAGE)
    if equals and (len(digits) + equals) % 4:
        raise SdkInvalidCharacterError(INVALID_CHARACTER_MESSAGE)
    body = "".join(digits)
    body += "=" * (-len(body) % 4)
    try:
        return base64.b64decode(body).decode("latin-1")
    except binascii.Error:  # pragma: no cover - excluded by the checks above
        raise SdkInvalidCharacterError(NOT_CORRECTLY_ENCODED_MESSAGE) from None


def btoa(text: str) -> str:
    """JS ``btoa(text)``: standard base64 with padding of latin-1 text (R-Q3 ``nextPage``).

    Raises:
        SdkInvalidCharacterError: ``"Invalid character"`` for a character above U+00FF.
    """
    try:
        raw = _js_string(text).encode("latin-1")
    except UnicodeEncodeError:
        raise SdkInvalidCharacterError(INVALID_CHARACTER_MESSAGE) from None
    return base64.b64encode(raw).decode("ascii")


# ---------------------------------------------------------------- revision-1 names

#: Revision 1's name of the id length limit (characters; every valid one is ASCII).
MAX_NAME_BYTES = MAX_NAME_CHARS
