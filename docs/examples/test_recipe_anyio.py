"""Recipe: pytest + anyio's pytest plugin (shipped with anyio)."""

import pytest

from rtm_emulator import PresenceEventType


@pytest.fixture
def anyio_backend():
    return "asyncio"  # the emulator needs no trio


@pytest.mark.anyio
async def test_bob_times_out(rtm_emulator, rtm_client):
    alice = await rtm_client("alice")
    bob = await rtm_client("bob", config={"presenceTimeout": 20})
    await alice.subscribe("room")
    await bob.subscribe("room")

    rtm_emulator.disconnect("bob")  # bob's network drops
    rtm_emulator.advance(15)  # heartbeat_interval + 10 s: noticed
    assert rtm_emulator.online_users("room", "MESSAGE") == ["alice", "bob"]
    rtm_emulator.advance(20)  # presence_timeout later: gone

    timeouts = rtm_emulator.journal.filter(
        recipient="alice", event_type=PresenceEventType.REMOTE_TIMEOUT
    )
    assert [event.publisher for _, event in timeouts] == ["bob"]
    assert rtm_emulator.online_users("room", "MESSAGE") == ["alice"]
