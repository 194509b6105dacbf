"""The recipes of docs/testing.md pass, run the way a user's project runs them.

Each example file (with ``recipe_app.py`` beside it) is copied into an empty pytester
project — no conftest, no ini — and run by pytest in a subprocess, so only the installed
plugins apply (rtm_emulator's own, pytest-asyncio, anyio), never this repository's
``tests/conftest.py``.  The unittest recipe also runs under ``python -m unittest``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"

#: recipe file -> the number of tests in it
RECIPES = {
    "test_recipe_asyncio.py": 2,
    "test_recipe_anyio.py": 1,
    "test_recipe_unittest.py": 1,
    "test_recipe_app.py": 1,
}


def test_every_recipe_is_listed() -> None:
    assert sorted(RECIPES) == sorted(p.name for p in EXAMPLES.glob("test_*.py"))


def test_recipes_pass_in_a_bare_project(pytester: pytest.Pytester) -> None:
    """All recipes in one pytest subprocess (startup dominates); each file's tests pass."""
    for name in [*RECIPES, "recipe_app.py"]:
        source = (EXAMPLES / name).read_text(encoding="utf-8")
        (pytester.path / name).write_text(source, encoding="utf-8")
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "-p",
        "no:hypothesispytest",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
        "--strict-markers",
        "-v",
    )
    passed = [line.split("::")[0] for line in result.outlines if " PASSED " in line]
    assert {name: passed.count(name) for name in RECIPES} == RECIPES, result.stdout.str()
    result.assert_outcomes(passed=sum(RECIPES.values()))


def test_unittest_recipe_runs_without_pytest(tmp_path: Path) -> None:
    source = EXAMPLES / "test_recipe_unittest.py"
    (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "unittest", "-v", "test_recipe_unittest"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Ran 1 test" in done.stderr and "OK" in done.stderr
