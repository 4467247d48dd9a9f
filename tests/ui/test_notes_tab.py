"""Notes tab against the demo server, at 80×24: the directory tree, a rendered note with its
code block and comments, server-side search, hostile text."""

from __future__ import annotations

from support.casedata import HOSTILE, build_case, open_tab, requests, screen_text, terminal_output, until
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownFence

from iris_tui.api.notes import Directory, NoteRef
from iris_tui.ui.app import IrisApp
from iris_tui.ui.tabs.notes import NotesTab


def outline(tab: NotesTab) -> list[str]:
    """The tree as indented names: directories end with '/'."""
    lines: list[str] = []

    def visit(node, depth: int) -> None:
        for child in node.children:
            data = child.data
            name = f"{data.name}/" if isinstance(data, Directory) else data.title
            lines.append("  " * depth + name)
            visit(child, depth + 1)

    visit(tab.note_tree.root, 0)
    return lines


async def go_to_note(pilot, tab: NotesTab, note_id: int) -> None:
    for _ in range(10):
        node = tab.note_tree.cursor_node
        if node is not None and isinstance(node.data, NoteRef) and node.data.id == note_id:
            break
        await pilot.press("j")
    await until(pilot, lambda: tab.note is not None and tab.note.note_id == note_id, what="the note")
    await pilot.pause()


async def test_tree_shows_nested_directories_with_notes_as_leaves():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "notes")
        assert outline(tab) == [
            "Analysis/",
            "  Malware/",
            "    Loaders/",
            "      Loader analysis",
            f"    {HOSTILE}",
            "  Host triage",
        ]
        text = screen_text(app)
        assert "Notes (3)" in text
        assert "Malware" in text and "Loaders" in text and "Loader analysis" in text
        assert tab.note_tree.cursor_node.data.name == "Analysis"
        assert "1 note, 1 sub-directory" in text


async def test_selecting_a_note_renders_its_markdown_code_block_and_comments():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "notes")
        await go_to_note(pilot, tab, data.ids["note_triage"])
        assert requests(data.demo, f"/case/notes/{data.ids['note_triage']}")
        body = tab.query_one("#note-body", Markdown)
        fences = list(body.query(MarkdownFence))
        assert [f.code.strip() for f in fences] == ["import os\nprint('beacon')"]
        assert fences[0].lexer == "python"
        text = screen_text(app)
        assert "Host triage" in text and "Findings" in text and "Beacon every 60s." in text
        assert "import os" in text
        assert "Comments (1)" in text and "reviewed by jane" in text
        assert "by administrator" in text  # the last change, from the modification history
        # tab moves into the note to read it, esc goes back to the tree (not out of the case)
        await pilot.press("tab")
        assert tab.query_one("#note-view").has_focus
        await pilot.press("escape")
        assert tab.note_tree.has_focus
        assert type(app.screen).__name__ == "CaseWorkspace"


async def test_note_search_runs_on_the_server_and_opens_a_result():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "notes")
        await pilot.press("slash", *"stage2", "enter")
        await until(pilot, lambda: "1 notes contain" in screen_text(app), what="the results")
        sent = requests(data.demo, "/case/notes/search")
        assert [(r.method, r.query.get("search_input")) for r in sent] == [("GET", "stage2")]
        results = tab.query_one("#notes-results")
        assert [n.title for n in results.rows] == ["Loader analysis"]
        assert results.has_focus and not tab.note_tree.display
        await until(pilot, lambda: tab.note is not None and tab.note.note_id == data.ids["note_loader"],
                    what="the result's note")
        await pilot.press("enter")
        assert tab.note_tree.display and tab.note_tree.has_focus
        assert tab.note_tree.cursor_node.data.id == data.ids["note_loader"]
        # a search with no hit, then esc back to the tree
        await pilot.press("slash", *"nothing-like-this", "enter")
        await until(pilot, lambda: "0 notes contain" in screen_text(app), what="no results")
        await pilot.press("escape")
        assert tab.note_tree.display and tab.note_tree.has_focus


async def test_a_failing_note_says_so_where_the_note_would_be():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "notes")
        data.demo.faults.add("server_error", path=f"/case/notes/{data.ids['note_triage']}")
        for _ in range(5):
            await pilot.press("j")
        await until(pilot, lambda: "Could not load the note" in screen_text(app), what="the error")
        assert tab.note is None


async def test_hostile_title_and_body_are_shown_literally():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "notes")
        await go_to_note(pilot, tab, data.ids["note_hostile"])
        text = screen_text(app)
        assert "[bold red]x[/] [@click=app.quit]q[/]" in text  # title, body and code block
        assert text.count("␛[31mred␛]52;c;aGk=␇") >= 2
        assert "<U+202E>gpj.exe" in text
        raw = terminal_output(app)
        assert "\x1b]52" not in raw and "\x1b[31mred" not in raw and "\u202e" not in raw
        assert app.is_running
