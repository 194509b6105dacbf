"""Every misuse of the command line: exit 2 and exactly one line on stderr, never a
traceback (issue 13)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rtm_emulator.cli import main
from rtm_emulator.conformance import load_scenarios

from .conftest import Misuse

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = "r-e6-quick-reentry-is-silent"
_HEAD = 'id = "x"\nrules = ["R-Q1"]\ntitle = "t"\n'

#: module source -> (name, what the line must say) for targets that cannot be used
BROKEN_MODULES = {
    "raises": (
        'raise RuntimeError("boom\\non two lines")\n',
        "raised RuntimeError: boom on two lines",
    ),
    "syntax": ("def f(:\n", "raised SyntaxError"),
    "deps": ("import cli_t_not_installed\n", "(it imports 'cli_t_not_installed')"),
    "exits": ("raise SystemExit(3)\n", "raised SystemExit: 3"),
}


class TestTarget:
    """``--target`` that cannot be imported or called, for ``conformance`` and ``run``."""

    @pytest.mark.parametrize("command", ["conformance", "run"])
    @pytest.mark.parametrize(
        ("spec", "says"),
        [
            (
                "cli_t_nosuch:factory",
                "cannot import 'cli_t_nosuch': no module named 'cli_t_nosuch'",
            ),
            ("os", "'os' is not of the form 'package.module:factory'"),
            (":factory", "is not of the form"),
            ("os:", "is not of the form"),
            ("os:cli_t_nope", "module 'os' has no attribute 'cli_t_nope'"),
            ("os:sep", "'os:sep' is not callable (type str)"),
            ("os:path.cli_t_nope", "has no attribute 'path.cli_t_nope'"),
            ("./mine.py:factory", "names a file: name a module instead (e.g. 'mine:factory'"),
        ],
    )
    def test_bad_spec(
        self, misuse: Misuse, workdir: Path, command: str, spec: str, says: str
    ) -> None:
        args = ["run", EXAMPLE] if command == "run" else ["conformance", "--rule", "R-Q5"]
        line = misuse(*args, "--target", spec)
        assert line.startswith(f"rtm-emulator {command}: --target ")
        assert says in line

    @pytest.mark.parametrize("kind", sorted(BROKEN_MODULES))
    def test_module_that_fails_to_import(self, misuse: Misuse, workdir: Path, kind: str) -> None:
        source, says = BROKEN_MODULES[kind]
        (workdir / f"cli_t_{kind}.py").write_text(source, encoding="utf-8")
        line = misuse("conformance", "--target", f"cli_t_{kind}:factory")
        assert line.startswith(f"rtm-emulator conformance: --target 'cli_t_{kind}:factory': ")
        assert says in line

    def test_a_module_in_the_current_directory_is_found(
        self, workdir: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        (workdir / "cli_t_good.py").write_text(
            "from rtm_emulator.conformance import emulator_target as factory\n", encoding="utf-8"
        )
        assert 0 == main(["conformance", "--rule", "R-Q5", "--target", "cli_t_good:factory"])
        assert capsys.readouterr().out.endswith(" passed, 0 failed, 0 skipped\n")


class TestScenarioFile:
    """``run FILE``: the file and the problem are named."""

    def test_missing(self, misuse: Misuse, workdir: Path) -> None:
        assert "rtm-emulator run: no such scenario file 'gone.toml'" == misuse("run", "gone.toml")
        assert "no such scenario file 'sub/gone'" in misuse("run", "sub/gone")

    def test_directory(self, misuse: Misuse, workdir: Path) -> None:
        (workdir / "scen").mkdir()
        assert "rtm-emulator run: 'scen' is a directory, not a scenario .toml file" == misuse(
            "run", "scen"
        )
        assert "is a directory" in misuse("run", str(workdir))

    def test_empty_argument(self, misuse: Misuse) -> None:
        assert "give a scenario id or a scenario .toml file" in misuse("run", " ")

    def test_not_utf8(self, misuse: Misuse, workdir: Path) -> None:
        (workdir / "latin.toml").write_bytes(b'id = "caf\xe9"\n')
        assert "rtm-emulator run: cannot read 'latin.toml': not UTF-8 text" == misuse(
            "run", "latin.toml"
        )

    @pytest.mark.parametrize(
        ("text", "says"),
        [
            ("id = \n", "not valid TOML"),
            ('id = "x"\ntitle = "t"\n[[step]]\ncall = "advance"\n', "needs `rules`"),
            (
                _HEAD + '[[step]]\ncall = "fly"\n',
                "'fly' is not a hook",
            ),
            (
                _HEAD + 'clients = 5\n[[step]]\ncall = "advance"\n',
                "`clients` must be a table",
            ),
            (_HEAD + "step = [1]\n", "step 1 must be a table"),
            (
                _HEAD + '[[step]]\nas = "a"\ncall = "login"\noptions = 3\n',
                "`options` must be a table",
            ),
            (
                _HEAD + '[[step]]\ncall = "advance"\n[events]\na = ["SNAPSHOT"]\n',
                "events of 'a': #1 'SNAPSHOT': each event is a list or a table",
            ),
            (
                _HEAD + '[[step]]\ncall = "advance"\n[links]\na = [{ reason = "LOGIN" }]\n',
                "a table needs a string `state`",
            ),
            (
                _HEAD + '[clients.b]\nuser = 7\n[[step]]\ncall = "advance"\n',
                "[clients.b]: `user` must be a string",
            ),
        ],
    )
    def test_invalid(self, misuse: Misuse, workdir: Path, text: str, says: str) -> None:
        (workdir / "bad.toml").write_text(text, encoding="utf-8")
        line = misuse("run", "bad.toml")
        assert line.startswith("rtm-emulator run: invalid scenario bad.toml: ")
        assert says in line


class TestOutput:
    """``run -o`` and ``conformance --report`` are checked before any work is done."""

    @pytest.mark.parametrize("flag", ["-o", "--output"])
    def test_run_output_in_a_missing_directory(
        self, misuse: Misuse, workdir: Path, flag: str
    ) -> None:
        line = misuse("run", EXAMPLE, "--format", "svg", flag, "nowhere/t.svg")
        assert (
            "rtm-emulator run: cannot write --output 'nowhere/t.svg': no such directory 'nowhere'"
            == line
        )
        assert not (workdir / "nowhere").exists()

    def test_run_output_is_a_directory(self, misuse: Misuse, workdir: Path) -> None:
        (workdir / "out").mkdir()
        assert "cannot write --output 'out': it is a directory" in misuse(
            "run", EXAMPLE, "-o", "out"
        )

    def test_report_in_a_missing_directory(self, misuse: Misuse, workdir: Path) -> None:
        line = misuse("conformance", "--report", "no/dir/r.json")
        assert (
            "rtm-emulator conformance: cannot write --report 'no/dir/r.json': "
            "no such directory 'no/dir'" == line
        )

    def test_report_is_a_directory(self, misuse: Misuse, workdir: Path) -> None:
        assert "it is a directory" in misuse("conformance", "--rule", "R-Q5", "--report", ".")

    def test_a_write_that_fails_late_is_one_line_too(
        self, misuse: Misuse, workdir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def refuse(self: Path, *args: object, **kwargs: object) -> int:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(Path, "write_text", refuse)
        line = misuse("run", EXAMPLE, "-o", "t.txt")
        assert "rtm-emulator run: cannot write --output 't.txt': Permission denied" == line


class TestServe:
    """``serve``: the port is checked before anything binds (or imports websockets)."""

    @pytest.mark.parametrize("port", ["99999", "65536", "-1"])
    def test_port_out_of_range(self, misuse: Misuse, port: str) -> None:
        assert f"rtm-emulator serve: --port must be 0..65535 (0: a free one), got {port}" == misuse(
            "serve", "--port", port
        )

    def test_port_not_a_number(self, misuse: Misuse) -> None:
        line = misuse("serve", "--port", "http")
        assert line.startswith("rtm-emulator serve: argument --port: invalid int value: 'http'")


class TestIds:
    """Unknown ids: one line with near matches, never the whole list."""

    def test_scenario_prefix(self, misuse: Misuse) -> None:
        assert f"rtm-emulator run: no scenario 'r-e6-quick'; did you mean {EXAMPLE}?" == misuse(
            "run", "r-e6-quick"
        )

    def test_scenario_typo(self, misuse: Misuse) -> None:
        line = misuse("run", "r-e6-quik-reentry-is-silent")
        assert line.startswith(
            f"rtm-emulator run: no scenario 'r-e6-quik-reentry-is-silent'; did you mean {EXAMPLE}"
        )

    def test_many_matches_are_capped_and_point_to_list(self, misuse: Misuse) -> None:
        line = misuse("run", "r-s")
        near = [s.id for s in load_scenarios() if s.id.startswith("r-s")]
        assert len(near) > 3
        assert line.count("r-s") == 4  # the word and three suggestions
        assert line.endswith(f" ({len(near)} match; 'rtm-emulator list' lists them all)")

    def test_nothing_near(self, misuse: Misuse) -> None:
        assert "rtm-emulator run: no scenario 'zzzz'; 'rtm-emulator list' shows them" == misuse(
            "run", "zzzz"
        )

    def test_a_rule_given_as_a_scenario(self, misuse: Misuse) -> None:
        assert (
            "'r-e6' is a rule, not a scenario; 'rtm-emulator list --rule R-E6' lists its scenarios"
            in misuse("run", "r-e6")
        )

    @pytest.mark.parametrize(
        "argv",
        [["explain", "R-E66"], ["conformance", "--rule", "R-E66"], ["list", "--rule", "R-E66"]],
    )
    def test_rule_typo(self, misuse: Misuse, argv: list[str]) -> None:
        assert (
            f"rtm-emulator {argv[0]}: no rule 'R-E66'; did you mean R-E6, R-Q6 or R-M6?"
            == misuse(*argv)
        )

    def test_rule_nothing_near(self, misuse: Misuse) -> None:
        assert (
            "rtm-emulator explain: no rule 'what'; 'rtm-emulator list --rules' shows them"
            == misuse("explain", "what")
        )
        assert "no rule ''" in misuse("explain", "")

    def test_a_second_bad_rule_is_caught_too(self, misuse: Misuse) -> None:
        assert "no rule 'R-Z1'" in misuse("conformance", "--rule", "R-E6", "--rule", "R-Z1")


class TestArguments:
    """argparse's own errors are one line as well (no usage block)."""

    @pytest.mark.parametrize(
        ("argv", "line"),
        [
            (
                [],
                "rtm-emulator: the following arguments are required: COMMAND "
                "(see rtm-emulator --help)",
            ),
            (["fly"], "rtm-emulator: argument COMMAND: invalid choice: 'fly'"),
            (
                ["run"],
                "rtm-emulator run: the following arguments are required: scenario "
                "(see rtm-emulator run --help)",
            ),
            (
                ["run", EXAMPLE, "--format", "pdf"],
                "rtm-emulator run: argument --format: invalid choice: 'pdf'",
            ),
            (
                ["list", "--rules", "--rule", "R-E6"],
                "rtm-emulator list: argument --rule: not allowed with argument --rules",
            ),
            (["explain", "R-E6", "extra"], "rtm-emulator: unrecognized arguments: extra"),
        ],
    )
    def test_argparse_errors(self, misuse: Misuse, argv: list[str], line: str) -> None:
        assert misuse(*argv).startswith(line)


class TestRealProcess:
    """The same through ``python -m rtm_emulator``: exit status 2, one line, no traceback."""

    @pytest.mark.parametrize(
        ("argv", "line"),
        [
            (
                ["conformance", "--target", "cli_t_nosuch:f"],
                "rtm-emulator conformance: --target 'cli_t_nosuch:f': cannot import",
            ),
            (["serve", "--port", "99999"], "rtm-emulator serve: --port must be 0..65535"),
            (["run", "missing.toml"], "rtm-emulator run: no such scenario file 'missing.toml'"),
            (["run", "r-e6-quick"], "rtm-emulator run: no scenario 'r-e6-quick'; did you mean"),
        ],
    )
    def test_one_line_and_exit_2(self, tmp_path: Path, argv: list[str], line: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "rtm_emulator", *argv],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert 2 == done.returncode
        assert "" == done.stdout
        assert "Traceback" not in done.stderr
        assert [line] == [done.stderr.splitlines()[0][: len(line)]]
        assert 1 == len(done.stderr.splitlines())
