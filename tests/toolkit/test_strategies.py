"""``rtm_emulator.strategies``: the valid strategies always pass the emulator's checks
(R-C1, R-S1, R-S3), the invalid ones are always rejected with their code, and generated
scripts always run (R-L4, R-S4, R-T3, R-T4 kept by the generator's model; with
messages, R-M1, R-M4, R-M10, R-M12..R-M18).

Deterministic (``derandomize=True``, no example database) and small example counts.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import rtm_emulator.strategies
from rtm_emulator import (
    ChannelType,
    Emulator,
    EmulatorConfig,
    ErrorCode,
    LinkState,
    LinkStateEvent,
    MessageEvent,
    PresenceEvent,
    RtmError,
    TopicEvent,
)
from rtm_emulator._limits import MESSAGE_CHANNEL_COUNT, STREAM_CHANNEL_COUNT
from rtm_emulator._scripting import UserHandle, drive
from rtm_emulator._surface import CONSTANTS, CONTROL
from rtm_emulator._validate import MAX_KEY_BYTES, MAX_NAME_CHARS, MAX_VALUE_BYTES
from rtm_emulator.strategies import (
    MAX_STATE_KEYS,
    channel_names,
    channel_types,
    invalid_channel_names,
    invalid_channel_types,
    invalid_state_removals,
    invalid_states,
    invalid_user_ids,
    message_scripts,
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
#: a second app (R-C2: 32 letters or digits)
OTHER_APP = "0123456789abcdef0123456789abcdef"
SPECIALS = set("!#$%&()+,-:;<=>?@[]^_{|}~ ")

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
#: what message_scripts adds
MESSAGE_ACTIONS = {
    "publish": 7,
    "join_topic": 4,
    "subscribe_topic": 5,
    "publish_topic_message": 6,
    "leave_topic": 4,
    "get_messages": 5,
}


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness of a JSON value (``false``, ``0``, ``""``, ``null`` are not)."""
    return value not in (None, False, 0, "") or isinstance(value, (list, dict))


def js_keys(state: dict[str, Any]) -> list[str]:
    """``Object.keys(state)`` in JS: array-index keys ("0", "7") ascending, then the rest
    in insertion order."""

    def index(key: str) -> bool:
        return key.isascii() and key.isdigit() and str(int(key)) == key and int(key) < 2**32 - 1

    return sorted((k for k in state if index(k)), key=int) + [k for k in state if not index(k)]


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
    # the install commands that work while the package is not published (issue 13)
    assert 'pip install hypothesis (from a clone: pip install -e ".[hypothesis]")' in done.stdout
    assert "rtm-emulator[" not in done.stdout


# ------------------------------------------------------------------ the module's example


def docstring_example() -> str:
    """The code block of the module docstring (after its ``::`` line), dedented."""
    doc = rtm_emulator.strategies.__doc__ or ""
    block = doc.split("::\n\n", 1)[1]
    lines = []
    for line in block.splitlines():
        if line and not line.startswith("    "):
            break
        lines.append(line)
    return textwrap.dedent("\n".join(lines))


def test_module_docstring_example_runs_and_holds() -> None:
    """The example runs as written: its property holds on Hypothesis's scripts."""
    code = docstring_example()
    assert "def test_my_presence_view_stays_in_sync(script):" in code
    namespace: dict[str, Any] = {"__name__": "docstring_example"}
    exec(compile(code, "<rtm_emulator.strategies docstring>", "exec"), namespace)
    test = namespace["test_my_presence_view_stays_in_sync"]
    settings(FAST, max_examples=60)(test)()  # raises if the view ever disagrees


