"""Unit tests of ``rtm_emulator._errors``: the SDK's codes, reasons, classes (R-X1..R-X3).

Expected values come from the SDK runtime (agora-rtm.js 2.3.0): its error-code enum, its
reason table as an app sees it (the SDK adds a final "."), and the error classes its
presence / subscribe / join / login paths raise.  The module is loaded on its own, so
these tests run while the rest of the package is being rewritten.
"""

from __future__ import annotations

import importlib
import json
import pickle
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

errors = importlib.import_module("rtm_emulator._errors")
ErrorCode = errors.ErrorCode
RtmError = errors.RtmError
ConfigError = errors.ConfigError
REASONS = errors.REASONS
ERROR_CLASS = errors.ERROR_CLASS
SdkTypeError = errors.SdkTypeError
SdkInvalidCharacterError = errors.SdkInvalidCharacterError

#: The 2.3.0 enum, code -> name without "RTM_ERROR_" (agora-rtm.js 2.3.0).
SDK_ENUM = [
    (0, "OK"),
    (-10001, "NOT_INITIALIZED"),
    (-10002, "NOT_LOGIN"),
    (-10003, "INVALID_APP_ID"),
    (-10004, "INVALID_EVENT_HANDLER"),
    (-10005, "INVALID_TOKEN"),
    (-10006, "INVALID_USER_ID"),
    (-10007, "INIT_SERVICE_FAILED"),
    (-10008, "INVALID_CHANNEL_NAME"),
    (-10009, "TOKEN_EXPIRED"),
    (-10010, "LOGIN_NO_SERVER_RESOURCES"),
    (-10011, "LOGIN_TIMEOUT"),
    (-10012, "LOGIN_REJECTED"),
    (-10013, "LOGIN_ABORTED"),
    (-10014, "INVALID_PARAMETER"),
    (-10015, "LOGIN_NOT_AUTHORIZED"),
    (-10016, "INCONSISTENT_APPID"),
    (-10017, "DUPLICATE_OPERATION"),
    (-10018, "INSTANCE_ALREADY_RELEASED"),
    (-10019, "INVALID_CHANNEL_TYPE"),
    (-10020, "INVALID_ENCRYPTION_PARAMETER"),
    (-10021, "OPERATION_RATE_EXCEED_LIMITATION"),
    (-10022, "SERVICE_NOT_SUPPORTED"),
    (-10023, "LOGIN_CANCELED"),
    (-10024, "INVALID_PRIVATE_CONFIG"),
    (-10025, "NOT_CONNECTED"),
    (-10026, "RENEW_TOKEN_TIMEOUT"),
    (-10027, "DUPLICATE_USER_ID"),
    (-11001, "CHANNEL_NOT_JOINED"),
    (-11002, "CHANNEL_NOT_SUBSCRIBED"),
    (-11003, "CHANNEL_EXCEED_TOPIC_USER_LIMITATION"),
    (-11004, "CHANNEL_IN_REUSE"),
    (-11005, "CHANNEL_INSTANCE_EXCEED_LIMITATION"),
    (-11006, "CHANNEL_IN_ERROR_STATE"),
    (-11007, "CHANNEL_JOIN_FAILED"),
    (-11008, "CHANNEL_INVALID_TOPIC_NAME"),
    (-11009, "CHANNEL_INVALID_MESSAGE"),
    (-11010, "CHANNEL_MESSAGE_LENGTH_EXCEED_LIMITATION"),
    (-11011, "CHANNEL_INVALID_USER_LIST"),
    (-11012, "CHANNEL_NOT_AVAILABLE"),
    (-11013, "CHANNEL_TOPIC_NOT_SUBSCRIBED"),
    (-11014, "CHANNEL_EXCEED_TOPIC_LIMITATION"),
    (-11015, "CHANNEL_JOIN_TOPIC_FAILED"),
    (-11016, "CHANNEL_TOPIC_NOT_JOINED"),
    (-11017, "CHANNEL_TOPIC_NOT_EXIST"),
    (-11018, "CHANNEL_INVALID_TOPIC_META"),
    (-11019, "CHANNEL_SUBSCRIBE_TIMEOUT"),
    (-11020, "CHANNEL_SUBSCRIBE_TOO_FREQUENT"),
    (-11021, "CHANNEL_SUBSCRIBE_FAILED"),
    (-11022, "CHANNEL_UNSUBSCRIBE_FAILED"),
    (-11023, "CHANNEL_ENCRYPT_MESSAGE_FAILED"),
    (-11024, "CHANNEL_PUBLISH_MESSAGE_FAILED"),
    (-11025, "CHANNEL_PUBLISH_MESSAGE_TOO_FREQUENT"),
    (-11026, "CHANNEL_PUBLISH_MESSAGE_TIMEOUT"),
    (-11027, "CHANNEL_NOT_CONNECTED"),
    (-11028, "CHANNEL_LEAVE_FAILED"),
    (-11029, "CHANNEL_CUSTOM_TYPE_LENGTH_OVERFLOW"),
    (-11030, "CHANNEL_INVALID_CUSTOM_TYPE"),
    (-11031, "CHANNEL_UNSUPPORTED_MESSAGE_TYPE"),
    (-11032, "CHANNEL_PRESENCE_NOT_READY"),
    (-11033, "CHANNEL_RECEIVER_OFFLINE"),
    (-11034, "CHANNEL_JOIN_CANCELED"),
    (-11035, "CHANNEL_RECEIVER_OFFLINE_BUT_STORE_SUCCEEDED"),
    (-11036, "CHANNEL_RECEIVER_OFFLINE_AND_STORE_FAILED"),
    (-11037, "CHANNEL_MESSAGE_DELIVERED_BUT_STORE_FAILED"),
    (-11038, "CHANNEL_SUBSCRIBE_PERMISSION_DENIED"),
    (-11039, "CHANNEL_PUBLISH_PERMISSION_DENIED"),
    (-11040, "CHANNEL_SUBSCRIBE_CANCELED"),
    (-12001, "STORAGE_OPERATION_FAILED"),
    (-12002, "STORAGE_METADATA_ITEM_EXCEED_LIMITATION"),
    (-12003, "STORAGE_INVALID_METADATA_ITEM"),
    (-12004, "STORAGE_INVALID_ARGUMENT"),
    (-12005, "STORAGE_INVALID_REVISION"),
    (-12006, "STORAGE_METADATA_LENGTH_OVERFLOW"),
    (-12007, "STORAGE_INVALID_LOCK_NAME"),
    (-12008, "STORAGE_LOCK_NOT_ACQUIRED"),
    (-12009, "STORAGE_INVALID_KEY"),
    (-12010, "STORAGE_INVALID_VALUE"),
    (-12011, "STORAGE_KEY_LENGTH_OVERFLOW"),
    (-12012, "STORAGE_VALUE_LENGTH_OVERFLOW"),
    (-12013, "STORAGE_DUPLICATE_KEY"),
    (-12014, "STORAGE_OUTDATED_REVISION"),
    (-12015, "STORAGE_NOT_SUBSCRIBE"),
    (-12016, "STORAGE_INVALID_METADATA_INSTANCE"),
    (-12017, "STORAGE_SUBSCRIBE_USER_EXCEED_LIMITATION"),
    (-12018, "STORAGE_OPERATION_TIMEOUT"),
    (-12019, "STORAGE_NOT_AVAILABLE"),
    (-12020, "STORAGE_PERMISSION_DENIED"),
    (-13001, "PRESENCE_NOT_CONNECTED"),
    (-13002, "PRESENCE_NOT_WRITABLE"),
    (-13003, "PRESENCE_INVALID_ARGUMENT"),
    (-13004, "PRESENCE_CACHED_TOO_MANY_STATES"),
    (-13005, "PRESENCE_STATE_COUNT_OVERFLOW"),
    (-13006, "PRESENCE_INVALID_STATE_KEY"),
    (-13007, "PRESENCE_INVALID_STATE_VALUE"),
    (-13008, "PRESENCE_STATE_KEY_SIZE_OVERFLOW"),
    (-13009, "PRESENCE_STATE_VALUE_SIZE_OVERFLOW"),
    (-13010, "PRESENCE_STATE_DUPLICATE_KEY"),
    (-13011, "PRESENCE_USER_NOT_EXIST"),
    (-13012, "PRESENCE_OPERATION_TIMEOUT"),
    (-13013, "PRESENCE_OPERATION_FAILED"),
    (-13014, "PRESENCE_INACTIVE"),
    (-13015, "PRESENCE_PENDING_REQUEST_CANCELLED"),
    (-13016, "PRESENCE_PENDING_REQUEST_EXCEED_LIMITATION"),
    (-14001, "LOCK_OPERATION_FAILED"),
    (-14002, "LOCK_OPERATION_TIMEOUT"),
    (-14003, "LOCK_OPERATION_PERFORMING"),
    (-14004, "LOCK_ALREADY_EXIST"),
    (-14005, "LOCK_INVALID_NAME"),
    (-14006, "LOCK_NOT_ACQUIRED"),
    (-14007, "LOCK_ACQUIRE_FAILED"),
    (-14008, "LOCK_NOT_EXIST"),
    (-14009, "LOCK_NOT_AVAILABLE"),
    (-14010, "LOCK_PERMISSION_DENIED"),
    (-15001, "HISTORY_OPERATION_FAILED"),
    (-15002, "HISTORY_INVALID_TIMESTAMP"),
    (-15003, "HISTORY_OPERATION_TIMEOUT"),
    (-15004, "HISTORY_OPERATION_NOT_PERMITTED"),
    (-15005, "HISTORY_NOT_AVAILABLE"),
    (-15006, "HISTORY_PERMISSION_DENIED"),
]

