"""Edit text in the user's own editor ($VISUAL, then $EDITOR, then vi) and bring it back.

The text goes through a private temp file under the state dir (not /tmp): if the SSH session
dies while the editor is open, what was written there is still on disk. The terminal is handed
over with `App.suspend()`; the editor runs synchronously inside it, so Textual cannot paint
over it. `edit_text` takes the runner as an argument so the round trip can be tested without
a terminal.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from textual.app import App, SuspendNotSupported

from iris_tui.drafts import state_dir


class ExternalEditorError(Exception):
    """The editor could not run or gave up; the message says what happened."""


Runner = Callable[[list[str]], int]


def editor_command(environ: Mapping[str, str] | None = None) -> list[str]:
    """$VISUAL, else $EDITOR (both may carry arguments: `code --wait`), else vi if installed."""
    env = os.environ if environ is None else environ
    for name in ("VISUAL", "EDITOR"):
        value = (env.get(name) or "").strip()
        if value:
            try:
                argv = shlex.split(value)
            except ValueError as exc:
                raise ExternalEditorError(f"${name} cannot be parsed ({exc})") from None
            if argv:
                return argv
    if shutil.which("vi"):
        return ["vi"]
    raise ExternalEditorError("no editor: set $VISUAL or $EDITOR (e.g. export EDITOR=nano)")


def _slug(hint: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", hint).strip("-")[:40] or "note"


def edit_text(
    text: str,
    run: Runner,
    *,
    argv: list[str] | None = None,
    name_hint: str = "note",
    folder: Path | None = None,
) -> str:
    """Write `text` to a `.md` file, run the editor on it through `run`, return the new text.

    Raises ExternalEditorError (with the text left as it was) when the editor is missing,
    fails to start or exits non-zero (`:cq` in vim means "abandon").
    """
    command = argv if argv is not None else editor_command()
    where = folder or state_dir() / "edit"
    _private(where)
    fd, name = tempfile.mkstemp(dir=where, prefix=f"{_slug(name_hint)}-", suffix=".md")  # 0600
    path = Path(name)
    with os.fdopen(fd, "wb") as fh:
        fh.write(text.encode("utf-8", "surrogatepass"))
    keep = False
    try:
        try:
            status = run([*command, str(path)])
        except FileNotFoundError:
            raise ExternalEditorError(
                f"editor {command[0]!r} not found: set $VISUAL or $EDITOR") from None
        except PermissionError:
            raise ExternalEditorError(f"editor {command[0]!r} cannot be run (permission denied)") from None
        except SuspendNotSupported:
            raise ExternalEditorError(
                "this terminal cannot be handed to an external editor here") from None
        except OSError as exc:
            raise ExternalEditorError(f"editor {command[0]!r} failed to start: {exc.strerror}") from None
        if status != 0:
            raise ExternalEditorError(
                f"{Path(command[0]).name} exited with status {status}: the text was left as it was")
        try:
            data = path.read_bytes()
        except OSError as exc:
            keep = True
            raise ExternalEditorError(f"could not read the edited file back ({exc.strerror})") from None
        try:
            result = data.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            keep = True  # the user may want the original bytes
            raise ExternalEditorError(
                f"the edited file is not UTF-8; it was kept at {path}") from None
    finally:
        if not keep:
            path.unlink(missing_ok=True)
    # editors add a final newline the note did not have (vim's 'fixeol'): not a change
    if not text.endswith("\n") and result == text + "\n":
        return text
    return result


def _private(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def terminal_runner(app: App) -> Runner:
    """Run a command with the terminal handed over (raises SuspendNotSupported headless)."""

    def run(argv: list[str]) -> int:
        with app.suspend():
            return subprocess.call(argv)

    return run
