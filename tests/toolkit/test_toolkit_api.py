"""The test-double toolkit (api.md, "Test-double toolkit"): journal, scripted users,
time helpers and ``assert_events``.

Every test states the exact expected deliveries first and compares them with what the
emulator did; the journal is always cross-checked against what the listeners got.
"""

from __future__ import annotations

import asyncio
import functools
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from rtm_emulator import (
    DEFAULT_APP_ID,
    ChannelType,
    ConfigError,
    Emulator,
    EmulatorConfig,
    ErrorCode,
    LinkState,
    LinkStateEvent,
    PresenceEvent,
    PresenceEventType,
    RTMClient,
    RTMConfig,
    RtmError,
)
from rtm_emulator._journal import Journal, JournalEntry
from rtm_emulator._scripting import UserHandle, drive
from rtm_emulator.testing import assert_events, received

START = 1_735_689_600_000
APP = DEFAULT_APP_ID  # "RtmEmulatorDefaultAppId000000000"
#: a second app (R-C2: 32 letters or digits)
OTHER = "0123456789abcdef0123456789abcdef"
Event = PresenceEvent | LinkStateEvent
Log = list[tuple[str, Event]]


# ------------------------------------------------------------------ helpers


def tap(emu: Emulator, *user_ids: str, app_id: str = APP) -> Log:
    """Attach presence + linkState listeners to each scripted user's client (in order)."""
    log: Log = []
    for uid in user_ids:
        client = emu.user(uid, app_id=app_id).client
        for name in ("presence", "linkState"):
            client.add_event_listener(name, functools.partial(_append, log, uid))
    return log


def _append(log: Log, uid: str, event: Event) -> None:
    log.append((uid, event))


def kinds(pairs: Any) -> list[tuple[str, str, str, str]]:
    """``(recipient, event_type, publisher, channel)`` of the presence events of ``pairs``."""
    return [
        (r, e.event_type.value, e.publisher, e.channel_name)
        for r, e in pairs
        if isinstance(e, PresenceEvent)
    ]


def links(pairs: Any) -> list[tuple[str, str, str]]:
    """``(recipient, previous, current)`` of the link-state events of ``pairs``."""
    return [
        (r, e.previous_state.value, e.current_state.value)
        for r, e in pairs
        if isinstance(e, LinkStateEvent)
    ]


def lost_link(uid: str, until: float, *, since: float = 0.0) -> list[tuple[str, str, str, float]]:
    """R-T4, written out: ``(recipient, previous, current, seconds)`` of the link events of
    a client whose network goes at ``since`` and does not come back, up to ``until``.

    DISCONNECTED at once; attempts start 2 s after the loss, then 4, 8, 16, 32, 32 s and
    then 30 s after each failure; each attempt (CONNECTING) fails after 5 s, going back to
    DISCONNECTED, or to SUSPENDED once 115 s have passed since the first failure.
    """
    out = [(uid, "CONNECTED", "DISCONNECTED", since)]
    backoff = [2, 4, 8, 16, 32, 32]
    t, state, suspend_at = since, "DISCONNECTED", None
    for n in range(1000):
        t += backoff[n] if n < len(backoff) else 30
        if t > until:
            break
        out.append((uid, state, "CONNECTING", t))
        t += 5
        if t > until:
            break
        suspend_at = t + 115 if suspend_at is None else suspend_at
        state = "SUSPENDED" if t >= suspend_at else "DISCONNECTED"
        out.append((uid, "CONNECTING", state, t))
    return out


def links_at(emu: Emulator, recipient: str | None = None) -> list[tuple[str, str, str, float]]:
    """``(recipient, previous, current, seconds since the start)`` of the link events."""
    return [
        (e.recipient, e.event.previous_state.value, e.event.current_state.value, t)
        for e in emu.journal.entries
        if isinstance(e.event, LinkStateEvent) and (recipient is None or e.recipient == recipient)
        for t in [(e.delivered_at - START) / 1000]
    ]


@pytest.fixture
def quick() -> Iterator[Emulator]:
    """A strict emulator without debounce, so leaves are announced at once."""
    emulator = Emulator(EmulatorConfig(debounce=0), strict=True)
    yield emulator
    emulator.check_invariants()


def snapshot_of(emu: Emulator) -> tuple[Any, ...]:
    """Everything a failed call must leave alone."""
    users = ("alice", "bob")
    return (
        len(emu.journal),
        emu.last_seq,
        emu.now_ms,
        emu.pending_timers(),
        {u: emu.user_channels(u) for u in users},
        emu.online_users("room", "MESSAGE"),
        emu.online_users("stage", "STREAM"),
        {u: emu.state_of(u, "room", "MESSAGE") for u in users},
    )


# ================================================================== the journal


def test_journal_records_every_delivery_in_order_as_listeners_got_it(emu: Emulator) -> None:
    log = tap(emu, "alice", "bob", "carol")

    # a listener that calls back into the emulator (nested operation, R-E9)
    def on_presence(event: PresenceEvent) -> None:
        if event.event_type == "REMOTE_JOIN" and event.publisher == "carol":
            emu.user("alice").set_state("room", "MESSAGE", {"hi": "carol"})

    emu.user("alice").client.add_event_listener("presence", on_presence)
    emu.user("alice").subscribe("room")
    emu.user("bob").subscribe("room", with_presence=False)
    emu.user("carol").subscribe("room")
    emu.user("bob").unsubscribe("room")
    emu.user("carol").disconnect()
    emu.run_until_idle()  # R-T2: carol is timed out 5 + 10 + 300 s after the loss

    assert 315.0 == emu.elapsed
    assert [
        ("alice", "IDLE", "CONNECTING", 0.0),
        ("alice", "CONNECTING", "CONNECTED", 0.0),
        ("bob", "IDLE", "CONNECTING", 0.0),
        ("bob", "CONNECTING", "CONNECTED", 0.0),
        ("carol", "IDLE", "CONNECTING", 0.0),
        ("carol", "CONNECTING", "CONNECTED", 0.0),
        # R-T4: the retries until the timeout; after it they change nothing, so
        # run_until_idle stops there
        *lost_link("carol", until=315),
    ] == links_at(emu)
    assert ("carol", "CONNECTING", "SUSPENDED", 124.0) in links_at(emu)
    assert [
        ("alice", "SNAPSHOT", "", "room"),
        ("alice", "REMOTE_JOIN", "bob", "room"),
        ("alice", "REMOTE_JOIN", "carol", "room"),
        ("carol", "SNAPSHOT", "", "room"),
        ("carol", "REMOTE_STATE_CHANGED", "alice", "room"),
        ("alice", "REMOTE_LEAVE", "bob", "room"),
        ("alice", "REMOTE_TIMEOUT", "carol", "room"),
    ] == kinds(emu.journal)
    # exactly what the listeners got, object for object, in the same order
    assert log == list(emu.journal)
    seqs = [e.seq for _, e in emu.journal if isinstance(e, PresenceEvent)]
    assert list(range(1, 8)) == seqs


def test_journal_iteration_yields_recipient_event_pairs(emu: Emulator) -> None:
    assert 0 == len(emu.journal)
    assert not emu.journal
    assert [] == list(emu.journal)
    emu.user("alice").subscribe("room")

    pairs = list(emu.journal)
    assert 3 == len(emu.journal) == len(pairs)
    assert emu.journal
    for pair in pairs:
        assert isinstance(pair, tuple) and 2 == len(pair)
        assert "alice" == pair[0]
    assert [LinkStateEvent, LinkStateEvent, PresenceEvent] == [type(e) for _, e in pairs]
    # iterating twice gives the same thing (no consumption)
    assert pairs == list(emu.journal)


