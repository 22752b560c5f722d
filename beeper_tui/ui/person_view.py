"""The person view: the highlighted person's face, networks, chats and recent messages.

Following the highlight costs little: the initials show at once, the avatar
and the person's data load in exclusive workers (one of each in flight; moving
on cancels them), and only the person the cursor rests on is fetched: first
their chats, then their recent conversation (one request after the other), and
"Last talked …" joins the heading. Live changes arrive as data from the screen
(:meth:`PersonView.live_messages`, :meth:`PersonView.chat_changed`,
:meth:`PersonView.refresh_shown`); the view never reaches for the feed. Raw IDs
and URLs stay folded in the "IDs" section until the user presses ``i``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, Final

from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from beeper_tui.api.errors import BeeperError
from beeper_tui.config import ImageMode
from beeper_tui.service.networks import network_name
from beeper_tui.service.person import Contact
from beeper_tui.service.session_events import Health

from .accounts_sidebar import BADGE_CLASSES, badge_styles
from .avatar_view import AvatarView
from .messages import HEALTH_WORDS
from .person_fields import (
    account_fields,
    best_avatar_url,
    chats_section,
    conversation_section,
    display_name,
    field_table,
    identity_label,
    ids_section,
    joined_section,
    name_for_initials,
    overview_fields,
    person_fields,
    person_heading,
)
from .safe_text import inert, safe_text

if TYPE_CHECKING:
    from beeper_tui.api.models import Account
    from beeper_tui.api.models import Message as ChatMessage
    from beeper_tui.service.backend import Backend
    from beeper_tui.service.chats import PersonChat, PersonChats
    from beeper_tui.service.conversation import Conversation, ConversationLoader
    from beeper_tui.service.identity_choice import IdentityOption

    from .network_menu import NetworkChoice
    from .person_fields import (
        AccountOf,
        Field,
        Section,
    )

__all__ = ["PERSON_DEBOUNCE", "PersonView"]

log = logging.getLogger("beeper_tui.ui")

PERSON_DEBOUNCE: Final = 0.06
"""Quiet time on one person before their face and chats are fetched (a held key fetches none)."""


class PersonView(VerticalScroll):
    """Shows a person (following the highlight), an account, or a message."""

    COMPONENT_CLASSES: ClassVar[set[str]] = set(BADGE_CLASSES)

    _badge_styles: dict[str, Style]
    """The badge colours of the theme the panel was last drawn in."""

    class RequestFailed(Message):
        """A request for the person failed; the screen tells the session (offline, token)."""

        def __init__(self, error: BeeperError) -> None:
            super().__init__()
            self.error = error

    class ChatsRead(Message):
        """The chats of the person shown were read: which of their identities have unread
        messages (the screen marks their row)."""

        def __init__(self, identities: Sequence[tuple[Contact, bool]]) -> None:
            super().__init__()
            self.identities = tuple(identities)

    health: reactive[Health] = reactive(Health.CONNECTING, init=False)
    """The connection's health (bound to the screen's): when not online, what the panel
    shows may be out of date, and the border says so."""

    def watch_health(self, health: Health) -> None:
        self.border_subtitle = HEALTH_WORDS.get(health)

    def on_mount(self) -> None:
        self._badge_styles = badge_styles(self)
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        # After the new theme's styles apply: the badges shown take its colours.
        self.call_after_refresh(self._restyle_badges)

    def _restyle_badges(self) -> None:
        styles = badge_styles(self)
        if styles == self._badge_styles:
            return
        self._badge_styles = styles
        subject = self.subject
        if isinstance(subject, Contact):
            self._styled.discard("body")  # the same words, other colours: drawn again
            self._put("body", person_fields(subject, self._account_of, styles))
        elif isinstance(subject, Account):
            self.show_account(subject)

    def __init__(
        self, backend: Callable[[], Backend], *, images: ImageMode = "auto", id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.border_title = "Details"
        self._backend = backend
        self.images: ImageMode = images
        self.subject: Contact | Account | None = None
        """What is shown: a contact, an account, or nothing."""
        self.chats: PersonChats | None = None
        """The chats with the person shown, once loaded (None while loading)."""
        self.show_ids = False
        """Whether the "IDs" section is unfolded (``i``); kept while the cursor moves."""
        self.conversation: Conversation | None = None
        """The recent messages with the person shown, once loaded (None while loading)."""
        self._conversation_failed: str | None = None
        self._loader: tuple[Backend, ConversationLoader] | None = None
        self._account_of: AccountOf = lambda _id: None
        self._plain: dict[str, str] = {}
        self._styled: set[str] = set()
        self._badge_styles = {}

    def compose(self) -> ComposeResult:
        with HorizontalGroup(id="person-head"):
            yield AvatarView(self.images, id="person-avatar")
            yield Static(id="person-title")
        yield Static(id="detail-body")
        yield Static(id="person-joined")
        yield Static(id="person-chats")
        yield Static(id="person-conversation")
        yield Static(id="person-ids")

    @property
    def avatar(self) -> AvatarView:
        """The face at the top."""
        return self.query_one("#person-avatar", AvatarView)

    @property
    def text(self) -> str:
        """The panel's content as plain text (what a reader sees)."""
        order = ("title", "body", "joined", "chats", "conversation", "ids")
        return "\n".join(self._plain[k] for k in order if self._plain.get(k))

    def _put(self, part: str, section: Section | None) -> None:
        static = self.query_one(f"#{'detail-body' if part == 'body' else 'person-' + part}", Static)
        if section is None:
            static.display = False
            self._plain.pop(part, None)
            return
        old = self._plain.get(part)
        if old != section.plain or part not in self._styled or not static.display:
            # A held arrow key passes many people: the same words need no update,
            # and the same height no new layout of the screen (the title has a
            # fixed height beside the face; other parts are one line per row).
            same_height = (
                part in self._styled
                and static.display
                and (
                    part == "title"
                    or (old is not None and old.count("\n") == section.plain.count("\n"))
                )
            )
            static.display = True
            static.update(section.renderable, layout=not same_height)
            self._styled.add(part)
        self._plain[part] = section.plain

    def _person_parts(self, shown: bool) -> None:
        self.query_one("#person-head").display = shown
        if not shown:
            for part in ("title", "joined", "chats", "conversation", "ids"):
                self._put(part, None)

    # -- a person ------------------------------------------------------------

    def show_contact(self, contact: Contact, account_of: AccountOf | None = None) -> None:
        """Show ``contact``: the face, plain-words fields, networks, then their chats.

        ``account_of`` names each identity's account. Showing the person already
        shown (the highlight confirmed with Enter) keeps what was loaded.
        """
        same = self.subject == contact
        self.subject = contact
        self._account_of = account_of or self._backend().accounts.get
        self._person_parts(True)
        if not same:
            self.workers.cancel_group(self, "person-more")
            self.workers.cancel_group(self, "person-refresh")
            self.chats = None
            self.conversation = None
            self._conversation_failed = None
        self._show_heading()
        self._put("body", person_fields(contact, self._account_of, badge_styles(self)))
        self._put("joined", joined_section(self._backend().why_joined(contact)))
        self._show_ids()
        self._show_chats()
        self._show_conversation()
        if same:
            return
        url = self._show_face(contact)
        self.scroll_home(animate=False)
        self._load_person(contact, url)

    def _show_face(self, contact: Contact) -> str | None:
        """Initials (or the face, if in memory) at once; the URL still to fetch, if any."""
        name = name_for_initials(contact)
        url = best_avatar_url(contact)
        cached = self._backend().avatars.cached(url)
        self.workers.cancel_group(self, "avatar")
        if cached is not None and self.images != "off":
            self.avatar.show_image(cached.image, name=name, user_id=contact.user.id)
            return None
        self.avatar.show_initials(name, contact.user.id)
        return None if self.images == "off" else url

    @work(exclusive=True, group="avatar", exit_on_error=False)
    async def _load_avatar(self, contact: Contact, url: str) -> None:
        from beeper_tui.service.avatars import AvatarError, Superseded  # Pillow: not at start

        try:
            avatar = await self._backend().avatars.request(url)
        except Superseded:
            return
        except AvatarError as exc:
            log.debug("avatar of %s not shown: %s", contact.id, exc.reason)
            return
        if avatar is not None and self.subject == contact:
            self.avatar.show_image(
                avatar.image, name=name_for_initials(contact), user_id=contact.user.id
            )

    @work(exclusive=True, group="person-chats", exit_on_error=False)
    async def _load_person(self, contact: Contact, avatar_url: str | None) -> None:
        # One worker per highlight, not two: a held arrow key starts and cancels
        # one sleeper per row; the face is fetched only once the cursor rests.
        await asyncio.sleep(PERSON_DEBOUNCE)
        if avatar_url is not None:
            self._load_avatar(contact, avatar_url)
        chats = await self._backend().chats_with(contact)
        if self.subject != contact:
            return
        self._chats_read(contact, chats)
        if chats.failed and not chats.chats:
            self.post_message(self.RequestFailed(chats.failed[0][1]))
        await self._load_conversation(contact, chats)

    def _conversations(self) -> ConversationLoader:
        """The loader of the current backend (the user may switch to the demo)."""
        from beeper_tui.service.conversation import ConversationLoader

        backend = self._backend()
        if self._loader is None or self._loader[0] is not backend:
            self._loader = (backend, ConversationLoader(backend.client, backend.chats_with))
        return self._loader[1]

    async def _load_conversation(
        self, contact: Contact, chats: PersonChats, *, again: Conversation | None = None
    ) -> None:
        """The person's recent messages (``again``: read again as many as shown)."""
        loader = self._conversations()
        try:
            if again is not None:
                conversation = await loader.refresh(again)
            else:
                conversation = await loader.load(contact, chats)
        except BeeperError as exc:
            if self.subject == contact:
                log.info("conversation of %s failed: %s", contact.id, exc)
                self._conversation_failed = exc.message
                self._show_conversation()
            return
        if self.subject != contact:
            return
        self.conversation = conversation
        self._conversation_failed = None
        self._show_heading()
        self._show_conversation()

    def _show_heading(self) -> None:
        if not isinstance(self.subject, Contact):
            return
        talked = self.conversation.last_talked if self.conversation is not None else None
        words = talked.describe(self._backend().now()) if talked is not None else None
        self._put("title", person_heading(self.subject, self._account_of, last_talked=words))

    def _show_conversation(self) -> None:
        if not isinstance(self.subject, Contact):
            return
        section = conversation_section(
            self.conversation,
            self._backend().now(),
            loading=self.chats is not None,
            failed=self._conversation_failed,
            full_dates=self.has_focus,
        )
        self._put("conversation", section)

    def watch_has_focus(self, _has_focus: bool) -> None:
        super().watch_has_focus(_has_focus)
        # Focused, the messages show their full date and time instead of "2 h ago".
        self._show_conversation()

    def more_messages(self) -> None:
        """``+``: older messages of the person shown."""
        if self.conversation is not None and self.conversation.has_more:
            self._more_messages(self.conversation)

    @work(exclusive=True, group="person-more", exit_on_error=False)
    async def _more_messages(self, conversation: Conversation) -> None:
        try:
            more = await self._conversations().more(conversation)
        except BeeperError as exc:
            self._failed("Could not load older messages", exc, title="Messages")
            return
        if self.conversation is conversation:
            self.conversation = more
            self._show_conversation()

    # -- live changes ------------------------------------------------------------

    def shows_chat(self, chat_id: str) -> bool:
        """Whether ``chat_id`` is one of the chats of the person shown."""
        if not isinstance(self.subject, Contact):
            return False
        if self.conversation is not None and self.conversation.covers(chat_id):
            return True
        chats = self.chats.chats if self.chats is not None else []
        return any(c.id == chat_id or c.chat.local_chat_id == chat_id for c in chats)

    def live_messages(
        self, chat_id: str, messages: Sequence[ChatMessage], *, deleted: Sequence[str] = ()
    ) -> None:
        """Messages new, changed or ``deleted`` in ``chat_id``: if it is a chat of the person
        shown, their conversation, chats and "last talked" change at once."""
        if not self.shows_chat(chat_id):
            return
        if self.conversation is not None:
            conversation = self.conversation.with_messages(messages).without(deleted)
            if conversation is not self.conversation:
                self.conversation = conversation
                self._show_heading()
                self._show_conversation()
        if messages and self.chats is not None and isinstance(self.subject, Contact):
            self._chats_read(self.subject, _chats_after(self.chats, chat_id, messages))

    def chat_changed(self, chat_id: str) -> None:
        """Chat ``chat_id`` changed (unread count, reminder): read the person's chats again."""
        if self.shows_chat(chat_id) and isinstance(self.subject, Contact):
            self._reload(self.subject, messages=False)

    def refresh_shown(self) -> None:
        """Read again the person shown: chats and conversation (a reconnect, the timer)."""
        if isinstance(self.subject, Contact) and self.chats is not None:
            self._reload(self.subject, messages=True)

    @work(exclusive=True, group="person-refresh", exit_on_error=False)
    async def _reload(self, contact: Contact, *, messages: bool) -> None:
        try:
            chats = await self._backend().chats_with(contact)
        except BeeperError as exc:
            log.info("refresh of %s failed: %s", contact.id, exc)
            return
        if self.subject != contact:
            return
        if not (chats.failed and not chats.chats):
            self._chats_read(contact, chats)
        if messages and self.conversation is not None:
            await self._load_conversation(contact, chats, again=self.conversation)

    def _chats_read(self, contact: Contact, chats: PersonChats) -> None:
        """Set the chats of ``contact`` (shown) and report who has unread messages."""
        self.chats = chats
        self._show_chats()
        failed = {id(i) for i, _ in chats.failed}
        unread = [
            (i, any(c.chat.unread_count > 0 and c.identity == i for c in chats.chats))
            for i in contact.identities
            if id(i) not in failed
        ]
        self.post_message(self.ChatsRead(unread))

    def _show_chats(self) -> None:
        failed = ""
        if self.chats is not None and self.chats.failed:
            failed = ", ".join(identity_label(i, self._account_of) for i, _ in self.chats.failed)
        self._put("chats", chats_section(self.chats, self._backend().now(), failed_names=failed))

    def _show_ids(self) -> None:
        if isinstance(self.subject, Contact):
            self._put("ids", ids_section(self.subject, self._account_of, expanded=self.show_ids))

    def toggle_ids(self) -> None:
        """Unfold or fold the raw IDs and URLs of the person shown."""
        self.show_ids = not self.show_ids
        self._show_ids()

    def _stop_person_work(self) -> None:
        for group in ("avatar", "person-chats", "person-more", "person-refresh"):
            self.workers.cancel_group(self, group)
        self.chats = None
        self.conversation = None
        self._conversation_failed = None

    # -- everything else -----------------------------------------------------

    def _show(self, title: Text, rows: list[Field]) -> None:
        self._stop_person_work()
        self._person_parts(False)
        self._body_only(Group(title, Text(""), field_table(rows)))
        self._plain["body"] = "\n".join(
            [title.plain, *(f"{k}: {v.plain}".strip() for k, v in rows)]
        )
        self.scroll_home(animate=False)

    def _body_only(self, renderable: Group | Text) -> None:
        self._styled.discard("body")
        body = self.query_one("#detail-body", Static)
        body.display = True
        body.update(renderable)

    def show_overview(self, accounts: Sequence[Account]) -> None:
        """What "All accounts" covers: how many accounts, in which state."""
        self.subject = None
        self._show(Text("All accounts", "bold"), overview_fields(accounts, badge_styles(self)))

    def show_account(self, account: Account) -> None:
        """Show an account's details."""
        self.subject = account
        title = safe_text(network_name(account), "bold")
        title.append(" account", "dim")
        self._show(title, account_fields(account, badge_styles(self)))

    def show_message(self, message: str) -> None:
        """Show a plain message (nothing selected, an error)."""
        self.subject = None
        self._stop_person_work()
        self._person_parts(False)
        self._body_only(Text(message, "dim"))
        self._plain["body"] = message

    # -- acting on the person ----------------------------------------------------

    def _chats_of(self, contact: Contact) -> list[PersonChat]:
        if self.subject == contact and self.chats is not None:
            return self.chats.chats
        return []

    def open_chats(self, contact: Contact) -> None:
        """``o``: pick one of the chats with ``contact``; Enter focuses it in Beeper Desktop."""
        self._open_chats(contact)

    @work(group="person-open", exit_on_error=False)
    async def _open_chats(self, contact: Contact) -> None:
        backend = self._backend()
        chats = self.chats if self.subject == contact and self.chats is not None else None
        if chats is None:
            chats = await backend.chats_with(contact)
        name = display_name(contact)
        if chats.failed and not chats.chats:
            self.app.notify(
                f"Could not load the chats with {inert(name, limit=60)}: "
                f"{inert(chats.failed[0][1].message)}",
                title="Chats",
                severity="error",
                markup=False,
            )
            return
        from .chats_picker import ChatsPicker  # the menus load on first use, not at start

        picker = ChatsPicker(chats.chats, person=name, now=backend.now())
        chat_id = await self.app.push_screen_wait(picker)
        if chat_id is None:
            return
        title = next((c.title for c in chats.chats if c.id == chat_id), name)
        try:
            await backend.focus_chat(chat_id)
        except BeeperError as exc:
            self._failed(f"Could not open {inert(title, limit=60)}", exc)
            return
        self.app.notify(
            f"Opened {inert(title, limit=60)} in Beeper Desktop.", title="Chats", markup=False
        )

    def message(self, contact: Contact) -> None:
        """``m``: open the one-to-one chat; for several networks, first ask which one."""
        backend = self._backend()
        options = backend.identity_options(contact, self._chats_of(contact), purpose="message")
        usable = [o for o in options if o.usable]
        if not usable:
            self._cannot_message(contact, options)
            return
        from .network_menu import NetworkChoice, NetworkMenu

        if len(options) == 1:
            self._send(contact, NetworkChoice(options[0].identity, None, options[0].warning))
            return
        menu = NetworkMenu(options, person=display_name(contact), now=backend.now())
        self.app.push_screen(menu, lambda choice: self._send(contact, choice))

    def _cannot_message(self, contact: Contact, options: Sequence[IdentityOption]) -> None:
        name = inert(display_name(contact), limit=60)
        gone = all(o.account is None for o in options)
        why = (
            "the account is no longer in Beeper"
            if gone
            else "Beeper can't start a chat with this person "
            "(blocked, or the network offers no direct messages)"
        )
        self.app.notify(
            f"Can't message {name}: {why}.", title="Message", severity="warning", markup=False
        )

    def _send(self, contact: Contact, choice: NetworkChoice | None) -> None:
        if choice is None:
            return
        if choice.warning is not None:
            label = inert(identity_label(choice.identity, self._backend().accounts.get))
            self.app.notify(
                f"{label}: {choice.warning}. Beeper Desktop may not deliver until it reconnects.",
                title="Message",
                severity="warning",
                markup=False,
            )
        self._open_chat(contact, choice)

    @work(group="message", exit_on_error=False)
    async def _open_chat(self, contact: Contact, choice: NetworkChoice) -> None:
        from beeper_tui.service.backend import CannotMessageError

        name = inert(display_name(contact), limit=60)
        try:
            chat_id = await self._backend().open_chat(
                contact, identity=choice.identity, draft=choice.draft
            )
        except CannotMessageError:
            self._cannot_message(contact, [])
            return
        except BeeperError as exc:
            self._failed(f"Could not open the chat with {name}", exc)
            return
        log.info("opened chat %s", chat_id)
        extra = ", your draft typed in" if choice.draft else ""
        self.app.notify(
            f"Opened the chat with {name} in Beeper Desktop{extra}.", title="Message", markup=False
        )

    def _failed(self, what: str, exc: BeeperError, *, title: str = "Message") -> None:
        log.info("%s: %s", what, exc)
        self.app.notify(
            f"{what}: {inert(exc.message)}", title=title, severity="error", markup=False
        )
        self.post_message(self.RequestFailed(exc))

    def remind(self, contact: Contact) -> None:
        """``ctrl+n``: set (or remove) a reminder on a chat with ``contact``."""
        self._remind(contact)

    @work(group="person-remind", exit_on_error=False)
    async def _remind(self, contact: Contact) -> None:
        from beeper_tui.service.reminders import (
            Preset,
            ReminderService,
            describe_reminder,
            reminder_chats,
        )

        backend = self._backend()
        name = inert(display_name(contact), limit=60)
        chats = self.chats if self.subject == contact and self.chats is not None else None
        if chats is None:
            chats = await backend.chats_with(contact)
        candidates = reminder_chats(chats)
        if not candidates:
            self.app.notify(
                f"There is no chat with {name} to put a reminder on yet.",
                title="Reminder",
                severity="warning",
                markup=False,
            )
            return
        service = ReminderService(backend.client, lambda: backend.now().astimezone())
        presets = [(preset, service.when(preset)) for preset in Preset]
        from .reminder_menu import ReminderMenu

        menu = ReminderMenu(candidates, presets, person=display_name(contact), now=service.now())
        choice = await self.app.push_screen_wait(menu)
        if choice is None:
            return
        try:
            if choice.preset is None:
                await service.remove(choice.chat_id)
                words = f"Reminder about {name} removed."
            else:
                reminder = await service.set(
                    choice.chat_id, choice.preset, dismiss_on_incoming=choice.dismiss_on_incoming
                )
                words = f"{describe_reminder(reminder, service.now())}: {name}."
        except BeeperError as exc:
            self._failed("Could not change the reminder", exc, title="Reminder")
            return
        self.app.notify(words, title="Reminder", markup=False)
        if self.subject == contact:
            self._reload(contact, messages=False)

    def copy(self, contact: Contact) -> None:
        """``c``: copy a detail; for several networks, first ask which one."""
        from .copy_menu import CopyMenu
        from .network_menu import NetworkMenu

        if not contact.others:
            self.app.push_screen(CopyMenu(contact, name=display_name(contact)))
            return
        backend = self._backend()
        options = backend.identity_options(contact, self._chats_of(contact), purpose="copy")
        menu = NetworkMenu(options, purpose="copy", person=display_name(contact), now=backend.now())

        def chosen(choice: NetworkChoice | None) -> None:
            if choice is not None:
                # That network's details only, not the whole merged person's.
                identity = choice.identity
                self.app.push_screen(
                    CopyMenu(
                        Contact(identity.user, identity.account_id), name=display_name(contact)
                    )
                )

        self.app.push_screen(menu, chosen)


def _chats_after(chats: PersonChats, chat_id: str, messages: Sequence[ChatMessage]) -> PersonChats:
    """``chats`` as a message in ``chat_id`` leaves them: latest activity, unread count,
    most recent first (the chat event that follows brings Desktop's own numbers)."""
    from beeper_tui.service.chats import PersonChats, parse_time

    items: list[PersonChat] = []
    for item in chats.chats:
        if item.id != chat_id and item.chat.local_chat_id != chat_id:
            items.append(item)
            continue
        stamps = [t for m in messages if (t := parse_time(m.timestamp)) is not None]
        newest = max(stamps, default=None)
        incoming = sum(1 for m in messages if not m.is_sender and not m.is_deleted)
        mine = any(m.is_sender for m in messages)
        unread = 0 if mine else item.chat.unread_count + incoming
        activity = item.last_activity
        if newest is not None and (activity is None or newest > activity):
            activity = newest
        chat = item.chat.model_copy(update={"unread_count": unread})
        items.append(replace(item, chat=chat, last_activity=activity))
    items.sort(key=lambda c: -(c.last_activity.timestamp() if c.last_activity else 0.0))
    return PersonChats(items, chats.failed)
