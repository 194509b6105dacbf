"""The server's frames: parsing and classifying them, replying, the -32xxx errors.

Everything here is about the frame protocol itself (docs/server.md: frames, protocol
errors, acknowledgements); what a request does is the hub's (:mod:`._hub`) and the
control verbs' (:mod:`._control`).  Nothing here reads the wall clock or iterates a set.

Frames (docs/server.md has the full protocol):

- request ``{"id": 1, "method": "subscribe", "params": ["room", {"withPresence": true}]}``
- ack ``{"ack": 3}`` (the answer to a ``sync`` frame)
- result ``{"type": "result", "id": 1, "result": {...}}``
- RTM error (the SDK's error, from an :class:`~rtm_emulator.RtmError`)
  ``{"type": "error", "id": 1, "error": {"error": true, "code", "errorCode",
  "operation", "reason", "name", "detail"[, "serverCode"]}}``: ``reason`` is the SDK's
  exact text, ``detail`` the emulator's explanation naming the bad value
- JS exception (R-X3: the SDK throws a plain ``TypeError`` / ``InvalidCharacterError``)
  ``{"type": "error", "id": 1, "exception": {"name", "message"}}``
- protocol error (about the frame itself, code -32xxx, :class:`ProtocolError`)
  ``{"type": "error", "id": 1, "error": {"error": true, "operation", "errorCode",
  "reason"}}``
- event ``{"type": "event", "name": "presence", "data": {...}, "seq": 7, "sync": 3}``

Limits on what a frame may hold (each answered with an ``INVALID_REQUEST`` -32600 error
frame, never by closing the socket): arrays and objects nested at most
:data:`MAX_DEPTH` (64) levels deep, and no lone surrogate (``"\\ud800"`` with no pair)
in any string, key or value: such a string has no UTF-8 form, so no reply could quote it.
Every frame the server sends encodes as UTF-8 (:func:`dumps` escapes a lone surrogate that
reached a reply some other way, e.g. from the Python API).

Limits on what one connection may hold in the server (docs/server.md, "Buffers and
limits"): :class:`ServerLimits`, whose defaults are this module's ``CLOSE_TIMEOUT``,
``ACK_TIMEOUT``, ``MAX_OUTBOX_BYTES``, ``MAX_OUTBOX_FRAMES``, ``MAX_QUEUED_REQUESTS``,
``MAX_QUEUED_REQUEST_BYTES``, ``HARD_FRAME_FACTOR`` and ``WS_MAX_QUEUE``.  A peer over
any of them is dropped (its transport aborted), which the hub sees as a socket close: a
network loss (R-T2).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import enum
import json
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .._errors import ConfigError, ErrorCode, RtmError, SdkInvalidCharacterError, SdkTypeError
from .._js import JS_NULL
from .._message_types import BYTES_TAG, encode_payload

if TYPE_CHECKING:
    from ._hub import Session

__all__ = [
    "ACK_TIMEOUT",
    "BYTES_TAG",
    "CLOSE_TIMEOUT",
    "HARD_FRAME_FACTOR",
    "MAX_BUFFER_BYTES",
    "MAX_DEPTH",
    "MAX_OUTBOX_BYTES",
    "MAX_OUTBOX_FRAMES",
    "MAX_QUEUED_REQUESTS",
    "MAX_QUEUED_REQUEST_BYTES",
    "UNDEFINED_TAG",
    "WS_MAX_QUEUE",
    "Ack",
    "Connection",
    "Outcome",
    "Params",
    "ProtocolError",
    "ProtocolErrorCode",
    "Rejected",
    "Request",
    "ServerLimits",
    "bad",
    "classify",
    "decode_js_value",
    "decode_message",
    "dumps",
    "encode_payload",
    "error_frame",
    "failure_frame",
    "leading_id",
    "quote",
    "reject_constant",
    "result_frame",
]

log = logging.getLogger("rtm_emulator.server")

#: How much of a bad value an error reason quotes.
_QUOTE = 120
#: Recovers the id of a frame that is too large or not JSON (the JS client writes it first).
_LEADING_ID = re.compile(r'\s*\{\s*"id"\s*:\s*(-?\d{1,15}|"[^"\\]{0,64}")\s*[,}]')
#: R-C2: an app id is 32 ASCII letters or digits.
_APP_ID = re.compile(r"[0-9A-Za-z]{32}")
#: A surrogate code point; after ``json.loads`` pairs are joined, so any left is lone.
_SURROGATE = re.compile("[\ud800-\udfff]")
#: How deep a frame's arrays and objects may nest (the frame itself is level 1).
MAX_DEPTH = 64

# ------------------------------------------------- per-connection buffers (docs/server.md)

#: Seconds a socket the server closes (``control.reset``, shutdown) may take to flush what
#: is queued for it and answer the close; then its transport is aborted.
CLOSE_TIMEOUT = 1.0
#: Seconds a call waits for the acknowledgements of the events it sent (``"ack": true``
#: connections); a peer that has not acked by then is dropped (a network loss).
ACK_TIMEOUT = 30.0
#: Characters of frames queued for one socket and not yet written to it; a frame that
#: would go over (unless the queue is empty) drops the connection.
MAX_OUTBOX_BYTES = 8 << 20
#: Frames queued for one socket and not yet written to it (same rule).
MAX_OUTBOX_FRAMES = 20_000
#: Requests of one connection read but not yet executed; one more drops the connection.
MAX_QUEUED_REQUESTS = 10_000
#: Characters of those requests' frames (unless the queue is empty: one frame always fits).
MAX_QUEUED_REQUEST_BYTES = 8 << 20
#: The WebSocket layer's message limit is this many times ``max_frame_bytes``: a frame up
#: to it gets -32001, a larger one closes the socket (1009) unread.
HARD_FRAME_FACTOR = 2
#: Frames the WebSocket layer buffers for one socket before it stops reading it.
WS_MAX_QUEUE = 16


def _positive(name: str, value: object, *, number: bool = False, none: bool = False) -> None:
    if value is None and none:
        return
    kinds = (int, float) if number else (int,)
    if isinstance(value, bool) or not isinstance(value, kinds) or not 0 < value < float("inf"):
        kind = "a positive number" if number else "a positive int"
        raise ConfigError.bad(
            "serve", f"limits.{name} must be {kind}{' or None' if none else ''}, got {value!r}"
        )


@attrs.frozen
class ServerLimits:
    """What one connection may hold in the server; over any limit it is dropped.

    Dropped means its transport is aborted: the hub sees the socket close, a network loss
    for its session's client (R-T2), as when the peer goes away.  docs/server.md
    ("Buffers and limits") explains each one; the defaults are the module constants.

    Args:
        close_timeout: seconds a socket the server closes may take to flush and answer
            the close (:data:`CLOSE_TIMEOUT`).
        ack_timeout: seconds a call waits for a peer's acknowledgement
            (:data:`ACK_TIMEOUT`); ``None`` waits as long as the peer stays connected.
        outbox_bytes: characters queued for a socket (:data:`MAX_OUTBOX_BYTES`).
        outbox_frames: frames queued for a socket (:data:`MAX_OUTBOX_FRAMES`).
        queued_requests: requests read and not yet executed (:data:`MAX_QUEUED_REQUESTS`).
        queued_request_bytes: their characters (:data:`MAX_QUEUED_REQUEST_BYTES`).

    Raises:
        ConfigError: for a value that is not a positive number (``close_timeout``,
            ``ack_timeout``) or a positive int (the others).
    """

    close_timeout: float = CLOSE_TIMEOUT
    ack_timeout: float | None = ACK_TIMEOUT
    outbox_bytes: int = MAX_OUTBOX_BYTES
    outbox_frames: int = MAX_OUTBOX_FRAMES
    queued_requests: int = MAX_QUEUED_REQUESTS
    queued_request_bytes: int = MAX_QUEUED_REQUEST_BYTES

    def __attrs_post_init__(self) -> None:
        _positive("close_timeout", self.close_timeout, number=True)
        _positive("ack_timeout", self.ack_timeout, number=True, none=True)
        for name in ("outbox_bytes", "outbox_frames", "queued_requests", "queued_request_bytes"):
            _positive(name, getattr(self, name))


class ProtocolErrorCode(enum.IntEnum):
    """Codes of errors about the frame itself, outside the RTM range (JSON-RPC's numbers)."""

    PARSE_ERROR = -32700
    INVALID_REQUEST = -32600
    METHOD_NOT_FOUND = -32601
    INTERNAL_ERROR = -32603
    FRAME_TOO_LARGE = -32001
    NO_SESSION = -32002
    INVARIANT_VIOLATION = -32003


class ProtocolError(Exception):
    """A frame the server cannot act on; replied with a -32xxx code.

    Its reply keeps the protocol's own shape, ``{"error", "operation", "errorCode",
    "reason"}`` (no SDK ``name`` or ``detail``): the SDK never raises these.

    Attributes:
        operation: the method named by the frame, or ``"protocol"`` when there is none.
        error_code: a :class:`ProtocolErrorCode`.
        reason: what was wrong, quoting the bad value.
    """

    def __init__(self, operation: str, error_code: ProtocolErrorCode, reason: str) -> None:
        super().__init__(operation, error_code, reason)
        self.operation = operation
        self.error_code = error_code
        self.reason = reason

    def to_dict(self) -> dict[str, Any]:
        """The ``ErrorInfo`` shape: ``{"error", "operation", "errorCode", "reason"}``."""
        return {
            "error": True,
            "operation": self.operation,
            "errorCode": int(self.error_code),
            "reason": self.reason,
        }


def quote(value: object) -> str:
    """``value`` as an error reason quotes it (JSON or ``repr``, cut to 120 characters)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = repr(text) if isinstance(value, str) else text
    return text if len(text) <= _QUOTE else text[: _QUOTE - 3] + "..."


def dumps(frame: Mapping[str, Any]) -> str:
    """A frame's compact JSON text, always encodable as UTF-8.

    Non-ASCII text is kept as it is, unless the frame holds a lone surrogate: then the
    whole frame is written with ``\\uXXXX`` escapes (still the same JSON value), so one
    bad string can never abort a socket.

    Raises:
        TypeError: for a value JSON cannot carry.
    """
    text = json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
    if _SURROGATE.search(text) is None:
        return text
    return json.dumps(frame, ensure_ascii=True, separators=(",", ":"))


def reject_constant(name: str) -> Any:
    """``json.loads``'s ``parse_constant``: ``NaN`` and ``Infinity`` are not JSON.

    Raises:
        ValueError: always.
    """
    raise ValueError(f"{name} is not JSON")


@attrs.frozen
class Request:
    """A well-formed request frame.

    ``parameters``: the frame's optional ``"parameters"`` object, the SDK parameters
    (``setParameter``) in force for the call that the server's decisions read
    (``HISTORY_ENABLED``, R-M1, R-M10); ``None`` when the frame has none.
    ``in_flight``: the frame's optional ``"inFlight"`` list, the client's lock calls of
    the same lock still awaiting their replies (R-LK9: the SDK refuses a second one
    with -14003 after its other checks, and reads its tables as they were).
    ``streams``: the frame's optional ``"streams"`` list, stream channels the client made
    a handle of (``createStreamChannel``, local in the SDK) that the call needs the
    server to know of (R-TK6: ``renewToken`` of a channel created but not joined).
    """

    id: int | str
    method: str
    params: list[Any] | dict[str, Any]
    parameters: dict[str, Any] | None = None
    in_flight: tuple[str, ...] = ()
    streams: tuple[str, ...] = ()


@attrs.frozen
class Ack:
    """An acknowledgement frame: the client has handled everything up to sync ``n``."""

    n: int


@attrs.frozen
class Rejected:
    """A frame that is not a usable request; ``id`` is recovered when possible."""

    id: int | str | None
    error: ProtocolError


def bad(operation: str, detail: str) -> RtmError:
    """The SDK's -10014 ``INVALID_PARAMETER`` error of ``operation`` (returned, not raised)."""
    return RtmError.sdk(operation, ErrorCode.INVALID_PARAMETER, detail=detail)


class Params:
    """Checked access to a control method's ``params`` object (-10014 on misuse).

    Raises:
        RtmError: -10014 when ``params`` is a non-empty array or has a key not ``known``.
    """

    def __init__(
        self, operation: str, params: list[Any] | dict[str, Any], known: Sequence[str]
    ) -> None:
        if isinstance(params, list):
            if params:
                raise bad(operation, f"params must be an object, got {quote(params)}")
            params = {}
        for key in params:
            if key not in known:
                raise bad(
                    operation,
                    f"unknown parameter {key!r} (known: {', '.join(known) or 'none'})",
                )
        self.operation = operation
        self.values = params

    def required(self, key: str) -> Any:
        """The value of ``key``.

        Raises:
            RtmError: -10014 when it is missing.
        """
        if key not in self.values:
            raise bad(self.operation, f"missing parameter {key!r}")
        return self.values[key]

    def optional(self, key: str, default: Any = None) -> Any:
        """The value of ``key``, ``default`` when it is missing or null (never raises)."""
        value = self.values.get(key)
        return default if value is None else value

    def app_id(self, default: str) -> str:
        """The ``appId`` parameter, ``default`` when it is missing.

        Raises:
            RtmError: -10014 when it is not 32 ASCII letters or digits (R-C2).
        """
        value = self.optional("appId", default)
        if not isinstance(value, str) or _APP_ID.fullmatch(value) is None:
            raise bad(
                self.operation,
                f"appId must be 32 ASCII letters or digits (R-C2), got {quote(value)}",
            )
        return value


def leading_id(frame: str) -> int | str | None:
    """The id of a frame too large or not JSON, when it comes first (never raises)."""
    match = _LEADING_ID.match(frame[:200])
    if match is None:
        return None
    value = json.loads(match.group(1))
    return value if isinstance(value, (int, str)) else None


def error_frame(request_id: int | str | None, error: dict[str, Any]) -> str:
    """An ``error`` frame's text (never raises for JSON values)."""
    return dumps({"type": "error", "id": request_id, "error": error})


def result_frame(request_id: int | str, result: Any) -> str:
    """A ``result`` frame's text.

    Raises:
        TypeError: for a result JSON cannot carry.
    """
    return dumps({"type": "result", "id": request_id, "result": result})


def failure_frame(request_id: int | str, method: str, exc: Exception) -> str:
    """The reply to a call that raised ``exc`` (an unexpected one is logged; never raises)."""
    if isinstance(exc, RtmError):  # the SDK's error, plus the emulator's explanation
        return error_frame(request_id, {**exc.to_dict(), "detail": exc.detail})
    if isinstance(exc, ProtocolError):
        return error_frame(request_id, exc.to_dict())
    if isinstance(exc, (SdkTypeError, SdkInvalidCharacterError)):  # R-X3: a JS exception
        return dumps({"type": "error", "id": request_id, "exception": exc.to_dict()})
    # an emulator bug: report it, keep serving
    log.error("internal error in %s", method, exc_info=exc)
    error = ProtocolError(method, ProtocolErrorCode.INTERNAL_ERROR, f"internal error: {exc!r}")
    return error_frame(request_id, error.to_dict())


def _invalid(request_id: int | str | None, operation: str, reason: str) -> Rejected:
    return Rejected(request_id, ProtocolError(operation, ProtocolErrorCode.INVALID_REQUEST, reason))


def _unfit(data: Any) -> str | None:
    """Why ``data`` breaks the frame limits (too deep, a lone surrogate), or ``None``.

    Iterative, so no depth of nesting can exhaust the stack; never raises.
    """
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value) is not None:
                return "a string holds a lone surrogate (it has no UTF-8 form)"
        elif isinstance(value, (list, dict)):
            if depth > MAX_DEPTH:
                return f"arrays and objects nest deeper than {MAX_DEPTH} levels"
            if isinstance(value, dict):
                for key, item in value.items():
                    stack.append((key, depth))
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
    return None


