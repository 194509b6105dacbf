"""Bookmarks and cursor pages (R-Q2, R-Q3, R-Q4)."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sortedcontainers import SortedDict

from rtm_emulator import ErrorCode, RtmError, _paging
from rtm_emulator._paging import decode_bookmark, encode_bookmark, page_after


class TestPageAfter:
    """Pages start strictly after the cursor and look one id ahead."""

    def test_r_q2_pages_in_code_point_order(self) -> None:
        index = SortedDict.fromkeys(["b", "a", "B", "10", "9"])
        assert (["10", "9", "B"], True) == page_after(index, None, 3)
        assert (["a", "b"], False) == page_after(index, "B", 3)

    def test_r_q3_cursor_need_not_be_present(self) -> None:
        index = SortedDict.fromkeys(["a", "c", "e"])
        assert (["c", "e"], False) == page_after(index, "b", 5)
        assert (["e"], False) == page_after(index, "c", 5)

    def test_r_q4_exactly_full_last_page_has_no_more(self) -> None:
        index = SortedDict.fromkeys(["a", "b", "c"])
        assert (["a", "b", "c"], False) == page_after(index, None, 3)
        assert ([], False) == page_after(SortedDict(), None, 3)

    def test_a_page_costs_the_same_anywhere_in_a_large_index(self) -> None:
        index = SortedDict.fromkeys(f"u{i:06d}" for i in range(0, 200_000, 2))
        ids, more = page_after(index, "u100001", 4)
        assert (["u100002", "u100004", "u100006", "u100008"], True) == (ids, more)
        assert ([], False) == page_after(index, "u199998", 4)
        assert (["u199998"], False) == page_after(index, "u199997", 4)


class TestBookmark:
    """A bookmark belongs to one app, channel and option set (R-Q3)."""

    def test_r_q3_round_trip(self) -> None:
        token = encode_bookmark("app", "MESSAGE", "room", False, "bob")
        assert "bob" == decode_bookmark("whoNow", token, "app", "MESSAGE", "room", False)

    def test_r_q3_deterministic(self) -> None:
        first = encode_bookmark("app", "STREAM", "room", True, "zed")
        assert first == encode_bookmark("app", "STREAM", "room", True, "zed")

    @pytest.mark.parametrize(
        ("app", "ctype", "name", "state"),
        [
            ("other", "MESSAGE", "room", False),
            ("app", "STREAM", "room", False),
            ("app", "MESSAGE", "hall", False),
            ("app", "MESSAGE", "room", True),
        ],
    )
    def test_r_q3_foreign_bookmark_rejected(
        self, app: str, ctype: str, name: str, state: bool
    ) -> None:
        token = encode_bookmark("app", "MESSAGE", "room", False, "bob")
        with pytest.raises(RtmError) as info:
            decode_bookmark("whoNow", token, app, ctype, name, state)
        assert ErrorCode.PRESENCE_INVALID_ARGUMENT == info.value.error_code
        assert token in info.value.reason

    @pytest.mark.parametrize("forged", ["yourBookMark", ".", "abc.def", "x" * 40])
    def test_r_q3_forged_bookmark_rejected(self, forged: str) -> None:
        with pytest.raises(RtmError) as info:
            decode_bookmark("getOnlineUsers", forged, "app", "MESSAGE", "room", False)
        assert ErrorCode.PRESENCE_INVALID_ARGUMENT == info.value.error_code
        assert "getOnlineUsers" == info.value.operation
        assert repr(forged) in info.value.reason

    def test_r_q3_tampered_bookmark_rejected(self) -> None:
        token = encode_bookmark("app", "MESSAGE", "room", False, "bob")
        body, mac = token.split(".")
        tampered = body[:-1] + ("A" if body[-1] != "A" else "B") + "." + mac
        with pytest.raises(RtmError):
            decode_bookmark("whoNow", tampered, "app", "MESSAGE", "room", False)


class TestBookmarkEncoding:
    """The written-out encoding is the JSON the format promises; the cache is a shortcut."""

    @given(app=st.text(min_size=1), name=st.text(min_size=1), after=st.text())
    def test_payload_is_compact_ascii_json(self, app: str, name: str, after: str) -> None:
        token = encode_bookmark(app, "STREAM", name, True, after)
        body = token.rpartition(".")[0]
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("ascii")
        expected = json.dumps([1, app, "STREAM", name, 1, after], separators=(",", ":"))
        assert expected == payload

    def test_decoding_does_not_need_the_cache_of_issued_bookmarks(self) -> None:
        token = encode_bookmark("app", "MESSAGE", "room", True, "bob")
        _paging._ISSUED.clear()
        assert "bob" == decode_bookmark("whoNow", token, "app", "MESSAGE", "room", True)
        with pytest.raises(RtmError):
            decode_bookmark("whoNow", token, "app", "MESSAGE", "room", False)

    def test_the_cache_of_issued_bookmarks_stays_bounded(self) -> None:
        for i in range(_paging._ISSUED_MAX + 10):
            encode_bookmark("app", "MESSAGE", "room", False, f"u{i}")
        assert len(_paging._ISSUED) == _paging._ISSUED_MAX
        first = encode_bookmark("app", "MESSAGE", "room", False, "u0")  # evicted, re-issued
        assert "u0" == decode_bookmark("whoNow", first, "app", "MESSAGE", "room", False)


class TestPageAfterAgainstSorted:
    """``page_after`` reads the sorted list's sublists: it must agree with ``sorted()``."""

    @given(
        keys=st.sets(st.text(alphabet="abcXYZ019", max_size=4), max_size=60),
        after=st.none() | st.text(alphabet="abcXYZ019", max_size=4),
        size=st.integers(1, 12),
        load=st.integers(4, 8),
    )
    def test_same_page_as_a_sorted_list(
        self, keys: set[str], after: str | None, size: int, load: int
    ) -> None:
        index = SortedDict()
        index._list._reset(load)  # tiny sublists: pages span several of them
        for key in sorted(keys):
            index[key] = None
        for key in sorted(keys)[::3]:  # deletions merge and shrink sublists
            del index[key]
        ordered = [k for i, k in enumerate(sorted(keys)) if i % 3]
        rest = ordered if after is None else [k for k in ordered if k > after]
        assert (rest[:size], len(rest) > size) == page_after(index, after, size)
