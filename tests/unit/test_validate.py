"""Unit tests of ``rtm_emulator._validate``: the SDK's argument checks (R-C1, R-C2, R-S1..R-S3,
R-Q3, R-X3).

Expected values are the SDK's (agora-rtm.js 2.3.0, as probed in Node) and,
for ``atob`` / ``btoa``, Node 20's own results, hard-coded here.  The module is loaded on
its own, so these tests run while the rest of the package is being rewritten.
"""

from __future__ import annotations

import importlib
import json
import pickle
from typing import Any, ClassVar

import pytest

v = importlib.import_module("rtm_emulator._validate")
errors = importlib.import_module("rtm_emulator._errors")
ChannelType = importlib.import_module("rtm_emulator._types").ChannelType
RtmError = errors.RtmError
ConfigError = errors.ConfigError
SdkTypeError = errors.SdkTypeError
SdkInvalidCharacterError = errors.SdkInvalidCharacterError

SET = "presenceSetState"
REMOVE = "presenceRemoveState"

#: R-C1: the SDK charset's punctuation, all valid together (agora-rtm.js 2.3.0 probe).
PUNCTUATION = "!#$%&()+,-:;<=>?@[]^_{|}~"


def rtm_error(call: Any, *args: Any) -> tuple[int, str, str, str]:
    """``(code, operation, name, reason)`` of the RtmError ``call(*args)`` raises."""
    with pytest.raises(RtmError) as info:
        call(*args)
    err = info.value
    assert err.detail, "every validation error names the bad value in detail"
    return (int(err.code), err.operation, err.name, err.reason)


INVALID_KEY = (-13006, SET, "RtmInvalidArgumentError", "Invalid presence state key.")
KEY_TOO_LONG = (-13008, SET, "RtmInvalidArgumentError", "Presence state key length is too long.")
VALUE_TOO_LONG = (
    -13009,
    SET,
    "RtmLimitExceededError",
    "Presence state value length is too long.",
)
TOO_MANY = (-13005, SET, "RtmLimitExceededError", "Exceed presence state count limitation.")
EMPTY = (
    -13003,
    SET,
    "RtmInvalidArgumentError",
    "Presence operation failed due to invalid argument.state of parameter is empty.",
)


def removing(code_reason: tuple[int, str, str, str]) -> tuple[int, str, str, str]:
    code, _, name, reason = code_reason
    return (code, REMOVE, name, reason)


DUPLICATE = (
    -13010,
    REMOVE,
    "RtmInvalidArgumentError",
    "Presence operation failed since including duplicate key.",
)


