"""Locks: the lock calls and events (R-LK1..R-LK22, D-LK1..D-LK12), by rule id.

The expected codes, reasons, classes, ``operation`` names and key orders are written here
by hand from the SDK runtime (agora-rtm.js 2.3.0: the lock client's checks, its reply-code
table, ``_onLockEvent``), independently of the package's tables.  A failing call is
checked to change nothing and emit nothing.  The server's side (D-LK…) is the emulator's
decision (docs/decisions.md), pinned here.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtm_emulator import ConfigError, Emulator, EmulatorConfig, RTMClient, RtmError
from rtm_emulator._scripting import drive

IA = "RtmInvalidArgumentError"
IS = "RtmInvalidStatusError"
UA = "RtmUnavailableError"

REASONS: dict[int, tuple[str, str]] = {
    -10006: ("Invalid user id. illegal symbol or too long.", IA),
    -10008: ("Invalid channel name. illegal symbol or too long.", IA),
    -10019: ("Invalid channel type, some api not support set channel type as user.", IA),
    -10021: ("The operation rate exceeds limitation.", UA),
    -10025: ("Perform operation failed due to RTM service is not connected.", IS),
    -12008: ("Storage operation with lock not acquired.", UA),
    -14001: ("Lock operation failed.", UA),
    -14003: ("Lock operation is performing, try later.", UA),
    -14004: ("Lock already exist.", UA),
    -14005: ("Lock operation with invalid name. illegal symbol or too long.", IA),
    -14006: ("Lock not acquired.", UA),
    -14007: ("Lock acquire failed.", UA),
    -14008: ("Lock not exist.", UA),
    -14009: ("Lock service is not available.", UA),
}

ROOM = "room"
M = "MESSAGE"


class Heard:
    """One client's ``lock`` events, as SDK JSON."""

    def __init__(self, client: RTMClient) -> None:
        self.events: list[dict[str, Any]] = []
        client.add_event_listener("lock", lambda e: self.events.append(e.to_dict()))

    def take(self) -> list[dict[str, Any]]:
        out, self.events[:] = list(self.events), []
        return out

    def kinds(self) -> list[tuple[str, str, str]]:
        return [(e["eventType"], e["lockName"], e["owner"]) for e in self.take()]


async def fails(emu: Emulator, call: Any, code: int, operation: str) -> RtmError:
    """The call fails with the SDK's error and changes nothing."""
    before = emu.journal.to_jsonl()
    with pytest.raises(RtmError) as caught:
        await call
    error = caught.value
    reason, cls = REASONS[code]
    assert (int(error.error_code), error.operation, error.reason, error.name) == (
        code,
        operation,
        reason,
        cls,
    )
    assert error.server_code is None
    assert emu.journal.to_jsonl() == before
    return error


def world(*users: str, **config: Any) -> tuple[Emulator, list[RTMClient]]:
    emu = Emulator(EmulatorConfig(**config), strict=True)
    clients = [emu.client(uid) for uid in users]
    for client in clients:
        drive(client.login())  # an emulator call never suspends
    return emu, clients


async def owners(client: RTMClient, ctype: str = M) -> dict[str, str]:
    got = await client.lock.get_lock(ROOM, ctype)
    return {d.lock_name: d.owner for d in got.lock_details}


# ------------------------------------------------------------------ R-LK2, R-LK3, R-LK8


async def test_r_lk2_check_order_before_login() -> None:
    emu = Emulator(strict=True)
    a = emu.client("alice")
    # the channel type is checked before the link, also before login
    await fails(emu, a.lock.set_lock(ROOM, "USER", "_bad"), -10019, "setLock")
    await fails(emu, a.lock.get_lock(ROOM, None), -10019, "getLock")  # type: ignore[arg-type]
    await fails(emu, a.lock.acquire_lock("_bad", M, "_bad"), -10025, "acquireLock")


