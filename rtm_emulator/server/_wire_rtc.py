"""Real-SDK mode, stream channels (D-RS12..D-RS17): the RTC side, a data-channel relay.

agora-rtm-sdk 2.3.0 runs a stream channel's topics over agora-rtc-sdk-ng: the stream
channel joins an RTC channel of the same name, a topic is a data channel it publishes
(the data channel's ``metadata`` names the topic, in the SDK's own encoding, which the
relay never reads), subscribing a topic is subscribing a remote user's data channel, and
a topic message is one ``send`` on it.  In real-SDK mode ``rtm-emulator-client/real-sdk``
replaces the RTC SDK's ``createClient`` with a stand-in (``lib/real-sdk-rtc.cjs``) whose
requests (``rtc.*``) travel on the real-SDK session's own socket and whose events come
back there as ``rtc`` event frames; this module is the server behind them.

It is the RTC service the oracle's in-process stub (``test/oracle/sdk/rtc-stub.cjs``)
fakes, written to the same decisions: clients that joined one (app id, channel) see each
other, in join order; ``published-user-list`` after a join (the stand-in makes it from
the join's answer) and after a reconnect; leave unpublishes every data channel first,
then ``user-left``; a message reaches the subscribers of that publisher's data channel
id, never the sender; the RTC link follows the client's network (R-M12) and the token
rules R-TK22, R-TK24, R-TK25 hold on the emulator's clock.  Nothing here reads the wall
clock or iterates a set.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._errors import ConfigError
from .._surface import RTC_METHODS
from .._token_verify import stream_verdict
from .._tokens import NOTICE_BEFORE_MS

if TYPE_CHECKING:
    from .._clock import FakeClock, Timer

__all__ = ["RTC_METHODS", "RtcMember", "RtcRelay"]

#: D-RS15: the RTC error code of a refused join, and of a refused renew (R-TK22).
JOIN_REFUSED = "CAN_NOT_GET_GATEWAY_SERVER"
RENEW_REFUSED = "INVALID_PARAMS"

#: One data channel as the RTC SDK's ``getConfig()`` gives it.
DataChannel = dict[str, Any]
#: An ``rtc`` event frame's data.
Event = dict[str, Any]


@attrs.define(eq=False)
class RtcMember:
    """One RTC client's membership of a channel (one stream channel of one session)."""

    owner: Hashable
    app_id: str
    channel: str
    uid: str
    #: its data channels, in publish order
    data_channels: list[DataChannel] = attrs.field(factory=list)
    #: the (publisher uid, data channel id) pairs it subscribed, in subscribe order
    subscriptions: dict[tuple[str, int], None] = attrs.field(factory=dict)
    #: its RTC link is down with its network (R-M12): it hears nothing
    offline: bool = False
    notice_timer: Timer | None = None
    expiry_timer: Timer | None = None
    #: the notice / the lapse fell due while it was offline (R-TK24, R-TK25)
    notice_due: bool = False
    lapsed: bool = False

    def view(self) -> dict[str, Any]:
        """How the others see it: ``{uid, dataChannels}`` (the RTC SDK's remote user)."""
        return {"uid": self.uid, "dataChannels": [dict(d) for d in self.data_channels]}


