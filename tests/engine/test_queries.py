"""Presence queries, revision 2: whoNow / getOnlineUsers, whereNow / getUserChannels, getState.

Rules R-Q1 .. R-Q7 of the project's semantics (and R-X1's check order for these calls), as
the SDK runtime agora-rtm.js 2.3.0 behaves (class PresenceImpl, methods whoNow,
getOnlineUsers, whereNow, getUserChannels, getState): the local route (the caller listens
in the channel: its replica, never paged) and the server route (pages of at most the
announce threshold, bookmarks that are the standard base64 of the last user id).
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import json
import os
import random
import string
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtm_emulator import (
    ChannelType,
    Emulator,
    EmulatorConfig,
    GetOnlineUsersResponse,
    RTMClient,
)

from ..conftest import Recorder, login, login_recorded
from .test_state import (
    GET,
    INVALID_ARGUMENT,
    INVALID_CHANNEL_NAME,
    INVALID_CHANNEL_TYPE,
    INVALID_USER_ID,
    NOT_CONNECTED,
    OTHER_APP,
    RATE_LIMITED,
    REASON,
    USER_NOT_EXIST,
    as_json,
    ev,
    fails,
    got,
)

CONFLICT_REASON = REASON[INVALID_ARGUMENT] + "include uid is false but include state is true."

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
#: the link states in which the link is down but not IDLE (R-T3)
DOWN_STATES = ["DISCONNECTED", "CONNECTING", "SUSPENDED", "FAILED"]


def b64(user_id: str) -> str:
    """The standard base64 of a user id: the bookmark the SDK makes (``btoa``)."""
    return base64.b64encode(user_id.encode()).decode()


def ids_of(response: GetOnlineUsersResponse) -> list[str]:
    """The user ids of a page, in order."""
    return [o.user_id for o in response.occupants]


def empty_page(total: int) -> dict[str, Any]:
    """The SDK JSON of an answer that lists nobody."""
    return {"timestamp": 0, "totalOccupancy": total, "occupants": [], "nextPage": ""}


def bare(*user_ids: str) -> list[dict[str, Any]]:
    """The SDK JSON of occupants listed without their state."""
    return [{"userId": uid, "states": {}, "statesCount": 0} for uid in user_ids]


def make(**config: Any) -> Emulator:
    """A strict emulator with the given :class:`EmulatorConfig` fields."""
    return Emulator(EmulatorConfig(**config), strict=True)


@pytest.fixture
def emu8() -> Iterator[Emulator]:
    """Announce threshold (and server page size) 8, the smallest the console allows."""
    emulator = make(announce_max=8)
    yield emulator
    emulator.check_invariants()


async def fill(
    emu: Emulator, channel: str, *user_ids: str, ctype: str = "MESSAGE", **options: Any
) -> list[RTMClient]:
    """Log in each user and enter ``channel`` (by default not listening: no events)."""
    options.setdefault("with_presence", False)
    clients = await login(emu, *user_ids)
    for client in clients:
        if ctype == "MESSAGE":
            await client.subscribe(channel, **options)
        else:
            await client.create_stream_channel(channel).join(**options)
    return clients


async def walk(
    client: RTMClient, channel: str, ctype: str = "MESSAGE", **options: Any
) -> list[GetOnlineUsersResponse]:
    """Every page of ``get_online_users`` from the first to the one with ``nextPage ""``."""
    pages = [await client.presence.get_online_users(channel, ctype, **options)]
    while pages[-1].next_page:
        assert len(pages) < 1000
        nxt = pages[-1].next_page
        pages.append(await client.presence.get_online_users(channel, ctype, page=nxt, **options))
    return pages


async def bring_link_down(emu: Emulator, client: RTMClient, rec: Recorder, state: str) -> None:
    """Drive ``client``'s link to ``state`` (a same-uid login elsewhere for FAILED)."""
    if state == "FAILED":
        await emu.client(client.user_id).login()
    else:
        emu.disconnect(client.user_id)
    for _ in range(1000):
        if rec.links and state == rec.links[-1].current_state.value:
            return
        emu.advance(0.5)
    raise AssertionError(f"the link never reached {state}: {rec.link_states()}")


# ---------------------------------------------------------------------------------- R-Q1


class TestRQ1WhoNowOptions:
    """R-Q1: who is listed; only ``includedUserId is False`` / ``includedState is True`` count."""

    async def test_r_q1_defaults_list_user_ids_without_state(self, emu: Emulator) -> None:
        _, bob = await fill(emu, "room", "alice", "bob")
        await bob.presence.set_state("room", "MESSAGE", {"mood": "pumped"})
        (carol,) = await login(emu, "carol")
        r = await carol.presence.get_online_users("room", "MESSAGE")
        expected = {
            "timestamp": 0,
            "totalOccupancy": 2,
            "occupants": bare("alice", "bob"),
            "nextPage": "",
        }
        assert expected == r.to_dict()
        assert (2, "", 0) == (r.total_occupancy, r.next_page, r.timestamp)

    @pytest.mark.parametrize(("method", "operation"), WHO_NOW_SPELLINGS)
    async def test_r_q1_every_spelling_gives_the_same_answer(
        self, emu: Emulator, method: str, operation: str
    ) -> None:
        (alice,) = await fill(emu, "room", "alice")
        (bob,) = await login(emu, "bob")
        await alice.presence.set_state("room", "MESSAGE", {"k": "v"})
        call = getattr(bob.presence, method)
        r = await call("room", "MESSAGE")
        assert bare("alice") == r.to_dict()["occupants"]
        if method.islower():
            r = await call("room", "MESSAGE", include_state=True)
        else:
            r = await call("room", "MESSAGE", {"includedState": True})
        assert [{"userId": "alice", "states": {"k": "v"}, "statesCount": 1}] == r.to_dict()[
            "occupants"
        ]

    async def test_r_q1_seed_sample_options(self, emu: Emulator) -> None:
        """The seed's ``whoNow("chat_room", "MESSAGE", {...})`` sample, as written."""
        _, bob = await fill(emu, "chat_room", "alice", "bob")
        await bob.presence.setState("chat_room", "MESSAGE", {"mood": "pumped"})
        (carol,) = await login(emu, "carol")
        options = {"includedUserId": True, "includedState": True}
        r = await carol.presence.whoNow("chat_room", "MESSAGE", options)
        assert {
            "timestamp": 0,
            "totalOccupancy": 2,
            "occupants": [
                {"userId": "alice", "states": {}, "statesCount": 0},
                {"userId": "bob", "states": {"mood": "pumped"}, "statesCount": 1},
            ],
            "nextPage": "",
        } == r.to_dict()
        assert r == await carol.presence.getOnlineUsers("chat_room", "MESSAGE", options)
        count = await carol.presence.getOnlineUsers(
            "chat_room", "MESSAGE", {"includedUserId": False}
        )
        assert empty_page(2) == count.to_dict()

    async def test_r_q1_snake_case_keywords_equal_the_option_dict(self, emu: Emulator) -> None:
        alice, bob = await fill(emu, "room", "alice", "bob")
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        by_keyword = await alice.presence.who_now("room", "MESSAGE", include_state=True)
        by_dict = await alice.presence.whoNow("room", "MESSAGE", {"includedState": True})
        full = await alice.presence.get_online_users(
            "room", "MESSAGE", include_user_id=True, include_state=True, page=None
        )
        assert by_dict == by_keyword == full
        assert ({"a": "1"}, 1) == (
            dict(by_keyword.occupants[1].states),
            by_keyword.occupants[1].states_count,
        )

    @pytest.mark.parametrize("value", [True, None, 0, "", "false", 1], ids=repr)
    async def test_r_q1_only_the_bool_false_hides_user_ids(self, emu: Emulator, value: Any) -> None:
        alice, bob = await fill(emu, "room", "alice", "bob")
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        r = await alice.presence.whoNow("room", "MESSAGE", {"includedUserId": value})
        assert bare("alice", "bob") == r.to_dict()["occupants"]
        # not false: no conflict with includedState, and the states are there
        r = await alice.presence.whoNow(
            "room", "MESSAGE", {"includedUserId": value, "includedState": True}
        )
        assert [
            {"userId": "alice", "states": {}, "statesCount": 0},
            {"userId": "bob", "states": {"a": "1"}, "statesCount": 1},
        ] == r.to_dict()["occupants"]

    @pytest.mark.parametrize("value", [False, None, 0, 1, "yes", "true"], ids=repr)
    async def test_r_q1_only_the_bool_true_includes_states(self, emu: Emulator, value: Any) -> None:
        alice, bob = await fill(emu, "room", "alice", "bob")
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        r = await alice.presence.getOnlineUsers("room", "MESSAGE", {"includedState": value})
        assert {
            "timestamp": 0,
            "totalOccupancy": 2,
            "occupants": bare("alice", "bob"),
            "nextPage": "",
        } == r.to_dict()
        # with includedUserId false it is no conflict either
        r = await alice.presence.getOnlineUsers(
            "room", "MESSAGE", {"includedUserId": False, "includedState": value}
        )
        assert empty_page(2) == r.to_dict()

    @pytest.mark.parametrize(
        "options",
        [
            {"foo": 1, "includeState": True},
            {"included_state": True, "include_user_id": False},
            {"IncludedUserId": False, "PAGE": "!!"},
            {"pageSize": 1, "limit": 1},
        ],
        ids=["near-miss", "snake-case-keys", "wrong-case", "paging-like"],
    )
    async def test_r_q1_unknown_keys_are_ignored(
        self, emu: Emulator, options: dict[str, Any]
    ) -> None:
        alice, bob = await fill(emu, "room", "alice", "bob")
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        r = await alice.presence.whoNow("room", "MESSAGE", options)
        assert {
            "timestamp": 0,
            "totalOccupancy": 2,
            "occupants": bare("alice", "bob"),
            "nextPage": "",
        } == r.to_dict()

    @pytest.mark.parametrize("options", [None, "str", 5, True, ["includedState"]], ids=repr)
    async def test_r_q1_options_that_are_not_an_object_are_ignored(
        self, emu: Emulator, options: Any
    ) -> None:
        alice, bob = await fill(emu, "room", "alice", "bob")
        await bob.presence.set_state("room", "MESSAGE", {"a": "1"})
        for method in ("whoNow", "getOnlineUsers"):
            r = await getattr(alice.presence, method)("room", "MESSAGE", options)
            assert {
                "timestamp": 0,
                "totalOccupancy": 2,
                "occupants": bare("alice", "bob"),
                "nextPage": "",
            } == r.to_dict()

    async def test_r_q1_caller_need_not_be_in_the_channel(self, emu: Emulator) -> None:
        await fill(emu, "room", "bob", "carol")
        (outsider,) = await login(emu, "outsider")
        r = await outsider.presence.get_online_users("room", "MESSAGE")
        assert ["bob", "carol"] == ids_of(r)
        assert [] == emu.user_channels("outsider")

    @pytest.mark.parametrize("ctype", ["MESSAGE", "STREAM", ChannelType.STREAM])
    async def test_r_q1_unknown_channel_is_empty_not_an_error(
        self, emu: Emulator, ctype: Any
    ) -> None:
        (alice,) = await login(emu, "alice")
        r = await alice.presence.who_now("nobody-here", ctype)
        assert empty_page(0) == r.to_dict()
        r = await alice.presence.who_now("nobody-here", ctype, include_user_id=False)
        assert empty_page(0) == r.to_dict()
        r = await alice.presence.who_now("nobody-here", ctype, include_state=True)
        assert empty_page(0) == r.to_dict()

    async def test_r_q1_quiet_users_are_neither_listed_nor_counted(self, emu: Emulator) -> None:
        await fill(emu, "room", "alice", "carol")
        (bob,) = await fill(emu, "room", "bob", be_quiet=True)
        await bob.presence.set_state("room", "MESSAGE", {"hidden": "yes"})
        (dave,) = await login(emu, "dave")
        r = await dave.presence.get_online_users("room", "MESSAGE", include_state=True)
        assert (["alice", "carol"], 2) == (ids_of(r), r.total_occupancy)
        count = await dave.presence.get_online_users("room", "MESSAGE", include_user_id=False)
        assert empty_page(2) == count.to_dict()
        assert ["alice", "carol"] == emu.online_users("room", "MESSAGE")

    async def test_r_q1_only_quiet_users_means_empty(self, emu: Emulator) -> None:
        (bob,) = await fill(emu, "room", "bob", be_quiet=True)
        r = await bob.presence.get_online_users("room", "MESSAGE")
        assert empty_page(0) == r.to_dict()

    async def test_r_q1_quiet_toggle_hides_and_shows(self, emu: Emulator) -> None:
        alice, bob = await fill(emu, "room", "alice", "bob")
        await bob.subscribe("room", with_presence=False, be_quiet=True)
        assert ["alice"] == ids_of(await alice.presence.who_now("room", "MESSAGE"))
        await bob.subscribe("room", with_presence=False, be_quiet=False)
        assert ["alice", "bob"] == ids_of(await alice.presence.who_now("room", "MESSAGE"))

    async def test_r_q1_non_listening_users_are_listed(self, emu: Emulator) -> None:
        await fill(emu, "room", "deaf")
        await fill(emu, "room", "hearing", with_presence=True)
        (outsider,) = await login(emu, "outsider")
        assert ["deaf", "hearing"] == ids_of(await outsider.presence.who_now("room", "MESSAGE"))

    async def test_r_q1_message_and_stream_of_the_same_name_are_separate(
        self, emu: Emulator
    ) -> None:
        await fill(emu, "room", "alice")
        await fill(emu, "room", "bob", ctype="STREAM")
        (carol,) = await login(emu, "carol")
        assert ["alice"] == ids_of(await carol.presence.get_online_users("room", "MESSAGE"))
        assert ["bob"] == ids_of(await carol.presence.get_online_users("room", ChannelType.STREAM))
        count = await carol.presence.getOnlineUsers("room", "STREAM", {"includedUserId": False})
        assert 1 == count.total_occupancy

    async def test_r_q1_different_apps_never_see_each_other(self, emu: Emulator) -> None:
        (alice,) = await fill(emu, "room", "alice")
        other = emu.client("bob", app_id=OTHER_APP)
        await other.login()
        await other.subscribe("room", with_presence=False)
        same_id = emu.client("alice", app_id=OTHER_APP)  # not a kick: another app
        await same_id.login()
        assert ["alice"] == ids_of(await alice.presence.who_now("room", "MESSAGE"))
        assert ["bob"] == ids_of(await same_id.presence.who_now("room", "MESSAGE"))
        assert ["bob"] == emu.online_users("room", "MESSAGE", app_id=OTHER_APP)
        count = await other.presence.who_now("room", "MESSAGE", include_user_id=False)
        assert 1 == count.total_occupancy
        assert ["alice"] == ids_of(await alice.presence.who_now("room", "MESSAGE"))

    async def test_r_q1_disconnected_user_listed_until_timed_out(self, emu: Emulator) -> None:
        alice, _ = await fill(emu, "room", "alice", "bob")
        emu.disconnect("bob")
        assert ["alice", "bob"] == ids_of(await alice.presence.who_now("room", "MESSAGE"))
        emu.advance(60)
        assert ["alice", "bob"] == ids_of(await alice.presence.who_now("room", "MESSAGE"))
        emu.advance(300)  # past heartbeat + 10 s + presenceTimeout (R-T2)
        r = await alice.presence.who_now("room", "MESSAGE")
        assert {
            "timestamp": 0,
            "totalOccupancy": 1,
            "occupants": bare("alice"),
            "nextPage": "",
        } == r.to_dict()

    @pytest.mark.parametrize("name", ["null", "a" * 64, "a_", " ", "!#$%&()+,-:;<=>?@[]^_{|}~"])
    async def test_r_q1_valid_channel_names(self, emu: Emulator, name: str) -> None:
        """R-C1: ``"null"``, 64 characters, a trailing ``_`` and a space are valid names."""
        await fill(emu, name, "bob")
        (alice,) = await login(emu, "alice")
        assert ["bob"] == ids_of(await alice.presence.whoNow(name, "MESSAGE"))