async def test_r_lk2_r_lk3_names_and_the_switch() -> None:
    emu, (a,) = world("alice")
    await fails(emu, a.lock.set_lock("a.b", M, "_bad"), -10008, "setLock")
    for name in ("", "_l", "l" * 65, 5, "a.b", None):
        await fails(emu, a.lock.set_lock(ROOM, M, name), -14005, "setLock")  # type: ignore[arg-type]
    await a.lock.set_lock(ROOM, M, "l" * 64)
    # LOCK_ENABLED false (R-LK2): -14009 before the channel name
    emu._engine.locks.set_parameters(a._core, enabled=False)
    await fails(emu, a.lock.get_lock("a.b", M), -14009, "getLock")
    await fails(emu, a.lock.release_lock(ROOM, M, "L"), -14009, "releaseLock")
    emu._engine.locks.set_parameters(a._core, enabled=True)
    await a.lock.get_lock(ROOM, M)


async def test_r_lk8_revoke_owner_is_a_user_id_after_the_lock_name() -> None:
    emu, (a,) = world("alice")
    await a.lock.set_lock(ROOM, M, "L")
    for owner in ("", "_u", None, "a.b"):
        await fails(emu, a.lock.revoke_lock(ROOM, M, "L", owner), -10006, "revokeLock")  # type: ignore[arg-type]
    await fails(emu, a.lock.revoke_lock(ROOM, M, "_l", ""), -14005, "revokeLock")


async def test_r_lk4_acquire_has_its_own_rate_of_ten() -> None:
    emu, (a,) = world("alice", rate_limits=True)
    for i in range(10):
        await a.lock.set_lock(ROOM, M, f"n{i}")
        await a.lock.acquire_lock(ROOM, M, f"n{i}")
    # the 11th acquire in a second: the limiter first, even for a bad name
    await fails(emu, a.lock.acquire_lock(ROOM, M, "_bad"), -10021, "acquireLock")
    emu.advance(1)
    await fails(emu, a.lock.acquire_lock(ROOM, M, "n0"), -14003, "acquireLock")


# ------------------------------------------------------------------------ R-LK5


@pytest.mark.parametrize(
    ("given", "stored", "written_back"),
    [
        (None, 10, None),
        ({}, 10, None),
        ({"ttl": 5}, 10, 10),
        ({"ttl": 60}, 60, None),
        ({"ttl": 301}, 300, 300),
        ({"ttl": None}, 10, 10),
        ({"ttl": "20"}, 20, None),
        ({"ttl": "500"}, 300, 300),
        ({"ttl": 10.7}, 10, None),
        ({"ttl": float("nan")}, 0, None),
        ({"ttl": float("inf")}, 300, 300),
        ({"ttl": True}, 10, 10),
        ({"ttl": "abc"}, 0, None),
        ({"ttl": {}}, 0, None),
    ],
)
async def test_r_lk5_ttl_is_clamped_and_written_back(
    given: dict[str, Any] | None, stored: int, written_back: Any
) -> None:
    _emu, (a,) = world("alice")
    options = None if given is None else dict(given)
    await a.lock.setLock(ROOM, M, "L", options)
    got = await a.lock.get_lock(ROOM, M)
    assert [d.ttl for d in got.lock_details] == [stored]
    if written_back is not None:
        assert options == {"ttl": written_back}
    elif given is not None and "ttl" in given and given["ttl"] == given["ttl"]:
        assert options == given  # untouched


async def test_r_lk5_the_ttl_keyword() -> None:
    _emu, (a,) = world("alice")
    await a.lock.set_lock(ROOM, M, "L", ttl=45)
    assert [d.ttl for d in (await a.lock.get_lock(ROOM, M)).lock_details] == [45]


# ------------------------------------------------------------- R-LK10, R-LK22, D-LK10


