"""Wire models parsed from literal JSON written by hand from ``beeper-api.md``.

Every payload here is a string literal, not something our own serializer
produced, so a model that drifts from the wire contract fails these tests.
"""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from beeper_tui.api.models import (
    Account,
    AccountStatus,
    Bridge,
    ChatStartResult,
    ContactPage,
    ContactSearchResult,
    ErrorBody,
    FocusResult,
    Info,
    User,
    ValidationIssue,
)

FULL_USER = """
{
  "id": "@alice:beeper.com",
  "fullName": "Alice Liddell 🐇",
  "username": "@alice",
  "phoneNumber": "+14155552671",
  "email": "alice@example.com",
  "imgURL": "mxc://beeper.com/abc123",
  "isSelf": false,
  "cannotMessage": true
}
"""

FULL_ACCOUNT = """
{
  "accountID": "slackgo.T1-U2",
  "user": {"id": "@me:beeper.com", "fullName": "Me Myself", "isSelf": true},
  "status": "reconnect_required",
  "bridge": {"id": "slackgo", "provider": "cloud", "type": "slackgo"},
  "network": "Slack",
  "statusText": "Reconnect required",
  "loginID": "login-42",
  "capabilities": {"canSearch": true, "nested": {"x": [1, 2]}}
}
"""


def test_full_user_parses_every_field() -> None:
    user = User.model_validate(json.loads(FULL_USER))
    assert user.id == "@alice:beeper.com"
    assert user.full_name == "Alice Liddell 🐇"
    assert user.username == "@alice"
    assert user.phone_number == "+14155552671"
    assert user.email == "alice@example.com"
    assert user.img_url == "mxc://beeper.com/abc123"
    assert user.is_self is False
    assert user.cannot_message is True


def test_full_account_parses_every_field() -> None:
    account = Account.model_validate(json.loads(FULL_ACCOUNT))
    assert account.account_id == "slackgo.T1-U2"
    assert account.user.id == "@me:beeper.com"
    assert account.user.full_name == "Me Myself"
    assert account.user.is_self is True
    assert account.status is AccountStatus.RECONNECT_REQUIRED
    assert account.bridge == Bridge(id="slackgo", provider="cloud", type="slackgo")
    assert account.network == "Slack"
    assert account.status_text == "Reconnect required"
    assert account.login_id == "login-42"
    assert account.capabilities == {"canSearch": True, "nested": {"x": [1, 2]}}


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("connected", AccountStatus.CONNECTED),
        ("connecting", AccountStatus.CONNECTING),
        ("backfilling", AccountStatus.BACKFILLING),
        ("connection_required", AccountStatus.CONNECTION_REQUIRED),
        ("reconnect_required", AccountStatus.RECONNECT_REQUIRED),
        ("attention_required", AccountStatus.ATTENTION_REQUIRED),
        ("disconnected", AccountStatus.DISCONNECTED),
        ("disabled", AccountStatus.DISABLED),
    ],
)
def test_every_documented_status_parses(wire: str, expected: AccountStatus) -> None:
    raw = '{"accountID": "x", "user": {"id": "u"}, "status": "%s"}' % wire  # noqa: UP031
    assert Account.model_validate(json.loads(raw)).status is expected


def test_older_build_account_has_only_id_and_user() -> None:
    raw = '{"accountID": "local-whatsapp_ba_XYZ", "user": {"id": "@me:beeper.local"}}'
    account = Account.model_validate(json.loads(raw))
    assert account.account_id == "local-whatsapp_ba_XYZ"
    assert account.user.id == "@me:beeper.local"
    assert account.status is AccountStatus.UNKNOWN
    assert account.bridge is None
    assert account.network is None
    assert account.status_text is None
    assert account.login_id is None
    assert account.capabilities is None


@pytest.mark.parametrize("status_json", ['"hibernating"', '""', "null", "42", '{"a": 1}'])
def test_unknown_status_value_is_unknown(status_json: str) -> None:
    raw = '{"accountID": "x", "user": {"id": "u"}, "status": %s}' % status_json  # noqa: UP031
    assert Account.model_validate(json.loads(raw)).status is AccountStatus.UNKNOWN


def test_explicit_nulls_for_every_optional_user_key() -> None:
    raw = """
    {"id": "@bob:beeper.com", "fullName": null, "username": null, "phoneNumber": null,
     "email": null, "imgURL": null, "isSelf": null, "cannotMessage": null}
    """
    user = User.model_validate(json.loads(raw))
    assert user.id == "@bob:beeper.com"
    assert user.full_name is None
    assert user.username is None
    assert user.phone_number is None
    assert user.email is None
    assert user.img_url is None
    assert user.is_self is None
    assert user.cannot_message is None


