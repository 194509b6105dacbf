"""Reading what a target delivers (SDK JSON) and comparing it with what a scenario
expects: responses, error codes, presence, message and topic events and link-state
changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._scenario import EVERYONE, Scenario, literal

__all__ = [
    "Heard",
    "as_dict",
    "describe_event",
    "error_code",
    "event_dict",
    "event_type",
    "judge_timeline",
    "subset",
]

#: One event a client heard: the listener's event name (``"presence"``, ``"message"``,
#: ``"topic"``, ...), the event's SDK JSON and the client's name.
Heard = tuple[str, dict[str, Any], str]


def as_dict(value: Any) -> Any:
    """``value.to_dict()`` when it has one (an emulator response), else ``value``."""
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    return value


def subset(expected: Any, actual: Any) -> bool:
    """``expected`` matches ``actual``: dicts by the expected keys, lists item by item."""
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(
            k in actual and subset(v, actual[k]) for k, v in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, (list, tuple))
            and len(expected) == len(actual)
            and all(subset(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return bool(expected == actual)


def error_code(exc: BaseException) -> int | None:
    """The RTM code of an error (``error_code`` or ``errorCode``), ``None`` for a plain one."""
    for name in ("error_code", "errorCode"):
        code = getattr(exc, name, None)
        if isinstance(code, int):
            return int(code)
    return None


def event_dict(event: Any) -> dict[str, Any]:
    """An event's SDK JSON, with its ``seq`` when it has one; the plain string a
    ``tokenPrivilegeWillExpire`` listener gets as ``{"channelName": ...}``.

    Raises:
        Exception: whatever reading an event that is not a mapping raises.
    """
    if isinstance(event, str):  # R-TK10: tokenPrivilegeWillExpire passes a name alone
        return {"channelName": event}
    body = dict(as_dict(event))
    seq = getattr(event, "seq", None)
    if seq is not None:
        body["seq"] = seq
    return body


#: a message longer than this is shortened in the timeline
_SHOWN = 40


def _show_message(message: Any) -> str:
    """A message as the timeline shows it: text quoted, bytes in hex, long ones cut."""
    if isinstance(message, (bytes, bytearray, memoryview)):
        data = bytes(message)
        hexed = data[: _SHOWN // 2].hex()
        more = "…" if len(data) > _SHOWN // 2 else ""
        return f"<{len(data)} bytes {hexed}{more}>"
    text = str(message)
    if len(text) <= _SHOWN:
        return repr(text)
    return f"{text[: _SHOWN - 8]!r}… ({len(text)} chars)"


def _payload(message: Any) -> tuple[str, Any]:
    """A message to compare: binary (any bytes-like object) and text never equal."""
    if isinstance(message, (bytes, bytearray, memoryview)):
        return ("BINARY", bytes(message))
    return ("STRING", message)


def event_type(kind: str, body: Mapping[str, Any]) -> str:
    """The ``type`` a scenario gives an event heard by listener ``kind``: ``"message"``,
    ``"TOPIC_"`` + its eventType, a link-state event's ``currentState``, or (presence
    and others) its ``eventType``; a ``tokenPrivilegeWillExpire`` notice's channel name."""
    if kind == "message":
        return "message"
    if kind == "topic":
        return f"TOPIC_{body.get('eventType', '?')}"
    if kind == "linkState":
        return str(body.get("currentState", "?"))
    if kind == "tokenPrivilegeWillExpire":
        return str(body.get("channelName", "?"))
    return str(body.get("eventType", "?"))


def _describe_topic(body: Mapping[str, Any]) -> str:
    kind = f"TOPIC_{body.get('eventType', '?')}"
    topics = [
        f"{t.get('topicName')}: "
        + ", ".join(str(p.get("publisherUserId")) for p in t.get("publishers") or [])
        for t in body.get("topicInfos") or []
    ]
    publisher = body.get("publisher") or ""
    return " ".join(bit for bit in (kind, publisher, f"[{'; '.join(topics)}]") if bit)


def _describe_message(body: Mapping[str, Any]) -> str:
    bits = ["message", str(body.get("publisher"))]
    if body.get("topicName"):
        bits.append(f"@{body.get('topicName')}")
    bits.append(_show_message(body.get("message")))
    if body.get("customType"):
        bits.append(f"({body.get('customType')})")
    return " ".join(bits)


def _describe_lock(body: Mapping[str, Any]) -> str:
    """A ``lock`` event (R-LK15): its type and lock (holder), a SNAPSHOT its locks."""
    kind = body.get("eventType", "?")
    if kind == "SNAPSHOT":
        locks = ", ".join(
            d["lockName"] + (f" by {d['owner']}" if d.get("owner") else "")
            for d in body.get("snapshot") or []
        )
        return f"lock {kind} [{locks}]"
    owner = body.get("owner") or ""
    return f"lock {kind} {body.get('lockName', '')}" + (f" by {owner}" if owner else "")


def describe_event(body: Mapping[str, Any], kind: str = "presence") -> str:
    """One line saying what an event heard by listener ``kind`` was (for timelines and
    failures).

    Raises:
        Exception: whatever reading a malformed event raises (``KeyError``, ...).
    """
    if kind == "message":
        return _describe_message(body)
    if kind == "topic":
        return _describe_topic(body)
    if kind == "lock":
        return _describe_lock(body)
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


