"""Render a scenario run: text timeline, JSON, Mermaid sequence diagram, standalone SVG.

Every format starts with what the scenario is for: its id and title, the rules it
checks, the status of the run and the scenario's description (wrapped), then the
failures.  The diagrams draw each call, its result (a return arrow; an unexpected one
in red, marked ``✗``), each event (naming its channel: presence ``[MESSAGE room]
REMOTE_JOIN bob``, message ``[USER alice] message alice 'hi'``, topic ``[STREAM stage]
TOPIC_REMOTE_JOIN bob [news: bob]``), the service hooks and the link-state changes.

The SVG is laid out from a width model of a monospace font (:func:`text_width`), so
no two text boxes overlap and the image holds everything; :func:`svg_layout` returns
that model (text boxes and image size) for tests and other renderers.
"""

from __future__ import annotations

import json
import unicodedata
from html import escape

import attrs

from ._runner import Record, ScenarioResult

__all__ = [
    "FORMATS",
    "Box",
    "Layout",
    "render",
    "render_json",
    "render_mermaid",
    "render_svg",
    "render_text",
    "svg_layout",
    "text_width",
    "wrap",
]

FORMATS = ("text", "json", "mermaid", "svg")

#: the SVG's font; the width model fits all of these (DejaVu Sans Mono and Menlo
#: advance 0.602 em a character, Consolas 0.55, Courier New 0.6)
FONT = "DejaVu Sans Mono, Menlo, Consolas, Liberation Mono, monospace"
#: the advance of one character cell, in em, that the layout assumes (a little wide)
ADVANCE = 0.62
_WRAP = 88  # text and Mermaid: description wrapped at this many columns
_LABEL = 160  # diagrams: a call or event label longer than this is shortened


# ------------------------------------------------------------------ text helpers


def _cells(text: str) -> int:
    """Character cells ``text`` takes in a monospace font (wide characters take two)."""
    n = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return n


def text_width(text: str, size: float) -> float:
    """The width in px that the layout gives ``text`` at font size ``size`` px."""
    return _cells(text) * ADVANCE * size


def _split(word: str, cells: int) -> list[str]:
    """Hard-break one word into pieces of at most ``cells`` cells."""
    pieces, piece = [], ""
    for ch in word:
        if piece and _cells(piece + ch) > cells:
            pieces.append(piece)
            piece = ""
        piece += ch
    return [*pieces, piece] if piece else pieces


def wrap(text: str, cells: int, indent: str = "") -> list[str]:
    """Greedy word wrap of one paragraph to lines of at most ``cells`` cells.

    Lines after the first start with ``indent``; a word longer than a line is broken.

    Raises:
        ValueError: if ``cells`` leaves no room after ``indent``.
    """
    if cells <= _cells(indent):
        raise ValueError(f"cannot wrap to {cells} cells with an indent of {len(indent)}")
    lines: list[str] = []
    line = ""
    for word in text.split():
        lead = indent if lines else ""
        candidate = f"{line} {word}" if line else lead + word
        if _cells(candidate) <= cells:
            line = candidate
            continue
        if line:
            lines.append(line)
        room = cells - _cells(indent)
        pieces = _split(word, room)
        lines.extend(indent + p for p in pieces[:-1])
        line = indent + pieces[-1]
    if line or not lines:
        lines.append(line)
    return lines


def _shorten(text: str, limit: int = _LABEL) -> str:
    """``text``, or its start, ``…`` and how much was left out when longer than ``limit``."""
    if len(text) <= limit:
        return text
    keep = limit - 24
    return f"{text[:keep]}… (+{len(text) - keep} chars)"


def _paragraphs(description: str) -> list[tuple[str, str]]:
    """The description as (indent of continuation lines, text) paragraphs and list items.

    A blank line ends a paragraph, ``- `` starts a list item, an indented line
    continues the item above it; ``("", "")`` stands for a blank line.
    """
    out: list[tuple[str, str]] = []
    item = False
    for raw in description.strip().splitlines():
        line = raw.strip()
        if not line:
            if out and out[-1] != ("", ""):
                out.append(("", ""))
            item = False
        elif line.startswith("- "):
            out.append(("  ", line))
            item = True
        elif out and out[-1] != ("", "") and (raw[:1].isspace() or not item):
            out[-1] = (out[-1][0], f"{out[-1][1]} {line}")
        else:
            out.append(("", line))
            item = False
    return out


