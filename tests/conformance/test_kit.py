"""The conformance kit: scenarios pass on the emulator, fail on a wrong target, render.

Generated artefacts (``docs/conformance.md``, ``docs/diagrams/*``, the shipped rules
table) are compared with a fresh run; ``UPDATE_DOCS=1`` rewrites them.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import attrs
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
from rtm_emulator.conformance._scenario import literal

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
        mentioned = set(re.findall(r"\bR-[A-Z]+\d+\b", text))
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
        """rules.toml lists exactly the rules of docs/semantics.md, in its order, citing the
        same kinds of source.

        The texts are the kit's own one-line statements, so only ids and the kinds of
        source (``runtime``, ``rule (order)`` -> ``rule`` ...) are compared.
        """
        spec = _spec_rules((ROOT / "docs" / "semantics.md").read_text(encoding="utf-8"))
        assert 125 == len(spec)  # the eleven families of tests/meta/test_docs.py
        shipped = {rule.id: list(rule.sources) for rule in load_rules().values()}
        assert list(spec) == list(shipped)
        assert spec == shipped

    def test_shipped_rules_are_one_line_statements(self) -> None:
        rules = load_rules()
        assert all(rule.text and "\n" not in rule.text for rule in rules.values())
        assert {"runtime", "sdk", "docs", "seed", "rule"} >= {
            source for rule in rules.values() for source in rule.sources
        }


_SOURCE_KINDS = ("runtime", "sdk", "docs", "seed", "rule")


def _spec_rules(text: str) -> dict[str, list[str]]:
    """The rules of docs/semantics.md (table rows ``| R-X1 | rule | source |``), in order,
    with the kinds of source each row's last cell cites (code spans, then parenthesised
    notes dropped: ``runtime (`getEnabled("A")`)`` is ``runtime``)."""
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if len(cells) < 3 or not re.fullmatch(r"R-[A-Z]+\d+", cells[0]):
            continue
        kinds: list[str] = []
        for part in re.sub(r"\([^)]*\)", "", re.sub(r"`[^`]*`", "", cells[-1])).split(","):
            word = part.strip()
            assert word in _SOURCE_KINDS, (cells[0], word)
            if word not in kinds:
                kinds.append(word)
        assert cells[0] not in found, f"{cells[0]} twice in docs/semantics.md"
        found[cells[0]] = kinds
    return found


def test_spec_rules_reads_the_semantics_table() -> None:
    text = (
        "| id | rule | source |\n|---|---|---|\n"
        "| R-Q3 | a \\| b, c | runtime, rule (order, stability) |\n"
        "| R-E6 | text | rule, docs |\n"
        '| R-M1 | text | runtime (`async publish(`, `get("A","b")`), rule |\n'
        "| `connection_lost` | network loss (R-T2) | x |\n"
    )
    assert {
        "R-Q3": ["runtime", "rule"],
        "R-E6": ["rule", "docs"],
        "R-M1": ["runtime", "rule"],
    } == _spec_rules(text)


class TestWrongTarget:
    """A deliberately wrong implementation fails the scenarios of the rules it breaks."""

    def test_toy_fails_the_rules_it_breaks_and_skips_missing_hooks(self) -> None:
        suite = run_suite(SCENARIOS, toy_target)
        status = {r.scenario.id: r.status for r in suite.results}
        assert "failed" == status[EXAMPLE]  # R-E6 no debounce, R-E3 own REMOTE_JOIN
        assert "failed" == status["r-q3-code-point-order-and-page-size"]  # join order
        assert "failed" == status["r-q7-responses-say-0-events-carry-the-clock"]  # clock
        assert "failed" == status["errors-not-logged-in"]  # -10002
        assert "passed" == status["seed-wherenow-sample"]  # what it gets right passes
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
        assert out.startswith("R-E6  [rule, docs]")
        assert EXAMPLE in out
        assert 2 == main(["explain", "R-X9"])

    def test_run_unknown_scenario(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert 2 == main(["run", "r-e6-quick"])
        err = capsys.readouterr().err
        assert f"rtm-emulator run: no scenario 'r-e6-quick'; did you mean {EXAMPLE}?\n" == err

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
        assert "    RTM-)alice: [MESSAGE room] REMOTE_LEAVE bob\n" in text
        _fresh(ROOT / "docs" / "diagrams" / f"{EXAMPLE}.mmd", text)

    def test_svg_is_standalone_xml(self, result) -> None:  # type: ignore[no-untyped-def]
        text = render(result, "svg")
        root = ET.fromstring(text)
        assert root.tag.endswith("svg")
        assert any("REMOTE_LEAVE bob" in (el.text or "") for el in root.iter())
        _fresh(ROOT / "docs" / "diagrams" / f"{EXAMPLE}.svg", text)

    def test_message_events_in_the_diagrams(self) -> None:
        """R-M23: a user message is drawn on the publisher's USER channel; topic events
        and topic messages on the stream channel."""
        example = "r-m4-user-messages-and-offline-targets"
        text = render(run_scenario(next(s for s in SCENARIOS if s.id == example)), "mermaid")
        assert "    RTM-)bob: [USER alice] message alice 'hi bob'\n" in text
        assert '    alice->>RTM: publish dave hi dave {"channelType": "USER"}\n' in text
        assert "    RTM-->>alice: error -11033\n" in text
        assert "    RTM--xalice: ✗" not in text
        _fresh(ROOT / "docs" / "diagrams" / f"{example}.mmd", text)
        topics = render(
            run_scenario(next(s for s in SCENARIOS if s.id.startswith("r-m18-"))), "text"
        )
        assert "-> alice    message bob @news 'hello'" in topics
        assert "\nstage (STREAM)\n" in topics

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
            (
                'id = "x"\nrules = ["R-Q1"]\ntitle = "t"\n[[step]]\nas = "a"\ncall = "login"\n'
                'operation = "login"',
                "need `error`",
            ),
            (
                'id = "x"\nrules = ["R-Q1"]\ntitle = "t"\n[[step]]\nas = "a"\ncall = "login"\n'
                'raises = "TypeError"\nerror = -10025',
                "`raises`",
            ),
        ],
    )
    def test_bad_files(self, text: str, message: str) -> None:
        with pytest.raises(ValueError, match=re.escape(message)) as info:
            load_scenario(text, "bad.toml")
        assert "bad.toml" in str(info.value)


class _SlowClient:
    """A client whose login waits until the world's clock moves (a pending call)."""

    def __init__(self, world: _SlowWorld) -> None:
        self.world = world

    def addEventListener(self, name: str, listener: object) -> None:
        pass

    async def login(self, options: object = None) -> dict[str, int]:
        future = asyncio.get_running_loop().create_future()
        self.world.waiting.append(future)
        await future
        return {"timestamp": 0}


