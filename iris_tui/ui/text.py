"""The one rendering rule for text that came from the server (or from a file, or a user).

IOC values, file names and event text come from attackers' infrastructure. Shown raw, an escape
sequence could restyle the screen, fake content or write the clipboard (OSC 52), and a string like
`[@click=app.quit]` would be live markup. So every widget shows server text through `safe()`:
literal (a `rich.text.Text`, never parsed as markup), control characters made visible (`␛[31m`),
bidi overrides and invisible characters shown as `<U+202E>`, and long values truncated.
"""

from __future__ import annotations

import re

from rich.text import Text

CELL_LIMIT = 200  # characters shown in a table cell
BLOCK_LIMIT = 200_000  # characters shown in a detail pane before "… N more characters"

# C0 controls and DEL become their Unicode "control pictures" (␀ … ␟, ␡)
_C0 = {i: chr(0x2400 + i) for i in range(0x20)}
_C0[0x7F] = "\u2421"
# characters that reorder or hide text: shown by code point
_INVISIBLE = (
    list(range(0x80, 0xA0))  # C1 controls (0x9B is a one-byte CSI)
    + [0x00AD, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFFA0]
    + list(range(0x200B, 0x2010))  # zero-width space/joiners, LRM, RLM
    + list(range(0x202A, 0x202F))  # bidi embeddings and overrides
    + list(range(0x2060, 0x2070))  # word joiner, invisible operators, bidi isolates
    + [0xFEFF]
    + list(range(0xFFF9, 0xFFFC))
    + list(range(0xE0000, 0xE0080))  # tag characters
)
_VISIBLE = {cp: f"<U+{cp:04X}>" for cp in _INVISIBLE}
_LINE = dict(_C0)
_LINE.update(_VISIBLE)
_LINE[ord("\t")] = "    "
_BLOCK = dict(_LINE)
del _BLOCK[ord("\n")]
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(value: object, *, multiline: bool = False) -> str:
    """Server text as a plain string that is safe to put on a terminal."""
    text = "" if value is None else str(value)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    text = text.replace("\r\n", "\n") if multiline else text
    return text.translate(_BLOCK if multiline else _LINE)


def safe(value: object, *, limit: int | None = CELL_LIMIT, style: str = "") -> Text:
    """One line of server text, literal and visible, cut at `limit` characters with `…`."""
    text = clean(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


def safe_block(value: object, *, limit: int = BLOCK_LIMIT, style: str = "") -> Text:
    """Multi-line server text (descriptions, comments): newlines kept, everything else visible."""
    text = clean(value, multiline=True)
    if len(text) > limit:
        rest = len(text) - limit
        text = text[:limit] + f"\n… {rest:,} more characters (open it in $EDITOR or copy it to see all)"
    return Text(text, style=style)


def plain(value: object, *, limit: int | None = None) -> str:
    """`safe()` as a plain str, for places that take strings (titles, notifications, inputs)."""
    text = clean(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
