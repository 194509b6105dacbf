"""The presence lifecycle as one table (R-L1, R-E1..R-E4, R-E6, R-T2).

Theory of operation
-------------------
To the other users of a channel, a user is in one of three conditions:

* ``ABSENT``  - not present;
* ``QUIET``   - present but invisible (entered with ``beQuiet=true``, R-E4);
* ``VISIBLE`` - present and listed by ``getOnlineUsers``.

Every operation that changes presence moves one (user, channel) pair from one
condition to another, for a cause: ``ENTER`` (subscribe / join, also a repeated one,
R-L1, and a late reconnect), ``LEAVE`` (unsubscribe / leave / logout / kick, R-E2) or
``TIMEOUT`` (R-T2).  :data:`TRANSITIONS` says what the others are told about each move;
the engine looks the move up here and nowhere decides it on its own.

What the user itself receives does not depend on the move: on every ``ENTER`` a
listening user gets a fresh ``SNAPSHOT`` (R-E1, R-L1), or ``ERROR_OUT_OF_SERVICE`` while
the channel's presence service is down (R-E8).
"""

from __future__ import annotations

import enum

__all__ = ["TRANSITIONS", "Announce", "Cause", "Condition", "announcement", "render_markdown"]


class _Enum(enum.Enum):
    """An enum hashed by identity, in C (members are singletons compared by identity);
    ``Enum.__hash__`` is a Python-level call, paid on every table lookup.  Nothing
    iterates a set of these, so the per-run hash values never reach an output.
    """

    __hash__ = object.__hash__


class Condition(_Enum):
    """How a user stands in a channel, as the other users see it."""

    ABSENT = "absent"
    QUIET = "quiet"
    VISIBLE = "visible"


class Cause(_Enum):
    """What moved the user."""

    ENTER = "enter"
    LEAVE = "leave"
    TIMEOUT = "timeout"


class Announce(_Enum):
    """What the other listening users of the channel are told."""

    NOTHING = "nothing"
    #: ``REMOTE_JOIN``, then ``REMOTE_STATE_CHANGED`` if the user has state; a pending
    #: debounced leave of the user absorbs both (R-E6).
    JOIN = "REMOTE_JOIN"
    #: ``REMOTE_LEAVE`` now (a visible user turning quiet, R-L1).
    LEAVE = "REMOTE_LEAVE"
    #: ``REMOTE_LEAVE`` after ``debounce`` seconds unless the user re-enters (R-E6).
    DEBOUNCED_LEAVE = "REMOTE_LEAVE (debounced)"
    #: ``REMOTE_TIMEOUT`` now (never debounced, R-T2).
    TIMEOUT = "REMOTE_TIMEOUT"


A, Q, V = Condition.ABSENT, Condition.QUIET, Condition.VISIBLE

#: (before, after, cause) -> what the others are told, with the rules behind it.
TRANSITIONS: dict[tuple[Condition, Condition, Cause], tuple[Announce, str]] = {
    (A, V, Cause.ENTER): (Announce.JOIN, "R-E1"),
    (A, Q, Cause.ENTER): (Announce.NOTHING, "R-E4"),
    (V, V, Cause.ENTER): (Announce.NOTHING, "R-L1"),
    (Q, Q, Cause.ENTER): (Announce.NOTHING, "R-L1"),
    (V, Q, Cause.ENTER): (Announce.LEAVE, "R-L1"),
    (Q, V, Cause.ENTER): (Announce.JOIN, "R-L1"),
    (V, A, Cause.LEAVE): (Announce.DEBOUNCED_LEAVE, "R-E2, R-E6"),
    (Q, A, Cause.LEAVE): (Announce.NOTHING, "R-E4"),
    (V, A, Cause.TIMEOUT): (Announce.TIMEOUT, "R-T2"),
    (Q, A, Cause.TIMEOUT): (Announce.NOTHING, "R-E4"),
}


def announcement(before: Condition, after: Condition, cause: Cause) -> Announce:
    """What the others are told when a user moves from ``before`` to ``after``."""
    return TRANSITIONS[(before, after, cause)][0]


def condition(present: bool, quiet: bool) -> Condition:
    """The condition of a user that is (or is not) present, quietly or not."""
    if not present:
        return Condition.ABSENT
    return Condition.QUIET if quiet else Condition.VISIBLE


def render_markdown() -> str:
    """The table as Markdown, for ``docs/semantics.md``."""
    lines = [
        "| before | after | cause | the others are told | rules |",
        "|---|---|---|---|---|",
    ]
    for (before, after, cause), (announce, rules) in TRANSITIONS.items():
        lines.append(
            f"| {before.value} | {after.value} | {cause.value} | {announce.value} | {rules} |"
        )
    return "\n".join(lines) + "\n"
