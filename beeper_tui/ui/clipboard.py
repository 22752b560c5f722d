"""Copying to the clipboard, and saying honestly where the text went.

Textual copies with the OSC 52 escape sequence, which the terminal turns into
a clipboard write. Inside tmux the sequence reaches the outer terminal only
with ``set-clipboard on``; tmux's default (``external``) drops it, so a toast
saying "Copied" would lie. Inside tmux the text is therefore also loaded into
tmux's own paste buffer (``tmux load-buffer -w -``, a local command: ``-w``
also hands it to the outer clipboard where tmux is allowed to), and the toast
says where it is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

    from textual.app import App

__all__ = ["copy_text", "load_tmux_buffer"]

TMUX_PASTE_HINT: Final = "in tmux's paste buffer (prefix ] pastes it)"
TMUX_NO_CLIPBOARD: Final = (
    "not copied: inside tmux the clipboard needs `set -g set-clipboard on` in ~/.tmux.conf"
)


def load_tmux_buffer(value: str) -> bool:
    """Put ``value`` into tmux's paste buffer (and, where tmux may, the clipboard)."""
    tmux = shutil.which("tmux")
    if tmux is None:
        return False
    # -w (tmux 3.2+) also sets the outer terminal's clipboard; older tmux refuses it.
    for command in ([tmux, "load-buffer", "-w", "-"], [tmux, "load-buffer", "-"]):
        try:
            done = subprocess.run(
                command, input=value.encode(), capture_output=True, timeout=3, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return False
        if done.returncode == 0:
            return True
    return False


def copy_text(app: App[object], value: str, environ: Mapping[str, str] | None = None) -> str:
    """Copy ``value``; the words for where it went ("" when the terminal took it).

    Outside tmux the OSC 52 write is all there is (no terminal answers whether
    it took it). Inside tmux the words name tmux's paste buffer, or say how to
    let tmux pass the clipboard on when even the buffer could not be loaded.
    """
    app.copy_to_clipboard(value)
    env = os.environ if environ is None else environ
    if not env.get("TMUX"):
        return ""
    return TMUX_PASTE_HINT if load_tmux_buffer(value) else TMUX_NO_CLIPBOARD
