"""Errors: the one exception type and the one table of codes (semantics.md, "Errors").

Every failure of a public call raises :class:`RtmError`, which carries the SDK's
``ErrorInfo`` (``{error, operation, errorCode, reason}``).  Codes and their names are
those of the native ``RTM_ERROR_CODE`` enum, listed once in :class:`ErrorCode`; the
human description of each code lives in :data:`ERROR_TABLE` and nowhere else.

A call that raises has changed no state and emitted no event: the engine validates
everything before it mutates anything.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = ["ERROR_TABLE", "ConfigError", "ErrorCode", "RtmError"]


class ErrorCode(enum.IntEnum):
    """The error codes of the spec's error table (names of the native ``RTM_ERROR_CODE``)."""

    NOT_LOGIN = -10002
    INVALID_USER_ID = -10006
    INVALID_CHANNEL_NAME = -10008
    INVALID_PARAMETER = -10014
    INVALID_CHANNEL_TYPE = -10019
    NOT_CONNECTED = -10025
    CHANNEL_NOT_JOINED = -11001
    CHANNEL_NOT_SUBSCRIBED = -11002
    CHANNEL_INSTANCE_EXCEED_LIMITATION = -11005
    CHANNEL_JOIN_FAILED = -11007
    CHANNEL_SUBSCRIBE_FAILED = -11021
    PRESENCE_INVALID_ARGUMENT = -13003
    PRESENCE_CACHED_TOO_MANY_STATES = -13004
    PRESENCE_STATE_COUNT_OVERFLOW = -13005
    PRESENCE_INVALID_STATE_KEY = -13006
    PRESENCE_INVALID_STATE_VALUE = -13007
    PRESENCE_STATE_KEY_SIZE_OVERFLOW = -13008
    PRESENCE_STATE_VALUE_SIZE_OVERFLOW = -13009
    PRESENCE_USER_NOT_EXIST = -13011


#: code -> what the code means (the first half of every ``reason``).
ERROR_TABLE: dict[ErrorCode, str] = {
    ErrorCode.NOT_LOGIN: "the client is not logged in",
    ErrorCode.INVALID_USER_ID: "invalid user id",
    ErrorCode.INVALID_CHANNEL_NAME: "invalid channel name",
    ErrorCode.INVALID_PARAMETER: "invalid parameter",
    ErrorCode.INVALID_CHANNEL_TYPE: "invalid channel type",
    ErrorCode.NOT_CONNECTED: "the client's network is down",
    ErrorCode.CHANNEL_NOT_JOINED: "stream channel not joined",
    ErrorCode.CHANNEL_NOT_SUBSCRIBED: "channel not subscribed",
    ErrorCode.CHANNEL_INSTANCE_EXCEED_LIMITATION: "too many channels",
    ErrorCode.CHANNEL_JOIN_FAILED: "stream channel join failed",
    ErrorCode.CHANNEL_SUBSCRIBE_FAILED: "channel subscribe failed",
    ErrorCode.PRESENCE_INVALID_ARGUMENT: "invalid presence argument",
    ErrorCode.PRESENCE_CACHED_TOO_MANY_STATES: "too many cached states",
    ErrorCode.PRESENCE_STATE_COUNT_OVERFLOW: "too many state keys",
    ErrorCode.PRESENCE_INVALID_STATE_KEY: "invalid state key",
    ErrorCode.PRESENCE_INVALID_STATE_VALUE: "invalid state value",
    ErrorCode.PRESENCE_STATE_KEY_SIZE_OVERFLOW: "state key too long",
    ErrorCode.PRESENCE_STATE_VALUE_SIZE_OVERFLOW: "state value too long",
    ErrorCode.PRESENCE_USER_NOT_EXIST: "user not present",
}


class RtmError(Exception):
    """A failed RTM call: the SDK's ``ErrorInfo`` as a Python exception.

    Attributes:
        error: always ``True`` (the SDK field).
        operation: the SDK method name as called (``"whoNow"``, ``"setState"``, ...).
        error_code: the negative integer code, an :class:`ErrorCode` member.
        reason: what was wrong, naming the offending value.

    The constructor takes its fields positionally so that the exception pickles.
    """

    error: bool

    def __init__(self, operation: str, error_code: int, reason: str) -> None:
        super().__init__(operation, error_code, reason)
        self.error = True
        self.operation = operation
        try:
            self.error_code: int = ErrorCode(error_code)
        except ValueError:
            self.error_code = error_code
        self.reason = reason

    @classmethod
    def of(cls, operation: str, code: ErrorCode, detail: str) -> RtmError:
        """Build an error whose reason is the table's text for ``code`` plus ``detail``."""
        return cls(operation, code, f"{ERROR_TABLE[code]}: {detail}")

    @property
    def code_name(self) -> str:
        """The code's name (``"PRESENCE_INVALID_ARGUMENT"``), or its number if unknown."""
        code = self.error_code
        return code.name if isinstance(code, ErrorCode) else str(code)

    def to_dict(self) -> dict[str, Any]:
        """The SDK's ``ErrorInfo`` JSON: ``{"error", "operation", "errorCode", "reason"}``."""
        return {
            "error": True,
            "operation": self.operation,
            "errorCode": int(self.error_code),
            "reason": self.reason,
        }

    def __str__(self) -> str:
        return (
            f"{self.operation} failed with {int(self.error_code)} {self.code_name}: {self.reason}"
        )

    def __repr__(self) -> str:
        return f"RtmError({self.operation!r}, {int(self.error_code)}, {self.reason!r})"


class ConfigError(RtmError, ValueError):
    """Bad configuration or a bad argument to an emulator-level (harness) method.

    It is both an :class:`RtmError` (code ``INVALID_PARAMETER``) and a ``ValueError``,
    so ``pytest.raises(ValueError)`` and ``pytest.raises(RtmError)`` both catch it.
    """

    def __init__(self, operation: str, error_code: int, reason: str) -> None:
        super().__init__(operation, error_code, reason)

    @classmethod
    def bad(cls, operation: str, detail: str) -> ConfigError:
        """An ``INVALID_PARAMETER`` configuration error with the given detail."""
        return cls(operation, ErrorCode.INVALID_PARAMETER, f"invalid parameter: {detail}")
