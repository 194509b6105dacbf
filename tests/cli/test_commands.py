"""``--version``, ``list``, and a target factory that raises: it fails its scenarios and
the suite goes on (issue 13)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import rtm_emulator
import rtm_emulator.conformance
from rtm_emulator.cli import main
from rtm_emulator.conformance import load_rules, load_scenarios

SCENARIOS = load_scenarios()
EXAMPLE = "r-e6-quick-reentry-is-silent"


class TestVersion:
    def test_prints_the_package_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert 0 == main(["--version"])
        assert ("rtm-emulator 0.1.0\n", "") == capsys.readouterr()
        assert "0.1.0" == rtm_emulator.__version__

    def test_in_a_real_process(self) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "rtm_emulator", "--version"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert (0, f"rtm-emulator {rtm_emulator.__version__}\n", "") == (
            done.returncode,
            done.stdout,
            done.stderr,
        )

    def test_help_exits_0(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert 0 == main(["--help"])
        out = capsys.readouterr().out
        assert "--version" in out and "list" in out


class TestList:
    def test_every_scenario_with_its_rules_and_title(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert 0 == main(["list"])
        lines = capsys.readouterr().out.splitlines()
        assert [s.id for s in SCENARIOS] == [line.split()[0] for line in lines]
        for scenario, line in zip(SCENARIOS, lines, strict=True):
            assert re.fullmatch(
                rf"{re.escape(scenario.id)} +{re.escape(', '.join(scenario.rules))} +"
                rf"{re.escape(scenario.title)}",
                line,
            ), line

    @pytest.mark.parametrize("spelling", ["R-E6", "r-e6", "E6"])
    def test_filter_by_rule(self, capsys: pytest.CaptureFixture[str], spelling: str) -> None:
        assert 0 == main(["list", "--rule", spelling])
        ids = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
        assert [s.id for s in SCENARIOS if "R-E6" in s.rules] == ids
        assert EXAMPLE in ids

    def test_two_rules(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert 0 == main(["list", "--rule", "R-E8", "--rule", "R-C6"])
        ids = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
        assert [s.id for s in SCENARIOS if {"R-E8", "R-C6"} & set(s.rules)] == ids

    def test_rules(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert 0 == main(["list", "--rules"])
        lines = capsys.readouterr().out.splitlines()
        rules = load_rules()
        assert list(rules) == [line.split()[0] for line in lines]
        e6 = next(line for line in lines if line.startswith("R-E6 "))
        assert re.fullmatch(r"R-E6 +\[rule, docs\] +" + re.escape(rules["R-E6"].text), e6)


def _write_factory(folder: Path, name: str, body: str) -> str:
    (folder / f"{name}.py").write_text(
        "from rtm_emulator.conformance import emulator_target\n\n\ndef factory(config):\n" + body,
        encoding="utf-8",
    )
    return f"{name}:factory"


class TestRaisingFactory:
    """A factory that raises fails the scenario it was called for; the others run."""

    def test_always_raising_fails_every_scenario(
        self, workdir: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        spec = _write_factory(workdir, "cli_t_always", '    raise ValueError("no can do")\n')
        assert 1 == main(["conformance", "--rule", "R-Q5", "--target", spec, "--report", "r.json"])
        out, err = capsys.readouterr()
        expected = [s.id for s in SCENARIOS if "R-Q5" in s.rules]
        assert f"0 passed, {len(expected)} failed, 0 skipped" == out.splitlines()[-1]
        assert len(expected) == out.count("target factory raised ValueError: no can do")
        assert "" == err
        report = json.loads((workdir / "r.json").read_text(encoding="utf-8"))
        assert expected == [row["id"] for row in report["scenarios"]]
        assert {("failed", ("target factory raised ValueError: no can do",))} == {
            (row["status"], tuple(row["failures"])) for row in report["scenarios"]
        }

    def test_raising_for_some_configs_leaves_the_rest_running(
        self, workdir: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        spec = _write_factory(
            workdir,
            "cli_t_some",
            '    if "debounce" in config:\n'
            "        raise RuntimeError(f\"debounce {config['debounce']}\")\n"
            "    return emulator_target(config)\n",
        )
        assert 1 == main(["conformance", "--rule", "R-E6", "--target", spec])
        out = capsys.readouterr().out
        chosen = [s for s in SCENARIOS if "R-E6" in s.rules]
        raising = [s for s in chosen if "debounce" in s.config]
        assert raising and len(raising) < len(chosen)
        for s in raising:
            assert re.search(
                rf"^failed +{re.escape(s.id)} .*\n +target factory raised RuntimeError: "
                rf"debounce {s.config['debounce']}$",
                out,
                re.M,
            )
        passed = len(chosen) - len(raising)
        assert f"{passed} passed, {len(raising)} failed, 0 skipped" == out.splitlines()[-1]

    def test_returning_none_fails(self, workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        spec = _write_factory(workdir, "cli_t_none", "    return None\n")
        assert 1 == main(["run", EXAMPLE, "--target", spec, "--format", "json"])
        data = json.loads(capsys.readouterr().out)
        assert ("failed", ["target factory returned None"]) == (data["status"], data["failures"])

    def test_run_shows_the_failure(self, workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        spec = _write_factory(workdir, "cli_t_run", "    raise KeyError('world')\n")
        assert 1 == main(["run", EXAMPLE, "--target", spec])
        out, err = capsys.readouterr()
        assert "target factory raised KeyError: 'world'" in out
        assert "" == err

    def test_in_a_real_process(self, tmp_path: Path) -> None:
        spec = _write_factory(tmp_path, "cli_t_proc", '    raise OSError("service down")\n')
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "rtm_emulator",
                "conformance",
                "--rule",
                "R-T1",
                "--target",
                spec,
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        n = sum("R-T1" in s.rules for s in SCENARIOS)
        assert (1, "") == (done.returncode, done.stderr)
        assert f"0 passed, {n} failed, 0 skipped" == done.stdout.splitlines()[-1]
        assert n == done.stdout.count("target factory raised OSError: service down")


class TestRobustness:
    """Interrupts, closed pipes and the kit's own bugs stay one line."""

    def test_interrupt(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        def stop(*args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(rtm_emulator.conformance, "run_suite", stop)
        assert 130 == main(["conformance"])
        assert "rtm-emulator conformance: interrupted\n" == capsys.readouterr().err

    def test_unexpected_error_is_one_line_unless_asked(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("kit bug")

        monkeypatch.setattr(rtm_emulator.conformance, "run_suite", broken)
        monkeypatch.delenv("RTM_EMULATOR_TRACEBACK", raising=False)
        assert 1 == main(["conformance"])
        err = capsys.readouterr().err
        assert err.startswith("rtm-emulator conformance: unexpected RuntimeError: kit bug (")
        assert 1 == len(err.splitlines())
        monkeypatch.setenv("RTM_EMULATOR_TRACEBACK", "1")
        with pytest.raises(RuntimeError, match="kit bug"):
            main(["conformance"])

    def test_a_closed_pipe_is_quiet(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        class Closed:
            def write(self, text: str) -> int:
                raise BrokenPipeError(32, "Broken pipe")

            def flush(self) -> None:
                raise BrokenPipeError(32, "Broken pipe")

        monkeypatch.setattr(sys, "stdout", Closed())
        assert 0 == main(["list"])
        assert "" == capsys.readouterr().err
