"""Why a person's identities are one person, in words: one short line per join.

The book joins identities for four reasons: the same phone number, the same
email address (the automatic merge, :func:`~beeper_tui.service.person.person_keys`),
chats the user merged in Beeper, and links the user made. The person view
says which, so a wrong join is understood before it is split::

    joined: same phone (Google Messages and Signal)
    joined: Desktop merged these chats (Instagram and Telegram)
    joined: you linked them (Slack and WhatsApp)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from beeper_tui.service.person import Contact, person_keys

from .decisions import Effective, Identity

__all__ = ["why_joined"]

_KEY_WORDS = {"tel:": "same phone", "mail:": "same email"}


def why_joined(
    identities: Sequence[Contact],
    merged: Iterable[Sequence[Identity]],
    decided: Effective,
    networks: Mapping[str, str],
) -> list[str]:
    """One line per reason the ``identities`` of one person are joined (none for one identity).

    ``merged`` are Desktop's merged-chat groups, ``decided`` the user's
    decisions as they apply, ``networks`` account ID → network name.
    """
    if len(identities) < 2:
        return []
    keys = {c.key for c in identities}
    lines: list[str] = []

    def where(members: Iterable[Identity]) -> str:
        names = sorted({networks.get(a) or a for a, _ in members})
        return names[0] if len(names) == 1 else " and ".join((", ".join(names[:-1]), names[-1]))

    holders: dict[str, list[Identity]] = {}
    for contact in identities:
        for key in person_keys(contact.user):
            holders.setdefault(key, []).append(contact.key)
    for key, members in holders.items():
        if len(members) > 1:
            words = next(w for prefix, w in _KEY_WORDS.items() if key.startswith(prefix))
            lines.append(f"joined: {words} ({where(members)})")
    for group in merged:
        members = [k for k in group if k in keys]
        if len(members) > 1:
            lines.append(f"joined: Desktop merged these chats ({where(members)})")
    for a, b in decided.links:
        if a in keys and b in keys:
            lines.append(f"joined: you linked them ({where((a, b))})")
    return list(dict.fromkeys(lines))