class _SlowWorld:
    def __init__(self, config: object) -> None:
        self.now_ms = 0
        self.waiting: list[asyncio.Future[None]] = []

    def client(self, user_id: str, **_: object) -> _SlowClient:
        return _SlowClient(self)

    def advance(self, seconds: float) -> None:
        self.now_ms += round(seconds * 1000)
        for future in self.waiting:
            if not future.done():
                future.set_result(None)


def _run(text: str, target: object = None):  # type: ignore[no-untyped-def]
    scenario = load_scenario(text, "inline.toml")
    return run_scenario(scenario) if target is None else run_scenario(scenario, target)  # type: ignore[arg-type]


_HEAD = 'id = "x"\nrules = ["R-L3"]\ntitle = "t"\n'


class TestRunnerFeatures:
    """What a scenario can assert; a wrong expectation fails the scenario."""

    def test_a_pending_call_is_judged_when_it_settles(self) -> None:
        text = _HEAD + 'step = [{ as = "a", call = "login" }, { call = "advance", args = [1.0] }]'
        result = _run(text, _SlowWorld)
        assert ("passed", ()) == (result.status, result.failures)
        assert ["pending", "ok"] == [r.outcome for r in result.records if r.kind == "call"]

    def test_a_call_that_never_settles_fails(self) -> None:
        result = _run(_HEAD + 'step = [{ as = "a", call = "login" }]', _SlowWorld)
        assert "failed" == result.status
        assert ["step 1 (a login): never settled"] == list(result.failures)

    @pytest.mark.parametrize(
        ("extra", "passes"),
        [
            ('operation = "presenceSetState", error_name = "RtmInvalidStatusError"', True),
            ('operation = "setState"', False),
            ('error_name = "RtmInvalidArgumentError"', False),
        ],
    )
    def test_r_x2_error_operation_and_class(self, extra: str, passes: bool) -> None:
        """R-X2: a failing step may also check the error's ``operation`` and class."""
        text = (
            _HEAD + 'step = [{ as = "a", call = "setState", args = ["r", "MESSAGE", { k = "v" }], '
            f"error = -10025, {extra} }}]"
        )
        assert ("passed" if passes else "failed") == _run(text).status

    @pytest.mark.parametrize(
        ("raises", "passes"), [("ValueError", True), ("TypeError", False), ("RtmError", False)]
    )
    def test_r_x3_plain_exceptions(self, raises: str, passes: bool) -> None:
        """R-X3: ``raises`` names the built-in a non-RTM failure must be."""
        text = _HEAD + (
            'step = [{ as = "a", call = "login" }, { as = "a", call = "whoNow", '
            f'args = ["r", "MESSAGE"], options = {{ page = "!!" }}, raises = "{raises}" }}]'
        )
        assert ("passed" if passes else "failed") == _run(text).status

    @pytest.mark.parametrize(
        ("link", "passes"),
        [
            ('{ state = "DISCONNECTED", operation = "HEARTBEAT_TIMEOUT", at = 1.0 }', True),
            ('{ state = "DISCONNECTED", affected = ["r"] }', True),
            ('{ state = "DISCONNECTED", at = 0.0 }', False),
            ('{ state = "DISCONNECTED", operation = "AUTO_RECONNECT" }', False),
            ('{ state = "DISCONNECTED", affected = [] }', False),
        ],
    )
    def test_r_t4_link_fields_and_times(self, link: str, passes: bool) -> None:
        """R-T4: a link expectation may check operation, affected channels and time."""
        text = _HEAD + (
            'step = [{ as = "a", call = "login" }, { as = "a", call = "subscribe", args = ["r"] },'
            ' { call = "advance", args = [1.0] }, { call = "disconnect", args = ["a"] }]\n'
            f'[links]\na = ["CONNECTING", "CONNECTED", {link}]\n'
        )
        assert ("passed" if passes else "failed") == _run(text).status

    def test_stream_links_are_listed_apart(self) -> None:
        """``name@channel`` holds a stream channel's own link; ``name`` the MESSAGE link."""
        text = _HEAD + (
            'step = [{ as = "a", call = "login" }, { as = "a", call = "join", args = ["s"] }]\n'
            '[links]\na = ["CONNECTING", "CONNECTED"]\n'
            '"a@s" = [{ state = "CONNECTING", reason = "JOIN" }, '
            '{ state = "CONNECTED", reason = "JOIN_SUCCESS", affected = ["s"] }]\n'
        )
        assert ("passed", ()) == (_run(text).status, _run(text).failures)

    def test_r_c5_listeners_of_other_event_names(self) -> None:
        """R-C5: ``addEventListener`` steps record what a listener of that name got."""
        steps = (
            'step = [{ as = "a", call = "login" }, { as = "a", call = "addEventListener", '
            'args = ["presence"] }, { as = "a", call = "addEventListener", args = ["odd"] }, '
            '{ as = "a", call = "subscribe", args = ["r"] }]\n'
        )
        good = '[events]\n"a#presence" = [["SNAPSHOT", ""]]\n"a#odd" = []\n'
        bad = '[events]\n"a#odd" = [["SNAPSHOT", ""]]\n'
        assert "passed" == _run(_HEAD + steps + good).status
        assert "failed" == _run(_HEAD + steps + bad).status

    @pytest.mark.parametrize(
        ("event", "failure"),
        [
            (5, "a: unreadable presence event 5: TypeError("),
            (
                {"eventType": "SNAPSHOT", "snapshot": [{}]},
                "a: unreadable presence event {'eventType': 'SNAPSHOT', 'snapshot': [{}]}: "
                "KeyError('userId')",
            ),
        ],
    )
    def test_events_the_kit_cannot_read_fail_the_scenario(
        self, event: object, failure: str
    ) -> None:
        class Client:
            def addEventListener(self, name: str, listener: object) -> None:
                if name == "presence":
                    self.listener = listener

            def login(self) -> dict[str, int]:
                self.listener(event)  # type: ignore[operator]
                return {"timestamp": 0}

        class World:
            def __init__(self, config: object) -> None:
                pass

            def client(self, user_id: str, **_: object) -> Client:
                return Client()

        text = _HEAD + 'step = [{ as = "a", call = "login" }]\n[events]\na = [["SNAPSHOT", ""]]\n'
        result = _run(text, World)
        assert "failed" == result.status
        assert failure == result.failures[0][: len(failure)]
        assert "events of 'a': missing #1 {'type': 'SNAPSHOT', 'publisher': ''}" in result.failures

    def test_an_event_that_breaks_the_judging_fails_the_scenario(self) -> None:
        class Client:
            def addEventListener(self, name: str, listener: object) -> None:
                if name == "presence":
                    self.listener = listener

            def login(self) -> dict[str, int]:
                self.listener({"eventType": "SNAPSHOT", "snapshot": [{"userId": "a"}]})  # type: ignore[operator]
                return {"timestamp": 0}

        class World:
            def __init__(self, config: object) -> None:
                pass

            def client(self, user_id: str, **_: object) -> Client:
                return Client()

        text = _HEAD + (
            'step = [{ as = "a", call = "login" }]\n'
            '[events]\na = [{ type = "SNAPSHOT", snapshot = [{ userId = "a", states = {} }] }]\n'
        )
        result = _run(text, World)
        assert ("failed", ("judging the events: KeyError: 'states'",)) == (
            result.status,
            result.failures,
        )

    def test_a_hook_that_raises_fails_the_scenario(self) -> None:
        class World(_SlowWorld):
            def advance(self, seconds: float) -> None:
                raise RuntimeError("clock stuck")

        result = _run(_HEAD + 'step = [{ call = "advance", args = [1.0] }]', World)
        assert ("failed", ("step 1: RuntimeError: clock stuck",)) == (
            result.status,
            result.failures,
        )

    def test_a_wrong_event_time_fails(self) -> None:
        scenario = next(s for s in SCENARIOS if s.id == EXAMPLE)
        text = (ROOT / "rtm_emulator" / "conformance" / "scenarios" / f"{EXAMPLE}.toml").read_text(
            encoding="utf-8"
        )
        wrong = text.replace('["REMOTE_LEAVE", "bob", 3.99]', '["REMOTE_LEAVE", "bob", 3.98]')
        assert wrong != text
        assert "passed" == run_scenario(scenario).status
        result = run_scenario(load_scenario(wrong, "wrong.toml"))
        assert "failed" == result.status
        assert any("3.990 s != 3.980 s" in f for f in result.failures)


