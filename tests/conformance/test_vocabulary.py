"""The scenario step vocabulary is the surface table's (``rtm_emulator._surface``): every
operation row is a client call a scenario may make, on the object the row names, with
the row's parameters; the hooks are control verbs; the records' channels follow the
parameters."""

from __future__ import annotations

import re
from typing import Any

import pytest

from rtm_emulator._surface import CONTROL, OPERATIONS
from rtm_emulator.conformance import HOOKS, load_scenario, load_scenarios, run_scenario
from rtm_emulator.conformance._scenario import CLIENT_CALLS
from rtm_emulator.conformance._vocabulary import CALLS, channel_of, step_params

_HEAD = 'id = "x"\nrules = ["R-C5"]\ntitle = "t"\n'


def test_the_client_calls_are_the_table_rows() -> None:
    assert [row.sdk for row in OPERATIONS] == list(CLIENT_CALLS)
    assert list(OPERATIONS) == list(CALLS.values())
    for name, row in CALLS.items():
        head = ("channelName",) if row.home == "stream" else ()
        assert (*head, *(p.sdk for p in row.params)) == step_params(name)


def test_the_hooks_are_control_verbs_with_their_parameters() -> None:
    verbs = {row.python: row for row in CONTROL}
    for hook in HOOKS:
        assert hook in verbs, hook
        assert tuple(p.wire for p in verbs[hook].params if p.kind == "arg") == step_params(hook)


def test_the_hooks_are_the_control_rows_marked_hook_and_documented() -> None:
    from rtm_emulator.conformance._docs import TARGET_CONTRACT

    assert [row.python for row in CONTROL if row.hook] == list(HOOKS)
    world = TARGET_CONTRACT.split("### The world")[1].split("### The client")[0]
    documented = re.findall(r"`(\w+)\(", world.split("The service hooks")[1])
    assert sorted(HOOKS) == sorted(documented)


def test_a_channel_name_without_a_type_takes_the_rows_channel_type() -> None:
    for row in OPERATIONS:
        names = row.wire_params
        if row.home == "stream":
            assert "STREAM" == row.channel_type, row.sdk
        elif "channelName" not in names or "channelType" in names:
            assert row.channel_type is None, row.sdk
        else:  # a service call on the client names a MESSAGE channel; a local one none
            assert ("MESSAGE" if row.wire else None) == row.channel_type, row.sdk


def test_every_shipped_step_is_in_the_vocabulary() -> None:
    used = {s.call for sc in load_scenarios() for s in sc.steps}
    assert used <= {*CLIENT_CALLS, *HOOKS}
    assert len(used & set(CLIENT_CALLS)) >= 10, used


@pytest.mark.parametrize(
    ("call", "args", "channel"),
    [
        ("subscribe", ["room"], ("MESSAGE", "room")),
        ("subscribe", [], None),
        ("unsubscribe", ["room"], ("MESSAGE", "room")),
        ("join", ["stage", {"withPresence": True}], ("STREAM", "stage")),
        ("leave", ["stage"], ("STREAM", "stage")),
        ("createStreamChannel", ["stage"], None),  # only makes a handle
        ("whoNow", ["room", "STREAM"], ("STREAM", "room")),
        ("whoNow", ["room"], None),
        ("getState", ["bob", "room", "MESSAGE"], ("MESSAGE", "room")),
        ("getState", ["bob", "room"], None),
        ("removeState", ["room", "MESSAGE"], ("MESSAGE", "room")),
        ("whereNow", ["bob"], None),
        ("login", [], None),
        ("addEventListener", ["presence"], None),
        ("set_presence_available", ["room", "STREAM", False], ("STREAM", "room")),
        ("advance", [2.0], None),
        ("disconnect", ["bob"], None),
    ],
)
def test_the_channel_of_a_step_follows_its_parameters(
    call: str, args: list[Any], channel: tuple[str, str] | None
) -> None:
    assert channel == channel_of(call, args)


