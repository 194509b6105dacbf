"""benchmarks/storage_bench.py measures what it says and reports what it measured.

No time is asserted (performance is measured by ``benchmarks/``, never by the test
suite).  These tests pin that each workload delivers what it times (the script asserts
its listeners' counts), that the report flags a missed budget, that docs/performance.md
shows the committed results, and that the ``storage-bench-commands`` block runs as
written in a copy of the repository (the measuring runs with ``--slow``).
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.meta.test_benchmarks import BENCH, _load
from tests.samples import ROOT, sample


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _load("storage_bench")


def _commands() -> list[list[str]]:
    lines = [line.split("#")[0].strip() for line in sample("storage-bench-commands").splitlines()]
    return [shlex.split(line) for line in lines if line]


def _run(argv: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    if argv[0] == "python3":
        argv = [sys.executable, *argv[1:]]
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def _copy(tmp_path: Path) -> Path:
    for folder in ("benchmarks", "docs"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


@pytest.mark.parametrize(
    ("workload", "size", "unit"),
    [
        ("metadata_fan_out", 25, "ms"),
        ("get_metadata", 8, "µs"),
        ("set_metadata", 25, "µs"),
    ],
)
def test_each_workload_delivers_what_it_times(
    bench: ModuleType, workload: str, size: int, unit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """R-ST15, R-ST10, D-ST8: every timed write reaches all its subscribers, every get
    answers its items (the workload asserts the counts) and each yields one row."""
    res = bench.Results()
    getattr(bench, workload)(res, size, reps=6)
    assert [(size, "emulator", unit)] == [(r["size"], r["target"], r["unit"]) for r in res.rows]
    assert res.rows[0]["value"] > 0
    capsys.readouterr()


def _results(bench: ModuleType, fan_out: float, get: float, put: float) -> object:
    res = bench.Results()
    res.add("metadata fan-out", 1_000, "emulator", fan_out, "ms")
    res.add("get channel metadata", 32, "emulator", get)
    res.add("set channel metadata", 1_000, "emulator", put)
    return res


def test_budgets_report_a_miss(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 17's budget (3 ms) and ours (50 µs, 50 µs), met at the limit, missed past it."""
    met = bench.check_targets(_results(bench, 3, 50, 50))
    assert [
        ("a channel metadata update heard by 1,000 subscribers", True),
        ("getChannelMetadata of 32 items", True),
        ("setChannelMetadata with no subscriber", True),
    ] == [(t["target"], t["met"]) for t in met]
    missed = bench.check_targets(_results(bench, 3.01, 50.5, 51))
    assert not any(t["met"] for t in missed)
    assert [3.01, 50.5, 51] == [t["measured"] for t in missed]
    meta = {"date": "d", "machine": "m", "python": "p", "seconds": 1.0}
    res = _results(bench, 3.01, 10, 10)
    block = bench.results_block(res, bench.check_targets(res), meta)
    row = (
        "| a channel metadata update heard by 1,000 subscribers | n/a (new) | 3.01 ms "
        "| ≤ 3 ms | **no** |"
    )
    assert row in block
    capsys.readouterr()


def test_docs_show_the_committed_results(bench: ModuleType) -> None:
    """docs/performance.md's storage results are the rendering of storage_results.json."""
    saved = json.loads((BENCH / "storage_results.json").read_text(encoding="utf-8"))
    res = bench.Results()
    res.rows = saved["results"]
    block = bench.results_block(res, saved["targets"], saved["meta"])
    doc = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    assert block in doc, (
        "run: python3 benchmarks/storage_bench.py --render benchmarks/storage_results.json"
    )
    assert not saved["meta"]["quick"], "the committed results must be a full run"
    assert len(saved["targets"]) == len(bench.BUDGETS)


def test_the_block_is_three_runs_of_the_script() -> None:
    commands = _commands()
    assert all(c[:2] == ["python3", "benchmarks/storage_bench.py"] for c in commands)
    assert [[], ["--docs"], ["--render", "benchmarks/storage_results.json"]] == [
        c[2:] for c in commands
    ]


def test_render_reproduces_the_committed_section(tmp_path: Path) -> None:
    """``--render`` measures nothing and rewrites what is committed."""
    copy = _copy(tmp_path)
    done = _run(_commands()[2], copy, timeout=120)
    assert 0 == done.returncode, done.stderr
    page = "docs/performance.md"
    assert (ROOT / page).read_text(encoding="utf-8") == (copy / page).read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("index", [0, 1])
def test_measuring_runs_write_results_and_docs(tmp_path: Path, index: int) -> None:
    """The full run (and ``--docs``) end with a results file that names every budget."""
    copy = _copy(tmp_path)
    (copy / "benchmarks" / "storage_results.json").unlink()
    done = _run(_commands()[index], copy, timeout=600)
    assert 0 == done.returncode, done.stderr
    saved = json.loads((copy / "benchmarks" / "storage_results.json").read_text("utf-8"))
    assert 3 == len(saved["targets"])
    assert "budgets met" in done.stdout
    if index == 1:
        assert "wrote docs/performance.md" in done.stdout