# ---------------------------------------------------------------------------------- R-Q2


class TestRQ2LocalRoute:
    """R-Q2: a caller listening in the channel is answered from its replica: all, unpaged."""

    USERS: ClassVar[list[str]] = [f"u{i:03d}" for i in range(12)]

    async def test_r_q2_every_visible_user_no_paging(self, emu8: Emulator) -> None:
        await fill(emu8, "room", *self.USERS)
        (me,) = await fill(emu8, "room", "zz-me", with_presence=True)
        r = await me.presence.get_online_users("room", "MESSAGE")
        assert {
            "timestamp": 0,
            "totalOccupancy": 13,
            "occupants": bare(*self.USERS, "zz-me"),
            "nextPage": "",
        } == r.to_dict()
        # the same channel on the server route: pages of 8
        (outsider,) = await login(emu8, "outsider")
        pages = await walk(outsider, "room")
        assert [8, 5] == [len(p.occupants) for p in pages]

    @pytest.mark.parametrize(
        "page", ["not base64 !!", b64("u005"), "yourBookMark", "anything", "", 5], ids=repr
    )
    async def test_r_q2_page_is_ignored(self, emu8: Emulator, page: Any) -> None:
        """Not even decoded: a page that is not base64 raises nothing on the local route."""
        await fill(emu8, "room", *self.USERS)
        (me,) = await fill(emu8, "room", "zz-me", with_presence=True)
        expected = {
            "timestamp": 0,
            "totalOccupancy": 13,
            "occupants": bare(*self.USERS, "zz-me"),
            "nextPage": "",
        }
        assert expected == (await me.presence.who_now("room", "MESSAGE", page=page)).to_dict()
        r = await me.presence.getOnlineUsers("room", "MESSAGE", {"page": page})
        assert expected == r.to_dict()

    @pytest.mark.parametrize("caller_first", [False, True], ids=["snapshot", "remote-joins"])
    async def test_r_q2_code_point_order(self, emu: Emulator, caller_first: bool) -> None:
        """Whether the replica was filled by the SNAPSHOT or by later REMOTE_JOINs."""
        users = ["b", "a", "B", "10", "9", "Zed", " sp", "~t", "a b", "ab", "A", "a_", "!x", "[y"]
        if caller_first:
            (me,) = await fill(emu, "room", "me", with_presence=True)
            await fill(emu, "room", *users)
        else:
            await fill(emu, "room", *users)
            (me,) = await fill(emu, "room", "me", with_presence=True)
        r = await me.presence.who_now("room", "MESSAGE")
        expected = [
            " sp",
            "!x",
            "10",
            "9",
            "A",
            "B",
            "Zed",
            "[y",
            "a",
            "a b",
            "a_",
            "ab",
            "b",
            "me",
            "~t",
        ]
        assert expected == ids_of(r)
        assert expected == emu.online_users("room", "MESSAGE")

    async def test_r_q2_states_come_from_the_replica(self, emu: Emulator) -> None:
        (me,) = await fill(emu, "room", "me", with_presence=True)
        bob, carol = await fill(emu, "room", "bob", "carol")
        await bob.presence.set_state("room", "MESSAGE", {"a": 1, "b": [True]})
        await carol.presence.set_state("room", "MESSAGE", {"c": "3"})
        await carol.presence.remove_state("room", "MESSAGE")
        await me.presence.set_state("room", "MESSAGE", {"mine": None})
        r = await me.presence.whoNow("room", "MESSAGE", {"includedState": True})
        assert as_json(
            {
                "timestamp": 0,
                "totalOccupancy": 3,
                "occupants": [
                    {"userId": "bob", "states": {"a": 1, "b": [True]}, "statesCount": 2},
                    {"userId": "carol", "states": {}, "statesCount": 0},
                    {"userId": "me", "states": {"mine": None}, "statesCount": 1},
                ],
                "nextPage": "",
            }
        ) == as_json(r.to_dict())

    async def test_r_q2_count_only(self, emu8: Emulator) -> None:
        await fill(emu8, "room", *self.USERS)
        await fill(emu8, "room", "hidden", be_quiet=True)
        (me,) = await fill(emu8, "room", "zz-me", with_presence=True)
        r = await me.presence.whoNow("room", "MESSAGE", {"includedUserId": False, "page": "!!"})
        assert empty_page(13) == r.to_dict()

    async def test_r_q2_conflicting_options_still_fail(self, emu: Emulator) -> None:
        (me,) = await fill(emu, "room", "me", with_presence=True)
        options = {"includedUserId": False, "includedState": True}
        await fails(
            me.presence.whoNow("room", "MESSAGE", options),
            INVALID_ARGUMENT,
            "whoNow",
            CONFLICT_REASON,
        )

    async def test_r_q2_a_quiet_listener_does_not_list_itself(self, emu8: Emulator) -> None:
        await fill(emu8, "room", *self.USERS)
        (me,) = await fill(emu8, "room", "me", with_presence=True, be_quiet=True)
        r = await me.presence.who_now("room", "MESSAGE", page="not base64 !!")
        assert {
            "timestamp": 0,
            "totalOccupancy": 12,
            "occupants": bare(*self.USERS),
            "nextPage": "",
        } == r.to_dict()

    async def test_r_q2_stream_channel_joined_with_presence(self, emu8: Emulator) -> None:
        await fill(emu8, "stage", *self.USERS, ctype="STREAM")
        (me,) = await fill(emu8, "stage", "zz-me", ctype="STREAM", with_presence=True)
        r = await me.presence.who_now("stage", "STREAM", page="!!")
        assert ([*self.USERS, "zz-me"], 13, "") == (ids_of(r), r.total_occupancy, r.next_page)
        # the MESSAGE channel of that name is not one the caller listens in: server route
        others = [f"m{i:03d}" for i in range(12)]
        await fill(emu8, "stage", *others)
        r = await me.presence.who_now("stage", "MESSAGE")
        assert (others[:8], 12, b64(others[7])) == (
            ids_of(r),
            r.total_occupancy,
            r.next_page,
        )

    async def test_r_q2_the_route_follows_the_last_options(self, emu8: Emulator) -> None:
        await fill(emu8, "room", *self.USERS)
        (me,) = await fill(emu8, "room", "zz-me", with_presence=True)
        assert 13 == len((await me.presence.who_now("room", "MESSAGE")).occupants)
        await me.subscribe("room", with_presence=False)  # server route: paged
        r = await me.presence.who_now("room", "MESSAGE")
        assert (self.USERS[:8], 13, b64(self.USERS[7])) == (
            ids_of(r),
            r.total_occupancy,
            r.next_page,
        )
        await me.subscribe("room", with_presence=True)
        r = await me.presence.who_now("room", "MESSAGE")
        assert ([*self.USERS, "zz-me"], "") == (ids_of(r), r.next_page)

    async def test_r_q2_leaving_user_listed_with_its_last_state_during_the_debounce(
        self, emu: Emulator
    ) -> None:
        """R-E6: the document stays for the debounce, so the replica still has it."""
        (me,) = await fill(emu, "room", "me", with_presence=True)
        (bob,) = await fill(emu, "room", "bob")
        await bob.presence.set_state("room", "MESSAGE", {"seat": "3"})
        await bob.unsubscribe("room")
        emu.advance(1.5)
        r = await me.presence.who_now("room", "MESSAGE", include_state=True)
        assert [
            {"userId": "bob", "states": {"seat": "3"}, "statesCount": 1},
            {"userId": "me", "states": {}, "statesCount": 0},
        ] == r.to_dict()["occupants"]
        emu.advance(0.5)
        r = await me.presence.who_now("room", "MESSAGE", include_state=True)
        assert (["me"], 1) == (ids_of(r), r.total_occupancy)


