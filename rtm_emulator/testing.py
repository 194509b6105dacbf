"""Assertions for test suites: ``assert_events`` compares what a user received.

    from rtm_emulator.testing import assert_events
    assert_events(emu, "me", [("SNAPSHOT", ""), ("REMOTE_JOIN", "bob")])

The expected list holds ``(event_type, publisher)`` pairs, or dicts of the SDK JSON
fields a test cares about (``{"eventType": "REMOTE_STATE_CHANGED", "publisher": "bob",
"stateChanged": {"seat": "3"}}``; ``"seq"`` may be given too).  On a mismatch the
``AssertionError`` shows both lists side by side, marks the rows that differ, and adds
the recipient's timeline; when the journal's retention bound
(``Emulator(journal_max_entries=N)``) dropped deliveries, it says how many.

Failure reports show no frame of this module: pytest skips the helpers' frames
(``__tracebackhide__``) and so does unittest (the module's ``__unittest`` flag), so a
failing test's report goes from the test's own line straight to the diff.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from ._emulator import Emulator
from ._events import PresenceEvent
from ._journal import Journal, JournalEntry
from ._scripting import drive

__all__ = ["assert_events", "drive", "received"]

#: unittest leaves this module's frames out of its failure tracebacks
__unittest = True

Expected = tuple[str, str] | Mapping[str, Any]


class _Shown(NamedTuple):
    """What an ``assert_events`` failure message showed of an emulator's journal.

    Attached to the ``AssertionError`` (attribute ``_SHOWN_ATTRIBUTE``) so that the
    pytest plugin's journal section leaves out what the message already has.
    """

    emulator: Emulator
    recipient: str
    entries: tuple[JournalEntry, ...]


#: the attribute of an ``assert_events`` ``AssertionError`` that holds its ``_Shown``
_SHOWN_ATTRIBUTE = "_rtm_emulator_shown"


def _shown_by(error: BaseException | None) -> _Shown | None:
    """The journal entries an ``assert_events`` failure showed, or ``None`` for any
    other exception (or none)."""
    shown = getattr(error, _SHOWN_ATTRIBUTE, None)
    return shown if isinstance(shown, _Shown) else None


def received(
    emu: Emulator, recipient: str, *, channel: str | None = None, app_id: str | None = None
) -> list[PresenceEvent]:
    """The presence events ``recipient`` received so far (from ``emu.journal``).

    Raises nothing (an emulator with ``journal=False`` gives an empty list).
    """
    journal = emu.journal.filter(recipient=recipient, channel=channel, app_id=app_id)
    return [event for _, event in journal if isinstance(event, PresenceEvent)]


def _matches(expected: Expected, event: PresenceEvent) -> bool:
    if isinstance(expected, Mapping):
        actual = event.to_dict()
        actual["seq"] = event.seq
        return all(key in actual and actual[key] == value for key, value in expected.items())
    event_type, publisher = expected
    return event.event_type.value == str(event_type) and event.publisher == publisher


def _show_expected(expected: Expected) -> str:
    if isinstance(expected, Mapping):
        return "{" + ", ".join(f"{k}={v!r}" for k, v in expected.items()) + "}"
    return f"{expected[0]} {expected[1]!r}"


def _show_event(event: PresenceEvent, start_ms: int) -> str:
    text = f"{event.event_type.value} {event.publisher!r}"
    if event.event_type.value == "REMOTE_STATE_CHANGED":
        text += f" {dict(event.state_changed)}"
    elif event.event_type.value == "SNAPSHOT":
        text += " [" + ", ".join(u.user_id for u in event.snapshot or ()) + "]"
    return f"{text}  (seq {event.seq}, +{(event.timestamp - start_ms) / 1000:.3f}s)"


def assert_events(
    emu: Emulator,
    recipient: str,
    expected: Sequence[Expected],
    *,
    channel: str | None = None,
    app_id: str | None = None,
) -> None:
    """Assert that ``recipient``'s presence events so far are exactly ``expected``.

    ``channel`` / ``app_id`` narrow the events compared.  Link-state events are not
    compared (see ``emu.journal`` for those).

    With a bounded journal (``Emulator(journal_max_entries=N)``) only the deliveries it
    kept are compared; a failure then says how many earlier ones it dropped.

    Raises:
        AssertionError: with a side-by-side diff and the recipient's timeline when the
            events differ in number, order or content.
        TypeError: when an expected item is neither a pair nor a mapping.
        RuntimeError: when the emulator's journal is off (``Emulator(journal=False)``).
    """
    __tracebackhide__ = True  # pytest: the report shows the caller's line, then the diff
    if not emu.journal_enabled:
        raise RuntimeError("assert_events needs the journal: the emulator has journal=False")
    for item in expected:
        if not isinstance(item, Mapping) and not (isinstance(item, tuple) and len(item) == 2):
            raise TypeError(f"expected items are (event_type, publisher) or dicts, got {item!r}")
    actual = received(emu, recipient, channel=channel, app_id=app_id)
    rows = max(len(expected), len(actual))
    ok = len(expected) == len(actual) and all(
        _matches(e, a) for e, a in zip(expected, actual, strict=True)
    )
    if ok:
        return
    start = emu.config.start_time_ms
    left = [_show_expected(e) for e in expected]
    width = max([len(s) for s in left] + [len("expected")]) + 2
    where = f" in {channel!r}" if channel is not None else ""
    lines = [
        f"presence events received by {recipient!r}{where} do not match "
        f"({len(expected)} expected, {len(actual)} received):",
    ]
    dropped = emu.journal._dropped_note()
    if dropped:  # the received list may lack the earliest events
        lines.append(f"({dropped}: the earliest events received may be missing)")
    lines.append(f"        {'expected':<{width}}received")
    for i in range(rows):
        exp = left[i] if i < len(expected) else "-"
        got = _show_event(actual[i], start) if i < len(actual) else "-"
        same = i < len(expected) and i < len(actual) and _matches(expected[i], actual[i])
        mark = " " if same else ("+" if i >= len(expected) else "-" if i >= len(actual) else "!")
        lines.append(f"  {mark} {i + 1:>2}  {exp:<{width}}{got}")
    lines.append("")
    lines.append(f"what {recipient!r} received, by channel:")
    timeline = Journal(e for e in emu.journal.entries if e.recipient == recipient)
    lines.append(timeline.timeline(start_ms=start).rstrip())  # the drops are said above
    error = AssertionError("\n".join(lines))
    setattr(error, _SHOWN_ATTRIBUTE, _Shown(emu, recipient, tuple(timeline.entries)))
    raise error
