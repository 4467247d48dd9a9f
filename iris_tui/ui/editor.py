"""The full-screen note editor: never loses a keystroke, never overwrites a colleague silently.

- Every change is written to a local draft (`iris_tui.drafts`) at most DRAFT_INTERVAL seconds
  later, in a thread, and again when the screen goes away (quit included). The draft is removed
  only once the server confirmed a save of exactly that text.
- Saving first fetches the note: if its fingerprint moved since the text was opened, nothing is
  sent and the conflict screen shows both versions (keep mine / take theirs / mine as new note).
  An answer lost on the way (the save landed, the reply did not) is recognised on retry: the
  server then already holds this text.
- A failed save keeps the editor open with its text and the draft on disk; ctrl+s retries.
- Opening a note that has a draft differing from the server offers to restore it.
- ctrl+e (or `E` in the Notes tab) hands the text to $VISUAL/$EDITOR and takes the result back.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, Static, TextArea

from iris_tui.api import IrisError
from iris_tui.api.errors import IrisBadRequestError, IrisNotFoundError, IrisValidationError
from iris_tui.api.notes import MAX_TITLE, Note, NoteRevision, note_fingerprint
from iris_tui.drafts import Draft, DraftStore
from iris_tui.ui import external
from iris_tui.ui.chrome import AppHeader
from iris_tui.ui.note_diff import ConflictScreen, DraftScreen
from iris_tui.ui.note_dialogs import LeaveScreen
from iris_tui.ui.text import plain
from iris_tui.ui.widgets.safetextarea import SafeTextArea, has_unsafe, markdown_editor

if TYPE_CHECKING:
    from iris_tui.api import IrisClient
    from iris_tui.ui.app import IrisApp

DRAFT_INTERVAL = 0.5  # seconds: the most typing a crash can lose
MINE_SUFFIX = " (my version)"


def mine_title(title: str) -> str:
    """The title of "save mine as a new note", within IRIS's limit."""
    base = title or "Untitled"
    return base[: MAX_TITLE - len(MINE_SUFFIX)] + MINE_SUFFIX


def drafts_for(app: Any) -> DraftStore:
    """The drafts of the app's server (keyed by its URL, never the key)."""
    return DraftStore(app.session.url)


