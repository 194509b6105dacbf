"""The two stores the emulator is compared with, doing the same presence work.

* :class:`HandFake` is the fake most teams write first: plain dicts, and ``sorted()``
  of the channel's members on every page (it has no sorted index to page from).
* :class:`RedisStore` is a presence store on fakeredis: a sorted set per channel (all
  scores 0, so members sort by user id and ``ZRANGEBYLEX`` pages after a user id), a
  hash per (channel, user) for states and a set per user for its channels.

Both page like the emulator's server route of ``whoNow`` (R-Q3): pages of
``page_size`` users (the emulator's ``announce_max``) in code-point order of user id,
each page strictly after the last user id of the one before, and an exactly full last
page says that nothing follows.  ``everyone`` is the local route (R-Q2): the whole
channel in one list.

Both keep what the emulator's presence queries need (occupants, states, a user's
channels, the listeners of a channel) and nothing else: no clock, no timers, no
events other than plain callbacks.  That makes them cheaper than a faithful fake, so
the ratios printed are lower bounds.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import Any

Key = tuple[str, str]  # (channel type, channel name)
Listener = Callable[[dict[str, Any]], object]


class HandFake:
    """Dicts of dicts; every page sorts the channel's user ids."""

    name = "hand fake"

    def __init__(self, page_size: int) -> None:
        self.page_size = page_size
        self.channels: dict[Key, dict[str, dict[str, str]]] = {}
        self.where: dict[str, set[Key]] = {}
        self.listeners: dict[Key, dict[str, Listener]] = {}

    def populate(self, key: Key, users: list[str], state: bool = False) -> None:
        """Put ``users`` into a channel, each with state ``{"seat": ...}`` if asked."""
        for user in users:
            self.enter(user, key)
            if state:
                self.set_state(user, key, {"seat": user[-4:]})

    def populate_channels(self, keys: list[Key], users: list[str]) -> None:
        """Put every user into every channel."""
        for key in keys:
            self.populate(key, users)

    def enter(self, user: str, key: Key, listener: Listener | None = None) -> None:
        """Join or subscribe."""
        self.channels.setdefault(key, {})[user] = {}
        self.where.setdefault(user, set()).add(key)
        if listener is not None:
            self.listeners.setdefault(key, {})[user] = listener

    def exit(self, user: str, key: Key) -> None:
        """Leave or unsubscribe."""
        members = self.channels[key]
        del members[user]
        if not members:
            del self.channels[key]
        self.where[user].discard(key)
        self.listeners.get(key, {}).pop(user, None)

    def set_state(self, user: str, key: Key, state: dict[str, str]) -> None:
        """Merge ``state`` into the user's state in the channel."""
        self.channels[key][user].update(state)

    def remove_state(self, user: str, key: Key, keys: list[str]) -> None:
        """Remove some state keys."""
        state = self.channels[key][user]
        for k in keys:
            state.pop(k, None)

    def page(self, key: Key, after: str, with_states: bool) -> tuple[list[dict[str, Any]], str]:
        """One ``getOnlineUsers`` page after user id ``after`` ("" for the first)."""
        members = self.channels[key]
        ids = sorted(members)
        start = bisect_right(ids, after) if after else 0
        chunk = ids[start : start + self.page_size]
        more = start + self.page_size < len(ids)
        if with_states:
            items = [
                {"userId": u, "states": dict(members[u]), "statesCount": len(members[u])}
                for u in chunk
            ]
        else:
            items = [{"userId": u, "states": {}, "statesCount": 0} for u in chunk]
        return items, (chunk[-1] if more else "")

    def user_channels(self, user: str) -> list[dict[str, str]]:
        """The user's channels, sorted by type and name."""
        return [{"channelType": t, "channelName": n} for t, n in sorted(self.where.get(user, ()))]

    def everyone(self, key: Key, with_states: bool) -> list[dict[str, Any]]:
        """Everyone in the channel, in user id order (with their states if asked)."""
        members = self.channels[key]
        if not with_states:
            return [{"userId": u, "states": {}, "statesCount": 0} for u in sorted(members)]
        return [
            {"userId": u, "states": dict(members[u]), "statesCount": len(members[u])}
            for u in sorted(members)
        ]

    def snapshot(self, key: Key) -> list[dict[str, Any]]:
        """Everyone in the channel with their states, in user id order."""
        return self.everyone(key, True)

    def notify(self, key: Key, publisher: str, event: dict[str, Any]) -> None:
        """Call every listener of the channel but the publisher, in user id order."""
        listeners = self.listeners.get(key, {})
        for user in sorted(listeners):
            if user != publisher:
                listeners[user](event)


