"""Issue 15: ``--target`` imports only what the user named: the current directory is
searched last, so a file there named like a standard or installed module never
shadows it (docs/conformance.md, "The factory")."""

from __future__ import annotations

import colorsys
import os
import re
import sys
from pathlib import Path

import pytest

from rtm_emulator.cli import _target, main
from rtm_emulator.conformance import load_target

SHADOW = 'raise SystemExit("the current directory shadowed the standard colorsys")\n'


@pytest.fixture
def no_colorsys(monkeypatch: pytest.MonkeyPatch) -> None:
    """``colorsys`` unloaded, so the next import searches ``sys.path`` again."""
    monkeypatch.delitem(sys.modules, "colorsys")


def test_a_module_in_cwd_named_like_a_stdlib_one_does_not_shadow_the_targets_import(
    workdir: Path, no_colorsys: None, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "colorsys.py").write_text(SHADOW, encoding="utf-8")
    (workdir / "cli_t_shadow.py").write_text(
        "import colorsys\n"
        "from rtm_emulator.conformance import emulator_target\n\n\n"
        "def factory(config):\n"
        "    assert colorsys.rgb_to_hsv(1, 0, 0) == (0.0, 1.0, 1)\n"
        "    return emulator_target(config)\n",
        encoding="utf-8",
    )
    assert 0 == main(["conformance", "--rule", "R-Q5", "--target", "cli_t_shadow:factory"])
    out, err = capsys.readouterr()
    assert re.search(r"\b0 failed", out), out
    assert "shadowed" not in out + err
    assert os.getcwd() != sys.path[0]
    assert os.getcwd() == sys.path[-1]  # added last, to find cli_t_shadow


def test_a_target_named_like_a_stdlib_module_is_the_stdlib_one(
    workdir: Path, no_colorsys: None
) -> None:
    (workdir / "colorsys.py").write_text(SHADOW, encoding="utf-8")
    found = _target("colorsys:rgb_to_hsv")
    assert colorsys.rgb_to_hsv is not found  # a fresh import of the module ...
    assert Path(sys.modules["colorsys"].__file__ or "").parent != workdir  # ... stdlib's
    assert (0.0, 1.0, 1) == found(1, 0, 0)  # type: ignore[call-arg]


def test_the_current_directory_is_searched_only_when_the_module_is_not_found(
    workdir: Path,
) -> None:
    (workdir / "cli_t_local.py").write_text("def factory(config):\n    return None\n", "utf-8")
    path_before = list(sys.path)
    with pytest.raises(ImportError, match="no module named 'cli_t_local'"):
        load_target("cli_t_local:factory")  # no folder: sys.path only
    assert path_before == sys.path
    assert callable(load_target("cli_t_local:factory", folder=str(workdir)))
    assert [*path_before, str(workdir)] == sys.path
    # a module that is missing *inside* the named one is not looked for in the folder
    (workdir / "cli_t_needs.py").write_text("import cli_t_nowhere\n", encoding="utf-8")
    with pytest.raises(ImportError, match="it imports 'cli_t_nowhere'"):
        load_target("cli_t_needs:factory", folder=str(workdir))
