"""Scenario files: what a conformance scenario says, parsed from TOML.

A scenario is a TOML file in ``rtm_emulator/conformance/scenarios/``::

    id = "r-e6-quick-reentry-is-silent"
    rules = ["R-E6"]
    title = "A re-entry inside the debounce window sends neither a leave nor a join"
    config = { debounce = 2.0 }              # EmulatorConfig fields (optional)
    listen = ["message", "topic"]            # optional: [events] lists these events too

    [clients.bob2]                           # optional: a client whose name is not its
    user = "bob"                             # user id (e.g. a second device of bob),
    app = "0123456789abcdef0123456789abcdef" # another app id, or an SDK config object
    config = { presenceTimeout = 5 }

    [[step]]                                 # a client call: `as` names the client
    as = "alice"
    call = "subscribe"                       # the SDK method name
    args = ["room"]                          # positional arguments, SDK order
    options = { withPresence = true }        # the SDK options object (optional)
    expect = { totalOccupancy = 2 }          # subset of the response's SDK JSON (optional)
    error = -10025                           # the call must fail with this code (optional),
    operation = "subscribe"                  # with this `operation` and this error class
    error_name = "RtmInvalidStatusError"     # (`name`) (both optional, only with `error`)
    raises = "ValueError"                    # or: a plain exception of this class, no code
    save = "p1"                              # keep the response: later args/options may
                                             # say "$p1.nextPage" (optional)

    [[step]]                                 # a hook of the service (no `as`)
    call = "advance"                         # advance / disconnect / reconnect /
    args = [1.5]                             # set_presence_available / set_delivery_latency

    [events]                                 # every presence event each listed client
    alice = [                                # receives, in order; a pair is
      ["SNAPSHOT", ""],                      # [eventType, publisher], a table may add
      { type = "REMOTE_LEAVE", publisher = "bob", at = 2.0 },   # at (s), state, snapshot,
                                             # interval (join/leave/timeout/total/states)
      { type = "message", publisher = "bob", channel = "room", message = "hi" },
      { type = "TOPIC_REMOTE_JOIN", publisher = "bob", topics = { news = ["bob"] } },
    ]
    "alice#custom" = []                      # what a listener added by an
                                             # `addEventListener` step got ("name#event")

    [links]                                  # MESSAGE link states of each listed client;
    bob = ["CONNECTING", "CONNECTED", "DISCONNECTED"]   # a table may add reason,
    "bob@stage" = ["CONNECTING", "CONNECTED"]           # operation, resumed, at (s),
                                             # affected; "name@channel": a stream link

A client step's ``call`` is any operation of the SDK surface table (``_surface``), by
its SDK name, and ``args`` are that operation's parameters in SDK order, a stream
channel's name first for ``join`` / ``leave``; ``options`` goes where the operation's
options object is (``_vocabulary`` derives this; a step that does not fit is an error
naming the parameters).  A listener step (``addEventListener``,
``removeEventListener``) without a listener uses the runner's own for that event name.

With ``listen``, a client's ``[events]`` list also holds its ``message`` events (type
``"message"``; a table may check ``publisher``, ``channel``, ``channelType``,
``message``, ``messageType``, ``customType``, ``topic``, ``at``) and its ``topic``
events (type ``"TOPIC_"`` + the eventType, ``"TOPIC_SNAPSHOT"``; ``publisher``,
``channel``, ``at`` and ``topics``: each topic's publishers, in order, ``{ news =
["bob"] }``), all in the order they arrived.  Any event table may add ``fields`` (a
subset of its SDK JSON, as ``expect``) and ``keys`` (its JSON keys, in order).  The
list ``"*"`` holds what all clients heard (their own lists), in the order it was
delivered, each item naming its receiver with ``to``: the order across receivers.  A
``type = "message"`` or ``"TOPIC_..."`` item in an ``[events]`` list needs its kind in
``listen``; a ``"name#event"`` list holds whatever that listener got, in one list
(a ``"name#linkState"`` item's type is the ``currentState``: the order of the
client's own and its stream channels' link changes; a ``"name#token"`` item's the
``eventType``; a ``"name#tokenPrivilegeWillExpire"`` item's the channel name the
listener got, ``""`` for the client's own token, R-TK10).

Values that TOML cannot write are tables with a ``"$"`` key, anywhere in ``args``,
``options``, ``expect`` and the events (:func:`literal`): ``{ "$" = "bytes", base64 =
"AQID" }`` is a binary message (``Uint8Array`` / ``bytes``), ``{ "$" = "text", text =
"é", times = 16385 }`` a long string (``times`` repeats, bytes too), ``{ "$" = "time",
at = 1.5 }`` the target's clock 1.5 s after the start, in ms (``now_ms``; a target
without a clock skips the scenario).

A client call that has not settled once the event loop is idle (a login waiting for the
link, R-L3) stays pending; it is judged when it settles, and a call still pending at the
end fails the scenario.  Clients are created on first use (user id = name unless
``[clients]`` says otherwise; the app is ``DEFAULT_APP_ID``); a client that cannot be
created (a bad app or user id, R-C1, R-C2) fails the step that first uses it.
"""

