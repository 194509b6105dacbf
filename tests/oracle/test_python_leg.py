"""The oracle's Python leg: the JS oracle's case table through the Python client.

Every case of ``clients/js/test/oracle/cases.json`` runs in-process on a fresh emulator
(``runner.run_case``) and its outcome must equal the real agora-rtm-sdk@2.3.0's
(``real-sdk.json``), modulo R-X3's exception mapping (a JS ``TypeError`` is a Python
``TypeError``, an ``InvalidCharacterError`` a ``ValueError``; messages not compared).

A ratchet, like the JS oracle's: ``known-gaps.json`` (beside this file) lists
``{caseId: reason}`` of the cases known to disagree.  A case fails when it disagrees and
is not listed, or is listed and agrees now.  ``UPDATE_ORACLE_GAPS=1 pytest
tests/oracle`` rewrites the list from the run (a listed case keeps its reason).  The
summary line ``python oracle: N cases, A agree, G known gaps, X not comparable`` is
written at the end of the session.

Messaging cases (issue 16) run once the Python client has ``publish`` and every messaging
call the case makes (``runner.missing_features``); until then they are skipped (status
``skipped``, counted in the summary line), never listed as known gaps.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import pytest

from rtm_emulator import ConfigError, ErrorCode, RtmError

from . import runner
from .runner import AGREE, DISAGREE, FIXED, GAP, NOT_COMPARABLE, SKIPPED, STATUSES, UNDEFINED

CASES = runner.load_cases()
RECORD = runner.load_record()


class _Summary:
    """Writes the summary line at the end of the session (whatever ``-s`` says)."""

    def __init__(self, line: str) -> None:
        self.line = line

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_line(self.line)


@pytest.fixture(scope="session")
def oracle(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Every case run once: ``{"py": {id: record}, "results": {id: status}, "gaps"}``."""
    gaps = runner.load_gaps()
    py = {c["id"]: runner.run_case_sync(c) for c in CASES if runner.not_comparable(c) is None}
    results = {
        c["id"]: runner.classify(c, RECORD.get(c["id"]), py.get(c["id"]), gaps) for c in CASES
    }
    if os.environ.get("UPDATE_ORACLE_GAPS") == "1":
        runner.GAPS_FILE.write_text(runner.gaps_json(CASES, results), encoding="utf-8")
        gaps = runner.load_gaps()
        results = {
            c["id"]: runner.classify(c, RECORD.get(c["id"]), py.get(c["id"]), gaps) for c in CASES
        }
    line = runner.summary_line(results)
    request.config.pluginmanager.register(_Summary(line), "rtm-python-oracle-summary")
    return {"py": py, "results": results, "gaps": gaps, "summary": line}


@pytest.mark.parametrize("case", CASES, ids=[f"{c['rule']}:{c['id']}" for c in CASES])
def test_case_agrees_with_real_sdk(oracle: dict[str, Any], case: dict[str, Any]) -> None:
    """The case's rule (in the test id) holds in the Python client as in the real SDK:
    calls, errors (R-X1, R-X2; R-X3 mapped) and events with their steps."""
    r = oracle["results"][case["id"]]
    if r["status"] == NOT_COMPARABLE:
        pytest.skip(r["reason"])
    if r["status"] == SKIPPED:
        pytest.skip(f"messaging case, not run yet: {r['reason']}")
    if r["status"] == FIXED:
        pytest.fail(
            f"{case['id']} is in tests/oracle/known-gaps.json but agrees now: remove it "
            "(UPDATE_ORACLE_GAPS=1)"
        )
    if r["status"] == DISAGREE:
        pytest.fail(
            f"{case['id']} disagrees with the real SDK and is not in known-gaps.json: "
            f"{r['diff']}\nPython record: {json.dumps(oracle['py'][case['id']])[:1500]}"
        )
    if r["status"] == GAP:
        now = "" if r["diff"] in r["reason"] else f" [now: {r['diff']}]"
        pytest.xfail(f"known gap: {r['reason']}{now}")
    assert r["status"] == AGREE


def test_known_gaps_name_only_comparable_cases(oracle: dict[str, Any]) -> None:
    """known-gaps.json lists only cases of the table that run in Python."""
    comparable = {c["id"] for c in CASES if runner.not_comparable(c) is None}
    stale = sorted(set(oracle["gaps"]) - comparable)
    assert not stale, f"known-gaps.json lists cases that are no comparable case: {stale}"
    assert all(isinstance(v, str) and v for v in oracle["gaps"].values())


