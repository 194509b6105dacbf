"""Real-SDK mode on the wire: the ``sdk.*`` methods and the packets of a real SDK.

In real-SDK mode (docs/real-sdk.md) the app's own ``agora-rtm-sdk`` runs with its
transport replaced by ``rtm-emulator-client/real-sdk``: a connection whose ``hello``
carries ``"sdk": "<version>"``.  Such a session's engine client does none of the SDK's
work: the connection sends the SDK's store operations (``sdk.open`` ... ``sdk.query``,
the engine's :class:`~rtm_emulator._replicas.Replicas`) and its packets (``sdk.packet``),
and receives ``doc`` batches and ``packet`` frames.  This module turns packets into
engine operations and engine events into packets (D-RS6); it holds no state of the
service, only the numbering of the messages each connection receives.

Packet values on the wire: a 64-bit integer is ``{"$long": "<decimal>", "unsigned":
bool}``, bytes are ``{"$bytes": "<base64>"}``, at any depth (:func:`decode`,
:func:`encode`).  Nothing here reads the wall clock or iterates a set.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._errors import ConfigError, ErrorCode, RtmError
from .._events import MessageEvent
from .._surface import GET_MESSAGES, PUBLISH

if TYPE_CHECKING:
    from .._engine import Engine
    from .._session import ClientCore

__all__ = [
    "HANDLERS",
    "OUTGOING",
    "ROUTES",
    "SdkLink",
    "decode",
    "encode",
    "long",
    "packet_frame",
]

#: A packet's message type (the low 8 bits of its ``options``, agora-rtm.js 2.3.0).
PEER_TEXT, CHANNEL_TEXT, PEER_RAW, CHANNEL_RAW = 0, 1, 3, 4
#: The ``options`` bit of a publish stored in history (``storeInHistory``).
HISTORY_BIT = 30
#: Where a packet's ``options`` hold its compression method (2 bits after MessageType,
#: BroadcastJumps, ToCache and FromCache: agora-rtm.js 2.3.0), and the value for zlib,
#: which the SDK uses for a large message.
COMPRESSION_SHIFT = 12
ZLIB = 1
#: The ``Ack`` code of a USER message to a user with no logged-in client (R-M4).
ACK_PEER_OFFLINE = 8
#: The ``Ack`` code of any other refusal.
ACK_FAILED = 1


#: A packet's payload, and the frames a packet is answered with.
Packet = dict[str, Any]
Frames = list[dict[str, Any]]


def message_type(text: bool, peer: bool) -> int:
    """The packet type of a message: text or raw, to a user (peer) or a channel."""
    if peer:
        return PEER_TEXT if text else PEER_RAW
    return CHANNEL_TEXT if text else CHANNEL_RAW


def long(value: int, *, unsigned: bool = False) -> dict[str, Any]:
    """A 64-bit integer on the wire."""
    return {"$long": str(value), "unsigned": unsigned}


def decode(value: Any) -> Any:
    """A packet value from the wire: ``$long`` becomes an ``int``, ``$bytes`` ``bytes``."""
    if isinstance(value, dict):
        if "$long" in value and len(value) <= 2:
            return int(value["$long"])
        if "$bytes" in value and len(value) == 1:
            return base64.b64decode(value["$bytes"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def encode(value: Any) -> Any:
    """A packet value for the wire (``bytes`` as ``$bytes``; longs are built with
    :func:`long` by the code that knows they are longs)."""
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encode(v) for v in value]
    return value


#: Where the SDK takes each pushed packet from (agora-rtm.js 2.3.0): ``emitter`` is its
#: internal emitter (what its login sockets feed: messages, storage and lock pushes),
#: ``socket`` its login socket's receivers (``initLoginReceiver``: the token notice and
#: the drop); any other packet is a ``reply``, for ``onOperationPacket(name)``.
ROUTES: dict[str, str] = {
    "Message": "emitter",
    "StateUpdate": "emitter",
    "StateLockSubscribeEvent": "emitter",
    "StateLockUpdate": "emitter",
    "UserTicketNearlyExpire2": "socket",
    "UserDrop": "socket",
}


def packet_frame(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A ``packet`` event frame ``{name, payload, route}`` (``payload`` with ``$long``
    values already built; ``route`` from :data:`ROUTES`)."""
    data = {"name": name, "payload": encode(payload), "route": ROUTES.get(name, "reply")}
    return {"type": "event", "name": "packet", "data": data}


