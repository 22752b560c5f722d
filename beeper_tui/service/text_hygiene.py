"""Text hygiene: what user-controlled text may carry into a file or the clipboard.

Names, handles and server messages come from strangers on many networks. Before
such text is written (vCard, CSV, error lines) or copied, :func:`clean_text`
removes what carries no text, only trouble: terminal escape sequences (an OSC 52
in a name would otherwise set the clipboard of whoever ``cat``\\ s the file),
control characters, and the invisible characters that reorder or hide what a
reader sees (bidi overrides and isolates, zero-width spaces, word joiners, the
byte order mark). JSON keeps every character but escapes these as ``\\uXXXX``
(:func:`escape_invisible`), so no raw one reaches a file or a ``splitlines()``
reader.

The screen has its own, display-only pass (``ui/safe_text.py``), which shows
control characters as symbols instead of removing them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["INVISIBLE", "clean_text", "escape_invisible"]

# Terminal escape sequences, removed whole: CSI (ESC [ … final), OSC (ESC ] … BEL
# or ST; unterminated, it runs to the end as a terminal would take it), the
# DCS/SOS/PM/APC strings, their 8-bit C1 forms, and two-byte ESC sequences.
_ESCAPES: Final = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"
)
# Everything a reader may take as a line break: CR LF, CR, VT, FF, the
# separators str.splitlines() honours, NEL, LINE/PARAGRAPH SEPARATOR.
_LINE_BREAKS: Final = re.compile("\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# Other C0 controls, DEL and C1 controls carry no text, only trouble
# (terminal escapes, NUL); tab becomes a space.
_CONTROLS: Final = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
_SURROGATES: Final = re.compile("[\ud800-\udfff]")

INVISIBLE: Final = (
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
)
"""A regex class body: soft hyphen, Arabic letter mark, Mongolian vowel separator,
zero-width space/joiners, LRM/RLM, bidi embeddings, overrides and isolates, word
joiner and invisible operators, deprecated format controls, BOM, annotations."""

_INVISIBLE: Final = re.compile(f"[{INVISIBLE}]")
_ZWNJ, _ZWJ = "\u200c", "\u200d"


def _joins(before: str, after: str, joiner: str) -> bool:
    """Whether ``joiner`` between these characters does a script's or an emoji's work.

    ZWJ builds emoji sequences (👨‍👩‍👧, 🏳️‍🌈); ZWNJ shapes Persian and Indic
    words. Between Latin letters neither does anything but hide: ``ad‍min``.
    """
    if not before or not after:
        return False
    if joiner == _ZWJ:
        symbol = ("So", "Sk")
        return (unicodedata.category(before) in symbol or before in "\ufe0f\u20e3") and (
            unicodedata.category(after) in symbol
        )
    return all(ord(ch) >= 0x0590 and unicodedata.category(ch)[0] in "LM" for ch in (before, after))


def _drop_invisible(text: str) -> str:
    if not _INVISIBLE.search(text):
        return text
    out: list[str] = []
    for index, ch in enumerate(text):
        if _INVISIBLE.match(ch):
            if ch in (_ZWJ, _ZWNJ):
                after = text[index + 1] if index + 1 < len(text) else ""
                if _joins(out[-1] if out else "", after, ch):
                    out.append(ch)
            continue
        out.append(ch)
    return "".join(out)


def clean_text(value: str | None, *, newlines: bool = True) -> str | None:
    """``value`` safe to write or copy; line breaks become ``\\n`` (or a space).

    Removed: terminal escape sequences (whole), control characters, and
    invisible characters (bidi overrides, zero-width spaces, BOM; the joiners
    only where they join nothing). Tab becomes a space. Lone surrogates
    (possible from ``\\udXXX`` escapes in JSON) cannot be written as UTF-8 and
    become U+FFFD. Returns None for None or blank text.
    """
    if value is None:
        return None
    if value.isprintable() and value.strip() == value:
        # The common case, fast (an export cleans every field of 25,000 people):
        # no control, format (bidi, zero-width), separator or surrogate character.
        return value or None
    text = _ESCAPES.sub("", value)
    text = _LINE_BREAKS.sub("\n" if newlines else " ", text)
    text = _CONTROLS.sub("", text.replace("\t", " "))
    text = _drop_invisible(_SURROGATES.sub("\ufffd", text)).strip()
    return text or None


# What JSON output escapes although json.dumps(ensure_ascii=False) writes it raw:
# DEL and C1 controls, line separators that splitlines() and JavaScript break
# on (U+0085, U+2028, U+2029), the invisible characters above, lone surrogates.
_JSON_ESCAPED: Final = re.compile(f"[\x7f-\x9f\u2028\u2029{INVISIBLE}\ud800-\udfff]")


def escape_invisible(json_text: str) -> str:
    """``json_text`` (from ``json.dumps``) with those characters as ``\\uXXXX`` escapes.

    Safe on a whole document: outside strings JSON is ASCII, so every match is
    inside a string, where the escape means the same character.
    """
    return _JSON_ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)
