"""The renderers of a scenario run: text, JSON, Mermaid and SVG say what the scenario is
for, draw every call's result, name each event's channel, and lay out the SVG so that
nothing overlaps or leaves the image.

The SVG checks run twice: on the layout model (boxes never intersect, stay inside the
image and right of the time column) and on pixels, rendering the SVG to PNG with a real
SVG renderer (resvg) - the border stays blank and the text ink falls inside the boxes
the layout gave it, and every box has ink.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import cache
from typing import Any

import attrs
import pytest

from rtm_emulator.conformance import load_scenarios, render, run_scenario
from rtm_emulator.conformance._render import (
    ADVANCE,
    FONT,
    Box,
    Layout,
    _svg_box,
    svg_layout,
    text_width,
    wrap,
    wrap_description,
)
from rtm_emulator.conformance._runner import Record, ScenarioResult
from rtm_emulator.conformance._scenario import Scenario, Step

from .toy_target import toy_target

SCENARIOS = {s.id: s for s in load_scenarios()}

MINI = Scenario(
    id="mini",
    rules=("R-E1", "R-E3"),
    title="Entering gives a SNAPSHOT; the others hear a REMOTE_JOIN",
    steps=(Step("advance", args=(1,)),),
    description=(
        "alice enters first; bob enters and alice hears it.\n\n"
        "- bob's join is announced at once;\n  nobody hears about themselves.\n"
    ),
)
MINI_RECORDS = (
    Record("call", "alice", "subscribe room", 0, ("MESSAGE", "room"), "ok", True),
    Record("event", "alice", "SNAPSHOT [alice]", 0, ("MESSAGE", "room")),
    Record("hook", "RTM", "advance 1", 0),
    Record("call", "bob", "login", 1000, None, "pending", True),
    Record("link", "bob", "IDLE -> CONNECTING (LOGIN)", 1000),
    Record("call", "bob", "login (settles)", 1000, None, "ok", True),
    Record("call", "bob", "whoNow a#b; <x>", 1000, ("MESSAGE", "a#b"), "error -10008", False),
    Record("event", "alice", "REMOTE_JOIN bob", 1000, ("MESSAGE", "room")),
)
FAILURE = "step 4 (bob whoNow): raised -10008: bad (expected -10001)"
MINI_RESULT = ScenarioResult(MINI, "failed", (FAILURE,), MINI_RECORDS)


@cache
def emulator_run(scenario_id: str) -> ScenarioResult:
    return run_scenario(SCENARIOS[scenario_id])


@cache
def toy_run(scenario_id: str) -> ScenarioResult:
    """A run on the deliberately wrong toy target: a failed result with red rows."""
    result = run_scenario(SCENARIOS[scenario_id], toy_target)
    assert "failed" == result.status
    return result


# ------------------------------------------------------------------ text helpers


class TestWrap:
    def test_lines_fit_and_keep_every_word(self) -> None:
        text = "the quick brown fox jumps over the lazy dog " * 5
        lines = wrap(text, 20)
        assert all(len(line) <= 20 for line in lines)
        assert text.split() == " ".join(lines).split()
        assert "the quick brown fox" == lines[0]

    def test_long_words_are_broken_and_indent_continues(self) -> None:
        assert ["ab", "  cdef", "  ghij", "  k"] == wrap("ab cdefghijk", 6, "  ")
        assert [""] == wrap("", 10)
        with pytest.raises(ValueError, match="indent"):
            wrap("x", 2, "  ")

    def test_wide_characters_take_two_cells(self) -> None:
        assert ["中中", "中中", "中"] == wrap("中中中中中", 4)
        assert 2 * ADVANCE * 10 == text_width("中", 10) == text_width("ab", 10)
        assert text_width("e\u0301", 10) == text_width("e", 10)  # a combining accent

    def test_description_keeps_paragraphs_and_list_items(self) -> None:
        lines = wrap_description(MINI.description, 30)
        assert [
            "alice enters first; bob enters",
            "and alice hears it.",
            "",
            "- bob's join is announced at",
            "  once; nobody hears about",
            "  themselves.",
        ] == lines
        # an unindented line after a list item starts a new paragraph
        assert ["- a b", "c d"] == wrap_description("- a\n  b\nc\nd", 30)


# ------------------------------------------------------------------ text, JSON, Mermaid

MINI_TEXT = """\
mini: Entering gives a SNAPSHOT; the others hear a REMOTE_JOIN
rules: R-E1, R-E3
status: failed

  alice enters first; bob enters and alice hears it.

  - bob's join is announced at once; nobody hears about themselves.

  ! step 4 (bob whoNow): raised -10008: bad (expected -10001)

