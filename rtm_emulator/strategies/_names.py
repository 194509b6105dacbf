"""Strategies for user ids, channel names and channel types, valid and invalid (R-C1)."""

from __future__ import annotations

from typing import Any, Literal, overload

from hypothesis import strategies as st

from .._types import ChannelType
from ._common import MAX_NAME_CHARS, MESSAGE, NON_STRINGS, STREAM, check_sizes, invalid_names, names

# ------------------------------------------------------------------ ids and names


def user_ids(*, min_size: int = 1, max_size: int = MAX_NAME_CHARS) -> st.SearchStrategy[str]:
    """Valid user ids (R-C1): ``min_size`` to ``max_size`` (<= 64) characters of the SDK
    charset, not starting with ``_``; ``"null"`` is valid and may come up.

    Every value can be used with ``emu.client`` / ``emu.user`` and logged in.

    Raises:
        InvalidArgument: for sizes outside ``1 <= min_size <= max_size <= 64``.
    """
    check_sizes("user_ids", min_size, max_size, MAX_NAME_CHARS)
    named = names(min_size, max_size)
    if min_size <= len("null") <= max_size:
        named = st.one_of(named, st.just("null"))  # R-C1: valid, unlike in revision 1
    return named


@overload
def invalid_user_ids(*, non_strings: Literal[False] = ...) -> st.SearchStrategy[str]: ...
@overload
def invalid_user_ids(*, non_strings: bool) -> st.SearchStrategy[object]: ...
def invalid_user_ids(*, non_strings: bool = False) -> st.SearchStrategy[Any]:
    """User ids the emulator rejects with -10006 ``INVALID_USER_ID`` (R-C1).

    Empty, over 64 characters, starting with ``_``, containing ``.``, or with a
    character outside the SDK charset (lone surrogates included).  ``non_strings=True``
    adds values that are not ``str`` (``None``, ints, bools, bytes), also -10006.
    """
    return invalid_names(non_strings)


def channel_names(*, min_size: int = 1, max_size: int = MAX_NAME_CHARS) -> st.SearchStrategy[str]:
    """Valid channel names (R-C1, the rule of user ids): the SDK charset, not starting
    with ``_``, no ``.``; ``"null"`` is valid and may come up.

    ``min_size`` to ``max_size`` (<= 64) characters.  Every value can be subscribed to
    and joined as a stream channel.

    Raises:
        InvalidArgument: for sizes outside ``1 <= min_size <= max_size <= 64``.
    """
    check_sizes("channel_names", min_size, max_size, MAX_NAME_CHARS)
    return user_ids(min_size=min_size, max_size=max_size)


@overload
def invalid_channel_names(*, non_strings: Literal[False] = ...) -> st.SearchStrategy[str]: ...
@overload
def invalid_channel_names(*, non_strings: bool) -> st.SearchStrategy[object]: ...
def invalid_channel_names(*, non_strings: bool = False) -> st.SearchStrategy[Any]:
    """Channel names the emulator rejects with -10008 ``INVALID_CHANNEL_NAME`` (R-C1).

    Empty, over 64 characters, starting with ``_``, containing ``.``, or with a
    character outside the SDK charset.  ``non_strings=True`` adds non-``str`` values.
    """
    return invalid_names(non_strings)


def channel_types() -> st.SearchStrategy[str]:
    """Valid channel types: ``"MESSAGE"`` / ``"STREAM"``, as strings or ``ChannelType``."""
    return st.sampled_from([*ChannelType, *(t.value for t in ChannelType)])


def invalid_channel_types() -> st.SearchStrategy[object]:
    """Channel types the emulator rejects with -10019: ``"USER"``, other case, non-strings."""
    return st.one_of(
        st.sampled_from(["USER", "message", "Stream", "", " MESSAGE", "STREAM "]),
        st.text(max_size=10).filter(lambda s: s not in (MESSAGE, STREAM)),
        NON_STRINGS,
    )
