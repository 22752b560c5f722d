"""Naming and describing people and accounts: pure functions, no I/O."""

from __future__ import annotations

from typing import Any

import pytest

from beeper_tui.api.models import Account, AccountStatus, Bridge, User
from beeper_tui.service.names import IdentifierKind, best_name, identifier_kind, secondary_text
from beeper_tui.service.networks import account_label, account_owner, network_name, status_badge
from beeper_tui.service.person import Contact
from beeper_tui.service.phones import format_phone


def user(**fields: Any) -> User:
    fields.setdefault("id", "@someone:beeper.com")
    return User(**fields)


def account(
    account_id: str = "acc",
    *,
    network: str | None = None,
    bridge_type: str | None = None,
    owner: User | None = None,
    status: AccountStatus = AccountStatus.CONNECTED,
) -> Account:
    bridge = Bridge(id="b", provider="cloud", type=bridge_type) if bridge_type else None
    return Account(
        account_id=account_id,
        user=owner or user(id="@me:beeper.com", full_name="Me"),
        network=network,
        bridge=bridge,
        status=status,
    )


# -- best_name -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {
                "full_name": "Alice",
                "username": "@al",
                "phone_number": "+14155552671",
                "email": "a@x.io",
            },
            "Alice",
        ),
        ({"username": "@al", "phone_number": "+14155552671", "email": "a@x.io"}, "@al"),
        ({"phone_number": "+14155552671", "email": "a@x.io"}, "+14155552671"),
        ({"email": "a@x.io"}, "a@x.io"),
        ({}, "@someone:beeper.com"),
        ({"full_name": "   ", "username": "@al"}, "@al"),
        ({"full_name": "\t\n", "username": " ", "email": "e@x.io"}, "e@x.io"),
        ({"full_name": "", "phone_number": ""}, "@someone:beeper.com"),
        ({"full_name": "  Zoë Lindqvist  "}, "Zoë Lindqvist"),
    ],
)
def test_best_name_fallbacks(fields: dict[str, Any], expected: str) -> None:
    assert best_name(user(**fields)) == expected


def test_best_name_keeps_emoji_and_rtl() -> None:
    assert best_name(user(full_name="Ngô Bảo Châu 🧮")) == "Ngô Bảo Châu 🧮"
    assert best_name(user(full_name="مريم")) == "مريم"


# -- secondary_text ------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"full_name": "Alice", "username": "@alice", "phone_number": "+14155552671"},
        {"username": "@alice", "phone_number": "+14155552671"},
        {"username": "@alice"},
        {"phone_number": "+14155552671"},
        {"phone_number": "+14155552671", "email": "p@x.io"},
        {"email": "p@x.io"},
        {},
        {"full_name": "@alice", "username": "@alice", "email": "a@x.io"},
        {"full_name": "Alice", "username": "  Alice  "},
        {"full_name": "   ", "username": "@al", "phone_number": "+14155552671"},
        # A name that is itself the readable form of the phone number (common
        # on iMessage, where the address book shows the number as the name).
        pytest.param(
            {"full_name": "+1 415-555-2671", "phone_number": "+14155552671"},
            id="name-is-formatted-phone",
        ),
    ],
)
def test_secondary_text_never_repeats_the_name(fields: dict[str, Any]) -> None:
    u = user(**fields)
    name = best_name(u)
    second = secondary_text(u)
    assert second != name
    assert second.strip() != name.strip()


def test_secondary_text_prefers_username_then_phone_then_email() -> None:
    assert secondary_text(user(full_name="A", username="@a", phone_number="+14155552671")) == "@a"
    assert secondary_text(user(full_name="A", phone_number="+14155552671")) == "+1 415-555-2671"
    assert secondary_text(user(full_name="A", email="a@x.io")) == "a@x.io"
    assert secondary_text(user(full_name="A")) == ""


def test_secondary_text_when_name_is_the_phone_shows_email() -> None:
    u = user(phone_number="+14155552671", email="p@x.io")
    assert best_name(u) == "+14155552671"
    assert secondary_text(u) == "p@x.io"


def test_secondary_text_when_name_is_username_shows_phone() -> None:
    u = user(username="@bob", phone_number="+447911123456")
    assert best_name(u) == "@bob"
    assert secondary_text(u) == "+44 7911 123456"


# -- format_phone --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+14155552671", "+1 415-555-2671"),
        ("+447911123456", "+44 7911 123456"),
        ("+33612345678", "+33 6 12 34 56 78"),
        ("+4915112345678", "+49 1511 2345678"),
    ],
)
def test_format_phone_groups_e164(raw: str, expected: str) -> None:
    assert format_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["hello", "", "12345", "+1", "+1 415", "not a +1 number", "@alice", "a@b.co", "+++"],
)
def test_format_phone_passes_odd_strings_through(raw: str) -> None:
    assert format_phone(raw) == raw


