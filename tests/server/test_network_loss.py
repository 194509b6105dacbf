"""Sockets are the network: closing one is a network loss of its client (R-T2, R-T4);
resuming the session on a new socket brings the network back, and the client reconnects
at its next retry (R-T3, R-T4).  A ``login`` while the link is down waits for the
reconnect without holding the connection (R-L3)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytest.importorskip("websockets")

from .support import CallFailed, Peer, World, eventually, running

START = 1_735_689_600_000


def link_rows(peer: Peer, since_ms: int = START) -> list[tuple[float, str, str]]:
    """(seconds since ``since_ms``, previous, current) of every MESSAGE link event."""
    return [
        (
            (e["data"]["timestamp"] - since_ms) / 1000,
            e["data"]["previousState"],
            e["data"]["currentState"],
        )
        for e in peer.events
        if e["name"] == "linkState" and e["data"]["serviceType"] == "MESSAGE"
    ]


def retry_timeline(until_s: float) -> list[tuple[float, str, str]]:
    """R-T4 after a loss at 0 s: attempts 2, 4, 8, 16, 32, 32 s, then 30 s after each
    failed attempt (5 s each); a failure after the 115 s timer (armed at the first
    failure) is SUSPENDED.  The rows up to ``until_s``."""
    rows = [(0.0, "CONNECTED", "DISCONNECTED")]
    at, state, attempt, suspend_at = 0.0, "DISCONNECTED", 0, None
    while True:
        at += (2, 4, 8, 16, 32, 32)[attempt] if attempt < 6 else 30
        if at > until_s:
            return rows
        rows.append((at, state, "CONNECTING"))
        at += 5
        if at > until_s:
            return rows
        if suspend_at is None:
            suspend_at = at + 115
        state = "SUSPENDED" if at >= suspend_at else "DISCONNECTED"
        rows.append((at, "CONNECTING", state))
        attempt += 1


async def _bob_lost(world: World, **hello: Any) -> tuple[Peer, Peer, Peer]:
    """control, alice and bob in ``room``; bob's socket closed (its session is ``bob.session``)."""
    control = await world.control()
    alice, bob = await world.in_room("alice", "bob")
    alice.take()
    await bob.ws.close()
    await eventually(lambda: world.server.hub.sessions[bob.session].conn is None)
    return control, alice, bob


async def _resume(world: World, token: str | None) -> tuple[Peer, dict[str, Any]]:
    back = await world.peer()
    hello = await back.request("hello", {"resume": token, "ack": True})
    assert "result" == hello["type"], hello
    return back, hello["result"]


async def test_socket_close_times_the_user_out_after_heartbeat_plus_presence_timeout() -> None:
    """R-T2: the server times the user out heartbeat + 10 + presenceTimeout s after."""
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
        await eventually(
            lambda: hub.sessions[bob.session].client.link_state.value == "DISCONNECTED"
        )
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


async def test_the_default_timeout_is_315_s() -> None:
    """R-T2 with the defaults: 5 s heartbeat + 10 s + 300 s presenceTimeout."""
    async with running() as world:
        control, alice, _bob = await _bob_lost(world)
        await control.control("advance", seconds=314.999)
        assert [] == alice.take()
        await control.control("advance", seconds=0.001)
        assert [("REMOTE_TIMEOUT", "bob")] == alice.take()