def test_real_sdk_record_covers_the_table() -> None:
    """real-sdk.json has one clean record per case of cases.json, and no other."""
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    assert sorted(RECORD) == sorted(ids)
    failed = sorted(i for i, r in RECORD.items() if "harnessError" in r)
    assert not failed, f"the real SDK's run failed in {failed}"


def test_summary_counts_add_up(oracle: dict[str, Any]) -> None:
    """Every case has exactly one status, and the summary line says so."""
    results = oracle["results"]
    assert sorted(results) == sorted(c["id"] for c in CASES)
    counts = {s: 0 for s in STATUSES}
    for r in results.values():
        counts[r["status"]] += 1
    assert sum(counts.values()) == len(CASES)
    expected = (
        f"python oracle: {len(CASES)} cases, {counts[AGREE]} agree, {counts[GAP]} known gaps, "
        f"{counts[NOT_COMPARABLE]} not comparable"
    )
    assert oracle["summary"].startswith(expected)
    # the ratchet itself is checked per case; here: the table mostly runs and agrees
    assert counts[NOT_COMPARABLE] < len(CASES) // 10
    assert counts[AGREE] > len(CASES) // 2
    if counts[SKIPPED]:
        assert f"; {counts[SKIPPED]} cases skipped (" in oracle["summary"]
    skipped = [c for c in CASES if results[c["id"]]["status"] == SKIPPED]
    assert all(c.get("messaging") or c.get("family") for c in skipped)


# ------------------------------------------------------------------ the runner itself


def test_decode_follows_the_value_encoding() -> None:
    """lib/values.js: every encoding kind decodes to the Python value it stands for."""
    assert runner.decode({"$": "undefined"}) is UNDEFINED
    assert runner.decode({"$": "repeat", "s": "é", "n": 3}) == "ééé"
    assert runner.decode({"$": "keys", "n": 2, "prefix": "k", "value": "v"}) == {
        "k0": "v",
        "k1": "v",
    }
    assert runner.decode({"$": "list", "n": 3, "prefix": "s"}) == ["s0", "s1", "s2"]
    assert runner.decode({"$": "btoa", "s": "u2"}) == base64.b64encode(b"u2").decode()
    assert callable(runner.decode({"$": "function"}))
    pair = {"$": "pair", "key": {"$": "repeat", "s": "k", "n": 33}, "value": "v"}
    assert runner.decode(pair) == {"k" * 33: "v"}
    assert runner.decode([{"a": {"$": "undefined"}}, None]) == [{"a": UNDEFINED}, None]
    with pytest.raises(ValueError, match="unknown value encoding"):
        runner.decode({"$": "nope"})


def test_decode_binary_values() -> None:
    """lib/values.js binary kinds: a Uint8Array is bytes, a pooled Buffer / subarray a view
    into a larger buffer (R-M18's quirk stays visible), ArrayBuffer / DataView / Uint16Array
    no bytes; bytes canonicalize as the JS leg's (hex up to 64 bytes, else sha1)."""
    assert runner.decode({"$": "u8", "bytes": [1, 2, 255]}) == b"\x01\x02\xff"
    assert runner.decode({"$": "u8", "n": 3}) == b"\x00\x00\x00"
    pooled = runner.decode({"$": "buffer", "s": "hi"})
    assert isinstance(pooled, memoryview)
    assert bytes(pooled) == b"hi"
    assert pooled.obj is not None and len(pooled.obj) == runner.NODE_BUFFER_POOL
    sub = runner.decode({"$": "subarray", "n": 2000, "start": 0, "end": 2})
    assert isinstance(sub, memoryview) and bytes(sub) == b"\x00\x00" and len(sub.obj) == 2000
    for kind in ("arraybuffer", "dataview", "u16"):
        value = runner.decode({"$": kind, "n": 2})
        assert not isinstance(value, (bytes, bytearray, memoryview, str))
    assert runner.decode({"$": "list", "n": 3, "prefix": "u", "pad": 2}) == ["u00", "u01", "u02"]
    assert runner.canon(b"\x01\x02") == {"$": "bytes", "hex": "0102", "n": 2}
    assert runner.canon(memoryview(b"hi")) == runner.canon(b"hi")
    big = runner.canon(bytes(65))
    assert big["n"] == 65 and "sha1" in big and "hex" not in big