def expected_event(item: Any) -> dict[str, Any]:
    if isinstance(item, list):
        spec: dict[str, Any] = {"type": item[0]}
        if len(item) > 1:
            spec["publisher"] = item[1]
        if len(item) > 2:
            spec["at"] = item[2]
        return spec
    return dict(item)


#: an expected event's keys that compare one field of the event's JSON as they are
_FIELDS = (
    ("publisher", "publisher"),
    ("channel", "channelName"),
    ("channelType", "channelType"),
    ("messageType", "messageType"),
    ("customType", "customType"),
    ("topic", "topicName"),
)


def _match_topics(want: Mapping[str, Any], body: Mapping[str, Any]) -> str | None:
    """``topics = { news = ["bob"] }``: the topics and each one's publishers, in order,
    with the counts (``totalTopics``, ``totalPublisher``) that go with them."""
    infos = list(body.get("topicInfos") or [])
    got = [
        (t.get("topicName"), [p.get("publisherUserId") for p in t.get("publishers") or []])
        for t in infos
    ]
    wanted = [(name, list(users)) for name, users in want.items()]
    if got != wanted:
        return f"topics {dict(got)} != {dict(wanted)}"
    if body.get("totalTopics") != len(wanted):
        return f"totalTopics {body.get('totalTopics')!r} != {len(wanted)}"
    for info, (name, users) in zip(infos, wanted, strict=True):
        if info.get("totalPublisher") != len(users):
            return f"totalPublisher of {name!r} {info.get('totalPublisher')!r} != {len(users)}"
    return None


def match_event(
    spec: Mapping[str, Any], body: Mapping[str, Any], start: int | None, kind: str = "presence"
) -> str | None:
    """``None`` when ``body`` (SDK JSON), heard by listener ``kind``, satisfies ``spec``;
    else what differs.

    Raises:
        ValueError: for a ``{ "$" = "time" }`` value without a clock (``start`` None).
    """
    got_type = event_type(kind, body)
    if got_type != spec.get("type"):
        return f"type {got_type!r} != {spec.get('type')!r}"
    for key, field in _FIELDS:
        if key in spec and body.get(field) != spec[key]:
            return f"{field} {body.get(field)!r} != {spec[key]!r}"
    if "message" in spec:
        want_message = literal(spec["message"], start)
        if _payload(body.get("message")) != _payload(want_message):
            return f"message {_show_message(body.get('message'))} != {_show_message(want_message)}"
    if "keys" in spec:
        keys = [k for k in body if k != "seq"]
        if keys != list(spec["keys"]):
            return f"keys {keys} != {list(spec['keys'])}"
    if "fields" in spec and not subset(literal(dict(spec["fields"]), start), body):
        return f"fields {dict(body)} do not match {dict(spec['fields'])}"
    if "topics" in spec:
        diff = _match_topics(spec["topics"], body)
        if diff is not None:
            return diff
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


def match_link(want: Mapping[str, Any], body: Mapping[str, Any], start: int | None) -> str | None:
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


def judge_timeline(
    scenario: Scenario,
    events: Mapping[str, list[Heard]],
    links: Mapping[str, list[dict[str, Any]]],
    start: int | None,
    failures: list[str],
) -> None:
    """Append to ``failures`` what differs between the events and link states each client
    got and what ``scenario`` expects: one line per list that differs, as it is found (so
    the lines found before an event the kit cannot read stay).

    A client's own list holds its presence events and the kinds of ``scenario.listen``,
    in the order they arrived; a ``"name#event"`` list everything that listener got.

    Raises:
        Exception: whatever reading a malformed event raises (``KeyError``, ...).
    """
    kinds = {"presence", *scenario.listen}
    for name, items in scenario.events.items():
        got = [h for h in events.get(name, []) if "#" in name or h[0] in kinds]
        want = [expected_event(i) for i in items]
        for n in range(max(len(got), len(want))):
            if n >= len(want):
                kind, body, who = got[n]
                shown = describe_event(body, kind) + (f" to {who}" if name == EVERYONE else "")
                failures.append(f"events of {name!r}: unexpected #{n + 1} {shown}")
                break
            if n >= len(got):
                failures.append(f"events of {name!r}: missing #{n + 1} {want[n]}")
                break
            kind, body, who = got[n]
            diff = match_event(want[n], body, start, kind)
            if diff is None and "to" in want[n] and who != want[n]["to"]:
                diff = f"to {who!r} != {want[n]['to']!r}"
            if diff is not None:
                shown = describe_event(body, kind) + (f" to {who}" if name == EVERYONE else "")
                failures.append(f"events of {name!r}: #{n + 1} {shown}: {diff}")
                break
    for name, items in scenario.links.items():
        got_states = [b.get("currentState") for b in links.get(name, [])]
        want_states = [i if isinstance(i, str) else i["state"] for i in items]
        if got_states != want_states:
            failures.append(f"link states of {name!r}: {got_states} != {want_states}")
            continue
        for n, (want, body) in enumerate(zip(items, links[name], strict=True)):
            if isinstance(want, Mapping):
                diff = match_link(want, body, start)
                if diff is not None:
                    failures.append(f"link #{n + 1} of {name!r} to {want['state']}: {diff}")
