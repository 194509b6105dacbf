"""The pytest plugin: ``rtm_emulator`` / ``rtm_client`` fixtures and the ``rtm_config`` marker.

Installed with the package and registered through the ``pytest11`` entry point, so a
project needs no ``conftest.py``::

    def test_x(rtm_emulator):                           # a fresh strict Emulator per test
        rtm_emulator.user("bob").subscribe("room")
        rtm_emulator.run_until_idle()

    @pytest.mark.rtm_config(announce_max=8, interval=10.0)  # EmulatorConfig fields
    async def test_y(rtm_client):                       # with pytest-asyncio or anyio
        alice = await rtm_client("alice")               # a logged-in client

The fixtures are synchronous, so they work under pytest-asyncio (strict or auto mode),
anyio's pytest plugin, or no async plugin at all; this plugin runs no ``async def``
test itself.  When a test that used the emulator fails, its report gets a section
``rtm_emulator journal`` with the emulator's timeline of delivered events; when the
failure is an ``assert_events`` mismatch, whose message already shows the recipient's
timeline, the section shows only the deliveries to the other users.

This module imports pytest; ``import rtm_emulator`` does not import it.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import attrs
import pytest

from ._config import DEFAULT_APP_ID, EmulatorConfig, RTMConfig
from ._emulator import Emulator
from .client import RTMClient
from .testing import _shown_by

if TYPE_CHECKING:
    from pluggy import Result

__all__ = ["JOURNAL_SECTION", "RTMClientFactory", "journal_section", "rtm_client", "rtm_emulator"]

#: The title of the report section that shows the journal of a failed test.
JOURNAL_SECTION = "rtm_emulator journal"

_EMULATOR = pytest.StashKey[Emulator]()
_MARKER = "rtm_config"


class RTMClientFactory(Protocol):
    """The type of the ``rtm_client`` fixture: ``await rtm_client("alice")``."""

    async def __call__(
        self,
        user_id: str,
        *,
        app_id: str = DEFAULT_APP_ID,
        config: RTMConfig | Mapping[str, Any] | None = None,
    ) -> RTMClient:
        """A new client of ``user_id``, logged in (``app_id`` / ``config`` as ``emu.client``)."""
        ...


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``rtm_config`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(**fields): EmulatorConfig fields for the rtm_emulator fixture "
        "(e.g. announce_max=8, interval=10.0)",
    )


def _config_from_markers(request: pytest.FixtureRequest) -> EmulatorConfig:
    """The ``EmulatorConfig`` of the ``rtm_config`` markers (the closest one wins per field)."""
    fields = {f.name for f in attrs.fields(EmulatorConfig)}
    kwargs: dict[str, Any] = {}
    for marker in request.node.iter_markers(_MARKER):  # closest first
        if marker.args:
            pytest.fail(
                f"@pytest.mark.{_MARKER} takes EmulatorConfig fields as keywords only, "
                f"got positional {marker.args!r}",
                pytrace=False,
            )
        for name, value in marker.kwargs.items():
            if name not in fields:
                pytest.fail(
                    f"@pytest.mark.{_MARKER}: {name!r} is not an EmulatorConfig field "
                    f"(fields: {', '.join(sorted(fields))})",
                    pytrace=False,
                )
            kwargs.setdefault(name, value)
    try:
        return EmulatorConfig(**kwargs)
    except ValueError as exc:
        pytest.fail(f"@pytest.mark.{_MARKER}: {exc}", pytrace=False)


@pytest.fixture
def rtm_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """A fresh ``Emulator(config, strict=True)`` for the test.

    ``config`` comes from ``@pytest.mark.rtm_config(**fields)`` on the test, its class or
    module (default: ``EmulatorConfig()``).  Strict mode checks every invariant after
    each step.  If the test fails, its report shows the emulator's journal.
    """
    emu = Emulator(_config_from_markers(request), strict=True)
    request.node.stash[_EMULATOR] = emu
    yield emu


@pytest.fixture
def rtm_client(rtm_emulator: Emulator) -> RTMClientFactory:
    """A factory of logged-in clients of the test's emulator.

    ``client = await rtm_client("alice")``; ``app_id`` and ``config`` keywords go to
    ``emu.client``.  The emulator's coroutines never suspend, so this works under any
    event loop (pytest-asyncio, anyio) or none.
    """

    async def make(
        user_id: str,
        *,
        app_id: str = DEFAULT_APP_ID,
        config: RTMConfig | Mapping[str, Any] | None = None,
    ) -> RTMClient:
        client = rtm_emulator.client(user_id, app_id=app_id, config=config)
        await client.login()
        return client

    return make


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Result[pytest.TestReport], None]:
    """Add the ``rtm_emulator journal`` section to the report of a failed test.

    The section is the emulator's timeline, less what the failure message already
    shows (see :func:`journal_section`).
    """
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    emu = item.stash.get(_EMULATOR, None)
    if emu is None:
        return
    error = call.excinfo.value if call.excinfo is not None else None
    report.sections.append((JOURNAL_SECTION, journal_section(emu, error)))


def journal_section(emu: Emulator, error: BaseException | None = None) -> str:
    """The text of the ``rtm_emulator journal`` section for a test that failed with ``error``.

    The emulator's timeline of delivered events, timed from its start.  When ``error``
    is an ``assert_events`` failure on this emulator, its message already shows the
    recipient's timeline: the section then says so in its first line and shows only
    the other deliveries (or says that there are none).  When the journal's retention
    bound dropped deliveries, a line says how many (``N earlier deliveries were dropped
    by the journal's retention bound (journal_max_entries=M)``).

    Raises nothing.
    """
    start = emu.config.start_time_ms
    shown = _shown_by(error)
    if shown is None or shown.emulator is not emu:
        return emu.journal.timeline(start_ms=start)
    seen = {id(entry) for entry in shown.entries}
    rest = emu.journal._view(e for e in emu.journal.entries if id(e) not in seen)
    who = repr(shown.recipient)
    if not rest:
        note = emu.journal._dropped_note()
        return (
            f"(all {len(emu.journal)} deliveries went to {who}: "
            "see the assert_events message above)\n" + (f"({note})\n" if note else "")
        )
    return (
        f"(the {len(shown.entries)} deliveries to {who} are in the assert_events message "
        f"above; the other {len(rest)}:)\n" + rest.timeline(start_ms=start)
    )
