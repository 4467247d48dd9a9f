"""Notes tab: the directory tree with its notes, the highlighted note rendered as markdown, and
server-side note search.

A note is fetched when the tree cursor rests on it (its comments come with it). Markdown is
parsed by Textual's Markdown widget, never as Textual markup, and control characters are made
visible before it sees them; links are not opened by a click (the text is the attacker's).
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Input, Markdown, Static, Tree
from textual.widgets.tree import TreeNode

from iris_tui.api import IrisError
from iris_tui.api.notes import Directory, Note, NoteRef, walk
from iris_tui.ui.forms.comment import CommentsScreen
from iris_tui.ui.note_actions import NoteActions
from iris_tui.ui.tabs.base import CaseTab, custom_attribute_rows, field_table
from iris_tui.ui.text import clean, plain, safe, safe_block
from iris_tui.ui.widgets.keytree import KeyTree
from iris_tui.ui.widgets.rowlist import Column, RowList

NOTE_DELAY = 0.1  # seconds the cursor must rest on a note before it is fetched


def note_header(note: Note, path: str) -> Text:
    """Title; id and directory; when and by whom it was last edited."""
    out = Text()
    out.append_text(safe(note.title or "(untitled)", limit=300, style="bold"))
    out.append(f"\n#{note.note_id}" + (f" · {plain(path, limit=80)}" if path else ""), style="dim")
    change = note.last_change_entry
    when = note.last_change
    if when is not None:
        by = f" by {plain(change.user, limit=40)}" if change is not None and change.user else ""
        out.append(f"\nedited {when:%Y-%m-%d %H:%M} UTC{by}", style="dim")
    return out


def comments_text(note: Note) -> Text:
    out = Text()
    comments = note.comments or []
    out.append(f"Comments ({len(comments)})\n", style="bold")
    for comment in comments:
        out.append(f"{plain(comment.author, limit=40)}  ", style="bold")
        when = comment.comment_date
        out.append(f"{when:%Y-%m-%d %H:%M}\n" if when else "\n", style="dim")
        out.append_text(safe_block(comment.text, limit=5000))
        out.append("\n")
    return out


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _result_path(row: Note) -> str:
    return row.directory.name if row.directory is not None else ""


RESULT_COLUMNS = [
    Column("title", "title", lambda n: n.title or "(untitled)", min_width=10),
    Column("dir", "directory", _result_path, width=12, min_width=6),
]


class NoteView(VerticalScroll):
    """The rendered note; esc goes back to the tree instead of leaving the case."""

    BINDINGS = [Binding("escape", "back_to_tree", "Tree", show=False, id="notes.back")]

    def action_back_to_tree(self) -> None:
        self.screen.query_one("#notes-tree", KeyTree).focus()


class NotesTab(NoteActions, CaseTab):
    """Directories and notes on the left, the highlighted note on the right."""

    tab_id = "notes"
    title = "Notes"
    DEFAULT_CSS = """
    NotesTab > Horizontal { height: 1fr; }
    NotesTab .notes-side { width: 34%; min-width: 24; border-right: solid $primary-darken-2; }
    NotesTab .notes-side > Input { display: none; height: 1; border: none; padding: 0 1; }
    NotesTab .notes-side > Input.-open { display: block; }
    NotesTab .notes-side > .search-note { display: none; height: auto; padding: 0 1; color: $text-muted; }
    NotesTab .notes-side > .search-note.-shown { display: block; }
    NotesTab .notes-side > .search-note.-error { color: $error; }
    NotesTab #notes-tree { height: 1fr; overflow-x: hidden; }
    NotesTab #notes-results { display: none; height: 1fr; }
    NotesTab .notes-side.-results #notes-results { display: block; }
    NotesTab .notes-side.-results #notes-tree { display: none; }
    NotesTab NoteView { width: 1fr; height: 1fr; padding: 0 1; }
    NotesTab #note-head { margin-bottom: 1; }
    NotesTab #note-body { margin: 0; padding: 0; }
    NotesTab #note-comments { margin-top: 1; }
    """
    BINDINGS = [
        Binding("slash", "search", "Search", id="notes.search"),
        Binding("y", "copy", "Copy", id="notes.copy"),
        # writes: iris_tui/ui/note_actions.py
        Binding("e", "edit_note", "Edit", id="notes.edit"),
        Binding("E,shift+e", "edit_note(True)", "$EDITOR", id="notes.external", show=False),
        Binding("n", "new_note", "New", id="notes.new"),
        Binding("N,shift+n", "new_directory", "New dir", id="notes.new_directory", show=False),
        Binding("R,shift+r", "rename", "Rename", id="notes.rename", show=False),
        Binding("m", "move", "Move", id="notes.move", show=False),
        Binding("d", "delete", "Delete", id="notes.delete"),
        Binding("C", "comments", "Comments", id="notes.comments", show=False),
    ]

    def __init__(self, cid: int) -> None:
        super().__init__(cid)
        self.directories: list[Directory] = []
        self.note: Note | None = None  # the note on display
        self._note_nodes: dict[int, TreeNode[Any]] = {}  # note id -> its tree node

    def compose_content(self) -> ComposeResult:
        with Horizontal():
            with Vertical(classes="notes-side"):
                yield Input(placeholder="search notes (enter; esc closes)", classes="search")
                yield Static(classes="search-note")
                yield KeyTree(id="notes-tree")
                yield RowList(RESULT_COLUMNS, key=lambda n: n.note_id, multi_select=False,
                              empty_text="No note matches", id="notes-results")
            with NoteView(id="note-view"):
                yield Static(id="note-head")
                yield Markdown(id="note-body", open_links=False)
                yield Static(id="note-comments")

    @property
    def note_tree(self) -> KeyTree:
        return self.query_one("#notes-tree", KeyTree)

    # -- loading ----------------------------------------------------------------------------

    async def fetch(self) -> Any:
        return await self.iris.notes.directories(self.cid)

    def show(self, data: Any) -> None:
        self.directories = list(data)
        current = self.note.note_id if self.note is not None else None
        tree = self.note_tree
        tree.clear()
        self._note_nodes = {}
        for directory in self.directories:
            self._add_directory(tree.root, directory)
        notes = sum(len(d.notes) for d in walk(self.directories))
        self.count(notes)
        if not self.directories:
            self._show_message("No notes in this case.")
        elif current is not None and current in self._note_nodes:
            self.select_key(current)
        else:
            tree.move_to(tree.root.children[0] if tree.root.children else None)

    def _add_directory(self, parent: TreeNode[Any], directory: Directory) -> None:
        label = safe(directory.name or "(unnamed)", limit=80, style="bold")
        node = parent.add(label, data=directory, expand=True)
        for child in directory.children:
            self._add_directory(node, child)
        for note in directory.notes:
            self._note_nodes[note.id] = node.add_leaf(safe(note.title or "(untitled)", limit=120), data=note)

    # -- showing a note ---------------------------------------------------------------------

    @on(Tree.NodeHighlighted, "#notes-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[Any]) -> None:
        data = event.node.data
        if isinstance(data, NoteRef):
            self._load_note(data.id)
        elif isinstance(data, Directory):
            self.workers.cancel_group(self, "note")
            self._show_directory(data)

    @on(Tree.NodeSelected, "#notes-tree")
    def _selected(self, event: Tree.NodeSelected[Any]) -> None:
        if isinstance(event.node.data, NoteRef):
            if self.app.read_only:  # type: ignore[attr-defined]
                self.query_one(NoteView).focus()
            else:
                self.open_editor(event.node.data.id)

    def _show_directory(self, directory: Directory) -> None:
        head = Text()
        head.append_text(safe(" / ".join(directory.path) or directory.name, limit=300, style="bold"))
        head.append(f"\n{_count(len(directory.notes), 'note')}, "
                    f"{_count(len(directory.children), 'sub-directory', 'sub-directories')}", style="dim")
        self._paint(head, "", Text())
        self.note = None

    def _show_message(self, message: str) -> None:
        self.note = None
        self._paint(Text(message, style="dim"), "", Text())

    def _paint(self, head: Text, markdown: str, comments: Text | Group) -> None:
        try:
            self.query_one("#note-head", Static).update(head)
            self.query_one("#note-body", Markdown).update(markdown)
            self.query_one("#note-comments", Static).update(comments)
            self.query_one(NoteView).scroll_home(animate=False)
        except NoMatches:  # the tab is being torn down (case closed, app quitting) mid-load
            return

    def show_note(self, note: Note) -> None:
        self.note = note
        path = ""
        ref = self._note_nodes.get(note.note_id)
        if ref is not None and isinstance(ref.data, NoteRef):
            path = ref.data.path
        elif note.directory is not None:
            path = note.directory.name
        extra = [(k, v) for k, v in custom_attribute_rows(note.custom_attributes) if v not in (None, "")]
        comments: Text | Group = comments_text(note)
        if extra:
            comments = Group(field_table(extra), Text(), comments)
        # markdown, not Textual markup; control characters visible, never sent to the terminal
        self._paint(note_header(note, path), clean(note.content, multiline=True), comments)

    @work(exclusive=True, group="note")
    async def _load_note(self, note_id: int) -> None:
        await asyncio.sleep(NOTE_DELAY)
        try:
            self.query_one("#note-head", Static).update(Text("Loading the note…", style="dim"))
        except NoMatches:  # the tab is being torn down (case closed, app quitting)
            return
        try:
            note = await self.iris.notes.get(self.cid, note_id)
        except IrisError as exc:
            self.note = None
            self._paint(Text.assemble(("Could not load the note: ", "bold"), plain(exc, limit=300),
                                       "\nPress r to retry.", style="red"), "", Text())
            return
        self.show_note(note)

    def select_key(self, key: Any) -> bool:
        """Put the tree cursor on note `key` (used by links and search results)."""
        node = self._note_nodes.get(int(key)) if str(key).isdigit() else None
        if node is None:
            return False
        self._close_results()
        self.note_tree.move_to(node)
        return True

    # -- search -----------------------------------------------------------------------------

    def action_search(self) -> None:
        box = self.query_one(".search", Input)
        box.add_class("-open")
        box.focus()

    def _search_note(self, message: str | Text = "", *, error: bool = False) -> None:
        note = self.query_one(".search-note", Static)
        note.set_class(bool(message), "-shown")
        note.set_class(error, "-error")
        note.update(message if isinstance(message, Text) else Text(message))

    @on(Input.Submitted, ".search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self._close_results()
            self.note_tree.focus()
            return
        self._search_note(Text(f"Searching for {plain(text, limit=60)}…"))
        self._search(text)

    @work(exclusive=True, group="note-search")
    async def _search(self, text: str) -> None:
        try:
            found = await self.iris.notes.search(self.cid, text)
        except IrisError as exc:
            self._search_note(Text(f"Search failed: {plain(exc, limit=200)}"), error=True)
            return
        self._search_note(Text(f"{len(found)} notes contain {plain(text, limit=60)} (enter opens, esc back)"))
        results = self.query_one("#notes-results", RowList)
        results.set_rows(found)
        self.query_one(".notes-side").add_class("-results")
        results.focus()

    @on(RowList.Highlighted, "#notes-results")
    def _result_highlighted(self, event: RowList.Highlighted) -> None:
        if event.row is not None:
            self._load_note(event.row.note_id)

    @on(RowList.Chosen, "#notes-results")
    def _result_chosen(self, event: RowList.Chosen) -> None:
        if self.select_key(event.row.note_id):
            self.note_tree.focus()
        else:  # not in the tree we have (added since): show it anyway
            self._load_note(event.row.note_id)

    def _close_results(self) -> None:
        side = self.query_one(".notes-side")
        if side.has_class("-results"):
            side.remove_class("-results")
            self._search_note()
            box = self.query_one(".search", Input)
            box.value = ""
            box.remove_class("-open")

    def on_key(self, event: Any) -> None:
        if event.key != "escape":
            return
        box = self.query_one(".search", Input)
        results = self.query_one("#notes-results", RowList)
        if box.has_focus or results.has_focus:
            event.stop()
            box.value = ""
            box.remove_class("-open")
            self._close_results()
            self._search_note()
            self.note_tree.focus()

    # -- comments ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "comments" and self.app.read_only:  # type: ignore[attr-defined]
            return False
        return super().check_action(action, parameters)

    def action_comments(self) -> None:
        """The highlighted note's comments (add, edit, delete); the note is shown again after."""
        if self.app.refuse_write():  # type: ignore[attr-defined]
            return
        target = self._target()
        if not isinstance(target, NoteRef):
            return
        note_id = target.id

        def closed(changed: bool | None) -> None:
            if changed:
                self._load_note(note_id)

        about = Text("note ")
        about.append_text(safe(target.title or "(untitled)", limit=60, style="bold"))
        self.app.push_screen(CommentsScreen(self.iris.notes.comments, self.cid, note_id, about), closed)

    # -- copy -------------------------------------------------------------------------------

    def action_copy(self) -> None:
        if self.note is None:
            return
        self.app.copy_to_clipboard(self.note.content)
        self.app.notify(f"copied the note ({len(self.note.content):,} characters)", markup=False)
