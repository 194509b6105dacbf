"""Presence queries through the SDK-shaped client (R-Q1 .. R-Q6, R-T1 timestamps).

``getOnlineUsers`` / ``whoNow`` (R-Q1..R-Q4), ``getUserChannels`` / ``whereNow`` (R-Q5)
and ``getState`` (R-Q6): results, ordering, paging under churn, bookmarks, errors.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import os
import random
import string
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from rtm_emulator import (
    ChannelType,
    Emulator,
    EmulatorConfig,
    ErrorCode,
    GetOnlineUsersResponse,
    RTMClient,
    RtmError,
)

from ..conftest import login, login_recorded

T0 = 1_735_689_600_000
INVALID_ARG = ErrorCode.PRESENCE_INVALID_ARGUMENT
NOT_EXIST = ErrorCode.PRESENCE_USER_NOT_EXIST

#: (method to call, the SDK operation name its errors carry)
WHO_NOW_SPELLINGS = [
    ("who_now", "whoNow"),
    ("whoNow", "whoNow"),
    ("get_online_users", "getOnlineUsers"),
    ("getOnlineUsers", "getOnlineUsers"),
]
WHERE_NOW_SPELLINGS = [
    ("where_now", "whereNow"),
    ("whereNow", "whereNow"),
    ("get_user_channels", "getUserChannels"),
    ("getUserChannels", "getUserChannels"),
]


def ids_of(response: GetOnlineUsersResponse) -> list[str]:
    """The user ids of a page, in order."""
    return [o.user_id for o in response.occupants]


async def fill(emu: Emulator, channel: str, *user_ids: str, **kwargs: Any) -> list[RTMClient]:
    """Log in each user and subscribe it to ``channel`` (not listening: no events)."""
    kwargs.setdefault("with_presence", False)
    clients = await login(emu, *user_ids)
    for client in clients:
        await client.subscribe(channel, **kwargs)
    return clients


async def walk(client: RTMClient, channel: str, **options: Any) -> list[GetOnlineUsersResponse]:
    """Every page of ``get_online_users`` from the first to the one with ``nextPage ""``."""
    pages = [await client.presence.get_online_users(channel, "MESSAGE", **options)]
    while pages[-1].next_page:
        page = pages[-1].next_page
        pages.append(
            await client.presence.get_online_users(channel, "MESSAGE", page=page, **options)
        )
    return pages


async def raises(awaitable: Any) -> RtmError:
    """Await ``awaitable``, which must fail with :class:`RtmError`; return the error."""
    with pytest.raises(RtmError) as info:
        await awaitable
    return info.value


# ---------------------------------------------------------------------------------- R-Q1


class TestWhoNowBasics:
    """R-Q1: getOnlineUsers / whoNow list the visible present users of a channel."""

    async def test_r_q1_defaults_list_user_ids_without_state(self, emu: Emulator) -> None:
        alice, bob = await fill(emu, "room", "alice", "bob")
        await bob.presence.set_state("room", "MESSAGE", {"mood": "pumped"})
        r = await alice.presence.get_online_users("room", "MESSAGE")
        expected = {
            "timestamp": T0,
            "totalOccupancy": 2,
            "occupants": [
                {"userId": "alice", "states": {}, "statesCount": 0},
                {"userId": "bob", "states": {}, "statesCount": 0},
            ],
            "nextPage": "",
        }
        assert expected == r.to_dict()

    @pytest.mark.parametrize(("method", "operation"), WHO_NOW_SPELLINGS)
    async def test_r_q1_every_spelling_gives_the_same_answer(
        self, emu: Emulator, method: str, operation: str
    ) -> None:
        (alice,) = await fill(emu, "room", "alice")
        (bob,) = await login(emu, "bob")
        await alice.presence.set_state("room", "MESSAGE", {"k": "v"})
        r = await getattr(bob.presence, method)("room", "MESSAGE")
        assert [{"userId": "alice", "states": {}, "statesCount": 0}] == r.to_dict()["occupants"]
        r = await getattr(bob.presence, method)("room", "MESSAGE", {"includedState": True})
        assert [{"userId": "alice", "states": {"k": "v"}, "statesCount": 1}] == r.to_dict()[
            "occupants"
        ]

    async def test_r_q1_sdk_option_dicts_camel_case(self, emu: Emulator) -> None:
        alice, bob = await fill(emu, "chat_room", "alice", "bob")
        await bob.presence.setState("chat_room", "MESSAGE", {"mood": "pumped"})
        options = {"includedUserId": True, "includedState": True}
        r = await alice.presence.whoNow("chat_room", "MESSAGE", options)
        assert {
            "timestamp": T0,
            "totalOccupancy": 2,
            "occupants": [
                {"userId": "alice", "states": {}, "statesCount": 0},
                {"userId": "bob", "states": {"mood": "pumped"}, "statesCount": 1},
            ],
            "nextPage": "",
        } == r.to_dict()
        assert r == await alice.presence.getOnlineUsers("chat_room", "MESSAGE", options)
        count = await alice.presence.getOnlineUsers(
            "chat_room", "MESSAGE", {"includedUserId": False}
        )
        assert {"timestamp": T0, "totalOccupancy": 2, "occupants": [], "nextPage": ""} == (
            count.to_dict()
        )

    async def test_r_q1_snake_case_keywords_equal_the_option_dict(self, emu: Emulator) -> None:
        alice, bob = await fill(emu, "room", "alice", "bob")
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        by_keyword = await alice.presence.who_now("room", "MESSAGE", include_state=True)
        by_dict = await alice.presence.who_now("room", "MESSAGE", {"includedState": True})
        mixed = await alice.presence.get_online_users(
            "room", "MESSAGE", {"includedUserId": True}, include_state=True
        )
        assert by_dict == by_keyword == mixed
        assert {"a": "1"} == by_keyword.occupants[1].states
        assert 1 == by_keyword.occupants[1].states_count

    async def test_r_q1_option_given_as_dict_and_keyword_is_invalid(self, emu: Emulator) -> None:
        (alice,) = await fill(emu, "room", "alice")
        err = await raises(
            alice.presence.who_now("room", "MESSAGE", {"includedState": True}, include_state=True)
        )
        assert (ErrorCode.INVALID_PARAMETER, "whoNow") == (err.error_code, err.operation)
        assert "'includedState'" in err.reason

    async def test_r_q1_caller_need_not_be_in_the_channel(self, emu: Emulator) -> None:
        await fill(emu, "room", "bob", "carol")
        (outsider,) = await login(emu, "outsider")
        r = await outsider.presence.get_online_users("room", "MESSAGE")
        assert ["bob", "carol"] == ids_of(r)
        assert [] == emu.user_channels("outsider")

    async def test_r_q1_unknown_channel_is_empty_not_an_error(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        r = await alice.presence.who_now("nobody-here", "STREAM")
        assert {"timestamp": T0, "totalOccupancy": 0, "occupants": [], "nextPage": ""} == (
            r.to_dict()
        )
        r = await alice.presence.who_now("nobody-here", "STREAM", include_user_id=False)
        assert {"timestamp": T0, "totalOccupancy": 0, "occupants": [], "nextPage": ""} == (
            r.to_dict()
        )

    async def test_r_q1_quiet_users_are_not_listed(self, emu: Emulator) -> None:
        await fill(emu, "room", "alice", "carol")
        (bob,) = await fill(emu, "room", "bob", be_quiet=True)
        await bob.presence.set_state("room", "MESSAGE", {"hidden": "yes"})
        r = await bob.presence.get_online_users("room", "MESSAGE", include_state=True)
        assert ["alice", "carol"] == ids_of(r)
        assert 2 == r.total_occupancy
        count = await bob.presence.get_online_users("room", "MESSAGE", include_user_id=False)
        assert 2 == count.total_occupancy
        assert ["alice", "carol"] == emu.online_users("room", "MESSAGE")

    async def test_r_q1_only_quiet_users_means_empty(self, emu: Emulator) -> None:
        (bob,) = await fill(emu, "room", "bob", be_quiet=True)
        r = await bob.presence.get_online_users("room", "MESSAGE")
        assert (0, (), "") == (r.total_occupancy, r.occupants, r.next_page)

    async def test_r_q1_quiet_toggle_hides_and_shows(self, emu: Emulator) -> None:
        alice, bob = await fill(emu, "room", "alice", "bob")
        await bob.subscribe("room", with_presence=False, be_quiet=True)
        assert ["alice"] == ids_of(await alice.presence.who_now("room", "MESSAGE"))
        await bob.subscribe("room", with_presence=False, be_quiet=False)
        assert ["alice", "bob"] == ids_of(await alice.presence.who_now("room", "MESSAGE"))

    async def test_r_q1_non_listening_users_are_listed(self, emu: Emulator) -> None:
        (alice,) = await fill(emu, "room", "alice", with_presence=True)
        await fill(emu, "room", "deaf", with_presence=False)
        r = await alice.presence.get_online_users("room", "MESSAGE")
        assert ["alice", "deaf"] == ids_of(r)

    async def test_r_q1_message_and_stream_of_same_name_are_separate(self, emu: Emulator) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await alice.subscribe("room", with_presence=False)
        await bob.create_stream_channel("room").join(with_presence=False)
        msg = await alice.presence.get_online_users("room", "MESSAGE")
        stream = await alice.presence.get_online_users("room", ChannelType.STREAM)
        assert ["alice"] == ids_of(msg)
        assert ["bob"] == ids_of(stream)
        count = await bob.presence.getOnlineUsers("room", "STREAM", {"includedUserId": False})
        assert 1 == count.total_occupancy

    async def test_r_q1_different_apps_never_see_each_other(self, emu: Emulator) -> None:
        (alice,) = await fill(emu, "room", "alice")
        other = emu.client("bob", app_id="other")
        await other.login()
        await other.subscribe("room", with_presence=False)
        same_id = emu.client("alice", app_id="other")
        await same_id.login()
        assert ["alice"] == ids_of(await alice.presence.who_now("room", "MESSAGE"))
        assert ["bob"] == ids_of(await same_id.presence.who_now("room", "MESSAGE"))
        assert ["bob"] == emu.online_users("room", "MESSAGE", app_id="other")
        count = await other.presence.who_now("room", "MESSAGE", include_user_id=False)
        assert 1 == count.total_occupancy
        assert alice.logged_in  # the same user id in another app is not a kick

    async def test_r_q1_users_leave_the_list_at_once(self, emu: Emulator) -> None:
        alice, bob, carol, dave = await fill(emu, "room", "alice", "bob", "carol", "dave")
        dave_stream = dave.create_stream_channel("room")
        await dave_stream.join(with_presence=False)
        await bob.unsubscribe("room")  # REMOTE_LEAVE is debounced, the list is not (R-E6)
        await carol.logout()
        await dave_stream.leave()
        assert ["alice", "dave"] == ids_of(await alice.presence.who_now("room", "MESSAGE"))
        assert [] == ids_of(await alice.presence.who_now("room", "STREAM"))

    async def test_r_q1_disconnected_user_listed_until_timed_out(self, emu: Emulator) -> None:
        alice, _bob = await fill(emu, "room", "alice", "bob")
        emu.disconnect("bob")
        assert ["alice", "bob"] == ids_of(await alice.presence.who_now("room", "MESSAGE"))
        emu.advance(5 + 10 + 300 - 0.001)
        assert ["alice", "bob"] == ids_of(await alice.presence.who_now("room", "MESSAGE"))
        emu.advance(0.001)
        r = await alice.presence.who_now("room", "MESSAGE")
        assert (["alice"], emu.now_ms) == (ids_of(r), r.timestamp)


class TestWhoNowErrors:
    """R-Q1: the caller must be logged in; errors name the spelling called."""

    @pytest.mark.parametrize(("method", "operation"), WHO_NOW_SPELLINGS)
    async def test_r_q1_not_logged_in(self, emu: Emulator, method: str, operation: str) -> None:
        await fill(emu, "room", "bob")
        alice = emu.client("alice")
        err = await raises(getattr(alice.presence, method)("room", "MESSAGE"))
        assert {
            "error": True,
            "operation": operation,
            "errorCode": -10002,
            "reason": err.reason,
        } == err.to_dict()
        assert "'alice'" in err.reason

    @pytest.mark.parametrize(("method", "operation"), WHO_NOW_SPELLINGS)
    async def test_r_q1_after_logout(self, emu: Emulator, method: str, operation: str) -> None:
        (alice,) = await fill(emu, "room", "alice")
        await alice.logout()
        err = await raises(getattr(alice.presence, method)("room", "MESSAGE"))
        assert (ErrorCode.NOT_LOGIN, operation) == (err.error_code, err.operation)

    @pytest.mark.parametrize(("method", "operation"), WHO_NOW_SPELLINGS)
    async def test_r_q1_while_disconnected(
        self, emu: Emulator, method: str, operation: str
    ) -> None:
        (alice,) = await fill(emu, "room", "alice")
        emu.disconnect("alice")
        err = await raises(getattr(alice.presence, method)("room", "MESSAGE"))
        assert (ErrorCode.NOT_CONNECTED, operation) == (err.error_code, err.operation)
        emu.reconnect("alice")

    @pytest.mark.parametrize(("method", "operation"), WHO_NOW_SPELLINGS)
    @pytest.mark.parametrize(
        ("channel_name", "channel_type", "options", "code", "named"),
        [
            ("", "MESSAGE", None, ErrorCode.INVALID_CHANNEL_NAME, "''"),
            ("null", "MESSAGE", None, ErrorCode.INVALID_CHANNEL_NAME, "'null'"),
            ("_room", "MESSAGE", None, ErrorCode.INVALID_CHANNEL_NAME, "'_room'"),
            ("a.b", "MESSAGE", None, ErrorCode.INVALID_CHANNEL_NAME, "'a.b'"),
            (42, "MESSAGE", None, ErrorCode.INVALID_CHANNEL_NAME, "42"),
            ("room", "USER", None, ErrorCode.INVALID_CHANNEL_TYPE, "'USER'"),
            ("room", "message", None, ErrorCode.INVALID_CHANNEL_TYPE, "'message'"),
            ("room", None, None, ErrorCode.INVALID_CHANNEL_TYPE, "None"),
            ("room", "MESSAGE", {"bogus": 1}, ErrorCode.INVALID_PARAMETER, "'bogus'"),
            ("room", "MESSAGE", {"includedState": "yes"}, ErrorCode.INVALID_PARAMETER, "'yes'"),
            ("room", "MESSAGE", {"includedUserId": 0}, ErrorCode.INVALID_PARAMETER, "0"),
            ("room", "MESSAGE", {"page": 7}, ErrorCode.INVALID_PARAMETER, "7"),
            ("room", "MESSAGE", ["page"], ErrorCode.INVALID_PARAMETER, "['page']"),
            # first fault wins: the channel name before the type before the options
            ("", "USER", {"bogus": 1}, ErrorCode.INVALID_CHANNEL_NAME, "''"),
            ("room", "USER", {"bogus": 1}, ErrorCode.INVALID_CHANNEL_TYPE, "'USER'"),
        ],
    )
    async def test_r_q1_bad_arguments(
        self,
        emu: Emulator,
        method: str,
        operation: str,
        channel_name: Any,
        channel_type: Any,
        options: Any,
        code: ErrorCode,
        named: str,
    ) -> None:
        (alice,) = await fill(emu, "room", "alice")
        err = await raises(getattr(alice.presence, method)(channel_name, channel_type, options))
        assert (code, operation) == (err.error_code, err.operation)
        assert named in err.reason

    async def test_r_q1_not_logged_in_wins_over_bad_arguments(self, emu: Emulator) -> None:
        alice = emu.client("alice")
        err = await raises(alice.presence.whoNow("", "USER", {"bogus": 1}))
        assert (ErrorCode.NOT_LOGIN, "whoNow") == (err.error_code, err.operation)


# ---------------------------------------------------------------------------------- R-Q2


class TestOrderingAndPageSize:
    """R-Q2: code-point order of user ids, ``page_size`` users a page, ``""`` on the last."""

    async def test_r_q2_code_point_order(self, emu: Emulator) -> None:
        users = ["b", "a", "B", "10", "9", "_x", "Zed", " sp", "~t", "a b", "ab", "A"]
        await fill(emu, "room", *users)
        (caller,) = await login(emu, "caller")
        r = await caller.presence.get_online_users("room", "MESSAGE")
        expected = [" sp", "10", "9", "A", "B", "Zed", "_x", "a", "a b", "ab", "b", "~t"]
        assert expected == ids_of(r)
        assert expected == emu.online_users("room", "MESSAGE")

    async def test_r_q2_uppercase_before_lowercase_and_digits_by_character(
        self, emu: Emulator
    ) -> None:
        await fill(emu, "room", "b", "a", "B", "10", "9")
        (caller,) = await login(emu, "caller")
        r = await caller.presence.who_now("room", "MESSAGE")
        assert ["10", "9", "B", "a", "b"] == ids_of(r)

    async def test_r_q2_order_does_not_depend_on_join_order(self) -> None:
        users = [f"user{i}" for i in range(40)]
        answers = []
        for seed in (1, 2, 3):
            emu = Emulator(strict=True)
            shuffled = list(users)
            random.Random(seed).shuffle(shuffled)
            await fill(emu, "room", *shuffled)
            (caller,) = await login(emu, "caller")
            answers.append(ids_of(await caller.presence.who_now("room", "MESSAGE")))
            emu.check_invariants()
        assert [sorted(users)] * 3 == answers

    async def test_r_q2_default_page_size_is_50(self, emu: Emulator) -> None:
        users = [f"u{i:03d}" for i in range(120)]
        await fill(emu, "room", *users)
        (caller,) = await login(emu, "caller")
        pages = await walk(caller, "room")
        assert [50, 50, 20] == [len(p.occupants) for p in pages]
        assert [50, 50, 20] == [p.total_occupancy for p in pages]
        assert users == [uid for p in pages for uid in ids_of(p)]
        assert [True, True, False] == [bool(p.next_page) for p in pages]

    @pytest.mark.parametrize(
        ("page_size", "users", "sizes"),
        [(1, 3, [1, 1, 1]), (3, 7, [3, 3, 1]), (10, 9, [9]), (10, 0, [0]), (7, 21, [7, 7, 7])],
    )
    async def test_r_q2_configured_page_size(
        self, page_size: int, users: int, sizes: list[int]
    ) -> None:
        emu = Emulator(EmulatorConfig(page_size=page_size), strict=True)
        ids = [f"u{i:02d}" for i in range(users)]
        await fill(emu, "room", *ids)
        (caller,) = await login(emu, "caller")
        pages = await walk(caller, "room")
        assert sizes == [len(p.occupants) for p in pages]
        assert ids == [uid for p in pages for uid in ids_of(p)]
        assert "" == pages[-1].next_page
        assert all(p.next_page for p in pages[:-1])
        emu.check_invariants()

    async def test_r_q2_next_page_is_empty_string_on_the_only_page(self, emu: Emulator) -> None:
        (alice,) = await fill(emu, "room", "alice")
        r = await alice.presence.whoNow("room", "MESSAGE")
        assert "" == r.next_page
        assert "" == r.to_dict()["nextPage"]

    async def test_r_q2_next_page_is_an_opaque_string(self) -> None:
        emu = Emulator(EmulatorConfig(page_size=2), strict=True)
        await fill(emu, "room", "a", "b", "c")
        (caller,) = await login(emu, "caller")
        r = await caller.presence.who_now("room", "MESSAGE")
        assert isinstance(r.next_page, str)
        assert r.next_page not in ("", "b", "2", "1")
        emu.check_invariants()


# ---------------------------------------------------------------------------------- R-Q3

_ID_CHARS = string.ascii_letters + string.digits + "-_@:+~ "


def _random_id(rng: random.Random, taken: set[str]) -> str:
    while True:
        uid = "".join(rng.choice(_ID_CHARS) for _ in range(rng.randint(1, 10)))
        if uid not in taken and uid != "null" and uid != "querier":
            taken.add(uid)
            return uid


class _Churn:
    """A channel of thousands of users, plus a model of who is visible in it."""

    def __init__(self, emu: Emulator, ctype: str, rng: random.Random) -> None:
        self.emu = emu
        self.ctype = ctype
        self.rng = rng
        self.taken: set[str] = set()
        self.clients: dict[str, RTMClient] = {}
        self.visible: list[str] = []  # sorted model of the occupant list
        self.states: dict[str, dict[str, str]] = {}
        self.departed: set[str] = set()
        self.quiet: set[str] = set()
        self.ever_visible: set[str] = set()
        self.counts = Counter[str]()

    async def enter(self, uid: str, quiet: bool = False) -> None:
        client = self.clients.get(uid)
        if client is None:
            client = self.clients[uid] = self.emu.client(uid)
        if not client.logged_in:
            await client.login()
        if self.ctype == "MESSAGE":
            await client.subscribe("big", with_presence=False, be_quiet=quiet)
        else:
            await client.create_stream_channel("big").join(with_presence=False, be_quiet=quiet)
        if quiet:
            self.quiet.add(uid)
        else:
            self.quiet.discard(uid)
            self.ever_visible.add(uid)
            bisect.insort(self.visible, uid)
        self.states.setdefault(uid, {})

    async def join_new(self, cursor: str | None = None, side: str = "") -> str:
        while True:
            uid = _random_id(self.rng, self.taken)
            if not side or (side == "before") == (cursor is not None and uid < cursor):
                break
        await self.enter(uid, quiet=self.rng.random() < 0.1)
        self.counts[f"join-{side or 'any'}"] += 1
        return uid

    async def depart(self, uid: str, cursor: str) -> None:
        client = self.clients[uid]
        how = self.rng.choice(["leave", "leave", "logout", "quiet"])
        if how == "leave":
            if self.ctype == "MESSAGE":
                await client.unsubscribe("big")
            else:
                await client.create_stream_channel("big").leave()
            self.states[uid] = {}
        elif how == "logout":
            await client.logout()
            self.states[uid] = {}
        else:
            await self.enter(uid, quiet=True)
        self.visible.remove(uid)
        self.departed.add(uid)
        self.counts[f"leave-{'before' if uid < cursor else 'after'}"] += 1

    async def churn(self, cursor: str) -> None:
        """Leaves and joins on both sides of ``cursor``, and some rejoins."""
        at = bisect.bisect_right(self.visible, cursor)
        before, after = self.visible[:at], self.visible[at:]
        leaving = set(self.rng.sample(before, min(3, len(before))))
        leaving |= set(self.rng.sample(after, min(3, len(after))))
        for uid in sorted(leaving):
            await self.depart(uid, cursor)
        await self.join_new(cursor, "before")
        await self.join_new(cursor, "after")
        await self.join_new()
        back = sorted(self.departed - set(self.visible))
        for uid in self.rng.sample(back, min(2, len(back))):
            await self.enter(uid)
            self.counts["rejoin"] += 1
        for uid in self.rng.sample(self.visible, 2):
            state = {"n": str(self.rng.randint(0, 9))}
            await self.clients[uid].presence.set_state("big", self.ctype, state)
            self.states[uid] = {**self.states[uid], **state}


class TestPagingUnderChurn:
    """R-Q3: stable cursor paging over thousands of users with joins and leaves."""

    @pytest.mark.parametrize(
        ("page_size", "ctype", "spelling", "include_state"),
        [(50, "MESSAGE", "get_online_users", False), (100, "STREAM", "whoNow", True)],
    )
    async def test_r_q3_walk_over_3000_users_with_churn(
        self, page_size: int, ctype: str, spelling: str, include_state: bool
    ) -> None:
        rng = random.Random(1234)
        # not strict: invariant checks cost O(n) a step, so this test checks once a page
        emu = Emulator(EmulatorConfig(page_size=page_size))
        model = _Churn(emu, ctype, rng)
        for _ in range(3000):
            await model.join_new()
        at_start = set(model.visible)
        (querier,) = await login(emu, "querier")

        async def query(page: str) -> GetOnlineUsersResponse:
            if spelling == "whoNow":
                options = {"includedState": include_state, **({"page": page} if page else {})}
                return await querier.presence.whoNow("big", ctype, options)
            return await querier.presence.get_online_users(
                "big", ctype, include_state=include_state, page=page or None
            )

        returned: list[str] = []
        page, pages = "", 0
        while True:
            r = await query(page)
            pages += 1
            got = ids_of(r)
            cursor = returned[-1] if returned else None
            start = 0 if cursor is None else bisect.bisect_right(model.visible, cursor)
            # the page is exactly the next users after the cursor that are present now
            assert model.visible[start : start + page_size] == got
            assert len(got) == r.total_occupancy
            for occupant in r.occupants:
                expected_state = model.states[occupant.user_id] if include_state else {}
                assert expected_state == occupant.states
            assert r.timestamp == emu.now_ms
            returned.extend(got)
            if not r.next_page:
                assert [] == model.visible[start + len(got) :]
                break
            assert page_size == len(got)
            await model.churn(got[-1])
            page = r.next_page
        emu.check_invariants()

        assert pages == -(-len(returned) // page_size)  # full pages but the last
        assert len(returned) > 2500
        # churn really happened on both sides of the cursor
        for kind in ("leave-before", "leave-after", "join-before", "join-after", "rejoin"):
            assert model.counts[kind] > 10, kind
        counts = Counter(returned)
        assert [] == [uid for uid, n in counts.items() if n > 1]  # no user twice
        assert returned == sorted(returned)
        stayed = at_start - model.departed
        assert len(stayed) > 2000
        assert {uid: 1 for uid in sorted(stayed)} == {uid: counts[uid] for uid in sorted(stayed)}
        never_visible = set(model.clients) - model.ever_visible
        assert never_visible  # quiet all along: present, never listed
        assert set() == set(returned) & never_visible

    async def test_r_q3_bookmark_stays_valid_after_its_user_left(self) -> None:
        emu = Emulator(EmulatorConfig(page_size=3), strict=True)
        clients = dict(zip("abcdef", await fill(emu, "room", *"abcdef"), strict=True))
        (caller,) = await login(emu, "caller")
        first = await caller.presence.who_now("room", "MESSAGE")
        assert ["a", "b", "c"] == ids_of(first)
        await clients["c"].unsubscribe("room")  # the user the bookmark points after
        await clients["b"].logout()
        (bb, cc) = await fill(emu, "room", "bb", "cc")  # before / after the cursor
        second = await caller.presence.who_now("room", "MESSAGE", page=first.next_page)
        assert ["cc", "d", "e"] == ids_of(second)
        assert second.next_page
        await clients["c"].login()
        await clients["c"].subscribe("room", with_presence=False)  # back, before the cursor
        third = await caller.presence.who_now("room", "MESSAGE", page=second.next_page)
        assert (["f"], 1, "") == (ids_of(third), third.total_occupancy, third.next_page)
        del bb, cc
        emu.check_invariants()

    async def test_r_q3_bookmark_past_everyone_gives_empty_last_page(self) -> None:
        emu = Emulator(EmulatorConfig(page_size=2), strict=True)
        clients = await fill(emu, "room", "a", "b", "c", "d")
        (caller,) = await login(emu, "caller")
        first = await caller.presence.get_online_users("room", "MESSAGE")
        for client in clients[2:]:
            await client.unsubscribe("room")
        r = await caller.presence.get_online_users("room", "MESSAGE", page=first.next_page)
        assert {"timestamp": T0, "totalOccupancy": 0, "occupants": [], "nextPage": ""} == (
            r.to_dict()
        )
        for client in clients[:2]:
            await client.unsubscribe("room")  # the channel is now empty (gone)
        r = await caller.presence.get_online_users("room", "MESSAGE", page=first.next_page)
        assert (0, (), "") == (r.total_occupancy, r.occupants, r.next_page)
        emu.check_invariants()

    async def test_r_q3_same_bookmark_twice_gives_the_same_page(self) -> None:
        emu = Emulator(EmulatorConfig(page_size=2), strict=True)
        await fill(emu, "room", "a", "b", "c", "d", "e")
        (caller,) = await login(emu, "caller")
        first = await caller.presence.who_now("room", "MESSAGE")
        again = await caller.presence.who_now("room", "MESSAGE", page=first.next_page)
        assert again == await caller.presence.who_now("room", "MESSAGE", page=first.next_page)
        assert ["c", "d"] == ids_of(again)
        emu.check_invariants()

    async def test_r_q3_bookmark_works_across_spellings_callers_and_default_options(
        self,
    ) -> None:
        emu = Emulator(EmulatorConfig(page_size=2), strict=True)
        await fill(emu, "room", "a", "b", "c")
        alice, bob = await login(emu, "alice", "bob")
        first = await alice.presence.whoNow("room", "MESSAGE", {"includedUserId": True})
        expected = ["c"]
        assert expected == ids_of(
            await bob.presence.getOnlineUsers("room", "MESSAGE", {"page": first.next_page})
        )
        assert expected == ids_of(
            await alice.presence.get_online_users(
                "room", "MESSAGE", include_user_id=True, include_state=False, page=first.next_page
            )
        )
        emu.check_invariants()

    async def test_r_q3_empty_page_string_means_first_page(self) -> None:
        emu = Emulator(EmulatorConfig(page_size=2), strict=True)
        await fill(emu, "room", "a", "b", "c")
        (caller,) = await login(emu, "caller")
        first = await caller.presence.who_now("room", "MESSAGE")
        assert first == await caller.presence.whoNow("room", "MESSAGE", {"page": ""})
        assert first == await caller.presence.who_now("room", "MESSAGE", page="")
        emu.check_invariants()


async def _bookmark_walk() -> list[str]:
    """A seeded churn walk; the bookmarks it is handed (module level for a subprocess)."""
    rng = random.Random(1234)
    emu = Emulator(EmulatorConfig(page_size=20))
    model = _Churn(emu, "MESSAGE", rng)
    for _ in range(300):
        await model.join_new()
    (querier,) = await login(emu, "querier")
    bookmarks: list[str] = []
    r = await querier.presence.get_online_users("big", "MESSAGE", include_state=True)
    while r.next_page:
        bookmarks.append(r.next_page)
        await model.churn(r.occupants[-1].user_id)
        r = await querier.presence.get_online_users(
            "big", "MESSAGE", include_state=True, page=r.next_page
        )
    return bookmarks


class TestBookmarks:
    """R-Q3: a bookmark is valid only for its app, channel and option set."""

    @staticmethod
    async def _setup(emu: Emulator) -> tuple[RTMClient, str]:
        """Six users in MESSAGE "room" at page size 3; a caller and the page-1 bookmark."""
        await fill(emu, "room", "a", "b", "c", "d", "e", "f")
        (caller,) = await login(emu, "caller")
        first = await caller.presence.who_now("room", "MESSAGE")
        assert first.next_page
        return caller, first.next_page

    @pytest.fixture
    def emu3(self) -> Any:
        emulator = Emulator(EmulatorConfig(page_size=3), strict=True)
        yield emulator
        emulator.check_invariants()

    async def assert_rejected(
        self, emu: Emulator, call: Any, bookmark: str, operation: str = "whoNow"
    ) -> RtmError:
        err = await raises(call)
        assert (INVALID_ARG, operation) == (err.error_code, err.operation)
        assert repr(bookmark) in err.reason
        return err

    async def test_r_q3_bookmark_from_another_channel(self, emu3: Emulator) -> None:
        caller, bookmark = await self._setup(emu3)
        await fill(emu3, "hall", "a", "b", "c", "d")
        p = caller.presence
        await self.assert_rejected(emu3, p.who_now("hall", "MESSAGE", page=bookmark), bookmark)
        await self.assert_rejected(emu3, p.who_now("nowhere", "MESSAGE", page=bookmark), bookmark)

    async def test_r_q3_bookmark_from_another_channel_type(self, emu3: Emulator) -> None:
        caller, bookmark = await self._setup(emu3)
        stream_users = await login(emu3, "s1", "s2", "s3", "s4")
        for client in stream_users:
            await client.create_stream_channel("room").join(with_presence=False)
        stream_first = await caller.presence.who_now("room", "STREAM")
        p = caller.presence
        await self.assert_rejected(emu3, p.who_now("room", "STREAM", page=bookmark), bookmark)
        await self.assert_rejected(
            emu3, p.who_now("room", "MESSAGE", page=stream_first.next_page), stream_first.next_page
        )

    async def test_r_q3_bookmark_from_another_app(self, emu3: Emulator) -> None:
        caller, bookmark = await self._setup(emu3)
        others = []
        for uid in "abcdef":
            client = emu3.client(uid, app_id="other")
            await client.login()
            await client.subscribe("room", with_presence=False)
            others.append(client)
        other_first = await others[0].presence.who_now("room", "MESSAGE")
        await self.assert_rejected(
            emu3,
            caller.presence.who_now("room", "MESSAGE", page=other_first.next_page),
            other_first.next_page,
        )
        await self.assert_rejected(
            emu3, others[0].presence.who_now("room", "MESSAGE", page=bookmark), bookmark
        )
        assert ["d", "e", "f"] == ids_of(
            await others[1].presence.who_now("room", "MESSAGE", page=other_first.next_page)
        )

    async def test_r_q3_bookmark_from_another_option_set(self, emu3: Emulator) -> None:
        caller, bookmark = await self._setup(emu3)
        p = caller.presence
        await self.assert_rejected(
            emu3, p.who_now("room", "MESSAGE", include_state=True, page=bookmark), bookmark
        )
        with_state = await p.getOnlineUsers("room", "MESSAGE", {"includedState": True})
        state_bookmark = with_state.next_page
        await self.assert_rejected(
            emu3,
            p.getOnlineUsers("room", "MESSAGE", {"page": state_bookmark}),
            state_bookmark,
            "getOnlineUsers",
        )
        await self.assert_rejected(
            emu3,
            p.getOnlineUsers("room", "MESSAGE", {"includedState": False, "page": state_bookmark}),
            state_bookmark,
            "getOnlineUsers",
        )
        r = await p.getOnlineUsers(
            "room", "MESSAGE", {"includedState": True, "page": state_bookmark}
        )
        assert ["d", "e", "f"] == ids_of(r)

    async def test_r_q3_page_bookmark_in_count_only_query(self, emu3: Emulator) -> None:
        caller, bookmark = await self._setup(emu3)
        await self.assert_rejected(
            emu3,
            caller.presence.whoNow("room", "MESSAGE", {"includedUserId": False, "page": bookmark}),
            bookmark,
        )

    @pytest.mark.parametrize(
        "forged",
        [
            "yourBookMark",
            "garbage",
            "x" * 300,
            ".",
            "a.b",
            "1",
            " ",
            "eyJhIjoxfQ.0000000000000000",
            "WzEsImVtdWxhdG9yIiwiTUVTU0FHRSIsInJvb20iLDAsImMiXQ.0000000000000000",
            "WzEsImVtdWxhdG9yIiwiTUVTU0FHRSIsInJvb20iLDAsImMiXQ",
        ],
    )
    async def test_r_q3_forged_bookmarks(self, emu3: Emulator, forged: str) -> None:
        caller, _ = await self._setup(emu3)
        await self.assert_rejected(
            emu3, caller.presence.who_now("room", "MESSAGE", page=forged), forged
        )
        err = await raises(caller.presence.getOnlineUsers("room", "MESSAGE", {"page": forged}))
        assert (INVALID_ARG, "getOnlineUsers") == (err.error_code, err.operation)

    async def test_r_q3_seed_sample_bookmark_is_rejected(self, emu3: Emulator) -> None:
        """The seed's sample options run as written and fail on its made-up bookmark."""
        caller, _ = await self._setup(emu3)
        options = {"includedUserId": True, "includedState": True, "page": "yourBookMark"}
        err = await raises(caller.presence.whoNow("chat_room", "MESSAGE", options))
        assert {
            "error": True,
            "operation": "whoNow",
            "errorCode": -13003,
            "reason": err.reason,
        } == err.to_dict()
        assert "'yourBookMark'" in err.reason

    async def test_r_q3_bookmark_with_one_character_changed(self, emu3: Emulator) -> None:
        caller, bookmark = await self._setup(emu3)
        variants = set()
        for i, ch in enumerate(bookmark):
            for repl in {"A" if ch != "A" else "B", "0" if ch != "0" else "1"}:
                variants.add(bookmark[:i] + repl + bookmark[i + 1 :])
        variants |= {bookmark[:-1], bookmark[1:], bookmark + "0", bookmark + " ", bookmark.upper()}
        variants.discard(bookmark)
        assert len(variants) > len(bookmark)
        accepted = []
        for variant in sorted(variants):
            try:
                await caller.presence.who_now("room", "MESSAGE", page=variant)
            except RtmError as err:
                assert (INVALID_ARG, "whoNow") == (err.error_code, err.operation)
                assert repr(variant) in err.reason
            else:
                accepted.append(variant)
        assert [] == accepted
        # the genuine bookmark still works
        r = await caller.presence.who_now("room", "MESSAGE", page=bookmark)
        assert ["d", "e", "f"] == ids_of(r)

    async def test_r_q3_rejection_changes_nothing(self, emu3: Emulator) -> None:
        caller, bookmark = await self._setup(emu3)
        before = (emu3.online_users("room", "MESSAGE"), emu3.now_ms, emu3.last_seq)
        await raises(caller.presence.who_now("room", "MESSAGE", page="forged"))
        assert before == (emu3.online_users("room", "MESSAGE"), emu3.now_ms, emu3.last_seq)
        assert ["d", "e", "f"] == ids_of(
            await caller.presence.who_now("room", "MESSAGE", page=bookmark)
        )

    async def test_r_q3_bookmarks_are_deterministic(self) -> None:
        first = await _bookmark_walk()
        second = await _bookmark_walk()
        assert len(first) > 10
        assert first == second
        assert len(set(first)) == len(first)

    def test_r_q3_bookmarks_do_not_depend_on_hash_seed(self) -> None:
        expected = asyncio.run(_bookmark_walk())
        root = Path(__file__).resolve().parents[2]
        script = (
            "import asyncio, json\n"
            "from tests.engine.test_queries import _bookmark_walk\n"
            "print(json.dumps(asyncio.run(_bookmark_walk())))\n"
        )
        env = {**os.environ, "PYTHONHASHSEED": "4321"}
        out = subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert expected == json.loads(out.stdout)


