"""Storage: channel and user metadata (R-ST1..R-ST20, D-ST1..D-ST10), by rule id.

The expected codes, reasons, classes, ``operation`` names and key orders are written here
by hand from the SDK runtime (agora-rtm.js 2.3.0: ``StorageImpl``, the item checks, the
reply-code tables), independently of the package's tables.  A failing call is checked
to change nothing and emit nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtm_emulator import Emulator, EmulatorConfig, RTMClient, RtmError
from rtm_emulator._errors import SdkTypeError
from rtm_emulator._session import ChannelKey, ClientCore
from rtm_emulator._storage import LockView

IA = "RtmInvalidArgumentError"
LE = "RtmLimitExceededError"
IS = "RtmInvalidStatusError"
UA = "RtmUnavailableError"

REASONS: dict[int, tuple[str, str]] = {
    -10006: ("Invalid user id. illegal symbol or too long.", IA),
    -10008: ("Invalid channel name. illegal symbol or too long.", IA),
    -10019: ("Invalid channel type, some api not support set channel type as user.", IA),
    -10021: ("The operation rate exceeds limitation.", UA),
    -10025: ("Perform operation failed due to RTM service is not connected.", IS),
    -12001: ("Storage operation failed.", UA),
    -12002: ("Metadata item size exceeds limitation.", LE),
    -12003: ("Metadata item is invalid.", IA),
    -12004: ("Server reject operation due to invalid argument.", UA),
    -12005: ("Metadata item with invalid revision.", IA),
    -12006: ("The length of metadata items overflow.", LE),
    -12007: ("Storage operation with invalid lock name. illegal symbol or too long.", IA),
    -12008: ("Storage operation with lock not acquired.", UA),
    -12009: ("Storage operation with invalid key.", IA),
    -12010: ("Storage operation with invalid value.", IA),
    -12011: ("Storage operation with key length overflow.", IA),
    -12012: ("Storage operation with value length overflow.", LE),
    -12014: ("Storage operation with outdated revision or the key does not exist.", UA),
    -12015: ("Storage operation without subscribe.", IS),
    -12017: ("Subscribe user metadata exceeds limitation.", LE),
    -12018: ("Storage operation timeout.", UA),
    -12019: ("Storage service is not available.", UA),
    -12020: ("No permission to access storage service.", UA),
}

ROOM = "room"


def item(key: str, value: Any = "v", revision: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"key": key, "value": value}
    if revision is not None:
        out["revision"] = revision
    return out


class Heard:
    """One client's ``storage`` events, as SDK JSON."""

    def __init__(self, client: RTMClient) -> None:
        self.events: list[dict[str, Any]] = []
        client.add_event_listener("storage", lambda e: self.events.append(e.to_dict()))

    def take(self) -> list[dict[str, Any]]:
        out, self.events[:] = list(self.events), []
        return out

    def kinds(self) -> list[tuple[str, int]]:
        return [(e["eventType"], e["data"]["majorRevision"]) for e in self.take()]


async def fails(emu: Emulator, call: Any, code: int, operation: str) -> RtmError:
    """The call fails with the SDK's error and changes nothing."""
    before = len(emu.journal)
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
    assert len(emu.journal) == before
    return error


@pytest.fixture
def pair() -> tuple[Emulator, RTMClient, RTMClient]:
    emu = Emulator(strict=True)
    a, b = emu.client("alice"), emu.client("bob")

    async def login() -> None:
        await a.login()
        await b.login()

    asyncio.run(login())
    return emu, a, b


async def channel_state(client: RTMClient, ctype: str = "MESSAGE") -> dict[str, Any]:
    return (await client.storage.get_channel_metadata(ROOM, ctype)).to_dict()


# ------------------------------------------------------------------ R-ST1, R-ST10


async def test_r_st1_storage_exists_before_login_and_every_call_needs_the_link() -> None:
    emu = Emulator()
    s = emu.client("alice").storage
    await fails(
        emu, s.setChannelMetadata(ROOM, "MESSAGE", [item("k")]), -10025, "setChannelMetadata"
    )
    await fails(emu, s.get_user_metadata(), -10025, "getUserMetadata")
    await fails(emu, s.unsubscribe_user_metadata("bob"), -10025, "unsubscribeUserMetadata")


