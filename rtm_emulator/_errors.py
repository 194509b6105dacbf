"""Errors: the SDK's error codes, reason texts and error classes (semantics.md, "Errors").

Every failure of a public call raises :class:`RtmError`, which carries what the SDK's
``RTMBaseError`` carries: ``{error, code, errorCode, operation, reason, name}`` and, where
the server refused, ``serverCode``.  Beside those SDK fields an error has ``detail``: the
emulator's own words about what was wrong and with which value (shown by ``str(err)``,
never part of :meth:`RtmError.to_dict`).

Sources (agora-rtm.js 2.3.0):

- :class:`ErrorCode` is the SDK's error-code enum, all 120 codes, names without the
  ``RTM_ERROR_`` prefix (R-X2).
- :data:`REASONS` is the SDK's reason table as an app sees it: each text with the final
  ``"."`` the SDK's error constructor adds when it is missing (agora-rtm.js 2.3.0, reason
  table; the three texts without one are -10017, -10018 and -10025).
- :data:`ERROR_CLASS` is the class (``err.name``) the SDK raises each code with on the
  presence, subscribe, join and login paths; a code the SDK raises with more than one
  class has the presence/subscribe one here, and the caller passes ``name=`` for the
  other (-11005 from a stream ``join`` is an ``RtmUnavailableError``).  Codes the SDK
  never raises by name (they reach an app only as a server's code) are
  ``RtmUnavailableError``, the class the SDK wraps server codes in.

Where the SDK fails with a plain JavaScript exception instead (R-X3), the emulator raises
:class:`SdkTypeError` (a ``TypeError``) or :class:`SdkInvalidCharacterError` (a
``ValueError``) with the SDK's message.

A call that raises has changed no state and emitted no event: the engine validates
everything before it mutates anything.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

__all__ = [
    "ERROR_CLASS",
    "REASONS",
    "ConfigError",
    "ErrorCode",
    "RtmError",
    "SdkInvalidCharacterError",
    "SdkTypeError",
]


class ErrorCode(enum.IntEnum):
    """Every code of the SDK's 2.3.0 error enum (``RTM_ERROR_`` prefix dropped), R-X2."""

    OK = 0
    NOT_INITIALIZED = -10001
    NOT_LOGIN = -10002
    INVALID_APP_ID = -10003
    INVALID_EVENT_HANDLER = -10004
    INVALID_TOKEN = -10005
    INVALID_USER_ID = -10006
    INIT_SERVICE_FAILED = -10007
    INVALID_CHANNEL_NAME = -10008
    TOKEN_EXPIRED = -10009
    LOGIN_NO_SERVER_RESOURCES = -10010
    LOGIN_TIMEOUT = -10011
    LOGIN_REJECTED = -10012
    LOGIN_ABORTED = -10013
    INVALID_PARAMETER = -10014
    LOGIN_NOT_AUTHORIZED = -10015
    INCONSISTENT_APPID = -10016
    DUPLICATE_OPERATION = -10017
    INSTANCE_ALREADY_RELEASED = -10018
    INVALID_CHANNEL_TYPE = -10019
    INVALID_ENCRYPTION_PARAMETER = -10020
    OPERATION_RATE_EXCEED_LIMITATION = -10021
    SERVICE_NOT_SUPPORTED = -10022
    LOGIN_CANCELED = -10023
    INVALID_PRIVATE_CONFIG = -10024
    NOT_CONNECTED = -10025
    RENEW_TOKEN_TIMEOUT = -10026
    DUPLICATE_USER_ID = -10027
    CHANNEL_NOT_JOINED = -11001
    CHANNEL_NOT_SUBSCRIBED = -11002
    CHANNEL_EXCEED_TOPIC_USER_LIMITATION = -11003
    CHANNEL_IN_REUSE = -11004
    CHANNEL_INSTANCE_EXCEED_LIMITATION = -11005
    CHANNEL_IN_ERROR_STATE = -11006
    CHANNEL_JOIN_FAILED = -11007
    CHANNEL_INVALID_TOPIC_NAME = -11008
    CHANNEL_INVALID_MESSAGE = -11009
    CHANNEL_MESSAGE_LENGTH_EXCEED_LIMITATION = -11010
    CHANNEL_INVALID_USER_LIST = -11011
    CHANNEL_NOT_AVAILABLE = -11012
    CHANNEL_TOPIC_NOT_SUBSCRIBED = -11013
    CHANNEL_EXCEED_TOPIC_LIMITATION = -11014
    CHANNEL_JOIN_TOPIC_FAILED = -11015
    CHANNEL_TOPIC_NOT_JOINED = -11016
    CHANNEL_TOPIC_NOT_EXIST = -11017
    CHANNEL_INVALID_TOPIC_META = -11018
    CHANNEL_SUBSCRIBE_TIMEOUT = -11019
    CHANNEL_SUBSCRIBE_TOO_FREQUENT = -11020
    CHANNEL_SUBSCRIBE_FAILED = -11021
    CHANNEL_UNSUBSCRIBE_FAILED = -11022
    CHANNEL_ENCRYPT_MESSAGE_FAILED = -11023
    CHANNEL_PUBLISH_MESSAGE_FAILED = -11024
    CHANNEL_PUBLISH_MESSAGE_TOO_FREQUENT = -11025
    CHANNEL_PUBLISH_MESSAGE_TIMEOUT = -11026
    CHANNEL_NOT_CONNECTED = -11027
    CHANNEL_LEAVE_FAILED = -11028
    CHANNEL_CUSTOM_TYPE_LENGTH_OVERFLOW = -11029
    CHANNEL_INVALID_CUSTOM_TYPE = -11030
    CHANNEL_UNSUPPORTED_MESSAGE_TYPE = -11031
    CHANNEL_PRESENCE_NOT_READY = -11032
    CHANNEL_RECEIVER_OFFLINE = -11033
    CHANNEL_JOIN_CANCELED = -11034
    CHANNEL_RECEIVER_OFFLINE_BUT_STORE_SUCCEEDED = -11035
    CHANNEL_RECEIVER_OFFLINE_AND_STORE_FAILED = -11036
    CHANNEL_MESSAGE_DELIVERED_BUT_STORE_FAILED = -11037
    CHANNEL_SUBSCRIBE_PERMISSION_DENIED = -11038
    CHANNEL_PUBLISH_PERMISSION_DENIED = -11039
    CHANNEL_SUBSCRIBE_CANCELED = -11040
    STORAGE_OPERATION_FAILED = -12001
    STORAGE_METADATA_ITEM_EXCEED_LIMITATION = -12002
    STORAGE_INVALID_METADATA_ITEM = -12003
    STORAGE_INVALID_ARGUMENT = -12004
    STORAGE_INVALID_REVISION = -12005
    STORAGE_METADATA_LENGTH_OVERFLOW = -12006
    STORAGE_INVALID_LOCK_NAME = -12007
    STORAGE_LOCK_NOT_ACQUIRED = -12008
    STORAGE_INVALID_KEY = -12009
    STORAGE_INVALID_VALUE = -12010
    STORAGE_KEY_LENGTH_OVERFLOW = -12011
    STORAGE_VALUE_LENGTH_OVERFLOW = -12012
    STORAGE_DUPLICATE_KEY = -12013
    STORAGE_OUTDATED_REVISION = -12014
    STORAGE_NOT_SUBSCRIBE = -12015
    STORAGE_INVALID_METADATA_INSTANCE = -12016
    STORAGE_SUBSCRIBE_USER_EXCEED_LIMITATION = -12017
    STORAGE_OPERATION_TIMEOUT = -12018
    STORAGE_NOT_AVAILABLE = -12019
    STORAGE_PERMISSION_DENIED = -12020
    PRESENCE_NOT_CONNECTED = -13001
    PRESENCE_NOT_WRITABLE = -13002
    PRESENCE_INVALID_ARGUMENT = -13003
    PRESENCE_CACHED_TOO_MANY_STATES = -13004
    PRESENCE_STATE_COUNT_OVERFLOW = -13005
    PRESENCE_INVALID_STATE_KEY = -13006
    PRESENCE_INVALID_STATE_VALUE = -13007
    PRESENCE_STATE_KEY_SIZE_OVERFLOW = -13008
    PRESENCE_STATE_VALUE_SIZE_OVERFLOW = -13009
    PRESENCE_STATE_DUPLICATE_KEY = -13010
    PRESENCE_USER_NOT_EXIST = -13011
    PRESENCE_OPERATION_TIMEOUT = -13012
    PRESENCE_OPERATION_FAILED = -13013
    PRESENCE_INACTIVE = -13014
    PRESENCE_PENDING_REQUEST_CANCELLED = -13015
    PRESENCE_PENDING_REQUEST_EXCEED_LIMITATION = -13016
    LOCK_OPERATION_FAILED = -14001
    LOCK_OPERATION_TIMEOUT = -14002
    LOCK_OPERATION_PERFORMING = -14003
    LOCK_ALREADY_EXIST = -14004
    LOCK_INVALID_NAME = -14005
    LOCK_NOT_ACQUIRED = -14006
    LOCK_ACQUIRE_FAILED = -14007
    LOCK_NOT_EXIST = -14008
    LOCK_NOT_AVAILABLE = -14009
    LOCK_PERMISSION_DENIED = -14010
    HISTORY_OPERATION_FAILED = -15001
    HISTORY_INVALID_TIMESTAMP = -15002
    HISTORY_OPERATION_TIMEOUT = -15003
    HISTORY_OPERATION_NOT_PERMITTED = -15004
    HISTORY_NOT_AVAILABLE = -15005
    HISTORY_PERMISSION_DENIED = -15006


