"""Run scenarios against a target and judge the outcome.

A *target* is a factory ``target(config) -> world``; ``config`` is the scenario's
``EmulatorConfig`` fields as a dict, and the world offers the SDK's client surface
(``world.client(user_id, app_id=..., config=...)`` returning an object with ``login``,
``subscribe``, ``createStreamChannel``, ``presence.whoNow``, ..., ``addEventListener``)
plus whichever service hooks it supports (``advance``, ``disconnect``, ``reconnect``,
``set_presence_available``, ``set_delivery_latency``) and, for timestamp checks,
``now_ms``.  A scenario that needs a hook the world lacks is *skipped*, never passed;
a factory or call that cannot honour something raises :class:`Unsupported` to skip.
A factory that raises anything else, or returns ``None``, fails the scenario (and the
suite goes on).  The full contract, for implementers, is ``docs/conformance.md``,
"Writing a target".

Client calls may return values or awaitables (a real-service adapter is async); the
runner awaits them on its own event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
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
    if kind == "SNAPSHOT":
        users = ", ".join(
            u["userId"] + (f" {u['states']}" if u.get("states") else "")
            for u in body.get("snapshot") or []
        )
        return f"{kind} [{users}]"
    if kind == "INTERVAL" and body.get("interval") is not None:
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


class _Pending:
    """A client call that had not settled when its step ended (e.g. a login waiting)."""

    def __init__(self, index: int, step: Step, task: asyncio.Future[Any], text: str) -> None:
        self.index, self.step, self.task, self.text = index, step, task, text


#: event-loop turns a call may take to settle before it counts as pending
_TURNS = 50


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
        self.pending: list[_Pending] = []
        self.start = self._now()

    def _now(self) -> int | None:
        now = getattr(self.world, "now_ms", None)
        return now if isinstance(now, int) else None

    def _at(self) -> int | None:
        now = self._now()
        return None if now is None or self.start is None else now - self.start

    def _settle(self, value: Any) -> asyncio.Future[Any] | None:
        """Run ``value`` (an awaitable) until it settles or the loop goes idle.

        Returns the future, done or still pending; ``None`` for a plain value.
        """
        if not inspect.isawaitable(value):
            return None
        task = asyncio.ensure_future(value, loop=self.loop)
        self._turn(task)
        return task

    def _turn(self, task: asyncio.Future[Any] | None = None) -> None:
        """Give the event loop a few turns (until ``task`` is done, if given)."""
        for _ in range(_TURNS):
            if task is not None and task.done():
                return
            self.loop.run_until_complete(asyncio.sleep(0))
            if task is None:
                return

    def _listen(self, who: str, event_name: str, key: str) -> Callable[[Any], None]:
        def on_event(event: Any) -> None:
            try:
                body = _event_dict(event)
                where = body.get("channelType"), body.get("channelName")
                channel = (str(where[0]), str(where[1])) if where[1] is not None else None
                text = _describe_event(body) if event_name == "presence" else f"{event_name} {body}"
            except Exception as exc:
                self.failures.append(f"{who}: unreadable {event_name} event {event!r}: {exc!r}")
                return
            self.events.setdefault(key, []).append(body)
            self.records.append(Record("event", who, text, self._at(), channel))

        return on_event

    def client(self, name: str) -> Any:
        if name not in self.clients:
            spec = self.scenario.client(name)
            client = self.world.client(spec.user, app_id=spec.app, config=dict(spec.config) or None)
            self.events[name] = []
            self.links[name] = []

            def on_link(event: Any, who: str = name) -> None:
                try:
                    body = _event_dict(event)
                except Exception as exc:
                    self.failures.append(f"{who}: unreadable linkState event {event!r}: {exc!r}")
                    return
                affected = list(body.get("affectedChannels") or [])
                key = who
                if body.get("serviceType") == "STREAM" and affected:
                    key = f"{who}@{affected[0]}"
                self.links.setdefault(key, []).append(body)
                self.records.append(
                    Record(
                        "link",
                        who,
                        f"{body.get('previousState')} -> {body.get('currentState')} "
                        f"({body.get('reasonCode')})" + (f" {affected[0]}" if key != who else ""),
                        self._at(),
                    )
                )

            client.addEventListener("presence", self._listen(name, "presence", name))
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
        if step.call == "addEventListener":
            event_name = str(args[0]) if args else ""
            listener = (
                args[1]
                if len(args) > 1
                else self._listen(step.actor, event_name, f"{step.actor}#{event_name}")
            )
            self.events.setdefault(f"{step.actor}#{event_name}", [])
            return client.addEventListener(event_name, listener)
        if step.call in ("join", "leave"):
            stream = client.createStreamChannel(args[0])
            return getattr(stream, step.call)(*args[1:])
        if step.call in ("login", "logout", "subscribe", "unsubscribe"):
            return getattr(client, step.call)(*args)
        return getattr(client.presence, step.call)(*args)

    def _judge_error(self, where: str, step: Step, exc: BaseException) -> bool:
        """Whether ``exc`` is what ``step`` expects; records a failure if not."""
        code = _error_code(exc)
        if step.raises is not None:
            if code is None and step.raises in {c.__name__ for c in type(exc).__mro__}:
                return True
            self.failures.append(
                f"{where}: raised {type(exc).__name__}: {exc} (expected {step.raises})"
            )
            return False
        if step.error is None or code != step.error:
            self.failures.append(
                f"{where}: raised {code if code is not None else type(exc).__name__}: {exc}"
                + (f" (expected {step.error})" if step.error is not None else "")
            )
            return False
        ok = True
        if step.operation is not None and getattr(exc, "operation", None) != step.operation:
            self.failures.append(
                f"{where}: operation {getattr(exc, 'operation', None)!r} != {step.operation!r}"
            )
            ok = False
        if step.error_name is not None and getattr(exc, "name", None) != step.error_name:
            self.failures.append(
                f"{where}: error class {getattr(exc, 'name', None)!r} != {step.error_name!r}"
            )
            ok = False
        return ok

    def _judge_result(self, where: str, step: Step, result: Any) -> bool:
        body = _as_dict(result)
        if step.save:
            self.saved[step.save] = body
        if step.error is not None or step.raises is not None:
            wanted = step.error if step.error is not None else step.raises
            self.failures.append(f"{where}: succeeded, expected {wanted}")
            return False
        if step.expect is not None and not _subset(dict(step.expect), body):
            self.failures.append(f"{where}: response {body} does not match {dict(step.expect)}")
            return False
        return True

    def _outcome(self, where: str, step: Step, task: asyncio.Future[Any]) -> tuple[str, bool]:
        exc = task.exception()
        if exc is not None:
            code = _error_code(exc)
            ok = self._judge_error(where, step, exc)
            return (f"error {code}" if code is not None else f"error {type(exc).__name__}"), ok
        return "ok", self._judge_result(where, step, task.result())

    def _where(self, index: int, step: Step) -> str:
        return f"step {index + 1} ({step.actor or 'RTM'} {step.call})"

    def settle_pending(self) -> None:
        """Judge the pending calls that have settled since the last step."""
        if not self.pending:
            return
        for item in list(self.pending):
            self._turn(item.task)
            if item.task.done():
                self.pending.remove(item)
                where = self._where(item.index, item.step)
                outcome, ok = self._outcome(where, item.step, item.task)
                self.records.append(
                    Record(
                        "call",
                        item.step.actor or "",
                        f"{item.text} (settles)",
                        self._at(),
                        _channel_of(item.step),
                        outcome,
                        ok,
                    )
                )

    def step(self, index: int, step: Step) -> None:
        where = self._where(index, step)
        text = _describe_step(step)
        mark, before = len(self.records), self._at()
        if step.is_hook:
            getattr(self.world, step.call)(*step.args)
            self.records.insert(mark, Record("hook", "RTM", text, before, _channel_of(step)))
            self.settle_pending()
            return
        try:
            task = self._settle(self.call(step))
        except Unsupported:
            raise
        except Exception as exc:
            code = _error_code(exc)
            ok = self._judge_error(where, step, exc)
            outcome = f"error {code}" if code is not None else f"error {type(exc).__name__}"
            self.records.insert(
                mark,
                Record("call", step.actor or "", text, self._at(), _channel_of(step), outcome, ok),
            )
            self.settle_pending()
            return
        if task is not None and not task.done():
            self.pending.append(_Pending(index, step, task, text))
            record = Record("call", step.actor or "", text, before, _channel_of(step), "pending")
            self.records.insert(mark, record)
            self.settle_pending()
            return
        if task is not None and isinstance(task.exception(), Unsupported):
            raise task.exception()  # type: ignore[misc]
        outcome, ok = (
            self._outcome(where, step, task)
            if task is not None
            else ("ok", self._judge_result(where, step, None))
        )
        self.records.insert(
            mark, Record("call", step.actor or "", text, before, _channel_of(step), outcome, ok)
        )
        self.settle_pending()

    def finish(self) -> None:
        """Fail the calls that never settled and cancel them."""
        for item in self.pending:
            self.failures.append(f"{self._where(item.index, item.step)}: never settled")
            item.task.cancel()
            with contextlib.suppress(BaseException):
                self.loop.run_until_complete(item.task)
        self.pending.clear()

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
            for n, (want, body) in enumerate(zip(items, self.links[name], strict=True)):
                if isinstance(want, Mapping):
                    diff = _match_link(want, body, self.start)
                    if diff is not None:
                        self.failures.append(
                            f"link #{n + 1} of {name!r} to {want['state']}: {diff}"
                        )


def _match_link(want: Mapping[str, Any], body: Mapping[str, Any], start: int | None) -> str | None:
    """``None`` when a link-state event (SDK JSON) satisfies ``want``; else what differs."""
    for key, field in (
        ("reason", "reasonCode"),
        ("operation", "operation"),
        ("resumed", "isResumed"),
    ):
        if key in want and body.get(field) != want[key]:
            return f"{field} {body.get(field)!r} != {want[key]!r}"
    if "affected" in want and list(body.get("affectedChannels") or []) != list(want["affected"]):
        return f"affectedChannels {body.get('affectedChannels')!r} != {list(want['affected'])!r}"
    if "at" in want and start is not None:
        at = round(float(want["at"]) * 1000)
        got = body.get("timestamp")
        if got != start + at:
            shown = "?" if not isinstance(got, int) else f"{(got - start) / 1000:.3f}"
            return f"at {shown} s != {at / 1000:.3f} s"
    return None


def _one_line(exc: BaseException) -> str:
    detail = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def run_scenario(scenario: Scenario, target: Target = emulator_target) -> ScenarioResult:
    """Run one scenario on a fresh world of ``target`` and judge it.

    Never raises for a misbehaving target (only ``KeyboardInterrupt`` and the like get
    through): :class:`Unsupported` from the factory, a call or a hook skips the scenario;
    any other exception from the factory, a hook or the judging fails it, with one
    failure line naming the exception.
    """
    try:
        world = target(dict(scenario.config))
    except Unsupported as exc:
        return ScenarioResult(scenario, "skipped", (f"target: {exc}",))
    except Exception as exc:
        return ScenarioResult(scenario, "failed", (f"target factory raised {_one_line(exc)}",))
    if world is None:
        return ScenarioResult(scenario, "failed", ("target factory returned None",))
    try:
        missing = [h for h in scenario.hooks if not callable(getattr(world, h, None))]
        if missing:
            return ScenarioResult(scenario, "skipped", (f"target lacks hooks {missing}",))
        run = _Run(scenario, world)
    except Exception as exc:  # a world whose attributes raise
        return ScenarioResult(scenario, "failed", (f"target world raised {_one_line(exc)}",))
    try:
        for index, step in enumerate(scenario.steps):
            try:
                run.step(index, step)
            except Unsupported as exc:
                return ScenarioResult(scenario, "skipped", (f"step {index + 1}: {exc}",))
            except Exception as exc:  # a hook or the target itself broke
                run.failures.append(f"step {index + 1}: {_one_line(exc)}")
                break
        else:
            run.finish()
            try:
                run.judge()
            except Exception as exc:  # events the kit cannot read
                run.failures.append(f"judging the events: {_one_line(exc)}")
    finally:
        run.finish()
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