async def test_r_lk10_resolved_values_and_key_orders() -> None:
    _emu, (a,) = world("alice")
    set_ = await a.lock.set_lock(ROOM, M, "L", ttl=30)
    assert list(set_.to_dict()) == ["timestamp", "channelName", "channelType", "lockName"]
    got = await a.lock.acquire_lock(ROOM, M, "L")
    assert got.to_dict() == {
        "lockName": "L",
        "channelName": ROOM,
        "channelType": M,
        "timestamp": 0,
    }
    assert list(got.to_dict()) == ["lockName", "channelName", "channelType", "timestamp"]
    listed = (await a.lock.get_lock(ROOM, M)).to_dict()
    assert listed == {
        "timestamp": 0,
        "totalLocks": 1,
        "lockDetails": [{"lockName": "L", "ttl": 30, "owner": "alice"}],
        "channelName": ROOM,
        "channelType": M,
    }
    assert (await a.lock.release_lock(ROOM, M, "L")).to_dict()["lockName"] == "L"
    assert (await a.lock.remove_lock(ROOM, M, "L")).to_dict()["channelType"] == M
    assert (await a.lock.get_lock(ROOM, M)).to_dict()["totalLocks"] == 0


async def test_r_lk22_channel_types_are_namespaces_and_d_lk10_name_order() -> None:
    _emu, (a,) = world("alice")
    for name in ("b", "B", "a", "10", "2"):
        await a.lock.set_lock(ROOM, M, name)
    await a.lock.set_lock(ROOM, "STREAM", "b")
    assert list(await owners(a)) == ["10", "2", "B", "a", "b"]  # code-point order
    assert list(await owners(a, "STREAM")) == ["b"]
    await a.lock.acquire_lock(ROOM, "STREAM", "b")
    assert (await owners(a))["b"] == ""


# ------------------------------------------------------- D-LK2, D-LK4, D-LK5, D-LK6, D-LK7


async def test_d_lk2_an_existing_lock_is_minus_14004_and_keeps_its_ttl() -> None:
    emu, (a, b) = world("alice", "bob")
    await a.lock.set_lock(ROOM, M, "L", ttl=20)
    await fails(emu, b.lock.set_lock(ROOM, M, "L", ttl=60), -14004, "setLock")
    assert [d.ttl for d in (await b.lock.get_lock(ROOM, M)).lock_details] == [20]


async def test_d_lk4_acquire_missing_free_held() -> None:
    emu, (a, b) = world("alice", "bob")
    await fails(emu, a.lock.acquire_lock(ROOM, M, "L"), -14008, "acquireLock")
    await a.lock.set_lock(ROOM, M, "L")
    await a.lock.acquire_lock(ROOM, M, "L")
    await fails(emu, b.lock.acquire_lock(ROOM, M, "L"), -14007, "acquireLock")
    # R-LK6: the holder again, and an acquire with retry while one waits
    await fails(emu, a.lock.acquire_lock(ROOM, M, "L"), -14003, "acquireLock")
    waiting = asyncio.ensure_future(b.lock.acquire_lock(ROOM, M, "L", retry=True))
    await asyncio.sleep(0)
    await fails(emu, b.lock.acquire_lock(ROOM, M, "L", retry=True), -14003, "acquireLock")
    await a.lock.release_lock(ROOM, M, "L")
    assert (await waiting).lock_name == "L"
    assert (await owners(a))["L"] == "bob"


async def test_d_lk4_d_lk5_retry_waiters_in_request_order() -> None:
    _emu, (a, b, c, d) = world("alice", "bob", "carol", "dave")
    heard = Heard(d)
    await d.subscribe(ROOM, {"withLock": True})
    await a.lock.set_lock(ROOM, M, "L")
    await a.lock.acquire_lock(ROOM, M, "L")
    done: list[str] = []
    carol = asyncio.ensure_future(c.lock.acquire_lock(ROOM, M, "L", {"retry": "yes"}))
    carol.add_done_callback(lambda _: done.append("carol"))
    bob = asyncio.ensure_future(b.lock.acquire_lock(ROOM, M, "L", retry=True))
    bob.add_done_callback(lambda _: done.append("bob"))
    await asyncio.sleep(0)
    heard.take()
    await a.lock.release_lock(ROOM, M, "L")
    await carol
    assert heard.kinds() == [("RELEASED", "L", ""), ("ACQUIRED", "L", "carol")]
    assert not bob.done()
    await c.lock.release_lock(ROOM, M, "L")
    await bob
    assert done == ["carol", "bob"]
    assert heard.kinds() == [("RELEASED", "L", ""), ("ACQUIRED", "L", "bob")]


