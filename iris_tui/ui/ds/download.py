"""`s` on a datastore file: save it to a local path, with progress, speed and ETA.

An existing file is replaced only after a yes. The API writes to a temporary file next to the
destination and renames it at the end, so a cancelled or broken download leaves nothing; the
sha256 of what arrived is checked against the one IRIS stored. IOC and password-protected files
come as a password ZIP (iris-api.md 10.4): the screen says so, and which password opens it.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from iris_tui.api import IrisError
from iris_tui.api.datastore import File
from iris_tui.api.download import safe_filename
from iris_tui.transfers import Rate, file_sha256, human_size
from iris_tui.ui.ds.dialogs import DIALOG_CSS, send_failed
from iris_tui.ui.ds.paths import PathInput, matches_text
from iris_tui.ui.ds.progress import Throttle, TransferScreen, progress_text
from iris_tui.ui.forms import ConfirmScreen
from iris_tui.ui.text import plain, safe

HINT = "tab completes · asks before replacing a file"
IOC_PASSWORD = "infected"  # what IRIS zips IOC files with when no password was set


def local_name(file: File) -> str:
    """The name to save under: IRIS's download name (`.zip` added for zipped files), made safe
    for a local folder."""
    return safe_filename(file.download_name) or f"datastore-file-{file.file_id}"


def default_destination(file: File) -> str:
    """`~/Downloads/<name>` when that folder exists, else `<cwd>/<name>`; with `~` for home."""
    downloads = Path.home() / "Downloads"
    folder = downloads if downloads.is_dir() else Path.cwd()
    return tilde(folder / local_name(file))


def tilde(path: Path) -> str:
    home = str(Path.home())
    text = str(path)
    return "~" + text[len(home):] if text == home or text.startswith(home + os.sep) else text


def zip_note(file: File) -> Text | None:
    """For files IRIS serves zipped: what arrives and which password opens it (never the
    password itself unless it is IRIS's well-known default)."""
    if file.download_name == file.name:
        return None
    note = Text(f"IRIS serves this {'IOC ' if file.is_ioc else ''}file as a password-protected "
                f"ZIP. Password: ")
    if file.file_password == IOC_PASSWORD:
        note.append(f'"{IOC_PASSWORD}"', style="bold")
        note.append(" (IRIS's default for IOC files).")
    elif file.has_password:
        note.append("set", style="bold")
        note.append(" (the file's own; ctrl+y copies it).")
    else:
        note.append("none recorded", style="bold")
        note.append(" (try \"infected\").")
    return note


class DownloadScreen(TransferScreen["Path | None"]):
    """Dismisses with the path written, or None."""

    transfer_group = "ds-download"
    DEFAULT_CSS = DIALOG_CSS.format(name="DownloadScreen") + """
    DownloadScreen .hint { height: 1; color: $text-muted; padding-left: 13; }
    DownloadScreen #dl-progress { height: 1; }
    DownloadScreen #dl-status { height: auto; }
    DownloadScreen #dl-status.-error { color: $text-error; }
    """
    BINDINGS = [
        Binding("ctrl+s", "start", "Download", id="ds.download.start"),
        Binding("ctrl+y", "copy_password", "Copy ZIP password", id="ds.download.password"),
    ]

    def __init__(self, cid: int, file: File, *, where: str = "") -> None:
        super().__init__()
        self.cid = cid
        self.file = file
        self.where = where  # the folder it is in, for the title
        self.saved: Path | None = None

    def compose(self) -> ComposeResult:
        title = Text("Save ", style="bold")
        title.append_text(safe(self.file.name or "(no name)", limit=50, style="bold"))
        title.append(f"  #{self.file.file_id}", style="dim")
        facts = Text(f"{human_size(self.file.file_size)}  SHA-256 "
                     f"{(self.file.file_sha256 or 'unknown')[:16].lower()}…", style="dim")
        if self.where:
            facts.append("  in ")
            facts.append_text(safe(self.where, limit=40, style="dim"))
        with Vertical(classes="box"):
            yield Static(title, classes="title")
            yield Static(facts)
            note = zip_note(self.file)
            if note is not None:
                yield Static(note, id="dl-zip")
            with Horizontal(classes="row"):
                yield Label("Save to", classes="label")
                yield PathInput(default_destination(self.file), id="dl-path")
            yield Static(Text(HINT), id="dl-hint", classes="hint")
            yield Static(id="dl-progress")
            yield Static(id="dl-status")
            yield Static(classes="error")
            yield Static(id="dl-keys", classes="keys")

    def on_mount(self) -> None:
        path = self.query_one("#dl-path", PathInput)
        path.focus()
        path.cursor_position = len(path.value)
        self._keys()

    def _keys(self) -> None:
        keys = ("esc / ctrl+c  cancel the download" if self.busy else
                "enter  download    esc  close")
        self.query_one("#dl-keys", Static).update(Text(keys, style="bold"))

    def _status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#dl-status", Static)
        status.update(Text(message))
        status.set_class(error, "-error")

    @property
    def status_text(self) -> str:
        return str(self.query_one("#dl-status", Static).content)

    @on(PathInput.Completed)
    def _completed(self, event: PathInput.Completed) -> None:
        self.query_one("#dl-hint", Static).update(
            matches_text(event.matches) if event.matches else Text(HINT))

    @on(Input.Submitted, "#dl-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_start()

    # -- starting ---------------------------------------------------------------------------

    def action_start(self) -> None:
        if self.busy:
            return
        self.show_error(None)
        typed = self.query_one("#dl-path", PathInput)
        if not typed.value.strip():
            self.show_error("Where to? Type a file path or a folder.")
            return
        dest = typed.path
        if dest.is_dir():
            dest = dest / local_name(self.file)
        if not dest.parent.is_dir():
            self.show_error(f"The folder {plain(dest.parent, limit=200)} does not exist.")
            return
        if dest.is_dir():
            self.show_error(f"{plain(dest, limit=200)} is a folder.")
            return
        if not dest.exists():
            self._begin(dest, overwrite=False)
            return

        def answered(replace: bool | None) -> None:
            if replace:
                self._begin(dest, overwrite=True)
            else:
                self._status("Kept the existing file: nothing was written. Choose another name.")
                typed.focus()

        self.app.push_screen(ConfirmScreen(Text(f"Replace {plain(tilde(dest), limit=120)}?"),
                                           Text("A file of that name exists. Replacing it cannot "
                                                "be undone."), yes="replace it"), answered)

    def _begin(self, dest: Path, *, overwrite: bool) -> None:
        self.busy = True
        self.query_one("#dl-path", PathInput).disabled = True
        self._status("")
        self._keys()
        self._download(dest, overwrite)

    def _done(self) -> None:
        self.busy = False
        path = self.query_one("#dl-path", PathInput)
        path.disabled = False
        path.focus()
        self._keys()

    # -- transferring -----------------------------------------------------------------------

    @work(exclusive=True, group="ds-download")
    async def _download(self, dest: Path, overwrite: bool) -> None:
        rate = Rate()
        throttle = Throttle()
        bar = self.query_one("#dl-progress", Static)

        def progress(done: int, total: int | None) -> None:
            rate.update(done, total)
            if throttle(final=total is not None and done >= total):
                bar.update(progress_text(rate))

        bar.update(progress_text(rate))
        try:
            final = await self.iris.datastore.download(
                self.cid, self.file, dest, progress=progress, overwrite=overwrite)
        except asyncio.CancelledError:
            self._status("Cancelled: no file was written.", error=True)
            self._done()
            raise
        except FileExistsError:
            self._status(f"{plain(tilde(dest), limit=200)} appeared meanwhile: it was not "
                         "replaced. Press enter to choose again.", error=True)
            self._done()
            return
        except (IrisError, OSError) as exc:
            self._status(f"Download failed: {send_failed(exc)}. No file was written. "
                         "Press enter to try again.", error=True)
            self._done()
            return
        bar.update(progress_text(rate))
        try:
            checked = await self._check(final)
        except asyncio.CancelledError:
            self.saved = final
            self._status(f"Saved to {plain(tilde(final), limit=200)}; the sha256 check was cancelled.")
            self._done()
            raise
        if checked is not None:
            self._status(checked, error=True)
        else:
            self.saved = final
            zipped = self.file.download_name != self.file.name
            check = (" (a ZIP: its sha256 is not the file's)" if zipped
                     else ", sha256 checked" if self.file.file_sha256 else "")
            self._status(f"Saved to {plain(tilde(final), limit=200)}: {rate.summary()}{check}.")
        self._done()

    async def _check(self, final: Path) -> str | None:
        """What is wrong with the bytes that arrived (the file is then removed), or None."""
        expected = (self.file.file_sha256 or "").lower()
        if not expected or self.file.download_name != self.file.name:
            return None
        self._status("Checking the sha256…")
        actual = await asyncio.to_thread(file_sha256, final)
        if actual == expected:
            return None
        final.unlink(missing_ok=True)
        return (f"The file arrived with sha256 {actual[:16]}… instead of {expected[:16]}…: "
                "removed it. Press enter to try again.")

    # -- the rest ---------------------------------------------------------------------------

    def action_copy_password(self) -> None:
        if not self.file.has_password:
            self.app.notify("this file has no password", severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(self.file.file_password or "")
        self.app.notify("copied the ZIP password", markup=False)

    def leave(self) -> None:
        self.dismiss(self.saved)
