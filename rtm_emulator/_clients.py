"""Making SDK clients and their listeners (R-C1, R-C2, R-C3, R-C5, R-C6).

What the SDK checks when a client is made (``new RTM(appId, userId, config)``: the app
id, then the user id, then the config, R-C1..R-C3), the rate limiter each client gets
when the emulator's rate limits are on (R-C6), and ``addEventListener`` /
``removeEventListener``, which take any event name and refuse only a listener that is
not a function (R-C5).  :class:`Clients` is the registry of every client made, in the
order they were made; the harness finds a user's logged-in client there.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import BuiltinMethodType, MethodType

from ._config import EmulatorConfig, RateLimiter, RTMConfig
from ._errors import ConfigError, ErrorCode, RtmError, SdkTypeError
from ._ids import check_app_id, check_user_id, show
from ._server import Server
from ._session import ClientCore

__all__ = ["LISTENER_NOT_A_FUNCTION", "Clients", "add_listener", "remove_listener"]

#: The SDK's message when ``addEventListener`` gets a non-function (its emitter's).
LISTENER_NOT_A_FUNCTION = "The listener must be a function"


class Clients:
    """The clients the engine holds: those whose link is up or on its way back.

    A client is held from the moment its link leaves ``IDLE`` (``login``) while it is
    ``CONNECTING``, ``CONNECTED``, ``DISCONNECTED`` or ``SUSPENDED``, and let go when it
    goes ``IDLE`` (``logout``) or ``FAILED`` (kicked, or its login refused): then it
    holds nothing on the server and no timer of its own, and only the app's handle
    keeps it alive.  A client never logged in is never held.  The core itself tells
    the registry (``ClientCore.link_state``'s hook), in the order the links change.
    """

    __slots__ = ("_config", "_made", "_server", "live")

    def __init__(self, config: EmulatorConfig, server: Server) -> None:
        self._config = config
        self._server = server
        self._made = 0
        #: the held clients (a dict used as an insertion-ordered set)
        self.live: dict[ClientCore, None] = {}

    def new_core(self, user_id: object, app_id: object, config: object) -> ClientCore:
        """The SDK constructor's checks (R-C1, R-C2, R-C3): app id, then user id.

        Raises:
            RtmError: -10003 for a bad app id, -10006 for a bad user id, or a user id
                that is not a non-negative integer while ``useStringUserId`` is false.
            ConfigError: for a config that is neither an ``RTMConfig`` nor a dict.
        """
        app = check_app_id(app_id)
        uid = check_user_id("initRTM", user_id)

        if config is None:
            cfg = RTMConfig()
        elif isinstance(config, RTMConfig):
            cfg = config
        elif isinstance(config, Mapping):
            cfg = RTMConfig.from_sdk(config)
        else:
            raise ConfigError.bad(
                "initRTM", f"config must be an RTMConfig or a dict, got {show(config)}"
            )
        if not cfg.use_string_user_id and not (uid.isascii() and uid.isdigit()):
            raise RtmError.sdk(
                "initRTM",
                ErrorCode.INVALID_USER_ID,
                detail=f"useStringUserId is false and {uid!r} is not a non-negative integer",
            )
        self._made += 1
        core = ClientCore(uid, app, cfg, serial=self._made, registry=self.live)
        if self._config.rate_limits:
            core.limiter = RateLimiter()
        return core

    def find(self, operation: str, user_id: object, app_id: object) -> ClientCore:
        """The client of ``user_id`` the server holds a session of, else the newest
        held one (for the harness's network faults): a ``FAILED`` client, kicked or
        refused, has no network to cut or restore.

        Raises:
            RtmError: -10006 for a bad user id, -10003 for a bad app id.
            ConfigError: if no client of it is logged in (connecting, connected or
                reconnecting).
        """
        uid = check_user_id(operation, user_id)
        app = check_app_id(app_id)
        core = self._server.sessions.get((app, uid))
        if core is None:
            for candidate in self.live:
                if (
                    candidate.app_id == app
                    and candidate.user_id == uid
                    and (core is None or candidate.serial > core.serial)
                ):
                    core = candidate
            if core is None:
                raise ConfigError.bad(
                    operation,
                    f"no client of user {uid!r} is logged in to app {app!r} (connecting, "
                    "connected or reconnecting; a FAILED client has no network)",
                )
        return core


def add_listener(core: ClientCore, event_name: object, listener: object) -> None:
    """Register a listener (the SDK's ``addEventListener``): any event name (R-C5).

    Raises:
        SdkTypeError: (a ``TypeError``) when ``listener`` is not callable.
    """
    if not callable(listener):
        raise SdkTypeError(LISTENER_NOT_A_FUNCTION)
    core.listeners.setdefault(str(event_name), []).append(listener)


def _same_listener(registered: object, listener: object) -> bool:
    """JS compares listeners by identity; a bound method (``self.on_presence``,
    ``seen.append``: a new object at each access) is the same when it binds the same
    function to the same object (the method types' ``__eq__`` asks that object nothing)."""
    if registered is listener:
        return True
    kind = type(listener)
    return kind in _BOUND_METHODS and type(registered) is kind and registered == listener


#: the bound-method types whose ``==`` compares the bound object by identity
_BOUND_METHODS = (MethodType, BuiltinMethodType)


def remove_listener(core: ClientCore, event_name: object, listener: object) -> None:
    """Remove the last registration of ``listener``; removing an absent one does nothing."""
    listeners = core.listeners.get(str(event_name), [])
    for i in range(len(listeners) - 1, -1, -1):
        if _same_listener(listeners[i], listener):
            del listeners[i]
            break
