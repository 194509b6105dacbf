"""Docs stay true: generated sections match the code, every rule is tested by its id."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from rtm_emulator import Emulator, EmulatorConfig, RTMClient
from rtm_emulator._lifecycle import TRANSITIONS, Doc
from rtm_emulator._lifecycle import render_markdown as render_lifecycle
from rtm_emulator._link import render_markdown
from rtm_emulator.testing import drive

ROOT = Path(__file__).resolve().parents[2]
SEMANTICS = ROOT / "docs" / "semantics.md"
#: each generated section of docs/semantics.md: its marker name and what renders it
GENERATED: dict[str, Callable[[], str]] = {
    "link-table": render_markdown,
    "lifecycle-table": render_lifecycle,
}
#: the team's shared folder beside a clone (spelled in two parts so this file does not match)
SHARED = "../" + "shared"
RULE_ROW = re.compile(r"^\| (R-[A-Z]+\d+) \|", re.MULTILINE)


def _rules() -> list[str]:
    return RULE_ROW.findall(SEMANTICS.read_text(encoding="utf-8"))


@pytest.mark.parametrize("marker", list(GENERATED))
def test_tables_in_docs_are_generated_from_the_code(marker: str) -> None:
    """docs/semantics.md shows _link.STEPS (R-T4) and _lifecycle.TRANSITIONS (R-L1, R-E6)
    as they are (UPDATE_DOCS=1 rewrites them)."""
    start, end = f"<!-- {marker}:start -->\n", f"<!-- {marker}:end -->"
    text = SEMANTICS.read_text(encoding="utf-8")
    head, rest = text.split(start)
    _, tail = rest.split(end)
    fresh = head + start + GENERATED[marker]() + end + tail
    if os.environ.get("UPDATE_DOCS") == "1":
        SEMANTICS.write_text(fresh, encoding="utf-8")
    assert fresh == text


# ------------------------------------------------- the lifecycle table is the engine's

VISIBLE, QUIET = {"beQuiet": False}, {"beQuiet": True}


class Member:
    """One member ``m`` of channel ``room`` watched by ``w``: drives a lifecycle row."""

    def __init__(self, debounce: float = 2.0) -> None:
        self.emu = Emulator(EmulatorConfig(debounce=debounce), strict=True)
        watcher = self.emu.client("w")
        drive(watcher.login())
        drive(watcher.subscribe("room"))
        self.client = self.client_of()

    def client_of(self) -> RTMClient:
        client = self.emu.client("m")
        drive(client.login())
        return client

    def enter(self, options: dict[str, bool]) -> None:
        drive(self.client.subscribe("room", options))

    def leave(self) -> None:
        drive(self.client.unsubscribe("room"))

    def doc(self) -> Doc:
        """Where m's document is, from what the harness shows."""
        if "m" not in self.emu.online_users("room", "MESSAGE"):
            return Doc.ABSENT
        return Doc.PRESENT if self.emu.user_channels("m") else Doc.LINGERING

    def heard(self, since: int) -> list[str]:
        """The presence events w got about m since journal entry ``since``."""
        return [
            entry.event.event_type.value
            for entry in self.emu.journal.entries[since:]
            if entry.recipient == "w"
            and entry.kind == "presence"
            and getattr(entry.event, "publisher", "") == "m"
        ]


def _kick(m: Member) -> None:
    m.client_of()


def _timeout(m: Member) -> None:
    m.emu.advance(m.client.config.timeout_ms / 1000 + 1)


#: per row: (how m gets to the row's "before", the options it has there, the trigger)
ROWS: dict[str, tuple[Callable[[Member], None], Callable[[Member], None]]] = {
    "enter": (lambda m: None, lambda m: m.enter(VISIBLE)),
    "enter_quiet": (lambda m: None, lambda m: m.enter(QUIET)),
    "reenter": (lambda m: (m.enter(VISIBLE), m.leave()), lambda m: m.enter(VISIBLE)),
    "reenter_quiet": (lambda m: (m.enter(VISIBLE), m.leave()), lambda m: m.enter(QUIET)),
    "go_quiet": (lambda m: m.enter(VISIBLE), lambda m: m.enter(QUIET)),
    "go_visible": (lambda m: m.enter(QUIET), lambda m: m.enter(VISIBLE)),
    "leave": (lambda m: m.enter(VISIBLE), lambda m: m.leave()),
    "kicked": (lambda m: m.enter(VISIBLE), _kick),
    "debounce_ends": (lambda m: (m.enter(VISIBLE), m.leave()), lambda m: m.emu.advance(2)),
    "leave_undebounced": (lambda m: m.enter(VISIBLE), lambda m: m.leave()),
    "timeout": (lambda m: (m.enter(VISIBLE), m.emu.disconnect("m")), _timeout),
    "leave_quiet": (lambda m: m.enter(QUIET), lambda m: m.leave()),
}


