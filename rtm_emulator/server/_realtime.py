"""``--clock real``: the one place that reads the wall clock.

:class:`RealClock` makes an emulator's fake clock follow a time source: each
:meth:`RealClock.sync` advances the emulator by the whole milliseconds the source moved
since the emulator was attached.  The engine stays sans-IO; only this adapter (used by
``rtm-emulator serve --clock real``) looks at ``time``.  Tests inject fake sources.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from .._emulator import Emulator
from .._errors import ConfigError

__all__ = ["RealClock"]


class RealClock:
    """Drives an :class:`~rtm_emulator.Emulator`'s clock from a time source.

    Args:
        monotonic: seconds from an arbitrary origin, never going back (default
            ``time.monotonic``); the fake clock advances as it does.
        wall: seconds since the Unix epoch (default ``time.time``); read once per
            emulator, for the fake clock's start.

    ``emu.advance(...)`` called by someone else (the control API) still works: it moves
    the fake clock further ahead, and the adapter keeps adding the source's progress.
    """

    def __init__(
        self,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._monotonic = monotonic
        self._wall = wall
        self._emu: Emulator | None = None
        self._origin = 0.0
        self._driven_ms = 0

    def start_time_ms(self) -> int:
        """The wall clock now, in integer ms since the epoch (a new emulator's start).

        Raises:
            ConfigError: if the wall source gives a negative or non-finite time.
        """
        now = self._wall()
        if not math.isfinite(now) or now < 0:
            raise ConfigError.bad("RealClock", f"wall clock gave {now!r}")
        return round(now * 1000)

    def attach(self, emu: Emulator) -> None:
        """Follow the source from now on with ``emu`` (a reset attaches the new one)."""
        self._emu = emu
        self._origin = self._monotonic()
        self._driven_ms = 0

    @property
    def driven_ms(self) -> int:
        """Milliseconds this adapter has advanced the attached emulator by."""
        return self._driven_ms

    def sync(self) -> int:
        """Advance the emulator to the source's now, firing due timers; returns the ms moved.

        Raises:
            RuntimeError: if no emulator is attached.
        """
        if self._emu is None:
            raise RuntimeError("RealClock.sync before attach")
        target = math.floor((self._monotonic() - self._origin) * 1000)
        delta = target - self._driven_ms
        if delta <= 0:
            return 0
        self._driven_ms = target
        self._emu.advance(delta / 1000)
        return delta
