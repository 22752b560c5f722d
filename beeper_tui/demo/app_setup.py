"""``GET /v1/app/setup``: whether Beeper Desktop is signed in and ready.

The state is a knob (``DemoState.setup_state``) so a test can play a Desktop
that is running but not signed in, still syncing, or waiting on verification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol, get_args

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from beeper_tui.demo.dataset import Dataset

SetupState = Literal[
    "needs-login",
    "initializing",
    "needs-cross-signing-setup",
    "needs-verification",
    "needs-secrets",
    "needs-first-sync",
    "ready",
]
SETUP_STATES: tuple[str, ...] = get_args(SetupState)

# How far encrypted-messaging setup has come by each state, in order.
_PROGRESS = {state: i for i, state in enumerate(SETUP_STATES)}


def setup_body(state: str, owner_id: str) -> dict[str, object]:
    """The setup snapshot for ``state`` (the shape of the SDK's ``SetupRetrieveResponse``)."""
    if state not in _PROGRESS:
        raise ValueError(f"unknown setup state {state!r}; expected one of {SETUP_STATES}")
    step = _PROGRESS[state]

    def past(name: str) -> bool:
        return step > _PROGRESS[name]

    secrets = past("needs-secrets")
    body: dict[str, object] = {
        "state": state,
        "e2ee": {
            "initialized": past("initializing"),
            "crossSigning": past("needs-cross-signing-setup"),
            "verified": past("needs-verification"),
            "secretStorage": secrets,
            "keyBackup": secrets,
            "hasBackedUpRecoveryKey": secrets,
            "firstSyncDone": state == "ready",
            "secrets": {
                "masterKey": secrets,
                "selfSigningKey": secrets,
                "userSigningKey": secrets,
                "megolmBackupKey": secrets,
                "recoveryKey": secrets,
            },
        },
    }
    if state != "needs-login":
        body["matrix"] = {
            "userID": owner_id,
            "deviceID": "DEMODEVICE",
            "homeserver": "https://matrix.beeper.com",
        }
    return body


class SetupKnob(Protocol):
    """What the setup endpoint reads on each request (``DemoState`` is one)."""

    @property
    def dataset(self) -> Dataset:
        """The demo's accounts; the Matrix account's owner is the signed-in user."""

    @property
    def setup_state(self) -> str:
        """One of :data:`SETUP_STATES`, changeable while the server runs."""


class SetupRoutes:
    """The setup endpoint over one demo state."""

    def __init__(self, state: SetupKnob) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        return [Route("/v1/app/setup", self.setup, methods=["GET"])]

    async def setup(self, request: Request) -> Response:
        matrix = self.state.dataset.account("matrix")
        owner = str(matrix.owner["id"]) if matrix is not None else "@demo:beeper.com"
        return JSONResponse(setup_body(self.state.setup_state, owner))