async def test_r_st10_resolved_values_in_the_runtimes_key_order(pair: Any) -> None:
    _, a, _ = pair
    s = a.storage
    got = await s.set_channel_metadata(ROOM, "STREAM", [item("k")])
    assert list(got.to_dict().items()) == [
        ("totalCount", 0),
        ("timestamp", 0),
        ("channelName", ROOM),
        ("channelType", "STREAM"),
    ]
    got2 = await s.updateChannelMetadata(ROOM, "STREAM", [item("k", "w")])
    assert list(got2.to_dict()) == ["timestamp", "totalCount", "channelName", "channelType"]
    got3 = await s.remove_channel_metadata(ROOM, "STREAM")
    assert list(got3.to_dict()) == ["totalCount", "timestamp", "channelName", "channelType"]
    assert (await s.set_user_metadata([item("k")])).to_dict() == {
        "timestamp": 0,
        "totalCount": 0,
        "userId": "alice",
    }
    assert list((await s.get_user_metadata()).to_dict()) == [
        "timestamp",
        "totalCount",
        "majorRevision",
        "metadata",
        "userId",
    ]
    assert list((await channel_state(a)).keys()) == [
        "totalCount",
        "majorRevision",
        "metadata",
        "timestamp",
        "channelName",
        "channelType",
    ]
    assert (await s.subscribe_user_metadata("bob")).to_dict() == {"timestamp": 0, "userId": "bob"}


async def test_r_st10_integer_like_keys_come_first(pair: Any) -> None:
    _, a, _ = pair
    await a.storage.set_channel_metadata(
        ROOM, "MESSAGE", [item("b"), item("10"), item("2"), item("a")]
    )
    assert list((await channel_state(a))["metadata"]) == ["2", "10", "b", "a"]


# ------------------------------------------------------------------------ R-ST2


async def test_r_st2_rate_buckets_are_named_as_the_operation() -> None:
    emu = Emulator(EmulatorConfig(rate_limits=True))
    a = emu.client("alice")
    await a.login()
    for n in range(10):
        await a.storage.set_channel_metadata(ROOM, "MESSAGE", [item("k", str(n))])
    for n in range(10):
        await a.storage.update_channel_metadata(ROOM, "MESSAGE", [item("k", f"u{n}")])
    # set and update share channelMetaModify; the check comes first (before the type)
    await fails(emu, a.storage.remove_channel_metadata(ROOM, "USER"), -10021, "channelMetaModify")
    await a.storage.get_channel_metadata(ROOM, "MESSAGE")  # channelMetaGet is its own
    await a.storage.subscribe_user_metadata("bob")  # userMetaSub too


# ------------------------------------------------------------------------ R-ST3


async def test_r_st3_channel_type_comes_before_the_link() -> None:
    emu = Emulator()
    a = emu.client("alice")
    await fails(emu, a.storage.get_channel_metadata(ROOM, "USER"), -10019, "getChannelMetadata")
    await a.login()
    await fails(
        emu,
        a.storage.set_channel_metadata(ROOM, "message", [item("k")]),
        -10019,
        "setChannelMetadata",
    )
    await fails(
        emu,
        a.storage.set_channel_metadata("_bad", "MESSAGE", [item("k")]),
        -10008,
        "setChannelMetadata",
    )


async def test_r_st3_a_down_link_is_not_connected(pair: Any) -> None:
    emu, a, _ = pair
    emu.disconnect("alice")
    await fails(emu, a.storage.get_channel_metadata(ROOM, "MESSAGE"), -10025, "getChannelMetadata")


async def test_r_st3_storage_disabled_by_parameter(pair: Any) -> None:
    emu, a, _ = pair
    emu._engine.storage.set_parameters(a._core, enabled=False)
    await fails(
        emu, a.storage.get_channel_metadata("_bad", "MESSAGE"), -12019, "getChannelMetadata"
    )
    await fails(emu, a.storage.set_user_metadata([item("k")]), -12019, "setUserMetadata")


# ------------------------------------------------------------------------ R-ST4