def test_journal_has_no_presence_events_for_disconnected_clients(emu: Emulator) -> None:
    """R-E9: nothing reaches a client while its link is down (link events do); R-T3 /
    R-T4: ``reconnect`` brings the network back and the link returns at the next retry
    (2 s after the loss), when bob catches up with what he missed."""
    log = tap(emu, "alice", "bob")
    emu.user("alice").subscribe("room")
    emu.user("bob").subscribe("room")
    emu.user("bob").disconnect()
    emu.advance(1)
    emu.user("carol").subscribe("room").set_state("room", "MESSAGE", {"k": "v"})
    emu.user("bob").reconnect()
    assert not emu.user("bob").client.connected  # the network only: no retry yet
    assert [("bob", "SNAPSHOT", "", "room")] == kinds(emu.journal.filter(recipient="bob"))

    emu.advance(1)  # the first retry, 2 s after the loss, finds the network back
    bob = emu.journal.filter(recipient="bob")
    assert [
        ("bob", "IDLE", "CONNECTING", 0.0),
        ("bob", "CONNECTING", "CONNECTED", 0.0),
        ("bob", "CONNECTED", "DISCONNECTED", 0.0),  # link events reach a disconnected client
        ("bob", "DISCONNECTED", "CONNECTING", 2.0),
        ("bob", "CONNECTING", "CONNECTED", 2.0),
    ] == links_at(emu, "bob")
    reconnected = [e.event for e in bob.entries if isinstance(e.event, LinkStateEvent)][-1]
    assert ("AUTO_RECONNECT", "RECONNECT_SUCCESS", True) == (
        reconnected.operation.value,
        reconnected.reason_code.value,
        reconnected.is_resumed,
    )
    assert [p for p in log if p[0] == "bob"] == list(bob)
    # nothing about carol while bob was down; what he gets of her comes at the retry
    late = [e for e in bob.entries if isinstance(e.event, PresenceEvent)][1:]
    assert late and all(START + 2000 == e.delivered_at for e in late)
    assert [("alice", "REMOTE_JOIN", "carol", "room")] == kinds(
        emu.journal.filter(recipient="alice", publisher="carol", event_type="REMOTE_JOIN")
    )


def test_r_t3_reconnect_replays_what_changed_instead_of_a_snapshot(emu: Emulator) -> None:
    """R-T3: the SDK keeps its replica through a loss (agora-rtm.js 2.3.0; oracle case
    events.others-while-down): after the link is back the client hears what changed while
    it was away, as events, and gets no second SNAPSHOT."""
    emu.user("alice").subscribe("room")
    emu.user("bob").subscribe("room")
    emu.user("bob").disconnect()
    emu.advance(1)
    emu.user("carol").subscribe("room").set_state("room", "MESSAGE", {"k": "v"})
    emu.user("bob").reconnect()
    emu.advance(1)
    assert [
        ("bob", "SNAPSHOT", "", "room"),
        ("bob", "REMOTE_JOIN", "carol", "room"),
        ("bob", "REMOTE_STATE_CHANGED", "carol", "room"),
    ] == kinds(emu.journal.filter(recipient="bob"))
    assert {"k": "v"} == dict(received(emu, "bob")[-1].state_changed)


def test_journal_records_deliveries_to_clients_without_listeners(emu: Emulator) -> None:
    emu.user("alice").subscribe("room")  # no listener attached at all
    assert [("alice", "SNAPSHOT", "", "room")] == kinds(emu.journal)


@pytest.fixture
def busy() -> Iterator[Emulator]:
    """Two apps; a MESSAGE and a STREAM channel both named "room", plus "lobby"."""
    emu = Emulator(EmulatorConfig(debounce=0), strict=True)
    emu.user("alice").subscribe("room").join_stream("room")
    emu.user("bob").subscribe("room").subscribe("lobby")
    emu.user("bob").join_stream("room")
    emu.user("bob").set_state("room", "MESSAGE", {"seat": "3"})
    emu.user("alice", app_id=OTHER).subscribe("room")
    emu.user("bob", app_id=OTHER).subscribe("room")
    emu.user("bob").unsubscribe("lobby")
    emu.journal.clear()  # (also proves clear: the link events above are gone)
    emu.user("carol").subscribe("room").subscribe("lobby")
    emu.user("bob").leave_stream("room")
    emu.user("bob", app_id=OTHER).set_state("room", "MESSAGE", {"x": "1"})
    yield emu
    emu.check_invariants()


def test_filter_by_each_criterion(busy: Emulator) -> None:
    j = busy.journal
    everything = [
        ("carol", "IDLE", "CONNECTING"),
        ("carol", "CONNECTING", "CONNECTED"),
        ("bob", "CONNECTED", "IDLE"),  # the stream channel's own link (R-T4: LEAVE)
    ]
    assert everything == links(j)
    assert [
        ("alice", "REMOTE_JOIN", "carol", "room"),
        ("bob", "REMOTE_JOIN", "carol", "room"),
        ("carol", "SNAPSHOT", "", "room"),
        ("carol", "SNAPSHOT", "", "lobby"),
        ("alice", "REMOTE_LEAVE", "bob", "room"),  # the STREAM "room"
        ("alice", "REMOTE_STATE_CHANGED", "bob", "room"),  # app OTHER
    ] == kinds(j)

    assert [
        ("alice", "REMOTE_JOIN", "carol", "room"),
        ("alice", "REMOTE_LEAVE", "bob", "room"),
        ("alice", "REMOTE_STATE_CHANGED", "bob", "room"),
    ] == kinds(j.filter(recipient="alice"))
    assert [("carol", "SNAPSHOT", "", "lobby")] == kinds(j.filter(channel="lobby"))
    # channel matches the name in both types and both apps
    assert 5 == len(j.filter(channel="room"))
    stream = [("alice", "REMOTE_LEAVE", "bob", "room")]
    assert stream == kinds(j.filter(channel_type="STREAM"))
    assert stream == kinds(j.filter(channel_type=ChannelType.STREAM))
    assert (
        5
        == len(j.filter(channel_type="MESSAGE"))
        == len(j.filter(channel_type=ChannelType.MESSAGE))
    )
    snaps = [("carol", "SNAPSHOT", "", "room"), ("carol", "SNAPSHOT", "", "lobby")]
    assert snaps == kinds(j.filter(event_type="SNAPSHOT"))
    assert snaps == kinds(j.filter(event_type=PresenceEventType.SNAPSHOT))
    assert [
        ("alice", "REMOTE_JOIN", "carol", "room"),
        ("bob", "REMOTE_JOIN", "carol", "room"),
    ] == kinds(j.filter(publisher="carol"))
    assert [("alice", "REMOTE_STATE_CHANGED", "bob", "room")] == kinds(j.filter(app_id=OTHER))
    assert 8 == len(j.filter(app_id=APP))
    assert 6 == len(j.filter(kind="presence"))
    assert everything == links(j.filter(kind="linkState"))
    assert 0 == len(j.filter(kind="linkState", event_type="SNAPSHOT"))
    # presence-only criteria never match link-state events
    assert [] == links(j.filter(recipient="carol", channel="room"))
    # criteria combine with AND
    assert [("alice", "REMOTE_JOIN", "carol", "room")] == kinds(
        j.filter(recipient="alice", app_id=APP, channel_type="MESSAGE")
    )
    # a filter is a Journal, can be filtered again, and is independent of the source
    sub = j.filter(recipient="carol")
    assert isinstance(sub, Journal)
    assert snaps == kinds(sub.filter(kind="presence"))
    j.clear()
    assert 4 == len(sub)
    assert 0 == len(j)


def test_filter_with_no_criteria_copies_everything(busy: Emulator) -> None:
    assert list(busy.journal) == list(busy.journal.filter())
    assert busy.journal.entries == busy.journal.filter().entries


def test_entries_carry_app_kind_and_delivery_time(busy: Emulator) -> None:
    entries = busy.journal.entries
    assert all(isinstance(e, JournalEntry) for e in entries)
    assert [(e.recipient, e.event) for e in entries] == list(busy.journal)
    assert ["linkState", "linkState"] + ["presence"] * 5 + ["linkState", "presence"] == [
        e.kind for e in entries
    ]
    assert [APP] * 8 + [OTHER] == [e.app_id for e in entries]
    assert all(e.delivered_at == START == e.event.timestamp for e in entries)
    # entries is a copy: changing it does not change the journal
    entries.clear()
    assert 9 == len(busy.journal)


def test_entries_show_late_delivery_under_latency_fault(emu: Emulator) -> None:
    log = tap(emu, "alice", "bob")
    emu.set_delivery_latency("alice", 1.5)
    emu.user("alice").subscribe("room")
    emu.user("bob").subscribe("room")
    assert [("bob", "SNAPSHOT", "", "room")] == kinds(emu.journal)  # alice's are in flight

    emu.advance(1.499)
    assert 1 == len(emu.journal.filter(kind="presence"))
    emu.advance(0.001)
    presence = [e for e in emu.journal.entries if e.kind == "presence"]
    assert [
        ("bob", "SNAPSHOT", 3, START, START),
        ("alice", "SNAPSHOT", 1, START, START + 1500),
        ("alice", "REMOTE_JOIN", 2, START, START + 1500),
    ] == [
        (e.recipient, e.event.event_type.value, e.event.seq, e.event.timestamp, e.delivered_at)
        for e in presence
        if isinstance(e.event, PresenceEvent)
    ]
    assert log == list(emu.journal)

    # a late event whose client is disconnected when it falls due is never delivered
    emu.user("carol").subscribe("room")
    emu.user("alice").disconnect()
    emu.advance(2)
    assert [] == kinds(emu.journal.filter(recipient="alice", publisher="carol"))
    assert log == [p for p in emu.journal if p[0] != "carol"]