def test_every_lifecycle_row_is_driven() -> None:
    assert list(TRANSITIONS) == list(ROWS)


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_the_engine_makes_each_lifecycle_transition(name: str) -> None:
    """_lifecycle.TRANSITIONS is what the server does to the document and what the
    listeners hear (R-L1, R-E1, R-E2, R-E4, R-E6, R-T2)."""
    row = TRANSITIONS[name]
    m = Member(debounce=0 if name == "leave_undebounced" else 2.0)
    setup, trigger = ROWS[name]
    setup(m)
    if name == "timeout":  # the loss itself is no transition: the server waits
        assert Doc.PRESENT == m.doc()
        m.emu.advance(m.client.config.heartbeat_ms / 1000 + 10)
    assert row.before == m.doc()
    since = len(m.emu.journal.entries)
    trigger(m)
    assert row.after == m.doc()
    assert ([] if row.event is None else [row.event.value]) == m.heard(since)


def test_the_rules_are_the_revision_2_families() -> None:
    """Every family is there, each id once, in order."""
    rules = _rules()
    assert len(rules) == len(set(rules)), rules
    expected = (
        [f"R-C{i}" for i in range(1, 7)]
        + [f"R-Q{i}" for i in range(1, 8)]
        + [f"R-S{i}" for i in range(1, 6)]
        + [f"R-L{i}" for i in range(1, 6)]
        + [f"R-E{i}" for i in range(1, 10)]
        + [f"R-T{i}" for i in range(1, 5)]
        + [f"R-X{i}" for i in range(1, 4)]
        + [f"R-M{i}" for i in range(1, 25)]
        + [f"R-ST{i}" for i in range(1, 21)]
        + [f"R-LK{i}" for i in range(1, 23)]
        # tokens: the research's R-TK5 (revoked permissions) is not emulated, so no rule
        + [f"R-TK{i}" for i in (1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13)]
        + [f"R-TK{i}" for i in range(20, 28)]
    )
    assert expected == rules


def test_every_rule_is_named_by_a_test() -> None:
    """Each rule id of docs/semantics.md appears in at least one Python test file."""
    text = "\n".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "tests").rglob("test_*.py")
    )
    spelled = {rule: (rule, rule.replace("-", "_").lower()) for rule in _rules()}
    missing = [r for r, names in spelled.items() if not any(n in text for n in names)]
    assert [] == missing


def test_every_rule_decision_is_in_the_decisions_doc() -> None:
    """A rule whose source includes the emulator's own decision is explained there."""
    decisions = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    text = SEMANTICS.read_text(encoding="utf-8")
    ruled = [
        m.group(1)
        for m in re.finditer(r"^\| (R-[A-Z]+\d+) \|.*\| ([^|]*\brule\b[^|]*) \|$", text, re.M)
    ]
    assert len(ruled) >= 10, ruled
    assert [] == [r for r in ruled if r not in decisions]


def test_the_project_stands_alone() -> None:
    """Nothing shipped points at the team's shared folder, which users do not have."""
    hits = []
    for folder in ("docs", "rtm_emulator", "clients/js", "tests"):
        for path in (ROOT / folder).rglob("*"):
            if "node_modules" in path.parts or not path.is_file():
                continue
            if path.suffix not in {".md", ".py", ".js", ".ts", ".toml", ".json", ".mjs", ".cjs"}:
                continue
            if path == Path(__file__):
                continue
            if SHARED in path.read_text(encoding="utf-8", errors="replace"):
                hits.append(str(path.relative_to(ROOT)))
    assert [] == hits
