"""Divergences the model-based test found between the emulator and the rules, one test each.

Each test is the smallest script that shows one; the state machine
(``test_presence_machine.py``) steers clear of the path while it stays open, and its
docstring names the test here.  Rule ids are those of ``docs/semantics.md``.
"""

from __future__ import annotations

from typing import Any

import pytest

from rtm_emulator import Emulator, EmulatorConfig, PresenceEvent, RtmError
from rtm_emulator.testing import drive


def _presence(emu: Emulator, uid: str) -> list[tuple[str, str]]:
    """(eventType, publisher) of every presence event ``uid`` received."""
    return [
        (event.event_type.value, event.publisher)
        for recipient, event in emu.journal
        if recipient == uid and isinstance(event, PresenceEvent)
    ]


class TestRL1RT3OptionsChangedWhileDown:
    """R-L1 + R-T3: a channel entered again with new options while the link is down
    takes those options when the link is back (the SDK replays its last options)."""

    def _script(self, emu: Emulator, enter_again: Any) -> None:
        alice, bob = emu.client("alice"), emu.client("bob")
        drive(alice.login())
        drive(bob.login())
        drive(bob.create_stream_channel("stage").join())
        drive(bob.subscribe("room"))
        drive(alice.create_stream_channel("stage").join(with_presence=False))
        drive(alice.subscribe("room", with_presence=False))
        emu.advance(6)  # more than heartbeatInterval since login: subscribes queue (R-T3)
        emu.disconnect("alice")
        drive(enter_again(alice))
        emu.reconnect("alice")
        emu.advance(2)  # the first retry: the link is back (R-T4)

    def test_r_m12_stream_join_again_while_down_is_refused_and_changes_nothing(self) -> None:
        """The network took the stream channel's RTC link down with it (R-M12): joining it
        again meanwhile is -10017, as the SDK answers (oracle case
        topic.link-down.stream-join-again), so the old options stand once back."""
        emu = Emulator(EmulatorConfig(debounce=0))

        async def join_quiet(client: Any) -> None:
            with pytest.raises(RtmError) as refused:
                await client.create_stream_channel("stage").join(be_quiet=True)
            assert (-10017, "join") == (refused.value.code, refused.value.operation)

        self._script(emu, join_quiet)
        emu.check_invariants()
        assert ["alice", "bob"] == emu.online_users("stage", "STREAM")
        assert ("REMOTE_LEAVE", "alice") not in _presence(emu, "bob")

    def test_r_l1_queued_resubscribe_quiet_while_down_is_a_leave_once_back(self) -> None:
        emu = Emulator(EmulatorConfig(debounce=0))
        self._script(emu, lambda c: c.subscribe("room", with_presence=False, be_quiet=True))
        emu.check_invariants()
        assert ["bob"] == emu.online_users("room", "MESSAGE")
        assert ("REMOTE_LEAVE", "alice") == _presence(emu, "bob")[-1]


class TestRE8StreamChannelKeepsItsLocalAnswer:
    """R-E8, R-Q2, R-Q7: only a MESSAGE channel's whoNow answers from the member registry
    during an outage (agora-rtm.js 2.3.0, PresenceImpl.whoNow: the registry route needs
    channelType MESSAGE); a listener of a STREAM channel keeps the local route: states
    included, ``timestamp`` 0."""

    def test_r_e8_stream_who_now_after_the_fallback_is_the_local_replica(self) -> None:
        emu = Emulator()
        alice, bob = emu.client("alice"), emu.client("bob")
        drive(alice.login())
        drive(bob.login())
        drive(bob.create_stream_channel("stage").join())
        drive(bob.presence.set_state("stage", "STREAM", {"seat": "3"}))
        drive(alice.create_stream_channel("stage").join())
        emu.set_presence_available("stage", "STREAM", False)
        emu.advance(60)  # alice falls back to the registry (R-E8)
        assert ("SNAPSHOT", "") == _presence(emu, "alice")[-1]
        r = drive(alice.presence.who_now("stage", "STREAM", include_state=True))
        expected = {
            "timestamp": 0,
            "totalOccupancy": 2,
            "occupants": [
                {"userId": "alice", "states": {}, "statesCount": 0},
                {"userId": "bob", "states": {"seat": "3"}, "statesCount": 1},
            ],
            "nextPage": "",
        }
        assert expected == r.to_dict()


class TestRE4QuietUserInTheRegistryFallback:
    """R-E4, R-E8: a quiet user produces no events for others, also while listeners
    answer from the member registry (whose SNAPSHOT already leaves quiet users out)."""

    def test_r_e4_quiet_entry_and_exit_during_the_fallback_are_silent(self) -> None:
        emu = Emulator(EmulatorConfig(debounce=0))
        alice, bob = emu.client("alice"), emu.client("bob")
        drive(alice.login())
        drive(bob.login())
        drive(alice.subscribe("room"))
        emu.set_presence_available("room", "MESSAGE", False)
        emu.advance(60)  # alice falls back to the registry (R-E8)
        assert [("SNAPSHOT", ""), ("SNAPSHOT", "")] == _presence(emu, "alice")
        drive(bob.subscribe("room", be_quiet=True))
        drive(bob.unsubscribe("room"))
        assert [("SNAPSHOT", ""), ("SNAPSHOT", "")] == _presence(emu, "alice")


class TestRT3QueuedSubscribeSurvivesAKick:
    """R-T3, R-L3, R-T4: a subscribe queued while the link is down is made when the link
    is CONNECTED again, also by the re-login after a same-uid kick (the SDK replays its
    pending subscribes on every move to CONNECTED and keeps its channels through FAILED)."""

    def test_r_t3_relogin_after_a_kick_makes_the_queued_subscribe(self) -> None:
        emu = Emulator()
        first, second = emu.client("zed"), emu.client("zed")
        drive(first.login())
        emu.advance(6)  # more than heartbeatInterval since login: subscribes queue
        emu.disconnect("zed")
        drive(first.subscribe("room"))  # queued: resolves at once
        drive(second.login())  # kicks the first (FAILED)
        drive(second.logout())
        drive(first.login())  # FAILED -> CONNECTING -> CONNECTED
        emu.check_invariants()
        assert [("MESSAGE", "room")] == [(str(t), n) for t, n in emu.user_channels("zed")]
        assert ("SNAPSHOT", "") == _presence(emu, "zed")[-1]
