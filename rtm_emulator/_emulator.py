"""``Emulator``: the engine plus the factory of SDK-shaped clients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._config import EmulatorConfig, RTMConfig
from ._engine import DEFAULT_APP_ID, Engine
from .client import RTMClient

__all__ = ["Emulator"]


class Emulator(Engine):
    """One in-memory Agora RTM presence service with its own fake clock.

    >>> emu = Emulator()
    >>> alice = emu.client("alice")
    >>> emu.now_ms
    1735689600000

    ``strict=True`` runs :meth:`check_invariants` after every operation and timer that
    changes something (slower; meant for test suites).

    Raises:
        ConfigError: (a ``ValueError``) if ``config`` is not an :class:`EmulatorConfig`.
    """

    def __init__(self, config: EmulatorConfig | None = None, *, strict: bool = False) -> None:
        super().__init__(config, strict=strict)

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
            RtmError: -10006 for an invalid user id.
            ConfigError: for a bad app id or config.
        """
        return RTMClient(self, self._new_core(user_id, app_id, config))

    def __repr__(self) -> str:
        return (
            f"<Emulator now_ms={self.now_ms} channels={len(self._channels)} "
            f"online={len(self._online)}>"
        )
