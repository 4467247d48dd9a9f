"""`iris-tui ds ls|put|get` end to end: the demo IRIS over real loopback HTTP, the key from the
same sources as the app, dropped connections and interruptions that must leave no partial file."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from iris_tui import cli, ds_cli
from iris_tui import config as cfg
from iris_tui.api.datastore import File, Folder
from iris_tui.demo import DEMO_API_KEY
from iris_tui.demo.routes.datastore import Blob, create_folder, ensure_root, find_folder, store_file
from iris_tui.demo.serve import running_server
from support.fake_keyrings import iris_env, use_keyring  # noqa: F401 (fixtures)

CASE = 1
WRONG_KEY = "wrong-key-1234567890abcdef-not-valid"


@pytest.fixture(scope="module")
def server():
    with running_server(seed="fresh") as (url, app):
        yield url, app


@pytest.fixture
def app(iris_env, server, monkeypatch):
    """A profile `lab` on the loopback demo server, its key in IRIS_TUI_API_KEY_LAB."""
    url, demo = server
    config = cfg.Config()
    config.set_profile(cfg.Profile(name="lab", url=url))
    config.save()
    monkeypatch.setenv("IRIS_TUI_API_KEY_LAB", DEMO_API_KEY)
    yield demo
    demo.faults.clear()


@pytest.fixture
def dl(tmp_path):
    """An empty folder to download into (tmp_path also holds the config)."""
    path = tmp_path / "dl"
    path.mkdir()
    return path


def ds(capsys, *argv: str) -> tuple[int, str, str]:
    """Run `iris-tui ds ...`; (exit code, stdout, stderr). The key never shows."""
    code = cli.main(["ds", *argv])
    out, err = capsys.readouterr()
    assert DEMO_API_KEY not in out + err and WRONG_KEY not in out + err
    return code, out, err


def random_file(path: Path, size: int) -> str:
    data = os.urandom(size)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def folder_id(app, name: str, parent: str | None = None) -> int:
    root = ensure_root(app.store, CASE)
    parent_id = find_folder(app.store, CASE, parent, root["path_id"])["path_id"] if parent else root["path_id"]
    return find_folder(app.store, CASE, name, parent_id)["path_id"]


def stored(app, name: str, data: bytes, folder: str = "Evidences", **meta) -> int:
    return store_file(app.store, CASE, folder_id(app, folder), 1, name, data, **meta)["file_id"]


class SlowBlob(Blob):
    """Served 64 KiB at a time with a pause: a download that is still running when we act."""

    def chunks(self, size: int = 1 << 20):
        for chunk in super().chunks(64 * 1024):
            time.sleep(0.02)
            yield chunk


def slow_file(app, size: int = 8 << 20) -> int:
    file_id = stored(app, "slow.bin", b"")
    data = os.urandom(size)
    app.store.ds_blobs[file_id] = SlowBlob(io.BytesIO(data), size, hashlib.sha256(data).hexdigest().upper())
    app.store.ds_files[file_id].update(file_size=size, file_sha256=app.store.ds_blobs[file_id].sha256)
    return file_id


# -- put and get -----------------------------------------------------------------------------

def test_put_then_get_round_trip_with_matching_sha256(app, capsys, tmp_path):
    local = tmp_path / "memory.raw"
    digest = random_file(local, 3 * 1024 * 1024 + 17)

    code, out, err = ds(capsys, "put", str(CASE), str(local), "--folder", "Evidences",
                        "--description", "RAM of WS-042", "--tags", "ram, ws-042")
    assert code == 0, err
    file_id, sha, where = out.rstrip("\n").split("\t")
    assert sha == digest and where == "Case 1/Evidences/memory.raw"
    record = app.store.ds_files[int(file_id)]
    assert record["file_parent_id"] == folder_id(app, "Evidences")
    assert (record["file_description"], record["file_tags"]) == ("RAM of WS-042", "ram,ws-042")
    assert not record["file_is_ioc"] and not record["file_is_evidence"]
    assert "memory.raw  3.0 MiB in" in err and "sha256 checked" in err

    into = tmp_path / "out"
    into.mkdir()
    code, out, err = ds(capsys, "get", str(CASE), file_id, str(into))
    assert code == 0, err
    assert out == f"{into / 'memory.raw'}\n"
    assert hashlib.sha256((into / "memory.raw").read_bytes()).hexdigest() == digest
    assert "sha256 checked" in err and os.listdir(into) == ["memory.raw"]


def test_put_several_files_with_flags(app, capsys, tmp_path):
    first, second = tmp_path / "a.exe", tmp_path / "b.log"
    random_file(first, 1000)
    random_file(second, 2000)
    iocs_before = len(app.store.iocs)

    code, out, err = ds(capsys, "put", str(CASE), str(first), str(second), "--folder", "IOCs",
                        "--ioc", "--evidence", "-q")
    assert code == 0, err
    assert err == ""  # --quiet
    lines = out.splitlines()
    assert [line.split("\t")[2] for line in lines] == ["Case 1/IOCs/a.exe", "Case 1/IOCs/b.log"]
    for line in lines:
        record = app.store.ds_files[int(line.split("\t")[0])]
        assert record["file_is_ioc"] and record["file_is_evidence"]
        assert record["file_password"] == "infected"
    assert len(app.store.iocs) == iocs_before + 2


def test_get_of_an_ioc_file_is_a_zip_with_a_note(app, capsys, dl):
    file_id = stored(app, "dropper.exe", b"MZ\x90\x00 evil", folder="IOCs", is_ioc=True)
    code, out, err = ds(capsys, "get", str(CASE), str(file_id), str(dl))
    assert code == 0, err
    assert out == f"{dl / 'dropper.exe.zip'}\n"
    assert 'encrypted ZIP; its password is "infected"' in err
    assert "sha256 checked" not in err  # the ZIP is not the stored file's bytes


def test_missing_local_file_uploads_nothing(app, capsys, tmp_path):
    real = tmp_path / "real.bin"
    random_file(real, 10)
    before = len(app.store.ds_files)
    code, out, err = ds(capsys, "put", str(CASE), str(real), str(tmp_path / "nope.bin"), str(tmp_path))
    assert code == 1 and out == ""
    assert err == (f"error: {tmp_path / 'nope.bin'} does not exist; {tmp_path} is a folder (upload "
                   "files, e.g. an archive of it). Nothing was uploaded.\n")
    assert len(app.store.ds_files) == before


def test_ls_prints_the_tree_with_ids_sizes_sha256(app, capsys):
    data = b"From: attacker\n"
    file_id = stored(app, "mail\x1b[31m.eml", data, tags="mail", is_evidence=True)
    code, out, err = ds(capsys, "ls", str(CASE))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"Case 1/  (folder {ensure_root(app.store, CASE)['path_id']})"
    assert f"  Evidences/  (folder {folder_id(app, 'Evidences')})" in lines
    sha = hashlib.sha256(data).hexdigest()
    assert f"    {file_id:>5}        15 B  {sha}  mail\\x1b[31m.eml  [evidence]" in lines
    assert "\x1b" not in out  # a hostile name cannot drive the terminal


# -- folders ---------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [
    "Evidences/Mails-{n}", "evidences/mails-{n}", "/Evidences/Mails-{n}/", "Case 1/Evidences/Mails-{n}",
    "{id}", "d-{id}",
])
def test_folder_by_path_or_id(app, capsys, tmp_path, spec):
    n = len(app.store.ds_folders)
    mails = create_folder(app.store, CASE, folder_id(app, "Evidences"), f"Mails-{n}")["path_id"]
    local = tmp_path / "x.eml"
    random_file(local, 100)
    code, out, err = ds(capsys, "put", str(CASE), str(local), "--folder",
                        spec.format(n=n, id=mails), "-q")
    assert code == 0, err
    assert app.store.ds_files[int(out.split("\t")[0])]["file_parent_id"] == mails
    assert out.rstrip().endswith(f"\tCase 1/Evidences/Mails-{n}/x.eml")


def test_unknown_folder_is_explained_and_nothing_uploaded(app, capsys, tmp_path):
    local = tmp_path / "x.eml"
    random_file(local, 100)
    before = len(app.store.ds_files)
    code, out, err = ds(capsys, "put", str(CASE), str(local), "--folder", "Evidences/Nope")
    assert code == 1 and out == ""
    assert err.startswith('error: case 1: no folder "Nope" in "Case 1/Evidences"')
    assert "see `iris-tui ds ls 1`" in err
    assert len(app.store.ds_files) == before


def test_resolve_folder_rules():
    twin_a, twin_b = Folder(id=5, name="Twin", path=("Case 1", "Twin")), Folder(id=6, name="twin", path=("Case 1", "twin"))
    digits = Folder(id=7, name="2024", path=("Case 1", "2024"))
    root = Folder(id=1, name="Case 1", is_root=True, path=("Case 1",), children=[twin_a, twin_b, digits])
    assert ds_cli.resolve_folder(root, "Twin") is twin_a  # exact match first
    assert ds_cli.resolve_folder(root, "/") is root
    assert ds_cli.resolve_folder(root, "2024") is digits  # not a folder id: a name
    assert ds_cli.resolve_folder(root, "7") is digits
    with pytest.raises(LookupError, match=r'several folders named "TWIN" in "Case 1" \(ids 5, 6\)'):
        ds_cli.resolve_folder(root, "TWIN")
    with pytest.raises(LookupError, match="no folder with id 99"):
        ds_cli.resolve_folder(root, "d-99")


# -- never overwrite -------------------------------------------------------------------------

def test_get_refuses_to_overwrite_without_the_flag(app, capsys, dl):
    file_id = stored(app, "report.txt", b"new content")
    target = dl / "report.txt"
    target.write_bytes(b"precious")

    for dest in (target, dl):  # a file path, and a folder holding that name
        code, out, err = ds(capsys, "get", str(CASE), str(file_id), str(dest))
        assert code == 1 and out == ""
        assert err == f"error: {target} exists: pass --overwrite to replace it\n"
        assert target.read_bytes() == b"precious"
    assert sorted(os.listdir(dl)) == ["report.txt"]

    code, out, err = ds(capsys, "get", str(CASE), str(file_id), str(target), "--overwrite")
    assert code == 0, err
    assert target.read_bytes() == b"new content"


def test_get_errors(app, capsys, dl):
    code, _, err = ds(capsys, "get", str(CASE), "999999", str(dl))
    assert code == 1 and err == "error: case 1 has no datastore file 999999 (see `iris-tui ds ls 1`)\n"
    code, _, err = ds(capsys, "get", "4242", "1", str(dl))
    assert code == 1 and "refused access (Permission denied): the case does not exist" in err
    code, _, err = ds(capsys, "get", str(CASE), "1", str(dl / "no" / "such.bin"))
    assert code == 1 and err.startswith(f"error: cannot save to {dl / 'no' / 'such.bin'}")
    assert os.listdir(dl) == []


def test_corrupt_download_is_removed(app, capsys, dl):
    file_id = stored(app, "disk.img", b"bytes as served")
    app.store.ds_files[file_id]["file_sha256"] = "AB" * 32  # what IRIS recorded at upload
    code, out, err = ds(capsys, "get", str(CASE), str(file_id), str(dl))
    assert code == 1 and out == ""
    assert f"error: file {file_id} arrived with sha256 " in err and "removed it" in err
    assert os.listdir(dl) == []


# -- broken connections and interruptions ----------------------------------------------------

@pytest.mark.parametrize("after", [256 * 1024, None], ids=["mid-body", "json-answer"])
def test_dropped_download_leaves_no_partial_file(app, capsys, dl, monkeypatch, after):
    file_id = stored(app, "evtx.zip", os.urandom(1 << 20))
    app.faults.add("reset", path="/datastore/file/view", after=after)
    seen: list[tuple[int, list[str]]] = []
    draw = ds_cli.ProgressLine.__call__

    def spy(self, done, total):
        seen.append((done, os.listdir(dl)))
        draw(self, done, total)

    monkeypatch.setattr(ds_cli.ProgressLine, "__call__", spy)
    code, out, err = ds(capsys, "get", str(CASE), str(file_id), str(dl))
    assert code == 1 and out == ""
    assert err.startswith(f"error: download of file {file_id} failed: the connection to http://127.0.0.1:")
    assert err.endswith("No file was written.\n") and err.count("\n") == 1
    if after:  # bytes had reached a temporary file before the drop
        assert seen and seen[-1][0] == after and seen[-1][1][0].endswith(".part")
    assert os.listdir(dl) == []


async def test_cancelled_download_task_leaves_no_partial_file(app, dl):
    file_id = slow_file(app)
    args = cli.build_parser().parse_args(["ds", "get", str(CASE), str(file_id), str(dl), "-q"])
    task = asyncio.create_task(ds_cli.run(args))
    deadline = time.monotonic() + 10
    while not any(p.suffix == ".part" and p.stat().st_size for p in dl.iterdir()):
        assert time.monotonic() < deadline and not task.done()
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert os.listdir(dl) == []


def test_keyboard_interrupt_leaves_no_partial_file(app, capsys, dl, monkeypatch):
    file_id = stored(app, "big.bin", os.urandom(2 << 20))

    def ctrl_c(self, done, total):
        assert any(p.endswith(".part") for p in os.listdir(dl))
        raise KeyboardInterrupt

    monkeypatch.setattr(ds_cli.ProgressLine, "__call__", ctrl_c)
    code, out, err = ds(capsys, "get", str(CASE), str(file_id), str(dl))
    assert code == 130 and out == ""
    assert err.endswith("interrupted: no partial file was left\n")
    assert os.listdir(dl) == []


def test_ctrl_c_in_a_real_process_leaves_no_partial_file(app, tmp_path):
    file_id = slow_file(app)
    dest = tmp_path / "dl"
    dest.mkdir()
    env = {**os.environ, "IRIS_TUI_API_KEY_LAB": DEMO_API_KEY}
    proc = subprocess.Popen([sys.executable, "-m", "iris_tui.cli", "ds", "get", str(CASE), str(file_id),
                             str(dest)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        deadline = time.monotonic() + 20
        while not any(p.suffix == ".part" for p in dest.iterdir()):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert out == "" and err.endswith("interrupted: no partial file was left\n")
    assert "Traceback" not in err and DEMO_API_KEY not in err
    assert os.listdir(dest) == []


# -- credentials, usage, exit codes ----------------------------------------------------------

def test_wrong_key_is_one_line_without_the_key(app, capsys, monkeypatch):
    monkeypatch.setenv("IRIS_TUI_API_KEY_LAB", WRONG_KEY)
    code, out, err = ds(capsys, "ls", str(CASE))
    assert code == 1 and out == ""
    assert err.startswith("error: http://127.0.0.1:") and "refused this API key" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_no_key_anywhere(app, capsys, monkeypatch):
    monkeypatch.delenv("IRIS_TUI_API_KEY_LAB")
    code, out, err = ds(capsys, "ls", str(CASE))
    assert code == 1
    assert err.endswith("error: no API key for profile 'lab': store one with `iris-tui auth login "
                        "--profile lab`, or set IRIS_TUI_API_KEY_LAB\n")


def test_profile_option_and_unknown_profile(app, capsys, server, monkeypatch):
    config = cfg.load()
    config.set_profile(cfg.Profile(name="other", url="http://127.0.0.1:9"))  # nothing listens
    config.save()
    monkeypatch.setenv("IRIS_TUI_API_KEY_OTHER", DEMO_API_KEY)
    assert ds(capsys, "ls", str(CASE), "--profile", "lab")[0] == 0
    assert cli.main(["-p", "lab", "ds", "ls", str(CASE)]) == 0
    capsys.readouterr()
    code, _, err = ds(capsys, "ls", str(CASE), "--profile", "other")
    assert code == 1 and err.startswith("error: the connection to http://127.0.0.1:9 failed")
    code, _, err = ds(capsys, "ls", str(CASE), "--profile", "ghost")
    assert code == 2 and err == "error: no profile named 'ghost' (known: lab, other)\n"


def test_read_only_refuses_put(app, capsys, tmp_path):
    local = tmp_path / "x.bin"
    random_file(local, 10)
    before = len(app.store.ds_files)
    code = cli.main(["--read-only", "ds", "put", str(CASE), str(local)])
    assert code == 1 and len(app.store.ds_files) == before
    assert capsys.readouterr().err == "error: profile 'lab' is read-only: nothing was uploaded\n"


@pytest.mark.parametrize("argv", [
    ["ds"], ["ds", "get", "one", "2"], ["ds", "get", "1", "f-x"], ["ds", "put", "1"],
    ["ds", "put", "1", "x", "--folde", "y"],
])
def test_usage_errors_exit_2(iris_env, capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: iris-tui") and "error: " in err


def test_file_id_accepts_tree_keys():
    args = cli.build_parser().parse_args(["ds", "get", "#3", "f-12", "out.bin", "--overwrite"])
    assert (args.case, args.file_id, args.dest, args.overwrite) == (3, 12, "out.bin", True)


# -- progress --------------------------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_without_a_terminal_is_periodic_plain_lines():
    stream, clock = io.StringIO(), Clock()
    line = ds_cli.ProgressLine("dump.raw", stream, every=5.0, clock=clock)
    total = 100 * 1024 * 1024
    for second in range(1, 11):
        clock.now += 1
        line(second * 10 * 1024 * 1024, total)  # 10 MiB/s
    line.finish("sha256 checked")
    assert stream.getvalue().splitlines() == [
        "dump.raw  50.0 MiB / 100.0 MiB   50%  10.0 MiB/s  ETA 0:05",
        "dump.raw  100.0 MiB / 100.0 MiB  100%  10.0 MiB/s",
        "dump.raw  100.0 MiB in 10.0 s (10.0 MiB/s)  sha256 checked",
    ]


def test_progress_on_a_terminal_redraws_one_line():
    stream, clock = Tty(), Clock()
    line = ds_cli.ProgressLine("x.bin", stream, clock=clock)
    for step in range(1, 4):
        clock.now += 1
        line(step * 2048, None)  # unknown total: no percent, no ETA
    line.finish()
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    frames = text.rstrip("\n").split("\r")[1:]
    assert frames[0] == "x.bin  2.0 KiB  2.0 KiB/s"
    assert frames[-1].rstrip() == "x.bin  6.0 KiB in 3.0 s (2.0 KiB/s)"
    assert all(len(f) >= len(prev) for prev, f in zip(frames, frames[1:]))  # old text blanked


def test_speed_follows_a_stall():
    clock = Clock()
    line = ds_cli.ProgressLine("x", io.StringIO(), clock=clock)
    for _ in range(5):
        clock.now += 1
        line(line.done + 1000, 10_000)
    for _ in range(5):  # nothing arrives any more
        clock.now += 1
        line(line.done, 10_000)
    assert line.speed(clock.now) == 0.0


def test_hashing_file_restarts_on_rewind_and_gives_up_on_jumps():
    raw = io.BytesIO(b"abcdef")
    source = ds_cli.HashingFile(raw)
    assert source.seek(0, os.SEEK_END) == 6 and source.seek(0) == 0  # how httpx measures it
    assert source.read(4) + source.read() == b"abcdef"
    assert source.hexdigest() == hashlib.sha256(b"abcdef").hexdigest()
    source.seek(3)
    source.read()
    assert source.hexdigest() is None


def test_file_flags_in_listing():
    file = File.from_raw({"file_id": 3, "file_original_name": "a", "file_is_ioc": True,
                          "file_password": "infected"})
    assert ds_cli._flags(file) == "  [ioc,password]"
