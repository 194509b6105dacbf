"""Configuration: the service's (``EmulatorConfig``) and a client's (``RTMConfig``).

``EmulatorConfig`` holds what Agora's console would set for a project; an out-of-range
or mistyped value raises :class:`~rtm_emulator.ConfigError` (a ``ValueError``) naming
the field.  ``RTMConfig`` holds the client options that presence depends on and clamps
them into the SDK's ranges like the SDK does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._errors import ConfigError

__all__ = ["EmulatorConfig", "RTMConfig"]

#: 2025-01-01T00:00:00Z, the default start of the fake clock.
DEFAULT_START_TIME_MS = 1_735_689_600_000


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_int(name: str, value: object, low: int, high: int | None = None) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError.bad("EmulatorConfig", f"{name} must be an int, got {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"{low}..{high}" if high is not None else f">= {low}"
        raise ConfigError.bad("EmulatorConfig", f"{name} must be {bound}, got {value!r}")


def _check_seconds(name: str, value: object, low: float, high: float | None = None) -> None:
    if not _is_number(value) or value != value:  # rejects NaN too
        raise ConfigError.bad("EmulatorConfig", f"{name} must be a number, got {value!r}")
    assert isinstance(value, (int, float))
    if value < low or (high is not None and value > high) or value == float("inf"):
        bound = f"{low}..{high}" if high is not None else f">= {low}"
        raise ConfigError.bad("EmulatorConfig", f"{name} must be {bound} seconds, got {value!r}")


@attrs.frozen(kw_only=True)
class EmulatorConfig:
    """Settings of the emulated service (semantics.md; defaults are Agora's).

    Attributes:
        start_time_ms: the fake clock's start, ms since the Unix epoch (R-T1).
        page_size: users per ``getOnlineUsers`` page (R-Q2), >= 1.
        announce_max: occupancy above which a channel switches to interval mode
            (R-E5), 8..128.
        interval: seconds between ``INTERVAL`` events (R-E5), 5..300.
        debounce: seconds a ``REMOTE_LEAVE`` waits for a re-entry (R-E6), 0..1e9.
        max_channel_users: present users a channel holds at most, >= 1.

    Raises:
        ConfigError: (a ``ValueError``) for a mistyped or out-of-range field, naming it.
    """

    start_time_ms: int = DEFAULT_START_TIME_MS
    page_size: int = 50
    announce_max: int = 50
    interval: float = 30.0
    debounce: float = 2.0
    max_channel_users: int = 50_000

    def __attrs_post_init__(self) -> None:
        _check_int("start_time_ms", self.start_time_ms, 0)
        _check_int("page_size", self.page_size, 1)
        _check_int("announce_max", self.announce_max, 8, 128)
        _check_seconds("interval", self.interval, 5, 300)
        _check_seconds("debounce", self.debounce, 0, 1e9)
        _check_int("max_channel_users", self.max_channel_users, 1)


# The SDK's RTMConfig keys (agora-rtm.d.ts); only the presence ones change behaviour.
_SDK_CONFIG_KEYS = {
    "presenceTimeout": "presence_timeout",
    "heartbeatInterval": "heartbeat_interval",
    "encryptionMode": None,
    "salt": None,
    "cipherKey": None,
    "logUpload": None,
    "cloudProxy": None,
    "useStringUserId": None,
    "logLevel": None,
    "privateConfig": None,
}


def _clamp(name: str, value: Any, low: int, high: int) -> float | int:
    if not _is_number(value) or value != value:
        raise ConfigError.bad("RTMConfig", f"{name} must be a number, got {value!r}")
    return min(max(value, low), high)  # type: ignore[no-any-return]


def _presence_timeout(value: Any) -> float | int:
    return _clamp("presence_timeout", value, 5, 300)


def _heartbeat_interval(value: Any) -> float | int:
    return _clamp("heartbeat_interval", value, 5, 1800)


@attrs.frozen(kw_only=True)
class RTMConfig:
    """A client's presence-related options (the SDK's ``RTMConfig``).

    Attributes:
        presence_timeout: seconds the server waits, after noticing a lost connection,
            before it times the user out (R-T2); clamped to 5..300 like the SDK.
        heartbeat_interval: the keep-alive period in seconds; the server notices a loss
            ``heartbeat_interval + 10`` seconds after it (R-T2); clamped to 5..1800.

    Raises:
        ConfigError: (a ``ValueError``) when a value is not a number.
    """

    presence_timeout: float = attrs.field(default=300, converter=_presence_timeout)
    heartbeat_interval: float = attrs.field(default=5, converter=_heartbeat_interval)

    @classmethod
    def from_sdk(cls, options: Mapping[str, Any]) -> RTMConfig:
        """Build from the SDK's camelCase config object (``{"presenceTimeout": 20}``).

        Keys of the SDK's ``RTMConfig`` that do not affect presence are accepted and
        ignored.

        Raises:
            ConfigError: for a key the SDK's ``RTMConfig`` does not have, or a bad value.
        """
        kwargs: dict[str, Any] = {}
        for key, value in options.items():
            if key not in _SDK_CONFIG_KEYS:
                raise ConfigError.bad("RTMConfig", f"unknown RTMConfig key {key!r}")
            field = _SDK_CONFIG_KEYS[key]
            if field is not None:
                kwargs[field] = value
        return cls(**kwargs)

    @property
    def detection_ms(self) -> int:
        """Milliseconds from a network loss until the server notices it (R-T2)."""
        return round((self.heartbeat_interval + 10) * 1000)

    @property
    def timeout_ms(self) -> int:
        """Milliseconds from a network loss until the server times the user out (R-T2)."""
        return self.detection_ms + round(self.presence_timeout * 1000)
