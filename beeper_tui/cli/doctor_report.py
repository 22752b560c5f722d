"""What ``beeper-tui doctor`` finds: each check as a line, and what to do when one fails."""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from typing import Any

from beeper_tui.api.errors import API_SETTINGS, SENSITIVE_ACTIONS, AuthenticationError, BeeperError
from beeper_tui.book_path import default_book_path
from beeper_tui.config import Settings
from beeper_tui.service.export.formats import clean_text
from beeper_tui.service.names import best_name
from beeper_tui.service.networks import network_name, status_badge
from beeper_tui.wiring import default_avatar_cache, open_backend

__all__ = ["Check", "Report", "gather", "render"]


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report: what was checked, what was found, and the fix when it failed."""

    name: str
    found: str
    ok: bool = True
    fix: str | None = None


@dataclass
class Report:
    """Every check, in the order they are shown."""

    checks: list[Check] = field(default_factory=list)
    accounts: list[dict[str, str]] = field(default_factory=list)

    def add(self, name: str, found: str, *, ok: bool = True, fix: str | None = None) -> None:
        # Server and file text can carry anything: one clean line each.
        self.checks.append(Check(name, clean_text(found, newlines=False) or "", ok, fix))

    @property
    def problems(self) -> list[Check]:
        """The checks that failed."""
        return [c for c in self.checks if not c.ok]

    def as_json(self) -> dict[str, Any]:
        """The report as plain JSON (for bug reports)."""
        return {
            "checks": [
                {"name": c.name, "found": c.found, "ok": c.ok, "fix": c.fix} for c in self.checks
            ],
            "accounts": self.accounts,
            "problems": len(self.problems),
        }


async def gather(settings: Settings) -> Report:
    """Run every check against what ``settings`` point at."""
    report = Report()
    base_url = settings.base_url
    if not settings.demo and settings.base_url_is_default:
        base_url = await _desktops(report, settings)
    backend = open_backend(
        base_url=base_url,
        access_token=settings.token,
        demo=settings.demo,
        max_retries=0,
        client_options=settings.client_options(),
    )
    try:
        await _desktop(report, backend, settings)
    finally:
        await backend.aclose()
    await _book(report, settings)
    _cache(report)
    _terminal(report)
    return report


async def _desktops(report: Report, settings: Settings) -> str:
    """List every Desktop on the local ports; the address to check (the one to use)."""
    from beeper_tui.service.discovery import DESKTOP_PORTS, discover

    discovery = await discover(token=settings.token)
    if not discovery.found:
        span = f"{DESKTOP_PORTS[0]}-{DESKTOP_PORTS[-1]}"
        report.add("Desktops found", f"none on ports {span}")
        return settings.base_url
    report.add(
        "Desktops found",
        f"{len(discovery.found)}: {discovery.listing()}",
        ok=not discovery.ambiguous,
        fix="the token does not tell them apart: pass --base-url with the one to use"
        if discovery.ambiguous
        else None,
    )
    # Ambiguous: the lowest port is checked, as the list shows it first.
    return (discovery.chosen or discovery.found[0]).url


async def _desktop(report: Report, backend: Any, settings: Settings) -> None:
    where = "the embedded demo" if settings.demo else backend.base_url
    try:
        await backend.info()
        report.add("Beeper Desktop", f"answering at {where}")
    except BeeperError as exc:
        if not backend.build.without_info:
            report.add(
                "Beeper Desktop",
                f"not reachable at {where}: {exc}",
                ok=False,
                fix="start Beeper Desktop and turn its API on in "
                f"{API_SETTINGS}; or pass --base-url",
            )
            return
        report.add("Beeper Desktop", f"answering at {where} (no /v1/info)")
    source = "the embedded demo" if settings.demo else (settings.token_source or "none")
    if not backend.has_token:
        report.add(
            "token",
            "none",
            ok=False,
            fix=f"run beeper-tui login, or make one in {API_SETTINGS} and set BEEPER_ACCESS_TOKEN",
        )
        return
    try:
        accounts = await backend.resolve_accounts(None)
    except AuthenticationError as exc:
        report.add(
            "token", f"from {source}: refused ({exc.message})", ok=False, fix="beeper-tui login"
        )
        return
    except BeeperError as exc:
        report.add("accounts", str(exc), ok=False, fix="try again; restart Beeper Desktop")
        return
    report.add("build", backend.build_line or backend.build.described)
    inactive = await backend.token_inactive()
    report.add(
        "token",
        f"from {source}: {'expired or revoked' if inactive else 'accepted'}",
        ok=not inactive,
        fix="beeper-tui login" if inactive else None,
    )
    allowed = await backend.sensitive_actions_allowed()
    report.add(
        "sensitive actions",
        {True: "allowed", False: "not allowed", None: "unknown"}[allowed],
        ok=allowed is not False,
        fix=None
        if allowed is not False
        else f"turn on '{SENSITIVE_ACTIONS}' in Beeper Desktop, Settings → Integrations "
        "(needed to start chats and send; browsing works without it)",
    )
    for account in accounts:
        badge = status_badge(account.status).label
        report.accounts.append(
            {
                "id": account.account_id,
                "network": network_name(account),
                "status": badge,
                "user": best_name(account.user),
            }
        )
    report.add(
        "accounts",
        f"{len(accounts)}: "
        + ", ".join(f"{network_name(a)} ({status_badge(a.status).label})" for a in accounts),
    )


async def _book(report: Report, settings: Settings) -> None:
    if settings.demo:
        return
    path = default_book_path()
    if not path.exists():
        report.add("address book", f"{path}: none yet (the app writes it on its first sync)")
        return
    from beeper_tui.service.book import AddressBook

    try:
        book = await AddressBook.open(path, region=settings.phone_region)
    except (OSError, BeeperError) as exc:
        fix = "beeper-tui cache clear"
        report.add("address book", f"{path}: unreadable ({exc})", ok=False, fix=fix)
        return
    try:
        ids = book.account_ids
        people = sum(book.count(i) or 0 for i in ids)
        last = book.last_synced()
    finally:
        await book.close()
    when = last.astimezone().strftime("%Y-%m-%d %H:%M") if last else "never"
    size = path.stat().st_size
    report.add(
        "address book",
        f"{path}: {size // 1024} KiB, {len(ids)} accounts, {people} contacts, last sync {when}",
    )


def _cache(report: Report) -> None:
    cache = default_avatar_cache().parent
    if not cache.exists():
        report.add("cache directory", f"{cache}: not created yet")
        return
    mode = stat.S_IMODE(cache.stat().st_mode)
    private = not mode & 0o077
    report.add(
        "cache directory",
        f"{cache}: mode {mode:o}",
        ok=private,
        fix=None if private else f"chmod 700 {cache} (other users can read it)",
    )


def _terminal(report: Report) -> None:
    env = os.environ
    if env.get("KITTY_WINDOW_ID") or env.get("TERM") == "xterm-kitty":
        graphics = "kitty graphics"
    elif env.get("TERM_PROGRAM") in ("WezTerm", "iTerm.app", "ghostty"):
        graphics = f"{env['TERM_PROGRAM']} images"
    elif "sixel" in env.get("TERM", ""):
        graphics = "sixel"
    else:
        graphics = "none known (faces drawn with half blocks)"
    tty = "a terminal" if sys.stdout.isatty() else "not a terminal"
    report.add("terminal", f"{env.get('TERM', 'unknown')}, {tty}; graphics: {graphics}")


def render(report: Report) -> str:
    """One screenful: a line per check, the fix under each failed one."""
    width = max(len(c.name) for c in report.checks)
    lines = []
    for check in report.checks:
        mark = "ok  " if check.ok else "FAIL"
        lines.append(f"{mark} {check.name.ljust(width)}  {check.found}")
        if check.fix:
            lines.append(f"     {' ' * width}  → {check.fix}")
    lines.append("")
    lines.append(f"{len(report.problems)} problem(s)" if report.problems else "nothing wrong found")
    return "\n".join(lines)
