"""Case- and accent-folding for search: the one place text is made comparable.

``fold`` turns "Łukasz Wróbel" into "lukasz wrobel": NFKD, combining marks
dropped, casefolded, plus a small table for letters Unicode does not
decompose (ł, ø, đ, æ, œ ...). ``fold_with_offsets`` does the same one
character at a time and remembers where each folded character came from, so
a match in folded text can be highlighted in the name as displayed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

__all__ = ["TOKEN_RE", "fold", "fold_with_offsets", "german_variant", "tokens"]

# Letters NFKD leaves alone although people type them without the stroke or as
# two letters. ß is here too although casefold already gives "ss": the table
# is what a reader checks, and it must not depend on casefold's details.
_UNDECOMPOSABLE: Final = str.maketrans(
    {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d",
     "ı": "i", "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
     "þ": "th", "Þ": "th", "ħ": "h", "Ħ": "h", "ŀ": "l", "Ŀ": "l"}
)  # fmt: skip

# German writes ü as "ue" on keyboards without it: "mueller" finds "Müller".
_GERMAN: Final = str.maketrans(
    {"ä": "ae", "Ä": "ae", "ö": "oe", "Ö": "oe", "ü": "ue", "Ü": "ue"}
)  # fmt: skip

TOKEN_RE: Final = re.compile(r"[^\W_]+")
"""A word of folded text: letters and digits (underscores and punctuation split)."""


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch.translate(_UNDECOMPOSABLE))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """``text`` case- and accent-folded; same length rules as :func:`fold_with_offsets`."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def german_variant(text: str) -> str | None:
    """The folded text with ä/ö/ü written as ae/oe/ue, when ``text`` has any of them."""
    if text.isascii():
        return None
    translated = text.translate(_GERMAN)
    return fold(translated) if translated != text else None


def fold_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """Folded ``text`` and, per folded character, its source span ``[start, end)``.

    A combining mark that folds away belongs to the character before it, so a
    highlighted "é" covers both code points of a decomposed "é".
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        if not folded:
            if ends and ends[-1] == i:
                # Extend every folded char of the previous source char.
                j = len(ends) - 1
                while j >= 0 and ends[j] == i:
                    ends[j] = i + 1
                    j -= 1
            continue
        out.append(folded)
        for _ in folded:
            starts.append(i)
            ends.append(i + 1)
    return "".join(out), starts, ends


def tokens(folded: str) -> list[str]:
    """The words of already-folded text."""
    return TOKEN_RE.findall(folded)
