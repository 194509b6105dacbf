"""Shared helpers of the messaging tests (R-M1..R-M24): recorders, expected events, errors.

The expected values are written here by hand from the SDK runtime (agora-rtm.js 2.3.0:
the reason table, the error classes, the event shapes), independently of the package's
own tables.  :func:`fails` checks a failing call the way ``test_errors.py`` does: the
SDK's code, ``operation``, ``reason`` and class, and that nothing changed (no delivery,
no stored message, no topic state) and nothing was emitted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from rtm_emulator import Emulator, RTMClient, RtmError

IA = "RtmInvalidArgumentError"
LE = "RtmLimitExceededError"
IS = "RtmInvalidStatusError"
UA = "RtmUnavailableError"

#: code -> the SDK's reason (its table's text with the final ".") and its default class
REASONS: dict[int, tuple[str, str]] = {
    -10008: ("Invalid channel name. illegal symbol or too long.", IA),
    -10019: ("Invalid channel type, some api not support set channel type as user.", IA),
    -10021: ("The operation rate exceeds limitation.", UA),
    -10025: ("Perform operation failed due to RTM service is not connected.", IS),
    -11001: ("Perform operation without join stream channel.", UA),
    -11003: ("Subscribe failed due to exceed topic user limitation in stream channel.", UA),
    -11008: ("Perform topic operation with invalid name.illegal symbol or too long.", IA),
    -11009: ("Publish invalid message.", IA),
    -11010: ("Publish too long message.", IA),
    -11013: ("Perform topic operation without subscribe.", UA),
    -11014: ("Have subscribe or joined too many topics.", UA),
    -11016: ("Perform topic operation without join.", UA),
    -11017: ("Topic does not exist.", UA),
    -11029: ("The length of custom type overflow.", IA),
    -11030: ("Send message with invalid custom type.", IA),
    -11033: ("Publish a message to user now is offline.", UA),
    -15002: ("Invalid start or end timestamp.", IA),
    -15004: ("History operation is not permitted.", IA),
    -15005: ("History service is not available.", UA),
}


class Inbox:
    """What one client's ``message`` and ``topic`` listeners receive, as SDK JSON."""

    def __init__(self, client: RTMClient) -> None:
        self.client = client
        self.messages: list[dict[str, Any]] = []
        self.topics: list[dict[str, Any]] = []
        client.add_event_listener("message", lambda e: self.messages.append(e.to_dict()))
        client.add_event_listener("topic", lambda e: self.topics.append(e.to_dict()))

    def take(self) -> list[dict[str, Any]]:
        """The message events so far, clearing the record."""
        out, self.messages[:] = list(self.messages), []
        return out

    def take_topics(self) -> list[dict[str, Any]]:
        """The topic events so far, clearing the record."""
        out, self.topics[:] = list(self.topics), []
        return out

    def texts(self) -> list[Any]:
        """The ``message`` field of every message event so far, clearing the record."""
        return [m["message"] for m in self.take()]


def message(
    channel: str,
    publisher: str,
    body: str | bytes,
    *,
    ts: int,
    kind: str = "MESSAGE",
    custom: str = "",
) -> dict[str, Any]:
    """R-M7: a channel or user message event, keys in the runtime's order."""
    return {
        "channelName": channel,
        "publisher": publisher,
        "message": body,
        "messageType": "STRING" if isinstance(body, str) else "BINARY",
        "customType": custom,
        "channelType": kind,
        "topicName": "",
        "timestamp": ts,
    }


def topic_message(
    channel: str, topic: str, publisher: str, body: str | bytes, *, ts: int, custom: str = ""
) -> dict[str, Any]:
    """R-M19: a topic message event, keys in the runtime's order."""
    return {
        "channelName": channel,
        "channelType": "STREAM",
        "topicName": topic,
        "message": body,
        "publisher": publisher,
        "messageType": "STRING" if isinstance(body, str) else "BINARY",
        "customType": custom,
        "timestamp": ts,
    }


def topic_event(
    kind: str, channel: str, publisher: str, topics: list[tuple[str, list[str]]], *, ts: int
) -> dict[str, Any]:
    """R-M20: a topic event listing ``(topic, publishers)`` pairs."""
    return {
        "eventType": kind,
        "channelName": channel,
        "publisher": publisher,
        "topicInfos": [
            {
                "publishers": [{"publisherUserId": u, "publisherMeta": ""} for u in users],
                "topicName": topic,
                "totalPublisher": len(users),
            }
            for topic, users in topics
        ],
        "totalTopics": len(topics),
        "timestamp": ts,
    }


def state(emu: Emulator) -> Any:
    """Everything messaging keeps, as plain data: deliveries, history, replay buffers,
    every member's topics (to show that a failed call changed nothing)."""
    engine = emu._engine
    history = {
        key: [m.to_dict() for m in log.items]
        for key, log in engine._messaging.history._logs.items()
    }
    parked = {
        core.user_id: [e.to_dict() for e in events]
        for core, events in engine._messaging._parked.items()
    }
    topics = {
        ident: {
            core.user_id: (dict(m.local), {t: dict(u) for t, u in m.remote.items()})
            for core, m in members.items()
        }
        for ident, members in engine._topics._channels.items()
    }
    deliveries = [entry.to_dict() for entry in emu.journal.entries]
    return deliveries, history, parked, topics


async def fails(
    emu: Emulator,
    call: Callable[[], Awaitable[Any] | Any],
    code: int,
    operation: str,
    *,
    name: str | None = None,
) -> RtmError:
    """Call; expect the SDK's error ``code`` of ``operation`` (class ``name`` or the
    code's default) and that nothing changed or was emitted."""
    before = state(emu)
    with pytest.raises(RtmError) as info:
        result = call()
        if isinstance(result, Awaitable):
            await result
    err = info.value
    reason, default = REASONS[code]
    assert {
        "error": True,
        "code": code,
        "errorCode": code,
        "operation": operation,
        "reason": reason,
        "name": default if name is None else name,
    } == err.to_dict(), err
    assert before == state(emu), "a failed call changed something or delivered events"
    emu.check_invariants()
    return err


async def logged_in(emu: Emulator, *user_ids: str) -> list[RTMClient]:
    """One logged-in client per user id."""
    clients = [emu.client(uid) for uid in user_ids]
    for client in clients:
        await client.login()
    return clients
