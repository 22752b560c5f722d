"""What the detail panel says about a person (or an account), in plain words.

Pure functions of the person, their accounts and their chats, so tests can read
them without a screen. Raw user IDs, account IDs and URLs appear only in
:func:`ids_section`, which the view shows when the user asks for it (``i``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Final

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from beeper_tui.service.accounts import searched_accounts
from beeper_tui.service.chats import relative_time
from beeper_tui.service.names import clean
from beeper_tui.service.networks import (
    account_owner,
    network_name,
    network_of_account_id,
    own_account_words,
    status_badge,
)
from beeper_tui.service.person import Contact, person_name
from beeper_tui.service.phones import format_phone
from beeper_tui.service.users import UserFields

from .accounts_sidebar import BADGE_STYLES, BadgeStyles
from .cell_text import display_text
from .safe_text import safe_text

if TYPE_CHECKING:
    from beeper_tui.api.models import Account
    from beeper_tui.service.chats import PersonChat, PersonChats
    from beeper_tui.service.conversation import Conversation

__all__ = [
    "MAX_CHATS_SHOWN",
    "Field",
    "Section",
    "account_fields",
    "best_avatar_url",
    "chats_section",
    "conversation_section",
    "display_name",
    "field_table",
    "identity_label",
    "ids_section",
    "joined_section",
    "name_for_initials",
    "overview_fields",
    "person_fields",
    "person_heading",
]

MAX_CHATS_SHOWN: Final = 8
"""Chats listed in the view; ``o`` opens the picker with all of them."""

AccountOf = Callable[[str], "Account | None"]


Field = tuple[str, Text]


def _field(label: str, value: str | None, style: str = "") -> list[Field]:
    if value is None or not value.strip():
        return []
    return [(label, safe_text(value, style))]


def overview_fields(accounts: Sequence[Account], styles: BadgeStyles = BADGE_STYLES) -> list[Field]:
    """What "All accounts" covers: how many accounts, each in its state, which are left out."""
    rows: list[Field] = [("Accounts", Text(str(len(accounts))))]
    searched = {a.account_id for a in searched_accounts(accounts)}
    for account in accounts:
        badge = status_badge(account.status)
        value = Text(f"{badge.symbol} ", styles[badge.level])
        value.append_text(safe_text(network_name(account)))
        value.append(f"  {badge.label}", "dim")
        if account.account_id not in searched:
            value.append(" · left out", "dim italic")
        rows.append(("", value))
    rows.append(("", Text("Type to search every account at once.", "dim")))
    return rows


def account_fields(account: Account, styles: BadgeStyles = BADGE_STYLES) -> list[Field]:
    """Label/value rows for an account; unknown parts of older builds are left out."""
    badge = status_badge(account.status)
    status = Text(f"{badge.symbol} {badge.label}", styles[badge.level])
    rows: list[Field] = [("Status", status)]
    rows += _field("Status text", account.status_text)
    rows += _field("Network", network_name(account), "bold")
    rows += _field("Owner", account_owner(account))
    rows += _field("Account ID", account.account_id, "dim")
    if account.bridge is not None:
        rows += _field("Bridge ID", account.bridge.id)
        rows += _field("Provider", account.bridge.provider)
        rows += _field("Bridge type", account.bridge.type)
    rows += _field("Login ID", account.login_id, "dim")
    if account.bridge is None and account.network is None:
        rows.append(("", Text("Older Beeper Desktop build: fewer details available.", "dim")))
    return rows


def field_table(rows: list[Field]) -> Table:
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(no_wrap=True, width=12)
    table.add_column(ratio=1, overflow="fold")
    for label, value in rows:
        table.add_row(Text(label, "dim"), value)
    return table


class Section:
    """A renderable and the plain text a reader sees in it (for ``PersonView.text``)."""

    def __init__(self, renderable: RenderableType, plain: str) -> None:
        self.renderable = renderable
        self.plain = plain


def _plain(rows: Sequence[tuple[Text, ...]]) -> str:
    return "\n".join("  ".join(cell.plain for cell in row if cell.plain).strip() for row in rows)


def _one_line(value: str | None, style: str = "") -> Text:
    text = safe_text(value, style)
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def _line(value: str, style: str = "") -> Text:
    """One line of a group: cut with an ellipsis, never wrapped, ending the line."""
    text = _one_line(value, style)
    text.end = "\n"
    return text


def display_name(contact: Contact) -> str:
    """The person's name; never their raw user ID (that is for the IDs section)."""
    users = [identity.user for identity in contact.identities]
    name = person_name(users)
    return "Unnamed contact" if name in {u.id for u in users} else name


