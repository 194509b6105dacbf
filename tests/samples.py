"""The code blocks of the documentation, by id, for the tests that run them as written.

Every fenced block in ``DOCUMENTED`` is preceded (on the line right before its fence) by
one marker comment: ``<!-- sample: ID -->`` (a test or ``.ci/run`` runs it, finding it by
``sample("ID")``), or testing.md's own ``<!-- example: FILE -->`` / ``<!-- run: NAME -->``
/ ``<!-- output: NAME -->`` (tests/toolkit/test_testing_doc.py).  The JavaScript twin is
``clients/js/test/samples.js``; tests/meta/test_samples.py holds every block to this.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: the files whose code blocks users copy
DOCUMENTED = (
    "README.md",
    "CHANGELOG.md",
    "clients/js/README.md",
    *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")),
)

FENCE = re.compile(r"^(?P<marker>[^\n]*)\n```(?P<lang>[\w-]*)\n(?P<body>.*?)^```$", re.S | re.M)
MARKER = re.compile(r"<!-- (?P<kind>sample|example|run|output): (?P<name>\S+) -->")


def blocks() -> list[tuple[str, str | None, str, str, str]]:
    """Every fenced block: ``(file, marker kind or None, marker name, language, body)``."""
    found = []
    for name in DOCUMENTED:
        path = ROOT / name
        if not path.exists():
            continue
        for match in FENCE.finditer("\n" + path.read_text(encoding="utf-8")):
            marker = MARKER.fullmatch(match["marker"].strip())
            found.append(
                (
                    name,
                    marker["kind"] if marker else None,
                    marker["name"] if marker else match["marker"].strip(),
                    match["lang"],
                    match["body"],
                )
            )
    return found


def sample(sample_id: str) -> str:
    """The body of the block marked ``<!-- sample: sample_id -->``.

    Raises:
        KeyError: when no block, or more than one, carries that id.
    """
    hits = [b[4] for b in blocks() if b[1] == "sample" and b[2] == sample_id]
    if len(hits) != 1:
        raise KeyError(f"{len(hits)} blocks are marked <!-- sample: {sample_id} -->")
    return hits[0]