from __future__ import annotations

import base64
import binascii
import tomllib
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from typing import Any

import attrs

from .._config import DEFAULT_APP_ID
from ._vocabulary import CLIENT_CALLS, HOOKS, step_params

__all__ = [
    "EVERYONE",
    "HOOKS",
    "LISTENABLE",
    "ClientSpec",
    "Scenario",
    "ScenarioError",
    "Step",
    "event_kind",
    "literal",
    "load_scenario",
    "load_scenarios",
]

#: The ``[events]`` key of the list of every event the clients heard, in the order
#: they were delivered (each item may name its receiver: ``to = "bob"``).
EVERYONE = "*"
#: The event kinds ``listen`` may add to the clients' ``[events]`` lists (presence is
#: always there), each a listener event name of the SDK.
LISTENABLE: tuple[str, ...] = ("message", "topic")
#: The ``"$"`` kinds of :func:`literal` and the keys each takes.
_LITERALS: Mapping[str, frozenset[str]] = {
    "bytes": frozenset({"$", "base64", "times"}),
    "text": frozenset({"$", "text", "times"}),
    "time": frozenset({"$", "at"}),
}


class ScenarioError(ValueError):
    """A scenario file that does not follow the format (names the file and the field)."""


def _literal_problem(value: Mapping[str, Any]) -> str | None:
    """What is wrong with a ``"$"`` table, ``None`` when it is well formed."""
    kind = value.get("$")
    if not isinstance(kind, str) or kind not in _LITERALS:
        return f"`$` must be one of {sorted(_LITERALS)}, not {kind!r}"
    unknown = sorted(set(value) - _LITERALS[kind])
    if unknown:
        return f"a {kind!r} value has unknown keys {unknown}"
    times = value.get("times", 1)
    if not isinstance(times, int) or isinstance(times, bool) or times < 0:
        return "`times` must be an int >= 0"
    if kind == "bytes":
        try:
            base64.b64decode(str(value.get("base64")), validate=True)
        except (binascii.Error, ValueError):
            return "`base64` must be base64 text"
        if not isinstance(value.get("base64"), str):
            return "`base64` must be base64 text"
    if kind == "text" and not isinstance(value.get("text"), str):
        return "`text` must be a string"
    at = value.get("at")
    if kind == "time" and (not isinstance(at, (int, float)) or isinstance(at, bool)):
        return "`at` must be a number of seconds"
    return None


def _check_literals(source: str, where: str, value: Any) -> bool:
    """Check every ``"$"`` table in ``value``; whether one of them is a ``time``."""
    if isinstance(value, Mapping):
        if "$" in value:
            problem = _literal_problem(value)
            if problem is not None:
                raise _fail(source, f"{where}: {problem}")
            return bool(value["$"] == "time")
        return any([_check_literals(source, where, v) for v in value.values()])
    if isinstance(value, (list, tuple)):
        return any([_check_literals(source, where, v) for v in value])
    return False


