"""Command line: ``rtm-emulator demo | list | run | conformance | explain | serve``.

- ``demo``: a narrated multi-user presence session on the embedded emulator.
- ``list``: the shipped scenarios (id, rules, title), ``--rule R-E6`` only those of a
  rule; ``list --rules``: the rules (id, sources, one-line statement).
- ``run SCENARIO``: run one conformance scenario (id or path to a ``.toml`` file) and
  print its per-channel timeline (``--format text|json|mermaid|svg``, ``--output``).
- ``conformance``: run the scenario suite on a target (``--target module:factory``,
  default the emulator), optionally only some rules (``--rule R-E6``), write a JSON
  report (``--report out.json``); prints a table and ``N passed, N failed, N skipped``.
- ``explain RULE``: the rule's text, its sources and the scenarios that show it.
- ``serve``: the emulator over a loopback WebSocket for JavaScript test suites (the
  ``server`` extra); prints the URL it bound on the first line of stdout and serves
  until SIGINT / SIGTERM.
- ``--version``: prints ``rtm-emulator VERSION``.

Exit status: 0 success; 1 a scenario failed (``run``, ``conformance``) or the server
could not listen; 2 a misuse (a bad argument, an unknown id, a target that cannot be
imported, an unreadable scenario, an unwritable output, ``serve`` without
``websockets``), reported as one line on stderr, ``rtm-emulator COMMAND: what is
wrong``, never a traceback; 130 interrupted.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from ._config import MAX_FRAME_BYTES, SERVER_JOURNAL_MAX_ENTRIES

if TYPE_CHECKING:
    from .conformance import Rule, Scenario, Target

__all__ = ["main"]

PROG = "rtm-emulator"


class _Misuse(Exception):
    """A misuse of the command line: one line on stderr and exit status 2."""

    def __init__(self, message: str, prog: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (``prog: message``), not usage + exit."""

    def error(self, message: str) -> NoReturn:
        """Raises ``_Misuse`` instead of printing the usage and exiting."""
        raise _Misuse(f"{message} (see {self.prog} --help)", self.prog)


def _one_line(text: str) -> str:
    return " ".join(text.split())


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


def _target(spec: str | None) -> Target:
    """The target named by ``--target`` (the emulator when ``None``).

    Raises:
        _Misuse: when the spec is malformed or names nothing importable and callable.
    """
    from .conformance import emulator_target, load_target

    if spec is None:
        return emulator_target
    try:
        return load_target(spec, folder=os.getcwd())
    except ValueError as exc:
        raise _Misuse(f"--target {exc}") from exc
    except ImportError as exc:
        where = (
            " (looked in sys.path, then the current directory)"
            if isinstance(exc.__cause__, ModuleNotFoundError)
            else ""
        )
        raise _Misuse(f"--target {exc}{where}") from exc


def _suggest(word: str, known: Sequence[str]) -> list[str]:
    """Known ids near ``word``: those it begins, then difflib's close matches, then those
    containing it; case-insensitive, in ``known``'s order within each group."""
    lowered = {k.lower(): k for k in known}
    w = word.strip().lower()
    if not w:
        return []
    found: list[str] = [k for k in known if k.lower().startswith(w)]
    for close in difflib.get_close_matches(w, list(lowered), n=3, cutoff=0.6):
        if lowered[close] not in found:
            found.append(lowered[close])
    found += [k for k in known if w in k.lower() and k not in found]
    return found


def _unknown(what: str, word: str, known: Sequence[str], listing: str) -> _Misuse:
    """``no WHAT 'word'; did you mean a, b or c?`` (or where to find the known ones)."""
    near = _suggest(word, known)
    if not near:
        return _Misuse(f"no {what} {word!r}; {listing} shows them")
    shown = near[:3]
    choices = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    more = f" ({len(near)} match; {listing} lists them all)" if len(near) > len(shown) else ""
    return _Misuse(f"no {what} {word!r}; did you mean {choices}?{more}")


