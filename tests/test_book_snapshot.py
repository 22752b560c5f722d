"""The saved index: read back instead of rebuilt, never when it is stale or unreadable."""

from __future__ import annotations

import logging
import marshal
import random
import sqlite3
import zlib
from pathlib import Path

import pytest

from beeper_tui.service.book import SCHEMA_VERSION, AddressBook, BookStore
from beeper_tui.service.book.search import BookIndex
from beeper_tui.service.book.snapshot import (
    SNAPSHOT_FORMAT,
    LazyTuple,
    SnapshotError,
    pack,
    unpack,
    unpack_lazily,
)
from tests.book_helpers import index, names, rows

ALICE = {"id": "@alice", "fullName": "Alice Liddell", "phoneNumber": "+14155552671"}
ALICE_WA = {"id": "alice-wa", "fullName": "Ally", "phoneNumber": "+1 415 555 2671"}
BOB = {"id": "@bob", "fullName": "Bob Zoellner", "username": "bobz", "email": "bob@zoe.test"}
ZOE = {"id": "@zoe", "fullName": "Zoë Morrison"}
QUERIES = ("", "alice", "zoellner bob", "morison", "bobz", "4155", "zo")


def _book_contacts(many: int = 0) -> dict[str, list[dict[str, str]]]:
    extra = [{"id": f"@p{i}", "fullName": f"Person {i:05d} Zoellner"} for i in range(many)]
    return {"telegram": [ALICE, BOB, *extra], "whatsapp": [ALICE_WA, ZOE]}


def _same_results(a: BookIndex, b: BookIndex) -> None:
    for query in QUERIES:
        first, second = a.search(query), b.search(query)
        assert first.total == second.total, query
        assert [(p.name, p.spans, [c.key for c in p.contact.identities]) for p in first.people] == [
            (p.name, p.spans, [c.key for c in p.contact.identities]) for p in second.people
        ], query


def test_a_snapshot_reads_back_the_same_index() -> None:
    # Over 8,192 identities: the long columns are written in several chunks.
    built = index(_book_contacts(many=9_000))
    again = BookIndex.from_snapshot(built.snapshot())
    _same_results(built, again)
    # Read eagerly (the app), every column is a plain tuple: nothing is decoded on a keystroke.
    assert not [k for k, v in vars(again).items() if isinstance(v, LazyTuple)]
    assert names(again, "alice") == ["Alice Liddell"]  # merged with the WhatsApp "Ally"
    assert len(again.search("alice").people[0].contact.identities) == 2


def test_a_lazily_read_snapshot_decodes_only_what_a_query_reads() -> None:
    built = index(_book_contacts(many=9_000))
    parts = built.snapshot()
    lazy = BookIndex.from_snapshot(parts, lazy=True)
    assert names(lazy, "zoellner bob") == ["Bob Zoellner"]
    # Looking people up by key (the TUI's merges, exact look-ups) is not a query's business.
    assert not {"_key_hashes", "_key_owner", "_row_by_key", "_phone_blob"} & vars(lazy).keys()
    _same_results(built, lazy)
    _same_results(built, BookIndex.from_snapshot(lazy.snapshot()))  # saved again whole
    # The user's decisions regroup a lazy index as they do a built one.
    ally = built.identity_number("whatsapp", "alice-wa")
    assert ally is not None
    split = BookIndex.from_snapshot(parts, lazy=True).with_people([ally], [])
    _same_results(built.with_people([ally], []), split)
    assert len(split.search("alice").people[0].contact.identities) == 1


def test_a_damaged_part_of_a_lazy_snapshot_is_found_when_read() -> None:
    parts = index(_book_contacts()).snapshot()
    damaged = [parts[0], *(bytes([p[0] ^ 1]) + p[1:] for p in parts[1:])]
    lazy = BookIndex.from_snapshot(damaged, lazy=True)  # only the header is read here
    with pytest.raises(SnapshotError, match="damaged"):
        lazy.search("alice")
    with pytest.raises(SnapshotError, match="damaged"):
        BookIndex.from_snapshot(damaged)


def _sealed(header: object) -> bytes:
    data = marshal.dumps(header)
    return data + zlib.crc32(data).to_bytes(4, "big")


