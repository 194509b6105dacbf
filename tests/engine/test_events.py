"""Presence events: who receives what, when, and in which order.

Rules R-E1 .. R-E9 of ``semantics.md`` (and the emulator decisions in ``docs/decisions.md``).
Every test compares the exact deliveries: ``(recipient, event.to_dict() + seq)`` in
delivery order, with timestamps from the fake clock.  Expected values come first.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from rtm_emulator import (
    Emulator,
    EmulatorConfig,
    LinkStateEvent,
    PresenceEvent,
    RTMClient,
    RTMConfig,
)

Event = dict[str, Any]
Delivery = tuple[str, Event]
User = str | tuple[str, dict[str, str]]

#: R-T2 with ``presence_timeout=5``: (heartbeat 5 + 10) s to notice, then 5 s.
TIMEOUT_MS = 20_000


# ------------------------------------------------------------------ expected events


def user_state(user: User) -> dict[str, Any]:
    """``{"userId", "states", "statesCount"}`` of ``"uid"`` or ``("uid", states)``."""
    uid, states = (user, {}) if isinstance(user, str) else user
    return {"userId": uid, "states": dict(states), "statesCount": len(states)}


def event(
    kind: str,
    publisher: str = "",
    *,
    ts: int,
    channel: str = "room",
    ctype: str = "MESSAGE",
    state: dict[str, str] | None = None,
    interval: dict[str, Any] | None = None,
    snapshot: list[dict[str, Any]] | None = None,
) -> Event:
    """The SDK JSON of one presence event (without ``seq``)."""
    return {
        "eventType": kind,
        "channelType": ctype,
        "channelName": channel,
        "publisher": publisher,
        "stateChanged": dict(state or {}),
        "interval": interval,
        "snapshot": snapshot,
        "timestamp": ts,
    }


def snap(ts: int, *users: User, channel: str = "room", ctype: str = "MESSAGE") -> Event:
    """A ``SNAPSHOT`` listing ``users`` (in the order given)."""
    snapshot = [user_state(u) for u in users]
    return event("SNAPSHOT", ts=ts, snapshot=snapshot, channel=channel, ctype=ctype)


def joined(publisher: str, ts: int, *, channel: str = "room", ctype: str = "MESSAGE") -> Event:
    return event("REMOTE_JOIN", publisher, ts=ts, channel=channel, ctype=ctype)


def left(publisher: str, ts: int, *, channel: str = "room", ctype: str = "MESSAGE") -> Event:
    return event("REMOTE_LEAVE", publisher, ts=ts, channel=channel, ctype=ctype)


def timed_out(publisher: str, ts: int, *, channel: str = "room", ctype: str = "MESSAGE") -> Event:
    return event("REMOTE_TIMEOUT", publisher, ts=ts, channel=channel, ctype=ctype)


def changed(
    publisher: str, state: dict[str, str], ts: int, *, channel: str = "room", ctype: str = "MESSAGE"
) -> Event:
    kind = "REMOTE_STATE_CHANGED"
    return event(kind, publisher, ts=ts, state=state, channel=channel, ctype=ctype)


def out_of_service(ts: int, *, channel: str = "room", ctype: str = "MESSAGE") -> Event:
    return event("ERROR_OUT_OF_SERVICE", ts=ts, channel=channel, ctype=ctype)


def interval(
    ts: int,
    *,
    total: int,
    join: Sequence[str] = (),
    leave: Sequence[str] = (),
    timeout: Sequence[str] = (),
    states: Sequence[User] = (),
    channel: str = "room",
    ctype: str = "MESSAGE",
) -> Event:
    """An ``INTERVAL`` event aggregating one period (R-E5)."""
    detail = {
        "join": {"users": list(join), "userCount": len(join)},
        "leave": {"users": list(leave), "userCount": len(leave)},
        "timeout": {"users": list(timeout), "userCount": len(timeout)},
        "userStateList": [user_state(u) for u in states],
        "totalOccupancy": total,
    }
    return event("INTERVAL", ts=ts, interval=detail, channel=channel, ctype=ctype)


def numbered(last_seq: int, deliveries: Sequence[Delivery]) -> list[Delivery]:
    """``deliveries`` with ``seq`` = ``last_seq + 1``, ``+ 2``, ... in order."""
    return [(uid, {**ev, "seq": last_seq + 1 + i}) for i, (uid, ev) in enumerate(deliveries)]


# ------------------------------------------------------------------ recording


def as_dict(e: PresenceEvent) -> Event:
    return {**e.to_dict(), "seq": e.seq}


class Journal:
    """Every presence event delivered to the watched clients, in global delivery order."""

    def __init__(self) -> None:
        self.log: list[Delivery] = []

    def watch(self, client: RTMClient) -> RTMClient:
        uid = client.user_id
        client.add_event_listener("presence", lambda e: self.log.append((uid, as_dict(e))))
        return client

    def take(self) -> list[Delivery]:
        """The deliveries so far, clearing the record."""
        out, self.log = self.log, []
        return out


async def enter(
    emu: Emulator,
    log: Journal,
    *uids: str,
    channel: str = "room",
    config: RTMConfig | None = None,
    with_presence: bool = True,
    be_quiet: bool = False,
) -> dict[str, RTMClient]:
    """Log in watched clients and subscribe each to ``channel`` in turn; clears ``log``."""
    clients = {}
    for uid in uids:
        client = log.watch(emu.client(uid, config=config))
        await client.login()
        await client.subscribe(channel, with_presence=with_presence, be_quiet=be_quiet)
        clients[uid] = client
    log.take()
    return clients


async def silent(emu: Emulator, log: Journal, *uids: str, channel: str = "room") -> None:
    """Visible users that do not listen (``withPresence=False``): occupancy filler."""
    await enter(emu, log, *uids, channel=channel, with_presence=False)


def make(**config: Any) -> Emulator:
    return Emulator(EmulatorConfig(**config), strict=True)


@pytest.fixture
def iemu() -> Iterator[Emulator]:
    """Interval mode above 8 visible users, one ``INTERVAL`` every 5 s (R-E5)."""
    emulator = make(announce_max=8, interval=5.0)
    yield emulator
    emulator.check_invariants()


FILLERS = tuple(f"f{i}" for i in range(1, 7))  # 6 silent users


async def crowd(emu: Emulator, log: Journal) -> dict[str, RTMClient]:
    """``amy`` and ``bob`` (listening) + f1..f6 (silent): occupancy 8 = announce_max."""
    clients = await enter(emu, log, "amy", "bob")
    await silent(emu, log, *FILLERS)
    return clients


# ------------------------------------------------------------------------ R-E1


class TestRE1SnapshotAndJoin:
    """R-E1: the entering listener gets one SNAPSHOT; the others get REMOTE_JOIN."""

    async def test_r_e1_snapshot_every_visible_user_with_state_others_remote_join(
        self, emu: Emulator
    ) -> None:
        log = Journal()
        c = await enter(emu, log, "carl", "amy")
        await enter(emu, log, "bob", be_quiet=True)
        await enter(emu, log, "dan", with_presence=False)
        await c["amy"].presence.set_state("room", "MESSAGE", {"a": "1"})
        await c["carl"].presence.set_state("room", "MESSAGE", {"c": "3", "d": "x"})
        bea = log.watch(emu.client("bea"))
        await bea.login()
        await bea.presence.set_state("room", "MESSAGE", {"seat": "3"})  # cached (R-S4)
        log.take()
        emu.advance(1.5)
        n, t = emu.last_seq, emu.now_ms
        await bea.subscribe("room")
        users = [("amy", {"a": "1"}), ("bea", {"seat": "3"}), ("carl", {"c": "3", "d": "x"})]
        expected = numbered(
            n,
            [
                ("amy", joined("bea", t)),
                ("amy", changed("bea", {"seat": "3"}, t)),
                ("bea", snap(t, *users, "dan")),
                ("bob", joined("bea", t)),
                ("bob", changed("bea", {"seat": "3"}, t)),
                ("carl", joined("bea", t)),
                ("carl", changed("bea", {"seat": "3"}, t)),
            ],
        )
        assert expected == log.take()

    async def test_r_e1_snapshot_ordered_by_user_id_code_points(self, emu: Emulator) -> None:
        log = Journal()
        await enter(emu, log, "zed", "b", "Amy", "10", "9", "a", "M")
        mo = log.watch(emu.client("mo"))
        await mo.login()
        n, t = emu.last_seq, emu.now_ms
        await mo.subscribe("room", be_quiet=True)
        assert numbered(n, [("mo", snap(t, "10", "9", "Amy", "M", "a", "b", "zed"))]) == log.take()

    async def test_r_e1_first_user_sees_only_itself(self, emu: Emulator) -> None:
        log = Journal()
        amy = log.watch(emu.client("amy"))
        await amy.login()
        emu.advance(3)
        n, t = emu.last_seq, emu.now_ms
        await amy.subscribe("room")
        assert numbered(n, [("amy", snap(t, "amy"))]) == log.take()

    async def test_r_e1_quiet_entrant_snapshot_excludes_itself_others_get_nothing(
        self, emu: Emulator
    ) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].presence.set_state("room", "MESSAGE", {"b": "2"})
        log.take()
        qq = log.watch(emu.client("qq"))
        await qq.login()
        n, t = emu.last_seq, emu.now_ms
        await qq.subscribe("room", be_quiet=True)
        assert numbered(n, [("qq", snap(t, "amy", ("bob", {"b": "2"})))]) == log.take()
        assert ["amy", "bob"] == emu.online_users("room", "MESSAGE")

    async def test_r_e1_non_listening_entrant_no_snapshot_others_remote_join(
        self, emu: Emulator
    ) -> None:
        log = Journal()
        await enter(emu, log, "amy")
        sil = log.watch(emu.client("sil"))
        await sil.login()
        n, t = emu.last_seq, emu.now_ms
        await sil.subscribe("room", with_presence=False)
        assert numbered(n, [("amy", joined("sil", t))]) == log.take()

    async def test_r_e1_stream_channel_is_its_own_channel(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")  # MESSAGE "room"
        await c["amy"].create_stream_channel("room").join()
        log.take()
        zed = log.watch(emu.client("zed"))
        await zed.login()
        emu.advance(0.25)
        n, t = emu.last_seq, emu.now_ms
        await zed.create_stream_channel("room").join()
        expected = numbered(
            n,
            [
                ("amy", joined("zed", t, ctype="STREAM")),
                ("zed", snap(t, "amy", "zed", ctype="STREAM")),
            ],
        )
        assert expected == log.take()

    async def test_r_e1_snapshot_sent_in_interval_mode(self, iemu: Emulator) -> None:
        log = Journal()
        await crowd(iemu, log)
        zed = log.watch(iemu.client("zed"))
        await zed.login()
        n, t = iemu.last_seq, iemu.now_ms
        await zed.subscribe("room")  # occupancy 9 > 8: the join is aggregated (R-E5)
        everyone = ["amy", "bob", *FILLERS, "zed"]
        assert numbered(n, [("zed", snap(t, *everyone))]) == log.take()
        iemu.advance(1)
        n, t = iemu.last_seq, iemu.now_ms
        await zed.subscribe("room")  # repeated entry: a fresh SNAPSHOT (R-L1)
        assert numbered(n, [("zed", snap(t, *everyone))]) == log.take()


# ------------------------------------------------------------------------ R-E2


class TestRE2RemoteLeave:
    """R-E2: REMOTE_LEAVE on unsubscribe, stream leave and logout, after the debounce."""

    async def test_r_e2_unsubscribe_remote_leave_after_two_seconds(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob", "carl")
        emu.advance(1)
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        assert [] == log.take()
        assert ["amy", "carl"] == emu.online_users("room", "MESSAGE")
        emu.advance(1.999)
        assert [] == log.take()
        n = emu.last_seq
        emu.advance(0.001)
        leave = left("bob", t + 2000)
        assert numbered(n, [("amy", leave), ("carl", leave)]) == log.take()
        emu.advance(60)
        assert [] == log.take()

    async def test_r_e2_stream_leave(self, emu: Emulator) -> None:
        log = Journal()
        streams = {}
        for uid in ("amy", "bob"):
            client = log.watch(emu.client(uid))
            await client.login()
            streams[uid] = client.create_stream_channel("stage")
            await streams[uid].join()
        log.take()
        t = emu.now_ms
        await streams["bob"].leave()
        emu.advance(1.5)
        assert [] == log.take()
        n = emu.last_seq
        emu.advance(0.5)
        expected = [("amy", left("bob", t + 2000, channel="stage", ctype="STREAM"))]
        assert numbered(n, expected) == log.take()

    async def test_r_e2_logout_once_per_channel_in_type_then_name_order(
        self, emu: Emulator
    ) -> None:
        log = Journal()
        amy, bob, cat = (log.watch(emu.client(u)) for u in ("amy", "bob", "cat"))
        for client in (amy, bob, cat):
            await client.login()
        await bob.create_stream_channel("aa").join()
        await bob.subscribe("zz")
        await bob.subscribe("aa")
        await amy.subscribe("zz")
        await amy.create_stream_channel("aa").join()
        await amy.subscribe("aa")
        await cat.subscribe("zz")
        log.take()
        emu.advance(4)
        t = emu.now_ms
        await bob.logout()
        assert [] == log.take()
        n = emu.last_seq
        emu.advance(2)
        expected = [
            ("amy", left("bob", t + 2000, channel="aa")),
            ("amy", left("bob", t + 2000, channel="zz")),
            ("cat", left("bob", t + 2000, channel="zz")),
            ("amy", left("bob", t + 2000, channel="aa", ctype="STREAM")),
        ]
        assert numbered(n, expected) == log.take()
        emu.advance(30)
        assert [] == log.take()

    async def test_r_e2_only_members_of_the_channel_are_told(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        await enter(emu, log, "out", channel="other")
        await c["bob"].subscribe("other")
        log.take()
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        n = emu.last_seq
        emu.advance(2)
        assert numbered(n, [("amy", left("bob", t + 2000))]) == log.take()


# ------------------------------------------------------------------------ R-E3


class TestRE3NoEchoFullState:
    """R-E3: nobody hears about itself; REMOTE_STATE_CHANGED carries the full state."""

    async def test_r_e3_state_changes_carry_full_state(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        p = c["bob"].presence
        n, t = emu.last_seq, emu.now_ms
        await p.set_state("room", "MESSAGE", {"a": "1"})
        emu.advance(0.1)
        await p.set_state("room", "MESSAGE", {"b": "2"})
        emu.advance(0.1)
        await p.set_state("room", "MESSAGE", {"a": "9"})
        emu.advance(0.1)
        await p.remove_state("room", "MESSAGE", states=["b"])
        emu.advance(0.1)
        await p.remove_state("room", "MESSAGE")
        expected = [
            ("amy", changed("bob", {"a": "1"}, t)),
            ("amy", changed("bob", {"a": "1", "b": "2"}, t + 100)),
            ("amy", changed("bob", {"a": "9", "b": "2"}, t + 200)),
            ("amy", changed("bob", {"a": "9"}, t + 300)),
            ("amy", changed("bob", {}, t + 400)),
        ]
        assert numbered(n, expected) == log.take()

    async def test_r_e3_user_never_hears_about_itself(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        bob = c["bob"]
        await bob.create_stream_channel("stage").join()
        await bob.presence.set_state("room", "MESSAGE", {"x": "1"})
        await bob.presence.set_state("stage", "STREAM", {"y": "2"})
        await bob.unsubscribe("room")
        emu.advance(3)
        await bob.subscribe("room")
        await bob.logout()
        emu.advance(3)
        assert [] == [ev for uid, ev in log.take() if uid == "bob" and ev["publisher"] == "bob"]

    async def test_r_e3_own_events_are_only_snapshots(self, emu: Emulator) -> None:
        log = Journal()
        await enter(emu, log, "amy")
        bob = log.watch(emu.client("bob"))
        await bob.login()
        n, t = emu.last_seq, emu.now_ms
        await bob.subscribe("room")
        await bob.presence.set_state("room", "MESSAGE", {"x": "1"})
        await bob.unsubscribe("room")
        emu.advance(2)
        expected = [
            ("amy", joined("bob", t)),
            ("bob", snap(t, "amy", "bob")),
            ("amy", changed("bob", {"x": "1"}, t)),
            ("amy", left("bob", t + 2000)),
        ]
        assert numbered(n, expected) == log.take()


# ------------------------------------------------------------------------ R-E4


class TestRE4QuietAndNonListening:
    """R-E4: a quiet user is invisible to the others but still hears them."""

    async def test_r_e4_quiet_enter_state_leave_produce_nothing(self, emu: Emulator) -> None:
        log = Journal()
        await enter(emu, log, "amy", "bob")
        qq = log.watch(emu.client("qq"))
        await qq.login()
        n, t = emu.last_seq, emu.now_ms
        await qq.subscribe("room", be_quiet=True)
        await qq.presence.set_state("room", "MESSAGE", {"q": "1"})
        await qq.presence.remove_state("room", "MESSAGE")
        await qq.unsubscribe("room")
        emu.advance(10)
        assert numbered(n, [("qq", snap(t, "amy", "bob"))]) == log.take()

    async def test_r_e4_quiet_stream_member_produces_nothing(self, emu: Emulator) -> None:
        log = Journal()
        amy = log.watch(emu.client("amy"))
        qq = log.watch(emu.client("qq"))
        await amy.login()
        await qq.login()
        await amy.create_stream_channel("stage").join()
        log.take()
        n, t = emu.last_seq, emu.now_ms
        stage = qq.create_stream_channel("stage")
        await stage.join(be_quiet=True)
        await qq.presence.set_state("stage", "STREAM", {"q": "1"})
        await stage.leave()
        await qq.logout()
        emu.advance(5)
        assert numbered(n, [("qq", snap(t, "amy", channel="stage", ctype="STREAM"))]) == (
            log.take()
        )

    async def test_r_e4_quiet_user_still_receives_events(self, emu: Emulator) -> None:
        log = Journal()
        await enter(emu, log, "qq", be_quiet=True)
        bob = log.watch(emu.client("bob"))
        await bob.login()
        n, t = emu.last_seq, emu.now_ms
        await bob.subscribe("room")
        await bob.presence.set_state("room", "MESSAGE", {"b": "1"})
        await bob.unsubscribe("room")
        emu.advance(2)
        expected = [
            ("bob", snap(t, "bob")),
            ("qq", joined("bob", t)),
            ("qq", changed("bob", {"b": "1"}, t)),
            ("qq", left("bob", t + 2000)),
        ]
        assert numbered(n, expected) == log.take()

    async def test_r_e4_non_listening_user_receives_nothing_but_is_visible(
        self, emu: Emulator
    ) -> None:
        log = Journal()
        await enter(emu, log, "amy")
        sil = log.watch(emu.client("sil"))
        await sil.login()
        n, t = emu.last_seq, emu.now_ms
        await sil.subscribe("room", with_presence=False)
        await sil.presence.set_state("room", "MESSAGE", {"s": "1"})
        bob = log.watch(emu.client("bob"))
        await bob.login()
        await bob.subscribe("room")
        await bob.presence.set_state("room", "MESSAGE", {"b": "2"})
        await bob.unsubscribe("room")
        emu.advance(2)
        expected = [
            ("amy", joined("sil", t)),
            ("amy", changed("sil", {"s": "1"}, t)),
            ("amy", joined("bob", t)),
            ("bob", snap(t, "amy", "bob", ("sil", {"s": "1"}))),
            ("amy", changed("bob", {"b": "2"}, t)),
            ("amy", left("bob", t + 2000)),
        ]
        assert numbered(n, expected) == log.take()
        assert ["amy", "sil"] == emu.online_users("room", "MESSAGE")
        who = await sil.presence.get_online_users("room", "MESSAGE", include_state=True)
        assert [("amy", {}), ("sil", {"s": "1"})] == [
            (o.user_id, dict(o.states)) for o in who.occupants
        ]
        assert [] == log.take()


# ------------------------------------------------------------------------ R-E5


class TestRE5IntervalMode:
    """R-E5: above ``announce_max`` the channel aggregates changes into INTERVAL events."""

    async def test_r_e5_crossing_join_aggregated_first_boundary_interval_later(
        self, iemu: Emulator
    ) -> None:
        log = Journal()
        amy = (await enter(iemu, log, "amy"))["amy"]
        await enter(iemu, log, "qq", be_quiet=True)  # listening, not counted
        await silent(iemu, log, *FILLERS)
        iemu.advance(1)
        bob = log.watch(iemu.client("bob"))
        await bob.login()
        n, t = iemu.last_seq, iemu.now_ms
        await bob.subscribe("room")  # occupancy 8 = announce_max: still announced
        expected = [
            ("amy", joined("bob", t)),
            ("bob", snap(t, "amy", "bob", *FILLERS)),
            ("qq", joined("bob", t)),
        ]
        assert numbered(n, expected) == log.take()
        pat = log.watch(iemu.client("pat"))
        await pat.login()
        log.take()
        iemu.advance(1)
        switch = iemu.now_ms
        n = iemu.last_seq
        await pat.subscribe("room")  # occupancy 9 > 8: aggregated, not announced
        everyone = ["amy", "bob", *FILLERS, "pat"]
        assert numbered(n, [("pat", snap(switch, *everyone))]) == log.take()
        await amy.presence.set_state("room", "MESSAGE", {"a": "1"})
        iemu.advance(4.999)
        assert [] == log.take()
        n = iemu.last_seq
        iemu.advance(0.001)
        boundary = interval(switch + 5000, total=9, join=["pat"], states=[("amy", {"a": "1"})])
        expected = [("amy", boundary), ("bob", boundary), ("pat", boundary), ("qq", boundary)]
        assert numbered(n, expected) == log.take()

    async def test_r_e5_announce_max_itself_is_announced(self, iemu: Emulator) -> None:
        log = Journal()
        await enter(iemu, log, "amy")
        await silent(iemu, log, *FILLERS)
        bob = log.watch(iemu.client("bob"))
        await bob.login()
        n, t = iemu.last_seq, iemu.now_ms
        await bob.subscribe("room")  # occupancy 8
        everyone = ["amy", "bob", *FILLERS]
        assert numbered(n, [("amy", joined("bob", t)), ("bob", snap(t, *everyone))]) == (log.take())
        assert [] == iemu.pending_timers()

    async def test_r_e5_period_lists_sorted_states_latest_and_present_at_end(
        self, iemu: Emulator
    ) -> None:
        log = Journal()
        c = await crowd(iemu, log)
        f1 = log.watch(iemu.client("f1x"))
        await f1.login()
        await f1.subscribe("room", with_presence=False)  # occupancy 9 at T0: the switch
        start = iemu.now_ms
        others = {}
        for uid in ("pat", "lee", "kim"):
            others[uid] = log.watch(iemu.client(uid))
            await others[uid].login()
        iemu.advance(1)  # start + 1000
        await others["pat"].subscribe("room", with_presence=False)
        await others["lee"].subscribe("room", with_presence=False)
        await c["amy"].presence.set_state("room", "MESSAGE", {"a": "1"})
        await f1.presence.set_state("room", "MESSAGE", {"x": "1"})
        iemu.advance(0.5)  # start + 1500
        await others["lee"].unsubscribe("room")  # window closes at +3500: same period
        await c["amy"].presence.set_state("room", "MESSAGE", {"b": "2"})
        iemu.advance(0.5)  # start + 2000
        await f1.unsubscribe("room")  # state changed but not present at the end
        await others["kim"].subscribe("room", with_presence=False)
        await others["kim"].presence.set_state("room", "MESSAGE", {"k": "v"})
        await c["bob"].presence.set_state("room", "MESSAGE", {"b": "1"})
        await c["bob"].presence.remove_state("room", "MESSAGE")
        assert [] == log.take()
        iemu.advance(2.999)
        assert [] == log.take()
        n = iemu.last_seq
        iemu.advance(0.001)  # start + 5000
        boundary = interval(
            start + 5000,
            total=10,  # amy, bob, f1..f6, kim, pat
            join=["f1x", "kim", "lee", "pat"],
            leave=["f1x", "lee"],
            states=[("amy", {"a": "1", "b": "2"}), "bob", ("kim", {"k": "v"})],
        )
        assert numbered(n, [("amy", boundary), ("bob", boundary)]) == log.take()

    async def test_r_e5_empty_period_sends_nothing_aggregation_over_several_periods(
        self, iemu: Emulator
    ) -> None:
        log = Journal()
        c = await crowd(iemu, log)
        await silent(iemu, log, "pat")  # the switch
        start = iemu.now_ms
        n = iemu.last_seq
        iemu.advance(5)
        first = interval(start + 5000, total=9, join=["pat"])
        assert numbered(n, [("amy", first), ("bob", first)]) == log.take()
        iemu.advance(5)  # start + 10000: nothing happened, no event
        assert [] == log.take()
        iemu.advance(2)  # start + 12000
        await c["bob"].presence.set_state("room", "MESSAGE", {"s": "1"})
        await silent(iemu, log, "sam")
        iemu.advance(2)  # start + 14000
        await c["bob"].presence.set_state("room", "MESSAGE", {"t": "2"})
        n = iemu.last_seq
        iemu.advance(1)  # start + 15000
        third = interval(
            start + 15000, total=10, join=["sam"], states=[("bob", {"s": "1", "t": "2"})]
        )
        assert numbered(n, [("amy", third), ("bob", third)]) == log.take()
        iemu.advance(3)  # start + 18000
        await silent(iemu, log, "ann")
        n = iemu.last_seq
        iemu.advance(2)  # start + 20000
        fourth = interval(start + 20000, total=11, join=["ann"])
        assert numbered(n, [("amy", fourth), ("bob", fourth)]) == log.take()
        iemu.advance(60)
        assert [] == log.take()

    async def test_r_e5_back_to_announce_mode_at_first_boundary_at_or_below_max(
        self, iemu: Emulator
    ) -> None:
        log = Journal()
        c = await crowd(iemu, log)
        pat = log.watch(iemu.client("pat"))
        await pat.login()
        await pat.subscribe("room", with_presence=False)  # the switch
        start = iemu.now_ms
        iemu.advance(1)
        await pat.unsubscribe("room")  # occupancy 8, still interval mode until the boundary
        iemu.advance(1)
        await c["bob"].presence.set_state("room", "MESSAGE", {"s": "1"})
        assert [] == log.take()
        n = iemu.last_seq
        iemu.advance(3)  # start + 5000
        first = interval(
            start + 5000, total=8, join=["pat"], leave=["pat"], states=[("bob", {"s": "1"})]
        )
        assert numbered(n, [("amy", first), ("bob", first)]) == log.take()
        assert [] == iemu.pending_timers()
        iemu.advance(1)  # start + 6000: announce mode again
        n, t = iemu.last_seq, iemu.now_ms
        await c["bob"].presence.set_state("room", "MESSAGE", {"s": "2"})
        assert numbered(n, [("amy", changed("bob", {"s": "2"}, t))]) == log.take()
        await pat.subscribe("room", with_presence=False)  # over again: aggregated
        await c["bob"].presence.remove_state("room", "MESSAGE")
        assert [] == log.take()
        n = iemu.last_seq
        iemu.advance(5)  # start + 11000
        again = interval(t + 5000, total=9, join=["pat"], states=["bob"])
        assert numbered(n, [("amy", again), ("bob", again)]) == log.take()

    async def test_r_e5_dip_to_max_inside_a_period_does_not_leave_interval_mode(
        self, iemu: Emulator
    ) -> None:
        log = Journal()
        c = await crowd(iemu, log)
        await silent(iemu, log, "pat", "sam")  # 9 then 10: the switch at "pat"
        start = iemu.now_ms
        n = iemu.last_seq
        iemu.advance(5)
        first = interval(start + 5000, total=10, join=["pat", "sam"])
        assert numbered(n, [("amy", first), ("bob", first)]) == log.take()
        await c["amy"].unsubscribe("room")  # occupancy 9
        iemu.advance(1)
        await c["amy"].subscribe("room")  # within the debounce: silent
        await c["bob"].presence.set_state("room", "MESSAGE", {"b": "1"})
        assert [("amy", snap(iemu.now_ms, "amy", "bob", *FILLERS, "pat", "sam"))] == [
            (uid, {k: v for k, v in ev.items() if k != "seq"}) for uid, ev in log.take()
        ]
        n = iemu.last_seq
        iemu.advance(4)
        second = interval(start + 10000, total=10, states=[("bob", {"b": "1"})])
        assert numbered(n, [("amy", second), ("bob", second)]) == log.take()

    async def test_r_e5_debounced_leave_lands_in_period_its_window_closes(
        self, iemu: Emulator
    ) -> None:
        log = Journal()
        await crowd(iemu, log)
        await silent(iemu, log, "pat")  # the switch
        start = iemu.now_ms
        kim = log.watch(iemu.client("kim"))
        await kim.login()
        await kim.subscribe("room", with_presence=False)
        iemu.advance(4)
        await kim.unsubscribe("room")  # window closes at start + 6000
        n = iemu.last_seq
        iemu.advance(1)
        first = interval(start + 5000, total=9, join=["kim", "pat"])
        assert numbered(n, [("amy", first), ("bob", first)]) == log.take()
        n = iemu.last_seq
        iemu.advance(5)
        second = interval(start + 10000, total=9, leave=["kim"])
        assert numbered(n, [("amy", second), ("bob", second)]) == log.take()

    async def test_r_e5_leave_due_at_a_boundary_fires_after_it(self, iemu: Emulator) -> None:
        """R-E7: the boundary timer was scheduled first, so the leave is in the next period."""
        log = Journal()
        await crowd(iemu, log)
        await silent(iemu, log, "pat")  # the switch: boundary timer scheduled now
        start = iemu.now_ms
        kim = log.watch(iemu.client("kim"))
        await kim.login()
        await kim.subscribe("room", with_presence=False)
        iemu.advance(3)
        await kim.unsubscribe("room")  # window closes at start + 5000, on the boundary
        n = iemu.last_seq
        iemu.advance(2)
        first = interval(start + 5000, total=9, join=["kim", "pat"])
        assert numbered(n, [("amy", first), ("bob", first)]) == log.take()
        n = iemu.last_seq
        iemu.advance(5)
        second = interval(start + 10000, total=9, leave=["kim"])
        assert numbered(n, [("amy", second), ("bob", second)]) == log.take()

    async def test_r_e5_timeout_lands_in_timeout_list(self, iemu: Emulator) -> None:
        log = Journal()
        await crowd(iemu, log)
        await silent(iemu, log, "pat")  # the switch
        start = iemu.now_ms
        tim = log.watch(iemu.client("tim", config=RTMConfig(presence_timeout=5)))
        await tim.login()
        await tim.subscribe("room", with_presence=False)
        iemu.advance(1)
        iemu.disconnect("tim")  # timed out at start + 21000
        n = iemu.last_seq
        iemu.advance(4)
        first = interval(start + 5000, total=10, join=["pat", "tim"])
        assert numbered(n, [("amy", first), ("bob", first)]) == log.take()
        iemu.advance(15)  # start + 20000: empty periods
        assert [] == log.take()
        iemu.advance(1)  # start + 21000
        assert "tim" not in iemu.online_users("room", "MESSAGE")
        assert [] == log.take()
        n = iemu.last_seq
        iemu.advance(4)
        last = interval(start + 25000, total=9, timeout=["tim"])
        assert numbered(n, [("amy", last), ("bob", last)]) == log.take()

    async def test_r_e5_interval_goes_to_every_listening_connected_member(
        self, iemu: Emulator
    ) -> None:
        log = Journal()
        await crowd(iemu, log)
        await enter(iemu, log, "qq", be_quiet=True)
        iemu.disconnect("bob")
        await silent(iemu, log, "pat")  # the switch
        start = iemu.now_ms
        n = iemu.last_seq
        iemu.advance(5)
        boundary = interval(start + 5000, total=9, join=["pat"])
        assert numbered(n, [("amy", boundary), ("qq", boundary)]) == log.take()

    async def test_r_e5_stream_channel_interval(self, iemu: Emulator) -> None:
        log = Journal()
        amy = log.watch(iemu.client("amy"))
        await amy.login()
        await amy.create_stream_channel("stage").join()
        for uid in (*FILLERS, "g7", "g8"):  # the 9th visible user crosses
            client = log.watch(iemu.client(uid))
            await client.login()
            await client.create_stream_channel("stage").join(with_presence=False)
        log.take()
        start = iemu.now_ms
        n = iemu.last_seq
        iemu.advance(5)
        boundary = interval(start + 5000, total=9, join=["g8"], channel="stage", ctype="STREAM")
        assert numbered(n, [("amy", boundary)]) == log.take()

    async def test_r_e5_debounced_reentry_inside_a_period_is_in_no_list(
        self, iemu: Emulator
    ) -> None:
        log = Journal()
        c = await crowd(iemu, log)
        await silent(iemu, log, "pat")  # the switch
        start = iemu.now_ms
        iemu.advance(1)
        await c["bob"].unsubscribe("room")
        iemu.advance(1)
        n, t = iemu.last_seq, iemu.now_ms
        await c["bob"].subscribe("room")
        assert numbered(n, [("bob", snap(t, "amy", "bob", *FILLERS, "pat"))]) == log.take()
        n = iemu.last_seq
        iemu.advance(3)
        boundary = interval(start + 5000, total=9, join=["pat"])
        assert numbered(n, [("amy", boundary), ("bob", boundary)]) == log.take()
        iemu.advance(30)
        assert [] == log.take()

    async def test_r_e5_leave_whose_window_closes_in_announce_mode_is_remote_leave(
        self, iemu: Emulator
    ) -> None:
        log = Journal()
        await crowd(iemu, log)
        pat = log.watch(iemu.client("pat"))
        await pat.login()
        await pat.subscribe("room", with_presence=False)  # the switch
        start = iemu.now_ms
        iemu.advance(4)
        await pat.unsubscribe("room")  # occupancy 8; the window closes at start + 6000
        n = iemu.last_seq
        iemu.advance(1)  # start + 5000: back to announce mode
        first = interval(start + 5000, total=8, join=["pat"])
        assert numbered(n, [("amy", first), ("bob", first)]) == log.take()
        n = iemu.last_seq
        iemu.advance(1)
        leave = left("pat", start + 6000)
        assert numbered(n, [("amy", leave), ("bob", leave)]) == log.take()

    async def test_r_e5_silent_debounced_reentry_that_exceeds_max_starts_interval_mode(
        self, iemu: Emulator
    ) -> None:
        """The switch happens when occupancy exceeds ``announce_max``, whatever caused it."""
        log = Journal()
        c = await crowd(iemu, log)
        t = iemu.now_ms
        await c["bob"].unsubscribe("room")  # occupancy 7, REMOTE_LEAVE pending
        iemu.advance(0.5)
        pat = log.watch(iemu.client("pat"))
        await pat.login()
        n = iemu.last_seq
        await pat.subscribe("room", with_presence=False)  # occupancy 8: announced
        assert numbered(n, [("amy", joined("pat", t + 500))]) == log.take()
        iemu.advance(0.5)
        await c["bob"].subscribe("room")  # occupancy 9 at t + 1000: the switch, silently
        log.take()
        iemu.advance(1)
        await c["amy"].presence.set_state("room", "MESSAGE", {"a": "1"})
        assert [] == log.take()
        n = iemu.last_seq
        iemu.advance(4)  # t + 6000: the first boundary, `interval` after the switch
        boundary = interval(t + 6000, total=9, states=[("amy", {"a": "1"})])
        assert numbered(n, [("amy", boundary), ("bob", boundary)]) == log.take()

    async def test_r_e5_no_interval_event_while_presence_is_down(self, iemu: Emulator) -> None:
        """R-E8: no presence event flows on the channel, INTERVAL included."""
        log = Journal()
        c = await crowd(iemu, log)
        await silent(iemu, log, "pat")  # the switch; its join is aggregated
        iemu.advance(1)
        iemu.set_presence_available("room", "MESSAGE", False)
        await c["bob"].presence.set_state("room", "MESSAGE", {"b": "1"})
        iemu.advance(30)
        assert [] == log.take()


# ------------------------------------------------------------------------ R-E6


class TestRE6Debounce:
    """R-E6: a leave is announced ``debounce`` s later, unless the user comes back."""

    async def test_r_e6_reentry_at_1_99_s_no_leave_no_join(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].unsubscribe("room")
        emu.advance(1.99)
        n, t = emu.last_seq, emu.now_ms
        await c["bob"].subscribe("room")
        assert numbered(n, [("bob", snap(t, "amy", "bob"))]) == log.take()
        assert [] == emu.pending_timers()
        emu.advance(30)
        assert [] == log.take()

    async def test_r_e6_reentry_at_2_01_s_leave_at_2_then_join(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        n = emu.last_seq
        emu.advance(2.01)
        await c["bob"].subscribe("room")
        expected = [
            ("amy", left("bob", t + 2000)),
            ("amy", joined("bob", t + 2010)),
            ("bob", snap(t + 2010, "amy", "bob")),
        ]
        assert numbered(n, expected) == log.take()

    async def test_r_e6_leave_delivered_at_exactly_debounce(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        emu.advance(1.999)
        assert [] == log.take()
        n = emu.last_seq
        emu.advance(0.001)
        assert numbered(n, [("amy", left("bob", t + 2000))]) == log.take()
        n = emu.last_seq
        await c["bob"].subscribe("room")  # the window has closed: an ordinary join
        expected = [("amy", joined("bob", t + 2000)), ("bob", snap(t + 2000, "amy", "bob"))]
        assert numbered(n, expected) == log.take()

    async def test_r_e6_leave_is_immediate_for_lists_and_state(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].presence.set_state("room", "MESSAGE", {"a": "1"})
        await c["bob"].unsubscribe("room")
        assert ["amy"] == emu.online_users("room", "MESSAGE")
        assert {} == emu.state_of("bob", "room", "MESSAGE")
        assert [] == emu.user_channels("bob")

    async def test_r_e6_reentry_with_other_state_one_state_changed(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].presence.set_state("room", "MESSAGE", {"a": "1"})
        log.take()
        await c["bob"].unsubscribe("room")
        emu.advance(1)
        n, t = emu.last_seq, emu.now_ms
        await c["bob"].subscribe("room")  # state was deleted on leave: now {}
        expected = [("amy", changed("bob", {}, t)), ("bob", snap(t, "amy", "bob"))]
        assert numbered(n, expected) == log.take()
        emu.advance(10)
        assert [] == log.take()

    async def test_r_e6_reentry_with_same_cached_state_nothing(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].presence.set_state("room", "MESSAGE", {"a": "1"})
        log.take()
        await c["bob"].unsubscribe("room")
        emu.advance(0.5)
        await c["bob"].presence.set_state("room", "MESSAGE", {"a": "1"})  # cached (R-S4)
        emu.advance(0.5)
        n, t = emu.last_seq, emu.now_ms
        await c["bob"].subscribe("room")
        assert numbered(n, [("bob", snap(t, "amy", ("bob", {"a": "1"})))]) == log.take()
        emu.advance(10)
        assert [] == log.take()

    async def test_r_e6_reentry_with_changed_cached_state(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].presence.set_state("room", "MESSAGE", {"a": "1"})
        log.take()
        await c["bob"].unsubscribe("room")
        await c["bob"].presence.set_state("room", "MESSAGE", {"a": "2"})
        emu.advance(1)
        n, t = emu.last_seq, emu.now_ms
        await c["bob"].subscribe("room")
        expected = [
            ("amy", changed("bob", {"a": "2"}, t)),
            ("bob", snap(t, "amy", ("bob", {"a": "2"}))),
        ]
        assert numbered(n, expected) == log.take()

    async def test_r_e6_quiet_reentry_does_not_cancel_pending_leave(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        emu.advance(1)
        n = emu.last_seq
        await c["bob"].subscribe("room", be_quiet=True)
        assert numbered(n, [("bob", snap(t + 1000, "amy"))]) == log.take()
        n = emu.last_seq
        emu.advance(1)
        assert numbered(n, [("amy", left("bob", t + 2000))]) == log.take()
        emu.advance(10)
        assert [] == log.take()

    async def test_r_e6_other_channel_type_does_not_cancel(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        await c["amy"].create_stream_channel("room").join()
        log.take()
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        emu.advance(1)
        n = emu.last_seq
        await c["bob"].create_stream_channel("room").join()
        emu.advance(1)
        expected = [
            ("amy", joined("bob", t + 1000, ctype="STREAM")),
            ("bob", snap(t + 1000, "amy", "bob", ctype="STREAM")),
            ("amy", left("bob", t + 2000)),
        ]
        assert numbered(n, expected) == log.take()

    async def test_r_e6_debounce_zero_is_immediate(self) -> None:
        emu = make(debounce=0)
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        n, t = emu.last_seq, emu.now_ms
        await c["bob"].unsubscribe("room")
        assert numbered(n, [("amy", left("bob", t))]) == log.take()
        assert [] == emu.pending_timers()
        n = emu.last_seq
        await c["bob"].subscribe("room")
        expected = [("amy", joined("bob", t)), ("bob", snap(t, "amy", "bob"))]
        assert numbered(n, expected) == log.take()
        emu.check_invariants()

    async def test_r_e6_pending_timers_show_the_pending_leave(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        timers = emu.pending_timers()
        assert [t + 2000] == [due for due, _ in timers]
        assert "REMOTE_LEAVE" in timers[0][1] and "'bob'" in timers[0][1], timers
        emu.advance(1)
        await c["bob"].subscribe("room")
        assert [] == emu.pending_timers()

    async def test_r_e6_logout_is_debounced(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].presence.set_state("room", "MESSAGE", {"a": "1"})
        log.take()
        await c["bob"].logout()
        emu.advance(1)
        await c["bob"].login()
        n, t = emu.last_seq, emu.now_ms
        await c["bob"].subscribe("room")  # state and cache were dropped by logout
        expected = [("amy", changed("bob", {}, t)), ("bob", snap(t, "amy", "bob"))]
        assert numbered(n, expected) == log.take()
        emu.advance(5)
        assert [] == log.take()

    async def test_r_e6_kick_is_debounced(self, emu: Emulator) -> None:
        log = Journal()
        await enter(emu, log, "amy", "bob")
        t = emu.now_ms
        bob2 = log.watch(emu.client("bob"))
        await bob2.login()  # same user id: the first client is kicked (R-T4)
        assert [] == log.take()
        assert ["amy"] == emu.online_users("room", "MESSAGE")
        n = emu.last_seq
        emu.advance(2)
        assert numbered(n, [("amy", left("bob", t + 2000))]) == log.take()

    async def test_r_e6_kick_then_reentry_within_window_is_silent(self, emu: Emulator) -> None:
        log = Journal()
        await enter(emu, log, "amy", "bob")
        bob2 = log.watch(emu.client("bob"))
        await bob2.login()
        emu.advance(1)
        n, t = emu.last_seq, emu.now_ms
        await bob2.subscribe("room")
        assert numbered(n, [("bob", snap(t, "amy", "bob"))]) == log.take()
        emu.advance(10)
        assert [] == log.take()

    async def test_r_e6_timeout_is_not_debounced(self, emu: Emulator) -> None:
        log = Journal()
        await enter(emu, log, "amy")
        await enter(emu, log, "bob", config=RTMConfig(presence_timeout=5))
        t = emu.now_ms
        emu.disconnect("bob")
        emu.advance(19.999)
        assert [] == log.take()
        n = emu.last_seq
        emu.advance(0.001)
        assert numbered(n, [("amy", timed_out("bob", t + TIMEOUT_MS))]) == log.take()
        assert [] == [label for _, label in emu.pending_timers() if "REMOTE_" in label]
        emu.advance(1)
        n, t2 = emu.last_seq, emu.now_ms
        emu.reconnect("bob")  # late reconnect: an ordinary join, nothing absorbs it
        expected = [("amy", joined("bob", t2)), ("bob", snap(t2, "amy", "bob"))]
        assert numbered(n, expected) == log.take()


# ------------------------------------------------------------------------ R-E7


class TestRE7Order:
    """R-E7: global seq; per-recipient grouping in user-id order; channel and timer order."""

    async def test_r_e7_recipients_in_user_id_order_entrant_last(self, emu: Emulator) -> None:
        log = Journal()
        await enter(emu, log, "bob", "amy")
        zed = log.watch(emu.client("zed"))
        await zed.login()
        n, t = emu.last_seq, emu.now_ms
        await zed.subscribe("room")
        expected = [
            ("amy", joined("zed", t)),
            ("bob", joined("zed", t)),
            ("zed", snap(t, "amy", "bob", "zed")),
        ]
        assert numbered(n, expected) == log.take()

    async def test_r_e7_recipients_in_user_id_order_entrant_first(self, emu: Emulator) -> None:
        log = Journal()
        await enter(emu, log, "bob", "amy")
        aaa = log.watch(emu.client("aaa"))
        await aaa.login()
        n, t = emu.last_seq, emu.now_ms
        await aaa.subscribe("room")
        expected = [
            ("aaa", snap(t, "aaa", "amy", "bob")),
            ("amy", joined("aaa", t)),
            ("bob", joined("aaa", t)),
        ]
        assert numbered(n, expected) == log.take()

    async def test_r_e7_one_operation_grouped_per_recipient(self) -> None:
        emu = make(debounce=0)
        log = Journal()
        zed, amy, bob = (log.watch(emu.client(u)) for u in ("zed", "amy", "bob"))
        for client in (zed, amy, bob):
            await client.login()
        await bob.create_stream_channel("a").join()
        await bob.subscribe("b")
        await bob.subscribe("a")
        await zed.subscribe("a")
        await zed.subscribe("b")
        await amy.subscribe("b")
        await amy.create_stream_channel("a").join()
        log.take()
        n, t = emu.last_seq, emu.now_ms
        await bob.logout()  # handles (MESSAGE a), (MESSAGE b), (STREAM a)
        expected = [
            ("amy", left("bob", t, channel="b")),
            ("amy", left("bob", t, channel="a", ctype="STREAM")),
            ("zed", left("bob", t, channel="a")),
            ("zed", left("bob", t, channel="b")),
        ]
        assert numbered(n, expected) == log.take()
        emu.check_invariants()

    async def test_r_e7_timeout_handles_channels_in_type_then_name_order(
        self, emu: Emulator
    ) -> None:
        log = Journal()
        amy = log.watch(emu.client("amy"))
        bob = log.watch(emu.client("bob", config=RTMConfig(presence_timeout=5)))
        for client in (amy, bob):
            await client.login()
        await bob.create_stream_channel("a").join()
        await bob.subscribe("z")
        await bob.subscribe("b")
        for name in ("b", "z"):
            await amy.subscribe(name)
        await amy.create_stream_channel("a").join()
        log.take()
        t = emu.now_ms
        emu.disconnect("bob")
        n = emu.last_seq
        emu.advance(TIMEOUT_MS / 1000)
        expected = [
            ("amy", timed_out("bob", t + TIMEOUT_MS, channel="b")),
            ("amy", timed_out("bob", t + TIMEOUT_MS, channel="z")),
            ("amy", timed_out("bob", t + TIMEOUT_MS, channel="a", ctype="STREAM")),
        ]
        assert numbered(n, expected) == log.take()

    async def test_r_e7_user_id_order_is_code_point_order(self, emu: Emulator) -> None:
        log = Journal()
        await enter(emu, log, "amy", "Zoe", "_x", "9")
        bob = log.watch(emu.client("bob"))
        await bob.login()
        n, t = emu.last_seq, emu.now_ms
        await bob.subscribe("room")
        expected = [
            ("9", joined("bob", t)),
            ("Zoe", joined("bob", t)),
            ("_x", joined("bob", t)),
            ("amy", joined("bob", t)),
            ("bob", snap(t, "9", "Zoe", "_x", "amy", "bob")),
        ]
        assert numbered(n, expected) == log.take()

    async def test_r_e7_late_reconnect_reenters_in_type_then_name_order(
        self, emu: Emulator
    ) -> None:
        log = Journal()
        amy = log.watch(emu.client("amy"))
        bob = log.watch(emu.client("bob", config=RTMConfig(presence_timeout=5)))
        for client in (amy, bob):
            await client.login()
        await bob.create_stream_channel("a").join()
        await bob.subscribe("z")
        await bob.subscribe("b")
        await bob.presence.set_state("z", "MESSAGE", {"z": "1"})
        for name in ("z", "b"):
            await amy.subscribe(name)
        await amy.create_stream_channel("a").join()
        emu.disconnect("bob")
        emu.advance(TIMEOUT_MS / 1000 + 1)
        log.take()
        n, t = emu.last_seq, emu.now_ms
        emu.reconnect("bob")
        stream = {"channel": "a", "ctype": "STREAM"}
        expected = [
            ("amy", joined("bob", t, channel="b")),
            ("amy", joined("bob", t, channel="z")),
            ("amy", changed("bob", {"z": "1"}, t, channel="z")),
            ("amy", joined("bob", t, **stream)),
            ("bob", snap(t, "amy", "bob", channel="b")),
            ("bob", snap(t, "amy", ("bob", {"z": "1"}), channel="z")),
            ("bob", snap(t, "amy", "bob", **stream)),
        ]
        assert numbered(n, expected) == log.take()

    async def test_r_e7_kick_handles_channels_in_type_then_name_order(self) -> None:
        emu = make(debounce=0)
        log = Journal()
        amy = log.watch(emu.client("amy"))
        bob = log.watch(emu.client("bob"))
        for client in (amy, bob):
            await client.login()
        await bob.create_stream_channel("a").join()
        await bob.subscribe("z")
        await bob.subscribe("b")
        for name in ("z", "b"):
            await amy.subscribe(name)
        await amy.create_stream_channel("a").join()
        log.take()
        n, t = emu.last_seq, emu.now_ms
        await log.watch(emu.client("bob")).login()
        expected = [
            ("amy", left("bob", t, channel="b")),
            ("amy", left("bob", t, channel="z")),
            ("amy", left("bob", t, channel="a", ctype="STREAM")),
        ]
        assert numbered(n, expected) == log.take()
        emu.check_invariants()

    async def test_r_e6_second_leave_restarts_the_window(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        t = emu.now_ms
        await c["bob"].unsubscribe("room")
        emu.advance(1)
        await c["bob"].subscribe("room")
        emu.advance(0.5)
        await c["bob"].unsubscribe("room")  # announced at t + 3500, not t + 2000
        log.take()
        emu.advance(1.999)
        assert [] == log.take()
        n = emu.last_seq
        emu.advance(0.001)
        assert numbered(n, [("amy", left("bob", t + 3500))]) == log.take()

    async def test_r_e7_same_instant_timers_fire_in_scheduling_order(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob", "carol")
        await c["carol"].subscribe("other")
        await c["amy"].subscribe("other")
        log.take()
        t = emu.now_ms
        await c["carol"].unsubscribe("room")
        await c["bob"].unsubscribe("room")
        await c["carol"].unsubscribe("other")
        n = emu.last_seq
        emu.advance(2)
        expected = [
            ("amy", left("carol", t + 2000)),
            ("amy", left("bob", t + 2000)),
            ("amy", left("carol", t + 2000, channel="other")),
        ]
        assert numbered(n, expected) == log.take()

    async def test_r_e7_global_seq_strictly_increasing_across_recipients(
        self, emu: Emulator
    ) -> None:
        log = Journal()
        c = await enter(emu, log, "dan", "amy", "cat", "bob")
        first = emu.last_seq
        await c["bob"].create_stream_channel("stage").join()
        await c["cat"].create_stream_channel("stage").join()
        await c["amy"].presence.set_state("room", "MESSAGE", {"a": "1"})
        await c["dan"].unsubscribe("room")
        await c["cat"].logout()
        emu.advance(1)
        await c["dan"].subscribe("room")
        emu.advance(3)
        await c["bob"].presence.set_state("stage", "STREAM", {"b": "1"})
        seqs = [ev["seq"] for _, ev in log.log]
        assert list(range(first + 1, first + 1 + len(seqs))) == seqs
        assert emu.last_seq == seqs[-1]
        assert len(seqs) >= 10


# ------------------------------------------------------------------------ R-E8


class TestRE8OutOfService:
    """R-E8: while a channel's presence service is down, entrants get ERROR_OUT_OF_SERVICE."""

    async def test_r_e8_entrant_gets_error_not_snapshot_and_is_present(self, emu: Emulator) -> None:
        log = Journal()
        await enter(emu, log, "amy")
        emu.set_presence_available("room", "MESSAGE", False)
        bob = log.watch(emu.client("bob"))
        sil = log.watch(emu.client("sil"))
        await bob.login()
        await sil.login()
        emu.advance(1)
        n, t = emu.last_seq, emu.now_ms
        await bob.subscribe("room")
        await sil.subscribe("room", with_presence=False)
        assert numbered(n, [("bob", out_of_service(t))]) == log.take()
        assert ["amy", "bob", "sil"] == emu.online_users("room", "MESSAGE")
        who = await bob.presence.get_online_users("room", "MESSAGE")
        assert ["amy", "bob", "sil"] == [o.user_id for o in who.occupants]
        where = await channels_of(bob)
        assert [("room", "MESSAGE")] == where

    async def test_r_e8_no_events_flow_while_down(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        emu.set_presence_available("room", "MESSAGE", False)
        await c["bob"].presence.set_state("room", "MESSAGE", {"b": "1"})
        await c["bob"].unsubscribe("room")  # its debounced leave falls due while down
        emu.advance(1)
        cat = log.watch(emu.client("cat"))
        await cat.login()
        n, t = emu.last_seq, emu.now_ms
        await cat.subscribe("room")
        await cat.presence.set_state("room", "MESSAGE", {"c": "1"})
        await cat.unsubscribe("room")
        emu.advance(10)
        assert numbered(n, [("cat", out_of_service(t))]) == log.take()
        emu.set_presence_available("room", "MESSAGE", True)
        emu.advance(10)
        assert [] == log.take()

    async def test_r_e8_reentry_and_reconnect_get_error(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        await c["bob"].subscribe("other")
        await c["amy"].subscribe("other")
        log.take()
        emu.set_presence_available("room", "MESSAGE", False)
        n, t = emu.last_seq, emu.now_ms
        await c["bob"].subscribe("room")  # repeated entry
        assert numbered(n, [("bob", out_of_service(t))]) == log.take()
        emu.disconnect("bob")
        emu.advance(3)
        n, t = emu.last_seq, emu.now_ms
        emu.reconnect("bob")  # before the timeout: a fresh SNAPSHOT per channel
        expected = [
            ("bob", snap(t, "amy", "bob", channel="other")),
            ("bob", out_of_service(t)),
        ]
        assert numbered(n, expected) == log.take()

    async def test_r_e8_late_reconnect_gets_error(self, emu: Emulator) -> None:
        log = Journal()
        await enter(emu, log, "amy")
        await enter(emu, log, "bob", config=RTMConfig(presence_timeout=5))
        emu.set_presence_available("room", "MESSAGE", False)
        emu.disconnect("bob")
        emu.advance(TIMEOUT_MS / 1000 + 1)
        assert [] == log.take()  # the REMOTE_TIMEOUT does not flow either
        assert ["amy"] == emu.online_users("room", "MESSAGE")
        n, t = emu.last_seq, emu.now_ms
        emu.reconnect("bob")
        assert numbered(n, [("bob", out_of_service(t))]) == log.take()
        assert ["amy", "bob"] == emu.online_users("room", "MESSAGE")

    async def test_r_e8_other_channels_unaffected(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        for uid in ("amy", "bob"):
            await c[uid].subscribe("other")
            await c[uid].create_stream_channel("room").join()
        log.take()
        emu.set_presence_available("room", "MESSAGE", False)
        n, t = emu.last_seq, emu.now_ms
        await c["bob"].presence.set_state("room", "MESSAGE", {"m": "1"})
        await c["bob"].presence.set_state("other", "MESSAGE", {"o": "1"})
        await c["bob"].presence.set_state("room", "STREAM", {"s": "1"})
        expected = [
            ("amy", changed("bob", {"o": "1"}, t, channel="other")),
            ("amy", changed("bob", {"s": "1"}, t, ctype="STREAM")),
        ]
        assert numbered(n, expected) == log.take()

    async def test_r_e8_events_flow_again_when_available(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        emu.set_presence_available("room", "MESSAGE", False)
        await c["bob"].presence.set_state("room", "MESSAGE", {"b": "1"})
        log.take()
        emu.advance(1)
        emu.set_presence_available("room", "MESSAGE", True)
        n, t = emu.last_seq, emu.now_ms
        await c["bob"].presence.set_state("room", "MESSAGE", {"c": "2"})
        cat = log.watch(emu.client("cat"))
        await cat.login()
        await cat.subscribe("room")
        expected = [
            ("amy", changed("bob", {"b": "1", "c": "2"}, t)),
            ("amy", joined("cat", t)),
            ("bob", joined("cat", t)),
            ("cat", snap(t, "amy", ("bob", {"b": "1", "c": "2"}), "cat")),
        ]
        assert numbered(n, expected) == log.take()


async def channels_of(client: RTMClient) -> list[tuple[str, str]]:
    where = await client.presence.get_user_channels("")
    return [(ch.channel_name, ch.channel_type) for ch in where.channels]


# ------------------------------------------------------------------------ R-E9


class TestRE9Delivery:
    """R-E9: synchronous delivery; nothing for disconnected clients; robust listeners."""

    async def test_r_e9_events_arrive_before_the_awaitable_returns(self, emu: Emulator) -> None:
        log = Journal()
        await enter(emu, log, "amy")
        bob = log.watch(emu.client("bob"))
        await bob.login()
        returned: list[bool] = []
        seen: list[bool] = []
        bob.add_event_listener("presence", lambda e: seen.append(bool(returned)))
        n, t = emu.last_seq, emu.now_ms
        await bob.subscribe("room")
        returned.append(True)
        assert [False] == seen
        assert numbered(n, [("amy", joined("bob", t)), ("bob", snap(t, "amy", "bob"))]) == (
            log.take()
        )

    async def test_r_e9_disconnected_client_gets_nothing_then_fresh_snapshot(
        self, emu: Emulator
    ) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        emu.disconnect("amy")
        await c["bob"].presence.set_state("room", "MESSAGE", {"b": "1"})
        await c["bob"].unsubscribe("room")
        await enter(emu, log, "cat", with_presence=False)
        emu.advance(5)  # bob's REMOTE_LEAVE falls due while amy is away
        assert [] == log.take()
        n, t = emu.last_seq, emu.now_ms
        emu.reconnect("amy")
        assert numbered(n, [("amy", snap(t, "amy", "cat"))]) == log.take()
        emu.advance(60)
        assert [] == log.take()

    async def test_r_e9_raising_listener_does_not_stop_delivery(self, emu: Emulator) -> None:
        log = Journal()
        amy = emu.client("amy")
        boom = RuntimeError("boom")

        def explode(e: PresenceEvent) -> None:
            raise boom

        amy.add_event_listener("presence", explode)
        log.watch(amy)
        await amy.login()
        await amy.subscribe("room")
        log.take()
        bob = log.watch(emu.client("bob"))
        await bob.login()
        n, t = emu.last_seq, emu.now_ms
        await bob.subscribe("room")
        expected = numbered(n, [("amy", joined("bob", t)), ("bob", snap(t, "amy", "bob"))])
        assert expected == log.take()
        errors = emu.listener_errors
        assert [("amy", "presence", "SNAPSHOT"), ("amy", "presence", "REMOTE_JOIN")] == [
            (err.user_id, err.event_name, err.event.to_dict()["eventType"]) for err in errors
        ]
        assert isinstance(errors[1].event, PresenceEvent)
        assert expected[0][1] == as_dict(errors[1].event)
        assert boom is errors[1].exception
        assert ["amy", "bob"] == emu.online_users("room", "MESSAGE")
        emu.check_invariants()
        n = emu.last_seq
        await bob.presence.set_state("room", "MESSAGE", {"b": "1"})
        assert numbered(n, [("amy", changed("bob", {"b": "1"}, t))]) == log.take()
        assert 3 == len(emu.listener_errors)

    async def test_r_e9_reentrant_listener_delivery_order_equals_seq_order(
        self, emu: Emulator
    ) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob", "carol")
        emu.disconnect("carol")

        def on_amy(e: PresenceEvent) -> None:
            if e.event_type.value == "REMOTE_JOIN" and e.publisher == "zed":
                emu.reconnect("carol")  # a nested operation: queued behind the current one

        c["amy"].add_event_listener("presence", on_amy)
        zed = log.watch(emu.client("zed"))
        await zed.login()
        n, t = emu.last_seq, emu.now_ms
        await zed.subscribe("room")
        expected = [
            ("amy", joined("zed", t)),
            ("bob", joined("zed", t)),
            ("zed", snap(t, "amy", "bob", "carol", "zed")),
            ("carol", snap(t, "amy", "bob", "carol", "zed")),
        ]
        assert numbered(n, expected) == log.take()

    async def test_r_e9_listener_disconnecting_a_recipient(self, emu: Emulator) -> None:
        log = Journal()
        c = await enter(emu, log, "amy", "bob")
        seen: list[tuple[str, str]] = []

        def on_amy(e: PresenceEvent) -> None:
            if e.event_type.value == "REMOTE_JOIN":
                emu.disconnect("bob")

        def on_bob_link(e: LinkStateEvent) -> None:
            seen.append(("link", e.current_state.value))

        c["amy"].add_event_listener("presence", on_amy)
        c["bob"].add_event_listener("presence", lambda e: seen.append(("presence", e.publisher)))
        c["bob"].add_event_listener("linkState", on_bob_link)
        zed = log.watch(emu.client("zed"))
        await zed.login()
        n, t = emu.last_seq, emu.now_ms
        await zed.subscribe("room")
        expected = [
            ("amy", joined("zed", t)),
            ("bob", joined("zed", t)),  # sent before bob's loss: delivered ahead of it
            ("zed", snap(t, "amy", "bob", "zed")),
        ]
        assert numbered(n, expected) == log.take()
        assert [("presence", "zed"), ("link", "DISCONNECTED")] == seen
        n = emu.last_seq
        await zed.presence.set_state("room", "MESSAGE", {"z": "1"})
        assert numbered(n, [("amy", changed("zed", {"z": "1"}, t))]) == log.take()


class TestRE6AnnouncedState:
    """R-E6 compares a re-entry's state with the state the others last *heard*."""

    async def test_r_e6_state_set_during_an_outage_was_never_heard(self, emu: Emulator) -> None:
        amy, bob = emu.client("amy"), emu.client("bob")
        seen: list[tuple[str, dict[str, str]]] = []
        amy.add_event_listener(
            "presence", lambda e: seen.append((e.event_type.value, dict(e.state_changed)))
        )
        for client in (amy, bob):
            await client.login()
            await client.subscribe("room")
        emu.set_presence_available("room", "MESSAGE", False)
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})  # dropped (R-E8)
        emu.set_presence_available("room", "MESSAGE", True)
        await bob.unsubscribe("room")
        emu.advance(1)
        await bob.subscribe("room")  # state {}: what amy last heard
        assert [] == seen[2:]

    async def test_r_e6_update_lost_in_an_outage_is_sent_on_reentry(self, emu: Emulator) -> None:
        amy, bob = emu.client("amy"), emu.client("bob")
        seen: list[tuple[str, dict[str, str]]] = []
        amy.add_event_listener(
            "presence", lambda e: seen.append((e.event_type.value, dict(e.state_changed)))
        )
        for client in (amy, bob):
            await client.login()
            await client.subscribe("room")
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        emu.set_presence_available("room", "MESSAGE", False)
        await bob.presence.set_state("room", "MESSAGE", {"a": "2"})
        emu.set_presence_available("room", "MESSAGE", True)
        await bob.unsubscribe("room")
        await bob.presence.set_state("room", "MESSAGE", {"a": "2"})  # cached (R-S4)
        emu.advance(1)
        await bob.subscribe("room")
        assert ("REMOTE_STATE_CHANGED", {"a": "2"}) == seen[-1]