def wrap_description(description: str, cells: int = _WRAP) -> list[str]:
    """A scenario's description wrapped to ``cells`` cells, list items indented."""
    lines: list[str] = []
    for indent, text in _paragraphs(description):
        lines.extend(wrap(text, cells, indent) if text else [""])
    return lines


def _header(result: ScenarioResult) -> tuple[str, str]:
    sc = result.scenario
    return f"{sc.id}: {sc.title}", f"rules: {', '.join(sc.rules)}"


def _channel_label(channel: tuple[str, str] | None) -> str:
    return "" if channel is None else f"[{channel[0]} {channel[1]}] "


def _settles(record: Record) -> str | None:
    """The call's own text when ``record`` says a pending call settled, else None."""
    suffix = " (settles)"
    return record.text[: -len(suffix)] if record.text.endswith(suffix) else None


def _result_label(record: Record) -> str:
    settled = _settles(record)
    outcome = f"{settled} settles: {record.outcome}" if settled else record.outcome
    if record.ok:
        return outcome
    return "✗ succeeded, not as expected" if outcome == "ok" else f"✗ {outcome}, not as expected"


# ------------------------------------------------------------------ text and JSON


def _channel_title(channel: tuple[str, str] | None) -> str:
    return (
        "(connection, time, queries across channels)"
        if channel is None
        else (f"{channel[1]} ({channel[0]})")
    )


def render_text(result: ScenarioResult) -> str:
    """A per-channel timeline: the scenario's purpose, then time, actor, action and result."""
    title, rules = _header(result)
    out = [*wrap(title, _WRAP, "    "), rules, f"status: {result.status}"]
    if result.scenario.description.strip():
        out.append("")
        description = wrap_description(result.scenario.description, _WRAP - 2)
        out.extend(f"  {line}".rstrip() for line in description)
    if result.failures:
        out.append("")
    out.extend(f"  ! {failure}" for failure in result.failures)
    order: list[tuple[str, str] | None] = []
    for record in result.records:
        if record.channel not in order:
            order.append(record.channel)
    for channel in order:
        out.append("")
        out.append(_channel_title(channel))
        for r in result.records:
            if r.channel != channel:
                continue
            if r.kind in ("call", "hook"):
                outcome = f" -> {r.outcome}" if r.outcome else ""
                flag = "" if r.ok else "   <-- unexpected"
                out.append(f"  {_time(r.at_ms):>9}  {r.actor:<8} {r.text}{outcome}{flag}")
            else:
                out.append(f"  {_time(r.at_ms):>9}    -> {r.actor:<8} {r.text}")
    return "\n".join(out) + "\n"


def _time(at_ms: int | None) -> str:
    return "       " if at_ms is None else f"+{at_ms / 1000:.3f}s"


def render_json(result: ScenarioResult) -> str:
    """The run as JSON: scenario, description, status, failures, timeline records."""
    data = result.to_dict()
    data["description"] = result.scenario.description.strip()
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ Mermaid


def _participants(result: ScenarioResult) -> list[str]:
    names: list[str] = []
    for r in result.records:
        if r.actor != "RTM" and r.actor not in names:
            names.append(r.actor)
    return names


_MERMAID_ESCAPES = {"#": "#35;", ";": "#59;", "<": "#60;"}


def _mermaid_text(text: str) -> str:
    """Text safe in a Mermaid message or note: ``#``, ``;`` and ``<`` as entity codes."""
    return "".join(_MERMAID_ESCAPES.get(ch, ch) for ch in text)


_WORDS = """participant actor as note over left right of loop alt else opt par and rect end
activate deactivate title autonumber critical break box create destroy links link"""
#: words of Mermaid's sequence diagrams that cannot be a participant's id
_MERMAID_WORDS = frozenset(_WORDS.split())


def _mermaid_ids(names: list[str]) -> dict[str, str]:
    """Each participant's Mermaid id: the name itself when plain, else ``_1``, ``_2``, ...

    User ids cannot start with ``_``, so an alias never takes a user's name.
    """
    ids = {}
    for n, name in enumerate(names, 1):
        plain = name.isascii() and name.replace("_", "a").isalnum() and name[:1].isalpha()
        ids[name] = name if plain and name.lower() not in _MERMAID_WORDS else f"_{n}"
    return ids