def _fit_id(data: dict[str, Any]) -> int | str | None:
    """The frame's id when it is valid and holds no lone surrogate, else ``None``."""
    raw_id = data.get("id")
    if not _valid_id(raw_id):
        return None
    if isinstance(raw_id, str) and _SURROGATE.search(raw_id) is not None:
        return None
    return raw_id


def classify(data: Any) -> Request | Ack | Rejected:
    """What a parsed frame is: a request, an ack, or a rejected frame (never raises).

    A frame over the limits (:data:`MAX_DEPTH`, a lone surrogate) is rejected with
    ``INVALID_REQUEST``, keeping its id when that is usable.
    """
    unfit = _unfit(data)
    if unfit is not None:
        request_id = _fit_id(data) if isinstance(data, dict) else None
        method = data.get("method") if isinstance(data, dict) else None
        operation = "protocol"
        if isinstance(method, str) and method and _SURROGATE.search(method) is None:
            operation = method
        return _invalid(request_id, operation, f"frame refused: {unfit}")
    if not isinstance(data, dict):
        return _invalid(None, "protocol", f"a frame must be a JSON object, got {quote(data)}")
    if "ack" in data and "method" not in data:
        n = data["ack"]
        if isinstance(n, int) and not isinstance(n, bool) and n >= 0 and len(data) == 1:
            return Ack(n)
        return _invalid(None, "protocol", f"bad ack frame {quote(data)}")
    raw_id = data.get("id")
    request_id = raw_id if _valid_id(raw_id) else None
    method = data.get("method")
    operation = method if isinstance(method, str) else "protocol"
    if "id" not in data:
        return _invalid(None, operation, f"request has no 'id': {quote(data)}")
    if request_id is None:
        return _invalid(
            None, operation, f"'id' must be an integer or a string, got {quote(raw_id)}"
        )
    if not isinstance(method, str) or not method:
        return _invalid(
            request_id, "protocol", f"'method' must be a non-empty string, got {quote(method)}"
        )
    extra = sorted(set(data) - {"id", "method", "params", "parameters", "inFlight", "streams"})
    if extra:
        return _invalid(request_id, method, f"unknown frame keys {extra}")
    parameters = data.get("parameters")
    if parameters is not None and not isinstance(parameters, dict):
        return _invalid(
            request_id, method, f"'parameters' must be an object, got {quote(parameters)}"
        )
    params = data.get("params", [])
    if params is None:
        params = []
    if not isinstance(params, (list, dict)):
        return _invalid(
            request_id, method, f"'params' must be an array or an object, got {quote(params)}"
        )
    in_flight = data.get("inFlight", [])
    if not isinstance(in_flight, list) or not all(isinstance(m, str) for m in in_flight):
        return _invalid(
            request_id, method, f"'inFlight' must be an array of strings, got {quote(in_flight)}"
        )
    streams = data.get("streams", [])
    if not isinstance(streams, list) or not all(isinstance(m, str) for m in streams):
        return _invalid(
            request_id, method, f"'streams' must be an array of strings, got {quote(streams)}"
        )
    return Request(request_id, method, params, parameters, tuple(in_flight), tuple(streams))


