"""Ranked, folded, typo-tolerant search over the address book (in memory, no server)."""

from __future__ import annotations

import pytest

from beeper_tui.api.models import User
from beeper_tui.service.book.fold import fold, fold_with_offsets
from beeper_tui.service.book.query import match_spans, parse_query
from beeper_tui.service.book.search import BookIndex
from beeper_tui.service.person import person_name
from tests.book_helpers import index, names, rows

PEOPLE = {
    "telegram": [
        {"id": "t1", "fullName": "Zoe Morrison", "username": "@zoe_m"},
        {"id": "t2", "fullName": "Joey Segerszoen"},
        {"id": "t3", "fullName": "Ada Lovelace", "email": "ada@analytical.example"},
        {"id": "t4", "fullName": "Łukasz Wróbel"},
        {"id": "t5", "fullName": "Bjørn Ødegård"},
        {"id": "t6", "fullName": "Đorđe Petrović"},
        {"id": "t7", "fullName": "Straße Weiß"},
        {"id": "t8", "fullName": "Anatol Müller"},
        {"id": "t9", "fullName": "Renée Dubois", "phoneNumber": "+33612345678"},
        {"id": "t10", "fullName": "Zoey Adams"},
    ],
    "slack": [
        {"id": "s1", "fullName": "Bob Zoellner"},
        {"id": "s2", "fullName": "Carla Diaz", "username": "@zoe"},
        {"id": "s3", "fullName": "Zoe"},
    ],
}


@pytest.fixture(scope="module")
def book_index():  # type: ignore[no-untyped-def]
    return index(PEOPLE)


def test_words_in_any_order(book_index) -> None:  # type: ignore[no-untyped-def]
    assert names(book_index, "morrison zoe") == ["Zoe Morrison"]
    assert names(book_index, "zoe morrison") == ["Zoe Morrison"]
    assert names(book_index, "dubois renee") == ["Renée Dubois"]


def test_prefixes_only_at_word_starts(book_index) -> None:  # type: ignore[no-untyped-def]
    found = names(book_index, "zoe")
    assert "Joey Segerszoen" not in found  # "zoe" is inside a word, not at its start


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("luk", "Łukasz Wróbel"),  # ł
        ("bjo", "Bjørn Ødegård"),  # ø
        ("ode", "Bjørn Ødegård"),  # Ø
        ("dor", "Đorđe Petrović"),  # đ
        ("stras", "Straße Weiß"),  # ß
        ("weiss", "Straße Weiß"),
        ("LUKASZ wróbel", "Łukasz Wróbel"),
    ],
)
def test_folding_of_letters_unicode_does_not_decompose(book_index, query, name) -> None:  # type: ignore[no-untyped-def]
    # Three letters are below the fuzzy length: only folding can make these match.
    assert names(book_index, query)[:1] == [name]


def test_fold_table() -> None:
    assert (
        fold("Łukasz Ødegård Đorđe Straße Æsir Œuvre")
        == "lukasz odegard dorde strasse aesir oeuvre"
    )


def test_typo_and_missing_letter(book_index) -> None:  # type: ignore[no-untyped-def]
    assert names(book_index, "lovlace") == ["Ada Lovelace"]  # a missing letter
    assert names(book_index, "lovelcae") == ["Ada Lovelace"]  # two letters swapped
    assert names(book_index, "lovelxce") == ["Ada Lovelace"]  # one wrong letter
    assert names(book_index, "mueller") == ["Anatol Müller"]  # ü typed as ue


def test_ranking_whole_word_then_prefix_then_other_fields(book_index) -> None:  # type: ignore[no-untyped-def]
    found = names(book_index, "zoe")
    # Whole word "Zoe" first (first word before later ones), then "Zoey"/"Zoellner"
    # (prefixes; first word first), then the username match.
    assert found == ["Zoe", "Zoe Morrison", "Zoey Adams", "Bob Zoellner", "Carla Diaz"]


def test_fuzzy_matches_rank_last(book_index) -> None:  # type: ignore[no-untyped-def]
    result = book_index.search("lovelace")
    assert [p.name for p in result.people] == ["Ada Lovelace"]
    both = index(
        {"a": [{"id": "1", "fullName": "Ana Lovelance"}, {"id": "2", "fullName": "Zed Lovelace"}]}
    )
    assert names(both, "lovelace") == ["Zed Lovelace", "Ana Lovelance"]


def test_other_fields_email_username_phone(book_index) -> None:  # type: ignore[no-untyped-def]
    assert names(book_index, "analytical") == ["Ada Lovelace"]
    assert names(book_index, "ada@analytical.example") == ["Ada Lovelace"]
    assert names(book_index, "@zoe_m") == ["Zoe Morrison"]
    assert names(book_index, "1234") == ["Renée Dubois"]
    assert names(book_index, "+33 6 12 34 56 78") == ["Renée Dubois"]


def test_national_phone_needs_a_region(book_index) -> None:  # type: ignore[no-untyped-def]
    assert names(book_index, "06 12 34 56 78", region="FR") == ["Renée Dubois"]
    assert names(book_index, "06 12 34 56 78") == []
    assert parse_query("06 12 34 56 78", "FR")[0].digits == ("0612345678", "33612345678")


def test_true_total_and_limit(book_index) -> None:  # type: ignore[no-untyped-def]
    result = book_index.search("zoe", limit=2)
    assert result.total == 5
    assert len(result.people) == 2
    everyone = book_index.search("")
    assert everyone.total == sum(len(v) for v in PEOPLE.values())


