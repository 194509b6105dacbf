"""Generate ``docs/conformance.md``: how to run the kit, the target contract for
implementers (:data:`TARGET_CONTRACT`, with a minimal target, :data:`MINIMAL_TARGET`),
rule -> scenarios -> status, and the SDK support table.

The contract is written once, here; ``_runner``'s docstring points to it, and
``tests/conformance/test_kit.py`` runs the minimal target through the command line."""

from __future__ import annotations

from collections.abc import Mapping

from .._surface import OPERATIONS, Operation
from ._runner import SuiteResult

__all__ = ["MINIMAL_TARGET", "SDK_SUPPORT", "TARGET_CONTRACT", "render_conformance_doc"]

#: Where each home's methods are called from, as the support table writes them.
_HOME_PREFIX = {
    "rtm": "",
    "presence": "presence.",
    "history": "history.",
    "stream": "RTMStreamChannel.",
    "storage": "storage.",
    "lock": "lock.",
}


def _support_rows() -> tuple[tuple[str, str, str], ...]:
    """The support table: the client's constructor, then one line per operation of the
    surface table (an alias on its target's line, the target's ``support`` note), then
    what is not emulated."""
    families: dict[str, list[Operation]] = {}
    for row in OPERATIONS:
        families.setdefault(row.alias_of or row.sdk, []).append(row)
    lines = [
        (
            "new RTM(appId, userId, config)",
            "emu.client(user_id, app_id=, config=)",
            "supported (app id, user id and config checked as the SDK does)",
        )
    ]
    for target, rows in families.items():
        main = next(row for row in rows if row.sdk == target)
        params = ", ".join(p.sdk for p in main.params)
        sdk = _HOME_PREFIX[main.home] + " / ".join(row.sdk for row in rows)
        python = " / ".join(row.python for row in rows)
        lines.append((f"{sdk}({params})", python, main.support))
    return tuple(lines)


#: (SDK method, Python spelling, status) for the surface of agora-rtm-sdk 2.3.0,
#: derived from the surface table (``_surface.OPERATIONS``, each row's ``support``).
SDK_SUPPORT: tuple[tuple[str, str, str], ...] = _support_rows()

#: A minimal target, shown in the doc as written (and run by a test as ``my_target.py``).
MINIMAL_TARGET = '''\
"""A minimal conformance target: a toy presence service in memory (MESSAGE channels)."""

from rtm_emulator.conformance import Unsupported


class World:
    """One service: channels -> members, a clock; no debounce, no network hooks."""

    def __init__(self):
        self.channels = {}
        self.now_ms = 1_000_000  # optional: lets the kit check event times

    def advance(self, seconds):  # an optional hook: scenarios that use it can run
        self.now_ms += round(seconds * 1000)

    def client(self, user_id, app_id=None, config=None):
        return Client(self, user_id)


class Client:
    def __init__(self, world, user_id):
        self.world, self.user_id = world, user_id
        self.listeners = {}
        self.presence = Presence(self)

    def addEventListener(self, name, listener):
        self.listeners.setdefault(name, []).append(listener)

    def tell(self, channel, event_type, publisher, snapshot=()):
        event = {
            "eventType": event_type,
            "channelType": "MESSAGE",
            "channelName": channel,
            "publisher": publisher,
            "snapshot": [{"userId": u, "states": {}} for u in snapshot],
            "timestamp": self.world.now_ms,
        }
        for listener in self.listeners.get("presence", []):
            listener(event)

    async def login(self, options=None):
        return {"timestamp": 0}

    async def subscribe(self, channel, options=None):
        members = self.world.channels.setdefault(channel, {})
        for other in members.values():
            other.tell(channel, "REMOTE_JOIN", self.user_id)
        members[self.user_id] = self
        self.tell(channel, "SNAPSHOT", "", snapshot=sorted(members))
        return {"timestamp": 0, "channelName": channel}

    async def unsubscribe(self, channel):
        members = self.world.channels.get(channel, {})
        if members.pop(self.user_id, None) is not None:
            for other in members.values():
                other.tell(channel, "REMOTE_LEAVE", self.user_id)
        return {"timestamp": 0, "channelName": channel}

    def __getattr__(self, name):  # logout, createStreamChannel, ...
        raise Unsupported(f"{name} is not implemented")


class Presence:
    def __init__(self, client):
        self.client = client

    async def whoNow(self, channel, channel_type, options=None):
        users = sorted(self.client.world.channels.get(channel, {}))
        return {
            "timestamp": 0,
            "totalOccupancy": len(users),
            "occupants": [{"userId": u, "states": {}, "statesCount": 0} for u in users],
            "nextPage": "",
        }

    def __getattr__(self, name):  # whereNow, setState, ...
        raise Unsupported(f"presence.{name} is not implemented")


def factory(config):
    """The target factory: a fresh World per scenario."""
    if "announce_max" in config:
        raise Unsupported("no interval mode")
    return World()
'''