async def test_resume_restores_the_network_and_the_next_retry_reconnects() -> None:
    """R-T4: the missed retries arrive on resume; R-T3: the link stays down (-10025)
    until the next retry, which reconnects (not resumed: the 115 s timer had fired);
    before the server's timeout the others see nothing."""
    async with running() as world:
        control, alice, bob = await _bob_lost(world)
        await control.control("advance", seconds=130)
        back, hello = await _resume(world, bob.session)
        assert {
            "session": bob.session,
            "resumed": True,
            "connected": False,
            "loggedIn": True,
            "linkState": "SUSPENDED",
        } == {k: hello[k] for k in ("session", "resumed", "connected", "loggedIn", "linkState")}
        # the buffered events came before the hello reply: every retry until 130 s
        assert retry_timeline(130) == link_rows(back)
        assert (124.0, "CONNECTING", "SUSPENDED") == link_rows(back)[-1]
        back.events.clear()
        with pytest.raises(CallFailed) as caught:
            await back.call("presence.whoNow", "room", "MESSAGE")
        assert -10025 == caught.value.error["errorCode"]
        await control.control("advance", seconds=23.999)  # the next retry is at 154 s
        assert [] == link_rows(back)
        await control.control("advance", seconds=0.001)
        assert [(154.0, "SUSPENDED", "CONNECTING"), (154.0, "CONNECTING", "CONNECTED")] == (
            link_rows(back)
        )
        reconnected = [e["data"] for e in back.events if e["name"] == "linkState"][-1]
        assert ("AUTO_RECONNECT", "RECONNECT_SUCCESS", False, ["room"]) == (
            reconnected["operation"],
            reconnected["reasonCode"],
            reconnected["isResumed"],
            reconnected["affectedChannels"],
        )
        assert [] == alice.take()  # nothing reaches the others before the timeout (R-T3)
        who = await back.call("presence.whoNow", "room", "MESSAGE")
        assert ["alice", "bob"] == [o["userId"] for o in who["occupants"]]


async def test_resume_after_the_timeout_re_enters_with_the_old_state() -> None:
    """R-T3: back after the server's timeout, the client re-enters its channels and
    re-applies its state at the next retry (the one after 299 s: 329 s)."""
    async with running() as world:
        control = await world.control()
        alice, bob = await world.in_room("alice", "bob")
        await bob.call("presence.setState", "room", "MESSAGE", {"seat": "1"})
        alice.take()
        await bob.ws.close()
        await eventually(lambda: world.server.hub.sessions[bob.session].conn is None)
        await control.control("advance", seconds=315)
        assert [("REMOTE_TIMEOUT", "bob")] == alice.take()
        back, _ = await _resume(world, bob.session)
        await control.control("advance", seconds=13.999)
        assert [] == alice.take()
        await control.control("advance", seconds=0.001)
        assert [("REMOTE_JOIN", "bob"), ("REMOTE_STATE_CHANGED", "bob")] == alice.take()
        assert (329.0, "CONNECTING", "CONNECTED") == link_rows(back)[-1]
        assert {"seat": "1"} == await control.control(
            "stateOf", userId="bob", channelName="room", channelType="MESSAGE"
        )


async def test_a_socket_closed_again_before_the_retry_cuts_the_network_again() -> None:
    """R-T2: a resumed socket that closes before the client reconnected is a loss too:
    no reconnect follows, and the server times the user out at 315 s."""
    async with running() as world:
        control, alice, bob = await _bob_lost(world)
        await control.control("advance", seconds=1)
        back, _ = await _resume(world, bob.session)  # network back; the retry would be at 2 s
        await back.ws.close()
        await eventually(lambda: world.server.hub.sessions[bob.session].conn is None)
        await control.control("advance", seconds=314)
        assert [("REMOTE_TIMEOUT", "bob")] == alice.take()
        again, hello = await _resume(world, bob.session)
        assert "CONNECTED" not in [current for _, _, current in link_rows(again)]
        assert "CONNECTED" != hello["linkState"]


async def test_a_loss_made_by_control_disconnect_outlives_a_socket_close_and_resume() -> None:
    """The hub restores only what a socket close took: after control.disconnect, a
    close and a resume leave the network down until control.reconnect."""
    async with running() as world:
        control = await world.control()
        alice, bob = await world.in_room("alice", "bob")
        alice.take()
        await control.control("disconnect", userId="bob")
        await bob.ws.close()
        await eventually(lambda: world.server.hub.sessions[bob.session].conn is None)
        back, _ = await _resume(world, bob.session)
        await control.control("advance", seconds=20)  # attempts at 2 s and 11 s fail
        # the loss itself reached the old socket; the retries since reached this one
        assert retry_timeline(20)[1:] == link_rows(back)
        await control.control("reconnect", userId="bob")
        await control.control("advance", seconds=4)  # the third attempt, at 24 s
        assert (24.0, "CONNECTING", "CONNECTED") == link_rows(back)[-1]
        assert [] == alice.take()