class TestRC1Names:
    """R-C1: user ids and channel names, the SDK's predicate (agora-rtm.js 2.3.0 probe)."""

    VALID: ClassVar[list[str]] = [
        "null",
        "undefined",
        "a_",
        " ",
        "a b",
        "123",
        "a" * 64,
        PUNCTUATION,
        "A",
        "~",
    ]
    INVALID: ClassVar[list[object]] = [
        "a.b",
        "a" * 65,
        "_a",
        "é",
        "a*b",
        "a/b",
        "a`b",
        "a'b",
        'a"b',
        "a\\b",
        "",
        ".",
        "*s*x",
        "a\n",  # a final newline ($ in a Python regex would accept it)
        "\n",
        "a\tb",
        "ａ",  # fullwidth letter
        "١",  # Arabic-Indic digit: not ASCII \d
        "a\x00",
        123,
        5,
        None,
        True,
        b"abc",
        ["a"],
    ]

    @pytest.mark.parametrize("value", VALID)
    def test_r_c1_valid(self, value: str) -> None:
        assert v.is_valid_name(value)
        assert value == v.check_user_id("initRTM", value)
        assert value == v.check_channel_name("subscribe", value)

    @pytest.mark.parametrize("value", INVALID)
    def test_r_c1_invalid_user_id_is_minus_10006(self, value: object) -> None:
        assert not v.is_valid_name(value)
        assert (
            -10006,
            "initRTM",
            "RtmInvalidArgumentError",
            "Invalid user id. illegal symbol or too long.",
        ) == rtm_error(v.check_user_id, "initRTM", value)

    @pytest.mark.parametrize("value", INVALID)
    def test_r_c1_invalid_channel_name_is_minus_10008(self, value: object) -> None:
        assert (
            -10008,
            "subscribe",
            "RtmInvalidArgumentError",
            "Invalid channel name. illegal symbol or too long.",
        ) == rtm_error(v.check_channel_name, "subscribe", value)

    @pytest.mark.parametrize("char", list(PUNCTUATION))
    def test_r_c1_each_punctuation_character_alone(self, char: str) -> None:
        assert (char != "_") == v.is_valid_name(char)

    def test_r_c1_every_other_ascii_character_is_refused(self) -> None:
        allowed = set(PUNCTUATION + " ")
        refused = [
            chr(c)
            for c in range(128)
            if not chr(c).isalnum() and chr(c) not in allowed and v.is_valid_name("a" + chr(c))
        ]
        assert [] == refused
        assert [] == [c for c in ".*/`'\"\\\t\n" if v.is_valid_name("a" + c)]

    def test_r_c1_a_name_repeated_stays_valid_and_invalid_stays_invalid(self) -> None:
        for _ in range(3):
            assert v.is_valid_name("repeat-me")
            assert not v.is_valid_name("_repeat-me")

    def test_str_subclass_is_returned_as_plain_str_of_its_characters(self) -> None:
        class Tricky(str):
            def __str__(self) -> str:
                return "_evil"

        value = Tricky("alice")
        got = v.check_user_id("initRTM", value)
        assert ("alice", str) == (got, type(got))
        assert str is type(v.check_channel_name("subscribe", Tricky("room")))
        assert not v.is_valid_name(Tricky("_x"))

    def test_detail_names_the_value(self) -> None:
        with pytest.raises(RtmError) as info:
            v.check_channel_name("whoNow", "a.b")
        assert "'a.b'" in info.value.detail and "'.'" in info.value.detail


class TestRC2AppId:
    """R-C2: exactly 32 ASCII letters or digits, else -10003 at construction (``initRTM``)."""

    @pytest.mark.parametrize(
        "value",
        ["0123456789abcdef0123456789abcdef", "0123456789ABCDEFGHIJKLMNOPQRSTUV", "z" * 32],
    )
    def test_r_c2_valid(self, value: str) -> None:
        assert value == v.check_app_id(value)

    @pytest.mark.parametrize(
        "value",
        [
            "",
            "a" * 31,
            "a" * 33,
            "0123456789abcdef0123456789abcde-",
            "0123456789abcdef0123456789abcde\n",
            "0123456789abcdef0123456789abcdeé",
            "0123456789abcdef0123456789abcde١",
            12345,
            None,
        ],
    )
    def test_r_c2_invalid_is_minus_10003(self, value: object) -> None:
        assert (
            -10003,
            "initRTM",
            "RtmUnavailableError",
            "Invalid App id. illegal symbol or too long.",
        ) == rtm_error(v.check_app_id, value)


