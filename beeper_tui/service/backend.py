"""One connection to Beeper Desktop (or the in-process demo) and what hangs off it."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from beeper_tui.api.client import MAX_LIMIT, BeeperClient
from beeper_tui.api.errors import (
    APIStatusError,
    BadRequestError,
    BeeperError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
)
from beeper_tui.api.models import Account, ChatStartResult, Info

from .accounts import AccountDirectory, AccountMatchError, match_account, searched_accounts
from .all_accounts import AllAccountsPager
from .avatars import AvatarLoader
from .book import AddressBook
from .book_source import BookSource
from .chats import PersonChat, PersonChats, chats_with
from .contacts import DEFAULT_PAGE_SIZE, ContactPager, ContactSource
from .desktop import (
    CHATS_START,
    HIDES_PLATFORM_SDK_ACCOUNTS,
    INFO_AND_CONTACTS_LIST,
    DesktopBuild,
    is_missing_route,
    parse_version,
)
from .export.people import export_people_to_file
from .export.run import (
    DEFAULT_MAX_CONTACTS,
    ExportPlan,
    ExportProgress,
    ExportResult,
    export_to_file,
)
from .identity_choice import IdentityOption, Purpose, rank_identities
from .lookups import LookupGap, NetworkLookups
from .mixed_source import MixedSource, book_answers, book_holds
from .networks import account_label, network_name
from .person import Contact, messageable_identities
from .scope import ALL_ACCOUNTS, Scope
from .search_only import SearchOnlyPager
from .setup_state import describe_setup
from .sign_in import introspect

__all__ = ["EXPORT_PAGE_SIZE", "Backend", "CannotMessageError"]

log = logging.getLogger("beeper_tui.service")

EXPORT_PAGE_SIZE: Final = MAX_LIMIT
"""Export pages with the largest page the API allows (``limit`` is at most 200)."""


class CannotMessageError(BeeperError):
    """Beeper cannot start a chat with this person (blocked, no DM path)."""

    def __init__(self, contact: Contact) -> None:
        self.contact = contact
        super().__init__("Beeper can't start a message to this person on any of their networks")


class Backend:
    """The client, the account directory and a pager factory, configured once."""

    def __init__(
        self,
        client: BeeperClient,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        is_demo: bool = False,
        export_max_contacts: int = DEFAULT_MAX_CONTACTS,
        avatars: AvatarLoader | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.client = client
        self.export_max_contacts = export_max_contacts
        """Most contacts an export takes from one account (an endless account stops there)."""
        self.accounts = AccountDirectory(client)
        self.page_size = page_size
        self.is_demo = is_demo
        self.avatars = avatars if avatars is not None else AvatarLoader(client, None)
        """Avatars of the people shown: only the latest request is in flight."""
        self._clock = clock or (lambda: datetime.now(UTC))
        self._build = DesktopBuild()
        self.start_route: str | None = None
        """Where this Desktop starts chats (``chats/start`` or ``chats``), once one worked."""
        self.book: AddressBook | None = None
        """The address book, when one is open: results come from it once it is ready."""
        self.reachable = True
        """False while Desktop cannot be reached (no exact lookups are asked then)."""
        self.lookups = NetworkLookups(client)
        """Which networks can look up a phone, email or @handle, asked once per session."""

    @property
    def build(self) -> DesktopBuild:
        """The Desktop build: what ``/v1/info`` said, else what any answer's header named.

        Builds from 4.1.239 name themselves in ``X-Beeper-Desktop-Version`` on
        every authenticated answer, so one without ``/v1/info`` is known exactly.
        """
        if self._build.version is None:
            heard = self.client.desktop_version
            if parse_version(heard) is not None:
                return DesktopBuild(heard)
        return self._build

    @build.setter
    def build(self, build: DesktopBuild) -> None:
        self._build = build

    @property
    def build_line(self) -> str | None:
        """The build for the status line (``Beeper Desktop 4.3.20``); None while unknown."""
        if self.is_demo and self.build.version is None:
            return None
        version = self.build.version
        if version is None:
            return None
        shown = ".".join(str(part) for part in version)
        return f"Beeper Desktop {shown}{' (demo)' if self.is_demo else ''}"

    @property
    def base_url(self) -> str:
        """Where requests go (for messages; the in-process demo has a placeholder)."""
        return self.client.base_url

    @property
    def has_token(self) -> bool:
        """Whether an access token is configured (its value is never exposed)."""
        return self.client.has_token

    def set_access_token(self, token: str | None) -> None:
        """Use a new token for every following request."""
        self.client.set_access_token(token)

    def pager(self, account_id: str, query: str = "", *, auto_retry: bool = True) -> ContactPager:
        """A fresh pager over ``account_id``'s contacts matching ``query``.

        On a build without ``contacts/list`` it searches instead (and says
        why browsing is unavailable when the query is empty).
        """
        pager: ContactPager
        if not self.build.has_contacts_list:
            pager = SearchOnlyPager(
                self.client,
                account_id,
                query,
                self.build,
                page_size=self.page_size,
                auto_retry=auto_retry,
            )
        else:
            account = self.accounts.get(account_id)
            pager = ContactPager(
                self.client,
                account_id,
                query,
                page_size=self.page_size,
                auto_retry=auto_retry,
                identifier_lookup=self.lookups.can_look_up(account, query),
            )
            if account is not None:
                pager.lookup_gaps = self.lookups.gaps([account], query)
        pager.on_account_failure = self.accounts.note_contacts_failed
        return pager

    async def learn_lookups(self) -> None:
        """Ask each network once what it can look up (a build without the route: ask all)."""
        await self.lookups.learn(searched_accounts(self.accounts.accounts))

    def all_pager(self, query: str = "", *, leave_out: Iterable[str] = ()) -> AllAccountsPager:
        """A source over every account at once (but ``leave_out``), for ``query``.

        Accounts the user disabled in Beeper are left out; every other state
        (even disconnected) may still answer from what Beeper has stored.
        """
        skip = set(leave_out)
        accounts = [
            a for a in searched_accounts(self.accounts.accounts) if a.account_id not in skip
        ]
        pager = AllAccountsPager(
            [self.pager(a.account_id, query, auto_retry=False) for a in accounts]
        )
        pager.lookup_gaps = self.lookups.gaps(accounts, query)
        return pager

    def book_accounts(self, scope: Scope) -> list[str] | None:
        """The accounts the book answers ``scope`` for, or None (see :func:`book_answers`)."""
        return book_answers(self.book, self.accounts, scope)

    def book_covers(self, scope: Scope) -> bool:
        """Whether the book answers for any of ``scope``'s accounts (its changes show)."""
        return bool(self.book_accounts(scope) or book_holds(self.book, self.accounts, scope))

    def book_gained(self, source: ContactSource) -> bool:
        """Whether the book changed what ``source`` lists: always, unless ``source`` is the
        book's rows beside the server's and no account it asks the server for joined the book.
        """
        if not isinstance(source, MixedSource):
            return True
        held = book_holds(self.book, self.accounts, ALL_ACCOUNTS)
        return bool(set(held) & set(source.server_accounts))

    def source(self, scope: Scope, query: str = "") -> ContactSource:
        """The contacts of ``scope`` (one account, or every account) matching ``query``.

        While only some accounts are in the book, All accounts lists the book's
        people for those, then the other accounts' own search (:class:`MixedSource`).
        """
        client = self.client if self.reachable else None
        ids = self.book_accounts(scope)
        if self.book is not None and ids is not None:
            book_source = BookSource(self.book, client, ids, query, asked=self._asked(ids, query))
            book_source.lookup_gaps = self._gaps(ids, query)
            return book_source
        if scope is not ALL_ACCOUNTS:
            return self.pager(str(scope), query)
        held = book_holds(self.book, self.accounts, scope)
        if self.book is None or not held:
            return self.all_pager(query)
        book_part = BookSource(self.book, client, held, query, asked=self._asked(held, query))
        mixed = MixedSource(book_part, self.all_pager(query, leave_out=held))
        mixed.lookup_gaps = self._gaps(
            [a.account_id for a in searched_accounts(self.accounts.accounts)], query
        )
        return mixed

    def _asked(self, account_ids: Sequence[str], query: str) -> list[str]:
        """The accounts asked to look ``query`` up: not those whose network said it cannot."""
        return [i for i in account_ids if self.lookups.can_look_up(self.accounts.get(i), query)]

    def _gaps(self, account_ids: Iterable[str], query: str) -> tuple[LookupGap, ...]:
        known = [a for i in account_ids if (a := self.accounts.get(i)) is not None]
        return self.lookups.gaps(known, query)

    def now(self) -> datetime:
        """The time "3 h ago" counts from (the demo world has a fixed one)."""
        return self._clock()

    def why_joined(self, contact: Contact) -> list[str]:
        """Why the person's identities are one person, a line per join (none without a book)."""
        return [] if self.book is None else self.book.why_joined(contact)

    async def chats_with(self, contact: Contact) -> PersonChats:
        """The chats with ``contact`` on each of their networks, most recent first."""
        return await chats_with(self.client, contact, self.accounts.get)

    def identity_options(
        self, contact: Contact, chats: Iterable[PersonChat] = (), *, purpose: Purpose = "message"
    ) -> list[IdentityOption]:
        """The person's identities for ``purpose``, the most likely one first."""
        accounts = {a.account_id: a for a in self.accounts.accounts}
        return rank_identities(contact, accounts, chats, purpose=purpose)

    async def focus_chat(self, chat_id: str, draft: str | None = None) -> None:
        """Bring Beeper Desktop to the front on ``chat_id``, with ``draft`` typed in."""
        await self.client.focus(chat_id, draft_text=draft)

    async def open_chat(
        self, contact: Contact, *, identity: Contact | None = None, draft: str | None = None
    ) -> str:
        """Start (or find) the one-to-one chat with ``contact`` and focus it in Beeper Desktop.

        Uses ``identity`` (one of the person's), else the first identity Beeper
        can message; ``draft`` is typed into the chat, not sent. Returns the
        chat ID; raises :class:`CannotMessageError` when the identity cannot be messaged.
        """
        if identity is None:
            identity = next(iter(messageable_identities(contact)), None)
        if identity is None or identity.user.cannot_message:
            raise CannotMessageError(contact)
        user = identity.user
        wire = {"id": user.id}
        for key, value in (
            ("phoneNumber", user.phone_number),
            ("email", user.email),
            ("username", user.username),
            ("fullName", user.full_name),
        ):
            if value:
                wire[key] = value
        result = await self._start_chat(identity.account_id, wire)
        chat_id = result.resolved_chat_id
        if not chat_id:
            raise ProtocolError("POST /v1/chats/start", "the answer has no chat ID")
        await self.focus_chat(chat_id, draft)
        return chat_id

    async def _start_chat(self, account_id: str, wire: dict[str, str]) -> ChatStartResult:
        """``chats/start``, or on builds before 4.2.808 ``POST /v1/chats`` with ``mode: start``.

        The route that worked is remembered, so later chats ask it first.
        """
        missing: APIStatusError | None = None
        if self.start_route != "chats":
            try:
                result = await self.client.start_chat(account_id, wire)
            except APIStatusError as exc:
                # A 404 from a build that has chats/start is about the person, not the route.
                if not is_missing_route(exc) or self.build.at_least(CHATS_START):
                    raise
                missing = exc
            else:
                self.start_route = "chats/start"
                return result
        try:
            result = await self.client.start_chat_legacy(account_id, wire)
        except APIStatusError as exc:
            refused = is_missing_route(exc) or isinstance(exc, BadRequestError)
            if self.build.lacks(INFO_AND_CONTACTS_LIST) or (missing is not None and refused):
                raise self.build.too_old(
                    "messaging", INFO_AND_CONTACTS_LIST, "POST /v1/chats/start"
                ) from None
            raise
        self.start_route = "chats"
        return result

    async def resolve_accounts(self, account_id: str | None) -> list[Account]:
        """Every account in display order (``None``), or the one ``account_id`` names.

        ``account_id`` is an ID, a network name or a unique prefix
        (:func:`~beeper_tui.service.accounts.match_account`); raises
        :class:`~beeper_tui.service.accounts.AccountMatchError` listing the choices.
        """
        with contextlib.suppress(BeeperError):  # only to learn the build; the list decides
            await self.info()
        await self.accounts.refresh()
        await self.accounts.find_hidden_accounts()
        accounts = self.accounts.accounts
        if account_id is None:
            return list(accounts)
        try:
            account = match_account(accounts, account_id)
        except AccountMatchError as exc:
            if exc.ambiguous:
                raise
            try:  # an account the list leaves out may still answer by its ID
                return [await self.accounts.detail(account_id)]
            except NotFoundError:
                raise exc from None
        return [await self.accounts.detail(account.account_id)]

    def export_plan(self, scope: Scope) -> ExportPlan | None:
        """What exporting ``scope`` covers; None when its account is not known (yet)."""
        if scope is ALL_ACCOUNTS:
            return ExportPlan(searched_accounts(self.accounts.accounts), "all accounts", "all")
        account = self.accounts.get(scope)
        if account is None:
            return None
        return ExportPlan([account], account_label(account), network_name(account))

    async def export_to_file(
        self,
        accounts: Sequence[Account],
        target: Path,
        fmt: str,
        *,
        query: str = "",
        progress: Callable[[ExportProgress], None] | None = None,
    ) -> ExportResult:
        """Export ``accounts``' contacts matching ``query`` to ``target``, all or nothing.

        Once the book is ready for every one of ``accounts``, the file holds the
        people the screen shows for that query (:meth:`book_people`).
        """
        people = await self.book_people(accounts, query)
        if people is not None:
            return await export_people_to_file(
                people, self.network_of, target, fmt, progress=progress
            )
        return await export_to_file(
            self.client,
            accounts,
            target,
            fmt,
            query=query,
            page_size=EXPORT_PAGE_SIZE,
            progress=progress,
            max_contacts=self.export_max_contacts,
        )

    def network_of(self, account_id: str) -> str:
        """The network name of an account (its ID while the account list is unknown)."""
        account = self.accounts.get(account_id)
        return network_name(account) if account is not None else account_id

    async def book_people(
        self, accounts: Sequence[Account], query: str
    ) -> Sequence[Contact] | None:
        """The people the book shows for ``accounts`` and ``query``; None if it is not ready.

        The same rows as the list: ranked, merged over the whole book, exact
        lookups joined (:class:`BookSource`).
        """
        book = self.book
        ids = [a.account_id for a in accounts]
        if book is None or not ids or not all(book.ready(a) for a in ids):
            return None
        source = BookSource(book, self.client if self.reachable else None, ids, query)
        await source.load_next()
        return source.items

    async def info(self) -> Info:
        """Server discovery (``/v1/info``); what it says of the build is kept in :attr:`build`."""
        try:
            info = await self.client.info()
        except APIStatusError as exc:
            if is_missing_route(exc):
                # Every build from 4.2.557 has /v1/info: this one is older.
                self.build = DesktopBuild(without_info=True)
                self.accounts.find_hidden = False
            raise
        self.build = DesktopBuild(info.app.version)
        self.accounts.find_hidden = self.build.at_least(HIDES_PLATFORM_SDK_ACCOUNTS)
        return info

    async def sensitive_actions_allowed(self) -> bool | None:
        """Whether this token may start chats and send ("Allow sensitive actions").

        Asks ``POST /v1/chats/start`` with an empty body: a build that gates the
        toggle refuses it (403) before reading it; otherwise the empty body is a
        400 and nothing is started. None when the answer says neither.
        """
        try:
            await self.client.start_chat("", {})
        except PermissionDeniedError as exc:
            return False if exc.sensitive_action else None
        except BadRequestError:
            return True
        except BeeperError:
            return None
        return None  # pragma: no cover - an empty body is never accepted

    async def setup_problem(self) -> str | None:
        """What is not ready in Beeper Desktop (not signed in, syncing…), from ``/v1/app/setup``.

        None when it is ready, or when the build cannot say.
        """
        try:
            setup = await self.client.app_setup()
        except BeeperError:
            return None
        return describe_setup(setup.state)

    async def token_inactive(self) -> bool:
        """Whether Beeper Desktop's introspection says the token is no longer active.

        False when it is active, or when this Desktop cannot say (no OAuth server).
        """
        token = self.client.access_token
        if self.is_demo or token is None or not self.build.at_least(INFO_AND_CONTACTS_LIST):
            return False
        try:
            found = await introspect(self.client.base_url, token)
        except BeeperError as exc:
            log.info("token introspection unavailable: %s", exc)
            return False
        return not found.active

    async def aclose(self) -> None:
        """Cancel the avatar in flight and release the connection pools."""
        try:
            await self.avatars.aclose()
        finally:
            await self.client.aclose()