async def test_r_st4_data_without_foreach_is_a_type_error(pair: Any) -> None:
    _, a, _ = pair
    with pytest.raises(SdkTypeError, match=r"reading 'forEach'"):
        await a.storage.set_channel_metadata(ROOM, "MESSAGE", None)
    with pytest.raises(SdkTypeError, match="forEach is not a function"):
        await a.storage.set_channel_metadata(ROOM, "MESSAGE", "ab")
    with pytest.raises(SdkTypeError, match=r"reading 'key'"):
        await a.storage.set_channel_metadata(ROOM, "MESSAGE", [None])


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([{"value": "v"}], -12009),
        ([{"key": 1, "value": "v"}], -12009),
        ([item("k", revision=1.5)], -12005),
        ([item("k", revision="1")], -12005),
        ([item("k", revision=True)], -12005),
        ([item("k", revision=float("nan"))], -12005),
    ],
)
async def test_r_st4_setter_errors_name_storage(pair: Any, items: Any, code: int) -> None:
    emu, a, _ = pair
    await fails(emu, a.storage.set_channel_metadata(ROOM, "MESSAGE", items), code, "storage")


async def test_r_st4_duplicate_keys_merge_last_wins_first_place(pair: Any) -> None:
    _, a, _ = pair
    await a.storage.set_channel_metadata(
        ROOM, "MESSAGE", [item("b", "9"), item("a", "1"), item("b", "2")]
    )
    meta = (await channel_state(a))["metadata"]
    assert [(k, v["value"]) for k, v in meta.items()] == [("b", "2"), ("a", "1")]


# ------------------------------------------------------------------------ R-ST5


@pytest.mark.parametrize(
    ("items", "options", "code"),
    [
        ([item(f"k{n}") for n in range(33)], {"majorRevision": "x"}, -12002),
        ([], {"majorRevision": "x"}, -12003),
        ([item("k")], {"majorRevision": "3"}, -12005),
        ([item("k")], {"majorRevision": -2}, -12005),
        ([item("k")], {"majorRevision": 1.5}, -12005),
        ([item("k", revision=-2)], {}, -12005),
        ([item("_a")], {}, -12009),
        ([item("a.b")], {}, -12009),
        ([item("k" * 33)], {}, -12011),
        ([item("k" * 65)], {}, -12009),
        ([item("k", 1)], {}, -12010),
        ([item("k", None)], {}, -12010),
        ([item("k", "x" * 16385)], {}, -12012),
        ([item("k", "é" * 8193)], {}, -12012),
    ],
)
async def test_r_st5_item_checks_in_order(pair: Any, items: Any, options: Any, code: int) -> None:
    emu, a, _ = pair
    call = a.storage.setChannelMetadata(ROOM, "MESSAGE", items, options)
    await fails(emu, call, code, "setChannelMetadata")


async def test_r_st5_update_and_remove_refuse_revision_zero(pair: Any) -> None:
    emu, a, _ = pair
    s = a.storage
    await fails(
        emu,
        s.update_channel_metadata(ROOM, "MESSAGE", [item("k")], major_revision=0),
        -12005,
        "updateChannelMetadata",
    )
    await fails(emu, s.update_user_metadata([item("k", revision=0)]), -12005, "updateUserMetadata")
    await fails(
        emu, s.remove_user_metadata(data=[item("k", revision=0)]), -12005, "removeUserMetadata"
    )
    await s.set_channel_metadata(ROOM, "MESSAGE", [item("k", revision=0)])  # set: create only


async def test_r_st5_remove_does_not_check_values(pair: Any) -> None:
    _, a, _ = pair
    await a.storage.set_user_metadata([item("k")])
    await a.storage.remove_user_metadata(data=[{"key": "k"}])
    assert (await a.storage.get_user_metadata()).total_count == 0


# ------------------------------------------------------------------------ R-ST6


async def test_r_st6_the_request_json_cap_fires_before_the_value_cap(pair: Any) -> None:
    emu, a, _ = pair
    s = a.storage
    await fails(emu, s.set_user_metadata([item("k", "x" * 16384)]), -12006, "setUserMetadata")
    many = [item(f"k{n}", "x" * 600) for n in range(32)]
    await fails(emu, s.set_user_metadata(many), -12006, "setUserMetadata")
    # {"k":"…"} is 8 bytes of JSON around the value
    await s.set_user_metadata([item("k", "x" * (16384 - 8))])
    await fails(emu, s.set_user_metadata([item("k", "x" * (16384 - 7))]), -12006, "setUserMetadata")


