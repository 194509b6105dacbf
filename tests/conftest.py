"""Shared fixtures: a fresh emulator per test, logged-in clients, event recorders.

``async def`` tests run with ``asyncio.run`` (no plugin needed).  Every test that uses
the ``emu`` fixture ends with ``emu.check_invariants()``.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import Iterator
from typing import Any

import pytest

from rtm_emulator import Emulator, LinkStateEvent, PresenceEvent, RTMClient


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--slow``: run the soak tests and the long Hypothesis profile too."""
    parser.addoption(
        "--slow",
        action="store_true",
        default=False,
        help="run tests marked slow (soak) and the long Hypothesis profile",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--slow"):
        os.environ["RTM_HYPOTHESIS_PROFILE"] = "slow"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run coroutine test functions to completion on a fresh event loop."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        names = pyfuncitem._fixtureinfo.argnames
        kwargs = {name: pyfuncitem.funcargs[name] for name in names}
        asyncio.run(pyfuncitem.obj(**kwargs))
        return True
    return None


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A fresh strict emulator: invariants checked after every step and at the end."""
    emulator = Emulator(strict=True)
    yield emulator
    emulator.check_invariants()


class Recorder:
    """Records what one client's listeners receive."""

    def __init__(self, client: RTMClient) -> None:
        self.client = client
        self.presence: list[PresenceEvent] = []
        self.links: list[LinkStateEvent] = []
        client.add_event_listener("presence", self.presence.append)
        client.add_event_listener("linkState", self.links.append)

    def types(self) -> list[tuple[str, str]]:
        """``(event_type, publisher)`` of every presence event so far."""
        return [(e.event_type.value, e.publisher) for e in self.presence]

    def take(self) -> list[PresenceEvent]:
        """The presence events so far, clearing the record."""
        events, self.presence[:] = list(self.presence), []
        return events

    def take_types(self) -> list[tuple[str, str]]:
        """``types()``, clearing the record."""
        return [(e.event_type.value, e.publisher) for e in self.take()]

    def link_states(self) -> list[tuple[str, str]]:
        """``(previous, current)`` of every link-state event so far."""
        return [(e.previous_state.value, e.current_state.value) for e in self.links]


async def login(emu: Emulator, *user_ids: str, **kwargs: Any) -> list[RTMClient]:
    """Create and log in one client per user id (same kwargs for each)."""
    clients = [emu.client(uid, **kwargs) for uid in user_ids]
    for client in clients:
        await client.login()
    return clients


async def login_recorded(
    emu: Emulator, *user_ids: str, **kwargs: Any
) -> list[tuple[RTMClient, Recorder]]:
    """Like :func:`login`, with a :class:`Recorder` attached before login."""
    pairs = []
    for uid in user_ids:
        client = emu.client(uid, **kwargs)
        pairs.append((client, Recorder(client)))
        await client.login()
    return pairs
