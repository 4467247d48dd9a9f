"""The one rendering rule (iris_tui.ui.text) against the hostile corpus (iris_tui/demo/data/
hostile.json, read through `iris_tui.demo.hostile.corpus()`: the one source of truth).

After `clean()` nothing that a terminal interprets or hides is left: no C0/C1 control (newline
only in multi-line mode), no ESC, no bidi, format, private-use or surrogate code point, variation
selectors only where they select an emoji or CJK variant, at most three combining marks in a row.
`safe()` is the cleaned value cut to the limit, never markup; wide CJK and emoji stay intact."""

from __future__ import annotations

import io
import sys
import unicodedata

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from iris_tui.demo.hostile import corpus
from iris_tui.ui.text import BLOCK_LIMIT, CELL_LIMIT, MAX_MARKS, clean, plain, safe, safe_block

CORPUS = corpus()
BY_NAME = {entry.name: entry for entry in CORPUS}
IDS = [entry.name for entry in CORPUS]
MARK_RANGES = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))
SELECTORS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
# the values that hold nothing to hide: shown exactly as sent
UNCHANGED = (
    "markup-click-quit", "markup-click-args", "markup-link", "markup-link-js", "markup-bold-red",
    "markup-unbalanced-close", "markup-unbalanced-open", "markup-escaped", "markup-blink-reverse",
    "markup-variables", "markup-emoji-codes", "markup-brackets", "markup-tag-list", "bidi-rtl-text",
    "wide-cjk", "wide-fullwidth", "wide-emoji", "wide-emoji-modifiers", "wide-emoji-vs16",
    "wide-mixed", "wide-complex-scripts", "wide-long", "html-script", "html-img", "html-entities",
    "markdown-link", "template-expr", "template-format", "template-jinja-loop", "log4shell",
    "path-traversal", "path-windows", "csv-formula", "sql-quote", "whitespace-only", "null-words",
    "comma-tags", "long-word", "long-url", "long-hash", "huge-1mb",
)


def in_ranges(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(a <= code <= b for a, b in ranges)


def forbidden(char: str, *, multiline: bool) -> bool:
    """Characters a terminal interprets, or that reorder, hide or fake text."""
    code = ord(char)
    if char == "\n":
        return not multiline
    category = unicodedata.category(char)
    return (category in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp") or 0xFDD0 <= code <= 0xFDEF
            or code & 0xFFFE == 0xFFFE or code in (0x115F, 0x1160, 0x3164, 0xFFA0, 0x034F))


def check_clean(text: str, *, multiline: bool) -> None:
    bad = sorted({f"U+{ord(c):04X}" for c in text if forbidden(c, multiline=multiline)})
    assert not bad, f"left in the cleaned text: {bad[:10]}"
    marks = 0
    for index, char in enumerate(text):
        code = ord(char)
        marks = marks + 1 if in_ranges(code, MARK_RANGES) else 0
        assert marks <= MAX_MARKS, "a run of combining marks longer than allowed"
        if in_ranges(code, SELECTORS):
            base = text[index - 1] if index else ""
            keycap = base in "#*0123456789" and text[index + 1:index + 2] == "\u20e3"
            assert keycap or (base and ord(base) > 0x7F and unicodedata.category(base)[0] in "LS"), (
                f"variation selector U+{code:04X} after {base!r}")


def cut(text: str, limit: int) -> str:
    return text[: limit - 1] + "…" if len(text) > limit else text


# -- the corpus itself ----------------------------------------------------------------------------


def test_corpus_covers_every_kind_of_attack() -> None:
    assert len(CORPUS) >= 60
    assert len(BY_NAME) == len(CORPUS), "names are unique"
    categories = {entry.category for entry in CORPUS}
    assert {"markup", "csi", "osc", "control", "bidi", "invisible", "huge", "wide", "surrogate",
            "invalid_utf8", "html", "template", "injection"} <= categories
    values = "".join(entry.value for entry in CORPUS if entry.category != "huge")
    for needle in ("[@click=", "[link=", "[bold", "[/", "\\[", "\x1b[2J", "\x1b[H", "\x1b]0;pwned\x07",
                   "\x1b]8;;", "\x1b]52;c;", "\x1b\\", "\x9b", "\x07", "\x08", "\r", "\u202e", "\u2066",
                   "\u2069", "\u200b", "\u200d", "\ud800", "👨\u200d👩", "漢字", "<script>", "{{7*7}}"):
        assert needle in values, needle
    assert len(BY_NAME["huge-1mb"].value) == 1 << 20
    assert max(len(e.value) for e in CORPUS if e.name.startswith("long-word")) >= 10_000


def test_invalid_utf8_entries_carry_their_bytes() -> None:
    entries = [entry for entry in CORPUS if entry.category == "invalid_utf8"]
    assert len(entries) >= 3
    for entry in entries:
        assert entry.raw is not None
        with pytest.raises(UnicodeDecodeError):
            entry.raw.decode("utf-8")
        assert entry.value == entry.raw.decode("utf-8", "surrogateescape")
        assert entry.data == entry.raw
    assert BY_NAME["utf8-invalid-ff"].raw == b"invoice\xff\xfe.pdf"


# -- clean(): nothing a terminal interprets or hides is left ----------------------------------------


@pytest.mark.parametrize("entry", CORPUS, ids=IDS)
def test_clean_leaves_no_control_format_or_surrogate(entry) -> None:
    check_clean(clean(entry.value), multiline=False)
    check_clean(clean(entry.value, multiline=True), multiline=True)


@pytest.mark.parametrize("entry", CORPUS, ids=IDS)
def test_clean_makes_every_escape_and_control_visible(entry) -> None:
    value = entry.value
    line, block = clean(value), clean(value, multiline=True)
    assert line.count("␛") == value.count("\x1b") + value.count("␛")
    for code in [*range(0x20), 0x7F]:
        if code in (0x09, 0x0A, 0x0D):
            continue
        picture = "\u2421" if code == 0x7F else chr(0x2400 + code)
        assert line.count(picture) == value.count(chr(code)), f"control 0x{code:02X}"
    for code in range(0x80, 0xA0):
        assert line.count(f"<U+{code:04X}>") == value.count(chr(code)), f"C1 0x{code:02X}"
    for code in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200B,
                 0x200C, 0x200D, 0x200E, 0x200F, 0xFEFF, 0x2060):
        assert line.count(f"<U+{code:04X}>") == value.count(chr(code))
    assert line.count("␊") == value.count("\n")
    assert block.count("\n") == value.count("\n")
    # a lone carriage return is shown in both modes, \r\n is one line break in a block
    assert block.count("␍") == value.count("\r") - value.count("\r\n")