def test_module_docstring_example_catches_a_late_listener() -> None:
    """The example's point: a view made after the subscribe misses the SNAPSHOT, fails."""
    code = docstring_example()
    early = (
        "    view = PresenceView(me.client)  # listening before the subscribe: the SNAPSHOT too\n"
        '    me.subscribe("room")\n'
    )
    late = '    me.subscribe("room")\n    view = PresenceView(me.client)\n'
    assert early in code
    namespace: dict[str, Any] = {"__name__": "docstring_example"}
    exec(compile(code.replace(early, late), "<late listener>", "exec"), namespace)
    test = settings(FAST, phases=[Phase.generate, Phase.shrink])(
        namespace["test_my_presence_view_stays_in_sync"]
    )
    with pytest.raises(AssertionError):
        test()


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
    assert LinkState.FAILED == client.link_state  # R-T4: SAME_UID_LOGIN


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
        lambda: me.unsubscribe(name),
        lambda: me.join_stream(name),
        lambda: me.set_state(name, "MESSAGE", {"k": "v"}),
        lambda: me.remove_state(name, "STREAM"),
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
def test_every_state_can_be_set_and_is_announced_whole(state: dict[str, Any], ctype: str) -> None:
    """R-S1, R-S5: any valid state (JSON values) is stored and announced whole."""
    emu = Emulator(strict=True)
    emu.user("alice").subscribe("room").join_stream("room")
    bob = emu.user("bob").subscribe("room").join_stream("room")
    bob.set_state("room", ctype, state)
    assert state == emu.state_of("bob", "room", ctype)
    last = emu.journal.filter(recipient="alice", kind="presence").entries[-1].event
    assert isinstance(last, PresenceEvent)
    # the SDK reports a write when the last field it handles (JS key order) is truthy,
    # and its replica keeps only truthy fields (agora-rtm.js 2.3.0, R-S5)
    if js_truthy(state[js_keys(state)[-1]]):
        heard = {k: v for k, v in state.items() if js_truthy(v)}
        assert ("REMOTE_STATE_CHANGED", heard) == (last.event_type.value, dict(last.state_changed))
    else:
        assert ("REMOTE_JOIN", "bob", "STREAM") == (
            last.event_type.value,
            last.publisher,
            last.channel_type.value,
        )


@FAST
@given(states())
def test_every_state_can_be_cached_before_entering(state: dict[str, Any]) -> None:
    """R-S4: a state set before entering shows in the user's own SNAPSHOT."""
    emu = Emulator(strict=True)
    bob = emu.user("bob").set_state("room", "MESSAGE", state)  # R-S4: cached
    bob.subscribe("room")
    snap = emu.journal.filter(recipient="bob", event_type="SNAPSHOT").entries[-1].event
    assert isinstance(snap, PresenceEvent) and snap.snapshot is not None
    assert state == dict(snap.snapshot[0].states)


@FAST
@given(state_keys(), state_values())
def test_every_key_and_value_fit_the_limits(key: str, value: Any) -> None:
    """R-S3: keys of 1..32 bytes, string values of at most 16384 bytes (others unmeasured)."""
    assert 1 <= len(key.encode()) <= MAX_KEY_BYTES
    if isinstance(value, str):
        assert len(value.encode()) <= MAX_VALUE_BYTES
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
    """R-S3: each invalid state fails with its code; a failed call changes nothing."""
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


