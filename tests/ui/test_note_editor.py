"""The note editor against the demo server at 80×24: save, a network failure during save and
the retry, a restart with a draft present, a concurrent change on the server (conflict view),
the $EDITOR round trip, leaving with unsaved changes, revisions, read-only, hostile text."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from iris_tui.api import IrisClient
from iris_tui.demo import DEMO_API_KEY, DemoTransport, create_app
from iris_tui.demo.routes.notes import create_directory, create_note
from iris_tui.drafts import DraftStore
from iris_tui.ui import external
from iris_tui.ui.app import IrisApp
from iris_tui.ui.editor import NoteEditor, mine_title
from iris_tui.ui.note_diff import ConflictScreen, DraftScreen
from iris_tui.ui.note_dialogs import ConfirmScreen, LeaveScreen
from iris_tui.ui.revisions import RevisionsScreen
from support.noteui import CID, URL, USER, screen_text, session_on, status, type_at_end, until

ORIGINAL = "# Findings\n\nBeacon to evil.example every 60 s.\n\n```\nnslookup evil.example\n```\n"


class NoteCase:
    def __init__(self, content: str = ORIGINAL, title: str = "Host triage") -> None:
        self.demo = create_app(seed="fresh")
        self.session = session_on(self.demo)
        self.dir_id = create_directory(self.store, CID, "Analysis")["id"]
        self.note_id = create_note(self.store, CID, USER, {
            "directory_id": self.dir_id, "note_title": title, "note_content": content})["note_id"]

    @property
    def store(self) -> Any:
        return self.demo.store

    @property
    def note(self) -> dict[str, Any]:
        return self.store.notes[self.note_id]

    def sent(self, method: str, path: str) -> list[Any]:
        return [r for r in self.demo.received if r.method == method and r.path == path]

    @property
    def updates(self) -> list[Any]:
        return self.sent("POST", f"/case/notes/update/{self.note_id}")


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IRIS_TUI_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


@pytest.fixture
def case() -> NoteCase:
    return NoteCase()


def drafts() -> DraftStore:
    return DraftStore(URL)


async def open_editor(pilot: Any, note_id: int, **kwargs: Any) -> NoteEditor:
    editor = NoteEditor(CID, note_id, **kwargs)
    await pilot.app.push_screen(editor)
    await until(pilot, lambda: editor.ready or isinstance(pilot.app.screen, DraftScreen))
    return editor


async def settle(pilot: Any, app: IrisApp) -> None:
    """Let the debounced draft write happen and finish."""
    await pilot.pause(0.6)
    await app.workers.wait_for_complete()
    await pilot.pause()


# -- edit and save --------------------------------------------------------------------------


async def test_edit_and_save_sends_title_and_text_after_checking_the_server(case: NoteCase) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id)
        assert editor.text_area.text == ORIGINAL
        assert editor.title_input.value == "Host triage"
        assert "Host triage" in screen_text(app)  # breadcrumbs and title row
        await type_at_end(pilot, editor, "Seen on WS-01.")
        assert editor.dirty and "modified" in status(editor)
        before = len(case.demo.received)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not editor.saving and "Saved" in status(editor))
        assert case.note["note_content"] == ORIGINAL + "Seen on WS-01."
        assert case.note["note_title"] == "Host triage"
        # the lost-update check first (GET the note), then the update
        sent = [(r.method, r.path) for r in case.demo.received[before:]]
        assert sent == [("GET", f"/case/notes/{case.note_id}"),
                        ("POST", f"/case/notes/update/{case.note_id}")]
        assert case.updates[-1].json == {"note_title": "Host triage",
                                         "note_content": ORIGINAL + "Seen on WS-01."}
        await settle(pilot, app)
        assert drafts().load(CID, case.note_id) is None  # confirmed by the server: gone
        assert not editor.dirty
        await pilot.press("escape")  # clean: leaves without asking
        await until(pilot, lambda: not isinstance(app.screen, NoteEditor))
        assert editor.saved is not None and editor.saved.content.endswith("Seen on WS-01.")


async def test_title_change_is_saved(case: NoteCase) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id)
        await pilot.press("ctrl+t")
        assert editor.title_input.has_focus
        await pilot.press("end", *" v2", "enter")
        assert editor.text_area.has_focus
        await pilot.press("ctrl+s")
        await until(pilot, lambda: case.note["note_title"] == "Host triage v2")
        assert case.note["note_content"] == ORIGINAL


async def test_typing_writes_a_draft_within_half_a_second(case: NoteCase) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id)
        fingerprint = editor.base_fingerprint
        await type_at_end(pilot, editor, "draft me")
        await settle(pilot, app)
        draft = drafts().load(CID, case.note_id)
        assert draft is not None
        assert draft.text == ORIGINAL + "draft me"
        assert draft.title == "Host triage"
        assert draft.fingerprint == fingerprint
        assert draft.directory_id == case.dir_id
        assert case.updates == []  # nothing was sent to the server
        # undoing everything makes the draft pointless: it goes
        for _ in "draft me":
            await pilot.press("backspace")
        await settle(pilot, app)
        assert drafts().load(CID, case.note_id) is None
        assert "modified" not in status(editor)


# -- the network fails during the save ----------------------------------------------------------


@pytest.mark.parametrize("fault", ["reset", "timeout"])
async def test_network_failure_during_save_keeps_the_text_and_retry_saves(case: NoteCase, fault: str) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id)
        await type_at_end(pilot, editor, "Important finding.")
        case.demo.faults.add(fault, path=f"/case/notes/update/{case.note_id}", hang=0.2)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not editor.saving and "Not saved" in status(editor))
        # the text survives: still in the open editor and in the draft on disk
        assert app.screen is editor
        assert editor.text_area.text == ORIGINAL + "Important finding."
        draft = drafts().load(CID, case.note_id)
        assert draft is not None and draft.text == ORIGINAL + "Important finding."
        assert case.note["note_content"] == ORIGINAL  # the server has not got it
        assert "ctrl+s retries" in status(editor)
        await pilot.press("ctrl+s")  # retry, network is back
        await until(pilot, lambda: not editor.saving and "Saved" in status(editor))
        assert case.note["note_content"] == ORIGINAL + "Important finding."
        await settle(pilot, app)
        assert drafts().load(CID, case.note_id) is None


async def test_a_save_whose_answer_was_lost_is_recognised_on_retry(case: NoteCase) -> None:
    """The update reached the server but the reply did not: the retry finds the server already
    holds this text (no conflict, no second update)."""
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id)
        await type_at_end(pilot, editor, "landed")
        case.note["note_content"] = ORIGINAL + "landed"  # as if the lost update had landed
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not editor.saving and "Saved" in status(editor))
        assert not isinstance(app.screen, ConflictScreen)
        assert case.updates == []


async def test_load_failure_is_shown_and_ctrl_s_retries_the_load(case: NoteCase) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        case.demo.faults.add("server_error", path=f"/case/notes/{case.note_id}")
        editor = NoteEditor(CID, case.note_id)
        await app.push_screen(editor)
        await until(pilot, lambda: editor.load_failed)
        assert "Could not load the note" in status(editor)
        assert editor.text_area.read_only
        await pilot.press("ctrl+s")
        await until(pilot, lambda: editor.ready)
        assert editor.text_area.text == ORIGINAL


# -- restart with a draft -------------------------------------------------------------------------


async def _leave_a_draft(case: NoteCase, text: str) -> None:
    """Edit in one app and quit it without saving (the draft is flushed on the way out)."""
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id)
        await type_at_end(pilot, editor, text)
        # no pause for the debounce: quitting right after typing must not lose it
    draft = drafts().load(CID, case.note_id)
    assert draft is not None and draft.text == ORIGINAL + text


async def test_restart_with_a_draft_offers_it_compare_and_restore(case: NoteCase) -> None:
    await _leave_a_draft(case, "typed before the crash")
    app = IrisApp(session_on(case.demo))  # a new app on the same demo server
    async with app.run_test(size=(80, 24)) as pilot:
        editor = NoteEditor(CID, case.note_id)
        await app.push_screen(editor)
        await until(pilot, lambda: isinstance(app.screen, DraftScreen))
        assert "unsaved changes to" in screen_text(app)
        await pilot.press("c")  # compare: server vs draft
        await until(pilot, lambda: "typed before" in screen_text(app))
        text = screen_text(app)
        assert "+typed before the crash" in text
        assert "--- server" in text and "+++ draft" in text
        await pilot.press("r")
        await until(pilot, lambda: editor.ready)
        assert editor.text_area.text == ORIGINAL + "typed before the crash"
        assert editor.dirty and "Draft restored" in status(editor)
        assert case.note["note_content"] == ORIGINAL  # nothing sent yet
        await pilot.press("ctrl+s")
        await until(pilot, lambda: case.note["note_content"] == ORIGINAL + "typed before the crash")
        await settle(pilot, app)
        assert drafts().load(CID, case.note_id) is None


async def test_restart_discarding_the_draft_keeps_a_backup(case: NoteCase, state: Path) -> None:
    await _leave_a_draft(case, "not wanted")
    app = IrisApp(session_on(case.demo))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = NoteEditor(CID, case.note_id)
        await app.push_screen(editor)
        await until(pilot, lambda: isinstance(app.screen, DraftScreen))
        await pilot.press("d")
        await until(pilot, lambda: editor.ready)
        assert editor.text_area.text == ORIGINAL
        assert drafts().load(CID, case.note_id) is None
        backups = list(state.rglob("backups/*.json"))
        assert len(backups) == 1 and json.loads(backups[0].read_text())["text"].endswith("not wanted")


async def test_restart_later_closes_the_editor_and_keeps_the_draft(case: NoteCase) -> None:
    await _leave_a_draft(case, "keep me")
    app = IrisApp(session_on(case.demo))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = NoteEditor(CID, case.note_id)
        await app.push_screen(editor)
        await until(pilot, lambda: isinstance(app.screen, DraftScreen))
        await pilot.press("escape")
        await until(pilot, lambda: editor not in app.screen_stack)
    assert drafts().load(CID, case.note_id).text.endswith("keep me")


async def test_a_draft_equal_to_the_server_is_dropped_silently(case: NoteCase) -> None:
    from iris_tui.drafts import Draft

    drafts().save(Draft(case_id=CID, note_id=case.note_id, text=ORIGINAL, title="Host triage"))
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id)
        assert app.screen is editor and editor.ready
    assert drafts().load(CID, case.note_id) is None


async def test_restored_draft_of_a_note_changed_since_still_conflicts(case: NoteCase) -> None:
    await _leave_a_draft(case, "mine")
    case.note["note_content"] = "rewritten by a colleague\n"
    app = IrisApp(session_on(case.demo))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = NoteEditor(CID, case.note_id)
        await app.push_screen(editor)
        await until(pilot, lambda: isinstance(app.screen, DraftScreen))
        assert "changed on the server since" in screen_text(app)
        await pilot.press("r")
        await until(pilot, lambda: editor.ready)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConflictScreen))
        assert case.updates == []


# -- a concurrent change on the server ----------------------------------------------------------


async def _conflict(case: NoteCase, pilot: Any, app: IrisApp) -> NoteEditor:
    """Open, edit, let a colleague update the note through the API, then ctrl+s."""
    editor = await open_editor(pilot, case.note_id)
    await type_at_end(pilot, editor, "mine")
    colleague = IrisClient(URL, DEMO_API_KEY, transport=DemoTransport(case.demo))
    async with colleague:
        await colleague.notes.update(CID, case.note_id, content=ORIGINAL + "theirs")
    await pilot.press("ctrl+s")
    await until(pilot, lambda: isinstance(app.screen, ConflictScreen))
    await until(pilot, lambda: "+mine" in screen_text(app))  # the diff, computed in a thread
    return editor


async def test_concurrent_change_shows_the_conflict_and_overwrites_nothing(case: NoteCase) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await _conflict(case, pilot, app)
        text = screen_text(app)
        assert "Someone changed this note on the server" in text
        assert "Nothing was overwritten" in text
        assert "-theirs" in text and "+mine" in text  # a unified diff: theirs -> mine
        assert [u.json.get("note_content") for u in case.updates] == [ORIGINAL + "theirs"]  # only theirs
        assert case.note["note_content"] == ORIGINAL + "theirs"
        await pilot.press("escape")  # back to editing: still nothing sent
        await until(pilot, lambda: app.screen is editor)
        assert len(case.updates) == 1 and case.note["note_content"] == ORIGINAL + "theirs"
        assert editor.text_area.text == ORIGINAL + "mine"
        assert "Not saved" in status(editor)
        assert drafts().load(CID, case.note_id).text == ORIGINAL + "mine"
        # deciding again: keep mine
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConflictScreen))
        await pilot.press("m")
        await until(pilot, lambda: case.note["note_content"] == ORIGINAL + "mine")
        assert len(case.updates) == 2
        await until(pilot, lambda: not editor.saving)
        await settle(pilot, app)
        assert drafts().load(CID, case.note_id) is None


async def test_conflict_take_theirs_loads_them_and_backs_up_mine(case: NoteCase, state: Path) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await _conflict(case, pilot, app)
        await pilot.press("t")
        await until(pilot, lambda: app.screen is editor and not editor.saving)
        assert editor.text_area.text == ORIGINAL + "theirs"
        assert not editor.dirty
        assert case.note["note_content"] == ORIGINAL + "theirs"
        assert len(case.updates) == 1  # only the colleague's
        backups = list(state.rglob("backups/*.json"))
        assert [json.loads(p.read_text())["text"] for p in backups] == [ORIGINAL + "mine"]
        await settle(pilot, app)
        assert drafts().load(CID, case.note_id) is None


async def test_conflict_save_mine_as_a_new_note(case: NoteCase) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await _conflict(case, pilot, app)
        await pilot.press("n")
        await until(pilot, lambda: app.screen is editor and not editor.saving)
        created = [n for n in case.store.notes.values() if n["note_id"] != case.note_id]
        assert len(created) == 1
        assert created[0]["note_title"] == "Host triage (my version)"
        assert created[0]["note_content"] == ORIGINAL + "mine"
        assert created[0]["directory_id"] == case.dir_id
        assert case.note["note_content"] == ORIGINAL + "theirs"  # the original keeps theirs
        assert editor.note_id == created[0]["note_id"]
        assert editor.title_input.value == "Host triage (my version)"
        await settle(pilot, app)
        assert drafts().list() == []


async def test_note_deleted_on_the_server_offers_a_new_note(case: NoteCase) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id)
        await type_at_end(pilot, editor, "orphan")
        del case.store.notes[case.note_id]
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConflictScreen))
        assert "deleted on the server" in screen_text(app)
        await pilot.press("m")  # not offered: nothing to overwrite
        await pilot.pause()
        assert isinstance(app.screen, ConflictScreen)
        await pilot.press("n")
        await until(pilot, lambda: app.screen is editor and not editor.saving)
        (created,) = case.store.notes.values()
        assert created["note_content"] == ORIGINAL + "orphan"
        assert created["directory_id"] == case.dir_id


def test_mine_title_stays_within_the_limit() -> None:
    assert mine_title("Host triage") == "Host triage (my version)"
    assert len(mine_title("x" * 155)) == 155 and mine_title("x" * 155).endswith(" (my version)")
    assert mine_title("") == "Untitled (my version)"


# -- leaving ---------------------------------------------------------------------------------------


async def test_escape_with_unsaved_changes_asks_and_discard_keeps_a_backup(case: NoteCase, state: Path) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id)
        await type_at_end(pilot, editor, "maybe")
        await settle(pilot, app)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LeaveScreen))
        assert "unsaved changes" in screen_text(app)
        await pilot.press("escape")  # keep editing
        await until(pilot, lambda: app.screen is editor)
        await pilot.press("escape", "d")
        await until(pilot, lambda: editor not in app.screen_stack)
        assert case.updates == []
    assert drafts().load(CID, case.note_id) is None
    assert [json.loads(p.read_text())["text"] for p in state.rglob("backups/*.json")] == [ORIGINAL + "maybe"]


async def test_escape_save_and_close(case: NoteCase) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id)
        await type_at_end(pilot, editor, "closing")
        await pilot.press("escape", "s")
        await until(pilot, lambda: editor not in app.screen_stack)
        assert case.note["note_content"] == ORIGINAL + "closing"


# -- $EDITOR ---------------------------------------------------------------------------------------


@pytest.fixture
def appending_editor(tmp_path: Path) -> Path:
    """A scripted editor: appends a line to the file it is given."""
    script = tmp_path / "append-editor"
    script.write_text(f"#!{sys.executable}\nimport sys\n"
                      "with open(sys.argv[-1], 'a', encoding='utf-8') as f:\n"
                      "    f.write('appended by the editor\\n')\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_edit_text_round_trip_with_a_real_process(appending_editor: Path, state: Path) -> None:
    seen: list[list[str]] = []

    def run(argv: list[str]) -> int:
        seen.append(argv)
        path = Path(argv[-1])
        assert path.suffix == ".md" and stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text() == "# Note\nline\n"
        return subprocess.call(argv)

    result = external.edit_text("# Note\nline\n", run, argv=[str(appending_editor)], name_hint="case1-note2")
    assert result == "# Note\nline\nappended by the editor\n"
    assert seen[0][0] == str(appending_editor) and "case1-note2" in seen[0][-1]
    assert list((state / "edit").iterdir()) == []  # the temp file is gone


def test_editor_command_from_visual_then_editor() -> None:
    assert external.editor_command({"VISUAL": "code --wait", "EDITOR": "nano"}) == ["code", "--wait"]
    assert external.editor_command({"EDITOR": "nano -w"}) == ["nano", "-w"]
    with pytest.raises(external.ExternalEditorError, match="cannot be parsed"):
        external.editor_command({"EDITOR": "vim 'unclosed"})


def test_edit_text_failures_leave_the_text_alone(tmp_path: Path) -> None:
    with pytest.raises(external.ExternalEditorError, match="not found"):
        external.edit_text("x", subprocess.call, argv=[str(tmp_path / "no-such-editor")], folder=tmp_path)
    with pytest.raises(external.ExternalEditorError, match="exited with status 1"):
        external.edit_text("x", lambda argv: 1, argv=["vim"], folder=tmp_path)
    assert list(tmp_path.glob("*.md")) == []


def test_edit_text_ignores_an_added_final_newline(tmp_path: Path) -> None:
    def vim_like(argv: list[str]) -> int:
        Path(argv[-1]).write_text(Path(argv[-1]).read_text() + "\n")
        return 0

    assert external.edit_text("no newline", vim_like, argv=["vim"], folder=tmp_path) == "no newline"


def test_edit_text_keeps_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    def latin1(argv: list[str]) -> int:
        Path(argv[-1]).write_bytes("caf\u00e9".encode("latin-1"))
        return 0

    with pytest.raises(external.ExternalEditorError, match="not UTF-8"):
        external.edit_text("x", latin1, argv=["ed"], folder=tmp_path)
    assert len(list(tmp_path.glob("*.md"))) == 1


async def test_ctrl_e_round_trip_through_visual(case: NoteCase, appending_editor: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Headless, the terminal cannot be suspended: the runner runs the process directly."""
    monkeypatch.setenv("VISUAL", str(appending_editor))
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id, runner=subprocess.call)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: editor.text_area.text.endswith("appended by the editor\n"))
        assert editor.text_area.text == ORIGINAL + "appended by the editor\n"
        assert editor.dirty and case.updates == []
        await pilot.press("ctrl+z")  # it came back as an edit: undo takes it back
        await until(pilot, lambda: editor.text_area.text == ORIGINAL)