async def test_r_lk7_r_lk13_release_ends_a_wait_and_needs_a_lock() -> None:
    emu, (a, b) = world("alice", "bob")
    await a.lock.set_lock(ROOM, M, "L")
    await fails(emu, b.lock.release_lock(ROOM, M, "L"), -14006, "releaseLock")
    await fails(emu, b.lock.release_lock(ROOM, M, "nope"), -14006, "releaseLock")
    await a.lock.acquire_lock(ROOM, M, "L")
    waiting = asyncio.ensure_future(b.lock.acquire_lock(ROOM, M, "L", retry=True))
    await asyncio.sleep(0)
    # R-LK13: bob's release of his own waiting acquire resolves it; he holds nothing
    await b.lock.release_lock(ROOM, M, "L")
    assert (await waiting).to_dict()["lockName"] == "L"
    await a.lock.release_lock(ROOM, M, "L")
    assert (await owners(a))["L"] == ""  # bob left the queue
    await fails(emu, b.lock.release_lock(ROOM, M, "L"), -14006, "releaseLock")


async def test_d_lk6_revoke() -> None:
    emu, (a, b, c) = world("alice", "bob", "carol")
    alice, carol = Heard(a), Heard(c)
    await c.subscribe(ROOM, {"withLock": True})
    await fails(emu, b.lock.revoke_lock(ROOM, M, "L", "alice"), -14008, "revokeLock")
    await a.lock.set_lock(ROOM, M, "L")
    await fails(emu, b.lock.revoke_lock(ROOM, M, "L", "alice"), -14001, "revokeLock")
    await a.lock.acquire_lock(ROOM, M, "L")
    await fails(emu, b.lock.revoke_lock(ROOM, M, "L", "bob"), -14001, "revokeLock")
    carol.take()
    await b.lock.revoke_lock(ROOM, M, "L", "alice")
    # R-LK19: the holder hears EXPIRED without withLock, ttl 0, owner ""
    assert alice.take() == [
        {
            "channelType": M,
            "channelName": ROOM,
            "eventType": "EXPIRED",
            "lockName": "L",
            "ttl": 0,
            "publisher": "",
            "snapshot": [],
            "owner": "",
            "timestamp": emu.now_ms,
        }
    ]
    assert carol.kinds() == [("RELEASED", "L", "")]
    # alice's SDK dropped it: releasing is -14006, acquiring works again
    await fails(emu, a.lock.release_lock(ROOM, M, "L"), -14006, "releaseLock")
    await a.lock.acquire_lock(ROOM, M, "L")


async def test_d_lk7_remove_a_held_lock_with_a_waiter() -> None:
    emu, (a, b, c) = world("alice", "bob", "carol")
    alice, carol = Heard(a), Heard(c)
    await c.subscribe(ROOM, {"withLock": True})
    await fails(emu, a.lock.remove_lock(ROOM, M, "L"), -14008, "removeLock")
    await a.lock.set_lock(ROOM, M, "L", ttl=15)
    await a.lock.acquire_lock(ROOM, M, "L")
    waiting = asyncio.ensure_future(b.lock.acquire_lock(ROOM, M, "L", retry=True))
    await asyncio.sleep(0)
    carol.take()
    await c.lock.remove_lock(ROOM, M, "L")
    assert alice.kinds() == [("EXPIRED", "L", "")]
    assert carol.take()[0] | {"timestamp": 0} == {
        "channelType": M,
        "channelName": ROOM,
        "eventType": "REMOVED",
        "lockName": "L",
        "ttl": 0,
        "publisher": "",
        "snapshot": [],
        "owner": "",
        "timestamp": 0,
    }
    with pytest.raises(RtmError) as caught:
        await waiting
    assert (int(caught.value.error_code), caught.value.operation) == (-14008, "acquireLock")
    assert await owners(a) == {}


# ------------------------------------------------------------ R-LK15..R-LK18 events


