"""Local drafts of note edits: what was typed survives a crash, a dropped network or a killed
SSH session until the server confirms the save.

One JSON file per server, case and note under the platform's user state dir (override with
IRIS_TUI_STATE_DIR), written atomically (temp file, fsync, rename), readable by the user only.
The server is named by a hash of its URL (never by the API key), so drafts of two servers never
mix and the file names leak nothing. A draft also keeps the note's fingerprint as the server had
it when editing began: restoring the draft later still detects a colleague's edit made since.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from iris_tui.config import APP_NAME, write_atomic

STATE_DIR_ENV = "IRIS_TUI_STATE_DIR"
BACKUPS_KEPT = 20  # per note; older backups are removed when a new one is written
_NOTE_FILE = re.compile(r"^note-(\d+)\.json$")


def state_dir() -> Path:
    override = os.environ.get(STATE_DIR_ENV)
    return Path(override) if override else platformdirs.user_state_path(APP_NAME)


def server_id(url: str) -> str:
    """A short, stable name for a server: scheme, host, port and path, without credentials."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port else ""
    norm = f"{parts.scheme.lower()}://{host}{port}{parts.path.rstrip('/')}"
    return hashlib.sha256(norm.encode()).hexdigest()[:16]


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class Draft:
    """The text being edited, and what the server had when editing began (`fingerprint`)."""

    case_id: int
    note_id: int
    text: str
    title: str
    fingerprint: str | None = None
    directory_id: int | None = None  # to save it as a new note if the original is gone
    saved_at: str = field(default_factory=_now)  # ISO 8601, UTC

    @classmethod
    def from_json(cls, raw: object) -> Draft:
        if not isinstance(raw, dict):
            raise ValueError("not a draft")
        return cls(
            case_id=int(raw["case_id"]), note_id=int(raw["note_id"]), text=str(raw["text"]),
            title=str(raw.get("title") or ""), fingerprint=raw.get("fingerprint"),
            directory_id=raw.get("directory_id"), saved_at=str(raw.get("saved_at") or ""),
        )


class DraftStore:
    """The drafts of one server. Methods do file I/O: call them off the UI thread."""

    def __init__(self, url: str, root: Path | None = None) -> None:
        self.root = (root or state_dir()) / "drafts" / server_id(url)

    def _case_dir(self, case_id: int) -> Path:
        return self.root / f"case-{int(case_id)}"

    def path(self, case_id: int, note_id: int) -> Path:
        return self._case_dir(case_id) / f"note-{int(note_id)}.json"

    def save(self, draft: Draft) -> Path:
        """Write (or replace) the note's draft atomically; returns its path."""
        draft.saved_at = _now()
        path = self.path(draft.case_id, draft.note_id)
        _write(path, draft)
        return path

    def load(self, case_id: int, note_id: int) -> Draft | None:
        """The note's draft, or None. An unreadable file is left in place and reads as None."""
        return _read(self.path(case_id, note_id))

    def delete(self, case_id: int, note_id: int) -> bool:
        """Remove the note's draft (after the server confirmed a save); False if there was none."""
        try:
            self.path(case_id, note_id).unlink()
        except FileNotFoundError:
            return False
        return True

    def list(self, case_id: int | None = None) -> list[Draft]:
        """Every draft of this server (or of one case), oldest first."""
        dirs = [self._case_dir(case_id)] if case_id is not None else sorted(self.root.glob("case-*"))
        drafts = [
            draft for d in dirs if d.is_dir() for p in sorted(d.iterdir())
            if _NOTE_FILE.match(p.name) and (draft := _read(p)) is not None
        ]
        return sorted(drafts, key=lambda d: (d.saved_at, d.case_id, d.note_id))

    def backup(self, draft: Draft) -> Path:
        """Keep a copy of a version the user chose to drop (theirs taken over mine)."""
        folder = self._case_dir(draft.case_id) / "backups"
        stamp = time.time_ns()
        while (path := folder / f"note-{draft.note_id}-{stamp:020d}.json").exists():
            stamp += 1
        _write(path, Draft(**{**asdict(draft), "saved_at": _now()}))
        old = sorted(folder.glob(f"note-{draft.note_id}-*.json"))
        for stale in old[:-BACKUPS_KEPT]:
            stale.unlink(missing_ok=True)
        return path


def _write(path: Path, draft: Draft) -> None:
    _private_dir(path.parent)
    # ensure_ascii: lone surrogates from the server's JSON survive the round trip
    write_atomic(path, json.dumps(asdict(draft), ensure_ascii=True).encode("ascii"))
    try:  # make the rename itself durable
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _private_dir(folder: Path) -> None:
    """Create `folder` and missing parents readable by the user only (notes are case data)."""
    if folder.is_dir():
        return
    _private_dir(folder.parent)
    folder.mkdir(mode=0o700, exist_ok=True)


def _read(path: Path) -> Draft | None:
    try:
        return Draft.from_json(json.loads(path.read_text("utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
