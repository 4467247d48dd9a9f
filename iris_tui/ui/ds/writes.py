"""The datastore tab's keys that change things or move bytes: `u` upload, `s` save a file,
`n` new folder, `R` rename, `m` move, `e` edit a file, `d` delete (confirmed).

`DatastoreWrites` is mixed into `DatastoreTab` after `CaseTab` (`class DatastoreTab(CaseTab,
DatastoreWrites)`). Read-only sessions neither see nor run the writes; saving a file is a read
and stays. After a change the tree is reloaded with the cursor on what changed; uploads and
edits that set the IOC / evidence flags also reload those tabs (IRIS adds rows there).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widget import Widget
from textual.worker import WorkerCancelled, WorkerFailed

from iris_tui.api import IrisError
from iris_tui.api.datastore import File, Folder
from iris_tui.ui.ds.dialogs import FileEditForm, FolderPicker, NameForm, folder_label, send_failed
from iris_tui.ui.ds.download import DownloadScreen
from iris_tui.ui.ds.upload import UploadScreen
from iris_tui.ui.forms import ConfirmScreen
from iris_tui.ui.text import plain, safe

if TYPE_CHECKING:
    from iris_tui.api import IrisClient
    from iris_tui.ui.widgets.keytree import KeyTree

WRITES = frozenset({"upload", "new_folder", "rename", "move", "edit", "delete"})
Target = tuple[str, int]  # ("file" | "folder", id): where the cursor goes after a reload


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class DatastoreWrites(Widget):
    BINDINGS = [
        Binding("u", "upload", "Upload", id="datastore.upload"),
        Binding("s", "save", "Save", id="datastore.save"),
        Binding("e", "edit", "Edit", show=False, id="datastore.edit"),
        Binding("d", "delete", "Delete", show=False, id="datastore.delete"),
        Binding("n", "new_folder", "New folder", show=False, id="datastore.new_folder"),
        Binding("R,shift+r", "rename", "Rename", show=False, id="datastore.rename"),
        Binding("m", "move", "Move", show=False, id="datastore.move"),
    ]

    # provided by DatastoreTab / CaseTab
    cid: int
    root: Folder | None
    iris: IrisClient
    ds_tree: KeyTree
    _folder_index: dict[int, Folder]
    _file_nodes: dict[int, Any]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITES and self.app.read_only:  # type: ignore[attr-defined]
            return False
        return super().check_action(action, parameters)

    # -- what the cursor is on --------------------------------------------------------------

    def _cursor(self) -> Folder | File | None:
        node = self.ds_tree.cursor_node
        return node.data if node is not None and isinstance(node.data, (Folder, File)) else None

    def _folder_of(self, item: Folder | File | None) -> Folder | None:
        if isinstance(item, File):
            return self._folder_index.get(item.file_parent_id or -1, self.root)
        return item if isinstance(item, Folder) else self.root

    def _ready(self, *, write: bool) -> bool:
        if write and self.app.refuse_write():  # type: ignore[attr-defined]
            return False
        if self.root is None:
            self.app.notify("the datastore has not loaded yet (r reloads it)", severity="warning",
                            markup=False)
            return False
        return True

    def _say(self, message: str, *, error: bool = False) -> None:
        self.app.notify(message, severity="error" if error else "information", markup=False)

    # -- after a change ---------------------------------------------------------------------

    @work(group="ds-reload")
    async def reload(self, target: Target | None = None, *, also: tuple[str, ...] = ()) -> None:
        """Reload the tree (CaseTab's loader: errors show with retry), then put the cursor on
        `target`; `also` names other tabs to reload."""
        try:
            await self._load().wait()  # type: ignore[attr-defined]
        except (WorkerCancelled, WorkerFailed):
            return
        if target is not None:
            self._move_to(target)
        tab = getattr(self.screen, "tab", None)
        for tab_id in also:
            if tab is not None:
                tab(tab_id).load()

    def _move_to(self, target: Target) -> None:
        kind, ident = target
        if kind == "file":
            node = self._file_nodes.get(ident)
        else:
            stack, node = [self.ds_tree.root], None
            while stack and node is None:
                current = stack.pop()
                if isinstance(current.data, Folder) and current.data.id == ident:
                    node = current
                stack.extend(current.children)
        if node is not None:
            self.ds_tree.move_to(node)

    @work(exclusive=True, group="ds-write")
    async def _write(self, send: Callable[[], Awaitable[Any]], done: str,
                     target: Target | None) -> None:
        try:
            await send()
        except (IrisError, ValueError, TypeError) as exc:
            self._say(f"Not done: {send_failed(exc)}", error=True)
            self.reload()  # someone else may have changed it: show what is there now
            return
        self._say(done)
        self.reload(target)

    # -- transfers --------------------------------------------------------------------------

    def action_upload(self) -> None:
        if not self._ready(write=True):
            return
        assert self.root is not None
        folder = self._folder_of(self._cursor()) or self.root

        def uploaded(files: list[File]) -> None:
            target = ("file", files[-1].file_id) if files else None
            flagged = any(f.is_ioc for f in files), any(f.is_evidence for f in files)
            self.reload(target, also=tuple(t for t, on in zip(("iocs", "evidences"), flagged) if on))

        self.app.push_screen(UploadScreen(self.cid, self.root, folder, on_uploaded=uploaded))

    def action_save(self) -> None:
        item = self._cursor()
        if not isinstance(item, File):
            self.app.notify("s saves a file: put the cursor on one", severity="warning", markup=False)
            return
        folder = self._folder_of(item)
        where = folder_label(folder) if folder else ""
        self.app.push_screen(DownloadScreen(self.cid, item, where=where))

    # -- folders and files ------------------------------------------------------------------

    def action_new_folder(self) -> None:
        if not self._ready(write=True):
            return
        parent = self._folder_of(self._cursor())
        assert parent is not None
        title = Text("New folder in ")
        title.append_text(safe(folder_label(parent), limit=50))

        async def create(name: str) -> Folder:
            return await self.iris.datastore.add_folder(self.cid, parent, name)

        def created(folder: Folder | None) -> None:
            if folder is not None:
                self._say(f"folder {plain(folder.name, limit=60)} added")
                self.reload(("folder", folder.id))

        self.app.push_screen(NameForm(title, create), created)

    def action_rename(self) -> None:
        if not self._ready(write=True):
            return
        item = self._cursor()
        if isinstance(item, File):
            self.action_edit()  # a file's name is in its form
            return
        if not isinstance(item, Folder):
            return
        title = Text("Rename folder ")
        title.append_text(safe(folder_label(item), limit=50))

        async def rename(name: str) -> Folder:
            return await self.iris.datastore.rename_folder(self.cid, item, name)

        def renamed(folder: Folder | None) -> None:
            if folder is not None:
                self._say(f"folder renamed to {plain(folder.name, limit=60)}")
                self.reload(("folder", folder.id))

        self.app.push_screen(NameForm(title, rename, value=item.name), renamed)

    def action_move(self) -> None:
        if not self._ready(write=True):
            return
        assert self.root is not None
        item = self._cursor()
        if isinstance(item, Folder):
            if item.is_root:
                self.app.notify("the root folder cannot move", severity="warning", markup=False)
                return
            exclude = {f.id for f in item.walk()}
            current = item.parent_id
            why = "A folder cannot go into itself or one of its sub-folders."
            title = Text("Move folder ")
            title.append_text(safe(item.name, limit=50))
        elif isinstance(item, File):
            exclude, current, why = set(), item.file_parent_id, ""
            title = Text("Move file ")
            title.append_text(safe(item.name, limit=50))
        else:
            return
        title.append(" to…")

        def picked(folder: Folder | None) -> None:
            if folder is None or folder.id == current:
                return
            where = plain(folder.name, limit=60)
            if isinstance(item, Folder):
                self._write(lambda: self.iris.datastore.move_folder(self.cid, item, folder),
                            f"folder moved to {where}", ("folder", item.id))
            else:
                self._write(lambda: self.iris.datastore.move_file(self.cid, item, folder),
                            f"file moved to {where}", ("file", item.file_id))

        self.app.push_screen(FolderPicker(title, self.root, current=current, exclude=exclude,
                                          why=why), picked)

    def action_edit(self) -> None:
        if not self._ready(write=True):
            return
        item = self._cursor()
        if isinstance(item, Folder):
            self.action_rename()
            return
        if not isinstance(item, File):
            return

        def saved(file: File | None) -> None:
            if file is None:
                return
            self._say(f"file {plain(file.name, limit=60)} saved")
            also = tuple(t for t, on in (("iocs", file.is_ioc and not item.is_ioc),
                                         ("evidences", file.is_evidence and not item.is_evidence)) if on)
            self.reload(("file", file.file_id), also=also)

        self.app.push_screen(FileEditForm(self.cid, item), saved)

    def action_delete(self) -> None:
        if not self._ready(write=True):
            return
        item = self._cursor()
        if isinstance(item, Folder):
            if item.is_root:
                self.app.notify("the root folder cannot be deleted here: delete what is in it",
                                severity="warning", markup=False)
                return
            files = sum(1 for _ in item.walk_files())
            folders = sum(1 for _ in item.walk()) - 1
            title = Text("Delete folder ")
            title.append_text(safe(folder_label(item), limit=50))
            title.append("?")
            body = Text(f"It holds {_plural(files, 'file')} and {_plural(folders, 'sub-folder')}: "
                        "all of them are deleted with it, on the server too.")
            parent = item.parent_id

            def send() -> Awaitable[None]:
                return self.iris.datastore.delete_folder(self.cid, item)

            done, target = f"folder deleted with {_plural(files, 'file')}", ("folder", parent or 0)
        elif isinstance(item, File):
            title = Text("Delete file ")
            title.append_text(safe(item.name, limit=50))
            title.append("?")
            body = Text("The file is removed from the server. IOCs and evidences made from it stay.")
            parent = item.file_parent_id

            def send() -> Awaitable[None]:
                return self.iris.datastore.delete_file(self.cid, item)

            done, target = "file deleted", ("folder", parent or 0)
        else:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._write(send, done, target)

        self.app.push_screen(ConfirmScreen(title, body, yes="delete"), answered)
