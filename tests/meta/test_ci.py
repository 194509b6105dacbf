"""The bootstrap of ``.ci/run`` and ``.ci/demo`` (``.ci/env.sh``) on a machine that lacks things.

Each test gives the script a ``PATH`` made for it: a folder of links to every program on
the real ``PATH`` except the ones it takes away (``node``, ``npm``, ``python3``) or fakes.
``RTM_CI_NO_INSTALL=1`` forbids installing the missing piece with apt-get, so the script
must stop at its prerequisite checks, before it makes or installs anything, with exactly
one sentence on stderr and exit 1.  ``RTM_CI_VENV`` points the venv into the test's
temporary folder, so the clone is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASH = shutil.which("bash") or "/bin/bash"
NODE_NAMES = {"node", "nodejs", "npm", "npx", "corepack"}
#: the interpreter behind this one (not a venv's), for the fake ``python3``
BASE_PYTHON = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
ENSUREPIP_MISSING = (
    "The virtual environment was not created successfully because ensurepip is not\n"
    "available.  On Debian/Ubuntu systems, you need to install the python3-venv\n"
    "package using the following command.\n"
)


def farm(tmp_path: Path, *, drop: set[str], fakes: dict[str, str]) -> str:
    """A ``PATH`` of one folder: links to the real ``PATH``'s programs minus ``drop``.

    Every ``python*`` is dropped too; ``python3`` is the base interpreter unless ``fakes``
    (name -> bash script body) says otherwise or ``drop`` names it.
    """
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if not folder or not os.path.isdir(folder):
            continue
        for entry in sorted(os.listdir(folder)):
            target = os.path.join(folder, entry)
            link = bin_dir / entry
            if entry in drop or entry.startswith("python") or link.exists():
                continue
            if os.path.isfile(target) and os.access(target, os.X_OK):
                link.symlink_to(target)
    if "python3" not in drop and "python3" not in fakes:
        (bin_dir / "python3").symlink_to(BASE_PYTHON)
    for name, body in fakes.items():
        script = bin_dir / name
        if script.exists() or script.is_symlink():
            script.unlink()
        script.write_text(f"#!{BASH}\n{body}\n", encoding="utf-8")
        script.chmod(0o755)
    return str(bin_dir)


def run_ci(
    script: str,
    tmp_path: Path,
    *,
    drop: set[str] = frozenset(),
    fakes: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``bash .ci/<script>`` with the made ``PATH``, installs forbidden, the venv in tmp."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHON"}}
    env["PATH"] = farm(tmp_path, drop=set(drop), fakes=fakes or {})
    env["RTM_CI_NO_INSTALL"] = "1"
    env["RTM_CI_VENV"] = str(tmp_path / "venv")
    return subprocess.run(
        [BASH, str(ROOT / ".ci" / script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a run that stopped (exit 1)."""
    lines = result.stderr.strip().splitlines()
    assert 1 == result.returncode, (result.stdout, result.stderr)
    assert 1 == len(lines), result.stderr
    assert lines[0].endswith("and run again."), lines[0]
    return lines[0]


def test_run_without_node_stops_before_anything_else(tmp_path: Path) -> None:
    """No node: one sentence naming Node.js 18 and npm, and no venv, no pytest."""
    result = run_ci("run", tmp_path, drop=NODE_NAMES)
    sentence = one_sentence(result)
    assert sentence.startswith("bash .ci/run needs Node.js 18 or later with npm")
    assert "there is no node on PATH" in sentence
    assert "apt-get install nodejs npm" in sentence
    assert "[1/8] prerequisites" in result.stdout
    assert "[2/8]" not in result.stdout
    assert not (tmp_path / "venv").exists()


def test_run_with_an_old_node_says_its_version(tmp_path: Path) -> None:
    fakes = {"node": 'echo "v16.20.2"', "npm": 'echo "8.19.4"'}
    sentence = one_sentence(run_ci("run", tmp_path, drop=NODE_NAMES, fakes=fakes))
    assert "node is v16.20.2" in sentence


