"""How the app answers the session's questions: a screen for each, awaited from any task."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import App
from textual.screen import Screen

from beeper_tui.api.errors import CannotConnectError
from beeper_tui.config import Settings, save_config_values
from beeper_tui.logfile import add_log_secret
from beeper_tui.service.session_events import TokenAnswer

from .connect_screens import ConnectErrorScreen, TokenEntered, TokenScreen
from .desktop_chooser import DesktopChooser

if TYPE_CHECKING:
    from beeper_tui.service.backend import Backend
    from beeper_tui.service.discovery import FoundDesktop

    from .book_driver import BookDriver
    from .connect_screens import ConnectChoice
    from .messages import ServicePoster

__all__ = ["SessionPrompts"]

log = logging.getLogger("beeper_tui.ui")

_T = TypeVar("_T")


class SessionPrompts:
    """The :class:`~beeper_tui.service.session.SessionPrompts` of the running app."""

    def __init__(
        self,
        app: App[Any],
        settings: Settings,
        book: BookDriver,
        poster: ServicePoster,
        *,
        backend: Callable[[], Backend],
    ) -> None:
        self.app = app
        """Shows the screens (and quits)."""
        self.settings = settings
        self.book = book
        self.poster = poster
        self._backend = backend
        """The session's backend."""
        self._to_save: str | None = None
        """The token the user asked to save, until Desktop accepts it."""

    async def cannot_connect(self, error: CannotConnectError) -> ConnectChoice:
        """Say where we tried and what to do."""
        return await self._ask(ConnectErrorScreen(self._backend().base_url, error.reason))

    async def need_token(self, reason: str | None) -> TokenAnswer:
        """Ask for a token (saving it when asked to), or the demo, or quit."""
        settings = self.settings
        path = settings.config_path
        backend = self._backend()
        note = None
        if reason and settings.token_source == "environment":
            note = (
                "The rejected token came from BEEPER_ACCESS_TOKEN. A token saved here "
                "would still lose to the variable: change or unset it for the next start."
            )

        async def run_sign_in(show: Callable[[str], None]) -> str:
            from beeper_tui.service.sign_in import sign_in  # OAuth: only when asked for

            return (await sign_in(backend.base_url, show)).token

        result = await self._ask(
            TokenScreen(
                reason=reason,
                config_path=str(path) if path else None,
                sign_in=None if backend.is_demo else run_sign_in,
                source_note=note,
            )
        )
        if not isinstance(result, TokenEntered):
            return result
        add_log_secret(result.token)
        self._to_save = result.token if result.save else None
        return result.token

    async def choose_desktop(self, found: Sequence[FoundDesktop]) -> str | None:
        """Several Desktops answer: the user picks one (None keeps the configured address)."""
        return await self._ask(DesktopChooser(found, self._backend().base_url))

    def token_accepted(self, token: str) -> None:
        """Save ``token`` now that Desktop accepted it, if the user ticked "save"."""
        path = self.settings.config_path
        if token != self._to_save or path is None:
            return
        self._to_save = None
        try:
            save_config_values(path, {"access_token": token})
        except OSError as exc:
            self.app.notify(
                f"Could not save the token: {exc.strerror}", severity="error", markup=False
            )
        else:
            self.app.notify(f"Token saved to {path}", markup=False)

    async def _ask(self, screen: Screen[_T]) -> _T:
        """Show ``screen`` and wait for its answer (from any task, not only workers)."""
        answer: asyncio.Future[_T] = asyncio.get_running_loop().create_future()

        def answered(result: _T | None) -> None:
            if not answer.done():
                answer.set_result(result)  # type: ignore[arg-type]

        try:
            await self.app.push_screen(screen, answered)
            return await answer
        except asyncio.CancelledError:
            # The session withdrew the question (it got going by another path):
            # close the screen rather than leave it over a session that works.
            if screen.is_attached and self.app.screen is screen:
                screen.dismiss(None)
            raise

    async def use_demo(self) -> Backend:
        """Switch to the embedded demo (from a connection or token screen)."""
        old = self._backend()
        settings = self.settings
        from beeper_tui.wiring import open_backend

        demo = open_backend(
            base_url=settings.base_url,
            access_token=None,
            page_size=settings.page_size,
            demo=True,
            export_max_contacts=settings.export_max_contacts,
        )
        self.poster.backend_switched(demo)
        await self.book.use_demo(demo)  # its sync stops before its client closes
        await old.aclose()
        log.info("switched to the embedded demo")
        return demo

    def quit(self) -> None:
        """The user chose to quit from a start-up screen."""
        self.app.exit()
