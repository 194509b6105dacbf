"""What a conformance run produces: the timeline's records and the results of a scenario
and of a suite, each with its JSON-ready form (the ``--report`` file)."""

from __future__ import annotations

from typing import Any

import attrs

from ._scenario import Scenario

__all__ = ["Record", "ScenarioResult", "SuiteResult"]


@attrs.frozen
class Record:
    """One line of a scenario's timeline: a call, a hook, an event or a link change.

    ``kind`` is ``"call"``, ``"hook"``, ``"event"`` or ``"link"``; ``actor`` is the
    calling client (calls), ``"RTM"`` (hooks) or the receiving client (events, links);
    ``channel`` is ``(channel_type, channel_name)`` or ``None``; ``at_ms`` is the time
    since the start in ms (``None`` when the target has no clock).
    """

    kind: str
    actor: str
    text: str
    at_ms: int | None
    channel: tuple[str, str] | None = None
    outcome: str = ""
    ok: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "actor": self.actor,
            "text": self.text,
            "atMs": self.at_ms,
            "channel": list(self.channel) if self.channel else None,
            "outcome": self.outcome,
            "ok": self.ok,
        }


@attrs.frozen
class ScenarioResult:
    """What happened when a scenario ran: status, failures and the timeline."""

    scenario: Scenario
    status: str  # "passed" | "failed" | "skipped"
    failures: tuple[str, ...] = ()
    records: tuple[Record, ...] = ()

    @property
    def passed(self) -> bool:
        """True when the scenario passed."""
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.scenario.id,
            "rules": list(self.scenario.rules),
            "title": self.scenario.title,
            "status": self.status,
            "failures": list(self.failures),
            "records": [r.to_dict() for r in self.records],
        }


@attrs.frozen
class SuiteResult:
    """The results of a suite run, in scenario order."""

    results: tuple[ScenarioResult, ...]

    def count(self, status: str) -> int:
        """How many scenarios ended with ``status``."""
        return sum(1 for r in self.results if r.status == status)

    @property
    def ok(self) -> bool:
        """True when no scenario failed."""
        return self.count("failed") == 0

    def summary(self) -> str:
        """``"N passed, N failed, N skipped"``."""
        return (
            f"{self.count('passed')} passed, {self.count('failed')} failed, "
            f"{self.count('skipped')} skipped"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``--report`` file)."""
        return {
            "summary": {s: self.count(s) for s in ("passed", "failed", "skipped")},
            "scenarios": [
                {k: v for k, v in r.to_dict().items() if k != "records"} for r in self.results
            ],
        }