# ------------------------------------------ JS values JSON cannot carry (R-ST4, R-ST5)

#: ``{"$": "null"}``: a top-level JS ``null`` argument (JSON's ``null`` is ``undefined``).
NULL_TAG = "null"
#: ``{"$": "number", "value": "NaN"}``: a number JSON has no literal for.
NUMBER_TAG = "number"
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def decode_js_value(value: object, *, top: bool = False) -> object:
    """A storage argument with the JS client's tags read back (never raises).

    ``{"$": "number", "value": "NaN" | "Infinity" | "-Infinity"}`` anywhere is that
    float (the SDK's revision checks tell them from ``null``); ``{"$": "null"}`` as a
    whole argument (``top``) is :data:`~rtm_emulator._js.JS_NULL` (R-ST4's TypeError
    names it).  Anything else is returned as it is, lists and objects read through.
    """
    if isinstance(value, list):
        return [decode_js_value(item) for item in value]
    if not isinstance(value, dict):
        return value
    tag = value.get("$")
    if len(value) == 1 and tag == NULL_TAG and top:
        return JS_NULL
    if len(value) == 2 and tag == NUMBER_TAG and value.get("value") in _NON_FINITE:
        return _NON_FINITE[value["value"]]
    return {key: decode_js_value(item) for key, item in value.items()}