@pytest.mark.parametrize("name", UNCHANGED)
def test_text_with_nothing_to_hide_is_shown_exactly(name: str) -> None:
    value = BY_NAME[name].value
    assert clean(value) == value
    assert clean(value, multiline=True) == value


def test_wide_text_and_emoji_keep_their_characters_and_width() -> None:
    for name in ("wide-cjk", "wide-fullwidth", "wide-emoji", "wide-long", "wide-emoji-vs16"):
        value = BY_NAME[name].value
        assert clean(value) == value
        assert cell_len(safe(value, limit=None).plain) == cell_len(value)
    assert cell_len(clean("漢字テスト")) == 10


def test_emoji_zwj_sequences_keep_the_emoji_and_show_the_joiner() -> None:
    """Terminals disagree on the width of a joined emoji; shown apart, the layout holds."""
    assert clean("👨\u200d👩\u200d👧") == "👨<U+200D>👩<U+200D>👧"


def test_variation_selectors_only_where_they_select_a_variant() -> None:
    assert clean("⚠\ufe0f") == "⚠\ufe0f"
    assert clean("1\ufe0f\u20e3") == "1\ufe0f\u20e3"
    assert clean("葛\U000e0100") == "葛\U000e0100"
    assert clean("a\ufe0fb") == "a<U+FE0F>b"
    assert clean("1\ufe0f") == "1<U+FE0F>"
    assert clean("\ufe0f") == "<U+FE0F>"
    assert clean("\x1b\ufe0f") == "␛<U+FE0F>"


def test_combining_marks_beyond_three_are_shown_by_code_point() -> None:
    assert clean("e\u0301") == "e\u0301"  # real accents are untouched
    assert clean("Tiếng Việt") == "Tiếng Việt"
    assert clean("Z\u0300\u0301\u0302\u0303\u0304") == "Z\u0300\u0301\u0302<U+0303><U+0304>"
    zalgo = clean(BY_NAME["zalgo"].value)
    assert zalgo.startswith("Z\u0300\u0301\u0302<U+0303>")


