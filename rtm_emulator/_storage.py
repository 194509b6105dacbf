"""Channel and user metadata: the storage calls and ``storage`` events (R-ST1..R-ST20).

Theory of operation.  Each call runs the SDK's checks in the runtime's order (R-ST2,
R-ST3, R-ST7, R-ST8: rate key, channel type, link, ``STORAGE_ENABLED``, channel name
or user id, then the items of ``_storage_checks``), then what the server decides
([ours], D-ST1..D-ST10 in docs/decisions.md):

* metadata lives per app and target (a channel by its type and name, or a user id) for
  the emulator's lifetime; a target never written reads as revision 0 with no items
  (D-ST1);
* every write that changes something bumps the target's ``majorRevision`` by one, and
  each item it changed takes that revision (D-ST2); set upserts, update needs every key
  to exist, remove drops the keys it names, a clear drops all (D-ST3), all or nothing;
  ``majorRevision`` / item ``revision`` ≥ 0 are compare-and-set (D-ST4, code 6:
  -12014); ``addTimeStamp`` / ``addUserId`` record the clock and the writer per item,
  per write (D-ST5); a ``lockName`` write needs the caller to hold that lock on the
  server with the revision its client holds (D-ST6);
* after a changing write every subscriber of the target whose link is up gets one
  ``storage`` event with the whole state, in user-id order (D-ST8, R-E7): channel
  subscribers with ``withMetadata`` (subscribe or stream join), user subscribers of
  ``subscribeUserMetadata``.  The first event since subscribing is a ``SNAPSHOT``,
  later ones ``UPDATE`` (R-ST17); the SDK drops a state whose revision is not newer than
  the last one it saw (R-ST18), so a client whose link was down hears the latest state
  once when it is back (R-ST19), or nothing when nothing changed.

The client side's memory (the SDK's subscribed users, its withMetadata channels and the
last revision seen of each) is kept here per client, through losses and kicks, and
forgotten at logout (R-ST19).  Locks are read through :class:`LockView` (the locks
family's table; :class:`NoLocks` holds none).  Nothing here reads the wall clock or
iterates a set.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Protocol

from ._bus import EventBus
from ._checks import rate, require_link
from ._clock import FakeClock
from ._errors import ErrorCode, RtmError
from ._ids import check_channel_name, check_channel_type, check_user_id
from ._js import JS_NULL
from ._limits import MAX_USER_METADATA_SUBSCRIPTIONS
from ._session import ChannelKey, ClientCore
from ._storage_checks import (
    Item,
    WriteKind,
    check_items,
    check_lock_name,
    check_request_size,
    clear_revision,
    convert_items,
    is_clear,
    major_revision,
    request_json,
)
from ._storage_types import (
    GetChannelMetadataResponse,
    GetUserMetadataResponse,
    MetadataItem,
    RemoveChannelMetadataResponse,
    SetChannelMetadataResponse,
    StorageData,
    StorageEvent,
    StorageEventType,
    UpdateChannelMetadataResponse,
    UserMetadataResponse,
    UserMetadataSubscriptionResponse,
)
from ._surface import Operation
from ._types import LinkState
from ._validate import js_truthy, plain_value

__all__ = ["LockView", "NoLocks", "Storage", "Target"]

#: A metadata target: ``("CHANNEL", app, channel type, name)`` or ``("USER", app, uid)``.
Target = tuple[str, ...]

#: D-ST6: the server's reply code for a write whose lock is not held (kInvalidLock).
INVALID_LOCK = 10
#: R-ST11: write / get reply codes -> the SDK's codes (any other code: -12001).
_WRITE_CODES = {
    3: ErrorCode.STORAGE_INVALID_ARGUMENT,
    6: ErrorCode.STORAGE_OUTDATED_REVISION,
    14: ErrorCode.STORAGE_PERMISSION_DENIED,
    100: ErrorCode.STORAGE_OPERATION_TIMEOUT,
}
#: R-ST13: subscribe reply codes -> the SDK's codes (0 and 1 succeed; others raw).
_SUBSCRIBE_CODES = {
    3: ErrorCode.STORAGE_INVALID_ARGUMENT,
    100: ErrorCode.STORAGE_OPERATION_TIMEOUT,
    14: ErrorCode.CHANNEL_SUBSCRIBE_PERMISSION_DENIED,
}


class LockView(Protocol):
    """What storage reads of the locks (the locks family's tables, R-ST9, D-ST6)."""

    def held_lock_revision(self, core: ClientCore, key: ChannelKey, lock_name: str) -> int:
        """The revision of the lock ``core``'s client holds there (0: none)."""
        ...

    def holder_revision(self, app_id: str, key: ChannelKey, lock_name: str, user_id: str) -> int:
        """The lock's current revision when ``user_id`` holds it on the server, else 0."""
        ...


class NoLocks:
    """A :class:`LockView` that holds no lock: every lock-guarded write is -12008."""

    def held_lock_revision(self, core: ClientCore, key: ChannelKey, lock_name: str) -> int:
        """Always 0."""
        return 0

    def holder_revision(self, app_id: str, key: ChannelKey, lock_name: str, user_id: str) -> int:
        """Always 0."""
        return 0


class _Record:
    """One stored item."""

    __slots__ = ("author", "revision", "updated", "value")

    def __init__(self, value: str, revision: int, updated: int, author: str) -> None:
        self.value = value
        self.revision = revision
        self.updated = updated
        self.author = author

    def shown(self) -> MetadataItem:
        return MetadataItem(self.value, self.revision, self.updated, self.author)


class _Doc:
    """One target's metadata on the server."""

    __slots__ = ("items", "major")

    def __init__(self) -> None:
        self.major = 0
        self.items: dict[str, _Record] = {}

    def data(self) -> StorageData:
        return StorageData(self.major, [(k, r.shown()) for k, r in self.items.items()])


_EMPTY = _Doc()


class _Mine:
    """One client's storage memory (the SDK's): its subscriptions and what it saw."""

    __slots__ = ("channel_sub_enabled", "enabled", "subs", "user_sub_enabled", "users")

    def __init__(self) -> None:
        #: target -> the last ``_rev`` this client saw in an event (None: none yet)
        self.subs: dict[Target, int | None] = {}
        #: the users subscribed with subscribeUserMetadata (R-ST13)
        self.users: dict[str, None] = {}
        #: the SDK parameters STORAGE_ENABLED, STORAGE_CHANNEL_SUB_ENABLED,
        #: STORAGE_USER_SUB_ENABLED (the console's defaults: on)
        self.enabled = True
        self.channel_sub_enabled = True
        self.user_sub_enabled = True


class _Write:
    """One write request as the server receives it."""

    __slots__ = ("author", "items", "kind", "lock", "lock_rev", "major", "record_ts")

    def __init__(
        self,
        kind: WriteKind | None,
        items: list[Item],
        major: float,
        options: Mapping[str, object],
        lock: str,
        lock_rev: int,
        user_id: str,
    ) -> None:
        self.kind = kind  # None: a clear
        self.items = items
        self.major = major
        self.record_ts = js_truthy(options.get("addTimeStamp"))
        self.author = user_id if js_truthy(options.get("addUserId")) else ""
        self.lock = lock
        self.lock_rev = lock_rev


def _options(options: object) -> Mapping[str, object]:
    return options if isinstance(options, Mapping) else {}


class Storage:
    """The storage calls, the server's metadata and the client's subscriptions."""

    __slots__ = ("_bus", "_clock", "_docs", "_mine", "_watchers", "locks", "reply_codes")

    def __init__(self, clock: FakeClock, bus: EventBus, locks: LockView | None = None) -> None:
        self._clock = clock
        self._bus = bus
        self._docs: dict[Target, _Doc] = {}
        # weak: a client the app dropped takes its memory with it (its watchers are
        # dropped when its session ends: logout, or the server's timeout)
        self._mine: weakref.WeakKeyDictionary[ClientCore, _Mine] = weakref.WeakKeyDictionary()
        #: target -> the clients subscribed to it (insertion order; events are sorted)
        #: target -> its subscribed clients and their memory (insertion order; the bus
        #: sorts the events); a client leaves it by unsubscribing or logging out
        self._watchers: dict[Target, dict[ClientCore, _Mine]] = {}
        #: the lock tables (R-ST9, D-ST6)
        self.locks: LockView = locks if locks is not None else NoLocks()
        #: fault injection: (app, user) -> the server's reply code to that user's storage
        #: requests (0 or absent: the server decides)
        self.reply_codes: dict[tuple[str, str], int] = {}
        bus.filters[StorageEvent] = self._receives

    # ------------------------------------------------------------- helpers

    def mine(self, core: ClientCore) -> _Mine:
        """The client's storage memory (made on first use)."""
        found = self._mine.get(core)
        if found is None:
            found = self._mine[core] = _Mine()
        return found

    def set_parameters(
        self,
        core: ClientCore,
        *,
        enabled: bool = True,
        channel_sub_enabled: bool = True,
        user_sub_enabled: bool = True,
    ) -> None:
        """The SDK parameters that switch storage off for one client (R-ST3, R-ST13,
        R-ST15): ``STORAGE_ENABLED``, ``STORAGE_CHANNEL_SUB_ENABLED``,
        ``STORAGE_USER_SUB_ENABLED``."""
        mine = self.mine(core)
        mine.enabled = enabled
        mine.channel_sub_enabled = channel_sub_enabled
        mine.user_sub_enabled = user_sub_enabled

    def _require_enabled(self, core: ClientCore, operation: str, *, users: bool = False) -> None:
        mine = self._mine.get(core)
        if mine is None:
            return
        if not mine.enabled or (users and not mine.user_sub_enabled):
            name = "STORAGE_USER_SUB_ENABLED" if mine.enabled else "STORAGE_ENABLED"
            raise RtmError.sdk(
                operation, ErrorCode.STORAGE_NOT_AVAILABLE, detail=f"{name} is false"
            )

    def _reply(self, core: ClientCore, operation: str, code: int, *, subscribe: bool) -> None:
        """R-ST11 / R-ST13: a reply code other than success raises the SDK's error."""
        if code == 0 or (subscribe and code == 1):
            return
        table = _SUBSCRIBE_CODES if subscribe else _WRITE_CODES
        known = table.get(code)
        detail = f"the server replied with code {code}"
        if known is not None:
            raise RtmError.sdk(operation, known, detail=detail, name="RtmUnavailableError")
        if subscribe:
            raise RtmError(operation, code, "", "RtmUnavailableError", detail)
        raise RtmError.sdk(operation, ErrorCode.STORAGE_OPERATION_FAILED, detail=detail)

    def _fault(self, core: ClientCore) -> int:
        return self.reply_codes.get((core.app_id, core.user_id), 0)

    @staticmethod
    def channel_target(app_id: str, key: ChannelKey) -> Target:
        """The target of a channel's metadata."""
        return ("CHANNEL", app_id, key[0].value, key[1])

    @staticmethod
    def user_target(app_id: str, user_id: str) -> Target:
        """The target of a user's metadata."""
        return ("USER", app_id, user_id)

    def data(self, target: Target) -> StorageData:
        """The target's metadata now (D-ST1: a target never written is empty)."""
        return self._docs.get(target, _EMPTY).data()

    # ------------------------------------------------------- channel preludes

    def _channel(
        self, core: ClientCore, row: Operation, channel_name: object, channel_type: object
    ) -> tuple[ChannelKey, str]:
        """R-ST3: rate, channel type (before login too), link, enabled, channel name."""
        operation = row.operation
        rate(core, row, self._clock)
        ctype = check_channel_type(operation, channel_type)
        require_link(core, operation, connected=True)
        self._require_enabled(core, operation)
        name = check_channel_name(operation, channel_name)
        return (ctype, name), ctype.value

    def _lock(self, core: ClientCore, operation: str, key: ChannelKey, name: str) -> int:
        """R-ST9: a named lock must be held by this client (its revision), else -12008."""
        if not name:
            return 0
        revision = self.locks.held_lock_revision(core, key, name)
        if not revision:
            raise RtmError.sdk(
                operation,
                ErrorCode.STORAGE_LOCK_NOT_ACQUIRED,
                detail=f"lock {name!r} of {key[0].value} channel {key[1]!r} is not held",
            )
        return revision

    # ------------------------------------------------------------ channel calls

    def op_set_channel_metadata(
        self,
        core: ClientCore,
        row: Operation,
        channel_name: object,
        channel_type: object,
        data: object,
        options: object,
    ) -> SetChannelMetadataResponse:
        """``setChannelMetadata`` (R-ST3..R-ST7, R-ST9, D-ST2..D-ST6).

        Raises:
            RtmError: -10021, -10019, -10025, -12019, -10008, -12007 / -12008 (lock),
                -12009 / -12005 (``"storage"``), -12002, -12003, -12005, -12009,
                -12011, -12010, -12012, -12006, -12014 (revision), -12001.
            SdkTypeError: ``data`` that is not a list, a ``None`` item.
        """
        operation = row.operation
        key, ctype = self._channel(core, row, channel_name, channel_type)
        opts = _options(options)
        lock = check_lock_name(operation, opts)
        lock_rev = self._lock(core, operation, key, lock)
        items = convert_items(operation, data)
        major = check_items(operation, items, major_revision(opts), "Set")
        check_request_size(operation, request_json(items, major, "Set"))
        write = _Write("Set", items, major, opts, lock, lock_rev, core.user_id)
        self._write(core, operation, self.channel_target(core.app_id, key), key, write)
        return SetChannelMetadataResponse(key[1], ctype)

    def op_update_channel_metadata(
        self,
        core: ClientCore,
        row: Operation,
        channel_name: object,
        channel_type: object,
        data: object,
        options: object,
    ) -> UpdateChannelMetadataResponse:
        """``updateChannelMetadata``: only existing keys (R-ST7, D-ST3).

        Raises:
            RtmError: as :meth:`op_set_channel_metadata`, the lock checked after the items.
            SdkTypeError: as :meth:`op_set_channel_metadata`.
        """
        operation = row.operation
        key, ctype = self._channel(core, row, channel_name, channel_type)
        opts = _options(options)
        items = convert_items(operation, data)
        major = check_items(operation, items, major_revision(opts), "Update")
        lock = check_lock_name(operation, opts)
        lock_rev = self._lock(core, operation, key, lock)
        check_request_size(operation, request_json(items, major, "Update"))
        write = _Write("Update", items, major, opts, lock, lock_rev, core.user_id)
        self._write(core, operation, self.channel_target(core.app_id, key), key, write)
        return UpdateChannelMetadataResponse(key[1], ctype)

    def op_remove_channel_metadata(
        self,
        core: ClientCore,
        row: Operation,
        channel_name: object,
        channel_type: object,
        options: object,
    ) -> RemoveChannelMetadataResponse:
        """``removeChannelMetadata``: the keys of ``options.data``, or all (R-ST7).

        Raises:
            RtmError: as :meth:`op_set_channel_metadata` (values are not checked).
            SdkTypeError: ``options.data`` that is not a list.
        """
        operation = row.operation
        key, ctype = self._channel(core, row, channel_name, channel_type)
        opts = _options(options)
        write = self._removal(core, operation, opts)
        write.lock = check_lock_name(operation, opts)
        write.lock_rev = self._lock(core, operation, key, write.lock)
        self._write(core, operation, self.channel_target(core.app_id, key), key, write)
        return RemoveChannelMetadataResponse(key[1], ctype)

    def _removal(self, core: ClientCore, operation: str, opts: Mapping[str, object]) -> _Write:
        """R-ST7: a remove's items (checked, type Delete) or a clear."""
        data = opts.get("data")
        if is_clear(data):
            major = clear_revision(operation, opts)
            return _Write(None, [], major, opts, "", 0, core.user_id)
        items = convert_items(operation, data)
        major = check_items(operation, items, major_revision(opts), "Delete")
        check_request_size(operation, request_json(items, major, "Delete"))
        return _Write("Delete", items, major, opts, "", 0, core.user_id)

    def op_get_channel_metadata(
        self, core: ClientCore, row: Operation, channel_name: object, channel_type: object
    ) -> GetChannelMetadataResponse:
        """``getChannelMetadata`` (R-ST10; D-ST7: no subscription needed).

        Raises:
            RtmError: -10021, -10019, -10025, -12019, -10008, a reply fault (R-ST11).
        """
        key, ctype = self._channel(core, row, channel_name, channel_type)
        self._reply(core, row.operation, self._fault(core), subscribe=False)
        data = self.data(self.channel_target(core.app_id, key))
        return GetChannelMetadataResponse(key[1], ctype, data)

    # --------------------------------------------------------------- user calls

    def _user(self, core: ClientCore, row: Operation, options: object) -> tuple[str, str]:
        """R-ST8: rate, link, enabled, a truthy ``userId``.  Returns (shown, target id)."""
        operation = row.operation
        rate(core, row, self._clock)
        require_link(core, operation, connected=True)
        self._require_enabled(core, operation)
        raw = plain_value(_options(options).get("userId"))
        if not js_truthy(raw):
            return core.user_id, core.user_id  # D-ST10: "" is the caller
        uid = check_user_id(operation, raw)
        return uid, uid

    def _user_write(
        self, core: ClientCore, row: Operation, data: object, options: object, kind: WriteKind
    ) -> UserMetadataResponse:
        operation = row.operation
        shown, uid = self._user(core, row, options)
        opts = _options(options)
        if kind == "Update" and (data is None or data is JS_NULL):
            data = []  # R-ST4: updateUserMetadata alone reads a missing data as []
        items = convert_items(operation, data)
        major = check_items(operation, items, major_revision(opts), kind)
        check_request_size(operation, request_json(items, major, kind))
        write = _Write(kind, items, major, opts, "", 0, core.user_id)
        self._write(core, operation, self.user_target(core.app_id, uid), None, write)
        return UserMetadataResponse(shown)

    def op_set_user_metadata(
        self, core: ClientCore, row: Operation, data: object, options: object
    ) -> UserMetadataResponse:
        """``setUserMetadata`` of the caller or ``options.userId`` (R-ST8, D-ST7).

        Raises:
            RtmError: -10021, -10025, -12019, -10006, then as
                :meth:`op_set_channel_metadata` (no lock).
            SdkTypeError: as :meth:`op_set_channel_metadata`.
        """
        return self._user_write(core, row, data, options, "Set")

    def op_update_user_metadata(
        self, core: ClientCore, row: Operation, data: object, options: object
    ) -> UserMetadataResponse:
        """``updateUserMetadata`` (R-ST8; D-ST3: only existing keys).

        Raises:
            RtmError: as :meth:`op_set_user_metadata`.
            SdkTypeError: as :meth:`op_set_user_metadata`.
        """
        return self._user_write(core, row, data, options, "Update")

    def op_remove_user_metadata(
        self, core: ClientCore, row: Operation, options: object
    ) -> UserMetadataResponse:
        """``removeUserMetadata``: the keys of ``options.data``, or all (R-ST8).

        Raises:
            RtmError: as :meth:`op_set_user_metadata` (values are not checked).
            SdkTypeError: ``options.data`` that is not a list.
        """
        operation = row.operation
        shown, uid = self._user(core, row, options)
        write = self._removal(core, operation, _options(options))
        self._write(core, operation, self.user_target(core.app_id, uid), None, write)
        return UserMetadataResponse(shown)

    def op_get_user_metadata(
        self, core: ClientCore, row: Operation, options: object
    ) -> GetUserMetadataResponse:
        """``getUserMetadata`` of the caller or ``options.userId`` (R-ST8, R-ST10).

        Raises:
            RtmError: -10021, -10025, -12019, -10006, a reply fault (R-ST11).
        """
        shown, uid = self._user(core, row, options)
        self._reply(core, row.operation, self._fault(core), subscribe=False)
        return GetUserMetadataResponse(shown, self.data(self.user_target(core.app_id, uid)))

    def op_subscribe_user_metadata(
        self, core: ClientCore, row: Operation, user_id: object
    ) -> UserMetadataSubscriptionResponse:
        """``subscribeUserMetadata`` (R-ST13): a ``SNAPSHOT`` follows, then ``UPDATE``s.

        Raises:
            RtmError: -10021, -10025, -12019, -10006, -12017 (50 users), a reply fault.
        """
        operation = row.operation
        rate(core, row, self._clock)
        require_link(core, operation, connected=True)
        self._require_enabled(core, operation, users=True)
        uid = check_user_id(operation, user_id)
        mine = self.mine(core)
        if uid in mine.users:
            return UserMetadataSubscriptionResponse(uid)
        if len(mine.users) >= MAX_USER_METADATA_SUBSCRIPTIONS:
            raise RtmError.sdk(
                operation,
                ErrorCode.STORAGE_SUBSCRIBE_USER_EXCEED_LIMITATION,
                detail=f"{core.user_id!r} holds {len(mine.users)} user metadata subscriptions",
            )
        self._reply(core, operation, self._fault(core), subscribe=True)
        with self._bus.operation():
            mine.users[uid] = None
            self._watch(core, self.user_target(core.app_id, uid))
        return UserMetadataSubscriptionResponse(uid)

    def op_unsubscribe_user_metadata(
        self, core: ClientCore, row: Operation, user_id: object
    ) -> UserMetadataSubscriptionResponse:
        """``unsubscribeUserMetadata`` (R-ST14): works while the link is down.

        Raises:
            RtmError: -10025 (IDLE), -12019, -10006, -12015 (not subscribed).
        """
        operation = row.operation
        require_link(core, operation, connected=False)
        self._require_enabled(core, operation)
        uid = check_user_id(operation, user_id)
        mine = self.mine(core)
        if uid not in mine.users:
            raise RtmError.sdk(
                operation,
                ErrorCode.STORAGE_NOT_SUBSCRIBE,
                detail=f"{core.user_id!r} has not subscribed to {uid!r}'s metadata",
            )
        del mine.users[uid]
        self._unwatch(core, self.user_target(core.app_id, uid))
        return UserMetadataSubscriptionResponse(uid)

    # ------------------------------------------------- channel subscriptions

    def check_entry(self, core: ClientCore, operation: str, options: object) -> None:
        """R-ST15: ``withMetadata`` while ``STORAGE_CHANNEL_SUB_ENABLED`` is off is -12019
        (in the subscribe / join options check).

        Raises:
            RtmError: -12019.
        """
        if not js_truthy(_options(options).get("withMetadata")):
            return
        mine = self._mine.get(core)
        if mine is not None and not mine.channel_sub_enabled:
            raise RtmError.sdk(
                operation,
                ErrorCode.STORAGE_NOT_AVAILABLE,
                detail="withMetadata while STORAGE_CHANNEL_SUB_ENABLED is false",
            )

    def check_subscription(self, core: ClientCore, operation: str, options: object) -> None:
        """R-ST15 under a reply-code fault (R-ST11): a ``withMetadata`` subscription the
        server refuses with 14 fails ``subscribe`` with -11038 (other codes only leave
        withMetadata off, :meth:`entered`).

        Raises:
            RtmError: -11038.
        """
        if self._fault(core) == 14 and js_truthy(_options(options).get("withMetadata")):
            raise RtmError.sdk(
                operation,
                ErrorCode.CHANNEL_SUBSCRIBE_PERMISSION_DENIED,
                name="RtmUnavailableError",
                detail="the server refused the metadata subscription with code 14",
            )

    def entered(self, core: ClientCore, key: ChannelKey, options: object) -> None:
        """A subscribe / join succeeded (R-ST15): ``withMetadata`` on subscribes the
        channel's metadata (a ``SNAPSHOT`` when the link is up), off drops it; a
        subscription the server refuses (a reply-code fault other than 0 and 1) stays
        off."""
        target = self.channel_target(core.app_id, key)
        wants = js_truthy(_options(options).get("withMetadata"))
        if wants and self._fault(core) not in (0, 1):
            wants = False
        mine = self._mine.get(core)
        if not wants and mine is None:
            return
        subs = self.mine(core).subs
        if wants and target not in subs:
            self._watch(core, target)
        elif not wants and target in subs:
            self._unwatch(core, target)

    def exited(self, core: ClientCore, key: ChannelKey) -> None:
        """An unsubscribe / leave drops the channel's metadata subscription (R-ST15)."""
        mine = self._mine.get(core)
        target = self.channel_target(core.app_id, key)
        if mine is not None and target in mine.subs:
            self._unwatch(core, target)

    def subscribe_channel(self, core: ClientCore, key: ChannelKey) -> None:
        """A real SDK's ``StateSubscribe`` of a channel (D-RS9, R-ST15): the client holds
        the channel's metadata subscribed, as a ``withMetadata`` subscribe does (a
        ``SNAPSHOT`` when the link is up), whether or not it is a member; a reply-code
        fault other than 0 and 1 leaves it unsubscribed.  Membership does not drop it:
        the SDK sends ``StateUnsubscribe`` (:meth:`exited`) or logs out."""
        with self._bus.operation():
            self.entered(core, key, {"withMetadata": True})

    def logged_out(self, core: ClientCore) -> None:
        """Logout forgets every subscription and revision seen (R-ST19)."""
        mine = self._mine.get(core)
        if mine is None:
            return
        for target in list(mine.subs):
            self._unwatch(core, target)
        mine.users.clear()

    def link_back(self, core: ClientCore) -> None:
        """The link is back (or a login after a kick): the SDK subscribes again and hears
        the latest state of each target whose revision moved (R-ST19, R-ST18)."""
        mine = self._mine.get(core)
        if mine is None or not core.connected:
            return
        for target in list(mine.subs):
            self._notify(core, target)

    def _watch(self, core: ClientCore, target: Target) -> None:
        self.mine(core).subs[target] = None
        self._watchers.setdefault(target, {})[core] = self.mine(core)
        if core.connected:
            self._notify(core, target)

    def _unwatch(self, core: ClientCore, target: Target) -> None:
        del self.mine(core).subs[target]
        watchers = self._watchers.get(target)
        if watchers is not None:
            watchers.pop(core, None)
            if not watchers:
                del self._watchers[target]

    def _notify(
        self,
        core: ClientCore,
        target: Target,
        made: dict[StorageEventType, StorageEvent] | None = None,
    ) -> None:
        """One ``storage`` event with the target's state, unless this client saw its
        revision already (R-ST17, R-ST18).  ``made``: the events of this state already
        built (a fan-out builds each kind once and shares it, the events are frozen)."""
        mine = self._mine.get(core)
        if mine is None:
            mine = self.mine(core)
        subs = mine.subs
        doc = self._docs.get(target, _EMPTY)
        last = subs.get(target)
        if last is not None and doc.major <= last:
            return
        subs[target] = doc.major
        kind: StorageEventType = "SNAPSHOT" if last is None else "UPDATE"
        event = made.get(kind) if made is not None else None
        if event is None:
            event = self._event(target, doc.data(), kind)
            if made is not None:
                made[kind] = event
        self._bus.emit(core, event)

    def _event(self, target: Target, data: StorageData, kind: StorageEventType) -> StorageEvent:
        now = self._clock.now_ms
        if target[0] == "USER":
            return StorageEvent("USER", kind, "USER", "", target[2], data, now)
        return StorageEvent("CHANNEL", kind, target[2], target[3], "", data, now)

    def _receives(self, core: ClientCore, event: StorageEvent) -> bool:
        """A late event is heard only while its target is still subscribed."""
        mine = self._mine.get(core)
        if mine is None:
            return False
        if event.storage_type == "USER":
            return event.publisher in mine.users
        app = core.app_id
        return ("CHANNEL", app, event.channel_type, event.channel_name) in mine.subs

    # --------------------------------------------------------------- the server

    def _write(
        self,
        core: ClientCore,
        operation: str,
        target: Target,
        key: ChannelKey | None,
        write: _Write,
    ) -> None:
        """The server's side of a write (D-ST2..D-ST6, D-ST8): all or nothing.

        Raises:
            RtmError: a reply fault, -12001 (lock, code 10), -12014 (code 6).
        """
        code = self._fault(core) or self._server_code(core, target, key, write)
        self._reply(core, operation, code, subscribe=False)
        doc = self._docs.get(target)
        if doc is None:
            doc = _Doc()
        changed = self._apply(doc, write)
        if not changed:
            return
        self._docs[target] = doc
        watchers = self._watchers.get(target)
        if not watchers:
            return
        major = doc.major
        made: dict[StorageEventType, StorageEvent] = {}
        emit = self._bus.emit
        with self._bus.operation():
            # _notify inlined: the fan-out's hot loop (one dict read and write each)
            for watcher, mine in list(watchers.items()):
                if not watcher.connected:
                    continue
                subs = mine.subs
                last = subs.get(target)
                if last is not None and major <= last:
                    continue
                subs[target] = major
                kind: StorageEventType = "SNAPSHOT" if last is None else "UPDATE"
                event = made.get(kind)
                if event is None:
                    event = made[kind] = self._event(target, doc.data(), kind)
                emit(watcher, event)

    def _server_code(
        self, core: ClientCore, target: Target, key: ChannelKey | None, write: _Write
    ) -> int:
        if write.lock and key is not None:
            held = self.locks.holder_revision(core.app_id, key, write.lock, core.user_id)
            if not held or held != write.lock_rev:
                return INVALID_LOCK
        doc = self._docs.get(target, _EMPTY)
        if write.major >= 0 and write.major != doc.major:
            return 6
        for item in write.items:
            record = doc.items.get(item.key)
            if write.kind == "Update" and record is None:
                return 6
            current = record.revision if record is not None else 0
            if item.revision >= 0 and item.revision != current:
                return 6
        return 0

    def _apply(self, doc: _Doc, write: _Write) -> bool:
        """Apply a checked write; True when it changed something (D-ST2, D-ST3, D-ST5)."""
        revision = doc.major + 1
        if write.kind is None:
            if not doc.items:
                return False
            doc.items.clear()
            doc.major = revision
            return True
        if write.kind == "Delete":
            keys = [item.key for item in write.items if item.key in doc.items]
            if not keys:
                return False
            for name in keys:
                del doc.items[name]
            doc.major = revision
            return True
        updated = self._clock.now_ms if write.record_ts else 0
        changed = False
        for item in write.items:
            assert isinstance(item.value, str)
            record = doc.items.get(item.key)
            if record is not None and (record.value, record.updated, record.author) == (
                item.value,
                updated,
                write.author,
            ):
                continue
            doc.items[item.key] = _Record(item.value, revision, updated, write.author)
            changed = True
        if changed:
            doc.major = revision
        return changed

    # ---------------------------------------------------------------- checks

    def check(self) -> None:
        """Assert the subscriptions and the watchers agree, and every revision is sane."""
        for target, doc in self._docs.items():
            assert doc.major > 0, target
            for name, record in doc.items.items():
                assert 0 < record.revision <= doc.major, (target, name)
        for core, mine in list(self._mine.items()):
            for target in mine.subs:
                assert core in self._watchers.get(target, ()), (core.user_id, target)
            for uid in mine.users:
                assert self.user_target(core.app_id, uid) in mine.subs, (core.user_id, uid)
            if core.link_state is LinkState.IDLE:
                assert not mine.subs, core.user_id
        for target, watchers in self._watchers.items():
            for core in list(watchers):
                assert target in self._mine[core].subs, (core.user_id, target)
