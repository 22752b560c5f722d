"""Command line: parse flags, pick the real or demo backend, start the app."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from beeper_tui import __version__
from beeper_tui.arguments import OneLineParser, argv_secrets, non_negative_int, positive_int
from beeper_tui.config import ConfigError, Settings, resolve_settings

__all__ = ["build_parser", "main", "settings_from_args"]

EPILOG = """\
commands:
  beeper-tui demo-server [--host H] [--port P] [--token T] [--seed N] [--latency-ms N]
                        serve the embedded Beeper Desktop stand-in over HTTP
  beeper-tui export (--account ID | --all) --format vcf|csv|json|jsonl [-o FILE]
                        [--query TEXT] [--demo] [--base-url URL] [--token T] ...
                        export contacts (beeper-tui export --help for details)

environment:
  BEEPER_ACCESS_TOKEN   access token for Beeper Desktop's API
  BEEPER_BASE_URL       API base URL (BEEPER_DESKTOP_BASE_URL is accepted too)

precedence: flags > environment > config file > defaults.
"""


def build_parser() -> argparse.ArgumentParser:
    """The app's argument parser (``beeper-tui --help`` shows it)."""
    parser = OneLineParser(
        prog="beeper-tui",
        description="A fast, keyboard-first terminal contact browser for Beeper Desktop.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--base-url", metavar="URL", help="Beeper Desktop API URL")
    parser.add_argument("--token", metavar="TOKEN", help="access token (prefer the env var)")
    parser.add_argument(
        "--demo", action="store_true", default=None, help="run on the embedded demo data"
    )
    parser.add_argument("--config", metavar="PATH", type=Path, help="config file to use")
    parser.add_argument(
        "--debounce-ms", type=non_negative_int, metavar="MS", help="search delay after typing"
    )
    parser.add_argument("--page-size", type=positive_int, metavar="N", help="contacts per page")
    parser.add_argument("--log", metavar="FILE", type=Path, help="write a debug log to FILE")
    parser.add_argument("--version", action="version", version=f"beeper-tui {__version__}")
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Resolve settings from parsed flags, the environment and the config file."""
    flags: dict[str, Any] = {
        "base_url": args.base_url,
        "access_token": args.token,
        "demo": args.demo,
        "debounce_ms": args.debounce_ms,
        "page_size": args.page_size,
        "log_file": args.log,
    }
    settings = resolve_settings(flags, config_path=args.config)
    from textual.theme import BUILTIN_THEMES

    if settings.theme not in BUILTIN_THEMES:
        known = ", ".join(sorted(BUILTIN_THEMES))
        raise ConfigError(f"unknown theme {settings.theme!r} (known: {known})")
    return settings


def _setup_logging(path: Path | None) -> None:
    if path is None:
        return
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("beeper_tui")
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``beeper-tui`` command."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["demo-server"]:
        from beeper_tui.demo.server import main as demo_server_main

        return demo_server_main(argv[1:])
    if argv[:1] == ["export"]:
        from beeper_tui.service.export import export_main

        return export_main(argv[1:])
    parser = build_parser()
    assert isinstance(parser, OneLineParser)
    parser.secrets = argv_secrets(argv)
    args = parser.parse_args(argv)
    try:
        settings = settings_from_args(args)
        _setup_logging(settings.log_file)
    except (ConfigError, OSError) as exc:
        print(f"beeper-tui: error: {exc}", file=sys.stderr)
        return 2

    from beeper_tui.ui.app import BeeperApp

    app = BeeperApp(settings)
    app.run()
    return app.return_code or 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
