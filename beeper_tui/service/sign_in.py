"""Signing in with Beeper Desktop: OAuth 2.0 with PKCE and a one-shot loopback redirect.

The way the official CLI does it (RFC 8252, native apps): register a public
client, send the person to the authorization page with a PKCE S256
challenge and a random ``state``, wait on 127.0.0.1 for the one redirect
that carries the code, check the state, and exchange the code. Plain async
Python: the command line prints or opens the URL, the TUI shows it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import os
import secrets
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit

from beeper_tui.api.errors import API_SETTINGS, BeeperError
from beeper_tui.api.oauth import Introspection, OAuthApi, OAuthEndpointError
from beeper_tui.service.text_hygiene import clean_text

__all__ = [
    "CALLBACK_PATH",
    "CLIENT_NAME",
    "SCOPE",
    "LoopbackRedirect",
    "SignInError",
    "SignedIn",
    "can_open_browser",
    "introspect",
    "pkce_pair",
    "revoke",
    "sign_in",
]

log = logging.getLogger("beeper_tui.service")

CLIENT_NAME: Final = "beeper-tui"
SCOPE: Final = "read write"
CALLBACK_PATH: Final = "/callback"
SIGN_IN_TIMEOUT: Final = 600.0
"""How long the approval page may stay open before signing in gives up (seconds)."""
_MAX_REQUEST: Final = 16 * 1024

_DONE_PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<title>beeper-tui</title></head><body><main><h1>{title}</h1><p>{text}</p>"
    "</main></body></html>"
)


class SignInError(BeeperError):
    """Signing in did not give a token; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A fresh access token. ``repr`` never shows it."""

    token: str
    scope: str | None
    expires_in: float | None

    def __repr__(self) -> str:
        return f"SignedIn(token=***, scope={self.scope!r}, expires_in={self.expires_in!r})"


def pkce_pair() -> tuple[str, str]:
    """A PKCE verifier (86 unreserved characters) and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def can_open_browser(environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether a browser can be opened here (Linux and BSDs need a display)."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if platform.startswith(("win", "darwin")):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


class LoopbackRedirect:
    """A one-shot HTTP listener on 127.0.0.1 that waits for the authorization redirect."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._answer: asyncio.Future[dict[str, str]] | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0
        self.state: str | None = None
        """The ``state`` this sign-in sent: an answer without it gets an error page."""

    @property
    def redirect_uri(self) -> str:
        """Where the authorization server sends the browser back."""
        return f"http://127.0.0.1:{self.port}{CALLBACK_PATH}"

    async def open(self) -> str:
        """Listen on a free port; returns the redirect URI."""
        self._answer = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.redirect_uri

    async def wait(self, timeout: float = SIGN_IN_TIMEOUT) -> dict[str, str]:  # noqa: ASYNC109
        """The query parameters of the first redirect that reached the callback path."""
        assert self._answer is not None, "open() first"
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(self._answer)
        except TimeoutError:
            raise SignInError(
                "Signing in timed out: the approval page was not answered in time"
            ) from None

    async def close(self) -> None:
        """Stop listening, and close quietly whatever connections are still open."""
        if self._server is not None:
            self._server.close()
            connections = list(self._connections)
            for task in connections:
                task.cancel()
            await asyncio.gather(*connections, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            await self._answer_one(reader, writer)
        except asyncio.CancelledError:
            pass  # sign-in is over; an idle connection is simply closed
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()

    async def _answer_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(10):
                head = await reader.readuntil(b"\r\n\r\n")
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            writer.close()
            return
        request_line = head[:_MAX_REQUEST].split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split(" ")
        target = parts[1] if len(parts) == 3 and parts[0] == "GET" else ""
        url = urlsplit(target)
        answer = self._answer
        if url.path != CALLBACK_PATH or answer is None or answer.done():
            await _respond(writer, 404, "Not here", "This address only takes one sign-in.")
            return
        params = dict(parse_qsl(url.query))
        state = params.get("state", "")
        if self.state is not None and not secrets.compare_digest(state, self.state):
            await _respond(
                writer,
                400,
                "Not signed in",
                "This answer does not belong to this sign-in; nothing was saved.",
            )
        elif "error" in params:
            await _respond(writer, 200, "Not signed in", "You can close this tab.")
        else:
            await _respond(
                writer, 200, "Signed in", "beeper-tui is signed in. You can close this tab."
            )
        answer.set_result(params)


_MAX_SHOWN: Final = 300


def _shown(text: str) -> str:
    """Server-provided text made safe to print: no escape sequences or controls, one line."""
    cleaned = clean_text(text, newlines=False) or ""
    return cleaned if len(cleaned) <= _MAX_SHOWN else cleaned[: _MAX_SHOWN - 1] + "…"


async def _respond(writer: asyncio.StreamWriter, status: int, title: str, text: str) -> None:
    body = _DONE_PAGE.format(title=title, text=text).encode()
    reason = {200: "OK", 400: "Bad Request"}.get(status, "Not Found")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n"
    )
    with contextlib.suppress(OSError):
        writer.write(head.encode() + body)
        await writer.drain()
        writer.close()
        await writer.wait_closed()


async def sign_in(
    base_url: str,
    show_url: Callable[[str], None],
    *,
    timeout: float = SIGN_IN_TIMEOUT,  # noqa: ASYNC109
    api: OAuthApi | None = None,
) -> SignedIn:
    """Run the whole sign-in against the Beeper Desktop at ``base_url``.

    ``show_url`` gets the authorization URL to open in a browser (print it,
    open it, or both). Raises :class:`SignInError` (denied, wrong state,
    timed out) or the data layer's errors (cannot connect, protocol).
    """
    own = api is None
    oauth = api or OAuthApi(base_url)
    listener = LoopbackRedirect()
    try:
        try:
            meta = await oauth.metadata()
        except BeeperError as exc:
            raise SignInError(
                f"This Beeper Desktop offers no sign-in ({exc.message}); update it, or make a "
                f"token in {API_SETTINGS} → Approved connections"
            ) from None
        if meta.registration_endpoint is None:
            raise SignInError("Beeper Desktop does not let apps register to sign in")
        redirect_uri = await listener.open()
        client_id = await oauth.register(
            meta.registration_endpoint, [redirect_uri], client_name=CLIENT_NAME, scope=SCOPE
        )
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(24)
        listener.state = state
        query = urlencode(
            {
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "scope": SCOPE,
            }
        )
        separator = "&" if "?" in meta.authorization_endpoint else "?"
        show_url(f"{meta.authorization_endpoint}{separator}{query}")
        params = await listener.wait(timeout)
        if not secrets.compare_digest(params.get("state", ""), state):
            raise SignInError(
                "Signing in stopped: the answer did not belong to this sign-in (state mismatch)"
            )
        if "error" in params:
            if params["error"] == "access_denied":
                raise SignInError("Signing in was denied in Beeper Desktop")
            said = _shown(params.get("error_description") or params["error"])
            raise SignInError(f"Beeper Desktop did not sign in: {said}")
        code = params.get("code")
        if not code:
            raise SignInError("Beeper Desktop sent no authorization code")
        try:
            grant = await oauth.exchange_code(
                meta.token_endpoint,
                code=code,
                verifier=verifier,
                redirect_uri=redirect_uri,
                client_id=client_id,
            )
        except OAuthEndpointError as exc:
            said = _shown(exc.message)
            raise SignInError(f"Beeper Desktop did not issue a token: {said}") from None
        log.info("signed in (scope %s)", grant.scope)
        return SignedIn(grant.access_token, grant.scope, grant.expires_in)
    finally:
        await listener.close()
        if own:
            await oauth.aclose()


async def introspect(base_url: str, token: str, *, api: OAuthApi | None = None) -> Introspection:
    """Ask Beeper Desktop whether ``token`` is still active."""
    oauth = api or OAuthApi(base_url)
    try:
        meta = await oauth.metadata()
        if meta.introspection_endpoint is None:
            raise SignInError("Beeper Desktop offers no token introspection")
        return await oauth.introspect(meta.introspection_endpoint, token)
    finally:
        if api is None:
            await oauth.aclose()


async def revoke(base_url: str, token: str, *, api: OAuthApi | None = None) -> None:
    """Revoke ``token`` at Beeper Desktop."""
    oauth = api or OAuthApi(base_url)
    try:
        meta = await oauth.metadata()
        if meta.revocation_endpoint is None:
            raise SignInError("Beeper Desktop offers no token revocation")
        await oauth.revoke(meta.revocation_endpoint, token)
    finally:
        if api is None:
            await oauth.aclose()
