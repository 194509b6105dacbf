"""Docs stay true: generated sections match the code, every rule is tested by its id."""

from __future__ import annotations

import os
import re
from pathlib import Path

from rtm_emulator._link import render_markdown

ROOT = Path(__file__).resolve().parents[2]
SEMANTICS = ROOT / "docs" / "semantics.md"
START, END = "<!-- link-table:start -->\n", "<!-- link-table:end -->"
#: the team's shared folder beside a clone (spelled in two parts so this file does not match)
SHARED = "../" + "shared"
RULE_ROW = re.compile(r"^\| (R-[A-Z]\d+) \|", re.MULTILINE)


def _rules() -> list[str]:
    return RULE_ROW.findall(SEMANTICS.read_text(encoding="utf-8"))


def test_link_table_in_docs_is_generated_from_the_code() -> None:
    """docs/semantics.md shows _link.STEPS as it is (UPDATE_DOCS=1 rewrites it, R-T4)."""
    text = SEMANTICS.read_text(encoding="utf-8")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    fresh = head + START + render_markdown() + END + tail
    if os.environ.get("UPDATE_DOCS") == "1":
        SEMANTICS.write_text(fresh, encoding="utf-8")
    assert fresh == text


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
        for m in re.finditer(r"^\| (R-[A-Z]\d+) \|.*\| ([^|]*\brule\b[^|]*) \|$", text, re.M)
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
