"""Users' ``mypy --strict`` on code that uses listeners and journals (issue 13).

Each checked file is copied into an empty directory and checked there, as a user's
project checks its own code: this repository's mypy configuration does not apply, and
``rtm_emulator`` is found as the installed package (its ``py.typed``).
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import pytest
from mypy import api

from tests.typing import user_code

HERE = Path(__file__).resolve().parent
#: ``path:line: error: message  [code]`` as mypy prints it
ERROR = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.*)  \[(?P<code>[\w-]+)\]$")
#: the marker of a line that must fail: ``# error: [code]``
MARKED = re.compile(r"#\s*error: \[(?P<code>[\w-]+)\]\s*$")


def mypy_strict(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, list[str]]:
    """``mypy --strict`` on a copy of ``tests/typing/<name>`` alone: (exit status, lines)."""
    (tmp_path / name).write_text((HERE / name).read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no config file here or above it
    limit = sys.getrecursionlimit()
    try:
        out, err, status = api.run(
            ["--strict", "--cache-dir", str(tmp_path / ".mypy_cache"), "--no-pretty", name]
        )
    finally:  # mypy raises the interpreter's recursion limit; later tests rely on it
        sys.setrecursionlimit(limit)
    assert err == "", err
    return status, out.splitlines()


def test_user_code_passes_mypy_strict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Typed listeners and filtered journals need no cast, ignore or isinstance."""
    source = (HERE / "user_code.py").read_text(encoding="utf-8")
    assert "cast(" not in source and "# type: ignore" not in source
    status, lines = mypy_strict("user_code.py", tmp_path, monkeypatch)
    assert (status, lines) == (0, ["Success: no issues found in 1 source file"])


def test_user_code_does_what_its_types_say() -> None:
    """The checked code runs: the typed listeners got the events of their kind."""
    seen = asyncio.run(user_code.main())
    assert seen == {
        "view": {"room": ["me"]},
        "links": ["CONNECTING", "CONNECTED"],
        "seen": ["SNAPSHOT", "REMOTE_JOIN", "REMOTE_LEAVE"],
        "kinds": ["LOGIN", "LOGIN_SUCCESS"],
        "publishers": ["", "bob", "bob"],
        "leaves": ["bob"],
        "joins": ["bob"],
        "messages": 4,
        "counts": (8, 3),
        "first": ("linkState", "me"),
        "received": ["SNAPSHOT", "REMOTE_JOIN", "REMOTE_LEAVE"],
    }


def test_mistakes_fail_mypy_strict_on_the_marked_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``LinkStateEvent`` listener for ``"presence"`` (and the like) is a type error."""
    name = "wrong_listeners.py"
    marked = {
        (number, match["code"])
        for number, line in enumerate((HERE / name).read_text(encoding="utf-8").splitlines(), 1)
        if (match := MARKED.search(line))
    }
    status, lines = mypy_strict(name, tmp_path, monkeypatch)
    errors = [m for m in map(ERROR.match, lines) if m]
    assert status == 1
    assert {(int(m["line"]), m["code"]) for m in errors} == marked
    # a marked line may fail once per member of a union (``event3.publisher``: the
    # link-state and the two token events have none); the set above pins the lines
    assert lines[-1] == f"Found {len(errors)} errors in 1 file (checked 1 source file)"
    first = next(m["message"] for m in errors if int(m["line"]) == min(marked)[0])
    assert first == (
        'Argument 2 to "add_event_listener" of "RTMClient" has incompatible type '
        '"Callable[[LinkStateEvent], None]"; expected "Callable[[object], object]"'
    )
