"""Bookmarks (R-Q3); the pages themselves are in test_index.py."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtm_emulator import ErrorCode, RtmError, _paging
from rtm_emulator._paging import decode_bookmark, encode_bookmark


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
