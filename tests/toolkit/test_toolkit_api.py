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
    ChannelType,
    ConfigError,
    Emulator,
    EmulatorConfig,
    ErrorCode,
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
Event = PresenceEvent | LinkStateEvent
Log = list[tuple[str, Event]]


# ------------------------------------------------------------------ helpers


def tap(emu: Emulator, *user_ids: str, app_id: str = "emulator") -> Log:
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
    emu.run_until_idle()

    assert [
        ("alice", "IDLE", "CONNECTING"),
        ("alice", "CONNECTING", "CONNECTED"),
        ("bob", "IDLE", "CONNECTING"),
        ("bob", "CONNECTING", "CONNECTED"),
        ("carol", "IDLE", "CONNECTING"),
        ("carol", "CONNECTING", "CONNECTED"),
        ("carol", "CONNECTED", "DISCONNECTED"),
        ("carol", "DISCONNECTED", "SUSPENDED"),
    ] == links(emu.journal)
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
    log = tap(emu, "alice", "bob")
    emu.user("alice").subscribe("room")
    emu.user("bob").subscribe("room")
    emu.user("bob").disconnect()
    emu.advance(1)
    emu.user("carol").subscribe("room").set_state("room", "MESSAGE", {"k": "v"})
    emu.user("bob").reconnect()

    bob = emu.journal.filter(recipient="bob")
    assert [
        ("bob", "SNAPSHOT", "", "room"),
        # nothing about carol while disconnected; the resync SNAPSHOT after reconnect
        ("bob", "SNAPSHOT", "", "room"),
    ] == kinds(bob)
    assert [
        ("bob", "IDLE", "CONNECTING"),
        ("bob", "CONNECTING", "CONNECTED"),
        ("bob", "CONNECTED", "DISCONNECTED"),  # link events reach a disconnected client
        ("bob", "DISCONNECTED", "CONNECTED"),
    ] == links(bob)
    assert [p for p in log if p[0] == "bob"] == list(bob)
    resync = [e for _, e in bob if isinstance(e, PresenceEvent)][-1]
    assert resync.snapshot is not None
    assert ["alice", "bob", "carol"] == [u.user_id for u in resync.snapshot]


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
    emu.user("alice", app_id="other").subscribe("room")
    emu.user("bob", app_id="other").subscribe("room")
    emu.user("bob").unsubscribe("lobby")
    emu.journal.clear()  # (also proves clear: the link events above are gone)
    emu.user("carol").subscribe("room").subscribe("lobby")
    emu.user("bob").leave_stream("room")
    emu.user("bob", app_id="other").set_state("room", "MESSAGE", {"x": "1"})
    yield emu
    emu.check_invariants()