def test_to_jsonl_round_trips_every_entry(busy: Emulator) -> None:
    text = busy.journal.to_jsonl()
    lines = text.splitlines()
    assert text.endswith("\n")
    assert len(busy.journal) == len(lines)
    records = [json.loads(line) for line in lines]
    for record, entry in zip(records, busy.journal.entries, strict=True):
        assert {"recipient", "appId", "kind", "deliveredAt", "event"} == set(record)
        assert entry.recipient == record["recipient"]
        assert entry.app_id == record["appId"]
        assert entry.kind == record["kind"]
        assert entry.delivered_at == record["deliveredAt"]
        body = entry.event.to_dict()
        if isinstance(entry.event, PresenceEvent):
            body["seq"] = entry.event.seq
        else:
            assert "seq" not in record["event"]
        assert body == record["event"]
    assert {
        "recipient": "alice",
        "appId": OTHER,
        "kind": "presence",
        "deliveredAt": START,
        "event": {
            "eventType": "REMOTE_STATE_CHANGED",
            "channelType": "MESSAGE",
            "channelName": "room",
            "publisher": "bob",
            "stateChanged": {"x": "1"},
            "interval": None,
            "snapshot": [],  # not a SNAPSHOT: [] (agora-rtm.js 2.3.0)
            "timestamp": START,
            "seq": busy.last_seq,
        },
    } == records[-1]
    assert [r["event"]["seq"] for r in records if r["kind"] == "presence"] == sorted(
        r["event"]["seq"] for r in records if r["kind"] == "presence"
    )


def test_to_jsonl_writes_to_a_file_object_and_keeps_unicode(emu: Emulator) -> None:
    assert "" == emu.journal.to_jsonl()
    emu.user("alice").subscribe("room")
    emu.user("bob").subscribe("room").set_state("room", "MESSAGE", {"mood": "😀 é"})
    out = io.StringIO()
    text = emu.journal.to_jsonl(out)
    assert text == out.getvalue()
    assert "😀 é" in text  # not \u-escaped
    last = json.loads(text.splitlines()[-1])
    assert {"mood": "😀 é"} == last["event"]["stateChanged"]


TIMELINE = """\
room (MESSAGE) [app RtmEmulatorDefaultAppId000000000]
     +0.000s  #1     -> alice: SNAPSHOT [alice]
     +1.000s  #2     -> alice: REMOTE_JOIN bob
     +1.000s  #3     -> bob: SNAPSHOT [alice, bob]
     +1.000s  #4     -> alice: REMOTE_STATE_CHANGED bob {'seat': '3'}
     +3.500s  #6     -> alice: REMOTE_LEAVE bob
stage (STREAM) [app RtmEmulatorDefaultAppId000000000]
     +1.000s  #5     -> bob: SNAPSHOT [bob]
     +1.000s         -> bob: TOPIC SNAPSHOT []
(link state) [app RtmEmulatorDefaultAppId000000000]
     +0.000s         -> alice: IDLE -> CONNECTING (LOGIN)
     +0.000s         -> alice: CONNECTING -> CONNECTED (LOGIN_SUCCESS)
     +1.000s         -> bob: IDLE -> CONNECTING (LOGIN)
     +1.000s         -> bob: CONNECTING -> CONNECTED (LOGIN_SUCCESS)
     +1.000s         -> bob: IDLE -> CONNECTING (JOIN) [STREAM stage]
     +1.000s         -> bob: CONNECTING -> CONNECTED (JOIN_SUCCESS) [STREAM stage]
"""


def test_timeline_renders_a_small_scenario_exactly(emu: Emulator) -> None:
    assert "(no events delivered)\n" == emu.journal.timeline()
    emu.user("alice").subscribe("room")
    emu.advance(1)
    emu.user("bob").subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})
    emu.user("bob").join_stream("stage")
    emu.advance(0.5)
    emu.user("bob").unsubscribe("room")
    emu.run_until_idle()
    assert TIMELINE == emu.journal.timeline()
    # start_ms moves the origin
    shifted = emu.journal.timeline(start_ms=START - 1000)
    assert "     +1.000s  #1     -> alice: SNAPSHOT [alice]" in shifted.splitlines()
    assert "     +4.500s  #6     -> alice: REMOTE_LEAVE bob" in shifted.splitlines()
    # a filtered journal's timeline starts at its own first delivery
    bob = emu.journal.filter(recipient="bob").timeline()
    assert (
        "room (MESSAGE) [app RtmEmulatorDefaultAppId000000000]\n"
        "     +0.000s  #3     -> bob: SNAPSHOT [alice, bob]\n"
        "stage (STREAM) [app RtmEmulatorDefaultAppId000000000]\n"
        "     +0.000s  #5     -> bob: SNAPSHOT [bob]\n"
        "     +0.000s         -> bob: TOPIC SNAPSHOT []\n"
        "(link state) [app RtmEmulatorDefaultAppId000000000]\n"
        "     +0.000s         -> bob: IDLE -> CONNECTING (LOGIN)\n"
        "     +0.000s         -> bob: CONNECTING -> CONNECTED (LOGIN_SUCCESS)\n"
        "     +0.000s         -> bob: IDLE -> CONNECTING (JOIN) [STREAM stage]\n"
        "     +0.000s         -> bob: CONNECTING -> CONNECTED (JOIN_SUCCESS) [STREAM stage]\n"
    ) == bob


def test_timeline_shows_interval_details() -> None:
    """R-E5: the INTERVAL line lists total, join, leave and states; a join and a leave of
    one user in one period (u8) cancel out."""
    emu = Emulator(EmulatorConfig(announce_max=8, interval=10.0), strict=True)
    for i in range(10):
        emu.user(f"u{i}").subscribe("room")
    emu.user("u9").set_state("room", "MESSAGE", {"k": "v"})
    emu.user("u8").unsubscribe("room")
    emu.run_until_idle()
    emu.user("u7").unsubscribe("room")
    emu.run_until_idle()
    lines = emu.journal.filter(recipient="u0", event_type="INTERVAL").timeline().splitlines()
    assert [
        "room (MESSAGE) [app RtmEmulatorDefaultAppId000000000]",
        "     +0.000s  #39    -> u0: INTERVAL total=9 join=['u9'] states={'u9': {'k': 'v'}}",
        "    +10.000s  #48    -> u0: INTERVAL total=8 leave=['u7']",
    ] == lines
    emu.check_invariants()


def test_clear_forgets_what_was_recorded(emu: Emulator) -> None:
    emu.user("alice").subscribe("room")
    emu.journal.clear()
    assert 0 == len(emu.journal)
    assert [] == received(emu, "alice")
    emu.user("bob").subscribe("room")
    assert [("alice", "REMOTE_JOIN", "bob", "room"), ("bob", "SNAPSHOT", "", "room")] == kinds(
        emu.journal
    )
    assert [2, 3] == [e.seq for _, e in emu.journal if isinstance(e, PresenceEvent)]
    assert_events(emu, "alice", [("REMOTE_JOIN", "bob")])


def test_journal_off_records_nothing_but_listeners_still_get_events() -> None:
    emu = Emulator(journal=False, strict=True)
    log = tap(emu, "alice", "bob")
    emu.user("alice").subscribe("room")
    emu.user("bob").subscribe("room").unsubscribe("room")
    emu.run_until_idle()
    assert 8 == len(log)  # alice: 2 link + 3 presence; bob: 2 link + SNAPSHOT
    assert 0 == len(emu.journal)
    assert [] == list(emu.journal)
    assert "" == emu.journal.to_jsonl()
    assert "(no events delivered)\n" == emu.journal.timeline()
    assert [] == received(emu, "alice")
    emu.check_invariants()


# ================================================================== scripted users