async def test_r_lk16_event_shapes_and_the_snapshot() -> None:
    emu, (a, b) = world("alice", "bob")
    await a.lock.set_lock(ROOM, M, "b", ttl=20)
    await a.lock.set_lock(ROOM, M, "a")
    await a.lock.acquire_lock(ROOM, M, "b")
    heard = Heard(b)
    await b.subscribe(ROOM, {"withLock": True})
    (snapshot,) = heard.take()
    assert snapshot == {
        "channelType": M,
        "channelName": ROOM,
        "eventType": "SNAPSHOT",
        "lockName": "",
        "ttl": 0,
        "publisher": "",
        "snapshot": [
            {"lockName": "a", "owner": "", "ttl": 10},
            {"lockName": "b", "owner": "alice", "ttl": 20},
        ],
        "owner": "",
        "timestamp": emu.now_ms,
    }
    await a.lock.set_lock(ROOM, M, "c", ttl=15)
    await a.lock.acquire_lock(ROOM, M, "c")
    await a.lock.release_lock(ROOM, M, "c")
    events = heard.take()
    assert [(e["eventType"], e["ttl"], e["owner"]) for e in events] == [
        ("SET", 15, ""),
        ("ACQUIRED", 15, "alice"),
        ("RELEASED", 15, ""),
    ]
    assert all(e["snapshot"] == [] and e["publisher"] == "" for e in events)


async def test_r_lk17_with_lock_only_and_the_snapshot_window() -> None:
    emu, (a, b) = world("alice", "bob")
    heard = Heard(b)
    await b.subscribe(ROOM)  # no withLock: nothing
    await a.lock.set_lock(ROOM, M, "L")
    assert heard.take() == []
    await b.subscribe(ROOM, {"withLock": True})
    assert heard.kinds() == [("SNAPSHOT", "", "")]
    await b.subscribe(ROOM, {"withLock": True})  # already on: no second SNAPSHOT
    await b.subscribe(ROOM, {"withLock": False})
    await a.lock.acquire_lock(ROOM, M, "L")
    assert heard.take() == []
    # on again within 4 s of the last SNAPSHOT: the SDK drops the new one
    await b.subscribe(ROOM, {"withLock": True})
    assert heard.take() == []
    await a.lock.release_lock(ROOM, M, "L")
    assert heard.kinds() == [("RELEASED", "L", "")]
    # after an unsubscribe the window does not apply
    await b.unsubscribe(ROOM)
    await b.subscribe(ROOM, {"withLock": True})
    assert heard.kinds() == [("SNAPSHOT", "", "")]
    await b.subscribe(ROOM, {"withLock": False})
    emu.advance(4)
    await b.subscribe(ROOM, {"withLock": True})
    assert heard.kinds() == [("SNAPSHOT", "", "")]


async def test_r_lk15_stream_channel_events_and_d_lk1_other_channels() -> None:
    _emu, (a, b) = world("alice", "bob")
    heard = Heard(b)
    await b.createStreamChannel(ROOM).join({"withLock": True})
    await a.lock.set_lock(ROOM, M, "L")  # the MESSAGE channel: another namespace
    await a.lock.set_lock("other", "STREAM", "L")
    await a.lock.set_lock(ROOM, "STREAM", "L")
    assert [(e["channelType"], e["eventType"]) for e in heard.take()] == [
        ("STREAM", "SNAPSHOT"),
        ("STREAM", "SET"),
    ]


async def test_r_lk18_with_lock_while_the_service_is_off() -> None:
    emu, (a,) = world("alice")
    emu._engine.locks.set_parameters(a._core, enabled=False)
    await fails(emu, a.subscribe(ROOM, {"withLock": True}), -14009, "subscribe")
    assert emu.user_channels("alice") == []
    await a.subscribe(ROOM)


async def test_d_lk10_fan_out_in_user_id_order_actor_included() -> None:
    _emu, clients = world("carol", "bob", "alice")
    order: list[str] = []
    for client in clients:
        client.add_event_listener("lock", lambda e, uid=client.user_id: order.append(uid))
        await client.subscribe(ROOM, {"withLock": True})
    order.clear()
    await clients[1].lock.set_lock(ROOM, M, "L")
    assert order == ["alice", "bob", "carol"]