def test_filter_by_each_criterion(busy: Emulator) -> None:
    j = busy.journal
    everything = [
        ("carol", "IDLE", "CONNECTING"),
        ("carol", "CONNECTING", "CONNECTED"),
    ]
    assert everything == links(j)
    assert [
        ("alice", "REMOTE_JOIN", "carol", "room"),
        ("bob", "REMOTE_JOIN", "carol", "room"),
        ("carol", "SNAPSHOT", "", "room"),
        ("carol", "SNAPSHOT", "", "lobby"),
        ("alice", "REMOTE_LEAVE", "bob", "room"),  # the STREAM "room"
        ("alice", "REMOTE_STATE_CHANGED", "bob", "room"),  # app "other"
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
    assert [("alice", "REMOTE_STATE_CHANGED", "bob", "room")] == kinds(j.filter(app_id="other"))
    assert 7 == len(j.filter(app_id="emulator"))
    assert 6 == len(j.filter(kind="presence"))
    assert everything == links(j.filter(kind="linkState"))
    assert 0 == len(j.filter(kind="linkState", event_type="SNAPSHOT"))
    # presence-only criteria never match link-state events
    assert [] == links(j.filter(recipient="carol", channel="room"))
    # criteria combine with AND
    assert [("alice", "REMOTE_JOIN", "carol", "room")] == kinds(
        j.filter(recipient="alice", app_id="emulator", channel_type="MESSAGE")
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
    assert ["linkState", "linkState"] + ["presence"] * 6 == [e.kind for e in entries]
    assert ["emulator"] * 7 + ["other"] == [e.app_id for e in entries]
    assert all(e.delivered_at == START == e.event.timestamp for e in entries)
    # entries is a copy: changing it does not change the journal
    entries.clear()
    assert 8 == len(busy.journal)


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
        "appId": "other",
        "kind": "presence",
        "deliveredAt": START,
        "event": {
            "eventType": "REMOTE_STATE_CHANGED",
            "channelType": "MESSAGE",
            "channelName": "room",
            "publisher": "bob",
            "stateChanged": {"x": "1"},
            "interval": None,
            "snapshot": None,
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
room (MESSAGE) [app emulator]
     +0.000s  #1     -> alice: SNAPSHOT [alice]
     +1.000s  #2     -> alice: REMOTE_JOIN bob
     +1.000s  #3     -> bob: SNAPSHOT [alice, bob]
     +1.000s  #4     -> alice: REMOTE_STATE_CHANGED bob {'seat': '3'}
     +3.500s  #6     -> alice: REMOTE_LEAVE bob
stage (STREAM) [app emulator]
     +1.000s  #5     -> bob: SNAPSHOT [bob]
(link state) [app emulator]
     +0.000s         -> alice: IDLE -> CONNECTING (LOGIN)
     +0.000s         -> alice: CONNECTING -> CONNECTED (LOGIN_SUCCESS)
     +1.000s         -> bob: IDLE -> CONNECTING (LOGIN)
     +1.000s         -> bob: CONNECTING -> CONNECTED (LOGIN_SUCCESS)
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
        "room (MESSAGE) [app emulator]\n"
        "     +0.000s  #3     -> bob: SNAPSHOT [alice, bob]\n"
        "stage (STREAM) [app emulator]\n"
        "     +0.000s  #5     -> bob: SNAPSHOT [bob]\n"
        "(link state) [app emulator]\n"
        "     +0.000s         -> bob: IDLE -> CONNECTING (LOGIN)\n"
        "     +0.000s         -> bob: CONNECTING -> CONNECTED (LOGIN_SUCCESS)\n"
    ) == bob


def test_timeline_shows_interval_details() -> None:
    emu = Emulator(EmulatorConfig(announce_max=8, interval=5.0), strict=True)
    for i in range(10):
        emu.user(f"u{i}").subscribe("room")
    emu.user("u9").set_state("room", "MESSAGE", {"k": "v"})
    emu.user("u8").unsubscribe("room")
    emu.run_until_idle()
    line = emu.journal.filter(recipient="u0", event_type="INTERVAL").timeline().splitlines()[1]
    assert (
        "     +0.000s  #39    -> u0: INTERVAL total=9 join=['u8', 'u9'] leave=['u8'] "
        "states={'u9': {'k': 'v'}}"
    ) == line
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
    other = emu.user("bob", app_id="other")
    assert other is not bob
    assert other is emu.user("bob", app_id="other")
    assert "bob" == bob.user_id == other.user_id
    assert "<UserHandle 'bob' of app 'emulator'>" == repr(bob)
    assert "<UserHandle 'bob' of app 'other'>" == repr(other)
    # nothing happens until the handle is used
    assert not bob.client.logged_in
    assert 0 == len(emu.journal)


@pytest.mark.parametrize("bad", ["", "null", "a/b", "x" * 65, 7])
def test_user_rejects_a_bad_user_id(emu: Emulator, bad: Any) -> None:
    with pytest.raises(RtmError) as err:
        emu.user(bad)
    assert ErrorCode.INVALID_USER_ID == err.value.error_code


def test_user_rejects_a_bad_app_id(emu: Emulator) -> None:
    with pytest.raises(ConfigError):
        emu.user("bob", app_id="")


def test_handle_client_is_an_ordinary_async_client(emu: Emulator) -> None:
    bob = emu.user("bob", config=RTMConfig(presence_timeout=20))
    assert isinstance(bob.client, RTMClient)
    assert bob.client is emu.user("bob").client
    assert "emulator" == bob.client.app_id
    bob.subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})

    async def query() -> tuple[Any, ...]:
        who = await bob.client.presence.get_online_users("room", "MESSAGE", include_state=True)
        state = await bob.client.presence.get_state("", "room", "MESSAGE")
        await bob.client.subscribe("lobby", {"withPresence": False})
        return who, state

    who, state = asyncio.run(query())
    assert [("bob", {"seat": "3"})] == [(o.user_id, dict(o.states)) for o in who.occupants]
    assert {"seat": "3"} == dict(state.states)
    assert [(ChannelType.MESSAGE, "lobby"), (ChannelType.MESSAGE, "room")] == emu.user_channels(
        "bob"
    )
    # the handle's config applies: the server times bob out after 15 + 20 s
    bob.disconnect()
    assert START + 35_000 == emu.pending_timers()[0][0]


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
    assert not bob.client.connected
    assert [] == seen()
    assert bob is bob.reconnect()
    assert bob.client.connected
    assert [] == seen()

    bob.join_stream("stage")
    seen()
    assert bob is bob.logout()
    assert not bob.client.logged_in
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


