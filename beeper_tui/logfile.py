"""The ``--log`` debug file: private, one record a line, inert, and without the token.

Contact IDs, names and server text reach the log raw. A newline in one would
forge a log line and an escape sequence (``ESC[2J``, ``ESC]0;…``) would run in
the terminal of whoever ``cat``s the file, so every character that is not
plain printable text is written as a ``\\xNN``/``\\uNNNN`` escape.
"""

from __future__ import annotations

import io
import logging
import os
import re
import stat
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from beeper_tui.api.redact import mask_secrets

__all__ = ["LOG_FORMAT", "SafeFormatter", "add_log_secret", "escape_controls", "open_debug_log"]

LOG_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_URL_CREDENTIALS: Final = re.compile(r"(?i)\b(https?://)[^/?#@\s]*@")
_BIDI_AND_INVISIBLE: Final = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\u2028\u2029\ufeff"
)


def _escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control, format, bidi and surrogate code points escaped."""
    out: list[str] = []
    for char in text:
        if char == "\n" and keep_newlines:
            out.append(char)
        elif char == "\\":
            out.append("\\\\")  # so an escape in the file always means "was escaped"
        elif char in _BIDI_AND_INVISIBLE or unicodedata.category(char) in ("Cc", "Cs", "Cf"):
            out.append(_escape_char(char))
        else:
            out.append(char)
    return "".join(out)


class SafeFormatter(logging.Formatter):
    """Masks secrets and URL credentials, and escapes control characters, in every record."""

    def __init__(self, secrets: Iterable[str | None] = (), fmt: str = LOG_FORMAT) -> None:
        super().__init__(fmt)
        self.secrets: set[str] = {s for s in secrets if s}

    def add_secret(self, secret: str | None) -> None:
        """Also mask ``secret`` from now on (a token entered while the app runs)."""
        if secret:
            self.secrets.add(secret)

    def _clean(self, text: str) -> str:
        return _URL_CREDENTIALS.sub(r"\1", mask_secrets(text, self.secrets))

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_controls(self._clean(super().formatMessage(record)))

    def formatException(self, ei: Any) -> str:
        # Tracebacks keep their lines; anything else in them is made inert.
        return escape_controls(self._clean(super().formatException(ei)), keep_newlines=True)

    def formatStack(self, stack_info: str) -> str:
        return escape_controls(self._clean(super().formatStack(stack_info)), keep_newlines=True)


class PrivateFileHandler(logging.FileHandler):
    """A ``FileHandler`` whose file is created 0600 (and made 0600 if it is a regular file)."""

    def _open(self) -> io.TextIOWrapper:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.baseFilename, flags, stat.S_IRUSR | stat.S_IWUSR)
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                os.fchmod(fd, stat.S_IRUSR | stat.S_IWUSR)
            return open(fd, "a", encoding=self.encoding or "utf-8", errors="backslashreplace")
        except BaseException:
            os.close(fd)
            raise


def open_debug_log(path: Path, secrets: Iterable[str | None] = ()) -> PrivateFileHandler:
    """A handler writing to ``path`` (created 0600) that masks ``secrets``.

    Raises ``OSError`` when the file cannot be opened.
    """
    handler = PrivateFileHandler(path, encoding="utf-8")
    handler.setFormatter(SafeFormatter(secrets))
    return handler


def add_log_secret(secret: str | None, logger: str = "beeper_tui") -> None:
    """Mask ``secret`` in every safe log handler on ``logger`` from now on."""
    for handler in logging.getLogger(logger).handlers:
        if isinstance(handler.formatter, SafeFormatter):
            handler.formatter.add_secret(secret)
