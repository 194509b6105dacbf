"""Message history: ``rtm.history.getMessages`` and what ``storeInHistory`` keeps
(R-M10, R-M11, R-M24).

semantics.md "Messaging"; the check order and the result's shape are the SDK runtime's
(agora-rtm.js 2.3.0, ``getMessages`` and its ``StateHistoryGet2`` request), what is stored
and how a page is cut are the emulator's rules.
"""

from __future__ import annotations

from typing import Any

import pytest

from rtm_emulator import Emulator, EmulatorConfig, GetMessagesResponse, HistoryMessage

from .messaging_support import fails, logged_in

T0 = 1_735_689_600_000


async def stored(emu: Emulator, n: int, *, channel: str = "room", step: float = 1) -> Any:
    """alice publishes ``m0``..``m{n-1}`` to ``channel``, ``step`` seconds apart, stored."""
    (alice,) = await logged_in(emu, "alice")
    for i in range(n):
        await alice.publish(channel, f"m{i}", store_in_history=True)
        emu.advance(step)
    return alice


def texts(result: GetMessagesResponse) -> list[Any]:
    return [m.message for m in result.message_list]


class TestChecks:
    """R-M10: rate → channel type → link → history enabled → name → own user → range."""

    async def test_r_m10_channel_type_before_the_link(self, emu: Emulator) -> None:
        idle = emu.client("idle")
        for kind in ("STREAM", None, "user", 5):
            await fails(
                emu,
                lambda kind=kind: idle.history.get_messages("room", kind),
                -10019,
                "getMessages",
            )
        await fails(emu, lambda: idle.history.getMessages("room", "MESSAGE"), -10025, "getMessages")

    async def test_r_m10_link_connected(self, emu: Emulator) -> None:
        (alice,) = await logged_in(emu, "alice")
        emu.disconnect("alice")
        await fails(
            emu, lambda: alice.history.get_messages("room", "MESSAGE"), -10025, "getMessages"
        )

    async def test_r_m10_history_disabled_before_the_name(self, emu: Emulator) -> None:
        (alice,) = await logged_in(emu, "alice")
        alice._core.history_enabled = False
        for name in ("room", "a.b"):
            await fails(
                emu,
                lambda name=name: alice.history.get_messages(name, "MESSAGE"),
                -15005,
                "getMessages",
            )
        await fails(
            emu, lambda: alice.history.get_messages("room", "STREAM"), -10019, "getMessages"
        )

    @pytest.mark.parametrize("kind", ["MESSAGE", "USER"])
    async def test_r_m10_the_name(self, emu: Emulator, kind: str) -> None:
        (alice,) = await logged_in(emu, "alice")
        await fails(emu, lambda: alice.history.get_messages("a.b", kind), -10008, "getMessages")

    async def test_r_m10_only_ones_own_user_history(self, emu: Emulator) -> None:
        (alice,) = await logged_in(emu, "alice")
        await fails(emu, lambda: alice.history.get_messages("bob", "USER"), -15004, "getMessages")
        assert 0 == (await alice.history.get_messages("alice", "USER")).count

    @pytest.mark.parametrize(
        ("start", "end", "ok"),
        [
            (100, 200, False),
            (200, 200, False),
            (86_400_201, 200, False),
            (86_400_200, 200, True),
            (5, None, True),
            (None, 5, True),
            (-1, 5, True),
            ("x", 5, True),
        ],
    )
    async def test_r_m10_start_newer_than_end_by_at_most_a_day(
        self, emu: Emulator, start: Any, end: Any, ok: bool
    ) -> None:
        (alice,) = await logged_in(emu, "alice")
        options = {"start": start, "end": end}
        if ok:
            assert 0 == (await alice.history.getMessages("room", "MESSAGE", options)).count
        else:
            await fails(
                emu,
                lambda: alice.history.get_messages("room", "MESSAGE", start=start, end=end),
                -15002,
                "getMessages",
            )

    async def test_r_m10_rate_limit_first(self) -> None:
        emu = Emulator(EmulatorConfig(rate_limits=True), strict=True)
        (alice,) = await logged_in(emu, "alice")
        for _ in range(20):
            await alice.history.get_messages("room", "MESSAGE")
        await fails(
            emu, lambda: alice.history.get_messages("room", "STREAM"), -10021, "getMessages"
        )


