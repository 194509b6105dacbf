"""The checks every SDK operation makes before the others (R-X1; R-C6's limiter, R-T3).

R-X1's order is rate limit → channel type → link state → names → options → state, and
the first fault wins.  The argument checks are pure functions (``_validate``); the two
here read the client: its rate limiter (R-C6, off unless ``EmulatorConfig.rate_limits``)
and its link state (-10025 before login, after logout, and while the link is down for
the operations R-T3 does not let through).  Neither changes anything.
"""

from __future__ import annotations

from ._clock import FakeClock
from ._errors import ErrorCode, RtmError
from ._session import ClientCore
from ._surface import Operation
from ._types import LinkState

__all__ = ["rate", "require_link"]


def rate(core: ClientCore, row: Operation, clock: FakeClock) -> None:
    """R-C6: count one call of the row's limiter key (``Operation.rate_key``; nothing
    when rate limits are off or the row has no key).

    Raises:
        RtmError: -10021 ``OPERATION_RATE_EXCEED_LIMITATION``, ``operation`` the key.
    """
    if core.limiter is not None and row.rate_key is not None:
        core.limiter.check(row.rate_key, clock.now_ms)


def require_link(core: ClientCore, operation: str, *, connected: bool) -> None:
    """-10025 when the link is IDLE, or (``connected``) not CONNECTED (R-X1, R-T3).

    Raises:
        RtmError: -10025 ``NOT_CONNECTED``, naming the link state.
    """
    state = core.link_state
    if state is LinkState.IDLE or (connected and state is not LinkState.CONNECTED):
        raise RtmError.sdk(
            operation,
            ErrorCode.NOT_CONNECTED,
            detail=f"user {core.user_id!r}'s link is {state.value}",
        )
