"""Conformance kit: executable scenarios for every presence rule, runnable on any target.

    from rtm_emulator.conformance import load_scenarios, run_suite
    suite = run_suite(load_scenarios())          # the emulator is the default target
    print(suite.summary())                       # "N passed, N failed, N skipped"

Scenarios are TOML files shipped in ``rtm_emulator/conformance/scenarios/`` (format in
``_scenario``); a *target* is any factory ``config -> world`` offering the client
surface of ``api.md`` plus the hooks it supports (see ``_runner``).  The command line is
``rtm-emulator run | conformance | explain``.
"""

from __future__ import annotations

import tomllib
from importlib import resources

import attrs

from ._render import FORMATS, render, render_json, render_mermaid, render_svg, render_text
from ._runner import (
    Record,
    ScenarioResult,
    SuiteResult,
    Target,
    Unsupported,
    emulator_target,
    run_scenario,
    run_suite,
)
from ._scenario import HOOKS, Scenario, ScenarioError, Step, load_scenario, load_scenarios

__all__ = [
    "FORMATS",
    "HOOKS",
    "Record",
    "Rule",
    "Scenario",
    "ScenarioError",
    "ScenarioResult",
    "Step",
    "SuiteResult",
    "Target",
    "Unsupported",
    "emulator_target",
    "load_rules",
    "load_scenario",
    "load_scenarios",
    "load_target",
    "render",
    "render_json",
    "render_mermaid",
    "render_svg",
    "render_text",
    "run_scenario",
    "run_suite",
]


@attrs.frozen
class Rule:
    """A rule of the spec: id, one-line statement, sources (runtime, sdk, docs, seed, rule)."""

    id: str
    text: str
    sources: tuple[str, ...]


def load_rules() -> dict[str, Rule]:
    """Every rule of the spec, by id, in the spec's order."""
    raw = (resources.files("rtm_emulator.conformance") / "rules.toml").read_text("utf-8")
    return {
        r["id"]: Rule(r["id"], r["text"], tuple(r["sources"])) for r in tomllib.loads(raw)["rule"]
    }


def load_target(spec: str) -> Target:
    """Import a target factory named ``"package.module:factory"``.

    Raises:
        ValueError: when ``spec`` is not ``module:attribute`` or names nothing callable.
        ImportError: when the module cannot be imported.
    """
    import importlib

    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"target must look like 'package.module:factory', got {spec!r}")
    module = importlib.import_module(module_name)
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise ValueError(f"{spec!r} does not name a callable target factory")
    return factory  # type: ignore[no-any-return]
