"""The journal's retention bound (issue 15): ``Emulator(journal_max_entries=N)`` keeps
the newest ``N`` deliveries, drops the oldest first, and says how many it dropped —
in its ``repr``, its timeline, ``assert_events`` failures and the pytest plugin's
journal section.  The server keeps a bounded journal (``serve --journal-max-entries``).
"""

from __future__ import annotations

from typing import Any

import pytest

from rtm_emulator import ConfigError, Emulator
from rtm_emulator._config import SERVER_JOURNAL_MAX_ENTRIES
from rtm_emulator._journal import Journal
from rtm_emulator.cli import main
from rtm_emulator.pytest_plugin import journal_section
from rtm_emulator.testing import assert_events

NOTE = "earlier deliveries were dropped by the journal's retention bound (journal_max_entries="


def busy(emu: Emulator) -> Emulator:
    """Three users and a state change per second for a while (22 deliveries)."""
    for uid in ("me", "bob", "carol"):
        emu.user(uid).subscribe("room")
    for n in range(5):
        emu.user("bob").set_state("room", "MESSAGE", {"n": str(n)})
        emu.advance(1)
    return emu


def test_it_keeps_the_newest_entries_and_counts_the_rest() -> None:
    whole = busy(Emulator())
    kept = busy(Emulator(journal_max_entries=5))
    assert len(whole.journal) == 22
    assert kept.journal.entries == whole.journal.entries[-5:]
    assert (kept.journal.max_entries, kept.journal.dropped) == (5, 17)
    assert (whole.journal.max_entries, whole.journal.dropped) == (None, 0)
    assert repr(kept.journal) == (
        "<Journal of 5 deliveries; 17 earlier dropped (journal_max_entries=5)>"
    )
    assert repr(whole.journal) == "<Journal of 22 deliveries>"
    assert list(kept.journal) == list(whole.journal)[-5:]


def test_the_bound_changes_no_event() -> None:
    """What the clients get does not depend on what the journal keeps."""
    got: dict[int | None, list[Any]] = {}
    for bound in (None, 1, 7):
        emu = Emulator(journal_max_entries=bound)
        seen: list[Any] = []
        emu.user("me").client.add_event_listener("presence", seen.append)
        busy(emu)
        got[bound] = [e.to_dict() for e in seen]
    assert got[None] == got[1] == got[7] and len(got[None]) > 5


def test_the_timeline_says_how_many_were_dropped() -> None:
    emu = busy(Emulator(journal_max_entries=3))
    timeline = emu.journal.timeline()
    assert timeline.splitlines()[0] == f"(19 {NOTE}3))"
    assert len(timeline.splitlines()) == 1 + 1 + 3  # the note, the channel's title, 3 lines
    one = busy(Emulator(journal_max_entries=21))
    assert one.journal.timeline().splitlines()[0] == (
        "(1 earlier delivery was dropped by the journal's retention bound (journal_max_entries=21))"
    )
    assert NOTE not in busy(Emulator()).journal.timeline()


def test_a_filtered_journal_says_what_its_journal_dropped() -> None:
    emu = busy(Emulator(journal_max_entries=4))
    view = emu.journal.filter(recipient="me")
    assert view.dropped == 18 and view.max_entries == 4
    assert view.timeline().startswith(f"(18 {NOTE}4))\n")
    nothing = emu.journal.filter(recipient="nobody")
    assert nothing.timeline() == f"(18 {NOTE}4))\n"


def test_clear_forgets_the_count_too() -> None:
    emu = busy(Emulator(journal_max_entries=4))
    emu.journal.clear()
    assert (len(emu.journal), emu.journal.dropped) == (0, 0)
    assert emu.journal.timeline() == "(no events delivered)\n"
    emu.user("dave").subscribe("room")
    assert len(emu.journal) == 4 and emu.journal.dropped > 0


def test_a_journal_made_from_entries_keeps_the_newest() -> None:
    entries = busy(Emulator()).journal.entries
    journal = Journal(entries, max_entries=10)
    assert journal.entries == entries[-10:] and journal.dropped == 12
    journal.record(entries[0])
    assert journal.entries == [*entries[-9:], entries[0]] and journal.dropped == 13


@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "10"])
def test_a_bad_bound_is_a_config_error(bad: object) -> None:
    with pytest.raises(ConfigError, match="journal_max_entries must be None"):
        Emulator(journal_max_entries=bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="journal_max_entries must be None"):
        Journal(max_entries=bad)  # type: ignore[arg-type]


def test_assert_events_says_the_journal_dropped_deliveries() -> None:
    emu = busy(Emulator(journal_max_entries=6))
    with pytest.raises(AssertionError) as failure:
        assert_events(emu, "me", [("SNAPSHOT", "")])
    lines = str(failure.value).splitlines()
    assert lines[1] == f"(16 {NOTE}6): the earliest events received may be missing)"
    whole = busy(Emulator())
    with pytest.raises(AssertionError) as unbounded:
        assert_events(whole, "me", [("SNAPSHOT", "")])
    assert NOTE not in str(unbounded.value)


def test_the_pytest_section_says_the_journal_dropped_deliveries() -> None:
    emu = busy(Emulator(journal_max_entries=6))
    assert journal_section(emu).splitlines()[0] == f"(16 {NOTE}6))"
    with pytest.raises(AssertionError) as failure:
        assert_events(emu, "me", [("SNAPSHOT", "")])
    section = journal_section(emu, failure.value).splitlines()
    assert section[0] == (
        "(the 3 deliveries to 'me' are in the assert_events message above; the other 3:)"
    )
    assert section[1] == f"(16 {NOTE}6))"
    alone = Emulator(journal_max_entries=1)
    alone.user("me").subscribe("room")
    with pytest.raises(AssertionError) as only_me:
        assert_events(alone, "me", [])
    assert journal_section(alone, only_me.value).splitlines() == [
        "(all 1 deliveries went to 'me': see the assert_events message above)",
        f"(2 {NOTE}1))",
    ]


# ------------------------------------------------------------------ the server


@pytest.mark.parametrize(
    ("argv", "bound"),
    [
        ([], SERVER_JOURNAL_MAX_ENTRIES),
        (["--journal-max-entries", "500"], 500),
        (["--journal-max-entries", "0"], None),
    ],
)
def test_serve_passes_the_bound_to_the_server(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], bound: int | None
) -> None:
    pytest.importorskip("websockets")
    import rtm_emulator.server

    seen: list[int | None] = []

    async def run(*, journal_max_entries: int | None = -1, **_: Any) -> None:
        seen.append(journal_max_entries)

    monkeypatch.setattr(rtm_emulator.server, "run", run)
    assert 0 == main(["serve", *argv])
    assert seen == [bound]


def test_serve_refuses_a_negative_bound(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("websockets")
    assert 2 == main(["serve", "--journal-max-entries", "-5"])
    assert capsys.readouterr().err == (
        "rtm-emulator serve: --journal-max-entries must be >= 0 (0: unbounded), got -5\n"
    )


def test_serve_help_names_the_flag_and_its_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert 0 == main(["serve", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "--journal-max-entries N the journal keeps the newest N deliveries" in shown
    assert "(default 100,000; 0: unbounded)" in shown
