"""Tokens of the oracle's token cases on the Python leg (lib/tokens.js's counterpart),
built from case data with Agora's official PyPI builders (dev dependencies):
``agoraiotools`` (AccessToken2, ``007``) and ``agora-token-builder`` (AccessToken, ``006``).

A case argument ``{"$": "token", user, expire?, issued?, privilege?, service?, kind?,
channel?, app?, cert?, salt?}`` becomes a token string when the step runs; see
lib/tokens.js for the fields.  The clock is the case's (the emulator's start time + the
case's advances), never the process's, and the salt is fixed, so a case's two builds of the
same spec are the same string.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agora_token_builder import AccessToken as AccessToken006
from agoraiotools.AccessToken2 import AccessToken, ServiceRtc, ServiceRtm

#: lib/tokens.js ``DEFAULT_EXPIRE_S``
DEFAULT_EXPIRE_S = 3600


def build_token(
    spec: Mapping[str, Any], *, app_id: str, certificate: str, start_ms: int, now_ms: int
) -> str:
    """The token of ``spec`` for a case (lib/tokens.js ``buildToken``)."""
    app = spec.get("app", app_id)
    cert = spec.get("cert", certificate)
    base = start_ms // 1000
    issued = now_ms // 1000 if spec.get("issued") is None else base + int(spec["issued"])
    expire = int(spec.get("expire", DEFAULT_EXPIRE_S))
    privilege = int(spec.get("privilege", expire))
    salt = int(spec.get("salt", 1))
    service = spec.get("service", "rtm")
    kind = spec.get("kind", "007")
    user = str(spec.get("user", ""))
    if kind in ("006", "006-rtc"):
        if kind == "006-rtc":
            key = AccessToken006.AccessToken(app, cert, spec.get("channel", "room"), user)
            number = AccessToken006.kJoinChannel
        else:
            key = AccessToken006.AccessToken(app, cert, user, "")
            number = AccessToken006.kRtmLogin if service == "rtm" else None
        key.salt = salt
        key.ts = issued + expire
        if number is not None:
            key.addPrivilege(number, 0 if privilege == 0 else issued + privilege)
        built006: str = key.build()
        return built006
    token = AccessToken(app, cert, issue_ts=issued, expire=expire)
    token._AccessToken__salt = salt  # the builder draws it at random (see the module doc)
    if service == "rtm":
        rtm = ServiceRtm(user)
        rtm.add_privilege(ServiceRtm.kPrivilegeLogin, privilege)
        token.add_service(rtm)
    elif service == "rtc":
        rtc = ServiceRtc(spec.get("channel", "room"), user)
        rtc.add_privilege(ServiceRtc.kPrivilegeJoinChannel, privilege)
        token.add_service(rtc)
    built: str = token.build()
    return built