# --------------------------------------------------- messages on the wire (R-M1, R-M18)

#: The ``"$"`` of JS ``undefined`` in a message argument: ``{"$": "undefined"}``.
UNDEFINED_TAG = "undefined"
#: A ``bufferBytes`` over this is kept as this (no size check counts that far: R-M18's
#: limit is 1024 bytes), so that a frame cannot make the server allocate gigabytes.
MAX_BUFFER_BYTES = 1 << 16


def decode_message(operation: str, value: object) -> object:
    """A ``message`` argument (``publish``, ``publishTopicMessage``) as the engine takes it.

    ``{"$": "bytes", "base64": B}`` is a binary message (a JS ``Uint8Array``): ``bytes``,
    or with ``"bufferBytes": N`` larger than its length a ``memoryview`` of its bytes at
    the front of an ``N``-byte buffer (the JS view's ``buffer.byteLength``, which R-M18's
    size check counts; at most :data:`MAX_BUFFER_BYTES` are allocated).
    ``{"$": "undefined"}`` is ``None``.  Anything else (a string, a number, any other
    object) is passed on as it is, for the engine to refuse as the SDK does.

    Raises:
        RtmError: -10014 for a bytes object that is malformed (bad base64, a bad
            ``bufferBytes``, another key).
    """
    if not isinstance(value, dict):
        return value
    tag = value.get("$")
    if tag == UNDEFINED_TAG and len(value) == 1:
        return None
    if tag != BYTES_TAG:
        return value
    text = value.get("base64")
    size = value.get("bufferBytes")
    extra = sorted(set(value) - {"$", "base64", "bufferBytes"})
    if not isinstance(text, str) or extra:
        shape = "{'$': 'bytes', 'base64': ...}"
        raise bad(operation, f"a binary message is {shape}, got {quote(value)}")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise bad(operation, f"a binary message's base64 is not valid: {quote(text)}") from None
    if size is None:
        return data
    if isinstance(size, bool) or not isinstance(size, int) or size < len(data):
        raise bad(
            operation,
            f"bufferBytes must be an int from the message's length ({len(data)}) up, "
            f"got {quote(size)}",
        )
    size = max(len(data), min(size, MAX_BUFFER_BYTES))
    if size == len(data):
        return data
    backing = bytearray(size)
    backing[: len(data)] = data
    return memoryview(backing)[: len(data)]