class RtcRelay:
    """The RTC service behind the real-SDK sessions of one emulator.

    ``deliver(owner, data)`` sends an ``rtc`` event frame to an owner (the hub's
    session); ``lapsed(owner, channel)`` is the server's side of a token that lapsed
    (the hub deletes the user's stream-channel presence document).
    """

    def __init__(
        self,
        clock: FakeClock,
        certificates: Mapping[str, str],
        deliver: Callable[[Hashable, Event], None],
        lapsed: Callable[[Hashable, str, str], None] = lambda owner, app_id, channel: None,
    ) -> None:
        self._clock = clock
        #: the engine's app certificates (read at each check: control may change them)
        self._certificates = certificates
        self._deliver = deliver
        self._lapsed = lapsed
        #: (app id, channel) -> its members, in join order
        self._channels: dict[tuple[str, str], list[RtcMember]] = {}
        #: (owner, channel) -> the owner's membership of the channel
        self._members: dict[tuple[Hashable, str], RtcMember] = {}
        #: the (app id, uid) whose network is down (R-M12), in the order it went down
        self._down: dict[tuple[str, str], None] = {}

    # ------------------------------------------------------------ queries

    def members(self, app_id: str, channel: str) -> list[RtcMember]:
        """The channel's members, in join order (a copy)."""
        return list(self._channels.get((app_id, channel), ()))

    def member(self, owner: Hashable, channel: str) -> RtcMember | None:
        """The owner's membership of ``channel``, or ``None``."""
        return self._members.get((owner, channel))

    # ------------------------------------------------------------ requests

    def request(
        self, owner: Hashable, app_id: str, method: str, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        """One ``rtc.*`` request of ``owner`` (a real-SDK session of app ``app_id``).

        Raises:
            ConfigError: for params that are not the method's, a channel the owner has
                not joined (``rtc.join``: has joined), a data channel it does not hold.
        """
        channel = params.get("channel")
        if not isinstance(channel, str) or not channel:
            raise ConfigError.bad(method, f"channel must be a non-empty string, got {channel!r}")
        if method == "rtc.join":
            return self._join(owner, app_id, channel, params)
        member = self._members.get((owner, channel))
        if member is None:
            raise ConfigError.bad(method, f"this session has not joined RTC channel {channel!r}")
        if method == "rtc.leave":
            self._leave(member, reason="LEAVE")
        elif method == "rtc.publish":
            self._publish(member, params)
        elif method == "rtc.unpublish":
            self._unpublish(member, _id(method, params.get("id")))
        elif method == "rtc.subscribe":
            key = (_uid(method, params.get("uid")), _id(method, params.get("id")))
            member.subscriptions[key] = None
        elif method == "rtc.unsubscribe":
            member.subscriptions.pop(
                (_uid(method, params.get("uid")), _id(method, params.get("id"))), None
            )
        elif method == "rtc.send":
            self._send(member, _id(method, params.get("id")), params.get("bytes"))
        elif method == "rtc.renew":
            return self._renew(member, params.get("token"))
        else:
            raise ConfigError.bad(method, "not an rtc method")
        return {}

    def _verdict(self, app_id: str, channel: str, uid: str, token: object) -> tuple[int, int]:
        """R-TK22, R-TK23 for the RTC side: (AP code, expiry ms); (0, -1) without a
        certificate (every token is taken and nothing expires)."""
        certificate = self._certificates.get(app_id)
        if certificate is None:
            return 0, -1
        text = token if isinstance(token, str) and token else app_id  # R-TK11
        verdict = stream_verdict(text, app_id, certificate, channel, uid)
        return verdict.at(self._clock.now_ms), verdict.expiry_s * 1000

    def _join(
        self, owner: Hashable, app_id: str, channel: str, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        """D-RS12, D-RS15: the join's answer, ``{users}`` (the others, in join order, each
        with its data channels) or ``{refused, apCode}``."""
        uid = _uid("rtc.join", params.get("uid"))
        if (owner, channel) in self._members:
            raise ConfigError.bad("rtc.join", f"this session has joined {channel!r} already")
        code, expiry_ms = self._verdict(app_id, channel, uid, params.get("token"))
        if code:
            return {"refused": JOIN_REFUSED, "apCode": code}
        member = RtcMember(owner, app_id, channel, uid)
        peers = self._channels.setdefault((app_id, channel), [])
        users = [p.view() for p in peers]
        for peer in peers:
            self._to(peer, {"type": "user-joined", "user": member.view()})
        peers.append(member)
        self._members[(owner, channel)] = member
        self._arm(member, expiry_ms)
        return {"users": users}

    def _others(self, member: RtcMember) -> list[RtcMember]:
        peers = self._channels.get((member.app_id, member.channel), ())
        return [p for p in peers if p is not member]

    def _to(self, member: RtcMember, data: Event) -> None:
        """An event to ``member``, lost while its link is down (R-M12)."""
        if not member.offline:
            self._deliver(member.owner, {"channel": member.channel, **data})

    def _publish(self, member: RtcMember, params: Mapping[str, Any]) -> None:
        dc_id = _id("rtc.publish", params.get("id"))
        metadata = params.get("metadata")
        if not isinstance(metadata, str):
            raise ConfigError.bad("rtc.publish", f"metadata must be a string, got {metadata!r}")
        ordered = params.get("ordered", False)
        config: DataChannel = {"id": dc_id, "ordered": ordered is True, "metadata": metadata}
        member.data_channels.append(config)
        for peer in self._others(member):
            self._to(peer, {"type": "user-published", "user": member.view(), "dataChannel": config})

    def _unpublish(self, member: RtcMember, dc_id: int) -> None:
        config = next((d for d in member.data_channels if d["id"] == dc_id), None)
        if config is None:
            return  # the RTC SDK's unpublish of nothing: nothing happens
        member.data_channels.remove(config)
        for peer in self._others(member):
            event = {"type": "user-unpublished", "user": member.view(), "dataChannel": config}
            self._to(peer, event)

    def _send(self, member: RtcMember, dc_id: int, data: object) -> None:
        """D-RS13: to each member that subscribed this data channel, never the sender."""
        if not isinstance(data, str):
            raise ConfigError.bad("rtc.send", f"bytes must be base64 text, got {data!r}")
        try:
            base64.b64decode(data, validate=True)
        except ValueError as exc:
            raise ConfigError.bad("rtc.send", f"bytes must be base64 text: {exc}") from None
        key = (member.uid, dc_id)
        for peer in self._others(member):
            if key in peer.subscriptions:
                self._to(peer, {"type": "message", "uid": member.uid, "id": dc_id, "bytes": data})

    def _leave(self, member: RtcMember, *, reason: str, previous: str = "CONNECTED") -> None:
        """D-RS12: every data channel unpublished (publish order), then ``user-left``."""
        self._cancel(member)
        view = member.view()
        for peer in self._others(member):
            for config in member.data_channels:
                event = {"type": "user-unpublished", "user": view, "dataChannel": config}
                self._to(peer, {**event, "leaving": True})
            self._to(peer, {"type": "user-left", "uid": member.uid})
        peers = self._channels.get((member.app_id, member.channel))
        if peers is not None:
            peers.remove(member)
            if not peers:
                del self._channels[(member.app_id, member.channel)]
        self._members.pop((member.owner, member.channel), None)
        if reason == "TOKEN_EXPIRE":
            data = {"type": "connection-state-change", "current": "DISCONNECTED"}
            data.update(previous=previous, reason=reason)
            self._deliver(member.owner, {"channel": member.channel, **data})

    def drop(self, owner: Hashable) -> None:
        """The owner's socket is gone: each of its memberships leaves (D-RS16)."""
        for key, member in list(self._members.items()):
            if key[0] == owner:
                self._leave(member, reason="GONE")

    # -------------------------------------------------------------- network (R-M12)

    def network_down(self, app_id: str, uid: str) -> None:
        """The user's network is gone: each of its connected RTC links goes RECONNECTING."""
        self._down[(app_id, uid)] = None
        for member in list(self._members.values()):
            if member.app_id == app_id and member.uid == uid and not member.offline:
                self._deliver(
                    member.owner,
                    {
                        "channel": member.channel,
                        "type": "connection-state-change",
                        "current": "RECONNECTING",
                        "previous": "CONNECTED",
                        "reason": "NETWORK_ERROR",
                    },
                )
                member.offline = True

    def network_up(self, app_id: str, uid: str, *, link_settled: bool) -> None:
        """The user's network is back; its RTC links come back now if its RTM link is not
        on its way back (``link_settled``), else at :meth:`link_settled`."""
        self._down.pop((app_id, uid), None)
        if link_settled:
            self.link_settled(app_id, uid)

    def link_settled(self, app_id: str, uid: str) -> None:
        """The user's RTM link is back (or ended): with its network up, each RTC link that
        went down comes back: CONNECTED with the channel's users as they are now (the
        stand-in then emits a fresh ``published-user-list``), then a notice that fell due;
        a token that lapsed meanwhile lapses now (R-TK25)."""
        if (app_id, uid) in self._down:
            return
        for member in list(self._members.values()):
            if member.app_id != app_id or member.uid != uid or not member.offline:
                continue
            member.offline = False
            if member.lapsed:
                self._lapse(member, previous="RECONNECTING")
                continue
            users = [p.view() for p in self._others(member)]
            self._to(
                member,
                {
                    "type": "connection-state-change",
                    "current": "CONNECTED",
                    "previous": "RECONNECTING",
                    "users": users,
                },
            )
            if member.notice_due:
                member.notice_due = False
                self._to(member, {"type": "token-privilege-will-expire"})

    # ---------------------------------------------------------------- tokens

    def _renew(self, member: RtcMember, token: object) -> dict[str, Any]:
        """D-RS15: the RTC renewal: refused ``{refused, apCode}``, or the timers moved."""
        code, expiry_ms = self._verdict(member.app_id, member.channel, member.uid, token)
        if code:
            return {"refused": RENEW_REFUSED, "apCode": code}
        if expiry_ms >= 0:
            self._arm(member, expiry_ms)
        return {}

    def _cancel(self, member: RtcMember) -> None:
        for timer in (member.notice_timer, member.expiry_timer):
            if timer is not None:
                self._clock.cancel(timer)
        member.notice_timer = member.expiry_timer = None

    def _arm(self, member: RtcMember, expiry_ms: int) -> None:
        """R-TK24, R-TK25: the notice at expiry - 30 s, the lapse at expiry."""
        self._cancel(member)
        member.notice_due = member.lapsed = False
        if expiry_ms < 0:
            return
        now = self._clock.now_ms
        label = f"RTC token of {member.uid!r} in {member.channel!r}"
        member.notice_timer = self._clock.schedule(
            max(0, expiry_ms - NOTICE_BEFORE_MS - now),
            lambda: f"{label} nearly expired",
            lambda: self._notice(member),
        )
        member.expiry_timer = self._clock.schedule(
            max(0, expiry_ms - now), lambda: f"{label} expires", lambda: self._expiry(member)
        )

    def _notice(self, member: RtcMember) -> None:
        member.notice_timer = None
        if member.offline:
            member.notice_due = True
        else:
            self._to(member, {"type": "token-privilege-will-expire"})

    def _expiry(self, member: RtcMember) -> None:
        member.expiry_timer = None
        if member.offline:
            member.lapsed = True
        else:
            self._lapse(member)

    def _lapse(self, member: RtcMember, previous: str = "CONNECTED") -> None:
        """R-TK25: the channel is gone for this client; the others see it leave."""
        self._leave(member, reason="TOKEN_EXPIRE", previous=previous)
        self._lapsed(member.owner, member.app_id, member.channel)


def _uid(method: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError.bad(method, f"uid must be a non-empty string, got {value!r}")
    return value


def _id(method: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFF:
        raise ConfigError.bad(method, f"id must be a data channel id (an integer), got {value!r}")
    return value