def literal(value: Any, start_ms: int | None = None) -> Any:
    """``value`` with every ``"$"`` table replaced by what it stands for (see the module
    docstring): ``bytes``, a long ``str``, or a time (``start_ms`` plus ``at`` seconds,
    in ms); other values as they are, lists and tables walked.

    Raises:
        ValueError: for a ``time`` when ``start_ms`` is ``None`` (a target without a
            clock), or a malformed ``"$"`` table (the loader rejects those first).
    """
    if isinstance(value, Mapping):
        if "$" not in value:
            return {k: literal(v, start_ms) for k, v in value.items()}
        problem = _literal_problem(value)
        if problem is not None:
            raise ValueError(problem)
        kind, times = value["$"], int(value.get("times", 1))
        if kind == "bytes":
            return base64.b64decode(value["base64"], validate=True) * times
        if kind == "text":
            return str(value["text"]) * times
        if start_ms is None:
            raise ValueError("a time value needs the target's clock (now_ms)")
        return start_ms + round(float(value["at"]) * 1000)
    if isinstance(value, list):
        return [literal(v, start_ms) for v in value]
    return value


@attrs.frozen
class ClientSpec:
    """A named client: its user id, app id and SDK config object."""

    name: str
    user: str
    app: str = DEFAULT_APP_ID
    config: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Step:
    """One step: a client call (``actor`` set) or a service hook (``actor`` is None)."""

    call: str
    actor: str | None = None
    args: tuple[Any, ...] = ()
    options: Mapping[str, Any] | None = None
    expect: Mapping[str, Any] | None = None
    error: int | None = None
    #: the failing call's ``operation`` and error class (``name``), checked with ``error``
    operation: str | None = None
    error_name: str | None = None
    #: the call must raise a plain exception of this class name (no RTM code, R-X3)
    raises: str | None = None
    note: str = ""
    #: keep the response's SDK JSON under this name; later steps refer to its fields
    #: as ``"$name.field"`` in ``args`` and ``options`` (e.g. ``page = "$p1.nextPage"``)
    save: str | None = None

    @property
    def is_hook(self) -> bool:
        """True for a service hook (advance, disconnect, ...)."""
        return self.actor is None


@attrs.frozen
class Scenario:
    """A parsed scenario file."""

    id: str
    rules: tuple[str, ...]
    title: str
    steps: tuple[Step, ...]
    config: Mapping[str, Any] = attrs.field(factory=dict)
    clients: Mapping[str, ClientSpec] = attrs.field(factory=dict)
    events: Mapping[str, tuple[Any, ...]] = attrs.field(factory=dict)
    links: Mapping[str, tuple[Any, ...]] = attrs.field(factory=dict)
    description: str = ""
    source: str = ""
    #: the event kinds (:data:`LISTENABLE`) the ``[events]`` lists hold besides presence
    listen: tuple[str, ...] = ()
    #: some value is a ``{ "$" = "time" }``: the target needs a clock (``now_ms``)
    needs_clock: bool = False

    @property
    def hooks(self) -> tuple[str, ...]:
        """The service hooks the scenario needs, in first-use order."""
        seen: list[str] = []
        for step in self.steps:
            if step.is_hook and step.call not in seen:
                seen.append(step.call)
        return tuple(seen)

    def client(self, name: str) -> ClientSpec:
        """The spec of the client called ``name`` (its user id is the name by default)."""
        return self.clients.get(name) or ClientSpec(name, name)


def _fail(source: str, what: str) -> ScenarioError:
    return ScenarioError(f"{source}: {what}")