# ------------------------------------------------------------------------ R-ST7


async def test_r_st7_set_checks_the_lock_first_update_after_the_items(pair: Any) -> None:
    emu, a, _ = pair
    s = a.storage
    await fails(
        emu,
        s.set_channel_metadata(ROOM, "MESSAGE", [], lock_name="_bad"),
        -12007,
        "setChannelMetadata",
    )
    await fails(
        emu,
        s.update_channel_metadata(ROOM, "MESSAGE", [], lock_name="_bad"),
        -12003,
        "updateChannelMetadata",
    )
    await fails(
        emu,
        s.update_channel_metadata(ROOM, "MESSAGE", [item("k")], lock_name="_bad"),
        -12007,
        "updateChannelMetadata",
    )
    await fails(
        emu,
        s.remove_channel_metadata(ROOM, "MESSAGE", lock_name="lk"),
        -12008,
        "removeChannelMetadata",
    )


async def test_r_st7_clear_all_and_its_revision_check(pair: Any) -> None:
    emu, a, _ = pair
    s = a.storage
    await s.set_channel_metadata(ROOM, "MESSAGE", [item("a"), item("b")])
    await fails(
        emu,
        s.remove_channel_metadata(ROOM, "MESSAGE", major_revision=-2),
        -12005,
        "removeChannelMetadata",
    )
    await fails(
        emu,
        s.remove_channel_metadata(ROOM, "MESSAGE", major_revision=1.5),
        -12005,
        "removeChannelMetadata",
    )
    # a clear with majorRevision 0 is a CAS at 0 (R-ST20): stale now
    await fails(
        emu,
        s.remove_channel_metadata(ROOM, "MESSAGE", major_revision=0),
        -12014,
        "removeChannelMetadata",
    )
    await s.remove_channel_metadata(ROOM, "MESSAGE", data=[])
    state = await channel_state(a)
    assert (state["totalCount"], state["majorRevision"]) == (0, 2)
    await s.remove_channel_metadata(
        ROOM, "MESSAGE", {"majorRevision": "2"}
    )  # a numeric string passes


# ------------------------------------------------------------------------ R-ST8, D-ST10


async def test_r_st8_user_targets(pair: Any) -> None:
    emu, a, b = pair
    await a.storage.set_user_metadata([item("k", "for bob")], user_id="bob")
    got = await b.storage.get_user_metadata()
    assert got.user_id == "bob" and got.metadata["k"].value == "for bob"
    assert (await a.storage.set_user_metadata([item("me")], {"userId": ""})).user_id == "alice"
    assert "me" in (await a.storage.getUserMetadata({"userId": ""})).metadata
    await fails(emu, a.storage.get_user_metadata(user_id="_x"), -10006, "getUserMetadata")
    never = await a.storage.get_user_metadata(user_id="carol")
    assert never.to_dict() == {
        "timestamp": 0,
        "totalCount": 0,
        "majorRevision": 0,
        "metadata": {},
        "userId": "carol",
    }


# ------------------------------------------------------------------------ R-ST9, D-ST6


class HeldLocks:
    """A LockView where alice holds ``lk`` on the MESSAGE channel ``room`` at revision 7
    (her client) and ``server`` on the server."""

    def __init__(self, server: int) -> None:
        self.server = server

    def held_lock_revision(self, core: ClientCore, key: ChannelKey, lock_name: str) -> int:
        ok = core.user_id == "alice" and key[1] == ROOM and key[0].value == "MESSAGE"
        return 7 if ok and lock_name == "lk" else 0

    def holder_revision(self, app_id: str, key: ChannelKey, lock_name: str, user_id: str) -> int:
        return self.server if user_id == "alice" and lock_name == "lk" else 0