def test_user_returns_one_handle_per_user_and_app(emu: Emulator) -> None:
    bob = emu.user("bob")
    assert isinstance(bob, UserHandle)
    assert bob is emu.user("bob")
    assert bob is emu.user("bob", config=RTMConfig(presence_timeout=20))  # config: first call
    other = emu.user("bob", app_id=OTHER)
    assert other is not bob
    assert other is emu.user("bob", app_id=OTHER)
    assert "bob" == bob.user_id == other.user_id
    assert "<UserHandle 'bob' of app 'RtmEmulatorDefaultAppId000000000'>" == repr(bob)
    assert "<UserHandle 'bob' of app '0123456789abcdef0123456789abcdef'>" == repr(other)
    # nothing happens until the handle is used
    assert not bob.client.logged_in
    assert 0 == len(emu.journal)


@pytest.mark.parametrize("bad", ["", "_bob", "a.b", "a/b", "x" * 65, 7])
def test_user_rejects_a_bad_user_id(emu: Emulator, bad: Any) -> None:
    """R-C1: -10006 for an id the SDK refuses ("null" is not one of them)."""
    with pytest.raises(RtmError) as err:
        emu.user(bad)
    assert ErrorCode.INVALID_USER_ID == err.value.error_code
    assert "null" == emu.user("null").subscribe("room").user_id
    assert ["null"] == emu.online_users("room", "MESSAGE")


@pytest.mark.parametrize("bad", ["", "emulator", "0123456789abcdef0123456789abcde!", 7])
def test_user_rejects_a_bad_app_id(emu: Emulator, bad: Any) -> None:
    """R-C2: the app id is 32 ASCII letters or digits, else -10003 (operation initRTM)."""
    with pytest.raises(RtmError) as err:
        emu.user("bob", app_id=bad)
    assert (ErrorCode.INVALID_APP_ID, "initRTM") == (err.value.error_code, err.value.operation)
    assert 0 == len(emu.journal)


def test_handle_client_is_an_ordinary_async_client(emu: Emulator) -> None:
    bob = emu.user("bob", config=RTMConfig(presence_timeout=20))
    assert isinstance(bob.client, RTMClient)
    assert bob.client is emu.user("bob").client
    assert APP == bob.client.app_id
    bob.subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})

    async def query() -> tuple[Any, ...]:
        who = await bob.client.presence.get_online_users("room", "MESSAGE", include_state=True)
        state = await bob.client.presence.get_state("bob", "room", "MESSAGE")
        await bob.client.subscribe("lobby", {"withPresence": False})
        return who, state

    who, state = asyncio.run(query())
    assert [("bob", {"seat": "3"})] == [(o.user_id, dict(o.states)) for o in who.occupants]
    assert {"seat": "3"} == dict(state.states)
    assert [(ChannelType.MESSAGE, "lobby"), (ChannelType.MESSAGE, "room")] == emu.user_channels(
        "bob"
    )
    # the handle's config applies: the server times bob out after 5 + 10 + 20 s (R-T2)
    bob.disconnect()
    assert (START + 35_000, f"server times out 'bob' of app '{APP}'") in emu.pending_timers()


def test_first_use_logs_in(emu: Emulator) -> None:
    log = tap(emu, "bob")
    emu.user("bob").subscribe("room")
    assert emu.user("bob").client.logged_in
    assert [
        ("bob", "IDLE", "CONNECTING"),
        ("bob", "CONNECTING", "CONNECTED"),
    ] == links(log)
    assert [("bob", "SNAPSHOT", "", "room")] == kinds(log)
    # later actions do not log in again
    emu.user("bob").set_state("room", "MESSAGE", {"a": "1"})
    assert 2 == len(links(log))


def test_chainable_actions_have_exact_effects(quick: Emulator) -> None:
    emu = quick
    alice_log = tap(emu, "alice")
    alice = emu.user("alice").subscribe("room").join_stream("stage")
    bob = emu.user("bob")
    del alice_log[:]

    def seen() -> list[tuple[str, str, str, dict[str, str]]]:
        out = [
            (e.event_type.value, e.publisher, e.channel_name, dict(e.state_changed))
            for _, e in alice_log
            if isinstance(e, PresenceEvent)
        ]
        del alice_log[:]
        return out

    assert bob is bob.subscribe("room")
    assert [("REMOTE_JOIN", "bob", "room", {})] == seen()
    assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")

    assert bob is bob.set_state("room", "MESSAGE", {"seat": "3", "mood": "ok"})
    assert [("REMOTE_STATE_CHANGED", "bob", "room", {"seat": "3", "mood": "ok"})] == seen()
    assert bob is bob.remove_state("room", "MESSAGE", ["seat"])
    assert [("REMOTE_STATE_CHANGED", "bob", "room", {"mood": "ok"})] == seen()
    assert bob is bob.remove_state("room", "MESSAGE")
    assert [("REMOTE_STATE_CHANGED", "bob", "room", {})] == seen()
    bob.set_state("room", ChannelType.MESSAGE, {"a": "1"}).remove_state("room", "MESSAGE", [])
    assert [
        ("REMOTE_STATE_CHANGED", "bob", "room", {"a": "1"}),
        ("REMOTE_STATE_CHANGED", "bob", "room", {}),
    ] == seen()

    assert bob is bob.join_stream("stage")
    assert [("REMOTE_JOIN", "bob", "stage", {})] == seen()
    bob.set_state("stage", "STREAM", {"mic": "on"})
    assert [("REMOTE_STATE_CHANGED", "bob", "stage", {"mic": "on"})] == seen()
    assert bob is bob.leave_stream("stage")
    assert [("REMOTE_LEAVE", "bob", "stage", {})] == seen()
    assert {} == emu.state_of("bob", "stage", "STREAM")

    assert bob is bob.disconnect()
    assert LinkState.DISCONNECTED == bob.link_state
    assert bob is bob.set_state("room", "MESSAGE", {"away": "1"})  # R-T3: kept locally
    assert [] == seen()
    assert bob is bob.reconnect()  # R-T3: the network only
    assert LinkState.DISCONNECTED == bob.link_state
    emu.advance(2)  # R-T4: the first retry, 2 s after the loss, reconnects
    assert LinkState.CONNECTED == bob.link_state
    # before the server's timeout: others see only the state written while down
    assert [("REMOTE_STATE_CHANGED", "bob", "room", {"away": "1"})] == seen()

    bob.join_stream("stage")
    seen()
    assert bob is bob.logout()
    assert LinkState.IDLE == bob.link_state
    assert [("REMOTE_LEAVE", "bob", "room", {}), ("REMOTE_LEAVE", "bob", "stage", {})] == seen()
    assert [] == emu.user_channels("bob")

    assert bob is bob.login()
    assert bob.client.logged_in
    assert [] == emu.user_channels("bob")
    assert [] == seen()
    assert bob is bob.login()  # again: a no-op (R-L3)

    # options: quiet users are invisible, deaf users get no SNAPSHOT
    bob_log = tap(emu, "bob")
    bob.subscribe("room", be_quiet=True)
    assert [] == seen()
    assert ["alice"] == emu.online_users("room", "MESSAGE")
    assert [(ChannelType.MESSAGE, "room")] == emu.user_channels("bob")
    assert [("bob", "SNAPSHOT", "", "room")] == kinds(bob_log)
    bob.join_stream("stage", with_presence=False)
    assert [("REMOTE_JOIN", "bob", "stage", {})] == seen()
    assert [("bob", "SNAPSHOT", "", "room")] == kinds(bob_log)
    alice.unsubscribe("room")
    assert [(ChannelType.STREAM, "stage")] == emu.user_channels("alice")


def test_handle_logs_in_again_after_logout_or_kick(quick: Emulator) -> None:
    """R-L2: after a logout the handle logs in again with no channels; R-T4 / R-L3: after
    a kick (FAILED) it logs in again and the SDK restores the channels it had."""
    emu = quick
    bob = emu.user("bob").subscribe("room")
    bob.logout().subscribe("lobby")
    assert LinkState.CONNECTED == bob.link_state
    assert [(ChannelType.MESSAGE, "lobby")] == emu.user_channels("bob")

    other = emu.client("bob")
    drive(other.login())  # kicks the handle's client (R-T4: SAME_UID_LOGIN)
    assert LinkState.FAILED == bob.link_state
    assert [] == emu.online_users("lobby", "MESSAGE")  # the old session left (debounce 0)
    assert [] == emu.user_channels("bob")  # the new session has none
    bob.subscribe("room")  # logs in again (RELOGIN), kicking `other`
    assert LinkState.CONNECTED == bob.link_state
    assert LinkState.FAILED == other.link_state
    assert [(ChannelType.MESSAGE, "lobby"), (ChannelType.MESSAGE, "room")] == emu.user_channels(
        "bob"
    )
    relogin = [e for _, e in emu.journal if isinstance(e, LinkStateEvent)][-3]
    assert ("FAILED", "CONNECTING", "RELOGIN") == (
        relogin.previous_state.value,
        relogin.current_state.value,
        relogin.reason_code.value,
    )


