"""The WebSocket transport: one asyncio loop, one :class:`Hub`, one task trio per socket.

This module imports ``websockets`` (the ``server`` extra); nothing else in the package
does, so ``import rtm_emulator`` works without it.

Per connection: the reader parses frames and handles acks at once (so a call waiting
for acknowledgements never blocks another socket's acks); a worker runs that
connection's requests one at a time, in arrival order (a ``login`` waiting for the link
does not hold the others: its reply comes after the request that settles it); a writer
sends queued frames in order.  Closing a socket is a network loss of its session's
client (R-T2); resuming the session on a new socket brings the network back.

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
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request as HttpRequest
from websockets.http11 import Response

from .._config import EmulatorConfig
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
from ._realtime import RealClock

__all__ = ["HARD_FRAME_LIMIT", "EmulatorServer", "is_loopback_host"]

log = logging.getLogger("rtm_emulator.server")

#: Frames larger than this are refused by the WebSocket layer itself (close code 1009).
HARD_FRAME_LIMIT = 16 << 20
#: The real clock's tick: timers fire at most this late (seconds of loop time).
REAL_CLOCK_TICK = 0.02

_CLOSE = object()  # writer-queue marker: close after the frames before it


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
            reply (-32001) and the connection stays open, up to 16 MiB (or twice the
            limit), above which the WebSocket layer closes it (1009).
        real_clock: the time adapter for ``clock="real"`` (tests inject fake sources).
        allow_origins: origins (``"http://host:port"``) whose pages may connect besides
            loopback ones; their hosts are also accepted in the ``Host`` header.
            ``"*"`` admits any origin and any host.
        allow_remote_control: serve ``control.*`` even when bound beyond loopback
            (otherwise those requests get -32601 there).

    Raises:
        ConfigError: for a bad ``clock``, ``max_frame_bytes``, ``config`` or
            ``allow_origins``.
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
    ) -> None:
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
        )
        #: whether control.* is refused (bound beyond loopback, not allowed)
        self.control_refused = not self.allow_remote_control and not is_loopback_host(host)
        self._server: Server | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._url = ""

    @property
    def url(self) -> str:
        """``ws://host:port`` once started, else ``""``."""
        return self._url

    async def start(self) -> str:
        """Bind and start serving; returns the URL.

        Raises:
            OSError: if the address cannot be bound.
        """
        hard_limit = max(HARD_FRAME_LIMIT, 2 * self.hub.max_frame_bytes)
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            compression=None,
            ping_interval=None,
            max_size=hard_limit,
            max_queue=64,
            backlog=2048,
            process_request=self._admit,
        )
        sockname = self._server.sockets[0].getsockname()
        self._url = format_url(sockname[0], sockname[1])
        if self.hub.clock_mode == "real":
            self._ticker = asyncio.create_task(self._tick())
        return self._url

    async def close(self) -> None:
        """Stop accepting, close every connection and wait until they are gone."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self._server is not None:
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
        outbox: asyncio.Queue[Any] = asyncio.Queue()
        requests: asyncio.Queue[Request | Rejected] = asyncio.Queue()

        def close(code: int, reason: str) -> None:
            outbox.put_nowait((_CLOSE, code, reason))

        conn = Connection(outbox.put_nowait, close)
        writer = asyncio.create_task(self._write(ws, outbox))
        worker = asyncio.create_task(self._work(conn, requests))
        try:
            async for message in ws:
                parsed = self.hub.parse(message)
                if isinstance(parsed, Ack):
                    conn.ack(parsed.n)
                elif (
                    self.control_refused
                    and isinstance(parsed, Request)
                    and parsed.method.startswith("control.")
                ):
                    requests.put_nowait(self._control_off(parsed))
                else:
                    requests.put_nowait(parsed)
        except ConnectionClosed:
            pass
        finally:
            self.hub.connection_closed(conn)
            worker.cancel()
            writer.cancel()
            for task in (worker, writer):
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await task

    async def _work(self, conn: Connection, requests: asyncio.Queue[Request | Rejected]) -> None:
        while True:
            request = await requests.get()
            outcome = self.hub.execute(conn, request)
            for other, n in outcome.syncs:
                await other.acknowledged(n)
            for other in outcome.closing:
                await other.gone()
            if outcome.reply is not None:  # None: a login waiting for the link
                conn.send(outcome.reply)
            for other, frame in outcome.late:  # replies of waiting calls it settled
                if not other.closed:
                    other.send(frame)

    @staticmethod
    async def _write(ws: ServerConnection, outbox: asyncio.Queue[Any]) -> None:
        while True:
            frame = await outbox.get()
            if isinstance(frame, tuple):
                await ws.close(frame[1], frame[2])
                return
            await ws.send(frame)


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
) -> None:
    """Serve until ``stop`` is set (or the task is cancelled); ``ready(url)`` once bound.

    ``allow_origins`` and ``allow_remote_control`` are :class:`EmulatorServer`'s.

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
    )
    url = await server.start()
    try:
        ready(url)
        await (stop or asyncio.Event()).wait()
    finally:
        await server.close()