def identity_label(identity: Contact, account_of: AccountOf) -> str:
    """``WhatsApp (you: Noor Haddad)``: the identity's network and the user's account on it."""
    account = account_of(identity.account_id)
    if account is not None:
        return own_account_words(account)
    # Not in the account list (offline, or Desktop not answered yet): the ID may name the network.
    return network_of_account_id(identity.account_id)


def person_heading(
    contact: Contact, account_of: AccountOf, *, last_talked: str | None = None
) -> Section:
    """Name and, beside the face, where the person was found; when you last talked."""
    name = safe_text(display_name(contact), "bold")
    if contact.others:
        where = Text(f"On {len(contact.identities)} networks", "dim")
    else:
        where = _one_line("via " + identity_label(contact, account_of), "dim")
    talked = [_one_line(last_talked, "italic")] if last_talked else []
    heading = Text("\n").join([name, where, *_flags(contact.identities), *talked])
    return Section(heading, heading.plain)


def _flags(identities: Sequence[Contact]) -> list[Text]:
    flags: list[Text] = []
    if any(i.user.is_self for i in identities):
        flags.append(Text("★ This is you", "bold green"))
    blocked = [i for i in identities if i.user.cannot_message]
    if blocked and len(blocked) == len(identities):
        flags.append(Text("⊘ can't be messaged", "yellow"))
    return flags


def _distinct(values: Sequence[str | None]) -> list[str]:
    seen: list[str] = []
    for value in values:
        cleaned = clean(value)
        if cleaned and cleaned not in seen:
            seen.append(cleaned)
    return seen


def _field_table() -> Table:
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(no_wrap=True, width=8)
    table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    return table


def _handles(user: UserFields) -> Text:
    parts = [
        *_distinct([user.username]),
        *(format_phone(p) for p in _distinct([user.phone_number])),
        *_distinct([user.email]),
    ]
    line = Text(end="", no_wrap=True, overflow="ellipsis")
    for index, part in enumerate(parts):
        if index:
            line.append(" · ", "dim")
        line.append_text(_one_line(part))
    if user.cannot_message:
        if parts:
            line.append(" · ", "dim")
        line.append("can't be messaged", "yellow")
    return line


def person_fields(
    contact: Contact, account_of: AccountOf, styles: BadgeStyles = BADGE_STYLES
) -> Section:
    """Handle, phone (for reading), email; for several networks, one entry each."""
    identities = contact.identities
    rows: list[tuple[Text, ...]] = []
    if not contact.others:
        rows += [(Text("Handle", "dim"), _one_line(u)) for u in _distinct([contact.user.username])]
    phones = _distinct([i.user.phone_number for i in identities])
    rows += [(Text("Phone", "dim"), _one_line(format_phone(p))) for p in phones]
    emails = _distinct([i.user.email for i in identities])
    rows += [(Text("Email", "dim"), _one_line(e)) for e in emails]
    table = _field_table()
    for row in rows:
        table.add_row(*row)
    parts: list[RenderableType] = [table]
    plain = [_plain(rows)] if rows else []
    if contact.others:
        networks = Table.grid(padding=(0, 1), expand=True)
        networks.add_column(no_wrap=True, width=1)
        networks.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        network_rows: list[tuple[Text, ...]] = []
        for identity in identities:
            account = account_of(identity.account_id)
            badge = status_badge(account.status) if account is not None else None
            symbol = Text(badge.symbol, styles[badge.level]) if badge else Text("?")
            network_rows.append((symbol, _one_line(identity_label(identity, account_of), "bold")))
            network_rows.append((Text(""), _handles(identity.user)))
        for row in network_rows:
            networks.add_row(*row)
        heading = Text("On networks", "bold")
        parts += [Text(""), heading, networks]
        plain += ["", heading.plain, _plain(network_rows)]
    return Section(Group(*parts), "\n".join(plain))


def _chat_title(item: PersonChat) -> str:
    title = item.title
    return "Unnamed chat" if title == item.identity.user.id else title


