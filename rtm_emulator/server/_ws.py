"""The WebSocket transport: one asyncio loop, one :class:`Hub`, one task trio per socket.

This module imports ``websockets`` (the ``server`` extra); nothing else in the package
does, so ``import rtm_emulator`` works without it.

Per connection: the reader parses frames and handles acks at once (so a call waiting
for acknowledgements never blocks another socket's acks); a worker runs that
connection's requests one at a time, in arrival order (a ``login`` waiting for the link
does not hold the others: its reply comes after the request that settles it); a writer
sends queued frames in order.  Closing a socket is a network loss of its session's
client (R-T2); resuming the session on a new socket brings the network back.

What one socket may hold is bounded (:class:`~._protocol.ServerLimits`, docs/server.md
"Buffers and limits"): the requests read and not yet run, the frames queued and not yet
written, how long a call waits for a peer's ack and how long a close may take.  A peer
over a limit is dropped, its transport aborted, never waited for: the reader then ends
and the hub sees the close as a network loss (R-T2), as for a peer that went away.  So a
client that stops reading cannot hold ``control.reset``, shutdown or anyone's calls.

The handshake admits only what a local test tool should (docs/server.md, "Who may
connect"): a request without an ``Origin`` header (Node, ``ws``, Python) or from a page
on a loopback host, whose ``Host`` header names a loopback host or an IP address (a
DNS-rebound name is refused); anything else gets HTTP 403 with a one-line reason.
``allow_origins`` widens it.  Bound beyond loopback, the control API is refused unless
``allow_remote_control`` is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import ipaddress
import logging
from collections import deque
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request as HttpRequest
from websockets.http11 import Response

from .._config import SERVER_JOURNAL_MAX_ENTRIES, EmulatorConfig
from .._errors import ConfigError
from ._hub import (
    MAX_FRAME_BYTES,
    Ack,
    Connection,
    Hub,
    ProtocolError,
    ProtocolErrorCode,
    Rejected,
    Request,
)
from ._protocol import HARD_FRAME_FACTOR, WS_MAX_QUEUE, ServerLimits
from ._realtime import RealClock

__all__ = ["EmulatorServer", "ServerLimits", "beyond_loopback_warning", "is_loopback_host"]

log = logging.getLogger("rtm_emulator.server")

#: The real clock's tick: timers fire at most this late (seconds of loop time).
REAL_CLOCK_TICK = 0.02


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (no port; IPv6 with or without brackets) is ``localhost`` or a
    loopback address (127.0.0.0/8, ``::1``)."""
    name = host.strip().lower().removeprefix("[").removesuffix("]").removesuffix(".")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    return True


def _host_of(authority: str) -> str | None:
    """The host of a ``Host`` header value (``name:port``, ``[v6]:port``), lower case;
    ``None`` when it cannot be parsed."""
    try:
        host = urlsplit(f"//{authority.strip()}").hostname
    except ValueError:
        return None
    return host or None


def _check_origins(origins: Iterable[str]) -> tuple[str, ...]:
    checked = []
    for origin in origins:
        if not isinstance(origin, str) or not origin.strip():
            raise ConfigError.bad("serve", f"allow_origins: not an origin: {origin!r}")
        origin = origin.strip().rstrip("/").lower()
        if origin != "*" and not (urlsplit(origin).scheme and urlsplit(origin).hostname):
            raise ConfigError.bad(
                "serve",
                f"allow_origins: {origin!r} is not an origin such as 'http://host:8080' or '*'",
            )
        checked.append(origin)
    return tuple(checked)


def beyond_loopback_warning(host: str, allow_remote_control: bool) -> str | None:
    """The warning for a server bound to ``host``, or ``None`` on loopback (never raises).

    The one text of it: :meth:`EmulatorServer.start` logs it (``rtm_emulator.server``,
    WARNING), which is what ``rtm-emulator serve --host 0.0.0.0`` prints on stderr.
    """
    if is_loopback_host(host):
        return None
    control = (
        "the control API is ON for anyone who can reach it (--allow-remote-control)"
        if allow_remote_control
        else "control.* requests are refused (--allow-remote-control enables them)"
    )
    return (
        f"rtm-emulator: warning: bound to {host}, beyond loopback: other machines can "
        f"connect; {control}"
    )


