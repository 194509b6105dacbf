"""`rtm-emulator serve`: prints its URL, serves, stops on SIGTERM; and the server stays an
optional extra (nothing else imports websockets)."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rtm_emulator.server import INSTALL_HINT

ROOT = Path(__file__).resolve().parents[2]

#: Makes `import websockets` fail, as on a machine without the `server` extra.
BLOCK_WEBSOCKETS = textwrap.dedent(
    """
    import sys
    class _Block:
        def find_spec(self, name, path=None, target=None):
            if name == "websockets" or name.startswith("websockets."):
                raise ImportError("No module named 'websockets' (blocked by the test)")
            return None
    sys.meta_path.insert(0, _Block())
    for name in [m for m in sys.modules if m == "websockets" or m.startswith("websockets.")]:
        del sys.modules[name]
    """
)


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK_WEBSOCKETS + textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_demo_and_cli_do_not_import_websockets() -> None:
    done = run_python(
        """
        import io, contextlib
        import rtm_emulator, rtm_emulator.cli, rtm_emulator.server
        from rtm_emulator.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = main(["demo"])
        assert status == 0, status
        assert "REMOTE_JOIN" in out.getvalue()
        hub = rtm_emulator.server.Hub()  # the transport-free part works without it
        try:
            rtm_emulator.server.EmulatorServer
        except ImportError as exc:
            assert rtm_emulator.server.INSTALL_HINT in str(exc), exc
        else:
            raise AssertionError("EmulatorServer imported without websockets")
        assert not [m for m in sys.modules if m.startswith("websockets")]
        print("ok")
        """
    )
    assert 0 == done.returncode, done.stderr
    assert "ok" == done.stdout.strip().splitlines()[-1]


def test_serve_without_websockets_exits_2_with_the_install_hint() -> None:
    done = run_python(
        """
        from rtm_emulator.cli import main
        sys.exit(main(["serve"]))
        """
    )
    assert 2 == done.returncode
    assert [f"rtm-emulator serve: {INSTALL_HINT}"] == done.stderr.splitlines()
    assert "" == done.stdout


def test_the_install_hint_names_the_package_and_the_clone_install() -> None:
    """The package is not published: the hint must not send people to a dead name."""
    assert "pip install websockets" in INSTALL_HINT
    assert 'pip install -e ".[server]"' in INSTALL_HINT
    assert "rtm-emulator[server]" not in INSTALL_HINT


@pytest.mark.parametrize(
    ("flag", "value", "field"),
    [("--announce-max", "7", "announce_max"), ("--interval", "5", "interval")],
)
def test_bad_serve_flags_exit_2_naming_the_value(flag: str, value: str, field: str) -> None:
    """R-C4 ranges: announce_max 8..128, interval 10..300 s."""
    pytest.importorskip("websockets")
    done = subprocess.run(
        [sys.executable, "-m", "rtm_emulator", "serve", flag, value],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert 2 == done.returncode
    assert field in done.stderr and value in done.stderr
    assert "" == done.stdout


async def _serve(*flags: str) -> tuple[asyncio.subprocess.Process, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "rtm_emulator",
        "serve",
        *flags,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    return proc, line.decode().rstrip("\n")


async def test_serve_prints_the_url_serves_and_stops_on_sigterm() -> None:
    pytest.importorskip("websockets")
    from websockets.asyncio.client import connect

    proc, url = await _serve("--port", "0", "--announce-max", "9", "--rate-limits")
    try:
        assert re.fullmatch(r"ws://127\.0\.0\.1:\d+", url), url
        async with connect(url, proxy=None) as ws:
            await ws.send(json.dumps({"id": 1, "method": "control.info"}))
            info = json.loads(await ws.recv())["result"]
        assert ("manual", 9, True) == (
            info["clock"],
            info["config"]["announceMax"],
            info["config"]["rateLimits"],  # R-C6
        )
        port = int(url.rsplit(":", 1)[1])
        busy = subprocess.run(
            [sys.executable, "-m", "rtm_emulator", "serve", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert 1 == busy.returncode
        assert f"127.0.0.1:{port}" in busy.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(proc.wait(), 30)
    assert 0 == status
    assert proc.stderr is not None
    assert "serving on" in (await proc.stderr.read()).decode()


async def test_serve_with_the_real_clock() -> None:
    pytest.importorskip("websockets")
    from websockets.asyncio.client import connect

    proc, url = await _serve("--clock", "real")
    try:
        async with connect(url, proxy=None) as ws:
            await ws.send(json.dumps({"id": 1, "method": "control.info"}))
            info = json.loads(await ws.recv())["result"]
        assert "real" == info["clock"]
        assert info["nowMs"] > 1_735_689_600_000  # started at the wall clock, not the default
    finally:
        proc.send_signal(signal.SIGINT)
        assert 0 == await asyncio.wait_for(proc.wait(), 30)


def test_url_format() -> None:
    pytest.importorskip("websockets")
    from rtm_emulator.server._ws import format_url

    assert "ws://127.0.0.1:80" == format_url("127.0.0.1", 80)
    assert "ws://[::1]:8080" == format_url("::1", 8080)
