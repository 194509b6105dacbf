"""The declared control API: every verb of the server's control surface, one row each.

The control verbs are the harness's own (time, faults, looking inside), not part of the
SDK: the Python ``Emulator``'s verbs, the server's ``control.*`` methods and the JS
``EmulatorControl`` are derived from :data:`CONTROL` (through ``server/_control.py`` and
``clients/js/manifest.json``); the service hooks a conformance scenario may call are
the rows marked :attr:`Control.hook`.  ``_surface`` re-exports everything here next to
the SDK's operations.  This module is data and a leaf (it imports only ``attrs``).
"""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = [
    "ADVANCE",
    "ADVANCE_TO_NEXT_EVENT",
    "CHECK_INVARIANTS",
    "CLEAR_JOURNAL",
    "CONTROL",
    "DISCONNECT",
    "INFO",
    "JOURNAL",
    "JOURNAL_JSONL",
    "NOW",
    "ONLINE_USERS",
    "PENDING_TIMERS",
    "RECONNECT",
    "RESET",
    "RUN_UNTIL_IDLE",
    "SET_APP_CERTIFICATE",
    "SET_DELIVERY_LATENCY",
    "SET_LOCK_REPLY_CODE",
    "SET_PRESENCE_AVAILABLE",
    "SET_STORAGE_REPLY_CODE",
    "STATE_OF",
    "USER_CHANNELS",
    "Control",
    "ControlParam",
    "control",
]


