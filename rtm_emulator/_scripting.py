"""Scripted remote users: ``emu.user("bob")``, a synchronous, chainable handle.

A test stages the other people in a channel in a line each::

    emu.user("bob").subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})

The handle owns one client of its user, logs it in on first use (and again after a
logout or a kick), and runs the same code as the async client, so errors are the same
``RtmError``s.  The client's coroutines never suspend, so no event loop is needed.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .client import RTMClient

if TYPE_CHECKING:
    from ._emulator import Emulator

__all__ = ["UserHandle", "drive"]


def drive(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run an emulator coroutine to completion without an event loop; return its result.

    Raises:
        RuntimeError: if the coroutine suspends (emulator calls never do).
        RtmError: whatever the call raises.
    """
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("an emulator call suspended; await it in an event loop instead")


class UserHandle:
    """A simulated user driven synchronously; every action returns the handle."""

    def __init__(self, emu: Emulator, client: RTMClient) -> None:
        self._emu = emu
        self._client = client

    @property
    def client(self) -> RTMClient:
        """The handle's own async client (e.g. to add listeners or query)."""
        return self._client

    @property
    def user_id(self) -> str:
        """The user id."""
        return self._client.user_id

    def _online(self) -> RTMClient:
        if not self._client.logged_in:
            drive(self._client.login())
        return self._client

    def login(self) -> UserHandle:
        """Log in (a no-op when logged in; kicks another client of the same user id).

        Raises:
            RtmError: as ``RTMClient.login``.
        """
        drive(self._client.login())
        return self

    def logout(self) -> UserHandle:
        """Log out: leave every channel, drop all state (R-L2)."""
        drive(self._client.logout())
        return self

    def subscribe(
        self, channel: str, *, with_presence: bool = True, be_quiet: bool = False
    ) -> UserHandle:
        """Subscribe to a MESSAGE channel (logging in first if needed).

        Raises:
            RtmError: as ``RTMClient.subscribe``.
        """
        drive(self._online().subscribe(channel, with_presence=with_presence, be_quiet=be_quiet))
        return self

    def unsubscribe(self, channel: str) -> UserHandle:
        """Unsubscribe from a MESSAGE channel.

        Raises:
            RtmError: as ``RTMClient.unsubscribe``.
        """
        drive(self._online().unsubscribe(channel))
        return self

    def join_stream(
        self, channel: str, *, with_presence: bool = True, be_quiet: bool = False
    ) -> UserHandle:
        """Join a STREAM channel (logging in first if needed).

        Raises:
            RtmError: as ``RTMStreamChannel.join``.
        """
        stream = self._online().create_stream_channel(channel)
        drive(stream.join(with_presence=with_presence, be_quiet=be_quiet))
        return self

    def leave_stream(self, channel: str) -> UserHandle:
        """Leave a STREAM channel.

        Raises:
            RtmError: as ``RTMStreamChannel.leave``.
        """
        drive(self._online().create_stream_channel(channel).leave())
        return self

    def set_state(self, channel: str, channel_type: str, state: Mapping[str, str]) -> UserHandle:
        """Merge ``state`` into the user's state in the channel (cached if not in it).

        Raises:
            RtmError: as ``RTMPresence.set_state``.
        """
        drive(self._online().presence.set_state(channel, channel_type, state))
        return self

    def remove_state(
        self, channel: str, channel_type: str, states: Sequence[str] | None = None
    ) -> UserHandle:
        """Remove the listed keys, or all keys when ``states`` is ``None`` or empty.

        Raises:
            RtmError: as ``RTMPresence.remove_state``.
        """
        keys = None if states is None else list(states)
        drive(self._online().presence.remove_state(channel, channel_type, states=keys))
        return self

    def disconnect(self) -> UserHandle:
        """Cut the user's network (R-T2).

        Raises:
            RtmError: -10002 if the user is not logged in.
        """
        self._emu.disconnect(self.user_id, app_id=self._client.app_id)
        return self

    def reconnect(self) -> UserHandle:
        """Bring the user's network back (R-T3).

        Raises:
            RtmError: -10002 if the user is not logged in.
        """
        self._emu.reconnect(self.user_id, app_id=self._client.app_id)
        return self

    def __repr__(self) -> str:
        return f"<UserHandle {self.user_id!r} of app {self._client.app_id!r}>"
