"""Run scenarios against a target and judge the outcome.

A *target* is a factory ``target(config) -> world``: ``config`` is the scenario's
``EmulatorConfig`` fields as a dict, and the world offers the client surface of
``api.md`` (``world.client(user_id, app_id=..., config=...)`` returning an object with
``login``, ``subscribe``, ``createStreamChannel``, ``presence.whoNow``, ...,
``addEventListener``) plus whichever service hooks it supports (``advance``,
``disconnect``, ``reconnect``, ``set_presence_available``) and, for timestamp checks,
``now_ms``.  A scenario that needs a hook the world lacks is *skipped*, never passed;
a factory that cannot honour a config raises :class:`Unsupported` to skip.

Client calls may return values or awaitables (a real-service adapter is async); the
runner awaits them on its own event loop.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from .._config import EmulatorConfig
from .._emulator import Emulator
from ._scenario import Scenario, Step

__all__ = [
    "Record",
    "ScenarioResult",
    "SuiteResult",
    "Target",
    "Unsupported",
    "emulator_target",
    "run_scenario",
    "run_suite",
]

Target = Callable[[Mapping[str, Any]], Any]


class Unsupported(Exception):
    """Raised by a target factory (or world) for something it cannot do: skips a scenario."""


def emulator_target(config: Mapping[str, Any]) -> Emulator:
    """The built-in target: a strict :class:`~rtm_emulator.Emulator` with the config."""
    return Emulator(EmulatorConfig(**config), strict=True)


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


# ----------------------------------------------------------------- helpers


def _channel_of(step: Step) -> tuple[str, str] | None:
    a = step.args
    if step.call in ("subscribe", "unsubscribe") and a:
        return ("MESSAGE", str(a[0]))
    if step.call in ("join", "leave") and a:
        return ("STREAM", str(a[0]))
    if step.call in ("whoNow", "getOnlineUsers", "setState", "removeState") and len(a) >= 2:
        return (str(a[1]), str(a[0]))
    if step.call == "getState" and len(a) >= 3:
        return (str(a[2]), str(a[1]))
    if step.call == "set_presence_available" and len(a) >= 2:
        return (str(a[1]), str(a[0]))
    return None


def _describe_step(step: Step) -> str:
    parts = [step.call] + [repr(a) if not isinstance(a, str) else a for a in step.args]
    if step.options is not None:
        parts.append(json.dumps(dict(step.options), separators=(", ", ": ")))
    return " ".join(parts)


def _as_dict(value: Any) -> Any:
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    return value


def _subset(expected: Any, actual: Any) -> bool:
    """``expected`` matches ``actual``: dicts by the expected keys, lists item by item."""
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(
            k in actual and _subset(v, actual[k]) for k, v in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, (list, tuple))
            and len(expected) == len(actual)
            and all(_subset(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return bool(expected == actual)


def _error_code(exc: BaseException) -> int | None:
    for name in ("error_code", "errorCode"):
        code = getattr(exc, name, None)
        if isinstance(code, int):
            return int(code)
    return None


def _event_dict(event: Any) -> dict[str, Any]:
    body = dict(_as_dict(event))
    seq = getattr(event, "seq", None)
    if seq is not None:
        body["seq"] = seq
    return body


def _describe_event(body: Mapping[str, Any]) -> str:
    kind = body.get("eventType", "?")
    if body.get("snapshot") is not None:
        users = ", ".join(
            u["userId"] + (f" {u['states']}" if u.get("states") else "") for u in body["snapshot"]
        )
        return f"{kind} [{users}]"
    if body.get("interval") is not None:
        i = body["interval"]
        bits = [f"total={i['totalOccupancy']}"]
        for name in ("join", "leave", "timeout"):
            if i[name]["users"]:
                bits.append(f"{name}={i[name]['users']}")
        if i["userStateList"]:
            bits.append("states=" + str({u["userId"]: u["states"] for u in i["userStateList"]}))
        return f"{kind} " + " ".join(bits)
    if kind == "REMOTE_STATE_CHANGED":
        return f"{kind} {body.get('publisher')} {body.get('stateChanged')}"
    publisher = body.get("publisher") or ""
    return f"{kind} {publisher}".rstrip()


def _expected_event(item: Any) -> dict[str, Any]:
    if isinstance(item, list):
        spec: dict[str, Any] = {"type": item[0]}
        if len(item) > 1:
            spec["publisher"] = item[1]
        if len(item) > 2:
            spec["at"] = item[2]
        return spec
    return dict(item)


def _match_event(spec: Mapping[str, Any], body: Mapping[str, Any], start: int | None) -> str | None:
    """``None`` when ``body`` (SDK JSON) satisfies ``spec``; else what differs."""
    if body.get("eventType") != spec.get("type"):
        return f"type {body.get('eventType')!r} != {spec.get('type')!r}"
    if "publisher" in spec and body.get("publisher") != spec["publisher"]:
        return f"publisher {body.get('publisher')!r} != {spec['publisher']!r}"
    if "channel" in spec and body.get("channelName") != spec["channel"]:
        return f"channel {body.get('channelName')!r} != {spec['channel']!r}"
    if "channelType" in spec and body.get("channelType") != spec["channelType"]:
        return f"channelType {body.get('channelType')!r} != {spec['channelType']!r}"
    if "at" in spec and start is not None:
        at = round(float(spec["at"]) * 1000)
        if body.get("timestamp") != start + at:
            got = body.get("timestamp")
            shown = "?" if not isinstance(got, int) else f"{(got - start) / 1000:.3f}"
            return f"at {shown} s != {at / 1000:.3f} s"
    if "state" in spec and dict(body.get("stateChanged") or {}) != dict(spec["state"]):
        return f"stateChanged {body.get('stateChanged')} != {spec['state']}"
    if "snapshot" in spec:
        got_users = body.get("snapshot") or []
        want = list(spec["snapshot"])
        if [u["userId"] for u in got_users] != [
            w if isinstance(w, str) else w["userId"] for w in want
        ]:
            return f"snapshot {[u['userId'] for u in got_users]} != {want}"
        for w, u in zip(want, got_users, strict=True):
            if isinstance(w, Mapping) and "states" in w and dict(u["states"]) != dict(w["states"]):
                return f"snapshot state of {u['userId']!r} {u['states']} != {w['states']}"
    if "interval" in spec:
        i = body.get("interval") or {}
        want_i = spec["interval"]
        for name in ("join", "leave", "timeout"):
            if name in want_i and list(i.get(name, {}).get("users", [])) != list(want_i[name]):
                return f"interval.{name} {i.get(name, {}).get('users')} != {want_i[name]}"
        if "total" in want_i and i.get("totalOccupancy") != want_i["total"]:
            return f"interval.totalOccupancy {i.get('totalOccupancy')} != {want_i['total']}"
        if "states" in want_i:
            got_states = {u["userId"]: dict(u["states"]) for u in i.get("userStateList", [])}
            if got_states != {k: dict(v) for k, v in want_i["states"].items()}:
                return f"interval.userStateList {got_states} != {dict(want_i['states'])}"
    return None


# ------------------------------------------------------------------ runner


class _Run:
    """The state of one scenario run."""

    def __init__(self, scenario: Scenario, world: Any) -> None:
        self.scenario = scenario
        self.world = world
        self.loop = asyncio.new_event_loop()
        self.clients: dict[str, Any] = {}
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.links: dict[str, list[dict[str, Any]]] = {}
        self.records: list[Record] = []
        self.failures: list[str] = []
        self.saved: dict[str, Any] = {}
        self.start = self._now()

    def _now(self) -> int | None:
        now = getattr(self.world, "now_ms", None)
        return now if isinstance(now, int) else None

    def _at(self) -> int | None:
        now = self._now()
        return None if now is None or self.start is None else now - self.start

    def _await(self, value: Any) -> Any:
        if inspect.isawaitable(value):
            return self.loop.run_until_complete(value)
        return value

    def client(self, name: str) -> Any:
        if name not in self.clients:
            spec = self.scenario.client(name)
            client = self.world.client(spec.user, app_id=spec.app, config=dict(spec.config) or None)
            self.events[name] = []
            self.links[name] = []

            def on_presence(event: Any, who: str = name) -> None:
                body = _event_dict(event)
                self.events[who].append(body)
                kind = body.get("channelType"), body.get("channelName")
                self.records.append(
                    Record(
                        "event",
                        who,
                        _describe_event(body),
                        self._at(),
                        (str(kind[0]), str(kind[1])),
                    )
                )

            def on_link(event: Any, who: str = name) -> None:
                body = _event_dict(event)
                self.links[who].append(body)
                self.records.append(
                    Record(
                        "link",
                        who,
                        f"{body.get('previousState')} -> {body.get('currentState')} "
                        f"({body.get('reasonCode')})",
                        self._at(),
                    )
                )

            client.addEventListener("presence", on_presence)
            client.addEventListener("linkState", on_link)
            self.clients[name] = client
        return self.clients[name]

    def resolve(self, value: Any) -> Any:
        """Replace ``"$name.field"`` strings by fields of saved responses."""
        if isinstance(value, str) and value.startswith("$"):
            name, _, path = value[1:].partition(".")
            if name not in self.saved:
                raise KeyError(f"{value!r}: no response was saved as {name!r}")
            found = self.saved[name]
            for part in path.split(".") if path else ():
                found = found[int(part)] if isinstance(found, list) else found[part]
            return found
        if isinstance(value, Mapping):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def call(self, step: Step) -> Any:
        assert step.actor is not None
        client = self.client(step.actor)
        args = [self.resolve(a) for a in step.args]
        if step.options is not None:
            args.append(self.resolve(dict(step.options)))
        if step.call in ("join", "leave"):
            stream = client.createStreamChannel(args[0])
            method = getattr(stream, step.call)
            return self._await(method(*args[1:]))
        if step.call in ("login", "logout", "subscribe", "unsubscribe"):
            return self._await(getattr(client, step.call)(*args))
        return self._await(getattr(client.presence, step.call)(*args))

    def step(self, index: int, step: Step) -> None:
        where = f"step {index + 1} ({step.actor or 'RTM'} {step.call})"
        text = _describe_step(step)
        mark, before = len(self.records), self._at()
        if step.is_hook:
            getattr(self.world, step.call)(*step.args)
            self.records.insert(mark, Record("hook", "RTM", text, before, _channel_of(step)))
            return
        try:
            result = self.call(step)
        except Exception as exc:
            code = _error_code(exc)
            ok = step.error is not None and code == step.error
            if not ok:
                self.failures.append(
                    f"{where}: raised {code if code is not None else type(exc).__name__}: {exc}"
                    + (f" (expected {step.error})" if step.error is not None else "")
                )
            outcome = f"error {code}" if code is not None else f"error {type(exc).__name__}"
            self.records.insert(
                mark,
                Record("call", step.actor or "", text, self._at(), _channel_of(step), outcome, ok),
            )
            return
        body = _as_dict(result)
        if step.save:
            self.saved[step.save] = body
        ok = True
        if step.error is not None:
            ok = False
            self.failures.append(f"{where}: succeeded, expected error {step.error}")
        elif step.expect is not None and not _subset(dict(step.expect), body):
            ok = False
            self.failures.append(f"{where}: response {body} does not match {dict(step.expect)}")
        record = Record("call", step.actor or "", text, before, _channel_of(step), "ok", ok)
        self.records.insert(mark, record)

    def judge(self) -> None:
        for name, items in self.scenario.events.items():
            got = self.events.get(name, [])
            want = [_expected_event(i) for i in items]
            for n in range(max(len(got), len(want))):
                if n >= len(want):
                    self.failures.append(
                        f"events of {name!r}: unexpected #{n + 1} {_describe_event(got[n])}"
                    )
                    break
                if n >= len(got):
                    self.failures.append(f"events of {name!r}: missing #{n + 1} {want[n]}")
                    break
                diff = _match_event(want[n], got[n], self.start)
                if diff is not None:
                    self.failures.append(
                        f"events of {name!r}: #{n + 1} {_describe_event(got[n])}: {diff}"
                    )
                    break
        for name, items in self.scenario.links.items():
            got_states = [b.get("currentState") for b in self.links.get(name, [])]
            want_states = [i if isinstance(i, str) else i["state"] for i in items]
            if got_states != want_states:
                self.failures.append(f"link states of {name!r}: {got_states} != {want_states}")
                continue
            for want, body in zip(items, self.links[name], strict=True):
                if isinstance(want, Mapping):
                    if "reason" in want and body.get("reasonCode") != want["reason"]:
                        self.failures.append(
                            f"link of {name!r} to {want['state']}: reason "
                            f"{body.get('reasonCode')!r} != {want['reason']!r}"
                        )
                    if "resumed" in want and body.get("isResumed") != want["resumed"]:
                        self.failures.append(
                            f"link of {name!r} to {want['state']}: isResumed "
                            f"{body.get('isResumed')!r} != {want['resumed']!r}"
                        )


def run_scenario(scenario: Scenario, target: Target = emulator_target) -> ScenarioResult:
    """Run one scenario on a fresh world of ``target`` and judge it."""
    try:
        world = target(dict(scenario.config))
    except Unsupported as exc:
        return ScenarioResult(scenario, "skipped", (f"target: {exc}",))
    missing = [h for h in scenario.hooks if not callable(getattr(world, h, None))]
    if missing:
        return ScenarioResult(scenario, "skipped", (f"target lacks hooks {missing}",))
    run = _Run(scenario, world)
    try:
        for index, step in enumerate(scenario.steps):
            try:
                run.step(index, step)
            except Unsupported as exc:
                return ScenarioResult(scenario, "skipped", (f"step {index + 1}: {exc}",))
            except Exception as exc:  # a hook or the target itself broke
                run.failures.append(f"step {index + 1}: {type(exc).__name__}: {exc}")
                break
        else:
            run.judge()
    finally:
        run.loop.close()
    status = "failed" if run.failures else "passed"
    return ScenarioResult(scenario, status, tuple(run.failures), tuple(run.records))


def run_suite(
    scenarios: Sequence[Scenario],
    target: Target = emulator_target,
    progress: Callable[[int, int, ScenarioResult], None] | None = None,
) -> SuiteResult:
    """Run scenarios in order; ``progress(done, total, result)`` after each."""
    results = []
    for n, scenario in enumerate(scenarios, 1):
        result = run_scenario(scenario, target)
        results.append(result)
        if progress is not None:
            progress(n, len(scenarios), result)
    return SuiteResult(tuple(results))