@FAST
@given(invalid_state_removals(), st.booleans())
def test_every_invalid_state_removal_is_rejected_and_changes_nothing(
    case: tuple[list[Any], ErrorCode], present: bool
) -> None:
    """R-S3: removeState's duplicate, count and key checks; nothing changes."""
    keys, code = case
    emu = Emulator(strict=True)
    emu.user("alice").subscribe("room")
    bob = emu.user("bob").set_state("room", "MESSAGE", {"seat": "3"})
    if present:
        bob.subscribe("room")
    before = (len(emu.journal), emu.state_of("bob", "room", "MESSAGE"))
    assert code == code_of(lambda: bob.remove_state("room", "MESSAGE", keys))
    assert before == (len(emu.journal), emu.state_of("bob", "room", "MESSAGE"))
    bob.subscribe("room")
    assert {"seat": "3"} == emu.state_of("bob", "room", "MESSAGE")


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
    """R-C1 (64 characters, the charset, "null"), R-S3 (32-byte keys, 16384-byte values,
    32 keys), R-S1 (JSON values of every kind)."""
    assert MAX_NAME_CHARS == 64 == max(len(s) for s in examples(user_ids(), 30))
    assert 64 == max(len(s) for s in examples(channel_names(), 30))
    assert 1 == min(len(s) for s in examples(user_ids(), 30))
    assert MAX_KEY_BYTES == 32 == max(len(s.encode()) for s in examples(state_keys(), 30))
    values = examples(state_values(), 200)
    assert MAX_VALUE_BYTES == 16384 == max(len(v.encode()) for v in values if isinstance(v, str))
    kinds = {type(v) for v in values}
    assert {str, int, float, bool, type(None), list, dict} <= kinds, kinds
    assert MAX_STATE_KEYS == max(len(d) for d in examples(states(), 30))
    assert 1 == min(len(d) for d in examples(states(), 30))  # never {} (-13003)
    # 60 examples: the count of specials seen must not sit on the threshold
    ids = examples(user_ids(), 60)
    assert 20 < len(set("".join(ids)) & SPECIALS)
    names = examples(channel_names(), 60)
    assert 15 < len(set("".join(names)) & SPECIALS)
    keys = examples(state_keys(), 60)
    assert 10 < len(set("".join(keys)) & SPECIALS)
    for text in ids + names + keys:
        assert not text.startswith("_") and "." not in text and text.isascii(), text
    assert "null" == find(user_ids(), lambda s: s == "null", settings=FIND)  # valid (R-C1)
    assert "null" == find(channel_names(), lambda s: s == "null", settings=FIND)


def test_invalid_strategies_cover_every_code() -> None:
    """R-S3's codes, and every way R-C1 refuses a name ("null" is not one of them)."""
    codes = {int(code) for _, code in examples(invalid_states(), 200)}
    assert {-13003, -13005, -13006, -13008, -13009} == codes
    codes = {int(code) for _, code in examples(invalid_state_removals(), 60)}
    assert {-13005, -13006, -13008, -13010} == codes
    names = examples(invalid_channel_names(), 60)
    assert "" in names and "null" not in names
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
        lambda: states(min_keys=0),  # {} is -13003 (R-S3)
        lambda: presence_scripts(users=[]),
        lambda: presence_scripts(users=["a", "a"]),
        lambda: presence_scripts(users=["a.b"]),
        lambda: presence_scripts(channels=["_x"]),
        lambda: presence_scripts(channels=[f"c{i}" for i in range(10_001)]),
        lambda: presence_scripts(min_size=5, max_size=4),
        lambda: message_scripts(topics=[]),
        lambda: message_scripts(topics=["a", "a"]),
        lambda: message_scripts(topics=["_t"]),  # R-M12: no leading "_"
        lambda: message_scripts(topics=["t" * 17]),  # R-M12: 16 bytes at most
        lambda: message_scripts(topics=[f"t{i}" for i in range(9)]),  # R-M13: 8 per client
        lambda: message_scripts(users=["a.b"]),
        lambda: message_scripts(min_size=2, max_size=1),
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
        assert ACTIONS[action[0]] == len(action), action  # presence only: no message
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
        # the smallest threshold and interval the console allows (R-C4)
        emu = Emulator(EmulatorConfig(announce_max=8, interval=10.0, debounce=1.0), strict=True)
        for i in range(7):  # 7 watchers: one script user in "room" tips it over (R-E5)
            emu.user(f"w{i}").subscribe("room").join_stream("room")
        run_script(emu, script)
        emu.run_until_idle()
        emu.check_invariants()
        intervals.append(len(emu.journal.filter(event_type="INTERVAL")))

    run()
    assert any(intervals), "no generated script drove a channel into interval mode"


#: actions the SDK refuses (or the handle cannot make) while the link is down (R-T3)
NEEDS_LINK = {"subscribe", "join_stream", "leave_stream", "login"}


