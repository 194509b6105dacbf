"""The pytest plugin, run the way users run it: in bare pytester projects (no conftest).

Each test writes a small project into a temp dir and runs pytest on it in a subprocess,
so this repository's own ``tests/conftest.py`` (which runs ``async def`` tests itself)
never applies: async tests there need pytest-asyncio or anyio, as in a user's project.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rtm_emulator import Emulator, Journal
from rtm_emulator.pytest_plugin import JOURNAL_SECTION
from tests.samples import sample

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in-process (a fresh config and plugin manager), as a user's project runs it.

    Hypothesis's plugin is off (its end-of-run hook would import hypothesis anew in every
    run); pytest-asyncio gets its loop-scope option set so that it does not warn.
    """
    options = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-q"]
    if "no:asyncio" not in args:
        options += ["-o", "asyncio_default_fixture_loop_scope=function"]
    return pytester.runpytest(*options, *args)


def test_import_rtm_emulator_does_not_import_pytest() -> None:
    """The plugin module is imported by pytest only; the package stays pytest-free."""
    code = "import sys, rtm_emulator, rtm_emulator.testing; print('pytest' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_bare_project_gets_a_fresh_strict_emulator_per_test(pytester: pytest.Pytester) -> None:
    """No conftest: the entry point registers the fixture; each test gets its own."""
    pytester.makepyfile(
        test_bare="""
        from rtm_emulator import Emulator, EmulatorConfig

        SEEN = []
        CHECKS = []

        def test_first(rtm_emulator, monkeypatch):
            assert isinstance(rtm_emulator, Emulator)
            assert rtm_emulator.config == EmulatorConfig()
            rtm_emulator.user("bob").subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})
            rtm_emulator.user("bob").unsubscribe("room")
            assert rtm_emulator.run_until_idle() == 1
            assert [(r, e.event_type.value) for r, e in rtm_emulator.journal.filter(
                kind="presence")] == [("bob", "SNAPSHOT")]
            SEEN.append(rtm_emulator)

        def test_second(rtm_emulator):
            assert rtm_emulator is not SEEN[0]
            assert rtm_emulator.now_ms == rtm_emulator.config.start_time_ms
            assert len(rtm_emulator.journal) == 0
        """,
        test_strict="""
        import pytest
        from rtm_emulator import Emulator

        CALLS = []

        @pytest.fixture
        def counted(monkeypatch):
            original = Emulator.check_invariants
            def check(self):
                CALLS.append(1)
                original(self)
            monkeypatch.setattr(Emulator, "check_invariants", check)

        def test_strict_mode_checks_after_each_step(counted, rtm_emulator):
            rtm_emulator.user("bob").subscribe("room")
            assert len(CALLS) >= 2  # after login, after subscribe
        """,
    )
    result = run(pytester, "--strict-markers")
    result.assert_outcomes(passed=3)