LONG_VALUE = "x" * 16385  # R-S3: one byte over 16384
LONG_KEY = "k" * 33  # R-S3: one byte over 32

#: action -> (code, the handle's call); ``_client_error`` makes the same call async
HANDLE_ERRORS: dict[str, tuple[int, Callable[[UserHandle], object]]] = {
    "subscribe-bad-name": (-10008, lambda h: h.subscribe("a.b")),
    "unsubscribe-bad-name": (-10008, lambda h: h.unsubscribe("_lobby")),
    "join-bad-name": (-10008, lambda h: h.join_stream("_stage")),
    "leave-not-joined": (-11001, lambda h: h.leave_stream("stage")),
    "set-bad-type": (-10019, lambda h: h.set_state("room", "USER", {"a": "1"})),
    "set-empty": (-13003, lambda h: h.set_state("room", "MESSAGE", {})),
    "set-too-many": (
        -13005,
        lambda h: h.set_state("room", "MESSAGE", {f"k{i}": "v" for i in range(33)}),
    ),
    "set-bad-key": (-13006, lambda h: h.set_state("room", "MESSAGE", {"_a": "1"})),
    "set-long-key": (-13008, lambda h: h.set_state("room", "MESSAGE", {LONG_KEY: "1"})),
    "set-long-value": (-13009, lambda h: h.set_state("room", "MESSAGE", {"a": LONG_VALUE})),
    "remove-bad-key": (-13006, lambda h: h.remove_state("room", "MESSAGE", [""])),
    "remove-duplicate": (-13010, lambda h: h.remove_state("room", "MESSAGE", ["a", "a"])),
    "remove-bad-name": (-10008, lambda h: h.remove_state("a.b", "MESSAGE")),
}


async def _client_error(emu: Emulator, action: str) -> RtmError:
    """The error the async client raises for the same failing action."""
    client = emu.client("bob")
    await client.login()
    await client.subscribe("room")
    await client.presence.set_state("room", "MESSAGE", {"seat": "3"})
    p = client.presence
    calls: dict[str, Callable[[], Any]] = {
        "subscribe-bad-name": lambda: client.subscribe("a.b"),
        "unsubscribe-bad-name": lambda: client.unsubscribe("_lobby"),
        "join-bad-name": lambda: client.create_stream_channel("_stage").join(),
        "leave-not-joined": lambda: client.create_stream_channel("stage").leave(),
        "set-bad-type": lambda: p.set_state("room", "USER", {"a": "1"}),
        "set-empty": lambda: p.set_state("room", "MESSAGE", {}),
        "set-too-many": lambda: p.set_state("room", "MESSAGE", {f"k{i}": "v" for i in range(33)}),
        "set-bad-key": lambda: p.set_state("room", "MESSAGE", {"_a": "1"}),
        "set-long-key": lambda: p.set_state("room", "MESSAGE", {LONG_KEY: "1"}),
        "set-long-value": lambda: p.set_state("room", "MESSAGE", {"a": LONG_VALUE}),
        "remove-bad-key": lambda: p.remove_state("room", "MESSAGE", states=[""]),
        "remove-duplicate": lambda: p.remove_state("room", "MESSAGE", states=["a", "a"]),
        "remove-bad-name": lambda: p.remove_state("a.b", "MESSAGE"),
    }
    try:
        await calls[action]()
    except RtmError as exc:
        return exc
    raise AssertionError(f"{action} did not fail")


@pytest.mark.parametrize("action", sorted(HANDLE_ERRORS))
def test_handle_errors_match_the_async_client_and_change_nothing(
    emu: Emulator, action: str
) -> None:
    """R-X1 / R-S3: the handle raises the async client's error, code, reason and all;
    the failed call changes nothing and emits nothing."""
    code, call = HANDLE_ERRORS[action]
    emu.user("alice").subscribe("room").join_stream("stage")
    bob = emu.user("bob").subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})
    before = snapshot_of(emu)
    with pytest.raises(RtmError) as err:
        call(bob)
    assert code == err.value.error_code
    assert before == snapshot_of(emu)

    twin = Emulator(strict=True)
    expected = asyncio.run(_client_error(twin, action))
    assert expected.to_dict() == err.value.to_dict()


def test_handle_network_switch_needs_a_logged_in_handle(emu: Emulator) -> None:
    """``disconnect`` / ``reconnect`` do not log in: on a handle that is not logged in they
    are the emulator's ConfigError (-10002 is never raised in revision 2, R-X2)."""
    bob = emu.user("bob")
    for call, name in ((bob.disconnect, "disconnect"), (bob.reconnect, "reconnect")):
        with pytest.raises(ConfigError) as err:
            call()
        assert (ErrorCode.INVALID_PARAMETER, name) == (err.value.error_code, err.value.operation)
    assert LinkState.IDLE == bob.link_state
    assert 0 == len(emu.journal)


def test_handle_while_the_link_is_down(emu: Emulator) -> None:
    """R-T3: while down, state changes and unsubscribe work locally (synced when the link
    is back), a subscribe is queued once the session is older than heartbeatInterval
    (5 s), everything else fails with -10025 and changes nothing; the handle refuses a
    login, which would wait for the reconnect (R-L3)."""
    alice_log = tap(emu, "alice")
    emu.user("alice").subscribe("room")
    bob = emu.user("bob").subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})
    bob.disconnect()
    before = snapshot_of(emu)
    refused: list[Callable[[], object]] = [
        lambda: bob.subscribe("lobby"),  # the session is younger than 5 s: not queued
        lambda: drive(bob.client.presence.who_now("room", "MESSAGE")),
        lambda: drive(bob.client.presence.where_now("alice")),
        lambda: drive(bob.client.presence.get_state("alice", "room", "MESSAGE")),
    ]
    for call in refused:
        with pytest.raises(RtmError) as err:
            call()
        assert ErrorCode.NOT_CONNECTED == err.value.error_code
        assert before == snapshot_of(emu)
    with pytest.raises(RuntimeError, match="wait for the reconnect"):
        bob.login()
    assert before == snapshot_of(emu)
    bob.disconnect()  # again: a no-op
    assert before == snapshot_of(emu)

    del alice_log[:]
    bob.set_state("room", "MESSAGE", {"mood": "away"}).remove_state("room", "MESSAGE", ["seat"])
    bob.set_state("lobby", "MESSAGE", {"cached": "1"})  # not in lobby: the cache only
    assert {"mood": "away"} == drive(bob.client.presence.get_state("bob", "room", "MESSAGE")).states
    emu.advance(6)  # now the session is older than heartbeatInterval
    bob.subscribe("lobby")  # queued (R-T3): resolves now, made when the link is back
    assert [] == kinds(alice_log)  # nothing reaches the server while down
    assert [(ChannelType.MESSAGE, "room")] == emu.user_channels("bob")

    bob.reconnect()
    while bob.link_state is not LinkState.CONNECTED:
        emu.advance_to_next_event()
    # R-T4: the attempt at 2 s failed at 7 s (network down); the next one, 4 s later, works
    assert 11.0 == emu.elapsed
    assert [("alice", "REMOTE_STATE_CHANGED", "bob", "room")] == kinds(alice_log)
    assert {"mood": "away"} == emu.state_of("bob", "room", "MESSAGE")
    assert [(ChannelType.MESSAGE, "lobby"), (ChannelType.MESSAGE, "room")] == emu.user_channels(
        "bob"
    )
    assert {"cached": "1"} == emu.state_of("bob", "lobby", "MESSAGE")  # R-S4 applied


def test_failed_first_action_keeps_only_the_login(emu: Emulator) -> None:
    """The handle's login is a step of its own; the failed action itself changes nothing."""
    with pytest.raises(RtmError) as err:
        emu.user("bob").leave_stream("stage")
    assert ErrorCode.CHANNEL_NOT_JOINED == err.value.error_code  # R-L5
    assert emu.user("bob").client.logged_in
    assert [("bob", "CONNECTING"), ("bob", "CONNECTED")] == [
        (uid, event.current_state.value) for uid, event in emu.journal
    ]
    assert [] == emu.user_channels("bob")