async def test_close_after_logout_forgets_the_session_and_is_no_loss() -> None:
    async with running() as world:
        _alice, bob = await world.in_room("alice", "bob")
        await bob.call("logout")
        await bob.ws.close()
        hub = world.server.hub
        await eventually(lambda: bob.session not in hub.sessions)
        back = await world.peer()
        refused = await back.request("hello", {"resume": bob.session})
        assert -32002 == refused["error"]["errorCode"]


async def test_a_newer_socket_takes_the_session_over() -> None:
    async with running() as world:
        bob = await world.user("bob")
        await bob.call("subscribe", "room")
        newer, _ = await _resume(world, bob.session)
        await newer.call("presence.setState", "room", "MESSAGE", {"k": "v"})
        await bob.ws.close()  # the old socket no longer speaks for the session
        got = await newer.call("presence.getState", "bob", "room", "MESSAGE")
        assert {"k": "v"} == got["states"]
        assert world.server.hub.sessions[newer.session].client.connected  # its close was no loss
        with pytest.raises(CallFailed) as caught:
            await (await world.peer()).call("session.reconnect")
        assert -32002 == caught.value.error["errorCode"]


async def test_session_reconnect_restores_the_network_and_needs_a_login() -> None:
    """session.reconnect (the JS restoreConnection) brings the network back (R-T3); the
    client reconnects at its next retry (R-T4)."""
    async with running() as world:
        control = await world.control()
        idle = await world.user("carol", login=False)
        with pytest.raises(CallFailed) as caught:
            await idle.call("session.reconnect")
        assert ("reconnect", -10014) == (
            caught.value.error["operation"],
            caught.value.error["errorCode"],
        )
        (bob,) = await world.in_room("bob")
        await control.control("disconnect", userId="bob")
        assert {"timestamp": 0} == await bob.call("session.reconnect")
        assert ("CONNECTED", "DISCONNECTED") == bob.links()[-1]
        await control.control("advance", seconds=2)
        assert [("DISCONNECTED", "CONNECTING"), ("CONNECTING", "CONNECTED")] == bob.links()[-2:]


# ----------------------------------------------------- login while the link is down


async def _alice_down_logging_in(world: World) -> tuple[Peer, Peer, asyncio.Future[Any]]:
    """control and alice (in ``room``); alice's network cut, her login sent and waiting."""
    control = await world.control()
    (alice,) = await world.in_room("alice")
    await control.control("disconnect", userId="alice")
    login = asyncio.ensure_future(alice.call("login"))
    await eventually(lambda: ("DISCONNECTED", "CONNECTING") == alice.links()[-1])
    assert not login.done()
    return control, alice, login


async def _until_connected(control: Peer, peer: Peer, login: asyncio.Future[Any]) -> None:
    """Fire timers one at a time until ``peer``'s link is CONNECTED; the login stays
    unanswered until then (R-L3)."""
    for _ in range(20):
        if ("CONNECTING", "CONNECTED") == peer.links()[-1]:
            return
        assert not login.done()
        assert (await control.control("advanceToNextEvent"))["fired"]
    raise AssertionError(f"no reconnect: {peer.links()}")


