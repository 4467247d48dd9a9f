"""The `iris-tui` command: parses arguments, then starts the app or a subcommand.

Heavy modules (Textual, the client, the demo server) are imported only by the branch that needs
them, so `iris-tui --help` and the subcommands start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from iris_tui import __version__

EPILOG = """\
examples:
  iris-tui --demo                      try it on the built-in demo server
  iris-tui auth login --profile prod --url https://iris.example.org
  iris-tui --profile prod              open the case list of a saved profile
  iris-tui demo-server --port 8000     serve the fake IRIS on loopback for scripts
  iris-tui ds put 42 triage.zip        upload a file into case 42's datastore

keys and configuration: see the README, or press ? in the app."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iris-tui",
        description="A keyboard-driven terminal client for DFIR-IRIS.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"iris-tui {__version__}")
    parser.add_argument("-p", "--profile", help="profile to connect with (default: the default profile)")
    parser.add_argument("--demo", action="store_true", help="run against the built-in demo server (no setup)")
    parser.add_argument("--demo-latency", type=float, default=0.0, metavar="SECONDS",
                        help="with --demo: added latency per request")
    parser.add_argument("--read-only", action="store_true", help="refuse every write for this session")
    parser.add_argument("--no-mouse", action="store_true", help="do not capture the mouse")
    parser.add_argument("--theme", help="colour theme (e.g. textual-dark, ansi-dark, ansi-light)")
    parser.add_argument("--debug", metavar="FILE",
                        help="write a debug log of every request to FILE (API keys are redacted)")
    parser.set_defaults(func=run_app)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    demo = sub.add_parser("demo-server", help="serve the fake IRIS on loopback for scripts and tests",
                          description="Serve the demo IRIS server (a faithful fake of IRIS 2.4.20).")
    demo.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    demo.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    demo.add_argument("--allow-remote", action="store_true",
                      help="allow binding to a non-loopback address (the demo key is public!)")
    demo.add_argument("--latency", type=float, default=0.0, metavar="SECONDS", help="added latency per request")
    demo.add_argument("--seed", choices=("demo", "fresh", "hostile"), default="demo",
                      help="'demo': the ransomware incident; 'fresh': a freshly installed IRIS; "
                           "'hostile': demo plus attacker-controlled text in every field")
    for what in ("cases", "assets", "iocs", "events"):
        demo.add_argument(f"--{what}", type=int, metavar="N", help=f"add N synthetic {what} (benchmarks)")
    demo.set_defaults(func=run_demo_server)

    from iris_tui.auth_cli import add_subcommands

    add_subcommands(sub)
    from iris_tui.ds_cli import add_subcommands as add_ds
    add_ds(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # httpx imports its own command-line client (click, rich, pygments: ~30 ms of a 0.5 s
    # start) whenever those happen to be installed; iris-tui never runs it
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.debug:
        from iris_tui.logs import setup

        setup(args.debug)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


def run_demo_server(args: argparse.Namespace) -> int:
    from iris_tui.demo.serve import serve

    scale = {k: getattr(args, k) for k in ("cases", "assets", "iocs", "events") if getattr(args, k)}
    try:
        serve(args.host, args.port, allow_remote=args.allow_remote, latency=args.latency,
              scale=scale or None, seed=args.seed)
    except ValueError as exc:
        print(f"iris-tui demo-server: {exc}", file=sys.stderr)
        return 2
    return 0


def run_app(args: argparse.Namespace) -> int:
    from iris_tui.ui.launch import launch

    return launch(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
