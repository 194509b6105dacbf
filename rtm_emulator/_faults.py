"""Injected faults: what is broken, kept apart from the rules that say what happens.

The engine and the bus *ask* this object ("is presence up in this channel?", "how late
does this user's delivery run?"); they never store fault state themselves.  A new kind
of fault is a new question here plus the one place that asks it, so the presence rules
(``_lifecycle``, ``_engine``) stay as they are.

Faults now: a channel's presence service down (R-E8) and per-user delivery latency
(R-E9: "later faults may add latency").
"""

from __future__ import annotations

__all__ = ["Faults"]

ChannelIdent = tuple[str, str, str]  # (app id, channel type, channel name)


class Faults:
    """The set of faults in force.  Everything is off by default."""

    def __init__(self) -> None:
        self._presence_down: set[ChannelIdent] = set()
        self._latency_ms: dict[tuple[str, str], int] = {}

    def set_presence_available(self, ident: ChannelIdent, available: bool) -> None:
        """Switch a channel's presence service on or off (R-E8)."""
        if available:
            self._presence_down.discard(ident)
        else:
            self._presence_down.add(ident)

    def presence_available(self, ident: ChannelIdent) -> bool:
        """Whether the channel's presence service is up."""
        return ident not in self._presence_down

    def set_latency_ms(self, app_id: str, user_id: str, delay_ms: int) -> None:
        """Deliver ``user_id``'s events ``delay_ms`` late (0 restores zero latency)."""
        if delay_ms:
            self._latency_ms[(app_id, user_id)] = delay_ms
        else:
            self._latency_ms.pop((app_id, user_id), None)

    def any_latency(self) -> bool:
        """Whether some user's delivery runs late (the bus's fast path when not)."""
        return bool(self._latency_ms)

    def latency_ms(self, app_id: str, user_id: str) -> int:
        """How late events for this user are delivered (0: before the call returns)."""
        return self._latency_ms.get((app_id, user_id), 0)
