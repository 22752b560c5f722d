"""What ``GET /v1/app/setup`` says, in words: "running but not signed in" is not a bad token."""

from __future__ import annotations

from typing import Final

__all__ = ["describe_setup"]

_SAY: Final = {
    "needs-login": (
        "Beeper Desktop is running but not signed in: open it and sign in to your Beeper "
        "account, then retry."
    ),
    "initializing": "Beeper Desktop is still starting up: wait a moment, then retry.",
    "needs-cross-signing-setup": (
        "Beeper Desktop needs its encryption set up: finish the setup in Beeper Desktop, "
        "then retry."
    ),
    "needs-verification": (
        "Beeper Desktop needs this device verified: verify it in Beeper Desktop "
        "(from another device or with your recovery key), then retry."
    ),
    "needs-secrets": (
        "Beeper Desktop is waiting for your recovery key: enter it in Beeper Desktop, then retry."
    ),
    "needs-first-sync": (
        "Beeper Desktop is still syncing for the first time: contacts appear as it finishes."
    ),
}


def describe_setup(state: str | None) -> str | None:
    """What to tell the person about setup ``state``; None when Desktop is ready (or unknown)."""
    if state is None or state == "ready":
        return None
    return _SAY.get(state, f"Beeper Desktop is not ready yet ({state[:40]}): check it, then retry.")