class _Link:
    """The transport side of one socket: its bounded queues, its close, dropping it.

    ``inbox``: requests read and not yet executed (the worker's); ``outbox``: frames
    queued and not yet written (the writer's).  Sizes are counted in characters of the
    frames' text.  The first item of an empty queue always fits, so one large reply (a
    long journal) is still sent to a client that reads it.
    """

    def __init__(self, ws: ServerConnection, limits: ServerLimits) -> None:
        self.ws = ws
        self.limits = limits
        self.inbox: deque[tuple[Request | Rejected, int]] = deque()
        self.inbox_bytes = 0
        self.outbox: deque[str] = deque()
        self.outbox_bytes = 0
        #: the close the hub asked for (after the frames queued before it)
        self.closing: tuple[int, str] | None = None
        #: why the transport was aborted, once it was
        self.dropped: str | None = None
        #: the socket is gone: the worker and the writer stop
        self.ended = False
        self.work = asyncio.Event()  # wakes the worker
        self.write = asyncio.Event()  # wakes the writer
        self._deadline: asyncio.TimerHandle | None = None

    def receive(self, request: Request | Rejected, size: int) -> bool:
        """Queue a request for the worker; ``False`` (and dropped) when over the limits."""
        if self.dropped is not None:
            return False
        limits = self.limits
        if self.inbox and (
            len(self.inbox) >= limits.queued_requests
            or self.inbox_bytes + size > limits.queued_request_bytes
        ):
            self.drop(
                f"{len(self.inbox)} requests ({self.inbox_bytes} characters) waiting to run, "
                f"over the limit of {limits.queued_requests} requests / "
                f"{limits.queued_request_bytes} characters"
            )
            return False
        self.inbox.append((request, size))
        self.inbox_bytes += size
        self.work.set()
        return True

    def next_request(self) -> Request | Rejected | None:
        """The oldest queued request, or ``None`` when there is none."""
        if not self.inbox:
            return None
        request, size = self.inbox.popleft()
        self.inbox_bytes -= size
        return request

    def send(self, frame: str) -> None:
        """Queue a frame for the writer (``Connection.send``); dropped when over the limits."""
        if self.dropped is not None or self.closing is not None:
            return
        limits = self.limits
        if self.outbox and (
            len(self.outbox) >= limits.outbox_frames
            or self.outbox_bytes + len(frame) > limits.outbox_bytes
        ):
            self.drop(
                f"{len(self.outbox)} frames ({self.outbox_bytes} characters) queued and "
                f"unread, over the limit of {limits.outbox_frames} frames / "
                f"{limits.outbox_bytes} characters: the client does not read"
            )
            return
        self.outbox.append(frame)
        self.outbox_bytes += len(frame)
        self.write.set()

    def next_frame(self) -> str | None:
        """The oldest queued frame, or ``None`` when there is none."""
        if not self.outbox:
            return None
        frame = self.outbox.popleft()
        self.outbox_bytes -= len(frame)
        return frame

    def close(self, code: int, reason: str) -> None:
        """Close after the frames queued so far (``Connection.close``), within
        ``close_timeout``: past it, the transport is aborted."""
        if self.closing is not None or self.dropped is not None:
            return
        self.closing = (code, reason)
        self.write.set()
        self.deadline(f"close {code} ({reason}) not done within")

    def deadline(self, what: str) -> None:
        """Drop the socket ``close_timeout`` seconds from now unless it is gone by then."""
        if self._deadline is None and self.dropped is None:
            timeout = self.limits.close_timeout
            self._deadline = asyncio.get_running_loop().call_later(
                timeout, self.drop, f"{what} {timeout:g} s"
            )

    def drop(self, why: str) -> None:
        """Abort the transport now (the reader then ends: a network loss, R-T2)."""
        if self.dropped is not None:
            return
        self.dropped = why
        self.finish()
        self.inbox.clear()
        self.outbox.clear()
        self.inbox_bytes = self.outbox_bytes = 0
        if self.ws.state.name != "CLOSED":
            log.warning("rtm-emulator: dropped connection %s: %s", self.ws.id, why)
        self.ws.transport.abort()

    def finish(self) -> None:
        """The socket is gone: no deadline any more, the worker and the writer stop."""
        self.ended = True
        self.work.set()
        self.write.set()
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None


