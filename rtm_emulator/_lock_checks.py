"""The lock calls' own argument checks (R-LK3, R-LK5, R-LK8): pure functions.

A lock name follows the id rule of R-C1 (the runtime's ``dw``, also with
``EXTEND_CHANNEL_NAME``: no ``.``); a ``revokeLock`` owner is a user id; ``setLock``'s
``ttl`` is clamped to 10..300 s with JavaScript's comparisons and sent as an integer
(``Long.fromNumber``: truncated, not-a-number 0).  Nothing here touches state.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, MutableMapping

from ._errors import ErrorCode, RtmError
from ._ids import is_valid_name, name_problem
from ._js import js_string, plain
from ._limits import LOCK_TTL_MAX_S, LOCK_TTL_MIN_S
from ._validate import plain_value

__all__ = ["check_lock_name", "js_number", "set_lock_ttl"]

# JS ``Number(string)``: decimal (with exponent), hex / octal / binary, Infinity
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_RADIX = re.compile(r"0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)", re.ASCII)


def check_lock_name(operation: str, value: object) -> str:
    """R-LK3: a lock name (1..64 characters of R-C1's charset, not starting ``_``).

    Raises:
        RtmError: -14005 ``LOCK_INVALID_NAME`` (``RtmInvalidArgumentError``).
    """
    if isinstance(value, str) and is_valid_name(value):
        return plain(value)
    raise RtmError.sdk(
        operation, ErrorCode.LOCK_INVALID_NAME, detail=name_problem("lock name", value)
    )


def js_number(value: object) -> float:
    """JavaScript's ``Number(value)`` of a JSON-like value (``null`` is 0, an object NaN,
    an array its string)."""
    value = plain_value(value)
    if value is None or isinstance(value, bool):
        return float(bool(value))
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, float):
        return value
    if isinstance(value, (list, tuple)):
        value = js_string(value)
    if not isinstance(value, str):
        return math.nan
    text = value.strip(" \t\n\r\v\f\u00a0\ufeff")
    if text == "":
        return 0.0
    if text in ("Infinity", "+Infinity"):
        return math.inf
    if text == "-Infinity":
        return -math.inf
    if _DECIMAL.fullmatch(text):
        return float(text)
    if _RADIX.fullmatch(text):
        return float(int(text, 0))
    return math.nan


def _to_long(number: float) -> int:
    """``Long.fromNumber``: NaN is 0, the rest truncated toward zero (and bounded)."""
    if math.isnan(number):
        return 0
    if math.isinf(number):
        return 2**63 - 1 if number > 0 else -(2**63)
    return int(number)


def set_lock_ttl(options: object) -> int:
    """R-LK5: the TTL (s) ``setLock`` sends: absent (or ``options`` not an object) is 10,
    below 10 is 10, above 300 is 300, anything the comparisons leave alone is sent as
    ``Long.fromNumber`` makes it.  Like the SDK, a clamped value is written back into
    the caller's ``options`` (when it is a mutable mapping).  Never raises."""
    if not isinstance(options, Mapping) or "ttl" not in options:
        return LOCK_TTL_MIN_S
    raw = options["ttl"]
    number = js_number(raw)
    clamped: int | None = None
    if number < LOCK_TTL_MIN_S:
        clamped = LOCK_TTL_MIN_S
    elif number > LOCK_TTL_MAX_S:
        clamped = LOCK_TTL_MAX_S
    if clamped is None:
        return _to_long(number)
    if isinstance(options, MutableMapping):
        options["ttl"] = clamped
    return clamped
