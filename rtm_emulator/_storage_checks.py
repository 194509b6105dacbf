"""The SDK's client-side checks of the storage calls (R-ST4..R-ST9), pure functions.

Each function raises the error the 2.3.0 runtime raises (agora-rtm.js: the item setters
``setKey(`` / ``setRevision(``, the item check ``Rw``, the JSON size check ``fw``, the
clear-path check ``Nw``), in the runtime's order; the first fault wins.  The items a
call passes are converted as the runtime converts them (``_convertMetadataInfoToItems``:
duplicate keys merged, the last one winning at the first one's place).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Literal

import attrs

from ._errors import ErrorCode, RtmError, SdkTypeError
from ._ids import is_valid_name, show
from ._js import JS_NULL, js_utf8_length, plain
from ._limits import (
    MAX_METADATA_ITEMS,
    MAX_METADATA_JSON_BYTES,
    MAX_METADATA_KEY_BYTES,
    MAX_METADATA_VALUE_BYTES,
)
from ._validate import js_truthy, plain_value

__all__ = [
    "Item",
    "WriteKind",
    "check_items",
    "check_lock_name",
    "check_request_size",
    "clear_revision",
    "convert_items",
    "is_clear",
    "major_revision",
]

#: The runtime's ``type`` of an item check: set, update or remove (``Delete``).
WriteKind = Literal["Set", "Update", "Delete"]

#: The ``operation`` of the item setters' errors (R-ST4).
SETTER_OPERATION = "storage"


@attrs.frozen
class Item:
    """One converted metadata item: its key, value (``None``: absent / null) and revision
    (-1: none given)."""

    key: str
    value: object
    revision: float


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _integral(value: float) -> bool:
    return math.isfinite(value) and value == int(value)


def _as_list(operation: str, data: object) -> list[object]:
    """``data.forEach``: a list or tuple; anything else is the runtime's TypeError."""
    # the plain list's own items: a subclass's methods are never asked
    if isinstance(data, list):
        return list(list.__iter__(data))
    if isinstance(data, tuple):
        return list(tuple.__iter__(data))
    if data is None or data is JS_NULL:
        which = "null" if data is JS_NULL else "undefined"
        raise SdkTypeError(f"Cannot read properties of {which} (reading 'forEach')")
    raise SdkTypeError("A.forEach is not a function")


def convert_items(operation: str, data: object) -> list[Item]:
    """R-ST4: the items of ``data``, converted and merged.

    Raises:
        SdkTypeError: ``data`` without ``forEach``; a ``None`` item (reading ``key``).
        RtmError: -12009 (a key that is not a string), -12005 (a revision that is not an
            integral number), ``operation`` ``"storage"``.
    """
    merged: dict[str, Item] = {}
    for raw in _as_list(operation, data):
        if raw is None:
            raise SdkTypeError("Cannot read properties of null (reading 'key')")
        fields: Mapping[str, object] = raw if isinstance(raw, Mapping) else {}
        key = plain_value(fields.get("key"))
        if not isinstance(key, str):
            raise RtmError.sdk(
                SETTER_OPERATION,
                ErrorCode.STORAGE_INVALID_KEY,
                detail=f"a metadata item's key must be a string, got {show(key)}",
            )
        revision = plain_value(fields.get("revision"))
        revision = -1 if revision is None else revision
        if not _is_number(revision) or not _integral(float(revision)):  # type: ignore[arg-type]
            raise RtmError.sdk(
                SETTER_OPERATION,
                ErrorCode.STORAGE_INVALID_REVISION,
                detail=f"item {key!r}: revision must be an integer, got {show(revision)}",
            )
        value = plain_value(fields.get("value"))
        merged[key] = Item(key, value, float(revision))  # type: ignore[arg-type]
    return list(merged.values())


def major_revision(options: Mapping[str, object]) -> object:
    """``options.majorRevision ?? -1`` as given (checked by :func:`check_items`)."""
    value = plain_value(options.get("majorRevision"))
    return -1 if value is None else value