def format_url(host: str, port: int) -> str:
    """``ws://host:port`` (IPv6 hosts in brackets)."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"ws://{shown}:{port}"


class EmulatorServer:
    """The emulator served over WebSocket (``rtm-emulator serve``).

    >>> async def main():                                    # doctest: +SKIP
    ...     async with EmulatorServer() as server:
    ...         print(server.url)                            # ws://127.0.0.1:PORT

    Args:
        host: the address to bind; loopback unless told otherwise.
        port: the port; 0 picks a free one (see :attr:`url`).
        clock: ``"manual"`` (time moves only with the control API's ``advance``) or
            ``"real"`` (the fake clock follows ``real_clock``, default the wall clock).
        config: the emulator's :class:`~rtm_emulator.EmulatorConfig`.
        max_frame_bytes: the largest request frame answered; larger ones get an error
            reply (-32001) and the connection stays open, up to twice the limit
            (:attr:`hard_frame_limit`), above which the WebSocket layer closes it (1009).
        real_clock: the time adapter for ``clock="real"`` (tests inject fake sources).
        allow_origins: origins (``"http://host:port"``) whose pages may connect besides
            loopback ones; their hosts are also accepted in the ``Host`` header.
            ``"*"`` admits any origin and any host.
        allow_remote_control: serve ``control.*`` even when bound beyond loopback
            (otherwise those requests get -32601 there).
        limits: what one connection may hold (:class:`ServerLimits`: queues, ack wait,
            close timeout); a peer over a limit is dropped, a network loss (R-T2).
        journal_max_entries: the journal's retention bound (newest N deliveries kept;
            ``None``: unbounded); the server default is ``SERVER_JOURNAL_MAX_ENTRIES``.

    Bound beyond loopback, :meth:`start` logs :func:`beyond_loopback_warning` (WARNING,
    logger ``rtm_emulator.server``).

    Raises:
        ConfigError: for a bad ``clock``, ``max_frame_bytes``, ``config``,
            ``allow_origins`` or ``limits``.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: str = "manual",
        config: EmulatorConfig | None = None,
        max_frame_bytes: int = MAX_FRAME_BYTES,
        real_clock: RealClock | None = None,
        allow_origins: Iterable[str] = (),
        allow_remote_control: bool = False,
        limits: ServerLimits | None = None,
        journal_max_entries: int | None = SERVER_JOURNAL_MAX_ENTRIES,
    ) -> None:
        if limits is not None and not isinstance(limits, ServerLimits):
            raise ConfigError.bad("serve", f"limits must be a ServerLimits, got {limits!r}")
        #: what one connection may hold (see :class:`ServerLimits`)
        self.limits = limits or ServerLimits()
        if isinstance(allow_origins, str):
            allow_origins = (allow_origins,)
        self.allow_origins = _check_origins(allow_origins)
        self.allow_remote_control = bool(allow_remote_control)
        if not isinstance(max_frame_bytes, int) or max_frame_bytes < 1024:
            raise ConfigError.bad(
                "serve", f"max_frame_bytes must be an int >= 1024, got {max_frame_bytes!r}"
            )
        if clock == "real" and real_clock is None:
            real_clock = RealClock()
        self.host = host
        self.port = port
        self.hub = Hub(
            config,
            clock=clock,
            real_clock=real_clock if clock == "real" else None,
            max_frame_bytes=max_frame_bytes,
            journal_max_entries=journal_max_entries,
        )
        #: whether control.* is refused (bound beyond loopback, not allowed)
        self.control_refused = not self.allow_remote_control and not is_loopback_host(host)
        self._server: Server | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._url = ""
        #: the open sockets' transport sides, in connection order
        self._links: dict[Connection, _Link] = {}

    @property
    def hard_frame_limit(self) -> int:
        """The largest message the WebSocket layer reads (``HARD_FRAME_FACTOR`` times
        ``max_frame_bytes``); a larger one closes the socket with 1009."""
        return HARD_FRAME_FACTOR * self.hub.max_frame_bytes

    @property
    def url(self) -> str:
        """``ws://host:port`` once started, else ``""``."""
        return self._url

    async def start(self) -> str:
        """Bind and start serving; returns the URL.

        Raises:
            OSError: if the address cannot be bound.
        """
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            compression=None,
            ping_interval=None,
            max_size=self.hard_frame_limit,
            max_queue=WS_MAX_QUEUE,
            close_timeout=self.limits.close_timeout,
            backlog=2048,
            process_request=self._admit,
        )
        sockname = self._server.sockets[0].getsockname()
        self._url = format_url(sockname[0], sockname[1])
        warning = beyond_loopback_warning(self.host, self.allow_remote_control)
        if warning is not None:
            log.warning("%s", warning)
        if self.hub.clock_mode == "real":
            self._ticker = asyncio.create_task(self._tick())
        return self._url

    async def close(self) -> None:
        """Stop accepting, close every connection and wait until they are gone.

        A connection that has not closed within ``limits.close_timeout`` (a client that
        does not read or does not answer the close) is dropped, so this returns in
        bounded time whatever the peers do.
        """
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self._server is not None:
            for link in self._links.values():
                link.deadline("shutdown not done within")
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> EmulatorServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(REAL_CLOCK_TICK)
            try:
                self.hub.tick()
            except Exception:  # pragma: no cover - an engine bug; keep the clock going
                log.exception("real clock tick failed")

    def refusal(self, origin: str | None, host: str | None) -> str | None:
        """Why a handshake with these ``Origin`` and ``Host`` headers is refused
        (one line), or ``None`` when it is admitted (see the module's docstring)."""
        if "*" in self.allow_origins:
            return None
        allowed_hosts = {urlsplit(o).hostname for o in self.allow_origins}
        if origin is not None:
            normal = origin.strip().rstrip("/").lower()
            try:
                origin_host = urlsplit(normal).hostname
            except ValueError:
                origin_host = None
            loopback_page = urlsplit(normal).scheme in ("http", "https") and bool(
                origin_host and is_loopback_host(origin_host)
            )
            if not loopback_page and normal not in self.allow_origins:
                return (
                    f"refused a WebSocket from a page at origin {origin!r}: only pages on "
                    "localhost / 127.0.0.1 / [::1] may connect; to allow it, start the "
                    f"server with --allow-origin {origin.strip()}"
                )
        name = _host_of(host) if host is not None else None
        if name is None or not (_is_ip(name) or is_loopback_host(name) or name in allowed_hosts):
            return (
                f"refused a WebSocket for Host {host!r}: only localhost or an IP address "
                "may be named (a DNS-rebound name is refused); to allow a host name, start "
                "the server with --allow-origin http://NAME (or --allow-origin '*')"
            )
        return None

    def _admit(self, connection: ServerConnection, request: HttpRequest) -> Response | None:
        why = self.refusal(request.headers.get("Origin"), request.headers.get("Host"))
        if why is None:
            return None
        log.warning("rtm-emulator: %s", why)
        return connection.respond(http.HTTPStatus.FORBIDDEN, f"rtm-emulator: {why}\n")

    def _control_off(self, request: Request) -> Rejected:
        return Rejected(
            request.id,
            ProtocolError(
                request.method,
                ProtocolErrorCode.METHOD_NOT_FOUND,
                f"{request.method} is off: the server is bound to {self.host!r}, beyond "
                "loopback; start it with --allow-remote-control to enable the control API",
            ),
        )

    async def _handle(self, ws: ServerConnection) -> None:
        link = _Link(ws, self.limits)
        conn = Connection(link.send, link.close)
        self._links[conn] = link
        writer = asyncio.create_task(self._write(link))
        worker = asyncio.create_task(self._work(conn, link))
        try:
            async for message in ws:
                parsed = self.hub.parse(message)
                if isinstance(parsed, Ack):
                    conn.ack(parsed.n)
                    continue
                size = 0
                if isinstance(parsed, Request):
                    size = len(message)
                    if self.control_refused and parsed.method.startswith("control."):
                        parsed = self._control_off(parsed)
                if not link.receive(parsed, size):
                    break  # dropped: over the request queue's limits
        except ConnectionClosed:
            pass
        finally:
            link.finish()
            del self._links[conn]
            self.hub.connection_closed(conn)
            worker.cancel()
            writer.cancel()
            for task in (worker, writer):
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await task

    async def _work(self, conn: Connection, link: _Link) -> None:
        while not link.ended:
            request = link.next_request()
            if request is None:
                link.work.clear()
                await link.work.wait()
                continue
            outcome = self.hub.execute(conn, request)
            await self._acknowledged(outcome.syncs)
            for other in outcome.closing:  # bounded: a close past close_timeout is dropped
                await other.gone()
            # the replies of the waiting calls this one settled go first: the SDK settles
            # them before the call that ended them resolves (a logout rejects a waiting
            # acquireLock, R-LK14, before it resolves itself)
            for other, frame in outcome.late:
                if not other.closed:
                    other.send(frame)
            if outcome.reply is not None:  # None: a login waiting for the link
                conn.send(outcome.reply)
            await asyncio.sleep(0)  # let the writer (and other sockets) run between requests

    async def _acknowledged(self, syncs: tuple[tuple[Connection, int], ...]) -> None:
        """Wait for the acks of one call's events, ``limits.ack_timeout`` in all; a peer
        that has not acked by then is dropped (a network loss) and waited out."""
        if not syncs:
            return
        loop = asyncio.get_running_loop()
        timeout = self.limits.ack_timeout
        deadline = None if timeout is None else loop.time() + timeout
        for other, n in syncs:
            if other.closed or other.syncs_acked >= n:
                continue
            try:
                # asyncio.timeout (None: no deadline), not wait_for: Python 3.11's wait_for
                # can swallow the cancellation of a worker whose socket closed as the ack came
                async with asyncio.timeout_at(deadline):
                    await other.acknowledged(n)
            except TimeoutError:
                link = self._links.get(other)
                if link is not None:
                    link.drop(f"no ack for sync {n} within the ack timeout of {timeout:g} s")
                await other.gone()

    @staticmethod
    async def _write(link: _Link) -> None:
        ws = link.ws
        while not link.ended:
            frame = link.next_frame()
            if frame is not None:
                await ws.send(frame)
            elif link.closing is not None:
                await ws.close(*link.closing)
                return
            else:
                link.write.clear()
                await link.write.wait()


async def run(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    clock: str = "manual",
    config: EmulatorConfig | None = None,
    max_frame_bytes: int = MAX_FRAME_BYTES,
    ready: Callable[[str], None] = print,
    stop: asyncio.Event | None = None,
    allow_origins: Iterable[str] = (),
    allow_remote_control: bool = False,
    limits: ServerLimits | None = None,
    journal_max_entries: int | None = SERVER_JOURNAL_MAX_ENTRIES,
) -> None:
    """Serve until ``stop`` is set (or the task is cancelled); ``ready(url)`` once bound.

    ``allow_origins``, ``allow_remote_control``, ``limits`` and ``journal_max_entries``
    are :class:`EmulatorServer`'s.

    Raises:
        OSError: if the address cannot be bound.
        ConfigError: for bad arguments.
    """
    server = EmulatorServer(
        host=host,
        port=port,
        clock=clock,
        config=config,
        max_frame_bytes=max_frame_bytes,
        allow_origins=allow_origins,
        allow_remote_control=allow_remote_control,
        limits=limits,
        journal_max_entries=journal_max_entries,
    )
    url = await server.start()
    try:
        ready(url)
        await (stop or asyncio.Event()).wait()
    finally:
        await server.close()
