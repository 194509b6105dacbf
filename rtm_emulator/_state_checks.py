"""The SDK's checks of presence state, as pure functions (R-S1, R-S2, R-S3; R-X3).

Each checker takes the SDK's ``operation`` (for the error) and the raw value, and
returns the value to store or raises what the SDK raises: an :class:`RtmError` with the
SDK's code, reason and class, whose ``detail`` names the value; or, where the SDK fails
with a plain JavaScript exception (R-X3), :class:`SdkTypeError` with the SDK's message.

The rules follow the SDK runtime (agora-rtm.js 2.3.0): the state-key check (``_w``),
the byte length of a value (``Lh``: UTF-8 bytes, as ``TextEncoder`` counts them, see
``_js``), ``setState``'s use of ``Object.keys(state)`` and ``removeState``'s duplicate /
count / ``forEach`` steps.  String *values* are stored the way they come back from the
SDK's UTF-8 transport (:func:`~._js.js_normalise`), so every stored string has a UTF-8
form.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

from ._errors import ErrorCode, RtmError, SdkTypeError
from ._ids import is_valid_name, name_problem, show
from ._js import js_key_order, js_normalise, js_utf8_length, plain, utf16_units
from ._limits import MAX_CACHE_ENTRIES, MAX_KEY_BYTES, MAX_STATE_KEYS, MAX_VALUE_BYTES
from ._types import StateMap

__all__ = [
    "EMPTY_STATE_SUFFIX",
    "FOREACH_MESSAGE",
    "MAX_CACHE_ENTRIES",
    "MAX_KEY_BYTES",
    "MAX_STATE_KEYS",
    "MAX_VALUE_BYTES",
    "NOT_GIVEN",
    "NULL_TO_OBJECT_MESSAGE",
    "JsonList",
    "JsonObject",
    "check_set_state",
    "check_state_key",
    "check_state_value",
    "remove_state_keys",
    "state_items",
]

#: Marks an argument the caller did not pass (distinct from ``None``).
NOT_GIVEN: Any = object()


#: The text the SDK appends to -13003's reason for ``setState(ch, type, {})``.
EMPTY_STATE_SUFFIX = "state of parameter is empty"
#: The JS ``TypeError`` message of ``Object.keys(null)`` (``setState(ch, type, null)``).
NULL_TO_OBJECT_MESSAGE = "Cannot convert undefined or null to object"
#: The JS ``TypeError`` message of ``removeState`` with a ``states`` that is not an array.
FOREACH_MESSAGE = "n.forEach is not a function"


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
        # One read of the caller's object, into a plain dict of plain-``str`` keys: what
        # is checked is what is stored, whatever a lying ``items()`` answers next time.
        copy: dict[str, object] = {}
        for key, item in list(value.items()):
            if not isinstance(key, str):
                raise RtmError.sdk(
                    operation,
                    ErrorCode.PRESENCE_INVALID_STATE_KEY,
                    detail=f"state key must be a string, got {show(key)}",
                )
            copy[plain(key)] = item
        return js_key_order(list(copy.items()))
    if isinstance(value, str):
        return [(str(i), unit) for i, unit in enumerate(utf16_units(plain(value)))]
    if isinstance(value, (list, tuple, bytes, bytearray)):
        return [(str(i), item) for i, item in enumerate(list(value))]
    return []


def _js_byte_length(key: object) -> int | None:
    """The SDK's ``Lh(key ?? "")``: UTF-8 bytes of a string, ``byteLength`` of binary
    data, ``None`` (JS ``undefined``) otherwise."""
    if key is None:
        return 0
    if isinstance(key, str):
        return js_utf8_length(plain(key))
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
    if isinstance(key, str):
        key = plain(key)  # a subclass's own methods never answer for its characters
    size = _js_byte_length(key)
    if size is not None and size > MAX_KEY_BYTES:
        raise RtmError.sdk(
            operation,
            ErrorCode.PRESENCE_STATE_KEY_SIZE_OVERFLOW,
            detail=f"state key {show(key)} is {size} bytes, over {MAX_KEY_BYTES}",
        )
    if not size or not is_valid_name(key):
        raise RtmError.sdk(
            operation,
            ErrorCode.PRESENCE_INVALID_STATE_KEY,
            detail=name_problem("state key", key),
        )


def _freeze(key: str, value: object, path: list[int]) -> object:
    """``value`` as a stored JSON value (see :func:`check_state_value`)."""
    if value is None or type(value) is bool or type(value) is int:
        return value
    if isinstance(value, str):
        return js_normalise(plain(value))
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):  # a subclass: its plain value (its own methods unasked)
        return int.__int__(value)
    if isinstance(value, float):
        number = float.__float__(value)
        if not math.isfinite(number):
            raise SdkTypeError(
                f"value of state key {key!r} is not a JSON value: {number!r} (not finite)"
            )
        return number
    if isinstance(value, (list, tuple, Mapping)):
        if id(value) in path:
            raise SdkTypeError(f"Converting circular structure to JSON (state key {key!r})")
        path.append(id(value))
        try:
            if isinstance(value, Mapping):
                items: list[tuple[str, Any]] = []
                for k, v in list(value.items()):
                    if not isinstance(k, str):
                        raise SdkTypeError(
                            f"value of state key {key!r} is not a JSON value: "
                            f"object key {show(k)} is not a string"
                        )
                    items.append((js_normalise(plain(k)), _freeze(key, v, path)))
                return JsonObject(js_key_order(items))
            return JsonList([_freeze(key, v, path) for v in value])
        finally:
            path.pop()
    raise SdkTypeError(
        f"value of state key {key!r} is not a JSON value: {show(value)} ({type(value).__name__})"
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
        text = plain(value)  # measured and stored as the same plain string
        size = js_utf8_length(text)
        if size > MAX_VALUE_BYTES:
            raise RtmError.sdk(
                operation,
                ErrorCode.PRESENCE_STATE_VALUE_SIZE_OVERFLOW,
                detail=f"value of state key {key!r} is {size} bytes, over {MAX_VALUE_BYTES}",
            )
        return js_normalise(text)
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
            detail=f"state {show(state)} has no keys",
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
        return ("s", plain(item))
    if isinstance(item, bool):
        return ("b", bool(item))
    if isinstance(item, (int, float)):
        # a subclass as its plain value: its own methods are never asked
        value = int.__int__(item) if isinstance(item, int) else float.__float__(item)
        # past a double's range (an int can be) JS's number is an infinity
        infinity = math.inf if value > 0 else -math.inf
        number = float(value) if abs(value) < 2**1023 else infinity
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
        entries: list[object] = list(utf16_units(plain(states)))
        is_array = False
    elif isinstance(states, (list, tuple, bytes, bytearray)):
        # one read, into a plain list of plain strings: the checks see what is removed
        entries = [plain(e) if isinstance(e, str) else e for e in list(states)]
        is_array = True
    else:  # no `.length` in JS: the duplicate and count checks see 0 entries
        raise SdkTypeError(FOREACH_MESSAGE)
    if entries and len({_same_value_zero(e) for e in entries}) != len(entries):
        raise RtmError.sdk(
            operation,
            ErrorCode.PRESENCE_STATE_DUPLICATE_KEY,
            detail=f"states {show(states)} repeat a key",
        )
    if len(entries) > MAX_STATE_KEYS:
        raise _count_error(operation, len(entries), "states lists")
    if not is_array:
        raise SdkTypeError(FOREACH_MESSAGE)
    for key in entries:
        check_state_key(operation, key)
    return tuple(k for k in entries if isinstance(k, str)) or None