#: Reasons observed by the probes (agora-rtm.js 2.3.0), exactly as an app sees them.
OBSERVED_REASONS = {
    -10003: "Invalid App id. illegal symbol or too long.",
    -10006: "Invalid user id. illegal symbol or too long.",
    -10008: "Invalid channel name. illegal symbol or too long.",
    -10017: "Same subscribe, join or login request.",
    -10019: "Invalid channel type, some api not support set channel type as user.",
    -10021: "The operation rate exceeds limitation.",
    -10023: "Login RTM service was canceled by user.",
    -10025: "Perform operation failed due to RTM service is not connected.",
    -10027: "The user ID is already in use by another active RTM instance with the same app ID.",
    -11001: "Perform operation without join stream channel.",
    -11005: "Join or subscribe too many channels and have reach limitation.",
    -13003: "Presence operation failed due to invalid argument.",
    -13004: "Exceed presence cache limitation.",
    -13005: "Exceed presence state count limitation.",
    -13006: "Invalid presence state key.",
    -13008: "Presence state key length is too long.",
    -13009: "Presence state value length is too long.",
    -13010: "Presence operation failed since including duplicate key.",
    -13011: "Presence operation failed due to inexistent user.",
    -13012: "Presence operation timeout.",
    -13015: "Presence pending request cancelled.",
    -13016: "Presence pending request exceeds limitation.",
}