# The SDK's reason texts as written in its table (agora-rtm.js 2.3.0, reason table);
# the SDK's error constructor adds a final "." to a text that lacks one (_with_period).
_SDK_TEXT: dict[int, str] = {
    0: "No error.",
    -10001: "Preform operation without initialize.",
    -10002: "Preform operation without login RTM service.",
    -10003: "Invalid App id. illegal symbol or too long.",
    -10004: "Invalid event handler.",
    -10005: "Invalid token.",
    -10006: "Invalid user id. illegal symbol or too long.",
    -10007: "Initialize agora service failed.",
    -10008: "Invalid channel name. illegal symbol or too long.",
    -10009: "Token is expired.",
    -10010: "No server resources.",
    -10011: "Login RTM service timeout.",
    -10012: "Login RTM service was rejected due to server error.",
    -10013: "Login RTM service was aborted due to unrecoverable error.",
    -10014: "Invalid parameter.",
    -10015: "The RTM service is not enabled or has been stopped.",
    -10016: "The appid is not consistent.",
    -10017: "Same subscribe, join or login request",
    -10018: "Instance already released or destroyed, need to create new one",
    -10019: "Invalid channel type, some api not support set channel type as user.",
    -10020: "Invalid encryption parameter.",
    -10021: "The operation rate exceeds limitation.",
    -10022: "Service doesn't support.",
    -10023: "Login RTM service was canceled by user.",
    -10024: "Set private config should both set serviceType and accessPointHosts.",
    -10025: "Perform operation failed due to RTM service is not connected",
    -10026: "RenewToken operation timeout.",
    -10027: "The user ID is already in use by another active RTM instance with the same app ID.",
    -11001: "Perform operation without join stream channel.",
    -11002: "Perform operation without subscribe message channel.",
    -11003: "Subscribe failed due to exceed topic user limitation in stream channel.",
    -11004: "Release a stream channel which was reused in RTC channel.",
    -11005: "Join or subscribe too many channels and have reach limitation.",
    -11006: "Perform channel operation failed since channel state is incorrect.",
    -11007: "Join stream channel failed.",
    -11008: "Perform topic operation with invalid name.illegal symbol or too long.",
    -11009: "Publish invalid message.",
    -11010: "Publish too long message.",
    -11011: "Perform topic operation with invalid user list.",
    -11012: "Stream channel not available for this app id.",
    -11013: "Perform topic operation without subscribe.",
    -11014: "Have subscribe or joined too many topics.",
    -11015: "Join topic failed.",
    -11016: "Perform topic operation without join.",
    -11017: "Topic does not exist.",
    -11018: "Topic meta is invalid.",
    -11019: "Subscribe message channel timeout.",
    -11020: "Subscribe message channel too frequently.",
    -11021: "Subscribe message channel failed.",
    -11022: "Unsubscribe message channel failed.",
    -11023: "Encrypt message failed.",
    -11024: "Publish message failed.",
    -11025: "Publish message too frequently.",
    -11026: "Publish message timeout.",
    -11027: "Perform operation failed due to connection closed.",
    -11028: "Leave channel failed.",
    -11029: "The length of custom type overflow.",
    -11030: "Send message with invalid custom type.",
    -11031: "Send message with unsupported message type.",
    -11032: "Join or subscribe channel failed due to presence service not ready.",
    -11033: "Publish a message to user now is offline.",
    -11034: "Join channel operation was canceled.",
    -11035: "Message receiver is offline but store in history succeeded.",
    -11036: "Message receiver is offline and store in history failed.",
    -11037: "Message delivered successfully but store in history failed.",
    -11038: "No permission to subscribe message channel.",
    -11039: "No permission to publish message.",
    -11040: "Subscribe channel operation was canceled.",
    -12001: "Storage operation failed.",
    -12002: "Metadata item size exceeds limitation.",
    -12003: "Metadata item is invalid.",
    -12004: "Server reject operation due to invalid argument.",
    -12005: "Metadata item with invalid revision.",
    -12006: "The length of metadata items overflow.",
    -12007: "Storage operation with invalid lock name. illegal symbol or too long.",
    -12008: "Storage operation with lock not acquired.",
    -12009: "Storage operation with invalid key.",
    -12010: "Storage operation with invalid value.",
    -12011: "Storage operation with key length overflow.",
    -12012: "Storage operation with value length overflow.",
    -12013: "Storage operation with duplicate key.",
    -12014: "Storage operation with outdated revision or the key does not exist.",
    -12015: "Storage operation without subscribe.",
    -12016: "Metadata instance is invalid.",
    -12017: "Subscribe user metadata exceeds limitation.",
    -12018: "Storage operation timeout.",
    -12019: "Storage service is not available.",
    -12020: "No permission to access storage service.",
    -13001: "Presence service not connected.",
    -13002: "Operation failed since presence document is not writable, try later.",
    -13003: "Presence operation failed due to invalid argument.",
    -13004: "Exceed presence cache limitation.",
    -13005: "Exceed presence state count limitation.",
    -13006: "Invalid presence state key.",
    -13007: "Invalid presence state value.",
    -13008: "Presence state key length is too long.",
    -13009: "Presence state value length is too long.",
    -13010: "Presence operation failed since including duplicate key.",
    -13011: "Presence operation failed due to inexistent user.",
    -13012: "Presence operation timeout.",
    -13013: "Presence operation failed.",
    -13014: "Presence is not enabled for this app in Console.",
    -13015: "Presence pending request cancelled.",
    -13016: "Presence pending request exceeds limitation.",
    -14001: "Lock operation failed.",
    -14002: "Lock operation timeout.",
    -14003: "Lock operation is performing, try later.",
    -14004: "Lock already exist.",
    -14005: "Lock operation with invalid name. illegal symbol or too long.",
    -14006: "Lock not acquired.",
    -14007: "Lock acquire failed.",
    -14008: "Lock not exist.",
    -14009: "Lock service is not available.",
    -14010: "No permission to access lock service.",
    -15001: "History operation failed.",
    -15002: "Invalid start or end timestamp.",
    -15003: "History operation timeout.",
    -15004: "History operation is not permitted.",
    -15005: "History service is not available.",
    -15006: "No permission to access history service.",
}


