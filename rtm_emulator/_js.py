"""JavaScript's string and builtin semantics in Python (R-Q3's ``atob`` / ``btoa``, R-X3).

The SDK's checks depend on what JavaScript computes for a value: the UTF-16 code units
of a string, ``TextEncoder``'s UTF-8 byte count, ``String(value)``, the key order of
``Object.keys`` and Node's ``atob`` / ``btoa`` with their exceptions (R-X3: the plain
JavaScript errors the SDK lets through).  These functions compute the same for the
Python value a caller passes; they never touch state.

**JavaScript strings in Python.**  A JS string is a sequence of UTF-16 code units.
A Python string's surrogate code points are taken as UTF-16 code units, so a lone
surrogate counts as the 3 bytes of U+FFFD (what ``TextEncoder`` writes for it) and a
high/low surrogate pair counts as the 4 bytes of the character it encodes.
:func:`js_normalise` gives text as the SDK's UTF-8 transport returns it: pairs joined
into their character, lone surrogates replaced by U+FFFD; text without surrogates is
returned unchanged.

**Plain strings.**  A ``str`` subclass (an enum member, a user type) is converted to a
plain ``str`` with ``str.__str__`` (:func:`plain`: the characters themselves, a
subclass's overridden ``__str__`` is not called).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from typing import Any

from ._errors import SdkInvalidCharacterError

__all__ = [
    "INVALID_CHARACTER_MESSAGE",
    "NOT_CORRECTLY_ENCODED_MESSAGE",
    "atob",
    "btoa",
    "has_surrogates",
    "js_key_order",
    "js_normalise",
    "js_string",
    "js_utf8_length",
    "plain",
    "utf16_units",
]

#: Node's ``atob`` / ``btoa`` message for a character outside the alphabet or a bad ``=``.
INVALID_CHARACTER_MESSAGE = "Invalid character"
#: Node's ``atob`` message for a length that leaves a single base64 digit.
NOT_CORRECTLY_ENCODED_MESSAGE = "The string to be decoded is not correctly encoded."


class _JsNull:
    """JavaScript's ``null`` where the SDK tells it from ``undefined`` (``None``).

    Only the server makes one (a JS caller's ``null`` storage ``data``, R-ST4); Python
    callers pass ``None``, which is ``undefined``.
    """

    _instance: _JsNull | None = None

    def __new__(cls) -> _JsNull:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "JS_NULL"


#: The one :class:`_JsNull`.
JS_NULL = _JsNull()


def plain(value: str) -> str:
    """``value`` as a plain ``str`` (a subclass's own ``__str__`` is not called)."""
    return value if type(value) is str else str.__str__(value)


def has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def js_normalise(text: str) -> str:
    """``text`` as the SDK's UTF-8 transport returns it: surrogate pairs joined, lone
    surrogates replaced by U+FFFD; ``text`` itself when it has no surrogates."""
    if not has_surrogates(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def js_utf8_length(text: str) -> int:
    """UTF-8 bytes of ``text`` as JS ``new TextEncoder().encode(text).byteLength`` counts
    them for the same UTF-16 code units (a lone surrogate: 3 bytes, as U+FFFD)."""
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:
        return len(js_normalise(text).encode("utf-8"))


def utf16_units(text: str) -> list[str]:
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


def js_string(value: object, _joining: tuple[int, ...] = ()) -> str:
    """JS ``String(value)`` (template-literal conversion) of a JSON-like Python value.

    Never asks the value's own methods; an int too big for a JS number is ``Infinity``
    (as JS reads it), an array holding itself joins the inner reference as ``""`` (as
    ``Array.prototype.join`` does)."""
    if isinstance(value, str):
        return plain(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        number = int.__int__(value)
        if abs(number) < 10**21:
            return int.__repr__(number)
        try:
            return _js_number_string(float(number))
        except OverflowError:  # beyond a double: JS has it as +-Infinity
            return "Infinity" if number > 0 else "-Infinity"
    if isinstance(value, float):
        return _js_number_string(float.__float__(value))
    if isinstance(value, (list, tuple, bytes, bytearray)):
        if id(value) in _joining:
            return ""
        inner = (*_joining, id(value))
        return ",".join("" if item is None else js_string(item, inner) for item in value)
    return "[object Object]"


_INDEX_MAX = 2**32 - 2  # the largest JS array index


def _is_array_index(key: str) -> bool:
    """JS: ``key`` is an array index (canonical decimal 0..2**32-2), ordered first."""
    return (
        key.isdecimal()
        and key.isascii()
        and (key == "0" or key[0] != "0")
        and (int(key) <= _INDEX_MAX)
    )


def js_key_order(items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """``items`` in the order JS ``Object.keys`` gives an object's keys: array indices
    ascending, then the other keys in insertion order."""
    if not any(k[:1].isdigit() for k, _ in items):
        return items
    indices = [(k, v) for k, v in items if _is_array_index(k)]
    if not indices:
        return items
    indices.sort(key=lambda kv: int(kv[0]))
    return indices + [(k, v) for k, v in items if not _is_array_index(k)]


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
    text = js_string(page)
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
        raw = js_string(text).encode("latin-1")
    except UnicodeEncodeError:
        raise SdkInvalidCharacterError(INVALID_CHARACTER_MESSAGE) from None
    return base64.b64encode(raw).decode("ascii")
