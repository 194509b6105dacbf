"""The SDK's error table is said once, in rtm_emulator/_errors.py; the JS client reads it.

clients/js/manifest.json carries the whole table (``errors``: code, name, reason, class
of every code); the JS client's code writes out no reason text and no error code number,
and builds its errors (its own and those of frames that name no class) from the
manifest's rows, so a JS error of any code is the Python error of that code.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from rtm_emulator._errors import _SDK_TEXT, ERROR_CLASS, REASONS, ErrorCode, RtmError
from rtm_emulator._surface import MANIFEST_PATH, manifest

from . import checks


def _expected_rows() -> list[dict[str, object]]:
    return [
        {"code": int(code), "name": code.name, "reason": REASONS[code], "class": ERROR_CLASS[code]}
        for code in ErrorCode
    ]


def test_the_manifest_carries_the_whole_error_table() -> None:
    """Both the generated table and the checked-in file the JS reads are _errors.py's."""
    rows = _expected_rows()
    assert len(rows) == len(ErrorCode) == len({row["code"] for row in rows})
    assert rows == manifest()["errors"]
    assert rows == json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))["errors"]


# ------------------------------------------------------------ nothing written out in JS


def _js_sources() -> list[Path]:
    """The JS client's code: its top-level modules and lib/ (not its tests)."""
    return sorted([*checks.JS.glob("*.*js"), *checks.JS.glob("lib/*.cjs")])


def reasons_in(text: str) -> list[str]:
    """The reasons of the Python table whose text occurs in ``text``, sorted.

    A reason counts as an app sees it (:data:`REASONS`) and as the SDK's table writes it
    (three texts there lack the final ``"."``).  Exact texts only: the link-state reasons
    of ``constantsType`` (lib/constants.cjs) are another SDK table, some of whose texts
    are an error's reason without its ``"."`` (``"Invalid token"``).
    """
    return sorted(
        REASONS[ErrorCode(code)]
        for code, written in _SDK_TEXT.items()
        if written in text or REASONS[ErrorCode(code)] in text
    )


_CODE = re.compile(r"(?<![\w.$-])-1[0-5]\d{3}(?![\w.])")
_CODES = frozenset(int(code) for code in ErrorCode)


def codes_in(text: str) -> list[tuple[int, str]]:
    """(line, number) of every SDK error code written as a number in JS code.

    Comments (``/* ... */`` blocks and ``//`` to the end of a line) are skipped: they may
    name codes; a ``//`` inside a string literal is not expected in these files.
    """
    text = re.sub(r"/\*[\s\S]*?\*/", lambda m: "\n" * m.group().count("\n"), text)
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        code = re.sub(r"(^|\s)//.*$", "", line)
        found.extend((number, m.group()) for m in _CODE.finditer(code) if int(m.group()) in _CODES)
    return found


def test_the_js_client_writes_out_no_reason_text() -> None:
    sources = _js_sources()
    assert {"index.cjs", "errors.cjs", "client.cjs"} <= {p.name for p in sources}
    found = {p.name: hits for p in sources if (hits := reasons_in(p.read_text(encoding="utf-8")))}
    assert {} == found, "reason texts written in JS: read them from the manifest (ERRORS)"


def test_the_js_client_writes_out_no_error_code() -> None:
    """No code -> class table, no re-typed code constant: codes come from the manifest."""
    found = {p.name: hits for p in _js_sources() if (hits := codes_in(p.read_text("utf-8")))}
    assert {} == found, "error codes written in JS: name them (sdkError(op, 'NAME'))"


def test_the_scans_find_the_old_tables() -> None:
    """The scans are not blind: the JS error table as it was written before is found."""
    old = (
        "// R-C2: -10003\n"
        "const INVALID_APP_ID = -10003;\n"
        "const REASONS = Object.freeze({\n"
        "  [INVALID_APP_ID]: 'Invalid App id. illegal symbol or too long.',\n"
        "  [-10017]: 'Same subscribe, join or login request',\n"
        "});\n"
        "/* -10025 is RtmInvalidStatusError */\n"
        "const CLASS = [['RtmTimeoutError', [-10011, -10026]]]; // -11026\n"
    )
    assert [
        "Invalid App id. illegal symbol or too long.",
        "Same subscribe, join or login request.",
    ] == reasons_in(old)
    assert [(2, "-10003"), (5, "-10017"), (8, "-10011"), (8, "-10026")] == codes_in(old)
    assert [] == codes_in("const NO_SESSION = -32002, PORT = 10003, X = -10003.5;")


