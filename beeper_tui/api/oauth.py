"""Beeper Desktop's OAuth 2.0 server on the wire: metadata, registration, token, introspection.

RFC 8414 metadata, RFC 7591 registration (a public client), the RFC 6749
token endpoint (form-encoded), RFC 7662 introspection and RFC 7009
revocation. Endpoint URLs come from the server's metadata; each must be on
the same origin as Beeper Desktop (or on this machine), so a tampered answer
cannot send a code or a token anywhere else.
"""

from __future__ import annotations

import json as jsonlib
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, Final, Self, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import Field, ValidationError

from .errors import BeeperError, CannotConnectError, ProtocolError
from .models import WireModel
from .net import display_url, is_loopback_url
from .redact import mask_secrets
from .wire import describe_transport_error, read_capped, status_error

__all__ = [
    "METADATA_PATH",
    "Introspection",
    "OAuthApi",
    "OAuthEndpointError",
    "OAuthMetadata",
    "TokenGrant",
]

METADATA_PATH: Final = "/.well-known/oauth-authorization-server"
_M = TypeVar("_M", bound=WireModel)
_MAX_BYTES: Final = 256 * 1024
_TIMEOUT: Final = httpx.Timeout(15.0, connect=5.0)


class OAuthMetadata(WireModel):
    """The endpoints of the authorization server (RFC 8414 keys)."""

    authorization_endpoint: str
    token_endpoint: str
    registration_endpoint: str | None = None
    introspection_endpoint: str | None = None
    revocation_endpoint: str | None = None
    code_challenge_methods_supported: list[str] = Field(default_factory=list)


class TokenGrant(WireModel):
    """What the token endpoint issued. ``repr`` never shows the token."""

    access_token: str = Field(repr=False)
    token_type: str = "Bearer"
    scope: str | None = None
    expires_in: float | None = None


class Introspection(WireModel):
    """RFC 7662: whether a token is active, and what it may do."""

    active: bool = False
    scope: str | None = None
    exp: float | None = None
    client_id: str | None = None

    @property
    def can_write(self) -> bool:
        """Whether the token carries the ``write`` scope (None scope: unknown, assume yes)."""
        return self.scope is None or "write" in self.scope.split()


class OAuthEndpointError(BeeperError):
    """An OAuth endpoint refused: ``error`` is the RFC 6749 code (``invalid_grant`` …)."""

    def __init__(self, endpoint: str, error: str | None, description: str | None) -> None:
        self.endpoint = endpoint
        self.error = error
        self.description = description
        said = _printable(description or error or "refused")
        super().__init__(f"Beeper Desktop's sign-in refused: {said} ({endpoint})")


def _printable(text: str, limit: int = 300) -> str:
    """A server's words without control characters (no ESC or OSC reaches a terminal)."""
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    line = " ".join(kept.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class OAuthApi:
    """HTTP calls to one Beeper Desktop's OAuth server (loopback: never through a proxy)."""

    def __init__(self, base_url: str, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        if transport is None:
            # A proxy would see codes and tokens: only for a Desktop elsewhere, never here.
            transport = httpx.AsyncHTTPTransport(trust_env=True)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=_TIMEOUT,
            follow_redirects=False,
            trust_env=False,
            headers={"Accept": "application/json", "User-Agent": "beeper-tui"},
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- endpoints ----------------------------------------------------------

    async def metadata(self) -> OAuthMetadata:
        """RFC 8414 metadata; falls back to ``endpoints.oauth`` of ``/v1/info``."""
        try:
            data = await self._call("GET", METADATA_PATH)
        except BeeperError as first:
            try:
                info = await self._call("GET", "/v1/info")
            except BeeperError:
                raise first from None
            endpoints = info.get("endpoints") if isinstance(info, dict) else None
            data = endpoints.get("oauth") if isinstance(endpoints, dict) else None
            if not isinstance(data, dict):
                raise first from None
        meta = _validate(f"GET {METADATA_PATH}", OAuthMetadata, data)
        for url in (
            meta.authorization_endpoint,
            meta.token_endpoint,
            meta.registration_endpoint,
            meta.introspection_endpoint,
            meta.revocation_endpoint,
        ):
            if url is not None:
                self._check_origin(url)
        return meta

    async def register(
        self, endpoint: str, redirect_uris: Sequence[str], *, client_name: str, scope: str
    ) -> str:
        """RFC 7591 registration of a public client; returns its ``client_id``."""
        body = {
            "client_name": client_name,
            "redirect_uris": list(redirect_uris),
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            "scope": scope,
        }
        data = await self._call("POST", endpoint, json=body)
        client_id = data.get("client_id") if isinstance(data, dict) else None
        if not isinstance(client_id, str) or not client_id:
            raise ProtocolError("POST /oauth/register", "the answer has no client_id")
        return client_id

    async def exchange_code(
        self, endpoint: str, *, code: str, verifier: str, redirect_uri: str, client_id: str
    ) -> TokenGrant:
        """The authorization code (and its PKCE verifier) for an access token."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
        }
        data = await self._call("POST", endpoint, form=form)
        return _validate("POST /oauth/token", TokenGrant, data)

    async def introspect(self, endpoint: str, token: str) -> Introspection:
        """RFC 7662: is ``token`` active?"""
        data = await self._call("POST", endpoint, form={"token": token})
        return _validate("POST /oauth/introspect", Introspection, data)

    async def revoke(self, endpoint: str, token: str) -> None:
        """RFC 7009: revoke ``token`` (unknown tokens are answered the same way)."""
        await self._call("POST", endpoint, form={"token": token, "token_type_hint": "access_token"})

    # -- plumbing -------------------------------------------------------------

    def _check_origin(self, url: str) -> None:
        ours, theirs = urlsplit(self.base_url), urlsplit(url)
        same = (ours.scheme, ours.netloc) == (theirs.scheme, theirs.netloc)
        if not same and not (is_loopback_url(url) and is_loopback_url(self.base_url)):
            raise ProtocolError(
                f"GET {METADATA_PATH}", f"an endpoint is not on Beeper Desktop: {display_url(url)}"
            )

    async def _call(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        form: Mapping[str, str] | None = None,
    ) -> Any:
        path = urlsplit(url).path or url
        endpoint = f"{method} {path}"
        if url.startswith(("http://", "https://")):
            self._check_origin(url)
        try:
            async with self._http.stream(method, url, json=json, data=form) as response:
                body = await read_capped(response, _MAX_BYTES, endpoint)
        except httpx.TimeoutException:
            raise CannotConnectError(self.base_url, "timed out", timed_out=True) from None
        except httpx.TransportError as exc:
            raise CannotConnectError(self.base_url, describe_transport_error(exc)) from None
        if response.is_success:
            if not body.strip():
                return {}
            try:
                return jsonlib.loads(body)
            except ValueError:
                raise ProtocolError(endpoint, "the answer is not JSON") from None
        if response.status_code == 400 or response.status_code == 401:
            parsed = _loads_dict(body)
            error = parsed.get("error")
            if isinstance(error, str) and "message" not in parsed:
                description = parsed.get("error_description")
                said = description if isinstance(description, str) else None
                raise OAuthEndpointError(endpoint, error, said)
        secrets = tuple(form.values()) if form else ()
        raise status_error(endpoint, response, body, lambda text: mask_secrets(text, secrets))


def _loads_dict(body: bytes) -> dict[str, Any]:
    try:
        data = jsonlib.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _validate(endpoint: str, model: type[_M], data: Any) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise ProtocolError(endpoint, f"JSON of the wrong shape ({where})") from None
