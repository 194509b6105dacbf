"""Recipe: a FastAPI app whose presence code gets its RTM client by dependency injection.

In production ``app.state.rtm`` holds the real, logged-in RTM client; tests give the
app an emulator client instead (``app.dependency_overrides``), see test_recipe_app.py.
"""

from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel


def get_rtm(request: Request) -> Any:
    """The app's RTM client (an RTMClient-like object: subscribe, presence...)."""
    rtm = getattr(request.app.state, "rtm", None)
    if rtm is None:
        raise HTTPException(503, "RTM is not connected")
    return rtm


RTM = Annotated[Any, Depends(get_rtm)]


class Status(BaseModel):
    status: str


def create_app() -> FastAPI:
    app = FastAPI()

    @app.post("/rooms/{room}/enter")
    async def enter(room: str, rtm: RTM) -> dict[str, str]:
        await rtm.subscribe(room)
        return {"entered": room}

    @app.put("/rooms/{room}/status")
    async def set_status(room: str, body: Status, rtm: RTM) -> dict[str, str]:
        await rtm.presence.set_state(room, "MESSAGE", {"status": body.status})
        return {"status": body.status}

    @app.get("/rooms/{room}/people")
    async def people(room: str, rtm: RTM) -> dict[str, str]:
        result = await rtm.presence.get_online_users(room, "MESSAGE", include_state=True)
        return {o.user_id: dict(o.states).get("status", "") for o in result.occupants}

    return app
