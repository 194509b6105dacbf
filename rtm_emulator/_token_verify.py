"""The server's token check (R-TK20..R-TK23, R-TK27): AccessToken2 ``007…`` and
AccessToken ``006…`` parsed and verified against an app certificate.

The format is Agora's public one (AgoraIO/Tools, ``DynamicKey/AgoraDynamicKey``; see
``docs/tokens.md``), read here with the standard library only:

* **007** (AccessToken2): ``"007"`` + base64(zlib(``str signature`` + signing info)), the
  signing info being ``str app_id, u32 issue_ts, u32 expire, u32 salt, u16 n`` and ``n``
  services (``u16 type, map<u16,u32> privileges``, then the service's own fields: RTC 1
  ``str channel_name, str uid``; RTM 2 ``str user_id``; ...).  Little-endian; ``str`` is a
  u16 length and bytes.  The signing key is HMAC-SHA256(``u32 issue_ts``, certificate)
  then HMAC-SHA256(``u32 salt``, that); the signature is HMAC-SHA256(key, signing info).
  Expire and privilege values are seconds after ``issue_ts``.
* **006** (AccessToken): ``"006"`` + the 32-character app id + base64(``str signature,
  u32 crc32(channel), u32 crc32(uid), str m``), ``m`` = ``u32 salt, u32 ts, map<u16,u32>``
  of absolute privilege expiry times; the signature is HMAC-SHA256(certificate, app_id +
  channel + uid + m).  An RTM 006 token carries the user id in the channel slot and an
  empty uid, with privilege ``kRtmLogin`` (1000).

:func:`login_verdict` and :func:`stream_verdict` give the access point's answer as
a :class:`Verdict`: an AP code (0 = taken, R-TK22) and the instant the privilege lapses
(R-TK23).  Verdicts are pure functions of their arguments except for the clock, so
they are cached per (app, certificate, token, subject) and the clock compared after
(R-TK27).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import zlib

import attrs

__all__ = [
    "AP_DYNAMIC_ENABLED_BUT_STATIC_KEY",
    "AP_INVALID_USER_ID",
    "AP_NO_AUTHORIZED",
    "AP_NO_RTM_PRIVILEGE",
    "AP_OK",
    "AP_TOKEN_EXPIRED",
    "ParsedToken",
    "Service",
    "Verdict",
    "login_verdict",
    "parse_token",
    "stream_verdict",
]

#: R-TK22: the access point's codes (the SDK's AP table) the emulator answers with.
AP_OK = 0
AP_INVALID_USER_ID = 7
AP_NO_AUTHORIZED = 9
AP_TOKEN_EXPIRED = 13
AP_DYNAMIC_ENABLED_BUT_STATIC_KEY = 15
AP_NO_RTM_PRIVILEGE = 21

#: AccessToken2 service types and privileges (the public spec's numbers).
SERVICE_RTC = 1
SERVICE_RTM = 2
PRIVILEGE_JOIN_CHANNEL = 1
PRIVILEGE_RTM_LOGIN = 1
#: AccessToken (006) privilege numbers.
PRIVILEGE_006_JOIN_CHANNEL = 1
PRIVILEGE_006_RTM_LOGIN = 1000

# per service type, its fields after the privileges: "s" a string, "h" an int16,
# "p" the RTM2 permission tree (type 8)
_SERVICE_FIELDS: dict[int, str] = {
    1: "ss",  # RTC: channel name, uid
    2: "s",  # RTM: user id
    3: "ss",  # streaming: channel name, account
    4: "",  # FPA
    5: "s",  # chat: user id
    6: "ss",  # FCDN: channel name, account
    7: "ssh",  # aPaaS: room uuid, user uuid, role
    8: "sp",  # RTM2: user id, permissions
    9: "",  # ConvoAI
    10: "",  # STT
}


class _Reader:
    """Little-endian reads from a byte string; ``ValueError`` when it runs out."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int) -> bytes:
        end = self.pos + size
        if end > len(self.data):
            raise ValueError("token too short")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def u16(self) -> int:
        value: int = struct.unpack("<H", self.take(2))[0]
        return value

    def i16(self) -> int:
        value: int = struct.unpack("<h", self.take(2))[0]
        return value

    def u32(self) -> int:
        value: int = struct.unpack("<I", self.take(4))[0]
        return value

    def string(self) -> bytes:
        return self.take(self.u16())

    def privileges(self) -> tuple[tuple[int, int], ...]:
        return tuple((self.u16(), self.u32()) for _ in range(self.u16()))


@attrs.frozen
class Service:
    """One service of an AccessToken2: its type, privileges and string fields."""

    type: int
    #: ``(privilege, seconds after issue_ts)`` in token order
    privileges: tuple[tuple[int, int], ...]
    #: the service's string fields in spec order (RTC: channel, uid; RTM: user id)
    fields: tuple[str, ...]

    def privilege(self, number: int) -> int | None:
        """The value of privilege ``number``, ``None`` when the service lacks it."""
        for key, value in self.privileges:
            if key == number:
                return value
        return None