def test_drive_runs_a_coroutine_without_an_event_loop(emu: Emulator) -> None:
    client = emu.client("bob")
    response = drive(client.login())
    assert 0 == response.timestamp  # R-Q7
    drive(client.subscribe("room"))
    who = drive(client.presence.get_online_users("room", "MESSAGE"))
    assert ["bob"] == [o.user_id for o in who.occupants]
    with pytest.raises(RtmError) as err:
        drive(client.create_stream_channel("stage").leave())
    assert ErrorCode.CHANNEL_NOT_JOINED == err.value.error_code

    async def plain() -> int:
        return 42

    assert 42 == drive(plain())

    closed = []

    async def suspends() -> None:
        try:
            await asyncio.sleep(0)
        finally:
            closed.append(True)

    with pytest.raises(RuntimeError, match="suspended"):
        drive(suspends())
    assert [True] == closed  # the coroutine was closed, not leaked


# ================================================================== time helpers


def test_next_timer_at_and_pending_timers(emu: Emulator) -> None:
    """R-E6 (the debounce timer), R-T2 / R-T4 (a lost client's retry and timeout)."""
    assert emu.next_timer_at is None
    assert [] == emu.pending_timers()
    emu.user("alice").subscribe("room")
    assert emu.next_timer_at is None

    emu.advance(1)
    emu.user("bob", config=RTMConfig(presence_timeout=5)).subscribe("room").unsubscribe("room")
    assert START + 3000 == emu.next_timer_at  # debounce (2 s)
    label = "debounced removal of the document of 'bob' in MESSAGE channel 'room'"
    assert [(START + 3000, label)] == emu.pending_timers()
    emu.user("bob").subscribe("room")  # back within the window: the leave is cancelled
    assert emu.next_timer_at is None

    emu.user("bob").disconnect()
    assert [
        (START + 3000, "reconnect attempt 1 of 'bob'"),  # 2 s after the loss
        (START + 21_000, f"server times out 'bob' of app '{APP}'"),  # 1 + 5 + 10 + 5 s
    ] == emu.pending_timers()
    assert START + 3000 == emu.next_timer_at
    # pure: looking does not fire anything
    assert START + 1000 == emu.now_ms


def test_advance_to_next_event_fires_everything_due_then(emu: Emulator) -> None:
    assert emu.advance_to_next_event() is None
    assert START == emu.now_ms
    emu.user("alice").subscribe("room")
    emu.user("bob").subscribe("room")
    emu.user("carol").subscribe("room")
    emu.advance(0.25)
    emu.user("bob").unsubscribe("room")
    emu.user("carol").unsubscribe("room")
    emu.journal.clear()

    assert START + 2250 == emu.advance_to_next_event()
    assert START + 2250 == emu.now_ms
    assert [
        ("alice", "REMOTE_LEAVE", "bob", "room"),
        ("alice", "REMOTE_LEAVE", "carol", "room"),
    ] == kinds(emu.journal)
    assert emu.advance_to_next_event() is None
    assert START + 2250 == emu.now_ms


def test_run_until_idle_fires_leaves_and_timeouts_then_stops(emu: Emulator) -> None:
    """api.md: run_until_idle stops when no pending timer would deliver or change
    anything: the retries of a client whose network is down and whom the server has
    timed out (R-T2) do not keep it going, so it ends at the timeout."""
    assert 0 == emu.run_until_idle()
    emu.user("alice").subscribe("room")
    emu.user("bob").subscribe("room").unsubscribe("room")
    emu.user("carol", config=RTMConfig(presence_timeout=5)).subscribe("room").disconnect()
    emu.journal.clear()

    # the leave, carol's attempts at 2 and 11 s and their failures, the timeout at 20 s
    assert 6 == emu.run_until_idle()
    assert [
        ("alice", "REMOTE_LEAVE", "bob", START + 2_000),
        ("carol", "CONNECTING", "", START + 2_000),
        ("carol", "DISCONNECTED", "", START + 7_000),
        ("carol", "CONNECTING", "", START + 11_000),
        ("carol", "DISCONNECTED", "", START + 16_000),
        ("alice", "REMOTE_TIMEOUT", "carol", START + 20_000),  # 5 + 10 + 5 s (R-T2)
    ] == [
        (
            e.recipient,
            e.event.event_type.value
            if isinstance(e.event, PresenceEvent)
            else e.event.current_state.value,
            e.event.publisher if isinstance(e.event, PresenceEvent) else "",
            e.delivered_at,
        )
        for e in emu.journal.entries
    ]
    assert START + 20_000 == emu.now_ms  # stops at the last timer it fired
    # carol keeps retrying (the next attempt at 24 s), but nothing would change
    assert START + 24_000 == emu.next_timer_at
    assert 0 == emu.run_until_idle()
    assert START + 20_000 == emu.now_ms
    # once her network is back, the next retry matters again: she reconnects at 24 s
    emu.user("carol").reconnect()
    assert 1 == emu.run_until_idle()
    assert LinkState.CONNECTED == emu.user("carol").link_state
    assert START + 24_000 == emu.now_ms
    # after the server's timeout she re-enters her channels (R-T3)
    assert ("alice", "REMOTE_JOIN", "carol", "room") == kinds(
        emu.journal.filter(recipient="alice")
    )[-1]


def _boundaries(emu: Emulator) -> list[int]:
    """Due times of the pending INTERVAL boundaries (one timer per cohort of listeners
    that entered interval mode together, R-E5)."""
    return [due for due, label in emu.pending_timers() if label.startswith("INTERVAL boundary")]


def test_run_until_idle_ends_in_interval_mode_with_nothing_to_report() -> None:
    """R-E5 with api.md's run_until_idle: a boundary with nothing to report does not keep
    it going; the leave that takes a client below the threshold ends interval mode at
    once, with a flush INTERVAL, and later leaves are announced again."""
    emu = Emulator(EmulatorConfig(announce_max=8, interval=10.0), strict=True)
    for i in range(10):
        emu.user(f"u{i}").subscribe("room")
    due = _boundaries(emu)
    assert due and {START + 10_000} == set(due)  # 10 s after each client's entry

    assert len(due) == emu.run_until_idle()  # the boundaries that report u8 and u9
    assert START + 10_000 == emu.now_ms
    # u0..u7 hear of u8 and u9, u8 of u9; u9's SNAPSHOT already had everyone
    assert 9 == len(emu.journal.filter(event_type="INTERVAL"))
    # still in interval mode: boundaries are pending, but they would report nothing
    assert START + 20_000 == emu.next_timer_at
    assert 0 == emu.run_until_idle()
    assert START + 10_000 == emu.now_ms

    emu.user("u3").set_state("room", "MESSAGE", {"k": "v"})
    assert len(_boundaries(emu)) == emu.run_until_idle()
    assert START + 20_000 == emu.now_ms
    assert 18 == len(emu.journal.filter(event_type="INTERVAL"))  # u3 hears nothing of itself

    # two leave: 8 users are still at the threshold, so the next boundary reports them
    emu.user("u1").unsubscribe("room")
    emu.user("u2").unsubscribe("room")
    assert 2 + len(_boundaries(emu)) == emu.run_until_idle()  # two debounced removals
    assert START + 30_000 == emu.now_ms
    last = emu.journal.filter(recipient="u0", event_type="INTERVAL").entries[-1].event
    assert isinstance(last, PresenceEvent) and last.interval is not None
    assert (("u1", "u2"), 8) == (last.interval.leave.users, last.interval.total_occupancy)

    # one more leave takes u0 below 8: a flush INTERVAL at once, then announce mode
    emu.user("u5").unsubscribe("room")
    emu.run_until_idle()
    flush = emu.journal.filter(recipient="u0", event_type="INTERVAL").entries[-1]
    assert isinstance(flush.event, PresenceEvent) and flush.event.interval is not None
    assert START + 32_000 == flush.delivered_at  # the removal after the 2 s debounce
    assert (("u5",), 7) == (flush.event.interval.leave.users, flush.event.interval.total_occupancy)
    assert emu.next_timer_at is None  # no boundaries any more
    emu.user("u6").unsubscribe("room")
    emu.run_until_idle()
    assert [("u0", "REMOTE_LEAVE", "u6", "room")] == kinds(
        emu.journal.filter(recipient="u0", event_type="REMOTE_LEAVE")
    )
    emu.check_invariants()