def _with_period(text: str) -> str:
    """The SDK's reason normalisation: a text not ending with ``"."`` gets one."""
    return text if text.endswith(".") else text + "."


#: code -> the SDK's exact ``reason`` for it, as an app sees it (final "." included).
REASONS: dict[ErrorCode, str] = {
    ErrorCode(code): _with_period(text) for code, text in _SDK_TEXT.items()
}

INVALID_ARGUMENT = "RtmInvalidArgumentError"
LIMIT_EXCEEDED = "RtmLimitExceededError"
INVALID_STATUS = "RtmInvalidStatusError"
UNAVAILABLE = "RtmUnavailableError"
TIMEOUT = "RtmTimeoutError"
UNAUTHENTICATED = "RtmUnauthenticatedError"

_CLASS_OVERRIDES: dict[str, tuple[int, ...]] = {
    INVALID_ARGUMENT: (
        -10005, -10006, -10008, -10010, -10014, -10016, -10019, -10024,
        -11008, -11009, -11010, -11029, -11030,
        -12003, -12005, -12007, -12009, -12010, -12011,
        -13003, -13006, -13008, -13010,
        -14005, -15002, -15004,
    ),
    LIMIT_EXCEEDED: (-11005, -12002, -12006, -12012, -12017, -13004, -13005, -13009),
    INVALID_STATUS: (-10025, -12015),
    TIMEOUT: (-10011, -10026, -11026),
    UNAUTHENTICATED: (-10009, -10015),
}  # fmt: skip