def test_shape_of_keeps_key_order() -> None:
    """The key order of a message / topic event and a messaging result, nested."""
    event = {
        "eventType": "SNAPSHOT",
        "topicInfos": [{"publishers": [{"publisherUserId": "a", "publisherMeta": ""}]}],
        "message": b"x",
        "timestamp": 0,
    }
    expected = (
        "{eventType,topicInfos:[{publishers:[{publisherUserId,publisherMeta}]}],message,timestamp}"
    )
    assert runner.shape_of(event) == expected
    assert runner.shape_of({"b": 1, "a": 2}) != runner.shape_of({"a": 2, "b": 1})
    assert runner.shape_of([]) == "[]" and runner.shape_of("s") == ""


def test_messaging_cases_wait_for_the_client() -> None:
    """A messaging case names every messaging call it makes among the missing ones while
    the client lacks them, and its record is then {"unsupported": ...}; a presence case is
    never held back."""
    case = next(c for c in CASES if c.get("messaging") and c["id"].startswith("topic.publish."))
    missing = runner.missing_features(case)
    have = runner.client_features()
    calls = ["publish", "stream.joinTopic", "stream.subscribeTopic", "stream.publishTopicMessage"]
    assert missing == [c for c in calls if c not in have]
    if missing:
        record = runner.run_case_sync(case)
        assert record == {"unsupported": f"the client lacks {', '.join(missing)}"}
        assert runner.classify(case, RECORD[case["id"]], record, {})["status"] == SKIPPED
    presence = next(c for c in CASES if not c.get("messaging"))
    assert runner.missing_features(presence) == []


class _StubStream:
    """A stream channel handle that records its topic calls."""

    def __init__(self, log: list[Any], name: object) -> None:
        self.log, self.name = log, name

    def __getattr__(self, method: str) -> Any:
        return lambda *args: self.log.append((self.name, method, args)) or {"topicName": args[0]}


class _StubHistory:
    def __init__(self, log: list[Any]) -> None:
        self.log = log

    def getMessages(self, *args: Any) -> Any:
        self.log.append(("history", "getMessages", args))
        return {"messageList": [], "count": 0, "newStart": 0, "timestamp": 0}


class _StubClient:
    """The messaging surface of a client, recording what the runner calls."""

    def __init__(self) -> None:
        self.log: list[Any] = []
        self.history = _StubHistory(self.log)

    def publish(self, *args: Any) -> Any:
        self.log.append(("rtm", "publish", args))
        return {"timestamp": 0, "channelName": args[0]}

    def createStreamChannel(self, name: object) -> _StubStream:
        self.log.append(("rtm", "createStreamChannel", (name,)))
        return _StubStream(self.log, name)


def test_messaging_calls_reach_the_client_in_the_sdk_spelling() -> None:
    """publish / history.getMessages / stream.<topic call> pass the SDK's positional
    arguments (options objects as dicts, undefined as None, undefined members dropped);
    one stream handle per channel name; results record their key order."""
    stub = _StubClient()
    actor = runner.Actor(stub)  # type: ignore[arg-type]
    decoded = runner.decode(["room", {"$": "u8", "bytes": [1]}, {"customType": {"$": "undefined"}}])
    actor.invoke("publish", decoded)
    actor.invoke("history.getMessages", ["room", "MESSAGE", {"messageCount": 2}])
    actor.invoke("stream.joinTopic", ["stage", "t1"])
    actor.invoke("stream.subscribeTopic", ["stage", "t1", {"users": ["a"]}])
    actor.invoke("stream.getSubscribedUserList", ["stage", UNDEFINED])
    assert stub.log == [
        ("rtm", "publish", ("room", b"\x01", {})),
        ("history", "getMessages", ("room", "MESSAGE", {"messageCount": 2})),
        ("rtm", "createStreamChannel", ("stage",)),
        ("stage", "joinTopic", ("t1",)),
        ("stage", "subscribeTopic", ("t1", {"users": ["a"]})),
        ("stage", "getSubscribedUserList", (None,)),
    ]
    out = runner.value_outcome({"timestamp": 0, "channelName": "room"}, "publish")
    assert out == {
        "ok": {"channelName": "room", "timestamp": 0},
        "shape": "{timestamp,channelName}",
    }
    assert "shape" not in runner.value_outcome({"timestamp": 0}, "login")


