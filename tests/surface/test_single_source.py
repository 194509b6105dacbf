"""Nothing outside the table lists operations: no literal list of operation names.

A "list" is three or more distinct operation names (SDK, Python or server spelling, or a
control verb) as string literals within five lines of each other.  The package and the
JS client's code are scanned; the table itself, the typings (checked against the table
by test_surface.py) and the exceptions below are not.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from rtm_emulator._surface import CONTROL, OPERATIONS

from .checks import JS, ROOT

PACKAGE = ROOT / "rtm_emulator"

NAMES = frozenset(
    {row.sdk for row in OPERATIONS}
    | {row.python for row in OPERATIONS}
    | {row.wire for row in OPERATIONS if row.wire}
    | {row.js for row in CONTROL}
    | {row.wire for row in CONTROL}
)

#: Files that may list names, and why.
EXEMPT = {
    # the table: the SDK's operations and the control verbs
    "rtm_emulator/_surface.py",
    "rtm_emulator/_control_surface.py",
    # R-C6's limiter keys (the SDK's API_RATE_LIMIT map), which the table imports
    "rtm_emulator/_config.py",
}
WINDOW = 5


def _python_literals(text: str) -> list[tuple[int, str]]:
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.STRING and re.fullmatch(r"[rbu]?(['\"])[\w.]+\1", tok.string):
            out.append((tok.start[0], tok.string[1:-1].lstrip("'\"").rstrip("'\"")))
    return out


_JS_STRING = re.compile(r"""(?<![\w$])(['"`])([\w.]+)\1""")


def _js_literals(text: str) -> list[tuple[int, str]]:
    text = re.sub(r"/\*[\s\S]*?\*/", lambda m: "\n" * m.group().count("\n"), text)
    out = []
    for number, line in enumerate(text.split("\n"), 1):
        code = re.sub(r"^\s*//.*$", "", line)
        out.extend((number, m.group(2)) for m in _JS_STRING.finditer(code))
    return out


def lists_in(literals: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    """Places where three distinct names occur within :data:`WINDOW` lines."""
    hits = [(line, name) for line, name in literals if name in NAMES]
    found = []
    for i, (line, _) in enumerate(hits):
        near = list(dict.fromkeys(n for ln, n in hits[i:] if ln - line < WINDOW))
        if len(near) >= 3:
            found.append((line, near))
    return found


def _files() -> list[Path]:
    python = sorted(PACKAGE.rglob("*.py"))
    js = sorted(
        p for p in JS.glob("**/*.*js") if "node_modules" not in p.parts and "test" not in p.parts
    )
    return python + js


def test_no_module_lists_operation_names() -> None:
    offenders = {}
    for path in _files():
        rel = path.relative_to(ROOT).as_posix()
        if rel in EXEMPT:
            continue
        text = path.read_text(encoding="utf-8")
        literals = _python_literals(text) if path.suffix == ".py" else _js_literals(text)
        hits = lists_in(literals)
        if hits:
            offenders[rel] = hits[0]
    assert {} == offenders, "operation names listed outside the table (rtm_emulator/_surface.py)"


def test_the_scan_finds_a_list() -> None:
    """The detector is not blind: the old hub table and the old JS methods are lists."""
    old_hub = """_RTM = {\n    "login": 1,\n    "logout": 2,\n    "presence.whoNow": 3,\n}\n"""
    assert [(2, ["login", "logout", "presence.whoNow"])] == lists_in(_python_literals(old_hub))
    old_js = (
        "whoNow(a) { return call('presence.whoNow', [a]); }\n"
        "whereNow(a) { return call('presence.whereNow', [a]); }\n"
        "setState(a) { return call('presence.setState', [a]); }\n"
    )
    assert lists_in(_js_literals(old_js))
    spread = "x = 'login'\n" + "\n" * WINDOW + "y = 'logout'\n" + "\n" * WINDOW + "z = 'leave'\n"
    assert [] == lists_in(_python_literals(spread))
