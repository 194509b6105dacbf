"""R-E7 at scale: 100k generated operations over 1,000 users hash the same every run.

Two subprocesses run the same script (``tests/reliability/scale_script.py``) at once,
under different ``PYTHONHASHSEED``s: two runs, two seeds.  The hashes (every delivered
presence and link event as SDK JSON with its recipient and ``seq``; every response
summary and error with its code, operation, reason and name) must be byte-identical.
The script mixes interval mode (R-E5), debounce (R-E6), losses and retries (R-T2..R-T4),
outages (R-E8), JSON state values and whoNow pages (R-Q3).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS, USERS = 100_000, 1_000


def test_r_e7_hundred_thousand_operations_hash_alike_across_seeds_and_runs() -> None:
    runs = []
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        runs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.reliability.scale_script",
                    str(OPERATIONS),
                    str(USERS),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outputs = []
    for proc in runs:
        out, err = proc.communicate(timeout=300)
        assert 0 == proc.returncode, err
        outputs.append(out.strip())
    ops, events, digest = outputs[0].split()
    assert str(OPERATIONS) == ops
    assert int(events) > 50_000
    assert len(digest) == 128
    assert [outputs[0]] * 2 == outputs
