"""Helpers for the command-line tests: run ``main`` and check a misuse is one clean line."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rtm_emulator.cli import main

Misuse = Callable[..., str]


@pytest.fixture
def misuse(capsys: pytest.CaptureFixture[str]) -> Misuse:
    """``misuse(*argv)``: runs the CLI, asserts exit 2, nothing on stdout and exactly one
    stderr line without a traceback; returns that line."""

    def check(*argv: str) -> str:
        code = main(list(argv))
        out, err = capsys.readouterr()
        assert 2 == code, (out, err)
        assert "Traceback" not in err
        lines = err.splitlines()
        assert 1 == len(lines), err
        assert "" == out
        return lines[0]

    return check


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh current directory (the CLI puts it on ``sys.path`` for ``--target``);
    ``sys.path`` and ``sys.modules`` are restored afterwards."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if name.startswith("cli_t_"):
            del sys.modules[name]
