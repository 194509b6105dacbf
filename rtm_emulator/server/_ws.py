"""The WebSocket transport: one asyncio loop, one :class:`Hub`, one task trio per socket.

This module imports ``websockets`` (the ``server`` extra); nothing else in the package
does, so ``import rtm_emulator`` works without it.

Per connection: the reader parses frames and handles acks at once (so a call waiting
for acknowledgements never blocks another socket's acks); a worker runs that
connection's requests one at a time, in arrival order (a ``login`` waiting for the link
does not hold the others: its reply comes after the request that settles it); a writer
sends queued frames in order.  Closing a socket is a network loss of its session's
client (R-T2); resuming the session on a new socket brings the network back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from .._config import EmulatorConfig
from .._errors import ConfigError
from ._hub import MAX_FRAME_BYTES, Ack, Connection, Hub, Rejected, Request
from ._realtime import RealClock

__all__ = ["HARD_FRAME_LIMIT", "EmulatorServer"]

log = logging.getLogger("rtm_emulator.server")

#: Frames larger than this are refused by the WebSocket layer itself (close code 1009).
HARD_FRAME_LIMIT = 16 << 20
#: The real clock's tick: timers fire at most this late (seconds of loop time).
REAL_CLOCK_TICK = 0.02

_CLOSE = object()  # writer-queue marker: close after the frames before it


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

    Raises:
        ConfigError: for a bad ``clock``, ``max_frame_bytes`` or ``config``.
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
    ) -> None:
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
) -> None:
    """Serve until ``stop`` is set (or the task is cancelled); ``ready(url)`` once bound.

    Raises:
        OSError: if the address cannot be bound.
        ConfigError: for bad arguments.
    """
    server = EmulatorServer(
        host=host, port=port, clock=clock, config=config, max_frame_bytes=max_frame_bytes
    )
    url = await server.start()
    try:
        ready(url)
        await (stop or asyncio.Event()).wait()
    finally:
        await server.close()