_MSG = 'id = "x"\nrules = ["R-M9"]\ntitle = "t"\n'
_PUBLISH = (
    'step = [{ as = "a", call = "login" }, { as = "b", call = "login" }, '
    '{ as = "b", call = "subscribe", args = ["r"], options = { withPresence = false } }, '
    '{ call = "advance", args = [1.0] }, '
    '{ as = "a", call = "publish", args = ["r", %s], options = { customType = "c" } }]\n'
)


class TestMessageExpectations:
    """R-M7, R-M9, R-M19, R-M20: message and topic events are judged field by field."""

    @pytest.mark.parametrize(
        ("sent", "event", "passes"),
        [
            ('"hi"', '{ type = "message", publisher = "a", message = "hi", at = 1.0 }', True),
            ('"hi"', '{ type = "message", message = "ho" }', False),
            ('"hi"', '{ type = "message", publisher = "b" }', False),
            ('"hi"', '{ type = "message", customType = "" }', False),
            ('"hi"', '{ type = "message", channelType = "USER" }', False),
            ('"hi"', '{ type = "message", at = 0.5 }', False),
            ('"AQI="', '{ type = "message", message = { "$" = "bytes", base64 = "AQI=" } }', False),
            (
                '{ "$" = "bytes", base64 = "AQI=" }',
                '{ type = "message", messageType = "BINARY", '
                'message = { "$" = "bytes", base64 = "AQI=" } }',
                True,
            ),
            ('"hi"', '{ type = "message", fields = { channelName = "r", topicName = "" } }', True),
            ('"hi"', '{ type = "message", fields = { publishTime = 0 } }', False),
            (
                '"hi"',
                '{ type = "message", keys = ["channelName", "publisher", "message", '
                '"messageType", "customType", "channelType", "topicName", "timestamp"] }',
                True,
            ),
            ('"hi"', '{ type = "message", keys = ["channelName", "message"] }', False),
            ('"hi"', '["SNAPSHOT", ""]', False),
        ],
    )
    def test_message_fields(self, sent: str, event: str, passes: bool) -> None:
        text = _MSG + _PUBLISH % sent + f'listen = ["message"]\n[events]\nb = [{event}]\n'
        result = _run(text)
        assert ("passed" if passes else "failed") == result.status, result.failures

    def test_message_events_are_judged_only_when_listened_to(self) -> None:
        quiet = _MSG + _PUBLISH % '"hi"' + "[events]\nb = []\n"
        heard = _MSG + _PUBLISH % '"hi"' + 'listen = ["message"]\n[events]\nb = []\n'
        assert "passed" == _run(quiet).status
        result = _run(heard)
        assert "failed" == result.status
        assert ["events of 'b': unexpected #1 message a 'hi' (c)"] == list(result.failures)

    def test_everyone_list_checks_the_order_across_receivers(self) -> None:
        steps = (
            _PUBLISH.replace(
                '{ call = "advance"',
                '{ as = "a", call = "subscribe", args = ["r"], '
                'options = { withPresence = false } }, { call = "advance"',
            )
            % '"hi"'
        )
        good = '[events]\n"*" = [{ type = "message", to = "a" }, { type = "message", to = "b" }]\n'
        bad = '[events]\n"*" = [{ type = "message", to = "b" }, { type = "message", to = "a" }]\n'
        assert "passed" == _run(_MSG + steps + 'listen = ["message"]\n' + good).status
        result = _run(_MSG + steps + 'listen = ["message"]\n' + bad)
        assert ["events of '*': #1 message a 'hi' (c) to a: to 'a' != 'b'"] == list(result.failures)

    @pytest.mark.parametrize(
        ("topics", "passes"),
        [
            ('{ t1 = ["b", "c"], t2 = ["b"] }', True),
            ('{ t2 = ["b"], t1 = ["b", "c"] }', False),  # the topics' order
            ('{ t1 = ["c", "b"], t2 = ["b"] }', False),  # the publishers' order
            ('{ t1 = ["b", "c"] }', False),
        ],
    )
    def test_topic_snapshot_order(self, topics: str, passes: bool) -> None:
        text = _MSG + (
            'step = [{ as = "a", call = "login" }, { as = "b", call = "login" }, '
            '{ as = "c", call = "login" }, { as = "b", call = "join", args = ["s"] }, '
            '{ as = "b", call = "joinTopic", args = ["s", "t1"] }, '
            '{ as = "b", call = "joinTopic", args = ["s", "t2"] }, '
            '{ as = "c", call = "join", args = ["s"] }, '
            '{ as = "c", call = "joinTopic", args = ["s", "t1"] }, '
            '{ as = "a", call = "join", args = ["s"], options = { withPresence = false } }]\n'
            'listen = ["topic"]\n[events]\n'
            f'a = [{{ type = "TOPIC_SNAPSHOT", topics = {topics} }}]\n'
        )
        result = _run(text)
        assert ("passed" if passes else "failed") == result.status, result.failures

    def test_a_synchronous_result_is_judged(self) -> None:
        steps = (
            'step = [{ as = "a", call = "login" }, { as = "a", call = "join", args = ["s"] }, '
            '{ as = "a", call = "joinTopic", args = ["s", "t"] }, '
            '{ as = "a", call = "subscribeTopic", args = ["s", "t"], '
            'options = { users = ["b"] } }, '
            '{ as = "a", call = "getSubscribedUserList", args = ["s", "t"], '
            "expect = { subscribed = [%s] } }]\n"
        )
        assert "passed" == _run(_MSG + steps % '"b"').status
        assert "failed" == _run(_MSG + steps % '"c"').status

    def test_time_values_need_a_clock(self) -> None:
        text = _HEAD + (
            'step = [{ as = "a", call = "login" }, { call = "advance", args = [1.0] }, '
            '{ as = "a", call = "publish", args = ["r", "x"], '
            "options = { storeInHistory = true } }, "
            '{ as = "a", call = "getMessages", args = ["r", "MESSAGE"], '
            'expect = { messageList = [{ timestamp = { "$" = "time", at = %s } }] } }]\n'
        )
        assert "passed" == _run(text % "1.0").status
        assert "failed" == _run(text % "0.999").status

        class NoClock:
            def __init__(self, config: object) -> None:
                pass

            def client(self, user_id: str, **_: object) -> _SlowClient:
                raise AssertionError("never called: the scenario is skipped first")

            def advance(self, seconds: float) -> None:
                pass

        result = _run(text % "1.0", NoClock)
        assert ("skipped", ("target has no clock (now_ms)",)) == (result.status, result.failures)

    def test_every_expected_event_counts(self) -> None:
        """Each scenario fails when its first non-empty event list loses its last item."""
        for scenario in SCENARIOS:
            name = next((k for k, v in scenario.events.items() if v), None)
            if name is None:
                continue
            shorter = {**scenario.events, name: scenario.events[name][:-1]}
            result = run_scenario(attrs.evolve(scenario, events=shorter))
            assert "failed" == result.status, scenario.id
            assert any(f"events of {name!r}: unexpected" in f for f in result.failures)


