"""The ``operation`` an error carries is the table row's, in Python and through the server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rtm_emulator import Emulator, RtmError
from rtm_emulator._surface import OPERATIONS, Operation
from rtm_emulator.server import Connection, Hub

#: An argument of each SDK parameter name that fails before login (or is malformed).
BAD = {
    "channelName": "_not a name",
    "channelType": "MESSAGE",
    "userId": "bob",
    "state": {"mood": "x"},
    "options": {"token": "not a token"},
    "message": "hi",
    "topicName": "t1",
    "token": "not a token",
    "data": [{"key": "k", "value": "v"}],
    "lockName": "L",
    "owner": "bob",
}
FAILING = [row for row in OPERATIONS if row.sdk not in ("logout", "addEventListener")]
FAILING = [row for row in FAILING if row.sdk != "removeEventListener"]


def _target(emu: Emulator, row: Operation) -> Any:
    client = emu.client("alice")
    if row.home == "presence":
        return client.presence
    if row.home == "history":
        return client.history
    if row.home == "stream":
        return client.createStreamChannel("stage")
    if row.home == "storage":
        return client.storage
    if row.home == "lock":
        return client.lock
    return client


@pytest.mark.parametrize("row", FAILING, ids=lambda r: f"{r.home}.{r.sdk}")
@pytest.mark.parametrize("spelling", ["python", "sdk"])
async def test_python_errors_carry_the_rows_operation(row: Operation, spelling: str) -> None:
    target = _target(Emulator(), row)
    method = getattr(target, getattr(row, spelling))
    with pytest.raises(RtmError) as caught:
        result = method(*[BAD[p.sdk] for p in row.params])
        if row.is_async:
            await result
    assert row.operation == caught.value.operation


def _hub_with_session() -> tuple[Hub, Connection, list[str]]:
    hub = Hub()
    sent: list[str] = []
    conn = Connection(sent.append, lambda code, reason: None)
    frame = json.dumps({"id": 0, "method": "hello", "params": {"userId": "alice"}})
    outcome = hub.execute(conn, hub.parse(frame))  # type: ignore[arg-type]
    assert outcome.reply is not None and '"result"' in outcome.reply
    return hub, conn, sent


@pytest.mark.parametrize(
    "row", [r for r in OPERATIONS if r.wire is not None], ids=lambda r: str(r.wire)
)
def test_the_hub_checks_arguments_by_the_row(row: Operation) -> None:
    hub, conn, _ = _hub_with_session()
    most = len(row.wire_params)
    too_many = json.dumps({"id": 1, "method": row.wire, "params": [None] * (most + 1)})
    reply = json.loads(hub.execute(conn, hub.parse(too_many)).reply or "")  # type: ignore[arg-type]
    assert row.operation == reply["error"]["operation"]
    assert f"takes at most {most} argument(s)" in reply["error"]["detail"]
    not_a_list = json.dumps({"id": 2, "method": row.wire, "params": {"a": 1}})
    reply = json.loads(hub.execute(conn, hub.parse(not_a_list)).reply or "")  # type: ignore[arg-type]
    assert row.operation == reply["error"]["operation"]
    assert -10014 == reply["error"]["errorCode"]


#: A valid argument of each SDK parameter name (the options left out).
VALID = {
    "channelName": "room",
    "channelType": "MESSAGE",
    "userId": "bob",
    "state": {"mood": "x"},
    "eventName": "presence",
    "listener": lambda event: None,
    "message": "hi",
    "topicName": "t1",
    "token": "not a token",
    "data": [{"key": "k", "value": "v"}],
    "lockName": "L",
    "owner": "bob",
}


@pytest.mark.parametrize("row", OPERATIONS, ids=lambda r: f"{r.home}.{r.sdk}")
async def test_needs_login_is_what_a_client_never_logged_in_gets(row: Operation) -> None:
    """``needs_login`` rows fail with -10025 on an IDLE client, the others do not."""
    target = _target(Emulator(), row)
    code = None
    try:
        result = getattr(target, row.python)(*[VALID[p.sdk] for p in row.params if p.required])
        if row.is_async:
            await result
    except RtmError as error:
        code = int(error.error_code)
    assert row.needs_login == (code == -10025), code
