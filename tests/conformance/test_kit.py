"""The conformance kit: scenarios pass on the emulator, fail on a wrong target, render.

Generated artefacts (``docs/conformance.md``, ``docs/diagrams/*``, the shipped rules
table) are compared with a fresh run; ``UPDATE_DOCS=1`` rewrites them.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rtm_emulator.cli import main
from rtm_emulator.conformance import (
    load_rules,
    load_scenario,
    load_scenarios,
    render,
    run_scenario,
    run_suite,
)
from rtm_emulator.conformance._docs import render_conformance_doc

from .toy_target import toy_target

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = load_scenarios()
EXAMPLE = "r-e6-quick-reentry-is-silent"


def _fresh(path: Path, text: str) -> None:
    """Assert ``path`` holds ``text`` (or write it when UPDATE_DOCS=1)."""
    if os.environ.get("UPDATE_DOCS") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_DOCS=1"
    assert text == path.read_text(encoding="utf-8"), f"{path} is stale: run with UPDATE_DOCS=1"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_every_scenario_passes_on_the_emulator(scenario: object) -> None:
    result = run_scenario(scenario)  # type: ignore[arg-type]
    assert ("passed", ()) == (result.status, result.failures)


class TestCoverage:
    """Every rule of the spec has a scenario; generated docs are fresh."""

    def test_every_rule_has_a_scenario(self) -> None:
        covered = {rule for s in SCENARIOS for rule in s.rules}
        assert [] == [rule for rule in load_rules() if rule not in covered]

    def test_every_rule_id_in_docs_semantics_has_a_scenario(self) -> None:
        text = (ROOT / "docs" / "semantics.md").read_text(encoding="utf-8")
        mentioned = set(re.findall(r"R-[QSLET]\d+", text))
        covered = {rule for s in SCENARIOS for rule in s.rules}
        assert [] == sorted(mentioned - covered)

    def test_scenario_rules_exist(self) -> None:
        rules = load_rules()
        assert [] == [(s.id, r) for s in SCENARIOS for r in s.rules if r not in rules]

    def test_scenario_ids_match_file_names(self) -> None:
        folder = ROOT / "rtm_emulator" / "conformance" / "scenarios"
        assert sorted(p.stem for p in folder.glob("*.toml")) == [s.id for s in SCENARIOS]

    def test_docs_conformance_is_generated_from_a_run(self) -> None:
        doc = render_conformance_doc(run_suite(SCENARIOS), load_rules())
        _fresh(ROOT / "docs" / "conformance.md", doc)

    def test_shipped_rules_match_the_spec(self) -> None:
        spec = ROOT.parent / "shared" / "spec" / "semantics.md"
        if not spec.exists():
            pytest.skip("the spec is not beside this clone")
        items: list[str] = []
        for line in spec.read_text(encoding="utf-8").splitlines():
            if line.startswith("- "):
                items.append(line[2:])
            elif line.startswith("  ") and items:
                items[-1] += " " + line.strip()
        texts = {}
        for item in items:
            match = re.match(r"(R-[A-Z]\d+) (.*)", item)
            if match:
                texts[match.group(1)] = match.group(2)
        assert texts == {rule.id: rule.text for rule in load_rules().values()}


class TestWrongTarget:
    """A deliberately wrong implementation fails the scenarios of the rules it breaks."""

    def test_toy_fails_the_rules_it_breaks_and_skips_missing_hooks(self) -> None:
        suite = run_suite(SCENARIOS, toy_target)
        status = {r.scenario.id: r.status for r in suite.results}
        assert "failed" == status[EXAMPLE]  # no debounce, own REMOTE_JOIN
        assert "failed" == status["seed-setstate-sample"]  # boolean value accepted
        assert "failed" == status["r-q2-code-point-order-and-page-size"]  # join order
        needs_network = [s.id for s in SCENARIOS if "disconnect" in s.hooks]
        assert needs_network
        assert {"skipped"} == {status[sid] for sid in needs_network}
        assert not suite.ok

    def test_cli_exits_non_zero_and_names_the_failures(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code = main(["conformance", "--target", "tests.conformance.toy_target:toy_target"])
        out = capsys.readouterr().out
        assert 1 == code
        assert re.search(rf"failed\s+{EXAMPLE}", out)
        assert re.search(r"^\d+ passed, [1-9]\d* failed, \d+ skipped$", out, re.M)


class TestCli:
    """``rtm-emulator run | conformance | explain``."""

    def test_conformance_passes_and_writes_a_report(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        report = tmp_path / "report.json"
        assert 0 == main(["conformance", "--report", str(report)])
        out = capsys.readouterr().out
        assert f"{len(SCENARIOS)} passed, 0 failed, 0 skipped" == out.strip().splitlines()[-1]
        data = json.loads(report.read_text())
        assert {"passed": len(SCENARIOS), "failed": 0, "skipped": 0} == data["summary"]

    def test_conformance_filters_by_rule(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert 0 == main(["conformance", "--rule", "R-E6"])
        lines = capsys.readouterr().out.strip().splitlines()
        expected = [s.id for s in SCENARIOS if "R-E6" in s.rules]
        assert len(expected) == len(lines) - 1
        assert all(any(sid in line for line in lines) for sid in expected)

    def test_explain(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert 0 == main(["explain", "r-e6"])
        out = capsys.readouterr().out
        assert out.startswith("R-E6  [docs, rule]")
        assert EXAMPLE in out
        assert 2 == main(["explain", "R-X9"])

    def test_run_unknown_scenario(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert 2 == main(["run", "no-such-scenario"])
        assert EXAMPLE in capsys.readouterr().err

    def test_run_a_scenario_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "mine.toml"
        path.write_text(
            'id = "mine"\nrules = ["R-L3"]\ntitle = "login twice"\n'
            '[[step]]\nas = "a"\ncall = "login"\n[[step]]\nas = "a"\ncall = "login"\n'
            '[links]\na = ["CONNECTING", "CONNECTED"]\n'
        )
        assert 0 == main(["run", str(path)])
        assert "status: passed" in capsys.readouterr().out


class TestFormats:
    """Every output format of ``run``; the committed examples are regenerated."""

    @pytest.fixture(scope="class")
    @classmethod
    def result(cls):  # type: ignore[no-untyped-def]
        return run_scenario(next(s for s in SCENARIOS if s.id == EXAMPLE))

    def test_text_is_a_per_channel_timeline(self, result) -> None:  # type: ignore[no-untyped-def]
        text = render(result, "text")
        assert text.startswith(f"{EXAMPLE}: ")
        assert "\nroom (MESSAGE)\n" in text
        assert "+3.990s    -> alice    REMOTE_LEAVE bob" in text

    def test_json_round_trips(self, result) -> None:  # type: ignore[no-untyped-def]
        data = json.loads(render(result, "json"))
        assert (EXAMPLE, "passed") == (data["id"], data["status"])
        assert {"kind", "actor", "text", "atMs", "channel", "outcome", "ok"} == set(
            data["records"][0]
        )

    def test_mermaid_sequence_diagram(self, result) -> None:  # type: ignore[no-untyped-def]
        text = render(result, "mermaid")
        assert text.startswith("sequenceDiagram\n")
        assert "    RTM-->>alice: REMOTE_LEAVE bob\n" in text
        _fresh(ROOT / "docs" / "diagrams" / f"{EXAMPLE}.mmd", text)

    def test_svg_is_standalone_xml(self, result) -> None:  # type: ignore[no-untyped-def]
        text = render(result, "svg")
        root = ET.fromstring(text)
        assert root.tag.endswith("svg")
        assert any("REMOTE_LEAVE bob" in (el.text or "") for el in root.iter())
        _fresh(ROOT / "docs" / "diagrams" / f"{EXAMPLE}.svg", text)

    def test_unknown_format(self, result) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ValueError, match="pdf"):
            render(result, "pdf")


class TestScenarioFormat:
    """Malformed scenario files are rejected with the file and field named."""

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ('rules = ["R-Q1"]\ntitle = "t"\n[[step]]\ncall = "advance"', "`id`"),
            ('id = "x"\ntitle = "t"\n[[step]]\ncall = "advance"', "`rules`"),
            ('id = "x"\nrules = ["R-Q1"]\ntitle = "t"', "step"),
            ('id = "x"\nrules = ["R-Q1"]\ntitle = "t"\n[[step]]\ncall = "fly"', "hook"),
            ('id = "x"\nrules = ["R-Q1"]\ntitle = "t"\n[[step]]\nas = "a"\ncall = "fly"', "fly"),
            (
                'id = "x"\nrules = ["R-Q1"]\ntitle = "t"\nextra = 1\n[[step]]\ncall = "advance"',
                "extra",
            ),
            ("id = ", "TOML"),
        ],
    )
    def test_bad_files(self, text: str, message: str) -> None:
        with pytest.raises(ValueError, match=re.escape(message)) as info:
            load_scenario(text, "bad.toml")
        assert "bad.toml" in str(info.value)


class TestTerminal:
    """Colours only on a terminal that wants them; progress only on a terminal."""

    class _Tty:
        def isatty(self) -> bool:
            return True

    def test_colours_on_a_tty_unless_no_color(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from rtm_emulator.cli import _Style

        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.setenv("TERM", "xterm")
        assert "\033[31;1mfailed\033[0m" == _Style(self._Tty())("failed", "failed")  # type: ignore[arg-type]
        monkeypatch.setenv("NO_COLOR", "1")
        assert "failed" == _Style(self._Tty())("failed", "failed")  # type: ignore[arg-type]

    def test_no_colours_when_piped(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert 0 == main(["conformance", "--rule", "R-T1"])
        captured = capsys.readouterr()
        assert "\033[" not in captured.out
        assert "" == captured.err
