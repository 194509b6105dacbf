"""``python -m rtm_emulator demo`` tells a true revision-2 story, the same on every run."""

from __future__ import annotations

import re
import subprocess
import sys

from rtm_emulator.demo import DEMO_CONFIG, run_demo


def lines() -> list[str]:
    out: list[str] = []
    run_demo(out.append)
    return out


def at(line: str) -> float | None:
    """The ``[+  1.500s]`` stamp of a line, in seconds (``None`` for a heading)."""
    found = re.match(r"\[\+\s*([\d.]+)s\]", line)
    return float(found.group(1)) if found else None


def only(text: list[str], needle: str) -> str:
    found = [line for line in text if needle in line]
    assert 1 == len(found), (needle, found)
    return found[0]


def test_demo_runs_from_the_command_line_and_is_deterministic() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rtm_emulator", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert 0 == done.returncode, done.stderr
    assert lines() == done.stdout.splitlines() == lines()
    assert done.stdout.splitlines()[-1].endswith("presence events delivered; invariants hold")


def test_demo_reconnects_at_the_next_retry_after_the_network_is_back() -> None:
    """R-T3 / R-T4: the loss at 1.5 s; attempts at +2, then 5 s + 4, 8, 16 s apart
    (3.5, 12.5, 25.5, 46.5 s); the network is back at 41.5 s, so the attempt at 46.5 s
    reconnects, after the server's timeout at 1.5 + 15 + 20 = 36.5 s."""
    text = lines()
    lost = only(
        text, "bob    link CONNECTED -> DISCONNECTED (HEARTBEAT_TIMEOUT/KEEP_ALIVE_TIMEOUT)"
    )
    attempts = [at(line) for line in text if "bob    link DISCONNECTED -> CONNECTING" in line]
    failures = [at(line) for line in text if "(SERVER_TIMEOUT/RECONNECT_TIMEOUT)" in line]
    back = only(text, "network back")
    ok = only(text, "CONNECTING -> CONNECTED (AUTO_RECONNECT/RECONNECT_SUCCESS)")
    timeouts = [at(line) for line in text if "REMOTE_TIMEOUT" in line]
    assert 1.5 == at(lost)
    assert [3.5, 12.5, 25.5, 46.5] == attempts
    assert [8.5, 17.5, 30.5] == failures
    assert [36.5, 36.5] == timeouts  # alice and carol (quiet, but listening)
    assert (41.5, 46.5) == (at(back), at(ok))
    assert "isResumed=True" in ok  # before the 115 s SUSPENDED timer (R-T4)
    # after the timeout he re-enters with his state: a join, then the state (R-T3)
    rejoin = [line for line in text if at(line) == 46.5 and "alice  receives" in line]
    rejoin = [line for line in rejoin if "in lobby" in line]
    assert ["REMOTE_JOIN", "REMOTE_STATE_CHANGED"] == [
        re.search(r"receives (\w+)", line).group(1)  # type: ignore[union-attr]
        for line in rejoin
    ]


def test_demo_interval_mode_has_eight_users_and_ends_with_a_flush() -> None:
    """R-E5 with the demo's threshold (8, the console's minimum): the tipping join is
    announced, the next period is one INTERVAL, and the leave below 8 flushes at once."""
    assert (8, 10.0) == (DEMO_CONFIG.announce_max, DEMO_CONFIG.interval)
    text = lines()
    joins = [line for line in text if "alice  receives REMOTE_JOIN in stage" in line]
    assert 7 == len(joins)  # alice + 7 fans = 8 users: the 7th join is still announced
    intervals = [line for line in text if "receives INTERVAL of stage" in line]
    assert 2 == len(intervals)
    assert "total=8 join=['fan8'] leave=['fan1'] states={'fan8': {'sign': 'hi'}}" in intervals[0]
    assert (46.5, 56.5) == (at(joins[-1]), at(intervals[0]))  # one period after entering
    assert "total=7 leave=['fan2']" in intervals[1]
    after = text[text.index(intervals[1]) + 1]
    assert "REMOTE_LEAVE in stage (MESSAGE): fan3" in after  # announced again


def test_demo_state_story_follows_revision_2() -> None:
    """R-S1 (JSON values), R-S3 (a key starting with "_" is -13006 and changes nothing),
    R-S4 (the cached state shows on entry), R-Q2 (whoNow from the replica)."""
    text = lines()
    assert any(
        "REMOTE_STATE_CHANGED in lobby (MESSAGE): bob now {'mood': 'pumped'}" in t for t in text
    )
    assert 2 == sum("alice now {'seat': 3, 'isTyping': True}" in t for t in text)  # bob, carol
    refused = only(text, "-13006 PRESENCE_INVALID_STATE_KEY")
    following = text[text.index(refused) + 1 : text.index(refused) + 3]
    assert not any("receives" in t for t in following)
    assert any("[('alice', {}), ('bob', {'mood': 'pumped'})]" in t for t in text)
    assert any("totalOccupancy=2 nextPage=''" in t for t in text)