def test_run_with_node_but_no_npm(tmp_path: Path) -> None:
    if shutil.which("node") is None:
        pytest.fail("this test needs node on PATH (bash .ci/run installs it)")
    sentence = one_sentence(run_ci("run", tmp_path, drop={"npm", "npx", "corepack"}))
    assert "has no npm on PATH" in sentence


@pytest.mark.parametrize("script", ["run", "demo"])
def test_no_python3(script: str, tmp_path: Path) -> None:
    sentence = one_sentence(run_ci(script, tmp_path, drop={"python3"}))
    assert sentence.startswith("rtm_emulator needs Python 3.11 or later")
    assert "there is no working python3 on PATH" in sentence
    assert "PYTHON=" in sentence


@pytest.mark.parametrize("script", ["run", "demo"])
def test_python_too_old(script: str, tmp_path: Path) -> None:
    sentence = one_sentence(run_ci(script, tmp_path, fakes={"python3": 'echo "3.10"'}))
    assert "python3 is 3.10" in sentence


def _venv_fails(message: str) -> str:
    """A python3 that runs normally except ``-m venv``, which prints ``message``, exit 1."""
    quoted = message.replace("'", "'\\''")
    return (
        'if [ "$1" = -m ] && [ "$2" = venv ]; then\n'
        f"  printf '%s' '{quoted}' >&2\n"
        "  exit 1\n"
        "fi\n"
        f'exec "{BASE_PYTHON}" "$@"'
    )


@pytest.mark.parametrize("script", ["run", "demo"])
def test_no_venv_without_ensurepip(script: str, tmp_path: Path) -> None:
    """``python3 -m venv`` fails for lack of ensurepip, and installing is not allowed."""
    result = run_ci(script, tmp_path, fakes={"python3": _venv_fails(ENSUREPIP_MISSING)})
    sentence = one_sentence(result)
    assert sentence.startswith("python3 cannot make a virtual environment (ensurepip is missing)")
    assert "apt-get install python3-venv" in sentence
    assert not (tmp_path / "venv").exists()


def test_a_venv_that_fails_otherwise_names_the_error(tmp_path: Path) -> None:
    message = "Error: [Errno 13] Permission denied: '/nowhere/venv'\n"
    sentence = one_sentence(run_ci("demo", tmp_path, fakes={"python3": _venv_fails(message)}))
    assert "(Error: [Errno 13] Permission denied: '/nowhere/venv')" in sentence
    assert "RTM_CI_VENV" in sentence


def test_an_active_venv_without_pip_is_not_replaced(tmp_path: Path) -> None:
    """Inside a venv that has no pip, the demo says so instead of installing elsewhere."""
    venv = tmp_path / "active"
    subprocess.run([BASE_PYTHON, "-m", "venv", "--without-pip", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in {"RTM_CI_VENV", "PYTHON"}}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        VIRTUAL_ENV=str(venv),
        RTM_CI_NO_INSTALL="1",
    )
    result = subprocess.run(
        [BASH, str(ROOT / ".ci" / "demo")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    sentence = one_sentence(result)
    assert f"the active virtual environment {venv} has no pip" in sentence
    assert not (ROOT / ".ci" / "venv").exists()
    assert sorted(p.name for p in (venv / "bin").iterdir() if p.name.startswith("pip")) == []


def test_run_names_its_eight_stages_and_runs_install_forms() -> None:
    """The stage list the header comment promises is the one the script runs, in order."""
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    stages = [line.split('"')[1] for line in text.splitlines() if line.startswith("ci_stage ")]
    assert [
        "prerequisites",
        "python env",
        "npm ci",
        "dev gates",
        "pytest",
        "JS suites",
        "install forms",
        "real-SDK versions",
    ] == stages
    assert text.index("npm ci --no-audit") < text.index('"$ci_py" -m pytest')
    assert 'bash "$ci_root/.ci/install-forms"' in text
    assert 'bash "$ci_root/.ci/real-sdk-versions"' in text
