"""Reading what a target delivers (SDK JSON) and comparing it with what a scenario
expects: responses, error codes, presence events and link-state changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._scenario import Scenario

__all__ = [
    "as_dict",
    "describe_event",
    "error_code",
    "event_dict",
    "judge_timeline",
    "subset",
]


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
    """An event's SDK JSON, with its ``seq`` when it has one.

    Raises:
        Exception: whatever reading an event that is not a mapping raises.
    """
    body = dict(as_dict(event))
    seq = getattr(event, "seq", None)
    if seq is not None:
        body["seq"] = seq
    return body


def describe_event(body: Mapping[str, Any]) -> str:
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


def match_event(spec: Mapping[str, Any], body: Mapping[str, Any], start: int | None) -> str | None:
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
    events: Mapping[str, list[dict[str, Any]]],
    links: Mapping[str, list[dict[str, Any]]],
    start: int | None,
    failures: list[str],
) -> None:
    """Append to ``failures`` what differs between the events and link states each client
    got and what ``scenario`` expects: one line per list that differs, as it is found (so
    the lines found before an event the kit cannot read stay).

    Raises:
        Exception: whatever reading a malformed event raises (``KeyError``, ...).
    """
    for name, items in scenario.events.items():
        got = events.get(name, [])
        want = [expected_event(i) for i in items]
        for n in range(max(len(got), len(want))):
            if n >= len(want):
                failures.append(f"events of {name!r}: unexpected #{n + 1} {describe_event(got[n])}")
                break
            if n >= len(got):
                failures.append(f"events of {name!r}: missing #{n + 1} {want[n]}")
                break
            diff = match_event(want[n], got[n], start)
            if diff is not None:
                failures.append(f"events of {name!r}: #{n + 1} {describe_event(got[n])}: {diff}")
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
