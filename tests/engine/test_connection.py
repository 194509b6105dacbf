"""Connection and time, revision 2: the fake clock, network loss, the server's timeout,
calls while the link is down, reconnect, link states, same-uid kick, re-login.

Rules R-T1 .. R-T4 and R-L3 of ``semantics.md`` (with R-E6 debounce, R-E7 order, R-E9
delivery and R-L2 logout where they meet the connection).  The client side follows the
SDK runtime (agora-rtm.js 2.3.0, class RTMImpl: ``_loginImpl`` link listeners,
``_updateLinkState``, ``_allowSubscribeCacheOnLinkDown``; the reconnect back-off table
and the 115 s suspend timer of the session).  Events are compared as whole SDK JSON
(``to_dict()``), timestamps included; expected values come first in every assertion.

Where the runtime differs from the written rules the tests follow the runtime (the
project's real-SDK oracle, ``clients/js/test/oracle``, shows each case): a reconnect
keeps the client's replica and replays only what changed while it was away (no new
SNAPSHOT), a stream join or leave needs only a link that is not IDLE, and ``login``
while DISCONNECTED or SUSPENDED makes an attempt at once and reports its CONNECTED as
``LOGIN`` / ``RELOGIN``.

What the rules leave open is left open here: the order of users inside a SNAPSHOT (the
tests sort it) and what happens when the network comes back in the middle of a retry
attempt.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import struct
import time
import zlib
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ClassVar

import pytest

from rtm_emulator import (
    DEFAULT_APP_ID,
    ChannelType,
    Emulator,
    EmulatorConfig,
    LinkState,
    LinkStateEvent,
    RTMClient,
    RTMConfig,
    RtmError,
    RTMStreamChannel,
)

from ..conftest import Recorder, login_recorded
from ..expected import sdk_event, snapshot_at

Json = dict[str, Any]

T0 = 1_735_689_600_000  # 2025-01-01T00:00:00Z, the default start of the clock
S = 1_000  # one second in ms

#: The SDK's ``LinkStateChangeReasonDescription`` texts (agora-rtm.js 2.3.0, enum ``D``).
REASON = {
    "LOGIN": "Perform login operation",
    "LOGIN_SUCCESS": "Login success",
    "RELOGIN": "Perform login operation again",
    "LOGOUT": "Logout success",
    "AUTO_RECONNECT": "Reconnecting",
    "RECONNECT_TIMEOUT": "Reconnect timeout",
    "RECONNECT_SUCCESS": "Reconnect success",
    "SAME_UID_LOGIN": "The same uid login on another device",
    "KEEP_ALIVE_TIMEOUT": "Keep alive timeout",
    "JOIN": "Perform join operation",
    "JOIN_SUCCESS": "Join channel success",
    "LEAVE": "Leave channel success",
    "INVALID_TOKEN": "Invalid token",
    "INCONSISTENT_APP_ID": "Inconsistent app ID",
}

NOT_CONNECTED_REASON = "Perform operation failed due to RTM service is not connected."
DUPLICATE_REASON = "Same subscribe, join or login request."

# R-T4 retry timing (agora-rtm.js 2.3.0: back-off table ``nt``, 5 s attempt, 115 s timer)
BACKOFF_S = (2, 4, 8, 16, 32, 32)
LATER_BACKOFF_S = 30
ATTEMPT_S = 5
SUSPEND_TIMER_S = 115

#: Seconds after a loss at which retries start, and at which they fail (network down).
RETRY_STARTS_S = (2, 11, 24, 45, 82, 119, 154, 189, 224, 259, 294, 329, 364)
RETRY_FAILS_S = (7, 16, 29, 50, 87, 124, 159, 194, 229, 264, 299, 334, 369)
#: The first failed attempt (7 s) arms the 115 s timer; the first failure after 122 s
#: is the 124 s one, which goes SUSPENDED.
FIRST_SUSPENDED_S = 124

DEFAULT_TIMEOUT_MS = 315 * S  # heartbeat 5 + 10, then presence timeout 300


# ------------------------------------------------------------------ expected JSON


def link(
    previous: str,
    current: str,
    operation: str,
    reason_code: str,
    timestamp: int,
    *,
    affected: list[str] | tuple[str, ...] = (),
    resumed: bool = False,
    service: str = "MESSAGE",
) -> Json:
    """The SDK JSON of a ``LinkStateEvent`` (``unrestoredChannels`` is always ``[]``)."""
    return {
        "currentState": current,
        "previousState": previous,
        "serviceType": service,
        "operation": operation,
        "reason": REASON[reason_code],
        "reasonCode": reason_code,
        "affectedChannels": list(affected),
        "unrestoredChannels": [],
        "isResumed": resumed,
        "timestamp": timestamp,
    }


def stream_joined(channel: str, timestamp: int) -> list[Json]:
    """A stream channel's own link on a successful join (R-T4, serviceType STREAM)."""
    return [
        link("IDLE", "CONNECTING", "JOIN", "JOIN", timestamp, affected=[channel], service="STREAM"),
        link(
            "CONNECTING",
            "CONNECTED",
            "JOIN",
            "JOIN_SUCCESS",
            timestamp,
            affected=[channel],
            service="STREAM",
        ),
    ]


def stream_left(channel: str, timestamp: int, previous: str = "CONNECTED") -> Json:
    """A stream channel's own link on a leave (R-T4, serviceType STREAM); ``previous``
    is ``CONNECTING`` when a network loss took its RTC link down (R-M12)."""
    return link(previous, "IDLE", "LEAVE", "LEAVE", timestamp, affected=[channel], service="STREAM")


def stream_back(channel: str, timestamp: int) -> Json:
    """A stream channel's RTC link back with the client's own (R-M12)."""
    return link(
        "CONNECTING",
        "CONNECTED",
        "RECONNECTED",
        "RECONNECT_SUCCESS",
        timestamp,
        affected=[channel],
        service="STREAM",
        resumed=True,
    )


def logged_in(timestamp: int) -> list[Json]:
    return [
        link("IDLE", "CONNECTING", "LOGIN", "LOGIN", timestamp),
        link("CONNECTING", "CONNECTED", "LOGIN", "LOGIN_SUCCESS", timestamp),
    ]


def relogged_in(timestamp: int) -> list[Json]:
    """Login after FAILED: ``RELOGIN``, then the login path's ``LOGIN_SUCCESS``."""
    return [
        link("FAILED", "CONNECTING", "LOGIN", "RELOGIN", timestamp),
        link("CONNECTING", "CONNECTED", "LOGIN", "LOGIN_SUCCESS", timestamp),
    ]


def lost(timestamp: int, affected: list[str] | tuple[str, ...] = ()) -> Json:
    return link(
        "CONNECTED",
        "DISCONNECTED",
        "HEARTBEAT_TIMEOUT",
        "KEEP_ALIVE_TIMEOUT",
        timestamp,
        affected=affected,
    )


def retrying(timestamp: int, previous: str = "DISCONNECTED") -> Json:
    return link(previous, "CONNECTING", "AUTO_RECONNECT", "AUTO_RECONNECT", timestamp)


def attempt_failed(timestamp: int) -> Json:
    return link("CONNECTING", "DISCONNECTED", "SERVER_TIMEOUT", "RECONNECT_TIMEOUT", timestamp)


def suspended(timestamp: int) -> Json:
    return link("CONNECTING", "SUSPENDED", "AUTO_RECONNECT", "RECONNECT_TIMEOUT", timestamp)


def reconnected(
    timestamp: int, affected: list[str] | tuple[str, ...] = (), *, resumed: bool
) -> Json:
    return link(
        "CONNECTING",
        "CONNECTED",
        "AUTO_RECONNECT",
        "RECONNECT_SUCCESS",
        timestamp,
        affected=affected,
        resumed=resumed,
    )


def kicked(
    timestamp: int, affected: list[str] | tuple[str, ...] = (), previous: str = "CONNECTED"
) -> Json:
    return link(previous, "FAILED", "SERVER_REJECT", "SAME_UID_LOGIN", timestamp, affected=affected)


def logged_out(
    timestamp: int, affected: list[str] | tuple[str, ...] = (), previous: str = "CONNECTED"
) -> Json:
    return link(previous, "IDLE", "LOGOUT", "LOGOUT", timestamp, affected=affected)


def outage(
    loss_ms: int,
    until_ms: int,
    affected: list[str] | tuple[str, ...] = (),
    *,
    back_ms: int | None = None,
) -> list[Json]:
    """Every link event of a network loss at ``loss_ms`` up to ``until_ms`` (R-T4).

    With ``back_ms`` the network comes back then and the client reconnects at its next
    retry, ``isResumed`` true while the 115 s timer (armed at the first failed attempt)
    has not run out.  ``back_ms`` must not fall inside an attempt: what happens then is
    not specified.
    """
    events = [lost(loss_ms, affected)]
    state = "DISCONNECTED"
    suspend_at: int | None = None
    start = loss_ms + BACKOFF_S[0] * S
    failures = 0
    while start <= until_ms:
        if back_ms is not None and back_ms < start:
            events.append(retrying(start, state))
            resumed = suspend_at is None or start < suspend_at
            events.append(reconnected(start, affected, resumed=resumed))
            return events
        fail = start + ATTEMPT_S * S
        assert back_ms is None or not start <= back_ms <= fail, "back during an attempt"
        events.append(retrying(start, state))
        if fail > until_ms:
            break
        if suspend_at is not None and fail >= suspend_at:
            events.append(suspended(fail))
            state = "SUSPENDED"
        else:
            events.append(attempt_failed(fail))
            state = "DISCONNECTED"
        if suspend_at is None:
            suspend_at = fail + SUSPEND_TIMER_S * S
        failures += 1
        wait = BACKOFF_S[failures] if failures < len(BACKOFF_S) else LATER_BACKOFF_S
        start = fail + wait * S
    return events


def next_retry_ms(loss_ms: int, back_ms: int) -> int:
    """When a client that lost its network at ``loss_ms`` and got it back at ``back_ms``
    (not inside an attempt) reconnects."""
    return outage(loss_ms, back_ms + 10_000 * S, back_ms=back_ms)[-1]["timestamp"]  # type: ignore[no-any-return]


def remote(
    kind: str,
    publisher: str,
    timestamp: int,
    channel: str = "room",
    ctype: str = "MESSAGE",
    state: dict[str, Any] | None = None,
) -> Json:
    """The SDK JSON of a ``REMOTE_*`` presence event."""
    return sdk_event(kind, publisher, ts=timestamp, channel=channel, ctype=ctype, state=state)


def snap(
    timestamp: int,
    users: dict[str, dict[str, Any]],
    channel: str = "room",
    ctype: str = "MESSAGE",
) -> Json:
    """The SDK JSON of a ``SNAPSHOT`` listing ``users`` (id -> states), in id order."""
    return snapshot_at(timestamp, *sorted(users.items()), channel=channel, ctype=ctype)


def error(code: int, operation: str, reason: str, name: str) -> Json:
    return {
        "error": True,
        "code": code,
        "errorCode": code,
        "operation": operation,
        "reason": reason,
        "name": name,
    }


def not_connected(operation: str) -> Json:
    """R-T3 / R-X1: the SDK's -10025."""
    return error(-10025, operation, NOT_CONNECTED_REASON, "RtmInvalidStatusError")


# ---------------------------------------------------------------------- recording


def _sorted_snapshot(event: Json) -> Json:
    """The SDK JSON with the SNAPSHOT's users in id order (their order is not a rule)."""
    if event.get("eventType") == "SNAPSHOT":
        event = dict(event, snapshot=sorted(event["snapshot"], key=lambda u: u["userId"]))
    return event


def got(rec: Recorder) -> list[Json]:
    """The SDK JSON of every presence event recorded so far, clearing the record."""
    return [_sorted_snapshot(e.to_dict()) for e in rec.take()]


def links(rec: Recorder) -> list[Json]:
    """The SDK JSON of every MESSAGE link-state event recorded so far, clearing the
    record.  (Stream channels' own links, ``serviceType`` STREAM, are not R-T4's.)"""
    events, rec.links[:] = list(rec.links), []
    return [e for e in (e.to_dict() for e in events) if e["serviceType"] == "MESSAGE"]


def stream_links(rec: Recorder) -> list[Json]:
    """The SDK JSON of every STREAM link-state event recorded so far (not cleared)."""
    return [e for e in (e.to_dict() for e in rec.links) if e["serviceType"] == "STREAM"]


def clear(*recs: Recorder) -> None:
    for rec in recs:
        rec.take()
        rec.links.clear()


def current(rec: Recorder) -> str:
    """The MESSAGE link state the last recorded MESSAGE link event went to."""
    last = [e for e in rec.links if e.to_dict()["serviceType"] == "MESSAGE"][-1]
    return str(last.current_state.value)


async def fails(awaitable: Awaitable[Any]) -> RtmError:
    """Await ``awaitable``, which must fail with an :class:`RtmError`; return it."""
    with pytest.raises(RtmError) as info:
        await awaitable
    return info.value


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Drive a coroutine that never suspends, without an event loop (no loop clock)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    coro.close()
    raise AssertionError("the call suspended")


def server_view(emu: Emulator) -> tuple[Any, ...]:
    """What the server holds about the world's users and channels."""
    rooms = [
        ("MESSAGE", "deaf"),
        ("MESSAGE", "hall"),
        ("MESSAGE", "quiet"),
        ("MESSAGE", "room"),
        ("MESSAGE", "elsewhere"),
        ("STREAM", "alpha"),
        ("STREAM", "fresh"),
    ]
    return (
        tuple(tuple(emu.user_channels(uid)) for uid in ("alice", "bob", "carol")),
        tuple(tuple(emu.online_users(name, ctype)) for ctype, name in rooms),
        tuple(
            tuple(emu.state_of(uid, name, ctype) for ctype, name in rooms)
            for uid in ("alice", "bob", "carol")
        ),
    )


class World:
    """alice in MESSAGE deaf, hall, quiet, room and STREAM alpha, listening everywhere;
    carol in room only.  bob in deaf without presence, hall, quiet as a quiet user,
    room with state ``{"mood": "ok"}`` and STREAM alpha.  Built by :func:`world`: the
    clock then stands at T0 + 10 s and the records are empty."""

    alice: RTMClient
    bob: RTMClient
    carol: RTMClient
    ra: Recorder
    rb: Recorder
    rc: Recorder
    alpha: RTMStreamChannel

    #: bob's MESSAGE channels, in (type, name) order: the link events' affected list
    BOB_MESSAGE: ClassVar = ("deaf", "hall", "quiet", "room")
    BOB_CHANNELS: ClassVar = [
        ("MESSAGE", "deaf"),
        ("MESSAGE", "hall"),
        ("MESSAGE", "quiet"),
        ("MESSAGE", "room"),
        ("STREAM", "alpha"),
    ]

    def recs(self) -> tuple[Recorder, Recorder, Recorder]:
        return self.ra, self.rb, self.rc


