"""``Emulator``: the engine plus the factory of SDK-shaped clients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._config import EmulatorConfig, RTMConfig
from ._engine import DEFAULT_APP_ID, Engine
from ._scripting import UserHandle
from ._validate import check_user_id
from .client import RTMClient

__all__ = ["Emulator"]


class Emulator(Engine):
    """One in-memory Agora RTM presence service with its own fake clock.

    >>> emu = Emulator()
    >>> alice = emu.client("alice")
    >>> emu.now_ms
    1735689600000

    ``strict=True`` runs :meth:`check_invariants` after every operation and timer that
    changes something (slower; meant for test suites).  ``journal=False`` turns the
    event journal off (for long load scripts that would fill memory).

    Raises:
        ConfigError: (a ``ValueError``) if ``config`` is not an :class:`EmulatorConfig`.
    """

    def __init__(
        self, config: EmulatorConfig | None = None, *, strict: bool = False, journal: bool = True
    ) -> None:
        super().__init__(config, strict=strict, journal=journal)
        self._strict = strict
        self._handles: dict[tuple[str, str], UserHandle] = {}

    def client(
        self,
        user_id: str,
        *,
        app_id: str = DEFAULT_APP_ID,
        config: RTMConfig | Mapping[str, Any] | None = None,
    ) -> RTMClient:
        """A new client of ``user_id`` in app ``app_id``, not logged in yet.

        ``config`` is an :class:`RTMConfig` or the SDK's config dict
        (``{"presenceTimeout": 20}``).  Several clients may share a user id; the one
        that logs in last kicks the others (R-T4).

        Raises:
            RtmError: -10003 for an invalid app id, -10006 for an invalid user id
                (``operation`` ``initRTM``, R-C1, R-C2).
            ConfigError: for a config that is neither an ``RTMConfig`` nor a dict.
        """
        return RTMClient(self, self._new_core(user_id, app_id, config))

    def user(
        self,
        user_id: str,
        *,
        app_id: str = DEFAULT_APP_ID,
        config: RTMConfig | Mapping[str, Any] | None = None,
    ) -> UserHandle:
        """The scripted handle of a simulated user (the same handle on every call).

        ``emu.user("bob").subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})``.
        The handle logs its own client in before an action when it is not logged in
        (first use, after a logout or a kick); that login is a step of its own, so it
        stands even when the action then fails.  ``config`` applies when the handle is
        first made and is ignored afterwards.

        Raises:
            RtmError: -10003 for an invalid app id, -10006 for an invalid user id.
            ConfigError: for a config that is neither an ``RTMConfig`` nor a dict.
        """
        key = (app_id, check_user_id("user", user_id))
        handle = self._handles.get(key)
        if handle is None:
            handle = self._handles[key] = UserHandle(
                self, self.client(user_id, app_id=app_id, config=config)
            )
        return handle

    @property
    def strict(self) -> bool:
        """Whether invariants are checked after every operation (``Emulator(strict=True)``)."""
        return self._strict

    def __repr__(self) -> str:
        return (
            f"<Emulator now_ms={self.now_ms} channels={len(self._server.rooms)} "
            f"online={len(self._server.sessions)}>"
        )
