"""The building blocks of the value strategies: the R-C1 charset, Unicode text near a
UTF-8 byte limit, and the checks of the strategies' size arguments."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._surface import CONSTANTS
from .._types import ChannelType
from .._validate import is_valid_name

# The limits and defaults, from the surface table's constants (``_surface.CONSTANTS``).
#: R-C1: user ids and channel names
MAX_NAME_CHARS: int = CONSTANTS["maxNameChars"]
#: R-S3: state keys, string values, keys per call and per channel
MAX_KEY_BYTES: int = CONSTANTS["maxKeyBytes"]
MAX_VALUE_BYTES: int = CONSTANTS["maxValueBytes"]
MAX_STATE_KEYS: int = CONSTANTS["maxStateKeys"]
#: R-S4: the state cache
MAX_CACHE_ENTRIES: int = CONSTANTS["maxCacheEntries"]
#: R-L4: channels one client may be in (all types), and stream channels among them
MESSAGE_CHANNEL_COUNT: int = CONSTANTS["messageChannelCount"]
STREAM_CHANNEL_COUNT: int = CONSTANTS["streamChannelCount"]
DEFAULT_APP_ID: str = CONSTANTS["defaultAppId"]
#: the channel types, as the SDK spells them
MESSAGE, STREAM = ChannelType.MESSAGE.value, ChannelType.STREAM.value

# R-C1: the SDK's charset for user ids, channel names and state keys, read off the
# package's own predicate (every ASCII character it accepts after a first letter).
CHARSET = "".join(c for c in map(chr, range(128)) if is_valid_name("a" + c))
FIRST = CHARSET.replace("_", "")  # R-C1: not starting with "_"
UNICODE = st.characters(codec="utf-8")  # every code point UTF-8 can encode (no surrogates)
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)  # no UTF-8 form
OUTSIDE = st.one_of(UNICODE.filter(lambda c: c not in CHARSET), SURROGATES)
NON_STRINGS: st.SearchStrategy[object] = st.one_of(
    st.none(), st.booleans(), st.integers(), st.binary(min_size=1, max_size=8)
)
#: JSON numbers that survive a round trip through a JS number exactly
SAFE_INTS = st.integers(-(2**53) + 1, 2**53 - 1)


def fill(prefix: str, pad: str, slack: int, max_bytes: int) -> str:
    """``prefix`` padded with ``pad`` up to ``max_bytes - slack`` UTF-8 bytes (not over)."""
    room = max(max_bytes - slack - len(prefix.encode()), 0)
    return prefix + pad * (room // len(pad.encode()))


def up_to_bytes(max_bytes: int, *, min_size: int) -> st.SearchStrategy[str]:
    """Unicode strings of at most ``max_bytes`` UTF-8 bytes, often right at the limit."""
    short = st.text(UNICODE, min_size=min_size, max_size=min(max_bytes // 4, 32))
    near_limit = st.builds(
        fill,
        st.text(UNICODE, max_size=8),
        UNICODE,
        st.integers(0, 3),
        st.just(max_bytes),
    )
    return st.one_of(short, near_limit)


def over_bytes(max_bytes: int) -> st.SearchStrategy[str]:
    """Unicode strings of more than ``max_bytes`` UTF-8 bytes (up to about 2 x)."""
    return st.builds(
        lambda prefix, pad, extra: fill(prefix, pad, 0, max_bytes) + pad * (1 + extra),
        st.text(UNICODE, max_size=8),
        UNICODE,
        st.integers(0, max_bytes),
    ).filter(lambda s: len(s.encode()) > max_bytes)


def ascii(alphabet: str, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """Strings over ``alphabet`` (one byte a character), often at or near ``max_size``."""
    chars = st.sampled_from(alphabet)
    any_size = st.text(chars, min_size=min_size, max_size=max_size)
    near_max = st.builds(
        lambda prefix, pad, slack: (prefix + pad * max_size)[: max(max_size - slack, min_size)],
        st.text(chars, max_size=8),
        chars,
        st.integers(0, 2),
    )
    return st.one_of(any_size, near_max)


def names(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """R-C1 names: a first character other than ``_``, then the charset."""
    return st.builds(
        lambda first, rest: first + rest,
        st.sampled_from(FIRST),
        ascii(CHARSET, max(min_size - 1, 0), max_size - 1),
    )


def check_sizes(name: str, min_size: int, max_size: int, limit: int, floor: int = 1) -> None:
    if not floor <= min_size <= max_size <= limit:
        raise InvalidArgument(
            f"{name}: need {floor} <= min_size <= max_size <= {limit}, "
            f"got min_size={min_size}, max_size={max_size}"
        )


def invalid_names(non_strings: bool) -> st.SearchStrategy[Any]:
    """What R-C1 refuses: empty, too long, leading ``_``, ``.``, outside the charset."""
    rest = st.text(st.sampled_from(CHARSET), max_size=20)
    bad: st.SearchStrategy[Any] = st.one_of(
        st.just(""),
        st.text(st.sampled_from(CHARSET), min_size=MAX_NAME_CHARS + 1, max_size=90),
        rest.map(lambda s: "_" + s),
        st.builds(lambda a, b: a + "." + b, rest, rest),
        st.builds(lambda a, c, b: a + c + b, rest, OUTSIDE, rest),
    )
    return st.one_of(bad, NON_STRINGS) if non_strings else bad