#: code -> the SDK error class (``err.name``) it is raised with by default.
ERROR_CLASS: dict[ErrorCode, str] = {code: UNAVAILABLE for code in ErrorCode}
for _name, _codes in _CLASS_OVERRIDES.items():
    for _code in _codes:
        ERROR_CLASS[ErrorCode(_code)] = _name
del _name, _codes, _code


class RtmError(Exception):
    """A failed RTM call: the SDK's error object as a Python exception.

    Attributes:
        error: always ``True`` (the SDK field).
        operation: the SDK's ``operation`` (``"whoNow"``, ``"presenceSetState"``, the
            limiter key for -10021, ``"initRTM"`` for the constructor, ...).
        error_code: the code, an :class:`ErrorCode` member when known, else the int.
        code: the same code (the SDK has both ``code`` and ``errorCode``).
        reason: the SDK's exact text (:data:`REASONS`, plus the SDK's suffix if any).
        name: the SDK's error class (``"RtmInvalidArgumentError"``, ...).
        detail: the emulator's words naming the bad value (``""`` if none).
        server_code: the server's code where the server refused, else ``None``.

    The constructor takes every field positionally so that the exception pickles.
    """

    error: bool

    def __init__(
        self,
        operation: str,
        error_code: int,
        reason: str,
        name: str,
        detail: str = "",
        server_code: int | None = None,
    ) -> None:
        super().__init__(operation, error_code, reason, name, detail, server_code)
        self.error = True
        self.operation = operation
        try:
            self.error_code: int = ErrorCode(error_code)
        except ValueError:
            self.error_code = error_code
        self.reason = reason
        self.name = name
        self.detail = detail
        self.server_code = server_code

    @classmethod
    def sdk(
        cls,
        operation: str,
        code: ErrorCode,
        *,
        detail: str = "",
        suffix: str = "",
        name: str | None = None,
        server_code: int | None = None,
    ) -> RtmError:
        """The error the SDK raises for ``code``: its reason text and default class.

        ``suffix`` is the text some SDK checks append to the table's text (-13003:
        ``"state of parameter is empty."``); the reason is then built like the SDK
        builds it (table text + suffix, with a final ``"."`` added if missing), so
        ``REASONS[code] + suffix`` when the table text ends with ``"."``.  ``name``
        overrides :data:`ERROR_CLASS` (-11005 from a stream join).
        """
        code = ErrorCode(code)
        reason = _with_period(_SDK_TEXT[int(code)] + suffix) if suffix else REASONS[code]
        return cls(
            operation,
            code,
            reason,
            ERROR_CLASS[code] if name is None else name,
            detail,
            server_code,
        )

    @property
    def code(self) -> int:
        """The code (an :class:`ErrorCode` member when known): the SDK's ``code``."""
        return self.error_code

    @property
    def code_name(self) -> str:
        """The code's name (``"PRESENCE_INVALID_ARGUMENT"``), or its number if unknown."""
        code = self.error_code
        return code.name if isinstance(code, ErrorCode) else str(code)

    def to_dict(self) -> dict[str, Any]:
        """The SDK error's JSON: ``{"error", "code", "errorCode", "operation", "reason",
        "name"}``, plus ``"serverCode"`` when set (``detail`` is not an SDK field)."""
        out: dict[str, Any] = {
            "error": True,
            "code": int(self.error_code),
            "errorCode": int(self.error_code),
            "operation": self.operation,
            "reason": self.reason,
            "name": self.name,
        }
        if self.server_code is not None:
            out["serverCode"] = self.server_code
        return out

    def __str__(self) -> str:
        text = (
            f"{self.operation} failed with {int(self.error_code)} {self.code_name}: {self.reason}"
        )
        return f"{text} ({self.detail})" if self.detail else text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.operation!r}, {int(self.error_code)}, "
            f"{self.reason!r}, {self.name!r}, {self.detail!r}, {self.server_code!r})"
        )


