"""Command line: ``rtm-emulator demo | run | conformance | explain | serve``.

- ``demo``: a narrated multi-user presence session on the embedded emulator.
- ``run SCENARIO``: run one conformance scenario (id or path to a ``.toml`` file) and
  print its per-channel timeline (``--format text|json|mermaid|svg``, ``--output``).
- ``conformance``: run the scenario suite on a target (``--target module:factory``,
  default the emulator), optionally only some rules (``--rule R-E6``), write a JSON
  report (``--report out.json``); prints a table and ``N passed, N failed, N skipped``;
  exits 1 when a scenario fails.
- ``explain RULE``: the rule's text, its sources and the scenarios that show it.
- ``serve``: the emulator over a loopback WebSocket for JavaScript test suites (the
  ``server`` extra); prints the URL it bound on the first line of stdout and serves
  until SIGINT / SIGTERM.  Exits 2 when ``websockets`` is not installed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

__all__ = ["main"]


class _Style:
    """ANSI colours when the stream is a terminal that wants them (and NO_COLOR is unset)."""

    def __init__(self, stream: TextIO) -> None:
        self.on = (
            hasattr(stream, "isatty")
            and stream.isatty()
            and "NO_COLOR" not in os.environ
            and os.environ.get("TERM") != "dumb"
        )

    def __call__(self, text: str, status: str) -> str:
        if not self.on:
            return text
        code = {"passed": "32", "failed": "31;1", "skipped": "33"}.get(status, "0")
        return f"\033[{code}m{text}\033[0m"


def _target(spec: str | None):  # type: ignore[no-untyped-def]
    from .conformance import emulator_target, load_target

    if spec is None:
        return emulator_target
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    return load_target(spec)


def _cmd_demo(_: argparse.Namespace) -> int:
    from .demo import run_demo

    run_demo()
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from .conformance import load_scenario, load_scenarios, render, run_scenario

    path = Path(args.scenario)
    if path.suffix == ".toml" and path.exists():
        scenario = load_scenario(path.read_text(encoding="utf-8"), str(path))
    else:
        by_id = {s.id: s for s in load_scenarios()}
        if args.scenario not in by_id:
            print(f"no scenario {args.scenario!r}; known ids:", file=sys.stderr)
            for sid in sorted(by_id):
                print(f"  {sid}", file=sys.stderr)
            return 2
        scenario = by_id[args.scenario]
    result = run_scenario(scenario, _target(args.target))
    text = render(result, args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{result.status}: {scenario.id} -> {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0 if result.status != "failed" else 1


def _cmd_conformance(args: argparse.Namespace) -> int:
    from .conformance import ScenarioResult, load_scenarios, run_suite

    scenarios = load_scenarios(args.rule or None)
    if not scenarios:
        print(f"no scenario covers {args.rule}", file=sys.stderr)
        return 2
    style = _Style(sys.stdout)
    progress_on = sys.stderr.isatty()

    def progress(done: int, total: int, result: ScenarioResult) -> None:
        if progress_on:
            sys.stderr.write(f"\r[{done}/{total}] {result.scenario.id[:60]:<60}")
            sys.stderr.flush()

    suite = run_suite(scenarios, _target(args.target), progress)
    if progress_on:
        sys.stderr.write("\r" + " " * 72 + "\r")
    width = max(len(r.scenario.id) for r in suite.results)
    for result in suite.results:
        status = style(f"{result.status:<7}", result.status)
        rules = ", ".join(result.scenario.rules)
        print(f"{status}  {result.scenario.id:<{width}}  {rules}")
        if result.status != "passed":
            for failure in result.failures:
                print(f"         {failure}")
    if args.report:
        Path(args.report).write_text(json.dumps(suite.to_dict(), indent=2) + "\n", "utf-8")
    print(suite.summary())
    return 0 if suite.ok else 1


def _cmd_explain(args: argparse.Namespace) -> int:
    from .conformance import load_rules, load_scenarios

    rules = load_rules()
    rule_id = args.rule.upper()
    if rule_id not in rules:
        print(f"unknown rule {args.rule!r}; known: {', '.join(rules)}", file=sys.stderr)
        return 2
    rule = rules[rule_id]
    print(f"{rule.id}  [{', '.join(rule.sources)}]")
    print()
    print(rule.text)
    print()
    shown = [s for s in load_scenarios([rule_id])]
    print(f"scenarios ({len(shown)}):")
    for scenario in shown:
        print(f"  {scenario.id}: {scenario.title}")
    if shown:
        print()
        print(f"see one: rtm-emulator run {shown[0].id}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from .server import INSTALL_HINT

    try:
        import websockets  # noqa: F401
    except ImportError:
        print(f"rtm-emulator serve: {INSTALL_HINT}", file=sys.stderr)
        return 2
    from ._config import EmulatorConfig
    from ._errors import ConfigError
    from .server import run

    fields = {
        "announce_max": args.announce_max,
        "interval": args.interval,
        "debounce": args.debounce,
        "rate_limits": args.rate_limits or None,
    }
    try:
        config = EmulatorConfig(**{k: v for k, v in fields.items() if v is not None})
    except ConfigError as exc:
        print(f"rtm-emulator serve: {exc.detail or exc.reason}", file=sys.stderr)
        return 2

    def ready(url: str) -> None:
        print(url, flush=True)
        print(
            f"rtm-emulator: serving on {url} (clock: {args.clock}); Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run(
            host=args.host,
            port=args.port,
            clock=args.clock,
            config=config,
            max_frame_bytes=args.max_frame_bytes,
            ready=ready,
            stop=stop,
        )

    try:
        asyncio.run(serve())
    except OSError as exc:
        print(
            f"rtm-emulator serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr
        )
        return 1
    except ConfigError as exc:
        print(f"rtm-emulator serve: {exc.detail or exc.reason}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="rtm-emulator",
        description="A deterministic emulator of Agora RTM (Signaling) 2.x Presence.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run a narrated multi-user presence session")

    run = commands.add_parser("run", help="run one scenario and show its timeline")
    run.add_argument("scenario", help="scenario id, or a path to a scenario .toml file")
    run.add_argument("--format", choices=("text", "json", "mermaid", "svg"), default="text")
    run.add_argument("--output", "-o", help="write to this file instead of stdout")
    run.add_argument("--target", help="target factory 'package.module:factory'")

    conf = commands.add_parser("conformance", help="run the scenario suite on a target")
    conf.add_argument("--target", help="target factory 'package.module:factory'")
    conf.add_argument("--rule", action="append", help="only scenarios of this rule (repeatable)")
    conf.add_argument("--report", help="write a JSON report here")

    explain = commands.add_parser("explain", help="show a rule, its source and scenarios")
    explain.add_argument("rule", help="a rule id such as R-E6")

    serve = commands.add_parser(
        "serve", help="serve the emulator over a loopback WebSocket (for JS test suites)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    serve.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    serve.add_argument(
        "--clock",
        choices=("manual", "real"),
        default="manual",
        help="manual: time moves only with control.advance; real: it follows the wall clock",
    )
    serve.add_argument(
        "--max-frame-bytes",
        type=int,
        default=1 << 20,
        help="largest request frame answered (default 1 MiB)",
    )
    serve.add_argument("--announce-max", type=int, help="EmulatorConfig.announce_max (8-128)")
    serve.add_argument("--interval", type=float, help="EmulatorConfig.interval (10-300 s)")
    serve.add_argument("--debounce", type=float, help="EmulatorConfig.debounce (s)")
    serve.add_argument(
        "--rate-limits",
        action="store_true",
        help="apply the SDK's API rate limits (EmulatorConfig.rate_limits, R-C6; off by default)",
    )

    args = parser.parse_args(argv)
    handlers = {
        "demo": _cmd_demo,
        "run": _cmd_run,
        "conformance": _cmd_conformance,
        "explain": _cmd_explain,
        "serve": _cmd_serve,
    }
    return handlers[args.command](args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