#: The section "Writing a target" of docs/conformance.md (Markdown).
TARGET_CONTRACT = f"""\
## Writing a target

A *target* is the implementation the scenarios run on: by default the emulator, or
yours: another fake, a service of your own, an adapter over a real client.
`rtm-emulator conformance --target package.module:factory` runs the suite on it,
`rtm-emulator run SCENARIO --target package.module:factory` one scenario with its
timeline. From Python: `run_suite(load_scenarios(), factory)` in
`rtm_emulator.conformance`.

### The factory

- `--target` is `module:attribute`. The module is imported by name
  (`importlib.import_module`) from `sys.path`; only when it is not found there is the
  current directory added, at the end of `sys.path`, and the import tried again. So
  run from the folder that holds `my_target.py` (or set `PYTHONPATH`), and a file
  there never shadows an installed or standard module: a `json.py` beside your target
  is not what `import json` finds, and a target named like an installed module
  (`json:dumps`) is the installed one. A file path is refused. The attribute may be
  dotted (`module:Adapter.create`) and must be callable.
- The kit calls it once per scenario with a fresh `dict`: the scenario's `config`
  table, in `EmulatorConfig` field names (`announce_max`, `interval`, `debounce`,
  `rate_limits`, `max_channel_users`, `start_time_ms`; R-C4). Most scenarios pass `{{}}`:
  the defaults (announce threshold 50, interval 30 s, debounce 2 s).
- It returns a new *world*: one service with its own users and clock.
- It raises `rtm_emulator.conformance.Unsupported("why")` for a config it cannot
  honour: the scenario is *skipped* (`target: why`). Any other exception, or returning
  `None`, *fails* that scenario (`target factory raised ValueError: ...`) and the
  suite goes on.

### The world

- `client(user_id, app_id=..., config=...)` (required): makes a client, on the first
  use of a name. `app_id` is a string (`DEFAULT_APP_ID` unless the scenario's
  `[clients]` table says otherwise), `config` the SDK's client config object as a
  `dict`, or `None`. An exception here (a bad app or user id, R-C1, R-C2) is judged as
  the result of the step that first uses the client.
- `now_ms` (optional): the clock, an `int` of ms (an attribute or a property). When
  present, event and link times (`at`) are checked against the time at the start;
  without it they are not checked, and a scenario that needs absolute times
  (`{{ "$" = "time", at = 1.0 }}`: a history page's `start`, a stored message's
  `timestamp`) is skipped (`target has no clock (now_ms)`).
- The service hooks (optional), called with the scenario's arguments:
  `advance(seconds)` moves the clock (a float of seconds) and fires what is due;
  `disconnect(user_id)` / `reconnect(user_id)` cut and restore that user's network
  (R-T2, R-T3); `set_presence_available(channel, channel_type, available)` starts and
  ends a presence outage on one channel (R-E8); `set_delivery_latency(user_id,
  seconds)` makes that user's events arrive late.

A scenario that calls a hook the world lacks is skipped before it starts (`target
lacks hooks ['disconnect']`); a hook that raises `Unsupported` skips it too, any
other exception from a hook fails it.

### The client

The kit calls the Web SDK's names, arguments in the SDK's order, the options object
last as a `dict` (only when the scenario gives one):

- `login(options)`, `logout()`, `subscribe(channel, options)`, `unsubscribe(channel)`;
- `createStreamChannel(name)`, then `.join(options)` or `.leave()` on what it returns
  (it is called again for every join or leave step); `createStreamChannel(name)` as a
  step of its own (its name is checked, R-C1);
- `presence.whoNow` / `presence.getOnlineUsers(channel, channel_type, options)`,
  `presence.whereNow` / `presence.getUserChannels(user_id)`,
  `presence.setState(channel, channel_type, state)`,
  `presence.getState(user_id, channel, channel_type)`,
  `presence.removeState(channel, channel_type, options)`;
- `publish(channel, message, options)`, `history.getMessages(channel, channel_type,
  options)`; on the stream channel's handle `joinTopic(topic, options)`,
  `leaveTopic(topic)`, `subscribeTopic(topic, options)`, `unsubscribeTopic(topic,
  options)`, `publishTopicMessage(topic, message, options)` and the synchronous
  `getSubscribedUserList(topic)`. A binary message is `bytes`: an adapter over the Web
  SDK passes a `Uint8Array`, and gives the kit `bytes` (or any bytes-like object) back
  in events and history entries;
- `addEventListener(name, listener)`: the kit adds `presence`, `message`, `topic` and
  `linkState` listeners when it makes the client, and others in `addEventListener`
  steps (R-C5);
  `removeEventListener(name, listener)`: without a listener the kit removes the one it
  added in an `addEventListener` step for that name.

Only what a scenario uses must exist. A call (or the attribute lookup) that raises
`Unsupported` skips the scenario; a missing method is an `AttributeError` like any
other failure, so it fails the step.

- **Results.** A call returns a value or an awaitable (an `async def`). The kit runs
  each scenario on a fresh asyncio event loop and gives an awaitable 50 turns of that
  loop to settle; it never waits for real time. A call still pending is judged when it
  settles during a later step (a login waiting for the link, R-L3); one still pending
  at the end fails the scenario (`never settled`). An adapter over a networked
  implementation must therefore settle without waiting on real I/O, or answer from a
  local replica.
- **Responses** are the SDK's JSON: a mapping, or an object with `to_dict()`
  (`totalOccupancy`, `occupants`, `nextPage`, `timestamp`, ...). A step's `expect` is
  compared as a subset: the keys it names, lists item by item with the same length.
- **Errors.** A failing call raises an exception carrying the SDK's code as an `int`
  `error_code` (or `errorCode`) and, where the scenario checks them, `operation` and
  `name` (the error class, R-X2). Where the SDK throws a plain exception the scenario
  names its class (`ValueError`, `TypeError`, R-X3), matched against the exception's
  classes; it must then carry no code.
- **Events** reach the listeners as mappings or objects with `to_dict()`, in the SDK's
  JSON: `presence` events with `eventType`, `channelType`, `channelName`, `publisher`,
  `timestamp`, `snapshot` (a list of `{{userId, states}}`), `interval` (`join`,
  `leave`, `timeout` each `{{users}}`, `userStateList`, `totalOccupancy`) and
  `stateChanged`; `message` events with `channelType` (`MESSAGE`, `USER`, `STREAM`),
  `channelName`, `topicName`, `publisher`, `message` (a `str`, or bytes for
  `BINARY`), `messageType`, `customType` and `timestamp`; `topic` events with
  `eventType`, `channelName`, `publisher`, `topicInfos` (each `{{publishers:
  [{{publisherUserId, publisherMeta}}], topicName, totalPublisher}}`), `totalTopics` and
  `timestamp`; `linkState` events with `currentState`, `previousState`,
  `reasonCode`, `operation`, `isResumed`, `affectedChannels` and `serviceType`
  (`STREAM` files the event under the stream channel's own link). Deliver them before
  the call's result (R-E9), synchronously or on the loop; an event the kit cannot read
  fails the scenario.

### Results and the report

Each scenario is *passed*, *failed* (one line per problem: `step 3 (alice subscribe):
raised -10025: ... (expected -10019)`, `events of 'alice': #2 REMOTE_JOIN carol:
publisher 'carol' != 'bob'`, `link states of 'bob': [...] != [...]`, `target factory
raised ...`) or *skipped* (the reason). `rtm-emulator conformance` prints one line
per scenario, the failures under it, and `N passed, N failed, N skipped`; it exits 0
when nothing failed (skips do not fail), 1 when a scenario failed, 2 for a misuse (a
target that cannot be imported, an unknown rule, an unwritable report). `--report
FILE` writes JSON: `summary` (`passed`, `failed`, `skipped`: counts) and `scenarios`, a
list in scenario-id order of `{{id, rules, title, status, failures}}`.
`rtm-emulator run SCENARIO --target ... --format json` gives one scenario's timeline.

### A minimal target

A toy presence service in memory: MESSAGE channels, a clock, `whoNow`; leaves are
announced at once (no debounce, R-E6) and everything else is `Unsupported`. Saved as
`my_target.py`:

<!-- sample: conformance-toy-target -->
```python
{MINIMAL_TARGET}```

<!-- sample: conformance-toy-run -->
```bash
rtm-emulator conformance --target my_target:factory --rule R-E6 --report report.json
```

It fails the R-E6 scenarios it can run (`events of 'alice': #3 REMOTE_LEAVE bob: at
0.000 s != 3.990 s`), skips the others (`target: no interval mode`, `step 5:
presence.setState is not implemented`, `target lacks hooks ['disconnect']`) and exits 1.
`tests/conformance/toy_target.py` is a fuller toy that gets other rules wrong on
purpose.
"""