@attrs.define(eq=False)
class SdkLink:
    """One real-SDK connection's side of the packets (D-RS6).

    ``dialogues`` is shared by every connection of the hub: each publisher (app id, user
    id) has one dialogue number, given in first-publish order.  ``received`` numbers the
    messages this connection receives per dialogue, from 1 at each login (the SDK forgets
    its sequences when its login ends), so its reorder hold (R-M8) never fires.
    """

    version: str
    dialogues: dict[tuple[str, str], int]
    received: dict[int, int] = attrs.field(factory=dict)
    #: the engine behind the connection, for what an outgoing packet reads of the
    #: service (a lock's revision, D-RS10); ``None`` when the link is built alone
    engine: Engine | None = None
    #: queues a packet frame that answers a packet later (an acquire with retry that
    #: waited, D-RS10): the hub delivers it after the events of the operation that
    #: settled it; ``None``: such answers are dropped
    send: Callable[[dict[str, Any]], None] | None = None
    #: the ticket of the token the access point last took (D-RS11), and how many
    #: tickets the connection was given
    ticket: str = ""
    tickets: int = 0

    # ------------------------------------------------------------ incoming

    def packet(self, engine: Engine, core: ClientCore, params: Any) -> Frames:
        """``sdk.packet``: handle one packet of the SDK; the packet frames it answers.

        Raises:
            ConfigError: for params that are not ``{name, payload}``.
        """
        if not isinstance(params, Mapping) or not isinstance(params.get("name"), str):
            raise ConfigError.bad("sdk.packet", f"params must be {{name, payload}}, got {params!r}")
        name = params["name"]
        raw = params.get("payload") or {}
        payload = decode(raw)
        if not isinstance(payload, dict):
            raise ConfigError.bad("sdk.packet", f"payload must be an object, got {raw!r}")
        handler = HANDLERS.get(name)
        if handler is None:
            return []  # a packet the emulator does not serve: the SDK times out (docs)
        return handler(self, engine, core, payload, raw)

    def _group_enter(self, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
        channel = p.get("account")
        code = 0
        if isinstance(channel, str) and channel:
            engine.replicas.group_enter(core, channel)
        else:
            code = ACK_FAILED
        return [packet_frame("GroupReply", {"seq": raw.get("seq"), "code": code})]

    def _group_leave(self, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
        channel = p.get("account")
        if isinstance(channel, str):
            engine.replicas.group_leave(core, channel)
        return []

    def _message(self, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
        options = int(p.get("options") or 0)
        kind = options & 0xFF
        body = bytes(p.get("payload") or b"")
        if (options >> COMPRESSION_SHIFT) & 3 == ZLIB:  # the engine keeps the message itself
            body = zlib.decompress(body)
        message: str | bytes = body if kind in (PEER_RAW, CHANNEL_RAW) else body.decode("utf-8")
        misc = p.get("MiscMap") or {}
        custom = misc.get("customType") if isinstance(misc, dict) else None
        peer = kind in (PEER_TEXT, PEER_RAW)
        opts: dict[str, Any] = {"channelType": "USER" if peer else "MESSAGE"}
        if isinstance(custom, bytes) and custom:
            opts["customType"] = custom.decode("utf-8")
        if (options >> HISTORY_BIT) & 1:
            opts["storeInHistory"] = True
        code = 0
        try:
            engine.op_publish(core, PUBLISH, p.get("dst"), message, opts)
        except RtmError as exc:
            offline = exc.error_code == ErrorCode.CHANNEL_RECEIVER_OFFLINE
            code = ACK_PEER_OFFLINE if offline else ACK_FAILED
        ack = {k: raw.get(k) for k in ("dialogue", "sequence", "instance")}
        ack["code"] = code
        return [packet_frame("Ack", ack)]

    def _ack(self, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
        return []  # a receiver's ack of a USER message: the server needs nothing from it

    def _history(self, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
        kind = "MESSAGE" if int(p.get("flags") or 0) == 1 else "USER"
        options = {
            "start": int(p.get("startTime") or 0),
            "end": int(p.get("endTime") or 0),
            "messageCount": p.get("count"),
        }
        reply: dict[str, Any] = {"uuid": p.get("uuid"), "code": 0}
        try:
            result = engine.op_get_messages(core, GET_MESSAGES, p.get("dst"), kind, options)
        except RtmError as exc:
            reply.update(code=int(exc.server_code or ACK_FAILED), messages=[], more=False)
            reply["oldestTime"] = long(0)
            return [packet_frame("StateHistoryGetResult2", reply)]
        messages = []
        for item in result.message_list:
            text = isinstance(item.message, str)
            body = item.message.encode("utf-8") if isinstance(item.message, str) else item.message
            peer = kind == "USER"
            typ = (
                (PEER_TEXT if text else PEER_RAW)
                if peer
                else (CHANNEL_TEXT if text else CHANNEL_RAW)
            )
            messages.append(
                {
                    "options": long(typ | (1 << HISTORY_BIT)),
                    "payload": body,
                    "src": item.publisher,
                    "ms": long(item.timestamp),
                    # a HistoryRecord2's details are bytes, as a Message's MiscMap
                    "details": {"customType": item.custom_type.encode("utf-8")}
                    if item.custom_type
                    else {},
                }
            )
        oldest = result.message_list[-1].timestamp if result.message_list else 0
        reply.update(messages=messages, oldestTime=long(oldest), more=result.new_start != 0)
        return [packet_frame("StateHistoryGetResult2", reply)]

    # ------------------------------------------------------------ outgoing

    def event_frames(self, event: Any, app_id: str) -> Frames | None:
        """The packet frames an engine event becomes for this connection (``None``: the
        event is not carried as packets)."""
        outgoing = OUTGOING.get(type(event))
        return None if outgoing is None else outgoing(self, event, app_id)

    def logged_in(self) -> None:
        """A new login: the SDK numbers its dialogues afresh."""
        self.received.clear()

    def message_frame(self, event: MessageEvent, app_id: str) -> dict[str, Any]:
        """The ``Message`` packet frame of a message the connection's client receives."""
        key = (app_id, event.publisher)
        dialogue = self.dialogues.get(key)
        if dialogue is None:
            dialogue = self.dialogues[key] = len(self.dialogues) + 1
        sequence = self.received.get(dialogue, 0) + 1
        self.received[dialogue] = sequence
        text = isinstance(event.message, str)
        body = event.message.encode("utf-8") if isinstance(event.message, str) else event.message
        payload: Packet = {
            "options": long(message_type(text, event.channel_type == "USER")),
            "payload": body,
            "src": event.publisher,
            "dst": event.channel_name,
            "instance": long(dialogue),
            "dialogue": long(dialogue),
            "sequence": long(sequence, unsigned=True),
            "ms": long(event.timestamp),
            "MiscMap": {"customType": event.custom_type.encode("utf-8")}
            if event.custom_type
            else {},
        }
        return packet_frame("Message", payload)


#: A packet handler: (link, engine, client core, decoded payload, payload as sent) ->
#: the packet frames that answer it.
Handler = Callable[["SdkLink", "Engine", "ClientCore", Packet, Packet], Frames]
#: An event's packets: (link, event, app id) -> the packet frames it becomes.
Outgoing = Callable[["SdkLink", Any, str], Frames]

#: The packets the server serves, by name (each family's module adds its own).
HANDLERS: dict[str, Handler] = {
    "GroupEnter": SdkLink._group_enter,
    "GroupLeave2": SdkLink._group_leave,
    "Message": SdkLink._message,
    "Ack": SdkLink._ack,
    "StateHistoryGet2": SdkLink._history,
}

#: The engine events a real SDK receives as packets, by event class (``MessageEvent``
#: here; each family's module adds its own).
OUTGOING: dict[type, Outgoing] = {
    MessageEvent: lambda link, event, app_id: [link.message_frame(event, app_id)],
}

# the families' packets register themselves into HANDLERS / OUTGOING (D-RS9..D-RS11)
from . import _wire_locks, _wire_storage, _wire_tokens  # noqa: E402, F401
