"""The SDK's argument checks, as pure functions: one import for every checker.

The checks live by rule family; this module gathers them and adds the harness's own:

* ``_ids`` — names and identifiers (R-C1, R-C2; the -10019 channel type of R-X1);
* ``_state_checks`` — presence state (R-S1..R-S3);
* ``_js`` — JavaScript's string semantics and ``atob`` / ``btoa`` (R-Q3, R-X3);
* here — :func:`check_duration_ms`, the check of every harness duration (a
  :class:`ConfigError`, not an SDK error).

Each checker takes the SDK's ``operation`` (for the error) and the raw value, and
returns the normalised value or raises what the SDK raises: an :class:`RtmError` with
the SDK's code, reason and class, whose ``detail`` names the value; or, where the SDK
fails with a plain JavaScript exception (R-X3), :class:`SdkTypeError` /
:class:`SdkInvalidCharacterError` with the SDK's message.  Checkers never touch state.
"""

from __future__ import annotations

from ._errors import ConfigError
from ._ids import (
    MAX_NAME_CHARS,
    check_app_id,
    check_channel_name,
    check_channel_type,
    check_user_id,
    is_valid_name,
    show,
)
from ._js import (
    INVALID_CHARACTER_MESSAGE,
    NOT_CORRECTLY_ENCODED_MESSAGE,
    atob,
    btoa,
    js_utf8_length,
    plain,
)
from ._state_checks import (
    EMPTY_STATE_SUFFIX,
    FOREACH_MESSAGE,
    MAX_CACHE_ENTRIES,
    MAX_KEY_BYTES,
    MAX_STATE_KEYS,
    MAX_VALUE_BYTES,
    NOT_GIVEN,
    NULL_TO_OBJECT_MESSAGE,
    JsonList,
    JsonObject,
    check_set_state,
    check_state_key,
    check_state_value,
    remove_state_keys,
    state_items,
)

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
    "js_truthy",
    "js_utf8_length",
    "plain_value",
    "remove_state_keys",
    "state_items",
]

#: The longest duration a harness call accepts (about 31.7 years): keeps ms arithmetic exact.
MAX_SECONDS = 1e9


def check_duration_ms(operation: str, value: object, *, allow_negative: bool = False) -> int:
    """A duration in seconds (int or float, finite, >= 0 unless allowed) as whole ms.

    An ``int`` / ``float`` subclass is read as its plain value (its own comparisons and
    conversions are never called).

    Raises:
        ConfigError: (-10014, a ``ValueError``) naming the value otherwise.
    """
    number: float | None = None
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        number = int.__int__(value)
    elif isinstance(value, float):
        number = float.__float__(value)
    if (
        number is None
        or number != number  # NaN
        or not -MAX_SECONDS <= number <= MAX_SECONDS
        or (number < 0 and not allow_negative)
    ):
        bound = "" if allow_negative else " >= 0"
        raise ConfigError.bad(
            operation,
            f"seconds must be a finite number{bound} of at most {MAX_SECONDS:.0e}, "
            f"got {show(value)}",
        )
    return round(number * 1000)


def plain_value(value: object) -> object:
    """``value`` with a ``str`` / ``int`` / ``float`` subclass replaced by its plain value
    (an enum member, a user type: its own methods are never called); anything else as
    it is.  Never raises."""
    if isinstance(value, str):
        return plain(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    return value


def js_truthy(value: object) -> bool:
    """JavaScript truthiness of an SDK option's value (``withPresence``, ``page``, ...),
    asking the value nothing: ``None``, ``False``, ``0``, ``NaN`` and ``""`` are false,
    every other value is true (an object, an array, an empty one too), whatever its own
    ``__bool__`` / ``__len__`` / ``__eq__`` would say.  Never raises."""
    value = plain_value(value)
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)):
        return value == value and value != 0
    if isinstance(value, str):
        return value != ""
    return True


# ---------------------------------------------------------------- revision-1 names

#: Revision 1's name of the id length limit (characters; every valid one is ASCII).
MAX_NAME_BYTES = MAX_NAME_CHARS