def test_scripts_act_only_when_the_sdk_allows_it() -> None:
    """R-T3, R-T4: the generator's model of each link matches the emulator's: a user
    subscribes, joins, leaves a stream or logs in only while its link is IDLE or
    CONNECTED (after ``reconnect`` the link is back only at the next retry); state
    calls and unsubscribes happen while it is down too, and work there."""
    seen = {"reconnected at a retry": 0, "acted while down": 0}

    @settings(FAST, max_examples=60)
    @given(presence_scripts(users=["u1", "u2"], channels=["room"], min_size=20, max_size=60))
    def run(script: list[tuple[Any, ...]]) -> None:
        emu = Emulator(strict=True)
        for action in script:
            if action[0] in NEEDS_LINK | {"disconnect", "reconnect"} | _STATE_ACTIONS:
                link = emu.user(action[1]).link_state
                if action[0] in NEEDS_LINK:
                    assert link in (LinkState.IDLE, LinkState.CONNECTED), (action, link)
                elif action[0] in ("disconnect", "reconnect"):
                    assert link is not LinkState.IDLE, (action, link)
                elif link not in (LinkState.IDLE, LinkState.CONNECTED):
                    seen["acted while down"] += 1
            run_script(emu, [action])
        seen["reconnected at a retry"] += sum(
            1
            for _, e in emu.journal
            if isinstance(e, LinkStateEvent) and e.reason_code.value == "RECONNECT_SUCCESS"
        )

    run()
    assert all(seen.values()), seen


_STATE_ACTIONS = {"set_state", "remove_state", "unsubscribe"}


def _most_channels(script: list[tuple[Any, ...]]) -> tuple[int, int]:
    """The most channels, and stream channels, user "u" had at once playing ``script``."""
    emu = Emulator()
    most = streams = 0
    for action in script:
        run_script(emu, [action])
        entered = emu.user_channels("u")
        most = max(most, len(entered))
        streams = max(streams, sum(1 for t, _ in entered if t is ChannelType.STREAM))
    return most, streams


def test_scripts_fill_the_channel_limits_and_stay_valid() -> None:
    """R-L4: without logouts, a long script subscribes up to 50 channels (MESSAGE and
    STREAM counted together) and joins up to 10 stream channels, and never past them
    (a re-join at 10 is refused by the SDK too, so the generator makes none)."""
    names = [f"c{i}" for i in range(60)]
    scripts = presence_scripts(
        users=["u"],
        channels=names,
        min_size=300,
        max_size=300,
        faults=False,
        time=False,
        logouts=False,
    )
    assert all(a[0] != "logout" for script in examples(scripts, 3) for a in script)
    fast = settings(FIND, max_examples=40, phases=[Phase.generate])
    full = find(scripts, lambda s: _most_channels(s)[0] >= MESSAGE_CHANNEL_COUNT, settings=fast)
    most, streams = _most_channels(full)
    assert STREAM_CHANNEL_COUNT == streams
    assert MESSAGE_CHANNEL_COUNT <= most <= MESSAGE_CHANNEL_COUNT + STREAM_CHANNEL_COUNT
    emu = Emulator(strict=True)
    run_script(emu, full)  # valid: nothing raises, invariants hold after every step


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
        emu.user(uid, app_id=OTHER_APP).subscribe(name)
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
            ("set_state", "bob", "room", "MESSAGE", {"mood": False}),  # R-T3: works locally
            ("reconnect", "bob"),
            ("advance", 0.5),  # R-T4: the first retry, 2 s after the loss, reconnects
            ("leave_stream", "bob", "room"),
            ("unsubscribe", "alice", "room"),
            ("logout", "alice"),
            ("login", "alice"),
        ],
    )
    assert 2.0 == emu.elapsed
    assert [(ChannelType.MESSAGE, "room")] == emu.user_channels("bob")
    assert {"seat": "3", "mood": False} == emu.state_of("bob", "room", "MESSAGE")
    assert LinkState.CONNECTED == emu.user("bob").link_state
    assert emu.user("alice").client.logged_in
    assert [] == emu.user_channels("alice")


def test_run_script_swallows_nothing() -> None:
    emu = Emulator(strict=True)
    script = [
        ("subscribe", "alice", "room", True, False),
        ("unsubscribe", "alice", "lobby"),  # R-L5: resolves, not an error
        ("leave_stream", "alice", "stage"),  # not joined: -11001
        ("subscribe", "bob", "room", True, False),
    ]
    with pytest.raises(RtmError) as err:
        run_script(emu, script)
    assert ErrorCode.CHANNEL_NOT_JOINED == err.value.error_code
    assert ["alice"] == emu.online_users("room", "MESSAGE")  # stopped at the failure
    with pytest.raises(ValueError, match="unknown script action"):
        run_script(emu, [("dance", "alice")])


