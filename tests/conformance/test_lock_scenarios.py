"""The lock scenarios (``r-lk*.toml``) say what the rules R-LK1..R-LK22 say.

Each scenario passes on the emulator (``test_kit.py``); these tests pin what the lock
scenarios are for, so a scenario edited into something weaker fails here: the server's
refusal codes (R-LK11), replies without waiting (R-LK12), Python calls that never
overlap (R-LK9), and lock-guarded storage writes (R-LK21, D-LK3).
"""

from __future__ import annotations

import asyncio

import pytest

from rtm_emulator import Emulator, EmulatorConfig, RtmError
from rtm_emulator.conformance import load_scenarios, run_scenario

LOCKS = [s for s in load_scenarios() if s.id.startswith("r-lk")]
LOCK_CALLS = {"setLock", "removeLock", "acquireLock", "releaseLock", "revokeLock", "getLock"}


def _by_rule(rule: str) -> list[str]:
    return [s.id for s in LOCKS if rule in s.rules]


def test_every_lock_rule_has_a_lock_scenario() -> None:
    covered = {rule for s in LOCKS for rule in s.rules}
    assert [] == [f"R-LK{i}" for i in range(1, 23) if f"R-LK{i}" not in covered]


def test_r_lk11_the_scenarios_show_each_refusal_code_of_the_server() -> None:
    """R-LK11: code 6 -14004, 7 -14007, 13 -14008, any other (the emulator's 2) -14001,
    each an ``RtmUnavailableError`` naming the method; the scenario passes."""
    (scenario,) = [s for s in LOCKS if s.id in _by_rule("R-LK11")]
    codes = {
        (step.error, step.call)
        for step in scenario.steps
        if step.error is not None and step.error_name == "RtmUnavailableError"
    }
    assert {-14001, -14004, -14007, -14008} <= {code for code, _ in codes}
    assert all(s.operation == s.call for s in scenario.steps if s.operation)
    assert "passed" == run_scenario(scenario).status


def test_r_lk12_lock_calls_are_answered_without_the_clock_moving() -> None:
    """R-LK12: the server answers at once: every lock call of a scenario without clock
    steps settles at the instant it was made, so the SDK's 10 s timeout never fires."""
    (scenario,) = [s for s in LOCKS if s.id in _by_rule("R-LK12")]
    assert not scenario.hooks
    result = run_scenario(scenario)
    assert "passed" == result.status
    calls = [r for r in result.records if r.kind == "call" and r.text.split()[0] in LOCK_CALLS]
    assert len(calls) >= 20
    assert {0} == {r.at_ms for r in calls}


async def test_r_lk9_python_lock_calls_settle_one_at_a_time() -> None:
    """R-LK9: two Python calls of one lock started together never overlap: the second
    setLock is the server's -14004 (the lock exists, D-LK2), not the SDK's -14003."""
    emu = Emulator(EmulatorConfig(), strict=True)
    alice = emu.client("alice")
    await alice.login()
    first, second = await asyncio.gather(
        alice.lock.set_lock("room", "MESSAGE", "L"),
        alice.lock.set_lock("room", "MESSAGE", "L"),
        return_exceptions=True,
    )
    assert not isinstance(first, BaseException)
    assert isinstance(second, RtmError) and -14004 == int(second.error_code)
    both = await asyncio.gather(
        alice.lock.get_lock("room", "MESSAGE"), alice.lock.get_lock("room", "MESSAGE")
    )
    assert [1, 1] == [got.total_locks for got in both]


@pytest.mark.parametrize("scenario", _by_rule("R-LK21"))
def test_r_lk21_d_lk3_a_held_lock_guards_storage_writes(scenario: str) -> None:
    """R-LK21, D-LK3: an acquire's revision is above 0, so its holder's lock-guarded
    write passes; anyone else's, and the holder's after the release, is -12008."""
    (found,) = [s for s in LOCKS if s.id == scenario]
    guarded = [s for s in found.steps if (s.options or {}).get("lockName")]
    assert {None, -12008} == {s.error for s in guarded}
    assert "passed" == run_scenario(found).status


def test_lock_events_are_described_as_locks_in_timelines_and_failures() -> None:
    """R-LK15: a lock SNAPSHOT lists locks (not users), other lock events their holder."""
    from rtm_emulator.conformance._matching import describe_event

    snapshot = {"eventType": "SNAPSHOT", "snapshot": [{"lockName": "L", "owner": "bob", "ttl": 10}]}
    assert describe_event(snapshot, "lock") == "lock SNAPSHOT [L by bob]"
    acquired = {"eventType": "ACQUIRED", "lockName": "L", "owner": "bob", "snapshot": []}
    assert describe_event(acquired, "lock") == "lock ACQUIRED L by bob"
    assert describe_event({"eventType": "REMOVED", "lockName": "L"}, "lock") == "lock REMOVED L"
