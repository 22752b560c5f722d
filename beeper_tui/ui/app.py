"""The beeper-tui application: what is global (settings, session, book, theme, palette, exit).

The view is :class:`~beeper_tui.ui.main_screen.MainScreen`'s. The App builds the
address book's driver, the one :class:`~beeper_tui.ui.messages.ServicePoster`
through which the book and the session report to the screen, and, once the
book's first frame is painted, the backend and the
:class:`~beeper_tui.service.session.Session` that owns it: the HTTP client and
the API models are not needed to list the book, and are not imported before.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import App, InvalidThemeError
from textual.binding import BindingType
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from beeper_tui.config import ConfigError, Settings, save_config_text
from beeper_tui.service.session_events import Health

from .accounts_sidebar import AccountsSidebar
from .app_keys import APP_BINDINGS, BREAKPOINTS, check_keymap, known_binding_ids
from .book_driver import BookDriver
from .command_palette import AccountCommands, ContactCommands
from .exit_signals import ExitSignals
from .gc_freeze import note_input
from .main_screen import MainScreen
from .messages import ServicePoster, UnexpectedError
from .person_view import PersonView
from .safe_text import inert
from .search_pane import SearchPane

if TYPE_CHECKING:
    from beeper_tui.service.backend import Backend
    from beeper_tui.service.book import BookOpening
    from beeper_tui.service.session import Session

__all__ = ["BeeperApp"]

log = logging.getLogger("beeper_tui.ui")


class BeeperApp(App[None]):
    """Browse the contacts of every chat account connected to Beeper Desktop."""

    CSS_PATH = "app.tcss"
    TITLE = "beeper-tui"
    SUB_TITLE = "contacts"
    COMMANDS = App.COMMANDS | {AccountCommands, ContactCommands}
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS

    def __init__(
        self,
        settings: Settings,
        *,
        backend: Backend | None = None,
        book_opening: BookOpening | None = None,
    ) -> None:
        """``book_opening``: the app's book, already being read (``beeper-tui`` starts it
        before it imports the app)."""
        super().__init__()
        self.settings = settings
        self._kept_theme = settings.theme
        """The theme the config file holds (or the start's): a change to another is saved."""
        self._given_backend = backend
        self._session: Session | None = None
        self._exit_signals = ExitSignals(self)
        self._poster = ServicePoster(lambda: self.main_screen)
        demo = backend.is_demo if backend is not None else settings.demo
        self.book_driver = BookDriver(
            settings,
            self._poster,
            demo=demo,
            # Its own demo (``--demo``), not one a caller built: its book is kept on disk.
            keep_demo_book=backend is None and settings.demo,
            opening=book_opening,
            backend=lambda: self._session.backend if self._session is not None else None,
            offline=lambda: self._session is not None and self._session.offline,
        )
        """Opens, syncs and reports on the address book (``book_driver.py``)."""
        self.main_screen = MainScreen(
            settings, lambda: self.session, self.book_driver, connected=lambda: self.connected
        )
        """The screen with the panes: the view is its."""
        if demo:
            self.sub_title = "demo data"

    @property
    def session(self) -> Session:
        """The connection to Beeper Desktop, the one owner of the backend.

        Built on first use: at start, once the book's first frame is painted
        (``_start_session``), so the HTTP client and the API models load after it.
        """
        if self._session is None:
            self._session = self._build_session()
        return self._session

    @property
    def connected(self) -> bool:
        """Whether the session (and so the backend) exists yet."""
        return self._session is not None

    def _build_session(self) -> Session:
        from beeper_tui.service.discovery import discover
        from beeper_tui.service.session import Session
        from beeper_tui.wiring import open_backend

        settings = self.settings
        backend = self._given_backend
        own_backend = backend is None and not settings.demo
        if backend is None:
            backend = open_backend(
                base_url=settings.base_url,
                access_token=settings.token,
                page_size=settings.page_size,
                demo=settings.demo,
                demo_version=settings.demo_version,
                client_options=settings.client_options(),
                export_max_contacts=settings.export_max_contacts,
                remote_images=settings.remote_images,
            )
        from .session_prompts import SessionPrompts  # the connect and sign-in screens

        prompts = SessionPrompts(
            self, settings, self.book_driver, self._poster, backend=lambda: self.session.backend
        )
        session = Session(
            backend,
            prompts,
            self._poster.session_event,
            refresh_seconds=settings.refresh_seconds,
            find_desktop=partial(discover, token=settings.token)
            if own_backend and settings.base_url_is_default
            else None,
            offline_fallback=self.book_driver.open_offline,
        )
        self.book_driver.attach(backend)
        return session

    def get_default_screen(self) -> MainScreen:
        return self.main_screen

    @property
    def backend(self) -> Backend:
        """The session's backend (the demo's, once the user switched to it)."""
        return self.session.backend

    @property
    def health(self) -> Health:
        """The connection's health (``Session.health`` is its one source)."""
        return self._session.health if self._session is not None else Health.CONNECTING

    @property
    def offline(self) -> bool:
        """Whether Beeper Desktop was lost and the app is trying to get it back."""
        return self._session is not None and self._session.offline

    async def on_load(self) -> None:
        # Before the terminal switches to the app: a frame drawn without the
        # book's rows would be drawn again at once, and slow the rows down.
        await self.book_driver.read()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            note_input()  # no garbage sweep while the user is at the keys
        await super().on_event(event)

    async def on_mount(self) -> None:
        self._exit_signals.install()
        try:
            self.theme = self.settings.theme
        except InvalidThemeError:
            # The command line checks the name; a Settings built elsewhere may not.
            self.notify(f"Unknown theme {self.settings.theme!r}", severity="warning", markup=False)
        self._kept_theme = self.theme
        self.theme_changed_signal.subscribe(self, self._keep_theme)

    def _keep_theme(self, theme: Theme) -> None:
        """A theme picked in the palette is the next start's: ``theme`` in the config file.

        Only that key is written (the file stays 0600, the token in it untouched).
        """
        path = self.settings.config_path
        if path is None or theme.name == self._kept_theme:
            return
        try:
            save_config_text(path, "theme", theme.name)
        except (OSError, ConfigError, ValueError) as exc:
            self.notify(
                f"Could not keep the theme in the config file: {inert(str(exc))}",
                severity="warning",
                markup=False,
            )
            return
        self._kept_theme = theme.name

    @on(MainScreen.Ready)
    def _on_main_screen_ready(self) -> None:
        self.apply_keymap()
        for warning in self.settings.warnings:
            title = (
                "Insecure connection" if warning == self.settings.clear_text_warning else "Warning"
            )
            self.notify(inert(warning), title=title, severity="warning", timeout=15, markup=False)
        self._start_session()

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def _start_session(self) -> None:
        await self.book_driver.open()
        if self.main_screen.show_cached():
            # The book's rows reach the screen before the backend is even built:
            # the HTTP client and the API models load after this frame.
            await self.main_screen.pane.results_shown()
            painted = asyncio.Event()
            self.call_after_refresh(painted.set)
            await painted.wait()
            self.main_screen.freeze_once()
        session = self.session
        self.main_screen.connected()
        await session.start()

    def apply_keymap(self) -> None:
        """Apply ``[keymap]`` from the settings; one toast names what was ignored."""
        if not self.settings.keymap:
            return
        screen = self.main_screen
        known = known_binding_ids([self, screen, *screen.query("*")])
        from .copy_menu import CopyMenu
        from .export_dialog import ExportDialog

        known |= known_binding_ids([CopyMenu, ExportDialog])
        usable, problems = check_keymap(self.settings.keymap, known)
        self.set_keymap(usable)
        if problems:
            self.notify(
                "[keymap] in the config: " + "; ".join(problems) + " (ignored)",
                title="Keymap",
                severity="warning",
                timeout=15,
                markup=False,
            )

    def action_help(self) -> None:
        """Show the keys that apply where the focus is, and the legend of marks."""
        from .help_screen import HelpScreen

        self.push_screen(HelpScreen(self.screen.active_bindings))

    @on(UnexpectedError)
    def report_unexpected(self, event: UnexpectedError) -> None:
        """An error nobody expected: into the log with its traceback, and a toast."""
        error = event.error
        log.error("unexpected error", exc_info=error)
        what = f"{type(error).__name__}: {error}" if error else "unknown error"
        where = f" Details in {self.settings.log_file}." if self.settings.log_file else ""
        self.notify(
            f"Something went wrong ({inert(what, limit=200)}).{where} The app keeps running.",
            title="Unexpected error",
            severity="error",
            markup=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.post_message(UnexpectedError(event.worker.error))

    async def on_unmount(self) -> None:
        self._exit_signals.restore()
        await self.book_driver.close()
        if self._session is not None:
            await self._session.aclose()

    # -- the main screen's parts (for tests and scripts) ----------------------

    @property
    def sidebar(self) -> AccountsSidebar:
        """The main screen's accounts sidebar."""
        return self.main_screen.sidebar

    @property
    def pane(self) -> SearchPane:
        """The main screen's contact search pane."""
        return self.main_screen.pane

    @property
    def detail(self) -> PersonView:
        """The main screen's detail panel."""
        return self.main_screen.detail
