"""Issue 15, "Python API": lying input never gets in, and the harness verbs hold.

Each test here is a regression test of one finding: a ``str`` subclass or a mapping
whose methods lie to the checks (state limits, ids), a re-entrant ``advance`` (R-T1,
"[ours] re-entrant advance" in docs/decisions.md), a listener raising a
``BaseException`` (R-E9, "[ours]" there), and the harness verbs' own arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from rtm_emulator import (
    ChannelType,
    ConfigError,
    Emulator,
    ErrorCode,
    PresenceEvent,
    RtmError,
)
from rtm_emulator._config import DEFAULT_APP_ID
from rtm_emulator._scripting import drive

# ------------------------------------------------------------------ hostile objects


class LyingStr(str):
    """A string whose own methods understate it (the checks must not ask it)."""

    __slots__ = ()

    def encode(self, *args: Any, **kwargs: Any) -> bytes:
        return b"x"

    def __len__(self) -> int:
        return 1

    def isascii(self) -> bool:
        return True

    def startswith(self, *args: Any, **kwargs: Any) -> bool:
        return False


class Unstable(str):
    """A string whose hash changes on every call, whose ``==`` / ``!=`` lie and whose
    ``<`` raises: stored as it is, it would corrupt every index keyed by it."""

    __slots__ = ()
    calls = 0

    def __hash__(self) -> int:
        Unstable.calls += 1
        return Unstable.calls

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        raise RuntimeError("__ne__ called")

    def __lt__(self, other: object) -> bool:
        raise RuntimeError("__lt__ called")

    def __gt__(self, other: object) -> bool:
        raise RuntimeError("__gt__ called")


class ShapeShifter(Mapping[str, Any]):
    """A mapping that answers with a small state first and an oversized one after."""

    def __init__(self) -> None:
        self.reads = 0

    def _now(self) -> dict[str, Any]:
        self.reads += 1
        return {"seat": "3"} if self.reads == 1 else {"k" * 70: "v" * 20_000}

    def items(self) -> Any:
        return self._now().items()

    def keys(self) -> Any:
        return self._now().keys()

    def __getitem__(self, key: str) -> Any:
        return self._now()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())


class LyingDict(dict[str, Any]):
    """A ``dict`` whose ``items()`` shows one thing while it holds another."""

    def items(self) -> Any:
        return {"seat": "3"}.items()


def _stored(emu: Emulator, uid: str = "bob") -> dict[str, Any]:
    return emu.state_of(uid, "room", "MESSAGE")


def _presence(events: list[Any]) -> list[PresenceEvent]:
    return [e for e in events if isinstance(e, PresenceEvent)]


# ------------------------------------------------------------ 1. state validation


def test_a_str_subclass_value_is_measured_as_its_characters() -> None:
    """R-S3: -13009 for a value over 16384 UTF-8 bytes, whatever its ``encode`` says."""
    emu = Emulator(strict=True)
    bob = emu.user("bob").subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})
    with pytest.raises(RtmError) as err:
        bob.set_state("room", "MESSAGE", {"bio": LyingStr("v" * 20_000)})
    assert ErrorCode.PRESENCE_STATE_VALUE_SIZE_OVERFLOW == err.value.error_code
    assert {"seat": "3"} == _stored(emu)
    emu.check_invariants()


def test_a_str_subclass_key_in_remove_state_is_measured_as_its_characters() -> None:
    """R-S3: removeState's keys get -13008 over 32 bytes, whatever ``encode`` says."""
    emu = Emulator(strict=True)
    bob = emu.user("bob").subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})
    with pytest.raises(RtmError) as err:
        bob.remove_state("room", "MESSAGE", [LyingStr("k" * 40)])
    assert ErrorCode.PRESENCE_STATE_KEY_SIZE_OVERFLOW == err.value.error_code
    with pytest.raises(RtmError) as err:
        drive(bob.client.presence.remove_state("room", "MESSAGE", states=(LyingStr("k" * 40),)))
    assert ErrorCode.PRESENCE_STATE_KEY_SIZE_OVERFLOW == err.value.error_code
    assert {"seat": "3"} == _stored(emu)


def test_a_str_subclass_state_is_split_as_its_characters() -> None:
    """R-S3 (``Object.keys`` of a string): one key per character, not per ``__len__``."""
    emu = Emulator()
    bob = emu.user("bob").subscribe("room")
    bob.set_state("room", "MESSAGE", LyingStr("ab"))  # type: ignore[arg-type]
    assert {"0": "a", "1": "b"} == _stored(emu)


