"""The demo's OAuth 2.0 authorization server, as Beeper Desktop runs it.

What the official CLI uses to sign in: RFC 8414 metadata, RFC 7591 dynamic
client registration for public clients (``token_endpoint_auth_method: none``,
loopback ``redirect_uris`` only, any port at authorization time as RFC 8252
asks), an authorization endpoint with PKCE S256 that shows an approval page,
a form-encoded token endpoint, RFC 7662 introspection and RFC 7009
revocation. Access tokens it issues are accepted by the API next to the
hand-made demo token; they carry scopes (``read``, ``write``) and expire.

Knobs for tests live on :class:`OAuthServer`: ``auto_approve``,
``token_lifetime``, ``clock`` (a function returning Unix seconds) and
:meth:`OAuthServer.approve_connection` (a token "made by hand in Settings").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from beeper_tui.demo.faults import error_code

SCOPES = ("read", "write")
DEFAULT_SCOPE = "read write"
DEFAULT_TOKEN_LIFETIME = 30 * 24 * 3600.0
CODE_LIFETIME = 120.0
AUTHORIZATION_LIFETIME = 600.0

METADATA_PATH = "/.well-known/oauth-authorization-server"
UNAUTHENTICATED_PATHS = frozenset(
    {
        METADATA_PATH,
        "/oauth/register",
        "/oauth/authorize",
        "/oauth/token",
        "/oauth/introspect",
        "/oauth/revoke",
    }
)
"""OAuth endpoints authenticate by their own rules, never by the bearer token."""

TOKEN_EXPIRED = "Token expired"
INSUFFICIENT_SCOPE = "Access token does not have the required scope"

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Reading media is a read even though it is a POST.
_READ_POSTS = frozenset({"/v1/assets/download"})


@dataclass(frozen=True, slots=True)
class Client:
    """A dynamically registered public client."""

    client_id: str
    client_name: str
    redirect_uris: tuple[str, ...]
    scope: str
    issued_at: int

    def wire(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_id_issued_at": self.issued_at,
            "client_name": self.client_name,
            "redirect_uris": list(self.redirect_uris),
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            "scope": self.scope,
        }


@dataclass(frozen=True, slots=True)
class Authorization:
    """An authorization request waiting on the approval page, or a code's grant."""

    client: Client
    redirect_uri: str
    state: str | None
    scope: str
    code_challenge: str
    expires_at: float


@dataclass(slots=True)
class IssuedToken:
    """An access token and what it may do."""

    token: str
    client_id: str | None
    scope: str
    issued_at: float
    expires_at: float | None
    code: str | None = None
    revoked: bool = False

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(self.scope.split())


