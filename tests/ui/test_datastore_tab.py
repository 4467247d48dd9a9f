"""Datastore tab against the demo server, at 80×24: folders and files with their facts, the info
pane (never the password), the `/` filter, hostile file names."""

from __future__ import annotations

from support.casedata import HOSTILE, build_case, open_tab, requests, screen_text, terminal_output, until

from iris_tui.api.datastore import File, Folder
from iris_tui.ui.app import IrisApp
from iris_tui.ui.tabs.datastore import DatastoreTab, human_size


def outline(tab: DatastoreTab) -> list[str]:
    lines: list[str] = []

    def visit(node, depth: int) -> None:
        for child in node.children:
            data = child.data
            name = f"{data.name}/" if isinstance(data, Folder) else data.name
            lines.append("  " * depth + name)
            visit(child, depth + 1)

    visit(tab.ds_tree.root, 0)
    return lines


async def go_to_file(pilot, tab: DatastoreTab, file_id: int) -> None:
    for _ in range(12):
        node = tab.ds_tree.cursor_node
        if node is not None and isinstance(node.data, File) and node.data.file_id == file_id:
            return
        await pilot.press("j")
    raise AssertionError(f"file {file_id} not reached")


def test_human_sizes():
    assert [human_size(n) for n in (0, 1023, 1024, 48213, 17179869184, None)] == [
        "0 B", "1023 B", "1.0 KiB", "47.1 KiB", "16.0 GiB", "?"]


async def test_tree_shows_folders_and_files_with_their_facts():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        assert requests(data.demo, "/datastore/list/tree")
        assert outline(tab) == [
            "Case 1/",
            "  Evidences/",
            "    Mails/",
            "      invoice.eml",
            "  Images/",
            "  IOCs/",
            f"  {HOSTILE}",
            "  stage2.bin",
        ]
        text = screen_text(app)
        assert "Datastore (3)" in text
        mail = data.demo.store.ds_files[data.ids["file_mail"]]
        assert f"invoice.eml  47.1 KiB  {mail['file_sha256'][:12]}  EVID  mail,phishing" in text
        assert "stage2.bin  4.0 KiB" in text and "IOC PW  malware" in text
        assert "Mails  1 file" in text and "Case 1  3 files" in text


async def test_info_pane_has_every_field_but_never_the_password():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        await go_to_file(pilot, tab, data.ids["file_sample"])  # an IOC file: password "infected"
        record = data.demo.store.ds_files[data.ids["file_sample"]]
        assert record["file_password"] == "infected"
        info = tab.query_one("#ds-info")
        text = "\n".join(s.text for s in info.render_lines(info.region.reset_offset))
        assert record["file_sha256"] in text
        assert "Password    set" in text
        assert "stage2.bin.zip (password-protected ZIP)" in text
        assert "4.0 KiB (4,096 bytes)" in text
        assert "Case 1" in text and "malware" in text
        assert record["file_local_name"][:40] in text.replace("\n", "")  # for admins
        assert "infected" not in text and "infected" not in screen_text(app)
        await pilot.press("g")
        assert "Password" not in screen_text(app)  # a folder: folder facts only
        assert "2 here, 3 with sub-folders" in screen_text(app)


async def test_filter_on_names_and_tags():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        await pilot.press("slash", *"PHISH")  # a tag, any case
        assert outline(tab) == ["Case 1/", "  Evidences/", "    Mails/", "      invoice.eml"]
        await pilot.press("ctrl+u", *"stage2")  # a name
        assert outline(tab) == ["Case 1/", "  stage2.bin"]
        await pilot.press("ctrl+u", *"no such file")
        assert outline(tab) == []
        assert "No file matches no such file" in screen_text(app)
        await pilot.press("escape")
        assert len(outline(tab)) == 8
        assert tab.ds_tree.has_focus
        assert "Datastore (3)" in screen_text(app)


async def test_y_copies_the_hash():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        await go_to_file(pilot, tab, data.ids["file_mail"])
        copied: list[str] = []
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await pilot.press("y")
        assert copied == [data.demo.store.ds_files[data.ids["file_mail"]]["file_sha256"]]


async def test_hostile_file_name_is_shown_literally():
    data = build_case()
    app = IrisApp(data.session)
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_tab(pilot, app, "datastore")
        await go_to_file(pilot, tab, data.ids["file_hostile"])
        await until(pilot, lambda: "3 B (3 bytes)" in screen_text(app), what="the info pane")
        text = screen_text(app)
        assert "[bold red]x[/] [@click=app.quit]q[/]" in text
        assert "␛[31mred␛]52;c;aGk=␇" in text
        raw = terminal_output(app)
        assert "\x1b]52" not in raw and "\x1b[31mred" not in raw and "\u202e" not in raw
        assert app.is_running