class TestChannelType:
    """R-X1: ``MESSAGE`` and ``STREAM`` only, else -10019 (``USER`` included)."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("MESSAGE", "MESSAGE"),
            ("STREAM", "STREAM"),
            (ChannelType.MESSAGE, "MESSAGE"),
            (ChannelType.STREAM, "STREAM"),
        ],
    )
    def test_valid(self, value: object, expected: str) -> None:
        got = v.check_channel_type("whoNow", value)
        assert isinstance(got, ChannelType)
        assert ChannelType(expected) is got

    @pytest.mark.parametrize("value", ["USER", "message", "Stream", "", " MESSAGE", None, 1])
    def test_invalid_is_minus_10019(self, value: object) -> None:
        assert (
            -10019,
            "whoNow",
            "RtmInvalidArgumentError",
            "Invalid channel type, some api not support set channel type as user.",
        ) == rtm_error(v.check_channel_type, "whoNow", value)


class TestRS3StateKey:
    """R-S3: a key is 1..32 UTF-8 bytes of the R-C1 charset, size first (agora-rtm.js probe)."""

    @pytest.mark.parametrize("key", ["a" * 32, "a b", "null", "a_b", "0", "~", PUNCTUATION])
    def test_r_s3_valid_keys(self, key: str) -> None:
        assert v.check_state_key(SET, key) is None

    @pytest.mark.parametrize("key", ["a" * 33, "a" * 64, "a" * 65, "_" * 33, "é" * 17, "." * 33])
    def test_r_s3_key_over_32_bytes_is_minus_13008_before_the_charset(self, key: str) -> None:
        assert KEY_TOO_LONG == rtm_error(v.check_state_key, SET, key)

    @pytest.mark.parametrize(
        "key", ["", "_bad", "a.b", "a*b", "a/b", "a`b", "é", "é" * 16, "a\n", 1, None, True, ["a"]]
    )
    def test_r_s3_invalid_key_is_minus_13006(self, key: object) -> None:
        assert INVALID_KEY == rtm_error(v.check_state_key, SET, key)

    def test_r_s3_key_bytes_count_lone_surrogates_as_three(self) -> None:
        # JS TextEncoder writes U+FFFD (3 bytes) for a lone surrogate
        assert INVALID_KEY == rtm_error(v.check_state_key, SET, "\ud800" * 10)  # 30 bytes
        assert KEY_TOO_LONG == rtm_error(v.check_state_key, SET, "\ud800" * 11)  # 33 bytes

    def test_r_s3_operation_is_the_callers(self) -> None:
        assert removing(INVALID_KEY) == rtm_error(v.check_state_key, REMOVE, "_x")


class TestRS1StateValue:
    """R-S1 / R-S3: values are JSON values, not type-checked; strings up to 16384 bytes."""

    @pytest.mark.parametrize(
        "value",
        ["x" * 16384, "x" * 8193, "", "v", 1, 0, -2.5, False, True, None, {"x": 1}, [1, "a"]],
    )
    def test_r_s1_any_json_value_passes_and_compares_equal(self, value: object) -> None:
        got = v.check_state_value(SET, "k", value)
        assert value == got
        assert type(value) is type(got) or isinstance(got, (list, dict))

    @pytest.mark.parametrize("value", ["x" * 16385, "é" * 8193, "x" * 20000])
    def test_r_s3_string_over_16384_bytes_is_minus_13009(self, value: str) -> None:
        assert VALUE_TOO_LONG == rtm_error(v.check_state_value, SET, "k", value)

    def test_r_s3_value_bytes_are_utf8_bytes(self) -> None:
        assert "é" * 8192 == v.check_state_value(SET, "k", "é" * 8192)  # 16384 bytes
        assert "😀" * 4096 == v.check_state_value(SET, "k", "😀" * 4096)  # 16384 bytes
        assert VALUE_TOO_LONG == rtm_error(v.check_state_value, SET, "k", "😀" * 4096 + "x")

    def test_r_s1_only_strings_are_measured(self) -> None:
        big = ["x" * 20000]
        assert big == v.check_state_value(SET, "k", big)
        assert {"a": "x" * 20000} == v.check_state_value(SET, "k", {"a": "x" * 20000})

    def test_r_s1_result_is_a_frozen_deep_copy(self) -> None:
        given: dict[str, Any] = {"a": [1, {"b": "c"}], "d": (2, 3)}
        got = v.check_state_value(SET, "k", given)
        given["a"][1]["b"] = "changed"
        given["a"].append(9)
        assert {"a": [1, {"b": "c"}], "d": [2, 3]} == got
        assert isinstance(got, v.JsonObject)
        assert isinstance(got["a"], v.JsonList)
        with pytest.raises(TypeError):
            got["x"] = 1
        with pytest.raises(TypeError):
            got["a"].append(1)
        with pytest.raises(TypeError):
            got["a"][0] = 5
        assert hash(got) == hash(v.check_state_value(SET, "k", {"d": [2, 3], "a": [1, {"b": "c"}]}))

    def test_r_s1_frozen_values_serialise_and_pickle_as_plain_json(self) -> None:
        got = v.check_state_value(SET, "k", {"a": [1, None, True, 2.5, "s"]})
        assert '{"a": [1, null, true, 2.5, "s"]}' == json.dumps(got)
        back = pickle.loads(pickle.dumps(got))
        assert (got, type(got), type(back["a"])) == (back, type(back), v.JsonList)

    def test_r_s1_nested_object_keys_in_js_order(self) -> None:
        got = v.check_state_value(SET, "k", {"b": 1, "2": 2, "a": 3, "1": 4})
        assert ["1", "2", "b", "a"] == list(got)

    def test_plain_types_come_out(self) -> None:
        import enum

        class Color(enum.IntEnum):
            RED = 1

        class Text(str):
            pass

        got = v.check_state_value(SET, "k", [Color.RED, Text("t"), ChannelType.MESSAGE])
        assert [int, str, str] == [type(x) for x in got]
        assert [1, "t", "MESSAGE"] == got

    @pytest.mark.parametrize(
        "value",
        [
            b"x",
            bytearray(b"x"),
            {1, 2},
            frozenset(),
            object(),
            float("nan"),
            float("inf"),
            -float("inf"),
            {1: "a"},
            [b"x"],
            {"a": {"b": {1, 2}}},
            1j,
        ],
    )
    def test_r_x3_a_value_json_cannot_carry_is_a_type_error(self, value: object) -> None:
        with pytest.raises(SdkTypeError) as info:
            v.check_state_value(SET, "mood", value)
        assert isinstance(info.value, TypeError)
        assert "'mood'" in str(info.value)

    def test_r_x3_a_cycle_is_a_type_error(self) -> None:
        loop: list[Any] = [1]
        loop.append(loop)
        with pytest.raises(SdkTypeError):
            v.check_state_value(SET, "k", loop)
        shared = [1]
        assert [[1], [1]] == v.check_state_value(SET, "k", [shared, shared])  # no cycle

    def test_r_x3_nesting_too_deep_is_a_type_error(self) -> None:
        deep: list[Any] = []
        for _ in range(5000):
            deep = [deep]
        with pytest.raises(SdkTypeError):
            v.check_state_value(SET, "k", deep)

    def test_lone_surrogates_are_stored_as_the_sdk_transport_returns_them(self) -> None:
        assert "a\ufffdb" == v.check_state_value(SET, "k", "a\ud800b")
        assert "😀" == v.check_state_value(SET, "k", "\ud83d\ude00")  # a pair: one character
        assert "plain é" == v.check_state_value(SET, "k", "plain é")
        assert {"\ufffd": ["\ufffd"]} == v.check_state_value(SET, "k", {"\udc00": ["\udfff"]})
        assert 16383 == v.js_utf8_length("x" * 16380 + "\ud800")
        assert VALUE_TOO_LONG == rtm_error(v.check_state_value, SET, "k", "x" * 16382 + "\ud800")


class TestRS3StateItems:
    """R-S3 / R-X3: the ``Object.keys(state)`` view of a ``setState`` argument (SDK probe)."""

    def test_mapping_items_in_order(self) -> None:
        assert [("b", 1), ("a", "x")] == v.state_items(SET, {"b": 1, "a": "x"})

    def test_array_index_keys_come_first_ascending_as_in_js(self) -> None:
        # node: Object.keys({b,"2",a,"1","01","4294967294","4294967295","-1"})
        given = {"b": 0, "2": 0, "a": 0, "1": 0, "01": 0, "4294967294": 0, "4294967295": 0, "-1": 0}
        assert ["1", "2", "4294967294", "b", "a", "01", "4294967295", "-1"] == [
            k for k, _ in v.state_items(SET, given)
        ]

    def test_r_x3_none_is_the_js_type_error(self) -> None:
        with pytest.raises(SdkTypeError) as info:
            v.state_items(SET, None)
        assert "Cannot convert undefined or null to object" == str(info.value)

    def test_string_is_an_object_of_its_characters(self) -> None:
        # probe: state="abc" => OK, stored as {"0":"a","1":"b","2":"c"}
        assert [("0", "a"), ("1", "b"), ("2", "c")] == v.state_items(SET, "abc")
        assert [("0", "\ud83d"), ("1", "\ude00")] == v.state_items(SET, "😀")  # UTF-16 units

    @pytest.mark.parametrize("value", [[], {}, 5, 0, 2.5, True, False, set(), object(), ""])
    def test_no_keys(self, value: object) -> None:
        assert [] == v.state_items(SET, value)

    def test_sequences_are_indexed(self) -> None:
        assert [("0", "x"), ("1", 2)] == v.state_items(SET, ["x", 2])
        assert [("0", 7)] == v.state_items(SET, (7,))

    def test_str_subclass_keys_become_plain(self) -> None:
        class K(str):
            pass

        ((key, _),) = v.state_items(SET, {K("k"): 1})
        assert str is type(key)

    @pytest.mark.parametrize("value", [{1: "a"}, {"a": 1, None: 2}, {("t",): 1}])
    def test_non_string_key_is_minus_13006(self, value: dict[Any, Any]) -> None:
        assert INVALID_KEY == rtm_error(v.state_items, SET, value)


class TestRS3SetStateOrder:
    """R-S3: ``setState``'s checks in the SDK's order, first failure wins (SDK probe)."""

    def test_r_s3_empty_object_is_minus_13003_with_the_sdk_suffix(self) -> None:
        assert EMPTY == rtm_error(v.check_set_state, SET, {})

    @pytest.mark.parametrize("value", [[], 5, True, ""])
    def test_r_s3_no_keys_is_minus_13003(self, value: object) -> None:
        assert EMPTY == rtm_error(v.check_set_state, SET, value)

    def test_r_s3_state_null_is_a_type_error(self) -> None:
        with pytest.raises(SdkTypeError, match=r"^Cannot convert undefined or null to object$"):
            v.check_set_state(SET, None)

    def test_r_s3_string_state_is_stored_by_index(self) -> None:
        assert [("0", "a"), ("1", "b"), ("2", "c")] == v.check_set_state(SET, "abc")

    def test_r_s3_32_keys_pass_33_are_minus_13005(self) -> None:
        assert 32 == len(v.check_set_state(SET, {f"k{i}": "v" for i in range(32)}))
        assert TOO_MANY == rtm_error(v.check_set_state, SET, {f"k{i}": "v" for i in range(33)})

    def test_r_s3_count_before_keys(self) -> None:
        state = {**{f"k{i}": "v" for i in range(32)}, "_bad": "v"}
        assert TOO_MANY == rtm_error(v.check_set_state, SET, state)

    def test_r_s3_union_with_the_old_keys(self) -> None:
        old = [f"o{i}" for i in range(20)]
        assert 12 == len(v.check_set_state(SET, {f"n{i}": "v" for i in range(12)}, old))
        assert TOO_MANY == rtm_error(v.check_set_state, SET, {f"n{i}": "v" for i in range(13)}, old)
        assert 5 == len(v.check_set_state(SET, {f"o{i}": "w" for i in range(5)}, old))

    def test_r_s3_union_before_the_cache_and_keys(self) -> None:
        old = [f"o{i}" for i in range(32)]
        assert TOO_MANY == rtm_error(v.check_set_state, SET, {"_bad": 1}, old, 500)

    def test_r_s4_cache_over_100_entries_is_minus_13004(self) -> None:
        assert [("k", "v")] == v.check_set_state(SET, {"k": "v"}, (), 100)
        assert (
            -13004,
            SET,
            "RtmLimitExceededError",
            "Exceed presence cache limitation.",
        ) == rtm_error(v.check_set_state, SET, {"k": "v"}, (), 101)

    def test_r_s3_cache_before_the_keys(self) -> None:
        assert -13004 == rtm_error(v.check_set_state, SET, {"_bad": "v"}, (), 101)[0]

    def test_r_s3_keys_in_order_key_before_its_value(self) -> None:
        assert INVALID_KEY == rtm_error(v.check_set_state, SET, {"_bad": "x" * 20000})
        assert VALUE_TOO_LONG == rtm_error(v.check_set_state, SET, {"a": "x" * 20000, "_bad": "v"})
        assert KEY_TOO_LONG == rtm_error(v.check_set_state, SET, {"ok": "v", "a" * 33: "v"})

    def test_r_s1_values_of_any_json_type(self) -> None:
        # probe: value 1 / false / null / {x:1} / "" => OK
        got = v.check_set_state(SET, {"a": 1, "b": False, "c": None, "d": {"x": 1}, "e": ""})
        assert [("a", 1), ("b", False), ("c", None), ("d", {"x": 1}), ("e", "")] == got

    def test_r_s3_array_index_keys_are_checked_first(self) -> None:
        # JS order puts "7" before "_bad": a 20000-byte value under "7" wins
        assert VALUE_TOO_LONG == rtm_error(v.check_set_state, SET, {"_bad": 1, "7": "x" * 20000})


class TestRS3RemoveStateKeys:
    """R-S2 / R-S3: ``removeState``'s ``states`` (agora-rtm.js 2.3.0 probe)."""

    @pytest.mark.parametrize("value", [None, [], (), v.NOT_GIVEN])
    def test_r_s2_no_states_means_every_key(self, value: object) -> None:
        assert v.remove_state_keys(REMOVE, value) is None

    def test_r_s2_listed_keys(self) -> None:
        assert ("a", "b") == v.remove_state_keys(REMOVE, ["a", "b"])
        assert ("a",) == v.remove_state_keys(REMOVE, ("a",))

    def test_r_s3_duplicates_are_minus_13010(self) -> None:
        assert DUPLICATE == rtm_error(v.remove_state_keys, REMOVE, ["a0", "a0"])

    def test_r_s3_duplicates_before_count(self) -> None:
        assert DUPLICATE == rtm_error(v.remove_state_keys, REMOVE, ["z"] * 33)

    def test_r_s3_33_distinct_are_minus_13005(self) -> None:
        assert 32 == len(v.remove_state_keys(REMOVE, [f"k{i}" for i in range(32)]))
        assert removing(TOO_MANY) == rtm_error(
            v.remove_state_keys, REMOVE, [f"k{i}" for i in range(33)]
        )

    def test_r_s3_count_before_keys(self) -> None:
        keys = ["_bad", *(f"k{i}" for i in range(32))]
        assert removing(TOO_MANY) == rtm_error(v.remove_state_keys, REMOVE, keys)

    @pytest.mark.parametrize(
        ("keys", "expected"),
        [
            (["_x"], removing(INVALID_KEY)),
            (["a" * 33], removing(KEY_TOO_LONG)),
            ([1], removing(INVALID_KEY)),
            ([None], removing(INVALID_KEY)),
            (["ok", ""], removing(INVALID_KEY)),
            (["ok", "a.b", "a" * 33], removing(INVALID_KEY)),
        ],
    )
    def test_r_s3_each_key(self, keys: list[object], expected: tuple[int, str, str, str]) -> None:
        assert expected == rtm_error(v.remove_state_keys, REMOVE, keys)

    def test_duplicates_follow_js_same_value_zero(self) -> None:
        assert DUPLICATE == rtm_error(v.remove_state_keys, REMOVE, [1, 1.0])
        assert DUPLICATE == rtm_error(v.remove_state_keys, REMOVE, [None, None])
        # true and 1 are different JS values: no duplicate, then true is not a key
        assert removing(INVALID_KEY) == rtm_error(v.remove_state_keys, REMOVE, [True, 1])

    def test_r_x3_a_string_is_a_type_error_after_dup_and_count(self) -> None:
        # probe: states:"ab" => TypeError "n.forEach is not a function"
        with pytest.raises(SdkTypeError, match=r"^n\.forEach is not a function$"):
            v.remove_state_keys(REMOVE, "ab")
        assert DUPLICATE == rtm_error(v.remove_state_keys, REMOVE, "aa")  # new Set("aa")
        distinct = "".join(chr(ord("A") + i) for i in range(33))
        assert removing(TOO_MANY) == rtm_error(v.remove_state_keys, REMOVE, distinct)
        with pytest.raises(SdkTypeError):
            v.remove_state_keys(REMOVE, "")

    @pytest.mark.parametrize("value", [5, 0, True, False, {"a": 1}, {}, {"a"}, 2.5])
    def test_r_x3_other_non_arrays_are_the_type_error(self, value: object) -> None:
        with pytest.raises(SdkTypeError, match=r"^n\.forEach is not a function$"):
            v.remove_state_keys(REMOVE, value)

    def test_plain_keys_come_out(self) -> None:
        class K(str):
            pass

        (key,) = v.remove_state_keys(REMOVE, [K("k")])
        assert str is type(key)


