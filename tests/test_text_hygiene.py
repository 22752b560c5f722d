"""Invisible characters in exports (issue 14, item 16): out of cells and cards, escaped in JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest
import vobject  # type: ignore[import-untyped]

from beeper_tui.api.models import User
from beeper_tui.service.export.formats import make_writer
from beeper_tui.service.person import Contact
from beeper_tui.service.text_hygiene import clean_text, escape_invisible

# Bidi override, isolates, zero-width space/joiner, LRM/RLM, word joiner, BOM.
SPOOF = "\u202egnp.exe\u202c \u2066x\u2069 ad\u200bmi\u200dn\u200e\u200f\u2060\ufeff"
SPOOF_CLEAN = "gnp.exe x admin"
INVISIBLES = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
INVISIBLES += ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff"]


def hostile() -> Contact:
    user = User(
        id="@spoof\u202e:example.org",
        full_name=SPOOF,
        username="@ali\u200bce",
        phone_number="+1 415\u2028555 0100",
        email="a\u2029b@example.org",
    )
    return Contact(user, "acc\u0085ount")


def written(fmt: str) -> str:
    stream = io.StringIO()
    writer = make_writer(fmt, stream)
    writer.write_header()
    writer.write_contact(hostile(), "Net\u200bwork")
    writer.close()
    return stream.getvalue()


def test_clean_text_removes_bidi_and_zero_width() -> None:
    assert clean_text(SPOOF) == SPOOF_CLEAN
    for ch in INVISIBLES:
        assert clean_text(f"a{ch}b") == "ab", f"U+{ord(ch):04X} kept"


@pytest.mark.parametrize(
    "text",
    [
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # family: ZWJ sequence
        "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: ZWNJ shapes the word
    ],
)
def test_joiners_that_join_stay(text: str) -> None:
    assert clean_text(text) == text


def test_osc_and_csi_sequences_are_removed_whole() -> None:
    assert clean_text("x\x1b]52;c;ZWNobyBoaQ==\x07y") == "xy"
    assert clean_text("x\x1b]0;title\x1b\\y") == "xy"
    assert clean_text("\x1b[2J\x1b[31mred\x1b[0m") == "red"
    assert clean_text("a\x9d8;;http://evil\x9cb") == "ab"


def test_csv_cells_carry_no_invisible_characters() -> None:
    text = written("csv")
    for ch in INVISIBLES:
        assert ch not in text, f"U+{ord(ch):04X} in CSV"
    header, row = list(csv.reader(io.StringIO(text)))
    cells = dict(zip(header, row, strict=True))
    assert cells["full_name"] == SPOOF_CLEAN
    assert cells["username"] == "'@alice"  # one formula rule for every cell (issue 24)
    assert cells["network"] == "Network"


def test_vcard_properties_carry_no_invisible_characters() -> None:
    text = written("vcf")
    for ch in [*INVISIBLES, "\u2028", "\u2029", "\x85"]:
        assert ch not in text, f"U+{ord(ch):04X} in vCard"
    card = vobject.readOne(text)
    assert card.fn.value == SPOOF_CLEAN
    assert card.nickname.value == "@alice"
    assert card.contents["x-beeper-network"][0].value == "Network"


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_keeps_every_character_escaped(fmt: str) -> None:
    text = written(fmt)
    for ch in [*INVISIBLES, "\u2028", "\u2029", "\x85"]:
        assert ch not in text, f"raw U+{ord(ch):04X} in {fmt}"
    assert "\\u202e" in text
    data = json.loads(text)
    obj = data[0] if fmt == "json" else data
    # Nothing lost: the escapes decode to exactly what the server sent.
    assert obj["fullName"] == SPOOF
    assert obj["phoneNumber"] == "+1 415\u2028555 0100"
    assert obj["accountID"] == "acc\u0085ount"


def test_json_lines_survive_splitlines() -> None:
    stream = io.StringIO()
    writer = make_writer("jsonl", stream)
    for n in range(3):
        writer.write_contact(hostile(), f"net{n}")
    writer.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3
    assert [json.loads(line)["network"] for line in lines] == ["net0", "net1", "net2"]


def test_escape_invisible_keeps_json_valid() -> None:
    value = {"k\u2028": "v\ud800\u202e\x7f"}
    text = escape_invisible(json.dumps(value, ensure_ascii=False))
    assert text.isascii()
    assert json.loads(text) == value