def test_handle_logs_in_again_after_logout_or_kick(emu: Emulator) -> None:
    bob = emu.user("bob").subscribe("room")
    bob.logout().subscribe("room")
    assert bob.client.logged_in
    assert ["bob"] == emu.online_users("room", "MESSAGE")

    other = emu.client("bob")
    drive(other.login())  # kicks the handle's client (R-T4)
    assert not bob.client.logged_in
    assert [] == emu.online_users("room", "MESSAGE")
    bob.subscribe("lobby")  # logs in again, kicking `other`
    assert bob.client.logged_in
    assert not other.logged_in
    assert [(ChannelType.MESSAGE, "lobby")] == emu.user_channels("bob")


async def _client_error(emu: Emulator, action: str) -> RtmError:
    """The error the async client raises for the same failing action."""
    client = emu.client("bob")
    await client.login()
    await client.subscribe("room")
    await client.presence.set_state("room", "MESSAGE", {"seat": "3"})
    try:
        if action == "unsubscribe":
            await client.unsubscribe("lobby")
        elif action == "subscribe-bad-name":
            await client.subscribe("a.b")
        elif action == "join-bad-name":
            await client.create_stream_channel("_stage").join()
        elif action == "leave-not-joined":
            await client.create_stream_channel("stage").leave()
        elif action == "set-bad-type":
            await client.presence.set_state("room", "USER", {"a": "1"})
        elif action == "set-bad-value":
            await client.presence.set_state("room", "MESSAGE", {"a": 1})  # type: ignore[dict-item]
        elif action == "set-too-many":
            await client.presence.set_state("room", "MESSAGE", {f"k{i}": "v" for i in range(33)})
        elif action == "remove-bad-key":
            await client.presence.remove_state("room", "MESSAGE", states=[""])
        elif action == "remove-bad-name":
            await client.presence.remove_state("null", "MESSAGE")
    except RtmError as exc:
        return exc
    raise AssertionError(f"{action} did not fail")


HANDLE_ERRORS: dict[str, tuple[int, Callable[[UserHandle], object]]] = {
    "unsubscribe": (-11002, lambda h: h.unsubscribe("lobby")),
    "subscribe-bad-name": (-10008, lambda h: h.subscribe("a.b")),
    "join-bad-name": (-10008, lambda h: h.join_stream("_stage")),
    "leave-not-joined": (-11001, lambda h: h.leave_stream("stage")),
    "set-bad-type": (-10019, lambda h: h.set_state("room", "USER", {"a": "1"})),
    "set-bad-value": (-13007, lambda h: h.set_state("room", "MESSAGE", {"a": 1})),  # type: ignore[dict-item]
    "set-too-many": (
        -13005,
        lambda h: h.set_state("room", "MESSAGE", {f"k{i}": "v" for i in range(33)}),
    ),
    "remove-bad-key": (-13006, lambda h: h.remove_state("room", "MESSAGE", [""])),
    "remove-bad-name": (-10008, lambda h: h.remove_state("null", "MESSAGE")),
}


@pytest.mark.parametrize("action", sorted(HANDLE_ERRORS))
def test_handle_errors_match_the_async_client_and_change_nothing(
    emu: Emulator, action: str
) -> None:
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


