"""Model-based test: the emulator's public async client against a tiny reference model.

A Hypothesis ``RuleBasedStateMachine`` drives ``rtm_emulator`` (its public API only) and
``tests/stateful/model.py`` with the same calls, and after every call compares: the
response's ``to_dict()`` (or the error's operation and code); every event every client
received since the last call, in global delivery order (SDK JSON, plus ``seq`` for
presence events); the clock, the last ``seq`` and the pending timers' due times; each
client's ``logged_in`` / ``connected`` / ``link_state``; and ``emu.online_users`` /
``user_channels`` / ``state_of`` over the whole universe.  The emulator is strict and
``emu.check_invariants()`` runs after every call too.

Hypothesis profiles, chosen with the environment variable ``RTM_HYPOTHESIS_PROFILE``:

- ``ci`` (default): 200 runs of up to 50 steps, derandomized (the same runs every time)
  and without the example database;
- ``slow``: 2,000 random runs of up to 200 steps::

      RTM_HYPOTHESIS_PROFILE=slow python -m pytest tests/stateful -q
"""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import Callable, Coroutine
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from rtm_emulator import (
    Emulator,
    EmulatorConfig,
    LinkStateEvent,
    PresenceEvent,
    RTMClient,
    RTMConfig,
    RtmError,
)

from .model import Client, Model

