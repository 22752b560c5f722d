"""The official SDK against the demo over loopback HTTP: what today's Desktop builds added.

The build header on every authenticated answer, the bridge capabilities route,
the "Allow sensitive actions" 403 and iMessage participants as real installs
send them, each on the generations that have them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from beeper_desktop_api import (
    AuthenticationError,
    BeeperDesktop,
    NotFoundError,
    PermissionDeniedError,
)
from beeper_desktop_api.types import ProvisioningCapabilities

from beeper_tui.demo import DEMO_TOKEN, Dataset, create_demo_app, serve_in_thread
from beeper_tui.demo.chats import IMESSAGE_PARTICIPANT_PREFIX
from beeper_tui.demo.generations import LATEST_VERSION, REPRESENTATIVE_VERSIONS, Generation


@pytest.mark.parametrize("version", REPRESENTATIVE_VERSIONS)
def test_every_authenticated_answer_names_the_build(
    version: str, demo_dataset: Dataset, tmp_path: Path
) -> None:
    app = create_demo_app(demo_dataset, desktop_version=version, asset_dir=tmp_path)
    with (
        serve_in_thread(app) as base_url,
        BeeperDesktop(access_token=DEMO_TOKEN, base_url=base_url, max_retries=0) as sdk,
    ):
        answer = sdk.accounts.with_raw_response.list()
        assert answer.headers.get("X-Beeper-Desktop-Version") == version
        refused = sdk.with_options(access_token="wrong").accounts.with_raw_response
        with pytest.raises(AuthenticationError) as caught:
            refused.list()
        assert "x-beeper-desktop-version" not in caught.value.response.headers


@pytest.mark.parametrize("version", REPRESENTATIVE_VERSIONS)
def test_bridge_capabilities_where_the_build_has_them(
    version: str, demo_dataset: Dataset, tmp_path: Path
) -> None:
    app = create_demo_app(demo_dataset, desktop_version=version, asset_dir=tmp_path)
    with (
        serve_in_thread(app) as base_url,
        BeeperDesktop(access_token=DEMO_TOKEN, base_url=base_url, max_retries=0) as sdk,
    ):
        if not Generation.of(version).has_bridge_capabilities:
            with pytest.raises(NotFoundError):
                sdk.bridges.retrieve_capabilities("discordgo")
            return
        discord = sdk.bridges.retrieve_capabilities("discordgo")
        ProvisioningCapabilities.model_validate(discord.model_dump())
        assert discord.resolve_identifier.lookup_username is True
        assert discord.resolve_identifier.lookup_phone is False
        instagram = sdk.bridges.retrieve_capabilities("instagramgo")
        assert instagram.resolve_identifier.lookup_phone is False  # it rejects phone lookups
        whatsapp = sdk.bridges.retrieve_capabilities("local-whatsapp")
        assert whatsapp.resolve_identifier.lookup_phone is True
        with pytest.raises(NotFoundError):
            sdk.bridges.retrieve_capabilities("no-such-bridge")


def test_sensitive_actions_off_refuses_starting_and_sending_not_browsing(
    demo_dataset: Dataset, tmp_path: Path
) -> None:
    app = create_demo_app(
        demo_dataset, desktop_version=LATEST_VERSION, asset_dir=tmp_path, sensitive_actions=False
    )
    signal = next(a for a in demo_dataset.accounts if a.spec.key == "signal")
    contact = signal.contacts[0]
    with (
        serve_in_thread(app) as base_url,
        BeeperDesktop(access_token=DEMO_TOKEN, base_url=base_url, max_retries=0) as sdk,
    ):
        assert sdk.accounts.list()
        assert sdk.accounts.contacts.list(signal.account_id, limit=5).items
        with pytest.raises(PermissionDeniedError, match="Allow sensitive actions"):
            sdk.chats.start(account_id=signal.account_id, user={"id": str(contact["id"])})
        chat = sdk.chats.search(account_ids=[signal.account_id], limit=1).items[0]
        with pytest.raises(PermissionDeniedError, match="Allow sensitive actions"):
            sdk.messages.send(chat.id, text="hello")


def test_sensitive_actions_are_not_gated_on_older_builds(
    demo_dataset: Dataset, tmp_path: Path
) -> None:
    app = create_demo_app(
        demo_dataset, desktop_version="4.2.808", asset_dir=tmp_path, sensitive_actions=False
    )
    signal = next(a for a in demo_dataset.accounts if a.spec.key == "signal")
    with (
        serve_in_thread(app) as base_url,
        BeeperDesktop(access_token=DEMO_TOKEN, base_url=base_url, max_retries=0) as sdk,
    ):
        started = sdk.chats.start(
            account_id=signal.account_id, user={"id": str(signal.contacts[0]["id"])}
        )
        assert started.chat_id


def test_imessage_participants_come_as_real_installs_send_them(
    demo_dataset: Dataset, tmp_path: Path
) -> None:
    imessage = next(a for a in demo_dataset.accounts if a.spec.key == "imessagecloud")
    app = create_demo_app(demo_dataset, desktop_version=LATEST_VERSION, asset_dir=tmp_path)
    with (
        serve_in_thread(app) as base_url,
        BeeperDesktop(access_token=DEMO_TOKEN, base_url=base_url, max_retries=0) as sdk,
    ):
        chats = list(sdk.chats.search(account_ids=[imessage.account_id], limit=200))
    participants = [p for c in chats for p in c.participants.items]
    hashed = [p for p in participants if p.id.startswith(IMESSAGE_PARTICIPANT_PREFIX)]
    assert hashed
    assert all(p.full_name and p.full_name.startswith("+") for p in hashed)
    assert all(p.phone_number is None for p in hashed)
    selves = {p.id for p in participants if p.is_self}
    assert selves == {imessage.owner["id"]}