async def world(emu: Emulator, bob_config: RTMConfig | dict[str, Any] | None = None) -> World:
    w = World()
    w.alice, w.bob, w.carol = (
        emu.client("alice"),
        emu.client("bob", config=bob_config),
        emu.client("carol"),
    )
    w.ra, w.rb, w.rc = Recorder(w.alice), Recorder(w.bob), Recorder(w.carol)
    for client in (w.alice, w.bob, w.carol):
        await client.login()
    for name in ("deaf", "hall", "quiet", "room"):
        await w.alice.subscribe(name)
    await w.alice.create_stream_channel("alpha").join()
    await w.carol.subscribe("room")
    await w.bob.subscribe("deaf", {"withPresence": False})
    await w.bob.subscribe("hall")
    await w.bob.subscribe("quiet", be_quiet=True)
    await w.bob.subscribe("room")
    w.alpha = w.bob.create_stream_channel("alpha")
    await w.alpha.join()
    await w.bob.presence.set_state("room", "MESSAGE", {"mood": "ok"})
    emu.advance(10)
    clear(*w.recs())
    return w


async def two(emu: Emulator, **bob: Any) -> tuple[RTMClient, Recorder, RTMClient, Recorder]:
    """alice and bob listening in MESSAGE room, records empty, clock unmoved."""
    alice = emu.client("alice")
    bob_client = emu.client("bob", **bob)
    ra, rb = Recorder(alice), Recorder(bob_client)
    for client in (alice, bob_client):
        await client.login()
        await client.subscribe("room")
    clear(ra, rb)
    return alice, ra, bob_client, rb


# --------------------------------------------------------------------------- R-T1


class TestRT1Clock:
    """R-T1: one fake clock in integer ms since the epoch; it moves only with
    ``emu.advance``; every event carries it."""

    def test_r_t1_clock_starts_at_2025_01_01(self) -> None:
        assert T0 == Emulator(strict=True).now_ms
        assert T0 == EmulatorConfig().start_time_ms

    async def test_r_t1_start_time_from_config_stamps_events(self) -> None:
        emu = Emulator(EmulatorConfig(start_time_ms=1_700_000_000_000), strict=True)
        assert 1_700_000_000_000 == emu.now_ms
        ((alice, ra),) = await login_recorded(emu, "alice")
        assert logged_in(1_700_000_000_000) == links(ra)
        emu.advance(2.5)
        assert 1_700_000_002_500 == emu.now_ms
        await alice.subscribe("room")
        assert [snap(1_700_000_002_500, {"alice": {}})] == got(ra)
        emu.check_invariants()

    async def test_r_t1_calls_never_move_the_clock_responses_say_0(self, emu: Emulator) -> None:
        """R-T1 with R-Q7: responses carry ``timestamp`` 0, events the clock."""
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        assert logged_in(T0) == links(ra)
        assert logged_in(T0) == links(rb)
        emu.advance(1.5)
        now = T0 + 1_500
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
            assert 0 == response.timestamp
            assert now == emu.now_ms
        assert [("SNAPSHOT", ""), ("REMOTE_JOIN", "bob"), ("SNAPSHOT", "")] == ra.types()
        assert [
            ("SNAPSHOT", ""),
            ("REMOTE_STATE_CHANGED", "alice"),
            ("REMOTE_STATE_CHANGED", "alice"),
        ] == rb.types()
        assert [logged_out(now, ["room"])] == links(rb)
        events = [e.to_dict() for e in ra.presence + rb.presence]
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

    def test_r_t1_each_emulator_has_its_own_clock(self) -> None:
        one, other = Emulator(strict=True), Emulator(strict=True)
        one.advance(100)
        assert (T0 + 100_000, T0) == (one.now_ms, other.now_ms)

    async def test_r_t1_timers_fire_at_their_own_instant_in_one_advance(
        self, emu: Emulator
    ) -> None:
        """One ``advance`` across many due timers stamps each event with its due time."""
        w = await world(emu)
        loss = emu.now_ms
        await w.carol.unsubscribe("room")  # debounced leave due at loss + 2 s (R-E6)
        emu.disconnect("bob")
        emu.advance(400)
        assert loss + 400_000 == emu.now_ms
        assert outage(loss, loss + 400_000, World.BOB_MESSAGE) == links(w.rb)
        out = loss + DEFAULT_TIMEOUT_MS
        assert [
            remote("REMOTE_LEAVE", "carol", loss + 2_000),
            remote("REMOTE_TIMEOUT", "bob", out, "deaf"),
            remote("REMOTE_TIMEOUT", "bob", out, "hall"),
            remote("REMOTE_TIMEOUT", "bob", out, "room"),
            remote("REMOTE_TIMEOUT", "bob", out, "alpha", "STREAM"),
        ] == got(w.ra)
        assert [] == got(w.rb)
        assert all(isinstance(e.timestamp, int) for e in w.rb.links)

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
        assert 0 == run(alice.presence.who_now("room", "MESSAGE")).timestamp
        emu.advance(3)
        run(bob.unsubscribe("room"))
        emu.advance(5)
        run(bob.subscribe("room"))
        emu.disconnect("bob")
        emu.advance(400)
        emu.reconnect("bob")
        emu.advance(40)
        emu.check_invariants()
        assert T0 + 448_000 == emu.now_ms
        assert len(seen) > 20
        assert all(T0 <= ts <= emu.now_ms for ts in seen)
        assert sorted(seen) == seen


# --------------------------------------------------------------------------- R-T2


TIMEOUT_CASES = [
    pytest.param(None, 315_000, id="default"),
    pytest.param(RTMConfig(presence_timeout=20), 35_000, id="pt20"),
    pytest.param(RTMConfig(heartbeat_interval=30, presence_timeout=5), 45_000, id="hb30-pt5"),
    pytest.param(RTMConfig(presence_timeout=1), 20_000, id="pt1-to-5"),
    pytest.param(RTMConfig(presence_timeout=4), 20_000, id="pt4-to-5"),
    pytest.param(RTMConfig(presence_timeout=5), 20_000, id="pt5"),
    pytest.param(RTMConfig(presence_timeout=6), 21_000, id="pt6"),
    pytest.param(RTMConfig(presence_timeout=299), 314_000, id="pt299"),
    pytest.param(RTMConfig(presence_timeout=300), 315_000, id="pt300"),
    pytest.param(RTMConfig(presence_timeout=301), 315_000, id="pt301-to-300"),
    pytest.param(RTMConfig(presence_timeout=1000), 315_000, id="pt1000-to-300"),
    pytest.param(RTMConfig(heartbeat_interval=0, presence_timeout=20), 35_000, id="hb0-is-5"),
    pytest.param(RTMConfig(heartbeat_interval=1, presence_timeout=20), 35_000, id="hb1-to-5"),
    pytest.param(RTMConfig(heartbeat_interval=4, presence_timeout=20), 35_000, id="hb4-to-5"),
    pytest.param(RTMConfig(heartbeat_interval=0.5, presence_timeout=20), 35_000, id="hb0.5-to-5"),
    pytest.param(RTMConfig(heartbeat_interval=6, presence_timeout=20), 36_000, id="hb6"),
    pytest.param(RTMConfig(heartbeat_interval=1799, presence_timeout=5), 1_814_000, id="hb1799"),
    pytest.param(RTMConfig(heartbeat_interval=1800, presence_timeout=5), 1_815_000, id="hb1800"),
    pytest.param(RTMConfig(heartbeat_interval=1801, presence_timeout=5), 1_815_000, id="hb1801"),
    pytest.param(RTMConfig(heartbeat_interval=5000), 2_110_000, id="hb5000-to-1800"),
    pytest.param({"presenceTimeout": 20}, 35_000, id="sdk-pt20"),
    pytest.param({"heartbeatInterval": 30, "presenceTimeout": 5}, 45_000, id="sdk-both"),
    pytest.param({"presenceTimeout": 1}, 20_000, id="sdk-pt1-to-5"),
    pytest.param({"presenceTimeout": 1000}, 315_000, id="sdk-pt1000-to-300"),
    pytest.param({"heartbeatInterval": 0, "presenceTimeout": 20}, 35_000, id="sdk-hb0"),
    pytest.param({"heartbeatInterval": "30", "presenceTimeout": 20}, 35_000, id="sdk-hb-str"),
    pytest.param({"heartbeatInterval": None, "presenceTimeout": 20}, 35_000, id="sdk-hb-none"),
    pytest.param({"heartbeatInterval": 7.5, "presenceTimeout": 12.5}, 30_000, id="sdk-fractions"),
    pytest.param(
        {"presenceTimeout": 20, "token": "x", "logLevel": "debug", "noSuchKey": 1},
        35_000,
        id="sdk-unknown-keys-ignored",
    ),
]