#: Error classes observed by the probes (agora-rtm.js 2.3.0 probes), -11005 as subscribe raises it.
OBSERVED_CLASSES = {
    "RtmInvalidArgumentError": [-10006, -10008, -10019, -13003, -13006, -13008, -13010],
    "RtmLimitExceededError": [-13004, -13005, -13009, -11005],
    "RtmInvalidStatusError": [-10025],
    "RtmUnavailableError": [-10003, -10017, -10021, -10027, -11001, -13011, -13012, -13016],
}

SDK_CLASSES = {
    "RtmInvalidArgumentError",
    "RtmLimitExceededError",
    "RtmInvalidStatusError",
    "RtmUnavailableError",
    "RtmTimeoutError",
    "RtmUnauthenticatedError",
}


class TestRX2ErrorCodeEnum:
    """R-X2: ``ErrorCode`` has every code of the 2.3.0 enum with its name."""

    def test_r_x2_all_120_codes_with_their_names_in_order(self) -> None:
        assert 120 == len(SDK_ENUM)
        assert SDK_ENUM == [(int(member), member.name) for member in ErrorCode]

    @pytest.mark.parametrize(
        ("code", "name"),
        [
            (0, "OK"),
            (-10001, "NOT_INITIALIZED"),
            (-10027, "DUPLICATE_USER_ID"),
            (-11040, "CHANNEL_SUBSCRIBE_CANCELED"),
            (-13014, "PRESENCE_INACTIVE"),
            (-13015, "PRESENCE_PENDING_REQUEST_CANCELLED"),
            (-13016, "PRESENCE_PENDING_REQUEST_EXCEED_LIMITATION"),
            (-15006, "HISTORY_PERMISSION_DENIED"),
        ],
    )
    def test_r_x2_edges_and_codes_new_in_2_3_0(self, code: int, name: str) -> None:
        assert ErrorCode[name] == code
        assert name == ErrorCode(code).name

    def test_r_x2_is_an_int_enum(self) -> None:
        assert -10006 == ErrorCode.INVALID_USER_ID
        assert isinstance(ErrorCode.INVALID_USER_ID, int)


