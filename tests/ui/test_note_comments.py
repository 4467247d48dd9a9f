"""Comments on notes from the Notes tab at 80×24 against the demo server: `C` opens the highlighted
note's comments, n / e / d add, edit and delete one (the demo server holds the result), and the note
view shows the comments again after the change; read-only sessions refuse."""

from __future__ import annotations

from typing import Any

from support.editing import form_open, saved, screen_text, until

from iris_tui.ui.app import IrisApp
from iris_tui.ui.forms import CommentsScreen
from iris_tui.ui.session import Session, demo_session
from iris_tui.ui.tabs.notes import NotesTab

CID = 5
NOTE = 13  # "Executive summary (board)", one seeded comment


def note_comments(session: Session) -> list[str]:
    return sorted(c["comment_text"] for c in session.demo.store.comments.values()
                  if c["object_type"] == "note" and c["object_id"] == NOTE)


def comments_shown(tab: NotesTab) -> str:
    return str(tab.query_one("#note-comments").render())


async def on_note(pilot: Any) -> NotesTab:
    """`:case 5`, the Notes tab, the tree cursor on the note, once the note is shown."""
    app = pilot.app
    await pilot.press("colon", *f"case {CID}", "enter")
    await until(pilot, lambda: type(app.screen).__name__ == "CaseWorkspace")
    await pilot.press("6")
    tab = app.screen.tab("notes")
    await until(pilot, lambda: tab.loaded and tab.note_tree.cursor_node is not None)
    assert tab.select_key(NOTE)
    tab.note_tree.focus()
    await until(pilot, lambda: tab.note is not None and tab.note.note_id == NOTE)
    return tab


async def test_add_edit_delete_a_comment_on_a_note() -> None:
    session = demo_session()
    app = IrisApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await on_note(pilot)
        assert "Comments (1)" in comments_shown(tab)
        await pilot.press("C")
        await until(pilot, lambda: isinstance(app.screen, CommentsScreen) and app.screen.comments)
        text = screen_text(app)
        assert "Executive summary (board)" in text and "Approved for the board meeting." in text

        await pilot.press("n")
        form = await form_open(pilot)
        await pilot.press(*"Sent to legal")
        await saved(pilot, form)
        assert note_comments(session) == ["Approved for the board meeting.", "Sent to legal"]
        await until(pilot, lambda: len(app.screen.comments) == 2)

        await pilot.press("e")  # the newest comment is highlighted
        form = await form_open(pilot)
        await pilot.press("end", *" on Monday")
        await saved(pilot, form)
        assert note_comments(session) == ["Approved for the board meeting.", "Sent to legal on Monday"]
        await until(pilot, lambda: any("Monday" in c.text for c in app.screen.comments))

        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "CaseWorkspace")
        # the note view is fetched again and shows the new comment
        await until(pilot, lambda: "Sent to legal on Monday" in comments_shown(tab))
        assert "Comments (2)" in comments_shown(tab)

        await pilot.press("C")
        await until(pilot, lambda: isinstance(app.screen, CommentsScreen) and len(app.screen.comments) == 2)
        await pilot.press("d", "y")
        await until(pilot, lambda: note_comments(session) == ["Approved for the board meeting."])
        await until(pilot, lambda: len(app.screen.comments) == 1)
        await pilot.press("escape")
        await until(pilot, lambda: "Comments (1)" in comments_shown(tab))
        assert "Sent to legal" not in comments_shown(tab)


async def test_c_on_a_directory_opens_nothing() -> None:
    app = IrisApp(demo_session())
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await on_note(pilot)
        await pilot.press("g")  # the first directory
        await until(pilot, lambda: tab.note is None)
        await pilot.press("C")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, CommentsScreen)


async def test_read_only_refuses() -> None:
    session = demo_session(read_only=True)
    app = IrisApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await on_note(pilot)
        assert tab.check_action("comments", ()) is False  # hidden from the footer and `?`
        tab.action_comments()  # also when reached some other way
        await pilot.pause()
        assert not isinstance(app.screen, CommentsScreen)
        assert any("read-only" in n.message for n in app._notifications)
        assert note_comments(session) == ["Approved for the board meeting."]
        assert not [r for r in session.demo.received if r.method == "POST"]
