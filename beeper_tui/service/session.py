"""The connection to Beeper Desktop as a state machine: connect, health, reconnect, re-auth.

The App observes a :class:`Session` (``on_event`` receives small dataclass
events) and answers its questions through a :class:`SessionPrompts` it passes
in (which screen to show when Desktop cannot be reached or the token is
refused). Nothing here knows Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from beeper_tui.api.errors import (
    APIStatusError,
    AuthenticationError,
    BeeperError,
    CannotConnectError,
    ProtocolError,
)
from beeper_tui.api.models import Account

from .backend import Backend
from .discovery import Discovery
from .session_events import (
    EXPIRED_MESSAGE,
    AccountsFailed,
    AccountsLoaded,
    BuildKnown,
    ErrorKind,
    Health,
    HealthChanged,
    Notice,
    Reconnected,
    SessionEvent,
    SessionPrompts,
    classify,
    rejected_message,
)

__all__ = ["Session"]

log = logging.getLogger("beeper_tui.service")


class Session:
    """One connection's life: start-up, background refresh, reconnect and re-auth."""

    reconnect_delays: Sequence[float] = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
    """Waits between reconnection attempts; the last one repeats."""

    def __init__(
        self,
        backend: Backend,
        prompts: SessionPrompts,
        on_event: Callable[[SessionEvent], None],
        *,
        refresh_seconds: float = 0,
        find_desktop: Callable[[], Awaitable[Discovery]] | None = None,
        offline_fallback: Callable[[], bool] | None = None,
    ) -> None:
        self.backend = backend
        self.find_desktop = find_desktop
        """Looks for Beeper Desktop on this machine (when no address was configured)."""
        self.offline_fallback = offline_fallback
        """Asked when Desktop cannot be reached at start: True opens offline (on the book)."""
        self.prompts = prompts
        self._typed_token: str | None = None
        """A token the user typed that Desktop has not accepted yet (saved only once it does)."""
        self.on_event = on_event
        self.refresh_seconds = refresh_seconds
        self.health = Health.CONNECTING
        self._up = asyncio.Event()
        """Set once an account list arrived by any path (start-up, ``r``, a reconnect)."""
        self._tasks: set[asyncio.Task[None]] = set()
        self._reauth: asyncio.Task[None] | None = None
        self._build_told: str | None = None
        """The build line last reported (a new one is reported once)."""

    @property
    def offline(self) -> bool:
        """Whether Desktop was lost and the session is trying to get it back."""
        return self.health is Health.OFFLINE

    def _set_health(self, health: Health) -> None:
        if health is not self.health:
            self.health = health
            self.backend.reachable = health is not Health.OFFLINE
            self.on_event(HealthChanged(health))

    def _accounts_loaded(self, accounts: Sequence[Account]) -> None:
        """Report a fresh account list, and the Desktop build once it is known or changed."""
        self.on_event(AccountsLoaded(accounts))
        line = self.backend.build_line
        if line != self._build_told:
            self._build_told = line
            self.on_event(BuildKnown(line))

    def _spawn(self, work: Awaitable[None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- start-up ------------------------------------------------------------

    async def start(self) -> None:
        """Reach Desktop, get a usable token, load the accounts; then refresh in the background.

        Start-up work that another path has overtaken (``r`` loaded the
        accounts while discovery was still hanging) is superseded: its late
        failure is logged and dropped, never shown over a session that works.
        """
        if self.find_desktop is not None and not self.backend.is_demo:
            await self._find_desktop(self.find_desktop)
        while not self._up.is_set():
            if not self.backend.is_demo:
                try:
                    info = await self.backend.info()
                    log.info("Beeper Desktop %s at %s", info.app.version, self.backend.base_url)
                except CannotConnectError as exc:
                    if self._superseded(exc) or self._start_offline(exc):
                        break
                    if await self._cannot_connect(exc):
                        continue
                    return
                except (APIStatusError, ProtocolError) as exc:
                    # Discovery is a convenience: an older build without it still works.
                    log.info("GET /v1/info failed (%s); carrying on", exc)
                if not self.backend.has_token and not await self._ask_token(None):
                    return
                if self.backend.has_token and await self.backend.token_inactive():
                    log.info("start-up: introspection says the token is not active")
                    if not await self._ask_token(EXPIRED_MESSAGE):
                        return
                    continue
            else:
                with contextlib.suppress(BeeperError):  # the in-process demo: only the build
                    await self.backend.info()
            try:
                accounts = await self.backend.accounts.refresh()
            except BeeperError as exc:
                if self._superseded(exc):
                    break
                if isinstance(exc, AuthenticationError):
                    log.info("start-up: token rejected: %s", exc)
                    reason = rejected_message(exc)
                    setup = await self.backend.setup_problem()
                    if setup is not None:
                        reason = f"{setup}\n{reason}"
                    if not await self._ask_token(reason):
                        return
                    continue
                if isinstance(exc, CannotConnectError):
                    # Discovery answered but the account list did not (e.g. timed out).
                    if self._start_offline(exc):
                        break
                    if await self._cannot_connect(exc):
                        continue
                    return
                self._set_health(Health.ONLINE)
                self.on_event(AccountsFailed(exc, quiet=False))
                await self._tell_setup()
            else:
                self._token_works()
                self._up.set()
                self._set_health(Health.ONLINE)
                self._accounts_loaded(accounts)
                self._spawn(self._find_hidden())
                await self._tell_setup()
            break
        if self.refresh_seconds > 0:
            self._spawn(self._refresh_forever())

    def _start_offline(self, exc: CannotConnectError) -> bool:
        """Open offline (the App shows the book) and reconnect in the background, if allowed."""
        if self.offline_fallback is None or not self.offline_fallback():
            return False
        log.info("start-up: %s; opening offline on the address book", exc)
        self._set_health(Health.OFFLINE)
        self._spawn(self._reconnect())
        return True

    def _superseded(self, exc: BeeperError) -> bool:
        """Whether a start-up failure comes after the session got going by another path."""
        if not self._up.is_set():
            return False
        log.info("start-up: dropped a late failure, the session is up meanwhile: %s", exc)
        return True

    async def _find_desktop(self, find: Callable[[], Awaitable[Discovery]]) -> None:
        discovery = await find()
        chosen = discovery.chosen
        if discovery.ambiguous:
            url = await self.prompts.choose_desktop(discovery.found)
        else:
            url = None if chosen is None else chosen.url
        if url is None:
            log.info("start-up: no Beeper Desktop chosen; trying %s", self.backend.base_url)
            return
        self.backend.client.set_base_url(url)
        text = f"Found Beeper Desktop at {url}"
        if len(discovery.found) > 1 and not discovery.ambiguous:
            text += " (the one that accepts the token)"
        self.on_event(Notice("Beeper Desktop", text))

    async def _tell_setup(self) -> None:
        if self.backend.is_demo or self.backend.build.version is None:
            return  # the demo is always ready; a build that hides its version cannot say
        problem = await self.backend.setup_problem()
        if problem is not None:
            self.on_event(Notice("Beeper Desktop is not ready", problem, warning=True))

    async def _cannot_connect(self, exc: CannotConnectError) -> bool:
        """Ask what to do; False when the user chose to quit.

        The question is withdrawn (its screen closed) if the accounts arrive by
        another path while it is open: there is nothing left to decide.
        """
        log.info("start-up: %s", exc)
        asked = asyncio.ensure_future(self.prompts.cannot_connect(exc))
        up = asyncio.ensure_future(self._up.wait())
        try:
            await asyncio.wait({asked, up}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            up.cancel()
            if not asked.done():
                asked.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await asked
        if asked.cancelled():
            log.info("start-up: the accounts arrived meanwhile; question withdrawn")
            return True
        choice = asked.result()
        if choice == "demo":
            self.backend = await self.prompts.use_demo()
        elif choice == "quit":
            self.prompts.quit()
            return False
        return True

    async def _ask_token(self, reason: str | None) -> bool:
        """Ask for a token; False when the user chose to quit."""
        answer = await self.prompts.need_token(reason)
        if answer == "quit":
            self.prompts.quit()
            return False
        if answer == "demo":
            self.backend = await self.prompts.use_demo()
            return True
        self.backend.set_access_token(answer)
        self._typed_token = answer
        return True

    def _token_works(self) -> None:
        """Desktop answered with the token the user typed: the prompt may save it now."""
        if self._typed_token is not None:
            token, self._typed_token = self._typed_token, None
            self.prompts.token_accepted(token)

    # -- while running -------------------------------------------------------

    async def _find_hidden(self) -> None:
        """Accounts the list leaves out (Desktop 4.3 hides iMessage) join once found.

        Then each network is asked once what it can look up (kept for the session).
        """
        if await self.backend.accounts.find_hidden_accounts():
            self.on_event(AccountsLoaded(self.backend.accounts.accounts))
        try:
            await self.backend.learn_lookups()
        except BeeperError as exc:  # a bonus: unknown networks are simply asked
            log.info("learning what networks can look up failed: %s", exc)

    async def _refresh_forever(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_seconds)
            if not self.offline:
                await self.refresh(quiet=True)

    async def refresh(self, *, quiet: bool = False) -> None:
        """Reload the account list; failures go where :meth:`report` sends them."""
        try:
            accounts = await self.backend.accounts.refresh()
        except BeeperError as exc:
            if self.report(exc) is ErrorKind.OTHER:
                log.info("account refresh failed: %s", exc)
                self._set_health(Health.STALE if self.backend.accounts.stale else Health.ONLINE)
                if not quiet or not self.backend.accounts.stale:
                    self.on_event(AccountsFailed(exc, quiet=quiet))
            elif self.health is Health.ONLINE:
                self._set_health(Health.STALE)
            return
        self._token_works()
        self._up.set()
        self._set_health(Health.ONLINE)
        self._accounts_loaded(accounts)
        if not quiet:
            self._spawn(self._find_hidden())

    def report(self, error: BaseException) -> ErrorKind:
        """Tell the session a request failed; it reconnects or re-authenticates as needed."""
        kind = classify(error)
        if kind is ErrorKind.UNREACHABLE and not self.offline:
            log.warning("connection lost: %s", error)
            self._set_health(Health.OFFLINE)
            self._spawn(self._reconnect())
        elif kind is ErrorKind.AUTH and (self._reauth is None or self._reauth.done()):
            assert isinstance(error, AuthenticationError)
            self._reauth = self._spawn(self._reauthenticate(error))
        return kind

    async def _reconnect(self) -> None:
        attempt = 0
        accounts: Sequence[Account] | None = None
        while True:
            delays = self.reconnect_delays
            await asyncio.sleep(delays[min(attempt, len(delays) - 1)])
            attempt += 1
            try:
                accounts = await self.backend.accounts.refresh()
            except CannotConnectError as exc:
                log.info("reconnect attempt %d failed: %s", attempt, exc)
                continue
            except BeeperError as exc:
                # Reachable again, even if this answer was an error.
                log.info("reconnect attempt %d reached the server: %s", attempt, exc)
            break
        log.info("reconnected after %d attempt(s)", attempt)
        self._set_health(Health.ONLINE)
        if accounts is not None:
            self._up.set()
            self._accounts_loaded(accounts)
        self.on_event(Reconnected())

    async def _reauthenticate(self, error: AuthenticationError) -> None:
        """The token stopped working mid-session (expired, revoked): ask for a new one."""
        log.info("token rejected mid-session: %s", error)
        if await self._ask_token(rejected_message(error)):
            await self.refresh()
            self.on_event(Reconnected())

    async def aclose(self) -> None:
        """Stop background work and release the connection."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.backend.aclose()
