"""The presence lifecycle of one member in one channel, as data (R-L1, R-E1..R-E6, R-T2).

Theory of operation.  What the server (``_server``) does with a member's *document*
when the member enters, enters again with other options, leaves, comes back within the
debounce window, times out or is kicked, and which event the channel's listeners get
for it (``_views`` derives the event; nobody hears about itself).  A document is
:attr:`Doc.ABSENT` (none: the member is not there, or is quiet), :attr:`Doc.PRESENT`
(listed, counted, carrying the member's state) or :attr:`Doc.LINGERING` (its member
left, R-E6: still listed and counted with its last fields until the debounce ends).
:data:`TRANSITIONS` lists every transition; ``docs/semantics.md`` renders it next to
the link-state machine (generated, checked fresh by a test), and a test drives the
emulator through every row and compares the document and the events with it.
"""

from __future__ import annotations

import enum

import attrs

from ._types import PresenceEventType

__all__ = ["TRANSITIONS", "Doc", "Transition", "render_markdown"]


class Doc(enum.Enum):
    """Where a member's document is."""

    ABSENT = "absent"
    PRESENT = "present"
    LINGERING = "lingering"


@attrs.frozen
class Transition:
    """One change of a member's document and what the listeners hear of it."""

    #: what the member (or the server) does, for the docs
    trigger: str
    before: Doc
    after: Doc
    #: the event each listener gets (``None``: nothing)
    event: PresenceEventType | None
    rules: str
    #: a note on the event, for the docs
    note: str = ""


_A, _P, _L = Doc.ABSENT, Doc.PRESENT, Doc.LINGERING
_E = PresenceEventType

#: Every transition of a member's document, by name.
TRANSITIONS: dict[str, Transition] = {
    "enter": Transition(
        "a visible member subscribes / joins",
        _A,
        _P,
        _E.REMOTE_JOIN,
        "R-E1, R-S4",
        "then `REMOTE_STATE_CHANGED` when its cached state has a field the SDK reports",
    ),
    "enter_quiet": Transition("a quiet member subscribes / joins", _A, _A, None, "R-E4"),
    "reenter": Transition(
        "a visible member enters again within the debounce",
        _L,
        _P,
        None,
        "R-E6",
        "`REMOTE_STATE_CHANGED` instead when the document's fields change",
    ),
    "reenter_quiet": Transition(
        "a quiet member enters again within the debounce", _L, _A, _E.REMOTE_LEAVE, "R-E6"
    ),
    "go_quiet": Transition(
        "a visible member enters again with `beQuiet`", _P, _A, _E.REMOTE_LEAVE, "R-L1"
    ),
    "go_visible": Transition(
        "a quiet member enters again without `beQuiet`", _A, _P, _E.REMOTE_JOIN, "R-L1"
    ),
    "leave": Transition("a visible member unsubscribes / leaves / logs out", _P, _L, None, "R-E6"),
    "kicked": Transition(
        "a visible member's user id logs in elsewhere", _P, _L, None, "R-E6, R-T4"
    ),
    "debounce_ends": Transition(
        "the debounce window of a lingering document ends", _L, _A, _E.REMOTE_LEAVE, "R-E2, R-E6"
    ),
    "leave_undebounced": Transition(
        "a visible member leaves while `debounce` is 0", _P, _A, _E.REMOTE_LEAVE, "R-E2"
    ),
    "timeout": Transition(
        "the server times an unreachable visible member out",
        _P,
        _A,
        _E.REMOTE_TIMEOUT,
        "R-T2",
        "never debounced",
    ),
    "leave_quiet": Transition("a quiet member leaves or times out", _A, _A, None, "R-E4"),
}


def render_markdown() -> str:
    """The lifecycle table as Markdown (for ``docs/semantics.md``)."""
    lines = [
        "| transition | trigger | document before | document after | listeners get | rules |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in TRANSITIONS.items():
        event = "nothing" if row.event is None else f"`{row.event.value}`"
        if row.note:
            event += f" ({row.note})"
        lines.append(
            f"| `{name}` | {row.trigger} | {row.before.value} | {row.after.value} "
            f"| {event} | {row.rules} |"
        )
    return "\n".join(lines) + "\n"
