"""`SafeTextArea`: Textual's TextArea that never sends a control character to the terminal.

TextArea paints a document's characters as they are, so an ESC in a note (`\\x1b]52;…` writes
the clipboard, `\\x1b[2J` clears the screen) would reach the terminal. Notes come from the
server, so every painted line goes through one table here: C0/C1 controls become their control
pictures (␛), bidi overrides and invisible characters a visible `¤`. The document itself is
untouched, so saving writes back exactly what was loaded. Those characters are zero cells wide
to Textual and one cell once shown, so text after them on the same line is drawn one cell to
the right of where the cursor logic puts it (only on lines that hold them).
"""

from __future__ import annotations

import re
import unicodedata

from rich.segment import Segment
from textual.document._wrapped_document import WrappedDocument
from textual.geometry import Offset, Region
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import LanguageDoesNotExist

_C0 = re.compile("[\x00-\x1f\x7f]")
_LAYOUT = {ord("\n"): None, ord("\r"): None, ord("\t"): None}
# controls, format characters (bidi overrides, zero-width, tags), separators, private use, surrogates
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs"})


def _visible(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\u00a4" if code > 0x7F and unicodedata.category(ch) in _HIDDEN_CATEGORIES else ch


def _unsafe(text: str) -> bool:
    if text.isascii():
        return _C0.search(text) is not None
    return any(_visible(ch) != ch for ch in text)


def has_unsafe(text: str) -> bool:
    """Whether painting `text` changes anything (for a warning next to the editor): line
    breaks and tabs are laid out by TextArea, never painted."""
    return _unsafe(text.translate(_LAYOUT))


def make_visible(strip: Strip) -> Strip:
    """The strip with every unsafe character replaced, cut to its original width."""
    if not any(not seg.control and _unsafe(seg.text) for seg in strip):
        return strip
    width = strip.cell_length
    segments = [
        seg if seg.control or not _unsafe(seg.text)
        else Segment("".join(_visible(ch) for ch in seg.text), seg.style)
        for seg in strip
    ]
    return Strip(segments).crop(0, width)


class _CountedWrap(WrappedDocument):
    """TextArea asks the wrapped height once per painted line, and WrappedDocument sums it
    over every line each time: on a 5,000-line note that was most of a repaint. The list of
    wrapped lines it keeps has exactly that length."""

    @property
    def height(self) -> int:
        return len(self._offset_to_line_info)


class SafeTextArea(TextArea):
    """A TextArea that paints control and invisible characters visibly (see module doc), and
    highlights syntax only around the visible lines (and counts wrapped lines in O(1)).

    TextArea re-queries the syntax tree of the whole document after every edit; on a
    5,000-line note that is most of the time a keystroke takes. Here an edit only drops the
    highlights, and the lines on screen (with a margin) are queried when they are painted.
    Relies on TextArea internals of the pinned Textual version (a test checks highlighting).
    """

    HIGHLIGHT_MARGIN = 100  # document lines highlighted above and below the visible ones

    _highlighted_rows: tuple[int, int] | None = None

    def _set_document(self, text: str, language: str | None) -> None:
        super()._set_document(text, language)
        self.wrapped_document.__class__ = _CountedWrap

    def _build_highlight_map(self) -> None:
        self._line_cache.clear()
        self._highlights.clear()
        self._highlighted_rows = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._highlight_visible()
        return super().render_lines(crop)

    def _highlight_visible(self) -> None:
        if not self._highlight_query:
            return
        wrapped = self.wrapped_document
        scroll_y = min(round(self.scroll_offset.y), max(wrapped.height - 1, 0))
        top = wrapped.offset_to_location(Offset(0, scroll_y))[0]
        bottom = top + self.size.height
        done = self._highlighted_rows
        if done is not None and done[0] <= top and bottom <= done[1]:
            return
        start = max(0, top - self.HIGHLIGHT_MARGIN)
        end = bottom + self.HIGHLIGHT_MARGIN
        highlights = self._highlights
        highlights.clear()
        captures = self.document.query_syntax_tree(
            self._highlight_query, start_point=(start, 0), end_point=(end, 0))
        for name, nodes in captures.items():
            for node in nodes:
                (first, first_col), (last, last_col) = node.start_point, node.end_point
                if first == last:
                    highlights[first].append((first_col, last_col, name))
                    continue
                if first >= start:
                    highlights[first].append((first_col, None, name))
                for row in range(max(first + 1, start), min(last, end + 1)):
                    highlights[row].append((0, None, name))
                if last <= end:
                    highlights[last].append((0, last_col, name))
        self._highlighted_rows = (start, end)
        self._line_cache.clear()

    def render_line(self, y: int) -> Strip:
        return make_visible(super().render_line(y))


def markdown_editor(text: str = "", *, read_only: bool = False, soft_wrap: bool = True,
                    show_line_numbers: bool = False, id: str | None = None) -> SafeTextArea:  # noqa: A002
    """A SafeTextArea for a note: markdown highlighting where tree-sitter's markdown grammar is
    installed (plain text otherwise), the app's colours, tab indents."""
    options = dict(read_only=read_only, soft_wrap=soft_wrap, show_line_numbers=show_line_numbers,
                   theme="css", id=id)
    try:
        return SafeTextArea.code_editor(text, language="markdown", **options)  # type: ignore[arg-type]
    except LanguageDoesNotExist:
        return SafeTextArea.code_editor(text, language=None, **options)  # type: ignore[arg-type]
