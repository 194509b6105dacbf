"""Closing a socket is a network loss of its client (R-T2); a new socket resumes (R-T3)."""

from __future__ import annotations

import pytest

pytest.importorskip("websockets")

from .support import CallFailed, eventually, running


async def test_socket_close_times_the_user_out_after_heartbeat_plus_presence_timeout() -> None:
    async with running() as world:
        control = await world.control()
        alice = await world.user("alice")
        await alice.call("subscribe", "room")
        bob = await world.user("bob", config={"presenceTimeout": 20, "heartbeatInterval": 5})
        await bob.call("subscribe", "room")
        await bob.call("presence.setState", "room", "MESSAGE", {"seat": "1"})
        alice.take()
        await bob.ws.close()
        hub = world.server.hub
        await eventually(lambda: not hub.sessions["s2"].client.connected)
        await control.control("advance", seconds=34.999)  # 5 + 10 + 20 s
        assert [] == alice.take()
        assert ["alice", "bob"] == await control.control(
            "onlineUsers", channelName="room", channelType="MESSAGE"
        )
        await control.control("advance", seconds=0.001)
        assert [("REMOTE_TIMEOUT", "bob")] == alice.take()
        assert ["alice"] == await control.control(
            "onlineUsers", channelName="room", channelType="MESSAGE"
        )
        assert {} == await control.control(
            "stateOf", userId="bob", channelName="room", channelType="MESSAGE"
        )


async def test_resume_before_the_timeout_delivers_the_missed_link_events() -> None:
    async with running() as world:
        control = await world.control()
        alice, bob = await world.in_room("alice", "bob")
        alice.take()
        await bob.ws.close()
        await eventually(lambda: not world.server.hub.sessions["s2"].client.connected)
        await control.control("advance", seconds=130)
        back = await world.peer()
        hello = await back.request("hello", {"resume": "s2", "ack": True})
        assert {"session": "s2", "resumed": True, "connected": False, "loggedIn": True} == {
            k: hello["result"][k] for k in ("session", "resumed", "connected", "loggedIn")
        }
        # the buffered events came before the hello reply
        assert [("CONNECTED", "DISCONNECTED"), ("DISCONNECTED", "SUSPENDED")] == back.links()
        with pytest.raises(CallFailed) as caught:
            await back.call("presence.whoNow", "room", "MESSAGE")
        assert -10025 == caught.value.error["errorCode"]
        assert {"timestamp": 1_735_689_730_000} == await back.call("session.reconnect")
        assert ("SUSPENDED", "CONNECTED") == back.links()[-1]
        assert ("SNAPSHOT", "") == back.presence()[-1]
        assert [] == alice.take()  # nothing reaches the others before the timeout (R-T3)


async def test_resume_after_the_timeout_re_enters_with_the_old_state() -> None:
    async with running() as world:
        control = await world.control()
        alice, bob = await world.in_room("alice", "bob")
        await bob.call("presence.setState", "room", "MESSAGE", {"seat": "1"})
        alice.take()
        await bob.ws.close()
        await eventually(lambda: not world.server.hub.sessions["s2"].client.connected)
        await control.control("advance", seconds=315)
        assert [("REMOTE_TIMEOUT", "bob")] == alice.take()
        back = await world.peer()
        await back.request("hello", {"resume": "s2", "ack": True})
        await back.call("session.reconnect")
        assert [("REMOTE_JOIN", "bob"), ("REMOTE_STATE_CHANGED", "bob")] == alice.take()


async def test_close_after_logout_forgets_the_session_and_is_no_loss() -> None:
    async with running() as world:
        _alice, bob = await world.in_room("alice", "bob")
        await bob.call("logout")
        await bob.ws.close()
        hub = world.server.hub
        await eventually(lambda: "s2" not in hub.sessions)
        back = await world.peer()
        refused = await back.request("hello", {"resume": "s2"})
        assert -32002 == refused["error"]["errorCode"]


async def test_a_newer_socket_takes_the_session_over() -> None:
    async with running() as world:
        bob = await world.user("bob")
        await bob.call("subscribe", "room")
        newer = await world.peer()
        await newer.request("hello", {"resume": "s1", "ack": True})
        await newer.call("presence.setState", "room", "MESSAGE", {"k": "v"})
        await bob.ws.close()  # the old socket no longer speaks for the session
        await newer.call("presence.getState", "", "room", "MESSAGE")
        assert world.server.hub.sessions["s1"].client.connected
        with pytest.raises(CallFailed) as caught:
            await (await world.peer()).call("session.reconnect")
        assert -32002 == caught.value.error["errorCode"]


async def test_session_reconnect_needs_a_logged_in_client() -> None:
    async with running() as world:
        bob = await world.user("bob", login=False)
        with pytest.raises(CallFailed) as caught:
            await bob.call("session.reconnect")
        assert ("reconnect", -10002) == (
            caught.value.error["operation"],
            caught.value.error["errorCode"],
        )
