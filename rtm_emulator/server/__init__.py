"""Server mode: the emulator over a loopback WebSocket, for JavaScript test suites.

``rtm-emulator serve`` runs :class:`EmulatorServer`; the JS client in ``clients/js``
(npm package ``rtm-emulator-client``) talks to it.  The protocol is in docs/server.md.

The WebSocket library is an optional extra (``pip install websockets``; from a clone
``pip install -e ".[server]"``).
This package imports it only when :class:`EmulatorServer` or :func:`run` is used, so
the transport-free parts (:class:`Hub`, :class:`RealClock`) work without it.

Raises (on ``EmulatorServer`` / ``run`` access):
    ImportError: when ``websockets`` is not installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._hub import (
    BUFFER_LIMIT,
    MAX_FRAME_BYTES,
    METHODS,
    Connection,
    Hub,
    Outcome,
    ProtocolError,
    ProtocolErrorCode,
    Session,
)
from ._protocol import ServerLimits
from ._realtime import RealClock

if TYPE_CHECKING:
    from ._ws import EmulatorServer, run

__all__ = [
    "BUFFER_LIMIT",
    "INSTALL_HINT",
    "MAX_FRAME_BYTES",
    "METHODS",
    "Connection",
    "EmulatorServer",
    "Hub",
    "Outcome",
    "ProtocolError",
    "ProtocolErrorCode",
    "RealClock",
    "ServerLimits",
    "Session",
    "run",
]

#: What to tell someone who runs the server without the extra installed.
INSTALL_HINT = (
    "the server needs the 'websockets' package: pip install websockets "
    '(from a clone: pip install -e ".[server]")'
)


def __getattr__(name: str) -> Any:
    """``EmulatorServer`` and ``run`` load ``websockets`` on first use.

    Raises:
        ImportError: naming :data:`INSTALL_HINT` when ``websockets`` is missing.
        AttributeError: for any other unknown name.
    """
    if name in ("EmulatorServer", "run"):
        try:
            from . import _ws
        except ImportError as exc:
            raise ImportError(f"{INSTALL_HINT} ({exc})") from exc
        return getattr(_ws, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