# ------------------------------------------------------------ R-LK14, D-LK9, D-LK8


async def test_r_lk14_d_lk9_logout() -> None:
    emu, (a, b, c) = world("alice", "bob", "carol")
    carol = Heard(c)
    await c.subscribe(ROOM, {"withLock": True})
    await a.lock.set_lock(ROOM, M, "L")
    await a.lock.acquire_lock(ROOM, M, "L")
    await a.lock.set_lock(ROOM, M, "K")
    await c.lock.acquire_lock(ROOM, M, "K")
    bob = asyncio.ensure_future(b.lock.acquire_lock(ROOM, M, "K", retry=True))
    await asyncio.sleep(0)
    await b.logout()  # R-LK14: the waiting acquire fails -14007
    with pytest.raises(RtmError) as caught:
        await bob
    error = caught.value
    assert (int(error.error_code), error.operation, error.name) == (-14007, "acquireLock", UA)
    carol.take()
    await a.logout()  # D-LK9: alice's lock is free at once, no TTL
    assert carol.kinds() == [("RELEASED", "L", "")]
    await c.lock.release_lock(ROOM, M, "K")
    assert (await owners(c)) == {"K": "", "L": ""}  # bob left K's queue
    await a.login()
    await fails(emu, a.lock.release_lock(ROOM, M, "L"), -14006, "releaseLock")


async def test_d_lk8_a_lost_holder_keeps_the_lock_for_detection_plus_ttl() -> None:
    emu, (a, b, c) = world("alice", "bob", "carol")
    alice, carol = Heard(a), Heard(c)
    await c.subscribe(ROOM, {"withLock": True})
    await a.lock.set_lock(ROOM, M, "L", ttl=10)
    await a.lock.acquire_lock(ROOM, M, "L")
    bob = asyncio.ensure_future(b.lock.acquire_lock(ROOM, M, "L", retry=True))
    await asyncio.sleep(0)
    carol.take()
    emu.disconnect("alice")
    # heartbeat 5 s + 10 s to notice the loss (R-T2), then the TTL of 10 s
    emu.advance(24.999)
    assert (await owners(c))["L"] == "alice"
    assert not bob.done()
    emu.advance(0.001)
    await bob
    assert carol.kinds() == [("RELEASED", "L", ""), ("ACQUIRED", "L", "bob")]
    emu.reconnect("alice")
    emu.advance(40)
    # R-LK20: alice's SDK acquires again, is refused, and tells her
    assert [k for k in alice.kinds() if k[0] != "SNAPSHOT"] == [("EXPIRED", "L", "")]
    await fails(emu, a.lock.release_lock(ROOM, M, "L"), -14006, "releaseLock")


async def test_d_lk8_a_holder_back_in_time_keeps_it_unseen() -> None:
    emu, (a, c) = world("alice", "carol")
    alice, carol = Heard(a), Heard(c)
    await c.subscribe(ROOM, {"withLock": True})
    await a.lock.set_lock(ROOM, M, "L", ttl=60)
    await a.lock.acquire_lock(ROOM, M, "L")
    carol.take()
    emu.disconnect("alice")
    emu.advance(20)
    emu.reconnect("alice")
    emu.advance(100)  # past where the lapse would have been
    assert carol.take() == [] and alice.take() == []
    assert (await owners(c))["L"] == "alice"
    await a.lock.release_lock(ROOM, M, "L")


async def test_r_lk20_a_link_back_brings_a_fresh_snapshot() -> None:
    emu, (a, b) = world("alice", "bob")
    heard = Heard(b)
    await b.subscribe(ROOM, {"withLock": True})
    emu.disconnect("bob")
    await a.lock.set_lock(ROOM, M, "L")  # not heard while down
    emu.reconnect("bob")
    emu.advance(3)
    events = heard.take()
    assert [e["eventType"] for e in events] == ["SNAPSHOT", "SNAPSHOT"]
    assert events[1]["snapshot"] == [{"lockName": "L", "owner": "", "ttl": 10}]


