"""Turn parsed command-line arguments into a running app: demo, or a saved profile."""

from __future__ import annotations

import argparse
import sys

from iris_tui.ui.session import Session, demo_session


def launch(args: argparse.Namespace) -> int:
    from iris_tui.ui.app import IrisApp

    keymap: dict[str, str] = {}
    theme = args.theme
    auto_refresh: float | None = None
    session: Session | None
    if args.demo:
        session = demo_session(latency=args.demo_latency, read_only=args.read_only)
    else:
        from iris_tui.config import ConfigError
        from iris_tui.config import load as load_config
        from iris_tui.ui.connect import session_for_profile

        try:
            config = load_config()
        except ConfigError as exc:
            print(f"iris-tui: {exc}", file=sys.stderr)
            return 2
        keymap = dict(config.keys)
        theme = theme or config.theme
        auto_refresh = config.auto_refresh
        try:
            session = session_for_profile(config, args.profile, read_only=args.read_only)
        except KeyError as exc:
            print(f"iris-tui: {exc.args[0]}", file=sys.stderr)
            return 2
        except ConfigError as exc:  # e.g. an unusable CA bundle
            print(f"iris-tui: {exc}", file=sys.stderr)
            return 2
    app = IrisApp(session, keymap=keymap, theme=theme, profile=args.profile,
                  read_only=args.read_only)
    if auto_refresh is not None:
        app.auto_refresh = float(auto_refresh)
    app.run(mouse=not args.no_mouse)
    return app.return_code or 0