class TestRX2Reasons:
    """The SDK's exact reason texts (semantics.md "Errors"; agora-rtm.js 2.3.0)."""

    @pytest.mark.parametrize(("code", "reason"), sorted(OBSERVED_REASONS.items()))
    def test_reason_as_the_probes_observed_it(self, code: int, reason: str) -> None:
        assert reason == REASONS[ErrorCode(code)]

    def test_every_code_has_a_reason_ending_with_a_period(self) -> None:
        assert set(ErrorCode) == set(REASONS)
        assert [] == [code for code, text in REASONS.items() if not text.endswith(".")]

    @pytest.mark.parametrize(
        ("code", "reason"),
        [
            (-10017, "Same subscribe, join or login request."),
            (-10018, "Instance already released or destroyed, need to create new one."),
            (-10025, "Perform operation failed due to RTM service is not connected."),
        ],
    )
    def test_the_sdk_adds_the_missing_final_period(self, code: int, reason: str) -> None:
        assert reason == REASONS[ErrorCode(code)]

    @pytest.mark.parametrize(
        ("code", "reason"),
        [
            (-10002, "Preform operation without login RTM service."),
            (-10014, "Invalid parameter."),
            (-11002, "Perform operation without subscribe message channel."),
            (-11007, "Join stream channel failed."),
            (-11008, "Perform topic operation with invalid name.illegal symbol or too long."),
            (-11021, "Subscribe message channel failed."),
            (-13001, "Presence service not connected."),
            (-13007, "Invalid presence state value."),
            (-13013, "Presence operation failed."),
            (-13014, "Presence is not enabled for this app in Console."),
        ],
    )
    def test_reason_table_spot_checks(self, code: int, reason: str) -> None:
        assert reason == REASONS[ErrorCode(code)]


_BUNDLE = Path(__file__).resolve().parents[2] / "clients/js/node_modules/agora-rtm-sdk/agora-rtm.js"

_EXTRACT = r"""
const fs = require("fs");
const s = fs.readFileSync(process.argv[1], "utf8");
const a = s.indexOf("let eg=function(A)"), b = s.indexOf("gg={"), c = s.indexOf("},Ig=", b);
const f = new Function(s.slice(a, c + 1) + "; return {eg, gg};");
const { eg, gg } = f();
const out = [];
for (const k of Object.keys(eg)) if (isNaN(Number(k))) out.push([eg[k], k.slice(10), gg[eg[k]]]);
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def bundle_table() -> list[list[Any]]:
    """(code, name, raw reason) of the installed agora-rtm.js 2.3.0, read with Node."""
    node = shutil.which("node")
    if node is None or not _BUNDLE.exists():
        pytest.skip("needs node and clients/js/node_modules/agora-rtm-sdk (npm ci)")
    done = subprocess.run(
        [node, "-e", _EXTRACT, str(_BUNDLE)], capture_output=True, text=True, check=True
    )
    table: list[list[Any]] = json.loads(done.stdout)
    return table


class TestAgainstTheBundle:
    """The enum and reason table equal the installed SDK's (skipped without it)."""

    def test_r_x2_enum_equals_the_bundles(self, bundle_table: list[list[Any]]) -> None:
        assert [(code, name) for code, name, _ in bundle_table] == [
            (int(m), m.name) for m in ErrorCode
        ]

    def test_reasons_equal_the_bundles_texts_with_the_sdk_period(
        self, bundle_table: list[list[Any]]
    ) -> None:
        expected = {
            code: text if text.endswith(".") else text + "." for code, _, text in bundle_table
        }
        assert expected == {int(code): text for code, text in REASONS.items()}


