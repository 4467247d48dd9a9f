"""The datastore's small modals: a yes/no question, a name prompt (new folder, rename), a folder
picker (move, upload target) and the file metadata form.

Prompts and forms send their change themselves, in a worker, and stay open with what was typed
when the server refuses it. Server text (folder and file names) is shown through `safe()`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, Tree
from textual.widgets.tree import TreeNode

from iris_tui.api import IrisError
from iris_tui.api.datastore import File, Folder
from iris_tui.api.model import join_tags
from iris_tui.ui.text import clean, plain, safe
from iris_tui.ui.widgets.fields import StateCheckbox
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
    """Why a write did not happen, in one line."""
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


class Confirm(Dialog[bool]):
    """y / enter: yes; n / esc: no. Title and body are Text (or constant strings)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="Confirm") + """
    Confirm > .box { border: round $warning; width: 64; }
    """
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="ds.confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="ds.confirm.no"),
    ]

    def __init__(self, title: str | Text, body: str | Text = "", *, yes: str = "yes") -> None:
        super().__init__()
        self.title_text = title if isinstance(title, Text) else Text(title)
        self.body = body if isinstance(body, Text) else Text(body)
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Static(self.title_text, classes="title")
            if self.body.plain:
                yield Static(self.body)
            yield Static(Text(f"y  {self.yes}    n / esc  keep", style="bold"), classes="keys")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class NamePrompt(Dialog[Any]):
    """One name (a new folder, a folder's new name); `submit(name)` sends it. Dismisses with
    what `submit` returned, or None when cancelled."""

    DEFAULT_CSS = DIALOG_CSS.format(name="NamePrompt")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ds.name.cancel")]

    def __init__(self, title: str | Text, submit: Callable[[str], Awaitable[Any]], *,
                 value: str = "", label: str = "Name") -> None:
        super().__init__()
        self.title_text = title if isinstance(title, Text) else Text(title)
        self.submit = submit
        self.initial = clean(value)
        self.label = label
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Static(self.title_text, classes="title")
            with Horizontal(classes="row"):
                yield Label(self.label, classes="label")
                yield Input(self.initial, compact=True, select_on_focus=False, id="name")
            yield Static(classes="error")
            yield Static(Text("enter  save    esc  cancel", style="bold"), classes="keys")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted, "#name")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if not name:
            self.show_error("A name is required.")
        elif not self.saving:
            self.saving = True
            self.show_error(None)
            self._send(name)

    @work(exclusive=True, group="ds-name")
    async def _send(self, name: str) -> None:
        try:
            result = await self.submit(name)
        except (IrisError, ValueError, TypeError) as exc:
            self.saving = False
            self.show_error(f"Not saved: {send_failed(exc)}")
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        if not self.saving:
            self.dismiss(None)


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


class FileEditForm(Dialog["File | None"]):
    """A file's name, description, tags, password and flags (ctrl+s saves).

    Only what changed is sent besides the name and the flags, which IRIS wants stated every time
    (the API drops a flag's part to clear it: the server reads a part's presence as true)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="FileEditForm") + """
    FileEditForm .row.flags { height: 1; }
    FileEditForm StateCheckbox { margin-right: 2; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="ds.edit.save"),
        Binding("escape", "cancel", "Cancel", id="ds.edit.cancel"),
    ]

    def __init__(self, cid: int, file: File) -> None:
        super().__init__()
        self.cid = cid
        self.file = file
        self.saving = False
        self.initial = {
            "name": clean(file.name), "description": clean(file.file_description or ""),
            "tags": clean(", ".join(file.tags)), "password": clean(file.file_password or ""),
            "ioc": file.is_ioc, "evidence": file.is_evidence,
        }

    def compose(self) -> ComposeResult:
        title = Text("Edit file ", style="bold")
        title.append_text(safe(self.file.name, limit=50))
        title.append(f"  #{self.file.file_id}", style="dim")
        with Vertical(classes="box"):
            yield Static(title, classes="title")
            for key, label in (("name", "Name"), ("description", "Description"), ("tags", "Tags"),
                               ("password", "Password")):
                with Horizontal(classes="row"):
                    yield Label(label, classes="label")
                    yield Input(self.initial[key], compact=True, select_on_focus=False,
                                password=key == "password", id=f"edit-{key}")
            with Horizontal(classes="row flags"):
                yield Label("Flags", classes="label")
                yield StateCheckbox("IOC", self.initial["ioc"], compact=True, id="edit-ioc")
                yield StateCheckbox("Evidence", self.initial["evidence"], compact=True,
                                    id="edit-evidence")
            yield Static(Text("Setting IOC links a sha256 IOC and Evidence adds an evidence row; "
                              "clearing them removes neither. A password (IOC files: "
                              '"infected") makes IRIS serve the file as a password ZIP.'),
                         classes="note")
            yield Static(classes="error")
            yield Static(Text("ctrl+s  save    tab  next field    esc  cancel", style="bold"),
                         classes="keys")

    def on_mount(self) -> None:
        self.query_one("#edit-name", Input).focus()

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {key: self.query_one(f"#edit-{key}", Input).value
                                  for key in ("name", "description", "tags", "password")}
        values["ioc"] = self.query_one("#edit-ioc", StateCheckbox).value
        values["evidence"] = self.query_one("#edit-evidence", StateCheckbox).value
        return values

    def is_changed(self) -> bool:
        return self.values() != self.initial

    def action_save(self) -> None:
        if self.saving or self.app.refuse_write():  # type: ignore[attr-defined]
            return
        values = self.values()
        if not values["name"].strip():
            self.show_error("A name is required.")
            self.query_one("#edit-name", Input).focus()
            return
        if not self.is_changed():
            self.dismiss(None)
            return
        self.saving = True
        self.show_error(None)
        self._send(values)

    @work(exclusive=True, group="ds-edit")
    async def _send(self, values: dict[str, Any]) -> None:
        def changed(key: str) -> Any:
            return values[key] if values[key] != self.initial[key] else None

        tags = changed("tags")
        # the fields show server text cleaned for the screen: unchanged, the stored name goes back
        name = self.file.name if changed("name") is None else values["name"].strip()
        try:
            result = await self.iris.datastore.update_file(
                self.cid, self.file, name=name,
                description=changed("description"),
                tags=None if tags is None else join_tags(tags),
                password=changed("password"), is_ioc=values["ioc"], is_evidence=values["evidence"],
            )
        except (IrisError, ValueError, TypeError) as exc:
            self.saving = False
            self.show_error(f"Not saved: {send_failed(exc)}")
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        if self.saving:
            return
        if not self.is_changed():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(Confirm("Discard your changes?", "What you typed here will be lost.",
                                     yes="discard"), answered)