async def test_r_st9_lock_guarded_writes(pair: Any) -> None:
    emu, a, b = pair
    locks: LockView = HeldLocks(server=7)
    emu._engine.storage.locks = locks
    await a.storage.set_channel_metadata(ROOM, "MESSAGE", [item("k")], lock_name="lk")
    # the same name on the stream channel of that name is another lock
    await fails(
        emu,
        a.storage.set_channel_metadata(ROOM, "STREAM", [item("k")], lock_name="lk"),
        -12008,
        "setChannelMetadata",
    )
    await fails(
        emu,
        b.storage.set_channel_metadata(ROOM, "MESSAGE", [item("k")], lock_name="lk"),
        -12008,
        "setChannelMetadata",
    )
    await b.storage.set_channel_metadata(
        ROOM, "MESSAGE", [item("k", "b")]
    )  # no lock: never blocked
    # D-ST6: the server's revision moved on (the lock was taken again): code 10, -12001
    emu._engine.storage.locks = HeldLocks(server=8)
    await fails(
        emu,
        a.storage.update_channel_metadata(ROOM, "MESSAGE", [item("k", "x")], lock_name="lk"),
        -12001,
        "updateChannelMetadata",
    )


# ----------------------------------------------------------- R-ST11, D-ST2..D-ST5


async def test_d_st2_revisions(pair: Any) -> None:
    _, a, _ = pair
    s = a.storage
    await s.set_channel_metadata(ROOM, "MESSAGE", [item("a"), item("b")])
    await s.set_channel_metadata(ROOM, "MESSAGE", [item("b", "2")])
    meta = (await channel_state(a))["metadata"]
    assert (meta["a"]["revision"], meta["b"]["revision"]) == (1, 2)
    await s.set_channel_metadata(ROOM, "MESSAGE", [item("b", "2")])  # no change: no bump
    assert (await channel_state(a))["majorRevision"] == 2


async def test_d_st4_compare_and_set(pair: Any) -> None:
    emu, a, _ = pair
    s = a.storage
    await s.set_channel_metadata(ROOM, "MESSAGE", [item("a")], major_revision=0)
    await fails(
        emu,
        s.set_channel_metadata(ROOM, "MESSAGE", [item("a", "2")], major_revision=0),
        -12014,
        "setChannelMetadata",
    )
    await s.set_channel_metadata(ROOM, "MESSAGE", [item("a", "2")], major_revision=1)
    await fails(
        emu,
        s.set_channel_metadata(ROOM, "MESSAGE", [item("a", "3", 1)]),
        -12014,
        "setChannelMetadata",
    )
    await fails(
        emu,
        s.set_channel_metadata(ROOM, "MESSAGE", [item("a", "3", 0)]),
        -12014,
        "setChannelMetadata",
    )
    await s.update_channel_metadata(ROOM, "MESSAGE", [item("a", "3", 2)])
    await fails(
        emu,
        s.update_channel_metadata(ROOM, "MESSAGE", [item("a", "4"), item("zz")]),
        -12014,
        "updateChannelMetadata",
    )
    assert (await channel_state(a))["metadata"]["a"]["value"] == "3"  # all or nothing


async def test_d_st5_records_are_per_write(pair: Any) -> None:
    emu, a, b = pair
    await a.storage.set_channel_metadata(
        ROOM, "MESSAGE", [item("k")], add_time_stamp=True, add_user_id=True
    )
    first = (await channel_state(a))["metadata"]["k"]
    assert (first["updated"], first["authorUid"]) == (emu.now_ms, "alice")
    emu.advance(1)
    await b.storage.set_channel_metadata(ROOM, "MESSAGE", [item("k", "w")])
    second = (await channel_state(a))["metadata"]["k"]
    assert (second["updated"], second["authorUid"], second["revision"]) == (0, "", 2)


@pytest.mark.parametrize(
    ("reply", "code"),
    [(3, -12004), (6, -12014), (14, -12020), (100, -12018), (1, -12001), (42, -12001)],
)
async def test_r_st11_reply_codes(pair: Any, reply: int, code: int) -> None:
    emu, a, _ = pair
    emu._engine.set_storage_reply_code("alice", reply)
    await fails(emu, a.storage.set_user_metadata([item("k")]), code, "setUserMetadata")
    await fails(emu, a.storage.get_channel_metadata(ROOM, "MESSAGE"), code, "getChannelMetadata")
    emu._engine.set_storage_reply_code("alice", 0)
    assert (await a.storage.get_user_metadata()).total_count == 0


# ---------------------------------------------------------------- R-ST13, R-ST14


