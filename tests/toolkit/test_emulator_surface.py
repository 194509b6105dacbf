"""The ``Emulator``'s public surface is the harness verbs and nothing of the engine's.

``Emulator`` holds its engine (composition, issue 14): time, faults, looking inside,
clients and scripted users are its only public names, each forwarding explicitly with
the engine's signature; the SDK operations (``op_*``), the clients' cores and the
server's state stay out of reach; clients and scripted users hold the engine itself;
and the emulator and the scripted users import each other in one direction only.
"""

from __future__ import annotations

import ast
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import rtm_emulator
from rtm_emulator import ConfigError, Emulator, EmulatorConfig
from rtm_emulator._engine import Engine

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "rtm_emulator"

#: The public surface, written out: adding a name to ``Emulator`` means adding it here.
HARNESS = (
    # time
    "advance",
    "advance_to_next_event",
    "at",
    "elapsed",
    "next_timer_at",
    "now_ms",
    "pending_timers",
    "run_until",
    "run_until_idle",
    # faults
    "disconnect",
    "reconnect",
    "set_delivery_latency",
    "set_storage_reply_code",
    "set_lock_reply_code",
    "set_presence_available",
    # the console (R-TK20: an app's certificate)
    "set_app_certificate",
    # looking inside
    "check_invariants",
    "config",
    "journal",
    "journal_enabled",
    "last_seq",
    "listener_errors",
    "online_users",
    "state_of",
    "strict",
    "user_channels",
    # clients and scripted users
    "client",
    "user",
)

#: The engine's SDK operations, which an Emulator showed when it was an Engine.
ENGINE_OPERATIONS = (
    "op_login",
    "op_logout",
    "op_subscribe",
    "op_unsubscribe",
    "op_join",
    "op_leave",
    "op_who_now",
    "op_where_now",
    "op_get_state",
    "op_set_state",
    "op_remove_state",
    "add_listener",
    "remove_listener",
)
#: Its state and helpers (which may move between the engine's rooms; none is on an emulator).
ENGINE_STATE = ("_new_core", "_cores", "_server", "_clock", "_bus", "_faults", "_waiters")


def public(names: list[str]) -> list[str]:
    return sorted(name for name in names if not name.startswith("_"))


def test_public_names_are_exactly_the_harness_verbs() -> None:
    emu = Emulator()
    assert sorted(HARNESS) == public(dir(Emulator))
    assert sorted(HARNESS) == public(dir(emu))


def test_engine_internals_are_not_reachable_from_an_emulator() -> None:
    emu = Emulator(strict=True)
    assert not isinstance(emu, Engine)
    assert Engine not in type(emu).__mro__
    for name in ENGINE_OPERATIONS:
        assert hasattr(emu._engine, name), name  # the list names real engine methods
        assert not hasattr(emu, name), name
    for name in ENGINE_STATE:
        assert not hasattr(emu, name), name
    # whatever the engine grows: none of its names but the harness verbs is on the emulator
    engine_names = {name for name in dir(emu._engine) if not name.startswith("__")}
    leaked = sorted(name for name in engine_names - set(HARNESS) if hasattr(emu, name))
    assert [] == leaked


def test_no_public_attribute_can_be_added_or_replaced() -> None:
    emu = Emulator()
    with pytest.raises(AttributeError):
        emu.op_login = None  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        emu.journal = emu.journal  # type: ignore[misc]
    assert sorted(HARNESS) == public(dir(emu))


def _members(cls: type, name: str) -> object:
    return inspect.getattr_static(cls, name)


@pytest.mark.parametrize("name", [n for n in HARNESS if hasattr(Engine, n)])
def test_a_forwarded_verb_keeps_the_engines_signature(name: str) -> None:
    ours, theirs = _members(Emulator, name), _members(Engine, name)
    if isinstance(theirs, property):
        assert isinstance(ours, property), name
        assert ours.fset is None, name  # read-only, as before
        assert inspect.signature(theirs.fget).return_annotation == (  # type: ignore[arg-type]
            inspect.signature(ours.fget).return_annotation  # type: ignore[arg-type]
        )
    else:
        assert callable(ours) and not isinstance(ours, property), name
        assert inspect.signature(theirs) == inspect.signature(ours)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", HARNESS)