class RedisStore:
    """Presence in (fake) Redis: ZSET per channel, HASH per state, SET per user."""

    name = "fakeredis"

    def __init__(self, page_size: int) -> None:
        import fakeredis  # an optional benchmark dependency

        self.page_size = page_size
        self.r = fakeredis.FakeStrictRedis(decode_responses=True)

    @staticmethod
    def _ch(key: Key) -> str:
        return f"ch:{key[0]}:{key[1]}"

    @staticmethod
    def _st(key: Key, user: str) -> str:
        return f"st:{key[0]}:{key[1]}:{user}"

    def populate(
        self, key: Key, users: list[str], state: bool = False, user_sets: bool = True
    ) -> None:
        """Put ``users`` into a channel with bulk commands (setup, not timed).

        ``user_sets=False`` leaves out the per-user channel sets, for populations no
        measured call reads them from (a pipelined command costs fakeredis ~60 µs).
        """
        pipe = self.r.pipeline(transaction=False)
        for start in range(0, len(users), 10_000):
            chunk = users[start : start + 10_000]
            pipe.zadd(self._ch(key), dict.fromkeys(chunk, 0))
            for user in chunk:
                if user_sets:
                    pipe.sadd(f"where:{user}", f"{key[0]}:{key[1]}")
                if state:
                    pipe.hset(self._st(key, user), mapping={"seat": user[-4:]})
            pipe.execute()

    def populate_channels(self, keys: list[Key], users: list[str]) -> None:
        """Put every user into every channel: one ZADD per channel, one SADD per user."""
        pipe = self.r.pipeline(transaction=False)
        for key in keys:
            pipe.zadd(self._ch(key), dict.fromkeys(users, 0))
        for user in users:
            pipe.sadd(f"where:{user}", *(f"{t}:{n}" for t, n in keys))
        pipe.execute()

    def enter(self, user: str, key: Key) -> None:
        """Join or subscribe: one pipelined round trip."""
        pipe = self.r.pipeline(transaction=False)
        pipe.zadd(self._ch(key), {user: 0})
        pipe.sadd(f"where:{user}", f"{key[0]}:{key[1]}")
        pipe.execute()

    def exit(self, user: str, key: Key) -> None:
        """Leave or unsubscribe; the state goes too."""
        pipe = self.r.pipeline(transaction=False)
        pipe.zrem(self._ch(key), user)
        pipe.srem(f"where:{user}", f"{key[0]}:{key[1]}")
        pipe.delete(self._st(key, user))
        pipe.execute()

    def set_state(self, user: str, key: Key, state: dict[str, str]) -> None:
        """Merge ``state`` (HSET)."""
        self.r.hset(self._st(key, user), mapping=state)

    def remove_state(self, user: str, key: Key, keys: list[str]) -> None:
        """Remove some state keys (HDEL)."""
        self.r.hdel(self._st(key, user), *keys)

    def page(self, key: Key, after: str, with_states: bool) -> tuple[list[dict[str, Any]], str]:
        """One page: ``ZRANGEBYLEX (after + LIMIT 0 n+1``, then HGETALLs if states."""
        low = f"({after}" if after else "-"
        ids = self.r.zrangebylex(self._ch(key), low, "+", start=0, num=self.page_size + 1)
        more = len(ids) > self.page_size
        ids = ids[: self.page_size]
        if with_states:
            pipe = self.r.pipeline(transaction=False)
            for user in ids:
                pipe.hgetall(self._st(key, user))
            states = pipe.execute()
            items = [
                {"userId": u, "states": s, "statesCount": len(s)}
                for u, s in zip(ids, states, strict=True)
            ]
        else:
            items = [{"userId": u, "states": {}, "statesCount": 0} for u in ids]
        return items, (ids[-1] if more else "")

    def user_channels(self, user: str) -> list[dict[str, str]]:
        """SMEMBERS, sorted."""
        found = sorted(self.r.smembers(f"where:{user}"))
        return [
            dict(zip(("channelType", "channelName"), k.split(":", 1), strict=True)) for k in found
        ]

    def everyone(self, key: Key, with_states: bool) -> list[dict[str, Any]]:
        """ZRANGE of the whole channel, then (states) one HGETALL per user, pipelined."""
        ids = self.r.zrange(self._ch(key), 0, -1)
        if not with_states:
            return [{"userId": u, "states": {}, "statesCount": 0} for u in ids]
        pipe = self.r.pipeline(transaction=False)
        for user in ids:
            pipe.hgetall(self._st(key, user))
        states = pipe.execute()
        return [
            {"userId": u, "states": s, "statesCount": len(s)}
            for u, s in zip(ids, states, strict=True)
        ]

    def snapshot(self, key: Key) -> list[dict[str, Any]]:
        """Everyone in the channel with their states."""
        return self.everyone(key, True)