def test_explicit_nulls_for_every_optional_account_key() -> None:
    raw = """
    {"accountID": "matrix", "user": {"id": "@me:beeper.com"}, "status": null,
     "bridge": null, "network": null, "statusText": null, "loginID": null,
     "capabilities": null}
    """
    account = Account.model_validate(json.loads(raw))
    assert account.status is AccountStatus.UNKNOWN
    assert account.bridge is None
    assert account.network is None
    assert account.status_text is None
    assert account.login_id is None
    assert account.capabilities is None


def test_bridge_with_null_members() -> None:
    raw = """
    {"accountID": "a", "user": {"id": "u"},
     "bridge": {"id": null, "provider": null, "type": null}}
    """
    account = Account.model_validate(json.loads(raw))
    assert account.bridge == Bridge()


def test_unknown_extra_keys_are_ignored() -> None:
    raw = """
    {"accountID": "telegram", "futureField": {"deep": [1]},
     "user": {"id": "u1", "fullName": "Zoë", "pronouns": "she/her", "presence": null},
     "bridge": {"id": "telegram", "provider": "cloud", "type": "telegram", "version": "2"},
     "status": "connected"}
    """
    account = Account.model_validate(json.loads(raw))
    assert account.account_id == "telegram"
    assert account.user.full_name == "Zoë"
    assert account.bridge is not None
    assert account.bridge.type == "telegram"
    assert "futureField" not in account.model_dump(by_alias=True)
    assert "pronouns" not in account.user.model_dump(by_alias=True)


def test_contact_page_with_cursors() -> None:
    raw = """
    {"items": [{"id": "u1", "fullName": "One"}, {"id": "u2", "phoneNumber": "+4915112345678"}],
     "hasMore": true, "oldestCursor": "b2xkZXN0", "newestCursor": "bmV3ZXN0"}
    """
    page = ContactPage.model_validate(json.loads(raw))
    assert [u.id for u in page.items] == ["u1", "u2"]
    assert page.items[1].phone_number == "+4915112345678"
    assert page.has_more is True
    assert page.oldest_cursor == "b2xkZXN0"
    assert page.newest_cursor == "bmV3ZXN0"


def test_contact_page_with_null_cursors() -> None:
    raw = '{"items": [], "hasMore": false, "oldestCursor": null, "newestCursor": null}'
    page = ContactPage.model_validate(json.loads(raw))
    assert page.items == []
    assert page.has_more is False
    assert page.oldest_cursor is None
    assert page.newest_cursor is None


def test_contact_page_with_cursor_keys_absent() -> None:
    page = ContactPage.model_validate(json.loads('{"items": [{"id": "u9"}]}'))
    assert [u.id for u in page.items] == ["u9"]
    assert page.has_more is None
    assert page.oldest_cursor is None
    assert page.newest_cursor is None


def test_search_result() -> None:
    result = ContactSearchResult.model_validate(
        json.loads('{"items": [{"id": "a"}, {"id": "b", "username": "@b"}]}')
    )
    assert [u.id for u in result.items] == ["a", "b"]
    assert result.items[1].username == "@b"


def test_error_body_with_validation_issues() -> None:
    raw = """
    {"code": "VALIDATION_ERROR", "message": "Invalid request",
     "details": {"issues": [
        {"code": "invalid_type", "message": "Required", "path": ["query"]},
        {"code": "too_small", "message": "Too small", "path": ["user", 0, "id"]},
        "not-an-issue"
     ]}}
    """
    body = ErrorBody.model_validate(json.loads(raw))
    assert body.code == "VALIDATION_ERROR"
    assert body.message == "Invalid request"
    assert body.issues == [
        ValidationIssue(code="invalid_type", message="Required", path=["query"]),
        ValidationIssue(code="too_small", message="Too small", path=["user", 0, "id"]),
    ]


def test_error_body_without_details() -> None:
    body = ErrorBody.model_validate(
        json.loads('{"code": "NOT_FOUND", "message": "Account not found"}')
    )
    assert body.code == "NOT_FOUND"
    assert body.message == "Account not found"
    assert body.details is None
    assert body.issues == []


def test_error_body_with_details_but_no_issue_list() -> None:
    body = ErrorBody.model_validate(
        json.loads('{"code": "X", "message": "m", "details": {"issues": "nope", "network": "X"}}')
    )
    assert body.details == {"issues": "nope", "network": "X"}
    assert body.issues == []


INFO = """
{
  "app": {"bundle_id": "com.automattic.beeper.desktop", "name": "Beeper", "version": "4.2.800"},
  "platform": {"os": "darwin", "arch": "arm64", "release": "24.1.0"},
  "server": {"base_url": "http://localhost:23373", "hostname": "localhost", "port": 23373,
             "status": "running", "mcp_enabled": true, "remote_access": false},
  "endpoints": {"spec": "http://localhost:23373/v1/spec", "mcp": "http://localhost:23373/v0/mcp",
                "ws_events": "ws://localhost:23373/v1/ws",
                "oauth": {"token_endpoint": "http://localhost:23373/oauth/token"}}
}
"""


