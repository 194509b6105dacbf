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
        ids, shown, more = index.page(None, 3, with_states=False)
        assert (["10", "9", "B"], True) == (ids, more)
        assert [UserState("10"), UserState("9"), UserState("B")] == shown
        assert (["a", "b"], False) == index.page("B", 3, with_states=False)[::2]

    def test_with_states_shows_the_current_user_state(self) -> None:
        index = OccupantIndex()
        states = _fill(index, ["a", "b"])
        _, shown, _ = index.page(None, 5, with_states=True)
        assert [states["a"], states["b"]] == shown
        assert shown[0] is states["a"]  # shared, not copied
        index.replace("b", UserState("b", {"mood": "ok"}))
        assert UserState("b", {"mood": "ok"}) == index.page("a", 5, with_states=True)[1][0]

    def test_r_q3_cursor_need_not_be_present(self) -> None:
        index = OccupantIndex()
        _fill(index, ["a", "c", "e"])
        assert (["c", "e"], False) == index.page("b", 5, False)[::2]
        assert (["e"], False) == index.page("c", 5, False)[::2]
        assert ([], False) == index.page("e", 5, False)[::2]
        assert ([], False) == index.page("z", 5, False)[::2]

    def test_r_q4_exactly_full_last_page_has_no_more(self) -> None:
        index = OccupantIndex()
        _fill(index, ["a", "b", "c"])
        assert (["a", "b", "c"], False) == index.page(None, 3, False)[::2]
        assert ([], [], False) == OccupantIndex().page(None, 3, False)

    def test_a_page_spans_sublists(self) -> None:
        index = TinyIndex()
        keys = [f"u{i:03d}" for i in range(0, 100, 2)]
        _fill(index, keys)
        index.check()
        ids, shown, more = index.page("u041", 20, with_states=True)
        assert keys[21:41] == ids and more
        assert [k for k in ids] == [s.user_id for s in shown]

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
            ids, shown, more = index.page(cursor, size, with_states)
            assert (rest[:size], len(rest) > size) == (ids, more)
            expected = [model[k] if with_states else UserState(k) for k in ids]
            assert expected == shown

    def test_a_full_walk_visits_everyone_once(self) -> None:
        index = TinyIndex()
        keys = [f"u{i:04d}" for i in range(500)]
        _fill(index, keys[::-1])
        seen: list[str] = []
        cursor = None
        while True:
            ids, _, more = index.page(cursor, 7, False)
            seen += ids
            if not more:
                break
            cursor = ids[-1]
        assert keys == seen