class TestLiterals:
    """``{ "$" = ... }`` values: bytes, long text and times, checked when loaded."""

    def test_values(self) -> None:
        assert b"\x01\x02" * 3 == literal({"$": "bytes", "base64": "AQI=", "times": 3})
        assert "é" * 4 == literal({"$": "text", "text": "é", "times": 4})
        assert 2500 == literal({"$": "time", "at": 1.5}, 1000)
        assert [{"a": b"\x00"}] == literal([{"a": {"$": "bytes", "base64": "AA=="}}])
        with pytest.raises(ValueError, match="clock"):
            literal({"$": "time", "at": 1.5})

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ('{ "$" = "blob" }', "`$` must be one of"),
            ('{ "$" = "bytes", base64 = "!!" }', "`base64` must be base64 text"),
            ('{ "$" = "bytes", base64 = "AA==", times = -1 }', "`times` must be an int >= 0"),
            ('{ "$" = "text", text = "a", size = 3 }', "unknown keys ['size']"),
            ('{ "$" = "time", at = "soon" }', "`at` must be a number"),
        ],
    )
    def test_bad_values_are_refused_when_loaded(self, value: str, message: str) -> None:
        text = _MSG + f'step = [{{ as = "a", call = "publish", args = ["r", {value}] }}]\n'
        with pytest.raises(ValueError, match=re.escape(message)) as info:
            load_scenario(text, "bad.toml")
        assert "bad.toml: step 1:" in str(info.value)

    def test_a_message_event_needs_listen(self) -> None:
        text = _MSG + 'step = [{ as = "a", call = "login" }]\n[events]\na = [["message", "b"]]\n'
        with pytest.raises(ValueError, match="add 'message' to `listen`"):
            load_scenario(text, "bad.toml")
        with pytest.raises(ValueError, match="`listen` must be a list"):
            load_scenario(_MSG + 'listen = ["storage"]\nstep = [{ call = "advance" }]\n')
        hashed = _MSG + 'step = [{ as = "a", call = "login" }]\n[events]\n"a#message" = []\n'
        assert () == load_scenario(hashed).listen


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