def _parse_step(source: str, index: int, raw: Mapping[str, Any]) -> Step:
    where = f"step {index + 1}"
    known = {
        "as",
        "call",
        "args",
        "options",
        "expect",
        "error",
        "operation",
        "error_name",
        "raises",
        "note",
        "save",
    }
    unknown = sorted(set(raw) - known)
    if unknown:
        raise _fail(source, f"{where} has unknown keys {unknown}")
    call = raw.get("call")
    actor = raw.get("as")
    if not isinstance(call, str):
        raise _fail(source, f"{where} needs a string `call`")
    if actor is not None and (not isinstance(actor, str) or not actor):
        raise _fail(source, f"{where}: `as` must be a client name (a string)")
    for key in ("options", "expect"):
        if key in raw and not isinstance(raw[key], Mapping):
            raise _fail(source, f"{where}: `{key}` must be a table")
    for key in ("save", "note", "operation", "error_name"):
        if key in raw and not isinstance(raw[key], str):
            raise _fail(source, f"{where}: `{key}` must be a string")
    if actor is None and call not in HOOKS:
        raise _fail(source, f"{where}: {call!r} is not a hook {HOOKS}; client calls need `as`")
    if actor is not None and call not in CLIENT_CALLS:
        raise _fail(source, f"{where}: unknown client call {call!r} (known: {CLIENT_CALLS})")
    args = raw.get("args", [])
    if not isinstance(args, list):
        raise _fail(source, f"{where}: `args` must be a list")
    _check_arity(source, where, call, args, "options" in raw)
    error = raw.get("error")
    if error is not None and (not isinstance(error, int) or "expect" in raw):
        raise _fail(source, f"{where}: `error` must be an int code, without `expect`")
    if ("operation" in raw or "error_name" in raw) and error is None:
        raise _fail(source, f"{where}: `operation` and `error_name` need `error`")
    raises = raw.get("raises")
    if raises is not None and (not isinstance(raises, str) or error is not None or "expect" in raw):
        raise _fail(source, f"{where}: `raises` is an exception class name, alone")
    return Step(
        call=call,
        actor=actor,
        args=tuple(args),
        options=raw.get("options"),
        expect=raw.get("expect"),
        error=error,
        operation=raw.get("operation"),
        error_name=raw.get("error_name"),
        raises=raises,
        note=str(raw.get("note", "")),
        save=raw.get("save"),
    )


def _check_arity(source: str, where: str, call: str, args: list[Any], options: bool) -> None:
    """The step's arguments fit the call's parameters (``_vocabulary.step_params``): no
    more than it has, and ``options`` only where the next one is the options object."""
    names = step_params(call)
    if len(args) > len(names):
        raise _fail(
            source,
            f"{where}: {call} takes at most {len(names)} `args` {list(names)}, got {len(args)}",
        )
    if options and names[len(args) : len(args) + 1] != ("options",):
        raise _fail(
            source,
            f"{where}: {call} has no options object after {len(args)} `args` {list(names)}",
        )


def _parse_client(source: str, name: str, spec: Any) -> ClientSpec:
    where = f"[clients.{name}]"
    if not isinstance(spec, Mapping):
        raise _fail(source, f"{where} must be a table")
    unknown = sorted(set(spec) - {"user", "app", "config"})
    if unknown:
        raise _fail(source, f"{where} has unknown keys {unknown}")
    for key in ("user", "app"):
        if key in spec and not isinstance(spec[key], str):
            raise _fail(source, f"{where}: `{key}` must be a string")
    if not isinstance(spec.get("config", {}), Mapping):
        raise _fail(source, f"{where}: `config` must be a table")
    return ClientSpec(
        name, spec.get("user", name), spec.get("app", DEFAULT_APP_ID), dict(spec.get("config", {}))
    )


def _event_problem(item: Any) -> str | None:
    if isinstance(item, list):
        ok = 1 <= len(item) <= 3 and isinstance(item[0], str)
        return None if ok else "a list is [eventType, publisher, at]"
    if isinstance(item, Mapping):
        return None if isinstance(item.get("type"), str) else "a table needs a string `type`"
    return "each event is a list or a table"


def _link_problem(item: Any) -> str | None:
    if isinstance(item, str):
        return None
    if isinstance(item, Mapping):
        return None if isinstance(item.get("state"), str) else "a table needs a string `state`"
    return "each link state is a string or a table"


def _check_items(
    source: str, where: str, items: Any, problem: Callable[[Any], str | None]
) -> tuple[Any, ...]:
    if not isinstance(items, list):
        raise _fail(source, f"{where} must be a list")
    for n, item in enumerate(items, 1):
        what = problem(item)
        if what is not None:
            raise _fail(source, f"{where}: #{n} {item!r}: {what}")
    return tuple(items)


