"""Figure: start to the cached list painted, with the server not answering (the book offline).

A book is synced once from the in-process demo (its default dataset) into a
temporary file; then five fresh ``python`` processes each start the app
against a loopback port nobody listens on, with that book, and time from the
interpreter's start to the first frame with the book's rows painted.
``offline_start_figure()`` returns ``(figure, target, measured, passed)``.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import tempfile
from pathlib import Path

TARGET_S = 0.6
RUNS = 5

CHILD = """
import json, os, sys, time
t_main = time.time()
from beeper_tui.ui.app import BeeperApp
from beeper_tui.config import Settings
from beeper_tui.service.book_source import BookSource
from beeper_tui.ui.contact_list import ContactList
from first_paint import run_child

os.environ["XDG_CACHE_HOME"] = sys.argv[2]  # the book is where the app keeps it, under here
settings = Settings(base_url=sys.argv[1], access_token="offline-bench", refresh_seconds=0,
                    theme="textual-dark", book="disk", config_path=None)
app = BeeperApp(settings)

async def rows():
    return len(app.pane.contact_list.items)

painted, listed = run_child(
    app, ContactList, lambda lst: bool(lst.items) and isinstance(app.pane.pager, BookSource), rows
)
print(json.dumps({"start": float(os.environ["BENCH_T0"]), "main": t_main,
                  "painted": painted, "rows": listed}))
"""


async def _write_book(path: Path) -> int:
    from beeper_tui.demo import build_dataset, create_demo_app
    from beeper_tui.service.book import AddressBook
    from beeper_tui.wiring import open_backend

    backend = open_backend(
        base_url="http://x", access_token=None, demo_app=create_demo_app(build_dataset())
    )
    accounts = await backend.accounts.refresh()
    book = await AddressBook.open(path)
    await book.syncer(backend.client).run(accounts)
    contacts = len(book.index)
    await book.close()
    await backend.aclose()
    return contacts


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # closed again: connecting is refused at once


def _once(base_url: str, path: Path) -> dict[str, float]:
    from first_paint import child

    return child(CHILD, base_url, str(path.parent.parent))


def offline_start_figure() -> tuple[str, str, str, bool, str]:
    """(figure, target, measured, passed, note) for the offline start."""
    with tempfile.TemporaryDirectory(prefix="beeper-tui-bench-") as workdir:
        path = Path(workdir) / "beeper-tui" / "book.sqlite3"  # XDG_CACHE_HOME=workdir
        path.parent.mkdir()
        contacts = asyncio.run(_write_book(path))
        base_url = f"http://127.0.0.1:{_closed_port()}"
        _once(base_url, path)  # not counted: warms the .pyc files and the page cache
        runs = [_once(base_url, path) for _ in range(RUNS)]
    totals = [r["painted"] - r["start"] for r in runs]
    boots = [r["main"] - r["start"] for r in runs]
    total = statistics.median(totals)
    return (
        "Start to the cached list painted, server not answering",
        f"<= {TARGET_S:g} s",
        f"{total:.2f} s",
        total <= TARGET_S,
        f"median of {RUNS} fresh processes, {contacts:,}-contact book on disk, connection "
        f"refused; interpreter start {statistics.median(boots) * 1000:.0f} ms, "
        f"{int(runs[0]['rows']):,} rows listed",
    )


if __name__ == "__main__":
    print(offline_start_figure())
