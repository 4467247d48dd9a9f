"""Paste IOCs (`P` on the IOCs tab), driven with real keys at 80×24 against the demo server:
a defanged report in, the candidates in a table (duplicates gone, the case's own IOC left out),
types and TLPs changed, added with a result per row, and the server's state checked after.
Also: a server error on one item, stopping half-way, the text kept, files, read-only."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

import pytest
from rich.console import Console
from textual import events

from iris_tui.demo.routes.cases import create_case
from iris_tui.demo.routes.iocs import add_ioc_to_case
from iris_tui.ui.app import IrisApp
from iris_tui.ui.screens.bulk_iocs import BulkIocScreen
from iris_tui.ui.tabs.base import ListTab
from iris_tui.ui.widgets.safetextarea import SafeTextArea
from support.casedata import fresh_session

CID = 1
USER = 1
TYPES = {"domain": 20, "email": 22, "filename": 37, "ip-any": 76, "ip-dst": 77, "sha256": 113, "url": 141}
TLPS = {"red": 1, "amber": 2, "green": 3, "clear": 4}
SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

REPORT = f"""Incident notes (TLP:AMBER)
C2: hxxps[:]//bulk-c2[.]example[.]com/gate.php and 198.51.100[.]23 (again: 198.51.100.23)
Known: known-c2[.]example[.]com
Shared infra: shared-cdn[.]example[.]org
Dropper svcupd.exe, SHA256 {SHA256.upper()}
Mail: ops[at]bulk-mail[.]example[.]com
"""

EXPECTED = [  # (value, type, note) in the order of the text
    ("https://bulk-c2.example.com/gate.php", "url", ""),
    ("bulk-c2.example.com", "domain", "URL host"),
    ("198.51.100.23", "ip-any", ""),
    ("known-c2.example.com", "domain", "in case"),
    ("shared-cdn.example.org", "domain", ""),
    ("svcupd.exe", "filename", ""),
    (SHA256, "sha256", ""),
    ("ops@bulk-mail.example.com", "email", ""),
]


class Case:
    """Case #1 of a fresh demo server holding one IOC of the report; another case holds a
    second one (IRIS links it instead of creating it)."""

    def __init__(self, *, read_only: bool = False) -> None:
        self.session = fresh_session()
        self.session.read_only = read_only
        store = self.store
        self.known = add_ioc_to_case(store, CID, USER, {
            "ioc_value": "known-c2.example.com", "ioc_type_id": 20, "ioc_tlp_id": 1,
            "custom_attributes": {}})[0]["ioc_id"]
        other = create_case(store, USER, case_name="Older incident", case_description="x",
                            case_customer=1)["case_id"]
        self.shared = add_ioc_to_case(store, other, USER, {
            "ioc_value": "shared-cdn.example.org", "ioc_type_id": 20, "ioc_tlp_id": 3,
            "custom_attributes": {}})[0]["ioc_id"]

    @property
    def store(self) -> Any:
        return self.session.demo.store

    def case_iocs(self) -> dict[str, dict[str, Any]]:
        """The IOCs linked to case #1, by value."""
        return {self.store.iocs[i]["ioc_value"]: self.store.iocs[i] for i in self.store.ioc_links[CID]}

    def adds(self) -> list[Any]:
        return [r for r in self.session.demo.received if r.path == "/case/ioc/add"]


def screen_text(app: IrisApp) -> str:
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      force_terminal=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True))
    return console.export_text()