@attrs.frozen
class ControlParam:
    """One parameter of a control verb.

    ``kind``: ``"arg"`` a positional argument sent as ``wire``; ``"app"`` the app
    option (JS: ``options.appId``, else the control's ``appId``; Python: ``app_id=``);
    ``"spread"`` an object whose ``keys`` are sent as they are (``journal``'s filter).
    ``keys`` pairs each key of a spread object with its Python keyword.
    """

    js: str
    wire: str
    python: str
    kind: Literal["arg", "app", "spread"] = "arg"
    required: bool = True
    keys: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class Control:
    """One verb of the control API (time, faults, looking inside), not part of the SDK.

    Attributes:
        js: the ``EmulatorControl`` method (JS).
        wire: the server method (``control.advance``).
        python: the ``Emulator`` attribute it stands for (``run_until_idle``; a dotted
            path for ``journal.clear``), ``None`` where Python has no such verb
            (``reset``: make a new ``Emulator``; ``info``).
        params: its parameters, in the JS method's order.
        fixed: parameters the JS method always sends (``journalJsonl``'s format).
        result: the key of the server's answer the JS method returns (``now``).
        hook: a service hook of the conformance kit's target contract (a world
            method a scenario may call; ``docs/conformance.md``, "The world").
    """

    js: str
    wire: str
    python: str | None
    params: tuple[ControlParam, ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()
    result: str | None = None
    hook: bool = False

    @property
    def wire_keys(self) -> tuple[str, ...]:
        """Every key the server method accepts in its params object, in order."""
        keys: list[str] = []
        for param in self.params:
            if param.kind == "spread":
                keys.extend(key for key, _ in param.keys)
            else:
                keys.append(param.wire)
        keys.extend(key for key, _ in self.fixed if key not in keys)
        return tuple(keys)


_APP = ControlParam("options", "appId", "app_id", kind="app", required=False)
_USER = ControlParam("userId", "userId", "user_id")
_CH = ControlParam("channelName", "channelName", "channel_name")
_CT = ControlParam("channelType", "channelType", "channel_type")
_SECONDS = ControlParam("seconds", "seconds", "seconds")
_FILTER = ControlParam(
    "filter",
    "filter",
    "filter",
    kind="spread",
    required=False,
    keys=(
        ("recipient", "recipient"),
        ("channel", "channel"),
        ("channelType", "channel_type"),
        ("eventType", "event_type"),
        ("publisher", "publisher"),
        ("appId", "app_id"),
        ("kind", "kind"),
    ),
)

INFO = Control("info", "control.info", None)
NOW = Control("now", "control.now", "now_ms", result="nowMs")
ADVANCE = Control("advance", "control.advance", "advance", (_SECONDS,), hook=True)
RUN_UNTIL_IDLE = Control("runUntilIdle", "control.runUntilIdle", "run_until_idle")
ADVANCE_TO_NEXT_EVENT = Control(
    "advanceToNextEvent", "control.advanceToNextEvent", "advance_to_next_event"
)
DISCONNECT = Control("disconnect", "control.disconnect", "disconnect", (_USER, _APP), hook=True)
RECONNECT = Control("reconnect", "control.reconnect", "reconnect", (_USER, _APP), hook=True)
SET_PRESENCE_AVAILABLE = Control(
    "setPresenceAvailable",
    "control.setPresenceAvailable",
    "set_presence_available",
    (_CH, _CT, ControlParam("available", "available", "available"), _APP),
    hook=True,
)
SET_DELIVERY_LATENCY = Control(
    "setDeliveryLatency",
    "control.setDeliveryLatency",
    "set_delivery_latency",
    (_USER, _SECONDS, _APP),
    hook=True,
)
SET_STORAGE_REPLY_CODE = Control(
    "setStorageReplyCode",
    "control.setStorageReplyCode",
    "set_storage_reply_code",
    (_USER, ControlParam("code", "code", "code"), _APP),
)
SET_LOCK_REPLY_CODE = Control(
    "setLockReplyCode",
    "control.setLockReplyCode",
    "set_lock_reply_code",
    (_USER, ControlParam("code", "code", "code"), _APP),
)
SET_APP_CERTIFICATE = Control(
    "setAppCertificate",
    "control.setAppCertificate",
    "set_app_certificate",
    (ControlParam("certificate", "certificate", "certificate"), _APP),
)
RESET = Control(
    "reset",
    "control.reset",
    None,
    (ControlParam("config", "config", "config", required=False),),
)
ONLINE_USERS = Control("onlineUsers", "control.onlineUsers", "online_users", (_CH, _CT, _APP))
USER_CHANNELS = Control("userChannels", "control.userChannels", "user_channels", (_USER, _APP))
STATE_OF = Control("stateOf", "control.stateOf", "state_of", (_USER, _CH, _CT, _APP))
JOURNAL = Control("journal", "control.journal", "journal", (_FILTER,), fixed=(("format", "json"),))
JOURNAL_JSONL = Control(
    "journalJsonl", "control.journal", "journal", (_FILTER,), fixed=(("format", "jsonl"),)
)
CLEAR_JOURNAL = Control("clearJournal", "control.clearJournal", "journal.clear")
PENDING_TIMERS = Control("pendingTimers", "control.pendingTimers", "pending_timers")
CHECK_INVARIANTS = Control("checkInvariants", "control.checkInvariants", "check_invariants")

#: Every control verb, in documentation order.
CONTROL: tuple[Control, ...] = (
    INFO,
    NOW,
    ADVANCE,
    RUN_UNTIL_IDLE,
    ADVANCE_TO_NEXT_EVENT,
    DISCONNECT,
    RECONNECT,
    SET_PRESENCE_AVAILABLE,
    SET_DELIVERY_LATENCY,
    SET_STORAGE_REPLY_CODE,
    SET_LOCK_REPLY_CODE,
    SET_APP_CERTIFICATE,
    RESET,
    ONLINE_USERS,
    USER_CHANNELS,
    STATE_OF,
    JOURNAL,
    JOURNAL_JSONL,
    CLEAR_JOURNAL,
    PENDING_TIMERS,
    CHECK_INVARIANTS,
)


def control(js: str) -> Control:
    """The :data:`CONTROL` row of JS name ``js``.

    Raises:
        KeyError: when no row has that name.
    """
    for row in CONTROL:
        if row.js == js:
            return row
    raise KeyError(f"no control verb {js!r} in the surface table")