async def test_r_st13_subscribe_user_metadata(pair: Any) -> None:
    emu, a, b = pair
    heard = Heard(a)
    await a.storage.subscribe_user_metadata("bob")
    await a.storage.subscribe_user_metadata("bob")  # again: nothing
    await b.storage.set_user_metadata([item("k")])
    events = heard.take()
    assert [e["eventType"] for e in events] == ["SNAPSHOT", "UPDATE"]
    assert events[1] == {
        "channelType": "USER",
        "channelName": "",
        "publisher": "bob",
        "storageType": "USER",
        "eventType": "UPDATE",
        "data": {
            "totalCount": 1,
            "majorRevision": 1,
            "metadata": {"k": {"value": "v", "revision": 1, "updated": 0, "authorUid": ""}},
        },
        "timestamp": emu.now_ms,
    }
    await fails(emu, a.storage.subscribe_user_metadata(""), -10006, "subscribeUserMetadata")


async def test_r_st13_at_most_50_users(pair: Any) -> None:
    emu, a, _ = pair
    for n in range(50):
        await a.storage.subscribe_user_metadata(f"u{n}")
    await fails(emu, a.storage.subscribe_user_metadata("u50"), -12017, "subscribeUserMetadata")
    await a.storage.subscribe_user_metadata("u0")  # held already: resolves


async def test_r_st13_a_permission_fault_is_the_channel_code(pair: Any) -> None:
    emu, a, _ = pair
    emu._engine.set_storage_reply_code("alice", 14)
    with pytest.raises(RtmError) as caught:
        await a.storage.subscribe_user_metadata("bob")
    assert int(caught.value.error_code) == -11038


async def test_r_st14_unsubscribe(pair: Any) -> None:
    emu, a, b = pair
    heard = Heard(a)
    await fails(emu, a.storage.unsubscribe_user_metadata("bob"), -12015, "unsubscribeUserMetadata")
    await a.storage.subscribe_user_metadata("bob")
    emu.disconnect("alice")
    await a.storage.unsubscribe_user_metadata("bob")  # works while the link is down
    emu.reconnect("alice")
    emu.run_until_idle()
    await b.storage.set_user_metadata([item("k")])
    await a.storage.subscribe_user_metadata("bob")  # a new SNAPSHOT
    assert heard.kinds() == [("SNAPSHOT", 0), ("SNAPSHOT", 1)]


# ---------------------------------------------------------- R-ST15..R-ST18, D-ST8


async def test_r_st15_with_metadata_subscribe_and_join(pair: Any) -> None:
    _, a, b = pair
    ha, hb = Heard(a), Heard(b)
    await a.subscribe(ROOM, {"withMetadata": True})
    await b.create_stream_channel(ROOM).join({"withMetadata": True})
    await a.storage.set_channel_metadata(ROOM, "MESSAGE", [item("k")])
    await b.storage.set_channel_metadata(ROOM, "STREAM", [item("s")])
    assert ha.kinds() == [("SNAPSHOT", 0), ("UPDATE", 1)]  # the writer hears it too
    assert hb.kinds() == [("SNAPSHOT", 0), ("UPDATE", 1)]
    await a.subscribe(ROOM, {"withMetadata": False})
    await a.storage.set_channel_metadata(ROOM, "MESSAGE", [item("k", "2")])
    assert ha.take() == []
    await b.create_stream_channel(ROOM).leave()
    await b.storage.set_channel_metadata(ROOM, "STREAM", [item("s", "2")])
    assert hb.take() == []


async def test_r_st15_channel_sub_disabled_fails_the_subscribe(pair: Any) -> None:
    emu, a, _ = pair
    emu._engine.storage.set_parameters(a._core, channel_sub_enabled=False)
    await fails(emu, a.subscribe(ROOM, {"withMetadata": True}), -12019, "subscribe")
    assert emu.user_channels("alice") == []
    await a.subscribe(ROOM)


async def test_r_st16_channel_event_shape(pair: Any) -> None:
    emu, a, b = pair
    heard = Heard(b)
    await b.subscribe(ROOM, {"withMetadata": True, "withPresence": False})
    await a.storage.set_channel_metadata(ROOM, "MESSAGE", [item("k")], add_user_id=True)
    assert heard.take()[1] == {
        "channelName": ROOM,
        "channelType": "MESSAGE",
        "publisher": "",
        "storageType": "CHANNEL",
        "eventType": "UPDATE",
        "data": {
            "totalCount": 1,
            "majorRevision": 1,
            "metadata": {"k": {"value": "v", "revision": 1, "updated": 0, "authorUid": "alice"}},
        },
        "timestamp": emu.now_ms,
    }