def test_handle_errors_while_disconnected_or_logged_out(emu: Emulator) -> None:
    bob = emu.user("bob")
    with pytest.raises(RtmError) as err:
        bob.disconnect()  # disconnect / reconnect do not log in
    assert (ErrorCode.NOT_LOGIN, "disconnect") == (err.value.error_code, err.value.operation)
    with pytest.raises(RtmError) as err:
        bob.reconnect()
    assert (ErrorCode.NOT_LOGIN, "reconnect") == (err.value.error_code, err.value.operation)
    assert not bob.client.logged_in

    bob.subscribe("room").disconnect()
    before = snapshot_of(emu)
    calls: list[Callable[[], object]] = [
        lambda: bob.subscribe("lobby"),
        lambda: bob.unsubscribe("room"),
        lambda: bob.join_stream("stage"),
        lambda: bob.set_state("room", "MESSAGE", {"a": "1"}),
        lambda: bob.remove_state("room", "MESSAGE"),
    ]
    for call in calls:
        with pytest.raises(RtmError) as err:
            call()
        assert ErrorCode.NOT_CONNECTED == err.value.error_code
        assert before == snapshot_of(emu)
    bob.disconnect()  # again: a no-op
    assert before == snapshot_of(emu)


def test_failed_first_action_keeps_only_the_login(emu: Emulator) -> None:
    """The handle's login is a step of its own; the failed action itself changes nothing."""
    with pytest.raises(RtmError):
        emu.user("bob").unsubscribe("room")
    assert emu.user("bob").client.logged_in
    assert [("bob", "CONNECTING"), ("bob", "CONNECTED")] == [
        (uid, event.current_state.value) for uid, event in emu.journal
    ]
    assert [] == emu.user_channels("bob")


def test_drive_runs_a_coroutine_without_an_event_loop(emu: Emulator) -> None:
    client = emu.client("bob")
    response = drive(client.login())
    assert START == response.timestamp
    drive(client.subscribe("room"))
    who = drive(client.presence.get_online_users("room", "MESSAGE"))
    assert ["bob"] == [o.user_id for o in who.occupants]
    with pytest.raises(RtmError) as err:
        drive(client.unsubscribe("lobby"))
    assert ErrorCode.CHANNEL_NOT_SUBSCRIBED == err.value.error_code

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
    assert emu.next_timer_at is None
    assert [] == emu.pending_timers()
    emu.user("alice").subscribe("room")
    assert emu.next_timer_at is None

    emu.advance(1)
    emu.user("bob", config=RTMConfig(presence_timeout=5)).subscribe("room").unsubscribe("room")
    assert START + 3000 == emu.next_timer_at  # debounce (2 s)
    assert [(START + 3000, "debounced REMOTE_LEAVE of 'bob' in 'room' (MESSAGE)")] == (
        emu.pending_timers()
    )
    emu.user("bob").subscribe("room")  # back within the window: the leave is cancelled
    assert emu.next_timer_at is None

    emu.user("bob").disconnect()
    assert [
        (START + 21_000, "server times out 'bob' of app 'emulator'"),  # 1 + 15 + 5 s
        (START + 121_000, "link of 'bob' of app 'emulator' turns SUSPENDED"),
    ] == emu.pending_timers()
    assert START + 21_000 == emu.next_timer_at
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


