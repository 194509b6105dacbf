"""Scripted remote users: ``emu.user("bob")``, a synchronous, chainable handle.

A test stages the other people in a channel in a line each::

    emu.user("bob").subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})
    emu.user("bob").publish("room", "hello").join_stream("stage").join_topic("stage", "t1")

The handle owns one client of its user, logs it in before an action when its link is
``IDLE`` (first use, after a logout) or ``FAILED`` (kicked by a login elsewhere; the
login then restores the client's channels, R-L3), and runs the same code as the async
client, so errors are the same ``RtmError``s.  The client's coroutines never suspend,
so no event loop is needed.

Network faults follow revision 2 (R-T3, R-T4): :meth:`UserHandle.disconnect` cuts the
network (the link goes ``DISCONNECTED`` and retries on its back-off);
:meth:`UserHandle.reconnect` only brings the network back, and the link returns at the
client's next retry, so a test advances the clock (``emu.advance``,
``emu.advance_to_next_event()``) to see it reconnect.  While the link is down the
actions behave as the SDK's calls do then: state changes and ``unsubscribe`` work
locally, ``subscribe`` is queued when the SDK queues it, the rest fail with -10025.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping, Sequence
from typing import Any, Protocol

from ._errors import ConfigError
from ._ids import show
from ._types import ChannelType, LinkState
from .client import RTMClient

__all__ = ["NetworkSwitch", "UserHandle", "drive"]


class NetworkSwitch(Protocol):
    """What a scripted user needs of the service besides its client: the network switch
    of R-T2 / R-T3 (the engine has it; a handle never sees the ``Emulator``)."""

    def disconnect(self, user_id: str, *, app_id: str = ...) -> None:
        """Cut the network of ``user_id``'s logged-in client.

        Raises:
            ConfigError: if no client of it is logged in.
        """

    def reconnect(self, user_id: str, *, app_id: str = ...) -> None:
        """Bring back the network of ``user_id``'s client.

        Raises:
            ConfigError: if no client of it is logged in.
        """


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


#: link states in which the handle logs its client in before an action
_NEEDS_LOGIN = (LinkState.IDLE, LinkState.FAILED)
#: link states in which the SDK's ``login`` waits for the reconnect (R-L3)
_LOGIN_WAITS = (LinkState.DISCONNECTED, LinkState.SUSPENDED)


def _check_flags(operation: str, with_presence: object, be_quiet: object) -> None:
    """The handle's own keyword flags are Python bools (a harness argument, not the SDK's
    options object, whose values the SDK reads as JS truthiness).

    Raises:
        ConfigError: naming the flag that is not a bool.
    """
    for name, value in (("with_presence", with_presence), ("be_quiet", be_quiet)):
        if not isinstance(value, bool):
            raise ConfigError.bad(operation, f"{name} must be a bool, got {show(value)}")


class UserHandle:
    """A simulated user driven synchronously; every action returns the handle.

    Made by ``emu.user(...)``, which gives it the engine's network switch and its client.
    """

    def __init__(self, network: NetworkSwitch, client: RTMClient) -> None:
        self._network = network
        self._client = client

    @property
    def client(self) -> RTMClient:
        """The handle's own async client (e.g. to add listeners or query)."""
        return self._client

    @property
    def user_id(self) -> str:
        """The user id."""
        return self._client.user_id

    @property
    def link_state(self) -> LinkState:
        """The handle's client's link state (R-T4)."""
        return self._client.link_state

    def _online(self) -> RTMClient:
        if self._client.link_state in _NEEDS_LOGIN:
            drive(self._client.login())
        return self._client

    def login(self) -> UserHandle:
        """Log in: from ``IDLE``, or from ``FAILED`` (restoring the channels, R-L3); a
        no-op when ``CONNECTED``.  Another client of the same user id is kicked (R-T4).

        Raises:
            RtmError: as ``RTMClient.login`` (-10017 while ``CONNECTING``).
            RuntimeError: while the link is ``DISCONNECTED`` or ``SUSPENDED``, where the
                SDK's login waits for the reconnect (a synchronous handle cannot wait;
                nothing is changed: advance the clock, or await ``handle.client.login()``).
        """
        if self._client.link_state in _LOGIN_WAITS:
            raise RuntimeError(
                f"{self.user_id!r}'s link is {self._client.link_state.value}: a login would "
                "wait for the reconnect (R-L3); advance the clock to the next retry, or "
                "await handle.client.login() in an event loop"
            )
        drive(self._client.login())
        return self

    def logout(self) -> UserHandle:
        """Log out: leave every channel, drop all state and the cache (R-L2)."""
        drive(self._client.logout())
        return self

    def subscribe(
        self, channel: str, *, with_presence: bool = True, be_quiet: bool = False
    ) -> UserHandle:
        """Subscribe to a MESSAGE channel (logging in first if needed).

        While the link is down the SDK queues the subscribe when it can (R-T3).

        Raises:
            RtmError: as ``RTMClient.subscribe`` (-10025, -10008, -11005, -11021).
            ConfigError: (a ``ValueError``) if ``with_presence`` or ``be_quiet`` is not
                a bool (checked before anything, the login included).
        """
        _check_flags("subscribe", with_presence, be_quiet)
        drive(self._online().subscribe(channel, with_presence=with_presence, be_quiet=be_quiet))
        return self

    def publish(
        self,
        channel: str,
        message: str | bytes,
        *,
        channel_type: str = "MESSAGE",
        custom_type: str | None = None,
        store_in_history: bool = False,
    ) -> UserHandle:
        """Publish a message to a MESSAGE channel, or to a user with
        ``channel_type="USER"`` (logging in first if needed; R-M1, R-M9).

        Raises:
            RtmError: as ``RTMClient.publish`` (-10019, -10008, -11009, -11010, -11029,
                -11030, -15005, -11033 for an offline user).
            ConfigError: (a ``ValueError``) if ``store_in_history`` is not a bool.
        """
        if not isinstance(store_in_history, bool):
            raise ConfigError.bad(
                "publish", f"store_in_history must be a bool, got {show(store_in_history)}"
            )
        drive(
            self._online().publish(
                channel,
                message,
                channel_type=channel_type,
                custom_type=custom_type,
                store_in_history=store_in_history,
            )
        )
        return self

    def unsubscribe(self, channel: str) -> UserHandle:
        """Unsubscribe from a MESSAGE channel (resolves also when not subscribed, R-L5).

        Raises:
            RtmError: as ``RTMClient.unsubscribe`` (-10008).
        """
        drive(self._online().unsubscribe(channel))
        return self

    def join_stream(
        self, channel: str, *, with_presence: bool = True, be_quiet: bool = False
    ) -> UserHandle:
        """Join a STREAM channel (logging in first if needed).

        Raises:
            RtmError: -10008 for a bad channel name; as ``RTMStreamChannel.join``
                (-10025, -11005, -11007).
            ConfigError: (a ``ValueError``) if ``with_presence`` or ``be_quiet`` is not
                a bool (checked before anything, the login included).
        """
        _check_flags("join_stream", with_presence, be_quiet)
        stream = self._online().create_stream_channel(channel)
        drive(stream.join(with_presence=with_presence, be_quiet=be_quiet))
        return self

    def join_topic(self, channel: str, topic: str) -> UserHandle:
        """Join (publish) a topic of a STREAM channel the user joined (R-M13); its other
        members hear ``REMOTE_JOIN``.

        Raises:
            RtmError: -10008 for a bad channel name; as ``RTMStreamChannel.join_topic``
                (-11008, -11001 when the channel is not joined, -11014).
        """
        drive(self._online().create_stream_channel(channel).join_topic(topic))
        return self

    def publish_topic_message(
        self, channel: str, topic: str, message: str | bytes, *, custom_type: str | None = None
    ) -> UserHandle:
        """Send a message in a topic the user joined (R-M18): the members that subscribed
        the user there receive it.

        Raises:
            RtmError: -10008 for a bad channel name; as
                ``RTMStreamChannel.publish_topic_message`` (-11008, -11001, -11009,
                -11010, -11016).
            TypeError: a message that is neither a string nor bytes (R-X3).
        """
        stream = self._online().create_stream_channel(channel)
        drive(stream.publish_topic_message(topic, message, custom_type=custom_type))
        return self

    def leave_stream(self, channel: str) -> UserHandle:
        """Leave a STREAM channel.

        Raises:
            RtmError: -10008 for a bad channel name; as ``RTMStreamChannel.leave``
                (-11001 when not joined).
        """
        drive(self._online().create_stream_channel(channel).leave())
        return self

    def set_state(
        self, channel: str, channel_type: str | ChannelType, state: Mapping[str, Any]
    ) -> UserHandle:
        """Merge ``state`` (JSON values, R-S1) into the user's state in the channel; the
        SDK's cache keeps it too, and applies it when the user enters (R-S4).

        Raises:
            RtmError: as ``RTMPresence.set_state`` (R-S3: -13003, -13004, -13005,
                -13006, -13008, -13009).
            TypeError: for a value JSON cannot carry (R-X3).
        """
        drive(self._online().presence.set_state(channel, channel_type, state))
        return self

    def remove_state(
        self, channel: str, channel_type: str | ChannelType, states: Sequence[str] | None = None
    ) -> UserHandle:
        """Remove the listed keys, or all keys when ``states`` is ``None`` or empty (R-S2).

        Raises:
            RtmError: as ``RTMPresence.remove_state`` (-13005, -13006, -13008, -13010).
            ConfigError: (a ``ValueError``) if ``states`` is neither ``None`` nor a list
                or tuple (a string, a set, a number, ...).
        """
        if states is None:
            keys = None
        elif isinstance(states, (list, tuple)):
            keys = list(states)  # one read of the caller's sequence
        else:
            raise ConfigError.bad(
                "remove_state",
                f"states must be a list or tuple of state keys, or None, got {show(states)}",
            )
        drive(self._online().presence.remove_state(channel, channel_type, states=keys))
        return self

    # ------------------------------------------------------------- storage (R-ST...)

    def set_channel_metadata(
        self,
        channel: str,
        data: Sequence[Mapping[str, Any]],
        *,
        channel_type: str | ChannelType = "MESSAGE",
        major_revision: int | None = None,
        lock_name: str | None = None,
        add_time_stamp: bool | None = None,
        add_user_id: bool | None = None,
    ) -> UserHandle:
        """Set items (the SDK's ``[{"key", "value", "revision"}]``) of a channel's
        metadata, logging in first if needed; its withMetadata subscribers hear an
        ``UPDATE`` (R-ST7, D-ST2..D-ST8).

        Raises:
            RtmError: as ``RTMStorage.set_channel_metadata``.
            SdkTypeError: as ``RTMStorage.set_channel_metadata``.
        """
        drive(
            self._online().storage.set_channel_metadata(
                channel,
                channel_type,
                data,
                major_revision=major_revision,
                lock_name=lock_name,
                add_time_stamp=add_time_stamp,
                add_user_id=add_user_id,
            )
        )
        return self

    def set_user_metadata(
        self,
        data: Sequence[Mapping[str, Any]],
        *,
        user_id: str | None = None,
        major_revision: int | None = None,
        add_time_stamp: bool | None = None,
        add_user_id: bool | None = None,
    ) -> UserHandle:
        """Set items of the user's own (or ``user_id``'s) metadata, logging in first if
        needed; that user's metadata subscribers hear an ``UPDATE`` (R-ST8).

        Raises:
            RtmError: as ``RTMStorage.set_user_metadata``.
            SdkTypeError: as ``RTMStorage.set_user_metadata``.
        """
        drive(
            self._online().storage.set_user_metadata(
                data,
                user_id=user_id,
                major_revision=major_revision,
                add_time_stamp=add_time_stamp,
                add_user_id=add_user_id,
            )
        )
        return self

    def subscribe_user_metadata(self, user_id: str) -> UserHandle:
        """Hear ``user_id``'s metadata (a ``SNAPSHOT`` now, ``UPDATE``s after; R-ST13),
        logging in first if needed.

        Raises:
            RtmError: as ``RTMStorage.subscribe_user_metadata``.
        """
        drive(self._online().storage.subscribe_user_metadata(user_id))
        return self

    # --------------------------------------------------------------- locks (R-LK...)

    def set_lock(
        self,
        channel: str,
        lock_name: str,
        *,
        channel_type: str | ChannelType = "MESSAGE",
        ttl: int | None = None,
    ) -> UserHandle:
        """Create a free lock (``ttl`` s, default 10, clamped to 10..300) on a channel,
        logging in first if needed; its withLock subscribers hear ``SET`` (R-LK5, D-LK2).

        Raises:
            RtmError: as ``RTMLock.set_lock``.
        """
        drive(self._online().lock.set_lock(channel, channel_type, lock_name, ttl=ttl))
        return self

    def acquire_lock(
        self, channel: str, lock_name: str, *, channel_type: str | ChannelType = "MESSAGE"
    ) -> UserHandle:
        """Take a free lock, logging in first if needed (D-LK4).  A script does not wait:
        a lock another user holds is -14007 here (wait with ``retry`` on a client).

        Raises:
            RtmError: as ``RTMLock.acquire_lock``.
        """
        drive(self._online().lock.acquire_lock(channel, channel_type, lock_name))
        return self

    def release_lock(
        self, channel: str, lock_name: str, *, channel_type: str | ChannelType = "MESSAGE"
    ) -> UserHandle:
        """Give a held lock back; the first waiter gets it (D-LK5).

        Raises:
            RtmError: as ``RTMLock.release_lock``.
        """
        drive(self._online().lock.release_lock(channel, channel_type, lock_name))
        return self

    def _own_core_check(self, operation: str) -> None:
        """The emulator's network switch names a user: make sure it is this handle's."""
        if self._client.link_state in _NEEDS_LOGIN:
            raise ConfigError.bad(
                operation,
                f"{self.user_id!r}'s handle is not logged in (its link is "
                f"{self._client.link_state.value})",
            )

    def disconnect(self) -> UserHandle:
        """Cut the user's network (R-T2): the link goes ``DISCONNECTED`` at once and
        retries 2 s later, then on the back-off of R-T4; the server times the user out
        ``heartbeat_interval + 10 + presence_timeout`` s later unless it is back.
        Disconnecting a disconnected user does nothing.

        Raises:
            ConfigError: when the handle is not logged in (a ``ValueError``; it does not
                log in for this).
        """
        self._own_core_check("disconnect")
        self._network.disconnect(self.user_id, app_id=self._client.app_id)
        return self

    def reconnect(self) -> UserHandle:
        """Bring the user's network back (R-T3).  The link comes back at the client's next
        retry, not now: advance the clock to it (``emu.advance_to_next_event()`` or
        ``emu.advance(...)``).

        Raises:
            ConfigError: when the handle is not logged in.
        """
        self._own_core_check("reconnect")
        self._network.reconnect(self.user_id, app_id=self._client.app_id)
        return self

    def __repr__(self) -> str:
        return f"<UserHandle {self.user_id!r} of app {self._client.app_id!r}>"
