"""The SDK's presence state writes: setState, removeState (R-S1..R-S5).

Each write merges into (or removes from) the client's state cache entry for the
channel (R-S4), then, when the client is in the channel, the server's document takes it
(R-S5: the listeners hear it unless it only wrote falsy values).  While the link is down
the write stays in the cache and reaches the server when the link is back (R-T3, made
by ``_connection``).  The argument checks are ``_state_checks`` (R-S3), after R-X1's
(``_checks``); a write that fails changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._bus import EventBus
from ._checks import rate, require_link
from ._clock import FakeClock
from ._errors import SdkTypeError
from ._ids import check_channel_name, check_channel_type
from ._server import Server
from ._session import ChannelKey, ClientCore
from ._state_checks import NOT_GIVEN, check_set_state, remove_state_keys
from ._surface import Operation
from ._types import StateMap

__all__ = ["States"]


class States:
    """setState and removeState."""

    __slots__ = ("_bus", "_clock", "_server")

    def __init__(self, clock: FakeClock, bus: EventBus, server: Server) -> None:
        self._clock = clock
        self._bus = bus
        self._server = server

    def op_set_state(
        self,
        core: ClientCore,
        row: Operation,
        channel_name: object,
        channel_type: object,
        state: object,
    ) -> None:
        """``setState`` (R-S1..R-S5): merges into the cache entry and the document.

        Raises:
            RtmError: -10021, -10019, -10025, -10008, -13003, -13005, -13004, -13008,
                -13006, -13009.
            SdkTypeError: (a ``TypeError``) for ``None`` or a value JSON cannot carry.
        """
        operation = row.operation
        rate(core, row, self._clock)
        ctype = check_channel_type(operation, channel_type)
        require_link(core, operation, connected=False)
        name = check_channel_name(operation, channel_name)
        key: ChannelKey = (ctype, name)
        current = core.cache.get(key, StateMap())
        items = check_set_state(operation, state, current.keys(), len(core.cache))
        written = dict(items)
        with self._bus.operation():
            core.cache[key] = StateMap({**current, **written})
            self._sync_state(core, key, written)

    def op_remove_state(
        self,
        core: ClientCore,
        row: Operation,
        channel_name: object,
        channel_type: object,
        options: object,
        states: object = NOT_GIVEN,
    ) -> None:
        """``removeState`` (R-S2, R-S3, R-S5): the listed keys, or all.

        Raises:
            RtmError: -10021, -10019, -10025, -10008, -13010, -13005, -13008, -13006.
            SdkTypeError: (a ``TypeError``) for ``states`` that is not a list.
        """
        operation = row.operation
        rate(core, row, self._clock)
        ctype = check_channel_type(operation, channel_type)
        require_link(core, operation, connected=False)
        name = check_channel_name(operation, channel_name)
        if states is NOT_GIVEN:
            states = options.get("states") if isinstance(options, Mapping) else None
        elif isinstance(options, Mapping) and options.get("states") is not None:
            raise SdkTypeError("states given twice: in the options and as a keyword")
        keys = remove_state_keys(operation, states)
        key: ChannelKey = (ctype, name)
        current = core.cache.get(key, StateMap())
        if keys is None:
            remaining = StateMap()
        else:
            remaining = StateMap({k: v for k, v in current.items() if k not in keys})
        with self._bus.operation():
            core.cache[key] = remaining
            if len(remaining) != len(current):
                self._sync_state(core, key, {})

    def _sync_state(self, core: ClientCore, key: ChannelKey, written: dict[str, Any]) -> None:
        if key not in core.members:
            return
        if core.connected:
            self._server.write_state(core, key, written=written)
        else:
            core.dirty[key] = None  # R-T3: synced when the link is back
