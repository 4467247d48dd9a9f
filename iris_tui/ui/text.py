"""The one rendering rule for text that came from the server (or from a file, or a user).

IOC values, file names and event text come from attackers' infrastructure. Shown raw, an escape
sequence could restyle the screen, fake content or write the clipboard (OSC 52), and a string like
`[@click=app.quit]` would be live markup. So every widget shows server text through `safe()`:
literal (a `rich.text.Text`, never parsed as markup), control characters made visible (`␛[31m`),
characters that reorder, hide or fake text shown by code point (`<U+202E>`), and long values
truncated.

What is shown by code point: C1 controls, bidi controls, every format character (Unicode
category Cf: zero-width characters, tag characters, ...), line/paragraph separators, private-use
characters (a font may draw anything there), noncharacters and fillers that render blank.
Variation selectors are kept only after a non-ASCII letter or symbol (emoji presentation `⚠️`,
CJK variants); after ASCII they only hide data. The zero-width joiner is shown too, also inside
emoji sequences: terminals disagree on the width of a joined emoji, and a width the layout did
not expect shifts the rest of the row. A base character keeps three combining marks; more
("zalgo", which some terminals draw over the neighbouring rows) are shown by code point. Lone
surrogates (from JSON `"\\ud800"` or undecodable bytes) become U+FFFD. Wide CJK and emoji stay.

Every character becomes one character or more, and depends only on its neighbours, so a value
cut at N characters is cleaned from its first N + 1 characters (a 1 MB value costs nothing).
"""

from __future__ import annotations

import re
import unicodedata

from rich.text import Text

CELL_LIMIT = 200  # characters shown in a table cell
BLOCK_LIMIT = 200_000  # characters shown in a detail pane before "… N more characters"
MAX_MARKS = 3  # combining marks kept on one base character

# shown as <U+XXXX> by a translate table; with the private-use areas below this is every Cf of
# Unicode 15 (a test checks it against Python's tables)
_FORMAT_RANGES = (
    (0x80, 0x9F),  # C1 controls (0x9B is a one-byte CSI, 0x9D a one-byte OSC)
    (0xAD, 0xAD), (0x034F, 0x034F), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD),
    (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F),  # Mongolian free variation selectors and vowel separator
    (0x200B, 0x200F),  # zero-width space/joiners, LRM, RLM
    (0x2028, 0x202E),  # line/paragraph separators, bidi embeddings and overrides
    (0x2060, 0x206F),  # word joiner, invisible operators, bidi isolates, deprecated format
    (0x3164, 0x3164), (0xFDD0, 0xFDEF), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB),
    (0xFFFE, 0xFFFF), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE007F),  # tag characters (invisible ASCII)
)
_LINE = {i: chr(0x2400 + i) for i in range(0x20)}  # C0 controls become ␀ … ␟
_LINE.update({0x7F: "\u2421", ord("\t"): "    "})
_LINE.update({c: f"<U+{c:04X}>" for a, b in _FORMAT_RANGES for c in range(a, b + 1)})
_BLOCK = dict(_LINE)
del _BLOCK[ord("\n")]
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"  # combining
_OTHER = "\ue000-\uf8ff\U000f0000-\U0010ffff\ufe00-\ufe0f\U000e0100-\U000e01ef\ud800-\udfff"
# too large for a table, or depending on the neighbours: private use, variation selectors,
# surrogates, and runs of combining marks (`_MAYBE` finds candidates fast, `_RARE` decides)
_MAYBE = re.compile(f"[{_OTHER}{_MARKS}]")
_RARE = re.compile(f"[{_OTHER}]|[{_MARKS}]{{{MAX_MARKS + 1},}}")


def _rare(match: re.Match[str]) -> str:
    char = match.group()
    if len(char) > 1:  # a run of combining marks
        return char[:MAX_MARKS] + "".join(f"<U+{ord(c):04X}>" for c in char[MAX_MARKS:])
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF) and _has_variants(match):
        return char
    return f"<U+{code:04X}>"


def _has_variants(match: re.Match[str]) -> bool:
    """A variation selector right after a non-ASCII letter or symbol, or in a keycap (1️⃣)."""
    start = match.start()
    if start == 0:
        return False
    base = match.string[start - 1]
    if base in "#*0123456789":
        return match.string[match.end():match.end() + 1] == "\u20e3"
    return ord(base) > 0x7F and not 0x2400 <= ord(base) <= 0x2426 and unicodedata.category(base)[0] in "LS"


def clean(value: object, *, multiline: bool = False) -> str:
    """Server text as a plain string that is safe to put on a terminal."""
    text = "" if value is None else str(value)
    if multiline:
        text = text.replace("\r\n", "\n").translate(_BLOCK)
    else:
        text = text.translate(_LINE)
    if _MAYBE.search(text):
        text = _RARE.sub(_rare, text)
    return text


def _cut(value: object, limit: int | None) -> str:
    """`clean(value)` cut at `limit` characters with `…`, cleaning only what can be shown."""
    text = "" if value is None else str(value)
    if limit is None:
        return clean(text)
    text = clean(text[: limit + 1])  # one more: a character's look depends on the next one
    return text[: limit - 1] + "…" if len(text) > limit else text


def safe(value: object, *, limit: int | None = CELL_LIMIT, style: str = "") -> Text:
    """One line of server text, literal and visible, cut at `limit` characters with `…`."""
    return Text(_cut(value, limit), style=style, no_wrap=True, overflow="ellipsis")


def safe_block(value: object, *, limit: int = BLOCK_LIMIT, lines: int | None = None,
               style: str = "") -> Text:
    """Multi-line server text (descriptions, comments): newlines kept, everything else visible,
    at most `limit` characters and `lines` lines (5,000 empty lines would freeze a pane)."""
    text = clean(value, multiline=True)
    shown = text[:limit]
    if lines is not None and shown.count("\n") >= lines:
        shown = "\n".join(shown.split("\n", lines)[:lines])
    if len(shown) < len(text):
        rest, more = len(text) - len(shown), text.count("\n", len(shown))
        text = (shown + f"\n… {rest:,} more characters" + (f" on {more:,} more line{'s' * (more > 1)}" if more else "")
                + " (open it in $EDITOR or copy it to see all)")
    return Text(text, style=style)


def plain(value: object, *, limit: int | None = None) -> str:
    """`safe()` as a plain str, for places that take strings (titles, notifications, inputs)."""
    return _cut(value, limit)
