"""Unit tests of ``rtm_emulator._config``: emulator config (R-C4, R-C6), the client's
``RTMConfig`` (R-C3), the default app id (R-C2) and the API rate limiter (R-C6).

The module is loaded on its own, so these tests run while the rest of the package is
being rewritten.
"""

from __future__ import annotations

import importlib
import pickle
from typing import Any

import attrs
import pytest

config = importlib.import_module("rtm_emulator._config")
errors = importlib.import_module("rtm_emulator._errors")
validate = importlib.import_module("rtm_emulator._validate")
EmulatorConfig = config.EmulatorConfig
ANNOUNCE_MAX_RANGE = config.ANNOUNCE_MAX_RANGE
INTERVAL_RANGE = config.INTERVAL_RANGE
RTMConfig = config.RTMConfig
RateLimiter = config.RateLimiter
RtmError = errors.RtmError
ConfigError = errors.ConfigError


class TestRC4EmulatorConfigDefaults:
    """R-C4 / api.md: the defaults."""

    def test_defaults(self) -> None:
        cfg = EmulatorConfig()
        assert (1_735_689_600_000, 50, 30.0, 2.0, 50_000, False) == (
            cfg.start_time_ms,
            cfg.announce_max,
            cfg.interval,
            cfg.debounce,
            cfg.max_channel_users,
            cfg.rate_limits,
        )

    def test_r_q3_the_page_size_is_the_announce_threshold(self) -> None:
        """R-Q3: there is no separate page size (the SDK asks for announce_max users)."""
        assert not hasattr(EmulatorConfig(), "page_size")
        with pytest.raises(TypeError):
            EmulatorConfig(page_size=3)  # type: ignore[call-arg]

    def test_r_c4_ranges_are_named(self) -> None:
        assert ((8, 128), (10, 300)) == (ANNOUNCE_MAX_RANGE, INTERVAL_RANGE)

    def test_frozen_keyword_only(self) -> None:
        cfg = EmulatorConfig()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            cfg.interval = 10.0  # type: ignore[misc]
        with pytest.raises(TypeError):
            EmulatorConfig(1)  # type: ignore[misc]

    def test_equal_configs_compare_equal_and_pickle(self) -> None:
        cfg = EmulatorConfig(announce_max=9, rate_limits=True)
        assert cfg == EmulatorConfig(announce_max=9, rate_limits=True)
        assert cfg == pickle.loads(pickle.dumps(cfg))


class TestRC4EmulatorConfigRanges:
    """R-C4 / R-C6: the emulator refuses out-of-range values (api.md: ValueError naming
    the field) where the console would clamp."""

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("announce_max", 7),
            ("announce_max", 129),
            ("announce_max", 50.0),
            ("announce_max", True),
            ("announce_max", "50"),
            ("interval", 9.99),
            ("interval", 5),
            ("interval", 300.01),
            ("interval", "30"),
            ("interval", True),
            ("interval", float("nan")),
            ("interval", float("inf")),
            ("debounce", -0.1),
            ("debounce", float("nan")),
            ("debounce", float("inf")),
            ("debounce", 1e9 + 1),
            ("debounce", None),
            ("max_channel_users", 0),
            ("max_channel_users", 1.5),
            ("start_time_ms", -1),
            ("start_time_ms", 2**53),
            ("start_time_ms", 1.0),
            ("rate_limits", 1),
            ("rate_limits", "yes"),
            ("rate_limits", None),
        ],
    )
    def test_out_of_range_or_mistyped_raises_value_error_naming_the_field(
        self, field: str, value: object
    ) -> None:
        with pytest.raises(ValueError, match=field) as info:
            EmulatorConfig(**{field: value})
        err = info.value
        assert isinstance(err, ConfigError)
        assert (-10014, "EmulatorConfig") == (err.code, err.operation)
        assert repr(value) in err.detail

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("announce_max", 8),
            ("announce_max", 128),
            ("interval", 10),
            ("interval", 10.0),
            ("interval", 300),
            ("interval", 300.0),
            ("interval", 12.5),
            ("debounce", 0),
            ("debounce", 0.0),
            ("debounce", 1e9),
            ("max_channel_users", 1),
            ("start_time_ms", 0),
            ("start_time_ms", 2**53 - 1),
            ("rate_limits", True),
        ],
    )
    def test_range_edges_accepted(self, field: str, value: object) -> None:
        assert value == getattr(EmulatorConfig(**{field: value}), field)