def test_rtm_config_marker_applies_its_fields(pytester: pytest.Pytester) -> None:
    """Function markers override class / module ones field by field."""
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.rtm_config(max_channel_users=70, debounce=0)

        @pytest.mark.rtm_config(announce_max=8, interval=10.0)
        def test_fields(rtm_emulator):
            c = rtm_emulator.config
            assert (c.announce_max, c.interval, c.max_channel_users, c.debounce) == (8, 10.0, 70, 0)

        @pytest.mark.rtm_config(start_time_ms=1_000, max_channel_users=3)
        def test_closest_wins(rtm_emulator):
            assert rtm_emulator.now_ms == 1_000
            assert rtm_emulator.config.max_channel_users == 3

        @pytest.mark.rtm_config(announce_max=8, interval=10.0)
        def test_interval_mode_is_on(rtm_emulator):
            # R-E5: "me" enters interval mode at 8 users; the 9th is aggregated
            rtm_emulator.user("me").subscribe("room")
            for i in range(8):
                rtm_emulator.user(f"u{i}").subscribe("room")
            rtm_emulator.run_until(10)
            kinds = [e.event_type.value for r, e in rtm_emulator.journal.filter(
                recipient="me", kind="presence")]
            assert kinds == ["SNAPSHOT"] + ["REMOTE_JOIN"] * 7 + ["INTERVAL"]
        """
    )
    result = run(pytester, "--strict-markers")
    result.assert_outcomes(passed=3)
    markers = run(pytester, "--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.rtm_config(**fields): EmulatorConfig fields*"])


def test_rtm_config_marker_errors_name_the_bad_field(pytester: pytest.Pytester) -> None:
    """A typo'd field, an out-of-range value or a positional argument: a setup error."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.rtm_config(anounce_max=8)
        def test_typo(rtm_emulator):
            pass

        @pytest.mark.rtm_config(announce_max=500)
        def test_out_of_range(rtm_emulator):
            pass

        @pytest.mark.rtm_config(8)
        def test_positional(rtm_emulator):
            pass

        @pytest.mark.rtm_config(anounce_max=8)
        def test_marker_unused_without_the_fixture():
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=3, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.rtm_config: 'anounce_max' is not an EmulatorConfig field "
            "(fields: announce_max, app_certificates, debounce, interval, max_channel_users, "
            "rate_limits, start_time_ms)",
            "*@pytest.mark.rtm_config: *announce_max must be 8..128, got 500*",
            "*@pytest.mark.rtm_config takes EmulatorConfig fields as keywords only, "
            "got positional (8,)",
        ]
    )


ASYNC_TESTS = """
import pytest
from rtm_emulator import RTMClient, RTMConfig

{mark}
async def test_client_is_logged_in(rtm_emulator, rtm_client):
    alice = await rtm_client("alice")
    assert isinstance(alice, RTMClient) and alice.logged_in
    await alice.subscribe("room")
    rtm_emulator.user("bob").subscribe("room")
    r = await alice.presence.who_now("room", "MESSAGE")
    assert [o.user_id for o in r.occupants] == ["alice", "bob"]

OTHER = "0123456789abcdef0123456789abcdef"  # another app (R-C2: 32 letters or digits)

{mark}
async def test_client_kwargs(rtm_emulator, rtm_client):
    other = await rtm_client("carol", app_id=OTHER, config=RTMConfig(presence_timeout=20))
    assert other.app_id == OTHER and other.logged_in
    assert other.config.presence_timeout == 20
    sdk = await rtm_client("dave", config={{"presenceTimeout": 30}})
    assert sdk.config.presence_timeout == 30
    await sdk.subscribe("room")
    assert rtm_emulator.online_users("room", "MESSAGE") == ["dave"]
    assert rtm_emulator.online_users("room", "MESSAGE", app_id=OTHER) == []
"""


def test_rtm_client_under_pytest_asyncio_auto_mode(pytester: pytest.Pytester) -> None:
    """asyncio_mode=auto: unmarked ``async def`` tests get the synchronous fixtures."""
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    pytester.makepyfile(ASYNC_TESTS.format(mark=""))
    result = run(pytester, "-p", "asyncio", "-p", "no:anyio")
    result.assert_outcomes(passed=2)


def test_rtm_client_under_pytest_asyncio_strict_mode(pytester: pytest.Pytester) -> None:
    """asyncio_mode=strict with ``@pytest.mark.asyncio``."""
    pytester.makeini("[pytest]\nasyncio_mode = strict\n")
    pytester.makepyfile(ASYNC_TESTS.format(mark="@pytest.mark.asyncio"))
    result = run(pytester, "-p", "asyncio", "-p", "no:anyio", "--strict-markers")
    result.assert_outcomes(passed=2)


def test_rtm_client_under_anyio(pytester: pytest.Pytester) -> None:
    """anyio's plugin (``@pytest.mark.anyio``, asyncio backend), pytest-asyncio off."""
    pytester.makepyfile(
        ASYNC_TESTS.format(mark="@pytest.mark.anyio")
        + textwrap.dedent(
            """
            @pytest.fixture
            def anyio_backend():
                return "asyncio"
            """
        )
    )
    result = run(pytester, "-p", "no:asyncio", "--strict-markers")
    result.assert_outcomes(passed=2)


