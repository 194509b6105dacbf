"""Recipe: plain unittest (no pytest): IsolatedAsyncioTestCase."""

import unittest

from rtm_emulator import Emulator, EmulatorConfig
from rtm_emulator.testing import assert_events


class PresenceTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.emu = Emulator(EmulatorConfig(debounce=2.0), strict=True)
        self.alice = self.emu.client("alice")
        await self.alice.login()
        await self.alice.subscribe("room")

    async def test_bob_joins_and_sets_state(self):
        self.emu.user("bob").subscribe("room").set_state("room", "MESSAGE", {"mood": "ok"})

        state = await self.alice.presence.get_state("bob", "room", "MESSAGE")

        self.assertEqual(dict(state.states), {"mood": "ok"})
        expected = [("SNAPSHOT", ""), ("REMOTE_JOIN", "bob"), ("REMOTE_STATE_CHANGED", "bob")]
        assert_events(self.emu, "alice", expected)


if __name__ == "__main__":
    unittest.main()