def _valid_id(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) < 2**53
    return isinstance(value, str) and 0 < len(value) <= 64


@attrs.frozen
class Outcome:
    """What the transport does after a request: wait for ``syncs``, then send ``reply``.

    ``reply`` is ``None`` when the request is a ``login`` that waits for the reconnect:
    its reply comes later, in the ``late`` of the request that settles it.
    """

    reply: str | None
    syncs: tuple[tuple[Connection, int], ...] = ()
    #: connections the request closed (``reset``): the reply waits until they are gone
    #: (at most ``ServerLimits.close_timeout``: the transport then drops them)
    closing: tuple[Connection, ...] = ()
    #: replies of waiting calls this request settled, sent after ``reply`` (each to its
    #: own connection, dropped if that one is closed by then)
    late: tuple[tuple[Connection, str], ...] = ()


@attrs.define(eq=False)
class Connection:
    """One transport connection as the hub sees it.

    ``send`` queues a text frame (it must not block); ``close`` queues a close after the
    frames already queued.  ``wants_acks`` is set by ``hello`` (``"ack": true``).
    """

    send: Callable[[str], None]
    close: Callable[[int, str], None]
    wants_acks: bool = False
    session: Session | None = None
    closed: bool = False
    syncs_sent: int = 0
    syncs_acked: int = 0
    _waiters: list[tuple[int, asyncio.Future[None]]] = attrs.field(factory=list)
    _gone: list[asyncio.Future[None]] = attrs.field(factory=list)

    def send_frames(self, frames: list[str], *, sync: bool) -> int:
        """Send event frames; with ``sync``, the last one asks for an ack (returns its n)."""
        if sync:
            self.syncs_sent += 1
            last = frames[-1]
            frames[-1] = f'{last[:-1]},"sync":{self.syncs_sent}}}'
        for frame in frames:
            self.send(frame)
        return self.syncs_sent if sync else 0

    def ack(self, n: int) -> None:
        """Record the client's ``{"ack": n}`` and wake whoever waits for it."""
        self.syncs_acked = max(self.syncs_acked, min(n, self.syncs_sent))
        self._wake()

    async def gone(self) -> None:
        """Wait until the socket is closed: the peer has answered the close, or the
        transport has dropped it (the transport bounds that wait: ``ServerLimits``)."""
        if self.closed:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._gone.append(future)
        await future

    async def acknowledged(self, n: int) -> None:
        """Wait until sync ``n`` is acknowledged or the connection is closed."""
        if self.closed or self.syncs_acked >= n:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((n, future))
        await future

    def mark_closed(self) -> None:
        """The socket is gone: stop waiting for its acknowledgements."""
        self.closed = True
        self._wake()
        gone, self._gone = self._gone, []
        for future in gone:
            if not future.done():
                future.set_result(None)

    def _wake(self) -> None:
        keep = []
        for n, future in self._waiters:
            if self.closed or self.syncs_acked >= n:
                if not future.done():
                    future.set_result(None)
            else:
                keep.append((n, future))
        self._waiters = keep
