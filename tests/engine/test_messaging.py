"""Messages in MESSAGE and USER channels: publish, delivery, the SDK's filters (R-M1..R-M9,
R-M22..R-M24).

semantics.md "Messaging"; the evidence is the SDK runtime (agora-rtm.js 2.3.0, ``async
publish(`` and the message manager) and, where the server decides, the emulator's rules.
Every delivery is compared as the SDK's JSON (``MessageEvent.to_dict()``) with the fake
clock's timestamps; every failing call through :func:`~.messaging_support.fails`, which
also checks that nothing changed and nothing was emitted.
"""

from __future__ import annotations

import array
import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rtm_emulator import Emulator, EmulatorConfig, MessageEvent, RtmError
from rtm_emulator.testing import drive

from .messaging_support import IA, LE, Inbox, fails, logged_in, message

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_735_689_600_000


async def pair(emu: Emulator) -> tuple[Any, Any, Inbox, Inbox]:
    alice, bob = await logged_in(emu, "alice", "bob")
    await bob.subscribe("room")
    return alice, bob, Inbox(alice), Inbox(bob)


# ======================================================================== R-M1 checks


BAD_MESSAGES = ["", None, 5, 0, {}, [], True, 2.5, array.array("H", [1])]


class TestPublishChecks:
    """R-M1: the SDK's check order, first fault wins; nothing changes on a failure."""

    async def test_r_m1_channel_type_comes_before_the_link(self, emu: Emulator) -> None:
        idle = emu.client("idle")
        await fails(
            emu, lambda: idle.publish("room", "hi", channel_type="STREAM"), -10019, "publish"
        )
        await fails(
            emu, lambda: idle.publish("room", "hi"), -10025, "publish", name="RtmInvalidStatusError"
        )

    async def test_r_m1_link_comes_before_the_name_and_the_message(self, emu: Emulator) -> None:
        idle = emu.client("idle")
        await fails(emu, lambda: idle.publish("a.b", ""), -10025, "publish")

    @pytest.mark.parametrize("value", ["STREAM", "user", "message", "USER ", 5, True, ["USER"]])
    async def test_r_m1_channel_type_must_be_exact(self, emu: Emulator, value: Any) -> None:
        alice, *_ = await pair(emu)
        await fails(
            emu, lambda: alice.publish("room", "hi", {"channelType": value}), -10019, "publish"
        )

    @pytest.mark.parametrize(
        "options", [{"channelType": ""}, {"channelType": 0}, {"channelType": None}, "USER", None, 7]
    )
    async def test_r_m1_falsy_channel_type_or_odd_options_mean_message(
        self, emu: Emulator, options: Any
    ) -> None:
        alice, _, _, inbox = await pair(emu)
        assert {"timestamp": 0, "channelName": "room"} == (
            await alice.publish("room", "hi", options)
        ).to_dict()
        assert [message("room", "alice", "hi", ts=T0)] == inbox.take()

    @pytest.mark.parametrize("name", ["a.b", "", "_x", "x" * 65, 5, None, "*s*x"])
    @pytest.mark.parametrize("kind", ["MESSAGE", "USER"])
    async def test_r_m1_the_name_rule_applies_to_users_too(
        self, emu: Emulator, name: Any, kind: str
    ) -> None:
        alice, *_ = await pair(emu)
        await fails(emu, lambda: alice.publish(name, "", channel_type=kind), -10008, "publish")

    @pytest.mark.parametrize("body", BAD_MESSAGES, ids=repr)
    async def test_r_m1_message_is_a_nonempty_string_or_bytes(
        self, emu: Emulator, body: Any
    ) -> None:
        alice, *_ = await pair(emu)
        await fails(emu, lambda: alice.publish("room", body, custom_type=5), -11009, "publish")

    @pytest.mark.parametrize(
        "body", [b"", bytearray(b"\x01"), memoryview(b"\x01\x02"), "a b"], ids=repr
    )
    async def test_r_m1_accepted_messages(self, emu: Emulator, body: Any) -> None:
        alice, _, _, inbox = await pair(emu)
        await alice.publish("room", body)
        delivered = inbox.take()[0]["message"]
        assert (bytes(body) if not isinstance(body, str) else body) == delivered
        assert type(delivered) is (str if isinstance(body, str) else bytes)

    @pytest.mark.parametrize(
        ("body", "ok"),
        [
            ("x" * 32768, True),
            ("x" * 32769, False),
            ("é" * 16384, True),
            ("é" * 16385, False),
            (b"\0" * 32768, True),
            (b"\0" * 32769, False),
        ],
        ids=["32768", "32769", "e16384", "e16385", "b32768", "b32769"],
    )
    async def test_r_m1_size_limit_alone_is_invalid_argument(
        self, emu: Emulator, body: Any, ok: bool
    ) -> None:
        alice, *_ = await pair(emu)
        for kind in ("MESSAGE", "USER"):
            target = "room" if kind == "MESSAGE" else "bob"
            if ok:
                await alice.publish(target, body, channel_type=kind)
            else:
                await fails(
                    emu,
                    lambda t=target, k=kind: alice.publish(t, body, channel_type=k, custom_type=5),
                    -11010,
                    "publish",
                    name=IA,
                )

    @pytest.mark.parametrize(
        ("custom", "code"),
        [
            ("c" * 32, None),
            ("c" * 33, -11029),
            ("é" * 16, None),
            ("é" * 17, -11029),
            ("", None),
            (0, None),
            (False, None),
            (None, None),
            (5, -11030),
            (True, -11030),
            ({}, -11030),
            (bytes(40), -11029),
            (bytes(3), -11030),
            (" ", None),
            ("a.b", None),
        ],
        ids=repr,
    )
    async def test_r_m1_custom_type(self, emu: Emulator, custom: Any, code: int | None) -> None:
        alice, _, _, inbox = await pair(emu)
        if code is None:
            await alice.publish("room", "hi", {"customType": custom})
            shown = custom if isinstance(custom, str) else ""
            assert [message("room", "alice", "hi", ts=T0, custom=shown)] == inbox.take()
        else:
            await fails(
                emu,
                lambda: alice.publish("room", "hi", {"customType": custom, "storeInHistory": 1}),
                code,
                "publish",
            )

    async def test_r_m1_store_in_history_while_history_is_off(self, emu: Emulator) -> None:
        alice, _, _, inbox = await pair(emu)
        alice._core.history_enabled = False
        await fails(
            emu,
            lambda: alice.publish("room", "hi", store_in_history=True),
            -15005,
            "publish",
            name=IA,
        )
        await fails(
            emu,
            lambda: alice.publish("room", "hi", {"storeInHistory": True, "customType": 5}),
            -11030,
            "publish",
        )
        await alice.publish("room", "hi", {"storeInHistory": False})
        await alice.publish("room", "hi", {"storeInHistory": ""})
        assert 2 == len(inbox.take())

    @pytest.mark.parametrize("binary", [False, True])
    async def test_r_m1_message_and_custom_type_together_are_limit_exceeded(
        self, emu: Emulator, binary: bool
    ) -> None:
        alice, *_ = await pair(emu)

        def body(n: int) -> Any:
            return b"\0" * n if binary else "x" * n

        await alice.publish("room", body(32760), custom_type="c" * 8)
        await fails(
            emu,
            lambda: alice.publish("room", body(32761), custom_type="c" * 8),
            -11010,
            "publish",
            name=LE,
        )
        await fails(
            emu,
            lambda: alice.publish("room", body(32768), custom_type="c"),
            -11010,
            "publish",
            name=LE,
        )

    async def test_r_m1_no_subscription_is_needed_to_publish(self, emu: Emulator) -> None:
        (alice,) = await logged_in(emu, "alice")
        assert "nobody" == (await alice.publish("nobody", "hi")).channel_name

    async def test_r_m1_link_down_and_after_logout(self, emu: Emulator) -> None:
        alice, *_ = await pair(emu)
        emu.disconnect("alice")
        await fails(emu, lambda: alice.publish("room", "hi"), -10025, "publish")
        await fails(emu, lambda: alice.publish("a.b", "hi"), -10025, "publish")
        await alice.logout()
        await fails(emu, lambda: alice.publish("room", "hi"), -10025, "publish")

    async def test_r_m1_rate_limit_comes_first(self) -> None:
        emu = Emulator(EmulatorConfig(rate_limits=True), strict=True)
        alice, *_ = await pair(emu)
        emu.advance(1)
        for _ in range(60):
            await alice.publish("room", "hi")
        err = await fails(
            emu, lambda: alice.publish("room", "hi", channel_type="STREAM"), -10021, "publish"
        )
        assert "publish" == err.operation
        emu.advance(1)
        await alice.publish("room", "hi")