#: Node 20's atob: (input, decoded code points) — `node -e 'atob(s)'`.
ATOB_OK = [
    ("", []),
    ("YQ", [97]),
    ("YQ==", [97]),
    ("YWI=", [97, 98]),
    ("YWJj", [97, 98, 99]),
    ("dTI=", [117, 50]),
    ("dTU=", [117, 53]),
    (" Y Q = = ", [97]),
    ("YR==", [97]),
    ("ab\tcd\n\f\r", [105, 183, 29]),
    ("ABC=", [0, 16]),
    ("ABCD", [0, 16, 131]),
    ("//4=", [255, 254]),
    ("/w==", [255]),
    ("+/+/", [251, 255, 191]),
    ("null", [158, 233, 101]),
    ("true", [182, 187, 158]),
    ("AAAA AAAA", [0, 0, 0, 0, 0, 0]),
    ("YQ==\n", [97]),
]
INVALID = "Invalid character"
NOT_ENCODED = "The string to be decoded is not correctly encoded."
#: Node 20's atob failures: (input, DOMException message); all named InvalidCharacterError.
ATOB_FAIL = [
    ("!", INVALID),
    ("a", NOT_ENCODED),
    ("+=", NOT_ENCODED),
    ("A==", NOT_ENCODED),
    ("abcde", NOT_ENCODED),
    ("ab=c", INVALID),
    ("YQ=", INVALID),
    ("YQ===", INVALID),
    ("é", INVALID),
    ("not base64 !!", INVALID),
    ("5", NOT_ENCODED),
    ("undefined", NOT_ENCODED),
    ("ab\vcd", INVALID),
    ("ab\u00a0cd", INVALID),
    ("====", INVALID),
    ("=", INVALID),
    ("A===", INVALID),
    ("AB=A", INVALID),
    ("AB==CD==", INVALID),
    ("AAAA=", INVALID),
    ("AAA==", INVALID),
    ("-_", INVALID),
    ("😀", INVALID),
]


