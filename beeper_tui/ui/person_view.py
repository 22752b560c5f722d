"""The person view: everything known about the highlighted person (or account)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from beeper_tui.api.models import Account, User
from beeper_tui.service.accounts import searched_accounts
from beeper_tui.service.names import best_name
from beeper_tui.service.networks import account_owner, network_name, status_badge
from beeper_tui.service.person import Contact
from beeper_tui.service.phones import format_phone

from .accounts_sidebar import BADGE_STYLES
from .safe_text import safe_text

__all__ = ["PersonView", "account_fields", "contact_fields"]

Field = tuple[str, Text]


def _field(label: str, value: str | None, style: str = "") -> list[Field]:
    if value is None or not value.strip():
        return []
    return [(label, safe_text(value, style))]


def contact_fields(user: User, account: Account | None, account_id: str) -> list[Field]:
    """Label/value rows for a person; missing fields are left out."""
    rows: list[Field] = []
    rows += _field("Name", user.full_name, "bold")
    rows += _field("Username", user.username)
    if user.phone_number:
        pretty = format_phone(user.phone_number)
        shown = pretty if pretty == user.phone_number else f"{pretty}  ({user.phone_number})"
        rows += _field("Phone", shown)
    rows += _field("Email", user.email)
    rows += _field("User ID", user.id, "dim")
    if account is not None:
        rows += _field("Network", network_name(account))
    rows += _field("Account", account_id, "dim")
    if user.is_self:
        rows.append(("", Text("★ This is you", "bold green")))
    if user.cannot_message:
        rows.append(("", Text("⊘ Beeper can't start a message to this person", "yellow")))
    rows += _field("Avatar", user.img_url, "dim")
    return rows


def identity_fields(contact: Contact, account_of: Callable[[str], Account | None]) -> list[Field]:
    """One row per network the person was found on: network, account, handle, user ID."""
    rows: list[Field] = []
    for identity in contact.identities:
        account = account_of(identity.account_id)
        line = Text(end="")
        line.append_text(
            safe_text(network_name(account) if account else identity.account_id, "bold")
        )
        handle = identity.user.username or identity.user.phone_number or identity.user.email
        if handle:
            line.append("  ")
            line.append_text(safe_text(handle))
        line.append("\n")
        line.append_text(safe_text(identity.user.id, "dim"))
        line.append("  ")
        line.append_text(safe_text(identity.account_id, "dim"))
        rows.append(("", line))
    return rows


def account_fields(account: Account) -> list[Field]:
    """Label/value rows for an account; unknown parts of older builds are left out."""
    badge = status_badge(account.status)
    status = Text(f"{badge.symbol} {badge.label}", BADGE_STYLES[badge.level])
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


def _table(rows: list[Field]) -> Table:
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(no_wrap=True, width=12)
    table.add_column(ratio=1, overflow="fold")
    for label, value in rows:
        table.add_row(Text(label, "dim"), value)
    return table


class PersonView(VerticalScroll):
    """Shows a contact (following the highlight) or an account."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Details"
        self._body = Static(id="detail-body")
        self.subject: Contact | Account | None = None
        """What is shown: a contact, an account, or nothing."""

    def compose(self):  # type: ignore[no-untyped-def]
        yield self._body

    @property
    def text(self) -> str:
        """The panel's content as plain text (what a reader sees)."""
        return self._plain

    _plain: str = ""

    def _show(self, title: Text, rows: list[Field]) -> None:
        self._plain = "\n".join([title.plain, *(f"{k}: {v.plain}".strip() for k, v in rows)])
        self._body.update(Group(title, Text(""), _table(rows)))
        self.scroll_home(animate=False)

    def show_contact(
        self,
        contact: Contact,
        account: Account | None,
        account_of: Callable[[str], Account | None] | None = None,
    ) -> None:
        """Show everything known about ``contact`` (found in ``account``).

        A person merged across networks also gets one line per identity.
        """
        self.subject = contact
        title = safe_text(best_name(contact.user), "bold")
        rows = contact_fields(contact.user, account, contact.account_id)
        if contact.others:
            rows.append(("", Text("")))
            rows.append(("On networks", Text(f"{len(contact.identities)}", "bold")))
            rows += identity_fields(contact, account_of or (lambda _id: None))
        self._show(title, rows)

    def show_overview(self, accounts: Sequence[Account]) -> None:
        """What "All accounts" covers: how many accounts, in which state."""
        self.subject = None
        title = Text("All accounts", "bold")
        rows: list[Field] = [("Accounts", Text(str(len(accounts))))]
        searched = {a.account_id for a in searched_accounts(accounts)}
        for account in accounts:
            badge = status_badge(account.status)
            value = Text(f"{badge.symbol} ", BADGE_STYLES[badge.level])
            value.append_text(safe_text(network_name(account)))
            value.append(f"  {badge.label}", "dim")
            if account.account_id not in searched:
                value.append(" · left out", "dim italic")
            rows.append(("", value))
        rows.append(("", Text("Type to search every account at once.", "dim")))
        self._show(title, rows)

    def show_account(self, account: Account) -> None:
        """Show an account's details."""
        self.subject = account
        title = safe_text(network_name(account), "bold")
        title.append(" account", "dim")
        self._show(title, account_fields(account))

    def show_message(self, message: str) -> None:
        """Show a plain message (nothing selected, an error)."""
        self.subject = None
        self._plain = message
        self._body.update(Text(message, "dim"))
