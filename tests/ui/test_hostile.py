"""Hostile data through the whole UI, at 80×24: the demo server's hostile seed (every corpus
string in every object type and field) opened in the case list and every workspace tab. What the
terminal receives (the compositor's output, as Textual writes it) holds no escape sequence, control
or invisible character from the corpus, every value is visible literally (markup brackets
included), and markup never acts: clicking `[@click=app.quit]` does not quit."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console
from textual.widgets import Static, Tree

from iris_tui.api import IrisClient
from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app
from iris_tui.demo.hostile import HOSTILE_CASE, corpus
from iris_tui.ui.app import IrisApp
from iris_tui.ui.session import Session
from iris_tui.ui.tabs.base import CaseTab, ListTab
from iris_tui.ui.text import clean
from iris_tui.ui.widgets.rowlist import RowList

CORPUS = corpus()
BY_NAME = {entry.name: entry for entry in CORPUS}
# what the corpus would write to a terminal if any of it got through
SEQUENCES = ("\x1b]0;pwned", "\x1b]2;pwned", "\x1b]52;", "\x1b]8;;https://evil", "\x1b[2J", "\x1b[10;20H",
             "\x1b[?1049h", "\x1b[?1000h", "\x1b[6n", "\x1b[21t", "\x1b[8;5;20t", "\x1bP", "\x1b_G",
             "\x1b]4;", "\x1b]1337;", "\x1b]9;", "\x9b", "\x9d", "\x07", "\x08", "\x1bc")
# list tabs: the column that shows the string first
LIST_TABS = {"assets": "2", "iocs": "3", "tasks": "4", "timeline": "5", "evidences": "8"}


@pytest.fixture(scope="module")
def demo() -> Any:
    return create_app(seed="hostile")


@pytest.fixture(scope="module")
def cid(demo: Any) -> int:
    return next(c["case_id"] for c in demo.store.cases.values() if c["name"].endswith(f" - {HOSTILE_CASE}"))


def session(demo: Any) -> Session:
    client = IrisClient("http://demo.iris", DEMO_API_KEY, transport=DemoTransport(demo))
    return Session("demo", "http://demo.iris", client, demo=demo)


# -- what the terminal receives -----------------------------------------------------------------


def _render(app: IrisApp, *, color: bool) -> str:
    console = Console(file=io.StringIO(), width=app.size.width, height=app.size.height,
                      color_system="truecolor" if color else None, force_terminal=color,
                      legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.file.getvalue()


def check_terminal(app: IrisApp) -> str:
    """Assert nothing from the corpus reaches the terminal raw; returns the screen's text."""
    output = _render(app, color=True)
    for sequence in SEQUENCES:
        assert sequence not in output, f"{sequence!r} reached the terminal"
    return check_text(_render(app, color=False))


def check_screenshot(app: IrisApp) -> str:
    """Textual's own SVG export of the screen: no raw escape, bell or C1 control from the corpus."""
    svg = app.export_screenshot()
    for char in ("\x1b", "\x07", "\x08", "\x9b", "\x9d", "\x9c"):
        assert char not in svg, f"{char!r} in the screenshot"
    return svg


def check_text(text: str) -> str:
    bad = {f"U+{ord(c):04X}" for c in text
           if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp")}
    assert not bad, f"raw control or invisible characters on screen: {sorted(bad)}"
    return text


def probe(value: str, cells: int = 10, *, multiline: bool = False) -> str:
    """The start of a value as a column (or the first line of a detail pane) shows it: cleaned,
    at most `cells` wide."""
    out = ""
    for char in clean(value, multiline=multiline).split("\n")[0]:
        if cell_len(out + char) > cells:
            break
        out += char
    return out.strip()


def assert_all_visible(text: str, what: str) -> None:
    flat = " ".join(text.split())  # columns and wrapping change spacing, not characters
    missing = [e.name for e in CORPUS if probe(e.value) and " ".join(probe(e.value).split()) not in flat]
    assert not missing, f"{what}: not shown literally: {missing}"


async def until(pilot: Any, condition: Any, timeout: float = 20.0, what: str = "condition") -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}\n{_render(pilot.app, color=False)}")