class TestRQ3Atob:
    """R-Q3: a ``page`` is decoded as JS ``atob`` does; failures are JS's exception (R-X3)."""

    @pytest.mark.parametrize(("page", "points"), ATOB_OK)
    def test_r_q3_decodes_as_node(self, page: str, points: list[int]) -> None:
        assert "".join(map(chr, points)) == v.atob(page)

    @pytest.mark.parametrize(("page", "message"), ATOB_FAIL)
    def test_r_q3_fails_as_node(self, page: str, message: str) -> None:
        with pytest.raises(SdkInvalidCharacterError) as info:
            v.atob(page)
        assert (message, "InvalidCharacterError") == (str(info.value), info.value.js_name)
        assert isinstance(info.value, ValueError)

    @pytest.mark.parametrize(
        ("page", "outcome"),
        [(5, NOT_ENCODED), (None, "\x9e\xe9e"), (True, "\xb6\xbb\x9e"), (1234, "\xd7m\xf8")],
    )
    def test_r_q3_non_strings_convert_like_js_string(self, page: object, outcome: str) -> None:
        # probe: page 5 => InvalidCharacterError; String(null) is "null"
        if outcome == NOT_ENCODED:
            with pytest.raises(SdkInvalidCharacterError, match=NOT_ENCODED):
                v.atob(page)
        else:
            assert outcome == v.atob(page)


