"""Latency and fault injection for the demo server.

Tests and the demo CLI use these to make the stand-in misbehave the way a real
Beeper Desktop (or the network in between) does: slow answers, error codes
with ``Retry-After``, truncated JSON, answers of the wrong shape.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from random import Random
from typing import Any

# Code names as the real API spells them in error bodies.
ERROR_CODES: Mapping[int, str] = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    408: "REQUEST_TIMEOUT",
    409: "CONFLICT",
    422: "UNPROCESSABLE_ENTITY",
    429: "RATE_LIMITED",
    500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


def error_code(status: int) -> str:
    """The API's code name for an HTTP status."""
    if status in ERROR_CODES:
        return ERROR_CODES[status]
    try:
        return HTTPStatus(status).name
    except ValueError:
        return "ERROR"


def default_message(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


@dataclass
class Latency:
    """Delay added to every answer: ``fixed_ms`` plus up to ``jitter_ms`` of seeded noise."""

    fixed_ms: float = 0
    jitter_ms: float = 0
    seed: int = 0
    _rng: Random = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.fixed_ms < 0 or self.jitter_ms < 0:
            raise ValueError("latency must not be negative")
        self._rng = Random(self.seed)
        self._lock = threading.Lock()

    def next_delay(self) -> float:
        """Seconds to wait before the next answer."""
        jitter = 0.0
        if self.jitter_ms:
            with self._lock:
                jitter = self._rng.uniform(0, self.jitter_ms)
        return (self.fixed_ms + jitter) / 1000


@dataclass
class FaultRule:
    """Make matching requests fail or stall.

    A rule matches when every given criterion holds: ``method`` (exact, any
    case), ``path`` (``re.search`` against the URL-decoded path) and
    ``params`` (each given query parameter has exactly that value). Effects,
    in order of precedence: ``status`` answers with the API's error body
    (``message`` and ``code`` override its text, ``retry_after`` sets the
    ``Retry-After`` header); ``malformed`` answers 200 with truncated JSON;
    ``wrong_shape`` answers 200 with JSON of the wrong shape; ``body``
    answers 200 with exactly that JSON; ``raw`` answers 200 with exactly
    those bytes as ``application/json`` (what ``body`` cannot carry: lone
    surrogate escapes, nesting too deep to encode). ``delay_ms`` sleeps first and applies
    alone or with any effect; a rule with only a delay lets the request
    through. ``hold`` keeps the answer back until the event is set (after any
    delay): a test that needs one answer to come after another says so, rather
    than guessing how long the other takes. ``times`` limits the rule to the
    next N matching requests.
    """

    method: str | None = None
    path: str | None = None
    params: dict[str, str] | None = None
    status: int | None = None
    message: str | None = None
    code: str | None = None
    retry_after: float | None = None
    malformed: bool = False
    wrong_shape: bool = False
    body: Any = None
    raw: bytes | None = None
    delay_ms: float = 0
    hold: asyncio.Event | None = field(default=None, compare=False)
    times: int | None = None
    hits: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.times is not None and self.times < 0:
            raise ValueError("times must be None or >= 0")
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        self._pattern = re.compile(self.path) if self.path is not None else None

    @property
    def live(self) -> bool:
        """False once the rule has been used ``times`` times."""
        return self.times is None or self.hits < self.times

    @property
    def passes_through(self) -> bool:
        """True when the rule only delays and the real handler still answers."""
        return (
            self.status is None
            and not self.malformed
            and not self.wrong_shape
            and self.body is None
            and self.raw is None
        )

    def matches(self, method: str, path: str, params: Mapping[str, str]) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self._pattern is not None and not self._pattern.search(path):
            return False
        if self.params is not None:
            return all(params.get(key) == value for key, value in self.params.items())
        return True


class FaultList:
    """Ordered fault rules; the first live matching rule wins and is used up.

    Safe to change from a test's thread while the server thread reads it.
    """

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, rule: FaultRule | None = None, /, **fields: Any) -> FaultRule:
        """Append ``rule`` (or a rule built from keyword fields) and return it."""
        if rule is None:
            rule = FaultRule(**fields)
        elif fields:
            raise TypeError("pass a FaultRule or keyword fields, not both")
        with self._lock:
            self._rules.append(rule)
        return rule

    def remove(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.remove(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, method: str, path: str, params: Mapping[str, str]) -> FaultRule | None:
        """The rule for this request, counting it as used; None if none applies."""
        with self._lock:
            for rule in self._rules:
                if rule.live and rule.matches(method, path, params):
                    rule.hits += 1
                    return rule
        return None

    def __iter__(self) -> Iterator[FaultRule]:
        with self._lock:
            return iter(list(self._rules))

    def __len__(self) -> int:
        with self._lock:
            return len(self._rules)