async def test_d_st8_receivers_in_user_id_order(pair: Any) -> None:
    emu, a, b = pair
    z = emu.client("zed")
    await z.login()
    for client in (z, b, a):
        await client.subscribe(ROOM, {"withMetadata": True, "withPresence": False})
    emu.journal.clear()
    await z.storage.set_channel_metadata(ROOM, "MESSAGE", [item("k")])
    assert [r for r, _ in emu.journal.filter(kind="storage")] == ["alice", "bob", "zed"]


# ------------------------------------------------------------------------ R-ST19


async def test_r_st19_one_update_after_reconnect_none_when_unchanged(pair: Any) -> None:
    emu, a, b = pair
    heard = Heard(b)
    await b.subscribe(ROOM, {"withMetadata": True})
    await b.storage.subscribe_user_metadata("alice")
    emu.disconnect("bob")
    await a.storage.set_channel_metadata(ROOM, "MESSAGE", [item("k", "1")])
    await a.storage.set_channel_metadata(ROOM, "MESSAGE", [item("k", "2")])
    emu.reconnect("bob")
    emu.run_until_idle()
    events = heard.take()
    assert [(e["storageType"], e["eventType"], e["data"]["majorRevision"]) for e in events] == [
        ("CHANNEL", "SNAPSHOT", 0),
        ("USER", "SNAPSHOT", 0),
        ("CHANNEL", "UPDATE", 2),
    ]
    emu.disconnect("bob")
    emu.reconnect("bob")
    emu.run_until_idle()
    assert heard.take() == []


async def test_r_st19_logout_forgets_d_st1_metadata_persists(pair: Any) -> None:
    emu, a, b = pair
    heard = Heard(b)
    await b.storage.subscribe_user_metadata("alice")
    await a.storage.set_user_metadata([item("k")])
    await a.logout()
    await b.logout()
    await b.login()
    await fails(
        emu, b.storage.unsubscribe_user_metadata("alice"), -12015, "unsubscribeUserMetadata"
    )
    assert heard.kinds() == [("SNAPSHOT", 0), ("UPDATE", 1)]
    await b.storage.subscribe_user_metadata("alice")
    assert heard.kinds() == [("SNAPSHOT", 1)]


async def test_r_st19_a_kicked_client_keeps_its_subscriptions(pair: Any) -> None:
    emu, a, b = pair
    heard = Heard(b)
    await b.storage.subscribe_user_metadata("alice")
    other = emu.client("bob")
    await other.login()  # kicks b: FAILED
    await a.storage.set_user_metadata([item("k")])
    await other.logout()
    await b.login()
    assert heard.kinds() == [("SNAPSHOT", 0), ("UPDATE", 1)]


# ------------------------------------------------------------------- journal


async def test_storage_events_in_the_timeline(pair: Any) -> None:
    emu, a, b = pair
    await b.storage.subscribe_user_metadata("alice")
    await a.storage.set_user_metadata([item("k")])
    text = emu.journal.timeline()
    assert "alice (USER)" in text
    assert "-> bob: storage UPDATE USER rev 1 (1 item)" in text
    lines = emu.journal.filter(kind="storage").to_jsonl().splitlines()
    assert len(lines) == 2 and '"kind": "storage"' in lines[0]


# ------------------------------------------------- R-ST12, R-ST17, R-ST18, R-ST20


async def test_r_st12_gets_answer_at_once_with_the_current_state(pair: Any) -> None:
    _, a, b = pair
    await b.storage.set_channel_metadata(ROOM, "MESSAGE", [item("k")])
    # no timeout, no stale reply: the server's state of now, revision included
    assert (await channel_state(a))["majorRevision"] == 1


async def test_r_st17_only_snapshot_then_update(pair: Any) -> None:
    _, a, b = pair
    heard = Heard(a)
    await a.storage.subscribe_user_metadata("bob")
    await b.storage.set_user_metadata([item("k")])
    await b.storage.remove_user_metadata(data=[item("k")])
    await b.storage.set_user_metadata([item("j")])
    await b.storage.remove_user_metadata()
    assert heard.kinds() == [
        ("SNAPSHOT", 0),
        ("UPDATE", 1),
        ("UPDATE", 2),
        ("UPDATE", 3),
        ("UPDATE", 4),
    ]