# ======================================================================== R-M2, R-M3


async def test_r_m2_publish_resolves_the_name_as_given(emu: Emulator) -> None:
    alice, *_ = await pair(emu)
    user = await alice.publish("bob", "psst", channel_type="USER")
    assert {"timestamp": 0, "channelName": "bob"} == user.to_dict()
    assert ("room", 0) == ((r := await alice.publish("room", "x")).channel_name, r.timestamp)


async def test_r_m3_a_publish_is_acknowledged_before_the_call_returns(emu: Emulator) -> None:
    alice, _, _, inbox = await pair(emu)
    before = emu.pending_timers()
    await alice.publish("room", "hi")
    assert [message("room", "alice", "hi", ts=T0)] == inbox.take()
    assert before == emu.pending_timers()  # no retry or timeout timer


# ======================================================================== R-M4, R-M9, R-M23


class TestDelivery:
    async def test_r_m9_channel_messages_reach_subscribers_and_the_subscribed_publisher(
        self, emu: Emulator
    ) -> None:
        alice, bob, carol = await logged_in(emu, "alice", "bob", "carol")
        inboxes = {c.user_id: Inbox(c) for c in (alice, bob, carol)}
        await alice.subscribe("room")
        await bob.subscribe("room")
        await carol.subscribe("other")
        await alice.publish("room", "hello")
        expected = message("room", "alice", "hello", ts=T0)
        assert [expected] == inboxes["alice"].take()
        assert [expected] == inboxes["bob"].take()
        assert [] == inboxes["carol"].take()
        await carol.publish("room", "from outside")
        assert ["from outside"] == inboxes["alice"].texts() == inboxes["bob"].texts()
        assert [] == inboxes["carol"].take()

    async def test_r_m9_other_apps_do_not_hear(self, emu: Emulator) -> None:
        app2 = "B" * 32
        alice = emu.client("alice")
        other = emu.client("bob", app_id=app2)
        await alice.login()
        await other.login()
        await other.subscribe("room")
        inbox = Inbox(other)
        await alice.publish("room", "hi")
        await fails(emu, lambda: alice.publish("bob", "hi", channel_type="USER"), -11033, "publish")
        assert [] == inbox.take()

    async def test_r_m9_r_m23_user_messages_reach_the_target_only(self, emu: Emulator) -> None:
        alice, bob, carol = await logged_in(emu, "alice", "bob", "carol")
        inboxes = {c.user_id: Inbox(c) for c in (alice, bob, carol)}
        await alice.publish("bob", b"\x09", {"channelType": "USER", "customType": "bin"})
        assert [message("alice", "alice", b"\x09", ts=T0, kind="USER", custom="bin")] == inboxes[
            "bob"
        ].take()
        assert [] == inboxes["alice"].take() == inboxes["carol"].take()
        await alice.publish("alice", "me", channel_type="USER")
        assert [message("alice", "alice", "me", ts=T0, kind="USER")] == inboxes["alice"].take()

    async def test_r_m4_user_message_needs_no_subscription_and_fails_when_offline(
        self, emu: Emulator
    ) -> None:
        alice, bob = await logged_in(emu, "alice", "bob")
        inbox = Inbox(bob)
        await alice.publish("bob", "dm", channel_type="USER")
        assert ["dm"] == inbox.texts()
        await fails(
            emu,
            lambda: alice.publish("carol", "x", channel_type="USER", store_in_history=True),
            -11033,
            "publish",
        )
        assert 0 == (await alice.history.get_messages("alice", "USER")).count
        await bob.logout()
        await fails(emu, lambda: alice.publish("bob", "x", channel_type="USER"), -11033, "publish")

    async def test_r_m4_a_kicked_user_is_reached_on_its_new_client(self, emu: Emulator) -> None:
        alice, bob = await logged_in(emu, "alice", "bob")
        old = Inbox(bob)
        bob2 = emu.client("bob")
        await bob2.login()
        new = Inbox(bob2)
        await alice.publish("bob", "dm", channel_type="USER")
        assert ([], ["dm"]) == (old.texts(), new.texts())

    async def test_r_m8_each_senders_order_and_recipients_in_user_id_order(
        self, emu: Emulator
    ) -> None:
        users = ["zed", "Bob", "amy", "10", "9"]
        clients = await logged_in(emu, *users)
        for client in clients:
            await client.subscribe("room")
        since = len(emu.journal)
        for i in range(5):
            await clients[i % 2].publish("room", f"m{i}")
        got = [
            (entry.recipient, entry.event.message)
            for entry in emu.journal.entries[since:]
            if isinstance(entry.event, MessageEvent)
        ]
        order = sorted(users)  # code-point order: "10" < "9" < "Bob" < "amy" < "zed"
        assert [(u, f"m{i}") for i in range(5) for u in order] == got


