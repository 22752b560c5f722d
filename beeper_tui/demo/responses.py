"""What every demo route answers with and reads: error bodies, validation issues, JSON bodies.

Errors follow the wire contract in ``beeper-api.md``: ``{"code", "message"}``,
and a 400 carries its ``details.issues`` the way the real server's schema
validation does (``code``, ``message``, ``path``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse

from beeper_tui.demo.dataset import JSONDict
from beeper_tui.demo.faults import default_message, error_code

MAX_PAGE_SIZE: Final = 200
"""The largest ``limit`` a list endpoint accepts; the real schema rejects more."""

INVALID_JSON: Final = object()
"""What :func:`json_body` returns for a body that is not JSON."""


def error_response(
    status: int,
    message: str | None = None,
    *,
    code: str | None = None,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """An error body with the status's default code and message unless given."""
    body: JSONDict = {
        "code": code or error_code(status),
        "message": message or default_message(status),
    }
    if details is not None:
        body["details"] = details
    return JSONResponse(body, status_code=status, headers=headers)


def issue(code: str, message: str, *path: str | int) -> JSONDict:
    """One validation issue about the parameter or body field at ``path``."""
    return {"code": code, "message": message, "path": list(path)}


def enum_issue(name: str, allowed: Sequence[str], got: str) -> JSONDict:
    """The issue of a parameter outside its allowed values, worded as Desktop words it."""
    options = " | ".join(f"'{a}'" for a in allowed)
    return issue(
        "invalid_enum_value", f"Invalid enum value. Expected {options}, received '{got}'", name
    )


def parse_time(raw: str) -> datetime | None:
    """An ISO 8601 date-time parameter (``Z`` or an offset; none reads as UTC), or None."""
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def validation_error(issues: list[JSONDict]) -> JSONResponse:
    """A 400 naming every issue in its message and listing them in ``details``."""
    summary = "; ".join(
        f"{'.'.join(str(p) for p in issue['path']) or 'body'}: {issue['message']}"
        for issue in issues
    )
    return error_response(400, f"Invalid request: {summary}", details={"issues": issues})


async def json_body(request: Request) -> Any:
    """The request's JSON body, None when empty, :data:`INVALID_JSON` when not JSON."""
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return INVALID_JSON
