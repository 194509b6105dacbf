"""Real-SDK mode, tokens (D-RS11): the renewal exchange, the notice and the drop.

The SDK's token traffic (agora-rtm.js 2.3.0) has three parts, each the engine's token
rules (R-TK…, docs/tokens.md) on the wire:

* its access point checks a token at login and at ``renewToken``: ``sdk.login`` and
  ``sdk.renew`` (the hub's methods) run the engine's ``login`` / ``renewToken``, whose
  refusal carries the access point's code (``serverCode``) for the adapter to hand to
  the SDK's own access-point error handling; a taken token gets a ticket;
* ``UserRenewToken2Req`` (the edge's half of a renewal, after the access point took the
  token) is answered ``UserRenewToken2Resp {seq, code: 0, revoked}``: the engine already
  holds the new token;
* the engine's ``WILL_EXPIRE`` token event becomes ``UserTicketNearlyExpire2 {ticket,
  resources}`` on the SDK's login socket, which makes the SDK's own ``token`` and
  ``tokenPrivilegeWillExpire`` events (so the engine's ``tokenPrivilegeWillExpire``
  notice itself is not sent); a token that lapses reaches the SDK as the engine's
  ``FAILED`` link event (``TOKEN_EXPIRED``), which the adapter hands to the login socket
  as ``UserDrop {code: 2}`` (or, lapsed while down, to the SDK as its refused
  reconnect).  A stream channel's token is the RTC side's (``_wire_rtc``, D-RS15).
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from .._surface import RENEW_TOKEN
from .._token_types import TokenEvent
from .._tokens import ap_error
from ._wire import HANDLERS, OUTGOING, Frames, Packet, SdkLink, packet_frame

if TYPE_CHECKING:
    from .._engine import Engine
    from .._session import ClientCore

__all__ = ["new_ticket", "renew"]

#: What a renewal's answer says was revoked: nothing (R-TK5 is not emulated).
REVOKED_NONE = '{"messageChannels":[]}'


def new_ticket(link: SdkLink, user_id: str) -> str:
    """A fresh ticket for a token the access point took (the SDK base64-decodes it for
    its store's ticket): base64 of ``ticket:<user id>:<n>``."""
    link.tickets += 1
    return base64.b64encode(f"ticket:{user_id}:{link.tickets}".encode()).decode("ascii")


def renew(link: SdkLink, engine: Engine, core: ClientCore, token: object) -> dict[str, str]:
    """``sdk.renew`` (D-RS11): the access point's check of a new token, then the engine's
    ``renewToken`` (R-TK26); the answer carries a fresh ticket.

    Raises:
        RtmError: the access point's refusal with its code as ``serverCode`` (the adapter
            hands it to the SDK's own access-point error handling, which makes the SDK's
            -10005 / -10009 / -10015); any other refusal of the engine's ``renewToken``.
    """
    code = engine.tokens.renew_refusal(core, token)
    if code:
        raise ap_error(RENEW_TOKEN.operation, code)
    engine.op_renew_token(core, RENEW_TOKEN, token, None)
    link.ticket = new_ticket(link, core.user_id)
    return {"ticket": link.ticket}


def _renew(link: SdkLink, engine: Engine, core: ClientCore, p: Packet, raw: Packet) -> Frames:
    reply = {"seq": raw.get("seq"), "code": 0, "revoked": REVOKED_NONE}
    return [packet_frame("UserRenewToken2Resp", reply)]


def _notice(link: SdkLink, event: Any, app_id: str) -> Frames:
    if not isinstance(event, TokenEvent) or event.event_type != "WILL_EXPIRE":
        return []
    channels = [{name: 1} for name in event.affected_channels]
    resources = json.dumps({"messageChannels": channels}, separators=(",", ":"))
    return [
        packet_frame("UserTicketNearlyExpire2", {"ticket": link.ticket, "resources": resources})
    ]


HANDLERS["UserRenewToken2Req"] = _renew
OUTGOING[TokenEvent] = _notice