# ======================================================================== R-M5, R-M6


class TestWithMessage:
    async def test_r_m5_with_message_defaults_to_true_and_can_be_changed(
        self, emu: Emulator
    ) -> None:
        alice, bob = await logged_in(emu, "alice", "bob")
        inbox = Inbox(bob)
        await bob.subscribe("m1", {"withMessage": False})
        await alice.publish("m1", "one")
        await bob.subscribe("m1", with_message=True)
        await alice.publish("m1", "two")
        await bob.subscribe("m1", {"withMessage": False})
        await alice.publish("m1", "three")
        await bob.subscribe("m1", {"withMessage": None})
        await alice.publish("m1", "four")
        await bob.subscribe("m2")
        await alice.publish("m2", "five")
        await bob.unsubscribe("m2")
        await alice.publish("m2", "six")
        assert ["two", "four", "five"] == inbox.texts()

    async def test_r_m5_with_message_false_keeps_presence(self, emu: Emulator) -> None:
        alice, bob = await logged_in(emu, "alice", "bob")
        seen: list[str] = []
        bob.add_event_listener("presence", lambda e: seen.append(e.event_type.value))
        await bob.subscribe("room", with_message=False)
        await alice.subscribe("room")
        assert ["SNAPSHOT", "REMOTE_JOIN"] == seen
        assert ["alice", "bob"] == emu.online_users("room", "MESSAGE")

    async def test_r_m6_the_receiver_filters_when_the_message_arrives(self, emu: Emulator) -> None:
        alice, bob = await logged_in(emu, "alice", "bob")
        await bob.subscribe("room")
        await bob.subscribe("quiet")
        inbox = Inbox(bob)
        emu.set_delivery_latency("bob", 1)
        await alice.publish("room", "dropped: unsubscribed meanwhile")
        await alice.publish("quiet", "dropped: withMessage false meanwhile")
        await alice.publish("bob", "kept: user messages are never filtered", channel_type="USER")
        await bob.unsubscribe("room")
        await bob.subscribe("quiet", with_message=False)
        assert [] == inbox.take()
        emu.advance(1)
        assert [
            message(
                "alice",
                "alice",
                "kept: user messages are never filtered",
                ts=T0 + 1000,
                kind="USER",
            )
        ] == inbox.take()
        assert not [
            e for _, e in emu.journal if isinstance(e, MessageEvent) and e.channel_type == "MESSAGE"
        ]