async def test_d_lk9_a_kick_frees_at_once_and_the_next_login_hears_expired() -> None:
    emu, (a, c) = world("alice", "carol")
    alice, carol = Heard(a), Heard(c)
    await c.subscribe(ROOM, {"withLock": True})
    await a.lock.set_lock(ROOM, M, "L")
    await a.lock.acquire_lock(ROOM, M, "L")
    carol.take()
    await emu.client("alice").login()  # same user id elsewhere: alice's first client FAILED
    assert carol.kinds() == [("RELEASED", "L", "")]
    assert alice.take() == []
    await a.login()  # the kicked client back (it kicks the other one)
    assert ("EXPIRED", "L", "") in alice.kinds()


async def test_d_lk11_waiters_are_not_tied_to_the_channel() -> None:
    _emu, (a, b) = world("alice", "bob")
    await b.subscribe(ROOM, {"withLock": True})
    await a.lock.set_lock(ROOM, M, "L")
    await a.lock.acquire_lock(ROOM, M, "L")
    bob = asyncio.ensure_future(b.lock.acquire_lock(ROOM, M, "L", retry=True))
    await asyncio.sleep(0)
    await b.unsubscribe(ROOM)
    await a.lock.release_lock(ROOM, M, "L")
    await bob
    assert (await owners(a))["L"] == "bob"


# ------------------------------------------------------------------- R-LK21, storage


async def test_r_lk21_lock_guarded_metadata_writes() -> None:
    emu, (a, b) = world("alice", "bob")
    item = [{"key": "k", "value": "v"}]
    await fails(
        emu,
        a.storage.set_channel_metadata(ROOM, M, item, lock_name="L"),
        -12008,
        "setChannelMetadata",
    )
    await a.lock.set_lock(ROOM, M, "L")
    await a.lock.acquire_lock(ROOM, M, "L")
    await a.storage.set_channel_metadata(ROOM, M, item, lock_name="L")
    await fails(
        emu,
        b.storage.set_channel_metadata(ROOM, M, item, lock_name="L"),
        -12008,
        "setChannelMetadata",
    )
    await a.lock.release_lock(ROOM, M, "L")
    await fails(
        emu,
        a.storage.update_channel_metadata(ROOM, M, item, lock_name="L"),
        -12008,
        "updateChannelMetadata",
    )


# ---------------------------------------------------------------- determinism, journal


def _script() -> str:
    emu, (a, b, c) = world("alice", "bob", "carol")

    async def run() -> None:
        await c.subscribe(ROOM, {"withLock": True})
        await a.lock.set_lock(ROOM, M, "L", ttl=10)
        await a.lock.acquire_lock(ROOM, M, "L")
        bob = asyncio.ensure_future(b.lock.acquire_lock(ROOM, M, "L", retry=True))
        await asyncio.sleep(0)
        emu.disconnect("alice")
        emu.advance(30)
        await bob
        emu.reconnect("alice")
        emu.advance(40)

    asyncio.run(run())
    return emu.journal.to_jsonl() + emu.journal.timeline()


def test_the_same_script_gives_the_same_journal() -> None:
    first = _script()
    assert first == _script()
    assert "lock ACQUIRED L by bob" in first
    assert '"kind": "lock"' in first or '"lock"' in first


# ------------------------------------------------------------------ R-LK11 faults


@pytest.mark.parametrize(
    ("reply", "code"), [(6, -14004), (7, -14007), (13, -14008), (14, -14010), (2, -14001)]
)
async def test_r_lk11_reply_code_faults(reply: int, code: int) -> None:
    emu, (a,) = world("alice")
    emu.set_lock_reply_code("alice", reply)
    with pytest.raises(RtmError) as caught:
        await a.lock.get_lock(ROOM, M)
    error = caught.value
    assert (int(error.error_code), error.operation, error.name) == (code, "getLock", UA)
    with pytest.raises(RtmError):
        await a.lock.set_lock(ROOM, M, "L")
    emu.set_lock_reply_code("alice", 0)
    assert (await a.lock.get_lock(ROOM, M)).total_locks == 0  # the refused set changed nothing
    with pytest.raises(ConfigError):
        emu.set_lock_reply_code("alice", "6")  # type: ignore[arg-type]
