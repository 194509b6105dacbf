"""The SDK's client-side token check at ``login`` and stream ``join`` (R-C2).

agora-rtm.js 2.3.0 (the token check its ``login`` and ``join`` run) accepts a token only
when it is the app id itself, or an AccessToken whose embedded app id is the client's:

* ``006…`` (AccessToken): the 32 characters after the prefix are the app id;
* ``007…`` (AccessToken2): the rest is base64 of a zlib stream whose payload starts with
  two length-prefixed strings (uint16 little-endian length, then UTF-8): the signature,
  then the app id.

An embedded app id that is a valid app id but not the client's is -10016; anything else
(unknown prefix, undecodable token, a non-string) is -10005.  Signatures and expiry are
the server's business; the emulator does not check them.
"""

from __future__ import annotations

import binascii
import re
import struct
import zlib

from ._errors import ErrorCode, RtmError, SdkTypeError
from ._ids import show

__all__ = ["check_renew_token", "check_token", "js_falsy"]

_APP_ID = re.compile(r"[0-9A-Za-z]{32}", re.ASCII)


def _embedded_app_id(token: str) -> str | None:
    """The app id a ``006`` / ``007`` token carries; ``None`` for any other token.

    Raises:
        ValueError: when a ``007`` token cannot be decoded.
    """
    prefix = token[:3]
    if prefix == "006":
        return token[3:35]
    if prefix != "007":
        return None
    try:
        packed = zlib.decompress(binascii.a2b_base64(token[3:]))
    except (binascii.Error, zlib.error) as exc:
        raise ValueError(str(exc)) from exc
    offset = 0
    found = ""
    for _ in range(2):  # the signature, then the app id
        if len(packed) < offset + 2:
            raise ValueError("token too short")
        (size,) = struct.unpack_from("<H", packed, offset)
        offset += 2
        found = packed[offset : offset + size].decode("utf-8", "replace")
        offset += size
    return found


def js_falsy(value: object) -> bool:
    """JS ``!value`` of a non-string token, asking the value nothing: ``false``, ``0``,
    ``NaN`` (an object is always truthy in JS)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return int.__int__(value) == 0
    if isinstance(value, float):
        number = float.__float__(value)
        return number == 0 or number != number
    return False


def check_token(operation: str, token: object, app_id: str) -> None:
    """R-C2: refuse a token the SDK itself refuses before it reaches the server.

    ``None`` and ``""`` mean no token and pass.

    Raises:
        RtmError: -10005 (invalid token) or -10016 (the token is for another app).
        SdkTypeError: a token that is neither a string nor falsy nor an array (the
            SDK's own ``TypeError``, R-X3).
    """
    if token is None:
        return
    if isinstance(token, str):
        token = str.__str__(token)  # its characters, never a subclass's own methods
        if token in ("", app_id):
            return
    invalid = RtmError.sdk(
        operation, ErrorCode.INVALID_TOKEN, detail=f"token {show(token)} is not valid"
    )
    if not isinstance(token, str):
        if js_falsy(token) or isinstance(token, (list, tuple)):
            raise invalid  # a falsy one skips the format check; an array has .slice
        raise SdkTypeError("A.slice is not a function")  # the SDK slices the token
    try:
        embedded = _embedded_app_id(token)
    except ValueError:
        raise invalid from None
    if embedded is None or embedded == app_id:
        if embedded is None:
            raise invalid
        return
    if not _APP_ID.fullmatch(embedded):
        raise invalid
    raise RtmError.sdk(
        operation,
        ErrorCode.INCONSISTENT_APPID,
        detail=f"the token is for app {embedded!r}, the client's app is {app_id!r}",
    )


def check_renew_token(operation: str, token: object, app_id: str) -> str:
    """R-TK1 at ``renewToken``: the SDK runs its format check on every token (not only
    a truthy one, as ``login`` does), so no token is -10005 too; returns the token's
    plain characters (its type's own methods are never called).

    Raises:
        RtmError: -10005 (no token, an invalid one) or -10016 (another app's token).
        SdkTypeError: a token that is neither a string nor ``None`` nor an array (the
            SDK slices it, R-X3).
    """
    if token is None or (isinstance(token, str) and not str.__len__(token)):
        raise RtmError.sdk(operation, ErrorCode.INVALID_TOKEN, detail="no token")
    if not isinstance(token, (str, list, tuple)):
        raise SdkTypeError("A.slice is not a function")  # the SDK slices the token
    check_token(operation, token, app_id)
    assert isinstance(token, str)  # an array is -10005 above
    return str.__str__(token)