# ---------------------------------------------------------------------------------- R-Q3

_ID_CHARS = string.ascii_letters + string.digits + "-_@:+~ "


def _random_id(rng: random.Random, taken: set[str]) -> str:
    while True:
        uid = "".join(rng.choice(_ID_CHARS) for _ in range(rng.randint(1, 10)))
        if uid not in taken and not uid.startswith("_") and uid != "querier":
            taken.add(uid)
            return uid


class _Churn:
    """A channel of many users, plus a model of who is visible in it (debounce 0)."""

    def __init__(self, emu: Emulator, ctype: str, rng: random.Random) -> None:
        self.emu = emu
        self.ctype = ctype
        self.rng = rng
        self.taken: set[str] = set()
        self.clients: dict[str, RTMClient] = {}
        self.streams: dict[str, Any] = {}  # one stream-channel handle per user
        self.logged_in: set[str] = set()
        self.visible: list[str] = []  # sorted model of the occupant list
        self.states: dict[str, dict[str, str]] = {}
        self.departed: set[str] = set()
        self.ever_visible: set[str] = set()
        self.counts = Counter[str]()

    async def enter(self, uid: str, quiet: bool = False) -> None:
        client = self.clients.get(uid)
        if client is None:
            client = self.clients[uid] = self.emu.client(uid)
        if uid not in self.logged_in:
            await client.login()
            self.logged_in.add(uid)
        if self.ctype == "MESSAGE":
            await client.subscribe("big", with_presence=False, be_quiet=quiet)
        else:
            if uid not in self.streams:
                self.streams[uid] = client.create_stream_channel("big")
            await self.streams[uid].join(with_presence=False, be_quiet=quiet)
        if not quiet:
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
                await self.streams[uid].leave()
            self.states[uid] = {}  # the cache entry goes with the channel (R-S4)
        elif how == "logout":
            await client.logout()  # stream handles survive logout (R-L2)
            self.logged_in.discard(uid)
            self.states[uid] = {}
        else:
            await self.enter(uid, quiet=True)  # the cache keeps the state (R-S4)
        self.visible.remove(uid)
        self.departed.add(uid)
        self.counts[f"leave-{'before' if uid < cursor else 'after'}"] += 1

    async def churn(self, cursor: str) -> None:
        """Leaves and joins on both sides of ``cursor``, some rejoins and state changes."""
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


async def _walk_pages(seed: int = 1234) -> list[tuple[list[str], int, str]]:
    """A seeded churn walk at page size 20: (ids, totalOccupancy, nextPage) of each page."""
    emu = Emulator(EmulatorConfig(announce_max=20, debounce=0))
    model = _Churn(emu, "MESSAGE", random.Random(seed))
    for _ in range(150):
        await model.join_new()
    (querier,) = await login(emu, "querier")
    out: list[tuple[list[str], int, str]] = []
    r = await querier.presence.get_online_users("big", "MESSAGE", include_state=True)
    while True:
        out.append((ids_of(r), r.total_occupancy, r.next_page))
        if not r.next_page:
            return out
        await model.churn(r.occupants[-1].user_id)
        r = await querier.presence.get_online_users(
            "big", "MESSAGE", include_state=True, page=r.next_page
        )