@pytest.mark.parametrize(
    ("call", "args", "options", "channel"),
    [
        ("publish", ["bob", "hi"], {"channelType": "USER"}, ("USER", "bob")),
        ("publish", ["room", "hi"], {"channelType": ""}, ("MESSAGE", "room")),
        ("publish", ["room", "hi"], None, ("MESSAGE", "room")),
        ("publishTopicMessage", ["stage", "news", "hi"], {"customType": "x"}, ("STREAM", "stage")),
        ("getMessages", ["bob", "USER"], {"messageCount": 1}, ("USER", "bob")),
        ("subscribe", ["room"], {"channelType": "USER"}, ("MESSAGE", "room")),  # no such key
    ],
)
def test_a_publish_step_takes_its_channel_type_from_its_options(
    call: str, args: list[Any], options: dict[str, Any] | None, channel: tuple[str, str]
) -> None:
    assert channel == channel_of(call, args, options)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ('as = "a"\ncall = "leave"\nargs = ["s", {}]', "leave takes at most 1 `args`"),
        (
            'as = "a"\ncall = "setState"\nargs = ["r", "MESSAGE"]\noptions = { a = 1 }',
            "setState has no options object after 2 `args`",
        ),
        (
            'as = "a"\ncall = "whoNow"\nargs = ["r"]\noptions = { page = "" }',
            "whoNow has no options object after 1 `args`",
        ),
        ('call = "advance"\nargs = [1, 2]', "advance takes at most 1 `args`"),
        ('as = "a"\ncall = "presence"', "unknown client call 'presence'"),
    ],
)
def test_the_arguments_must_fit_the_row(step: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        load_scenario(_HEAD + "[[step]]\n" + step + "\n", "bad.toml")


def test_options_fit_where_the_row_has_them() -> None:
    text = _HEAD + (
        "[[step]]\n"
        'as = "a"\ncall = "whoNow"\nargs = ["r", "MESSAGE"]\noptions = { includedState = true }\n'
    )
    assert {"includedState": True} == load_scenario(text).steps[0].options


def test_remove_event_listener_removes_the_runners_listener() -> None:
    """A listener step without a listener uses the runner's one for that event name:
    added, it records under ``name#event``; removed, it records no more (R-C5)."""
    text = _HEAD + (
        'step = [\n  { as = "alice", call = "login" },\n  { as = "bob", call = "login" },\n'
        '  { as = "alice", call = "addEventListener", args = ["presence"] },\n'
        '  { as = "alice", call = "subscribe", args = ["room"] },\n'
        '  { as = "alice", call = "removeEventListener", args = ["presence"] },\n'
        '  { as = "bob", call = "subscribe", args = ["room"] },\n]\n'
        '[events]\nalice = [["SNAPSHOT", ""], ["REMOTE_JOIN", "bob"]]\n'
        '"alice#presence" = [["SNAPSHOT", ""]]\n'
    )
    result = run_scenario(load_scenario(text))
    assert ("passed", ()) == (result.status, result.failures)
    kept = text.replace(
        '  { as = "alice", call = "removeEventListener", args = ["presence"] },\n', ""
    )
    result = run_scenario(load_scenario(kept))
    assert "failed" == result.status
    assert ["events of 'alice#presence': unexpected #2 REMOTE_JOIN bob"] == list(result.failures)


def test_create_stream_channel_is_a_call_with_the_sdk_checks() -> None:
    """R-C1: a stream channel's name is checked when the handle is made."""
    text = _HEAD + (
        'step = [\n  { as = "a", call = "login" },\n'
        '  { as = "a", call = "createStreamChannel", args = ["a.b"], error = -10008,'
        ' operation = "createStreamChannel" },\n'
        '  { as = "a", call = "createStreamChannel", args = ["stage"] },\n]\n'
    )
    result = run_scenario(load_scenario(text))
    assert ("passed", ()) == (result.status, result.failures)
    calls = [r for r in result.records if r.kind == "call"]
    assert ["ok", "error -10008", "ok"] == [r.outcome for r in calls]
    assert [None, None, None] == [r.channel for r in calls]
