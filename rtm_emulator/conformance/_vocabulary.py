"""The step vocabulary of scenarios, derived from the SDK surface table (``_surface``).

A client step's ``call`` is the SDK name of an :data:`~rtm_emulator._surface.OPERATIONS`
row; its ``args`` are that row's parameters in SDK order, a stream channel's name first
for a call on a stream-channel handle (``join``: ``["stage", {...}]``, the order of the
server method, :attr:`~rtm_emulator._surface.Operation.wire_params`); ``options`` is the
options object, passed last.  The row says which object the call is made on (the
client, ``client.presence`` or ``client.createStreamChannel(name)``).  Should two rows
ever share an SDK name, each is called ``"<home>.<sdk name>"`` (``"stream.join"``).

A hook step's ``call`` is one of :data:`HOOKS`: the world's service hooks of the target
contract (``docs/conformance.md``, "The world"), each the Python name of a control verb
of :data:`~rtm_emulator._surface.CONTROL`; its ``args`` are that verb's parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from .._surface import CONTROL, OPERATIONS, Operation

__all__ = ["CALLS", "CLIENT_CALLS", "HOOKS", "LISTENER", "channel_of", "step_params"]

#: The service hooks a scenario may call (the target contract's optional world methods,
#: the Python names of control verbs); a target that lacks one skips the scenario.
#: The rows of :data:`~rtm_emulator._surface.CONTROL` marked ``hook``, in the table's order.
HOOKS: tuple[str, ...] = tuple(row.python for row in CONTROL if row.hook and row.python)

#: The SDK name of a listener parameter: when a step leaves it out, the runner passes
#: its own recording listener for that event name (``"name#event"`` in ``[events]``).
LISTENER = "listener"

_CHANNEL, _TYPE = "channelName", "channelType"


def _calls() -> dict[str, Operation]:
    names = [row.sdk for row in OPERATIONS]
    return {
        (row.sdk if names.count(row.sdk) == 1 else f"{row.home}.{row.sdk}"): row
        for row in OPERATIONS
    }


#: Every client call a scenario may make, by its step name, in the table's order.
CALLS: Mapping[str, Operation] = MappingProxyType(_calls())
#: The step names of :data:`CALLS`.
CLIENT_CALLS: tuple[str, ...] = tuple(CALLS)
_HOOK_PARAMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        row.python: tuple(p.wire for p in row.params if p.kind == "arg")
        for row in CONTROL
        if row.python in HOOKS
    }
)


def step_params(call: str) -> tuple[str, ...]:
    """The SDK names of a step's positional ``args``, in order (the options last).

    Raises:
        KeyError: for a ``call`` that is neither a client call nor a hook.
    """
    if call in CALLS:
        return CALLS[call].wire_params
    return _HOOK_PARAMS[call]


def channel_of(
    call: str, args: Sequence[Any], options: Mapping[str, Any] | None = None
) -> tuple[str, str] | None:
    """``(channel_type, channel_name)`` a step is about, from its arguments; ``None``
    when it names no channel of the service (or too few arguments are given).

    A channel name without a channel type has the type its options object gives, for
    a row whose options have a ``channelType`` (``publish`` to ``"USER"``), else the
    row's :attr:`~rtm_emulator._surface.Operation.channel_type`: STREAM on a
    stream-channel handle, MESSAGE for ``subscribe``; ``None`` for a local call that
    touches no channel (``createStreamChannel``, which only makes a handle).
    """
    row = CALLS.get(call)
    names = step_params(call) if row is not None or call in _HOOK_PARAMS else ()
    if _CHANNEL not in names:
        return None
    at = names.index(_CHANNEL)
    if _TYPE in names:
        type_at = names.index(_TYPE)
        return (str(args[type_at]), str(args[at])) if len(args) > max(at, type_at) else None
    if len(args) <= at or row is None or row.channel_type is None:
        return None
    given = options.get(_TYPE) if isinstance(options, Mapping) else None
    if isinstance(given, str) and given and any(o.sdk == _TYPE for o in row.options):
        return (given, str(args[at]))
    return (row.channel_type, str(args[at]))
