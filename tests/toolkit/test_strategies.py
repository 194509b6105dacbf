"""``rtm_emulator.strategies``: the valid strategies always pass the emulator's checks,
the invalid ones are always rejected with their code, and generated scripts always run.

Deterministic (``derandomize=True``, no example database) and small example counts.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from rtm_emulator import ChannelType, Emulator, EmulatorConfig, ErrorCode, PresenceEvent, RtmError
from rtm_emulator._scripting import drive
from rtm_emulator.strategies import (
    MAX_STATE_KEYS,
    channel_names,
    channel_types,
    invalid_channel_names,
    invalid_channel_types,
    invalid_states,
    invalid_user_ids,
    presence_scripts,
    run_script,
    state_keys,
    state_values,
    states,
    user_ids,
)

FAST = settings(
    max_examples=20,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SCRIPTS = settings(FAST, max_examples=40)
FIND = settings(derandomize=True, database=None, max_examples=300)

ACTIONS = {
    "login": 2,
    "logout": 2,
    "subscribe": 5,
    "unsubscribe": 3,
    "join_stream": 5,
    "leave_stream": 3,
    "set_state": 5,
    "remove_state": 5,
    "disconnect": 2,
    "reconnect": 2,
    "set_presence_available": 4,
    "advance": 2,
}


def code_of(call: Any) -> int:
    with pytest.raises(RtmError) as err:
        call()
    return err.value.error_code


# ------------------------------------------------------------------ optional dependency


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_importing_the_package_does_not_import_hypothesis() -> None:
    done = _python(
        """
        import sys
        import rtm_emulator, rtm_emulator.testing
        assert "hypothesis" not in sys.modules, "hypothesis imported"
        """
    )
    assert 0 == done.returncode, done.stderr


def test_strategies_without_hypothesis_raise_a_helpful_import_error() -> None:
    done = _python(
        """
        import sys
        sys.modules["hypothesis"] = None  # as if it were not installed
        try:
            import rtm_emulator.strategies
        except ImportError as exc:
            print(exc)
        else:
            raise SystemExit("no ImportError")
        """
    )
    assert 0 == done.returncode, done.stderr
    assert "pip install 'rtm-emulator[hypothesis]'" in done.stdout


# ------------------------------------------------------------------ ids, names, types


@FAST
@given(user_ids())
def test_every_user_id_can_log_in(uid: str) -> None:
    emu = Emulator(strict=True)
    client = emu.client(uid)
    drive(client.login())
    assert client.logged_in
    emu.user(uid).subscribe("room")  # the handle takes it too (and kicks `client`)
    assert [uid] == emu.online_users("room", "MESSAGE")


@FAST
@given(invalid_user_ids(non_strings=True))
def test_every_invalid_user_id_is_rejected(uid: Any) -> None:
    emu = Emulator(strict=True)
    assert ErrorCode.INVALID_USER_ID == code_of(lambda: emu.client(uid))
    assert ErrorCode.INVALID_USER_ID == code_of(lambda: emu.user(uid))
    assert ErrorCode.INVALID_USER_ID == code_of(lambda: emu.user_channels(uid))


@FAST
@given(channel_names(), channel_types())
def test_every_channel_name_can_be_entered(name: str, ctype: str) -> None:
    emu = Emulator(strict=True)
    me = emu.user("me")
    if ctype == "MESSAGE":
        me.subscribe(name)
    else:
        me.join_stream(name)
    assert [(ChannelType(ctype), name)] == emu.user_channels("me")
    assert ["me"] == emu.online_users(name, ctype)
    me.set_state(name, ctype, {"k": "v"})
    assert {"k": "v"} == emu.state_of("me", name, ctype)
    emu.check_invariants()


@FAST
@given(invalid_channel_names(non_strings=True))
def test_every_invalid_channel_name_is_rejected(name: Any) -> None:
    emu = Emulator(strict=True)
    me = emu.user("me").login()
    before = len(emu.journal)
    for call in (
        lambda: me.subscribe(name),
        lambda: me.join_stream(name),
        lambda: me.set_state(name, "MESSAGE", {"k": "v"}),
        lambda: emu.online_users(name, "STREAM"),
    ):
        assert ErrorCode.INVALID_CHANNEL_NAME == code_of(call)
    assert before == len(emu.journal)
    assert [] == emu.user_channels("me")


@FAST
@given(invalid_channel_types())
def test_every_invalid_channel_type_is_rejected(ctype: Any) -> None:
    emu = Emulator(strict=True)
    me = emu.user("me").subscribe("room")
    assert ErrorCode.INVALID_CHANNEL_TYPE == code_of(lambda: me.set_state("room", ctype, {}))
    assert ErrorCode.INVALID_CHANNEL_TYPE == code_of(lambda: emu.online_users("room", ctype))


# ------------------------------------------------------------------ state


@FAST
@given(states(), channel_types())
def test_every_state_can_be_set_and_is_announced_whole(state: dict[str, str], ctype: str) -> None:
    emu = Emulator(strict=True)
    emu.user("alice").subscribe("room").join_stream("room")
    bob = emu.user("bob").subscribe("room").join_stream("room")
    bob.set_state("room", ctype, state)
    assert state == emu.state_of("bob", "room", ctype)
    last = emu.journal.filter(recipient="alice", kind="presence").entries[-1].event
    assert isinstance(last, PresenceEvent)
    assert ("REMOTE_STATE_CHANGED", state) == (last.event_type.value, dict(last.state_changed))


@FAST
@given(states())
def test_every_state_can_be_cached_before_entering(state: dict[str, str]) -> None:
    emu = Emulator(strict=True)
    bob = emu.user("bob").set_state("room", "MESSAGE", state)  # R-S4: cached
    bob.subscribe("room")
    snap = emu.journal.filter(recipient="bob", event_type="SNAPSHOT").entries[-1].event
    assert isinstance(snap, PresenceEvent) and snap.snapshot is not None
    assert state == dict(snap.snapshot[0].states)


@FAST
@given(state_keys(), state_values())
def test_every_key_and_value_fit_the_limits(key: str, value: str) -> None:
    assert 1 <= len(key.encode()) <= 64
    assert len(value.encode()) <= 8192
    emu = Emulator(strict=True)
    emu.user("bob").subscribe("room").set_state("room", "MESSAGE", {key: value})
    assert {key: value} == emu.state_of("bob", "room", "MESSAGE")
    emu.user("bob").remove_state("room", "MESSAGE", [key])
    assert {} == emu.state_of("bob", "room", "MESSAGE")


@FAST
@given(invalid_states(), st.booleans())
def test_every_invalid_state_is_rejected_and_changes_nothing(
    case: tuple[Any, ErrorCode], present: bool
) -> None:
    state, code = case
    emu = Emulator(strict=True)
    emu.user("alice").subscribe("room")
    bob = emu.user("bob").set_state("lobby", "MESSAGE", {"cached": "1"})
    if present:
        bob.subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})
    before = (len(emu.journal), emu.state_of("bob", "room", "MESSAGE"))
    assert code == code_of(lambda: bob.set_state("room", "MESSAGE", state))
    assert before == (len(emu.journal), emu.state_of("bob", "room", "MESSAGE"))
    bob.subscribe("lobby")  # the cache is untouched too
    assert {"cached": "1"} == emu.state_of("bob", "lobby", "MESSAGE")


def examples(strategy: st.SearchStrategy[Any], n: int) -> list[Any]:
    """``n`` deterministic examples of ``strategy`` (no shrinking involved)."""
    out: list[Any] = []

    @settings(FIND, max_examples=n)
    @given(strategy)
    def collect(value: Any) -> None:
        out.append(value)

    collect()
    return out


def test_valid_strategies_reach_the_limits() -> None:
    assert 64 == max(len(s) for s in examples(user_ids(), 30))
    assert 64 == max(len(s) for s in examples(channel_names(), 30))
    assert 1 == min(len(s) for s in examples(user_ids(), 30))
    assert 64 == max(len(s.encode()) for s in examples(state_keys(), 30))
    assert 8192 == max(len(s.encode()) for s in examples(state_values(), 30))
    assert MAX_STATE_KEYS == max(len(d) for d in examples(states(), 30))
    ids = "".join(examples(user_ids(), 30))
    assert 20 < len(set(ids) & set("!#$%&()+-:;<=.>?@[]^_{}|~, "))
    names = examples(channel_names(), 30)
    assert 15 < len(set("".join(names)) & set("!#$%&()+-:;<=>?@[]^_{}|~, "))
    assert all(not s.startswith("_") and "." not in s and s != "null" for s in names)


def test_invalid_strategies_cover_every_code() -> None:
    codes = {int(code) for _, code in examples(invalid_states(), 80)}
    assert {-10014, -13005, -13006, -13007, -13008, -13009} == codes
    names = examples(invalid_channel_names(), 60)
    assert {"", "null"} <= set(names)
    assert any(s.startswith("_") for s in names) and any("." in s for s in names)
    assert any(len(s.encode("utf-8", "surrogatepass")) > 64 for s in names)
    assert any(any(0xD800 <= ord(c) <= 0xDFFF for c in s) for s in names)  # lone surrogates
    assert any(not isinstance(u, str) for u in examples(invalid_user_ids(non_strings=True), 60))


@pytest.mark.parametrize(
    "make",
    [
        lambda: user_ids(min_size=0),
        lambda: user_ids(max_size=65),
        lambda: channel_names(min_size=3, max_size=2),
        lambda: states(max_keys=33),
        lambda: presence_scripts(users=[]),
        lambda: presence_scripts(users=["a", "a"]),
        lambda: presence_scripts(users=["null"]),
        lambda: presence_scripts(channels=["_x"]),
        lambda: presence_scripts(channels=[f"c{i}" for i in range(101)]),
        lambda: presence_scripts(min_size=5, max_size=4),
    ],
)
def test_strategy_arguments_are_checked(make: Any) -> None:
    with pytest.raises(InvalidArgument):
        make()


# ------------------------------------------------------------------ scripts


@SCRIPTS
@given(presence_scripts())
def test_scripts_run_and_keep_the_invariants(script: list[tuple[Any, ...]]) -> None:
    for action in script:
        assert ACTIONS[action[0]] == len(action), action
    emu = Emulator(strict=True)  # check_invariants after every operation
    run_script(emu, script)
    emu.check_invariants()
    emu.run_until_idle()
    emu.check_invariants()


def test_scripts_run_in_interval_mode() -> None:
    intervals: list[int] = []

    @settings(FAST, max_examples=15)
    @given(presence_scripts(users=["u1", "u2", "u3", "u4"], channels=["room"], min_size=10))
    def run(script: list[tuple[Any, ...]]) -> None:
        emu = Emulator(EmulatorConfig(announce_max=8, interval=5.0, debounce=1.0), strict=True)
        for i in range(7):  # 7 watchers: two script users in "room" tip it over (R-E5)
            emu.user(f"w{i}").subscribe("room").join_stream("room")
        run_script(emu, script)
        emu.run_until_idle()
        emu.check_invariants()
        intervals.append(len(emu.journal.filter(event_type="INTERVAL")))

    run()
    assert any(intervals), "no generated script drove a channel into interval mode"


@settings(FAST, max_examples=15)
@given(presence_scripts(faults=False, time=False, min_size=1))
def test_scripts_without_faults_or_time(script: list[tuple[Any, ...]]) -> None:
    assert {"disconnect", "reconnect", "set_presence_available", "advance"}.isdisjoint(
        a[0] for a in script
    )
    emu = Emulator(strict=True)
    run_script(emu, script)
    assert emu.config.start_time_ms == emu.now_ms


@settings(FAST, max_examples=10)
@given(presence_scripts(), user_ids(max_size=8), channel_names(max_size=8))
def test_scripts_are_deterministic(script: list[tuple[Any, ...]], uid: str, name: str) -> None:
    runs = []
    for _ in range(2):
        emu = Emulator()
        emu.user(uid, app_id="watch").subscribe(name)
        run_script(emu, script)
        emu.run_until_idle()
        runs.append(emu.journal.to_jsonl())
    assert runs[0] == runs[1]


def test_run_script_plays_each_action() -> None:
    emu = Emulator(EmulatorConfig(debounce=0), strict=True)
    run_script(
        emu,
        [
            ("subscribe", "alice", "room", True, False),
            ("join_stream", "bob", "room", False, True),
            ("set_state", "bob", "room", "STREAM", {"mic": "on"}),
            ("subscribe", "bob", "room", True, False),
            ("set_state", "bob", "room", "MESSAGE", {"seat": "3", "mood": "ok"}),
            ("remove_state", "bob", "room", "MESSAGE", ["mood"]),
            ("set_presence_available", "room", "MESSAGE", False),
            ("set_presence_available", "room", "MESSAGE", True),
            ("disconnect", "bob"),
            ("advance", 1.5),
            ("reconnect", "bob"),
            ("leave_stream", "bob", "room"),
            ("unsubscribe", "alice", "room"),
            ("logout", "alice"),
            ("login", "alice"),
        ],
    )
    assert 1.5 == emu.elapsed
    assert [(ChannelType.MESSAGE, "room")] == emu.user_channels("bob")
    assert {"seat": "3"} == emu.state_of("bob", "room", "MESSAGE")
    assert emu.user("alice").client.logged_in
    assert [] == emu.user_channels("alice")


def test_run_script_swallows_nothing() -> None:
    emu = Emulator(strict=True)
    script = [
        ("subscribe", "alice", "room", True, False),
        ("unsubscribe", "alice", "lobby"),
        ("subscribe", "bob", "room", True, False),
    ]
    with pytest.raises(RtmError) as err:
        run_script(emu, script)
    assert ErrorCode.CHANNEL_NOT_SUBSCRIBED == err.value.error_code
    assert ["alice"] == emu.online_users("room", "MESSAGE")  # stopped at the failure
    with pytest.raises(ValueError, match="unknown script action"):
        run_script(emu, [("dance", "alice")])


def test_run_script_in_another_app() -> None:
    emu = Emulator(strict=True)
    run_script(emu, [("subscribe", "alice", "room", True, False)], app_id="other")
    assert [] == emu.online_users("room", "MESSAGE")
    assert ["alice"] == emu.online_users("room", "MESSAGE", app_id="other")


# ------------------------------------------------------------------ lone surrogates


@pytest.mark.parametrize("where", ["user id", "channel name", "state key", "state value"])
def test_lone_surrogates_are_rejected_with_rtm_errors(where: str) -> None:
    emu = Emulator()
    bob = emu.user("bob").subscribe("room")
    calls = {
        "user id": (ErrorCode.INVALID_USER_ID, lambda: emu.client("b\ud800")),
        "channel name": (ErrorCode.INVALID_CHANNEL_NAME, lambda: bob.subscribe("r\ud800")),
        "state key": (
            ErrorCode.PRESENCE_INVALID_STATE_KEY,
            lambda: bob.set_state("room", "MESSAGE", {"k\ud800": "v"}),
        ),
        "state value": (
            ErrorCode.PRESENCE_INVALID_STATE_VALUE,
            lambda: bob.set_state("room", "MESSAGE", {"k": "v\ud800"}),
        ),
    }
    code, call = calls[where]
    assert code == code_of(call)