def test_a_snapshot_of_other_fields_or_format_is_refused() -> None:
    built = index(_book_contacts())
    with pytest.raises(SnapshotError, match="other fields"):
        BookIndex.from_snapshot(pack({"_n": 1}))
    with pytest.raises(SnapshotError, match="format"):
        unpack([_sealed((SNAPSHOT_FORMAT + 1, (), (), ()))])
    # Another app version (or Python, or byte order) wrote it: rebuilt, never trusted.
    parts = built.snapshot()
    header = marshal.loads(parts[0][:-4])
    with pytest.raises(SnapshotError, match="written by"):
        unpack([_sealed((SNAPSHOT_FORMAT, ("0.0.1", *header[1][1:]), *header[2:])), *parts[1:]])
    with pytest.raises(SnapshotError, match="missing or left over"):
        BookIndex.from_snapshot(parts[:-1])
    with pytest.raises(SnapshotError, match="missing or left over"):
        BookIndex.from_snapshot([*parts, parts[-1]])
    with pytest.raises(SnapshotError, match="header is damaged"):
        BookIndex.from_snapshot([marshal.dumps(header), *parts[1:]])
    with pytest.raises(SnapshotError):
        BookIndex.from_snapshot([parts[0], *(p[:-3] for p in parts[1:])])
    with pytest.raises(SnapshotError):
        BookIndex.from_snapshot([b"not marshal at all"])
    with pytest.raises(SnapshotError):
        BookIndex.from_snapshot([])


def _saved(path: Path) -> list[bytes] | None:
    store = BookStore(path)
    try:
        return store.load_snapshot()
    finally:
        store.close()


