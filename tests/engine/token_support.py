"""Tokens for the token tests, built with Agora's official builders (dev dependencies):
PyPI ``agoraiotools`` (AccessToken2, ``007``) and ``agora-token-builder`` (AccessToken,
``006``).  Both builders take the wall clock by default; these helpers pass the
emulator's clock in instead, so the tests stay deterministic."""

from __future__ import annotations

from agora_token_builder import AccessToken as AccessToken006
from agoraiotools.AccessToken2 import AccessToken, ServiceRtc, ServiceRtm

#: 007 builders need 32 hex characters for both
APP_ID = "0123456789abcdef0123456789abcdef"
CERT = "fedcba9876543210fedcba9876543210"
OTHER_CERT = "00000000000000000000000000000001"
START_S = 1_700_000_000


def rtm_007(
    user_id: str,
    *,
    issue_ts: int = START_S,
    expire: int = 3600,
    privilege: int | None = None,
    app_id: str = APP_ID,
    cert: str = CERT,
) -> str:
    """An RTM login token (service 2, privilege login) from agoraiotools."""
    token = AccessToken(app_id, cert, issue_ts=issue_ts, expire=expire)
    service = ServiceRtm(user_id)
    service.add_privilege(ServiceRtm.kPrivilegeLogin, expire if privilege is None else privilege)
    token.add_service(service)
    built: str = token.build()
    assert built.startswith("007")
    return built


def rtc_007(
    channel: str,
    uid: str | int = 0,
    *,
    issue_ts: int = START_S,
    expire: int = 3600,
    cert: str = CERT,
) -> str:
    """An RTC join token (service 1, privilege join) from agoraiotools."""
    token = AccessToken(APP_ID, cert, issue_ts=issue_ts, expire=expire)
    service = ServiceRtc(channel, uid)
    service.add_privilege(ServiceRtc.kPrivilegeJoinChannel, expire)
    token.add_service(service)
    built: str = token.build()
    assert built.startswith("007")
    return built


def rtm_006(
    user_id: str, *, expire_ts: int = 0, ts: int = START_S + 86_400, cert: str = CERT
) -> str:
    """An RTM 006 token (user id in the channel slot, privilege kRtmLogin) from
    agora-token-builder, with its ``ts`` set from the test's clock."""
    token = AccessToken006.AccessToken(APP_ID, cert, user_id, "")
    token.ts = ts
    token.addPrivilege(AccessToken006.kRtmLogin, expire_ts)
    built: str = token.build()
    return built


def rtc_006(channel: str, uid: str, *, expire_ts: int = 0, ts: int = START_S + 86_400) -> str:
    """An RTC 006 join token from agora-token-builder."""
    token = AccessToken006.AccessToken(APP_ID, CERT, channel, uid)
    token.ts = ts
    token.addPrivilege(AccessToken006.kJoinChannel, expire_ts)
    built: str = token.build()
    return built