# ---------------------------------------------------------------------------------- R-Q4


class TestOccupancy:
    """R-Q4: totalOccupancy, count-only queries, look-ahead and state inclusion."""

    async def test_r_q4_count_only_is_channel_occupancy(self) -> None:
        emu = Emulator(EmulatorConfig(page_size=3), strict=True)
        await fill(emu, "room", *[f"u{i}" for i in range(7)])
        await fill(emu, "room", "quiet", be_quiet=True)
        (caller,) = await login(emu, "caller")
        r = await caller.presence.get_online_users("room", "MESSAGE", include_user_id=False)
        assert {"timestamp": T0, "totalOccupancy": 7, "occupants": [], "nextPage": ""} == (
            r.to_dict()
        )
        r = await caller.presence.whoNow(
            "room", "MESSAGE", {"includedUserId": False, "includedState": False, "page": ""}
        )
        assert (7, (), "") == (r.total_occupancy, r.occupants, r.next_page)
        emu.check_invariants()

    async def test_r_q4_listed_total_is_the_page_count(self) -> None:
        emu = Emulator(EmulatorConfig(page_size=3), strict=True)
        await fill(emu, "room", *[f"u{i}" for i in range(7)])
        (caller,) = await login(emu, "caller")
        pages = await walk(caller, "room")
        assert [3, 3, 1] == [p.total_occupancy for p in pages]
        assert [3, 3, 1] == [len(p.to_dict()["occupants"]) for p in pages]
        emu.check_invariants()

    async def test_r_q4_listed_total_equals_occupancy_when_it_fits(self, emu: Emulator) -> None:
        await fill(emu, "room", "a", "b", "c")
        (caller,) = await login(emu, "caller")
        listed = await caller.presence.who_now("room", "MESSAGE")
        count = await caller.presence.who_now("room", "MESSAGE", include_user_id=False)
        assert 3 == listed.total_occupancy == count.total_occupancy

    async def test_r_q4_exactly_full_last_page_has_no_next_page(self) -> None:
        emu = Emulator(EmulatorConfig(page_size=3), strict=True)
        await fill(emu, "room", "a", "b", "c", "d", "e", "f")
        (caller,) = await login(emu, "caller")
        pages = await walk(caller, "room")
        assert 2 == len(pages)
        assert (["a", "b", "c"], 3) == (ids_of(pages[0]), pages[0].total_occupancy)
        assert pages[0].next_page
        assert {
            "timestamp": T0,
            "totalOccupancy": 3,
            "occupants": [{"userId": u, "states": {}, "statesCount": 0} for u in "def"],
            "nextPage": "",
        } == pages[1].to_dict()
        emu.check_invariants()

    async def test_r_q4_exactly_one_full_page(self) -> None:
        emu = Emulator(EmulatorConfig(page_size=3), strict=True)
        await fill(emu, "room", "a", "b", "c")
        (caller,) = await login(emu, "caller")
        r = await caller.presence.who_now("room", "MESSAGE")
        assert (["a", "b", "c"], 3, "") == (ids_of(r), r.total_occupancy, r.next_page)
        emu.check_invariants()

    async def test_r_q4_look_ahead_ignores_quiet_users(self) -> None:
        emu = Emulator(EmulatorConfig(page_size=3), strict=True)
        await fill(emu, "room", "a", "b", "c")
        await fill(emu, "room", "z", be_quiet=True)
        (caller,) = await login(emu, "caller")
        r = await caller.presence.who_now("room", "MESSAGE")
        assert (["a", "b", "c"], "") == (ids_of(r), r.next_page)
        emu.check_invariants()

    @pytest.mark.parametrize(("method", "operation"), WHO_NOW_SPELLINGS)
    async def test_r_q4_count_only_with_state_is_invalid(
        self, emu: Emulator, method: str, operation: str
    ) -> None:
        (alice,) = await fill(emu, "room", "alice")
        options = {"includedUserId": False, "includedState": True}
        err = await raises(getattr(alice.presence, method)("room", "MESSAGE", options))
        assert (INVALID_ARG, operation) == (err.error_code, err.operation)
        assert "includedState" in err.reason
        assert "includedUserId" in err.reason

    async def test_r_q4_count_only_with_state_by_keywords(self, emu: Emulator) -> None:
        (alice,) = await fill(emu, "room", "alice")
        err = await raises(
            alice.presence.get_online_users(
                "room", "MESSAGE", include_user_id=False, include_state=True
            )
        )
        assert (INVALID_ARG, "getOnlineUsers") == (err.error_code, err.operation)

    async def test_r_q4_count_only_with_bookmark_is_invalid(self) -> None:
        emu = Emulator(EmulatorConfig(page_size=1), strict=True)
        await fill(emu, "room", "a", "b")
        (caller,) = await login(emu, "caller")
        bookmark = (await caller.presence.who_now("room", "MESSAGE")).next_page
        for page in (bookmark, "yourBookMark"):
            err = await raises(
                caller.presence.get_online_users(
                    "room", "MESSAGE", include_user_id=False, page=page
                )
            )
            assert (INVALID_ARG, "getOnlineUsers") == (err.error_code, err.operation)
            assert repr(page) in err.reason
        emu.check_invariants()

    async def test_r_q4_without_state_occupants_have_empty_states(self, emu: Emulator) -> None:
        alice, bob = await fill(emu, "room", "alice", "bob")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2"})
        await bob.presence.set_state("room", "MESSAGE", {"c": "3"})
        for options in (None, {"includedState": False}):
            r = await alice.presence.whoNow("room", "MESSAGE", options)
            assert [({}, 0), ({}, 0)] == [(dict(o.states), o.states_count) for o in r.occupants]
            assert [
                {"userId": "alice", "states": {}, "statesCount": 0},
                {"userId": "bob", "states": {}, "statesCount": 0},
            ] == r.to_dict()["occupants"]

    async def test_r_q4_with_state_shows_full_states(self, emu: Emulator) -> None:
        alice, bob, _carol = await fill(emu, "room", "alice", "bob", "carol")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2"})
        await alice.presence.set_state("room", "MESSAGE", {"b": "22", "z": ""})
        await bob.presence.set_state("room", "MESSAGE", {"c": "3", "d": "4"})
        await bob.presence.remove_state("room", "MESSAGE", states=["d"])
        r = await _carol.presence.get_online_users("room", "MESSAGE", include_state=True)
        assert [
            {"userId": "alice", "states": {"a": "1", "b": "22", "z": ""}, "statesCount": 3},
            {"userId": "bob", "states": {"c": "3"}, "statesCount": 1},
            {"userId": "carol", "states": {}, "statesCount": 0},
        ] == r.to_dict()["occupants"]
        assert 3 == r.occupants[0].states_count

    async def test_r_q4_with_state_on_every_page(self) -> None:
        emu = Emulator(EmulatorConfig(page_size=2), strict=True)
        clients = await fill(emu, "room", "a", "b", "c", "d", "e")
        for client in clients:
            await client.presence.set_state("room", "MESSAGE", {"me": client.user_id})
        pages = await walk(clients[0], "room", include_state=True)
        assert [[(u, {"me": u}) for u in chunk] for chunk in (["a", "b"], ["c", "d"], ["e"])] == [
            [(o.user_id, dict(o.states)) for o in p.occupants] for p in pages
        ]
        emu.check_invariants()