#: docs/testing.md's two failing tests (a plain assert, an assert_events mismatch)
DOC_TESTS = sample("testing-failing-tests")

FAILING = (
    DOC_TESTS
    + """

from rtm_emulator import Emulator


def test_fails_without_the_fixture():
    assert 1 == 2


def test_passes(rtm_emulator):
    rtm_emulator.user("me").subscribe("room")


def test_all_deliveries_went_to_me(rtm_emulator):
    rtm_emulator.user("me").subscribe("room")
    assert_events(rtm_emulator, "me", [])


def test_assert_events_on_another_emulator(rtm_emulator):
    rtm_emulator.user("me").subscribe("room")
    other = Emulator()
    other.user("you").subscribe("room")
    assert_events(other, "you", [])
"""
)


def _scenario() -> Emulator:
    """The scenario of the doc's two failing tests, run here."""
    emu = Emulator()
    emu.user("me").subscribe("room")
    emu.user("bob").subscribe("room").set_state("room", "MESSAGE", {"seat": "3"})
    emu.user("bob").unsubscribe("room")
    emu.run_until_idle()
    return emu


def journal_sections(stdout: str) -> dict[str, str]:
    """``test name -> text of its rtm_emulator journal section`` from pytest's output."""
    sections: dict[str, str] = {}
    test, inside = "", False
    for line in stdout.splitlines():
        rule = re.fullmatch(r"([-=_])\1+ (.+?) \1+", line)
        if rule:
            inside = rule.group(1) == "-" and rule.group(2) == JOURNAL_SECTION
            if rule.group(1) == "_":
                test = rule.group(2)
            if inside:
                sections[test] = ""
        elif inside:
            sections[test] += line + "\n"
    return sections


def test_failing_test_report_shows_the_journal_timeline(pytester: pytest.Pytester) -> None:
    """Only failed tests that used the emulator get the section; an assert_events
    failure's section leaves out the recipient's timeline, which its message shows."""
    pytester.makepyfile(FAILING)
    result = run(pytester, "-rA")
    result.assert_outcomes(failed=5, passed=1)
    emu = _scenario()
    start = emu.config.start_time_ms
    full = emu.journal.timeline(start_ms=start)
    others = Journal(e for e in emu.journal.entries if e.recipient != "me")
    alone = Emulator()
    alone.user("me").subscribe("room")
    assert journal_sections(result.stdout.str()) == {
        "test_bob_is_still_there": full,
        "test_me_saw_carol": (
            "(the 6 deliveries to 'me' are in the assert_events message above; the other 3:)\n"
            + others.timeline(start_ms=start)
        ),
        "test_all_deliveries_went_to_me": (
            "(all 3 deliveries went to 'me': see the assert_events message above)\n"
        ),
        # the failure is about another emulator: the fixture's journal is shown whole
        "test_assert_events_on_another_emulator": alone.journal.timeline(start_ms=start),
    }
    assert "REMOTE_LEAVE bob" in full and "-> bob: SNAPSHOT" in full
    assert len(others) == 3 and all(e.recipient == "bob" for e in others.entries)
    # what the section leaves out is in the assert_events message of the same report
    me = Journal(e for e in emu.journal.entries if e.recipient == "me")
    message = [line[1:].strip() for line in result.outlines if line.startswith("E ")]
    for line in me.timeline(start_ms=start).splitlines():
        assert line.strip() in message