@dataclass
class OAuthServer:
    """Clients, pending approvals, codes and tokens of one demo app."""

    demo_token: str
    auto_approve: bool = False
    token_lifetime: float | None = DEFAULT_TOKEN_LIFETIME
    """Seconds an issued token lives; None never expires; 0 expires at once."""
    clock: Callable[[], float] = time.time
    clients: dict[str, Client] = field(default_factory=dict)
    pending: dict[str, Authorization] = field(default_factory=dict)
    codes: dict[str, Authorization] = field(default_factory=dict)
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    used_codes: set[str] = field(default_factory=set)
    decisions: list[str] = field(default_factory=list)
    """``approve``/``deny``, in order, as the approval page received them."""

    def __post_init__(self) -> None:
        now = self.clock()
        self.tokens[self.demo_token] = IssuedToken(
            self.demo_token, None, DEFAULT_SCOPE, now, expires_at=None
        )

    # -- tokens --------------------------------------------------------------

    def approve_connection(self, scope: str = DEFAULT_SCOPE, lifetime: float | None = None) -> str:
        """A token as made by hand in Settings → Integrations → Approved connections."""
        return self._issue(None, scope, lifetime=lifetime).token

    def _issue(
        self,
        client_id: str | None,
        scope: str,
        *,
        code: str | None = None,
        lifetime: float | None = None,
    ) -> IssuedToken:
        now = self.clock()
        life = self.token_lifetime if lifetime is None else lifetime
        token = IssuedToken(
            token="bdt_" + secrets.token_urlsafe(24),
            client_id=client_id,
            scope=scope,
            issued_at=now,
            expires_at=None if life is None else now + life,
            code=code,
        )
        self.tokens[token.token] = token
        return token

    def find(self, token: str) -> IssuedToken | None:
        """The issued token ``token``, compared in constant time, or None."""
        found = self.tokens.get(token)
        if found is None or not hmac.compare_digest(found.token.encode(), token.encode()):
            return None
        return found

    def token_problem(self, token: str) -> str | None:
        """Why ``token`` does not authorize an API request, or None if it does."""
        found = self.find(token)
        if found is None or found.revoked:
            return "Invalid access token"
        if found.expires_at is not None and self.clock() >= found.expires_at:
            return TOKEN_EXPIRED
        return None

    # -- routes --------------------------------------------------------------

    def routes(self) -> list[Route]:
        return [
            Route(METADATA_PATH, self.metadata, methods=["GET"]),
            Route("/oauth/register", self.register, methods=["POST"]),
            Route("/oauth/authorize", self.authorize, methods=["GET"]),
            Route("/oauth/authorize", self.decide, methods=["POST"]),
            Route("/oauth/token", self.token, methods=["POST"]),
            Route("/oauth/introspect", self.introspect, methods=["POST"]),
            Route("/oauth/revoke", self.revoke, methods=["POST"]),
        ]

    async def metadata(self, request: Request) -> Response:
        return JSONResponse(metadata(str(request.base_url).rstrip("/")))

    async def register(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return _oauth_error("invalid_client_metadata", "Body must be JSON")
        if not isinstance(body, dict):
            return _oauth_error("invalid_client_metadata", "Body must be a JSON object")
        method = body.get("token_endpoint_auth_method", "none")
        if method != "none":
            return _oauth_error(
                "invalid_client_metadata",
                "Only public clients are supported: token_endpoint_auth_method must be 'none'",
            )
        uris = body.get("redirect_uris")
        if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
            return _oauth_error("invalid_redirect_uri", "redirect_uris must be a non-empty list")
        for uri in uris:
            if not _is_loopback_redirect(uri):
                return _oauth_error(
                    "invalid_redirect_uri",
                    f"Redirect URIs must be http:// loopback addresses, not {uri!r}",
                )
        for key, allowed in (("grant_types", "authorization_code"), ("response_types", "code")):
            values = body.get(key, [allowed])
            if not isinstance(values, list) or any(v != allowed for v in values):
                return _oauth_error("invalid_client_metadata", f"{key} must be [{allowed!r}]")
        scope = body.get("scope", DEFAULT_SCOPE)
        if not isinstance(scope, str) or not _valid_scope(scope):
            return _oauth_error("invalid_client_metadata", "scope must be within 'read write'")
        name = body.get("client_name")
        client = Client(
            client_id="bdc_" + secrets.token_urlsafe(12),
            client_name=name if isinstance(name, str) and name.strip() else "Unnamed app",
            redirect_uris=tuple(uris),
            scope=scope,
            issued_at=int(self.clock()),
        )
        self.clients[client.client_id] = client
        return JSONResponse(client.wire(), status_code=201)

    async def authorize(self, request: Request) -> Response:
        params = request.query_params
        client = self.clients.get(params.get("client_id", ""))
        if client is None:
            return _error_page("Unknown application", "This sign-in link names no known app.")
        redirect_uri = params.get("redirect_uri", "")
        if not _redirect_allowed(client, redirect_uri):
            return _error_page(
                "Wrong return address", "The app asked to return to an address it did not register."
            )
        state = params.get("state")
        if params.get("response_type") != "code":
            return _redirect(redirect_uri, error="unsupported_response_type", state=state)
        challenge = params.get("code_challenge", "")
        if params.get("code_challenge_method") != "S256" or not re.fullmatch(
            r"[A-Za-z0-9_-]{43}", challenge
        ):
            return _redirect(
                redirect_uri,
                error="invalid_request",
                error_description="PKCE with code_challenge_method=S256 is required",
                state=state,
            )
        scope = params.get("scope") or client.scope
        if not _valid_scope(scope) or not set(scope.split()) <= set(client.scope.split()):
            return _redirect(redirect_uri, error="invalid_scope", state=state)
        grant = Authorization(
            client=client,
            redirect_uri=redirect_uri,
            state=state,
            scope=" ".join(s for s in SCOPES if s in scope.split()),
            code_challenge=challenge,
            expires_at=self.clock() + AUTHORIZATION_LIFETIME,
        )
        if self.auto_approve:
            self.decisions.append("approve")
            return self._approved(grant)
        request_id = secrets.token_urlsafe(16)
        self.pending[request_id] = grant
        return HTMLResponse(_approval_page(grant, request_id))

    async def decide(self, request: Request) -> Response:
        form = await _form(request)
        decision = form.get("decision")
        grant = self.pending.pop(form.get("request_id", ""), None)
        if grant is None or grant.expires_at <= self.clock():
            return _error_page("This request has expired", "Start signing in again from the app.")
        if decision == "approve":
            self.decisions.append("approve")
            return self._approved(grant, status=303)
        self.decisions.append("deny")
        return _redirect(
            grant.redirect_uri,
            error="access_denied",
            error_description="The user denied access",
            state=grant.state,
            status=303,
        )

    def _approved(self, grant: Authorization, status: int = 302) -> Response:
        code = secrets.token_urlsafe(24)
        self.codes[code] = Authorization(
            client=grant.client,
            redirect_uri=grant.redirect_uri,
            state=grant.state,
            scope=grant.scope,
            code_challenge=grant.code_challenge,
            expires_at=self.clock() + CODE_LIFETIME,
        )
        return _redirect(grant.redirect_uri, code=code, state=grant.state, status=status)

    async def token(self, request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return _oauth_error("invalid_request", "Send the token request form-encoded")
        values = await _form(request)
        if values.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type", "Only authorization_code is supported")
        missing = [
            key
            for key in ("code", "code_verifier", "redirect_uri", "client_id")
            if not values.get(key)
        ]
        if missing:
            return _oauth_error("invalid_request", f"Missing {', '.join(missing)}")
        code = values["code"]
        if code in self.used_codes:
            # RFC 6749 §4.1.2: a replayed code revokes what it was exchanged for.
            for issued in self.tokens.values():
                if issued.code == code:
                    issued.revoked = True
            return _oauth_error("invalid_grant", "Authorization code was already used")
        grant = self.codes.pop(code, None)
        if grant is None:
            return _oauth_error("invalid_grant", "Unknown authorization code")
        self.used_codes.add(code)
        if grant.expires_at <= self.clock():
            return _oauth_error("invalid_grant", "Authorization code expired")
        if values["client_id"] != grant.client.client_id:
            return _oauth_error("invalid_grant", "Code was issued to another client")
        if values["redirect_uri"] != grant.redirect_uri:
            return _oauth_error("invalid_grant", "redirect_uri does not match the authorization")
        verifier = values["code_verifier"]
        if not _VERIFIER.fullmatch(verifier):
            return _oauth_error("invalid_request", "code_verifier must be 43-128 unreserved chars")
        if not hmac.compare_digest(s256(verifier), grant.code_challenge):
            return _oauth_error("invalid_grant", "code_verifier does not match the challenge")
        issued = self._issue(grant.client.client_id, grant.scope, code=code)
        body: dict[str, Any] = {
            "access_token": issued.token,
            "token_type": "Bearer",
            "scope": issued.scope,
        }
        if issued.expires_at is not None:
            body["expires_in"] = max(0, round(issued.expires_at - issued.issued_at))
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    async def introspect(self, request: Request) -> Response:
        form = await _form(request)
        token = form.get("token", "")
        if not token:
            return _oauth_error("invalid_request", "Missing token")
        found = self.find(token)
        if found is None or self.token_problem(token) is not None:
            return JSONResponse({"active": False})
        body: dict[str, Any] = {
            "active": True,
            "scope": found.scope,
            "token_type": "Bearer",
            "iat": int(found.issued_at),
        }
        if found.client_id is not None:
            body["client_id"] = found.client_id
        if found.expires_at is not None:
            body["exp"] = int(found.expires_at)
        return JSONResponse(body)

    async def revoke(self, request: Request) -> Response:
        form = await _form(request)
        token = form.get("token", "")
        if not token:
            return _oauth_error("invalid_request", "Missing token")
        found = self.find(token)
        if found is not None:
            found.revoked = True
        # RFC 7009 §2.2: unknown tokens are answered the same way.
        return Response(status_code=200)


def metadata(base_url: str) -> dict[str, Any]:
    """RFC 8414 authorization server metadata for a server at ``base_url``."""
    return {
        "issuer": base_url,
        "authorization_endpoint": f"{base_url}/oauth/authorize",
        "token_endpoint": f"{base_url}/oauth/token",
        "registration_endpoint": f"{base_url}/oauth/register",
        "introspection_endpoint": f"{base_url}/oauth/introspect",
        "revocation_endpoint": f"{base_url}/oauth/revoke",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "introspection_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": list(SCOPES),
    }


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of ``verifier``."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


class ScopeGuard:
    """ASGI middleware: an authenticated token must carry the route's scope.

    Runs inside the authentication check, so every bearer token here is valid;
    writes (POST, PUT, PATCH, DELETE on ``/v1``) need ``write``, the rest ``read``.
    """

    def __init__(self, app: ASGIApp, oauth: OAuthServer) -> None:
        self.app = app
        self.oauth = oauth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not path.startswith("/v1/") or path == "/v1/info":
            await self.app(scope, receive, send)
            return
        method = str(scope["method"])
        needed = "write" if method in _WRITE_METHODS and path not in _READ_POSTS else "read"
        token = _bearer(scope)
        issued = self.oauth.find(token) if token else None
        if issued is not None and needed not in issued.scopes:
            body = {
                "code": error_code(403),
                "message": INSUFFICIENT_SCOPE,
                "details": {"requiredScope": needed, "tokenScope": issued.scope},
            }
            headers = {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{needed}"'}
            await JSONResponse(body, status_code=403, headers=headers)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _form(request: Request) -> dict[str, str]:
    # Parsed here: Starlette's form parser needs python-multipart, which
    # nothing else in the project would use. The first value of a key wins.
    values: dict[str, str] = {}
    for key, value in parse_qsl((await request.body()).decode("utf-8", "replace")):
        values.setdefault(key, value)
    return values


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            kind, _, credentials = value.decode("latin-1").partition(" ")
            return credentials.strip() if kind.lower() == "bearer" else None
    return None


def _valid_scope(scope: str) -> bool:
    parts = scope.split()
    return bool(parts) and all(part in SCOPES for part in parts)


def _is_loopback_redirect(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return False
    del port  # parsed only to reject a malformed port
    return parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS and not parts.fragment


def _without_port(uri: str) -> tuple[str, str | None, str, str]:
    parts = urlsplit(uri)
    return (parts.scheme, parts.hostname, parts.path or "/", parts.query)


def _redirect_allowed(client: Client, redirect_uri: str) -> bool:
    # RFC 8252 §7.3: a loopback redirect may use any port at request time.
    if not redirect_uri or not _is_loopback_redirect(redirect_uri):
        return False
    wanted = _without_port(redirect_uri)
    return any(_without_port(uri) == wanted for uri in client.redirect_uris)


def _redirect(uri: str, *, status: int = 302, **params: str | None) -> Response:
    parts = urlsplit(uri)
    extra = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    target = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
    return RedirectResponse(target, status_code=status)


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body>
<main>
<h1>{title}</h1>
{body}
</main>
</body></html>
"""


def _error_page(title: str, message: str) -> HTMLResponse:
    body = f"<p>{html.escape(message)}</p>"
    return HTMLResponse(_PAGE.format(title=html.escape(title), body=body), status_code=400)


def _approval_page(grant: Authorization, request_id: str) -> str:
    name = html.escape(grant.client.client_name)
    scopes = "".join(
        f"<li>{'Read your chats and contacts' if s == 'read' else 'Act on your behalf'}</li>"
        for s in grant.scope.split()
    )
    hidden = f'<input type="hidden" name="request_id" value="{html.escape(request_id)}">'
    body = (
        f"<p><strong>{name}</strong> wants to use Beeper Desktop.</p>"
        f"<ul>{scopes}</ul>"
        f'<form method="post" action="/oauth/authorize" id="approve">{hidden}'
        '<input type="hidden" name="decision" value="approve">'
        '<button type="submit">Approve</button></form>'
        f'<form method="post" action="/oauth/authorize" id="deny">{hidden}'
        '<input type="hidden" name="decision" value="deny">'
        '<button type="submit">Deny</button></form>'
    )
    return _PAGE.format(title=f"Allow {name}?", body=body)
