"""The Notes tab's editing keys against the demo server at 80×24: enter/e open the editor, E goes
straight to $EDITOR, n/N create a note/directory, R renames, m moves, d deletes; read-only
sessions refuse them all."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.noteui import CID, URL, USER, screen_text, session_on, status, type_at_end, until

from iris_tui.api.notes import Directory, NoteRef
from iris_tui.demo.routes.notes import create_directory, create_note
from iris_tui.drafts import Draft, DraftStore
from iris_tui.ui import external
from iris_tui.ui.app import IrisApp
from iris_tui.ui.editor import NoteEditor
from iris_tui.ui.note_dialogs import ConfirmScreen, DirectoryPicker, TextPrompt
from iris_tui.ui.tabs.notes import NotesTab



class Tree:
    """Analysis/ (Host triage, Malware/ (Loader)), Reports/ (empty)."""

    def __init__(self, *, read_only: bool = False) -> None:
        from iris_tui.demo import create_app

        self.demo = create_app(seed="fresh")
        self.session = session_on(self.demo, read_only=read_only)
        store = self.demo.store
        self.analysis = create_directory(store, CID, "Analysis")["id"]
        self.malware = create_directory(store, CID, "Malware", parent_id=self.analysis)["id"]
        self.reports = create_directory(store, CID, "Reports")["id"]
        self.triage = create_note(store, CID, USER, {"directory_id": self.analysis,
                                                     "note_title": "Host triage",
                                                     "note_content": "# Findings\nBeacon.\n"})["note_id"]
        self.loader = create_note(store, CID, USER, {"directory_id": self.malware,
                                                     "note_title": "Loader",
                                                     "note_content": "stage 2\n"})["note_id"]

    @property
    def store(self) -> Any:
        return self.demo.store

    def posts(self) -> list[Any]:
        return [r for r in self.demo.received if r.method == "POST"]


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IRIS_TUI_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


async def notes_tab(pilot: Any) -> NotesTab:
    app = pilot.app
    await pilot.press("colon", *f"case {CID}", "enter")
    await until(pilot, lambda: type(app.screen).__name__ == "CaseWorkspace")
    await pilot.press("6")
    tab = app.screen.tab("notes")
    await until(pilot, lambda: tab.loaded and tab.note_tree.cursor_node is not None)
    tab.note_tree.focus()
    await pilot.pause()
    return tab


def lines(tab: NotesTab) -> list[str]:
    out: list[str] = []

    def visit(node: Any, depth: int) -> None:
        for child in node.children:
            data = child.data
            out.append("  " * depth + (f"{data.name}/" if isinstance(data, Directory) else data.title))
            visit(child, depth + 1)

    visit(tab.note_tree.root, 0)
    return out


async def go_to(pilot: Any, tab: NotesTab, name: str) -> None:
    """Move the tree cursor to the directory or note called `name`."""
    tree = tab.note_tree
    await pilot.press("g")
    for _ in range(30):
        data = tree.cursor_node.data if tree.cursor_node is not None else None
        if (isinstance(data, Directory) and data.name == name) or (isinstance(data, NoteRef) and data.title == name):
            await pilot.pause(0.15)
            return
        await pilot.press("j")
    raise AssertionError(f"{name} not in the tree: {lines(tab)}")


def cursor_name(tab: NotesTab) -> str:
    data = tab.note_tree.cursor_node.data
    return data.name if isinstance(data, Directory) else data.title


# -- editor -----------------------------------------------------------------------------------


async def test_enter_opens_the_editor_and_the_tab_shows_the_saved_note() -> None:
    tree = Tree()
    app = IrisApp(tree.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await notes_tab(pilot)
        await go_to(pilot, tab, "Host triage")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, NoteEditor) and app.screen.ready)
        editor = app.screen
        await type_at_end(pilot, editor, "Lateral movement.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Saved" in status(editor))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is tab.screen)
        await until(pilot, lambda: tab.note is not None and "Lateral movement." in tab.note.content)
        assert cursor_name(tab) == "Host triage"
        await until(pilot, lambda: "Lateral movement." in screen_text(app))


async def test_e_opens_the_editor_on_the_highlighted_note() -> None:
    tree = Tree()
    app = IrisApp(tree.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await notes_tab(pilot)
        await go_to(pilot, tab, "Loader")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, NoteEditor) and app.screen.ready)
        assert app.screen.note_id == tree.loader
        assert app.screen.text_area.text == "stage 2\n"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is tab.screen)
        await go_to(pilot, tab, "Malware")
        await pilot.press("e")  # on a directory: says what to do instead
        await pilot.pause()
        assert app.screen is tab.screen


async def test_shift_e_goes_straight_to_editor_and_saves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "editor"
    script.write_text(f"#!{sys.executable}\nimport sys\n"
                      "open(sys.argv[-1], 'a').write('from vim\\n')\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("VISUAL", str(script))
    monkeypatch.setattr(external, "terminal_runner", lambda app: subprocess.call)  # no tty to hand over
    tree = Tree()
    app = IrisApp(tree.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await notes_tab(pilot)
        await go_to(pilot, tab, "Host triage")
        await pilot.press("E")
        await until(pilot, lambda: tree.store.notes[tree.triage]["note_content"].endswith("from vim\n"))
        await until(pilot, lambda: app.screen is tab.screen)
        assert tree.store.notes[tree.triage]["note_content"] == "# Findings\nBeacon.\nfrom vim\n"


# -- create -----------------------------------------------------------------------------------


async def test_n_creates_a_note_in_the_current_directory_and_opens_it() -> None:
    tree = Tree()
    app = IrisApp(tree.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await notes_tab(pilot)
        await go_to(pilot, tab, "Loader")  # a note: its directory (Malware) is where it goes
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, TextPrompt))
        assert "New note in Malware" in screen_text(app)
        await pilot.press(*"IOC list", "enter")
        await until(pilot, lambda: isinstance(app.screen, NoteEditor) and app.screen.ready)
        (created,) = [n for n in tree.store.notes.values() if n["note_title"] == "IOC list"]
        assert created["directory_id"] == tree.malware
        assert app.screen.note_id == created["note_id"]
        await type_at_end(pilot, app.screen, "evil.example")
        await pilot.press("escape", "s")  # save and close
        await until(pilot, lambda: app.screen is tab.screen)
        assert created["note_content"] == "evil.example"
        await until(pilot, lambda: "    IOC list" in lines(tab))


async def test_n_cancelled_creates_nothing() -> None:
    tree = Tree()
    app = IrisApp(tree.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await notes_tab(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is tab.screen)
        assert tree.posts() == []


async def test_shift_n_creates_a_directory_top_level_or_inside() -> None:
    tree = Tree()
    app = IrisApp(tree.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await notes_tab(pilot)
        await go_to(pilot, tab, "Reports")
        await pilot.press("N")
        await until(pilot, lambda: isinstance(app.screen, DirectoryPicker))
        picker = app.screen
        assert picker.query_one("#picker-tree").cursor_node.data == tree.reports  # starts here
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"Weekly", "enter")
        await until(pilot, lambda: "  Weekly/" in lines(tab))
        made = [d for d in tree.store.note_dirs.values() if d["name"] == "Weekly"]
        assert made[0]["parent_id"] == tree.reports
        assert cursor_name(tab) == "Weekly"
        # top level: the first entry of the picker
        await pilot.press("N")
        await until(pilot, lambda: isinstance(app.screen, DirectoryPicker))
        await pilot.press("g", "enter")
        await until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"Evidence", "enter")
        await until(pilot, lambda: "Evidence/" in lines(tab))
        top = [d for d in tree.store.note_dirs.values() if d["name"] == "Evidence"]
        assert top[0]["parent_id"] is None


# -- rename -----------------------------------------------------------------------------------


async def test_shift_r_renames_a_note_and_a_directory() -> None:
    tree = Tree()
    app = IrisApp(tree.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await notes_tab(pilot)
        await go_to(pilot, tab, "Host triage")
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, TextPrompt))
        assert app.screen.query_one("Input").value == "Host triage"
        await pilot.press("end", *" (WS-01)", "enter")
        await until(pilot, lambda: "  Host triage (WS-01)" in lines(tab))
        assert tree.store.notes[tree.triage]["note_title"] == "Host triage (WS-01)"
        assert tree.store.notes[tree.triage]["note_content"] == "# Findings\nBeacon.\n"
        assert cursor_name(tab) == "Host triage (WS-01)"
        await go_to(pilot, tab, "Reports")
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, TextPrompt))
        assert app.screen.query_one("Input").value == "Reports"
        await pilot.press(*"Final", "enter")  # the old name is selected: typing replaces it
        await until(pilot, lambda: "Final/" in lines(tab))
        assert tree.store.note_dirs[tree.reports]["name"] == "Final"


# -- move -------------------------------------------------------------------------------------


async def test_m_moves_a_note_with_a_directory_picker() -> None:
    tree = Tree()
    app = IrisApp(tree.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await notes_tab(pilot)
        await go_to(pilot, tab, "Loader")
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, DirectoryPicker))
        assert "(current)" in screen_text(app)
        picker_tree = app.screen.query_one("#picker-tree")
        await pilot.press("G", "enter")  # the last directory: Reports
        assert picker_tree is not None
        await until(pilot, lambda: tree.store.notes[tree.loader]["directory_id"] == tree.reports)
        await until(pilot, lambda: lines(tab)[-1] == "  Loader")
        assert cursor_name(tab) == "Loader"
        await until(pilot, lambda: tab.note is not None and tab.note.directory_id == tree.reports)


async def test_m_moves_a_directory_to_the_top_level_but_not_into_itself() -> None:
    tree = Tree()
    app = IrisApp(tree.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await notes_tab(pilot)
        await go_to(pilot, tab, "Analysis")
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, DirectoryPicker))
        text = screen_text(app)
        assert "Reports" in text and "Malware" not in text  # itself and below: not offered
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is tab.screen)
        await go_to(pilot, tab, "Malware")
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, DirectoryPicker))
        await pilot.press("g", "enter")  # (top level)
        await until(pilot, lambda: tree.store.note_dirs[tree.malware]["parent_id"] is None)
        await until(pilot, lambda: "Malware/" in lines(tab))
        assert cursor_name(tab) == "Malware"


# -- delete -----------------------------------------------------------------------------------


async def test_d_deletes_a_note_after_confirmation_and_backs_up_its_draft(state: Path) -> None:
    tree = Tree()
    DraftStore(URL).save(Draft(case_id=CID, note_id=tree.loader, text="unsaved", title="Loader"))
    app = IrisApp(tree.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await notes_tab(pilot)
        await go_to(pilot, tab, "Loader")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # no: nothing happens
        await until(pilot, lambda: app.screen is tab.screen)
        assert tree.loader in tree.store.notes
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await until(pilot, lambda: "Delete the note Loader" in screen_text(app))
        await pilot.press("y")
        await until(pilot, lambda: tree.loader not in tree.store.notes)
        await until(pilot, lambda: "Loader" not in "".join(lines(tab)))
        assert cursor_name(tab) == "Malware"
    assert DraftStore(URL).load(CID, tree.loader) is None
    assert len(list(state.rglob("backups/*.json"))) == 1


async def test_d_on_a_directory_says_what_goes_with_it() -> None:
    tree = Tree()
    app = IrisApp(tree.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await notes_tab(pilot)
        await go_to(pilot, tab, "Analysis")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await until(pilot, lambda: "1 sub-directories)" in screen_text(app))
        assert "(2" in screen_text(app)
        await pilot.press("y")
        await until(pilot, lambda: lines(tab) == ["Reports/"])
        assert set(tree.store.notes) == set()


# -- read-only --------------------------------------------------------------------------------


async def test_read_only_refuses_every_write_and_enter_reads() -> None:
    tree = Tree(read_only=True)
    app = IrisApp(tree.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await notes_tab(pilot)
        await go_to(pilot, tab, "Host triage")
        for key in ("e", "E", "n", "N", "R", "m", "d"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is tab.screen, key
        assert tree.posts() == []
        assert [n.message for n in app._notifications] == ["read-only profile: changes are disabled"] * 7
        await pilot.press("enter")
        assert tab.query_one("#note-view").has_focus
