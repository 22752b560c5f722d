"""``beeper-tui`` with no command: resolve the settings and open the app."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beeper_tui import __version__
from beeper_tui.config import IMAGE_MODES, ConfigError, Settings, clip, resolve_settings

from .common import (
    SHARED_FLAGS,
    add_shared_flags,
    desktop_version,
    non_negative_int,
    positive_int,
)

if TYPE_CHECKING:
    from beeper_tui.service.book.address_book import BookOpening
    from beeper_tui.ui.app import BeeperApp

__all__ = ["add_arguments", "build_app", "run", "settings_from_args"]


def add_arguments(parser: argparse.ArgumentParser) -> dict[str, str]:
    """The app's own options, on the top-level parser; returns each one's dest → flag."""
    add_shared_flags(parser, SHARED_FLAGS, top=True)
    options = {dest: flag for dest, (flag, _) in SHARED_FLAGS.items()}
    options.update(demo_version="--demo-version", debounce_ms="--debounce-ms")
    options.update(page_size="--page-size", images="--images", log="--log")
    parser.add_argument(
        "--demo-version",
        metavar="V",
        type=desktop_version,
        help="with --demo: the Beeper Desktop build the demo plays (default: the newest)",
    )
    parser.add_argument(
        "--debounce-ms", type=non_negative_int, metavar="MS", help="search delay after typing"
    )
    parser.add_argument("--page-size", type=positive_int, metavar="N", help="contacts per page")
    parser.add_argument(
        "--images", choices=IMAGE_MODES, help="how avatars are drawn (default: auto)"
    )
    parser.add_argument("--log", metavar="FILE", type=Path, help="write a debug log to FILE")
    parser.add_argument("--version", action="version", version=f"beeper-tui {__version__}")
    parser.set_defaults(run=run)
    return options


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Resolve settings from parsed flags, the environment and the config file."""
    flags: dict[str, Any] = {
        "base_url": args.base_url,
        "access_token": args.token,
        "demo": args.demo or None,
        "demo_version": args.demo_version,
        "debounce_ms": args.debounce_ms,
        "page_size": args.page_size,
        "images": args.images,
        "log_file": args.log,
        "book": "memory" if getattr(args, "no_cache", False) else "disk",
    }
    settings = resolve_settings(flags, config_path=args.config)
    from textual.theme import BUILTIN_THEMES

    if settings.theme not in BUILTIN_THEMES:
        known = ", ".join(sorted(BUILTIN_THEMES))
        raise ConfigError(f"unknown theme {clip(settings.theme)} (known: {known})")
    return settings


def _setup_logging(path: Path | None, token: str | None) -> None:
    if path is None:
        return
    import logging

    from beeper_tui.logfile import open_debug_log

    # 0600, the token masked, control characters escaped: one record, one line.
    handler = open_debug_log(path, secrets=[token])
    root = logging.getLogger("beeper_tui")
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)


def build_app(args: argparse.Namespace) -> BeeperApp | int:
    """The app the command line asks for, ready to run; or the exit status of a bad setting.

    What ``beeper-tui`` does before the app takes the terminal (the start-up
    figure times this very path).
    """
    try:
        settings = settings_from_args(args)
        _setup_logging(settings.log_file, settings.token)
    except (ConfigError, OSError) as exc:
        print(f"beeper-tui: error: {exc}", file=sys.stderr)
        return 2

    opening = _start_reading_book(settings)
    from beeper_tui.ui.app import BeeperApp
    from beeper_tui.ui.avatar_view import prepare_images

    # textual-image asks the terminal what it can draw; once Textual owns it, it cannot.
    prepare_images(settings.images)
    return BeeperApp(settings, book_opening=opening)


def _start_reading_book(settings: Settings) -> BookOpening | None:
    """Begin reading the app's book on its own thread now, while Textual and the app are
    imported (the first frame lists it)."""
    if settings.book == "off":
        return None
    from beeper_tui.book_path import app_book_path, default_people_path
    from beeper_tui.service.book.address_book import BookOpening

    path = app_book_path(
        settings.book,
        demo=settings.demo,
        keep_demo_book=settings.demo,  # the app's own demo keeps its book
        demo_version=settings.demo_version,
    )
    return BookOpening(
        path, region=settings.phone_region, people=default_people_path(demo=settings.demo)
    )


def run(args: argparse.Namespace) -> int:
    """Open the app; returns its exit status."""
    app = build_app(args)
    if isinstance(app, int):
        return app
    app.run()
    return app.return_code or 0