# ======================================================================== R-M7, R-M24


async def test_r_m7_the_message_event_shape(emu: Emulator) -> None:
    alice, _, _, inbox = await pair(emu)
    emu.advance(0.12)
    await alice.publish("room", b"\x01\x02\x03", custom_type="ct")
    event = inbox.take()[0]
    assert [
        "channelName",
        "publisher",
        "message",
        "messageType",
        "customType",
        "channelType",
        "topicName",
        "timestamp",
    ] == list(event)
    assert message("room", "alice", b"\x01\x02\x03", ts=T0 + 120, custom="ct") == event
    assert "publishTime" not in event


async def test_r_m7_text_arrives_as_the_utf8_transport_returns_it(emu: Emulator) -> None:
    alice, _, _, inbox = await pair(emu)
    await alice.publish("room", "a\ud800b")  # a lone surrogate: U+FFFD, as TextEncoder
    assert ["a\ufffdb"] == inbox.texts()


async def test_r_m24_timestamps_are_the_clock_at_delivery(emu: Emulator) -> None:
    alice, _, _, inbox = await pair(emu)
    emu.set_delivery_latency("bob", 2.5)
    emu.advance(1)
    await alice.publish("room", "late", store_in_history=True)
    assert [] == inbox.take()
    emu.advance(2.5)
    assert [message("room", "alice", "late", ts=T0 + 3500)] == inbox.take()
    stored = await alice.history.get_messages("room", "MESSAGE")
    assert [T0 + 1000] == [m.timestamp for m in stored.message_list]


