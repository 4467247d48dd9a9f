"""Local paths for uploads and downloads: an input that completes with tab (as a shell does,
`~` understood) and a file browser for when the name is not known.

Local file names are untrusted too (an extracted archive names its files as it likes): they are
shown through `plain()` / `safe()`, never as markup.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import DirectoryTree, Input, Static

from iris_tui.ui.text import plain, safe

MATCHES_SHOWN = 8  # candidates listed under the input after tab


def expand(value: str) -> Path:
    """What the user typed as a path: `~` expanded, surrounding blanks dropped."""
    return Path(os.path.expanduser(value.strip()))


def complete(value: str) -> tuple[str, list[str]]:
    """`value` completed as far as it is unambiguous, and the names it could go on with
    (folders end with `/`). What was typed is kept as typed (`~/Dow` -> `~/Downloads/`);
    hidden entries are offered only once a `.` is typed."""
    if value == "~":
        return "~/", []
    head, sep, tail = value.rpartition("/")
    folder = expand(head + sep) if sep else Path(".")
    try:
        with os.scandir(folder) as entries:
            names = []
            for entry in entries:
                hidden = entry.name.startswith(".") and not tail.startswith(".")
                if hidden or not entry.name.startswith(tail):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                names.append(entry.name + "/" if is_dir else entry.name)
    except OSError:
        return value, []
    names.sort()
    if not names:
        return value, []
    done = names[0] if len(names) == 1 else os.path.commonprefix(names)
    return head + sep + done, names


class PathSuggester(Suggester):
    """The completion shown greyed after the cursor (`→` or tab takes it)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        done, _ = await asyncio.to_thread(complete, value)
        return done if done != value else None


class PathInput(Input):
    """A path field: tab completes (and lists the candidates), tab on nothing to complete
    moves on to the next field."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False, id="path.complete")]

    class Completed(Message):
        """Tab was pressed: the names the typed path could go on with (maybe none)."""

        def __init__(self, path_input: PathInput, matches: list[str]) -> None:
            super().__init__()
            self.path_input = path_input
            self.matches = matches

        @property
        def control(self) -> PathInput:
            return self.path_input

    def __init__(self, value: str = "", **kwargs: Any) -> None:
        super().__init__(value, suggester=PathSuggester(), compact=True, select_on_focus=False,
                         **kwargs)

    @property
    def path(self) -> Path:
        return expand(self.value)

    def action_complete(self) -> None:
        if not self.value.strip():
            self.screen.focus_next()
            return
        done, matches = complete(self.value)
        if done != self.value:
            self.value = done
            self.cursor_position = len(done)
        elif len(matches) <= 1:
            self.screen.focus_next()
            return
        self.post_message(self.Completed(self, matches if len(matches) > 1 else []))


def matches_text(matches: list[str]) -> Text:
    """`3 matches: a.txt  b/  c.bin`, cut after a few."""
    shown = "  ".join(plain(m, limit=40) for m in matches[:MATCHES_SHOWN])
    more = f"  … {len(matches) - MATCHES_SHOWN} more" if len(matches) > MATCHES_SHOWN else ""
    return Text(f"{len(matches)} matches: {shown}{more}", style="dim", no_wrap=True,
                overflow="ellipsis")


class SafeDirectoryTree(DirectoryTree):
    """DirectoryTree parses `str` labels as markup: file names are shown literally here."""

    DEFAULT_CSS = """
    SafeDirectoryTree:nocolor > .tree--cursor { text-style: reverse; }
    """

    def process_label(self, label: Any) -> Text:
        return super().process_label(label if isinstance(label, Text) else safe(label, limit=120))


class FilePicker(ModalScreen["Path | None"]):
    """Browse the local disk for a file: enter picks it, backspace goes up a folder."""

    DEFAULT_CSS = """
    FilePicker { align: center middle; }
    FilePicker > Vertical { width: 76; max-width: 100%; height: 20; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1; }
    FilePicker #picker-where { height: 1; text-style: bold; }
    FilePicker SafeDirectoryTree { height: 1fr; }
    FilePicker .keys { height: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="filepicker.cancel"),
        Binding("backspace", "parent", "Parent folder", id="filepicker.parent"),
    ]

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start if start.is_dir() else Path.cwd()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="picker-where")
            yield SafeDirectoryTree(self.start)
            yield Static(Text("enter  pick file / open folder    backspace  up    esc  cancel"),
                         classes="keys")

    def on_mount(self) -> None:
        self._where()
        self.query_one(SafeDirectoryTree).focus()

    def _where(self) -> None:
        tree = self.query_one(SafeDirectoryTree)
        self.query_one("#picker-where", Static).update(safe(Path(tree.path), limit=72, style="bold"))

    @on(DirectoryTree.FileSelected)
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(Path(event.path))

    def action_parent(self) -> None:
        tree = self.query_one(SafeDirectoryTree)
        current = Path(tree.path).resolve()
        if current.parent != current:
            tree.path = current.parent
            self._where()

    def action_cancel(self) -> None:
        self.dismiss(None)