room (MESSAGE)
    +0.000s  alice    subscribe room -> ok
    +0.000s    -> alice    SNAPSHOT [alice]
    +1.000s    -> alice    REMOTE_JOIN bob

(connection, time, queries across channels)
    +0.000s  RTM      advance 1
    +1.000s  bob      login -> pending
    +1.000s    -> bob      IDLE -> CONNECTING (LOGIN)
    +1.000s  bob      login (settles) -> ok

a#b (MESSAGE)
    +1.000s  bob      whoNow a#b; <x> -> error -10008   <-- unexpected
"""


def test_text_starts_with_the_purpose_and_marks_the_failure() -> None:
    assert MINI_TEXT == render(MINI_RESULT, "text")


def test_text_wraps_long_titles_and_descriptions_at_88_columns() -> None:
    for scenario_id in SCENARIOS:
        text = render(emulator_run(scenario_id), "text")
        head = text.split("\n(")[0].split("\nroom")[0]
        assert all(len(line) <= 88 for line in head.splitlines()), scenario_id
        assert "status: passed" in head.splitlines()
    text = render(emulator_run("r-e6-quick-reentry-is-silent"), "text")
    assert text.startswith(
        "r-e6-quick-reentry-is-silent: A leave and re-entry inside the debounce window is"
        " silent;\n    a later leave is not\nrules: R-E6, R-E2\nstatus: passed\n\n"
        "  Bob leaves and comes back 1.99 s later:"
    )


def test_json_has_the_description() -> None:
    data = json.loads(render(MINI_RESULT, "json"))
    assert MINI.description.strip() == data["description"]
    assert ("mini", "failed", [FAILURE]) == (data["id"], data["status"], data["failures"])
    assert [r.to_dict() for r in MINI_RECORDS] == data["records"]


MINI_MERMAID = """\
sequenceDiagram
    title mini: Entering gives a SNAPSHOT#59; the others hear a REMOTE_JOIN
    participant RTM
    participant alice
    participant bob
    Note over RTM,bob: rules R-E1, R-E3 · status failed<br/><br/>\
alice enters first#59; bob enters and alice hears it.<br/><br/>\
- bob's join is announced at once#59; nobody hears about themselves.<br/>\
✗ step 4 (bob whoNow): raised -10008: bad (expected -10001)
    Note over RTM: +0.000s
    alice->>RTM: subscribe room
    RTM-->>alice: ok
    RTM-)alice: [MESSAGE room] SNAPSHOT [alice]
    Note over RTM: advance 1
    Note over RTM: +1.000s
    bob->>RTM: login
    RTM-->>bob: pending
    Note over bob: link IDLE -> CONNECTING (LOGIN)
    RTM-->>bob: login settles: ok
    bob->>RTM: whoNow a#35;b#59; #60;x>
    RTM--xbob: ✗ error -10008, not as expected
    RTM-)alice: [MESSAGE room] REMOTE_JOIN bob