# ======================================================================== R-M22


class TestLinkDown:
    async def test_r_m22_messages_are_kept_and_delivered_in_order(self, emu: Emulator) -> None:
        alice, bob = await logged_in(emu, "alice", "bob")
        await bob.subscribe("room")
        inbox = Inbox(bob)
        emu.disconnect("bob")
        await alice.publish("room", "one")
        await alice.publish("bob", "two", channel_type="USER")
        await alice.publish("room", "three")
        assert [] == inbox.take()
        emu.reconnect("bob")
        due = emu.next_timer_at
        assert due is not None
        emu.advance_to_next_event()
        assert "CONNECTED" == bob.link_state.value
        assert [
            message("room", "alice", "one", ts=due),
            message("alice", "alice", "two", ts=due, kind="USER"),
            message("room", "alice", "three", ts=due),
        ] == inbox.take()
        await alice.publish("room", "four")
        assert ["four"] == inbox.texts()

    async def test_r_m22_at_most_100_are_kept_the_oldest_dropped(self, emu: Emulator) -> None:
        alice, bob = await logged_in(emu, "alice", "bob")
        await bob.subscribe("room")
        inbox = Inbox(bob)
        emu.disconnect("bob")
        for i in range(105):
            await alice.publish("room", f"m{i}")
        emu.reconnect("bob")
        emu.advance_to_next_event()
        assert [f"m{i}" for i in range(5, 105)] == inbox.texts()

    async def test_r_m22_only_messages_for_it_when_published(self, emu: Emulator) -> None:
        alice, bob = await logged_in(emu, "alice", "bob")
        await bob.subscribe("quiet", with_message=False)
        await bob.subscribe("room")
        inbox = Inbox(bob)
        emu.disconnect("bob")
        await alice.publish("quiet", "never for bob")
        await alice.publish("room", "dropped: bob unsubscribed while down (R-M6)")
        await bob.unsubscribe("room")
        await alice.publish("bob", "dm", channel_type="USER")
        emu.reconnect("bob")
        emu.advance_to_next_event()
        assert ["dm"] == inbox.texts()

    @pytest.mark.parametrize("end", ["timeout", "logout", "kick"])
    async def test_r_m22_a_session_that_ends_loses_them(self, emu: Emulator, end: str) -> None:
        alice, bob = await logged_in(emu, "alice", "bob")
        await bob.subscribe("room")
        inbox = Inbox(bob)
        emu.disconnect("bob")
        await alice.publish("room", "lost")
        if end == "timeout":
            emu.advance(bob.config.timeout_ms / 1000)
            await fails(
                emu, lambda: alice.publish("bob", "x", channel_type="USER"), -11033, "publish"
            )
            emu.reconnect("bob")
            emu.advance_to_next_event()
            assert "CONNECTED" == bob.link_state.value
        elif end == "logout":
            await bob.logout()
            await bob.login()
            await bob.subscribe("room")
        else:
            emu.reconnect("bob")  # the network is back, the link not yet: then a kick
            bob2 = emu.client("bob")
            await bob2.login()
            await bob.login()  # back from FAILED, kicking bob2
        assert [] == inbox.take()
        await alice.publish("room", "after")
        assert ["after"] == inbox.texts()

    async def test_r_m22_a_late_message_whose_link_went_down_is_kept(self, emu: Emulator) -> None:
        alice, bob = await logged_in(emu, "alice", "bob")
        await bob.subscribe("room")
        inbox = Inbox(bob)
        emu.set_delivery_latency("bob", 1)
        await alice.publish("room", "late")
        emu.disconnect("bob")
        emu.advance(1)
        assert [] == inbox.take()
        emu.set_delivery_latency("bob", 0)
        emu.reconnect("bob")
        emu.advance_to_next_event()
        assert ["late"] == inbox.texts()


