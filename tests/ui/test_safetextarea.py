"""SafeTextArea: nothing from the document reaches the terminal as a control sequence, syntax
highlighting still works with the visible-lines-only query, and the O(1) wrapped height agrees
with Textual's own count after edits."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.document._wrapped_document import WrappedDocument
from textual.strip import Strip

from iris_tui.ui.widgets.safetextarea import SafeTextArea, has_unsafe, make_visible, markdown_editor

HOSTILE = "x\x1b]52;c;aGk=\x07 \x1b[2J\u202eevil\u200b\x9b31m"


class Host(App[None]):
    def __init__(self, text: str, **options: object) -> None:
        super().__init__()
        self.text = text
        self.options = options

    def compose(self) -> ComposeResult:
        yield markdown_editor(self.text, **self.options)  # type: ignore[arg-type]


def painted(area: SafeTextArea, rows: int) -> list[str]:
    return ["".join(seg.text for seg in area.render_line(y)) for y in range(rows)]


def test_make_visible_replaces_controls_and_keeps_the_width() -> None:
    strip = Strip([Segment("ab\x1b[31mc", Style(bold=True)), Segment("\u202ed"), Segment("   ")])
    out = make_visible(strip)
    assert out.text == "ab␛[31mc¤d "  # one cell per control, cut back to the original width
    assert out.cell_length == strip.cell_length
    assert list(out)[0].style == Style(bold=True)
    plain = Strip([Segment("nothing to do")])
    assert make_visible(plain) is plain


def test_has_unsafe_ignores_layout_characters() -> None:
    assert not has_unsafe("a\nb\tc\r\nd é 日本 ⚠️")
    assert has_unsafe("a\x1bb") and has_unsafe("\u202e") and has_unsafe("\x7f") and has_unsafe("\x9b")


async def test_no_escape_reaches_the_terminal_and_the_document_is_exact() -> None:
    app = Host(f"# Title\n{HOSTILE}\n")
    async with app.run_test(size=(60, 8)) as pilot:
        await pilot.pause()
        area = app.query_one(SafeTextArea)
        lines = painted(area, 3)
        assert all("\x1b" not in line and "\u202e" not in line and "\x9b" not in line for line in lines)
        assert "␛]52;c;aGk=" in lines[1] and "␛[2J" in lines[1]
        assert area.text == f"# Title\n{HOSTILE}\n"


async def test_markdown_is_highlighted_on_the_visible_lines_only() -> None:
    text = "".join(f"## Heading {i}\nplain line {i}\n" for i in range(2000))
    app = Host(text)
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        area = app.query_one(SafeTextArea)
        assert area.language == "markdown"
        assert area._highlights[0], "the first heading is highlighted"
        assert not area._highlights.get(3000), "far below the screen: not queried"
        area.scroll_to(y=3000, animate=False)
        await pilot.pause()
        top = area.wrapped_document.offset_to_location((0, 3000))[0]
        assert area._highlights[top] or area._highlights[top + 1]
        # an edit drops the highlights and the next paint brings them back
        line = top if area._highlights[top] else top + 1
        area.move_cursor((line, 3))
        area.insert("x")  # "## xHeading": still a heading
        assert not area._highlights[line]
        await pilot.pause()
        assert area._highlights[line]


async def test_wrapped_height_is_counted_like_textual_does() -> None:
    text = "".join(("word " * (i % 40)) + "\n" for i in range(300))
    app = Host(text, soft_wrap=True)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        area = app.query_one(SafeTextArea)
        wrapped = area.wrapped_document

        def slow() -> int:
            return WrappedDocument.height.fget(wrapped)  # type: ignore[attr-defined]

        assert wrapped.height == slow() > 300
        area.move_cursor((5, 0))
        area.insert("long " * 30 + "\n\n")
        area.move_cursor((200, 0))
        area.delete((200, 0), (230, 0))
        await pilot.pause()
        assert wrapped.height == slow()
        area.soft_wrap = False
        await pilot.pause()
        assert area.wrapped_document.height == WrappedDocument.height.fget(area.wrapped_document)  # type: ignore[attr-defined]