@pytest.mark.parametrize("make", [ShapeShifter, lambda: LyingDict({"k" * 70: "v" * 20_000})])
def test_a_lying_mapping_is_read_once_and_what_was_checked_is_stored(
    make: Callable[[], Mapping[str, Any]],
) -> None:
    """The state is copied once; the copy is checked, stored and sent to the others."""
    emu = Emulator(strict=True)
    heard: list[Any] = []
    alice = emu.user("alice").subscribe("room")
    alice.client.add_event_listener("presence", heard.append)
    emu.user("bob").subscribe("room").set_state("room", "MESSAGE", make())
    assert {"seat": "3"} == _stored(emu)
    changed = [e for e in _presence(heard) if e.event_type.value == "REMOTE_STATE_CHANGED"]
    assert [{"seat": "3"}] == [dict(e.state_changed) for e in changed]
    state = _stored(emu)
    assert [str] * len(state) == [type(k) for k in state]


def test_remove_state_reads_a_list_subclass_once() -> None:
    """The list of keys is copied once: the checked keys are the removed keys."""

    class TwoFaced(list[str]):
        reads = 0

        def __iter__(self) -> Iterator[str]:
            TwoFaced.reads += 1
            return iter(["seat"] if TwoFaced.reads == 1 else ["seat", "seat", "k" * 70])

    emu = Emulator(strict=True)
    bob = emu.user("bob").subscribe("room")
    bob.set_state("room", "MESSAGE", {"seat": "3", "mood": "ok"})
    drive(bob.client.presence.remove_state("room", "MESSAGE", states=TwoFaced(["x"])))
    assert {"mood": "ok"} == _stored(emu)
    assert 1 == TwoFaced.reads


# ------------------------------------------------------------------ 2. str subclass ids


def test_hostile_str_ids_are_stored_as_plain_strings() -> None:
    """Ids and names are plain ``str`` once checked: an unstable hash, a lying ``==``
    and a raising ``<`` change nothing, and a ``ChannelType`` is just its text."""
    emu = Emulator(strict=True)
    bob = emu.user(Unstable("bob")).subscribe(Unstable("room"))
    emu.user(ChannelType.MESSAGE).subscribe("room")
    bob.set_state(Unstable("room"), Unstable("MESSAGE"), {Unstable("seat"): Unstable("3")})
    assert ["MESSAGE", "bob"] == emu.online_users("room", "MESSAGE")
    assert [str, str] == [type(u) for u in emu.online_users("room", "MESSAGE")]
    assert [(ChannelType.MESSAGE, "room")] == emu.user_channels("bob")
    assert {"seat": "3"} == emu.state_of("bob", "room", "MESSAGE")
    assert emu.user("bob") is bob
    entries = emu.journal.entries
    assert entries
    assert {(str, str)} == {(type(e.recipient), type(e.app_id)) for e in entries}
    publishers = [e.event.publisher for e in entries if isinstance(e.event, PresenceEvent)]
    assert publishers
    assert {str} == {type(p) for p in publishers}
    emu.check_invariants()


def test_user_handles_are_keyed_by_the_plain_app_id() -> None:
    """``emu.user(uid, app_id=...)``: one handle per (app, user) whatever the app id's
    own ``__hash__`` / ``__eq__`` say; a second handle would kick the first's login."""
    emu = Emulator(strict=True)
    first = emu.user("bob", app_id=Unstable(DEFAULT_APP_ID)).subscribe("room")
    again = emu.user("bob", app_id=Unstable(DEFAULT_APP_ID))
    assert first is again
    assert first is emu.user("bob")
    assert "CONNECTED" == first.link_state.value