def test_run_until_idle_fires_leaves_timeouts_and_suspension(emu: Emulator) -> None:
    assert 0 == emu.run_until_idle()
    emu.user("alice").subscribe("room")
    emu.user("bob").subscribe("room").unsubscribe("room")
    emu.user("carol", config=RTMConfig(presence_timeout=5)).subscribe("room").disconnect()
    emu.journal.clear()

    assert 3 == emu.run_until_idle()
    assert [
        ("alice", "REMOTE_LEAVE", "bob", START + 2_000),
        ("alice", "REMOTE_TIMEOUT", "carol", START + 20_000),
        ("carol", "SUSPENDED", "", START + 120_000),
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
    assert START + 120_000 == emu.now_ms  # stops at the last timer it fired
    assert emu.next_timer_at is None
    assert 0 == emu.run_until_idle()


def test_run_until_idle_ends_in_interval_mode_with_nothing_to_report() -> None:
    emu = Emulator(EmulatorConfig(announce_max=8, interval=5.0), strict=True)
    for i in range(10):
        emu.user(f"u{i}").subscribe("room")
    assert [(START + 5000, "INTERVAL boundary of 'room' (MESSAGE) in app 'emulator'")] == (
        emu.pending_timers()
    )

    assert 1 == emu.run_until_idle()  # the boundary that reports u8 and u9
    assert START + 5000 == emu.now_ms
    assert 10 == len(emu.journal.filter(event_type="INTERVAL"))
    # still in interval mode: a boundary is pending, but it would report nothing
    assert START + 10_000 == emu.next_timer_at
    assert 0 == emu.run_until_idle()
    assert START + 5000 == emu.now_ms

    emu.user("u3").set_state("room", "MESSAGE", {"k": "v"})
    assert 1 == emu.run_until_idle()
    assert START + 10_000 == emu.now_ms
    assert 20 == len(emu.journal.filter(event_type="INTERVAL"))

    # two leave: the boundary that returns the channel to announce mode matters
    emu.user("u1").unsubscribe("room")
    emu.user("u2").unsubscribe("room")
    assert 3 == emu.run_until_idle()  # two debounced leaves + the boundary
    assert emu.next_timer_at is None
    last = emu.journal.filter(recipient="u0", event_type="INTERVAL").entries[-1].event
    assert isinstance(last, PresenceEvent) and last.interval is not None
    assert (("u1", "u2"), 8) == (last.interval.leave.users, last.interval.total_occupancy)
    emu.user("u5").unsubscribe("room")
    emu.run_until_idle()
    assert [("u0", "REMOTE_LEAVE", "u5", "room")] == kinds(
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
    intervals = emu.journal.filter(event_type="INTERVAL")
    assert ["me", *people[:2], *people[3:]] == [r for r, _ in intervals]
    assert [("u03", "REMOTE_JOIN", "u09", "room")] == kinds(
        emu.journal.filter(recipient="u03").filter(publisher="u09")
    )
    # nothing changed since: the next boundary (72 s) is pending but idle; what is
    # left to happen is u03's link turning SUSPENDED (20 + 120 s), boundaries on the way
    assert START + 72_000 == emu.next_timer_at
    assert 4 == emu.run_until_idle()  # boundaries at 72, 102, 132 s + the suspension
    assert 140.0 == emu.elapsed
    assert [(START + 162_000, "INTERVAL boundary of 'room' (MESSAGE) in app 'emulator'")] == (
        emu.pending_timers()
    )
    assert 0 == emu.run_until_idle()
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
    emu.at(10, lambda: emu.user("alice").unsubscribe("lobby"))
    emu.at(20, lambda: emu.user("bob").subscribe("room"))
    with pytest.raises(RtmError) as err:
        emu.run_until(30)
    assert ErrorCode.CHANNEL_NOT_SUBSCRIBED == err.value.error_code
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
    "room (MESSAGE) [app emulator]",
    "     +0.000s  #1     -> me: SNAPSHOT [me]",
    "     +0.000s  #3     -> me: REMOTE_JOIN bob",
    "     +0.000s  #4     -> me: REMOTE_STATE_CHANGED bob {'seat': '3'}",
    "stage (STREAM) [app emulator]",
    "     +0.000s  #5     -> me: SNAPSHOT [me]",
    "     +0.000s  #7     -> me: REMOTE_JOIN bob",
    "(link state) [app emulator]",
    "     +0.000s         -> me: IDLE -> CONNECTING (LOGIN)",
    "     +0.000s         -> me: CONNECTING -> CONNECTED (LOGIN_SUCCESS)",
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
    assert_events(scene, "me", FULL, app_id="emulator")
    assert_events(scene, "me", [], app_id="other")
    scene.user("me", app_id="other").subscribe("room")
    assert_events(scene, "me", [("SNAPSHOT", "")], app_id="other")
    assert_events(scene, "me", FULL, app_id="emulator")
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
    assert [] == received(scene, "me", app_id="other")


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
