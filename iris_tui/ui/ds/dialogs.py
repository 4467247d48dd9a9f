"""The datastore's modals: a name form (new folder, rename), a folder picker (move, upload
target) and the file metadata form. The forms are `FormScreen`s: they send their change
themselves, in a worker, and stay open with what was typed when the server refuses it. Server
text (folder and file names) is shown through `safe()`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static, Tree
from textual.widgets.tree import TreeNode

from iris_tui.api import IrisError, IrisServerError
from iris_tui.api.datastore import File, Folder
from iris_tui.ui.forms import FormScreen
from iris_tui.ui.forms.fields import LABEL_WIDTH, CheckboxField, TagsField, TextAreaField, TextField
from iris_tui.ui.text import plain, safe
from iris_tui.ui.widgets.keytree import KeyTree

if TYPE_CHECKING:
    from iris_tui.api import IrisClient

R = TypeVar("R")

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > .box {{ width: 76; max-width: 100%; height: auto; max-height: 100%;
    border: round $primary; background: $surface; padding: 0 1; }}
{name} .title {{ text-style: bold; height: auto; }}
{name} .row {{ height: 1; }}
{name} .label {{ width: 13; color: $text-muted; }}
{name} .row > Input {{ width: 1fr; }}
{name} .note {{ color: $text-muted; height: auto; padding-left: 13; }}
{name} .error {{ color: $text-error; height: auto; display: none; }}
{name} .error.-shown {{ display: block; }}
{name} .keys {{ height: 1; margin-top: 1; color: $text-muted; }}
"""


def folder_label(folder: Folder) -> str:
    """`Case 1 / Evidences / Mails` (plain: callers pass it through safe())."""
    return " / ".join(folder.path) or folder.name or f"folder #{folder.id}"


def send_failed(exc: Exception) -> str:
    """Why a write or a transfer did not happen, in one line."""
    if isinstance(exc, IrisServerError):  # an HTML error page says nothing useful
        return f"the server failed (HTTP {exc.status or '?'})"
    if isinstance(exc, IrisError):
        return plain(exc.message or exc, limit=300)
    return plain(exc, limit=300)


class Dialog(ModalScreen[R]):
    """Base of the modals here: an error line that says what failed, and the client."""

    @property
    def iris(self) -> IrisClient:
        session = self.app.session  # type: ignore[attr-defined]
        assert session is not None
        return session.client

    def show_error(self, message: str | None) -> None:
        box = self.query_one(".error", Static)
        box.update(Text(message or ""))
        box.set_class(bool(message), "-shown")

    @property
    def error_text(self) -> str:
        box = self.query_one(".error", Static)
        return str(box.content) if box.has_class("-shown") else ""


class NameForm(FormScreen):
    """One name (a new folder, a folder's new name); `send(name)` sends it, enter saves.
    Dismisses with what `send` returned, or None."""

    def __init__(self, title: str | Text, send: Callable[[str], Awaitable[Any]], *,
                 value: str | None = None) -> None:
        super().__init__(title, editing=value is not None)
        self.send = send
        self.current = value

    def compose_fields(self) -> ComposeResult:
        yield TextField("folder_name", "Name", self.current, required=True)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    async def submit(self, values: dict[str, Any]) -> Any:
        return await self.send(self.field("folder_name").data())


class FolderPicker(Dialog["Folder | None"]):
    """Choose a folder of the case (enter). Folders in `exclude` are shown but cannot be chosen
    (a folder cannot go into itself: IRIS would accept it and lose the folder)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="FolderPicker") + """
    FolderPicker KeyTree { height: auto; max-height: 14; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ds.folders.cancel")]

    def __init__(self, title: str | Text, root: Folder, *, current: int | None = None,
                 exclude: Iterable[int] = (), why: str = "") -> None:
        super().__init__()
        self.title_text = title if isinstance(title, Text) else Text(title)
        self.root = root
        self.current = current
        self.exclude = set(exclude)
        self.why = why

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Static(self.title_text, classes="title")
            yield KeyTree(id="folder-tree")
            yield Static(classes="error")
            yield Static(Text("enter  choose    esc  cancel", style="bold"), classes="keys")

    def on_mount(self) -> None:
        tree = self.query_one(KeyTree)
        tree.auto_expand = False
        here = self._add(tree.root, self.root)
        tree.move_to(here or (tree.root.children[0] if tree.root.children else None))
        tree.focus()

    def _add(self, parent: TreeNode[Any], folder: Folder) -> TreeNode[Any] | None:
        label = safe(folder.name or "(unnamed)", limit=60)
        if folder.id == self.current:
            label.append("  (current)", style="dim")
        elif folder.id in self.exclude:
            label.stylize("dim")
        node = parent.add(label, data=folder, expand=True, allow_expand=bool(folder.children))
        found = node if folder.id == self.current else None
        for child in folder.children:
            found = self._add(node, child) or found
        return found

    @on(Tree.NodeSelected, "#folder-tree")
    def _chosen(self, event: Tree.NodeSelected[Any]) -> None:
        event.stop()
        folder = event.node.data
        if not isinstance(folder, Folder):
            return
        if folder.id in self.exclude:
            self.show_error(self.why or "That folder cannot be chosen here.")
            return
        self.dismiss(folder)

    def action_cancel(self) -> None:
        self.dismiss(None)


class FileEditForm(FormScreen):
    """A file's name, description, tags, password and flags.

    Description, tags and password are sent only when changed; the name and the flags are stated
    every time (IRIS wants the name; the API drops a flag's part to clear it, as the server reads
    a part's presence as true)."""

    DEFAULT_CSS = f"""
    FileEditForm .ds-note {{ color: $text-muted; height: auto; padding-left: {LABEL_WIDTH}; }}
    """

    def __init__(self, cid: int, file: File) -> None:
        title = Text("Edit file ")
        title.append_text(safe(file.name, limit=50))
        title.append(f"  #{file.file_id}", style="dim")
        super().__init__(title, editing=True)
        self.cid = cid
        self.file = file

    def compose_fields(self) -> ComposeResult:
        f = self.file
        yield TextField("file_original_name", "Name", f.name, required=True)
        yield TextAreaField("file_description", "Description", f.file_description)
        yield TagsField("file_tags", value=f.file_tags)
        yield TextField("file_password", "Password", f.file_password, password=True,
                        placeholder="none: stored as it is")
        yield CheckboxField("file_is_ioc", "IOC", f.is_ioc)
        yield CheckboxField("file_is_evidence", "Evidence", f.is_evidence)
        yield Static(Text("Setting IOC links a sha256 IOC and Evidence adds an evidence row; "
                          "clearing them removes neither. With a password (IOC files: "
                          '"infected") IRIS serves the file as a password ZIP.'), classes="ds-note")

    async def submit(self, values: dict[str, Any]) -> File:
        # fields show server text cleaned for the screen: unchanged, the stored name goes back
        name = values.get("file_original_name", self.file.name)
        return await self.iris.datastore.update_file(
            self.cid, self.file, name=name,
            description=values.get("file_description"), tags=values.get("file_tags"),
            password=values.get("file_password"),
            is_ioc=self.field("file_is_ioc").value, is_evidence=self.field("file_is_evidence").value,
        )