@pytest.mark.parametrize(
    "verb",
    [
        lambda emu, app: emu.online_users("room", "MESSAGE", app_id=app),
        lambda emu, app: emu.user_channels("bob", app_id=app),
        lambda emu, app: emu.state_of("bob", "room", "MESSAGE", app_id=app),
        lambda emu, app: emu.set_delivery_latency("bob", 0, app_id=app),
        lambda emu, app: emu.set_presence_available("room", "MESSAGE", True, app_id=app),
        lambda emu, app: emu.disconnect("bob", app_id=app),
        lambda emu, app: (emu.disconnect("bob"), emu.reconnect("bob", app_id=app)),
    ],
    ids=[
        "online_users",
        "user_channels",
        "state_of",
        "set_delivery_latency",
        "outage",
        "disconnect",
        "reconnect",
    ],
)
def test_harness_verbs_never_ask_the_app_id_subclass(verb: Callable[[Emulator, str], Any]) -> None:
    emu = Emulator(strict=True)
    emu.user("bob").subscribe("room")
    verb(emu, Unstable(DEFAULT_APP_ID))  # no RuntimeError from its __ne__
    assert ["bob"] == emu.online_users("room", "MESSAGE", app_id=Unstable(DEFAULT_APP_ID))


# ---------------------------------------------------------- 3. re-entrant advance


def test_a_nested_advance_runs_to_its_target_and_the_outer_goes_on_from_there() -> None:
    """[ours] R-T1 re-entrant advance: time is monotonic and every timer fires once,
    in order, at its own time."""
    emu = Emulator(strict=True)
    start = emu.now_ms
    seen: list[tuple[str, int]] = []

    def nest() -> None:
        seen.append(("nest", emu.now_ms))
        emu.advance(5)

    def mark(label: str) -> Callable[[], None]:
        return lambda: seen.append((label, emu.now_ms))

    emu.at(1, nest)
    for t in (2, 3, 7):
        emu.at(t, mark(f"t{t}"))
    emu.advance(2)
    expected = [("nest", start + 1000), ("t2", start + 2000), ("t3", start + 3000)]
    assert expected == seen
    assert start + 6000 == emu.now_ms  # the nested call went further than the outer
    emu.advance(1)
    assert ("t7", start + 7000) == seen[-1]
    assert start + 7000 == emu.now_ms


def test_a_nested_shorter_advance_leaves_the_outer_target() -> None:
    emu = Emulator(strict=True)
    start = emu.now_ms
    times: list[int] = []

    def nest() -> None:
        emu.advance(0.5)
        times.append(emu.now_ms)

    emu.at(1, nest)
    emu.at(4, lambda: times.append(emu.now_ms))
    emu.advance(3)
    assert [start + 1500] == times
    assert start + 3000 == emu.now_ms
    emu.run_until(4)
    assert [start + 1500, start + 4000] == times


def test_a_listener_advancing_during_a_timer_keeps_time_monotonic() -> None:
    """A listener that hears a debounced REMOTE_LEAVE (a timer inside ``advance``) and
    advances the clock itself: the outer ``advance`` never moves the clock back."""
    emu = Emulator(strict=True)
    clocks: list[int] = []

    def listener(event: Any) -> None:
        clocks.append(emu.now_ms)
        if isinstance(event, PresenceEvent) and event.event_type.value == "REMOTE_LEAVE":
            emu.advance(60)
            clocks.append(emu.now_ms)

    alice = emu.user("alice").subscribe("room")
    alice.client.add_event_listener("presence", listener)
    emu.user("bob").subscribe("room").unsubscribe("room")
    before = emu.now_ms
    emu.advance(10)
    assert clocks == sorted(clocks)
    assert before + 10_000 < emu.now_ms
    assert clocks[-1] == emu.now_ms
    assert [] == emu.listener_errors


# ------------------------------------------------- 4. a listener's BaseException


def test_a_keyboard_interrupt_in_a_listener_leaks_no_events_into_the_next_call() -> None:
    """[ours] R-E9: the interrupt propagates from the call that was delivering (its
    change stands); the events it had not delivered are dropped, not handed on."""
    emu = Emulator(strict=True)
    heard: dict[str, list[str]] = {"alice": [], "bob": [], "carl": []}
    interrupt = [False]

    def recorder(uid: str) -> Callable[[Any], None]:
        def listen(event: Any) -> None:
            if isinstance(event, PresenceEvent):
                heard[uid].append(f"{event.event_type.value} {event.publisher}")
                if uid == "bob" and interrupt[0]:
                    interrupt[0] = False
                    raise KeyboardInterrupt

        return listen

    for uid in heard:
        emu.user(uid).subscribe("room").client.add_event_listener("presence", recorder(uid))
    for uid in heard:
        heard[uid].clear()
    interrupt[0] = True
    with pytest.raises(KeyboardInterrupt):
        emu.user("dave").subscribe("room")
    assert ["alice", "bob", "carl", "dave"] == emu.online_users("room", "MESSAGE")
    assert ["REMOTE_JOIN dave"] == heard["alice"] == heard["bob"]
    assert [] == heard["carl"]  # dropped
    emu.user("erin").subscribe("room")
    assert ["REMOTE_JOIN erin"] == heard["carl"]
    assert ["REMOTE_JOIN dave", "REMOTE_JOIN erin"] == heard["alice"]
    assert [] == emu.listener_errors
    emu.check_invariants()


