"""docs/performance.md's commands run as written, in a copy of the repository.

Each command line of the ``bench-commands`` block runs in a scratch copy (they rewrite
``benchmarks/results.json`` and the docs).  Re-rendering from the committed results
must reproduce the committed page and chart exactly; the measuring runs take minutes
and run with ``--slow``.  No time is asserted.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.samples import ROOT, sample


def _commands() -> list[list[str]]:
    lines = [line.split("#")[0].strip() for line in sample("bench-commands").splitlines()]
    return [shlex.split(line) for line in lines if line]


def _copy(tmp_path: Path) -> Path:
    for folder in ("benchmarks", "docs"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def _run(argv: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    if argv[0] == "python3":
        argv = [sys.executable, *argv[1:]]
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def test_the_block_is_install_then_three_runs() -> None:
    commands = _commands()
    assert ["pip", "install", "-e", ".[bench]"] == commands[0]
    assert [["--docs"], ["--render", "benchmarks/results.json"]] == [c[2:] for c in commands[2:]]
    assert all(c[:2] == ["python3", "benchmarks/presence_bench.py"] for c in commands[1:])


def test_render_reproduces_the_committed_page_and_chart(tmp_path: Path) -> None:
    """``--render benchmarks/results.json`` measures nothing and rewrites what is committed."""
    copy = _copy(tmp_path)
    done = _run(_commands()[3], copy, timeout=120)
    assert 0 == done.returncode, done.stderr
    for page in ("docs/performance.md", "docs/diagrams/performance.svg"):
        assert (ROOT / page).read_text(encoding="utf-8") == (copy / page).read_text(
            encoding="utf-8"
        ), page


@pytest.mark.slow
@pytest.mark.parametrize("index", [1, 2])
def test_measuring_runs_write_results_and_docs(tmp_path: Path, index: int) -> None:
    """The full run (and ``--docs``) end with a results file that names every budget."""
    pytest.importorskip("fakeredis")
    copy = _copy(tmp_path)
    (copy / "benchmarks" / "results.json").unlink()
    done = _run(_commands()[index], copy, timeout=1800)
    assert 0 == done.returncode, done.stderr
    assert (copy / "benchmarks" / "results.json").exists()
    assert "budget" in done.stdout