async def test_r_st18_no_event_without_a_new_revision(pair: Any) -> None:
    _, a, b = pair
    heard = Heard(a)
    await a.subscribe(ROOM, {"withMetadata": True, "withPresence": False})
    await b.storage.remove_channel_metadata(ROOM, "MESSAGE")  # empty already: no change
    await b.storage.remove_channel_metadata(ROOM, "MESSAGE", data=[item("absent")])
    await a.subscribe(ROOM, {"withMetadata": True, "withPresence": False})  # held: nothing
    assert heard.kinds() == [("SNAPSHOT", 0)]


async def test_r_st20_clear_with_revision_zero_is_a_cas_at_zero(pair: Any) -> None:
    emu, a, _ = pair
    s = a.storage
    await s.remove_user_metadata(major_revision=0)  # the target is at 0: passes
    await s.set_user_metadata([item("k")])
    await fails(emu, s.remove_user_metadata(major_revision=0), -12014, "removeUserMetadata")
    await fails(
        emu,
        s.remove_user_metadata(data=[item("k")], major_revision=0),
        -12005,
        "removeUserMetadata",
    )
    await s.remove_user_metadata(major_revision=1)
    assert (await s.get_user_metadata()).to_dict()["majorRevision"] == 2


# ---------------------------------------------------------------- scripted users


async def test_scripted_users_write_and_hear_metadata() -> None:
    """R-ST8, R-ST13, R-ST15: a UserHandle's storage verbs log in first and chain."""
    emu = Emulator(strict=True)
    watcher = emu.client("watcher")
    heard = Heard(watcher)
    await watcher.login()
    await watcher.subscribe(ROOM, {"withMetadata": True, "withPresence": False})
    bob = emu.user("bob").subscribe_user_metadata("carol")
    bob.set_channel_metadata(ROOM, [item("k")], add_user_id=True).set_user_metadata([item("m")])
    emu.user("carol").set_user_metadata([item("c")])
    assert heard.kinds() == [("SNAPSHOT", 0), ("UPDATE", 1)]
    got = await watcher.storage.get_user_metadata(user_id="bob")
    assert got.metadata["m"].value == "v"
    assert [
        (e.event_type, e.publisher) for _, e in emu.journal.filter(kind="storage", recipient="bob")
    ] == [
        ("SNAPSHOT", "carol"),
        ("UPDATE", "carol"),
    ]


async def test_r_st4_update_user_metadata_reads_missing_data_as_empty(pair: Any) -> None:
    """R-ST4: updateUserMetadata alone passes ``data ?? []`` to the item conversion, so a
    missing ``data`` is -12003 there, while the other setters' ``forEach`` fails."""
    emu, alice, _ = pair
    await fails(emu, alice.storage.updateUserMetadata(None), -12003, "updateUserMetadata")
    with pytest.raises(SdkTypeError, match="undefined"):
        await alice.storage.setUserMetadata(None)


async def test_r_st15_a_refused_metadata_subscription(pair: Any) -> None:
    """R-ST15 under a reply-code fault (R-ST11): 14 fails a withMetadata subscribe with
    -11038 after the SDK joined (its presence SNAPSHOT), and the channel is left again;
    another code leaves withMetadata off (no SNAPSHOT)."""
    emu, alice, bob = pair
    emu.set_storage_reply_code("alice", 14)
    presence: list[str] = []
    alice.add_event_listener("presence", lambda e: presence.append(e.event_type.value))
    with pytest.raises(RtmError) as caught:
        await alice.subscribe(ROOM, {"withMetadata": True})
    assert (-11038, "subscribe", "RtmUnavailableError") == (
        int(caught.value.error_code),
        caught.value.operation,
        caught.value.name,
    )
    assert [] == emu.user_channels("alice")
    assert ["SNAPSHOT"] == presence
    emu.set_storage_reply_code("bob", 6)
    heard = Heard(bob)
    await bob.subscribe(ROOM, {"withMetadata": True})
    assert [] == heard.take()
    emu.set_storage_reply_code("alice", 0)
    await alice.storage.set_channel_metadata(ROOM, "MESSAGE", [item("a")])
    assert [] == heard.take()