def test_every_verb_has_a_docstring_and_methods_say_what_they_raise(name: str) -> None:
    member = _members(Emulator, name)
    doc = inspect.getdoc(member)
    assert doc and doc.strip(), name
    if not isinstance(member, property):
        assert "Raises" in doc, name


def test_the_journal_attribute_was_a_plain_attribute_and_is_now_the_engines() -> None:
    emu = Emulator()
    assert emu.journal is emu._engine.journal
    assert emu.journal_enabled is True
    assert Emulator(journal=False).journal_enabled is False


def test_documented_emulator_names_are_harness_verbs() -> None:
    """Every ``emu.<name>`` (and fixture ``rtm_emulator.<name>``) in the docs exists."""
    docs = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
    docs += sorted((ROOT / "docs" / "examples").glob("*.py"))
    modules = {m.name for m in pkgutil.iter_modules(rtm_emulator.__path__)}
    used: dict[str, str] = {}
    for path in docs:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\b(?:emu|rtm_emulator)\.([A-Za-z_]\w*)", text):
            name = match.group(1)
            if match.group(0).startswith("rtm_emulator.") and (
                name in modules or hasattr(rtm_emulator, name)
            ):
                continue  # the package's module or name, not the fixture
            used.setdefault(name, path.name)
    assert "user" in used and "advance" in used  # the scan sees the docs' calls
    assert {} == {name: where for name, where in used.items() if name not in HARNESS}


def test_strict_mode_runs_the_emulators_own_check() -> None:
    """``strict=True`` runs ``emu.check_invariants()`` (so a subclass's check runs too)."""
    calls: list[int] = []

    class Checked(Emulator):
        __slots__ = ()

        def check_invariants(self) -> None:
            calls.append(self.now_ms)
            super().check_invariants()

    emu = Checked(strict=True)
    emu.user("bob").subscribe("room")
    assert len(calls) >= 2  # after the login, after the subscribe
    before = len(calls)
    Checked().user("bob").subscribe("room")  # not strict: no check
    assert before == len(calls)


def test_clients_and_scripted_users_hold_the_engine_directly() -> None:
    """No hop through the emulator on an SDK call: the client's engine is the engine."""
    emu = Emulator()
    client = emu.client("alice")
    assert client._engine is emu._engine
    assert client.presence._engine is emu._engine
    handle = emu.user("bob")
    assert handle._network is emu._engine
    assert handle.client._engine is emu._engine
    handle.subscribe("room").disconnect()
    assert ["bob"] == emu.online_users("room", "MESSAGE")
    assert "DISCONNECTED" == handle.link_state.value


def test_a_bad_config_is_still_refused_by_the_constructor() -> None:
    with pytest.raises(ConfigError, match="config must be an EmulatorConfig"):
        Emulator({"debounce": 0})  # type: ignore[arg-type]
    assert 0 == Emulator(EmulatorConfig(debounce=0)).config.debounce


# ------------------------------------------------------------- import graph


def _module_of(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, known: set[str], root: Path = ROOT) -> set[str]:
    """The package modules ``path`` imports, at run time or under ``TYPE_CHECKING``."""
    here = _module_of(path, root)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {name for name in found if name in known and name != here}


def _graph() -> dict[str, set[str]]:
    files = {_module_of(p, ROOT): p for p in sorted(PACKAGE.rglob("*.py"))}
    known = set(files)
    return {name: _imports(path, known) for name, path in files.items()}


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_no_import_cycle_through_the_emulator() -> None:
    graph = _graph()
    assert "rtm_emulator._scripting" in graph["rtm_emulator._emulator"]  # the scan sees it
    assert "rtm_emulator._emulator" not in _reachable(graph, "rtm_emulator._scripting")
    assert "rtm_emulator._emulator" not in _reachable(graph, "rtm_emulator._emulator")


def test_the_import_scan_sees_a_cycle_when_there_is_one(tmp_path: Path) -> None:
    """The scan is not vacuous: a ``TYPE_CHECKING`` import back is an edge."""
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ._emulator import X\n"
    path = PACKAGE / "_scripting.py"
    known = {"rtm_emulator._emulator", "rtm_emulator._scripting"}
    fake = tmp_path / "rtm_emulator" / "_scripting.py"
    fake.parent.mkdir()
    fake.write_text(source, encoding="utf-8")
    assert {"rtm_emulator._emulator"} == _imports(fake, known, tmp_path)
    assert "rtm_emulator._emulator" not in _imports(path, known)
