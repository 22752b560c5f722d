"""The official Beeper Desktop SDK, pointed at the demo server, must just work.

The SDK is generated from Beeper's OpenAPI spec, so this is the closest thing
to testing the demo against the real API contract.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from beeper_desktop_api import AuthenticationError, BeeperDesktop, NotFoundError
from beeper_desktop_api.types import (
    Account,
    ChatStartResponse,
    FocusResponse,
    InfoRetrieveResponse,
    User,
)
from beeper_desktop_api.types.shared import Error

from beeper_tui.demo import DEMO_TOKEN, Dataset, DemoState


@pytest.fixture
def sdk(demo_server: str) -> Iterator[BeeperDesktop]:
    with BeeperDesktop(access_token=DEMO_TOKEN, base_url=demo_server, max_retries=0) as client:
        yield client


def test_info(sdk: BeeperDesktop, demo_server: str) -> None:
    info = sdk.info.retrieve()
    assert info.server.base_url == demo_server
    InfoRetrieveResponse.model_validate(info.model_dump(by_alias=True))


def test_accounts_list_and_retrieve(sdk: BeeperDesktop, demo_dataset: Dataset) -> None:
    accounts = sdk.accounts.list()
    assert [a.account_id for a in accounts] == [a.account_id for a in demo_dataset.accounts]
    for demo_account in demo_dataset.accounts:
        if "status" in demo_account.wire:
            # Strict parse: every field the SDK requires is present and well typed.
            Account.model_validate(demo_account.wire)
    telegram = sdk.accounts.retrieve("telegram")
    assert telegram.status == "backfilling"
    assert telegram.bridge.provider == "cloud"
    assert telegram.user.is_self is True
    slack_id = demo_dataset.accounts[3].account_id
    assert sdk.accounts.retrieve(slack_id).account_id == slack_id


def test_auto_paginates_a_whole_contact_list(sdk: BeeperDesktop, demo_dataset: Dataset) -> None:
    account = demo_dataset.accounts[0]
    ids = [user.id for user in sdk.accounts.contacts.list(account.account_id, limit=97)]
    assert ids == [c["id"] for c in account.contacts]
    for contact in account.contacts:
        User.model_validate(contact)


def test_search(sdk: BeeperDesktop) -> None:
    result = sdk.accounts.contacts.search("telegram", query="zoe")
    assert "Zoë Lindqvist" in [u.full_name for u in result.items]


def test_start_chat_and_focus(sdk: BeeperDesktop, demo_state: DemoState) -> None:
    chat = sdk.chats.start(account_id="telegram", user={"phone_number": "+46705550123"})
    assert chat.title == "Zoë Lindqvist"
    assert chat.chat_id == chat.id
    assert chat.status == "created"
    ChatStartResponse.model_validate(chat.model_dump(by_alias=True))
    focus = sdk.focus(chat_id=chat.id, draft_text="Hej Zoë")
    assert focus == FocusResponse(success=True)
    assert demo_state.focus_requests == [{"chatID": chat.id, "draftText": "Hej Zoë"}]
    sent = demo_state.requests_to("^/v1/chats/start$")[0].json
    assert sent == {"accountID": "telegram", "user": {"phoneNumber": "+46705550123"}}


def test_wrong_token_raises_authentication_error(demo_server: str) -> None:
    client = BeeperDesktop(access_token="wrong", base_url=demo_server, max_retries=0)
    with client, pytest.raises(AuthenticationError) as excinfo:
        client.accounts.list()
    error = Error.model_validate(excinfo.value.body)
    assert error.code == "UNAUTHORIZED"


def test_unknown_account_raises_not_found(sdk: BeeperDesktop) -> None:
    with pytest.raises(NotFoundError) as excinfo:
        sdk.accounts.retrieve("no-such-account")
    assert Error.model_validate(excinfo.value.body).message == "Account not found"