def _rule_id(word: str, rules: dict[str, Rule]) -> str:
    """A rule id as typed (``r-e6``, ``E6``) -> ``R-E6``.

    Raises:
        _Misuse: for an unknown rule, with near matches.
    """
    rule_id = word.strip().upper()
    if rule_id not in rules and f"R-{rule_id}" in rules:
        rule_id = f"R-{rule_id}"
    if rule_id not in rules:
        raise _unknown("rule", word, list(rules), f"'{PROG} list --rules'")
    return rule_id


def _rule_ids(words: Sequence[str] | None) -> list[str]:
    """``--rule`` values checked and normalised, duplicates dropped.

    Raises:
        _Misuse: for an unknown rule.
    """
    from .conformance import load_rules

    if not words:
        return []
    rules = load_rules()
    chosen: list[str] = []
    for word in words:
        rule_id = _rule_id(word, rules)
        if rule_id not in chosen:
            chosen.append(rule_id)
    return chosen


def _scenarios_of(rule_ids: Sequence[str]) -> list[Scenario]:
    """The shipped scenarios of these rules (all when empty).

    Raises:
        _Misuse: when no scenario covers the rules.
    """
    from .conformance import load_scenarios

    scenarios = load_scenarios(rule_ids or None)
    if not scenarios:
        raise _Misuse(f"no scenario covers {', '.join(rule_ids)}")
    return scenarios


def _writable(path: str, flag: str) -> Path:
    """``path`` if a file can be written there (checked before any work is done).

    Raises:
        _Misuse: for a directory, a missing parent directory or no write permission.
    """
    target = Path(path)
    parent = target.parent
    if not path or target.is_dir():
        raise _Misuse(f"cannot write {flag} {path!r}: it is a directory")
    if not parent.is_dir():
        raise _Misuse(f"cannot write {flag} {path!r}: no such directory {str(parent)!r}")
    if not os.access(target if target.exists() else parent, os.W_OK):
        raise _Misuse(f"cannot write {flag} {path!r}: permission denied")
    return target


def _write(target: Path, text: str, flag: str) -> None:
    """Write ``text`` to ``target``.

    Raises:
        _Misuse: when the file cannot be written.
    """
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _Misuse(f"cannot write {flag} {str(target)!r}: {exc.strerror or exc}") from exc


