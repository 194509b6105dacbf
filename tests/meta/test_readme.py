"""The README's examples run and say what they claim."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from rtm_emulator import Emulator
from rtm_emulator.testing import drive

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)


def test_example_prints_the_four_events() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(BLOCKS[0], {"__name__": "readme"})
    assert ["SNAPSHOT", "REMOTE_JOIN", "REMOTE_STATE_CHANGED", "REMOTE_LEAVE"] == re.findall(
        r"PresenceEventType\.(\w+)", out.getvalue()
    )


def test_server_side_example_runs_as_commented() -> None:
    emu = Emulator(strict=True)
    emu.user("alice").subscribe("room")
    drive(emu.client("bob").login())
    namespace = {"emu": emu}
    exec(BLOCKS[1], namespace)
    assert ["alice", "carol"] == emu.online_users("room", "MESSAGE")