def chats_section(chats: PersonChats | None, now: datetime, *, failed_names: str = "") -> Section:
    """The chats with the person, most recent first: network, title, last activity, unread."""
    heading = Text("Chats", "bold")
    if chats is None:
        note = _line("Loading chats…", "dim")
        return Section(Group(heading, note), f"{heading.plain}\n{note.plain}")
    if chats.chats:
        heading.append(f"  {len(chats.chats)}", "dim")
    lines: list[RenderableType] = [heading]
    plain = [heading.plain]
    if chats.chats:
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(no_wrap=True, max_width=11, overflow="ellipsis")
        table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column(no_wrap=True, justify="right")
        table.add_column(no_wrap=True, justify="right")
        rows: list[tuple[Text, ...]] = []
        for item in chats.chats[:MAX_CHATS_SHOWN]:
            title = _one_line(("👥 " if item.is_group else "") + _chat_title(item))
            when = relative_time(item.last_activity, now) if item.last_activity else ""
            unread = item.chat.unread_count
            badge = Text(f" {min(unread, 999)} ", "bold reverse") if unread > 0 else Text("")
            rows.append((_one_line(item.network, "bold"), title, Text(when, "dim"), badge))
        for row in rows:
            table.add_row(*row)
        lines.append(table)
        plain.append(_plain(rows))
        more = len(chats.chats) - MAX_CHATS_SHOWN
        # One line each, so a row's height is its line count (the view relies on it).
        hint = _line(f"… and {more} more · " if more > 0 else "", "dim")
        hint.append("ctrl+g opens a chat in Beeper Desktop", "dim")
        lines.append(hint)
        plain.append(hint.plain)
    elif not chats.failed:
        note = _line("No chats with this person yet.", "dim")
        lines.append(note)
        plain.append(note.plain)
    if chats.failed:
        note = _line(f"Couldn't load chats on {failed_names}", "yellow")
        lines.append(note)
        plain.append(note.plain)
    for note in _reminder_lines(chats.chats, now):
        lines.append(note)
        plain.append(note.plain)
    return Section(Group(*lines), "\n".join(plain))


def _reminder_lines(chats: Sequence[PersonChat], now: datetime) -> list[Text]:
    """One line per chat with a reminder: when, and on which chat (``R`` changes it)."""
    if not any(item.chat.reminder is not None for item in chats):
        return []
    from beeper_tui.service.reminders import ChatReminder, describe_reminder

    lines: list[Text] = []
    for item in chats:
        reminder = ChatReminder.of(item.id, item.chat.reminder)
        if reminder is None:
            continue
        line = _line(describe_reminder(reminder, now.astimezone()), "bold magenta")
        line.append_text(_one_line(f" · {item.network} · {_chat_title(item)}", "magenta"))
        lines.append(line)
    if lines:
        lines[-1].append(" · R changes it", "dim")
    return lines


MAX_PREVIEW_CHARS: Final = 400
"""A message preview is one line: longer text is cut before it is measured in cells."""


def _first_word(name: str) -> str:
    words = name.split()
    return words[0] if words else name


def conversation_section(
    conversation: Conversation | None,
    now: datetime,
    *,
    loading: bool = False,
    failed: str | None = None,
    full_dates: bool = False,
) -> Section | None:
    """The person's recent messages, newest first: network, sender, preview, when.

    One line each, cut by cells. ``full_dates`` (the panel has the focus)
    shows each message's date and time instead of "2 h ago". None while the
    chats are still loading (the chats section says so).
    """
    heading = Text("Recent messages", "bold")
    if failed is not None:
        note = _line(f"Couldn't load messages: {failed}", "yellow")
        return Section(Group(heading, note), f"{heading.plain}\n{note.plain}")
    if conversation is None:
        if not loading:
            return None
        note = _line("Loading messages…", "dim")
        return Section(Group(heading, note), f"{heading.plain}\n{note.plain}")
    if not conversation.lines:
        if not conversation.chats:
            return None
        note = _line("No messages yet.", "dim")
        return Section(Group(heading, note), f"{heading.plain}\n{note.plain}")
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(no_wrap=True, max_width=11, overflow="ellipsis")
    table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column(no_wrap=True, justify="right")
    rows: list[tuple[Text, ...]] = []
    local_now = now.astimezone()
    for line in conversation.lines:
        said = Text(no_wrap=True, overflow="ellipsis", end="")
        # In a one-to-one chat their first name is enough; a group line names them whole.
        sender = line.sender if line.from_me or line.group else _first_word(line.sender)
        said.append_text(_one_line(sender, "bold" if not line.from_me else "dim bold"))
        if line.group:
            said.append(" in ", "dim")
            said.append_text(_one_line(line.group, "dim"))
        said.append(": ", "dim")
        preview = line.preview[:MAX_PREVIEW_CHARS] or "…"
        said.append_text(_one_line(preview, "dim" if line.from_me else ""))
        if full_dates and line.when is not None:
            when = line.when.astimezone(local_now.tzinfo).strftime("%Y-%m-%d %H:%M")
        else:
            when = line.ago(now)
        rows.append((_one_line(line.network, "bold"), said, Text(when, "dim")))
    for row in rows:
        table.add_row(*row)
    hint = _line("ctrl+l shows older messages" if conversation.has_more else "", "dim")
    parts: list[RenderableType] = [heading, table]
    plain = [heading.plain, _plain(rows)]
    if hint.plain:
        parts.append(hint)
        plain.append(hint.plain)
    return Section(Group(*parts), "\n".join(plain))