class TestRQ3Btoa:
    """R-Q3: ``nextPage`` is the standard base64 of the last user id (Node's ``btoa``)."""

    @pytest.mark.parametrize(
        ("text", "encoded"),
        [
            ("", ""),
            ("a", "YQ=="),
            ("u2", "dTI="),
            ("u5", "dTU="),
            ("alice", "YWxpY2U="),
            ("\u00ff\u00fe", "//4="),
            ("A" * 64, "QUFB" * 21 + "QQ=="),
            (PUNCTUATION, "ISMkJSYoKSssLTo7PD0+P0BbXV5fe3x9fg=="),
        ],
    )
    def test_r_q3_encodes_as_node(self, text: str, encoded: str) -> None:
        assert encoded == v.btoa(text)
        assert text == v.atob(encoded)

    @pytest.mark.parametrize("text", ["\u0100", "😀", "\ud800"])
    def test_r_q3_above_latin1_is_invalid_character(self, text: str) -> None:
        with pytest.raises(SdkInvalidCharacterError, match=r"^Invalid character$"):
            v.btoa(text)

    def test_r_q3_every_valid_user_id_round_trips(self) -> None:
        for uid in ["null", " ", "a" * 64, PUNCTUATION, "Zz09"]:
            assert uid == v.atob(v.btoa(uid))