def test_run_script_in_another_app() -> None:
    emu = Emulator(strict=True)
    run_script(emu, [("subscribe", "alice", "room", True, False)], app_id=OTHER_APP)
    assert [] == emu.online_users("room", "MESSAGE")
    assert ["alice"] == emu.online_users("room", "MESSAGE", app_id=OTHER_APP)


def test_run_script_checks_the_arguments_of_user_actions() -> None:
    """A user action's arguments fill the method's positional, then keyword-only ones."""
    emu = Emulator(strict=True)
    with pytest.raises(ValueError):
        run_script(emu, [("subscribe", "alice", "room", True)])  # be_quiet missing
    with pytest.raises(ValueError):
        run_script(emu, [("subscribe", "alice", "room", True, False, True)])
    assert [] == emu.online_users("room", "MESSAGE")


def _seen_by_alice(outage_app: str | None) -> list[str]:
    """Alice's presence events in OTHER_APP's room when bob joins during an outage that
    ``run_script`` starts (``outage_app=None``) or the default app has."""
    emu = Emulator(EmulatorConfig(debounce=0), strict=True)
    seen: list[str] = []
    alice = emu.user("alice", app_id=OTHER_APP).client
    alice.add_event_listener("presence", lambda e: seen.append(e.event_type.value))
    outage: list[tuple[Any, ...]] = [("set_presence_available", "room", "MESSAGE", False)]
    if outage_app is not None:
        emu.set_presence_available("room", "MESSAGE", False, app_id=outage_app)
        outage = []
    script = [("subscribe", "alice", "room", True, False), *outage, ("advance", 1.0)]
    run_script(emu, [*script, ("subscribe", "bob", "room", True, False), ("run_until_idle",)],
               app_id=OTHER_APP)  # fmt: skip
    assert 1.0 <= emu.elapsed
    return seen


def test_run_script_sends_the_app_id_only_to_verbs_that_take_one() -> None:
    """Control verbs of the table: ``set_presence_available`` gets ``app_id`` (R-E8: the
    outage is in that app), ``advance`` does not; ``run_until_idle`` is a verb too."""
    assert "REMOTE_JOIN" not in _seen_by_alice(None)  # the outage is in OTHER_APP
    assert "REMOTE_JOIN" in _seen_by_alice(Emulator().user("x").client.app_id)


def test_script_actions_are_scripted_user_methods_or_control_verbs() -> None:
    """Every action a script can hold is a method of ``emu.user(...)``, a control verb
    of the surface table (``_surface.CONTROL``), or an SDK call of the handle's client
    the handle has no method for (``CLIENT_PLAYS``), which ``run_script`` plays as such."""
    from rtm_emulator.strategies._scripts import CLIENT_PLAYS, action_name

    verbs = {row.python for row in CONTROL}
    on_client = {action_name(row) for row in CLIENT_PLAYS}
    assert on_client == {"subscribe_topic", "unsubscribe_topic", "leave_topic", "get_messages"}
    for name in {**ACTIONS, **MESSAGE_ACTIONS}:
        assert callable(getattr(UserHandle, name, None)) or name in verbs | on_client, name


