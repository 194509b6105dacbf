"""A deliberately wrong toy presence service: a second target that proves the runner fails.

It shares no code with the emulator and gets several rules wrong on purpose:

- occupants are listed in join order, not by user id, and never paged (R-Q3);
- responses carry the clock in ``timestamp`` instead of 0 (R-Q7);
- calls before login fail with -10002, a code the SDK never raises (R-X1, R-X2);
- a leave is announced at once, with no debounce (R-E6);
- the entering user also receives its own ``REMOTE_JOIN`` (R-E3).

It has a clock (``now_ms``, ``advance``) but no ``disconnect`` / ``reconnect`` /
``set_presence_available`` hooks, so scenarios needing those are skipped.  Use it as
``rtm-emulator conformance --target tests.conformance.toy_target:toy_target``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class ToyError(Exception):
    """The toy's failure: carries ``error_code`` like the SDK's ErrorInfo."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.error_code = code


class _Stream:
    def __init__(self, client: ToyClient, name: str) -> None:
        self.client, self.name = client, name

    async def join(self, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self.client.world.enter(self.client, ("STREAM", self.name), options or {})

    async def leave(self) -> dict[str, Any]:
        return self.client.world.exit(self.client, ("STREAM", self.name))


class _Presence:
    def __init__(self, client: ToyClient) -> None:
        self.client = client
        self.world = client.world

    async def whoNow(
        self, name: str, ctype: str, options: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        self.client.check()
        opts = dict(options or {})
        if opts.get("page"):
            raise ToyError(-13003, "bad page")
        users = self.world.channels.get((ctype, name), {})
        if not opts.get("includedUserId", True):
            stamp = self.world.stamp()
            return {"totalOccupancy": len(users), "occupants": [], "nextPage": "", **stamp}
        listed = [
            {
                "userId": uid,
                "states": dict(m["state"]) if opts.get("includedState") else {},
                "statesCount": len(m["state"]) if opts.get("includedState") else 0,
            }
            for uid, m in users.items()  # join order, unpaged: wrong on purpose (R-Q3)
        ]
        return {
            "totalOccupancy": len(listed),
            "occupants": listed,
            "nextPage": "",
            **self.world.stamp(),
        }

    getOnlineUsers = whoNow

    async def whereNow(self, user_id: str) -> dict[str, Any]:
        self.client.check()
        uid = user_id or self.client.user_id
        found = [
            {"channelName": key[1], "channelType": key[0]}
            for key, users in sorted(self.world.channels.items())
            if uid in users
        ]
        return {"totalChannel": len(found), "channels": found, **self.world.stamp()}

    getUserChannels = whereNow

    async def setState(self, name: str, ctype: str, state: Mapping[str, Any]) -> dict[str, Any]:
        self.client.check()
        member = self.world.channels.get((ctype, name), {}).get(self.client.user_id)
        if member is None:
            raise ToyError(-11002, "not in channel")
        member["state"].update(state)
        self.world.tell((ctype, name), self.client.user_id, "REMOTE_STATE_CHANGED")
        return self.world.stamp()

    async def getState(self, user_id: str, name: str, ctype: str) -> dict[str, Any]:
        self.client.check()
        uid = user_id or self.client.user_id
        member = self.world.channels.get((ctype, name), {}).get(uid)
        if member is None:
            raise ToyError(-13011, "no such user")
        state = dict(member["state"])
        return {"userId": uid, "states": state, "statesCount": len(state), **self.world.stamp()}

    async def removeState(
        self, name: str, ctype: str, options: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        self.client.check()
        member = self.world.channels.get((ctype, name), {}).get(self.client.user_id)
        if member is not None:
            keys = (options or {}).get("states") or list(member["state"])
            for key in keys:
                member["state"].pop(key, None)
            self.world.tell((ctype, name), self.client.user_id, "REMOTE_STATE_CHANGED")
        return self.world.stamp()


class ToyClient:
    """A client of the toy world, with the SDK's camelCase surface."""

    def __init__(self, world: ToyWorld, user_id: str) -> None:
        self.world, self.user_id = world, user_id
        self.logged_in = False
        self.listeners: dict[str, list[Callable[[Any], object]]] = {}
        self.presence = _Presence(self)

    def check(self) -> None:
        if not self.logged_in:
            raise ToyError(-10002, "not logged in")  # the SDK says -10025: wrong on purpose

    def addEventListener(self, name: str, listener: Callable[[Any], object]) -> None:
        self.listeners.setdefault(name, []).append(listener)

    def emit(self, name: str, body: dict[str, Any]) -> None:
        for listener in self.listeners.get(name, []):
            listener(body)

    async def login(self, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        self.logged_in = True
        return self.world.stamp()

    async def logout(self) -> dict[str, Any]:
        for key in list(self.world.channels):
            if self.user_id in self.world.channels[key]:
                self.world.exit(self, key)
        self.logged_in = False
        return self.world.stamp()

    async def subscribe(self, name: str, options: Mapping[str, Any] | None = None) -> Any:
        return self.world.enter(self, ("MESSAGE", name), options or {})

    async def unsubscribe(self, name: str) -> Any:
        return self.world.exit(self, ("MESSAGE", name))

    def createStreamChannel(self, name: str) -> _Stream:
        return _Stream(self, name)


class ToyWorld:
    """The toy service: dicts in join order, a clock with no timers."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.now_ms = 1_735_689_600_000
        self.channels: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        self.clients: dict[str, ToyClient] = {}

    def client(self, user_id: str, **_: Any) -> ToyClient:
        self.clients[user_id] = ToyClient(self, user_id)
        return self.clients[user_id]

    def advance(self, seconds: float) -> None:
        self.now_ms += round(seconds * 1000)

    def stamp(self) -> dict[str, Any]:
        """A response's timestamp: the clock (the SDK says 0: wrong on purpose, R-Q7)."""
        return {"timestamp": self.now_ms}

    def event(self, key: tuple[str, str], kind: str, publisher: str) -> dict[str, Any]:
        users = self.channels.get(key, {})
        state = dict(users[publisher]["state"]) if publisher in users else {}
        return {
            "eventType": kind,
            "channelType": key[0],
            "channelName": key[1],
            "publisher": publisher,
            "stateChanged": state if kind == "REMOTE_STATE_CHANGED" else {},
            "interval": None,
            "snapshot": [],
            "timestamp": self.now_ms,
        }

    def tell(
        self, key: tuple[str, str], publisher: str, kind: str, *, me_too: bool = False
    ) -> None:
        for uid, member in self.channels.get(key, {}).items():
            if member["listen"] and (uid != publisher or me_too):
                self.clients[uid].emit("presence", self.event(key, kind, publisher))

    def enter(self, client: ToyClient, key: tuple[str, str], options: Mapping[str, Any]) -> Any:
        client.check()
        users = self.channels.setdefault(key, {})
        listen = options.get("withPresence", True)
        users[client.user_id] = {"state": {}, "listen": listen}
        self.tell(key, client.user_id, "REMOTE_JOIN", me_too=True)  # R-E3 broken on purpose
        if listen:
            snapshot = [{"userId": u, "states": {}, "statesCount": 0} for u in users]
            body = self.event(key, "SNAPSHOT", "")
            body["snapshot"] = snapshot
            client.emit("presence", body)
        return {**self.stamp(), "channelName": key[1]}

    def exit(self, client: ToyClient, key: tuple[str, str]) -> Any:
        client.check()
        users = self.channels.get(key, {})
        if client.user_id not in users:
            raise ToyError(-11002 if key[0] == "MESSAGE" else -11001, "not in channel")
        del users[client.user_id]
        self.tell(key, client.user_id, "REMOTE_LEAVE")  # no debounce: wrong on purpose
        return {**self.stamp(), "channelName": key[1]}


def toy_target(config: Mapping[str, Any]) -> ToyWorld:
    """The target factory for ``--target tests.conformance.toy_target:toy_target``."""
    return ToyWorld(config)
