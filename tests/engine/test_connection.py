"""Connection and time: the fake clock, network loss, reconnect, link states.

Rules R-T1 .. R-T4 of ``semantics.md`` (with R-E6 debounce, R-E7 order and R-E9
delivery where they meet the connection).  Events are compared as whole SDK JSON
(``to_dict()``), timestamps included; expected values come first in every assertion.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import pytest

from rtm_emulator import (
    Emulator,
    EmulatorConfig,
    LinkState,
    LinkStateEvent,
    LinkStateReasonCode,
    PresenceEvent,
    RTMClient,
    RTMConfig,
    RtmError,
)

from ..conftest import Recorder, login, login_recorded

T0 = 1_735_689_600_000  # 2025-01-01T00:00:00Z
NOT_LOGIN = -10002
INVALID_USER_ID = -10006
NOT_CONNECTED = -10025
NOT_EXIST = -13011
DEFAULT_TIMEOUT_MS = 315_000  # heartbeat 5 + 10, then presence timeout 300
SUSPEND_MS = 120_000

#: The SDK's ``LinkStateChangeReasonDescription`` (agora-rtm-sdk 2.x typings).
REASON = {
    "LOGIN": "Perform login operation",
    "LOGIN_SUCCESS": "Login success",
    "LOGOUT": "Logout success",
    "RECONNECT_SUCCESS": "Reconnect success",
    "SAME_UID_LOGIN": "The same uid login on another device",
    "KEEP_ALIVE_TIMEOUT": "Keep alive timeout",
}

Json = dict[str, Any]


# ------------------------------------------------------------------ expected JSON


def link(
    previous: str,
    current: str,
    operation: str,
    reason_code: str,
    timestamp: int,
    *,
    resumed: bool = False,
    unrestored: tuple[str, ...] = (),
) -> Json:
    """The SDK JSON of a ``LinkStateEvent``."""
    return {
        "currentState": current,
        "previousState": previous,
        "serviceType": "MESSAGE",
        "operation": operation,
        "reason": REASON[reason_code],
        "reasonCode": reason_code,
        "affectedChannels": [],
        "unrestoredChannels": list(unrestored),
        "isResumed": resumed,
        "timestamp": timestamp,
    }


def logged_in(timestamp: int, previous: str = "IDLE") -> list[Json]:
    return [
        link(previous, "CONNECTING", "LOGIN", "LOGIN", timestamp),
        link("CONNECTING", "CONNECTED", "LOGIN", "LOGIN_SUCCESS", timestamp),
    ]


def lost(timestamp: int) -> Json:
    return link("CONNECTED", "DISCONNECTED", "HEARTBEAT_TIMEOUT", "KEEP_ALIVE_TIMEOUT", timestamp)


def suspended(timestamp: int) -> Json:
    return link("DISCONNECTED", "SUSPENDED", "AUTO_RECONNECT", "KEEP_ALIVE_TIMEOUT", timestamp)


def reconnected(
    timestamp: int, previous: str, *, resumed: bool, unrestored: tuple[str, ...] = ()
) -> Json:
    return link(
        previous,
        "CONNECTED",
        "RECONNECTED",
        "RECONNECT_SUCCESS",
        timestamp,
        resumed=resumed,
        unrestored=unrestored,
    )


def logged_out(timestamp: int, previous: str = "CONNECTED") -> Json:
    return link(previous, "IDLE", "LOGOUT", "LOGOUT", timestamp)


def kicked(timestamp: int, previous: str = "CONNECTED") -> Json:
    return link(previous, "FAILED", "SERVER_REJECT", "SAME_UID_LOGIN", timestamp)


def remote(
    kind: str,
    publisher: str,
    timestamp: int,
    channel: str = "room",
    ctype: str = "MESSAGE",
    state: dict[str, str] | None = None,
) -> Json:
    """The SDK JSON of a ``REMOTE_*`` presence event."""
    return {
        "eventType": kind,
        "channelType": ctype,
        "channelName": channel,
        "publisher": publisher,
        "stateChanged": state or {},
        "interval": None,
        "snapshot": None,
        "timestamp": timestamp,
    }


def snap(
    timestamp: int,
    users: dict[str, dict[str, str]],
    channel: str = "room",
    ctype: str = "MESSAGE",
) -> Json:
    """The SDK JSON of a ``SNAPSHOT`` listing ``users`` (id -> states) in id order."""
    return {
        "eventType": "SNAPSHOT",
        "channelType": ctype,
        "channelName": channel,
        "publisher": "",
        "stateChanged": {},
        "interval": None,
        "snapshot": [
            {"userId": uid, "states": states, "statesCount": len(states)}
            for uid, states in sorted(users.items())
        ],
        "timestamp": timestamp,
    }


# ---------------------------------------------------------------------- recording


class Journal:
    """Every presence and link-state event of some clients, in delivery order."""

    def __init__(self, *clients: RTMClient) -> None:
        self.entries: list[tuple[str, Json]] = []
        for client in clients:
            self.watch(client)

    def watch(self, client: RTMClient, label: str | None = None) -> None:
        name = client.user_id if label is None else label

        def record(event: PresenceEvent | LinkStateEvent) -> None:
            self.entries.append((name, event.to_dict()))

        client.add_event_listener("presence", record)
        client.add_event_listener("linkState", record)

    def take(self) -> list[tuple[str, Json]]:
        entries, self.entries = self.entries, []
        return entries


def links(rec: Recorder) -> list[Json]:
    """The SDK JSON of every link-state event recorded so far, clearing the record."""
    events, rec.links[:] = list(rec.links), []
    return [e.to_dict() for e in events]


def got(rec: Recorder) -> list[Json]:
    """The SDK JSON of every presence event recorded so far, clearing the record."""
    return [e.to_dict() for e in rec.take()]


async def raises(code: int, awaitable: Awaitable[Any]) -> RtmError:
    """Await ``awaitable``, which must fail with ``code``; return the error."""
    with pytest.raises(RtmError) as info:
        await awaitable
    assert code == info.value.error_code, info.value.reason
    return info.value


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Drive a coroutine that never suspends, without an event loop (no loop clock)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    coro.close()
    raise AssertionError("the call suspended")


def everything(emu: Emulator, *users: str) -> tuple[Any, ...]:
    """What the server holds about some users (channels, states, occupants, timers)."""
    per_user = tuple(
        (
            emu.user_channels(uid),
            tuple(emu.state_of(uid, name, ctype) for ctype, name in emu.user_channels(uid)),
        )
        for uid in users
    )
    rooms = tuple(
        emu.online_users(name, ctype)
        for ctype, name in (
            ("MESSAGE", "hall"),
            ("MESSAGE", "room"),
            ("MESSAGE", "elsewhere"),
            ("STREAM", "alpha"),
        )
    )
    return per_user, rooms, tuple(emu.pending_timers())


async def world(
    emu: Emulator, bob_config: RTMConfig | dict[str, Any] | None = None
) -> tuple[RTMClient, RTMClient, RTMClient, Journal]:
    """alice and carol in MESSAGE hall, room and STREAM alpha; bob in the same three,
    with state ``{"mood": "ok"}`` in room.  The journal starts empty at T0 + 1 s."""
    alice, carol = await login(emu, "alice", "carol")
    bob = emu.client("bob", config=bob_config)
    await bob.login()
    for client in (alice, bob, carol):
        await client.subscribe("room")
        await client.subscribe("hall")
        await client.create_stream_channel("alpha").join()
    await bob.presence.set_state("room", "MESSAGE", {"mood": "ok"})
    emu.advance(1)
    return alice, bob, carol, Journal(alice, bob, carol)


# --------------------------------------------------------------------------- R-T1


class TestRT1Clock:
    """R-T1: one fake clock in integer ms; it moves only with ``emu.advance``."""

    def test_r_t1_clock_starts_at_2025_01_01(self) -> None:
        assert T0 == Emulator(strict=True).now_ms
        assert T0 == EmulatorConfig().start_time_ms

    async def test_r_t1_start_time_from_config(self) -> None:
        emu = Emulator(EmulatorConfig(start_time_ms=1_700_000_000_000), strict=True)
        assert 1_700_000_000_000 == emu.now_ms
        ((alice, ra),) = await login_recorded(emu, "alice")
        assert logged_in(1_700_000_000_000) == links(ra)
        emu.advance(2.5)
        assert 1_700_000_002_500 == emu.now_ms
        assert 1_700_000_002_500 == (await alice.subscribe("room")).timestamp
        emu.check_invariants()

    async def test_r_t1_calls_never_move_the_clock_and_stamp_it(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        assert logged_in(T0) == links(ra)
        assert logged_in(T0) == links(rb)
        emu.advance(1.5)
        now = T0 + 1500
        stage = alice.create_stream_channel("stage")
        p = alice.presence
        calls: list[Callable[[], Awaitable[Any]]] = [
            lambda: alice.login(),
            lambda: alice.subscribe("room"),
            lambda: bob.subscribe("room"),
            lambda: stage.join(),
            lambda: p.set_state("room", "MESSAGE", {"a": "1"}),
            lambda: p.setState("later", "MESSAGE", {"c": "3"}),
            lambda: p.get_state("bob", "room", "MESSAGE"),
            lambda: p.who_now("room", "MESSAGE"),
            lambda: p.getOnlineUsers("room", "MESSAGE", {"includedUserId": False}),
            lambda: p.where_now("bob"),
            lambda: p.remove_state("room", "MESSAGE", states=["a"]),
            lambda: stage.leave(),
            lambda: alice.unsubscribe("room"),
            lambda: bob.logout(),
        ]
        for call in calls:
            response = await call()
            assert now == response.timestamp, call
            assert now == emu.now_ms
        for _ in range(100):
            await p.who_now("room", "MESSAGE")
            emu.check_invariants()
        assert now == emu.now_ms
        events = [e.to_dict() for e in ra.presence + rb.presence] + links(ra) + links(rb)
        assert 7 == len(events)
        assert {now} == {e["timestamp"] for e in events}

    def test_r_t1_advance_moves_by_exactly_the_given_seconds(self, emu: Emulator) -> None:
        emu.advance(0)
        assert T0 == emu.now_ms
        emu.advance(0.001)
        assert T0 + 1 == emu.now_ms
        emu.advance(12.5)
        assert T0 + 12_501 == emu.now_ms
        emu.advance(314.999)
        assert T0 + 327_500 == emu.now_ms
        emu.advance(86_400)
        assert T0 + 327_500 + 86_400_000 == emu.now_ms
        assert isinstance(emu.now_ms, int)

    async def test_r_t1_timer_events_carry_their_due_time(self, emu: Emulator) -> None:
        """A timer fires at its own instant, also when one advance jumps past it."""
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        carol = (await login(emu, "carol"))[0]
        for client in (alice, bob, carol):
            await client.subscribe("room")
        ra.take()
        rb.take()
        links(rb)
        emu.advance(1)
        await carol.unsubscribe("room")  # debounced leave due at T0 + 3 s
        emu.disconnect("bob")  # SUSPENDED at T0 + 121 s, timeout at T0 + 316 s
        emu.advance(400)
        assert T0 + 401_000 == emu.now_ms
        assert [
            remote("REMOTE_LEAVE", "carol", T0 + 3_000),
            remote("REMOTE_TIMEOUT", "bob", T0 + 316_000),
        ] == got(ra)
        assert [lost(T0 + 1_000), suspended(T0 + 121_000)] == links(rb)
        assert [] == got(rb)

    def test_r_t1_nothing_reads_the_wall_clock(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def wall_clock(*args: object) -> float:
            raise AssertionError("the emulator read the wall clock")

        for name in (
            "time",
            "time_ns",
            "monotonic",
            "monotonic_ns",
            "perf_counter",
            "perf_counter_ns",
            "process_time",
            "localtime",
            "gmtime",
        ):
            monkeypatch.setattr(time, name, wall_clock)
        emu = Emulator(strict=True)
        alice, bob = emu.client("alice"), emu.client("bob")
        seen: list[int] = []
        for client in (alice, bob):
            client.add_event_listener("presence", lambda e: seen.append(e.timestamp))
            client.add_event_listener("linkState", lambda e: seen.append(e.timestamp))
            run(client.login())
            run(client.subscribe("room"))
        run(bob.presence.set_state("room", "MESSAGE", {"a": "1"}))
        assert T0 == run(alice.presence.who_now("room", "MESSAGE")).timestamp
        emu.advance(3)
        run(bob.unsubscribe("room"))
        emu.advance(5)
        run(bob.subscribe("room"))
        emu.disconnect("bob")
        emu.advance(400)
        emu.reconnect("bob")
        emu.check_invariants()
        assert T0 + 408_000 == emu.now_ms
        assert len(seen) > 10
        assert all(T0 <= ts <= emu.now_ms for ts in seen)


# --------------------------------------------------------------------------- R-T2


TIMEOUT_CASES = [
    pytest.param(None, 315_000, id="default"),
    pytest.param(RTMConfig(presence_timeout=20), 35_000, id="presence_timeout=20"),
    pytest.param(RTMConfig(heartbeat_interval=30, presence_timeout=5), 45_000, id="hb30-pt5"),
    pytest.param(RTMConfig(presence_timeout=1), 20_000, id="pt1-clamped-to-5"),
    pytest.param(RTMConfig(presence_timeout=1000), 315_000, id="pt1000-clamped-to-300"),
    pytest.param(RTMConfig(heartbeat_interval=1, presence_timeout=20), 35_000, id="hb1-to-5"),
    pytest.param(RTMConfig(heartbeat_interval=5000), 2_110_000, id="hb5000-to-1800"),
    pytest.param({"presenceTimeout": 20}, 35_000, id="sdk-dict-presenceTimeout"),
    pytest.param({"heartbeatInterval": 30, "presenceTimeout": 5}, 45_000, id="sdk-dict-both"),
    pytest.param({"presenceTimeout": 1}, 20_000, id="sdk-dict-clamped"),
]


class TestRT2Timeout:
    """R-T2: the server notices a loss after heartbeat + 10 s, then waits presenceTimeout;
    then others get ``REMOTE_TIMEOUT``, the user leaves every channel, its state is gone."""

    async def test_r_t2_default_timeout_fires_at_exactly_315_s(self, emu: Emulator) -> None:
        alice, _, _, journal = await world(emu)
        t = emu.now_ms
        emu.disconnect("bob")
        emu.advance(314.999)
        assert [("bob", lost(t)), ("bob", suspended(t + SUSPEND_MS))] == journal.take()
        # disconnected is not gone: still present, visible and stateful
        assert ["alice", "bob", "carol"] == emu.online_users("room", "MESSAGE")
        assert {"mood": "ok"} == emu.state_of("bob", "room", "MESSAGE")
        assert [("MESSAGE", "hall"), ("MESSAGE", "room"), ("STREAM", "alpha")] == (
            emu.user_channels("bob")
        )
        emu.advance(0.001)
        at = t + DEFAULT_TIMEOUT_MS
        assert T0 + 1_000 + DEFAULT_TIMEOUT_MS == at == emu.now_ms
        # R-E7: per recipient in user-id order, channels in (type, name) order
        assert [
            ("alice", remote("REMOTE_TIMEOUT", "bob", at, "hall")),
            ("alice", remote("REMOTE_TIMEOUT", "bob", at, "room")),
            ("alice", remote("REMOTE_TIMEOUT", "bob", at, "alpha", "STREAM")),
            ("carol", remote("REMOTE_TIMEOUT", "bob", at, "hall")),
            ("carol", remote("REMOTE_TIMEOUT", "bob", at, "room")),
            ("carol", remote("REMOTE_TIMEOUT", "bob", at, "alpha", "STREAM")),
        ] == journal.take()
        assert {} == emu.state_of("bob", "room", "MESSAGE")
        assert [] == emu.user_channels("bob")
        for ctype, name in (("MESSAGE", "hall"), ("MESSAGE", "room"), ("STREAM", "alpha")):
            assert ["alice", "carol"] == emu.online_users(name, ctype)
        where = await alice.presence.where_now("bob")
        assert (0, ()) == (where.total_channel, where.channels)
        await raises(NOT_EXIST, alice.presence.get_state("bob", "room", "MESSAGE"))
        who = await alice.presence.who_now("room", "MESSAGE")
        assert ["alice", "carol"] == [o.user_id for o in who.occupants]
        emu.advance(3_600)
        assert [] == journal.take()

    @pytest.mark.parametrize(("config", "timeout_ms"), TIMEOUT_CASES)
    async def test_r_t2_timeout_edge_per_client_config(
        self, emu: Emulator, config: Any, timeout_ms: int
    ) -> None:
        ((alice, ra),) = await login_recorded(emu, "alice")
        bob = emu.client("bob", config=config)
        rb = Recorder(bob)
        await bob.login()
        await alice.subscribe("room")
        await bob.subscribe("room")
        await bob.presence.set_state("room", "MESSAGE", {"b": "1"})
        ra.take()
        rb.take()
        emu.advance(7)
        t = emu.now_ms
        emu.disconnect("bob")
        emu.advance((timeout_ms - 1) / 1000)
        assert t + timeout_ms - 1 == emu.now_ms
        assert [] == got(ra)
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")
        assert {"b": "1"} == emu.state_of("bob", "room", "MESSAGE")
        emu.advance(0.001)
        assert [remote("REMOTE_TIMEOUT", "bob", t + timeout_ms)] == got(ra)
        assert ["alice"] == emu.online_users("room", "MESSAGE")
        assert {} == emu.state_of("bob", "room", "MESSAGE")
        assert [] == emu.user_channels("bob")
        assert [] == got(rb)

    @pytest.mark.parametrize(
        ("kwargs", "expected"),
        [
            ({}, (300, 5)),
            ({"presence_timeout": 20}, (20, 5)),
            ({"presence_timeout": 1}, (5, 5)),
            ({"presence_timeout": 1000}, (300, 5)),
            ({"heartbeat_interval": 1}, (300, 5)),
            ({"heartbeat_interval": 30, "presence_timeout": 5}, (5, 30)),
            ({"heartbeat_interval": 5000}, (300, 1800)),
        ],
    )
    def test_r_t2_rtm_config_clamps_like_the_sdk(
        self, kwargs: dict[str, Any], expected: tuple[int, int]
    ) -> None:
        config = RTMConfig(**kwargs)
        assert expected == (config.presence_timeout, config.heartbeat_interval)

    async def test_r_t2_timeout_is_not_debounced(self, emu: Emulator) -> None:
        """REMOTE_TIMEOUT goes out at once, and a re-entry right after it is a new join."""
        (alice, ra), (bob, _) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        await bob.presence.set_state("room", "MESSAGE", {"b": "1"})
        ra.take()
        emu.disconnect("bob")
        emu.advance(315)
        assert [remote("REMOTE_TIMEOUT", "bob", T0 + 315_000)] == got(ra)
        emu.advance(0.5)
        emu.reconnect("bob")
        at = T0 + 315_500
        assert [
            remote("REMOTE_JOIN", "bob", at),
            remote("REMOTE_STATE_CHANGED", "bob", at, state={"b": "1"}),
        ] == got(ra)
        emu.advance(10)
        assert [] == got(ra)

    async def test_r_t2_quiet_user_times_out_silently(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await alice.subscribe("hall")
        await bob.subscribe("room", be_quiet=True)
        await bob.subscribe("hall", with_presence=False)
        await bob.presence.set_state("room", "MESSAGE", {"q": "1"})
        ra.take()
        rb.take()
        emu.disconnect("bob")
        emu.advance(315)
        # quiet in room: nothing; visible (though not listening) in hall: announced
        assert [remote("REMOTE_TIMEOUT", "bob", T0 + 315_000, "hall")] == got(ra)
        assert [] == emu.user_channels("bob")
        assert {} == emu.state_of("bob", "room", "MESSAGE")
        assert [] == got(rb)

    async def test_r_t2_disconnected_user_is_still_listed_until_the_timeout(
        self, emu: Emulator
    ) -> None:
        alice, _, carol, journal = await world(emu)
        emu.disconnect("bob")
        emu.advance(314.999)
        journal.take()
        p = alice.presence
        who = await p.who_now("room", "MESSAGE", include_state=True)
        assert [("alice", {}), ("bob", {"mood": "ok"}), ("carol", {})] == [
            (o.user_id, dict(o.states)) for o in who.occupants
        ]
        count = await p.get_online_users("alice", "STREAM", include_user_id=False)
        assert 0 == count.total_occupancy
        count = await p.get_online_users("alpha", "STREAM", include_user_id=False)
        assert 3 == count.total_occupancy
        state = await carol.presence.get_state("bob", "room", "MESSAGE")
        assert {"mood": "ok"} == state.states
        where = await p.where_now("bob")
        assert [("hall", "MESSAGE"), ("room", "MESSAGE"), ("alpha", "STREAM")] == [
            (c.channel_name, c.channel_type.value) for c in where.channels
        ]
        assert [] == journal.take()

    async def test_r_t2_timeout_of_the_last_member_drops_the_channel(self, emu: Emulator) -> None:
        ((bob, rb),) = await login_recorded(emu, "bob")
        await bob.subscribe("solo")
        await bob.presence.set_state("solo", "MESSAGE", {"b": "1"})
        rb.take()
        emu.disconnect("bob")
        emu.advance(315)
        assert [] == emu.online_users("solo", "MESSAGE")
        assert [] == emu.user_channels("bob")
        assert [] == got(rb)
        emu.check_invariants()

    async def test_r_t2_disconnect_twice_does_not_restart_the_timers(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        ra.take()
        links(rb)
        emu.disconnect("bob")
        timers = emu.pending_timers()
        emu.advance(100)
        emu.disconnect("bob")  # a no-op: no event, timers keep their due times
        assert timers == emu.pending_timers()
        assert [lost(T0)] == links(rb)
        emu.advance(20)
        assert [suspended(T0 + SUSPEND_MS)] == links(rb)
        emu.advance(194.999)
        assert [] == got(ra)
        emu.advance(0.001)
        assert [remote("REMOTE_TIMEOUT", "bob", T0 + 315_000)] == got(ra)

    async def test_r_t2_disconnected_user_in_no_channel_times_out_quietly(
        self, emu: Emulator
    ) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        ra.take()
        links(rb)
        emu.disconnect("bob")
        emu.advance(400)
        assert [] == got(ra)
        assert [lost(T0), suspended(T0 + SUSPEND_MS)] == links(rb)
        assert True is bob.logged_in
        emu.reconnect("bob")
        assert [reconnected(T0 + 400_000, "SUSPENDED", resumed=False)] == links(rb)
        assert [] == got(rb)
        assert [] == got(ra)


# --------------------------------------------------------------------------- R-T3


async def _bob_everywhere(emu: Emulator) -> tuple[RTMClient, RTMClient, Journal]:
    """alice in deaf, hall, quiet, room (MESSAGE) and alpha (STREAM).  bob there too:
    deaf without presence, quiet as a quiet user (state ``{"q": "1"}``), room with state
    ``{"mood": "ok"}``.  carol in room only.  Journal empty at T0 + 1 s."""
    alice, bob, carol = await login(emu, "alice", "bob", "carol")
    for client in (alice, bob):
        await client.create_stream_channel("alpha").join()
    for name in ("deaf", "hall", "quiet", "room"):
        await alice.subscribe(name)
    await carol.subscribe("room")
    await bob.subscribe("room")
    await bob.subscribe("hall")
    await bob.subscribe("deaf", {"withPresence": False})
    await bob.subscribe("quiet", be_quiet=True)
    await bob.presence.set_state("room", "MESSAGE", {"mood": "ok"})
    await bob.presence.set_state("quiet", "MESSAGE", {"q": "1"})
    emu.advance(1)
    journal = Journal(alice, bob, carol)
    return alice, bob, journal


BOB_CHANNELS = [
    ("MESSAGE", "deaf"),
    ("MESSAGE", "hall"),
    ("MESSAGE", "quiet"),
    ("MESSAGE", "room"),
    ("STREAM", "alpha"),
]


def _calls(client: RTMClient) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    stage = client.create_stream_channel("alpha")
    fresh = client.create_stream_channel("fresh")
    p = client.presence
    return [
        ("subscribe", lambda: client.subscribe("elsewhere")),
        ("subscribe", lambda: client.subscribe("room", be_quiet=True)),
        ("unsubscribe", lambda: client.unsubscribe("room")),
        ("join", lambda: fresh.join()),
        ("leave", lambda: stage.leave()),
        ("getOnlineUsers", lambda: p.get_online_users("room", "MESSAGE")),
        ("whoNow", lambda: p.whoNow("room", "MESSAGE")),
        ("getUserChannels", lambda: p.get_user_channels()),
        ("whereNow", lambda: p.where_now("alice")),
        ("getState", lambda: p.get_state("alice", "room", "MESSAGE")),
        ("setState", lambda: p.set_state("room", "MESSAGE", {"mood": "bad"})),
        ("setState", lambda: p.setState("elsewhere", "MESSAGE", {"cached": "1"})),
        ("removeState", lambda: p.remove_state("room", "MESSAGE")),
        ("removeState", lambda: p.removeState("room", "MESSAGE", {"states": ["mood"]})),
    ]


class TestRT3Reconnect:
    """R-T3: reconnect before the timeout resumes silently; after it re-enters with the
    original options and state; while disconnected, calls but login/logout fail."""

    async def test_r_t3_reconnect_just_before_the_timeout_resumes(self, emu: Emulator) -> None:
        alice, bob, journal = await _bob_everywhere(emu)
        t = emu.now_ms
        emu.disconnect("bob")
        emu.advance(100)
        await alice.presence.set_state("room", "MESSAGE", {"a": "2"})  # not delivered to bob
        emu.advance(214.999)
        assert [
            ("bob", lost(t)),
            ("carol", remote("REMOTE_STATE_CHANGED", "alice", t + 100_000, state={"a": "2"})),
            ("bob", suspended(t + SUSPEND_MS)),
        ] == journal.take()
        emu.reconnect("bob")
        at = t + 314_999
        assert [
            ("bob", reconnected(at, "SUSPENDED", resumed=True)),
            ("bob", snap(at, {"alice": {}, "bob": {}}, "hall")),
            ("bob", snap(at, {"alice": {}}, "quiet")),
            ("bob", snap(at, {"alice": {"a": "2"}, "bob": {"mood": "ok"}, "carol": {}})),
            ("bob", snap(at, {"alice": {}, "bob": {}}, "alpha", "STREAM")),
        ] == journal.take()
        assert BOB_CHANNELS == emu.user_channels("bob")
        assert {"mood": "ok"} == emu.state_of("bob", "room", "MESSAGE")
        assert {"q": "1"} == emu.state_of("bob", "quiet", "MESSAGE")
        assert (True, LinkState.CONNECTED) == (bob.connected, bob.link_state)
        assert [] == emu.pending_timers()
        emu.advance(3_600)
        assert [] == journal.take()
        # bob listens again
        await alice.presence.set_state("hall", "MESSAGE", {"h": "1"})
        at = emu.now_ms
        assert [
            ("bob", remote("REMOTE_STATE_CHANGED", "alice", at, "hall", state={"h": "1"})),
        ] == journal.take()

    async def test_r_t3_reconnect_after_the_timeout_reenters(self, emu: Emulator) -> None:
        alice, bob, journal = await _bob_everywhere(emu)
        t = emu.now_ms
        emu.disconnect("bob")
        emu.advance(315)
        out = t + DEFAULT_TIMEOUT_MS
        assert [
            ("alice", remote("REMOTE_TIMEOUT", "bob", out, "deaf")),
            ("alice", remote("REMOTE_TIMEOUT", "bob", out, "hall")),
            ("alice", remote("REMOTE_TIMEOUT", "bob", out, "room")),
            ("alice", remote("REMOTE_TIMEOUT", "bob", out, "alpha", "STREAM")),
            ("carol", remote("REMOTE_TIMEOUT", "bob", out)),
        ] == journal.take()[2:]  # after bob's DISCONNECTED and SUSPENDED
        assert [] == emu.user_channels("bob")
        emu.advance(5)
        emu.reconnect("bob")
        at = out + 5_000
        assert [
            ("alice", remote("REMOTE_JOIN", "bob", at, "deaf")),
            ("alice", remote("REMOTE_JOIN", "bob", at, "hall")),
            ("alice", remote("REMOTE_JOIN", "bob", at, "room")),
            ("alice", remote("REMOTE_STATE_CHANGED", "bob", at, state={"mood": "ok"})),
            ("alice", remote("REMOTE_JOIN", "bob", at, "alpha", "STREAM")),
            ("bob", reconnected(at, "SUSPENDED", resumed=False)),
            ("bob", snap(at, {"alice": {}, "bob": {}}, "hall")),
            ("bob", snap(at, {"alice": {}}, "quiet")),
            ("bob", snap(at, {"alice": {}, "bob": {"mood": "ok"}, "carol": {}})),
            ("bob", snap(at, {"alice": {}, "bob": {}}, "alpha", "STREAM")),
            ("carol", remote("REMOTE_JOIN", "bob", at)),
            ("carol", remote("REMOTE_STATE_CHANGED", "bob", at, state={"mood": "ok"})),
        ] == journal.take()
        assert BOB_CHANNELS == emu.user_channels("bob")
        assert {"mood": "ok"} == emu.state_of("bob", "room", "MESSAGE")
        assert {"q": "1"} == emu.state_of("bob", "quiet", "MESSAGE")
        assert ["alice"] == emu.online_users("quiet", "MESSAGE")  # still quiet
        assert (True, LinkState.CONNECTED) == (bob.connected, bob.link_state)
        emu.advance(3_600)
        assert [] == journal.take()
        # still not listening in deaf, listening in hall
        await alice.presence.set_state("deaf", "MESSAGE", {"d": "1"})
        await alice.presence.set_state("hall", "MESSAGE", {"h": "1"})
        at = emu.now_ms
        assert [
            ("bob", remote("REMOTE_STATE_CHANGED", "alice", at, "hall", state={"h": "1"})),
        ] == journal.take()

    async def test_r_t3_late_reconnect_without_state_is_only_a_join(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        ra.take()
        rb.take()
        emu.disconnect("bob")
        emu.advance(400)
        ra.take()
        emu.reconnect("bob")
        at = T0 + 400_000
        assert [remote("REMOTE_JOIN", "bob", at)] == got(ra)
        assert [snap(at, {"alice": {}, "bob": {}})] == got(rb)

    async def test_r_t3_late_reconnect_into_a_full_channel_is_unrestored(self) -> None:
        """Emulator decision: a channel it can no longer enter is named in
        ``unrestoredChannels`` and left out."""
        emu = Emulator(EmulatorConfig(max_channel_users=2), strict=True)
        (alice, ra), (bob, rb), (carol, _) = await login_recorded(emu, "alice", "bob", "carol")
        await alice.subscribe("room")
        await alice.subscribe("hall")
        await bob.subscribe("room")
        await bob.subscribe("hall")
        emu.disconnect("bob")
        emu.advance(315)
        await carol.subscribe("room")
        ra.take()
        rb.take()
        links(rb)
        emu.reconnect("bob")
        at = emu.now_ms
        assert [reconnected(at, "SUSPENDED", resumed=False, unrestored=("room",))] == links(rb)
        assert [snap(at, {"alice": {}, "bob": {}}, "hall")] == got(rb)
        assert [remote("REMOTE_JOIN", "bob", at, "hall")] == got(ra)
        assert [("MESSAGE", "hall")] == emu.user_channels("bob")
        emu.check_invariants()

    @pytest.mark.parametrize("index", range(14))
    @pytest.mark.parametrize("after_timeout", [False, True], ids=["before", "after"])
    async def test_r_t3_calls_fail_not_connected_and_change_nothing(
        self, emu: Emulator, index: int, after_timeout: bool
    ) -> None:
        _, bob, _, journal = await world(emu)
        emu.disconnect("bob")
        emu.advance(400 if after_timeout else 200)
        journal.take()
        before = everything(emu, "alice", "bob", "carol")
        operation, call = _calls(bob)[index]
        error = await raises(NOT_CONNECTED, call())
        assert operation == error.operation
        assert -10025 == error.to_dict()["errorCode"]
        assert before == everything(emu, "alice", "bob", "carol")
        assert [] == journal.take()
        assert (False, True) == (bob.connected, bob.logged_in)
        emu.reconnect("bob")
        journal.take()
        # the failed setState cached nothing
        await bob.subscribe("elsewhere")
        assert [("bob", snap(emu.now_ms, {"bob": {}}, "elsewhere"))] == journal.take()
        assert {"mood": "ok"} == emu.state_of("bob", "room", "MESSAGE")
        assert ["alice", "bob", "carol"] == emu.online_users("alpha", "STREAM")

    async def test_r_t3_login_while_disconnected_succeeds_and_changes_nothing(
        self, emu: Emulator
    ) -> None:
        _, bob, _, journal = await world(emu)
        emu.disconnect("bob")
        emu.advance(10)
        journal.take()
        before = everything(emu, "bob")
        response = await bob.login()
        assert T0 + 11_000 == response.timestamp
        await bob.login({"token": "x"})
        assert before == everything(emu, "bob")
        assert [] == journal.take()
        assert (False, LinkState.DISCONNECTED) == (bob.connected, bob.link_state)
        await raises(NOT_CONNECTED, bob.presence.who_now("room", "MESSAGE"))
        emu.advance(304.999)
        assert [("bob", suspended(T0 + 1_000 + SUSPEND_MS))] == journal.take()
        emu.advance(0.001)
        assert 6 == len(journal.take())  # the timeout fires as scheduled

    async def test_r_t3_logout_while_disconnected_is_an_ordinary_leave(self, emu: Emulator) -> None:
        _, bob, _, journal = await world(emu)
        emu.disconnect("bob")
        emu.advance(10)
        journal.take()
        t = emu.now_ms
        response = await bob.logout()
        assert t == response.timestamp
        assert [("bob", logged_out(t, "DISCONNECTED"))] == journal.take()
        assert [] == emu.user_channels("bob")
        assert {} == emu.state_of("bob", "room", "MESSAGE")
        assert ["alice", "carol"] == emu.online_users("room", "MESSAGE")
        assert (False, LinkState.IDLE) == (bob.logged_in, bob.link_state)
        emu.advance(1.999)
        assert [] == journal.take()
        emu.advance(0.001)
        at = t + 2_000
        # one debounce timer per channel, scheduled in (type, name) order (R-E7)
        assert [
            ("alice", remote("REMOTE_LEAVE", "bob", at, "hall")),
            ("carol", remote("REMOTE_LEAVE", "bob", at, "hall")),
            ("alice", remote("REMOTE_LEAVE", "bob", at, "room")),
            ("carol", remote("REMOTE_LEAVE", "bob", at, "room")),
            ("alice", remote("REMOTE_LEAVE", "bob", at, "alpha", "STREAM")),
            ("carol", remote("REMOTE_LEAVE", "bob", at, "alpha", "STREAM")),
        ] == journal.take()
        emu.advance(3_600)  # no SUSPENDED, no REMOTE_TIMEOUT
        assert [] == journal.take()
        assert [] == emu.pending_timers()
        # emulator decision: logging out ends the network loss
        await bob.login()
        assert True is bob.connected
        await bob.subscribe("room")

    async def test_r_t3_logout_after_the_timeout_tells_others_nothing(self, emu: Emulator) -> None:
        _, bob, _, journal = await world(emu)
        emu.disconnect("bob")
        emu.advance(400)
        journal.take()
        await bob.logout()
        assert [("bob", logged_out(emu.now_ms, "SUSPENDED"))] == journal.take()
        emu.advance(10)
        assert [] == journal.take()
        await bob.login()
        assert [] == emu.user_channels("bob")  # nothing restored by a new login

    async def test_r_t3_events_while_disconnected_are_not_delivered(self, emu: Emulator) -> None:
        alice, _, carol, journal = await world(emu)
        emu.disconnect("bob")
        journal.take()
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        await carol.unsubscribe("hall")
        dave = (await login(emu, "dave"))[0]
        journal.watch(dave)
        await dave.subscribe("room")
        emu.advance(5)
        received = {who for who, _ in journal.take()}
        assert "bob" not in received
        assert {"alice", "carol", "dave"} == received
        emu.reconnect("bob")
        at = emu.now_ms
        assert [
            ("bob", reconnected(at, "DISCONNECTED", resumed=True)),
            ("bob", snap(at, {"alice": {}, "bob": {}}, "hall")),
            (
                "bob",
                snap(
                    at,
                    {"alice": {"a": "1"}, "bob": {"mood": "ok"}, "carol": {}, "dave": {}},
                ),
            ),
            ("bob", snap(at, {"alice": {}, "bob": {}, "carol": {}}, "alpha", "STREAM")),
        ] == journal.take()

    async def test_r_t3_no_op_disconnect_and_reconnect(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        ra.take()
        rb.take()
        links(rb)
        emu.reconnect("bob")  # connected: nothing
        assert ([], [], []) == (got(ra), got(rb), links(rb))
        emu.disconnect("bob")
        emu.disconnect("bob")
        assert [lost(T0)] == links(rb)
        emu.reconnect("bob")
        emu.reconnect("bob")
        assert [reconnected(T0, "DISCONNECTED", resumed=True)] == links(rb)
        assert [snap(T0, {"alice": {}, "bob": {}})] == got(rb)
        assert [] == got(ra)

    @pytest.mark.parametrize("control", ["disconnect", "reconnect"])
    async def test_r_t3_control_of_unknown_or_invalid_user(
        self, emu: Emulator, control: str
    ) -> None:
        (alice, ra), (bob, _) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.logout()
        ra.take()
        links(ra)
        action = getattr(emu, control)
        for uid, code in (
            ("nobody", NOT_LOGIN),
            ("bob", NOT_LOGIN),  # logged out
            ("", INVALID_USER_ID),
        ):
            with pytest.raises(RtmError) as info:
                action(uid)
            assert (code, control) == (info.value.error_code, info.value.operation)
        with pytest.raises(RtmError) as info:
            action("alice", app_id="other-app")
        assert NOT_LOGIN == info.value.error_code
        assert ([], []) == (got(ra), links(ra))
        assert (True, True) == (alice.connected, alice.logged_in)
        assert [] == emu.pending_timers()


# --------------------------------------------------------------------------- R-T4


class TestRT4LinkState:
    """R-T4: the ``linkState`` listener sees every transition with the SDK's operation,
    reason code and reason text."""

    async def test_r_t4_login_idle_connecting_connected(self, emu: Emulator) -> None:
        alice = emu.client("alice")
        ra = Recorder(alice)
        assert LinkState.IDLE == alice.link_state
        emu.advance(3)
        await alice.login()
        assert logged_in(T0 + 3_000) == links(ra)
        assert LinkState.CONNECTED == alice.link_state
        assert [] == got(ra)

    async def test_r_t4_loss_then_suspended_after_exactly_120_s(self, emu: Emulator) -> None:
        ((alice, ra),) = await login_recorded(emu, "alice")
        links(ra)
        emu.advance(1)
        emu.disconnect("alice")
        assert [lost(T0 + 1_000)] == links(ra)
        assert (LinkState.DISCONNECTED, False) == (alice.link_state, alice.connected)
        emu.advance(119.999)
        assert [] == links(ra)
        emu.advance(0.001)
        assert [suspended(T0 + 121_000)] == links(ra)
        assert LinkState.SUSPENDED == alice.link_state
        emu.advance(3_600)
        assert [] == links(ra)

    async def test_r_t4_reconnect_at_119_999_s_is_never_suspended(self, emu: Emulator) -> None:
        ((alice, ra),) = await login_recorded(emu, "alice")
        links(ra)
        emu.disconnect("alice")
        emu.advance(119.999)
        emu.reconnect("alice")
        assert [lost(T0), reconnected(T0 + 119_999, "DISCONNECTED", resumed=True)] == links(ra)
        emu.advance(3_600)
        assert [] == links(ra)
        assert LinkState.CONNECTED == alice.link_state

    async def test_r_t4_reconnect_from_suspended_before_the_timeout(self, emu: Emulator) -> None:
        ((_, ra),) = await login_recorded(emu, "alice")
        links(ra)
        emu.disconnect("alice")
        emu.advance(200)
        emu.reconnect("alice")
        assert [
            lost(T0),
            suspended(T0 + SUSPEND_MS),
            reconnected(T0 + 200_000, "SUSPENDED", resumed=True),
        ] == links(ra)

    async def test_r_t4_timed_out_before_suspension(self, emu: Emulator) -> None:
        """presenceTimeout 20: the server drops the user at 35 s, the link is still
        DISCONNECTED, so the reconnect goes DISCONNECTED → CONNECTED, not resumed."""
        alice = emu.client("alice", config=RTMConfig(presence_timeout=20))
        ra = Recorder(alice)
        ((bob, rb),) = await login_recorded(emu, "bob")
        await alice.login()
        await alice.subscribe("room")
        await bob.subscribe("room")
        links(ra)
        ra.take()
        rb.take()
        emu.disconnect("alice")
        emu.advance(50)
        assert [remote("REMOTE_TIMEOUT", "alice", T0 + 35_000)] == got(rb)
        emu.reconnect("alice")
        at = T0 + 50_000
        assert [lost(T0), reconnected(at, "DISCONNECTED", resumed=False)] == links(ra)
        assert [snap(at, {"alice": {}, "bob": {}})] == got(ra)
        assert [remote("REMOTE_JOIN", "alice", at)] == got(rb)
        emu.advance(3_600)
        assert [] == links(ra)

    async def test_r_t4_reconnect_after_suspension_and_timeout(self, emu: Emulator) -> None:
        ((_, ra),) = await login_recorded(emu, "alice")
        links(ra)
        emu.disconnect("alice")
        emu.advance(315)
        emu.reconnect("alice")
        assert [
            lost(T0),
            suspended(T0 + SUSPEND_MS),
            reconnected(T0 + 315_000, "SUSPENDED", resumed=False),
        ] == links(ra)

    @pytest.mark.parametrize(
        ("wait", "previous"),
        [(None, "CONNECTED"), (60, "DISCONNECTED"), (200, "SUSPENDED"), (400, "SUSPENDED")],
    )
    async def test_r_t4_logout_goes_idle(
        self, emu: Emulator, wait: float | None, previous: str
    ) -> None:
        ((alice, ra),) = await login_recorded(emu, "alice")
        await alice.subscribe("room")
        if wait is not None:
            emu.disconnect("alice")
            emu.advance(wait)
        links(ra)
        await alice.logout()
        assert [logged_out(emu.now_ms, previous)] == links(ra)
        assert LinkState.IDLE == alice.link_state
        await alice.logout()  # not logged in: no event
        emu.advance(3_600)
        assert [] == links(ra)

    async def test_r_t4_same_uid_login_kicks_the_first_client(self, emu: Emulator) -> None:
        (alice, ra), (bob1, rb1) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await alice.create_stream_channel("alpha").join()
        await bob1.subscribe("room")
        await bob1.create_stream_channel("alpha").join()
        await bob1.presence.set_state("room", "MESSAGE", {"b": "1"})
        ra.take()
        rb1.take()
        links(rb1)
        emu.advance(1)
        t = emu.now_ms
        bob2 = emu.client("bob")
        rb2 = Recorder(bob2)
        await bob2.login()
        assert [kicked(t)] == links(rb1)
        assert logged_in(t) == links(rb2)
        assert (False, LinkState.FAILED) == (bob1.logged_in, bob1.link_state)
        assert (True, LinkState.CONNECTED) == (bob2.logged_in, bob2.link_state)
        # the old session left its channels at once; the leave is debounced (R-E6)
        assert [] == emu.user_channels("bob")
        assert {} == emu.state_of("bob", "room", "MESSAGE")
        assert ["alice"] == emu.online_users("room", "MESSAGE")
        assert [] == got(ra)
        emu.advance(1.999)
        assert [] == got(ra)
        emu.advance(0.001)
        assert [
            remote("REMOTE_LEAVE", "bob", t + 2_000),
            remote("REMOTE_LEAVE", "bob", t + 2_000, "alpha", "STREAM"),
        ] == got(ra)
        # the kicked client is logged out
        for call in (
            lambda: bob1.subscribe("room"),
            lambda: bob1.presence.who_now("room", "MESSAGE"),
            lambda: bob1.presence.set_state("room", "MESSAGE", {"b": "2"}),
            lambda: bob1.create_stream_channel("alpha").join(),
        ):
            await raises(NOT_LOGIN, call())
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        assert ([], [], [], []) == (got(rb1), links(rb1), got(rb2), links(rb2))
        emu.advance(3_600)
        assert ([], []) == (got(ra), links(rb1))

    async def test_r_t4_kicked_session_reentered_within_debounce_is_silent(
        self, emu: Emulator
    ) -> None:
        (alice, ra), (bob1, _) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob1.subscribe("room")
        ra.take()
        bob2 = emu.client("bob")
        rb2 = Recorder(bob2)
        await bob2.login()
        emu.advance(1.999)
        await bob2.subscribe("room")
        assert [snap(T0 + 1_999, {"alice": {}, "bob": {}})] == got(rb2)
        emu.advance(3_600)
        assert [] == got(ra)
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")

    async def test_r_t4_kicked_session_with_state_reentered_within_debounce(
        self, emu: Emulator
    ) -> None:
        """R-E6: no leave / join, but the state the others last heard of differs."""
        (alice, ra), (bob1, _) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob1.subscribe("room")
        await bob1.presence.set_state("room", "MESSAGE", {"b": "1"})
        ra.take()
        bob2 = emu.client("bob")
        await bob2.login()
        emu.advance(1)
        await bob2.subscribe("room")
        assert [remote("REMOTE_STATE_CHANGED", "bob", T0 + 1_000, state={})] == got(ra)
        emu.advance(3_600)
        assert [] == got(ra)

    async def test_r_t4_same_uid_in_another_app_is_not_kicked(self, emu: Emulator) -> None:
        (alice, ra), (bob1, rb1) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob1.subscribe("room")
        ra.take()
        rb1.take()
        links(rb1)
        bob2 = emu.client("bob", app_id="other-app")
        rb2 = Recorder(bob2)
        await bob2.login()
        await bob2.subscribe("room")
        assert logged_in(T0) == links(rb2)
        assert [snap(T0, {"bob": {}})] == got(rb2)
        assert ([], []) == (links(rb1), got(rb1))
        assert (True, LinkState.CONNECTED) == (bob1.logged_in, bob1.link_state)
        emu.advance(10)
        assert [] == got(ra)
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")
        assert ["bob"] == emu.online_users("room", "MESSAGE", app_id="other-app")

    async def test_r_t4_kicked_client_logs_in_again_kicking_the_other(self, emu: Emulator) -> None:
        (alice, ra), (bob1, rb1) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob1.subscribe("room")
        bob2 = emu.client("bob")
        rb2 = Recorder(bob2)
        await bob2.login()
        await bob2.subscribe("room")
        ra.take()
        rb1.take()
        links(rb1)
        links(rb2)
        emu.advance(10)
        await bob1.login()
        assert logged_in(T0 + 10_000, previous="FAILED") == links(rb1)
        assert [kicked(T0 + 10_000)] == links(rb2)
        assert (True, False) == (bob1.logged_in, bob2.logged_in)
        assert [] == emu.user_channels("bob")  # bob1's old channels are not restored
        await bob1.subscribe("room")
        assert [snap(T0 + 10_000, {"alice": {}, "bob": {}})] == got(rb1)
        emu.advance(10)
        assert [] == got(ra)  # left and re-entered within the debounce window
        await raises(NOT_LOGIN, bob2.presence.who_now("room", "MESSAGE"))

    async def test_r_t4_kick_while_disconnected(self, emu: Emulator) -> None:
        """Emulator decision: the disconnected client is kicked too; its timers stop."""
        (alice, ra), (bob1, rb1) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob1.subscribe("room")
        ra.take()
        emu.disconnect("bob")
        emu.advance(10)
        links(rb1)
        bob2 = emu.client("bob")
        await bob2.login()
        t = emu.now_ms
        assert [kicked(t, "DISCONNECTED")] == links(rb1)
        assert (False, LinkState.FAILED) == (bob1.logged_in, bob1.link_state)
        emu.advance(2)
        assert [remote("REMOTE_LEAVE", "bob", t + 2_000)] == got(ra)
        emu.advance(3_600)  # no SUSPENDED, no REMOTE_TIMEOUT
        assert ([], []) == (links(rb1), got(ra))
        emu.disconnect("bob")  # now names bob2
        assert False is bob2.connected

    async def test_r_t4_link_events_reach_a_disconnected_client(self, emu: Emulator) -> None:
        """Emulator decision: link-state events are local, presence events are not."""
        (alice, _), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        rb.take()
        links(rb)
        emu.disconnect("bob")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        emu.advance(120)
        assert [lost(T0), suspended(T0 + SUSPEND_MS)] == links(rb)
        assert [] == got(rb)

    def test_r_t4_reason_texts_are_the_sdks(self) -> None:
        assert REASON == {code: LinkStateReasonCode(code).description for code in REASON}

    async def test_r_t4_link_state_property_through_a_lifetime(self, emu: Emulator) -> None:
        bob = emu.client("bob")
        seen = [bob.link_state]
        await bob.login()
        seen.append(bob.link_state)
        emu.disconnect("bob")
        seen.append(bob.link_state)
        emu.advance(120)
        seen.append(bob.link_state)
        emu.reconnect("bob")
        seen.append(bob.link_state)
        await bob.logout()
        seen.append(bob.link_state)
        await bob.login()
        await emu.client("bob").login()
        seen.append(bob.link_state)
        assert [
            "IDLE",
            "CONNECTED",
            "DISCONNECTED",
            "SUSPENDED",
            "CONNECTED",
            "IDLE",
            "FAILED",
        ] == [s.value for s in seen]
        assert all(isinstance(s, LinkState) for s in seen)