def test_journal_sections_in_docs_are_from_a_real_run(pytester: pytest.Pytester) -> None:
    """docs/testing.md shows both sections exactly as its two failing tests print them."""
    pytester.makepyfile(DOC_TESTS)
    result = run(pytester)
    result.assert_outcomes(failed=2)
    sections = journal_sections(result.stdout.str())
    doc = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    for marker, test in (
        ("pytest-journal-section", "test_bob_is_still_there"),
        ("pytest-journal-section-assert-events", "test_me_saw_carol"),
    ):
        start = doc.index(f"<!-- output: {marker} -->")
        block = doc[start:].split("```text\n", 1)[1].split("```", 1)[0]
        header, _, body = block.partition("\n")
        assert JOURNAL_SECTION in header
        assert body == sections[test], marker


def library_lines() -> set[str]:
    """The distinctive source lines of the package (stripped, 25 characters or more)."""
    package = ROOT / "rtm_emulator"
    return {
        line.strip()
        for path in package.rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line.strip()) >= 25
    }


@pytest.mark.parametrize("tb", ["auto", "long", "short"])
def test_assert_events_failure_shows_no_library_source(pytester: pytest.Pytester, tb: str) -> None:
    """The report of an assert_events failure goes from the test's line to the diff:
    no frame, no source line and no path of the package comes before it (issue 13)."""
    pytester.makepyfile(DOC_TESTS)
    result = run(pytester, f"--tb={tb}", "-k", "test_me_saw_carol")
    result.assert_outcomes(failed=1)
    lines = result.outlines
    header = re.compile(r"_+ test_me_saw_carol _+")
    begin = next(i for i, line in enumerate(lines) if header.fullmatch(line))
    diff = next(i for i, line in enumerate(lines) if i > begin and line.startswith("E "))
    assert lines[diff].split(maxsplit=1)[1] == (
        "AssertionError: presence events received by 'me' do not match (2 expected, 4 received):"
    )
    before = [line.lstrip(">").strip() for line in lines[begin + 1 : diff]]
    assert before[-1] == (
        'assert_events(rtm_emulator, "me", [("SNAPSHOT", ""), ("REMOTE_JOIN", "carol")])'
    )
    # every line before the diff is the test's own source, its fixture's repr or its place
    own = {line.strip() for line in DOC_TESTS.splitlines()}
    other = [
        line
        for line in before
        if line not in own
        and not re.fullmatch(r"rtm_emulator = <Emulator now_ms=\d+ channels=1 online=2>", line)
        and not re.fullmatch(r"test_\w+\.py:\d+: in test_me_saw_carol", line)
    ]
    assert other == []
    assert not (set(before) - own) & library_lines()
    assert not [line for line in lines if "rtm_emulator/" in line or "testing.py" in line]
    assert len(before) <= (12 if tb != "short" else 2), "\n".join(before)


def test_assert_events_failure_under_unittest_shows_no_library_frame(tmp_path: Path) -> None:
    """unittest leaves rtm_emulator.testing's frames out of the traceback too."""
    (tmp_path / "test_mine.py").write_text(
        textwrap.dedent(
            """
            import unittest
            from rtm_emulator import Emulator
            from rtm_emulator.testing import assert_events

            class T(unittest.TestCase):
                def test_x(self):
                    emu = Emulator()
                    emu.user("me").subscribe("room")
                    assert_events(emu, "me", [("REMOTE_JOIN", "bob")])
            """
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "unittest", "test_mine"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    trace = done.stderr.split("Traceback (most recent call last):\n", 1)[1]
    frames, _, message = trace.partition("AssertionError: ")
    assert frames.splitlines() == [
        f'  File "{tmp_path / "test_mine.py"}", line 10, in test_x',
        '    assert_events(emu, "me", [("REMOTE_JOIN", "bob")])',
    ]
    assert message.startswith("presence events received by 'me' do not match")


def test_journal_section_needs_the_call_phase(pytester: pytest.Pytester) -> None:
    """A test whose fixture setup fails gets no journal section (only failed calls do)."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def broken(rtm_emulator):
            rtm_emulator.user("me").subscribe("room")
            raise RuntimeError("setup failed")

        def test_setup_error(broken):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    assert JOURNAL_SECTION not in result.stdout.str()
