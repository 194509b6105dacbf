"""What every family benchmark (benchmarks/<family>_bench.py, built on
benchmarks/budgets.py) shares: docs/performance.md shows its committed results, its
commands block (:data:`SAMPLES`) is three runs of the script as written, ``--render``
reproduces the committed section in a copy of the repository, and the measuring runs
(``--slow``) write a results file naming every budget.  Each family's own workloads and
budgets are pinned in tests/meta/test_<family>_bench.py.  No time is asserted.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.meta.test_benchmarks import BENCH, _load
from tests.samples import ROOT, sample

#: each family benchmark and the docs/performance.md sample of its commands
SAMPLES = {
    "messaging": "messaging-bench-commands",
    "storage": "storage-bench-commands",
    "lock": "lock-bench-commands",
    "token": "token-bench-commands",
    "replica": "replica-bench-commands",
}
FAMILIES = tuple(SAMPLES)


def _commands(family: str) -> list[list[str]]:
    block = sample(SAMPLES[family])
    lines = [line.split("#")[0].strip() for line in block.splitlines()]
    return [shlex.split(line) for line in lines if line]


def _run(argv: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    if argv[0] == "python3":
        argv = [sys.executable, *argv[1:]]
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def _copy(tmp_path: Path) -> Path:
    for folder in ("benchmarks", "docs"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


@pytest.mark.parametrize("family", FAMILIES)
def test_docs_show_the_committed_results(family: str) -> None:
    """docs/performance.md's results of the family are the rendering of its results file."""
    bench = _load(f"{family}_bench")
    results = f"benchmarks/{family}_results.json"
    saved = json.loads((BENCH / f"{family}_results.json").read_text(encoding="utf-8"))
    res = bench.Results()
    res.rows = saved["results"]
    block = bench.results_block(res, saved["targets"], saved["meta"])
    doc = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    assert block in doc, f"run: python3 benchmarks/{family}_bench.py --render {results}"
    assert not saved["meta"]["quick"], "the committed results must be a full run"
    assert len(saved["targets"]) == len(bench.BUDGETS)


@pytest.mark.parametrize("family", FAMILIES)
def test_the_block_is_three_runs_of_the_script(family: str) -> None:
    commands = _commands(family)
    assert all(c[:2] == ["python3", f"benchmarks/{family}_bench.py"] for c in commands)
    assert [[], ["--docs"], ["--render", f"benchmarks/{family}_results.json"]] == [
        c[2:] for c in commands
    ]


@pytest.mark.parametrize("family", FAMILIES)
def test_render_reproduces_the_committed_section(tmp_path: Path, family: str) -> None:
    """``--render`` measures nothing and rewrites what is committed."""
    copy = _copy(tmp_path)
    done = _run(_commands(family)[2], copy, timeout=120)
    assert 0 == done.returncode, done.stderr
    page = "docs/performance.md"
    assert (ROOT / page).read_text(encoding="utf-8") == (copy / page).read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("index", [0, 1])
def test_measuring_runs_write_results_and_docs(tmp_path: Path, family: str, index: int) -> None:
    """The full run (and ``--docs``) end with a results file that names every budget."""
    copy = _copy(tmp_path)
    (copy / "benchmarks" / f"{family}_results.json").unlink()
    done = _run(_commands(family)[index], copy, timeout=600)
    assert 0 == done.returncode, done.stderr
    saved = json.loads((copy / "benchmarks" / f"{family}_results.json").read_text("utf-8"))
    assert len(_load(f"{family}_bench").BUDGETS) == len(saved["targets"])
    assert "budgets met" in done.stdout
    if index == 1:
        assert "wrote docs/performance.md" in done.stdout