def render_mermaid(result: ScenarioResult) -> str:
    """A Mermaid ``sequenceDiagram``: calls, their results, events (with channel), hooks.

    A Note at the top gives the rules, the status, the description and the failures.
    """
    sc = result.scenario
    names = _participants(result)
    lines = ["sequenceDiagram", f"    title {_mermaid_text(_header(result)[0])}"]
    lines.append("    participant RTM")
    ids = {"RTM": "RTM", **_mermaid_ids(names)}
    for name in names:
        alias = "" if ids[name] == name else f' as "{_mermaid_text(name)}"'
        lines.append(f"    participant {ids[name]}{alias}")
    about = [f"rules {', '.join(sc.rules)} · status {result.status}", ""]
    about += wrap_description(sc.description)
    about += [f"✗ {_shorten(f, 3 * _LABEL)}" for f in result.failures]
    span = "RTM" if not names else f"RTM,{ids[names[-1]]}"
    note = "<br/>".join(_mermaid_text(line) for line in about)
    lines.append(f"    Note over {span}: {note}")
    last_time: int | None = None
    for r in result.records:
        if r.at_ms is not None and r.at_ms != last_time:
            lines.append(f"    Note over RTM: +{r.at_ms / 1000:.3f}s")
            last_time = r.at_ms
        who = ids[r.actor]
        text = _mermaid_text(_shorten(r.text))
        if r.kind == "call":
            if _settles(r) is None:
                lines.append(f"    {who}->>RTM: {text}")
            arrow = "-->>" if r.ok else "--x"
            lines.append(f"    RTM{arrow}{who}: {_mermaid_text(_result_label(r))}")
        elif r.kind == "hook":
            lines.append(f"    Note over RTM: {text}")
        elif r.kind == "event":
            lines.append(f"    RTM-){who}: {_mermaid_text(_channel_label(r.channel))}{text}")
        else:
            lines.append(f"    Note over {who}: link {text}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ SVG layout

_M = 16  # outer margin
_PAD = 3  # padding inside a text box
_BODY, _SMALL, _TITLE = 12, 11, 16  # font sizes
_MIN_COL = 150  # least distance between two lifelines
_LABEL_CELLS = 64  # a label wider than its arrow wraps at this many cells
_MAX_LINES = 4
_HEADER_CELLS = 110  # a readable measure for the title and description, however wide


def _line_height(size: int) -> int:
    return round(size * 1.35)


@attrs.frozen
class Box:
    """A laid-out block of text: its box (px, top-left origin), lines, size and colours.

    ``role`` is ``"header"``, ``"name"``, ``"time"``, ``"label"`` or ``"note"``.
    """

    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...]
    size: int
    role: str
    fill: str = "#222"
    bold: bool = False
    background: str | None = None
    border: str | None = None

    def intersects(self, other: Box) -> bool:
        """True when the two boxes share any area."""
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )


@attrs.frozen
class Layout:
    """The SVG's layout: its size, its text boxes and the other shapes (SVG elements)."""

    width: int
    height: int
    boxes: tuple[Box, ...]
    shapes: tuple[str, ...]


def _box(
    x: float, y: float, lines: list[str], size: int, role: str, **style: str | bool | None
) -> Box:
    w = max(text_width(line, size) for line in lines) + 2 * _PAD
    h = len(lines) * _line_height(size) + 2 * _PAD
    return Box(x, y, w, h, tuple(lines), size, role, **style)  # type: ignore[arg-type]


def _label_lines(text: str, span: float, size: int) -> list[str]:
    """``text`` wrapped to fit ``span`` px, or to :data:`_LABEL_CELLS` if that is wider."""
    cell = ADVANCE * size
    room = int((span - 2 * _PAD - 16) / cell)
    lines = wrap(text, max(room, min(_cells(text), _LABEL_CELLS), 8))
    if len(lines) > _MAX_LINES:
        lines = [*lines[: _MAX_LINES - 1], lines[_MAX_LINES - 1] + " …"]
    return lines


_STATUS_COLOUR = {"passed": "#1a7f37", "failed": "#c62828", "skipped": "#777"}
_CALL, _RESULT, _ERROR, _BAD, _EVENT = "#333", "#666", "#a15c00", "#c62828", "#1f5fbf"