async def test_direct_external_edit_saves_and_closes(case: NoteCase, appending_editor: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISUAL", str(appending_editor))
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = NoteEditor(CID, case.note_id, external=True, runner=subprocess.call)
        await app.push_screen(editor)
        await until(pilot, lambda: editor not in app.screen_stack)
        assert case.note["note_content"] == ORIGINAL + "appended by the editor\n"
        assert editor.saved is not None


async def test_without_a_terminal_to_suspend_ctrl_e_says_so(case: NoteCase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISUAL", "true")
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id)  # default runner: App.suspend()
        await pilot.press("ctrl+e")
        await until(pilot, lambda: "External editor" in status(editor))
        assert "cannot be handed to an external editor" in status(editor)
        assert editor.text_area.text == ORIGINAL and app.screen is editor


async def test_missing_editor_is_reported(case: NoteCase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISUAL", "/nonexistent/editor")
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id, runner=subprocess.call)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: "not found" in status(editor))
        assert editor.text_area.text == ORIGINAL


# -- revisions ------------------------------------------------------------------------------------


async def test_revisions_list_view_and_restore(case: NoteCase) -> None:
    colleague = IrisClient(URL, DEMO_API_KEY, transport=DemoTransport(case.demo))
    async with colleague:
        await colleague.notes.update(CID, case.note_id, title="Host triage", content="second version\n")
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id)
        assert editor.text_area.text == "second version\n"
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, RevisionsScreen))
        screen = app.screen
        await until(pilot, lambda: len(screen.rows.rows) == 2)
        assert [r.revision_number for r in screen.rows.rows] == [2, 1]  # newest first
        await until(pilot, lambda: "Revision 2" in screen_text(app))
        assert screen.query_one("#rev-text").text == ORIGINAL
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await until(pilot, lambda: app.screen is editor and not editor.saving
                    and case.note["note_content"] == ORIGINAL)
        assert editor.text_area.text == ORIGINAL
        assert "Saved" in status(editor)