# ------------------------------------------------------------ 5. harness arguments


def _emu() -> Emulator:
    return Emulator()


HARNESS_MISUSE: list[tuple[str, Callable[[], Any]]] = [
    ("run_until_idle str", lambda: _emu().run_until_idle(max_timers="5")),  # type: ignore[arg-type]
    ("run_until_idle negative", lambda: _emu().run_until_idle(max_timers=-1)),
    ("run_until_idle bool", lambda: _emu().run_until_idle(max_timers=True)),
    ("run_until_idle float", lambda: _emu().run_until_idle(max_timers=1.5)),  # type: ignore[arg-type]
    ("Emulator strict", lambda: Emulator(strict="yes")),  # type: ignore[arg-type]
    ("Emulator journal", lambda: Emulator(journal=0)),  # type: ignore[arg-type]
    ("at label", lambda: _emu().at(1, lambda: None, label=5)),  # type: ignore[arg-type]
    ("at action", lambda: _emu().at(1, "go")),  # type: ignore[arg-type]
    ("remove_state int", lambda: _emu().user("bob").remove_state("r", "MESSAGE", 5)),  # type: ignore[arg-type]
    ("remove_state str", lambda: _emu().user("bob").remove_state("r", "MESSAGE", "ab")),
    ("remove_state set", lambda: _emu().user("bob").remove_state("r", "MESSAGE", {"a"})),  # type: ignore[arg-type]
    ("subscribe with_presence", lambda: _emu().user("bob").subscribe("r", with_presence="no")),  # type: ignore[arg-type]
    ("subscribe be_quiet", lambda: _emu().user("bob").subscribe("r", be_quiet=1)),  # type: ignore[arg-type]
    ("join_stream with_presence", lambda: _emu().user("bob").join_stream("s", with_presence=None)),  # type: ignore[arg-type]
    ("join_stream be_quiet", lambda: _emu().user("bob").join_stream("s", be_quiet="")),  # type: ignore[arg-type]
]


@pytest.mark.parametrize("call", [c for _, c in HARNESS_MISUSE], ids=[n for n, _ in HARNESS_MISUSE])
def test_harness_misuse_is_a_config_error(call: Callable[[], Any]) -> None:
    with pytest.raises(ConfigError) as err:
        call()
    assert isinstance(err.value, ValueError)
    assert "must be" in str(err.value.detail)


@pytest.mark.parametrize("bad", [[], {}, None, 3.5, LyingStr("x" * 31)])
def test_user_with_a_bad_app_id_is_the_sdk_error_not_a_type_error(bad: Any) -> None:
    """``emu.user(app_id=[])`` used to be an unhashable-key ``TypeError``."""
    emu = Emulator()
    with pytest.raises(RtmError) as err:
        emu.user("bob", app_id=bad)
    assert (ErrorCode.INVALID_APP_ID, "initRTM") == (err.value.error_code, err.value.operation)


def test_a_handle_flag_error_changes_nothing() -> None:
    """The flags are checked before the handle logs in."""
    emu = Emulator(strict=True)
    bob = emu.user("bob")
    with pytest.raises(ConfigError):
        bob.subscribe("room", with_presence=1)  # type: ignore[arg-type]
    assert not bob.client.logged_in
    assert 0 == len(emu.journal)


def test_harness_arguments_still_accepted() -> None:
    emu = Emulator(strict=True, journal=False)
    bob = emu.user("bob").subscribe("room", with_presence=True, be_quiet=False)
    bob.set_state("room", "MESSAGE", {"a": "1", "b": "2"})
    bob.remove_state("room", "MESSAGE", ("a",)).remove_state("room", "MESSAGE", [])
    assert {} == emu.state_of("bob", "room", "MESSAGE")
    emu.at(1, lambda: None, label="tick")
    assert 1 == emu.run_until_idle(max_timers=1)