"""


def test_mermaid_draws_results_channels_and_the_purpose() -> None:
    assert MINI_MERMAID == render(MINI_RESULT, "mermaid")


def test_mermaid_aliases_names_it_cannot_take_as_ids() -> None:
    records = tuple(
        Record("call", name, "login", 0, None, "ok", True) for name in ("end", "a-b", "9", "ok_1")
    )
    text = render(ScenarioResult(MINI, "passed", (), records), "mermaid")
    assert [
        "    participant RTM",
        '    participant _1 as "end"',
        '    participant _2 as "a-b"',
        '    participant _3 as "9"',
        "    participant ok_1",
    ] == [line for line in text.splitlines() if "participant" in line]
    assert "    _2->>RTM: login\n    RTM-->>_2: ok\n" in text


def test_mermaid_of_every_scenario_names_every_event_channel() -> None:
    for scenario_id in SCENARIOS:
        result = emulator_run(scenario_id)
        lines = render(result, "mermaid").splitlines()
        events = [line for line in lines if line.startswith("    RTM-)")]
        assert len(events) == sum(1 for r in result.records if r.kind == "event")
        assert all(
            any(f": [{kind} " in e for kind in ("MESSAGE", "USER", "STREAM")) for e in events
        ), scenario_id
        results = [line for line in lines if line.startswith(("    RTM-->>", "    RTM--x"))]
        assert len(results) == sum(1 for r in result.records if r.kind == "call")


# ------------------------------------------------------------------ SVG layout model


def _check_layout(layout: Layout) -> None:
    """No two text boxes intersect; all lie inside the image; labels right of the times."""
    boxes = sorted(layout.boxes, key=lambda b: b.y)
    for i, box in enumerate(boxes):
        assert 8 <= box.x and box.x + box.w <= layout.width - 8, box
        assert 8 <= box.y and box.y + box.h <= layout.height - 8, box
        for other in boxes[i + 1 :]:
            if other.y >= box.y + box.h:
                break
            assert not box.intersects(other), (box, other)
    times = [b for b in layout.boxes if b.role == "time"]
    column = max(b.x + b.w for b in times)
    for box in layout.boxes:
        if box.role in ("label", "note", "name"):
            assert box.x > column, box


def test_layout_of_every_scenario_has_no_overlap_and_fits() -> None:
    for scenario_id in SCENARIOS:
        _check_layout(svg_layout(emulator_run(scenario_id)))


def test_layout_of_failed_runs_has_no_overlap_and_fits() -> None:
    _check_layout(svg_layout(MINI_RESULT))
    for scenario_id in ("r-e6-quick-reentry-is-silent", "r-q3-code-point-order-and-page-size"):
        _check_layout(svg_layout(toy_run(scenario_id)))


def test_svg_says_everything_the_reader_needs() -> None:
    svg = render(MINI_RESULT, "svg")
    root = ET.fromstring(svg)
    texts = [el.text or "" for el in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "mini" == texts[0]
    assert "Entering gives a SNAPSHOT; the others hear a REMOTE_JOIN" in texts
    assert "rules R-E1, R-E3 · status failed" in texts
    assert "alice enters first; bob enters and alice hears it." in texts
    assert f"✗ {FAILURE}" in texts
    assert "[MESSAGE room] REMOTE_JOIN bob" in texts
    assert ["ok", "pending", "login settles: ok", "✗ error -10008, not as expected"] == [
        t for t in texts if t in ("ok", "pending", "login settles: ok") or "not as expected" in t
    ]
    assert "whoNow a#b; <x>" in texts  # escaped in the file, the same text when parsed
    assert (
        str(svg_layout(MINI_RESULT).width),
        str(svg_layout(MINI_RESULT).height),
    ) == (root.get("width"), root.get("height"))
    assert f"0 0 {root.get('width')} {root.get('height')}" == root.get("viewBox")


def test_svg_marks_an_unexpected_result_in_red_with_a_cross() -> None:
    layout = svg_layout(MINI_RESULT)
    bad = [b for b in layout.boxes if "not as expected" in b.lines[0]]
    assert ["#c62828"] == [b.fill for b in bad]
    crosses = [s for s in layout.shapes if s.startswith("<path") and "#c62828" in s]
    assert 1 == len(crosses)


def test_long_labels_wrap_and_very_long_ones_are_shortened() -> None:
    layout = svg_layout(emulator_run("r-s3-key-and-value-limits"))
    labels = [b for b in layout.boxes if b.role == "label"]
    assert max(len(b.lines) for b in labels) == 4
    assert any("… (+" in b.lines[-1] for b in labels)
    assert all(
        text_width(line, b.size) <= 66 * ADVANCE * b.size for b in labels for line in b.lines
    )


def test_svg_is_deterministic() -> None:
    result = emulator_run("r-e5-switch-to-interval-mode")
    assert render(result, "svg") == render(result, "svg")


# ------------------------------------------------------------------ pixels

PIXEL_CASES = {
    "passed: the committed example": lambda: emulator_run("r-e6-quick-reentry-is-silent"),
    "the longest labels": lambda: emulator_run("seed-whonow-sample"),
    "long values, wide characters": lambda: emulator_run("r-s3-key-and-value-limits"),
    "most clients of a small run": lambda: emulator_run("r-q2-local-route-lists-everyone"),
    "failed on a wrong target": lambda: toy_run("r-q3-code-point-order-and-page-size"),
    "failed, built by hand": lambda: MINI_RESULT,
}


@pytest.fixture(scope="module")
def png() -> Callable[[str], Any]:
    """SVG text -> a greyscale PIL image, rendered by resvg (skips without the test extra
    or without a font that draws the SVG's text)."""
    resvg_py = pytest.importorskip("resvg_py", reason="resvg-py (the test extra) renders SVG")
    image = pytest.importorskip("PIL.Image", reason="pillow (the test extra) reads PNG")

    def to_image(svg: str) -> Any:
        data = bytes(resvg_py.svg_to_bytes(svg_string=svg))
        return image.open(io.BytesIO(data)).convert("L")

    probe = _svg_of(Layout(60, 20, (Box(2, 2, 40, 16, ("MW",), 12, "label"),), ()))
    if _ink(to_image(probe)) is None:
        pytest.skip("no font on this machine draws the SVG's text (Debian: fonts-dejavu-core)")
    return to_image


def _ink(image: Any, box: tuple[float, float, float, float] | None = None) -> Any:
    """The bounding box of anything darker than near-white (within ``box``), or None."""
    from PIL import ImageOps

    region = image.crop(tuple(round(v) for v in box)) if box else image
    return ImageOps.invert(region).point(lambda v: 255 if v > 40 else 0).getbbox()


def _svg_of(layout: Layout) -> str:
    """An SVG of the layout's text alone (no backgrounds, borders or shapes)."""
    w, h = layout.width, layout.height
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="{FONT}">'
    )
    boxes = [attrs.evolve(b, background=None, border=None) for b in layout.boxes]
    white = '<rect width="100%" height="100%" fill="white"/>'
    return "\n".join([head, white, *(line for b in boxes for line in _svg_box(b)), "</svg>"])


