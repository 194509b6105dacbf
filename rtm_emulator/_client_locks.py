"""The SDK-shaped client's lock calls: ``rtm.lock`` (R-LK1..R-LK22).

Part of the adapter of ``client.py``: :class:`RTMLock` is ``rtm.lock``.  Each method
folds its snake_case keywords into the SDK's options object and calls the engine
(``_locks``); the SDK spelling passes the options as they are.  A call's ``lock``
events reach the listeners before its awaitable returns (R-E9); an ``acquireLock`` with
``retry`` on a held lock waits until the lock is granted, the client releases it, or
logs out.  Python calls return at once, so two never overlap (R-LK9's ``-14003`` for a
call still in flight comes from the JS client).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from ._client_messaging import merge_options, settled
from ._lock_types import AcquireLockResponse, GetLockResponse, LockResponse
from ._locks import AcquireWaiter
from ._session import ClientCore
from ._surface import (
    ACQUIRE_LOCK,
    GET_LOCK,
    RELEASE_LOCK,
    REMOVE_LOCK,
    REVOKE_LOCK,
    SET_LOCK,
    Operation,
)
from ._types import ChannelType

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["RTMLock"]


class RTMLock:
    """Distributed locks of one client (the SDK's ``rtm.lock``)."""

    def __init__(self, engine: Engine, core: ClientCore) -> None:
        self._engine = engine
        self._core = core

    async def _call(self, row: Operation, *args: object, in_flight: Collection[str] = ()) -> Any:
        """Run the row's engine operation; a waiting ``retry`` acquire is awaited.

        ``in_flight``: the JS client's word (through the server) of its calls of the
        same lock still awaiting their replies (R-LK9).

        Raises:
            RtmError: whatever the operation raises, or the wait ends with.
        """
        op = getattr(self._engine, f"op_{row.python}")
        result = op(self._core, row, *args, in_flight=in_flight)
        if not isinstance(result, AcquireWaiter):
            return result
        await settled(result.done)
        return result.response

    async def set_lock(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        lock_name: str,
        options: Mapping[str, Any] | None = None,
        *,
        ttl: int | None = None,
    ) -> LockResponse:
        """Create a free lock on a channel (R-LK5; D-LK2).  ``ttl`` (s, default 10) is
        clamped to 10..300; the channel's ``withLock`` subscribers hear ``SET``.

        Raises:
            RtmError: -10021 (``setLock``), -10019, -10025, -14009, -10008, -14005,
                -14004 (the lock exists).
            ConfigError: ``ttl`` given both in ``options`` and as a keyword.
        """
        opts = merge_options(SET_LOCK.operation, options, {"ttl": ttl})
        result: LockResponse = await self._call(
            SET_LOCK, channel_name, channel_type, lock_name, opts
        )
        return result

    async def setLock(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        lock_name: str,
        options: Mapping[str, Any] | None = None,
    ) -> LockResponse:
        """SDK spelling of :meth:`set_lock` (a clamped ``ttl`` is written back into
        ``options``, as the SDK does).

        Raises:
            RtmError: as :meth:`set_lock`.
        """
        return await self.set_lock(channel_name, channel_type, lock_name, options)

    async def remove_lock(
        self, channel_name: str, channel_type: str | ChannelType, lock_name: str
    ) -> LockResponse:
        """Delete a lock (D-LK7): its holder hears ``EXPIRED``, subscribers ``REMOVED``,
        waiting acquires fail -14008.

        Raises:
            RtmError: -10021, -10019, -10025, -14009, -10008, -14005, -14008.
        """
        result: LockResponse = await self._call(REMOVE_LOCK, channel_name, channel_type, lock_name)
        return result

    async def removeLock(
        self, channel_name: str, channel_type: str | ChannelType, lock_name: str
    ) -> LockResponse:
        """SDK spelling of :meth:`remove_lock`.

        Raises:
            RtmError: as :meth:`remove_lock`.
        """
        return await self.remove_lock(channel_name, channel_type, lock_name)

    async def acquire_lock(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        lock_name: str,
        options: Mapping[str, Any] | None = None,
        *,
        retry: bool | None = None,
    ) -> AcquireLockResponse:
        """Take a lock (R-LK6; D-LK4).  Held by another: -14007, or with ``retry`` wait
        (first come, first served) until it is granted or this client releases it.

        Raises:
            RtmError: -10021 (``acquireLock``), -10019, -10025, -14009, -10008, -14005,
                -14003 (held, or an acquire of it waiting), -14008 (no such lock, or
                removed while waiting), -14007 (held by another; a wait ended by logout).
            ConfigError: ``retry`` given both in ``options`` and as a keyword.
        """
        opts = merge_options(ACQUIRE_LOCK.operation, options, {"retry": retry})
        result: AcquireLockResponse = await self._call(
            ACQUIRE_LOCK, channel_name, channel_type, lock_name, opts
        )
        return result

    async def acquireLock(
        self,
        channel_name: str,
        channel_type: str | ChannelType,
        lock_name: str,
        options: Mapping[str, Any] | None = None,
    ) -> AcquireLockResponse:
        """SDK spelling of :meth:`acquire_lock`.

        Raises:
            RtmError: as :meth:`acquire_lock`.
        """
        return await self.acquire_lock(channel_name, channel_type, lock_name, options)

    async def release_lock(
        self, channel_name: str, channel_type: str | ChannelType, lock_name: str
    ) -> LockResponse:
        """Give a held lock back (D-LK5: the first waiter gets it), or end this client's
        own waiting ``retry`` acquire (R-LK13: that acquire resolves).

        Raises:
            RtmError: -10021, -10019, -10025, -14009, -10008, -14005, -14006 (neither
                held nor awaited with retry).
        """
        result: LockResponse = await self._call(RELEASE_LOCK, channel_name, channel_type, lock_name)
        return result

    async def releaseLock(
        self, channel_name: str, channel_type: str | ChannelType, lock_name: str
    ) -> LockResponse:
        """SDK spelling of :meth:`release_lock`.

        Raises:
            RtmError: as :meth:`release_lock`.
        """
        return await self.release_lock(channel_name, channel_type, lock_name)

    async def revoke_lock(
        self, channel_name: str, channel_type: str | ChannelType, lock_name: str, owner: str
    ) -> LockResponse:
        """Take a lock from its holder ``owner`` (D-LK6): the holder hears ``EXPIRED``, the
        first waiter gets it.

        Raises:
            RtmError: -10021, -10019, -10025, -14009, -10008, -14005, -10006 (owner),
                -14008 (no such lock), -14001 (``owner`` does not hold it).
        """
        result: LockResponse = await self._call(
            REVOKE_LOCK, channel_name, channel_type, lock_name, owner
        )
        return result

    async def revokeLock(
        self, channel_name: str, channel_type: str | ChannelType, lock_name: str, owner: str
    ) -> LockResponse:
        """SDK spelling of :meth:`revoke_lock`.

        Raises:
            RtmError: as :meth:`revoke_lock`.
        """
        return await self.revoke_lock(channel_name, channel_type, lock_name, owner)

    async def get_lock(self, channel_name: str, channel_type: str | ChannelType) -> GetLockResponse:
        """The channel's locks, by name (R-LK10).

        Raises:
            RtmError: -10021, -10019, -10025, -14009, -10008.
        """
        result: GetLockResponse = await self._call(GET_LOCK, channel_name, channel_type)
        return result

    async def getLock(self, channel_name: str, channel_type: str | ChannelType) -> GetLockResponse:
        """SDK spelling of :meth:`get_lock`.

        Raises:
            RtmError: as :meth:`get_lock`.
        """
        return await self.get_lock(channel_name, channel_type)