def test_every_code_the_js_client_raises_is_named_in_the_table() -> None:
    calls = [
        match
        for path in _js_sources()
        for match in re.findall(r"sdkError\(\s*[^,()]+,\s*'(\w+)'", path.read_text("utf-8"))
    ]
    assert {"INVALID_APP_ID", "NOT_CONNECTED", "DUPLICATE_OPERATION"} <= set(calls)
    assert set(calls) <= {code.name for code in ErrorCode}


# --------------------------------------------------- the JS errors are the Python errors

_JS_ERRORS = r"""
const { errorFromFrame, sdkError } = require(process.argv[1]);
const fields = (e) => ({
  error: e.error, code: e.code, errorCode: e.errorCode, operation: e.operation,
  reason: e.reason, name: e.name, cls: e.constructor.name,
});
const names = JSON.parse(process.argv[2]);
const out = { own: {}, frame: {}, unknown: null };
for (const name of names) {
  const own = sdkError('anOperation', name, 'why');
  out.own[name] = { ...fields(own), detail: own.detail };
  const { code, reason } = own;
  out.frame[name] = fields(errorFromFrame({ code, reason, operation: 'anOperation' }));
}
try { sdkError('anOperation', 'NO_SUCH_CODE'); } catch (err) { out.unknown = err.message; }
out.server = fields(errorFromFrame({ code: -20001, reason: 'A server code.', operation: 'x' }));
process.stdout.write(JSON.stringify(out));
"""


def test_every_js_error_is_the_python_error_of_its_code() -> None:
    """sdkError(op, NAME) and a frame without a class give the Python RtmError's fields."""
    names = [code.name for code in ErrorCode]
    done = subprocess.run(
        [checks.node(), "-e", _JS_ERRORS, str(checks.JS / "lib" / "errors.cjs"), json.dumps(names)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    out = json.loads(done.stdout)
    for code in ErrorCode:
        python = RtmError.sdk("anOperation", code).to_dict()
        want = {**python, "cls": python["name"]}
        assert {**want, "detail": "why"} == out["own"][code.name], code.name
        assert want == out["frame"][code.name], code.name
    assert "rtm-emulator-client: no error NO_SUCH_CODE in manifest.json" == out["unknown"]
    assert ("RtmUnavailableError", -20001) == (out["server"]["cls"], out["server"]["code"])


# ------------------------------------------------------------ the link-state reasons


def test_the_manifest_carries_the_link_state_reasons() -> None:
    """``constantsType``'s link-state reasons come from _types.LinkStateReasonCode, in
    enum order (the index is the SDK's report number), and no description is written in
    the JS client's code."""
    from rtm_emulator._types import LinkStateReasonCode

    rows = [{"name": r.value, "description": r.description} for r in LinkStateReasonCode]
    assert rows == manifest()["linkReasons"]
    assert rows == json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))["linkReasons"]
    written = [
        (path.name, row["description"])
        for path in _js_sources()
        for row in rows
        if f"'{row['description']}'" in path.read_text(encoding="utf-8")
    ]
    assert [] == written
    script = (
        "const { constantsType: t } = require('./index.cjs');"
        "console.log(JSON.stringify([Object.entries(t.LinkStateChangeReasonDescription),"
        " t.LinkStateChangeReason4Report]))"
    )
    out = subprocess.run(
        ["node", "-e", script], cwd=checks.JS, capture_output=True, text=True, check=True
    ).stdout
    descriptions, numbers = json.loads(out)
    assert [[r["name"], r["description"]] for r in rows] == descriptions
    assert all(numbers[r["name"]] == i and numbers[str(i)] == r["name"] for i, r in enumerate(rows))
