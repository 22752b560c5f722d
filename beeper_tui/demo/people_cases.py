"""Hand-placed people who test "who is who": the cases a real address book has.

The generated contacts merge cleanly by phone or email, or not at all. Real
books are messier, and these few people, placed on fixed accounts whatever
the seed, show each case the app must handle:

- **split by name only**: Priya Raman is on Slack by her work email and on
  WhatsApp by her phone; Tomás Ferreira is on Telegram and Discord with only
  a name and a handle. No phone or email joins them: the app suggests them.
- **a shared family phone**: Helen and David Park share their home number
  (Google Messages and Signal); the phone rule makes them one person and
  the user must be able to split them.
- **a shared team inbox**: Lena Vogel and Marco Bianchi write from the same
  studio address (LinkedIn and Beeper); the email rule merges them.
- **a common name**: twelve different Maria Garcias across accounts, none
  sharing a phone, email or handle: never merged, never suggested.
- **chats merged by Desktop**: "Sofi 🌻" on Telegram and "Sofía M." on
  Instagram share nothing, but the user merged their chats in Beeper
  (:data:`DESKTOP_MERGED`; ``merge``/``mergedIntoChatID`` on the wire).

Each account's cases take the place of as many generated people (the last
ones drawn), so account sizes and everyone else stay as they were.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["DESKTOP_MERGED", "cases_for", "chat_partners"]

JSONDict = dict[str, Any]

_MARIA: Final = "Maria Garcia"

_CASES: Final[dict[str, tuple[JSONDict, ...]]] = {
    "whatsapp": (
        {"id": "@whatsapp_919845012345:beeper.local", "fullName": "Priya Raman",
         "phoneNumber": "+919845012345"},
        {"id": "@whatsapp_34612300401:beeper.local", "fullName": _MARIA,
         "phoneNumber": "+34612300401"},
        {"id": "@whatsapp_34612300402:beeper.local", "fullName": _MARIA,
         "phoneNumber": "+34612300402"},
    ),
    "telegram": (
        {"id": "@telegram_7001000101:beeper.com", "fullName": "Tomás Ferreira",
         "username": "@tferreira"},
        {"id": "@telegram_7001000102:beeper.com", "fullName": "Sofi 🌻",
         "username": "@sofimarquez"},
        {"id": "@telegram_7001000103:beeper.com", "fullName": _MARIA,
         "username": "@mariag_bcn"},
        {"id": "@telegram_7001000104:beeper.com", "fullName": _MARIA,
         "phoneNumber": "+5215512300404"},
    ),
    "signal": (
        {"id": "@signal_0b7e4a52-1d3c-4c8e-9f11-5a2d6e7f8a90:beeper.local",
         "fullName": "David Park", "phoneNumber": "+12065550142"},
        {"id": "@signal_6c1f9d33-2b4e-4a7f-8e22-0d9c8b7a6f51:beeper.local",
         "fullName": _MARIA, "phoneNumber": "+34612300405"},
    ),
    "slackgo": (
        {"id": "@slackgo_u0cases0001:beeper.com", "fullName": "Priya Raman",
         "username": "@priya.raman", "email": "priya.raman@{domain}"},
        {"id": "@slackgo_u0cases0002:beeper.com", "fullName": _MARIA,
         "username": "@maria.garcia", "email": "maria.garcia@{domain}"},
        {"id": "@slackgo_u0cases0003:beeper.com", "fullName": _MARIA,
         "username": "@maria.garcia2", "email": "maria.garcia2@{domain}"},
    ),
    "discordgo": (
        {"id": "@discordgo_110000000000000101:beeper.com", "fullName": "Tomás Ferreira",
         "username": "@tferreira"},
        {"id": "@discordgo_110000000000000102:beeper.com", "fullName": _MARIA,
         "username": "@mgarcia.art"},
    ),
    "instagramgo": (
        {"id": "@instagramgo_4400000102:beeper.com", "fullName": "Sofía M.",
         "username": "@sofia.marquez.art"},
        {"id": "@instagramgo_4400000103:beeper.com", "fullName": _MARIA,
         "username": "@mariagarcia.photo"},
    ),
    "linkedin": (
        {"id": "@linkedin_ACoAAcasesLenaVogel0001:beeper.com", "fullName": "Lena Vogel",
         "email": "hello@vogelbianchi.example"},
        {"id": "@linkedin_ACoAAcasesMariaGarcia001:beeper.com", "fullName": _MARIA,
         "email": "maria.garcia@iberdata.example"},
    ),
    "matrix": (
        {"id": "@marco.bianchi:matrix.org", "fullName": "Marco Bianchi",
         "username": "@marco.bianchi", "email": "hello@vogelbianchi.example"},
        {"id": "@maria.garcia:fosdem.org", "fullName": _MARIA, "username": "@maria.garcia.dev"},
    ),
    "gmessages": (
        {"id": "@gmessages_12065550142:beeper.local", "fullName": "Helen Park",
         "phoneNumber": "+12065550142"},
        {"id": "@gmessages_34612300406:beeper.local", "fullName": _MARIA,
         "phoneNumber": "+34612300406"},
    ),
}  # fmt: skip

DESKTOP_MERGED: Final[tuple[tuple[tuple[str, str], ...], ...]] = (
    (("telegram", "@telegram_7001000102:beeper.com"),
     ("instagramgo", "@instagramgo_4400000102:beeper.com")),
)  # fmt: skip
"""Groups of (network key, user ID) whose one-to-one chats the user merged in Beeper;
the first one's chat is the default (it carries ``merge``, the others ``mergedIntoChatID``)."""


def cases_for(network_key: str, email_domain: str | None) -> list[JSONDict]:
    """The hand-placed contacts of one network's account (fresh dicts, in a fixed order)."""
    domain = email_domain or "example.com"
    placed = []
    for case in _CASES.get(network_key, ()):
        user = dict(case)
        if "email" in user:
            user["email"] = str(user["email"]).format(domain=domain)
        placed.append(user)
    return placed


def chat_partners(network_key: str) -> tuple[str, ...]:
    """User IDs of the cases that always have a one-to-one chat on this network."""
    return tuple(str(c["id"]) for c in _CASES.get(network_key, ()) if c["fullName"] != _MARIA)