class TestRC3RTMConfig:
    """R-C3: the SDK's clamps; nothing raises."""

    def test_defaults(self) -> None:
        cfg = RTMConfig()
        assert (300, 5, None, True) == (
            cfg.presence_timeout,
            cfg.heartbeat_interval,
            cfg.token,
            cfg.use_string_user_id,
        )

    @pytest.mark.parametrize(
        ("given", "used"),
        [
            (1, 5),
            (4.9, 5),
            (5, 5),
            (20, 20),
            (20.5, 20.5),
            (300, 300),
            (301, 300),
            (1000, 300),
            (0, 5),
            (-7, 5),
            (float("inf"), 300),
            (float("-inf"), 5),
        ],
    )
    def test_r_c3_presence_timeout_clamped_when_a_number(self, given: float, used: float) -> None:
        assert used == RTMConfig(presence_timeout=given).presence_timeout

    @pytest.mark.parametrize("given", ["20", None, True, False, [20], float("nan")])
    def test_r_c3_presence_timeout_not_a_number_is_300(self, given: object) -> None:
        assert 300 == RTMConfig(presence_timeout=given).presence_timeout

    @pytest.mark.parametrize(
        ("given", "used"),
        [
            (1, 5),
            (5, 5),
            (7.5, 7.5),
            (30, 30),
            (1800, 1800),
            (1801, 1800),
            (5000, 1800),
            (-3, 5),
            (float("inf"), 1800),
        ],
    )
    def test_r_c3_heartbeat_interval_clamped(self, given: float, used: float) -> None:
        assert used == RTMConfig(heartbeat_interval=given).heartbeat_interval

    @pytest.mark.parametrize("given", [0, 0.0, None, "abc", True, float("nan")])
    def test_r_c3_heartbeat_zero_or_not_a_number_is_5(self, given: object) -> None:
        assert 5 == RTMConfig(heartbeat_interval=given).heartbeat_interval

    def test_r_t2_derived_milliseconds(self) -> None:
        cfg = RTMConfig(presence_timeout=20, heartbeat_interval=7.5)
        assert (7500, 20_000, 17_500, 37_500) == (
            cfg.heartbeat_ms,
            cfg.presence_timeout_ms,
            cfg.detection_ms,
            cfg.timeout_ms,
        )
        assert (15_000, 315_000) == (RTMConfig().detection_ms, RTMConfig().timeout_ms)
        assert 2_110_000 == RTMConfig(heartbeat_interval=5000).timeout_ms

    def test_r_c3_from_sdk_reads_the_sdk_keys(self) -> None:
        cfg = RTMConfig.from_sdk(
            {"presenceTimeout": 20, "heartbeatInterval": 30, "token": "t", "useStringUserId": False}
        )
        assert (
            RTMConfig(
                presence_timeout=20, heartbeat_interval=30, token="t", use_string_user_id=False
            )
            == cfg
        )

    @pytest.mark.parametrize(
        "options",
        [
            {"presenceTimout": 20},
            {"logLevel": "debug", "logUpload": False, "cloudProxy": True, "whatever": 1},
            {"privateConfig": {"serviceType": ["MESSAGE"]}, "encryptionMode": "NONE"},
            {},
        ],
    )
    def test_r_c3_unknown_keys_are_ignored(self, options: dict[str, Any]) -> None:
        assert RTMConfig() == RTMConfig.from_sdk(options)

    def test_r_c3_from_sdk_clamps_like_the_constructor(self) -> None:
        assert (300, 5) == (
            RTMConfig.from_sdk({"presenceTimeout": 1000}).presence_timeout,
            RTMConfig.from_sdk({"heartbeatInterval": 1}).heartbeat_interval,
        )
        assert 5 == RTMConfig.from_sdk({"presenceTimeout": 1}).presence_timeout
        assert 300 == RTMConfig.from_sdk({"presenceTimeout": "20"}).presence_timeout

    @pytest.mark.parametrize(("given", "used"), [(False, False), (True, True), (0, True)])
    def test_only_use_string_user_id_false_counts(self, given: object, used: bool) -> None:
        assert used == RTMConfig.from_sdk({"useStringUserId": given}).use_string_user_id

    def test_from_sdk_none_is_the_defaults(self) -> None:
        assert RTMConfig() == RTMConfig.from_sdk(None)

    @pytest.mark.parametrize("options", ["x", 5, ["presenceTimeout"]])
    def test_from_sdk_refuses_a_non_mapping(self, options: object) -> None:
        with pytest.raises(ConfigError):
            RTMConfig.from_sdk(options)

    def test_token_is_kept_as_given(self) -> None:
        # the SDK checks the token at login (-10005 / -10016), not here
        assert 42 == RTMConfig(token=42).token  # type: ignore[arg-type]


class TestRC2DefaultAppId:
    """R-C2: the emulator's default app id is a valid app id."""

    def test_r_c2_default_app_id_is_32_letters_or_digits(self) -> None:
        assert 32 == len(config.DEFAULT_APP_ID)
        assert config.DEFAULT_APP_ID == validate.check_app_id(config.DEFAULT_APP_ID)