@pytest.mark.parametrize("case", PIXEL_CASES, ids=list(PIXEL_CASES))
def test_png_border_is_blank_so_nothing_is_clipped(case: str, png: Callable[[str], Any]) -> None:
    image = png(render(PIXEL_CASES[case](), "svg"))
    w, h = image.size
    layout = svg_layout(PIXEL_CASES[case]())
    assert (layout.width, layout.height) == (w, h)
    for strip in ((0, 0, w, 6), (0, h - 6, w, h), (0, 0, 6, h), (w - 6, 0, w, h)):
        assert _ink(image, strip) is None, f"{case}: ink at the border {strip}"


@pytest.mark.parametrize("case", PIXEL_CASES, ids=list(PIXEL_CASES))
def test_png_text_ink_stays_inside_its_boxes(case: str, png: Callable[[str], Any]) -> None:
    """Render the text alone: every box has ink, and no ink is outside the boxes.

    This checks the width model against a real font: a label wider than its box would
    leave ink outside it (and could run into its neighbour or the time column).
    """
    layout = svg_layout(PIXEL_CASES[case]())
    image = png(_svg_of(layout))
    for box in layout.boxes:
        if any(line.strip() for line in box.lines):
            assert _ink(image, (box.x, box.y, box.x + box.w, box.y + box.h)), box
    from PIL import ImageDraw

    masked = image.copy()
    draw = ImageDraw.Draw(masked)
    for box in layout.boxes:
        draw.rectangle((box.x - 1, box.y - 1, box.x + box.w + 1, box.y + box.h + 1), fill=255)
    assert _ink(masked) is None, f"{case}: text ink outside its box at {_ink(masked)}"


def test_box_helper_geometry() -> None:
    a = Box(0, 0, 10, 10, ("a",), 12, "label")
    assert a.intersects(attrs.evolve(a, x=9.5)) and not a.intersects(attrs.evolve(a, x=10))
    assert not a.intersects(attrs.evolve(a, y=10))