class ConfigError(RtmError, ValueError):
    """Misuse of the emulator itself (configuration, harness methods): not an SDK error.

    It is both an :class:`RtmError` (code ``INVALID_PARAMETER``, -10014, class
    ``RtmInvalidArgumentError``) and a ``ValueError``, so ``pytest.raises(ValueError)``
    and ``pytest.raises(RtmError)`` both catch it; ``detail`` says what was wrong.
    """

    @classmethod
    def bad(cls, operation: str, detail: str) -> ConfigError:
        """An ``INVALID_PARAMETER`` error of ``operation`` whose ``detail`` names the value."""
        code = ErrorCode.INVALID_PARAMETER
        return cls(operation, code, REASONS[code], ERROR_CLASS[code], detail)


class _SdkJsError:
    """Mixin of the R-X3 exceptions: the JavaScript kind the SDK throws (``js_name``)."""

    js_name: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        """``{"name": <JS kind>, "message": <the SDK's message>}`` for a JS peer."""
        return {"name": self.js_name, "message": str(self)}


class SdkTypeError(_SdkJsError, TypeError):
    """A plain JavaScript ``TypeError`` the SDK throws (R-X3), with the SDK's message.

    Examples: ``setState(..., null)`` ("Cannot convert undefined or null to object"),
    ``removeState(..., {states: "ab"})`` ("n.forEach is not a function").
    """

    js_name: ClassVar[str] = "TypeError"


class SdkInvalidCharacterError(_SdkJsError, ValueError):
    """The ``DOMException`` named ``InvalidCharacterError`` of JS ``atob``/``btoa`` (R-X3, R-Q3).

    A ``ValueError`` in Python; the message is the one Node gives ("Invalid character",
    or "The string to be decoded is not correctly encoded.").
    """

    js_name: ClassVar[str] = "InvalidCharacterError"
