"""Render a scenario run: text timeline, JSON, Mermaid sequence diagram, standalone SVG."""

from __future__ import annotations

import json
from html import escape

from ._runner import ScenarioResult

__all__ = ["FORMATS", "render", "render_json", "render_mermaid", "render_svg", "render_text"]

FORMATS = ("text", "json", "mermaid", "svg")


def _time(at_ms: int | None) -> str:
    return "       " if at_ms is None else f"+{at_ms / 1000:.3f}s"


def _channel_title(channel: tuple[str, str] | None) -> str:
    return (
        "(connection, time, queries across channels)"
        if channel is None
        else (f"{channel[1]} ({channel[0]})")
    )


def render_text(result: ScenarioResult) -> str:
    """A per-channel timeline: time, actor, action and what each user received."""
    sc = result.scenario
    out = [f"{sc.id}: {sc.title}", f"rules: {', '.join(sc.rules)}", f"status: {result.status}"]
    for failure in result.failures:
        out.append(f"  ! {failure}")
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


def render_json(result: ScenarioResult) -> str:
    """The run as JSON (scenario, status, failures, timeline records)."""
    return json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n"


def _participants(result: ScenarioResult) -> list[str]:
    names: list[str] = []
    for r in result.records:
        if r.actor != "RTM" and r.actor not in names:
            names.append(r.actor)
    return names


def _mermaid_text(text: str) -> str:
    return text.replace(";", ",").replace("#", "").replace("{", "(").replace("}", ")")


def render_mermaid(result: ScenarioResult) -> str:
    """A Mermaid ``sequenceDiagram``: calls to the service, events back to the users."""
    sc = result.scenario
    lines = ["sequenceDiagram", f"    title {_mermaid_text(sc.id)}"]
    for name in _participants(result):
        lines.append(f"    participant {name}")
    lines.append("    participant RTM")
    last_time: int | None = None
    for r in result.records:
        if r.at_ms is not None and r.at_ms != last_time:
            lines.append(f"    Note over RTM: +{r.at_ms / 1000:.3f}s")
            last_time = r.at_ms
        text = _mermaid_text(r.text)
        if r.kind == "call":
            lines.append(f"    {r.actor}->>RTM: {text}")
            if r.outcome != "ok":
                lines.append(f"    RTM-->>{r.actor}: {_mermaid_text(r.outcome)}")
        elif r.kind == "hook":
            lines.append(f"    Note over RTM: {text}")
        elif r.kind == "event":
            lines.append(f"    RTM-->>{r.actor}: {text}")
        else:
            lines.append(f"    Note over {r.actor}: link {text}")
    return "\n".join(lines) + "\n"


def render_svg(result: ScenarioResult) -> str:
    """A standalone SVG timeline: one lifeline per user and the service, a row a record."""
    names = [*_participants(result), "RTM"]
    col, row, left, top = 190, 26, 80, 70
    sc = result.scenario
    title = f"{sc.id}: {sc.title}"
    width = max(left + col * len(names) + 160, 20 + 8 * len(title))
    height = top + row * (len(result.records) + 1) + 20
    x = {name: left + col * i + col // 2 for i, name in enumerate(names)}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="monospace" font-size="11">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<text x="10" y="38">rules {escape(", ".join(sc.rules))} - {escape(result.status)}</text>',
    ]
    for name in names:
        parts.append(
            f'<rect x="{x[name] - 60}" y="{top - 22}" width="120" height="20" rx="4" '
            f'fill="#eef" stroke="#447"/>'
        )
        parts.append(
            f'<text x="{x[name]}" y="{top - 8}" text-anchor="middle">{escape(name)}</text>'
        )
        parts.append(
            f'<line x1="{x[name]}" y1="{top}" x2="{x[name]}" y2="{height - 10}" '
            f'stroke="#99a" stroke-dasharray="4 3"/>'
        )
    for i, r in enumerate(result.records):
        y = top + row * (i + 1)
        if r.at_ms is not None:
            parts.append(f'<text x="10" y="{y + 4}" fill="#666">+{r.at_ms / 1000:.3f}s</text>')
        colour = "#222" if r.ok else "#c00"
        if r.kind in ("call", "event"):
            src, dst = (r.actor, "RTM") if r.kind == "call" else ("RTM", r.actor)
            dash = "" if r.kind == "call" else ' stroke-dasharray="5 3"'
            x1, x2 = x[src], x[dst]
            tip = x2 - 6 if x2 > x1 else x2 + 6
            parts.append(
                f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{colour}"{dash}/>'
                f'<polygon points="{x2},{y} {tip},{y - 4} {tip},{y + 4}" fill="{colour}"/>'
            )
            label = r.text + (f" -> {r.outcome}" if r.kind == "call" and r.outcome != "ok" else "")
            parts.append(
                f'<text x="{(x1 + x2) // 2}" y="{y - 4}" text-anchor="middle" '
                f'fill="{colour}">{escape(label)}</text>'
            )
        else:
            where = x["RTM"] if r.kind == "hook" else x[r.actor]
            text = r.text if r.kind == "hook" else f"link {r.text}"
            parts.append(f'<text x="{where + 8}" y="{y + 4}" fill="#375">[{escape(text)}]</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def render(result: ScenarioResult, fmt: str) -> str:
    """Render in one of :data:`FORMATS`.

    Raises:
        ValueError: for an unknown format.
    """
    renderers = {
        "text": render_text,
        "json": render_json,
        "mermaid": render_mermaid,
        "svg": render_svg,
    }
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    return renderers[fmt](result)
