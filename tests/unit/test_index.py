"""The occupant index: pages in code point order (R-Q2), cursors (R-Q3), look-ahead (R-Q4)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtm_emulator._index import OccupantIndex
from rtm_emulator._types import UserState


class TinyIndex(OccupantIndex):
    """Sublists of 2 to 8 keys: every few operations split or merge one."""

    LOAD = 4


def _page(
    index: OccupantIndex, after: str | None, size: int, with_states: bool = False
) -> tuple[list[str], bool]:
    """(user ids shown, more?), checking the reported last id against the page."""
    shown, last, more = index.page(after, size, with_states)
    ids = [u.user_id for u in shown]
    assert last == (ids[-1] if ids else "")
    return ids, more


def _fill(index: OccupantIndex, keys: list[str]) -> dict[str, UserState]:
    states = {}
    for key in keys:
        states[key] = UserState(key, {"k": key})
        index.insert(key, states[key], UserState(key))
    return states


class TestPages:
    def test_r_q2_pages_in_code_point_order(self) -> None:
        index = OccupantIndex()
        _fill(index, ["b", "a", "B", "10", "9"])
        shown, last, more = index.page(None, 3, with_states=False)
        assert ([UserState("10"), UserState("9"), UserState("B")], "B", True) == (shown, last, more)
        assert (["a", "b"], False) == _page(index, "B", 3)

    def test_with_states_shows_the_current_user_state(self) -> None:
        index = OccupantIndex()
        states = _fill(index, ["a", "b"])
        shown, _, _ = index.page(None, 5, with_states=True)
        assert [states["a"], states["b"]] == shown
        assert shown[0] is states["a"]  # shared, not copied
        index.replace("b", UserState("b", {"mood": "ok"}))
        assert UserState("b", {"mood": "ok"}) == index.page("a", 5, with_states=True)[0][0]

    def test_r_q3_cursor_need_not_be_present(self) -> None:
        index = OccupantIndex()
        _fill(index, ["a", "c", "e"])
        assert (["c", "e"], False) == _page(index, "b", 5)
        assert (["e"], False) == _page(index, "c", 5)
        assert ([], False) == _page(index, "e", 5)
        assert ([], False) == _page(index, "z", 5)

    def test_r_q4_exactly_full_last_page_has_no_more(self) -> None:
        index = OccupantIndex()
        _fill(index, ["a", "b", "c"])
        assert (["a", "b", "c"], False) == _page(index, None, 3)
        assert (["a", "b"], True) == _page(index, None, 2)
        assert ([], "", False) == OccupantIndex().page(None, 3, False)

    def test_a_page_spans_sublists(self) -> None:
        index = TinyIndex()
        keys = [f"u{i:03d}" for i in range(0, 100, 2)]
        _fill(index, keys)
        index.check()
        assert (keys[21:41], True) == _page(index, "u041", 20, with_states=True)
        assert (keys[45:], False) == _page(index, "u089", 20)
        assert (keys[40:], False) == _page(index, "u079", 10)

    def test_missing_keys_are_key_errors(self) -> None:
        index = OccupantIndex()
        _fill(index, ["a"])
        with pytest.raises(KeyError):
            index.remove("b")
        with pytest.raises(KeyError):
            index.replace("0", UserState("0"))
        index.remove("a")
        with pytest.raises(KeyError):
            index.remove("a")
        assert 0 == len(index)


OPS = st.lists(
    st.tuples(st.sampled_from(["insert", "remove", "replace"]), st.integers(0, 60)),
    max_size=200,
)


class TestAgainstASortedList:
    """Any sequence of changes: the index agrees with a sorted list and stays well formed."""

    @settings(max_examples=150, deadline=None)
    @given(ops=OPS, after=st.none() | st.integers(-1, 61), size=st.integers(1, 12))
    def test_model(self, ops: list[tuple[str, int]], after: int | None, size: int) -> None:
        index = TinyIndex()
        model: dict[str, UserState] = {}
        for n, (op, i) in enumerate(ops):
            key = f"u{i:02d}"
            if op == "insert" and key not in model:
                model[key] = UserState(key, {"n": str(n)})
                index.insert(key, model[key], UserState(key))
            elif op == "remove" and key in model:
                del model[key]
                index.remove(key)
            elif op == "replace" and key in model:
                model[key] = UserState(key, {"n": str(n)})
                index.replace(key, model[key])
            index.check()
        ordered = sorted(model)
        assert ordered == list(index)
        assert [model[k] for k in ordered] == list(index.states())
        assert len(ordered) == len(index)
        cursor = None if after is None else f"u{after:02d}"
        rest = ordered if cursor is None else [k for k in ordered if k > cursor]
        for with_states in (False, True):
            shown, last, more = index.page(cursor, size, with_states)
            ids = rest[:size]
            assert (len(rest) > size, ids[-1] if ids else "") == (more, last)
            assert [model[k] if with_states else UserState(k) for k in ids] == shown

    def test_a_full_walk_visits_everyone_once(self) -> None:
        index = TinyIndex()
        keys = [f"u{i:04d}" for i in range(500)]
        _fill(index, keys[::-1])
        seen: list[str] = []
        cursor = None
        while True:
            ids, more = _page(index, cursor, 7)
            seen += ids
            if not more:
                break
            cursor = ids[-1]
        assert keys == seen