# ---------------------------------------------------------------------------------- R-Q5


class TestWhereNow:
    """R-Q5: getUserChannels / whereNow list the user's visible channels in order."""

    async def test_r_q5_order_by_type_then_name(self, emu: Emulator) -> None:
        alice, bob = await login(emu, "alice", "bob")
        for name in ("b", "9", "a", "B", "10"):
            await alice.subscribe(name, with_presence=False)
        for name in ("zz", "0", "A"):
            await alice.create_stream_channel(name).join(with_presence=False)
        r = await bob.presence.get_user_channels("alice")
        assert {
            "timestamp": T0,
            "totalChannel": 8,
            "channels": [
                {"channelName": "10", "channelType": "MESSAGE"},
                {"channelName": "9", "channelType": "MESSAGE"},
                {"channelName": "B", "channelType": "MESSAGE"},
                {"channelName": "a", "channelType": "MESSAGE"},
                {"channelName": "b", "channelType": "MESSAGE"},
                {"channelName": "0", "channelType": "STREAM"},
                {"channelName": "A", "channelType": "STREAM"},
                {"channelName": "zz", "channelType": "STREAM"},
            ],
        } == r.to_dict()
        assert ChannelType.MESSAGE == r.channels[0].channel_type
        assert "10" == r.channels[0].channel_name

    async def test_r_q5_order_follows_every_change(self, emu: Emulator) -> None:
        """The ordered view of a client's channels is rebuilt after each change."""
        alice, bob = await login(emu, "alice", "bob")
        names = lambda r: [c.channel_name for c in r.channels]  # noqa: E731
        await alice.subscribe("m", with_presence=False)
        assert ["m"] == names(await bob.presence.get_user_channels("alice"))
        await alice.subscribe("c", with_presence=False)
        await alice.subscribe("x", with_presence=False)
        assert ["c", "m", "x"] == names(await bob.presence.get_user_channels("alice"))
        await alice.unsubscribe("m")
        await alice.subscribe("a", with_presence=False)
        assert ["a", "c", "x"] == names(await bob.presence.get_user_channels("alice"))
        assert [("MESSAGE", n) for n in ("a", "c", "x")] == emu.user_channels("alice")

    async def test_r_q5_same_name_both_types(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.create_stream_channel("room").join(with_presence=False)
        await alice.subscribe("room", with_presence=False)
        r = await alice.presence.whereNow("alice")
        assert [("room", "MESSAGE"), ("room", "STREAM")] == [
            (c.channel_name, c.channel_type.value) for c in r.channels
        ]

    @pytest.mark.parametrize(("method", "operation"), WHERE_NOW_SPELLINGS)
    async def test_r_q5_every_spelling(self, emu: Emulator, method: str, operation: str) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await alice.subscribe("room")
        r = await getattr(bob.presence, method)("alice")
        assert {
            "timestamp": T0,
            "totalChannel": 1,
            "channels": [{"channelName": "room", "channelType": "MESSAGE"}],
        } == r.to_dict()

    async def test_r_q5_quiet_channels_excluded(self, emu: Emulator) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await alice.subscribe("loud", with_presence=False)
        await alice.subscribe("hush", be_quiet=True)
        await alice.create_stream_channel("hush").join(be_quiet=True)
        await alice.create_stream_channel("deaf").join(with_presence=False)
        expected = {
            "timestamp": T0,
            "totalChannel": 2,
            "channels": [
                {"channelName": "loud", "channelType": "MESSAGE"},
                {"channelName": "deaf", "channelType": "STREAM"},
            ],
        }
        assert expected == (await bob.presence.where_now("alice")).to_dict()
        assert expected == (await alice.presence.where_now("")).to_dict()
        assert [
            (ChannelType.MESSAGE, "hush"),
            (ChannelType.MESSAGE, "loud"),
            (ChannelType.STREAM, "deaf"),
            (ChannelType.STREAM, "hush"),
        ] == emu.user_channels("alice")

    async def test_r_q5_quiet_toggle(self, emu: Emulator) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await alice.subscribe("room", with_presence=False)
        await alice.subscribe("room", with_presence=False, be_quiet=True)
        assert 0 == (await bob.presence.where_now("alice")).total_channel
        await alice.subscribe("room", with_presence=False)
        assert 1 == (await bob.presence.where_now("alice")).total_channel

    @pytest.mark.parametrize("who", ["stranger", "nobody-ever"])
    async def test_r_q5_unknown_or_not_logged_in_user_is_empty(
        self, emu: Emulator, who: str
    ) -> None:
        (alice,) = await login(emu, "alice")
        emu.client("stranger")  # exists, never logged in
        r = await alice.presence.get_user_channels(who)
        assert {"timestamp": T0, "totalChannel": 0, "channels": []} == r.to_dict()

    async def test_r_q5_logged_out_user_is_empty(self, emu: Emulator) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await bob.subscribe("room")
        await bob.logout()
        r = await alice.presence.whereNow("bob")
        assert (0, ()) == (r.total_channel, r.channels)

    async def test_r_q5_user_without_channels_is_empty(self, emu: Emulator) -> None:
        alice, _bob = await login(emu, "alice", "bob")
        r = await alice.presence.getUserChannels("bob")
        assert {"timestamp": T0, "totalChannel": 0, "channels": []} == r.to_dict()

    async def test_r_q5_other_app_is_not_visible(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        other = emu.client("bob", app_id="other")
        await other.login()
        await other.subscribe("room")
        assert 0 == (await alice.presence.where_now("bob")).total_channel
        assert 1 == (await other.presence.where_now("bob")).total_channel

    async def test_r_q5_timed_out_user_is_empty(self, emu: Emulator) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await bob.subscribe("room")
        emu.disconnect("bob")
        assert 1 == (await alice.presence.where_now("bob")).total_channel
        emu.advance(5 + 10 + 300)
        r = await alice.presence.where_now("bob")
        assert {"timestamp": T0 + 315_000, "totalChannel": 0, "channels": []} == r.to_dict()

    @pytest.mark.parametrize(("method", "operation"), WHERE_NOW_SPELLINGS)
    async def test_r_q5_empty_user_id_means_the_caller(
        self, emu: Emulator, method: str, operation: str
    ) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await alice.subscribe("mine", with_presence=False)
        await bob.subscribe("theirs", with_presence=False)
        r = await getattr(alice.presence, method)("")
        assert [("mine", ChannelType.MESSAGE)] == [
            (c.channel_name, c.channel_type) for c in r.channels
        ]
        assert r == await getattr(alice.presence, method)()
        assert r == await getattr(alice.presence, method)("alice")

    @pytest.mark.parametrize(("method", "operation"), WHERE_NOW_SPELLINGS)
    @pytest.mark.parametrize(
        ("user_id", "named"),
        [
            ("null", "'null'"),
            ("x" * 65, "'" + "x" * 65 + "'"),
            ("bad/id", "'bad/id'"),
            ("tab\tid", "'tab\\tid'"),
            ("é", "'é'"),
            (42, "42"),
            (None, "None"),
        ],
    )
    async def test_r_q5_invalid_user_id(
        self, emu: Emulator, method: str, operation: str, user_id: Any, named: str
    ) -> None:
        (alice,) = await login(emu, "alice")
        err = await raises(getattr(alice.presence, method)(user_id))
        assert (ErrorCode.INVALID_USER_ID, operation) == (err.error_code, err.operation)
        assert named in err.reason

    @pytest.mark.parametrize(("method", "operation"), WHERE_NOW_SPELLINGS)
    async def test_r_q5_not_logged_in(self, emu: Emulator, method: str, operation: str) -> None:
        alice = emu.client("alice")
        err = await raises(getattr(alice.presence, method)("null"))  # login is checked first
        assert (ErrorCode.NOT_LOGIN, operation) == (err.error_code, err.operation)
        await alice.login()
        emu.disconnect("alice")
        err = await raises(getattr(alice.presence, method)("alice"))
        assert (ErrorCode.NOT_CONNECTED, operation) == (err.error_code, err.operation)
        emu.reconnect("alice")

    async def test_r_q5_not_paged(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        names = [f"ch{i:03d}" for i in range(100)]
        for name in reversed(names):
            await alice.subscribe(name, with_presence=False)
            await alice.create_stream_channel(name).join(with_presence=False)
        r = await alice.presence.where_now()
        assert 200 == r.total_channel
        assert [(n, "MESSAGE") for n in names] + [(n, "STREAM") for n in names] == [
            (c.channel_name, c.channel_type.value) for c in r.channels
        ]


# ---------------------------------------------------------------------------------- R-Q6


class TestGetState:
    """R-Q6: getState returns a present, visible user's state in a channel."""

    async def test_r_q6_returns_the_state(self, emu: Emulator) -> None:
        alice, bob = await fill(emu, "room", "alice", "bob")
        await bob.presence.set_state("room", "MESSAGE", {"mood": "pumped", "seat": "3"})
        r = await alice.presence.get_state("bob", "room", "MESSAGE")
        assert {
            "timestamp": T0,
            "userId": "bob",
            "states": {"mood": "pumped", "seat": "3"},
            "statesCount": 2,
        } == r.to_dict()
        assert ("bob", {"mood": "pumped", "seat": "3"}, 2) == (
            r.user_id,
            dict(r.states),
            r.states_count,
        )
        assert r == await alice.presence.getState("bob", "room", "MESSAGE")
        assert r == await alice.presence.getState("bob", "room", ChannelType.MESSAGE)

    async def test_r_q6_present_without_state_is_empty(self, emu: Emulator) -> None:
        alice, _bob = await fill(emu, "room", "alice", "bob")
        r = await alice.presence.getState("bob", "room", "MESSAGE")
        assert {"timestamp": T0, "userId": "bob", "states": {}, "statesCount": 0} == r.to_dict()

    async def test_r_q6_caller_need_not_be_in_the_channel(self, emu: Emulator) -> None:
        (bob,) = await fill(emu, "room", "bob")
        await bob.presence.set_state("room", "MESSAGE", {"k": "v"})
        (outsider,) = await login(emu, "outsider")
        r = await outsider.presence.get_state("bob", "room", "MESSAGE")
        assert {"k": "v"} == r.states

    async def test_r_q6_stream_channel(self, emu: Emulator) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await bob.create_stream_channel("stage").join(with_presence=False)
        await bob.presence.set_state("stage", "STREAM", {"mic": "on"})
        assert {"mic": "on"} == (await alice.presence.get_state("bob", "stage", "STREAM")).states
        err = await raises(alice.presence.get_state("bob", "stage", "MESSAGE"))
        assert (NOT_EXIST, "getState") == (err.error_code, err.operation)

    async def test_r_q6_empty_user_id_means_the_caller(self, emu: Emulator) -> None:
        (alice,) = await fill(emu, "room", "alice")
        await alice.presence.set_state("room", "MESSAGE", {"me": "yes"})
        r = await alice.presence.get_state("", "room", "MESSAGE")
        assert {"timestamp": T0, "userId": "alice", "states": {"me": "yes"}, "statesCount": 1} == (
            r.to_dict()
        )

    async def test_r_q6_empty_user_id_caller_not_present(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await fill(emu, "room", "bob")
        err = await raises(alice.presence.getState("", "room", "MESSAGE"))
        assert (NOT_EXIST, "getState") == (err.error_code, err.operation)
        assert "'alice'" in err.reason

    @pytest.mark.parametrize(
        ("who", "channel", "ctype"),
        [
            ("carol", "room", "MESSAGE"),  # logged in, not in the channel
            ("nobody", "room", "MESSAGE"),  # never heard of
            ("bob", "hall", "MESSAGE"),  # present elsewhere
            ("bob", "room", "STREAM"),  # same name, other type
            ("bob", "no-such-channel", "MESSAGE"),
        ],
    )
    async def test_r_q6_user_not_present(
        self, emu: Emulator, who: str, channel: str, ctype: str
    ) -> None:
        (alice,) = await login(emu, "alice")
        await fill(emu, "room", "bob")
        await fill(emu, "hall", "x")
        await login(emu, "carol")
        err = await raises(alice.presence.get_state(who, channel, ctype))
        assert (NOT_EXIST, "getState") == (err.error_code, err.operation)
        assert repr(who) in err.reason
        assert repr(channel) in err.reason

    async def test_r_q6_quiet_user_does_not_exist(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        (bob,) = await fill(emu, "room", "bob", be_quiet=True)
        await bob.presence.set_state("room", "MESSAGE", {"hidden": "1"})
        assert {"hidden": "1"} == emu.state_of("bob", "room", "MESSAGE")
        err = await raises(alice.presence.get_state("bob", "room", "MESSAGE"))
        assert (NOT_EXIST, "getState") == (err.error_code, err.operation)
        assert "'bob'" in err.reason
        err = await raises(bob.presence.get_state("", "room", "MESSAGE"))
        assert NOT_EXIST == err.error_code
        await bob.subscribe("room", with_presence=False)  # visible again: state is shown
        r = await alice.presence.get_state("bob", "room", "MESSAGE")
        assert {"hidden": "1"} == r.states

    async def test_r_q6_state_gone_after_unsubscribe(self, emu: Emulator) -> None:
        alice, bob = await fill(emu, "room", "alice", "bob")
        await bob.presence.set_state("room", "MESSAGE", {"mood": "pumped"})
        await bob.unsubscribe("room")
        err = await raises(alice.presence.get_state("bob", "room", "MESSAGE"))
        assert (NOT_EXIST, "getState") == (err.error_code, err.operation)
        await bob.subscribe("room", with_presence=False)
        r = await alice.presence.get_state("bob", "room", "MESSAGE")
        assert ({}, 0) == (dict(r.states), r.states_count)

    async def test_r_q6_state_gone_after_stream_leave_and_logout(self, emu: Emulator) -> None:
        alice, bob, carol = await login(emu, "alice", "bob", "carol")
        stage = bob.create_stream_channel("stage")
        await stage.join(with_presence=False)
        await bob.presence.set_state("stage", "STREAM", {"k": "v"})
        await stage.leave()
        err = await raises(alice.presence.get_state("bob", "stage", "STREAM"))
        assert NOT_EXIST == err.error_code
        await carol.subscribe("room", with_presence=False)
        await carol.presence.set_state("room", "MESSAGE", {"k": "v"})
        await carol.logout()
        err = await raises(alice.presence.get_state("carol", "room", "MESSAGE"))
        assert NOT_EXIST == err.error_code

    async def test_r_q6_other_app_does_not_exist(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        other = emu.client("bob", app_id="other")
        await other.login()
        await other.subscribe("room", with_presence=False)
        await other.presence.set_state("room", "MESSAGE", {"k": "v"})
        err = await raises(alice.presence.get_state("bob", "room", "MESSAGE"))
        assert NOT_EXIST == err.error_code

    @pytest.mark.parametrize(
        ("args", "code", "named"),
        [
            (("null", "room", "MESSAGE"), ErrorCode.INVALID_USER_ID, "'null'"),
            (("bad/id", "room", "MESSAGE"), ErrorCode.INVALID_USER_ID, "'bad/id'"),
            ((7, "room", "MESSAGE"), ErrorCode.INVALID_USER_ID, "7"),
            (("bob", "", "MESSAGE"), ErrorCode.INVALID_CHANNEL_NAME, "''"),
            (("bob", "_x", "MESSAGE"), ErrorCode.INVALID_CHANNEL_NAME, "'_x'"),
            (("bob", "room", "USER"), ErrorCode.INVALID_CHANNEL_TYPE, "'USER'"),
            # first fault wins, in signature order
            (("null", "", "USER"), ErrorCode.INVALID_USER_ID, "'null'"),
            (("bob", "", "USER"), ErrorCode.INVALID_CHANNEL_NAME, "''"),
            (("nobody", "room", "USER"), ErrorCode.INVALID_CHANNEL_TYPE, "'USER'"),
        ],
    )
    async def test_r_q6_bad_arguments(
        self, emu: Emulator, args: tuple[Any, ...], code: ErrorCode, named: str
    ) -> None:
        (alice,) = await fill(emu, "room", "alice")
        for method in ("get_state", "getState"):
            err = await raises(getattr(alice.presence, method)(*args))
            assert (code, "getState") == (err.error_code, err.operation)
            assert named in err.reason

    async def test_r_q6_not_logged_in_or_not_connected(self, emu: Emulator) -> None:
        await fill(emu, "room", "bob")
        alice = emu.client("alice")
        err = await raises(alice.presence.get_state("null", "", "USER"))
        assert (ErrorCode.NOT_LOGIN, "getState") == (err.error_code, err.operation)
        await alice.login()
        emu.disconnect("alice")
        err = await raises(alice.presence.getState("bob", "room", "MESSAGE"))
        assert (ErrorCode.NOT_CONNECTED, "getState") == (err.error_code, err.operation)
        emu.reconnect("alice")


# ---------------------------------------------------------------------------------- R-T1


class TestTimestamps:
    """R-T1 for queries: every response ``timestamp`` is the emulator's fake clock."""

    async def _all_queries(self, client: RTMClient) -> list[int]:
        p = client.presence
        responses = [
            await p.who_now("room", "MESSAGE"),
            await p.whoNow("room", "MESSAGE", {"includedUserId": False}),
            await p.getOnlineUsers("room", "MESSAGE", {"includedState": True}),
            await p.get_online_users("nowhere", "STREAM"),
            await p.where_now("bob"),
            await p.getUserChannels(""),
            await p.get_state("bob", "room", "MESSAGE"),
            await p.getState("", "room", "MESSAGE"),
        ]
        return [r.timestamp for r in responses] + [r.to_dict()["timestamp"] for r in responses]

    async def test_r_t1_query_timestamps_follow_the_fake_clock(self, emu: Emulator) -> None:
        alice, _bob = await fill(emu, "room", "alice", "bob")
        assert T0 == emu.now_ms
        assert [T0] * 16 == await self._all_queries(alice)
        emu.advance(1.5)
        assert [T0 + 1500] * 16 == await self._all_queries(alice)
        emu.advance(3600)
        assert [emu.now_ms] * 16 == await self._all_queries(alice)
        assert T0 + 3_601_500 == emu.now_ms

    async def test_r_t1_query_timestamps_with_configured_start(self) -> None:
        emu = Emulator(EmulatorConfig(start_time_ms=1_700_000_000_000), strict=True)
        alice, _bob = await fill(emu, "room", "alice", "bob")
        assert [1_700_000_000_000] * 16 == await self._all_queries(alice)
        emu.advance(0.001)
        assert [1_700_000_000_001] * 16 == await self._all_queries(alice)
        emu.check_invariants()

    async def test_r_t1_queries_do_not_move_the_clock_or_emit(self, emu: Emulator) -> None:
        pairs = await login_recorded(emu, "alice", "bob")
        for client, _ in pairs:
            await client.subscribe("room")
        before = [r.take_types() for _, r in pairs]
        assert [[("SNAPSHOT", ""), ("REMOTE_JOIN", "bob")], [("SNAPSHOT", "")]] == before
        await self._all_queries(pairs[0][0])
        assert T0 == emu.now_ms
        assert [[], []] == [r.take_types() for _, r in pairs]
