"""Conformance kit: executable scenarios for every rule of the spec, on any target.

    from rtm_emulator.conformance import load_scenarios, run_suite
    suite = run_suite(load_scenarios())          # the emulator is the default target
    print(suite.summary())                       # "N passed, N failed, N skipped"

Scenarios are TOML files shipped in ``rtm_emulator/conformance/scenarios/`` (format in
``_scenario``); a *target* is any factory ``config -> world`` whose world offers the
SDK's client surface plus whichever service hooks it supports.  The contract a target
implements (what the factory receives, what the kit calls, what is optional, how a
scenario is skipped or failed, the JSON report) is in ``docs/conformance.md``, section
"Writing a target".  The command line is ``rtm-emulator list | run | conformance |
explain``.
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


def load_target(spec: str, *, folder: str | None = None) -> Target:
    """Import a target factory named ``"package.module:factory"``.

    The module is imported with :func:`importlib.import_module` from ``sys.path``; only
    when it is not found there, and ``folder`` is given (the command line passes the
    current directory), is ``folder`` appended at the *end* of ``sys.path`` and the
    import tried again.  So a file in ``folder`` never shadows an installed or standard
    module (a ``json.py`` beside the target stays unused), and nothing is imported that
    the spec did not name.  The attribute after the colon may be dotted
    (``pkg.mod:Adapter.create``).

    Raises:
        ValueError: when ``spec`` is not ``module:attribute``, or the module has no such
            attribute, or it is not callable.
        ImportError: when the module cannot be imported, for whatever reason (not found,
            a syntax error, an exception while it runs); the message names the module
            and the original exception, which is chained.
    """
    import importlib

    module_name, sep, attr = spec.strip().partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"{spec!r} is not of the form 'package.module:factory'")
    if module_name.endswith(".py") or "/" in module_name or "\\" in module_name:
        stem = module_name.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".py")
        raise ValueError(
            f"{spec!r} names a file: name a module instead (e.g. '{stem}:{attr}', "
            "run from its folder)"
        )
    try:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            top = module_name.partition(".")[0]
            if folder is None or exc.name not in (top, module_name):
                raise
            import sys

            if folder not in sys.path:
                sys.path.append(folder)  # last: it can add modules, never shadow one
            importlib.invalidate_caches()
            module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or module_name
        where = "" if missing == module_name else f" (it imports {missing!r})"
        raise ImportError(
            f"{spec!r}: cannot import {module_name!r}{where}: no module named {missing!r}"
        ) from exc
    except (Exception, SystemExit) as exc:
        detail = " ".join(str(exc).split())
        raise ImportError(
            f"{spec!r}: importing {module_name!r} raised {type(exc).__name__}"
            + (f": {detail}" if detail else "")
        ) from exc
    found: object = module
    for part in attr.split("."):
        if not hasattr(found, part):
            raise ValueError(f"{spec!r}: module {module_name!r} has no attribute {attr!r}")
        found = getattr(found, part)
    if not callable(found):
        raise ValueError(
            f"{spec!r} is not callable (type {type(found).__name__}): name the factory"
        )
    return found
