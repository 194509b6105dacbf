"""Every row of the surface table has its adapters: Python, server, JS and typings.

tests/surface/checks.py lists what each row needs; here every row of the real table is
checked, and a row added without adapters is shown to fail each check.
"""

from __future__ import annotations

import os

import attrs
import pytest

from rtm_emulator import _surface
from rtm_emulator._surface import CONTROL, OPERATIONS, Control, ControlParam, Operation, Param
from rtm_emulator.server import METHODS
from rtm_emulator.server._control import handlers
from rtm_emulator.server._hub import _RTM_METHODS

from . import checks

OPS = {f"{row.home}.{row.sdk}": row for row in OPERATIONS}
VERBS = {row.js: row for row in CONTROL}
TYPINGS = (checks.JS / "index.d.cts").read_text(encoding="utf-8")

#: A row as someone would add it, with none of its adapters written.
NEW_ROW = Operation(
    "getLockQueue",
    "get_lock_queue",
    "rtm",
    (Param("channelName", "channel_name"), Param("channelType", "channel_type")),
    "getLockQueue",
    ("R-K1",),
    rate_key="getLock",
    wire="lock.getLockQueue",
)
NEW_VERB = Control("dropLocks", "control.dropLocks", "drop_locks", (ControlParam("a", "a", "a"),))


@pytest.fixture(scope="module")
def prototypes() -> dict[str, object]:
    return checks.js_prototypes()


@pytest.mark.parametrize("key", OPS)
def test_every_operation_has_both_python_spellings(key: str) -> None:
    assert [] == checks.python_problems(OPS[key])
    assert [] == checks.row_problems(OPS[key])


@pytest.mark.parametrize("key", OPS)
def test_every_operation_with_a_server_method_is_dispatched_by_the_hub(key: str) -> None:
    assert [] == checks.server_problems(OPS[key], METHODS, _RTM_METHODS)


@pytest.mark.parametrize("key", OPS)
def test_every_operation_has_a_js_method_and_a_typing(key: str, prototypes: dict) -> None:
    assert [] == checks.js_problems(OPS[key], prototypes)
    assert [] == checks.typing_problems(OPS[key], TYPINGS)


@pytest.mark.parametrize("js", VERBS)
def test_every_control_verb_has_its_emulator_server_and_js_method(
    js: str, prototypes: dict
) -> None:
    row = VERBS[js]
    assert [] == checks.control_problems(row, METHODS)
    assert [] == checks.js_control_problems(row, prototypes)
    assert [] == checks.control_typing_problems(row, TYPINGS)


def test_the_server_answers_exactly_the_table_and_the_session_methods() -> None:
    wires = [row.wire for row in OPERATIONS if row.wire is not None]
    control = list(dict.fromkeys(row.wire for row in CONTROL))
    first, *rest = _surface.SESSION_METHODS
    assert (first, *wires, *rest, *_surface.SDK_METHODS, *control) == METHODS


def test_the_js_client_has_no_server_method_the_table_lacks(prototypes: dict) -> None:
    """The other way round: a JS method that goes to the server is a table row."""
    local = {"channelName", "_call"}
    for home, cls in checks.JS_CLASS.items():
        rows = {row.sdk for row in OPERATIONS if row.home == home}
        assert set(prototypes[cls]) - local == rows, cls
    assert set(prototypes["EmulatorControl"]) - {"close"} == set(VERBS)
    assert list(_surface.EVENT_NAMES) == prototypes["EVENT_NAMES"]


# ------------------------------------------------- a row added without its adapters


