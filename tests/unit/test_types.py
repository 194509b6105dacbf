"""Value types: the SDK's JSON shapes and the read-only state map."""

from __future__ import annotations

import json
import pickle

import pytest

from rtm_emulator import (
    ChannelDetail,
    ChannelType,
    ErrorCode,
    GetOnlineUsersResponse,
    GetStateResponse,
    GetUserChannelsResponse,
    IntervalDetail,
    LinkOperation,
    LinkState,
    LinkStateEvent,
    LinkStateReasonCode,
    PresenceEvent,
    PresenceEventType,
    RtmError,
    StateMap,
    UserList,
    UserState,
)


class TestStateMap:
    """A dict that refuses mutation, equal to the plain dict."""

    def test_equal_to_dict_and_json_serialisable(self) -> None:
        state = StateMap({"a": "1"})
        assert {"a": "1"} == state
        assert isinstance(state, dict)
        assert '{"a": "1"}' == json.dumps(state)
        assert hash(StateMap({"a": "1"})) == hash(state)

    @pytest.mark.parametrize(
        "mutate",
        [
            lambda s: s.__setitem__("b", "2"),
            lambda s: s.__delitem__("a"),
            lambda s: s.update(b="2"),
            lambda s: s.pop("a"),
            lambda s: s.popitem(),
            lambda s: s.clear(),
            lambda s: s.setdefault("b", "2"),
        ],
    )
    def test_refuses_mutation(self, mutate: object) -> None:
        state = StateMap({"a": "1"})
        with pytest.raises(TypeError):
            mutate(state)  # type: ignore[operator]
        assert {"a": "1"} == state

    def test_pickles(self) -> None:
        state = StateMap({"a": "1"})
        assert state == pickle.loads(pickle.dumps(state))


class TestSdkShapes:
    """``to_dict()`` gives the exact camelCase JSON of agora-rtm.d.ts."""

    def test_who_now_response(self) -> None:
        r = GetOnlineUsersResponse(1, (UserState("bob", {"m": "x"}),), "", 5)
        assert {
            "timestamp": 5,
            "totalOccupancy": 1,
            "occupants": [{"userId": "bob", "states": {"m": "x"}, "statesCount": 1}],
            "nextPage": "",
        } == r.to_dict()
        assert 1 == r.occupants[0].states_count

    def test_where_now_response(self) -> None:
        r = GetUserChannelsResponse(1, (ChannelDetail("room", ChannelType.STREAM),), 5)
        assert {
            "timestamp": 5,
            "totalChannel": 1,
            "channels": [{"channelName": "room", "channelType": "STREAM"}],
        } == r.to_dict()

    def test_get_state_response(self) -> None:
        r = GetStateResponse("bob", {"m": "x"}, 5)
        assert {"timestamp": 5, "userId": "bob", "states": {"m": "x"}, "statesCount": 1} == (
            r.to_dict()
        )

    def test_presence_event(self) -> None:
        event = PresenceEvent(
            PresenceEventType.INTERVAL,
            ChannelType.MESSAGE,
            "room",
            "",
            interval=IntervalDetail(
                join=UserList(["a"]),
                user_state_list=[UserState("a", {"k": "v"})],
                total_occupancy=51,
            ),
            timestamp=7,
            seq=3,
        )
        assert {
            "eventType": "INTERVAL",
            "channelType": "MESSAGE",
            "channelName": "room",
            "publisher": "",
            "stateChanged": {},
            "interval": {
                "join": {"users": ["a"], "userCount": 1},
                "leave": {"users": [], "userCount": 0},
                "timeout": {"users": [], "userCount": 0},
                "userStateList": [{"userId": "a", "states": {"k": "v"}, "statesCount": 1}],
                "totalOccupancy": 51,
            },
            "snapshot": [],
            "timestamp": 7,
        } == event.to_dict()

    def test_link_state_event(self) -> None:
        event = LinkStateEvent(
            LinkState.CONNECTED,
            LinkState.CONNECTING,
            LinkOperation.LOGIN,
            LinkStateReasonCode.LOGIN_SUCCESS,
            reason="Login success",
            timestamp=9,
        )
        assert {
            "currentState": "CONNECTED",
            "previousState": "CONNECTING",
            "serviceType": "MESSAGE",
            "operation": "LOGIN",
            "reason": "Login success",
            "reasonCode": "LOGIN_SUCCESS",
            "affectedChannels": [],
            "unrestoredChannels": [],
            "isResumed": False,
            "timestamp": 9,
        } == event.to_dict()

    def test_str_enums_compare_with_their_strings(self) -> None:
        assert "MESSAGE" == ChannelType.MESSAGE
        assert "SNAPSHOT" == str(PresenceEventType.SNAPSHOT)
        assert "PresenceEventType.SNAPSHOT" == repr(PresenceEventType.SNAPSHOT)


class TestRtmError:
    """One exception type carrying the SDK's ErrorInfo."""

    def test_error_info_and_pickle(self) -> None:
        """R-X2: the SDK's error object (code twice, name) plus the emulator's detail."""
        err = RtmError(
            "whoNow",
            -13003,
            "Presence operation failed due to invalid argument.",
            "RtmInvalidArgumentError",
            "bad bookmark 'x'",
        )
        assert {
            "error": True,
            "code": -13003,
            "errorCode": -13003,
            "operation": "whoNow",
            "reason": "Presence operation failed due to invalid argument.",
            "name": "RtmInvalidArgumentError",
        } == err.to_dict()
        assert ErrorCode.PRESENCE_INVALID_ARGUMENT is err.error_code
        assert ErrorCode.PRESENCE_INVALID_ARGUMENT is err.code
        again = pickle.loads(pickle.dumps(err))
        assert err.to_dict() == again.to_dict()
        assert "bad bookmark 'x'" == again.detail
        assert (
            "whoNow failed with -13003 PRESENCE_INVALID_ARGUMENT: Presence operation failed "
            "due to invalid argument. (bad bookmark 'x')" == str(err)
        )
        server = RtmError("whoNow", -13003, "r", "RtmUnavailableError", "", 7)
        assert 7 == server.to_dict()["serverCode"]
        assert 7 == pickle.loads(pickle.dumps(server)).server_code
