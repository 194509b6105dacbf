"""Configuration: defaults, validation (ValueError naming the field), SDK clamping."""

from __future__ import annotations

import pytest

from rtm_emulator import ConfigError, Emulator, EmulatorConfig, RTMConfig, RtmError


class TestEmulatorConfig:
    """Defaults of semantics.md / api.md; out-of-range values raise ValueError."""

    def test_defaults(self) -> None:
        cfg = EmulatorConfig()
        assert (1_735_689_600_000, 50, 50, 30.0, 2.0, 50_000) == (
            cfg.start_time_ms,
            cfg.page_size,
            cfg.announce_max,
            cfg.interval,
            cfg.debounce,
            cfg.max_channel_users,
        )

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("announce_max", 7),
            ("announce_max", 129),
            ("announce_max", 50.0),
            ("interval", 4.9),
            ("interval", 301),
            ("interval", "30"),
            ("debounce", -0.1),
            ("debounce", float("nan")),
            ("page_size", 0),
            ("page_size", True),
            ("max_channel_users", 0),
            ("start_time_ms", -1),
        ],
    )
    def test_out_of_range_raises_value_error_naming_the_field(
        self, field: str, value: object
    ) -> None:
        with pytest.raises(ValueError, match=field) as info:
            EmulatorConfig(**{field: value})  # type: ignore[arg-type]
        assert isinstance(info.value, RtmError)
        assert repr(value) in str(info.value)

    @pytest.mark.parametrize(
        ("field", "value"),
        [("announce_max", 8), ("announce_max", 128), ("interval", 5), ("interval", 300.0)],
    )
    def test_range_edges_accepted(self, field: str, value: object) -> None:
        assert value == getattr(EmulatorConfig(**{field: value}), field)  # type: ignore[arg-type]

    def test_emulator_rejects_a_non_config(self) -> None:
        with pytest.raises(ConfigError):
            Emulator({"page_size": 3}, strict=True)  # type: ignore[arg-type]


class TestRTMConfig:
    """presenceTimeout 5..300 and heartbeatInterval 5..1800, clamped like the SDK (R-T2)."""

    def test_defaults(self) -> None:
        assert (300, 5) == (RTMConfig().presence_timeout, RTMConfig().heartbeat_interval)

    @pytest.mark.parametrize(("given", "used"), [(1, 5), (5, 5), (20, 20), (301, 300)])
    def test_r_t2_presence_timeout_clamped(self, given: int, used: int) -> None:
        assert used == RTMConfig(presence_timeout=given).presence_timeout

    @pytest.mark.parametrize(("given", "used"), [(0, 5), (30, 30), (5000, 1800)])
    def test_r_t2_heartbeat_interval_clamped(self, given: int, used: int) -> None:
        assert used == RTMConfig(heartbeat_interval=given).heartbeat_interval

    def test_from_sdk_dict(self) -> None:
        cfg = RTMConfig.from_sdk({"presenceTimeout": 20, "logLevel": "debug"})
        assert RTMConfig(presence_timeout=20) == cfg

    @pytest.mark.parametrize("bad", [{"presenceTimout": 20}, {"presenceTimeout": "20"}])
    def test_bad_sdk_dict(self, bad: dict[str, object]) -> None:
        with pytest.raises(ConfigError):
            RTMConfig.from_sdk(bad)

    def test_client_takes_sdk_dict(self) -> None:
        emu = Emulator(strict=True)
        emu.client("bob", config={"presenceTimeout": 20})
        with pytest.raises(ConfigError):
            emu.client("bob", config=20)  # type: ignore[arg-type]