class TestDurations:
    """Harness durations (seconds → ms); misuse is a ``ConfigError`` (``ValueError``)."""

    @pytest.mark.parametrize(("seconds", "ms"), [(0, 0), (1.5, 1500), (0.0004, 0), (1e9, 10**12)])
    def test_to_ms(self, seconds: float, ms: int) -> None:
        assert ms == v.check_duration_ms("advance", seconds)

    @pytest.mark.parametrize("seconds", [-1, float("nan"), float("inf"), 1e10, "1", True, None])
    def test_refused(self, seconds: object) -> None:
        with pytest.raises(ConfigError) as info:
            v.check_duration_ms("advance", seconds)
        assert (-10014, "advance") == (info.value.code, info.value.operation)
        assert isinstance(info.value, ValueError)

    def test_negative_allowed(self) -> None:
        assert -2000 == v.check_duration_ms("at", -2, allow_negative=True)


def test_limits_are_the_sdks() -> None:
    """R-C1 / R-S3 / R-S4 constants (agora-rtm.js 2.3.0)."""
    assert (32, 32, 16384, 64, 100) == (
        v.MAX_STATE_KEYS,
        v.MAX_KEY_BYTES,
        v.MAX_VALUE_BYTES,
        v.MAX_NAME_CHARS,
        v.MAX_CACHE_ENTRIES,
    )
