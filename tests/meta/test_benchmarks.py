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
MORE = [f"user{i:03d}" for i in (300, 8, 77, 12)]


def _walk(target: object, key: tuple[str, str], with_states: bool) -> list[list[str]]:
    pages: list[list[str]] = []
    after = ""
    while True:
        items, after = target.page(key, after, with_states)  # type: ignore[attr-defined]
        pages.append([i.user_id if hasattr(i, "user_id") else i["userId"] for i in items])
        if not after:
            return pages


@pytest.mark.parametrize("with_states", [False, True])
@pytest.mark.parametrize("users", [USERS, USERS + MORE], ids=["12 users", "16 users"])
def test_the_comparators_page_like_the_emulators_server_route(
    bench: ModuleType, comparators: ModuleType, with_states: bool, users: list[str]
) -> None:
    """R-Q3: pages of ``announce_max`` users in user-id order, each after the last id of
    the one before; an exactly full last page says nothing follows (16 = 2 × 8)."""
    emu = bench.EmulatorTarget(announce_max=8)
    hand = comparators.HandFake(8)
    for target in (emu, hand):
        target.populate(("MESSAGE", "room"), users, state=True)
    expected = sorted(users)
    got = _walk(emu, ("MESSAGE", "room"), with_states)
    assert [expected[0:8], expected[8:]] == got
    assert got == _walk(hand, ("MESSAGE", "room"), with_states)


@pytest.mark.parametrize("with_states", [False, True])
def test_the_redis_store_pages_like_the_emulators_server_route(
    bench: ModuleType, comparators: ModuleType, with_states: bool
) -> None:
    """R-Q3 for the fakeredis comparator (an optional benchmark dependency)."""
    pytest.importorskip("fakeredis")
    emu = bench.EmulatorTarget(announce_max=8)
    redis = comparators.RedisStore(8)
    users = USERS + MORE
    for target in (emu, redis):
        target.populate(("MESSAGE", "room"), users, state=True)
    got = _walk(redis, ("MESSAGE", "room"), with_states)
    assert (
        got
        == _walk(emu, ("MESSAGE", "room"), with_states)
        == [
            sorted(users)[0:8],
            sorted(users)[8:],
        ]
    )
    first, _ = redis.page(("MESSAGE", "room"), "", with_states)
    assert [u["statesCount"] for u in first] == [1 if with_states else 0] * 8


def test_the_emulator_target_pages_by_the_server_route(bench: ModuleType) -> None:
    """R-Q3 against R-Q2: the benchmark's viewer is in no channel, so its whoNow is paged,
    while a member listening in the channel gets everyone at once."""
    emu = bench.EmulatorTarget(announce_max=8)
    emu.populate(("MESSAGE", "room"), USERS + MORE)
    emu.enter("listener", ("MESSAGE", "room"), presence=True)
    first, cursor = emu.page(("MESSAGE", "room"), "", False)
    assert len(first) == 8 and cursor
    assert [u.user_id for u in emu.everyone("listener", ("MESSAGE", "room"), False)] == sorted(
        [*USERS, *MORE, "listener"]
    )


def test_the_hand_fake_lists_a_users_channels_like_the_emulator(
    bench: ModuleType, comparators: ModuleType
) -> None:
    """R-Q5: whereNow lists the channels in (type, name) order."""
    emu = bench.EmulatorTarget()
    hand = comparators.HandFake(50)
    keys = [("STREAM", "b"), ("MESSAGE", "z"), ("MESSAGE", "a")]
    for target in (emu, hand):
        target.populate_channels(keys, ["ann", "bob"])
    emu_list = [(c.channel_type.value, c.channel_name) for c in emu.user_channels("bob")]
    hand_list = [(c["channelType"], c["channelName"]) for c in hand.user_channels("bob")]
    assert [("MESSAGE", "a"), ("MESSAGE", "z"), ("STREAM", "b")] == emu_list == hand_list


def test_the_comparators_list_everyone_like_the_local_route(
    bench: ModuleType, comparators: ModuleType
) -> None:
    """R-Q2: a listening member's whoNow is every visible user in user-id order, states
    included when asked; the comparators' ``everyone`` answers the same."""
    emu = bench.EmulatorTarget(announce_max=8)
    hand = comparators.HandFake(8)
    for target in (emu, hand):
        target.populate(("MESSAGE", "room"), USERS, state=True)
    emu.enter(USERS[0], ("MESSAGE", "room"), presence=True)
    for with_states in (False, True):
        mine = emu.everyone(USERS[0], ("MESSAGE", "room"), with_states)
        theirs = hand.everyone(("MESSAGE", "room"), with_states)
        assert [(u.user_id, dict(u.states)) for u in mine] == [
            (u["userId"], u["states"]) for u in theirs
        ]
        assert any(u["states"] for u in theirs) is with_states


def _results(bench: ModuleType, page_1m: float, subscribe_1m: float) -> object:
    res = bench.Results()
    for size, page in ((1_000, 10.0), (1_000_000, page_1m)):
        res.add("page", size, "emulator", page)
        res.add("subscribe", size, "emulator", subscribe_1m)
        res.add("join", size, "emulator", 10.0)
        res.add("join", size, "fakeredis", 150.0)
    res.add("INTERVAL boundary", 10_000, "emulator", page_1m * 7.5, "ms", changes=1_000)
    return res


def test_budgets_report_a_miss(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    sizes = [1_000, 1_000_000]
    met = {t["target"]: t["met"] for t in bench.check_targets(_results(bench, 20, 15), sizes)}
    assert met == {
        "subscribe at 1,000,000": True,
        "server-route page of 50 at 1,000,000": True,
        "INTERVAL boundary, 10,000 listeners, 1,000 changes": True,
    }
    missed = bench.check_targets(_results(bench, 21, 15.5), sizes)
    assert [t["target"] for t in missed if not t["met"]] == [
        "subscribe at 1,000,000",
        "server-route page of 50 at 1,000,000",
        "INTERVAL boundary, 10,000 listeners, 1,000 changes",
    ]
    assert {t["measured"] for t in missed} == {15.5, 21, 157.5}
    capsys.readouterr()


def test_tables_and_chart_show_the_measured_values(bench: ModuleType) -> None:
    res = _results(bench, 20, 12)
    lines = bench.table(res, [1_000, 1_000_000])
    assert "| join | 1,000,000 | 10.0 µs | — | — | 150.0 µs | 15.0× |" in lines
    assert "| page | 1,000 | 10.0 µs | 2.00×" not in lines  # growth is its own table
    assert "| page | 10.0 µs | 20.0 µs | 2.00× |" in bench.growth(res, [1_000, 1_000_000])
    svg = bench.chart(res, [1_000, 1_000_000])
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "emulator: page" in svg
    rows = bench.before_after(res)
    expected = "| subscribe at 1M | 11.9 µs | 12.0 µs | 1.01× | — | rev 1: + a timer cancelled |"
    assert expected in rows
    assert not any(row.startswith("| set_state at 1M") for row in rows)  # not measured


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
