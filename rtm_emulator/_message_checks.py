"""The SDK's argument checks of messages, custom types and topic names (R-M1, R-M12, R-M18).

Pure functions in the style of ``_ids`` and ``_state_checks``: each takes the SDK's
``operation`` and the raw value, returns the normalised value or raises what the 2.3.0
runtime raises (``agora-rtm.js``: ``async publish(``, its message predicate, ``Mw`` for
custom types, ``ww`` for topic names, ``publishTopicMessage``'s size check).  They never
touch state.

**Messages in Python.**  A text message is a ``str`` (a subclass is read as its
characters); its size is what JS ``TextEncoder`` counts for it (a lone surrogate is the
3 bytes of U+FFFD) and receivers get it as the SDK's UTF-8 transport returns it.  A
binary message is ``bytes``, ``bytearray`` or a ``memoryview`` of single bytes (the SDK
takes any ``Uint8Array``; a view of wider items is a ``Uint16Array`` and is refused);
receivers get ``bytes``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._errors import ErrorCode, RtmError, SdkTypeError
from ._ids import is_valid_name, show
from ._js import js_normalise, js_string, js_utf8_length, plain
from ._limits import (
    MAX_CUSTOM_TYPE_BYTES,
    MAX_MESSAGE_BYTES,
    MAX_TOPIC_MESSAGE_BYTES,
    MAX_TOPIC_NAME_BYTES,
)
from ._validate import js_truthy, plain_value

__all__ = [
    "LIMIT_EXCEEDED",
    "Payload",
    "binary_size",
    "check_custom_type",
    "check_message",
    "check_publish_channel_type",
    "check_topic_message",
    "check_topic_name",
    "custom_type_bytes",
]

#: The class of R-M1 step 9's -11010 (the SDK's size check after the custom type).
LIMIT_EXCEEDED = "RtmLimitExceededError"

#: A message as receivers get it (``str`` or ``bytes``) and its size in bytes.
Payload = tuple[str | bytes, int]


def binary_size(value: object) -> int | None:
    """The ``byteLength`` of a binary message (``bytes``, ``bytearray``, a ``memoryview``
    of single bytes), ``None`` for anything else (a wider view is not a ``Uint8Array``).
    A subclass's own ``__len__`` is never asked: the size is its stored bytes'.  A
    released view has no bytes (as a view of a detached ``ArrayBuffer`` has none)."""
    if isinstance(value, bytes):
        return bytes.__len__(value)
    if isinstance(value, bytearray):
        return bytearray.__len__(value)
    if isinstance(value, memoryview):
        try:
            return value.nbytes if value.itemsize == 1 else None
        except ValueError:  # released
            return 0
    return None


def _buffer_size(value: bytes | bytearray | memoryview) -> int:
    """``message.buffer.byteLength``: the size of the whole buffer a view looks into."""
    if isinstance(value, memoryview):
        try:
            return memoryview(value.obj).nbytes
        except (TypeError, ValueError):  # no object, or the view is released
            return binary_size(value) or 0
    return binary_size(value) or 0


def plain_bytes(value: bytes | bytearray | memoryview) -> bytes:
    """The stored bytes of a binary message as a plain ``bytes`` (a subclass's own
    ``__bytes__`` / ``__iter__`` are never asked: what is measured is what is sent)."""
    if isinstance(value, bytes):
        return bytes.__getitem__(value, slice(None))
    if isinstance(value, bytearray):
        return bytes(bytearray.__getitem__(value, slice(None)))
    try:
        return value.tobytes()
    except ValueError:  # released: no bytes (``binary_size``)
        return b""


def check_publish_channel_type(operation: str, options: object) -> bool:
    """R-M1 step 2: ``options.channelType``, if truthy, must be exactly ``"USER"`` or
    ``"MESSAGE"``; anything falsy (or options that are not an object) mean ``MESSAGE``.

    Returns whether the message goes to a user.

    Raises:
        RtmError: -10019 ``INVALID_CHANNEL_TYPE``.
    """
    value = plain_value(options.get("channelType")) if isinstance(options, Mapping) else None
    if not js_truthy(value):
        return False
    if isinstance(value, str) and value == "USER":
        return True
    if isinstance(value, str) and value == "MESSAGE":
        return False
    raise RtmError.sdk(
        operation,
        ErrorCode.INVALID_CHANNEL_TYPE,
        detail=f"channelType must be 'MESSAGE' or 'USER', got {show(value)}",
    )


def check_message(operation: str, message: object) -> Payload:
    """R-M1 steps 5 and 6: a non-empty string or a byte array, of at most 32768 bytes.

    Returns the message as receivers get it and its size.

    Raises:
        RtmError: -11009 ``CHANNEL_INVALID_MESSAGE`` (an empty string, ``None``, a number,
            an object...); -11010 ``CHANNEL_MESSAGE_LENGTH_EXCEED_LIMITATION``
            (``RtmInvalidArgumentError``) over 32768 bytes.
    """
    if isinstance(message, str):
        text = plain(message)
        size = js_utf8_length(text)
        payload: str | bytes = js_normalise(text)
        if not text:
            size = -1
    else:
        found = binary_size(message)
        size = -1 if found is None else found
        binary = isinstance(message, (bytes, bytearray, memoryview)) and size >= 0
        payload = plain_bytes(message) if binary else b""  # type: ignore[arg-type]
    if size < 0:
        raise RtmError.sdk(
            operation,
            ErrorCode.CHANNEL_INVALID_MESSAGE,
            detail=f"a message is a non-empty string or bytes, got {show(message)}",
        )
    if size > MAX_MESSAGE_BYTES:
        raise RtmError.sdk(
            operation,
            ErrorCode.CHANNEL_MESSAGE_LENGTH_EXCEED_LIMITATION,
            detail=f"the message has {size} bytes, over {MAX_MESSAGE_BYTES}",
        )
    return payload, size


def check_custom_type(operation: str, value: object) -> str:
    """R-M1 step 7, R-M18 step 2: a truthy custom type must be a string of 1..32 UTF-8
    bytes (its bytes counted first: a 40-byte array overflows); a falsy one is none.

    Returns the custom type (``""`` for none).

    Raises:
        RtmError: -11029 ``CHANNEL_CUSTOM_TYPE_LENGTH_OVERFLOW`` over 32 bytes; -11030
            ``CHANNEL_INVALID_CUSTOM_TYPE`` for anything else that is not a string.
    """
    value = plain_value(value)
    if not js_truthy(value):
        return ""
    if isinstance(value, str):
        size: int | None = js_utf8_length(value)
    else:
        size = binary_size(value)
    if size is not None and size > MAX_CUSTOM_TYPE_BYTES:
        raise RtmError.sdk(
            operation,
            ErrorCode.CHANNEL_CUSTOM_TYPE_LENGTH_OVERFLOW,
            detail=f"the custom type has {size} bytes, over {MAX_CUSTOM_TYPE_BYTES}",
        )
    if not isinstance(value, str):
        raise RtmError.sdk(
            operation,
            ErrorCode.CHANNEL_INVALID_CUSTOM_TYPE,
            detail=f"a custom type is a string, got {show(value)}",
        )
    return js_normalise(value)


def custom_type_bytes(value: object) -> int:
    """What ``new Blob([customType ?? ""]).size`` counts (R-M18 step 4): the UTF-8 bytes
    of the custom type as JS ``String()`` writes it (``0`` is 1 byte, ``false`` 5)."""
    value = plain_value(value)
    if value is None:
        return 0
    if isinstance(value, str):
        return js_utf8_length(value)
    return js_utf8_length(js_string(value))


def check_topic_name(operation: str, value: object) -> str:
    """R-M12: a topic name is a user id (R-C1's charset, no leading ``_``) of 1..16 bytes.

    Raises:
        RtmError: -11008 ``CHANNEL_INVALID_TOPIC_NAME`` (``RtmInvalidArgumentError``).
    """
    if isinstance(value, str) and is_valid_name(value):
        name = plain(value)
        if len(name) <= MAX_TOPIC_NAME_BYTES:
            return name
        detail = f"topic name {show(name)} has {len(name)} bytes, over {MAX_TOPIC_NAME_BYTES}"
    else:
        detail = f"topic name must be 1..16 characters of the user-id charset, got {show(value)}"
    raise RtmError.sdk(operation, ErrorCode.CHANNEL_INVALID_TOPIC_NAME, detail=detail)


def check_topic_message(operation: str, message: object, custom_type: object) -> Payload:
    """R-M18 steps 3 and 4: a topic message is a non-empty string or a byte array, at
    most 1024 bytes with its custom type, where a byte array counts its whole underlying
    buffer (``message.buffer.byteLength``: a ``memoryview`` slice counts its object).

    Returns the message as receivers get it and its size.

    Raises:
        RtmError: -11009 for an empty string; -11010 (``RtmInvalidArgumentError``) over
            1024 bytes.
        SdkTypeError: (a ``TypeError``, R-X3) for anything else, with the message the SDK
            throws reading the value's ``buffer``.
    """
    payload: str | bytes
    if isinstance(message, str):
        text = plain(message)
        if not text:
            raise RtmError.sdk(
                operation, ErrorCode.CHANNEL_INVALID_MESSAGE, detail="the message is empty"
            )
        size = js_utf8_length(text)
        payload = js_normalise(text)
    elif message is None:
        raise SdkTypeError("Cannot read properties of null (reading 'buffer')")
    elif binary_size(message) is None:
        raise SdkTypeError("Cannot read properties of undefined (reading 'byteLength')")
    else:
        assert isinstance(message, (bytes, bytearray, memoryview))
        size = _buffer_size(message)
        payload = plain_bytes(message)
    total = size + custom_type_bytes(custom_type)
    if total > MAX_TOPIC_MESSAGE_BYTES:
        raise RtmError.sdk(
            operation,
            ErrorCode.CHANNEL_MESSAGE_LENGTH_EXCEED_LIMITATION,
            detail=f"the message and its custom type have {total} bytes, "
            f"over {MAX_TOPIC_MESSAGE_BYTES}",
        )
    return payload, size
