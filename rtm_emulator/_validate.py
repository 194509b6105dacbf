"""Argument checks shared by every entry point (semantics.md, "Errors").

Each checker takes the operation name (for the error) and the raw value, and returns
the normalised value or raises :class:`RtmError` with the field's code and a reason
that names the value.  Checkers never touch state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._errors import ConfigError, ErrorCode, RtmError
from ._types import ChannelType, StateMap, as_state_map

__all__ = [
    "MAX_KEY_BYTES",
    "MAX_NAME_BYTES",
    "MAX_VALUE_BYTES",
    "NOT_GIVEN",
    "check_channel_name",
    "check_channel_type",
    "check_duration_ms",
    "check_options",
    "check_state",
    "check_state_keys",
    "check_user_id",
]

#: Marks an argument the caller did not pass (distinct from ``None``).
NOT_GIVEN: Any = object()

#: The longest duration a harness call accepts (about 31.7 years): keeps ms arithmetic exact.
MAX_SECONDS = 1e9

MAX_NAME_BYTES = 64
MAX_KEY_BYTES = 64
MAX_VALUE_BYTES = 8192

# The SDK's charset for user ids and channel names (agora-rtm.d.ts, RTMClient constructor).
_CHARSET = re.compile(r"[A-Za-z0-9 !#$%&()+\-:;<=.>?@\[\]^_{}|~,]*")


#: Names already found valid (plain ``str`` only): a pure check, so remembering its
#: successes changes no result, only the cost of the calls that repeat a name.  Only
#: looked up, never iterated; emptied when full.
_GOOD_USER_IDS: set[str] = set()
_GOOD_CHANNEL_NAMES: set[str] = set()
_REMEMBER_MAX = 65_536


def _remember(good: set[str], value: str) -> None:
    if type(value) is str:
        if len(good) >= _REMEMBER_MAX:
            good.clear()
        good.add(value)


def _utf8_size(value: str) -> int | None:
    """Bytes of ``value`` in UTF-8, or ``None`` when it has no UTF-8 form (lone surrogates)."""
    try:
        return len(value.encode("utf-8"))
    except UnicodeEncodeError:
        return None


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


def _bad_chars(value: str) -> str:
    bad = sorted({c for c in value if not _CHARSET.fullmatch(c)})
    return "".join(bad)


def check_user_id(operation: str, value: object, *, allow_empty: bool = False) -> str:
    """A user id: a non-empty string of at most 64 bytes in the SDK charset, not ``"null"``.

    ``allow_empty`` admits ``""`` (queries where it means the caller, R-Q5 / R-Q6).

    Raises:
        RtmError: ``INVALID_USER_ID`` (-10006), naming the value.
    """
    if type(value) is str and value in _GOOD_USER_IDS:
        return value
    code = ErrorCode.INVALID_USER_ID
    if not isinstance(value, str):
        raise RtmError.of(operation, code, f"user id must be a string, got {value!r}")
    if value == "":
        if allow_empty:
            return value
        raise RtmError.of(operation, code, "user id must not be empty ('')")
    if value == "null":
        raise RtmError.of(operation, code, "user id must not be the string 'null'")
    size = _utf8_size(value)
    if size is not None and size > MAX_NAME_BYTES:
        raise RtmError.of(operation, code, f"user id {value!r} is {size} bytes, over 64")
    if not _CHARSET.fullmatch(value):
        raise RtmError.of(
            operation,
            code,
            f"user id {value!r} has characters outside the SDK charset: {_bad_chars(value)!r}",
        )
    _remember(_GOOD_USER_IDS, value)
    return value


def check_channel_name(operation: str, value: object) -> str:
    """A channel name: like a user id, and it must not start with ``_`` or contain ``.``.

    Raises:
        RtmError: ``INVALID_CHANNEL_NAME`` (-10008), naming the value.
    """
    if type(value) is str and value in _GOOD_CHANNEL_NAMES:
        return value
    code = ErrorCode.INVALID_CHANNEL_NAME
    if not isinstance(value, str):
        raise RtmError.of(operation, code, f"channel name must be a string, got {value!r}")
    if value == "":
        raise RtmError.of(operation, code, "channel name must not be empty ('')")
    if value == "null":
        raise RtmError.of(operation, code, "channel name must not be the string 'null'")
    size = _utf8_size(value)
    if size is not None and size > MAX_NAME_BYTES:
        raise RtmError.of(operation, code, f"channel name {value!r} is {size} bytes, over 64")
    if value.startswith("_"):
        raise RtmError.of(operation, code, f"channel name {value!r} starts with '_'")
    if "." in value:
        raise RtmError.of(operation, code, f"channel name {value!r} contains '.'")
    if not _CHARSET.fullmatch(value):
        raise RtmError.of(
            operation,
            code,
            f"channel name {value!r} has characters outside the SDK charset: {_bad_chars(value)!r}",
        )
    _remember(_GOOD_CHANNEL_NAMES, value)
    return value


_CHANNEL_TYPES = {member.value: member for member in ChannelType}


def check_channel_type(operation: str, value: object) -> ChannelType:
    """``"MESSAGE"`` or ``"STREAM"`` (case-sensitive) or a :class:`ChannelType` member.

    Raises:
        RtmError: ``INVALID_CHANNEL_TYPE`` (-10019) for anything else, ``"USER"`` and
            non-strings included.
    """
    if isinstance(value, str):
        found = _CHANNEL_TYPES.get(value)  # a member itself, or its exact value
        if found is not None:
            return found
    detail = f"channel type must be 'MESSAGE' or 'STREAM', got {value!r}"
    if value == "USER":
        detail += " (USER channels have no presence)"
    raise RtmError.of(operation, ErrorCode.INVALID_CHANNEL_TYPE, detail)


def check_options(
    operation: str, value: object, allowed: Mapping[str, type | tuple[type, ...]]
) -> dict[str, Any]:
    """An SDK options object: ``None`` or a mapping whose keys are in ``allowed``.

    ``allowed`` maps each SDK key to the type(s) its value must have; a ``None`` value
    means "not given" and is dropped.

    Raises:
        RtmError: ``INVALID_PARAMETER`` (-10014) for a non-mapping, an unknown key or a
            value of the wrong type, naming it.
    """
    code = ErrorCode.INVALID_PARAMETER
    if value is None:
        return {}
    if type(value) is not dict and not isinstance(value, Mapping):
        raise RtmError.of(operation, code, f"options must be an object (dict), got {value!r}")
    result: dict[str, Any] = {}
    for key, item in value.items():
        kind = allowed.get(key)
        if kind is None:
            known = ", ".join(sorted(allowed))
            raise RtmError.of(operation, code, f"unknown option {key!r} (known: {known})")
        if item is None:
            continue
        if type(item) is kind:  # the common case: exactly the type asked for
            result[key] = item
            continue
        wrong = not isinstance(item, kind) or (
            isinstance(item, bool) and kind in (int, float, (int, float))
        )
        if wrong:
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise RtmError.of(operation, code, f"option {key!r} must be {names}, got {item!r}")
        result[key] = item
    return result


def _check_key(operation: str, key: object) -> str:
    if not isinstance(key, str) or key == "":
        raise RtmError.of(
            operation,
            ErrorCode.PRESENCE_INVALID_STATE_KEY,
            f"state key must be a non-empty string, got {key!r}",
        )
    size = _utf8_size(key)
    if size is None:
        raise RtmError.of(
            operation,
            ErrorCode.PRESENCE_INVALID_STATE_KEY,
            f"state key {key!r} is not valid Unicode text (it has no UTF-8 form)",
        )
    if size > MAX_KEY_BYTES:
        raise RtmError.of(
            operation,
            ErrorCode.PRESENCE_STATE_KEY_SIZE_OVERFLOW,
            f"state key {key!r} is {size} bytes, over {MAX_KEY_BYTES}",
        )
    return key


def check_state(operation: str, value: object) -> StateMap:
    """A state object: a mapping of valid keys to string values (R-S3).

    Items are checked in their order, each key before its value.

    Raises:
        RtmError: -10014 if ``value`` is not a mapping; -13006 / -13008 for a bad or
            too long key; -13007 / -13009 for a non-string or too long value.
    """
    if not isinstance(value, Mapping):
        raise RtmError.of(
            operation,
            ErrorCode.INVALID_PARAMETER,
            f"state must be an object of string keys to string values, got {value!r}",
        )
    for key, item in value.items():
        _check_key(operation, key)
        if not isinstance(item, str):
            raise RtmError.of(
                operation,
                ErrorCode.PRESENCE_INVALID_STATE_VALUE,
                f"value of state key {key!r} must be a string, got {item!r}",
            )
        size = _utf8_size(item)
        if size is None:
            raise RtmError.of(
                operation,
                ErrorCode.PRESENCE_INVALID_STATE_VALUE,
                f"value of state key {key!r} is not valid Unicode text: {item!r}",
            )
        if size > MAX_VALUE_BYTES:
            raise RtmError.of(
                operation,
                ErrorCode.PRESENCE_STATE_VALUE_SIZE_OVERFLOW,
                f"value of state key {key!r} is {size} bytes, over {MAX_VALUE_BYTES}",
            )
    return as_state_map(value)


def check_state_keys(operation: str, value: object) -> tuple[str, ...] | None:
    """The ``states`` list of ``removeState``: ``None`` or ``[]`` (all keys) or keys.

    Raises:
        RtmError: -10014 if it is not a list or tuple of keys; -13006 / -13008 for a
            bad or too long key.
    """
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise RtmError.of(
            operation,
            ErrorCode.INVALID_PARAMETER,
            f"states must be a list of state keys, got {value!r}",
        )
    keys = tuple(_check_key(operation, key) for key in value)
    return keys or None
