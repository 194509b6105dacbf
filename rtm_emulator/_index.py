"""The occupant index: user ids in code point order, with what a page shows of each.

A page of ``getOnlineUsers`` (R-Q2) and a ``SNAPSHOT`` (R-E1) are runs of this order.
At a million occupants the cost of a page is not the search (a bisection) but reaching
the 100 users it lists: one hash probe and one object per user, each a likely cache
miss.  So the index keeps, next to each sorted run of user ids, the objects a page
returns, in the same order: a page is a bisection and three slices, whatever the size
of the channel, and a snapshot is a concatenation.

Layout (that of sortedcontainers' ``SortedList``, which this specialises): the keys are
split into sorted sublists of at most ``2 * LOAD`` keys; ``_maxes[i]`` is the last key
of sublist ``i``; ``_states[i]`` and ``_bares[i]`` are its parallel value sublists
(each user's current ``UserState``, and its stateless one).  An insertion or removal
is two bisections and three ``list.insert`` / ``del`` on one sublist of at most 2,000
pointers; a sublist is split when it doubles and merged into a neighbour when it falls
under half the load.  Nothing here iterates a set or a dict.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from itertools import chain
from typing import Any

from ._types import UserState

__all__ = ["OccupantIndex"]


class OccupantIndex:
    """Sorted user ids, each with its ``UserState`` and its stateless ``UserState``."""

    __slots__ = ("_bares", "_keys", "_len", "_maxes", "_states")

    #: sublist size (the same default as sortedcontainers)
    LOAD = 1000

    def __init__(self) -> None:
        self._keys: list[list[str]] = []
        self._states: list[list[UserState]] = []
        self._bares: list[list[UserState]] = []
        self._maxes: list[str] = []
        self._len = 0

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[str]:
        """The user ids in order."""
        return chain.from_iterable(self._keys)

    def states(self) -> Iterator[UserState]:
        """Every user's current ``UserState``, in user id order."""
        return chain.from_iterable(self._states)

    def _locate(self, key: str) -> tuple[int, int]:
        """(sublist, position) of ``key``, which must be present."""
        pos = bisect_left(self._maxes, key)
        keys = self._keys[pos] if pos < len(self._keys) else []
        idx = bisect_left(keys, key)
        if idx == len(keys) or keys[idx] != key:
            raise KeyError(key)
        return pos, idx

    def insert(self, key: str, state: UserState, bare: UserState) -> None:
        """Add ``key`` (not present) with its state and stateless ``UserState``."""
        maxes = self._maxes
        if not maxes:
            self._keys.append([key])
            self._states.append([state])
            self._bares.append([bare])
            maxes.append(key)
            self._len = 1
            return
        pos = bisect_left(maxes, key)
        if pos == len(maxes):
            pos -= 1  # after every key: the last sublist grows
        keys = self._keys[pos]
        idx = bisect_left(keys, key)
        assert idx == len(keys) or keys[idx] != key, f"{key!r} is already indexed"
        keys.insert(idx, key)
        self._states[pos].insert(idx, state)
        self._bares[pos].insert(idx, bare)
        maxes[pos] = keys[-1]
        self._len += 1
        if len(keys) > 2 * self.LOAD:
            self._split(pos)

    def remove(self, key: str) -> None:
        """Drop ``key``.

        Raises:
            KeyError: if ``key`` is not indexed.
        """
        pos, idx = self._locate(key)
        keys = self._keys[pos]
        del keys[idx]
        del self._states[pos][idx]
        del self._bares[pos][idx]
        self._len -= 1
        if keys:
            self._maxes[pos] = keys[-1]
            if len(keys) < self.LOAD // 2 and len(self._keys) > 1:
                self._merge(pos)
        else:
            del self._keys[pos], self._states[pos], self._bares[pos], self._maxes[pos]

    def get(self, key: str) -> UserState | None:
        """The ``UserState`` shown for ``key``, or ``None`` when it is not indexed."""
        pos = bisect_left(self._maxes, key)
        if pos == len(self._keys):
            return None
        keys = self._keys[pos]
        idx = bisect_left(keys, key)
        if idx == len(keys) or keys[idx] != key:
            return None
        return self._states[pos][idx]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def replace(self, key: str, state: UserState) -> None:
        """Show ``key`` with a new ``UserState`` (its state changed).

        Raises:
            KeyError: if ``key`` is not indexed.
        """
        pos, idx = self._locate(key)
        self._states[pos][idx] = state

    def page(
        self, after: str | None, size: int, with_states: bool
    ) -> tuple[list[UserState], str, bool]:
        """Up to ``size`` users strictly after user id ``after`` (``None``: from the start).

        Returns their ``UserState``s (with states or not, as ``with_states`` says), the
        last user id shown (``""`` for an empty page) and whether more users follow:
        an exactly full last page reports no more (R-Q4).  Cost: O(log n + size), two
        bisections and one slice per sublist the page touches.
        """
        maxes = self._maxes
        count = len(maxes)
        if after is None:
            pos = idx = 0
        else:
            pos = bisect_right(maxes, after)
            if pos == count:
                return [], "", False
            idx = bisect_right(self._keys[pos], after)
        if pos == count:
            return [], "", False  # empty index
        values = self._states if with_states else self._bares
        shown = values[pos][idx : idx + size]
        end = idx + len(shown)  # the next unshown position in sublist ``pos``
        while len(shown) < size and pos < count - 1:
            pos += 1
            more_shown = values[pos][: size - len(shown)]
            shown += more_shown
            end = len(more_shown)
        keys = self._keys[pos]
        return shown, keys[end - 1], end < len(keys) or pos < count - 1

    def _split(self, pos: int) -> None:
        half = self.LOAD
        columns: tuple[list[list[Any]], ...] = (self._keys, self._states, self._bares)
        for lists in columns:
            lists.insert(pos + 1, lists[pos][half:])
            del lists[pos][half:]
        self._maxes.insert(pos, self._keys[pos][-1])

    def _merge(self, pos: int) -> None:
        """Fold a small sublist into its neighbour (then split it if too big)."""
        left = pos - 1 if pos > 0 else pos
        columns: tuple[list[list[Any]], ...] = (self._keys, self._states, self._bares)
        for lists in columns:
            lists[left] += lists[left + 1]
            del lists[left + 1]
        del self._maxes[left]
        self._maxes[left] = self._keys[left][-1]
        if len(self._keys[left]) > 2 * self.LOAD:
            self._split(left)

    def check(self) -> None:
        """Assert the layout: sorted, parallel, maxima right, sizes within bounds."""
        assert len(self._keys) == len(self._states) == len(self._bares) == len(self._maxes)
        assert self._len == sum(map(len, self._keys)), "length"
        previous: str | None = None
        for keys, states, bares, top in zip(
            self._keys, self._states, self._bares, self._maxes, strict=True
        ):
            assert keys, "empty sublist"
            assert len(keys) == len(states) == len(bares), "parallel sublists"
            assert len(keys) <= 2 * self.LOAD, "sublist too long"
            assert keys[-1] == top, "maximum"
            for key, state, bare in zip(keys, states, bares, strict=True):
                assert previous is None or previous < key, f"order at {key!r}"
                assert state.user_id == key and bare.user_id == key, key
                assert not bare.states, key
                previous = key
