"""Datastore tab: the case's folder tree with its files, and every field of the highlighted one.

File names, descriptions and tags are the attacker's text: tree labels are `Text` built by
`safe()` (a `str` label would be parsed as markup). The stored password is never shown, only
whether there is one.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input, Static, Tree
from textual.widgets.tree import TreeNode

from iris_tui.api.datastore import File, Folder
from iris_tui.transfers import human_size
from iris_tui.ui.ds.writes import DatastoreWrites
from iris_tui.ui.tabs.base import CaseTab, field_table
from iris_tui.ui.text import plain, safe
from iris_tui.ui.widgets.keytree import KeyTree


def short_hash(sha256: str | None) -> str:
    return (sha256 or "")[:12] or "no hash"


def flags(file: File) -> str:
    return " ".join(flag for flag, on_ in (("IOC", file.is_ioc), ("EVID", file.is_evidence),
                                           ("PW", file.has_password)) if on_)


def file_label(file: File) -> Text:
    """`name  47.1 KiB  9F86D081884C  IOC EVID  mail,phishing  2025-03-03` with the facts dim."""
    label = safe(file.name or "(no name)", limit=80)
    meta = [human_size(file.file_size), short_hash(file.file_sha256)]
    if flags(file):
        meta.append(flags(file))
    if file.file_tags:
        meta.append(plain(file.file_tags, limit=40))
    if file.file_date_added is not None:
        meta.append(f"{file.file_date_added:%Y-%m-%d}")
    label.append("  " + "  ".join(meta), style="dim")
    return label


def file_count(folder: Folder) -> int:
    return sum(1 for _ in folder.walk_files())


def file_fields(file: File, folder: Folder | None) -> list[tuple[str, object]]:
    """Every field of the file; the password only as set/none."""
    change = file.last_change
    size = None if file.file_size is None else f"{human_size(file.file_size)} ({file.file_size:,} bytes)"
    download = file.download_name
    fields: list[tuple[str, object]] = [
        ("Name", file.name),
        ("File", f"#{file.file_id}"),
        ("Folder", " / ".join(folder.path) if folder is not None else file.file_parent_id),
        ("Size", size),
        ("SHA-256", file.file_sha256),
        ("Description", file.file_description),
        ("Tags", ", ".join(file.tags)),
        ("IOC", file.is_ioc),
        ("Evidence", file.is_evidence),
        ("Password", "set" if file.has_password else "none"),
        ("Download as", f"{download} (password-protected ZIP)" if download != file.name else download),
        ("Added", f"{file.file_date_added:%Y-%m-%d %H:%M:%S} UTC" if file.file_date_added else None),
        ("Added by", f"user #{file.added_by_user_id}" if file.added_by_user_id is not None else None),
        ("Last change", f"{change.when:%Y-%m-%d %H:%M:%S} UTC by {change.user}: {change.action}"
         if change else None),
        ("UUID", file.file_uuid),
        ("Case", file.file_case_id),
        ("Stored at", file.file_local_name),  # the server-side path: useful to admins
    ]
    fields += [(name, value) for name, value in file.extra.items() if name != "file_password"]
    return [(label, value) for label, value in fields if value not in (None, "")]


def folder_fields(folder: Folder) -> list[tuple[str, object]]:
    return [
        ("Folder", " / ".join(folder.path) or folder.name),
        ("Id", f"#{folder.id}" + (" (root)" if folder.is_root else "")),
        ("Files", f"{len(folder.files)} here, {file_count(folder)} with sub-folders"),
        ("Sub-folders", len(folder.children)),
    ]


def matches(file: File, text: str) -> bool:
    text = text.casefold()
    return text in (file.name or "").casefold() or text in (file.file_tags or "").casefold()


class DatastoreTab(CaseTab, DatastoreWrites):
    """Folders and files in a tree; the info pane shows the highlighted one. Uploads, downloads
    and changes: `DatastoreWrites`."""

    tab_id = "datastore"
    title = "Datastore"
    DEFAULT_CSS = """
    DatastoreTab > .filter { display: none; height: 1; border: none; padding: 0 1; }
    DatastoreTab > .filter.-open { display: block; }
    DatastoreTab > #ds-tree { height: 1fr; min-height: 5; overflow-x: hidden; }
    DatastoreTab > .detail { height: 45%; border-top: solid $primary-darken-2; padding: 0 1; }
    """
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="datastore.filter"),
        Binding("y", "copy", "Copy hash", id="datastore.copy"),
    ]

    def __init__(self, cid: int) -> None:
        super().__init__(cid)
        self.root: Folder | None = None
        self.filter_text = ""
        self._file_nodes: dict[int, TreeNode[Any]] = {}  # file id -> its node
        self._folder_index: dict[int, Folder] = {}  # folder id -> folder (for paths)

    def compose_content(self) -> ComposeResult:
        yield Input(placeholder="filter names and tags… (esc clears)", classes="filter")
        yield KeyTree(id="ds-tree")
        with VerticalScroll(classes="detail"):
            yield Static(id="ds-info")

    @property
    def ds_tree(self) -> KeyTree:
        return self.query_one("#ds-tree", KeyTree)

    # -- loading ----------------------------------------------------------------------------

    async def fetch(self) -> Any:
        return await self.iris.datastore.tree(self.cid)

    def show(self, data: Any) -> None:
        self.root = data
        self._folder_index = {f.id: f for f in data.walk()}
        self.count(file_count(data))
        self._build()

    def _build(self) -> None:
        """(Re)build the tree for the current filter, keeping the cursor on the same object."""
        tree = self.ds_tree
        current = tree.cursor_node.data if tree.cursor_node is not None else None
        tree.clear()
        self._file_nodes = {}
        if self.root is None:
            return
        self._add_folder(tree.root, self.root, self.filter_text)
        if not tree.root.children:
            self.query_one("#ds-info", Static).update(
                Text(f"No file matches {plain(self.filter_text, limit=60)}" if self.filter_text
                     else "The datastore is empty.", style="dim"))
        node = None
        if isinstance(current, File):
            node = self._file_nodes.get(current.file_id)
        if node is None and tree.root.children:
            node = tree.root.children[0]
        tree.move_to(node)

    def _add_folder(self, parent: TreeNode[Any], folder: Folder, text: str) -> bool:
        """Add `folder` with what matches `text`; False (and nothing added) if nothing does."""
        files = [f for f in folder.files if not text or matches(f, text)]
        label = safe(folder.name or "(unnamed)", limit=80, style="bold")
        count = file_count(folder)
        label.append(f"  {count} file{'' if count == 1 else 's'}", style="dim")
        node = parent.add(label, data=folder, expand=True,
                          allow_expand=bool(folder.children or folder.files))
        kept = False
        for child in folder.children:
            kept = self._add_folder(node, child, text) or kept
        for file in files:
            self._file_nodes[file.file_id] = node.add_leaf(file_label(file), data=file)
        if text and not files and not kept:
            node.remove()
            return False
        return True

    # -- info pane --------------------------------------------------------------------------

    @on(Tree.NodeHighlighted, "#ds-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[Any]) -> None:
        data = event.node.data
        info = self.query_one("#ds-info", Static)
        if isinstance(data, File):
            info.update(field_table(file_fields(data, self._folder_index.get(data.file_parent_id or -1))))
        elif isinstance(data, Folder):
            info.update(field_table(folder_fields(data)))

    def select_key(self, key: Any) -> bool:
        """Put the cursor on file `key` (a link from another tab), clearing the filter."""
        if self.filter_text:
            self._clear_filter()
        node = self._file_nodes.get(int(key)) if str(key).isdigit() else None
        if node is None:
            return False
        self.ds_tree.move_to(node)
        return True

    # -- filter -----------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one(".filter", Input)
        box.add_class("-open")
        box.focus()

    @on(Input.Changed, ".filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if text != self.filter_text:
            self.filter_text = text
            self._build()

    @on(Input.Submitted, ".filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.ds_tree.focus()

    def _clear_filter(self) -> None:
        box = self.query_one(".filter", Input)
        box.value = ""
        box.remove_class("-open")
        if self.filter_text:
            self.filter_text = ""
            self._build()

    def on_key(self, event: Any) -> None:
        box = self.query_one(".filter", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            self._clear_filter()
            self.ds_tree.focus()

    # -- copy -------------------------------------------------------------------------------

    def action_copy(self) -> None:
        node = self.ds_tree.cursor_node
        file = node.data if node is not None else None
        if not isinstance(file, File) or not file.file_sha256:
            self.app.notify("no file with a hash here", severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(file.file_sha256)
        self.app.notify(f"copied SHA-256 {file.file_sha256[:16]}…", markup=False)
