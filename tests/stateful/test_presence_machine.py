"""Model-based test: the emulator's public async client against the reference model.

A Hypothesis ``RuleBasedStateMachine`` drives ``rtm_emulator`` (its public API only) and
``tests/stateful/model.py`` with the same calls and, after every call, compares: the
response's ``to_dict()``, or the error's ``code``, ``operation``, ``reason``, ``name``
(and whether it has a ``serverCode``), or the plain exception's kind (R-X3); every
event every client received since the last call, in delivery order (SDK JSON, plus
``seq`` for presence events, R-E7); the clock, the last ``seq`` and the instants timers
are due at; each client's link state (R-T4); the outcome of every ``login`` still
waiting for its link (R-L3); and ``emu.online_users`` / ``user_channels`` /
``state_of`` over the whole universe.  The emulator is strict, so
``emu.check_invariants()`` runs after every operation too.

Paths left out while a divergence stays open (each shown by a test of
``test_model_regressions.py``): entering a channel again with other options while the
link is down (``TestRL1RT3OptionsChangedWhileDown``); ``whoNow`` on a STREAM channel by a
listener in the registry fallback (``TestRE8StreamChannelKeepsItsLocalAnswer``); a quiet
member in a channel during an outage (``TestRE4QuietUserInTheRegistryFallback``); the
re-login of a kicked client that has queued subscribes (``TestRT3QueuedSubscribeSurvivesAKick``).

Hypothesis profiles, chosen with the environment variable ``RTM_HYPOTHESIS_PROFILE``:

- ``ci`` (default): 200 runs of up to 50 steps, derandomized (the same runs every time)
  and without the example database;
- ``slow``: 2,000 random runs of up to 200 steps::

      RTM_HYPOTHESIS_PROFILE=slow python -m pytest tests/stateful -q
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Coroutine
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from rtm_emulator import (
    DEFAULT_APP_ID,
    Emulator,
    EmulatorConfig,
    LinkStateEvent,
    PresenceEvent,
    RTMClient,
    RTMConfig,
    RtmError,
)

from .model import Client, Model, btoa, entry_options

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
settings.register_profile(  # while working on the model: the first failure, unshrunk
    "dev",
    max_examples=200,
    stateful_step_count=50,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = os.environ.get("RTM_HYPOTHESIS_PROFILE", "ci")

START_MS = 1_735_689_600_000
APP, APP2 = DEFAULT_APP_ID, "SecondApp0123456789abcdefghijklm"
USERS = ["0", "A", "B", "Z9", "a", "b", "u1", "u10", "u2", "~x"]  # code-point order matters
USERS2 = ["A", "a", "u1"]  # the same ids in a second app: the apps never see each other
NAMES = ["Room", "lobby", "x y"]
TYPES = ["MESSAGE", "STREAM"]
PRESENCE_TIMEOUT = {uid: (5 if i % 2 == 0 else 300) for i, uid in enumerate(USERS)}
KEYS = [f"{APP}:{u}:{slot}" for slot in (0, 1) for u in USERS]
KEYS += [f"{APP2}:{u}:{slot}" for slot in (0, 1) for u in USERS2]  # slot 1: kicks (R-T4)
ANNOUNCE_MAX, INTERVAL_S = 8, 10

#: (prefer a client in the wanted condition?, index): see PresenceMachine.pick
actors = st.tuples(st.sampled_from([True] * 7 + [False]), st.integers(0, 255))
#: (prefer a channel that matters to the client?, index, type, name)
channels = st.tuples(
    st.booleans(), st.integers(0, 255), st.sampled_from(TYPES), st.sampled_from(NAMES)
)
users = st.sampled_from([*USERS, "", "nobody"])
values = st.sampled_from(["", "v", "w", 0, 1, 1.5, True, False, None, [], [1, "a"], {"x": 1}])
small_states = st.dictionaries(st.sampled_from(["k1", "k2", "k3", "mood", "7", "10"]), values)
many_keys = st.integers(1, 40).map(lambda n: {f"m{i}": "x" for i in range(n)})
odd_states = st.sampled_from(
    [
        {},
        None,  # TypeError (R-X3)
        "ab",  # {"0": "a", "1": "b"}
        ["x", False],  # {"0": "x", "1": False}
        [],
        5,
        {"": "v"},
        {"k" * 33: "v"},
        {"k" * 32: "v" * 16384},  # exactly 32 and 16384 bytes: valid
        {"ä" * 16: "é" * 8192},  # 32 and 16384 UTF-8 bytes: valid
        {"ä" * 17: "v"},
        {"k1": "v" * 16385},
        {"k1": "é" * 8193},
        {"k1": "v", "_x": 1},
        {"k1": 1, "a.b": "v"},
        {"_x": "v" * 20000},  # -13006: the key before the value
        {"a": "v" * 20000, "_x": "v"},  # -13009: keys in order
        {"b": 1, "3": 2, "1": "x"},  # JS key order: "1", "3", "b"
        {f"n{i}": 1 for i in range(33)},
        {**{f"n{i}": 1 for i in range(32)}, "_bad": 1},  # -13005 before the keys
    ]
)
states = st.sampled_from([small_states] * 4 + [many_keys, odd_states]).flatmap(lambda s: s)
removals = st.one_of(
    st.none(),
    st.just([]),
    st.lists(st.sampled_from(["k1", "k2", "mood", "m0", "m5", "7", "absent"]), max_size=3),
    st.sampled_from([[""], ["k" * 33], ["k1", 3], ["k1", "k1"], "k1", "kk", {"k1": 1}, 7]),
    st.just([f"r{i}" for i in range(33)]),
)
entries = st.sampled_from(
    [
        (True, False, "keywords"),
        (True, False, "keywords"),
        (False, False, "keywords"),
        (True, True, "keywords"),
        (True, False, "dict"),
        (False, True, "dict"),
        (None, None, {}),
        (None, None, {"withPresence": 0}),
        (None, None, {"beQuiet": 1, "withPresence": "yes"}),
        (None, None, "not a dict"),
    ]
)
seconds = st.sampled_from([0.001, 0.5, 1, 1.999, 2, 2.001, 3, 5, 5.001, 10, 20, 60, 120, 316])
# invalid arguments (with a valid one now and then) for the R-X1 order
any_names = st.sampled_from([*NAMES, "", "_x", "a.b", "null", "n" * 65, "n" * 64, 7])
any_types = st.sampled_from([*TYPES, "USER", "message", 3, None])
any_users = st.sampled_from(["u1", "", "null", "a/b", "u" * 65, "u" * 64, 5, "a.b"])
pages = st.sampled_from(["", btoa("A"), btoa("a"), btoa("u1"), btoa("zzz"), "bad page!", "YQ"])
BAD_OPS = ["subscribe", "unsubscribe", "join", "setState", "removeState", "getState"]
BAD_OPS += ["whoNow", "whereNow"]


def canon(value: Any) -> str:
    """Exact JSON (``True`` is not ``1``); key order does not matter."""
    return json.dumps(value, sort_keys=True)


def _first_difference(want: list[Any], got: list[Any]) -> str:
    pairs = [*zip(want, got, strict=False), (None, 0)]  # the sentinel: one list is longer
    at = next(i for i, (w, g) in enumerate(pairs) if canon(w) != canon(g))
    return f"events differ from #{at}:\n  model    {want[at:]!r}\n  emulator {got[at:]!r}"


class PresenceMachine(RuleBasedStateMachine):
    """Makes the same calls on the emulator and the model; compares after each call."""

    emu: Emulator
    model: Model

    @initialize(
        debounce=st.sampled_from([2.0, 2.0, 0.0]),
        max_users=st.sampled_from([50_000, 50_000, 9]),
        logged_in=st.lists(st.sampled_from(KEYS[: len(USERS)]), max_size=6, unique=True),
    )
    def setup(self, debounce: float, max_users: int, logged_in: list[str]) -> None:
        config = EmulatorConfig(
            announce_max=ANNOUNCE_MAX,
            interval=INTERVAL_S,
            debounce=debounce,
            max_channel_users=max_users,
        )
        self.emu = Emulator(config, strict=True)
        self.model = Model(
            start_ms=START_MS,
            announce_max=ANNOUNCE_MAX,
            interval_ms=INTERVAL_S * 1000,
            debounce_ms=round(debounce * 1000),
            max_users=max_users,
        )
        self.loop = asyncio.new_event_loop()
        self.log: list[tuple[str, dict[str, Any]]] = []
        self.clients: dict[str, RTMClient] = {}
        self.waiting: dict[str, list[asyncio.Task[Any]]] = {}  # logins waiting (R-L3)
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

    def teardown(self) -> None:
        loop = getattr(self, "loop", None)
        if loop is not None:
            tasks = [task for waiting in self.waiting.values() for task in waiting]
            for task in tasks:
                task.cancel()

            async def drain() -> None:
                await asyncio.gather(*tasks, return_exceptions=True)

            loop.run_until_complete(drain())
            loop.close()

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
        want = want or (lambda c: c.link != "IDLE")
        keys = [k for k in KEYS if want(self.model.clients[k])] if prefer else []
        keys = keys or KEYS
        return keys[index % len(keys)]

    def channel(self, key: str, chan: tuple[bool, int, str, str]) -> tuple[str, str]:
        """``(type, name)``; often one that matters to the client: one it is in or has
        queued, has cached state for, or one with users (or a lingering document) in it."""
        prefer, index, ctype, name = chan
        c = self.model.clients[key]
        populated = [(t, n) for a, t, n in self.model.rooms if a == c.app]
        queued = [("MESSAGE", n) for n in c.queued]
        mine = sorted({*c.entered, *c.cache, *queued, *populated})
        return mine[index % len(mine)] if prefer and mine else (ctype, name)

    # --------------------------------------------------------------------- comparing

    def _outcome(self, task: asyncio.Task[Any]) -> Any:
        error = task.exception()
        if isinstance(error, RtmError):
            body = error.to_dict()
            return ("err", error.operation, int(error.code), error.reason, error.name,
                    "serverCode" in body)  # fmt: skip
        if isinstance(error, TypeError):
            return ("exc", "TypeError")
        if isinstance(error, ValueError):
            return ("exc", "ValueError")
        if error is not None:
            raise error
        response = task.result()
        return ("ok", None if response is None else response.to_dict())

    def _settle(self) -> None:
        self.loop.run_until_complete(asyncio.sleep(0))

    def call(
        self,
        emu_call: Callable[[], Any],
        model_call: Callable[[], Any],
        key: str = "",
        world: bool = True,
    ) -> Any:
        """The same call on both; compare the outcome, the events and (``world``)
        everything else."""

        async def run() -> Any:
            result = emu_call()
            if isinstance(result, Coroutine):
                result = await result
            return result

        task = self.loop.create_task(run())
        self._settle()
        want = model_call()
        if want == ("pending",):
            assert not task.done(), f"model: the login waits; emulator: {self._outcome(task)}"
            self.waiting.setdefault(key, []).append(task)
            self.check(world)
            return None
        assert task.done(), f"model {want!r}; the emulator's call is still waiting"
        got = self._outcome(task)
        assert canon(want) == canon(got), f"model {want!r}\n  emulator {got!r}"
        self.check(world)
        return task.result() if got[0] == "ok" else None

    def check(self, world: bool = True) -> None:
        emu, model = self.emu, self.model
        self._settle()
        for key, tasks in list(self.waiting.items()):
            want = model.logins.pop(key, None)
            for task in tasks:
                if want is None:
                    assert not task.done(), (key, self._outcome(task))
                else:
                    assert task.done(), (key, want)
                    assert canon(want) == canon(self._outcome(task)), key
            if want is not None:
                del self.waiting[key]
        assert not model.logins, model.logins
        assert [canon(e) for e in model.journal] == [canon(e) for e in self.log], _first_difference(
            model.journal, self.log
        )
        model.journal.clear()
        self.log.clear()
        assert (model.now, model.seq) == (emu.now_ms, emu.last_seq)
        if not world:
            return
        assert model.timer_dues() == sorted({due for due, _ in emu.pending_timers()})
        for app, ids in ((APP, USERS), (APP2, USERS2)):
            for ctype in TYPES:
                for name in NAMES:
                    online = emu.online_users(name, ctype, app_id=app)
                    assert model.online_users((app, ctype, name)) == online, (ctype, name)
            for uid in ids:
                where = [(str(t), n) for t, n in emu.user_channels(uid, app_id=app)]
                assert model.user_channels(app, uid) == where, uid
                for ctype in TYPES:
                    for name in NAMES:
                        state = emu.state_of(uid, name, ctype, app_id=app)
                        want = model.state_of(app, uid, ctype, name)
                        assert want == state and (not want or canon(want) == canon(state))
        for key, client in self.clients.items():
            assert model.clients[key].link == str(client.link_state), key
        emu.check_invariants()

    # ------------------------------------------------------------------------- rules

    @rule(actor=actors)
    def login(self, actor: tuple[bool, int]) -> None:
        self._login(self.pick(actor, lambda c: c.link != "CONNECTED"))

    def _login(self, key: str) -> None:
        c = self.model.clients[key]
        if c.link == "FAILED" and c.queued:
            return  # test_model_regressions.TestRT3QueuedSubscribeSurvivesAKick
        self.call(lambda: self.clients[key].login(), lambda: self.model.login(key), key)

    @rule(actor=actors)
    def logout(self, actor: tuple[bool, int]) -> None:
        key = self.pick(actor)
        self.call(lambda: self.clients[key].logout(), lambda: self.model.logout(key))

    @rule(actor=actors, chan=channels, options=entries)
    def enter(self, actor: tuple[bool, int], chan: Any, options: Any) -> None:
        key = self.pick(actor)
        ctype, name = self.channel(key, chan)
        self._enter(key, ctype, name, options)

    def _enter(self, key: str, ctype: str, name: Any, options: Any) -> None:
        """``subscribe`` or ``createStreamChannel(name).join``, keywords or the SDK dict."""
        client = self.clients[key]
        listen, quiet, form = options
        if form == "keywords":
            kwargs = {"with_presence": listen, "be_quiet": quiet}
            sdk: Any = {"withPresence": listen, "beQuiet": quiet}
            args: tuple[Any, ...] = ()
        else:
            sdk = {"withPresence": listen, "beQuiet": quiet} if form == "dict" else form
            kwargs, args = {}, (sdk,)
        c = self.model.clients[key]
        before = c.entered.get((ctype, name))
        down = c.link in ("CONNECTING", "DISCONNECTED", "SUSPENDED")
        if down and before is not None and before != entry_options(sdk):
            return  # test_model_regressions.TestRL1RT3OptionsChangedWhileDown
        if entry_options(sdk)[1] and (c.app, ctype, name) in self.model.down:
            return  # no quiet member during an outage: TestRE4QuietUserInTheRegistryFallback
        if ctype == "MESSAGE":
            self.call(
                lambda: client.subscribe(name, *args, **kwargs),
                lambda: self.model.subscribe(key, name, sdk),
            )
            return
        handle = self.call(
            lambda: _Handle(client.createStreamChannel(name)),
            lambda: self.model.create_stream(key, name),
        )
        if handle is not None:
            stream = handle.stream
            self.call(lambda: stream.join(*args, **kwargs), lambda: self.model.join(key, name, sdk))

    @rule(actor=actors, chan=channels)
    def exit(self, actor: tuple[bool, int], chan: Any) -> None:
        key = self.pick(actor)
        ctype, name = self.channel(key, chan)
        self._exit(key, ctype, name)

    def _exit(self, key: str, ctype: str, name: Any) -> None:
        client = self.clients[key]
        if ctype == "MESSAGE":
            self.call(lambda: client.unsubscribe(name), lambda: self.model.unsubscribe(key, name))
            return
        handle = self.call(
            lambda: _Handle(client.create_stream_channel(name)),
            lambda: self.model.create_stream(key, name),
        )
        if handle is not None:
            stream = handle.stream
            self.call(lambda: stream.leave(), lambda: self.model.leave(key, name))

    @rule(
        who=st.lists(st.sampled_from(USERS), min_size=4, max_size=10, unique=True),
        deaf=st.sets(st.sampled_from(USERS)),
        ctype=st.sampled_from(TYPES),
        name=st.sampled_from(NAMES),
    )
    def crowd(self, who: list[str], deaf: set[str], ctype: str, name: str) -> None:
        """Many visible users enter one channel: crosses announce_max (R-E5)."""
        for uid in who:
            session = self.model.holder(APP, uid)
            key = session.key if session else f"{APP}:{uid}:0"
            if self.model.clients[key].link != "CONNECTED":
                self._login(key)
            if self.model.clients[key].link == "CONNECTED":
                self._enter(key, ctype, name, (uid not in deaf, False, "keywords"))

    @rule(actor=actors, chan=channels, state=states)
    def set_state(self, actor: tuple[bool, int], chan: Any, state: Any) -> None:
        key = self.pick(actor)
        ctype, name = self.channel(key, chan)
        self._set_state(key, name, ctype, state)

    def _set_state(
        self, key: str, name: Any, ctype: Any, state: Any, sdk: bool = False, world: bool = True
    ) -> None:
        p = self.clients[key].presence
        method = p.setState if sdk else p.set_state
        self.call(
            lambda: method(name, ctype, state),
            lambda: self.model.set_state(key, name, ctype, state),
            world=world,
        )

    @rule(actor=actors, count=st.integers(95, 103))
    def hoard(self, actor: tuple[bool, int], count: int) -> None:
        """State in many channels the user is not in: the cache's 100/101 edge (R-S4)."""
        key = self.pick(actor)
        for i in range(count):
            self._set_state(key, f"c{i:03d}", TYPES[i % 2], {"k": "v"}, i % 3 == 0, world=False)
        self._set_state(key, "c000", "STREAM", {"k": "w"})
        self._set_state(key, NAMES[count % 3], "MESSAGE", {"k": "w"})
        self._remove_state(key, "zz", "MESSAGE", ["k"])

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
        with_ids=st.sampled_from([True, True, False, 0, None]),
        with_state=st.sampled_from([False, True, True, 1, None]),
        alias=st.sampled_from(["get_online_users", "who_now", "whoNow", "getOnlineUsers"]),
    )
    def who_now_walk(
        self, actor: tuple[bool, int], chan: Any, with_ids: Any, with_state: Any, alias: str
    ) -> None:
        """Walk every page, feeding ``nextPage`` back (R-Q1..R-Q4)."""
        key = self.pick(actor)
        ctype, name = self.channel(key, chan)
        page = ""
        for _ in range(5):
            response = self._who_now(key, name, ctype, with_ids, with_state, alias, page)
            if response is None or not response.next_page:
                return
            page = response.next_page
        raise AssertionError("the page walk does not end")

    @rule(actor=actors, chan=channels, page=pages, with_state=st.booleans())
    def who_now_page(self, actor: tuple[bool, int], chan: Any, page: str, with_state: bool) -> None:
        """Any base64 bookmark is a start point, whatever channel; not base64: R-X3."""
        key = self.pick(actor)
        ctype, name = self.channel(key, chan)
        self._who_now(key, name, ctype, True, with_state, "get_online_users", page)

    def _who_now(
        self,
        key: str,
        name: Any,
        ctype: Any,
        with_ids: Any,
        with_state: Any,
        alias: str,
        page: str,
    ) -> Any:
        method = getattr(self.clients[key].presence, alias)
        op = "whoNow" if alias.lower().startswith("who") else "getOnlineUsers"
        c = self.model.clients[key]
        room = self.model.rooms.get((c.app, ctype, name)) if ctype == "STREAM" else None
        if room and room["views"].get(key, {}).get("mode") == "fallback":
            return None  # test_model_regressions.TestRE8StreamChannelKeepsItsLocalAnswer
        options: dict[str, Any] = {"page": page or None}
        if with_ids is not None:
            options["includedUserId"] = with_ids
        if with_state is not None:
            options["includedState"] = with_state
        keywords = alias == alias.lower() and all(type(v) is not int for v in options.values())

        def call() -> Any:
            if keywords:  # the Python spelling: keywords
                return method(
                    name,
                    ctype,
                    include_user_id=options.get("includedUserId"),
                    include_state=options.get("includedState"),
                    page=options["page"],
                )
            return method(name, ctype, options)

        return self.call(call, lambda: self.model.who_now(key, op, name, ctype, options))

    @rule(
        actor=actors,
        uid=users,
        alias=st.sampled_from(["get_user_channels", "where_now", "whereNow", "getUserChannels"]),
    )
    def where_now(self, actor: tuple[bool, int], uid: str, alias: str) -> None:
        key = self.pick(actor)
        method = getattr(self.clients[key].presence, alias)
        op = "whereNow" if alias.lower().startswith("where") else "getUserChannels"
        self.call(lambda: method(uid), lambda: self.model.where_now(key, op, uid))

    @rule(actor=actors, uid=users, chan=channels, own=st.booleans())
    def get_state(self, actor: tuple[bool, int], uid: str, chan: Any, own: bool) -> None:
        key = self.pick(actor)
        ctype, name = self.channel(key, chan)
        self._get_state(key, self.model.clients[key].uid if own else uid, name, ctype)

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
        state=st.one_of(odd_states, small_states),
    )
    def bad_arguments(
        self, actor: tuple[bool, int], op: str, name: Any, ctype: Any, uid: Any, state: Any
    ) -> None:
        """Invalid arguments, often several at once: the first in R-X1 order wins."""
        key = self.pick(actor)
        if op == "subscribe":
            self._enter(key, "MESSAGE", name, (True, False, "keywords"))
        elif op == "unsubscribe":
            self._exit(key, "MESSAGE", name)
        elif op == "join":
            self._enter(key, "STREAM", name, (True, False, "keywords"))
        elif op == "setState":
            self._set_state(key, name, ctype, state)
        elif op == "removeState":
            self._remove_state(key, name, ctype, list(state) if isinstance(state, dict) else state)
        elif op == "getState":
            self._get_state(key, uid, name, ctype)
        elif op == "whereNow":
            where = self.clients[key].presence.where_now
            self.call(lambda: where(uid), lambda: self.model.where_now(key, op, uid))
        else:
            self._who_now(key, name, ctype, True, False, "whoNow", "")

    @rule(actor=actors)
    def disconnect(self, actor: tuple[bool, int]) -> None:
        """R-T2: only a connected client (its network switch, R-T4)."""
        key = self.pick(actor, lambda c: c.link == "CONNECTED" and c.network)
        c = self.model.clients[key]
        if c.link == "CONNECTED" and c.network and self.model.find(c.app, c.uid) is c:
            self.call(
                lambda: self.emu.disconnect(c.uid, app_id=c.app),
                lambda: self.model.disconnect(c.app, c.uid),
            )

    @rule(actor=actors)
    def reconnect(self, actor: tuple[bool, int]) -> None:
        key = self.pick(actor, lambda c: not c.network)
        c = self.model.clients[key]
        if self.model.find(c.app, c.uid) is c:
            self.call(
                lambda: self.emu.reconnect(c.uid, app_id=c.app),
                lambda: self.model.reconnect(c.app, c.uid),
            )

    @rule(
        actor=actors,
        chan=channels,
        down=st.sampled_from([1, 3, 10, 20, 25, 130, 316]),
        back=st.sampled_from([2, 5, 8, 35]),
    )
    def bounce(self, actor: tuple[bool, int], chan: Any, down: float, back: float) -> None:
        """A network loss, a call while down, the network back, time for a retry
        (R-T2, R-T3, R-T4): before or after the server's timeout."""
        key = self.pick(actor, lambda c: c.link == "CONNECTED" and c.network)
        c = self.model.clients[key]
        if not (c.link == "CONNECTED" and c.network and self.model.find(c.app, c.uid) is c):
            return
        self.disconnect((True, KEYS.index(key)))
        self.advance(down)
        ctype, name = self.channel(key, chan)
        if down < 10:
            self._set_state(key, name, ctype, {"mood": f"down{down}"})
        else:
            self._enter(key, "MESSAGE", name, (True, False, "keywords"))
        self.reconnect((True, KEYS.index(key)))
        self.advance(back)

    @rule(
        chan=channels,
        order=st.permutations(range(len(USERS))),
        value=st.sampled_from(["a", "b", 1, "", False]),
    )
    def chatter(self, chan: Any, order: list[int], value: Any) -> None:
        """Members of a populated channel change state, some twice (R-S5, R-E5)."""
        rooms = sorted(ch for ch in self.model.rooms if ch[0] == APP)
        if not rooms:
            return
        _, ctype, name = rooms[chan[1] % len(rooms)]
        for i in order[:5] + order[:2]:
            session = self.model.holder(APP, USERS[i])
            if session is not None and (ctype, name) in session.entered:
                self._set_state(session.key, name, ctype, {"mood": value, "seat": USERS[i]})

    @rule(
        app=st.sampled_from([APP, APP, APP2]),
        chan=channels,
        available=st.booleans(),
        wait=st.sampled_from([0, 0, 59.999, 60, 61]),
    )
    def set_presence_available(self, app: str, chan: Any, available: bool, wait: float) -> None:
        """R-E8: an outage on a channel (mostly one with users), then maybe the 60 s."""
        prefer, index, ctype, name = chan
        rooms = sorted(ch for ch in self.model.rooms if ch[0] == app)
        if prefer and rooms:
            _, ctype, name = rooms[index % len(rooms)]
        room = self.model.rooms.get((app, ctype, name))
        if room and not available and any(m["quiet"] for m in room["members"].values()):
            return  # no quiet member during an outage: TestRE4QuietUserInTheRegistryFallback
        self.call(
            lambda: self.emu.set_presence_available(name, ctype, available, app_id=app),
            lambda: self.model.set_presence_available(app, ctype, name, available),
        )
        if wait:
            self.advance(wait)

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


class _Handle:
    """A stream channel handle as a response (``createStreamChannel`` is synchronous)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def to_dict(self) -> str:
        return str(self.stream.channel_name)


TestPresenceMachine = PresenceMachine.TestCase
TestPresenceMachine.settings = settings.get_profile(PROFILE)