def test_a_new_row_without_adapters_fails_every_check(prototypes: dict) -> None:
    assert ["RTMClient.get_lock_queue is missing", "RTMClient.getLockQueue is missing"] == (
        checks.python_problems(NEW_ROW)
    )
    assert [
        "lock.getLockQueue is not in server.METHODS",
        "the hub does not dispatch lock.getLockQueue from the row",
    ] == checks.server_problems(NEW_ROW, METHODS, _RTM_METHODS)
    assert ["JS RTMClient.getLockQueue is missing"] == checks.js_problems(NEW_ROW, prototypes)
    assert ["index.d.cts: RTMClient.getLockQueue is not declared"] == (
        checks.typing_problems(NEW_ROW, TYPINGS)
    )
    assert [
        "Emulator.drop_locks is missing",
        "control.dropLocks is not in server.METHODS",
    ] == checks.control_problems(NEW_VERB, METHODS)
    assert ["JS EmulatorControl.dropLocks is missing"] == (
        checks.js_control_problems(NEW_VERB, prototypes)
    )
    with pytest.raises(LookupError, match=r"Verbs\.drop_locks"):
        handlers((*CONTROL, NEW_VERB))


def test_a_changed_row_is_caught_too(prototypes: dict) -> None:
    """A parameter renamed or added in the table only: every adapter disagrees."""
    row = OPS["presence.getState"]
    renamed = attrs.evolve(row, params=(Param("user", "user"), *row.params[1:]))
    assert len(checks.python_problems(renamed)) == 2  # both spellings
    assert [
        "index.d.cts: RTMPresence.getState(userId, channelName, channelType), want "
        "['user', 'channelName', 'channelType']"
    ] == checks.typing_problems(renamed, TYPINGS)
    longer = attrs.evolve(row, params=(*row.params, Param("options", "options", False, None)))
    assert ["JS RTMPresence.getState takes 3 arguments, not 4"] == checks.js_problems(
        longer, prototypes
    )
    alias = attrs.evolve(OPS["presence.whoNow"], rate_key="getState")
    assert ["whoNow: not an alias of 'getOnlineUsers' on presence"] == checks.row_problems(alias)


def test_the_js_client_builds_its_server_methods_from_the_manifest(tmp_path) -> None:
    """A row added to the manifest is a JS method at once (the dispatch is not written out)."""
    for source in [*checks.JS.glob("*.cjs"), *checks.JS.glob("lib/*.cjs")]:
        copy = tmp_path / source.relative_to(checks.JS)
        copy.parent.mkdir(exist_ok=True)
        copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    manifest = _surface.manifest()
    presence = attrs.evolve(NEW_ROW, home="presence", wire="presence.getLock")
    manifest["operations"].append(_surface._operation_json(presence))
    manifest["control"].append(_surface._control_json(NEW_VERB))
    import json

    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    built = checks.js_prototypes(tmp_path / "index.cjs")
    assert [] == checks.js_problems(presence, built)
    assert [] == checks.js_control_problems(NEW_VERB, built)


# -------------------------------------------------------------------- the manifest


def test_the_manifest_is_fresh() -> None:
    """clients/js/manifest.json is the table (UPDATE_MANIFEST=1 rewrites it)."""
    path = _surface.MANIFEST_PATH
    if os.environ.get("UPDATE_MANIFEST") == "1":
        assert 0 == _surface.main(["--manifest", str(path)])
    assert _surface.manifest_text() == path.read_text(encoding="utf-8"), (
        "clients/js/manifest.json is stale: python3 -m rtm_emulator._surface --manifest"
    )


def test_the_manifest_ships_in_the_package() -> None:
    import json

    pkg = json.loads((checks.JS / "package.json").read_text(encoding="utf-8"))
    assert "manifest.json" in pkg["files"]


def test_the_manifest_command_writes_the_file(tmp_path, capsys) -> None:
    out = tmp_path / "m.json"
    assert 0 == _surface.main(["--manifest", str(out)])
    assert out.read_text(encoding="utf-8") == _surface.manifest_text()
    assert 0 == _surface.main([])
    assert capsys.readouterr().out.endswith(_surface.manifest_text())


def test_lookups_by_name_raise_for_unknown_names() -> None:
    assert _surface.operation("join").home == "stream"
    assert _surface.operation("whoNow", "presence").alias_of == "getOnlineUsers"
    with pytest.raises(KeyError, match="getLockQueue"):
        _surface.operation("getLockQueue")
    with pytest.raises(KeyError, match="whoNow"):
        _surface.operation("whoNow", "rtm")
    assert _surface.control("now").result == "nowMs"
    with pytest.raises(KeyError, match="dropLocks"):
        _surface.control("dropLocks")
