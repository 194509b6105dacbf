"""docs/testing.md stays true: its quoted recipes are the files, its outputs are real runs.

- ``<!-- example: docs/examples/NAME -->`` is followed by a ```` ```python ```` block
  holding exactly that file (every example file is quoted once).
- ``<!-- run: NAME -->`` is followed by a code block; ``<!-- output: NAME -->`` by the
  exact text that code prints when run here (an ``AssertionError`` it raises is shown as
  the last line of its traceback: ``AssertionError: message``).

``UPDATE_DOCS=1 python -m pytest tests/toolkit/test_testing_doc.py`` rewrites the quotes
and outputs from the files and fresh runs.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "testing.md"
EXAMPLES = ROOT / "docs" / "examples"

EXAMPLE = re.compile(r"<!-- example: (?P<path>\S+) -->\n```python\n(?P<body>.*?)```\n", re.S)
RUN = re.compile(r"<!-- run: (?P<name>\S+) -->\n```python\n(?P<body>.*?)```\n", re.S)
OUTPUT = re.compile(r"<!-- output: (?P<name>\S+) -->\n```text\n(?P<body>.*?)```\n", re.S)


def run_snippet(name: str, code: str) -> str:
    """What ``code`` prints, plus ``AssertionError: ...`` if it fails an assertion."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            exec(compile(code, f"<docs/testing.md run: {name}>", "exec"), {"__name__": name})
        except AssertionError as exc:
            print(f"AssertionError: {exc}")
    return out.getvalue()


def fresh_doc(text: str) -> str:
    """The doc with every quote re-read from its file and every output re-run."""

    def quote(match: re.Match[str]) -> str:
        body = (ROOT / match["path"]).read_text(encoding="utf-8")
        return f"<!-- example: {match['path']} -->\n```python\n{body}```\n"

    text = EXAMPLE.sub(quote, text)
    outputs = {m["name"]: run_snippet(m["name"], m["body"]) for m in RUN.finditer(text)}

    def output(match: re.Match[str]) -> str:
        body = outputs.get(match["name"], match["body"])
        return f"<!-- output: {match['name']} -->\n```text\n{body}```\n"

    return OUTPUT.sub(output, text)


def test_doc_is_up_to_date() -> None:
    """Quotes equal the example files and outputs equal fresh runs (UPDATE_DOCS=1 fixes)."""
    text = DOC.read_text(encoding="utf-8")
    fresh = fresh_doc(text)
    if os.environ.get("UPDATE_DOCS") == "1" and fresh != text:
        DOC.write_text(fresh, encoding="utf-8")
        text = fresh
    assert fresh == text


def test_every_example_file_is_quoted_once() -> None:
    text = DOC.read_text(encoding="utf-8")
    quoted = [m["path"] for m in EXAMPLE.finditer(text)]
    files = sorted(f"docs/examples/{p.name}" for p in EXAMPLES.glob("*.py"))
    assert sorted(quoted) == files


@pytest.mark.parametrize("name", ["users", "time", "journal", "assert-events", "strategies"])
def test_each_run_block_has_its_output(name: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    assert name in {m["name"] for m in RUN.finditer(text)}
    assert name in {m["name"] for m in OUTPUT.finditer(text)}


def test_assert_events_failure_output_is_real() -> None:
    """The failure shown in the doc is what assert_events raises for the doc's code."""
    text = DOC.read_text(encoding="utf-8")
    code = next(m["body"] for m in RUN.finditer(text) if m["name"] == "assert-events")
    shown = next(m["body"] for m in OUTPUT.finditer(text) if m["name"] == "assert-events")
    assert shown.startswith("AssertionError: presence events received by 'me' do not match")
    assert run_snippet("assert-events", code) == shown