@attrs.frozen
class ParsedToken:
    """A decoded token (no signature check): the fields the format carries."""

    version: str
    app_id: str
    signature: bytes
    #: the bytes the signature covers (007: the signing info; 006: ``m``)
    signed: bytes
    salt: int
    #: 007: issue time (s); 006: 0 (the format has none)
    issue_ts: int
    #: 007: seconds after ``issue_ts``; 006: the absolute ``ts`` (s)
    expire: int
    #: 007 only
    services: tuple[Service, ...] = ()
    #: 006 only: crc32 of the channel slot and of the uid, and the privileges
    crc_channel: int = 0
    crc_uid: int = 0
    privileges_006: tuple[tuple[int, int], ...] = ()

    def service(self, kind: int) -> Service | None:
        """The token's service of type ``kind``, ``None`` when absent."""
        for service in self.services:
            if service.type == kind:
                return service
        return None


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _parse_007(body: str) -> ParsedToken:
    packed = zlib.decompress(base64.b64decode(body, validate=False))
    reader = _Reader(packed)
    signature = reader.string()
    start = reader.pos
    app_id = _text(reader.string())
    issue_ts, expire, salt = reader.u32(), reader.u32(), reader.u32()
    services = []
    for _ in range(reader.u16()):
        kind = reader.u16()
        layout = _SERVICE_FIELDS.get(kind)
        if layout is None:
            raise ValueError(f"unknown service type {kind}")
        privileges = reader.privileges()
        fields: list[str] = []
        for field in layout:
            if field == "s":
                fields.append(_text(reader.string()))
            elif field == "h":
                reader.i16()
            else:  # the RTM2 permission tree: skipped, out of scope (R-TK22)
                for _ in range(reader.u16()):
                    reader.u16()
                    for _ in range(reader.u16()):
                        reader.u16()
                        for _ in range(reader.u16()):
                            reader.string()
        services.append(Service(kind, privileges, tuple(fields)))
    if reader.pos != len(packed):
        raise ValueError("trailing bytes")
    return ParsedToken(
        "007", app_id, signature, packed[start:], salt, issue_ts, expire, tuple(services)
    )


def _parse_006(token: str) -> ParsedToken:
    app_id = token[3:35]
    reader = _Reader(base64.b64decode(token[35:], validate=False))
    signature = reader.string()
    crc_channel, crc_uid = reader.u32(), reader.u32()
    m = reader.string()
    inner = _Reader(m)
    salt, ts = inner.u32(), inner.u32()
    privileges = inner.privileges()
    return ParsedToken(
        "006",
        app_id,
        signature,
        m,
        salt,
        0,
        ts,
        crc_channel=crc_channel,
        crc_uid=crc_uid,
        privileges_006=privileges,
    )


def parse_token(token: str) -> ParsedToken | None:
    """Decode a ``006`` / ``007`` token; ``None`` for anything that is not one."""
    try:
        if token.startswith("007"):
            return _parse_007(token[3:])
        if token.startswith("006") and len(token) > 35:
            return _parse_006(token)
    except (ValueError, binascii.Error, zlib.error, struct.error):
        return None
    return None


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def _signature_ok_007(parsed: ParsedToken, certificate: str) -> bool:
    key = _hmac(struct.pack("<I", parsed.issue_ts), certificate.encode())
    key = _hmac(struct.pack("<I", parsed.salt), key)
    return hmac.compare_digest(_hmac(key, parsed.signed), parsed.signature)


def _signature_ok_006(parsed: ParsedToken, certificate: str, channel: str, uid: str) -> bool:
    message = (parsed.app_id + channel + uid).encode() + parsed.signed
    return hmac.compare_digest(_hmac(certificate.encode(), message), parsed.signature)


@attrs.frozen
class Verdict:
    """The access point's answer to a token, before the clock is compared."""

    #: R-TK22: 0 (taken), 7, 9, 15, 21
    code: int
    #: R-TK23: when the privilege lapses (s since the epoch); 0 when refused
    expiry_s: int = 0

    def at(self, now_ms: int) -> int:
        """The AP code at ``now_ms``: this verdict's, or 13 once expired (R-TK23)."""
        if self.code == AP_OK and now_ms >= self.expiry_s * 1000:
            return AP_TOKEN_EXPIRED
        return self.code


def _lapse_007(parsed: ParsedToken, service: Service, privilege: int) -> int:
    expiry = parsed.issue_ts + parsed.expire
    value = service.privilege(privilege)
    if value:
        expiry = min(expiry, parsed.issue_ts + value)
    return expiry


