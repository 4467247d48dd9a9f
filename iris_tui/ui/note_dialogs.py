"""Small modal dialogs of the notes workflow: a one-line prompt (title, directory name), a yes/no
confirmation, "unsaved changes" on leaving the editor, and a directory picker (moving notes and
directories). Every server string is shown through `iris_tui.ui.text`.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static, Tree

from iris_tui.api.notes import Directory
from iris_tui.ui.text import plain, safe
from iris_tui.ui.widgets.keytree import KeyTree

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 64; max-width: 100%; height: auto; max-height: 90%;
    border: round $primary; background: $surface; padding: 0 1; }}
{name} .dialog-title {{ text-style: bold; }}
{name} .dialog-keys {{ color: $text-muted; margin-top: 1; }}
{name} Input {{ margin-top: 1; }}
"""


def _keys(*pairs: tuple[str, str]) -> Text:
    out = Text()
    for n, (key, label) in enumerate(pairs):
        if n:
            out.append("   ")
        out.append(key, style="bold")
        out.append(f" {label}")
    return out


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text (enter accepts, esc cancels). Returns the text, stripped."""

    DEFAULT_CSS = DIALOG_CSS.format(name="TextPrompt")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str | Text, *, value: str = "", placeholder: str = "",
                 max_length: int = 0) -> None:
        super().__init__()
        self.title_text = title if isinstance(title, Text) else Text(title)
        self.value = plain(value)  # an Input paints control characters raw: never give it any
        self.placeholder = placeholder
        self.max_length = max_length

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title")
            yield Input(value=self.value, placeholder=self.placeholder, max_length=self.max_length)
            yield Static(_keys(("enter", "OK"), ("esc", "cancel")), classes="dialog-keys")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text:
            self.dismiss(text)
        else:
            self.notify("type something first (esc cancels)", severity="warning", markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """y / n. `danger` puts the question in the error colour (deletions)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmScreen") + """
    ConfirmScreen.-danger > Vertical { border: round $error; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: Text, *, danger: bool = False) -> None:
        super().__init__(classes="-danger" if danger else "")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question)
            yield Static(_keys(("y", "yes"), ("n/esc", "no")), classes="dialog-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class LeaveScreen(ModalScreen[str | None]):
    """Leaving the editor with unsaved changes: "save", "discard", or None (keep editing)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="LeaveScreen")
    BINDINGS = [
        Binding("s", "choose('save')", "Save and close", id="leave.save"),
        Binding("d", "choose('discard')", "Discard", id="leave.discard"),
        Binding("escape", "choose(None)", "Keep editing", id="leave.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("This note has unsaved changes.", classes="dialog-title")
            yield Static(Text("Discarding keeps a copy in the local drafts backups.", style="dim"))
            yield Static(_keys(("s", "save and close"), ("d", "discard"), ("esc", "keep editing")),
                         classes="dialog-keys")

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)


TOP_LEVEL = 0  # DirectoryPicker's answer for "no parent" (IRIS ids start at 1)


class DirectoryPicker(ModalScreen[int | None]):
    """Pick a directory (enter). Returns its id, TOP_LEVEL, or None when cancelled.

    `exclude`: a directory that cannot be picked, nor anything below it (moving a directory).
    `top_level`: offer the top level as a target.
    """

    DEFAULT_CSS = DIALOG_CSS.format(name="DirectoryPicker") + """
    DirectoryPicker > Vertical { height: 80%; }
    DirectoryPicker KeyTree { height: 1fr; margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="picker.cancel")]

    def __init__(self, title: Text, directories: list[Directory], *, exclude: int | None = None,
                 top_level: bool = False, current: int | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.directories = directories
        self.exclude = exclude
        self.top_level = top_level
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title")
            yield KeyTree(id="picker-tree")
            yield Static(_keys(("enter", "move here"), ("esc", "cancel")), classes="dialog-keys")

    def on_mount(self) -> None:
        tree = self.query_one(KeyTree)
        if self.top_level:
            tree.root.add_leaf(Text("(top level)", style="italic"), data=TOP_LEVEL)
        current = None
        for directory in self.directories:
            current = self._add(tree.root, directory) or current
        tree.focus()
        tree.move_to(current or (tree.root.children[0] if tree.root.children else None))

    def _add(self, parent: Any, directory: Directory) -> Any:
        if directory.id == self.exclude:
            return None
        label = safe(directory.name or "(unnamed)", limit=80)
        if directory.id == self.current:
            label.append("  (current)", style="dim")
        node = parent.add(label, data=directory.id, expand=True, allow_expand=bool(directory.children))
        found = node if directory.id == self.current else None
        for child in directory.children:
            found = self._add(node, child) or found
        return found

    @on(Tree.NodeSelected)
    def _picked(self, event: Tree.NodeSelected[Any]) -> None:
        event.stop()
        if event.node.data is not None:
            self.dismiss(event.node.data)

    def action_cancel(self) -> None:
        self.dismiss(None)