# -- network_name / account_label ---------------------------------------------


def test_network_name_prefers_network() -> None:
    assert network_name(account(network="WhatsApp", bridge_type="telegram")) == "WhatsApp"


def test_network_name_strips_network() -> None:
    assert network_name(account(network="  WhatsApp  ")) == "WhatsApp"


@pytest.mark.parametrize(
    ("bridge_type", "expected"),
    [
        ("slackgo", "Slack"),
        ("discordgo", "Discord"),
        ("whatsapp", "WhatsApp"),
        ("twitter", "X"),
        ("imessagecloud", "iMessage"),
        ("SlackGo", "Slack"),
        ("foochat", "foochat"),
    ],
)
def test_network_name_falls_back_to_bridge_type(bridge_type: str, expected: str) -> None:
    assert network_name(account(bridge_type=bridge_type)) == expected


def test_network_name_blank_network_falls_back_to_bridge_type() -> None:
    assert network_name(account(network="   ", bridge_type="telegram")) == "Telegram"


@pytest.mark.parametrize(
    ("account_id", "expected"),
    [
        ("slackgo.T1-U2", "Slack"),
        ("local-whatsapp_ba_AbCdEf", "WhatsApp"),
        ("discordgo", "Discord"),
        ("zz-unknown.thing", "zz-unknown.thing"),
        ("opaque", "opaque"),
    ],
)
def test_network_name_falls_back_to_account_id(account_id: str, expected: str) -> None:
    assert network_name(account(account_id)) == expected


def test_account_label_and_owner() -> None:
    acc = account(
        "slackgo.T1-U2",
        network="Slack",
        owner=user(id="@me:beeper.com", username="@robin"),
    )
    assert account_owner(acc) == "@robin"
    assert account_label(acc) == "Slack · @robin"


def test_contact_id_is_the_user_id() -> None:
    contact = Contact(user(id="@x:y"), "acc")
    assert contact.id == "@x:y"
    assert contact.account_id == "acc"


# -- status_badge --------------------------------------------------------------


def test_status_badge_for_every_status() -> None:
    badges = {status: status_badge(status) for status in AccountStatus}
    assert set(badges) == set(AccountStatus)
    for status, badge in badges.items():
        assert badge.symbol.strip()
        assert badge.label.strip()
        assert badge.level in {"ok", "busy", "action", "off", "unknown"}
        assert badge.label.replace(" ", "_") == status.value
    assert badges[AccountStatus.CONNECTED].level == "ok"
    assert badges[AccountStatus.CONNECTING].level == "busy"
    assert badges[AccountStatus.BACKFILLING].level == "busy"
    assert badges[AccountStatus.CONNECTION_REQUIRED].level == "action"
    assert badges[AccountStatus.RECONNECT_REQUIRED].level == "action"
    assert badges[AccountStatus.ATTENTION_REQUIRED].level == "action"
    assert badges[AccountStatus.DISCONNECTED].level == "off"
    assert badges[AccountStatus.DISABLED].level == "off"
    assert badges[AccountStatus.UNKNOWN].level == "unknown"


def test_status_badge_symbols_are_distinct_per_level() -> None:
    symbol_by_level: dict[str, set[str]] = {}
    for status in AccountStatus:
        badge = status_badge(status)
        symbol_by_level.setdefault(badge.level, set()).add(badge.symbol)
    # One symbol per level, and no two levels share a symbol (readable without colour).
    assert all(len(symbols) == 1 for symbols in symbol_by_level.values())
    all_symbols = [next(iter(s)) for s in symbol_by_level.values()]
    assert len(all_symbols) == len(set(all_symbols)) == 5


def test_status_badge_for_parsed_unknown_status() -> None:
    assert status_badge(AccountStatus.parse("hibernating")).level == "unknown"


# -- identifier_kind -----------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("+1 (415) 555-2671", IdentifierKind.PHONE),
        ("+14155552671", IdentifierKind.PHONE),
        ("415.555.2671", IdentifierKind.PHONE),
        ("  +44 7911 123456  ", IdentifierKind.PHONE),
        ("a@b.co", IdentifierKind.EMAIL),
        ("First.Last+tag@example.co.uk", IdentifierKind.EMAIL),
        ("@alice", IdentifierKind.USERNAME),
        ("@zoe_lq", IdentifierKind.USERNAME),
        ("alice", None),
        ("12", None),
        ("", None),
        ("   ", None),
        ("@", None),
        ("@alice:matrix.org", None),
        ("alice smith", None),
        ("a@b", None),
        ("+1 415", None),
    ],
)
def test_identifier_kind(query: str, expected: str | None) -> None:
    assert identifier_kind(query) == expected


def test_identifier_kind_folds_fullwidth_digits() -> None:
    assert identifier_kind("＋１ ４１５ ５５５ ２６７１") == IdentifierKind.PHONE