class TestErrorClasses:
    """``err.name``: the SDK class each code is raised with (agora-rtm.js 2.3.0)."""

    @pytest.mark.parametrize(
        ("code", "name"),
        [(code, name) for name, codes in OBSERVED_CLASSES.items() for code in codes],
    )
    def test_class_as_the_probes_observed_it(self, code: int, name: str) -> None:
        assert name == ERROR_CLASS[ErrorCode(code)]
        assert name == RtmError.sdk("op", ErrorCode(code)).name

    def test_every_code_has_an_sdk_class(self) -> None:
        assert set(ErrorCode) == set(ERROR_CLASS)
        assert set(ERROR_CLASS.values()) <= SDK_CLASSES

    @pytest.mark.parametrize(
        ("code", "name"),
        [
            (-10005, "RtmInvalidArgumentError"),  # login: a token that is not a string
            (-10009, "RtmUnauthenticatedError"),  # login: the server says expired
            (-10011, "RtmTimeoutError"),  # login timeout
            (-10013, "RtmUnavailableError"),
            (-10014, "RtmInvalidArgumentError"),  # setParameter
            (-10016, "RtmInvalidArgumentError"),  # login: token of another app
            (-11007, "RtmUnavailableError"),  # stream join
            (-11019, "RtmUnavailableError"),  # subscribe timeout
            (-11021, "RtmUnavailableError"),  # subscribe refused (GroupReply)
            (-11038, "RtmUnavailableError"),
            (-11040, "RtmUnavailableError"),
            (-13001, "RtmUnavailableError"),
            (-13013, "RtmUnavailableError"),
            (-13014, "RtmUnavailableError"),
            (-13015, "RtmUnavailableError"),
        ],
    )
    def test_class_on_the_subscribe_join_login_and_query_paths(self, code: int, name: str) -> None:
        assert name == ERROR_CLASS[ErrorCode(code)]


class TestRtmError:
    """The SDK error shape (semantics.md "Errors"): fields, ``to_dict``, ``str``."""

    def test_sdk_builds_the_sdk_fields(self) -> None:
        err = RtmError.sdk("presenceSetState", ErrorCode.PRESENCE_INVALID_STATE_KEY, detail="d")
        assert (
            True,
            "presenceSetState",
            ErrorCode.PRESENCE_INVALID_STATE_KEY,
            -13006,
            "Invalid presence state key.",
            "RtmInvalidArgumentError",
            "d",
            None,
        ) == (
            err.error,
            err.operation,
            err.error_code,
            err.code,
            err.reason,
            err.name,
            err.detail,
            err.server_code,
        )
        assert isinstance(err.error_code, ErrorCode)
        assert isinstance(err, Exception)

    def test_to_dict_is_the_sdk_shape_without_detail(self) -> None:
        err = RtmError.sdk("whoNow", ErrorCode.INVALID_CHANNEL_NAME, detail="bad 'a.b'")
        assert {
            "error": True,
            "code": -10008,
            "errorCode": -10008,
            "operation": "whoNow",
            "reason": "Invalid channel name. illegal symbol or too long.",
            "name": "RtmInvalidArgumentError",
        } == err.to_dict()
        assert [int, int] == [type(err.to_dict()["code"]), type(err.to_dict()["errorCode"])]

    def test_to_dict_has_server_code_when_set(self) -> None:
        err = RtmError.sdk("subscribe", ErrorCode.CHANNEL_SUBSCRIBE_FAILED, server_code=21)
        assert {
            "error": True,
            "code": -11021,
            "errorCode": -11021,
            "operation": "subscribe",
            "reason": "Subscribe message channel failed.",
            "name": "RtmUnavailableError",
            "serverCode": 21,
        } == err.to_dict()

    @pytest.mark.parametrize(
        ("suffix", "reason"),
        [
            (
                "state of parameter is empty",
                "Presence operation failed due to invalid argument.state of parameter is empty.",
            ),
            (
                "state of parameter is empty.",
                "Presence operation failed due to invalid argument.state of parameter is empty.",
            ),
            (
                "include uid is false but include state is true",
                "Presence operation failed due to invalid argument."
                "include uid is false but include state is true.",
            ),
        ],
    )
    def test_r_s3_r_q4_minus_13003_suffix_as_the_sdk_appends_it(
        self, suffix: str, reason: str
    ) -> None:
        err = RtmError.sdk("presenceSetState", ErrorCode.PRESENCE_INVALID_ARGUMENT, suffix=suffix)
        assert reason == err.reason
        assert "RtmInvalidArgumentError" == err.name

    def test_suffix_goes_after_the_sdk_text_before_its_period(self) -> None:
        # the SDK normalises text + suffix once: -10025's text has no final "."
        err = RtmError.sdk("join", ErrorCode.NOT_CONNECTED, suffix=" x")
        assert "Perform operation failed due to RTM service is not connected x." == err.reason

    def test_name_override_for_minus_11005_from_a_stream_join(self) -> None:
        err = RtmError.sdk(
            "join", ErrorCode.CHANNEL_INSTANCE_EXCEED_LIMITATION, name="RtmUnavailableError"
        )
        assert ("RtmUnavailableError", -11005) == (err.name, err.code)
        assert "RtmLimitExceededError" == RtmError.sdk("subscribe", ErrorCode(-11005)).name

    def test_str_names_operation_code_name_reason_and_detail(self) -> None:
        err = RtmError.sdk("whoNow", ErrorCode.INVALID_CHANNEL_NAME, detail="got 'a.b'")
        assert (
            "whoNow failed with -10008 INVALID_CHANNEL_NAME: "
            "Invalid channel name. illegal symbol or too long. (got 'a.b')"
        ) == str(err)

    def test_str_without_detail(self) -> None:
        err = RtmError.sdk("logout", ErrorCode.NOT_CONNECTED)
        assert (
            "logout failed with -10025 NOT_CONNECTED: "
            "Perform operation failed due to RTM service is not connected."
        ) == str(err)

    def test_unknown_code_stays_an_int(self) -> None:
        err = RtmError("op", -99999, "why", "RtmUnavailableError")
        assert (-99999, -99999, "-99999") == (err.error_code, err.code, err.code_name)
        assert not isinstance(err.error_code, ErrorCode)
        assert -99999 == err.to_dict()["errorCode"]

    def test_code_name(self) -> None:
        err = RtmError.sdk("op", ErrorCode.PRESENCE_INVALID_ARGUMENT)
        assert "PRESENCE_INVALID_ARGUMENT" == err.code_name

    def test_pickles_with_every_field(self) -> None:
        err = RtmError.sdk("subscribe", ErrorCode(-11021), detail="full", server_code=7)
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is RtmError
        assert err.to_dict() == back.to_dict()
        assert ("full", 7, str(err)) == (back.detail, back.server_code, str(back))

    def test_repr_rebuilds_the_fields(self) -> None:
        err = RtmError.sdk("whoNow", ErrorCode(-10019), detail="USER")
        assert (
            "RtmError('whoNow', -10019, 'Invalid channel type, some api not support set "
            "channel type as user.', 'RtmInvalidArgumentError', 'USER', None)"
        ) == repr(err)


