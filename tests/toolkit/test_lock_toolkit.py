"""The toolkit shows lock events (R-LK15): the journal's kind, JSON Lines, the timeline,
assert_events' failure report, and the scripted user's lock verbs (an election)."""

from __future__ import annotations

import json

import pytest

from rtm_emulator import Emulator, LockEvent, RtmError
from rtm_emulator._scripting import drive
from rtm_emulator.testing import assert_events


def test_an_election_by_scripted_users_is_journalled_and_rendered() -> None:
    emu = Emulator(strict=True)
    watcher = emu.client("carol")
    drive(watcher.login())
    drive(watcher.subscribe("room", {"withLock": True}))
    alice, bob = emu.user("alice"), emu.user("bob")
    alice.set_lock("room", "transcriber", ttl=10).acquire_lock("room", "transcriber")
    with pytest.raises(RtmError) as caught:
        bob.acquire_lock("room", "transcriber")
    assert int(caught.value.error_code) == -14007
    alice.disconnect()
    emu.advance(25)  # the server notices after 15 s (R-T2), then the 10 s TTL (D-LK8)
    bob.acquire_lock("room", "transcriber").release_lock("room", "transcriber")
    locks = emu.journal.filter(kind="lock", recipient="carol")
    assert all(type(e) is LockEvent for _, e in locks)
    assert [(e.event_type, e.owner) for _, e in locks] == [
        ("SNAPSHOT", ""),
        ("SET", ""),
        ("ACQUIRED", "alice"),
        ("RELEASED", ""),
        ("ACQUIRED", "bob"),
        ("RELEASED", ""),
    ]
    line = json.loads(locks.to_jsonl().splitlines()[2])
    assert ("carol", "lock", "ACQUIRED", "alice") == (
        line["recipient"],
        line["kind"],
        line["event"]["eventType"],
        line["event"]["owner"],
    )
    text = emu.journal.timeline()
    assert "-> carol: lock ACQUIRED transcriber by alice" in text
    assert "-> carol: lock SNAPSHOT (0 locks)" in text
    assert "+25.000s         -> carol: lock RELEASED transcriber" in text
    with pytest.raises(AssertionError) as report:
        assert_events(emu, "carol", [("SNAPSHOT", ""), ("REMOTE_JOIN", "dave")])
    assert "lock ACQUIRED transcriber by bob" in str(report.value)


def test_the_journal_has_a_kind_for_every_event_the_emulator_fires() -> None:
    from rtm_emulator._journal import KINDS
    from rtm_emulator._surface import FIRED_EVENT_NAMES

    assert sorted(KINDS) == sorted(FIRED_EVENT_NAMES)