async def test_a_reopened_book_reads_its_snapshot_not_its_contacts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "book.sqlite3"
    book = await AddressBook.open(path)
    for account, users in _book_contacts().items():
        await book.replace_account(account, rows({account: users}))
    built = book.index
    await book.close()  # the snapshot is saved on the book's worker, before it closes
    assert _saved(path) is not None

    def no_rebuild(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the index was rebuilt although its snapshot is current")

    monkeypatch.setattr(BookStore, "contacts", no_rebuild)
    again = await AddressBook.open(path)
    try:
        _same_results(built, again.index)
        assert again.count("whatsapp") == 2
    finally:
        await again.close()


def _parts_of(field: str, header: bytes) -> set[int]:
    """The numbers of the parts that hold ``field``, as the snapshot's header lays them out."""
    layout = marshal.loads(header[:-4])[2]
    at = 1
    for name, kind, _, count in layout:
        size = 2 * count if kind == "d" else count
        if name == field:
            return set(range(at, at + size))
        at += size
    raise AssertionError(f"no field {field}")


async def test_a_one_shot_reader_reads_the_parts_it_needs_from_one_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "book.sqlite3"
    book = await AddressBook.open(path)
    for account, users in _book_contacts(many=9_000).items():
        await book.replace_account(account, rows({account: users}))
    built = book.index
    await book.close()
    store = BookStore(path)
    read: list[int] = []
    part, part_range = store.snapshot_part, store.snapshot_part_range

    def reading(start: int, stop: int) -> list[bytes]:
        read.extend(range(start, stop))
        return part_range(start, stop)

    monkeypatch.setattr(store, "snapshot_part", lambda number: read.append(number) or part(number))
    monkeypatch.setattr(store, "snapshot_part_range", reading)
    parts = store.snapshot_parts(store.fingerprint())
    assert parts is not None
    lazy = BookIndex.from_snapshot(parts, lazy=True)
    assert names(lazy, "bob") == names(built, "bob") == ["Bob Zoellner"]
    keys = _parts_of("_key_hashes", parts[0]) | _parts_of("_key_owner", parts[0])
    assert keys.isdisjoint(read)  # the key look-up is not a query's
    everyone = _parts_of("_json_blob", parts[0])
    assert len(everyone) >= 4  # the JSON of 9,000 people spans several parts
    assert len(everyone & set(read)) <= 2  # the JSON of Bob (and the last part, for its length)
    # Another process changes the book (its saved index goes): this reader keeps its view.
    other = BookStore(path)
    other.replace_account("telegram", rows({"telegram": [BOB]}))
    other.close()
    try:
        _same_results(built, lazy)
    finally:
        store.close()
    store = BookStore(path)
    try:
        assert store.snapshot_parts(store.fingerprint()) is None  # no current one now
    finally:
        store.close()


async def test_a_changed_book_is_not_read_from_an_old_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    book = await AddressBook.open(path)
    await book.replace_account("telegram", rows({"telegram": [ALICE, BOB]}))
    await book.close()
    old = _saved(path)
    assert old is not None

    # Another beeper-tui process (``beeper-tui search``) syncs the same file.
    store = BookStore(path)
    store.replace_account("telegram", rows({"telegram": [BOB]}))
    store.close()
    assert _saved(path) is None

    again = await AddressBook.open(path)
    try:
        assert again.search("alice").total == 0
        assert names(again.index, "bob") == ["Bob Zoellner"]
    finally:
        await again.close()
    # ... and a snapshot saved by a process that missed the change is not trusted.
    store = BookStore(path)
    store.save_snapshot(old, "[('telegram', 0.0, 2)]")
    assert store.load_snapshot() is None
    store.close()


async def test_an_unreadable_snapshot_is_rebuilt_and_replaced(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "book.sqlite3"
    book = await AddressBook.open(path)
    await book.replace_account("telegram", rows({"telegram": [ALICE, BOB]}))
    await book.close()
    store = BookStore(path)
    store.save_snapshot([b"\x00garbage"], store.fingerprint())
    store.close()

    with caplog.at_level(logging.INFO, logger="beeper_tui.service.book"):
        again = await AddressBook.open(path)
    try:
        assert names(again.index, "alice") == ["Alice Liddell"]
        assert "saved index is unusable" in caplog.text
    finally:
        await again.close()
    saved = _saved(path)
    assert saved is not None
    assert saved != [b"\x00garbage"]
    _same_results(BookIndex.from_snapshot(saved), index({"telegram": [ALICE, BOB]}))


async def test_a_book_from_before_snapshots_keeps_its_contacts_and_gains_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "book.sqlite3"
    book = await AddressBook.open(path)
    await book.replace_account("telegram", rows({"telegram": [ALICE, BOB]}))
    await book.close()
    with sqlite3.connect(path) as conn:  # the file as the app wrote it before snapshots
        conn.execute("DROP TABLE snapshot")
    conn.close()

    again = await AddressBook.open(path)
    try:
        assert again.count("telegram") == 2
        assert names(again.index, "alice") == ["Alice Liddell"]
    finally:
        await again.close()
    with sqlite3.connect(path) as check:
        # The same schema version: an app from before snapshots still reads the file.
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 1
    check.close()
    assert _saved(path) is not None


async def test_a_rebuilt_index_is_saved_once_the_book_is_still_or_closed(tmp_path: Path) -> None:
    path = tmp_path / "book.sqlite3"
    book = await AddressBook.open(path)
    await book.replace_account("telegram", rows({"telegram": [ALICE]}))
    await book.replace_account("whatsapp", rows({"whatsapp": [ALICE_WA, ZOE]}))
    # A sync rebuilds after every account: none of those is written yet ...
    assert _saved(path) is None
    await book.close()
    # ... the last one is, when the book closes (or after it stayed unchanged a while).
    saved = _saved(path)
    assert saved is not None
    _same_results(BookIndex.from_snapshot(saved), book.index)


async def test_a_damaged_saved_index_is_rebuilt_never_trusted(tmp_path: Path) -> None:
    """Bytes flipped in any part of the saved index: the book answers as if rebuilt."""
    path = tmp_path / "book.sqlite3"
    people = [{"id": f"@zoe{i}", "fullName": f"Zoe Number{i}"} for i in range(25)]
    people += [{"id": f"@al{i}", "fullName": f"Al Other{i}"} for i in range(25)]
    book = await AddressBook.open(path)
    await book.replace_account("telegram", rows({"telegram": people}))
    expected = [p.name for p in book.search("zoe").people]
    assert len(expected) == 25
    await book.close()  # saves the index
    saved = _saved(path)
    assert saved is not None
    chance = random.Random(25)
    for _ in range(40):
        damaged = [bytearray(p) for p in saved]
        part = chance.randrange(len(damaged))
        at = chance.randrange(len(damaged[part]))
        damaged[part][at] ^= 1 << chance.randrange(8)
        with sqlite3.connect(path) as conn:
            conn.executemany(
                "UPDATE snapshot SET data = ? WHERE part = ?",
                [(bytes(d), i) for i, d in enumerate(damaged)],
            )
        conn.close()
        again = await AddressBook.open(path)
        try:
            assert [p.name for p in again.search("zoe").people] == expected
            assert again.search("").total == 50
        finally:
            await again.close()


def test_a_byte_column_read_lazily_reads_only_the_parts_a_slice_spans() -> None:
    from array import array

    blob = array("B", bytes(random.Random(7).randrange(256) for _ in range(200_000)))
    parts = pack({"_json_blob": blob})
    decode = unpack_lazily(parts)["_json_blob"]
    lazy = decode()
    assert len(lazy) == len(blob)
    for start, stop in [(0, 10), (65_530, 65_540), (131_000, 200_000), (199_999, 200_000)]:
        assert lazy[start:stop] == blob[start:stop]  # across a part's end too
    assert unpack(parts)["_json_blob"] == blob  # a whole read gives the array back
    # A damaged part is reported by the slice that reads it, not by the others.
    damaged = [*parts]
    damaged[-1] = b"x" * len(damaged[-1])
    lazy = unpack_lazily(damaged)["_json_blob"]()
    assert lazy[0:100] == blob[0:100]
    with pytest.raises(SnapshotError):
        lazy[199_000:199_100]
