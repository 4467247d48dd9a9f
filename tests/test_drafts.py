"""Local note drafts: where they live, what they hold, atomic writes, backups."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from iris_tui.drafts import BACKUPS_KEPT, Draft, DraftStore, server_id, state_dir

URL = "https://iris.example.org"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DraftStore:
    monkeypatch.setenv("IRIS_TUI_STATE_DIR", str(tmp_path / "state"))
    return DraftStore(URL)


def test_state_dir_override_and_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRIS_TUI_STATE_DIR", str(tmp_path))
    assert state_dir() == tmp_path
    monkeypatch.delenv("IRIS_TUI_STATE_DIR")
    assert state_dir().name == "iris-tui"


def test_server_id_is_a_url_hash_without_credentials_or_noise() -> None:
    ident = server_id(URL)
    assert len(ident) == 16 and all(c in "0123456789abcdef" for c in ident)
    assert server_id("HTTPS://IRIS.example.org/") == ident
    assert server_id("https://user:secret@iris.example.org") == ident  # userinfo never counts
    assert server_id("https://iris.example.org:8443") != ident
    assert server_id("https://other.example.org") != ident


def test_save_load_round_trip_with_hostile_text(store: DraftStore) -> None:
    text = "# Title\n\x1b[31mred\x1b]52;c;aGk=\x07 \u202eevil \ud800 lone surrogate\n" * 3
    draft = Draft(case_id=4, note_id=12, text=text, title="Host \u00e9 triage", fingerprint="abc",
                  directory_id=7)
    path = store.save(draft)
    assert path == store.root / "case-4" / "note-12.json"
    assert path.parent.parent.parent.name == "drafts"
    loaded = store.load(4, 12)
    assert loaded is not None
    assert (loaded.text, loaded.title, loaded.fingerprint, loaded.directory_id) == (
        text, "Host \u00e9 triage", "abc", 7)
    assert loaded.saved_at.endswith("+00:00")
    raw = json.loads(path.read_text("ascii"))
    assert set(raw) == {"case_id", "note_id", "text", "title", "fingerprint", "directory_id", "saved_at"}


def test_files_are_private(store: DraftStore) -> None:
    path = store.save(Draft(case_id=1, note_id=2, text="secret", title="t"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (path.parent, store.root, store.root.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_no_api_key_or_url_in_paths_or_content(store: DraftStore) -> None:
    path = store.save(Draft(case_id=1, note_id=2, text="x", title="t"))
    assert "iris.example.org" not in str(path)
    assert "iris.example.org" not in path.read_text()


def test_delete_and_missing(store: DraftStore) -> None:
    assert store.load(1, 99) is None
    assert store.delete(1, 99) is False
    store.save(Draft(case_id=1, note_id=99, text="a", title="t"))
    assert store.delete(1, 99) is True
    assert store.load(1, 99) is None


def test_list_all_or_one_case_and_skip_broken_files(store: DraftStore) -> None:
    store.save(Draft(case_id=1, note_id=1, text="a", title="one"))
    store.save(Draft(case_id=1, note_id=2, text="b", title="two"))
    store.save(Draft(case_id=3, note_id=5, text="c", title="five"))
    (store.root / "case-1" / "note-9.json").write_text("{not json")
    (store.root / "case-1" / ".note-3.json.x.tmp").write_text("half")  # an interrupted write
    assert sorted((d.case_id, d.note_id) for d in store.list()) == [(1, 1), (1, 2), (3, 5)]
    assert sorted(d.note_id for d in store.list(1)) == [1, 2]
    assert store.list(42) == []
    assert store.load(1, 9) is None  # unreadable: None, and the file is left for a human
    assert (store.root / "case-1" / "note-9.json").exists()


def test_servers_do_not_mix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRIS_TUI_STATE_DIR", str(tmp_path))
    a, b = DraftStore("https://a.example"), DraftStore("https://b.example")
    a.save(Draft(case_id=1, note_id=1, text="from a", title="t"))
    assert b.load(1, 1) is None
    assert a.load(1, 1) is not None


def test_atomic_write_keeps_the_old_draft_when_writing_fails(
    store: DraftStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(Draft(case_id=1, note_id=1, text="old text", title="t"))

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        store.save(Draft(case_id=1, note_id=1, text="new text", title="t"))
    monkeypatch.undo()
    loaded = store.load(1, 1)
    assert loaded is not None and loaded.text == "old text"
    assert [p.name for p in (store.root / "case-1").iterdir()] == ["note-1.json"]  # no temp left


def test_write_goes_through_a_temp_file_and_fsync(store: DraftStore, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append(f"replace {Path(a).name[:7]}"),
                                                     real_replace(a, b))[1])
    store.save(Draft(case_id=1, note_id=1, text="x", title="t"))
    assert calls[:2] == ["fsync", "replace .note-1"]
    assert calls[2:] == ["fsync"]  # the directory, so the rename survives a power cut


def test_backups_are_kept_apart_and_pruned(store: DraftStore) -> None:
    store.save(Draft(case_id=1, note_id=1, text="current", title="t"))
    paths = [store.backup(Draft(case_id=1, note_id=1, text=f"mine {i}", title="t"))
             for i in range(BACKUPS_KEPT + 3)]
    kept = sorted((store.root / "case-1" / "backups").iterdir())
    assert kept == paths[3:]
    assert [json.loads(p.read_text())["text"] for p in kept[-2:]] == [
        f"mine {BACKUPS_KEPT + 1}", f"mine {BACKUPS_KEPT + 2}"]
    # backups are not drafts: nothing offers to restore them
    assert [d.text for d in store.list()] == ["current"]
