"""The benchmark harness measures like for like and reports what it measured.

No timing is asserted here (performance is measured by ``benchmarks/``, never by the
test suite): these tests pin that the comparators answer the same presence queries as
the emulator, and that the report flags a missed target.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    saved = list(sys.path)  # the script puts benchmarks/ on the path: take it off again
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path[:] = saved


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _load("presence_bench")


@pytest.fixture(scope="module")
def comparators() -> ModuleType:
    return _load("comparators")


USERS = [f"user{i:03d}" for i in (17, 3, 250, 99, 0, 42, 7, 180, 64, 5, 33, 121)]


def _walk(target: object, key: tuple[str, str], with_states: bool) -> list[list[str]]:
    pages: list[list[str]] = []
    after = ""
    while True:
        items, after = target.page(key, after, with_states)  # type: ignore[attr-defined]
        pages.append([i.user_id if hasattr(i, "user_id") else i["userId"] for i in items])
        if not after:
            return pages


@pytest.mark.parametrize("with_states", [False, True])
def test_the_hand_fake_pages_like_the_emulator(
    bench: ModuleType, comparators: ModuleType, with_states: bool
) -> None:
    emu = bench.EmulatorTarget(page_size=5)
    hand = comparators.HandFake(5)
    for target in (emu, hand):
        target.populate(("MESSAGE", "room"), USERS, state=True)
    expected = sorted(USERS)
    got = _walk(emu, ("MESSAGE", "room"), with_states)
    assert [expected[0:5], expected[5:10], expected[10:]] == got
    assert got == _walk(hand, ("MESSAGE", "room"), with_states)


def test_the_hand_fake_lists_a_users_channels_like_the_emulator(
    bench: ModuleType, comparators: ModuleType
) -> None:
    emu = bench.EmulatorTarget()
    hand = comparators.HandFake(100)
    keys = [("STREAM", "b"), ("MESSAGE", "z"), ("MESSAGE", "a")]
    for target in (emu, hand):
        target.populate_channels(keys, ["ann", "bob"])
    emu_list = [(c.channel_type.value, c.channel_name) for c in emu.user_channels("bob")]
    hand_list = [(c["channelType"], c["channelName"]) for c in hand.user_channels("bob")]
    assert [("MESSAGE", "a"), ("MESSAGE", "z"), ("STREAM", "b")] == emu_list == hand_list


def _results(bench: ModuleType, page_1m: float, join_redis: float) -> object:
    res = bench.Results()
    for size, page in ((1_000, 10.0), (1_000_000, page_1m)):
        res.add("page", size, "emulator", page)
        res.add("join", size, "emulator", 10.0)
        res.add("join", size, "fakeredis", join_redis)
    return res


def test_targets_report_a_miss(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    sizes = [1_000, 1_000_000]
    met = {t["target"]: t["met"] for t in bench.check_targets(_results(bench, 15, 150), sizes)}
    assert met == {
        "page of 100 at 1,000,000": True,
        "page at 1,000,000 / page at 1,000": True,
        "fakeredis / emulator, join at 1,000,000": True,
    }
    missed = bench.check_targets(_results(bench, 61, 99), sizes)
    assert [t["target"] for t in missed if not t["met"]] == [
        "page of 100 at 1,000,000",
        "page at 1,000,000 / page at 1,000",
        "fakeredis / emulator, join at 1,000,000",
    ]
    capsys.readouterr()


def test_tables_and_chart_show_the_measured_values(bench: ModuleType) -> None:
    res = _results(bench, 20, 150)
    lines = bench.table(res, [1_000, 1_000_000])
    assert "| join | 1,000,000 | 10.0 µs | — | — | 150.0 µs | 15.0× |" in lines
    assert "| page | 1,000 | 10.0 µs | 2.00×" not in lines  # growth is its own table
    assert "| page | 10.0 µs | 20.0 µs | 2.00× |" in bench.growth(res, [1_000, 1_000_000])
    svg = bench.chart(res, [1_000, 1_000_000])
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "emulator: page" in svg


def test_docs_show_the_committed_results(bench: ModuleType) -> None:
    """docs/performance.md and its chart are the rendering of benchmarks/results.json."""
    root = BENCH.parent
    saved = json.loads((BENCH / "results.json").read_text(encoding="utf-8"))
    res = bench.Results()
    res.rows = saved["results"]
    sizes = saved["meta"]["sizes"]
    block = bench.results_block(res, sizes, saved["targets"], saved["meta"])
    doc = (root / "docs" / "performance.md").read_text(encoding="utf-8")
    assert block in doc, (
        "run: python3 benchmarks/presence_bench.py --render benchmarks/results.json"
    )
    svg = (root / "docs" / "diagrams" / "performance.svg").read_text(encoding="utf-8")
    assert bench.chart(res, sizes) == svg
    assert not saved["meta"]["quick"], "the committed results must be a full run"
