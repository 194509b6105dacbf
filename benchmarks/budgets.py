"""What the family benchmarks (messaging_bench.py, storage_bench.py, lock_bench.py,
token_bench.py, replica_bench.py) share: their budgets checked against the measured rows,
the Markdown block each writes between its markers in docs/performance.md, the command line
(``--quick``, ``--json``, ``--docs``, ``--render``) and a counting listener."""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from presence_bench import Results, _commit, _load, report, settle

HERE = Path(__file__).resolve().parent
DOC = HERE.parent / "docs" / "performance.md"

#: (budget label with ``{n}`` for the size, workload, unit, limit)
Budget = tuple[str, str, str, float]


class Counter:
    """A listener that counts what it hears (a workload asserts the count it times)."""

    def __init__(self) -> None:
        self.heard = 0

    def __call__(self, event: object) -> None:
        self.heard += 1


class BudgetReport:
    """One benchmark's budgets, result file and docs/performance.md markers."""

    def __init__(self, family: str, budgets: Sequence[Budget], results: Path) -> None:
        self.family = family
        self.budgets = tuple(budgets)
        self.results = results
        self.start = (
            f"<!-- {family}-results:start (written by benchmarks/{family}_bench.py --docs) -->"
        )
        self.end = f"<!-- {family}-results:end -->"

    def check_targets(self, res: Results) -> list[dict[str, Any]]:
        """Each budget against the emulator's value at the largest size it was measured."""
        out: list[dict[str, Any]] = []
        for label, workload, unit, limit in self.budgets:
            row = res.last(workload)
            if row is None:
                continue
            value = float(row["value"])
            out.append(
                {
                    "target": label.format(n=row["size"]),
                    "measured": round(value, 3),
                    "op": "≤",
                    "limit": limit,
                    "unit": unit,
                    "met": value <= limit,
                }
            )
        return out

    def results_block(
        self, res: Results, targets: list[dict[str, Any]], meta: dict[str, Any]
    ) -> str:
        """The Markdown between docs/performance.md's markers (markers included)."""
        block = [
            self.start,
            "",
            f"Measured {meta['date']} on {meta['machine']}, Python {meta['python']}, "
            f"run time {meta['seconds']:.0f} s{_load(meta)}; code of commit "
            f'{meta.get("commit", "unknown")} ("+": with uncommitted changes to the package).',
            "",
            *self._budget_table(targets),
            "| workload | size | median |",
            "|---|---:|---:|",
            *[
                f"| {r['workload']} | {r['size']:,} | {r['value']:,.3f} {r['unit']} |"
                for r in res.rows
            ],
            "",
            self.end,
        ]
        return "\n".join(block)

    @staticmethod
    def _budget_table(targets: list[dict[str, Any]]) -> list[str]:
        """The budgets' table and the blank line after it; none for a benchmark without
        budgets (replica_bench.py)."""
        if not targets:
            return []
        return [
            "| budget | before | measured | limit | met |",
            "|---|---:|---:|---:|---|",
            *[
                f"| {t['target']} | n/a (new) | {t['measured']:,} {t['unit']} "
                f"| {t['op']} {t['limit']:,} {t['unit']} | {'yes' if t['met'] else '**no**'} |"
                for t in targets
            ],
            "",
        ]

    def write_docs(self, res: Results, targets: list[dict[str, Any]], meta: dict[str, Any]) -> None:
        """Replace this benchmark's block of docs/performance.md."""
        text = DOC.read_text(encoding="utf-8")
        start = text.index(self.start)
        end = text.index(self.end) + len(self.end)
        DOC.write_text(text[:start] + self.results_block(res, targets, meta) + text[end:], "utf-8")
        print(f"wrote {DOC.relative_to(HERE.parent)}")

    def main(
        self,
        argv: list[str] | None,
        description: str,
        workloads: Callable[[Results, int], Sequence[Callable[[], None]]],
    ) -> int:
        """The command line: measure ``workloads(res, scale)`` (scale 10 with ``--quick``),
        report, and with ``--docs`` refresh docs/performance.md."""
        ap = argparse.ArgumentParser(description=description)
        ap.add_argument("--quick", action="store_true", help="a tenth of the calls (a smoke run)")
        ap.add_argument("--json", type=Path, default=self.results, help="result file")
        ap.add_argument("--docs", action="store_true", help="refresh docs/performance.md")
        ap.add_argument(
            "--render",
            type=Path,
            metavar="RESULTS_JSON",
            help=f"measure nothing: rewrite docs/performance.md's {self.family} results"
            " from a file",
        )
        args = ap.parse_args(argv)
        if args.render is not None:
            saved = json.loads(args.render.read_text(encoding="utf-8"))
            res = Results()
            res.rows = saved["results"]
            self.write_docs(res, saved["targets"], saved["meta"])
            return 0
        start = time.perf_counter()
        load_at_start = os.getloadavg()[0]
        commit = _commit()
        res = Results()
        print(f"  {'workload':<30} {'size':>9} {'target':<10} {'median':>12}")
        for workload in workloads(res, 10 if args.quick else 1):
            workload()
            settle()  # its emulator is gone
        targets = self.check_targets(res)
        seconds = time.perf_counter() - start
        meta = {
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()} {platform.system()}, {os.cpu_count()} cores",
            "python": platform.python_version(),
            "seconds": seconds,
            "quick": args.quick,
            "load": [round(load_at_start, 2), round(os.getloadavg()[0], 2)],
            "commit": commit,
        }
        print()
        report(args.json, res, targets, meta, seconds)
        if args.docs:
            self.write_docs(res, targets, meta)
        return 0