async def until(pilot: Any, condition: Callable[[], Any], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time\n" + screen_text(pilot.app))
        await pilot.pause(0.02)


async def open_paste(pilot: Any) -> BulkIocScreen:
    """`:case 1`, the IOCs tab (3), then P."""
    app = pilot.app
    await pilot.press("colon", *f"case {CID}", "enter")
    await until(pilot, lambda: any(t.tab_id == "iocs" and t.loaded for t in app.screen.query(ListTab)))
    await pilot.press("3", "P")
    await until(pilot, lambda: isinstance(app.screen, BulkIocScreen))
    return app.screen


async def paste(pilot: Any, text: str) -> None:
    """What the terminal driver posts for a (bracketed) paste; the app hands it to the focus."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def extract(pilot: Any, screen: BulkIocScreen) -> None:
    await pilot.press("ctrl+s")
    await until(pilot, lambda: screen.phase == "review")


def shown(screen: BulkIocScreen) -> list[tuple[str, str, str]]:
    return [(r.value, r.kind, r.note()) for r in screen.table.all_rows]


def included(screen: BulkIocScreen) -> set[str]:
    return {r.value for r in screen.table.all_rows if r.key in screen.table.selected_keys}


async def cursor_to(pilot: Any, screen: BulkIocScreen, value: str) -> None:
    await pilot.press("g")
    for _ in range(len(screen.table.all_rows)):
        if screen.table.cursor_row.value == value:
            return
        await pilot.press("j")
    raise AssertionError(f"no row {value}")


async def add_and_wait(pilot: Any, screen: BulkIocScreen) -> None:
    await pilot.press("a")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert not screen.adding


# -- the whole flow ----------------------------------------------------------------------------

async def test_paste_review_change_and_add() -> None:
    case = Case()
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_paste(pilot)
        assert isinstance(app.focused, SafeTextArea)
        await paste(pilot, REPORT)
        await pilot.press(*" evil.zip ?:t")  # typed keys go into the text, not to bindings
        assert screen.text_area.text == REPORT + " evil.zip ?:t"
        assert screen.phase == "paste"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.phase == "review")
        assert shown(screen) == EXPECTED + [("evil.zip", "filename", "")]
        assert included(screen) == {v for v, _, note in EXPECTED if note != "in case"} | {"evil.zip"}
        text = screen_text(app)
        assert "9 found · 8 to add · 1 already in the case" in text
        assert "198.51.100.23" in text and "in case" in text and "amber" in text

        # the IP becomes ip-dst, the URL green, the file name and evil.zip stay out
        await cursor_to(pilot, screen, "198.51.100.23")
        await pilot.press("t")
        await cursor_to(pilot, screen, "https://bulk-c2.example.com/gate.php")
        await pilot.press("l")
        await cursor_to(pilot, screen, "svcupd.exe")
        await pilot.press("space")
        await cursor_to(pilot, screen, "evil.zip")
        await pilot.press("space")
        rows = {r.value: r for r in screen.table.all_rows}
        assert rows["198.51.100.23"].kind == "ip-dst"
        assert rows["https://bulk-c2.example.com/gate.php"].tlp == "green"
        assert "6 to add" in screen_text(app)

        await add_and_wait(pilot, screen)
        results = {r.value: r.result for r in screen.table.all_rows}
        assert results == {
            "https://bulk-c2.example.com/gate.php": "added",
            "bulk-c2.example.com": "added",
            "198.51.100.23": "added",
            "known-c2.example.com": "",
            "shared-cdn.example.org": "linked (already in another case)",
            "svcupd.exe": "",
            SHA256: "added",
            "ops@bulk-mail.example.com": "added",
            "evil.zip": "",
        }
        assert "Done: 5 added, 1 linked" in screen_text(app)

        iocs = case.case_iocs()
        assert {v: (i["ioc_type_id"], i["ioc_tlp_id"]) for v, i in iocs.items()} == {
            "known-c2.example.com": (TYPES["domain"], TLPS["red"]),
            "https://bulk-c2.example.com/gate.php": (TYPES["url"], TLPS["green"]),
            "bulk-c2.example.com": (TYPES["domain"], TLPS["amber"]),
            "198.51.100.23": (TYPES["ip-dst"], TLPS["amber"]),
            "shared-cdn.example.org": (TYPES["domain"], TLPS["green"]),  # IRIS kept its own TLP
            SHA256: (TYPES["sha256"], TLPS["amber"]),
            "ops@bulk-mail.example.com": (TYPES["email"], TLPS["amber"]),
        }
        assert iocs["shared-cdn.example.org"]["ioc_id"] == case.shared
        assert len(case.adds()) == 6  # the case's own IOC and the excluded rows were not sent

        # back to the text (kept), out of the screen: the IOCs tab shows the new ones
        await pilot.press("escape")
        assert screen.phase == "paste"
        assert screen.text_area.text == REPORT + " evil.zip ?:t"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, BulkIocScreen))
        tab = app.screen.tab("iocs")
        await until(pilot, lambda: tab.loaded and len(tab.rows.all_rows) == 7)
        assert "ops@bulk-mail.example.com" in {i.ioc_value for i in tab.rows.all_rows}


async def test_a_server_error_on_one_item_leaves_the_others_added() -> None:
    case = Case()
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_paste(pilot)
        await paste(pilot, "hxxp://first[.]example[.]net/a\n203.0.113.200\nsecond[.]example[.]net\n")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.phase == "review")
        assert [v for v, _, _ in shown(screen)] == [
            "http://first.example.net/a", "first.example.net", "203.0.113.200", "second.example.net"]
        case.session.demo.faults.add("server_error", path="/case/ioc/add", count=1)
        await add_and_wait(pilot, screen)
        rows = {r.value: r for r in screen.table.all_rows}
        assert rows["http://first.example.net/a"].result.startswith("error: ")
        assert "500" in rows["http://first.example.net/a"].result
        assert [rows[v].result for v in ("first.example.net", "203.0.113.200", "second.example.net")] == [
            "added", "added", "added"]
        assert set(case.case_iocs()) == {
            "known-c2.example.com", "first.example.net", "203.0.113.200", "second.example.net"}
        text = screen_text(app)
        assert "Done: 3 added, 1 failed" in text
        assert "error:" in text
        # the failed row stays included; `a` again sends only that one
        assert included(screen) == {"http://first.example.net/a"}
        await add_and_wait(pilot, screen)
        assert rows["http://first.example.net/a"].result == "added"
        assert case.case_iocs()["http://first.example.net/a"]["ioc_type_id"] == TYPES["url"]
        assert len(case.adds()) == 5


async def test_stopping_leaves_the_rest_unsent() -> None:
    case = Case()
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_paste(pilot)
        await paste(pilot, "\n".join(f"host{n}.example.net" for n in range(5)))
        await extract(pilot, screen)
        case.session.demo.latency = 0.3  # each add takes a while: time to press esc
        await pilot.press("a")
        await until(pilot, lambda: screen.table.all_rows[0].result == "adding…")
        await pilot.press("escape")  # stop, not back: the table stays
        await until(pilot, lambda: not screen.adding)
        assert screen.phase == "review"
        assert [r.result for r in screen.table.all_rows] == ["added"] + ["not sent (stopped)"] * 4
        assert set(case.case_iocs()) == {"known-c2.example.com", "host0.example.net"}
        assert "1 added, 4 stopped" in screen_text(app)


async def test_when_the_case_list_fails_every_row_is_offered_with_a_note() -> None:
    case = Case()
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_paste(pilot)
        await paste(pilot, "known-c2[.]example[.]com new[.]example[.]net")
        case.session.demo.faults.add("server_error", path="/case/ioc/list", count=1)
        await extract(pilot, screen)
        assert included(screen) == {"known-c2.example.com", "new.example.net"}
        assert "Could not check which of these the case has" in screen_text(app)
        await add_and_wait(pilot, screen)
        results = {r.value: r.result for r in screen.table.all_rows}
        assert results == {"known-c2.example.com": "already in this case", "new.example.net": "added"}
        assert "Done: 1 added, 1 already in the case" in screen_text(app)


# -- the text is never lost --------------------------------------------------------------------

async def test_the_text_and_the_choices_survive_going_back_and_leaving() -> None:
    case = Case()
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_paste(pilot)
        await paste(pilot, "evil[.]example[.]net 192.0.2.10\n")
        await extract(pilot, screen)
        await cursor_to(pilot, screen, "192.0.2.10")
        await pilot.press("t", "l")  # ip-dst, green
        await pilot.press("escape")
        assert screen.phase == "paste"
        await pilot.press("ctrl+end")
        await pilot.press(*"more.example.net")
        await extract(pilot, screen)  # new text: extracted again, the choices kept
        rows = {r.value: r for r in screen.table.all_rows}
        assert list(rows) == ["evil.example.net", "192.0.2.10", "more.example.net"]
        assert (rows["192.0.2.10"].kind, rows["192.0.2.10"].tlp) == ("ip-dst", "green")
        await pilot.press("escape", "escape")  # out of the screen without adding anything
        await until(pilot, lambda: not isinstance(app.screen, BulkIocScreen))
        assert case.adds() == []
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, BulkIocScreen))
        assert app.screen.text_area.text == "evil[.]example[.]net 192.0.2.10\nmore.example.net"


async def test_after_everything_was_added_the_text_is_dropped() -> None:
    case = Case()
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_paste(pilot)
        await paste(pilot, "gone[.]example[.]net")
        await extract(pilot, screen)
        await add_and_wait(pilot, screen)
        await pilot.press("escape", "escape")
        await until(pilot, lambda: not isinstance(app.screen, BulkIocScreen))
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, BulkIocScreen))
        assert app.screen.text_area.text == ""


async def test_nothing_to_extract_says_so() -> None:
    app = IrisApp(Case().session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_paste(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen.phase == "paste"
        assert "paste some text first" in screen_text(app)
        await paste(pilot, "just words here")
        await extract(pilot, screen)
        assert "No IOCs found in the text" in screen_text(app)


# -- files ------------------------------------------------------------------------------------

async def test_text_read_from_a_file_is_appended(tmp_path: Any) -> None:
    report = tmp_path / "report.txt"
    report.write_text("from the file: filehost[.]example[.]net\n", encoding="utf-8")
    binary = tmp_path / "report.pdf"
    binary.write_bytes(b"%PDF-1.7\x00\x00\x01binary")
    app = IrisApp(Case().session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_paste(pilot)
        await paste(pilot, "pasted.example.net")
        await pilot.press("ctrl+o", *str(tmp_path / "missing.txt"), "enter")
        await until(pilot, lambda: "Cannot read" in screen_text(app))
        assert screen.text_area.text == "pasted.example.net"
        await pilot.press("ctrl+o", "ctrl+u", *str(binary), "enter")
        await until(pilot, lambda: "not a text file" in screen_text(app))
        await pilot.press("ctrl+o", "ctrl+u", *str(report), "enter")
        await until(pilot, lambda: "filehost" in screen.text_area.text)
        assert screen.text_area.text == "pasted.example.net\nfrom the file: filehost[.]example[.]net\n"
        assert isinstance(app.focused, SafeTextArea)
        await extract(pilot, screen)
        assert [v for v, _, _ in shown(screen)] == ["pasted.example.net", "filehost.example.net"]


# -- hostile text, read-only ------------------------------------------------------------------

async def test_hostile_text_is_shown_literally() -> None:
    app = IrisApp(Case().session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_paste(pilot)
        await paste(pilot, "[bold]x[/bold] [@click=app.quit]q[/] \x1b[31mred.example.net\x1b]52;c;aGk=\x07\n")
        await extract(pilot, screen)
        assert [v for v, _, _ in shown(screen)] == ["red.example.net"]
        assert "\x1b" not in screen_text(app)
        assert app.is_running  # the click markup did nothing
        await pilot.press("escape")
        text = screen_text(app)
        assert "[@click=app.quit]q[/]" in text  # literal in the editor
        assert "␛[31mred.example.net" in text  # the escape shown, not sent to the terminal
        assert "\x1b" not in text


async def test_read_only_hides_and_refuses() -> None:
    case = Case(read_only=True)
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("colon", *f"case {CID}", "enter")
        await until(pilot, lambda: any(t.tab_id == "iocs" and t.loaded for t in app.screen.query(ListTab)))
        await pilot.press("3")
        assert "Paste IOCs" not in screen_text(app)
        await pilot.press("P")
        await pilot.pause()
        assert not isinstance(app.screen, BulkIocScreen)
        app.screen.tab("iocs").action_paste_iocs()  # as the palette or a remapped key would
        await pilot.pause()
        assert not isinstance(app.screen, BulkIocScreen)
        assert any("read-only" in n.message for n in app._notifications)


async def test_a_read_only_session_cannot_add_from_an_open_screen() -> None:
    """Belt and braces: the screen checks too (a profile can turn read-only mid-session)."""
    case = Case()
    app = IrisApp(case.session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_paste(pilot)
        await paste(pilot, "ro.example.net")
        await extract(pilot, screen)
        case.session.read_only = True
        await pilot.press("a")
        await pilot.pause()
        assert case.adds() == []
        assert not screen.adding


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_table_fits(size: tuple[int, int]) -> None:
    app = IrisApp(Case().session)
    async with app.run_test(size=size) as pilot:
        screen = await open_paste(pilot)
        await paste(pilot, REPORT)
        await extract(pilot, screen)
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if "Value" in line)
        for label in ("Type", "TLP", "Result"):
            assert label in header
        assert any("ops@bulk-mail.example.com" in line for line in lines)
        assert any("t type" in line and "space" in line for line in lines)
