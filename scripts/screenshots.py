"""Write the README screenshots (SVG) from the embedded demo: `make screenshots`."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

os.environ["TEXTUAL_ANIMATIONS"] = "none"

from beeper_tui.api.models import AccountStatus
from beeper_tui.config import Settings
from beeper_tui.ui.app import BeeperApp
from beeper_tui.ui.contact_list import ContactList

OUT = Path(__file__).resolve().parent.parent / "screenshots"
SIZE = (120, 40)


def _app() -> BeeperApp:
    settings = Settings(demo=True, debounce_ms=50, refresh_seconds=0, theme="textual-dark")
    return BeeperApp(settings)


async def _settle(app: BeeperApp) -> None:
    await app.workers.wait_for_complete()
    await asyncio.sleep(0.05)
    await app.workers.wait_for_complete()


async def main_view() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app)
        await pilot.pause()
        app.save_screenshot("main.svg", str(OUT))


async def search_view() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app)
        await pilot.press("slash", *"mar")
        await asyncio.sleep(0.2)
        await _settle(app)
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()
        app.save_screenshot("search.svg", str(OUT))


async def attention_view() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app)
        wanted = (AccountStatus.ATTENTION_REQUIRED, AccountStatus.RECONNECT_REQUIRED)
        target = next(a for a in app.backend.accounts.accounts if a.status in wanted)
        app.main_screen.switch_account(target.account_id)
        await _settle(app)
        app.sidebar.focus()
        await pilot.pause()
        assert isinstance(app.query_one("#contacts"), ContactList)
        app.save_screenshot("attention.svg", str(OUT))


async def person_view() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app)
        await pilot.press("slash", *"ines becker")
        await asyncio.sleep(0.2)
        await _settle(app)
        await pilot.press("enter")
        await asyncio.sleep(0.2)
        await _settle(app)
        assert app.detail.conversation is not None
        await pilot.pause()
        app.save_screenshot("person.svg", str(OUT))


async def run() -> None:
    OUT.mkdir(exist_ok=True)
    for shot in (main_view, search_view, attention_view, person_view):
        await shot()
        print(f"wrote {OUT / (shot.__name__.removesuffix('_view') + '.svg')}")


if __name__ == "__main__":
    asyncio.run(run())
    sys.exit(0)