settings.register_profile(
    "ci",
    max_examples=200,
    stateful_step_count=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "slow",
    max_examples=2000,
    stateful_step_count=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = os.environ.get("RTM_HYPOTHESIS_PROFILE", "ci")

START_MS = 1_735_689_600_000
APP, APP2 = "emulator", "app2"
USERS = ["0", "A", "B", "Z9", "a", "b", "u1", "u10", "u2", "~x"]  # code-point order matters
USERS2 = ["A", "a", "u1"]  # the same ids in a second app: the apps never see each other
NAMES = ["Room", "lobby", "x y"]
TYPES = ["MESSAGE", "STREAM"]
PRESENCE_TIMEOUT = {uid: (5 if i % 2 == 0 else 300) for i, uid in enumerate(USERS)}
KEYS = [f"{APP}:{u}:{slot}" for slot in (0, 1) for u in USERS]
KEYS += [f"{APP2}:{u}:{slot}" for slot in (0, 1) for u in USERS2]  # slot 1: kicks (R-T4)

#: (prefer a client in the wanted condition?, index): see PresenceMachine.pick
actors = st.tuples(st.sampled_from([True] * 7 + [False]), st.integers(0, 255))
#: (prefer a channel the client is in?, index, type, name): see PresenceMachine.channel
channels = st.tuples(
    st.booleans(), st.integers(0, 255), st.sampled_from(TYPES), st.sampled_from(NAMES)
)
users = st.sampled_from([*USERS, "", "nobody"])
small_states = st.dictionaries(
    st.sampled_from(["k1", "k2", "k3", "mood"]), st.sampled_from(["", "v", "w"]), max_size=3
)
many_keys = st.integers(1, 40).map(lambda n: {f"m{i}": "x" for i in range(n)})
bad_states = st.sampled_from(
    [
        {"": "v"},
        {"k" * 65: "v"},
        {"k1": False},
        {"k1": "v" * 8193},
        {"k1": "v", "": 1},
        {"k1": 1, "": "v"},
        {"k1": "v", "k" * 65: 1},
        ["k1"],
        {"ä" * 32: "é" * 4096},  # exactly 64 and 8192 UTF-8 bytes: valid
        {"ä" * 33: "v"},
        {"k1": "é" * 4097},
    ]
)
states = st.sampled_from([small_states] * 4 + [many_keys, bad_states]).flatmap(lambda s: s)
removals = st.one_of(
    st.none(),
    st.just([]),
    st.lists(st.sampled_from(["k1", "k2", "mood", "m0", "m5", "absent"]), max_size=3),
    st.sampled_from([[""], ["k" * 65], ["k1", 3], "k1"]),
)
seconds = st.sampled_from([0.001, 0.5, 1, 1.999, 2, 2.001, 3, 5, 15, 20, 60, 120, 315, 400])
# invalid arguments (with a valid one now and then) for the precedence checks
any_names = st.sampled_from([*NAMES, "", "_x", "a.b", "null", "n" * 65, 7])
any_types = st.sampled_from([*TYPES, "USER", "message", 3, None])
any_users = st.sampled_from(["u1", "", "null", "a/b", "u" * 65, "u" * 64, 5])
BAD_OPS = ["subscribe", "unsubscribe", "setState", "removeState", "getState", "whoNow", "whereNow"]


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Drive a client coroutine without an event loop: it never suspends (R-E9).

    Should one ever suspend, it is finished on a fresh event loop.
    """
    try:
        yielded = coro.send(None)
    except StopIteration as stop:
        return stop.value
    return asyncio.run(_finish(coro, yielded))


async def _finish(coro: Coroutine[Any, Any, Any], yielded: Any) -> Any:
    while True:
        if yielded is None:
            await asyncio.sleep(0)
        else:
            await yielded
        try:
            yielded = coro.send(None)
        except StopIteration as stop:
            return stop.value


def _first_difference(want: list[Any], got: list[Any]) -> str:
    pairs = [*zip(want, got, strict=False), (None, 0)]  # the sentinel: one list is longer
    at = next(i for i, (w, g) in enumerate(pairs) if w != g)
    return f"events differ from #{at}:\n  model    {want[at:]!r}\n  emulator {got[at:]!r}"


class PresenceMachine(RuleBasedStateMachine):
    """Makes the same calls on the emulator and the model; compares after each call."""

    emu: Emulator
    model: Model

    @initialize(
        page_size=st.sampled_from([2, 3]),
        debounce=st.sampled_from([2.0, 2.0, 0.0]),
        max_users=st.sampled_from([50_000, 50_000, 9]),
        logged_in=st.lists(st.sampled_from(KEYS[: len(USERS)]), max_size=6, unique=True),
    )
    def setup(self, page_size: int, debounce: float, max_users: int, logged_in: list[str]) -> None:
        config = EmulatorConfig(
            page_size=page_size,
            announce_max=8,
            interval=5,
            debounce=debounce,
            max_channel_users=max_users,
        )
        self.emu = Emulator(config, strict=True)
        self.model = Model(
            start_ms=START_MS,
            page_size=page_size,
            announce_max=8,
            interval_ms=5000,
            debounce_ms=round(debounce * 1000),
            max_users=max_users,
        )
        self.log: list[tuple[str, dict[str, Any]]] = []
        self.clients: dict[str, RTMClient] = {}
        self.bookmarks: dict[str, tuple[Any, ...]] = {}  # emulator bookmark -> model cursor
        for key in KEYS:
            app, uid, _ = key.split(":")
            timeout = PRESENCE_TIMEOUT.get(uid, 5)
            client = self.emu.client(uid, app_id=app, config=RTMConfig(presence_timeout=timeout))
            client.add_event_listener("presence", self._recorder(key))
            client.add_event_listener("linkState", self._recorder(key))
            self.clients[key] = client
            self.model.add_client(key, app, uid, (5 + 10 + timeout) * 1000)  # R-T2
        self.check()
        for key in logged_in:
            self._login(key)

    def _recorder(self, key: str) -> Callable[[Any], None]:
        def record(event: PresenceEvent | LinkStateEvent) -> None:
            body = event.to_dict()
            if isinstance(event, PresenceEvent):
                body["seq"] = event.seq
            self.log.append((key, body))

        return record

    def pick(self, actor: tuple[bool, int], want: Callable[[Client], bool] | None = None) -> str:
        """A client key; mostly one in the ``want``ed condition (default: logged in)."""
        prefer, index = actor
        want = want or (lambda c: c.logged_in)
        keys = [k for k in KEYS if want(self.model.clients[k])] if prefer else []
        keys = keys or KEYS
        return keys[index % len(keys)]

    def channel(self, key: str, chan: tuple[bool, int, str, str]) -> tuple[str, str]:
        """``(type, name)``; often one that matters to the client: one it is in, has
        cached state for or has just left (R-E6), or one with users in it."""
        prefer, index, ctype, name = chan
        c = self.model.clients[key]
        left = {(t, n) for a, t, n, u in self.model.pending if (a, u) == (c.app, c.uid)}
        populated = {(t, n) for t in TYPES for n in NAMES if self.model.members((c.app, t, n))}
        mine = sorted({*c.chans, *c.cache, *left, *populated})
        return mine[index % len(mine)] if prefer and mine else (ctype, name)

    # --------------------------------------------------------------------- comparing

    def call(self, emu_call: Callable[[], Any], model_call: Callable[[], Any]) -> Any:
        """The same call on both (running a coroutine); compare result, events, views."""
        try:
            response = emu_call()
            if inspect.iscoroutine(response):
                response = run(response)
            got: Any = ("ok", None if response is None else response.to_dict())
        except RtmError as err:
            got, response = ("err", err.operation, int(err.error_code)), None
        want = model_call()
        if got[0] == want[0] == "ok" and "nextPage" in (want[1] or {}):
            self._match_bookmark(got[1], want[1])
        assert want == got, f"model {want!r}\n  emulator {got!r}"
        self.check()
        return response

    def _match_bookmark(self, got: dict[str, Any], want: dict[str, Any]) -> None:
        """A bookmark is opaque: "" exactly when the model has no next page, and always
        the same cursor (R-Q2..R-Q4)."""
        bookmark, cursor = got["nextPage"], want["nextPage"]
        assert (bookmark == "") == (cursor == ""), (bookmark, cursor)
        if cursor:
            assert cursor == self.bookmarks.setdefault(bookmark, cursor), bookmark
            want["nextPage"] = bookmark

    def check(self) -> None:
        emu, model = self.emu, self.model
        assert model.journal == self.log, _first_difference(model.journal, self.log)
        model.journal.clear()
        self.log.clear()
        assert (model.now, model.seq) == (emu.now_ms, emu.last_seq)
        assert model.timer_dues() == [due for due, _ in emu.pending_timers()]
        for app, ids in ((APP, USERS), (APP2, USERS2)):
            for ctype in TYPES:
                for name in NAMES:
                    online = emu.online_users(name, ctype, app_id=app)
                    assert model.online_users((app, ctype, name)) == online
            for uid in ids:
                where = [(str(t), n) for t, n in emu.user_channels(uid, app_id=app)]
                assert model.user_channels(app, uid) == where
                for ctype in TYPES:
                    for name in NAMES:
                        state = emu.state_of(uid, name, ctype, app_id=app)
                        assert model.state_of(app, uid, ctype, name) == state
        for key, client in self.clients.items():
            c = model.clients[key]
            assert (c.logged_in, c.connected, c.link) == (
                client.logged_in,
                client.connected,
                str(client.link_state),
            ), key
        emu.check_invariants()

    # ------------------------------------------------------------------------- rules

    @rule(actor=actors)
    def login(self, actor: tuple[bool, int]) -> None:
        self._login(self.pick(actor, lambda c: not c.logged_in))

    def _login(self, key: str) -> None:
        self.call(lambda: self.clients[key].login(), lambda: self.model.login(key))

    @rule(actor=actors)
    def logout(self, actor: tuple[bool, int]) -> None:
        key = self.pick(actor)
        self.call(lambda: self.clients[key].logout(), lambda: self.model.logout(key))

    @rule(
        actor=actors,
        chan=channels,
        listen=st.sampled_from([True, True, False]),
        quiet=st.sampled_from([False, False, True]),
        sdk=st.booleans(),
    )
    def enter(
        self, actor: tuple[bool, int], chan: Any, listen: bool, quiet: bool, sdk: bool
    ) -> None:
        key = self.pick(actor)
        ctype, name = self.channel(key, chan)
        self._enter(key, ctype, name, listen, quiet, sdk)

    def _enter(
        self, key: str, ctype: str, name: Any, listen: bool, quiet: bool, sdk: bool = False
    ) -> None:
        client = self.clients[key]

        def call() -> Any:
            if sdk:  # the SDK's spelling: camelCase, options as a dict
                options = {"withPresence": listen, "beQuiet": quiet}
                if ctype == "MESSAGE":
                    return client.subscribe(name, options)
                return client.createStreamChannel(name).join(options)
            if ctype == "MESSAGE":
                return client.subscribe(name, with_presence=listen, be_quiet=quiet)
            return client.create_stream_channel(name).join(with_presence=listen, be_quiet=quiet)

        self.call(call, lambda: self.model.enter(key, ctype, name, listen, quiet))

    @rule(actor=actors, chan=channels)
    def exit(self, actor: tuple[bool, int], chan: Any) -> None:
        key = self.pick(actor)
        ctype, name = self.channel(key, chan)
        self._exit(key, ctype, name)

    def _exit(self, key: str, ctype: str, name: Any) -> None:
        client = self.clients[key]

        def call() -> Any:
            if ctype == "MESSAGE":
                return client.unsubscribe(name)
            return client.create_stream_channel(name).leave()

        self.call(call, lambda: self.model.exit(key, ctype, name))

    @rule(
        who=st.lists(st.sampled_from(USERS), min_size=4, max_size=10, unique=True),
        deaf=st.sets(st.sampled_from(USERS)),
        ctype=st.sampled_from(TYPES),
        name=st.sampled_from(NAMES),
    )
    def crowd(self, who: list[str], deaf: set[str], ctype: str, name: str) -> None:
        """Many visible users enter one channel: crosses announce_max (R-E5)."""
        for uid in who:
            session = self.model.session(APP, uid)
            key = session.key if session else f"{APP}:{uid}:0"
            self._login(key)
            self._enter(key, ctype, name, uid not in deaf, False)

    @rule(actor=actors, chan=channels, state=states)
    def set_state(self, actor: tuple[bool, int], chan: Any, state: Any) -> None:
        key = self.pick(actor)
        ctype, name = self.channel(key, chan)
        self._set_state(key, name, ctype, state)

    def _set_state(self, key: str, name: Any, ctype: Any, state: Any) -> None:
        p = self.clients[key].presence
        self.call(
            lambda: p.set_state(name, ctype, state),
            lambda: self.model.set_state(key, name, ctype, state),
        )

    @rule(actor=actors, sizes=st.lists(st.integers(10, 32), min_size=6, max_size=6))
    def hoard(self, actor: tuple[bool, int], sizes: list[int]) -> None:
        """Big states in every channel; those the user is not in fill the cache (R-S4)."""
        key = self.pick(actor)
        for (ctype, name), size in zip([(t, n) for t in TYPES for n in NAMES], sizes, strict=True):
            self._set_state(key, name, ctype, {f"h{i}": name for i in range(size)})

    @rule(actor=actors, chan=channels, keys=removals)
    def remove_state(self, actor: tuple[bool, int], chan: Any, keys: Any) -> None:
        key = self.pick(actor)
        ctype, name = self.channel(key, chan)
        self._remove_state(key, name, ctype, keys)

    def _remove_state(self, key: str, name: Any, ctype: Any, keys: Any) -> None:
        p = self.clients[key].presence
        self.call(
            lambda: p.remove_state(name, ctype, states=keys),
            lambda: self.model.remove_state(key, name, ctype, keys),
        )

    @rule(
        actor=actors,
        chan=channels,
        with_ids=st.sampled_from([True, True, False]),
        with_state=st.booleans(),
        alias=st.sampled_from(["get_online_users", "who_now", "whoNow", "getOnlineUsers"]),
    )
    def who_now_walk(
        self, actor: tuple[bool, int], chan: Any, with_ids: bool, with_state: bool, alias: str
    ) -> None:
        """Walk every page (R-Q1..R-Q4), feeding the emulator's bookmarks back."""
        key = self.pick(actor)
        ctype, name = self.channel(key, chan)
        bookmark: str | None = None
        for _ in range(20):
            response = self._who_now(key, name, ctype, with_ids, with_state, alias, bookmark)
            if response is None or not response.next_page:
                return
            bookmark = response.next_page
        raise AssertionError("the page walk does not end")

    def _who_now(
        self,
        key: str,
        name: Any,
        ctype: Any,
        with_ids: bool,
        with_state: bool,
        alias: str,
        bookmark: str | None,
    ) -> Any:
        method = getattr(self.clients[key].presence, alias)
        op = "whoNow" if alias.lower().startswith("who") else "getOnlineUsers"
        cursor = self.bookmarks.get(bookmark, "BAD") if bookmark else bookmark

        def call() -> Any:
            if alias != alias.lower():  # the SDK's spelling: options as a dict
                options = {"includedUserId": with_ids, "includedState": with_state}
                return method(name, ctype, {**options, "page": bookmark})
            return method(
                name, ctype, include_user_id=with_ids, include_state=with_state, page=bookmark
            )

        return self.call(
            call,
            lambda: self.model.get_online_users(key, op, name, ctype, with_ids, with_state, cursor),
        )

    @precondition(lambda self: self.bookmarks)
    @rule(
        actor=actors,
        index=st.integers(0, 255),
        same=st.sampled_from([True, True, False]),
        chan=channels,
        with_ids=st.sampled_from([True, True, False]),
        with_state=st.booleans(),
        tamper=st.sampled_from([None, None, None, "x", "A", ""]),
    )
    def who_now_old_bookmark(
        self,
        actor: tuple[bool, int],
        index: int,
        same: bool,
        chan: Any,
        with_ids: bool,
        with_state: bool,
        tamper: str | None,
    ) -> None:
        """An earlier bookmark, later (R-Q3: a stable cursor; another query's: -13003)."""
        key = self.pick(actor)
        bookmark = sorted(self.bookmarks)[index % len(self.bookmarks)]
        _, ctype, name = chan[1:]
        if same:
            _, ctype, name, with_state, _ = self.bookmarks[bookmark]
            with_ids = True
        if tamper == "":  # [D] the first page
            bookmark = ""
        elif tamper is not None:  # "not issued by the emulator"
            bookmark = bookmark[:-1] + (tamper if bookmark[-1] != tamper else "B")
        self._who_now(key, name, ctype, with_ids, with_state, "get_online_users", bookmark)

    @rule(
        actor=actors,
        uid=users,
        alias=st.sampled_from(["get_user_channels", "where_now", "whereNow", "getUserChannels"]),
    )
    def get_user_channels(self, actor: tuple[bool, int], uid: str, alias: str) -> None:
        key = self.pick(actor)
        method = getattr(self.clients[key].presence, alias)
        op = "whereNow" if alias.lower().startswith("where") else "getUserChannels"
        self.call(lambda: method(uid), lambda: self.model.get_user_channels(key, op, uid))

    @rule(actor=actors, uid=users, chan=channels)
    def get_state(self, actor: tuple[bool, int], uid: str, chan: Any) -> None:
        key = self.pick(actor)
        ctype, name = self.channel(key, chan)
        self._get_state(key, uid, name, ctype)

    def _get_state(self, key: str, uid: Any, name: Any, ctype: Any) -> None:
        p = self.clients[key].presence
        self.call(
            lambda: p.get_state(uid, name, ctype),
            lambda: self.model.get_state(key, uid, name, ctype),
        )

    @rule(
        actor=actors,
        op=st.sampled_from(BAD_OPS),
        name=any_names,
        ctype=any_types,
        uid=any_users,
        state=st.one_of(bad_states, small_states),
    )
    def bad_arguments(
        self, actor: tuple[bool, int], op: str, name: Any, ctype: Any, uid: Any, state: Any
    ) -> None:
        """Invalid arguments, often several at once: the first in signature order wins."""
        key = self.pick(actor)
        ctype_ok = ctype if ctype in TYPES else "STREAM"
        if op == "subscribe":
            self._enter(key, ctype_ok, name, True, False)
        elif op == "unsubscribe":
            self._exit(key, ctype_ok, name)
        elif op == "setState":
            self._set_state(key, name, ctype, state)
        elif op == "removeState":
            self._remove_state(key, name, ctype, list(state))
        elif op == "getState":
            self._get_state(key, uid, name, ctype)
        elif op == "whereNow":
            where = self.clients[key].presence.where_now
            self.call(lambda: where(uid), lambda: self.model.get_user_channels(key, op, uid))
        else:
            self._who_now(key, name, ctype, True, False, "whoNow", None)

    @rule(actor=actors)
    def disconnect(self, actor: tuple[bool, int]) -> None:
        client = self.clients[self.pick(actor, lambda c: c.logged_in and c.connected)]
        app, uid = client.app_id, client.user_id
        self.call(
            lambda: self.emu.disconnect(uid, app_id=app), lambda: self.model.disconnect(app, uid)
        )

    @rule(actor=actors)
    def reconnect(self, actor: tuple[bool, int]) -> None:
        client = self.clients[self.pick(actor, lambda c: c.logged_in and not c.connected)]
        app, uid = client.app_id, client.user_id
        self.call(
            lambda: self.emu.reconnect(uid, app_id=app), lambda: self.model.reconnect(app, uid)
        )

    @rule(app=st.sampled_from([APP, APP, APP2]), chan=channels, available=st.booleans())
    def set_presence_available(self, app: str, chan: Any, available: bool) -> None:
        _, _, ctype, name = chan
        self.call(
            lambda: self.emu.set_presence_available(name, ctype, available, app_id=app),
            lambda: self.model.set_presence_available(app, ctype, name, available),
        )

    @rule(s=seconds)
    def advance(self, s: float) -> None:
        self.call(lambda: self.emu.advance(s), lambda: self.model.advance(round(s * 1000)))

    @precondition(lambda self: self.model.timers)
    @rule(offset=st.sampled_from([0, -1, 1]), nth=st.sampled_from([0, 0, 1, 2]))
    def advance_to_timer(self, offset: int, nth: int) -> None:
        """To a pending timer, or 1 ms either side: the debounce, timeout, boundary edges."""
        dues = self.model.timer_dues()
        ms = max(0, dues[min(nth, len(dues) - 1)] - self.model.now + offset)
        self.call(lambda: self.emu.advance(ms / 1000), lambda: self.model.advance(ms))


TestPresenceMachine = PresenceMachine.TestCase
TestPresenceMachine.settings = settings.get_profile(PROFILE)
