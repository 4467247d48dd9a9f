"""Datastore transfers and changes through the UI, against the in-process demo server at 80×24:
uploads (several files, tags, flags, sha256, cancel), downloads (bytes and hash, overwrite
question, dropped connection, cancel, IOC ZIP), folder and file changes, read-only refusal."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

from support.casedata import CID, HOSTILE, build_case, open_tab, requests, screen_text, terminal_output, until

from iris_tui.api.datastore import File, Folder
from iris_tui.transfers import Rate
from iris_tui.ui.app import IrisApp
from iris_tui.ui.ds.dialogs import FileEditForm, FolderPicker, NameForm
from iris_tui.ui.ds.download import DownloadScreen
from iris_tui.ui.ds.paths import FilePicker, PathInput, SafeDirectoryTree, complete
from iris_tui.ui.ds.progress import bar, progress_text
from iris_tui.ui.ds.upload import FileList, UploadScreen
from iris_tui.ui.forms import ConfirmScreen
from iris_tui.ui.tabs.datastore import DatastoreTab

SIZE = (80, 24)


# -- helpers ----------------------------------------------------------------------------------


async def go_to(pilot, tab: DatastoreTab, name: str) -> None:
    """Put the tree cursor on the file or folder called `name`."""
    await pilot.press("g")
    for _ in range(20):
        node = tab.ds_tree.cursor_node
        if node is not None and isinstance(node.data, (File, Folder)) and node.data.name == name:
            return
        await pilot.press("j")
    raise AssertionError(f"{name} not reached")


def folder_id(store, name: str) -> int:
    return next(f["path_id"] for f in store.ds_folders.values()
                if f["path_case_id"] == CID and f["path_name"] == name)


def files_named(store, name: str) -> list[dict]:
    return [r for r in store.ds_files.values() if r["file_original_name"] == name]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def type_path(pilot, text: str) -> None:
    await pilot.press("ctrl+u", *text)


# -- pure pieces ------------------------------------------------------------------------------


def test_completion_keeps_what_was_typed_and_lists_candidates(tmp_path, monkeypatch):
    (tmp_path / "evidence-2024.raw").write_bytes(b"x")
    (tmp_path / "evidence-notes").mkdir()
    (tmp_path / ".hidden").write_bytes(b"x")
    assert complete(f"{tmp_path}/evi") == (f"{tmp_path}/evidence-",
                                           ["evidence-2024.raw", "evidence-notes/"])
    assert complete(f"{tmp_path}/evidence-n") == (f"{tmp_path}/evidence-notes/", ["evidence-notes/"])
    assert complete(f"{tmp_path}/") == (f"{tmp_path}/evidence-", ["evidence-2024.raw", "evidence-notes/"])
    assert complete(f"{tmp_path}/.h")[0] == f"{tmp_path}/.hidden"  # hidden only when asked for
    assert complete(f"{tmp_path}/nothing") == (f"{tmp_path}/nothing", [])
    monkeypatch.setenv("HOME", str(tmp_path))
    assert complete("~") == ("~/", [])
    assert complete("~/evidence-2")[0] == "~/evidence-2024.raw"


def test_progress_text_reads_without_colour():
    now = [0.0]
    rate = Rate(clock=lambda: now[0])
    now[0] = 2.0
    rate.update(3 * 1024 * 1024, 12 * 1024 * 1024)
    assert bar(0.25, 8).plain == "██░░░░░░" and bar(None, 4).plain == "░░░░"
    assert progress_text(rate, 4).plain == "█░░░  3.0 MiB / 12.0 MiB   25%  1.5 MiB/s  ETA 0:06"


# -- upload -----------------------------------------------------------------------------------


async def test_upload_two_files_with_tags_and_flags(tmp_path):
    first = tmp_path / "memdump.raw"
    first.write_bytes(os.urandom(300_000))
    second = tmp_path / "notes [x].txt"  # markup-like local name
    second.write_bytes(b"seen at 09:14\n")
    data = build_case()
    store = data.demo.store
    app = IrisApp(data.session)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        await go_to(pilot, tab, "Mails")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, UploadScreen), what="the upload screen")
        screen = app.screen
        assert "Case 1 / Evidences / Mails" in screen_text(app)  # the folder under the cursor
        await pilot.press(*str(first), "enter", *str(second), "enter")
        assert [item.path for item in screen.items] == [first, second]
        assert "2 files (293.0 KiB)" in screen_text(app)
        screen.query_one("#up-desc").focus()
        await pilot.press(*"from WS-01", "tab", *"memory, triage", "tab", "tab", "space", "tab", "space")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not screen.busy and all(i.state == "ok" for i in screen.items),
                    what="both uploads")
        text = screen_text(app)
        assert "memdump.raw  293.0 KiB  ✓ stored as #" in text
        assert "sha256 checked" in text and "2 stored; esc closes" in text

        mails = folder_id(store, "Mails")
        for path in (first, second):
            (record,) = files_named(store, path.name)
            assert record["file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest().upper()
            assert record["file_parent_id"] == mails
            assert record["file_tags"] == "memory,triage"
            assert record["file_description"] == "from WS-01"
            assert record["file_is_ioc"] is True and record["file_is_evidence"] is True
            assert record["file_password"] == "infected"  # IRIS's IOC default
            assert any(i["ioc_value"] == record["file_sha256"] for i in store.iocs.values())
            assert any(e["file_hash"] == record["file_sha256"] for e in store.evidences.values())
        assert len(requests(data.demo, f"/datastore/file/add/{mails}")) == 2

        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, UploadScreen), what="closing")
        await until(pilot, lambda: "notes [x].txt" in screen_text(app), what="the refreshed tab")
        assert "Datastore (5)" in screen_text(app)
        cursor = tab.ds_tree.cursor_node.data
        assert isinstance(cursor, File) and cursor.name == second.name  # the last one uploaded


async def test_failed_upload_says_why_and_only_it_is_sent_again(tmp_path):
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    first.write_bytes(b"first")
    second.write_bytes(b"second")
    data = build_case()
    store = data.demo.store
    data.demo.faults.add("server_error", path="/datastore/file/add")  # the first request only
    app = IrisApp(data.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(pilot, app, "datastore")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, UploadScreen), what="the upload screen")
        screen = app.screen
        await pilot.press(*str(first), "enter", *str(second), "enter", "ctrl+s")
        await until(pilot, lambda: not screen.busy and screen.items[1].state == "ok", what="the batch")
        assert screen.items[0].state == "failed"
        text = screen_text(app)
        assert "a.log  5 B  ✗ failed" in text and "500" in text
        assert "1 stored, 1 failed; ctrl+s sends the 1 not stored" in text
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.items[0].state == "ok", what="the second try")
        assert [len(files_named(store, n)) for n in ("a.log", "b.log")] == [1, 1]
        assert len([r for r in data.demo.received if r.path.startswith("/datastore/file/add/")]) == 3


async def test_upload_completes_paths_with_tab_and_tilde(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "evidence-2024.raw").write_bytes(b"raw bytes")
    (tmp_path / "evidence-notes").mkdir()
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(pilot, app, "datastore")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, UploadScreen), what="the upload screen")
        path = app.screen.query_one(PathInput)
        await pilot.press(*"~/evi", "tab")
        assert path.value == "~/evidence-"
        assert "2 matches: evidence-2024.raw  evidence-notes/" in screen_text(app)
        await pilot.press("2", "tab")
        assert path.value == "~/evidence-2024.raw" and path.has_focus
        await pilot.press("enter")
        assert [i.path for i in app.screen.items] == [tmp_path / "evidence-2024.raw"]
        await pilot.press(*"~/evidence-notes", "enter")  # a folder is refused, and says why
        assert "is a folder" in screen_text(app) and len(app.screen.items) == 1
        app.screen.query_one(FileList).focus()
        await pilot.press("x")  # off the list again
        assert app.screen.items == [] and "No files yet" in screen_text(app)


async def test_upload_file_picker_adds_the_chosen_file(tmp_path):
    (tmp_path / "picked.log").write_bytes(b"log line")
    (tmp_path / "sub").mkdir()
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(pilot, app, "datastore")
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, UploadScreen), what="the upload screen")
        upload = app.screen
        await pilot.press(*f"{tmp_path}/sub", "ctrl+o")  # opens where the typed path points
        await until(pilot, lambda: isinstance(app.screen, FilePicker), what="the file picker")
        tree = app.screen.query_one(SafeDirectoryTree)
        assert Path(tree.path) == tmp_path / "sub"
        await pilot.press("backspace")  # up to tmp_path
        await until(pilot, lambda: [c.data.path.name for c in tree.root.children] == ["sub", "picked.log"],
                    what="the folder's entries")
        await pilot.press("down", "down", "enter")
        await until(pilot, lambda: app.screen is upload, what="back on the upload screen")
        assert [i.path for i in upload.items] == [tmp_path / "picked.log"]


async def test_cancelled_upload_leaves_no_entry(tmp_path):
    local = tmp_path / "big.bin"
    local.write_bytes(os.urandom(64 * 1024))
    data = build_case()
    store = data.demo.store
    app = IrisApp(data.session)
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(pilot, app, "datastore")
        before = set(store.ds_files)
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, UploadScreen), what="the upload screen")
        screen = app.screen
        await pilot.press(*str(local), "enter")
        data.demo.latency = 1.5  # the request is under way and not answered yet
        await pilot.press("ctrl+s")
        root = folder_id(store, "Case 1")
        await until(pilot, lambda: requests(data.demo, f"/datastore/file/add/{root}"), what="the request")
        assert screen.busy and "cancel the upload" in screen_text(app)
        await pilot.press("escape")  # cancels, does not close
        await until(pilot, lambda: not screen.busy, what="the cancel")
        data.demo.latency = 0
        assert app.screen is screen
        assert screen.items[0].state == "cancelled"
        assert "✗ cancelled" in screen_text(app) and "nothing was stored" in screen_text(app)
        assert "1 cancelled; ctrl+s sends the 1 not stored" in screen_text(app)
        await pilot.pause(1.6)  # past the latency: the cancelled request never lands
        assert set(store.ds_files) == before
        assert not files_named(store, "big.bin")
        await pilot.press("ctrl+s")  # the same file again, to the end this time
        await until(pilot, lambda: screen.items[0].state == "ok", what="the second try")
        assert len(files_named(store, "big.bin")) == 1


# -- download ---------------------------------------------------------------------------------


async def open_download(pilot, app, tab, name: str) -> DownloadScreen:
    await go_to(pilot, tab, name)
    await pilot.press("s")
    await until(pilot, lambda: isinstance(app.screen, DownloadScreen), what="the download screen")
    return app.screen


async def test_download_writes_the_same_bytes(tmp_path):
    data = build_case()
    record = data.demo.store.ds_files[data.ids["file_mail"]]
    app = IrisApp(data.session)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        screen = await open_download(pilot, app, tab, "invoice.eml")
        path = screen.query_one(PathInput)
        assert path.value.endswith("/invoice.eml")  # ~/Downloads or the current folder
        assert "password" not in screen_text(app)  # a plain file: no ZIP note
        await type_path(pilot, str(tmp_path))  # a folder: the file's name is used
        await pilot.press("enter")
        await until(pilot, lambda: screen.saved is not None, what="the download")
        target = tmp_path / "invoice.eml"
        assert screen.saved == target
        assert target.read_bytes() == data.demo.store.ds_blobs[record["file_id"]].read()
        assert hashlib.sha256(target.read_bytes()).hexdigest().upper() == record["file_sha256"]
        text = screen_text(app)
        assert "Saved to" in text and "sha256 checked" in text
        assert "█" * 20 + "  " in text and "100%" in text  # the progress bar, full
        assert leftovers(tmp_path) == ["invoice.eml"]
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, DownloadScreen), what="closing")


async def test_existing_file_is_not_replaced_without_a_yes(tmp_path):
    data = build_case()
    record = data.demo.store.ds_files[data.ids["file_mail"]]
    target = tmp_path / "mail.eml"
    target.write_bytes(b"my own notes")
    app = IrisApp(data.session)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        screen = await open_download(pilot, app, tab, "invoice.eml")
        await type_path(pilot, str(target))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        assert "Replace" in screen_text(app) and "mail.eml?" in screen_text(app)
        await pilot.press("n")
        await until(pilot, lambda: app.screen is screen, what="back on the download screen")
        assert "Kept the existing file: nothing was written" in screen_text(app)
        assert target.read_bytes() == b"my own notes"
        assert leftovers(tmp_path) == ["mail.eml"]
        assert not requests(data.demo, f"/datastore/file/view/{record['file_id']}")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question again")
        await pilot.press("y")
        await until(pilot, lambda: screen.saved is not None, what="the replacing download")
        assert target.read_bytes() == data.demo.store.ds_blobs[record["file_id"]].read()
        assert leftovers(tmp_path) == ["mail.eml"]


async def test_dropped_connection_leaves_no_file_and_offers_a_retry(tmp_path):
    data = build_case()
    record = data.demo.store.ds_files[data.ids["file_mail"]]
    data.demo.faults.add("reset", path="/datastore/file/view", after=1000)
    app = IrisApp(data.session)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        screen = await open_download(pilot, app, tab, "invoice.eml")
        await type_path(pilot, str(tmp_path / "out.eml"))
        await pilot.press("enter")
        await until(pilot, lambda: "Download failed" in screen.status_text, what="the failure")
        assert "No file was written. Press enter to try again." in screen.status_text
        assert screen.saved is None and leftovers(tmp_path) == []
        await pilot.press("enter")  # the retry
        await until(pilot, lambda: screen.saved is not None, what="the retry")
        assert (tmp_path / "out.eml").read_bytes() == data.demo.store.ds_blobs[record["file_id"]].read()
        assert len(requests(data.demo, f"/datastore/file/view/{record['file_id']}")) == 2


async def test_cancelled_download_leaves_no_file(tmp_path):
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        screen = await open_download(pilot, app, tab, "invoice.eml")
        await type_path(pilot, str(tmp_path / "out.eml"))
        data.demo.latency = 1.5
        await pilot.press("enter")
        await until(pilot, lambda: requests(data.demo, f"/datastore/file/view/{data.ids['file_mail']}"),
                    what="the request")
        await pilot.press("ctrl+c")
        await until(pilot, lambda: not screen.busy, what="the cancel")
        data.demo.latency = 0
        assert "Cancelled: no file was written." in screen.status_text
        assert app.screen is screen and leftovers(tmp_path) == []


async def test_ioc_file_comes_as_a_password_zip(tmp_path):
    data = build_case()
    record = data.demo.store.ds_files[data.ids["file_sample"]]
    app = IrisApp(data.session)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        screen = await open_download(pilot, app, tab, "stage2.bin")
        text = screen_text(app)
        assert "password-protected ZIP" in text and '"infected"' in text
        assert screen.query_one(PathInput).value.endswith("/stage2.bin.zip")
        await type_path(pilot, str(tmp_path) + "/")
        await pilot.press("enter")
        await until(pilot, lambda: screen.saved is not None, what="the download")
        assert screen.saved == tmp_path / "stage2.bin.zip"
        assert "a ZIP: its sha256 is not the file's" in screen.status_text
        with zipfile.ZipFile(io.BytesIO(screen.saved.read_bytes())) as archive:
            (member,) = archive.namelist()
            assert hashlib.sha256(archive.read(member)).hexdigest().upper() == record["file_sha256"]


# -- folders and files ------------------------------------------------------------------------


async def test_folder_add_rename_move_delete(tmp_path):
    data = build_case()
    store = data.demo.store
    app = IrisApp(data.session)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        await go_to(pilot, tab, "Case 1")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NameForm), what="the name prompt")
        assert "New folder in Case 1" in screen_text(app)
        await pilot.press(*"Triage", "enter")
        await until(pilot, lambda: not isinstance(app.screen, NameForm), what="the new folder")
        triage = folder_id(store, "Triage")
        assert store.ds_folders[triage]["path_parent_id"] == folder_id(store, "Case 1")
        await until(pilot, lambda: getattr(tab.ds_tree.cursor_node.data, "id", None) == triage,
                    what="the cursor on the new folder")

        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, NameForm), what="the rename prompt")
        await pilot.press("ctrl+u", *"Triage 2", "enter")
        await until(pilot, lambda: store.ds_folders[triage]["path_name"] == "Triage 2", what="the rename")

        await until(pilot, lambda: getattr(tab.ds_tree.cursor_node.data, "name", "") == "Triage 2",
                    what="the reloaded tree")
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, FolderPicker), what="the folder picker")
        picker = app.screen
        await pilot.press("G", "enter")  # the last folder is the one being moved: refused
        assert "cannot go into itself" in screen_text(app) and app.screen is picker
        await pilot.press("g", "j", "j", "j")  # Case 1, Evidences, Mails, Images
        assert picker.query_one("#folder-tree").cursor_node.data.name == "Images"
        await pilot.press("enter")
        images = folder_id(store, "Images")
        await until(pilot, lambda: store.ds_folders[triage]["path_parent_id"] == images, what="the move")

        await go_to(pilot, tab, "Evidences")
        mail = data.ids["file_mail"]
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        text = screen_text(app)
        assert "Delete folder Case 1 / Evidences?" in text
        assert "It holds 1 file and 1 sub-folder" in text
        await pilot.press("y")
        await until(pilot, lambda: mail not in store.ds_files, what="the delete")
        assert "Evidences" not in {f["path_name"] for f in store.ds_folders.values()}
        assert "Mails" not in {f["path_name"] for f in store.ds_folders.values()}
        await until(pilot, lambda: "Datastore (2)" in screen_text(app), what="the reloaded tab")


async def test_file_move_edit_delete():
    data = build_case()
    store = data.demo.store
    sample = store.ds_files[data.ids["file_sample"]]
    app = IrisApp(data.session)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        await go_to(pilot, tab, "stage2.bin")
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, FolderPicker), what="the folder picker")
        assert "(current)" in screen_text(app)
        await pilot.press("g", "j", "j", "j", "j")  # Case 1, Evidences, Mails, Images, IOCs
        await pilot.press("enter")
        iocs = folder_id(store, "IOCs")
        await until(pilot, lambda: sample["file_parent_id"] == iocs, what="the move")
        await until(pilot, lambda: getattr(tab.ds_tree.cursor_node.data, "file_parent_id", 0) == iocs,
                    what="the cursor following the file")

        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FileEditForm), what="the edit form")
        form = app.screen
        assert form.field("file_is_ioc").value is True
        await pilot.press("ctrl+u", *"stage2-loader.bin", "tab", "tab", "end", *",loader")
        form.field("file_is_ioc").focus_control()
        await pilot.press("space")  # clear the IOC flag: IRIS reads a flag part's presence as true
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, FileEditForm), what="the save")
        assert sample["file_original_name"] == "stage2-loader.bin"
        assert sample["file_tags"] == "malware,loader"
        assert sample["file_is_ioc"] is False and sample["file_is_evidence"] is False
        assert sample["file_description"] is None  # untouched: not sent
        assert sample["file_password"] == "infected"  # untouched: not sent

        await until(pilot, lambda: getattr(tab.ds_tree.cursor_node.data, "name", "") == "stage2-loader.bin",
                    what="the reloaded tree")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("n")
        assert sample["file_id"] in store.ds_files
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("y")
        await until(pilot, lambda: sample["file_id"] not in store.ds_files, what="the delete")


async def test_edit_form_failure_keeps_what_was_typed():
    data = build_case()
    data.demo.faults.add("server_error", path="/datastore/file/update")
    app = IrisApp(data.session)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        await go_to(pilot, tab, "invoice.eml")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FileEditForm), what="the edit form")
        form = app.screen
        await pilot.press("ctrl+u", *"renamed.eml", "ctrl+s")
        await until(pilot, lambda: "Not saved" in form.form_error, what="the error")
        assert "the server failed (HTTP 500)" in form.form_error
        assert app.screen is form and form.field("file_original_name").value == "renamed.eml"
        await pilot.press("ctrl+s")  # the fault was for one request only
        await until(pilot, lambda: app.screen is not form, what="the save")
        assert data.demo.store.ds_files[data.ids["file_mail"]]["file_original_name"] == "renamed.eml"


async def test_hostile_names_in_dialogs_stay_literal():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        await go_to(pilot, tab, HOSTILE)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        text = screen_text(app)
        assert "Delete file [bold red]x[/] [@click=app.quit]q[/]" in text and "␛[31mred" in text
        raw = terminal_output(app)
        assert "\x1b]52" not in raw and "\u202e" not in raw
        await pilot.press("escape")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, DownloadScreen), what="the download screen")
        name = app.screen.query_one(PathInput).value.rsplit("/", 1)[-1]
        assert "\x1b" not in name and "\u202e" not in name and "/" not in name
        assert app.is_running


# -- read-only --------------------------------------------------------------------------------


async def test_read_only_refuses_every_write(tmp_path):
    data = build_case()
    data.session.read_only = True
    app = IrisApp(data.session)
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        workspace = app.screen
        await go_to(pilot, tab, "invoice.eml")
        for key in ("u", "n", "R", "m", "e", "d"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is workspace, key
        text = screen_text(app)
        assert "Upload" not in text and "s Save" in text  # the footer: reading stays
        tab.action_upload()  # from anywhere else (palette, a remapped key): refused, and said
        tab.action_delete()
        await pilot.pause()
        assert app.screen is workspace
        assert any("read-only" in str(n.message) for n in app._notifications)
        assert not [r for r in data.demo.received if r.method == "POST"]
        await pilot.press("s")  # a download is a read
        await until(pilot, lambda: isinstance(app.screen, DownloadScreen), what="the download screen")