def test_every_playable_row_has_a_branch_and_every_branch_a_row() -> None:
    """The generator draws table rows: each SDK operation the scripted user has a method
    for and each control row marked ``hook`` has exactly one branch (or a reason it is
    not drawn), no branch is for any other row, and the branches' actions are
    ``ACTIONS`` (what a generated script holds)."""
    from rtm_emulator._surface import OPERATIONS
    from rtm_emulator.strategies._scripts import (
        BRANCHES,
        CLIENT_PLAYS,
        MESSAGE_ROWS,
        NOT_DRAWN,
        action_name,
    )

    user_rows = {row for row in OPERATIONS if callable(getattr(UserHandle, action_name(row), None))}
    assert not user_rows & set(CLIENT_PLAYS)  # the handle's method wins (none is both)
    playable = user_rows | set(CLIENT_PLAYS) | {row for row in CONTROL if row.hook}
    assert playable == set(BRANCHES) | set(NOT_DRAWN)
    assert not set(BRANCHES) & set(NOT_DRAWN)
    assert set(ACTIONS) == {action_name(row) for row in set(BRANCHES) - MESSAGE_ROWS}
    assert set(MESSAGE_ACTIONS) == {action_name(row) for row in MESSAGE_ROWS}
    assert MESSAGE_ROWS <= set(BRANCHES)
    with pytest.raises(ValueError, match="no Python verb"):
        action_name(next(row for row in CONTROL if row.python is None))


def test_limits_are_the_surface_tables() -> None:
    """The strategies' limits and defaults are the table's constants (``CONSTANTS``)."""
    assert CONSTANTS["maxStateKeys"] == MAX_STATE_KEYS
    defaults = {
        "user_ids": inspect.signature(user_ids).parameters["max_size"].default,
        "channel_names": inspect.signature(channel_names).parameters["max_size"].default,
        "states": inspect.signature(states).parameters["max_keys"].default,
        "run_script": inspect.signature(run_script).parameters["app_id"].default,
    }
    assert {
        "user_ids": CONSTANTS["maxNameChars"],
        "channel_names": CONSTANTS["maxNameChars"],
        "states": CONSTANTS["maxStateKeys"],
        "run_script": CONSTANTS["defaultAppId"],
    } == defaults


# ------------------------------------------------------------------ lone surrogates


@pytest.mark.parametrize("where", ["user id", "channel name", "state key"])
def test_lone_surrogates_are_rejected_with_rtm_errors(where: str) -> None:
    """R-C1 / R-S3: a lone surrogate is outside the charset of ids, names and keys."""
    emu = Emulator()
    bob = emu.user("bob").subscribe("room")
    calls = {
        "user id": (ErrorCode.INVALID_USER_ID, lambda: emu.client("b\ud800")),
        "channel name": (ErrorCode.INVALID_CHANNEL_NAME, lambda: bob.subscribe("r\ud800")),
        "state key": (
            ErrorCode.PRESENCE_INVALID_STATE_KEY,
            lambda: bob.set_state("room", "MESSAGE", {"k\ud800": "v"}),
        ),
    }
    code, call = calls[where]
    assert code == code_of(call)


def test_lone_surrogates_in_a_value_are_stored_as_the_replacement_character() -> None:
    """R-S1 / R-S3: a value's type and characters are not checked; only its UTF-8 size
    is, with a lone surrogate counted as the 3 bytes of U+FFFD (as TextEncoder does)."""
    emu = Emulator(strict=True)
    bob = emu.user("bob").subscribe("room")
    bob.set_state("room", "MESSAGE", {"k": "v\ud800"})
    assert {"k": "v\ufffd"} == emu.state_of("bob", "room", "MESSAGE")
    fits = "x" * (MAX_VALUE_BYTES - 3) + "\ud800"
    bob.set_state("room", "MESSAGE", {"k": fits})
    assert ErrorCode.PRESENCE_STATE_VALUE_SIZE_OVERFLOW == code_of(
        lambda: bob.set_state("room", "MESSAGE", {"k": "x" + fits})
    )


# ------------------------------------------------------------------ message scripts

#: a small pool, so that the topic flows (join, subscribe the publisher, publish) occur
DUO = {"users": ["alice", "bob"], "channels": ["room"], "min_size": 20, "max_size": 40}


@SCRIPTS
@given(message_scripts())
def test_message_scripts_run_and_keep_the_invariants(script: list[tuple[Any, ...]]) -> None:
    """Presence and message actions, each with its arity; strict play never raises."""
    for action in script:
        assert {**ACTIONS, **MESSAGE_ACTIONS}[action[0]] == len(action), action
    emu = Emulator(strict=True)
    run_script(emu, script)
    emu.run_until_idle()
    emu.check_invariants()