def parse_scenario(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Build a :class:`Scenario` from parsed TOML data.

    Raises:
        ScenarioError: when a field is missing or malformed (names the field).
    """
    known = {
        "id",
        "rules",
        "title",
        "description",
        "config",
        "clients",
        "step",
        "events",
        "links",
        "listen",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise _fail(source, f"unknown top-level keys {unknown}")
    for key in ("id", "title"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise _fail(source, f"needs a non-empty string `{key}`")
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules or not all(isinstance(r, str) for r in rules):
        raise _fail(source, "needs `rules`, a non-empty list of rule ids")
    if not isinstance(data.get("description", ""), str):
        raise _fail(source, "`description` must be a string")
    steps = data.get("step", [])
    if not isinstance(steps, list) or not steps:
        raise _fail(source, "needs at least one [[step]]")
    for index, raw in enumerate(steps):
        if not isinstance(raw, Mapping):
            raise _fail(source, f"step {index + 1} must be a table")
    for key in ("config", "clients", "events", "links"):
        if not isinstance(data.get(key, {}), Mapping):
            raise _fail(source, f"`{key}` must be a table")
    clients = {
        name: _parse_client(source, name, spec) for name, spec in data.get("clients", {}).items()
    }
    events = {
        name: _check_items(source, f"events of {name!r}", items, _event_problem)
        for name, items in data.get("events", {}).items()
    }
    links = {
        name: _check_items(source, f"links of {name!r}", items, _link_problem)
        for name, items in data.get("links", {}).items()
    }
    listen = data.get("listen", [])
    if not isinstance(listen, list) or not set(listen) <= set(LISTENABLE):
        raise _fail(source, f"`listen` must be a list of event kinds {list(LISTENABLE)}")
    _check_kinds(source, events, tuple(listen))
    parsed = tuple(_parse_step(source, i, s) for i, s in enumerate(steps))
    clock = any(
        [
            _check_literals(source, f"step {n + 1}", [step.args, step.options, step.expect])
            for n, step in enumerate(parsed)
        ]
        + [_check_literals(source, f"events of {k!r}", list(v)) for k, v in events.items()]
    )
    return Scenario(
        id=data["id"],
        rules=tuple(rules),
        title=data["title"],
        steps=parsed,
        config=dict(data.get("config", {})),
        clients=clients,
        events=events,
        links=links,
        description=str(data.get("description", "")),
        source=source,
        listen=tuple(listen),
        needs_clock=clock,
    )


def event_kind(event_type: str) -> str:
    """The listener an expected event's ``type`` belongs to: ``"message"`` for
    ``"message"``, ``"topic"`` for ``"TOPIC_..."``, else ``"presence"``."""
    if event_type == "message":
        return "message"
    return "topic" if event_type.startswith("TOPIC_") else "presence"


def _check_kinds(
    source: str, events: Mapping[str, tuple[Any, ...]], listen: tuple[str, ...]
) -> None:
    """A client's own list (not ``"name#event"``) expects only the kinds it holds."""
    for name, items in events.items():
        if "#" in name:
            continue
        for n, item in enumerate(items, 1):
            kind = event_kind(item[0] if isinstance(item, list) else item["type"])
            if kind != "presence" and kind not in listen:
                raise _fail(
                    source, f"events of {name!r}: #{n} is a {kind} event: add {kind!r} to `listen`"
                )


def load_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Parse one scenario from TOML text.

    Raises:
        ScenarioError: for malformed TOML or fields.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(source, f"not valid TOML: {exc}") from exc
    return parse_scenario(data, source)


def load_scenarios(rules: Sequence[str] | None = None) -> list[Scenario]:
    """Every scenario shipped with the package, sorted by id; ``rules`` filters by rule id.

    Raises:
        ScenarioError: if a shipped file is malformed or two share an id.
    """
    folder = resources.files("rtm_emulator.conformance") / "scenarios"
    found: dict[str, Scenario] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        scenario = load_scenario(entry.read_text(encoding="utf-8"), entry.name)
        if scenario.id in found:
            raise _fail(entry.name, f"duplicate scenario id {scenario.id!r}")
        found[scenario.id] = scenario
    chosen = [found[k] for k in sorted(found)]
    if rules:
        wanted = {r.upper() for r in rules}
        chosen = [s for s in chosen if wanted & {r.upper() for r in s.rules}]
    return chosen
