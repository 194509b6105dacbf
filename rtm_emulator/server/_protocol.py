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
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .._errors import ErrorCode, RtmError, SdkInvalidCharacterError, SdkTypeError

if TYPE_CHECKING:
    from ._hub import Session

__all__ = [
    "MAX_DEPTH",
    "Ack",
    "Connection",
    "Outcome",
    "Params",
    "ProtocolError",
    "ProtocolErrorCode",
    "Rejected",
    "Request",
    "bad",
    "classify",
    "dumps",
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
    """A well-formed request frame."""

    id: int | str
    method: str
    params: list[Any] | dict[str, Any]


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
    extra = sorted(set(data) - {"id", "method", "params"})
    if extra:
        return _invalid(request_id, method, f"unknown frame keys {extra}")
    params = data.get("params", [])
    if params is None:
        params = []
    if not isinstance(params, (list, dict)):
        return _invalid(
            request_id, method, f"'params' must be an array or an object, got {quote(params)}"
        )
    return Request(request_id, method, params)


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
        """Wait until the socket is closed (the peer has answered the close)."""
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