def test_ties_are_stable_by_folded_name_then_id() -> None:
    book = index(
        {
            "b": [{"id": "2", "fullName": "Émile"}, {"id": "1", "fullName": "Emile"}],
            "a": [{"id": "9", "fullName": "emile"}],
        }
    )
    people = book.search("emile").people
    assert [p.contact.key for p in people] == [("a", "9"), ("b", "1"), ("b", "2")]


def test_account_scope(book_index) -> None:  # type: ignore[no-untyped-def]
    assert names(book_index, "zoe", account_ids=["slack"]) == ["Zoe", "Bob Zoellner", "Carla Diaz"]


def test_people_merge_over_the_whole_book_and_take_the_best_name() -> None:
    book = index(
        {
            "imessage": [{"id": "i1", "phoneNumber": "+46705550123"}],
            "slack": [{"id": "s1", "fullName": "Zoë L.", "email": "zoe@example.com"}],
            "telegram": [
                {"id": "t1", "fullName": "Zoë Lindqvist", "phoneNumber": "+46705550123",
                 "email": "ZOE@example.com"},
            ],
        }
    )  # fmt: skip
    (person,) = book.search("46705550123").people
    assert person.name == "Zoë Lindqvist"
    assert person.contact.user.full_name == "Zoë Lindqvist"
    assert {c.key for c in person.contact.identities} == {
        ("imessage", "i1"),
        ("slack", "s1"),
        ("telegram", "t1"),
    }
    # Scoped to one account, the person keeps only that account's identity.
    (scoped,) = book.search("zoe", account_ids=["imessage", "slack"]).people
    assert scoped.name == "Zoë L."
    assert {c.account_id for c in scoped.contact.identities} == {"imessage", "slack"}


def test_person_name_is_never_a_number_when_a_name_exists() -> None:
    number = User(id="a", phone_number="+14155552671")
    handle = User(id="b", username="@zoe")
    named = User(id="c", full_name="Zoe M.")
    fuller = User(id="d", full_name="Zoe Morrison 🎸")
    assert person_name([number]) == "+14155552671"
    assert person_name([number, handle]) == "@zoe"
    assert person_name([number, handle, named]) == "Zoe M."
    assert person_name([number, named, fuller]) == "Zoe Morrison 🎸"


def test_spans_point_into_the_displayed_name(book_index) -> None:  # type: ignore[no-untyped-def]
    (person,) = book_index.search("dubois ren").people
    assert [person.name[a:b] for a, b in person.spans] == ["Ren", "Dubois"]
    (strasse,) = book_index.search("strass").people
    assert [strasse.name[a:b] for a, b in strasse.spans] == ["Straß"]
    (typo,) = book_index.search("lovlace").people
    assert [typo.name[a:b] for a, b in typo.spans] == ["Lovelace"]


def test_spans_cover_combining_marks() -> None:
    name = "Rene\u0301e"  # "Renée" with a combining acute accent
    folded, starts, ends = fold_with_offsets(name)
    assert folded == "renee"
    assert match_spans(name, parse_query("rene")) == ((0, 5),)
    assert (starts[3], ends[3]) == (3, 5)


def test_a_big_directorys_members_follow_the_users_own_contacts_in_a_tier() -> None:
    from beeper_tui.service.book.search import DIRECTORY_SIZE

    members = [
        {"id": f"s{i}", "fullName": f"Jose Member{i:05d}"} for i in range(DIRECTORY_SIZE + 1)
    ]
    idx = index({"slack": members, "telegram": [{"id": "t1", "fullName": "José Zed"}]})
    found = names(idx, "jose", limit=3)
    assert found[0] == "José Zed"
    assert found[1:] == ["Jose Member00000", "Jose Member00001"]
    # A better tier still wins: an exact whole name from the directory beats a fuzzy friend.
    assert names(idx, "member00003")[0] == "Jose Member00003"


def test_typos_before_the_tables_are_built_find_the_same_people() -> None:
    # A one-shot `search` never builds the typo tables (warm=False): it looks up every
    # spelling one edit away instead, and must find exactly what the tables find.
    first = ["Lovelace", "Lovelance", "Morrison", "Morisson", "Mo", "Morr", "Moriarty", "Ada"]
    first += ["Żaneta", "Jürgen", "Ólafur", "Åsa", "Владимир", "Владислав", "山田太郎"]
    last = ["Zoe", "Zoey", "Bob", "Bobby", "Ann", "Anna", "Jonathan", "Johnathan", "Katherine"]
    last += ["Bo", "Eve", "Evelyn", "Yves"]
    contacts = {
        "a": [
            {"id": f"u{i}-{j}", "fullName": f"{a} {b}"}
            for i, a in enumerate(first)
            for j, b in enumerate(last)
        ]
    }
    warmed = index(contacts)
    cold = BookIndex(rows(contacts), warm=False)
    queries = ["lovlace", "lovelcae", "morison", "morrisn", "jonathon", "kathrine", "anna", "adda"]
    queries += ["morr", "mori", "omrr", "johnathanx", "zoey", "lovelancee", "bxob", "obby"]
    queries += ["zaneat", "jurgne", "olafru", "владимр", "владислaв", "山田太朗", "evve", "yvess"]
    queries += ["asaa", "xanna", "annax", "aann"]
    for query in queries:
        assert names(cold, query) == names(warmed, query), query
        assert cold.search(query).total == warmed.search(query).total, query
    assert cold._truncated == {}  # nothing was built for those queries