async def test_a_login_while_disconnected_waits_for_the_reconnect() -> None:
    """R-L3: login while DISCONNECTED emits CONNECTING / RELOGIN and resolves only once
    the link is back; the connection keeps serving meanwhile; the reply follows the
    link event that settled it (R-E9)."""
    async with running() as world:
        control, alice, login = await _alice_down_logging_in(world)
        relogin = [e["data"] for e in alice.events if e["name"] == "linkState"][-1]
        assert ("LOGIN", "RELOGIN") == (relogin["operation"], relogin["reasonCode"])
        # the same socket still answers (control and SDK calls alike)
        assert START == (await alice.control("now"))["nowMs"]
        with pytest.raises(CallFailed) as caught:
            await alice.call("presence.whoNow", "room", "MESSAGE")
        assert -10025 == caught.value.error["errorCode"]
        await control.control("advance", seconds=30)  # attempts fail: the network is down
        assert not login.done()
        assert "CONNECTED" not in [current for _, current in alice.links()[-6:]]
        await control.control("reconnect", userId="alice")
        await _until_connected(control, alice, login)
        assert {"timestamp": 0} == await asyncio.wait_for(login, 5)
        kinds = [(f["type"], f.get("name")) for f in alice.frames]
        connected = max(i for i, k in enumerate(kinds) if k == ("event", "linkState"))
        assert ("result", None) == kinds[-1] and connected < len(kinds) - 1
        assert {"timestamp": 0} == await alice.call("login")  # CONNECTED: resolves at once
        await alice.call("presence.whoNow", "room", "MESSAGE")
        assert [] == world.server.hub._waiting


async def test_a_login_after_the_network_is_back_but_before_the_retry_resolves() -> None:
    """R-L3: a login while down waits; the next retry finds the network up and it resolves."""
    async with running() as world:
        control = await world.control()
        (alice,) = await world.in_room("alice")
        await control.control("disconnect", userId="alice")
        await control.control("reconnect", userId="alice")  # the retry would come at 2 s
        login = asyncio.ensure_future(alice.call("login"))
        await alice.control("now")  # the login waits for the link: the socket still serves
        assert "CONNECTING" == world.server.hub.sessions[alice.session].client.link_state.value
        await control.control("advance", seconds=2)  # the next retry brings the link back
        assert "CONNECTED" == world.server.hub.sessions[alice.session].client.link_state.value
        assert {"timestamp": 0} == await asyncio.wait_for(login, 2)


async def test_a_second_login_while_one_waits_is_a_duplicate() -> None:
    """R-L3: login while CONNECTING is -10017."""
    async with running() as world:
        _control, alice, login = await _alice_down_logging_in(world)
        with pytest.raises(CallFailed) as caught:
            await alice.call("login")
        assert ("login", -10017) == (
            caught.value.error["operation"],
            caught.value.error["errorCode"],
        )
        assert not login.done()


async def test_logout_cancels_a_waiting_login() -> None:
    """R-L2 / R-L3: logout resolves and the waiting login fails with -10023."""
    async with running() as world:
        _control, alice, login = await _alice_down_logging_in(world)
        assert {"timestamp": 0} == await alice.call("logout")
        with pytest.raises(CallFailed) as caught:
            await asyncio.wait_for(login, 5)
        assert {
            "operation": "login",
            "errorCode": -10023,
            "reason": "Login RTM service was canceled by user.",
        } == {k: caught.value.error[k] for k in ("operation", "errorCode", "reason")}
        assert [] == world.server.hub._waiting
        assert ("CONNECTING", "IDLE") == alice.links()[-1]


async def test_a_waiting_login_whose_socket_closed_settles_without_a_reply() -> None:
    async with running() as world:
        control, alice, login = await _alice_down_logging_in(world)
        await alice.ws.close()
        with pytest.raises(ConnectionError):
            await login
        await eventually(lambda: world.server.hub.sessions[alice.session].conn is None)
        await control.control("reconnect", userId="alice")
        await control.control("runUntilIdle")  # past the reconnect (and what follows)
        assert [] == world.server.hub._waiting
        assert "CONNECTED" == world.server.hub.sessions[alice.session].client.link_state.value
        assert {} == await control.control("checkInvariants")
        back, hello = await _resume(world, alice.session)
        assert (True, "CONNECTED") == (hello["connected"], hello["linkState"])
        assert ("CONNECTING", "CONNECTED") == back.links()[-1]


async def test_reset_drops_a_waiting_login() -> None:
    async with running() as world:
        control, alice, login = await _alice_down_logging_in(world)
        await control.control("reset")
        assert 4001 == alice.ws.close_code
        with pytest.raises(ConnectionError):
            await login
        assert [] == world.server.hub._waiting
        await world.user("alice")  # the new emulator serves a new session
        ((_, session),) = world.server.hub.sessions.items()
        assert "CONNECTED" == session.client.link_state.value