def test_lone_surrogates_become_replacement_characters() -> None:
    assert clean("a\ud800b") == "a\ufffdb"
    assert clean("\udc00\ud800") == "\ufffd\ufffd"
    assert clean(BY_NAME["utf8-invalid-ff"].value) == "invoice\ufffd\ufffd.pdf"


def test_tabs_lines_and_none() -> None:
    assert clean("a\tb") == "a    b"
    assert clean("a\r\nb") == "a␍␊b"
    assert clean("a\r\nb", multiline=True) == "a\nb"
    assert clean(None) == ""
    assert clean(42) == "42"


def test_every_invisible_code_point_python_knows_is_shown() -> None:
    """Every control, format, private-use, surrogate and separator code point of this Python's
    Unicode tables is transformed (a newer Unicode adding a format character fails here)."""
    missed = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp") and clean(char) == char:
            missed.append(f"U+{code:04X}")
    assert not missed, missed[:20]


# -- safe(), safe_block(), plain() ----------------------------------------------------------------


@pytest.mark.parametrize("entry", CORPUS, ids=IDS)
def test_safe_is_the_cleaned_value_cut_to_the_limit_and_never_markup(entry) -> None:
    value = entry.value
    cleaned = clean(value)
    for limit in (2, 12, CELL_LIMIT, 5000):
        text = safe(value, limit=limit)
        assert isinstance(text, Text)
        assert text.plain == cut(cleaned, limit)
        assert not text.spans, "no style came from the value"
        assert plain(value, limit=limit) == cut(cleaned, limit)
    if len(value) < 100_000:
        assert safe(value, limit=None).plain == cleaned
        assert plain(value) == cleaned
    if "[" in value:
        assert "[" in safe(value).plain


@pytest.mark.parametrize("entry", CORPUS, ids=IDS)
def test_safe_block_keeps_lines_and_says_how_much_is_left(entry) -> None:
    value = entry.value
    cleaned = clean(value, multiline=True)
    block = safe_block(value, limit=5000)
    assert not block.spans
    if len(cleaned) <= 5000:
        assert block.plain == cleaned
    else:
        assert block.plain.startswith(cleaned[:5000])
        assert f"… {len(cleaned) - 5000:,} more characters" in block.plain
    check_clean(block.plain, multiline=True)


def test_a_1mb_value_is_cut_and_the_rest_counted() -> None:
    value = BY_NAME["huge-1mb"].value
    assert safe(value).plain == "A" * (CELL_LIMIT - 1) + "…"
    block = safe_block(value)
    assert block.plain.startswith("A" * BLOCK_LIMIT)
    assert f"{(1 << 20) - BLOCK_LIMIT:,} more characters" in block.plain


def test_safe_block_can_cap_the_lines_too() -> None:
    """5,000 empty lines fit in 5,000 characters but would freeze a detail pane."""
    block = safe_block(BY_NAME["many-newlines"].value, limit=5000, lines=50).plain
    assert block.startswith("\n" * 49 + "\n… ")
    assert "4,957 more characters on 4,951 more lines" in block
    assert safe_block("a\nb", lines=1).plain.startswith("a\n… 2 more characters on 1 more line (")
    assert safe_block("a\nb", lines=2).plain == "a\nb"


def test_markup_stays_literal_through_a_rich_console() -> None:
    """What a terminal receives when a Text is printed: the brackets, no link, no action."""
    console = Console(file=io.StringIO(), width=200, force_terminal=True, color_system="truecolor")
    for name in ("markup-click-quit", "markup-link", "markup-bold-red", "markup-unbalanced-close"):
        console.print(safe(BY_NAME[name].value))
    out = console.file.getvalue()
    assert "[@click=app.quit]Click me[/]" in out
    assert "[link=https://evil.example/phish]Open the report[/link]" in out
    assert "\x1b]8;" not in out  # no hyperlink was made
    assert "[bold red]CRITICAL[/bold red]" in out


@pytest.mark.parametrize("entry", CORPUS, ids=IDS)
def test_printed_safe_text_sends_no_sequence_of_its_own(entry) -> None:
    console = Console(file=io.StringIO(), width=120, force_terminal=True, color_system=None,
                      legacy_windows=False)
    console.print(safe(entry.value))
    console.print(safe_block(entry.value, limit=5000))
    out = console.file.getvalue()
    for char in ("\x1b", "\x07", "\x08", "\x9b", "\x9d", "\x9c", "\x90", "\x00"):
        assert char not in out, f"{char!r} reached the terminal"
