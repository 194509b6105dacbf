"""Docs stay true: generated sections match the code, decisions cover every rule choice."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from rtm_emulator._lifecycle import render_markdown

ROOT = Path(__file__).resolve().parents[2]
START, END = "<!-- lifecycle-table:start -->\n", "<!-- lifecycle-table:end -->"


def test_lifecycle_table_in_docs_is_generated_from_the_code() -> None:
    """docs/semantics.md shows TRANSITIONS as it is (UPDATE_DOCS=1 rewrites it)."""
    path = ROOT / "docs" / "semantics.md"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    fresh = head + START + render_markdown() + END + tail
    if os.environ.get("UPDATE_DOCS") == "1":
        path.write_text(fresh, encoding="utf-8")
    assert fresh == text


def test_every_rule_sourced_item_of_the_spec_is_listed_as_a_decision() -> None:
    """semantics.md asks that every [rule] item be listed in the project's docs."""
    spec = ROOT.parent / "shared" / "spec" / "semantics.md"
    if not spec.exists():
        pytest.skip(f"the spec is not beside this clone ({spec})")
    decisions = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    semantics = (ROOT / "docs" / "semantics.md").read_text(encoding="utf-8")
    items: list[str] = []
    for line in spec.read_text(encoding="utf-8").splitlines():
        if line.startswith("- "):
            items.append(line)
        elif line.startswith("  ") and items:
            items[-1] += " " + line.strip()
    rule_ids = set()
    for item in items:
        match = re.match(r"- (R-[A-Z]\d+) ", item)
        if match and ("[rule" in item or "rule]" in item):
            rule_ids.add(match.group(1))
    assert len(rule_ids) >= 10, sorted(rule_ids)
    assert [] == sorted(r for r in rule_ids if r not in decisions)
    assert [] == sorted(r for r in rule_ids if f"| {r} |" not in semantics)
