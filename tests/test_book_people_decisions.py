"""Who is who: evidence, suggestions and the user's decisions, at the book's level."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from beeper_tui.api.models import User
from beeper_tui.service.book import AddressBook
from beeper_tui.service.book.decisions import Decision, DecisionsError, PeopleDecisions
from beeper_tui.service.book.evidence import COMMON_LIMIT, suggestions
from beeper_tui.service.book.rows import stored_contact
from tests.book_helpers import index

SLACK, WA, TG, DISCORD = "slack-acc", "wa-acc", "tg-acc", "discord-acc"
NETWORKS = {SLACK: "Slack", WA: "WhatsApp", TG: "Telegram", DISCORD: "Discord"}


def _u(uid: str, name: str | None = None, **more: Any) -> dict[str, Any]:
    user: dict[str, Any] = {"id": uid, **more}
    if name is not None:
        user["fullName"] = name
    return user


BOOK = {
    SLACK: [
        _u("U-ana", "Ana Lima", email="ana@work.example"),
        _u("U-team", "Support Team", email="team@work.example"),
    ],
    WA: [
        _u("wa-ana", "Ana Lima", phoneNumber="+33612345678"),
        _u("wa-mum", "Mum", phoneNumber="+33600000001"),
        _u("wa-dad", "Dad", phoneNumber="+33600000001"),
    ],
    TG: [_u("tg-kim", "Kim", username="kimchi99"), _u("tg-ola", "Ola Nordmann")],
    DISCORD: [
        _u("d-kim", "K", username="kimchi99"),
        _u("d-bob", "Bob Team", email="team@work.example"),
    ],
}


def _people(idx: Any) -> list[set[tuple[str, str]]]:
    return [{c.key for c in p.contact.identities} for p in idx.search("").people]


def _person_of(idx: Any, key: tuple[str, str]) -> set[tuple[str, str]]:
    return next(p for p in _people(idx) if key in p)


# -- evidence -------------------------------------------------------------------


def test_same_full_name_on_two_networks_is_suggested_with_its_reason() -> None:
    found = suggestions(index(BOOK), NETWORKS)
    ana = [s for s in found if s.pair == {(SLACK, "U-ana"), (WA, "wa-ana")}]
    assert len(ana) == 1
    assert ana[0].reason == "same name on Slack and WhatsApp"
    assert ana[0].names == ("Ana Lima", "Ana Lima")


def test_same_username_across_networks_is_suggested() -> None:
    found = suggestions(index(BOOK), NETWORKS)
    kim = [s for s in found if s.pair == {(TG, "tg-kim"), (DISCORD, "d-kim")}]
    assert [s.reason for s in kim] == ["same username on Discord and Telegram"] or [
        s.reason for s in kim
    ] == ["same username on Telegram and Discord"]


def test_a_username_shared_by_people_whose_names_disagree_is_not_suggested() -> None:
    book = {
        TG: [
            _u("t1", "Sophia Hobbs", username="shobbs"),
            _u("t2", "Tom", username="tferreira"),
            _u("t3", None, username="nameless"),
        ],
        DISCORD: [
            _u("d1", "Stephen", username="shobbs"),  # no word, no start in common
            _u("d2", "Tomás Ferreira", username="tferreira"),  # a short form of his name
            _u("d3", "Nina Petrova", username="nameless"),  # one name: nothing to disagree
        ],
    }
    found = suggestions(index(book), NETWORKS)
    assert sorted(sorted(uid for _, uid in s.pair) for s in found) == [
        ["d2", "t2"],
        ["d3", "t3"],
    ]


def test_one_word_names_and_merged_people_are_not_suggested() -> None:
    found = suggestions(index(BOOK), NETWORKS)
    pairs = [s.pair for s in found]
    assert all((WA, "wa-mum") not in p for p in pairs)  # "Mum": one word
    # Support Team and Bob Team share an email: already one person, nothing to suggest.
    assert all((SLACK, "U-team") not in p for p in pairs)
    assert len(pairs) == 2


def test_a_common_name_is_never_suggested() -> None:
    accounts = [f"acc-{n}" for n in range(COMMON_LIMIT + 1)]
    book = {a: [_u(f"{a}-maria", "Maria Garcia")] for a in accounts}
    assert suggestions(index(book)) == []
    fewer = {a: book[a] for a in accounts[:COMMON_LIMIT]}
    assert len(suggestions(index(fewer))) == COMMON_LIMIT * (COMMON_LIMIT - 1) // 2


def test_the_same_name_twice_in_one_account_is_not_evidence() -> None:
    book = {SLACK: [_u("a", "Jo Park"), _u("b", "Jo Park")]}
    assert suggestions(index(book)) == []


def test_name_and_username_agreeing_rank_first() -> None:
    book = {
        TG: [_u("t1", "Lea Roux"), _u("t2", "Sam Vo", username="samvo")],
        DISCORD: [_u("d1", "Lea Roux"), _u("d2", "Sam Vo", username="samvo")],
    }
    found = suggestions(index(book), NETWORKS)
    assert [s.names[0] for s in found] == ["Sam Vo", "Lea Roux"]
    assert found[0].reason == "same name and username on Discord and Telegram"


# -- decisions on the index -----------------------------------------------------


def _apply(*decisions: Decision) -> Any:
    return PeopleDecisions(None, decisions).apply(index(BOOK))


def test_link_joins_two_people_into_one_row() -> None:
    idx = _apply(Decision("link", (SLACK, "U-ana"), (WA, "wa-ana")))
    assert _person_of(idx, (SLACK, "U-ana")) == {(SLACK, "U-ana"), (WA, "wa-ana")}
    assert len(_people(idx)) == len(_people(index(BOOK))) - 1
    found = idx.search("ana").people
    assert [p.name for p in found] == ["Ana Lima"]
    assert suggestions(idx, NETWORKS)
    assert all((SLACK, "U-ana") not in s.pair for s in suggestions(idx, NETWORKS))


def test_split_takes_one_identity_out_of_a_shared_phone() -> None:
    before = index(BOOK)
    assert _person_of(before, (WA, "wa-dad")) == {(WA, "wa-dad"), (WA, "wa-mum")}
    idx = _apply(Decision("split", (WA, "wa-dad")))
    assert _person_of(idx, (WA, "wa-dad")) == {(WA, "wa-dad")}
    assert _person_of(idx, (WA, "wa-mum")) == {(WA, "wa-mum")}
    assert sorted(p.name for p in idx.search("").people if p.name in {"Mum", "Dad"}) == [
        "Dad",
        "Mum",
    ]


def test_split_of_a_shared_team_inbox_keeps_the_rest_together() -> None:
    book = {**BOOK, TG: [*BOOK[TG], _u("tg-team", "Team Bot", email="team@work.example")]}
    idx = PeopleDecisions(None, [Decision("split", (DISCORD, "d-bob"))]).apply(index(book))
    assert _person_of(idx, (DISCORD, "d-bob")) == {(DISCORD, "d-bob")}
    assert _person_of(idx, (SLACK, "U-team")) == {(SLACK, "U-team"), (TG, "tg-team")}


def test_a_later_decision_wins_and_undo_restores() -> None:
    link = Decision("link", (SLACK, "U-ana"), (WA, "wa-ana"))
    reject = Decision("reject", (WA, "wa-ana"), (SLACK, "U-ana"))
    idx = _apply(link, reject)
    assert _person_of(idx, (SLACK, "U-ana")) == {(SLACK, "U-ana")}
    people = PeopleDecisions(None, [link, reject])
    assert people.without(reject) == (link,)
    split_after_link = _apply(link, Decision("split", (WA, "wa-ana")))
    assert _person_of(split_after_link, (WA, "wa-ana")) == {(WA, "wa-ana")}


def test_a_rejected_pair_is_never_suggested_again() -> None:
    reject = Decision("reject", (SLACK, "U-ana"), (WA, "wa-ana"))
    people = PeopleDecisions(None, [reject])
    idx = people.apply(index(BOOK))
    found = suggestions(idx, NETWORKS, people.effective().rejects)
    assert all(s.pair != reject.pair for s in found)
    assert len(found) == 1


def test_decisions_about_identities_not_in_the_book_are_ignored() -> None:
    ghost = Decision("link", (SLACK, "U-gone"), (WA, "wa-ana"))
    idx = _apply(ghost)
    assert _people(idx) == _people(index(BOOK))


# -- the file ---------------------------------------------------------------------


def test_the_file_round_trips_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "people.toml"
    people = PeopleDecisions.load(path)
    decisions = [
        Decision("link", (SLACK, "U-ana"), (WA, "wa-ana"), 'Ana "Lima"'),
        Decision("split", (WA, "wa-dad")),
        Decision("reject", (TG, "tg-kim"), (DISCORD, "d-kim")),
    ]
    people.save(decisions)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert text.startswith("# beeper-tui: who is who")
    assert PeopleDecisions.load(path).decisions == tuple(decisions)


def test_a_hand_edited_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "people.toml"
    path.write_text(
        "# mine\n\n[[decision]]\n# a comment\nkind = 'split'\na = ['wa-acc', 'wa-dad']\n"
        'extra = 1\n\n[[ decision ]]\nkind = "link"\nb = ["wa-acc", "wa-ana"]\n'
        'a = ["slack-acc", "U-ana"]\n'
    )
    people = PeopleDecisions.load(path)
    assert people.error is None
    assert [d.kind for d in people.decisions] == ["split", "link"]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("[[decision]]\nkind = 'split'\na = ['x', 'y']\n\n[[decision]]\nkind = 'merge'\n", 5),
        ("[[decision]]\nkind = 'link'\na = ['x', 'y']\nb = 'z'\n", 1),
        ("[[decision]]\nkind = 'link'\na = ['x' 'y']\nb = ['z', 'w']\n", 3),
    ],
)
def test_a_broken_file_names_the_line_and_is_never_written_over(
    tmp_path: Path, text: str, line: int
) -> None:
    path = tmp_path / "people.toml"
    path.write_text(text)
    people = PeopleDecisions.load(path)
    assert people.decisions == ()
    assert people.error is not None
    assert f"line {line}" in str(people.error)
    assert str(path) in str(people.error)
    with pytest.raises(DecisionsError):
        people.save([Decision("split", ("a", "b"))])
    assert path.read_text() == text


# -- the book: decisions applied on load and after every sync -----------------------


async def test_decisions_survive_a_resync_and_a_returning_identity(tmp_path: Path) -> None:
    people_path = tmp_path / "people.toml"
    book = await AddressBook.open(tmp_path / "book.sqlite3", people=people_path)
    try:
        for account_id, users in BOOK.items():
            await book.replace_account(
                account_id, [stored_contact(account_id, User.model_validate(u)) for u in users]
            )
        found = await book.suggestions()
        ana = next(s for s in found if (SLACK, "U-ana") in s.pair)
        await book.decide(Decision("link", ana.a, ana.b, "Ana Lima"))
        assert _person_of(book.index, (SLACK, "U-ana")) == {(SLACK, "U-ana"), (WA, "wa-ana")}
        assert all((SLACK, "U-ana") not in s.pair for s in await book.suggestions())
        # A re-sync of WhatsApp (same contacts) keeps the link.
        wa = [stored_contact(WA, User.model_validate(u)) for u in BOOK[WA]]
        await book.replace_account(WA, wa)
        assert _person_of(book.index, (SLACK, "U-ana")) == {(SLACK, "U-ana"), (WA, "wa-ana")}
        # Ana leaves WhatsApp, then comes back: the decision waits in the file meanwhile.
        await book.replace_account(WA, [r for r in wa if r[1] != "wa-ana"])
        assert _person_of(book.index, (SLACK, "U-ana")) == {(SLACK, "U-ana")}
        assert len(PeopleDecisions.load(people_path).decisions) == 1
        await book.replace_account(WA, wa)
        assert _person_of(book.index, (SLACK, "U-ana")) == {(SLACK, "U-ana"), (WA, "wa-ana")}
    finally:
        await book.close()
    reopened = await AddressBook.open(tmp_path / "book.sqlite3", people=people_path)
    try:
        assert _person_of(reopened.index, (WA, "wa-ana")) == {(SLACK, "U-ana"), (WA, "wa-ana")}
        await reopened.undo(Decision("link", (WA, "wa-ana"), (SLACK, "U-ana")))
        assert _person_of(reopened.index, (WA, "wa-ana")) == {(WA, "wa-ana")}
        assert PeopleDecisions.load(people_path).decisions == ()
    finally:
        await reopened.close()


async def test_a_book_with_an_unreadable_file_opens_without_decisions(tmp_path: Path) -> None:
    people_path = tmp_path / "people.toml"
    people_path.write_text("[[decision]]\nkind = 'link'\n")
    book = await AddressBook.open(None, people=people_path)
    try:
        assert book.people.error is not None
        assert "line 1" in str(book.people.error)
        with pytest.raises(DecisionsError):
            await book.decide(Decision("split", (WA, "wa-dad")))
        assert people_path.read_text() == "[[decision]]\nkind = 'link'\n"
    finally:
        await book.close()


async def test_export_writes_people_as_the_user_decided(tmp_path: Path) -> None:
    from beeper_tui.service.export.people import export_people_to_file

    book = await AddressBook.open(None, people=tmp_path / "people.toml")
    try:
        for account_id, users in BOOK.items():
            await book.replace_account(
                account_id, [stored_contact(account_id, User.model_validate(u)) for u in users]
            )
        await book.decide(Decision("link", (SLACK, "U-ana"), (WA, "wa-ana")))
        await book.decide(Decision("split", (WA, "wa-dad")))
        people = [p.contact for p in book.search("").people]
        target = tmp_path / "out.vcf"
        await export_people_to_file(people, NETWORKS.__getitem__, target, "vcf")
        cards = target.read_text().split("BEGIN:VCARD")[1:]
        ana = [c for c in cards if "Ana Lima" in c]
        assert len(ana) == 1
        assert "U-ana" in ana[0]
        assert "wa-ana" in ana[0]
        assert len([c for c in cards if "FN:Dad" in c or "FN:Mum" in c]) == 2
    finally:
        await book.close()


def test_later_decisions_override_earlier_ones() -> None:
    from beeper_tui.service.book.decisions import effective

    a, b, c, d = (SLACK, "a"), (WA, "b"), (TG, "c"), (DISCORD, "d")
    decided = effective(
        [
            Decision("link", a, b),
            Decision("link", c, a),
            Decision("link", c, d),
            Decision("split", a),  # drops a's two links, keeps c-d
            Decision("link", a, b),  # brings a back with b
            Decision("reject", c, d),  # the later rejection wins over the link
            Decision("reject", b, d),
            Decision("link", d, b),  # the later link wins over the rejection
        ]
    )
    assert decided.links == ((a, b), (d, b))
    assert decided.splits == {a}
    assert decided.rejects == {frozenset((c, d))}
