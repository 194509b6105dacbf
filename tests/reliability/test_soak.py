"""Soak: 50,000 users in one channel and 10,000 channels, invariants and memory at the end.

Marked ``slow``: ``python3 -m pytest --slow tests/reliability/test_soak.py -s`` runs it and
prints the memory the emulator holds (tracemalloc).  Not part of the default suite.
"""

from __future__ import annotations

import tracemalloc

import pytest

from rtm_emulator import Emulator, ErrorCode, RtmError

from .scale_script import run

pytestmark = pytest.mark.slow


def test_soak_fifty_thousand_in_one_channel_and_ten_thousand_channels(
    record_property: pytest.RecordProperty,
) -> None:
    tracemalloc.start()
    emu = Emulator()  # max_channel_users: the service limit, 50,000
    big = [f"user-{i:05d}" for i in range(49_999)]  # + the watcher: 50,000
    clients = {}
    for uid in big:
        client = emu.client(uid)
        run(client.login())
        run(client.subscribe("arena", with_presence=False))
        run(client.presence.set_state("arena", "MESSAGE", {"seat": uid[-3:]}))
        clients[uid] = client
    for i in range(10_000):
        uid = big[i * 5]
        run(clients[uid].create_stream_channel(f"room-{i:05d}").join(with_presence=False))
    watcher = emu.client("watcher")
    snapshots = []
    watcher.add_event_listener("presence", snapshots.append)
    run(watcher.login())
    run(watcher.subscribe("arena"))
    late = emu.client("one-too-many")
    run(late.login())
    with pytest.raises(RtmError) as full:
        run(late.subscribe("arena"))
    assert ErrorCode.CHANNEL_SUBSCRIBE_FAILED == full.value.error_code
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    emu.check_invariants()
    occupancy = run(watcher.presence.who_now("arena", "MESSAGE", include_user_id=False))
    assert 50_000 == occupancy.total_occupancy
    local = run(watcher.presence.who_now("arena", "MESSAGE"))  # R-Q2: the replica, no paging
    assert (50_000, 50_000, "") == (local.total_occupancy, len(local.occupants), local.next_page)
    assert 50_000 == len(snapshots[0].snapshot)
    assert 2 == len(emu.user_channels("user-00005"))
    occupancies = 50_000 + 10_000
    per = current / occupancies
    record_property("memory_bytes", current)
    record_property("bytes_per_occupancy", round(per))
    print(
        f"\nsoak: {occupancies} occupancies, {current / 2**20:.1f} MiB held, "
        f"{per:.0f} bytes per occupancy, peak {peak / 2**20:.1f} MiB"
    )
    big_pages = 0
    page = None
    while True:  # R-Q3: the server route, pages of announce_max (50)
        r = run(late.presence.get_online_users("arena", "MESSAGE", page=page))
        big_pages += 1
        if not r.next_page:
            break
        page = r.next_page
    assert 1_000 == big_pages
