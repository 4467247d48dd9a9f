"""`u` on the datastore tab: upload one or several local files into a folder of the case.

Files are added to a list (a typed path with tab completion and `*` patterns, or the file
browser), share one description, tags, password and flags, and are sent one after the other,
each with its own progress line (bytes, speed, ETA) and result. The sha256 IRIS computed is
checked against the bytes read while sending. esc / ctrl+c cancels: IRIS creates the entry only
once the whole request has arrived, so a cancelled file leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import glob
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, OptionList, Static

from iris_tui.api import IrisError
from iris_tui.api.datastore import File, Folder
from iris_tui.api.model import join_tags
from iris_tui.transfers import HashingFile, Rate, human_size
from iris_tui.ui.ds.dialogs import DIALOG_CSS, FolderPicker, folder_label, send_failed
from iris_tui.ui.ds.paths import FilePicker, PathInput, expand, matches_text
from iris_tui.ui.ds.progress import Throttle, TransferScreen, progress_text
from iris_tui.ui.text import plain, safe
from iris_tui.ui.widgets.fields import StateCheckbox

HINT = "enter add · tab complete · ctrl+o browse · *.log adds all"


@dataclass
class Item:
    """One file of the list and what became of it."""

    path: Path
    size: int
    state: str = "waiting"  # waiting, sending, ok, failed, cancelled
    note: str = ""  # the result in words
    rate: Rate | None = None
    stored: File | None = None


def item_text(item: Item) -> Text:
    """`name  size  state`, then the progress line or the result."""
    marks = {"waiting": "· waiting", "sending": "↑ sending", "ok": "✓ stored",
             "failed": "✗ failed", "cancelled": "✗ cancelled"}
    text = safe(item.path.name, limit=44)
    text.append(f"  {human_size(item.size)}  ", style="dim")
    text.append(marks[item.state], style="bold" if item.state in ("ok", "failed", "cancelled") else "")
    if item.state == "ok" and item.stored is not None:
        text.append(f" as #{item.stored.file_id}")
    if item.state == "sending" and item.rate is not None:
        text.append("\n  ")
        text.append_text(progress_text(item.rate, width=16))
    elif item.note:
        text.append("\n  " + plain(item.note, limit=140))
    return text


def local_problem(path: Path) -> str | None:
    """Why `path` cannot be uploaded, or None."""
    shown = plain(path, limit=120)
    if path.is_dir():
        return f"{shown} is a folder: add the files in it (tab lists them, or {shown}/*)"
    if not path.exists():
        return f"{shown} does not exist"
    if not path.is_file():
        return f"{shown} is not a regular file"
    if not os.access(path, os.R_OK):
        return f"{shown} is not readable"
    return None


class FileList(OptionList):
    """The files to upload; delete / x takes the highlighted one off the list."""

    DEFAULT_CSS = """
    FileList { height: auto; max-height: 10; }
    FileList:nocolor > .option-list--option-highlighted { text-style: reverse; }
    """
    BINDINGS = [Binding("delete,x", "drop", "Remove", id="ds.upload.remove")]

    def action_drop(self) -> None:
        screen = self.screen
        if isinstance(screen, UploadScreen) and self.highlighted is not None:
            screen.drop(self.highlighted)


class UploadScreen(TransferScreen[list[File]]):
    """Dismisses with the files stored while it was open."""

    transfer_group = "ds-upload"
    DEFAULT_CSS = DIALOG_CSS.format(name="UploadScreen") + """
    UploadScreen #up-body { height: auto; max-height: 100%; }
    UploadScreen .hint { height: 1; color: $text-muted; padding-left: 13; }
    UploadScreen #up-folder { width: auto; max-width: 60; min-width: 10; content-align: left middle; }
    UploadScreen StateCheckbox { margin-right: 2; }
    UploadScreen #up-status { height: auto; }
    UploadScreen .keys { margin-top: 0; }
    """
    BINDINGS = [
        Binding("ctrl+s", "start", "Upload", id="ds.upload.start"),
        Binding("ctrl+o", "browse", "Browse", id="ds.upload.browse"),
        Binding("ctrl+f", "pick_folder", "Folder", id="ds.upload.folder"),
    ]

    def __init__(self, cid: int, root: Folder, folder: Folder, *,
                 on_uploaded: Callable[[list[File]], Any] | None = None) -> None:
        super().__init__()
        self.cid = cid
        self.root = root
        self.folder = folder
        self.on_uploaded = on_uploaded
        self.items: list[Item] = []
        self.stored: list[File] = []

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Static(Text(f"Upload to the datastore of case #{self.cid}"), classes="title")
            with VerticalScroll(id="up-body"):
                with Horizontal(classes="row"):
                    yield Label("File", classes="label")
                    yield PathInput(placeholder="path of a local file (~ works)", id="up-path")
                yield Static(Text(HINT), id="up-hint", classes="hint")
                yield FileList(id="up-files", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Folder", classes="label")
                    yield Button(self._folder_text(), id="up-folder", compact=True)
                for key, label in (("desc", "Description"), ("tags", "Tags"), ("password", "Password")):
                    with Horizontal(classes="row"):
                        yield Label(label, classes="label")
                        yield Input(compact=True, password=key == "password", id=f"up-{key}",
                                    placeholder="a,b" if key == "tags" else
                                    "optional: stored in a password ZIP" if key == "password" else "")
                with Horizontal(classes="row"):
                    yield Label("Flags", classes="label")
                    yield StateCheckbox("IOC", compact=True, id="up-ioc")
                    yield StateCheckbox("Evidence", compact=True, id="up-evidence")
                yield Static(Text('IOC: stored zipped (password "infected" unless one is set), '
                                  "sha256 added as an IOC. Evidence: adds an evidence row."),
                             classes="note")
                yield Static(id="up-status")
                yield Static(classes="error")
            yield Static(id="up-keys", classes="keys")

    def on_mount(self) -> None:
        self._refresh_list()
        self._keys()
        self.query_one("#up-path", PathInput).focus()

    def _folder_text(self) -> Text:
        return safe(folder_label(self.folder), limit=58)

    def _keys(self) -> None:
        keys = ("esc / ctrl+c  cancel the upload" if self.busy else
                "ctrl+s  upload    ctrl+f  folder    x  remove file    esc  close")
        self.query_one("#up-keys", Static).update(Text(keys, style="bold"))

    def _status(self, message: str | Text) -> None:
        self.query_one("#up-status", Static).update(
            message if isinstance(message, Text) else Text(message))

    # -- the list ---------------------------------------------------------------------------

    def _refresh_list(self) -> None:
        files = self.query_one(FileList)
        highlighted = files.highlighted
        files.set_options([item_text(item) for item in self.items]
                          or [Text("No files yet: type a path above and press enter.", style="dim")])
        files.disabled = not self.items
        if self.items:
            files.highlighted = min(highlighted or 0, len(self.items) - 1)

    def _redraw(self, item: Item) -> None:
        files = self.query_one(FileList)
        files.replace_option_prompt_at_index(self.items.index(item), item_text(item))

    def add_paths(self, typed: str) -> None:
        """Add what `typed` names (a file, or a `*` pattern) to the list; say what happened."""
        self.show_error(None)
        path = expand(typed)
        if glob.has_magic(str(path)) and not path.exists():  # `notes [x].txt` is a name
            found = sorted(Path(p) for p in glob.glob(str(path)) if Path(p).is_file())
            if not found:
                self.show_error(f"No file matches {plain(typed, limit=100)}")
                return
        else:
            problem = local_problem(path)
            if problem:
                self.show_error(problem)
                return
            found = [path]
        known = {item.path for item in self.items}
        added = 0
        for candidate in found:
            absolute = candidate.absolute()
            if absolute in known or local_problem(candidate):
                continue
            self.items.append(Item(absolute, absolute.stat().st_size))
            known.add(absolute)
            added += 1
        self.query_one("#up-path", PathInput).value = ""
        self._refresh_list()
        total = human_size(sum(item.size for item in self.items))
        self._status(f"{len(self.items)} file{'' if len(self.items) == 1 else 's'} ({total})"
                     + ("" if added else ": already in the list"))

    def drop(self, index: int) -> None:
        if self.busy or not 0 <= index < len(self.items):
            return
        del self.items[index]
        self._refresh_list()

    @on(Input.Submitted, "#up-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.add_paths(event.value)

    @on(PathInput.Completed)
    def _completed(self, event: PathInput.Completed) -> None:
        hint = self.query_one("#up-hint", Static)
        hint.update(matches_text(event.matches) if event.matches else Text(HINT))

    def action_browse(self) -> None:
        if self.busy:
            return
        start = self.query_one("#up-path", PathInput).path
        start = start if start.is_dir() else start.parent if start.parent.is_dir() else Path.cwd()

        def picked(path: Path | None) -> None:
            if path is not None:
                self.add_paths(str(path))

        self.app.push_screen(FilePicker(start), picked)

    # -- the folder -------------------------------------------------------------------------

    @on(Button.Pressed, "#up-folder")
    def _folder_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_pick_folder()

    def action_pick_folder(self) -> None:
        if self.busy:
            return

        def picked(folder: Folder | None) -> None:
            if folder is not None:
                self.folder = folder
                self.query_one("#up-folder", Button).label = self._folder_text()

        self.app.push_screen(FolderPicker("Upload into…", self.root, current=self.folder.id), picked)

    # -- sending ----------------------------------------------------------------------------

    def meta(self) -> dict[str, Any]:
        password = self.query_one("#up-password", Input).value
        return {
            "description": self.query_one("#up-desc", Input).value,
            "tags": join_tags(self.query_one("#up-tags", Input).value),
            "password": password or None,
            "is_ioc": self.query_one("#up-ioc", StateCheckbox).value,
            "is_evidence": self.query_one("#up-evidence", StateCheckbox).value,
        }

    def action_start(self) -> None:
        if self.busy or self.app.refuse_write():  # type: ignore[attr-defined]
            return
        typed = self.query_one("#up-path", PathInput).value
        if typed.strip():
            self.add_paths(typed)  # typed but not added yet: that is what they mean to send
            if self.error_text:
                return
        pending = [item for item in self.items if item.state != "ok"]
        if not pending:
            self.show_error("Nothing to upload: add a file first (type its path, enter)."
                            if not self.items else None)
            return
        self._busy(True)
        self._upload(pending, self.folder, self.meta())

    def _busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in self.query("#up-path, #up-folder, #up-desc, #up-tags, #up-password, "
                                 "#up-ioc, #up-evidence"):
            widget.disabled = busy
        files = self.query_one(FileList)
        if busy:
            files.focus()
        else:
            self.query_one("#up-path", PathInput).focus()
        self._keys()

    @work(exclusive=True, group="ds-upload")
    async def _upload(self, items: list[Item], folder: Folder, meta: dict[str, Any]) -> None:
        stored: list[File] = []
        try:
            for item in items:
                item.state, item.note, item.rate, item.stored = "waiting", "", None, None
                self._redraw(item)
            for item in items:
                file = await self._send(item, folder, meta)
                if file is not None:
                    stored.append(file)
        except asyncio.CancelledError:
            for item in items:
                if item.state == "waiting":
                    item.note = "not sent"
                    self._redraw(item)
            raise
        finally:
            self.stored.extend(stored)
            if self.is_attached:  # not when the app is shutting down
                self._busy(False)
                self._summary(items)
                if self.on_uploaded is not None:
                    self.on_uploaded(stored)

    async def _send(self, item: Item, folder: Folder, meta: dict[str, Any]) -> File | None:
        rate = item.rate = Rate()
        item.state = "sending"
        self._redraw(item)
        throttle = Throttle()

        def progress(done: int, total: int | None) -> None:
            rate.update(done, total)
            if throttle(final=total is not None and done >= total):
                self._redraw(item)

        try:
            with item.path.open("rb") as raw:
                source = HashingFile(raw)
                file = await self.iris.datastore.upload(
                    self.cid, folder, source, name=item.path.name, progress=progress, **meta)
        except asyncio.CancelledError:
            item.state = "cancelled"
            if rate.total is not None and rate.done >= rate.total:
                item.note = "cancelled after the last byte: IRIS may have stored it (see the tab)"
            else:
                item.note = "nothing was stored"
            self._redraw(item)
            raise
        except (IrisError, OSError, ValueError, TypeError) as exc:
            item.state, item.note = "failed", send_failed(exc)
            self._redraw(item)
            return None
        item.stored = file
        local, remote = source.hexdigest(), (file.file_sha256 or "").lower()
        if local and remote and local != remote:
            item.state = "failed"
            item.note = (f"IRIS stored #{file.file_id} with sha256 {remote[:16]}…, the file has "
                         f"{local[:16]}…: delete it and upload again")
        else:
            item.state = "ok"
            item.note = rate.summary() + (", sha256 checked" if local and remote else "")
        self._redraw(item)
        return file

    def _summary(self, items: list[Item]) -> None:
        words = {"ok": "stored", "failed": "failed", "cancelled": "cancelled"}
        counts = {state: sum(1 for i in items if i.state == state) for state in words}
        parts = [f"{n} {words[state]}" for state, n in counts.items() if n]
        left = sum(1 for i in self.items if i.state != "ok")
        tail = f"; ctrl+s sends the {left} not stored" if left else "; esc closes"
        self._status(Text(", ".join(parts) + tail, style="bold"))

    def leave(self) -> None:
        self.dismiss(self.stored)