async def open_case(pilot: Any, cid: int) -> Any:
    await pilot.press("colon", *f"case {cid}", "enter")
    app = pilot.app
    await until(pilot, lambda: type(app.screen).__name__ == "CaseWorkspace", what="the workspace")
    await until(pilot, lambda: len(tabs := app.screen.query(CaseTab)) == 8 and all(t.loaded for t in tabs),
                what="every tab")
    return app.screen


async def page_through(pilot: Any, rows: RowList) -> str:
    """Every page of a list, checked as the terminal gets it; returns all the text seen."""
    rows.focus()
    await pilot.press("g")
    seen = [check_terminal(pilot.app)]
    for _ in range(len(rows.rows)):
        if rows.cursor_index == len(rows.rows) - 1:
            break
        await pilot.press("pagedown")
        await pilot.pause()
        seen.append(check_terminal(pilot.app))
    return "\n".join(seen)


async def walk_tree(pilot: Any, tree: Tree) -> str:
    tree.root.expand_all()
    tree.focus()
    await pilot.pause()
    seen = [check_terminal(pilot.app)]
    for _ in range(tree.last_line // max(tree.size.height - 1, 1) + 1):
        await pilot.press("pagedown")
        await pilot.pause()
        seen.append(check_terminal(pilot.app))
    return "\n".join(seen)


# -- the tests ----------------------------------------------------------------------------------


async def test_the_terminal_check_catches_raw_sequences(demo: Any) -> None:
    from rich.text import Text

    app = IrisApp(session(demo))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.screen.mount(Static(Text("\x1b]52;c;ZXZpbA==\x07"), id="raw"))
        await pilot.pause()
        with pytest.raises(AssertionError, match="reached the terminal"):
            check_terminal(app)
        with pytest.raises(AssertionError, match="in the screenshot"):
            check_screenshot(app)
        app.screen.query_one("#raw", Static).update(Text("pay\u200bpal"))
        await pilot.pause()
        with pytest.raises(AssertionError, match="U\\+200B"):
            check_terminal(app)


async def test_case_list_shows_every_hostile_name_literally(demo: Any) -> None:
    app = IrisApp(session(demo))
    async with app.run_test(size=(80, 24)) as pilot:
        rows = app.screen.query_one(RowList)
        await until(pilot, lambda: len(rows.all_rows) >= len(CORPUS), what="the case list")
        assert_all_visible(await page_through(pilot, rows), "case list")
        assert app.is_running


@pytest.mark.parametrize("tab_id", list(LIST_TABS))
async def test_list_tab_and_detail_pane_show_every_string_literally(demo: Any, cid: int, tab_id: str) -> None:
    """Every page of the list; then the detail pane (all fields, custom attributes and comments)
    of the nastiest strings."""
    names = ("markup-click-quit", "osc52-clipboard-bel", "csi-fake-login", "bidi-trojan-source",
             "huge-1mb-escapes", "many-newlines", "surrogate-high", "utf8-invalid-ff", "tag-smuggling",
             "zalgo")
    app = IrisApp(session(demo))
    async with app.run_test(size=(80, 24)) as pilot:
        workspace = await open_case(pilot, cid)
        await pilot.press(LIST_TABS[tab_id])
        tab = workspace.tab(tab_id)
        assert isinstance(tab, ListTab) and len(tab.rows.all_rows) >= len(CORPUS)
        assert_all_visible(await page_through(pilot, tab.rows), tab_id)
        check_screenshot(app)
        body = tab.query_one("#detail-body", Static)
        for name in names:
            row = next(r for r in tab.rows.all_rows if _first_text(r) == BY_NAME[name].value)
            assert tab.rows.move_cursor_to_key(tab.row_key(row))
            shown = " ".join(probe(BY_NAME[name].value, 30, multiline=True).split())
            await until(pilot, lambda: shown in (detail := " ".join(_plain(body).split()))
                        and "Comments (1)" in detail, what=f"{name} in the detail pane")
            check_terminal(app)
            check_text(_plain(body))  # all of it, custom attributes below the fold included
            check_screenshot(app)


def _first_text(row: Any) -> str | None:
    row = getattr(row, "event", row)  # the timeline wraps events in rows, with day separators
    for attr in ("asset_name", "ioc_value", "task_title", "event_title", "filename"):
        if hasattr(row, attr):
            return getattr(row, attr)
    return None


def _plain(widget: Static) -> str:
    console = Console(width=max(widget.size.width, 40), file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


async def test_notes_tree_and_notes_show_hostile_text_literally(demo: Any, cid: int) -> None:
    app = IrisApp(session(demo))
    async with app.run_test(size=(80, 24)) as pilot:
        workspace = await open_case(pilot, cid)
        await pilot.press("6")
        tab = workspace.tab("notes")
        assert_all_visible(await walk_tree(pilot, tab.note_tree), "notes tree")
        ids = {note["note_title"]: note["note_id"] for note in demo.store.notes.values()
               if note["note_case_id"] == cid}
        for name in ("markup-click-quit", "osc52-clipboard-st", "bidi-trojan-source", "many-newlines",
                     "huge-1mb-escapes", "surrogate-high", "zalgo", "markdown-link"):
            note_id = ids[BY_NAME[name].value]
            tab.note_tree.move_cursor(tab._note_nodes[note_id])
            await until(pilot, lambda: tab.note is not None and tab.note.note_id == note_id,
                        what=f"the note {name}")
            await pilot.pause()
            check_terminal(app)
        tab.note_tree.move_cursor(tab._note_nodes[ids[BY_NAME["markup-click-quit"].value]])
        await until(pilot, lambda: "[@click=app.quit]Click me[/]" in check_terminal(app), what="the note")


async def test_datastore_tree_shows_hostile_file_names_literally(demo: Any, cid: int) -> None:
    app = IrisApp(session(demo))
    async with app.run_test(size=(80, 24)) as pilot:
        workspace = await open_case(pilot, cid)
        await pilot.press("7")
        tab = workspace.tab("datastore")
        assert_all_visible(await walk_tree(pilot, tab.ds_tree), "datastore tree")


async def test_summary_shows_the_description_and_custom_attributes_literally(demo: Any, cid: int) -> None:
    from textual.containers import VerticalScroll

    app = IrisApp(session(demo))
    async with app.run_test(size=(80, 24)) as pilot:
        workspace = await open_case(pilot, cid)
        await pilot.press("1")
        await pilot.pause()
        assert "Hostile data" in check_terminal(app)
        tab = workspace.tab("summary")
        fields = check_text(_plain(tab.query_one("#summary-fields", Static)))
        flat = " ".join(fields.split())
        assert "Hostile › markup-click" in flat and "[@click=app.quit]Click me[/]" in flat
        assert "␛]0;pwned␇" in flat  # a custom attribute named with an OSC sequence
        scroll = tab.query_one(VerticalScroll)
        seen = []
        for _ in range(200):
            seen.append(check_terminal(app))
            if scroll.scroll_y >= scroll.max_scroll_y:
                break
            scroll.scroll_page_down(animate=False)
            await pilot.pause()
        assert "csi-fake-login: ␛[2J␛[HSession expired" in " ".join("".join(seen).split())


async def test_a_link_in_the_case_description_is_not_opened(demo: Any, cid: int, monkeypatch) -> None:
    """The description is markdown from the server: a click on its link must not start a browser."""
    from textual.widgets import Markdown

    app = IrisApp(session(demo))
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=(80, 24)) as pilot:
        workspace = await open_case(pilot, cid)
        description = workspace.tab("summary").query_one("#summary-description", Markdown)
        description.post_message(Markdown.LinkClicked(description, "javascript:alert(1)"))
        await pilot.pause()
        assert opened == []


async def test_clicking_click_markup_does_not_quit(demo: Any, cid: int) -> None:
    app = IrisApp(session(demo))
    async with app.run_test(size=(80, 24)) as pilot:
        workspace = await open_case(pilot, cid)
        await pilot.press("2")
        tab = workspace.tab("assets")
        tab.rows.focus()
        await pilot.press("g")
        await pilot.pause()
        lines = check_terminal(app).splitlines()
        y, line = next((y, line) for y, line in enumerate(lines) if "[@click=app.quit]" in line)
        x = line.index("[@click=app.quit]") + 3
        for _ in range(2):
            await pilot.click(offset=(x, y))
            await pilot.pause()
        await pilot.press("enter", "space", "j", "k")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert "[@click=app.quit]" in check_terminal(app)
        assert "[@click=app.quit]" in check_screenshot(app)
