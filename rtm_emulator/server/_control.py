"""The control API's verbs (time, faults, looking inside), one function each.

Which verbs exist, their wire names and the keys each accepts come from the table
(:data:`rtm_emulator._surface.CONTROL`); this module holds what each verb does, in
:class:`Verbs`, one static method per verb named after the wire name's tail in
snake_case (``control.runUntilIdle`` -> ``run_until_idle``).  :func:`handlers` joins the
two and fails at import when a row has no verb.  docs/server.md documents every verb.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._config import EmulatorConfig
from .._errors import ConfigError
from .._surface import CONTROL, Control, control
from ._protocol import Params, ProtocolError, ProtocolErrorCode, bad, quote

if TYPE_CHECKING:
    from ._hub import Hub

__all__ = ["CONFIG_KEYS", "MAX_ADVANCE_SECONDS", "Handler", "Verbs", "handlers"]

#: The most fake time one ``control.advance`` may move (one day).  Every interval-mode
#: boundary in the jump fires, so a call's cost grows with its length: the cap keeps one
#: frame from holding the server's loop for minutes.  Call again to go further.
MAX_ADVANCE_SECONDS = 86_400

#: ``EmulatorConfig`` fields in camelCase (``reset``'s ``config``, ``info``'s ``config``).
CONFIG_KEYS = {
    "startTimeMs": "start_time_ms",
    "announceMax": "announce_max",
    "interval": "interval",
    "debounce": "debounce",
    "maxChannelUsers": "max_channel_users",
    "rateLimits": "rate_limits",
    "appCertificates": "app_certificates",
}


def _config_value(pairs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """R-TK20: the app certificates as the object ``reset`` takes."""
    return dict(pairs)


#: ``journal`` filters in camelCase -> ``Journal.filter`` keywords (from the table).
_JOURNAL_FILTERS = dict(next(p for p in control("journal").params if p.kind == "spread").keys)

#: What runs a verb: the hub and the checked params object.
Handler = Callable[["Hub", Params], Any]


class Verbs:
    """The control verbs; each takes the hub and its checked params (see module doc)."""

    @staticmethod
    def info(hub: Hub, p: Params) -> Any:
        """The server's version, clock, limits, sessions and emulator config."""
        from .. import __version__

        return {
            "version": __version__,
            "clock": hub.clock_mode,
            "nowMs": hub.emu.now_ms,
            "maxFrameBytes": hub.max_frame_bytes,
            "sessions": len(hub.sessions),
            "defaultAppId": hub.default_app_id,
            "config": {
                camel: _config_value(getattr(hub.emu.config, f))
                if f == "app_certificates"
                else getattr(hub.emu.config, f)
                for camel, f in CONFIG_KEYS.items()
            },
        }

    @staticmethod
    def now(hub: Hub, p: Params) -> Any:
        """The fake clock: ``{nowMs, elapsed}``."""
        return {"nowMs": hub.emu.now_ms, "elapsed": hub.emu.elapsed}

    @staticmethod
    def advance(hub: Hub, p: Params) -> Any:
        """Move the clock ``seconds`` forward (at most :data:`MAX_ADVANCE_SECONDS`).

        Raises:
            RtmError: -10014 without ``seconds``, or when it is not a number from 0 to
                :data:`MAX_ADVANCE_SECONDS` (NaN, infinities, negatives, booleans and
                anything longer than a day are refused before the clock moves).
        """
        seconds = p.required("seconds")
        number = isinstance(seconds, (int, float)) and not isinstance(seconds, bool)
        if not number or not 0 <= seconds <= MAX_ADVANCE_SECONDS:
            raise bad(
                "advance",
                f"seconds must be a number from 0 to {MAX_ADVANCE_SECONDS} (one day of "
                f"fake time per call; call again to go further), got {quote(seconds)}",
            )
        hub.emu.advance(seconds)
        return {"nowMs": hub.emu.now_ms}

    @staticmethod
    def run_until_idle(hub: Hub, p: Params) -> Any:
        """Fire every timer (``{fired, nowMs}``)."""
        fired = hub.emu.run_until_idle()
        return {"fired": fired, "nowMs": hub.emu.now_ms}

    @staticmethod
    def advance_to_next_event(hub: Hub, p: Params) -> Any:
        """Move the clock to the next timer and fire it (``{nowMs, fired}``)."""
        due = hub.emu.advance_to_next_event()
        return {"nowMs": hub.emu.now_ms, "fired": due is not None}

    @staticmethod
    def disconnect(hub: Hub, p: Params) -> Any:
        """Cut a user's network (R-T2).

        Raises:
            RtmError: -10014 for a missing user id or a bad app id.
            ConfigError: as ``Emulator.disconnect``.
        """
        hub.network(p.required("userId"), p.app_id(hub.default_app_id), up=False)
        return {}

    @staticmethod
    def reconnect(hub: Hub, p: Params) -> Any:
        """Bring a user's network back (R-T3).

        Raises:
            RtmError: -10014 for a missing user id or a bad app id.
            ConfigError: as ``Emulator.reconnect``.
        """
        hub.network(p.required("userId"), p.app_id(hub.default_app_id), up=True)
        return {}

    @staticmethod
    def set_presence_available(hub: Hub, p: Params) -> Any:
        """Inject or end a presence outage on a channel (R-E8).

        Raises:
            RtmError: -10014 for a missing parameter or a bad app id.
            ConfigError: as ``Emulator.set_presence_available``.
        """
        hub.emu.set_presence_available(
            p.required("channelName"),
            p.required("channelType"),
            p.required("available"),
            app_id=p.app_id(hub.default_app_id),
        )
        return {}

    @staticmethod
    def set_delivery_latency(hub: Hub, p: Params) -> Any:
        """Delay the events a user receives.

        Raises:
            RtmError: -10014 for a missing parameter or a bad app id.
            ConfigError: as ``Emulator.set_delivery_latency``.
        """
        hub.emu.set_delivery_latency(
            p.required("userId"), p.required("seconds"), app_id=p.app_id(hub.default_app_id)
        )
        return {}

    @staticmethod
    def set_lock_reply_code(hub: Hub, p: Params) -> Any:
        """Answer a user's lock requests with a server code (R-LK11 fault).

        Raises:
            RtmError: -10014 for a missing parameter or a bad app id.
            ConfigError: as ``Emulator.set_lock_reply_code``.
        """
        hub.emu.set_lock_reply_code(
            p.required("userId"), p.required("code"), app_id=p.app_id(hub.default_app_id)
        )
        return {}

    @staticmethod
    def set_app_certificate(hub: Hub, p: Params) -> Any:
        """Configure (or, with ``null``, remove) an app's certificate (R-TK20).

        Raises:
            RtmError: -10014 for a missing parameter or a bad app id.
            ConfigError: as ``Emulator.set_app_certificate``.
        """
        hub.emu.set_app_certificate(p.app_id(hub.default_app_id), p.required("certificate"))
        return {}

    @staticmethod
    def set_storage_reply_code(hub: Hub, p: Params) -> Any:
        """Answer a user's storage requests with a server code (R-ST11 fault).

        Raises:
            RtmError: -10014 for a missing parameter or a bad app id.
            ConfigError: as ``Emulator.set_storage_reply_code``.
        """
        hub.emu.set_storage_reply_code(
            p.required("userId"), p.required("code"), app_id=p.app_id(hub.default_app_id)
        )
        return {}

    @staticmethod
    def reset(hub: Hub, p: Params) -> Any:
        """A fresh emulator (with ``config``), every session closed; returns ``info``.

        Raises:
            RtmError: -10014 when ``config`` is not an object.
            ConfigError: an unknown or bad ``EmulatorConfig`` key (nothing changes).
        """
        given = p.optional("config", {})
        if not isinstance(given, dict):
            raise bad("reset", f"config must be an object, got {quote(given)}")
        kwargs: dict[str, Any] = {}
        for key, value in given.items():
            if key not in CONFIG_KEYS:
                raise ConfigError.bad(
                    "reset",
                    f"unknown EmulatorConfig key {key!r} (known: {', '.join(CONFIG_KEYS)})",
                )
            kwargs[CONFIG_KEYS[key]] = value
        config = EmulatorConfig(**kwargs)  # validates before anything changes
        hub.reset_emulator(config, start_given="start_time_ms" in kwargs)
        return Verbs.info(hub, p)

    @staticmethod
    def online_users(hub: Hub, p: Params) -> Any:
        """The users present and visible in a channel (the server's view).

        Raises:
            RtmError: -10014 for a missing parameter or a bad app id; as
                ``Emulator.online_users``.
        """
        return hub.emu.online_users(
            p.required("channelName"),
            p.required("channelType"),
            app_id=p.app_id(hub.default_app_id),
        )

    @staticmethod
    def user_channels(hub: Hub, p: Params) -> Any:
        """The channels a user is in (the server's view).

        Raises:
            RtmError: -10014 for a missing parameter or a bad app id.
        """
        channels = hub.emu.user_channels(p.required("userId"), app_id=p.app_id(hub.default_app_id))
        return [{"channelType": t.value, "channelName": n} for t, n in channels]

    @staticmethod
    def state_of(hub: Hub, p: Params) -> Any:
        """A user's state in a channel (the server's view).

        Raises:
            RtmError: -10014 for a missing parameter or a bad app id.
        """
        return hub.emu.state_of(
            p.required("userId"),
            p.required("channelName"),
            p.required("channelType"),
            app_id=p.app_id(hub.default_app_id),
        )

    @staticmethod
    def journal(hub: Hub, p: Params) -> Any:
        """The journal, filtered, as entries (``format`` ``json``) or JSON lines.

        Raises:
            RtmError: -10014 for a filter that is not a string, a bad format or filter.
        """
        filters = {
            _JOURNAL_FILTERS[k]: v for k, v in p.values.items() if k != "format" and v is not None
        }
        for key, value in filters.items():
            if not isinstance(value, str):
                raise bad("journal", f"filter {key!r} must be a string, got {quote(value)}")
        fmt = p.optional("format", "json")
        if fmt not in ("json", "jsonl"):
            raise bad("journal", f"format must be 'json' or 'jsonl', got {quote(fmt)}")
        try:
            journal = hub.emu.journal.filter(**filters)
        except ValueError as exc:
            raise bad("journal", str(exc)) from None
        if fmt == "jsonl":
            return journal.to_jsonl()
        return [entry.to_dict() for entry in journal.entries]

    @staticmethod
    def clear_journal(hub: Hub, p: Params) -> Any:
        """Empty the journal."""
        hub.emu.journal.clear()
        return {}

    @staticmethod
    def pending_timers(hub: Hub, p: Params) -> Any:
        """The timers not fired yet, ``[{dueMs, label}]`` in firing order."""
        return [{"dueMs": due, "label": label} for due, label in hub.emu.pending_timers()]

    @staticmethod
    def check_invariants(hub: Hub, p: Params) -> Any:
        """Check the emulator's invariants.

        Raises:
            ProtocolError: -32003 when one is violated.
        """
        try:
            hub.emu.check_invariants()
        except AssertionError as exc:
            raise ProtocolError(
                "checkInvariants",
                ProtocolErrorCode.INVARIANT_VIOLATION,
                f"invariant violated: {exc!r}",
            ) from None
        return {}


def verb_name(row: Control) -> str:
    """The :class:`Verbs` method of a row: its wire name's tail in snake_case."""
    tail = row.wire.rsplit(".", 1)[-1]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", tail).lower()


def handlers(rows: tuple[Control, ...] = CONTROL) -> dict[str, tuple[Control, Handler]]:
    """Wire name -> (its first row, its verb), in table order.

    Raises:
        LookupError: for a row whose verb :class:`Verbs` does not have.
    """
    out: dict[str, tuple[Control, Handler]] = {}
    for row in rows:
        if row.wire in out:
            continue  # journal / journalJsonl: one server method
        verb = getattr(Verbs, verb_name(row), None)
        if verb is None:
            raise LookupError(
                f"control verb {row.wire!r} of the surface table has no "
                f"Verbs.{verb_name(row)} in rtm_emulator/server/_control.py"
            )
        out[row.wire] = (row, verb)
    return out
