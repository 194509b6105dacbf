"""Configuration: the service's (``EmulatorConfig``), a client's (``RTMConfig``), rate limits.

``EmulatorConfig`` holds what Agora's console would set for a project (R-C4) plus the
emulator's own switches; an out-of-range or mistyped value raises
:class:`~rtm_emulator.ConfigError` (a ``ValueError``) naming the field, where the
console would clamp (the emulator refuses instead: a test that asks for 5 s means it).
``RTMConfig`` holds the client options presence depends on and treats them as the SDK
does (R-C3): numbers are clamped, anything else means the default.  ``RateLimiter`` is
the SDK's per-operation limiter (R-C6).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from typing import Any

import attrs

from ._errors import ConfigError, ErrorCode, RtmError
from ._ids import show

__all__ = [
    "ANNOUNCE_MAX_RANGE",
    "BUFFER_LIMIT",
    "DEFAULT_APP_ID",
    "DEFAULT_START_TIME_MS",
    "INTERVAL_RANGE",
    "MAX_FRAME_BYTES",
    "RATE_LIMITS",
    "RATE_WINDOW_MS",
    "SERVER_JOURNAL_MAX_ENTRIES",
    "EmulatorConfig",
    "RTMConfig",
    "RateLimiter",
]

#: 2025-01-01T00:00:00Z, the default start of the fake clock.
DEFAULT_START_TIME_MS = 1_735_689_600_000

#: The app of ``emu.client(...)`` when none is given: 32 ASCII letters / digits (R-C2).
DEFAULT_APP_ID = "RtmEmulatorDefaultAppId000000000"

#: The server's default largest request frame (UTF-8 bytes); a larger one gets -32001.
MAX_FRAME_BYTES = 1 << 20
#: Frames the server keeps for a session whose socket is closed, until it is resumed.
BUFFER_LIMIT = 1000
#: The server's journal keeps the newest this many deliveries (``serve
#: --journal-max-entries``; 0 there: unbounded).
SERVER_JOURNAL_MAX_ENTRIES = 100_000

#: The largest integer JS numbers hold exactly (clock values reach JS clients).
_MAX_SAFE_INTEGER = 2**53 - 1


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _plain_number(value: int | float) -> int | float:
    """A number as its plain value (an ``int`` / ``float`` subclass's own comparisons
    and conversions are never asked)."""
    return int.__int__(value) if isinstance(value, int) else float.__float__(value)


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError.bad("EmulatorConfig", f"{name} must be an int, got {value!r}")
    if not low <= value <= high:
        bound = f"{low}..{high}" if high < _MAX_SAFE_INTEGER else f">= {low}"
        raise ConfigError.bad("EmulatorConfig", f"{name} must be {bound}, got {value!r}")


def _check_seconds(name: str, value: object, low: float, high: float) -> None:
    if not _is_number(value):
        raise ConfigError.bad("EmulatorConfig", f"{name} must be a number, got {value!r}")
    assert isinstance(value, (int, float))
    if not math.isfinite(value) or not low <= value <= high:
        raise ConfigError.bad(
            "EmulatorConfig", f"{name} must be {low:g}..{high:g} seconds, got {value!r}"
        )


#: R-C4: the console's ranges of the announce threshold and the interval (seconds).
ANNOUNCE_MAX_RANGE = (8, 128)
INTERVAL_RANGE = (10, 300)


def _certificates(value: object) -> tuple[tuple[str, str], ...]:
    """R-TK20: ``app_certificates`` as sorted pairs; each app id valid (R-C2), each
    certificate a non-empty string of letters and digits.

    Raises:
        ConfigError: for anything else, naming the field.
    """
    try:
        pairs: Any = value.items() if isinstance(value, Mapping) else value
        items = [(app, cert) for app, cert in pairs]
    except Exception:  # the caller's value cannot be read as pairs
        raise ConfigError.bad(
            "EmulatorConfig",
            f"app_certificates must map app ids to certificates, got {show(value)}",
        ) from None
    return tuple(sorted(check_certificate(app, cert) for app, cert in items))


def check_certificate(app_id: object, certificate: object) -> tuple[str, str]:
    """An app id (32 letters / digits) and its certificate (letters / digits), as plain
    strings (the values' own methods are never called).

    Raises:
        ConfigError: naming the bad one.
    """
    plain: list[str] = []
    for what, text in (("app id", app_id), ("certificate", certificate)):
        if (
            not isinstance(text, str)
            or not str.__len__(text)
            or not str.isascii(text)
            or not str.isalnum(text)
            or (what == "app id" and str.__len__(text) != 32)
        ):
            raise ConfigError.bad("EmulatorConfig", f"app_certificates: bad {what} {show(text)}")
        plain.append(str.__str__(text))
    return plain[0], plain[1]


def _certificates_converter(value: Any) -> tuple[tuple[str, str], ...]:
    return _certificates(value)


@attrs.frozen(kw_only=True)
class EmulatorConfig:
    """Settings of the emulated service (semantics.md R-C4, R-C6; defaults are Agora's).

    Attributes:
        start_time_ms: the fake clock's start, ms since the Unix epoch (R-T1),
            0..2**53-1.
        announce_max: the console's ``presence.occupancy``, 8..128 (R-C4): the
            occupancy at which a listening client enters interval mode (R-E5), and the
            server route's page size (R-Q3).
        interval: the console's ``presence.interval`` in seconds, 10..300 (R-C4, R-E5).
        debounce: seconds a left user's document is kept (R-E6), 0..1e9, finite.
        max_channel_users: present users a channel holds at most (R-L4), >= 1.
        rate_limits: whether the SDK's API rate limits apply (R-C6); off by default.
        app_certificates: the console's app certificates, app id -> certificate (a
            mapping; kept as sorted ``(app_id, certificate)`` pairs).  An app with one
            has its tokens checked and expiring on the fake clock (R-TK20); without one
            every token the SDK's format check takes is accepted.

    Raises:
        ConfigError: (a ``ValueError``) for a mistyped or out-of-range field, naming it.
    """

    start_time_ms: int = DEFAULT_START_TIME_MS
    announce_max: int = 50
    interval: float = 30.0
    debounce: float = 2.0
    max_channel_users: int = 50_000
    rate_limits: bool = False
    app_certificates: tuple[tuple[str, str], ...] = attrs.field(
        default=(), converter=_certificates_converter
    )

    def __attrs_post_init__(self) -> None:
        _check_int("start_time_ms", self.start_time_ms, 0, _MAX_SAFE_INTEGER)
        _check_int("announce_max", self.announce_max, *ANNOUNCE_MAX_RANGE)
        _check_seconds("interval", self.interval, *INTERVAL_RANGE)
        _check_seconds("debounce", self.debounce, 0, 1e9)
        _check_int("max_channel_users", self.max_channel_users, 1, _MAX_SAFE_INTEGER)
        if not isinstance(self.rate_limits, bool):
            raise ConfigError.bad(
                "EmulatorConfig", f"rate_limits must be a bool, got {self.rate_limits!r}"
            )


def _presence_timeout(value: Any) -> float:
    """R-C3: ``presenceTimeout`` clamped to 5..300 when it is a number, else 300.

    (A JS ``NaN`` would stay ``NaN`` in the SDK, which gives it no meaning; here it is
    the default.)
    """
    if not _is_number(value):
        return 300
    number = _plain_number(value)
    if number != number:
        return 300
    return min(max(number, 5), 300)


def _heartbeat_interval(value: Any) -> float:
    """R-C3: ``heartbeatInterval`` clamped to 5..1800 s; 0, NaN or a non-number is 5.

    (The SDK multiplies the value by 1000 first, so a numeric JS string such as ``"10"``
    would count as 10 there; here every non-number is 5.)
    """
    if not _is_number(value):
        return 5
    number = _plain_number(value)
    if number != number or number == 0:
        return 5
    return min(max(number, 5), 1800)


def _use_string_user_id(value: Any) -> bool:
    """SDK: only ``useStringUserId: false`` itself turns string user ids off."""
    return value is not False


@attrs.frozen(kw_only=True)
class RTMConfig:
    """A client's options that the emulator uses (the SDK's ``RTMConfig``, R-C3).

    Attributes:
        presence_timeout: seconds the server waits, after noticing a lost connection,
            before it times the user out (R-T2); clamped to 5..300 when a number, 300
            otherwise.
        heartbeat_interval: the keep-alive period in seconds; the server notices a loss
            ``heartbeat_interval + 10`` seconds after it (R-T2); clamped to 5..1800, and
            0 or a non-number is 5.
        token: the client's token (the SDK checks it at ``login``: -10005 / -10016); kept
            as given.
        use_string_user_id: ``False`` only when the SDK option ``useStringUserId`` is
            ``False`` (user ids must then be non-negative integer strings).

    Nothing here raises: like the SDK, out-of-range or mistyped values fall back.
    """

    presence_timeout: float = attrs.field(default=300, converter=_presence_timeout)
    heartbeat_interval: float = attrs.field(default=5, converter=_heartbeat_interval)
    token: str | None = None
    use_string_user_id: bool = attrs.field(default=True, converter=_use_string_user_id)

    @classmethod
    def from_sdk(cls, options: Mapping[str, Any] | None) -> RTMConfig:
        """Build from the SDK's camelCase config object (``{"presenceTimeout": 20}``).

        Reads ``presenceTimeout``, ``heartbeatInterval``, ``token`` and
        ``useStringUserId``; every other key is ignored, as the SDK ignores keys it does
        not know (R-C3).  ``None`` gives the defaults.

        Raises:
            ConfigError: when ``options`` is neither a mapping nor ``None``.
        """
        if options is None:
            return cls()
        if not isinstance(options, Mapping):
            raise ConfigError.bad(
                "RTMConfig", f"config must be a dict of SDK RTMConfig keys, got {options!r}"
            )
        kwargs: dict[str, Any] = {}
        for key, field in _SDK_KEYS.items():
            if key in options:
                kwargs[field] = options[key]
        return cls(**kwargs)

    @property
    def heartbeat_ms(self) -> int:
        """The heartbeat interval in ms."""
        return round(self.heartbeat_interval * 1000)

    @property
    def presence_timeout_ms(self) -> int:
        """The presence timeout alone, in ms."""
        return round(self.presence_timeout * 1000)

    @property
    def detection_ms(self) -> int:
        """Milliseconds from a network loss until the server notices it (R-T2)."""
        return round((self.heartbeat_interval + 10) * 1000)

    @property
    def timeout_ms(self) -> int:
        """Milliseconds from a network loss until the server times the user out (R-T2):
        :attr:`detection_ms` + :attr:`presence_timeout_ms`."""
        return self.detection_ms + self.presence_timeout_ms


_SDK_KEYS = {
    "presenceTimeout": "presence_timeout",
    "heartbeatInterval": "heartbeat_interval",
    "token": "token",
    "useStringUserId": "use_string_user_id",
}

#: R-C6: the SDK's default API rate limits, calls per sliding second per limiter key
#: (agora-rtm.js 2.3.0, ``API_RATE_LIMIT`` default, in its order: the JS client's
#: ``getParameter("API_RATE_LIMIT")`` lists them so).  ``modifyState`` is shared by
#: setState and removeState.
RATE_LIMITS: Mapping[str, int] = {
    "removeLock": 20,
    "setLock": 20,
    "acquireLock": 10,
    "releaseLock": 20,
    "revokeLock": 20,
    "getLock": 20,
    "userMetaModify": 20,
    "userMetaGet": 20,
    "userMetaSub": 20,
    "channelMetaModify": 20,
    "channelMetaGet": 20,
    "login": 20,
    "renewToken": 20,
    "whoNow": 20,
    "whereNow": 20,
    "modifyState": 20,
    "getState": 20,
    "subscribe": 20,
    "join": 20,
    "joinTopic": 20,
    "subscribeTopic": 20,
    "publish": 60,
    "publishTopicMsg": 200,
    "getMessages": 20,
}

#: The limiter's window: a call counts while it is less than this many ms old.
RATE_WINDOW_MS = 1000


class RateLimiter:
    """The SDK's API rate limiter (R-C6): at most ``limits[key]`` calls per sliding second.

    As the SDK's (agora-rtm.js 2.3.0, ``canMakeOperation``): a call at ``now_ms`` counts
    the earlier admitted calls of its key made after ``now_ms - 1000``; below the limit it
    is admitted and recorded, else refused and *not* recorded.  An admitted call stays
    recorded even if a later check of the same call fails (the SDK checks the rate
    first and counts every call it lets through).

    The SDK keeps one limiter per component of a client: the client itself (``login``,
    ``subscribe``, ``publish``, ``renewToken``), presence (``whoNow``, ``whereNow``,
    ``modifyState``, ``getState``), storage, lock, history, and each stream channel
    handle (``join``, ``joinTopic``, ...).  The keys do not collide, so one limiter per
    client matches it, except that each stream channel has its own ``join`` budget.
    """

    __slots__ = ("_calls", "_limits")

    def __init__(self, limits: Mapping[str, int] = RATE_LIMITS) -> None:
        for key, limit in limits.items():
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
                raise ConfigError.bad(
                    "RateLimiter", f"limit of {key!r} must be an int >= 0, got {limit!r}"
                )
        self._limits = dict(limits)
        self._calls: dict[str, deque[int]] = {}

    def check(self, operation_key: str, now_ms: int) -> None:
        """Admit (and record) one call of ``operation_key`` at ``now_ms``, or refuse it.

        Raises:
            RtmError: -10021 ``OPERATION_RATE_EXCEED_LIMITATION``
                (``RtmUnavailableError``) with ``operation`` = ``operation_key``.
            ConfigError: for a key that has no limit (a bug of the caller: every key the
                SDK uses has one).
        """
        limit = self._limits.get(operation_key)
        if limit is None:
            raise ConfigError.bad("RateLimiter", f"no rate limit for {operation_key!r}")
        calls = self._calls.get(operation_key)
        if calls is None:
            calls = self._calls[operation_key] = deque()
        oldest = now_ms - RATE_WINDOW_MS
        while calls and calls[0] <= oldest:
            calls.popleft()
        if len(calls) < limit:
            calls.append(now_ms)
            return
        raise RtmError.sdk(
            operation_key,
            ErrorCode.OPERATION_RATE_EXCEED_LIMITATION,
            detail=f"{limit} {operation_key} calls within the last {RATE_WINDOW_MS} ms",
        )

    def in_window(self, operation_key: str, now_ms: int) -> int:
        """How many admitted calls of ``operation_key`` count at ``now_ms`` (no change)."""
        calls = self._calls.get(operation_key, ())
        return sum(1 for t in calls if t > now_ms - RATE_WINDOW_MS)

    def clear(self) -> None:
        """Forget every recorded call."""
        self._calls.clear()
