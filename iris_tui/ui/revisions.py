"""A note's revisions (IRIS 2.4.8+): the list, the highlighted one's text, and restoring one.

IRIS stores the note's previous title and text as a new revision on every update, so the list
shows the versions *before* each edit (revision 1 is the text at creation); the current text
is the note itself. Restoring is done by the editor as an ordinary update, through the same
lost-update check as any save: this screen only answers with the revision to restore.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from iris_tui.api import IrisError
from iris_tui.api.notes import NoteRevision, NoteRevisionInfo
from iris_tui.ui.note_dialogs import ConfirmScreen
from iris_tui.ui.text import plain, safe
from iris_tui.ui.widgets.rowlist import Column, RowList
from iris_tui.ui.widgets.safetextarea import SafeTextArea, markdown_editor

PREVIEW_DELAY = 0.1  # seconds the cursor rests on a revision before it is fetched


def _when(info: NoteRevisionInfo) -> str:
    stamp = info.revision_timestamp
    return f"{stamp:%Y-%m-%d %H:%M:%S}" if stamp is not None else ""


COLUMNS = [
    Column("n", "#", lambda r: r.revision_number, width=5, justify="right"),
    Column("when", "saved (UTC)", _when, width=20, sort_key=lambda r: r.revision_timestamp),
    Column("by", "by", lambda r: r.user_name, min_width=8),
]


class RevisionsScreen(ModalScreen[NoteRevision | None]):
    """Revisions of one note. enter looks at one, R restores it (after a confirmation)."""

    HELP_TITLE = "note revisions"
    DEFAULT_CSS = """
    RevisionsScreen { align: center middle; }
    RevisionsScreen > Vertical { width: 100%; height: 100%; border: round $primary;
        background: $surface; padding: 0 1; }
    RevisionsScreen .dialog-title { text-style: bold; }
    RevisionsScreen RowList { height: 9; }
    RevisionsScreen .rev-head { height: 1; margin-top: 1; color: $text-muted; }
    RevisionsScreen SafeTextArea { height: 1fr; border: none; }
    """
    BINDINGS = [
        Binding("R,shift+r", "restore", "Restore", id="revisions.restore"),
        Binding("escape", "back", "Back", id="revisions.back"),
    ]

    def __init__(self, cid: int, note_id: int, title: str) -> None:
        super().__init__()
        self.cid, self.note_id, self.note_title = cid, note_id, title
        self._cache: dict[int, NoteRevision] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            head = Text("Revisions of ", style="bold")
            head.append_text(safe(self.note_title or "(untitled)", limit=60, style="bold"))
            yield Static(head, classes="dialog-title")
            yield Static(Text("Each is the text before an edit; the current text is the note "
                              "itself.   enter view   R restore   esc back", style="dim"))
            yield RowList(COLUMNS, key=lambda r: r.revision_number, multi_select=False,
                          empty_text="Loading…")
            yield Static(classes="rev-head")
            yield markdown_editor(read_only=True, soft_wrap=True, id="rev-text")

    @property
    def rows(self) -> RowList:
        return self.query_one(RowList)

    def on_mount(self) -> None:
        self.rows.focus()
        self._load()

    @work(exclusive=True, group="revisions")
    async def _load(self) -> None:
        try:
            revisions = await self.app.session.client.notes.revisions(self.cid, self.note_id)  # type: ignore[attr-defined]
        except IrisError as exc:
            self.rows.empty_text = f"Could not load the revisions: {plain(exc, limit=200)}"
            self.rows.set_rows([])
            return
        self.rows.empty_text = "This note has no revisions (IRIS 2.4.8+ keeps them)"
        self.rows.set_rows(revisions)

    @on(RowList.Highlighted)
    def _highlighted(self, event: RowList.Highlighted) -> None:
        if event.row is not None:
            self._preview(event.row.revision_number)

    @on(RowList.Chosen)
    def _chosen(self, event: RowList.Chosen) -> None:
        self.query_one("#rev-text", SafeTextArea).focus()

    @work(exclusive=True, group="preview")
    async def _preview(self, number: int) -> None:
        await asyncio.sleep(PREVIEW_DELAY)
        head = self.query_one(".rev-head", Static)
        revision = self._cache.get(number)
        if revision is None:
            head.update(Text(f"Loading revision {number}…"))
            try:
                revision = await self.app.session.client.notes.revision(  # type: ignore[attr-defined]
                    self.cid, self.note_id, number)
            except IrisError as exc:
                head.update(Text(f"Could not load revision {number}: {plain(exc, limit=200)}"))
                return
            self._cache[number] = revision
        line = Text(f"Revision {number}: ")
        line.append_text(safe(revision.title or "(untitled)", limit=80))
        head.update(line)
        self.query_one("#rev-text", SafeTextArea).load_text(revision.content)

    @work(group="restore")
    async def action_restore(self) -> None:
        row = self.rows.cursor_row
        if row is None:
            return
        revision = self._cache.get(row.revision_number)
        if revision is None:
            self.notify("wait for the revision to load", severity="warning", markup=False)
            return
        question = Text(f"Restore revision {revision.revision_number}? ", style="bold")
        question.append("The note gets this title and text back as a new save; the current text "
                        "becomes a revision too.")
        if await self.app.push_screen_wait(ConfirmScreen(question)):
            self.dismiss(revision)

    def action_back(self) -> None:
        text = self.query_one("#rev-text", SafeTextArea)
        if text.has_focus:
            self.rows.focus()
        else:
            self.dismiss(None)