class _Diagram:
    """Lays out the lifelines and rows below ``top``; collects boxes and shapes."""

    def __init__(self, result: ScenarioResult, top: float) -> None:
        self.result = result
        self.names = ["RTM", *_participants(result)]
        self.boxes: list[Box] = []
        self.shapes: list[str] = []
        self.time_w = text_width("+0000.000s", _SMALL) + 2 * _PAD
        self.left = _M + self.time_w + 12  # nothing but times left of this
        widths = [text_width(n, _BODY) + 2 * _PAD + 12 for n in self.names]
        self.x: dict[str, float] = {}
        at = self.left + widths[0] / 2
        for i, name in enumerate(self.names):
            if i:
                at += max(_MIN_COL, (widths[i - 1] + widths[i]) / 2 + 16)
            self.x[name] = at
        self.name_w = dict(zip(self.names, widths, strict=True))
        self.top = top
        self.y = top + _line_height(_BODY) + 2 * _PAD + 10

    def names_row(self, y: float) -> None:
        for name in self.names:
            w = self.name_w[name] - 12
            colour = "#fff4d6" if name == "RTM" else "#eef1fb"
            height = _line_height(_BODY) + 2 * _PAD
            self.boxes.append(
                Box(self.x[name] - w / 2, y, w, height, (name,), _BODY, "name", bold=True,
                    background=colour, border="#447")
            )  # fmt: skip

    def arrow(
        self, src: str, dst: str, label: str, colour: str, dash: str, cross: bool, small: bool
    ) -> None:
        x1, x2 = self.x[src], self.x[dst]
        a, b = min(x1, x2), max(x1, x2)
        size = _SMALL if small else _BODY
        lines = _label_lines(label, b - a, size)
        box = _box(0, self.y + 1, lines, size, "label", fill=colour, background="#ffffff")
        x = max(self.left, (a + b) / 2 - box.w / 2)
        box = attrs.evolve(box, x=x)
        self.boxes.append(box)
        y = box.y + box.h + 3
        tip = x2 - 7 if x2 > x1 else x2 + 7
        style = f' stroke-dasharray="{dash}"' if dash else ""
        self.shapes.append(
            f'<line x1="{x1:g}" y1="{y:g}" x2="{x2:g}" y2="{y:g}" stroke="{colour}"'
            f' stroke-width="1.3"{style}/>'
        )
        if cross:
            self.shapes.append(
                f'<path d="M{tip - 4:g},{y - 4:g} l8,8 m0,-8 l-8,8" stroke="{colour}"'
                f' stroke-width="1.6"/>'
            )
        else:
            self.shapes.append(
                f'<polygon points="{x2:g},{y:g} {tip:g},{y - 4:g} {tip:g},{y + 4:g}"'
                f' fill="{colour}"/>'
            )
        self.y = y + 6

    def note(self, at: str, text: str, fill: str, background: str, border: str) -> None:
        lines = wrap(text, _LABEL_CELLS)
        box = _box(
            self.x[at] + 8, self.y + 2, lines, _SMALL, "note", fill=fill,
            background=background, border=border,
        )  # fmt: skip
        self.boxes.append(box)
        self.y = box.y + box.h + 5

    def time(self, at_ms: int, rule: bool, right: float) -> None:
        label = f"+{at_ms / 1000:.3f}s"
        self.boxes.append(_box(_M, self.y + 2, [label], _SMALL, "time", fill="#555"))
        if rule:
            self.shapes.append(
                f'<line x1="{_M:g}" y1="{self.y:g}" x2="{right:g}" y2="{self.y:g}"'
                f' stroke="#dde" stroke-width="1"/>'
            )

    def record(self, r: Record) -> None:
        if r.kind == "call":
            if _settles(r) is None:
                self.arrow(r.actor, "RTM", _shorten(r.text), _CALL, "", False, False)
            colour = _BAD if not r.ok else _ERROR if r.outcome.startswith("error") else _RESULT
            self.arrow("RTM", r.actor, _result_label(r), colour, "6 3", not r.ok, r.ok)
        elif r.kind == "event":
            label = _channel_label(r.channel) + _shorten(r.text)
            self.arrow("RTM", r.actor, label, _EVENT, "2 3", False, False)
        elif r.kind == "hook":
            self.note("RTM", f"RTM: {_shorten(r.text)}", "#5a4500", "#fff4d6", "#c9a227")
        else:
            self.note(r.actor, f"link {_shorten(r.text)}", "#2f5d3a", "#eaf5ec", "#8bb596")

    def lay_out(self, right: float) -> None:
        self.names_row(self.top)
        last: int | None = None
        for n, r in enumerate(self.result.records):
            if r.at_ms is not None and r.at_ms != last:
                self.time(r.at_ms, n > 0, right)
                last = r.at_ms
            self.record(r)
        bottom = self.y + 6
        if len(self.result.records) > 30:
            self.names_row(bottom)
        for name in self.names:
            self.shapes.insert(
                0,
                f'<line x1="{self.x[name]:g}" y1="{self.top:g}" x2="{self.x[name]:g}"'
                f' y2="{bottom:g}" stroke="#aab" stroke-dasharray="4 3"/>',
            )
        self.y = bottom + (_line_height(_BODY) + 2 * _PAD if len(self.result.records) > 30 else 0)

    @property
    def right(self) -> float:
        return max([b.x + b.w for b in self.boxes] + [self.x[n] + 8 for n in self.names])