# ======================================================================== the journal


async def test_journal_records_messages_under_their_listener_name(emu: Emulator) -> None:
    alice, _, _, _ = await pair(emu)
    await alice.publish("room", b"\x00\xff", custom_type="raw")
    entries = emu.journal.filter(kind="message").entries
    assert [("bob", "message")] == [(e.recipient, e.kind) for e in entries]
    assert 1 == len(emu.journal.filter(kind="message", channel="room", publisher="alice"))
    assert 0 == len(emu.journal.filter(kind="message", channel="elsewhere"))
    line = json.loads(emu.journal.filter(kind="message").to_jsonl())
    assert {"$": "bytes", "base64": "AP8="} == line["event"]["message"]
    assert "message" in emu.journal.timeline()


# ======================================================================== determinism


def _script(seed: int) -> str:
    """A seeded messaging script; returns the journal as JSON lines."""
    rng = random.Random(seed)
    emu = Emulator(strict=True)
    users = [f"u{i}" for i in range(8)] + ["Zed", "ax"]
    clients = {u: emu.client(u) for u in users}
    for client in clients.values():
        drive(client.login())
    for _ in range(300):
        uid = rng.choice(users)
        client = clients[uid]
        action = rng.randrange(8)
        try:
            if action == 0:
                drive(client.subscribe(rng.choice(["a", "b"]), with_message=rng.random() < 0.7))
            elif action == 1:
                drive(client.unsubscribe(rng.choice(["a", "b"])))
            elif action == 2:
                drive(client.publish(rng.choice(["a", "b"]), f"m{rng.randrange(99)}"))
            elif action == 3:
                drive(client.publish(rng.choice(users), "dm", channel_type="USER"))
            elif action == 4:
                emu.disconnect(uid)
            elif action == 5:
                emu.reconnect(uid)
            elif action == 6:
                emu.advance(rng.choice([0.5, 3, 40]))
            else:
                stream = client.create_stream_channel("s")
                step = rng.randrange(4)
                if step == 0:
                    drive(stream.join())
                elif step == 1:
                    drive(stream.join_topic(rng.choice(["t1", "t2"])))
                elif step == 2:
                    drive(stream.subscribe_topic(rng.choice(["t1", "t2"])))
                else:
                    drive(stream.publish_topic_message(rng.choice(["t1", "t2"]), "tm"))
        except (RtmError, ValueError):
            pass
    emu.check_invariants()
    return emu.journal.to_jsonl()


if __name__ == "__main__":  # the determinism test runs this under several hash seeds
    sys.stdout.write(hashlib.sha256(_script(int(sys.argv[1])).encode()).hexdigest())


def test_r_e7_messaging_is_the_same_under_every_hash_seed() -> None:
    """The same messaging script gives the same journal under two PYTHONHASHSEEDs."""
    digests = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-m", "tests.engine.test_messaging", "5"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        digests.append(done.stdout)
    assert digests[0] == digests[1]
    assert digests[0] == hashlib.sha256(_script(5).encode()).hexdigest()
