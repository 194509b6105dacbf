"""Strategies for presence state: keys, values and whole maps, valid and invalid
(R-S1, R-S3)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .._errors import ErrorCode
from .._validate import js_utf8_length
from ._common import (
    CHARSET,
    MAX_KEY_BYTES,
    MAX_STATE_KEYS,
    MAX_VALUE_BYTES,
    OUTSIDE,
    SAFE_INTS,
    UNICODE,
    check_sizes,
    names,
    over_bytes,
    up_to_bytes,
)

# ------------------------------------------------------------------ state


def state_keys() -> st.SearchStrategy[str]:
    """Valid state keys (R-S3): 1 to 32 characters (bytes) of the R-C1 charset, not
    starting with ``_``; often right at 32."""
    return names(1, MAX_KEY_BYTES)


def _json_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        SAFE_INTS,
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(UNICODE, max_size=8),
    )


def state_values() -> st.SearchStrategy[Any]:
    """Valid state values (R-S1, R-S3): JSON values.

    Strings of at most 16384 UTF-8 bytes (often near the limit), numbers, booleans,
    ``None``, and small lists and objects of those; only strings are measured, so any
    other JSON value is accepted whatever its size.  Values compare equal to what the
    emulator stores (lists, not tuples).
    """
    nested = st.recursive(
        _json_scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(st.text(UNICODE, max_size=6), inner, max_size=3),
        ),
        max_leaves=6,
    )
    return st.one_of(up_to_bytes(MAX_VALUE_BYTES, min_size=0), nested)


def states(
    *, min_keys: int = 1, max_keys: int = MAX_STATE_KEYS
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid state maps: ``min_keys`` to ``max_keys`` (1..32) valid keys and values.

    Each one can be set with ``setState`` on a channel where the user holds no state yet
    (R-S3: ``{}`` is -13003, so at least one key).

    Raises:
        InvalidArgument: for sizes outside ``1 <= min_keys <= max_keys <= 32``.
    """
    check_sizes("states", min_keys, max_keys, MAX_STATE_KEYS)
    keys, values = state_keys(), state_values()
    return st.one_of(
        st.dictionaries(keys, values, min_size=min_keys, max_size=max_keys),
        st.dictionaries(keys, values, min_size=max_keys, max_size=max_keys),  # full
    )


def _with_item(base: dict[Any, Any], key: Any, value: Any, where: int) -> dict[Any, Any]:
    items = [(k, v) for k, v in base.items() if k != key]
    items.insert(min(where, len(items)), (key, value))
    return dict(items)


def _small_keys() -> st.SearchStrategy[str]:
    return names(1, 8)


def _bad_keys() -> st.SearchStrategy[Any]:
    """Keys of at most 32 bytes that R-S3 refuses with -13006 (the size check is first)."""
    rest = st.text(st.sampled_from(CHARSET), max_size=10)
    return st.one_of(
        st.just(""),
        rest.map(lambda s: "_" + s),
        st.builds(lambda a, b: a + "." + b, rest, rest),
        st.builds(lambda a, c, b: a + c + b, rest, OUTSIDE, rest).filter(
            lambda s: js_utf8_length(s) <= MAX_KEY_BYTES
        ),
    )


def invalid_states() -> st.SearchStrategy[tuple[object, ErrorCode]]:
    """``(state, code)``: a ``setState`` argument and the error it always gets (R-S3).

    Each value has exactly one fault, so the code is certain: no keys at all (``{}``,
    ``[]``, ``""``, a number: -13003), a key that is empty, outside the R-C1 charset,
    starts with ``_`` or is not a string (-13006), a key over 32 bytes (-13008), a
    string value over 16384 bytes (-13009), or more than 32 valid keys (-13005).  The
    faulty item sits anywhere among valid ones.  (Values are never refused for their
    type, R-S1; a value JSON cannot carry is a ``TypeError``, not listed here.)

    Valid on a channel where the user holds at most 24 keys (the count and union
    checks come first).
    """
    small = st.text(UNICODE, max_size=8)
    base = st.dictionaries(_small_keys(), small, max_size=6)
    where = st.integers(0, 6)

    def one_bad(
        key: st.SearchStrategy[Any], value: st.SearchStrategy[Any], code: ErrorCode
    ) -> st.SearchStrategy[tuple[object, ErrorCode]]:
        return st.builds(lambda b, k, v, w: (_with_item(b, k, v, w), code), base, key, value, where)

    no_keys: st.SearchStrategy[object] = st.one_of(
        st.just({}), st.just([]), st.just(""), st.integers(), st.booleans(), st.floats()
    )
    non_string_key: st.SearchStrategy[Any] = st.one_of(
        st.none(), st.integers(), st.booleans(), st.binary(min_size=1, max_size=4)
    )
    return st.one_of(
        no_keys.map(lambda v: (v, ErrorCode.PRESENCE_INVALID_ARGUMENT)),
        one_bad(_bad_keys(), small, ErrorCode.PRESENCE_INVALID_STATE_KEY),
        one_bad(non_string_key, small, ErrorCode.PRESENCE_INVALID_STATE_KEY),
        one_bad(over_bytes(MAX_KEY_BYTES), small, ErrorCode.PRESENCE_STATE_KEY_SIZE_OVERFLOW),
        one_bad(
            _small_keys(),
            over_bytes(MAX_VALUE_BYTES),
            ErrorCode.PRESENCE_STATE_VALUE_SIZE_OVERFLOW,
        ),
        st.dictionaries(
            _small_keys(), small, min_size=MAX_STATE_KEYS + 1, max_size=MAX_STATE_KEYS + 8
        ).map(lambda d: (d, ErrorCode.PRESENCE_STATE_COUNT_OVERFLOW)),
    )


def _insert(keys: list[Any], key: Any, where: int) -> list[Any]:
    """``keys`` without ``key``, then ``key`` inserted at ``where``."""
    rest = [k for k in keys if k != key]
    return [*rest[:where], key, *rest[where:]]


def invalid_state_removals() -> st.SearchStrategy[tuple[list[Any], ErrorCode]]:
    """``(states, code)``: a ``removeState`` key list and the error it always gets (R-S3).

    A repeated key (-13010, checked first), more than 32 distinct valid keys (-13005),
    one key that is empty, outside the charset or starts with ``_`` (-13006), or one
    key over 32 bytes (-13008), among distinct valid keys.
    """
    keys = st.lists(_small_keys(), unique=True, max_size=6)
    where = st.integers(0, 6)

    def one_bad(
        key: st.SearchStrategy[Any], code: ErrorCode
    ) -> st.SearchStrategy[tuple[list[Any], ErrorCode]]:
        return st.builds(lambda ks, k, w: (_insert(ks, k, w), code), keys, key, where)

    repeated = st.builds(
        lambda ks, k, w: ([*ks[:w], k, *ks[w:], k], ErrorCode.PRESENCE_STATE_DUPLICATE_KEY),
        keys,
        st.one_of(_small_keys(), _bad_keys(), over_bytes(MAX_KEY_BYTES)),
        where,
    )
    return st.one_of(
        repeated,
        st.lists(
            _small_keys(), unique=True, min_size=MAX_STATE_KEYS + 1, max_size=MAX_STATE_KEYS + 8
        ).map(lambda ks: (ks, ErrorCode.PRESENCE_STATE_COUNT_OVERFLOW)),
        one_bad(_bad_keys(), ErrorCode.PRESENCE_INVALID_STATE_KEY),
        one_bad(over_bytes(MAX_KEY_BYTES), ErrorCode.PRESENCE_STATE_KEY_SIZE_OVERFLOW),
    )