class TestStore:
    """R-M11: what is stored, the result, paging."""

    async def test_r_m11_only_store_in_history_is_kept_newest_first(self, emu: Emulator) -> None:
        (alice, bob) = await logged_in(emu, "alice", "bob")
        await alice.publish("room", "h1", custom_type="ct1", store_in_history=True)
        emu.advance(0.03)
        await alice.publish("room", "not kept")
        await bob.publish("room", b"\x07\x08", {"storeInHistory": True})
        result = await bob.history.getMessages("room", "MESSAGE")
        assert {
            "messageList": [
                {
                    "message": b"\x07\x08",
                    "customType": "",
                    "messageType": "BINARY",
                    "publisher": "bob",
                    "timestamp": T0 + 30,
                },
                {
                    "message": "h1",
                    "customType": "ct1",
                    "messageType": "STRING",
                    "publisher": "alice",
                    "timestamp": T0,
                },
            ],
            "count": 2,
            "newStart": 0,
            "timestamp": 0,
        } == result.to_dict()
        assert HistoryMessage("h1", "alice", "ct1", T0) == result.message_list[1]

    async def test_r_m11_channels_are_apart(self, emu: Emulator) -> None:
        alice = await stored(emu, 2, channel="a")
        await alice.publish("b", "other", store_in_history=True)
        assert ["m1", "m0"] == texts(await alice.history.get_messages("a", "MESSAGE"))
        assert ["other"] == texts(await alice.history.get_messages("b", "MESSAGE"))

    async def test_r_m11_user_history_is_the_callers_conversation(self, emu: Emulator) -> None:
        alice, bob, carol = await logged_in(emu, "alice", "bob", "carol")
        await alice.publish("bob", "a->b", channel_type="USER", store_in_history=True)
        emu.advance(1)
        await bob.publish("alice", "b->a", channel_type="USER", store_in_history=True)
        await carol.publish("bob", "c->b", channel_type="USER", store_in_history=True)
        await alice.publish("alice", "a->a", channel_type="USER", store_in_history=True)
        await carol.publish("alice", "not kept", channel_type="USER")
        assert ["a->a", "b->a", "a->b"] == texts(await alice.history.get_messages("alice", "USER"))
        assert ["c->b", "b->a", "a->b"] == texts(await bob.history.get_messages("bob", "USER"))
        assert ["c->b"] == texts(await carol.history.get_messages("carol", "USER"))
        assert [] == texts(await alice.history.get_messages("alice", "MESSAGE"))

    async def test_r_m11_paging_with_new_start(self, emu: Emulator) -> None:
        alice = await stored(emu, 5)
        first = await alice.history.get_messages("room", "MESSAGE", message_count=2)
        assert (["m4", "m3"], T0 + 3000) == (texts(first), first.new_start)
        second = await alice.history.get_messages(
            "room", "MESSAGE", {"messageCount": 2, "start": first.new_start}
        )
        assert (["m2", "m1"], T0 + 1000) == (texts(second), second.new_start)
        third = await alice.history.get_messages(
            "room", "MESSAGE", message_count=2, start=second.new_start
        )
        assert (["m0"], 0) == (texts(third), third.new_start)

    async def test_r_m11_start_is_exclusive_end_inclusive(self, emu: Emulator) -> None:
        alice = await stored(emu, 5)
        window = await alice.history.get_messages("room", "MESSAGE", start=T0 + 3000, end=T0 + 1000)
        assert (["m2", "m1"], 0) == (texts(window), window.new_start)
        cut = await alice.history.get_messages(
            "room", "MESSAGE", start=T0 + 4000, end=T0 + 1000, message_count=2
        )
        assert (["m3", "m2"], T0 + 2000) == (texts(cut), cut.new_start)
        assert ["m4", "m3"] == texts(
            await alice.history.get_messages("room", "MESSAGE", end=T0 + 3000)
        )

    @pytest.mark.parametrize(
        ("count", "listed"),
        [(None, 100), (0, 100), (500, 100), (7, 7), (-3, 100), ("x", 100), (2.5, 100), (True, 100)],
    )
    async def test_r_m10_r_m11_the_page_size(self, emu: Emulator, count: Any, listed: int) -> None:
        alice = await stored(emu, 120, step=0.001)
        result = await alice.history.getMessages("room", "MESSAGE", {"messageCount": count})
        assert listed == result.count
        assert [f"m{i}" for i in range(119, 119 - listed, -1)] == texts(result)
        assert result.message_list[-1].timestamp == result.new_start

    async def test_r_m24_history_timestamps_are_the_publish_time(self, emu: Emulator) -> None:
        alice = await stored(emu, 3, step=2)
        assert [T0 + 4000, T0 + 2000, T0] == [
            m.timestamp for m in (await alice.history.get_messages("room", "MESSAGE")).message_list
        ]