_LEGEND = (
    "solid arrow: a call · dashed: its result (✗ red: unexpected) · "
    "blue dotted: an event (presence, message, topic) [channel] · "
    "boxes: service hooks, link states"
)


def _header_boxes(result: ScenarioResult, width: float) -> tuple[list[Box], float]:
    """The title, rules, status, description, failures and legend above the diagram."""
    sc = result.scenario
    boxes: list[Box] = []
    y = float(_M)

    def block(lines: list[str], size: int, gap: float = 2, **style: str | bool | None) -> None:
        nonlocal y
        if lines:
            boxes.append(_box(_M, y, lines, size, "header", **style))
            y = boxes[-1].y + boxes[-1].h + gap

    def cells(size: int) -> int:
        return min(max(int((width - 2 * _M - 2 * _PAD) / (ADVANCE * size)), 20), _HEADER_CELLS)

    block(wrap(sc.id, cells(_TITLE)), _TITLE, bold=True)
    block(wrap(sc.title, cells(_BODY + 1)), _BODY + 1, bold=True)
    status = _STATUS_COLOUR.get(result.status, "#222")
    block([f"rules {', '.join(sc.rules)} · status {result.status}"], _BODY, 6, fill=status)
    block(wrap_description(sc.description, cells(_BODY)), _BODY, 6, fill="#333")
    failures = [
        line
        for f in result.failures
        for line in wrap(f"✗ {_shorten(f, 3 * _LABEL)}", cells(_BODY), "  ")
    ]
    block(failures, _BODY, 6, fill=_BAD)
    block(wrap(_LEGEND, cells(_SMALL)), _SMALL, 10, fill="#777")
    return boxes, y


def svg_layout(result: ScenarioResult) -> Layout:
    """Lay out the SVG of ``result``: every text box, every shape, the image size."""
    draft = _Diagram(result, 0)
    draft.lay_out(0)
    width = max(draft.right + _M, 760)
    header, top = _header_boxes(result, width)
    diagram = _Diagram(result, top)
    diagram.lay_out(width - _M)
    right = max([diagram.right] + [b.x + b.w for b in header])
    return Layout(
        width=int(max(width, right + _M) + 0.999),
        height=int(diagram.y + _M + 0.999),
        boxes=(*header, *diagram.boxes),
        shapes=tuple(diagram.shapes),
    )


def _svg_box(box: Box) -> list[str]:
    out = []
    if box.background or box.border:
        out.append(
            f'<rect x="{box.x:g}" y="{box.y:g}" width="{box.w:g}" height="{box.h:g}" rx="3"'
            f' fill="{box.background or "none"}" stroke="{box.border or "none"}"/>'
        )
    lh = _line_height(box.size)
    middle = box.role == "name"
    x = box.x + box.w / 2 if middle else box.x + _PAD
    anchor = ' text-anchor="middle"' if middle else ""
    weight = ' font-weight="bold"' if box.bold else ""
    for i, line in enumerate(box.lines):
        base = box.y + _PAD + i * lh + (lh - box.size) / 2 + 0.8 * box.size
        out.append(
            f'<text x="{x:g}" y="{base:g}" font-size="{box.size}" fill="{box.fill}"'
            f'{anchor}{weight} xml:space="preserve">{escape(line, quote=False)}</text>'
        )
    return out


def render_svg(result: ScenarioResult) -> str:
    """A standalone SVG: the scenario's purpose on top, then one lifeline per participant.

    Rows run down in time: calls (solid), their results (dashed, unexpected ones red
    with a cross), events naming their channel (blue, dotted), hooks and link states
    as notes; the time is in the left column.
    """
    layout = svg_layout(result)
    w, h = layout.width, layout.height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="{FONT}">',
        f"<title>{escape(_header(result)[0], quote=False)}</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        *layout.shapes,
    ]
    for box in layout.boxes:
        parts.extend(_svg_box(box))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def render(result: ScenarioResult, fmt: str) -> str:
    """Render in one of :data:`FORMATS`.

    Raises:
        ValueError: for an unknown format.
    """
    renderers = (render_text, render_json, render_mermaid, render_svg)  # FORMATS' order
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    return renderers[FORMATS.index(fmt)](result)
