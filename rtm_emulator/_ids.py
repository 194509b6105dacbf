"""The SDK's checks of names and identifiers (R-C1, R-C2; R-X1's -10019 channel type).

Each checker takes the SDK's ``operation`` (for the error) and the raw value, and
returns the normalised value (a plain ``str``, see :func:`~._js.plain`) or raises the
SDK's :class:`RtmError`, whose ``detail`` names the value.  The rules follow the SDK
runtime (agora-rtm.js 2.3.0): the id predicate (function ``dw``) and the app-id
pattern (``Dw``).  Checkers never touch state.
"""

from __future__ import annotations

import re

from ._errors import ErrorCode, RtmError
from ._js import plain
from ._limits import MAX_NAME_CHARS
from ._types import ChannelType

__all__ = [
    "MAX_NAME_CHARS",
    "check_app_id",
    "check_channel_name",
    "check_channel_type",
    "check_user_id",
    "is_valid_name",
    "name_problem",
    "show",
]

# R-C1: the SDK's id predicate `dw` (agora-rtm.js 2.3.0): 1..64 characters of this
# charset, not starting with "_".  fullmatch (not `$`, which would admit a final "\n").
_NAME_RE = re.compile(r"[A-Za-z0-9 !#$%&()+,\-:;<=>?@\[\]^_{|}~]{1,64}", re.ASCII)
_NAME_CHAR_RE = re.compile(r"[A-Za-z0-9 !#$%&()+,\-:;<=>?@\[\]^_{|}~]", re.ASCII)
# R-C1 with the SDK parameter EXTEND_CHANNEL_NAME: channel names may hold "." and "`" too
_EXTENDED_NAME_RE = re.compile(r"[A-Za-z0-9 !#$%&()+,\-:;<=>?@\[\]^_{|}~.`]{1,64}", re.ASCII)
# R-C2: the SDK's app-id pattern `Dw`: exactly 32 ASCII letters or digits.
_APP_ID_RE = re.compile(r"[0-9A-Za-z]{32}", re.ASCII)

#: Names found valid (plain ``str`` only).  A pure predicate, so remembering its
#: successes changes no result, only the cost of calls that repeat a name.  Only looked
#: up, never iterated; emptied when full.
_GOOD_NAMES: set[str] = set()
_REMEMBER_MAX = 65_536

_SHOW_MAX = 80


def show(value: object) -> str:
    """``repr(value)``, shortened for error details.

    Never raises for an ``Exception``: a value whose own ``__repr__`` raises (or holds
    one that does), an ``int`` too long to print, a structure nested too deeply, is
    shown by its type and its plain value (a failed check must fail with its own error,
    not with the value's).
    """
    try:
        text = repr(value)
    except Exception:
        text = _plain_repr(value)
    return text if len(text) <= _SHOW_MAX else f"{text[: _SHOW_MAX - 5]}...{text[-2:]}"


def _plain_repr(value: object) -> str:
    """A repr that asks ``value`` nothing: a ``str`` / ``int`` / ``float`` subclass as its
    type and its plain value, anything else as its type."""
    kind = type(value).__name__
    try:
        if isinstance(value, str):
            return f"{kind}({str.__repr__(plain(value))})"
        if isinstance(value, int):
            return f"{kind}({int.__repr__(value)})"
        if isinstance(value, float):
            return f"{kind}({float.__repr__(value)})"
    except ValueError:  # an int over Python's digit limit
        return f"<{kind} of {int.bit_length(value)} bits>"  # type: ignore[arg-type]
    return f"<{kind} object>"


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


def name_problem(what: str, value: object) -> str:
    """Why ``value`` is not a valid name (for ``detail``)."""
    if not isinstance(value, str):
        return f"{what} must be a string, got {show(value)}"
    text = plain(value)
    if text == "":
        return f"{what} must not be empty"
    if len(text) > MAX_NAME_CHARS:
        return f"{what} {show(text)} has {len(text)} characters, over {MAX_NAME_CHARS}"
    if text.startswith("_"):
        return f"{what} {show(text)} starts with '_'"
    bad = "".join(sorted({c for c in text if not _NAME_CHAR_RE.fullmatch(c)}))
    return f"{what} {show(text)} has characters outside the SDK charset: {bad!r}"


def check_user_id(operation: str, value: object) -> str:
    """R-C1: a user id, as a plain ``str``.

    Raises:
        RtmError: -10006 ``INVALID_USER_ID`` (``RtmInvalidArgumentError``).
    """
    if isinstance(value, str) and is_valid_name(value):
        return plain(value)
    raise RtmError.sdk(operation, ErrorCode.INVALID_USER_ID, detail=name_problem("user id", value))


def check_channel_name(operation: str, value: object, *, extended: bool = False) -> str:
    """R-C1: a channel name (same rule as a user id), as a plain ``str``; ``extended``
    (the SDK parameter ``EXTEND_CHANNEL_NAME``) also admits ``.`` and `` ` ``.

    Raises:
        RtmError: -10008 ``INVALID_CHANNEL_NAME`` (``RtmInvalidArgumentError``).
    """
    if isinstance(value, str) and is_valid_name(value):
        return plain(value)
    if extended and isinstance(value, str):
        text = plain(value)
        if not text.startswith("_") and _EXTENDED_NAME_RE.fullmatch(text) is not None:
            return text
    raise RtmError.sdk(
        operation, ErrorCode.INVALID_CHANNEL_NAME, detail=name_problem("channel name", value)
    )


def check_app_id(value: object) -> str:
    """R-C2: an app id: exactly 32 ASCII letters or digits (a non-string never is).

    Raises:
        RtmError: -10003 ``INVALID_APP_ID`` (``RtmUnavailableError``), operation ``initRTM``.
    """
    if isinstance(value, str) and _APP_ID_RE.fullmatch(value) is not None:
        return plain(value)
    raise RtmError.sdk(
        "initRTM",
        ErrorCode.INVALID_APP_ID,
        detail=f"app id must be 32 ASCII letters or digits, got {show(value)}",
    )


_CHANNEL_TYPES = {member.value: member for member in ChannelType}


def check_channel_type(operation: str, value: object) -> ChannelType:
    """``"MESSAGE"`` or ``"STREAM"`` (case-sensitive; a :class:`ChannelType` member too).

    Raises:
        RtmError: -10019 ``INVALID_CHANNEL_TYPE`` (``RtmInvalidArgumentError``) for
            anything else, ``"USER"`` and non-strings included.
    """
    if isinstance(value, str):
        found = _CHANNEL_TYPES.get(plain(value))
        if found is not None:
            return found
    detail = f"channel type must be 'MESSAGE' or 'STREAM', got {show(value)}"
    if isinstance(value, str) and plain(value) == "USER":
        detail += " (USER channels have no presence)"
    raise RtmError.sdk(operation, ErrorCode.INVALID_CHANNEL_TYPE, detail=detail)