def test_undefined_is_passed_as_none() -> None:
    """A JS undefined argument is None in Python (never dropped), and an undefined object
    member is left out, as JSON leaves it out."""
    assert runner.py_args(["room", UNDEFINED]) == ["room", None]
    assert runner.py_args([{"a": UNDEFINED, "b": 1}]) == [{"b": 1}]


def test_r_x3_exception_mapping() -> None:
    """R-X3: TypeError -> JS TypeError, ValueError -> InvalidCharacterError; an RtmError
    (ConfigError is a ValueError too) is recorded as the RTM error, never as an exception."""
    assert (
        runner.error_outcome(TypeError("x"), False)["rejects"]["exception"]["kind"] == "TypeError"
    )
    assert (
        runner.error_outcome(ValueError("x"), False)["rejects"]["exception"]["kind"]
        == "InvalidCharacterError"
    )
    assert runner.error_outcome(KeyError("x"), True)["throws"]["exception"]["kind"] == "KeyError"
    config = runner.error_outcome(ConfigError.bad("initRTM", "bad"), True)["throws"]
    assert config["errorCode"] == int(ErrorCode.INVALID_PARAMETER)
    assert "exception" not in config
    rtm = runner.error_outcome(RtmError.sdk("whoNow", ErrorCode.INVALID_CHANNEL_NAME), False)
    assert rtm["rejects"]["errorCode"] == -10008
    assert rtm["rejects"]["operation"] == "whoNow"


def test_comparison_ignores_only_exception_messages() -> None:
    """Two records that differ in an exception's message agree; in its kind, an error
    code, or an event's step they do not."""
    exc = {
        "calls": [{"outcome": {"rejects": {"exception": {"kind": "TypeError", "message": "a"}}}}]
    }
    other = {
        "calls": [{"outcome": {"rejects": {"exception": {"kind": "TypeError", "message": "b"}}}}]
    }
    kind = {
        "calls": [{"outcome": {"rejects": {"exception": {"kind": "RangeError", "message": "a"}}}}]
    }
    assert runner.same(exc, other)
    assert not runner.same(exc, kind)
    assert not runner.same({"reason": "a"}, {"reason": "b"})
    assert not runner.same({"step": 1}, {"step": 2})
    assert runner.same({"n": 1}, {"n": 1.0})
    assert not runner.same({"n": True}, {"n": 1})


async def test_a_case_records_calls_and_events_as_the_js_runner() -> None:
    """R-E1 / R-L3: a two-user case yields the JS runner's record shape, step-tagged."""
    case = {
        "id": "t",
        "rule": "R-E1",
        "actors": {"a": {"uid": "alice"}, "b": {"uid": "bob"}},
        "steps": [
            {"who": "a", "call": "new"},
            {"who": "a", "call": "login", "args": []},
            {"who": "a", "call": "subscribe", "args": ["room"]},
            {"who": "b", "call": "presence.whoNow", "args": ["room", "MESSAGE"]},
            {"who": "b", "call": "new"},
            {"who": "b", "call": "presence.whoNow", "args": ["room", "MESSAGE"]},
            {"who": "a", "net": "down"},
            {"advance": 2.5},
        ],
    }
    record = await runner.run_case(case)
    outcomes = [(c["step"], c["who"], c["call"], next(iter(c["outcome"]))) for c in record["calls"]]
    assert outcomes == [
        (0, "a", "new", "ok"),
        (1, "a", "login", "ok"),
        (2, "a", "subscribe", "ok"),
        (3, "b", "presence.whoNow", "skipped"),
        (4, "b", "new", "ok"),
        (5, "b", "presence.whoNow", "rejects"),
    ]
    assert record["calls"][5]["outcome"]["rejects"]["errorCode"] == -10025
    steps = [
        (e["step"], e["kind"], e["event"].get("eventType") or e["event"]["currentState"])
        for e in record["events"]["a"]
    ]
    assert steps == [
        (1, "linkState", "CONNECTING"),
        (1, "linkState", "CONNECTED"),
        (2, "presence", "SNAPSHOT"),
        (6, "linkState", "DISCONNECTED"),
        (7, "linkState", "CONNECTING"),
    ]
    assert all("timestamp" not in e["event"] for e in record["events"]["a"])
    assert record["events"]["b"] == []
