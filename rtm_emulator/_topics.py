"""Stream-channel topics: join, leave, subscribe, unsubscribe, topic messages (R-M12..R-M21).

Theory of operation.  The 2.3.0 SDK runs topics over RTC data channels: a client that
joins a topic publishes a data channel; every other member of the stream channel learns
of it from RTC (``user-published``) and keeps, per topic, a map of users with a state —
*unsubscribed* (a publisher it knows of), *subscribed* (it receives that publisher's
messages), *pre-subscribed* (a user it asked for who does not publish the topic yet) —
the SDK's ``RemoteTopic``.  The emulator keeps the same two things per member of a
stream channel (:class:`_Member`):

* ``local``: the topics the client joined, in join order (at most 8, R-M13);
* ``remote``: the SDK's remote-topic map, topic -> user -> state, changed exactly as the
  SDK changes it when it hears of a publisher joining (R-M20 ``REMOTE_JOIN``: a
  pre-subscribed user is subscribed at once, R-M15) or leaving (``REMOTE_LEAVE``: a
  subscribed one goes back to pre-subscribed, any other is forgotten), and by
  ``subscribeTopic`` / ``unsubscribeTopic`` (R-M15, R-M16).

The server's side is what the RTC service would tell (R-M20, [ours] where RTC decides):
a member that enters a stream channel gets one ``SNAPSHOT`` of every topic the other
members publish (users in the order they entered the channel, each user's topics in the
order it joined them); a join or leave of a topic reaches every other member as
``REMOTE_JOIN`` / ``REMOTE_LEAVE``, and a member leaving the channel (leave, logout,
kick, timeout) leaves each of its topics so, in join order (R-M21: its own caches go,
with no event to itself).  A topic message goes to the members that subscribed its
publisher in that topic, never to the publisher (R-M9, R-M19); an index per (channel,
topic, publisher) keeps that lean.

While a client's link is down [ours: the emulator's network switch cuts its RTC link
too]: its topic calls fail with -11001, it hears nothing (its map is left as it was and
topic messages for it are lost, as a data channel loses them), and when the link is
back its map catches up as the SDK's does after an RTC reconnect: a ``REMOTE_JOIN`` for
each publisher it did not know, then a ``REMOTE_LEAVE`` for each it knew that is gone.

Where the SDK chooses at random (the 64 users of a topic, R-M15) the emulator takes the
first 64 in code-point order of user id [ours].  Nothing here iterates a set.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._bus import EventBus
from ._checks import rate, require_link
from ._clock import FakeClock
from ._errors import ErrorCode, RtmError, SdkTypeError
from ._events import MessageEvent, PublisherInfo, TopicEvent, TopicEventType, TopicInfo
from ._ids import is_valid_name
from ._js import plain
from ._limits import MAX_LOCAL_TOPICS, MAX_SUBSCRIBED_TOPICS, MAX_TOPIC_USERS
from ._message_checks import check_custom_type, check_topic_message, check_topic_name
from ._message_types import (
    GetSubscribedUserListResponse,
    JoinTopicResponse,
    LeaveTopicResponse,
    PublishTopicMessageResponse,
    SubscribedFailedReason,
    SubscribeTopicResponse,
    UnsubscribeTopicResponse,
)
from ._session import ClientCore
from ._surface import Operation
from ._types import ChannelType, LinkState

__all__ = ["INVALID_PARAMS", "NOT_SUBSCRIBED_USER", "SUB_USER_EXCEED_LIMITATION", "Topics"]

#: A user's state in a client's remote topic (the SDK's ``subscribedState``).
UNSUBSCRIBED, PRE_SUBSCRIBED, SUBSCRIBED = 0, 1, 2

#: ``SubscribeTopicErrorCode`` values of R-M15's ``failedDetails``.
INVALID_PARAMS = 4
SUB_USER_EXCEED_LIMITATION = 20003
NOT_SUBSCRIBED_USER = 20004

#: The SDK's TypeError for a ``users`` option that is not an array (R-X3).
USERS_NOT_A_LIST = "g.filter is not a function"

ChannelIdent = tuple[str, str]  # (app id, stream channel name)
Users = dict[str, int]  # user id -> state, in the order the client learnt of them


class _Member:
    """One client's topics in one stream channel: its own and its map of the others'."""

    __slots__ = ("local", "remote")

    def __init__(self) -> None:
        #: the topics it joined (publishes), in join order (R-M13)
        self.local: dict[str, None] = {}
        #: the SDK's remote topics: topic -> user -> state (R-M15, R-M20)
        self.remote: dict[str, Users] = {}

    def held(self, users: Users) -> int:
        """Subscribed and pre-subscribed users of one topic (``getAllSubscribedUserCount``)."""
        return sum(1 for state in users.values() if state)


def _users_option(options: object) -> list[object] | None:
    """``options.users`` as the SDK reads it: ``None`` when absent; a list or tuple as a
    list (one read of it).

    Raises:
        SdkTypeError: for a ``users`` that is not an array (the SDK's ``.filter`` fails).
    """
    users = options.get("users") if isinstance(options, Mapping) else None
    if users is None:
        return None
    if not isinstance(users, (list, tuple)):
        raise SdkTypeError(USERS_NOT_A_LIST)
    return list(users)


def _split_users(users: list[object]) -> tuple[list[str], list[str]]:
    """The SDK's pre-filter: (invalid ids as given, valid ids de-duplicated in order)."""
    invalid: list[str] = []
    valid: dict[str, None] = {}
    for user in users:
        if isinstance(user, str) and is_valid_name(user):
            valid.setdefault(plain(user))
        else:
            invalid.append(user)  # type: ignore[arg-type]
    return invalid, list(valid)


class Topics:
    """Every stream channel's topics, and each member's view of them."""

    __slots__ = ("_bus", "_channels", "_clock", "_heard")

    def __init__(self, clock: FakeClock, bus: EventBus) -> None:
        self._clock = clock
        self._bus = bus
        #: per stream channel, its members in the order they entered it
        self._channels: dict[ChannelIdent, dict[ClientCore, _Member]] = {}
        #: (app, channel, topic, publisher) -> the members subscribed to it (R-M19)
        self._heard: dict[tuple[str, str, str, str], dict[ClientCore, None]] = {}

    # ------------------------------------------------------------ the checks

    def _member(self, core: ClientCore, operation: str, channel: str, topic: object) -> _Member:
        """R-M12: link (IDLE: -10025), topic name (-11008), joined (-11001).

        Returns the client's topics in the channel.

        Raises:
            RtmError: -10025, -11008, -11001.
        """
        require_link(core, operation, connected=False)
        check_topic_name(operation, topic)
        member = self._channels.get((core.app_id, channel), {}).get(core)
        if (
            member is None
            or not core.connected
            or core.stream_links.get(channel) is not LinkState.CONNECTED
        ):
            raise RtmError.sdk(
                operation,
                ErrorCode.CHANNEL_NOT_JOINED,
                detail=f"user {core.user_id!r} has not joined stream channel {channel!r}"
                + ("" if core.connected else " (its link is down)"),
            )
        return member

    def _held(
        self, core: ClientCore, operation: str, channel: str, topic: object
    ) -> tuple[_Member, str, Users]:
        """R-M16, R-M17: R-M12's checks, then the topic must hold a (pre-)subscribed user.

        Returns the client's member record, the topic's name and its users.

        Raises:
            RtmError: -10025, -11008, -11001, -11013.
        """
        member = self._member(core, operation, channel, topic)
        name = plain(topic)  # type: ignore[arg-type]
        users = member.remote.get(name)
        if users is None or not member.held(users):
            raise RtmError.sdk(
                operation,
                ErrorCode.CHANNEL_TOPIC_NOT_SUBSCRIBED,
                detail=f"{core.user_id!r} holds no user in topic {name!r}",
            )
        return member, name, users

    # ------------------------------------------------------------ operations

    def op_join_topic(
        self, core: ClientCore, row: Operation, channel: str, topic: object, options: object
    ) -> JoinTopicResponse:
        """``joinTopic`` (R-M13): publish a topic; the other members hear ``REMOTE_JOIN``.

        ``options.meta`` is discarded, as the SDK discards it.  A topic already joined
        resolves and changes nothing.

        Raises:
            RtmError: -10021, -10025, -11008, -11001, -11014 (8 topics).
        """
        operation = row.operation
        rate(core, row, self._clock)
        member = self._member(core, operation, channel, topic)
        name = plain(topic)  # type: ignore[arg-type]
        if name in member.local:
            return JoinTopicResponse(name)
        if len(member.local) >= MAX_LOCAL_TOPICS:
            raise RtmError.sdk(
                operation,
                ErrorCode.CHANNEL_EXCEED_TOPIC_LIMITATION,
                detail=f"{core.user_id!r} has joined {MAX_LOCAL_TOPICS} topics in {channel!r}",
            )
        with self._bus.operation():
            member.local[name] = None
            self._tell_others(core, channel, TopicEventType.REMOTE_JOIN, name)
        return JoinTopicResponse(name)

    def op_leave_topic(
        self, core: ClientCore, row: Operation, channel: str, topic: object
    ) -> LeaveTopicResponse:
        """``leaveTopic`` (R-M14): stop publishing; the other members hear ``REMOTE_LEAVE``.

        Raises:
            RtmError: -10025, -11008, -11001, -11016 (not joined).
        """
        operation = row.operation
        member = self._member(core, operation, channel, topic)
        name = plain(topic)  # type: ignore[arg-type]
        if name not in member.local:
            raise RtmError.sdk(
                operation,
                ErrorCode.CHANNEL_TOPIC_NOT_JOINED,
                detail=f"{core.user_id!r} has not joined topic {name!r} in {channel!r}",
            )
        with self._bus.operation():
            del member.local[name]
            self._tell_others(core, channel, TopicEventType.REMOTE_LEAVE, name)
        return LeaveTopicResponse(name)

    def op_publish_topic_message(
        self,
        core: ClientCore,
        row: Operation,
        channel: str,
        topic: object,
        message: object,
        options: object,
    ) -> PublishTopicMessageResponse:
        """``publishTopicMessage`` (R-M18): the members that subscribed the caller in the
        topic get a ``message`` event (R-M19); never the caller.

        Raises:
            RtmError: -10021, -10025, -11008, -11001, -11029 / -11030 (custom type),
                -11009 (empty), -11010 (over 1024 bytes), -11016 (topic not joined).
            SdkTypeError: (a ``TypeError``, R-X3) for a message that is neither a string
                nor bytes.
        """
        operation = row.operation
        rate(core, row, self._clock)
        member = self._member(core, operation, channel, topic)
        name = plain(topic)  # type: ignore[arg-type]
        given = options.get("customType") if isinstance(options, Mapping) else None
        custom = check_custom_type(operation, given)
        payload, _ = check_topic_message(operation, message, given)
        if name not in member.local:
            raise RtmError.sdk(
                operation,
                ErrorCode.CHANNEL_TOPIC_NOT_JOINED,
                detail=f"{core.user_id!r} has not joined topic {name!r} in {channel!r}",
            )
        receivers = self._heard.get((core.app_id, channel, name, core.user_id))
        if receivers:
            with self._bus.operation():
                event = MessageEvent(
                    "STREAM",
                    channel,
                    core.user_id,
                    payload,
                    custom,
                    name,
                    self._clock.now_ms,
                )
                emit = self._bus.emit
                for receiver in receivers:
                    if receiver.connected:  # a data channel loses what a down link misses
                        emit(receiver, event)
        return PublishTopicMessageResponse(name)

    def op_subscribe_topic(
        self, core: ClientCore, row: Operation, channel: str, topic: object, options: object
    ) -> SubscribeTopicResponse:
        """``subscribeTopic`` (R-M15): subscribe publishers of a topic, pre-subscribe
        listed users who do not publish it yet.

        Invalid user ids are listed as failed (errorCode 4) and duplicates dropped;
        users already (pre-)subscribed are ignored; past 64 users per topic the surplus
        fails with 20003, the users kept being the first in code-point order [ours].

        Raises:
            SdkTypeError: (a ``TypeError``, R-X3) for a ``users`` that is not a list.
            RtmError: -10021, -10025, -11008, -11001, -11014 (over 50 topics), -11003
                (64 users already), -11017 (unknown topic and no users).
        """
        operation = row.operation
        given = _users_option(options)
        invalid, valid = _split_users(given or [])
        rate(core, row, self._clock)
        member = self._member(core, operation, channel, topic)
        name = plain(topic)  # type: ignore[arg-type]
        failed = list(invalid)
        details = [SubscribedFailedReason(u, INVALID_PARAMS, name) for u in invalid]
        held_topics = sum(1 for users in member.remote.values() if member.held(users))
        if held_topics > MAX_SUBSCRIBED_TOPICS:
            raise RtmError.sdk(
                operation,
                ErrorCode.CHANNEL_EXCEED_TOPIC_LIMITATION,
                detail=f"{core.user_id!r} holds users in {held_topics} topics of {channel!r}",
            )
        users = member.remote.get(name)
        if users is not None and member.held(users) >= MAX_TOPIC_USERS:
            raise RtmError.sdk(
                operation,
                ErrorCode.CHANNEL_EXCEED_TOPIC_USER_LIMITATION,
                detail=f"topic {name!r} already holds {MAX_TOPIC_USERS} users",
            )
        if users is None and not valid:
            if name in member.local:
                return SubscribeTopicResponse(name, (), failed, details)
            raise RtmError.sdk(
                operation,
                ErrorCode.CHANNEL_TOPIC_NOT_EXIST,
                detail=f"nobody publishes topic {name!r} in {channel!r}",
            )
        ident = (core.app_id, channel)
        with self._bus.operation():
            if users is None:  # pre-subscribe users of a topic nobody publishes yet
                users = member.remote[name] = {}
                kept = self._cap(sorted(valid), MAX_TOPIC_USERS, name, failed, details)
                for user in kept:
                    users[user] = PRE_SUBSCRIBED
                return SubscribeTopicResponse(name, kept, failed, details)
            pre: list[str] = []
            wanted: list[str] = []
            if valid:
                for user in valid:
                    state = users.get(user)
                    if state is None:
                        users[user] = PRE_SUBSCRIBED
                        pre.append(user)
                    elif state == UNSUBSCRIBED:
                        wanted.append(user)
            else:
                wanted = [user for user, state in users.items() if state == UNSUBSCRIBED]
            room = MAX_TOPIC_USERS - member.held(users)
            kept = self._cap(sorted(wanted), room, name, failed, details)
            for user in kept:
                self._set(core, ident, name, user, SUBSCRIBED, users)
        return SubscribeTopicResponse(name, pre + kept, failed, details)

    @staticmethod
    def _cap(
        users: list[str],
        room: int,
        topic: str,
        failed: list[str],
        details: list[SubscribedFailedReason],
    ) -> list[str]:
        """The first ``room`` users; the others fail with 20003 (R-M15)."""
        kept = users[: max(room, 0)]
        for user in users[len(kept) :]:
            failed.append(user)
            details.append(SubscribedFailedReason(user, SUB_USER_EXCEED_LIMITATION, topic))
        return kept

    def op_unsubscribe_topic(
        self, core: ClientCore, row: Operation, channel: str, topic: object, options: object
    ) -> UnsubscribeTopicResponse:
        """``unsubscribeTopic`` (R-M16): drop listed (or all) pre-subscribed users and
        unsubscribe listed (or all) subscribed ones; resolves ``{timestamp: 0}`` only.

        Raises:
            RtmError: -10025, -11008, -11001, -11013 (no user held in the topic).
            SdkTypeError: (a ``TypeError``, R-X3) for a ``users`` that is not a list.
        """
        member, name, users = self._held(core, row.operation, channel, topic)
        given = _users_option(options)
        listed = _split_users(given)[1] if given else list(users)
        ident = (core.app_id, channel)
        with self._bus.operation():
            for user in listed:
                state = users.get(user)
                if state == PRE_SUBSCRIBED:
                    del users[user]
                elif state == SUBSCRIBED:
                    self._set(core, ident, name, user, UNSUBSCRIBED, users)
            if not users:
                del member.remote[name]
        return UnsubscribeTopicResponse()

    def op_get_subscribed_user_list(
        self, core: ClientCore, row: Operation, channel: str, topic: object
    ) -> GetSubscribedUserListResponse:
        """``getSubscribedUserList`` (R-M17, synchronous): subscribed users, then
        pre-subscribed ones, each in the order the client learnt of them.

        Raises:
            RtmError: -10025, -11008, -11001, -11013 (no user held in the topic).
        """
        _, name, users = self._held(core, row.operation, channel, topic)
        subscribed = [u for u, s in users.items() if s == SUBSCRIBED]
        subscribed += [u for u, s in users.items() if s == PRE_SUBSCRIBED]
        return GetSubscribedUserListResponse(name, subscribed)

    # ------------------------------------------------------------ the SDK's map

    def _set(
        self,
        receiver: ClientCore,
        ident: ChannelIdent,
        topic: str,
        user: str,
        state: int,
        users: Users,
    ) -> None:
        """Set a user's state in the receiver's map, keeping the delivery index (R-M19)."""
        before = users.get(user)
        users[user] = state
        if (before == SUBSCRIBED) == (state == SUBSCRIBED):
            return
        key = (ident[0], ident[1], topic, user)
        if state == SUBSCRIBED:
            self._heard.setdefault(key, {})[receiver] = None
        else:
            heard = self._heard[key]
            del heard[receiver]
            if not heard:
                del self._heard[key]

    def _heard_join(
        self, receiver: ClientCore, member: _Member, ident: ChannelIdent, topic: str, user: str
    ) -> None:
        """The receiver learns that ``user`` publishes ``topic`` (R-M20 ``REMOTE_JOIN``):
        a new publisher is known unsubscribed, a pre-subscribed one is subscribed (R-M15)."""
        users = member.remote.get(topic)
        if users is None:
            users = member.remote[topic] = {}
        state = users.get(user)
        if state is None:
            users[user] = UNSUBSCRIBED
        elif state == PRE_SUBSCRIBED:
            self._set(receiver, ident, topic, user, SUBSCRIBED, users)

    def _heard_leave(
        self, receiver: ClientCore, member: _Member, ident: ChannelIdent, topic: str, user: str
    ) -> None:
        """The receiver learns that ``user`` stopped publishing ``topic`` (R-M20
        ``REMOTE_LEAVE``): subscribed goes back to pre-subscribed, else it is forgotten."""
        users = member.remote.get(topic)
        if users is None:
            return
        state = users.get(user)
        if state == SUBSCRIBED:
            self._set(receiver, ident, topic, user, PRE_SUBSCRIBED, users)
            return
        users.pop(user, None)
        if not users:
            del member.remote[topic]

    def _tell_others(
        self, core: ClientCore, channel: str, kind: TopicEventType, topic: str
    ) -> None:
        """One ``REMOTE_JOIN`` / ``REMOTE_LEAVE`` of ``core`` in ``topic`` to every other
        connected member of the channel, whose map changes as the SDK's does."""
        ident = (core.app_id, channel)
        uid = core.user_id
        event: TopicEvent | None = None
        heard = self._heard_join if kind is TopicEventType.REMOTE_JOIN else self._heard_leave
        for other, member in self._channels[ident].items():
            if other is core or not other.connected:
                continue
            if event is None:
                event = self._event(kind, channel, uid, ((topic, (uid,)),))
            self._bus.emit(other, event)
            heard(other, member, ident, topic, uid)

    def _event(
        self,
        kind: TopicEventType,
        channel: str,
        publisher: str,
        topics: tuple[tuple[str, tuple[str, ...]], ...],
    ) -> TopicEvent:
        infos = tuple(
            TopicInfo(topic, tuple(PublisherInfo(user) for user in users))
            for topic, users in topics
        )
        return TopicEvent(kind, channel, publisher, infos, self._clock.now_ms)

    def _publishers(self, core: ClientCore, ident: ChannelIdent) -> dict[str, list[str]]:
        """Every topic the other members publish, with its publishers: members in the
        order they entered the channel, each one's topics in join order."""
        topics: dict[str, list[str]] = {}
        for other, member in self._channels[ident].items():
            if other is not core:
                for topic in member.local:
                    topics.setdefault(topic, []).append(other.user_id)
        return topics

    # ------------------------------------------------------- membership hooks

    def entered(self, core: ClientCore, channel_type: ChannelType, channel: str) -> None:
        """A session entered a stream channel: its topic memory starts, and it gets one
        ``SNAPSHOT`` of the others' topics (R-M20), learning every publisher."""
        if channel_type is not ChannelType.STREAM:
            return
        ident = (core.app_id, channel)
        members = self._channels.setdefault(ident, {})
        member = members[core] = _Member()
        if not core.connected:
            return  # it catches up when its link is back (link_back)
        topics = self._publishers(core, ident)
        snapshot = self._event(
            TopicEventType.SNAPSHOT, channel, "", tuple((t, tuple(u)) for t, u in topics.items())
        )
        self._bus.emit(core, snapshot)
        for topic, users in topics.items():
            for user in users:
                self._heard_join(core, member, ident, topic, user)

    def left(self, core: ClientCore, channel_type: ChannelType, channel: str) -> None:
        """A session left a stream channel (leave, logout, kick, timeout): each of its
        topics is left, in join order, for the others (R-M20); its own memory goes with
        no event to itself (R-M21)."""
        if channel_type is not ChannelType.STREAM:
            return
        ident = (core.app_id, channel)
        members = self._channels.get(ident)
        if members is None or core not in members:
            return
        member = members[core]
        for topic in list(member.local):
            self._tell_others(core, channel, TopicEventType.REMOTE_LEAVE, topic)
        for topic, users in member.remote.items():
            for user, state in users.items():
                if state == SUBSCRIBED:
                    key = (ident[0], channel, topic, user)
                    heard = self._heard[key]
                    del heard[core]
                    if not heard:
                        del self._heard[key]
        del members[core]
        if not members:
            del self._channels[ident]

    def link_back(self, core: ClientCore) -> None:
        """The client's link is back: in each stream channel it is in, its map catches up
        as the SDK's does after an RTC reconnect — ``REMOTE_JOIN`` for each publisher it
        did not know (topic by topic), then ``REMOTE_LEAVE`` for each known one gone."""
        for (app, channel), members in sorted(self._channels.items(), key=_first):
            member = members.get(core)
            if app != core.app_id or member is None:
                continue
            ident = (app, channel)
            now = self._publishers(core, ident)
            for topic, publishers in now.items():
                known = member.remote.get(topic, {})
                for user in publishers:
                    # [ours] a pre-subscribed user who began publishing meanwhile is
                    # subscribed now (the SDK's diff would leave it pre-subscribed)
                    if known.get(user, PRE_SUBSCRIBED) == PRE_SUBSCRIBED:
                        event = self._event(
                            TopicEventType.REMOTE_JOIN, channel, user, ((topic, (user,)),)
                        )
                        self._bus.emit(core, event)
                        self._heard_join(core, member, ident, topic, user)
            for topic, users in list(member.remote.items()):
                current = now.get(topic, ())
                for user, state in list(users.items()):
                    if state != PRE_SUBSCRIBED and user not in current:
                        event = self._event(
                            TopicEventType.REMOTE_LEAVE, channel, user, ((topic, (user,)),)
                        )
                        self._bus.emit(core, event)
                        self._heard_leave(core, member, ident, topic, user)

    # ------------------------------------------------------------- delivery

    def receives(self, core: ClientCore, event: MessageEvent) -> bool:
        """The SDK's check when a topic message arrives: the publisher is subscribed in
        the receiver's map (R-M19)."""
        member = self._channels.get((core.app_id, event.channel_name), {}).get(core)
        if member is None:
            return False
        users = member.remote.get(event.topic_name)
        return users is not None and users.get(event.publisher) == SUBSCRIBED

    # ------------------------------------------------------------- invariants

    def check(self) -> None:
        """Assert the topic indexes agree (``check_invariants``): the delivery index is
        exactly the subscribed entries, no remote topic is empty, at most 8 local
        topics, and a connected member's map knows exactly the current publishers."""
        seen: list[tuple[tuple[str, str, str, str], ClientCore]] = []
        for ident, members in self._channels.items():
            assert members, ident
            for core, member in members.items():
                assert core.app_id == ident[0] and core.session, (ident, core.user_id)
                assert len(member.local) <= MAX_LOCAL_TOPICS, core.user_id
                now = self._publishers(core, ident)
                for topic, users in member.remote.items():
                    assert users, (ident, topic)
                    for user, state in users.items():
                        if state == SUBSCRIBED:
                            seen.append(((ident[0], ident[1], topic, user), core))
                    if core.connected:
                        known = sorted(u for u, s in users.items() if s != PRE_SUBSCRIBED)
                        assert known == sorted(now.get(topic, ())), (core.user_id, topic)
                        pre = [u for u, s in users.items() if s == PRE_SUBSCRIBED]
                        assert not set(pre) & set(now.get(topic, ())), (core.user_id, topic)
                if core.connected:
                    assert all(t in member.remote for t in now), (core.user_id, ident)
        indexed = [(key, core) for key, heard in self._heard.items() for core in heard]
        assert all(heard for heard in self._heard.values())
        assert sorted(indexed, key=_entry) == sorted(seen, key=_entry), "topic index"

    def members_of(self, app_id: str, channel: str) -> list[ClientCore]:
        """The members of a stream channel, in the order they entered it (for checks)."""
        return list(self._channels.get((app_id, channel), {}))

    def __repr__(self) -> str:
        return f"<Topics of {len(self._channels)} stream channels>"


def _first(item: tuple[ChannelIdent, object]) -> ChannelIdent:
    return item[0]


def _entry(item: tuple[tuple[str, str, str, str], ClientCore]) -> tuple[str, ...]:
    return (*item[0], item[1].user_id, str(item[1].serial))
