"""What every row of the surface table must have, as functions that list what is missing.

Each check takes one row (and what it checks against) and returns the problems it
found, so the tests run them on every row of the real table and on a patched row that
has no adapters (which must then be reported).
"""

from __future__ import annotations

import inspect
import json
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rtm_emulator import Emulator, RTMClient, RTMHistory, RTMPresence, RTMStreamChannel
from rtm_emulator._config import RATE_LIMITS
from rtm_emulator._surface import OPERATIONS, REQUIRED, Control, Operation
from rtm_emulator.client import RTMLock, RTMStorage

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "clients" / "js"

#: The Python class of each home.
PYTHON_CLASS: dict[str, type] = {
    "rtm": RTMClient,
    "presence": RTMPresence,
    "history": RTMHistory,
    "stream": RTMStreamChannel,
    "storage": RTMStorage,
    "lock": RTMLock,
}
#: The JS class (index.cjs / index.d.cts) of each home.
JS_CLASS = {
    "rtm": "RTMClient",
    "presence": "RTMPresence",
    "history": "RTMHistory",
    "stream": "RTMStreamChannel",
    "storage": "RTMStorage",
    "lock": "RTMLock",
}


def python_problems(row: Operation) -> list[str]:
    """Both Python spellings exist on the row's class, with its parameters, async or not.

    The Python spelling also takes the options marked ``keyword`` as keywords; where both
    spellings are one word (``login``) the one method does.
    """
    cls = PYTHON_CLASS[row.home]
    problems = []
    keywords = [o.python for o in row.options if o.keyword]
    spellings = [(row.python, keywords)]
    if row.sdk != row.python:  # the SDK spelling takes the options object only
        spellings.append((row.sdk, []))
    for name, kw in spellings:
        method = getattr(cls, name, None)
        if method is None:
            problems.append(f"{cls.__name__}.{name} is missing")
            continue
        if inspect.iscoroutinefunction(method) != row.is_async:
            problems.append(f"{cls.__name__}.{name}: async is not {row.is_async}")
        params = list(inspect.signature(method).parameters.values())[1:]
        positional = [p for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
        named = [p.name for p in params if p.kind is p.KEYWORD_ONLY]
        if [p.name for p in positional] != [p.python for p in row.params]:
            problems.append(
                f"{cls.__name__}.{name} takes {[p.name for p in positional]}, "
                f"the table says {[p.python for p in row.params]}"
            )
        else:
            for have, want in zip(positional, row.params, strict=True):
                default = REQUIRED if have.default is have.empty else have.default
                if default != want.default:
                    problems.append(f"{cls.__name__}.{name}({have.name}) default {default!r}")
        if named != kw:
            problems.append(f"{cls.__name__}.{name} keywords {named}, the table says {kw}")
    return problems


def row_problems(row: Operation) -> list[str]:
    """The row's own facts agree with each other (rate key, alias, wire)."""
    problems = []
    if row.rate_key is not None and row.rate_key not in RATE_LIMITS:
        problems.append(f"{row.sdk}: rate key {row.rate_key!r} has no limit")
    if row.alias_of is not None:
        target = [r for r in OPERATIONS if r.sdk == row.alias_of and r.home == row.home]
        if not target or target[0].params != row.params or target[0].rate_key != row.rate_key:
            problems.append(f"{row.sdk}: not an alias of {row.alias_of!r} on {row.home}")
    if row.wire is not None and not row.is_async:
        problems.append(f"{row.sdk}: a server method is always awaited")
    if not re.fullmatch(r"R-[A-Z]+\d+", row.rules[0] if row.rules else ""):
        problems.append(f"{row.sdk}: no rule ids")
    return problems


def server_problems(row: Operation, methods: Iterable[str], rtm: dict[str, Any]) -> list[str]:
    """A row with a server method is answered by the hub, with the row's arguments."""
    if row.wire is None:
        return []
    problems = []
    if row.wire not in methods:
        problems.append(f"{row.wire} is not in server.METHODS")
    if rtm.get(row.wire) != row:
        problems.append(f"the hub does not dispatch {row.wire} from the row")
    return problems


def control_problems(row: Control, methods: Iterable[str]) -> list[str]:
    """A control verb has its Emulator attribute (when it has one) and its server method."""
    problems = []
    if row.python is not None:
        target: Any = Emulator()
        for part in row.python.split("."):
            if not hasattr(target, part):
                problems.append(f"Emulator.{row.python} is missing")
                break
            target = getattr(target, part)
    if row.wire not in methods:
        problems.append(f"{row.wire} is not in server.METHODS")
    return problems


# ------------------------------------------------------------------------ JS


def node() -> str:
    """The node executable (the JS client's tests need it too)."""
    found = shutil.which("node")
    assert found is not None, "node is needed to check the JS client (clients/js)"
    return found


_PROTOTYPES = r"""
const m = require(process.argv[1]);
const out = {};
const own = (proto) => Object.getOwnPropertyNames(proto).filter((n) => n !== 'constructor');
const classes = [
  'RTMClient', 'RTMPresence', 'RTMHistory', 'RTMStreamChannel', 'RTMStorage', 'RTMLock',
  'EmulatorControl',
];
for (const name of classes) {
  const proto = m[name].prototype;
  out[name] = Object.fromEntries(
    own(proto)
      .filter((n) => typeof Object.getOwnPropertyDescriptor(proto, n).value === 'function')
      .map((n) => [n, proto[n].length]),
  );
}
out.EVENT_NAMES = m.EVENT_NAMES;
process.stdout.write(JSON.stringify(out));
"""


def js_prototypes(index: Path = JS / "index.cjs") -> dict[str, Any]:
    """The methods (name -> length) of the JS client's classes, as index.cjs builds them."""
    done = subprocess.run(
        [node(), "-e", _PROTOTYPES, str(index)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def js_problems(row: Operation, prototypes: dict[str, Any]) -> list[str]:
    """The JS class of the row's home has the SDK method, with the row's arity."""
    cls = JS_CLASS[row.home]
    methods = prototypes[cls]
    if row.sdk not in methods:
        return [f"JS {cls}.{row.sdk} is missing"]
    if methods[row.sdk] != len(row.params):
        return [f"JS {cls}.{row.sdk} takes {methods[row.sdk]} arguments, not {len(row.params)}"]
    return []


def js_control_problems(row: Control, prototypes: dict[str, Any]) -> list[str]:
    """EmulatorControl has the verb, with the row's arity."""
    methods = prototypes["EmulatorControl"]
    if row.js not in methods:
        return [f"JS EmulatorControl.{row.js} is missing"]
    if methods[row.js] != len(row.params):
        return [f"JS EmulatorControl.{row.js} takes {methods[row.js]} arguments"]
    return []


def declared_methods(text: str, cls: str) -> dict[str, list[str]]:
    """The methods ``name(params)`` declared in ``export class cls`` of a .d.cts text."""
    start = re.search(rf"^export class {cls}\b[^{{]*\{{\n", text, re.M)
    assert start is not None, f"no class {cls} in the typings"
    end = text.index("\n}\n", start.end())
    body = text[start.end() : end]
    out: dict[str, list[str]] = {}
    for match in re.finditer(r"^  (\w+)(?:<[^(]*>)?\(([^)]*)\)", body, re.M):
        name, params = match.groups()
        if name == "constructor":
            continue
        names = [p.split(":")[0].strip().rstrip("?") for p in params.split(",") if p.strip()]
        out[name] = names
    return out


def typing_problems(row: Operation, text: str) -> list[str]:
    """index.d.cts declares the row's method on its class with the row's parameters."""
    cls = JS_CLASS[row.home]
    declared = declared_methods(text, cls)
    if row.sdk not in declared:
        return [f"index.d.cts: {cls}.{row.sdk} is not declared"]
    want = [p.sdk for p in row.params]
    if declared[row.sdk] != want:
        return [f"index.d.cts: {cls}.{row.sdk}({', '.join(declared[row.sdk])}), want {want}"]
    return []


def control_typing_problems(row: Control, text: str) -> list[str]:
    """index.d.cts declares the verb on EmulatorControl with the row's parameters."""
    declared = declared_methods(text, "EmulatorControl")
    if row.js not in declared:
        return [f"index.d.cts: EmulatorControl.{row.js} is not declared"]
    want = [p.js for p in row.params]
    if declared[row.js] != want:
        return [f"index.d.cts: EmulatorControl.{row.js}({', '.join(declared[row.js])})"]
    return []