class TestRT2ServerTimeout:
    """R-T2 (with R-C3 clamps): the server notices a loss after heartbeatInterval + 10 s,
    then waits presenceTimeout; then listeners get ``REMOTE_TIMEOUT`` (never debounced),
    the user's documents, state and channels are gone."""

    async def test_r_t2_default_timeout_fires_at_exactly_315_s(self, emu: Emulator) -> None:
        w = await world(emu)
        loss = emu.now_ms
        emu.disconnect("bob")
        emu.advance(314.999)
        assert ([], []) == (got(w.ra), got(w.rc))
        # disconnected is not gone: still present, visible and stateful
        assert ["alice", "bob", "carol"] == emu.online_users("room", "MESSAGE")
        assert {"mood": "ok"} == emu.state_of("bob", "room", "MESSAGE")
        assert World.BOB_CHANNELS == emu.user_channels("bob")
        emu.advance(0.001)
        out = loss + DEFAULT_TIMEOUT_MS
        assert T0 + 10_000 + 315_000 == out == emu.now_ms
        # R-E7: channels in (type, name) order; quiet: no document, no event (R-E4);
        # deaf: visible though not listening, so announced
        assert [
            remote("REMOTE_TIMEOUT", "bob", out, "deaf"),
            remote("REMOTE_TIMEOUT", "bob", out, "hall"),
            remote("REMOTE_TIMEOUT", "bob", out, "room"),
            remote("REMOTE_TIMEOUT", "bob", out, "alpha", "STREAM"),
        ] == got(w.ra)
        assert [remote("REMOTE_TIMEOUT", "bob", out)] == got(w.rc)
        assert [] == got(w.rb)
        assert {} == emu.state_of("bob", "room", "MESSAGE")
        assert [] == emu.user_channels("bob")
        for ctype, name in (("MESSAGE", "hall"), ("MESSAGE", "room"), ("STREAM", "alpha")):
            assert "bob" not in emu.online_users(name, ctype)
        emu.advance(3_600)
        assert ([], []) == (got(w.ra), got(w.rc))

    async def test_r_t2_others_still_see_the_user_until_the_timeout(self, emu: Emulator) -> None:
        w = await world(emu)
        emu.disconnect("bob")
        emu.advance(314.999)
        who = await w.alice.presence.who_now("room", "MESSAGE", include_state=True)
        assert [("alice", {}), ("bob", {"mood": "ok"}), ("carol", {})] == [
            (o.user_id, dict(o.states)) for o in who.occupants
        ]
        count = await w.carol.presence.get_online_users("alpha", "STREAM", include_user_id=False)
        assert 2 == count.total_occupancy  # alice and bob (carol is not in alpha)
        state = await w.carol.presence.get_state("bob", "room", "MESSAGE")
        assert {"mood": "ok"} == state.states
        where = await w.carol.presence.where_now("bob")
        assert [
            ("deaf", "MESSAGE"),
            ("hall", "MESSAGE"),
            ("room", "MESSAGE"),
            ("alpha", "STREAM"),
        ] == [(c.channel_name, c.channel_type.value) for c in where.channels]
        assert ([], []) == (got(w.ra), got(w.rc))

    async def test_r_t2_after_the_timeout_the_user_is_gone_for_queries(self, emu: Emulator) -> None:
        w = await world(emu)
        emu.disconnect("bob")
        emu.advance(315)
        where = await w.carol.presence.where_now("bob")
        assert (0, ()) == (where.total_channel, tuple(where.channels))
        who = await w.alice.presence.who_now("room", "MESSAGE")
        assert ["alice", "carol"] == [o.user_id for o in who.occupants]
        # R-Q6: alice listens in room (replica route): no document -> -13011;
        # carol is not in hall (server route): an absent user has {} and no error
        err = await fails(w.alice.presence.get_state("bob", "room", "MESSAGE"))
        assert -13011 == err.error_code
        state = await w.carol.presence.get_state("bob", "hall", "MESSAGE")
        assert {} == dict(state.states)

    @pytest.mark.parametrize(("config", "timeout_ms"), TIMEOUT_CASES)
    async def test_r_t2_timeout_edge_per_client_config(
        self, emu: Emulator, config: Any, timeout_ms: int
    ) -> None:
        _alice, ra, bob, rb = await two(emu, config=config)
        await bob.presence.set_state("room", "MESSAGE", {"b": "1"})
        clear(ra, rb)
        emu.advance(7)
        loss = emu.now_ms
        emu.disconnect("bob")
        emu.advance((timeout_ms - 1) / 1000)
        assert loss + timeout_ms - 1 == emu.now_ms
        assert [] == got(ra)
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")
        assert {"b": "1"} == emu.state_of("bob", "room", "MESSAGE")
        emu.advance(0.001)
        assert [remote("REMOTE_TIMEOUT", "bob", loss + timeout_ms)] == got(ra)
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
            ({"presence_timeout": 4}, (5, 5)),
            ({"presence_timeout": 5}, (5, 5)),
            ({"presence_timeout": 300}, (300, 5)),
            ({"presence_timeout": 301}, (300, 5)),
            ({"presence_timeout": 1000}, (300, 5)),
            ({"heartbeat_interval": 0}, (300, 5)),
            ({"heartbeat_interval": 1}, (300, 5)),
            ({"heartbeat_interval": 4}, (300, 5)),
            ({"heartbeat_interval": 6}, (300, 6)),
            ({"heartbeat_interval": 30, "presence_timeout": 5}, (5, 30)),
            ({"heartbeat_interval": 1800}, (300, 1800)),
            ({"heartbeat_interval": 1801}, (300, 1800)),
            ({"heartbeat_interval": 5000}, (300, 1800)),
            ({"heartbeat_interval": "30"}, (300, 5)),
            ({"heartbeat_interval": None}, (300, 5)),
        ],
    )
    def test_r_t2_rtm_config_clamps_like_the_sdk(
        self, kwargs: dict[str, Any], expected: tuple[int, int]
    ) -> None:
        """R-C3: presenceTimeout 5..300; heartbeatInterval 5..1800, 0 or a non-number is 5."""
        config = RTMConfig(**kwargs)
        assert expected == (config.presence_timeout, config.heartbeat_interval)

    async def test_r_t2_timeout_is_not_debounced(self) -> None:
        """``REMOTE_TIMEOUT`` goes out at once even with a long debounce (R-E6)."""
        emu = Emulator(EmulatorConfig(debounce=30.0), strict=True)
        _alice, ra, _bob, _rb = await two(emu, config=RTMConfig(presence_timeout=5))
        emu.disconnect("bob")
        emu.advance(20)
        assert [remote("REMOTE_TIMEOUT", "bob", T0 + 20_000)] == got(ra)
        assert ["alice"] == emu.online_users("room", "MESSAGE")
        emu.advance(60)
        assert [] == got(ra)
        emu.check_invariants()

    async def test_r_t2_quiet_user_times_out_silently(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await alice.subscribe("hall")
        await bob.subscribe("hall", with_presence=False)
        await bob.subscribe("room", be_quiet=True)
        await bob.presence.set_state("room", "MESSAGE", {"q": "1"})
        clear(ra, rb)
        emu.disconnect("bob")
        emu.advance(315)
        # quiet in room: nothing; visible (though not listening) in hall: announced
        assert [remote("REMOTE_TIMEOUT", "bob", T0 + 315_000, "hall")] == got(ra)
        assert [] == emu.user_channels("bob")
        assert [] == got(rb)

    async def test_r_t2_last_member_timing_out_empties_the_channel(self, emu: Emulator) -> None:
        ((bob, rb),) = await login_recorded(emu, "bob")
        await bob.subscribe("solo")
        await bob.presence.set_state("solo", "MESSAGE", {"b": "1"})
        clear(rb)
        emu.disconnect("bob")
        emu.advance(315)
        assert [] == emu.online_users("solo", "MESSAGE")
        assert [] == emu.user_channels("bob")
        assert [] == got(rb)

    async def test_r_t2_timeout_counts_from_the_loss_not_the_retries(self, emu: Emulator) -> None:
        """Retries, SUSPENDED and a network back too late do not move the server's timer."""
        _alice, ra, _bob, _rb = await two(emu)
        emu.advance(3)
        loss = emu.now_ms
        emu.disconnect("bob")
        emu.advance(300)  # SUSPENDED since loss + 124 s
        emu.reconnect("bob")  # next retry at loss + 329 s, after the timeout
        emu.advance(14.999)
        assert [] == got(ra)
        emu.advance(0.001)
        assert [remote("REMOTE_TIMEOUT", "bob", loss + 315_000)] == got(ra)

    async def test_r_t2_a_second_loss_starts_a_new_timer(self, emu: Emulator) -> None:
        _alice, ra, _bob, rb = await two(emu, config=RTMConfig(presence_timeout=20))
        emu.disconnect("bob")
        emu.advance(1)
        emu.reconnect("bob")
        emu.advance(1)  # reconnected at the first retry, loss + 2 s: before the timeout
        assert "CONNECTED" == current(rb)
        emu.advance(28)
        second = emu.now_ms
        emu.disconnect("bob")
        emu.advance(34.999)  # 35 s from the first loss has long passed
        assert [] == got(ra)
        emu.advance(0.001)
        assert [remote("REMOTE_TIMEOUT", "bob", second + 35_000)] == got(ra)

    async def test_r_t2_each_user_has_its_own_timeout(self, emu: Emulator) -> None:
        watcher = emu.client("watcher")
        rw = Recorder(watcher)
        await watcher.login()
        await watcher.subscribe("room")
        for uid, pt in (("u1", 20), ("u2", 5), ("u3", 300)):
            client = emu.client(uid, config={"presenceTimeout": pt})
            await client.login()
            await client.subscribe("room")
        clear(rw)
        emu.disconnect("u1")
        emu.advance(1)
        emu.disconnect("u2")
        emu.disconnect("u3")
        emu.advance(400)
        assert [
            remote("REMOTE_TIMEOUT", "u2", T0 + 21_000),
            remote("REMOTE_TIMEOUT", "u1", T0 + 35_000),
            remote("REMOTE_TIMEOUT", "u3", T0 + 316_000),
        ] == got(rw)

    async def test_r_t2_timed_out_then_reconnected_user_can_time_out_again(
        self, emu: Emulator
    ) -> None:
        _alice, ra, _bob, _rb = await two(emu, config=RTMConfig(presence_timeout=5))
        emu.disconnect("bob")
        emu.advance(30)  # timed out at 20 s; DISCONNECTED, retry at 45 s
        emu.reconnect("bob")
        emu.advance(15)
        assert [
            remote("REMOTE_TIMEOUT", "bob", T0 + 20_000),
            remote("REMOTE_JOIN", "bob", T0 + 45_000),
        ] == got(ra)
        emu.disconnect("bob")
        emu.advance(20)
        assert [remote("REMOTE_TIMEOUT", "bob", T0 + 65_000)] == got(ra)


# --------------------------------------------------------------------------- R-T3


DOWN_STATES = ["DISCONNECTED", "CONNECTING", "SUSPENDED", "FAILED"]


async def go_down(emu: Emulator, w: World, state: str) -> None:
    """Put bob's link into ``state``: a loss (1 s, 3 s or 130 s ago), or a kick by a
    second client of bob (FAILED).  bob's records are cleared."""
    if state == "FAILED":
        other = emu.client("bob")
        await other.login()
    else:
        emu.disconnect("bob")
        emu.advance({"DISCONNECTED": 1, "CONNECTING": 3, "SUSPENDED": 130}[state])
    assert state == current(w.rb)
    clear(w.rb)


def down_calls(w: World) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    """The calls that need a CONNECTED link (R-T3: -10025 while down), with the SDK's
    ``operation``.  (A stream join or leave needs only a link that is not IDLE:
    :class:`TestRT3StreamWhileDown`.)"""
    p = w.bob.presence
    return [
        ("whoNow", lambda: p.who_now("room", "MESSAGE")),
        ("whoNow", lambda: p.whoNow("hall", "MESSAGE", {"includedState": True})),
        ("getOnlineUsers", lambda: p.get_online_users("elsewhere", "MESSAGE")),
        ("getOnlineUsers", lambda: p.getOnlineUsers("alpha", "STREAM")),
        ("whereNow", lambda: p.where_now("alice")),
        ("whereNow", lambda: p.whereNow("")),
        ("getUserChannels", lambda: p.get_user_channels("carol")),
        ("getUserChannels", lambda: p.getUserChannels("")),
        ("presenceGetState", lambda: p.get_state("alice", "room", "MESSAGE")),
        ("presenceGetState", lambda: p.getState("carol", "elsewhere", "MESSAGE")),
    ]


class TestRT3CallsWhileDown:
    """R-T3: while the link is DISCONNECTED, CONNECTING, SUSPENDED or FAILED, setState,
    removeState, getState of oneself and unsubscribe work locally; subscribe is queued
    under conditions; a stream join / leave needs only a non-IDLE link
    (:class:`TestRT3StreamWhileDown`); every other call is -10025 and changes nothing."""

    @pytest.mark.parametrize("state", DOWN_STATES)
    @pytest.mark.parametrize("index", range(10))
    async def test_r_t3_call_fails_not_connected_and_changes_nothing(
        self, emu: Emulator, state: str, index: int
    ) -> None:
        w = await world(emu)
        await go_down(emu, w, state)
        before = server_view(emu)
        operation, call = down_calls(w)[index]
        err = await fails(call())
        assert not_connected(operation) == err.to_dict()
        assert before == server_view(emu)
        assert ([], [], [], []) == (got(w.ra), got(w.rb), got(w.rc), links(w.rb))

    @pytest.mark.parametrize("state", DOWN_STATES)
    async def test_r_t3_subscribe_queue_refused_within_heartbeat_or_when_failed(
        self, emu: Emulator, state: str
    ) -> None:
        """The cache needs CONNECTING/DISCONNECTED/SUSPENDED *and* more than
        heartbeatInterval since login: here 300 s (FAILED is never cached)."""
        w = await world(emu, bob_config=RTMConfig(heartbeat_interval=300))
        await go_down(emu, w, state)
        before = server_view(emu)
        err = await fails(w.bob.subscribe("elsewhere"))
        assert not_connected("subscribe") == err.to_dict()
        err = await fails(w.bob.subscribe("room", be_quiet=True))  # a re-subscribe too
        assert not_connected("subscribe") == err.to_dict()
        assert before == server_view(emu)
        assert ([], [], [], []) == (got(w.ra), got(w.rb), got(w.rc), links(w.rb))

    @pytest.mark.parametrize(
        ("hb", "loss_s", "at_s", "state"),
        [
            (5, 0, 5, "CONNECTING"),  # retry 2..7 s after the loss
            (5, 4, 5, "DISCONNECTED"),
            (30, 20, 30, "DISCONNECTED"),  # retries at 22 s (fails 27 s) and 31 s
            (30, 1, 30, "DISCONNECTED"),  # the 25 s attempt fails at 30 s, next retry 34 s
        ],
    )
    async def test_r_t3_subscribe_queue_needs_more_than_heartbeat_since_login(
        self, emu: Emulator, hb: int, loss_s: int, at_s: int, state: str
    ) -> None:
        """Exactly ``heartbeatInterval`` after login is -10025; 1 ms later it is queued."""
        bob = emu.client("bob", config=RTMConfig(heartbeat_interval=hb))
        rb = Recorder(bob)
        await bob.login()
        await bob.subscribe("room")
        emu.advance(loss_s)
        emu.disconnect("bob")
        emu.advance(at_s - loss_s)
        assert (T0 + at_s * S, state) == (emu.now_ms, current(rb))
        err = await fails(bob.subscribe("later"))
        assert not_connected("subscribe") == err.to_dict()
        emu.advance(0.001)
        response = await bob.subscribe("later")
        assert {"timestamp": 0, "channelName": "later"} == response.to_dict()

    async def test_r_t3_subscribe_window_restarts_at_each_login(self, emu: Emulator) -> None:
        bob = emu.client("bob")
        await bob.login()
        emu.advance(50)
        await bob.logout()
        emu.advance(50)
        await bob.login()  # T0 + 100 s
        await bob.subscribe("room")
        emu.advance(1)
        emu.disconnect("bob")
        emu.advance(3)  # T0 + 104 s: 4 s since login
        err = await fails(bob.subscribe("later"))
        assert not_connected("subscribe") == err.to_dict()
        emu.advance(1.001)
        assert "later" == (await bob.subscribe("later")).channel_name

    @pytest.mark.parametrize("state", ["DISCONNECTED", "CONNECTING", "SUSPENDED"])
    async def test_r_t3_queued_subscribe_enters_on_reconnect(
        self, emu: Emulator, state: str
    ) -> None:
        """A queued channel gets a normal SNAPSHOT when the link is back and is among the
        reconnect's affected channels; the kept channels replay only changes (none here).
        agora-rtm.js 2.3.0: the subscribes queued while the link is down are sent once
        it is CONNECTED; oracle case events.subscribe-while-down-cached."""
        w = await world(emu)
        loss = emu.now_ms
        await go_down(emu, w, state)
        response = await w.bob.subscribe("elsewhere")
        assert {"timestamp": 0, "channelName": "elsewhere"} == response.to_dict()
        response = await w.bob.subscribe("aside", {"withPresence": False})
        assert {"timestamp": 0, "channelName": "aside"} == response.to_dict()
        # queued, not sent: the server does not know yet
        assert World.BOB_CHANNELS == emu.user_channels("bob")
        assert ([], []) == (got(w.rb), got(w.ra))
        if state == "CONNECTING":
            emu.advance(5)  # let the attempt fail; what a network back mid-attempt does is open
        back = emu.now_ms
        emu.reconnect("bob")
        at = next_retry_ms(loss, back)
        emu.advance((at - back) / 1000)
        assert "CONNECTED" == current(w.rb)
        affected = ["aside", "deaf", "elsewhere", "hall", "quiet", "room"]
        assert reconnected(at, affected, resumed=state != "SUSPENDED") == links(w.rb)[-1]
        assert [snap(at, {"bob": {}}, "elsewhere")] == got(w.rb)
        assert [
            ("MESSAGE", "aside"),
            ("MESSAGE", "deaf"),
            ("MESSAGE", "elsewhere"),
            ("MESSAGE", "hall"),
            ("MESSAGE", "quiet"),
            ("MESSAGE", "room"),
            ("STREAM", "alpha"),
        ] == emu.user_channels("bob")
        # others see nothing of the resume itself
        assert ([], []) == (got(w.ra), got(w.rc))

    async def test_r_t3_queued_subscribe_keeps_its_options(self, emu: Emulator) -> None:
        """A queued quiet entry stays quiet; a queued listening one gets its SNAPSHOT."""
        w = await world(emu)
        loss = emu.now_ms
        await w.alice.subscribe("elsewhere")
        await w.alice.subscribe("aside")
        clear(w.ra)
        emu.disconnect("bob")
        emu.advance(1)
        await w.bob.subscribe("elsewhere", be_quiet=True)
        await w.bob.subscribe("aside")
        emu.reconnect("bob")
        emu.advance(1)
        at = loss + 2_000
        assert [remote("REMOTE_JOIN", "bob", at, "aside")] == got(w.ra)
        assert [  # channels in (type, name) order (R-E7)
            snap(at, {"alice": {}, "bob": {}}, "aside"),
            snap(at, {"alice": {}}, "elsewhere"),
        ] == got(w.rb)
        assert ["alice"] == emu.online_users("elsewhere", "MESSAGE")
        assert ("MESSAGE", "elsewhere") in emu.user_channels("bob")

    async def test_r_t3_queued_subscribe_cancelled_by_unsubscribe(self, emu: Emulator) -> None:
        w = await world(emu)
        loss = emu.now_ms
        emu.disconnect("bob")
        emu.advance(1)
        await w.bob.subscribe("elsewhere")
        response = await w.bob.unsubscribe("elsewhere")
        assert {"timestamp": 0, "channelName": "elsewhere"} == response.to_dict()
        emu.reconnect("bob")
        emu.advance(1)
        assert [reconnected(loss + 2_000, World.BOB_MESSAGE, resumed=True)] == links(w.rb)[-1:]
        assert World.BOB_CHANNELS == emu.user_channels("bob")
        assert not any(e["channelName"] == "elsewhere" for e in got(w.rb))

    async def test_r_t3_queued_subscribe_dropped_by_logout(self, emu: Emulator) -> None:
        w = await world(emu)
        emu.disconnect("bob")
        emu.advance(1)
        await w.bob.subscribe("elsewhere")
        await w.bob.logout()
        emu.advance(3_600)
        assert [] == emu.online_users("elsewhere", "MESSAGE")
        assert [] == emu.user_channels("bob")

    async def test_r_t3_queued_subscribe_with_cached_state_joins_with_it(
        self, emu: Emulator
    ) -> None:
        """setState on a channel not entered edits the cache (R-S4); the queued entry
        applies it: others get REMOTE_JOIN then one REMOTE_STATE_CHANGED."""
        w = await world(emu)
        loss = emu.now_ms
        await w.alice.subscribe("elsewhere")
        clear(w.ra)
        emu.disconnect("bob")
        emu.advance(1)
        await w.bob.presence.set_state("elsewhere", "MESSAGE", {"e": "1"})
        await w.bob.subscribe("elsewhere")
        assert [] == got(w.ra)
        emu.reconnect("bob")
        emu.advance(1)
        at = loss + 2_000
        assert [
            remote("REMOTE_JOIN", "bob", at, "elsewhere"),
            remote("REMOTE_STATE_CHANGED", "bob", at, "elsewhere", state={"e": "1"}),
        ] == got(w.ra)
        assert [snap(at, {"alice": {}, "bob": {"e": "1"}}, "elsewhere")] == got(w.rb)

    @pytest.mark.parametrize("state", DOWN_STATES)
    async def test_r_t3_state_calls_and_unsubscribe_work_locally(
        self, emu: Emulator, state: str
    ) -> None:
        w = await world(emu)
        await go_down(emu, w, state)
        p = w.bob.presence
        assert {"timestamp": 0} == (await p.set_state("room", "MESSAGE", {"seat": "3"})).to_dict()
        mine = await p.get_state("bob", "room", "MESSAGE")
        assert ("bob", {"mood": "ok", "seat": "3"}) == (mine.user_id, dict(mine.states))
        assert 2 == mine.states_count
        assert 0 == mine.timestamp
        assert {"timestamp": 0} == (
            await p.remove_state("room", "MESSAGE", states=["mood"])
        ).to_dict()
        mine = await p.getState("bob", "room", "MESSAGE")
        assert {"seat": "3"} == dict(mine.states)
        # a channel bob is not in: the cache only
        await p.setState("elsewhere", "MESSAGE", {"c": "1"})
        assert {"c": "1"} == dict((await p.get_state("bob", "elsewhere", "MESSAGE")).states)
        await p.removeState("elsewhere", "MESSAGE")
        assert {} == dict((await p.get_state("bob", "elsewhere", "MESSAGE")).states)
        response = await w.bob.unsubscribe("hall")
        assert {"timestamp": 0, "channelName": "hall"} == response.to_dict()
        response = await w.bob.unsubscribe("never")
        assert {"timestamp": 0, "channelName": "never"} == response.to_dict()
        # nothing reaches anyone while the link is down
        assert ([], [], [], []) == (got(w.ra), got(w.rb), got(w.rc), links(w.rb))

    @pytest.mark.parametrize("state", ["DISCONNECTED", "CONNECTING", "SUSPENDED"])
    async def test_r_t3_local_state_is_not_on_the_server_until_the_reconnect(
        self, emu: Emulator, state: str
    ) -> None:
        w = await world(emu)
        await go_down(emu, w, state)
        await w.bob.presence.set_state("room", "MESSAGE", {"seat": "3"})
        assert {"mood": "ok"} == emu.state_of("bob", "room", "MESSAGE")
        theirs = await w.alice.presence.get_state("bob", "room", "MESSAGE")
        assert {"mood": "ok"} == dict(theirs.states)
        who = await w.carol.presence.who_now("room", "MESSAGE", include_state=True)
        assert {"mood": "ok"} == dict(next(o for o in who.occupants if o.user_id == "bob").states)

    @pytest.mark.parametrize(
        ("script", "expected"),
        [
            pytest.param([("set", {"seat": "3"})], {"mood": "ok", "seat": "3"}, id="set"),
            pytest.param(
                [("set", {"seat": "3"}), ("set", {"mood": "sad"})],
                {"mood": "sad", "seat": "3"},
                id="set-twice-one-event",
            ),
            pytest.param([("remove", ["mood"])], {}, id="remove-key"),
            pytest.param([("remove", None)], {}, id="remove-all"),
            pytest.param(
                [("set", {"mood": "bad"}), ("set", {"mood": "ok"})], None, id="set-and-back"
            ),
            pytest.param([("set", {"x": "1"}), ("remove", ["x"])], None, id="set-remove-back"),
            pytest.param([("remove", ["absent"])], None, id="remove-absent"),
        ],
    )
    async def test_r_t3_state_changed_while_down_is_synced_on_reconnect(
        self, emu: Emulator, script: list[tuple[str, Any]], expected: dict[str, str] | None
    ) -> None:
        """Reconnected before the timeout: others get one REMOTE_STATE_CHANGED with the
        full state if it differs from what they had, else nothing; bob's own replica gets
        no new SNAPSHOT (agora-rtm.js 2.3.0: the reconnect reuses the replica; oracle
        case events.state-while-down-synced)."""
        w = await world(emu)
        loss = emu.now_ms
        emu.disconnect("bob")
        emu.advance(60)  # DISCONNECTED since 50 s; next retry 82 s
        for action, arg in script:
            if action == "set":
                await w.bob.presence.set_state("room", "MESSAGE", arg)
            else:
                await w.bob.presence.remove_state("room", "MESSAGE", states=arg)
        assert ([], []) == (got(w.ra), got(w.rc))
        emu.reconnect("bob")
        at = loss + 82_000
        emu.advance((at - emu.now_ms) / 1000)
        changed = (
            [] if expected is None else [remote("REMOTE_STATE_CHANGED", "bob", at, state=expected)]
        )
        assert changed == got(w.ra)
        assert changed == got(w.rc)
        final = {"mood": "ok"} if expected is None else expected
        assert final == emu.state_of("bob", "room", "MESSAGE")
        assert "CONNECTED" == current(w.rb)
        assert [] == got(w.rb)  # nobody else changed anything

    async def test_r_t3_down_calls_still_check_their_arguments(self, emu: Emulator) -> None:
        """R-X1 order while down: type before the link, the link before names, names and
        state checks after the (non-IDLE) link check of the local calls."""
        w = await world(emu)
        emu.disconnect("bob")
        emu.advance(1)
        clear(w.rb)
        p = w.bob.presence
        cases: list[tuple[int, str, Callable[[], Awaitable[Any]]]] = [
            (-10019, "whoNow", lambda: p.who_now("a.b", "USER")),
            (-10025, "whoNow", lambda: p.who_now("a.b", "MESSAGE")),
            (-10025, "presenceGetState", lambda: p.get_state("a.b", "room", "MESSAGE")),
            (-13006, "presenceSetState", lambda: p.set_state("room", "MESSAGE", {"_k": "v"})),
            (-13003, "presenceSetState", lambda: p.set_state("room", "MESSAGE", {})),
            (-10008, "presenceSetState", lambda: p.set_state("a.b", "MESSAGE", {"k": "v"})),
            (
                -13010,
                "presenceRemoveState",
                lambda: p.remove_state("room", "MESSAGE", states=["k", "k"]),
            ),
            (-10008, "unsubscribe", lambda: w.bob.unsubscribe("a.b")),
        ]
        for code, operation, call in cases:
            err = await fails(call())
            assert (code, operation) == (err.error_code, err.operation)
        assert {"mood": "ok"} == dict((await p.get_state("bob", "room", "MESSAGE")).states)
        assert ([], [], []) == (got(w.ra), got(w.rb), links(w.rb))


class Timeline:
    """Presence and link-state events of one client in one list, in delivery order."""

    def __init__(self, client: RTMClient) -> None:
        self.items: list[tuple[str, Json]] = []
        client.add_event_listener("presence", self._presence)
        client.add_event_listener("linkState", self._link)

    def _presence(self, event: Any) -> None:
        self.items.append(("presence", _sorted_snapshot(event.to_dict())))

    def _link(self, event: Any) -> None:
        self.items.append(("linkState", event.to_dict()))

    def take(self) -> list[tuple[str, Json]]:
        items, self.items = self.items, []
        return items


NOT_JOINED_REASON = "Perform operation without join stream channel."


class TestRT3StreamWhileDown:
    """R-T3 / R-X1 for stream channels: a stream ``join`` / ``leave`` checks only that the
    MESSAGE link is not IDLE (-10025 only then).  While the link is DISCONNECTED,
    CONNECTING, SUSPENDED or FAILED a join resolves (its own STREAM link reports
    CONNECTING -> CONNECTED, the channel enters the client's list, the server sees it when
    the link is back), a leave of a joined channel resolves, a leave of a channel not
    joined is -11001.  agora-rtm.js 2.3.0, StreamChannelImpl.join / leave: the link check
    is the non-strict one; oracle cases link.DISCONNECTED.stream-join,
    link.FAILED.stream-join, link.SUSPENDED.stream-leave, link.FAILED.stream-leave."""

    @pytest.mark.parametrize("state", ["DISCONNECTED", "CONNECTING", "SUSPENDED"])
    async def test_r_t3_stream_join_while_down_resolves_and_enters_when_back(
        self, emu: Emulator, state: str
    ) -> None:
        w = await world(emu)
        await w.alice.create_stream_channel("fresh").join()
        clear(*w.recs())
        loss = emu.now_ms
        await go_down(emu, w, state)
        before = server_view(emu)
        timeline = Timeline(w.bob)
        t = emu.now_ms
        response = await w.bob.create_stream_channel("fresh").join()
        assert {"timestamp": 0} == response.to_dict()
        assert [("linkState", e) for e in stream_joined("fresh", t)] == timeline.take()
        # the client's list only: the server does not know yet, nobody hears anything
        assert before == server_view(emu)
        assert ([], [], []) == (got(w.ra), got(w.rb), got(w.rc))
        clear(w.rb)
        if state == "CONNECTING":
            emu.advance(5)  # let the attempt fail; what a network back mid-attempt does is open
        back = emu.now_ms
        emu.reconnect("bob")
        at = next_retry_ms(loss, back)
        emu.advance((at - back) / 1000)
        # the MESSAGE link first, then the new channel's SNAPSHOT; affected: MESSAGE only
        previous = "SUSPENDED" if state == "SUSPENDED" else "DISCONNECTED"
        items = timeline.take()
        assert (
            [
                ("linkState", retrying(at, previous)),
                ("linkState", reconnected(at, World.BOB_MESSAGE, resumed=state != "SUSPENDED")),
                ("linkState", stream_back("alpha", at)),  # the RTC link of alpha (R-M12)
                ("presence", snap(at, {"alice": {}, "bob": {}}, "fresh", "STREAM")),
            ]
            == items[-4:]
        )
        assert 1 == sum(1 for kind, _ in items if kind == "presence")
        assert [remote("REMOTE_JOIN", "bob", at, "fresh", "STREAM")] == got(w.ra)
        assert [*World.BOB_CHANNELS, ("STREAM", "fresh")] == emu.user_channels("bob")
        assert ["alice", "bob"] == emu.online_users("fresh", "STREAM")

    async def test_r_t3_stream_join_while_failed_enters_at_the_relogin(self, emu: Emulator) -> None:
        """A kicked client's join resolves locally; its re-login enters the channel with
        the others, and (as every re-login after FAILED) gives a SNAPSHOT per listening
        channel (oracle case link.transitions.kick-relogin)."""
        w = await world(emu)
        await w.alice.create_stream_channel("fresh").join()
        await go_down(emu, w, "FAILED")
        emu.advance(5)  # past the debounce: the kicked session has left everywhere
        clear(*w.recs())
        before = server_view(emu)
        t = emu.now_ms
        assert {"timestamp": 0} == (await w.bob.create_stream_channel("fresh").join()).to_dict()
        assert stream_joined("fresh", t) == stream_links(w.rb)
        assert [] == links(w.rb)
        assert before == server_view(emu)
        assert ([], [], []) == (got(w.ra), got(w.rb), got(w.rc))
        await w.bob.login()  # kicks the other client of bob
        assert relogged_in(t) == links(w.rb)
        assert [
            snap(t, {"alice": {}, "bob": {}}, "hall"),
            snap(t, {"alice": {}}, "quiet"),
            snap(t, {"alice": {}, "bob": {"mood": "ok"}, "carol": {}}),
            snap(t, {"alice": {}, "bob": {}}, "alpha", "STREAM"),
            snap(t, {"alice": {}, "bob": {}}, "fresh", "STREAM"),
        ] == got(w.rb)
        assert remote("REMOTE_JOIN", "bob", t, "fresh", "STREAM") == got(w.ra)[-1]
        assert [*World.BOB_CHANNELS, ("STREAM", "fresh")] == emu.user_channels("bob")

    @pytest.mark.parametrize("state", DOWN_STATES)
    async def test_r_t3_stream_leave_of_a_joined_channel_while_down_resolves(
        self, emu: Emulator, state: str
    ) -> None:
        w = await world(emu)
        loss = emu.now_ms
        await go_down(emu, w, state)
        if state == "FAILED":
            emu.advance(5)  # the kicked session's debounced leaves
            clear(*w.recs())
        before = server_view(emu)
        t = emu.now_ms
        assert {"timestamp": 0} == (await w.alpha.leave()).to_dict()
        previous = "CONNECTED" if state == "FAILED" else "CONNECTING"  # R-M12
        assert [stream_left("alpha", t, previous)] == stream_links(w.rb)
        assert [] == links(w.rb)
        assert before == server_view(emu)  # the server learns of it when the link is back
        assert ([], [], []) == (got(w.ra), got(w.rb), got(w.rc))
        err = await fails(w.alpha.leave())  # left already
        assert error(-11001, "leave", NOT_JOINED_REASON, "RtmUnavailableError") == err.to_dict()
        if state == "FAILED":
            await w.bob.login()
        else:
            if state == "CONNECTING":
                emu.advance(5)
            back = emu.now_ms
            emu.reconnect("bob")
            emu.advance((next_retry_ms(loss, back) - back) / 1000 + 10)
        assert "CONNECTED" == current(w.rb)
        assert ("STREAM", "alpha") not in emu.user_channels("bob")
        assert ["alice"] == emu.online_users("alpha", "STREAM")
        seen = [e for e in got(w.ra) if e["channelName"] == "alpha"]
        if state == "FAILED":
            assert [] == seen  # the kicked session had left already; nothing restores it
        else:  # one REMOTE_LEAVE (when the server learns of it, and so its time, is open)
            assert [
                remote("REMOTE_LEAVE", "bob", e["timestamp"], "alpha", "STREAM") for e in seen
            ] == seen
            assert 1 == len(seen)
        assert not any(e["channelName"] == "alpha" for e in got(w.rb))

    @pytest.mark.parametrize("state", DOWN_STATES)
    async def test_r_t3_stream_leave_of_a_channel_not_joined_while_down_is_not_joined(
        self, emu: Emulator, state: str
    ) -> None:
        w = await world(emu)
        await go_down(emu, w, state)
        before = server_view(emu)
        err = await fails(w.bob.create_stream_channel("fresh").leave())
        assert error(-11001, "leave", NOT_JOINED_REASON, "RtmUnavailableError") == err.to_dict()
        assert before == server_view(emu)
        assert ([], [], [], []) == (got(w.ra), got(w.rb), got(w.rc), stream_links(w.rb))
        assert [] == links(w.rb)

    async def test_r_t3_stream_join_and_leave_while_down_never_reach_the_server(
        self, emu: Emulator
    ) -> None:
        w = await world(emu)
        loss = emu.now_ms
        await go_down(emu, w, "DISCONNECTED")
        fresh = w.bob.create_stream_channel("fresh")
        await fresh.join()
        t = emu.now_ms
        await fresh.leave()
        assert [*stream_joined("fresh", t), stream_left("fresh", t)] == stream_links(w.rb)
        emu.reconnect("bob")
        emu.advance((next_retry_ms(loss, emu.now_ms) - emu.now_ms) / 1000 + 10)
        assert "CONNECTED" == current(w.rb)
        assert World.BOB_CHANNELS == emu.user_channels("bob")
        assert [] == emu.online_users("fresh", "STREAM")
        assert ([], [], []) == (got(w.ra), got(w.rb), got(w.rc))

    async def test_r_t3_stream_join_while_down_is_dropped_by_logout(self, emu: Emulator) -> None:
        w = await world(emu)
        await go_down(emu, w, "SUSPENDED")
        await w.bob.create_stream_channel("fresh").join()
        await w.bob.logout()
        emu.advance(3_600)
        assert [] == emu.user_channels("bob")
        assert [] == emu.online_users("fresh", "STREAM")


class TestRT3Reconnect:
    """R-T3: the client reconnects at its next retry once the network is back (R-T4);
    before the server's timeout others see nothing, after it the client re-enters its
    channels with their options and re-applies its state.  Either way the client keeps
    its replica: no new SNAPSHOT, only the difference between what it last heard and
    the documents now, per listening channel (agora-rtm.js 2.3.0: the reconnect reuses
    the replica; oracle cases link.transitions.loss-and-resume, events.others-while-down).
    """

    async def test_r_t3_reconnect_before_the_timeout_resumes_silently(self, emu: Emulator) -> None:
        """Only alice's state change in room is replayed to bob; nothing else changed."""
        w = await world(emu)
        loss = emu.now_ms
        emu.disconnect("bob")
        emu.advance(100)
        await w.alice.presence.set_state("room", "MESSAGE", {"a": "2"})  # not delivered to bob
        assert [remote("REMOTE_STATE_CHANGED", "alice", loss + 100_000, state={"a": "2"})] == got(
            w.rc
        )
        emu.advance(190)
        emu.reconnect("bob")  # loss + 290 s, SUSPENDED; next retry loss + 294 s
        emu.advance(3.999)
        assert [] == got(w.rb)
        assert "SUSPENDED" == current(w.rb)
        emu.advance(0.001)
        at = loss + 294_000
        expected = outage(loss, at, World.BOB_MESSAGE, back_ms=loss + 290_000)
        assert reconnected(at, World.BOB_MESSAGE, resumed=False) == expected[-1]
        assert expected == links(w.rb)
        assert [remote("REMOTE_STATE_CHANGED", "alice", at, state={"a": "2"})] == got(w.rb)
        assert ([], []) == (got(w.ra), got(w.rc))
        assert World.BOB_CHANNELS == emu.user_channels("bob")
        assert {"mood": "ok"} == emu.state_of("bob", "room", "MESSAGE")
        emu.advance(3_600)
        assert ([], [], [], []) == (got(w.ra), got(w.rb), got(w.rc), links(w.rb))
        # bob listens again, and only where he listened before
        await w.alice.presence.set_state("deaf", "MESSAGE", {"d": "1"})
        await w.alice.presence.set_state("hall", "MESSAGE", {"h": "1"})
        at = emu.now_ms
        assert [remote("REMOTE_STATE_CHANGED", "alice", at, "hall", state={"h": "1"})] == got(w.rb)

    async def test_r_t3_back_before_timeout_but_next_retry_after_it_reenters(
        self, emu: Emulator
    ) -> None:
        """The network is back at loss + 300 s, but the client only reconnects at its next
        retry (loss + 329 s), after the server's timeout (loss + 315 s)."""
        w = await world(emu)
        loss = emu.now_ms
        emu.disconnect("bob")
        emu.advance(300)
        emu.reconnect("bob")
        emu.advance(15)
        out = loss + 315_000
        assert remote("REMOTE_TIMEOUT", "bob", out) in got(w.ra)
        assert [remote("REMOTE_TIMEOUT", "bob", out)] == got(w.rc)
        emu.advance(14)
        at = loss + 329_000
        assert at == next_retry_ms(loss, loss + 300_000)
        assert [
            remote("REMOTE_JOIN", "bob", at),
            remote("REMOTE_STATE_CHANGED", "bob", at, state={"mood": "ok"}),
        ] == got(w.rc)
        assert reconnected(at, World.BOB_MESSAGE, resumed=False) == links(w.rb)[-1]

    async def test_r_t3_reconnect_after_the_timeout_reenters_with_options_and_state(
        self, emu: Emulator
    ) -> None:
        """The others see bob enter again; bob's replica catches up by the same
        difference as before a timeout, here none (his own re-entry is not an event)."""
        w = await world(emu)
        loss = emu.now_ms
        emu.disconnect("bob")
        emu.advance(320)
        out = loss + DEFAULT_TIMEOUT_MS
        assert [
            remote("REMOTE_TIMEOUT", "bob", out, "deaf"),
            remote("REMOTE_TIMEOUT", "bob", out, "hall"),
            remote("REMOTE_TIMEOUT", "bob", out, "room"),
            remote("REMOTE_TIMEOUT", "bob", out, "alpha", "STREAM"),
        ] == got(w.ra)
        assert [remote("REMOTE_TIMEOUT", "bob", out)] == got(w.rc)
        assert [] == emu.user_channels("bob")
        emu.reconnect("bob")
        emu.advance(9)
        at = loss + 329_000
        # quiet: re-entered quiet (no events); deaf: visible, not listening (no SNAPSHOT)
        assert [
            remote("REMOTE_JOIN", "bob", at, "deaf"),
            remote("REMOTE_JOIN", "bob", at, "hall"),
            remote("REMOTE_JOIN", "bob", at, "room"),
            remote("REMOTE_STATE_CHANGED", "bob", at, state={"mood": "ok"}),
            remote("REMOTE_JOIN", "bob", at, "alpha", "STREAM"),
        ] == got(w.ra)
        assert [
            remote("REMOTE_JOIN", "bob", at),
            remote("REMOTE_STATE_CHANGED", "bob", at, state={"mood": "ok"}),
        ] == got(w.rc)
        assert outage(loss, at, World.BOB_MESSAGE, back_ms=loss + 320_000) == links(w.rb)
        assert [] == got(w.rb)
        assert World.BOB_CHANNELS == emu.user_channels("bob")
        assert {"mood": "ok"} == emu.state_of("bob", "room", "MESSAGE")
        assert ["alice"] == emu.online_users("quiet", "MESSAGE")
        emu.advance(3_600)
        assert ([], [], [], []) == (got(w.ra), got(w.rb), got(w.rc), links(w.rb))
        await w.alice.presence.set_state("deaf", "MESSAGE", {"d": "1"})
        await w.alice.presence.set_state("hall", "MESSAGE", {"h": "1"})
        assert [
            remote("REMOTE_STATE_CHANGED", "alice", emu.now_ms, "hall", state={"h": "1"})
        ] == got(w.rb)

    async def test_r_t3_reconnect_after_timeout_with_state_set_while_down(
        self, emu: Emulator
    ) -> None:
        _alice, ra, bob, rb = await two(emu, config=RTMConfig(presence_timeout=5))
        await bob.presence.set_state("room", "MESSAGE", {"b": "1"})
        clear(ra, rb)
        emu.disconnect("bob")
        emu.advance(30)  # timed out at 20 s
        await bob.presence.set_state("room", "MESSAGE", {"c": "2"})
        emu.reconnect("bob")
        emu.advance(15)
        at = T0 + 45_000
        assert [
            remote("REMOTE_TIMEOUT", "bob", T0 + 20_000),
            remote("REMOTE_JOIN", "bob", at),
            remote("REMOTE_STATE_CHANGED", "bob", at, state={"b": "1", "c": "2"}),
        ] == got(ra)
        assert [] == got(rb)  # alice did not change: nothing to replay
        # not suspended yet (timer armed at 7 s runs out at 122 s): resumed, though
        # the server had timed bob out
        assert reconnected(at, ["room"], resumed=True) == links(rb)[-1]

    async def test_r_t3_reconnect_without_state_after_timeout_is_only_a_join(
        self, emu: Emulator
    ) -> None:
        _alice, ra, _bob, rb = await two(emu)
        emu.disconnect("bob")
        emu.advance(410)  # SUSPENDED since the 399 s attempt failed at 404 s; next 434 s
        clear(ra)
        emu.reconnect("bob")
        emu.advance(24)
        at = T0 + 434_000
        assert [remote("REMOTE_JOIN", "bob", at)] == got(ra)
        assert reconnected(at, ["room"], resumed=False) == links(rb)[-1]
        assert [] == got(rb)

    async def test_r_t3_unsubscribed_while_down_is_not_restored(self, emu: Emulator) -> None:
        w = await world(emu)
        emu.disconnect("bob")
        emu.advance(320)  # after the timeout
        await w.bob.unsubscribe("room")
        clear(w.ra, w.rc)
        emu.reconnect("bob")
        emu.advance(9)
        assert ("MESSAGE", "room") not in emu.user_channels("bob")
        assert [] == got(w.rc)
        assert not any(e["channelName"] == "room" for e in got(w.rb))
        assert not any(e["channelName"] == "room" for e in got(w.ra))
        assert ["deaf", "hall", "quiet"] == list(links(w.rb)[-1]["affectedChannels"])

    async def test_r_t3_unsubscribed_while_down_leaves_after_a_quick_reconnect(
        self, emu: Emulator
    ) -> None:
        w = await world(emu)
        emu.disconnect("bob")
        emu.advance(1)
        await w.bob.unsubscribe("room")
        emu.reconnect("bob")
        emu.advance(10)  # reconnected at the 2 s retry; well past any debounce
        assert ("MESSAGE", "room") not in emu.user_channels("bob")
        assert ["alice", "carol"] == emu.online_users("room", "MESSAGE")
        # one REMOTE_LEAVE (when the server learns of it, and so its time, is open)
        seen = got(w.rc)
        assert [remote("REMOTE_LEAVE", "bob", e["timestamp"]) for e in seen] == seen
        assert 1 == len(seen)
        who = await w.carol.presence.who_now("room", "MESSAGE")
        assert ["alice", "carol"] == [o.user_id for o in who.occupants]
        assert not any(e["channelName"] == "room" for e in got(w.rb))

    async def test_r_t3_events_while_down_are_not_delivered_the_resume_replays_them(
        self, emu: Emulator
    ) -> None:
        """What happened in room while bob was away arrives as the difference: first
        REMOTE_LEAVE of the users gone, then per user in id order REMOTE_JOIN (and its
        state) or REMOTE_STATE_CHANGED; the other channels did not change."""
        w = await world(emu)
        loss = emu.now_ms
        emu.disconnect("bob")
        await w.alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        await w.carol.unsubscribe("room")
        dave = emu.client("dave")
        await dave.login()
        await dave.subscribe("room")
        await dave.presence.set_state("room", "MESSAGE", {"d": "4"})
        emu.advance(8)  # DISCONNECTED since 7 s; next retry 11 s
        assert [] == got(w.rb)
        emu.reconnect("bob")
        emu.advance(3)
        at = loss + 11_000
        assert [
            remote("REMOTE_LEAVE", "carol", at),
            remote("REMOTE_STATE_CHANGED", "alice", at, state={"a": "1"}),
            remote("REMOTE_JOIN", "dave", at),
            remote("REMOTE_STATE_CHANGED", "dave", at, state={"d": "4"}),
        ] == got(w.rb)
        assert reconnected(at, World.BOB_MESSAGE, resumed=True) == links(w.rb)[-1]

    async def test_r_t3_still_down_between_network_back_and_the_retry(self, emu: Emulator) -> None:
        w = await world(emu)
        emu.disconnect("bob")
        emu.advance(8)  # DISCONNECTED; next retry at 11 s
        emu.reconnect("bob")
        err = await fails(w.bob.presence.who_now("room", "MESSAGE"))
        assert not_connected("whoNow") == err.to_dict()
        emu.advance(2.999)
        assert "DISCONNECTED" == current(w.rb)
        assert [] == got(w.rb)
        emu.advance(0.001)
        assert "CONNECTED" == current(w.rb)
        who = await w.bob.presence.who_now("room", "MESSAGE")
        assert ["alice", "bob", "carol"] == [o.user_id for o in who.occupants]

    @pytest.mark.parametrize("control", ["disconnect", "reconnect"])
    @pytest.mark.parametrize("uid", ["nobody", "carol", "", "a.b"])
    async def test_r_t3_control_of_a_user_without_a_session_fails_and_changes_nothing(
        self, emu: Emulator, control: str, uid: str
    ) -> None:
        """Emulator controls refuse a user with no logged-in client (carol logged out)
        or an invalid id; which error is the emulator's, but it changes nothing."""
        w = await world(emu)
        await w.carol.logout()
        emu.advance(5)
        clear(*w.recs())
        before = server_view(emu)
        with pytest.raises((RtmError, ValueError)):
            getattr(emu, control)(uid)
        assert before == server_view(emu)
        emu.advance(600)
        assert ([], [], [], [], []) == (
            got(w.ra),
            got(w.rb),
            got(w.rc),
            links(w.ra),
            links(w.rb),
        )

    async def test_r_t3_disconnect_and_reconnect_without_effect(self, emu: Emulator) -> None:
        """The network back while connected changes nothing; a second loss while down
        is no new transition."""
        _alice, ra, _bob, rb = await two(emu)
        emu.reconnect("bob")
        assert ([], [], []) == (got(ra), got(rb), links(rb))
        emu.disconnect("bob")
        emu.disconnect("bob")
        assert [lost(T0, ["room"])] == links(rb)
        emu.reconnect("bob")
        emu.reconnect("bob")
        emu.advance(2)
        assert [retrying(T0 + 2_000), reconnected(T0 + 2_000, ["room"], resumed=True)] == links(rb)
        assert [] == got(rb)  # the replica is kept: no new SNAPSHOT
        assert [] == got(ra)
        emu.advance(3_600)
        assert ([], [], []) == (got(ra), got(rb), links(rb))


class TestRT3ResumeDifference:
    """R-T3: what a reconnecting client's replica replays, per listening channel in
    (type, name) order: ``REMOTE_LEAVE`` for the users it last heard of who are gone
    (user-id order), then per user present now, in user-id order, ``REMOTE_JOIN`` (and
    ``REMOTE_STATE_CHANGED`` when its state holds a truthy value; the states here hold
    one value each) for a user it did not know, or ``REMOTE_STATE_CHANGED`` when a known
    user's state changed in a way the SDK reports (R-S5); then R-E5's interval-entry
    check (test_events.py).  agora-rtm.js 2.3.0: the reconnect
    reuses the replica and the document sync turns the difference into events; oracle
    cases events.others-while-down, link.transitions.loss-and-resume."""

    async def test_r_t3_resume_replays_leaves_then_each_user_in_id_order(
        self, emu: Emulator
    ) -> None:
        bob = emu.client("bob")
        rb = Recorder(bob)
        await bob.login()
        await bob.subscribe("room")
        others: dict[str, RTMClient] = {}

        async def enter(uid: str, state: dict[str, Any] | None = None) -> None:
            client = others[uid] = emu.client(uid)
            await client.login()
            if state is not None:  # cached until the client enters (R-S4)
                await client.presence.set_state("room", "MESSAGE", state)
            await client.subscribe("room", with_presence=False)

        for uid, state in (
            ("amy", None),
            ("dora", {"d": "1"}),
            ("eli", {"e": "1"}),
            ("fay", {"f": "1", "g": "2"}),
            ("gil", None),
            ("zed", None),
        ):
            await enter(uid, state)
        emu.advance(10)
        clear(rb)
        loss = emu.now_ms
        emu.disconnect("bob")
        await others["zed"].unsubscribe("room")
        await others["amy"].logout()
        await enter("al", {"a": "1"})
        await enter("ben")
        await enter("cy", {"c": False})  # falsy values only: the SDK reports no state
        await enter("hal")
        p = {uid: client.presence for uid, client in others.items()}
        await p["dora"].set_state("room", "MESSAGE", {"d": "2"})
        await p["eli"].set_state("room", "MESSAGE", {"e2": 0})  # falsy only: not reported
        await p["fay"].remove_state("room", "MESSAGE", states=["g"])
        await others["gil"].unsubscribe("room")
        emu.advance(3)  # past the debounce (R-E6): gil's and hal's documents are gone ...
        await others["gil"].subscribe("room", with_presence=False)  # ... gil is back
        await others["hal"].unsubscribe("room")  # and hal came and went
        emu.advance(5)  # loss + 8 s: the 2 s attempt failed at 7 s, the next is at 11 s
        assert [] == got(rb)
        emu.reconnect("bob")
        emu.advance(3)
        at = loss + 11_000
        assert reconnected(at, ["room"], resumed=True) == links(rb)[-1]
        assert [
            remote("REMOTE_LEAVE", "amy", at),
            remote("REMOTE_LEAVE", "zed", at),
            remote("REMOTE_JOIN", "al", at),
            remote("REMOTE_STATE_CHANGED", "al", at, state={"a": "1"}),
            remote("REMOTE_JOIN", "ben", at),
            remote("REMOTE_JOIN", "cy", at),
            remote("REMOTE_STATE_CHANGED", "dora", at, state={"d": "2"}),
            remote("REMOTE_STATE_CHANGED", "fay", at, state={"f": "1"}),
        ] == got(rb)
        # the replica now is the documents, falsy values included
        who = await bob.presence.who_now("room", "MESSAGE", include_state=True)
        assert json.dumps(
            [
                ["al", {"a": "1"}],
                ["ben", {}],
                ["bob", {}],
                ["cy", {"c": False}],
                ["dora", {"d": "2"}],
                ["eli", {"e": "1", "e2": 0}],
                ["fay", {"f": "1"}],
                ["gil", {}],
            ]
        ) == json.dumps([[o.user_id, dict(o.states)] for o in who.occupants])
        # and changes are heard live again
        await p["ben"].set_state("room", "MESSAGE", {"b": "1"})
        assert [remote("REMOTE_STATE_CHANGED", "ben", at, state={"b": "1"})] == got(rb)

    async def test_r_t3_resume_difference_per_channel_in_channel_order(self, emu: Emulator) -> None:
        """Listening channels in (type, name) order; the channel bob does not listen in
        (deaf) replays nothing; in the channel where bob is quiet he still hears others."""
        w = await world(emu)
        loss = emu.now_ms
        emu.disconnect("bob")
        p = w.alice.presence
        await p.set_state("alpha", "STREAM", {"s": "1"})
        await p.set_state("room", "MESSAGE", {"r": "1"})
        await p.set_state("deaf", "MESSAGE", {"d": "1"})
        await p.set_state("quiet", "MESSAGE", {"q": "1"})
        await p.set_state("hall", "MESSAGE", {"h": "1"})
        await w.carol.unsubscribe("room")
        emu.advance(8)
        emu.reconnect("bob")
        emu.advance(3)
        at = loss + 11_000
        assert [
            remote("REMOTE_STATE_CHANGED", "alice", at, "hall", state={"h": "1"}),
            remote("REMOTE_STATE_CHANGED", "alice", at, "quiet", state={"q": "1"}),
            remote("REMOTE_LEAVE", "carol", at),
            remote("REMOTE_STATE_CHANGED", "alice", at, state={"r": "1"}),
            remote("REMOTE_STATE_CHANGED", "alice", at, "alpha", "STREAM", state={"s": "1"}),
        ] == got(w.rb)
        assert reconnected(at, World.BOB_MESSAGE, resumed=True) == links(w.rb)[-1]
        assert [remote("REMOTE_LEAVE", "carol", loss + 2_000)] == got(w.ra)  # bob: nothing

    async def test_r_t3_resume_after_the_timeout_replays_the_same_difference(
        self, emu: Emulator
    ) -> None:
        """After the server's timeout bob re-enters silently on the server (the others
        get REMOTE_JOIN) and his own replica catches up by the difference to what he
        last heard: alice's state, carol who came meanwhile."""
        alice, ra, _bob, rb = await two(emu, config=RTMConfig(presence_timeout=5))
        loss = emu.now_ms
        emu.disconnect("bob")
        emu.advance(1)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        emu.advance(24)  # bob timed out at 20 s
        carol = emu.client("carol")
        rc = Recorder(carol)
        await carol.login()
        await carol.subscribe("room")
        assert [snap(loss + 25_000, {"alice": {"a": "1"}, "carol": {}})] == got(rc)
        emu.advance(5)  # loss + 30 s, between attempts; next at 45 s
        emu.reconnect("bob")
        emu.advance(15)
        at = loss + 45_000
        assert reconnected(at, ["room"], resumed=True) == links(rb)[-1]
        assert [
            remote("REMOTE_STATE_CHANGED", "alice", at, state={"a": "1"}),
            remote("REMOTE_JOIN", "carol", at),
        ] == got(rb)
        assert [
            remote("REMOTE_TIMEOUT", "bob", loss + 20_000),
            remote("REMOTE_JOIN", "carol", loss + 25_000),
            remote("REMOTE_JOIN", "bob", at),
        ] == got(ra)
        assert [remote("REMOTE_JOIN", "bob", at)] == got(rc)

    async def test_r_t3_resume_with_nothing_changed_replays_nothing(self, emu: Emulator) -> None:
        """A user who left and came back with the same (empty) state, and a user who came
        and went, leave no trace in the difference."""
        _alice, _ra, bob, rb = await two(emu)
        carol = emu.client("carol")
        await carol.login()
        await carol.subscribe("room")
        clear(rb)
        loss = emu.now_ms
        emu.disconnect("bob")
        await carol.unsubscribe("room")
        dave = emu.client("dave")
        await dave.login()
        await dave.subscribe("room")
        emu.advance(3)
        await carol.subscribe("room")
        await dave.logout()
        emu.advance(5)
        emu.reconnect("bob")
        emu.advance(3)
        assert reconnected(loss + 11_000, ["room"], resumed=True) == links(rb)[-1]
        assert [] == got(rb)
        who = await bob.presence.who_now("room", "MESSAGE")
        assert ["alice", "bob", "carol"] == [o.user_id for o in who.occupants]


# --------------------------------------------------------------------------- R-T4


#: A loss at 0 with the network down for 200 s (R-T4, the q1/q2 probe's sequence).
LITERAL_TIMELINE = [
    ("CONNECTED", "DISCONNECTED", "HEARTBEAT_TIMEOUT", "KEEP_ALIVE_TIMEOUT", 0),
    ("DISCONNECTED", "CONNECTING", "AUTO_RECONNECT", "AUTO_RECONNECT", 2),
    ("CONNECTING", "DISCONNECTED", "SERVER_TIMEOUT", "RECONNECT_TIMEOUT", 7),
    ("DISCONNECTED", "CONNECTING", "AUTO_RECONNECT", "AUTO_RECONNECT", 11),
    ("CONNECTING", "DISCONNECTED", "SERVER_TIMEOUT", "RECONNECT_TIMEOUT", 16),
    ("DISCONNECTED", "CONNECTING", "AUTO_RECONNECT", "AUTO_RECONNECT", 24),
    ("CONNECTING", "DISCONNECTED", "SERVER_TIMEOUT", "RECONNECT_TIMEOUT", 29),
    ("DISCONNECTED", "CONNECTING", "AUTO_RECONNECT", "AUTO_RECONNECT", 45),
    ("CONNECTING", "DISCONNECTED", "SERVER_TIMEOUT", "RECONNECT_TIMEOUT", 50),
    ("DISCONNECTED", "CONNECTING", "AUTO_RECONNECT", "AUTO_RECONNECT", 82),
    ("CONNECTING", "DISCONNECTED", "SERVER_TIMEOUT", "RECONNECT_TIMEOUT", 87),
    ("DISCONNECTED", "CONNECTING", "AUTO_RECONNECT", "AUTO_RECONNECT", 119),
    ("CONNECTING", "SUSPENDED", "AUTO_RECONNECT", "RECONNECT_TIMEOUT", 124),
    ("SUSPENDED", "CONNECTING", "AUTO_RECONNECT", "AUTO_RECONNECT", 154),
    ("CONNECTING", "SUSPENDED", "AUTO_RECONNECT", "RECONNECT_TIMEOUT", 159),
    ("SUSPENDED", "CONNECTING", "AUTO_RECONNECT", "AUTO_RECONNECT", 189),
    ("CONNECTING", "SUSPENDED", "AUTO_RECONNECT", "RECONNECT_TIMEOUT", 194),
]

#: (network back, s after the loss) -> (reconnected at, isResumed)
BACK_CASES = [
    pytest.param(0.5, 2, True, id="before-first-retry"),
    pytest.param(1.999, 2, True, id="just-before-first-retry"),
    pytest.param(7.001, 11, True, id="after-first-failure"),
    pytest.param(10.999, 11, True, id="just-before-second-retry"),
    pytest.param(20, 24, True, id="third-retry"),
    pytest.param(40, 45, True, id="fourth-retry"),
    pytest.param(60, 82, True, id="fifth-retry"),
    pytest.param(87.001, 119, True, id="sixth-retry-timer-not-out"),
    pytest.param(118.999, 119, True, id="just-before-sixth-retry"),
    pytest.param(124.001, 154, False, id="suspended"),
    pytest.param(150, 154, False, id="suspended-later"),
    pytest.param(160, 189, False, id="suspended-again"),
    pytest.param(1000, 1029, False, id="long-after"),  # retries every 35 s from 154 s
]


class TestRT4LinkStates:
    """R-T4: every transition of the MESSAGE link with the SDK's operation, reason code,
    reason text, affected channels and ``isResumed`` (agora-rtm.js 2.3.0,
    ``RTMImpl._updateLinkState``)."""

    async def test_r_t4_login_idle_connecting_connected(self, emu: Emulator) -> None:
        alice = emu.client("alice")
        ra = Recorder(alice)
        emu.advance(3)
        response = await alice.login()
        assert {"timestamp": 0} == response.to_dict()
        assert logged_in(T0 + 3_000) == links(ra)
        assert [] == got(ra)

    async def test_r_t4_link_event_fields_are_typed(self, emu: Emulator) -> None:
        ((_alice, ra),) = await login_recorded(emu, "alice")
        event = ra.links[-1]
        assert isinstance(event, LinkStateEvent)
        assert (LinkState.CONNECTED, LinkState.CONNECTING) == (
            event.current_state,
            event.previous_state,
        )
        assert ("MESSAGE", "LOGIN", "LOGIN_SUCCESS", "Login success") == (
            event.service_type,
            event.operation,
            event.reason_code,
            event.reason,
        )
        assert ([], [], False, T0) == (
            list(event.affected_channels),
            list(event.unrestored_channels),
            event.is_resumed,
            event.timestamp,
        )

    async def test_r_t4_loss_timeline_literal(self, emu: Emulator) -> None:
        """Retries 2 s after the loss, then 4, 8, 16, 32, 32 s after each failed 5 s
        attempt, then 30 s; SUSPENDED at the first failure after the 115 s timer armed
        by the first failure (7 s + 115 s = 122 s: the 124 s failure)."""
        ((alice, ra),) = await login_recorded(emu, "alice")
        await alice.subscribe("room")
        clear(ra)
        emu.advance(1)
        loss = emu.now_ms
        emu.disconnect("alice")
        emu.advance(200)
        expected = [
            link(prev, cur, op, code, loss + s * S, affected=["room"] if s == 0 else [])
            for prev, cur, op, code, s in LITERAL_TIMELINE
        ]
        assert expected == links(ra)
        assert expected == outage(loss, loss + 200_000, ["room"])
        assert [] == got(ra)

    @pytest.mark.parametrize("index", range(len(RETRY_STARTS_S)))
    async def test_r_t4_each_retry_and_failure_at_its_exact_ms(
        self, emu: Emulator, index: int
    ) -> None:
        ((_alice, ra),) = await login_recorded(emu, "alice")
        clear(ra)
        emu.disconnect("alice")
        start, fail = RETRY_STARTS_S[index] * S, RETRY_FAILS_S[index] * S
        emu.advance((start - 1) / 1000)
        before = len(ra.links)
        emu.advance(0.001)
        assert "CONNECTING" == current(ra)
        assert before + 1 == len(ra.links)
        emu.advance((fail - start - 1) / 1000)
        assert "CONNECTING" == current(ra)
        emu.advance(0.001)
        expected = "SUSPENDED" if fail >= FIRST_SUSPENDED_S * S else "DISCONNECTED"
        assert expected == current(ra)
        assert T0 + fail == ra.links[-1].timestamp

    async def test_r_t4_retries_go_on_every_35_s_while_the_network_is_down(
        self, emu: Emulator
    ) -> None:
        ((_alice, ra),) = await login_recorded(emu, "alice")
        clear(ra)
        emu.disconnect("alice")
        emu.advance(3_600)
        events = links(ra)
        assert outage(T0, T0 + 3_600_000) == events
        assert "CONNECTED" not in [e["currentState"] for e in events]
        starts = [e["timestamp"] - T0 for e in events if e["currentState"] == "CONNECTING"]
        assert [2_000, 11_000, 24_000, 45_000, 82_000, 119_000, 154_000] == starts[:7]
        assert [35_000] * (len(starts) - 7) == [b - a for a, b in itertools.pairwise(starts[6:])]
        assert 3_584_000 == starts[-1]  # 154 s + 35 s x 98

    @pytest.mark.parametrize(("back_s", "at_s", "resumed"), BACK_CASES)
    async def test_r_t4_reconnect_at_the_next_retry(
        self, emu: Emulator, back_s: float, at_s: int, resumed: bool
    ) -> None:
        """``AUTO_RECONNECT`` / ``RECONNECT_SUCCESS``, affected = the MESSAGE channels,
        ``isResumed`` = the 115 s timer has not run out."""
        ((alice, ra),) = await login_recorded(emu, "alice")
        await alice.subscribe("hall")
        await alice.subscribe("room", with_presence=False)
        await alice.create_stream_channel("alpha").join()
        clear(ra)
        emu.disconnect("alice")
        back = T0 + round(back_s * S)
        at = T0 + at_s * S
        emu.advance(back_s)
        emu.reconnect("alice")
        emu.advance((at - back - 1) / 1000)
        assert "CONNECTED" != current(ra)
        emu.advance(0.001)
        assert at == next_retry_ms(T0, back)
        expected = outage(T0, at, ["hall", "room"], back_ms=back)
        assert reconnected(at, ["hall", "room"], resumed=resumed) == expected[-1]
        assert expected == links(ra)
        emu.advance(3_600)
        assert [] == links(ra)

    async def test_r_t4_second_loss_restarts_the_schedule_and_the_suspend_timer(
        self, emu: Emulator
    ) -> None:
        """The q2 probe: after a suspended outage, a quick reconnect is resumed again."""
        ((alice, ra),) = await login_recorded(emu, "alice")
        await alice.subscribe("room")
        clear(ra)
        emu.disconnect("alice")
        emu.advance(130)
        emu.reconnect("alice")
        emu.advance(24)  # reconnected at 154 s, not resumed
        assert reconnected(T0 + 154_000, ["room"], resumed=False) == links(ra)[-1]
        emu.advance(100)
        second = emu.now_ms
        emu.disconnect("alice")
        emu.advance(100)  # 7 s + 115 s of the new loss not yet over
        emu.reconnect("alice")
        emu.advance(19)
        expected = outage(second, second + 119_000, ["room"], back_ms=second + 100_000)
        assert reconnected(second + 119_000, ["room"], resumed=True) == expected[-1]
        assert expected == links(ra)

    async def test_r_t4_loss_affects_the_message_channels_only(self, emu: Emulator) -> None:
        w = await world(emu)
        emu.disconnect("bob")
        assert [lost(emu.now_ms, ["deaf", "hall", "quiet", "room"])] == links(w.rb)

    async def test_r_t4_loss_without_channels_affects_none(self, emu: Emulator) -> None:
        ((alice, ra),) = await login_recorded(emu, "alice")
        await alice.create_stream_channel("alpha").join()
        clear(ra)
        emu.disconnect("alice")
        emu.reconnect("alice")
        emu.advance(2)
        assert [lost(T0), retrying(T0 + 2_000), reconnected(T0 + 2_000, resumed=True)] == links(ra)

    async def test_r_t4_link_events_reach_a_disconnected_client(self, emu: Emulator) -> None:
        """Link-state events are the client's own; presence events do not flow (R-E9)."""
        alice, _ra, _bob, rb = await two(emu)
        emu.disconnect("bob")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        emu.advance(130)
        assert outage(T0, T0 + 130_000, ["room"]) == links(rb)
        assert [] == got(rb)

    async def test_r_t4_stream_join_reports_its_link_before_the_snapshot(
        self, emu: Emulator
    ) -> None:
        """A stream channel's own link goes CONNECTING -> CONNECTED before the channel's
        SNAPSHOT; a leave reports CONNECTED -> IDLE.  agora-rtm.js 2.3.0,
        StreamChannelImpl.join / leave; oracle case events.stream-join-leave."""
        (alice, _ra), (bob, _rb) = await login_recorded(emu, "alice", "bob")
        await alice.create_stream_channel("stage").join()
        timeline = Timeline(bob)
        emu.advance(1)
        t = emu.now_ms
        stage = bob.create_stream_channel("stage")
        await stage.join()
        assert [
            *[("linkState", e) for e in stream_joined("stage", t)],
            ("presence", snap(t, {"alice": {}, "bob": {}}, "stage", "STREAM")),
        ] == timeline.take()
        await stage.leave()
        assert [("linkState", stream_left("stage", t))] == timeline.take()

    @pytest.mark.parametrize("state", ["CONNECTED", *DOWN_STATES])
    async def test_r_t4_logout_goes_idle_from_every_state(self, emu: Emulator, state: str) -> None:
        w = await world(emu)
        if state != "CONNECTED":
            await go_down(emu, w, state)
        t = emu.now_ms
        response = await w.bob.logout()
        assert {"timestamp": 0} == response.to_dict()
        assert [logged_out(t, World.BOB_MESSAGE, state)] == links(w.rb)
        again = await w.bob.logout()
        assert {"timestamp": 0} == again.to_dict()
        emu.advance(3_600)  # no retries, no SUSPENDED
        assert [] == links(w.rb)
        assert [] == got(w.rb)
        assert [] == emu.user_channels("bob")

    @pytest.mark.parametrize("state", ["CONNECTED", "DISCONNECTED", "CONNECTING", "SUSPENDED"])
    async def test_r_t4_logout_leaves_every_channel_debounced_never_a_timeout(
        self, emu: Emulator, state: str
    ) -> None:
        """R-L2 / R-E2 / R-E6: others get REMOTE_LEAVE after the debounce, in (type,
        name) order; no REMOTE_TIMEOUT follows."""
        w = await world(emu)
        if state != "CONNECTED":
            await go_down(emu, w, state)
        t = emu.now_ms
        await w.bob.logout()
        emu.advance(1.999)
        assert ([], []) == (got(w.ra), got(w.rc))
        emu.advance(0.001)
        at = t + 2_000
        assert [
            remote("REMOTE_LEAVE", "bob", at, "deaf"),
            remote("REMOTE_LEAVE", "bob", at, "hall"),
            remote("REMOTE_LEAVE", "bob", at, "room"),
            remote("REMOTE_LEAVE", "bob", at, "alpha", "STREAM"),
        ] == got(w.ra)
        assert [remote("REMOTE_LEAVE", "bob", at)] == got(w.rc)
        emu.advance(3_600)
        assert ([], []) == (got(w.ra), got(w.rc))
        assert [] == emu.user_channels("bob")
        assert ["alice", "carol"] == emu.online_users("room", "MESSAGE")

    async def test_r_t4_logout_before_any_login(self, emu: Emulator) -> None:
        alice = emu.client("alice")
        ra = Recorder(alice)
        assert {"timestamp": 0} == (await alice.logout()).to_dict()
        assert [] == links(ra)

    async def test_r_t4_logout_after_the_timeout_tells_others_nothing_new(
        self, emu: Emulator
    ) -> None:
        w = await world(emu)
        emu.disconnect("bob")
        emu.advance(320)
        clear(w.ra, w.rc, w.rb)
        await w.bob.logout()
        assert [logged_out(emu.now_ms, World.BOB_MESSAGE, "SUSPENDED")] == links(w.rb)
        emu.advance(10)
        assert ([], []) == (got(w.ra), got(w.rc))
        await w.bob.login()
        assert [] == emu.user_channels("bob")  # a new login restores nothing

    async def test_r_t4_same_uid_login_kicks_the_first_client(self, emu: Emulator) -> None:
        """The q1 probe: ``FAILED`` / ``SERVER_REJECT`` / ``SAME_UID_LOGIN`` with the
        kicked client's MESSAGE channels; on the server the old session leaves them
        (debounced, R-E6); the kicked client gets no more events and no retries."""
        (alice, ra), (bob1, rb1) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await alice.create_stream_channel("alpha").join()
        await bob1.subscribe("room")
        await bob1.subscribe("deaf", with_presence=False)
        await bob1.create_stream_channel("alpha").join()
        await bob1.presence.set_state("room", "MESSAGE", {"k": "v"})
        emu.advance(10)
        clear(ra, rb1)
        t = emu.now_ms
        bob2 = emu.client("bob")  # another device: no -10027 in Python
        rb2 = Recorder(bob2)
        await bob2.login()
        assert [kicked(t, ["deaf", "room"])] == links(rb1)
        assert logged_in(t) == links(rb2)
        assert [] == emu.user_channels("bob")  # whereNow drops the channels at once
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")  # debounce window
        emu.advance(1.999)
        assert [] == got(ra)
        emu.advance(0.001)
        assert [
            remote("REMOTE_LEAVE", "bob", t + 2_000),
            remote("REMOTE_LEAVE", "bob", t + 2_000, "alpha", "STREAM"),
        ] == got(ra)
        assert ["alice"] == emu.online_users("room", "MESSAGE")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        emu.advance(3_600)
        assert ([], [], [], []) == (got(rb1), links(rb1), got(rb2), links(rb2))

    async def test_r_t4_kicked_client_works_locally_and_keeps_its_channels(
        self, emu: Emulator
    ) -> None:
        """The q1 probe: after FAILED getState(self) and setState succeed; the rest is
        -10025 (R-T3), subscribe included; unsubscribe resolves; a stream join resolves
        but reaches no server (agora-rtm.js 2.3.0: the stream join checks only that the
        link is not IDLE; oracle case link.FAILED.stream-join)."""
        (alice, _ra), (bob1, rb1) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob1.subscribe("room")
        await bob1.presence.set_state("room", "MESSAGE", {"k": "v"})
        await emu.client("bob").login()
        mine = await bob1.presence.get_state("bob", "room", "MESSAGE")
        assert {"k": "v"} == dict(mine.states)
        assert 0 == (await bob1.presence.set_state("room", "MESSAGE", {"k": "w"})).timestamp
        assert {"k": "w"} == dict((await bob1.presence.get_state("bob", "room", "MESSAGE")).states)
        for operation, call in (
            ("subscribe", lambda: bob1.subscribe("other")),
            ("whoNow", lambda: bob1.presence.who_now("room", "MESSAGE")),
            ("presenceGetState", lambda: bob1.presence.get_state("alice", "room", "MESSAGE")),
        ):
            err = await fails(call())
            assert not_connected(operation) == err.to_dict()
        clear(rb1)
        assert {"timestamp": 0} == (await bob1.create_stream_channel("alpha").join()).to_dict()
        assert stream_joined("alpha", emu.now_ms) == stream_links(rb1)
        assert [] == got(rb1)
        emu.advance(5)
        assert [] == emu.user_channels("bob")
        assert [] == emu.online_users("alpha", "STREAM")

    async def test_r_t4_relogin_after_kick_restores_channels_and_state(self, emu: Emulator) -> None:
        """R-L3: ``FAILED -> CONNECTING`` ``LOGIN`` / ``RELOGIN``; the channels come back
        with their options and the client's state; the other session is kicked."""
        (alice, ra), (bob1, rb1) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("hall")
        await alice.subscribe("room")
        await bob1.subscribe("hall", with_presence=False)
        await bob1.subscribe("room")
        await bob1.presence.set_state("room", "MESSAGE", {"k": "v"})
        bob2 = emu.client("bob")
        rb2 = Recorder(bob2)
        await bob2.login()
        emu.advance(5)  # past the debounce: alice saw bob leave both channels
        assert [
            remote("REMOTE_LEAVE", "bob", T0 + 2_000, "hall"),
            remote("REMOTE_LEAVE", "bob", T0 + 2_000),
        ] == [e for e in got(ra) if e["eventType"] == "REMOTE_LEAVE"]
        await bob1.presence.set_state("room", "MESSAGE", {"k": "w"})  # while FAILED
        clear(rb1, rb2)
        t = emu.now_ms
        response = await bob1.login()
        assert {"timestamp": 0} == response.to_dict()
        assert relogged_in(t) == links(rb1)
        assert [kicked(t)] == links(rb2)  # bob2 had no channels
        assert [snap(t, {"alice": {}, "bob": {"k": "w"}})] == got(rb1)
        assert [
            remote("REMOTE_JOIN", "bob", t, "hall"),
            remote("REMOTE_JOIN", "bob", t),
            remote("REMOTE_STATE_CHANGED", "bob", t, state={"k": "w"}),
        ] == got(ra)
        assert [("MESSAGE", "hall"), ("MESSAGE", "room")] == emu.user_channels("bob")
        assert {"k": "w"} == emu.state_of("bob", "room", "MESSAGE")
        await alice.presence.set_state("hall", "MESSAGE", {"h": "1"})
        await alice.presence.set_state("room", "MESSAGE", {"r": "1"})
        assert [remote("REMOTE_STATE_CHANGED", "alice", t, state={"r": "1"})] == got(rb1)

    async def test_r_t4_relogin_within_the_debounce_keeps_the_document(self, emu: Emulator) -> None:
        """R-E6: re-entry within the window: no leave / join, one REMOTE_STATE_CHANGED
        because the state differs."""
        (alice, ra), (bob1, _rb1) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob1.subscribe("room")
        await bob1.presence.set_state("room", "MESSAGE", {"k": "v"})
        clear(ra)
        await emu.client("bob").login()
        emu.advance(1)
        await bob1.presence.set_state("room", "MESSAGE", {"k": "w"})
        await bob1.login()
        t = emu.now_ms
        assert [remote("REMOTE_STATE_CHANGED", "bob", t, state={"k": "w"})] == got(ra)
        emu.advance(3_600)
        assert [] == got(ra)
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")

    async def test_r_t4_relogin_within_the_debounce_same_state_is_silent(
        self, emu: Emulator
    ) -> None:
        (alice, ra), (bob1, _rb1) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob1.subscribe("room")
        await bob1.presence.set_state("room", "MESSAGE", {"k": "v"})
        clear(ra)
        await emu.client("bob").login()
        emu.advance(1.999)
        await bob1.login()
        emu.advance(3_600)
        assert [] == got(ra)

    async def test_r_t4_kicked_client_logout_lists_its_kept_channels(self, emu: Emulator) -> None:
        (_alice, _ra), (bob1, rb1) = await login_recorded(emu, "alice", "bob")
        await bob1.subscribe("room")
        await emu.client("bob").login()
        emu.advance(5)
        clear(rb1)
        await bob1.logout()
        assert [logged_out(emu.now_ms, ["room"], "FAILED")] == links(rb1)
        await bob1.login()  # from IDLE: a plain login that restores nothing
        assert logged_in(emu.now_ms) == links(rb1)
        assert [] == emu.user_channels("bob")
        assert [] == got(rb1)

    async def test_r_t4_same_uid_in_another_app_is_not_kicked(self, emu: Emulator) -> None:
        _alice, ra, _bob1, rb1 = await two(emu)
        other_app = "OtherApp0123456789abcdefABCDEF01"
        bob2 = emu.client("bob", app_id=other_app)
        rb2 = Recorder(bob2)
        await bob2.login()
        await bob2.subscribe("room")
        assert logged_in(T0) == links(rb2)
        assert [snap(T0, {"bob": {}})] == got(rb2)
        assert ([], []) == (links(rb1), got(rb1))
        emu.advance(10)
        assert [] == got(ra)
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")
        assert ["bob"] == emu.online_users("room", "MESSAGE", app_id=other_app)


# --------------------------------------------------------------------------- R-L3


class TestRL3Login:
    """R-L3: login when CONNECTED resolves and changes nothing; while CONNECTING it is
    -10017; after FAILED it logs in again and restores the channels (see also
    ``TestRT4LinkStates``)."""

    async def test_r_l3_login_when_connected_changes_nothing(self, emu: Emulator) -> None:
        w = await world(emu)
        before = server_view(emu)
        assert {"timestamp": 0} == (await w.bob.login()).to_dict()
        assert {"timestamp": 0} == (await w.bob.login({"token": "x"})).to_dict()
        assert {"timestamp": 0} == (await w.bob.login(token="y")).to_dict()
        assert before == server_view(emu)
        assert ([], [], [], []) == (got(w.ra), got(w.rb), got(w.rc), links(w.rb))

    @pytest.mark.parametrize("offset_s", [2, 3, 6.999, 11.5, 120, 154])
    async def test_r_l3_login_while_connecting_is_duplicate_operation(
        self, emu: Emulator, offset_s: float
    ) -> None:
        w = await world(emu)
        loss = emu.now_ms
        emu.disconnect("bob")
        emu.advance(offset_s)
        assert "CONNECTING" == current(w.rb)
        before = server_view(emu)
        err = await fails(w.bob.login())
        assert error(-10017, "login", DUPLICATE_REASON, "RtmUnavailableError") == err.to_dict()
        assert before == server_view(emu)
        # the schedule goes on as before
        emu.advance(200)
        assert outage(loss, loss + round((offset_s + 200) * S), World.BOB_MESSAGE) == links(w.rb)

    @pytest.mark.parametrize(("down_s", "state"), [(8, "DISCONNECTED"), (130, "SUSPENDED")])
    async def test_r_l3_login_while_down_waits_for_the_reconnect(
        self, emu: Emulator, down_s: int, state: str
    ) -> None:
        """login() while DISCONNECTED or SUSPENDED goes CONNECTING ``LOGIN`` / ``RELOGIN``
        and resolves once connected; that CONNECTED is ``LOGIN`` / ``RELOGIN`` with the
        MESSAGE channels (not the stream ones) and ``isResumed`` = not suspended.
        agora-rtm.js 2.3.0, RTMImpl._loginImpl (``userJoined`` while a login runs);
        oracle cases link.DISCONNECTED.login, link.SUSPENDED.login.  When the attempts
        run is not pinned here."""
        _alice, ra, bob, rb = await two(emu)
        await bob.create_stream_channel("alpha").join()  # not a MESSAGE channel
        clear(ra, rb)
        emu.disconnect("bob")
        emu.advance(down_s)
        assert state == current(rb)
        clear(rb)
        t = emu.now_ms
        pending = asyncio.ensure_future(bob.login())
        await asyncio.sleep(0)
        assert not pending.done()
        assert [link(state, "CONNECTING", "LOGIN", "RELOGIN", t)] == links(rb)
        err = await fails(bob.login())  # a second login while CONNECTING
        assert error(-10017, "login", DUPLICATE_REASON, "RtmUnavailableError") == err.to_dict()
        for _ in range(60):  # no network, no login
            emu.advance(1)
            await asyncio.sleep(0)
        assert not pending.done()
        emu.reconnect("bob")
        for _ in range(60):
            emu.advance(1)
            await asyncio.sleep(0)
            if pending.done():
                break
        assert {"timestamp": 0} == pending.result().to_dict()
        last = links(rb)[-1]
        assert last == link(
            "CONNECTING",
            "CONNECTED",
            "LOGIN",
            "RELOGIN",
            last["timestamp"],
            affected=["room"],
            resumed=state != "SUSPENDED",
        )
        assert [] == got(ra)  # before the server's timeout: others see nothing
        assert [] == got(rb)  # and bob's replica has nothing to catch up on
        emu.advance(3_600)
        assert [] == links(rb)

    @pytest.mark.parametrize(("down_s", "state"), [(0, "DISCONNECTED"), (130, "SUSPENDED")])
    async def test_r_l3_login_while_down_then_the_network_back(
        self, emu: Emulator, down_s: int, state: str
    ) -> None:
        """The oracle's sequence (cases link.DISCONNECTED.login, link.SUSPENDED.login):
        login while down, the network back, time passes: exactly CONNECTING ``RELOGIN``
        then CONNECTED ``LOGIN`` / ``RELOGIN`` (affected: the MESSAGE channels), no
        failed attempt in between; the login resolves then, and the replica replays what
        it missed (R-T3)."""
        alice, ra, bob, rb = await two(emu)
        await bob.create_stream_channel("alpha").join()
        clear(ra, rb)
        loss = emu.now_ms
        emu.disconnect("bob")
        emu.advance(down_s)
        assert state == current(rb)
        await alice.presence.set_state("room", "MESSAGE", {"a": "1"})
        clear(ra, rb)
        t = emu.now_ms
        pending = asyncio.ensure_future(bob.login())
        await asyncio.sleep(0)
        emu.reconnect("bob")
        for _ in range(40):
            if pending.done():
                break
            emu.advance(1)
            await asyncio.sleep(0)
        assert {"timestamp": 0} == pending.result().to_dict()
        events = links(rb)
        at = events[-1]["timestamp"]
        assert t <= at <= next_retry_ms(loss, t)  # at the latest at the next retry
        assert [
            link(state, "CONNECTING", "LOGIN", "RELOGIN", t),
            link(
                "CONNECTING",
                "CONNECTED",
                "LOGIN",
                "RELOGIN",
                at,
                affected=["room"],
                resumed=state != "SUSPENDED",
            ),
        ] == events
        assert [remote("REMOTE_STATE_CHANGED", "alice", at, state={"a": "1"})] == got(rb)
        assert [] == got(ra)
        assert [("MESSAGE", "room"), ("STREAM", "alpha")] == emu.user_channels("bob")
        emu.advance(3_600)
        assert ([], []) == (links(rb), got(rb))

    async def test_r_l3_logout_cancels_a_waiting_login(self, emu: Emulator) -> None:
        """The q8 probe: logout rejects the pending login with -10023 and goes IDLE."""
        _alice, _ra, bob, rb = await two(emu)
        emu.disconnect("bob")
        emu.advance(8)
        pending = asyncio.ensure_future(bob.login())
        await asyncio.sleep(0)
        clear(rb)
        await bob.logout()
        await asyncio.sleep(0)
        assert pending.done()
        err = pending.exception()
        assert isinstance(err, RtmError)
        assert (-10023, "login", "Login RTM service was canceled by user.") == (
            err.error_code,
            err.operation,
            err.reason,
        )
        assert [logged_out(emu.now_ms, ["room"], "CONNECTING")] == links(rb)
        emu.advance(3_600)
        assert [] == links(rb)

    async def test_r_l3_login_after_logout_is_a_fresh_login(self, emu: Emulator) -> None:
        w = await world(emu)
        await w.bob.logout()
        clear(w.rb)
        emu.advance(5)
        await w.bob.login()
        assert logged_in(emu.now_ms) == links(w.rb)
        assert [] == emu.user_channels("bob")
        assert [] == got(w.rb)


# --------------------------------------------------------------------------- R-C2


TOKEN_INVALID_REASON = "Invalid token."
TOKEN_OTHER_APP_REASON = "The appid is not consistent."
#: a second valid app id (R-C2)
OTHER_APP = "0ther4pp" + "0" * 24


def token_006(app_id: str, rest: str = "IACx9s2MAEsignatureAndPrivileges") -> str:
    """An AccessToken: ``006``, the 32-character app id, then anything."""
    return "006" + app_id + rest


def token_007(app_id: str, signature: bytes = b"\x01signature\xff") -> str:
    """An AccessToken2: ``007`` + base64(zlib(uint16le length + signature, uint16le
    length + app id, the rest))."""
    packed = (
        struct.pack("<H", len(signature))
        + signature
        + struct.pack("<H", len(app_id.encode()))
        + app_id.encode()
        + struct.pack("<I", 1_735_689_600)
        + b"services"
    )
    return "007" + base64.b64encode(zlib.compress(packed)).decode("ascii")


#: the app of every client here (the default)
APP = DEFAULT_APP_ID
GOOD_TOKENS = [
    pytest.param(APP, id="the-app-id"),
    pytest.param(token_006(APP), id="006-own-app"),
    pytest.param(token_006(APP, ""), id="006-own-app-nothing-after"),
    pytest.param(token_007(APP), id="007-own-app"),
    pytest.param(token_007(APP, b""), id="007-own-app-empty-signature"),
    pytest.param(None, id="none"),
]
#: tokens the SDK refuses before the server: (token, code, link reasonCode)
BAD_TOKENS = [
    pytest.param(token_006(OTHER_APP), -10016, "INCONSISTENT_APP_ID", id="006-other-app"),
    pytest.param(token_007(OTHER_APP), -10016, "INCONSISTENT_APP_ID", id="007-other-app"),
    pytest.param("bad-token", -10005, "INVALID_TOKEN", id="not-a-token"),
    pytest.param(APP.upper(), -10005, "INVALID_TOKEN", id="app-id-in-other-case"),
    pytest.param("005" + APP, -10005, "INVALID_TOKEN", id="unknown-version"),
    pytest.param("006abc", -10005, "INVALID_TOKEN", id="006-too-short"),
    pytest.param(token_006("-" * 32), -10005, "INVALID_TOKEN", id="006-no-app-id"),
    pytest.param(token_007("abc"), -10005, "INVALID_TOKEN", id="007-no-app-id"),
    pytest.param("007!!notbase64", -10005, "INVALID_TOKEN", id="007-not-base64"),
    pytest.param(
        "007" + base64.b64encode(b"not zlib").decode(), -10005, "INVALID_TOKEN", id="007-not-zlib"
    ),
    pytest.param(
        "007" + base64.b64encode(zlib.compress(b"\x05")).decode(),
        -10005,
        "INVALID_TOKEN",
        id="007-truncated",
    ),
]


class TestRC2Token:
    """R-C2 / R-L3: the SDK's own token check at ``login`` and stream ``join``: the app id
    itself, or a ``006`` / ``007`` token carrying the client's app id; another valid app
    id is -10016, anything else -10005, both ``RtmInvalidArgumentError``.  A refused
    login reports IDLE -> CONNECTING (``LOGIN``) and then CONNECTING -> FAILED with the
    error's reason code.  agora-rtm.js 2.3.0, the token check its login and join run;
    oracle cases login.options.token-bad, login.options.token-appid (and the same checks
    run through the real SDK with 006 / 007 tokens of this and of another app)."""

    @pytest.mark.parametrize("token", GOOD_TOKENS)
    async def test_r_c2_login_accepts_the_app_id_and_its_tokens(
        self, emu: Emulator, token: str | None
    ) -> None:
        alice = emu.client("alice")
        ra = Recorder(alice)
        assert {"timestamp": 0} == (await alice.login({"token": token})).to_dict()
        assert logged_in(T0) == links(ra)
        await alice.subscribe("room")
        assert [snap(T0, {"alice": {}})] == got(ra)

    @pytest.mark.parametrize(("token", "code", "reason_code"), BAD_TOKENS)
    async def test_r_c2_login_refuses_other_tokens_and_goes_failed(
        self, emu: Emulator, token: str, code: int, reason_code: str
    ) -> None:
        alice = emu.client("alice")
        ra = Recorder(alice)
        err = await fails(alice.login({"token": token}))
        reason = TOKEN_OTHER_APP_REASON if code == -10016 else TOKEN_INVALID_REASON
        assert error(code, "login", reason, "RtmInvalidArgumentError") == err.to_dict()
        assert [
            link("IDLE", "CONNECTING", "LOGIN", "LOGIN", T0),
            link("CONNECTING", "FAILED", "LOGIN", reason_code, T0),
        ] == links(ra)
        # FAILED: no session; the local calls work, the others are -10025
        assert not_connected("subscribe") == (await fails(alice.subscribe("room"))).to_dict()
        await alice.presence.set_state("room", "MESSAGE", {"k": "v"})
        assert [] == emu.user_channels("alice")
        # the same token refused again from FAILED (RELOGIN); then a good login
        err = await fails(alice.login(token=token))
        assert code == err.code
        assert [
            link("FAILED", "CONNECTING", "LOGIN", "RELOGIN", T0),
            link("CONNECTING", "FAILED", "LOGIN", reason_code, T0),
        ] == links(ra)
        await alice.login(token=token_006(APP))
        assert relogged_in(T0) == links(ra)
        await alice.subscribe("room")
        assert [snap(T0, {"alice": {"k": "v"}})] == got(ra)

    async def test_r_c2_a_token_of_the_other_apps_own_client_is_accepted(
        self, emu: Emulator
    ) -> None:
        """The check compares with the client's own app id, whichever it is."""
        oscar = emu.client("oscar", app_id=OTHER_APP)
        ro = Recorder(oscar)
        await oscar.login(token=token_007(OTHER_APP))
        assert logged_in(T0) == links(ro)
        err = await fails(emu.client("olga", app_id=OTHER_APP).login(token=token_006(APP)))
        assert -10016 == err.code

    @pytest.mark.parametrize("token", GOOD_TOKENS)
    async def test_r_c2_stream_join_accepts_the_app_id_and_its_tokens(
        self, emu: Emulator, token: str | None
    ) -> None:
        ((alice, ra),) = await login_recorded(emu, "alice")
        clear(ra)
        assert {"timestamp": 0} == (
            await alice.create_stream_channel("stage").join({"token": token})
        ).to_dict()
        assert stream_joined("stage", T0) == stream_links(ra)
        assert [("STREAM", "stage")] == emu.user_channels("alice")

    @pytest.mark.parametrize(("token", "code", "reason_code"), BAD_TOKENS)
    async def test_r_c2_stream_join_refuses_other_tokens_and_its_link_fails(
        self, emu: Emulator, token: str, code: int, reason_code: str
    ) -> None:
        ((alice, ra),) = await login_recorded(emu, "alice")
        clear(ra)
        err = await fails(alice.create_stream_channel("stage").join({"token": token}))
        reason = TOKEN_OTHER_APP_REASON if code == -10016 else TOKEN_INVALID_REASON
        assert error(code, "join", reason, "RtmInvalidArgumentError") == err.to_dict()
        assert [
            link("IDLE", "CONNECTING", "JOIN", "JOIN", T0, affected=["stage"], service="STREAM"),
            link(
                "CONNECTING",
                "FAILED",
                "JOIN",
                reason_code,
                T0,
                affected=["stage"],
                service="STREAM",
            ),
        ] == stream_links(ra)
        assert [] == links(ra)  # the MESSAGE link is untouched
        assert [] == emu.user_channels("alice")
        assert [] == got(ra)


class TestRT3ReplayIntoAFullChannel:
    """R-T3 / R-L4: a subscribe queued while down (or a channel of the list after a
    timeout) is made when the link is back; a channel that filled up meanwhile refuses it
    and it leaves the client's list (the SDK's replayed call fails silently: its promise
    resolved when it was queued)."""

    async def test_r_t3_queued_subscribe_into_a_full_channel_is_dropped(self) -> None:
        emu = Emulator(EmulatorConfig(max_channel_users=2), strict=True)
        a, b, c = emu.client("a"), emu.client("b"), emu.client("c")
        for client in (a, b, c):
            await client.login()
        emu.advance(6)  # past heartbeatInterval: c's subscribe may be queued
        emu.disconnect("c")
        assert "room" == (await c.subscribe("room")).channel_name
        await a.subscribe("room")
        await b.subscribe("room")
        emu.reconnect("c")
        emu.advance(2)  # the first retry brings the link back
        assert LinkState.CONNECTED == c.link_state
        assert ["a", "b"] == emu.online_users("room", "MESSAGE")
        assert [] == emu.user_channels("c")
        await c.subscribe("other")  # the list no longer counts "room"
        assert [(ChannelType.MESSAGE, "other")] == emu.user_channels("c")


class TestRC2TokenKinds:
    """R-C2 / R-X3: the SDK slices a token before checking it: a truthy non-string that is
    not an array is a plain ``TypeError`` ("A.slice is not a function") and the link
    reports FAILED (``LOGIN_REJECTED``); a falsy one skips the format check and is
    -10005 (agora-rtm.js 2.3.0, login)."""

    async def test_r_c2_a_number_token_is_a_type_error(self, emu: Emulator) -> None:
        alice = emu.client("alice")
        seen: list[Any] = []
        alice.add_event_listener("linkState", seen.append)
        with pytest.raises(TypeError) as caught:
            await alice.login({"token": 123})
        assert not isinstance(caught.value, RtmError)
        assert "A.slice is not a function" == str(caught.value)
        assert [("CONNECTING", "LOGIN"), ("FAILED", "LOGIN_REJECTED")] == [
            (e.current_state.value, e.reason_code.value) for e in seen
        ]

    async def test_r_c2_a_falsy_non_string_token_is_invalid(self, emu: Emulator) -> None:
        alice = emu.client("alice")
        with pytest.raises(RtmError) as caught:
            await alice.login({"token": 0})
        assert (-10005, "login") == (caught.value.code, caught.value.operation)