class TestRC6RateLimiter:
    """R-C6: 20 calls per sliding second per key (publish 60), -10021 with the key as
    ``operation``; a refused call takes no slot (agora-rtm.js ``canMakeOperation``)."""

    def refused(self, limiter: Any, key: str, now: int) -> tuple[int, str, str, str]:
        with pytest.raises(RtmError) as info:
            limiter.check(key, now)
        err = info.value
        return (int(err.code), err.operation, err.name, err.reason)

    def expected(self, key: str) -> tuple[int, str, str, str]:
        return (-10021, key, "RtmUnavailableError", "The operation rate exceeds limitation.")

    def test_r_c6_the_sdk_table(self) -> None:
        expected = {
            "whoNow": 20,
            "whereNow": 20,
            "modifyState": 20,
            "getState": 20,
            "subscribe": 20,
            "join": 20,
            "login": 20,
            "publish": 60,
        }
        assert expected == {k: config.RATE_LIMITS[k] for k in expected}
        assert (10, 200) == (
            config.RATE_LIMITS["acquireLock"],
            config.RATE_LIMITS["publishTopicMsg"],
        )

    def test_r_c6_21st_call_in_a_second_is_refused(self) -> None:
        # probe: 21 x whoNow => 20 ok, 1 x -10021/whoNow/RtmUnavailableError
        limiter = RateLimiter()
        for _ in range(20):
            limiter.check("whoNow", 1_000)
        assert self.expected("whoNow") == self.refused(limiter, "whoNow", 1_000)

    def test_r_c6_publish_allows_60(self) -> None:
        limiter = RateLimiter()
        for i in range(60):
            limiter.check("publish", 5_000 + i)
        assert self.expected("publish") == self.refused(limiter, "publish", 5_060)

    def test_r_c6_window_slides_after_1000_ms(self) -> None:
        limiter = RateLimiter()
        for i in range(20):
            limiter.check("getState", 10_000 + i)  # 10000..10019
        assert self.expected("getState") == self.refused(limiter, "getState", 10_999)
        limiter.check("getState", 11_000)  # the call at 10000 no longer counts
        assert self.expected("getState") == self.refused(limiter, "getState", 11_000)
        limiter.check("getState", 11_001)
        assert 20 == limiter.in_window("getState", 11_001)

    def test_r_c6_refused_calls_take_no_slot(self) -> None:
        limiter = RateLimiter()
        for _ in range(20):
            limiter.check("whereNow", 0)
        for t in range(100, 1000, 100):
            self.refused(limiter, "whereNow", t)
        for _ in range(20):
            limiter.check("whereNow", 1000)  # refusals at 100..900 did not count
        assert 20 == limiter.in_window("whereNow", 1000)

    def test_r_c6_modify_state_is_one_bucket_for_set_and_remove(self) -> None:
        # probe: 11 setState + 10 removeState: the 10th removeState => -10021/modifyState
        limiter = RateLimiter()
        for _ in range(11):
            limiter.check("modifyState", 0)  # setState
        for _ in range(9):
            limiter.check("modifyState", 0)  # removeState
        assert self.expected("modifyState") == self.refused(limiter, "modifyState", 0)

    def test_r_c6_keys_are_independent(self) -> None:
        limiter = RateLimiter()
        for _ in range(20):
            limiter.check("whoNow", 0)
        limiter.check("getState", 0)
        limiter.check("subscribe", 0)
        assert (0, 1) == (limiter.in_window("join", 0), limiter.in_window("getState", 0))

    def test_r_c6_limiters_are_independent(self) -> None:
        a, b = RateLimiter(), RateLimiter()
        for _ in range(20):
            a.check("join", 0)
        b.check("join", 0)
        assert self.expected("join") == self.refused(a, "join", 0)

    def test_clear_forgets_the_calls(self) -> None:
        limiter = RateLimiter()
        for _ in range(20):
            limiter.check("login", 0)
        limiter.clear()
        limiter.check("login", 0)
        assert 1 == limiter.in_window("login", 0)

    def test_custom_limits(self) -> None:
        limiter = RateLimiter({"whoNow": 2, "none": 0})
        limiter.check("whoNow", 0)
        limiter.check("whoNow", 0)
        assert self.expected("whoNow") == self.refused(limiter, "whoNow", 0)
        assert self.expected("none") == self.refused(limiter, "none", 0)

    def test_unknown_key_is_a_config_error(self) -> None:
        with pytest.raises(ConfigError, match="who_now"):
            RateLimiter().check("who_now", 0)

    @pytest.mark.parametrize("limit", [-1, 1.5, True, "20"])
    def test_bad_limits_are_refused(self, limit: object) -> None:
        with pytest.raises(ConfigError, match="whoNow"):
            RateLimiter({"whoNow": limit})