def _lapse_006(parsed: ParsedToken, privilege: int) -> int:
    for key, value in parsed.privileges_006:
        if key == privilege and value:
            return min(value, parsed.expire)
    return parsed.expire


def _crc(text: str) -> int:
    return zlib.crc32(text.encode()) & 0xFFFFFFFF


_CACHE_MAX = 4096
_cache: dict[tuple[str, str, str, str, str, str], Verdict] = {}


def _cached(key: tuple[str, str, str, str, str, str], verdict: Verdict) -> Verdict:
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()  # bounded memory; verdicts are pure, so forgetting is safe
    _cache[key] = verdict
    return verdict


def login_verdict(token: str | None, app_id: str, certificate: str, user_id: str) -> Verdict:
    """R-TK22 at login / renew: is ``token`` a valid RTM login of ``user_id`` in app
    ``app_id`` signed with ``certificate``?  Cached per its arguments (R-TK27)."""
    key = ("login", app_id, certificate, token or "", user_id, "")
    found = _cache.get(key)
    if found is not None:
        return found
    return _cached(key, _login_verdict(token or "", app_id, certificate, user_id))


def _login_verdict(token: str, app_id: str, certificate: str, user_id: str) -> Verdict:
    if token in ("", app_id):
        return Verdict(AP_DYNAMIC_ENABLED_BUT_STATIC_KEY)
    parsed = parse_token(token)
    if parsed is None or parsed.app_id != app_id:
        return Verdict(AP_NO_AUTHORIZED)
    if parsed.version == "007":
        if not _signature_ok_007(parsed, certificate):
            return Verdict(AP_NO_AUTHORIZED)
        service = parsed.service(SERVICE_RTM)
        if service is None or service.privilege(PRIVILEGE_RTM_LOGIN) is None:
            return Verdict(AP_NO_RTM_PRIVILEGE)
        if service.fields[0] != user_id:
            return Verdict(AP_INVALID_USER_ID)
        return Verdict(AP_OK, _lapse_007(parsed, service, PRIVILEGE_RTM_LOGIN))
    if parsed.crc_channel != _crc(user_id) or parsed.crc_uid != _crc(""):
        return Verdict(AP_INVALID_USER_ID)
    if not _signature_ok_006(parsed, certificate, user_id, ""):
        return Verdict(AP_NO_AUTHORIZED)
    if all(key != PRIVILEGE_006_RTM_LOGIN for key, _ in parsed.privileges_006):
        return Verdict(AP_NO_RTM_PRIVILEGE)
    return Verdict(AP_OK, _lapse_006(parsed, PRIVILEGE_006_RTM_LOGIN))


def stream_verdict(
    token: str | None, app_id: str, certificate: str, channel: str, user_id: str
) -> Verdict:
    """R-TK22 at stream join / stream renew: is ``token`` an RTC token joining
    ``channel`` as ``user_id`` (or any uid: ``""``) in app ``app_id``?  Cached (R-TK27)."""
    key = ("stream", app_id, certificate, token or "", user_id, channel)
    found = _cache.get(key)
    if found is not None:
        return found
    return _cached(key, _stream_verdict(token or "", app_id, certificate, channel, user_id))


def _stream_verdict(
    token: str, app_id: str, certificate: str, channel: str, user_id: str
) -> Verdict:
    if token in ("", app_id):
        return Verdict(AP_DYNAMIC_ENABLED_BUT_STATIC_KEY)
    parsed = parse_token(token)
    if parsed is None or parsed.app_id != app_id:
        return Verdict(AP_NO_AUTHORIZED)
    if parsed.version == "007":
        if not _signature_ok_007(parsed, certificate):
            return Verdict(AP_NO_AUTHORIZED)
        joins = [
            service
            for service in parsed.services
            if service.type == SERVICE_RTC and service.privilege(PRIVILEGE_JOIN_CHANNEL) is not None
        ]
        if not joins:
            return Verdict(AP_NO_RTM_PRIVILEGE)
        for service in joins:  # any RTC service of the token may be the channel's
            if service.fields[0] == channel and service.fields[1] in ("", user_id):
                return Verdict(AP_OK, _lapse_007(parsed, service, PRIVILEGE_JOIN_CHANNEL))
        return Verdict(AP_INVALID_USER_ID)
    for uid in (user_id, ""):
        if parsed.crc_channel == _crc(channel) and parsed.crc_uid == _crc(uid):
            break
    else:
        return Verdict(AP_INVALID_USER_ID)
    if not _signature_ok_006(parsed, certificate, channel, uid):
        return Verdict(AP_NO_AUTHORIZED)
    if all(key != PRIVILEGE_006_JOIN_CHANNEL for key, _ in parsed.privileges_006):
        return Verdict(AP_NO_RTM_PRIVILEGE)
    return Verdict(AP_OK, _lapse_006(parsed, PRIVILEGE_006_JOIN_CHANNEL))
