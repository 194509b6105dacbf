"""Recipe: pytest + pytest-asyncio (strict mode, the default).

The fixtures come from rtm_emulator's pytest plugin: no conftest.py needed.
"""

import pytest

from rtm_emulator.testing import assert_events


@pytest.mark.asyncio
async def test_alice_sees_bob_come_and_go(rtm_emulator, rtm_client):
    alice = await rtm_client("alice")  # a logged-in client
    await alice.subscribe("room")

    rtm_emulator.user("bob").subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})
    rtm_emulator.user("bob").unsubscribe("room")
    rtm_emulator.run_until_idle()  # the 2 s debounce of bob's leave

    seat = {"eventType": "REMOTE_STATE_CHANGED", "publisher": "bob", "stateChanged": {"seat": "3"}}
    expected = [("SNAPSHOT", ""), ("REMOTE_JOIN", "bob"), seat, ("REMOTE_LEAVE", "bob")]
    assert_events(rtm_emulator, "alice", expected)
    assert rtm_emulator.elapsed == 2.0


@pytest.mark.asyncio
@pytest.mark.rtm_config(debounce=0)  # any EmulatorConfig field
async def test_who_is_online(rtm_emulator, rtm_client):
    alice = await rtm_client("alice")
    await alice.subscribe("room")
    rtm_emulator.user("bob").subscribe("room")

    result = await alice.presence.get_online_users("room", "MESSAGE")

    assert [o.user_id for o in result.occupants] == ["alice", "bob"]
