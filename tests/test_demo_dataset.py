"""The demo dataset: shape, determinism and the awkward cases it must contain."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import defaultdict

from beeper_tui.demo import DEFAULT_SEED, Dataset, build_dataset

STATUSES = {
    "connected",
    "connecting",
    "backfilling",
    "connection_required",
    "reconnect_required",
    "attention_required",
    "disconnected",
    "disabled",
}
USER_KEYS = {
    "id",
    "fullName",
    "username",
    "phoneNumber",
    "email",
    "imgURL",
    "isSelf",
    "cannotMessage",
    "isVerified",
}


def _dump(dataset: Dataset) -> str:
    return json.dumps(
        [{"account": a.wire, "contacts": a.contacts} for a in dataset.accounts],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def test_build_is_lazy() -> None:
    dataset = build_dataset(big_account_size=50)
    assert all("contacts" not in vars(account) for account in dataset.accounts)
    assert len(dataset.accounts[0].contacts) > 0
    assert "contacts" in vars(dataset.accounts[0])


def test_same_seed_gives_identical_json() -> None:
    first = build_dataset(DEFAULT_SEED, big_account_size=300)
    # Touch accounts in a different order: laziness must not change the output.
    for account in reversed(first.accounts):
        _ = account.contacts
    second = build_dataset(DEFAULT_SEED, big_account_size=300)
    assert _dump(first) == _dump(second)


def test_different_seed_differs() -> None:
    one = build_dataset(1, big_account_size=300)
    two = build_dataset(2, big_account_size=300)
    assert _dump(one) != _dump(two)


def test_identical_across_processes_and_hash_seeds() -> None:
    script = (
        "import hashlib, json; from beeper_tui.demo import build_dataset;"
        "d = build_dataset(7, big_account_size=300);"
        "print(hashlib.sha256(json.dumps([[a.wire, a.contacts] for a in d.accounts],"
        " ensure_ascii=False).encode()).hexdigest())"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout.strip())
    local = build_dataset(7, big_account_size=300)
    payload = json.dumps([[a.wire, a.contacts] for a in local.accounts], ensure_ascii=False)
    digests.add(hashlib.sha256(payload.encode()).hexdigest())
    assert len(digests) == 1


def test_accounts_cover_every_status_and_many_networks(demo_dataset: Dataset) -> None:
    accounts = [a.wire for a in demo_dataset.accounts]
    assert 10 <= len(accounts) <= 12
    assert {a.get("status") for a in accounts} >= STATUSES
    assert len({a["bridge"]["type"] for a in accounts if "bridge" in a}) >= 8
    assert len({a["accountID"] for a in accounts}) == len(accounts)
    for account in accounts:
        if "status" in account:
            assert account["statusText"]
            assert account["bridge"]["provider"] in {
                "cloud",
                "self-hosted",
                "local",
                "platform-sdk",
            }


def test_exactly_one_account_has_the_older_shape(demo_dataset: Dataset) -> None:
    legacy = [a.wire for a in demo_dataset.accounts if "status" not in a.wire]
    assert len(legacy) == 1
    assert set(legacy[0]) == {"accountID", "user"}


def test_big_account_size(demo_dataset: Dataset) -> None:
    sizes = {a.spec.key: len(a.contacts) for a in demo_dataset.accounts}
    assert sizes["slackgo"] == 20_000
    assert all(20 <= size <= 5_000 for key, size in sizes.items() if key != "slackgo")
    small = build_dataset(big_account_size=123)
    assert len(small.accounts[3].contacts) == 123


def test_contacts_are_wire_users(demo_dataset: Dataset) -> None:
    for account in demo_dataset.accounts:
        contacts = account.contacts
        ids = [c["id"] for c in contacts]
        assert len(ids) == len(set(ids)), account.account_id
        selves = [c for c in contacts if c.get("isSelf")]
        assert len(selves) == 1
        assert selves[0] == account.wire["user"]
        for contact in contacts:
            assert set(contact) <= USER_KEYS
            assert isinstance(contact["id"], str)
            assert contact["id"]
            phone = contact.get("phoneNumber")
            if phone is not None:
                assert phone.startswith("+")
                assert phone[1:].isdigit()


def test_awkward_contacts_are_present(demo_dataset: Dataset) -> None:
    everyone = [c for a in demo_dataset.accounts for c in a.contacts]
    names = {c.get("fullName") for c in everyone}
    assert "[red]x[/red]\x1b]52;c;AAAA\x07" in names
    assert "[bold]Bold[/]" in names
    assert "\x1b[31mred\x1b[0m" in names
    assert "" in names
    assert any(isinstance(n, str) and len(n) == 10_000 for n in names)
    assert any(isinstance(n, str) and "\u202e" in n and "\u200b" in n for n in names)
    assert any(c.get("cannotMessage") is True for c in everyone)
    assert any("fullName" in c and c["fullName"] is None for c in everyone)
    assert any(c.get("imgURL", "") and c["imgURL"].startswith("mxc://") for c in everyone)
    assert any(isinstance(n, str) and any("\u4e00" <= ch <= "\u9fff" for ch in n) for n in names)
    assert any(isinstance(n, str) and any("\u0590" <= ch <= "\u06ff" for ch in n) for n in names)
    imessage = next(a for a in demo_dataset.accounts if a.spec.key == "imessagecloud")
    nameless = [c for c in imessage.contacts if not c.get("fullName")]
    assert len(nameless) > len(imessage.contacts) / 2
    assert all(c.get("phoneNumber") or c.get("email") for c in nameless)


def test_people_appear_on_several_networks(demo_dataset: Dataset) -> None:
    accounts_by_phone: defaultdict[str, set[str]] = defaultdict(set)
    names_by_phone: defaultdict[str, set[str]] = defaultdict(set)
    for account in demo_dataset.accounts:
        for contact in account.contacts:
            if contact.get("phoneNumber") and not contact.get("isSelf"):
                accounts_by_phone[contact["phoneNumber"]].add(account.account_id)
                if contact.get("fullName"):
                    names_by_phone[contact["phoneNumber"]].add(contact["fullName"])
    shared = [phone for phone, ids in accounts_by_phone.items() if len(ids) >= 2]
    assert len(shared) > 200
    assert any(len(accounts_by_phone[p]) >= 3 for p in shared)
    assert any(len(names_by_phone[p]) >= 2 for p in shared)
    whatsapp = demo_dataset.accounts[0]
    on_whatsapp = [c for c in whatsapp.contacts if c.get("phoneNumber") in set(shared)]
    assert 0.2 <= len(on_whatsapp) / len(whatsapp.contacts) <= 0.4


def test_contact_order_is_stable_and_named_first(demo_dataset: Dataset) -> None:
    telegram = demo_dataset.account("telegram")
    assert telegram is not None
    names = [c.get("fullName") for c in telegram.contacts]
    named = [n for n in names if n]
    assert names[: len(named)] == named
    assert named[0].casefold() <= named[-1].casefold()
