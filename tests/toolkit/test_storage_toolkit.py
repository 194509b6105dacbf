"""The toolkit shows storage events (R-ST16): the journal's kind, JSON Lines, the
timeline and assert_events' failure report, the scripted user's verbs."""

from __future__ import annotations

import json

import pytest

from rtm_emulator import Emulator, StorageEvent
from rtm_emulator.testing import assert_events


def test_storage_events_are_journalled_and_rendered() -> None:
    emu = Emulator()
    emu.user("alice").subscribe("room")
    emu.user("bob").subscribe_user_metadata("alice")
    emu.user("alice").set_user_metadata([{"key": "mood", "value": "ok"}])
    stored = emu.journal.filter(kind="storage")
    assert [type(e) for _, e in stored] == [StorageEvent, StorageEvent]
    line = json.loads(stored.to_jsonl().splitlines()[1])
    assert ("bob", "storage", "UPDATE") == (
        line["recipient"],
        line["kind"],
        line["event"]["eventType"],
    )
    assert {"value": "ok", "revision": 1, "updated": 0, "authorUid": ""} == line["event"]["data"][
        "metadata"
    ]["mood"]
    text = emu.journal.timeline()
    assert "alice (USER)" in text and "-> bob: storage UPDATE USER rev 1 (1 item)" in text
    with pytest.raises(AssertionError) as caught:
        assert_events(emu, "bob", [("SNAPSHOT", "")])
    assert "storage SNAPSHOT USER rev 0 (0 items)" in str(caught.value)
