"""Recipe: test the FastAPI app of recipe_app.py against the emulator."""

import httpx
import pytest
from recipe_app import create_app, get_rtm

from rtm_emulator.testing import assert_events


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
async def http(rtm_emulator):
    app = create_app()
    service = rtm_emulator.client("service")  # the app's own RTM user
    await service.login()
    app.dependency_overrides[get_rtm] = lambda: service
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        yield client


@pytest.mark.anyio
async def test_people_follow_presence(http, rtm_emulator):
    assert (await http.post("/rooms/lobby/enter")).json() == {"entered": "lobby"}
    await http.put("/rooms/lobby/status", json={"status": "on duty"})
    rtm_emulator.user("bob").subscribe("lobby").set_state("lobby", "MESSAGE", {"status": "away"})

    people = (await http.get("/rooms/lobby/people")).json()
    assert people == {"bob": "away", "service": "on duty"}

    rtm_emulator.user("bob").unsubscribe("lobby")
    rtm_emulator.run_until_idle()
    assert (await http.get("/rooms/lobby/people")).json() == {"service": "on duty"}
    expected = [("SNAPSHOT", ""), ("REMOTE_JOIN", "bob"), ("REMOTE_STATE_CHANGED", "bob")]
    assert_events(rtm_emulator, "service", [*expected, ("REMOTE_LEAVE", "bob")])
