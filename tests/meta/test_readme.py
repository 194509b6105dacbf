"""The README's blocks run as written and do what they say, each found by its sample id.

Run here: the Python examples, the quick start's demo command, ``rtm-emulator serve``, the
conformance and teaching commands.  Run elsewhere: ``readme-js-quick-start`` by
clients/js/test/readme.test.js; ``readme-dev-gates`` by stage 4 of ``.ci/run``;
``readme-install-clone`` and ``readme-install-wheel`` by stage 7 (``.ci/install-forms``);
the quick start's second command, ``bash .ci/run``, is CI itself.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from rtm_emulator import Emulator
from rtm_emulator.testing import drive
from tests.samples import sample

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _env_with_scripts() -> dict[str, str]:
    """This interpreter's scripts folder (``rtm-emulator``) first on ``PATH``."""
    env = dict(os.environ)
    env["PATH"] = sysconfig.get_path("scripts") + os.pathsep + env.get("PATH", "")
    return env


def _commands(block: str) -> list[str]:
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]


def test_example_prints_the_four_events() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(sample("readme-example"), {"__name__": "readme"})
    assert ["SNAPSHOT", "REMOTE_JOIN", "REMOTE_STATE_CHANGED", "REMOTE_LEAVE"] == re.findall(
        r"PresenceEventType\.(\w+)", out.getvalue()
    )


def test_messaging_example_prints_what_the_readme_says() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(sample("readme-messaging"), {"__name__": "readme"})
    assert [
        "MESSAGE alice hello room",
        "USER alice b'\\x01\\x02'",
        "MESSAGE alice kept",
        "['kept']",
    ] == out.getvalue().splitlines()
    for line in out.getvalue().splitlines():
        assert f"`{line}`" in README


def test_server_side_example_runs_as_commented() -> None:
    emu = Emulator(strict=True)
    emu.user("alice").subscribe("room")
    drive(emu.client("bob").login())
    namespace = {"emu": emu}
    exec(sample("readme-emulator-controls"), namespace)
    assert ["alice", "carol"] == emu.online_users("room", "MESSAGE")


def test_quick_start_is_two_commands_the_demo_and_ci() -> None:
    assert ["bash .ci/demo", "bash .ci/run"] == _commands(sample("readme-quick-start"))


def test_quick_start_demo_runs_in_the_active_venv(tmp_path: Path) -> None:
    """``bash .ci/demo`` as written, from the clone, reusing the venv that is active.

    Under ``.ci/run`` that is its venv; otherwise a venv over this interpreter's packages
    (``--system-site-packages``), where the clone is installed already: nothing installs.
    """
    if sys.prefix != sys.base_prefix:
        active = Path(sys.prefix)
    else:
        active = tmp_path / "venv"
        venv.create(active, system_site_packages=True, with_pip=False, symlinks=True)
    env = {k: v for k, v in os.environ.items() if k not in {"RTM_CI_VENV", "PYTHON"}}
    env.update(
        VIRTUAL_ENV=str(active),
        PATH=f"{active / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        RTM_CI_NO_INSTALL="1",
    )
    demo_line = sample("readme-quick-start").splitlines()[0]
    result = subprocess.run(
        ["bash", "-c", demo_line],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert 0 == result.returncode, result.stderr
    lines = result.stdout.splitlines()
    assert "== three users log in ==" == lines[0]
    assert re.fullmatch(
        r"\[\+ *[\d.]+s\] done: \d+ presence events delivered; invariants hold", lines[-1]
    )


def test_serve_prints_its_url_then_stops_on_ctrl_c() -> None:
    """``rtm-emulator serve`` as written: the URL is the first line; SIGINT ends it cleanly."""
    block = sample("readme-serve")
    assert ["rtm-emulator serve"] == _commands(block)
    proc = subprocess.Popen(
        ["bash", "-c", block],
        env=_env_with_scripts(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert re.fullmatch(r"ws://127\.0\.0\.1:\d+", first), first
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.stderr is not None
    assert "Traceback" not in proc.stderr.read()
    assert proc.returncode in (0, 130), proc.returncode


def test_conformance_and_teaching_commands_run_as_written(tmp_path: Path) -> None:
    """Each command of the block, in an empty folder: the reports and pictures appear."""
    block = sample("readme-conformance")
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=tmp_path,
        env=_env_with_scripts(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert 0 == result.returncode, result.stdout[-2000:] + result.stderr
    totals = re.findall(r"^(\d+) passed, 0 failed, 0 skipped$", result.stdout, re.M)
    assert 2 == len(totals), result.stdout[-2000:]
    assert int(totals[0]) > int(totals[1]) > 0  # every scenario, then those of R-E6
    report = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert report
    assert "R-E6" in json.dumps(report)
    svg = (tmp_path / "timeline.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and svg.rstrip().endswith("</svg>")
    assert re.search(r"^r-e6-quick-reentry-is-silent +R-E6\b", result.stdout, re.M)
    assert re.search(r"^R-E6\b", result.stdout, re.M), result.stdout[-2000:]


def test_blocks_run_by_ci_are_named_in_ci() -> None:
    """The README blocks this file does not run are run, by id, by ``.ci/run``'s stages."""
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    forms = (ROOT / ".ci" / "install-forms").read_text(encoding="utf-8")
    assert 'ci_sample "readme-dev-gates"' in run
    assert 'run_sample "readme-install-clone"' in forms
    assert 'run_sample "readme-install-wheel"' in forms
    assert _commands(sample("readme-dev-gates"))[0] == 'pip install -e ".[dev]"'


def test_the_slow_switch_the_readme_names_is_the_one_that_runs_the_soak() -> None:
    """Without ``--slow`` the slow tests are skipped with a reason that names the switch."""
    assert "`python3 -m pytest\n--slow` adds the soak test" in README
    args = ["-q", "-rs", "-p", "no:cacheprovider", "-m", "slow", "tests/reliability/test_soak.py"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert 0 == result.returncode, result.stdout
    assert re.search(r"SKIPPED \[\d+\] .*slow: run with --slow", result.stdout), result.stdout
    assert re.search(r"^\d+ skipped", result.stdout, re.M), result.stdout


@pytest.mark.parametrize("extra", ["server", "test", "dev"])
def test_the_extras_the_readme_installs_exist(extra: str) -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert f'".[{extra}]"' in README
    assert extra in project["optional-dependencies"]
