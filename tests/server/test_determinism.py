"""Same script, same events: two runs on two servers give byte-identical journals."""

from __future__ import annotations

import pytest

pytest.importorskip("websockets")

from .support import running


async def _script() -> tuple[str, list[dict[str, object]]]:
    async with running() as world:
        control = await world.control()
        await control.control("reset", config={"announceMax": 8, "interval": 10})
        peers = [await world.user(f"u{i}") for i in range(10)]
        for i, peer in enumerate(peers):
            await peer.call("subscribe", "room")
            await peer.call("presence.setState", "room", "MESSAGE", {"i": str(i)})
        await peers[3].call("unsubscribe", "room")
        await peers[4].ws.close()
        await control.control("advance", seconds=10)
        await peers[5].call("streamChannel.join", "stage")
        await control.control("advance", seconds=320)
        journal = await control.control("journal", format="jsonl")
        return journal, peers[0].events


async def test_two_runs_give_the_same_journal_and_frames() -> None:
    first_journal, first_frames = await _script()
    second_journal, second_frames = await _script()
    assert first_journal == second_journal
    assert first_frames == second_frames
    # the closed socket's user timed out, aggregated in interval mode (R-E5, R-T2)
    assert '"timeout": {"userCount": 1, "users": ["u4"]}' in first_journal