def ids_section(contact: Contact, account_of: AccountOf, *, expanded: bool) -> Section:
    """Raw user IDs, account IDs and avatar URLs: folded away unless ``expanded``."""
    if not expanded:
        heading = Text("▸ IDs", "dim bold")
        heading.append("  press ctrl+t to show", "dim")
        return Section(heading, heading.plain)
    heading = Text("▾ IDs", "bold")
    heading.append("  press ctrl+t to hide", "dim")
    blocks: list[RenderableType] = [heading]
    plain: list[str] = [heading.plain]
    for identity in contact.identities:
        account = account_of(identity.account_id)
        name = network_name(account) if account is not None else "Unknown"
        label = safe_text(name, "bold")  # a line of its own: the whole name, never "Instagr…"
        label.end = "\n"
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(no_wrap=True, width=7)
        table.add_column(ratio=1)
        rows = [("User ID", identity.user.id), ("Account", identity.account_id)]
        if clean(identity.user.img_url):
            rows.append(("Avatar", identity.user.img_url or ""))
        for what, value in rows:
            table.add_row(Text(what, "dim"), WholeId(value))
        blocks += [label, table]
        plain += [label.plain, *(f"{what}  {value}" for what, value in rows)]
    return Section(Group(*blocks), "\n".join(plain))


_ID_BREAKS: Final = re.compile(r"(?<=[:/_.\-@?&=#,])")
"""Where an ID may break across lines: after its punctuation, as a path or an address does."""


class WholeId:
    """An ID shown whole: wrapped after its punctuation (``@user:`` / ``beeper.com``).

    Rich wraps only at spaces and IDs have none, so it would cut them anywhere;
    a piece longer than the line is folded as the last resort.
    """

    def __init__(self, value: str) -> None:
        self.text = display_text(value)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((cell_len(piece) for piece in _ID_BREAKS.split(self.text)), default=1)
        return Measurement(min(longest, options.max_width), cell_len(self.text))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(1, options.max_width)
        lines: list[str] = [""]
        for piece in _ID_BREAKS.split(self.text):
            if lines[-1] and cell_len(lines[-1]) + cell_len(piece) > width:
                lines.append("")
            lines[-1] += piece
        for line in lines:
            yield from Text(line, end="\n", overflow="fold").wrap(console, width)


def best_avatar_url(contact: Contact) -> str | None:
    """The avatar to show: the person's own first, then any identity's."""
    return next((u for u in (clean(i.user.img_url) for i in contact.identities) if u), None)


def name_for_initials(contact: Contact) -> str | None:
    """What the initials are taken from: the name, never an ID (None: ``?``)."""
    name = display_name(contact)
    return None if name == "Unnamed contact" else name


def joined_section(reasons: Sequence[str]) -> Section | None:
    """Why the person's identities are one person, a plain line each (None: nothing joined)."""
    if not reasons:
        return None
    # Wrapped, not cut: the networks at the end are the point of the line.
    lines = [safe_text(reason.replace("\ufe0f", ""), "dim") for reason in reasons]
    for line in lines:
        line.end = "\n"
    return Section(Group(*lines), "\n".join(line.plain for line in lines))