class TestRQ3ServerRoute:
    """R-Q3: pages of at most the announce threshold, in code-point order, base64 bookmarks."""

    async def test_r_q3_code_point_order(self, emu: Emulator) -> None:
        users = ["b", "a", "B", "10", "9", "Zed", " sp", "~t", "a b", "ab", "A", "a_", "!x", "[y"]
        await fill(emu, "room", *users)
        (caller,) = await login(emu, "caller")
        r = await caller.presence.get_online_users("room", "MESSAGE")
        expected = [
            " sp",
            "!x",
            "10",
            "9",
            "A",
            "B",
            "Zed",
            "[y",
            "a",
            "a b",
            "a_",
            "ab",
            "b",
            "~t",
        ]
        assert expected == ids_of(r)

    async def test_r_q3_order_does_not_depend_on_join_order(self) -> None:
        users = [f"user{i}" for i in range(40)]
        answers = []
        for seed in (1, 2, 3):
            emu = make()
            shuffled = list(users)
            random.Random(seed).shuffle(shuffled)
            await fill(emu, "room", *shuffled)
            (caller,) = await login(emu, "caller")
            answers.append(ids_of(await caller.presence.who_now("room", "MESSAGE")))
            emu.check_invariants()
        assert [sorted(users)] * 3 == answers

    @pytest.mark.parametrize(
        ("announce_max", "users", "sizes"),
        [
            (None, 49, [49]),
            (None, 50, [50]),
            (None, 51, [50, 1]),
            (None, 100, [50, 50]),
            (None, 101, [50, 50, 1]),
            (8, 0, [0]),
            (8, 1, [1]),
            (8, 7, [7]),
            (8, 8, [8]),
            (8, 9, [8, 1]),
            (8, 16, [8, 8]),
            (8, 17, [8, 8, 1]),
            (10, 9, [9]),
            (10, 10, [10]),
            (10, 11, [10, 1]),
            (128, 127, [127]),
            (128, 128, [128]),
            (128, 129, [128, 1]),
        ],
    )
    async def test_r_q3_page_size_is_the_announce_threshold(
        self, announce_max: int | None, users: int, sizes: list[int]
    ) -> None:
        emu = make() if announce_max is None else make(announce_max=announce_max)
        ids = [f"u{i:03d}" for i in range(users)]
        await fill(emu, "room", *ids)
        (caller,) = await login(emu, "caller")
        pages = await walk(caller, "room")
        assert sizes == [len(p.occupants) for p in pages]
        assert ids == [uid for p in pages for uid in ids_of(p)]
        assert [users] * len(sizes) == [p.total_occupancy for p in pages]  # R-Q4
        assert [b64(ids_of(p)[-1]) for p in pages[:-1]] + [""] == [p.next_page for p in pages]
        assert [0] * len(sizes) == [p.timestamp for p in pages]
        emu.check_invariants()

    @pytest.mark.parametrize(
        ("users", "last", "bookmark"),
        [
            (["!1", "!2", "!3", "!4", "!5", "!6", "!7", "???", "@a"], "???", "Pz8/"),
            (["a1", "a2", "a3", "a4", "a5", "a6", "a7", "~~~", "~~~~"], "~~~", "fn5+"),
            ([f"u{i}" for i in range(9)], "u7", "dTc="),
            ([f"user-{i}" for i in range(9)], "user-7", "dXNlci03"),
        ],
        ids=["slash", "plus", "padding", "no-padding"],
    )
    async def test_r_q3_next_page_is_standard_base64_of_the_last_user_id(
        self, emu8: Emulator, users: list[str], last: str, bookmark: str
    ) -> None:
        await fill(emu8, "room", *users)
        (caller,) = await login(emu8, "caller")
        first = await caller.presence.get_online_users("room", "MESSAGE")
        assert (last, bookmark) == (first.occupants[-1].user_id, first.next_page)
        assert last == base64.b64decode(first.next_page).decode()
        assert bookmark == first.to_dict()["nextPage"]
        second = await caller.presence.get_online_users("room", "MESSAGE", page=bookmark)
        assert ([users[-1]], 9, "") == (ids_of(second), second.total_occupancy, second.next_page)

    @pytest.mark.parametrize(
        ("after", "expected"),
        [
            ("u05", [f"u{i:02d}" for i in range(6, 14)]),
            ("u055", [f"u{i:02d}" for i in range(6, 14)]),  # not a user: strictly after it
            ("a", [f"u{i:02d}" for i in range(8)]),
            ("u", [f"u{i:02d}" for i in range(8)]),
            ("u12", [f"u{i:02d}" for i in range(13, 20)]),
            ("u19", []),
            ("zzz", []),
        ],
    )
    async def test_r_q3_a_page_starts_strictly_after_its_decoded_id(
        self, emu8: Emulator, after: str, expected: list[str]
    ) -> None:
        await fill(emu8, "room", *[f"u{i:02d}" for i in range(20)])
        (caller,) = await login(emu8, "caller")
        r = await caller.presence.who_now("room", "MESSAGE", page=b64(after))
        more = b64(expected[-1]) if len(expected) == 8 and expected[-1] != "u19" else ""
        assert {
            "timestamp": 0,
            "totalOccupancy": 20,
            "occupants": bare(*expected),
            "nextPage": more,
        } == r.to_dict()
        assert r == await caller.presence.whoNow("room", "MESSAGE", {"page": b64(after)})

    @pytest.mark.parametrize(
        ("page", "after"),
        [
            ("dTU=", "u5"),
            ("dTU", "u5"),  # atob accepts a missing padding
            ("dT U=", "u5"),  # and ASCII white space anywhere
            ("\tdTU=\n", "u5"),
            ("dTU5", "u59"),
        ],
        ids=["padded", "unpadded", "inner-space", "outer-white-space", "other-id"],
    )
    async def test_r_q3_page_is_decoded_as_atob_does(
        self, emu8: Emulator, page: str, after: str
    ) -> None:
        await fill(emu8, "room", *[f"u{i}" for i in range(10)])
        (caller,) = await login(emu8, "caller")
        r = await caller.presence.who_now("room", "MESSAGE", page=page)
        assert [u for u in (f"u{i}" for i in range(10)) if u > after] == ids_of(r)

    @pytest.mark.parametrize("page", ["/w==", "yourBookMark", "6Q=="], ids=["ff", "seed", "e9"])
    async def test_r_q3_page_decoding_to_non_ascii_starts_after_every_user(
        self, emu8: Emulator, page: str
    ) -> None:
        """atob gives one character per byte: above every id of the R-C1 charset."""
        await fill(emu8, "room", *[f"u{i}" for i in range(10)])
        (caller,) = await login(emu8, "caller")
        r = await caller.presence.whoNow(
            "room", "MESSAGE", {"includedUserId": True, "includedState": True, "page": page}
        )
        assert empty_page(10) == r.to_dict()

    @pytest.mark.parametrize(
        "page",
        ["not base64 !!", "a", "abcde", "ab*d", "dQ=", "dTU==", "====", "é", "dT-_", 5],
        ids=repr,
    )
    async def test_r_q3_page_that_is_not_base64_is_a_value_error(
        self, emu8: Emulator, page: Any
    ) -> None:
        """R-X3: the SDK's ``atob`` throws ``InvalidCharacterError``: a ``ValueError`` here."""
        await fill(emu8, "room", *[f"u{i}" for i in range(10)])
        ((caller, rec),) = await login_recorded(emu8, "caller")
        await caller.subscribe("room", with_presence=False)  # server route
        rec.take()
        before = (emu8.online_users("room", "MESSAGE"), emu8.now_ms)
        for method in ("who_now", "get_online_users"):
            with pytest.raises(ValueError):
                await getattr(caller.presence, method)("room", "MESSAGE", page=page)
        for method in ("whoNow", "getOnlineUsers"):
            with pytest.raises(ValueError):
                await getattr(caller.presence, method)("room", "MESSAGE", {"page": page})
        assert before == (emu8.online_users("room", "MESSAGE"), emu8.now_ms)
        assert [] == rec.take()

    async def test_r_q3_bad_page_comes_after_every_rtm_check(self, emu8: Emulator) -> None:
        (caller,) = await login(emu8, "caller")
        p = caller.presence
        await fails(p.whoNow("", "MESSAGE", {"page": "!!"}), INVALID_CHANNEL_NAME, "whoNow")
        await fails(p.whoNow("room", "USER", {"page": "!!"}), INVALID_CHANNEL_TYPE, "whoNow")
        await fails(
            p.whoNow(
                "room", "MESSAGE", {"includedUserId": False, "includedState": True, "page": "!!"}
            ),
            INVALID_ARGUMENT,
            "whoNow",
            CONFLICT_REASON,
        )
        await caller.logout()
        await fails(p.whoNow("room", "MESSAGE", {"page": "!!"}), NOT_CONNECTED, "whoNow")

    @pytest.mark.parametrize("page", [None, ""], ids=repr)
    async def test_r_q3_no_page_means_the_first_page(self, emu8: Emulator, page: Any) -> None:
        await fill(emu8, "room", *[f"u{i:02d}" for i in range(10)])
        (caller,) = await login(emu8, "caller")
        first = await caller.presence.who_now("room", "MESSAGE")
        assert first == await caller.presence.who_now("room", "MESSAGE", page=page)
        assert first == await caller.presence.whoNow("room", "MESSAGE", {"page": page})
        assert [f"u{i:02d}" for i in range(8)] == ids_of(first)

    async def test_r_q3_a_bookmark_belongs_to_no_channel(self, emu8: Emulator) -> None:
        """A bookmark from another channel, type or app is just a user id to start after."""
        await fill(emu8, "hall", *[f"h{i:02d}" for i in range(10)])
        await fill(emu8, "room", *[f"h{i:02d}x" for i in range(10)])
        await fill(emu8, "room", *[f"s{i:02d}" for i in range(3)], ctype="STREAM")
        (caller,) = await login(emu8, "caller")
        hall = await caller.presence.who_now("hall", "MESSAGE")
        assert b64("h07") == hall.next_page
        r = await caller.presence.who_now("room", "MESSAGE", page=hall.next_page)
        assert ["h07x", "h08x", "h09x"] == ids_of(r)
        r = await caller.presence.who_now("room", "STREAM", page=hall.next_page)
        assert ["s00", "s01", "s02"] == ids_of(r)
        other = emu8.client("zed", app_id=OTHER_APP)
        await other.login()
        r = await other.presence.who_now("hall", "MESSAGE", page=hall.next_page)
        assert empty_page(0) == r.to_dict()

    async def test_r_q3_a_bookmark_belongs_to_no_option_set_or_caller(self, emu8: Emulator) -> None:
        clients = await fill(emu8, "room", *[f"u{i:02d}" for i in range(10)])
        for client in clients:
            await client.presence.set_state("room", "MESSAGE", {"me": client.user_id})
        alice, bob = await login(emu8, "alice", "bob")
        first = await alice.presence.whoNow("room", "MESSAGE", {"includedUserId": True})
        with_state = await bob.presence.getOnlineUsers(
            "room", "MESSAGE", {"includedState": True, "page": first.next_page}
        )
        assert [
            {"userId": "u08", "states": {"me": "u08"}, "statesCount": 1},
            {"userId": "u09", "states": {"me": "u09"}, "statesCount": 1},
        ] == with_state.to_dict()["occupants"]
        again = await alice.presence.get_online_users(
            "room", "MESSAGE", include_user_id=True, include_state=False, page=first.next_page
        )
        assert ["u08", "u09"] == ids_of(again)

    async def test_r_q3_count_only_ignores_the_page(self, emu8: Emulator) -> None:
        await fill(emu8, "room", *[f"u{i:02d}" for i in range(10)])
        (caller,) = await login(emu8, "caller")
        for page in (b64("u05"), b64("zzz"), "not base64 !!", "a", 5):
            r = await caller.presence.whoNow(
                "room", "MESSAGE", {"includedUserId": False, "page": page}
            )
            assert empty_page(10) == r.to_dict()
            r = await caller.presence.get_online_users(
                "room", "MESSAGE", include_user_id=False, page=page
            )
            assert empty_page(10) == r.to_dict()

    async def test_r_q3_a_caller_in_the_channel_without_presence_is_paged(
        self, emu8: Emulator
    ) -> None:
        users = [f"u{i:02d}" for i in range(10)]
        await fill(emu8, "room", *users)
        (me,) = await fill(emu8, "room", "me")
        pages = await walk(me, "room")
        assert [8, 3] == [len(p.occupants) for p in pages]
        assert sorted([*users, "me"]) == [uid for p in pages for uid in ids_of(p)]

    async def test_r_q3_leaving_user_listed_with_its_last_state_during_the_debounce(
        self, emu: Emulator
    ) -> None:
        """R-E6 on the server route: listed and counted until the debounce ends."""
        (bob,) = await fill(emu, "room", "bob")
        await fill(emu, "room", "carol")
        await bob.presence.set_state("room", "MESSAGE", {"seat": "3"})
        await bob.unsubscribe("room")
        (outsider,) = await login(emu, "outsider")
        r = await outsider.presence.who_now("room", "MESSAGE", include_state=True)
        assert {
            "timestamp": 0,
            "totalOccupancy": 2,
            "occupants": [
                {"userId": "bob", "states": {"seat": "3"}, "statesCount": 1},
                {"userId": "carol", "states": {}, "statesCount": 0},
            ],
            "nextPage": "",
        } == r.to_dict()
        emu.advance(2)
        r = await outsider.presence.who_now("room", "MESSAGE", include_state=True)
        assert (["carol"], 1) == (ids_of(r), r.total_occupancy)

    async def test_r_q3_bookmark_stays_valid_after_its_user_left(self) -> None:
        emu = make(announce_max=8, debounce=0)
        names = [f"u{i:02d}" for i in range(12)]
        clients = dict(zip(names, await fill(emu, "room", *names), strict=True))
        (caller,) = await login(emu, "caller")
        first = await caller.presence.who_now("room", "MESSAGE")
        assert (names[:8], b64("u07")) == (ids_of(first), first.next_page)
        await clients["u07"].unsubscribe("room")  # the user the bookmark points after
        await clients["u01"].logout()
        await fill(emu, "room", "u00a", "u07a")  # before / after the cursor
        second = await caller.presence.who_now("room", "MESSAGE", page=first.next_page)
        assert (["u07a", "u08", "u09", "u10", "u11"], 12, "") == (
            ids_of(second),
            second.total_occupancy,
            second.next_page,
        )
        emu.check_invariants()

    async def test_r_q3_bookmark_past_everyone_gives_an_empty_last_page(self) -> None:
        emu = make(announce_max=8, debounce=0)
        clients = await fill(emu, "room", *[f"u{i:02d}" for i in range(12)])
        (caller,) = await login(emu, "caller")
        first = await caller.presence.get_online_users("room", "MESSAGE")
        for client in clients[8:]:
            await client.unsubscribe("room")
        r = await caller.presence.get_online_users("room", "MESSAGE", page=first.next_page)
        assert empty_page(8) == r.to_dict()
        for client in clients[:8]:
            await client.unsubscribe("room")  # the channel is now empty
        r = await caller.presence.get_online_users("room", "MESSAGE", page=first.next_page)
        assert empty_page(0) == r.to_dict()
        emu.check_invariants()

    async def test_r_q3_same_bookmark_twice_gives_the_same_page(self, emu8: Emulator) -> None:
        await fill(emu8, "room", *[f"u{i:02d}" for i in range(20)])
        (caller,) = await login(emu8, "caller")
        first = await caller.presence.who_now("room", "MESSAGE")
        again = await caller.presence.who_now("room", "MESSAGE", page=first.next_page)
        assert again == await caller.presence.who_now("room", "MESSAGE", page=first.next_page)
        assert [f"u{i:02d}" for i in range(8, 16)] == ids_of(again)

    @pytest.mark.parametrize(
        ("users", "page_size", "ctype", "spelling", "include_state"),
        [
            (3000, 50, "MESSAGE", "get_online_users", False),
            (1500, 128, "STREAM", "whoNow", True),
        ],
    )
    async def test_r_q3_walk_with_churn_is_stable(
        self, users: int, page_size: int, ctype: str, spelling: str, include_state: bool
    ) -> None:
        """No user twice across a walk; every user present throughout exactly once."""
        rng = random.Random(1234)
        # not strict: invariant checks cost O(n) a step, so this test checks at the end
        emu = Emulator(EmulatorConfig(announce_max=page_size, debounce=0))
        model = _Churn(emu, ctype, rng)
        for _ in range(users):
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
            got_ids = ids_of(r)
            cursor = returned[-1] if returned else None
            start = 0 if cursor is None else bisect.bisect_right(model.visible, cursor)
            # the page is exactly the next users after the cursor that are present now
            assert model.visible[start : start + page_size] == got_ids
            assert len(model.visible) == r.total_occupancy
            for occupant in r.occupants:
                expected_state = model.states[occupant.user_id] if include_state else {}
                assert expected_state == dict(occupant.states)
            assert 0 == r.timestamp
            returned.extend(got_ids)
            if not r.next_page:
                assert [] == model.visible[start + len(got_ids) :]
                break
            assert (page_size, b64(got_ids[-1])) == (len(got_ids), r.next_page)
            await model.churn(got_ids[-1])
            page = r.next_page
        emu.check_invariants()

        assert pages == -(-len(returned) // page_size)  # full pages but the last
        for kind in ("leave-before", "leave-after", "join-before", "join-after", "rejoin"):
            assert model.counts[kind] > 2, kind
        counts = Counter(returned)
        assert [] == [uid for uid, n in counts.items() if n > 1]  # no user twice
        assert returned == sorted(returned)
        stayed = at_start - model.departed
        assert len(stayed) > users // 2
        assert {uid: 1 for uid in sorted(stayed)} == {uid: counts[uid] for uid in sorted(stayed)}
        never_visible = set(model.clients) - model.ever_visible
        assert never_visible  # quiet all along: present, never listed
        assert set() == set(returned) & never_visible

    async def test_r_q3_walks_are_deterministic(self) -> None:
        first = await _walk_pages()
        assert len(first) > 5
        assert first == await _walk_pages()

    def test_r_q3_walks_do_not_depend_on_the_hash_seed(self) -> None:
        """R-E7: the same script, another ``PYTHONHASHSEED``: the same pages and bookmarks."""
        expected = json.loads(json.dumps(asyncio.run(_walk_pages())))
        root = Path(__file__).resolve().parents[2]
        script = (
            "import asyncio, json\n"
            "from tests.engine.test_queries import _walk_pages\n"
            "print(json.dumps(asyncio.run(_walk_pages())))\n"
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


#: user ids of the R-C1 charset (no leading ``_``), for the bookmark property
_USER_IDS = st.text(
    alphabet=string.ascii_letters + string.digits + " !#$%&()+,-:;<=>?@[]^_{|}~",
    min_size=1,
    max_size=12,
).filter(lambda uid: not uid.startswith("_"))


class TestRQ3Bookmarks:
    """R-Q3: a bookmark is the standard base64 of the page's last user id, nothing more."""

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(user_ids=st.sets(_USER_IDS, min_size=1, max_size=30))
    def test_r_q3_bookmarks_round_trip(self, user_ids: set[str]) -> None:
        async def run() -> None:
            emu = Emulator(EmulatorConfig(announce_max=8))
            await fill(emu, "room", *sorted(user_ids))
            (caller,) = await login(emu, "q" * 13)  # longer than any generated id
            pages = await walk(caller, "room")
            listed = [uid for p in pages for uid in ids_of(p)]
            assert sorted(user_ids) == listed  # code-point order, everyone once
            for p in pages[:-1]:
                last = p.occupants[-1].user_id
                assert (8, b64(last)) == (len(p.occupants), p.next_page)
                assert last == base64.b64decode(p.next_page, validate=True).decode()
            assert "" == pages[-1].next_page
            emu.check_invariants()

        asyncio.run(run())

    async def test_r_q3_bookmarks_are_the_same_on_every_run(self) -> None:
        first = [next_page for _, _, next_page in await _walk_pages()]
        assert first == [next_page for _, _, next_page in await _walk_pages()]
        assert len(set(first)) == len(first)


# ---------------------------------------------------------------------------------- R-Q4


class TestRQ4CountOnlyAndTotals:
    """R-Q4: count-only answers, the channel's occupancy as the total, states on request."""

    async def test_r_q4_count_only_is_the_channel_occupancy(self, emu8: Emulator) -> None:
        await fill(emu8, "room", *[f"u{i:02d}" for i in range(20)])
        await fill(emu8, "room", "quiet", be_quiet=True)
        (caller,) = await login(emu8, "caller")
        r = await caller.presence.get_online_users("room", "MESSAGE", include_user_id=False)
        assert empty_page(20) == r.to_dict()
        r = await caller.presence.whoNow(
            "room", "MESSAGE", {"includedUserId": False, "includedState": False, "page": ""}
        )
        assert empty_page(20) == r.to_dict()

    @pytest.mark.parametrize(("method", "operation"), WHO_NOW_SPELLINGS)
    async def test_r_q4_count_only_with_state_is_invalid(
        self, emu: Emulator, method: str, operation: str
    ) -> None:
        (alice,) = await fill(emu, "room", "alice")
        call = getattr(alice.presence, method)
        if method.islower():
            aw = call("room", "MESSAGE", include_user_id=False, include_state=True)
        else:
            aw = call("room", "MESSAGE", {"includedUserId": False, "includedState": True})
        await fails(aw, INVALID_ARGUMENT, operation, CONFLICT_REASON)

    async def test_r_q4_conflict_comes_after_the_channel_name(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        options = {"includedUserId": False, "includedState": True}
        await fails(
            alice.presence.whoNow("a.b", "MESSAGE", options), INVALID_CHANNEL_NAME, "whoNow"
        )
        await fails(
            alice.presence.getOnlineUsers("room", "STREAM", {**options, "page": b64("x")}),
            INVALID_ARGUMENT,
            "getOnlineUsers",
            CONFLICT_REASON,
        )

    async def test_r_q4_the_total_is_the_occupancy_on_every_page(self, emu8: Emulator) -> None:
        await fill(emu8, "room", *[f"u{i:02d}" for i in range(20)])
        (caller,) = await login(emu8, "caller")
        pages = await walk(caller, "room", include_state=True)
        assert [(8, 20), (8, 20), (4, 20)] == [(len(p.occupants), p.total_occupancy) for p in pages]

    async def test_r_q4_without_state_occupants_have_empty_states(self, emu: Emulator) -> None:
        (me,) = await fill(emu, "room", "me", with_presence=True)
        alice, bob = await fill(emu, "room", "alice", "bob")
        await alice.presence.set_state("room", "MESSAGE", {"a": "1", "b": "2"})
        await bob.presence.set_state("room", "MESSAGE", {"c": "3"})
        (outsider,) = await login(emu, "outsider")
        for caller in (me, outsider):  # local route, server route
            for options in (None, {}, {"includedState": False}):
                r = await caller.presence.whoNow("room", "MESSAGE", options)
                assert bare("alice", "bob", "me") == r.to_dict()["occupants"]
            r = await caller.presence.who_now("room", "MESSAGE")
            assert [({}, 0)] * 3 == [(dict(o.states), o.states_count) for o in r.occupants]

    async def test_r_q4_with_state_shows_full_states_on_every_page(self, emu8: Emulator) -> None:
        clients = await fill(emu8, "room", *[f"u{i:02d}" for i in range(10)])
        for i, client in enumerate(clients):
            await client.presence.set_state("room", "MESSAGE", {"me": client.user_id, "n": i})
        await clients[3].presence.remove_state("room", "MESSAGE", states=["n"])
        (caller,) = await login(emu8, "caller")
        pages = await walk(caller, "room", include_state=True)
        expected = [
            {"userId": c.user_id, "states": {"me": c.user_id, "n": i}, "statesCount": 2}
            for i, c in enumerate(clients)
        ]
        expected[3] = {"userId": "u03", "states": {"me": "u03"}, "statesCount": 1}
        assert as_json(expected) == as_json([o for p in pages for o in p.to_dict()["occupants"]])

    async def test_r_q4_quiet_users_after_the_last_page_are_no_more(self, emu8: Emulator) -> None:
        await fill(emu8, "room", *[f"u{i}" for i in range(8)])
        await fill(emu8, "room", "zz", be_quiet=True)
        (caller,) = await login(emu8, "caller")
        r = await caller.presence.who_now("room", "MESSAGE")
        assert ([f"u{i}" for i in range(8)], 8, "") == (ids_of(r), r.total_occupancy, r.next_page)


# ---------------------------------------------------------------------------------- R-Q5


class TestRQ5WhereNow:
    """R-Q5: getUserChannels / whereNow list the user's visible channels, in order."""

    async def test_r_q5_order_by_type_then_name(self, emu: Emulator) -> None:
        alice, bob = await login(emu, "alice", "bob")
        for name in ("b", "9", "a", "B", "10"):
            await alice.subscribe(name, with_presence=False)
        for name in ("zz", "0", "A"):
            await alice.create_stream_channel(name).join(with_presence=False)
        r = await bob.presence.get_user_channels("alice")
        assert {
            "timestamp": 0,
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
        assert (ChannelType.MESSAGE, "10", 8) == (
            r.channels[0].channel_type,
            r.channels[0].channel_name,
            r.total_channel,
        )

    async def test_r_q5_order_follows_every_change(self, emu: Emulator) -> None:
        alice, bob = await login(emu, "alice", "bob")

        async def names() -> list[str]:
            return [
                c.channel_name for c in (await bob.presence.get_user_channels("alice")).channels
            ]

        await alice.subscribe("m", with_presence=False)
        assert ["m"] == await names()
        await alice.subscribe("c", with_presence=False)
        await alice.subscribe("x", with_presence=False)
        assert ["c", "m", "x"] == await names()
        await alice.unsubscribe("m")
        await alice.subscribe("a", with_presence=False)
        assert ["a", "c", "x"] == await names()

    async def test_r_q5_same_name_both_types(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.create_stream_channel("room").join(with_presence=False)
        await alice.subscribe("room", with_presence=False)
        r = await alice.presence.whereNow("alice")
        assert [
            {"channelName": "room", "channelType": "MESSAGE"},
            {"channelName": "room", "channelType": "STREAM"},
        ] == r.to_dict()["channels"]

    @pytest.mark.parametrize(("method", "operation"), WHERE_NOW_SPELLINGS)
    async def test_r_q5_every_spelling(self, emu: Emulator, method: str, operation: str) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await alice.subscribe("room")
        r = await getattr(bob.presence, method)("alice")
        assert {
            "timestamp": 0,
            "totalChannel": 1,
            "channels": [{"channelName": "room", "channelType": "MESSAGE"}],
        } == r.to_dict()

    async def test_r_q5_quiet_channels_are_left_out(self, emu: Emulator) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await alice.subscribe("loud", with_presence=False)
        await alice.subscribe("hush", be_quiet=True)
        await alice.create_stream_channel("hush").join(be_quiet=True)
        await alice.create_stream_channel("deaf").join(with_presence=False)
        expected = {
            "timestamp": 0,
            "totalChannel": 2,
            "channels": [
                {"channelName": "loud", "channelType": "MESSAGE"},
                {"channelName": "deaf", "channelType": "STREAM"},
            ],
        }
        assert expected == (await bob.presence.where_now("alice")).to_dict()
        assert expected == (await alice.presence.where_now("")).to_dict()
        expected_present = [
            ("MESSAGE", "hush"),
            ("MESSAGE", "loud"),
            ("STREAM", "deaf"),
            ("STREAM", "hush"),
        ]
        assert expected_present == list(emu.user_channels("alice"))

    async def test_r_q5_quiet_toggle(self, emu: Emulator) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await alice.subscribe("room", with_presence=False)
        await alice.subscribe("room", with_presence=False, be_quiet=True)
        assert 0 == (await bob.presence.where_now("alice")).total_channel
        await alice.subscribe("room", with_presence=False)
        assert 1 == (await bob.presence.where_now("alice")).total_channel

    @pytest.mark.parametrize(
        "who", ["stranger", "nobody-ever", "null", "undefined", "a_", " ", "x" * 64]
    )
    async def test_r_q5_unknown_or_never_logged_in_user_is_empty(
        self, emu: Emulator, who: str
    ) -> None:
        (alice,) = await login(emu, "alice")
        emu.client("stranger")  # exists, never logged in
        r = await alice.presence.get_user_channels(who)
        assert {"timestamp": 0, "totalChannel": 0, "channels": []} == r.to_dict()

    async def test_r_q5_logged_out_user_is_empty(self, emu: Emulator) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await bob.subscribe("room")
        await bob.create_stream_channel("stage").join()
        await bob.logout()
        r = await alice.presence.whereNow("bob")
        assert {"timestamp": 0, "totalChannel": 0, "channels": []} == r.to_dict()

    async def test_r_q5_the_channel_is_dropped_at_once_on_leaving(self, emu: Emulator) -> None:
        """R-E6: the debounce keeps the document in whoNow, not the channel in whereNow."""
        alice, bob = await login(emu, "alice", "bob")
        await bob.subscribe("room", with_presence=False)
        stage = bob.create_stream_channel("stage")
        await stage.join(with_presence=False)
        await bob.unsubscribe("room")
        r = await alice.presence.whereNow("bob")
        assert [{"channelName": "stage", "channelType": "STREAM"}] == r.to_dict()["channels"]
        assert ["bob"] == ids_of(await alice.presence.who_now("room", "MESSAGE"))  # debounce
        await stage.leave()
        assert 0 == (await alice.presence.whereNow("bob")).total_channel

    async def test_r_q5_other_app_is_not_visible(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        other = emu.client("bob", app_id=OTHER_APP)
        await other.login()
        await other.subscribe("room")
        assert 0 == (await alice.presence.where_now("bob")).total_channel
        assert 1 == (await other.presence.where_now("bob")).total_channel

    async def test_r_q5_timed_out_user_is_empty(self, emu: Emulator) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await bob.subscribe("room")
        emu.disconnect("bob")
        assert 1 == (await alice.presence.where_now("bob")).total_channel
        emu.advance(320)
        r = await alice.presence.where_now("bob")
        assert {"timestamp": 0, "totalChannel": 0, "channels": []} == r.to_dict()

    @pytest.mark.parametrize(("method", "operation"), WHERE_NOW_SPELLINGS)
    async def test_r_q5_empty_user_id_means_the_caller(
        self, emu: Emulator, method: str, operation: str
    ) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await alice.subscribe("mine", with_presence=False)
        await bob.subscribe("theirs", with_presence=False)
        r = await getattr(alice.presence, method)("")
        assert {
            "timestamp": 0,
            "totalChannel": 1,
            "channels": [{"channelName": "mine", "channelType": "MESSAGE"}],
        } == r.to_dict()
        assert r == await getattr(alice.presence, method)()
        assert r == await getattr(alice.presence, method)("alice")

    @pytest.mark.parametrize(("method", "operation"), WHERE_NOW_SPELLINGS)
    @pytest.mark.parametrize(
        "user_id", ["a.b", "_a", "x" * 65, "bad/id", "tab\tid", "é", "a`b", 42], ids=repr
    )
    async def test_r_q5_invalid_user_id(
        self, emu: Emulator, method: str, operation: str, user_id: Any
    ) -> None:
        (alice,) = await login(emu, "alice")
        await fails(getattr(alice.presence, method)(user_id), INVALID_USER_ID, operation)

    @pytest.mark.parametrize(("method", "operation"), WHERE_NOW_SPELLINGS)
    async def test_r_q5_link_before_user_id(
        self, emu: Emulator, method: str, operation: str
    ) -> None:
        alice = emu.client("alice")
        await fails(getattr(alice.presence, method)("a.b"), NOT_CONNECTED, operation)
        await alice.login()
        emu.disconnect("alice")
        await fails(getattr(alice.presence, method)("alice"), NOT_CONNECTED, operation)
        await fails(getattr(alice.presence, method)("a.b"), NOT_CONNECTED, operation)

    async def test_r_q5_not_paged(self, emu: Emulator) -> None:
        """The most a client can be in (R-L4: 50, at most 10 of them STREAM), in one answer."""
        (alice,) = await login(emu, "alice")
        (bob,) = await login(emu, "bob")
        message = [f"m{i:02d}" for i in range(40)]
        stream = [f"s{i:02d}" for i in range(10)]
        for name in reversed(message):
            await alice.subscribe(name, with_presence=False)
        for name in reversed(stream):
            await alice.create_stream_channel(name).join(with_presence=False)
        r = await bob.presence.where_now("alice")
        assert 50 == r.total_channel
        assert [(n, "MESSAGE") for n in message] + [(n, "STREAM") for n in stream] == [
            (c["channelName"], c["channelType"]) for c in r.to_dict()["channels"]
        ]


# ---------------------------------------------------------------------------------- R-Q6


class TestRQ6GetState:
    """R-Q6: own state (document, cache, ``{}``); others from the replica or the server."""

    async def test_r_q6_from_the_replica(self, emu: Emulator) -> None:
        (alice,) = await fill(emu, "room", "alice", with_presence=True)
        (bob,) = await fill(emu, "room", "bob")
        await bob.presence.set_state("room", "MESSAGE", {"mood": "pumped", "seat": 3})
        r = await alice.presence.get_state("bob", "room", "MESSAGE")
        assert {
            "timestamp": 0,
            "userId": "bob",
            "states": {"mood": "pumped", "seat": 3},
            "statesCount": 2,
        } == r.to_dict()
        assert ("bob", 2, 0) == (r.user_id, r.states_count, r.timestamp)
        assert r == await alice.presence.getState("bob", "room", "MESSAGE")
        assert r == await alice.presence.getState("bob", "room", ChannelType.MESSAGE)

    @pytest.mark.parametrize("quiet_caller", [False, True], ids=["visible", "quiet"])
    async def test_r_q6_absent_or_quiet_user_on_the_local_route(
        self, emu: Emulator, quiet_caller: bool
    ) -> None:
        (alice,) = await fill(emu, "room", "alice", with_presence=True, be_quiet=quiet_caller)
        (bob,) = await fill(emu, "room", "bob", be_quiet=True)
        await bob.presence.set_state("room", "MESSAGE", {"hidden": "1"})
        await login(emu, "carol")  # logged in, not in the channel
        for who in ("bob", "carol", "ghost", "null"):
            await fails(alice.presence.get_state(who, "room", "MESSAGE"), USER_NOT_EXIST, GET)
        await bob.subscribe("room", with_presence=False)  # visible again
        r = await alice.presence.get_state("bob", "room", "MESSAGE")
        assert {"hidden": "1"} == r.to_dict()["states"]

    @pytest.mark.parametrize(
        "caller_in", ["nowhere", "without-presence"], ids=["outsider", "not-listening"]
    )
    async def test_r_q6_from_the_server(self, emu: Emulator, caller_in: str) -> None:
        (alice,) = await login(emu, "alice")
        if caller_in == "without-presence":
            await alice.subscribe("room", with_presence=False)
        (bob,) = await fill(emu, "room", "bob")
        (quiet,) = await fill(emu, "room", "quiet", be_quiet=True)
        await bob.presence.set_state("room", "MESSAGE", {"k": "v"})
        await quiet.presence.set_state("room", "MESSAGE", {"hidden": "1"})
        r = await alice.presence.get_state("bob", "room", "MESSAGE")
        assert {"timestamp": 0, "userId": "bob", "states": {"k": "v"}, "statesCount": 1} == (
            r.to_dict()
        )
        for who in ("quiet", "ghost", "null"):
            r = await alice.presence.getState(who, "room", "MESSAGE")
            assert {"timestamp": 0, "userId": who, "states": {}, "statesCount": 0} == r.to_dict()
        r = await alice.presence.getState("bob", "room", "STREAM")  # same name, other type
        assert {"timestamp": 0, "userId": "bob", "states": {}, "statesCount": 0} == r.to_dict()

    async def test_r_q6_empty_user_id_is_invalid(self, emu: Emulator) -> None:
        (alice,) = await fill(emu, "room", "alice", with_presence=True)
        await alice.presence.set_state("room", "MESSAGE", {"me": "yes"})
        await fails(alice.presence.get_state("", "room", "MESSAGE"), INVALID_USER_ID, GET)
        await fails(alice.presence.getState("", "nowhere", "STREAM"), INVALID_USER_ID, GET)

    async def test_r_q6_own_state_from_the_document(self, emu: Emulator) -> None:
        (alice,) = await fill(emu, "room", "alice", with_presence=True)
        await alice.presence.set_state("room", "MESSAGE", {"me": "yes"})
        r = await alice.presence.get_state("alice", "room", "MESSAGE")
        assert {"timestamp": 0, "userId": "alice", "states": {"me": "yes"}, "statesCount": 1} == (
            r.to_dict()
        )

    async def test_r_q6_own_state_from_the_cache_or_empty(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        await alice.presence.set_state("hall", "MESSAGE", {"pre": "1"})
        r = await alice.presence.get_state("alice", "hall", "MESSAGE")
        assert {"timestamp": 0, "userId": "alice", "states": {"pre": "1"}, "statesCount": 1} == (
            r.to_dict()
        )
        r = await alice.presence.get_state("alice", "room", "MESSAGE")  # not an error
        assert {"timestamp": 0, "userId": "alice", "states": {}, "statesCount": 0} == r.to_dict()
        await alice.subscribe("room", be_quiet=True)
        await alice.presence.set_state("room", "MESSAGE", {"quiet": "1"})
        r = await alice.presence.get_state("alice", "room", "MESSAGE")
        assert {"quiet": "1"} == r.to_dict()["states"]
        await alice.unsubscribe("room")
        r = await alice.presence.get_state("alice", "room", "MESSAGE")
        assert ({}, 0) == (r.to_dict()["states"], r.states_count)

    async def test_r_q6_stream_channel(self, emu: Emulator) -> None:
        alice, bob = await login(emu, "alice", "bob")
        await bob.create_stream_channel("stage").join(with_presence=False)
        await bob.presence.set_state("stage", "STREAM", {"mic": "on"})
        r = await alice.presence.get_state("bob", "stage", "STREAM")
        assert {"mic": "on"} == r.to_dict()["states"]
        await alice.create_stream_channel("stage").join()  # now from alice's replica
        assert r == await alice.presence.get_state("bob", "stage", "STREAM")
        await fails(alice.presence.get_state("ghost", "stage", "STREAM"), USER_NOT_EXIST, GET)

    async def test_r_q6_leaving_user_during_the_debounce(self, emu: Emulator) -> None:
        """R-E6: the kept document keeps its last fields, on both routes."""
        (alice,) = await fill(emu, "room", "alice", with_presence=True)
        (bob,) = await fill(emu, "room", "bob")
        (carol,) = await login(emu, "carol")
        await bob.presence.set_state("room", "MESSAGE", {"seat": "3"})
        await bob.unsubscribe("room")
        emu.advance(1)
        for caller in (alice, carol):
            r = await caller.presence.get_state("bob", "room", "MESSAGE")
            assert {"seat": "3"} == r.to_dict()["states"]
        emu.advance(1)
        await fails(alice.presence.get_state("bob", "room", "MESSAGE"), USER_NOT_EXIST, GET)
        r = await carol.presence.get_state("bob", "room", "MESSAGE")
        assert ({}, 0) == (r.to_dict()["states"], r.states_count)

    async def test_r_q6_other_app_is_not_visible(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        other = emu.client("bob", app_id=OTHER_APP)
        await other.login()
        await other.subscribe("room", with_presence=False)
        await other.presence.set_state("room", "MESSAGE", {"k": "v"})
        r = await alice.presence.get_state("bob", "room", "MESSAGE")
        assert ({}, 0) == (r.to_dict()["states"], r.states_count)

    @pytest.mark.parametrize(
        ("args", "code"),
        [
            (("a.b", "room", "MESSAGE"), INVALID_USER_ID),
            (("_bob", "room", "MESSAGE"), INVALID_USER_ID),
            (("x" * 65, "room", "MESSAGE"), INVALID_USER_ID),
            ((7, "room", "MESSAGE"), INVALID_USER_ID),
            (("bob", "", "MESSAGE"), INVALID_CHANNEL_NAME),
            (("bob", "_x", "MESSAGE"), INVALID_CHANNEL_NAME),
            (("bob", "room", "USER"), INVALID_CHANNEL_TYPE),
            (("bob", "room", "stream"), INVALID_CHANNEL_TYPE),
            # first fault wins: type, then channel name, then user id
            (("", "", "USER"), INVALID_CHANNEL_TYPE),
            (("a.b", "", "MESSAGE"), INVALID_CHANNEL_NAME),
            (("", "a.b", "STREAM"), INVALID_CHANNEL_NAME),
        ],
        ids=repr,
    )
    async def test_r_q6_bad_arguments(
        self, emu: Emulator, args: tuple[Any, ...], code: int
    ) -> None:
        (alice,) = await fill(emu, "room", "alice")
        for method in ("get_state", "getState"):
            await fails(getattr(alice.presence, method)(*args), code, GET)


# ---------------------------------------------------------------------------------- R-Q7


class TestRQ7Timestamps:
    """R-Q7: every response's ``timestamp`` is 0, whatever the clock says."""

    @staticmethod
    async def _all_responses(client: RTMClient) -> list[Any]:
        p = client.presence
        return [
            await p.who_now("room", "MESSAGE"),  # local route
            await p.whoNow("room", "MESSAGE", {"includedUserId": False}),
            await p.getOnlineUsers("hall", "MESSAGE", {"includedState": True}),  # server route
            await p.get_online_users("nowhere", "STREAM"),
            await p.where_now("bob"),
            await p.getUserChannels(""),
            await p.get_state("bob", "room", "MESSAGE"),  # replica
            await p.getState("bob", "hall", "MESSAGE"),  # server
            await p.getState(client.user_id, "room", "MESSAGE"),  # own document
            await p.get_state(client.user_id, "nowhere", "MESSAGE"),  # own cache / {}
            await p.set_state("room", "MESSAGE", {"k": "v"}),
            await p.setState("elsewhere", "STREAM", {"k": "v"}),
            await p.remove_state("room", "MESSAGE", states=["k"]),
            await p.removeState("elsewhere", "STREAM"),
        ]

    async def test_r_q7_every_response_timestamp_is_zero(self, emu: Emulator) -> None:
        (alice,) = await fill(emu, "room", "alice", with_presence=True)
        await fill(emu, "room", "bob")
        await fill(emu, "hall", "bob-hall")
        for step in (0, 1.5, 3600):
            emu.advance(step)
            responses = await self._all_responses(alice)
            assert [0] * 14 == [r.timestamp for r in responses]
            assert [0] * 14 == [r.to_dict()["timestamp"] for r in responses]
        assert 1_735_689_600_000 + 3_601_500 == emu.now_ms

    async def test_r_q7_with_a_configured_start_time(self) -> None:
        emu = make(start_time_ms=1_700_000_000_000)
        (alice,) = await fill(emu, "room", "alice", with_presence=True)
        await fill(emu, "room", "bob")
        await fill(emu, "hall", "bob-hall")
        responses = await self._all_responses(alice)
        assert [0] * 14 == [r.to_dict()["timestamp"] for r in responses]
        emu.check_invariants()

    async def test_r_q7_queries_neither_move_the_clock_nor_emit(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        await fill(emu, "hall", "bob-hall")
        assert [("SNAPSHOT", ""), ("REMOTE_JOIN", "bob")] == ra.take_types()
        rb.take()
        before = emu.now_ms
        p = alice.presence
        await p.who_now("room", "MESSAGE")
        await p.who_now("hall", "MESSAGE", include_state=True)
        await p.where_now("bob")
        await p.get_state("bob", "room", "MESSAGE")
        await p.get_state("bob-hall", "hall", "MESSAGE")
        assert before == emu.now_ms
        assert ([], []) == (ra.take_types(), rb.take_types())

    async def test_r_q7_the_registry_fallback_carries_the_clock(self, emu: Emulator) -> None:
        """R-E8: after 60 s of outage a listener's whoNow comes from the member registry."""
        (alice,) = await fill(emu, "room", "alice", with_presence=True)
        (bob,) = await fill(emu, "room", "bob")
        await bob.presence.set_state("room", "MESSAGE", {"k": "v"})
        emu.set_presence_available("room", "MESSAGE", False)
        emu.advance(61)
        r = (await alice.presence.whoNow("room", "MESSAGE", {"includedState": True})).to_dict()
        r["occupants"] = sorted(r["occupants"], key=lambda o: o["userId"])
        assert {
            "timestamp": emu.now_ms,
            "totalOccupancy": 2,
            "occupants": bare("alice", "bob"),
            "nextPage": "",
        } == r
        emu.set_presence_available("room", "MESSAGE", True)
        emu.advance(1)
        r = (await alice.presence.whoNow("room", "MESSAGE", {"includedState": True})).to_dict()
        assert (0, [{"userId": "bob", "states": {"k": "v"}, "statesCount": 1}]) == (
            r["timestamp"],
            [o for o in r["occupants"] if o["userId"] == "bob"],
        )


# ---------------------------------------------------------------------------------- R-X1


class TestRX1QueryCheckOrder:
    """R-X1 for whoNow / whereNow / getState, per the SDK's per-method order (§7 table).

    whoNow: rate -> type -> link (CONNECTED) -> channel -> options.  whereNow: rate -> link
    -> ``""`` is the caller -> user id.  getState: rate -> type -> (another user and FAILED)
    -> link (own: not IDLE; another user: CONNECTED) -> channel -> user id -> route.
    """

    @pytest.mark.parametrize("logged_out", [False, True], ids=["never-logged-in", "logged-out"])
    async def test_r_x1_idle_every_query_is_not_connected(
        self, emu: Emulator, logged_out: bool
    ) -> None:
        await fill(emu, "room", "bob")
        alice = emu.client("alice")
        if logged_out:
            await alice.login()
            await alice.subscribe("room")
            await alice.logout()
        p = alice.presence
        for method, operation in WHO_NOW_SPELLINGS:
            await fails(getattr(p, method)("room", "MESSAGE"), NOT_CONNECTED, operation)
            await fails(getattr(p, method)("a.b", "MESSAGE"), NOT_CONNECTED, operation)
        for method, operation in WHERE_NOW_SPELLINGS:
            await fails(getattr(p, method)("bob"), NOT_CONNECTED, operation)
            await fails(getattr(p, method)("a.b"), NOT_CONNECTED, operation)
        await fails(p.get_state("bob", "room", "MESSAGE"), NOT_CONNECTED, GET)
        await fails(p.getState("alice", "room", "MESSAGE"), NOT_CONNECTED, GET)
        await fails(p.getState("a.b", "room", "MESSAGE"), NOT_CONNECTED, GET)
        await fails(p.getState("", "a.b", "MESSAGE"), NOT_CONNECTED, GET)
        # the channel type comes before the link
        await fails(p.whoNow("a.b", "USER"), INVALID_CHANNEL_TYPE, "whoNow")
        await fails(p.getOnlineUsers("room", "USER"), INVALID_CHANNEL_TYPE, "getOnlineUsers")
        await fails(p.getState("", "a.b", "USER"), INVALID_CHANNEL_TYPE, GET)

    async def test_r_x1_connected(self, emu: Emulator) -> None:
        (alice,) = await login(emu, "alice")
        p = alice.presence
        await fails(p.whoNow("a.b", "USER"), INVALID_CHANNEL_TYPE, "whoNow")
        await fails(p.whoNow("a.b", "MESSAGE"), INVALID_CHANNEL_NAME, "whoNow")
        await fails(
            p.getOnlineUsers("a.b", "STREAM", {"includedUserId": False, "includedState": True}),
            INVALID_CHANNEL_NAME,
            "getOnlineUsers",
        )
        await fails(p.getState("", "a.b", "USER"), INVALID_CHANNEL_TYPE, GET)
        await fails(p.getState("a.b", "room", "MESSAGE"), INVALID_USER_ID, GET)
        await fails(p.getState("a.b", "a.b", "MESSAGE"), INVALID_CHANNEL_NAME, GET)

    @pytest.mark.parametrize("state", DOWN_STATES)
    async def test_r_x1_link_down(self, emu: Emulator, state: str) -> None:
        """R-T3: queries need CONNECTED; getState of oneself only a link that is not IDLE."""
        await fill(emu, "room", "bob")
        ((alice, rec),) = await login_recorded(emu, "alice")
        await alice.subscribe("room")
        await alice.presence.set_state("room", "MESSAGE", {"k": "v"})
        await bring_link_down(emu, alice, rec, state)
        p = alice.presence
        for method, operation in WHO_NOW_SPELLINGS:
            await fails(getattr(p, method)("room", "MESSAGE"), NOT_CONNECTED, operation)
            await fails(getattr(p, method)("a.b", "MESSAGE"), NOT_CONNECTED, operation)
        await fails(p.whoNow("room", "USER"), INVALID_CHANNEL_TYPE, "whoNow")
        for method, operation in WHERE_NOW_SPELLINGS:
            await fails(getattr(p, method)(""), NOT_CONNECTED, operation)
            await fails(getattr(p, method)("a.b"), NOT_CONNECTED, operation)
        await fails(p.get_state("bob", "room", "MESSAGE"), NOT_CONNECTED, GET)
        await fails(p.get_state("bob", "a.b", "MESSAGE"), NOT_CONNECTED, GET)
        await fails(p.get_state("", "room", "MESSAGE"), NOT_CONNECTED, GET)  # "" is not self
        await fails(p.get_state("bob", "room", "USER"), INVALID_CHANNEL_TYPE, GET)
        r = await p.get_state("alice", "room", "MESSAGE")
        assert {"timestamp": 0, "userId": "alice", "states": {"k": "v"}, "statesCount": 1} == (
            r.to_dict()
        )
        await fails(p.get_state("alice", "a.b", "MESSAGE"), INVALID_CHANNEL_NAME, GET)
        # setState / removeState work locally (R-T3): the client's copy of its document
        assert {"timestamp": 0} == (await p.set_state("room", "MESSAGE", {"k2": "v2"})).to_dict()
        assert {"timestamp": 0} == (
            await p.removeState("room", "MESSAGE", {"states": ["k"]})
        ).to_dict()
        await p.set_state("hall", "STREAM", {"cached": "1"})  # a channel it is not in
        r = await p.get_state("alice", "room", "MESSAGE")
        assert {"k2": "v2"} == r.to_dict()["states"]
        r = await p.get_state("alice", "hall", "STREAM")
        assert {"cached": "1"} == r.to_dict()["states"]

    async def test_r_x1_rate_limit_comes_first(self) -> None:
        """R-C6: 20 calls a second per limiter key; -10021 carries the key."""
        emu = make(rate_limits=True)
        (alice,) = await login(emu, "alice")
        p = alice.presence
        for _ in range(20):
            await p.who_now("room", "MESSAGE")
        await fails(p.whoNow("room", "MESSAGE"), RATE_LIMITED, "whoNow")
        await fails(p.whoNow("a.b", "USER"), RATE_LIMITED, "whoNow")  # before type and name
        for _ in range(20):
            await p.where_now("")
        await fails(p.whereNow("a.b"), RATE_LIMITED, "whereNow")
        for _ in range(20):
            await p.get_state("alice", "room", "MESSAGE")
        await fails(p.getState("alice", "room", "MESSAGE"), RATE_LIMITED, "getState")
        await fails(p.getState("", "a.b", "USER"), RATE_LIMITED, "getState")
        await fails(p.getState("alice", "r", "USER"), RATE_LIMITED, "getState")  # §7 probe
        # the buckets are separate: modifyState is still free
        await p.set_state("room", "MESSAGE", {"k": "v"})
        emu.advance(0.999)
        await fails(p.whoNow("room", "MESSAGE"), RATE_LIMITED, "whoNow")
        emu.advance(0.001)  # a sliding second: the calls of one second ago no longer count
        await p.whoNow("room", "MESSAGE")
        await p.whereNow("")
        await p.getState("alice", "room", "MESSAGE")
        emu.check_invariants()

    async def test_r_x1_set_state_does_not_spend_the_get_state_bucket(self) -> None:
        """setState reads the old state with an internal getState that skips the limiter
        (agora-rtm.js 2.3.0, PresenceImpl.setState / getState's internal flag)."""
        emu = make(rate_limits=True)
        (alice,) = await login(emu, "alice")
        p = alice.presence
        for i in range(20):
            await p.set_state("room", "MESSAGE", {f"k{i}": "v"})
        await fails(p.set_state("room", "MESSAGE", {"k": "v"}), RATE_LIMITED, "modifyState")
        for _ in range(20):
            await p.get_state("alice", "room", "MESSAGE")
        await fails(p.getState("alice", "room", "MESSAGE"), RATE_LIMITED, "getState")
        emu.check_invariants()

    async def test_r_x1_rate_limit_of_the_aliases_names_the_alias(self) -> None:
        """agora-rtm.js 2.3.0, PresenceImpl.getOnlineUsers / getUserChannels: the alias
        shares the ``whoNow`` / ``whereNow`` bucket and renames the ``operation`` of every
        error it passes on, the rate-limit error included.

        The real SDK, 21 calls of each before login (a Node probe of the bundle):
        ``getOnlineUsers -10025/getOnlineUsers x 20, -10021/getOnlineUsers x 1``,
        ``getUserChannels -10025/getUserChannels x 20, -10021/getUserChannels x 1``, then
        ``whoNow -10021/whoNow x 21`` (calls that pass the limiter count, failed or not).
        """
        emu = make(rate_limits=True)
        alice = emu.client("alice")
        p = alice.presence
        for _ in range(20):
            await fails(p.getOnlineUsers("room", "MESSAGE"), NOT_CONNECTED, "getOnlineUsers")
        await fails(p.getOnlineUsers("room", "MESSAGE"), RATE_LIMITED, "getOnlineUsers")
        for _ in range(20):
            await fails(p.getUserChannels(""), NOT_CONNECTED, "getUserChannels")
        await fails(p.getUserChannels(""), RATE_LIMITED, "getUserChannels")
        for _ in range(3):
            await fails(p.whoNow("room", "MESSAGE"), RATE_LIMITED, "whoNow")
            await fails(p.whereNow(""), RATE_LIMITED, "whereNow")
        # connected: the alias and the SDK name share one bucket
        emu.advance(1)
        await alice.login()
        for _ in range(10):
            await p.whoNow("room", "MESSAGE")
            await p.get_online_users("room", "MESSAGE")
        await fails(p.get_online_users("room", "MESSAGE"), RATE_LIMITED, "getOnlineUsers")
        await fails(p.who_now("room", "MESSAGE"), RATE_LIMITED, "whoNow")
        emu.check_invariants()

    async def test_r_x1_a_failed_query_changes_nothing(self, emu: Emulator) -> None:
        (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
        await alice.subscribe("room")
        await bob.subscribe("room")
        ra.take()
        rb.take()
        before = (emu.online_users("room", "MESSAGE"), emu.user_channels("alice"), emu.now_ms)
        p = alice.presence
        await fails(p.whoNow("room", "USER"), INVALID_CHANNEL_TYPE, "whoNow")
        await fails(p.whereNow("a.b"), INVALID_USER_ID, "whereNow")
        await fails(p.getState("ghost", "room", "MESSAGE"), USER_NOT_EXIST, GET)
        await fails(p.getState("", "room", "MESSAGE"), INVALID_USER_ID, GET)
        after = (emu.online_users("room", "MESSAGE"), emu.user_channels("alice"), emu.now_ms)
        assert before == after
        assert ([], []) == (ra.take(), rb.take())
        await bob.presence.set_state("room", "MESSAGE", {"x": 1})  # alice still listens
        assert [ev("REMOTE_STATE_CHANGED", "bob", {"x": 1}, at=emu.now_ms)] == got(ra)