def _message_kinds(journal: Any) -> set[tuple[str, str]]:
    """(channel type, message type) of every message event in a journal."""
    return {(e.channel_type, e.message_type) for _, e in journal if isinstance(e, MessageEvent)}


def test_message_scripts_draw_every_message_call() -> None:
    """The draws occur: publish to MESSAGE channels and users, text and bytes, custom
    types, storeInHistory, a message at R-M1's 32768-byte limit with its custom type and
    a topic message at R-M18's 1024; every topic call and getMessages of both types; and
    played, their message events of all three channel types and topic events."""
    scripts = examples(message_scripts(**DUO), 60)
    actions = [a for script in scripts for a in script]
    assert set(MESSAGE_ACTIONS) <= {a[0] for a in actions}
    publishes = [a for a in actions if a[0] == "publish"]
    assert {"MESSAGE", "USER"} == {a[4] for a in publishes}
    assert {str, bytes} == {type(a[3]) for a in publishes}
    assert {None, "", "chat", "cmd", "t" * 32} == {a[5] for a in publishes}
    assert {False, True} == {a[6] for a in publishes}

    def size(message: str | bytes, custom: str | None) -> int:
        raw = message.encode() if isinstance(message, str) else message
        return len(raw) + len((custom or "").encode())

    assert 32768 == max(size(a[3], a[5]) for a in publishes)
    topic_messages = [a for a in actions if a[0] == "publish_topic_message"]
    assert 1024 == max(size(a[4], a[5]) for a in topic_messages)
    assert {"MESSAGE", "USER"} == {a[3] for a in actions if a[0] == "get_messages"}
    assert all(a[2] == a[1] for a in actions if a[0] == "get_messages" and a[3] == "USER")
    assert all(a[1] not in a[4] for a in actions if a[0] == "subscribe_topic")
    kinds: set[tuple[str, str]] = set()
    topic_events = 0
    for script in scripts:
        emu = Emulator(strict=True)
        run_script(emu, script)
        emu.run_until_idle()
        kinds |= _message_kinds(emu.journal)
        topic_events += sum(1 for _, e in emu.journal if isinstance(e, TopicEvent))
    assert {("MESSAGE", "STRING"), ("MESSAGE", "BINARY"), ("USER", "STRING")} <= kinds
    assert {"MESSAGE", "USER", "STREAM"} == {channel_type for channel_type, _ in kinds}
    assert topic_events


def test_presence_scripts_draw_no_message() -> None:
    actions = {a[0] for script in examples(presence_scripts(**DUO), 30) for a in script}
    assert not actions & set(MESSAGE_ACTIONS)


def test_message_scripts_are_deterministic() -> None:
    """Same seed, same scripts; each played twice gives the same journal, message
    events included (bytes too)."""
    first = examples(message_scripts(**DUO), 15)
    assert first == examples(message_scripts(**DUO), 15)
    heard = 0
    for script in first:
        runs = []
        for _ in range(2):
            emu = Emulator()
            run_script(emu, script)
            emu.run_until_idle()
            runs.append(emu.journal.to_jsonl())
            heard += len(_message_kinds(emu.journal))
        assert runs[0] == runs[1]
    assert heard


#: message actions that need the link CONNECTED before they run (R-M10, R-M12)
NEEDS_CONNECTED = {"join_topic", "subscribe_topic", "publish_topic_message", "leave_topic"}


