"""Run scenarios against a target and judge the outcome.

A *target* is a factory ``target(config) -> world``; ``config`` is the scenario's
``EmulatorConfig`` fields as a dict, and the world offers the SDK's client surface
(``world.client(user_id, app_id=..., config=...)`` returning an object with ``login``,
``subscribe``, ``createStreamChannel``, ``presence.whoNow``, ..., ``addEventListener``)
plus whichever service hooks it supports (``advance``, ``disconnect``, ``reconnect``,
``set_presence_available``, ``set_delivery_latency``) and, for timestamp checks and
``{ "$" = "time" }`` values, ``now_ms``.  A scenario that needs a hook (or the clock)
the world lacks is *skipped*, never passed; a factory or call that cannot honour
something raises :class:`Unsupported` to skip.
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

from .._config import EmulatorConfig
from .._emulator import Emulator
from ._matching import (
    Heard,
    as_dict,
    describe_event,
    error_code,
    event_dict,
    judge_timeline,
    subset,
)
from ._results import Record, ScenarioResult, SuiteResult
from ._scenario import EVERYONE, LISTENABLE, Scenario, Step, literal
from ._vocabulary import CALLS, LISTENER, channel_of

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


#: R-TK10: the token listeners' events, about the client's own MESSAGE link (or, for a
#: notice naming one, a stream channel's token)
_TOKEN_EVENTS = ("token", "tokenPrivilegeWillExpire")


def _token_channel(event_name: str, body: Mapping[str, Any]) -> tuple[str, str]:
    """The channel a token event is drawn on: its MESSAGE channels, or the stream
    channel a ``tokenPrivilegeWillExpire`` notice names."""
    if event_name == "tokenPrivilegeWillExpire":
        name = str(body.get("channelName") or "")
        return ("STREAM", name) if name else ("MESSAGE", "")
    resources = body.get("affectedResources")
    names = resources.get("messageChannels") if isinstance(resources, Mapping) else None
    return ("MESSAGE", ", ".join(str(n) for n in names or ()))


def emulator_target(config: Mapping[str, Any]) -> Emulator:
    """The built-in target: a strict :class:`~rtm_emulator.Emulator` with the config."""
    return Emulator(EmulatorConfig(**config), strict=True)


# ----------------------------------------------------------------- helpers


def _channel_of(step: Step) -> tuple[str, str] | None:
    return channel_of(step.call, step.args, step.options)


def _short(value: Any) -> Any:
    """``value`` with each ``"$"`` table as a short text (``<32769 bytes>``, ``'x'×9``)."""
    if isinstance(value, Mapping):
        if "$" not in value:
            return {k: _short(v) for k, v in value.items()}
        times = value.get("times", 1)
        if value["$"] == "time":
            return f"<+{value.get('at')}s>"
        if value["$"] == "bytes":
            try:
                size = len(literal(value))
            except ValueError:
                size = -1
            return f"<{size} bytes>"
        return f"{value.get('text')!r}×{times}" if times != 1 else str(value.get("text"))
    if isinstance(value, list):
        return [_short(v) for v in value]
    return value


def _describe_step(step: Step) -> str:
    parts = [step.call]
    for arg in step.args:
        shown = _short(arg)
        parts.append(shown if isinstance(shown, str) and shown else repr(shown))
    if step.options is not None:
        parts.append(json.dumps(_short(dict(step.options)), separators=(", ", ": ")))
    return " ".join(parts)


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
        self.events: dict[str, list[Heard]] = {}
        self.links: dict[str, list[dict[str, Any]]] = {}
        self.records: list[Record] = []
        self.failures: list[str] = []
        self.saved: dict[str, Any] = {}
        self.pending: list[_Pending] = []
        #: the runner's listeners added by steps, by ``"actor#event_name"``
        self.listeners: dict[str, Callable[[Any], None]] = {}
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
                body = event_dict(event)
                # a topic event names no channel type: it is a stream channel's (R-M20)
                ctype = body.get("channelType", "STREAM" if event_name == "topic" else None)
                name = body.get("channelName")
                channel = (str(ctype), str(name)) if name is not None else None
                if event_name in _TOKEN_EVENTS:
                    channel = _token_channel(event_name, body)
                known = event_name in ("presence", *LISTENABLE)
                text = describe_event(body, event_name) if known else f"{event_name} {body}"
            except Exception as exc:
                self.failures.append(f"{who}: unreadable {event_name} event {event!r}: {exc!r}")
                return
            self.events.setdefault(key, []).append((event_name, body, who))
            if key == who:  # the client's own listeners: also on everyone's list
                self.events.setdefault(EVERYONE, []).append((event_name, body, who))
            if event_name != "linkState":  # the kit's own link listener shows those
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
                    body = event_dict(event)
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
            for kind in LISTENABLE:  # on the timeline always, judged when `listen` says
                client.addEventListener(kind, self._listen(name, kind, name))
            client.addEventListener("linkState", on_link)
            self.clients[name] = client
        return self.clients[name]

    def resolve(self, value: Any) -> Any:
        """Replace ``"$name.field"`` strings by fields of saved responses and ``"$"``
        tables by their values (:func:`~._scenario.literal`)."""
        if isinstance(value, Mapping) and "$" in value:
            return literal(value, self.start)
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

    def listener(self, actor: str, event_name: str) -> Callable[[Any], None]:
        """The runner's listener for ``event_name`` on ``actor``'s client, made on first
        use: it records what it gets under ``"actor#event_name"``."""
        key = f"{actor}#{event_name}"
        if key not in self.listeners:
            self.listeners[key] = self._listen(actor, event_name, key)
            self.events.setdefault(key, [])
        return self.listeners[key]

    def call(self, step: Step) -> Any:
        """Make a client step's call on the object its table row lives on."""
        assert step.actor is not None
        client = self.client(step.actor)
        row = CALLS[step.call]
        args = [self.resolve(a) for a in step.args]
        if step.options is not None:
            args.append(self.resolve(dict(step.options)))
        names = [p.sdk for p in row.params]
        if LISTENER in names:  # (eventName, listener): the runner's listener unless given
            event_name = str(args[0]) if args else ""
            at = names.index(LISTENER)
            listener = self.listener(step.actor, event_name)
            return getattr(client, row.sdk)(event_name, args[at] if at < len(args) else listener)
        if row.home == "stream":
            stream = client.createStreamChannel(args[0])
            return getattr(stream, row.sdk)(*args[1:])
        if row.home == "presence":
            return getattr(client.presence, row.sdk)(*args)
        if row.home == "history":
            return getattr(client.history, row.sdk)(*args)
        if row.home == "storage":
            return getattr(client.storage, row.sdk)(*args)
        if row.home == "lock":
            return getattr(client.lock, row.sdk)(*args)
        return getattr(client, row.sdk)(*args)

    def _judge_error(self, where: str, step: Step, exc: BaseException) -> bool:
        """Whether ``exc`` is what ``step`` expects; records a failure if not."""
        code = error_code(exc)
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
        body = as_dict(result)
        if step.save:
            self.saved[step.save] = body
        if step.error is not None or step.raises is not None:
            wanted = step.error if step.error is not None else step.raises
            self.failures.append(f"{where}: succeeded, expected {wanted}")
            return False
        if step.expect is not None and not subset(literal(dict(step.expect), self.start), body):
            self.failures.append(f"{where}: response {body} does not match {dict(step.expect)}")
            return False
        return True

    def _outcome(self, where: str, step: Step, task: asyncio.Future[Any]) -> tuple[str, bool]:
        exc = task.exception()
        if exc is not None:
            code = error_code(exc)
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
            value = self.call(step)
            task = self._settle(value)
        except Unsupported:
            raise
        except Exception as exc:
            code = error_code(exc)
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
            else ("ok", self._judge_result(where, step, value))  # a synchronous result
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
        judge_timeline(self.scenario, self.events, self.links, self.start, self.failures)


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
        if scenario.needs_clock and run.start is None:
            return ScenarioResult(scenario, "skipped", ("target has no clock (now_ms)",))
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