def test_run_until_idle_guards_against_endless_scripts(emu: Emulator) -> None:
    def again() -> None:
        emu.at(emu.elapsed + 1, again)

    emu.at(1, again)
    with pytest.raises(RuntimeError, match="more than 50"):
        emu.run_until_idle(max_timers=50)


def test_at_and_run_until_stage_a_crowd() -> None:
    """20 people join, 3 drop off the network (2 come back), one times out."""
    emu = Emulator(EmulatorConfig(announce_max=10, interval=30.0), strict=True)
    people = [f"u{i:02}" for i in range(1, 21)]
    for uid in people:
        emu.user(uid, config=RTMConfig(presence_timeout=5))  # timed out 15 + 5 s after loss
    emu.user("me").subscribe("room")

    emu.at(12.0, lambda: [emu.user(u).subscribe("room") for u in people])
    emu.at(20.0, lambda: [emu.user(u).disconnect() for u in people[:3]])
    emu.at(30.0, lambda: [emu.user(u).reconnect() for u in people[:2]])
    emu.run_until(60)

    assert 60.0 == emu.elapsed
    assert_events(
        emu,
        "me",
        [("SNAPSHOT", "")]
        # announce mode until the 11th user tips the channel over announce_max (R-E5)
        + [
            {"eventType": "REMOTE_JOIN", "publisher": u, "timestamp": START + 12_000}
            for u in people[:9]
        ]
        + [
            {
                "eventType": "INTERVAL",
                "publisher": "",
                "timestamp": START + 42_000,
                "interval": {
                    "join": {"users": people[9:], "userCount": 11},
                    "leave": {"users": [], "userCount": 0},
                    "timeout": {"users": ["u03"], "userCount": 1},
                    "userStateList": [],
                    "totalOccupancy": 20,
                },
            }
        ],
    )
    # R-E5 per client: everyone who stayed connected has its first boundary 30 s after
    # entering interval mode at 12 s; u01 and u02 came back at 31 s (their first retry
    # after the network returned at 30 s: R-T4) and count their periods from then
    intervals = emu.journal.filter(event_type="INTERVAL")
    assert ["me", *people[3:]] == [r for r, _ in intervals]
    assert [("u03", "REMOTE_JOIN", "u09", "room")] == kinds(
        emu.journal.filter(recipient="u03").filter(publisher="u09")
    )
    back = [e for e in emu.journal.entries if isinstance(e.event, LinkStateEvent)]
    assert [("u01", 31.0), ("u02", 31.0)] == [
        (e.recipient, (e.delivered_at - START) / 1000)
        for e in back
        if e.event.reason_code.value == "RECONNECT_SUCCESS"
    ]
    assert START + 61_000 == emu.next_timer_at
    due = [b for b in _boundaries(emu) if b == START + 61_000]
    assert due and len(due) == emu.run_until_idle()  # u01's and u02's: u03's timeout
    assert 61.0 == emu.elapsed
    late = emu.journal.filter(event_type="INTERVAL").entries[-2:]
    assert [("u01", ("u03",), 20), ("u02", ("u03",), 20)] == [
        (e.recipient, e.event.interval.timeout.users, e.event.interval.total_occupancy)
        for e in late
        if isinstance(e.event, PresenceEvent) and e.event.interval is not None
    ]
    # what is left changes nothing: boundaries with nothing to report, and u03's retries
    # (its network is down and the server has timed it out, R-T2)
    assert emu.next_timer_at is not None
    assert 0 == emu.run_until_idle()
    assert 61.0 == emu.elapsed
    assert 1 == len(emu.journal.filter(recipient="me", event_type="INTERVAL"))
    assert 20 == len(emu.online_users("room", "MESSAGE"))
    emu.check_invariants()


def test_actions_at_the_same_time_run_in_scheduling_order(emu: Emulator) -> None:
    order: list[str] = []
    emu.at(5, lambda: order.append("first"))
    emu.at(3, lambda: order.append("earlier"))
    emu.at(5, lambda: order.append("second"))
    emu.at(5.0, lambda: order.append("third"), label="third")
    assert [
        (START + 3000, "scripted <lambda> at +3.000s"),
        (START + 5000, "scripted <lambda> at +5.000s"),
        (START + 5000, "scripted <lambda> at +5.000s"),
        (START + 5000, "scripted third at +5.000s"),
    ] == emu.pending_timers()
    emu.run_until(4)
    assert ["earlier"] == order
    emu.run_until(5)
    assert ["earlier", "first", "second", "third"] == order


def test_actions_run_after_the_emulators_own_timers_due_then(emu: Emulator) -> None:
    emu.user("alice").subscribe("room")
    emu.user("bob").subscribe("room").unsubscribe("room")  # leave due at +2 s
    seen: list[list[str]] = []
    emu.at(2, lambda: seen.append([k[2] for k in kinds(emu.journal) if k[1] == "REMOTE_LEAVE"]))
    emu.at(2, emu.user("carol").login)  # a bound handle method works as an action
    assert "scripted login at +2.000s" == emu.pending_timers()[-1][1]
    emu.run_until(2)
    assert [["bob"]] == seen  # the debounced leave due at 2 s fired first
    assert emu.user("carol").client.logged_in


def test_an_action_raising_propagates_out_of_run_until(emu: Emulator) -> None:
    emu.user("alice").subscribe("room")
    emu.at(10, lambda: emu.user("alice").leave_stream("stage"))  # not joined: -11001
    emu.at(20, lambda: emu.user("bob").subscribe("room"))
    with pytest.raises(RtmError) as err:
        emu.run_until(30)
    assert ErrorCode.CHANNEL_NOT_JOINED == err.value.error_code
    assert 10.0 == emu.elapsed  # the clock stands where the action ran
    assert [(START + 20_000, "scripted <lambda> at +20.000s")] == emu.pending_timers()
    emu.run_until(30)
    assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")
    assert 30.0 == emu.elapsed


def test_an_action_raising_propagates_out_of_advance(emu: Emulator) -> None:
    def boom() -> None:
        raise KeyError("boom")

    emu.at(1, boom)
    with pytest.raises(KeyError):
        emu.advance(5)
    assert 1.0 == emu.elapsed


@pytest.mark.parametrize(
    "seconds", [-0.5, float("nan"), float("inf"), float("-inf"), True, "1", None]
)
def test_at_and_run_until_reject_bad_times(emu: Emulator, seconds: Any) -> None:
    calls: list[Callable[[], object]] = [
        lambda: emu.at(seconds, lambda: None),
        lambda: emu.run_until(seconds),
    ]
    for call in calls:
        with pytest.raises(ConfigError) as err:
            call()
        assert isinstance(err.value, ValueError)
        assert isinstance(err.value, RtmError)
        assert ErrorCode.INVALID_PARAMETER == err.value.error_code
    assert [] == emu.pending_timers()
    assert START == emu.now_ms


def test_at_and_run_until_reject_the_past(emu: Emulator) -> None:
    emu.advance(10)
    with pytest.raises(ConfigError, match="in the past"):
        emu.at(9.999, lambda: None)
    with pytest.raises(ConfigError, match="in the past"):
        emu.run_until(5)
    with pytest.raises(ValueError):
        emu.run_until(0)
    # now itself is fine
    ran: list[float] = []
    emu.at(10, lambda: ran.append(emu.elapsed))
    emu.run_until(10)
    assert [10.0] == ran


def test_at_rejects_a_non_callable(emu: Emulator) -> None:
    with pytest.raises(ConfigError, match="callable"):
        emu.at(1, "subscribe")  # type: ignore[arg-type]
    assert [] == emu.pending_timers()


def test_elapsed_counts_fake_seconds_since_start() -> None:
    emu = Emulator(EmulatorConfig(start_time_ms=1_000_000))
    assert 0.0 == emu.elapsed
    emu.advance(12.5)
    assert 12.5 == emu.elapsed
    emu.run_until(20)
    assert 20.0 == emu.elapsed
    assert 1_020_000 == emu.now_ms
    emu.at(25.25, lambda: None)
    assert 25.25 == (emu.advance_to_next_event() - 1_000_000) / 1000  # type: ignore[operator]
    assert 25.25 == emu.elapsed


# ================================================================== assert_events


@pytest.fixture
def scene(emu: Emulator) -> Emulator:
    """me gets SNAPSHOT, REMOTE_JOIN, REMOTE_STATE_CHANGED; in stage SNAPSHOT, REMOTE_JOIN."""
    emu.user("me").subscribe("room")
    emu.user("bob").subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})
    emu.user("me").join_stream("stage")
    emu.user("bob").join_stream("stage")
    return emu