def check_items(operation: str, items: list[Item], major: object, kind: WriteKind) -> float:
    """R-ST5 (the runtime's ``Rw``), in its order.  Returns ``majorRevision`` as a number.

    Raises:
        RtmError: -12002 (over 32 items), -12003 (none), -12005 (revisions), -12009
            (key), -12011 (key over 32 bytes), -12010 (value not a string), -12012 (value
            over 16384 bytes).
    """
    if len(items) > MAX_METADATA_ITEMS:
        raise RtmError.sdk(
            operation,
            ErrorCode.STORAGE_METADATA_ITEM_EXCEED_LIMITATION,
            detail=f"{len(items)} items, over {MAX_METADATA_ITEMS}",
        )
    if not items:
        raise RtmError.sdk(operation, ErrorCode.STORAGE_INVALID_METADATA_ITEM, detail="no items")

    def bad_revision(detail: str) -> RtmError:
        return RtmError.sdk(operation, ErrorCode.STORAGE_INVALID_REVISION, detail=detail)

    if not _is_number(major) or major < -1 or not _integral(float(major)):  # type: ignore[operator,arg-type]
        raise bad_revision(f"majorRevision must be an integer >= -1, got {show(major)}")
    number = float(major)  # type: ignore[arg-type]
    for item in items:
        if item.revision < -1:
            raise bad_revision(f"item {item.key!r}: revision {item.revision:g} < -1")
    if kind != "Set" and number == 0:
        raise bad_revision(f"majorRevision 0 is not allowed in a {kind.lower()}")
    if kind != "Set" and any(item.revision == 0 for item in items):
        raise bad_revision(f"an item revision 0 is not allowed in a {kind.lower()}")
    for item in items:
        key = item.key
        if key == "" or key.startswith("_") or not is_valid_name(key):
            raise RtmError.sdk(
                operation, ErrorCode.STORAGE_INVALID_KEY, detail=f"invalid key {show(key)}"
            )
        if js_utf8_length(key) > MAX_METADATA_KEY_BYTES:
            raise RtmError.sdk(
                operation,
                ErrorCode.STORAGE_KEY_LENGTH_OVERFLOW,
                detail=f"key {key!r} is over {MAX_METADATA_KEY_BYTES} bytes",
            )
        value = item.value
        if kind != "Delete" and not isinstance(value, str):
            raise RtmError.sdk(
                operation,
                ErrorCode.STORAGE_INVALID_VALUE,
                detail=f"item {key!r}: value must be a string, got {show(value)}",
            )
        if isinstance(value, str) and js_utf8_length(value) > MAX_METADATA_VALUE_BYTES:
            raise RtmError.sdk(
                operation,
                ErrorCode.STORAGE_VALUE_LENGTH_OVERFLOW,
                detail=f"item {key!r}: value over {MAX_METADATA_VALUE_BYTES} bytes",
            )
    return number


def _json_number(value: float) -> int | float:
    return int(value) if _integral(value) else value


def request_json(items: list[Item], major: float, kind: WriteKind) -> str:
    """R-ST6: the request's ``value`` (the runtime's ``DG``): ``_rev`` when ≥ 0, each key's
    value (``null`` for a remove) and ``_rev_<key>`` when ≥ 0 (an update sends -1 as -2)."""
    out: dict[str, object] = {}
    if major >= 0:
        out["_rev"] = _json_number(major)
    for item in items:
        revision = -2 if kind == "Update" and item.revision == -1 else item.revision
        out[item.key] = None if kind == "Delete" else item.value
        if revision >= 0 or revision == -2:
            out[f"_rev_{item.key}"] = _json_number(revision)
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def check_request_size(operation: str, text: str) -> None:
    """R-ST6 (``fw``): the request JSON's UTF-8 length is at most 16384 bytes.

    Raises:
        RtmError: -12006 ``STORAGE_METADATA_LENGTH_OVERFLOW`` (RtmLimitExceededError).
    """
    size = js_utf8_length(text)
    if size > MAX_METADATA_JSON_BYTES:
        raise RtmError.sdk(
            operation,
            ErrorCode.STORAGE_METADATA_LENGTH_OVERFLOW,
            detail=f"the request's JSON is {size} bytes, over {MAX_METADATA_JSON_BYTES}",
        )


def is_clear(data: object) -> bool:
    """R-ST7: a remove without items (``!data || data.length === 0``) clears everything."""
    if not js_truthy(data):
        return True
    if isinstance(data, list):
        return list.__len__(data) == 0
    if isinstance(data, tuple):
        return tuple.__len__(data) == 0
    return False


def _js_number(value: object) -> float:
    """JS ``Number(value)`` for the values a revision may be (strings parsed, NaN else)."""
    value = plain_value(value)
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0.0
        try:
            return float(text)
        except ValueError:
            return math.nan
    return math.nan


def clear_revision(operation: str, options: Mapping[str, object]) -> float:
    """R-ST7 (``Nw``): a clear's truthy ``majorRevision`` must be an integer ≥ -1 (a
    numeric string passes).  Returns the revision the clear sends (-1: none).

    Raises:
        RtmError: -12005.
    """
    raw = options.get("majorRevision")
    if not js_truthy(raw):
        value = plain_value(raw)
        return 0.0 if _is_number(value) and value == 0 else -1.0
    number = _js_number(raw)
    if math.isnan(number) or number < -1 or not _integral(number):
        raise RtmError.sdk(
            operation,
            ErrorCode.STORAGE_INVALID_REVISION,
            detail=f"majorRevision must be an integer >= -1, got {show(raw)}",
        )
    return number


def check_lock_name(operation: str, options: Mapping[str, object]) -> str:
    """R-ST9: ``lockName ?? ""``; a falsy one is no lock, any other must be a valid name.

    Raises:
        RtmError: -12007 ``STORAGE_INVALID_LOCK_NAME``.
    """
    raw = options.get("lockName")
    if not js_truthy(raw):
        return ""
    if isinstance(raw, str) and is_valid_name(raw):
        return plain(raw)
    raise RtmError.sdk(
        operation, ErrorCode.STORAGE_INVALID_LOCK_NAME, detail=f"invalid lock name {show(raw)}"
    )