def test_info_snake_case() -> None:
    info = Info.model_validate(json.loads(INFO))
    assert info.app.bundle_id == "com.automattic.beeper.desktop"
    assert info.app.name == "Beeper"
    assert info.app.version == "4.2.800"
    assert info.platform.os == "darwin"
    assert info.platform.arch == "arm64"
    assert info.platform.release == "24.1.0"
    assert info.server.base_url == "http://localhost:23373"
    assert info.server.hostname == "localhost"
    assert info.server.port == 23373
    assert info.server.status == "running"
    assert info.server.mcp_enabled is True
    assert info.server.remote_access is False
    assert info.endpoints.spec == "http://localhost:23373/v1/spec"
    assert info.endpoints.mcp == "http://localhost:23373/v0/mcp"
    assert info.endpoints.ws_events == "ws://localhost:23373/v1/ws"
    assert info.endpoints.oauth == {"token_endpoint": "http://localhost:23373/oauth/token"}


def test_info_without_optional_release() -> None:
    raw = '{"app": {"name": "Beeper"}, "platform": {"os": "linux", "arch": "x64"}}'
    info = Info.model_validate(json.loads(raw))
    assert info.platform.release is None
    assert info.app.version is None
    assert info.server.port is None


def test_chat_start_result_current_build() -> None:
    result = ChatStartResult.model_validate(
        json.loads('{"id": "!abc:beeper.com", "title": "Alice", "type": "single"}')
    )
    assert result.id == "!abc:beeper.com"
    assert result.resolved_chat_id == "!abc:beeper.com"
    assert result.title == "Alice"


def test_chat_start_result_older_build() -> None:
    result = ChatStartResult.model_validate(
        json.loads('{"chatID": "!old:beeper.com", "status": "existing"}')
    )
    assert result.id is None
    assert result.chat_id == "!old:beeper.com"
    assert result.status == "existing"
    assert result.resolved_chat_id == "!old:beeper.com"


def test_chat_start_result_prefers_id() -> None:
    result = ChatStartResult.model_validate(
        json.loads('{"id": "!new:x", "chatID": "!old:x", "status": "created"}')
    )
    assert result.resolved_chat_id == "!new:x"


def test_focus_result() -> None:
    assert FocusResult.model_validate(json.loads('{"success": true}')).success is True
    assert FocusResult.model_validate(json.loads('{"success": false}')).success is False


def test_user_without_id_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        User.model_validate(json.loads('{"fullName": "No Id"}'))


def test_user_with_null_id_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        User.model_validate(json.loads('{"id": null}'))


def test_account_without_user_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        Account.model_validate(json.loads('{"accountID": "matrix"}'))


def test_account_whose_user_lacks_id_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        Account.model_validate(json.loads('{"accountID": "matrix", "user": {"fullName": "x"}}'))


def test_numeric_username_is_kept_as_text() -> None:
    user = User.model_validate(json.loads('{"id": "u", "username": 12345}'))
    assert user.username == "12345"


def test_user_dumps_with_wire_aliases() -> None:
    user = User.model_validate(json.loads(FULL_USER))
    dumped = user.model_dump(by_alias=True)
    assert dumped == json.loads(FULL_USER)


def test_account_dumps_with_wire_aliases() -> None:
    account = Account.model_validate(json.loads(FULL_ACCOUNT))
    dumped = account.model_dump(by_alias=True, mode="json")
    assert set(dumped) == {
        "accountID",
        "user",
        "status",
        "bridge",
        "network",
        "statusText",
        "loginID",
        "capabilities",
    }
    assert dumped["accountID"] == "slackgo.T1-U2"
    assert dumped["statusText"] == "Reconnect required"
    assert dumped["loginID"] == "login-42"
    assert dumped["status"] == "reconnect_required"
    assert dumped["user"]["fullName"] == "Me Myself"
    assert dumped["user"]["isSelf"] is True
    # Round trip: what we dump parses back to an equal model.
    assert Account.model_validate(dumped) == account


def test_contact_page_dumps_with_wire_aliases() -> None:
    raw = '{"items": [{"id": "u1", "imgURL": "data:,x"}], "hasMore": true, "oldestCursor": "c"}'
    dumped = ContactPage.model_validate(json.loads(raw)).model_dump(by_alias=True)
    assert dumped["hasMore"] is True
    assert dumped["oldestCursor"] == "c"
    assert dumped["newestCursor"] is None
    assert dumped["items"][0]["imgURL"] == "data:,x"


def test_models_are_populated_by_python_name_too() -> None:
    user = User(id="u", full_name="Name", phone_number="+1")
    assert user.model_dump(by_alias=True)["fullName"] == "Name"
    assert user.model_dump(by_alias=True)["phoneNumber"] == "+1"


def test_models_are_immutable() -> None:
    user = User.model_validate(json.loads('{"id": "u"}'))
    with pytest.raises(ValidationError):
        user.id = "other"  # type: ignore[misc]