class NoteEditor(Screen[Note | None]):
    """Edit note `note_id` of case `cid`. Dismisses with the last saved Note (or None).

    `external`: hand the text to $EDITOR as soon as it is loaded, save what comes back and
    close. `runner`: how to run the external editor (tests inject one; default: suspend the
    app and run it in the terminal).
    """

    HELP_TITLE = "note editor"
    CSS_PATH = "editor.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="editor.save", priority=True),
        Binding("escape", "back", "Back", id="editor.back", priority=True),
        Binding("ctrl+e", "external", "$EDITOR", id="editor.external", priority=True),
        Binding("ctrl+r", "revisions", "Revisions", id="editor.revisions", priority=True),
        Binding("ctrl+t", "toggle_title", "Title", id="editor.title", priority=True),
        Binding("ctrl+l", "line_numbers", "Line numbers", id="editor.line_numbers", show=False,
                priority=True),
        Binding("alt+z", "soft_wrap", "Wrap", id="editor.wrap", show=False, priority=True),
        Binding("f1", "app.help", "Help", id="editor.help", show=False),
    ]

    def __init__(self, cid: int, note_id: int, *, external: bool = False,
                 runner: Callable[[list[str]], int] | None = None) -> None:
        super().__init__()
        self.cid = cid
        self.note_id = note_id
        self.external_on_open = external
        self.runner = runner
        self.server_note: Note | None = None  # the server's version as last seen
        self.base_fingerprint: str | None = None  # the server version this text started from
        self.saved: Note | None = None  # the last version this editor saved
        self.ready = False
        self.saving = False
        self.load_failed = False
        self.drafts: DraftStore | None = None
        self._title_raw = ""  # the title as loaded; the Input shows it cleaned
        self._draft_timer: Timer | None = None
        self._draft_lock = threading.Lock()
        self._draft_seq = 0
        self._draft_done = 0
        self._skip_text_changes = 0
        self._skip_title_changes = 0
        self._discarded = False
        self._state = ""
        self._message: Text = Text()
        # kept as attributes: on unmount (quit) the children are gone from the DOM already,
        # and the last text still has to reach the draft
        self._area = markdown_editor(read_only=True, id="text")
        self._box = Input(id="title", max_length=MAX_TITLE, disabled=True, placeholder="note title")

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Horizontal(id="title-row"):
            yield Label("Title ", id="title-label")
            yield self._box
        yield Static(id="editor-status")
        yield self._area
        yield Footer()

    @property
    def iris(self) -> IrisClient:
        app: IrisApp = self.app  # type: ignore[assignment]
        assert app.session is not None
        return app.session.client

    @property
    def text_area(self) -> SafeTextArea:
        return self._area

    @property
    def title_input(self) -> Input:
        return self._box

    def crumbs(self) -> list[str]:
        case = next((getattr(s, "case_title") for s in reversed(self.app.screen_stack)
                     if hasattr(s, "case_title")), f"#{self.cid}")
        return [case, "Notes", self.current_title() or f"note #{self.note_id}"]

    def refresh_header(self) -> None:
        for header in self.query(AppHeader):
            header.refresh_header()

    def on_mount(self) -> None:
        self.drafts = drafts_for(self.app)
        self._open()

    # -- status line ------------------------------------------------------------------------

    def _show(self, message: str | Text = "", *, state: str | None = None, error: bool = False) -> None:
        if state is not None:
            self._state = state
        self._message = message if isinstance(message, Text) else Text(message)
        line = Text()
        if self._state:
            line.append(f" {self._state} ", style="bold reverse")
            line.append(" ")
        line.append_text(self._message)
        status = self.query_one("#editor-status", Static)
        status.set_class(error, "-error")
        status.update(line)

    # -- opening ----------------------------------------------------------------------------

    @work(exclusive=True, group="open")
    async def _open(self) -> None:
        assert self.drafts is not None
        self.load_failed = False
        self._show("Loading the note…")
        draft = await asyncio.to_thread(self.drafts.load, self.cid, self.note_id)
        try:
            note = await self.iris.notes.get(self.cid, self.note_id)
        except IrisError as exc:
            self.load_failed = True
            kept = " Your local draft of it is safe." if draft is not None else ""
            self._show(Text.assemble("Could not load the note: ", plain(exc, limit=200),
                                     f".{kept} ctrl+s retries, esc goes back."), error=True)
            return
        text, title, base = note.content, note.title, note.fingerprint
        if draft is not None and (draft.text, draft.title) == (note.content, note.title):
            await asyncio.to_thread(self.drafts.delete, self.cid, self.note_id)  # it was saved
            draft = None
        if draft is not None:
            choice = await self.app.push_screen_wait(DraftScreen(draft, note))
            if choice is None:  # decide later: the draft stays where it is
                self._close()
                return
            if choice == "restore":
                text, title = draft.text, draft.title
                base = draft.fingerprint or note.fingerprint
            else:
                await asyncio.to_thread(self.drafts.backup, draft)
                await asyncio.to_thread(self.drafts.delete, self.cid, self.note_id)
        self.server_note = note
        self.base_fingerprint = base
        self._load_widgets(title, text)
        self.ready = True
        restored = draft is not None and text == draft.text and title == draft.title
        hidden = has_unsafe(text) or has_unsafe(title)
        message = "Draft restored: ctrl+s saves it." if restored else "ctrl+s saves, esc goes back."
        if hidden:
            message += " Control/invisible characters are shown as ␛ or ¤ (kept as they are)."
        self._show(message, state="modified" if restored else "")
        if self.external_on_open:
            await self._external_then_save()

    def _load_widgets(self, title: str, text: str) -> None:
        """Put a version in the editor without it counting as a change."""
        area, box = self.text_area, self.title_input
        self._skip_text_changes += 1
        area.load_text(text)
        self._title_raw = title
        if box.value != plain(title):
            self._skip_title_changes += 1
            box.value = plain(title)  # an Input paints controls raw: it only gets the clean form
        box.disabled = False
        area.read_only = False
        area.focus()
        self.refresh_header()

    # -- what is being edited ---------------------------------------------------------------

    def current_title(self) -> str:
        """The title to save: the original one unless the user changed the cleaned form."""
        value = self.title_input.value
        return self._title_raw if value == plain(self._title_raw) else value

    def current_text(self) -> str:
        return self.text_area.text

    @property
    def dirty(self) -> bool:
        if not self.ready or self.server_note is None:
            return False
        return (self.current_title(), self.current_text()) != (self.server_note.title, self.server_note.content)

    # -- drafts -----------------------------------------------------------------------------

    @on(TextArea.Changed, "#text")
    def _text_changed(self, event: TextArea.Changed) -> None:
        if self._skip_text_changes:
            self._skip_text_changes -= 1
            return
        self._changed()

    @on(Input.Changed, "#title")
    def _title_changed(self, event: Input.Changed) -> None:
        if self._skip_title_changes:
            self._skip_title_changes -= 1
            return
        self._changed()
        self.refresh_header()

    @on(Input.Submitted, "#title")
    def _title_done(self, event: Input.Submitted) -> None:
        self.text_area.focus()

    def _changed(self) -> None:
        if not self.ready:
            return
        if self._state != "modified":
            self._show(self._message, state="modified")
        if self._draft_timer is None:  # at most one write per interval, even while typing
            self._draft_timer = self.set_timer(DRAFT_INTERVAL, self._draft_due)

    def _draft_due(self) -> None:
        self._draft_timer = None
        if not self._discarded:
            self._queue_draft()

    def _snapshot(self) -> tuple[Draft | None, int]:
        """The draft to write now (None: the text equals the server's, remove it) and its turn."""
        self._draft_seq += 1
        if not self.dirty:
            return None, self._draft_seq
        note = self.server_note
        return Draft(
            case_id=self.cid, note_id=self.note_id, text=self.current_text(),
            title=self.current_title(), fingerprint=self.base_fingerprint,
            directory_id=note.directory_id if note is not None else None,
        ), self._draft_seq

    def _queue_draft(self) -> None:
        draft, seq = self._snapshot()
        if draft is None and self._state == "modified" and not self.saving:
            self._show(self._message, state="")
        self.run_worker(lambda: self._write_draft(draft, seq, in_thread=True), thread=True,
                        group="draft", exit_on_error=False)

    async def _flush_draft(self) -> None:
        """Write the draft now (before a save or an external editor) and wait for it."""
        self._cancel_draft_timer()
        draft, seq = self._snapshot()
        await asyncio.to_thread(self._write_draft, draft, seq, in_thread=True)

    def _write_draft(self, draft: Draft | None, seq: int, *, in_thread: bool) -> None:
        """Write or remove the draft; writes land in the order they were taken."""
        assert self.drafts is not None
        with self._draft_lock:
            if seq <= self._draft_done:
                return
            try:
                if draft is None:
                    self.drafts.delete(self.cid, self.note_id)
                else:
                    self.drafts.save(draft)
            except OSError as exc:
                message = f"could not write the local draft: {exc.strerror or exc}"
                if in_thread:
                    self.app.call_from_thread(self.notify, message, severity="error", markup=False)
                else:
                    self.notify(message, severity="error", markup=False)
                return
            self._draft_done = seq

    def _cancel_draft_timer(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None

    def on_unmount(self) -> None:
        """Leaving by any way (quit included): the latest text goes to disk first."""
        self._cancel_draft_timer()
        if self.ready and not self._discarded and self.drafts is not None:
            draft, seq = self._snapshot()
            self._write_draft(draft, seq, in_thread=False)

    # -- saving -----------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.load_failed:
            self._open()
            return
        if not self.ready or self.saving:
            return
        if self.app.refuse_write():  # type: ignore[attr-defined]
            return
        self._save_worker(close=False)

    @work(group="save")
    async def _save_worker(self, close: bool) -> None:
        if await self.save() and close:
            self._close()

    async def save(self) -> bool:
        """Save with the lost-update check. True when the server holds what the editor shows
        (or the user chose theirs); False when nothing was saved."""
        if self.saving:
            return False
        self.saving = True
        try:
            return await self._save()
        finally:
            self.saving = False

    async def _save(self) -> bool:
        title, text = self.current_title(), self.current_text()
        self._show("Saving…")
        await self._flush_draft()
        try:
            theirs: Note | None = await self.iris.notes.get(self.cid, self.note_id)
        except (IrisNotFoundError, IrisBadRequestError):
            theirs = None  # "Invalid note ID": deleted on the server meanwhile
        except IrisError as exc:
            return self._failed(exc)
        if theirs is not None and theirs.fingerprint == note_fingerprint(title, text):
            self._saved(theirs)  # already there: an earlier save whose answer was lost
            return True
        if theirs is None or theirs.fingerprint != self.base_fingerprint:
            self._show("The note changed on the server: nothing was saved yet.", error=True)
            choice = await self.app.push_screen_wait(ConflictScreen(title, text, theirs))
            if choice is None:
                self._show("Not saved (the server has another version). ctrl+s to decide again.",
                           error=True)
                return False
            if choice == "theirs" and theirs is not None:
                await self._take_theirs(theirs, title, text)
                return True
            if choice == "new":
                return await self._save_as_new(title, text, theirs)
        try:
            saved = await self.iris.notes.update(self.cid, self.note_id, title=title, content=text)
        except IrisValidationError as exc:
            self._show(Text.assemble("Not saved: ", plain(exc, limit=300)), error=True)
            return False
        except IrisError as exc:
            return self._failed(exc)
        self._saved(saved)
        return True

    def _failed(self, exc: IrisError) -> bool:
        self._show(Text.assemble(
            "Not saved: ", plain(exc, limit=200),
            ". Your text is kept here and in the local draft: ctrl+s retries."), error=True)
        self.notify("The note was not saved: ctrl+s retries", severity="error", markup=False)
        return False

    def _saved(self, note: Note) -> None:
        self.server_note = note
        self.base_fingerprint = note.fingerprint
        self.saved = note
        if self.title_input.value == plain(note.title):
            self._title_raw = note.title
        still = self.dirty  # typed on while the save was on its way
        self._show("Saved; more changes since." if still else "Saved.",
                   state="modified" if still else "saved")
        self._queue_draft()  # removes the draft, or rewrites it against the new version
        self.refresh_header()

    async def _take_theirs(self, theirs: Note, title: str, text: str) -> None:
        assert self.drafts is not None
        mine = Draft(case_id=self.cid, note_id=self.note_id, text=text, title=title,
                     fingerprint=self.base_fingerprint, directory_id=theirs.directory_id)
        path = await asyncio.to_thread(self.drafts.backup, mine)
        self.server_note = theirs
        self.base_fingerprint = theirs.fingerprint
        self._load_widgets(theirs.title, theirs.content)
        self._show(Text.assemble("Took the server's version. Yours is kept in ",
                                 plain(str(path), limit=120)), state="")
        self._queue_draft()

    async def _save_as_new(self, title: str, text: str, theirs: Note | None) -> bool:
        known = theirs or self.server_note
        directory = known.directory_id if known is not None else None
        if directory is None:
            self._show("Not saved: the note's directory is unknown.", error=True)
            return False
        try:
            created = await self.iris.notes.add(self.cid, directory=directory, title=mine_title(title),
                                                content=text)
        except IrisError as exc:
            return self._failed(exc)
        assert self.drafts is not None
        old = self.note_id
        self._cancel_draft_timer()
        await asyncio.to_thread(self.drafts.delete, self.cid, old)
        self.note_id = created.note_id
        self.server_note = created
        self.base_fingerprint = created.fingerprint
        self.saved = created
        self._load_widgets(created.title, self.current_text())
        self._show(f"Saved as a new note (#{created.note_id}); the original keeps the server's text.",
                   state="saved")
        self._queue_draft()
        return True

    # -- leaving ----------------------------------------------------------------------------

    def action_back(self) -> None:
        if not self.ready or not self.dirty:
            self._close()
            return
        self._ask_leave()

    @work(group="leave")
    async def _ask_leave(self) -> None:
        choice = await self.app.push_screen_wait(LeaveScreen())
        if choice == "save":
            if self.app.refuse_write():  # type: ignore[attr-defined]
                return
            if await self.save():
                self._close()
        elif choice == "discard":
            assert self.drafts is not None
            draft, _ = self._snapshot()
            self._discarded = True
            self._cancel_draft_timer()
            if draft is not None:
                await asyncio.to_thread(self.drafts.backup, draft)
            await asyncio.to_thread(self.drafts.delete, self.cid, self.note_id)
            self.dismiss(self.saved)

    def _close(self) -> None:
        self.dismiss(self.saved)

    # -- external editor ----------------------------------------------------------------------

    def action_external(self) -> None:
        if self.ready:
            self._external_worker()

    @work(group="external", exclusive=True)
    async def _external_worker(self) -> None:
        await self._external()

    async def _external(self) -> bool | None:
        """Round trip through $VISUAL/$EDITOR. True: text changed, False: unchanged, None: failed."""
        text = self.current_text()
        await self._flush_draft()  # the editor may take minutes; the draft is safe first
        run = self.runner or external.terminal_runner(self.app)
        try:
            result = external.edit_text(text, run, name_hint=f"case{self.cid}-note{self.note_id}")
        except external.ExternalEditorError as exc:
            self._show(Text.assemble("External editor: ", plain(exc, limit=300)), error=True)
            self.notify(str(exc), severity="error", markup=False)
            return None
        if result == text:
            self._show("No change in the external editor.")
            return False
        area = self.text_area
        area.replace(result, (0, 0), area.document.end)  # an edit: ctrl+z takes it back
        self._show("Text taken back from the external editor: ctrl+s saves.")
        return True

    async def _external_then_save(self) -> None:
        changed = await self._external()
        if changed is False:
            self._close()
        elif changed and not self.app.refuse_write() and await self.save():  # type: ignore[attr-defined]
            self._close()

    # -- revisions ----------------------------------------------------------------------------

    def action_revisions(self) -> None:
        if self.ready:
            self._revisions_worker()

    @work(group="revisions", exclusive=True)
    async def _revisions_worker(self) -> None:
        from iris_tui.ui.revisions import RevisionsScreen

        revision = await self.app.push_screen_wait(
            RevisionsScreen(self.cid, self.note_id, self.current_title()))
        if revision is not None:
            await self.restore(revision)

    async def restore(self, revision: NoteRevision) -> bool:
        """Put a revision's title and text in the editor and save them (an ordinary update)."""
        if self.app.refuse_write():  # type: ignore[attr-defined]
            return False
        if self.dirty and self.drafts is not None:
            draft, _ = self._snapshot()
            if draft is not None:
                await asyncio.to_thread(self.drafts.backup, draft)
        area = self.text_area
        area.replace(revision.content, (0, 0), area.document.end)
        if self.title_input.value != plain(revision.title):
            self.title_input.value = plain(revision.title)
        self._title_raw = revision.title
        return await self.save()

    # -- view toggles -------------------------------------------------------------------------

    def action_toggle_title(self) -> None:
        if self.title_input.has_focus:
            self.text_area.focus()
        elif not self.title_input.disabled:
            self.title_input.focus()

    def action_line_numbers(self) -> None:
        self.text_area.show_line_numbers = not self.text_area.show_line_numbers

    def action_soft_wrap(self) -> None:
        self.text_area.soft_wrap = not self.text_area.soft_wrap