class TestConfigError:
    """Harness misuse: an ``RtmError`` and a ``ValueError`` (api.md "Errors")."""

    def test_bad_is_invalid_parameter_with_detail(self) -> None:
        err = ConfigError.bad("EmulatorConfig", "announce_max must be 8..128, got 7")
        assert isinstance(err, ValueError)
        assert isinstance(err, RtmError)
        assert (
            "EmulatorConfig",
            -10014,
            "Invalid parameter.",
            "RtmInvalidArgumentError",
            "announce_max must be 8..128, got 7",
        ) == (err.operation, err.code, err.reason, err.name, err.detail)
        assert "announce_max must be 8..128, got 7" in str(err)

    def test_pickles(self) -> None:
        err = ConfigError.bad("advance", "seconds must be >= 0, got -1")
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is ConfigError
        assert (err.to_dict(), err.detail) == (back.to_dict(), back.detail)


class TestRX3PlainJsExceptions:
    """R-X3: the SDK's plain JS exceptions map to Python built-ins and keep their kind."""

    def test_type_error(self) -> None:
        err = SdkTypeError("Cannot convert undefined or null to object")
        assert isinstance(err, TypeError)
        assert not isinstance(err, RtmError)
        assert ("TypeError", "Cannot convert undefined or null to object") == (
            err.js_name,
            str(err),
        )
        assert {"name": "TypeError", "message": "n.forEach is not a function"} == (
            SdkTypeError("n.forEach is not a function").to_dict()
        )

    def test_invalid_character_error(self) -> None:
        err = SdkInvalidCharacterError("Invalid character")
        assert isinstance(err, ValueError)
        assert not isinstance(err, (RtmError, TypeError))
        assert {"name": "InvalidCharacterError", "message": "Invalid character"} == err.to_dict()

    @pytest.mark.parametrize("cls", [SdkTypeError, SdkInvalidCharacterError])
    def test_pickles(self, cls: type[Exception]) -> None:
        back = pickle.loads(pickle.dumps(cls("m")))
        assert (cls, "m") == (type(back), str(back))