class TestTargetContract:
    """docs/conformance.md "Writing a target": its minimal target runs as written."""

    def test_the_minimal_target_in_the_doc_runs_through_the_cli(self, tmp_path: Path) -> None:
        from rtm_emulator.conformance._docs import MINIMAL_TARGET
        from tests.samples import sample

        target = sample("conformance-toy-target")
        assert MINIMAL_TARGET == target
        (tmp_path / "my_target.py").write_text(target, encoding="utf-8")
        bin_dir = tmp_path / "bin"  # `rtm-emulator` is this interpreter's command line
        bin_dir.mkdir()
        shim = bin_dir / "rtm-emulator"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m rtm_emulator "$@"\n')
        shim.chmod(0o755)
        env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
        env.pop("PYTHONPATH", None)
        done = subprocess.run(
            ["bash", "-c", sample("conformance-toy-run")],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert (1, "") == (done.returncode, done.stderr)
        report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
        assert ["scenarios", "summary"] == sorted(report)
        assert ["failed", "passed", "skipped"] == sorted(report["summary"])
        rows = report["scenarios"]
        assert all(["failures", "id", "rules", "status", "title"] == sorted(row) for row in rows)
        assert [s.id for s in SCENARIOS if "R-E6" in s.rules] == [row["id"] for row in rows]
        counts = {k: sum(r["status"] == k for r in rows) for k in ("passed", "failed", "skipped")}
        assert counts == report["summary"]
        summary = "{passed} passed, {failed} failed, {skipped} skipped".format(**counts)
        assert summary == done.stdout.splitlines()[-1]
        by_id = {row["id"]: row for row in rows}
        # what the doc says it does
        assert ["events of 'alice': #3 REMOTE_LEAVE bob: at 0.000 s != 3.990 s"] == by_id[EXAMPLE][
            "failures"
        ]
        failures = {f for row in rows if row["status"] == "skipped" for f in row["failures"]}
        for skip in (
            "target: no interval mode",
            "step 5: presence.setState is not implemented",
            "target lacks hooks ['disconnect']",
        ):
            assert skip in failures
            assert f"`{skip}`" in " ".join(
                (ROOT / "docs" / "conformance.md").read_text(encoding="utf-8").split()
            )
        assert {"failed", "skipped"} == {row["status"] for row in rows}