FULL = [
    ("SNAPSHOT", ""),
    ("REMOTE_JOIN", "bob"),
    ("REMOTE_STATE_CHANGED", "bob"),
    ("SNAPSHOT", ""),
    ("REMOTE_JOIN", "bob"),
]


def test_assert_events_passes_on_exact_match(scene: Emulator) -> None:
    assert_events(scene, "me", FULL)
    assert_events(scene, "me", [(PresenceEventType(t), p) for t, p in FULL])
    assert_events(
        scene,
        "me",
        [
            {"eventType": "SNAPSHOT", "seq": 1, "channelName": "room"},
            {"eventType": "REMOTE_JOIN", "publisher": "bob", "seq": 3},
            {"publisher": "bob", "stateChanged": {"seat": "3"}, "seq": 4},
            {
                "channelType": "STREAM",
                "snapshot": [{"userId": "me", "states": {}, "statesCount": 0}],
            },
            {},  # matches anything
        ],
    )
    assert_events(scene, "bob", [("SNAPSHOT", ""), ("SNAPSHOT", "")])
    assert_events(scene, "nobody", [])


def _failure(emu: Emulator, expected: Any, **kw: Any) -> list[str]:
    with pytest.raises(AssertionError) as err:
        assert_events(emu, "me", expected, **kw)
    return str(err.value).splitlines()


ME_TIMELINE = [
    "what 'me' received, by channel:",
    "room (MESSAGE) [app RtmEmulatorDefaultAppId000000000]",
    "     +0.000s  #1     -> me: SNAPSHOT [me]",
    "     +0.000s  #3     -> me: REMOTE_JOIN bob",
    "     +0.000s  #4     -> me: REMOTE_STATE_CHANGED bob {'seat': '3'}",
    "stage (STREAM) [app RtmEmulatorDefaultAppId000000000]",
    "     +0.000s  #5     -> me: SNAPSHOT [me]",
    "     +0.000s         -> me: TOPIC SNAPSHOT []",
    "     +0.000s  #7     -> me: REMOTE_JOIN bob",
    "(link state) [app RtmEmulatorDefaultAppId000000000]",
    "     +0.000s         -> me: IDLE -> CONNECTING (LOGIN)",
    "     +0.000s         -> me: CONNECTING -> CONNECTED (LOGIN_SUCCESS)",
    "     +0.000s         -> me: IDLE -> CONNECTING (JOIN) [STREAM stage]",
    "     +0.000s         -> me: CONNECTING -> CONNECTED (JOIN_SUCCESS) [STREAM stage]",
]


def test_assert_events_fails_on_a_different_event_with_full_message(scene: Emulator) -> None:
    expected = [*FULL[:2], ("REMOTE_LEAVE", "bob"), *FULL[3:]]
    assert [
        "presence events received by 'me' do not match (5 expected, 5 received):",
        "        expected            received",
        "     1  SNAPSHOT ''         SNAPSHOT '' [me]  (seq 1, +0.000s)",
        "     2  REMOTE_JOIN 'bob'   REMOTE_JOIN 'bob'  (seq 3, +0.000s)",
        "  !  3  REMOTE_LEAVE 'bob'  REMOTE_STATE_CHANGED 'bob' {'seat': '3'}  (seq 4, +0.000s)",
        "     4  SNAPSHOT ''         SNAPSHOT '' [me]  (seq 5, +0.000s)",
        "     5  REMOTE_JOIN 'bob'   REMOTE_JOIN 'bob'  (seq 7, +0.000s)",
        "",
        *ME_TIMELINE,
    ] == _failure(scene, expected)


def test_assert_events_fails_on_a_missing_event(scene: Emulator) -> None:
    lines = _failure(scene, [*FULL, ("REMOTE_LEAVE", "bob")])
    assert "(6 expected, 5 received)" in lines[0]
    assert "  -  6  REMOTE_LEAVE 'bob'          -" == lines[7]
    assert [" ", " ", " ", " ", " ", "-"] == [line[2] for line in lines[2:8]]
    assert ME_TIMELINE == lines[-len(ME_TIMELINE) :]


def test_assert_events_fails_on_an_extra_event(scene: Emulator) -> None:
    lines = _failure(scene, FULL[:4])
    assert "(4 expected, 5 received)" in lines[0]
    assert "  +  5  -                           REMOTE_JOIN 'bob'  (seq 7, +0.000s)" == lines[6]
    assert [" ", " ", " ", " ", "+"] == [line[2] for line in lines[2:7]]
    assert ME_TIMELINE == lines[-len(ME_TIMELINE) :]


def test_assert_events_fails_on_reordered_events(scene: Emulator) -> None:
    lines = _failure(scene, [FULL[0], FULL[2], FULL[1], *FULL[3:]])
    assert [" ", "!", "!", " ", " "] == [line[2] for line in lines[2:7]]


def test_assert_events_fails_on_a_different_dict_field(scene: Emulator) -> None:
    lines = _failure(
        scene,
        [
            {"eventType": "SNAPSHOT"},
            {"eventType": "REMOTE_JOIN", "seq": 2},  # seq is 3
            {"stateChanged": {"seat": "4"}},
            {"eventType": "SNAPSHOT"},
            {"nosuchfield": 1},
        ],
    )
    assert [" ", "!", "!", " ", "!"] == [line[2] for line in lines[2:7]]
    assert lines[3].startswith("  !  2  {eventType='REMOTE_JOIN', seq=2}  ")


def test_assert_events_narrows_by_channel_and_app(scene: Emulator) -> None:
    assert_events(scene, "me", [("SNAPSHOT", ""), ("REMOTE_JOIN", "bob")], channel="stage")
    assert_events(scene, "me", FULL[:3], channel="room")
    assert_events(scene, "me", FULL, app_id=APP)
    assert_events(scene, "me", [], app_id=OTHER)
    scene.user("me", app_id=OTHER).subscribe("room")
    assert_events(scene, "me", [("SNAPSHOT", "")], app_id=OTHER)
    assert_events(scene, "me", FULL, app_id=APP)
    assert_events(scene, "me", [*FULL[:3], ("SNAPSHOT", "")], channel="room")
    lines = _failure(scene, [("SNAPSHOT", "")], channel="stage")
    assert "presence events received by 'me' in 'stage' do not match" in lines[0]


def test_assert_events_ignores_link_state_events(emu: Emulator) -> None:
    emu.user("me").login()
    assert 2 == len(emu.journal)
    assert_events(emu, "me", [])


@pytest.mark.parametrize(
    "bad", ["SNAPSHOT", ("SNAPSHOT",), ("SNAPSHOT", "", 1), ["SNAPSHOT", ""], None, 3]
)
def test_assert_events_rejects_a_bad_expected_item(scene: Emulator, bad: Any) -> None:
    with pytest.raises(TypeError, match="expected items"):
        assert_events(scene, "me", [("SNAPSHOT", ""), bad])


def test_received_lists_presence_events(scene: Emulator) -> None:
    events = received(scene, "me")
    assert [e for _, e in scene.journal.filter(recipient="me", kind="presence")] == events
    assert [1, 3, 4] == [e.seq for e in received(scene, "me", channel="room")]
    assert [] == received(scene, "me", app_id=OTHER)


class TestToolkitGuards:
    """Typos and misuse fail loudly instead of silently matching nothing."""

    @pytest.mark.parametrize(
        "criteria",
        [{"event_type": "REMOTE_JOINS"}, {"kind": "link"}, {"channel_type": "message"}],
    )
    def test_filter_rejects_unknown_values(self, emu: Emulator, criteria: dict[str, str]) -> None:
        with pytest.raises(ValueError, match=repr(next(iter(criteria.values())))):
            emu.journal.filter(**criteria)  # type: ignore[arg-type]

    def test_assert_events_needs_the_journal(self) -> None:
        quiet = Emulator(journal=False)
        with pytest.raises(RuntimeError, match="journal=False"):
            assert_events(quiet, "me", [])

    def test_strict_flag_and_public_names(self) -> None:
        import rtm_emulator
        from rtm_emulator.testing import drive as public_drive

        assert Emulator(strict=True).strict and not Emulator().strict
        assert {"Journal", "JournalEntry", "UserHandle"} <= set(rtm_emulator.__all__)
        assert callable(public_drive)
        assert "<Journal of 0 deliveries>" == repr(Emulator().journal)
