"""``beeper-tui login`` and ``logout``: sign in with Beeper Desktop, or sign out.

``login`` runs the OAuth flow (see :mod:`beeper_tui.service.sign_in`) and saves
the token to the config file (mode 0600); ``logout`` revokes it there and
removes it from the file.
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from pathlib import Path
from typing import Any

from beeper_tui.api.errors import BeeperError
from beeper_tui.api.limits import DEFAULT_BASE_URL
from beeper_tui.config import (
    ConfigError,
    Settings,
    default_config_path,
    load_config_file,
    remove_config_values,
    resolve_settings,
    save_config_values,
)

from .common import add_shared_flags, takes

__all__ = ["register", "run_login", "run_logout"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``login`` and ``logout`` to the command tree."""
    login = commands.add_parser(
        "login",
        help="sign in with Beeper Desktop and save the token",
        description="Sign in with Beeper Desktop (OAuth) and save the access token "
        "to the config file.",
    )
    _common(login)
    login.add_argument(
        "--no-browser", action="store_true", help="print the sign-in URL instead of opening it"
    )
    login.set_defaults(run=run_login)
    logout = commands.add_parser(
        "logout",
        help="revoke the saved token and remove it",
        description="Revoke the access token saved in the config file and remove it.",
    )
    _common(logout)
    logout.set_defaults(run=run_logout)


def _common(parser: argparse.ArgumentParser) -> None:
    add_shared_flags(parser, ("base_url", "config"), top=False)
    takes(parser, "base_url", "config")


def _settings(args: argparse.Namespace) -> tuple[Settings, Path]:
    """The settings, and the config file the token goes to (it may not exist yet)."""
    config: Path | None = args.config
    existing = config if config is not None and config.exists() else None
    settings = resolve_settings({"base_url": args.base_url}, config_path=existing)
    return settings, config or settings.config_path or default_config_path()


class _SeveralDesktops(Exception):
    """Several Desktops answer and the saved token does not pick one: --base-url must."""


async def _where(settings: Settings) -> str:
    from beeper_tui.service.discovery import discover

    if not settings.base_url_is_default:
        return settings.base_url
    discovery = await discover(token=settings.token)
    if discovery.ambiguous:
        raise _SeveralDesktops(discovery.choose_message())
    chosen = discovery.chosen
    return settings.base_url if chosen is None else chosen.url


def run_login(args: argparse.Namespace) -> int:
    """Sign in; 0 once the token is saved."""
    import asyncio

    try:
        settings, path = _settings(args)
    except ConfigError as exc:
        print(f"beeper-tui login: error: {exc}", file=sys.stderr)
        return 2
    from beeper_tui.service.sign_in import can_open_browser, sign_in

    browser = not args.no_browser and can_open_browser()

    def show(url: str) -> None:
        if browser and webbrowser.open(url):
            print(f"Opened the sign-in page in your browser. If it did not open, visit:\n{url}")
        else:
            print(f"Open this address in a browser to sign in with Beeper Desktop:\n{url}")
        print("Waiting for the approval…", flush=True)

    async def flow() -> tuple[str, str]:
        base_url = await _where(settings)
        signed = await sign_in(base_url, show)
        return base_url, signed.token

    try:
        base_url, token = asyncio.run(flow())
    except BeeperError as exc:
        print(f"beeper-tui login: {exc.message}", file=sys.stderr)
        return 1
    except _SeveralDesktops as exc:
        print(f"beeper-tui login: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("beeper-tui login: cancelled", file=sys.stderr)
        return 130
    # The address signed in to is kept with its token (the default one is found anyway):
    # a plain ``beeper-tui accounts`` afterwards reaches the same Desktop.
    values = {"access_token": token}
    if base_url != DEFAULT_BASE_URL:
        values["base_url"] = base_url
    try:
        save_config_values(path, values)
    except (OSError, ConfigError) as exc:
        print(f"beeper-tui login: could not save the token to {path}: {exc}", file=sys.stderr)
        return 1
    where = f" with {base_url}" if "base_url" in values else ""
    print(f"Signed in. The access token is saved in {path}{where} (readable only by you).")
    return 0


def run_logout(args: argparse.Namespace) -> int:
    """Revoke the saved token and remove it from the config file."""
    import asyncio

    try:
        settings, path = _settings(args)
        token = load_config_file(path).get("access_token")
    except ConfigError as exc:
        print(f"beeper-tui logout: error: {exc}", file=sys.stderr)
        return 2
    if not isinstance(token, str) or not token:
        print(f"No saved token in {path}: nothing to do.")
        return 0

    from beeper_tui.service.sign_in import revoke

    async def flow() -> None:
        await revoke(await _where(settings), token)

    status = 0
    try:
        asyncio.run(flow())
    except BeeperError as exc:
        print(
            f"beeper-tui logout: could not revoke the token ({exc.message}); "
            "removing it from the config file anyway",
            file=sys.stderr,
        )
        status = 1
    try:
        remove_config_values(path, ["access_token"])
    except (OSError, ConfigError) as exc:
        print(f"beeper-tui logout: could not update {path}: {exc}", file=sys.stderr)
        return 1
    if status == 0:
        print(f"Signed out: the token is revoked and removed from {path}.")
    return status