def test_message_scripts_act_only_when_the_sdk_allows_it() -> None:
    """R-M4, R-M10, R-M12..R-M14: each message action meets its preconditions on the
    emulator when it runs: topic calls and getMessages while CONNECTED, topic calls in
    a joined stream channel, leaveTopic / publishTopicMessage in a topic the user
    publishes, a USER message to a user with a logged-in client; publish never while
    the link is down."""
    seen: dict[str, int] = {name: 0 for name in MESSAGE_ACTIONS}

    @settings(FAST, max_examples=40)
    @given(message_scripts(**DUO))
    def run(script: list[tuple[Any, ...]]) -> None:
        emu = Emulator(strict=True)
        joined: dict[tuple[str, str], set[str]] = {}  # (user, channel) -> topics
        for action in script:
            name = action[0]
            if name in MESSAGE_ACTIONS:
                link = emu.user(action[1]).link_state
                seen[name] += 1
                if name == "publish":
                    assert link in (LinkState.IDLE, LinkState.CONNECTED), (action, link)
                    if action[4] == "USER" and action[2] != action[1]:
                        assert emu.user(action[2]).link_state is LinkState.CONNECTED, action
                else:
                    assert link is LinkState.CONNECTED, (action, link)
                if name in NEEDS_CONNECTED:
                    channels = emu.user_channels(action[1])
                    assert (ChannelType.STREAM, action[2]) in channels, action
                if name in ("leave_topic", "publish_topic_message"):
                    assert action[3] in joined.get((action[1], action[2]), set()), action
            run_script(emu, [action])
            if name == "join_topic":
                joined.setdefault((action[1], action[2]), set()).add(action[3])
            elif name == "leave_topic":
                joined[(action[1], action[2])].discard(action[3])
            elif name in ("disconnect", "logout"):
                joined = {k: v for k, v in joined.items() if k[0] != action[1]}
            elif name == "leave_stream":
                joined.pop((action[1], action[2]), None)

    run()
    assert all(seen.values()), seen


def test_run_script_plays_each_message_action() -> None:
    """The handle's publish / join_topic / publish_topic_message and the client's
    subscribe_topic / leave_topic / history.get_messages, with their events."""
    emu = Emulator(strict=True)
    run_script(
        emu,
        [
            ("subscribe", "alice", "room", True, False),
            ("publish", "bob", "room", "hi", "MESSAGE", "chat", True),
            ("publish", "bob", "alice", b"\x01", "USER", None, False),
            ("join_stream", "alice", "stage", True, False),
            ("join_stream", "bob", "stage", True, False),
            ("join_topic", "bob", "stage", "moves"),
            ("subscribe_topic", "alice", "stage", "moves", ("bob",)),
            ("publish_topic_message", "bob", "stage", "moves", "e4", None),
            ("unsubscribe_topic", "alice", "stage", "moves", None),
            ("publish_topic_message", "bob", "stage", "moves", "lost", None),  # R-M19
            ("leave_topic", "bob", "stage", "moves"),
            ("get_messages", "alice", "room", "MESSAGE", 5),
            ("get_messages", "alice", "alice", "USER", None),
        ],
    )
    got = [
        (e.event.channel_type, e.event.channel_name, e.event.message, e.event.custom_type)
        for e in emu.journal.filter(recipient="alice", kind="message").entries
    ]
    assert [
        ("MESSAGE", "room", "hi", "chat"),
        ("USER", "bob", b"\x01", ""),  # R-M23: the publisher's id as channelName
        ("STREAM", "stage", "e4", ""),
    ] == got
    topics = [e.event for e in emu.journal.filter(recipient="alice", kind="topic").entries]
    assert [("SNAPSHOT", ""), ("REMOTE_JOIN", "bob"), ("REMOTE_LEAVE", "bob")] == [
        (t.event_type.value, t.publisher) for t in topics
    ]
    history = drive(emu.user("alice").client.history.get_messages("room", "MESSAGE"))
    assert ["hi"] == [m.message for m in history.message_list]


def test_run_script_checks_the_arguments_of_client_actions() -> None:
    emu = Emulator(strict=True)
    run_script(emu, [("join_stream", "alice", "stage", True, False)])
    with pytest.raises(ValueError, match="takes 3 arguments"):
        run_script(emu, [("subscribe_topic", "alice", "stage", "moves")])
    with pytest.raises(ValueError, match="takes 2 arguments"):
        run_script(emu, [("leave_topic", "alice", "stage", "moves", "extra")])
    with pytest.raises(RtmError) as err:  # played, and refused as the SDK refuses it
        run_script(emu, [("leave_topic", "alice", "stage", "moves")])
    assert ErrorCode.CHANNEL_TOPIC_NOT_JOINED == err.value.error_code
