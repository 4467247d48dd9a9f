"""What the Notes tab can change: open a note in the editor (or straight in $EDITOR), create,
rename, move and delete notes and directories. Mixed into `NotesTab`, which provides the tree,
`self.note`, `self.directories`, `fetch()` and `show()`.

Every write asks `app.refuse_write()` first (read-only profiles) and runs in a worker; after it
the tree is fetched again and the cursor goes back to what was acted on.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual import work
from textual.widgets.tree import TreeNode

from iris_tui.api import IrisError
from iris_tui.api.notes import MAX_TITLE, Directory, Note, NoteRef, find_directory, walk
from iris_tui.ui.editor import NoteEditor, drafts_for
from iris_tui.ui.note_dialogs import TOP_LEVEL, ConfirmScreen, DirectoryPicker, TextPrompt
from iris_tui.ui.text import plain, safe


def _quoted(prefix: str, name: str, suffix: str = "") -> Text:
    out = Text(prefix)
    out.append_text(safe(name or "(untitled)", limit=80, style="bold"))
    out.append(suffix)
    return out


class NoteActions:
    """The editing keys of the Notes tab (bindings live on the tab)."""

    cid: int
    note: Note | None
    directories: list[Directory]

    # -- what the cursor is on ------------------------------------------------------------------

    def _target(self) -> NoteRef | Directory | None:
        """The highlighted search result, else the tree's cursor node."""
        results = self.query_one("#notes-results")  # type: ignore[attr-defined]
        if results.has_focus and results.cursor_row is not None:
            row = results.cursor_row
            return NoteRef(id=row.note_id, title=row.title, directory_id=row.directory_id)
        node = self.note_tree.cursor_node  # type: ignore[attr-defined]
        data = node.data if node is not None else None
        return data if isinstance(data, (NoteRef, Directory)) else None

    def _here(self) -> Directory | None:
        """The directory new things go into: the highlighted one, or the highlighted note's."""
        target = self._target()
        if isinstance(target, Directory):
            return target
        if isinstance(target, NoteRef) and target.directory_id is not None:
            return find_directory(self.directories, target.directory_id)
        return None

    def _refuse(self) -> bool:
        return self.app.refuse_write()  # type: ignore[attr-defined]

    def _error(self, what: str, exc: IrisError) -> None:
        self.app.notify(f"{what}: {plain(exc, limit=200)}", severity="error", markup=False)  # type: ignore[attr-defined]

    # -- editor ---------------------------------------------------------------------------------

    def open_editor(self, note_id: int, *, external: bool = False) -> None:
        def closed(saved: Note | None) -> None:
            if saved is not None:
                self.note = saved
                self._reload(note=saved.note_id)

        self.app.push_screen(NoteEditor(self.cid, note_id, external=external), closed)  # type: ignore[attr-defined]

    def action_edit_note(self, external: bool = False) -> None:
        target = self._target()
        if not isinstance(target, NoteRef):
            self.app.notify("highlight a note to edit it", severity="warning", markup=False)  # type: ignore[attr-defined]
            return
        if not self._refuse():
            self.open_editor(target.id, external=external)

    # -- refresh --------------------------------------------------------------------------------

    @work(exclusive=True, group="load")
    async def _reload(self, *, note: int | None = None, directory: int | None = None) -> None:
        """Fetch the tree again, then put the cursor on `note` or `directory`."""
        try:
            data = await self.fetch()  # type: ignore[attr-defined]
        except IrisError as exc:
            self._error("Could not reload the notes", exc)
            return
        self.show(data)  # type: ignore[attr-defined]
        if note is not None and self.select_key(note):  # type: ignore[attr-defined]
            self._load_note(note)  # type: ignore[attr-defined]  # the same line: no new highlight
        elif directory is not None:
            node = _find_node(self.note_tree.root, directory)  # type: ignore[attr-defined]
            if node is not None:
                self.note_tree.move_to(node)  # type: ignore[attr-defined]

    # -- create ---------------------------------------------------------------------------------

    def action_new_note(self) -> None:
        if not self._refuse():
            self._new_note()

    @work(group="note-write")
    async def _new_note(self) -> None:
        directory = self._here()
        if directory is None:
            self.app.notify("create a directory first (N)", severity="warning", markup=False)  # type: ignore[attr-defined]
            return
        title = await self.app.push_screen_wait(TextPrompt(  # type: ignore[attr-defined]
            _quoted("New note in ", directory.name), placeholder="title", max_length=MAX_TITLE))
        if title is None:
            return
        try:
            created = await self.iris.notes.add(self.cid, directory=directory.id, title=title)  # type: ignore[attr-defined]
        except IrisError as exc:
            self._error("Could not create the note", exc)
            return
        self._reload(note=created.note_id)
        self.open_editor(created.note_id)

    def action_new_directory(self) -> None:
        if not self._refuse():
            self._new_directory()

    @work(group="note-write")
    async def _new_directory(self) -> None:
        parent: int | None = None
        if self.directories:
            here = self._here()
            picked = await self.app.push_screen_wait(DirectoryPicker(  # type: ignore[attr-defined]
                Text("Create the new directory in…", style="bold"), self.directories,
                top_level=True, current=here.id if here else None))
            if picked is None:
                return
            parent = None if picked == TOP_LEVEL else picked
        name = await self.app.push_screen_wait(TextPrompt("New directory", placeholder="name"))  # type: ignore[attr-defined]
        if name is None:
            return
        try:
            made = await self.iris.notes.add_directory(self.cid, name, parent=parent)  # type: ignore[attr-defined]
        except IrisError as exc:
            self._error("Could not create the directory", exc)
            return
        self._reload(directory=made.id)

    # -- rename ---------------------------------------------------------------------------------

    def action_rename(self) -> None:
        if not self._refuse():
            self._rename()

    @work(group="note-write")
    async def _rename(self) -> None:
        target = self._target()
        if target is None:
            return
        if isinstance(target, NoteRef):
            title = await self.app.push_screen_wait(TextPrompt(  # type: ignore[attr-defined]
                "Rename note", value=target.title, max_length=MAX_TITLE))
            if title is None or title == plain(target.title):
                return
            try:
                await self.iris.notes.update(self.cid, target.id, title=title)  # type: ignore[attr-defined]
            except IrisError as exc:
                self._error("Could not rename the note", exc)
                return
            self._reload(note=target.id)
            return
        name = await self.app.push_screen_wait(TextPrompt("Rename directory", value=target.name))  # type: ignore[attr-defined]
        if name is None or name == plain(target.name):
            return
        try:
            await self.iris.notes.rename_directory(self.cid, target.id, name)  # type: ignore[attr-defined]
        except IrisError as exc:
            self._error("Could not rename the directory", exc)
            return
        self._reload(directory=target.id)

    # -- move -----------------------------------------------------------------------------------

    def action_move(self) -> None:
        if not self._refuse():
            self._move()

    @work(group="note-write")
    async def _move(self) -> None:
        target = self._target()
        if target is None:
            return
        if isinstance(target, NoteRef):
            picked = await self.app.push_screen_wait(DirectoryPicker(  # type: ignore[attr-defined]
                _quoted("Move ", target.title, " to…"), self.directories, current=target.directory_id))
            if picked is None or picked == target.directory_id:
                return
            try:
                await self.iris.notes.move(self.cid, target.id, picked)  # type: ignore[attr-defined]
            except IrisError as exc:
                self._error("Could not move the note", exc)
                return
            self._reload(note=target.id)
            return
        parent = _parent_id(self.directories, target.id)
        picked = await self.app.push_screen_wait(DirectoryPicker(  # type: ignore[attr-defined]
            _quoted("Move directory ", target.name, " to…"), self.directories, exclude=target.id,
            top_level=True, current=parent))
        if picked is None or picked == (parent or TOP_LEVEL):
            return
        try:
            await self.iris.notes.move_directory(  # type: ignore[attr-defined]
                self.cid, target.id, None if picked == TOP_LEVEL else picked)
        except IrisError as exc:
            self._error("Could not move the directory", exc)
            return
        self._reload(directory=target.id)

    # -- delete ---------------------------------------------------------------------------------

    def action_delete(self) -> None:
        if not self._refuse():
            self._delete()

    @work(group="note-write")
    async def _delete(self) -> None:
        target = self._target()
        if target is None:
            return
        if isinstance(target, NoteRef):
            question = _quoted("Delete the note ", target.title,
                               "? Its revisions and comments are deleted too.")
            if not await self.app.push_screen_wait(ConfirmScreen(question, danger=True)):  # type: ignore[attr-defined]
                return
            try:
                await self.iris.notes.delete(self.cid, target.id)  # type: ignore[attr-defined]
            except IrisError as exc:
                self._error("Could not delete the note", exc)
                return
            await _drop_draft(self, target.id)
            self._reload(directory=target.directory_id)
            return
        inside = list(target.walk())
        notes = sum(len(d.notes) for d in inside)
        question = _quoted("Delete the directory ", target.name,
                           f" with everything in it ({notes} notes, {len(inside) - 1} sub-directories)?")
        if not await self.app.push_screen_wait(ConfirmScreen(question, danger=True)):  # type: ignore[attr-defined]
            return
        try:
            await self.iris.notes.delete_directory(self.cid, target.id)  # type: ignore[attr-defined]
        except IrisError as exc:
            self._error("Could not delete the directory", exc)
            return
        for directory in inside:
            for ref in directory.notes:
                await _drop_draft(self, ref.id)
        self._reload(directory=_parent_id(self.directories, target.id))


async def _drop_draft(tab: Any, note_id: int) -> None:
    """A deleted note's local draft becomes a backup: nothing typed is thrown away."""
    store = drafts_for(tab.app)
    draft = await asyncio.to_thread(store.load, tab.cid, note_id)
    if draft is not None:
        await asyncio.to_thread(store.backup, draft)
        await asyncio.to_thread(store.delete, tab.cid, note_id)


def _parent_id(directories: list[Directory], directory_id: int) -> int | None:
    for directory in walk(directories):
        if any(child.id == directory_id for child in directory.children):
            return directory.id
    return None


def _find_node(root: TreeNode[Any], directory_id: int) -> TreeNode[Any] | None:
    for child in root.children:
        if isinstance(child.data, Directory) and child.data.id == directory_id:
            return child
        found = _find_node(child, directory_id)
        if found is not None:
            return found
    return None