#: What each kind of source means, in the order the legend lists them.
_SOURCE_KINDS = (
    ("runtime", "the SDK's bundle"),
    ("sdk", "its typings"),
    ("docs", "Agora's docs"),
    ("seed", "the seed API reference"),
    ("rule", "the emulator's documented choice"),
)


def _legend(rules: Mapping[str, object]) -> str:
    """The kinds of source the rules cite, each with what it means."""
    used = {kind for about in rules.values() for kind in getattr(about, "sources", ())}
    return ", ".join(f"`{kind}` {meaning}" for kind, meaning in _SOURCE_KINDS if kind in used)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_conformance_doc(suite: SuiteResult, rules: Mapping[str, object]) -> str:
    """The Markdown of ``docs/conformance.md`` for a suite run on the emulator.

    ``rules`` maps rule ids to :class:`~rtm_emulator.conformance.Rule` (or anything with
    ``text`` and ``sources``) in the spec's order.
    """
    by_rule: dict[str, list[tuple[str, str]]] = {rule: [] for rule in rules}
    for result in suite.results:
        for rule in result.scenario.rules:
            by_rule.setdefault(rule, []).append((result.scenario.id, result.status))
    lines = [
        "# Conformance",
        "",
        "Generated by `tests/conformance/test_kit.py` from the scenarios shipped in",
        "`rtm_emulator/conformance/scenarios/` and a run on the emulator; a test fails when",
        "this page is stale (`UPDATE_DOCS=1 python3 -m pytest tests/conformance` rewrites it).",
        "",
        "Run it yourself: `rtm-emulator list` (the scenarios; `--rule R-E6`, `--rules`),",
        "`rtm-emulator conformance` (or `--target package.module:factory` for another",
        "implementation: [Writing a target](#writing-a-target) is the contract),",
        "`rtm-emulator run SCENARIO --format text|json|mermaid|svg`, `rtm-emulator explain R-E6`.",
        "",
        f"Result on the emulator: {suite.summary()}.",
        "",
        "The rules are those of `docs/semantics.md` (revision 2, which follows the SDK's",
        "runtime, agora-rtm.js of agora-rtm-sdk 2.3.0); each line below is the kit's one-line",
        "summary. Sources: " + _legend(rules) + ".",
        "",
        "## Rules and their scenarios",
        "",
        "| rule | in short | sources | scenarios | status |",
        "|---|---|---|---|---|",
    ]
    for rule, entries in by_rule.items():
        names = "<br>".join(f"`{sid}`" for sid, _ in entries) or "**none**"
        statuses = sorted({status for _, status in entries}) or ["-"]
        about = rules.get(rule)
        text = _cell(str(getattr(about, "text", ""))) if about is not None else ""
        sources = ", ".join(getattr(about, "sources", ())) if about is not None else ""
        lines.append(f"| {rule} | {text} | {sources} | {names} | {', '.join(statuses)} |")
    lines += [
        "",
        "## All scenarios",
        "",
        "| scenario | rules | title | status |",
        "|---|---|---|---|",
    ]
    for result in suite.results:
        sc = result.scenario
        title = _cell(sc.title)
        lines.append(f"| `{sc.id}` | {', '.join(sc.rules)} | {title} | {result.status} |")
    lines += [
        "",
        "## SDK methods",
        "",
        "| SDK (agora-rtm-sdk 2.3.0) | Python | status |",
        "|---|---|---|",
    ]
    for sdk, python, status in SDK_SUPPORT:
        lines.append(f"| `{sdk}` | `{python}` | {status} |")
    return "\n".join(lines) + "\n\n" + TARGET_CONTRACT
