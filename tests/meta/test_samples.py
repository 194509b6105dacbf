"""Every code block of the documentation is marked and run by a test, as written.

A block is preceded by ``<!-- sample: ID -->`` (see tests/samples.py); some test or CI
script names that id, and finds the block by it (``sample("ID")`` in Python,
``sample(file, 'ID')`` in JavaScript).  docs/testing.md's ``example`` / ``run`` /
``output`` blocks are held by tests/toolkit/test_testing_doc.py.
"""

from __future__ import annotations

import re
from collections import Counter

from tests.samples import ROOT, blocks, sample

#: where the runners of the samples live
RUNNERS = (
    *ROOT.glob("tests/**/*.py"),
    *(p for p in ROOT.glob("clients/js/test/**/*.*js") if "node_modules" not in p.parts),
    *ROOT.glob(".ci/*"),
)


def _runner_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in RUNNERS if p.is_file())


def test_every_block_is_marked() -> None:
    """No fenced block in the documented files goes without a marker."""
    assert [] == [(f, name, lang) for f, kind, name, lang, _ in blocks() if kind is None]


def test_sample_ids_are_unique() -> None:
    ids = Counter(name for _, kind, name, _, _ in blocks() if kind == "sample")
    assert [] == [i for i, n in ids.items() if n > 1]


def test_every_sample_is_run_by_name() -> None:
    """Each sample id is quoted by a test or a CI script (its runner)."""
    text = _runner_text()
    unrun = [
        (f, name)
        for f, kind, name, _, _ in blocks()
        if kind == "sample" and not re.search(rf"""["']{re.escape(name)}["']""", text)
    ]
    assert [] == unrun


def test_sample_finds_a_block_by_id() -> None:
    first = next(b for b in blocks() if b[1] == "sample")
    assert first[4] == sample(first[2])


def test_sample_of_an_unknown_id_is_a_key_error() -> None:
    try:
        sample("no-such-sample")
    except KeyError as exc:
        assert "0 blocks" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("no KeyError")
