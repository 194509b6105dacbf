"""Cursor paging for ``getOnlineUsers`` (R-Q2, R-Q3, R-Q4).

A bookmark names the last user id of the page it continues, the channel and the
option set it belongs to, and carries a MAC so that the emulator recognises its own
bookmarks.  The next page starts strictly after that user id (a bisection of the sorted
occupant index, never an offset), so joins and leaves between calls can neither repeat
a user nor skip one that stayed.  Bookmarks are deterministic: the same walk gives the
same bookmarks on every run.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from binascii import b2a_base64
from collections import OrderedDict
from json.encoder import encode_basestring_ascii

from ._errors import ErrorCode, RtmError

__all__ = ["decode_bookmark", "encode_bookmark"]

_VERSION = 1
_KEY = b"rtm-emulator bookmark v1"
_MAC_BYTES = 8
#: bookmarks issued lately -> their fields, so that a walk's next call skips decoding
#: (a cache of a pure function: it changes no result, only the cost)
_ISSUED: OrderedDict[str, tuple[str, str, str, bool, str]] = OrderedDict()
_ISSUED_MAX = 4096


_URLSAFE = bytes.maketrans(b"+/", b"-_")
#: the keyed hash, set up once; each MAC continues a copy of it
_MAC_BASE = hashlib.blake2b(key=_KEY, digest_size=_MAC_BYTES)


def _mac(body: str) -> str:
    """Keyed BLAKE2b of the body (a MAC; 64 bits, hex)."""
    mac = _MAC_BASE.copy()
    mac.update(body.encode())
    return mac.hexdigest()


def encode_bookmark(
    app_id: str, channel_type: str, channel_name: str, include_state: bool, after: str
) -> str:
    """The opaque bookmark of the page that follows user id ``after``."""
    # the compact, ASCII-only JSON of the list, written out: json.dumps would give
    # the same text (a unit test checks it) at twice the cost of the whole page
    enc = encode_basestring_ascii
    payload = (
        f"[{_VERSION},{enc(app_id)},{enc(channel_type)},{enc(channel_name)},"
        f"{int(include_state)},{enc(after)}]"
    )
    # base64url without padding, straight from binascii (``base64``'s wrapper costs more)
    body = b2a_base64(payload.encode(), newline=False).translate(_URLSAFE).decode().rstrip("=")
    token = f"{body}.{_mac(body)}"
    _ISSUED[token] = (app_id, channel_type, channel_name, include_state, after)
    if len(_ISSUED) > _ISSUED_MAX:
        _ISSUED.popitem(last=False)
    return token


def decode_bookmark(
    operation: str,
    token: str,
    app_id: str,
    channel_type: str,
    channel_name: str,
    include_state: bool,
) -> str:
    """The user id a bookmark continues after, if it belongs to this query.

    Raises:
        RtmError: ``PRESENCE_INVALID_ARGUMENT`` (-13003) for a bookmark the emulator did
            not issue, or one issued for another app, channel or option set.
    """

    def bad(why: str) -> RtmError:
        return RtmError.of(
            operation, ErrorCode.PRESENCE_INVALID_ARGUMENT, f"bookmark {token!r} {why}"
        )

    issued = _ISSUED.get(token)
    if issued is not None and issued[:4] == (app_id, channel_type, channel_name, include_state):
        return issued[4]
    body, _, mac = token.rpartition(".")
    if not body or not (token.isascii() and hmac.compare_digest(mac, _mac(body))):
        raise bad("was not issued by the emulator")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        fields = json.loads(raw)
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - MAC guards this
        raise bad("is corrupt") from exc
    if not (isinstance(fields, list) and len(fields) == 6 and fields[0] == _VERSION):
        raise bad("is corrupt")  # pragma: no cover - MAC guards this
    _, b_app, b_type, b_name, b_state, after = fields
    if (b_app, b_type, b_name) != (app_id, channel_type, channel_name):
        raise bad(f"belongs to channel {b_name!r} ({b_type}) of app {b_app!r}")
    if bool(b_state) != include_state:
        raise bad(f"was issued for includedState={bool(b_state)}")
    return str(after)