# -- read-only, hostile text -----------------------------------------------------------------------


async def test_read_only_session_refuses_to_save(case: NoteCase) -> None:
    app = IrisApp(session_on(case.demo, read_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id)
        await type_at_end(pilot, editor, "nope")
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert case.updates == [] and case.sent("GET", f"/case/notes/{case.note_id}")[-1:] != []
        assert case.note["note_content"] == ORIGINAL


HOSTILE = "[bold red]x[/] \x1b[31mred\x1b]52;c;aGk=\x07 \u202egpj.exe"


async def test_hostile_text_is_painted_inert_and_saved_unchanged() -> None:
    case = NoteCase(content=f"line one\n{HOSTILE}\n", title=f"T \x1b[2J{HOSTILE}")
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id)
        assert editor.text_area.text == f"line one\n{HOSTILE}\n"  # the document is exact
        painted = "".join(seg.text for y in range(3) for seg in editor.text_area.render_line(y))
        assert "\x1b" not in painted and "\u202e" not in painted
        assert "␛[31mred␛]52;c;aGk=" in painted
        assert "\x1b" not in editor.title_input.value
        assert "Control/invisible characters" in status(editor)
        screen = screen_text(app)
        assert "\x1b]52" not in screen and "[bold red]x[/]" in screen
        await type_at_end(pilot, editor, "ok")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Saved" in status(editor))
        # the untouched title went back as it was, control characters included
        assert case.updates[-1].json["note_title"] == f"T \x1b[2J{HOSTILE}"
        assert case.note["note_content"] == f"line one\n{HOSTILE}\nok"


async def test_fits_80x24_and_toggles(case: NoteCase) -> None:
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, case.note_id)
        await pilot.pause()
        assert editor.text_area.size.height >= 19
        text = screen_text(app)
        assert "Control/invisible" not in text  # a plain note has nothing to warn about
        for key in ("Save", "Back", "$EDITOR", "Revisions"):
            assert key in text
        assert editor.text_area.language in ("markdown", None)
        await pilot.press("ctrl+l")
        assert editor.text_area.show_line_numbers
        await pilot.press("alt+z")
        assert not editor.text_area.soft_wrap
        assert os.environ.get("IRIS_TUI_STATE_DIR")
