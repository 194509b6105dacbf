"""The fixtures work: a quick end-to-end check of the basics."""

from rtm_emulator import Emulator

from .conftest import login_recorded


async def test_two_users_meet(emu: Emulator) -> None:
    (alice, ra), (bob, rb) = await login_recorded(emu, "alice", "bob")
    await alice.subscribe("room")
    await bob.subscribe("room")
    assert ra.types() == [("SNAPSHOT", ""), ("REMOTE_JOIN", "bob")]
    assert rb.types() == [("SNAPSHOT", "")]
    assert emu.online_users("room", "MESSAGE") == ["alice", "bob"]