def _scenario_file(arg: str) -> Scenario:
    """The scenario in the file ``arg``.

    Raises:
        _Misuse: when it cannot be read or is not a valid scenario (names the problem).
    """
    from .conformance import ScenarioError, load_scenario

    path = Path(arg)
    if path.is_dir():
        raise _Misuse(f"{arg!r} is a directory, not a scenario .toml file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise _Misuse(f"no such scenario file {arg!r}") from exc
    except UnicodeDecodeError as exc:
        raise _Misuse(f"cannot read {arg!r}: not UTF-8 text") from exc
    except OSError as exc:
        raise _Misuse(f"cannot read {arg!r}: {exc.strerror or exc}") from exc
    try:
        return load_scenario(text, arg)
    except ScenarioError as exc:
        raise _Misuse(f"invalid scenario {exc}") from exc


def _scenario(arg: str) -> Scenario:
    """A scenario by id, or from a file when ``arg`` looks like a path.

    Raises:
        _Misuse: for an unknown id (with near matches) or a bad file.
    """
    from .conformance import load_rules, load_scenarios

    if not arg.strip():
        raise _Misuse(f"give a scenario id or a scenario .toml file ('{PROG} list' lists the ids)")
    if arg.endswith(".toml") or "/" in arg or os.sep in arg or Path(arg).exists():
        return _scenario_file(arg)
    by_id = {s.id: s for s in load_scenarios()}
    if arg in by_id:
        return by_id[arg]
    if arg.strip().upper() in load_rules():
        rule = arg.strip().upper()
        raise _Misuse(
            f"{arg!r} is a rule, not a scenario; '{PROG} list --rule {rule}' lists its scenarios"
        )
    raise _unknown("scenario", arg, list(by_id), f"'{PROG} list'")


def _cmd_demo(_: argparse.Namespace) -> int:
    from .demo import run_demo

    run_demo()
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from .conformance import load_rules

    if args.rules:
        rules = load_rules()
        tags = {r.id: f"[{', '.join(r.sources)}]" for r in rules.values()}
        width = max(len(tag) for tag in tags.values())
        for rule in rules.values():
            print(f"{rule.id:<5}  {tags[rule.id]:<{width}}  {rule.text}")
        return 0
    scenarios = _scenarios_of(_rule_ids(args.rule))
    width = max(len(s.id) for s in scenarios)
    rules_width = max(len(", ".join(s.rules)) for s in scenarios)
    for scenario in scenarios:
        rules_text = ", ".join(scenario.rules)
        print(f"{scenario.id:<{width}}  {rules_text:<{rules_width}}  {scenario.title}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from .conformance import render, run_scenario

    scenario = _scenario(args.scenario)
    target = _target(args.target)
    output = _writable(args.output, "--output") if args.output else None
    result = run_scenario(scenario, target)
    text = render(result, args.format)
    if output is not None:
        _write(output, text, "--output")
        print(f"{result.status}: {scenario.id} -> {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0 if result.status != "failed" else 1


def _cmd_conformance(args: argparse.Namespace) -> int:
    from .conformance import ScenarioResult, run_suite

    scenarios = _scenarios_of(_rule_ids(args.rule))
    target = _target(args.target)
    report = _writable(args.report, "--report") if args.report else None
    style = _Style(sys.stdout)
    progress_on = sys.stderr.isatty()

    def progress(done: int, total: int, result: ScenarioResult) -> None:
        if progress_on:
            sys.stderr.write(f"\r[{done}/{total}] {result.scenario.id[:60]:<60}")
            sys.stderr.flush()

    suite = run_suite(scenarios, target, progress)
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
    if report is not None:
        _write(report, json.dumps(suite.to_dict(), indent=2) + "\n", "--report")
    print(suite.summary())
    return 0 if suite.ok else 1


def _cmd_explain(args: argparse.Namespace) -> int:
    from .conformance import load_rules, load_scenarios

    rules = load_rules()
    rule = rules[_rule_id(args.rule, rules)]
    print(f"{rule.id}  [{', '.join(rule.sources)}]")
    print()
    print(rule.text)
    print()
    shown = load_scenarios([rule.id])
    print(f"scenarios ({len(shown)}):")
    for scenario in shown:
        print(f"  {scenario.id}: {scenario.title}")
    if shown:
        print()
        print(f"see one: {PROG} run {shown[0].id}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    import asyncio
    import signal

    from .server import INSTALL_HINT

    if not 0 <= args.port <= 65535:
        raise _Misuse(f"--port must be 0..65535 (0: a free one), got {args.port}")
    if args.journal_max_entries < 0:
        raise _Misuse(
            f"--journal-max-entries must be >= 0 (0: unbounded), got {args.journal_max_entries}"
        )
    try:
        import websockets  # noqa: F401
    except ImportError as exc:
        raise _Misuse(INSTALL_HINT) from exc
    from ._config import EmulatorConfig
    from ._errors import ConfigError
    from .server import run

    fields: dict[str, Any] = {
        "announce_max": args.announce_max,
        "interval": args.interval,
        "debounce": args.debounce,
        "rate_limits": args.rate_limits or None,
    }
    certificates: dict[str, str] = {}
    for given in args.app_certificate or ():
        app, sep, cert = given.partition(":")
        if not sep:
            raise _Misuse(f"--app-certificate takes APPID:CERT, got {given!r}")
        certificates[app] = cert
    if certificates:
        fields["app_certificates"] = certificates
    try:
        config = EmulatorConfig(**{k: v for k, v in fields.items() if v is not None})
    except ConfigError as exc:
        raise _Misuse(exc.detail or exc.reason) from exc

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
            allow_origins=args.allow_origin or (),
            allow_remote_control=args.allow_remote_control,
            journal_max_entries=args.journal_max_entries or None,  # 0: unbounded
        )

    try:
        asyncio.run(serve())
    except OSError as exc:
        print(
            f"{PROG} serve: cannot listen on {args.host}:{args.port}: {_one_line(str(exc))}",
            file=sys.stderr,
        )
        return 1
    except ConfigError as exc:
        raise _Misuse(exc.detail or exc.reason) from exc
    return 0


def _parser() -> _Parser:
    from . import __version__

    parser = _Parser(
        prog=PROG,
        description="A deterministic emulator of Agora RTM (Signaling) 2.x Presence.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("demo", help="run a narrated multi-user presence session")

    listing = commands.add_parser("list", help="list the scenarios (or, with --rules, the rules)")
    which = listing.add_mutually_exclusive_group()
    which.add_argument("--rule", action="append", help="only scenarios of this rule (repeatable)")
    which.add_argument("--rules", action="store_true", help="list the rules instead")

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
    serve.add_argument("--port", type=int, default=0, help="port 0..65535 (default 0: a free one)")
    serve.add_argument(
        "--clock",
        choices=("manual", "real"),
        default="manual",
        help="manual: time moves only with control.advance; real: it follows the wall clock",
    )
    serve.add_argument(
        "--max-frame-bytes",
        type=int,
        default=MAX_FRAME_BYTES,
        help="largest request frame answered (default 1 MiB)",
    )
    serve.add_argument(
        "--allow-origin",
        action="append",
        metavar="ORIGIN",
        help="also accept WebSockets from pages at ORIGIN, e.g. http://devbox:5173 "
        "(repeatable; '*' accepts any); by default only loopback pages and non-browser clients",
    )
    serve.add_argument(
        "--allow-remote-control",
        action="store_true",
        help="serve control.* even when --host is beyond loopback (refused there by default)",
    )
    serve.add_argument(
        "--journal-max-entries",
        type=int,
        default=SERVER_JOURNAL_MAX_ENTRIES,
        metavar="N",
        help="the journal keeps the newest N deliveries, dropping the oldest first "
        f"(default {SERVER_JOURNAL_MAX_ENTRIES:,}; 0: unbounded)",
    )
    serve.add_argument("--announce-max", type=int, help="EmulatorConfig.announce_max (8-128)")
    serve.add_argument("--interval", type=float, help="EmulatorConfig.interval (10-300 s)")
    serve.add_argument("--debounce", type=float, help="EmulatorConfig.debounce (s)")
    serve.add_argument(
        "--rate-limits",
        action="store_true",
        help="apply the SDK's API rate limits (EmulatorConfig.rate_limits, R-C6; off by default)",
    )
    serve.add_argument(
        "--app-certificate",
        action="append",
        metavar="APPID:CERT",
        help="an app certificate (repeatable; EmulatorConfig.app_certificates, R-TK20): that "
        "app's tokens are checked and expire on the fake clock",
    )
    return parser


_HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": _cmd_demo,
    "list": _cmd_list,
    "run": _cmd_run,
    "conformance": _cmd_conformance,
    "explain": _cmd_explain,
    "serve": _cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0, 1, 2 or 130, see the module doc).

    Never raises for a misuse: each prints one line on stderr and returns 2.  An
    unexpected error prints one line too and returns 1 (``RTM_EMULATOR_TRACEBACK=1``
    re-raises it instead, with its traceback).
    """
    prog = PROG
    try:
        try:
            args = _parser().parse_args(argv)
        except SystemExit as exc:  # --help, --version
            return exc.code if isinstance(exc.code, int) else 0
        prog = f"{PROG} {args.command}"
        return _HANDLERS[args.command](args)
    except _Misuse as exc:
        print(f"{exc.prog or prog}: {_one_line(exc.message)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `rtm-emulator list | head -1`
        _silence_stdout()
        return 0
    except Exception as exc:
        if os.environ.get("RTM_EMULATOR_TRACEBACK") == "1":
            raise
        print(
            f"{prog}: unexpected {type(exc).__name__}: {_one_line(str(exc))} "
            "(RTM_EMULATOR_TRACEBACK=1 shows where; please report it)",
            file=sys.stderr,
        )
        return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
